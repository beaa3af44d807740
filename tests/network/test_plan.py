"""The plan's tables against an independent layout: every group's synapses stably sorted by source, padded."""
import numpy as np

from stp_brainpy.network.connectivity import bernoulli, select
from stp_brainpy.network.description import (Bernoulli, CurrentLIF, FixedInDegree, Network, Population, Projection,
                                             STPModel, Uniform)
from stp_brainpy.network.plan import make_plan


def _net():
    pops = [Population("A", 60, CurrentLIF(V0=(0.0, 20.0))), Population("B", 40, CurrentLIF(V0=(0.0, 20.0)))]
    tm = STPModel("tm", U=0.3, tau_f=20.0, tau_d=100.0)
    projs = [Projection("A", "A", Bernoulli(0.2), weight=Uniform(0.1, 0.3), delay=Uniform(0.1, 2.0)),
             Projection("A", "B", FixedInDegree(5), weight=0.3, delay=1.0),
             Projection("A", "B", Bernoulli(0.1), weight=0.5, delay=1.0, synapse="exp", tau_s=3.0),
             Projection("B", "A", Bernoulli(0.3), weight=-0.2, delay=0.5, stp=tm),
             Projection("B", "B", Bernoulli(0.3), weight=-0.2, delay=0.5, stp=tm)]
    return Network(pops, projs, duration=10.0, seed=4)


def _reference(plan, group):
    """ELL rows of ``group`` from its projections' drawn synapses: concatenate, stable sort by source, pad."""
    net, n_ch, R = plan.net, plan.n_ch, plan.ring_steps
    off = {(c.pop, c.receptor): c.offset for c in plan.channels}
    pre, code, w = [], [], []
    for k in group.projections:
        s, pr = plan.synapses[k], net.projections[k]
        chan = off[(pr.post, pr.receptor)] + s["post"]
        pre.append(s["pre"])
        code.append(chan + (s["delay_steps"] % R) * n_ch if group.mode == "ring" else chan)
        w.append(s["weight"])
    pre, code, w = (np.concatenate(a) for a in (pre, code, w))
    order = np.argsort(pre, kind="stable")
    pre, code, w = pre[order], code[order], w[order]
    deg = np.bincount(pre, minlength=group.n_pre)
    t = np.full((group.n_pre, max(deg.max(), 1)), R * n_ch if group.mode == "ring" else n_ch, np.int64)
    wt = np.zeros(t.shape)
    for i in range(group.n_pre):
        rows = slice(np.searchsorted(pre, i), np.searchsorted(pre, i, side="right"))
        t[i, :deg[i]], wt[i, :deg[i]] = code[rows], w[rows]
    return t, wt


def test_group_tables_equal_a_stable_sort_of_their_projections():
    plan = make_plan(_net())
    assert plan.ring_steps == 20 and [g.mode for g in plan.groups] == ["ring", "source"]
    for g in plan.groups:
        t, wt = _reference(plan, g)
        np.testing.assert_array_equal(g.targets, t)
        np.testing.assert_array_equal(g.mask, t < (plan.ring_steps * plan.n_ch if g.mode == "ring" else plan.n_ch))
        if g.weights is not None:
            np.testing.assert_allclose(g.weights, wt, rtol=1e-6)
    src = plan.groups[1]  # B -> A and B -> B: one weight, one delay
    assert src.weights is None and src.weight == np.float32(-0.2) and src.delay == 5


def test_bernoulli_without_autapses_and_select_against_dense():
    # more sources than targets: sources past n_post have no autapse to drop
    c = bernoulli(70, 40, 0.3, seed=5, allow_autapses=False)
    full = bernoulli(70, 40, 0.3, seed=5).to_dense()
    ref = full.copy()
    ref[np.arange(40), np.arange(40)] = 0
    np.testing.assert_array_equal(c.to_dense(), ref)
    np.testing.assert_array_equal(c.targets[c.targets < 40], c.indices)  # ELL laid out on first use, CSR order
    for a, b in ((slice(0, 70), slice(0, 40)), (slice(10, 50), slice(5, 33)), (slice(20, 20), slice(0, 40))):
        np.testing.assert_array_equal(select(c, a, b).to_dense(), ref[a, b])


def test_channel_blocks_follow_the_groups_and_fall_back_to_one():
    from stp_brainpy.network.config import COBAConfig
    from stp_brainpy.network.instances import coba_network
    from stp_brainpy.network.kernels import blocks, prepare
    from stp_brainpy.network.plan import Channel, _blocks

    # COBA: E delivers to both exc channels, I to both inh ones -> two blocks, each group local to its block
    plan = prepare(make_plan(coba_network(COBAConfig(n_neurons=100, in_degree=10, duration=1.0))), np.float32)
    assert [(c.pop, c.receptor[0], c.offset) for c in plan.channels] == [("E", "cond", 0), ("I", "cond", 80),
                                                                          ("E", "cond", 100), ("I", "cond", 180)]
    assert blocks(plan) == [(0, 100), (100, 100)] and [g.block for g in plan.groups] == [0, 1]
    for g in plan.groups:
        off, size = blocks(plan)[g.block]
        local = np.asarray(g._targets)
        real = g.targets < plan.n_ch
        np.testing.assert_array_equal(local[real], g.targets[real] - off)
        assert local[real].min() >= 0 and local[real].max() < size and np.all(local[~real] >= size)
    ch = [Channel("A", ("exp", 2.0), 0, 10), Channel("B", ("exp", 2.0), 10, 5), Channel("A", ("delta",), 15, 10)]
    assert _blocks(ch, 25, [[0, 2], [1]], False) == ([(0, 25)], [0, 0])  # channels 0 and 2 not consecutive
    assert _blocks(ch, 25, [[0, 1], [2]], False) == ([(0, 15), (15, 10)], [0, 1])
    assert _blocks(ch, 25, [[0], [1], [2]], True) == ([(0, 25)], [0, 0, 0])  # a target-side ring: one block
    assert make_plan(_net()).blocks == [(0, make_plan(_net()).n_ch)]  # _net has ring groups
