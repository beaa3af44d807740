r"""Tsodyks–Markram STP as synaptic dynamics (``bp.dyn.SynDyn``) for brainpy's AlignPre projections.

Equations: :mod:`stp_brainpy.core.stp` (variant ``tm``). References: Tsodyks & Markram (1997),
PNAS 94:719–723; Tsodyks, Pawelzik & Markram (1998), Neural Comput. 10:821–835; NEST's
``tsodyks2_synapse`` documentation; the homework's ``brainmodels.synapses.STP``.
"""
from __future__ import annotations

from typing import Callable, Optional, Sequence, Union

import brainpy as bp
import brainpy.math as bm
import jax
import numpy as np

from ..core import stp as _stp
from ..core.stp import exp_decay_step, validate_stp_params
from ..core.validation import check_finite, check_numbers, check_range, check_size
from ..units import to_unit, to_units
from . import _models

__all__ = ["STPExpon", "STPRelease"]

Param = Union[float, np.ndarray, jax.Array, Callable]

_UNITS = {"U": "1", "f": "1", "u0": "1", "x0": "1", "tau_f": "ms", "tau_d": "ms", "tau_psc": "ms"}


class STPRelease(bp.dyn.SynDyn):
    r"""Per-presynaptic-neuron TM resources; returns the released efficacy :math:`u^+x^-` of each step.

    .. math::

        \frac{du}{dt} = -\frac{u}{\tau_f} + U(1-u^-)\,\delta(t-t_{sp}), \qquad
        \frac{dx}{dt} = \frac{1-x}{\tau_d} - u^+x^-\,\delta(t-t_{sp}),

    ``u`` rests at 0 and ``x`` at 1; ``update(pre_spike)`` returns :math:`e = u^+x^-` on spiking
    neurons and 0 elsewhere (:func:`stp_brainpy.core.stp.stp_step`). Unlike brainpy's built-in
    ``bp.dyn.STP`` (``u`` starts at ``U``, output :math:`u^+x^+` at every step, what is left after
    the release), the output is the amount released by the spike itself.

    ===========  =====  =======  =============  ===============================================
    parameter    unit   default  valid range    meaning
    ===========  =====  =======  =============  ===============================================
    ``size``     --     --       int >= 1       number (geometry) of presynaptic neurons
    ``U``        --     0.15     (0, 1]         increment of ``u`` per spike
    ``tau_f``    ms     1500     [0, inf]       facilitation (0: none, ``u⁺ = U`` at every spike)
    ``tau_d``    ms     200      (0, inf]       recovery of ``x`` (inf: none)
    ``u0``       --     rest     [0, 1]         initial ``u`` (0; ``U`` for markram)
    ``x0``       --     1        [0, 1]         initial ``x``
    ``method``   --     'exact'  exact, euler   time stepping; ``'euler'`` (tm only) needs ``dt`` below
                                                every τ
    ``model``    --     'tm'     tm, markram,   STP variant of :mod:`stp_brainpy.core.family`
                                 tm3
    ``f``        --     U        [0, 1]         markram: increment of ``u`` per spike
    ``read``     --     before   before, after  markram: efficacy read before/after the jump
    ``tau_psc``  ms     3        [0, inf]       tm3: inactivation of the active fraction ``y``
    ===========  =====  =======  =============  ===============================================

    ``model='markram'`` steps with :func:`stp_brainpy.core.markram.step` (``u`` relaxes to ``U``),
    ``model='tm3'`` with :func:`stp_brainpy.core.tm3.step` (three states; variable ``y``, the
    active fraction, is kept too); ``'tm'`` with :func:`stp_brainpy.core.stp.stp_step`. The output
    is the efficacy of the model in every case.

    Units: ``tau_f``, ``tau_d``, ``tau_psc`` (and :class:`STPExpon`'s ``tau``) may be brainunit
    Quantities, converted by :mod:`stp_brainpy.units`; another dimension raises
    :class:`~stp_brainpy.units.UnitError` naming the parameter and the expected unit.

    Parameters may be scalars, arrays over the neurons or brainpy initializers. Bad concrete values
    are refused at construction (``ValueError`` naming the parameter, ``TypeError`` for non-numbers).

    References: Tsodyks & Markram (1997); Tsodyks, Pawelzik & Markram (1998); NEST ``tsodyks2_synapse``.

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
                 mode: Optional[bm.Mode] = None, *, u0: Optional[Param] = None, x0: Param = 1.0, model: str = "tm",
                 f: Optional[Param] = None, tau_psc: Optional[Param] = None, read: str = "before"):
        check_size("size", size)
        U, f, u0, x0, tau_f, tau_d, tau_psc = to_units(
            dict(U=U, f=f, u0=u0, x0=x0, tau_f=tau_f, tau_d=tau_d, tau_psc=tau_psc), _UNITS).values()
        model = _models.check_synapse_model(model, method, f, tau_psc, read)
        check_numbers(U=U, tau_f=tau_f, tau_d=tau_d, x0=x0)
        check_numbers(**{k: v for k, v in (("u0", u0), ("f", f), ("tau_psc", tau_psc)) if v is not None})
        super().__init__(size=size, keep_size=keep_size, name=name, mode=mode)
        self.model, self.method, self.read = model, method, read
        self.U = self.init_param(U)
        self.tau_f = self.init_param(tau_f)
        self.tau_d = self.init_param(tau_d)
        self.f = None if f is None else self.init_param(f)
        self.tau_psc = None if tau_psc is None else self.init_param(tau_psc)
        self.u0 = self.init_param(_models.default_u0(model, self.U) if u0 is None else u0)
        self.x0 = self.init_param(x0)
        _models.validate_synapse_params(model, U=self.U, tau_f=self.tau_f, tau_d=self.tau_d, f=self.f,
                                        tau_psc=self.tau_psc, u0=self.u0, x0=self.x0, dt=bm.get_dt(), method=method,
                                        state=np.zeros(self.varshape))
        self.reset_state(self.mode)

    def _params(self):
        j = lambda v: None if v is None else bm.as_jax(v)  # noqa: E731
        return _models.params(self.model, U=j(self.U), tau_f=j(self.tau_f), tau_d=j(self.tau_d), f=j(self.f),
                              tau_psc=j(self.tau_psc))

    def reset_state(self, batch_or_mode=None, **kwargs):
        for field, value in _models.initial(self.model, bm.as_jax(self.u0), bm.as_jax(self.x0)).items():
            init = (lambda v: lambda s: jax.numpy.broadcast_to(v, s).astype(bm.float_))(value)
            setattr(self, field, self.init_variable(init, batch_or_mode))
        self.efficacy = self.init_variable(bm.zeros, batch_or_mode)

    def _release(self, pre_spike):
        dt = bp.share.load("dt")
        fields = _models.FIELDS[self.model]
        state, eff = _models.step(self.model, tuple(getattr(self, k).value for k in fields), bm.as_jax(pre_spike),
                                  self._params(), dt, self.method, self.read)
        for k, v in zip(fields, state):
            getattr(self, k).value = v
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
    current (``bp.dyn.CUBA``). ``g`` (and :class:`STPRelease`'s efficacy) is continuous, so ``comm``
    must be a weighted layer (``bp.dnn.CSRLinear``, ``bp.dnn.Linear``, ``bp.dnn.AllToAll``):
    brainpy's event layers (``bp.dnn.EventCSRLinear``, ...) take every non-zero entry as a spike
    and deliver the full weight, not weight times ``g``. With ``A=1``, ``CUBA`` and unit weights the post-synaptic current is
    the homework's ``I``.

    Parameters
    ----------
    size : int or sequence of int
        Number of presynaptic neurons (integers >= 1).
    U, tau_f, tau_d, u0, x0, method, model, f, read, tau_psc
        As :class:`STPRelease` (table there).
    tau : float or array, ms
        Decay time constant of ``g``, in (0, inf]. Default 8.
    A : float or array
        Jump of ``g`` per unit efficacy, finite. Default 1.

    References: Tsodyks & Markram (1997); Tsodyks, Pawelzik & Markram (1998); NEST ``tsodyks2_synapse``;
    the homework's ``brainmodels.synapses.STP`` (whose ``I`` this ``g`` is with ``A=1``, ``CUBA``).

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
                 keep_size: bool = False, name: Optional[str] = None, mode: Optional[bm.Mode] = None, *,
                 u0: Optional[Param] = None, x0: Param = 1.0, model: str = "tm", f: Optional[Param] = None,
                 tau_psc: Optional[Param] = None, read: str = "before"):
        tau = to_unit("tau", tau, "ms")
        check_numbers(tau=tau, A=A)
        self.tau = tau
        self.A = A
        super().__init__(size, U=U, tau_f=tau_f, tau_d=tau_d, method=method, keep_size=keep_size, name=name,
                         mode=mode, u0=u0, x0=x0, model=model, f=f, tau_psc=tau_psc, read=read)
        self.tau = self.init_param(tau)
        self.A = self.init_param(A)
        check_range("tau", self.tau, 0.0, float("inf"), low_open=True, unit="ms")
        _stp._check_step(bm.get_dt(), method, tau=self.tau)
        check_finite("A", self.A)
        validate_stp_params(A=self.A, tau=self.tau, state=np.zeros(self.varshape))

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
