"""The sweep engine: equals one-at-a-time runs, chunking/sharding invariance, labels, bad input."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from stp_brainpy.sweeps import plan_chunks, product, random_samples, sweep, zipped


def toy(U, tau_d, rate, seed, n: int = 4):
    """A small nonlinear, seeded run with a vector and a scalar output."""
    gaps = jax.random.exponential(jax.random.key(seed), (n,), jnp.result_type(float)) * 1000.0 / rate
    v = U * jnp.exp(-jnp.cumsum(gaps) / tau_d)
    return {"v": v, "s": jnp.sin(v.sum()) + tau_d * 1e-3}


GRID = dict(U=[0.1, 0.4, 0.9], tau_d=[100.0, 300.0], rate=[5.0, 40.0])
SEEDS = [0, 7]


def one_at_a_time(grid_axes, seeds, **static):
    one = jax.jit(lambda **kw: toy(**kw, **static))
    out = {}
    for U in grid_axes["U"]:
        for td in grid_axes["tau_d"]:
            for r in grid_axes["rate"]:
                for s in seeds:
                    out[(U, td, r, s)] = {k: np.asarray(v) for k, v in one(U=U, tau_d=td, rate=r, seed=np.uint32(s)).items()}
    return out


def test_sweep_equals_one_at_a_time(x64):
    ds = sweep(toy, product(**GRID), seeds=SEEDS, out_dims={"v": ("spike",)}, chunk_size=5)
    ref = one_at_a_time(GRID, SEEDS)
    for (U, td, r, s), out in ref.items():
        got = ds.sel(U=U, tau_d=td, rate=r, seed=s)
        for k, v in out.items():
            np.testing.assert_allclose(got[k].values, v, rtol=1e-13, atol=1e-15)


def test_zipped_sweep_equals_one_at_a_time(x64):
    z = dict(U=[0.2, 0.5, 0.8], tau_d=[50.0, 150.0, 450.0], rate=[10.0, 20.0, 30.0])
    ds = sweep(toy, zipped(**z), seeds=3, static={"n": 3}, chunk_size=4)
    assert ds.v.dims == ("setting", "seed", "v_dim0")
    one = jax.jit(lambda **kw: toy(**kw, n=3))
    for i in range(3):
        for s in range(3):
            out = one(U=z["U"][i], tau_d=z["tau_d"][i], rate=z["rate"][i], seed=np.uint32(s))
            np.testing.assert_allclose(ds.v.isel(setting=i, seed=s).values, out["v"], rtol=1e-13)
            assert float(ds.U[i]) == z["U"][i]


def test_chunking_does_not_change_results(x64):
    full = sweep(toy, product(**GRID), seeds=SEEDS)  # one chunk
    for cs in (5, 7):  # 24 items: uneven last chunks are padded then trimmed
        part = sweep(toy, product(**GRID), seeds=SEEDS, chunk_size=cs)
        assert part.attrs["chunk_size"] == cs
        for k in full.data_vars:
            np.testing.assert_allclose(part[k].values, full[k].values, rtol=1e-14, atol=0)
    # Same chunking, same compiled call: bitwise.
    again = sweep(toy, product(**GRID), seeds=SEEDS, chunk_size=5)
    np.testing.assert_array_equal(again.v.values, sweep(toy, product(**GRID), seeds=SEEDS, chunk_size=5).v.values)


_SHARDED = textwrap.dedent("""
    import sys, numpy as np, jax
    jax.config.update("jax_enable_x64", True)
    sys.path.insert(0, sys.argv[1])
    from test_engine import toy, GRID, SEEDS
    from stp_brainpy.sweeps import sweep, product
    n = len(jax.devices())
    assert n == int(sys.argv[2]), jax.devices()
    ds = sweep(toy, product(**GRID), seeds=SEEDS, chunk_size=4 * n)
    np.savez(sys.argv[3], v=ds.v.values, s=ds.s.values, n_devices=ds.attrs["n_devices"])
