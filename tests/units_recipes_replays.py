"""Recipes for tests/test_units_everywhere.py, second part: the replays (homework, Neuromatch, working
memory) and the brainpy.state skins; plus the parameters of theirs whose unit the name does not tell
(:data:`EXTRA`) and those exempt, with the reason (:data:`EXEMPT`)."""
from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, Callable

import numpy as np

if TYPE_CHECKING:
    from units_recipes import R


_WM = "stp_brainpy.replays.working_memory"
_NM = "stp_brainpy.replays.neuromatch"

#: (object, parameter) -> unit, where the name alone does not tell it.
EXTRA = {
    **{(f"{_WM}:WMParams", k): "mV" for k in ("J_IE", "J_EI", "J_II", "J_b", "J_p", "mu_E", "mu_I", "sigma")},
    **{(f"{_WM}:Protocol", k): "ms" for k in ("cue", "readout", "spontaneous")},
    (f"{_WM}:population_spikes", "bin_ms"): "ms",
    (f"{_WM}:population_spikes", "threshold_hz"): "Hz",
    (f"{_WM}:analyse", "bin_ms"): "ms",
    (f"{_NM}.membrane:ei_grid", "exc_rates"): "Hz",
    (f"{_NM}.membrane:ei_grid", "inh_rates"): "Hz",
    (f"{_NM}.synapses:g_ratio_curves", "rates"): "Hz",
}

_WHOLE_RUN = ("runs the whole replay and writes its files (minutes for wm); takes Quantities (accepts_units) and "
              "hands them to {} (walked here); tests/replays/test_units_replays.py checks it refuses a wrong "
              "dimension before anything is written")
EXEMPT = {
    (f"{_NM}.bonus:bonus", "tau_ratios"): "a ratio of time constants (τd = 500·r, τf = 300·r ms): dimensionless",
    ("stp_brainpy.replays.homework:run_all", "dt"): _WHOLE_RUN.format("validate_run and simulate"),
    ("stp_brainpy.replays.wm_cli:run_wm", "duration"): _WHOLE_RUN.format("wm_settings"),
}

_SLOW = {f"{_NM}.bonus:bonus", f"{_NM}.bonus:bonus_trace", f"{_NM}.membrane:ei_grid", f"{_NM}.membrane:fmp_exercise"}


def _attrs(*names) -> Callable:
    def probe(obj, name):
        return tuple(np.asarray(getattr(obj, n), float) for n in names)
    return probe


def _env_dt():
    import brainstate
    import brainunit as u

    brainstate.environ.set(dt=0.1 * u.ms)  # what tests/state/conftest.py sets: the skins read it when built


_PAIRS = (np.array([0, 1]), np.array([1, 0]))
_CONN = dict(n_pre=2, n_post=2)


def _stp_probe(m, name):
    return (_attrs("U", "tau_f", "tau_d")(m, name), [np.asarray(v, float) for v in getattr(m, "params", ())],
            float(m.x0), None if m.u0 is None else float(m.u0))


def _comm_probe(m, name):
    m = getattr(m, "comm", m)
    return (_attrs("U", "tau_f", "tau_d", "weight")(m, name), np.asarray(m._delay_ms, float))


def _conn_probe(m, name):
    return (np.asarray(m.weight, float), np.asarray(m._delay_ms, float))


def _lif_probe(m, name):
    return ([np.asarray(v, float) for v in getattr(m, "params", ())], np.asarray(m.V_init, float))


def _state_run():
    from units_recipes import r

    _env_dt()
    from stp_brainpy.state import t_ms

    return r(lambda: t_ms(), 1.0, dt=0.1)


