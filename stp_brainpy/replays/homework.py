"""The BrainPy STP homework, replayed: eight settings, one compiled batched run, figures and tables.

The homework drives a LIF (brainmodels defaults) with a constant input of 28 for 150 ms and
sends its spikes through one Tsodyks–Markram synapse (τs = 8 ms, A = 1), once per setting
below. Here all eight run in ONE compiled call (the sweep engine, :func:`stp_brainpy.sweeps.sweep`,
over :func:`stp_brainpy.core.circuits.lif_stp_chain`); each gets the homework's figure (u and x
above, I below, time in ms) and a row of the efficacy tables.

>>> from stp_brainpy.replays import homework
>>> res = homework.simulate()
>>> res["I"].shape                      # (settings, steps)
(8, 1500)
>>> rows = homework.summarize(res)
>>> rows[0]["name"], rows[0]["n_spikes"]
('STD', 10)
"""
from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence

import jax
import numpy as np

from ..core.circuits import lif_stp_chain, n_steps
from ..core.lif import LIFParams
from ..core.stp import steady_state, validate_stp_params
from ..core.validation import check_method, check_range
from ..sweeps import sweep, zipped
from ..units import accepts_units
from .plotting import add_output_arguments, check_outputs, clean_floats, csv_text, run_command, write_outputs

__all__ = ["Setting", "SETTINGS", "MAX_DT", "validate_run", "simulate", "summarize", "plot_setting", "figure_names",
           "table_names", "targets", "run_all", "add_parser"]


@accepts_units(U="1", tau_d="ms", tau_f="ms")
@dataclass(frozen=True)
class Setting:
    """One homework run: release increment ``U`` and time constants (ms), and what it shows."""

    name: str
    U: float
    tau_d: float
    tau_f: float
    claim: str


SETTINGS: tuple[Setting, ...] = (
    Setting("STD", 0.2, 150.0, 2.0, "depression dominates: x is used up faster than it recovers, "
            "so each spike releases less"),
    Setting("STF", 0.1, 10.0, 100.0, "facilitation dominates: u accumulates (tau_f large) while x recovers "
            "quickly (tau_d small), so release grows and stays high"),
    Setting("U1", 0.05, 150.0, 2.0, "small U: little is used per spike, release stays regular for long"),
    Setting("U2", 0.8, 150.0, 2.0, "large U: the first spike uses most resources, sustained release is "
            "strongly suppressed"),
    Setting("tau_d1", 0.2, 1.0, 2.0, "tau_d = 1 ms: x is back at 1 before the next spike, no depression"),
    Setting("tau_d2", 0.2, 600.0, 2.0, "tau_d = 600 ms: x recovers slowly, depression is deeper"),
    Setting("tau_f1", 0.2, 150.0, 0.5, "tau_f = 0.5 ms: u is back at 0 before the next spike, no facilitation"),
    Setting("tau_f2", 0.2, 150.0, 100.0, "tau_f = 100 ms: u decays slowly and accumulates over spikes"),
)

TAU_S = 8.0       # ms, the current's decay (brainmodels default)
A = 1.0
CURRENT = 28.0    # constant input to the presynaptic LIF
DURATION = 150.0  # ms
# The step must resolve the presynaptic LIF's refractory period: above it the spike train is no longer
# the homework's (already at dt = 0.5 ms one of the ten spikes falls out of the 150 ms window).
MAX_DT = LIFParams().tau_ref


@accepts_units(dt="ms", duration="ms", current="mV", tau_s="ms", A="1")
def validate_run(settings: Sequence[Setting] = SETTINGS, dt: float = 0.1, method: str = "exact",
             duration: float = DURATION, current: float = CURRENT, tau_s: float = TAU_S, A: float = A) -> None:
    """Refuse (``ValueError``/``TypeError`` naming the parameter) what :func:`simulate` cannot replay.

    ``dt`` in (0, :data:`MAX_DT`] ms, and with ``method='euler'`` below every time constant (forward
    Euler of a decay with dt ≥ τ overshoots); ``duration`` ≥ dt; finite ``current``, ``A``.
    """
    check_method(method)
    check_range("dt", dt, 0.0, MAX_DT, low_open=True, unit="ms (the LIF's refractory period bounds it)")
    check_range("duration", duration, dt, None, unit="ms (at least one step)")
    if not np.isfinite(duration):
        raise ValueError(f"duration must be finite; got {duration}")
    for name, val in (("current", current), ("A", A)):
        check_range(name, val, None, None)
        if not np.all(np.isfinite(val)):
            raise ValueError(f"{name} must be finite; got {val}")
    if not settings:
        raise ValueError("settings must hold at least one Setting; got none")
    U = np.array([s.U for s in settings], float)
    tau_d = np.array([s.tau_d for s in settings], float)
    tau_f = np.array([s.tau_f for s in settings], float)
    validate_stp_params(U=U, tau_f=tau_f, tau_d=tau_d, tau_s=tau_s, dt=dt, method=method)
    if method == "euler":
        shortest = float(min(tau_d.min(), tau_f.min(), tau_s))
        if dt >= shortest:
            raise ValueError(f"dt must be below every time constant with method='euler' (shortest: "
                             f"{shortest:g} ms); got {dt:g}")


