r"""Per-synapse values of the network description: :class:`Uniform`, :class:`Normal`, :func:`sample`, and the
unit a projection's weight must have.

Units. A distribution takes bare numbers, taken in the documented unit of the parameter it is used for
(``Uniform(0.5, 1.5)`` as a conductance weight is 0.5–1.5 nS, as a delay 0.5–1.5 ms), or brainunit Quantities
(``Uniform(0.5 * u.nS, 1.5 * u.nS)``, ``Normal(1 * u.ms, 200 * u.us)``), converted at construction to the
package's unit of their dimension (ms, mV, nS, pA, pF, Hz) and remembered in ``unit``. All its Quantities must
share one dimension. Mixing a Quantity with a bare number is refused as ambiguous, except ``0`` and ``±inf``
(the same in every unit, e.g. ``Normal(1 * u.nS, 0.5 * u.nS, low=0)``); ``unit=`` may also be given explicitly,
and then bare numbers are taken in it (what :func:`dataclasses.replace` relies on). Where the distribution is
used, its ``unit`` is checked against the parameter's: a ``Uniform`` in pA as a conductance weight, or in mV as
a delay, raises :class:`~stp_brainpy.units.UnitError`. Sampling always returns plain numbers in the package's
units.

Weights (:func:`weight_unit`): ``output='conductance'`` (``synapse='exp'``) in nS; ``output='current'`` with
``synapse='delta'`` a voltage jump in mV (``CurrentLIF`` only); ``output='current'`` with ``synapse='exp'`` in
the unit of the target's input: mV into ``CurrentLIF`` and ``HomeworkLIF`` (their input current is written in
mV, :math:`\tau_m \dot V = -(V - E_L) + I`), pA into ``CondLIFModel``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

from ..core.validation import check_finite, check_number, check_range
from ..units import UNITS, UnitError, is_quantity, to_unit
from .populations import CondLIFModel

__all__ = ["Uniform", "Normal", "sample", "is_scalar", "weight_unit"]


def quantity_unit(name: str, value: Any) -> Optional[str]:
    """The package unit (a key of :data:`~stp_brainpy.units.UNITS`) of a Quantity's dimension; ``None`` for a bare
    number. Lists and tuples of Quantities must agree. A dimension the package does not use raises
    :class:`UnitError`."""
    if isinstance(value, (list, tuple)):
        found = {quantity_unit(name, v) for v in value} - {None}
        if len(found) > 1:
            raise UnitError(f"{name} mixes dimensions {sorted(found)}; got {value!r:.80}")
        return found.pop() if found else None
    if not is_quantity(value):
        return None
    for unit in UNITS:
        try:
            to_unit(name, value, unit)
        except UnitError:
            continue
        return unit
    raise UnitError(f"{name} must be one of: " + ", ".join(f"{k} in {u}" for u, k in UNITS.items())
                    + f"; got {value}")


def _unit_free(value: Any) -> bool:
    """0 and ±inf mean the same in every unit."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return False
    return v == 0.0 or np.isinf(v)


def _in_one_unit(cls: str, values: dict, unit: Optional[str]) -> tuple[dict, Optional[str]]:
    """``values`` (bare numbers or Quantities) as bare numbers in one unit, and that unit (None: all bare)."""
    if unit is not None and unit not in UNITS:
        raise ValueError(f"{cls} unit must be one of {tuple(UNITS)} or None; got {unit!r}")
    given = {k: quantity_unit(f"{cls} {k}", v) for k, v in values.items()}
    dims = {u for u in given.values() if u is not None}
    if unit is None and len(dims) > 1:
        raise UnitError(f"{cls} needs its Quantities in one dimension; got "
                        + ", ".join(f"{k}={values[k]}" for k, u in given.items() if u is not None))
    target = unit if unit is not None else (dims.pop() if dims else None)
    if target is None:
        return dict(values), None
    out = {}
    for k, v in values.items():
        if given[k] is not None:
            out[k] = to_unit(f"{cls} {k}", v, target)
        elif unit is None and not _unit_free(v):
            raise UnitError(f"{cls} {k}={v!r} is a bare number while the other values are Quantities in {target}: "
                            f"give {k} as a Quantity too (or all values as bare numbers in the documented unit)")
        else:
            out[k] = v
    return out, target


def _set(obj, values: dict, unit: Optional[str]) -> None:
    for k, v in values.items():
        object.__setattr__(obj, k, v)
    object.__setattr__(obj, "unit", unit)


