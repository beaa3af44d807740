"""The sweep engine: one compiled, batched, sharded call per chunk of settings.

``run`` describes ONE setting (pure JAX, jittable). The engine checks the call and the
parameter values (:mod:`.checks`, :mod:`.params`), flattens grid × seeds into a batch,
cuts it into equal chunks sized to a memory budget (:mod:`.planning`), runs each chunk as
``jit(vmap(run))`` with its batch axis over a 1-D device mesh (:mod:`.runner`), and labels
the results with ``xarray`` (:mod:`.results`); with a store, chunks are written as they
finish so an interrupted sweep resumes (:mod:`.store`).

Multi-host: after ``jax.distributed.initialize()`` every process calls :func:`sweep` with
the same arguments; results are all-gathered, and only process 0 touches the store.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from .checks import MAX_ITEMS, as_grid, check_names, check_options, check_values, normalise_seeds, param_dtype
from .grids import SEED_DIM, Grid
from .planning import (DEFAULT_MEMORY_BUDGET, check_result_fits, cpu_max_items, default_memory_budget,
                       loop_carry_bytes, nbytes, plan_chunks)
from .provenance import describe, jsonable, result_attrs, sweep_fingerprint, versions
from .meta import variable_attrs
from .results import full_dims, label, lead_shape, memory_sink, result_coords
from .runner import RUNNERS, SPECS, Runner, cached
from .store import SweepStore, open_store
from .storeread import check_store_path

from ..units import NAMED, accepts_units
__all__ = ["sweep", "plan_chunks", "DEFAULT_MEMORY_BUDGET", "SEED_DIM", "versions"]

_ASSEMBLY_TRIES = 3  # recompute chunks that fail verification while assembling, this many times


@dataclass
class _Plan:
    """Everything fixed before the first chunk runs (checked, traced, fingerprinted)."""

    run: Callable
    one: Callable
    grid: Grid
    seed_arr: np.ndarray | None
    static: dict
    coords: dict
    dtypes: dict
    n_items: int
    n_seeds: int
    out_struct: dict
    dims: dict
    bytes_per_item: int
    carry_bytes: int
    fingerprint: str
    devices: list
    base_key: tuple
    compiler_options: Mapping[str, Any] | None

    seeded = property(lambda self: self.seed_arr is not None)

    def attrs(self, csize: int) -> dict:
        return result_attrs(self.run, self.grid, self.seed_arr, self.static, self.fingerprint, csize,
                            len(self.devices))

    def describe_size(self) -> str:
        seeds = f" × {self.n_seeds} seeds" if self.seeded else ""
        return f"{self.grid.describe()}{seeds}, {nbytes(self.out_struct)} bytes each"


def _plan(run, grid, *, seeds, static, out_dims, coords, reduce, devices, compiler_options) -> _Plan:
    grid = as_grid(grid)
    if len(grid) == 0:  # pragma: no cover - the constructors refuse empty axes already
        raise ValueError("the grid is empty: a sweep needs at least one setting")
    seed_arr = normalise_seeds(seeds)
    seeded = seed_arr is not None
    check_names(run, grid, static, seeded)
    check_values(run, grid, static)
    n_seeds = 1 if seed_arr is None else len(seed_arr)
    n_items = len(grid) * n_seeds
    if n_items >= MAX_ITEMS:
        raise ValueError(f"{n_items} items (settings × seeds) is more than one sweep indexes (2**31); split the grid")
    dtypes = {k: param_dtype(v) for k, v in grid.axes.items()}

    def call_run(p):
        kw = {k: v for k, v in p.items() if k != SEED_DIM}
        if seeded:
            kw[SEED_DIM] = p[SEED_DIM]
        out = run(**kw, **static)
        if not isinstance(out, Mapping):
            raise ValueError(f"run must return a dict of named arrays; got {type(out).__name__}")
        return {k: jnp.asarray(v) for k, v in out.items()}

    def one(p):
        out = call_run(p)
        if reduce is not None:
            out = reduce(out)
            if not isinstance(out, Mapping):
                raise ValueError(f"reduce must return a dict of named arrays; got {type(out).__name__}")
            out = {k: jnp.asarray(v) for k, v in out.items()}
        return out

    probe = {k: jax.ShapeDtypeStruct((), dtypes[k]) for k in grid.names}
    if seeded:
        probe[SEED_DIM] = jax.ShapeDtypeStruct((), jnp.uint32)
    dtype_key = tuple((k, str(np.dtype(v))) for k, v in dtypes.items())
    base_key = (run, reduce, jsonable(static), dtype_key, seeded)
    out_struct, raw_bytes, carry_bytes = cached(SPECS, base_key, lambda: (
        jax.eval_shape(one, probe), nbytes(jax.eval_shape(call_run, probe)) if reduce is not None else 0,
        loop_carry_bytes(jax.make_jaxpr(one)(probe).jaxpr)))
    if not out_struct:
        raise ValueError("run returned no outputs")
    for k, d in out_dims.items():
        if k not in out_struct:
            raise ValueError(f"out_dims names unknown output {k!r}; outputs are {sorted(out_struct)}")
        if len(d) != len(out_struct[k].shape):
            raise ValueError(f"out_dims[{k!r}] = {d} but output {k!r} has shape {out_struct[k].shape}")
    dims = full_dims(grid, seeded, out_struct, out_dims)
    sizes: dict[str, int] = {}
    for k, s in out_struct.items():
        sizes.update(zip(dims[k], lead_shape(grid, seed_arr) + tuple(s.shape)))
    for d, v in coords.items():
        if d not in sizes:
            raise ValueError(f"coords given for unknown dimension {d!r}; dimensions are {sorted(sizes)}")
        if len(v) != sizes[d]:
            raise ValueError(f"coords[{d!r}] has {len(v)} values but dimension {d!r} has {sizes[d]}")
    devices = list(jax.devices() if devices is None else devices)
    fingerprint = sweep_fingerprint(run, reduce, grid, seed_arr, static, out_dims, coords, out_struct, dtypes)
    return _Plan(run=run, one=one, grid=grid, seed_arr=seed_arr, static=static, coords=coords, dtypes=dtypes,
                 n_items=n_items, n_seeds=n_seeds, out_struct=dict(out_struct), dims=dims,
                 bytes_per_item=nbytes(out_struct) + raw_bytes + nbytes(probe), carry_bytes=carry_bytes,
                 fingerprint=fingerprint, devices=devices, base_key=base_key, compiler_options=compiler_options)


def _chunk_size(p: _Plan, chunk_size: int | None, memory_budget: int | None) -> int:
    if chunk_size is None and memory_budget is None:
        memory_budget = default_memory_budget(p.devices)
    csize = plan_chunks(p.n_items, p.bytes_per_item, len(p.devices), chunk_size, memory_budget,
                        cpu_max_items(p.devices, p.carry_bytes))
    if p.n_items + csize >= MAX_ITEMS:
        raise ValueError(f"{p.n_items} items is more than one sweep indexes (2**31); split the grid")
    return csize


def _compute(p: _Plan, csize: int, todo: np.ndarray, sink: Callable[[int, dict], None], *, progress: bool,
             callback: Callable[[int, int], None] | None) -> None:
    """Run the chunks marked in ``todo``; ``sink(c, host outputs)`` as each finishes, in order."""
    n_chunks = len(todo)
    opts = tuple(sorted((p.compiler_options or {}).items()))
    runner = cached(RUNNERS, p.base_key + (tuple(p.devices), p.grid.kind, p.grid.shape, p.n_seeds, csize,
                                           p.n_items, opts),
                    lambda: Runner(p.one, p.devices, p.grid, p.n_seeds, csize, p.n_items, p.seeded,
                                   p.compiler_options))
    tables = runner.tables(p.grid, p.dtypes, p.seed_arr, p.fingerprint)
    done = [int((~todo).sum())]
    bar = None
    if progress and jax.process_index() == 0:
        from tqdm.auto import tqdm

        bar = tqdm(total=p.n_items, unit="setting", unit_scale=True, desc="sweep", dynamic_ncols=True)
        already = sum(min(csize, p.n_items - int(c) * csize) for c in np.flatnonzero(~todo))
        if already:
            bar.update(already)

    def finish(c: int, dev_out) -> None:
        start, stop = c * csize, min((c + 1) * csize, p.n_items)
        sink(c, {k: v[: stop - start] for k, v in runner.fetch(dev_out).items()})
        done[0] += 1
        if bar is not None:
            bar.update(stop - start)
        if callback is not None:
            callback(done[0], n_chunks)

    try:
        pending = None
        for c in np.flatnonzero(todo):
            try:
                dev_out = runner(int(c) * csize, tables)  # asynchronous: overlaps with fetching the previous chunk
            except BaseException:
                if pending is not None:  # keep the finished chunk before giving up
                    finish(*pending)
                raise
            if pending is not None:
                finish(*pending)
            pending = (int(c), dev_out)
        if pending is not None:
            finish(*pending)
    finally:
        if bar is not None:
            bar.close()


def _in_memory(p: _Plan, chunk_size, memory_budget, max_result_bytes, progress, callback):
    check_result_fits(p.n_items * nbytes(p.out_struct), max_result_bytes, p.describe_size())
    csize = _chunk_size(p, chunk_size, memory_budget)
    n_chunks = -(-p.n_items // csize)
    flat_out: dict[str, np.ndarray] = {}
    _compute(p, csize, np.ones(n_chunks, bool), memory_sink(p.n_items, csize, n_chunks, flat_out), progress=progress,
             callback=callback)
    return label(flat_out, p.grid, p.seed_arr, p.dims, p.coords, p.attrs(csize), p.run)


def _broadcast(value: np.ndarray) -> np.ndarray:
    from jax.experimental import multihost_utils
    return np.asarray(multihost_utils.broadcast_one_to_all(value))


def _sync() -> None:
    from jax.experimental import multihost_utils
    multihost_utils.sync_global_devices("stp_brainpy.sweep.store")


def _stored(p: _Plan, store, overwrite, chunk_size, memory_budget, progress, callback):
    # The store belongs to process 0; in a multi-host run its decisions (refuse, finished, chunk
    # layout, which chunks are missing) are broadcast so every process takes the same path.
    is_main, multi = jax.process_index() == 0, jax.process_count() > 1
    st, refused, complete, stored_chunk = None, None, False, None
    if is_main:
        try:
            st = SweepStore.open(store, p.fingerprint, overwrite=overwrite,
                                 describe=describe(p.run, p.grid, p.seed_arr, p.static))
            complete, stored_chunk = st.is_complete(), st.chunk_size
        except (ValueError, OSError) as err:
            refused = err
    if multi:
        flags = _broadcast(np.array([refused is not None, complete, -1 if stored_chunk is None else stored_chunk],
                                    np.int64))
        if flags[0] and refused is None:
            refused = ValueError(f"process 0 refused the store {store}; see its error")
        complete, stored_chunk = bool(flags[1]), (None if flags[2] < 0 else int(flags[2]))
    if refused is not None:
        raise refused
    try:
        if complete:
            return st.load_result() if st is not None else open_store(store)  # others: a shared filesystem
        if chunk_size is None and stored_chunk is not None:
            chunk_size = stored_chunk  # resume with the layout already on disk
        csize = _chunk_size(p, chunk_size, memory_budget)
        if stored_chunk is not None and stored_chunk != csize:
            raise ValueError(
                f"store {store} was written with chunk_size={stored_chunk}; resume with the same chunk_size "
                f"(or none) and as many devices, or pass overwrite=True"
            )
        n_chunks = -(-p.n_items // csize)
        attrs = p.attrs(csize)
        todo = np.ones(n_chunks, bool)
        if st is not None:
            st.begin(chunk_size=csize, n_items=p.n_items, n_chunks=n_chunks, attrs=attrs, grid=p.grid,
                     seeds=p.seed_arr, outputs={k: (s.shape, s.dtype) for k, s in p.out_struct.items()})
            todo = st.missing_chunks()
        if multi:
            todo = _broadcast(todo).astype(bool)
        flat_out: dict[str, np.ndarray] = {}  # other processes keep the result in memory
        have = ~todo
        keep = memory_sink(p.n_items, csize, n_chunks, flat_out)

        def sink(c: int, host: dict) -> None:
            if st is not None:
                st.write_chunk(c, host, start=c * csize)  # the store assembles the result on disk
            else:
                keep(c, host)
            have[c] = True

        lead = lead_shape(p.grid, p.seed_arr)
        variables = {k: (p.dims[k], lead + tuple(s.shape), s.dtype) for k, s in p.out_struct.items()}
        for attempt in range(_ASSEMBLY_TRIES + 1):
            _compute(p, csize, todo, sink, progress=progress and attempt == 0, callback=callback)
            bad = np.zeros(n_chunks, bool)
            if st is not None:
                cs = result_coords(p.grid, p.seed_arr, p.coords)
                bad[st.assemble(lead_shape=lead, variables=variables, attrs=attrs, coords=cs,
                                var_attrs=variable_attrs(p.run, list(variables) + list(cs)))] = True
            if multi:
                bad = _broadcast(bad).astype(bool)
            if not bad.any():
                break
            todo = bad
        else:
            raise OSError(f"chunks of store {store} fail verification right after being written "
                          f"({_ASSEMBLY_TRIES} times); the disk or filesystem is not keeping what is written")
        if not is_main:
            _sync()  # process 0 has written the result
            if not have.all():  # chunks of an earlier run live in process 0's store: a shared filesystem
                return open_store(store)
            return label(flat_out, p.grid, p.seed_arr, p.dims, p.coords, attrs, p.run)
        assert st is not None
        ds = st.load_result()
        if multi:
            _sync()
        return ds
    finally:
        if st is not None:
            st.close()


@accepts_units(grid=NAMED, static=NAMED)
def sweep(run: Callable[..., Mapping[str, Any]], grid: Grid | Mapping[str, Any], *, seeds: Any = None,
          static: Mapping[str, Any] | None = None, out_dims: Mapping[str, Sequence[str]] | None = None,
          coords: Mapping[str, Any] | None = None, chunk_size: int | None = None,
          memory_budget: int | None = None, max_result_bytes: int | None = None,
          reduce: Callable[[dict], Mapping[str, Any]] | None = None,
          store: str | os.PathLike | None = None, overwrite: bool = False,
          devices: Sequence[Any] | None = None, progress: bool = False,
          callback: Callable[[int, int], None] | None = None,
          compiler_options: Mapping[str, Any] | None = None):
    """Run ``run`` for every setting of ``grid`` (× every seed) and label the results.

    Parameters
    ----------
    run : callable
        ``run(**params, [seed=uint32 scalar], **static) -> dict[str, array]`` for ONE setting;
        pure and jittable (parameters arrive as scalar tracers).
    grid : Grid or dict
        :func:`product`, :func:`zipped` or :func:`random_samples`; a plain dict means ``product``.
    seeds : None, int or list of int
        ``None``: no seed is passed. An int ``n``: seeds ``0..n-1``. A list: those seeds
        (``uint32``). Adds a ``seed`` dimension after the grid dimensions.
    static : dict
        Fixed keyword arguments passed unchanged (Python values: shapes, methods, flags).
    out_dims : dict
        ``{output name: (dim names)}`` for each output's own axes (e.g. ``('time',)``);
        unnamed axes become ``<name>_dim<i>``.
    coords : dict
        Coordinates of output dimensions, e.g. ``{'time': ts}``.
    chunk_size : int
        Settings per compiled call (rounded up to a multiple of the device count).
        Default: sized from ``memory_budget``.
    memory_budget : int
        Bytes per chunk (default: 32 MiB on CPU; on accelerators 1/8 of each device's memory,
        at most 256 MiB each), estimated from one setting's output shapes
        (``jax.eval_shape``, before and after ``reduce``) times a safety factor. On CPU, a
        run with a loop (``lax.scan``) also keeps each device's share of the loop carry
        within about one L2 cache (768 KiB), which is what makes time-stepped runs fast there.
    max_result_bytes : int
        Without a store, refuse (``ValueError``, with the size) a result larger than this
        (default: half the memory available when the sweep starts): pass ``store=`` to
        assemble it on disk instead.
    reduce : callable
        ``reduce(outputs) -> dict`` applied per setting on the device (keep summaries,
        drop traces).
    store : path
        Directory of an on-disk store (see :mod:`stp_brainpy.sweeps.store`): chunks are
        written atomically as they finish, an interrupted sweep resumes and recomputes
        only missing chunks (and, with a warning, any that fail verification), a finished
        store is returned as is. One process writes a store at a time (a lock); another
        sweep on the same store waits for it.
    overwrite : bool
        Replace a store made by a different sweep (default: refuse with ``ValueError``).
    devices : list
        Devices to shard the batch over (default ``jax.devices()``: all, global).
    progress : bool
        Show a tqdm progress bar with ETA.
    callback : callable
        ``callback(done_chunks, n_chunks)`` after each chunk is finished (and stored).
    compiler_options : dict
        Passed to ``jax.jit`` (e.g. ``{"xla_backend_optimization_level": 0}`` on CPU, which halves
        the compile time of small runs where compiling dominates).

    Raises
    ------
    ValueError, TypeError
        Before anything runs or is written: unknown or missing parameter names, options of
        the wrong type, values outside the model's declared ranges (e.g. ``U must lie in
        (0, 1]; got 1.5``), a store of a different sweep, a result too large for memory.
    OSError
        A store that cannot be created or written ("disk full / file too large").

    Returns
    -------
    xarray.Dataset
        Dimensions: the grid's (one per parameter for a product, else ``setting`` with the
        parameters as coordinates), then ``seed`` if seeded, then each output's own.
        Attributes record the sweep fingerprint, seeds, static arguments and versions; every
        variable and coordinate the model declares (or the package's table
        :data:`~stp_brainpy.sweeps.meta.COMMON` names) carries CF ``units`` and ``long_name``.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> from stp_brainpy.sweeps import sweep, product
    >>> ds = sweep(lambda a, b: {"s": a + b}, product(a=[0., 1.], b=[10., 20., 30.]))
    >>> ds.s.dims, float(ds.s.sel(a=1., b=20.))
    (('a', 'b'), 21.0)
    """
    static, out_dims, coords, devices = check_options(
        run, static=static, out_dims=out_dims, coords=coords, chunk_size=chunk_size, memory_budget=memory_budget,
        max_result_bytes=max_result_bytes, reduce=reduce, store=store, overwrite=overwrite, devices=devices,
        progress=progress, callback=callback, compiler_options=compiler_options)
    if store is not None and jax.process_count() == 1:  # multi-host: refused collectively, later
        check_store_path(Path(store))
    p = _plan(run, grid, seeds=seeds, static=static, out_dims=out_dims, coords=coords, reduce=reduce,
              devices=devices, compiler_options=compiler_options)
    progress = bool(progress)
    if store is None:
        return _in_memory(p, chunk_size, memory_budget, max_result_bytes, progress, callback)
    return _stored(p, store, overwrite, chunk_size, memory_budget, progress, callback)
