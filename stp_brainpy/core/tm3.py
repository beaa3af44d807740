r"""Three-state Tsodyks–Markram synapse (Tsodyks, Uziel & Markram 2000; NEST ``tsodyks_synapse``).

Resources are recovered (``x``), active (``y``, the synaptic current/conductance shape) or inactive
(``z = 1 - x - y``); ``u`` is the utilisation, resting at 0:

.. math::

    \frac{du}{dt} = -\frac{u}{\tau_f} + U(1-u^-)\,\delta(t-t_{sp}),\qquad
    \frac{dx}{dt} = \frac{z}{\tau_d} - u^+x^-\,\delta(t-t_{sp}),\qquad
    \frac{dy}{dt} = -\frac{y}{\tau_{psc}} + u^+x^-\,\delta(t-t_{sp}),\qquad
    \frac{dz}{dt} = \frac{y}{\tau_{psc}} - \frac{z}{\tau_d}.

At a spike (in this order, as NEST): the state is propagated over the interval h since the previous
spike, :math:`u^+ = u^- + U(1-u^-)`, the efficacy (delivered weight / w) is :math:`e = u^+x^-`, then
:math:`x \mathrel{-}= e`, :math:`y \mathrel{+}= e`. Over h, with :math:`P_{uu}=e^{-h/\tau_f}`,
:math:`P_{yy}=e^{-h/\tau_{psc}}`, :math:`R = 1-e^{-h/\tau_d}`:

.. math::

    u \leftarrow P_{uu}u,\quad x \leftarrow x + P_{xy}\,y + R\,z,\quad y \leftarrow P_{yy}\,y,\qquad
    P_{xy} = R - \frac{h}{\tau_d}\,D\!\left(\frac{h}{\tau_{psc}}, \frac{h}{\tau_d}\right),\quad
    D(a, b) = \frac{e^{-a}-e^{-b}}{b-a} = e^{-(a+b)/2}\,\frac{\sinh s}{s},\ s = \frac{b-a}{2}.

This equals NEST's :math:`P_{xy} = (P_{zz}\tau_{rec} - (P_{yy}-1)\tau_{psc})/(\tau_{psc}-\tau_{rec})`
but never divides by :math:`\tau_{psc}-\tau_d`, so :math:`\tau_{psc} = \tau_d` is exact (there
:math:`P_{xy} = R - (h/\tau_d)e^{-h/\tau_d}`) and gradients are finite. :math:`\tau_{psc} = 0` is the
two-state ``tm`` model (NEST ``tsodyks2_synapse``), :math:`\tau_f = 0` disables facilitation (NEST).

``tau_f = 0`` follows NEST's ``tsodyks_synapse``: :math:`P_{uu} = 0` before every spike, the first
included, so :math:`u^+ = U` at every spike and ``u0`` is not used (NEST ignores its ``u`` when
``tau_fac = 0``). This is the one place ``tm3`` at ``tau_psc = 0`` differs from ``tm``, whose NEST
counterpart ``tsodyks2_synapse`` lets the first spike see its initial ``u``.

Parameters
----------
=========  ====  =======  ================  =================================================
name       unit  default  valid range       meaning
=========  ====  =======  ================  =================================================
U          --    0.15     (0, 1]            utilisation increment
tau_f      ms    1500     [0, inf]          facilitation time constant (0: none, NEST)
tau_d      ms    200      (0, inf]          recovery z -> x (NEST ``tau_rec``)
tau_psc    ms    3        [0, inf]          inactivation y -> z (0: the ``tm`` model)
u0         --    0        [0, 1]            u before the first spike (NEST ``u``); unused at tau_f = 0
x0, y0     --    1, 0     [0, 1], x0+y0<=1  initial recovered / active fraction
t0         ms    None     <= first spike    time of (u0, x0, y0); None = at the first spike
=========  ====  =======  ================  =================================================

NEST's ``tsodyks_synapse`` holds its initial state at t = 0 (``t_lastspike = 0``): use ``t0=0``.

References: Tsodyks, Uziel & Markram (2000) J Neurosci 20:RC50; Tsodyks, Pawelzik & Markram (1998)
Neural Comput 10:821; NEST ``tsodyks_synapse`` documentation (nest-simulator.readthedocs.io).

Example::

    >>> import jax.numpy as jnp
    >>> from stp_brainpy.core import tm3
    >>> eff, u, x, y = tm3.event_efficacies(jnp.arange(4) * 10.0, 0.5, tau_f=0.0, tau_d=800.0, tau_psc=3.0)
    >>> round(float(eff[0]), 6)
    0.5
"""
from __future__ import annotations

