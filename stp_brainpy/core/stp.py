r"""Tsodyks–Markram short-term plasticity: the one place its equations live.

Model (homework form, u resting at 0, efficacy :math:`u^+x^-`):

.. math::

    \frac{du}{dt} = -\frac{u}{\tau_f} + U(1-u^-)\,\delta(t-t_{sp}), \qquad
    \frac{dx}{dt} = \frac{1-x}{\tau_d} - u^+x^-\,\delta(t-t_{sp}), \qquad
    \frac{dI}{dt} = -\frac{I}{\tau_s} + A\,u^+x^-\,\delta(t-t_{sp}).

At a spike: :math:`u^+ = u^- + U(1-u^-)`, efficacy :math:`e = u^+x^-`,
:math:`x^+ = x^- - e`, :math:`I^+ = I^- + A e`.

Every function here is pure JAX (jit-, vmap- and grad-able); parameters broadcast
against the state, so a leading batch axis on ``U``/``tau_f``/``tau_d`` runs many
parameter sets in one call. Two time-stepping methods:

``exact``
    between steps the state follows the exact exponential solution, jumps are
    applied at the step of the spike; per-spike efficacies do not depend on ``dt``
    for spikes on the grid and equal :func:`event_efficacies`.
``euler``
    forward Euler exactly as in the Neuromatch tutorial's ``dynamic_syn`` (the jump of
    ``u`` uses the pre-step value, the release uses the pre-step ``x``).
"""
from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from .validation import check_broadcastable, check_method, check_positive, check_probability

__all__ = [
    "STPState",
    "rest_state",
    "validate_stp_params",
    "stp_step",
    "exp_decay_step",
    "event_efficacies",
    "steady_state",
    "regular_train_efficacies",
    "nth_spike_efficacy",
]

Array = jax.Array


class STPState(NamedTuple):
    """Presynaptic resources: ``u`` (utilisation, rests at 0) and ``x`` (available fraction, rests at 1)."""

    u: Array
    x: Array


def rest_state(shape=(), dtype=None) -> STPState:
    """The resting state ``u = 0, x = 1`` with the given shape."""
    dtype = dtype or jnp.result_type(float)
    return STPState(jnp.zeros(shape, dtype), jnp.ones(shape, dtype))


def validate_stp_params(U=None, tau_f=None, tau_d=None, tau_s=None, dt=None, method: str | None = None,
                        **extra) -> tuple[int, ...]:
    """Check TM parameters eagerly; returns their common broadcast shape.

    Raises ``ValueError`` naming the parameter and its valid range: U in (0, 1],
    time constants and dt in (0, inf) ms, method in ('exact', 'euler').
    """
    if U is not None:
        check_probability("U", U)
    for name, val in (("tau_f", tau_f), ("tau_d", tau_d), ("tau_s", tau_s), ("dt", dt)):
        if val is not None:
            check_positive(name, val)
    if method is not None:
        check_method(method)
    return check_broadcastable(dict(U=U, tau_f=tau_f, tau_d=tau_d, tau_s=tau_s, **extra))


def stp_step(state: STPState, spike, U, *, tau_f, tau_d, dt, method: str = "exact") -> tuple[STPState, Array]:
    """Advance the TM state by one step of length ``dt`` ending at a (possible) spike.

    Args:
      state: ``STPState`` before the step.
      spike: spike indicator of the step (bool or 0/1 float), broadcastable to the state.
      U, tau_f, tau_d: TM parameters (tau in ms), broadcastable to the state.
      dt: step in ms.
      method: ``'exact'`` or ``'euler'`` (see module docstring).

    Returns:
      ``(new_state, efficacy)`` where ``efficacy`` is :math:`u^+x^-` on spiking
      entries and 0 elsewhere.
    """
    s = jnp.asarray(spike, dtype=state.u.dtype)
    u, x = state
    if method == "exact":
        # expm1 form: exp(-dt/tau) rounded to float32 is biased by up to 1e-3 of (1 - q) for
        # dt << tau, and that bias compounds over thousands of steps; expm1 keeps it at ~1 ulp.
        u_dec = u + u * jnp.expm1(-dt / tau_f)
        x_dec = x - (1.0 - x) * jnp.expm1(-dt / tau_d)
        u_new = u_dec + s * U * (1.0 - u_dec)
        eff = s * u_new * x_dec
        x_new = x_dec - eff
    elif method == "euler":
        # Neuromatch dynamic_syn: increments computed from the pre-step values.
        u_new = u - (dt / tau_f) * u + U * (1.0 - u) * s
        eff = s * u_new * x
        x_new = x + (dt / tau_d) * (1.0 - x) - eff
    else:
        raise ValueError(f"method must be one of ('exact', 'euler'); got {method!r}")
    return STPState(u_new, x_new), eff


