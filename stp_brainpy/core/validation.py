"""Parameter checks shared by every public entry point.

Checks run on concrete values only: inside ``jax.jit`` / ``jax.vmap`` the
arguments are tracers and are validated by the (eager) caller instead, so the
numerics stay free of Python-side control flow.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np

__all__ = [
    "is_concrete",
    "check_range",
    "check_positive",
    "check_probability",
    "check_method",
    "check_broadcastable",
    "check_binary",
    "METHODS",
]

METHODS = ("exact", "euler")


def is_concrete(value: Any) -> bool:
    """True when ``value`` holds numbers (not a JAX tracer)."""
    try:
        import jax.core

        if isinstance(value, jax.core.Tracer):
            return False
    except Exception:  # pragma: no cover - jax always present
        pass
    return True


def _as_array(value: Any) -> np.ndarray | None:
    if value is None or not is_concrete(value):
        return None
    if hasattr(value, "value") and not isinstance(value, np.ndarray):  # brainpy Variable
        value = value.value
        if not is_concrete(value):
            return None
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"expected a number or an array of numbers, got {value!r}") from None


def check_range(name: str, value: Any, low: float | None = None, high: float | None = None,
                low_open: bool = False, high_open: bool = False, unit: str = "") -> None:
    """Raise ``ValueError`` naming ``name`` and the accepted interval if any entry lies outside it."""
    arr = _as_array(value)
    if arr is None:
        return
    lo_br = "(" if low_open else "["
    hi_br = ")" if (high_open or high is None) else "]"
    lo_txt = "-inf" if low is None else f"{low:g}"
    hi_txt = "inf" if high is None else f"{high:g}"
    interval = f"{lo_br}{lo_txt}, {hi_txt}{hi_br}" + (f" {unit}" if unit else "")
    bad = np.isnan(arr)
    if low is not None:
        bad |= (arr <= low) if low_open else (arr < low)
    if high is not None:
        bad |= (arr >= high) if high_open else (arr > high)
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
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}; got {method!r}")
    return method


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
    arr = _as_array(value)
    if arr is None:
        return
    if not np.all((arr == 0) | (arr == 1)):
        bad = np.unique(arr[(arr != 0) & (arr != 1)])[:3]
        raise ValueError(
            f"{name} must be binary (0 or 1 per step); found values {', '.join(f'{v:g}' for v in bad)}. "
            "Use a shorter dt or split the train if several spikes fall into one step."
        )
