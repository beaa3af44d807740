"""Spike statistics of a network run: mean rate and mean CV of the inter-spike intervals.

Both the fused simulator (online sums, no raster needed) and the benchmark (spike lists of every
contender, :func:`spike_stats`) reduce through :func:`stats_from_sums`, so every simulator is
measured alike.
"""
from __future__ import annotations

import numpy as np

from ..core.validation import check_finite, check_integer, check_number, check_positive

__all__ = ["spike_stats", "stats_from_sums"]


def spike_stats(ids, times, n_neurons: int, duration: float, dt: float = 0.1, min_isis: int = 2) -> dict:
    """Mean rate (Hz) and mean CV_ISI over neurons with at least ``min_isis`` intervals.

    ``ids``/``times`` (ms) list every spike. CV = std/mean of a neuron's ISIs (population std).
    Times are binned to steps of ``dt`` first so every simulator is measured alike.
    """
    n_neurons = check_integer("n_neurons", n_neurons, low=1)
    min_isis = check_integer("min_isis", min_isis, low=1)
    check_positive("duration", duration)
    check_finite("duration", duration, "ms")
    check_positive("dt", dt)
    check_number("ids", ids)
    check_finite("times", times, "ms")
    ids, times = np.asarray(ids), np.asarray(times, float)
    if ids.ndim != 1 or times.shape != ids.shape:
        raise ValueError(f"ids and times must be 1-D arrays of one length; got shapes {ids.shape} and {times.shape}")
    if ids.size and (ids.dtype.kind not in "iu" or ids.min() < 0 or ids.max() >= n_neurons):
        raise ValueError(f"ids must be integers in [0, {n_neurons - 1}]")
    ids = ids.astype(np.int64)
    steps = np.rint(times / dt).astype(np.int64)
    order = np.lexsort((steps, ids))
    ids, steps = ids[order], steps[order]
    count = np.bincount(ids, minlength=n_neurons)
    same = ids[1:] == ids[:-1]
    isi = (steps[1:] - steps[:-1])[same].astype(float)
    who = ids[1:][same]
    n_isi = np.bincount(who, minlength=n_neurons)
    s1 = np.bincount(who, isi, minlength=n_neurons)
    s2 = np.bincount(who, isi * isi, minlength=n_neurons)
    return stats_from_sums(count, n_isi, s1, s2, duration, min_isis)


def stats_from_sums(count, n_isi, s1, s2, duration, min_isis=2) -> dict:
    """Rate (Hz) and mean CV_ISI from per-neuron spike counts, ISI counts and ISI sums ``Σ isi``, ``Σ isi²`` (ms)."""
    count, n_isi, s1, s2 = (np.asarray(a, float) for a in (count, n_isi, s1, s2))
    ok = n_isi >= min_isis
    mean = s1[ok] / n_isi[ok]
    var = np.maximum(s2[ok] / n_isi[ok] - mean ** 2, 0.0)
    cv = np.sqrt(var) / mean
    return {"rate_hz": float(count.sum() / count.size / (duration / 1000.0)),
            "cv_isi": float(cv.mean()) if cv.size else float("nan"),
            "n_spikes": int(count.sum()), "n_cv_neurons": int(ok.sum())}
