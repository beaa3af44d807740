"""Bad input to analysis, inputs and core.spike_inputs: each refused with the named exception, naming the parameter.

One row per case: (id, call, exception, the parameter the message must name). ``ValueError``
rows also assert that the error is not a ``TypeError`` (a wrong value, not a wrong kind), so a
value slipping into the wrong class is caught. A few valid edge cases close the file.
"""
from __future__ import annotations

import re

import jax
import numpy as np
import pytest

from stp_brainpy import analysis as an
from stp_brainpy import inputs
from stp_brainpy.core import spike_inputs as si

nan, inf = float("nan"), float("inf")
S = np.zeros(1000)
S[[10, 30, 60, 100]] = 1          # 100 ms at dt = 0.1
G = np.arange(1000.0)
V = np.linspace(-70.0, -50.0, 1000)
KEY = jax.random.key(0)

CASES = [
    # ---------------------------------------------------------------- analysis
    ("rate dt=0", lambda: an.firing_rate(S, 0.0), ValueError, "dt"),
    ("rate dt<0", lambda: an.firing_rate(S, -0.1), ValueError, "dt"),
    ("rate dt nan", lambda: an.firing_rate(S, nan), ValueError, "dt"),
    ("rate dt inf", lambda: an.firing_rate(S, inf), ValueError, "dt"),
    ("rate dt str", lambda: an.firing_rate(S, "0.1"), TypeError, "dt"),
    ("rate dt None", lambda: an.firing_rate(S, None), TypeError, "dt"),
    ("rate t_start<0", lambda: an.firing_rate(S, 0.1, t_start=-1.0), ValueError, "t_start"),
    ("rate t_start=T", lambda: an.firing_rate(S, 0.1, t_start=100.0), ValueError, "t_start"),
    ("rate t_start near T", lambda: an.firing_rate(S, 0.1, t_start=99.97), ValueError, "t_start"),
    ("rate t_start nan", lambda: an.firing_rate(S, 0.1, t_start=nan), ValueError, "t_start"),
    ("rate spike str", lambda: an.firing_rate("abc", 0.1), TypeError, "spike"),
    ("rate spike None", lambda: an.firing_rate(None, 0.1), TypeError, "spike"),
    ("rate spike complex", lambda: an.firing_rate(np.array([1j, 0]), 0.1), TypeError, "spike"),
    ("rate spike 2", lambda: an.firing_rate(np.array([0.0, 2.0, 1.0]), 0.1), ValueError, "spike"),
    ("rate spike nan", lambda: an.firing_rate(np.array([0.0, nan]), 0.1), ValueError, "spike"),
    ("rate spike empty", lambda: an.firing_rate(np.zeros(0), 0.1), ValueError, "spike"),
    ("rate spike scalar", lambda: an.firing_rate(1.0, 0.1), ValueError, "spike"),
    ("count spike str", lambda: an.spike_count("x"), TypeError, "spike"),
    ("count spike 0.5", lambda: an.spike_count(np.array([0.5, 0.0])), ValueError, "spike"),
    ("times max 2.7", lambda: an.spike_times(S, 0.1, 2.7), ValueError, "max_spikes"),
    ("times max 0", lambda: an.spike_times(S, 0.1, 0), ValueError, "max_spikes"),
    ("times max str", lambda: an.spike_times(S, 0.1, "4"), TypeError, "max_spikes"),
    ("times dt 0", lambda: an.spike_times(S, 0.0, 4), ValueError, "dt"),
    ("isis max 1", lambda: an.isis(S, 0.1, 1), ValueError, "max_spikes"),
    ("isis max 3.5", lambda: an.isis(S, 0.1, 3.5), ValueError, "max_spikes"),
    ("isis dt<0", lambda: an.isis(S, -1.0, 4), ValueError, "dt"),
    ("cv dt 0", lambda: an.cv_isi(S, 0.0), ValueError, "dt"),
    ("cv dt str", lambda: an.cv_isi(S, "a"), TypeError, "dt"),
    ("cv min 2.5", lambda: an.cv_isi(S, 0.1, min_spikes=2.5), ValueError, "min_spikes"),
    ("cv min -1", lambda: an.cv_isi(S, 0.1, min_spikes=-1), ValueError, "min_spikes"),
    ("cv empty str", lambda: an.cv_isi(S, 0.1, empty="x"), TypeError, "empty"),
    ("cv spike 3", lambda: an.cv_isi(np.array([[0.0, 3.0]]), 0.1), ValueError, "spike"),
    ("fmp dt 0", lambda: an.fmp_stats(V, dt=0.0), ValueError, "dt"),
    ("fmp t_start<0", lambda: an.fmp_stats(V, t_start=-5.0), ValueError, "t_start"),
    ("fmp t_start past end", lambda: an.fmp_stats(V, t_start=1e6), ValueError, "t_start"),
    ("fmp V str", lambda: an.fmp_stats("V"), TypeError, "V"),
    ("fmp V nan", lambda: an.fmp_stats(np.array([nan, -60.0])), ValueError, "V"),
    ("fmp V scalar", lambda: an.fmp_stats(-60.0), ValueError, "V"),
    ("nth n 0", lambda: an.value_at_nth_spike(G, S, 0), ValueError, "n"),
    ("nth n 2.7", lambda: an.value_at_nth_spike(G, S, 2.7), ValueError, "n"),
    ("nth n str", lambda: an.value_at_nth_spike(G, S, "1"), TypeError, "n"),
    ("nth lengths", lambda: an.value_at_nth_spike(G[:50], S, 1), ValueError, "trace"),
    ("nth trace str", lambda: an.value_at_nth_spike("g", S, 1), TypeError, "trace"),
    ("at spikes max 0", lambda: an.values_at_spikes(G, S, 0), ValueError, "max_spikes"),
    ("at spikes max 1.5", lambda: an.values_at_spikes(G, S, 1.5), ValueError, "max_spikes"),
    ("ratio n 0", lambda: an.nth_to_first_ratio(G, S, 0), ValueError, "n"),
    ("ratio n 10.5", lambda: an.nth_to_first_ratio(G, S, 10.5), ValueError, "n"),
    # ---------------------------------------------------------------- inputs
    ("poisson rate<0", lambda: inputs.poisson_train(-1.0, 2, 100.0), ValueError, "rate"),
    ("poisson rate nan", lambda: inputs.poisson_train(nan, 2, 100.0), ValueError, "rate"),
    ("poisson rate inf", lambda: inputs.poisson_train(inf, 2, 100.0), ValueError, "rate"),
    ("poisson rate str", lambda: inputs.poisson_train("10", 2, 100.0), TypeError, "rate"),
    ("poisson rate·dt>1", lambda: inputs.poisson_train(20000.0, 2, 100.0, 0.1), ValueError, "rate"),
    ("poisson rate shape", lambda: inputs.poisson_train([1.0, 2.0, 3.0], 2, 100.0), ValueError, "rate"),
    ("poisson n 2.7", lambda: inputs.poisson_train(10.0, 2.7, 100.0), ValueError, "n"),
    ("poisson n<0", lambda: inputs.poisson_train(10.0, -1, 100.0), ValueError, "n"),
    ("poisson n str", lambda: inputs.poisson_train(10.0, "2", 100.0), TypeError, "n"),
    ("poisson duration 0", lambda: inputs.poisson_train(10.0, 2, 0.0), ValueError, "duration"),
    ("poisson duration<0", lambda: inputs.poisson_train(10.0, 2, -5.0), ValueError, "duration"),
    ("poisson duration inf", lambda: inputs.poisson_train(10.0, 2, inf), ValueError, "duration"),
    ("poisson duration < step", lambda: inputs.poisson_train(10.0, 2, 0.01, 0.1), ValueError, "duration"),
    ("poisson dt 0", lambda: inputs.poisson_train(10.0, 2, 100.0, dt=0.0), ValueError, "dt"),
    ("poisson dt nan", lambda: inputs.poisson_train(10.0, 2, 100.0, dt=nan), ValueError, "dt"),
    ("poisson seed 2.7", lambda: inputs.poisson_train(10.0, 2, 100.0, seed=2.7), ValueError, "seed"),
    ("poisson seed<0", lambda: inputs.poisson_train(10.0, 2, 100.0, seed=-1), ValueError, "seed"),
    ("poisson seed 2**32", lambda: inputs.poisson_train(10.0, 2, 100.0, seed=2**32), ValueError, "seed"),
    ("poisson seed str", lambda: inputs.poisson_train(10.0, 2, 100.0, seed="0"), TypeError, "seed"),
    ("poisson seed None", lambda: inputs.poisson_train(10.0, 2, 100.0, seed=None), TypeError, "seed"),
    ("regular rate 0", lambda: inputs.regular_train(0.0, 100.0), ValueError, "rate"),
    ("regular rate<0", lambda: inputs.regular_train(-5.0, 100.0), ValueError, "rate"),
    ("regular rate shape", lambda: inputs.regular_train([10.0, 20.0], 100.0), ValueError, "rate"),
    ("regular rate·dt>1", lambda: inputs.regular_train(20000.0, 100.0, 0.1), ValueError, "rate"),
    ("regular n 2.7", lambda: inputs.regular_train(10.0, 100.0, n=2.7), ValueError, "n"),
    ("regular n 0", lambda: inputs.regular_train(10.0, 100.0, n=0), ValueError, "n"),
    ("regular start<0", lambda: inputs.regular_train(10.0, 100.0, start=-1.0), ValueError, "start"),
    ("regular start nan", lambda: inputs.regular_train(10.0, 100.0, start=nan), ValueError, "start"),
    ("regular tutorial str", lambda: inputs.regular_train(10.0, 100.0, tutorial="yes"), TypeError, "tutorial"),
    ("times nan", lambda: inputs.spike_times_train([1.0, nan], 10.0), ValueError, "spike_times"),
    ("times past end", lambda: inputs.spike_times_train([1.0, 20.0], 10.0), ValueError, "spike_times"),
    ("times 2-D", lambda: inputs.spike_times_train([[1.0], [2.0]], 10.0), ValueError, "spike_times"),
    ("times str", lambda: inputs.spike_times_train(["a"], 10.0), TypeError, "spike_times"),
    ("times same step", lambda: inputs.spike_times_train([1.0, 1.01], 10.0, 0.1), ValueError, "spike_times"),
    ("gwn sig<0", lambda: inputs.gaussian_white_noise(0.0, -1.0, 10.0), ValueError, "sig"),
    ("gwn sig nan", lambda: inputs.gaussian_white_noise(0.0, nan, 10.0), ValueError, "sig"),
    ("gwn sig inf", lambda: inputs.gaussian_white_noise(0.0, inf, 10.0), ValueError, "sig"),
    ("gwn mu nan", lambda: inputs.gaussian_white_noise(nan, 1.0, 10.0), ValueError, "mu"),
    ("gwn mu str", lambda: inputs.gaussian_white_noise("0", 1.0, 10.0), TypeError, "mu"),
    ("gwn seed 1.5", lambda: inputs.gaussian_white_noise(0.0, 1.0, 10.0, seed=1.5), ValueError, "seed"),
    ("group train 2", lambda: inputs.SpikeTrainGroup(np.array([0.0, 2.0])), ValueError, "train"),
    ("check_train 0.5", lambda: inputs.check_train("train", [0.0, 0.5]), ValueError, "train"),
    # ---------------------------------------------------------------- core.spike_inputs
    ("isi_steps rate 0", lambda: si.isi_steps(0.0, 0.1), ValueError, "rate"),
    ("isi_steps dt 0", lambda: si.isi_steps(10.0, 0.0), ValueError, "dt"),
    ("isi_steps rate·dt>1", lambda: si.isi_steps(20000.0, 0.1), ValueError, "rate"),
    ("k regular steps 100.5", lambda: si.regular_train(100.5, 10), ValueError, "steps"),
    ("k regular isi 0", lambda: si.regular_train(100, 0), ValueError, "isi"),
    ("k regular isi 2.5", lambda: si.regular_train(100, 2.5), ValueError, "isi"),
    ("k regular first<0", lambda: si.regular_train(100, 10, first=-1), ValueError, "first"),
    ("k poisson n 2.5", lambda: si.poisson_trains(KEY, 10.0, 2.5, 100, 0.1), ValueError, "n"),
    ("k poisson steps 100.5", lambda: si.poisson_trains(KEY, 10.0, 2, 100.5, 0.1), ValueError, "steps"),
    ("k poisson rate<0", lambda: si.poisson_trains(KEY, -1.0, 2, 100, 0.1), ValueError, "rate"),
    ("k poisson dt 0", lambda: si.poisson_trains(KEY, 10.0, 2, 100, 0.0), ValueError, "dt"),
    ("k poisson rate·dt>1", lambda: si.poisson_trains(KEY, 20000.0, 2, 100, 0.1), ValueError, "rate"),
    ("k indices max 2.5", lambda: si.poisson_spike_indices(KEY, 10.0, 2, 100, 0.1, 2.5), ValueError, "max_spikes"),
    ("k indices max<0", lambda: si.poisson_spike_indices(KEY, 10.0, 2, 100, 0.1, -1), ValueError, "max_spikes"),
    ("k sparse n 2.2", lambda: si.poisson_trains_sparse(KEY, 10.0, 2.2, 100, 0.1, 5), ValueError, "n"),
    ("k slots rate<0", lambda: si.sparse_max_spikes(-1.0, 100.0), ValueError, "rate"),
    ("k slots rate nan", lambda: si.sparse_max_spikes(nan, 100.0), ValueError, "rate"),
    ("k slots duration 0", lambda: si.sparse_max_spikes(10.0, 0.0), ValueError, "duration"),
    ("k times steps 10.5", lambda: si.times_to_train([1.0], 10.5, 0.1), ValueError, "steps"),
    ("k times dt 0", lambda: si.times_to_train([1.0], 10, 0.0), ValueError, "dt"),
    ("k times str", lambda: si.times_to_train(["a"], 10, 0.1), TypeError, "spike_times"),
    ("k gwn sig<0", lambda: si.gaussian_white_noise(KEY, 0.0, -1.0, 10, 0.1), ValueError, "sig"),
    ("k gwn dt<0", lambda: si.gaussian_white_noise(KEY, 0.0, 1.0, 10, -0.1), ValueError, "dt"),
    ("k gwn steps 2.5", lambda: si.gaussian_white_noise(KEY, 0.0, 1.0, 2.5, 0.1), ValueError, "steps"),
]


