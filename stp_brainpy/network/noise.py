r"""Gaussian white noise of a described network: counter-based, cheap on CPU, the same in both compilations.

The normals of population ``j`` at step ``i`` are a pure function of (run key, ``i``, ``j``, neuron index), so
the fused scan and the BrainPy classes draw the very same numbers, a chunked run draws what one scan draws,
and any block of steps could be drawn at once.

* **Bits**: Threefry-2x32 with 20 rounds (Salmon, Moraes, Dror & Shaw 2011, *Parallel random numbers: as easy
  as 1, 2, 3*, SC'11; the generator behind ``jax.random``), written out in ``jax.numpy``. The stream key of a
  step and population is the hash of the counter ``(i, TAG_STEP ^ j)`` under the run key
  (:func:`step_key`); the k-th pair of normals is the hash of ``(k, TAG_NOISE)`` under that key.
* **Normals**: Box & Muller (1958) on the two words of a pair, :math:`r = \sqrt{-2\ln u_1}` with
  :math:`u_1 = (w_0 + \tfrac12)\,2^{-32} \in (0, 1)` (so :math:`|z| \le 6.7`), the angle's cosine and sine
  from a polynomial on the first quadrant (24 bits of the second word) and their signs from its top two bits
  (a reflection of a uniform first-quadrant angle is a uniform angle). Neuron ``k < m = ceil(n/2)`` gets
  :math:`r_k\cos\theta_k`, neuron ``m + k`` gets :math:`r_k\sin\theta_k`.

Why not ``jax.random.normal``: on XLA's CPU backend Threefry is lowered as a rolled loop (a small while loop
per draw, its state written to memory between iterations) and ``erf_inv`` plus ``cos``/``sin`` are slow
there (measured, 10 000 values per step in a scan, 2 loaded cores: ``jax.random.normal`` 150–180 µs, this
unrolled Threefry 11–18 µs for the bits, the whole draw 70–90 µs; ``jnp.cos`` alone 160 µs). In the
working-memory network's step (10 000 neurons) this is the difference between a noise draw that is most of
the step and one that is a small part of it (``benchmarks/bench_wm.py --noise-compare``).
"""
from __future__ import annotations

import math

import jax
import jax.numpy as jnp

__all__ = ["threefry2x32", "step_key", "normals", "noise_block", "block_length", "scan_steps", "NOISE_BLOCK"]

_ROT = ((13, 15, 26, 6), (17, 29, 16, 24))
_PARITY = 0x1BD11BDA
TAG_STEP = 0x73746570   # 'step': counters of the stream keys
TAG_NOISE = 0x6E6F6973  # 'nois': counters of the normals
# Taylor coefficients of sin/x and cos on [0, pi/2]: truncation errors 6e-8 and 6e-9, below float32's ulp
_SIN = (1.0, -1 / 6, 1 / 120, -1 / 5040, 1 / 362880, -1 / 39916800)
_COS = (1.0, -1 / 2, 1 / 24, -1 / 720, 1 / 40320, -1 / 3628800, 1 / 479001600)


def _rotl(x, r: int):
    return (x << jnp.uint32(r)) | (x >> jnp.uint32(32 - r))


