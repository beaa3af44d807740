"""fit(): exact recovery from noiseless data, equality with an independent scipy optimum, flags."""
from __future__ import annotations

import numpy as np
import pytest

from stp_brainpy.core import family
from stp_brainpy.fitting import fit

from tm_reference import tm_efficacies
from .synth import PROTOCOLS, mean_response, noisy

TRUE = {
    "tm": dict(U=0.3, tau_f=200.0, tau_d=300.0),
    "markram": dict(U=0.2, f=0.4, tau_f=150.0, tau_d=400.0),
    "tm3": dict(U=0.3, tau_f=200.0, tau_d=300.0, tau_psc=8.0),
}
VARIANTS = [(m, {}) for m in family.DETERMINISTIC] + [("markram", {"read": "after"})]


@pytest.mark.slow
@pytest.mark.parametrize("model, options", VARIANTS, ids=[m + "".join(f"-{v}" for v in o.values()) for m, o in VARIANTS])
def test_noiseless_data_recovers_every_parameter(x64, model, options):
    true = TRUE[model]
    r = fit(PROTOCOLS, {k: v[None] for k, v in mean_response(model, true, **options).items()}, model=model, **options)
    assert r.converged and r.n_converged >= 2  # the starts polished to convergence (fit._two_phase)
    for k, v in dict(true, amplitude=2.0).items():
        assert r.params[k] == pytest.approx(v, rel=1e-6), k
    assert r.loss < 1e-20
    assert r.optima[0]["loss"] == pytest.approx(r.loss, abs=1e-20) and not r.at_bounds and not r.non_identifiable


@pytest.mark.slow
def test_amplitude_modes_and_fixed_parameters(x64):
    true = TRUE["markram"]
    e = mean_response("markram", true, amplitude=1.0)
    normalised = {k: (v / v[0])[None] for k, v in e.items()}
    r = fit(PROTOCOLS, normalised, model="markram", amplitude="first", n_starts=16)
    assert "amplitude" not in r.params and r.params["tau_d"] == pytest.approx(400.0, rel=1e-6)
    r = fit(PROTOCOLS, {k: 3.0 * v[None] for k, v in e.items()}, model="markram", amplitude=3.0,
            fixed={"f": 0.4}, n_starts=16)
    assert r.params["f"] == 0.4 and r.stderr["f"] == 0.0 and r.names == ("U", "tau_f", "tau_d")
    for k in ("U", "tau_f", "tau_d"):
        assert r.params[k] == pytest.approx(true[k], rel=1e-6)


def _sse_reference(t, y, n_starts=40, seed=1):
    """Independent optimum: scipy least_squares (trf, bounds) from many random starts on every observation,
    with the TM efficacies of tests/tm_reference.py (NumPy, spike by spike)."""
    from scipy.optimize import least_squares

    keys = list(t)

    def resid(p):
        U, tau_f, tau_d, A = p
        return np.concatenate([(y[k] - A * tm_efficacies(t[k], U, tau_f, tau_d)[None]).ravel() for k in keys])

    rng = np.random.default_rng(seed)
    lo, hi = np.array([1e-4, 1.0, 1.0, -10.0]), np.array([1.0, 5000.0, 5000.0, 10.0])
    best = np.inf
    for _ in range(n_starts):
        p0 = np.array([rng.uniform(0.01, 0.99), np.exp(rng.uniform(0, np.log(5000))), np.exp(rng.uniform(0, np.log(5000))),
                       rng.uniform(0.5, 3)])
        sol = least_squares(resid, p0, bounds=(lo, hi), method="trf", x_scale="jac", xtol=1e-15, ftol=1e-15, gtol=1e-15)
        best = min(best, 2 * sol.cost)
    return best


def test_optimum_equals_independent_scipy_multistart(x64):
    t = {"20Hz": PROTOCOLS["50Hz"][:6] * 2.5, "burst": PROTOCOLS["burst"][:6]}
    rng = np.random.default_rng(3)
    y = noisy(mean_response("tm", TRUE["tm"], protocols=t), trials=5, sigma=0.1, rng=rng)
    r = fit(t, y, model="tm", loss="sse", n_starts=32)
    ref = _sse_reference(t, y)
    assert r.loss == pytest.approx(ref, rel=1e-6)
    assert r.loss <= ref * (1 + 1e-9)
    assert r.sse == pytest.approx(r.loss, rel=1e-12)


@pytest.mark.slow
def test_flat_direction_and_bound_are_flagged(x64):
    # with U = 1 every spike sets u to 1: tau_f leaves no trace in the data
    y = {k: v[None] for k, v in mean_response("tm", dict(U=1.0, tau_f=200.0, tau_d=300.0)).items()}
    r = fit(PROTOCOLS, y, model="tm", n_starts=16)
    assert r.at_bounds.get("U") == "high"
    assert any("tau_f" in d for d in r.non_identifiable) and r.stderr["tau_f"] == np.inf
    assert r.params["tau_d"] == pytest.approx(300.0, rel=1e-5)
    assert "flat direction" in r.summary()


def test_predict_and_xarray(x64):
    t = {"20Hz": PROTOCOLS["50Hz"][:6] * 2.5, "burst": PROTOCOLS["burst"][:6]}
    y = {k: v[None] for k, v in mean_response("tm", TRUE["tm"], protocols=t).items()}
    r = fit(t, y, model="tm", n_starts=32)
    new = np.array([0.0, 7.0, 19.0, 300.0])
    assert np.allclose(r.predict(new), 2.0 * tm_efficacies(new, 0.3, 200.0, 300.0), rtol=1e-6)
    assert set(r.predict()) == set(t)
    ds = r.to_xarray()
    assert ds["tau_d"].attrs["units"] == "ms" and ds["U"].attrs["units"] == "1" and "long_name" in ds["tau_f"].attrs
    assert float(ds["tau_d"]) == pytest.approx(300.0, rel=1e-6)
    assert ds["prediction"].dims == ("protocol", "spike") and ds["time"].attrs["units"] == "ms"
    assert sum(o["count"] for o in r.optima) <= r.n_converged and r.optima[0]["loss"] <= r.optima[-1]["loss"]
