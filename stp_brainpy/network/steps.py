"""Pure-JAX pieces of a projection step, shared by the BrainPy classes and the fused COBA scan.

The delay rule and its ring buffer are the package's one rule (:mod:`stp_brainpy.core.delays`:
``D = max(1, round(delay/dt))`` steps, halves up); they are re-exported here.
"""
from __future__ import annotations

from typing import Optional

import jax.numpy as jnp

from ..core.delays import delay_steps, ring_read, ring_write
from ..core.stp import STPState, stp_step

from ..units import accepts_units
__all__ = ["delay_steps", "source_release", "ring_read", "ring_write"]


@accepts_units(weight=("mV", "nS", "pA"), dt="ms", U="1", tau_f="ms", tau_d="ms")
def source_release(state: Optional[STPState], spike, weight, U=None, tau_f=None, tau_d=None, dt=0.1):
    """Per-source released amount ``w · u⁺x⁻`` (TM) or ``w`` (static) on spiking sources, 0 elsewhere."""
    if state is None:
        return None, jnp.where(spike, jnp.asarray(weight, jnp.result_type(float)), 0.0)
    state, eff = stp_step(state, spike, U, tau_f=tau_f, tau_d=tau_d, dt=dt, method="exact")
    return state, weight * eff
