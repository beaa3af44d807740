"""Efficacy sweeps over the STP family equal the core's family.event_efficacies, one setting at a time."""
from __future__ import annotations

import itertools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from stp_brainpy.core import family
from stp_brainpy.sweeps import product, sweep, zipped
from stp_brainpy.sweeps import models, variants

DIMS = models.EFFICACY_DIMS
N = 6
BASE = dict(U=[0.1, 0.6], tau_f=[0.0, 40.0, 1500.0], tau_d=[30.0, math.inf], rate=[5.0, 80.0])
EXTRA = {"tm": {}, "markram": {"f": [0.0, 0.3, 1.0]}, "tm3": {"tau_psc": [0.0, 3.0, 30.0]}}


def _settings(axes):
    names = list(axes)
    for combo in itertools.product(*axes.values()):
        yield dict(zip(names, combo))


def _ref(model, times, setting, **options):
    params = {k: v for k, v in setting.items() if k != "rate"}
    return np.asarray(family.event_efficacies(model, np.asarray(times), params, **options))


@pytest.mark.parametrize("model,algorithm,options", [
    ("tm", "stepwise", {}), ("tm", "closed", {}),
    ("markram", "stepwise", {"read": "before"}), ("markram", "stepwise", {"read": "after"}),
    ("markram", "event", {"read": "after"}),
    ("tm3", "stepwise", {}), ("tm3", "event", {}),
])
def test_regular_train_equals_core_family(x64, model, algorithm, options):
    axes = {**BASE, **EXTRA[model]}
    run = variants.efficacy_model(model)
    ds = sweep(run, product(**axes), static={"n_spikes": N, "algorithm": algorithm, **options}, out_dims=DIMS)
    assert ds.efficacy.dtype == np.float64
    for s in _settings(axes):
        ref = _ref(model, np.arange(N) * 1000.0 / s["rate"], s, **options)
        np.testing.assert_allclose(ds.efficacy.sel(**s).values, ref, rtol=1e-12, atol=1e-15, err_msg=str(s))


@pytest.mark.parametrize("model,options", [("tm", {}), ("markram", {"read": "before"}), ("tm3", {})])
def test_poisson_train_equals_core_family_on_the_same_times(x64, model, options):
    axes = {"U": [0.3], "tau_f": [600.0], "tau_d": [200.0], "rate": [15.0], **{k: v[1:2] for k, v in EXTRA[model].items()}}
    ds = sweep(variants.efficacy_model(model), product(**axes), seeds=[4, 11],
               static={"n_spikes": 8, "train": "poisson", **options}, out_dims=DIMS)
    s = {k: v[0] for k, v in axes.items()}
    for seed in (4, 11):
        times = variants.poisson_times(jax.random.key(np.uint32(seed)), 8, 1000.0 / 15.0)
        ref = _ref(model, times, s, **options)
        np.testing.assert_allclose(ds.efficacy.sel(seed=seed).values.ravel(), ref, rtol=1e-12)


def test_markram_f_defaults_to_U_and_read_changes_the_first_spike(x64):
    grid = zipped(U=[0.2, 0.5], tau_f=[500.0, 50.0], tau_d=[200.0, 100.0], rate=[20.0, 20.0])
    before = sweep(variants.markram_efficacy, grid, static={"n_spikes": 3}, out_dims=DIMS)
    after = sweep(variants.markram_efficacy, grid, static={"n_spikes": 3, "read": "after"}, out_dims=DIMS)
    np.testing.assert_allclose(before.efficacy.isel(spike=0).values, [0.2, 0.5], rtol=1e-12)
    np.testing.assert_allclose(after.efficacy.isel(spike=0).values, [0.2 + 0.2 * 0.8, 0.5 + 0.5 * 0.5], rtol=1e-12)


