"""One table of bad inputs over the TM core, the LIF core, the circuits, the checks and the BrainPy skins.

Every row is refused eagerly with the named exception type and a message that names the parameter;
the valid edge cases at the end (τ = inf limits, τf = 0, u0/x0 at the bounds) give the right answer.
"""
from __future__ import annotations

import math

import brainpy as bp
import numpy as np
import pytest

from stp_brainpy.core import circuits, lif, stp
from stp_brainpy.core import validation as v
from stp_brainpy.neurons import LIF
from stp_brainpy.synapses import STP, STPExpon, STPRelease

NAN, INF = math.nan, math.inf
TM = dict(tau_f=100.0, tau_d=200.0)
T = np.array([0.0, 10.0, 25.0])


def ev(times=T, U=0.2, **kw):
    return lambda: stp.event_efficacies(times, U, **{**TM, **kw})


def ss(U=0.2, **kw):
    return lambda: stp.steady_state(U, **{**TM, "isi": 20.0, **kw})


def reg(n=5, U=0.2, **kw):
    return lambda: stp.regular_train_efficacies(n, U, **{**TM, "isi": 20.0, **kw})


def step(U=0.2, spike=1.0, **kw):
    return lambda: stp.stp_step(stp.rest_state(), spike, U, **{**TM, "dt": 0.1, **kw})


def chain(**kw):
    return lambda: circuits.lif_stp_chain(**{"U": 0.2, **TM, "duration": 10.0, **kw})


def syn(**kw):
    return lambda: STP(LIF(2), LIF(2), bp.connect.All2All(), **kw)


