r"""Tsodyks–Markram short-term plasticity (variant ``tm``): the one place its equations live.

Model (homework form, u resting at 0, efficacy :math:`u^+x^-`; Tsodyks & Markram 1997;
Tsodyks, Pawelzik & Markram 1998; NEST ``tsodyks2_synapse``):

.. math::

    \frac{du}{dt} = -\frac{u}{\tau_f} + U(1-u^-)\,\delta(t-t_{sp}), \qquad
    \frac{dx}{dt} = \frac{1-x}{\tau_d} - u^+x^-\,\delta(t-t_{sp}), \qquad
    \frac{dI}{dt} = -\frac{I}{\tau_s} + A\,u^+x^-\,\delta(t-t_{sp}).

At a spike: :math:`u^+ = u^- + U(1-u^-)`, efficacy :math:`e = u^+x^-`,
:math:`x^+ = x^- - e`, :math:`I^+ = I^- + A e`.

``tau_f = 0`` follows NEST's ``tsodyks2_synapse`` (``u_decay = 0`` when ``tau_fac < 1e-10``): u is
back at 0 before every spike that follows another (two spikes at the same time included), so
:math:`u^+ = U` there, but the first spike sees the initial state: :math:`u^+_1 = u_0 + U(1-u_0)`
(NEST's first spike sends with the ``u`` you set). A state placed at ``t0`` before the first spike
has decayed by then (u⁻ = 0 for ``tau_f = 0``); a zero interval (``t0`` at the first spike,
``intervals[0] = 0``) holds it. The time-stepped update starts a step before its first spike, so
there ``u0`` has decayed too, as with ``t0`` at the start.

==========  =====  =======  ===============  ==============================================
parameter   unit   default  valid range      meaning
==========  =====  =======  ===============  ==============================================
``U``       --     --       (0, 1]           increment of ``u`` per spike
``tau_f``   ms     --       [0, inf]         facilitation; 0: none (``u⁺ = U`` at every spike
                                             after the first, NEST's ``tau_fac = 0``); inf:
                                             ``u`` never decays
``tau_d``   ms     --       (0, inf]         recovery of ``x``; inf: no recovery
``u0``      --     0        [0, 1]           ``u`` just before the first spike
``x0``      --     1        [0, 1]           ``x`` just before the first spike
``dt``      ms     --       (0, inf)         step; ``method='euler'`` needs dt < every τ
==========  =====  =======  ===============  ==============================================

Every function is pure JAX (jit-, vmap-, grad-able; gradients finite for every valid parameter,
limits included), checks concrete arguments eagerly (traced ones under
:func:`stp_brainpy.core.validation.checked`) and decays with :func:`decay_factors` (``expm1``
forms: ``1 - e^{-Δ/τ}`` keeps its digits in float32). Two time-stepping methods:

``exact``
    between steps the state follows the exact exponential solution, jumps are
    applied at the step of the spike; per-spike efficacies do not depend on ``dt``
    for spikes on the grid and equal :func:`event_efficacies`.
``euler``
    forward Euler exactly as in the Neuromatch tutorial's ``dynamic_syn`` (the jump of
    ``u`` uses the pre-step value, the release uses the pre-step ``x``).

Example
-------
>>> from stp_brainpy.core import stp
>>> eff, u_plus, x_minus = stp.event_efficacies([0.0, 20.0, 40.0], 0.2, tau_f=750.0, tau_d=100.0)
>>> round(float(eff[0]), 6)
0.2
"""
from __future__ import annotations

from functools import partial
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .validation import (check_broadcastable, check_choice, check_integer, check_number, check_range,
                         check_spike_times, is_concrete, METHODS)
from . import validation as _v
from ._decay import decay_factors
from ..units import accepts_units

__all__ = ["STPState", "rest_state", "init_state", "validate_stp_params", "decay_factors", "stp_step",
           "exp_decay_step", "event_efficacies", "interval_efficacies", "steady_state", "regular_train_efficacies",
           "nth_spike_efficacy"]

Array = jax.Array
INF = float("inf")


