"""Independent NumPy transcription of the homework's TM equations (GUIDE §2.1), shared by the tests.

Written spike by spike with Python floats, from the document, not from the package: the exact decay
between spikes, then u⁺ = u⁻ + U(1 - u⁻), e = u⁺x⁻, x⁺ = x⁻ - e.
"""
from __future__ import annotations

import math

import numpy as np


def tm_events(times, U, tau_f, tau_d) -> np.ndarray:
    """Array (3, n_spikes): u⁺, x⁻ and the efficacy u⁺x⁻ of each spike of ``times`` (ms), from rest."""
    u, x, prev, out = 0.0, 1.0, None, []
    for t in np.asarray(times, dtype=float):
        if prev is not None:
            u *= math.exp(-(t - prev) / tau_f)
            x = 1.0 - (1.0 - x) * math.exp(-(t - prev) / tau_d)
        u = u + U * (1.0 - u)
        e = u * x
        out.append((u, x, e))
        x -= e
        prev = t
    return np.array(out, dtype=float).reshape(-1, 3).T


def tm_efficacies(times, U, tau_f, tau_d) -> np.ndarray:
    """Efficacy u⁺x⁻ of each spike of ``times`` (ms), from rest."""
    return tm_events(times, U, tau_f, tau_d)[2]
