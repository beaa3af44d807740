"""Homework LIF core against its analytic solution under constant drive."""
from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from stp_brainpy.core import circuits, lif


def run_lif(current, duration, dt, p=lif.LIFParams()):
    ts = jnp.arange(circuits.n_steps(duration, dt)) * dt

    def body(s, t):
        s = lif.lif_step(s, current, t, dt, p)
        return s, (s.V, s.spike)

    _, (V, spike) = jax.lax.scan(body, lif.lif_rest_state((), p), ts)
    return np.asarray(V), np.asarray(spike)


def test_first_spike_and_interval_match_analytic(x64):
    dt, I, p = 0.01, 28.0, lif.LIFParams()
    V, spike = run_lif(I, 200.0, dt, p)
    steps = np.flatnonzero(spike)
    # update at t = i*dt integrates to t + dt, so the first spike sits at ceil(t*/dt) - 1
    t_first = p.tau * math.log((I - p.V_rest) / (I - p.V_th))
    assert steps[0] == math.ceil(t_first / dt - 1e-9) - 1
    isi = p.tau * math.log((I - p.V_reset) / (I - p.V_th)) + p.tau_ref
    np.testing.assert_allclose(np.diff(steps) * dt, isi, atol=2 * dt)
    assert np.all(V < p.V_th)  # a spiking step stores V_reset


def test_subthreshold_relaxation_is_exact(x64):
    dt = 0.1
    V, spike = run_lif(15.0, 50.0, dt)
    t = (np.arange(V.size) + 1) * dt
    np.testing.assert_allclose(V, 15.0 * (1 - np.exp(-t / 10.0)), rtol=1e-12)
    assert not spike.any()


def test_refractory_holds_reset_voltage(x64):
    dt = 0.1
    V, spike = run_lif(28.0, 60.0, dt)
    i = np.flatnonzero(spike)[0]
    np.testing.assert_array_equal(V[i:i + 10], -5.0)  # held for tau_ref = 1 ms
    assert V[i + 11] > -5.0


def test_validation():
    with pytest.raises(ValueError, match="tau must lie in"):
        lif.validate_lif_params(lif.LIFParams(tau=0.0))
    with pytest.raises(ValueError, match="V_reset must be below V_th"):
        lif.validate_lif_params(lif.LIFParams(V_reset=30.0))
    with pytest.raises(ValueError, match="tau_ref must lie in"):
        lif.validate_lif_params(lif.LIFParams(tau_ref=-1.0))


def test_chain_decimation_samples_every_kth_step(x64):
    full = circuits.lif_stp_chain(0.2, tau_f=2.0, tau_d=150.0, duration=20.0)
    dec = circuits.lif_stp_chain(0.2, tau_f=2.0, tau_d=150.0, duration=20.0, decimate=4)
    np.testing.assert_array_equal(np.asarray(dec.I), np.asarray(full.I)[3::4])
    with pytest.raises(ValueError, match="decimate"):
        circuits.lif_stp_chain(0.2, tau_f=2.0, tau_d=150.0, duration=20.0, decimate=7)
