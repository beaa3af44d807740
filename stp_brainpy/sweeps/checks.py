"""Checks of a ``sweep(...)`` call, all made before anything is traced, run or written.

Names (grid, static, seeds against the run's signature), option types, the seeds, and the
concrete parameter values against the model's declared ranges (:mod:`.params`).
"""
from __future__ import annotations

import inspect
import os
from typing import Any, Callable, Mapping

import jax.numpy as jnp
import numpy as np

from .grids import SEED_DIM, SETTING_DIM, Grid, product
from .params import check_call_values

__all__ = ["accepted_names", "normalise_seeds", "check_names", "param_dtype", "check_options", "as_grid",
           "check_values", "MAX_ITEMS"]

MAX_ITEMS = 2**31  # flat item indices are int32 on the devices


def accepted_names(run: Callable) -> tuple[set[str] | None, set[str]]:
    """(accepted keyword names or None for **kwargs, required names without defaults)."""
    try:
        sig = inspect.signature(run)
    except (TypeError, ValueError):  # builtins / C functions: cannot check
        return None, set()
    accepted, required, var_kw = set(), set(), False
    for p in sig.parameters.values():
        if p.kind == p.VAR_KEYWORD:
            var_kw = True
        elif p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
            accepted.add(p.name)
            if p.default is p.empty:
                required.add(p.name)
    return (None if var_kw else accepted), required


def normalise_seeds(seeds: Any) -> np.ndarray | None:
    """None, a count n (seeds 0..n-1) or distinct integers in [0, 2**32) → uint32 array."""
    if seeds is None:
        return None
    if isinstance(seeds, (bool, np.bool_)):
        raise TypeError(f"seeds must be None, a count or a list of integers; got {seeds!r}")
    if isinstance(seeds, (int, np.integer)):
        if seeds < 1:
            raise ValueError(f"seeds=int means 'this many seeds (0..n-1)' and must be >= 1; got {seeds}")
        if seeds > 2**32:
            raise ValueError(f"seeds={seeds} is more seeds than uint32 holds (2**32)")
        return np.arange(int(seeds), dtype=np.uint32)
    if isinstance(seeds, (str, bytes, float, complex, np.floating)):
        raise TypeError(f"seeds must be None, a count or a list of integers; got {seeds!r}")
    arr = np.asarray(seeds)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"seeds must be None, a count, or a non-empty 1-D list of integers; got {seeds!r}")
    if arr.dtype.kind not in "iu":
        raise TypeError(f"seeds must be integers; got {seeds!r}")
    if np.any(arr < 0) or np.any(arr >= 2**32):
        raise ValueError(f"seeds must be integers in [0, 2**32); got {seeds!r}")
    if len(np.unique(arr)) != arr.size:
        raise ValueError(f"seeds must be distinct; got {seeds!r}")
    return arr.astype(np.uint32)


def as_grid(grid: Any) -> Grid:
    if isinstance(grid, Mapping):
        return product(**grid)
    if not isinstance(grid, Grid):
        raise TypeError(f"grid must come from product(), zipped() or random_samples() (or be a dict of axes); "
                        f"got {type(grid).__name__}")
    return grid


def check_names(run: Callable, grid: Grid, static: Mapping[str, Any], seeded: bool) -> None:
    overlap = set(grid.names) & set(static)
    if overlap:
        raise ValueError(f"parameters given both in the grid and in static: {sorted(overlap)}")
    if SEED_DIM in grid.names or SEED_DIM in static:
        raise ValueError("'seed' is reserved: give seeds with sweep(..., seeds=...)")
    if SETTING_DIM in grid.names:
        raise ValueError(f"parameter name {SETTING_DIM!r} is reserved for zipped/random grids")
    bad = [k for k in static if not isinstance(k, str) or not k.isidentifier()]
    if bad:
        raise TypeError(f"static keys must be parameter names; got {bad!r}")
    accepted, required = accepted_names(run)
    given = set(grid.names) | set(static) | ({SEED_DIM} if seeded else set())
    name = getattr(run, "__name__", repr(run))
    if accepted is not None:
        unknown = given - accepted
        if unknown:
            raise ValueError(
                f"unknown parameter name(s) {sorted(unknown)} for {name}(); it accepts {sorted(accepted)}"
            )
    missing = required - given
    if missing:
        hint = " (pass seeds=... to the sweep)" if SEED_DIM in missing else ""
        raise ValueError(f"{name}() needs parameter(s) {sorted(missing)} that the sweep does not give{hint}")


def check_values(run: Callable, grid: Grid, static: Mapping[str, Any]) -> None:
    """The grid's values and the static arguments against ``run``'s declared ranges (if any)."""
    check_call_values(run, grid.axes, static, grid.kind == "product")


def param_dtype(values: np.ndarray):
    if values.dtype.kind == "b":
        return jnp.bool_
    if values.dtype.kind in "iu":
        return jnp.result_type(int)
    return jnp.result_type(float)


def _callable_or_none(name: str, value: Any) -> None:
    if value is not None and not callable(value):
        raise TypeError(f"{name} must be callable or None; got {value!r}")


def _mapping_or_none(name: str, value: Any) -> dict:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict or None; got {type(value).__name__}")
    return dict(value)


def _flag(name: str, value: Any) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {value!r}")


def check_options(run, *, static, out_dims, coords, chunk_size, memory_budget, max_result_bytes, reduce, store,
                  overwrite, devices, progress, callback, compiler_options):
    """Types and ranges of ``sweep``'s options; returns (static, out_dims, coords, devices) normalised."""
    from .planning import check_budget

    if not callable(run):
        raise TypeError(f"run must be a function of one setting; got {run!r}")
    _callable_or_none("reduce", reduce)
    _callable_or_none("callback", callback)
    static = _mapping_or_none("static", static)
    raw_dims = _mapping_or_none("out_dims", out_dims)
    out_dims = {}
    for k, v in raw_dims.items():
        if isinstance(v, str) or not all(isinstance(d, str) for d in np.atleast_1d(np.asarray(v, dtype=object))):
            raise TypeError(f"out_dims[{k!r}] must be a tuple of dimension names; got {v!r}")
        out_dims[k] = tuple(v)
    coords = _mapping_or_none("coords", coords)
    for d, v in coords.items():
        arr = np.asarray(v)
        if arr.ndim != 1:
            raise ValueError(f"coords[{d!r}] must be 1-D; got shape {arr.shape}")
    _mapping_or_none("compiler_options", compiler_options)
    if chunk_size is not None:
        if isinstance(chunk_size, (bool, np.bool_)) or not isinstance(chunk_size, (int, np.integer)):
            raise TypeError(f"chunk_size must be a positive integer; got {chunk_size!r}")
        if chunk_size < 1:
            raise ValueError(f"chunk_size must be >= 1; got {chunk_size}")
    if memory_budget is not None:
        check_budget("memory_budget", memory_budget)
    if max_result_bytes is not None:
        check_budget("max_result_bytes", max_result_bytes)
    if store is not None and not isinstance(store, (str, os.PathLike)):
        raise TypeError(f"store must be a directory path; got {store!r}")
    if store is not None and str(store) == "":
        raise ValueError("store must be a directory path; got ''")
    _flag("overwrite", overwrite)
    if progress is not None:  # None: the default (no bar)
        _flag("progress", progress)
    if devices is not None:
        devices = list(devices)
        if not devices:
            raise ValueError("devices is empty")
    return static, out_dims, coords, devices