class STPState(NamedTuple):
    """Presynaptic resources: ``u`` (utilisation, rests at 0) and ``x`` (available fraction, rests at 1)."""

    u: Array
    x: Array


def _checked_number(name: str, value: Any, low, high, low_open: bool, high_open: bool, unit: str = "",
                    required: bool = True) -> None:
    if value is None and not required:
        return
    check_number(name, value)
    check_range(name, value, low, high, low_open=low_open, high_open=high_open, unit=unit)


_UNSET = object()


def _check_tm(U=_UNSET, tau_f=_UNSET, tau_d=_UNSET, u0=_UNSET, x0=_UNSET, required: bool = True) -> None:
    """Check the given TM parameters; ``None`` is refused unless ``required=False`` (then: unset)."""
    for name, value, low, high, low_open in (("U", U, 0.0, 1.0, True), ("tau_f", tau_f, 0.0, INF, False),
                                             ("tau_d", tau_d, 0.0, INF, True), ("u0", u0, 0.0, 1.0, False),
                                             ("x0", x0, 0.0, 1.0, False)):
        if value is not _UNSET:
            _checked_number(name, value, low, high, low_open, False, "ms" if name.startswith("tau") else "",
                            required)


def _check_step(dt, method: str, **taus) -> None:
    """dt in (0, inf); for forward Euler also dt < every (non-zero) time constant."""
    check_choice("method", method, METHODS)
    _checked_number("dt", dt, 0.0, INF, True, True, "ms", required=False)
    if method != "euler" or dt is None:
        return
    for name, tau in taus.items():
        if tau is None:
            continue
        if is_concrete(dt) and is_concrete(tau):
            d, t = np.asarray(dt, float), np.asarray(tau, float)
            bad = (t > 0) & (np.broadcast_to(d, np.broadcast_shapes(d.shape, t.shape)) >= t)
            if np.any(bad):
                raise ValueError(f"dt must be smaller than {name} for method='euler' (forward Euler diverges for "
                                 f"dt > tau); got dt={np.max(np.broadcast_to(d, bad.shape)[bad]):g} ms, "
                                 f"{name}={np.min(np.broadcast_to(t, bad.shape)[bad]):g} ms; use method='exact'")
        elif _v._checking_active():
            d, t = jnp.asarray(dt), jnp.asarray(tau)  # type: ignore[assignment]
            _v._traced_check((t > 0) & (d >= t), d, f"dt must be smaller than {name} for method='euler'; got dt={{v}}")


@accepts_units(U="1", tau_f="ms", tau_d="ms", u0="1", x0="1", tau_s="ms", dt="ms")
def validate_stp_params(U=None, tau_f=None, tau_d=None, tau_s=None, dt=None, method: str | None = None, *,
                        u0=None, x0=None, **extra) -> tuple[int, ...]:
    """Check TM parameters eagerly; returns their common broadcast shape.

    ``ValueError`` naming the parameter and its valid range: U in (0, 1], tau_f in [0, inf] ms,
    tau_d and tau_s in (0, inf] ms, dt in (0, inf) ms (and below every τ for ``method='euler'``),
    u0 and x0 in [0, 1], method in ('exact', 'euler'); ``TypeError`` for non-numbers. Arrays in
    ``extra`` only take part in the broadcast check.
    """
    _check_tm(U, tau_f, tau_d, u0, x0, required=False)
    _checked_number("tau_s", tau_s, 0.0, INF, True, False, "ms", required=False)
    if method is not None:
        _check_step(dt, method, tau_f=tau_f, tau_d=tau_d, tau_s=tau_s)
    else:
        _checked_number("dt", dt, 0.0, INF, True, True, "ms", required=False)
    return check_broadcastable(dict(U=U, tau_f=tau_f, tau_d=tau_d, tau_s=tau_s, u0=u0, x0=x0, **extra))


def init_state(shape=(), dtype=None, *, u0=0.0, x0=1.0) -> STPState:
    """State ``u = u0, x = x0`` (broadcast to ``shape``); ``u0 = 0, x0 = 1`` is the resting state."""
    _check_tm(u0=u0, x0=x0)
    dtype = dtype or jnp.result_type(float)
    return STPState(jnp.broadcast_to(jnp.asarray(u0, dtype), shape), jnp.broadcast_to(jnp.asarray(x0, dtype), shape))


