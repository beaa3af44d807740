"""Many synapses at once: a batch of data sets on the same protocols fitted in one compiled call."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from .data import Dataset, make_dataset
from .fit import _check_int
from .losses import check_loss, check_wls_data, observation_weights
from .model import Space, _start_value, make_space
from .optimise import design, solve_many
from .uncertainty import jacobian, laplace

from ..units import NAMED, PARAM_UNITS, accepts_units
__all__ = ["fit_batch", "BatchFitResult", "stack_stats"]

EXPLORE_STEPS = 30


@dataclass(eq=False)
class BatchFitResult:
    """Per data set (leading axis D): ``params``/``stderr`` name -> (D,), ``loss``, ``converged``, ``at_bound``."""

    model: str
    loss_name: str
    params: dict[str, np.ndarray]
    stderr: dict[str, np.ndarray]
    loss: np.ndarray
    converged: np.ndarray
    at_bound: np.ndarray       # (D,) any free parameter at a bound
    flat: np.ndarray           # (D,) a flat (non-identifiable) direction found
    names: tuple[str, ...]
    space: Space
    fixed_values: np.ndarray
    times: np.ndarray          # (P, S) shared spike times, inf padded
    responses: np.ndarray      # (D, P, T, S)
    _z: np.ndarray

    def __len__(self) -> int:
        return self.loss.shape[0]

    def bootstrap(self, n_boot: int = 200, seed: int = 0, level: float = 0.95, max_steps: int = 100) -> dict:
        """Trial-resampling bootstrap of every synapse, all D × ``n_boot`` refits in one call.

        Returns ``samples`` name -> (D, B), ``stderr`` and ``interval`` name -> (D,) arrays, ``converged`` (D, B).
        """
        from .fit import _check_int, _check_level
        from .uncertainty import resample_fits, summarise_samples

        n_boot = _check_int("n_boot", n_boot, 2)
        level = _check_level(level)
        dtype = jnp.result_type(float)
        y = jnp.asarray(self.responses, dtype)
        n_trials = jnp.asarray(np.any(np.isfinite(self.responses), axis=-1).cumsum(-1).argmax(-1) + 1, dtype)
        D = len(self)
        fv = jnp.asarray(np.broadcast_to(self.fixed_values, (D, self.fixed_values.size)), dtype)
        theta, amp, conv = resample_fits(self.space, self.loss_name, n_boot, jax.random.PRNGKey(_check_int("seed", seed, 0)),
                                         jnp.asarray(self._z, dtype), fv, jnp.asarray(self.times, dtype), y, n_trials,
                                         None, max_steps)
        cols = {nm: theta[..., i] for i, nm in enumerate(self.space.free)}
        if self.space.amplitude == "free":
            cols["amplitude"] = amp
        return summarise_samples(cols, level) | dict(converged=conv)


def stack_stats(y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n, mean, ss`` (..., P, S) of responses (..., P, T, S) with NaN = missing."""
    obs = np.isfinite(y)
    n = obs.sum(-2).astype(float)
    y0 = np.where(obs, y, 0.0)
    mean = np.divide(y0.sum(-2), n, out=np.zeros_like(n), where=n > 0)
    ss = np.where(obs, (y0 - mean[..., None, :]) ** 2, 0.0).sum(-2)
    return n, mean, ss


def _stack(spike_times, responses) -> tuple[Dataset, np.ndarray]:
    """Check the batch; returns the first data set (protocols, times) and responses (D, P, T, S)."""
    if isinstance(responses, Mapping):
        arrs = {k: np.asarray(v, float) if not isinstance(v, (str, bytes)) else v for k, v in responses.items()}
        for k, v in arrs.items():
            if not isinstance(v, np.ndarray) or v.ndim != 3:
                raise ValueError(f"responses of protocol {k!r} must be synapses × trials × spikes (3-D) for fit_batch; "
                                 f"got {getattr(v, 'shape', type(v).__name__)}")
        sizes = {v.shape[0] for v in arrs.values()}
        if len(sizes) != 1:
            raise ValueError(f"every protocol needs the same number of synapses (axis 0); got {sorted(sizes)}")
        D = sizes.pop()
        if D == 0:
            raise ValueError("the batch is empty (0 synapses)")
        ds0 = make_dataset(spike_times, {k: v[0] for k, v in arrs.items()})
        P, T, S = ds0.responses.shape
        T = max(v.shape[1] for v in arrs.values())
        y = np.full((D, P, T, S), np.nan)
        for i, name in enumerate(ds0.protocols):
            v = arrs[name]
            if v.shape[2] != ds0.n_spikes[i]:
                raise ValueError(f"responses of protocol {name!r} have {v.shape[2]} spikes but the protocol has {ds0.n_spikes[i]}")
            if np.any(np.isinf(v)):
                raise ValueError(f"responses of protocol {name!r} must be finite or NaN (missing); got inf")
            y[:, i, :v.shape[1], :v.shape[2]] = v
        empty = ~np.isfinite(y).any(axis=(2, 3))
        if empty.any():
            d, p = np.argwhere(empty)[0]
            raise ValueError(f"responses of protocol {ds0.protocols[p]!r} of synapse {d} are all missing (NaN)")
        return ds0, y
    if isinstance(responses, Sequence) and not isinstance(responses, (str, bytes)) and len(responses):
        sets = [r if isinstance(r, Dataset) else make_dataset(spike_times, r) for r in responses]
        ds0 = sets[0]
        for j, ds in enumerate(sets[1:], 1):
            if ds.protocols != ds0.protocols or not np.array_equal(ds.times, ds0.times):
                raise ValueError(f"data set {j} has other protocols or spike times than data set 0; fit_batch needs shared protocols")
        T = max(ds.responses.shape[1] for ds in sets)
        y = np.full((len(sets),) + ds0.responses.shape[:1] + (T,) + ds0.responses.shape[2:], np.nan)
        for j, ds in enumerate(sets):
            y[j, :, :ds.responses.shape[1]] = ds.responses
        return ds0, y
    raise TypeError("responses must map protocol -> (synapses, trials, spikes) arrays, or be a non-empty sequence of data sets")


