"""Independent NumPy transcription of the homework's TM equations (GUIDE §2.1), shared by the tests.

Written spike by spike with Python floats, from the document, not from the package: the exact decay
between spikes, then u⁺ = u⁻ + U(1 - u⁻), e = u⁺x⁻, x⁺ = x⁻ - e.

``np_tsodyks`` is NEST's ``tsodyks_synapse::send`` (the three-state model) transcribed the same way.
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


def np_tsodyks(times, U, tau_f, tau_d, tau_psc, u0=0.0, x0=1.0, y0=0.0, t0=0.0):
    """NEST's ``tsodyks_synapse::send`` transcribed in Python floats (state held at t0).

    At tau_psc == tau_d NEST's P_xy is 0/0; there the limit of the exact solution,
    P_xy = 1 - e^{-h/tau} - (h/tau) e^{-h/tau}, is used (z' = y/tau - z/tau with y = y0 e^{-t/tau}).
    """
    u, x, y, prev, out = u0, x0, y0, t0, []
    for t in times:
        h = t - prev
        p_uu = 0.0 if tau_f == 0 else math.exp(-h / tau_f)
        p_yy = math.exp(-h / tau_psc)
        p_zz = math.expm1(-h / tau_d)
        if tau_psc == tau_d:
            p_xy = -p_zz - (h / tau_d) * math.exp(-h / tau_d)
        else:
            p_xy = (p_zz * tau_d - (p_yy - 1.0) * tau_psc) / (tau_psc - tau_d)
        z = 1.0 - x - y
        u *= p_uu
        x += p_xy * y - p_zz * z
        y *= p_yy
        u += U * (1.0 - u)
        e = u * x
        x -= e
        y += e
        out.append(e)
        prev = t
    return np.array(out)
