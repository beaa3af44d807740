"""Uniform / Normal with brainunit Quantities: converted once to the package's unit of their dimension, drawn as
the same numbers as the bare distribution, refused where their dimension is not the parameter's (issue 12)."""
from __future__ import annotations

import dataclasses
import brainunit as u
import numpy as np
import pytest

from stp_brainpy.network.description import Bernoulli, Normal, Projection, STPModel, Uniform, sample
from stp_brainpy.units import UnitError

COND = dict(output="conductance", synapse="exp", tau_s=5.0, E=0.0)


def _draw(dist, n=200, seed=3):
    return sample(dist, np.random.default_rng(seed), n, "x")


def test_bare_numbers_unchanged():
    d = Uniform(0.5, 1.5)
    assert (d.low, d.high, d.unit) == (0.5, 1.5, None)
    n = Normal(300.0, 200.0, 1.0, 2000.0)
    assert (n.mean, n.std, n.low, n.high, n.unit) == (300.0, 200.0, 1.0, 2000.0, None)


@pytest.mark.parametrize("quantity, bare, unit", [
    (Uniform(0.5 * u.uS, 1.5 * u.uS), Uniform(500.0, 1500.0), "nS"),
    (Uniform(0.1 * u.ms, 2.0 * u.ms), Uniform(0.1, 2.0), "ms"),
    (Uniform(0.0001 * u.second, 0.002 * u.second), Uniform(0.1, 2.0), "ms"),
    (Normal(2.0 * u.nA, 0.5 * u.nA, low=0), Normal(2000.0, 500.0, low=0.0), "pA"),
    (Normal(300.0 * u.ms, 0.2 * u.second, 1.0 * u.ms, 2.0 * u.second), Normal(300.0, 200.0, 1.0, 2000.0), "ms"),
])
def test_quantities_draw_the_bare_numbers_of_the_package_unit(quantity, bare, unit):
    assert quantity.unit == unit
    np.testing.assert_allclose(_draw(quantity), _draw(bare), rtol=1e-12)


def test_zero_and_infinity_go_bare_with_quantities():
    assert Uniform(0, 2 * u.nS).unit == "nS"
    n = Normal(1 * u.nS, 0.5 * u.nS, low=0)
    assert n.high == np.inf and n.low == 0


@pytest.mark.parametrize("make, message", [
    (lambda: Uniform(1 * u.nS, 2.0), r"Uniform high=2\.0 is a bare number while the other values are Quantities "
                                     r"in nS: give high as a Quantity too"),
    (lambda: Normal(1 * u.nS, 0.2), r"Normal std=0\.2 is a bare number while the other values are Quantities in nS"),
    (lambda: Uniform(1 * u.nS, 2 * u.ms), r"Uniform needs its Quantities in one dimension; got low=1 nS, high=2 ms"),
    (lambda: Normal(1 * u.mV, 0.1 * u.nS), r"Normal needs its Quantities in one dimension"),
    (lambda: Uniform(1 * u.meter, 2 * u.meter), r"Uniform low must be one of: a time in ms, .*; got 1 m"),
    (lambda: Uniform(1 * u.ms, 2 * u.ms, unit="nS"), r"Uniform low must be a conductance in nS .*; got 1 ms"),
])
def test_ambiguous_or_inconsistent_quantities_are_refused(make, message):
    with pytest.raises(UnitError, match=message):
        make()


def test_checks_apply_after_conversion():
    # 2 µS is 2000 nS up to brainunit's rounding
    with pytest.raises(ValueError, match=r"Uniform needs low <= high; got (2000\.0|1999\.99+\d*), 1\.0"):
        Uniform(2 * u.uS, 1 * u.nS)
    with pytest.raises(ValueError, match=r"std must lie in \[0, inf\); got -1"):
        Normal(1 * u.nS, -1 * u.nS)


def test_replace_keeps_the_unit():
    d = dataclasses.replace(Uniform(1 * u.uS, 2 * u.uS), high=3000.0)
    assert d.unit == "nS" and d.high == 3000.0
    assert Uniform(1.0, 2.0, unit="ms") == Uniform(1 * u.ms, 2 * u.ms)


def test_distribution_unit_checked_where_used():
    ok = Projection("a", "b", Bernoulli(0.1), weight=Uniform(1 * u.uS, 2 * u.uS), delay=Uniform(0.1 * u.ms, 1 * u.ms),
                    **COND)
    assert ok.weight.unit == "nS" and ok.delay.unit == "ms"
    with pytest.raises(UnitError, match=r"^weight must be a conductance in nS for output='conductance'.*; got "
                                        r"Uniform\(low=1\.0, high=2\.0, unit='pA'\)"):
        Projection("a", "b", Bernoulli(0.1), weight=Uniform(1 * u.pA, 2 * u.pA), **COND)
    with pytest.raises(UnitError, match=r"^delay must be a time in ms \(a brainunit Quantity.*; got Uniform\("):
        Projection("a", "b", Bernoulli(0.1), weight=1.0, delay=Uniform(1 * u.mV, 2 * u.mV))
    with pytest.raises(UnitError, match=r"^tau_d must be a time in ms for STP parameter tau_d.*unit='nS'"):
        STPModel("tm", U=0.2, tau_f=50.0, tau_d=Normal(200 * u.nS, 10 * u.nS))
    tm = STPModel("tm", U=Uniform(0.1, 0.3), tau_f=Uniform(0.05 * u.second, 0.1 * u.second), tau_d=200.0)
    assert (tm.params["tau_f"].low, tm.params["tau_f"].high) == (50.0, 100.0)


def test_a_callable_returning_quantities_is_refused_clearly():
    with pytest.raises(TypeError, match=r"weight: a callable \(rng, n\) must return bare numbers in the documented "
                                        r"unit of weight, not a brainunit Quantity"):
        sample(lambda rng, n: np.ones(n) * u.nS, np.random.default_rng(0), 4, "weight")
