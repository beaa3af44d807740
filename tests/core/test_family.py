"""The family registry: its contract (names, ranges, defaults) and one entry point for every variant."""
from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from stp_brainpy.core import family, markram, quantal, stp, tm3
from tm_reference import tm_efficacies

T = np.array([0.0, 7.0, 15.0, 16.0, 40.0, 90.0])


def test_contract_names_order_ranges_defaults():
    assert family.MODELS == ("tm", "markram", "tm3", "quantal")
    assert family.DETERMINISTIC == ("tm", "markram", "tm3")
    assert family.PARAMS == {"tm": ("U", "tau_f", "tau_d"), "markram": ("U", "f", "tau_f", "tau_d"),
                             "tm3": ("U", "tau_f", "tau_d", "tau_psc"), "quantal": ("U", "tau_f", "tau_d")}
    for model in family.MODELS:
        assert tuple(family.RANGES[model]) == family.PARAMS[model]
        assert tuple(family.DEFAULTS[model]) == family.PARAMS[model]
        for name, (lo, hi, lo_open, hi_open) in family.RANGES[model].items():
            assert lo < hi and isinstance(lo_open, bool) and isinstance(hi_open, bool)
            d = family.DEFAULTS[model][name]
            assert (lo < d if lo_open else lo <= d) and (d < hi if hi_open else d <= hi)
        family.validate(model, **family.DEFAULTS[model])


@pytest.mark.parametrize("model", family.MODELS)
def test_range_bounds_enforced_exactly(model):
    for name, (lo, hi, lo_open, hi_open) in family.RANGES[model].items():
        below = lo if lo_open else lo - 1e-6
        with pytest.raises(ValueError, match=f"{name} must lie in"):
            family.validate(model, **{name: below})
        if not lo_open:
            family.validate(model, **{name: lo})
        if math.isfinite(hi):
            with pytest.raises(ValueError, match=f"{name} must lie in"):
                family.validate(model, **{name: hi + 1e-6 if not hi_open else hi})
        if not hi_open:
            family.validate(model, **{name: hi})
        with pytest.raises(ValueError, match=f"{name} must lie in"):
            family.validate(model, **{name: float("nan")})
        with pytest.raises(TypeError, match=name):
            family.validate(model, **{name: "1"})


def test_unknown_model_and_parameter_refused():
    with pytest.raises(ValueError, match=r"model must be one of \('tm', 'markram', 'tm3', 'quantal'\)"):
        family.get("tsodyks")
    with pytest.raises(ValueError, match="model must be one of"):
        family.event_efficacies("TM", T, {})
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) \['tau_rec'\].*accepted: \('U', 'tau_f', 'tau_d'\)"):
        family.event_efficacies("tm", T, {"U": 0.2, "tau_rec": 100.0})
    with pytest.raises(ValueError, match="unknown parameter"):
        family.validate("tm3", f=0.1)
    with pytest.raises(ValueError, match=r"unknown option\(s\) \['read'\] for model 'tm'; accepted: \('u0', 'x0'\)"):
        family.event_efficacies("tm", T, {}, read="after")


def test_get_returns_the_variant_module():
    assert family.get("tm").module is stp
    assert family.get("markram").module is markram
    assert family.get("tm3").module is tm3 and family.get("tm3").params == family.PARAMS["tm3"]
    spec = family.get("quantal")
    assert spec.module is quantal and not spec.deterministic


def test_each_model_equals_its_module_and_the_references(x64):
    p = {"U": 0.3, "tau_f": 120.0, "tau_d": 80.0}
    np.testing.assert_allclose(np.asarray(family.event_efficacies("tm", T, p)), tm_efficacies(T, **p), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(family.event_efficacies("markram", T, p)),
                               np.asarray(markram.event_efficacies(T, 0.3, f=0.3, tau_f=120.0, tau_d=80.0)[0]))
    after = family.event_efficacies("markram", T, {**p, "f": 0.1}, read="after")
    np.testing.assert_allclose(np.asarray(after), np.asarray(markram.event_efficacies(
        T, 0.3, f=0.1, tau_f=120.0, tau_d=80.0, read="after")[0]))
    np.testing.assert_allclose(np.asarray(family.event_efficacies("tm3", T, {**p, "tau_psc": 0.0})),
                               tm_efficacies(T, **p), rtol=1e-12)
    e_q = family.event_efficacies("quantal", T, p, key=jax.random.key(0), n=4)
    assert e_q.shape == T.shape and np.all(np.isin(np.asarray(e_q) * 4, np.arange(5)))


