r"""Conductance-output synapses onto :class:`~stp_brainpy.neurons.CondLIF`: static or with STP."""
from __future__ import annotations

from typing import Any, Optional

import brainpy as bp
import brainpy.math as bm
import jax.numpy as jnp
import numpy as np

from ..core import family, markram, tm3
from ..core.stp import STPState, stp_step, validate_stp_params
from ..core.validation import check_choice, check_finite, check_method, check_number, check_positive

from ..units import accepts_units
__all__ = ["ConductanceInput"]


@accepts_units(g_bar="nS", f="1", tau_psc="ms", U="1", tau_f="ms", tau_d="ms")
class ConductanceInput(bp.Projection):
    r"""Synapses from a spiking group onto the ``gE`` or ``gI`` conductance of a :class:`CondLIF`.

    Static (``U=None``): a presynaptic spike of train ``i`` adds ``g_bar`` (nS). With STP every
    presynaptic train has its own state of one deterministic variant of the family (``model``),
    and a spike adds :math:`\Delta g = \bar g\, e` with ``e`` the variant's efficacy:

    ``'tm'`` (default; the tutorial's bonus, ``dynamic_syn``)
        :math:`u^+ = u^- + U(1-u^-)`, :math:`e = u^+x^-`, :math:`x^+ = x^- - e`, with ``u → 0``
        (τf) and ``x → 1`` (τd) between spikes, stepped by :func:`stp_brainpy.core.stp.stp_step`
        (``method='euler'``, the default for ``tm``, is ``dynamic_syn`` exactly).
    ``'markram'``
        ``u`` relaxes to ``U``, a spike raises it by ``f(1-u)``, :math:`e = u^- x^-`
        (``read='before'``) or :math:`u^+ x^-` (``read='after'``), stepped by
        :func:`stp_brainpy.core.markram.step` (exact).
    ``'tm3'``
        three states x, y, z with inactivation time ``tau_psc`` (NEST ``tsodyks_synapse``),
        :math:`e = u^+x^-`, stepped by :func:`stp_brainpy.core.tm3.step` (exact); the active
        fraction ``y`` is kept as a variable.

    With ``method='exact'`` the efficacy at every spike equals the core's event-driven
    :func:`stp_brainpy.core.family.event_efficacies` on that train (spikes on the grid). The
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
        STP parameters (U in (0, 1], tau_f in [0, inf] ms (0: no facilitation), tau_d in (0, inf]
        ms); ``U=None`` gives static synapses.
    model : {'tm', 'markram', 'tm3'}
        STP variant (default 'tm'); the stochastic ``quantal`` variant is not offered here.
    f : float or array (pre.num,), optional
        ``markram``'s facilitation increment in [0, 1] (default ``U``).
    read : {'before', 'after'}, optional
        ``markram``: efficacy read before (default) or after the jump of ``u``.
    tau_psc : float or array (pre.num,), optional
        ``tm3``'s inactivation time in [0, inf] ms (default 3, NEST's).
    method : {'euler', 'exact'}, optional
        STP time stepping: default 'euler' for ``tm`` (the tutorial), 'exact' (the only one) for
        the other variants.

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
    >>> mk = ConductanceInput(exc, neu, 4.8, 'E', U=0.2, f=0.3, tau_f=500., tau_d=200., model='markram')
    >>> round(float(mk.u[0]), 6)   # markram's u rests at U
    0.2
    """

    def __init__(self, pre: bp.DynamicalSystem, post: bp.DynamicalSystem, g_bar: Any, target: str = "E",
                 conn: Optional[Any] = None, U: Any = None, *, tau_f: Any = None, tau_d: Any = None,
                 model: str = "tm", f: Any = None, read: Optional[str] = None, tau_psc: Any = None,
                 method: Optional[str] = None, name: Optional[str] = None, mode: Optional[bm.Mode] = None):
        super().__init__(name=name, mode=mode)
        check_finite("g_bar", g_bar, "nS")
        check_positive("g_bar", g_bar, unit="nS")
        check_choice("target", target, ("E", "I"))
        check_choice("model", model, family.DETERMINISTIC)
        method = ("euler" if model == "tm" else "exact") if method is None else method
        check_method(method)
        if model != "tm" and method != "exact":
            raise ValueError(f"method must be 'exact' for model {model!r} (only 'tm' has the tutorial's Euler "
                             f"form); got {method!r}")
        for k, v, owner in (("f", f, "markram"), ("read", read, "markram"), ("tau_psc", tau_psc, "tm3")):
            if v is not None and model != owner:
                raise ValueError(f"{k} is a parameter of model {owner!r} only; got model={model!r}")
        for who, obj, var in (("pre", pre, "spike"), ("post", post, f"g{target}_input")):
            if not hasattr(obj, var):
                raise ValueError(f"{who} must have a '{var}' variable; got {obj!r}")
        self.stp = U is not None
        if model == "markram":
            f = U if f is None else f
            read = "before" if read is None else read
        psc_given = tau_psc is not None
        tau_psc = 3.0 if model == "tm3" and tau_psc is None else tau_psc
        if self.stp:
            if tau_f is None or tau_d is None:
                raise ValueError("STP needs U, tau_f and tau_d (or U=None for static synapses)")
            for k, v in (("U", U), ("tau_f", tau_f), ("tau_d", tau_d), ("f", f), ("tau_psc", tau_psc)):
                if v is None:
                    continue
                check_number(k, v)
                if np.ndim(v) > 1 or (np.ndim(v) == 1 and np.size(v) != pre.num):
                    raise ValueError(f"{k} must be a scalar or one value per presynaptic train ({pre.num}); "
                                     f"got shape {np.shape(v)}")
            if model == "tm":
                validate_stp_params(U=U, tau_f=tau_f, tau_d=tau_d, dt=bm.get_dt(), method=method)
            elif model == "markram":
                markram.validate_params(U, f=f, tau_f=tau_f, tau_d=tau_d, read=read)
            else:
                tm3.validate_params(U, tau_f=tau_f, tau_d=tau_d, tau_psc=tau_psc)
        elif tau_f is not None or tau_d is not None or f is not None or psc_given:
            raise ValueError("STP parameters given without U; pass U for STP (or none for static synapses)")
        if np.ndim(g_bar) > 1 or (np.ndim(g_bar) == 1 and np.size(g_bar) != pre.num):
            raise ValueError(f"g_bar must be a scalar or one value per presynaptic train ({pre.num}); "
                             f"got shape {np.shape(g_bar)}")
        self.pre, self.post, self.target, self.method = pre, post, target, method
        self.model, self.read = model, read
        fdt = bm.float_
        self.g_bar = jnp.asarray(g_bar, fdt)
        if conn is not None:
            raw = np.asarray(conn)
            if raw.dtype.kind not in "biuf" or (raw.dtype.kind != "b" and not np.all((raw == 0) | (raw == 1))):
                raise ValueError("conn must be a boolean (or 0/1) matrix (pre.num, post.num)")
            conn = raw.astype(bool)
            if conn.shape != (pre.num, post.num):
                raise ValueError(f"conn must have shape (pre.num, post.num) = ({pre.num}, {post.num}); got {conn.shape}")
            conn = jnp.asarray(conn, fdt)
        self.conn = conn
        arr = lambda v: None if v is None else jnp.asarray(v, dtype=bm.float_)  # noqa: E731
        self.U, self.tau_f, self.tau_d, self.f, self.tau_psc = (arr(v) for v in (U, tau_f, tau_d, f, tau_psc))
        self.reset_state()

    def _params(self):
        if self.model == "markram":
            return markram.MarkramParams(self.U, self.f, self.tau_f, self.tau_d)
        return tm3.TM3Params(self.U, self.tau_f, self.tau_d, self.tau_psc)

    def reset_state(self, *args, **kwargs):
        f = bm.float_
        n = self.pre.num
        u0 = jnp.broadcast_to(self.U, (n,)).astype(f) if self.model == "markram" and self.stp else jnp.zeros(n, f)
        self.u = bm.Variable(u0)  # markram's u rests at U, the others' at 0
        self.x = bm.Variable(jnp.ones(n, f))
        if self.model == "tm3":
            self.y = bm.Variable(jnp.zeros(n, f))
        self.efficacy = bm.Variable(jnp.zeros(n, f))

    def update(self):
        dt = bp.share.load("dt")
        spike = jnp.asarray(self.pre.spike.value, bm.float_)
        if self.stp and self.model == "tm":
            state, eff = stp_step(STPState(self.u.value, self.x.value), spike, self.U, tau_f=self.tau_f,
                                  tau_d=self.tau_d, dt=dt, method=self.method)
            self.u.value, self.x.value = state
        elif self.stp and self.model == "markram":
            state, eff = markram.step(markram.MarkramState(self.u.value, self.x.value), spike, self._params(), dt,
                                      read=self.read)
            self.u.value, self.x.value = state
        elif self.stp:
            state, eff = tm3.step(tm3.TM3State(self.u.value, self.x.value, self.y.value), spike, self._params(), dt)
            self.u.value, self.x.value, self.y.value = state
        else:
            eff = spike
        self.efficacy.value = eff
        w = self.g_bar * eff
        drive = w.sum() if self.conn is None else w @ self.conn
        var = getattr(self.post, f"g{self.target}_input")
        var.value = var.value + drive
        return drive
