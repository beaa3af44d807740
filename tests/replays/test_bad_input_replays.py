"""The replays' Python API refuses bad arguments before any JAX call, and a failed run leaves no folder behind."""
from __future__ import annotations

import re

import pytest

from stp_brainpy.replays import homework
from stp_brainpy.replays import neuromatch as nm
from stp_brainpy.replays.plotting import check_output_dir, output_dir

nan, inf = float("nan"), float("inf")
Setting = homework.Setting

CASES = [
    ("hw dt 0", lambda: homework.simulate(dt=0.0), ValueError, "dt"),
    ("hw dt<0", lambda: homework.simulate(dt=-1.0), ValueError, "dt"),
    ("hw dt > refractory", lambda: homework.simulate(dt=2.0), ValueError, "dt"),
    ("hw dt nan", lambda: homework.simulate(dt=nan), ValueError, "dt"),
    ("hw dt str", lambda: homework.simulate(dt="0.1"), TypeError, "dt"),
    ("hw euler dt ≥ tau_f", lambda: homework.simulate(dt=0.6, method="euler"), ValueError, "dt"),
    ("hw method", lambda: homework.simulate(method="rk4"), ValueError, "method"),
    ("hw duration 0", lambda: homework.simulate(duration=0.0), ValueError, "duration"),
    ("hw duration < dt", lambda: homework.simulate(duration=0.05), ValueError, "duration"),
    ("hw duration inf", lambda: homework.simulate(duration=inf), ValueError, "duration"),
    ("hw current nan", lambda: homework.simulate(current=nan), ValueError, "current"),
    ("hw A inf", lambda: homework.simulate(A=inf), ValueError, "A"),
    ("hw no settings", lambda: homework.simulate(settings=()), ValueError, "settings"),
    ("hw U 1.5", lambda: homework.simulate([Setting("bad", 1.5, 10.0, 10.0, "")]), ValueError, "U"),
    ("hw tau_d<0", lambda: homework.simulate([Setting("bad", 0.2, -1.0, 10.0, "")]), ValueError, "tau_d"),
    ("hw run_all dt", lambda: homework.run_all("unused", dt=5.0), ValueError, "dt"),
    ("fmp seed<0", lambda: nm.fmp_exercise(seed=-1), ValueError, "seed"),
    ("fmp seed 2.5", lambda: nm.fmp_exercise(seed=2.5), ValueError, "seed"),
    ("fmp seed str", lambda: nm.fmp_exercise(seed="0"), TypeError, "seed"),
    ("fmp duration 0", lambda: nm.fmp_exercise(duration=0.0), ValueError, "duration"),
    ("fmp duration inf", lambda: nm.fmp_exercise(duration=inf), ValueError, "duration"),
    ("fmp method", lambda: nm.fmp_exercise(method="rk4"), ValueError, "method"),
    ("grid seeds 0", lambda: nm.ei_grid(seeds=0), ValueError, "seeds"),
    ("grid seeds []", lambda: nm.ei_grid(seeds=[]), ValueError, "seeds"),
    ("grid seeds [1.5]", lambda: nm.ei_grid(seeds=[1.5]), ValueError, "seeds"),
    ("grid exc rate<0", lambda: nm.ei_grid(exc_rates=[-1.0]), ValueError, "exc_rates"),
    ("grid inh rate nan", lambda: nm.ei_grid(inh_rates=[nan]), ValueError, "inh_rates"),
    ("grid no rates", lambda: nm.ei_grid(exc_rates=[]), ValueError, "exc_rates"),
    ("grid rate·dt>1", lambda: nm.ei_grid(exc_rates=[20000.0]), ValueError, "exc_rates"),
    ("grid duration<0", lambda: nm.ei_grid(duration=-1.0), ValueError, "duration"),
    ("explorer kind", lambda: nm.stp_explorer("XYZ"), ValueError, "kind"),
    ("explorer rate 0", lambda: nm.stp_explorer("STD", 0.0), ValueError, "rate"),
    ("explorer rate inf", lambda: nm.stp_explorer("STD", inf), ValueError, "rate"),
    ("explorer rate str", lambda: nm.stp_explorer("STD", "10"), TypeError, "rate"),
    ("explorer U0 1.5", lambda: nm.stp_explorer("STD", U0=1.5), ValueError, "U0"),
    ("explorer tau_d 0", lambda: nm.stp_explorer("STD", tau_d=0.0), ValueError, "tau_d"),
    ("explorer tau_f nan", lambda: nm.stp_explorer("STD", tau_f=nan), ValueError, "tau_f"),
    ("explorer seed<0", lambda: nm.stp_explorer("STD", seed=-1), ValueError, "seed"),
    ("explorers case shape", lambda: nm.stp_explorers([("STD", 10.0)]), ValueError, "cases"),
    ("explorers none", lambda: nm.stp_explorers([]), ValueError, "cases"),
    ("ratio method", lambda: nm.g_ratio_curves("rk4"), ValueError, "method"),
    ("ratio dt 0", lambda: nm.g_ratio_curves(dt=0.0), ValueError, "dt"),
    ("ratio dt nan", lambda: nm.g_ratio_curves(dt=nan), ValueError, "dt"),
    ("ratio euler dt ≥ tau_s", lambda: nm.g_ratio_curves("euler", dt=6.0), ValueError, "dt"),
    ("ratio rates missing", lambda: nm.g_ratio_curves(rates={"STD": [5.0]}), ValueError, "rates"),
    ("ratio rate<0", lambda: nm.g_ratio_curves(rates={"STD": [-1.0], "STF": [2.0]}), ValueError, "rates"),
    ("ratio rates list", lambda: nm.g_ratio_curves(rates=[1.0, 2.0]), TypeError, "rates"),
    ("bonus n_seeds 0", lambda: nm.bonus(n_seeds=0), ValueError, "n_seeds"),
    ("bonus n_seeds 2.5", lambda: nm.bonus(n_seeds=2.5), ValueError, "n_seeds"),
    ("bonus tau_ratio 0", lambda: nm.bonus(tau_ratios=[0.0]), ValueError, "tau_ratios"),
    ("bonus tau_ratio nan", lambda: nm.bonus(tau_ratios=[nan]), ValueError, "tau_ratios"),
    ("bonus no tau_ratio", lambda: nm.bonus(tau_ratios=[]), ValueError, "tau_ratios"),
    ("bonus rate 0", lambda: nm.bonus(rate=0.0), ValueError, "rate"),
    ("bonus duration 0", lambda: nm.bonus(duration=0.0), ValueError, "duration"),
    ("bonus method", lambda: nm.bonus(method="x"), ValueError, "method"),
    ("trace tau_ratio 0", lambda: nm.bonus_trace(tau_ratio=0.0), ValueError, "tau_ratios"),
    ("trace seed<0", lambda: nm.bonus_trace(seed=-1), ValueError, "seed"),
    ("trace too short", lambda: nm.bonus_trace(duration=100.0), ValueError, "duration"),
    ("nm run_all method", lambda: nm.run_all("unused", method="x"), ValueError, "method"),
    ("nm run_all seed", lambda: nm.run_all("unused", seed=-1), ValueError, "seed"),
]


