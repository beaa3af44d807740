r"""Tsodyks–Markram STP as synaptic dynamics (``bp.dyn.SynDyn``) for brainpy's AlignPre projections."""
from __future__ import annotations

from typing import Callable, Optional, Sequence, Union

import brainpy as bp
import brainpy.math as bm
import jax
import numpy as np

from ..core.stp import STPState, exp_decay_step, stp_step, validate_stp_params

__all__ = ["STPExpon", "STPRelease"]

Param = Union[float, np.ndarray, jax.Array, Callable]


class STPRelease(bp.dyn.SynDyn):
    r"""Per-presynaptic-neuron TM resources; returns the released efficacy :math:`u^+x^-` of each step.

    .. math::

        \frac{du}{dt} = -\frac{u}{\tau_f} + U(1-u^-)\,\delta(t-t_{sp}), \qquad
        \frac{dx}{dt} = \frac{1-x}{\tau_d} - u^+x^-\,\delta(t-t_{sp}),

    ``u`` rests at 0 and ``x`` at 1; ``update(pre_spike)`` returns :math:`e = u^+x^-` on spiking
    neurons and 0 elsewhere (:func:`stp_brainpy.core.stp.stp_step`). Unlike brainpy's built-in
    ``bp.dyn.STP`` (``u`` starts at ``U``, output :math:`u^+x^+` at every step, what is left after
    the release), the output is the amount released by the spike itself.

    Parameters
    ----------
    size : int or sequence of int
        Number of presynaptic neurons.
    U : float or array
        Increment of ``u`` per spike, in (0, 1]. Default 0.15.
    tau_f, tau_d : float or array, ms
        Facilitation / depression time constants, in (0, inf). Defaults 1500, 200.
    method : {'exact', 'euler'}
        Time stepping. Default ``'exact'``.

    Example
    -------
    >>> import brainpy as bp, brainpy.math as bm
    >>> from stp_brainpy.synapses import STPRelease
    >>> syn = STPRelease(1, U=0.2, tau_f=2., tau_d=150.)
    >>> bp.share.save(t=0., dt=0.1)
    >>> round(float(syn(bm.asarray([True]))[0]), 6)
    0.2
    """

    def __init__(self, size: Union[int, Sequence[int]], U: Param = 0.15, tau_f: Param = 1500.0,
                 tau_d: Param = 200.0, method: str = "exact", keep_size: bool = False, name: Optional[str] = None,
                 mode: Optional[bm.Mode] = None):
        super().__init__(size=size, keep_size=keep_size, name=name, mode=mode)
        self.U = self.init_param(U)
        self.tau_f = self.init_param(tau_f)
        self.tau_d = self.init_param(tau_d)
        validate_stp_params(U=self.U, tau_f=self.tau_f, tau_d=self.tau_d, dt=bm.get_dt(), method=method,
                            state=np.zeros(self.varshape))
        self.method = method
        self.reset_state(self.mode)

    def reset_state(self, batch_or_mode=None, **kwargs):
        self.u = self.init_variable(bm.zeros, batch_or_mode)
        self.x = self.init_variable(bm.ones, batch_or_mode)
        self.efficacy = self.init_variable(bm.zeros, batch_or_mode)

    def _release(self, pre_spike):
        dt = bp.share.load("dt")
        state, eff = stp_step(STPState(self.u.value, self.x.value), bm.as_jax(pre_spike), bm.as_jax(self.U),
                              tau_f=bm.as_jax(self.tau_f), tau_d=bm.as_jax(self.tau_d), dt=dt, method=self.method)
        self.u.value, self.x.value = state
        self.efficacy.value = eff
        return eff

    def update(self, pre_spike):
        return self._release(pre_spike)

    def return_info(self):
        return self.efficacy


class STPExpon(STPRelease):
    r"""TM resources plus an exponential synaptic variable ``g`` that jumps by :math:`A u^+x^-`.

    .. math::

        \frac{dg}{dt} = -\frac{g}{\tau} + A\,u^+x^-\,\delta(t-t_{sp})

    on top of :class:`STPRelease`'s ``u`` and ``x`` (one of each per presynaptic neuron).
    ``update(pre_spike)`` returns ``g``; plug it into brainpy's AlignPre projections, where
    ``comm`` applies the weights and ``out`` makes ``g`` a conductance (``bp.dyn.COBA``) or a
    current (``bp.dyn.CUBA``). With ``A=1``, ``CUBA`` and unit weights the post-synaptic current is
    the homework's ``I``.

    Parameters
    ----------
    size : int or sequence of int
        Number of presynaptic neurons.
    U, tau_f, tau_d, method
        As :class:`STPRelease`.
    tau : float or array, ms
        Decay time constant of ``g``, in (0, inf). Default 8.
    A : float or array
        Jump of ``g`` per unit efficacy. Default 1.

    Example
    -------
    >>> import brainpy as bp
    >>> from stp_brainpy.synapses import STPExpon
    >>> pre, post = bp.dyn.LifRef(10), bp.dyn.LifRef(5)
    >>> proj = bp.dyn.FullProjAlignPreSDMg(
    ...     pre=pre, syn=STPExpon.desc(10, U=0.2, tau_f=2., tau_d=150., tau=8.), delay=1.,
    ...     comm=bp.dnn.AllToAll(10, 5, 0.5), out=bp.dyn.COBA(E=0.), post=post)
    """

    def __init__(self, size: Union[int, Sequence[int]], U: Param = 0.15, tau_f: Param = 1500.0,
                 tau_d: Param = 200.0, tau: Param = 8.0, A: Param = 1.0, method: str = "exact",
                 keep_size: bool = False, name: Optional[str] = None, mode: Optional[bm.Mode] = None):
        self.tau = tau
        self.A = A
        super().__init__(size, U=U, tau_f=tau_f, tau_d=tau_d, method=method, keep_size=keep_size, name=name,
                         mode=mode)
        self.tau = self.init_param(tau)
        self.A = self.init_param(A)
        validate_stp_params(tau_s=self.tau, A=self.A, state=np.zeros(self.varshape))

    def reset_state(self, batch_or_mode=None, **kwargs):
        super().reset_state(batch_or_mode)
        self.g = self.init_variable(bm.zeros, batch_or_mode)

    def update(self, pre_spike):
        eff = self._release(pre_spike)
        self.g.value = exp_decay_step(self.g.value, bm.as_jax(self.A) * eff, bm.as_jax(self.tau),
                                      bp.share.load("dt"), self.method)
        return self.g.value

    def add_current(self, x):
        self.g.value += x

    def return_info(self):
        return self.g
