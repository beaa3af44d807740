"""Networks written as descriptions: COBA / COBA-STP (Brette et al. 2007, benchmark 1).

:func:`coba_network` is the :class:`~stp_brainpy.network.config.COBAConfig` network as a
:class:`~stp_brainpy.network.description.Network`: two :class:`CondLIFModel` populations ``E`` and ``I``, four
conductance projections (E→E and E→I Tsodyks–Markram under ``cfg.stp``) on the connectivity and initial
potentials of :func:`~stp_brainpy.network.config.build_connectivity` /
:func:`~stp_brainpy.network.config.initial_potentials`, so it reproduces the earlier hard-coded COBA scan.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from .config import COBAConfig, build_connectivity, initial_potentials
from .connectivity import Connectivity, select
from .description import STPModel, CondLIFModel, Network, Population, Projection, Record, from_connector, is_connector

__all__ = ["coba_network", "GUPTA_2000", "gupta_stp", "coba_hetero_network"]

#: Gupta, Wang & Markram (2000) Science 287:273, Table 1: mean (SD) of U, tau_d (ms), tau_f (ms) per class of
#: neocortical synapse onto interneurons: F1 facilitating, F2 depressing, F3 pseudo-linear. Their model is the
#: Markram form (u relaxes to U, increment U(1 - u), efficacy read before the jump).
GUPTA_2000 = {"F1": dict(U=(0.16, 0.10), tau_d=(45.0, 21.0), tau_f=(376.0, 253.0)),
              "F2": dict(U=(0.25, 0.13), tau_d=(706.0, 405.0), tau_f=(21.0, 9.0)),
              "F3": dict(U=(0.32, 0.14), tau_d=(144.0, 80.0), tau_f=(62.0, 31.0))}


def gupta_stp(fractions=(1 / 3, 1 / 3, 1 / 3)) -> STPModel:
    """Per-synapse Markram-form STP: each synapse draws a class F1/F2/F3 with ``fractions``, then U, tau_d, tau_f
    from that class's normal law (:data:`GUPTA_2000`), redrawn into U in [0.02, 1] and taus in [2, 3000] ms."""
    fr = np.asarray(fractions, float)
    if fr.shape != (3,) or np.any(fr < 0) or not np.isclose(fr.sum(), 1.0):
        raise ValueError(f"fractions must be three non-negative numbers summing to 1; got {fractions!r}")

    def joint(rng, n):
        cls = rng.choice(3, size=n, p=fr)
        out = {}
        for name, (lo, hi) in (("U", (0.02, 1.0)), ("tau_d", (2.0, 3000.0)), ("tau_f", (2.0, 3000.0))):
            mean = np.array([GUPTA_2000[c][name][0] for c in ("F1", "F2", "F3")])[cls]
            sd = np.array([GUPTA_2000[c][name][1] for c in ("F1", "F2", "F3")])[cls]
            v = rng.normal(mean, sd)
            for _ in range(100):
                bad = (v < lo) | (v > hi)
                if not bad.any():
                    break
                v[bad] = rng.normal(mean[bad], sd[bad])
            out[name] = np.clip(v, lo, hi)
        out["f"] = out["U"]
        return out

    return STPModel("markram", read="before", joint=joint)


def coba_hetero_network(cfg: COBAConfig = COBAConfig(), fractions=(1 / 3, 1 / 3, 1 / 3), conn=None) -> Network:
    """COBA-STP with per-synapse Gupta-class STP on E→E and E→I (weight w_E / mean U, so that an average rested
    synapse delivers about w_E); ``conn`` as :func:`coba_network`'s."""
    net = coba_network(cfg.replace(stp=False), conn)
    stp = gupta_stp(fractions)
    mean_U = float(np.dot(fractions, [GUPTA_2000[c]["U"][0] for c in ("F1", "F2", "F3")]))
    projs = [replace(p, stp=stp, weight=cfg.w_E / mean_U) if p.pre == "E" else p for p in net.projections]
    return replace(net, projections=projs)


def coba_network(cfg: COBAConfig = COBAConfig(), conn=None, record: Record = Record()) -> Network:
    """The COBA(-STP) network of ``cfg`` (connectivity built from ``cfg`` unless ``conn`` is given: a
    ``n_neurons × n_neurons`` :class:`Connectivity`, E first, or a ``bp.conn`` connector)."""
    if not isinstance(cfg, COBAConfig):
        raise TypeError(f"cfg must be a COBAConfig; got {type(cfg).__name__}")
    n, ne = cfg.n_neurons, cfg.n_exc
    if is_connector(conn):
        conn = from_connector(conn, n, n)
    if conn is not None and (not isinstance(conn, Connectivity) or (conn.n_pre, conn.n_post) != (n, n)):
        raise ValueError(f"conn must be a {n}x{n} Connectivity or a bp.conn connector; got {conn!r:.80}")
    conn = build_connectivity(cfg) if conn is None else conn
    V0 = initial_potentials(cfg)
    p = cfg.neuron
    E_, I_ = slice(0, ne), slice(ne, n)
    stp = STPModel("tm", U=cfg.U, tau_f=cfg.tau_f, tau_d=cfg.tau_d) if cfg.stp else None
    exc = dict(weight=cfg.w_exc, delay=cfg.delay, output="conductance", synapse="exp", tau_s=p.tau_E, E=p.E_E, stp=stp)
    inh = dict(weight=cfg.w_I, delay=cfg.delay, output="conductance", synapse="exp", tau_s=p.tau_I, E=p.E_I)
    pops = [Population("E", ne, CondLIFModel(p, V0[:ne], cfg.method)), Population("I", n - ne, CondLIFModel(p, V0[ne:], cfg.method))]
    projs = [Projection("E", "E", select(conn, E_, E_), **exc), Projection("E", "I", select(conn, E_, I_), **exc),
             Projection("I", "E", select(conn, I_, E_), **inh), Projection("I", "I", select(conn, I_, I_), **inh)]
    return Network(pops, projs, record=record, dt=cfg.dt, duration=cfg.duration, seed=cfg.seed)
