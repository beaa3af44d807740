r"""Stochastic release from n sites (Fuhrmann et al. 2002; Loebel et al. 2009; NEST ``quantal_stp_synapse``).

Each of n release sites is either available or empty; ``a`` counts the available ones. The utilisation
follows the ``tm`` form (rests at 0). At a spike, after an interval h since the previous one:

1. :math:`u^+ = u^- + U(1-u^-)` with :math:`u^- = u\,e^{-h/\tau_f}` (``tau_f = 0``: :math:`u^+ = U`
   after the first spike; the first sees ``u0`` undecayed when ``t0`` is None or at it, as NEST's
   ``quantal_stp_synapse`` releases its first spike with the ``u`` you set);
2. each of the :math:`n-a` empty sites has recovered independently with probability
   :math:`1-e^{-h/\tau_d}` (``-expm1``);
3. each of the :math:`a` available sites releases independently with probability :math:`u^+`;
   the released sites become empty.

The counts are drawn as binomials (for n <= 32 from one uniform each, by inverting the CDF; beyond,
one Bernoulli per site as NEST does): the same distribution as NEST's site-by-site loop.

The response is ``weight × (number of released sites)`` — per site, not divided by n, as NEST 3.10
delivers it (measured: n = 5, U = 0.5 gives a mean first response of 2.5·w; nothing is sent when no
site releases). Its mean is exactly ``weight · n ·`` the ``tm`` efficacy :math:`u^+x^-` with
:math:`x = a/n` (the dynamics are linear in the site counts), which :func:`mean_efficacies` returns.

Randomness comes from JAX keys (``jax.random.key(seed)``): one key per train, so ``vmap`` over keys
gives independent trials (each the same as drawn alone) and ``vmap`` over parameters gives settings.
The uniforms of a threefry key are Threefry-2x32 blocks of distinct counters, both 32-bit halves used
(``jax.random.uniform`` uses one block per float32): the random bits dominate a trial's cost.

Parameters
----------
=========  ====  =======  ===============  =================================================
name       unit  default  valid range      meaning
=========  ====  =======  ===============  =================================================
U          --    0.15     (0, 1]           utilisation increment
tau_f      ms    1500     [0, inf]         facilitation time constant (0: none)
tau_d      ms    200      (0, inf]         site recovery time constant (NEST ``tau_rec``)
n          --    1        integer >= 1     number of release sites (static)
weight     any   1        finite           response per released site
u0         --    0        [0, 1]           u before the first spike
a0         --    n        integer [0, n]   available sites at ``t0``
t0         ms    None     <= first spike   time of (u0, a0); None = at the first spike
=========  ====  =======  ===============  =================================================

References: Fuhrmann, Segev, Markram & Tsodyks (2002) J Neurophysiol 87:140; Loebel, Silberberg,
Helbig, Markram, Tsodyks & Richardson (2009) Front Comput Neurosci 3:27; NEST
``quantal_stp_synapse`` documentation.

Example::

    >>> import jax, jax.numpy as jnp
    >>> from stp_brainpy.core import quantal
    >>> keys = jax.random.split(jax.random.key(0), 1000)
    >>> t = jnp.arange(5) * 20.0
    >>> run = lambda k: quantal.event_efficacies(t, 0.5, tau_f=0.0, tau_d=100.0, n=5, key=k)[0]
    >>> jax.vmap(run)(keys).shape
    (1000, 5)
"""
from __future__ import annotations

from functools import partial
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from . import family as fam
from . import stp, tm3

from ..units import accepts_units
__all__ = ["QuantalParams", "QuantalState", "make_params", "validate_params", "rest_state",
           "event_releases", "event_efficacies", "mean_efficacies", "step", "steady_state"]

Array = jax.Array


@accepts_units(U="1", tau_f="ms", tau_d="ms")
class QuantalParams(NamedTuple):
    """``U, tau_f, tau_d`` (ms); the number of sites ``n`` is static and passed separately."""

    U: Any
    tau_f: Any
    tau_d: Any


