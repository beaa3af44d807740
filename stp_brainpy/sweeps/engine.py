"""The sweep engine: one compiled, batched, sharded call per chunk of settings.

``run`` describes ONE setting (pure JAX, jittable). The engine flattens grid × seeds into a
batch, cuts it into equal chunks sized to a memory budget (the last chunk is padded by
repeating its last setting so there is a single compilation, then trimmed), places each
chunk's batch axis over a 1-D device mesh (``jax.sharding.NamedSharding``, axis
``'batch'``), and runs ``jit(vmap(run))``. Results are labeled with ``xarray`` and,
when a store is given, written chunk by chunk so an interrupted sweep resumes.

Multi-host: after ``jax.distributed.initialize()`` every process calls :func:`sweep`
with the same arguments; ``jax.devices()`` is then the global device list, inputs are
built with ``jax.make_array_from_callback`` from the (identical) host grid, results are
all-gathered, and only process 0 touches the store.
"""
from __future__ import annotations

import functools
import hashlib
import inspect
import json
import math
import os
from typing import Any, Callable, Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np
import xarray as xr

from .grids import SETTING_DIM, Grid, product

__all__ = ["sweep", "plan_chunks", "DEFAULT_MEMORY_BUDGET", "SEED_DIM", "versions"]

SEED_DIM = "seed"
DEFAULT_MEMORY_BUDGET = 32 * 2**20  # CPU bytes per chunk: enough to amortise a call, small enough to stay in cache
# On accelerators a time-stepped run costs one kernel launch per step whatever the batch, so
# chunks should be as large as memory allows: this fraction of each device's memory, capped.
_ACCEL_FRACTION, _ACCEL_CAP = 8, 256 * 2**20
# On CPU a time-stepped run sweeps its whole loop carry once per step: keep a chunk's carry
# (per device) about the size of a core's L2 cache, or every step streams it from memory.
_CPU_CARRY_BYTES = 768 * 2**10
# Outputs are held on the device, copied to the host and (in a store) written; intermediates
# of the run are not visible from its output shapes, so leave headroom.
_OVERHEAD = 3


# ----------------------------------------------------------------------------------------------
# introspection and validation
# ----------------------------------------------------------------------------------------------
def _accepted_names(run: Callable) -> tuple[set[str] | None, set[str]]:
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


def _normalise_seeds(seeds: Any) -> np.ndarray | None:
    if seeds is None:
        return None
    if isinstance(seeds, (int, np.integer)):
        if seeds < 1:
            raise ValueError(f"seeds=int means 'this many seeds (0..n-1)' and must be >= 1; got {seeds}")
        return np.arange(int(seeds), dtype=np.uint32)
    arr = np.asarray(seeds)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"seeds must be None, a count, or a non-empty 1-D list of integers; got {seeds!r}")
    if arr.dtype.kind not in "iu" or np.any(arr < 0) or np.any(arr >= 2**32):
        raise ValueError(f"seeds must be integers in [0, 2**32); got {seeds!r}")
    if len(np.unique(arr)) != arr.size:
        raise ValueError(f"seeds must be distinct; got {seeds!r}")
    return arr.astype(np.uint32)


def _check_names(run: Callable, grid: Grid, static: Mapping[str, Any], seeded: bool) -> None:
    overlap = set(grid.names) & set(static)
    if overlap:
        raise ValueError(f"parameters given both in the grid and in static: {sorted(overlap)}")
    if SEED_DIM in grid.names or SEED_DIM in static:
        raise ValueError("'seed' is reserved: give seeds with sweep(..., seeds=...)")
    reserved = {SETTING_DIM} & set(grid.names)
    if reserved:
        raise ValueError(f"parameter name {SETTING_DIM!r} is reserved for zipped/random grids")
    accepted, required = _accepted_names(run)
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


def _param_dtype(values: np.ndarray):
    if values.dtype.kind == "b":
        return jnp.bool_
    if values.dtype.kind in "iu":
        return jnp.result_type(int)
    return jnp.result_type(float)


# ----------------------------------------------------------------------------------------------
# fingerprint and versions
# ----------------------------------------------------------------------------------------------
def _callable_id(fn: Callable | None) -> str:
    try:
        return _CALLABLE_IDS[fn]
    except (KeyError, TypeError):
        pass
    ident = _callable_id_uncached(fn)
    try:
        if len(_CALLABLE_IDS) > 256:
            _CALLABLE_IDS.clear()
        _CALLABLE_IDS[fn] = ident
    except TypeError:
        pass
    return ident


