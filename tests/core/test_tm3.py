"""The three-state model against NEST 3.10 ``tsodyks_synapse`` output, a NumPy transcription and closed forms."""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stp_brainpy.core import tm3
from tm_reference import np_tsodyks, tm_efficacies

REF = Path(__file__).resolve().parents[1] / "reference" / "nest_tsodyks.json"


def test_matches_nest_tsodyks_synapse_float64(x64):
    data = json.loads(REF.read_text())
    assert data["meta"]["nest"] == "3.10.0"
    cases = data["tsodyks_synapse"]
    assert len({json.dumps(c["params"], sort_keys=True) for c in cases}) >= 20
    assert {c["train"] for c in cases} == {"regular", "poisson"}
    for c in cases:
        s = c["status"]
        eff, *_ = tm3.event_efficacies(np.array(c["spike_times"]), s["U"], tau_f=s["tau_fac"], tau_d=s["tau_rec"],
                                       tau_psc=s["tau_psc"], u0=s["u"], x0=s["x"], y0=s["y"], t0=0.0)
        np.testing.assert_allclose(s["weight"] * np.asarray(eff), c["weights"], rtol=0, atol=1e-12)


def test_matches_transcription_including_tau_psc_equal_tau_d(x64):
    rng = np.random.default_rng(3)
    for k in range(12):
        t = np.cumsum(rng.exponential(15.0, 25))
        U = rng.uniform(0.05, 1.0)
        tau_f = 0.0 if k % 3 == 0 else float(np.exp(rng.uniform(0, 7)))
        tau_d = float(np.exp(rng.uniform(0, 7)))
        tau_psc = tau_d if k % 2 else float(np.exp(rng.uniform(-1, 4)))
        eff, *_ = tm3.event_efficacies(t, U, tau_f=tau_f, tau_d=tau_d, tau_psc=tau_psc, t0=0.0)
        ref = np_tsodyks(t, U, tau_f, tau_d, tau_psc)
        np.testing.assert_allclose(np.asarray(eff), ref, rtol=1e-12, atol=0)


def test_tau_psc_equal_tau_d_is_continuous(x64):
    t = np.arange(20) * 7.0
    at = np.asarray(tm3.event_efficacies(t, 0.4, tau_f=30.0, tau_d=20.0, tau_psc=20.0)[0])
    for eps in (1e-4, -1e-4, 1e-7):
        near = np.asarray(tm3.event_efficacies(t, 0.4, tau_f=30.0, tau_d=20.0, tau_psc=20.0 * (1 + eps))[0])
        np.testing.assert_allclose(near, at, rtol=0, atol=20 * abs(eps))


def test_tau_psc_zero_is_the_tm_model(x64):
    rng = np.random.default_rng(4)
    for _ in range(5):
        t = np.cumsum(rng.exponential(20.0, 30))
        U, tau_f, tau_d = rng.uniform(0.05, 1), *np.exp(rng.uniform(0, 7, 2))
        eff, *_ = tm3.event_efficacies(t, U, tau_f=tau_f, tau_d=tau_d, tau_psc=0.0)
        np.testing.assert_allclose(np.asarray(eff), tm_efficacies(t, U, tau_f, tau_d), rtol=1e-12, atol=0)


@pytest.mark.parametrize("U,tau_f,tau_d,tau_psc,isi", [
    (0.5, 0.0, 800.0, 3.0, 10.0), (0.2, 1500.0, 200.0, 8.0, 20.0), (0.3, 50.0, 20.0, 20.0, 5.0),
    (0.7, 10.0, 100.0, 0.0, 25.0), (0.1, 300.0, 30.0, 400.0, 15.0), (1.0, 5.0, math.inf, 2.0, 10.0),
    (0.4, math.inf, 50.0, math.inf, 10.0)])
def test_steady_state_closed_form(x64, U, tau_f, tau_d, tau_psc, isi):
    t = np.arange(4000) * isi
    eff, u, x, y = tm3.event_efficacies(t, U, tau_f=tau_f, tau_d=tau_d, tau_psc=tau_psc)
    ss = tm3.steady_state(U, tau_f=tau_f, tau_d=tau_d, tau_psc=tau_psc, isi=isi)
    np.testing.assert_allclose(np.array(ss), [u[-1], x[-1], y[-1], eff[-1]], rtol=1e-9, atol=1e-9)


def test_time_stepped_equals_event_driven_for_every_dt(x64):
    p = tm3.make_params(0.3, tau_f=60.0, tau_d=80.0, tau_psc=5.0)
    spikes_ms = np.array([2.0, 4.5, 5.0, 20.0, 21.0, 60.0, 95.0])
    for dt in (0.05, 0.1, 0.25, 0.5):
        n = int(round(100.0 / dt))
        idx = np.rint(spikes_ms / dt).astype(int)
        train = np.zeros(n)
        train[idx] = 1.0
        init = tm3.rest_state(u0=0.2, x0=0.6, y0=0.3)  # off rest: decays from t = 0

        def body(state, s, dt=dt):
            new, eff = tm3.step(state, s, p, dt)
            return new, (eff, new.y)

        _, (eff, y) = jax.lax.scan(body, init, jnp.asarray(train))
        ref = np_tsodyks((idx + 1) * dt, *p, u0=0.2, x0=0.6, y0=0.3)
        np.testing.assert_allclose(np.asarray(eff)[idx], ref, rtol=1e-12, atol=0)
        # between spikes y (the current shape) decays with tau_psc
        k = idx[-1]
        np.testing.assert_allclose(np.asarray(y)[k + 1:k + 4], np.asarray(y)[k] * np.exp(-dt * np.arange(1, 4) / 5.0),
                                   rtol=1e-12)


