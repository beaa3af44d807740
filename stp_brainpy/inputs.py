r"""Input spike trains and noise currents: validated arrays and BrainPy input groups.

Arrays (time on the last axis, sample ``k`` at ``t = k·dt`` ms, ``steps = round(duration/dt)``):

- ``regular_train``: one spike every ``1000/rate`` ms; ``tutorial=True`` is the Neuromatch index
  convention ``train[::int((1e3/rate)/dt)] = 1`` (a spike at sample 0)
- ``poisson_train``: ``n`` Bernoulli-per-step trains (the tutorial's ``Poisson_generator``) from a
  seeded JAX key: the same seed gives the same trains on every run and machine
- ``spike_times_train``: given spike times → binary train
- ``gaussian_white_noise``: the tutorial's ``my_GWN``: ``mu + sig·N(0,1)/sqrt(dt/1000)`` (pA)

BrainPy: :class:`SpikeTrainGroup` is a ``bp.dyn.NeuDyn`` whose ``spike`` at step ``k`` is column
``k`` of a precomputed train (``SpikeTrainGroup.poisson(...)``, ``.regular(...)``,
``.from_times(...)``); a noise or any current array drives a neuron through ``bp.DSRunner``'s
``inputs=[('neu.input', I, 'iter')]``.

Validation (``ValueError`` naming the parameter, ``TypeError`` for strings, ``None`` or complex
where a number is needed): rates must be finite and ≥ 0 (> 0 for regular trains); a binary train
can hold at most one spike per step, so ``rate·dt/1000 ≤ 1`` is required, and above
:data:`MAX_SPIKE_PROB` = 0.1 a ``UserWarning`` says that the Bernoulli train under-represents a
Poisson process (it drops the ≈ p²/2 chance of two spikes per step: > 5 % of the spikes at
p = 0.1). ``duration`` and ``dt`` are finite and > 0 with at least one step; ``n`` and seeds are
integers (2.7 is refused, not truncated; seeds in [0, 2**32 - 1] or a JAX key); ``sig`` ≥ 0.
Trains given to the models must be binary.

>>> from stp_brainpy.inputs import poisson_train
>>> tr = poisson_train(10., n=80, duration=1000., seed=0)
>>> tr.shape
(80, 10000)
"""
from __future__ import annotations

import warnings
from typing import Optional, Sequence, Union

import brainpy as bp
import brainpy.math as bm
import jax
import jax.numpy as jnp
import numpy as np

from .core import spike_inputs as _k
from .core.circuits import n_steps
from .core.validation import check_binary, check_finite, check_integer, check_range, is_concrete

from .units import accepts_units
__all__ = ["MAX_SPIKE_PROB", "as_key", "regular_train", "poisson_train", "spike_times_train",
           "gaussian_white_noise", "check_train", "SpikeTrainGroup"]

MAX_SPIKE_PROB = 0.1
Seed = Union[int, jax.Array]


def _n_steps(duration: float, dt: float) -> int:
    """Samples of a run (:func:`stp_brainpy.core.circuits.n_steps`: t = k·dt, k < steps), checked: at least one."""
    check_finite("duration", duration, "ms")
    check_range("duration", duration, 0.0, None, low_open=True, unit="ms")
    _k.check_dt(dt)
    steps = n_steps(duration, dt)
    if steps < 1:
        raise ValueError(f"duration must hold at least one step of dt = {dt:g} ms; got {duration:g} ms")
    return steps


def as_key(seed: Seed) -> jax.Array:
    """A JAX PRNG key from an integer seed in [0, 2**32 - 1] or a key (returned as is)."""
    if isinstance(seed, jax.Array) and (jax.dtypes.issubdtype(seed.dtype, jax.dtypes.prng_key)
                                        or (seed.dtype == jnp.uint32 and seed.shape == (2,))):
        return seed  # a typed key, or a legacy raw uint32[2] key
    if not is_concrete(seed):
        raise TypeError("seed must be a concrete integer or a JAX key; got a traced value (pass a key instead)")
    return jax.random.key(check_integer("seed", seed, 0, 2**32 - 1))


