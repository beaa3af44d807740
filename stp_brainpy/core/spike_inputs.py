r"""Input spike trains and noise currents as arrays (pure JAX, jittable; the user-facing,
duration-based API is :mod:`stp_brainpy.inputs`).

Conventions (the Neuromatch tutorial's): a train is a binary array over time steps
``t_k = k·dt`` (k = 0..steps-1), one row per train. Rates are in Hz, times in ms, so the
per-step spike probability of a Poisson train is ``rate·dt/1000``.

Concrete arguments are checked eagerly (``ValueError``/``TypeError`` naming the parameter):
counts and sizes (``n``, ``steps``, ``isi``, ``first``, ``max_spikes``) are integers (2.7 is
refused, not truncated), ``dt`` > 0, rates ≥ 0 with ``rate·dt/1000 ≤ 1`` (one spike per step at
most), ``sig`` ≥ 0, all finite. Traced values (inside ``jit``/``vmap``) are not checked.
"""
from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

from .validation import check_finite, check_integer, check_number, check_range, is_concrete

from ..units import accepts_units
__all__ = ["regular_train", "poisson_trains", "poisson_trains_sparse", "poisson_spike_indices", "sparse_max_spikes",
           "times_to_train", "gaussian_white_noise", "isi_steps", "check_dt", "check_rate"]

Array = jax.Array


@accepts_units(dt="ms")
def check_dt(dt) -> None:
    """``dt`` (ms) finite and > 0."""
    check_finite("dt", dt, "ms")
    check_range("dt", dt, 0.0, None, low_open=True, unit="ms")


@accepts_units(rate="Hz", dt="ms")
def check_rate(rate, dt, positive: bool = False, name: str = "rate") -> None:
    """Rates (Hz) finite, ≥ 0 (> 0 if ``positive``) and at most one spike per step: ``rate·dt/1000 ≤ 1``."""
    check_finite(name, rate, "Hz")
    check_range(name, rate, 0.0, None, low_open=positive, unit="Hz")
    if not (is_concrete(rate) and is_concrete(dt)):
        return
    top = float(np.max(np.asarray(rate, float))) if np.size(rate) else 0.0
    if top * float(dt) / 1000.0 > 1.0:
        raise ValueError(f"{name}·dt/1000 must be ≤ 1 (at most one spike per step of a binary train); got "
                         f"{top * float(dt) / 1000.0:g} for {name} {top:g} Hz and dt {float(dt):g} ms: use a "
                         "smaller dt")


def _check_counts(**counts) -> dict:
    """Integer counts ≥ 0 (``isi`` ≥ 1); returns them as ``int`` (tracers unchanged)."""
    return {k: check_integer(k, v, 1 if k == "isi" else 0, None) for k, v in counts.items()}


@accepts_units(rate="Hz", dt="ms")
def isi_steps(rate, dt) -> int:
    """The tutorial's interval in steps for a regular train: ``int((1e3/rate)/dt)`` (truncated, ≥ 1)."""
    check_dt(dt)
    check_rate(rate, dt, positive=True)
    isi = int((1e3 / float(rate)) / float(dt))
    if isi < 1:  # rounding at rate·dt/1000 = 1
        raise ValueError(f"rate {float(rate):g} Hz leaves less than one step of dt {float(dt):g} ms between spikes")
    return isi


def regular_train(steps: int, isi: int, first: int = 0, dtype=None) -> Array:
    """Binary train with a spike every ``isi`` steps starting at index ``first``.

    ``first=0`` is the tutorial's ``train[::isi] = 1`` (a spike at index 0, which its loops
    never read: the first spike that acts is the one at index ``isi``).
    """
    c = _check_counts(steps=steps, isi=isi, first=first)
    dtype = dtype or jnp.result_type(float)
    k = jnp.arange(c["steps"])
    return ((k >= c["first"]) & ((k - c["first"]) % c["isi"] == 0)).astype(dtype)


@accepts_units(rate="Hz", dt="ms")
def poisson_trains(key, rate, n: int, steps: int, dt, dtype=None) -> Array:
    """``n`` independent Bernoulli-per-step (Poisson) trains of shape ``(n, steps)``.

    Exactly the tutorial's ``Poisson_generator`` (``uniform < rate·dt/1000``) with a JAX key
    instead of NumPy's global seed: the same key gives the same trains on every run.
    ``rate`` may be an array broadcasting against ``(n, 1)`` (one rate per train).
    """
    n, steps = _check_counts(n=n, steps=steps).values()
    check_dt(dt)
    check_rate(rate, dt)
    dtype = dtype or jnp.result_type(float)
    p = jnp.asarray(rate, dtype) * (dt / 1000.0)
    p = jnp.reshape(p, (-1, 1)) if jnp.ndim(p) == 1 else p
    return (jax.random.uniform(key, (n, steps), dtype) < p).astype(dtype)


