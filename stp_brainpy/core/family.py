r"""The STP model family: one registry over ``tm``, ``markram``, ``tm3`` and ``quantal``.

=========  ===========================================  ==============================================
model      module                                       form
=========  ===========================================  ==============================================
tm         :mod:`stp_brainpy.core.stp`                  homework / NEST ``tsodyks2_synapse``: u rests at
                                                        0, efficacy :math:`u^+x^-`
markram    :mod:`stp_brainpy.core.markram`              u relaxes to U, spike raises u by f(1-u);
                                                        efficacy read before or after the jump
tm3        :mod:`stp_brainpy.core.tm3`                  three states x, y, z (NEST ``tsodyks_synapse``)
quantal    :mod:`stp_brainpy.core.quantal`              n release sites (NEST ``quantal_stp_synapse``)
=========  ===========================================  ==============================================

:func:`event_efficacies` runs any of them on an arbitrary spike train with parameters given by name
(the names of :data:`PARAMS`); it is pure JAX (jit, vmap and grad with respect to the parameters).
:data:`RANGES` holds the valid interval of every continuous parameter as ``(low, high, low_open,
high_open)``; ``inf`` as an included bound means the limit is computed exactly.

This module also holds the checks and numerics the variants share (eager validation of concrete
values, spike-train intervals computed in float64 when possible, decay factors that stay finite and
differentiable for tau = 0 and tau = inf).

Example::

    >>> import jax.numpy as jnp
    >>> from stp_brainpy.core import family
    >>> t = jnp.arange(5) * 20.0
    >>> e = family.event_efficacies("markram", t, {"U": 0.2, "tau_f": 1500.0, "tau_d": 200.0})
    >>> e.shape
    (5,)
"""
from __future__ import annotations

import importlib
import math
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Callable, Mapping

import jax
import jax.numpy as jnp
import numpy as np

from . import validation
from .validation import check_number, check_range, is_concrete

from ..units import NAMED, PARAM_UNITS, accepts_units
__all__ = ["MODELS", "DETERMINISTIC", "PARAMS", "RANGES", "DEFAULTS", "OPTIONS", "Spec", "get", "validate",
           "event_efficacies"]

Array = jax.Array
INF = math.inf

MODELS = ("tm", "markram", "tm3", "quantal")
DETERMINISTIC = ("tm", "markram", "tm3")

PARAMS: dict[str, tuple[str, ...]] = {
    "tm": ("U", "tau_f", "tau_d"),
    "markram": ("U", "f", "tau_f", "tau_d"),
    "tm3": ("U", "tau_f", "tau_d", "tau_psc"),
    "quantal": ("U", "tau_f", "tau_d"),
}

_U = (0.0, 1.0, True, False)          # (0, 1]
_TAU_F = (0.0, INF, False, False)     # [0, inf]: 0 = no facilitation (NEST), inf = no decay
_TAU_D = (0.0, INF, True, False)      # (0, inf]: inf = no recovery
RANGES: dict[str, dict[str, tuple[float, float, bool, bool]]] = {
    "tm": {"U": _U, "tau_f": _TAU_F, "tau_d": _TAU_D},
    "markram": {"U": _U, "f": (0.0, 1.0, False, False), "tau_f": _TAU_F, "tau_d": _TAU_D},
    "tm3": {"U": _U, "tau_f": _TAU_F, "tau_d": _TAU_D, "tau_psc": (0.0, INF, False, False)},
    "quantal": {"U": _U, "tau_f": _TAU_F, "tau_d": _TAU_D},
}

# The homework's TM setting for every variant (markram's f defaults to U); tau_psc is NEST's default.
DEFAULTS: dict[str, dict[str, float]] = {
    "tm": {"U": 0.15, "tau_f": 1500.0, "tau_d": 200.0},
    "markram": {"U": 0.15, "f": 0.15, "tau_f": 1500.0, "tau_d": 200.0},
    "tm3": {"U": 0.15, "tau_f": 1500.0, "tau_d": 200.0, "tau_psc": 3.0},
    "quantal": {"U": 0.15, "tau_f": 1500.0, "tau_d": 200.0},
}

# Keyword options each variant's event_efficacies accepts through :func:`event_efficacies`.
OPTIONS: dict[str, tuple[str, ...]] = {
    "tm": ("u0", "x0"),
    "markram": ("read", "u0", "x0", "t0"),
    "tm3": ("u0", "x0", "y0", "t0"),
    "quantal": ("key", "n", "weight", "u0", "a0", "t0"),
}

