"""The COBA / COBA-STP benchmark network assembled from brainpy.state parts and this package's modules.

:func:`coba_blocks` and :func:`send_spikes` are the wiring shared by :class:`COBAStateNet` and the
brainpy.state contender of ``benchmarks/bench_state.py`` (the same network from brainpy.state's own parts).
"""
from __future__ import annotations

from typing import Any, Iterator, Mapping, Optional

import brainpy.state as bps
import brainstate
import jax.numpy as jnp

from ..network.config import COBAConfig, build_connectivity, initial_potentials
from ..network.connectivity import Connectivity, select
from ..network.description import from_connector, is_connector
from .comm import EventConn, EventSTPProj
from .delays import delay_ms
from .neurons import ConductanceLIF
from .stp import PresynapticSTP

__all__ = ["COBAStateNet", "coba_blocks", "send_spikes"]

#: The four projections of the COBA network, (source, target) populations.
BLOCKS = (("E", "E"), ("E", "I"), ("I", "E"), ("I", "I"))


def coba_blocks(cfg: COBAConfig, conn: Optional[Any] = None) -> Iterator[tuple[str, str, Connectivity]]:
    """``(src, tgt, synapses)`` of the four projections ``E2E, E2I, I2E, I2I`` of ``cfg``'s network.

    ``conn``: the whole ``n_neurons × n_neurons`` connectivity (E first) as a
    :class:`~stp_brainpy.network.Connectivity` or a ``bp.conn`` connector; default
    :func:`~stp_brainpy.network.build_connectivity` (the fused path's). Blocks are renumbered from 0.
    """
    n, ne = cfg.n_neurons, cfg.n_exc
    if is_connector(conn):
        conn = from_connector(conn, n, n)
    conn = build_connectivity(cfg) if conn is None else conn
    if not isinstance(conn, Connectivity) or (conn.n_pre, conn.n_post) != (n, n):
        raise ValueError(f"conn must be a {n}x{n} Connectivity or a bp.conn connector; got {conn!r:.80}")
    part = {"E": slice(0, ne), "I": slice(ne, n)}
    for src, tgt in BLOCKS:
        yield src, tgt, select(conn, part[src], part[tgt])


def send_spikes(net) -> None:
    """One step's deliveries of a COBA network: the previous step's spikes of ``net.E`` and ``net.I``
    (``get_spike()``), the E spikes through ``net.stp`` when it is not None, into ``net.E2E``, ``net.E2I``,
    ``net.I2E``, ``net.I2I``; the neurons update afterwards."""
    s_E, s_I = net.E.get_spike(), net.I.get_spike()
    e_E = net.stp(s_E) if net.stp is not None else s_E
    net.E2E(e_E)
    net.E2I(e_E)
    net.I2E(s_I)
    net.I2I(s_I)


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
    each step the projections send the previous step's spikes (one step of delay, the default
    ``cfg.delay = dt``), then the neurons advance. ``update()`` returns this step's spikes of all
    ``n_neurons`` (E first). Delays: ``cfg.delay`` for every synapse (a spike acts
    ``max(1, round(delay/dt))`` steps after emission, as in the fused path), or ``delays``, a mapping
    from projection name (``'E2E'``, ...) to a delay per synapse (ms or Quantity, CSR order of that block,
    :func:`coba_blocks`) that overrides it there. ``conn``: a Connectivity or a ``bp.conn`` connector.

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

    def __init__(self, cfg: COBAConfig = COBAConfig(), *, conn: Optional[Any] = None,
                 per_synapse: bool = False, delays: Optional[Mapping[str, Any]] = None, backend: str = "auto"):
        super().__init__()
        if not isinstance(cfg, COBAConfig):
            raise TypeError(f"cfg must be a COBAConfig; got {type(cfg).__name__}")
        if delays is None:
            delays = {}
        if not isinstance(delays, Mapping):
            raise TypeError("delays must be a mapping from projection name ('E2E', 'E2I', 'I2E', 'I2I') to a delay "
                            f"(ms or Quantity, scalar or per synapse); got {type(delays).__name__}")
        delays = dict(delays)
        unknown = set(delays) - {f"{a}2{b}" for a, b in BLOCKS}
        if unknown:
            raise ValueError(f"delays names unknown projections {', '.join(sorted(map(repr, unknown)))}; "
                             "the projections are 'E2E', 'E2I', 'I2E', 'I2I'")
        self.cfg, self.per_synapse = cfg, bool(per_synapse)
        n, ne = cfg.n_neurons, cfg.n_exc
        V0 = initial_potentials(cfg)
        self.E = ConductanceLIF.from_params(ne, cfg.neuron, V_init=V0[:ne], method=cfg.method)
        self.I = ConductanceLIF.from_params(n - ne, cfg.neuron, V_init=V0[ne:], method=cfg.method)
        for src, tgt, block in coba_blocks(cfg, conn):
            post = getattr(self, tgt)
            label = "w_ex" if src == "E" else "w_in"
            key = f"{src}2{tgt}"
            # checked here so that a bad entry is named as given (delays['E2E']), not as the comm's `delay`
            delay = delay_ms(delays[key], block, name=f"delays[{key!r}]") if key in delays else cfg.delay
            if src == "E" and cfg.stp and self.per_synapse:
                proj = EventSTPProj(block, post, cfg.U, tau_f=cfg.tau_f, tau_d=cfg.tau_d, weight=cfg.w_exc,
                                    delay=delay, label=label)
            else:
                w = cfg.w_exc if src == "E" else cfg.w_I
                proj = bps.DeltaProj(comm=EventConn(block, w, delay=delay, backend=backend), post=post, label=label)
            setattr(self, f"{src}2{tgt}", proj)
        self.stp = (PresynapticSTP(ne, cfg.U, tau_f=cfg.tau_f, tau_d=cfg.tau_d)
                    if cfg.stp and not self.per_synapse else None)

    def update(self):
        send_spikes(self)
        return jnp.concatenate([self.E(), self.I()])
