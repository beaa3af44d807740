"""Every stp_brainpy.state class takes Quantities of the right dimension and refuses the wrong one by name."""
from __future__ import annotations

import numpy as np
import pytest

import brainstate
import brainunit as u

from stp_brainpy.state import ConductanceLIF, EventConn, EventSTPComm, EventSTPProj, PresynapticSTP, run
from stp_brainpy.units import UnitError

PAIRS = (np.array([0, 1]), np.array([1, 0]))
CONN = dict(n_pre=2, n_post=2)


def _stp(**kw):
    return PresynapticSTP(2, **kw)


def _neuron(**kw):
    return ConductanceLIF(2, **kw)


def _comm(**kw):
    return EventSTPComm(PAIRS, **CONN, **kw)


def _proj(**kw):
    return EventSTPProj(PAIRS, ConductanceLIF(2), **CONN, **kw)


def _conn(**kw):
    return EventConn(PAIRS, **CONN, **kw)


def _fp_stp(m):
    return (np.asarray(m.U), np.asarray(m.tau_f), np.asarray(m.tau_d), m.u0, m.x0)


def _fp_neuron(m):
    return tuple(np.asarray(v, float).tolist() for v in m.params) + (np.asarray(m.V_init, float).tolist(),)


def _fp_comm(m):
    return tuple(np.asarray(v).tolist() for v in (m.U, m.tau_f, m.tau_d, m.weight))


def _fp_proj(m):
    return _fp_comm(m.comm)


def _fp_conn(m):
    return (np.asarray(m.weight).tolist(),)


# (factory, fingerprint, parameter, right Quantity, the same as a bare number, a wrong Quantity)
TABLE = [
    (_stp, _fp_stp, "U", u.Quantity(0.3), 0.3, 0.3 * u.ms),
    (_stp, _fp_stp, "tau_f", 0.5 * u.second, 500.0, 500.0 * u.mV),
    (_stp, _fp_stp, "tau_d", 120.0 * u.ms, 120.0, 120.0 * u.nS),
    (_stp, _fp_stp, "u0", u.Quantity(0.1), 0.1, 0.1 * u.ms),
    (_stp, _fp_stp, "x0", u.Quantity(0.9), 0.9, 0.9 * u.pA),
    (_neuron, _fp_neuron, "V_th", -0.05 * u.volt, -50.0, -50.0 * u.ms),
    (_neuron, _fp_neuron, "V_reset", -70.0 * u.mV, -70.0, -70.0 * u.nS),
    (_neuron, _fp_neuron, "tau_m", 0.02 * u.second, 20.0, 20.0 * u.mV),
    (_neuron, _fp_neuron, "C_m", 0.2 * u.nF, 200.0, 200.0 * u.nS),
    (_neuron, _fp_neuron, "g_L", 0.01 * u.uS, 10.0, 10.0 * u.pA),
    (_neuron, _fp_neuron, "V_init", -62.0 * u.mV, -62.0, -62.0 * u.ms),
    (_neuron, _fp_neuron, "E_L", -60.0 * u.mV, -60.0, -60.0 * u.pA),
    (_neuron, _fp_neuron, "tau_ref", 5.0 * u.ms, 5.0, 5.0 * u.mV),
    (_neuron, _fp_neuron, "E_E", 0.0 * u.mV, 0.0, 0.0 * u.ms),
    (_neuron, _fp_neuron, "E_I", -80.0 * u.mV, -80.0, -80.0 * u.nS),
    (_neuron, _fp_neuron, "tau_E", 5.0 * u.ms, 5.0, 5.0 * u.nS),
    (_neuron, _fp_neuron, "tau_I", 10.0 * u.ms, 10.0, 10.0 * u.pA),
    (_neuron, _fp_neuron, "I_e", 0.2 * u.nA, 200.0, 200.0 * u.nS),
    (_comm, _fp_comm, "U", u.Quantity(0.3), 0.3, 0.3 * u.mV),
    (_comm, _fp_comm, "tau_f", 2.0 * u.ms, 2.0, 2.0 * u.nS),
    (_comm, _fp_comm, "tau_d", 0.15 * u.second, 150.0, 150.0 * u.mV),
    (_comm, _fp_comm, "weight", 30.0 * u.nS, 30.0, 30.0 * u.mV),
    (_proj, _fp_proj, "tau_f", 2.0 * u.ms, 2.0, 2.0 * u.pA),
    (_proj, _fp_proj, "tau_d", 150.0 * u.ms, 150.0, 150.0 * u.nS),
    (_proj, _fp_proj, "weight", 0.03 * u.uS, 30.0, 30.0 * u.ms),
    (_conn, _fp_conn, "weight", 6.0 * u.nS, 6.0, 6.0 * u.mV),
]


@pytest.mark.parametrize("factory, fingerprint, name, right, bare, wrong", TABLE,
                         ids=[f"{row[0].__name__[1:]}-{row[2]}" for row in TABLE])
def test_quantity_accepted_and_wrong_dimension_refused(factory, fingerprint, name, right, bare, wrong):
    with_q, with_bare = factory(**{name: right}), factory(**{name: bare})
    for a, b in zip(fingerprint(with_q), fingerprint(with_bare)):
        np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-12, atol=0)
    with pytest.raises(UnitError, match=name):
        factory(**{name: wrong})


def test_run_takes_time_quantities_and_refuses_others():
    neu = ConductanceLIF.coba(1)
    brainstate.nn.init_all_states(neu)
    assert run(neu.update, 0.001 * u.second).shape == (10, 1)
    assert run(neu.update, 1.0, dt=0.05 * u.ms).shape == (20, 1)
    brainstate.environ.set(dt=0.1 * u.ms)
    with pytest.raises(UnitError, match="duration"):
        run(neu.update, 1.0 * u.mV)
    with pytest.raises(UnitError, match="dt"):
        run(neu.update, 1.0, dt=0.1 * u.nS)


def test_out_of_range_values_are_refused_with_their_range():
    with pytest.raises(ValueError, match="U must lie in"):
        PresynapticSTP(1, 1.5)
    with pytest.raises(ValueError, match="tau_d"):
        EventSTPComm(PAIRS, 0.2, tau_d=-1.0 * u.ms, **CONN)
    with pytest.raises(ValueError, match="g_L"):
        ConductanceLIF(1, g_L=-1.0 * u.nS)
    with pytest.raises(ValueError, match="tau_m or C_m"):
        ConductanceLIF(1, tau_m=10.0, C_m=100.0)
    with pytest.raises(ValueError, match="one value per synapse"):
        EventConn(PAIRS, [1.0, 2.0, 3.0], **CONN)
