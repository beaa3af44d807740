"""The network description compiled to one scan: COBA spike for spike against an independent NumPy network,
per-synapse delays on the grid, heterogeneous event-driven STP against the core's per-synapse efficacies."""

import numpy as np
import pytest

from stp_brainpy.core import family
from stp_brainpy.core.delays import delay_steps
from stp_brainpy.network import COBAConfig
from stp_brainpy.network.compile_fused import FusedNetwork
from stp_brainpy.network.description import (STPModel, CurrentLIF, Network, Normal, Pairs, Population, PoissonSource,
                                             Projection, Record, SpikeSource, Uniform)
from stp_brainpy.network.instances import coba_network

from .test_coba import numpy_coba

BACKENDS = ("native", "xla")


@pytest.mark.parametrize("stp", [True, False])
def test_coba_description_reproduces_the_numpy_network_spike_for_spike(x64, stp):
    cfg = COBAConfig(n_neurons=400, in_degree=80, duration=150.0, stp=stp)
    ref = numpy_coba(cfg)
    for backend in BACKENDS:
        res = FusedNetwork(coba_network(cfg), backend=backend, raster=np.arange(400)).run()
        assert np.array_equal(res["raster"], ref), backend


def _probe(n_src, spikes_at, pre, post, delay, weight=1.0, stp=None, dt=0.1, duration=60.0):
    """Sources spike at given steps; each target has one synapse; V (tau_m huge, no threshold) sums jumps."""
    ids = np.concatenate([np.full(len(s), i) for i, s in enumerate(spikes_at)])
    times = np.concatenate([np.asarray(s, float) * dt for s in spikes_at])
    n_post = int(np.max(post)) + 1
    big = CurrentLIF(tau_m=1e12, V_th=1e9, V_reset=0.0, tau_ref=0.0, V0=0.0)
    net = Network([Population("S", n_src, SpikeSource(ids, times)), Population("T", n_post, big)],
                  [Projection("S", "T", Pairs(pre, post), weight=weight, delay=delay, stp=stp)],
                  record=Record(V={"T": n_post}, every=1), dt=dt, duration=duration, seed=3)
    return net


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_synapse_delay_equals_its_drawn_value_on_the_grid(x64, backend):
    rng = np.random.default_rng(0)
    n_src, n_post = 6, 60
    pre = rng.integers(0, n_src, n_post)
    post = np.arange(n_post)
    spikes_at = [[5 + 3 * i] for i in range(n_src)]
    net = _probe(n_src, spikes_at, pre, post, Uniform(0.0, 2.0), weight=Uniform(0.5, 1.5), duration=40.0)
    fn = FusedNetwork(net, backend=backend)
    syn = fn.plan.synapses[0]
    res = fn.run()
    V = res["V"]
    first = np.argmax(V != 0, axis=0)  # step of each target's jump
    order_post = syn["post"]
    for k in range(syn["pre"].size):
        j, i = order_post[k], syn["pre"][k]
        D = delay_steps(syn["delay_ms"][k], net.dt)
        assert syn["delay_steps"][k] == D
        assert first[j] == spikes_at[i][0] + D
        assert V[first[j], j] == pytest.approx(syn["weight"][k], rel=1e-12)
    assert syn["delay_steps"].min() >= 1 and syn["delay_steps"].max() == 20


HETERO = {
    "tm": dict(U=Uniform(0.05, 0.9), tau_f=Uniform(5.0, 800.0), tau_d=Uniform(20.0, 600.0)),
    "markram": dict(U=Uniform(0.05, 0.9), f=Uniform(0.0, 0.5), tau_f=Normal(300.0, 200.0, 1.0, 2000.0),
                    tau_d=Uniform(20.0, 600.0)),
    "tm3": dict(U=Uniform(0.05, 0.9), tau_f=Uniform(0.0, 800.0), tau_d=Uniform(20.0, 600.0),
                tau_psc=Uniform(1.0, 10.0)),
}


@pytest.mark.parametrize("model,read", [("tm", "before"), ("markram", "before"), ("markram", "after"), ("tm3", "before")])
def test_heterogeneous_stp_is_event_driven_and_matches_the_core_per_synapse(x64, model, read):
    rng = np.random.default_rng(1)
    n_src, per = 4, 10
    pre = np.repeat(np.arange(n_src), per)
    post = np.arange(n_src * per)
    spikes_at = [np.sort(rng.choice(np.arange(1, 1500), 25, replace=False)) for _ in range(n_src)]
    stp = STPModel(model, read=read, **HETERO[model])
    net = _probe(n_src, spikes_at, pre, post, 0.1, weight=1.0, stp=stp, duration=160.0)
    for backend in BACKENDS:
        fn = FusedNetwork(net, backend=backend)
        syn = fn.plan.synapses[0]
        V = fn.run()["V"]
        jumps = np.diff(np.vstack([np.zeros((1, V.shape[1])), V]), axis=0)
        for k in range(syn["pre"].size):
            i, j = syn["pre"][k], syn["post"][k]
            t = np.asarray(spikes_at[i], float) * net.dt
            params = {name: syn["params"][name][k] for name in family.PARAMS[model]}
            opts = {"read": read} if model == "markram" else {}
            want = np.asarray(family.event_efficacies(model, t, params, **opts))
            got = jumps[np.asarray(spikes_at[i]) + 1, j]
            np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


def test_poisson_sources_and_noise_run_and_bad_descriptions_are_refused():
    net = Network([Population("P", 20, PoissonSource(50.0)), Population("E", 30, CurrentLIF(V0=(0.0, 10.0)))],
                  [Projection("P", "E", Pairs(np.arange(20), np.arange(20)), weight=5.0, delay=0.5)],
                  duration=50.0)
    res = FusedNetwork(net).run()
    assert res["pop_count"].shape == (500, 2) and res["pop_count"][:, 0].sum() > 0
    with pytest.raises(ValueError, match="not a population"):
        Network([Population("E", 3, CurrentLIF())], [Projection("E", "X", Pairs([0], [0]))])
    with pytest.raises(ValueError, match="V_reset must be below V_th"):
        CurrentLIF(V_th=10.0, V_reset=12.0)
    with pytest.raises(ValueError, match="U must"):
        STPModel("markram", U=1.5)
    with pytest.raises(ValueError, match="unknown parameter"):
        STPModel("tm", f=0.2)
    with pytest.raises(ValueError, match="tau_s"):
        Projection("E", "E", Pairs([0], [0]), synapse="exp")


def test_brainpy_connectors_and_gupta_classes():
    import brainpy as bp

    from stp_brainpy.network.description import build_conn
    from stp_brainpy.network.instances import GUPTA_2000, gupta_stp

    c = build_conn(bp.conn.FixedProb(0.3, seed=1), 20, 30, 0, same=False)
    assert (c.n_pre, c.n_post) == (20, 30) and 0 < c.nnz < 600
    assert np.array_equal(build_conn(bp.conn.One2One(), 10, 10, 0, same=True).indices, np.arange(10))
    params = gupta_stp().joint(np.random.default_rng(0), 30000)
    assert np.array_equal(params["f"], params["U"])
    assert 0.02 <= params["U"].min() and params["tau_f"].max() <= 3000.0
    mean_U = np.mean([GUPTA_2000[k]["U"][0] for k in GUPTA_2000])
    assert abs(params["U"].mean() - mean_U) < 0.02
