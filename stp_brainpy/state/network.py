"""The COBA / COBA-STP benchmark network assembled from brainpy.state parts and this package's modules."""
from __future__ import annotations

from typing import Optional

import brainpy.state as bps
import brainstate
import jax.numpy as jnp

from ..core.delays import delay_steps
from ..network.config import COBAConfig, build_connectivity, initial_potentials
from ..network.connectivity import Connectivity, select
from .comm import EventConn, EventSTPProj
from .neurons import ConductanceLIF
from .stp import PresynapticSTP

__all__ = ["COBAStateNet"]


class COBAStateNet(brainstate.nn.Module):
    r"""COBA(-STP) (Vogels & Abbott 2005; Brette et al. 2007) as a brainstate module.

    Two :class:`~stp_brainpy.state.ConductanceLIF` populations ``E`` and ``I`` and four
    ``brainpy.state.DeltaProj`` projections (``E2E``, ``E2I`` into ``'w_ex'``; ``I2E``, ``I2I``
    into ``'w_in'``) with :class:`~stp_brainpy.state.EventConn`. Under STP (``cfg.stp``) the
    excitatory sources carry one :class:`~stp_brainpy.state.PresynapticSTP` shared by ``E2E`` and
    ``E2I`` (weight ``w_E/U``, so a rested synapse delivers ``w_E``); ``per_synapse=True`` instead
    gives each E synapse its own state (:class:`~stp_brainpy.state.EventSTPProj`).

    Built from the same :class:`~stp_brainpy.network.COBAConfig`, connectivity and initial
    potentials as the fused :func:`stp_brainpy.network.simulate`, it computes the same network:
    each step the projections send the previous step's spikes (the one-step delay of
    ``cfg.delay = dt``), then the neurons advance. ``update()`` returns this step's spikes of all
    ``n_neurons`` (E first). Only ``delay_steps(cfg.delay, cfg.dt) == 1`` is supported.

    Example::

        >>> import brainstate, brainunit as u, jax.numpy as jnp
        >>> from stp_brainpy.network import COBAConfig
        >>> from stp_brainpy.state import COBAStateNet, run
        >>> cfg = COBAConfig(n_neurons=200, p=0.1, duration=20.0)
        >>> brainstate.environ.set(dt=cfg.dt * u.ms)
        >>> net = COBAStateNet(cfg)
        >>> _ = brainstate.nn.init_all_states(net)
        >>> spikes = run(net.update, cfg.duration * u.ms)
        >>> spikes.shape
        (200, 200)
    """

    __module__ = "stp_brainpy.state"

    def __init__(self, cfg: COBAConfig = COBAConfig(), *, conn: Optional[Connectivity] = None,
                 per_synapse: bool = False, backend: str = "auto"):
        super().__init__()
        if delay_steps(cfg.delay, cfg.dt) != 1:
            raise NotImplementedError(f"COBAStateNet delivers after one step; cfg.delay={cfg.delay} ms is "
                                      f"{delay_steps(cfg.delay, cfg.dt)} steps of dt={cfg.dt} ms")
        self.cfg, self.per_synapse = cfg, bool(per_synapse)
        conn = build_connectivity(cfg) if conn is None else conn
        n, ne = cfg.n_neurons, cfg.n_exc
        E_, I_ = slice(0, ne), slice(ne, n)
        V0 = initial_potentials(cfg)
        self.E = ConductanceLIF.from_params(ne, cfg.neuron, V_init=V0[:ne], method=cfg.method)
        self.I = ConductanceLIF.from_params(n - ne, cfg.neuron, V_init=V0[ne:], method=cfg.method)
        pops = {"E": (self.E, E_), "I": (self.I, I_)}
        for src, tgt in (("E", "E"), ("E", "I"), ("I", "E"), ("I", "I")):
            post, post_slice = pops[tgt]
            block = select(conn, pops[src][1], post_slice)
            label = "w_ex" if src == "E" else "w_in"
            if src == "E" and cfg.stp and self.per_synapse:
                proj = EventSTPProj(block, post, cfg.U, tau_f=cfg.tau_f, tau_d=cfg.tau_d, weight=cfg.w_exc,
                                    label=label)
            else:
                w = cfg.w_exc if src == "E" else cfg.w_I
                proj = bps.DeltaProj(comm=EventConn(block, w, backend=backend), post=post, label=label)
            setattr(self, f"{src}2{tgt}", proj)
        self.stp = (PresynapticSTP(ne, cfg.U, tau_f=cfg.tau_f, tau_d=cfg.tau_d)
                    if cfg.stp and not self.per_synapse else None)

    def update(self):
        s_E, s_I = self.E.get_spike(), self.I.get_spike()
        e_E = self.stp(s_E) if self.stp is not None else s_E
        self.E2E(e_E)
        self.E2I(e_E)
        self.I2E(s_I)
        self.I2I(s_I)
        return jnp.concatenate([self.E(), self.I()])