from functools import partial
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from . import family as fam

from ..units import accepts_units
__all__ = ["TM3Params", "TM3State", "make_params", "validate_params", "rest_state", "propagators",
           "event_efficacies", "step", "steady_state"]

Array = jax.Array


@accepts_units(U="1", tau_f="ms", tau_d="ms", tau_psc="ms")
class TM3Params(NamedTuple):
    """Parameters of the three-state model (ms); fields broadcast, so batch axes are allowed."""

    U: Any
    tau_f: Any
    tau_d: Any
    tau_psc: Any


class TM3State(NamedTuple):
    """``u`` utilisation (after the last spike), ``x`` recovered, ``y`` active; ``z = 1 - x - y``."""

    u: Array
    x: Array
    y: Array


@accepts_units(U="1", tau_f="ms", tau_d="ms", u0="1", x0="1", tau_psc="ms")
def validate_params(U: Any = None, *, tau_f: Any = None, tau_d: Any = None, tau_psc: Any = None,
                    u0: Any = None, x0: Any = None, y0: Any = None) -> None:
    """Eager checks (concrete values): ``ValueError``/``TypeError`` naming the parameter and its range."""
    fam.check_params("tm3", U=U, tau_f=tau_f, tau_d=tau_d, tau_psc=tau_psc)
    for name, v in (("u0", u0), ("x0", x0), ("y0", y0)):
        fam.check_fraction(name, v)
    if x0 is not None and y0 is not None and fam.is_concrete(x0) and fam.is_concrete(y0):
        total = np.asarray(x0, float) + np.asarray(y0, float)
        if np.any(total > 1.0):
            raise ValueError(f"x0 + y0 must lie in [0, 1] (z0 = 1 - x0 - y0 >= 0); got {float(np.max(total)):g}")


@accepts_units(U="1", tau_f="ms", tau_d="ms", tau_psc="ms")
def make_params(U: Any = 0.15, *, tau_f: Any = 1500.0, tau_d: Any = 200.0, tau_psc: Any = 3.0) -> TM3Params:
    """A validated :class:`TM3Params`."""
    validate_params(U, tau_f=tau_f, tau_d=tau_d, tau_psc=tau_psc)
    return TM3Params(U, tau_f, tau_d, tau_psc)


def rest_state(shape: tuple[int, ...] = (), dtype: Any = None, *, u0: Any = 0.0, x0: Any = 1.0,
               y0: Any = 0.0) -> TM3State:
    """``u = u0, x = x0, y = y0`` (rest: 0, 1, 0) with the given shape."""
    validate_params(u0=u0, x0=x0, y0=y0)
    dtype = dtype or jnp.result_type(float)
    return TM3State(*(jnp.full(shape, v, dtype) for v in (u0, x0, y0)))


@accepts_units(h="ms", tau_f="ms", tau_d="ms", tau_psc="ms")
def propagators(h: Array, tau_f: Any, tau_d: Any, tau_psc: Any) -> tuple[Array, Array, Array, Array]:
    """``(P_uu, P_yy, R, P_xy)`` over an interval ``h`` (see the module docstring)."""
    p_uu, _ = fam.decay(h, tau_f)
    p_yy, _ = fam.decay(h, tau_psc)
    _, em1_d = fam.decay(h, tau_d)
    rec = -em1_d
    a = fam.ratio(h, tau_psc)
    b = fam.ratio(h, tau_d)
    k = b * fam.exp_divided_difference(a, b)
    p_xy = rec - jnp.where(tau_psc > 0, k, 0.0)
    return p_uu, p_yy, rec, p_xy


