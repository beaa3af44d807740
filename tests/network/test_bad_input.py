"""Bad input to the network layer and the conductance LIF: each case refused with the named exception.

Table-driven: connectivity builders, network sizes, COBAConfig / FusedCOBA / simulate,
EventSTPProjection, COBANeuron, neurons.CondLIF / ConductanceInput, core.cond_lif /
core.cond_neuron / core.delays, spike_stats, and the ``network`` CLI (one line ``error: ...`` on
stderr, exit 2, nothing written). Nothing here compiles or simulates: every refusal happens before.
Valid edge cases (zero-size groups, p = 0 / 1, V_th = inf, tau = inf) are checked to work.
"""
from __future__ import annotations

import math
import re

import numpy as np
import pytest

from stp_brainpy.core import cond_lif as cl
from stp_brainpy.core import cond_neuron as cn
from stp_brainpy.core.delays import delay_steps
from stp_brainpy.network import (COBAConfig, FusedCOBA, bernoulli, fixed_in_degree, from_dense, from_pairs, select,
                                 simulate, spike_stats)

NAN, INF = math.nan, math.inf
C = COBAConfig


def _conn(n_pre=4, n_post=3):
    return bernoulli(n_pre, n_post, 0.5, seed=0)


def _proj(**kw):
    from stp_brainpy.network import COBANeuron, EventSTPProjection

    pre, post = COBANeuron(4), COBANeuron(3)
    args = dict(pre=pre, post=post, conn=_conn())
    args.update(kw)
    return EventSTPProjection(**args)


def _cobaneuron(**kw):
    from stp_brainpy.network import COBANeuron

    return COBANeuron(**{"size": 3, **kw})


def _condlif(**kw):
    from stp_brainpy.neurons import CondLIF

    return CondLIF(**{"size": 1, **kw})


def _condinput(**kw):
    from stp_brainpy.inputs import SpikeTrainGroup
    from stp_brainpy.neurons import CondLIF
    from stp_brainpy.neurons.cond_inputs import ConductanceInput

    pre, post = SpikeTrainGroup(np.zeros((3, 10))), CondLIF(2)
    return ConductanceInput(**{"pre": pre, "post": post, "g_bar": 1.0, **kw})


Z = np.zeros(50)
P = cn.CondLIFParams()

