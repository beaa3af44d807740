"""Parameter checks shared by every public entry point.

Eager checks
    Every ``check_*`` helper inspects *concrete* values (Python numbers, NumPy arrays, JAX arrays
    that are not tracers, brainpy ``Variable`` s) and raises at once: a ``ValueError`` naming the
    parameter, its valid range and what was given (``U must lie in (0, 1]; got 1.5``), or a
    ``TypeError`` naming the parameter when a number was expected and a string, complex number,
    ``None`` or bool came (:class:`ParameterTypeError`, which is also a ``ValueError`` so callers
    that catch ``ValueError`` keep working).

Traced values
    Inside ``jax.jit`` / ``jax.vmap`` / ``jax.grad`` the arguments are tracers; their values are not
    known while the function is traced, so the eager checks skip them and the numerics stay free of
    Python-side control flow. To check traced values anyway, opt in with :func:`checked`, built on
    ``jax.experimental.checkify``::

        from stp_brainpy.core import stp
        from stp_brainpy.core.validation import checked

        f = checked(lambda U: stp.steady_state(U, tau_f=100.0, tau_d=200.0, isi=20.0)[2], jit=True)
        f(0.3)                      # fine
        f(jax.numpy.asarray(1.5))   # raises JaxRuntimeError (a ValueError): U must lie in (0, 1]; got 1.5

    Under :func:`checked` every helper below that meets a tracer adds a ``checkify.check`` with the
    same message (the first offending entry is reported); :func:`checked` then throws the first
    failure as ``checkify.JaxRuntimeError``. ``jax.vmap`` inside the checked function is fine.
    Outside :func:`checked` tracers are never checked (no cost).
"""
from __future__ import annotations

import numbers
from typing import Any, Iterable, Mapping

import numpy as np

from ._checked_mode import _checking_active, checked, checking

__all__ = [
    "is_concrete",
    "check_range",
    "check_positive",
    "check_probability",
    "check_method",
    "check_broadcastable",
    "check_binary",
    "check_number",
    "check_finite",
    "check_integer",
    "check_spike_times",
    "check_choice",
    "check_size",
    "check_numbers",
    "checked",
    "checking",
    "ParameterTypeError",
    "METHODS",
]

METHODS = ("exact", "euler")


class ParameterTypeError(TypeError, ValueError):
    """A number was expected and something else came (str, complex, None, bool, object).

    A ``TypeError`` by the package's rule, and a ``ValueError`` too so that code catching
    ``ValueError`` for every bad parameter (the CLI, the sweeps) still catches it.
    """


def is_concrete(value: Any) -> bool:
    """True when ``value`` holds numbers (not a JAX tracer)."""
    try:
        import jax.core

        if isinstance(value, jax.core.Tracer):
            return False
    except Exception:  # pragma: no cover - jax always present
        pass
    return True


def _unwrap(value: Any) -> Any:
    if hasattr(value, "value") and not isinstance(value, np.ndarray) and not isinstance(value, numbers.Number):
        inner = value.value  # brainpy Variable
        if not callable(inner):
            return inner
    return value


def _describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def _type_error(name: str, value: Any, what: str = "a number or an array of numbers") -> ParameterTypeError:
    return ParameterTypeError(f"{name} must be {what}; got {_describe(value)}")


def _numeric_array(name: str, value: Any, allow_bool: bool = True) -> np.ndarray:
    """``value`` as a float array, or a ``ParameterTypeError`` naming ``name``."""
    if value is None or isinstance(value, (str, bytes)):
        raise _type_error(name, value)
    if isinstance(value, bool) and not allow_bool:
        raise _type_error(name, value, "a number (not a bool)")
    try:
        raw = np.asarray(value)
    except Exception:
        raise _type_error(name, value) from None
    kind = raw.dtype.kind
    if kind == "b" and not allow_bool:
        raise _type_error(name, value, "a number (not a bool)")
    if kind == "c":
        raise _type_error(name, value, "a real number (not complex)")
    if kind not in "biuf":
        try:
            raw = raw.astype(float)
        except (TypeError, ValueError):
            raise _type_error(name, value) from None
    return raw.astype(float, copy=False)


def _as_array(value: Any, name: str = "value") -> np.ndarray | None:
    if value is None or not is_concrete(value):
        return None
    value = _unwrap(value)
    if not is_concrete(value):
        return None
    return _numeric_array(name, value)


def _traced(value: Any) -> Any | None:
    """The JAX value to check under :func:`checked`, or None when there is nothing to do."""
    value = _unwrap(value)
    if value is None or is_concrete(value) or not _checking_active():
        return None
    return value


def _traced_check(bad, value, message: str) -> None:
    """``checkify.check`` that nothing in ``bad`` holds; ``{v}`` in ``message`` is the first offender."""
    import jax.numpy as jnp
    from jax.experimental import checkify

    bad = jnp.asarray(bad)
    vals = jnp.broadcast_to(jnp.asarray(value), bad.shape).ravel()
    first = vals[jnp.argmax(bad.ravel())] if bad.size else jnp.zeros(())
    checkify.check(~jnp.any(bad), message, v=first)