def test_missing_parameters_take_defaults_and_f_defaults_to_U(x64):
    a = family.event_efficacies("markram", T, {"U": 0.4})
    d = family.DEFAULTS["markram"]
    b = markram.event_efficacies(T, 0.4, f=0.4, tau_f=d["tau_f"], tau_d=d["tau_d"])[0]
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


@pytest.mark.parametrize("model", family.DETERMINISTIC)
def test_jit_vmap_grad_and_padding(x64, model):
    base = {k: jnp.asarray(v) for k, v in family.DEFAULTS[model].items()}
    padded = np.r_[T, np.inf, np.inf]

    def total(params):
        return jnp.sum(family.event_efficacies(model, padded, params))

    e = jax.jit(lambda prm: family.event_efficacies(model, padded, prm))(base)
    assert e.shape == padded.shape and np.all(np.asarray(e[-2:]) == 0)
    np.testing.assert_allclose(np.asarray(e[:-2]), np.asarray(family.event_efficacies(model, T, base)), rtol=1e-13)
    g = jax.grad(total)(base)
    assert set(g) == set(base) and all(np.isfinite(float(v)) for v in g.values())
    batch = {k: jnp.stack([v, v * 0.5 if k != "U" else v]) for k, v in base.items()}
    out = jax.vmap(lambda prm: family.event_efficacies(model, T, prm))(batch)
    assert out.shape == (2, T.size)
    np.testing.assert_allclose(np.asarray(out[0]), np.asarray(family.event_efficacies(model, T, base)), rtol=1e-13)


def test_quantal_mean_equals_tm_efficacy_through_the_family(x64):
    p = {"U": 0.5, "tau_f": 0.0, "tau_d": 60.0}
    keys = jax.random.split(jax.random.key(2), 3000)
    w = np.asarray(jax.vmap(lambda k: family.event_efficacies("quantal", T, p, key=k, n=3))(keys))
    ref = tm_efficacies(T, 0.5, 1e-300, 60.0)  # tau_f -> 0: u⁺ = U at every spike
    assert np.all(np.abs(w.mean(0) - ref) <= 4 * np.sqrt(w.var(0, ddof=1) / w.shape[0]))


@pytest.mark.parametrize("name", ["stp_brainpy.core.family", "stp_brainpy.core.markram", "stp_brainpy.core.tm3",
                                  "stp_brainpy.core.quantal", "stp_brainpy.nest"])
def test_docstring_examples_run(name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0


def _edge_values(lo, hi, lo_open, hi_open):
    if (lo, hi) == (0.0, 1.0):
        return [1e-7 if lo_open else 0.0, 0.3, 1.0]
    return [1e-30 if lo_open else 0.0, 1e-6, 20.0, 1e30, math.inf]


@pytest.mark.parametrize("model", family.DETERMINISTIC)
def test_float32_gradients_finite_over_the_edges_of_every_range(model):
    import itertools

    names = family.PARAMS[model]
    grid = np.array(list(itertools.product(*(_edge_values(*family.RANGES[model][k]) for k in names))), np.float32)
    t = np.array([0.0, 0.0, 0.1, 5.0, 1e4], np.float32)

    def total(row):
        return jnp.sum(family.event_efficacies(model, t, dict(zip(names, row))))

    g = np.asarray(jax.jit(jax.vmap(jax.grad(total)))(jnp.asarray(grid)))
    assert g.dtype == np.float32
    bad = ~np.all(np.isfinite(g), axis=1)
    assert not bad.any(), grid[bad][:5]


def test_tm_options_pass_through_and_tau_f_zero(x64):
    # tm3 at tau_psc = 0 is the two-state model (checked against NEST tsodyks2 in tests/test_nest.py)
    for tau_f, u0, x0 in ((40.0, 0.2, 0.8), (0.0, 0.0, 0.7)):
        e = family.event_efficacies("tm", T, {"U": 0.35, "tau_f": tau_f, "tau_d": 90.0}, u0=u0, x0=x0)
        ref = tm3.event_efficacies(T, 0.35, tau_f=tau_f, tau_d=90.0, tau_psc=0.0, u0=u0, x0=x0)[0]
        np.testing.assert_allclose(np.asarray(e), np.asarray(ref), rtol=1e-12)
        assert float(e[0]) == pytest.approx((u0 + 0.35 * (1 - u0)) * x0)
