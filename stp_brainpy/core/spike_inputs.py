r"""Input spike trains and noise currents as arrays (pure JAX, jittable; validation lives in
:mod:`stp_brainpy.inputs`).

Conventions (the Neuromatch tutorial's): a train is a binary array over time steps
``t_k = k·dt`` (k = 0..steps-1), one row per train. Rates are in Hz, times in ms, so the
per-step spike probability of a Poisson train is ``rate·dt/1000``.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

__all__ = ["regular_train", "poisson_trains", "times_to_train", "gaussian_white_noise", "isi_steps"]

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
