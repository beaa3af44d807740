"""Uncertainty of a fit: Laplace (Gauss–Newton) covariance, bootstrap over trials, profile likelihoods.

Laplace: with :math:`J = \\partial m/\\partial\\phi` over the estimated quantities φ (free family parameters,
then the amplitude when free), n the trials of a cell and w the loss's observation weight,

- ``sse``: :math:`\\mathrm{cov} = \\hat\\sigma^2 (J^T N J)^{-1}`, :math:`\\hat\\sigma^2 = SSE/(N_{obs} - k)`;
- ``wls``: :math:`(J^T N W J)^{-1}` (σ taken as known);
- ``equal``: the sandwich :math:`H^{-1} (\\hat\\sigma^2 J^T N W^2 J) H^{-1}`, :math:`H = J^T N W J`
  (the weights are not inverse variances).

Identifiability is read from the eigenvalues of the information matrix in relative units
(:math:`D H D`, :math:`D = \\mathrm{diag}(|φ|)`): a direction whose eigenvalue is below ``flat_rtol``
times the largest is flat (not identifiable) and the parameters loading on it get an infinite standard
error; a finite relative standard error above 1 marks a weakly identified parameter.
"""
from __future__ import annotations

from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .losses import observation_weights
from .model import Space
from .optimise import solve_many

__all__ = ["jacobian", "laplace", "Laplace", "bootstrap_stats", "resample_fits", "bootstrap", "profile"]

FLAT_RTOL = 1e-10


@partial(jax.jit, static_argnums=0)
def jacobian(space: Space, phi, fixed_values, times):
    """Prediction (P, S) and its Jacobian (P, S, k) w.r.t. φ (free parameters, then the amplitude when free)."""
    nf = len(space.free)

    def m(p):
        return space.predict(p[:nf], fixed_values, times, amp=p[nf] if space.amplitude == "free" else None)

    return m(phi), jax.jacfwd(m)(phi)


class Laplace(NamedTuple):
    cov: np.ndarray           # (..., k, k)
    stderr: np.ndarray        # (..., k); inf along flat directions
    flat: list                # per fit: list of dicts {name: loading} for flat directions
    eig_ratio: np.ndarray     # (..., k) eigenvalues of the relative information / the largest


def laplace(loss: str, names: tuple[str, ...], phi, m, J, n, ybar, ss, w_obs, n_obs) -> Laplace:
    """Covariance of φ from the Jacobian ``J`` (..., P, S, k) of a fit (batched over leading axes)."""
    phi, m, J = (np.asarray(a, float) for a in (phi, m, J))
    k = J.shape[-1]
    Jc = J.reshape(J.shape[:-3] + (-1, k))
    n_c = n.reshape(n.shape[:-2] + (-1,))
    w_c = w_obs.reshape(w_obs.shape[:-2] + (-1,))
    r_c = (ybar - m).reshape(m.shape[:-2] + (-1,))
    ss_t = ss.reshape(ss.shape[:-2] + (-1,)).sum(-1)
    sse = (n_c * r_c ** 2).sum(-1) + ss_t
    dof = np.maximum(np.asarray(n_obs, float) - k, 1.0)
    sigma2 = sse / dof

    def gram(weights):
        return np.einsum("...ci,...c,...cj->...ij", Jc, weights, Jc)

    if loss == "sse":
        H, scale = gram(n_c), sigma2[..., None, None]
    elif loss == "wls":
        H, scale = gram(n_c * w_c), np.ones_like(sigma2)[..., None, None]
    else:
        H, scale = gram(n_c * w_c), None
    D = np.where(np.abs(phi) > 0, np.abs(phi), 1.0)
    Hs = H * D[..., :, None] * D[..., None, :]
    Hs = 0.5 * (Hs + np.swapaxes(Hs, -1, -2))
    lam, V = np.linalg.eigh(Hs)
    lmax = np.maximum(lam[..., -1:], np.finfo(float).tiny)
    ratio = lam / lmax
    flat = ratio < FLAT_RTOL
    inv_lam = np.where(flat, 0.0, 1.0 / np.where(flat, 1.0, lam))
    Hs_inv = np.einsum("...ik,...k,...jk->...ij", V, inv_lam, V)
    H_inv = Hs_inv * D[..., :, None] * D[..., None, :]
    if scale is not None:
        cov = scale * H_inv
    else:
        M = sigma2[..., None, None] * gram(n_c * w_c ** 2)
        cov = H_inv @ M @ H_inv
    se = np.sqrt(np.maximum(np.diagonal(cov, axis1=-2, axis2=-1), 0.0))
    loads = np.abs(V) > 0.1
    on_flat = np.any(loads & flat[..., None, :], axis=-1)
    se = np.where(on_flat, np.inf, se)
    flat_list = []
    for idx in np.ndindex(flat.shape[:-1]):
        dirs = [{nm: float(V[idx][i, j]) for i, nm in enumerate(names) if abs(V[idx][i, j]) > 0.1}
                for j in range(k) if flat[idx][j]]
        flat_list.append(dirs)
    return Laplace(cov, se, flat_list if flat.ndim > 1 else flat_list[0], ratio)


