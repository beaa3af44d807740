"""Leave-one-protocol-out CV in one call equals refitting without each protocol; model comparison."""
from __future__ import annotations

import numpy as np
import pytest

from stp_brainpy.fitting import fit
from stp_brainpy.fitting.crossval import compare, cross_validate

from .synth import PROTOCOLS, mean_response, noisy

TRUE = dict(U=0.2, f=0.4, tau_f=150.0, tau_d=400.0)


@pytest.mark.slow
def test_each_fold_equals_a_fit_without_its_protocol(x64):
    y = noisy(mean_response("markram", TRUE), 8, 0.05, np.random.default_rng(4))
    cv = cross_validate(PROTOCOLS, y, model="markram", n_starts=16)
    assert cv["converged"].all() and cv["protocols"] == tuple(PROTOCOLS)
    for f, held in enumerate(PROTOCOLS):
        keep = [p for p in PROTOCOLS if p != held]
        r = fit({p: PROTOCOLS[p] for p in keep}, {p: y[p] for p in keep}, model="markram", n_starts=16)
        for k in r.names:
            assert cv["params"][k][f] == pytest.approx(r.params[k], rel=1e-6), (held, k)
        pred = r.predict({held: PROTOCOLS[held]})[held]
        assert cv["test_mse"][f] == pytest.approx(np.nanmean((y[held] - pred) ** 2), rel=1e-6)
        train = np.mean([np.nanmean((y[p] - r.predict(PROTOCOLS[p])) ** 2) for p in keep])
        assert cv["train_mse"][f] == pytest.approx(train, rel=1e-6)
    assert cv["cv"] == pytest.approx(np.mean(cv["test_mse"]))


@pytest.mark.slow
def test_comparison_prefers_the_generating_variant(x64):
    y = noisy(mean_response("markram", TRUE), 20, 0.05, np.random.default_rng(5))
    rows = compare(PROTOCOLS, y, models=("tm", "markram"), n_starts=16)
    assert [r["model"] for r in rows] == ["markram", "tm"]
    best, other = rows
    assert best["delta_aic"] == 0 and other["delta_aic"] > 10 and best["bic"] < other["bic"]
    assert best["cv"] < other["cv"] and best["k"] == 5 and other["k"] == 4
    assert best["aic"] == pytest.approx(best["result"].n_observations * np.log(best["sse"] / best["result"].n_observations) + 10)
