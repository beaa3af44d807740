"""Levenberg–Marquardt on weighted residuals, every start (and data set) in one jitted, vmapped call.

The residual of a fit is ``sqrt(w n)·(ȳ - m(z))`` over the P × S (protocol, spike) cells (see
:mod:`.losses`); the Jacobian comes from ``jax.jacfwd`` (a handful of parameters, so forward mode). Steps
solve :math:`(J^TJ + λ\\,\\mathrm{diag}(J^TJ))δ = -J^Tr` with Nielsen's damping update; a start stops
when the relative decrease of the cost, the relative step or the gradient falls under its tolerance, or
after ``max_steps``. Under ``vmap`` the loop runs until the last start stops; finished ones are frozen.
"""
from __future__ import annotations

from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .model import Space

__all__ = ["LMResult", "solve", "solve_many", "design", "distinct_optima"]


class LMResult(NamedTuple):
    z: jax.Array
    cost: jax.Array        # weighted sum of squares of the cell residuals (constant excluded)
    steps: jax.Array
    converged: jax.Array
    grad_norm: jax.Array


def _tols(dtype):
    eps = float(jnp.finfo(dtype).eps)
    return dict(ftol=eps * 16, xtol=eps ** 0.5 * 1e-2, gtol=eps * 16)


def residuals(space: Space, z, fixed_values, times, w, ybar):
    m, _ = space.projected(z, fixed_values, times, w, ybar)
    return (jnp.sqrt(w) * (ybar - m)).ravel()


def _lm(space: Space, max_steps, z0, fixed_values, times, w, ybar, active=True, max_step: float = 1.0):
    dtype = z0.dtype
    tol = _tols(dtype)
    fun = partial(residuals, space)
    k = z0.shape[-1]
    eye = jnp.eye(k, dtype=dtype)

    def rj(z):
        return fun(z, fixed_values, times, w, ybar), jax.jacfwd(fun)(z, fixed_values, times, w, ybar)

    def step(z, r, J, lam):
        g = J.T @ r
        H = J.T @ J
        d = jnp.maximum(jnp.diag(H), 1e-12 * jnp.max(jnp.diag(H)) + jnp.finfo(dtype).tiny)
        delta = -jnp.linalg.solve(H + lam * jnp.diag(d) + 1e-30 * eye, g)
        delta = jnp.where(jnp.all(jnp.isfinite(delta)), delta, jnp.zeros_like(delta))
        # a trust radius in z: one long step would otherwise land deep in a sigmoid's flat tail (a bound)
        # where the gradient vanishes and the start is lost
        delta = delta * jnp.minimum(1.0, max_step / jnp.maximum(jnp.max(jnp.abs(delta)), 1e-300))
        pred = -(2 * delta @ g + delta @ H @ delta)
        return z + delta, pred, jnp.max(jnp.abs(g))

    # one model evaluation per iteration: evaluate the candidate, accept or reject it, propose the next
    # (the first candidate is the start itself, accepted against an infinite cost)
    def body(s):
        rc, Jc = rj(s["zc"])
        cc = rc @ rc
        cc = jnp.where(jnp.isfinite(cc) & jnp.all(jnp.isfinite(Jc)), cc, jnp.inf)
        first = s["it"] == 0
        rho = (s["cost"] - cc) / jnp.where(s["pred"] > 0, s["pred"], jnp.inf)
        ok = first | ((cc < s["cost"]) & (rho > 1e-4))
        lam, nu = s["lam"], s["nu"]
        lam = jnp.where(first, lam, jnp.where(ok, lam * jnp.maximum(1 / 3, 1 - (2 * rho - 1) ** 3), lam * nu))
        nu = jnp.where(ok, 2.0, nu * 2)
        small_f = ok & ~first & ((s["cost"] - cc) <= tol["ftol"] * s["cost"])
        z, r, J = (jnp.where(ok, a, b) for a, b in ((s["zc"], s["z"]), (rc, s["r"]), (Jc, s["J"])))
        cost = jnp.where(ok, cc, s["cost"])
        small_x = ~first & (jnp.linalg.norm(s["zc"] - s["z"]) <= tol["xtol"] * (jnp.linalg.norm(s["z"]) + tol["xtol"]))
        zc, pred, gmax = step(z, r, J, lam)
        small_g = gmax <= tol["gtol"] * cost
        stuck = lam > 1e16  # no step lowers the cost any more: the optimum to rounding
        done = small_f | small_x | small_g | stuck
        return dict(z=z, r=r, J=J, cost=cost, zc=zc, pred=pred, lam=lam, nu=nu, it=s["it"] + 1, done=done, g=gmax)

    n_r = times.size
    s0 = dict(z=z0, r=jnp.zeros((n_r,), dtype), J=jnp.zeros((n_r, k), dtype), cost=jnp.asarray(jnp.inf, dtype),
              zc=z0, pred=jnp.asarray(0.0, dtype), lam=jnp.asarray(1e-3, dtype), nu=jnp.asarray(2.0, dtype),
              it=jnp.asarray(0), done=~jnp.asarray(active), g=jnp.asarray(jnp.inf, dtype))
    s = jax.lax.while_loop(lambda s: (~s["done"]) & (s["it"] < max_steps + 1), body, s0)
    return LMResult(s["z"], s["cost"], s["it"] - 1, s["done"], s["g"])


