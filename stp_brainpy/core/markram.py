r"""Markram-form short-term plasticity: u relaxes to a resting value U between spikes.

.. math::

    \frac{du}{dt} = \frac{U-u}{\tau_f} + f(1-u^-)\,\delta(t-t_{sp}),\qquad
    \frac{dx}{dt} = \frac{1-x}{\tau_d} - u^{*}x^-\,\delta(t-t_{sp}).

Between spikes (exact): :math:`u \leftarrow U + (u-U)e^{-\Delta/\tau_f}`,
:math:`x \leftarrow 1-(1-x)e^{-\Delta/\tau_d}` (written with ``expm1``). At a spike the efficacy is
:math:`e = u^{*}x^-`, then :math:`x^+ = x^- - e` and :math:`u^+ = u^- + f(1-u^-)`, where

``read='before'``
    :math:`u^{*} = u^-` (Markram, Wang & Tsodyks 1998; Tsodyks, Pawelzik & Markram 1998; srplasticity's
    ``TsodyksMarkramModel``): the first spike from rest releases U;
``read='after'``
    :math:`u^{*} = u^+` (Mongillo, Barak & Tsodyks 2008, with f = U): the first spike from rest
    releases :math:`U + f(1-U)`.

``tau_f = 0`` (no NEST model has this form; the rule of the family's NEST-like variants): u is at U
before every spike that follows another, and the first spike sees the initial state as given when
no time separates them (``t0`` None or at the first spike); from an earlier ``t0`` u has relaxed to U.

Parameters
----------
=========  ====  ========  ===============  ===========================================
name       unit  default   valid range      meaning
=========  ====  ========  ===============  ===========================================
U          --    0.15      (0, 1]           resting utilisation
f          --    U         [0, 1]           facilitation increment
tau_f      ms    1500      [0, inf]         relaxation of u to U (0: u is U at every spike
                                            but a first one without elapsed time, which
                                            reads u0)
tau_d      ms    200       (0, inf]         recovery of x
u0, x0     --    U, 1      [0, 1]           state at ``t0``
t0         ms    None      <= first spike   time of (u0, x0); None = at the first spike
read       --    'before'  before | after   which u multiplies x in the efficacy
=========  ====  ========  ===============  ===========================================

Converting: srplasticity ``TsodyksMarkramModel(U, f, tau_u, tau_r, amp)`` is ``read='before'`` with
``tau_f=tau_u, tau_d=tau_r`` and responses ``amp * efficacy``. The homework/NEST ``tm`` form is not a special
case (its u rests at 0).

References: Markram, Wang & Tsodyks (1998) PNAS 95:5323; Tsodyks, Pawelzik & Markram (1998) Neural
Comput 10:821; Mongillo, Barak & Tsodyks (2008) Science 319:1543; Rossbroich et al. (2021) PLoS Comput
Biol 17:e1008013 (srplasticity).

Example::

    >>> import jax.numpy as jnp
    >>> from stp_brainpy.core import markram
    >>> eff, u, x = markram.event_efficacies(jnp.array([0.0, 20.0]), 0.2, tau_f=1500.0, tau_d=200.0)
    >>> round(float(eff[0]), 6)
    0.2
"""
from __future__ import annotations

from functools import partial
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from . import family as fam

from ..units import accepts_units
__all__ = ["MarkramParams", "MarkramState", "make_params", "validate_params", "rest_state",
           "event_efficacies", "step", "steady_state"]

Array = jax.Array


@accepts_units(U="1", tau_f="ms", tau_d="ms", f="1")
class MarkramParams(NamedTuple):
    """``U, f, tau_f, tau_d`` (ms); fields broadcast, so batch axes are allowed."""

    U: Any
    f: Any
    tau_f: Any
    tau_d: Any


class MarkramState(NamedTuple):
    """``u`` utilisation (rests at U) and ``x`` available fraction (rests at 1)."""

    u: Array
    x: Array


