"""Event delivery equals a dense vector–matrix product, for both implementations."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from stp_brainpy.network.connectivity import bernoulli
from stp_brainpy.network.events import capacity_ladder, deliver


@pytest.mark.parametrize("backend", ["native", "xla"])
@pytest.mark.parametrize("frac", [0.1, 1.0])
def test_deliver_equals_dense_product(x64, backend, frac):
    c = bernoulli(120, 70, 0.15, seed=5)
    rng = np.random.default_rng(1)
    values = np.where(rng.random(120) < frac, rng.normal(size=120), 0.0)
    # the native kernel is the CPU path: pin the arrays to the CPU on any machine
    cpu = jax.devices("cpu")[0] if backend == "native" else None
    with jax.default_device(cpu):
        _check_deliver(c, values, rng, backend)


def _check_deliver(c, values, rng, backend):
    w = rng.random(c.nnz)
    t = jnp.asarray(c.targets)
    out = deliver(jnp.asarray(values), t, 70, backend=backend)
    np.testing.assert_allclose(np.asarray(out), values @ c.to_dense(), rtol=0, atol=1e-12)
    out_w = jax.jit(lambda v: deliver(v, t, 70, weights=jnp.asarray(c.ell_values(w)), backend=backend))(
        jnp.asarray(values))
    np.testing.assert_allclose(np.asarray(out_w), values @ c.to_dense(w), rtol=0, atol=1e-12)


def test_deliver_float32_vmap_and_ladder():
    c = bernoulli(64, 64, 0.1, seed=2)
    vals = jnp.asarray(np.random.default_rng(0).random((3, 64)) < 0.2, jnp.float32)
    t = jnp.asarray(c.targets)
    out = jax.vmap(lambda v: deliver(v, t, 64))(vals)
    assert out.dtype == jnp.float32
    np.testing.assert_allclose(np.asarray(out), np.asarray(vals) @ c.to_dense(), atol=1e-5)
    assert capacity_ladder(4000) == (32, 256, 2048, 4000)
    with pytest.raises(ValueError, match="backend"):
        deliver(vals[0], t, 64, backend="gpu")


@pytest.mark.parametrize("backend", ["native", "xla"])
def test_deliver_into_adds_onto_the_base(x64, backend):
    rng = np.random.default_rng(3)
    c = bernoulli(60, 45, 0.2, seed=4)
    values = np.where(rng.random(60) < 0.3, rng.normal(size=60), 0.0)
    w = rng.normal(size=c.nnz)
    base = rng.normal(size=45)
    out = deliver(jnp.asarray(values), jnp.asarray(c.targets), 45, weights=jnp.asarray(c.ell_values(w)), backend=backend,
                  into=jnp.asarray(base))
    np.testing.assert_allclose(np.asarray(out), base + values @ c.to_dense(w), rtol=0, atol=1e-12)


@pytest.mark.parametrize("backend", ["native", "xla"])
def test_spike_stats_follow_a_numpy_loop(x64, backend):
    from stp_brainpy.network.events import spike_stats

    rng = np.random.default_rng(5)
    n, steps = 37, 60
    spikes = rng.random((steps, n)) < 0.2
    stats = (jnp.zeros(n, jnp.int32), jnp.full(n, -1, jnp.int32), jnp.zeros(n, jnp.int32), jnp.zeros(n), jnp.zeros(n))
    bounds = (0, 10, 10, 30, n)  # an empty population included
    f = jax.jit(lambda s, st, i: spike_stats(s, st, i, bounds, backend))
    for i in range(steps):
        stats, pops = f(jnp.asarray(spikes[i]), stats, i)
        assert list(np.asarray(pops)) == [spikes[i, a:b].sum() for a, b in zip(bounds[:-1], bounds[1:])]
    for k in range(n):
        t = np.nonzero(spikes[:, k])[0]
        isi = np.diff(t)
        got = [np.asarray(a)[k] for a in stats]
        assert got[0] == t.size and got[1] == (t[-1] if t.size else -1) and got[2] == isi.size
        assert got[3] == isi.sum() and got[4] == (isi.astype(float) ** 2).sum()
