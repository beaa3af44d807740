"""A fused network compiles one XLA program (the scan), none on a persistent-cache hit, and a hit gives the
same spikes; the host-made PRNG key and initial state equal what JAX makes."""
from __future__ import annotations

import contextlib

import jax
import numpy as np
import pytest
from jax import monitoring

from stp_brainpy import _cache, enable_compilation_cache
from stp_brainpy.network import COBAConfig, FusedCOBA
from stp_brainpy.network.compile_fused import FusedNetwork, prng_key
from stp_brainpy.network.description import (STPModel, Bernoulli, CurrentLIF, Network, Population, Projection, Record,
                                             SpikeSource, Uniform, WhiteNoise)

COMPILE = "/jax/core/compile/backend_compile_duration"  # jax._src.dispatch.BACKEND_COMPILE_EVENT
HIT = "/jax/compilation_cache/cache_hits"


@contextlib.contextmanager
def compiles():
    """Every backend compilation (and persistent-cache hit) while the block runs, from a cleared in-memory
    cache, so that a program compiled by an earlier test is counted again."""
    seen = []

    def on_duration(name, _secs, **_kw):
        seen.append(name)

    def on_event(name, **_kw):
        seen.append(name)

    jax.clear_caches()
    monitoring.register_event_duration_secs_listener(on_duration)
    monitoring.register_event_listener(on_event)
    try:
        yield seen
    finally:
        monitoring.unregister_event_duration_listener(on_duration)
        monitoring.unregister_event_listener(on_event)


def small_net(seed=0):
    """Every kind of state in the carry: noise, a source-side ring with homogeneous markram, a target-side ring
    with per-synapse (heterogeneous) tm3, a spike source, recorded spikes, STP means and V."""
    src = SpikeSource(np.arange(5), np.arange(5) * 2.0 + 1.0)
    pops = [Population("E", 40, CurrentLIF(V0=(0.0, 20.0))), Population("S", 5, src)]
    projs = [Projection("E", "E", Bernoulli(0.2), weight=0.5, delay=0.5, stp=STPModel("markram", U=0.3, tau_f=100.0, tau_d=50.0)),
             Projection("S", "E", Bernoulli(0.5), weight=Uniform(0.5, 1.5), delay=Uniform(0.1, 1.0),
                        stp=STPModel("tm3", U=Uniform(0.1, 0.5), tau_f=20.0, tau_d=100.0, tau_psc=3.0))]
    return Network(pops, projs, [WhiteNoise("E", 21.0, 1.5)], record=Record(spikes=["E"], stp=True, V={"E": 3}),
                   duration=30.0, seed=seed)


def test_build_compile_run_compile_one_program():
    with compiles() as seen:
        sim = FusedNetwork(small_net())
        assert seen.count(COMPILE) == 0  # the tables went to the device without a program
        sim.compile()
        res = sim.run()
        sim.run(seed=4)  # another key: no program for it either
    assert seen.count(COMPILE) == 1, seen
    assert res["spike_steps"].size > 0


def test_a_chunked_run_compiles_one_program():
    with compiles() as seen:
        FusedNetwork(small_net()).run(chunk=100)  # 300 steps: three pieces of one length
    assert seen.count(COMPILE) == 1, seen


def test_fused_coba_compiles_one_program():
    with compiles() as seen:
        FusedCOBA(COBAConfig(n_neurons=200, in_degree=20, duration=10.0, stp=True)).run()
    assert seen.count(COMPILE) == 1, seen


@pytest.mark.parametrize("seed", [0, 1, 7, 12345, 2**31 - 1])
def test_host_key_is_jax_key(seed):
    key = prng_key(seed)
    assert key.dtype == np.uint32 and np.array_equal(np.asarray(key), np.asarray(jax.random.PRNGKey(seed)))


def test_initial_state_values_and_dtypes():
    sim = FusedNetwork(small_net())
    host = sim.init_carry(device=False)
    dev = sim.init_carry()
    for a, b in zip(jax.tree_util.tree_leaves(host), jax.tree_util.tree_leaves(dev)):
        assert isinstance(a, np.ndarray) and isinstance(b, jax.Array)
        assert b.dtype == jax.dtypes.canonicalize_dtype(a.dtype) and np.array_equal(np.asarray(b), a)
    pops, g, rings, stps, lasts, tring, stats, bufs = host
    dt = sim.dtype
    assert pops[0][0].dtype == dt and np.array_equal(pops[0][0], sim.V0["E"].astype(dt))
    assert pops[0][1].dtype == np.int32 and not pops[0][1].any() and pops[1] == ()
    u, x = stps[0]  # markram rests at u = U
    assert u.dtype == dt and np.all(u == np.float32(0.3) if dt == np.float32 else u == 0.3) and np.all(x == 1)
    het = stps[1]  # tm3 per synapse, (n_pre, 3 fields, degree): u = 0, x = 1, y = 0
    assert het.shape[1] == 3 and het.dtype == dt
    assert not het[:, 0].any() and np.all(het[:, 1] == 1) and not het[:, 2].any()
    assert lasts[1].dtype == np.int32 and np.array_equal(stats[1], np.full(45, -1, np.int32))


