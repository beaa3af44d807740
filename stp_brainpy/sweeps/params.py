"""Declared parameter ranges of sweep models, checked on concrete values before anything runs.

A model declares what each parameter may be (:class:`Range`, :class:`Choice`) and the
rules that tie parameters together (``rate·dt ≤ 1``, Euler's ``dt < τ``, a run at least
one step long), with :func:`declare`. The same :class:`ParamSpec` is checked

- by :func:`~stp_brainpy.sweeps.sweep` against the grid and the static arguments, before
  anything is traced, computed or written (inside the compiled run the values are tracers
  and cannot be checked), and by the ``stp-brainpy sweep`` command through it;
- by the model itself when it is called directly with numbers (tracers are skipped).

A refusal is a ``ValueError`` naming the parameter, the valid range and the value given
(a ``TypeError`` for strings, ``None`` or complex numbers where a number is needed).
"""
from __future__ import annotations

import inspect
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..core.validation import check_range, is_concrete

__all__ = ["Range", "Choice", "ParamSpec", "declare", "spec_of", "rate_dt_rule", "euler_dt_rule",
           "min_steps_rule", "divides_steps_rule", "check_call_values", "family_ranges"]


def _numeric(name: str, value: Any) -> np.ndarray | None:
    """``value`` as a float array, None for tracers; TypeError for anything but real numbers."""
    if not is_concrete(value):
        return None
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be a number; got {value!r}")
    arr = np.asarray(value)
    if arr.dtype == object:
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a number or an array of numbers; got {value!r}") from None
    if arr.dtype.kind not in "iuf":
        what = {"b": "a bool", "c": "a complex number", "U": "a string", "S": "a string"}.get(arr.dtype.kind,
                                                                                            f"dtype {arr.dtype}")
        raise TypeError(f"{name} must be a real number; got {what} ({value!r})")
    return arr.astype(float)


@dataclass(frozen=True)
class Range:
    """Numbers in an interval; ``None`` bounds are ±inf (inf itself is accepted unless ``finite``).

    ``integer`` refuses fractional values (2.7) instead of truncating; ``static`` means the
    value shapes the computation (a count, a step) and cannot be a grid axis; ``optional``
    accepts ``None``.
    """

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    unit: str = ""
    integer: bool = False
    finite: bool = False
    static: bool = False
    optional: bool = False
    long_name: str = ""  # what the parameter is, for the result's CF attributes (.meta)

    def describe(self) -> str:
        lo = "-inf" if self.low is None else f"{self.low:g}"
        hi = "inf" if self.high is None else f"{self.high:g}"
        lo_br = "(" if (self.low_open or (self.low is None and self.finite)) else "["
        hi_br = ")" if (self.high_open or (self.high is None and self.finite)) else "]"
        return f"{lo_br}{lo}, {hi}{hi_br}" + (f" {self.unit}" if self.unit else "")

    def check(self, name: str, value: Any) -> None:
        if value is None and self.optional:
            return
        if self.integer and (isinstance(value, (bool, np.bool_)) or (isinstance(value, float) and math.isnan(value))):
            raise TypeError(f"{name} must be an integer; got {value!r}")
        arr = _numeric(name, value)
        if arr is None:
            return
        low, high, low_open, high_open = self.low, self.high, self.low_open, self.high_open
        # a missing bound is ±inf, excluded for finite ranges and included (a meant limit) otherwise
        low, low_open = (-np.inf, self.finite) if low is None else (low, low_open)
        high, high_open = (np.inf, self.finite) if high is None else (high, high_open)
        check_range(name, arr, low, high, low_open=low_open, high_open=high_open, unit=self.unit)
        if self.integer:
            frac = arr[np.isfinite(arr) & (arr != np.round(arr))]
            if frac.size:
                raise ValueError(f"{name} must be an integer; got {frac.ravel()[0]:g}")


