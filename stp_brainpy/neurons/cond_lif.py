r"""Conductance-based LIF group of the Neuromatch tutorial (``run_LIF_cond``), a thin skin over the
package's one conductance LIF (:mod:`stp_brainpy.core.cond_neuron`, :mod:`stp_brainpy.core.cond_lif`)."""
from __future__ import annotations

from typing import Callable, Optional, Sequence, Union

import brainpy as bp
import brainpy.math as bm
import jax.numpy as jnp

from ..core.cond_lif import CondLIFParams, CondLIFState, cond_lif_step, threshold_check, validate_cond_lif_params
from ..core.validation import check_integer, check_method, check_number
from ..units import to_units

__all__ = ["CondLIF"]

Param = Union[float, "jnp.ndarray", Callable]

_UNITS = {"V_th": "mV", "V_reset": "mV", "V_init": "mV", "E_L": "mV", "E_E": "mV", "E_I": "mV", "tau_m": "ms",
          "tau_ref": "ms", "tau_E": "ms", "tau_I": "ms", "g_L": "nS", "I_e": "pA"}


def _check_size(size) -> None:
    """``size``: a count or a sequence of counts (``TypeError``/``ValueError`` naming it, not a brainpy error)."""
    for k in (size if isinstance(size, (tuple, list)) else (size,)):
        check_integer("size", k, low=0)


