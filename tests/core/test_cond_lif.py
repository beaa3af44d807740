"""Conductance LIF core vs an independent NumPy transcription of the Neuromatch tutorial's loops.

The transcriptions (tests/neuromatch_reference.py) are copied from the tutorial text (``dynamic_syn``,
``run_LIF_cond``, ``run_LIF_cond_STP``); they share no code with the package.
"""
from __future__ import annotations

import numpy as np
import pytest

import jax
import jax.numpy as jnp

from stp_brainpy.core import cond_lif as cl
from stp_brainpy.core.stp import regular_train_efficacies

from neuromatch_reference import np_default_pars, np_dynamic_syn, np_poisson, np_run_LIF_cond, np_run_LIF_cond_STP


def _times(spike, dt):
    return np.flatnonzero(np.asarray(spike)[:-1]) * dt  # the tutorial never checks its last sample


# ------------------------------------------------------------------------------------------------
def test_dynamic_syn_traces_equal_tutorial(x64):
    rng = np.random.default_rng(0)
    dt = 0.1
    train = np_poisson(rng, 40., 1, 4000, dt)[0]
    for U0, td, tf in ((0.5, 100., 50.), (0.2, 100., 750.)):
        u, R, g = np_dynamic_syn(1.2, 5., U0, td, tf, train, dt)
        ju, jx, jg = cl.stp_conductance(train, U0, tau_f=tf, tau_d=td, g_bar=1.2, tau_s=5., dt=dt, method="euler")
        np.testing.assert_allclose(ju, u, rtol=0, atol=1e-12)
        np.testing.assert_allclose(jx, R, rtol=0, atol=1e-12)
        np.testing.assert_allclose(jg, g, rtol=0, atol=1e-12)


@pytest.mark.parametrize("I_inj", [0.0, "gwn"])
def test_run_LIF_cond_equals_tutorial(x64, I_inj):
    rng = np.random.default_rng(1)
    pars = np_default_pars(T=1000., gE_bar=3., VE=0., tau_syn_E=2., gI_bar=3., VI=-80., tau_syn_I=5.)
    Lt = pars['range_t'].size
    ex, inh = np_poisson(rng, 14., 80, Lt, 0.1), np_poisson(rng, 20., 20, Lt, 0.1)
    I = 0.0 if I_inj == 0.0 else 50. + 5. * rng.standard_normal(Lt) / np.sqrt(0.1 / 1000.)
    v, sp, gE, gI = np_run_LIF_cond(pars, I, ex, inh)
    assert sp.size > 5  # the comparison must cover spikes and refractory periods
    tr = cl.run_cond_lif_inputs(ex, inh, 3., 3., I_inj=I, p=cl.CondLIFParams(tau_E=2., tau_I=5.), method="euler")
    np.testing.assert_allclose(tr.gE, gE, rtol=0, atol=1e-9)
    np.testing.assert_allclose(tr.gI, gI, rtol=0, atol=1e-9)
    np.testing.assert_allclose(tr.V[:-1], v[:-1], rtol=0, atol=1e-9)
    np.testing.assert_allclose(_times(tr.spike, 0.1), sp, rtol=0, atol=1e-9)


def test_free_membrane_potential_equals_tutorial_high_threshold(x64):
    rng = np.random.default_rng(2)
    pars = np_default_pars(T=1000., gE_bar=2.4, VE=0., tau_syn_E=2., gI_bar=2.4, VI=-80., tau_syn_I=5., V_th=1e3)
    Lt = pars['range_t'].size
    ex, inh = np_poisson(rng, 10., 80, Lt, 0.1), np_poisson(rng, 10., 20, Lt, 0.1)
    v_fmp = np_run_LIF_cond(pars, 0., ex, inh)[0]
    tr = cl.run_cond_lif_inputs(ex, inh, 2.4, 2.4, p=cl.CondLIFParams(tau_E=2., tau_I=5.), fmp=True)
    np.testing.assert_allclose(tr.V, v_fmp, rtol=0, atol=1e-9)
    assert not bool(tr.spike.any())


def test_run_LIF_cond_STP_equals_tutorial(x64):
    rng = np.random.default_rng(3)
    r = 0.6
    pars = np_default_pars(T=400., gE_bar=4.8, VE=0., tau_syn_E=5., gI_bar=6.4, VI=-80., tau_syn_I=10.,
                           U0_E=0.45, tau_d_E=500. * r, tau_f_E=300. * r, U0_I=0.45, tau_d_I=500. * r,
                           tau_f_I=300. * r)
    Lt = pars['range_t'].size
    ex, inh = np_poisson(rng, 15., 80, Lt, 0.1), np_poisson(rng, 15., 20, Lt, 0.1)
    v, sp, gE, gI = np_run_LIF_cond_STP(pars, 0, ex, inh)
    assert sp.size > 5
    syn = cl.bonus_params(r)
    tr = cl.run_cond_lif_inputs(ex, inh, 4.8, 6.4, syn, syn, p=cl.CondLIFParams(tau_E=5., tau_I=10.))
    np.testing.assert_allclose(tr.gE, gE, rtol=0, atol=1e-9)
    np.testing.assert_allclose(tr.gI, gI, rtol=0, atol=1e-9)
    np.testing.assert_allclose(tr.V[:-1], v[:-1], rtol=0, atol=1e-9)
    np.testing.assert_allclose(_times(tr.spike, 0.1), sp, rtol=0, atol=1e-9)


