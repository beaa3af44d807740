"""stp_brainpy.neurons.LIF against the analytic solution and a NumPy transcription of brainmodels' LIF."""
from __future__ import annotations

import brainpy as bp
import brainpy.math as bm
import numpy as np
import pytest

from stp_brainpy.neurons import LIF


def np_lif(current, n_steps, dt, V_rest=0.0, V_reset=-5.0, V_th=20.0, tau=10.0, tau_ref=1.0):
    """Exact integration of tau dV/dt = -(V - V_rest) + I per step; held while t - t_last <= tau_ref."""
    V, t_last = V_rest, -1e7
    Vs, spikes = np.zeros(n_steps), np.zeros(n_steps, bool)
    for i in range(n_steps):
        t = i * dt
        if t - t_last > tau_ref:
            V = V_rest + current + (V - V_rest - current) * np.exp(-dt / tau)
        if V >= V_th:
            V, t_last, spikes[i] = V_reset, t, True
        Vs[i] = V
    return Vs, spikes


def run(neu, duration, inputs, monitors=("V", "spike", "refractory", "t_last_spike")):
    runner = bp.DSRunner(neu, monitors=list(monitors), inputs=inputs, progress_bar=False)
    runner.run(duration)
    return {k: np.asarray(v) for k, v in runner.mon.items()}


def test_constant_input_matches_numpy_and_closed_form(x64):
    dt = 0.1
    mon = run(LIF(1), 150.0, [("input", 28.0)])
    V, spikes = np_lif(28.0, 1500, dt)
    np.testing.assert_allclose(mon["V"][:, 0], V, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(mon["spike"][:, 0], spikes)
    # closed form: first crossing of 20 from 0 after tau*ln(28/8) = 12.53 ms, then 1 ms held at -5
    # and tau*ln(33/8) = 14.17 ms back to threshold: steps ceil(125.3) - 1 = 125, then every 10 + 142 steps
    np.testing.assert_array_equal(np.flatnonzero(spikes), 125 + 152 * np.arange(10))
    steps = np.flatnonzero(mon["spike"][:, 0])
    np.testing.assert_allclose(mon["t_last_spike"][steps, 0], steps * dt, rtol=1e-12)
    # refractory right after each spike, for tau_ref = 1 ms
    assert mon["refractory"][steps[0]: steps[0] + 11, 0].all() and not mon["refractory"][steps[0] + 12, 0]


def test_parameters_vary_per_neuron_and_input_clears(x64):
    neu = LIF(3, V_th=np.array([10.0, 20.0, 25.0]), tau=np.array([5.0, 10.0, 20.0]))
    mon = run(neu, 50.0, [("input", 28.0)], ["V", "spike", "input"])
    for k, (th, tau) in enumerate(((10.0, 5.0), (20.0, 10.0), (25.0, 20.0))):
        V, spikes = np_lif(28.0, 500, 0.1, V_th=th, tau=tau)
        np.testing.assert_allclose(mon["V"][:, k], V, rtol=1e-12, atol=1e-12)
    assert np.all(mon["input"] == 28.0)  # monitored before clearing
    assert float(np.abs(neu.input.value).max()) == 0.0  # cleared after the step


def test_update_argument_and_batching_mode():
    neu = LIF(2, mode=bm.BatchingMode(3))
    assert neu.V.shape == (3, 2)
    bp.share.save(t=0.0, dt=0.1)
    neu.input.value += 1.0
    neu.update(np.ones((3, 2)))
    np.testing.assert_allclose(neu.V.value, 2.0 * (1 - np.exp(-0.01)), rtol=1e-6)


@pytest.mark.parametrize("kwargs,name", [(dict(tau=0.0), "tau"), (dict(tau_ref=-1.0), "tau_ref"),
                                         (dict(V_reset=25.0), "V_reset"), (dict(V_th=np.nan), "V_th must be finite"),
                                         (dict(V_rest=np.inf), "V_rest must be finite"), (dict(tau=np.inf), "tau"),
                                         (dict(tau_ref=np.nan), "tau_ref")])
def test_bad_parameters_raise(kwargs, name):
    with pytest.raises(ValueError, match=name):
        LIF(1, **kwargs)


@pytest.mark.parametrize("args,kwargs,exc,name", [
    ((2.5,), {}, ValueError, "size must be an integer; got 2.5"), ((-1,), {}, ValueError, "size must be an integer >= 1"),
    ((None,), {}, TypeError, "size must be an integer"), ((1,), dict(V_th="20"), TypeError, "V_th must be"),
    ((1,), dict(tau=1j), TypeError, "tau must be"),
])
def test_bad_sizes_and_types_raise(args, kwargs, exc, name):
    with pytest.raises(exc, match=name):
        LIF(*args, **kwargs)