def _fast_compile() -> dict:
    # The run takes milliseconds and compiling dominates: LLVM's -O0 halves the compile time on
    # CPU with no measurable cost to this small, memory-bound loop.
    return {"xla_backend_optimization_level": 0} if jax.default_backend() == "cpu" else {}


def _chain_without_V(U, tau_f, tau_d, tau_s, A, *, current, duration, dt, method):
    # the replay never uses V: leaving it out lets XLA drop one stacked trace (shorter compile)
    trace = lif_stp_chain(U, tau_f=tau_f, tau_d=tau_d, tau_s=tau_s, A=A, current=current, duration=duration, dt=dt, method=method)
    return {k: v for k, v in trace._asdict().items() if k != "V"}


@accepts_units(dt="ms", duration="ms", current="mV", tau_s="ms", A="1")
def simulate(settings: Sequence[Setting] = SETTINGS, dt: float = 0.1, method: str = "exact",
             duration: float = DURATION, current: float = CURRENT, tau_s: float = TAU_S, A: float = A) -> dict:
    """Run every setting in one compiled, batched call.

    Returns NumPy arrays: ``t`` (steps,) in ms and ``u``, ``x``, ``I``, ``efficacy``, ``spike`` of
    shape (settings, steps), plus the ``settings`` and run parameters.
    """
    validate_run(settings, dt, method, duration, current, tau_s, A)
    U = np.array([s.U for s in settings], float)
    tau_d = np.array([s.tau_d for s in settings], float)
    tau_f = np.array([s.tau_f for s in settings], float)
    b = len(settings)
    ds = sweep(_chain_without_V, zipped(U=U, tau_f=tau_f, tau_d=tau_d, tau_s=np.full(b, float(tau_s)),
                                        A=np.full(b, float(A))),
               static=dict(current=float(current), duration=float(duration), dt=float(dt), method=method),
               out_dims={k: ("time",) for k in ("u", "x", "I", "efficacy", "spike")},
               compiler_options=_fast_compile())
    out = {k: ds[k].values for k in ("u", "x", "I", "efficacy", "spike")}
    out["t"] = np.arange(n_steps(duration, dt)) * dt
    out.update(settings=tuple(settings), dt=dt, method=method, tau_s=tau_s, A=A, current=current)
    return out


def summarize(result: dict) -> list[dict]:
    """Per setting: spike times, per-spike efficacy u⁺x⁻, u⁺, x⁻, peak I, counts, closed-form e∞."""
    rows = []
    t = result["t"]
    for k, s in enumerate(result["settings"]):
        spk = result["spike"][k].astype(bool)
        eff = result["efficacy"][k][spk]
        u_plus = result["u"][k][spk]
        x_minus = result["x"][k][spk] + eff
        times = t[spk]
        isi = float(np.mean(np.diff(times))) if times.size > 1 else float("nan")
        e_inf = float(steady_state(s.U, tau_f=s.tau_f, tau_d=s.tau_d, isi=isi)[2]) if times.size > 1 else float("nan")
        i_peak = int(np.argmax(result["I"][k]))
        rows.append(dict(
            name=s.name, U=s.U, tau_d=s.tau_d, tau_f=s.tau_f, n_spikes=int(spk.sum()),
            spike_times=[float(v) for v in times], efficacy=[float(v) for v in eff],
            u_plus=[float(v) for v in u_plus], x_minus=[float(v) for v in x_minus],
            efficacy_first=float(eff[0]) if eff.size else 0.0, efficacy_last=float(eff[-1]) if eff.size else 0.0,
            peak_I=float(result["I"][k][i_peak]), peak_I_time=float(t[i_peak]), mean_isi=isi, e_inf=e_inf,
        ))
    return rows