@pytest.mark.slow
def test_direct_calls_equal_the_sweep_and_batch(x64):
    U = jnp.array([0.1, 0.4, 0.9])
    got = variants.tm3_efficacy(U, tau_f=100.0, tau_d=300.0, tau_psc=300.0, rate=50.0, n_spikes=4)["efficacy"]
    assert got.shape == (3, 4)
    for i, u in enumerate([0.1, 0.4, 0.9]):  # tau_psc = tau_d: NEST's propagator would divide by zero
        ref = _ref("tm3", np.arange(4) * 20.0, dict(U=u, tau_f=100.0, tau_d=300.0, tau_psc=300.0))
        np.testing.assert_allclose(got[i], ref, rtol=1e-12)


# ---------------------------------------------------------------------------------------------------- quantal
@pytest.mark.slow
def test_quantal_trials_equal_core_per_seed(x64):
    axes = dict(U=[0.2, 0.7], tau_f=[0.0, 300.0], tau_d=[100.0], rate=[20.0])
    ds = sweep(variants.quantal_efficacy, product(**axes), seeds=[0, 7, 99], static={"n": 5, "n_spikes": N},
               out_dims=variants.QUANTAL_DIMS)
    assert ds.released.dtype.kind == "i"
    for s in _settings(axes):
        for seed in (0, 7, 99):
            _, key = variants.quantal_keys(np.uint32(seed))
            ref = _ref("quantal", np.arange(N) * 50.0, s, key=key, n=5)
            got = ds.sel(**s, seed=seed)
            np.testing.assert_allclose(got.efficacy.values, ref, rtol=1e-12)
            np.testing.assert_array_equal(got.released.values, np.round(ref * 5).astype(int))


@pytest.mark.slow
@pytest.mark.parametrize("train", ["regular", "poisson"])
def test_quantal_mean_over_seeds_within_4_se_of_the_deterministic_efficacy(x64, train):
    trials, n_spikes, n = 4000, 8, 5
    axes = dict(U=[0.25, 0.6], tau_f=[200.0], tau_d=[150.0], rate=[25.0])
    ds = sweep(variants.quantal_efficacy, product(**axes), seeds=trials,
               static={"n": n, "n_spikes": n_spikes, "train": train}, out_dims=variants.QUANTAL_DIMS)
    if train == "poisson":
        times = jax.vmap(lambda k: variants.poisson_times(variants.quantal_keys(k)[0], n_spikes, 40.0))(
            jnp.arange(trials, dtype=jnp.uint32))
    for s in _settings(axes):
        e = ds.efficacy.sel(**s).values  # (seed, spike)
        if train == "regular":
            ref = _ref("tm", np.arange(n_spikes) * 40.0, s)[None]
        else:  # the deterministic efficacy on each trial's own train: the difference has mean 0
            params = {k: v for k, v in s.items() if k != "rate"}
            ref = np.asarray(jax.vmap(lambda t, p=params: family.event_efficacies("tm", t, p))(times))
        d = e - ref
        mean, se = d.mean(0), d.std(0, ddof=1) / math.sqrt(trials)
        assert np.all(se > 0)
        np.testing.assert_array_less(np.abs(mean), 4 * se, err_msg=str(s))


def test_quantal_weight_scales_and_u1_releases_every_site(x64):
    out = variants.quantal_efficacy(1.0, tau_f=0.0, tau_d=math.inf, rate=10.0, seed=3, n=7, weight=2.0, n_spikes=3)
    np.testing.assert_array_equal(out["released"], [7, 0, 0])  # no recovery: the sites stay empty
    np.testing.assert_allclose(out["efficacy"], [14.0, 0.0, 0.0])


# ---------------------------------------------------------------------------------------------------- bad input
def _m(s=None, **axes):
    base = dict(U=[0.5], tau_f=[100.0], tau_d=[200.0], rate=[10.0])
    return product(**{**base, **axes})


