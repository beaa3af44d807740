"""Statistics over seeds, as the figures and tables report them (NaN-aware, no warnings)."""
from __future__ import annotations

import numpy as np

__all__ = ["nanmean_seeds", "mean_se"]


def nanmean_seeds(a) -> np.ndarray:
    """Mean over the last (seed) axis ignoring NaN; NaN where every seed is NaN (no warning)."""
    a = np.asarray(a, float)
    ok = np.isfinite(a)
    n = ok.sum(-1)
    return np.where(n > 0, np.where(ok, a, 0.0).sum(-1) / np.maximum(n, 1), np.nan)


def mean_se(a) -> tuple[float, float]:
    """Mean and standard error of the finite entries; NaN, NaN with fewer than two."""
    a = np.asarray(a, float)
    a = a[np.isfinite(a)]
    return (float(a.mean()), float(a.std(ddof=1) / np.sqrt(a.size))) if a.size > 1 else (float("nan"), float("nan"))
