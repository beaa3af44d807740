"""The TM core against closed forms and an independent NumPy transcription of GUIDE §2.1/§2.2."""
from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stp_brainpy.core import stp
from neuromatch_reference import np_dynamic_syn as ref_dynamic_syn  # the tutorial's dynamic_syn
from tm_reference import tm_efficacies as ref_event_driven


# ---------------------------------------------------------------- independent references (NumPy, float64)


def simulate_steps(train, U, tau_f, tau_d, tau_s, A, dt, method):
    """Drive stp_step/exp_decay_step with a spike train; return u, x, I, efficacy per step."""

    def body(carry, s):
        state, I = carry
        state, eff = stp.stp_step(state, s, U, tau_f=tau_f, tau_d=tau_d, dt=dt, method=method)
        I = stp.exp_decay_step(I, A * eff, tau_s, dt, method)
        return (state, I), (state.u, state.x, I, eff)

    dtype = jnp.result_type(float)
    init = (stp.rest_state((), dtype), jnp.zeros((), dtype))
    _, out = jax.lax.scan(body, init, jnp.asarray(train, dtype))
    return [np.asarray(a) for a in out]


SETTINGS = {  # the homework's eight settings
    "STD": (0.2, 2.0, 150.0), "STF": (0.1, 100.0, 10.0),
    "U1": (0.05, 2.0, 150.0), "U2": (0.8, 2.0, 150.0),
    "tau_d1": (0.2, 2.0, 1.0), "tau_d2": (0.2, 2.0, 600.0),
    "tau_f1": (0.2, 0.5, 150.0), "tau_f2": (0.2, 100.0, 150.0),
}


# ---------------------------------------------------------------- exact method
@pytest.mark.parametrize("dt", [0.01, 0.05, 0.1])
def test_exact_steps_match_event_reference_float64(x64, dt):
    rng = np.random.default_rng(0)
    n = int(round(150.0 / dt))
    steps = np.sort(rng.choice(np.arange(1, n), size=12, replace=False))
    train = np.zeros(n)
    train[steps] = 1
    for U, tau_f, tau_d in SETTINGS.values():
        *_, eff = simulate_steps(train, U, tau_f, tau_d, 8.0, 1.0, dt, "exact")
        ref = ref_event_driven(steps * dt, U, tau_f, tau_d)
        np.testing.assert_allclose(eff[steps], ref, rtol=1e-12, atol=0)
        assert np.all(eff[train == 0] == 0)


def test_exact_steps_float32_within_1e5_relative():
    dt = 0.01
    n = 15000
    steps = np.arange(100, n, 1433)
    train = np.zeros(n)
    train[steps] = 1
    for U, tau_f, tau_d in SETTINGS.values():
        *_, eff = simulate_steps(train, U, tau_f, tau_d, 8.0, 1.0, dt, "exact")
        assert eff.dtype == np.float32
        np.testing.assert_allclose(eff[steps], ref_event_driven(steps * dt, U, tau_f, tau_d), rtol=1e-5)


def test_current_trace_is_sum_of_exponentials(x64):
    dt, tau_s, A = 0.1, 8.0, 2.5
    train = np.zeros(800)
    steps = np.array([50, 130, 190, 420])
    train[steps] = 1
    u, x, I, eff = simulate_steps(train, 0.3, 50.0, 120.0, tau_s, A, dt, "exact")
    t = np.arange(800) * dt
    e = ref_event_driven(steps * dt, 0.3, 50.0, 120.0)
    ref = sum(A * ek * np.exp(-(t - tk) / tau_s) * (t >= tk) for ek, tk in zip(e, steps * dt))
    np.testing.assert_allclose(I, ref, rtol=1e-12, atol=1e-300)


def test_event_efficacies_match_reference_and_ignore_padding(x64):
    times = np.array([3.0, 7.5, 8.0, 30.0, 31.2, 90.0])
    for U, tau_f, tau_d in SETTINGS.values():
        eff, u_p, x_m = stp.event_efficacies(jnp.asarray(times), U, tau_f=tau_f, tau_d=tau_d)
        np.testing.assert_allclose(eff, ref_event_driven(times, U, tau_f, tau_d), rtol=1e-13)
        np.testing.assert_allclose(eff, u_p * x_m, rtol=1e-15)
    padded = np.concatenate([times, [np.inf, np.inf]])
    eff_p, _, _ = stp.event_efficacies(jnp.asarray(padded), 0.2, tau_f=2.0, tau_d=150.0)
    np.testing.assert_allclose(eff_p[:6], ref_event_driven(times, 0.2, 2.0, 150.0), rtol=1e-13)
    assert np.all(np.asarray(eff_p[6:]) == 0)


