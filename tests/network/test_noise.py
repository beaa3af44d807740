"""The network's white noise (stp_brainpy.network.noise): Threefry against its published known answers and
jax's own, the normals against the normal distribution, the block draw against the per-step draw."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

from stp_brainpy.network.noise import (block_length, noise_block, normals, scan_steps, step_key, threefry2x32,
                                       _sincos_quarter)

# Random123's kat_vectors for threefry2x32_20: (key, counter, result)
KAT = [((0x00000000, 0x00000000), (0x00000000, 0x00000000), (0x6B200159, 0x99BA4EFE)),
       ((0xFFFFFFFF, 0xFFFFFFFF), (0xFFFFFFFF, 0xFFFFFFFF), (0x1CB996FC, 0xBB002BE7)),
       ((0x13198A2E, 0x03707344), (0x243F6A88, 0x85A308D3), (0xC4923A9C, 0x483DF7A0))]


@pytest.mark.parametrize("key,ctr,want", KAT)
def test_threefry_known_answers(key, ctr, want):
    got = threefry2x32(np.uint32(key[0]), np.uint32(key[1]), np.uint32(ctr[0]), np.uint32(ctr[1]))
    assert (int(got[0]), int(got[1])) == want


def test_threefry_equals_jax_on_random_words():
    rng = np.random.default_rng(0)
    k = rng.integers(0, 2 ** 32, 2, dtype=np.uint32)
    x = rng.integers(0, 2 ** 32, (2, 64), dtype=np.uint32)
    want = jax.extend.random.threefry_2x32(jnp.asarray(k), jnp.asarray(x.ravel()))
    a, b = threefry2x32(k[0], k[1], x[0], x[1])
    np.testing.assert_array_equal(np.concatenate([a, b]), np.asarray(want))


def test_quarter_sincos_polynomial(x64):
    phi = np.linspace(0.0, np.pi / 2, 10001)
    s, c = _sincos_quarter(jnp.asarray(phi))
    assert np.max(np.abs(np.asarray(s) - np.sin(phi))) < 1e-7
    assert np.max(np.abs(np.asarray(c) - np.cos(phi))) < 1e-8


@pytest.fixture(scope="module")
def draws():
    key = jax.random.PRNGKey(3)
    f = jax.jit(lambda k: noise_block(k, jnp.arange(200), 1, 1001, jnp.float32))
    return np.asarray(f(key), np.float64)  # 200 steps x 1001 neurons (odd: the last pair is cut)


def test_normals_match_the_normal_distribution(draws):
    z = draws.ravel()
    n = z.size
    assert abs(z.mean()) < 4 / np.sqrt(n)
    assert abs(z.var() - 1.0) < 4 * np.sqrt(2.0 / n)
    assert stats.kstest(z, "norm").pvalue > 1e-3
    for k in (1.0, 2.0, 3.0):  # tails: P(|z| > k) = erfc(k / sqrt 2)
        p = stats.norm.sf(k) * 2
        assert abs(np.mean(np.abs(z) > k) - p) < 5 * np.sqrt(p * (1 - p) / n)
    assert np.abs(z).max() <= 6.8


def test_normals_uncorrelated_across_steps_neurons_and_pairs(draws):
    lim = 5 / np.sqrt(draws[:-1].size)
    assert abs(np.corrcoef(draws[:-1].ravel(), draws[1:].ravel())[0, 1]) < lim           # step to step
    assert abs(np.corrcoef(draws[:, :-1].ravel(), draws[:, 1:].ravel())[0, 1]) < lim     # neighbours
    m = 501  # neuron k and m + k share one Box-Muller pair: independent normals
    assert abs(np.corrcoef(draws[:, :500].ravel(), draws[:, m:m + 500].ravel())[0, 1]) < lim
    assert abs(np.corrcoef(draws[:, :500].ravel() ** 2, draws[:, m:m + 500].ravel() ** 2)[0, 1]) < lim
    other = np.asarray(noise_block(jax.random.PRNGKey(3), jnp.arange(200), 0, 1001, jnp.float32), np.float64)
    assert abs(np.corrcoef(draws.ravel(), other.ravel())[0, 1]) < lim                    # population to population


def test_block_rows_equal_per_step_draws():
    key = jax.random.PRNGKey(11)
    steps = jnp.arange(37, 57)
    block = np.asarray(jax.jit(lambda k: noise_block(k, steps, 2, 301))(key))
    for b, i in enumerate(np.asarray(steps)):
        np.testing.assert_array_equal(block[b], np.asarray(jax.jit(lambda k, i=i: normals(step_key(k, i, 2), 301))(key)))


@pytest.mark.parametrize("L,B", [(2000, 20), (7, 7), (13, 13), (31, 1), (0, 1), (1, 1), (42, 14)])
def test_block_length(L, B):
    assert block_length(L) == B


def test_scan_steps_blocked_equals_per_step():
    key = jax.random.PRNGKey(5)

    def step(c, i, k, z=None):
        x = normals(step_key(k, i, 0), 10) if z is None else z[0]
        return c + x, x

    steps = jnp.arange(40, dtype=jnp.int32)
    a = jax.jit(lambda k: scan_steps(step, jnp.zeros(10), k, steps, []))(key)
    b = jax.jit(lambda k: scan_steps(step, jnp.zeros(10), k, steps, [(0, 10)]))(key)
    np.testing.assert_array_equal(np.asarray(a[1]), np.asarray(b[1]))
    np.testing.assert_allclose(np.asarray(a[0]), np.asarray(b[0]), rtol=1e-6)