class QuantalState(NamedTuple):
    """``u`` utilisation (after the last spike) and ``a`` available sites (integer counts)."""

    u: Array
    a: Array


@accepts_units(U="1", tau_f="ms", tau_d="ms", u0="1")
def validate_params(U: Any = None, *, tau_f: Any = None, tau_d: Any = None, n: Any = None,
                    u0: Any = None, a0: Any = None, weight: Any = None) -> int | None:
    """Eager checks (concrete values); returns ``n`` as an int when given."""
    fam.check_params("quantal", U=U, tau_f=tau_f, tau_d=tau_d)
    fam.check_fraction("u0", u0)
    n_int = None if n is None else fam.check_integer("n", n, 1)
    if weight is not None:
        fam.check_interval("weight", weight, (-fam.INF, fam.INF, True, True))
    if a0 is not None and fam.is_concrete(a0):
        fam.check_number("a0", a0)
        arr = np.asarray(a0)
        if arr.dtype.kind == "f" and not np.all(np.isfinite(arr) & (arr == np.round(arr))):
            raise ValueError(f"a0 must be an integer count of available sites; got {a0!r}")
        hi = n_int if n_int is not None else np.inf
        if np.any(arr < 0) or np.any(arr > hi):
            raise ValueError(f"a0 must lie in [0, n] = [0, {n_int}]; got {a0!r}")
    return n_int


def check_key(key: Any) -> None:
    """A JAX PRNG key (``jax.random.key(seed)`` or ``jax.random.PRNGKey(seed)``), not a seed."""
    if not fam.is_concrete(key):
        return
    if isinstance(key, (int, np.integer, float, str, bytes)) or key is None:
        raise TypeError(f"key must be a JAX PRNG key, e.g. jax.random.key(0); got {key!r}")
    dt = getattr(key, "dtype", None)
    if dt is None or not (jnp.issubdtype(dt, jax.dtypes.prng_key) or (dt == jnp.uint32 and key.shape[-1:] == (2,))):
        raise TypeError(f"key must be a JAX PRNG key, e.g. jax.random.key(0); got {key!r}")


@accepts_units(U="1", tau_f="ms", tau_d="ms")
def make_params(U: Any = 0.15, *, tau_f: Any = 1500.0, tau_d: Any = 200.0) -> QuantalParams:
    """A validated :class:`QuantalParams`."""
    validate_params(U, tau_f=tau_f, tau_d=tau_d)
    return QuantalParams(U, tau_f, tau_d)


def rest_state(n: int, shape: tuple[int, ...] = (), dtype: Any = None) -> QuantalState:
    """``u = 0`` and all ``n`` sites available."""
    n = fam.check_integer("n", n, 1)
    dtype = dtype or jnp.result_type(float)
    return QuantalState(jnp.zeros(shape, dtype), jnp.full(shape, n, jnp.int32))


# Up to this many sites a binomial count is drawn from one uniform by inverting its CDF (n uniforms
# per count cost ~n times more: random bits dominate); beyond it, one Bernoulli per site as NEST does.
_INVERSION_MAX_SITES = 32


def _draw_shape(shape: tuple[int, ...], n: int) -> tuple[int, ...]:
    return shape if n <= _INVERSION_MAX_SITES else (*shape, n)


# Counter block of this module's draws: the high counter word of jax's own threefry streams is 0 for
# arrays under 2**32 elements (and for split/fold_in), so these counters never coincide with theirs.
_COUNTER_TAG = 0x9E3779B9