@accepts_units(U="1", tau_f="ms", tau_d="ms", u0="1", x0="1", f="1")
def validate_params(U: Any = None, *, f: Any = None, tau_f: Any = None, tau_d: Any = None,
                    u0: Any = None, x0: Any = None, read: Any = None) -> None:
    """Eager checks (concrete values): ``ValueError``/``TypeError`` naming the parameter and its range."""
    fam.check_params("markram", U=U, f=f, tau_f=tau_f, tau_d=tau_d)
    fam.check_fraction("u0", u0)
    fam.check_fraction("x0", x0)
    if read is not None:
        fam.check_read(read)


@accepts_units(U="1", tau_f="ms", tau_d="ms", f="1")
def make_params(U: Any = 0.15, *, f: Any = None, tau_f: Any = 1500.0, tau_d: Any = 200.0) -> MarkramParams:
    """A validated :class:`MarkramParams` (``f`` defaults to ``U``)."""
    f = U if f is None else f
    validate_params(U, f=f, tau_f=tau_f, tau_d=tau_d)
    return MarkramParams(U, f, tau_f, tau_d)


def rest_state(params: MarkramParams, shape: tuple[int, ...] = (), dtype: Any = None) -> MarkramState:
    """The resting state ``u = U, x = 1`` (broadcast to ``shape`` and the parameters' batch shape)."""
    dtype = dtype or jnp.result_type(float)
    shape = jnp.broadcast_shapes(shape, jnp.shape(params.U))
    return MarkramState(jnp.broadcast_to(jnp.asarray(params.U, dtype), shape), jnp.ones(shape, dtype))


def _relax(state: MarkramState, h: Array, p: MarkramParams) -> MarkramState:
    _, em1_f = fam.decay(h, p.tau_f)
    _, em1_d = fam.decay(h, p.tau_d)
    u, x = state
    return MarkramState(u + (u - p.U) * em1_f, x - (1.0 - x) * em1_d)


def _spike(state: MarkramState, p: MarkramParams, s: Array, read: str) -> tuple[MarkramState, Array, Array]:
    u, x = state
    u_p = u + p.f * (1.0 - u)
    u_used = u if read == "before" else u_p
    eff = jnp.where(s, u_used * x, 0.0)
    return MarkramState(jnp.where(s, u_p, u), x - eff), eff, u_used


@accepts_units(spike_times="ms", t0="ms", f="1", U="1", tau_f="ms", tau_d="ms", u0="1", x0="1")
def event_efficacies(spike_times: Any, U: Any, *, f: Any = None, tau_f: Any, tau_d: Any,
                     read: str = "before", u0: Any = None, x0: Any = 1.0,
                     t0: Any = None) -> tuple[Array, Array, Array]:
    """Efficacy :math:`u^{*}x^-` of every spike of an arbitrary train, event by event.

    Args:
      spike_times: 1-D sorted times (ms); ``+inf`` entries are padding (efficacy 0).
      U, f, tau_f, tau_d: parameters (``f`` defaults to ``U``); they broadcast, batch axes first.
      read: ``'before'`` or ``'after'`` (see the module docstring).
      u0, x0: state at ``t0`` (default rest: ``U``, 1); ``t0=None`` puts it at the first spike.

    Returns:
      ``(efficacy, u_used, x_minus)`` (``u_used`` is :math:`u^-` or :math:`u^+` per ``read``),
      each shaped ``batch + spike_times.shape``.
    """
    fam.check_required(U=U, tau_f=tau_f, tau_d=tau_d)
    f = U if f is None else f
    u0 = U if u0 is None else u0
    validate_params(U, f=f, tau_f=tau_f, tau_d=tau_d, u0=u0, x0=x0, read=read)
    fam.check_spike_times(spike_times, t0)
    gaps, valid, skip = fam.spike_gaps(spike_times, t0)
    return _kernel(gaps, valid, skip, MarkramParams(U, f, tau_f, tau_d), u0, x0, read)


