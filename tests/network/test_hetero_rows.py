"""The heterogeneous STP fast path: the native row kernels equal their XLA formulations and NumPy, and the
chunked event-driven update (compaction, ladder of chunk sizes, row gathers/scatters) gives exactly the
network of the general formulation (every active source in one pass, XLA gathers and scatters)."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from stp_brainpy.network import compile_fused, kernels
from stp_brainpy.network.compile_fused import FusedNetwork
from stp_brainpy.network.description import (STPModel, Bernoulli, CurrentLIF, Network, Normal, Population,
                                             Projection, Uniform, WhiteNoise)
from stp_brainpy.network.events import compact_since, deliver_ring, gather_rows, ring_rows, scatter_rows

BACKENDS = ("native", "xla")


@pytest.mark.parametrize("backend", BACKENDS)
def test_compact_since_lists_active_sources_with_their_gaps(backend):
    rng = np.random.default_rng(0)
    n, size = 37, 37 + 4
    for frac in (0.0, 0.1, 0.5, 1.0):
        spike = rng.random(n) < frac
        last = rng.integers(0, 50, n).astype(np.int32)
        idx, count, gap, new_last = compact_since(jnp.asarray(spike), jnp.asarray(last), 60, size, backend)
        want = np.nonzero(spike)[0]
        assert int(count) == want.size
        np.testing.assert_array_equal(np.asarray(idx)[:want.size], want)
        assert np.all(np.asarray(idx)[want.size:] == n) and np.all(np.asarray(gap)[want.size:] == 0)
        np.testing.assert_array_equal(np.asarray(gap)[:want.size], 60 - last[want])
        np.testing.assert_array_equal(np.asarray(new_last), np.where(spike, 60, last))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_row_kernels_equal_xla_and_numpy(x64, dtype):
    rng = np.random.default_rng(1)
    n, deg, K, L = 20, 7, 6, 50
    table = rng.random((n, 3, deg)).astype(dtype)
    idx = np.array([3, 0, 19, 7, n, n], np.int32)  # padded with n (out of range)
    rows = rng.random((K, 3, deg)).astype(dtype)
    codes = rng.integers(0, L, (n, deg)).astype(np.int32)
    codes[:, 5:] = L  # padding ends the rows
    vals = rng.random((K, deg)).astype(dtype)
    ring = rng.random(L).astype(dtype)
    want_g = table[np.minimum(idx, n - 1)]
    want_s = table.copy()
    want_s[idx[:4]] = rows[:4]
    want_r = ring.copy()
    for k in range(4):
        for j in range(5):
            want_r[(codes[idx[k], j] + 30) % L] += vals[k, j]
    for backend in BACKENDS:
        g = gather_rows(jnp.asarray(table), jnp.asarray(idx), backend)
        s = jax.jit(lambda t, i, r, b=backend: scatter_rows(t, i, r, b))(jnp.asarray(table), jnp.asarray(idx), jnp.asarray(rows))
        r = ring_rows(jnp.asarray(idx), jnp.asarray(codes), jnp.asarray(vals), jnp.asarray(ring), 30, backend)
        np.testing.assert_array_equal(np.asarray(g), want_g)
        np.testing.assert_array_equal(np.asarray(s), want_s)
        np.testing.assert_allclose(np.asarray(r), want_r, rtol=1e-6 if dtype == np.float32 else 1e-14)


def _general_emit(g, spike, ring, stp_state, last, tring, i, dt, n_ch, backend, dtype):
    """The general formulation: every active source in one pass of size n_pre, XLA gathers and scatters."""
    if g.stp is None or not g.stp.heterogeneous:
        return kernels.emit(g, spike, ring, stp_state, last, tring, i, dt, n_ch, backend, dtype)
    n_pre = spike.shape[0]
    idx = jnp.nonzero(spike, size=n_pre, fill_value=n_pre)[0]
    valid = idx < n_pre
    rows = jnp.take(stp_state, idx, axis=0, mode="clip")
    P = jnp.take(g._ptab, idx, axis=0, mode="clip")
    prm = {name: P[:, k] for k, name in enumerate(g._pnames)}
    h = ((i - jnp.take(last, idx, mode="clip")).astype(dtype) * dt)[:, None]
    state = g._state_type(*(rows[:, k] for k in range(len(g._state_type._fields))))
    new, eff = kernels.stp_step(g.stp.model, g.stp.read, state, valid[:, None], prm, h)
    stp_state = stp_state.at[idx].set(jnp.stack(new, axis=1), mode="drop")
    last = last.at[idx].set(i, mode="drop")
    codes = jnp.take(g._targets, idx, axis=0, mode="fill", fill_value=g._R * n_ch)
    tring = deliver_ring(valid.astype(dtype), codes, P[:, -1] * eff, tring, (i % g._R) * n_ch, backend="xla")
    return ring, stp_state, last, tring


def _hetero_net():
    het = STPModel("markram", read="before", U=Uniform(0.05, 0.6), f=Uniform(0.05, 0.4),
                   tau_f=Normal(300.0, 200.0, 2.0, 2000.0), tau_d=Uniform(20.0, 600.0))
    tm = STPModel("tm", U=Uniform(0.1, 0.5), tau_f=Uniform(0.0, 300.0), tau_d=Uniform(50.0, 500.0))
    pops = [Population("E", 80, CurrentLIF(V0=(0.0, 20.0))), Population("I", 20, CurrentLIF(tau_m=10.0, V0=(0.0, 20.0)))]
    projs = [Projection("E", "E", Bernoulli(0.2), Uniform(0.2, 0.8), Uniform(0.1, 1.0), stp=het),
             Projection("E", "I", Bernoulli(0.3), 0.9, 0.3, stp=het),  # same model and read: one group with E->E
             Projection("I", "E", Bernoulli(0.3), -0.8, 0.2, stp=tm),
             Projection("I", "I", Bernoulli(0.3), -0.5, 0.2)]
    inputs = [WhiteNoise("E", 21.0, 2.0), WhiteNoise("I", 20.5, 2.0)]
    return Network(pops, projs, inputs, dt=0.1, duration=60.0, seed=4)


@pytest.mark.parametrize("chunks", [(64, 8), (4, 2), (3,)])
def test_chunked_update_equals_the_general_formulation_exactly(x64, monkeypatch, chunks):
    net = _hetero_net()
    ref_sim = FusedNetwork(net, backend="xla", raster=np.arange(net.n_neurons))
    assert sum(g.stp is not None and g.stp.heterogeneous for g in ref_sim.plan.groups) == 2
    with monkeypatch.context() as m:
        m.setattr(compile_fused, "emit", _general_emit)
        ref = ref_sim.run()
    monkeypatch.setattr(kernels, "CHUNKS", chunks)
    for backend in BACKENDS:
        got = FusedNetwork(net, backend=backend, raster=np.arange(net.n_neurons)).run()
        assert ref["raster"].sum() > 50
        assert np.array_equal(got["raster"], ref["raster"]), backend