""")


@pytest.mark.slow
def test_sharded_over_host_devices_matches_single_device(x64, tmp_path):
    """N host devices with N×k settings per chunk == 1 device with k: bitwise (same per-device batch)."""
    # the subprocesses run on host (CPU) devices: so does the reference, on any machine
    ref = sweep(toy, product(**GRID), seeds=SEEDS, chunk_size=4, devices=jax.devices("cpu")[:1])
    procs = {}
    for n in (2, 4):  # both subprocesses at once: their start-up overlaps
        env = dict(os.environ, XLA_FLAGS=f"--xla_force_host_platform_device_count={n}", JAX_PLATFORMS="cpu")
        procs[n] = subprocess.Popen([sys.executable, "-c", _SHARDED, os.path.dirname(__file__), str(n),
                                     str(tmp_path / f"out{n}.npz")], env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True)
    for n, proc in procs.items():
        log = proc.communicate(timeout=120)[0]
        assert proc.returncode == 0, log[-2000:]
        got = np.load(tmp_path / f"out{n}.npz")
        assert int(got["n_devices"]) == n
        np.testing.assert_array_equal(got["v"], ref.v.values)
        np.testing.assert_array_equal(got["s"], ref.s.values)


def test_labels_coords_and_attrs():
    ts = np.arange(4) * 0.5
    ds = sweep(toy, product(**GRID), seeds=[3, 9], out_dims={"v": ("time",)}, coords={"time": ts})
    assert ds.v.dims == ("U", "tau_d", "rate", "seed", "time")
    assert ds.s.dims == ("U", "tau_d", "rate", "seed")
    for k, vals in GRID.items():
        np.testing.assert_array_equal(ds[k].values, vals)
    np.testing.assert_array_equal(ds.seed.values, [3, 9])
    np.testing.assert_array_equal(ds.time.values, ts)
    assert ds.v.dtype == np.float32  # float32 unless x64 is on
    a = ds.attrs
    assert a["parameters"] == "U,tau_d,rate" and a["grid_kind"] == "product" and a["seeded"] == 1
    assert len(a["sweep_fingerprint"]) == 64 and a["run"].endswith("toy")
    for lib in ("stp-brainpy", "jax", "jaxlib", "numpy", "xarray"):
        assert a[f"version_{lib}"] not in ("", "absent")
    r = sweep(toy, random_samples(5, seed=2, U=(0.1, 0.9), tau_d=(50, 500), rate=(1, 50)), seeds=1)
    assert r.v.dims == ("setting", "seed", "v_dim0") and r.U.dims == ("setting",)
    assert r.attrs["grid_kind"] == "random" and r.attrs["random_samples_seed"] == 2


def test_dict_grid_and_unseeded_run():
    ds = sweep(lambda a, b: {"p": a * b}, {"a": [1.0, 2.0], "b": [3.0, 4.0, 5.0]})
    np.testing.assert_array_equal(ds.p.values, np.outer([1, 2], [3, 4, 5]))
    assert "seed" not in ds.dims


def test_reduce_runs_per_setting_on_device():
    def trace(a):
        return {"x": a * jnp.sin(jnp.arange(100.0))}

    ds = sweep(trace, product(a=[1.0, -2.0]), reduce=lambda o: {"peak": o["x"].max()})
    assert list(ds.data_vars) == ["peak"]
    np.testing.assert_allclose(ds.peak.values, [np.sin(np.arange(100.0)).max(), (-2 * np.sin(np.arange(100.0))).max()],
                               rtol=1e-6)


def test_memory_budget_sets_chunk_size():
    assert plan_chunks(1000, 40, 1, memory_budget=40 * 3 * 64) == 63  # 16 even chunks of <= 64
    assert plan_chunks(1024, 40, 1, memory_budget=40 * 3 * 64) == 64
    assert plan_chunks(1000, 40, 4, chunk_size=10) == 12  # multiple of the devices
    assert plan_chunks(5, 40, 4, chunk_size=100) == 8  # never more than needed
    assert plan_chunks(10, 10**9, 1, memory_budget=1) == 1
    # budget-sized chunks of >= 4096 items per device: a multiple of 64 per device (odd batches are slow on CPU)
    assert plan_chunks(199_999, 40, 1, memory_budget=40 * 3 * 10**6) == 200_000  # 3125 x 64
    assert plan_chunks(3 * 83_077, 40, 1, memory_budget=40 * 3 * 83_077) == 83_136  # 3 chunks, last nearly full
    assert plan_chunks(10**6, 40, 2, memory_budget=40 * 3 * 10**5) == 2 * 50_048  # per device
    assert plan_chunks(4095, 40, 1, memory_budget=40 * 3 * 10**6) == 4095  # small: no padding
    assert plan_chunks(199_999, 40, 1, chunk_size=199_999) == 199_999  # an explicit size is kept
    small = sweep(toy, product(**GRID), seeds=SEEDS, memory_budget=1)
    assert small.attrs["chunk_size"] == 1
    with pytest.raises(ValueError, match="memory_budget"):
        plan_chunks(10, 4, 1, memory_budget=0)


@pytest.mark.parametrize("kwargs, match", [
    (dict(grid=product(U=[0.1], tau_d=[1.0], rate=[1.0], bogus=[1.0]), seeds=1), r"unknown parameter name\(s\) \['bogus'\]"),
    (dict(grid=product(U=[0.1], tau_d=[1.0]), seeds=1), r"needs parameter\(s\) \['rate'\]"),
    (dict(grid=product(U=[0.1], tau_d=[1.0], rate=[1.0])), "pass seeds="),
    (dict(grid=product(U=[0.1], tau_d=[1.0], rate=[1.0]), seeds=0), "seeds"),
    (dict(grid=product(U=[0.1], tau_d=[1.0], rate=[1.0]), seeds=[-1]), "seeds"),
    (dict(grid=product(U=[0.1], tau_d=[1.0], rate=[1.0]), seeds=[1, 1]), "distinct"),
    (dict(grid=product(U=[0.1], tau_d=[1.0], rate=[1.0]), seeds=1, static={"U": 0.2}), "both in the grid and in static"),
    (dict(grid=product(U=[0.1], tau_d=[1.0], rate=[1.0]), seeds=1, out_dims={"w": ("t",)}), "unknown output 'w'"),
    (dict(grid=product(U=[0.1], tau_d=[1.0], rate=[1.0]), seeds=1, out_dims={"v": ("a", "b")}), "has shape"),
    (dict(grid=product(U=[0.1], tau_d=[1.0], rate=[1.0]), seeds=1, coords={"nope": [1]}), "unknown dimension 'nope'"),
])
def test_bad_input_raises_clear_errors(kwargs, match):
    grid = kwargs.pop("grid")
    with pytest.raises(ValueError, match=match):
        sweep(toy, grid, **kwargs)


def test_run_must_return_a_dict():
    with pytest.raises(ValueError, match="dict of named arrays"):
        sweep(lambda a: a * 2, product(a=[1.0]))


def _double(a, b):
    return {"s": 2.0 * a + b}


def test_repeated_sweeps_reuse_tables_only_for_the_same_grid():
    from stp_brainpy.sweeps.runner import RUNNERS

    first = sweep(_double, product(a=[0.0, 1.0], b=[10.0]))
    again = sweep(_double, product(a=[0.0, 1.0], b=[10.0]))
    other = sweep(_double, product(a=[5.0, 7.0], b=[20.0]))  # same layout, so the same compiled runner
    np.testing.assert_array_equal(first.s.values, [[10.0], [12.0]])
    np.testing.assert_array_equal(again.s.values, first.s.values)
    np.testing.assert_array_equal(other.s.values, [[30.0], [34.0]])
    assert sum(1 for k in RUNNERS if k[0] is _double) == 1
