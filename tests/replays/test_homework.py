"""The homework replay: efficacies vs an independent NumPy transcription, the discussion as assertions, files."""
from __future__ import annotations

import json
import os
import sys
import types

import numpy as np
import pytest

from stp_brainpy import cli
from stp_brainpy.replays import all as replay_all
from stp_brainpy.replays import homework
from tm_reference import tm_efficacies as np_event_efficacies

# the homework's eight calls, copied from the document: (name, U, tau_d, tau_f)
DOCUMENT = [("STD", 0.2, 150.0, 2.0), ("STF", 0.1, 10.0, 100.0), ("U1", 0.05, 150.0, 2.0), ("U2", 0.8, 150.0, 2.0),
            ("tau_d1", 0.2, 1.0, 2.0), ("tau_d2", 0.2, 600.0, 2.0), ("tau_f1", 0.2, 150.0, 0.5),
            ("tau_f2", 0.2, 150.0, 100.0)]


def test_settings_are_the_documents():
    assert [(s.name, s.U, s.tau_d, s.tau_f) for s in homework.SETTINGS] == DOCUMENT
    assert (homework.TAU_S, homework.A, homework.CURRENT, homework.DURATION) == (8.0, 1.0, 28.0, 150.0)


def _check_efficacies(res, rtol):
    for k, (name, U, tau_d, tau_f) in enumerate(DOCUMENT):
        spk = res["spike"][k]
        eff = res["efficacy"][k]
        np.testing.assert_array_equal(np.flatnonzero(eff), np.flatnonzero(spk))
        times = res["t"][spk]
        assert len(times) == 10, name
        np.testing.assert_allclose(eff[spk], np_event_efficacies(times, U, tau_f, tau_d), rtol=rtol, atol=0,
                                   err_msg=name)


@pytest.mark.parametrize("dt", [0.01, 0.05, 0.1])
def test_efficacies_float64(x64, dt):
    res = homework.simulate(dt=dt)
    assert res["I"].dtype == np.float64 and res["I"].shape == (8, int(round(150 / dt)))
    _check_efficacies(res, 1e-12)


@pytest.mark.parametrize("dt", [0.01, 0.05, 0.1])
def test_efficacies_float32(dt):
    res = homework.simulate(dt=dt)
    assert res["I"].dtype == np.float32
    _check_efficacies(res, 1e-5)


@pytest.fixture(scope="module")
def rows():
    return {r["name"]: r for r in homework.summarize(homework.simulate())}


def _depression(r):
    """Sustained release relative to the first spike."""
    return r["efficacy_last"] / r["efficacy_first"]


def test_larger_U_depresses_sustained_release_more(rows):
    assert _depression(rows["U2"]) < _depression(rows["STD"]) < _depression(rows["U1"])
    # ...while small U keeps releasing regularly: its efficacies stay within 25 % of the first
    assert min(rows["U1"]["efficacy"]) > 0.75 * rows["U1"]["efficacy_first"]


def test_larger_tau_d_depresses_more(rows):
    assert _depression(rows["tau_d2"]) < _depression(rows["STD"]) < _depression(rows["tau_d1"])
    assert min(rows["tau_d1"]["x_minus"]) > 0.999  # x is back at 1 before every spike


def test_larger_tau_f_accumulates_u(rows):
    u2 = np.array(rows["tau_f2"]["u_plus"])
    assert np.all(np.diff(u2) > 0) and u2[-1] > 1.5 * u2[0]
    for short in ("STD", "tau_f1"):  # u is back at 0 before the next spike: u⁺ = U every time
        np.testing.assert_allclose(rows[short]["u_plus"], 0.2, rtol=1e-3)
    assert rows["tau_f2"]["u_plus"][-1] > rows["STD"]["u_plus"][-1] > 0


def test_stf_peaks_grow_and_std_peaks_shrink(x64):
    res = homework.simulate()
    for k, sign in ((0, -1), (1, +1)):  # STD, STF
        peaks = res["I"][k][res["spike"][k]]  # I is largest at the step of the jump
        assert np.all(sign * np.diff(peaks[:5]) > 0)
    rows = {r["name"]: r for r in homework.summarize(res)}
    assert rows["STF"]["peak_I"] > 3 * rows["STF"]["efficacy_first"]
    assert rows["STD"]["peak_I"] == pytest.approx(rows["STD"]["efficacy_first"])