def rest_state(shape=(), dtype=None) -> STPState:
    """The resting state ``u = 0, x = 1`` with the given shape."""
    dtype = dtype or jnp.result_type(float)
    return STPState(jnp.zeros(shape, dtype), jnp.ones(shape, dtype))


# ---------------------------------------------------------------- time stepping
@accepts_units(U="1", tau_f="ms", tau_d="ms", dt="ms")
def stp_step(state: STPState, spike, U, *, tau_f, tau_d, dt, method: str = "exact") -> tuple[STPState, Array]:
    """Advance the TM state by one step of length ``dt`` ending at a (possible) spike.

    Args:
      state: ``STPState`` before the step.
      spike: spike indicator of the step (bool or 0/1 float), broadcastable to the state.
      U, tau_f, tau_d: TM parameters (tau in ms; ``tau_f = 0``: no facilitation), broadcastable.
      dt: step in ms, > 0; for ``'euler'`` below ``tau_d`` and every non-zero ``tau_f``.
      method: ``'exact'`` or ``'euler'`` (see module docstring).

    Returns:
      ``(new_state, efficacy)`` where ``efficacy`` is :math:`u^+x^-` on spiking
      entries and 0 elsewhere.
    """
    _check_tm(U, tau_f, tau_d)
    _checked_number("dt", dt, 0.0, INF, True, True, "ms")
    _check_step(dt, method, tau_f=tau_f, tau_d=tau_d)
    _v.check_binary("spike", spike)
    s = jnp.asarray(spike, dtype=state.u.dtype)
    u, x = state
    if method == "exact":
        # expm1 form: exp(-dt/tau) rounded to float32 is biased by up to 1e-3 of (1 - q) for
        # dt << tau, and that bias compounds over thousands of steps; expm1 keeps it at ~1 ulp.
        _, em_f = decay_factors(dt, tau_f)
        _, em_d = decay_factors(dt, tau_d)
        u_dec = u + u * em_f
        x_dec = x - (1.0 - x) * em_d
        u_new = u_dec + s * U * (1.0 - u_dec)
        eff = s * u_new * x_dec
        x_new = x_dec - eff
    else:
        # Neuromatch dynamic_syn: increments computed from the pre-step values; tau_f = 0 means
        # u is back at 0 before every step (no facilitation), so only the jump remains.
        no_fac = jnp.asarray(tau_f) <= 0
        tf = jnp.where(no_fac, 1.0, tau_f)
        u_euler = u - (dt / tf) * u + U * (1.0 - u) * s
        u_new = jnp.where(no_fac, U * s, u_euler)
        eff = s * u_new * x
        x_new = x + (dt / tau_d) * (1.0 - x) - eff
    return STPState(u_new, x_new), eff


@accepts_units(tau="ms", dt="ms")
def exp_decay_step(g, drive, tau, dt, method: str = "exact") -> Array:
    """Exponential synapse (current or conductance): decay over ``dt`` (tau in (0, inf] ms) then add ``drive``."""
    _checked_number("tau", tau, 0.0, INF, True, False, "ms")
    _checked_number("dt", dt, 0.0, INF, True, True, "ms")
    _check_step(dt, method, tau=tau)
    if method == "exact":
        return g + g * decay_factors(dt, tau)[1] + drive
    return g - (dt / tau) * g + drive


# ---------------------------------------------------------------- event-driven and closed forms
def _gaps(spike_times, dtype, t0=None) -> tuple[Array, Array]:
    """Intervals (the first from ``t0``, or 0) and validity mask; a concrete train is differenced in
    float64 NumPy before any cast (0.1 ms spacing at t = 1e7 ms survives float32), a traced one in its dtype."""
    if is_concrete(spike_times) and not isinstance(spike_times, jax.Array) and is_concrete(t0):
        xp, t = np, np.asarray(spike_times, dtype=np.float64)
    else:
        xp, t = jnp, jnp.asarray(spike_times)  # type: ignore[misc,assignment]
    valid = xp.isfinite(t)
    ts = xp.where(valid, t, 0.0)
    first = xp.zeros(min(t.size, 1), ts.dtype)
    if t0 is not None and t.size:
        first = xp.where(valid[:1], ts[:1] - xp.asarray(t0, ts.dtype), 0.0)
    gaps = xp.concatenate([first, xp.where(valid[1:], ts[1:] - ts[:-1], 0.0)])
    return jnp.asarray(gaps, dtype), jnp.asarray(valid)


