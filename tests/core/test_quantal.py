"""Quantal release against NEST 3.10 ``quantal_stp_synapse`` statistics, closed forms and the tm model."""
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

from stp_brainpy.core import quantal
from tm_reference import tm_efficacies

REF = Path(__file__).resolve().parents[1] / "reference" / "nest_quantal.json"


def sample(t, U, tau_f, tau_d, n, trials, seed=0, **kw):
    keys = jax.random.split(jax.random.key(seed), trials)
    run = jax.vmap(lambda k: quantal.event_efficacies(t, U, tau_f=tau_f, tau_d=tau_d, n=n, key=k, **kw)[0])
    return np.asarray(run(keys))


def var_se(w):
    """Standard error of the sample variance, from the fourth central moment."""
    N = w.shape[0]
    v = w.var(0, ddof=1)
    m4 = ((w - w.mean(0)) ** 4).mean(0)
    return np.sqrt(np.maximum(m4 - v ** 2 * (N - 3) / (N - 1), 0.0) / N)


def nest_cases():
    data = json.loads(REF.read_text())
    assert data["meta"]["nest"] == "3.10.0" and data["meta"]["synapses_per_set"] >= 2000
    return data["quantal_stp_synapse"]


@pytest.mark.slow
def test_mean_and_variance_match_nest_within_4_standard_errors(x64):
    used = 0
    for c in nest_cases():
        s = c["status"]
        if s["u"] != s["U"]:  # NEST's u != U has no core spelling; tests/test_nest.py covers it
            continue
        used += 1
        N = c["trials"]
        w = s["weight"] * sample(np.array(c["spike_times"]), s["U"], s["tau_fac"], s["tau_rec"], s["n"], N,
                                 a0=s["a"], seed=used)
        m_nest, v_nest = np.array(c["mean"]), np.array(c["var"])
        se_nest_var = np.sqrt(np.maximum(np.array(c["m4"]) - v_nest ** 2 * (N - 3) / (N - 1), 0) / N)
        se_mean = np.sqrt(w.var(0, ddof=1) / N + v_nest / N) + 1e-12
        assert np.all(np.abs(w.mean(0) - m_nest) <= 4 * se_mean)
        se_var = np.sqrt(var_se(w) ** 2 + se_nest_var ** 2) + 1e-12
        assert np.all(np.abs(w.var(0, ddof=1) - v_nest) <= 4 * se_var)
        exact = np.asarray(quantal.mean_efficacies(np.array(c["spike_times"]), s["U"], tau_f=s["tau_fac"],
                                                   tau_d=s["tau_rec"], n=s["n"], a0=s["a"], weight=s["weight"])[0])
        assert np.all(np.abs(exact - m_nest) <= 4 * np.sqrt(v_nest / N) + 1e-12)
    assert used >= 2


def test_exact_mean_is_n_times_the_tm_efficacy(x64):
    rng = np.random.default_rng(5)
    for n in (1, 3, 7):
        t = np.cumsum(rng.exponential(20.0, 20))
        U, tau_f, tau_d = rng.uniform(0.05, 1), *np.exp(rng.uniform(0, 7, 2))
        mean, _, x = quantal.mean_efficacies(t, U, tau_f=tau_f, tau_d=tau_d, n=n, weight=0.5)
        np.testing.assert_allclose(np.asarray(mean), 0.5 * n * tm_efficacies(t, U, tau_f, tau_d), rtol=1e-12)


@pytest.mark.slow
def test_sample_mean_converges_to_the_deterministic_efficacy(x64):
    t = np.arange(8) * 15.0
    U, tau_f, tau_d, n = 0.4, 80.0, 120.0, 3
    tm = tm_efficacies(t, U, tau_f, tau_d)
    errors = []
    for trials in (200, 2000, 20000):
        w = sample(t, U, tau_f, tau_d, n, trials, seed=trials, weight=1.0 / n)
        err = np.abs(w.mean(0) - tm)
        assert np.all(err <= 4 * np.sqrt(w.var(0, ddof=1) / trials) + 1e-12)
        errors.append(err.max())
    assert errors[-1] < 0.01 and errors[-1] < errors[0]


def test_first_spike_is_binomial_n_U(x64):
    w = sample(np.array([5.0, 6.0]), 0.3, 50.0, 100.0, 5, 20000, seed=1)[:, 0]
    assert abs(w.mean() - 1.5) <= 4 * math.sqrt(5 * 0.3 * 0.7 / 20000)
    assert abs(w.var() - 1.05) <= 4 * 0.015  # SE of the variance of Binomial(5, 0.3) at N = 2e4 is ~0.011
    assert set(np.unique(w)) <= set(range(6))