@dataclass(frozen=True)
class Choice:
    """One of a few strings (always static)."""

    options: tuple[str, ...]
    static: bool = True

    def describe(self) -> str:
        return "one of " + ", ".join(repr(o) for o in self.options)

    def check(self, name: str, value: Any) -> None:
        if not isinstance(value, str):
            raise TypeError(f"{name} must be one of {self.options}; got {value!r}")
        if value not in self.options:
            raise ValueError(f"{name} must be one of {self.options}; got {value!r}")


Rule = Callable[[Mapping[str, Any]], None]


def family_ranges(model: str) -> dict[str, Range]:
    """The continuous parameters of an STP variant as :class:`Range` objects, taken from the core's
    registry (:data:`stp_brainpy.core.family.RANGES`), so a sweep refuses exactly what the core refuses."""
    from ..core import family

    out = {}
    for name, (low, high, low_open, high_open) in family.RANGES[family.check_model(model)].items():
        unit = "ms" if name.startswith("tau") else ""
        # an infinite upper bound is None: included (a meant limit) unless the core excludes it
        out[name] = Range(low, None if math.isinf(high) else high, low_open=low_open, high_open=high_open,
                          finite=math.isinf(high) and high_open, unit=unit)
    return out


@dataclass(frozen=True)
class ParamSpec:
    """What a model's parameters may be: per-name checks, cross-parameter rules, defaults of
    parameters the model's signature does not show (passed on through ``**kwargs``), and the
    units and long names of its outputs."""

    params: Mapping[str, Range | Choice]
    rules: tuple[Rule, ...] = ()
    defaults: Mapping[str, Any] = field(default_factory=dict)
    #: ``{output: (units, long_name)}`` of what the model returns (CF attributes, see :mod:`.meta`)
    outputs: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    def check(self, values: Mapping[str, Any]) -> None:
        """Check every declared parameter present in ``values``, then the rules."""
        for name, value in values.items():
            check = self.params.get(name)
            if check is not None:
                check.check(name, value)
        merged = {**self.defaults, **values}
        for rule in self.rules:
            rule(merged)

    def static_names(self) -> set[str]:
        return {k for k, c in self.params.items() if c.static}


def declare(spec: ParamSpec) -> Callable[[Callable], Callable]:
    """Attach ``spec`` to a sweep model (``model.sweep_params``); the function is unchanged."""
    def attach(fn: Callable) -> Callable:
        fn.sweep_params = spec  # type: ignore[attr-defined]
        return fn

    return attach


def spec_of(run: Callable) -> ParamSpec | None:
    return getattr(getattr(run, "func", run), "sweep_params", None)


def _signature_defaults(run: Callable) -> dict[str, Any]:
    fn = getattr(run, "func", run)
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return {}
    out = {p.name: p.default for p in sig.parameters.values() if p.default is not p.empty}
    out.update(getattr(run, "keywords", None) or {})  # functools.partial
    return out


def check_call_values(run: Callable, axes: Mapping[str, np.ndarray], static: Mapping[str, Any],
                      product_grid: bool) -> None:
    """Check a sweep's grid values and static arguments against ``run``'s declared ranges.

    For a product grid the rules see each axis's extremes, placed on its own broadcast axis:
    every rule is monotone in each parameter, so a violation shows at some corner, and
    the check stays tiny however large the grid. Zipped and random grids are checked
    setting by setting.
    """
    spec = spec_of(run)
    if spec is None:
        return
    swept_static = sorted(set(axes) & spec.static_names())
    if swept_static:
        name = swept_static[0]
        raise ValueError(
            f"{name} cannot be a grid axis of {getattr(run, '__name__', 'this model')}() (it fixes the shape or the "
            f"steps of the computation; valid values: {spec.params[name].describe()}): pass it in static= "
            "and run one sweep per value"
        )
    for name, axis in axes.items():
        check = spec.params.get(name)
        if check is not None:
            check.check(name, axis)
    for name, value in static.items():
        check = spec.params.get(name)
        if check is not None:
            check.check(name, value)
    values: dict[str, Any] = {**spec.defaults, **_signature_defaults(run), **static}
    k = len(axes)
    for i, (name, v) in enumerate(axes.items()):
        v = np.asarray(v, dtype=float)
        if product_grid:
            shape = [1] * k
            shape[i] = 2
            v = np.array([v.min(), v.max()]).reshape(shape)
        values[name] = v
    for rule in spec.rules:
        rule(values)


