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
static data, built once on the host.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..core.validation import check_range

__all__ = ["Connectivity", "bernoulli", "fixed_in_degree", "fixed_in_degree_pairs", "from_dense", "from_pairs", "select", "concat_pairs"]


@dataclass(frozen=True)
class Connectivity:
    """Source-major synapse lists (CSR and padded ELL) of one projection.

    Attributes
    ----------
    n_pre, n_post : int
        Number of sources and targets.
    indptr : ndarray (n_pre + 1,) int64
    indices : ndarray (nnz,) int32, targets in source order (ascending within a source)
    targets : ndarray (n_pre, max_degree) int32, padded with ``n_post``
    """

    n_pre: int
    n_post: int
    indptr: np.ndarray
    indices: np.ndarray
    targets: np.ndarray

    @property
    def nnz(self) -> int:
        return int(self.indices.size)

    @property
    def degree(self) -> np.ndarray:
        """Out-degree (fan-out) of every source."""
        return np.diff(self.indptr)

    @property
    def max_degree(self) -> int:
        return int(self.targets.shape[1])

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


def from_pairs(pre: np.ndarray, post: np.ndarray, n_pre: int, n_post: int) -> Connectivity:
    """Build from parallel arrays of source and target indices (any order)."""
    pre = np.asarray(pre, np.int64).ravel()
    post = np.asarray(post, np.int64).ravel()
    if pre.shape != post.shape:
        raise ValueError(f"pre and post must have the same length; got {pre.size} and {post.size}")
    if pre.size and (pre.min() < 0 or pre.max() >= n_pre):
        raise ValueError(f"pre indices must lie in [0, {n_pre - 1}]")
    if post.size and (post.min() < 0 or post.max() >= n_post):
        raise ValueError(f"post indices must lie in [0, {n_post - 1}]")
    # one sort of a combined key (much faster than lexsort at 32M synapses)
    key = np.sort(pre * np.int64(max(n_post, 1)) + post)
    pre, post = np.divmod(key, np.int64(max(n_post, 1)))
    degree = np.bincount(pre, minlength=n_pre)
    indptr = np.zeros(n_pre + 1, np.int64)
    np.cumsum(degree, out=indptr[1:])
    max_deg = max(int(degree.max()) if n_pre else 0, 1)
    targets = np.full((n_pre, max_deg), n_post, np.int32)
    targets[np.arange(max_deg) < degree[:, None]] = post  # row-major fill = CSR order
    return Connectivity(int(n_pre), int(n_post), indptr, post.astype(np.int32), targets)


def from_dense(mask) -> Connectivity:
    """From a boolean (n_pre, n_post) adjacency matrix."""
    mask = np.asarray(mask, bool)
    pre, post = np.nonzero(mask)
    return from_pairs(pre, post, *mask.shape)


def bernoulli(n_pre: int, n_post: int, p: float, seed: int = 0, *, allow_autapses: bool = True,
              chunk: int = 1 << 24) -> Connectivity:
    """Every ordered pair (i, j) connected independently with probability ``p``.

    ``allow_autapses=False`` (only meaningful when pre and post are the same group)
    removes i → i. Work is O(n_pre · n_post) on the host, in chunks of ``chunk`` pairs.
    """
    check_range("p", p, 0.0, 1.0)
    rng = np.random.default_rng(seed)
    rows_per_chunk = max(1, chunk // max(n_post, 1))
    pres, posts = [], []
    for start in range(0, n_pre, rows_per_chunk):
        stop = min(n_pre, start + rows_per_chunk)
        hit = rng.random((stop - start, n_post)) < p
        if not allow_autapses:
            idx = np.arange(start, stop)
            ok = idx < n_post
            hit[(idx - start)[ok], idx[ok]] = False
        r, c = np.nonzero(hit)
        pres.append(r + start)
        posts.append(c)
    return from_pairs(np.concatenate(pres), np.concatenate(posts), n_pre, n_post)


def fixed_in_degree(n_pre: int, n_post: int, k: int, seed: int = 0, *, allow_autapses: bool = True) -> Connectivity:
    """Every target draws exactly ``k`` distinct sources uniformly at random.

    Sampling is vectorised (draw with replacement, redraw duplicates), so 400k
    targets × 80 sources build in seconds.
    """
    pre, post = fixed_in_degree_pairs(n_pre, n_post, k, seed, allow_autapses=allow_autapses)
    return from_pairs(pre, post, n_pre, n_post)


def fixed_in_degree_pairs(n_pre: int, n_post: int, k: int, seed=0, *,
                          allow_autapses: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The (pre, post) index arrays of :func:`fixed_in_degree`, before CSR/ELL conversion."""
    k = int(k)
    max_k = n_pre - (0 if allow_autapses else 1)
    if not 0 <= k <= max_k:
        raise ValueError(f"k must lie in [0, {max_k}] (number of available sources); got {k}")
    rng = np.random.default_rng(seed)
    if k == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if 4 * k > n_pre:  # dense regime: a permutation per target is cheap enough
        src = np.stack([rng.permutation(n_pre)[:k + 1] for _ in range(n_post)])
        if not allow_autapses:
            own = src == np.arange(n_post)[:, None]
            keep = ~own
            keep[:, -1] &= own.any(axis=1)  # the spare column replaces a self-pair
            src = src[keep].reshape(n_post, k)
        else:
            src = src[:, :k]
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
    p0, p1, _ = pre.indices(conn.n_pre)
    q0, q1, _ = post.indices(conn.n_post)
    rows = np.repeat(np.arange(conn.n_pre), conn.degree)
    keep = (rows >= p0) & (rows < p1) & (conn.indices >= q0) & (conn.indices < q1)
    return from_pairs(rows[keep] - p0, conn.indices[keep].astype(np.int64) - q0, p1 - p0, q1 - q0)


def concat_pairs(blocks) -> tuple[np.ndarray, np.ndarray]:
    """Stack ``(conn, pre_offset, post_offset)`` blocks into global (pre, post) index arrays."""
    pres, posts = [], []
    for c, po, qo in blocks:
        pres.append(np.repeat(np.arange(c.n_pre), c.degree) + po)
        posts.append(c.indices.astype(np.int64) + qo)
    return np.concatenate(pres), np.concatenate(posts)
