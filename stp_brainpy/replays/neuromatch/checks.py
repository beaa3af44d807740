"""Eager checks of the sections' arguments: each refuses with the parameter's name before any JAX call."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ...core.validation import check_finite, check_integer, check_method, check_range
from .parameters import DT

SEED_MAX = 2**32 - 1


def check_seed(seed, name: str = "seed") -> int:
    """A seed: an integer in [0, 2**32 - 1] (2.7 is refused, not truncated)."""
    return check_integer(name, seed, 0, SEED_MAX)


def check_seeds(seeds, name: str = "seeds") -> int | list[int]:
    """A number of seeds (integer ≥ 1, seeds 0..n-1) or a non-empty list of seeds."""
    if isinstance(seeds, (Sequence, np.ndarray)) and not isinstance(seeds, str):
        if len(seeds) == 0:
            raise ValueError(f"{name} must hold at least one seed; got an empty list")
        return [check_seed(s, name) for s in seeds]
    return check_integer(name, seeds, 1, None)


def check_duration(duration, name: str = "duration", minimum: float = DT) -> float:
    """A finite run length in ms of at least one step."""
    check_finite(name, duration, "ms")
    check_range(name, duration, minimum, None, unit="ms (at least one step of dt)")
    return float(duration)


def check_rates(name: str, rates, dt: float = DT, positive: bool = False) -> np.ndarray:
    """Finite input rates (Hz): ≥ 0 (> 0 when ``positive``) with ``rate·dt/1000 ≤ 1``."""
    check_finite(name, rates, "Hz")
    arr = np.atleast_1d(np.asarray(rates, float))
    if arr.size == 0:
        raise ValueError(f"{name} must hold at least one rate; got none")
    check_range(name, arr, 0.0, 1000.0 / dt, low_open=positive,
                unit=f"Hz (rate·dt/1000 ≤ 1: at most one spike per step of {dt:g} ms)")
    return arr


def check_section(method: str, **durations) -> None:
    """The method and every duration of a section."""
    check_method(method)
    for name, value in durations.items():
        check_duration(value, name)
