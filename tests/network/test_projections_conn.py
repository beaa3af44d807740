"""brainpy connectors (``bp.conn``) in EventSTPProjection and the COBA builders: the same synapses as the
package's own builders given the same pairs, and the same efficacies and spikes."""
import brainpy as bp
import brainpy.math as bm
import numpy as np
import pytest

from stp_brainpy.network import COBAConfig, COBANetwork, COBANeuron, EventSTPProjection, FusedCOBA, from_pairs
from stp_brainpy.network.compile_fused import FusedNetwork
from stp_brainpy.network.description import Pairs, build_conn
from stp_brainpy.network.instances import coba_network

from .test_projections import Raster, dense_reference


def _pairs(connector, n_pre, n_post):
    """The pairs brainpy itself draws for a connector (an independent fresh one with the same seed)."""
    pre, post = connector(n_pre, n_post).require("pre_ids", "post_ids")
    return np.asarray(pre), np.asarray(post)


def _same_synapses(a, b):
    assert (a.n_pre, a.n_post, a.nnz) == (b.n_pre, b.n_post, b.nnz)
    np.testing.assert_array_equal(a.indptr, b.indptr)
    np.testing.assert_array_equal(a.indices, b.indices)


def _run(conn, raster, T, **kw):
    pre = Raster(raster)
    post = COBANeuron(20)
    proj = EventSTPProjection(pre, post, conn, **kw)
    net = bp.DynSysGroup(pre=pre, post=post, proj=proj)
    runner = bp.DSRunner(net, monitors={"g": proj.g, "eff": proj.efficacy}, progress_bar=False)
    runner.run(T * bm.get_dt())
    return proj, runner.mon["g"], runner.mon["eff"]


CONNECTORS = {
    "FixedProb": lambda: bp.conn.FixedProb(0.3, seed=5),
    "FixedProb-no-self": lambda: bp.conn.FixedProb(0.25, include_self=False, seed=2),
    # explicit pairs out of order, with a repeated pair (a multapse: delivered twice)
    "IJConn": lambda: bp.conn.IJConn(i=np.array([4, 0, 29, 4, 7, 4]), j=np.array([3, 19, 0, 3, 7, 0])),
}


@pytest.mark.parametrize("name", list(CONNECTORS))
def test_connector_gives_the_pairs_of_the_package_builders(name):
    make = CONNECTORS[name]
    pre, post = _pairs(make(), 30, 20)
    ours = from_pairs(pre, post, 30, 20)
    proj = EventSTPProjection(COBANeuron(30), COBANeuron(20), make(), U=0.2, tau_f=2.0, tau_d=150.0)
    _same_synapses(proj.conn, ours)
    _same_synapses(build_conn(make(), 30, 20, 0, same=False), ours)             # the description's projections
    _same_synapses(build_conn(Pairs(pre, post), 30, 20, 0, same=False), ours)
    # every pair brainpy drew is a synapse, with its multiplicity
    got = sorted(zip(np.repeat(np.arange(30), proj.conn.degree).tolist(), proj.conn.indices.tolist()))
    assert got == sorted(zip(pre.tolist(), post.tolist()))


@pytest.mark.parametrize("stp", [True, False])
@pytest.mark.parametrize("name", ["FixedProb", "IJConn"])
def test_connector_projection_gives_the_same_efficacies_and_conductances(x64, name, stp):
    make = CONNECTORS[name]
    rng = np.random.default_rng(4)
    T, dt, tau, D = 60, 0.1, 3.0, 2
    raster = rng.random((T, 30)) < 0.2
    kw = dict(weight=1.5, tau_s=tau, E=0.0, delay=D * dt)
    if stp:
        kw.update(U=0.3, tau_f=20.0, tau_d=4.0)
    proj, g, eff = _run(make(), raster, T, **kw)
    conn = from_pairs(*_pairs(make(), 30, 20), 30, 20)
    _, g_ref, eff_ref = _run(conn, raster, T, **kw)
    np.testing.assert_array_equal(g, g_ref)
    np.testing.assert_array_equal(eff, eff_ref)
    W = _dense_multi(conn, 1.5)
    stp_dense = [np.where(W != 0, v, 0.0) for v in (0.3, 20.0, 4.0)] if stp else []
    np.testing.assert_allclose(g, dense_reference(raster, W, dt, tau, D, *stp_dense), rtol=1e-12, atol=1e-12)
    assert g.max() > 0


def _dense_multi(conn, w):
    """Dense weights summing multapses (the reference's per-pair state is exact for them: same source)."""
    W = np.zeros((conn.n_pre, conn.n_post))
    np.add.at(W, (np.repeat(np.arange(conn.n_pre), conn.degree), conn.indices), w)
    return W


def _classes_raster(cfg, conn):
    net = COBANetwork(cfg, conn=conn)
    runner = bp.DSRunner(net, monitors={"E": net.E.spike, "I": net.I.spike}, progress_bar=False)
    runner.run(cfg.duration)
    return np.concatenate([runner.mon["E"], runner.mon["I"]], axis=1)


@pytest.mark.slow
def test_coba_builders_take_a_connector_and_give_the_same_spikes(x64):
    cfg = COBAConfig(n_neurons=200, p=0.1, duration=60.0, stp=True)
    make = lambda: bp.conn.FixedProb(0.1, seed=9)  # noqa: E731
    conn = from_pairs(*_pairs(make(), 200, 200), 200, 200)
    ref = FusedCOBA(cfg, conn, record=200).run()["raster"]
    assert ref.sum() > 100
    np.testing.assert_array_equal(FusedCOBA(cfg, make(), record=200).run()["raster"], ref)
    fused = FusedNetwork(coba_network(cfg, make()), raster=np.arange(200)).run()["raster"]
    np.testing.assert_array_equal(fused, ref)
    np.testing.assert_array_equal(_classes_raster(cfg, make()), ref)


def test_connector_errors():
    pre, post = COBANeuron(4), COBANeuron(3)
    sized = bp.conn.FixedProb(0.5, seed=0)(5, 5)
    with pytest.raises(ValueError, match="sized 5x5; this projection is 4x3"):
        EventSTPProjection(pre, post, sized)
    with pytest.raises(TypeError, match="bp.conn connector"):
        EventSTPProjection(pre, post, [(0, 1)])
    with pytest.raises(ValueError, match="sized 5x5"):
        COBANetwork(COBAConfig(n_neurons=40, p=0.1), conn=bp.conn.FixedProb(0.5, seed=0)(5, 5))
