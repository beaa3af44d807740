"""Networks written as descriptions: COBA / COBA-STP (Brette et al. 2007, benchmark 1).

:func:`coba_network` is the :class:`~stp_brainpy.network.config.COBAConfig` network as a
:class:`~stp_brainpy.network.description.Network`: two :class:`CondLIF` populations ``E`` and ``I``, four
conductance projections (E→E and E→I Tsodyks–Markram under ``cfg.stp``) on the connectivity and initial
potentials of :func:`~stp_brainpy.network.config.build_connectivity` /
:func:`~stp_brainpy.network.config.initial_potentials`, so it reproduces the earlier hard-coded COBA scan.
"""
from __future__ import annotations

from typing import Optional

from .config import COBAConfig, build_connectivity, initial_potentials
from .connectivity import Connectivity, select
from .description import STP, CondLIF, Network, Population, Projection, Record

__all__ = ["coba_network"]


def coba_network(cfg: COBAConfig = COBAConfig(), conn: Optional[Connectivity] = None, record: Record = Record()) -> Network:
    """The COBA(-STP) network of ``cfg`` (connectivity built from ``cfg`` unless ``conn`` is given)."""
    if not isinstance(cfg, COBAConfig):
        raise TypeError(f"cfg must be a COBAConfig; got {type(cfg).__name__}")
    n, ne = cfg.n_neurons, cfg.n_exc
    conn = build_connectivity(cfg) if conn is None else conn
    V0 = initial_potentials(cfg)
    p = cfg.neuron
    E_, I_ = slice(0, ne), slice(ne, n)
    stp = STP("tm", U=cfg.U, tau_f=cfg.tau_f, tau_d=cfg.tau_d) if cfg.stp else None
    exc = dict(weight=cfg.w_exc, delay=cfg.delay, output="conductance", synapse="exp", tau_s=p.tau_E, E=p.E_E, stp=stp)
    inh = dict(weight=cfg.w_I, delay=cfg.delay, output="conductance", synapse="exp", tau_s=p.tau_I, E=p.E_I)
    pops = [Population("E", ne, CondLIF(p, V0[:ne], cfg.method)), Population("I", n - ne, CondLIF(p, V0[ne:], cfg.method))]
    projs = [Projection("E", "E", select(conn, E_, E_), **exc), Projection("E", "I", select(conn, E_, I_), **exc),
             Projection("I", "E", select(conn, I_, E_), **inh), Projection("I", "I", select(conn, I_, I_), **inh)]
    return Network(pops, projs, record=record, dt=cfg.dt, duration=cfg.duration, seed=cfg.seed)
