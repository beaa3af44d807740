r"""Synaptic delays of the brainpy.state comms, on ``brainstate.environ``'s ``dt`` grid.

The package's one delay rule (:func:`stp_brainpy.core.delays.delay_steps`; per synapse
:func:`stp_brainpy.network.description.delays_to_steps`, the same formula): a spike emitted at step
``m`` acts at step ``m + D``, ``D = max(1, round(delay/dt))``. A brainpy.state network calls its
projections with the spikes of the previous step (``pre.get_spike()`` before the neurons update),
which supplies one step, so a comm keeps ``D - 1`` steps:

- one delay for all synapses: a ring of ``D - 1`` slots of what the sources sent
  (:func:`~stp_brainpy.core.delays.ring_read` / :func:`~stp_brainpy.core.delays.ring_write`, as the
  classic :class:`~stp_brainpy.network.EventSTPProjection` and the fused simulator do);
- one delay per synapse: a target-side ring of ``R = max D`` slots of ``n_post`` values; each call
  adds its events ``D_ij - 1`` slots ahead (:func:`stp_brainpy.network.events.deliver_ring`, the
  fused simulator's kernel), then reads and clears the current slot.

``dt`` is read when the states are made (``init_state``): set ``brainstate.environ`` first.
"""
from __future__ import annotations

from typing import Any

import brainstate
import jax
import jax.numpy as jnp
import numpy as np

from ..core.delays import delay_steps, ring_read, ring_write
from ..core.validation import check_finite, check_number, check_range
from ..network.connectivity import Connectivity
from ..network.description import delays_to_steps
from ..units import to_unit
from ._env import dt_ms

__all__ = ["Delayed", "delay_ms"]


def delay_ms(delay: Any, conn: Connectivity, *, name: str = "delay"):
    """``delay`` (Quantity or bare ms; a scalar or one value per synapse in CSR order) in ms, checked.

    ``name`` is the parameter the error messages name (``COBAStateNet`` passes ``"delays['E2E']"``).
    """
    d = to_unit(name, delay, "ms")
    check_number(name, d)
    arr = np.asarray(d, float)
    if arr.ndim and arr.shape != (conn.nnz,):
        raise ValueError(f"{name} must be a scalar or one value per synapse, shape ({conn.nnz},); got shape {arr.shape}")
    check_finite(name, arr, "ms")
    check_range(name, arr, 0.0, None, unit="ms")
    return float(arr) if arr.ndim == 0 else arr


class Delayed:
    """Delay states for a comm with ``self.conn`` and ``self._delay_ms`` (see the module docstring).

    ``_init_delay()`` makes them (reads ``dt``); ``steps`` is ``D`` (one delay) or the per-synapse
    table (ELL layout); ``per_synapse_delay`` says which path is taken.
    """

    conn: Connectivity
    _delay_ms: Any

    def _init_delay(self):
        dt = dt_ms()
        dtype = brainstate.environ.dftype()
        n_pre, n_post = self.conn.n_pre, self.conn.n_post
        if np.ndim(self._delay_ms) == 0:
            d = np.full(self.conn.nnz, delay_steps(self._delay_ms, dt), np.int64)
        else:
            d = delays_to_steps(self._delay_ms, dt)
        self.per_synapse_delay = bool(d.size) and not np.all(d == d[0])
        self._step = brainstate.HiddenState(jnp.zeros((), jnp.int32))
        if self.per_synapse_delay:
            self.ring_slots = R = int(d.max())
            self.steps = self.conn.ell_values(d, 1)
            L = R * n_post
            # slot offset (D - 1) * n_post + target, L on padding (dropped)
            codes = np.where(self.conn.targets < n_post, (self.steps - 1) * n_post + self.conn.targets, L)
            self._codes = brainstate.LongTermState(jnp.asarray(codes, jnp.int32))
            self._post_ring = brainstate.HiddenState(jnp.zeros((L,), dtype))
        else:
            self.steps = int(d[0]) if d.size else 1
            self.ring_slots = self.steps
            n_ring = self.steps - 1  # the update order supplies the last step
            self._pre_ring = brainstate.HiddenState(jnp.zeros((n_ring, n_pre), dtype)) if n_ring else None

    def _reset_delay(self):
        self._step.value = jnp.zeros_like(self._step.value)
        if self.per_synapse_delay:
            self._post_ring.value = jnp.zeros_like(self._post_ring.value)
        elif self._pre_ring is not None:
            self._pre_ring.value = jnp.zeros_like(self._pre_ring.value)

    def _delay_sources(self, values):
        """One delay for all synapses: what the sources sent ``D - 1`` calls ago (``values`` itself for D = 1)."""
        if self._pre_ring is None:
            return values
        i = self._step.value
        arriving = ring_read(self._pre_ring.value, i)
        self._pre_ring.value = ring_write(self._pre_ring.value, i, values)
        self._step.value = i + 1
        return arriving

    def _ring_offset(self):
        """Where this call's slot starts in the target-side ring (per-synapse delays)."""
        return (self._step.value % self.ring_slots) * self.conn.n_post

    def _ring_take(self, ring):
        """This call's arrivals from the target-side ring ``ring`` (events already added); clears the slot."""
        n_post, off = self.conn.n_post, self._ring_offset()
        out = jax.lax.dynamic_slice_in_dim(ring, off, n_post)
        self._post_ring.value = jax.lax.dynamic_update_slice_in_dim(ring, jnp.zeros(n_post, ring.dtype), off, 0)
        self._step.value = self._step.value + 1
        return out
