r"""The one delay rule of the package, and the ring buffer that implements it.

A spike emitted at step ``m`` acts on its targets at step ``m + D`` with

.. math:: D = \max\left(1, \left\lfloor \frac{\text{delay}}{dt} + \tfrac12 \right\rfloor\right),

i.e. the delay rounded to the nearest whole step (halves up, so a delay is never shortened by
rounding), and **at least one step**. The minimum is causality, not a convention: a step first
delivers the events that arrive in it and then updates the neurons, so a spike produced in step
``m`` can only be seen from step ``m + 1`` on. A delay below ``dt/2`` (0 included) therefore
means "the next step", as in NEST, whose smallest delay is one resolution step.

A ring of ``D`` slots holds what was emitted in the last ``D`` steps: step ``i`` reads slot
``i mod D`` (written ``D`` steps earlier) and then overwrites it with its own output
(:func:`ring_read`, :func:`ring_write`). A BrainPy projection that is updated before its target
neurons already sees the previous step's spikes, so it keeps ``D - 1`` slots.
"""
from __future__ import annotations

import math

import jax
import numpy as np

from .validation import check_positive, check_range

from ..units import accepts_units
__all__ = ["delay_steps", "delays_steps", "ring_read", "ring_write"]


@accepts_units(delay="ms", dt="ms")
def delay_steps(delay: float, dt: float) -> int:
    """Steps ``D ≥ 1`` between a spike and its arrival: ``max(1, floor(delay/dt + 1/2))``.

    Args:
      delay: axonal/synaptic delay in ms, finite and ``≥ 0``.
      dt: time step in ms, ``> 0``.

    Raises ``ValueError`` naming the parameter for a negative, NaN or infinite delay or a
    non-positive dt. ``1e-9`` of slack keeps ``0.15/0.1`` (1.4999999999999998 in floating point)
    at 2 steps.

    >>> delay_steps(0.1, 0.1), delay_steps(0.0, 0.1), delay_steps(1.5, 0.1), delay_steps(0.25, 0.1)
    (1, 1, 15, 3)
    """
    check_range("delay", delay, 0.0, None, high_open=True, unit="ms")
    check_positive("dt", dt)
    delay, dt = float(delay), float(dt)
    if not math.isfinite(delay):
        raise ValueError(f"delay must be finite (ms); got {delay:g}")
    return int(_steps(delay, dt))


def _steps(delay, dt):
    """The rule itself, elementwise (scalars or one delay per synapse, already checked)."""
    return np.maximum(1, np.floor(np.asarray(delay, float) / float(dt) + 0.5 + 1e-9)).astype(np.int64)


@accepts_units(delays="ms", dt="ms")
def delays_steps(delays, dt: float) -> np.ndarray:
    """:func:`delay_steps` for an array of delays (one per synapse): an int64 array of the same shape.

    >>> delays_steps([0.0, 0.1, 0.25, 1.5], 0.1).tolist()
    [1, 1, 3, 15]
    """
    d = np.asarray(delays, float)
    check_range("delay", d, 0.0, None, high_open=True, unit="ms")
    check_positive("dt", dt)
    return _steps(d, dt)


def ring_read(ring: jax.Array, i) -> jax.Array:
    """Slot of step ``i`` in a ``(D, n)`` ring: what was written ``D`` steps ago."""
    return jax.lax.dynamic_index_in_dim(ring, i % ring.shape[0], keepdims=False)


def ring_write(ring: jax.Array, i, values) -> jax.Array:
    """The ring with step ``i``'s ``values`` in slot ``i mod D`` (read again at step ``i + D``)."""
    return jax.lax.dynamic_update_index_in_dim(ring, values.astype(ring.dtype), i % ring.shape[0], 0)
