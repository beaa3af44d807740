"""A projection's weight unit must match its output: nS for conductances, mV for delta (voltage-jump) synapses and
exponential currents into CurrentLIF/HomeworkLIF, pA for exponential currents into CondLIFModel. A Quantity (or a
distribution of Quantities) of the wrong dimension raises UnitError naming ``weight``; bare numbers are taken in
that unit as before (issue 12)."""
from __future__ import annotations

import dataclasses

import brainunit as u
import numpy as np
import pytest

from stp_brainpy.network.description import (Bernoulli, CondLIFModel, CurrentLIF, HomeworkLIF, Network, Normal,
                                             PoissonSource, Population, Projection, Uniform)
from stp_brainpy.units import UnitError

COND = dict(output="conductance", synapse="exp", tau_s=5.0, E=0.0)
EXP = dict(synapse="exp", tau_s=3.0)
TAIL = r" \(a brainunit Quantity of that dimension, or a bare number taken in {unit}\); got {got}$"


def _proj(weight, **kw):
    return Projection("S", "T", Bernoulli(0.5), weight, **kw)


@pytest.mark.parametrize("kw, weight, expected", [
    (COND, 2 * u.pA, r"weight must be a conductance in nS for output='conductance', synapse='exp'"
                     + TAIL.format(unit="nS", got="2 pA")),
    (COND, 2 * u.mV, r"weight must be a conductance in nS for output='conductance'" + r".*; got 2 mV$"),
    ({}, 2 * u.nS, r"weight must be a potential in mV for output='current', synapse='delta'"
                   + TAIL.format(unit="mV", got="2 nS")),
    ({}, 2 * u.pA, r"weight must be a potential in mV for output='current', synapse='delta'.*; got 2 pA$"),
    (EXP, 2 * u.nS, r"weight must be a potential in mV or a current in pA for output='current', synapse='exp' "
                    r"\(mV into CurrentLIF and HomeworkLIF, pA into CondLIFModel\)"
                    + TAIL.format(unit="mV/pA", got="2 nS")),
    (COND, np.array([1.0, 2.0]) * u.pA, r"weight must be a conductance in nS .*; got \[1\. 2\.\] pA$"),
    (COND, Normal(2 * u.pA, 0.5 * u.pA), r"weight must be a conductance in nS .*; got Normal\(mean=2\.0, std=0\.5, "
                                         r"low=-inf, high=inf, unit='pA'\)$"),
])
def test_wrong_dimension_for_the_output_is_refused(kw, weight, expected):
    with pytest.raises(UnitError, match="^" + expected):
        _proj(weight, **kw)


def test_positional_weight_is_checked_too():
    with pytest.raises(UnitError, match="^weight must be a conductance in nS"):
        Projection("S", "T", Bernoulli(0.5), 2 * u.pA, 0.1, "conductance", "exp", 5.0, 0.0)


@pytest.mark.parametrize("kw, weight, bare", [
    (COND, 2 * u.nS, 2.0), (COND, 0.002 * u.uS, 2.0), ({}, 0.5 * u.mV, 0.5), ({}, 0.0005 * u.volt, 0.5),
    (EXP, 3 * u.mV, 3.0), (EXP, 30 * u.pA, 30.0), (EXP, 0.03 * u.nA, 30.0),
])
def test_matching_dimension_converts_to_the_documented_unit(kw, weight, bare):
    assert _proj(weight, **kw).weight == pytest.approx(bare, rel=1e-12)


def test_bare_numbers_stay_accepted_in_every_output():
    for kw in (COND, {}, EXP):
        assert _proj(2.0, **kw).weight == 2.0
    assert isinstance(_proj(Uniform(0.5, 1.5), **COND).weight, Uniform)


def _pops():
    return [Population("S", 4, PoissonSource(10.0)), Population("C", 4, CondLIFModel()),
            Population("L", 4, CurrentLIF()), Population("H", 4, HomeworkLIF())]


def _net(post, weight):
    return Network(_pops(), [Projection("S", post, Bernoulli(0.5), weight, **EXP)], duration=1.0)


@pytest.mark.parametrize("post, weight, expected", [
    ("C", 2 * u.mV, r"weight must be a current in pA for the projection 'S' -> 'C' into CondLIFModel"
                    + TAIL.format(unit="pA", got="2 mV")),
    ("L", 2 * u.pA, r"weight must be a potential in mV for the projection 'S' -> 'L' into CurrentLIF"
                    + TAIL.format(unit="mV", got="2 pA")),
    ("H", Uniform(1 * u.pA, 2 * u.pA), r"weight must be a potential in mV for the projection 'S' -> 'H' into "
                                       r"HomeworkLIF .*; got Uniform\(low=1\.0, high=2\.0, unit='pA'\)$"),
])
def test_exponential_current_weight_is_checked_against_the_target_neuron(post, weight, expected):
    with pytest.raises(UnitError, match="^" + expected):
        _net(post, weight)


@pytest.mark.parametrize("post, weight", [("C", 20 * u.pA), ("L", 2 * u.mV), ("H", 2 * u.mV), ("C", 20.0),
                                          ("L", 2.0), ("C", Uniform(0.01 * u.nA, 0.02 * u.nA))])
def test_exponential_current_weight_in_the_target_unit_is_accepted(post, weight):
    assert _net(post, weight).n_neurons == 16


def test_replace_keeps_a_bare_weight_in_the_documented_unit():
    pr = dataclasses.replace(_proj(2 * u.pA, **EXP), weight=3.0)
    assert Network(_pops(), [dataclasses.replace(pr, post="L")], duration=1.0).projections[0].weight == 3.0