def test_vmap_and_broadcast_over_parameters(x64):
    t = jnp.arange(10) * 12.0
    tau_psc = jnp.array([0.0, 3.0, 50.0, 100.0])
    batched = tm3.event_efficacies(t, 0.3, tau_f=100.0, tau_d=50.0, tau_psc=tau_psc)[0]
    assert batched.shape == (4, 10)
    mapped = jax.vmap(lambda tp: tm3.event_efficacies(t, 0.3, tau_f=100.0, tau_d=50.0, tau_psc=tp)[0])(tau_psc)
    np.testing.assert_allclose(np.asarray(mapped), np.asarray(batched), rtol=1e-14)
    np.testing.assert_allclose(np.asarray(batched[3]), np_tsodyks(np.asarray(t), 0.3, 100.0, 50.0, 100.0, t0=0.0),
                               rtol=1e-12)


def test_inf_padding_ignored(x64):
    t = np.array([1.0, 4.0, 9.0])
    a = tm3.event_efficacies(t, 0.3, tau_f=50.0, tau_d=100.0, tau_psc=3.0)[0]
    b = tm3.event_efficacies(np.r_[t, np.inf], 0.3, tau_f=50.0, tau_d=100.0, tau_psc=3.0)[0]
    np.testing.assert_array_equal(np.asarray(b), np.r_[np.asarray(a), 0.0])


_grad = jax.jit(jax.grad(lambda p, t: jnp.sum(
    tm3.event_efficacies(t, p[0], tau_f=p[1], tau_d=p[2], tau_psc=p[3])[0]
    + tm3.steady_state(p[0], tau_f=p[1], tau_d=p[2], tau_psc=p[3], isi=5.0)[3])))
_tau = st.one_of(st.sampled_from([1e-200, 1e-30, 1e-6, 1e12, 1e200, math.inf, 20.0]), st.floats(1e-3, 1e5))


@settings(max_examples=int(os.environ.get('STP_HYPOTHESIS_EXAMPLES', 40)), deadline=None)
@given(U=st.floats(1e-9, 1.0), tau_f=st.one_of(st.just(0.0), _tau), tau_d=_tau,
       tau_psc=st.one_of(st.just(0.0), _tau))
def test_gradients_finite_for_every_valid_parameter(U, tau_f, tau_d, tau_psc):
    jax.config.update("jax_enable_x64", True)
    try:
        t = jnp.array([0.0, 0.0, 3.0, 10.0, 1e4])
        g = _grad(jnp.array([U, tau_f, tau_d, tau_psc]), t)
        assert np.all(np.isfinite(np.asarray(g))), (U, tau_f, tau_d, tau_psc, g)
    finally:
        jax.config.update("jax_enable_x64", False)


def test_gradient_at_tau_psc_equal_tau_d_matches_finite_difference(x64):
    t = jnp.arange(8) * 6.0
    fn = lambda tp: jnp.sum(tm3.event_efficacies(t, 0.4, tau_f=20.0, tau_d=15.0, tau_psc=tp)[0])
    g = float(jax.grad(fn)(15.0))
    fd = (float(fn(15.0 + 1e-5)) - float(fn(15.0 - 1e-5))) / 2e-5
    assert g == pytest.approx(fd, rel=1e-6)


@pytest.mark.parametrize("kwargs,exc,match", [
    (dict(U=0.0), ValueError, r"U must lie in \(0, 1\]; got 0"),
    (dict(tau_psc=-1.0), ValueError, r"tau_psc must lie in \[0, inf\]"),
    (dict(tau_d=0.0), ValueError, "tau_d must lie in"),
    (dict(tau_f=float("nan")), ValueError, "tau_f must lie in"),
    (dict(x0=0.8, y0=0.5), ValueError, "x0 \\+ y0 must lie in"),
    (dict(y0=1.5), ValueError, "y0 must lie in"),
    (dict(tau_psc="3"), TypeError, "tau_psc must be a"),
    (dict(U=None), TypeError, "U must be a"),
])
def test_bad_parameters_refused(kwargs, exc, match):
    args = dict(U=0.2, tau_f=100.0, tau_d=100.0, tau_psc=3.0) | kwargs
    with pytest.raises(exc, match=match):
        tm3.event_efficacies(np.array([0.0, 1.0]), args.pop("U"), **args)


def test_bad_step_inputs_refused():
    p = tm3.make_params()
    with pytest.raises(ValueError, match="dt must lie in"):
        tm3.step(tm3.rest_state(), 1.0, p, -0.1)
    with pytest.raises(ValueError, match="t0 must not lie after the first spike"):
        tm3.event_efficacies(np.array([1.0]), 0.2, tau_f=1.0, tau_d=1.0, tau_psc=1.0, t0=2.0)
