"""Every figure and table of the replay, written by :func:`run_all` (``stp-brainpy neuromatch``)."""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Sequence

import numpy as np

from ...core.validation import check_method
from ..plotting import add_output_arguments, check_outputs, clean_floats, csv_text, run_command, write_outputs
from .bonus import bonus, bonus_trace
from .checks import check_seed
from .figures import (plot_bonus, plot_bonus_trace, plot_ei_grid, plot_fmp_exercise, plot_g_ratio,
                      plot_stp_explorer)
from .membrane import ei_grid, fmp_exercise
from .parameters import (BONUS_SEEDS, BONUS_TRACE_RATIO, DURATION, EXPLORER_CASES, QUICK_BONUS_SEEDS,
                         QUICK_DURATION)
from .stats import mean_se, nanmean_seeds
from .synapses import g_ratio_curves, stp_explorers

__all__ = ["figure_names", "table_names", "tables", "targets", "run_all", "add_parser"]

STATS = ("rate", "cv_isi", "fmp_mean", "fmp_std")


def _explorer_name(kind, rate, poisson) -> str:
    return f"{kind.lower()}_explorer_{int(rate)}Hz_{'poisson' if poisson else 'regular'}.png"


def figure_names() -> list[str]:
    return (["fmp_exercise.png", "ei_grid.png"] + [_explorer_name(*c) for c in EXPLORER_CASES]
            + ["g_ratio.png", "bonus_cv_rate.png", "bonus_trace.png"])


def table_names() -> list[str]:
    return ["neuromatch_ei_grid.csv", "neuromatch_g_ratio.csv", "neuromatch_bonus.csv", "neuromatch.json"]


def tables(fmp: dict, grid: dict, ratios: dict, bon: dict, trace: dict, explorers: Sequence[dict]) -> dict[str, str]:
    """File name → text: E/I grid (seed means), g-ratio curves, bonus statistics, and everything as JSON."""
    names = table_names()
    ei_rows = []
    for i, e in enumerate(grid["exc_rates"]):
        for j, h in enumerate(grid["inh_rates"]):
            vals = [float(nanmean_seeds(grid[k][i, j])) for k in STATS]
            ei_rows.append([e, h] + [round(v, 6) for v in vals])
    g_rows = [[kind, r, d["g1"][i], d["g10"][i], d["ratio"][i]] for kind, d in ratios.items()
              for i, r in enumerate(d["rates"])]
    # seed means of float32 runs: float32 precision is all they carry (written as its shortest decimal)
    b_rows = [["stp", r] + [np.float32(v) for k in STATS for v in mean_se(bon[k][i])]
              for i, r in enumerate(bon["tau_ratios"])]
    b_rows.append(["static", ""] + [np.float32(v) for k in STATS for v in mean_se(bon[f"static_{k}"])])
    summary = dict(
        fmp_exercise={k: fmp[k] for k in STATS + ("seed", "method")},
        explorers=[{k: e[k] for k in ("kind", "rate", "poisson", "U0", "tau_d", "tau_f") + (
            ("g1", "g10") if not e["poisson"] else ())} for e in explorers],
        g_ratio={k: {kk: np.asarray(v).tolist() if isinstance(v, np.ndarray) else v for kk, v in d.items()}
                 for k, d in ratios.items()},
        bonus=dict(answer=bon["answer"], n_seeds=len(bon["seeds"]), input_rate=bon["input_rate"],
                   gE_late_over_early=trace["gE_late_over_early"], gI_late_over_early=trace["gI_late_over_early"]),
        ei_grid=dict(n_seeds=len(grid["seeds"]), duration=grid["duration"]),
    )
    return {
        names[0]: csv_text(("exc_rate_Hz", "inh_rate_Hz", "rate_Hz", "cv_isi", "fmp_mean_mV", "fmp_std_mV"), ei_rows),
        names[1]: csv_text(("synapse", "rate_Hz", "g1_nS", "g10_nS", "g10_over_g1"), g_rows),
        names[2]: csv_text(("synapses", "tau_ratio", "rate_Hz", "rate_se", "cv_isi", "cv_isi_se", "fmp_mean_mV",
                            "fmp_mean_se", "fmp_std_mV", "fmp_std_se"), b_rows),
        names[3]: json.dumps(clean_floats(summary), indent=1, default=float) + "\n",
    }