E, TE = ValueError, TypeError
CASES = [
    # ---- core.stp.event_efficacies
    ("ev U=1.5", ev(U=1.5), E, r"U must lie in \(0, 1\]; got 1.5"),
    ("ev U=0", ev(U=0.0), E, r"U must lie in \(0, 1\]; got 0"),
    ("ev U=-0.1", ev(U=-0.1), E, "U must lie in"),
    ("ev U=nan", ev(U=NAN), E, "U must lie in .*nan"),
    ("ev U=inf", ev(U=INF), E, "U must lie in"),
    ("ev U array", ev(U=np.array([0.2, 2.0])), E, "U must lie in.*got 2"),
    ("ev U str", ev(U="0.2"), TE, "U must be a number"),
    ("ev U complex", ev(U=0.2 + 1j), TE, "U must be a real number"),
    ("ev U None", ev(U=None), TE, "U must be a number"),
    ("ev U bool", ev(U=True), TE, "U must be a number"),
    ("ev tau_f<0", ev(tau_f=-1.0), E, r"tau_f must lie in \[0, inf\] ms; got -1"),
    ("ev tau_f nan", ev(tau_f=NAN), E, "tau_f must lie in"),
    ("ev tau_f str", ev(tau_f="100"), TE, "tau_f must be"),
    ("ev tau_d=0", ev(tau_d=0.0), E, r"tau_d must lie in \(0, inf\] ms; got 0"),
    ("ev tau_d<0", ev(tau_d=-5.0), E, "tau_d must lie in"),
    ("ev tau_d nan", ev(tau_d=NAN), E, "tau_d must lie in"),
    ("ev tau_d None", ev(tau_d=None), TE, "tau_d must be"),
    ("ev u0>1", ev(u0=1.5), E, r"u0 must lie in \[0, 1\]; got 1.5"),
    ("ev u0<0", ev(u0=-0.1), E, "u0 must lie in"),
    ("ev x0 nan", ev(x0=NAN), E, "x0 must lie in"),
    ("ev x0>1", ev(x0=1.01), E, "x0 must lie in"),
    ("ev x0 str", ev(x0="1"), TE, "x0 must be"),
    ("ev times 2-D", ev(times=np.zeros((2, 3))), E, "spike_times must be a 1-D array"),
    ("ev times scalar", ev(times=3.0), E, "spike_times must be a 1-D array"),
    ("ev times unsorted", ev(times=[0.0, 5.0, 2.0]), E, r"spike_times must be sorted \(non-decreasing\)"),
    ("ev times nan", ev(times=[0.0, NAN]), E, "spike_times must not contain NaN"),
    ("ev times -inf", ev(times=[-INF, 0.0]), E, "spike_times may hold"),
    ("ev times inf inside", ev(times=[0.0, INF, 3.0]), E, r"spike_times may hold \+inf only as padding"),
    ("ev times str", ev(times=["a", "b"]), TE, "spike_times must be"),
    ("ev times None", ev(times=None), TE, "spike_times must be"),
    ("ev times complex", ev(times=np.array([1j])), TE, "spike_times must be"),
    # ---- core.stp.steady_state / regular_train_efficacies / nth_spike_efficacy
    ("ss U=2", ss(U=2.0), E, "U must lie in"),
    ("ss isi=0", ss(isi=0.0), E, r"isi must lie in \(0, inf\) ms; got 0"),
    ("ss isi<0", ss(isi=-20.0), E, "isi must lie in"),
    ("ss isi inf", ss(isi=INF), E, "isi must lie in"),
    ("ss isi nan", ss(isi=NAN), E, "isi must lie in"),
    ("ss isi str", ss(isi="20"), TE, "isi must be"),
    ("ss tau_d=0", ss(tau_d=0.0), E, "tau_d must lie in"),
    ("ss tau_f<0", ss(tau_f=-3.0), E, "tau_f must lie in"),
    ("reg n=2.7", reg(n=2.7), E, "n_spikes must be an integer; got 2.7"),
    ("reg n=0", reg(n=0), E, "n_spikes must be an integer >= 1; got 0"),
    ("reg n=-2", reg(n=-2), E, "n_spikes must be an integer >= 1"),
    ("reg n str", reg(n="5"), TE, "n_spikes must be an integer"),
    ("reg n None", reg(n=None), TE, "n_spikes must be an integer"),
    ("reg n bool", reg(n=True), TE, "n_spikes must be an integer"),
    ("reg n inf", reg(n=INF), E, "n_spikes must be an integer"),
    ("reg u0=2", reg(u0=2.0), E, "u0 must lie in"),
    ("reg isi=0", reg(isi=0.0), E, "isi must lie in"),
    ("nth n=1.5", lambda: stp.nth_spike_efficacy(1.5, 0.2, **TM, isi=10.0), E, "n must be an integer; got 1.5"),
    ("nth n=0", lambda: stp.nth_spike_efficacy(0, 0.2, **TM, isi=10.0), E, "n must be an integer >= 1"),
    # ---- core.stp.stp_step / exp_decay_step / init_state / validate_stp_params
    ("step U=0", step(U=0.0), E, "U must lie in"),
    ("step dt=0", step(dt=0.0), E, r"dt must lie in \(0, inf\) ms; got 0"),
    ("step dt<0", step(dt=-0.1), E, "dt must lie in"),
    ("step dt inf", step(dt=INF), E, "dt must lie in"),
    ("step dt nan", step(dt=NAN), E, "dt must lie in"),
    ("step dt str", step(dt="0.1"), TE, "dt must be"),
    ("step method", step(method="rk4"), E, r"method must be one of \('exact', 'euler'\); got 'rk4'"),
    ("step method None", step(method=None), E, "method must be one of"),
    ("step euler dt>tau_d", step(method="euler", dt=1.0, tau_d=0.5), E, "dt must be smaller than tau_d"),
    ("step euler dt>tau_f", step(method="euler", dt=1.0, tau_f=0.5), E, "dt must be smaller than tau_f"),
    ("step euler dt=tau_d", step(method="euler", dt=0.5, tau_d=0.5), E, "dt must be smaller than tau_d"),
    ("step spike=2", step(spike=2.0), E, "spike must be binary"),
    ("step spike str", step(spike="1"), TE, "spike must be"),
    ("decay tau=0", lambda: stp.exp_decay_step(0.0, 1.0, 0.0, 0.1), E, "tau must lie in"),
    ("decay tau str", lambda: stp.exp_decay_step(0.0, 1.0, "8", 0.1), TE, "tau must be"),
    ("decay dt<0", lambda: stp.exp_decay_step(0.0, 1.0, 8.0, -0.1), E, "dt must lie in"),
    ("decay euler", lambda: stp.exp_decay_step(0.0, 1.0, 0.05, 0.1, "euler"), E, "dt must be smaller than tau"),
    ("init u0", lambda: stp.init_state((2,), u0=-1.0), E, "u0 must lie in"),
    ("init x0", lambda: stp.init_state((2,), x0="1"), TE, "x0 must be"),
    ("validate tau_s", lambda: stp.validate_stp_params(tau_s=-1.0), E, "tau_s must lie in"),
    ("validate broadcast", lambda: stp.validate_stp_params(U=np.full(3, 0.2), tau_d=np.ones(2)), E,
     "do not broadcast"),
    # ---- core.lif
    ("lif tau=0", lambda: lif.validate_lif_params(lif.LIFParams(tau=0.0)), E, r"tau must lie in \(0, inf\) ms"),
    ("lif tau inf", lambda: lif.validate_lif_params(lif.LIFParams(tau=INF)), E, "tau must lie in"),
    ("lif tau_ref<0", lambda: lif.validate_lif_params(lif.LIFParams(tau_ref=-1.0)), E, "tau_ref must lie in"),
    ("lif V_th nan", lambda: lif.validate_lif_params(lif.LIFParams(V_th=NAN)), E, "V_th must be finite"),
    ("lif V_rest inf", lambda: lif.validate_lif_params(lif.LIFParams(V_rest=INF)), E, "V_rest must be finite"),
    ("lif V_reset>=V_th", lambda: lif.validate_lif_params(lif.LIFParams(V_reset=20.0)), E,
     "V_reset must be below V_th"),
    ("lif V_reset str", lambda: lif.validate_lif_params(lif.LIFParams(V_reset="-5")), TE, "V_reset must be"),
    ("lif params type", lambda: lif.validate_lif_params({"tau": 10.0}), TE, "p must be a LIFParams"),
    ("lif shape 2.5", lambda: lif.lif_rest_state((2.5,)), E, "shape must be an integer"),
    ("lif shape str", lambda: lif.lif_rest_state("3"), TE, "shape must be"),
    ("lif step dt=0", lambda: lif.lif_step(lif.lif_rest_state(), 28.0, 0.0, 0.0), E, "dt must lie in"),
    ("lif step current nan", lambda: lif.lif_step(lif.lif_rest_state(), NAN, 0.0, 0.1), E,
     "current must be finite"),
    ("lif step current str", lambda: lif.lif_step(lif.lif_rest_state(), "28", 0.0, 0.1), TE, "current must be"),
    # ---- core.circuits
    ("steps duration=0", lambda: circuits.n_steps(0.0, 0.1), E, r"duration must lie in \(0, inf\) ms"),
    ("steps dt<0", lambda: circuits.n_steps(10.0, -0.1), E, "dt must lie in"),
    ("steps dt>duration", lambda: circuits.n_steps(0.1, 1.0), E, "duration must be at least one step"),
    ("steps duration str", lambda: circuits.n_steps("10", 0.1), TE, "duration must be"),
    ("chain U", chain(U=1.5), E, "U must lie in"),
    ("chain tau_s", chain(tau_s=0.0), E, "tau_s must lie in"),
    ("chain A nan", chain(A=NAN), E, "A must be finite"),
    ("chain A inf", chain(A=INF), E, "A must be finite"),
    ("chain current str", chain(current="28"), TE, "current must be"),
    ("chain current inf", chain(current=INF), E, "current must be finite"),
    ("chain duration<0", chain(duration=-1.0), E, "duration must lie in"),
    ("chain dt=0", chain(dt=0.0), E, "dt must lie in"),
    ("chain decimate 2.5", chain(decimate=2.5), E, "decimate must be an integer"),
    ("chain decimate 0", chain(decimate=0), E, "decimate must be an integer >= 1"),
    ("chain decimate 3", chain(decimate=3), E, "decimate must divide"),
    ("chain euler", chain(method="euler", dt=0.5, tau_s=0.4), E, "dt must be smaller than tau_s"),
    ("chain method", chain(method="heun"), E, "method must be one of"),
    ("chain lif", chain(lif=lif.LIFParams(tau=-1.0)), E, "tau must lie in"),
    # ---- core.validation itself
    ("check_integer 2.7", lambda: v.check_integer("in_degree", 2.7), E, "in_degree must be an integer; got 2.7"),
    ("check_number str", lambda: v.check_number("rate", "5"), TE, "rate must be a number"),
    ("check_finite inf", lambda: v.check_finite("E_E", INF), E, "E_E must be finite"),
    ("check_spike_times", lambda: v.check_spike_times("train", [3.0, 1.0]), E, "train must be sorted"),
    ("check_choice", lambda: v.check_choice("model", "tm4", ("tm", "markram")), E, "model must be one of"),
    ("check_range prob", lambda: v.check_range("p", 1.5, 0.0, 1.0), E, r"p must lie in \[0, 1\]; got 1.5"),
    # ---- synapses.STP
    ("STP U=1.5", syn(U=1.5), E, "U must lie in"),
    ("STP U str", syn(U="0.2"), TE, "U must be"),
    ("STP tau_f<0", syn(tau_f=-1.0), E, "tau_f must lie in"),
    ("STP tau_d=0", syn(tau_d=0.0), E, "tau_d must lie in"),
    ("STP tau=0", syn(tau=0.0), E, "tau must lie in"),
    ("STP tau nan", syn(tau=NAN), E, "tau must lie in"),
    ("STP A nan", syn(A=NAN), E, "A must be finite"),
    ("STP A inf", syn(A=-INF), E, "A must be finite"),
    ("STP A str", syn(A="1"), TE, "A must be"),
    ("STP delay<0", syn(delay=-1.0), E, r"delay must lie in \[0, inf\) ms"),
    ("STP delay inf", syn(delay=INF), E, "delay must lie in"),
    ("STP delay nan", syn(delay=NAN), E, "delay must lie in"),
    ("STP delay str", syn(delay="1"), TE, "delay must be"),
    ("STP delay array", syn(delay=np.ones(2)), E, "delay must be a single number"),
    ("STP u0", syn(u0=1.5), E, "u0 must lie in"),
    ("STP method", syn(method="rk4"), E, "method must be one of"),
    ("STP euler", syn(method="euler", tau=0.05), E, "dt must be smaller than tau"),
    # ---- synapses.STPExpon / STPRelease
    ("Expon size 2.5", lambda: STPExpon(2.5), E, "size must be an integer; got 2.5"),
    ("Expon size 0", lambda: STPExpon(0), E, "size must be an integer >= 1"),
    ("Expon size str", lambda: STPExpon("3"), TE, "size must be an integer"),
    ("Expon A nan", lambda: STPExpon(3, A=NAN), E, "A must be finite"),
    ("Expon tau<0", lambda: STPExpon(3, tau=-8.0), E, "tau must lie in"),
    ("Expon U str", lambda: STPExpon(3, U="0.1"), TE, "U must be"),
    ("Release U=0", lambda: STPRelease(3, U=0.0), E, "U must lie in"),
    ("Release tau_d nan", lambda: STPRelease(3, tau_d=NAN), E, "tau_d must lie in"),
    ("Release size tuple", lambda: STPRelease((2, 0.5)), E, "size must be an integer"),
    ("Release x0", lambda: STPRelease(3, x0=-1.0), E, "x0 must lie in"),
    # ---- neurons.LIF
    ("LIF size 2.7", lambda: LIF(2.7), E, "size must be an integer; got 2.7"),
    ("LIF size -1", lambda: LIF(-1), E, "size must be an integer >= 1"),
    ("LIF size None", lambda: LIF(None), TE, "size must be an integer"),
    ("LIF tau=0", lambda: LIF(1, tau=0.0), E, "tau must lie in"),
    ("LIF tau_ref<0", lambda: LIF(1, tau_ref=-1.0), E, "tau_ref must lie in"),
    ("LIF V_th nan", lambda: LIF(1, V_th=NAN), E, "V_th must be finite"),
    ("LIF V_reset>V_th", lambda: LIF(1, V_reset=30.0), E, "V_reset must be below V_th"),
    ("LIF V_rest str", lambda: LIF(1, V_rest="0"), TE, "V_rest must be"),
]