_UNITS = {"U": "", "f": "", "tau_f": "ms", "tau_d": "ms", "tau_psc": "ms"}
_MODULES = {"tm": "stp", "markram": "markram", "tm3": "tm3", "quantal": "quantal"}


# ---------------------------------------------------------------- checks shared by the variants
def check_model(model: Any) -> str:
    if not isinstance(model, str) or model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}; got {model!r}")
    return model


def check_interval(name: str, value: Any, bounds: tuple[float, float, bool, bool], unit: str = "") -> None:
    """Type check, then ``ValueError`` naming ``name``, the interval and the offending value."""
    check_number(name, value)
    low, high, low_open, high_open = bounds
    check_range(name, value, low, high, low_open=low_open, high_open=high_open, unit=unit)


def check_params(model: str, **params: Any) -> None:
    """Check named continuous parameters of ``model`` against :data:`RANGES` (concrete values only)."""
    ranges = RANGES[model]
    for name, value in params.items():
        if name not in ranges:
            raise ValueError(f"unknown parameter {name!r} for model {model!r}; accepted: {PARAMS[model]}")
        if value is not None:
            check_interval(name, value, ranges[name], _UNITS.get(name, ""))


def check_required(**values: Any) -> None:
    """``TypeError`` for a required parameter given as None."""
    for name, value in values.items():
        if value is None:
            raise TypeError(f"{name} must be a real number or an array of real numbers; got None")


def check_fraction(name: str, value: Any) -> None:
    """Initial values u0, x0, y0 and the like: real numbers in [0, 1]."""
    if value is not None:
        check_interval(name, value, (0.0, 1.0, False, False))


def check_dt(dt: Any) -> None:
    check_interval("dt", dt, (0.0, INF, True, True), "ms")


def check_isi(isi: Any) -> None:
    check_interval("isi", isi, (0.0, INF, True, True), "ms")


def check_integer(name: str, value: Any, low: int = 1) -> int:
    """A Python/NumPy integer >= ``low``; 2.7 is refused instead of truncated."""
    return validation.check_integer(name, value, low)


def check_spike_times(spike_times: Any, t0: Any = None) -> None:
    """1-D, sorted, no NaN/-inf; trailing ``+inf`` entries are padding. ``t0`` <= the first spike."""
    validation.check_spike_times("spike_times", spike_times)
    if t0 is not None:
        check_interval("t0", t0, (-INF, INF, True, True), "ms")
        if is_concrete(t0) and is_concrete(spike_times):
            t = np.asarray(spike_times, float)
            if t.size and np.isfinite(t[0]) and float(np.max(t0)) > t[0]:
                raise ValueError(f"t0 must not lie after the first spike; got t0={float(np.max(t0)):g}, "
                                 f"first spike {t[0]:g}")


def check_read(read: Any) -> str:
    return validation.check_choice("read", read, ("before", "after"))


# ---------------------------------------------------------------- numerics shared by the variants
def float_dtype(*values: Any) -> Any:
    """The working float dtype: float64 under x64, else float32 (promoting float inputs)."""
    return jnp.result_type(*(v for v in values if v is not None), float)


def spike_gaps(spike_times: Any, t0: Any = None) -> tuple[Array, Array, Array]:
    """Interval of each spike to the previous valid one, validity mask and "first spike" mask.

    Non-finite entries (``+inf`` padding) are invalid and get interval 0. The first valid spike gets
    ``t_first - t0`` (0 when ``t0`` is None); ``skip`` marks it where that interval is 0: its state is the
    initial state, undecayed (NEST's ``tsodyks2_synapse`` and ``quantal_stp_synapse`` send their first
    spike with the state as set), even for ``tau = 0``, whose decay factor is 0 over every other interval,
    zero ones between spikes included. Concrete inputs are differenced in float64 NumPy before any cast, so a
    0.1 ms interval at t = 1e7 ms keeps its precision in float32.
    """
    if is_concrete(spike_times) and (t0 is None or is_concrete(t0)):
        return _gaps_numpy(spike_times, t0)
    return _gaps_traced(spike_times, t0)


