"""Independent NumPy transcription of the Neuromatch tutorial's loops (W2D3 T3), shared by the tests.

Copied from the tutorial text (``default_pars``, ``Poisson_generator``, ``dynamic_syn``,
``run_LIF_cond``, ``run_LIF_cond_STP``, the regular-train part of ``my_illus_STD``) with only the
parameter dictionary inlined and NumPy's global seed replaced by a Generator; it shares no code with
the package.
"""
from __future__ import annotations

import numpy as np


def np_default_pars(**kw):
    pars = dict(V_th=-55., V_reset=-75., tau_m=10., g_L=10., V_init=-65., E_L=-75., tref=2., T=400., dt=.1)
    pars.update(kw)
    pars['range_t'] = np.arange(0, pars['T'], pars['dt'])
    return pars


def np_dynamic_syn(g_bar, tau_syn, U0, tau_d, tau_f, pre_spike_train, dt):
    Lt = len(pre_spike_train)
    u = np.zeros(Lt)
    R = np.zeros(Lt)
    R[0] = 1.
    g = np.zeros(Lt)
    for it in range(Lt - 1):
        du = -(dt / tau_f) * u[it] + U0 * (1.0 - u[it]) * pre_spike_train[it + 1]
        u[it + 1] = u[it] + du
        dR = (dt / tau_d) * (1.0 - R[it]) - u[it + 1] * R[it] * pre_spike_train[it + 1]
        R[it + 1] = R[it] + dR
        dg = -(dt / tau_syn) * g[it] + g_bar * R[it] * u[it + 1] * pre_spike_train[it + 1]
        g[it + 1] = g[it] + dg
    return u, R, g


def np_run_LIF_cond(pars, I_inj, pre_spike_train_ex, pre_spike_train_in):
    V_th, V_reset = pars['V_th'], pars['V_reset']
    tau_m, g_L = pars['tau_m'], pars['g_L']
    V_init, E_L = pars['V_init'], pars['E_L']
    gE_bar, gI_bar = pars['gE_bar'], pars['gI_bar']
    VE, VI = pars['VE'], pars['VI']
    tau_syn_E, tau_syn_I = pars['tau_syn_E'], pars['tau_syn_I']
    tref = pars['tref']
    dt, range_t = pars['dt'], pars['range_t']
    Lt = range_t.size
    tr = 0.
    v = np.zeros(Lt)
    v[0] = V_init
    gE = np.zeros(Lt)
    gI = np.zeros(Lt)
    Iinj = I_inj * np.ones(Lt)
    if pre_spike_train_ex.max() == 0:
        pre_spike_train_ex_total = np.zeros(Lt)
    else:
        pre_spike_train_ex_total = pre_spike_train_ex.sum(axis=0) * np.ones(Lt)
    if pre_spike_train_in.max() == 0:
        pre_spike_train_in_total = np.zeros(Lt)
    else:
        pre_spike_train_in_total = pre_spike_train_in.sum(axis=0) * np.ones(Lt)
    rec_spikes = []
    for it in range(Lt - 1):
        if tr > 0:
            v[it] = V_reset
            tr = tr - 1
        elif v[it] >= V_th:
            rec_spikes.append(it)
            v[it] = V_reset
            tr = tref / dt
        gE[it + 1] = gE[it] - (dt / tau_syn_E) * gE[it] + gE_bar * pre_spike_train_ex_total[it + 1]
        gI[it + 1] = gI[it] - (dt / tau_syn_I) * gI[it] + gI_bar * pre_spike_train_in_total[it + 1]
        dv = (dt / tau_m) * (-(v[it] - E_L) - (gE[it + 1] / g_L) * (v[it] - VE)
                             - (gI[it + 1] / g_L) * (v[it] - VI) + Iinj[it] / g_L)
        v[it + 1] = v[it] + dv
    rec_spikes = np.array(rec_spikes) * dt
    return v, rec_spikes, gE, gI


def np_run_LIF_cond_STP(pars, I_inj, pre_spike_train_ex, pre_spike_train_in):
    V_th, V_reset = pars['V_th'], pars['V_reset']
    tau_m, g_L = pars['tau_m'], pars['g_L']
    V_init, V_L = pars['V_init'], pars['E_L']
    gE_bar, gI_bar = pars['gE_bar'], pars['gI_bar']
    U0E, tau_dE, tau_fE = pars['U0_E'], pars['tau_d_E'], pars['tau_f_E']
    U0I, tau_dI, tau_fI = pars['U0_I'], pars['tau_d_I'], pars['tau_f_I']
    VE, VI = pars['VE'], pars['VI']
    tau_syn_E, tau_syn_I = pars['tau_syn_E'], pars['tau_syn_I']
    tref = pars['tref']
    dt, range_t = pars['dt'], pars['range_t']
    Lt = range_t.size
    nE = pre_spike_train_ex.shape[0]
    nI = pre_spike_train_in.shape[0]
    gE = np.zeros((nE, Lt))
    for ie in range(nE):
        gE[ie, :] = np_dynamic_syn(gE_bar, tau_syn_E, U0E, tau_dE, tau_fE, pre_spike_train_ex[ie, :], dt)[2]
    gE_total = gE.sum(axis=0)
    gI = np.zeros((nI, Lt))
    for ii in range(nI):
        gI[ii, :] = np_dynamic_syn(gI_bar, tau_syn_I, U0I, tau_dI, tau_fI, pre_spike_train_in[ii, :], dt)[2]
    gI_total = gI.sum(axis=0)
    v = np.zeros(Lt)
    v[0] = V_init
    Iinj = I_inj * np.ones(Lt)
    rec_spikes = []
    tr = 0.
    for it in range(Lt - 1):
        if tr > 0:
            v[it] = V_reset
            tr = tr - 1
        elif v[it] >= V_th:
            rec_spikes.append(it)
            v[it] = V_reset
            tr = tref / dt
        dv = (dt / tau_m) * (-(v[it] - V_L) - (gE_total[it + 1] / g_L) * (v[it] - VE)
                             - (gI_total[it + 1] / g_L) * (v[it] - VI) + Iinj[it] / g_L)
        v[it + 1] = v[it] + dv
    rec_spikes = np.array(rec_spikes) * dt
    return v, rec_spikes, gE_total, gI_total


def np_poisson(rng, rate, n, Lt, dt):
    return 1. * (rng.random((n, Lt)) < rate * (dt / 1000.))


def np_g1_g10(rate, U0, tau_d, tau_f, dt=0.1):
    T = 10.0 * 1000 / (1.0 * rate)
    range_t = np.arange(0, T, dt)
    isi_num = int((1e3 / rate) / dt)
    train = np.zeros(len(range_t))
    train[::isi_num] = 1.
    g = np_dynamic_syn(1.2, 5., U0, tau_d, tau_f, train, dt)[2]
    return g[isi_num], g[9 * isi_num]
