"""``stp_brainpy.nest.efficacies`` against the weights NEST 3.10 delivered (tests/reference/*.json)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from stp_brainpy import nest

REF = Path(__file__).resolve().parent / "reference"


def _split(params):
    p = dict(params)
    return p.pop("weight", 1.0), p


@pytest.mark.parametrize("model", ["tsodyks2_synapse", "tsodyks_synapse"])
def test_deterministic_synapses_match_nest_to_1e12(x64, model):
    data = json.loads((REF / "nest_tsodyks.json").read_text())
    assert data["meta"]["nest"] == "3.10.0"
    cases = data[model]
    assert len({json.dumps(c["params"], sort_keys=True) for c in cases}) >= 20
    assert {c["train"] for c in cases} == {"regular", "poisson"}
    for c in cases:
        weight, params = _split(c["params"])  # the parameters exactly as given to NEST: NEST's defaults apply
        w = nest.efficacies(model, c["spike_times"], weight=weight, **params)
        assert w.shape == (len(c["spike_times"]),)
        np.testing.assert_allclose(np.asarray(w), c["weights"], rtol=0, atol=1e-12)


def test_nest_defaults_are_nest_s(x64):
    # tsodyks2: u stays at its default 0.5 when only U is set (the first spike releases 0.5, not U)
    assert float(nest.efficacies("tsodyks2_synapse", [1.0], U=0.2)[0]) == pytest.approx(0.5)
    # tsodyks: u rests at 0, so the first spike releases U
    assert float(nest.efficacies("tsodyks_synapse", [1.0], U=0.2)[0]) == pytest.approx(0.2)
    assert nest.DEFAULTS["quantal_stp_synapse"]["a"] == 1


@pytest.mark.slow
def test_quantal_mean_and_variance_match_nest_within_4_standard_errors(x64):
    data = json.loads((REF / "nest_quantal.json").read_text())
    cases = data["quantal_stp_synapse"]
    assert len(cases) >= 3 and data["meta"]["synapses_per_set"] >= 2000
    for i, c in enumerate(cases):
        weight, params = _split(c["params"])
        N = c["trials"]
        w = np.asarray(nest.efficacies("quantal_stp_synapse", c["spike_times"], weight=weight, seed=100 + i,
                                       trials=N, **params))
        assert w.shape == (N, len(c["spike_times"]))
        m, v, m4 = (np.array(c[k]) for k in ("mean", "var", "m4"))
        se_mean = np.sqrt(v / N + w.var(0, ddof=1) / N) + 1e-12
        assert np.all(np.abs(w.mean(0) - m) <= 4 * se_mean), i
        se_v = lambda var, fourth, N=N: np.sqrt(np.maximum(fourth - var ** 2 * (N - 3) / (N - 1), 0) / N)
        ours_m4 = ((w - w.mean(0)) ** 4).mean(0)
        se_var = np.sqrt(se_v(v, m4) ** 2 + se_v(w.var(0, ddof=1), ours_m4) ** 2) + 1e-12
        assert np.all(np.abs(w.var(0, ddof=1) - v) <= 4 * se_var), i


@pytest.mark.slow
def test_quantal_shapes_seeds_and_per_site_weight(x64):
    t = [1.0, 11.0, 21.0]
    one = nest.efficacies("quantal_stp_synapse", t, n=5, a=5, weight=2.0, seed=1)
    assert one.shape == (3,) and set(np.asarray(one).tolist()) <= {2.0 * k for k in range(6)}
    again = nest.efficacies("quantal_stp_synapse", t, n=5, a=5, weight=2.0, seed=1)
    np.testing.assert_array_equal(np.asarray(one), np.asarray(again))
    many = nest.efficacies("quantal_stp_synapse", t, n=5, a=5, seed=1, trials=2000)
    assert many.shape == (2000, 3)
    assert float(many[:, 0].mean()) == pytest.approx(2.5, abs=4 * np.sqrt(5 * 0.25 / 2000))  # per site, not /n


@pytest.mark.parametrize("call,exc,match", [
    (lambda: nest.efficacies("tsodyks3_synapse", [1.0]), ValueError,
     r"synapse_model must be one of \('tsodyks2_synapse', 'tsodyks_synapse', 'quantal_stp_synapse'\)"),
    (lambda: nest.efficacies("tsodyks2_synapse", [1.0], tau_psc=3.0), ValueError,
     r"unknown parameter\(s\) \['tau_psc'\] for tsodyks2_synapse; accepted: \('U', 'u', 'x', 'tau_rec', 'tau_fac'\)"),
    (lambda: nest.efficacies("tsodyks_synapse", [1.0], tau_d=3.0), ValueError, "accepted: .*'tau_psc'"),
    (lambda: nest.efficacies("tsodyks2_synapse", [1.0], U=1.5), ValueError, r"U must lie in \[0, 1\]; got 1.5"),
    (lambda: nest.efficacies("tsodyks2_synapse", [1.0], tau_rec=0.0), ValueError, "tau_rec must lie in"),
    (lambda: nest.efficacies("tsodyks_synapse", [1.0], tau_fac=-1.0), ValueError, "tau_fac must lie in"),
    (lambda: nest.efficacies("tsodyks_synapse", [1.0], tau_psc=0.0), ValueError, "tau_psc must lie in"),
    (lambda: nest.efficacies("tsodyks_synapse", [1.0], x=0.7, y=0.5), ValueError, "x \\+ y must be <= 1"),
    (lambda: nest.efficacies("tsodyks2_synapse", [1.0], u="a"), TypeError, "u must be a"),
    (lambda: nest.efficacies("tsodyks2_synapse", [1.0], weight=float("nan")), ValueError, "weight must lie in"),
    (lambda: nest.efficacies("tsodyks2_synapse", [-1.0, 2.0]), ValueError, "spike_times must be >= 0"),
    (lambda: nest.efficacies("tsodyks2_synapse", [2.0, 1.0]), ValueError, "sorted"),
    (lambda: nest.efficacies("tsodyks2_synapse", [1.0], trials=10), ValueError, "quantal_stp_synapse only"),
    (lambda: nest.efficacies("quantal_stp_synapse", [1.0], n=2.7, a=1), ValueError, "n must be an integer"),
    (lambda: nest.efficacies("quantal_stp_synapse", [1.0], n=3, a=4), ValueError, r"a must lie in \[0, n\]"),
    (lambda: nest.efficacies("quantal_stp_synapse", [1.0], trials=0), ValueError, "trials must be an integer >= 1"),
    (lambda: nest.efficacies("quantal_stp_synapse", [1.0], seed="x"), TypeError, "seed must be an integer >= 0 or a JAX key"),
])
def test_bad_input_refused(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_n_without_a_warns_as_nest_keeps_one_site():
    with pytest.warns(UserWarning, match="NEST keeps a = 1"):
        nest.efficacies("quantal_stp_synapse", [1.0], n=5)