@accepts_units(rate="Hz", duration="ms")
def sparse_max_spikes(rate: float, duration: float) -> int:
    """Spike slots per train for :func:`poisson_trains_sparse`: mean + 10 SD + 10 (overflow odds < 1e-20)."""
    check_finite("rate", rate, "Hz")
    check_range("rate", rate, 0.0, None, unit="Hz")
    check_finite("duration", duration, "ms")
    check_range("duration", duration, 0.0, None, low_open=True, unit="ms")
    lam = float(rate) * float(duration) / 1000.0
    return int(math.ceil(lam + 10.0 * math.sqrt(lam) + 10.0))


@accepts_units(rate="Hz", dt="ms")
def poisson_spike_indices(key, rate, n: int, steps: int, dt, max_spikes: int, dtype=None) -> Array:
    """Sample indices of Bernoulli-per-step trains (``p = rate·dt/1000``), drawn as geometric gaps.

    The gaps between spikes of a Bernoulli-per-step train are geometric on {1, 2, ...}:
    ``G = floor(log U / log(1-p)) + 1``, and the first spike sits at ``G₁ - 1`` (sample 0
    included). Returns ``(n, max_spikes)`` int32 indices in increasing order, ``steps`` where
    there is no spike. Spikes past the ``max_spikes``-th are lost: choose it with
    :func:`sparse_max_spikes`. ~100x fewer random numbers than one uniform per step.
    """
    n, steps, max_spikes = _check_counts(n=n, steps=steps, max_spikes=max_spikes).values()
    check_dt(dt)
    check_rate(rate, dt)
    dtype = dtype or jnp.result_type(float)
    p = jnp.asarray(rate, dtype) * (dt / 1000.0)
    p = jnp.reshape(p, (-1, 1)) if jnp.ndim(p) == 1 else p
    u = jax.random.uniform(key, (n, int(max_spikes)), dtype, minval=jnp.finfo(dtype).tiny, maxval=1.0)
    gaps = jnp.floor(jnp.log(u) / jnp.log1p(-jnp.minimum(p, 1.0 - 1e-7))) + 1.0
    idx = jnp.cumsum(gaps, axis=-1) - 1.0
    return jnp.where((p > 0) & (idx < steps), idx, steps).astype(jnp.int32)


@accepts_units(rate="Hz", dt="ms")
def poisson_trains_sparse(key, rate, n: int, steps: int, dt, max_spikes: int, dtype=None) -> Array:
    """Dense ``(n, steps)`` trains from :func:`poisson_spike_indices`: the law of :func:`poisson_trains`
    (a different draw for the same key)."""
    n, steps = _check_counts(n=n, steps=steps).values()
    dtype = dtype or jnp.result_type(float)
    idx = poisson_spike_indices(key, rate, n, steps, dt, max_spikes, dtype)
    rows = jnp.broadcast_to(jnp.arange(n)[:, None], idx.shape)
    return jnp.zeros((n, steps), dtype).at[rows, idx].set(1.0, mode="drop")


@accepts_units(spike_times="ms", dt="ms")
def times_to_train(spike_times, steps: int, dt, dtype=None) -> Array:
    """Binary train (``steps``,) with a 1 at ``round(t/dt)`` for every finite time in range.

    Non-finite entries (padding) and times outside ``[0, steps·dt)`` are dropped; two times
    in one step give a single 1 (callers that need to reject that validate first).
    """
    steps = check_integer("steps", steps, 0, None)
    check_dt(dt)
    check_number("spike_times", spike_times)  # NaN/inf allowed: padding
    dtype = dtype or jnp.result_type(float)
    t = jnp.asarray(spike_times, dtype).ravel()
    idx = jnp.round(t / dt)
    ok = jnp.isfinite(idx) & (idx >= 0) & (idx < steps)
    idx = jnp.where(ok, idx, steps).astype(jnp.int32)  # out-of-range → dropped by mode='drop'
    return jnp.zeros(steps, dtype).at[idx].max(jnp.ones_like(t), mode="drop")


@accepts_units(mu="pA", sig="pA", dt="ms")
def gaussian_white_noise(key, mu, sig, steps: int, dt, dtype=None) -> Array:
    """The tutorial's ``my_GWN``: ``mu + sig·N(0,1)/sqrt(dt/1000)`` per step (pA, dt in ms)."""
    steps = check_integer("steps", steps, 0, None)
    check_dt(dt)
    check_finite("mu", mu, "pA")
    check_finite("sig", sig, "pA")
    check_range("sig", sig, 0.0, None, unit="pA")
    dtype = dtype or jnp.result_type(float)
    return mu + sig * jax.random.normal(key, (steps,), dtype) / jnp.sqrt(dt / 1000.0)
