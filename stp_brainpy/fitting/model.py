"""The fitted model: which family parameters are free, their bounds and unconstrained coordinates.

The equations come from :mod:`stp_brainpy.core.family` only; this module maps an unconstrained vector
``z`` to the family's parameters and evaluates the predicted amplitudes of every protocol.

Coordinates: a parameter bounded on both sides by ``lo >= 0`` with ``hi/lo >= 100`` (the time constants)
is ``exp(log lo + (log hi - log lo)·sigmoid(z))``; other two-sided bounds (U, f) are
``lo + (hi - lo)·sigmoid(z)``; one-sided ``lo + exp(z)``; unbounded ``z``.

Amplitude: ``'free'`` — the prediction is :math:`A\\,e_{pk}(θ)` with the least-squares optimal
:math:`A = \\sum w n \\bar y e / \\sum w n e^2` (variable projection: the optimiser never sees A);
``'first'`` — :math:`e_{pk}/e_{p1}`, the first response of each protocol is 1 (normalised data, e.g.
srplasticity's ``amp = 1/U``); a number fixes A.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Mapping

import jax
import jax.numpy as jnp
import numpy as np

from ..core import family

from ..units import NAMED, PARAM_UNITS, accepts_units
__all__ = ["Space", "make_space", "family", "DEFAULT_TAU_BOUNDS", "DEFAULT_PROB_BOUNDS"]

DEFAULT_TAU_BOUNDS = (1.0, 5000.0)  # ms; srplasticity searches 1-501 ms
DEFAULT_PROB_BOUNDS = (1e-4, 1.0)
AMPLITUDES = ("free", "first")


def _kind(lo: float, hi: float) -> str:
    if math.isfinite(lo) and math.isfinite(hi):
        return "logsig" if lo > 0 and hi / lo >= 100 else "sig"
    if math.isfinite(lo):
        return "exp"
    return "id"


@dataclass(frozen=True)
class Space:
    """Static description of a fit (hashable: it is a ``jit`` static argument)."""

    model: str
    options: tuple[tuple[str, Any], ...]
    names: tuple[str, ...]          # every family parameter, in the family's order
    free: tuple[str, ...]           # fitted ones, in that order
    fixed: tuple[str, ...]          # held at values passed as an array (``fixed_values``)
    bounds: tuple[tuple[float, float], ...]  # per free parameter
    amplitude: str                  # 'free' | 'first' | 'fixed'
    amp_value: float = 1.0
    # the data set's spike times baked into compiled solvers (see with_times); None: use the traced argument
    const_times: tuple | None = None

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(_kind(lo, hi) for lo, hi in self.bounds)

    @property
    def k(self) -> int:
        """Number of estimated quantities (free family parameters plus a free amplitude)."""
        return len(self.free) + (self.amplitude == "free")

    @property
    def out_names(self) -> tuple[str, ...]:
        return self.free + (("amplitude",) if self.amplitude == "free" else ())

    def with_fixed(self, name: str) -> "Space":
        i = self.free.index(name)
        return dataclasses.replace(self, free=self.free[:i] + self.free[i + 1:], fixed=self.fixed + (name,),
                                   bounds=self.bounds[:i] + self.bounds[i + 1:])

    def with_times(self, times) -> "Space":
        """This space with the data set's spike times (P, S) as compile-time constants.

        Inside ``jit`` the family then differences the spike times once, in NumPy, instead of in every
        iteration of every start (about half the solver's time). Only for solvers called with exactly these
        times; eager calls (``predict`` on new trains) still use the times they are given.
        """
        t = np.asarray(times, float)
        return dataclasses.replace(self, const_times=tuple(map(tuple, t.tolist())))

    # coordinates -------------------------------------------------------------------------------
    def to_natural(self, z):
        out = []
        for zi, (lo, hi), kind in zip(jnp.moveaxis(z, -1, 0), self.bounds, self.kinds):
            if kind == "logsig":
                out.append(jnp.exp(math.log(lo) + (math.log(hi) - math.log(lo)) * jax.nn.sigmoid(zi)))
            elif kind == "sig":
                out.append(lo + (hi - lo) * jax.nn.sigmoid(zi))
            elif kind == "exp":
                out.append(lo + jnp.exp(zi))
            else:
                out.append(zi)
        return jnp.stack(out, -1)

    def to_unconstrained(self, theta) -> np.ndarray:
        theta = np.asarray(theta, float)
        out = []
        for ti, (lo, hi), kind in zip(np.moveaxis(theta, -1, 0), self.bounds, self.kinds):
            with np.errstate(divide="ignore", invalid="ignore"):
                if kind == "logsig":
                    s = (np.log(ti) - math.log(lo)) / (math.log(hi) - math.log(lo))
                elif kind == "sig":
                    s = (ti - lo) / (hi - lo)
                if kind in ("logsig", "sig"):
                    s = np.clip(s, 1e-12, 1 - 1e-12)
                    out.append(np.log(s) - np.log1p(-s))
                elif kind == "exp":
                    out.append(np.log(np.maximum(ti - lo, 1e-300)))
                else:
                    out.append(ti)
        return np.stack(out, -1)

    def from_unit(self, u) -> np.ndarray:
        """Map a design in the unit cube to starting ``z`` (one-sided/unbounded ones spread around 0)."""
        u = np.clip(np.asarray(u, float), 0.01, 0.99)
        return np.log(u) - np.log1p(-u)

    # model -------------------------------------------------------------------------------------
    def param_dict(self, theta, fixed_values) -> dict[str, Any]:
        d = {n: theta[..., i] for i, n in enumerate(self.free)}
        d.update({n: fixed_values[..., i] for i, n in enumerate(self.fixed)})
        return {n: d[n] for n in self.names}

    def efficacies(self, theta, fixed_values, times):
        """Efficacy of every spike, (P, S); ``times`` (P, S) inf padded."""
        params = self.param_dict(theta, fixed_values)
        opts = dict(self.options)
        if self.const_times is not None and isinstance(times, jax.core.Tracer):
            const = np.asarray(self.const_times, float)
            if const.shape == tuple(times.shape):
                return jnp.stack([family.event_efficacies(self.model, t, params, **opts) for t in const])
        return jax.vmap(lambda t: family.event_efficacies(self.model, t, params, **opts))(times)

    def predict(self, theta, fixed_values, times, amp=None):
        e = self.efficacies(theta, fixed_values, times)
        if self.amplitude == "first":
            return e / e[:, :1]
        if self.amplitude == "fixed":
            return self.amp_value * e
        return amp * e

    def best_amplitude(self, e, w, ybar):
        """Least-squares amplitude for efficacies ``e`` given weights ``w`` (= weight × trials) and means."""
        den = jnp.sum(w * e * e)
        return jnp.sum(w * ybar * e) / jnp.where(den > 0, den, 1.0)

    def projected(self, z, fixed_values, times, w, ybar):
        """Prediction with the amplitude profiled out (``'free'``): ``(m, amplitude)``."""
        theta = self.to_natural(z)
        e = self.efficacies(theta, fixed_values, times)
        if self.amplitude == "free":
            a = self.best_amplitude(e, w, ybar)
            return a * e, a
        if self.amplitude == "first":
            return e / e[:, :1], jnp.ones((), e.dtype)
        return self.amp_value * e, jnp.asarray(self.amp_value, e.dtype)


def _check_model(model) -> str:
    if not isinstance(model, str):
        raise TypeError(f"model must be one of {tuple(family.DETERMINISTIC)}; got {type(model).__name__}")
    if model not in family.DETERMINISTIC:
        extra = " (stochastic: fit its mean with the deterministic variant)" if model in getattr(family, "MODELS", ()) else ""
        raise ValueError(f"model must be one of {tuple(family.DETERMINISTIC)}; got {model!r}{extra}")
    return model


def default_bounds(model: str, name: str) -> tuple[float, float]:
    lo, hi, lo_open, hi_open = family.RANGES[model][name]
    lo = -math.inf if lo is None else float(lo)
    hi = math.inf if hi is None else float(hi)
    if name.startswith("tau"):
        return (max(lo, DEFAULT_TAU_BOUNDS[0]), min(hi, DEFAULT_TAU_BOUNDS[1]))
    if lo >= 0 and hi <= 1:
        return (max(lo, DEFAULT_PROB_BOUNDS[0]), min(hi, DEFAULT_PROB_BOUNDS[1]))
    return (lo, hi)


def _number(name: str, v) -> float:
    if isinstance(v, (bool, np.bool_)) or v is None or isinstance(v, (str, bytes, complex)):
        raise TypeError(f"{name} must be a real number; got {v!r}")
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number; got {v!r}") from None
    return f


@accepts_units(PARAM_UNITS, fixed=NAMED, bounds=NAMED)
def make_space(model: str, amplitude: Any = "free", fixed: Mapping[str, float] | None = None,
               bounds: Mapping[str, tuple[float, float]] | None = None, **options) -> tuple[Space, np.ndarray]:
    """Check the fit's settings; returns the :class:`Space` and the fixed values (array, the Space's order)."""
    model = _check_model(model)
    names = tuple(family.PARAMS[model])
    fixed = {} if fixed is None else fixed
    bounds = {} if bounds is None else bounds
    for what, obj in (("fixed", fixed), ("bounds", bounds)):
        if not isinstance(obj, Mapping):
            raise TypeError(f"{what} must be a mapping parameter name -> value; got {type(obj).__name__}")
        bad = sorted(set(obj) - set(names))
        if bad:
            raise ValueError(f"{what} names unknown parameters {bad}; {model!r} has {list(names)}")
    for name, v in fixed.items():
        v = _number(f"fixed[{name!r}]", v)
        lo, hi, lo_open, hi_open = family.RANGES[model][name]
        from ..core.validation import check_range

        check_range(f"fixed[{name!r}]", v, lo, hi, lo_open, hi_open)
    free = tuple(n for n in names if n not in fixed)
    if not free:
        raise ValueError("every parameter is fixed; leave at least one free")
    blist = []
    for name in free:
        lo0, hi0 = default_bounds(model, name)
        if name in bounds:
            b = bounds[name]
            if isinstance(b, (str, bytes)) or not hasattr(b, "__len__") or len(b) != 2:
                raise TypeError(f"bounds[{name!r}] must be a pair (low, high); got {b!r}")
            lo, hi = (_number(f"bounds[{name!r}] low", b[0]), _number(f"bounds[{name!r}] high", b[1]))
            if math.isnan(lo) or math.isnan(hi) or not lo < hi:
                raise ValueError(f"bounds[{name!r}] must satisfy low < high; got {tuple(b)}")
            rlo, rhi, rlo_open, rhi_open = family.RANGES[model][name]
            if (rlo is not None and (lo < rlo)) or (rhi is not None and hi > rhi):
                raise ValueError(f"bounds[{name!r}] = {tuple(b)} leave the valid range of {name} "
                                 f"({rlo if rlo is not None else '-inf'}, {rhi if rhi is not None else 'inf'})")
            if name.startswith("tau") and lo <= 0:
                raise ValueError(f"bounds[{name!r}] low must be > 0 ms (time constants are fitted on a log scale); got {lo:g}")
        else:
            lo, hi = lo0, hi0
        blist.append((lo, hi))
    if isinstance(amplitude, str):
        if amplitude not in AMPLITUDES:
            raise ValueError(f"amplitude must be 'free', 'first' or a number; got {amplitude!r}")
        amp_mode, amp_value = amplitude, 1.0
    else:
        amp_value = _number("amplitude", amplitude)
        if not math.isfinite(amp_value) or amp_value == 0:
            raise ValueError(f"amplitude must be a finite non-zero number, 'free' or 'first'; got {amplitude!r}")
        amp_mode = "fixed"
    opts = tuple(sorted(options.items()))
    try:
        hash(opts)
    except TypeError:
        raise TypeError(f"model options must be hashable values (strings, numbers); got {dict(options)!r}") from None
    space = Space(model=model, options=opts, names=names, free=free, fixed=tuple(fixed), bounds=tuple(blist),
                  amplitude=amp_mode, amp_value=amp_value)
    # let the family refuse unknown options (or bad values) eagerly, on concrete defaults
    theta0 = np.array([_start_value(model, n, b) for n, b in zip(free, blist)])
    try:
        e = np.asarray(space.efficacies(jnp.asarray(theta0), jnp.asarray([float(fixed[n]) for n in fixed]),
                                        jnp.asarray([[0.0, 10.0]])))
    except TypeError as exc:
        raise TypeError(f"model {model!r} does not take the options {dict(options)}: {exc}") from None
    if not np.all(np.isfinite(e)):  # pragma: no cover - family bug guard
        raise ValueError(f"model {model!r} gave non-finite efficacies at its defaults")
    return space, np.array([float(fixed[n]) for n in space.fixed], float)


def _start_value(model: str, name: str, b: tuple[float, float]) -> float:
    try:
        d = float(family.DEFAULTS[model][name])
    except (KeyError, TypeError, ValueError):
        d = math.nan
    lo, hi = b
    if math.isfinite(d) and lo < d < hi:
        return d
    if math.isfinite(lo) and math.isfinite(hi):
        return math.sqrt(lo * hi) if lo > 0 and hi / lo >= 100 else 0.5 * (lo + hi)
    return lo + 1.0 if math.isfinite(lo) else 0.0
