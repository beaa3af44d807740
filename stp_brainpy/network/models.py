"""BrainPy classes of the COBA benchmark: the conductance LIF group and the whole network.

Thin skins over :mod:`stp_brainpy.network.coba` (neuron step, configuration, connectivity) and
:class:`~stp_brainpy.network.projections.EventSTPProjection`.
"""
from __future__ import annotations

from typing import Optional

import brainpy as bp
import brainpy.math as bm
import jax.numpy as jnp

from .coba import COBAConfig, CondLIFParams, build_connectivity, cond_lif_step, initial_potentials, validate_neuron
from .connectivity import Connectivity, select
from .projections import EventSTPProjection

__all__ = ["CondLIF", "COBANetwork"]


class CondLIF(bp.dyn.NeuDyn):
    r"""Conductance-based LIF neuron (the COBA benchmark's neuron).

    .. math::

        C_m \frac{dV}{dt} = g_L(E_L - V) + \sum_k g_k(E_k - V) + I_e + I,

    spike at ``V ≥ V_th``, then ``V = V_reset`` held for ``t_ref``. Conductances ``g_k`` come
    from projections through :meth:`add_conductance` and are integrated exactly over a step
    (exponential Euler, ``method='exact'``) or with forward Euler (``'euler'``); brainpy current
    inputs (``add_inp_fun``) and the ``update(x)`` argument add to ``I`` (pA).

    Parameters
    ----------
    size : int
    C_m : float, default 200 pF, in (0, inf)
    g_L : float, default 10 nS, in (0, inf)
    E_L, V_th, V_reset : float, defaults −60, −50, −60 mV (V_reset < V_th)
    t_ref : float, default 5 ms, in [0, inf)
    I_e : float, default 200 pA, constant drive
    V_initializer : initializer or array, default U[−60, −50] mV
    method : 'exact' | 'euler'

    Example
    -------
    >>> import brainpy as bp
    >>> from stp_brainpy.network import CondLIF
    >>> neu = CondLIF(10)
    >>> runner = bp.DSRunner(neu, monitors=['V', 'spike'], progress_bar=False)
    >>> _ = runner.run(20.)
    """

    def __init__(self, size, C_m: float = 200.0, g_L: float = 10.0, E_L: float = -60.0, V_th: float = -50.0,
                 V_reset: float = -60.0, t_ref: float = 5.0, I_e: float = 200.0,
                 V_initializer=bp.init.Uniform(-60.0, -50.0), method: str = "exact",
                 name: Optional[str] = None, mode: Optional[bm.Mode] = None):
        super().__init__(size=size, name=name, mode=mode)
        self.params = CondLIFParams(C_m, g_L, E_L, V_th, V_reset, t_ref, I_e)
        validate_neuron(self.params)
        if method not in ("exact", "euler"):
            raise ValueError(f"method must be one of ('exact', 'euler'); got {method!r}")
        self.method = method
        self._V_initializer = V_initializer
        self._conductances: dict = {}
        self.reset_state(self.mode)

    def add_conductance(self, key: str, fun, E: float) -> None:
        """Register a conductance source ``fun() -> g`` (nS) with reversal potential ``E`` (mV)."""
        if key in self._conductances:
            raise ValueError(f'conductance "{key}" is already registered')
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
        V, ref, spike = cond_lif_step(self.V.value, self.ref.value, G, GE, I, self.params, dt, self.method)
        self.V.value, self.ref.value, self.spike.value = V, ref, spike
        return spike

    def return_info(self):
        return self.spike


class COBANetwork(bp.DynSysGroup):
    """COBA(-STP) as a brainpy network: ``E``, ``I`` (:class:`CondLIF`) and four projections.

    Same connectivity and initial potentials as :class:`FusedCOBA` for the same config.

    Example
    -------
    >>> import brainpy as bp
    >>> from stp_brainpy.network import COBAConfig, COBANetwork
    >>> net = COBANetwork(COBAConfig(n_neurons=400, in_degree=80, duration=50.))
    >>> runner = bp.DSRunner(net, monitors={'E': net.E.spike}, progress_bar=False)
    >>> _ = runner.run(50.)
    """

    def __init__(self, cfg: COBAConfig = COBAConfig(), conn: Optional[Connectivity] = None, backend: str = "auto"):
        super().__init__()
        self.cfg = cfg
        conn = build_connectivity(cfg) if conn is None else conn
        n, ne = cfg.n_neurons, cfg.n_exc
        V0 = initial_potentials(cfg)
        p = cfg.neuron
        kw = dict(C_m=p.C_m, g_L=p.g_L, E_L=p.E_L, V_th=p.V_th, V_reset=p.V_reset, t_ref=p.t_ref, I_e=p.I_e,
                  method=cfg.method)
        self.E = CondLIF(ne, V_initializer=bm.asarray(V0[:ne]), **kw)
        self.I = CondLIF(n - ne, V_initializer=bm.asarray(V0[ne:]), **kw)
        stp = dict(U=cfg.U, tau_f=cfg.tau_f, tau_d=cfg.tau_d) if cfg.stp else {}
        E_, I_ = slice(0, ne), slice(ne, n)
        common = dict(delay=cfg.delay, backend=backend)
        self.E2E = EventSTPProjection(self.E, self.E, select(conn, E_, E_), cfg.w_exc, cfg.tau_E, cfg.E_E, **stp, **common)
        self.E2I = EventSTPProjection(self.E, self.I, select(conn, E_, I_), cfg.w_exc, cfg.tau_E, cfg.E_E, **stp, **common)
        self.I2E = EventSTPProjection(self.I, self.E, select(conn, I_, E_), cfg.w_I, cfg.tau_I, cfg.E_I, **common)
        self.I2I = EventSTPProjection(self.I, self.I, select(conn, I_, I_), cfg.w_I, cfg.tau_I, cfg.E_I, **common)
