r"""Input spike trains and noise currents as arrays (pure JAX, jittable; validation lives in
:mod:`stp_brainpy.inputs`).

Conventions (the Neuromatch tutorial's): a train is a binary array over time steps
``t_k = k·dt`` (k = 0..steps-1), one row per train. Rates are in Hz, times in ms, so the
per-step spike probability of a Poisson train is ``rate·dt/1000``.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

__all__ = ["regular_train", "poisson_trains", "poisson_trains_sparse", "poisson_spike_indices", "sparse_max_spikes", "times_to_train",
           "gaussian_white_noise", "isi_steps"]

import math

Array = jax.Array


def isi_steps(rate, dt) -> int:
    """The tutorial's interval in steps for a regular train: ``int((1e3/rate)/dt)`` (truncated)."""
    return int((1e3 / float(rate)) / float(dt))


def regular_train(steps: int, isi: int, first: int = 0, dtype=None) -> Array:
    """Binary train with a spike every ``isi`` steps starting at index ``first``.

    ``first=0`` is the tutorial's ``train[::isi] = 1`` (a spike at index 0, which its loops
    never read: the first spike that acts is the one at index ``isi``).
    """
    dtype = dtype or jnp.result_type(float)
    k = jnp.arange(steps)
    return ((k >= first) & ((k - first) % isi == 0)).astype(dtype)


def poisson_trains(key, rate, n: int, steps: int, dt, dtype=None) -> Array:
    """``n`` independent Bernoulli-per-step (Poisson) trains of shape ``(n, steps)``.

    Exactly the tutorial's ``Poisson_generator`` (``uniform < rate·dt/1000``) with a JAX key
    instead of NumPy's global seed: the same key gives the same trains on every run.
    ``rate`` may be an array broadcasting against ``(n, 1)`` (one rate per train).
    """
    dtype = dtype or jnp.result_type(float)
    p = jnp.asarray(rate, dtype) * (dt / 1000.0)
    p = jnp.reshape(p, (-1, 1)) if jnp.ndim(p) == 1 else p
    return (jax.random.uniform(key, (n, steps), dtype) < p).astype(dtype)


def sparse_max_spikes(rate: float, duration: float) -> int:
    """Spike slots per train for :func:`poisson_trains_sparse`: mean + 10 SD + 10 (overflow odds < 1e-20)."""
    lam = float(rate) * float(duration) / 1000.0
    return int(math.ceil(lam + 10.0 * math.sqrt(lam) + 10.0))


def poisson_spike_indices(key, rate, n: int, steps: int, dt, max_spikes: int, dtype=None) -> Array:
    """Sample indices of Bernoulli-per-step trains (``p = rate·dt/1000``), drawn as geometric gaps.

    The gaps between spikes of a Bernoulli-per-step train are geometric on {1, 2, ...}:
    ``G = floor(log U / log(1-p)) + 1``, and the first spike sits at ``G₁ - 1`` (sample 0
    included). Returns ``(n, max_spikes)`` int32 indices in increasing order, ``steps`` where
    there is no spike. Spikes past the ``max_spikes``-th are lost: choose it with
    :func:`sparse_max_spikes`. ~100x fewer random numbers than one uniform per step.
    """
    dtype = dtype or jnp.result_type(float)
    p = jnp.asarray(rate, dtype) * (dt / 1000.0)
    p = jnp.reshape(p, (-1, 1)) if jnp.ndim(p) == 1 else p
    u = jax.random.uniform(key, (n, int(max_spikes)), dtype, minval=jnp.finfo(dtype).tiny, maxval=1.0)
    gaps = jnp.floor(jnp.log(u) / jnp.log1p(-jnp.minimum(p, 1.0 - 1e-7))) + 1.0
    idx = jnp.cumsum(gaps, axis=-1) - 1.0
    return jnp.where((p > 0) & (idx < steps), idx, steps).astype(jnp.int32)


def poisson_trains_sparse(key, rate, n: int, steps: int, dt, max_spikes: int, dtype=None) -> Array:
    """Dense ``(n, steps)`` trains from :func:`poisson_spike_indices`: the law of :func:`poisson_trains`
    (a different draw for the same key)."""
    dtype = dtype or jnp.result_type(float)
    idx = poisson_spike_indices(key, rate, n, steps, dt, max_spikes, dtype)
    rows = jnp.broadcast_to(jnp.arange(n)[:, None], idx.shape)
    return jnp.zeros((n, steps), dtype).at[rows, idx].set(1.0, mode="drop")


def times_to_train(spike_times, steps: int, dt, dtype=None) -> Array:
    """Binary train (``steps``,) with a 1 at ``round(t/dt)`` for every finite time in range.

    Non-finite entries (padding) and times outside ``[0, steps·dt)`` are dropped; two times
    in one step give a single 1 (callers that need to reject that validate first).
    """
    dtype = dtype or jnp.result_type(float)
    t = jnp.asarray(spike_times, dtype).ravel()
    idx = jnp.round(t / dt)
    ok = jnp.isfinite(idx) & (idx >= 0) & (idx < steps)
    idx = jnp.where(ok, idx, steps).astype(jnp.int32)  # out-of-range → dropped by mode='drop'
    return jnp.zeros(steps, dtype).at[idx].max(jnp.ones_like(t), mode="drop")


def gaussian_white_noise(key, mu, sig, steps: int, dt, dtype=None) -> Array:
    """The tutorial's ``my_GWN``: ``mu + sig·N(0,1)/sqrt(dt/1000)`` per step (pA, dt in ms)."""
    dtype = dtype or jnp.result_type(float)
    return mu + sig * jax.random.normal(key, (steps,), dtype) / jnp.sqrt(dt / 1000.0)