@pytest.mark.parametrize("call, exc, name", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_refused(call, exc, name):
    with pytest.raises(exc) as info:
        call()
    if exc is ValueError:
        assert not isinstance(info.value, TypeError), f"a wrong value must be a ValueError, got {info.value!r}"
    assert re.search(rf"(^|\W){re.escape(name)}\W", str(info.value)), f"message does not name {name}: {info.value}"


def test_enough_cases():
    assert len(CASES) >= 80


def test_valid_edge_cases():
    assert inputs.poisson_train(10.0, 0, 100.0).shape == (0, 1000)                    # no trains: empty
    assert inputs.poisson_train(10.0, 2.0, 100.0).shape == (2, 1000)                  # 2.0 is an integer
    assert float(inputs.poisson_train(0.0, 3, 100.0).sum()) == 0.0                     # rate 0: silent
    with pytest.warns(UserWarning, match="binary"):
        assert float(inputs.poisson_train(10000.0, 1, 1.0, 0.1).sum()) == 10.0        # rate·dt = 1: every step
    assert float(an.firing_rate(np.zeros(10), 0.1)) == 0.0                             # no spikes
    assert float(an.firing_rate(S, 0.1, t_start=99.9)) == 0.0                          # the last sample alone
    assert np.isnan(float(an.cv_isi(np.zeros(10), 0.1)))                               # no ISI: empty
    assert float(an.firing_rate(S.astype(bool), 0.1)) == pytest.approx(40.0)          # bool spikes
    # dense trains drop padding (NaN/inf) in the kernel, as documented
    np.testing.assert_array_equal(np.flatnonzero(si.times_to_train([1.0, nan, inf], 100, 0.1)), [10])
    # traced values are not checked eagerly: the jitted call runs
    assert jax.jit(lambda s: an.firing_rate(s, 0.1))(S).shape == ()
