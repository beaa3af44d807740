"""Units in the replays (issue 12): the entry points that run a whole replay take Quantities and refuse a wrong
dimension before anything is simulated or written; the explorer cases take rate Quantities. The parameters of
every other replay function are walked by tests/test_units_everywhere.py (right Quantity = bare number)."""
from __future__ import annotations

import brainunit as u
import numpy as np
import pytest

from stp_brainpy.replays import homework, wm_cli
from stp_brainpy.replays.neuromatch import stp_explorers
from stp_brainpy.units import UnitError, units_of


def test_homework_run_all_refuses_a_wrong_dimension_before_writing(tmp_path):
    assert units_of(homework.run_all) == {"dt": "ms"}
    with pytest.raises(UnitError, match="^dt must be a time in ms"):
        homework.run_all(tmp_path / "out", dt=0.1 * u.mV)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("kw, name", [(dict(duration=3.0 * u.nS), "duration"), (dict(tau_f=1.5 * u.mV), "tau_f"),
                                      (dict(mu_E=22.7 * u.ms), "mu_E"), (dict(delay=(0.1 * u.ms, 1.0 * u.pA)), "delay")])
def test_run_wm_refuses_a_wrong_dimension_before_writing(tmp_path, kw, name):
    with pytest.raises(UnitError, match=f"^{name} must be"):
        wm_cli.run_wm(tmp_path / "out", quick=True, progress=False, **kw)
    assert not (tmp_path / "out").exists()


def test_run_wm_overrides_convert_through_wm_params():
    prm, proto = wm_cli.wm_settings("readout", True, 0, 3.0 * u.second, tau_f=1.5 * u.second, mu_E=0.0227 * u.volt,
                                    delay=(0.1 * u.ms, 0.001 * u.second))
    ref, ref_proto = wm_cli.wm_settings("readout", True, 0, 3000.0, tau_f=1500.0, mu_E=22.7, delay=(0.1, 1.0))
    assert proto == ref_proto
    np.testing.assert_allclose([prm.tau_f, prm.mu_E, *prm.delay], [ref.tau_f, ref.mu_E, *ref.delay], rtol=1e-12)
    assert type(prm.tau_f) is float and type(prm.delay) is tuple


def test_explorer_cases_take_rate_quantities():
    cases = [("STD", 20.0, False), ("STF", 40.0, False)]
    ref = stp_explorers(cases)
    got = stp_explorers([("STD", 0.02 * u.kHz, False), ("STF", 40.0 * u.Hz, False)])
    for a, b in zip(ref, got):
        assert a["rate"] == pytest.approx(b["rate"], rel=1e-12)
        np.testing.assert_array_equal(a["g"], b["g"])
    with pytest.raises(UnitError, match="^cases must be a rate in Hz"):
        stp_explorers([("STD", 20.0 * u.ms, False)])