def test_bad_input_raises():
    with pytest.raises(ValueError, match="dt"):
        homework.simulate(dt=0.0)
    with pytest.raises(ValueError, match="method"):
        homework.simulate(method="midpoint")
    with pytest.raises(ValueError, match="U"):
        homework.simulate([homework.Setting("bad", 1.5, 10.0, 10.0, "")])


def test_run_all_writes_figures_and_tables_and_refuses_overwrite(tmp_path):
    out = tmp_path / "hw"
    paths = homework.run_all(out, quick=True)
    names = sorted(p.name for p in paths)
    assert names == sorted(homework.figure_names() + homework.table_names())
    for p in paths:
        assert p.stat().st_size > 0
    assert (out / "STD.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = (out / "homework_summary.csv").read_text().splitlines()
    assert summary[0].startswith("name,U,tau_d,tau_f,n_spikes") and len(summary) == 9
    assert len((out / "homework_spikes.csv").read_text().splitlines()) == 1 + 80
    data = json.loads((out / "homework.json").read_text())
    assert [r["name"] for r in data["settings"]] == [d[0] for d in DOCUMENT] and data["run"]["dt"] == 0.1

    mtimes = {p: p.stat().st_mtime_ns for p in paths}
    with pytest.raises(FileExistsError, match="overwrite"):
        homework.run_all(out)
    assert {p: p.stat().st_mtime_ns for p in paths} == mtimes

    # one existing target blocks everything: nothing else is written
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "homework.json").write_text("keep")
    with pytest.raises(FileExistsError):
        homework.run_all(partial)
    assert sorted(os.listdir(partial)) == ["homework.json"] and (partial / "homework.json").read_text() == "keep"


def test_cli(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(homework, "plot_setting", _tiny_figure)  # the CLI's wiring, not matplotlib, is tested here
    out = str(tmp_path / "cli")
    assert cli.main(["homework", "--out", out, "--no-progress", "--dt", "0.05"]) == 0
    assert json.loads((tmp_path / "cli" / "homework.json").read_text())["run"]["dt"] == 0.05
    assert cli.main(["homework", "--out", out, "--no-progress"]) == 2
    assert "refusing to overwrite" in capsys.readouterr().err
    assert cli.main(["homework", "--out", out, "--no-progress", "--overwrite", "--method", "euler"]) == 0
    assert json.loads((tmp_path / "cli" / "homework.json").read_text())["run"]["method"] == "euler"


def _tiny_figure(result, k):
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(1, 1))
    fig.add_subplot().plot(result["t"], result["I"][k])
    return fig


def test_all_runs_each_replay_into_its_directory(tmp_path, monkeypatch):
    calls = []

    def fake(name):
        mod = types.ModuleType(name)
        mod.run_all = lambda out_dir, overwrite=False, quick=False, progress=False: calls.append(
            (name, out_dir, overwrite, quick, progress)) or [out_dir]
        return mod

    monkeypatch.setattr(replay_all, "REPLAYS", {"homework": "fake_hw", "neuromatch": "fake_nm"})
    monkeypatch.setitem(sys.modules, "fake_hw", fake("fake_hw"))
    monkeypatch.setitem(sys.modules, "fake_nm", fake("fake_nm"))
    assert cli.main(["all", "--out", str(tmp_path), "--quick", "--no-progress"]) == 0
    assert calls == [("fake_hw", tmp_path / "homework", False, True, False),
                     ("fake_nm", tmp_path / "neuromatch", False, True, False)]

    # a replay that lists its targets blocks the whole command before anything runs
    sys.modules["fake_nm"].targets = lambda out_dir, quick=False: [out_dir / "fig.png"]
    (tmp_path / "neuromatch").mkdir()
    (tmp_path / "neuromatch" / "fig.png").write_text("keep")
    calls.clear()
    assert cli.main(["all", "--out", str(tmp_path), "--no-progress"]) == 2
    assert calls == []
    assert cli.main(["all", "--out", str(tmp_path), "--no-progress", "--overwrite"]) == 0 and len(calls) == 2