def plot_setting(result: dict, k: int):
    """The homework's figure for setting ``k``: u and x above, I below (``get_figure(2, 1, 3, 7)``)."""
    import brainpy as bp
    import matplotlib.pyplot as plt

    s = result["settings"][k]
    t = result["t"]
    fig, gs = bp.visualize.get_figure(2, 1, 3, 7)
    ax = fig.add_subplot(gs[0, 0])
    ax.plot(t, result["u"][k], label="u")
    ax.plot(t, result["x"][k], label="x")
    ax.set_title(f"{s.name}: U={s.U:g}, $\\tau_d$={s.tau_d:g} ms, $\\tau_f$={s.tau_f:g} ms")
    ax.legend()
    ax = fig.add_subplot(gs[1, 0])
    ax.plot(t, result["I"][k], label="I")
    ax.legend()
    plt.xlabel("Time (ms)")
    return fig


def figure_names(settings: Sequence[Setting] = SETTINGS) -> list[str]:
    return [f"{s.name}.png" for s in settings]


def table_names() -> list[str]:
    return ["homework_spikes.csv", "homework_summary.csv", "homework.json"]


def targets(out_dir, quick: bool = False) -> list[Path]:
    """Every file :func:`run_all` writes into ``out_dir`` (the ``all`` command checks them up front)."""
    return [Path(out_dir) / n for n in figure_names(SETTINGS) + table_names()]


SUMMARY_FIELDS = ("name", "U", "tau_d", "tau_f", "n_spikes", "efficacy_first", "efficacy_last", "peak_I",
                  "peak_I_time", "mean_isi", "e_inf")


def tables(rows: list[dict], result: dict) -> dict[str, str]:
    """File name → text of the spike table (long), the summary table and the JSON of both."""
    spikes = [(r["name"], i + 1, t, e, u, x) for r in rows
              for i, (t, e, u, x) in enumerate(zip(r["spike_times"], r["efficacy"], r["u_plus"], r["x_minus"]))]
    summary = [tuple(r[f] for f in SUMMARY_FIELDS) for r in rows]
    meta = dict(dt=result["dt"], method=result["method"], tau_s=result["tau_s"], A=result["A"],
                current=result["current"], duration=float(result["t"][-1] + result["dt"]),
                settings=[asdict(s) for s in result["settings"]])
    names = table_names()
    return {
        names[0]: csv_text(("setting", "spike", "t_ms", "efficacy", "u_plus", "x_minus"), spikes),
        names[1]: csv_text(SUMMARY_FIELDS, summary),
        names[2]: json.dumps(clean_floats(dict(run=meta, settings=rows)), indent=1) + "\n",
    }


@accepts_units(dt="ms")
def run_all(out_dir, overwrite: bool = False, quick: bool = False, progress: bool = False, dt: float = 0.1,
            method: str = "exact") -> list[Path]:
    """Replay the homework into ``out_dir``: eight PNG figures and the tables; returns the paths written.

    Everything is checked before the simulation starts and nothing is written when a check fails:
    the parameters (:func:`validate_run`), that ``out_dir`` can be created, and that no target exists
    (``FileExistsError`` unless ``overwrite``). ``quick`` only lowers the figure resolution (the
    simulation itself takes well under a second).
    """
    from tqdm import tqdm

    settings = SETTINGS
    validate_run(settings, dt, method)
    paths = check_outputs(out_dir, targets(out_dir, quick), overwrite)
    with tqdm(total=len(settings) + 2, desc="homework", disable=not progress, unit="step") as bar:
        bar.set_postfix_str("simulating 8 settings (one compiled call)")
        result = simulate(settings, dt=dt, method=method)
        bar.update()
        bar.set_postfix_str("figures and tables")
        figures = (plot_setting(result, k) for k in range(len(settings)))
        return write_outputs(out_dir, figures, paths, tables(summarize(result), result), 80 if quick else 150, bar)


def _main(args: argparse.Namespace) -> int:
    run_command(run_all, args, dt=args.dt, method=args.method)
    return 0


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("homework", help="replay the BrainPy STP homework (8 settings, figures, tables)",
                              description=__doc__.splitlines()[0])
    add_output_arguments(p, "figures/homework", "lower-resolution figures")
    p.add_argument("--dt", type=float, default=0.1, help="time step in ms (default 0.1)")
    p.add_argument("--method", default="exact", choices=("exact", "euler"), help="time stepping (default exact)")
    p.set_defaults(func=_main)
    return p
