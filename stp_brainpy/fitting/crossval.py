"""Leave-one-protocol-out cross-validation (srplasticity's protocol) and comparison between variants."""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from .data import make_dataset
from .fit import _check_int, fit
from .losses import check_loss, check_wls_data, observation_weights
from .model import _start_value, make_space
from .optimise import design, solve_many

from ..units import NAMED, PARAM_UNITS, accepts_units
__all__ = ["cross_validate", "compare"]


@accepts_units(PARAM_UNITS, spike_times="ms", fixed=NAMED, bounds=NAMED)
def cross_validate(spike_times, responses=None, model: str = "markram", loss: str = "sse", amplitude: Any = "free",
                   fixed: Mapping[str, float] | None = None, bounds: Mapping[str, tuple[float, float]] | None = None,
                   n_starts: int = 32, seed: int = 0, *, sigma=None, isi: bool = False, max_steps: int = 200,
                   **model_options) -> dict:
    """Fit P times, each time without one protocol, and predict the held-out one — all folds in one call.

    Returns a dict: ``protocols``, ``test_mse`` (P,) (MSE over the held-out protocol's observations),
    ``train_mse`` (P,) (mean over the other protocols of their MSE, fold by fold), ``cv`` (mean test MSE),
    ``params`` (name -> (P,) estimates per fold) and ``converged`` (P,).
    """
    ds = make_dataset(spike_times, responses, sigma, isi=isi)
    loss = check_loss(loss)
    space, fixed_values = make_space(model, amplitude, fixed, bounds, **model_options)
    n_starts = _check_int("n_starts", n_starts, 1)
    max_steps = _check_int("max_steps", max_steps, 1)
    P = len(ds.protocols)
    if P < 2:
        raise ValueError(f"leave-one-protocol-out cross-validation needs >= 2 protocols; got {P}")
    n, ybar, ss = ds.stats()
    if loss == "wls":
        check_wls_data(n, ss, ds.sigma)
    keep = 1.0 - np.eye(P)[:, :, None]                          # (fold, P, 1)
    n_tr = n[None] * keep
    for f in range(P):
        if n_tr[f].sum() <= space.k:
            raise ValueError(f"without protocol {ds.protocols[f]!r} too few observations remain for {space.k} quantities")
    w_obs = observation_weights(loss, n_tr, ss[None] * keep, None if ds.sigma is None else ds.sigma[None])
    W = w_obs * n_tr
    start = np.array([_start_value(space.model, nm, b) for nm, b in zip(space.free, space.bounds)])
    z0 = design(space, n_starts, seed, include=space.to_unconstrained(start))
    dtype = jnp.result_type(float)
    fv = jnp.asarray(np.broadcast_to(fixed_values, (P, fixed_values.size)), dtype)
    times = jnp.asarray(ds.times, dtype)
    Wj, yj = jnp.asarray(W, dtype), jnp.asarray(np.broadcast_to(ybar, (P,) + ybar.shape), dtype)
    res = solve_many(space, max_steps, jnp.asarray(np.broadcast_to(z0, (P,) + z0.shape), dtype), fv, times, Wj, yj)
    cost = np.where(np.isfinite(np.asarray(res.cost)), np.asarray(res.cost), np.inf)
    best = np.argmin(cost, axis=1)
    zb = jnp.asarray(np.asarray(res.z)[np.arange(P), best], dtype)
    m, amp = jax.vmap(lambda z, f, w, y: space.projected(z, f, times, w, y))(zb, fv, Wj, yj)
    m = np.asarray(m)                                            # (fold, P, S)
    sq = n[None] * (ybar[None] - m) ** 2 + ss[None]
    mse = sq.sum(-1) / n.sum(-1)[None]                           # (fold, P): each protocol's MSE under each fold
    test = np.diag(mse).copy()
    train = np.array([np.delete(mse[f], f).mean() for f in range(P)])
    theta = np.asarray(space.to_natural(zb))
    params = {nm: theta[:, i] for i, nm in enumerate(space.free)}
    if space.amplitude == "free":
        params["amplitude"] = np.asarray(amp)
    return dict(protocols=ds.protocols, test_mse=test, train_mse=train, cv=float(test.mean()), params=params,
                converged=np.asarray(res.converged)[np.arange(P), best])


@accepts_units({"fixed": NAMED, "bounds": NAMED}, spike_times="ms")
def compare(spike_times, responses=None, models: Sequence[str] = ("tm", "markram"), loss: str = "sse",
            options: Mapping[str, Mapping[str, Any]] | None = None, n_starts: int = 32, seed: int = 0,
            cv: bool = True, **fit_kwargs) -> list[dict]:
    """Fit several variants to the same data; one row per model (best AIC first).

    ``options`` maps a model name (or a label ``'name:anything'``) to its model options, e.g.
    ``{'markram:after': {'read': 'after'}}`` compares both readings. Rows hold ``model``, ``label``, ``k``,
    ``loss``, ``sse``, ``aic``, ``bic``, ``cv`` (mean held-out MSE; None with ``cv=False``) and ``result``.
    """
    ds = make_dataset(spike_times, responses, fit_kwargs.pop("sigma", None), isi=fit_kwargs.pop("isi", False))
    if isinstance(models, str) or not isinstance(models, Sequence) or not models:
        raise TypeError("models must be a non-empty sequence of model names, e.g. ('tm', 'markram')")
    labels = list(models) + [k for k in (options or {}) if k not in models]
    rows = []
    for label in labels:
        name = label.split(":")[0]
        opts = dict((options or {}).get(label, {}))
        r = fit(ds, model=name, loss=loss, n_starts=n_starts, seed=seed, **fit_kwargs, **opts)
        row = dict(model=name, label=label, k=r.k, loss=r.loss, sse=r.sse, aic=r.aic, bic=r.bic, cv=None, result=r)
        if cv:
            row["cv"] = cross_validate(ds, model=name, loss=loss, n_starts=n_starts, seed=seed,
                                       **{k: v for k, v in fit_kwargs.items() if k != "sigma"}, **opts)["cv"]
        rows.append(row)
    aic = np.array([r["aic"] for r in rows])
    for r in rows:
        r["delta_aic"] = float(r["aic"] - aic.min())
    return sorted(rows, key=lambda r: r["aic"])
