"""Losses as weighted sums of squares over per-(protocol, spike) sufficient statistics.

Every loss here is :math:`\\sum_{p,t,k} w_{pk}(y_{ptk} - m_{pk})^2`, which equals
:math:`\\sum_{p,k} w_{pk}\\, n_{pk}(\\bar y_{pk} - m_{pk})^2 + \\sum_{p,k} w_{pk} SS_{pk}` with
:math:`n_{pk}` the observed trials, :math:`\\bar y_{pk}` their mean and :math:`SS_{pk}` the squared
deviations from it. The optimiser therefore works on P × S residuals whatever the number of trials, and
the reported loss is the full one (the constant included).

``sse``
    :math:`w = 1`: the sum of squared errors over every observation.
``equal``
    :math:`w_{pk} = 1/(P N_p)` with :math:`N_p` the observations of protocol p: the mean over protocols of
    each protocol's mean squared error (srplasticity's ``'equal'``; every protocol counts the same).
``wls``
    :math:`w_{pk} = 1/\\sigma_{pk}^2` with the per-spike σ of the data set, or, when none is given, the
    sample variance across trials of each (protocol, spike) (at least two trials needed): a χ².
"""
from __future__ import annotations

import numpy as np

__all__ = ["LOSSES", "check_loss", "observation_weights", "check_wls_data"]

LOSSES = ("sse", "equal", "wls")


def check_loss(loss) -> str:
    if not isinstance(loss, str):
        raise TypeError(f"loss must be one of {LOSSES}; got {type(loss).__name__}")
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}; got {loss!r}")
    return loss


def observation_weights(loss: str, n: np.ndarray, ss: np.ndarray | None = None, sigma: np.ndarray | None = None,
                        xp=np) -> "np.ndarray":
    """Weight per observation, shape (..., P, S), for ``loss`` given the trial counts ``n`` (and ``ss``/``sigma`` for wls).

    ``xp`` is ``numpy`` or ``jax.numpy`` (the bootstrap and cross-validation call it on traced counts).
    Cells without observations get weight 0.
    """
    has = n > 0
    if loss == "sse":
        return xp.where(has, 1.0, 0.0) + 0.0 * n
    if loss == "equal":
        n_p = n.sum(axis=-1, keepdims=True)
        n_prot = (n_p > 0).sum(axis=-2, keepdims=True)
        return xp.where(has, 1.0 / (xp.maximum(n_p, 1.0) * xp.maximum(n_prot, 1)), 0.0)
    if loss == "wls":
        if sigma is not None:
            var = xp.where(xp.isfinite(sigma), sigma, 1.0) ** 2
        else:
            var = xp.where(n > 1, ss / xp.maximum(n - 1.0, 1.0), 1.0)
            var = xp.where(var > 0, var, 1.0)
        return xp.where(has, 1.0 / var, 0.0)
    raise ValueError(f"loss must be one of {LOSSES}; got {loss!r}")


def check_wls_data(n: np.ndarray, ss: np.ndarray, sigma) -> None:
    """Without σ the wls loss estimates variances from trials: every observed cell needs two trials and spread."""
    if sigma is not None:
        return
    bad = (n > 0) & ((n < 2) | (ss <= 0))
    if np.any(bad):
        p, k = np.argwhere(bad)[0]
        raise ValueError("loss='wls' without sigma estimates each spike's variance across trials; protocol "
                         f"#{p} spike #{k} has {int(n[p, k])} trial(s) and no spread: give sigma or use loss='sse'")