def test_event_efficacies_vmap_over_parameters(x64):
    times = jnp.arange(10) * 25.0
    U = jnp.array([0.1, 0.5, 0.9])
    tf = jnp.array([10.0, 300.0, 2.0])
    td = jnp.array([100.0, 5.0, 800.0])
    eff = jax.vmap(lambda a, b, c: stp.event_efficacies(times, a, tau_f=b, tau_d=c)[0])(U, tf, td)
    for i in range(3):
        np.testing.assert_allclose(eff[i], ref_event_driven(np.asarray(times), float(U[i]), float(tf[i]), float(td[i])),
                                   rtol=1e-13)


# ---------------------------------------------------------------- closed forms
@pytest.mark.parametrize("name", list(SETTINGS))
def test_regular_train_efficacies_equal_spike_by_spike(x64, name):
    U, tau_f, tau_d = SETTINGS[name]
    isi = 15.2
    eff, u_p, x_m = stp.regular_train_efficacies(25, U, tau_f=tau_f, tau_d=tau_d, isi=isi)
    np.testing.assert_allclose(eff, ref_event_driven(np.arange(25) * isi, U, tau_f, tau_d), rtol=1e-12)


def test_steady_state_is_fixed_point_and_limit(x64):
    for U, tau_f, tau_d in SETTINGS.values():
        for isi in (5.0, 20.0, 100.0):
            u_inf, x_inf, e_inf = stp.steady_state(U, tau_f=tau_f, tau_d=tau_d, isi=isi)
            # fixed point of the spike-to-spike map
            u_next = float(u_inf) * math.exp(-isi / tau_f)
            u_next += U * (1 - u_next)
            x_next = 1 - (1 - float(x_inf) * (1 - float(u_inf))) * math.exp(-isi / tau_d)
            assert u_next == pytest.approx(float(u_inf), rel=1e-12)
            assert x_next == pytest.approx(float(x_inf), rel=1e-12)
            long = ref_event_driven(np.arange(4000) * isi, U, tau_f, tau_d)
            assert long[-1] == pytest.approx(float(e_inf), rel=1e-9)


def test_nth_spike_efficacy(x64):
    ref = ref_event_driven(np.arange(10) * 20.0, 0.2, 750.0, 100.0)
    assert float(stp.nth_spike_efficacy(1, 0.2, tau_f=750.0, tau_d=100.0, isi=20.0)) == pytest.approx(0.2, rel=1e-14)
    assert float(stp.nth_spike_efficacy(10, 0.2, tau_f=750.0, tau_d=100.0, isi=20.0)) == pytest.approx(ref[9], rel=1e-12)
    with pytest.raises(ValueError, match="n must be"):
        stp.nth_spike_efficacy(0, 0.2, tau_f=750.0, tau_d=100.0, isi=20.0)


def test_closed_forms_broadcast_over_batch(x64):
    U = np.array([0.1, 0.5])[:, None]
    isi = np.array([10.0, 50.0, 100.0])[None, :]
    eff, _, _ = stp.regular_train_efficacies(4, U, tau_f=100.0, tau_d=200.0, isi=isi)
    assert eff.shape == (2, 3, 4)
    np.testing.assert_allclose(eff[1, 2], ref_event_driven(np.arange(4) * 100.0, 0.5, 100.0, 200.0), rtol=1e-12)