@partial(jax.jit, static_argnames="dtype")  # jitted so that eager calls in a loop compile once per shape
def _event_scan(gaps, valid, U, tau_f, tau_d, u0, x0, dtype):
    U, tau_f, tau_d, u0, x0 = (jnp.asarray(a, dtype) for a in (U, tau_f, tau_d, u0, x0))
    shape = jnp.broadcast_shapes(U.shape, tau_f.shape, tau_d.shape, u0.shape, x0.shape)

    def body(carry, inp):
        u_prev, x_prev, seen = carry
        gap, ok = inp
        q_f, _ = decay_factors(gap, tau_f)
        # A zero interval before the first spike holds u0 (tau_f = 0 would empty it): the first spike
        # sees the initial state, as the first spike of NEST's tsodyks2_synapse sees its u.
        q_f = jnp.where(seen | (gap > 0), q_f, 1.0)
        _, em_d = decay_factors(gap, tau_d)
        u_m = u_prev * q_f
        x_m = x_prev - (1.0 - x_prev) * em_d
        u_p = u_m + U * (1.0 - u_m)
        eff = u_p * x_m
        zero = jnp.zeros(shape, dtype)
        new = (jnp.where(ok, u_p, u_prev), jnp.where(ok, x_m - eff, x_prev), seen | ok)
        return new, (jnp.where(ok, eff, zero), jnp.where(ok, u_p, zero), jnp.where(ok, x_m, zero))

    init = (jnp.broadcast_to(u0, shape), jnp.broadcast_to(x0, shape), jnp.zeros((), bool))
    _, out = jax.lax.scan(body, init, (gaps, valid))
    return tuple(jnp.moveaxis(a, 0, -1) for a in out)


def _dtype_of(values, *params):
    t_dtype = values.dtype if isinstance(values, jax.Array) else float
    return jnp.result_type(t_dtype, *(jnp.asarray(p) for p in params), float)


@accepts_units(spike_times="ms", t0="ms", U="1", tau_f="ms", tau_d="ms", u0="1", x0="1")
def event_efficacies(spike_times, U, *, tau_f, tau_d, u0=0.0, x0=1.0, t0=None) -> tuple[Array, Array, Array]:
    """Efficacy :math:`u^+x^-` of every spike of an arbitrary train, event by event.

    Args:
      spike_times: 1-D non-decreasing spike times (ms). Trailing ``+inf`` entries are padding (for
        trains of unequal length under ``vmap``) and get efficacy 0. Only intervals matter: they are
        taken from the original values (float64 for NumPy input), so large offsets cost no precision.
      U, tau_f, tau_d: TM parameters (``tau_f = 0``: no facilitation; inf limits allowed).
        Broadcast together; a parameter batch of shape ``P`` gives results of shape ``P + (n,)``.
      u0, x0: state at ``t0`` (ms, finite, <= the first spike); ``t0=None`` (default) puts it just
        before the first spike (NEST: the first spike is not decayed; Brian2: ``t0 = 0``).

    Returns ``(efficacy, u_plus, x_minus)``, each of shape ``P + spike_times.shape``.
    """
    check_spike_times("spike_times", spike_times)
    _check_tm(U, tau_f, tau_d, u0, x0)
    if t0 is not None:
        _checked_number("t0", t0, -INF, INF, True, True, "ms")
        if is_concrete(t0) and is_concrete(spike_times) and np.size(spike_times) and np.asarray(spike_times)[0] < t0:
            raise ValueError(f"t0 must not lie after the first spike; got t0={float(t0):g} ms, first spike at "
                             f"{float(np.asarray(spike_times)[0]):g} ms")
    dtype = _dtype_of(spike_times, U, tau_f, tau_d)
    gaps, valid = _gaps(spike_times, dtype, t0)
    return _event_scan(gaps, valid, U, tau_f, tau_d, u0, x0, dtype)