@pytest.mark.parametrize("call, exc, name", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_refused(call, exc, name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(exc) as info:
        call()
    if exc is ValueError:
        assert not isinstance(info.value, TypeError), info.value
    assert re.search(rf"(^|\W){re.escape(name)}\W", str(info.value)), f"message does not name {name}: {info.value}"
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_failed_write_leaves_no_folder(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    import stp_brainpy.replays.plotting as plotting

    monkeypatch.setattr(plotting, "save_figure", broken)
    with pytest.raises(OSError, match="No space"):
        homework.run_all(tmp_path / "a" / "b", progress=False)
    assert list(tmp_path.iterdir()) == []


def test_output_dir_keeps_existing_folders(tmp_path):
    (tmp_path / "keep").mkdir()
    with pytest.raises(RuntimeError):
        with output_dir(tmp_path / "keep" / "new" / "deeper"):
            assert (tmp_path / "keep" / "new" / "deeper").is_dir()
            raise RuntimeError("writer failed")
    assert [p.name for p in tmp_path.iterdir()] == ["keep"] and list((tmp_path / "keep").iterdir()) == []
    with output_dir(tmp_path / "keep" / "made") as out:
        (out / "f").write_text("x")
    assert (tmp_path / "keep" / "made" / "f").read_text() == "x"


def test_check_output_dir_creates_nothing(tmp_path):
    assert check_output_dir(tmp_path / "x" / "y") == tmp_path / "x" / "y"
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "f").write_text("")
    with pytest.raises(NotADirectoryError, match="is a file"):
        check_output_dir(tmp_path / "f" / "y")
    (tmp_path / "link").symlink_to(tmp_path / "missing")
    with pytest.raises(NotADirectoryError, match="broken link"):
        check_output_dir(tmp_path / "link" / "y")
