"""Labels of a sweep's result: dimensions, coordinates and the in-memory ``xarray.Dataset``.

The flat batch (settings × seeds) is C-ordered like the grid, so reshaping it to the lead
shape (the grid's shape, then the seeds) labels it without copying.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

import numpy as np
import xarray as xr

from .grids import SEED_DIM, SETTING_DIM, Grid
from .meta import apply_attrs

__all__ = ["lead_shape", "result_coords", "full_dims", "label", "memory_sink"]


def lead_shape(grid: Grid, seed_arr: np.ndarray | None) -> tuple[int, ...]:
    """Shape of the result before each output's own axes."""
    return grid.shape + ((len(seed_arr),) if seed_arr is not None else ())


def full_dims(grid: Grid, seeded: bool, out_struct: Mapping[str, Any],
              out_dims: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Every output's dimension names: the grid's, ``seed`` if seeded, then its own."""
    lead = tuple(grid.dims) + ((SEED_DIM,) if seeded else ())
    return {k: lead + out_dims.get(k, tuple(f"{k}_dim{i}" for i in range(len(s.shape))))
            for k, s in out_struct.items()}


def result_coords(grid: Grid, seed_arr: np.ndarray | None,
                  coords: Mapping[str, Any]) -> dict[str, tuple[str, np.ndarray]]:
    """``{name: (dim, values)}``: the swept parameters, the seeds and the user's coordinates."""
    cs: dict[str, tuple[str, np.ndarray]] = {}
    if grid.kind == "product":
        cs.update({k: (k, np.asarray(v)) for k, v in grid.axes.items()})
    else:
        cs[SETTING_DIM] = (SETTING_DIM, np.arange(len(grid)))
        cs.update({k: (SETTING_DIM, np.asarray(v)) for k, v in grid.axes.items()})
    if seed_arr is not None:
        cs[SEED_DIM] = (SEED_DIM, seed_arr.astype(np.int64))
    for d, v in coords.items():
        cs[d] = (d, np.asarray(v))
    return cs


def label(flat_out: dict[str, np.ndarray], grid: Grid, seed_arr: np.ndarray | None, dims: Mapping[str, tuple],
          coords: Mapping[str, Any], attrs: Mapping[str, Any], run: Callable | None = None) -> xr.Dataset:
    """The labeled Dataset of a flat in-memory result (views, no copies), with the ``units`` and
    ``long_name`` of every variable and coordinate ``run`` declares (:mod:`.meta`)."""
    lead = lead_shape(grid, seed_arr)
    data_vars = {k: (dims[k], v.reshape(lead + v.shape[1:])) for k, v in flat_out.items()}
    ds = xr.Dataset(data_vars, coords=result_coords(grid, seed_arr, coords), attrs=dict(attrs))
    return apply_attrs(ds, run)


def memory_sink(n_items: int, csize: int, n_chunks: int, flat_out: dict) -> Callable[[int, dict], None]:
    """Collect chunk ``c``'s host outputs into ``flat_out`` (flat arrays of ``n_items``)."""
    def sink(c: int, host: dict) -> None:
        start, stop = c * csize, min((c + 1) * csize, n_items)
        for k, v in host.items():
            if n_chunks == 1:
                flat_out[k] = v if v.flags.writeable else v.copy()  # the whole result: no second copy
            else:
                flat_out.setdefault(k, np.empty((n_items,) + v.shape[1:], v.dtype))[start:stop] = v
    return sink