class CondLIF(bp.dyn.NeuDyn):
    r"""Conductance-based leaky integrate-and-fire neurons (Neuromatch W2D3 T3 defaults).

    .. math::

        \tau_m \frac{dV}{dt} = -(V - E_L) - \frac{g_E}{g_L}(V - E_E) - \frac{g_I}{g_L}(V - E_I)
                               + \frac{I}{g_L}, \qquad
        \frac{dg_{E,I}}{dt} = -\frac{g_{E,I}}{\tau_{E,I}} + \Delta g_{E,I}(t),

    with ``V ≥ V_th`` → spike, ``V ← V_reset`` held for ``ceil(tau_ref/dt)`` steps (the tutorial's
    counter, :func:`stp_brainpy.core.cond_neuron.refractory_steps`). Each step (:func:`stp_brainpy.core.cond_lif.cond_lif_step`) the conductances
    decay and jump by the increments delivered this step (``gE_input`` / ``gI_input``, nS,
    filled by :class:`~stp_brainpy.neurons.cond_inputs.ConductanceInput` and cleared after the
    step), ``V`` is integrated with the new conductances and the current ``I`` (pA: ``input``
    + the ``update`` argument + currents of brainpy projections, e.g. ``bp.dyn.COBA``
    outputs through ``add_inp_fun``), then ``V`` is checked against the threshold.

    Step ``k`` of a run computes the tutorial's sample ``k+1`` from sample ``k`` with
    conductance jumps ``Δg`` delivered at step ``k`` (the tutorial's ``ḡ·train[k+1]``) and
    current ``I[k]``; so ``runner.mon['V'][k]`` is the tutorial's ``v[k+1]``.

    Every potential, time, conductance and current may be a brainunit Quantity (``g_L=10 * u.nS``),
    converted by :mod:`stp_brainpy.units`; another dimension raises
    :class:`~stp_brainpy.units.UnitError` naming the parameter and the expected unit. Bare numbers
    are taken in the units of the parameters below.

    Variables: ``V``, ``spike``, ``ref`` (refractory steps left), ``gE``, ``gI``, ``gE_input``,
    ``gI_input``, ``input``.

    Parameters
    ----------
    size : int or sequence of int
        Number (geometry) of neurons.
    V_th : float or array, mV
        Spike threshold. Default -55. ``fmp=True`` removes it.
    V_reset : float or array, mV
        Reset potential, below ``V_th``. Default -75.
    tau_m : float or array, ms
        Membrane time constant ``C/g_L``, in (0, inf). Default 10.
    g_L : float or array, nS
        Leak conductance, in (0, inf). Default 10.
    V_init : float or array, mV
        Initial potential. Default -65.
    E_L : float or array, mV
        Leak reversal potential. Default -75.
    tau_ref : float or array, ms
        Refractory period, in [0, inf). Default 2 (the tutorial's ``tref``).
    E_E, E_I : float or array, mV
        Excitatory / inhibitory reversal potentials. Defaults 0 and -80.
    tau_E, tau_I : float or array, ms
        Excitatory / inhibitory conductance decay time constants, in (0, inf]. Defaults 2 and 5.
    I_e : float or array, pA
        Constant bias current, finite. Default 0 (the tutorial has none).
    method : {'euler', 'exact'}
        ``'euler'`` (default) is the tutorial's forward Euler; ``'exact'`` decays ``g`` exactly and
        uses exponential Euler for ``V``.
    fmp : bool
        Free-membrane-potential mode: no threshold, no spikes. Default False.
    name, mode
        As for every brainpy model.

    Example
    -------
    >>> import brainpy as bp
    >>> from stp_brainpy.neurons import CondLIF
    >>> neu = CondLIF(1)
    >>> runner = bp.DSRunner(neu, monitors=['V', 'spike'], inputs=[('input', 250.)], progress_bar=False)
    >>> _ = runner.run(100.)
    >>> int(runner.mon['spike'].sum()) > 0
    True
    """

    def __init__(self, size: Union[int, Sequence[int]], V_th: Param = -55.0, V_reset: Param = -75.0,
                 tau_m: Param = 10.0, g_L: Param = 10.0, V_init: Param = -65.0, E_L: Param = -75.0,
                 tau_ref: Param = 2.0, E_E: Param = 0.0, E_I: Param = -80.0, tau_E: Param = 2.0,
                 tau_I: Param = 5.0, I_e: Param = 0.0, method: str = "euler", fmp: bool = False, keep_size: bool = False,
                 name: Optional[str] = None, mode: Optional[bm.Mode] = None):
        _check_size(size)
        super().__init__(size=size, keep_size=keep_size, name=name, mode=mode)
        check_method(method)
        self.method = method
        self.fmp = bool(fmp)
        values = to_units(dict(V_th=V_th, V_reset=V_reset, tau_m=tau_m, g_L=g_L, V_init=V_init, E_L=E_L,
                               tau_ref=tau_ref, E_E=E_E, E_I=E_I, tau_E=tau_E, tau_I=tau_I, I_e=I_e), _UNITS)
        for k, v in values.items():
            if not callable(v):  # before init_param, which turns a string or None into an obscure brainpy error
                check_number(k, v)
            setattr(self, k, self.init_param(v))
        validate_cond_lif_params(self.params._replace(V_th=bm.as_jax(self.V_th)), bm.get_dt(), method)
        self.reset_state(self.mode)

    @property
    def params(self) -> CondLIFParams:
        p = CondLIFParams(*(bm.as_jax(getattr(self, f)) for f in CondLIFParams._fields))
        return p._replace(V_th=jnp.inf) if self.fmp else p

    def reset_state(self, batch_or_mode=None, **kwargs):
        f = bm.float_
        p = self.params
        dt = bm.get_dt()
        V0 = lambda s, **k: threshold_check(jnp.broadcast_to(p.V_init, s).astype(f), jnp.zeros(s, f), p, dt)
        self.V = self.init_variable(lambda s, **k: V0(s)[0], batch_or_mode)
        self.ref = self.init_variable(lambda s, **k: V0(s)[1], batch_or_mode)
        self.spike = self.init_variable(lambda s, **k: V0(s)[2], batch_or_mode)
        for k in ("gE", "gI", "gE_input", "gI_input", "input"):
            setattr(self, k, self.init_variable(bm.zeros, batch_or_mode))

    def update(self, x=None):
        dt = bp.share.load("dt")
        current = self.input.value + (0.0 if x is None else x)
        current = self.sum_current_inputs(self.V.value, init=current)
        state = CondLIFState(self.V.value, self.ref.value, self.gE.value, self.gI.value)
        state, spike = cond_lif_step(state, self.gE_input.value, self.gI_input.value, current, self.params, dt,
                                     self.method)
        self.V.value, self.ref.value, self.gE.value, self.gI.value = state
        self.spike.value = spike
        return spike

    def clear_input(self, *args, **kwargs):
        for v in (self.input, self.gE_input, self.gI_input):
            v.value = jnp.zeros_like(v.value)

    def return_info(self):
        return self.spike
