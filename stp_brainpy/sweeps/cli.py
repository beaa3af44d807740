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

__all__ = ["add_parser", "parse_values", "run_sweep", "run_plot", "plot_dataset"]

DESCRIPTION = """\
Run a parameter sweep into a resumable store.

Value lists: a,b,c (explicit), LO:HI:N (N evenly spaced values) or LO:HI:N:log
(N log-spaced values, positive bounds).

Examples:
  stp-brainpy sweep efficacy --U 0.05:0.9:18 --tau-f 50:1500:16:log --store eff.sweep
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
                 "event-driven STP efficacies of the first --n-spikes spikes (regular or Poisson train)"),
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
    q.add_argument("--out", type=Path, default=None, help="PNG path (default STORE/plot_<var>.png)")
    q.add_argument("--overwrite", action="store_true", help="replace an existing PNG")
    q.set_defaults(func=run_plot)


def _build(args):
    """(run, grid axes, static, out_dims, coords) of the chosen model."""
    from . import models

    if args.model == "efficacy":
        grid_axes = dict(U=args.U, tau_d=args.tau_d, tau_f=args.tau_f, rate=args.rate)
        static = dict(n_spikes=args.n_spikes, train=args.train)
        coords = {"spike": np.arange(1, args.n_spikes + 1)} if args.n_spikes >= 1 else None
        return models.stp_efficacy, grid_axes, static, models.EFFICACY_DIMS, coords
    if args.model == "chain":
        grid_axes = dict(U=args.U, tau_d=args.tau_d, tau_f=args.tau_f, tau_s=args.tau_s)
        return models.chain_summary, grid_axes, dict(duration=args.duration, dt=args.dt), None, None
    grid_axes = dict(tau_ratio=args.tau_ratio, rate_E=args.rate_E, rate_I=args.rate_I)
    return models.cond_lif_stp, grid_axes, dict(duration=args.duration), None, None


def _at_least_one(flag: str, value) -> None:
    if value is not None and value < 1:
        raise ValueError(f"{flag} must be >= 1; got {value}")


def check_output_dir(path: Path, what: str) -> None:
    """Refuse a path that cannot become a directory (a file, a non-directory or unwritable parent); creates nothing."""
    if path.exists():
        if not path.is_dir():
            raise ValueError(f"{what} {path} exists and is not a directory")
        if not os.access(path, os.W_OK | os.X_OK):
            raise OSError(f"{what} {path} is not writable")
        return
    parent = path.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise ValueError(f"cannot create {what} {path}: {parent} is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OSError(f"cannot create {what} {path}: {parent} is not writable")


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


def _parse_sel(ds, items) -> dict:
    """``DIM=VALUE`` items: a coordinate value (nearest is taken) or, without coordinates, an index."""
    sel = {}
    for item in items:
        if "=" not in item:
            raise ValueError(f"--sel takes DIM=VALUE; got {item!r}")
        dim, val = item.split("=", 1)
        if dim not in ds.dims:
            raise ValueError(f"--sel: unknown dimension {dim!r}; dimensions are {list(ds.dims)}")
        try:
            value = float(val)
        except ValueError:
            raise ValueError(f"--sel {dim}=VALUE needs a number; got {val!r}") from None
        if math.isnan(value):
            raise ValueError(f"--sel {dim}=VALUE needs a number; got {val!r}")
        if dim not in ds.coords:  # an index along an unlabeled dimension
            n = ds.sizes[dim]
            if not (value.is_integer() and 0 <= value < n):
                raise ValueError(f"--sel {dim}: {dim!r} has no coordinates; give an index 0..{n - 1}; got {val!r}")
        sel[dim] = value
    return sel


def plot_dataset(ds, var: str | None = None, sel: dict | None = None):
    """Figure for one variable: heat map(s) over the first two varying dims, or lines for one."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(ds.data_vars)
    var = var or names[0]
    if var not in ds.data_vars:
        raise ValueError(f"unknown variable {var!r}; the store has {names}")
    da = ds[var]
    notes = []
    for dim, val in (sel or {}).items():
        if dim in da.dims:
            da = da.sel({dim: val}, method="nearest") if dim in da.coords else da.isel({dim: int(val)})
            notes.append(f"{dim}={float(da[dim]) if dim in da.coords else val:g}")
    if "seed" in da.dims:
        da = da.mean("seed")
        notes.append("mean over seeds")
    grid_dims = [d for d in ds.attrs.get("parameters", "").split(",") if d in da.dims] or (
        ["setting"] if "setting" in da.dims else [])
    for d in [d for d in da.dims if d not in grid_dims and da.sizes[d] > 1]:
        da = da.isel({d: -1})
        notes.append(f"{d}={da[d].item() if d in da.coords else 'last'}")
    varying = [d for d in da.dims if da.sizes[d] > 1]
    for d in [d for d in da.dims if da.sizes[d] == 1]:
        if d in da.coords:
            notes.append(f"{d}={float(da[d].values.ravel()[0]):g}")
    da = da.squeeze(drop=True)
    if len(varying) == 0:
        raise ValueError(f"{var} has a single value ({float(da):g}); nothing to plot")
    if len(varying) == 1:
        fig, ax = plt.subplots(figsize=(5, 3.5), constrained_layout=True)
        d = varying[0]
        params = [p for p in ds.attrs.get("parameters", "").split(",") if p in da.coords and da[p].dims == (d,)]
        if d == "setting" and params:  # zipped / random settings: against the first parameter
            order = np.argsort(da[params[0]].values)
            ax.plot(da[params[0]].values[order], da.values[order], "o", ms=3)
            d = params[0]
        else:
            x = da[d].values if d in da.coords else np.arange(da.sizes[d])
            ax.plot(x, da.values, "o-", ms=3)
        ax.set_xlabel(d)
        ax.set_ylabel(var)
    else:
        rows, cols = varying[0], varying[1]
        panels = varying[2] if len(varying) > 2 else None
        extra = varying[3:]
        for d in extra:  # fix the rest at their middle entry
            da = da.isel({d: da.sizes[d] // 2})
            notes.append(f"{d}={da[d].item() if d in da.coords else da.sizes[d] // 2}")
        picks = [None] if panels is None else list(np.unique(np.linspace(0, da.sizes[panels] - 1, min(6, da.sizes[panels])).astype(int)))
        fig, axes = plt.subplots(1, len(picks), figsize=(4.2 * len(picks), 3.6), constrained_layout=True, squeeze=False)
        vmin, vmax = float(da.min()), float(da.max())
        for ax, i in zip(axes[0], picks):
            sub = da if i is None else da.isel({panels: i})
            sub = sub.transpose(rows, cols)
            mesh = ax.pcolormesh(np.arange(sub.sizes[cols]), np.arange(sub.sizes[rows]), sub.values, shading="nearest",
                                 vmin=vmin, vmax=vmax, cmap="viridis")
            for d, setter in ((cols, ax.set_xticks), (rows, ax.set_yticks)):
                vals = sub[d].values if d in sub.coords else np.arange(sub.sizes[d])
                ticks = np.unique(np.linspace(0, len(vals) - 1, min(6, len(vals))).astype(int))
                setter(ticks, [f"{vals[t]:.3g}" for t in ticks])
            ax.set_xlabel(cols)
            ax.set_ylabel(rows)
            if i is not None:
                v = sub[panels].item() if panels in sub.coords else i
                ax.set_title(f"{panels}={v:.3g}", fontsize=9)
        fig.colorbar(mesh, ax=list(axes[0]), label=var)
    fig.suptitle(f"{var}" + (f"  ({', '.join(notes)})" if notes else ""), fontsize=9)
    return fig


def _plot_target(args, var: str) -> Path:
    out = args.out or ((args.store.parent if args.store.is_file() else args.store) / f"plot_{var}.png")
    if out.exists() and out.is_dir():
        raise ValueError(f"--out {out} is a directory; give a PNG file path")
    if out.exists() and not args.overwrite:
        raise ValueError(f"{out} exists; pass --overwrite to replace it")
    if out.suffix.lower() != ".png":
        raise ValueError(f"--out must name a .png file; got {out}")
    check_output_dir(out.parent, "folder")
    return out


def run_plot(args) -> int:
    """Raises ValueError / TypeError / OSError for a user error before anything is written."""
    from .store import open_store

    ds = open_store(args.store)
    names = list(ds.data_vars)
    var = args.var or names[0]
    if var not in ds.data_vars:
        raise ValueError(f"unknown variable {var!r}; the store has {names}")
    out = _plot_target(args, var)
    fig = plot_dataset(ds, var, _parse_sel(ds, args.sel))
    import matplotlib.pyplot as plt

    created = out.parent
    while not created.parent.exists():
        created = created.parent
    made = not created.exists()
    tmp = out.with_name(f".{out.name}.tmp.png")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(tmp, dpi=120)
        tmp.replace(out)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        if made:  # leave no empty folder behind
            import shutil

            shutil.rmtree(created, ignore_errors=True)
        raise OSError(err.errno, f"cannot write {out}: {err.strerror or err}") from None
    finally:
        plt.close(fig)
    print(out)
    return 0
