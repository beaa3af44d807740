"""Every Dataset the sweep models return says what its numbers are: ``units`` (and ``long_name``) on every
float variable and every coordinate; counts are integers."""
from __future__ import annotations

import numpy as np
import pytest

from stp_brainpy.sweeps import product, sweep
from stp_brainpy.sweeps import models
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
COUNTS = {"n_spikes", "released"}


def test_every_sweep_model_is_covered():
    declared = {n for n in models.__all__ if callable(getattr(models, n)) and spec_of(getattr(models, n))}
    assert declared == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_units_on_every_float_variable_and_coordinate(name):
    axes, kw = CASES[name]
    ds = sweep(getattr(models, name), product(**axes), **kw)
    for v in list(ds.data_vars) + list(ds.coords):
        da = ds[v]
        if da.dtype.kind == "f" or v in ds.coords:
            assert da.attrs.get("units"), (name, v, da.attrs)
            assert da.attrs.get("long_name"), (name, v, da.attrs)
        if v in COUNTS:
            assert da.dtype.kind == "i", (name, v, da.dtype)
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
