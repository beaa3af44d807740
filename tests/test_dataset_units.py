"""Every Dataset the package returns says what its numbers are: ``long_name`` on every variable and coordinate,
``units`` on every numeric one, counts as integers — sweeps (in memory and from a store), fitting results and
data, network statistics, and the spike and trace files of ``network`` and ``wm`` as read back from disk.

:func:`test_every_producer_is_walked` keeps the walk complete: a module that builds an xarray object must be
listed in :data:`PRODUCERS` with the cases that cover it.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import stp_brainpy
from stp_brainpy.sweeps import models, open_store, product, sweep
from stp_brainpy.sweeps.params import spec_of

TAU = dict(tau_f=[50.0], tau_d=[200.0])
SPIKES = {"spike": np.arange(1, 4)}
# model -> (grid axes, sweep keywords): tiny grids, every model of sweeps.models
CASES = {
    "stp_efficacy": (dict(U=[0.2, 0.5], **TAU, rate=[20.0]), dict(static={"n_spikes": 3}, out_dims=models.EFFICACY_DIMS,
                                                                  coords=SPIKES)),
    "markram_efficacy": (dict(U=[0.2], f=[0.1, 0.3], **TAU, rate=[20.0]),
                         dict(static={"n_spikes": 3}, out_dims=models.EFFICACY_DIMS, coords=SPIKES)),
    "tm3_efficacy": (dict(U=[0.5], **TAU, tau_psc=[3.0], rate=[20.0]),
                     dict(static={"n_spikes": 3}, out_dims=models.EFFICACY_DIMS, coords=SPIKES)),
    "quantal_efficacy": (dict(U=[0.5], **TAU, rate=[20.0]),
                         dict(static={"n_spikes": 3, "n": 4}, seeds=2, out_dims=models.QUANTAL_DIMS, coords=SPIKES)),
    "chain_summary": (dict(U=[0.2, 0.5], **TAU, tau_s=[8.0]), dict(static={"duration": 20.0})),
    "chain_traces": (dict(U=[0.2], **TAU), dict(static={"duration": 2.0, "decimate": 5}, out_dims=models.CHAIN_TRACE_DIMS,
                                                 coords={"time": models.chain_times(2.0, 0.1, 5)})),
    "cond_lif_stp": (dict(tau_ratio=[1.0], rate_E=[10.0, 20.0]), dict(static={"duration": 5.0}, seeds=1)),
}
#: variables and coordinates that count or index things: integers
COUNTS = {"n_spikes", "released", "size", "n_cv_neurons", "block_size", "first", "recorded_start", "recorded_stop",
          "spike_neuron", "spike_population", "v_index", "seed"}
#: module -> the walked cases that cover what it builds (store.py's own files are internal: chunks, grid)
PRODUCERS = {"sweeps/results.py": "sweeps", "sweeps/store.py": "sweep_store", "fitting/fit.py": "fit_result",
             "fitting/data.py": "fit_data", "network/stats.py": "population_stats",
             "network/output.py": "network_files, wm_files, described_network"}


def assert_cf(ds, where: str) -> None:
    """``long_name`` on every variable and coordinate, ``units`` on every numeric one, counts integer."""
    items = [(ds.name, ds)] if isinstance(ds, xr.DataArray) else []
    items += [(k, ds[k]) for k in list(getattr(ds, "data_vars", {})) + list(ds.coords)]
    for name, da in items:
        assert da.attrs.get("long_name"), (where, name, da.attrs)
        if da.dtype.kind in "fiuc":
            assert da.attrs.get("units"), (where, name, da.attrs)
        if name in COUNTS:
            assert da.dtype.kind == "i", (where, name, da.dtype)
    assert any(da.dtype.kind == "f" for _, da in items), where  # the walk saw numbers


def test_every_producer_is_walked():
    root = Path(stp_brainpy.__file__).parent
    build = re.compile(r"\bxr\.(Dataset|DataArray)\(|\bxarray\.(Dataset|DataArray)\(")
    found = {str(p.relative_to(root)) for p in root.rglob("*.py") if build.search(p.read_text())}
    assert found <= set(PRODUCERS), sorted(found - set(PRODUCERS))


def test_every_sweep_model_is_covered():
    declared = {n for n in models.__all__ if callable(getattr(models, n)) and spec_of(getattr(models, n))}
    assert declared == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_sweeps(name):
    axes, kw = CASES[name]
    ds = sweep(getattr(models, name), product(**axes), **kw)
    assert_cf(ds, name)
    for v in ds.coords:  # every coordinate, labels included, states its units
        assert ds[v].attrs.get("units"), (name, v, ds[v].attrs)
    assert ds["U" if "U" in ds.coords else "tau_ratio"].attrs["units"] == "1"
    for tau in ("tau_f", "tau_d"):
        if tau in ds.coords:
            assert ds[tau].attrs["units"] == "ms"
    if "rate" in ds.coords:
        assert ds.rate.attrs["units"] == "Hz"
    if "V" in ds:
        assert ds.V.attrs["units"] == "mV"
    if name == "cond_lif_stp":
        assert ds.rate.attrs["units"] == "Hz" and ds.rate_E.attrs["units"] == "Hz" and ds.fmp_mean.attrs["units"] == "mV"


def test_sweep_store(tmp_path):
    axes, kw = CASES["quantal_efficacy"]
    sweep(models.quantal_efficacy, product(**axes), store=tmp_path / "s", **kw)
    ds = open_store(tmp_path / "s")
    assert_cf(ds, "store")
    assert ds.released.dtype.kind == "i"


def test_fit_result_and_data(x64):
    from stp_brainpy.fitting import fit, make_dataset

    from tm_reference import tm_efficacies

    times = {"20Hz": np.arange(5) * 50.0, "50Hz": np.arange(5) * 20.0}
    y = {k: tm_efficacies(t, 0.3, 200.0, 300.0)[None] for k, t in times.items()}
    assert_cf(fit(times, y, model="tm", n_starts=8).to_xarray(), "fit_result")
    assert_cf(make_dataset(times, y).to_xarray(), "fit_data")


def test_population_stats():
    from stp_brainpy.network.stats import population_stats

    ds = population_stats([0, 1, 1, 4], [1.0, 2.0, 9.0, 3.0], [("E", 0, 4), ("I", 4, 1)], duration=10.0)
    assert_cf(ds, "population_stats")
    assert ds.rate.attrs["units"] == "Hz" and ds.n_spikes.values.tolist() == [3, 1]


def _read(path: Path) -> xr.Dataset:
    with xr.open_dataset(path) as ds:
        return ds.load()


def test_described_network(x64):
    """Every recorder at once (spikes, blocks, u/x of groups and blocks, V) on a small described network."""
    from stp_brainpy.network.compile_fused import FusedNetwork
    from stp_brainpy.network.description import (Bernoulli, CurrentLIF, Network, Population, Projection, Record,
                                                  STPModel, WhiteNoise)
    from stp_brainpy.network.output import run_attrs, spikes_dataset, traces_dataset

    rec = Record(spikes=("E", ("I", 0, 5)), blocks=(("a", "E", 0, 10), ("i", "I", 0, 10)), stp=True, every=5,
                 V={"E": 2, "I": 1})
    net = Network([Population("E", 40, CurrentLIF(V0=(0.0, 20.0))), Population("I", 10, CurrentLIF(V0=(0.0, 20.0)))],
                  [Projection("E", "E", Bernoulli(0.2), weight=0.5, delay=0.5, stp=STPModel("tm", U=0.3, tau_f=50.0,
                                                                                              tau_d=100.0)),
                   Projection("E", "I", Bernoulli(0.2), weight=0.5), Projection("I", "E", Bernoulli(0.2), weight=-0.5)],
                  [WhiteNoise("E", 22.0, 2.0), WhiteNoise("I", 21.0, 2.0)], record=rec, duration=30.0)
    res = FusedNetwork(net).run()
    attrs = run_attrs("test", net, "auto")
    for ds, what in ((spikes_dataset(net, res, attrs), "spikes"), (traces_dataset(net, res, attrs), "traces")):
        assert_cf(ds, what)
        assert ds.attrs["delivery_backend"] in ("native", "xla") and ds.attrs["package_version"]
    tr = traces_dataset(net, res, attrs)
    assert set(tr.data_vars) >= {"rate", "block_rate", "u_mean", "x_mean", "V"}
    assert tr.V.attrs["units"] == "mV" and tr.sample_time.attrs["units"] == "ms"


def test_network_files(tmp_path):
    from stp_brainpy.cli import main

    out = tmp_path / "n"
    assert main(["network", "--neurons", "100", "--in-degree", "20", "--duration", "20", "--record-ux", "--record-v",
                 "2", "--no-progress", "--out", str(out)]) == 0
    for f in ("spikes.nc", "traces.nc"):
        assert_cf(_read(out / f), f)


def test_wm_files(tmp_path):
    """The wm writer on a tiny network and a 60-ms protocol (the CLI's own protocol needs seconds)."""
    from stp_brainpy.network.compile_fused import FusedNetwork
    from stp_brainpy.network.output import write_netcdf
    from stp_brainpy.replays.wm_cli import _datasets, wm_settings
    from stp_brainpy.replays.working_memory import Protocol, analyse, wm_network

    prm, _ = wm_settings("periodic", quick=True, N_E=100, N_I=25)
    proto = Protocol("periodic", (30.0, 40.0), (40.0, 60.0), None, 60.0, (0.0, 30.0))
    net = wm_network(prm, proto)
    res = FusedNetwork(net).run()
    for name, ds in _datasets(net, res, analyse(res, net, proto), prm, "auto").items():
        write_netcdf(ds, tmp_path / name)
        assert_cf(_read(tmp_path / name), name)