@pytest.fixture
def jax_cache(tmp_path, monkeypatch):
    """A persistent compilation cache in a fresh folder for one test; JAX's settings restored after."""
    monkeypatch.setenv(_cache.JAX_CACHE_ENV, "1")
    from jax.experimental.compilation_cache import compilation_cache as cc

    old = (jax.config.jax_compilation_cache_dir, jax.config.jax_persistent_cache_min_compile_time_secs)
    try:
        yield tmp_path / "jax"
    finally:
        jax.config.update("jax_compilation_cache_dir", old[0])
        jax.config.update("jax_persistent_cache_min_compile_time_secs", old[1])
        cc.reset_cache()


@pytest.mark.slow  # three compilations of the small network: ~4 s idle, ~10 s on the loaded machine
def test_a_persistent_cache_hit_compiles_nothing_and_gives_the_same_spikes(jax_cache):
    assert enable_compilation_cache(jax_cache, min_compile_s=0.0) == jax_cache
    with compiles() as first:
        a = FusedNetwork(small_net()).run()
    assert first.count(COMPILE) == 1 and first.count(HIT) == 0
    assert any(jax_cache.iterdir()), "nothing was written"
    with compiles() as second:  # the in-memory programs are cleared: what a new process sees
        b = FusedNetwork(small_net()).run()
    assert second.count(HIT) == 1 and second.count(COMPILE) == 1, second  # one lookup, a hit
    for k in ("spike_steps", "spike_neurons", "pop_count", "counts", "V", "stp_mean"):
        assert np.array_equal(a[k], b[k]), k
    with compiles() as other:  # another network is another program
        FusedNetwork(small_net(seed=1)).run()
    assert other.count(HIT) == 0


def test_cache_keyword_turns_the_cache_on(jax_cache, monkeypatch):
    monkeypatch.setenv(_cache.CACHE_ENV, str(jax_cache.parent))
    jax.config.update("jax_compilation_cache_dir", None)
    FusedNetwork(small_net(), cache=True)
    assert jax.config.jax_compilation_cache_dir == str(jax_cache)
    assert jax.config.jax_persistent_cache_min_compile_time_secs == _cache.MIN_COMPILE_S


def test_environment_turns_the_cache_off_even_when_asked(monkeypatch, tmp_path):
    monkeypatch.setenv(_cache.JAX_CACHE_ENV, "0")
    before = jax.config.jax_compilation_cache_dir
    assert enable_compilation_cache(tmp_path) is None
    FusedNetwork(small_net(), cache=True)
    assert jax.config.jax_compilation_cache_dir == before and not any(tmp_path.iterdir())


def test_bad_cache_arguments():
    with pytest.raises(TypeError, match="cache"):
        FusedNetwork(small_net(), cache="yes")
    with pytest.raises(TypeError, match="cache"):
        FusedCOBA(COBAConfig(n_neurons=100, in_degree=10, duration=1.0), cache=1)
    with pytest.raises(ValueError, match="min_compile_s"):
        enable_compilation_cache(min_compile_s=-1.0)


def test_compile_leaves_the_garbage_collector_as_it_found_it():
    import gc

    sim = FusedNetwork(small_net())
    assert gc.isenabled()
    sim.compile()
    assert gc.isenabled()
    gc.disable()
    try:
        FusedNetwork(small_net()).compile()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_exit_skips_the_final_collections():
    """The stp-brainpy command freezes the objects at exit (cli.entry), a handler registered before it runs
    after it and sees them frozen; importing the package alone leaves the interpreter's shutdown alone."""
    import os
    import subprocess
    import sys

    probe = "import atexit, gc\natexit.register(lambda: print('frozen', gc.get_freeze_count() > 0))\n"
    env = dict(os.environ, JAX_PLATFORMS="cpu")
    cmd = probe + "import sys\nsys.argv = ['stp-brainpy', '--version']\nfrom stp_brainpy.cli import entry\nentry()\n"
    out = subprocess.run([sys.executable, "-c", cmd], capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-2:] == ["frozen", "True"]
    lib = probe + "import stp_brainpy.network\nprint('enabled', gc.isenabled())\n"
    out = subprocess.run([sys.executable, "-c", lib], capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["enabled", "True", "frozen", "False"]
