"""Event delivery: scatter ``values[i]`` of the sources that spiked onto their targets.

``deliver(values, targets, n_out)`` returns ``out`` of length ``n_out`` with
``out[t] = sum_i values[i] * weights[i, j]`` over sources with ``values[i] != 0`` and
their padded target rows ``targets[i, j] = t`` (rows padded with ``n_out``).

Two implementations, same result:

``native``  a tiny XLA FFI CPU kernel (``_native/event_scatter.cc``) compiled with the
            system C++ compiler on first use and cached; it walks the value vector and
            touches only the rows of the sources that spiked. On the COBA workload it is
            ~10× faster per step than the best pure-XLA formulation measured.
``xla``     pure JAX, used on GPU/TPU and wherever the native kernel is unavailable:
            the active sources are compacted (``jnp.nonzero`` with a fixed size picked from
            a ladder of capacities by ``lax.switch``, the last one being ``n_pre`` so it can
            never overflow), their rows gathered and scatter-added. The ladder is chosen per
            platform (:func:`default_capacities`).

With ``backend='auto'`` the choice is made per platform at lowering time
(``jax.lax.platform_dependent``), so the same jitted function runs on CPU and GPU.
"""
from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import warnings
from pathlib import Path

import jax
import jax.numpy as jnp

from .._cache import cache_dir

__all__ = ["deliver", "deliver_ring", "compact_since", "spike_stats", "gather_rows", "scatter_rows", "ring_rows", "ring_take", "spike_list", "range_counts", "native_available", "capacity_ladder", "default_capacities", "BACKENDS"]

BACKENDS = ("auto", "native", "xla")
_SRC = Path(__file__).with_name("_native") / "event_scatter.cc"
_SRCS = (_SRC, _SRC.with_name("spike_stats.cc"))  # one library
_lock = threading.Lock()
_state: dict = {}


def _build() -> Path | None:
    """Compile the kernel once per (source, jax version, python) and return the library path."""
    src = b"".join(p.read_bytes() for p in _SRCS)
    key = hashlib.sha256(src + jax.__version__.encode() + sys.version.encode()).hexdigest()[:16]
    lib = cache_dir() / f"event_scatter_{key}.so"
    if lib.exists():
        return lib
    cxx = os.environ.get("CXX") or shutil.which("g++") or shutil.which("c++") or shutil.which("clang++")
    if cxx is None:
        raise RuntimeError("no C++ compiler found (set CXX)")
    lib.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=lib.parent) as tmp:
        out = Path(tmp) / lib.name
        cmd = [cxx, "-O3", "-std=c++17", "-shared", "-fPIC", "-w", f"-I{jax.ffi.include_dir()}", *map(str, _SRCS), "-o", str(out)]
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode:
            raise RuntimeError(f"compiling {_SRC.name} failed:\n{res.stderr[-2000:]}")
        os.replace(out, lib)  # atomic: concurrent builders never see a half-written library
    return lib


def native_available() -> bool:
    """Build (once) and register the CPU kernel; False (with a warning) if that is impossible.

    Set ``STP_BRAINPY_NATIVE=0`` to disable it.
    """
    with _lock:
        if "ok" in _state:
            return _state["ok"]
        ok = False
        if os.environ.get("STP_BRAINPY_NATIVE", "1") != "0":
            try:
                lib = ctypes.cdll.LoadLibrary(str(_build()))
                for name in ("StpEllScatterF32", "StpEllScatterF64", "StpEllScatterWF32", "StpEllScatterWF64",
                             "StpRingScatterF32", "StpRingScatterF64", "StpCompactSince",
                             "StpEllAddF32", "StpEllAddF64", "StpEllAddWF32", "StpEllAddWF64",
                             "StpSpikeStatsF32", "StpSpikeStatsF64",
                             "StpGatherRowsF32", "StpGatherRowsF64", "StpScatterRowsF32", "StpScatterRowsF64",
                             "StpRingRowsF32", "StpRingRowsF64", "StpRingTakeF32", "StpRingTakeF64", "StpCompact", "StpRangeCounts"):
                    jax.ffi.register_ffi_target(f"stp_brainpy_{name}", jax.ffi.pycapsule(getattr(lib, name)),
                                                platform="cpu")
                _state["lib"] = lib  # keep the handle alive
                ok = True
            except Exception as err:  # pragma: no cover - depends on the machine
                warnings.warn(f"stp_brainpy: native event kernel unavailable, using the XLA path ({err})", stacklevel=2)
        _state["ok"] = ok
        return ok


