"""What a sweep records about itself: the fingerprint that names its result, and the versions.

The fingerprint hashes everything that determines the numbers (the run's and reducer's
code, the grid, the seeds, static arguments, output labels and shapes, parameter
dtypes), so a store can tell "the same sweep, resume it" from "a different sweep,
refuse". Attributes and the short ``describe`` dict are what a person reads.
"""
from __future__ import annotations

import functools
import hashlib
import inspect
import json
from typing import Any, Callable, Mapping

import jax
import numpy as np

from .grids import Grid

__all__ = ["versions", "callable_id", "jsonable", "sweep_fingerprint", "describe", "result_attrs", "FORMAT"]

FORMAT = "stp-brainpy-sweep/1"

_CALLABLE_IDS: dict = {}


def callable_id(fn: Callable | None) -> str:
    """``module.qualname:sha(source)`` (plus a partial's arguments): changes when the code does."""
    try:
        return _CALLABLE_IDS[fn]
    except (KeyError, TypeError):
        pass
    ident = _callable_id_uncached(fn)
    try:
        if len(_CALLABLE_IDS) > 256:
            _CALLABLE_IDS.clear()
        _CALLABLE_IDS[fn] = ident
    except TypeError:  # unhashable callable
        pass
    return ident


def _callable_id_uncached(fn: Callable | None) -> str:
    if fn is None:
        return "None"
    fn0 = getattr(fn, "func", fn)  # functools.partial
    ident = f"{getattr(fn0, '__module__', '?')}.{getattr(fn0, '__qualname__', type(fn0).__name__)}"
    try:
        src = inspect.getsource(fn0)
        ident += ":" + hashlib.sha256(src.encode()).hexdigest()[:16]
    except (OSError, TypeError):
        pass
    if fn0 is not fn:
        ident += f"|args={jsonable(getattr(fn, 'args', ()))}|kw={jsonable(getattr(fn, 'keywords', {}))}"
    return ident


def jsonable(obj: Any) -> str:
    """Stable JSON text of ``obj``; arrays by dtype, shape and a hash of their bytes."""
    def default(o):
        if isinstance(o, (np.ndarray, jax.Array)):
            a = np.asarray(o)
            return {"dtype": str(a.dtype), "shape": list(a.shape), "sha": hashlib.sha256(a.tobytes()).hexdigest()[:16]}
        if isinstance(o, (np.generic,)):
            return o.item()
        return repr(o)

    return json.dumps(obj, sort_keys=True, default=default)


@functools.lru_cache(maxsize=None)
def _dist_versions() -> tuple[tuple[str, str], ...]:
    from importlib import metadata

    out = []
    for dist in ("stp-brainpy", "jax", "jaxlib", "numpy", "xarray", "brainpy", "netCDF4"):
        try:
            out.append((dist, metadata.version(dist)))
        except metadata.PackageNotFoundError:  # e.g. the source tree on PYTHONPATH, not installed
            if dist == "stp-brainpy":
                from .. import __version__

                out.append((dist, __version__))
            else:
                out.append((dist, "absent"))
    return tuple(out)


def versions() -> dict[str, str]:
    """Versions of this package and the numerical stack (recorded in every result)."""
    out = dict(_dist_versions())
    out["x64"] = str(jax.dtypes.canonicalize_dtype(np.float64) == np.float64)
    return out


def sweep_fingerprint(run: Callable, reduce: Callable | None, grid: Grid, seed_arr: np.ndarray | None,
                      static: Mapping[str, Any], out_dims: Mapping, coords: Mapping, out_struct: Mapping,
                      dtypes: Mapping[str, Any]) -> str:
    """SHA-256 naming one sweep's result: equal fingerprints mean equal numbers."""
    return hashlib.sha256("|".join([
        FORMAT, callable_id(run), callable_id(reduce), grid.fingerprint(),
        "seeds=" + ("None" if seed_arr is None else hashlib.sha256(seed_arr.tobytes()).hexdigest()),
        "static=" + jsonable(static), "out_dims=" + jsonable(out_dims), "coords=" + jsonable(coords),
        "outputs=" + jsonable({k: [list(s.shape), str(s.dtype)] for k, s in out_struct.items()}),
        "params=" + jsonable({k: str(np.dtype(v)) for k, v in dtypes.items()}),
    ]).encode()).hexdigest()


def describe(run: Callable, grid: Grid, seed_arr: np.ndarray | None, static: Mapping[str, Any]) -> dict:
    """The parts of a sweep a person compares when a store refuses a different sweep."""
    return {
        "run": callable_id(run).split(":")[0],
        "grid": grid.describe(),
        "seeds": None if seed_arr is None else seed_arr.tolist()[:64],
        "static": jsonable(static),
    }


def result_attrs(run: Callable, grid: Grid, seed_arr: np.ndarray | None, static: Mapping[str, Any],
                 fingerprint: str, csize: int, n_dev: int) -> dict:
    """Attributes of the labeled result (netCDF-safe scalars and strings)."""
    attrs = {
        "sweep_fingerprint": fingerprint,
        "run": callable_id(run).split(":")[0],
        "grid_kind": grid.kind,
        "grid": grid.describe(),
        "parameters": ",".join(grid.names),
        "static": jsonable(static),
        "seeded": int(seed_arr is not None),
        "chunk_size": int(csize),
        "n_devices": int(n_dev),
        "platform": jax.devices()[0].platform,
    }
    if grid.kind == "random":
        attrs["random_samples_seed"] = int(grid.meta.get("seed", 0))
    for k, v in versions().items():
        attrs[f"version_{k}"] = v
    return attrs