@accepts_units(intervals="ms", U="1", tau_f="ms", tau_d="ms", u0="1", x0="1")
def interval_efficacies(intervals, U, *, tau_f, tau_d, u0=0.0, x0=1.0) -> tuple[Array, Array, Array]:
    """As :func:`event_efficacies`, from the intervals (ms) instead of the spike times.

    ``intervals[0]`` is the time from the state ``(u0, x0)`` to the first spike (0: the state holds
    at the first spike, as in :func:`event_efficacies`), ``intervals[i]`` the time from spike ``i-1``
    to spike ``i``; entries must be >= 0, trailing ``+inf`` entries are padding (efficacy 0). No
    cumulative sum is formed, so long trains keep their float32 precision.
    """
    check_number("intervals", intervals)
    check_range("intervals", intervals, 0.0, INF, unit="ms")
    if is_concrete(intervals):  # 1-D, +inf only as trailing padding (the order of the rest is free)
        arr = np.asarray(intervals, float)
        check_spike_times("intervals", np.where(np.isfinite(arr), 0.0, arr) if arr.ndim else arr)
    _check_tm(U, tau_f, tau_d, u0, x0)
    dtype = _dtype_of(intervals, U, tau_f, tau_d)
    gaps = jnp.asarray(intervals, dtype)
    valid = jnp.isfinite(gaps)
    return _event_scan(jnp.where(valid, gaps, 0.0), valid, U, tau_f, tau_d, u0, x0, dtype)


def _check_map(U, tau_f, tau_d, isi) -> None:
    _check_tm(U, tau_f, tau_d)
    _checked_number("isi", isi, 0.0, INF, True, True, "ms")


def _spike_map_factors(U, tau_f, tau_d, isi):
    U, tau_f, tau_d, isi = jnp.broadcast_arrays(*(jnp.asarray(a, jnp.result_type(U, tau_f, tau_d, isi, float))
                                                  for a in (U, tau_f, tau_d, isi)))
    q_f, em_f = decay_factors(isi, tau_f)
    _, em_d = decay_factors(isi, tau_d)
    # 1 - (1 - U) q_f written as U - (1 - U) expm1(-isi/tau_f): no cancellation for tiny U, huge tau_f
    u_inf = U / (U - (1.0 - U) * em_f)
    return U, q_f, em_d, u_inf


@accepts_units(U="1", tau_f="ms", tau_d="ms", isi="ms")
def steady_state(U, *, tau_f, tau_d, isi) -> tuple[Array, Array, Array]:
    r"""Closed-form steady state :math:`(u^+_\infty, x^-_\infty, e_\infty)` of a regular train with interval ``isi`` (ms).

    .. math::

        u^+_\infty = \frac{U}{1-(1-U)e^{-\Delta/\tau_f}}, \quad
        x^-_\infty = \frac{1-e^{-\Delta/\tau_d}}{1-(1-u^+_\infty)e^{-\Delta/\tau_d}}, \quad
        e_\infty = u^+_\infty x^-_\infty,

    evaluated as :math:`U / (U - (1-U)\,\mathrm{expm1}(-\Delta/\tau_f))` and
    :math:`-\mathrm{expm1}(-\Delta/\tau_d) / (u^+_\infty - (1-u^+_\infty)\,\mathrm{expm1}(-\Delta/\tau_d))`
    (no cancellation in float32). Limits: ``tau_f = 0`` gives ``u = U``, ``tau_f = inf`` gives
    ``u = 1``, ``tau_d = inf`` gives ``x = 0``. ``isi`` in (0, inf) ms. Independent of ``u0, x0``.
    """
    _check_map(U, tau_f, tau_d, isi)
    return _steady(U, tau_f, tau_d, isi)


