"""``stp-brainpy sweep MODEL ...`` and ``stp-brainpy plot STORE``.

Every flag that reaches a simulation is checked (through the model's declared parameter
ranges, the same check :func:`~stp_brainpy.sweeps.sweep` makes) before anything runs or
is written; a user error is one line ``error: ...`` on stderr and exit status 2.
"""
from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

import numpy as np

from .plotting import check_output_dir, plot_dataset, run_plot

__all__ = ["add_parser", "parse_values", "run_sweep", "run_plot", "plot_dataset", "check_output_dir"]

DESCRIPTION = """\
Run a parameter sweep into a resumable store.

Value lists: a,b,c (explicit), LO:HI:N (N evenly spaced values) or LO:HI:N:log
(N log-spaced values, positive bounds).

Examples:
  stp-brainpy sweep efficacy --U 0.05:0.9:18 --tau-f 50:1500:16:log --store eff.sweep
  stp-brainpy sweep efficacy --model markram --f 0.1,0.3 --read after --store mk.sweep
  stp-brainpy sweep efficacy --model quantal --n 5 --seeds 1000 --U 0.2,0.5 --store q.sweep
  stp-brainpy sweep chain --U 0.1,0.5 --tau-d 100:800:8 --tau-f 50,1500 --store chain.sweep
  stp-brainpy sweep cond-lif --tau-ratio 0.1:10:9:log --rate-e 5,10,20 --seeds 4 --store lif.sweep
  stp-brainpy plot eff.sweep --var efficacy --sel spike=10 --sel tau_d=200

Rerunning the same sweep command resumes an interrupted store; a finished store is
reused, and a different sweep into the same store is refused unless --overwrite.
"""
MAX_VALUES = 10**6  # per flag: LO:HI:N with a larger N is a typo, not a sweep


def parse_values(text: str) -> np.ndarray:
    """``'a,b,c'`` → those values; ``'lo:hi:n'`` → linspace; ``'lo:hi:n:log'`` → geomspace."""
    text = text.strip()
    try:
        if ":" in text:
            parts = text.split(":")
            if len(parts) not in (3, 4) or (len(parts) == 4 and parts[3] != "log"):
                raise ValueError
            lo, hi, n = float(parts[0]), float(parts[1]), int(parts[2])
            if not (1 <= n <= MAX_VALUES and math.isfinite(lo) and math.isfinite(hi)):
                raise ValueError
            if len(parts) == 4:
                if lo <= 0 or hi <= 0:
                    raise ValueError
                return np.geomspace(lo, hi, n)
            return np.linspace(lo, hi, n)
        vals = np.array([float(v) for v in text.split(",") if v.strip()])
        if vals.size == 0 or np.isnan(vals).any():
            raise ValueError
        return vals
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"cannot read values {text!r}: give 'a,b,c' or 'lo:hi:n' (finite bounds, 1 <= n <= {MAX_VALUES}) "
            "or 'lo:hi:n:log' (positive bounds)"
        ) from None


# model name -> (parameters with default value lists, help)
MODELS = {
    "efficacy": ({"U": "0.05:0.9:18", "tau_d": "200", "tau_f": "50:1500:16:log", "rate": "20"},
                 "event-driven STP efficacies of the first --n-spikes spikes (regular or Poisson train) for one "
                 "model of the family (--model tm, markram, tm3 or quantal)"),
    "chain": ({"U": "0.15", "tau_d": "50:800:16:log", "tau_f": "50:1500:16:log", "tau_s": "8"},
              "the homework's time-stepped pre-LIF → TM synapse chain, reduced to summaries on the device"),
    "cond-lif": ({"tau_ratio": "0.1:10:9:log", "rate_E": "10", "rate_I": "15"},
                 "the Neuromatch conductance LIF with STP on every input (rate, CV_ISI, free membrane potential)"),
}


