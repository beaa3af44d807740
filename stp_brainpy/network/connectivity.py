"""Random connectivity for event-driven projections, stored source-major.

A :class:`Connectivity` holds the same synapses twice:

``CSR``  ``indptr`` (n_pre + 1) and ``indices`` (nnz): targets of source ``i`` are
         ``indices[indptr[i]:indptr[i+1]]``.
``ELL``  ``targets`` (n_pre, max_degree): the same lists padded with ``n_post`` (an
         out-of-range index that scatter-adds with ``mode='drop'`` ignore).

Event delivery gathers the rows of the sources that spiked. In pure XLA on CPU, ELL (one
gather + one scatter per step) and CSR (rows expanded into a fixed event buffer) measured
within noise of each other (~80-110 us per step on the COBA workload), both dominated by the
compaction of the active sources; ELL is kept because it needs no second buffer size. The
native CPU kernel walks the ELL rows directly and takes ~6 us per step
(``benchmarks/bench_delivery.py``; numbers in README.md, "Networks"). ``synapse_index`` maps
an ELL slot to its CSR position so per-synapse arrays (weights, heterogeneous STP
parameters) can be stored in either layout.

Builders use NumPy's ``Generator`` (PCG64) seeded by ``seed`` — connectivity is
static data, built once on the host. Their cost follows the number of synapses, not
``n_pre × n_post`` (:func:`bernoulli` walks geometric gaps between successes), and they refuse
up front (``ValueError`` with the estimate) a size whose synapses cannot fit in the memory
available (:mod:`stp_brainpy.network.sizes`). Zero-size groups give empty connectivities.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..core.validation import check_integer, check_number, check_range
from .sizes import MAX_INDEX, check_fits, expected_synapses

__all__ = ["Connectivity", "bernoulli", "fixed_in_degree", "fixed_in_degree_pairs", "from_dense", "from_pairs", "select"]


@dataclass(frozen=True)
class Connectivity:
    """Source-major synapse lists (CSR and padded ELL) of one projection.

    Attributes
    ----------
    n_pre, n_post : int
        Number of sources and targets.
    indptr : ndarray (n_pre + 1,) int64
    indices : ndarray (nnz,) int32, targets in source order (ascending within a source)
    targets : ndarray (n_pre, max_degree) int32, padded with ``n_post``; laid out on first use (the network
        plan builds its own tables from ``indptr``/``indices`` and never needs it)
    """

    n_pre: int
    n_post: int
    indptr: np.ndarray
    indices: np.ndarray

    @property
    def nnz(self) -> int:
        return int(self.indices.size)

    @property
    def degree(self) -> np.ndarray:
        """Out-degree (fan-out) of every source."""
        return np.diff(self.indptr)

    @property
    def max_degree(self) -> int:
        return max(int(self.degree.max()) if self.n_pre else 0, 1)

    @cached_property
    def targets(self) -> np.ndarray:
        deg = self.degree
        out = np.full((self.n_pre, self.max_degree), self.n_post, np.int32)
        if self.nnz:
            out[np.arange(out.shape[1]) < deg[:, None]] = self.indices  # row-major fill = CSR order
        return out

    @cached_property
    def synapse_index(self) -> np.ndarray:
        """(n_pre, max_degree) CSR position of each ELL slot (``nnz`` on padding); built on demand."""
        slot = np.arange(self.max_degree)
        return np.where(slot < self.degree[:, None], self.indptr[:-1, None] + slot, self.nnz)

    def to_dense(self, values=None, dtype=float) -> np.ndarray:
        """Dense (n_pre, n_post) matrix; ``values`` per synapse (CSR order) or 1. Multapses add up."""
        mat = np.zeros((self.n_pre, self.n_post), dtype)
        rows = np.repeat(np.arange(self.n_pre), self.degree)
        vals = np.ones(self.nnz, dtype) if values is None else np.broadcast_to(np.asarray(values, dtype), (self.nnz,))
        np.add.at(mat, (rows, self.indices), vals)
        return mat

    def ell_values(self, values, fill=0.0) -> np.ndarray:
        """Per-synapse ``values`` (CSR order, or a scalar) laid out like ``targets``."""
        vals = np.broadcast_to(np.asarray(values), (self.nnz,))
        padded = np.append(vals, np.asarray(fill, vals.dtype))
        return padded[self.synapse_index]


def _check_size(name: str, n) -> int:
    return check_integer(name, n, low=0, high=MAX_INDEX)


def _check_seed(seed):
    """An int ``>= 0`` (or a ``SeedSequence`` / ``Generator`` passed through)."""
    if isinstance(seed, (np.random.SeedSequence, np.random.Generator)):
        return seed
    return check_integer("seed", seed, low=0)


def _check_flag(name: str, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {value!r}")
    return bool(value)


def _from_degree(degree: np.ndarray, post: np.ndarray, n_pre: int, n_post: int) -> Connectivity:
    """From the out-degree of every source and the targets in (pre, post) order."""
    indptr = np.zeros(n_pre + 1, np.int64)
    np.cumsum(degree, out=indptr[1:])
    return Connectivity(int(n_pre), int(n_post), indptr, post.astype(np.int32, copy=False))


def _from_sorted(pre: np.ndarray, post: np.ndarray, n_pre: int, n_post: int) -> Connectivity:
    """From pairs already sorted by (pre, post); int64 ``pre`` and ``post``."""
    degree = np.bincount(pre, minlength=n_pre) if pre.size else np.zeros(n_pre, np.int64)
    return _from_degree(degree, post, n_pre, n_post)


def _index_array(name: str, values, n: int) -> np.ndarray:
    check_number(name, values)
    arr = np.asarray(values)
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or np.any(arr != np.floor(arr)):
            raise ValueError(f"{name} indices must be integers; got non-integral or non-finite values")
    elif arr.dtype.kind not in "iu":
        raise TypeError(f"{name} indices must be integers; got dtype {arr.dtype}")
    arr = arr.astype(np.int64).ravel()
    if arr.size and (arr.min() < 0 or arr.max() >= n):
        raise ValueError(f"{name} indices must lie in [0, {n - 1}]; got values in [{arr.min()}, {arr.max()}]")
    return arr


def from_pairs(pre, post, n_pre: int, n_post: int) -> Connectivity:
    """Build from parallel arrays of source and target indices (any order; repeated pairs are multapses)."""
    n_pre, n_post = _check_size("n_pre", n_pre), _check_size("n_post", n_post)
    pre = _index_array("pre", pre, n_pre)
    post = _index_array("post", post, n_post)
    if pre.shape != post.shape:
        raise ValueError(f"pre and post must have the same length; got {pre.size} and {post.size}")
    # one sort of a combined key (much faster than lexsort at 32M synapses)
    key = np.sort(pre * np.int64(max(n_post, 1)) + post)
    pre, post = np.divmod(key, np.int64(max(n_post, 1)))
    return _from_sorted(pre, post, n_pre, n_post)


def from_dense(mask) -> Connectivity:
    """From a boolean (n_pre, n_post) adjacency matrix."""
    mask = np.asarray(mask)
    if mask.ndim != 2:
        raise ValueError(f"mask must be a 2-D (n_pre, n_post) adjacency matrix; got shape {mask.shape}")
    if mask.dtype.kind not in "biuf":
        raise TypeError(f"mask must hold booleans or 0/1; got dtype {mask.dtype}")
    if mask.dtype.kind != "b" and not np.all((mask == 0) | (mask == 1)):
        raise ValueError("mask must hold booleans or 0/1 entries")
    pre, post = np.nonzero(mask.astype(bool))
    return from_pairs(pre, post, *mask.shape)


_GAP_CHUNK = 1 << 22  # geometric gaps drawn per round (bounds the temporary memory)


def bernoulli(n_pre: int, n_post: int, p: float, seed: int = 0, *, allow_autapses: bool = True) -> Connectivity:
    """Every ordered pair (i, j) connected independently with probability ``p``.

    The pairs are walked in (source, target) order and the gaps between successive synapses are
    drawn as Geometric(p) variables — exactly the law of independent Bernoulli trials — so the
    work and memory follow the number of synapses (``≈ n_pre·n_post·p``), not the number of
    pairs, and the synapses come out sorted (no sort). ``allow_autapses=False`` (pre and post the
    same group) drops i → i, leaving every other pair's Bernoulli trial untouched. The out-degree
    of a source is Binomial(n_post, p) (Binomial(n_post - 1, p) without autapses), the in-degree
    Binomial(n_pre, p).

    Raises ``ValueError`` for sizes that are not counts, ``p`` outside [0, 1], a negative seed, or a
    network whose synapses cannot fit in memory (with the estimate).
    """
    n_pre, n_post = _check_size("n_pre", n_pre), _check_size("n_post", n_post)
    check_number("p", p)
    check_range("p", p, 0.0, 1.0)
    seed = _check_seed(seed)
    allow_autapses = _check_flag("allow_autapses", allow_autapses)
    p = float(p)
    check_fits(f"bernoulli({n_pre}, {n_post}, p={p:g})", expected_synapses(n_pre, n_post, p=p))
    rng = np.random.default_rng(seed)
    total = n_pre * n_post
    if total == 0 or p == 0.0:
        keys = np.zeros(0, np.int64)
    elif p == 1.0:
        keys = np.arange(total, dtype=np.int64)
    else:
        parts, last = [], -1  # position of the last synapse drawn
        while True:
            remaining = (total - 1 - last) * p
            m = int(min(_GAP_CHUNK, remaining + 6.0 * np.sqrt(remaining + 1.0) + 64))
            pos = np.cumsum(rng.geometric(p, size=m))
            pos += last
            if pos[-1] >= total:
                parts.append(pos[:np.searchsorted(pos, total)])
                break
            parts.append(pos)
            last = int(pos[-1])
        keys = np.concatenate(parts) if len(parts) > 1 else parts[0]
    # the keys are sorted: each source's synapses are one run, found by bisection (no per-synapse source index)
    indptr = np.searchsorted(keys, np.arange(n_pre + 1, dtype=np.int64) * max(n_post, 1))
    degree = np.diff(indptr)
    post = keys - np.repeat(np.arange(n_pre, dtype=np.int64) * n_post, degree)
    del keys
    if not allow_autapses:
        keep = post != np.repeat(np.arange(n_pre, dtype=np.int64), degree)
        kept = np.zeros(post.size + 1, np.int64)
        np.cumsum(keep, out=kept[1:])
        post, degree = post[keep], np.diff(kept[indptr])
    return _from_degree(degree, post, n_pre, n_post)


def fixed_in_degree(n_pre: int, n_post: int, k: int, seed: int = 0, *, allow_autapses: bool = True) -> Connectivity:
    """Every target draws exactly ``k`` distinct sources uniformly at random.

    Sampling is vectorised (draw with replacement, redraw duplicates; or, when ``k`` is a large
    fraction of ``n_pre``, the ``k`` smallest of ``n_pre`` uniforms per target), so 400k targets ×
    80 sources build in seconds.
    """
    pre, post = fixed_in_degree_pairs(n_pre, n_post, k, seed, allow_autapses=allow_autapses)
    return from_pairs(pre, post, n_pre, n_post)


def fixed_in_degree_pairs(n_pre: int, n_post: int, k: int, seed=0, *,
                          allow_autapses: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The (pre, post) index arrays of :func:`fixed_in_degree`, before CSR/ELL conversion."""
    n_pre, n_post = _check_size("n_pre", n_pre), _check_size("n_post", n_post)
    allow_autapses = _check_flag("allow_autapses", allow_autapses)
    max_k = max(n_pre - (0 if allow_autapses or n_post == 0 else 1), 0)
    k = check_integer("k (in-degree)", k, low=0)
    if k > max_k:
        raise ValueError(f"k must lie in [0, {max_k}] (number of available sources); got {k}")
    seed = _check_seed(seed)
    check_fits(f"fixed_in_degree({n_pre}, {n_post}, k={k})", expected_synapses(n_pre, n_post, in_degree=k))
    rng = np.random.default_rng(seed)
    if k == 0 or n_post == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if 4 * k > n_pre:  # dense regime: the k smallest of n_pre uniforms per target (a random k-subset)
        rows = max(1, (1 << 22) // n_pre)
        src = np.empty((n_post, k), np.int64)
        for start in range(0, n_post, rows):
            stop = min(n_post, start + rows)
            r = rng.random((stop - start, n_pre))
            if not allow_autapses:
                own = np.arange(start, stop)
                ok = own < n_pre
                r[(own - start)[ok], own[ok]] = 2.0  # never among the k smallest (k <= n_pre - 1)
            src[start:stop] = np.argpartition(r, k - 1, axis=1)[:, :k]
    else:
        src = rng.integers(0, n_pre, size=(n_post, k))
        own = np.arange(n_post)[:, None]
        while True:
            src.sort(axis=1)
            bad = np.zeros_like(src, bool)
            bad[:, 1:] = src[:, 1:] == src[:, :-1]
            if not allow_autapses:
                bad |= src == own
            n_bad = int(bad.sum())
            if n_bad == 0:
                break
            src[bad] = rng.integers(0, n_pre, size=n_bad)
    return src.ravel(), np.repeat(np.arange(n_post), k)


def select(conn: Connectivity, pre: slice, post: slice) -> Connectivity:
    """The block ``pre × post`` of ``conn`` (contiguous index ranges), renumbered from 0."""
    if not isinstance(conn, Connectivity):
        raise TypeError(f"conn must be a Connectivity; got {type(conn).__name__}")
    for name, s in (("pre", pre), ("post", post)):
        if not isinstance(s, slice) or s.step not in (None, 1):
            raise TypeError(f"{name} must be a contiguous slice (step 1); got {s!r}")
    p0, p1, _ = pre.indices(conn.n_pre)
    q0, q1, _ = post.indices(conn.n_post)
    p1, q1 = max(p0, p1), max(q0, q1)
    # the rows p0..p1 are one contiguous run of the CSR; within it keep the targets in [q0, q1)
    lo = conn.indptr[p0:p1 + 1] - conn.indptr[p0]
    idx = conn.indices[conn.indptr[p0]:conn.indptr[p1]]
    if q0 == 0 and q1 == conn.n_post:
        return _from_degree(np.diff(lo), idx.copy(), p1 - p0, q1 - q0)
    keep = (idx >= q0) & (idx < q1)
    kept = np.zeros(idx.size + 1, np.int64)
    np.cumsum(keep, out=kept[1:])
    # CSR order is (pre, post)-sorted, so the block is too
    return _from_degree(np.diff(kept[lo]), idx[keep] - np.int32(q0), p1 - p0, q1 - q0)