CASES = [
    # --- connectivity builders -----------------------------------------------------------------------
    ("bernoulli n_pre 2.7", lambda: bernoulli(2.7, 5, 0.1), ValueError, "n_pre must be an integer"),
    ("bernoulli n_pre -1", lambda: bernoulli(-1, 5, 0.1), ValueError, "n_pre must be an integer"),
    ("bernoulli n_post str", lambda: bernoulli(5, "5", 0.1), TypeError, "n_post"),
    ("bernoulli n_pre None", lambda: bernoulli(None, 5, 0.1), TypeError, "n_pre"),
    ("bernoulli p 1.5", lambda: bernoulli(5, 5, 1.5), ValueError, r"p must lie in \[0, 1\]; got 1.5"),
    ("bernoulli p -0.1", lambda: bernoulli(5, 5, -0.1), ValueError, "p must lie in"),
    ("bernoulli p nan", lambda: bernoulli(5, 5, NAN), ValueError, "p must lie in"),
    ("bernoulli p str", lambda: bernoulli(5, 5, "0.1"), TypeError, "p must be"),
    ("bernoulli p complex", lambda: bernoulli(5, 5, 0.1j), TypeError, "p must be"),
    ("bernoulli seed -1", lambda: bernoulli(5, 5, 0.1, seed=-1), ValueError, "seed"),
    ("bernoulli seed 1.5", lambda: bernoulli(5, 5, 0.1, seed=1.5), ValueError, "seed must be an integer"),
    ("bernoulli seed str", lambda: bernoulli(5, 5, 0.1, seed="x"), TypeError, "seed"),
    ("bernoulli autapses str", lambda: bernoulli(5, 5, 0.1, allow_autapses="no"), TypeError, "allow_autapses"),
    ("bernoulli oversize", lambda: bernoulli(10**6, 10**6, 0.02), ValueError, "synapses need about .* available"),
    ("fixed k 2.7", lambda: fixed_in_degree(10, 10, 2.7), ValueError, "must be an integer"),
    ("fixed k -1", lambda: fixed_in_degree(10, 10, -1), ValueError, "k"),
    ("fixed k > n_pre", lambda: fixed_in_degree(10, 10, 11), ValueError, r"k must lie in \[0, 10\]"),
    ("fixed k = n_pre, no autapses", lambda: fixed_in_degree(10, 10, 10, allow_autapses=False), ValueError,
     r"k must lie in \[0, 9\]"),
    ("fixed n_post 1.5", lambda: fixed_in_degree(10, 1.5, 2), ValueError, "n_post must be an integer"),
    ("fixed oversize", lambda: fixed_in_degree(10**6, 10**8, 200), ValueError, "synapses need about"),
    ("from_pairs lengths", lambda: from_pairs([0, 1], [0], 2, 2), ValueError, "same length"),
    ("from_pairs post range", lambda: from_pairs([0], [5], 2, 5), ValueError, r"post indices must lie in \[0, 4\]"),
    ("from_pairs negative pre", lambda: from_pairs([-1], [0], 2, 2), ValueError, "pre indices must lie in"),
    ("from_pairs fractional", lambda: from_pairs([0.5], [0], 2, 2), ValueError, "pre indices must be integers"),
    ("from_pairs strings", lambda: from_pairs(["a"], [0], 2, 2), TypeError, "pre"),
    ("from_pairs n_pre 2.5", lambda: from_pairs([0], [0], 2.5, 2), ValueError, "n_pre must be an integer"),
    ("from_dense 1-D", lambda: from_dense(np.ones(4)), ValueError, "2-D"),
    ("from_dense counts", lambda: from_dense(np.full((2, 2), 2)), ValueError, "booleans or 0/1"),
    ("select step", lambda: select(_conn(), slice(0, 4, 2), slice(0, 3)), TypeError, "contiguous slice"),
    ("select not conn", lambda: select(np.ones((2, 2)), slice(0, 1), slice(0, 1)), TypeError, "Connectivity"),
    # --- COBAConfig ---------------------------------------------------------------------------------
    ("cfg n_neurons 0", lambda: C(n_neurons=0), ValueError, r"n_neurons must be an integer in \[1, "),
    ("cfg n_neurons 2.7", lambda: C(n_neurons=2.7), ValueError, "n_neurons must be an integer; got 2.7"),
    ("cfg n_neurons str", lambda: C(n_neurons="4000"), TypeError, "n_neurons"),
    ("cfg n_neurons None", lambda: C(n_neurons=None), TypeError, "n_neurons"),
    ("cfg exc_fraction 1.5", lambda: C(exc_fraction=1.5), ValueError, "exc_fraction must lie in"),
    ("cfg p 2", lambda: C(p=2.0), ValueError, r"p must lie in \[0, 1\]"),
    ("cfg p nan", lambda: C(p=NAN), ValueError, "p must lie in"),
    ("cfg in_degree 2.7", lambda: C(in_degree=2.7), ValueError, "in_degree must be an integer"),
    ("cfg in_degree -1", lambda: C(in_degree=-1), ValueError, "in_degree"),
    ("cfg in_degree > pop", lambda: C(n_neurons=100, in_degree=101), ValueError, "distinct sources"),
    ("cfg stp str", lambda: C(stp="yes"), TypeError, "stp must be True or False"),
    ("cfg U 0", lambda: C(U=0.0), ValueError, r"U must lie in \(0, 1\]"),
    ("cfg U 1.5", lambda: C(U=1.5), ValueError, "U must lie in"),
    ("cfg U str", lambda: C(U="0.2"), TypeError, "U"),
    ("cfg tau_f -1", lambda: C(tau_f=-1.0), ValueError, "tau_f must lie in"),
    ("cfg tau_d nan", lambda: C(tau_d=NAN), ValueError, "tau_d must lie in"),
    ("cfg w_E nan", lambda: C(w_E=NAN), ValueError, "w_E must be finite"),
    ("cfg w_E -1", lambda: C(w_E=-1.0), ValueError, "w_E must lie in"),
    ("cfg w_I inf", lambda: C(w_I=INF), ValueError, "w_I must be finite"),
    ("cfg delay -0.1", lambda: C(delay=-0.1), ValueError, "delay must lie in"),
    ("cfg delay inf", lambda: C(delay=INF), ValueError, "delay must be finite"),
    ("cfg dt 0", lambda: C(dt=0.0), ValueError, "dt must lie in"),
    ("cfg dt nan", lambda: C(dt=NAN), ValueError, "dt must be finite"),
    ("cfg duration 0", lambda: C(duration=0.0), ValueError, "duration must lie in"),
    ("cfg duration inf", lambda: C(duration=INF), ValueError, "duration must be finite"),
    ("cfg duration < dt/2", lambda: C(duration=0.01), ValueError, "duration must span between 1"),
    ("cfg seed -1", lambda: C(seed=-1), ValueError, "seed must be an integer >= 0"),
    ("cfg seed 1.5", lambda: C(seed=1.5), ValueError, "seed must be an integer"),
    ("cfg V0 short", lambda: C(V0=(-60.0,)), ValueError, "V0 must be a pair"),
    ("cfg V0 reversed", lambda: C(V0=(-50.0, -60.0)), ValueError, "low <= high"),
    ("cfg V0 nan", lambda: C(V0=(NAN, -50.0)), ValueError, "V0 must be finite"),
    ("cfg V_reset >= V_th", lambda: C(neuron=cn.COBA_NEURON._replace(V_reset=-40.0)), ValueError,
     "V_reset must be below V_th"),
    ("cfg g_L 0", lambda: C(neuron=cn.COBA_NEURON._replace(g_L=0.0)), ValueError, "g_L must lie in"),
    ("cfg tau_ref -1", lambda: C(neuron=cn.COBA_NEURON._replace(tau_ref=-1.0)), ValueError, "tau_ref must lie in"),
    ("cfg E_I nan", lambda: C(neuron=cn.COBA_NEURON._replace(E_I=NAN)), ValueError, "E_I must be finite"),
    ("cfg neuron tuple", lambda: C(neuron=(1, 2)), TypeError, "CondLIFParams"),
    ("cfg method rk4", lambda: C(method="rk4"), ValueError, "method must be one of"),
    ("cfg euler dt > tau_E", lambda: C(method="euler", dt=6.0, duration=60.0), ValueError,
     "method='euler' needs dt < tau"),
    # --- FusedCOBA / simulate (refused before anything is built) ---------------------------------------
    ("fused cfg dict", lambda: FusedCOBA({"n_neurons": 10}), TypeError, "COBAConfig"),
    ("simulate cfg None", lambda: simulate(None), TypeError, "COBAConfig"),
    ("fused record -1", lambda: FusedCOBA(C(n_neurons=10, in_degree=2), record=-1), ValueError, "record"),
    ("fused record 2.5", lambda: FusedCOBA(C(n_neurons=10, in_degree=2), record=2.5), ValueError,
     "record must be an integer"),
    ("fused backend gpu", lambda: FusedCOBA(C(n_neurons=10, in_degree=2), backend="gpu"), ValueError,
     "backend must be one of"),
    ("fused conn size", lambda: FusedCOBA(C(n_neurons=10, in_degree=2), conn=_conn()), ValueError,
     "conn must be 10x10"),
    ("fused conn type", lambda: FusedCOBA(C(n_neurons=10, in_degree=2), conn=np.ones((10, 10))), TypeError,
     "Connectivity"),
    ("fused dtype int", lambda: FusedCOBA(C(n_neurons=10, in_degree=2), dtype=np.int32), ValueError,
     "float32 or float64"),
    ("fused capacities", lambda: FusedCOBA(C(n_neurons=10, in_degree=2), capacities=(4,)), ValueError,
     "capacities must end with n_neurons=10"),
    ("fused oversize", lambda: FusedCOBA(C(n_neurons=10**6, p=0.02)), ValueError,
     "COBA network of 1000000 neurons .* synapses need about"),
    ("fused raster oversize", lambda: FusedCOBA(C(n_neurons=10**6, in_degree=1, duration=1e8), record=10**6),
     ValueError, "too large for this machine"),
    # --- EventSTPProjection -----------------------------------------------------------------------------
    ("proj U 1.5", lambda: _proj(U=1.5, tau_f=1.0, tau_d=1.0), ValueError, "U must lie in"),
    ("proj U without taus", lambda: _proj(U=0.5), ValueError, "tau_f and tau_d"),
    ("proj taus without U", lambda: _proj(tau_f=1.0, tau_d=1.0), ValueError, "without U"),
    ("proj tau_d 0", lambda: _proj(U=0.5, tau_f=1.0, tau_d=0.0), ValueError, "tau_d must lie in"),
    ("proj tau_s 0", lambda: _proj(tau_s=0.0), ValueError, "tau_s must lie in"),
    ("proj tau_s str", lambda: _proj(tau_s="5"), TypeError, "tau_s"),
    ("proj weight nan", lambda: _proj(weight=NAN), ValueError, "weight must be finite"),
    ("proj weight shape", lambda: _proj(weight=np.ones(3)), ValueError, "one value per synapse"),
    ("proj U shape", lambda: _proj(U=np.full(2, 0.5), tau_f=1.0, tau_d=1.0), ValueError, "U must be a scalar"),
    ("proj delay -1", lambda: _proj(delay=-1.0), ValueError, "delay must lie in"),
    ("proj delay nan", lambda: _proj(delay=NAN), ValueError, "delay must be finite"),
    ("proj E nan", lambda: _proj(E=NAN), ValueError, "E must be finite"),
    ("proj backend", lambda: _proj(backend="cuda"), ValueError, "backend must be one of"),
    ("proj conn type", lambda: _proj(conn=np.ones((4, 3))), TypeError, "Connectivity"),
    ("proj conn size", lambda: _proj(conn=_conn(3, 4)), ValueError, "conn is 3x4"),
    # --- COBANeuron ---------------------------------------------------------------------------------------
    ("neuron size 2.7", lambda: _cobaneuron(size=2.7), ValueError, "size must be an integer"),
    ("neuron size -1", lambda: _cobaneuron(size=-1), ValueError, "size"),
    ("neuron tau_ref -1", lambda: _cobaneuron(tau_ref=-1.0), ValueError, "tau_ref must lie in"),
    ("neuron V_reset >= V_th", lambda: _cobaneuron(V_reset=-50.0), ValueError, "V_reset must be below V_th"),
    ("neuron g_L 0", lambda: _cobaneuron(g_L=0.0), ValueError, "g_L must lie in"),
    ("neuron I_e nan", lambda: _cobaneuron(I_e=NAN), ValueError, "I_e must be finite"),
    ("neuron V_th str", lambda: _cobaneuron(V_th="-50"), TypeError, "V_th"),
    ("neuron method", lambda: _cobaneuron(method="rk4"), ValueError, "method must be one of"),
    ("neuron V init nan", lambda: _cobaneuron(V_initializer=np.full(3, NAN)), ValueError, "V_initializer"),
    # --- neurons.CondLIF / ConductanceInput -------------------------------------------------------------
    ("CondLIF size 2.5", lambda: _condlif(size=2.5), ValueError, "size must be an integer"),
    ("CondLIF tau_m 0", lambda: _condlif(tau_m=0.0), ValueError, "tau_m must lie in"),
    ("CondLIF tau_ref -1", lambda: _condlif(tau_ref=-1.0), ValueError, "tau_ref must lie in"),
    ("CondLIF V_reset >= V_th", lambda: _condlif(V_reset=-50.0), ValueError, "V_reset must be below"),
    ("CondLIF E_E nan", lambda: _condlif(E_E=NAN), ValueError, "E_E must be finite"),
    ("CondLIF I_e inf", lambda: _condlif(I_e=INF), ValueError, "I_e must be finite"),
    ("CondLIF g_L None", lambda: _condlif(g_L=None), TypeError, "g_L"),
    ("CondLIF euler dt > tau_E", lambda: _condlif(tau_E=0.05), ValueError, "method='euler' needs dt < tau_E"),
    ("input g_bar nan", lambda: _condinput(g_bar=NAN), ValueError, "g_bar must be finite"),
    ("input g_bar 0", lambda: _condinput(g_bar=0.0), ValueError, "g_bar must lie in"),
    ("input target", lambda: _condinput(target="X"), ValueError, "target must be one of"),
    ("input U 1.5", lambda: _condinput(U=1.5, tau_f=10.0, tau_d=10.0), ValueError, "U must lie in"),
    ("input U without taus", lambda: _condinput(U=0.5), ValueError, "STP needs"),
    ("input method", lambda: _condinput(method="rk4"), ValueError, "method must be one of"),
    ("input conn shape", lambda: _condinput(conn=np.ones((2, 2), bool)), ValueError, "conn must have shape"),
    # --- core.cond_lif / cond_neuron / delays / stats ---------------------------------------------------
    ("run 2-D drive", lambda: cl.run_cond_lif(np.zeros((2, 5)), np.zeros((2, 5))), ValueError, "drive_E must have 1"),
    ("run NaN drive", lambda: cl.run_cond_lif(np.full(5, NAN), np.zeros(5)), ValueError, "drive_E must be finite"),
    ("run length mismatch", lambda: cl.run_cond_lif(Z, Z[:10]), ValueError, "one length"),
    ("run I_inj nan", lambda: cl.run_cond_lif(Z, Z, I_inj=NAN), ValueError, "I_inj must be finite"),
    ("run dt 0", lambda: cl.run_cond_lif(Z, Z, dt=0.0), ValueError, "dt must lie in"),
    ("run euler dt", lambda: cl.run_cond_lif(Z, Z, dt=3.0), ValueError, "method='euler' needs dt < tau_E"),
    ("run method", lambda: cl.run_cond_lif(Z, Z, method="rk4"), ValueError, "method must be one of"),
    ("run tau_ref nan", lambda: cl.run_cond_lif(Z, Z, p=P._replace(tau_ref=NAN)), ValueError, "tau_ref"),
    ("run V_init inf", lambda: cl.run_cond_lif(Z, Z, p=P._replace(V_init=-INF)), ValueError, "V_init must be finite"),
    ("stp_conductance U", lambda: cl.stp_conductance(Z, 1.5, tau_f=1.0, tau_d=1.0, g_bar=1.0, tau_s=5.0),
     ValueError, "U must lie in"),
    ("stp_conductance tau_s", lambda: cl.stp_conductance(Z, 0.5, tau_f=1.0, tau_d=1.0, g_bar=1.0, tau_s=0.0),
     ValueError, "tau_s must lie in"),
    ("stp_conductance g_bar", lambda: cl.stp_conductance(Z, 0.5, tau_f=1.0, tau_d=1.0, g_bar=NAN, tau_s=5.0),
     ValueError, "g_bar"),
    ("stp_conductance 3-D", lambda: cl.stp_conductance(np.zeros((1, 1, 5)), 0.5, tau_f=1.0, tau_d=1.0, g_bar=1.0,
                                                       tau_s=5.0), ValueError, "train must have 1 or 2"),
    ("stp_drive 1-D", lambda: cl.stp_drive(Z, 1.0, None), ValueError, "trains must have 2"),
    ("stp_drive params", lambda: cl.stp_drive(np.zeros((2, 5)), 1.0, (0.5, 1.0)), ValueError, "stp must be None"),
    ("stp_drive_events steps", lambda: cl.stp_drive_events(np.zeros((2, 3), int), 1.0, None, 2.5), ValueError,
     "steps must be an integer"),
    ("stp_drive_events idx", lambda: cl.stp_drive_events(np.zeros((2, 3)), 1.0, None, 10), ValueError,
     "spike_idx must be a 2-D integer"),
    ("summary n_E 2.7", lambda: cl.cond_lif_stp_summary(1.0, 10.0, n_E=2.7), ValueError, "n_E must be an integer"),
    ("summary rate -1", lambda: cl.cond_lif_stp_summary(1.0, -1.0), ValueError, "rate_E must lie in"),
    ("summary rate > 1/dt", lambda: cl.cond_lif_stp_summary(1.0, 2e4), ValueError, "rate_E must lie in"),
    ("summary seed 1.5", lambda: cl.cond_lif_stp_summary(1.0, 10.0, seed=1.5), ValueError, "seed must be"),
    ("summary duration 0", lambda: cl.cond_lif_stp_summary(1.0, 10.0, duration=0.0), ValueError, "duration"),
    ("validate not params", lambda: cn.validate_cond_lif_params({"g_L": 1}), TypeError, "CondLIFParams"),
    ("delay_steps -1", lambda: delay_steps(-1.0, 0.1), ValueError, "delay must lie in"),
    ("delay_steps nan", lambda: delay_steps(NAN, 0.1), ValueError, "delay must lie in"),
    ("delay_steps inf", lambda: delay_steps(INF, 0.1), ValueError, "delay must be finite"),
    ("delay_steps dt 0", lambda: delay_steps(0.1, 0.0), ValueError, "dt must lie in"),
    ("spike_stats n 0", lambda: spike_stats([], [], 0, 100.0), ValueError, "n_neurons"),
    ("spike_stats ids range", lambda: spike_stats([5], [1.0], 3, 100.0), ValueError, r"ids must be integers in \[0, 2\]"),
    ("spike_stats lengths", lambda: spike_stats([0, 1], [1.0], 3, 100.0), ValueError, "one length"),
    ("spike_stats dt 0", lambda: spike_stats([0], [1.0], 3, 100.0, dt=0.0), ValueError, "dt must lie in"),
    ("spike_stats times nan", lambda: spike_stats([0], [NAN], 3, 100.0), ValueError, "times must be finite"),
]


