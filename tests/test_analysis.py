"""Spike statistics against hand-computed cases; jit and vmap."""
from __future__ import annotations

import numpy as np
import pytest

import jax
import jax.numpy as jnp

from stp_brainpy import analysis as an
from stp_brainpy import inputs


def test_rate_isi_cv_hand_cases():
    s = np.zeros(1000)
    s[[10, 30, 60, 100]] = 1  # ISIs 2, 3, 4 ms at dt 0.1
    assert float(an.firing_rate(s, 0.1)) == pytest.approx(40.)  # 4 spikes / 100 ms
    times, n = an.spike_times(s, 0.1, 6)
    np.testing.assert_allclose(times[:4], [1., 3., 6., 10.])
    assert np.isnan(times[4:]).all() and int(n) == 4
    isi = an.isis(s, 0.1, 6)
    np.testing.assert_allclose(isi[:3], [2., 3., 4.])
    ref = np.std([2., 3., 4.]) / np.mean([2., 3., 4.])
    assert float(an.cv_isi(s, 0.1)) == pytest.approx(ref, abs=1e-6)
    assert np.isnan(float(an.cv_isi(s, 0.1, min_spikes=5)))
    assert float(an.cv_isi(s, 0.1, min_spikes=5, empty=0.)) == 0.


def test_cv_regular_is_zero_and_poisson_is_one():
    reg = inputs.regular_train(25., 2000., 0.1)
    assert float(an.cv_isi(reg, 0.1)) == pytest.approx(0., abs=1e-6)
    poi = inputs.poisson_train(20., 20, 20000., 0.1, seed=0)
    cv = np.asarray(an.cv_isi(poi, 0.1))  # batched over trains
    assert cv.shape == (20,)
    # Bernoulli-per-step intervals are geometric: CV = sqrt(1 - p) ≈ 1; 400 ISIs each → SE ≈ 0.05
    assert abs(cv.mean() - np.sqrt(1 - 0.002)) < 0.03


def test_values_at_spikes_and_ratio():
    s = np.zeros(100)
    s[[5, 20, 50]] = 1
    g = np.arange(100.)
    assert float(an.value_at_nth_spike(g, s, 2)) == 20.
    assert np.isnan(float(an.value_at_nth_spike(g, s, 4)))
    np.testing.assert_allclose(an.values_at_spikes(g, s, 4), [5., 20., 50., np.nan])
    assert float(an.nth_to_first_ratio(g, s, 3)) == 10.
    with pytest.raises(ValueError, match="n must"):
        an.value_at_nth_spike(g, s, 0)


def test_fmp_stats_and_jit_vmap():
    V = jnp.stack([jnp.full(100, -60.), jnp.linspace(-70., -50., 100)])
    m, sd = an.fmp_stats(V)
    np.testing.assert_allclose(m, [-60., -60.], atol=1e-5)
    np.testing.assert_allclose(sd, [0., np.std(np.linspace(-70., -50., 100))], atol=1e-4)
    spikes = inputs.poisson_train(50., 8, 500., 0.1, seed=1)
    f = jax.jit(jax.vmap(lambda s: (an.firing_rate(s, 0.1), an.cv_isi(s, 0.1), an.spike_times(s, 0.1, 64)[0])))
    r, cv, t = f(spikes)
    np.testing.assert_allclose(r, np.asarray(spikes).sum(1) / 0.5)
    assert t.shape == (8, 64)