def test_steady_state_mean_closed_form(x64):
    t = np.arange(3000) * 10.0
    mean = quantal.mean_efficacies(t, 0.2, tau_f=300.0, tau_d=80.0, n=4)[0]
    u, x, e = quantal.steady_state(0.2, tau_f=300.0, tau_d=80.0, isi=10.0, n=4)
    assert float(e) == pytest.approx(float(mean[-1]), rel=1e-10)
    assert float(e) == pytest.approx(4 * float(u) * float(x), rel=1e-14)


@pytest.mark.slow
def test_time_stepped_distribution_independent_of_dt(x64):
    spikes_ms = np.array([1.0, 5.0, 5.5, 20.0, 40.0])
    U, tau_f, tau_d, n, trials = 0.35, 30.0, 25.0, 4, 4000
    exact = np.asarray(quantal.mean_efficacies(spikes_ms, U, tau_f=tau_f, tau_d=tau_d, n=n)[0])
    p = quantal.make_params(U, tau_f=tau_f, tau_d=tau_d)
    for dt in (0.1, 0.5):
        steps = int(round(45.0 / dt))
        idx = np.rint(spikes_ms / dt).astype(int) - 1  # the step ending at the spike
        train = np.zeros(steps)
        train[idx] = 1.0

        def trial(key, dt=dt, train=train, steps=steps):
            def body(state, inp, dt=dt):
                s, k = inp
                return quantal.step(state, s, p, dt, key=k, n=n)

            _, rel = jax.lax.scan(body, quantal.rest_state(n), (jnp.asarray(train), jax.random.split(key, steps)))
            return rel

        rel = np.asarray(jax.jit(jax.vmap(trial))(jax.random.split(jax.random.key(7), trials)))
        assert np.all(rel[:, train == 0] == 0)
        got = rel[:, idx]
        assert np.all(np.abs(got.mean(0) - exact) <= 4 * np.sqrt(got.var(0, ddof=1) / trials) + 1e-12)


@pytest.mark.slow
def test_vmap_over_seeds_and_parameters(x64):
    t = jnp.arange(6) * 10.0
    keys = jax.random.split(jax.random.key(3), 4)
    same = [np.asarray(quantal.event_releases(t, 0.5, tau_f=0.0, tau_d=50.0, n=6, key=keys[0])[0]) for _ in range(2)]
    np.testing.assert_array_equal(*same)
    many = jax.vmap(lambda k: quantal.event_releases(t, 0.5, tau_f=0.0, tau_d=50.0, n=6, key=k)[0])(keys)
    assert many.shape == (4, 6) and len({tuple(r) for r in np.asarray(many).tolist()}) > 1
    U = jnp.array([0.1, 0.5, 0.9])
    by_param = jax.vmap(lambda u: quantal.event_releases(t, u, tau_f=0.0, tau_d=50.0, n=6, key=keys[1])[0])(U)
    for i in range(3):
        one = quantal.event_releases(t, float(U[i]), tau_f=0.0, tau_d=50.0, n=6, key=keys[1])[0]
        np.testing.assert_array_equal(np.asarray(by_param[i]), np.asarray(one))


def test_inf_padding_releases_nothing(x64):
    rel = quantal.event_releases(np.array([0.0, 5.0, np.inf]), 0.9, tau_f=0.0, tau_d=5.0, n=3, key=jax.random.key(0))[0]
    assert int(rel[2]) == 0


_grad = jax.jit(jax.grad(lambda p, t: jnp.sum(quantal.mean_efficacies(t, p[0], tau_f=p[1], tau_d=p[2], n=3)[0])))
_tau = st.one_of(st.sampled_from([1e-200, 1e-30, 1e-6, 1e12, 1e200, math.inf]), st.floats(1e-3, 1e5))


@settings(max_examples=int(os.environ.get('STP_HYPOTHESIS_EXAMPLES', 25)), deadline=None)
@given(U=st.floats(1e-9, 1.0), tau_f=st.one_of(st.just(0.0), _tau), tau_d=_tau)
def test_mean_gradients_finite(U, tau_f, tau_d):
    jax.config.update("jax_enable_x64", True)
    try:
        g = _grad(jnp.array([U, tau_f, tau_d]), jnp.array([0.0, 0.0, 2.0, 1e4]))
        assert np.all(np.isfinite(np.asarray(g)))
    finally:
        jax.config.update("jax_enable_x64", False)