@pytest.mark.parametrize("call,exc,match", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_refused(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_valid_edge_cases_give_the_right_answer(x64):
    # zero-size groups: empty, well-formed connectivities
    for c in (bernoulli(0, 7, 0.3), fixed_in_degree(0, 7, 0), from_pairs([], [], 0, 7), from_dense(np.zeros((3, 0)))):
        assert c.nnz == 0 and c.to_dense().shape == (c.n_pre, c.n_post)
    assert select(_conn(), slice(2, 2), slice(0, 3)).n_pre == 0
    # p = 0 / 1 limits, integral floats accepted as counts
    assert bernoulli(6.0, 4, 1.0).nnz == 24 and bernoulli(6, 4, 0.0).nnz == 0
    cfg = C(n_neurons=100.0, in_degree=10.0, seed=3.0)
    assert (cfg.n_neurons, cfg.in_degree, cfg.seed) == (100, 10, 3) and type(cfg.n_neurons) is int
    # an all-excitatory network (empty I population) is valid
    assert C(n_neurons=10, exc_fraction=1.0, in_degree=4).n_inh == 0
    # delays: 0 and anything below dt/2 act at the next step; halves round up
    assert [delay_steps(d, 0.1) for d in (0.0, 0.04, 0.1, 0.15, 0.25, 1.0)] == [1, 1, 1, 2, 3, 10]
    # refractory steps: ceil(tau_ref/dt), exact for multiples of dt in float32 as well
    assert [int(cn.refractory_steps(t, 0.1)) for t in (0.0, 0.3, 2.0, 2.05, 5.0)] == [0, 3, 20, 21, 50]
    assert int(cn.refractory_steps(np.float32(0.3), 0.1)) == 3
    # V_th = inf (free membrane potential) and tau_E = inf (no decay) are limits computed correctly
    tr = cl.run_cond_lif(np.r_[0.0, 1.0, np.zeros(8)], Z[:10], I_inj=1e4, p=P._replace(V_th=INF, tau_E=INF))
    assert not bool(tr.spike.any()) and np.all(np.asarray(tr.gE[1:]) == 1.0)


# --- the network CLI ----------------------------------------------------------------------------------
CLI = [
    ("neurons 0", ["--neurons", "0"], r"--neurons must be an integer in \[1, "),
    ("neurons 1.5", ["--neurons", "1.5"], "--neurons"),
    ("neurons word", ["--neurons", "many"], "--neurons"),
    ("duration 0", ["--duration", "0"], "--duration must lie in"),
    ("duration -5", ["--duration", "-5"], "--duration must lie in"),
    ("duration nan", ["--duration", "nan"], "--duration must be finite"),
    ("duration inf", ["--duration", "inf"], "--duration must be finite"),
    ("duration < dt", ["--duration", "0.01"], "--duration must span"),
    ("dt 0", ["--dt", "0"], "--dt must lie in"),
    ("dt -0.1", ["--dt", "-0.1"], "--dt must lie in"),
    ("dt nan", ["--dt", "nan"], "--dt must be finite"),
    ("p 1.5", ["--p", "1.5"], r"--p must lie in \[0, 1\]"),
    ("seed -1", ["--seed", "-1"], "--seed must be an integer >= 0"),
    ("in-degree -1", ["--in-degree", "-1"], "--in-degree"),
    ("in-degree > N", ["--in-degree", "500"], "distinct sources"),
    ("in-degree 2.5", ["--in-degree", "2.5"], "--in-degree"),
    ("record 0", ["--record", "0"], r"--record must be an integer in \[1, 200\]"),
    ("record -1", ["--record", "-1"], "--record"),
    ("record > N", ["--record", "201"], "--record"),
    ("backend", ["--backend", "gpu"], "--backend"),
    ("oversize", ["--neurons", "1000000", "--p", "0.5"], "too large for this machine"),
    ("unknown flag", ["--neuronz", "5"], "unrecognized arguments"),
]


@pytest.mark.parametrize("extra,match", [c[1:] for c in CLI], ids=[c[0] for c in CLI])
def test_cli_refuses_before_running_or_writing(tmp_path, capsys, extra, match):
    from stp_brainpy.cli import main

    out = tmp_path / "out" / "run"
    rc = main(["network", "--neurons", "200", "--duration", "20", "--out", str(out), *extra])  # the last flag wins
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2
    assert len(err) == 1 and err[0].startswith("error: "), err
    assert re.search(match, err[0]), err[0]
    assert not (tmp_path / "out").exists()  # nothing written, no empty folder


def test_cli_output_path_problems(tmp_path, capsys):
    from stp_brainpy.cli import main

    blocker = tmp_path / "file"
    blocker.write_text("x")
    for out in (blocker, blocker / "sub"):
        rc = main(["network", "--neurons", "50", "--in-degree", "5", "--duration", "5", "--out", str(out)])
        err = capsys.readouterr().err.strip().splitlines()
        assert rc == 2 and len(err) == 1 and err[0].startswith("error: ") and "not a folder" in err[0]
    assert blocker.read_text() == "x"
    existing = tmp_path / "done"
    existing.mkdir()
    (existing / "stats.json").write_text("{}")
    rc = main(["network", "--neurons", "50", "--in-degree", "5", "--duration", "5", "--out", str(existing)])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and "refusing to overwrite" in err[0] and (existing / "stats.json").read_text() == "{}"
    assert sorted(p.name for p in existing.iterdir()) == ["stats.json"]
