"""The common sweep runs against independent NumPy transcriptions of the guide's equations (§2.1)."""
from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from stp_brainpy.sweeps import product, sweep
from stp_brainpy.sweeps import models
from tm_reference import tm_efficacies as np_event_efficacies


AXES = dict(U=[0.05, 0.5, 0.9], tau_d=[50.0, 400.0], tau_f=[20.0, 1500.0], rate=[2.0, 40.0])


@pytest.mark.parametrize("algorithm", ["stepwise", "closed"])
def test_regular_train_efficacy_matches_numpy(x64, algorithm):
    ds = sweep(models.stp_efficacy, product(**AXES), static={"n_spikes": 6, "algorithm": algorithm},
               out_dims=models.EFFICACY_DIMS)
    for U in AXES["U"]:
        for td in AXES["tau_d"]:
            for tf in AXES["tau_f"]:
                for r in AXES["rate"]:
                    ref = np_event_efficacies(np.arange(6) * 1000.0 / r, U, tf, td)
                    got = ds.efficacy.sel(U=U, tau_d=td, tau_f=tf, rate=r).values
                    np.testing.assert_allclose(got, ref, rtol=1e-12)


def test_regular_train_float32_within_tolerance():
    ds = sweep(models.stp_efficacy, product(**AXES), out_dims=models.EFFICACY_DIMS)
    assert ds.efficacy.dtype == np.float32
    got = ds.efficacy.sel(U=0.5, tau_d=400.0, tau_f=1500.0, rate=40.0).values
    np.testing.assert_allclose(got, np_event_efficacies(np.arange(10) * 25.0, 0.5, 1500.0, 400.0), rtol=2e-6)


def test_poisson_train_matches_numpy_on_the_same_spike_times(x64):
    ds = sweep(models.stp_efficacy, product(U=[0.3], tau_d=[200.0], tau_f=[600.0], rate=[15.0]), seeds=[4, 11],
               static={"n_spikes": 8, "train": "poisson"}, out_dims=models.EFFICACY_DIMS)
    for s in (4, 11):
        gaps = np.asarray(jax.random.exponential(jax.random.key(np.uint32(s)), (8,), jnp.float64)) * 1000.0 / 15.0
        ref = np_event_efficacies(np.cumsum(gaps), 0.3, 600.0, 200.0)
        np.testing.assert_allclose(ds.efficacy.sel(seed=s).values.ravel(), ref, rtol=1e-12)
    assert not np.array_equal(ds.efficacy.sel(seed=4).values, ds.efficacy.sel(seed=11).values)


def np_chain(U, tau_f, tau_d, tau_s=8.0, A=1.0, current=28.0, duration=150.0, dt=0.1,
             V_rest=0.0, V_reset=-5.0, V_th=20.0, tau=10.0, tau_ref=1.0):
    """Homework chain transcribed from the guide: exact LIF step, exact TM step, exact current decay."""
    n = int(round(duration / dt))
    V, t_last, u, x, I = V_rest, -1e7, 0.0, 1.0, 0.0
    effs, Is = [], []
    n_spk = 0
    for i in range(n):
        t = i * dt
        if t - t_last > tau_ref:
            v_inf = V_rest + current
            V = v_inf + (V - v_inf) * math.exp(-dt / tau)
        spike = V >= V_th
        if spike:
            V, t_last = V_reset, t
        u *= math.exp(-dt / tau_f)
        x = 1.0 - (1.0 - x) * math.exp(-dt / tau_d)
        e = 0.0
        if spike:
            n_spk += 1
            u = u + U * (1.0 - u)
            e = u * x
            x -= e
            effs.append(e)
        I = I * math.exp(-dt / tau_s) + A * e
        Is.append(I)
    return dict(n_spikes=n_spk, efficacy_first=effs[0], efficacy_last=effs[-1], efficacy_sum=sum(effs),
                I_peak=max(Is), I_mean=float(np.mean(Is)), u_final=u, x_final=x)


def test_chain_summary_matches_numpy(x64):
    axes = dict(U=[0.15, 0.6], tau_f=[50.0, 1500.0], tau_d=[200.0])
    ds = sweep(models.chain_summary, product(**axes), static={"duration": 60.0})
    assert set(ds.data_vars) == set(models.CHAIN_SUMMARIES)
    for U in axes["U"]:
        for tf in axes["tau_f"]:
            ref = np_chain(U, tf, 200.0, duration=60.0)
            got = ds.sel(U=U, tau_f=tf, tau_d=200.0)
            assert ref["n_spikes"] >= 3
            for k, v in ref.items():
                np.testing.assert_allclose(float(got[k]), v, rtol=1e-9, atol=1e-12, err_msg=k)
            np.testing.assert_allclose(float(got.efficacy_first), U, rtol=1e-12)  # first spike from rest


def test_chain_traces_and_times():
    ds = sweep(models.chain_traces, product(U=[0.2], tau_f=[100.0], tau_d=[300.0]), static={"duration": 20.0, "decimate": 10},
               out_dims=models.CHAIN_TRACE_DIMS, coords={"time": models.chain_times(20.0, 0.1, 10)})
    assert ds.u.dims == ("U", "tau_f", "tau_d", "time") and ds.sizes["time"] == 20
    np.testing.assert_allclose(ds.time.values, np.arange(9, 200, 10) * 0.1)


def test_cond_lif_wrapper_forwards_to_core(monkeypatch):
    """The wiring, without compiling the real model (its numerics are tested with core.cond_lif)."""
    import inspect
    import types

    from stp_brainpy.core.cond_lif import cond_lif_stp_summary  # the entry point the wrapper calls

    params = inspect.signature(cond_lif_stp_summary).parameters
    assert list(params)[:3] == ["tau_ratio", "rate_E", "rate_I"] and {"seed", "duration"} <= set(params)
    seen = {}

    def fake(tau_ratio, rate_E, rate_I, *, seed, duration, stp=True):
        seen.update(duration=duration, stp=stp)
        return {"rate": tau_ratio * rate_E + rate_I + 0.0 * seed, "fmp_mean": -60.0 + 0.0 * tau_ratio}

    monkeypatch.setattr(models, "_cond_lif_module", lambda: types.SimpleNamespace(cond_lif_stp_summary=fake))
    ds = sweep(models.cond_lif_stp, product(tau_ratio=[0.5, 2.0], rate_E=[10.0, 20.0]), seeds=2,
               static={"duration": 50.0, "stp": False})
    np.testing.assert_allclose(ds.rate.isel(seed=1).values, np.outer([0.5, 2.0], [10.0, 20.0]) + 15.0)
    assert seen == {"duration": 50.0, "stp": False}
    with pytest.raises(ValueError, match=r"rate_E·dt must be <= 1"):
        models.cond_lif_stp(1.0, 20000.0)  # a direct call with numbers is checked before the core runs


def test_bad_model_options():
    with pytest.raises(ValueError, match="train must be"):
        models.stp_efficacy(0.5, tau_f=100.0, tau_d=100.0, rate=10.0, train="bursty")
    with pytest.raises(ValueError, match="algorithm must be"):
        models.stp_efficacy(0.5, tau_f=100.0, tau_d=100.0, rate=10.0, algorithm="magic")