def _propagate(state: TM3State, h: Array, p: TM3Params) -> TM3State:
    p_uu, p_yy, rec, p_xy = propagators(h, p.tau_f, p.tau_d, p.tau_psc)
    u, x, y = state
    z = 1.0 - x - y
    return TM3State(u * p_uu, x + p_xy * y + rec * z, y * p_yy)


def _release(state: TM3State, U: Any, s: Array, u_plus: Array | None = None) -> tuple[TM3State, Array]:
    u, x, y = state
    u_p = u + U * (1.0 - u) if u_plus is None else u_plus
    u_new = jnp.where(s, u_p, u)
    eff = jnp.where(s, u_p * x, 0.0)
    return TM3State(u_new, x - eff, y + eff), eff


def _scan(spike_times: Any, p: TM3Params, u0: Any, x0: Any, y0: Any, t0: Any,
          u_first: Any = None) -> tuple[Array, Array, Array, Array]:
    """The event-driven kernel (no checks); ``u_first`` replaces the first spike's u⁺ (NEST ``u``)."""
    gaps, valid, skip = fam.spike_gaps(spike_times, t0)
    has_first = u_first is not None
    return _kernel(gaps, valid, skip, p, u0, x0, y0, u_first if has_first else 0.0, has_first)


@partial(jax.jit, static_argnames=("has_first",))
def _kernel(gaps: Array, valid: Array, skip: Array, p: TM3Params, u0: Any, x0: Any, y0: Any, u_first: Any,
            has_first: bool) -> tuple[Array, Array, Array, Array]:
    # jitted with the parameters as arguments: one compile per train length, not per setting
    dtype = fam.float_dtype(gaps.dtype, *p, u0, x0, y0)
    p = TM3Params(*(jnp.asarray(v, dtype) for v in p))
    shape = jnp.broadcast_shapes(*(jnp.shape(v) for v in (*p, u0, x0, y0, u_first)))
    init = TM3State(*(jnp.broadcast_to(jnp.asarray(v, dtype), shape) for v in (u0, x0, y0)))
    first_u = jnp.broadcast_to(jnp.asarray(u_first, dtype), shape) if has_first else None
    seen0 = jnp.zeros((), bool)

    def body(carry, inp):
        state, seen = carry
        h, ok, sk = inp
        moved = _propagate(state, h.astype(dtype), p)
        # The first spike of t0 = None sees x0, y0 as given, but u always goes through P_uu (h = 0 there):
        # tau_f = 0 empties u before every spike, the first included (NEST tsodyks_synapse: Puu = 0 whenever
        # tau_fac = 0, so its initial u is never used); tau_f > 0 holds it (P_uu(0) = 1).
        pre = TM3State(moved.u, *(jnp.where(sk, a, b) for a, b in zip(state[1:], moved[1:])))
        u_plus = pre.u + p.U * (1.0 - pre.u)
        if first_u is not None:
            u_plus = jnp.where(seen, u_plus, first_u)
        new, eff = _release(pre, p.U, ok, u_plus)
        new = TM3State(*(jnp.where(ok, a, b) for a, b in zip(new, state)))
        zero = jnp.zeros(shape, dtype)
        out = (eff, jnp.where(ok, u_plus, zero), jnp.where(ok, pre.x, zero), jnp.where(ok, pre.y, zero))
        return (new, seen | ok), out

    _, out = jax.lax.scan(body, (init, seen0), (gaps, valid, skip))
    eff, u_p, x_m, y_m = fam.to_batch_last(out)
    return eff, u_p, x_m, y_m


