"""``stp-brainpy wm`` output files: spikes and traces as netCDF with units and the delivery backend that ran,
a progress bar that leaves the spikes unchanged, no silent overwrite (a tiny network: N_E 100, N_I 25)."""
import io
import json

import numpy as np
import pytest
import xarray as xr

from stp_brainpy.cli import main
from stp_brainpy.replays.wm_cli import OUTPUTS, run_wm

TINY = dict(regime="periodic", quick=True, N_E=100, N_I=25)


def _read(path):
    with xr.open_dataset(path) as ds:
        return ds.load()


class _Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.slow
def test_files_and_progress(tmp_path, monkeypatch):
    plain = run_wm(tmp_path / "a", progress=False, **TINY)
    assert [p.name for p in plain] == list(OUTPUTS) and all(p.exists() for p in plain)
    stats = json.loads((tmp_path / "a" / "stats.json").read_text())
    sp, tr = _read(tmp_path / "a" / "spikes.nc"), _read(tmp_path / "a" / "traces.nc")
    assert stats["delivery_backend"] in ("native", "xla")
    assert sp.attrs["delivery_backend"] == stats["delivery_backend"] == tr.attrs["delivery_backend"]
    assert sp.attrs["regime"] == "periodic" and sp.attrs["package_version"] and list(sp.attrs["cue_ms"]) == stats["cue_ms"]
    assert sp.spike_time.attrs["units"] == "ms" and sp.sizes["spike"] > 0
    assert set(np.unique(sp.spike_population.values)) == {0} and sp.spike_neuron.max() < 50  # selective E only
    assert tr.u_mean.attrs["units"] == "1" and tr.block_rate.attrs["units"] == "Hz" and tr.sample_time.attrs["units"] == "ms"
    assert list(tr.block.values) == ["sel0", "sel1", "sel2", "sel3", "sel4", "nonsel", "I"]
    # the traces are those stats.json was computed from: mean u of the cued block at the end of the delay
    cued = next(p for p in stats["populations"] if p["cued"])
    t1 = stats["delay_ms"][1]
    u = tr.u_mean.sel(synapses="sel0").where((tr.sample_time > t1 - 100) & (tr.sample_time <= t1), drop=True)
    assert float(u.mean()) == pytest.approx(cued["u_mean"]["end_of_delay"], abs=0.01)
    # on a terminal: a bar on stderr, the scan in pieces, the same spikes
    term = _Terminal()
    monkeypatch.setattr("sys.stderr", term)
    run_wm(tmp_path / "b", progress=True, **TINY)
    assert "wm periodic" in term.getvalue() and "3000/3000" in term.getvalue()
    sb = _read(tmp_path / "b" / "spikes.nc")
    assert np.array_equal(sb.spike_time.values, sp.spike_time.values)
    assert np.array_equal(sb.spike_neuron.values, sp.spike_neuron.values)


def test_existing_outputs_are_refused_before_the_run(tmp_path, capsys):
    out = tmp_path / "wm"
    out.mkdir()
    (out / "traces.nc").write_text("mine")
    with pytest.raises(FileExistsError, match="traces.nc"):
        run_wm(out, progress=False, **TINY)
    assert main(["wm", "--quick", "--out", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: refusing to overwrite")
    assert (out / "traces.nc").read_text() == "mine" and sorted(p.name for p in out.iterdir()) == ["traces.nc"]
    assert main(["wm", "--quick", "--backend", "gpu", "--out", str(tmp_path / "x")]) == 2
    assert capsys.readouterr().err.startswith("error:") and not (tmp_path / "x").exists()
