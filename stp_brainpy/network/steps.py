"""Pure-JAX pieces of a projection step, shared by the BrainPy classes and the fused COBA scan."""
from __future__ import annotations

from typing import Optional

import jax
import jax.numpy as jnp

from ..core.stp import STPState, stp_step

__all__ = ["delay_steps", "source_release", "ring_read", "ring_write"]


def delay_steps(delay: float, dt: float) -> int:
    """Delay in whole steps (at least 1: a spike is delivered at the earliest one step later)."""
    if delay < 0:
        raise ValueError(f"delay must lie in [0, inf) ms; got {delay:g}")
    return max(1, int(round(delay / dt)))


def source_release(state: Optional[STPState], spike, weight, U=None, tau_f=None, tau_d=None, dt=0.1):
    """Per-source released amount ``w · u⁺x⁻`` (TM) or ``w`` (static) on spiking sources, 0 elsewhere."""
    if state is None:
        return None, jnp.where(spike, jnp.asarray(weight, jnp.result_type(float)), 0.0)
    state, eff = stp_step(state, spike, U, tau_f=tau_f, tau_d=tau_d, dt=dt, method="exact")
    return state, weight * eff


def ring_read(ring, i):
    """Slot of step ``i`` in a (D, n) ring buffer: what was written D steps ago."""
    return jax.lax.dynamic_index_in_dim(ring, i % ring.shape[0], keepdims=False)


def ring_write(ring, i, values):
    return jax.lax.dynamic_update_index_in_dim(ring, values.astype(ring.dtype), i % ring.shape[0], 0)