@partial(jax.jit, static_argnames=("read",))
def _kernel(gaps: Array, valid: Array, skip: Array, p: MarkramParams, u0: Any, x0: Any,
            read: str) -> tuple[Array, Array, Array]:
    # jitted with the parameters as arguments: one compile per train length, not per setting
    dtype = fam.float_dtype(gaps.dtype, *p, u0, x0)
    p = MarkramParams(*(jnp.asarray(v, dtype) for v in p))
    shape = jnp.broadcast_shapes(*(jnp.shape(v) for v in (*p, u0, x0)))
    init = MarkramState(*(jnp.broadcast_to(jnp.asarray(v, dtype), shape) for v in (u0, x0)))

    def body(state, inp):
        h, ok, sk = inp
        moved = _relax(state, h.astype(dtype), p)
        pre = MarkramState(*(jnp.where(sk, a, b) for a, b in zip(state, moved)))
        new, eff, u_used = _spike(pre, p, ok, read)
        new = MarkramState(*(jnp.where(ok, a, b) for a, b in zip(new, state)))
        zero = jnp.zeros(shape, dtype)
        return new, (eff, jnp.where(ok, u_used, zero), jnp.where(ok, pre.x, zero))

    _, out = jax.lax.scan(body, init, (gaps, valid, skip))
    eff, u_used, x_m = fam.to_batch_last(out)
    return eff, u_used, x_m


@accepts_units(dt="ms")
def step(state: MarkramState, spike: Any, params: MarkramParams, dt: Any, *,
         read: str = "before") -> tuple[MarkramState, Array]:
    """Exact time step: relax over ``dt``, then apply the spike (indicator ``spike``) if any.

    Per-spike efficacies do not depend on ``dt`` for spikes on the grid and equal
    :func:`event_efficacies` (with ``t0`` = the start of the simulation). Returns ``(state, efficacy)``.
    """
    validate_params(params.U, f=params.f, tau_f=params.tau_f, tau_d=params.tau_d, read=read)
    fam.check_dt(dt)
    moved = _relax(state, jnp.asarray(dt, jnp.result_type(state.u)), params)
    new, eff, _ = _spike(moved, params, jnp.asarray(spike).astype(bool), read)
    return new, eff


@accepts_units(U="1", tau_f="ms", tau_d="ms", f="1", isi="ms")
def steady_state(U: Any, *, f: Any = None, tau_f: Any, tau_d: Any, isi: Any,
                 read: str = "before") -> tuple[Array, Array, Array]:
    r"""Closed-form steady state of a regular train with interval ``isi`` (ms).

    With :math:`E_f = \mathrm{expm1}(-\Delta/\tau_f)`, :math:`E_d = \mathrm{expm1}(-\Delta/\tau_d)`:

    .. math::

        u^-_\infty = \frac{U+\rho}{1+\rho},\ \rho = \frac{f\,(1+E_f)}{-E_f},\quad
        u^{*}_\infty = u^-_\infty \text{ or } u^-_\infty + f(1-u^-_\infty),\quad
        x^-_\infty = \frac{-E_d}{u^{*}_\infty - (1-u^{*}_\infty)E_d},\quad
        e_\infty = u^{*}_\infty x^-_\infty.

    Returns ``(u_used, x_minus, efficacy)``.
    """
    fam.check_required(U=U, tau_f=tau_f, tau_d=tau_d)
    f = U if f is None else f
    validate_params(U, f=f, tau_f=tau_f, tau_d=tau_d, read=read)
    fam.check_isi(isi)
    dtype = fam.float_dtype(U, f, tau_f, tau_d, isi)
    U, f, tau_f, tau_d, h = (jnp.asarray(v, dtype) for v in (U, f, tau_f, tau_d, isi))
    q_f, e_f = fam.decay(h, tau_f)
    _, e_d = fam.decay(h, tau_d)
    # u⁻ = (U R + f q)/(R + f q) with R = 1 - q, via rho = f q / R: R floored (fam.tiny_floor) keeps value
    # and gradient finite at f = 0 and tau_f = inf (there u stays at U, or climbs to 1).
    r_f = jnp.maximum(-e_f, fam.tiny_floor(dtype))
    rho = fam.div(f * q_f, r_f)
    u_m = fam.div(U + rho, 1.0 + rho)
    u = u_m if read == "before" else u_m + f * (1.0 - u_m)
    x = fam.div(-e_d, u - (1.0 - u) * e_d)
    return u, x, u * x
