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
    (dict(tau_f=-1.0), r"tau_f must lie in \[0, inf\] ms; got -1"),
    (dict(tau_d=-3.0), r"tau_d must lie in \(0, inf\] ms"),
    (dict(tau_d=0.0), r"tau_d must lie in \(0, inf\] ms"),
    (dict(dt=np.inf), r"dt must lie in \(0, inf\) ms"),
    (dict(u0=1.5), r"u0 must lie in \[0, 1\]"),
    (dict(x0=-0.1), r"x0 must lie in \[0, 1\]"),
    (dict(dt=0.5, tau_f=0.2, method="euler"), r"dt must be smaller than tau_f for method='euler'"),
    (dict(dt=0.5, tau_d=0.5, method="euler"), r"dt must be smaller than tau_d"),
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
    # limits: no facilitation, no decay, no recovery; Euler ignores tau_f = 0
    assert stp.validate_stp_params(U=1.0, tau_f=0.0, tau_d=np.inf, tau_s=np.inf, dt=0.5, method="euler") == ()


def test_validate_refuses_strings_with_type_error():
    with pytest.raises(TypeError, match="tau_d must be a number"):
        stp.validate_stp_params(U=0.2, tau_f=1.0, tau_d="100")


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


# ---------------------------------------------------------------- issue 8: robust closed forms
def tm_loop(times, U, tau_f, tau_d, u0=0.0, x0=1.0):
    """NumPy loop of GUIDE §2.1 started from (u0, x0) just before the first spike; tau_f = 0: u⁺ = U.

    Recovery written as x·q + (1 - q) with 1 - q = -expm1(-gap/tau_d), the same value as 1 - (1 - x)q but
    without its cancellation when x is tiny (U close to 1 and slow recovery).
    """
    u, x, prev, out = u0, x0, None, []
    for t in np.asarray(times, dtype=float):
        if prev is not None:
            gap = t - prev
            u = 0.0 if tau_f == 0 else u * math.exp(-gap / tau_f)
            x = x * math.exp(-gap / tau_d) - math.expm1(-gap / tau_d)
        elif tau_f == 0:
            u = 0.0
        u = u + U * (1.0 - u)
        out.append((u * x, u, x))
        x -= u * x
        prev = t
    return np.array(out).T


def test_expm1_keeps_tiny_recovery_in_float32():
    """U = 1 empties x at every spike; what comes back is 1 - exp(-20/1e9) = 2e-8, not 0."""
    kw = dict(tau_f=1e-6, tau_d=1e9)
    want = -math.expm1(-20.0 / 1e9)
    assert float(stp.steady_state(1.0, isi=20.0, **kw)[2]) == pytest.approx(want, rel=1e-5)
    assert float(stp.regular_train_efficacies(3, 1.0, isi=20.0, **kw)[0][-1]) == pytest.approx(want, rel=1e-5)
    assert float(stp.event_efficacies(np.array([0.0, 20.0]), 1.0, **kw)[0][1]) == pytest.approx(want, rel=1e-5)
    state, _ = stp.stp_step(stp.rest_state(), 1.0, 1.0, dt=20.0, **kw)
    _, eff = stp.stp_step(state, 1.0, 1.0, dt=20.0, **kw)
    assert float(eff) == pytest.approx(want, rel=1e-5)


def test_steady_state_tiny_U_huge_tau_f_float32():
    U, tau_f, tau_d, isi = 1e-8, 1e9, 200.0, 10.0
    u, x, e = (float(a) for a in stp.steady_state(U, tau_f=tau_f, tau_d=tau_d, isi=isi))
    em = math.expm1(-isi / tau_f)
    u_ref = U / (U - (1 - U) * em)  # float64 closed form
    x_ref = -math.expm1(-isi / tau_d) / (u_ref - (1 - u_ref) * math.expm1(-isi / tau_d))
    assert u == pytest.approx(u_ref, rel=1e-5) and x == pytest.approx(x_ref, rel=1e-5)
    assert e == pytest.approx(u_ref * x_ref, rel=1e-5)
    # the transient too: u⁺ grows by ~U per spike although (1 - U) e^{-isi/tau_f} rounds to 1 in float32
    ref = tm_loop(np.arange(8) * isi, U, tau_f, tau_d)
    for got in (stp.regular_train_efficacies(8, U, tau_f=tau_f, tau_d=tau_d, isi=isi),
                stp.event_efficacies(np.arange(8) * isi, U, tau_f=tau_f, tau_d=tau_d)):
        assert got[0].dtype == np.float32
        np.testing.assert_allclose(np.stack(got), ref, rtol=1e-5)


