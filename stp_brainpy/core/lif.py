r"""Leaky integrate-and-fire neuron of the homework's library (brainmodels defaults).

.. math::

    \tau \frac{dV}{dt} = -(V - V_{rest}) + I, \qquad V \ge V_{th} \Rightarrow
    V \leftarrow V_{reset},\ \text{refractory for } \tau_{ref}.

The membrane equation is linear, so each step uses its exact solution
``V_inf + (V - V_inf) exp(-dt/tau)`` with ``V_inf = V_rest + I`` (what brainmodels'
``exp_auto`` integrator computes). A neuron is refractory while
``t - t_last_spike <= tau_ref``; during that time ``V`` is held.

Parameters (:class:`LIFParams`): ``V_rest`` 0, ``V_reset`` -5 (< ``V_th``), ``V_th`` 20 mV, all finite;
``tau`` 10 ms in (0, inf); ``tau_ref`` 1 ms in [0, inf). Concrete values are checked eagerly.
References: Gerstner, Kistler, Naud & Paninski, *Neuronal Dynamics* (2014), ch. 1.3; the homework's
``brainmodels.neurons.LIF`` (brainmodels 0.4.1).
"""
from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .validation import check_finite, check_integer, check_number, check_range, is_concrete

from ..units import accepts_units
__all__ = ["LIFParams", "LIFState", "lif_rest_state", "lif_step", "validate_lif_params"]

Array = jax.Array

NEVER = -1e7  # "last spike" long before t = 0


@accepts_units(V_rest="mV", V_reset="mV", V_th="mV", tau="ms", tau_ref="ms")
class LIFParams(NamedTuple):
    V_rest: float = 0.0
    V_reset: float = -5.0
    V_th: float = 20.0
    tau: float = 10.0
    tau_ref: float = 1.0


class LIFState(NamedTuple):
    V: Array
    t_last_spike: Array
    spike: Array


def validate_lif_params(p: LIFParams) -> None:
    """Eager checks of concrete parameters: potentials finite (mV), tau in (0, inf) ms, tau_ref in
    [0, inf) ms, V_reset < V_th. ``TypeError`` for non-numbers, ``ValueError`` naming the parameter."""
    if not isinstance(p, LIFParams):
        raise TypeError(f"p must be a LIFParams; got {type(p).__name__}")
    for name in ("V_rest", "V_reset", "V_th", "tau", "tau_ref"):
        check_number(name, getattr(p, name))
    for name in ("V_rest", "V_reset", "V_th"):
        check_finite(name, getattr(p, name), unit="mV")
    check_range("tau", p.tau, 0.0, float("inf"), low_open=True, high_open=True, unit="ms")
    check_range("tau_ref", p.tau_ref, 0.0, float("inf"), high_open=True, unit="ms")
    if is_concrete(p.V_reset) and is_concrete(p.V_th):
        import numpy as np

        if np.any(np.asarray(p.V_reset) >= np.asarray(p.V_th)):
            raise ValueError(f"V_reset must be below V_th; got V_reset={p.V_reset}, V_th={p.V_th}")


def _check_shape(shape) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)):
        raise TypeError(f"shape must be an int or a tuple of ints; got {shape!r}")
    return tuple(check_integer("shape", s, low=0) for s in shape)


def lif_rest_state(shape=(), p: LIFParams = LIFParams(), dtype=None) -> LIFState:
    """Every neuron at ``V_rest``, no spike yet."""
    shape = _check_shape(shape)
    validate_lif_params(p)
    dtype = dtype or jnp.result_type(float)
    return LIFState(jnp.full(shape, p.V_rest, dtype), jnp.full(shape, NEVER, dtype), jnp.zeros(shape, bool))


@accepts_units(current="mV", t="ms", dt="ms")
def lif_step(state: LIFState, current, t, dt, p: LIFParams = LIFParams()) -> LIFState:
    """One step at time ``t`` (ms) of length ``dt`` (ms, > 0) with input ``current`` (same units as V, finite)."""
    validate_lif_params(p)
    check_number("dt", dt)
    check_range("dt", dt, 0.0, float("inf"), low_open=True, high_open=True, unit="ms")
    check_number("current", current)
    check_finite("current", current)
    check_number("t", t)
    refractory = (t - state.t_last_spike) <= p.tau_ref
    v_inf = p.V_rest + current
    v_new = v_inf + (state.V - v_inf) * jnp.exp(-dt / p.tau)
    v_new = jnp.where(refractory, state.V, v_new)
    spike = v_new >= p.V_th
    return LIFState(
        jnp.where(spike, p.V_reset, v_new),
        jnp.where(spike, t, state.t_last_spike).astype(state.t_last_spike.dtype),
        spike,
    )
