"""COBAStateNet's ``delays={...}``: every refused entry is named as the user wrote it (``delays['E2E']``),
with the accepted range or type and what was given (issue 8's rule; issue 12's review)."""
from __future__ import annotations

import re

import brainunit as u
import numpy as np
import pytest

from stp_brainpy.core.validation import ParameterTypeError
from stp_brainpy.network import COBAConfig
from stp_brainpy.state import COBAStateNet
from stp_brainpy.state.network import coba_blocks
from stp_brainpy.units import UnitError

CFG = COBAConfig(n_neurons=40, p=0.1)
KEY = re.escape("delays['E2E']")


def _nnz(name):
    return next(b.nnz for s, t, b in coba_blocks(CFG) if f"{s}2{t}" == name)


@pytest.mark.parametrize("entry, error, message", [
    (-0.5, ValueError, KEY + r" must lie in \[0, inf\) ms; got -0\.5"),
    (-2.0 * u.ms, ValueError, KEY + r" must lie in \[0, inf\) ms; got -2"),
    (np.nan, ValueError, KEY + r" must be finite \(ms\); got nan"),
    (np.inf, ValueError, KEY + r" must be finite \(ms\); got inf"),
    (1.5 * u.mV, UnitError, KEY + r" must be a time in ms .*; got 1\.5 mV"),
    ("1 ms", ParameterTypeError, KEY + r" must be a number or an array of numbers; got '1 ms' \(str\)"),
    (None, ParameterTypeError, KEY + r" must be a number .*; got None"),
])
def test_bad_entry_is_named_with_its_key(entry, error, message):
    with pytest.raises(error, match=message):
        COBAStateNet(CFG, delays={"E2E": entry})


def test_wrong_length_names_key_expected_shape_and_given_shape():
    n = _nnz("I2E")
    with pytest.raises(ValueError, match=re.escape(f"delays['I2E'] must be a scalar or one value per synapse, "
                                                   f"shape ({n},); got shape (3,)")):
        COBAStateNet(CFG, delays={"I2E": np.ones(3)})


def test_one_bad_synapse_among_many_is_reported_by_value():
    d = np.full(_nnz("E2I"), 1.0)
    d[2] = -3.0
    with pytest.raises(ValueError, match=re.escape("delays['E2I'] must lie in [0, inf) ms; got -3")):
        COBAStateNet(CFG, delays={"E2I": d})


def test_unknown_projection_and_non_mapping():
    with pytest.raises(ValueError, match=r"delays names unknown projections 'EE'; the projections are 'E2E', "):
        COBAStateNet(CFG, delays={"EE": 1.0})
    with pytest.raises(TypeError, match=r"delays must be a mapping from projection name .*; got list"):
        COBAStateNet(CFG, delays=[1.0, 2.0])


def test_good_entries_still_accepted():
    net = COBAStateNet(CFG, delays={"E2E": 1.5 * u.ms, "I2I": np.full(_nnz("I2I"), 0.3)})
    assert net.E2E.comm._delay_ms == 1.5