def exp_decay_step(g, drive, tau, dt, method: str = "exact") -> Array:
    """Exponential synapse (current or conductance): decay over ``dt`` then add ``drive``."""
    if method == "exact":
        return g + g * jnp.expm1(-dt / tau) + drive
    if method == "euler":
        return g - (dt / tau) * g + drive
    raise ValueError(f"method must be one of ('exact', 'euler'); got {method!r}")


def event_efficacies(spike_times, U, *, tau_f, tau_d) -> tuple[Array, Array, Array]:
    """Efficacy :math:`u^+x^-` of every spike of an arbitrary train, event by event.

    Args:
      spike_times: 1-D increasing spike times (ms). Entries that are not finite (e.g.
        ``inf`` padding for trains of unequal length under ``vmap``) are ignored and
        get efficacy 0.
      U, tau_f, tau_d: scalar parameters (vmap for batches).

    Returns:
      ``(efficacy, u_plus, x_minus)``, each with the shape of ``spike_times``.
    """
    t = jnp.asarray(spike_times)
    dtype = jnp.result_type(t.dtype, float)
    t = t.astype(dtype)

    def body(carry, ti):
        u_prev, x_prev, t_prev = carry
        valid = jnp.isfinite(ti)
        gap = jnp.where(valid, ti - t_prev, jnp.inf)
        u_m = u_prev * jnp.exp(-gap / tau_f)
        x_m = 1.0 - (1.0 - x_prev) * jnp.exp(-gap / tau_d)
        u_p = u_m + U * (1.0 - u_m)
        eff = u_p * x_m
        new = (jnp.where(valid, u_p, u_prev), jnp.where(valid, x_m - eff, x_prev), jnp.where(valid, ti, t_prev))
        zero = jnp.zeros((), dtype)
        return new, (jnp.where(valid, eff, zero), jnp.where(valid, u_p, zero), jnp.where(valid, x_m, zero))

    init = (jnp.zeros((), dtype), jnp.ones((), dtype), jnp.asarray(-jnp.inf, dtype))
    _, (eff, u_p, x_m) = jax.lax.scan(body, init, t)
    return eff, u_p, x_m


def steady_state(U, *, tau_f, tau_d, isi) -> tuple[Array, Array, Array]:
    """Closed-form steady state of a regular train with interval ``isi`` (ms).

    .. math::

        u^+_\\infty = \\frac{U}{1-(1-U)e^{-\\Delta/\\tau_f}}, \\quad
        x^-_\\infty = \\frac{1-e^{-\\Delta/\\tau_d}}{1-(1-u^+_\\infty)e^{-\\Delta/\\tau_d}}, \\quad
        e_\\infty = u^+_\\infty x^-_\\infty.
    """
    qf = jnp.exp(-isi / tau_f)
    qd = jnp.exp(-isi / tau_d)
    u_inf = U / (1.0 - (1.0 - U) * qf)
    x_inf = (1.0 - qd) / (1.0 - (1.0 - u_inf) * qd)
    return u_inf, x_inf, u_inf * x_inf


def regular_train_efficacies(n_spikes: int, U, *, tau_f, tau_d, isi) -> tuple[Array, Array, Array]:
    """Efficacy, u⁺ and x⁻ of spikes 1..n of a regular train starting from rest.

    ``u⁺_n`` is closed form, :math:`u^+_\\infty + (U-u^+_\\infty)((1-U)e^{-\\Delta/\\tau_f})^{n-1}`;
    ``x⁻_n`` follows the exact spike-to-spike map
    :math:`x^-_{n+1} = 1-(1-x^-_n(1-u^+_n))e^{-\\Delta/\\tau_d}`. Parameters broadcast;
    the spike index is the last axis of the result.
    """
    U, tau_f, tau_d, isi = jnp.broadcast_arrays(*(jnp.asarray(a, jnp.result_type(float)) for a in (U, tau_f, tau_d, isi)))
    qf = jnp.exp(-isi / tau_f)
    qd = jnp.exp(-isi / tau_d)
    u_inf = U / (1.0 - (1.0 - U) * qf)
    k = jnp.arange(n_spikes, dtype=U.dtype)
    u_plus = u_inf[..., None] + (U - u_inf)[..., None] * ((1.0 - U) * qf)[..., None] ** k

    def body(x_m, u_p):
        return 1.0 - (1.0 - x_m * (1.0 - u_p)) * qd, x_m

    _, x_minus = jax.lax.scan(body, jnp.ones_like(U), jnp.moveaxis(u_plus, -1, 0))
    x_minus = jnp.moveaxis(x_minus, 0, -1)
    return u_plus * x_minus, u_plus, x_minus


def nth_spike_efficacy(n: int, U, *, tau_f, tau_d, isi) -> Array:
    """Efficacy of the ``n``-th spike (1-based) of a regular train from rest."""
    if int(n) < 1:
        raise ValueError(f"n must be an integer >= 1; got {n!r}")
    return regular_train_efficacies(int(n), U, tau_f=tau_f, tau_d=tau_d, isi=isi)[0][..., -1]
