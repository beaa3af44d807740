"""Compiled chunk runners: one ``jit(vmap(one setting))`` per chunk, batch axis over a 1-D mesh.

Runners and traced output shapes are cached per (run, reduce, static arguments, dtypes,
layout), so repeating a sweep neither retraces nor recompiles.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from .grids import SEED_DIM, Grid

__all__ = ["Runner", "clear_cache", "cached", "RUNNERS", "SPECS"]

RUNNERS: dict = {}  # compiled runners, so repeating a sweep does not recompile
SPECS: dict = {}  # output shapes of a run (jax.eval_shape), so repeating a sweep does not retrace


def clear_cache() -> None:
    """Forget compiled runners and traced output shapes (the next sweep compiles afresh)."""
    RUNNERS.clear()
    SPECS.clear()


def cached(cache: dict, key, make):
    try:
        hit = cache.get(key)
    except TypeError:  # unhashable run or reduce: no caching
        return make()
    if hit is None:
        hit = make()
        if len(cache) >= 32:
            cache.pop(next(iter(cache)))
        cache[key] = hit
    return hit


class Runner:
    """One chunk = one call of jit(vmap(one setting)), batch axis sharded over a 1-D mesh.

    Only the chunk's start index crosses from the host: the flat item indices, the
    settings (gathered from the grid's small per-axis tables) and the seeds are formed on
    the devices, each device its own shard. The last chunk is padded by repeating the last
    item, so every chunk has the same shape and there is one compilation.
    """

    def __init__(self, one: Callable, devices: Sequence[Any], grid: Grid, n_seeds: int, csize: int, n_items: int,
                 seeded: bool, compiler_options: Mapping[str, Any] | None = None):
        from jax.sharding import Mesh, NamedSharding, PartitionSpec

        self.devices = list(devices)
        self.mesh = Mesh(np.asarray(self.devices, dtype=object), ("batch",))
        self.sharding = NamedSharding(self.mesh, PartitionSpec("batch"))
        self.replicated = NamedSharding(self.mesh, PartitionSpec())
        self.multiprocess = jax.process_count() > 1
        self._tables: tuple = (None, None)  # (fingerprint, tables) of the last sweep
        names, kind, shape = grid.names, grid.kind, grid.shape
        strides = [int(np.prod(shape[i + 1:], dtype=np.int64)) for i in range(len(shape))]
        sharding = self.sharding

        def chunk(start, tables, seed_table):
            idx = start + jnp.arange(csize, dtype=jnp.int32)
            idx = jax.lax.with_sharding_constraint(jnp.minimum(idx, n_items - 1), sharding)
            setting, seed_i = idx // n_seeds, idx % n_seeds
            if kind == "product":
                params = {k: tables[k][(setting // st) % n] for k, st, n in zip(names, strides, shape)}
            else:
                params = {k: tables[k][setting] for k in names}
            if seeded:
                params[SEED_DIM] = seed_table[seed_i]
            return jax.vmap(one)(params)

        self.fn = jax.jit(chunk, in_shardings=(self.replicated, self.replicated, self.replicated),
                          out_shardings=self.sharding, compiler_options=dict(compiler_options or {}) or None)

    def tables(self, grid: Grid, dtypes: dict, seed_arr: np.ndarray | None, fingerprint: str | None = None):
        """The grid's per-axis values and the seeds, replicated on every device (once per sweep).

        With the sweep's ``fingerprint`` (which covers the grid's values and the seeds), the tables
        of the last sweep are kept and reused by a repeat of it: placing them costs more than
        running a small sweep.
        """
        if fingerprint is not None and self._tables[0] == fingerprint:
            return self._tables[1]

        def put(host):
            if not self.multiprocess:
                return jax.device_put(host, self.replicated)
            return jax.make_array_from_callback(host.shape, self.replicated, lambda idx: host[idx])

        tabs = {k: put(np.asarray(v, dtype=dtypes[k])) for k, v in grid.axes.items()}
        seeds = put(np.zeros(1, np.uint32) if seed_arr is None else seed_arr)
        if fingerprint is not None:
            self._tables = (fingerprint, (tabs, seeds))
        return tabs, seeds

    def __call__(self, start: int, tables):
        return self.fn(np.int32(start), *tables)

    def fetch(self, out) -> dict[str, np.ndarray]:
        if self.multiprocess:
            from jax.experimental import multihost_utils

            return {k: np.asarray(v) for k, v in multihost_utils.process_allgather(out, tiled=True).items()}
        return {k: np.asarray(v) for k, v in jax.device_get(out).items()}
