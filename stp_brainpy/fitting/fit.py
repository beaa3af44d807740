"""``fit``: multi-start Levenberg–Marquardt fit of a deterministic STP variant to evoked responses."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

import jax.numpy as jnp
import numpy as np

from .data import Dataset, make_dataset
from .losses import check_loss, check_wls_data, observation_weights
from .model import Space, _start_value, make_space
from .optimise import design, distinct_optima, solve
from .uncertainty import jacobian, laplace

from ..units import NAMED, PARAM_UNITS, accepts_units
__all__ = ["fit", "FitResult", "UNITS", "LONG_NAMES"]

UNITS = {"U": "1", "f": "1", "u0": "1", "x0": "1", "amplitude": "response units"}
LONG_NAMES = {
    "U": "release increment (tm) / resting utilisation (markram)",
    "f": "facilitation increment",
    "tau_f": "facilitation time constant",
    "tau_d": "recovery (depression) time constant",
    "tau_psc": "inactivation time constant",
    "tau_s": "synaptic decay time constant",
    "u0": "initial utilisation",
    "x0": "initial available fraction",
    "amplitude": "response of a spike with efficacy 1",
}


def _check_int(name: str, v, minimum: int) -> int:
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer, float, np.floating)):
        raise TypeError(f"{name} must be an integer >= {minimum}; got {v!r}")
    if isinstance(v, (float, np.floating)) and (not math.isfinite(v) or v != int(v)):
        raise ValueError(f"{name} must be an integer >= {minimum}; got {v!r}")
    if int(v) < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {v!r}")
    return int(v)


def _check_level(level) -> float:
    if isinstance(level, (bool, str, bytes)) or level is None:
        raise TypeError(f"level must be a number in (0, 1); got {level!r}")
    level = float(level)
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1); got {level:g}")
    return level


def _cell_loss(space: Space, z, fixed_values, ds: Dataset, W, ybar) -> float:
    dtype = jnp.result_type(float)
    m, _ = space.projected(jnp.asarray(z, dtype), jnp.asarray(fixed_values, dtype), jnp.asarray(ds.times, dtype),
                           jnp.asarray(W, dtype), jnp.asarray(ybar, dtype))
    return float(np.sum(W * (ybar - np.asarray(m)) ** 2))


@dataclass(eq=False)
class FitResult:
    """Outcome of :func:`fit` (see its docstring for the fields)."""

    model: str
    loss_name: str
    params: dict[str, float]
    loss: float
    stderr: dict[str, float]
    cov: np.ndarray
    corr: np.ndarray
    names: tuple[str, ...]
    converged: bool
    n_converged: int
    n_starts: int
    steps: int
    optima: list[dict]
    at_bounds: dict[str, str]
    non_identifiable: list[dict]
    weakly_identified: list[str]
    dataset: Dataset
    space: Space
    fixed_values: np.ndarray
    options: dict[str, Any]
    _z: np.ndarray = field(repr=False)

    @property
    def n_observations(self) -> int:
        return self.dataset.n_observations

    @property
    def k(self) -> int:
        return self.space.k

    @property
    def sse(self) -> float:
        """Unweighted sum of squared errors over every observation."""
        n, ybar, ss = self.dataset.stats()
        m = np.nan_to_num(self._predict_times(self.dataset.times))
        return float(np.sum(n * (ybar - m) ** 2) + ss.sum())

    @property
    def aic(self) -> float:
        """Gaussian AIC: :math:`N\\log(SSE/N) + 2k` (``wls``: :math:`\\chi^2 + 2k`)."""
        N = self.n_observations
        base = self.loss if self.loss_name == "wls" else N * math.log(self.sse / N)
        return base + 2 * self.k

    @property
    def bic(self) -> float:
        N = self.n_observations
        base = self.loss if self.loss_name == "wls" else N * math.log(self.sse / N)
        return base + self.k * math.log(N)

    def interval(self, level: float = 0.95) -> dict[str, tuple[float, float]]:
        """Laplace (normal) interval of every estimated quantity."""
        from statistics import NormalDist

        q = NormalDist().inv_cdf(0.5 + _check_level(level) / 2)
        return {k: (self.params[k] - q * self.stderr[k], self.params[k] + q * self.stderr[k]) for k in self.names}

    @property
    def fixed(self) -> dict[str, float]:
        return dict(zip(self.space.fixed, map(float, self.fixed_values)))

    def _theta(self):
        return np.array([self.params[n] for n in self.space.free])

    def _predict_times(self, times: np.ndarray) -> np.ndarray:
        dtype = jnp.result_type(float)
        m = self.space.predict(jnp.asarray(self._theta(), dtype), jnp.asarray(self.fixed_values, dtype),
                               jnp.asarray(times, dtype), amp=self.params.get("amplitude"))
        return np.where(np.isfinite(times), np.asarray(m), np.nan)

    def predict(self, spike_times=None) -> dict[str, np.ndarray] | np.ndarray:
        """Predicted amplitudes: for the fitted protocols (None), a mapping name -> times (ms), or one train."""
        from .data import _check_times, _numeric

        if spike_times is None:
            spike_times = self.dataset.spike_times()
        if isinstance(spike_times, Mapping):
            return {k: self.predict(v) for k, v in spike_times.items()}
        t = _check_times("given", _numeric("spike_times", spike_times))
        return self._predict_times(t[None, :])[0]

    def bootstrap(self, n_boot: int = 200, seed: int = 0, level: float = 0.95) -> dict:
        from .uncertainty import bootstrap

        return bootstrap(self, n_boot=n_boot, seed=seed, level=level)

    def profile(self, name: str, values=None, n_points: int = 41, level: float = 0.95) -> dict:
        from .uncertainty import profile

        return profile(self, name, values=values, n_points=n_points, level=level)

    def summary(self) -> str:
        lines = [f"model {self.model!r}, loss {self.loss_name!r} = {self.loss:.6g} "
                 f"({self.n_observations} observations, {self.n_converged}/{self.n_starts} starts converged, "
                 f"{len(self.optima)} distinct optima)"]
        for k in self.names:
            flag = " [at %s bound]" % self.at_bounds[k] if k in self.at_bounds else ""
            flag += " [weakly identified]" if k in self.weakly_identified else ""
            lines.append(f"  {k:>10s} = {self.params[k]:.6g} ± {self.stderr[k]:.3g}{flag}")
        for d in self.non_identifiable:
            lines.append("  flat direction: " + ", ".join(f"{v:+.2f}·{k}" for k, v in d.items()))
        return "\n".join(lines)

    def to_xarray(self):
        """An ``xarray.Dataset``: one scalar per parameter (attrs units, long_name, stderr), the data mean ± SEM
        and the prediction per (protocol, spike), and the correlation matrix."""
        import xarray as xr

        mean, sem = self.dataset.mean_sem()
        coords = {"protocol": list(self.dataset.protocols), "time": (("protocol", "spike"), self.dataset.times)}
        ds = xr.Dataset(coords=coords)
        for k in self.params:
            ds[k] = xr.DataArray(self.params[k], attrs=dict(units=UNITS.get(k, "ms" if k.startswith("tau") else "1"),
                                                           long_name=LONG_NAMES.get(k, k), stderr=self.stderr[k],
                                                           fixed=int(k in self.fixed)))
        for nm, arr, ln in (("data_mean", mean, "trial mean of the responses"),
                            ("data_sem", sem, "standard error of the trial mean"),
                            ("prediction", self._predict_times(self.dataset.times), f"fitted {self.model} model")):
            ds[nm] = xr.DataArray(arr, dims=("protocol", "spike"), attrs=dict(units="response units", long_name=ln))
        ds["correlation"] = xr.DataArray(self.corr, dims=("param", "param_"),
                                         coords={"param": list(self.names), "param_": list(self.names)},
                                         attrs=dict(units="1", long_name="Laplace correlation of the estimates"))
        ds["time"].attrs.update(units="ms", long_name="presynaptic spike time")
        for c, ln in (("protocol", "stimulation protocol"), ("param", "fitted parameter"), ("param_", "fitted parameter")):
            ds[c].attrs["long_name"] = ln
        ds.attrs.update(model=self.model, loss_name=self.loss_name, loss=self.loss, n_observations=self.n_observations,
                        converged=int(self.converged), **{f"option_{k}": str(v) for k, v in self.options.items()})
        return ds


EXPLORE_STEPS = 40
N_POLISH = 8


def _two_phase(space: Space, max_steps: int, z0, fv, times, W, ybar):
    """Every start for ``EXPLORE_STEPS``, then only the best unconverged ones on to ``max_steps``.

    A vmapped while loop runs as long as its slowest start: starts crawling along a bound would otherwise
    keep all of them busy until ``max_steps``. Both phases reuse one compiled solver (same shapes).
    """
    explore = min(max_steps, EXPLORE_STEPS)
    res = solve(space, explore, z0, fv, times, W, ybar)
    z, cost = np.asarray(res.z), np.where(np.isfinite(np.asarray(res.cost)), np.asarray(res.cost), np.inf)
    conv, steps = np.asarray(res.converged), np.asarray(res.steps)
    order = np.argsort(cost)[:N_POLISH]
    active = np.zeros(z.shape[0], bool)
    active[order] = ~conv[order]
    if max_steps > explore and active.any():
        res2 = solve(space, max_steps - explore, jnp.asarray(z, z0.dtype), fv, times, W, ybar, active)
        z = np.where(active[:, None], np.asarray(res2.z), z)
        cost = np.where(active, np.asarray(res2.cost), cost)
        conv = np.where(active, np.asarray(res2.converged), conv)
        steps = np.where(active, steps + np.asarray(res2.steps), steps)
    return z, np.where(np.isfinite(cost), cost, np.inf), conv, steps


def _ordered(space: Space, est: dict, fixed_values) -> dict[str, float]:
    """Every family parameter in the family's order (fixed ones at their values), then the amplitude."""
    fx = dict(zip(space.fixed, map(float, fixed_values)))
    out = {n: est[n] if n in est else fx[n] for n in space.names}
    if "amplitude" in est:
        out["amplitude"] = est["amplitude"]
    return out