@accepts_units(PARAM_UNITS, spike_times="ms", fixed=NAMED, bounds=NAMED)
def fit_batch(spike_times, responses, model: str = "markram", loss: str = "sse", amplitude: Any = "free",
              fixed: Mapping[str, float] | None = None, bounds: Mapping[str, tuple[float, float]] | None = None,
              n_starts: int = 16, seed: int = 0, *, max_steps: int = 200, stderr: bool = True,
              **model_options) -> BatchFitResult:
    """Fit every synapse of a batch in one compiled call (data sets × starts vmapped).

    Args:
      spike_times: protocol name -> spike times (ms), shared by the batch.
      responses: protocol name -> array (synapses, trials, spikes), NaN = missing; or a sequence of data sets
        (mappings protocol -> trials × spikes, or :class:`~.data.Dataset`).
      n_starts: Sobol starts per synapse (the same design for every synapse).
      stderr: also compute Laplace standard errors (one more batched call).

    The other arguments are as in :func:`~stp_brainpy.fitting.fit`.
    """
    ds0, y = _stack(spike_times, responses)
    loss = check_loss(loss)
    space, fixed_values = make_space(model, amplitude, fixed, bounds, **model_options)
    # the shared spike times as constants: ~2x faster iterations for a longer compile, worth it at batch sizes
    space = space.with_times(ds0.times)
    n_starts = _check_int("n_starts", n_starts, 1)
    seed = _check_int("seed", seed, 0)
    max_steps = _check_int("max_steps", max_steps, 1)
    n, ybar, ss = stack_stats(y)
    if loss == "wls":
        for d in range(n.shape[0]):
            check_wls_data(n[d], ss[d], None)
    n_obs = n.sum(axis=(-1, -2))
    if np.any(n_obs <= space.k):
        raise ValueError(f"synapse {int(np.argmax(n_obs <= space.k))} has too few observations for {space.k} quantities")
    w_obs = observation_weights(loss, n, ss)
    W = w_obs * n
    const = (w_obs * ss).sum(axis=(-1, -2))
    D = y.shape[0]
    start = np.array([_start_value(space.model, nm, b) for nm, b in zip(space.free, space.bounds)])
    z0 = design(space, n_starts, seed, include=space.to_unconstrained(start))
    dtype = jnp.result_type(float)
    fv = jnp.asarray(np.broadcast_to(fixed_values, (D, fixed_values.size)), dtype)
    times = jnp.asarray(ds0.times, dtype)
    Wj, yj = jnp.asarray(W, dtype), jnp.asarray(ybar, dtype)
    # explore every start briefly, then polish each synapse's best one: a vmapped while loop runs as long as its
    # slowest member, so letting all starts run to max_steps would cost the worst start's steps for everyone
    explore = min(max_steps, EXPLORE_STEPS)
    res = solve_many(space, explore, jnp.asarray(np.broadcast_to(z0, (D,) + z0.shape), dtype), fv, times, Wj, yj)
    cost = np.where(np.isfinite(np.asarray(res.cost)), np.asarray(res.cost), np.inf)
    best = np.argmin(cost, axis=1)
    rows = np.arange(D)
    res = solve_many(space, max_steps, jnp.asarray(np.asarray(res.z)[rows, best][:, None], dtype), fv, times, Wj, yj)
    res = res._replace(**{f: getattr(res, f)[:, 0] for f in res._fields})
    cost = np.where(np.isfinite(np.asarray(res.cost)), np.asarray(res.cost), np.inf)
    zb = res.z
    theta = np.asarray(space.to_natural(zb))
    names = space.out_names
    amp = np.asarray(jax.vmap(lambda z, f, w, yy: space.projected(z, f, times, w, yy)[1])(zb, fv, Wj, yj))
    phi = np.concatenate([theta, amp[:, None]], 1) if space.amplitude == "free" else theta
    s = 1 / (1 + np.exp(-np.asarray(zb)))
    kinds = np.array([k in ("sig", "logsig") for k in space.kinds])
    at_bound = np.any(kinds & ((s < 1e-6) | (s > 1 - 1e-6)), axis=1)
    se = np.full(phi.shape, np.nan)
    flat = np.zeros(D, bool)
    if stderr:
        m, J = jax.jit(jax.vmap(lambda p, f: jacobian(space, p, f, times)))(jnp.asarray(phi, dtype), fv)
        lap = laplace(loss, names, phi, np.asarray(m), np.asarray(J), n, ybar, ss, w_obs, n_obs)
        se = lap.stderr
        flat = np.any(lap.eig_ratio < 1e-10, axis=-1)
    return BatchFitResult(space.model, loss, {k: phi[:, i] for i, k in enumerate(names)},
                          {k: se[:, i] for i, k in enumerate(names)}, cost + const, np.asarray(res.converged), at_bound, flat, names, space,
                          fixed_values, ds0.times, y, np.asarray(zb))
