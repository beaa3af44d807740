"""The markram form against Brian2 reference data, an independent NumPy transcription and closed forms."""
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

from stp_brainpy.core import markram

REF = Path(__file__).resolve().parents[1] / "reference" / "brian2_markram.json"


def np_markram(times, U, f, tau_f, tau_d, read="before", u0=None, x0=1.0, t0=None):
    """GUIDE §7 written spike by spike in Python floats (srplasticity's recursion for 'before')."""
    u, x = (U if u0 is None else u0), x0
    prev, out = t0, []
    for t in times:
        if prev is not None:
            qf = math.exp(-(t - prev) / tau_f) if tau_f > 0 else 0.0
            u = U + (u - U) * qf
            x = 1.0 - (1.0 - x) * math.exp(-(t - prev) / tau_d)
        u_plus = u + f * (1.0 - u)
        e = (u if read == "before" else u_plus) * x
        out.append(e)
        x -= e
        u = u_plus
        prev = t
    return np.array(out)


def test_matches_brian2_reference_float64(x64):
    data = json.loads(REF.read_text())
    assert data["meta"]["brian2"] and data["meta"]["script"].endswith("make_brian2_reference.py")
    cases = data["markram"]
    assert len(cases) >= 40 and {c["read"] for c in cases} == {"before", "after"}
    for c in cases:
        p = c["params"]
        eff, _, _ = markram.event_efficacies(np.array(c["spike_times"]), p["U"], f=p["f"], tau_f=p["tau_f"],
                                             tau_d=p["tau_d"], u0=p["u0"], x0=p["x0"], t0=0.0, read=c["read"])
        np.testing.assert_allclose(np.asarray(eff), c["efficacies"], rtol=0, atol=1e-12)


@pytest.mark.parametrize("read", ["before", "after"])
def test_matches_numpy_transcription_on_irregular_trains(x64, read):
    rng = np.random.default_rng(1)
    for _ in range(10):
        t = np.cumsum(rng.exponential(30.0, 30))
        U, f = rng.uniform(0.05, 1.0), rng.uniform(0.0, 1.0)
        tau_f, tau_d = np.exp(rng.uniform(0, 8, 2))
        eff, _, _ = markram.event_efficacies(t, U, f=f, tau_f=tau_f, tau_d=tau_d, read=read)
        np.testing.assert_allclose(np.asarray(eff), np_markram(t, U, f, tau_f, tau_d, read), rtol=1e-12, atol=0)


def test_first_spike_and_f_defaults_to_U(x64):
    t = jnp.array([5.0, 25.0])
    before = markram.event_efficacies(t, 0.3, tau_f=100.0, tau_d=200.0)[0]
    after = markram.event_efficacies(t, 0.3, tau_f=100.0, tau_d=200.0, read="after")[0]
    assert float(before[0]) == pytest.approx(0.3, abs=1e-15)
    assert float(after[0]) == pytest.approx(0.3 + 0.3 * 0.7, abs=1e-15)  # Mongillo et al. 2008, f = U
    explicit = markram.event_efficacies(t, 0.3, f=0.3, tau_f=100.0, tau_d=200.0)[0]
    np.testing.assert_array_equal(np.asarray(before), np.asarray(explicit))


@pytest.mark.parametrize("read", ["before", "after"])
@pytest.mark.parametrize("U,f,tau_f,tau_d,isi", [
    (0.2, 0.2, 1500.0, 200.0, 20.0), (0.5, 0.1, 50.0, 800.0, 5.0), (0.05, 0.6, 0.0, 30.0, 10.0),
    (0.3, 0.0, math.inf, 100.0, 25.0), (1.0, 0.4, 10.0, math.inf, 3.0), (0.1, 0.0, 200.0, 50.0, 40.0)])
