r"""Spike-train and membrane statistics (pure JAX: jittable, ``vmap``-able, fixed-size outputs).

Every function takes arrays whose LAST axis is time (``spike``: bool/0-1 per step, ``V`` or
``g``: a trace) and reduces or indexes it; leading axes are batch axes. Variable spike counts
become fixed-size arrays padded with NaN plus a count, so batches stay rectangular.

Concrete arguments are checked eagerly (``ValueError``/``TypeError`` naming the parameter):
``dt`` finite and > 0 ms; ``t_start`` in [0, T) ms with T the trace's length; ``spike`` binary
(bool or 0/1) with at least one sample; ``max_spikes``, ``min_spikes`` and ``n`` integers (2.7
is refused, not truncated); traces numbers of the same length as the spikes. Inside ``jit`` /
``vmap`` the arrays are tracers and are not checked (``dt``, counts and ``t_start`` still are).

>>> import jax.numpy as jnp
>>> from stp_brainpy.analysis import firing_rate, cv_isi
>>> s = jnp.zeros(10000).at[::100].set(1.)          # regular, every 10 ms (dt = 0.1)
>>> float(firing_rate(s, 0.1)), float(cv_isi(s, 0.1))
(100.0, 0.0)
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from .core.spike_inputs import check_dt
from .core.validation import check_finite, check_integer, check_number, check_range, is_concrete

from .units import accepts_units
__all__ = ["spike_count", "firing_rate", "spike_times", "isis", "cv_isi", "fmp_stats", "value_at_nth_spike",
           "values_at_spikes", "nth_to_first_ratio"]

Array = jax.Array


def _f(x, name: str = "trace"):
    check_number(name, x)
    x = jnp.asarray(x)
    if x.ndim == 0:
        raise ValueError(f"{name} must have a time axis (last axis); got a scalar")
    return x.astype(jnp.result_type(float)) if not jnp.issubdtype(x.dtype, jnp.floating) else x


def _spikes(spike, name: str = "spike") -> Array:
    """``spike`` as a bool array with a time axis; concrete values must be binary (bool or 0/1)."""
    check_number(name, spike, allow_bool=True)
    if is_concrete(spike):
        arr = jnp.asarray(spike)
        if arr.ndim == 0 or arr.shape[-1] == 0:
            raise ValueError(f"{name} must have a time axis with at least one sample; got shape {arr.shape}")
        if arr.dtype != jnp.bool_ and not bool(jnp.all((arr == 0) | (arr == 1))):
            bad = np.unique(np.asarray(arr)[(np.asarray(arr) != 0) & (np.asarray(arr) != 1)])[:3]
            raise ValueError(f"{name} must be binary (bool or 0/1 per step); found values "
                             + ", ".join(f"{v:g}" for v in bad))
    return jnp.asarray(spike) != 0


def _first_sample(t_start, dt, steps: int, name: str = "t_start") -> int:
    """Index of the first sample at ``t ≥ t_start``; ``t_start`` in [0, steps·dt) ms."""
    check_dt(dt)
    check_finite(name, t_start, "ms")
    check_range(name, t_start, 0.0, steps * float(dt), high_open=True, unit=f"ms (the trace is {steps * float(dt):g} ms)")
    first = int(round(t_start / dt))
    if first >= steps:  # within half a step of the end: no sample left
        raise ValueError(f"{name} must leave at least one sample; got {t_start:g} ms of a {steps * float(dt):g} ms trace")
    return first


def _same_length(trace, spike) -> None:
    if trace.shape[-1] != spike.shape[-1]:
        raise ValueError(f"trace and spike must have the same number of samples (last axis); got "
                         f"{trace.shape[-1]} and {spike.shape[-1]}")


def spike_count(spike) -> Array:
    """Number of spikes along the last axis."""
    return jnp.sum(_spikes(spike), axis=-1)


@accepts_units(dt="ms", t_start="ms")
def firing_rate(spike, dt, t_start: float = 0.0) -> Array:
    """Spikes per second (Hz) over the samples with ``t ≥ t_start`` (ms); ``1e3·count/T`` as in the tutorial."""
    spike = _spikes(spike)
    steps = spike.shape[-1]
    first = _first_sample(t_start, dt, steps)
    duration = (steps - first) * dt
    return jnp.sum(spike[..., first:], axis=-1).astype(jnp.result_type(float)) * (1000.0 / duration)


@accepts_units(dt="ms")
def spike_times(spike, dt, max_spikes: int) -> tuple[Array, Array]:
    """First ``max_spikes`` spike times (ms, sample index · dt), NaN-padded, and the total count."""
    spike = _spikes(spike)
    check_dt(dt)
    max_spikes = check_integer("max_spikes", max_spikes, 1, None)
    steps = spike.shape[-1]
    idx = jnp.where(spike, jnp.arange(steps), steps)
    first = jnp.sort(idx, axis=-1)[..., :max_spikes]
    times = jnp.where(first < steps, first * jnp.asarray(dt, jnp.result_type(float)), jnp.nan)
    if times.shape[-1] < max_spikes:  # fewer samples than requested slots
        pad = [(0, 0)] * (times.ndim - 1) + [(0, max_spikes - times.shape[-1])]
        times = jnp.pad(times, pad, constant_values=jnp.nan)
    return times, spike_count(spike)


@accepts_units(dt="ms")
def isis(spike, dt, max_spikes: int) -> Array:
    """Inter-spike intervals (ms) of the first ``max_spikes`` spikes: (..., max_spikes-1), NaN-padded."""
    max_spikes = check_integer("max_spikes", max_spikes, 2, None)
    times, _ = spike_times(spike, dt, max_spikes)
    return jnp.diff(times, axis=-1)


def _gaps(spike, dt):
    """Per sample: the ISI ending there (0 where no spike or no earlier spike) and its mask."""
    spike = _spikes(spike)
    check_dt(dt)
    steps = spike.shape[-1]
    t = jnp.arange(steps)
    last = jax.lax.cummax(jnp.where(spike, t, -1), axis=spike.ndim - 1)
    prev = jnp.concatenate([jnp.full(spike.shape[:-1] + (1,), -1), last[..., :-1]], axis=-1)
    valid = spike & (prev >= 0)
    gap = jnp.where(valid, (t - prev) * jnp.asarray(dt, jnp.result_type(float)), 0.0)
    return gap, valid


@accepts_units(dt="ms")
def cv_isi(spike, dt, min_spikes: int = 2, empty=jnp.nan) -> Array:
    """``std(ISI)/mean(ISI)`` (population std, as ``np.std``) over ALL spikes, O(steps), no padding.

    With fewer than ``min_spikes`` spikes the result is ``empty``; the tutorial's explorer uses
    ``min_spikes=4, empty=0``.
    """
    min_spikes = check_integer("min_spikes", min_spikes, 0, None)
    check_number("empty", empty)
    gap, valid = _gaps(spike, dt)
    n = valid.sum(axis=-1).astype(gap.dtype)
    mean = gap.sum(axis=-1) / jnp.maximum(n, 1)
    var = jnp.sum(jnp.where(valid, (gap - mean[..., None]) ** 2, 0.0), axis=-1) / jnp.maximum(n, 1)
    cv = jnp.sqrt(var) / jnp.where(mean > 0, mean, 1.0)
    return jnp.where(n + 1 >= max(min_spikes, 2), cv, empty)


@accepts_units(V="mV", t_start="ms", dt="ms")
def fmp_stats(V, t_start: float = 0.0, dt: float = 0.1) -> tuple[Array, Array]:
    """Mean and standard deviation (mV) of a free-membrane-potential trace from ``t_start`` (ms)."""
    V = _f(V, "V")
    if is_concrete(V):
        check_finite("V", V, "mV")
    V = V[..., _first_sample(t_start, dt, V.shape[-1]):]
    return V.mean(axis=-1), V.std(axis=-1)


def value_at_nth_spike(trace, spike, n: int) -> Array:
    """``trace`` at the sample of the ``n``-th spike (1-based); NaN if there are fewer spikes.

    With a conductance trace this is the tutorial's ``g₁``/``g₁₀`` (its conductance right after
    the jump of that spike).
    """
    n = check_integer("n", n, 1, None)
    spike = _spikes(spike)
    trace = _f(trace)
    _same_length(trace, spike)
    hit = spike & (jnp.cumsum(spike, axis=-1) == n)
    k = jnp.argmax(hit, axis=-1)
    val = jnp.take_along_axis(trace, k[..., None], axis=-1)[..., 0]
    return jnp.where(hit.any(axis=-1), val, jnp.nan)


def values_at_spikes(trace, spike, max_spikes: int) -> Array:
    """``trace`` at the first ``max_spikes`` spikes: (..., max_spikes), NaN-padded."""
    max_spikes = check_integer("max_spikes", max_spikes, 1, None)
    spike = _spikes(spike)
    trace = _f(trace)
    _same_length(trace, spike)
    steps = spike.shape[-1]
    idx = jnp.sort(jnp.where(spike, jnp.arange(steps), steps), axis=-1)[..., :max_spikes]
    vals = jnp.take_along_axis(trace, jnp.minimum(idx, steps - 1), axis=-1)
    vals = jnp.where(idx < steps, vals, jnp.nan)
    if vals.shape[-1] < max_spikes:
        vals = jnp.pad(vals, [(0, 0)] * (vals.ndim - 1) + [(0, max_spikes - vals.shape[-1])],
                       constant_values=jnp.nan)
    return vals


def nth_to_first_ratio(trace, spike, n: int = 10) -> Array:
    """``g_n / g_1``: the trace at the n-th spike over the trace at the first (NaN if missing)."""
    return value_at_nth_spike(trace, spike, n) / value_at_nth_spike(trace, spike, 1)