def test_float32_precision_at_large_times():
    """0.1 ms spacing at t = 1e7 ms: intervals are taken from the float64 input, not from float32 times."""
    times = 1e7 + np.cumsum(np.r_[0.0, np.full(19, 0.1), [3.0, 0.1, 0.2]])
    for U, tau_f, tau_d in SETTINGS.values():
        eff, u_p, x_m = stp.event_efficacies(times, U, tau_f=tau_f, tau_d=tau_d)
        assert eff.dtype == np.float32
        ref = tm_loop(times, U, tau_f, tau_d)
        np.testing.assert_allclose(eff, ref[0], rtol=2e-5)
        np.testing.assert_allclose(u_p, ref[1], rtol=2e-5)


@pytest.mark.parametrize("tau_f, tau_d", [(np.inf, 150.0), (50.0, np.inf), (np.inf, np.inf), (0.0, 150.0),
                                          (0.0, np.inf)])
def test_limits_match_loop(x64, tau_f, tau_d):
    times = np.array([0.0, 4.0, 9.0, 9.0, 30.0, 100.0])
    for U in (0.05, 0.3, 1.0):
        ref = tm_loop(times, U, tau_f, tau_d)
        eff, u_p, x_m = stp.event_efficacies(times, U, tau_f=tau_f, tau_d=tau_d)
        np.testing.assert_allclose(np.stack([eff, u_p, x_m]), ref, rtol=1e-12, atol=1e-300)
        assert np.all(np.isfinite(eff))
        isi = 7.0
        ref_r = tm_loop(np.arange(6) * isi, U, tau_f, tau_d)
        e_r, u_r, x_r = stp.regular_train_efficacies(6, U, tau_f=tau_f, tau_d=tau_d, isi=isi)
        np.testing.assert_allclose(np.stack([e_r, u_r, x_r]), ref_r, rtol=1e-12, atol=1e-300)
        u_inf, x_inf, e_inf = (float(a) for a in stp.steady_state(U, tau_f=tau_f, tau_d=tau_d, isi=isi))
        assert u_inf == pytest.approx(U if tau_f == 0 else 1.0 if tau_f == np.inf else u_inf)
        if tau_d == np.inf:
            assert x_inf == 0.0 and e_inf == 0.0
        long = tm_loop(np.arange(3000) * isi, U, tau_f, tau_d)
        assert long[0, -1] == pytest.approx(e_inf, rel=1e-9, abs=1e-12)


def test_tau_f_zero_means_u_plus_is_U(x64):
    """NEST's tau_fac = 0: u⁺ = U at every spike after the first (which sees u0, tests/core/test_tau_f_zero.py),
    in every function and both stepping methods."""
    times = np.array([0.0, 1.0, 2.5, 40.0])
    _, u_p, _ = stp.event_efficacies(times, 0.4, tau_f=0.0, tau_d=100.0, u0=0.7)
    np.testing.assert_allclose(u_p, [0.7 + 0.4 * 0.3, 0.4, 0.4, 0.4], rtol=1e-15)
    _, u_p, _ = stp.event_efficacies(times, 0.4, tau_f=0.0, tau_d=100.0)
    np.testing.assert_array_equal(u_p, 0.4)
    for method in ("exact", "euler"):
        state = stp.rest_state()
        for s in (1.0, 0.0, 1.0, 1.0):
            state, eff = stp.stp_step(state, s, 0.4, tau_f=0.0, tau_d=100.0, dt=0.5, method=method)
            if s:
                assert float(state.u) == pytest.approx(0.4, rel=1e-15)
    np.testing.assert_allclose(stp.regular_train_efficacies(4, 0.4, tau_f=0.0, tau_d=100.0, isi=5.0)[1], 0.4)