def test_steady_state_closed_form(x64, read, U, f, tau_f, tau_d, isi):
    t = np.arange(3000) * isi
    eff, u_used, x_m = markram.event_efficacies(t, U, f=f, tau_f=tau_f, tau_d=tau_d, read=read)
    u_inf, x_inf, e_inf = markram.steady_state(U, f=f, tau_f=tau_f, tau_d=tau_d, isi=isi, read=read)
    np.testing.assert_allclose([u_inf, x_inf, e_inf], [u_used[-1], x_m[-1], eff[-1]], rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("read", ["before", "after"])
def test_time_stepped_equals_event_driven_for_every_dt(x64, read):
    p = markram.make_params(0.25, f=0.15, tau_f=80.0, tau_d=120.0)
    steps_ms = np.array([1.0, 3.5, 4.0, 12.5, 30.0, 30.5, 90.0])
    for dt in (0.05, 0.1, 0.25, 0.5):
        n = int(round(100.0 / dt))
        idx = np.rint(steps_ms / dt).astype(int)
        train = np.zeros(n)
        train[idx] = 1.0
        init = markram.MarkramState(jnp.asarray(0.6), jnp.asarray(0.7))  # off rest: decays from t = 0

        def body(state, s, dt=dt):
            return markram.step(state, s, p, dt, read=read)

        _, eff = jax.lax.scan(body, init, jnp.asarray(train))
        ref = np_markram((idx + 1) * dt, *p, read=read, u0=0.6, x0=0.7, t0=0.0)
        np.testing.assert_allclose(np.asarray(eff)[idx], ref, rtol=1e-12, atol=0)
        assert np.all(np.asarray(eff)[train == 0] == 0)


def test_vmap_and_broadcast_over_parameters(x64):
    t = jnp.cumsum(jnp.full(12, 15.0))
    U = jnp.array([0.1, 0.4, 0.9])
    tau_f = jnp.array([10.0, 300.0, 0.0])
    fn = jax.vmap(lambda u, tf: markram.event_efficacies(t, u, tau_f=tf, tau_d=150.0)[0])
    batched = markram.event_efficacies(t, U, tau_f=tau_f, tau_d=150.0)[0]
    assert batched.shape == (3, 12)
    np.testing.assert_allclose(np.asarray(fn(U, tau_f)), np.asarray(batched), rtol=1e-14)
    for i in range(3):
        np.testing.assert_allclose(np.asarray(batched[i]),
                                   np_markram(np.asarray(t), float(U[i]), float(U[i]), float(tau_f[i]), 150.0))


def test_inf_padding_ignored(x64):
    t = np.array([0.0, 10.0, 30.0])
    padded = np.concatenate([t, [np.inf, np.inf]])
    a = markram.event_efficacies(t, 0.3, tau_f=50.0, tau_d=100.0)[0]
    b = markram.event_efficacies(padded, 0.3, tau_f=50.0, tau_d=100.0)[0]
    np.testing.assert_array_equal(np.asarray(b[:3]), np.asarray(a))
    assert np.all(np.asarray(b[3:]) == 0)
    jitted = jax.jit(lambda tt: markram.event_efficacies(tt, 0.3, tau_f=50.0, tau_d=100.0)[0])(padded)
    np.testing.assert_allclose(np.asarray(jitted), np.asarray(b), rtol=1e-14)


def test_float32_times_relative_to_first_spike():
    t64 = 1e7 + np.array([0.0, 0.1, 0.2, 0.5])
    e32 = np.asarray(markram.event_efficacies(t64, 0.3, tau_f=1.0, tau_d=0.5)[0])
    ref = np_markram(t64 - 1e7, 0.3, 0.3, 1.0, 0.5)
    np.testing.assert_allclose(e32, ref, rtol=1e-5)


_grad = jax.jit(jax.grad(lambda p, t: jnp.sum(markram.event_efficacies(t, p[0], f=p[1], tau_f=p[2], tau_d=p[3])[0]
                                              + markram.steady_state(p[0], f=p[1], tau_f=p[2], tau_d=p[3],
                                                                     isi=7.0)[2])))
_tau = st.one_of(st.sampled_from([1e-200, 1e-30, 1e-6, 1e12, 1e200, math.inf]), st.floats(1e-3, 1e5))


@settings(max_examples=int(os.environ.get('STP_HYPOTHESIS_EXAMPLES', 40)), deadline=None)
@given(U=st.floats(1e-9, 1.0), f=st.floats(0.0, 1.0), tau_f=st.one_of(st.just(0.0), _tau), tau_d=_tau)
def test_gradients_finite_for_every_valid_parameter(U, f, tau_f, tau_d):
    jax.config.update("jax_enable_x64", True)
    try:
        t = jnp.array([0.0, 0.0, 3.0, 10.0, 1e4])
        g = _grad(jnp.array([U, f, tau_f, tau_d]), t)
        assert np.all(np.isfinite(np.asarray(g))), (U, f, tau_f, tau_d, g)
    finally:
        jax.config.update("jax_enable_x64", False)


@pytest.mark.parametrize("kwargs,exc,match", [
    (dict(U=1.5), ValueError, r"U must lie in \(0, 1\]; got 1.5"),
    (dict(U=0.0), ValueError, "U must lie in"),
    (dict(U=float("nan")), ValueError, "U must lie in"),
    (dict(f=1.2), ValueError, r"f must lie in \[0, 1\]"),
    (dict(tau_f=-1.0), ValueError, "tau_f must lie in"),
    (dict(tau_d=0.0), ValueError, r"tau_d must lie in \(0, inf\]"),
    (dict(u0=1.2), ValueError, "u0 must lie in"),
    (dict(x0=-0.1), ValueError, "x0 must lie in"),
    (dict(read="middle"), ValueError, "read must be one of"),
    (dict(U="0.2"), TypeError, "U must be a"),
    (dict(tau_d=1j), TypeError, "tau_d must be a"),
    (dict(tau_f=None), TypeError, "tau_f must be a"),
])
def test_bad_parameters_refused(kwargs, exc, match):
    args = dict(U=0.2, tau_f=100.0, tau_d=100.0) | kwargs
    with pytest.raises(exc, match=match):
        markram.event_efficacies(np.array([0.0, 1.0]), args.pop("U"), **args)


@pytest.mark.parametrize("times,match", [([2.0, 1.0], "sorted"), ([[0.0, 1.0]], "1-D"), ([0.0, np.nan], "NaN"),
                                         ([0.0, np.inf, 3.0], "padding")])
def test_bad_spike_trains_refused(times, match):
    with pytest.raises(ValueError, match=match):
        markram.event_efficacies(np.array(times), 0.2, tau_f=10.0, tau_d=10.0)


def test_bad_step_and_steady_state_inputs_refused():
    p = markram.make_params(0.2)
    state = markram.rest_state(p)
    with pytest.raises(ValueError, match="dt must lie in"):
        markram.step(state, 1.0, p, 0.0)
    with pytest.raises(ValueError, match="isi must lie in"):
        markram.steady_state(0.2, tau_f=10.0, tau_d=10.0, isi=-1.0)
    with pytest.raises(ValueError, match="U must lie in"):
        markram.make_params(2.0)
