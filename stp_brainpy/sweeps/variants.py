r"""Efficacy sweep models for the rest of the STP family: ``markram``, ``tm3`` and ``quantal``.

Each describes ONE setting, like :func:`stp_brainpy.sweeps.models.stp_efficacy` (the ``tm``
model), and returns ``{'efficacy': (n_spikes,)}`` for the first ``n_spikes`` spikes of a
regular or Poisson train at ``rate`` Hz from rest. The equations live in the core
(:mod:`stp_brainpy.core.markram`, :mod:`~stp_brainpy.core.tm3`, :mod:`~stp_brainpy.core.quantal`,
through :func:`stp_brainpy.core.family.event_efficacies`); these functions only build the train.

==================  ==============================================================================
model               sweepable parameters (ranges from :data:`stp_brainpy.core.family.RANGES`)
==================  ==============================================================================
``markram``         ``U`` (0, 1], ``f`` [0, 1] (default U), ``tau_f`` [0, inf] ms,
                    ``tau_d`` (0, inf] ms, ``rate`` (0, inf) Hz; static ``read`` 'before' | 'after'
``tm3``             ``U``, ``tau_f``, ``tau_d``, ``tau_psc`` [0, inf] ms (default 3), ``rate``
``quantal``         ``U``, ``tau_f``, ``tau_d``, ``rate``, ``weight`` (default 1/n); static ``n``
                    (sites, integer >= 1); one stochastic trial per ``seed`` (required)
==================  ==============================================================================

All take static ``n_spikes`` (integer >= 1) and ``train`` ('regular' | 'poisson'); a Poisson
train draws exponential intervals of mean 1000/rate ms from ``jax.random.key(seed)``.

Example::

    >>> from stp_brainpy.sweeps import sweep, product
    >>> from stp_brainpy.sweeps.variants import markram_efficacy
    >>> ds = sweep(markram_efficacy, product(U=[0.2], f=[0.1, 0.3], tau_f=[500.], tau_d=[200.], rate=[20.]),
    ...            static={"n_spikes": 3, "read": "after"}, out_dims={"efficacy": ("spike",)})
    >>> [round(float(v), 4) for v in ds.efficacy.sel(f=0.3).values.ravel()][:1]   # u+ = 0.2 + 0.3 (1 - 0.2)
    [0.44]

References: Markram, Wang & Tsodyks (1998) PNAS 95:5323; Mongillo, Barak & Tsodyks (2008)
Science 319:1543; Tsodyks, Uziel & Markram (2000) J Neurosci 20:RC50; Fuhrmann et al. (2002)
J Neurophysiol 87:140.
"""
from __future__ import annotations

from typing import Any, Callable

import jax
import jax.numpy as jnp

from ..core import family, markram, tm3
from ..core.validation import check_choice
from .params import Choice, ParamSpec, Range, declare, family_ranges

from ..units import accepts_units
__all__ = ["markram_efficacy", "tm3_efficacy", "quantal_efficacy", "MARKRAM_PARAMS", "TM3_PARAMS",
           "QUANTAL_PARAMS", "QUANTAL_DIMS", "efficacy_model", "regular_times", "poisson_times", "quantal_keys"]

QUANTAL_DIMS = {"efficacy": ("spike",), "released": ("spike",)}

_RATE = Range(0.0, None, low_open=True, finite=True, unit="Hz")
_COUNT = Range(1, None, integer=True, finite=True, static=True)
_TRAIN = Choice(("regular", "poisson"))
_COMMON: dict[str, Range | Choice] = {"rate": _RATE, "n_spikes": _COUNT, "train": _TRAIN}

_MARKRAM = family_ranges("markram")
_MARKRAM["f"] = Range(0.0, 1.0, optional=True)  # None: f = U (Mongillo, Barak & Tsodyks 2008)
MARKRAM_PARAMS = ParamSpec({**_MARKRAM, **_COMMON, "read": Choice(("before", "after")),
                            "algorithm": Choice(("stepwise", "event"))})