BAD = [
    ("markram f>1", lambda: sweep(variants.markram_efficacy, _m(f=[0.5, 1.5])), ValueError, r"f must lie in \[0, 1\]; got 1\.5"),
    ("markram f nan", lambda: sweep(variants.markram_efficacy, _m(f=[math.nan])), ValueError, r"NaN"),
    ("markram read", lambda: sweep(variants.markram_efficacy, _m(), static={"read": "later"}), ValueError,
     r"read must be one of \('before', 'after'\)"),
    ("markram read swept", lambda: sweep(variants.markram_efficacy, product(U=[0.5], tau_f=[1.0], tau_d=[1.0],
                                                                          rate=[1.0], read=[1.0])), ValueError,
     r"read cannot be a grid axis"),
    ("markram tau_psc", lambda: sweep(variants.markram_efficacy, _m(tau_psc=[3.0])), ValueError,
     r"unknown parameter name\(s\) \['tau_psc'\]"),
    ("markram U=0", lambda: sweep(variants.markram_efficacy, _m(U=[0.0])), ValueError, r"U must lie in \(0, 1\]; got 0"),
    ("markram tau_f<0", lambda: sweep(variants.markram_efficacy, _m(tau_f=[-1.0])), ValueError,
     r"tau_f must lie in \[0, inf\] ms; got -1"),
    ("tm3 tau_psc<0", lambda: sweep(variants.tm3_efficacy, _m(tau_psc=[-3.0])), ValueError,
     r"tau_psc must lie in \[0, inf\] ms; got -3"),
    ("tm3 tau_d=0", lambda: sweep(variants.tm3_efficacy, _m(tau_d=[0.0])), ValueError, r"tau_d must lie in \(0, inf\]"),
    ("tm3 f", lambda: sweep(variants.tm3_efficacy, _m(f=[0.2])), ValueError, r"unknown parameter name\(s\) \['f'\]"),
    ("tm3 algorithm", lambda: sweep(variants.tm3_efficacy, _m(), static={"algorithm": "closed"}), ValueError,
     r"algorithm must be one of \('stepwise', 'event'\)"),
    ("quantal no seeds", lambda: sweep(variants.quantal_efficacy, _m()), ValueError, r"needs parameter\(s\) \['seed'\]"),
    ("quantal n=2.7", lambda: sweep(variants.quantal_efficacy, _m(), seeds=2, static={"n": 2.7}), ValueError,
     r"n must be an integer; got 2\.7"),
    ("quantal n=0", lambda: sweep(variants.quantal_efficacy, _m(), seeds=2, static={"n": 0}), ValueError,
     r"n must lie in \[1, inf\)"),
    ("quantal n swept", lambda: sweep(variants.quantal_efficacy, _m(n=[1, 2]), seeds=2), ValueError,
     r"n cannot be a grid axis"),
    ("quantal weight inf", lambda: sweep(variants.quantal_efficacy, _m(weight=[math.inf]), seeds=2), ValueError,
     r"weight must lie in \(-inf, inf\)"),
    ("quantal rate=0", lambda: sweep(variants.quantal_efficacy, _m(rate=[0.0]), seeds=2), ValueError,
     r"rate must lie in \(0, inf\) Hz"),
    ("tm tau_f<0", lambda: sweep(models.stp_efficacy, _m(tau_f=[-1.0])), ValueError, r"tau_f must lie in \[0, inf\]"),
    ("direct markram f", lambda: variants.markram_efficacy(0.5, f=2.0, tau_f=1.0, tau_d=1.0, rate=1.0), ValueError,
     r"f must lie in"),
    ("direct tm3 str", lambda: variants.tm3_efficacy(0.5, tau_f=1.0, tau_d=1.0, tau_psc="3", rate=1.0), TypeError,
     r"tau_psc must be a number"),
    ("direct quantal n", lambda: variants.quantal_efficacy(0.5, tau_f=1.0, tau_d=1.0, rate=1.0, seed=0, n=1.5),
     ValueError, r"n must be an integer"),
    ("model name", lambda: variants.efficacy_model("tm4"), ValueError, r"model must be one of"),
]


@pytest.mark.parametrize("call,exc,match", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_input_is_refused_before_running(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