@pytest.mark.parametrize("u0, x0", [(0.0, 1.0), (0.3, 1.0), (0.0, 0.4), (0.6, 0.2), (1.0, 0.0)])
def test_initial_state_matches_loop(x64, u0, x0):
    times = np.array([2.0, 5.0, 11.0, 11.5, 60.0])
    for U, tau_f, tau_d in SETTINGS.values():
        ref = tm_loop(times, U, tau_f, tau_d, u0, x0)
        out = stp.event_efficacies(times, U, tau_f=tau_f, tau_d=tau_d, u0=u0, x0=x0)
        np.testing.assert_allclose(np.stack(out), ref, rtol=1e-12, atol=1e-300)
        reg = stp.regular_train_efficacies(5, U, tau_f=tau_f, tau_d=tau_d, isi=8.0, u0=u0, x0=x0)
        np.testing.assert_allclose(np.stack(reg), tm_loop(np.arange(5) * 8.0, U, tau_f, tau_d, u0, x0),
                                   rtol=1e-12, atol=1e-300)
        assert float(stp.nth_spike_efficacy(5, U, tau_f=tau_f, tau_d=tau_d, isi=8.0, u0=u0, x0=x0)) == \
            pytest.approx(float(reg[0][-1]), rel=1e-15)
    st0 = stp.init_state((3,), u0=u0, x0=x0)
    assert st0.u.shape == (3,) and float(st0.u[0]) == u0 and float(st0.x[0]) == x0
    # the time-stepped update started there: a spike at the first step of dt sees u0, x0 decayed by dt
    state, eff = stp.stp_step(stp.init_state(u0=u0, x0=x0), 1.0, 0.3, tau_f=50.0, tau_d=80.0, dt=0.1)
    u_m, x_m = u0 * math.exp(-0.1 / 50.0), 1 - (1 - x0) * math.exp(-0.1 / 80.0)
    assert float(eff) == pytest.approx((u_m + 0.3 * (1 - u_m)) * x_m, rel=1e-12)


def test_event_efficacies_broadcast_parameter_batch(x64):
    times = np.array([0.0, 10.0, 25.0])
    U = np.array([0.1, 0.5, 0.9])
    eff, _, _ = stp.event_efficacies(times, U, tau_f=100.0, tau_d=np.array([[50.0], [500.0]]))
    assert eff.shape == (2, 3, 3)
    np.testing.assert_allclose(eff[1, 2], tm_loop(times, 0.9, 100.0, 500.0)[0], rtol=1e-12)


def test_euler_refuses_dt_above_tau():
    with pytest.raises(ValueError, match="dt must be smaller than tau_d"):
        stp.stp_step(stp.rest_state(), 1.0, 0.2, tau_f=10.0, tau_d=0.5, dt=1.0, method="euler")
    with pytest.raises(ValueError, match="dt must be smaller than tau"):
        stp.exp_decay_step(0.0, 1.0, 0.05, 0.1, "euler")
    # exact stepping has no such limit
    stp.stp_step(stp.rest_state(), 1.0, 0.2, tau_f=0.01, tau_d=0.5, dt=1.0)


def test_checked_mode_refuses_traced_values():
    from stp_brainpy.core.validation import checked

    f = checked(lambda U, tau_d: stp.steady_state(U, tau_f=100.0, tau_d=tau_d, isi=20.0)[2], jit=True)
    assert np.isfinite(float(f(0.3, 200.0)))
    with pytest.raises(ValueError, match=r"U must lie in \(0, 1\]; got 1.5"):
        f(jnp.asarray(1.5), 200.0)
    with pytest.raises(ValueError, match=r"tau_d must lie in \(0, inf\] ms; got -2"):
        f(0.3, jnp.asarray(-2.0))
    g = checked(jax.vmap(lambda t: stp.event_efficacies(t, 0.2, tau_f=1.0, tau_d=10.0)[0]))
    g(jnp.array([[0.0, 1.0], [0.0, jnp.inf]]))
    with pytest.raises(ValueError, match="spike_times must be sorted"):
        g(jnp.array([[0.0, 1.0], [2.0, 1.0]]))


# ---------------------------------------------------------------- gradients finite everywhere (hypothesis)
taus_f = st.one_of(st.just(0.0), st.just(math.inf), st.floats(1e-4, 1e7))
taus_d = st.one_of(st.just(math.inf), st.floats(1e-4, 1e7))
TIMES = jnp.asarray([0.0, 0.3, 0.3, 5.0, 80.0, 1e4])


