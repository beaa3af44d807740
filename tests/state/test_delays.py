"""Delays of the brainpy.state projections: a spike acts exactly max(1, round(delay/dt)) steps after it was emitted,
and the state network with delays (one per projection or one per synapse) equals the fused network spike for spike."""
from __future__ import annotations

from dataclasses import replace

import brainpy.state as bps
import brainstate
import brainunit as u
import jax.numpy as jnp
import numpy as np
import pytest

from stp_brainpy.core.delays import delay_steps
from stp_brainpy.network import COBAConfig, FusedCOBA, build_connectivity
from stp_brainpy.network.compile_fused import FusedNetwork
from stp_brainpy.network.instances import coba_network
from stp_brainpy.state import COBAStateNet, ConductanceLIF, EventConn, EventSTPProj, PresynapticSTP, run
from stp_brainpy.state.network import coba_blocks

DT = 0.1
PRE, POST = np.array([0, 0, 1, 1, 2]), np.array([0, 1, 2, 3, 4])   # one synapse per target
EMIT = {0: 5, 1: 9, 2: 30}                                          # step each source spikes
U0, W = 0.4, 3.0


def _arrival_steps(make_proj, steps=80):
    """Steps at which each target's gE jumps, the network run the brainpy.state way: at step i the projection
    gets the spikes of step i - 1 (``pre.get_spike()`` before the neurons update), then the neurons update."""
    post = ConductanceLIF.coba(5, V_th=np.inf, I_e=0.0)
    proj = make_proj(post)
    spikes = np.zeros((steps + 1, 3))
    for i, m in EMIT.items():
        spikes[m, i] = 1.0
    seq = jnp.asarray(spikes)
    brainstate.nn.init_all_states(post)
    brainstate.nn.init_all_states(proj)

    def step():
        i = brainstate.environ.get("i")
        proj(seq[jnp.maximum(i - 1, 0)] * (i > 0))
        post()

    gE = np.asarray(run(step, steps * DT * u.ms, record=lambda: post.gE.value).to_decimal(u.nS))
    jumps = np.diff(np.vstack([np.zeros((1, 5)), gE]), axis=0) > 1e-6
    first = [int(np.argmax(jumps[:, j])) if jumps[:, j].any() else -1 for j in range(5)]
    return first, gE


def _expected(delays_ms):
    d = np.broadcast_to(np.asarray(delays_ms, float), PRE.shape)
    return [EMIT[int(i)] + delay_steps(float(dk), DT) for i, dk in zip(PRE, d)]


DELAYS = {"0": 0.0, "dt": 0.1, "below-half-step": 0.04, "0.25ms": 0.25, "1.5ms": 1.5, "quantity": 0.7 * u.ms,
          "per-synapse": np.array([0.1, 0.5, 1.0, 0.0, 2.3])}


def _ms(delay):
    return delay.to_decimal(u.ms) if isinstance(delay, u.Quantity) else delay


@pytest.mark.parametrize("delay", list(DELAYS))
def test_presynaptic_stp_spike_arrives_delay_steps_later(delay):
    d = DELAYS[delay]

    def make(post):
        stp = PresynapticSTP(3, U0, tau_f=50 * u.ms, tau_d=200 * u.ms)
        return bps.DeltaProj(stp, comm=EventConn((PRE, POST), W * u.nS, delay=d, n_pre=3, n_post=5), post=post,
                             label="w_ex")

    first, gE = _arrival_steps(make)
    assert first == _expected(_ms(d))
    # the first release from rest is U, whatever the delay; the conductance jumps by w U at arrival
    for j, s in enumerate(first):
        assert gE[s, j] == pytest.approx(W * U0, rel=1e-6)


@pytest.mark.parametrize("delay", ["0", "0.25ms", "1.5ms", "quantity", "per-synapse"])
def test_per_synapse_stp_spike_arrives_delay_steps_later(delay):
    d = DELAYS[delay]

    def make(post):
        return EventSTPProj((PRE, POST), post, U0, tau_f=50 * u.ms, tau_d=200 * u.ms, weight=W * u.nS, delay=d,
                            n_pre=3, n_post=5)

    first, gE = _arrival_steps(make)
    assert first == _expected(_ms(d))
    for j, s in enumerate(first):
        assert gE[s, j] == pytest.approx(W * U0, rel=1e-6)


def test_bad_delays_are_refused():
    with pytest.raises(ValueError, match="delay"):
        EventConn((PRE, POST), 1.0, delay=-0.1, n_pre=3, n_post=5)
    with pytest.raises(ValueError, match="one value per synapse"):
        EventConn((PRE, POST), 1.0, delay=[0.1, 0.2], n_pre=3, n_post=5)
    with pytest.raises(ValueError, match="delay"):
        EventConn((PRE, POST), 1.0, delay=np.inf, n_pre=3, n_post=5)
    with pytest.raises(TypeError, match="delay"):
        EventConn((PRE, POST), 1.0, delay=1.0 * u.mV, n_pre=3, n_post=5)
    with pytest.raises(RuntimeError, match="init_all_states"):
        EventConn((PRE, POST), 1.0, delay=0.5, n_pre=3, n_post=5)(jnp.ones(3))
    with pytest.raises(ValueError, match="E2X"):
        COBAStateNet(COBAConfig(n_neurons=40, p=0.1), delays={"E2X": 1.0})


def _state_raster(cfg, **kw):
    brainstate.environ.set(dt=cfg.dt * u.ms)
    net = COBAStateNet(cfg, **kw)
    brainstate.nn.init_all_states(net)
    return np.asarray(run(net.update, cfg.duration * u.ms)).astype(bool)


@pytest.mark.parametrize("delay,stp", [(1.0, True), pytest.param(0.25, True, marks=pytest.mark.slow),
                                       pytest.param(1.5, False, marks=pytest.mark.slow)])
def test_state_network_with_a_delay_equals_the_fused_path_spike_for_spike(delay, stp):
    cfg = COBAConfig(n_neurons=300, p=0.06, duration=150.0, stp=stp, delay=delay)
    fused = FusedCOBA(cfg, record=cfg.n_neurons).run()["raster"].astype(bool)
    assert fused.sum() > 100
    np.testing.assert_array_equal(_state_raster(cfg), fused)


def _per_synapse_delays(cfg, conn):
    rng = np.random.default_rng(11)
    return {f"{s}2{t}": rng.uniform(0.0, 2.5, block.nnz) for s, t, block in coba_blocks(cfg, conn)}


@pytest.mark.parametrize("per_synapse", [False, pytest.param(True, marks=pytest.mark.slow)])
def test_state_network_with_per_synapse_delays_equals_the_fused_network(per_synapse):
    cfg = COBAConfig(n_neurons=300, p=0.06, duration=150.0, stp=True)
    conn = build_connectivity(cfg)
    delays = _per_synapse_delays(cfg, conn)
    desc = coba_network(cfg, conn)
    desc = replace(desc, projections=[replace(p, delay=delays[f"{p.pre}2{p.post}"]) for p in desc.projections])
    fused = FusedNetwork(desc, raster=np.arange(cfg.n_neurons)).run()["raster"].astype(bool)
    assert fused.sum() > 100
    ours = _state_raster(cfg, conn=conn, delays=delays, per_synapse=per_synapse)
    np.testing.assert_array_equal(ours, fused)
