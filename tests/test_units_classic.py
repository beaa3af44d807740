"""brainunit Quantities in the classic BrainPy classes (synapses, neurons, compat runner): every time, potential,
conductance and current parameter takes the right Quantity (same result as the bare number in the documented
unit) and refuses a wrong dimension with an error naming the parameter and the expected unit."""
from __future__ import annotations

import brainpy as bp
import brainpy.math as bm
import brainunit as u
import numpy as np
import pytest

from stp_brainpy.neurons import LIF, CondLIF
from stp_brainpy.synapses import STP, STPExpon, STPRelease
from stp_brainpy.units import UnitError

UNIT = {"ms": u.ms, "mV": u.mV, "nS": u.nS, "pA": u.pA}
SCALED = {"ms": (u.second, 1e-3), "mV": (u.volt, 1e-3), "nS": (u.uS, 1e-3), "pA": (u.nA, 1e-3), "1": (None, 1.0)}
WRONG = {"ms": u.mV, "mV": u.ms, "nS": u.mV, "pA": u.nS, "1": u.ms}


def _stp(**kw):
    return STP(LIF(2), LIF(2), bp.connect.All2All(), **kw)


# (class label, factory, parameter, documented unit, bare value, extra keywords)
ROWS = [
    ("STP", _stp, "U", "1", 0.3, {}), ("STP", _stp, "u0", "1", 0.2, {}), ("STP", _stp, "x0", "1", 0.9, {}),
    ("STP", _stp, "f", "1", 0.2, {"model": "markram"}),
    ("STP", _stp, "tau_f", "ms", 50.0, {}), ("STP", _stp, "tau_d", "ms", 120.0, {}), ("STP", _stp, "tau", "ms", 5.0, {}),
    ("STP", _stp, "delay", "ms", 0.5, {}), ("STP", _stp, "tau_psc", "ms", 4.0, {"model": "tm3"}),
]
for _label, _cls in (("STPRelease", STPRelease), ("STPExpon", STPExpon)):
    _make = (lambda c: lambda **kw: c(3, **kw))(_cls)
    ROWS += [(_label, _make, "U", "1", 0.3, {}), (_label, _make, "u0", "1", 0.2, {}), (_label, _make, "x0", "1", 0.9, {}),
             (_label, _make, "f", "1", 0.2, {"model": "markram"}), (_label, _make, "tau_f", "ms", 50.0, {}),
             (_label, _make, "tau_d", "ms", 120.0, {}), (_label, _make, "tau_psc", "ms", 4.0, {"model": "tm3"})]
ROWS += [("STPExpon", lambda **kw: STPExpon(3, **kw), "tau", "ms", 5.0, {})]
ROWS += [("LIF", lambda **kw: LIF(3, **kw), name, unit, value, {})
         for name, unit, value in (("V_rest", "mV", -1.0), ("V_reset", "mV", -6.0), ("V_th", "mV", 18.0),
                                   ("tau", "ms", 12.0), ("tau_ref", "ms", 1.5))]
ROWS += [("CondLIF", lambda **kw: CondLIF(3, **kw), name, unit, value, {})
         for name, unit, value in (("V_th", "mV", -54.0), ("V_reset", "mV", -74.0), ("tau_m", "ms", 12.0),
                                   ("g_L", "nS", 8.0), ("V_init", "mV", -66.0), ("E_L", "mV", -73.0),
                                   ("tau_ref", "ms", 2.5), ("E_E", "mV", 5.0), ("E_I", "mV", -78.0),
                                   ("tau_E", "ms", 3.0), ("tau_I", "ms", 6.0), ("I_e", "pA", 20.0))]

IDS = [f"{r[0]}-{r[2]}" for r in ROWS]


def _quantity(value, unit, scaled):
    if unit == "1":
        return u.Quantity(value)
    if scaled:
        big, factor = SCALED[unit]
        return (value * factor) * big
    return value * UNIT[unit]


def _value(obj, name):
    return np.asarray(bm.as_jax(getattr(obj, name)), float)