@jax.jit
def _grads(U, tau_f, tau_d, isi):
    def ev(U, tau_f, tau_d, isi):
        times = jnp.concatenate([TIMES * isi, jnp.array([jnp.inf])])  # padding does not depend on isi
        return stp.event_efficacies(times, U, tau_f=tau_f, tau_d=tau_d, u0=0.2, x0=0.9)[0].sum()

    def ss(U, tau_f, tau_d, isi):
        return sum(a for a in stp.steady_state(U, tau_f=tau_f, tau_d=tau_d, isi=isi))

    def reg(U, tau_f, tau_d, isi):
        return stp.regular_train_efficacies(5, U, tau_f=tau_f, tau_d=tau_d, isi=isi, u0=0.3)[0].sum()

    def step(U, tau_f, tau_d, dt, method):
        def body(state, s):
            state, e = stp.stp_step(state, s, U, tau_f=tau_f, tau_d=tau_d, dt=dt, method=method)
            return state, e
        return jax.lax.scan(body, stp.rest_state((), U.dtype), jnp.array([1.0, 0.0, 1.0, 1.0]))[1].sum()

    out = [jax.grad(f, argnums=(0, 1, 2, 3))(U, tau_f, tau_d, isi) for f in (ev, ss, reg)]
    out.append(jax.grad(lambda *a: step(*a, "exact"), argnums=(0, 1, 2, 3))(U, tau_f, tau_d, isi))
    # Euler only where it is valid: dt below every non-zero tau
    dt_e = jnp.minimum(isi, 0.5 * jnp.minimum(jnp.where(tau_f > 0, tau_f, jnp.inf), tau_d))
    out.append(jax.grad(lambda *a: step(*a, "euler"), argnums=(0, 1, 2, 3))(U, tau_f, tau_d, dt_e))
    return out


@settings(max_examples=60, deadline=None)
@given(st.floats(1e-6, 1.0), taus_f, taus_d, st.floats(1e-3, 1e4))
def test_gradients_finite_for_every_valid_parameter(U, tau_f, tau_d, isi):
    grads = _grads(*(jnp.asarray(v, jnp.float32) for v in (U, tau_f, tau_d, isi)))
    for g in grads:
        assert all(np.isfinite(np.asarray(c)) for c in g), (grads, U, tau_f, tau_d, isi)


def test_gradients_match_finite_differences(x64):
    times = np.array([0.0, 3.0, 10.0, 10.5, 50.0])

    def f(U, tf, td):
        return (stp.event_efficacies(times, U, tau_f=tf, tau_d=td)[0].sum()
                + stp.steady_state(U, tau_f=tf, tau_d=td, isi=7.0)[2])

    p = np.array([0.3, 40.0, 120.0])
    g = np.array(jax.grad(lambda v: f(*v))(jnp.asarray(p)))
    for i in range(3):
        h = 1e-6 * p[i]
        e = np.zeros(3)
        e[i] = h
        fd = (float(f(*(p + e))) - float(f(*(p - e)))) / (2 * h)
        assert g[i] == pytest.approx(fd, rel=1e-6)
    # the tau -> inf direction: derivative tends to 0 and is exactly 0 at inf
    g_inf = jax.grad(lambda td: stp.event_efficacies(times, 0.3, tau_f=40.0, tau_d=td)[0].sum())(jnp.inf)
    assert float(g_inf) == 0.0


def test_interval_efficacies_equal_event_efficacies_and_keep_precision():
    gaps = np.r_[0.0, np.full(30, 0.1), [5.0, 0.1]]
    times = 1e7 + np.cumsum(gaps)
    for U, tau_f, tau_d in SETTINGS.values():
        ref = tm_loop(times, U, tau_f, tau_d)
        got = stp.interval_efficacies(jnp.asarray(gaps, jnp.float32), U, tau_f=tau_f, tau_d=tau_d)
        np.testing.assert_allclose(np.stack(got), ref, rtol=2e-5)
    # a first interval decays (u0, x0); trailing inf is padding
    e, _, _ = stp.interval_efficacies(np.array([10.0, 5.0, np.inf]), 0.3, tau_f=20.0, tau_d=50.0, u0=0.5, x0=0.5)
    u_m, x_m = 0.5 * math.exp(-0.5), 1 - 0.5 * math.exp(-0.2)
    assert float(e[0]) == pytest.approx((u_m + 0.3 * (1 - u_m)) * x_m, rel=1e-6) and float(e[2]) == 0.0
    for bad, match in (([1.0, -1.0], "intervals must lie in"), ([1.0, np.inf, 2.0], "padding"),
                       ([[1.0]], "1-D"), (["a"], "intervals must be")):
        with pytest.raises((ValueError, TypeError), match=match):
            stp.interval_efficacies(np.array(bad) if bad != ["a"] else bad, 0.3, tau_f=20.0, tau_d=50.0)