def _gaps_numpy(spike_times: Any, t0: Any) -> tuple[Array, Array, Array]:
    t = np.asarray(spike_times, dtype=np.float64)
    dtype = float_dtype(jnp.asarray(spike_times).dtype)
    valid = np.isfinite(t)
    idx = np.where(valid, np.arange(t.size), -1)
    prev = np.concatenate([[-1], np.maximum.accumulate(idx)[:-1]]) if t.size else idx
    first = valid & (prev < 0)
    base = t if t0 is None else np.broadcast_to(np.asarray(t0, np.float64), t.shape)
    t_prev = np.where(prev >= 0, t[np.maximum(prev, 0)], base)
    gaps = np.where(valid, t - t_prev, 0.0)
    skip = first & (gaps == 0)
    return jnp.asarray(gaps, dtype), jnp.asarray(valid), jnp.asarray(skip)


def _gaps_traced(spike_times: Any, t0: Any) -> tuple[Array, Array, Array]:
    t = jnp.asarray(spike_times)
    dtype = float_dtype(t.dtype)
    t = t.astype(dtype)
    valid = jnp.isfinite(t)
    idx = jnp.where(valid, jnp.arange(t.shape[0]), -1)
    prev = jnp.concatenate([jnp.full((1,), -1, idx.dtype), jax.lax.cummax(idx)[:-1]])
    first = valid & (prev < 0)
    base = t if t0 is None else jnp.broadcast_to(jnp.asarray(t0, dtype), t.shape)
    t_prev = jnp.where(prev >= 0, t[jnp.maximum(prev, 0)], base)
    gaps = jnp.where(valid, t - jnp.where(valid, t_prev, t), 0.0)
    skip = first & (gaps == 0)
    return gaps, valid, skip


def tiny_floor(dtype: Any) -> float:
    """``tiny**0.25`` (1e-77 in float64, 1e-10 in float32): its square and cube stay normal numbers, which
    matters because XLA on CPU flushes subnormals to zero (a derivative -a/b² would become inf or NaN)."""
    return float(jnp.finfo(dtype).tiny) ** 0.25


def _safe_tau(gap: Array, tau: Array) -> Array:
    """tau clipped below at gap/700 (where exp(-gap/tau) is 0 anyway) so d/dtau stays finite."""
    dtype = jnp.result_type(gap, tau)
    floor = tiny_floor(dtype)
    return jnp.maximum(jnp.where(tau > 0, tau, 1.0), jnp.maximum(gap / 700.0, floor))


def decay(gap: Array, tau: Array) -> tuple[Array, Array]:
    """``(exp(-gap/tau), expm1(-gap/tau))``; tau = 0 means instantaneous (factor 0), tau = inf none."""
    em1 = jnp.where(tau > 0, jnp.expm1(-gap / _safe_tau(gap, tau)), -1.0)
    return 1.0 + em1, em1


def ratio(gap: Array, tau: Array) -> Array:
    """``gap/tau`` clipped at 700 (and 700 for tau = 0), finite with a finite derivative."""
    return jnp.where(tau > 0, gap / _safe_tau(gap, tau), 700.0)


def exp_divided_difference(a: Array, b: Array) -> Array:
    """``(exp(-a) - exp(-b)) / (b - a)`` for a, b >= 0, equal to ``exp(-a)`` at a = b; smooth in (a, b).

    Near the diagonal it is ``exp(-(a+b)/2) sinh(s)/s`` with ``s = (b-a)/2`` (no kink, so autodiff is
    exact there); away from it ``exp(-min(a, b)) (1 - exp(-|b-a|)) / |b-a|`` (no overflow).
    """
    d = b - a
    near = jnp.abs(d) < 2.0
    s = jnp.where(near, d / 2.0, 0.0)
    small = jnp.abs(s) < 1e-3
    s_safe = jnp.where(small, 1.0, s)
    sinhc = jnp.where(small, 1.0 + s * s / 6.0 + s ** 4 / 120.0, jnp.sinh(s_safe) / s_safe)
    far = jnp.where(near, 2.0, jnp.abs(d))
    far_val = jnp.exp(-jnp.minimum(a, b)) * (-jnp.expm1(-far)) / far
    return jnp.where(near, jnp.exp(-(a + b) / 2.0) * sinhc, far_val)


@jax.custom_jvp
def div(a: Array, b: Array) -> Array:
    """``a / b`` whose derivative is ``(da - (a/b) db) / b``: no ``b²``, which underflows (to 0 on
    CPU, subnormals flushed) for tiny b and turns ``0 · inf`` into NaN in closed forms near a limit."""
    return a / b


