"""The command line keeps JAX's compiled programs between runs; a cached run gives the same results."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
import xarray as xr

from stp_brainpy import _cache


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(_cache.CACHE_ENV, str(tmp_path / "c"))
    assert _cache.cache_dir() == tmp_path / "c"
    monkeypatch.delenv(_cache.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert _cache.cache_dir() == tmp_path / "x" / "stp_brainpy"


def test_turned_off_by_the_environment(monkeypatch):
    monkeypatch.setenv(_cache.JAX_CACHE_ENV, "0")
    assert _cache.enable_compilation_cache() is None


def _network(out, cache, off=False):
    env = dict(os.environ, STP_BRAINPY_CACHE=str(cache), STP_BRAINPY_JAX_CACHE="0" if off else "1",
               JAX_PLATFORMS="cpu")
    args = [sys.executable, "-m", "stp_brainpy.cli", "network", "--neurons", "400", "--duration", "200",
            "--out", str(out), "--no-progress"]
    res = subprocess.run(args, capture_output=True, text=True, env=env, timeout=600)
    assert res.returncode == 0, res.stderr
    with xr.open_dataset(out / "spikes.nc") as ds:
        return {name: ds[name].values.tolist() for name in ds.variables if ds[name].dtype.kind in "iuf"}


@pytest.mark.slow
def test_second_run_loads_the_cache_and_gives_the_same_result(tmp_path):
    cache = tmp_path / "cache"
    first = _network(tmp_path / "a", cache)
    files = list((cache / "jax").iterdir())
    assert files, "the first run wrote no compiled program"
    second = _network(tmp_path / "b", cache)
    assert second == first
    assert sorted((cache / "jax").iterdir()) == sorted(files)  # nothing recompiled
    assert _network(tmp_path / "c", tmp_path / "nocache", off=True) == first
    assert not (tmp_path / "nocache" / "jax").exists()
