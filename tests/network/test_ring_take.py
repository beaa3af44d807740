"""The target-side ring's slot read (events.ring_take): native kernel == XLA formulation == NumPy, in place
under jit, and a network with per-synapse delays gives the same spikes on both backends."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from stp_brainpy.network.events import ring_take

BACKENDS = ("native", "xla")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_ring_take_equals_numpy_on_both_backends(x64, dtype):
    rng = np.random.default_rng(3)
    n, R = 13, 5
    ring = rng.standard_normal(R * n).astype(dtype)
    base = rng.standard_normal(n).astype(dtype)
    for slot in range(R):
        off = slot * n
        want_d = base + ring[off:off + n]
        want_r = ring.copy()
        want_r[off:off + n] = 0
        for backend in BACKENDS:
            f = jax.jit(lambda r, b, o, be=backend: ring_take(r, b, o, be))
            d, r = f(jnp.asarray(ring), jnp.asarray(base), jnp.int32(off))
            assert d.dtype == dtype and r.dtype == dtype
            np.testing.assert_array_equal(np.asarray(d), want_d)
            np.testing.assert_array_equal(np.asarray(r), want_r)


def test_ring_take_in_a_scan_reads_each_slot_once():
    # a scan that writes step i's value into the slot read R - 1 steps later, as the delay rings do
    n, R, steps = 4, 3, 10

    def run(backend):
        def body(c, i):
            ring, acc = c
            d, ring = ring_take(ring, jnp.zeros(n, ring.dtype), (i % R) * n, backend)
            w = ((i + R - 1) % R) * n
            ring = jax.lax.dynamic_update_slice_in_dim(ring, jnp.full(n, 1.0 + i, ring.dtype), w, 0)
            return (ring, acc + d), d
        return jax.jit(lambda: jax.lax.scan(body, (jnp.zeros(R * n), jnp.zeros(n)), jnp.arange(steps)))()

    (ring_n, acc_n), d_n = run("native")
    (ring_x, acc_x), d_x = run("xla")
    np.testing.assert_array_equal(np.asarray(d_n), np.asarray(d_x))
    np.testing.assert_array_equal(np.asarray(ring_n), np.asarray(ring_x))
    want = np.array([0.0] * (R - 1) + [1.0 + i for i in range(steps - R + 1)])
    np.testing.assert_array_equal(np.asarray(d_n)[:, 0], want)


@pytest.mark.parametrize("frac", [0.0, 0.01, 0.3, 1.0])
def test_spike_list_equals_numpy_with_overflow_count(frac):
    from stp_brainpy.network.events import spike_list

    rng = np.random.default_rng(4)
    n, size = 203, 20
    spike = rng.random(n) < frac
    want = np.nonzero(spike)[0][:size]
    for backend in BACKENDS:
        ids, count = jax.jit(lambda s, be=backend: spike_list(s, size, be))(jnp.asarray(spike))
        assert int(count) == int(spike.sum())
        np.testing.assert_array_equal(np.asarray(ids)[:want.size], want)
        assert np.all(np.asarray(ids)[want.size:] == -1)


def test_range_counts_equal_numpy():
    from stp_brainpy.network.events import range_counts

    rng = np.random.default_rng(5)
    spike = rng.random(101) < 0.2
    ranges = ((0, 101), (3, 3), (5, 17), (16, 100), (93, 101), (0, 8))
    want = [int(spike[a:b].sum()) for a, b in ranges]
    for backend in BACKENDS:
        got = jax.jit(lambda s, be=backend: range_counts(s, ranges, be))(jnp.asarray(spike))
        assert got.dtype == jnp.int32
        np.testing.assert_array_equal(np.asarray(got), want)


@pytest.mark.slow
def test_samples_every_k_steps_are_the_state_at_those_steps():
    # the fused step computes u/x means, block means and V samples on the sampled steps only (a cond): each
    # sample must equal the every-step recording at step k * every + every - 1; block counts as a NumPy sum
    from stp_brainpy.network.compile_fused import FusedNetwork
    from stp_brainpy.network.description import (STPModel, Bernoulli, CurrentLIF, Network, Population, Projection,
                                                 Record, Uniform, WhiteNoise)

    def net(every):
        E = CurrentLIF(tau_m=15.0, V_th=20.0, V_reset=16.0, tau_ref=2.0, V0=(10.0, 20.0))
        stp = STPModel("markram", read="after", U=0.2, tau_f=1500.0, tau_d=200.0)
        rec = Record(spikes=("E",), blocks=(("a", "E", 0, 20), ("b", "E", 20, 60)), stp=True, V={"E": 7},
                     every=every)
        return Network([Population("E", 60, E)], [Projection("E", "E", Bernoulli(0.3), weight=0.4,
                                                             delay=Uniform(0.1, 1.0), stp=stp)],
                       [WhiteNoise("E", 23.5, 1.0)], record=rec, dt=0.1, duration=30.0, seed=2)

    one, five = FusedNetwork(net(1)).run(), FusedNetwork(net(5)).run()
    assert five["V"].shape[0] == 60
    np.testing.assert_array_equal(five["V"], one["V"][4::5])
    np.testing.assert_array_equal(five["stp_mean"], one["stp_mean"][4::5])
    np.testing.assert_array_equal(five["block_stp_mean"], one["block_stp_mean"][4::5])
    np.testing.assert_array_equal(five["counts"], one["counts"])
    assert one["counts"].sum() > 0
    steps, ids = one["spike_steps"], one["spike_neurons"]
    raster = np.zeros((300, 60), int)
    raster[steps, ids] = 1
    np.testing.assert_array_equal(one["block_count"], np.stack([raster[:, :20].sum(1), raster[:, 20:].sum(1)], 1))