def threefry2x32(k0, k1, x0, x1):
    """Threefry-2x32-20 of counter words ``(x0, x1)`` (uint32 arrays, broadcast) under key ``(k0, k1)``;
    equal to ``jax.extend.random.threefry_2x32`` and to Random123's known-answer vectors (tests)."""
    k0, k1 = jnp.asarray(k0, jnp.uint32), jnp.asarray(k1, jnp.uint32)
    ks = (k0, k1, k0 ^ k1 ^ jnp.uint32(_PARITY))
    x0 = jnp.asarray(x0, jnp.uint32) + k0
    x1 = jnp.asarray(x1, jnp.uint32) + k1
    for r in range(20):
        x0 = x0 + x1
        x1 = _rotl(x1, _ROT[(r // 4) % 2][r % 4]) ^ x0
        if r % 4 == 3:
            s = r // 4 + 1
            x0 = x0 + ks[s % 3]
            x1 = x1 + ks[(s + 1) % 3] + jnp.uint32(s)
    return x0, x1


def _key_words(key):
    data = jax.random.key_data(key) if jnp.issubdtype(key.dtype, jax.dtypes.prng_key) else jnp.asarray(key)
    if data.shape != (2,):
        raise ValueError(f"key must be one threefry key (2 words); got shape {data.shape}")
    return data[0].astype(jnp.uint32), data[1].astype(jnp.uint32)


def step_key(key, i, j: int):
    """The raw key (uint32[2]) of population ``j``'s draws at step ``i`` under the run key ``key``."""
    k0, k1 = _key_words(key)
    a, b = threefry2x32(k0, k1, jnp.asarray(i).astype(jnp.uint32), jnp.uint32(TAG_STEP ^ int(j)))
    return jnp.stack([a, b])


def _sincos_quarter(phi):
    z = phi * phi
    s = _SIN[-1]
    for c in _SIN[-2::-1]:
        s = s * z + c
    co = _COS[-1]
    for c in _COS[-2::-1]:
        co = co * z + c
    return phi * s, co


def normals(key, n: int, dtype=None):
    """``n`` standard normals from the stream key ``key`` (:func:`step_key`), in ``dtype``."""
    dtype = jnp.dtype(dtype or jnp.result_type(float))
    k0, k1 = _key_words(key)
    m = (n + 1) // 2
    w0, w1 = threefry2x32(k0, k1, jnp.arange(m, dtype=jnp.uint32), jnp.uint32(TAG_NOISE))
    # int32 conversions (exact) instead of uint32 ones (slow on x86); the low byte refines small u1
    hi = (w0 >> 8).astype(jnp.int32).astype(dtype)
    lo = (w0 & jnp.uint32(0xFF)).astype(jnp.int32).astype(dtype)
    u1 = (hi + (lo + 0.5) * (1.0 / 256.0)) * (2.0 ** -24)
    r = jnp.sqrt(-2.0 * jnp.log(u1))
    phi = (w1 & jnp.uint32(0xFFFFFF)).astype(jnp.int32).astype(dtype) * (math.pi / 2 * 2.0 ** -24)
    s, c = _sincos_quarter(phi)
    c = jnp.where((w1 >> 31) == 1, -c, c)
    s = jnp.where(((w1 >> 30) & 1) == 1, -s, s)
    return jnp.concatenate([r * c, r * s])[:n]


#: steps whose normals the fused scan draws at once, outside the step (see :func:`noise_block`)
NOISE_BLOCK = 20


def block_length(n_steps: int, target: int = NOISE_BLOCK) -> int:
    """The largest divisor of ``n_steps`` not above ``target`` (so that one inner scan body is compiled)."""
    return max(d for d in range(1, max(1, min(target, n_steps)) + 1) if n_steps % d == 0)


def noise_block(key, steps, j: int, n: int, dtype=None):
    """``(len(steps), n)`` normals of population ``j``, row ``b`` equal to ``normals(step_key(key, steps[b],
    j), n)``. Drawn in one piece outside the step, the draw costs what it costs alone: inside the scanned
    step XLA's CPU backend ran the same draw 3-5x slower (working memory, 10 000 neurons: 444 -> 246 µs per
    step, bench_wm.py --noise-compare)."""
    return jax.vmap(lambda i: normals(step_key(key, i, j), n, dtype))(steps)


def scan_steps(step, carry, key, steps, noisy, dtype=None):
    """``lax.scan`` of ``step(carry, i, key[, z])`` over ``steps``; with noisy populations (``noisy``: their
    ``(index, size)``), as blocks of :func:`block_length` steps whose normals ``z`` (index -> this step's row)
    are drawn once per block. Outputs as one flat scan returns them."""
    if not noisy:
        return jax.lax.scan(lambda c, i: step(c, i, key), carry, steps)
    L = steps.shape[0]
    B = block_length(L)

    def outer(c, blk):
        Z = {j: noise_block(key, blk, j, n, dtype) for j, n in noisy}
        return jax.lax.scan(lambda c2, xs: step(c2, xs[0], key, xs[1]), c, (blk, Z))

    final, outs = jax.lax.scan(outer, carry, steps.reshape(L // B, B))
    return final, jax.tree_util.tree_map(lambda a: a.reshape((L,) + a.shape[2:]), outs)
