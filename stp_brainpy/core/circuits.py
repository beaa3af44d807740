"""Whole time-stepped circuits built from the kernels (one trial; ``jax.vmap`` for batches).

``lif_stp_chain`` is the homework's experiment: a LIF driven by a constant current
spikes into one TM synapse; it returns the per-step traces of u, x, I, V and spikes.
"""
from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from .lif import LIFParams, lif_rest_state, lif_step, validate_lif_params
from .stp import exp_decay_step, rest_state, stp_step, validate_stp_params
from .validation import check_finite, check_integer, check_number, check_range

from ..units import accepts_units
__all__ = ["ChainTrace", "lif_stp_chain", "n_steps"]


class ChainTrace(NamedTuple):
    u: jax.Array
    x: jax.Array
    I: jax.Array
    efficacy: jax.Array
    V: jax.Array
    spike: jax.Array


@accepts_units(duration="ms", dt="ms")
def n_steps(duration: float, dt: float) -> int:
    """Number of steps of a run of ``duration`` ms (brainpy's convention: t = i·dt, i < n); at least 1.

    ``duration`` and ``dt`` are finite and > 0 (ms), ``dt <= duration``.
    """
    for name, val in (("duration", duration), ("dt", dt)):
        check_number(name, val)
        check_range(name, val, 0.0, float("inf"), low_open=True, high_open=True, unit="ms")
    n = int(round(float(duration) / float(dt)))
    if n < 1:
        raise ValueError(f"duration must be at least one step dt; got duration={float(duration):g} ms, dt={float(dt):g} ms")
    return n


@accepts_units(U="1", tau_f="ms", tau_d="ms", tau_s="ms", current="mV", duration="ms", dt="ms")
def lif_stp_chain(U, *, tau_f, tau_d, tau_s=8.0, A=1.0, current=28.0, duration: float = 150.0,
                  dt: float = 0.1, method: str = "exact", lif: LIFParams = LIFParams(),
                  decimate: int = 1) -> ChainTrace:
    """Simulate pre-LIF → TM synapse for ``duration`` ms; traces are sampled every ``decimate`` steps.

    Parameters are scalars here; batch with ``jax.vmap`` over any of them (traced values are not
    checked; concrete ones are: U in (0, 1], tau_f in [0, inf], tau_d, tau_s in (0, inf] ms, A and
    current finite, duration and dt > 0 ms, ``decimate`` an integer >= 1 dividing the step count).
    """
    validate_stp_params(U=U, tau_f=tau_f, tau_d=tau_d, tau_s=tau_s, dt=dt, method=method)
    for name, val in (("A", A), ("current", current)):
        check_number(name, val)
        check_finite(name, val)
    validate_lif_params(lif)
    decimate = check_integer("decimate", decimate, low=1)
    n = n_steps(duration, dt)
    dtype = jnp.result_type(float)
    ts = jnp.arange(n, dtype=dtype) * dt

    def step(carry, t):
        neuron, syn, I = carry
        neuron = lif_step(neuron, current, t, dt, lif)
        syn, eff = stp_step(syn, neuron.spike, U, tau_f=tau_f, tau_d=tau_d, dt=dt, method=method)
        I = exp_decay_step(I, A * eff, tau_s, dt, method)
        return (neuron, syn, I), ChainTrace(syn.u, syn.x, I, eff, neuron.V, neuron.spike)

    init = (lif_rest_state((), lif, dtype), rest_state((), dtype), jnp.zeros((), dtype))
    if decimate == 1:
        _, trace = jax.lax.scan(step, init, ts)
        return trace
    if n % decimate:
        raise ValueError(f"decimate must divide the number of steps ({n}); got {decimate}")

    def block(carry, tb):
        carry, tr = jax.lax.scan(step, carry, tb)
        return carry, jax.tree_util.tree_map(lambda a: a[-1], tr)

    _, trace = jax.lax.scan(block, init, ts.reshape(-1, decimate))
    return trace