TM3_PARAMS = ParamSpec({**family_ranges("tm3"), **_COMMON, "algorithm": Choice(("stepwise", "event"))})
QUANTAL_PARAMS = ParamSpec({**family_ranges("quantal"), **_COMMON, "n": _COUNT,
                            "weight": Range(finite=True, optional=True)})


@accepts_units(isi="ms")
def regular_times(n_spikes: int, isi: Any) -> jax.Array:
    """Spike times 0, isi, ..., (n-1)·isi (ms) of a regular train."""
    return jnp.arange(int(n_spikes), dtype=jnp.result_type(isi, float)) * isi


@accepts_units(isi="ms")
def poisson_times(key: Any, n_spikes: int, isi: Any) -> jax.Array:
    """Spike times of a Poisson train: cumulated exponential intervals of mean ``isi`` ms."""
    dtype = jnp.result_type(isi, float)
    return jnp.cumsum(jax.random.exponential(key, (int(n_spikes),), dtype) * isi)


def _stepped(step: Callable, state: Any, n_spikes: int, isi: Any) -> jax.Array:
    # From rest the step before the first spike changes nothing (rest is a fixed point), so n exact
    # steps of length isi, each ending in a spike, give spikes 1..n: unrolled, one fused kernel.
    effs = []
    for _ in range(int(n_spikes)):
        state, e = step(state, isi)
        effs.append(e)
    return jnp.stack(effs, axis=-1)


@accepts_units(U="1", tau_f="ms", tau_d="ms", f="1", rate="Hz")
@declare(MARKRAM_PARAMS)
def markram_efficacy(U, *, tau_f, tau_d, rate, f=None, n_spikes: int = 10, train: str = "regular", seed=0,
                     read: str = "before", algorithm: str = "stepwise") -> dict:
    """Efficacies :math:`u^{*}x^-` of spikes 1..``n_spikes`` of the Markram-form model from rest.

    ``u`` relaxes to ``U`` (``tau_f``), a spike raises it by ``f(1-u)``; ``x`` recovers to 1
    (``tau_d``); the efficacy reads u before (``read='before'``) or after the jump
    (:mod:`stp_brainpy.core.markram`). ``f`` defaults to ``U``. Regular trains: ``algorithm``
    ``'stepwise'`` (default: ``core.markram.step`` with ``dt = isi``, unrolled) or ``'event'``
    (``core.family.event_efficacies`` on the spike times); the same values to float rounding.

    >>> round(float(markram_efficacy(0.2, tau_f=500.0, tau_d=200.0, rate=10.0, n_spikes=2)["efficacy"][0]), 6)
    0.2
    """
    MARKRAM_PARAMS.check(dict(U=U, f=f, tau_f=tau_f, tau_d=tau_d, rate=rate, n_spikes=n_spikes, train=train,
                              read=read, algorithm=algorithm))
    isi = 1000.0 / rate
    f = U if f is None else f
    if train == "regular" and algorithm == "stepwise":
        p = markram.MarkramParams(U, f, tau_f, tau_d)
        dtype = jnp.result_type(U, f, tau_f, tau_d, isi, float)
        state = markram.rest_state(p, jnp.broadcast_shapes(*(jnp.shape(v) for v in p)), dtype)
        eff = _stepped(lambda s, h: markram.step(s, True, p, h, read=read), state, n_spikes, isi)
    else:
        times = regular_times(n_spikes, isi) if train == "regular" else poisson_times(jax.random.key(seed), n_spikes, isi)
        eff = family.event_efficacies("markram", times, dict(U=U, f=f, tau_f=tau_f, tau_d=tau_d), read=read)
    return {"efficacy": eff}


