"""model= in STP / STPRelease / STPExpon: per-spike efficacies equal core.family.event_efficacies; the delay rule."""
from __future__ import annotations

import brainpy as bp
import brainpy.math as bm
import numpy as np
import pytest

from stp_brainpy.core import family
from stp_brainpy.core.delays import delay_steps
from stp_brainpy.neurons import LIF
from stp_brainpy.synapses import STP, STPExpon, STPRelease

# (name, model, options of the synapse / of family.event_efficacies)
VARIANTS = [("tm", "tm", {}), ("markram_before", "markram", {"read": "before"}),
            ("markram_after", "markram", {"read": "after"}), ("tm3", "tm3", {})]
RANGES = {"U": (0.05, 0.9), "f": (0.05, 0.6), "tau_f": (5.0, 400.0), "tau_d": (20.0, 300.0), "tau_psc": (1.0, 30.0)}


def draw(model, shape, seed):
    rng = np.random.default_rng(seed)
    return {k: rng.uniform(*RANGES[k], size=shape) for k in family.PARAMS[model]}


def reference(model, opts, times, params):
    """family.event_efficacies of a train whose arrival times count steps from t = 0 (the initial rest state)."""
    return np.asarray(family.event_efficacies(model, np.asarray(times, float), params, **opts))


def _pick(params, idx):
    return {k: float(np.asarray(v)[idx]) for k, v in params.items()}


def test_stp_models_per_connection_and_batched_equal_family(x64):
    """One network: every variant twice (per-connection parameters; a batch of 3 parameter sets)."""
    dt, n_pre, n_post, B = 0.1, 3, 2, 3
    pre = LIF(n_pre)
    nodes, cases = {"pre": pre}, {}
    for c, (name, model, opts) in enumerate(VARIANTS):
        per_conn = draw(model, (n_pre * n_post,), seed=c)
        batched = {k: v[:, None] for k, v in draw(model, (B,), seed=10 + c).items()}
        for kind, params, post in (("conn", per_conn, LIF(n_post)),
                                   ("batch", batched, LIF(n_post, mode=bm.BatchingMode(B)))):
            key = f"{name}_{kind}"
            nodes[f"post_{key}"] = post
            nodes[f"syn_{key}"] = STP(pre, post, bp.connect.All2All(), model=model, delay=0.35, **params, **opts)
            cases[key] = (model, opts, params, kind)
    mon = bp.DSRunner(bp.Network(**nodes), monitors=["pre.spike"] + [f"syn_{k}.efficacy" for k in cases],
                      inputs=[("pre.input", np.array([24.0, 30.0, 45.0]))], progress_bar=False)
    mon.run(120.0)
    spikes = np.asarray(mon.mon["pre.spike"])
    assert spikes.sum(0).min() >= 4
    D = delay_steps(0.35, dt)
    pre_ids = np.asarray(nodes["syn_tm_conn"].pre_ids)
    for key, (model, opts, params, kind) in cases.items():
        eff = np.asarray(mon.mon[f"syn_{key}.efficacy"])
        for k, i in enumerate(pre_ids):
            arrival = np.flatnonzero(spikes[:, i]) + D
            arrival = arrival[arrival < len(eff)]
            times = (arrival + 1) * dt  # step m ends at (m + 1) dt
            sets = [(_pick(params, k), eff[:, k])] if kind == "conn" else \
                [(_pick(params, (b, 0)), eff[:, b, k]) for b in range(B)]
            for p, e in sets:
                np.testing.assert_array_equal(np.flatnonzero(e), arrival, err_msg=key)
                np.testing.assert_allclose(e[arrival], reference(model, opts, times, p), rtol=1e-12, atol=0,
                                           err_msg=f"{key} connection {k} {p}")


def test_stp_markram_initial_state_with_t0(x64):
    """u0, x0 away from rest: the stepped run equals event_efficacies with the state at t0 = 0."""
    pre, post = LIF(1), LIF(1)
    p = dict(U=0.3, f=0.2, tau_f=80.0, tau_d=150.0)
    syn = STP(pre, post, bp.connect.All2All(), model="markram", u0=0.7, x0=0.6, **p)
    runner = bp.DSRunner(bp.Network(pre=pre, syn=syn, post=post), monitors=["pre.spike", "syn.efficacy"],
                         inputs=[("pre.input", 30.0)], progress_bar=False)
    runner.run(60.0)
    arrival = np.flatnonzero(np.asarray(runner.mon["pre.spike"])[:, 0]) + 1
    arrival = arrival[arrival < 600]
    ref = family.event_efficacies("markram", (arrival + 1) * 0.1, p, u0=0.7, x0=0.6, t0=0.0)
    np.testing.assert_allclose(np.asarray(runner.mon["syn.efficacy"])[arrival, 0], ref, rtol=1e-12)