@accepts_units(PARAM_UNITS, spike_times="ms", fixed=NAMED, bounds=NAMED)
def fit(spike_times, responses=None, model: str = "markram", loss: str = "sse", amplitude: Any = "free",
        fixed: Mapping[str, float] | None = None, bounds: Mapping[str, tuple[float, float]] | None = None,
        n_starts: int = 64, seed: int = 0, *, sigma=None, isi: bool = False, max_steps: int = 200,
        **model_options) -> FitResult:
    """Fit a deterministic STP variant of :mod:`stp_brainpy.core.family` to evoked response amplitudes.

    Args:
      spike_times: protocol name -> spike times (ms) — or a :class:`~.data.Dataset` (then no ``responses``).
      responses: protocol name -> amplitudes, trials × spikes, NaN = missing.
      model: ``'tm'``, ``'markram'`` or ``'tm3'`` (any of ``family.DETERMINISTIC``).
      loss: ``'sse'``, ``'equal'`` (mean over protocols of each protocol's MSE) or ``'wls'`` (see :mod:`.losses`).
      amplitude: ``'free'`` (fitted), ``'first'`` (first response of each protocol = 1) or a number.
      fixed: parameters held at given values, e.g. ``{'f': 0.2}``.
      bounds: ``{name: (low, high)}`` overriding the defaults (time constants 1–5000 ms, U and f 1e-4–1).
      n_starts: starts of the scrambled Sobol design (the family defaults are the first).
      seed: seed of the design.
      sigma: per-spike noise σ for ``'wls'`` (default: the trial variance of each spike).
      isi: ``spike_times`` are intervals with a leading 0 (srplasticity).
      max_steps: Levenberg–Marquardt iterations per start.
      **model_options: passed to the family (e.g. ``read='before'`` for ``markram``).

    Returns:
      :class:`FitResult` with ``params`` (every family parameter, fixed ones at their values, plus ``amplitude``
      when free), ``loss``, ``stderr`` and
      ``cov``/``corr`` (Laplace), ``converged``, ``optima`` (distinct local optima, best first), ``at_bounds``,
      ``non_identifiable`` (flat directions), ``weakly_identified``, ``predict()``, ``to_xarray()``,
      ``bootstrap()``, ``profile()``.

    Example:
      >>> import numpy as np
      >>> from stp_brainpy.fitting import fit
      >>> from stp_brainpy.core import family
      >>> t = {"20Hz": np.arange(8) * 50.0, "50Hz": np.arange(8) * 20.0}
      >>> true = dict(U=0.3, tau_f=200.0, tau_d=300.0)
      >>> y = {k: 2.0 * np.asarray(family.event_efficacies("tm", v, true))[None] for k, v in t.items()}
      >>> r = fit(t, y, model="tm", n_starts=8)
      >>> round(r.params["U"], 3)
      0.3
    """
    ds = make_dataset(spike_times, responses, sigma, isi=isi)
    loss = check_loss(loss)
    space, fixed_values = make_space(model, amplitude, fixed, bounds, **model_options)
    n_starts = _check_int("n_starts", n_starts, 1)
    seed = _check_int("seed", seed, 0)
    max_steps = _check_int("max_steps", max_steps, 1)
    n, ybar, ss = ds.stats()
    if loss == "wls":
        check_wls_data(n, ss, ds.sigma)
    if ds.n_observations <= space.k:
        raise ValueError(f"{ds.n_observations} observations cannot determine {space.k} quantities ({list(space.out_names)})")
    w_obs = observation_weights(loss, n, ss, ds.sigma)
    W = w_obs * n
    const = float((w_obs * ss).sum())
    start = np.array([_start_value(space.model, nm, b) for nm, b in zip(space.free, space.bounds)])
    z0 = design(space, n_starts, seed, include=space.to_unconstrained(start))
    dtype = jnp.result_type(float)
    fv = jnp.asarray(fixed_values, dtype)
    times = jnp.asarray(ds.times, dtype)
    Wj, yj = jnp.asarray(W, dtype), jnp.asarray(ybar, dtype)
    z, cost, conv, steps = _two_phase(space, max_steps, jnp.asarray(z0, dtype), fv, times, Wj, yj)
    losses = cost + const
    theta = np.asarray(space.to_natural(jnp.asarray(z, dtype)))
    best = int(np.nanargmin(np.where(np.isfinite(losses), losses, np.inf)))
    _, amp = space.projected(jnp.asarray(z[best], dtype), fv, times, jnp.asarray(W, dtype), jnp.asarray(ybar, dtype))
    phi = theta[best]
    if space.amplitude == "free":
        phi = np.append(phi, float(amp))
    m, J = jacobian(space, jnp.asarray(phi, dtype), fv, times)
    names = space.out_names
    lap = laplace(loss, names, phi, np.asarray(m), np.asarray(J), n, ybar, ss, w_obs, ds.n_observations)
    se = lap.stderr
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(np.diag(lap.cov))
        corr = lap.cov / np.outer(sd, sd)
    at_bounds = {}
    s = 1 / (1 + np.exp(-z[best]))
    for i, (nm, kind) in enumerate(zip(space.free, space.kinds)):
        if kind in ("sig", "logsig") and (s[i] < 1e-6 or s[i] > 1 - 1e-6):
            at_bounds[nm] = "low" if s[i] < 0.5 else "high"
        elif kind == "exp" and z[best, i] < -25:
            at_bounds[nm] = "low"
    weak = [nm for nm, v, e in zip(names, phi, se) if np.isfinite(e) and e > abs(v)]
    optima = distinct_optima(z, theta, losses, conv)
    for o in optima:
        o["params"] = dict(zip(space.free, map(float, o.pop("theta"))))
        o.pop("z")
    return FitResult(
        model=space.model, loss_name=loss, params=_ordered(space, dict(zip(names, map(float, phi))), fixed_values),
        loss=float(losses[best]), stderr=_ordered(space, dict(zip(names, map(float, se))), 0.0 * fixed_values), cov=lap.cov, corr=corr, names=names, converged=bool(conv[best]),
        n_converged=int(conv.sum()), n_starts=n_starts, steps=int(steps[best]), optima=optima,
        at_bounds=at_bounds, non_identifiable=lap.flat, weakly_identified=weak, dataset=ds, space=space,
        fixed_values=fixed_values, options=dict(model_options), _z=z[best])
