r"""Leaky integrate-and-fire group with the homework library's (brainmodels') defaults.

Equations: :mod:`stp_brainpy.core.lif`. References: Lapicque (1907) / Gerstner et al., *Neuronal
Dynamics* (2014), ch. 1.3 (the leaky integrate-and-fire model); the homework's
``brainmodels.neurons.LIF`` (brainmodels 0.4.1, defaults kept).
"""
from __future__ import annotations

from typing import Callable, Optional, Sequence, Union

import brainpy as bp
import brainpy.math as bm
import jax.numpy as jnp

from ..core.lif import NEVER, LIFParams, LIFState, lif_step, validate_lif_params
from ..core.validation import check_numbers, check_size
from ..units import to_units

__all__ = ["LIF"]

Param = Union[float, "jnp.ndarray", Callable]

_UNITS = {"V_rest": "mV", "V_reset": "mV", "V_th": "mV", "tau": "ms", "tau_ref": "ms"}


class LIF(bp.dyn.NeuDyn):
    r"""Leaky integrate-and-fire neurons (brainmodels 0.4 defaults, as the homework uses them).

    .. math::

        \tau \frac{dV}{dt} = -(V - V_{rest}) + I(t), \qquad
        V \ge V_{th} \;\Rightarrow\; V \leftarrow V_{reset},\ t_{last} \leftarrow t,

    and ``V`` is held while :math:`t - t_{last} \le \tau_{ref}`. Each step uses the exact
    solution of the linear membrane equation (:func:`stp_brainpy.core.lif.lif_step`), with
    ``I`` the sum of the ``input`` variable (cleared after every step, as brainpy does), the
    argument of ``update`` and the current inputs registered by brainpy projections.

    ===========  =====  =======  ===============  ======================================
    parameter    unit   default  valid range      meaning
    ===========  =====  =======  ===============  ======================================
    ``size``     --     --       int >= 1         number (geometry) of neurons
    ``V_rest``   mV     0        finite           resting potential
    ``V_reset``  mV     -5       finite, < V_th   reset potential
    ``V_th``     mV     20       finite           spike threshold
    ``tau``      ms     10       (0, inf)         membrane time constant
    ``tau_ref``  ms     1        [0, inf)         refractory period
    ===========  =====  =======  ===============  ======================================

    Potentials and times may be brainunit Quantities (``V_th=20 * u.mV``, ``tau=10 * u.ms``),
    converted by :mod:`stp_brainpy.units`; another dimension raises
    :class:`~stp_brainpy.units.UnitError` naming the parameter and the expected unit. Bare numbers
    are taken in the units of the table.

    Bad concrete parameters are refused at construction: ``ValueError`` naming the parameter, its
    range and the value, ``TypeError`` for strings and other non-numbers.

    Parameters
    ----------
    size, V_rest, V_reset, V_th, tau, tau_ref
        As in the table; potentials and time constants may be arrays over the neurons or brainpy
        initializers.
    name, mode
        As for every brainpy model; ``mode=bm.BatchingMode(B)`` adds a leading batch axis.

    Variables
    ---------
    V, spike, t_last_spike, refractory, input

    Example
    -------
    >>> import brainpy as bp
    >>> from stp_brainpy.neurons import LIF
    >>> neu = LIF(1)
    >>> runner = bp.DSRunner(neu, monitors=['spike'], inputs=[('input', 28.)], progress_bar=False)
    >>> _ = runner.run(150.)
    >>> int(runner.mon['spike'].sum())   # one spike every ~15.2 ms at input 28
    10

    References
    ----------
    Gerstner, W., Kistler, W. M., Naud, R. & Paninski, L. (2014). *Neuronal Dynamics*, ch. 1.3.
    The homework's ``brainmodels.neurons.LIF`` (brainmodels 0.4.1), whose defaults this class keeps.
    """

    def __init__(self, size: Union[int, Sequence[int]], V_rest: Param = 0.0, V_reset: Param = -5.0,
                 V_th: Param = 20.0, tau: Param = 10.0, tau_ref: Param = 1.0, keep_size: bool = False,
                 name: Optional[str] = None, mode: Optional[bm.Mode] = None):
        check_size("size", size)
        V_rest, V_reset, V_th, tau, tau_ref = to_units(
            dict(V_rest=V_rest, V_reset=V_reset, V_th=V_th, tau=tau, tau_ref=tau_ref), _UNITS).values()
        check_numbers(V_rest=V_rest, V_reset=V_reset, V_th=V_th, tau=tau, tau_ref=tau_ref)
        super().__init__(size=size, keep_size=keep_size, name=name, mode=mode)
        self.V_rest = self.init_param(V_rest)
        self.V_reset = self.init_param(V_reset)
        self.V_th = self.init_param(V_th)
        self.tau = self.init_param(tau)
        self.tau_ref = self.init_param(tau_ref)
        validate_lif_params(self.params)
        self.reset_state(self.mode)

    @property
    def params(self) -> LIFParams:
        return LIFParams(*(bm.as_jax(p) for p in (self.V_rest, self.V_reset, self.V_th, self.tau, self.tau_ref)))

    def reset_state(self, batch_or_mode=None, **kwargs):
        self.V = self.init_variable(lambda s: jnp.broadcast_to(bm.as_jax(self.V_rest), s).astype(bm.float_),
                                    batch_or_mode)
        self.spike = self.init_variable(lambda s: jnp.zeros(s, bool), batch_or_mode)
        self.t_last_spike = self.init_variable(lambda s: jnp.full(s, NEVER, bm.float_), batch_or_mode)
        self.refractory = self.init_variable(lambda s: jnp.zeros(s, bool), batch_or_mode)
        self.input = self.init_variable(bm.zeros, batch_or_mode)

    def update(self, x=None):
        t = bp.share.load("t")
        dt = bp.share.load("dt")
        current = self.input.value + (0.0 if x is None else x)
        current = self.sum_current_inputs(self.V.value, init=current)
        p = self.params
        was_refractory = (t - self.t_last_spike.value) <= p.tau_ref
        new = lif_step(LIFState(self.V.value, self.t_last_spike.value, self.spike.value), current, t, dt, p)
        self.V.value = new.V
        self.spike.value = new.spike
        self.t_last_spike.value = new.t_last_spike
        self.refractory.value = jnp.logical_or(was_refractory, new.spike)
        return new.spike

    def clear_input(self, *args, **kwargs):
        self.input.value = jnp.zeros_like(self.input.value)

    def return_info(self):
        return self.spike