def test_module_docstring_example_runs():
    import doctest

    result = doctest.testmod(stp, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_t0_puts_the_initial_state_at_a_time(x64):
    times = np.array([5.0, 9.0, 30.0])
    for U, tau_f, tau_d in SETTINGS.values():
        # (u0, x0) = (0.4, 0.6) at t0 = 0 decays over the 5 ms to the first spike
        u_m, x_m = 0.4 * math.exp(-5.0 / tau_f), 1 - (1 - 0.6) * math.exp(-5.0 / tau_d)
        want = tm_loop(times, U, tau_f, tau_d, u_m, x_m)
        got = stp.event_efficacies(times, U, tau_f=tau_f, tau_d=tau_d, u0=0.4, x0=0.6, t0=0.0)
        np.testing.assert_allclose(np.stack(got), want, rtol=1e-12)
    same = stp.event_efficacies(times, 0.2, tau_f=10.0, tau_d=50.0, t0=5.0)[0]
    np.testing.assert_allclose(same, stp.event_efficacies(times, 0.2, tau_f=10.0, tau_d=50.0)[0], rtol=1e-15)
    with pytest.raises(ValueError, match="t0 must not lie after the first spike"):
        stp.event_efficacies(times, 0.2, tau_f=10.0, tau_d=50.0, t0=6.0)
    with pytest.raises(ValueError, match="t0 must lie in"):
        stp.event_efficacies(times, 0.2, tau_f=10.0, tau_d=50.0, t0=np.nan)


@jax.jit
def _closed_forms_f32(U, tau_f, tau_d, isi):
    return stp.steady_state(U, tau_f=tau_f, tau_d=tau_d, isi=isi), \
        stp.regular_train_efficacies(6, U, tau_f=tau_f, tau_d=tau_d, isi=isi)


@settings(max_examples=60, deadline=None)
@given(st.floats(1e-8, 1.0), st.one_of(st.just(0.0), st.just(math.inf), st.floats(1e-3, 1e9)),
       st.one_of(st.just(math.inf), st.floats(1e-3, 1e9)), st.floats(1e-2, 1e4))
def test_closed_forms_float32_keep_relative_accuracy(U, tau_f, tau_d, isi):
    """float32 closed forms vs the float64 loop / float64 closed form over many decades of parameters."""
    (u, x, e), (eff, u_p, x_m) = _closed_forms_f32(*(jnp.asarray(v, jnp.float32) for v in (U, tau_f, tau_d, isi)))
    U32, tf32, td32, isi32 = (float(np.float32(v)) for v in (U, tau_f, tau_d, isi))  # same inputs in float64
    ref = tm_loop(np.arange(6) * isi32, U32, tf32, td32)
    # a float32 u near 1 carries an absolute error ~6e-8 (its spacing), so x(1 - u) is good to ~1e-7
    # absolute there: that is float32's limit, not the formulas'. Relative accuracy of tiny values where
    # the formulas decide it (expm1, tiny U) is checked by the dedicated tests above.
    np.testing.assert_allclose(np.stack([eff, u_p, x_m]), ref, rtol=1e-4, atol=2e-7)
    em_f = -1.0 if tf32 == 0 else math.expm1(-isi32 / tf32)
    em_d = math.expm1(-isi32 / td32)
    u_ref = U32 / (U32 - (1 - U32) * em_f)
    x_ref = -em_d / (u_ref - (1 - u_ref) * em_d)
    np.testing.assert_allclose([float(u), float(x), float(e)], [u_ref, x_ref, u_ref * x_ref], rtol=1e-4, atol=1e-30)