# ----------------------------------------------------------------------------------------------
# rules (each sees concrete numbers or arrays that broadcast together; tracers are skipped)
# ----------------------------------------------------------------------------------------------
def _concrete(values: Mapping[str, Any], names: Sequence[str]) -> list | None:
    out = []
    for n in names:
        v = values.get(n)
        if v is None or not is_concrete(v) or isinstance(v, (str, bytes, bool)):
            return None
        try:
            out.append(np.asarray(v, dtype=float))
        except (TypeError, ValueError):
            return None
    return out


def _at_first(mask: np.ndarray, **arrays: np.ndarray) -> dict[str, float]:
    idx = tuple(np.argwhere(mask)[0]) if mask.ndim else ()
    out = {}
    for k, a in arrays.items():
        b = np.broadcast_to(a, mask.shape)
        out[k] = float(b[idx])
    return out


def rate_dt_rule(rate: str, dt: str = "dt") -> Rule:
    """Bernoulli-per-step trains: at most one spike per step, ``rate·dt ≤ 1`` (Hz × ms / 1000)."""
    def rule(values):
        got = _concrete(values, (rate, dt))
        if got is None:
            return
        r, d = got
        p = r * d / 1000.0
        bad = np.asarray(p > 1.0)
        if bad.any():
            at = _at_first(bad, r=r, d=d)
            raise ValueError(
                f"{rate}·{dt} must be <= 1 (a spike probability per step); got {rate}={at['r']:g} Hz with "
                f"{dt}={at['d']:g} ms, i.e. {at['r'] * at['d'] / 1000:g}: use a smaller {dt} or a lower {rate}"
            )
    return rule


def euler_dt_rule(taus: Sequence[str], dt: str = "dt", method: str = "method") -> Rule:
    """``method='euler'`` is stable and meaningful only for ``dt`` below every time constant."""
    def rule(values):
        if values.get(method) != "euler":
            return
        for tau in taus:
            got = _concrete(values, (tau, dt))
            if got is None:
                continue
            t, d = got
            bad = np.asarray(d >= t)
            if bad.any():
                at = _at_first(bad, t=t, d=d)
                raise ValueError(
                    f"method='euler' needs dt < {tau}; got dt={at['d']:g} ms with {tau}={at['t']:g} ms: "
                    "use a smaller dt or method='exact'"
                )
    return rule


def min_steps_rule(duration: str = "duration", dt: str = "dt") -> Rule:
    """A run covers at least one step: ``round(duration / dt) ≥ 1``."""
    def rule(values):
        got = _concrete(values, (duration, dt))
        if got is None:
            return
        T, d = got
        bad = np.asarray(np.round(T / d) < 1)
        if bad.any():
            at = _at_first(bad, T=T, d=d)
            raise ValueError(f"{duration} must cover at least one step of dt={at['d']:g} ms; got "
                             f"{duration}={at['T']:g} ms")
    return rule


def divides_steps_rule(decimate: str = "decimate", duration: str = "duration", dt: str = "dt") -> Rule:
    """Decimated traces keep every ``decimate``-th step: it must divide the number of steps."""
    def rule(values):
        got = _concrete(values, (decimate, duration, dt))
        if got is None:
            return
        k, T, d = (float(np.max(a)) for a in got)
        n = int(round(T / d))
        if k >= 1 and n % int(k):
            raise ValueError(f"{decimate} must divide the number of steps round({duration}/{dt}) = {n}; got {k:g}")
    return rule
