"""Input trains and noise: conventions, reproducibility, Poisson statistics, validation."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import brainpy as bp

from stp_brainpy import inputs


def test_regular_train_conventions():
    tut = np.asarray(inputs.regular_train(20., 500., 0.1, tutorial=True))
    np.testing.assert_array_equal(np.flatnonzero(tut), np.arange(0, 5000, 500))  # train[::isi] = 1
    reg = np.asarray(inputs.regular_train(20., 500., 0.1))
    np.testing.assert_array_equal(np.flatnonzero(reg), np.arange(500, 5000, 500))  # first at one ISI
    odd = np.asarray(inputs.regular_train(15., 300., 0.1, tutorial=True))
    assert np.flatnonzero(odd)[1] == int((1e3 / 15.) / 0.1) == 666  # tutorial truncation
    assert inputs.regular_train(20., 100., 0.1, n=3).shape == (3, 1000)


def test_poisson_rate_within_three_standard_errors_and_seeding():
    rate, n, T, dt = 15., 200, 5000., 0.1
    tr = np.asarray(inputs.poisson_train(rate, n, T, dt, seed=7))
    assert set(np.unique(tr)) <= {0., 1.}
    p = rate * dt / 1000.
    count = tr.sum()
    N = tr.size
    se = np.sqrt(N * p * (1 - p))
    assert abs(count - N * p) < 3 * se
    np.testing.assert_array_equal(tr, np.asarray(inputs.poisson_train(rate, n, T, dt, seed=7)))
    assert not np.array_equal(tr, np.asarray(inputs.poisson_train(rate, n, T, dt, seed=8)))
    per_train = np.asarray(inputs.poisson_train(np.array([0., 50.]), 2, 1000., dt, seed=1))
    assert per_train[0].sum() == 0 and per_train[1].sum() > 0


def test_spike_times_and_noise():
    tr = np.asarray(inputs.spike_times_train([0., 1.23, 50.], 100., 0.1))
    np.testing.assert_array_equal(np.flatnonzero(tr), [0, 12, 500])
    I = np.asarray(inputs.gaussian_white_noise(10., 2., 20000., 0.1, seed=3))
    assert I.shape == (200000,)
    assert abs(I.mean() - 10.) < 5 * 2. / np.sqrt(1e-4) / np.sqrt(I.size)
    np.testing.assert_allclose(I.std(), 2. / np.sqrt(0.1 / 1000.), rtol=0.01)  # the tutorial's scaling
    np.testing.assert_array_equal(I, np.asarray(inputs.gaussian_white_noise(10., 2., 20000., 0.1, seed=3)))


def test_spike_train_group_replays_train():
    train = np.asarray(inputs.poisson_train(40., 5, 50., 0.1, seed=2))
    g = inputs.SpikeTrainGroup(train)
    runner = bp.DSRunner(g, monitors=['spike'], progress_bar=False)
    runner.run(60.)  # past the end: silent
    np.testing.assert_array_equal(runner.mon['spike'][:500].T, train.astype(bool))
    assert not runner.mon['spike'][500:].any()
    g2 = inputs.SpikeTrainGroup.from_times([[1., 2.], [3.]], 10.)
    assert g2.train.shape == (2, 100) and int(g2.train.sum()) == 3
    assert inputs.SpikeTrainGroup.regular(100., 20., tutorial=True).train.sum() == 2


def test_bad_inputs():
    with pytest.raises(ValueError, match="rate"):
        inputs.poisson_train(-1., 2, 100.)
    with pytest.raises(ValueError, match="one spike per step"):
        inputs.poisson_train(20000., 2, 100., 0.1)
    with pytest.warns(UserWarning, match="binary"):
        inputs.poisson_train(2000., 2, 100., 0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        inputs.poisson_train(1000., 2, 100., 0.1)  # p = 0.1: at the bound, no warning
    with pytest.raises(ValueError, match="rate"):
        inputs.regular_train(0., 100.)
    with pytest.raises(ValueError, match="distinct steps"):
        inputs.spike_times_train([1.0, 1.01], 10., 0.1)
    with pytest.raises(ValueError, match="spike_times"):
        inputs.spike_times_train([-1.0], 10., 0.1)
    with pytest.raises(ValueError, match="binary"):
        inputs.check_train("train", np.array([0., 2., 1.]))
    with pytest.raises(ValueError, match="dt"):
        inputs.poisson_train(10., 2, 100., dt=0.)
    with pytest.raises(ValueError, match="sig"):
        inputs.gaussian_white_noise(0., -1., 10.)


def test_sparse_poisson_same_law_as_dense():
    import jax

    from stp_brainpy.core.spike_inputs import poisson_trains_sparse, sparse_max_spikes

    rate, n, steps, dt = 40., 200, 5000, 0.1
    tr = np.asarray(poisson_trains_sparse(jax.random.key(0), rate, n, steps, dt, sparse_max_spikes(rate, 500.)))
    assert set(np.unique(tr)) <= {0., 1.}
    p = rate * dt / 1000.
    se = np.sqrt(tr.size * p * (1 - p))
    assert abs(tr.sum() - tr.size * p) < 3 * se
    first = np.argmax(tr, axis=1)  # P(first spike at 0) = p, mean index (1-p)/p
    assert abs(first.mean() - (1 - p) / p) < 3 * np.sqrt((1 - p)) / p / np.sqrt(n)
    assert np.asarray(poisson_trains_sparse(jax.random.key(0), 0., 3, 100, dt, 10)).sum() == 0