@div.defjvp
def _div_jvp(primals, tangents):
    a, b = primals
    da, db = tangents
    q = a / b
    return q, (da - q * db) / b


def to_batch_last(outputs: tuple[Array, ...]) -> tuple[Array, ...]:
    """scan stacks the spike axis first; the API puts it last (after any parameter batch axes)."""
    return tuple(jnp.moveaxis(o, 0, -1) for o in outputs)


# ---------------------------------------------------------------- the registry
@dataclass(frozen=True)
class Spec:
    """One variant: its module, parameter names/ranges/defaults and whether it is deterministic."""

    name: str
    module: ModuleType
    params: tuple[str, ...]
    ranges: Mapping[str, tuple[float, float, bool, bool]]
    defaults: Mapping[str, float]
    deterministic: bool

    def event_efficacies(self, spike_times: Any, params: Mapping[str, Any], **options: Any) -> Array:
        return event_efficacies(self.name, spike_times, params, **options)


def get(model: str) -> Spec:
    """The :class:`Spec` of ``model`` (``ValueError`` listing :data:`MODELS` for an unknown name)."""
    check_model(model)
    module = importlib.import_module(f"{__package__}.{_MODULES[model]}")
    return Spec(model, module, PARAMS[model], RANGES[model], DEFAULTS[model], model in DETERMINISTIC)


def _complete(model: str, params: Mapping[str, Any]) -> dict[str, Any]:
    unknown = [k for k in params if k not in PARAMS[model]]
    if unknown:
        raise ValueError(f"unknown parameter(s) {unknown} for model {model!r}; accepted: {PARAMS[model]}")
    full = {k: params.get(k, DEFAULTS[model][k]) for k in PARAMS[model]}
    if model == "markram" and "f" not in params:
        full["f"] = full["U"]  # f defaults to U (Mongillo, Barak & Tsodyks 2008)
    return full


@accepts_units(PARAM_UNITS)
def validate(model: str, **params: Any) -> dict[str, Any]:
    """Eagerly check the named parameters of ``model``; returns them completed with :data:`DEFAULTS`."""
    check_model(model)
    full = _complete(model, params)
    check_params(model, **{k: params[k] for k in params})
    return full


@accepts_units(PARAM_UNITS, spike_times="ms", params=NAMED)
def event_efficacies(model: str, spike_times: Any, params: Mapping[str, Any], **options: Any) -> Array:
    """Efficacy of every spike of ``spike_times`` under ``model`` (shape of ``spike_times``).

    Args:
      model: one of :data:`MODELS`.
      spike_times: 1-D sorted times (ms); ``+inf`` entries are padding (efficacy 0).
      params: continuous parameters by name (:data:`PARAMS`); missing ones take :data:`DEFAULTS`
        (markram's ``f`` defaults to ``U``). Scalars, or arrays that broadcast (batch axes first).
      **options: passed to the variant: ``u0``, ``x0`` (all); ``read='before'|'after'`` (markram);
        ``y0``, ``t0`` (tm3, markram); ``key`` (required), ``n``, ``a0``, ``weight`` (quantal, whose
        efficacy is ``weight`` times the number of released sites, ``weight`` defaulting to ``1/n`` so
        that its mean equals the ``tm`` efficacy).

    Pure JAX: jit-, vmap- and grad-able with respect to ``params``.
    """
    check_model(model)
    unknown = sorted(k for k in options if k not in OPTIONS[model])
    if unknown:
        raise ValueError(f"unknown option(s) {unknown} for model {model!r}; accepted: {OPTIONS[model]}")
    p = _complete(model, params)
    if model == "tm":
        from . import stp

        return stp.event_efficacies(spike_times, p["U"], tau_f=p["tau_f"], tau_d=p["tau_d"], **options)[0]
    module = get(model).module
    fn: Callable[..., tuple[Array, ...]] = module.event_efficacies
    if model == "markram":
        return fn(spike_times, p["U"], f=p["f"], tau_f=p["tau_f"], tau_d=p["tau_d"], **options)[0]
    if model == "tm3":
        return fn(spike_times, p["U"], tau_f=p["tau_f"], tau_d=p["tau_d"], tau_psc=p["tau_psc"], **options)[0]
    opts = dict(options)
    n = check_integer("n", opts.pop("n", 1))
    opts.setdefault("weight", 1.0 / n)
    return fn(spike_times, p["U"], tau_f=p["tau_f"], tau_d=p["tau_d"], n=n, **opts)[0]