def add_parser(subparsers) -> None:
    """Register ``sweep`` and ``plot`` on the dispatcher's sub-parsers."""
    # the dispatcher's parser class turns argparse's errors into one line (stp_brainpy.cli)
    p = subparsers.add_parser("sweep", help="run a parameter sweep into a resumable store", description=DESCRIPTION,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    models = p.add_subparsers(dest="model", required=True, metavar="MODEL")
    for name, (params, help_) in MODELS.items():
        m = models.add_parser(name, help=help_, description=help_)
        for k, default in params.items():
            flag = f"--{k.replace('_', '-')}"
            flags = [flag] + ([flag.lower()] if flag.lower() != flag else [])  # --rate-E and --rate-e
            m.add_argument(*flags, dest=k, type=parse_values, default=parse_values(default),
                           metavar="VALUES", help=f"values of {k} (default {default})")
        if name == "efficacy":
            m.add_argument("--n-spikes", type=int, default=10, help="spikes per train, >= 1 (default 10)")
            m.add_argument("--train", choices=("regular", "poisson"), default="regular")
            _add_family_flags(m)
        if name == "chain":
            m.add_argument("--duration", type=float, default=150.0, help="ms, > 0 (default 150)")
            m.add_argument("--dt", type=float, default=0.1, help="ms, > 0 (default 0.1)")
        if name == "cond-lif":
            m.add_argument("--duration", type=float, default=1000.0, help="ms, > 0 (default 1000)")
        m.add_argument("--seeds", type=int, default=None, help="number of seeds 0..N-1 (adds a 'seed' dimension)")
        m.add_argument("--store", required=True, type=Path, help="store directory (resumable)")
        m.add_argument("--overwrite", action="store_true", help="replace a store made by a different sweep")
        m.add_argument("--chunk-size", type=int, default=None, help="settings per compiled call, >= 1")
        m.add_argument("--memory-budget", type=float, default=None,
                       help="MiB per chunk (default 32 on CPU, up to 256 per accelerator)")
        m.add_argument("--no-progress", action="store_true", help="hide the progress bar")
        m.add_argument("--x64", action="store_true", help="compute in float64")
        m.add_argument("--cpu-devices", type=int, default=None,
                       help="on CPU, split the batch over this many host devices, >= 1 (default: one per core; "
                            "a single CPU device runs a time-stepped loop on one core)")
        m.set_defaults(func=run_sweep)

    q = subparsers.add_parser(
        "plot", help="draw a finished sweep store (heat map for 2-D, lines for 1-D)",
        description="Draw one variable of a finished sweep store as a PNG: a heat map over two varying "
                    "dimensions, lines over one.")
    q.add_argument("store", type=Path, help="store directory (or its result.nc)")
    q.add_argument("--var", default=None, help="output variable (default: the first)")
    q.add_argument("--sel", action="append", default=[], metavar="DIM=VALUE",
                   help="fix a dimension at the nearest value (repeatable); seeds are averaged, "
                        "other extra dimensions are fixed at their last entry unless selected")
    q.add_argument("--out", type=Path, default=None, help="PNG path (default STORE/plot_<var>[_<dim>-<value>...].png, one part per --sel)")
    q.add_argument("--overwrite", action="store_true", help="replace an existing PNG")
    q.set_defaults(func=run_plot)


# flags of one variant only: flag -> (dest, the model it belongs to)
FAMILY_FLAGS = {"--f": ("f", "markram"), "--read": ("read", "markram"), "--tau-psc": ("tau_psc", "tm3"),
                "--n": ("n", "quantal")}


def _add_family_flags(m) -> None:
    m.add_argument("--model", dest="stp_model", choices=("tm", "markram", "tm3", "quantal"), default="tm",
                   help="STP variant: tm (homework / NEST tsodyks2, default), markram (u relaxes to U), "
                        "tm3 (three states, NEST tsodyks), quantal (n stochastic release sites)")
    m.add_argument("--f", dest="f", type=parse_values, default=None, metavar="VALUES",
                   help="markram: facilitation increment in [0, 1] (default: f = U)")
    m.add_argument("--read", choices=("before", "after"), default=None,
                   help="markram: efficacy read before (default) or after the jump of u")
    m.add_argument("--tau-psc", dest="tau_psc", type=parse_values, default=None, metavar="VALUES",
                   help="tm3: inactivation time in ms, [0, inf] (default 3)")
    m.add_argument("--n", dest="n", type=int, default=None,
                   help="quantal: release sites, >= 1 (default 1); needs --seeds (one trial per seed)")


def _efficacy(args):
    from . import models

    for flag, (dest, owner) in FAMILY_FLAGS.items():
        if getattr(args, dest) is not None and args.stp_model != owner:
            raise ValueError(f"{flag} applies to --model {owner} only; got --model {args.stp_model}")
    if args.stp_model == "quantal" and args.seeds is None:
        raise ValueError("--model quantal draws one stochastic trial per seed: give --seeds N")
    grid_axes = dict(U=args.U, tau_d=args.tau_d, tau_f=args.tau_f, rate=args.rate)
    static: dict = dict(n_spikes=args.n_spikes, train=args.train)
    for dest in ("f", "tau_psc"):
        if getattr(args, dest) is not None:
            grid_axes[dest] = getattr(args, dest)
    if args.read is not None:
        static["read"] = args.read
    if args.n is not None:
        static["n"] = args.n
    coords = {"spike": np.arange(1, args.n_spikes + 1)} if args.n_spikes >= 1 else None
    dims = models.QUANTAL_DIMS if args.stp_model == "quantal" else models.EFFICACY_DIMS
    return models.efficacy_model(args.stp_model), grid_axes, static, dims, coords


def _build(args):
    """(run, grid axes, static, out_dims, coords) of the chosen model."""
    from . import models

    if args.model == "efficacy":
        return _efficacy(args)
    if args.model == "chain":
        grid_axes = dict(U=args.U, tau_d=args.tau_d, tau_f=args.tau_f, tau_s=args.tau_s)
        return models.chain_summary, grid_axes, dict(duration=args.duration, dt=args.dt), None, None
    grid_axes = dict(tau_ratio=args.tau_ratio, rate_E=args.rate_E, rate_I=args.rate_I)
    return models.cond_lif_stp, grid_axes, dict(duration=args.duration), None, None


def _at_least_one(flag: str, value) -> None:
    if value is not None and value < 1:
        raise ValueError(f"{flag} must be >= 1; got {value}")


def _prepare(args):
    """Every check of a sweep command, before JAX starts, anything runs or anything is written."""
    from .checks import check_names, check_values
    from .grids import product
    from .storeread import check_store_path

    _at_least_one("--cpu-devices", args.cpu_devices)
    _at_least_one("--seeds", args.seeds)
    _at_least_one("--chunk-size", args.chunk_size)
    if args.memory_budget is not None and not (math.isfinite(args.memory_budget) and args.memory_budget > 0):
        raise ValueError(f"--memory-budget must be a positive number of MiB; got {args.memory_budget}")
    run, axes, static, out_dims, coords = _build(args)
    grid = product(**axes)
    check_names(run, grid, static, args.seeds is not None)
    check_values(run, grid, static)
    n_items = len(grid) * (args.seeds or 1)
    if n_items >= 2**31:
        raise ValueError(f"{n_items} settings is more than one sweep indexes (2**31); sweep fewer values")
    check_store_path(args.store)
    return run, grid, static, out_dims, coords


def run_sweep(args) -> int:
    """Raises ValueError / TypeError / OSError for a user error before anything runs or is written
    (the dispatcher prints them as one line, exit 2)."""
    run, grid, static, out_dims, coords = _prepare(args)
    _use_cpu_cores(args.cpu_devices)
    import jax

    from .engine import sweep

    if args.x64:
        jax.config.update("jax_enable_x64", True)
    budget = None if args.memory_budget is None else max(1, int(args.memory_budget * 2**20))
    try:
        ds = sweep(run, grid, seeds=args.seeds, static=static, out_dims=out_dims, coords=coords,
                   chunk_size=args.chunk_size, memory_budget=budget, store=args.store, overwrite=args.overwrite,
                   progress=not args.no_progress)
    except KeyboardInterrupt:
        done = len(list(Path(args.store).glob("chunk_*.nc"))) if Path(args.store).is_dir() else 0
        print(f"\ninterrupted: {done} finished chunk(s) kept in {args.store}; rerun the same command to resume",
              file=sys.stderr)
        return 130
    print(ds)
    seeds = f" × {args.seeds} seeds" if args.seeds else ""
    print(f"stp-brainpy sweep {args.model}: {grid.describe()}{seeds} on {len(jax.devices())} "
          f"{jax.devices()[0].platform} device(s), stored in {args.store / 'result.nc'}; draw it with: "
          f"stp-brainpy plot {args.store}", file=sys.stderr)
    return 0


def _use_cpu_cores(n: int | None) -> None:
    """Give XLA one host device per core (set before any JAX backend starts; ignored afterwards)."""
    import jax

    if "xla_force_host_platform_device_count" in os.environ.get("XLA_FLAGS", ""):
        return  # the user chose
    n = n or os.cpu_count() or 1
    try:
        jax.config.update("jax_num_cpu_devices", int(n))
    except (AttributeError, RuntimeError, ValueError):  # older jax, or backends already started
        pass