def test_table_is_large_enough():
    assert len(CASES) >= 80
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("call, exc, match", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_refused(call, exc, match):
    with pytest.raises(exc, match=match) as info:
        call()
    # the message names the parameter and is the package's own (not a numpy/jax internal error)
    assert "stp_brainpy" in info.traceback[-1].path.as_posix() or "validation" in str(info.traceback[-1].path)


# ---------------------------------------------------------------- valid edge cases give the right answer
def loop(times, U, tau_f, tau_d, u0=0.0, x0=1.0):
    u, x, prev, out = u0, x0, None, []
    for t in times:
        if prev is not None:
            u = 0.0 if tau_f == 0 else u * math.exp(-(t - prev) / tau_f)
            x = 1.0 - (1.0 - x) * math.exp(-(t - prev) / tau_d)
        elif tau_f == 0:
            u = 0.0
        u += U * (1.0 - u)
        out.append(u * x)
        x -= u * x
        prev = t
    return np.array(out)


@pytest.mark.parametrize("U, tau_f, tau_d, u0, x0", [
    (1.0, INF, INF, 0.0, 1.0), (0.3, INF, 50.0, 0.0, 1.0), (0.3, 50.0, INF, 0.0, 1.0), (0.3, 0.0, 50.0, 0.0, 1.0),
    (0.3, 0.0, INF, 1.0, 0.0), (0.5, 20.0, 40.0, 1.0, 1.0), (0.5, 20.0, 40.0, 0.0, 0.0),
])
def test_valid_edges_match_loop(x64, U, tau_f, tau_d, u0, x0):
    times = [0.0, 3.0, 3.0, 17.0]
    eff, _, _ = stp.event_efficacies(np.array(times), U, tau_f=tau_f, tau_d=tau_d, u0=u0, x0=x0)
    np.testing.assert_allclose(eff, loop(times, U, tau_f, tau_d, u0, x0), rtol=1e-12, atol=1e-300)


def test_valid_edges_closed_forms(x64):
    u, x, e = (float(a) for a in stp.steady_state(0.3, tau_f=INF, tau_d=INF, isi=10.0))
    assert (u, x, e) == (1.0, 0.0, 0.0)
    u, x, e = (float(a) for a in stp.steady_state(0.3, tau_f=0.0, tau_d=50.0, isi=10.0))
    q = math.exp(-10.0 / 50.0)
    assert u == pytest.approx(0.3, rel=1e-15) and x == pytest.approx((1 - q) / (1 - 0.7 * q), rel=1e-13)
    assert stp.regular_train_efficacies(1.0, 0.3, tau_f=0.0, tau_d=50.0, isi=10.0)[0].shape == (1,)
    assert v.check_integer("n", np.float32(3.0)) == 3
    assert circuits.n_steps(10.0, 0.1) == 100
    # empty and padded trains are valid
    assert stp.event_efficacies(np.array([]), 0.2, **TM)[0].shape == (0,)
    eff = stp.event_efficacies(np.array([0.0, INF]), 0.2, **TM)[0]
    np.testing.assert_allclose(eff, [0.2, 0.0], rtol=1e-12)