@accepts_units(spike_times="ms", t0="ms", tau_psc="ms", U="1", tau_f="ms", tau_d="ms", u0="1", x0="1")
def event_efficacies(spike_times: Any, U: Any, *, tau_f: Any, tau_d: Any, tau_psc: Any, u0: Any = 0.0,
                     x0: Any = 1.0, y0: Any = 0.0, t0: Any = None) -> tuple[Array, Array, Array, Array]:
    """Efficacy :math:`u^+x^-` (NEST's delivered weight / w) of every spike, event by event.

    Args:
      spike_times: 1-D sorted times (ms); ``+inf`` entries are padding (efficacy 0).
      U, tau_f, tau_d, tau_psc: parameters (see the module docstring); they broadcast, batch axes
        come first in the result.
      u0, x0, y0: state at ``t0`` (None: at the first spike, undecayed).

    Returns:
      ``(efficacy, u_plus, x_minus, y_minus)``, each shaped ``batch + spike_times.shape``.
    """
    fam.check_required(U=U, tau_f=tau_f, tau_d=tau_d, tau_psc=tau_psc)
    validate_params(U, tau_f=tau_f, tau_d=tau_d, tau_psc=tau_psc, u0=u0, x0=x0, y0=y0)
    fam.check_spike_times(spike_times, t0)
    return _scan(spike_times, TM3Params(U, tau_f, tau_d, tau_psc), u0, x0, y0, t0)


@accepts_units(dt="ms")
def step(state: TM3State, spike: Any, params: TM3Params, dt: Any) -> tuple[TM3State, Array]:
    """Exact time step: propagate over ``dt``, then apply the spike (indicator ``spike``) if any.

    Per-spike efficacies do not depend on ``dt`` for spikes on the grid and equal
    :func:`event_efficacies` (with ``t0`` = the start of the simulation). Returns ``(state, efficacy)``;
    ``state.y`` is the active fraction (current/conductance shape, times the weight).
    """
    validate_params(params.U, tau_f=params.tau_f, tau_d=params.tau_d, tau_psc=params.tau_psc)
    fam.check_dt(dt)
    moved = _propagate(state, jnp.asarray(dt, jnp.result_type(state.u)), params)
    s = jnp.asarray(spike).astype(bool)
    return _release(moved, params.U, s)


@accepts_units(U="1", tau_f="ms", tau_d="ms", tau_psc="ms", isi="ms")
def steady_state(U: Any, *, tau_f: Any, tau_d: Any, tau_psc: Any, isi: Any) -> tuple[Array, Array, Array, Array]:
    r"""Closed-form steady state of a regular train with interval ``isi`` (ms).

    :math:`u^+_\infty = U/(1-(1-U)P_{uu})`; with :math:`R_p = 1-P_{yy}` and :math:`K = R - P_{xy}`,

    .. math::

        x^-_\infty = \frac{R\,R_p}{(u^+_\infty(1-P_{xy}) + R)R_p + K(1-R_p)u^+_\infty},\qquad
        y^-_\infty = \frac{P_{yy}u^+_\infty x^-_\infty}{R_p},\qquad e_\infty = u^+_\infty x^-_\infty.

    Returns ``(u_plus, x_minus, y_minus, efficacy)``.
    """
    fam.check_required(U=U, tau_f=tau_f, tau_d=tau_d, tau_psc=tau_psc)
    validate_params(U, tau_f=tau_f, tau_d=tau_d, tau_psc=tau_psc)
    fam.check_isi(isi)
    dtype = fam.float_dtype(U, tau_f, tau_d, tau_psc, isi)
    U, tau_f, tau_d, tau_psc, h = (jnp.asarray(v, dtype) for v in (U, tau_f, tau_d, tau_psc, isi))
    p_uu, p_yy, rec, p_xy = propagators(h, tau_f, tau_d, tau_psc)
    u = fam.div(U, 1.0 - (1.0 - U) * p_uu)
    r_p = 1.0 - p_yy
    k = rec - p_xy
    den = (u * (1.0 - p_xy) + rec) * r_p + k * (1.0 - r_p) * u
    pos = den > 0
    x = jnp.where(pos, fam.div(rec * r_p, jnp.where(pos, den, 1.0)), 0.0)
    has_rp = r_p > 0
    y = jnp.where(has_rp, fam.div(p_yy * u * x, jnp.where(has_rp, r_p, 1.0)), 1.0 - x)
    return u, x, y, u * x
