"""Exponential decay factors safe in every limit (tau = 0, tau = inf, infinite gaps), with finite gradients.

Used by :mod:`stp_brainpy.core.stp` (re-exported there as :func:`~stp_brainpy.core.stp.decay_factors`).
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from ..units import accepts_units
__all__ = ["decay_factors"]

Array = jax.Array
INF = float("inf")


def _decay_value(delta, tau):
    pos = tau > 0
    r = delta / jnp.where(pos, tau, 1.0)
    full = ~pos | (delta == INF)  # tau = 0: gone at once; an infinite gap: back at rest
    r = jnp.where(full, 0.0, r)  # keeps inf/inf (tau = inf, delta = inf) out of the unused branch
    return jnp.where(full, 0.0, jnp.exp(-r)), jnp.where(full, -1.0, jnp.expm1(-r))


@jax.custom_jvp
def _decay(delta, tau):
    return _decay_value(delta, tau)


@_decay.defjvp
def _decay_jvp(primals, tangents):
    delta, tau = primals
    d_delta, d_tau = tangents
    q, em1 = _decay_value(delta, tau)
    # d q/d delta = -q/tau and d q/d tau = q (delta/tau)/tau, written so that neither overflows
    # (q r <= 1/e) nor meets inf·0: zero where q vanishes (tau -> 0, huge gaps) or tau = inf.
    ok = (tau > 0) & (q > 0) & jnp.isfinite(delta)
    tau_s = jnp.where(ok, tau, 1.0)
    r = jnp.where(ok, delta / tau_s, 0.0)
    dq = jnp.where(ok, -q / tau_s, 0.0) * d_delta + jnp.where(ok, (q * r) / tau_s, 0.0) * d_tau
    return (q, em1), (dq, dq)


@accepts_units(delta="ms", tau="ms")
def decay_factors(delta, tau) -> tuple[Array, Array]:
    """``(exp(-delta/tau), expm1(-delta/tau))``, limits exact, gradients finite; ``delta >= 0``, broadcast.

    ``tau = 0``: ``(0, -1)`` (instant decay); ``tau = inf``: ``(1, 0)``; ``delta = inf``: ``(0, -1)``.
    """
    dtype = jnp.result_type(delta, tau, float)
    return _decay(jnp.asarray(delta, dtype), jnp.asarray(tau, dtype))
