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

One mechanism for every entry point: classes convert with :func:`to_unit`/:func:`to_units` in their
constructor; functions, dataclasses and NamedTuples of the core, sweeps, fitting and network
description carry :func:`accepts_units` (``@accepts_units(tau_f="ms", tau_d="ms", dt="ms")``), which
converts before the body runs, so before any ``jax.jit``: compiled code never sees a Quantity, traced
values pass through. ``tests/test_units_everywhere.py`` enumerates the public API and checks each
time, potential, conductance, current and rate parameter.

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

import functools
import importlib
import inspect
from typing import Any, Callable, Mapping, Sequence, TypeVar, Union

__all__ = ["UNITS", "PARAM_UNITS", "NAMED", "UnitError", "is_quantity", "to_unit", "to_units", "quantity",
           "accepts_units", "units_of"]

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
    "isi": "ms", "t0": "ms", "spike_times": "ms", "intervals": "ms",
}


class UnitError(TypeError, ValueError):
    """A Quantity of the wrong dimension for a parameter (a ``TypeError`` and a ``ValueError``)."""


def is_quantity(value: Any) -> bool:
    """True for a brainunit Quantity or Unit (checked by type, without importing brainunit)."""
    t = type(value)
    try:
        return _QUANTITY_TYPE[t]
    except KeyError:
        found = _QUANTITY_TYPE[t] = t.__module__.split(".")[0] in ("brainunit", "saiunit")
        return found


#: type -> is it brainunit's? (one dict look-up per argument on the bare-number path)
_QUANTITY_TYPE: dict[type, bool] = {float: False, int: False, bool: False, type(None): False, str: False}


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


#: Unit spec of a parameter that is a mapping of vocabulary names (``{'tau_f': 50 * u.ms, 'U': 0.2}``):
#: each entry is converted by its name with :data:`PARAM_UNITS` (names it lacks pass unchanged).
NAMED = "named"

Spec = Union[str, Sequence[str]]
F = TypeVar("F", bound=Callable[..., Any])


def _has_quantity(value: Any) -> bool:
    t = type(value)
    if t is float or t is int:
        return False
    if is_quantity(value):
        return True
    if t is list or t is tuple:
        return any(_has_quantity(v) for v in value)
    if isinstance(value, Mapping):
        return any(_has_quantity(v) for v in value.values())
    return False


def _convert(name: str, value: Any, spec: Spec) -> Any:
    """``value`` (a Quantity, or lists/tuples/mappings holding Quantities) in the unit ``spec`` names."""
    if spec == NAMED:
        if not isinstance(value, Mapping):
            return value
        return {k: _convert(k, v, PARAM_UNITS[k]) if k in PARAM_UNITS else v for k, v in value.items()}
    if type(value) in (list, tuple):
        return type(value)(_convert(name, v, spec) for v in value)
    if isinstance(value, Mapping):
        return {k: _convert(name, v, spec) for k, v in value.items()}
    if isinstance(spec, str):
        return to_unit(name, value, spec)
    bu = _bu()
    dim = bu.get_dim(1.0 * value if isinstance(value, bu.Unit) else value)
    for unit in spec:
        target = _unit_object(unit)
        if (bu.DIMENSIONLESS if target is None else target.dim) == dim:
            return to_unit(name, value, unit)
    kinds = ", ".join(f"{UNITS[u]} in {u}" for u in spec)
    raise UnitError(f"{name} must be one of: {kinds} (a brainunit Quantity of one of those dimensions, or a bare "
                    f"number taken in the unit the target needs); got {value}")


def _check_spec(name: str, spec: Spec) -> None:
    specs = (spec,) if isinstance(spec, str) else tuple(spec)
    for s in specs:
        if s not in UNITS and s != NAMED:
            raise ValueError(f"unit of {name} must be one of {tuple(UNITS) + (NAMED,)}; got {s!r}")


def _wrap(fn: Callable, units: Mapping[str, Spec], extra: Mapping[str, Spec] | None) -> Callable:
    params = list(inspect.signature(fn).parameters.values())
    positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    missing = [n for n in units if n not in {p.name for p in params}]
    if missing and not any(p.kind is p.VAR_KEYWORD for p in params):
        raise TypeError(f"accepts_units: {fn.__qualname__} has no parameter {missing[0]!r}")
    at = tuple((i, n, units[n]) for i, n in enumerate(positional) if n in units)
    by_name = dict(extra or {})
    by_name.update(units)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        # the bare-number path costs one type check per argument; conversion happens here, before any jit
        for i, name, spec in at:
            if i < len(args) and _has_quantity(args[i]):
                args = args[:i] + (_convert(name, args[i], spec),) + args[i + 1:]
        for k, v in kwargs.items():
            if k in by_name and _has_quantity(v):
                kwargs[k] = _convert(k, v, by_name[k])
        return fn(*args, **kwargs)

    wrapper.__stp_units__ = dict(by_name)  # type: ignore[attr-defined]
    return wrapper


def accepts_units(extra: Mapping[str, Spec] | None = None, /, **units: Spec) -> Callable[[F], F]:
    """Decorator: the named parameters take brainunit Quantities, converted to the package's units.

    ``@accepts_units(tau_f="ms", tau_d="ms", dt="ms")`` on a function converts those arguments with
    :func:`to_unit` on every call, before the body runs (so before any ``jax.jit`` inside it): a bare
    number is passed unchanged (taken in the documented unit), a Quantity is converted, a Quantity of
    another dimension raises :class:`UnitError` naming the parameter and the expected unit. Lists,
    tuples and mappings holding Quantities (spike times, ``(low, high)`` bounds) are converted element
    by element; traced values pass through unchanged. A spec may be

    * a unit of :data:`UNITS` (``"ms"``, ``"mV"``, ``"nS"``, ``"pA"``, ``"pF"``, ``"Hz"``, ``"1"``),
    * a tuple of units, where the target decides (``weight=("mV", "nS", "pA")``): a Quantity of any of
      those dimensions is converted to that dimension's unit,
    * :data:`NAMED`: the argument is a mapping of vocabulary names converted entry by entry.

    ``extra`` (positional) is a table for keyword arguments gathered by ``**kwargs`` (e.g.
    :data:`PARAM_UNITS`). On a class the decorator wraps ``__init__`` (``__new__`` for a NamedTuple),
    so it works on dataclasses when placed above ``@dataclass``. The table is kept as
    ``__stp_units__`` (see :func:`units_of`).

    >>> import brainunit as u
    >>> @accepts_units(tau="ms")
    ... def decay(tau, n=1):
    ...     return tau * n
    >>> decay(0.5 * u.second)
    500.0
    """
    for name, spec in {**(extra or {}), **units}.items():
        _check_spec(name, spec)

    def decorate(obj):
        if not isinstance(obj, type):
            return _wrap(obj, units, extra)
        if issubclass(obj, tuple) and hasattr(obj, "_fields"):
            obj.__new__ = staticmethod(_wrap(obj.__new__, units, extra))  # type: ignore[assignment]
        else:
            obj.__init__ = _wrap(obj.__init__, units, extra)  # type: ignore[misc]
        obj.__stp_units__ = {**getattr(obj, "__stp_units__", {}), **(extra or {}), **units}
        return obj

    return decorate


def units_of(obj: Any) -> dict[str, Spec]:
    """The ``{parameter: unit spec}`` table :func:`accepts_units` recorded on ``obj`` (empty if none)."""
    return dict(getattr(obj, "__stp_units__", None) or {})