@pytest.mark.parametrize("kwargs,exc,match", [
    (dict(n=2.7), ValueError, "n must be an integer; got 2.7"),
    (dict(n=0), ValueError, "n must be an integer >= 1"),
    (dict(n="5"), TypeError, "n must be an integer"),
    (dict(key=0), TypeError, "key must be a JAX PRNG key"),
    (dict(key=None), TypeError, "key must be a JAX PRNG key"),
    (dict(a0=7), ValueError, r"a0 must lie in \[0, n\]"),
    (dict(a0=1.5), ValueError, "a0 must be an integer"),
    (dict(U=1.01), ValueError, "U must lie in"),
    (dict(tau_d=-5.0), ValueError, "tau_d must lie in"),
    (dict(weight=float("nan")), ValueError, "weight must lie in"),
    (dict(u0=2.0), ValueError, "u0 must lie in"),
])
def test_bad_inputs_refused(kwargs, exc, match):
    args = dict(U=0.2, tau_f=10.0, tau_d=10.0, n=5, key=jax.random.key(0)) | kwargs
    with pytest.raises(exc, match=match):
        quantal.event_efficacies(np.array([0.0, 1.0]), args.pop("U"), **args)


@pytest.mark.parametrize("n,trials,p", [(5, 5, 0.3), (5, 3, 0.9), (12, 12, 0.5), (32, 20, 0.02), (40, 33, 0.7),
                                        (5, 0, 0.4), (5, 4, 1.0), (5, 4, 0.0)])
def test_binomial_counts_have_the_binomial_pmf(n, trials, p):
    from stp_brainpy.core.quantal import _binomial, _draw_shape

    N = 100_000
    draws = jax.random.uniform(jax.random.key(n + trials), (N, *_draw_shape((), n)))
    k = np.asarray(jax.vmap(lambda d: _binomial(d, jnp.asarray(trials), jnp.asarray(p, jnp.float32), n))(draws))
    assert k.min() >= 0 and k.max() <= trials
    freq = np.bincount(k, minlength=trials + 1) / N
    pmf = np.array([math.comb(trials, j) * p ** j * (1 - p) ** (trials - j) for j in range(trials + 1)])
    assert np.all(np.abs(freq - pmf) <= 4 * np.sqrt(pmf * (1 - pmf) / N) + 1e-12)


def test_uniforms_are_uniform_independent_of_batching_and_fall_back_for_other_keys():
    from stp_brainpy.core.quantal import _uniforms

    N = 200_000
    u = np.asarray(_uniforms(jax.random.key(11), (N,), jnp.float32))
    assert u.dtype == np.float32 and u.min() >= 0.0 and u.max() < 1.0
    freq = np.bincount((u * 50).astype(int), minlength=50) / N
    assert np.all(np.abs(freq - 0.02) <= 4 * np.sqrt(0.02 * 0.98 / N))
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) <= 4 / np.sqrt(N)  # the two halves of a block included
    halves = u[: N // 2], u[N // 2:]
    assert abs(np.corrcoef(*halves)[0, 1]) <= 4 / np.sqrt(N / 2)
    # one trial per key, the same under vmap as alone; legacy uint32 keys give the typed key's draws
    batched = np.asarray(jax.vmap(lambda s: _uniforms(jax.random.key(s), (3, 7), jnp.float32))(jnp.arange(4)))
    for s in range(4):
        np.testing.assert_array_equal(batched[s], np.asarray(_uniforms(jax.random.key(s), (3, 7), jnp.float32)))
    np.testing.assert_array_equal(np.asarray(_uniforms(jax.random.PRNGKey(2), (3, 7), jnp.float32)), batched[2])
    assert len({tuple(r) for r in batched[:, 0].tolist()}) == 4
    rbg = jax.random.key(1, impl="rbg")
    np.testing.assert_array_equal(np.asarray(_uniforms(rbg, (9,), jnp.float32)),
                                  np.asarray(jax.random.uniform(rbg, (9,), jnp.float32)))


def test_float64_uniforms_have_52_bits(x64):
    from stp_brainpy.core.quantal import _uniforms

    d = np.asarray(_uniforms(jax.random.key(4), (50_000,), jnp.float64))
    assert d.dtype == np.float64 and d.min() >= 0.0 and d.max() < 1.0
    assert abs(d.mean() - 0.5) <= 4 * np.sqrt(1 / 12 / d.size)
    assert np.any((d * 2.0 ** 40) % 1.0 != 0.0)  # finer than float32's 2**-23 grid
