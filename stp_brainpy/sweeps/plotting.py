"""``stp-brainpy plot STORE``: draw one variable of a finished sweep store as a PNG.

Every check (store, variable, selections, output path) is made before anything is written; a
user error raises ``ValueError`` / ``OSError`` (the dispatcher prints one line, exit 2).
"""
from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

__all__ = ["plot_dataset", "run_plot", "check_output_dir", "axis_label", "is_log_spaced", "tick_label",
           "plot_name"]


def axis_label(da, name: str) -> str:
    """``name (units)`` from the variable's CF ``units`` attribute; dimensionless ("1") or unknown: ``name``."""
    units = str(da.attrs.get("units", "")) if da is not None else ""
    return f"{name} ({units})" if units and units != "1" else name


def is_log_spaced(values) -> bool:
    """Three or more positive values with a constant ratio (a ``start:stop:n:log`` axis) that is not 1."""
    v = np.asarray(values, dtype=float)
    if v.ndim != 1 or len(v) < 3 or not np.all(np.isfinite(v)) or np.any(v <= 0):
        return False
    steps = np.diff(np.log(v))
    return bool(abs(steps[0]) > 1e-9 and np.allclose(steps, steps[0], rtol=1e-3, atol=0)
                and not np.allclose(np.diff(v), np.diff(v)[0], rtol=1e-3))


def tick_label(value: float) -> str:
    """A tick number people read at a glance: ``200``, ``0.05``, ``1e3``, ``2.5e5`` (no ``1e+04``)."""
    v = float(value)
    short = f"{v:.3g}"
    if v == 0 or ("e" not in short and 1e-3 <= abs(v) < 1e3):
        return short
    mant, exp = f"{v:.2e}".split("e")
    mant = mant.rstrip("0").rstrip(".")
    return f"{mant}e{int(exp)}"


def _index_ticks(vals: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Tick positions (fractional indices of an index-placed heat map) and labels for coordinate ``vals``.

    A log-spaced axis gets ticks at its decades (1, 2, 5 × 10^k when fewer than two decades
    fall inside), placed by log interpolation; any other axis up to six of its own values.
    """
    if is_log_spaced(vals):
        lv = np.log10(vals.astype(float))
        lo, hi = (lv[0], lv[-1]) if lv[0] < lv[-1] else (lv[-1], lv[0])
        for mults in ((1,), (1, 2, 5), (1, 2, 3, 5)):
            cand = np.array([m * 10.0 ** k for k in range(int(np.floor(lo)) - 1, int(np.ceil(hi)) + 2) for m in mults])
            cand = cand[(np.log10(cand) >= lo - 1e-9) & (np.log10(cand) <= hi + 1e-9)]
            if len(cand) >= 2:
                break
        if len(cand) >= 2:
            pos = np.interp(np.log10(cand), lv, np.arange(len(vals))) if lv[0] < lv[-1] else \
                np.interp(np.log10(cand), lv[::-1], np.arange(len(vals))[::-1])
            return pos, [tick_label(c) for c in cand]
    ticks = np.arange(0, len(vals), max(1, -(-(len(vals) - 1) // 5)))  # evenly strided, at most six
    return ticks, [tick_label(vals[t]) if np.issubdtype(np.asarray(vals).dtype, np.number) else str(vals[t])
                   for t in ticks]


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
            notes.append(f"{dim}={float(da[dim]) if dim in da.coords else val:g}" + _unit_suffix(ds, dim))
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
            notes.append(f"{d}={float(da[d].values.ravel()[0]):g}" + _unit_suffix(ds, d))
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
        xs = da[d].values if d in da.coords else None
        if xs is not None and (is_log_spaced(xs) or is_log_spaced(np.sort(xs))):
            ax.set_xscale("log")
        ax.set_xlabel(axis_label(ds[d] if d in ds.variables else None, d))
        ax.set_ylabel(axis_label(ds[var], var))
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
                setter(*_index_ticks(np.asarray(vals)))
            ax.set_xlabel(axis_label(ds[cols] if cols in ds.variables else None, cols))
            ax.set_ylabel(axis_label(ds[rows] if rows in ds.variables else None, rows))
            if i is not None:
                v = sub[panels].item() if panels in sub.coords else i
                ax.set_title(f"{panels}={tick_label(v)}" + _unit_suffix(ds, str(panels)), fontsize=9)
        fig.colorbar(mesh, ax=list(axes[0]), label=axis_label(ds[var], var))
    fig.suptitle(f"{var}" + (f"  ({', '.join(notes)})" if notes else ""), fontsize=9)
    return fig


def _unit_suffix(ds, name: str) -> str:
    units = str(ds[name].attrs.get("units", "")) if name in ds.variables else ""
    return f" {units}" if units and units != "1" else ""


def plot_name(var: str, sel_items=()) -> str:
    """Default file name of a plot: the variable, then each ``--sel`` as given (``plot_efficacy_rate-20.png``),
    so plots of different selections sit side by side."""
    parts = [f"plot_{var}"]
    for item in sel_items:
        dim, _, val = item.partition("=")
        try:
            val = tick_label(float(val)).replace("+", "")
        except ValueError:
            pass
        parts.append(f"{dim}-{val}")
    return "_".join(parts) + ".png"


def _plot_target(args, var: str) -> Path:
    default = plot_name(var, args.sel or ())
    out = args.out or ((args.store.parent if args.store.is_file() else args.store) / default)
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
    sel = _parse_sel(ds, args.sel or ())  # checked before the name is built from it
    out = _plot_target(args, var)
    fig = plot_dataset(ds, var, sel)
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
