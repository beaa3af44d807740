"""The units and long names of a sweep's result survive the store (result.nc), and counts stay integers."""
from __future__ import annotations

import numpy as np

from stp_brainpy.sweeps import open_store, product, sweep, zipped
from stp_brainpy.sweeps.meta import COMMON, variable_attrs
from stp_brainpy.sweeps.models import QUANTAL_DIMS, chain_summary, quantal_efficacy


def _attrs(ds):
    return {k: dict(ds[k].attrs) for k in list(ds.data_vars) + list(ds.coords)}


def test_store_round_trip_keeps_units_and_integer_counts(tmp_path):
    grid = product(U=[0.2, 0.5], tau_f=[50.0], tau_d=[200.0])
    mem = sweep(chain_summary, grid, static={"duration": 20.0})
    disk = sweep(chain_summary, grid, static={"duration": 20.0}, store=tmp_path / "s")
    again = open_store(tmp_path / "s")
    for ds in (disk, again):
        got = {k: {a: v for a, v in d.items() if a in ("units", "long_name")} for k, d in _attrs(ds).items()}
        assert got == _attrs(mem)
        assert ds.n_spikes.dtype == np.int32 and ds.tau_d.attrs["units"] == "ms"
        np.testing.assert_array_equal(ds.n_spikes.values, mem.n_spikes.values)
    assert mem.U.attrs == {"units": "1", "long_name": COMMON["U"][1]}


def test_seeded_zipped_store_labels_setting_and_seed(tmp_path):
    grid = zipped(U=[0.3, 0.6], tau_f=[10.0, 20.0], tau_d=[100.0, 100.0], rate=[20.0, 20.0])
    ds = sweep(quantal_efficacy, grid, seeds=2, static={"n_spikes": 3, "n": 4}, out_dims=QUANTAL_DIMS,
               coords={"spike": np.arange(1, 4)}, store=tmp_path / "q")
    assert ds.released.dtype.kind == "i" and ds.spike.dtype.kind == "i"
    for k in ("setting", "seed", "spike", "U", "rate", "efficacy"):
        assert ds[k].attrs["units"] and ds[k].attrs["long_name"], k
    assert ds.rate.attrs["units"] == "Hz"


def test_model_declaration_wins_and_unknown_names_get_nothing():
    def run(U, *, tau_d):  # a user's model without a declaration
        return {"mine": U}

    assert variable_attrs(run, ["mine"]) == {}
    assert variable_attrs(run, ["tau_d"])["tau_d"]["units"] == "ms"
    ranges = variable_attrs(chain_summary, ["tau_s", "current", "n_spikes"])
    assert ranges["tau_s"]["units"] == "ms" and ranges["n_spikes"]["units"] == "1"
    assert ranges["current"]["units"] == "mV"  # the range has no unit: the package's name says mV


def test_traces_store_keeps_time_in_ms_as_numbers(tmp_path):
    from stp_brainpy.sweeps.models import CHAIN_TRACE_DIMS, chain_times, chain_traces

    ds = sweep(chain_traces, product(U=[0.2], tau_f=[50.0], tau_d=[100.0]), static={"duration": 2.0, "decimate": 5},
               out_dims=CHAIN_TRACE_DIMS, coords={"time": chain_times(2.0, 0.1, 5)}, store=tmp_path / "t")
    # units "ms", not "milliseconds": xarray would decode the latter into timedeltas
    assert ds.time.dtype.kind == "f" and ds.time.attrs["units"] == "ms"
    assert ds.V.attrs["units"] == "mV" and ds.spike.dtype == bool
