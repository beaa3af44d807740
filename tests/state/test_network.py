"""brainpy.state networks built from stp_brainpy.state equal the core-computed network spike for spike."""
from __future__ import annotations

import numpy as np
import pytest

import brainpy.state as bps
import brainstate
import brainunit as u
import jax
import jax.numpy as jnp

from stp_brainpy.core import cond_lif as core_neuron
from stp_brainpy.core import stp as core_stp
from stp_brainpy.network import COBAConfig, FusedCOBA, from_dense
from stp_brainpy.state import COBAStateNet, ConductanceLIF, EventConn, PresynapticSTP, run

DT = 0.1


def _state_raster(cfg, **kw):
    brainstate.environ.set(dt=cfg.dt * u.ms)
    net = COBAStateNet(cfg, **kw)
    brainstate.nn.init_all_states(net)
    return np.asarray(run(net.update, cfg.duration * u.ms)).astype(bool)


@pytest.mark.parametrize("stp", [True, False])
def test_coba_state_net_equals_the_fused_path_spike_for_spike(stp):
    cfg = COBAConfig(n_neurons=300, p=0.06, duration=150.0, stp=stp)
    fused = FusedCOBA(cfg, record=cfg.n_neurons).run()["raster"].astype(bool)
    ours = _state_raster(cfg)
    assert fused.sum() > 100
    np.testing.assert_array_equal(ours, fused)


@pytest.mark.slow
def test_per_synapse_stp_network_equals_the_fused_path_spike_for_spike():
    cfg = COBAConfig(n_neurons=300, p=0.06, duration=150.0, stp=True)
    fused = FusedCOBA(cfg, record=cfg.n_neurons).run()["raster"].astype(bool)
    np.testing.assert_array_equal(_state_raster(cfg, per_synapse=True), fused)


def _core_ei_network(mask_E, mask_I, V0, p, stp, w_E, w_I, steps):
    """The same E/I network straight from the core step functions, dense connectivity, one lax.scan."""
    n_E = mask_E.shape[0]
    W_E, W_I = jnp.asarray(mask_E, float) * w_E, jnp.asarray(mask_I, float) * w_I

    def body(carry, _):
        neu, syn, spike = carry
        syn, eff = core_stp.stp_step(syn, spike[:n_E], stp["U"], tau_f=stp["tau_f"], tau_d=stp["tau_d"], dt=DT)
        drive_E, drive_I = eff @ W_E, spike[n_E:] @ W_I
        neu, spike = core_neuron.cond_lif_step(neu, drive_E, drive_I, 0.0, p, DT, "exact")
        spike = spike.astype(float)
        return (neu, syn, spike), (spike, neu.V)

    n = V0.size
    zeros = jnp.zeros(n)
    init = (core_neuron.CondLIFState(jnp.asarray(V0), jnp.zeros(n, jnp.int32), zeros, zeros),
            core_stp.rest_state((n_E,), zeros.dtype), zeros)
    _, (spikes, V) = jax.lax.scan(body, init, None, length=steps)
    return np.asarray(spikes).astype(bool), np.asarray(V)


class _EINet(brainstate.nn.Module):
    """A small E/I network the way a brainpy.state user writes one, with the package's modules."""

    def __init__(self, mask_E, mask_I, V0, stp, w_E, w_I):
        super().__init__()
        n_E, n = mask_E.shape[0], V0.size
        self.n_E = n_E
        self.E = ConductanceLIF.coba(n, V_init=V0 * u.mV)      # one population, E sources first
        self.stp = PresynapticSTP(n_E, stp["U"], tau_f=stp["tau_f"] * u.ms, tau_d=stp["tau_d"] * u.ms)
        self.exc = bps.DeltaProj(self.stp, comm=EventConn(from_dense(mask_E), w_E * u.nS), post=self.E, label="w_ex")
        self.inh = bps.DeltaProj(comm=EventConn(from_dense(mask_I), w_I * u.nS), post=self.E, label="w_in")

    def update(self):
        spike = self.E.get_spike()
        self.exc(spike[:self.n_E])
        self.inh(spike[self.n_E:])
        return self.E()


