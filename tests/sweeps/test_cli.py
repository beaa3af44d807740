"""`stp-brainpy sweep` and `stp-brainpy plot` end to end (tiny grids)."""
from __future__ import annotations

import argparse

import numpy as np
import pytest
import xarray as xr

from stp_brainpy.cli import main
from stp_brainpy.sweeps.cli import parse_values


def test_parse_values():
    np.testing.assert_allclose(parse_values("0.1,0.5"), [0.1, 0.5])
    np.testing.assert_allclose(parse_values("0:1:3"), [0, 0.5, 1])
    np.testing.assert_allclose(parse_values("1:100:3:log"), [1, 10, 100])
    for bad in ("", "a,b", "1:2", "0:1:3:log", "1:2:0"):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_values(bad)


def test_sweep_then_plot(tmp_path, capsys):
    store = tmp_path / "eff"
    args = ["sweep", "efficacy", "--U", "0.1,0.5,0.9", "--tau-f", "50,500", "--tau-d", "200", "--rate", "10,20",
            "--n-spikes", "4", "--store", str(store), "--no-progress"]
    assert main(args) == 0
    with xr.open_dataset(store / "result.nc") as ds:
        assert ds.efficacy.dims == ("U", "tau_d", "tau_f", "rate", "spike")
        np.testing.assert_allclose(ds.efficacy.isel(spike=0).values, np.broadcast_to(np.array([0.1, 0.5, 0.9])[:, None, None, None], (3, 1, 2, 2)), rtol=1e-6)  # the first spike releases U
    assert main(args) == 0  # finished store: reused
    assert main(["plot", str(store), "--sel", "rate=20"]) == 0
    png = store / "plot_efficacy_rate-20.png"  # the name says what was selected
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert main(["plot", str(store), "--sel", "rate=20"]) == 2  # refuses to overwrite
    assert "exists" in capsys.readouterr().err
    assert main(["plot", str(store), "--sel", "rate=10"]) == 0  # another selection: another file
    assert (store / "plot_efficacy_rate-10.png").exists() and png.exists()
    assert main(["plot", str(store), "--overwrite", "--sel", "tau_f=500", "--sel", "rate=10"]) == 0  # 1-D: lines
    # A different sweep into the same store is refused, and the store is intact.
    assert main(["sweep", "efficacy", "--U", "0.3", "--store", str(store), "--no-progress"]) == 2
    assert "different sweep" in capsys.readouterr().err
    assert xr.open_dataset(store / "result.nc").sizes["U"] == 3


def test_chain_sweep_and_bad_values(tmp_path, capsys):
    store = tmp_path / "chain"
    assert main(["sweep", "chain", "--U", "0.2", "--tau-d", "100,300", "--tau-f", "50", "--duration", "30",
                 "--store", str(store), "--no-progress"]) == 0
    assert main(["plot", str(store), "--var", "efficacy_last"]) == 0
    assert main(["sweep", "chain", "--U", "1.5", "--store", str(tmp_path / "x"), "--no-progress"]) == 2
    assert "U must lie in (0, 1]" in capsys.readouterr().err


def test_plot_random_settings_against_first_parameter(tmp_path):
    from stp_brainpy.sweeps import random_samples, sweep
    from stp_brainpy.sweeps.cli import plot_dataset
    from stp_brainpy.sweeps.models import EFFICACY_DIMS, stp_efficacy

    ds = sweep(stp_efficacy, random_samples(6, U=(0.1, 0.9), tau_d=(50, 500), tau_f=(20, 900), rate=(5, 40)),
               static={"n_spikes": 3}, out_dims=EFFICACY_DIMS)
    fig = plot_dataset(ds, "efficacy")
    assert fig.axes[0].get_xlabel() == "U"
    np.testing.assert_allclose(np.sort(fig.axes[0].lines[0].get_xdata()), np.sort(ds.U.values))


@pytest.mark.slow
def test_ctrl_c_then_same_command_resumes(tmp_path):
    """A real interruption (SIGINT) of the console command, then the same command finishes the store."""
    import os
    import signal
    import subprocess
    import sys
    import time

    store = tmp_path / "s"
    cmd = [sys.executable, "-m", "stp_brainpy.cli", "sweep", "chain", "--U", "0.1:0.9:10", "--tau-d", "50:800:8",
           "--tau-f", "300", "--duration", "5", "--chunk-size", "1", "--cpu-devices", "1", "--no-progress",
           "--store", str(store)]
    env = dict(os.environ, JAX_PLATFORMS="cpu", PYTHONFAULTHANDLER="1")
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.time() + 90
    while time.time() < deadline and proc.poll() is None and len(list(store.glob("chunk_*.nc"))) < 3:
        time.sleep(0.02)
    assert proc.poll() is None, f"finished before it could be interrupted: {proc.communicate()[1][-2000:]}"
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:  # stuck: make it print where (faulthandler), then fail
        proc.send_signal(signal.SIGABRT)
        raise AssertionError("sweep did not stop on SIGINT:\n" + proc.communicate(timeout=30)[1][-4000:]) from None
    assert proc.returncode == 130, err[-2000:]
    kept = len(list(store.glob("chunk_*.nc")))
    assert 3 <= kept < 80 and "rerun the same command" in err
    assert not list(store.glob(".chunk_*"))  # no temporary left behind either (cleaned on the way out)
    assert main(cmd[3:]) == 0  # the same command (here in-process: one interpreter start less)
    with xr.open_dataset(store / "result.nc") as ds:
        assert ds.sizes["U"] == 10 and ds.sizes["tau_d"] == 8 and bool(np.isfinite(ds.I_peak).all())


def test_family_models_from_the_command_line(tmp_path, capsys):
    """--model markram / tm3 / quantal: values equal the core's family.event_efficacies (float64 run)."""
    from stp_brainpy.core import family

    base = ["--U", "0.2,0.6", "--tau-f", "0,300", "--tau-d", "150", "--rate", "25", "--n-spikes", "4", "--x64",
            "--no-progress"]
    t = np.arange(4) * 40.0
    cases = [("markram", ["--f", "0.1,0.4", "--read", "after"], {"read": "after"}, ["f"]),
             ("tm3", ["--tau-psc", "0,3"], {}, ["tau_psc"])]
    for model, flags, opts, extra in cases:
        store = tmp_path / model
        assert main(["sweep", "efficacy", "--model", model, *flags, *base, "--store", str(store)]) == 0
        with xr.open_dataset(store / "result.nc") as ds:
            assert ds.efficacy.dims == ("U", "tau_d", "tau_f", "rate", *extra, "spike")
            for idx in np.ndindex(ds.efficacy.shape[:-1]):
                cell = ds.efficacy[idx]
                params = {k: float(cell[k]) for k in family.PARAMS[model]}
                ref = np.asarray(family.event_efficacies(model, t, params, **opts))
                np.testing.assert_allclose(cell.values, ref, rtol=1e-12)
    store = tmp_path / "quantal"
    assert main(["sweep", "efficacy", "--model", "quantal", "--n", "5", "--seeds", "3", *base, "--store", str(store)]) == 0
    with xr.open_dataset(store / "result.nc") as ds:
        assert ds.released.dims[-2:] == ("seed", "spike") and ds.released.max() <= 5
        np.testing.assert_allclose(ds.efficacy.values, ds.released.values / 5.0)
    capsys.readouterr()