def _state_recipes() -> dict[str, Callable[[], R]]:
    from units_recipes import TM, r

    def with_dt(make):
        def recipe():
            _env_dt()
            return make()
        return recipe

    def conn():
        from stp_brainpy.state import as_connectivity

        return as_connectivity(_PAIRS, 2, 2)

    def post():
        from stp_brainpy.state import ConductanceLIF

        return ConductanceLIF(2)

    return {
        "stp_brainpy.state:PresynapticSTP": with_dt(lambda: r(2, **TM, u0=0.3, probe=_stp_probe,
                                                             per={"tau_psc": dict(model="tm3")})),
        "stp_brainpy.state:EventConn": with_dt(lambda: r(_PAIRS, 2.0, delay=0.5, **_CONN, units={"weight": "nS"},
                                                        probe=_conn_probe)),
        "stp_brainpy.state:EventSTPComm": with_dt(lambda: r(_PAIRS, **TM, weight=2.0, delay=0.5, **_CONN,
                                                           units={"weight": "nS"}, probe=_comm_probe)),
        "stp_brainpy.state:EventSTPProj": with_dt(lambda: r(_PAIRS, post(), **TM, weight=2.0, delay=0.5, **_CONN,
                                                           units={"weight": "nS"}, probe=_comm_probe)),
        "stp_brainpy.state:ConductanceLIF": with_dt(lambda: r(2, probe=_lif_probe, per={
            "tau_m": dict(tau_m=20.0), "C_m": dict(C_m=200.0)})),
        "stp_brainpy.state.run:run": _state_run,
        "stp_brainpy.state.delays:delay_ms": lambda: r(np.array([0.5, 1.0]), conn()),
    }


def _fake_wm_run():
    """A two-block result as ``FusedNetwork.run`` records it (``block_count`` per step), on a 1-ms grid."""
    from stp_brainpy.replays.working_memory import Protocol

    counts = np.zeros((300, 2))
    counts[100:110, 0] = 3.0
    counts[205:208, 1] = 2.0
    net = SimpleNamespace(dt=1.0, record=SimpleNamespace(blocks=(("sel0", "E", 0, 4), ("I", "I", 0, 2)), every=1))
    proto = Protocol("readout", (100.0, 150.0), (150.0, 200.0), (200.0, 250.0), 300.0, (0.0, 100.0))
    return {"block_count": counts}, net, proto


def replay_recipes() -> dict[str, Callable[[], R]]:
    """``{'module:qualname': () -> R}`` of the replays and the brainpy.state skins."""
    from units_recipes import r  # not at the top: units_recipes imports this module for its EXEMPT

    from stp_brainpy.replays.homework import SETTINGS

    one = SETTINGS[:2]
    out = {
        "stp_brainpy.replays.homework:Setting": lambda: r("STD", 0.2, 150.0, 2.0, "claim"),
        "stp_brainpy.replays.homework:validate_run": lambda: r(one, 0.1, "exact", 20.0, 28.0, 8.0),
        "stp_brainpy.replays.homework:simulate": lambda: r(one, 0.1, "exact", 20.0, 28.0, 8.0),
        f"{_NM}.bonus:bonus": lambda: r(1, [0.5], 15.0, 60.0),
        f"{_NM}.bonus:bonus_trace": lambda: r(0.5, 0, 510.0),
        f"{_NM}.membrane:fmp_exercise": lambda: r(0, 30.0),
        f"{_NM}.membrane:ei_grid": lambda: r(1, 30.0, [10.0, 20.0], [10.0]),
        f"{_NM}.synapses:stp_explorer": lambda: r("STD", 20.0, U0=0.5, tau_d=100.0, tau_f=50.0),
        f"{_NM}.synapses:stp_explorers": lambda: r([("STD", 20.0, False), ("STF", 40.0, False)], U0=0.5,
                                                   tau_d=100.0, tau_f=50.0),
        f"{_NM}.synapses:g_ratio_curves": lambda: r(rates={"STD": [20.0, 40.0], "STF": [40.0]}, dt=0.1),
        f"{_WM}:WMParams": lambda: r(),
        f"{_WM}:Protocol": lambda: r("readout", (1000.0, 1350.0), (1350.0, 2450.0), (2450.0, 2700.0), 3000.0,
                                     (200.0, 1000.0)),
        f"{_WM}:protocol": lambda: r("readout", True, 3000.0),
        f"{_WM}:population_spikes": lambda: r(np.array([0.0, 50.0, 70.0, 10.0, 45.0, 0.0]), 2.0, 40.0),
        f"{_WM}:analyse": lambda: r(*_fake_wm_run(), bin_ms=2.0),
        "stp_brainpy.replays.wm_cli:wm_settings": lambda: r("readout", True, 0, 3000.0),
    }
    out.update(_state_recipes())
    return out