def test_small_ei_network_equals_the_core_step_functions(x64):
    rng = np.random.default_rng(3)
    n_E, n_I, steps = 80, 20, 2000
    n = n_E + n_I
    mask_E, mask_I = rng.random((n_E, n)) < 0.1, rng.random((n_I, n)) < 0.1
    V0 = rng.uniform(-60.0, -50.0, n)
    stp = {"U": 0.2, "tau_f": 300.0, "tau_d": 150.0}
    w_E, w_I = 6.0 / 0.2, 67.0
    ref_spikes, ref_V = _core_ei_network(mask_E, mask_I, V0, core_neuron.COBA_NEURON, stp, w_E, w_I, steps)
    net = _EINet(mask_E, mask_I, V0, stp, w_E, w_I)
    brainstate.nn.init_all_states(net)
    spikes, V = run(net.update, steps * DT * u.ms, record=lambda: (net.E.spike.value, net.E.V.value))
    assert ref_spikes.sum() > 200
    np.testing.assert_array_equal(np.asarray(spikes).astype(bool), ref_spikes)
    np.testing.assert_allclose(V.to_decimal(u.mV), ref_V, rtol=0, atol=1e-9)


def test_presynaptic_stp_drives_brainpy_state_align_post_synapses(x64):
    # PresynapticSTP -> EventConn -> brainpy.state Expon synapse and COBA output, into our neuron
    steps, w, tau_s = 1000, 2.0, 5.0
    spikes = np.zeros((steps, 1))
    spikes[100::250, 0] = 1.0
    post = ConductanceLIF.coba(1, V_th=np.inf, I_e=0.0)
    stp = PresynapticSTP(1, 0.4, tau_f=200 * u.ms, tau_d=300 * u.ms)
    proj = bps.AlignPostProj(stp, comm=EventConn((np.array([0]), np.array([0])), w * u.nS, n_pre=1, n_post=1),
                             syn=bps.Expon.desc(1, tau=tau_s * u.ms), out=bps.COBA.desc(E=0.0 * u.mV), post=post)
    brainstate.nn.init_all_states(post)
    brainstate.nn.init_all_states(proj)
    seq = jnp.asarray(spikes)
    syn = proj.syn

    def step():
        proj(seq[brainstate.environ.get("i")])
        post()

    g, V = run(step, steps * DT * u.ms, record=lambda: (syn.g.value, post.V.value))
    # the reference: the core's efficacies into the core's exponential synapse
    eff = np.asarray(jax.lax.scan(lambda st, s: core_stp.stp_step(st, s, 0.4, tau_f=200.0, tau_d=300.0, dt=DT),
                                  core_stp.rest_state((1,)), jnp.asarray(spikes))[1])
    g_ref = np.asarray(jax.lax.scan(lambda g, d: (core_stp.exp_decay_step(g, d, tau_s, DT),) * 2,
                                    jnp.zeros(1), jnp.asarray(w * eff))[1])
    np.testing.assert_allclose(g.to_decimal(u.nS), g_ref, rtol=0, atol=1e-12)
    assert float(V.to_decimal(u.mV).max()) > -59.0   # the COBA current reached the membrane


@pytest.mark.slow
def test_brainstate_event_comm_runs_into_the_neuron_on_cpu():
    # brainevent's numba default is missing here; importing stp_brainpy.state selected 'jax_raw'
    import brainevent

    assert brainevent.config.get_backend("cpu") in ("jax_raw", "numba")
    post = ConductanceLIF.coba(3)
    proj = bps.DeltaProj(comm=brainstate.nn.EventFixedProb(2, 3, conn_num=3, conn_weight=4.0 * u.nS, seed=0,
                                                           allow_multi_conn=False), post=post, label="w_in")
    brainstate.nn.init_all_states(post)
    proj(jnp.array([1.0, 0.0]))
    post()
    np.testing.assert_allclose(post.gI.value.to_decimal(u.nS), [4.0, 4.0, 4.0])


def test_reset_all_states_restarts_the_network_inside_one_compiled_run():
    # states are reset in place (reset_state), so a jitted run replays the same network from t = 0
    cfg = COBAConfig(n_neurons=120, p=0.1, duration=40.0)
    brainstate.environ.set(dt=cfg.dt * u.ms)
    net = COBAStateNet(cfg)
    brainstate.nn.init_all_states(net)
    sim = brainstate.transform.jit(lambda: run(net.update, cfg.duration * u.ms))
    first = np.asarray(sim())
    brainstate.nn.reset_all_states(net)
    np.testing.assert_array_equal(np.asarray(sim()), first)
    assert first.sum() > 0