def _uniforms(key: Any, shape: tuple[int, ...], dtype: Any) -> Array:
    """Uniforms in [0, 1) of ``shape``: float32 take 23 bits, float64 52 bits of the same words.

    For threefry keys (the default) every 64-bit Threefry-2x32 block gives two float32 uniforms;
    ``jax.random.uniform`` (partitionable threefry, jax's default) xors the two halves into one, so
    this halves the hashing, which dominates a quantal trial's cost. The uniforms are the hash of
    distinct counters under the key: independent and uniform exactly as jax's own. Other key
    implementations fall back to ``jax.random.uniform``.
    """
    dtype = jnp.dtype(dtype)
    typed = jnp.issubdtype(key.dtype, jax.dtypes.prng_key)
    data = jax.random.key_data(key) if typed else key
    if data.shape[-1:] != (2,) or (typed and "threefry" not in str(jax.random.key_impl(key))) \
            or dtype not in (jnp.float32, jnp.float64):
        return jax.random.uniform(key, shape, dtype)
    size = int(np.prod(shape, dtype=np.int64))
    wide = dtype == jnp.float64
    blocks = size if wide else (size + 1) // 2
    from jax.extend.random import threefry2x32_p  # here, not at import: jax.extend pulls in pallas (~60 ms)

    hi = jnp.full((blocks,), _COUNTER_TAG, jnp.uint32)
    b1, b2 = threefry2x32_p.bind(data[0], data[1], hi, jnp.arange(blocks, dtype=jnp.uint32))
    if wide:  # 52 mantissa bits: 20 from the first word, 32 from the second
        bits = (b1.astype(jnp.uint64) << 32 | b2.astype(jnp.uint64)) >> 12 | np.uint64(0x3FF0000000000000)
        return (jax.lax.bitcast_convert_type(bits, jnp.float64) - 1.0).reshape(shape)
    words = jnp.concatenate([b1, b2])[:size]
    u = jax.lax.bitcast_convert_type(words >> 9 | np.uint32(0x3F800000), jnp.float32) - 1.0
    return u.reshape(shape)


def _binomial(draws: Array, trials: Array, prob: Array, n: int) -> Array:
    """Binomial(trials, prob) counts (trials <= n) from uniforms ``draws`` of shape ``_draw_shape``."""
    prob = jnp.broadcast_to(prob, trials.shape)
    if n > _INVERSION_MAX_SITES:
        active = jnp.arange(n) < trials[..., None]
        return jnp.sum(active & (draws < prob[..., None]), axis=-1).astype(jnp.int32)
    # inversion with q = min(p, 1-p) <= 1/2, so (1-q)^trials >= 2^-32 never underflows (float32 included)
    flip = prob > 0.5
    q = jnp.where(flip, 1.0 - prob, prob)
    m = trials.astype(q.dtype)
    pmf = jnp.exp(m * jnp.log1p(-q))
    cdf = pmf
    ratio = q / (1.0 - q)
    count = jnp.zeros(trials.shape, jnp.int32)
    for k in range(n):
        count = count + (draws > cdf).astype(jnp.int32)
        pmf = pmf * (m - k) / (k + 1) * ratio
        cdf = cdf + pmf
    count = jnp.minimum(count, trials)  # a cdf rounded just below 1 must not add a site
    return jnp.where(flip, trials - count, count)


def _recover(a: Array, h: Array, tau_d: Array, n: int, draws: Array) -> Array:
    _, em1 = fam.decay(h, tau_d)
    return a + _binomial(draws, n - a, -em1, n)


def _scan(spike_times: Any, p: QuantalParams, n: int, key: Any, u0: Any, a0: Any, t0: Any,
          u_first: Any = None) -> tuple[Array, Array, Array]:
    """The event-driven kernel (no checks); ``u_first`` replaces the first spike's u⁺ (NEST ``u``)."""
    gaps, valid, skip = fam.spike_gaps(spike_times, t0)
    has_first = u_first is not None
    a0 = n if a0 is None else a0
    return _kernel(gaps, valid, skip, p, key, u0, a0, u_first if has_first else 0.0, n, has_first)


