"""Parameter grids: what a sweep runs over.

A grid is a list of *settings* (one value per parameter name), flattened in a fixed order,
plus how to label it: a Cartesian :func:`product` keeps one dimension per parameter; a
:func:`zipped` list or :func:`random_samples` keeps a single ``setting`` dimension with the
parameters as coordinates along it.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from ..units import PARAM_UNITS, accepts_units
__all__ = ["Grid", "product", "zipped", "random_samples", "SETTING_DIM", "SEED_DIM"]

SETTING_DIM = "setting"
SEED_DIM = "seed"


def _as_1d(name: str, values: Any) -> np.ndarray:
    if isinstance(values, (str, bytes)) or values is None:
        raise TypeError(f"values of {name!r} must be numbers (bool, int or float); got {values!r}")
    try:
        arr = np.asarray(values)
    except ValueError:  # ragged lists
        raise ValueError(f"values of {name!r} must be a scalar or a 1-D list; got {values!r}") from None
    if arr.ndim == 0:
        arr = arr[None]
    if arr.ndim != 1:
        raise ValueError(f"values of {name!r} must be a scalar or a 1-D list; got shape {arr.shape}")
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"values of {name!r} must be numbers (bool, int or float); got dtype {arr.dtype}")
    if arr.size == 0:
        raise ValueError(f"parameter {name!r} has no values: a sweep needs at least one setting")
    if arr.dtype.kind == "f" and np.isnan(arr).any():
        raise ValueError(f"values of {name!r} contain NaN; a sweep setting needs a number")
    return arr


@dataclass(frozen=True)
class Grid:
    """A flattened list of settings.

    Attributes
    ----------
    kind : ``'product'``, ``'zipped'`` or ``'random'``.
    axes : for a product, the 1-D values of each parameter (in dimension order); for the
        other kinds, the per-setting values (all of the same length).
    """

    kind: str
    axes: Mapping[str, np.ndarray]
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.axes)

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of the labeled result (before the seed and output dimensions)."""
        if self.kind == "product":
            return tuple(len(v) for v in self.axes.values())
        return (len(next(iter(self.axes.values()))),)

    @property
    def dims(self) -> tuple[str, ...]:
        return self.names if self.kind == "product" else (SETTING_DIM,)

    def __len__(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    def flat(self) -> dict[str, np.ndarray]:
        """Per-setting values of every parameter, each of length ``len(self)`` (C order)."""
        if self.kind == "product":
            mesh = np.meshgrid(*self.axes.values(), indexing="ij")
            return {k: m.reshape(-1) for k, m in zip(self.axes, mesh)}
        return {k: np.asarray(v) for k, v in self.axes.items()}

    def fingerprint(self) -> str:
        h = hashlib.sha256(self.kind.encode())
        for k, v in self.axes.items():
            h.update(k.encode())
            h.update(str(v.dtype).encode())
            h.update(np.ascontiguousarray(v).tobytes())
        return h.hexdigest()

    def describe(self) -> str:
        parts = ", ".join(f"{k}[{len(v)}]" for k, v in self.axes.items())
        return f"{self.kind}({parts}) = {len(self)} settings"


@accepts_units(PARAM_UNITS)
def product(**axes: Any) -> Grid:
    """Cartesian product of the given 1-D value lists; one result dimension per parameter.

    >>> len(product(U=[0.1, 0.5], tau_d=[100., 200., 400.]))
    6
    """
    if not axes:
        raise ValueError("product() needs at least one parameter, e.g. product(U=[0.1, 0.5])")
    return Grid("product", {k: _as_1d(k, v) for k, v in axes.items()})


@accepts_units(PARAM_UNITS)
def zipped(**lists: Any) -> Grid:
    """Settings taken position by position from equal-length lists; result dimension ``setting``.

    >>> len(zipped(U=[0.1, 0.5], tau_d=[100., 200.]))
    2
    """
    if not lists:
        raise ValueError("zipped() needs at least one parameter, e.g. zipped(U=[0.1, 0.5], tau_d=[100, 200])")
    arrs = {k: _as_1d(k, v) for k, v in lists.items()}
    lengths = {k: len(v) for k, v in arrs.items()}
    if len(set(lengths.values())) != 1:
        listing = ", ".join(f"{k}: {n}" for k, n in lengths.items())
        raise ValueError(f"zipped() lists must all have the same length; got {listing}")
    return Grid("zipped", arrs)


@accepts_units(PARAM_UNITS)
def random_samples(n: int, seed: int = 0, **spec: tuple[float, float] | Callable) -> Grid:
    """``n`` random settings; result dimension ``setting``.

    Each parameter is either ``(low, high)`` (uniform on [low, high)) or a callable
    ``f(rng: numpy.random.Generator, n) -> array of n values``. The draw is reproducible
    from ``seed`` (NumPy's PCG64) and recorded in the store fingerprint.

    >>> g = random_samples(4, seed=1, U=(0.05, 0.9), tau_d=lambda rng, n: rng.choice([100., 200.], n))
    >>> len(g)
    4
    """
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"random_samples() needs an integer number of settings n; got {n!r}")
    if n < 1:
        raise ValueError(f"random_samples() needs n >= 1 settings; got n={n}")
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"random_samples() needs an integer seed; got {seed!r}")
    if seed < 0:
        raise ValueError(f"random_samples() needs a seed >= 0; got {seed}")
    n = int(n)
    if not spec:
        raise ValueError("random_samples() needs at least one parameter, e.g. U=(0.05, 0.9)")
    rng = np.random.default_rng(seed)
    out = {}
    for k, s in spec.items():
        if callable(s):
            vals = np.asarray(s(rng, n))
            if vals.shape != (n,):
                raise ValueError(f"sampler for {k!r} must return {n} values; got shape {vals.shape}")
        else:
            try:
                if isinstance(s, (str, bytes)):
                    raise TypeError
                lo, hi = (float(a) for a in s)
            except (TypeError, ValueError):
                raise TypeError(f"{k!r} must be (low, high) or a callable(rng, n); got {s!r}") from None
            if not (np.isfinite(lo) and np.isfinite(hi)):
                raise ValueError(f"{k!r}: (low, high) must be finite; got ({lo}, {hi})")
            if not hi >= lo:
                raise ValueError(f"{k!r}: need low <= high; got ({lo}, {hi})")
            vals = rng.uniform(lo, hi, n)
        out[k] = _as_1d(k, vals)
    return Grid("random", out, {"seed": int(seed)})