# ---------------------------------------------------------------- euler method = tutorial
def test_euler_equals_tutorial_dynamic_syn(x64):
    dt = 0.1
    rng = np.random.default_rng(3)
    train = (rng.random(6000) < 30 * dt / 1000).astype(float)
    train[0] = 1.0  # the tutorial never reads index 0
    u, x, g, _ = simulate_steps(train[1:], 0.5, 50.0, 100.0, 5.0, 1.2, dt, "euler")
    ru, rR, rg = ref_dynamic_syn(1.2, 5.0, 0.5, 100.0, 50.0, train, dt)
    np.testing.assert_allclose(u, ru[1:], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(x, rR[1:], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(g, rg[1:], rtol=1e-12, atol=1e-15)


def test_unknown_method_raises():
    with pytest.raises(ValueError, match="method"):
        stp.stp_step(stp.rest_state(), 1.0, 0.2, tau_f=1.0, tau_d=1.0, dt=0.1, method="rk4")
    with pytest.raises(ValueError, match="method"):
        stp.exp_decay_step(0.0, 0.0, 1.0, 0.1, "rk4")


# ---------------------------------------------------------------- validation
@pytest.mark.parametrize("kwargs, match", [
    (dict(U=0.0), r"U must lie in \(0, 1\]"),
    (dict(U=1.5), r"U must lie in \(0, 1\]"),
    (dict(U=np.array([0.2, -0.1])), r"U must lie in \(0, 1\]; got -0.1"),
    (dict(tau_f=0.0), r"tau_f must lie in \(0, inf\) ms"),
    (dict(tau_d=-3.0), r"tau_d must lie in \(0, inf\) ms"),
    (dict(tau_s=np.nan), r"tau_s must lie in"),
    (dict(dt=0.0), r"dt must lie in \(0, inf\) ms"),
    (dict(method="rk4"), r"method must be one of \('exact', 'euler'\)"),
    (dict(U=np.full(3, 0.2), tau_d=np.full(4, 100.0)), r"do not broadcast.*U\[3\].*tau_d\[4\]"),
])
def test_validate_rejects_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        stp.validate_stp_params(**kwargs)


def test_validate_accepts_batches_and_returns_shape():
    assert stp.validate_stp_params(U=np.full((5, 1), 0.3), tau_f=np.ones(4), tau_d=100.0, dt=0.1) == (5, 4)
    assert stp.validate_stp_params(U=1.0, tau_f=1.0, tau_d=1.0) == ()


# ---------------------------------------------------------------- invariants (hypothesis)
params = st.tuples(
    st.floats(1e-3, 1.0),  # U
    st.floats(0.05, 5000.0),  # tau_f
    st.floats(0.05, 5000.0),  # tau_d
    st.floats(0.01, 1.0),  # dt
)


@settings(max_examples=40, deadline=None)
@given(params, st.lists(st.booleans(), min_size=1, max_size=300), st.sampled_from(["exact", "euler"]))
def test_invariants_of_time_stepping(p, spikes, method):
    U, tau_f, tau_d, dt = p
    if method == "euler":  # forward Euler is only stable (and the tutorial only valid) for dt < tau
        tau_f, tau_d = max(tau_f, 2 * dt), max(tau_d, 2 * dt)
    train = np.array(spikes, dtype=np.float32)
    u, x, I, eff = simulate_steps(train, U, tau_f, tau_d, 5.0, 1.0, dt, method)
    tol = 1e-6
    assert np.all((u >= -tol) & (u <= 1 + tol))
    assert np.all((x >= -tol) & (x <= 1 + tol))
    assert np.all(I >= -tol)
    x_before = np.concatenate([[1.0], x[:-1]])
    if method == "exact":
        x_before = 1 - (1 - x_before) * np.exp(-dt / tau_d)
    assert np.all(eff <= x_before + tol)
    assert np.all(eff >= 0)


@settings(max_examples=40, deadline=None)
@given(st.floats(1e-3, 1.0), st.floats(0.05, 5000.0), st.floats(0.05, 5000.0),
       st.lists(st.floats(0.01, 500.0), min_size=1, max_size=40))
def test_invariants_of_event_driven(U, tau_f, tau_d, gaps):
    times = np.cumsum(gaps)
    eff, u_p, x_m = (np.asarray(a) for a in stp.event_efficacies(jnp.asarray(times), U, tau_f=tau_f, tau_d=tau_d))
    assert np.all((u_p >= U * (1 - 1e-6)) & (u_p <= 1 + 1e-6))
    assert np.all((x_m >= 0) & (x_m <= 1 + 1e-6))
    assert np.all(eff <= x_m + 1e-6)


@settings(max_examples=30, deadline=None)
@given(st.floats(0.01, 0.9), st.floats(1.0, 2000.0), st.floats(1.0, 2000.0), st.floats(2.0, 200.0))
def test_steady_state_monotone_in_rate_for_depression(U, tau_f, tau_d, isi):
    """Faster trains never leave more resources: x⁻∞ increases with the interval."""
    x1 = float(stp.steady_state(U, tau_f=tau_f, tau_d=tau_d, isi=isi)[1])
    x2 = float(stp.steady_state(U, tau_f=tau_f, tau_d=tau_d, isi=isi * 1.5)[1])
    assert x2 >= x1 - 1e-6