@partial(jax.jit, static_argnames=("n", "has_first"))
def _kernel(gaps: Array, valid: Array, skip: Array, p: QuantalParams, key: Any, u0: Any, a0: Any, u_first: Any,
            n: int, has_first: bool) -> tuple[Array, Array, Array]:
    # jitted with the parameters as arguments: one compile per train length, not per setting
    dtype = fam.float_dtype(gaps.dtype, *p, u0)
    p = QuantalParams(*(jnp.asarray(v, dtype) for v in p))
    shape = jnp.broadcast_shapes(*(jnp.shape(v) for v in (*p, u0, a0, u_first)))
    init = QuantalState(jnp.broadcast_to(jnp.asarray(u0, dtype), shape),
                        jnp.broadcast_to(jnp.asarray(a0).astype(jnp.int32), shape))
    first_u = jnp.broadcast_to(jnp.asarray(u_first, dtype), shape) if has_first else None
    # every uniform of the train in one draw: much cheaper than a key split and a draw per spike
    all_draws = _uniforms(key, (gaps.shape[0], 2, *_draw_shape(shape, n)), dtype)

    def body(carry, inp):
        (u, a), seen = carry
        h, ok, sk, draws = inp
        p_uu, _ = fam.decay(h.astype(dtype), p.tau_f)
        u_m = jnp.where(sk, u, u * p_uu)
        a_m = jnp.where(sk, a, _recover(a, h.astype(dtype), p.tau_d, n, draws[0]))
        u_p = u_m + p.U * (1.0 - u_m)
        if first_u is not None:
            u_p = jnp.where(seen, u_p, first_u)
        rel = jnp.where(ok, _binomial(draws[1], a_m, u_p, n), 0)
        new = QuantalState(jnp.where(ok, u_p, u), jnp.where(ok, a_m - rel, a))
        return (new, seen | ok), (rel, jnp.where(ok, u_p, 0.0), jnp.where(ok, a_m, 0))

    _, out = jax.lax.scan(body, (init, jnp.zeros((), bool)), (gaps, valid, skip, all_draws))
    rel, u_p, a_m = fam.to_batch_last(out)
    return rel, u_p, a_m


@accepts_units(spike_times="ms", t0="ms", u0="1", U="1", tau_f="ms", tau_d="ms")
def event_releases(spike_times: Any, U: Any, *, tau_f: Any, tau_d: Any, n: int, key: Any, u0: Any = 0.0,
                   a0: Any = None, t0: Any = None) -> tuple[Array, Array, Array]:
    """Number of released sites at every spike (one random realisation per ``key``).

    Returns ``(released, u_plus, a_minus)`` (integer counts, u⁺, sites available at the spike),
    each shaped ``batch + spike_times.shape``; ``+inf`` padding gives 0.
    """
    fam.check_required(U=U, tau_f=tau_f, tau_d=tau_d)
    validate_params(U, tau_f=tau_f, tau_d=tau_d, n=n, u0=u0, a0=a0)
    n = fam.check_integer("n", n, 1)
    check_key(key)
    fam.check_spike_times(spike_times, t0)
    return _scan(spike_times, QuantalParams(U, tau_f, tau_d), n, key, u0, a0, t0)


@accepts_units(spike_times="ms", t0="ms", u0="1", U="1", tau_f="ms", tau_d="ms")
def event_efficacies(spike_times: Any, U: Any, *, tau_f: Any, tau_d: Any, n: int = 1, key: Any,
                     weight: Any = 1.0, u0: Any = 0.0, a0: Any = None,
                     t0: Any = None) -> tuple[Array, Array, Array]:
    """``weight × released sites`` at every spike; see :func:`event_releases` for the rest."""
    validate_params(weight=weight)
    rel, u_p, a_m = event_releases(spike_times, U, tau_f=tau_f, tau_d=tau_d, n=n, key=key, u0=u0, a0=a0,
                                   t0=t0)
    return weight * rel.astype(u_p.dtype), u_p, a_m