def _check_rate(rate, dt, positive: bool = False) -> None:
    _k.check_rate(rate, dt, positive)
    if not is_concrete(rate):
        return
    p = (float(np.max(np.asarray(rate, float))) if np.size(rate) else 0.0) * dt / 1000.0
    if p > MAX_SPIKE_PROB:
        warnings.warn(f"rate·dt/1000 = {p:g} > {MAX_SPIKE_PROB}: a binary (Bernoulli) train drops the "
                      "chance of two spikes in one step; use a smaller dt for a Poisson process", UserWarning,
                      stacklevel=3)


def _check_flag(name: str, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {value!r} ({type(value).__name__})")
    return bool(value)


def check_train(name: str, train) -> None:
    """``ValueError`` unless ``train`` is binary (0/1 per step)."""
    check_binary(name, train)


@accepts_units(rate="Hz", duration="ms", dt="ms", start="ms")
def regular_train(rate: float, duration: float, dt: float = 0.1, n: int = 1, start: Optional[float] = None,
                  tutorial: bool = False, dtype=None) -> jax.Array:
    """Regular train(s) at ``rate`` Hz, shape ``(n, steps)`` (``(steps,)`` for ``n=1``).

    ``tutorial=True``: interval ``int((1e3/rate)/dt)`` steps, first spike at sample 0 (which the
    tutorial's loops never read). Otherwise spikes at ``start + k·1000/rate`` ms rounded to the
    grid (``start`` defaults to one interval, the tutorial's first effective spike).
    """
    steps = _n_steps(duration, dt)
    _check_rate(rate, dt, positive=True)
    if np.ndim(rate) != 0:
        raise ValueError(f"rate must be a single rate (Hz) for a regular train; got shape {np.shape(rate)}")
    n = check_integer("n", n, 1, None)
    if _check_flag("tutorial", tutorial):
        train = _k.regular_train(steps, _k.isi_steps(rate, dt), 0, dtype)
    else:
        isi = 1000.0 / rate
        start = isi if start is None else start
        check_finite("start", start, "ms")
        check_range("start", start, 0.0, None, unit="ms")
        times = start + isi * np.arange(int(np.ceil(max(duration - start, 0.0) / isi)) + 1)
        train = _k.times_to_train(times[times < duration], steps, dt, dtype)
    return train if n == 1 else jnp.broadcast_to(train, (n, steps))


@accepts_units(rate="Hz", duration="ms", dt="ms")
def poisson_train(rate, n: int, duration: float, dt: float = 0.1, seed: Seed = 0, dtype=None) -> jax.Array:
    """``n`` Poisson (Bernoulli-per-step) trains at ``rate`` Hz (scalar or one per train): ``(n, steps)``."""
    steps = _n_steps(duration, dt)
    n = check_integer("n", n, 0, None)
    _check_rate(rate, dt)
    if np.ndim(rate) > 1 or (np.ndim(rate) == 1 and np.size(rate) not in (1, n)):
        raise ValueError(f"rate must be a scalar or hold one rate per train (n = {n}); got shape {np.shape(rate)}")
    return _k.poisson_trains(as_key(seed), rate, n, steps, dt, dtype)


@accepts_units(spike_times="ms", duration="ms", dt="ms")
def spike_times_train(spike_times: Sequence[float], duration: float, dt: float = 0.1, dtype=None) -> jax.Array:
    """Binary train with a spike at the sample nearest to each time (ms); two in one step is an error."""
    steps = _n_steps(duration, dt)
    check_finite("spike_times", spike_times, "ms")
    if np.ndim(spike_times) > 1:
        raise ValueError(f"spike_times must be 1-D (one train); got shape {np.shape(spike_times)}")
    t = np.asarray(spike_times, float).ravel()
    check_range("spike_times", t, 0.0, duration, high_open=True, unit="ms")
    idx = np.round(t / dt).astype(int)
    if np.unique(idx).size != idx.size:
        raise ValueError("spike_times must fall into distinct steps (binary train: at most one spike per "
                         f"step of dt = {dt:g} ms); use a smaller dt")
    return _k.times_to_train(t, steps, dt, dtype)


@accepts_units(mu="pA", sig="pA", duration="ms", dt="ms")
def gaussian_white_noise(mu: float, sig: float, duration: float, dt: float = 0.1, seed: Seed = 0,
                         dtype=None) -> jax.Array:
    """The tutorial's ``my_GWN`` (pA): ``mu + sig·N(0,1)/sqrt(dt/1000)`` per step, seeded."""
    steps = _n_steps(duration, dt)
    check_finite("mu", mu, "pA")
    check_finite("sig", sig, "pA")
    check_range("sig", sig, 0.0, None, unit="pA")
    return _k.gaussian_white_noise(as_key(seed), mu, sig, steps, dt, dtype)


# ------------------------------------------------------------------------------------------------
# BrainPy input group
# ------------------------------------------------------------------------------------------------
class SpikeTrainGroup(bp.dyn.NeuDyn):
    r"""Neurons that replay precomputed binary trains: ``spike[i]`` at step ``k`` is ``train[i, k]``.

    Parameters
    ----------
    train : array (n, steps) or (steps,)
        Binary spike trains on the simulation grid (checked); after the last column no spikes.
    name, mode : as for every brainpy model.

    Example
    -------
    >>> import brainpy as bp
    >>> from stp_brainpy.inputs import SpikeTrainGroup
    >>> pre = SpikeTrainGroup.poisson(rate=10., n=80, duration=100., seed=1)
    >>> runner = bp.DSRunner(pre, monitors=['spike'], progress_bar=False)
    >>> _ = runner.run(100.)
    >>> bool((runner.mon['spike'].T == pre.train).all())
    True
    """

    def __init__(self, train, name: Optional[str] = None, mode=None):
        train = jnp.asarray(train)
        check_train("train", train)
        train = train.reshape(1, -1) if train.ndim == 1 else train
        if train.ndim != 2:
            raise ValueError(f"train must have shape (n, steps) or (steps,); got {train.shape}")
        super().__init__(size=train.shape[0], name=name, mode=mode)
        self.train = train.astype(bool)
        self.reset_state(self.mode)

    @classmethod
    def poisson(cls, rate, n: int, duration: float, dt: Optional[float] = None, seed: Seed = 0, **kw):
        """Group of ``n`` seeded Poisson trains (see :func:`poisson_train`)."""
        dt = bm.get_dt() if dt is None else dt
        return cls(poisson_train(rate, n, duration, dt, seed), **kw)

    @classmethod
    def regular(cls, rate: float, duration: float, dt: Optional[float] = None, n: int = 1, **kw):
        """Group of ``n`` regular trains (keyword options of :func:`regular_train` except ``dtype``)."""
        dt = bm.get_dt() if dt is None else dt
        opts = {k: kw.pop(k) for k in ("start", "tutorial") if k in kw}
        return cls(regular_train(rate, duration, dt, n, **opts), **kw)

    @classmethod
    def from_times(cls, spike_times: Sequence[Sequence[float]], duration: float, dt: Optional[float] = None,
                   **kw):
        """One train per list of spike times (ms)."""
        dt = bm.get_dt() if dt is None else dt
        return cls(jnp.stack([spike_times_train(t, duration, dt) for t in spike_times]), **kw)

    def reset_state(self, batch_or_mode=None, **kwargs):
        self.spike = self.init_variable(lambda s, **k: jnp.zeros(s, bool), batch_or_mode)

    def update(self, x=None):
        t = bp.share.load("t")
        dt = bp.share.load("dt")
        k = jnp.asarray(jnp.round(t / dt), jnp.int32)
        steps = self.train.shape[1]
        col = jax.lax.dynamic_index_in_dim(self.train, jnp.minimum(k, steps - 1), axis=1, keepdims=False)
        spike = jnp.where(k < steps, col, False)
        self.spike.value = jnp.broadcast_to(spike, self.spike.shape)
        return self.spike.value

    def return_info(self):
        return self.spike
