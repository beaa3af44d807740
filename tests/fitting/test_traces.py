"""Trace fits: (U, tau_f, tau_d, tau_s, A) recovered from a sampled PSC through the time-stepped model."""
from __future__ import annotations

import numpy as np
import pytest

from stp_brainpy.fitting.traces import fit_trace, simulate_trace

from tm_reference import tm_efficacies

DT = 0.5
SPIKES = np.r_[np.arange(8) * 25.0 + 50, 800.0]
TRUE = dict(U=0.3, tau_f=200.0, tau_d=300.0, tau_s=5.0)


def _numpy_trace(n):
    """Independent trace: NumPy event efficacies, then the exact exponential decay of each release."""
    e = tm_efficacies(SPIKES, 0.3, 200.0, 300.0)
    t = np.arange(n) * DT
    out = np.zeros(n)
    for ts, ek in zip(SPIKES, e):
        after = t >= ts - 1e-9
        out[after] += 2.0 * ek * np.exp(-(t[after] - ts) / 5.0)
    return out


@pytest.mark.slow
def test_noiseless_trace_recovers_every_parameter(x64):
    n = int(1000 / DT)
    y = simulate_trace(SPIKES, n, DT, **TRUE, amplitude=2.0)
    assert np.allclose(y, _numpy_trace(n), atol=1e-12)
    r = fit_trace(y, DT, SPIKES)
    assert r.converged
    for k, v in dict(TRUE, amplitude=2.0).items():
        assert r.params[k] == pytest.approx(v, rel=1e-6), k


def test_trace_bad_input():
    y = np.zeros(100)
    with pytest.raises(ValueError, match="dt grid"):
        fit_trace(y, 0.5, [0.3, 10.0])
    with pytest.raises(ValueError, match="inside the trace"):
        fit_trace(y, 0.5, [0.0, 60.0])
    with pytest.raises(ValueError, match="dt must lie in"):
        fit_trace(y, -0.5, [0.0, 10.0])
    with pytest.raises(ValueError, match="unknown parameters"):
        fit_trace(y, 0.5, [0.0, 10.0], fixed={"f": 0.1})
    with pytest.raises(ValueError, match="only NaN"):
        fit_trace(np.full(100, np.nan), 0.5, [0.0, 10.0])
    with pytest.raises(ValueError, match="at least 10"):
        fit_trace(np.zeros(3), 0.5, [0.0])