@accepts_units(U="1", tau_f="ms", tau_d="ms", tau_psc="ms", rate="Hz")
@declare(TM3_PARAMS)
def tm3_efficacy(U, *, tau_f, tau_d, rate, tau_psc=3.0, n_spikes: int = 10, train: str = "regular", seed=0,
                 algorithm: str = "stepwise") -> dict:
    """Efficacies :math:`u^+x^-` (NEST ``tsodyks_synapse``'s delivered weight / w) of spikes 1..``n_spikes``
    of the three-state model (:mod:`stp_brainpy.core.tm3`) from rest (``x = 1``, ``y = z = 0``).

    ``tau_psc`` (ms, [0, inf], default NEST's 3) is the inactivation time y → z; 0 gives ``tm``.
    ``algorithm`` as :func:`markram_efficacy` (``core.tm3.step`` unrolled, or event-driven).

    >>> round(float(tm3_efficacy(0.5, tau_f=0.0, tau_d=800.0, rate=100.0, n_spikes=2)["efficacy"][0]), 6)
    0.5
    """
    TM3_PARAMS.check(dict(U=U, tau_f=tau_f, tau_d=tau_d, tau_psc=tau_psc, rate=rate, n_spikes=n_spikes, train=train,
                          algorithm=algorithm))
    isi = 1000.0 / rate
    if train == "regular" and algorithm == "stepwise":
        p = tm3.TM3Params(U, tau_f, tau_d, tau_psc)
        dtype = jnp.result_type(U, tau_f, tau_d, tau_psc, isi, float)
        state = tm3.rest_state(jnp.broadcast_shapes(*(jnp.shape(v) for v in p)), dtype)
        eff = _stepped(lambda s, h: tm3.step(s, True, p, h), state, n_spikes, isi)
    else:
        times = regular_times(n_spikes, isi) if train == "regular" else poisson_times(jax.random.key(seed), n_spikes, isi)
        eff = family.event_efficacies("tm3", times, dict(U=U, tau_f=tau_f, tau_d=tau_d, tau_psc=tau_psc))
    return {"efficacy": eff}


def quantal_keys(seed: Any) -> tuple[jax.Array, jax.Array]:
    """``(train key, release key)`` of a quantal trial: ``jax.random.split(jax.random.key(seed))``."""
    k_train, k_release = jax.random.split(jax.random.key(seed))
    return k_train, k_release


@accepts_units(U="1", tau_f="ms", tau_d="ms", rate="Hz")
@declare(QUANTAL_PARAMS)
def quantal_efficacy(U, *, tau_f, tau_d, rate, seed, n: int = 1, weight=None, n_spikes: int = 10,
                     train: str = "regular") -> dict:
    """One stochastic trial of ``n`` release sites (:mod:`stp_brainpy.core.quantal`) on spikes 1..``n_spikes``.

    Returns ``efficacy`` = ``weight × released sites`` (``weight`` defaults to ``1/n``, so the mean
    over seeds is the ``tm`` efficacy :math:`u^+x^-`; NEST delivers ``w × released``: pass
    ``weight=w``) and ``released`` (integer counts). ``seed`` (required; sweep with ``seeds=``)
    gives the trial: the release draws use the second key of :func:`quantal_keys`, a Poisson
    train's intervals the first.

    >>> out = quantal_efficacy(1.0, tau_f=0.0, tau_d=100.0, rate=10.0, seed=0, n=5, n_spikes=1)
    >>> int(out["released"][0])   # U = 1: every site releases at the first spike
    5
    """
    QUANTAL_PARAMS.check(dict(U=U, tau_f=tau_f, tau_d=tau_d, rate=rate, n=n, weight=weight, n_spikes=n_spikes,
                              train=train))
    n = int(n)
    isi = 1000.0 / rate
    k_train, k_release = quantal_keys(seed)
    times = regular_times(n_spikes, isi) if train == "regular" else poisson_times(k_train, n_spikes, isi)
    from ..core import quantal

    released, _, _ = quantal.event_releases(times, U, tau_f=tau_f, tau_d=tau_d, n=n, key=k_release)
    w = 1.0 / n if weight is None else weight
    return {"efficacy": w * released.astype(jnp.result_type(times)), "released": released}


def efficacy_model(model: str) -> Callable[..., dict]:
    """The efficacy sweep model of an STP variant: ``'tm'`` (:func:`~stp_brainpy.sweeps.models.stp_efficacy`),
    ``'markram'``, ``'tm3'`` or ``'quantal'``."""
    check_choice("model", model, family.MODELS)
    if model == "tm":
        from .models import stp_efficacy

        return stp_efficacy
    return {"markram": markram_efficacy, "tm3": tm3_efficacy, "quantal": quantal_efficacy}[model]
