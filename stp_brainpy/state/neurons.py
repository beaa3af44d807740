r"""The package's conductance LIF as a brainpy.state neuron, over :mod:`stp_brainpy.core.cond_lif`."""
from __future__ import annotations

from typing import Callable, Optional

import braintools
import brainpy.state as bps
import brainstate
import brainunit as u
import jax.numpy as jnp
import numpy as np

from ..core import cond_lif as core
from ..core.validation import check_method
from ..units import to_unit
from ._env import dt_ms

__all__ = ["ConductanceLIF", "NEURON_UNITS"]

#: Unit of every neuron parameter (bare numbers are taken in these units).
NEURON_UNITS = {"V_th": "mV", "V_reset": "mV", "tau_m": "ms", "g_L": "nS", "E_L": "mV", "tau_ref": "ms",
                "E_E": "mV", "E_I": "mV", "tau_E": "ms", "tau_I": "ms", "I_e": "pA"}


def _params(values: dict):
    """A ``core.cond_lif.CondLIFParams`` from plain numbers (the core's own checks run on it)."""
    return core.CondLIFParams(**{k: v for k, v in values.items() if k in core.CondLIFParams._fields})


class ConductanceLIF(bps.Neuron):
    r"""Conductance-based LIF with exponential excitatory and inhibitory conductances (exact steps).

    .. math::

        C_m \frac{dV}{dt} = g_L(E_L - V) + g_E(E_E - V) + g_I(E_I - V) + I_e + I, \qquad
        C_m = g_L\tau_m, \qquad
        \frac{dg_{E,I}}{dt} = -\frac{g_{E,I}}{\tau_{E,I}} + \sum_k w_k\,\delta(t - t_k).

    Each step (``brainstate.environ``'s ``dt``): the conductances decay and add the jumps that
    arrived (delta inputs labelled ``'w_ex'`` and ``'w_in'``, in nS, as for brainpy.state's
    ``iaf_cond_exp``: ``brainpy.state.DeltaProj(comm=..., post=neuron, label='w_ex')``); ``V`` is
    advanced with those conductances (``'exact'``: exponential Euler, exact for conductances
    frozen over the step; ``'euler'``: forward Euler, the Neuromatch tutorial's); then the
    threshold: while refractory ``V`` is held at ``V_reset``, else ``V ≥ V_th`` spikes, resets and
    holds for ``ceil(tau_ref/dt)`` steps. All of it is
    :func:`stp_brainpy.core.cond_lif.cond_lif_step`, the function the tutorial neuron and the
    fused COBA network use.

    ``I`` is the ``x`` passed to :meth:`update` plus brainpy.state current inputs (e.g. the
    ``COBA`` outputs of ``AlignPostProj`` projections), evaluated at the step's starting ``V``.

    ===========  ====  ===========  ====================================================
    parameter    unit  default      range
    ===========  ====  ===========  ====================================================
    ``V_th``     mV    -55          finite or +inf (no threshold), > ``V_reset``
    ``V_reset``  mV    -75          finite
    ``tau_m``    ms    10           (0, inf); or give ``C_m`` (pF): ``tau_m = C_m/g_L``
    ``g_L``      nS    10           (0, inf)
    ``V_init``   mV    -65          number, array of the population's shape, or a
                                    ``braintools.init`` initializer
    ``E_L``      mV    -75          finite
    ``tau_ref``  ms    2            [0, inf)
    ``E_E``      mV    0            finite
    ``E_I``      mV    -80          finite
    ``tau_E``    ms    2            (0, inf]
    ``tau_I``    ms    5            (0, inf]
    ``I_e``      pA    0            finite, constant bias current
    ``method``   --    'exact'      'exact' or 'euler'
    ===========  ====  ===========  ====================================================

    Defaults are the Neuromatch tutorial's (``default_pars``); :meth:`coba` gives the COBA
    benchmark neuron (Brette et al. 2007). Every parameter takes a brainunit Quantity of its
    dimension or a bare number in the unit above; a wrong dimension raises
    :class:`stp_brainpy.units.UnitError` naming it. States (``brainstate.HiddenState``): ``V``
    (mV), ``gE``, ``gI`` (nS), ``ref`` (steps still refractory); ``spike``
    (``brainstate.ShortTermState``) is the last step's output, read by :meth:`get_spike`.

    References: Vogels & Abbott (2005) J. Neurosci. 25:10786; Brette et al. (2007) J. Comput.
    Neurosci. 23:349; Neuromatch Academy W2D3 Tutorial 3; NEST ``iaf_cond_exp``.

    Example::

        >>> import brainstate, brainunit as u
        >>> from stp_brainpy.state import ConductanceLIF
        >>> brainstate.environ.set(dt=0.1 * u.ms)
        >>> neu = ConductanceLIF.coba(2, V_init=[-50.01, -55.0] * u.mV)
        >>> neu.init_state()
        >>> spikes = neu.update()          # one step: the first neuron crosses V_th = -50 mV
        >>> spikes.tolist(), round(float(neu.V.value[0].to_decimal(u.mV)), 6), neu.ref.value.tolist()
        ([1.0, 0.0], -60.0, [50, 0])
    """

    __module__ = "stp_brainpy.state"

    def __init__(self, in_size, *, V_th=-55.0, V_reset=-75.0, tau_m=None, C_m=None, g_L=10.0, V_init=-65.0,
                 E_L=-75.0, tau_ref=2.0, E_E=0.0, E_I=-80.0, tau_E=2.0, tau_I=5.0, I_e=0.0,
                 method: str = "exact", name: Optional[str] = None):
        super().__init__(in_size, name=name)
        given = dict(V_th=V_th, V_reset=V_reset, g_L=g_L, E_L=E_L, tau_ref=tau_ref, E_E=E_E, E_I=E_I,
                     tau_E=tau_E, tau_I=tau_I, I_e=I_e)
        vals = {k: to_unit(k, v, NEURON_UNITS[k]) for k, v in given.items()}
        if tau_m is not None and C_m is not None:
            raise ValueError("give tau_m or C_m, not both (tau_m = C_m / g_L)")
        if C_m is not None:
            vals["tau_m"] = to_unit("C_m", C_m, "pF") / vals["g_L"]
        else:
            vals["tau_m"] = to_unit("tau_m", 10.0 if tau_m is None else tau_m, "ms")
        if not callable(V_init):
            V_init = to_unit("V_init", V_init, "mV")
            shape = tuple(self.varshape)
            if np.shape(V_init) and np.broadcast_shapes(np.shape(V_init), shape) != shape:
                raise ValueError(f"V_init must be a scalar or broadcast to the population shape {shape}; "
                                 f"got shape {np.shape(V_init)}")
        vals["V_init"] = 0.0 if callable(V_init) else np.asarray(V_init, float).ravel()[0]
        self.method = check_method(method)
        self.params = _params(vals)
        core.validate_cond_lif_params(self.params, method=None)
        self.V_init: Callable | float = V_init

    @classmethod
    def from_params(cls, in_size, p: "core.CondLIFParams", **overrides) -> "ConductanceLIF":
        """A population with the parameters of a :class:`stp_brainpy.core.cond_lif.CondLIFParams`
        (plain numbers in mV, ms, nS, pA); ``overrides`` as in the constructor."""
        base = {k: v for k, v in p._asdict().items() if k in NEURON_UNITS or k == "V_init"}
        if "C_m" in overrides:
            base.pop("tau_m")
        base.update(overrides)
        return cls(in_size, **base)

    @classmethod
    def coba(cls, in_size, **overrides) -> "ConductanceLIF":
        """The COBA benchmark neuron, :data:`stp_brainpy.core.cond_neuron.COBA_NEURON` (C_m 200 pF,
        g_L 10 nS, E_L -60, V_th -50, V_reset -60 mV, tau_ref 5 ms, I_e 200 pA, E_E 0, E_I -80 mV,
        tau_E 5, tau_I 10 ms); ``overrides`` as in the constructor."""
        return cls.from_params(in_size, core.COBA_NEURON, **overrides)

    def _shape(self, batch_size):
        return tuple(self.varshape) if batch_size is None else (batch_size,) + tuple(self.varshape)

    def _initial_V(self, batch_size):
        shape = self._shape(batch_size)
        if callable(self.V_init):
            v = to_unit("V_init", braintools.init.param(self.V_init, self.varshape, batch_size), "mV")
        else:
            v = self.V_init
        return u.Quantity(jnp.broadcast_to(jnp.asarray(v, brainstate.environ.dftype()), shape), unit=u.mV)

    def init_state(self, batch_size: Optional[int] = None, **kwargs):
        zeros = jnp.zeros(self._shape(batch_size), brainstate.environ.dftype())
        self.V = brainstate.HiddenState(self._initial_V(batch_size))
        self.gE = brainstate.HiddenState(u.Quantity(zeros, unit=u.nS))
        self.gI = brainstate.HiddenState(u.Quantity(zeros, unit=u.nS))
        self.ref = brainstate.HiddenState(jnp.zeros(zeros.shape, jnp.int32))
        self.spike = brainstate.ShortTermState(zeros)

    def reset_state(self, batch_size: Optional[int] = None, **kwargs):
        zeros = jnp.zeros(self._shape(batch_size), brainstate.environ.dftype())
        self.V.value = self._initial_V(batch_size)
        self.gE.value = u.Quantity(zeros, unit=u.nS)
        self.gI.value = u.Quantity(zeros, unit=u.nS)
        self.ref.value = jnp.zeros(zeros.shape, jnp.int32)
        self.spike.value = zeros

    def get_spike(self, *args, **kwargs):
        """The spikes of the last step (1.0 / 0.0)."""
        return self.spike.value

    def update(self, x=0.0 * u.pA):
        V0 = self.V.value
        zeros = u.Quantity(jnp.zeros_like(self.gE.value.mantissa), unit=u.nS)
        dE = to_unit("w_ex", self.sum_delta_inputs(zeros, label="w_ex"), "nS")
        dI = to_unit("w_in", self.sum_delta_inputs(zeros, label="w_in"), "nS")
        I = to_unit("I", self.sum_current_inputs(x, V0), "pA")
        state = core.CondLIFState(V0.to_decimal(u.mV), self.ref.value, self.gE.value.to_decimal(u.nS),
                                  self.gI.value.to_decimal(u.nS))
        state, spike = core.cond_lif_step(state, dE, dI, I, self.params, dt_ms(), self.method)
        self.V.value = u.Quantity(state.V, unit=u.mV)
        self.gE.value = u.Quantity(state.gE, unit=u.nS)
        self.gI.value = u.Quantity(state.gI, unit=u.nS)
        self.ref.value = state.ref.astype(jnp.int32)
        self.spike.value = spike.astype(brainstate.environ.dftype())
        return self.spike.value
