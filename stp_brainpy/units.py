"""Physical units at the package's edge: brainunit Quantities in, plain numbers in the package's units out.

Inside, the package computes with plain numbers in one set of units: time in ms, potential in mV,
conductance in nS, current in pA, capacitance in pF, rate in Hz (``U``, ``f``, ``u0``, ``x0`` are
dimensionless). Public entry points accept either

* a bare number or array, taken in the documented unit (``tau_f=2.0`` means 2 ms), or
* a brainunit Quantity of the right dimension (``tau_f=2 * u.second``), converted to that unit
  (2000.0); a plain brainunit Unit counts as one of it (``u.ms`` is 1 ms).

A Quantity of another dimension is refused with :class:`UnitError` naming the parameter, the
expected unit and what was given (``tau_f must be a time in ms; got 2.0 mV``). Nothing here imports
brainunit unless a Quantity is actually passed, so ``import stp_brainpy`` stays light.

>>> from stp_brainpy.units import to_unit
>>> to_unit("tau_f", 2.0, "ms")
2.0
>>> import brainunit as u
>>> to_unit("tau_f", 2 * u.second, "ms")
2000.0
>>> to_unit("tau_f", 2 * u.mV, "ms")
Traceback (most recent call last):
...
stp_brainpy.units.UnitError: tau_f must be a time in ms (a brainunit Quantity of that dimension, or a bare number taken in ms); got 2 mV
"""
from __future__ import annotations

import importlib
from typing import Any, Mapping

__all__ = ["UNITS", "PARAM_UNITS", "UnitError", "is_quantity", "to_unit", "to_units", "quantity"]

#: The package's unit of every physical kind, with the kind's name used in messages.
UNITS: dict[str, str] = {
    "ms": "a time",
    "mV": "a potential",
    "nS": "a conductance",
    "pA": "a current",
    "pF": "a capacitance",
    "Hz": "a rate",
    "1": "dimensionless",
}

#: Unit of each parameter name of the package's vocabulary (for entry points that convert by name).
PARAM_UNITS: dict[str, str] = {
    "U": "1", "f": "1", "u0": "1", "x0": "1",
    "tau_f": "ms", "tau_d": "ms", "tau_s": "ms", "tau": "ms", "tau_psc": "ms", "tau_ref": "ms",
    "tau_m": "ms", "tau_E": "ms", "tau_I": "ms", "dt": "ms", "delay": "ms", "duration": "ms",
    "V_th": "mV", "V_reset": "mV", "V_init": "mV", "V_rest": "mV", "E_L": "mV", "E_E": "mV", "E_I": "mV",
    "g_L": "nS", "g_bar": "nS", "gE_bar": "nS", "gI_bar": "nS", "w_E": "nS", "w_I": "nS",
    "I_e": "pA", "I_inj": "pA", "C_m": "pF", "rate": "Hz", "rate_E": "Hz", "rate_I": "Hz",
}


class UnitError(TypeError, ValueError):
    """A Quantity of the wrong dimension for a parameter (a ``TypeError`` and a ``ValueError``)."""


def is_quantity(value: Any) -> bool:
    """True for a brainunit Quantity or Unit (checked by type, without importing brainunit)."""
    return type(value).__module__.split(".")[0] in ("brainunit", "saiunit")


def _bu():
    return importlib.import_module("brainunit")


def _unit_object(unit: str):
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {tuple(UNITS)}; got {unit!r}")
    bu = _bu()
    return None if unit == "1" else getattr(bu, unit)


def to_unit(name: str, value: Any, unit: str) -> Any:
    """``value`` as a plain number/array in ``unit``; bare numbers are returned unchanged.

    Args:
      name: the parameter's name, for the error message.
      value: a number, an array, a brainunit Quantity or Unit, or ``None`` (returned as is).
      unit: one of :data:`UNITS` (``'ms'``, ``'mV'``, ``'nS'``, ``'pA'``, ``'pF'``, ``'Hz'``, ``'1'``).

    Raises:
      UnitError: ``value`` is a Quantity whose dimension is not that of ``unit``.

    Works on traced values too (jit/vmap): the dimension is static, the mantissa is scaled.
    """
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {tuple(UNITS)}; got {unit!r}")
    if value is None or not is_quantity(value):
        return value
    bu = _bu()
    target = _unit_object(unit)
    if isinstance(value, bu.Unit):
        value = 1.0 * value
    want = bu.DIMENSIONLESS if target is None else target.dim
    if bu.get_dim(value) != want:
        kind = UNITS[unit]
        expected = "dimensionless" if target is None else f"{kind} in {unit}"
        bare = "a bare number" if target is None else f"a bare number taken in {unit}"
        raise UnitError(f"{name} must be {expected} (a brainunit Quantity of that dimension, or {bare}); "
                        f"got {value}")
    out = value.to_decimal() if target is None else value.to_decimal(target)
    # a Python int mantissa (2 * u.ms) becomes a float so downstream arrays are not integer-typed
    return float(out) if isinstance(out, int) and not isinstance(out, bool) else out


def to_units(values: Mapping[str, Any], units: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Convert several named values at once; ``units`` defaults to :data:`PARAM_UNITS` (unknown names pass)."""
    units = PARAM_UNITS if units is None else units
    return {k: (to_unit(k, v, units[k]) if k in units else v) for k, v in values.items()}


def quantity(value: Any, unit: str):
    """The inverse: a plain number/array in ``unit`` as a brainunit Quantity (for recorded traces)."""
    target = _unit_object(unit)
    bu = _bu()
    return bu.Quantity(value) if target is None else bu.Quantity(value, unit=target)