_CALLABLE_IDS: dict = {}


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
        ident += f"|args={_jsonable(getattr(fn, 'args', ()))}|kw={_jsonable(getattr(fn, 'keywords', {}))}"
    return ident


def _jsonable(obj: Any) -> str:
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
    out["x64"] = str(bool(jax.config.jax_enable_x64))
    return out


# ----------------------------------------------------------------------------------------------
# chunking and sharding
# ----------------------------------------------------------------------------------------------
def _nbytes(tree) -> int:
    return int(sum(math.prod(x.shape) * np.dtype(x.dtype).itemsize for x in jax.tree_util.tree_leaves(tree)))


def default_memory_budget(devices: Sequence[Any]) -> int:
    """Bytes per chunk when none is given: 32 MiB on CPU; on accelerators 1/8 of each device's
    memory, at most 256 MiB each (larger chunks only delay the device-to-host copies), summed
    over the devices."""
    dev = devices[0]
    if dev.platform == "cpu":
        return DEFAULT_MEMORY_BUDGET
    try:
        limit = int((dev.memory_stats() or {}).get("bytes_limit", 0))
    except Exception:  # backends without memory statistics
        limit = 0
    per_device = min(limit // _ACCEL_FRACTION, _ACCEL_CAP) if limit else _ACCEL_CAP
    return per_device * len(devices)


def _loop_carry_bytes(jaxpr) -> int:
    """Largest loop carry (bytes) of any scan / while loop in a jaxpr, nested ones included.

    Read from the loop's outputs (a while loop returns its carry; a scan returns its carry
    first, then the stacked outputs), which does not depend on a jax version's parameter
    names; 0 when it cannot tell.
    """
    def size(vars_):
        return sum(math.prod(v.aval.shape) * np.dtype(v.aval.dtype).itemsize for v in vars_)

    best = 0
    try:
        for eqn in jaxpr.eqns:
            name, params = eqn.primitive.name, eqn.params
            if name == "while":
                best = max(best, size(eqn.outvars))
            elif name == "scan" and "num_carry" in params:
                best = max(best, size(eqn.outvars[: params["num_carry"]]))
            for val in params.values():
                for sub in val if isinstance(val, (list, tuple)) else (val,):
                    inner = getattr(sub, "jaxpr", sub)  # ClosedJaxpr -> Jaxpr
                    if hasattr(inner, "eqns"):
                        best = max(best, _loop_carry_bytes(inner))
    except Exception:  # an unfamiliar jaxpr: no cache cap
        return best
    return best


def plan_chunks(n_items: int, bytes_per_item: int, n_devices: int, chunk_size: int | None = None,
                memory_budget: int | None = None, max_items: int | None = None) -> int:
    """Chunk size: explicit, or derived from ``memory_budget`` bytes: the fewest chunks that fit
    it, evened out so the last one is nearly full.

    Always a multiple of ``n_devices`` (each device gets an equal share) and never larger
    than needed for ``n_items`` (rounded up to that multiple).
    """
    if chunk_size is None:
        budget = DEFAULT_MEMORY_BUDGET if memory_budget is None else int(memory_budget)
        if budget <= 0:
            raise ValueError(f"memory_budget must be a positive number of bytes; got {memory_budget}")
        most = max(1, budget // max(1, _OVERHEAD * bytes_per_item))
        if max_items is not None:
            most = max(1, min(most, int(max_items)))
        # As many chunks as the budget needs, of equal size: the padded last chunk wastes little.
        n_chunks = -(-n_items // most)
        chunk_size = -(-n_items // n_chunks)
    chunk_size = int(chunk_size)
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be >= 1; got {chunk_size}")
    chunk_size = min(chunk_size, n_items)
    return -(-chunk_size // n_devices) * n_devices


_RUNNERS: dict = {}  # compiled runners, so repeating a sweep does not recompile
_SPECS: dict = {}  # output shapes of a run (jax.eval_shape), so repeating a sweep does not retrace


def clear_cache() -> None:
    """Forget compiled runners and traced output shapes (the next sweep compiles afresh)."""
    _RUNNERS.clear()
    _SPECS.clear()


def _cached(cache: dict, key, make):
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


class _Runner:
    """One chunk = one call of jit(vmap(one setting)), batch axis sharded over a 1-D mesh.

    Only the chunk's start index crosses from the host: the flat item indices, the
    settings (gathered from the grid's small per-axis tables) and the seeds are formed on
    the devices, each device its own shard. The last chunk is padded by repeating the last
    item, so every chunk has the same shape and there is one compilation.
    """

    def __init__(self, one: Callable, devices: Sequence[Any], grid: Grid, n_seeds: int, csize: int, n_items: int,
                 seeded: bool, compiler_options: Mapping[str, Any] | None = None):
        from jax.sharding import Mesh, NamedSharding, PartitionSpec

        if n_items + csize >= 2**31:
            raise ValueError(f"{n_items} items is more than one sweep indexes (2**31); split the grid")
        self.devices = list(devices)
        self.mesh = Mesh(np.asarray(self.devices, dtype=object), ("batch",))
        self.sharding = NamedSharding(self.mesh, PartitionSpec("batch"))
        self.replicated = NamedSharding(self.mesh, PartitionSpec())
        self.multiprocess = jax.process_count() > 1
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

    def tables(self, grid: Grid, dtypes: dict, seed_arr: np.ndarray | None):
        """The grid's per-axis values and the seeds, replicated on every device (once per sweep)."""
        def put(host):
            return jax.make_array_from_callback(host.shape, self.replicated, lambda idx: host[idx])

        tabs = {k: put(np.asarray(v, dtype=dtypes[k])) for k, v in grid.axes.items()}
        seeds = put(np.zeros(1, np.uint32) if seed_arr is None else seed_arr)
        return tabs, seeds

    def __call__(self, start: int, tables):
        return self.fn(np.int32(start), *tables)

    def fetch(self, out) -> dict[str, np.ndarray]:
        if self.multiprocess:
            from jax.experimental import multihost_utils

            return {k: np.asarray(v) for k, v in multihost_utils.process_allgather(out, tiled=True).items()}
        return {k: np.asarray(v) for k, v in jax.device_get(out).items()}


# ----------------------------------------------------------------------------------------------
# the sweep
# ----------------------------------------------------------------------------------------------
def sweep(run: Callable[..., Mapping[str, Any]], grid: Grid | Mapping[str, Any], *, seeds: Any = None,
          static: Mapping[str, Any] | None = None, out_dims: Mapping[str, Sequence[str]] | None = None,
          coords: Mapping[str, Any] | None = None, chunk_size: int | None = None,
          memory_budget: int | None = None, reduce: Callable[[dict], Mapping[str, Any]] | None = None,
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
    reduce : callable
        ``reduce(outputs) -> dict`` applied per setting on the device (keep summaries,
        drop traces).
    store : path
        Directory of an on-disk store (see :mod:`stp_brainpy.sweeps.store`): chunks are
        written atomically as they finish, an interrupted sweep resumes and recomputes
        only missing chunks, a finished store is returned as is.
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

    Returns
    -------
    xarray.Dataset
        Dimensions: the grid's (one per parameter for a product, else ``setting`` with the
        parameters as coordinates), then ``seed`` if seeded, then each output's own.
        Attributes record the sweep fingerprint, seeds, static arguments and versions.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> from stp_brainpy.sweeps import sweep, product
    >>> ds = sweep(lambda a, b: {"s": a + b}, product(a=[0., 1.], b=[10., 20., 30.]))
    >>> ds.s.dims, float(ds.s.sel(a=1., b=20.))
    (('a', 'b'), 21.0)
    """
    if isinstance(grid, Mapping):
        grid = product(**grid)
    if not isinstance(grid, Grid):
        raise ValueError(f"grid must come from product(), zipped() or random_samples(); got {type(grid).__name__}")
    if len(grid) == 0:  # pragma: no cover - the constructors refuse empty axes already
        raise ValueError("the grid is empty: a sweep needs at least one setting")
    static = dict(static or {})
    out_dims = {k: tuple(v) for k, v in (out_dims or {}).items()}
    coords = dict(coords or {})
    seed_arr = _normalise_seeds(seeds)
    seeded = seed_arr is not None
    _check_names(run, grid, static, seeded)

    dtypes = {k: _param_dtype(v) for k, v in grid.axes.items()}
    n_settings = len(grid)
    n_seeds = 1 if seed_arr is None else len(seed_arr)
    n_items = n_settings * n_seeds

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
    static_key = _jsonable(static)
    dtype_key = tuple((k, str(np.dtype(v))) for k, v in dtypes.items())
    base_key = (run, reduce, static_key, dtype_key, seeded)
    out_struct, raw_bytes, carry_bytes = _cached(_SPECS, base_key, lambda: (
        jax.eval_shape(one, probe), _nbytes(jax.eval_shape(call_run, probe)) if reduce is not None else 0,
        _loop_carry_bytes(jax.make_jaxpr(one)(probe).jaxpr)))
    if not out_struct:
        raise ValueError("run returned no outputs")
    for k, dims in out_dims.items():
        if k not in out_struct:
            raise ValueError(f"out_dims names unknown output {k!r}; outputs are {sorted(out_struct)}")
        if len(dims) != len(out_struct[k].shape):
            raise ValueError(f"out_dims[{k!r}] = {dims} but output {k!r} has shape {out_struct[k].shape}")
    full_dims = {
        k: tuple(grid.dims) + ((SEED_DIM,) if seeded else ()) + out_dims.get(k, tuple(f"{k}_dim{i}" for i in range(len(s.shape))))
        for k, s in out_struct.items()
    }
    all_dims = {d for dims in full_dims.values() for d in dims}
    for d in coords:
        if d not in all_dims:
            raise ValueError(f"coords given for unknown dimension {d!r}; dimensions are {sorted(all_dims)}")

    devices = list(jax.devices() if devices is None else devices)
    if not devices:
        raise ValueError("devices is empty")
    bytes_per_item = _nbytes(out_struct) + raw_bytes + _nbytes(probe)

    fingerprint = hashlib.sha256("|".join([
        "stp-brainpy-sweep/1", _callable_id(run), _callable_id(reduce), grid.fingerprint(),
        "seeds=" + ("None" if seed_arr is None else hashlib.sha256(seed_arr.tobytes()).hexdigest()),
        "static=" + _jsonable(static), "out_dims=" + _jsonable(out_dims), "coords=" + _jsonable(coords),
        "outputs=" + _jsonable({k: [list(s.shape), str(s.dtype)] for k, s in out_struct.items()}),
        "params=" + _jsonable({k: str(np.dtype(v)) for k, v in dtypes.items()}),
    ]).encode()).hexdigest()

    # The store belongs to process 0; in a multi-host run its decisions (refuse, finished, chunk
    # layout, which chunks are missing) are broadcast so every process takes the same path.
    is_main, multi = jax.process_index() == 0, jax.process_count() > 1
    st, refused, complete, stored_chunk = None, None, False, None
    if store is not None and is_main:
        from .store import SweepStore

        try:
            st = SweepStore.open(store, fingerprint, overwrite=overwrite,
                                 describe=_describe(run, grid, seed_arr, static))
            complete, stored_chunk = st.is_complete(), st.chunk_size
        except ValueError as err:
            refused = err
    if store is not None and multi:
        from jax.experimental import multihost_utils

        flags = np.array([refused is not None, complete, -1 if stored_chunk is None else stored_chunk], np.int64)
        flags = np.asarray(multihost_utils.broadcast_one_to_all(flags))
        if flags[0] and refused is None:
            refused = ValueError(f"process 0 refused the store {store}; see its error")
        complete, stored_chunk = bool(flags[1]), (None if flags[2] < 0 else int(flags[2]))
    if refused is not None:
        raise refused
    if complete:
        if st is not None:
            return st.load_result()
        from .store import open_store

        return open_store(store)  # other processes: the store must be on a shared filesystem
    if chunk_size is None and stored_chunk is not None:
        chunk_size = stored_chunk  # resume with the layout already on disk
    if chunk_size is None and memory_budget is None:
        memory_budget = default_memory_budget(devices)
    max_items = None
    if devices[0].platform == "cpu" and carry_bytes:
        max_items = _CPU_CARRY_BYTES * len(devices) // carry_bytes
    csize = plan_chunks(n_items, bytes_per_item, len(devices), chunk_size, memory_budget, max_items)
    if stored_chunk is not None and stored_chunk != csize:
        raise ValueError(
            f"store {store} was written with chunk_size={stored_chunk}; resume with the same chunk_size "
            f"(or none) and as many devices, or pass overwrite=True"
        )
    n_chunks = -(-n_items // csize)

    attrs = _attrs(run, grid, seed_arr, static, fingerprint, csize, len(devices))
    if st is not None:
        st.begin(chunk_size=csize, n_items=n_items, n_chunks=n_chunks, attrs=attrs, grid=grid, seeds=seed_arr)
    todo = np.ones(n_chunks, bool) if st is None else np.array([not st.has_chunk(c) for c in range(n_chunks)])
    if store is not None and multi:
        from jax.experimental import multihost_utils

        todo = np.asarray(multihost_utils.broadcast_one_to_all(todo)).astype(bool)

    opts = tuple(sorted((compiler_options or {}).items()))
    runner = _cached(_RUNNERS, base_key + (tuple(devices), grid.kind, grid.shape, n_seeds, csize, n_items, opts),
                     lambda: _Runner(one, devices, grid, n_seeds, csize, n_items, seeded, compiler_options))
    tables = runner.tables(grid, dtypes, seed_arr)

    flat_out: dict[str, np.ndarray] = {}
    have = np.zeros(n_chunks, bool)
    bar = None
    if progress and jax.process_index() == 0:
        from tqdm.auto import tqdm

        bar = tqdm(total=n_items, unit="setting", unit_scale=True, desc="sweep", dynamic_ncols=True)
        done = sum(min(csize, n_items - c * csize) for c in np.flatnonzero(~todo))
        if done:
            bar.update(done)

    def finish(c: int, dev_out) -> None:
        start, stop = c * csize, min((c + 1) * csize, n_items)
        host = {k: v[: stop - start] for k, v in runner.fetch(dev_out).items()}
        if st is not None:
            st.write_chunk(c, host, start=start)
        for k, v in host.items():
            if st is not None:
                continue  # the store assembles the result on disk: memory stays at one chunk
            if n_chunks == 1:
                flat_out[k] = v if v.flags.writeable else v.copy()  # the whole result: no second copy
            else:
                flat_out.setdefault(k, np.empty((n_items,) + v.shape[1:], v.dtype))[start:stop] = v
        have[c] = True
        if bar is not None:
            bar.update(stop - start)
        if callback is not None:
            callback(int(have.sum() + (~todo).sum()), n_chunks)

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

    if store is not None and not is_main:
        from jax.experimental import multihost_utils

        multihost_utils.sync_global_devices("stp_brainpy.sweep.store")  # process 0 has written the result
        if not have.all():  # chunks of an earlier run live in process 0's store: a shared filesystem
            from .store import open_store

            return open_store(store)
    if st is None:
        return _label(flat_out, grid, seed_arr, full_dims, coords, attrs)
    lead = _lead_shape(grid, seed_arr)
    st.finish_streaming(lead_shape=lead, coords=_coords(grid, seed_arr, coords), attrs=attrs, chunk_size=csize,
                        variables={k: (full_dims[k], lead + tuple(s.shape), s.dtype) for k, s in out_struct.items()})
    ds = st.load_result()
    if multi:
        from jax.experimental import multihost_utils

        multihost_utils.sync_global_devices("stp_brainpy.sweep.store")
    return ds


def _describe(run, grid: Grid, seed_arr, static) -> dict:
    return {
        "run": _callable_id(run).split(":")[0],
        "grid": grid.describe(),
        "seeds": None if seed_arr is None else seed_arr.tolist()[:64],
        "static": _jsonable(static),
    }


def _attrs(run, grid: Grid, seed_arr, static, fingerprint: str, csize: int, n_dev: int) -> dict:
    attrs = {
        "sweep_fingerprint": fingerprint,
        "run": _callable_id(run).split(":")[0],
        "grid_kind": grid.kind,
        "grid": grid.describe(),
        "parameters": ",".join(grid.names),
        "static": _jsonable(static),
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


def _coords(grid: Grid, seed_arr, coords) -> dict[str, tuple[str, np.ndarray]]:
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


def _lead_shape(grid: Grid, seed_arr) -> tuple[int, ...]:
    return grid.shape + ((len(seed_arr),) if seed_arr is not None else ())


def _label(flat_out: dict[str, np.ndarray], grid: Grid, seed_arr, full_dims, coords, attrs):

    lead = _lead_shape(grid, seed_arr)
    data_vars = {k: (full_dims[k], v.reshape(lead + v.shape[1:])) for k, v in flat_out.items()}  # views
    return xr.Dataset(data_vars, coords=_coords(grid, seed_arr, coords), attrs=attrs)
