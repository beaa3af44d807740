"""The on-disk store: interruption and resume, atomic chunks, finished stores, foreign stores."""
from __future__ import annotations

import json
import os

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import xarray as xr

from stp_brainpy.sweeps import open_store, product, sweep
from stp_brainpy.sweeps import store as store_mod

GRID = product(a=np.linspace(0.1, 1.0, 7), b=[1.0, 2.0, 3.0])  # 21 settings × 2 seeds = 42 items
CHUNK = 8  # -> 6 chunks, the last one padded


class Budget:
    """How many chunks the run may compute before it 'crashes' (raises inside the compiled call)."""
    left = 10**9
    calls = 0


def _gate(a):
    Budget.calls += 1
    if Budget.calls > Budget.left:
        raise RuntimeError("simulated crash inside the run")
    return np.zeros(a.shape, a.dtype)


def crashy(a, b, seed):
    # One host callback per chunk (vmap_method='broadcast_all' sees the whole batch).
    z = jax.pure_callback(_gate, jax.ShapeDtypeStruct(jnp.shape(a), jnp.result_type(a)), a,
                          vmap_method="broadcast_all")
    noise = jax.random.uniform(jax.random.key(seed), (3,), jnp.result_type(float))
    return {"y": a * b + noise + z, "q": jnp.tanh(a - b) + z}


def chunk_files(path):
    return sorted(p for p in os.listdir(path) if p.startswith("chunk_"))


@pytest.fixture(autouse=True)
def _reset_budget():
    Budget.left, Budget.calls = 10**9, 0
    yield
    Budget.left, Budget.calls = 10**9, 0