def _syndyn_efficacies(syn, spikes, dt=0.1, fields=("efficacy",)):
    def step(i, s):
        bp.share.save(t=i * dt, dt=dt, i=i)
        syn(s)
        return [getattr(syn, f).value for f in fields]

    return [np.asarray(v) for v in bm.for_loop(step, (np.arange(len(spikes)), spikes))]


@pytest.mark.parametrize("cls", [STPRelease, STPExpon])
@pytest.mark.parametrize("name,model,opts", VARIANTS)
def test_syndyn_models_equal_family(x64, cls, name, model, opts):
    dt, N, T = 0.1, 3, 900
    rng = np.random.default_rng(5)
    spikes = rng.random((T, N)) < 0.02
    params = draw(model, (N,), seed=3)
    syn = cls(N, model=model, **params, **opts)
    eff, = _syndyn_efficacies(syn, spikes, dt)
    for i in range(N):
        steps = np.flatnonzero(spikes[:, i])
        np.testing.assert_array_equal(np.flatnonzero(eff[:, i]), steps)
        ref = reference(model, opts, (steps + 1) * dt, _pick(params, i))
        np.testing.assert_allclose(eff[steps, i], ref, rtol=1e-12, atol=0, err_msg=f"{name} neuron {i}")


def test_syndyn_batched_mode_equals_unbatched(x64):
    """A batching mode: every batch row runs the same core step (rows given different spikes)."""
    B, N, T = 2, 3, 400
    spikes = np.random.default_rng(1).random((T, B, N)) < 0.03
    params = draw("tm3", (N,), seed=4)
    syn = STPRelease(N, model="tm3", mode=bm.BatchingMode(B), **params)
    eff, = _syndyn_efficacies(syn, spikes)
    for b in range(B):
        single = STPRelease(N, model="tm3", **params)
        np.testing.assert_allclose(eff[:, b], _syndyn_efficacies(single, spikes[:, b])[0], rtol=1e-12, atol=0)


def test_tm3_keeps_active_fraction_y(x64):
    syn = STPRelease(1, model="tm3", U=0.5, tau_f=0.0, tau_d=100.0, tau_psc=3.0)
    spikes = np.zeros((50, 1), bool)
    spikes[0] = True
    eff, y = _syndyn_efficacies(syn, spikes, fields=("efficacy", "y"))
    assert eff[0, 0] == pytest.approx(0.5)
    np.testing.assert_allclose(y[:, 0], 0.5 * np.exp(-0.1 * np.arange(50) / 3.0), rtol=1e-12)


@pytest.mark.parametrize("delay", [0.0, 0.04, 0.1, 0.15, 0.25, 1.0, 1.5])
def test_delay_rule_lag_against_spike_times(x64, delay):
    """A spike emitted at step m acts at step m + max(1, round(delay/dt)) (core.delays)."""
    pre, post = LIF(1), LIF(1)
    syn = STP(pre, post, bp.connect.All2All(), U=0.4, delay=delay)
    runner = bp.DSRunner(bp.Network(pre=pre, syn=syn, post=post), monitors=["pre.spike", "syn.efficacy"],
                         inputs=[("pre.input", 40.0)], progress_bar=False)
    runner.run(40.0)
    emitted = np.flatnonzero(np.asarray(runner.mon["pre.spike"])[:, 0])
    acted = np.flatnonzero(np.asarray(runner.mon["syn.efficacy"])[:, 0])
    D = delay_steps(delay, 0.1)
    assert D == max(1, int(np.floor(delay / 0.1 + 0.5 + 1e-9))) and syn.delay_steps == D
    np.testing.assert_array_equal(acted, emitted[emitted + D < 400] + D)


@pytest.mark.parametrize("kwargs,exc,match", [
    (dict(model="quantal"), ValueError, "model must be one of"), (dict(model="tm", f=0.2), ValueError, "f is a"),
    (dict(model="markram", tau_psc=3.0), ValueError, "tau_psc is a"), (dict(model="tm", read="after"), ValueError, "read"),
    (dict(model="markram", read="during"), ValueError, "read must be one of"),
    (dict(model="markram", f=1.5), ValueError, "f must lie in"), (dict(model="tm3", tau_psc=-1.0), ValueError, "tau_psc"),
    (dict(model="markram", method="euler"), ValueError, "method must be 'exact'"),
    (dict(model="markram", f="0.1"), TypeError, "f must be"),
])
def test_bad_model_options(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        STP(LIF(2), LIF(2), bp.connect.All2All(), **kwargs)
    with pytest.raises(exc, match=match):
        STPExpon(2, **kwargs)


def test_stp_desc_builds_the_synapse(x64):
    pre, post = LIF(2), LIF(3)
    d = STP.desc(pre, post, bp.connect.All2All(), 0.3, tau_d=90.0, model="markram", f=0.1)
    a, b = d(), d()
    assert isinstance(a, STP) and a is not b and a.num == 6 and a.model == "markram"
    assert float(a.U) == 0.3 and float(a.f) == 0.1 and float(a.tau_d) == 90.0
    assert d.cls is STP