@partial(jax.jit, static_argnums=(0, 1))
def bootstrap_stats(loss: str, n_boot: int, key, y, n_trials, sigma):
    """Resample trials with replacement within each protocol, ``n_boot`` times at once.

    ``y`` (P, T, S) NaN = missing; ``n_trials`` (P,). Returns ``n, ybar, ss, w_obs`` each (B, P, S).
    """
    P, T, S = y.shape
    u = jax.random.uniform(key, (n_boot, P, T), dtype=y.dtype)
    idx = jnp.minimum(jnp.floor(u * n_trials[None, :, None]).astype(jnp.int32), T - 1)
    valid = (jnp.arange(T)[None, None, :] < n_trials[None, :, None]).astype(y.dtype)
    b = jnp.arange(n_boot)[:, None, None]
    p = jnp.arange(P)[None, :, None]
    counts = jnp.zeros((n_boot, P, T), y.dtype).at[b, p, idx].add(valid)
    obs = jnp.isfinite(y)
    y0 = jnp.where(obs, y, 0.0)
    n = jnp.einsum("bpt,pts->bps", counts, obs.astype(y.dtype))
    mean0 = jnp.sum(y0, 1) / jnp.maximum(jnp.sum(obs, 1), 1)
    dev = jnp.where(obs, y0 - mean0[:, None, :], 0.0)
    s1 = jnp.einsum("bpt,pts->bps", counts, dev)
    s2 = jnp.einsum("bpt,pts->bps", counts, dev * dev)
    dm = s1 / jnp.maximum(n, 1.0)
    ybar = jnp.where(n > 0, mean0[None] + dm, 0.0)
    ss = jnp.maximum(s2 - n * dm * dm, 0.0)
    w = observation_weights(loss, n, ss, sigma, xp=jnp)
    return n, ybar, ss, w


