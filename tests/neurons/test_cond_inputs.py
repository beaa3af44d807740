"""ConductanceInput over the deterministic STP family: the time-stepped efficacy at every spike equals the
core's event-driven family.event_efficacies on that train; bad input refused."""
from __future__ import annotations

import math

import numpy as np
import pytest

import brainpy as bp

from stp_brainpy.core import family
from stp_brainpy.inputs import SpikeTrainGroup
from stp_brainpy.neurons import CondLIF
from stp_brainpy.neurons.cond_inputs import ConductanceInput

DT = 0.1
STEPS = 3000


def _trains(n, rate, seed):
    rng = np.random.default_rng(seed)
    return rng.random((n, STEPS)) < rate * DT / 1000.0


def _run(train, **kw):
    pre = SpikeTrainGroup(train)
    neu = CondLIF(1)
    proj = ConductanceInput(pre, neu, 2.0, "E", **kw)
    net = bp.DynSysGroup(pre=pre, proj=proj, neu=neu)
    runner = bp.DSRunner(net, monitors={"eff": proj.efficacy}, progress_bar=False)
    runner.run(STEPS * DT)
    return proj, runner.mon["eff"]


CASES = [
    ("tm exact", dict(model="tm", method="exact"), {}, {}),
    ("tm tau_f=0", dict(model="tm", method="exact", tau_f=0.0), {}, {}),
    ("markram before", dict(model="markram", f=0.3), {"f": 0.3}, {"read": "before"}),
    ("markram after f=U", dict(model="markram", read="after"), {}, {"read": "after"}),
    ("tm3", dict(model="tm3", tau_psc=3.0), {"tau_psc": 3.0}, {}),
    ("tm3 tau_psc=tau_d", dict(model="tm3", tau_psc=150.0), {"tau_psc": 150.0}, {}),
]


@pytest.mark.parametrize("kw,extra,options", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_stepped_efficacies_equal_core_event_driven_at_every_spike(x64, kw, extra, options):
    train = _trains(4, 40.0, 3)
    U = np.array([0.1, 0.3, 0.6, 0.9])
    kw = {"U": U, "tau_f": np.array([0.0, 50.0, 400.0, math.inf]) if "tau_f" not in kw else kw.pop("tau_f"),
          "tau_d": 150.0, **kw}
    proj, eff = _run(train, **kw)
    model = proj.model
    for i in range(4):
        spikes = np.flatnonzero(train[i])
        got = eff[:, i][eff[:, i] != 0]  # every spike releases something (u > 0, x > 0)
        assert len(spikes) - 2 <= got.size <= len(spikes) and got.size > 5  # the last two samples are not seen
        tf = kw["tau_f"][i] if np.ndim(kw["tau_f"]) else kw["tau_f"]
        params = {"U": U[i], "tau_f": tf, "tau_d": 150.0, **extra}
        ref = np.asarray(family.event_efficacies(model, spikes * DT, params, **options))
        np.testing.assert_allclose(got, ref[:got.size], rtol=1e-12, err_msg=f"train {i}")


def test_tm_euler_default_is_unchanged_and_markram_rests_at_U(x64):
    train = _trains(2, 30.0, 4)
    proj, eff = _run(train, U=0.45, tau_f=150.0, tau_d=250.0)
    assert proj.method == "euler" and proj.model == "tm"
    mk = ConductanceInput(SpikeTrainGroup(train), CondLIF(1), 1.0, U=np.array([0.2, 0.4]), tau_f=1.0, tau_d=1.0,
                          model="markram")
    np.testing.assert_allclose(np.asarray(mk.u.value), [0.2, 0.4])
    t3 = ConductanceInput(SpikeTrainGroup(train), CondLIF(1), 1.0, U=0.2, tau_f=1.0, tau_d=1.0, model="tm3")
    assert t3.method == "exact" and np.all(np.asarray(t3.y.value) == 0.0)


def _ci(**kw):
    pre, post = SpikeTrainGroup(np.zeros((3, 10))), CondLIF(2)
    return ConductanceInput(**{"pre": pre, "post": post, "g_bar": 1.0, **kw})


STP = dict(U=0.5, tau_f=10.0, tau_d=10.0)
BAD = [
    ("model quantal", dict(model="quantal", **STP), ValueError, r"model must be one of \('tm', 'markram', 'tm3'\)"),
    ("model bogus", dict(model="tm4", **STP), ValueError, r"model must be one of"),
    ("markram euler", dict(model="markram", method="euler", **STP), ValueError, r"method must be 'exact' for model 'markram'"),
    ("f with tm", dict(f=0.2, **STP), ValueError, r"f is a parameter of model 'markram' only"),
    ("read with tm3", dict(model="tm3", read="after", **STP), ValueError, r"read is a parameter of model 'markram'"),
    ("tau_psc with markram", dict(model="markram", tau_psc=3.0, **STP), ValueError, r"tau_psc is a parameter of model 'tm3'"),
    ("markram f>1", dict(model="markram", f=1.5, **STP), ValueError, r"f must lie in \[0, 1\]; got 1\.5"),
    ("markram f str", dict(model="markram", f="0.2", **STP), TypeError, r"f must be"),
    ("markram read", dict(model="markram", read="later", **STP), ValueError, r"read must be one of"),
    ("markram U=0", dict(model="markram", U=0.0, tau_f=1.0, tau_d=1.0), ValueError, r"U must lie in \(0, 1\]"),
    ("markram tau_f<0", dict(model="markram", U=0.5, tau_f=-1.0, tau_d=1.0), ValueError, r"tau_f must lie in \[0, inf\]"),
    ("tm3 tau_psc<0", dict(model="tm3", tau_psc=-3.0, **STP), ValueError, r"tau_psc must lie in \[0, inf\] ms; got -3"),
    ("tm3 tau_psc nan", dict(model="tm3", tau_psc=math.nan, **STP), ValueError, r"tau_psc must lie in"),
    ("tm3 tau_d=0", dict(model="tm3", U=0.5, tau_f=1.0, tau_d=0.0), ValueError, r"tau_d must lie in \(0, inf\]"),
    ("tm3 tau_psc shape", dict(model="tm3", tau_psc=np.ones(2), **STP), ValueError, r"tau_psc must be a scalar or one value"),
    ("tau_psc without U", dict(model="tm3", tau_psc=3.0), ValueError, r"STP parameters given without U"),
    ("f without U", dict(model="markram", f=0.3), ValueError, r"STP parameters given without U"),
]


@pytest.mark.parametrize("kw,exc,match", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_input_is_refused(kw, exc, match):
    with pytest.raises(exc, match=match):
        _ci(**kw)