def _interval(low, high, low_open, high_open, unit) -> str:
    lo_br = "(" if low_open else "["
    hi_br = ")" if (high_open or high is None) else "]"
    lo_txt = "-inf" if low is None else f"{low:g}"
    hi_txt = "inf" if high is None else f"{high:g}"
    return f"{lo_br}{lo_txt}, {hi_txt}{hi_br}" + (f" {unit}" if unit else "")


def _bad_range(xp, arr, low, high, low_open, high_open):
    bad = xp.isnan(arr)
    if low is not None:
        bad = bad | ((arr <= low) if low_open else (arr < low))
    if high is not None:
        bad = bad | ((arr >= high) if high_open else (arr > high))
    return bad


def check_range(name: str, value: Any, low: float | None = None, high: float | None = None,
                low_open: bool = False, high_open: bool = False, unit: str = "") -> None:
    """Raise ``ValueError`` naming ``name`` and the accepted interval if any entry lies outside it.

    NaN is always refused; ``None`` is skipped (an unset optional parameter); a string or complex
    value raises :class:`ParameterTypeError`.
    """
    interval = _interval(low, high, low_open, high_open, unit)
    traced = _traced(value)
    if traced is not None:
        import jax.numpy as jnp

        _traced_check(_bad_range(jnp, traced, low, high, low_open, high_open), traced,
                      f"{name} must lie in {interval}; got {{v}}")
        return
    arr = _as_array(value, name)
    if arr is None:
        return
    bad = _bad_range(np, arr, low, high, low_open, high_open)
    if np.any(bad):
        offending = arr[bad].ravel()[:3]
        raise ValueError(
            f"{name} must lie in {interval}; got {', '.join(f'{v:g}' for v in offending)}"
            + (" (and more)" if bad.sum() > 3 else "")
        )


def check_positive(name: str, value: Any, unit: str = "ms") -> None:
    """``value > 0`` (time constants, dt, conductances, capacitances)."""
    check_range(name, value, 0.0, None, low_open=True, unit=unit)


def check_probability(name: str, value: Any) -> None:
    """``0 < value <= 1`` (the release increment U)."""
    check_range(name, value, 0.0, 1.0, low_open=True)


def check_method(method: str) -> str:
    return check_choice("method", method, METHODS)


def check_broadcastable(params: Mapping[str, Any]) -> tuple[int, ...]:
    """Common broadcast shape of named arrays, or a ``ValueError`` listing every shape."""
    shapes = {k: np.shape(v) for k, v in params.items() if v is not None}
    try:
        return tuple(np.broadcast_shapes(*shapes.values())) if shapes else ()
    except ValueError:
        listing = ", ".join(f"{k}{list(s)}" for k, s in shapes.items())
        raise ValueError(
            f"parameter batch shapes do not broadcast together: {listing}; "
            "give scalars or arrays whose shapes broadcast (e.g. all (B,) or (B, 1) with (1, N))"
        ) from None


def check_binary(name: str, value: Any) -> None:
    """Entries must be 0 or 1 (a spike indicator per step)."""
    arr = _as_array(value, name)
    if arr is None:
        return
    if not np.all((arr == 0) | (arr == 1)):
        bad = np.unique(arr[(arr != 0) & (arr != 1)])[:3]
        raise ValueError(
            f"{name} must be binary (0 or 1 per step); found values {', '.join(f'{v:g}' for v in bad)}. "
            "Use a shorter dt or split the train if several spikes fall into one step."
        )


def check_number(name: str, value: Any, *, allow_bool: bool = False) -> None:
    """A real number or an array of real numbers: ``TypeError`` naming ``name`` otherwise.

    Refuses ``None``, strings, bytes, complex values, objects and (unless ``allow_bool``) bools.
    Tracers pass (their dtype is checked by JAX).
    """
    if value is None:
        raise _type_error(name, value)
    value = _unwrap(value)
    if not is_concrete(value):
        return
    _numeric_array(name, value, allow_bool=allow_bool)


def check_finite(name: str, value: Any, unit: str = "") -> None:
    """Every entry finite (no NaN, no ±inf); ``TypeError`` for non-numbers, ``ValueError`` otherwise."""
    if value is None:
        raise _type_error(name, value)
    traced = _traced(value)
    if traced is not None:
        import jax.numpy as jnp

        _traced_check(~jnp.isfinite(traced), traced, f"{name} must be finite; got {{v}}")
        return
    arr = _as_array(value, name)
    if arr is None:
        return
    bad = ~np.isfinite(arr)
    if np.any(bad):
        offending = arr[bad].ravel()[:3]
        raise ValueError(f"{name} must be finite{' (' + unit + ')' if unit else ''}; got "
                         + ", ".join(f"{v:g}" for v in offending))


