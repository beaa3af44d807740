"""Honest uncertainty: 95 % intervals cover the truth in 90–99 % of 200 simulated experiments."""
from __future__ import annotations

import numpy as np
import pytest

from stp_brainpy.fitting import fit
from stp_brainpy.fitting.batch import fit_batch

from .synth import mean_response

TRUE = dict(U=0.3, tau_f=200.0, tau_d=300.0)
PROT = {"20Hz": np.arange(8) * 50.0, "50Hz": np.arange(8) * 20.0, "burst": np.array([0, 6, 96.9, 109.4, 135, 144.0])}
D, TRIALS, SIGMA = 200, 30, 0.15


def _experiments(seed=1):
    rng = np.random.default_rng(seed)
    means = mean_response("tm", TRUE, amplitude=2.0, protocols=PROT)
    return {k: m[None, None] + SIGMA * rng.standard_normal((D, TRIALS, m.size)) for k, m in means.items()}


@pytest.mark.slow
@pytest.mark.parametrize("loss", ["sse", "equal"])
def test_laplace_and_bootstrap_intervals_cover(x64, loss):
    y = _experiments()
    r = fit_batch(PROT, y, model="tm", loss=loss, n_starts=8)
    assert r.converged.all() and not r.at_bound.any() and not r.flat.any()
    truth = dict(TRUE, amplitude=2.0)
    for k in r.names:
        cover = np.mean(np.abs(r.params[k] - truth[k]) <= 1.96 * r.stderr[k])
        assert 0.90 <= cover <= 0.99, (k, cover)
    if loss == "sse":
        b = r.bootstrap(n_boot=200, seed=2)
        for k in r.names:
            lo, hi = b["interval"][k]
            cover = np.mean((lo <= truth[k]) & (truth[k] <= hi))
            assert 0.90 <= cover <= 0.99, ("bootstrap", k, cover)
            # the bootstrap spread agrees with the Laplace error on average
            assert np.median(b["stderr"][k] / r.stderr[k]) == pytest.approx(1.0, abs=0.25), k


@pytest.mark.slow
def test_single_fit_bootstrap_and_profile_agree_with_laplace(x64):
    y = {k: v[0] for k, v in _experiments(seed=5).items()}
    r = fit(PROT, y, model="tm", n_starts=16)
    b = r.bootstrap(n_boot=200, seed=0)
    assert b["converged"] > 0.95
    for k in r.names:
        assert b["stderr"][k] == pytest.approx(r.stderr[k], rel=0.3), k
    for name in ("tau_f", "tau_d"):
        p = r.profile(name)
        lo, hi = p["interval"]
        llo, lhi = r.interval()[name]
        assert lo < r.params[name] < hi
        assert (hi - lo) == pytest.approx(lhi - llo, rel=0.3), name  # near-quadratic likelihood here
        assert p["deviance"].min() == pytest.approx(0.0, abs=1e-6)


@pytest.mark.slow
def test_batch_equals_one_by_one(x64):
    y = {k: v[:3, :10] for k, v in _experiments(seed=7).items()}
    r = fit_batch(PROT, y, model="tm", n_starts=8)
    for d in range(3):
        one = fit(PROT, {k: v[d] for k, v in y.items()}, model="tm", n_starts=8)
        assert r.loss[d] == pytest.approx(one.loss, rel=1e-9)
        for k in r.names:
            assert r.params[k][d] == pytest.approx(one.params[k], rel=1e-6)
            assert r.stderr[k][d] == pytest.approx(one.stderr[k], rel=1e-5)
