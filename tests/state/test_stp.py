"""PresynapticSTP and EventSTPComm give the core's efficacies (and NEST's), brainpy.state's STP does not."""
from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest

import brainpy.state as bps
import brainstate
import brainunit as u
import jax.numpy as jnp

from stp_brainpy.core import stp as core_stp
from stp_brainpy.state import EventConn, EventSTPComm, PresynapticSTP, dt_ms, run

DT = 0.1
REF = pathlib.Path(__file__).resolve().parents[1] / "reference" / "nest_tsodyks.json"


def _trains(rng, n_trains, n_steps, rate_hz=40.0):
    """Bernoulli spike trains on the grid (steps >= 1), (n_steps, n_trains)."""
    s = rng.random((n_steps, n_trains)) < rate_hz * DT / 1000.0
    s[0] = False
    return s


def _run_module(module, spikes):
    """Efficacy per step from a brainstate run; spike k of step i is sent at step i."""
    brainstate.nn.init_all_states(module)
    seq = jnp.asarray(spikes, float)
    duration = len(spikes) * dt_ms() * u.ms                # the environment's dt (the dt test changes it)
    return np.asarray(run(lambda: module(seq[brainstate.environ.get("i")]), duration,
                          record=lambda: module.efficacy.value))


def _core_efficacies(spikes, U, tau_f, tau_d):
    """Per train: core.event_efficacies at the spike times (the event-driven reference), one vmap."""
    import jax

    n_steps, n = spikes.shape
    k = int(spikes.sum(0).max())
    times = np.full((n, k), np.inf)
    for j in range(n):
        steps = np.nonzero(spikes[:, j])[0]
        times[j, :steps.size] = steps * DT
    eff = np.asarray(jax.vmap(lambda t, a, b, c: core_stp.event_efficacies(t, a, tau_f=b, tau_d=c)[0])(
        jnp.asarray(times), jnp.asarray(U, float), jnp.asarray(tau_f, float), jnp.asarray(tau_d, float)))
    out = np.zeros(spikes.shape)
    for j in range(n):
        steps = np.nonzero(spikes[:, j])[0]
        out[steps, j] = eff[j, :steps.size]
    return out


def test_presynaptic_stp_equals_the_core_event_efficacies_per_neuron(x64):
    rng = np.random.default_rng(0)
    n = 6
    U = rng.uniform(0.05, 0.9, n)
    tau_f = rng.uniform(5.0, 1500.0, n)
    tau_d = rng.uniform(20.0, 1000.0, n)
    spikes = _trains(rng, n, 3000)
    mod = PresynapticSTP(n, U, tau_f=tau_f * u.ms, tau_d=tau_d / 1000.0 * u.second)
    eff = _run_module(mod, spikes)
    ref = _core_efficacies(spikes, U, tau_f, tau_d)
    assert spikes.sum() > 50
    np.testing.assert_allclose(eff, ref, rtol=0, atol=1e-12)


def test_presynaptic_stp_does_not_depend_on_dt(x64):
    # spikes on a common grid: dt = 0.1 and dt = 0.05 give the same efficacies
    steps = np.array([10, 37, 41, 300, 302, 900])
    out = []
    for dt, k in ((0.1, 1), (0.05, 2)):
        brainstate.environ.set(dt=dt * u.ms)
        spikes = np.zeros((1000 * k, 1), bool)
        spikes[steps * k, 0] = True
        eff = _run_module(PresynapticSTP(1, 0.3, tau_f=300.0, tau_d=120.0), spikes)
        out.append(eff[steps * k, 0])
    np.testing.assert_allclose(out[0], out[1], rtol=0, atol=1e-12)


def _nest_cases():
    data = json.loads(REF.read_text())["tsodyks2_synapse"]
    # NEST tsodyks2 with u = U, x = 1 is this model exactly (GUIDE §7)
    return [c for c in data if c["status"]["u"] == c["status"]["U"] and c["status"]["x"] == 1.0]


def test_presynaptic_stp_equals_nest_tsodyks2(x64):
    cases = _nest_cases()
    assert len(cases) >= 20
    # every NEST case is one neuron of one population (per-neuron parameters), one run
    steps = [np.rint(np.asarray(c["spike_times"]) / DT).astype(int) for c in cases]
    spikes = np.zeros((max(s[-1] for s in steps) + 1, len(cases)), bool)
    for j, s in enumerate(steps):
        spikes[s, j] = True
    st = {k: np.array([c["status"][k] for c in cases]) for k in ("U", "tau_fac", "tau_rec", "weight")}
    mod = PresynapticSTP(len(cases), st["U"], tau_f=st["tau_fac"] * u.ms, tau_d=st["tau_rec"] * u.ms)
    eff = _run_module(mod, spikes)
    for j, c in enumerate(cases):
        np.testing.assert_allclose(st["weight"][j] * eff[steps[j], j], c["weights"], rtol=0, atol=1e-12,
                                   err_msg=str(c["status"]))