def capacity_ladder(n_pre: int, first: int = 32, factor: int = 8) -> tuple[int, ...]:
    """Sizes of the active-source buffers tried in turn; the last is ``n_pre`` (never overflows)."""
    caps, k = [], max(1, int(first))
    while k < n_pre:
        caps.append(k)
        k *= factor
    caps.append(int(n_pre))
    return tuple(caps)


def default_capacities(n_pre: int, platform: str) -> tuple[int, ...]:
    """Buffer ladder of the XLA path per platform (measured, see README.md, "Networks").

    On CPU a branch is cheap and scattering unused rows is not: a ladder ×8 from 32. On GPU each
    ``lax.switch`` costs ~30-40 us per step while scattering all rows is cheap up to ~64k sources,
    so no ladder there, and one small buffer plus the full one above that.
    """
    if platform == "cpu":
        return capacity_ladder(n_pre)
    return (int(n_pre),) if n_pre <= 65536 else (int(n_pre) // 16, int(n_pre))


def _deliver_xla(values, targets, n_out, weights=None, capacities=None, into=None):
    n_pre = values.shape[0]
    caps = default_capacities(n_pre, jax.default_backend()) if capacities is None else tuple(capacities)
    active = values != 0

    def branch(k):
        def f(b):
            idx = jnp.nonzero(active, size=k, fill_value=n_pre)[0]
            rows = jnp.take(targets, idx, axis=0, mode="fill", fill_value=n_out)
            v = jnp.take(values, idx, mode="fill", fill_value=0)[:, None]
            if weights is not None:
                v = v * jnp.take(weights, idx, axis=0, mode="fill", fill_value=0)
            v = jnp.broadcast_to(v, rows.shape)
            base = jnp.zeros((n_out,), values.dtype) if b is None else b
            return base.at[rows].add(v, mode="drop")
        return f

    if len(caps) == 1:
        return branch(caps[0])(into)
    which = jnp.searchsorted(jnp.asarray(caps), jnp.sum(active))
    return jax.lax.switch(which, [branch(k) for k in caps], into)


def _deliver_native(values, targets, n_out, weights=None, into=None):
    kind = {jnp.dtype("float32"): "F32", jnp.dtype("float64"): "F64"}[jnp.dtype(values.dtype)]
    w = 'W' if weights is not None else ''
    args = (values, targets.astype(jnp.int32)) + (() if weights is None else (weights.astype(values.dtype),))
    out = jax.ShapeDtypeStruct((n_out,), values.dtype)
    if into is None:
        return jax.ffi.ffi_call(f"stp_brainpy_StpEllScatter{w}{kind}", out, vmap_method="sequential")(*args)
    call = jax.ffi.ffi_call(f"stp_brainpy_StpEllAdd{w}{kind}", out, vmap_method="sequential",
                            input_output_aliases={len(args): 0})
    return call(*args, into.astype(values.dtype))


def deliver(values, targets, n_out: int, weights=None, backend: str = "auto", capacities=None, into=None):
    """Sum of ``values[i] (* weights[i, j])`` over active sources onto ``targets`` (length ``n_out``).

    Parameters
    ----------
    values : (n_pre,) float array; 0 means "no event".
    targets : (n_pre, max_degree) int32, rows padded with ``n_out`` at their end.
    n_out : int, number of targets.
    weights : optional (n_pre, max_degree) per-synapse factors.
    backend : 'auto' (native kernel on CPU when available, XLA elsewhere), 'native' or 'xla'.
    capacities : optional ladder of active-source buffer sizes for the XLA path.
    into : optional (n_out,) array the events are added into (in place on the native path: no zeroed output
        and no separate sum when several groups or a channel's state share one vector). Both backends add
        the events one by one, sources in order, so they round alike.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}; got {backend!r}")
    if values.dtype not in (jnp.float32, jnp.float64):
        values = values.astype(jnp.result_type(float))
    if backend == "xla" or (backend == "auto" and not native_available()):
        return _deliver_xla(values, targets, n_out, weights, capacities, into)
    if backend == "native":
        if not native_available():
            raise RuntimeError("backend='native' requested but the native kernel could not be built")
        return _deliver_native(values, targets, n_out, weights, into)
    if jax.default_backend() == "cpu":  # CPU-only process: skip tracing the XLA branch as well
        return _deliver_native(values, targets, n_out, weights, into)
    return jax.lax.platform_dependent(
        values, targets, weights, into,
        cpu=lambda v, t, w, b: _deliver_native(v, t, n_out, w, b),
        default=lambda v, t, w, b: _deliver_xla(v, t, n_out, w, capacities or default_capacities(v.shape[0], "gpu"),
                                                b))


def _ring_xla(values, codes, weights, ring, offset):
    L = ring.shape[0]
    active = values != 0
    n_pre = values.shape[0]

    def branch(k):
        def f(_):
            idx = jnp.nonzero(active, size=k, fill_value=n_pre)[0]
            rows = jnp.take(codes, idx, axis=0, mode="fill", fill_value=L)
            v = jnp.take(values, idx, mode="fill", fill_value=0)[:, None] * jnp.take(weights, idx, axis=0, mode="fill",
                                                                                    fill_value=0)
            pos = rows.astype(jnp.int32) + offset
            pos = jnp.where(rows < L, jnp.where(pos >= L, pos - L, pos), L)
            return ring.at[pos].add(v.astype(ring.dtype), mode="drop")
        return f

    caps = default_capacities(n_pre, jax.default_backend())
    if len(caps) == 1:
        return branch(caps[0])(None)
    which = jnp.searchsorted(jnp.asarray(caps), jnp.sum(active))
    return jax.lax.switch(which, [branch(k) for k in caps], None)


def _ring_native(values, codes, weights, ring, offset):
    kind = {jnp.dtype("float32"): "F32", jnp.dtype("float64"): "F64"}[jnp.dtype(ring.dtype)]
    call = jax.ffi.ffi_call(f"stp_brainpy_StpRingScatter{kind}", jax.ShapeDtypeStruct(ring.shape, ring.dtype),
                            vmap_method="sequential", input_output_aliases={3: 0})
    return call(values.astype(ring.dtype), codes.astype(jnp.int32), weights.astype(ring.dtype), ring,
                jnp.asarray(offset, jnp.int32))


def deliver_ring(values, codes, weights, ring, offset, backend: str = "auto"):
    """Add ``values[i] * weights[i, j]`` of active sources into a target-side delay ring.

    ``ring`` is ``(R * n_out,)``; ``codes[i, j] = (d mod R) * n_out + t`` (delay ``d`` in 1..R steps,
    target ``t``), ``>= R * n_out`` on padding; ``offset = (step mod R) * n_out``. An event emitted at
    step ``m`` with delay ``d`` lands in the slot read at step ``m + d``. Same result on both backends.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}; got {backend!r}")
    if backend == "xla" or (backend == "auto" and (not native_available() or jax.default_backend() != "cpu")):
        return _ring_xla(values, codes, weights, ring, offset)
    if not native_available():
        raise RuntimeError("backend='native' requested but the native kernel could not be built")
    return _ring_native(values, codes, weights, ring, offset)


