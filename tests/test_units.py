"""stp_brainpy.units: Quantities converted to the package's units, wrong dimensions refused by name."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import brainunit as u

from stp_brainpy.units import PARAM_UNITS, UNITS, UnitError, is_quantity, quantity, to_unit, to_units

# (unit, a Quantity of that dimension, its value in the package's unit, a Quantity of another dimension)
RIGHT = [
    ("ms", 2.0 * u.second, 2000.0, 2.0 * u.mV),
    ("ms", 1.5 * u.ms, 1.5, 1.5 * u.nS),
    ("mV", -0.065 * u.volt, -65.0, -65.0 * u.ms),
    ("nS", 0.006 * u.uS, 6.0, 6.0 * u.pA),
    ("pA", 0.2 * u.nA, 200.0, 0.2 * u.nS),
    ("pF", 0.2 * u.nF, 200.0, 200.0 * u.nS),
    ("Hz", 0.02 * u.kHz, 20.0, 20.0 * u.ms),
    ("1", u.Quantity(0.5), 0.5, 0.5 * u.ms),
]


@pytest.mark.parametrize("unit, q, expected, wrong", RIGHT, ids=[r[0] + "-" + str(i) for i, r in enumerate(RIGHT)])
def test_right_dimension_converts_wrong_one_is_refused_by_name(unit, q, expected, wrong):
    assert to_unit("p", q, unit) == pytest.approx(expected, rel=1e-12)
    with pytest.raises(UnitError) as err:
        to_unit("my_param", wrong, unit)
    msg = str(err.value)
    assert "my_param" in msg and (unit in msg or "dimensionless" in msg)


@pytest.mark.parametrize("unit", sorted(UNITS))
def test_bare_numbers_are_taken_in_the_documented_unit(unit):
    assert to_unit("p", 3.25, unit) == 3.25
    arr = np.array([1.0, 2.0])
    assert to_unit("p", arr, unit) is arr
    assert to_unit("p", None, unit) is None


def test_unit_error_is_a_type_and_a_value_error():
    assert issubclass(UnitError, TypeError) and issubclass(UnitError, ValueError)


def test_arrays_units_and_int_mantissas():
    np.testing.assert_allclose(to_unit("tau_d", np.array([0.1, 0.2]) * u.second, "ms"), [100.0, 200.0])
    assert to_unit("dt", u.ms, "ms") == 1.0                   # a bare Unit is one of it
    out = to_unit("tau_f", 2 * u.ms, "ms")
    assert out == 2.0 and isinstance(out, float)              # int mantissa -> float


def test_traced_quantities_convert_under_jit():
    import jax

    f = jax.jit(lambda q: to_unit("tau_f", q, "ms"))
    assert float(f(3.0 * u.second)) == pytest.approx(3000.0)


def test_to_units_by_name_and_quantity_roundtrip():
    out = to_units({"tau_f": 1.5 * u.second, "V_th": -50 * u.mV, "U": 0.2, "other": "kept"})
    assert out == {"tau_f": pytest.approx(1500.0), "V_th": -50.0, "U": 0.2, "other": "kept"}
    with pytest.raises(UnitError, match="g_L"):
        to_units({"g_L": 10 * u.mV})
    assert set(PARAM_UNITS.values()) <= set(UNITS)
    q = quantity(2.5, "mV")
    assert is_quantity(q) and to_unit("V", q, "mV") == 2.5 and not is_quantity(2.5)


def test_unknown_unit_name_is_refused():
    with pytest.raises(ValueError, match="unit must be one of"):
        to_unit("p", 1.0, "seconds")


def test_importing_the_package_does_not_import_brainunit_or_brainstate():
    code = ("import sys, stp_brainpy, stp_brainpy.units; "
            "print(any(m in sys.modules for m in ('brainstate', 'brainunit', 'saiunit')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