def test_brainpy_state_stp_differs_by_the_documented_amount(x64):
    # U = 0.5, tau_f = 50 ms, first spike at t = 10 ms: brainpy.state's STP starts u at U and jumps
    # from the previous step's u, so its first efficacy is U q^n + U (1 - U q^(n-1)) ~ 0.70, not U.
    U, tau_f, tau_d, n = 0.5, 50.0, 800.0, 101
    spikes = np.zeros((n, 1), bool)
    spikes[-1, 0] = True
    theirs = bps.STP(1, U=U, tau_f=tau_f * u.ms, tau_d=tau_d * u.ms)
    ours = PresynapticSTP(1, U, tau_f=tau_f * u.ms, tau_d=tau_d * u.ms)
    brainstate.nn.init_all_states(theirs)
    brainstate.nn.init_all_states(ours)
    seq = jnp.asarray(spikes, float)
    e_theirs, e_ours = (float(e[-1, 0]) for e in run(
        lambda: (theirs.update(seq[brainstate.environ.get("i")]), ours(seq[brainstate.environ.get("i")])),
        n * DT * u.ms))
    q = np.exp(-DT / tau_f)
    assert e_ours == pytest.approx(0.5, abs=1e-12)
    assert e_theirs == pytest.approx(U * q ** n + U * (1 - U * q ** (n - 1)), abs=1e-12)
    assert round(e_theirs, 2) == 0.70


@pytest.mark.slow
def test_event_fixed_prob_drops_graded_efficacies():
    # why PresynapticSTP goes with EventConn (or Linear/SparseLinear), not brainstate's EventFixedProb
    comm = brainstate.nn.EventFixedProb(2, 3, conn_num=3, conn_weight=1.0, seed=0, allow_multi_conn=False)
    got = np.asarray(comm(jnp.array([0.25, 0.0])))
    assert got.sum() == pytest.approx(3.0)          # counted as binary events, the 0.25 is lost
    ours = EventConn((np.zeros(3, int), np.arange(3)), 1.0, n_pre=2, n_post=3)
    np.testing.assert_allclose(ours(jnp.array([0.25, 0.0])).to_decimal(u.nS), [0.25] * 3)


# ------------------------------------------------------------------ per-synapse STP (EventSTPComm)

def _per_synapse_run(comm, spikes):
    brainstate.nn.init_all_states(comm)
    seq = jnp.asarray(spikes, float)
    return np.asarray(run(lambda: comm(seq[brainstate.environ.get("i")]).to_decimal(u.nS), len(spikes) * DT * u.ms))


def test_event_stp_comm_heterogeneous_synapses_equal_the_core(x64):
    rng = np.random.default_rng(1)
    n_pre, fan = 4, 3
    pre = np.repeat(np.arange(n_pre), fan)
    post = np.arange(n_pre * fan)                     # one target per synapse: out[j] = w_j e_j
    nnz = pre.size
    U = rng.uniform(0.05, 0.9, nnz)
    tau_f = rng.uniform(5.0, 1500.0, nnz)
    tau_d = rng.uniform(20.0, 1000.0, nnz)
    w = rng.uniform(0.5, 3.0, nnz)
    spikes = _trains(rng, n_pre, 4000)
    comm = EventSTPComm((pre, post), U, tau_f=tau_f * u.ms, tau_d=tau_d * u.ms, weight=w * u.nS,
                        n_pre=n_pre, n_post=nnz, chunk=2)
    out = _per_synapse_run(comm, spikes)
    ref = _core_efficacies(spikes[:, pre], U, tau_f, tau_d) * w
    assert spikes.sum() > 50
    np.testing.assert_allclose(out, ref, rtol=0, atol=1e-12)


def test_event_stp_comm_homogeneous_equals_presynaptic_stp_then_event_conn(x64):
    rng = np.random.default_rng(2)
    n_pre, n_post = 30, 20
    pre, post = np.nonzero(rng.random((n_pre, n_post)) < 0.2)
    spikes = _trains(rng, n_pre, 2000, rate_hz=80.0)
    per_syn = EventSTPComm((pre, post), 0.2, tau_f=600.0, tau_d=150.0, weight=2.0, n_pre=n_pre, n_post=n_post)
    out_a = _per_synapse_run(per_syn, spikes)
    stp = PresynapticSTP(n_pre, 0.2, tau_f=600.0, tau_d=150.0)
    conn = EventConn((pre, post), 2.0, n_pre=n_pre, n_post=n_post)
    brainstate.nn.init_all_states(stp)
    seq = jnp.asarray(spikes, float)
    out_b = np.asarray(run(lambda: conn(stp(seq[brainstate.environ.get("i")])).to_decimal(u.nS), 200.0 * u.ms))
    np.testing.assert_allclose(out_a, out_b, rtol=0, atol=1e-12)
