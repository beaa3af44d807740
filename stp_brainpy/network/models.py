"""BrainPy classes of the COBA benchmark: the conductance LIF group and the whole network.

Thin skins over the package's one conductance LIF (:mod:`stp_brainpy.core.cond_neuron`), the
network configuration and connectivity (:mod:`stp_brainpy.network.config`) and
:class:`~stp_brainpy.network.projections.EventSTPProjection`.
"""
from __future__ import annotations

from typing import Optional

import brainpy as bp
import brainpy.math as bm
import jax.numpy as jnp

from ..core.cond_neuron import COBA_NEURON, conductance_lif_step, validate_cond_lif_params
from ..core.validation import check_finite, check_integer, check_method, check_number
from .config import COBAConfig, build_connectivity, initial_potentials
from .connectivity import Connectivity, select
from .description import from_connector, is_connector
from .projections import EventSTPProjection

from ..units import accepts_units
__all__ = ["COBANeuron", "COBANetwork"]

_C = COBA_NEURON


@accepts_units(tau_m="ms", g_L="nS", E_L="mV", V_th="mV", V_reset="mV", tau_ref="ms", I_e="pA", V_initializer="mV")
class COBANeuron(bp.dyn.NeuDyn):
    r"""Conductance-based LIF group whose conductances come from projections (the COBA benchmark's neuron).

    .. math::

        C_m \frac{dV}{dt} = g_L(E_L - V) + \sum_k g_k(E_k - V) + I_e + I, \qquad C_m = g_L \tau_m,

    spike at ``V ≥ V_th``, then ``V = V_reset`` held for ``ceil(tau_ref/dt)`` steps — the package's
    one conductance LIF (:func:`stp_brainpy.core.cond_neuron.conductance_lif_step`), also used by
    the tutorial neuron :class:`stp_brainpy.neurons.CondLIF`, which keeps its own two
    conductances instead. Conductances ``g_k`` come from projections through
    :meth:`add_conductance` (each projection owns and decays its ``g``); ``V`` advances with
    exponential Euler (``method='exact'``) or forward Euler (``'euler'``); brainpy current inputs
    (``add_inp_fun``) and the ``update(x)`` argument add to ``I`` (pA).

    Defaults: :data:`~stp_brainpy.core.cond_neuron.COBA_NEURON` (Brette et al. 2007).

    Parameters
    ----------
    size : int, ≥ 0
    tau_m : float, default 20 ms, in (0, inf) (C_m = g_L·tau_m = 200 pF)
    g_L : float, default 10 nS, in (0, inf)
    E_L, V_th, V_reset : float, defaults −60, −50, −60 mV (finite, V_reset < V_th)
    tau_ref : float, default 5 ms, in [0, inf)
    I_e : float, default 200 pA, constant drive
    V_initializer : initializer or array, default U[−60, −50] mV
    method : 'exact' | 'euler'

    Example
    -------
    >>> import brainpy as bp
    >>> from stp_brainpy.network import COBANeuron
    >>> neu = COBANeuron(10)
    >>> runner = bp.DSRunner(neu, monitors=['V', 'spike'], progress_bar=False)
    >>> _ = runner.run(20.)
    """

    def __init__(self, size, tau_m: float = _C.tau_m, g_L: float = _C.g_L, E_L: float = _C.E_L,
                 V_th: float = _C.V_th, V_reset: float = _C.V_reset, tau_ref: float = _C.tau_ref,
                 I_e: float = _C.I_e, V_initializer=bp.init.Uniform(-60.0, -50.0), method: str = "exact",
                 name: Optional[str] = None, mode: Optional[bm.Mode] = None):
        check_integer("size", size, low=0)
        for k, v in dict(tau_m=tau_m, g_L=g_L, E_L=E_L, V_th=V_th, V_reset=V_reset, tau_ref=tau_ref, I_e=I_e).items():
            check_number(k, v)
        check_method(method)
        if not callable(V_initializer):
            check_finite("V_initializer", V_initializer, "mV")
        super().__init__(size=size, name=name, mode=mode)
        self.params = _C._replace(tau_m=tau_m, g_L=g_L, E_L=E_L, V_th=V_th, V_reset=V_reset, tau_ref=tau_ref, I_e=I_e)
        validate_cond_lif_params(self.params, bm.get_dt(), method)
        self.method = method
        self._V_initializer = V_initializer
        self._conductances: dict = {}
        self.reset_state(self.mode)

    def add_conductance(self, key: str, fun, E: float) -> None:
        """Register a conductance source ``fun() -> g`` (nS) with reversal potential ``E`` (mV)."""
        if key in self._conductances:
            raise ValueError(f'conductance "{key}" is already registered')
        check_finite("E", E, "mV")
        self._conductances[key] = (fun, E)

    def reset_state(self, batch_or_mode=None, **kwargs):
        self.V = self.init_variable(self._V_initializer, batch_or_mode)
        self.spike = self.init_variable(lambda s, **kw: bm.zeros(s, dtype=bool), batch_or_mode)
        self.ref = self.init_variable(lambda s, **kw: bm.zeros(s, dtype=jnp.int32), batch_or_mode)

    def update(self, x=None):
        dt = bp.share.load("dt")
        G, GE = 0.0, 0.0
        for fun, E in self._conductances.values():
            g = fun()
            G, GE = G + g, GE + g * E
        I = self.sum_current_inputs(self.V.value, init=0.0 if x is None else x)
        V, ref, spike = conductance_lif_step(self.V.value, self.ref.value, G, GE, I, self.params, dt, self.method)
        self.V.value, self.ref.value, self.spike.value = V, ref, spike
        return spike

    def return_info(self):
        return self.spike


