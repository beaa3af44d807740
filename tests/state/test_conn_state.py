"""bp.conn connectors in the brainpy.state comms and network: the same synapses and spikes as the same pairs."""
from __future__ import annotations

import brainpy as bp
import brainstate
import brainunit as u
import jax.numpy as jnp
import numpy as np
import pytest

from stp_brainpy.network import COBAConfig, FusedCOBA, from_pairs
from stp_brainpy.state import COBAStateNet, EventConn, EventSTPComm, as_connectivity, run


def _pairs(connector, n_pre, n_post):
    pre, post = connector(n_pre, n_post).require("pre_ids", "post_ids")
    return np.asarray(pre), np.asarray(post)


def test_comms_take_a_connector():
    make = lambda: bp.conn.IJConn(i=np.array([2, 0, 2, 1]), j=np.array([1, 3, 0, 3]))  # noqa: E731
    ref = from_pairs(*_pairs(make(), 3, 4), 3, 4)
    for comm in (EventConn(make(), 2.0, n_pre=3, n_post=4), EventSTPComm(make(), 0.5, n_pre=3, n_post=4)):
        np.testing.assert_array_equal(comm.conn.indptr, ref.indptr)
        np.testing.assert_array_equal(comm.conn.indices, ref.indices)
    out = EventConn(make(), 2.0 * u.nS, n_pre=3, n_post=4)(jnp.array([1.0, 0.0, 0.5]))
    np.testing.assert_allclose(out.to_decimal(u.nS), [1.0, 1.0, 0.0, 2.0])
    with pytest.raises(ValueError, match="n_pre and n_post"):
        as_connectivity(make())


def test_state_network_with_a_connector_equals_the_fused_path():
    cfg = COBAConfig(n_neurons=200, p=0.1, duration=60.0, stp=True)
    make = lambda: bp.conn.FixedProb(0.1, seed=4)  # noqa: E731
    fused = FusedCOBA(cfg, from_pairs(*_pairs(make(), 200, 200), 200, 200), record=200).run()["raster"]
    assert fused.sum() > 50
    brainstate.environ.set(dt=cfg.dt * u.ms)
    net = COBAStateNet(cfg, conn=make())
    brainstate.nn.init_all_states(net)
    np.testing.assert_array_equal(np.asarray(run(net.update, cfg.duration * u.ms)).astype(bool), fused.astype(bool))