def check_integer(name: str, value: Any, low: int | None = None, high: int | None = None) -> Any:
    """A single integer (``3``, ``3.0``, ``np.int64(3)``), optionally within ``[low, high]``; returns ``int``.

    ``2.7`` is refused (``ValueError``) rather than truncated; bools, strings, ``None`` and arrays
    with more than one entry raise ``TypeError``. A tracer is returned unchanged.
    """
    value = _unwrap(value)
    if not is_concrete(value):
        return value
    if value is None or isinstance(value, (bool, np.bool_, str, bytes)):
        raise _type_error(name, value, "an integer")
    try:
        raw = np.asarray(value)
    except Exception:
        raise _type_error(name, value, "an integer") from None
    if raw.ndim != 0:
        raise _type_error(name, value, "a single integer")
    if raw.dtype.kind not in "iuf":
        raise _type_error(name, value, "an integer")
    if raw.dtype.kind == "f":
        v = float(raw)
        if not np.isfinite(v) or v != np.floor(v):
            raise ValueError(f"{name} must be an integer; got {v:g}")
    out = int(raw)
    rng = ""
    if low is not None and high is not None:
        rng = f" in [{low}, {high}]"
    elif low is not None:
        rng = f" >= {low}"
    elif high is not None:
        rng = f" <= {high}"
    if (low is not None and out < low) or (high is not None and out > high):
        raise ValueError(f"{name} must be an integer{rng}; got {out}")
    return out


def check_spike_times(name: str, value: Any, *, nonnegative: bool = False, allow_padding: bool = True,
                      unit: str = "ms") -> None:
    """A 1-D array of spike times: finite, non-decreasing, optionally ``>= 0``.

    With ``allow_padding`` (the default) trailing ``+inf`` entries are accepted as padding (trains
    of unequal length stacked for ``vmap``); ``+inf`` before a finite time, ``-inf`` and NaN are
    refused. Raises ``ValueError`` naming ``name``, the rule broken and the first offending entry.
    """
    traced = _traced(value)
    if traced is not None:
        import jax.numpy as jnp

        if traced.ndim != 1:
            raise ValueError(f"{name} must be a 1-D array of spike times; got shape {tuple(traced.shape)}")
        fin = jnp.isfinite(traced)
        pad_ok = (traced == jnp.inf) if allow_padding else jnp.zeros_like(fin)
        _traced_check(~(fin | pad_ok), traced, f"{name} must be finite (inf only as padding at the end); got {{v}}")
        if traced.shape[0] > 1:
            bad_order = (traced[1:] < traced[:-1]) | (fin[1:] & ~fin[:-1])
            _traced_check(bad_order, traced[1:], f"{name} must be sorted (non-decreasing), padding last; got {{v}} "
                          "after a later time")
        if nonnegative:
            _traced_check(fin & (traced < 0), traced, f"{name} must be >= 0 {unit}; got {{v}}")
        return
    if value is None:
        raise _type_error(name, value, "a 1-D array of spike times")
    arr = _as_array(value, name)
    if arr is None:
        return
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of spike times; got shape {arr.shape}")
    if np.any(np.isnan(arr)):
        i = int(np.flatnonzero(np.isnan(arr))[0])
        raise ValueError(f"{name} must not contain NaN; got NaN at index {i}")
    fin = np.isfinite(arr)
    if not np.all(fin):
        i = int(np.flatnonzero(~fin)[0])
        if not allow_padding or arr[i] < 0 or np.any(fin[i:]):
            what = "may hold +inf only as padding at the end" if allow_padding else "must be finite"
            raise ValueError(f"{name} {what}; got {arr[i]:g} at index {i}")
    times = arr[fin]
    if times.size > 1:
        down = np.flatnonzero(np.diff(times) < 0)
        if down.size:
            i = int(down[0])
            raise ValueError(f"{name} must be sorted (non-decreasing); got {times[i + 1]:g} after {times[i]:g} "
                             f"at index {i + 1}")
    if nonnegative and times.size and times.min() < 0:
        raise ValueError(f"{name} must be >= 0 {unit}; got {times.min():g}")


def check_choice(name: str, value: Any, choices: Iterable[Any]) -> Any:
    """``value`` must be one of ``choices``; returns it. ``ValueError`` listing the choices otherwise."""
    choices = tuple(choices)
    for c in choices:
        try:
            if isinstance(value, type(c)) and value == c:
                return value
        except Exception:
            continue
    raise ValueError(f"{name} must be one of {choices}; got {value!r}")


def check_size(name: str, size: Any) -> tuple[int, ...]:
    """A group size: an integer >= 1 or a non-empty sequence of them; returns the shape tuple."""
    dims = tuple(size) if isinstance(size, (tuple, list)) else (size,)
    if not dims:
        raise ValueError(f"{name} must hold at least one dimension; got {size!r}")
    return tuple(check_integer(name, d, low=1) for d in dims)


def check_numbers(**params: Any) -> None:
    """:func:`check_number` on each named value, letting initializers / callables through (brainpy skins)."""
    for name, value in params.items():
        if not callable(value) or isinstance(value, np.ndarray) or not is_concrete(value):
            check_number(name, value)
