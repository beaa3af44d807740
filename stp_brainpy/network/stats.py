"""Spike statistics of a network run: mean rate and mean CV of the inter-spike intervals.

Both the fused simulator (online sums, no raster needed) and the benchmark (spike lists of every
contender, :func:`spike_stats`) reduce through :func:`stats_from_sums`, so every simulator is
measured alike. :func:`population_stats` gives the same numbers per population as an ``xarray.Dataset``
with CF attributes (``units``, ``long_name``; counts as integers).
"""
from __future__ import annotations

import numpy as np

from ..core.validation import check_finite, check_integer, check_number, check_positive

from ..units import accepts_units
__all__ = ["spike_stats", "stats_from_sums", "population_stats", "STATS_ATTRS"]


@accepts_units(times="ms", duration="ms", dt="ms")
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


@accepts_units(duration="ms")
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


#: CF attributes of :func:`population_stats`' variables
STATS_ATTRS = {
    "size": {"units": "1", "long_name": "neurons in the population"},
    "rate": {"units": "Hz", "long_name": "mean firing rate per neuron"},
    "cv_isi": {"units": "1", "long_name": "mean coefficient of variation of the inter-spike intervals"},
    "n_spikes": {"units": "1", "long_name": "spikes emitted"},
    "n_cv_neurons": {"units": "1", "long_name": "neurons with enough intervals for a CV"},
}


@accepts_units(times="ms", duration="ms", dt="ms")
def population_stats(ids, times, populations, duration: float, dt: float = 0.1, min_isis: int = 2):
    """:func:`spike_stats` of each population as an ``xarray.Dataset`` over ``population``.

    ``ids`` are global neuron indices, ``times`` spike times (ms); ``populations`` lists ``(name, first index,
    size)``. Variables ``rate`` (Hz), ``cv_isi``, ``n_spikes``, ``n_cv_neurons`` and ``size`` (integers).

    >>> ds = population_stats([0, 0, 0, 3], [1.0, 11.0, 31.0, 5.0], [("E", 0, 3), ("I", 3, 1)], duration=100.0)
    >>> ds.rate.values.tolist(), ds.n_spikes.values.tolist(), round(float(ds.cv_isi[0]), 3)
    ([10.0, 10.0], [3, 1], 0.333)
    """
    import xarray as xr

    ids, times = np.asarray(ids), np.asarray(times, float)
    rows = []
    for name, first, size in populations:
        first = check_integer("first index", first, low=0)
        size = check_integer("size", size, low=1)
        sel = (ids >= first) & (ids < first + size)
        rows.append((name, size, spike_stats(ids[sel] - first, times[sel], size, duration, dt, min_isis)))
    data = {"size": [r[1] for r in rows], **{k: [r[2][k if k != "rate" else "rate_hz"] for r in rows]
                                             for k in ("rate", "cv_isi", "n_spikes", "n_cv_neurons")}}
    ints = ("size", "n_spikes", "n_cv_neurons")
    ds = xr.Dataset({k: ("population", np.asarray(v, np.int64 if k in ints else np.float64), dict(STATS_ATTRS[k]))
                     for k, v in data.items()},
                    coords={"population": ("population", [r[0] for r in rows], {"long_name": "population name"})})
    ds.attrs.update(duration_ms=float(duration), dt_ms=float(dt), min_isis=int(min_isis),
                    cv_rule="CV = std/mean of a neuron's ISIs (population std), averaged over neurons with >= min_isis "
                            "intervals; spike times binned to dt first")
    return ds
