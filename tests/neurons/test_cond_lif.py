"""CondLIF (BrainPy class): tutorial-exact against the NumPy transcription, STP/static inputs, brainpy projections."""
from __future__ import annotations

import numpy as np
import pytest

import brainpy as bp

from neuromatch_reference import np_default_pars, np_poisson, np_run_LIF_cond, np_run_LIF_cond_STP
from stp_brainpy.inputs import SpikeTrainGroup
from stp_brainpy.neurons import CondLIF
from stp_brainpy.neurons.cond_inputs import ConductanceInput


def _delay(train, k):
    out = np.zeros_like(train)
    out[..., k:] = train[..., :-k]
    return out


def test_direct_conductance_input_equals_tutorial(x64):
    rng = np.random.default_rng(4)
    pars = np_default_pars(T=600., gE_bar=3., VE=0., tau_syn_E=2., gI_bar=3., VI=-80., tau_syn_I=5.)
    Lt = pars['range_t'].size
    ex, inh = np_poisson(rng, 14., 80, Lt, 0.1), np_poisson(rng, 20., 20, Lt, 0.1)
    I = 20. + 3. * rng.standard_normal(Lt) / np.sqrt(1e-4)
    v, sp, gE, gI = np_run_LIF_cond(pars, I, ex, inh)
    assert sp.size > 3
    neu = CondLIF(1)
    # step k integrates sample k → k+1: conductance jumps of sample k+1, current of sample k
    inputs = [(neu.gE_input, 3. * ex.sum(0)[1:, None], 'iter'), (neu.gI_input, 3. * inh.sum(0)[1:, None], 'iter'),
              (neu.input, I[:-1, None], 'iter')]
    runner = bp.DSRunner(neu, monitors=['V', 'spike', 'gE'], inputs=inputs, progress_bar=False)
    runner.run((Lt - 1.5) * 0.1)  # Lt - 2 steps: samples 1..Lt-2 (the tutorial never checks Lt-1)
    n = Lt - 2
    np.testing.assert_allclose(runner.mon['V'][:, 0], v[1:n + 1], rtol=0, atol=1e-9)
    np.testing.assert_allclose(runner.mon['gE'][:, 0], gE[1:n + 1], rtol=0, atol=1e-9)
    np.testing.assert_allclose((np.flatnonzero(runner.mon['spike'][:, 0]) + 1) * 0.1, sp, atol=1e-9)


@pytest.mark.parametrize("stp", [True, False])
def test_spike_groups_and_stp_inputs_equal_tutorial_delayed_two_samples(x64, stp):
    rng = np.random.default_rng(5)
    r = 0.4
    pars = np_default_pars(T=600., gE_bar=4.8, VE=0., tau_syn_E=5., gI_bar=6.4, VI=-80., tau_syn_I=10.,
                           U0_E=0.45, tau_d_E=500. * r, tau_f_E=300. * r, U0_I=0.45, tau_d_I=500. * r,
                           tau_f_I=300. * r)
    Lt = pars['range_t'].size
    ex, inh = np_poisson(rng, 15., 80, Lt, 0.1), np_poisson(rng, 15., 20, Lt, 0.1)
    ref = (np_run_LIF_cond_STP if stp else np_run_LIF_cond)(pars, 0., _delay(ex, 2), _delay(inh, 2))
    pe, pi = SpikeTrainGroup(ex), SpikeTrainGroup(inh)
    neu = CondLIF(1, tau_E=5., tau_I=10.)
    kw = dict(U=0.45, tau_f=300. * r, tau_d=500. * r) if stp else {}
    ce, ci = ConductanceInput(pe, neu, 4.8, 'E', **kw), ConductanceInput(pi, neu, 6.4, 'I', **kw)
    net = bp.DynSysGroup(pe=pe, pi=pi, ce=ce, ci=ci, neu=neu)
    runner = bp.DSRunner(net, monitors={'V': neu.V, 'spike': neu.spike}, progress_bar=False)
    runner.run((Lt - 1.5) * 0.1)
    assert ref[1].size > 3
    np.testing.assert_allclose(runner.mon['V'][:, 0], ref[0][1:Lt - 1], rtol=0, atol=1e-9)
    np.testing.assert_allclose((np.flatnonzero(runner.mon['spike'][:, 0]) + 1) * 0.1, ref[1], atol=1e-9)


def test_fmp_mode_never_spikes_and_refractory_holds():
    neu = CondLIF(2, fmp=True)
    runner = bp.DSRunner(neu, monitors=['V', 'spike'], inputs=[('input', 400.)], progress_bar=False)
    runner.run(50.)
    assert not runner.mon['spike'].any() and runner.mon['V'].max() > -55.
    neu = CondLIF(1)
    runner = bp.DSRunner(neu, monitors=['V', 'spike'], inputs=[('input', 400.)], progress_bar=False)
    runner.run(50.)
    k = int(np.flatnonzero(runner.mon['spike'][:, 0])[0])
    assert np.all(runner.mon['V'][k:k + 21, 0] == -75.) and runner.mon['V'][k + 21, 0] > -75.


def test_target_of_brainpy_projection_with_coba_output(x64):
    """bp.dyn.FullProjAlignPostMg + Expon + COBA: V follows the tutorial equation with I = g (E - V)."""
    rng = np.random.default_rng(6)
    train = np_poisson(rng, 30., 50, 3000, 0.1)
    pre = SpikeTrainGroup(train)
    neu = CondLIF(1, E_L=-65.)
    proj = bp.dyn.FullProjAlignPostMg(pre=pre, delay=None, comm=bp.dnn.AllToAll(50, 1, 2.0),
                                      syn=bp.dyn.Expon.desc(1, tau=5.), out=bp.dyn.COBA.desc(E=0.), post=neu)
    net = bp.DynSysGroup(pre=pre, proj=proj, neu=neu)
    runner = bp.DSRunner(net, monitors={'V': neu.V, 'g': proj.syn.g}, progress_bar=False)
    runner.run(300.)
    V, g = runner.mon['V'][:, 0], runner.mon['g'][:, 0]
    assert V.max() > -60. and g.max() > 0.  # the excitatory projection depolarises
    # step k: the synapse updates g first; COBA gives g·(E - V) with V of the previous step
    Vprev = np.concatenate([[-65.], V[:-1]])
    pred = Vprev + 0.1 / 10. * (-(Vprev + 65.) + g * (0. - Vprev) / 10.)
    free = V != -75.
    assert free.sum() > 1000
    np.testing.assert_allclose(V[free], pred[free], rtol=0, atol=1e-9)


def test_bad_parameters():
    with pytest.raises(ValueError, match="g_L"):
        CondLIF(1, g_L=0.)
    with pytest.raises(ValueError, match="tau_m"):
        CondLIF(1, tau_m=0.)
    with pytest.raises(ValueError, match="method"):
        CondLIF(1, method="rk4")
    pre, neu = SpikeTrainGroup(np.zeros((3, 10))), CondLIF(1)
    with pytest.raises(ValueError, match="g_bar"):
        ConductanceInput(pre, neu, 0.)
    with pytest.raises(ValueError, match="U"):
        ConductanceInput(pre, neu, 1., U=1.5, tau_f=10., tau_d=10.)
    with pytest.raises(ValueError, match="binary"):
        SpikeTrainGroup(np.full((2, 5), 2.))
