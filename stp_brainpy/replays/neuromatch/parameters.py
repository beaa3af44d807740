"""The Neuromatch tutorial's numbers (W2D3 T3), named once; every section and figure reads them here.

Units: ms, mV, nS, Hz. The neuron is :class:`stp_brainpy.core.cond_lif.CondLIFParams` with the
tutorial's ``default_pars`` (``V_th`` -55 mV, ``V_reset`` -75 mV, ``tau_m`` 10 ms, ``g_L`` 10 nS,
refractory 2 ms, reversal potentials 0 / -80 mV); only the synaptic decays change per section.
"""
from __future__ import annotations

import numpy as np

from ...core.cond_lif import CondLIFParams

DT = 0.1                # ms, the tutorial's step (``pars['dt']``)
DURATION = 1000.0       # ms, every section's run (``T``) except the explorers (10 input spikes)
N_E, N_I = 80, 20       # excitatory, inhibitory input trains
V_TH = CondLIFParams().V_th

# Exercise 1.2: V and the free membrane potential (FMP) under 80 E + 20 I trains at 10 Hz
FMP_RATE = 10.0         # Hz, both populations
FMP_G_BAR = 2.4         # nS per input spike, E and I
FMP_NEURON = CondLIFParams(tau_E=2.0, tau_I=5.0)

# E/I explorer, as a whole grid of (exc rate, inh rate) cells
GRID_G_BAR = 3.0        # nS
GRID_NEURON = FMP_NEURON
EXC_RATES = np.arange(2.0, 20.1, 2.0)    # Hz, the explorer slider's values
INH_RATES = np.arange(10.0, 60.1, 5.0)   # Hz
MIN_SPIKES_CV = 4       # CV_ISI needs this many output spikes (NaN below)

# STD / STF explorers (``my_illus_STD``): one TM synapse, (U0, tau_d, tau_f) per kind
SYNAPSES = {"STD": (0.5, 100.0, 50.0), "STF": (0.2, 100.0, 750.0)}
G_BAR = 1.2             # nS
TAU_S = 5.0             # ms, the synaptic decay (the tutorial's ``tau_syn``)
EXPLORER_SPIKES = 10    # the explorer's window holds this many input spikes (``T = 10·1000/rate``)
EXPLORER_CASES = (("STD", 10.0, False), ("STD", 10.0, True), ("STD", 50.0, False), ("STF", 10.0, False),
                  ("STF", 10.0, True), ("STF", 30.0, False))   # (kind, rate Hz, Poisson?) drawn by run_all
RATIO_RATES = {"STD": np.arange(5.0, 40.1, 5.0), "STF": np.arange(2.0, 40.1, 2.0)}  # Hz, g10/g1 curves
RATIO_SPIKE = 10        # g_n/g_1 with this n

# bonus: conductance LIF with STP on every input (U0 0.45, tau_d 500·r, tau_f 300·r: core.cond_lif.bonus_params)
BONUS_RATE = 15.0       # Hz, E and I inputs
BONUS_G_E, BONUS_G_I = 4.8, 6.4   # nS
BONUS_NEURON = CondLIFParams(tau_E=5.0, tau_I=10.0)
TAU_RATIOS = np.round(np.arange(0.2, 1.01, 0.2), 10)
BONUS_SEEDS = 50        # seeds per tau_ratio (paired with static synapses on the same trains)
BONUS_TRACE_RATIO = 0.5
BONUS_EARLY, BONUS_LATE = (50.0, 150.0), (500.0, None)  # ms windows of the late/early conductance ratio

# run_all --quick: a smoke run of every section
QUICK_DURATION = 300.0  # ms, E/I grid and bonus
QUICK_BONUS_SEEDS = 2

# random streams: one tag per section, so one section's seed never changes another's trains
STREAM_FMP, STREAM_GRID, STREAM_EXPLORER, STREAM_BONUS_TRACE = 12, 13, 21, 0
