r"""Conductance-output synapses onto :class:`~stp_brainpy.neurons.CondLIF`: static or with STP."""
from __future__ import annotations

from typing import Any, Optional

import brainpy as bp
import brainpy.math as bm
import jax.numpy as jnp
import numpy as np

from ..core.stp import STPState, stp_step, validate_stp_params
from ..core.validation import check_choice, check_finite, check_method, check_number, check_positive

__all__ = ["ConductanceInput"]


class ConductanceInput(bp.Projection):
    r"""Synapses from a spiking group onto the ``gE`` or ``gI`` conductance of a :class:`CondLIF`.

    Static (``U=None``): a presynaptic spike of train ``i`` adds ``g_bar`` (nS). With STP every
    presynaptic train has its own Tsodyks–Markram state (the tutorial's bonus, ``dynamic_syn``):

    .. math::

        u^+ = u^- + U(1-u^-), \quad e = u^+x^-, \quad x^+ = x^- - e, \quad \Delta g = \bar g\, e,

    with ``u → 0`` (τf) and ``x → 1`` (τd) between spikes, stepped by
    :func:`stp_brainpy.core.stp.stp_step` (``method='euler'`` is ``dynamic_syn`` exactly). The
    conductance's own decay (τE / τI) is the neuron's.

    Timing: a projection updates before the neurons of a network step, so it reads the
    presynaptic spikes of the previous step; with
    :class:`~stp_brainpy.inputs.SpikeTrainGroup` ``(train)`` as ``pre`` the neuron reproduces the
    tutorial's run on ``train`` delayed by two samples.

    Parameters
    ----------
    pre : bp.DynamicalSystem
        Group with a ``spike`` variable (e.g. :class:`~stp_brainpy.inputs.SpikeTrainGroup`).
    post : CondLIF
        Target group (``gE_input`` / ``gI_input`` variables).
    g_bar : float or array (pre.num,), nS
        Conductance per unit efficacy, in (0, inf).
    target : {'E', 'I'}
        Which conductance receives the input. Default 'E'.
    conn : None or bool array (pre.num, post.num)
        Connectivity; ``None`` connects every presynaptic train to every postsynaptic neuron.
    U, tau_f, tau_d : float or array (pre.num,), None
        STP parameters (U in (0, 1], time constants in ms); ``U=None`` gives static synapses.
    method : {'euler', 'exact'}
        STP time stepping. Default 'euler' (the tutorial).

    Example
    -------
    >>> import brainpy as bp
    >>> from stp_brainpy.inputs import SpikeTrainGroup
    >>> from stp_brainpy.neurons import CondLIF
    >>> from stp_brainpy.neurons.cond_inputs import ConductanceInput
    >>> exc = SpikeTrainGroup.poisson(15., n=80, duration=200., seed=0)
    >>> inh = SpikeTrainGroup.poisson(15., n=20, duration=200., seed=1)
    >>> neu = CondLIF(1, tau_E=5., tau_I=10.)
    >>> pe = ConductanceInput(exc, neu, 4.8, 'E', U=0.45, tau_f=150., tau_d=250.)
    >>> pi = ConductanceInput(inh, neu, 6.4, 'I', U=0.45, tau_f=150., tau_d=250.)
    >>> net = bp.DynSysGroup(exc=exc, inh=inh, pe=pe, pi=pi, neu=neu)
    >>> runner = bp.DSRunner(net, monitors={'V': neu.V, 'u': pe.u}, progress_bar=False)
    >>> _ = runner.run(200.)
    >>> runner.mon['u'].shape
    (2000, 80)
    """

    def __init__(self, pre: bp.DynamicalSystem, post: bp.DynamicalSystem, g_bar: Any, target: str = "E",
                 conn: Optional[Any] = None, U: Any = None, *, tau_f: Any = None, tau_d: Any = None,
                 method: str = "euler", name: Optional[str] = None, mode: Optional[bm.Mode] = None):
        super().__init__(name=name, mode=mode)
        check_finite("g_bar", g_bar, "nS")
        check_positive("g_bar", g_bar, unit="nS")
        check_choice("target", target, ("E", "I"))
        check_method(method)
        for who, obj, var in (("pre", pre, "spike"), ("post", post, f"g{target}_input")):
            if not hasattr(obj, var):
                raise ValueError(f"{who} must have a '{var}' variable; got {obj!r}")
        self.stp = U is not None
        if self.stp:
            if tau_f is None or tau_d is None:
                raise ValueError("STP needs U, tau_f and tau_d (or U=None for static synapses)")
            for k, v in (("U", U), ("tau_f", tau_f), ("tau_d", tau_d)):
                check_number(k, v)
                if np.ndim(v) > 1 or (np.ndim(v) == 1 and np.size(v) != pre.num):
                    raise ValueError(f"{k} must be a scalar or one value per presynaptic train ({pre.num}); "
                                     f"got shape {np.shape(v)}")
            validate_stp_params(U=U, tau_f=tau_f, tau_d=tau_d, dt=bm.get_dt(), method=method)
        elif tau_f is not None or tau_d is not None:
            raise ValueError("tau_f/tau_d given without U; pass U for STP (or neither for static synapses)")
        if np.ndim(g_bar) > 1 or (np.ndim(g_bar) == 1 and np.size(g_bar) != pre.num):
            raise ValueError(f"g_bar must be a scalar or one value per presynaptic train ({pre.num}); "
                             f"got shape {np.shape(g_bar)}")
        self.pre, self.post, self.target, self.method = pre, post, target, method
        f = bm.float_
        self.g_bar = jnp.asarray(g_bar, f)
        if conn is not None:
            raw = np.asarray(conn)
            if raw.dtype.kind not in "biuf" or (raw.dtype.kind != "b" and not np.all((raw == 0) | (raw == 1))):
                raise ValueError("conn must be a boolean (or 0/1) matrix (pre.num, post.num)")
            conn = raw.astype(bool)
            if conn.shape != (pre.num, post.num):
                raise ValueError(f"conn must have shape (pre.num, post.num) = ({pre.num}, {post.num}); got {conn.shape}")
            conn = jnp.asarray(conn, f)
        self.conn = conn
        self.U, self.tau_f, self.tau_d = (None if v is None else jnp.asarray(v, f) for v in (U, tau_f, tau_d))
        self.reset_state()

    def reset_state(self, *args, **kwargs):
        f = bm.float_
        n = self.pre.num
        self.u = bm.Variable(jnp.zeros(n, f))
        self.x = bm.Variable(jnp.ones(n, f))
        self.efficacy = bm.Variable(jnp.zeros(n, f))

    def update(self):
        dt = bp.share.load("dt")
        spike = jnp.asarray(self.pre.spike.value, bm.float_)
        if self.stp:
            state, eff = stp_step(STPState(self.u.value, self.x.value), spike, self.U, tau_f=self.tau_f,
                                  tau_d=self.tau_d, dt=dt, method=self.method)
            self.u.value, self.x.value = state
        else:
            eff = spike
        self.efficacy.value = eff
        w = self.g_bar * eff
        drive = w.sum() if self.conn is None else w @ self.conn
        var = getattr(self.post, f"g{self.target}_input")
        var.value = var.value + drive
        return drive
