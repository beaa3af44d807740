"""ConductanceLIF reproduces the Neuromatch tutorial's run_LIF_cond (independent NumPy transcription)."""
from __future__ import annotations

import numpy as np
import pytest

import brainstate
import brainunit as u
import jax.numpy as jnp

from stp_brainpy.state import ConductanceLIF, run
from tests.neuromatch_reference import np_default_pars, np_poisson, np_run_LIF_cond


@pytest.mark.parametrize("I_inj", [0.0, 150.0])
def test_conductance_lif_is_the_tutorials_neuron(x64, I_inj):
    rng = np.random.default_rng(5)
    pars = np_default_pars(T=300.0, gE_bar=2.4, gI_bar=2.4, VE=0.0, VI=-80.0, tau_syn_E=2.0, tau_syn_I=5.0)
    Lt = pars["range_t"].size
    pre_ex, pre_in = np_poisson(rng, 10.0, 80, Lt, 0.1), np_poisson(rng, 10.0, 20, Lt, 0.1)
    v_ref, spikes_ref, gE_ref, _ = np_run_LIF_cond(pars, I_inj, pre_ex, pre_in)

    neu = ConductanceLIF(1, tau_E=2.0 * u.ms, tau_I=5.0 * u.ms, I_e=I_inj * u.pA, method="euler")  # tutorial defaults
    brainstate.nn.init_all_states(neu)
    dE = jnp.asarray(pars["gE_bar"] * pre_ex.sum(0))
    dI = jnp.asarray(pars["gI_bar"] * pre_in.sum(0))

    def step():
        i = brainstate.environ.get("i")
        neu.add_delta_input("ex", dE[i + 1] * u.nS, label="w_ex")   # the jump that arrives at sample it+1
        neu.add_delta_input("in", dI[i + 1] * u.nS, label="w_in")
        return neu()

    spikes, V, gE = run(step, (Lt - 1) * 0.1 * u.ms, record=lambda: (neu.spike.value, neu.V.value, neu.gE.value))
    # our step k ends at sample k+1 after its threshold check; the tutorial checks sample it at its start
    got = (np.nonzero(np.asarray(spikes)[:, 0])[0] + 1) * 0.1
    assert spikes_ref.size > 3
    np.testing.assert_allclose(got[got < (Lt - 1) * 0.1], spikes_ref, atol=1e-9)
    np.testing.assert_allclose(np.asarray(V.to_decimal(u.mV))[:-1, 0], v_ref[1:-1], rtol=0, atol=1e-9)
    np.testing.assert_allclose(np.asarray(gE.to_decimal(u.nS))[:, 0], gE_ref[1:], rtol=0, atol=1e-9)