class COBANetwork(bp.DynSysGroup):
    """COBA(-STP) as a brainpy network: ``E``, ``I`` (:class:`COBANeuron`) and four projections.

    Same connectivity and initial potentials as :class:`FusedCOBA` for the same config. ``conn``
    (optional, ``n_neurons × n_neurons``, E first): a :class:`~stp_brainpy.network.Connectivity` or a
    ``bp.conn`` connector (converted once by :func:`~stp_brainpy.network.description.from_connector`).

    Example
    -------
    >>> import brainpy as bp
    >>> from stp_brainpy.network import COBAConfig, COBANetwork
    >>> net = COBANetwork(COBAConfig(n_neurons=400, in_degree=80, duration=50.))
    >>> runner = bp.DSRunner(net, monitors={'E': net.E.spike}, progress_bar=False)
    >>> _ = runner.run(50.)
    """

    def __init__(self, cfg: COBAConfig = COBAConfig(), conn=None, backend: str = "auto"):
        if not isinstance(cfg, COBAConfig):
            raise TypeError(f"cfg must be a COBAConfig; got {type(cfg).__name__}")
        n, ne = cfg.n_neurons, cfg.n_exc
        if is_connector(conn):
            conn = from_connector(conn, n, n)
        if conn is not None and (not isinstance(conn, Connectivity) or conn.n_pre != n or conn.n_post != n):
            raise ValueError(f"conn must be a {n}x{n} Connectivity; got {conn!r:.80}")
        if conn is None:
            cfg.check_fits()
        super().__init__()
        self.cfg = cfg
        conn = build_connectivity(cfg) if conn is None else conn
        V0 = initial_potentials(cfg)
        p = cfg.neuron
        kw = dict(tau_m=p.tau_m, g_L=p.g_L, E_L=p.E_L, V_th=p.V_th, V_reset=p.V_reset, tau_ref=p.tau_ref, I_e=p.I_e,
                  method=cfg.method)
        self.E = COBANeuron(ne, V_initializer=bm.asarray(V0[:ne]), **kw)
        self.I = COBANeuron(n - ne, V_initializer=bm.asarray(V0[ne:]), **kw)
        stp = dict(U=cfg.U, tau_f=cfg.tau_f, tau_d=cfg.tau_d) if cfg.stp else {}
        E_, I_ = slice(0, ne), slice(ne, n)
        common = dict(delay=cfg.delay, backend=backend)
        self.E2E = EventSTPProjection(self.E, self.E, select(conn, E_, E_), cfg.w_exc, p.tau_E, p.E_E, **stp, **common)
        self.E2I = EventSTPProjection(self.E, self.I, select(conn, E_, I_), cfg.w_exc, p.tau_E, p.E_E, **stp, **common)
        self.I2E = EventSTPProjection(self.I, self.E, select(conn, I_, E_), cfg.w_I, p.tau_I, p.E_I, **common)
        self.I2I = EventSTPProjection(self.I, self.I, select(conn, I_, I_), cfg.w_I, p.tau_I, p.E_I, **common)