@dataclass(frozen=True)
class Uniform:
    """Uniform on ``[low, high]`` per synapse (``low <= high``, both finite).

    ``low``, ``high``: bare numbers in the documented unit of the parameter the distribution is used for, or
    brainunit Quantities of one dimension (converted to the package's unit, recorded in ``unit``); see the
    module docstring. ``unit``: the unit of bare ``low``/``high`` (default ``None``: the parameter's own).

    >>> import brainunit as u
    >>> Uniform(0.5 * u.uS, 1.5 * u.uS).unit
    'nS'
    """

    low: float
    high: float
    unit: Optional[str] = field(default=None, kw_only=True)

    def __post_init__(self):
        values, unit = _in_one_unit("Uniform", {"low": self.low, "high": self.high}, self.unit)
        _set(self, values, unit)
        check_finite("low", self.low)
        check_finite("high", self.high)
        if self.low > self.high:
            raise ValueError(f"Uniform needs low <= high; got {self.low}, {self.high}")

    def sample(self, rng, n):
        return rng.uniform(self.low, self.high, n)


@dataclass(frozen=True)
class Normal:
    """Normal(``mean``, ``std``) per synapse, truncated to ``[low, high]`` by redrawing (``std >= 0``, ``low < high``).

    Values are bare numbers in the documented unit of the parameter the distribution is used for, or brainunit
    Quantities of one dimension (converted, recorded in ``unit``); bare ``low``/``high`` of 0 or ±inf go with
    Quantities (see the module docstring).

    >>> import brainunit as u
    >>> Normal(2 * u.nS, 0.5 * u.nS, low=0).unit
    'nS'
    """

    mean: float
    std: float
    low: float = -np.inf
    high: float = np.inf
    unit: Optional[str] = field(default=None, kw_only=True)

    def __post_init__(self):
        values, unit = _in_one_unit("Normal", {"mean": self.mean, "std": self.std, "low": self.low,
                                               "high": self.high}, self.unit)
        _set(self, values, unit)
        check_finite("mean", self.mean)
        check_finite("std", self.std)
        check_range("std", self.std, 0.0, None)
        if not self.low < self.high:
            raise ValueError(f"Normal needs low < high; got {self.low}, {self.high}")

    def sample(self, rng, n):
        out = rng.normal(self.mean, self.std, n)
        bad = (out < self.low) | (out > self.high)
        for _ in range(1000):
            if not bad.any():
                break
            out[bad] = rng.normal(self.mean, self.std, int(bad.sum()))
            bad = (out < self.low) | (out > self.high)
        return np.clip(out, self.low, self.high)


DISTRIBUTIONS = (Uniform, Normal)


def sample(value, rng, n: int, name: str) -> np.ndarray:
    """``n`` per-synapse values from a number, an array of ``n``, a distribution or ``callable(rng, n)``."""
    if hasattr(value, "sample"):
        out = value.sample(rng, n)
    elif callable(value):
        out = value(rng, n)
        if is_quantity(out):
            raise TypeError(f"{name}: a callable (rng, n) must return bare numbers in the documented unit of "
                            f"{name}, not a brainunit Quantity; got {out!r:.60}")
    else:
        check_number(name, value)
        out = value
    out = np.asarray(out, float)
    if not hasattr(value, "sample") and not callable(value):
        if out.ndim == 1 and out.size != n:
            raise ValueError(f"{name} must be a scalar or one value per synapse ({n}); got {out.size}")
        out = np.broadcast_to(out, (n,))
    if out.shape != (n,):
        raise ValueError(f"{name} must give {n} values; got shape {out.shape}")
    check_finite(name, out)
    return out


def is_scalar(value) -> bool:
    return not hasattr(value, "sample") and not callable(value) and np.ndim(value) == 0


# ---------------------------------------------------------------- units of a value where it is used
def given_unit(name: str, value: Any) -> Optional[str]:
    """The unit ``value`` carries: a Quantity's (or a list of them), a distribution's ``unit``; None when bare."""
    if isinstance(value, DISTRIBUTIONS):
        return value.unit
    return quantity_unit(name, value)


def weight_unit(output: str, synapse: str, neuron: Any = None) -> tuple[str, ...]:
    """The units a projection's weight may have (one, once the target ``neuron`` model is known)."""
    if output == "conductance":
        return ("nS",)
    if synapse == "delta":
        return ("mV",)
    if neuron is None:
        return ("mV", "pA")
    return ("pA",) if isinstance(neuron, CondLIFModel) else ("mV",)


def _what(value: Any) -> str:
    return str(value) if is_quantity(value) else f"{value!r:.100}"


def check_value_unit(name: str, value: Any, given: Optional[str], allowed: tuple[str, ...], why: str) -> None:
    """``UnitError`` naming ``name`` when the unit ``given`` with ``value`` is not one of ``allowed``."""
    if given is None or given in allowed:
        return
    expected = " or ".join(f"{UNITS[u]} in {u}" for u in allowed)
    raise UnitError(f"{name} must be {expected}{' ' + why if why else ''} (a brainunit Quantity of that dimension, or a bare number "
                    f"taken in {'/'.join(allowed)}); got {_what(value)}")