@accepts_units(spike_times="ms", t0="ms", u0="1", U="1", tau_f="ms", tau_d="ms")
def mean_efficacies(spike_times: Any, U: Any, *, tau_f: Any, tau_d: Any, n: int = 1, weight: Any = 1.0,
                    u0: Any = 0.0, a0: Any = None, t0: Any = None) -> tuple[Array, Array, Array]:
    """Exact mean response per spike, ``weight · n · u⁺ x⁻`` with ``x = a/n`` (no sampling).

    Returns ``(mean, u_plus, mean_available_fraction)``.
    """
    fam.check_required(U=U, tau_f=tau_f, tau_d=tau_d)
    validate_params(U, tau_f=tau_f, tau_d=tau_d, n=n, u0=u0, a0=a0, weight=weight)
    n = fam.check_integer("n", n, 1)
    fam.check_spike_times(spike_times, t0)
    x0 = 1.0 if a0 is None else jnp.asarray(a0) / n
    # the tm kernel: its first spike sees u0 for every tau_f, as the sampled one (tm3's resets u at tau_f = 0)
    eff, u_p, x_m = stp.event_efficacies(spike_times, U, tau_f=tau_f, tau_d=tau_d, u0=u0, x0=x0, t0=t0)
    return weight * n * eff, u_p, x_m


@accepts_units(dt="ms")
def step(state: QuantalState, spike: Any, params: QuantalParams, dt: Any, *, key: Any,
         n: int) -> tuple[QuantalState, Array]:
    """Exact stochastic time step: u decays and each empty site recovers with probability
    ``1 - exp(-dt/tau_d)`` over the step, then the spike (indicator ``spike``) releases.

    The per-spike release counts have the distribution of :func:`event_releases` whatever ``dt``
    (for spikes on the grid). Returns ``(state, released)`` (released as the state's float dtype).
    """
    validate_params(params.U, tau_f=params.tau_f, tau_d=params.tau_d, n=n)
    n = fam.check_integer("n", n, 1)
    fam.check_dt(dt)
    check_key(key)
    u, a = state
    dtype = jnp.result_type(u)
    h = jnp.asarray(dt, dtype)
    draws = _uniforms(key, (2, *_draw_shape(jnp.shape(a), n)), dtype)
    p_uu, _ = fam.decay(h, params.tau_f)
    u_m = u * p_uu
    a_m = _recover(a, h, params.tau_d, n, draws[0])
    s = jnp.asarray(spike).astype(bool)
    u_p = u_m + params.U * (1.0 - u_m)
    rel = jnp.where(s, _binomial(draws[1], a_m, u_p, n), 0)
    return QuantalState(jnp.where(s, u_p, u_m), a_m - rel), rel.astype(dtype)


@accepts_units(U="1", tau_f="ms", tau_d="ms", isi="ms")
def steady_state(U: Any, *, tau_f: Any, tau_d: Any, isi: Any, n: int = 1,
                 weight: Any = 1.0) -> tuple[Array, Array, Array]:
    """Closed-form mean steady state of a regular train: ``(u_plus, x_minus, weight · n · u⁺x⁻)``
    with :math:`u^+_\\infty = U/(1-(1-U)e^{-\\Delta/\\tau_f})` and
    :math:`x^-_\\infty = (1-e^{-\\Delta/\\tau_d})/(1-(1-u^+_\\infty)e^{-\\Delta/\\tau_d})` (the ``tm`` values)."""
    fam.check_required(U=U, tau_f=tau_f, tau_d=tau_d)
    validate_params(U, tau_f=tau_f, tau_d=tau_d, n=n, weight=weight)
    n = fam.check_integer("n", n, 1)
    u, x, _, e = tm3.steady_state(U, tau_f=tau_f, tau_d=tau_d, tau_psc=0.0, isi=isi)
    return u, x, weight * n * e