def resample_fits(space: Space, loss: str, n_boot: int, key, z, fixed_values, times, y, n_trials, sigma,
                  max_steps: int = 100) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bootstrap refits of D data sets at once: ``z`` (D, k) optima, ``y`` (D, P, T, S), ``n_trials`` (D, P).

    Each resample starts from its data set's optimum. Returns ``theta`` (D, B, k), ``amplitude`` (D, B)
    and ``converged`` (D, B).
    """
    D = y.shape[0]
    keys = jax.random.split(key, D)
    n, ybar, ss, w = jax.vmap(lambda k, yy, nt: bootstrap_stats(loss, n_boot, k, yy, nt, sigma))(keys, y, n_trials)
    flat = lambda a: a.reshape((D * n_boot,) + a.shape[2:])  # noqa: E731
    z0 = jnp.repeat(z, n_boot, axis=0)[:, None, :]
    fv = jnp.repeat(fixed_values, n_boot, axis=0)
    W, yb = flat(w * n), flat(ybar)
    res = solve_many(space, max_steps, z0, fv, times, W, yb)
    zz = res.z[:, 0]
    theta = space.to_natural(zz)
    amp = jax.vmap(lambda a, f, ww, yy: space.projected(a, f, times, ww, yy)[1])(zz, fv, W, yb)
    k = theta.shape[-1]
    return (np.asarray(theta).reshape(D, n_boot, k), np.asarray(amp).reshape(D, n_boot),
            np.asarray(res.converged).reshape(D, n_boot))


def bootstrap(result, n_boot: int = 200, seed: int = 0, level: float = 0.95, max_steps: int = 100) -> dict:
    """Refit ``n_boot`` trial-resampled data sets in one call, each started from the fit's optimum.

    Returns ``samples`` (name -> (B,)), ``stderr`` (std of the samples), ``interval`` (percentile, ``level``)
    and ``converged`` (fraction of refits that converged).
    """
    from .fit import _check_int, _check_level

    n_boot = _check_int("n_boot", n_boot, 2)
    seed = _check_int("seed", seed, 0)
    level = _check_level(level)
    space, ds = result.space, result.dataset
    dtype = jnp.result_type(float)
    sigma = None if ds.sigma is None else jnp.asarray(ds.sigma, dtype)
    theta, amp, conv = resample_fits(space, result.loss_name, n_boot, jax.random.PRNGKey(seed),
                                     jnp.asarray(result._z, dtype)[None], jnp.asarray(result.fixed_values, dtype)[None],
                                     jnp.asarray(ds.times, dtype), jnp.asarray(ds.responses, dtype)[None],
                                     jnp.asarray(ds.n_trials, dtype)[None], sigma, max_steps)
    cols = {nm: theta[0, :, i] for i, nm in enumerate(space.free)}
    if space.amplitude == "free":
        cols["amplitude"] = amp[0]
    return summarise_samples(cols, level) | dict(converged=float(conv.mean()))


def summarise_samples(cols: dict, level: float) -> dict:
    a = (1 - level) / 2
    return dict(samples=cols, stderr={k: np.std(v, ddof=1, axis=-1) for k, v in cols.items()},
                interval={k: (np.quantile(v, a, axis=-1), np.quantile(v, 1 - a, axis=-1)) for k, v in cols.items()})


def profile(result, name: str, values=None, n_points: int = 41, level: float = 0.95, max_steps: int = 200) -> dict:
    """Profile likelihood of one parameter: refit the others at each of ``values`` (one call).

    ``deviance`` is :math:`N\\log(L/L_{min})` for ``sse``/``equal`` (Gaussian, σ profiled) and
    :math:`L - L_{min}` for ``wls``; ``interval`` is where it stays below the χ²₁ quantile of ``level``.
    """
    from statistics import NormalDist

    from .fit import _check_int, _check_level

    space = result.space
    if not isinstance(name, str) or name not in space.free:
        raise ValueError(f"name must be a free parameter of the fit, one of {list(space.free)}; got {name!r}")
    level = _check_level(level)
    i = space.free.index(name)
    lo, hi = space.bounds[i]
    est = result.params[name]
    if values is None:
        n_points = _check_int("n_points", n_points, 3)
        se = result.stderr.get(name, np.inf)
        wide = np.geomspace(lo, hi, n_points // 2) if lo > 0 else np.linspace(lo, hi, n_points // 2)
        span = 4 * se if np.isfinite(se) and se > 0 else 0.5 * est
        near = np.linspace(max(est - span, lo + 1e-9 * abs(lo)), min(est + span, hi), n_points - n_points // 2)
        values = np.unique(np.concatenate([wide, near, [est]]))
    values = np.asarray(values, float)
    if values.ndim != 1 or values.size == 0 or np.any(values < lo) or np.any(values > hi):
        raise ValueError(f"values of {name} must be a non-empty 1-D array inside its bounds [{lo:g}, {hi:g}]")
    sub = space.with_fixed(name)
    dtype = jnp.result_type(float)
    G = values.size
    z0 = np.delete(np.asarray(result._z), i)
    fv = np.concatenate([np.broadcast_to(result.fixed_values, (G, len(space.fixed))), values[:, None]], 1)
    n, ybar, ss = result.dataset.stats()
    w = observation_weights(result.loss_name, n, ss, result.dataset.sigma)
    const = float((w * ss).sum())
    if not sub.free:  # one free parameter: the profile is the loss curve itself
        from .fit import _cell_loss

        loss = np.array([_cell_loss(sub, np.zeros(0), fv[g], result.dataset, w * n, ybar) for g in range(G)]) + const
    else:
        res = solve_many(sub, max_steps, jnp.asarray(np.broadcast_to(z0, (G, 1, z0.size)), dtype), jnp.asarray(fv, dtype),
                         jnp.asarray(result.dataset.times, dtype), jnp.asarray(np.broadcast_to(w * n, (G,) + n.shape), dtype),
                         jnp.asarray(np.broadcast_to(ybar, (G,) + n.shape), dtype))
        loss = np.asarray(res.cost)[:, 0] + const
    lmin = min(result.loss, float(loss.min()))
    if result.loss_name == "wls":
        dev = loss - lmin
    else:
        dev = result.dataset.n_observations * np.log(loss / lmin)
    crit = NormalDist().inv_cdf(0.5 + level / 2) ** 2  # the chi-square(1) quantile of level
    interval = _crossings(values, dev, crit)
    return dict(name=name, values=values, loss=loss, deviance=dev, interval=interval, critical=crit)


def _crossings(values: np.ndarray, dev: np.ndarray, crit: float) -> tuple[float, float]:
    """Interval around the minimum where ``dev <= crit``, ends linearly interpolated (a bound if never crossed)."""
    i = int(np.argmin(dev))
    lo_i, hi_i = i, i
    while lo_i > 0 and dev[lo_i - 1] <= crit:
        lo_i -= 1
    while hi_i < values.size - 1 and dev[hi_i + 1] <= crit:
        hi_i += 1

    def cut(a, b):
        return float(values[a] + (crit - dev[a]) * (values[b] - values[a]) / (dev[b] - dev[a]))

    lo = cut(lo_i, lo_i - 1) if lo_i > 0 else float(values[0])
    hi = cut(hi_i, hi_i + 1) if hi_i < values.size - 1 else float(values[-1])
    return lo, hi