def targets(out_dir, quick: bool = False) -> list[Path]:
    """Every file :func:`run_all` writes into ``out_dir`` (``stp-brainpy all`` checks them all first)."""
    del quick  # same files either way
    return [Path(out_dir) / n for n in figure_names() + table_names()]


def validate_run(method: str = "euler", seed: int = 0) -> None:
    """The options of :func:`run_all`, checked before anything runs (``ValueError``/``TypeError``)."""
    check_method(method)
    check_seed(seed)


def run_all(out_dir, overwrite: bool = False, quick: bool = False, progress: bool = True, method: str = "euler",
            seed: int = 0) -> list[Path]:
    """Replay every section into ``out_dir``: the figures of :func:`figure_names` and the tables.

    Everything is checked before the first section runs and nothing is written when a check
    fails: ``method`` and ``seed``, that ``out_dir`` can be created, and that no target exists
    (``FileExistsError`` unless ``overwrite``). ``quick``: a smoke run — 300 ms instead of 1000 ms
    for the E/I grid and the bonus, 2 bonus seeds instead of 50, lower-resolution figures (the
    grid is always whole, every section runs).
    """
    from tqdm import tqdm

    validate_run(method, seed)
    paths = check_outputs(out_dir, targets(out_dir), overwrite)
    dpi = 70 if quick else 150
    duration = QUICK_DURATION if quick else DURATION
    with tqdm(total=7, desc="neuromatch", disable=not progress, unit="section") as bar:
        def step(msg):
            bar.set_postfix_str(msg)

        step("Exercise 1.2")
        fmp = fmp_exercise(seed, method=method)
        bar.update()
        step("E/I grid (110 cells, one batched sweep)")
        grid = ei_grid(seeds=[seed], method=method, duration=duration)
        bar.update()
        step("STD/STF explorers")
        explorers = stp_explorers(EXPLORER_CASES, seed=seed, method=method)
        bar.update()
        step("g10/g1 curves")
        ratios = g_ratio_curves(method)
        bar.update()
        step("bonus (tau_ratio × seeds)")
        bon = bonus(n_seeds=QUICK_BONUS_SEEDS if quick else BONUS_SEEDS, method=method, duration=duration)
        trace = bonus_trace(BONUS_TRACE_RATIO, seed, method=method)
        bar.update()
        step("figures")
        figs = [plot_fmp_exercise(fmp), plot_ei_grid(grid)] + [plot_stp_explorer(e) for e in explorers] + [
            plot_g_ratio(ratios), plot_bonus(bon), plot_bonus_trace(trace)]
        bar.update()
        step("writing")
        written = write_outputs(out_dir, figs, paths, tables(fmp, grid, ratios, bon, trace, explorers), dpi)
        bar.update()
    return written


def _main(args: argparse.Namespace) -> int:
    paths = run_command(run_all, args, method=args.method, seed=args.seed)
    print(json.loads(next(p for p in paths if p.name == "neuromatch.json").read_text())["bonus"]["answer"])
    return 0


def add_parser(subparsers) -> argparse.ArgumentParser:
    from . import __doc__ as doc

    p = subparsers.add_parser("neuromatch", help="replay the Neuromatch synaptic-transmission tutorial "
                              "(figures and tables)", description=doc.splitlines()[0])
    add_output_arguments(p, "figures/neuromatch", "smoke run: 300 ms grid and bonus runs, 2 bonus seeds, "
                         "low-resolution figures")
    p.add_argument("--method", default="euler", choices=("euler", "exact"),
                   help="time stepping (default euler: the tutorial's)")
    p.add_argument("--seed", type=int, default=0, help="seed of the input trains, an integer in [0, 2**32-1] "
                   "(default 0)")
    p.set_defaults(func=_main)
    return p