@jax.jit
def _steady(U, tau_f, tau_d, isi):
    _, _, em_d, u_inf = _spike_map_factors(U, tau_f, tau_d, isi)
    x_inf = -em_d / (u_inf - (1.0 - u_inf) * em_d)
    return u_inf, x_inf, u_inf * x_inf


@accepts_units(U="1", tau_f="ms", tau_d="ms", u0="1", x0="1", isi="ms")
def regular_train_efficacies(n_spikes: int, U, *, tau_f, tau_d, isi, u0=0.0, x0=1.0) -> tuple[Array, Array, Array]:
    r"""Efficacy, u⁺ and x⁻ of spikes 1..n of a regular train with interval ``isi`` (ms).

    ``u⁺_n`` is closed form, :math:`u^+_\infty + (u^+_1-u^+_\infty)((1-U)e^{-\Delta/\tau_f})^{n-1}` (in expm1 form) with
    :math:`u^+_1 = u_0 + U(1-u_0)` (for every ``tau_f``, 0 included); ``x⁻_n`` follows the exact spike-to-spike map
    :math:`x^-_{n+1} = 1-(1-x^-_n(1-u^+_n))e^{-\Delta/\tau_d}` from :math:`x^-_1 = x_0`. ``n_spikes`` is an
    integer >= 1; parameters broadcast; the spike index is the last axis of the result.
    """
    n_spikes = check_integer("n_spikes", n_spikes, low=1)
    _check_tm(u0=u0, x0=x0)
    _check_map(U, tau_f, tau_d, isi)
    return _regular_train(n_spikes, U, tau_f, tau_d, isi, u0, x0)


@partial(jax.jit, static_argnums=0)
def _regular_train(n_spikes, U, tau_f, tau_d, isi, u0, x0):
    U, q_f, em_d, u_inf = _spike_map_factors(U, tau_f, tau_d, isi)
    tau_f, isi = (jnp.broadcast_to(jnp.asarray(a, U.dtype), U.shape) for a in (tau_f, isi))
    u0, x0 = (jnp.broadcast_to(jnp.asarray(a, U.dtype), U.shape) for a in (u0, x0))
    u1 = u0 + U * (1.0 - u0)  # the first spike sees u0 whatever tau_f (NEST tsodyks2_synapse)
    # u⁺_k = u1 + (u_inf - u1)(1 - b^(k-1)), b = (1-U)e^{-isi/tau_f}, with 1 - b^m = -expm1(m log b) and
    # log b = log1p(-U) - isi/tau_f: exact for tiny U and huge tau_f in float32 (b itself rounds to 1).
    # Where b vanishes (U = 1, tau_f -> 0) 1 - b^m is 1; safe stand-ins keep the gradients finite.
    gone = (U >= 1.0) | (tau_f <= 0) | (isi > 50.0 * tau_f)
    log_b = jnp.where(gone, -1.0, jnp.log1p(-jnp.where(gone, 0.5, U)) - isi / jnp.where(gone, 1.0, tau_f))
    k = jnp.arange(n_spikes, dtype=U.dtype)
    grow = jnp.where(gone[..., None] & (k > 0), 1.0, -jnp.expm1(k * log_b[..., None]))
    u_plus = u1[..., None] + (u_inf - u1)[..., None] * grow

    def body(x_m, u_p):
        x_p = x_m * (1.0 - u_p)
        return x_p - (1.0 - x_p) * em_d, x_m

    _, x_minus = jax.lax.scan(body, x0, jnp.moveaxis(u_plus, -1, 0))
    x_minus = jnp.moveaxis(x_minus, 0, -1)
    return u_plus * x_minus, u_plus, x_minus


@accepts_units(U="1", tau_f="ms", tau_d="ms", u0="1", x0="1", isi="ms")
def nth_spike_efficacy(n: int, U, *, tau_f, tau_d, isi, u0=0.0, x0=1.0) -> Array:
    """Efficacy of the ``n``-th spike (1-based, an integer >= 1) of a regular train."""
    n = check_integer("n", n, low=1)
    return regular_train_efficacies(n, U, tau_f=tau_f, tau_d=tau_d, isi=isi, u0=u0, x0=x0)[0][..., -1]
