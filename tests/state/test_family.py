"""PresynapticSTP's family variants (markram, tm3, quantal) give the core's efficacies and NEST's."""
from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest

import brainstate
import brainunit as u
import jax.numpy as jnp

from stp_brainpy.core import family, quantal
from stp_brainpy.state import PresynapticSTP, run

DT = 0.1
REF = pathlib.Path(__file__).resolve().parents[1] / "reference"


def _efficacies(module, spikes):
    brainstate.nn.init_all_states(module)
    seq = jnp.asarray(spikes, float)
    return np.asarray(run(lambda: module(seq[brainstate.environ.get("i")]), len(spikes) * DT * u.ms,
                          record=lambda: module.efficacy.value))


def _family_at_spikes(model, spikes, params, **options):
    out = np.zeros(spikes.shape)
    for j in range(spikes.shape[1]):
        steps = np.nonzero(spikes[:, j])[0]
        p = {k: v[j] for k, v in params.items()}
        out[steps, j] = np.asarray(family.event_efficacies(model, jnp.asarray(steps * DT), p, **options))
    return out


def _trains(rng, n, steps, rate_hz=50.0):
    s = rng.random((steps, n)) < rate_hz * DT / 1000.0
    s[0] = False
    return s


@pytest.mark.parametrize("read", ["before", "after"])
def test_markram_equals_the_core(x64, read):
    rng = np.random.default_rng(4)
    n = 4
    p = {"U": rng.uniform(0.05, 0.8, n), "f": rng.uniform(0.0, 0.6, n), "tau_f": rng.uniform(10.0, 1000.0, n),
         "tau_d": rng.uniform(20.0, 800.0, n)}
    spikes = _trains(rng, n, 2500)
    mod = PresynapticSTP(n, p["U"], f=p["f"], tau_f=p["tau_f"] * u.ms, tau_d=p["tau_d"] * u.ms, model="markram",
                         read=read)
    np.testing.assert_allclose(_efficacies(mod, spikes), _family_at_spikes("markram", spikes, p, read=read),
                               rtol=0, atol=1e-12)


def test_tm3_equals_the_core_and_nest_tsodyks_synapse(x64):
    data = json.loads((REF / "nest_tsodyks.json").read_text())["tsodyks_synapse"]
    cases = [c for c in data if (c["status"]["u"], c["status"]["x"], c["status"]["y"]) == (0.0, 1.0, 0.0)]
    assert len(cases) >= 20
    steps = [np.rint(np.asarray(c["spike_times"]) / DT).astype(int) for c in cases]
    spikes = np.zeros((max(s[-1] for s in steps) + 1, len(cases)), bool)
    for j, s in enumerate(steps):
        spikes[s, j] = True
    st = {k: np.array([c["status"][k] for c in cases]) for k in ("U", "tau_fac", "tau_rec", "tau_psc", "weight")}
    mod = PresynapticSTP(len(cases), st["U"], tau_f=st["tau_fac"] * u.ms, tau_d=st["tau_rec"] * u.ms,
                         tau_psc=st["tau_psc"] * u.ms, model="tm3")
    eff = _efficacies(mod, spikes)
    core = _family_at_spikes("tm3", spikes, {"U": st["U"], "tau_f": st["tau_fac"], "tau_d": st["tau_rec"],
                                             "tau_psc": st["tau_psc"]})
    np.testing.assert_allclose(eff, core, rtol=0, atol=1e-12)
    for j, c in enumerate(cases):
        np.testing.assert_allclose(st["weight"][j] * eff[steps[j], j], c["weights"], rtol=0, atol=1e-12,
                                   err_msg=str(c["status"]))


def test_quantal_mean_matches_the_core_and_nest(x64):
    data = json.loads((REF / "nest_quantal.json").read_text())["quantal_stp_synapse"]
    case = next(c for c in data if c["status"]["tau_fac"] == 0.0 and c["status"]["a"] == c["status"]["n"])
    st, trials = case["status"], 4000
    steps = np.rint(np.asarray(case["spike_times"]) / DT).astype(int)
    spikes = np.zeros((steps[-1] + 1, trials), bool)
    spikes[steps] = True
    brainstate.random.seed(0)
    mod = PresynapticSTP(trials, st["U"], tau_f=st["tau_fac"] * u.ms, tau_d=st["tau_rec"] * u.ms, model="quantal",
                         n=st["n"])
    released = _efficacies(mod, spikes)[steps] * st["n"]          # (spikes, trials) released sites
    np.testing.assert_allclose(released, np.round(released), rtol=0, atol=1e-12)
    released = np.round(released)
    assert released.min() >= 0 and released.max() <= st["n"]
    mean, var = released.mean(1), released.var(1)
    exact = np.asarray(quantal.mean_efficacies(jnp.asarray(steps * DT), st["U"], tau_f=st["tau_fac"],
                                               tau_d=st["tau_rec"], n=st["n"])[0])
    se = np.sqrt(var / trials)
    assert np.all(np.abs(mean - exact) <= 4 * se + 1e-12)
    nest_mean, nest_var = np.asarray(case["mean"]) / st["weight"], np.asarray(case["var"]) / st["weight"] ** 2
    assert np.all(np.abs(mean - nest_mean) <= 4 * np.sqrt(var / trials + nest_var / case["trials"]) + 1e-12)


def test_variant_parameters_take_units_and_are_checked():
    assert float(PresynapticSTP(1, 0.2, tau_psc=0.003 * u.second, model="tm3").params.tau_psc) == pytest.approx(3.0)
    with pytest.raises(ValueError, match="model must be one of"):
        PresynapticSTP(1, model="nest")
    with pytest.raises(ValueError, match="f"):
        PresynapticSTP(1, 0.2, f=1.5, model="markram")
    with pytest.raises(ValueError, match="read"):
        PresynapticSTP(1, 0.2, model="markram", read="during")
    with pytest.raises(ValueError, match="method must be 'exact'"):
        PresynapticSTP(1, 0.2, model="tm3", method="euler")
    with pytest.raises((TypeError, ValueError), match="n"):
        PresynapticSTP(1, 0.2, model="quantal", n=2.5)
    from stp_brainpy.units import UnitError

    with pytest.raises(UnitError, match="tau_psc"):
        PresynapticSTP(1, 0.2, tau_psc=3 * u.mV, model="tm3")
    with pytest.raises(UnitError, match="f"):
        PresynapticSTP(1, 0.2, f=0.3 * u.ms, model="markram")