@pytest.mark.parametrize("label,make,name,unit,value,extra", ROWS, ids=IDS)
def test_right_quantity_equals_bare_number(x64, label, make, name, unit, value, extra):
    ref = make(**extra, **{name: value})
    same = make(**extra, **{name: _quantity(value, unit, scaled=False)})
    np.testing.assert_array_equal(_value(same, name), _value(ref, name))
    scaled = make(**extra, **{name: _quantity(value, unit, scaled=True)})
    np.testing.assert_allclose(_value(scaled, name), _value(ref, name), rtol=1e-12)


@pytest.mark.parametrize("label,make,name,unit,value,extra", ROWS, ids=IDS)
def test_wrong_dimension_names_parameter_and_unit(label, make, name, unit, value, extra):
    expected = "dimensionless" if unit == "1" else f"in {unit}"
    with pytest.raises(UnitError, match=f"^{name} must be .*{expected}"):
        make(**extra, **{name: value * WRONG[unit]})


def _run(net, duration, monitors, inputs=()):
    runner = bp.DSRunner(net, monitors=monitors, inputs=list(inputs), progress_bar=False)
    runner.run(duration)
    return {k: np.asarray(v) for k, v in runner.mon.items()}


def test_network_in_quantities_equals_bare_numbers(x64):
    """LIF -> STP(model='tm3') -> LIF, every parameter as a Quantity in other units, spike for spike the same."""
    def build(q):
        t = (lambda v: v * 1e-3 * u.second) if q else (lambda v: v)
        V = (lambda v: v * 1e-3 * u.volt) if q else (lambda v: v)
        pre = LIF(2, V_rest=V(0.0), V_reset=V(-5.0), V_th=V(20.0), tau=t(10.0), tau_ref=t(1.0))
        post = LIF(2, V_th=V(15.0), tau=t(8.0))
        syn = STP(pre, post, bp.connect.All2All(), 0.4, t(40.0), t(150.0), t(5.0), 30.0, t(0.5), model="tm3",
                  tau_psc=t(3.0))
        return bp.Network(pre=pre, syn=syn, post=post)

    a = _run(build(False), 60.0, ["pre.spike", "syn.efficacy", "syn.y", "post.V"], [("pre.input", 28.0)])
    b = _run(build(True), 60.0, ["pre.spike", "syn.efficacy", "syn.y", "post.V"], [("pre.input", 28.0)])
    assert a["pre.spike"].sum() > 0 and a["syn.efficacy"].max() > 0
    for k in a:
        np.testing.assert_allclose(b[k], a[k], rtol=1e-12, atol=1e-14, err_msg=k)


def test_cond_lif_in_quantities_equals_bare_numbers(x64):
    a = _run(CondLIF(1, g_L=10.0, I_e=250.0, tau_m=10.0, V_th=-55.0), 50.0, ["V", "spike"])
    b = _run(CondLIF(1, g_L=0.01 * u.uS, I_e=0.25 * u.nA, tau_m=0.01 * u.second, V_th=-0.055 * u.volt), 50.0,
             ["V", "spike"])
    assert a["spike"].sum() > 0
    np.testing.assert_array_equal(b["spike"], a["spike"])
    np.testing.assert_allclose(b["V"], a["V"], rtol=1e-10)


def test_struct_runner_dt_and_duration_quantities(x64):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        from stp_brainpy.compat import StructRunner

    ref = StructRunner(LIF(1), monitors=["V"], inputs=[("input", 28.0)], dt=0.1)
    ref.run(20.0)
    q = StructRunner(LIF(1), monitors=["V"], inputs=[("input", 28.0)], dt=1e-4 * u.second)
    q.run(0.02 * u.second)
    np.testing.assert_allclose(np.asarray(q.mon["V"]), np.asarray(ref.mon["V"]), rtol=1e-10)
    with pytest.raises(UnitError, match="^dt must be a time in ms"):
        StructRunner(LIF(1), dt=0.1 * u.mV)
    with pytest.raises(UnitError, match="^duration must be a time in ms"):
        StructRunner(LIF(1), dt=0.1).run(20.0 * u.mV)