def test_refractory_counter_and_initial_spike(x64):
    # V_init above threshold: spike at sample 0, then ceil(tau_ref/dt) held samples (tutorial semantics)
    for tau_ref, held in ((2.0, 20), (2.05, 21), (0.0, 0)):
        p = cl.CondLIFParams(V_init=-50., tau_ref=tau_ref)
        tr = cl.run_cond_lif(jnp.zeros(60), jnp.zeros(60), I_inj=100.0, p=p)
        assert bool(tr.spike[0])
        assert np.all(np.asarray(tr.V[: held + 1]) == -75.0)
        assert tr.V[held + 1] != -75.0


def test_exact_membrane_is_dt_convergent(x64):
    # constant conductances: exponential Euler is exact, so V(t) does not depend on dt
    p = cl.CondLIFParams(V_th=jnp.inf)
    V = {}
    for dt in (0.1, 0.01):
        n = int(round(50. / dt)) + 1
        drive = jnp.zeros(n).at[1].set(5.0)
        V[dt] = cl.run_cond_lif(drive, jnp.zeros(n), 100.0, p._replace(tau_E=1e12), dt, "exact").V
    np.testing.assert_allclose(V[0.1][::1], V[0.01][::10], rtol=0, atol=1e-9)


STD = (0.5, 100., 50.)
STF = (0.2, 100., 750.)


def test_exact_mode_regular_train_matches_closed_form(x64):
    from stp_brainpy.core.spike_inputs import regular_train

    dt, isi, n = 0.1, 250, 12
    steps = isi * n + 1
    train = regular_train(steps, isi)
    for U0, td, tf in (STD, STF, (0.45, 250., 150.)):
        # efficacy u⁺x⁻ of each spike = g jump / ḡ; read it through a synapse with τsyn → 0 contribution
        u, x, _ = cl.stp_conductance(train, U0, tau_f=tf, tau_d=td, g_bar=1.0, tau_s=5., dt=dt, method="exact")
        k = np.arange(1, n + 1) * isi
        eff = np.asarray(u)[k] * (np.asarray(x)[k] / (1 - np.asarray(u)[k]))  # x⁺ = x⁻(1-u⁺)
        ref = np.asarray(regular_train_efficacies(n, U0, tau_f=tf, tau_d=td, isi=isi * dt)[0])
        np.testing.assert_allclose(eff, ref, rtol=1e-12, atol=1e-12)


def test_summary_stp_vs_static_and_event_path():
    f = jax.jit(cl.cond_lif_stp_summary, static_argnames=("duration", "stp", "max_spikes"))
    a = f(0.6, 15., 15., seed=1, duration=200., max_spikes=40)
    b = f(0.6, 15., 15., seed=1, duration=200., stp=False, max_spikes=40)
    assert set(a) == {"rate", "cv_isi", "cv_isi_late", "n_spikes", "fmp_mean", "fmp_std"}
    assert float(a["fmp_mean"]) < float(b["fmp_mean"])  # depression lowers the mean drive
    assert np.isfinite(float(a["rate"])) and float(a["fmp_std"]) > 0


def test_bad_parameters():
    with pytest.raises(ValueError, match="g_L"):
        cl.validate_cond_lif_params(cl.CondLIFParams(g_L=0.))
    with pytest.raises(ValueError, match="tau_m"):
        cl.validate_cond_lif_params(cl.CondLIFParams(tau_m=-1.))
    with pytest.raises(ValueError, match="V_reset"):
        cl.validate_cond_lif_params(cl.CondLIFParams(V_reset=-50.))
    with pytest.raises(ValueError, match="method"):
        cl.membrane_step(0., 0., 0., 0., cl.CondLIFParams(), 0.1, "rk4")


@pytest.mark.parametrize("method", ["euler", "exact"])
def test_event_driven_drive_equals_stepwise(x64, method):
    rng = np.random.default_rng(9)
    steps, n = 6000, 7
    train = np_poisson(rng, 60., n, steps, 0.1)
    train[0, 0] = 1.0  # sample 0 is never read
    K = int(train.sum(1).max()) + 3
    idx = np.full((n, K), steps)
    for i in range(n):
        k = np.flatnonzero(train[i])
        idx[i, :k.size] = k
    syn = cl.STPParams(0.3, 120., 400.)
    ref = cl.stp_drive(train, 2.5, syn, 0.1, method)
    got = cl.stp_drive_events(jnp.asarray(idx), 2.5, syn, steps, 0.1, method)
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-10)
    np.testing.assert_allclose(cl.stp_drive_events(jnp.asarray(idx), 2.5, None, steps, 0.1),
                               cl.stp_drive(train, 2.5, None), rtol=0, atol=1e-12)