def compact_since(spike, last, step, size: int, backend: str = "auto"):
    """The sources that spiked at ``step``, with the steps since their previous spike.

    Returns ``(idx, count, gap, last)``: ``idx`` the indices of the true entries of ``spike`` in ascending
    order padded with ``n_pre = spike.shape[0]`` to ``size`` entries, ``count`` how many (at most ``size``),
    ``gap[k] = step - last[idx[k]]`` (0 on padding), and ``last`` with ``step`` written at the active
    sources. The same on both backends; the native kernel is one pass over ``spike`` (``jnp.nonzero``'s
    two cumulative sums cost ~40 us per call on XLA CPU for 3200 sources).
    """
    n = spike.shape[0]
    if not _native_here(backend):
        idx = jnp.nonzero(spike, size=size, fill_value=n)[0].astype(jnp.int32)
        gap = jnp.where(idx < n, step - jnp.take(last, idx, mode="clip"), 0).astype(jnp.int32)
        count = jnp.minimum(jnp.sum(spike, dtype=jnp.int32), size)
        return idx, count, gap, last.at[idx].set(step, mode="drop")
    i32 = jax.ShapeDtypeStruct
    call = jax.ffi.ffi_call("stp_brainpy_StpCompactSince",
                            (i32((size,), jnp.int32), i32((), jnp.int32), i32((size,), jnp.int32), i32((n,), jnp.int32)),
                            vmap_method="sequential", input_output_aliases={1: 3})
    return call(spike.astype(bool), last.astype(jnp.int32), jnp.asarray(step, jnp.int32))