@partial(jax.jit, static_argnums=0)
def _solve(space: Space, max_steps, z0, fixed_values, times, w, ybar, active):
    return jax.vmap(_lm, in_axes=(None, None, 0, None, None, None, None, 0))(space, max_steps, z0, fixed_values, times, w,
                                                                             ybar, active)


def solve(space: Space, max_steps: int, z0, fixed_values, times, w, ybar, active=None) -> LMResult:
    """Many starts ``z0`` (n, k) on one data set (w, ybar: (P, S)) in one call.

    ``max_steps`` is a traced argument (no recompilation when it changes); ``active`` (n,) bool leaves the
    other starts untouched (their result fields are then meaningless).
    """
    active = jnp.ones(z0.shape[:1], bool) if active is None else jnp.asarray(active, bool)
    return _solve(space, jnp.asarray(max_steps, jnp.int32), z0, fixed_values, times, w, ybar, active)


@partial(jax.jit, static_argnums=0)
def _solve_many(space: Space, max_steps, z0, fixed_values, times, w, ybar):
    t_axis = 0 if times.ndim == 3 else None
    one = jax.vmap(_lm, in_axes=(None, None, 0, None, None, None, None))
    return jax.vmap(one, in_axes=(None, None, 0, 0, t_axis, 0, 0))(space, max_steps, z0, fixed_values, times, w, ybar)


def solve_many(space: Space, max_steps: int, z0, fixed_values, times, w, ybar) -> LMResult:
    """A batch of data sets: ``z0`` (D, n, k), ``fixed_values`` (D, f), ``w``/``ybar`` (D, P, S); times shared or (D, P, S)."""
    return _solve_many(space, jnp.asarray(max_steps, jnp.int32), z0, fixed_values, times, w, ybar)


def design(space: Space, n_starts: int, seed: int = 0, include: np.ndarray | None = None) -> np.ndarray:
    """Space-filling starts in unconstrained coordinates: a scrambled Sobol design (Owen) of ``n_starts``.

    ``include`` (k,) — a start placed first (the family defaults).
    """
    from scipy.stats import qmc

    k = len(space.free)
    n_draw = n_starts - (include is not None)
    if n_draw > 0:
        m = max(int(np.ceil(np.log2(max(n_draw, 2)))), 1)
        u = qmc.Sobol(d=k, scramble=True, seed=seed).random_base2(m)[:n_draw]
        z = space.from_unit(u)
    else:
        z = np.zeros((0, k))
    if include is not None:
        z = np.vstack([np.asarray(include, float)[None, :], z])
    return z


def distinct_optima(z: np.ndarray, theta: np.ndarray, loss: np.ndarray, converged: np.ndarray,
                    rtol: float = 1e-4) -> list[dict]:
    """Group the converged starts whose parameters agree to ``rtol`` (relative) and whose losses agree.

    Returns one dict per optimum, best first: ``loss``, ``theta`` (the best start of the group), ``count``.
    """
    order = np.argsort(np.where(np.isfinite(loss), loss, np.inf))
    groups: list[dict] = []
    for i in order:
        if not converged[i] or not np.isfinite(loss[i]):
            continue
        for g in groups:
            same_loss = abs(loss[i] - g["loss"]) <= rtol * max(abs(g["loss"]), 1e-300) + 1e-14
            if same_loss and np.all(np.abs(theta[i] - g["theta"]) <= rtol * np.maximum(np.abs(g["theta"]), 1e-12) + 1e-10):
                g["count"] += 1
                break
        else:
            groups.append(dict(loss=float(loss[i]), theta=theta[i].copy(), z=z[i].copy(), count=1))
    return groups
