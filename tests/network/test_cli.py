"""``stp-brainpy network`` writes a raster, statistics, spikes and traces (netCDF with units and metadata), shows
a progress bar on a terminal without changing the spikes, and refuses bad flags and existing outputs."""
import io
import json

import numpy as np
import pytest
import xarray as xr

from stp_brainpy.cli import main
from stp_brainpy.network.cli import OUTPUTS

ARGS = ["network", "--neurons", "200", "--in-degree", "40", "--duration", "50"]


def _read(path):
    with xr.open_dataset(path) as ds:
        return ds.load()


def _reference_spikes(stp=True):
    """(step, neuron) of every spike from FusedCOBA's full raster (the configuration-level API)."""
    from stp_brainpy.network import COBAConfig
    from stp_brainpy.network.fused import FusedCOBA

    res = FusedCOBA(COBAConfig(n_neurons=200, in_degree=40, duration=50.0, stp=stp), record=200).run()
    step, row = np.nonzero(res["raster"])
    return step, res["raster_neurons"][row]


def test_network_command(tmp_path, capsys):
    out = tmp_path / "run"  # created by the command, after the simulation
    args = ARGS + ["--out", str(out), "--no-progress"]
    assert main(args) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUTS)
    stats = json.loads((out / "stats.json").read_text())
    assert stats["rate_hz"] > 0 and stats["config"]["stp"] is True
    assert stats["config"]["neuron"]["tau_ref"] == 5.0 and stats["config"]["in_degree"] == 40
    assert stats["delivery_backend"] in ("native", "xla") and stats["spikes_dropped"] == 0
    assert (out / "raster.png").stat().st_size > 1000
    sp = _read(out / "spikes.nc")
    assert sp.attrs["delivery_backend"] == stats["delivery_backend"] and sp.attrs["seed"] == 0
    assert sp.attrs["dt_ms"] == 0.1 and sp.attrs["duration_ms"] == 50.0 and sp.attrs["package_version"]
    assert sp.spike_time.attrs["units"] == "ms" and sp.sizes["spike"] == stats["n_spikes"]
    assert sp.n_spikes.values.sum() == stats["n_spikes"] and list(sp.population.values) == ["E", "I"]
    # the file's spikes are the configuration-level simulator's, step for step
    step, nid = _reference_spikes()
    first = sp["first"].values[sp.spike_population.values]
    got = np.stack([np.rint(sp.spike_time.values / 0.1).astype(int), sp.spike_neuron.values + first])
    order = np.lexsort((nid, step))
    assert np.array_equal(got, np.stack([step[order], nid[order]]))
    rate_E = sp.rate.sel(population="E").item()
    assert rate_E == pytest.approx(stats["rate_exc_hz"]) and 0 <= float(sp.cv_isi.sel(population="E")) < 2
    tr = _read(out / "traces.nc")
    assert tr.rate.attrs["units"] == "Hz" and "u_mean" not in tr and "V" not in tr  # no recorders asked for
    capsys.readouterr()
    assert main(args + ["--no-stp"]) == 2  # existing outputs: one line, exit 2, files untouched
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: refusing to overwrite")
    assert json.loads((out / "stats.json").read_text())["config"]["stp"] is True
    (out / "stats.json").unlink()  # one output missing: the others still refuse
    assert main(args + ["--no-stp"]) == 2 and not (out / "stats.json").exists()
    assert main(args + ["--no-stp", "--overwrite"]) == 0
    assert json.loads((out / "stats.json").read_text())["config"]["stp"] is False
    assert _read(out / "spikes.nc").attrs["stp"] == 0


class _Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.slow
def test_progress_bar_and_recorders_keep_the_spikes(tmp_path, monkeypatch, capsys):
    """On a terminal the scan runs in pieces under a tqdm bar; with every recorder on, the spikes stay
    FusedCOBA's exactly."""
    term = _Terminal()
    monkeypatch.setattr("sys.stderr", term)
    out = tmp_path / "bar"
    assert main(ARGS + ["--record-ux", "--record-v", "2", "--record-every", "0.5", "--out", str(out)]) == 0
    assert "network" in term.getvalue() and "50/50" in term.getvalue()
    sp, tr = _read(out / "spikes.nc"), _read(out / "traces.nc")
    step, nid = _reference_spikes()
    assert sp.sizes["spike"] == step.size
    assert np.array_equal(np.rint(sp.spike_time.values / 0.1).astype(int), np.sort(step))
    assert tr.sizes["sample_time"] == 100 and np.allclose(np.diff(tr.sample_time.values), 0.5)
    assert tr.u_mean.attrs["units"] == "1" and ((tr.u_mean > 0) & (tr.u_mean <= 1)).all()
    assert ((tr.x_mean > 0) & (tr.x_mean <= 1)).all() and list(tr.synapses.values) == ["E->E,E->I"]
    assert tr.V.attrs["units"] == "mV" and tr.V.shape == (100, 4) and list(tr.v_population.values) == ["E", "E", "I", "I"]
    assert float(tr.V.max()) < -49.0 and float(tr.V.min()) > -81.0  # below threshold -50, above E_I


@pytest.mark.parametrize("extra, text", [
    (["--record-every", "0.15"], "--record-every must be a positive multiple of --dt"),
    (["--record-every", "0"], "--record-every"),
    (["--record-every", "nan"], "--record-every"),
    (["--record-every", "60"], "--record-every must not exceed"),
    (["--record-v", "-1"], "--record-v"),
    (["--record-v", "201"], "--record-v"),
    (["--record-v", "2.5"], "--record-v"),
])
def test_bad_recorders_are_one_line_errors_and_write_nothing(tmp_path, capsys, extra, text):
    out = tmp_path / "never"
    assert main(ARGS + extra + ["--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and text in err[0], err
    assert not out.exists()