# ---------------------------------------------------------------- rows of the sources that spiked
# The heterogeneous STP update (kernels.emit) moves per-synapse rows of the active sources only: XLA CPU's
# gather and scatter of 32 rows cost ~10 us each (a generic per-element loop); these are row copies.
def _native_here(backend: str) -> bool:
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}; got {backend!r}")
    if backend == "xla" or (backend == "auto" and (not native_available() or jax.default_backend() != "cpu")):
        return False
    if not native_available():
        raise RuntimeError("backend='native' requested but the native kernel could not be built")
    return True


def _kind(dtype) -> str:
    return {jnp.dtype("float32"): "F32", jnp.dtype("float64"): "F64"}[jnp.dtype(dtype)]


def gather_rows(table, idx, backend: str = "auto"):
    """``table[clip(idx, 0, n - 1)]`` (rows along the first axis; float32/float64 tables)."""
    if not _native_here(backend):
        return jnp.take(table, idx, axis=0, mode="clip")
    call = jax.ffi.ffi_call(f"stp_brainpy_StpGatherRows{_kind(table.dtype)}",
                            jax.ShapeDtypeStruct((idx.shape[0],) + table.shape[1:], table.dtype),
                            vmap_method="sequential")
    return call(table, idx.astype(jnp.int32))


def scatter_rows(table, idx, rows, backend: str = "auto"):
    """``table.at[idx].set(rows, mode="drop")``, in place on the native path (``idx`` unique where in range)."""
    if not _native_here(backend):
        return table.at[idx].set(rows.astype(table.dtype), mode="drop")
    call = jax.ffi.ffi_call(f"stp_brainpy_StpScatterRows{_kind(table.dtype)}",
                            jax.ShapeDtypeStruct(table.shape, table.dtype), vmap_method="sequential",
                            input_output_aliases={0: 0})
    return call(table, idx.astype(jnp.int32), rows.astype(table.dtype))


def ring_rows(idx, codes, vals, ring, offset, backend: str = "auto"):
    """Add ``vals[k, j]`` of the sources ``idx[k] < n_pre`` into the target-side ring at
    ``(codes[idx[k], j] + offset) mod L`` (see :func:`deliver_ring` for the codes)."""
    if not _native_here(backend):
        L = ring.shape[0]
        rows = jnp.take(codes, idx, axis=0, mode="fill", fill_value=L)
        pos = rows.astype(jnp.int32) + offset
        pos = jnp.where(rows < L, jnp.where(pos >= L, pos - L, pos), L)
        return ring.at[pos].add(vals.astype(ring.dtype), mode="drop")
    call = jax.ffi.ffi_call(f"stp_brainpy_StpRingRows{_kind(ring.dtype)}", jax.ShapeDtypeStruct(ring.shape, ring.dtype),
                            vmap_method="sequential", input_output_aliases={3: 0})
    return call(idx.astype(jnp.int32), codes.astype(jnp.int32), vals.astype(ring.dtype), ring,
                jnp.asarray(offset, jnp.int32))


def ring_take(ring, base, offset, backend: str = "auto"):
    """Read and clear the target-side ring's slot at ``offset`` (see :func:`deliver_ring`): returns
    ``(base + ring[offset:offset + n], ring with those n entries zeroed)``, ``n = base.shape[0]``.

    Native: in place, both results aliasing their inputs (XLA's slice, add and update of one ring copied the
    whole ring, ``R * n`` values, twice per step). Both backends add ``base[k] + slot[k]`` once per entry, so
    they round alike."""
    n = base.shape[0]
    if not _native_here(backend):
        slot = jax.lax.dynamic_slice_in_dim(ring, offset, n)
        return base + slot, jax.lax.dynamic_update_slice_in_dim(ring, jnp.zeros(n, ring.dtype), offset, 0)
    call = jax.ffi.ffi_call(f"stp_brainpy_StpRingTake{_kind(ring.dtype)}",
                            (jax.ShapeDtypeStruct((n,), ring.dtype), jax.ShapeDtypeStruct(ring.shape, ring.dtype)),
                            vmap_method="sequential", input_output_aliases={1: 0, 0: 1})
    return call(ring, base.astype(ring.dtype), jnp.asarray(offset, jnp.int32))


