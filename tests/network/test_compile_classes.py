"""Random small networks from the description: the fused scan and the BrainPy classes give the same spikes,
step for step, on both delivery backends."""
import brainpy as bp
import brainpy.math as bm
import numpy as np
import pytest

from stp_brainpy.core.cond_neuron import CondLIFParams
from stp_brainpy.network.compile_classes import to_brainpy
from stp_brainpy.network.compile_fused import FusedNetwork
from stp_brainpy.network.description import (STPModel, Bernoulli, CondLIFModel, CurrentLIF, FixedInDegree, Network, Normal,
                                             Population, PoissonSource, Projection, Stimulus, Uniform, WhiteNoise)


def random_network(seed: int) -> Network:
    rng = np.random.default_rng(seed)
    nE, nI, nC, nP = (int(x) for x in rng.integers(5, 40, 4))
    stps = [None, STPModel("tm", U=0.3, tau_f=50.0, tau_d=150.0),
            STPModel("markram", read="after", U=Uniform(0.1, 0.4), tau_f=Normal(800.0, 300.0, 1.0, 3000.0), tau_d=200.0),
            STPModel("tm3", U=Uniform(0.2, 0.6), tau_f=0.0, tau_d=Uniform(50.0, 400.0), tau_psc=3.0)]
    pick = lambda: stps[int(rng.integers(len(stps)))]  # noqa: E731
    delay = lambda: Uniform(0.0, float(rng.uniform(0.2, 2.0))) if rng.random() < 0.6 else float(rng.uniform(0, 1))  # noqa: E731
    pops = [Population("E", nE, CurrentLIF(V0=(0.0, 20.0))),
            Population("I", nI, CurrentLIF(tau_m=10.0, V_reset=13.0, V0=(0.0, 20.0))),
            Population("C", nC, CondLIFModel(CondLIFParams(V_th=-50.0, V_reset=-60.0, E_L=-60.0, tau_m=20.0, I_e=150.0),
                                        V0=(-60.0, -50.0))),
            Population("P", nP, PoissonSource(float(rng.uniform(20, 80))))]
    projs = [Projection("E", "E", Bernoulli(float(rng.uniform(0.1, 0.5))), Uniform(0.1, 0.8), delay(), stp=pick()),
             Projection("E", "I", FixedInDegree(min(nE, 4)), 0.6, delay(), stp=pick()),
             Projection("I", "E", Bernoulli(0.3), -0.9, delay()),
             Projection("P", "E", Bernoulli(0.2), 0.7, delay(), synapse="exp", tau_s=3.0),
             Projection("E", "C", Bernoulli(0.3), Uniform(1.0, 4.0), delay(), output="conductance", synapse="exp",
                        tau_s=5.0, E=0.0, stp=pick()),
             Projection("P", "C", Bernoulli(0.3), 5.0, delay(), output="conductance", synapse="exp", tau_s=10.0, E=-80.0)]
    inputs = [WhiteNoise("E", 20.5, 1.0), WhiteNoise("I", 20.0, 1.5), WhiteNoise("C", 0.0, 20.0)]
    return Network(pops, projs, inputs, [Stimulus("E", 10.0, 20.0, 1.1, 0, nE // 2)], dt=0.1, duration=40.0,
                   seed=seed)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("backend", ["native", "xla"])
def test_fused_and_brainpy_classes_give_identical_spikes(x64, seed, backend):
    net = random_network(seed)
    fused = FusedNetwork(net, backend=backend, raster=np.arange(net.n_neurons)).run()["raster"]
    model = to_brainpy(net, backend=backend)
    bm.set_dt(net.dt)
    runner = bp.DSRunner(model, monitors={"spike": model.spike}, progress_bar=False)
    runner.run(net.duration)
    classes = np.asarray(runner.mon["spike"])
    assert fused.sum() > 20
    assert np.array_equal(fused, classes)
