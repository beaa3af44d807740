r"""Fit (U, tau_f, tau_d, tau_s, A) to a sampled PSC / conductance trace through the time-stepped core model.

The model is the package's exact time-stepped TM synapse (:func:`stp_brainpy.core.stp.stp_step` and
:func:`stp_brainpy.core.stp.exp_decay_step` with ``method='exact'``): on a dt grid, with the spikes on
the grid,

.. math:: I_k = I_{k-1} e^{-dt/\tau_s} + A\,u^+_k x^-_k\,s_k,

and the fit differentiates through the whole ``lax.scan``. The amplitude A is linear and profiled out
(variable projection) as for amplitude fits; starts, solver and Laplace errors are those of :func:`~.fit.fit`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

import jax
import jax.numpy as jnp
import numpy as np

from ..core import stp
from .fit import _check_int
from .model import Space, _number
from .optimise import design, solve
from .uncertainty import jacobian, laplace

from ..units import NAMED, accepts_units
__all__ = ["fit_trace", "TraceFit", "TRACE_PARAMS", "simulate_trace"]

TRACE_PARAMS = ("U", "tau_f", "tau_d", "tau_s")
TRACE_BOUNDS = {"U": (1e-4, 1.0), "tau_f": (1.0, 5000.0), "tau_d": (1.0, 5000.0), "tau_s": (0.1, 200.0)}
TRACE_START = {"U": 0.3, "tau_f": 100.0, "tau_d": 300.0, "tau_s": 5.0}


@dataclass(frozen=True)
class _TraceSpace(Space):
    dt: float = 0.1

    def unit_trace(self, theta, fixed_values, spikes):
        p = self.param_dict(theta, fixed_values)

        def body(carry, s):
            state, i = carry
            state, eff = stp.stp_step(state, s, p["U"], tau_f=p["tau_f"], tau_d=p["tau_d"], dt=self.dt)
            i = stp.exp_decay_step(i, eff, p["tau_s"], self.dt)
            return (state, i), i

        dtype = spikes.dtype
        init = (stp.rest_state((), dtype), jnp.zeros((), dtype))
        return jax.lax.scan(body, init, spikes)[1]

    def predict(self, theta, fixed_values, spikes, amp=None):
        return amp * self.unit_trace(theta, fixed_values, spikes)

    def projected(self, z, fixed_values, spikes, w, y):
        g = self.unit_trace(self.to_natural(z), fixed_values, spikes)
        a = self.best_amplitude(g, w, y)
        return a * g, a


def _spikes(spike_times, n_steps: int, dt: float) -> np.ndarray:
    from .data import _check_times, _numeric

    t = _check_times("of the trace", _numeric("spike_times", spike_times))
    k = np.round(t / dt).astype(int)
    if np.any(np.abs(k * dt - t) > 1e-6 * max(dt, 1.0)):
        raise ValueError(f"spike_times must lie on the dt grid (multiples of dt = {dt:g} ms); got {t[np.abs(k * dt - t) > 1e-6][:3].tolist()}")
    if np.any(k >= n_steps):
        raise ValueError(f"spike_times must lie inside the trace (< {n_steps * dt:g} ms); got {t[k >= n_steps][:3].tolist()}")
    if np.any(np.diff(k) == 0):
        raise ValueError("two spikes fall into one step; use a shorter dt")
    s = np.zeros(n_steps)
    s[k] = 1.0
    return s


@accepts_units(spike_times="ms", dt="ms", tau_s="ms", U="1", tau_f="ms", tau_d="ms")
def simulate_trace(spike_times, n_steps: int, dt: float, U: float, *, tau_f: float, tau_d: float, tau_s: float,
                   amplitude: float = 1.0) -> np.ndarray:
    """The model trace (n_steps,) sampled after each step: sample k is the current at time k·dt."""
    sp = _TraceSpace(model="tm", options=(), names=TRACE_PARAMS, free=TRACE_PARAMS, fixed=(),
                     bounds=tuple(TRACE_BOUNDS[n] for n in TRACE_PARAMS), amplitude="free", amp_value=1.0,
                     dt=float(dt))
    dtype = jnp.result_type(float)
    s = jnp.asarray(_spikes(spike_times, n_steps, dt), dtype)
    th = jnp.asarray([U, tau_f, tau_d, tau_s], dtype)
    return np.asarray(sp.predict(th, jnp.zeros(0, dtype), s, amp=amplitude))


@dataclass(eq=False)
class TraceFit:
    params: dict[str, float]
    stderr: dict[str, float]
    loss: float
    converged: bool
    n_converged: int
    non_identifiable: list
    dt: float
    prediction: np.ndarray


@accepts_units(dt="ms", spike_times="ms", fixed=NAMED, bounds=NAMED)
def fit_trace(trace, dt: float, spike_times, *, fixed: Mapping[str, float] | None = None,
              bounds: Mapping[str, tuple[float, float]] | None = None, n_starts: int = 16, seed: int = 0,
              max_steps: int = 200) -> TraceFit:
    """Least-squares fit of U, tau_f, tau_d, tau_s (and the amplitude A) to a trace sampled every ``dt`` ms.

    Args:
      trace: samples (n_steps,): sample k is the current/conductance at time k·dt (NaN = not recorded).
      dt: sampling step in ms (the model's step).
      spike_times: presynaptic spike times in ms, on the grid, inside the trace.
      fixed, bounds, n_starts, seed, max_steps: as :func:`~stp_brainpy.fitting.fit` (names U, tau_f, tau_d, tau_s).

    Returns a :class:`TraceFit` (``params`` with ``amplitude``, Laplace ``stderr``, ``loss`` = SSE, ``prediction``).
    """
    from .data import _numeric

    y = _numeric("trace", trace)
    if y.ndim != 1 or y.size < 10:
        raise ValueError(f"trace must be a 1-D array of at least 10 samples; got shape {y.shape}")
    if np.any(np.isinf(y)) or not np.any(np.isfinite(y)):
        raise ValueError("trace must hold finite samples (NaN = not recorded), not inf or only NaN")
    dt = _number("dt", dt)
    if not (math.isfinite(dt) and dt > 0):
        raise ValueError(f"dt must lie in (0, inf) ms; got {dt:g}")
    s = _spikes(spike_times, y.size, dt)
    fixed = dict(fixed or {})
    bounds = dict(bounds or {})
    for what, obj in (("fixed", fixed), ("bounds", bounds)):
        bad = sorted(set(obj) - set(TRACE_PARAMS))
        if bad:
            raise ValueError(f"{what} names unknown parameters {bad}; a trace fit has {list(TRACE_PARAMS)}")
    for k, v in fixed.items():
        v = _number(f"fixed[{k!r}]", v)
        ok = (0 < v <= 1) if k == "U" else (0 < v < math.inf)
        if not ok:
            raise ValueError(f"fixed[{k!r}] must lie in {'(0, 1]' if k == 'U' else '(0, inf) ms'}; got {v:g}")
        fixed[k] = v
    free = tuple(n for n in TRACE_PARAMS if n not in fixed)
    if not free:
        raise ValueError("every parameter is fixed; leave at least one free")
    blist = []
    for n in free:
        lo, hi = (tuple(map(float, bounds[n])) if n in bounds else TRACE_BOUNDS[n])
        if not (0 < lo < hi) or (n == "U" and hi > 1):
            raise ValueError(f"bounds[{n!r}] must satisfy 0 < low < high{' <= 1' if n == 'U' else ''}; got {(lo, hi)}")
        blist.append((lo, hi))
    n_starts = _check_int("n_starts", n_starts, 1)
    seed = _check_int("seed", seed, 0)
    max_steps = _check_int("max_steps", max_steps, 1)
    space = _TraceSpace(model="tm", options=(), names=TRACE_PARAMS, free=free, fixed=tuple(fixed),
                        bounds=tuple(blist), amplitude="free", amp_value=1.0, dt=dt)
    obs = np.isfinite(y)
    if obs.sum() <= space.k:
        raise ValueError(f"{int(obs.sum())} samples cannot determine {space.k} quantities")
    dtype = jnp.result_type(float)
    w = jnp.asarray(obs, dtype)
    yj = jnp.asarray(np.where(obs, y, 0.0), dtype)
    fv = jnp.asarray([fixed[n] for n in space.fixed], dtype)
    sj = jnp.asarray(s, dtype)
    start = np.array([min(max(TRACE_START[n], lo * 1.01), hi / 1.01) for n, (lo, hi) in zip(free, blist)])
    z0 = design(space, n_starts, seed, include=space.to_unconstrained(start))
    res = solve(space, max_steps, jnp.asarray(z0, dtype), fv, sj, w, yj)
    cost = np.where(np.isfinite(np.asarray(res.cost)), np.asarray(res.cost), np.inf)
    b = int(np.argmin(cost))
    zb = jnp.asarray(np.asarray(res.z)[b], dtype)
    m, amp = space.projected(zb, fv, sj, w, yj)
    phi = np.append(np.asarray(space.to_natural(zb)), float(amp))
    names = space.out_names
    mm, J = jacobian(space, jnp.asarray(phi, dtype), fv, sj)
    n = np.asarray(obs, float)[None]
    lap = laplace("sse", names, phi, np.asarray(mm)[None], np.asarray(J)[None], n, np.asarray(yj)[None],
                  np.zeros_like(n), np.ones_like(n), int(obs.sum()))
    params: dict[str, Any] = {nm: float(fixed[nm]) if nm in fixed else float(phi[free.index(nm)]) for nm in TRACE_PARAMS}
    params["amplitude"] = float(amp)
    se = dict(zip(names, map(float, lap.stderr)))
    return TraceFit(params, {k: se.get(k, 0.0) for k in params}, float(cost[b]), bool(np.asarray(res.converged)[b]),
                    int(np.asarray(res.converged).sum()), lap.flat, dt, np.asarray(m))