def spike_list(spike, size: int, backend: str = "auto"):
    """The indices of the true entries of ``spike`` (ascending), padded with -1 to ``size``, and how many there
    are in all (more than ``size`` on overflow: the list keeps the first ``size``). Native: one pass
    (``jnp.nonzero``'s cumulative sums cost ~60 us per step on a 4000-vector on XLA CPU)."""
    size = int(size)
    if not _native_here(backend):
        ids = jnp.nonzero(spike, size=size, fill_value=-1)[0].astype(jnp.int32)
        return ids, jnp.sum(spike, dtype=jnp.int32)
    i32 = jax.ShapeDtypeStruct
    call = jax.ffi.ffi_call("stp_brainpy_StpCompact", (i32((size,), jnp.int32), i32((), jnp.int32)),
                            vmap_method="sequential")
    return call(spike.astype(bool))


def range_counts(spike, ranges, backend: str = "auto"):
    """Number of true entries of ``spike`` in each ``[a, b)`` of ``ranges`` (a tuple of int pairs): int32
    ``(len(ranges),)``. Native: one call (XLA: a slice and a reduction per range, ~1-2 us each on CPU)."""
    ranges = tuple((int(a), int(b)) for a, b in ranges)
    if not ranges:
        return jnp.zeros(0, jnp.int32)
    if not _native_here(backend):
        return jnp.stack([jnp.sum(spike[a:b], dtype=jnp.int32) for a, b in ranges])
    call = jax.ffi.ffi_call("stp_brainpy_StpRangeCounts", jax.ShapeDtypeStruct((len(ranges),), jnp.int32),
                            vmap_method="sequential")
    lo, hi = zip(*ranges)
    return call(spike.astype(bool), jnp.asarray(lo, jnp.int32), jnp.asarray(hi, jnp.int32))


def spike_stats(spike, stats, step, bounds, backend: str = "auto"):
    """Online statistics after step ``step`` and the step's spike count per population.

    ``stats = (count, last, n_isi, s1, s2)`` per neuron (spikes, step of the last spike or -1, intervals, their
    sum and sum of squares in steps); ``bounds`` the populations' offsets in ``spike`` and its length (a tuple
    of ints). Returns ``(stats, pop_counts)``. Native: in place, touching the neurons that spiked only (five
    dense passes and a reduction per population a step otherwise); the same arithmetic on both backends."""
    count, last, n_isi, s1, s2 = stats
    bounds = tuple(int(b) for b in bounds)
    if not _native_here(backend) or spike.shape[0] == 0:
        again = spike & (last >= 0)
        isi = (step - last).astype(s1.dtype)
        pops = jnp.stack([jnp.sum(spike[a:b], dtype=jnp.int32) for a, b in zip(bounds[:-1], bounds[1:])]) \
            if len(bounds) > 1 else jnp.zeros(0, jnp.int32)
        return (count + spike, jnp.where(spike, step, last), n_isi + again, s1 + jnp.where(again, isi, 0),
                s2 + jnp.where(again, isi * isi, 0)), pops
    i32 = jax.ShapeDtypeStruct
    call = jax.ffi.ffi_call(f"stp_brainpy_StpSpikeStats{_kind(s1.dtype)}",
                            tuple(i32(a.shape, a.dtype) for a in stats) + (i32((len(bounds) - 1,), jnp.int32),),
                            vmap_method="sequential", input_output_aliases={1: 0, 2: 1, 3: 2, 4: 3, 5: 4})
    *new, pops = call(spike.astype(bool), *stats, jnp.asarray(step, jnp.int32), jnp.asarray(bounds, jnp.int32))
    return tuple(new), pops
