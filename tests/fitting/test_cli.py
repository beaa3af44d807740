"""``stp-brainpy fit``: writes parameters, CV table and figures; refuses bad input before writing anything."""
from __future__ import annotations

import json

import numpy as np
import pytest

from stp_brainpy.cli import main

from .synth import mean_response, noisy

PROT = {"20Hz": np.arange(6) * 50.0, "burst": np.array([0.0, 5, 10, 200, 205, 600])}


def _csv(path, rng=None):
    rng = rng or np.random.default_rng(0)
    y = noisy(mean_response("tm", dict(U=0.3, tau_f=200.0, tau_d=300.0), protocols=PROT), 6, 0.05, rng)
    rows = ["protocol,trial,spike,amplitude,time"]
    for p, arr in y.items():
        for tr, row in enumerate(arr):
            rows += [f"{p},{tr},{k},{'' if (tr, k) == (2, 3) else repr(float(v))},{PROT[p][k]}" for k, v in enumerate(row)]
    path.write_text("\n".join(rows) + "\n")
    return path


@pytest.mark.slow
def test_fit_command_writes_everything_and_refuses_to_overwrite(tmp_path, capsys):
    data = _csv(tmp_path / "d.csv")
    out = tmp_path / "out"
    rc = main(["fit", str(data), "--model", "tm", "--loss", "equal", "--starts", "8", "--bootstrap", "20", "--out", str(out)])
    assert rc == 0
    for f in ("params.json", "params.csv", "cv.csv", "fit.png", "residuals.png", "profiles.png"):
        assert (out / f).stat().st_size > 0, f
    rep = json.loads((out / "params.json").read_text())
    assert rep["model"] == "tm" and rep["loss_name"] == "equal" and rep["n_observations"] == 70
    assert rep["params"]["tau_d"] == pytest.approx(300.0, rel=0.3)
    assert set(rep["interval_profile"]) == {"tau_f", "tau_d"} and rep["bootstrap"]["n"] == 20
    assert (out / "cv.csv").read_text().count("\n") == 3
    before = {f.name: f.stat().st_mtime_ns for f in out.iterdir()}
    capsys.readouterr()
    assert main(["fit", str(data), "--model", "tm", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: refusing to overwrite") and "\n" not in err
    assert {f.name: f.stat().st_mtime_ns for f in out.iterdir()} == before


@pytest.mark.parametrize("extra, text", [
    (["--model", "tsodyks9"], "model must be one of"),
    (["--loss", "mae"], "loss must be one of"),
    (["--amplitude", "big"], "--amplitude must be a number"),
    (["--fix", "U=2"], "fixed['U'] must lie in (0, 1]"),
    (["--fix", "tau_x=3"], "unknown parameters"),
    (["--bound", "tau_d=10"], "LOW:HIGH"),
    (["--starts", "0"], "--starts must be an integer >= 1"),
    (["--bootstrap", "1"], "--bootstrap must be an integer >= 2"),
    (["--read", "after"], "--read applies to --model markram only"),
])
def test_bad_arguments_are_one_line_errors_and_write_nothing(tmp_path, capsys, extra, text):
    data = _csv(tmp_path / "d.csv")
    out = tmp_path / "out"
    args = ["fit", str(data), "--out", str(out)] + (["--model", "tm"] if "--model" not in extra else []) + extra
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and text in err and "\n" not in err, err
    assert not out.exists()


def test_missing_or_bad_data_file(tmp_path, capsys):
    assert main(["fit", str(tmp_path / "none.csv"), "--out", str(tmp_path / "o")]) == 2
    assert "does not exist" in capsys.readouterr().err
    bad = tmp_path / "b.csv"
    bad.write_text("protocol,trial,spike,amplitude,time\np,0,0,1,-5\n")
    assert main(["fit", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert ">= 0 ms" in capsys.readouterr().err and not (tmp_path / "o").exists()