def test_interrupted_sweep_resumes_and_equals_uninterrupted(tmp_path):
    ref = sweep(crashy, GRID, seeds=2, chunk_size=CHUNK)
    store = tmp_path / "s"
    Budget.left, Budget.calls = 3, 0
    with pytest.raises(Exception, match="simulated crash"):
        sweep(crashy, GRID, seeds=2, chunk_size=CHUNK, store=store)
    # Chunks 0-2 are complete files; nothing partial or temporary is visible under a chunk name.
    assert chunk_files(store) == [f"chunk_00000{i}.nc" for i in range(3)]
    assert not (store / "result.nc").exists()
    for f in chunk_files(store):
        with xr.open_dataset(store / f) as c:
            assert c.sizes["item"] == CHUNK
    with pytest.raises(ValueError, match=r"unfinished \(3/6 chunks\)"):
        open_store(store)
    with xr.open_dataset(store / "grid.nc") as g:  # the parameters and seeds are on disk from the start
        np.testing.assert_array_equal(g.a.values, GRID.axes["a"])
        np.testing.assert_array_equal(g.seeds.values, [0, 1])
    Budget.left, Budget.calls = 10**9, 0
    ds = sweep(crashy, GRID, seeds=2, store=store)  # same command (chunk size taken from the store)
    assert Budget.calls == 3  # only the missing chunks were computed
    for k in ref.data_vars:
        np.testing.assert_array_equal(ds[k].values, ref[k].values)
    assert chunk_files(store) == []  # folded into result.nc
    with xr.open_dataset(store / "result.nc") as plain:  # plain xarray reads the store
        xr.testing.assert_identical(plain.load(), ds)
        assert plain.attrs["sweep_fingerprint"] == ref.attrs["sweep_fingerprint"]
    manifest = json.loads((store / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["chunk_size"] == CHUNK
    assert manifest["versions"]["jax"] == jax.__version__ and manifest["describe"]["seeds"] == [0, 1]


def test_crash_while_writing_leaves_no_partial_chunk(tmp_path, monkeypatch):
    store = tmp_path / "s"
    real = xr.Dataset.to_netcdf
    writes = []

    def dying_to_netcdf(self, path, *args, **kwargs):
        writes.append(path)
        real(self, path, *args, **kwargs)
        if sum("chunk_" in str(w) for w in writes) == 2:  # the 2nd chunk is in its temporary: "die"
            raise KeyboardInterrupt("killed while writing")

    monkeypatch.setattr(xr.Dataset, "to_netcdf", dying_to_netcdf)
    with pytest.raises(KeyboardInterrupt):
        sweep(crashy, GRID, seeds=2, chunk_size=CHUNK, store=store)
    assert chunk_files(store) == ["chunk_000000.nc"]
    assert all(os.path.basename(w).startswith(".") for w in writes)  # always written under a hidden name
    monkeypatch.setattr(xr.Dataset, "to_netcdf", real)
    ds = sweep(crashy, GRID, seeds=2, chunk_size=CHUNK, store=store)
    ref = sweep(crashy, GRID, seeds=2, chunk_size=CHUNK)
    np.testing.assert_array_equal(ds.y.values, ref.y.values)
    assert sorted(os.listdir(store)) == ["grid.nc", "manifest.json", "result.nc"]


def test_finished_store_is_reused_and_never_overwritten(tmp_path):
    store = tmp_path / "s"
    first = sweep(crashy, GRID, seeds=2, chunk_size=CHUNK, store=store)
    before = {p: (store / p).read_bytes() for p in os.listdir(store)}
    Budget.calls = 0
    again = sweep(crashy, GRID, seeds=2, chunk_size=CHUNK, store=store)
    assert Budget.calls == 0
    xr.testing.assert_identical(again, first)
    # A different sweep into the same store: clear error, nothing on disk changes.
    with pytest.raises(ValueError, match="made by a different sweep.*seeds: stored \\[0, 1\\] vs now \\[0, 1, 2\\]"):
        sweep(crashy, GRID, seeds=3, chunk_size=CHUNK, store=store)
    with pytest.raises(ValueError, match="different sweep"):
        sweep(crashy, product(a=[0.5], b=[1.0]), seeds=2, store=store)
    assert {p: (store / p).read_bytes() for p in os.listdir(store)} == before
    # ... unless asked.
    other = sweep(crashy, GRID, seeds=3, chunk_size=CHUNK, store=store, overwrite=True)
    assert other.sizes["seed"] == 3 and open_store(store).sizes["seed"] == 3


def test_resume_with_another_chunk_size_is_refused(tmp_path):
    store = tmp_path / "s"
    Budget.left = 1
    with pytest.raises(Exception, match="simulated crash"):
        sweep(crashy, GRID, seeds=2, chunk_size=CHUNK, store=store)
    Budget.left, Budget.calls = 10**9, 0
    with pytest.raises(ValueError, match="chunk_size=8"):
        sweep(crashy, GRID, seeds=2, chunk_size=5, store=store)
    assert chunk_files(store) == ["chunk_000000.nc"]


def test_refuses_foreign_paths(tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(ValueError, match="not a sweep store"):
        sweep(crashy, GRID, seeds=2, store=tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "keep me"
    with pytest.raises(ValueError, match="not a directory"):
        sweep(crashy, GRID, seeds=2, store=tmp_path / "notes.txt")
    with pytest.raises(ValueError, match="not a sweep store"):
        open_store(tmp_path)
    assert store_mod.RESULT == "result.nc"


def labelled(a, b, seed):
    noise = jax.random.uniform(jax.random.key(seed), (4,), jnp.result_type(float))
    return {"trace": a * noise + b, "flag": noise > 0.5, "count": jnp.sum(noise > 0.5)}


@pytest.mark.parametrize("kind", ["product", "zipped"])
def test_store_result_is_identical_to_in_memory(tmp_path, kind):
    """The store assembles result.nc chunk by chunk on disk; it must equal the in-memory Dataset."""
    from stp_brainpy.sweeps import zipped

    grid = (product(a=[0.1, 0.2, 0.3], b=[1.0, 2.0, 3.0, 4.0, 5.0]) if kind == "product"
            else zipped(a=[0.1, 0.5, 0.9, 1.3], b=[2.0, 1.0, 0.5, 0.25]))
    kw = dict(seeds=[5, 6, 9], out_dims={"trace": ("time",), "flag": ("time",)}, coords={"time": np.arange(4) * 0.5})
    mem = sweep(labelled, grid, **kw, chunk_size=7)  # chunks straddle rows of the labeled array
    stored = sweep(labelled, grid, **kw, chunk_size=7, store=tmp_path / "s")
    xr.testing.assert_identical(stored, mem)
    assert stored.flag.dtype == bool
    with xr.open_dataset(tmp_path / "s" / "result.nc") as plain:
        xr.testing.assert_identical(plain.load(), mem)


def test_flat_slabs_cover_any_range():
    from stp_brainpy.sweeps.storefiles import flat_slabs, slab_shape

    rng = np.random.default_rng(1)
    for _ in range(300):
        shape = tuple(int(x) for x in rng.integers(1, 5, rng.integers(1, 5)))
        n = int(np.prod(shape))
        a = int(rng.integers(0, n))
        b = int(rng.integers(a, n + 1))
        arr = np.full(shape, -1)
        for index, lo, hi in flat_slabs(a, b, shape):
            arr[index] = np.arange(lo, hi).reshape(slab_shape(index, shape))
        flat = arr.reshape(-1)
        np.testing.assert_array_equal(flat[a:b], np.arange(a, b))
        assert (flat[:a] == -1).all() and (flat[b:] == -1).all()
