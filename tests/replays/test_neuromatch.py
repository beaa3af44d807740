"""Neuromatch replay: numbers against the NumPy transcription, shapes, files, CLI."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest

from neuromatch_reference import np_dynamic_syn, np_g1_g10
from stp_brainpy.cli import main
from stp_brainpy.replays import neuromatch as nm


def test_g_ratio_curves_equal_tutorial(x64):
    res = nm.g_ratio_curves()
    for kind, (U, td, tf) in nm.SYNAPSES.items():
        ref = np.array([np_g1_g10(r, U, td, tf) for r in res[kind]["rates"]])
        np.testing.assert_allclose(res[kind]["g1"], ref[:, 0], rtol=0, atol=1e-9)
        np.testing.assert_allclose(res[kind]["g10"], ref[:, 1], rtol=0, atol=1e-9)
        np.testing.assert_allclose(res[kind]["ratio"], ref[:, 1] / ref[:, 0], rtol=0, atol=1e-9)
    assert np.all(np.diff(res["STD"]["ratio"]) < 0)            # depression deepens with rate
    assert np.argmax(res["STF"]["ratio"]) not in (0, len(res["STF"]["ratio"]) - 1)  # STF: non-monotonic


def test_exact_mode_g_ratio_converges_in_dt(x64):
    """Exact mode integrates u, x, g exactly between grid points, so g1 and g10 change with dt only
    through the tutorial's truncated ISI ``int((1e3/rate)/dt)·dt`` (shorter than 1e3/rate by < dt).

    Tolerance: where both dt give the same ISI (1e3/rate a multiple of 0.1 ms) the curves agree to
    1e-9 (dt independence); elsewhere the ISIs differ by δ < 0.1 ms, and g10/g1 moves by at most
    9·δ·(1/τsyn + 1/τf + 1/τd)·(g10/g1) — the sum of the decay rates bounds the relative sensitivity
    of each of the nine intervals — i.e. 2-4 % here. Forward Euler converges too, more slowly.
    """
    a, b = nm.g_ratio_curves("exact", dt=0.1), nm.g_ratio_curves("exact", dt=0.01)
    e1, e2 = nm.g_ratio_curves("euler", dt=0.1), nm.g_ratio_curves("euler", dt=0.01)
    for kind, (U, td, tf) in nm.SYNAPSES.items():
        np.testing.assert_allclose(a[kind]["g1"], 1.2 * U, rtol=0, atol=1e-12)  # g1 = ḡ·U0 on any grid
        for i, r in enumerate(a[kind]["rates"]):
            ra, rb = a[kind]["ratio"][i], b[kind]["ratio"][i]
            d_isi = abs(int((1e3 / r) / 0.1) * 0.1 - int((1e3 / r) / 0.01) * 0.01)
            if d_isi < 1e-9:
                assert abs(ra - rb) < 1e-9
            else:
                assert abs(ra - rb) <= 9 * d_isi * (1 / 5. + 1 / tf + 1 / td) * rb
        # Euler's error shrinks with dt towards the exact curve
        err1 = np.max(np.abs(e1[kind]["ratio"] - b[kind]["ratio"]))
        err2 = np.max(np.abs(e2[kind]["ratio"] - b[kind]["ratio"]))
        assert err2 < err1


def test_explorers(x64):
    r = nm.stp_explorer("STF", 20., poisson=False)
    u, R, g = np_dynamic_syn(1.2, 5., 0.2, 100., 750., r["train"], 0.1)
    np.testing.assert_allclose(r["g"], g, rtol=0, atol=1e-9)
    np.testing.assert_allclose(r["x"], R, rtol=0, atol=1e-9)
    isi = int((1e3 / 20.) / 0.1)
    assert r["g1"] == pytest.approx(g[isi]) and r["g10"] == pytest.approx(g[9 * isi])
    p = nm.stp_explorer("STD", 30., poisson=True, seed=3)
    assert p["train"].sum() > 0 and "g1" not in p
    np.testing.assert_array_equal(p["train"], nm.stp_explorer("STD", 30., poisson=True, seed=3)["train"])


def test_fmp_exercise_consistent():
    r = nm.fmp_exercise(seed=1)  # 1000 ms: the compilation is shared with run_all below
    assert r["V"].shape == r["fmp"].shape == (10000,)
    assert r["rate"] == pytest.approx(len(r["spike_times"]))
    assert r["fmp_mean"] == pytest.approx(float(r["fmp"].mean()), abs=1e-4)
    assert r["V"].max() < -55. + 5.  # V is reset at threshold crossings
    assert r["fmp"].max() > r["V"].max()


def test_run_all_quick_and_cli(tmp_path):
    out = tmp_path / "nm"
    paths = nm.run_all(out, quick=True, progress=False)
    assert sorted(p.name for p in paths) == sorted(nm.figure_names() + nm.table_names())
    assert all(p.stat().st_size > 0 for p in paths)
    assert sorted(paths) == sorted(nm.targets(out))  # what `stp-brainpy all` checks before writing
    summary = json.loads((out / "neuromatch.json").read_text())
    assert "answer" in summary["bonus"] and len(summary["g_ratio"]["STD"]["ratio"]) == 8
    grid = np.genfromtxt(out / "neuromatch_ei_grid.csv", delimiter=",", names=True)
    assert grid.size == 10 * 11
    rate = grid["rate_Hz"].reshape(10, 11)
    fmp = grid["fmp_mean_mV"].reshape(10, 11)
    assert np.all(np.diff(fmp, axis=0) > 0) and np.all(np.diff(fmp, axis=1) < 0)  # E raises, I lowers the FMP
    assert rate[-1, 0] > rate[0, -1]
    bon = np.genfromtxt(out / "neuromatch_bonus.csv", delimiter=",", names=True, dtype=None, encoding="utf-8")
    assert list(bon["synapses"]) == ["stp"] * 5 + ["static"]
    assert bon["rate_Hz"][4] < bon["rate_Hz"][0] < bon["rate_Hz"][5]  # depression lowers the output rate
    for name in nm.table_names():  # no float32 widening noise (0.20000000298023224) in any table
        assert not re.search(r"\d\.\d{10,}", (out / name).read_text()), name
    with pytest.raises(FileExistsError):
        nm.run_all(out, quick=True, progress=False)
    assert main(["neuromatch", "--out", str(out), "--quick", "--no-progress"]) == 2  # refuses, writes nothing


@pytest.mark.parametrize("module", ["stp_brainpy.analysis", "stp_brainpy.inputs", "stp_brainpy.neurons.cond_lif",
                                    "stp_brainpy.neurons.cond_inputs", "stp_brainpy.replays.neuromatch"])
def test_docstring_examples(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
