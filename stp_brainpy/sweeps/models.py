"""The package's common sweep runs: each describes ONE setting and returns named arrays.

All equations come from :mod:`stp_brainpy.core`; these functions only choose inputs and
what to keep. Use them with :func:`stp_brainpy.sweeps.sweep`::

    from stp_brainpy.sweeps import sweep, product
    from stp_brainpy.sweeps.models import stp_efficacy, EFFICACY_DIMS
    ds = sweep(stp_efficacy, product(U=[.1, .5], tau_d=[200.], tau_f=[50., 1500.], rate=[10., 20.]),
               static={"n_spikes": 10}, out_dims=EFFICACY_DIMS)

``stp_efficacy``
    event-driven efficacies :math:`u^+x^-` of the first ``n_spikes`` spikes of a regular
    (closed-form ``regular_train_efficacies``) or Poisson (``event_efficacies``) train.
``markram_efficacy``, ``tm3_efficacy``, ``quantal_efficacy``
    the same for the other variants of the family (:mod:`.variants`; ``efficacy_model(name)``
    gives the model of ``'tm'``, ``'markram'``, ``'tm3'`` or ``'quantal'``).
``chain_summary``
    the homework's time-stepped chain (pre-LIF driven by a constant current → TM synapse →
    exponential current), with summaries accumulated inside the scan so no trace ever
    leaves the device.
``chain_traces``
    the same chain's decimated traces (``core.circuits.lif_stp_chain``).
``cond_lif_stp``
    the Neuromatch conductance LIF with STP on every input synapse (tau_ratio, rates,
    seeds); uses :mod:`stp_brainpy.core.cond_lif` (imported lazily).

Each model declares its parameter ranges (``model.sweep_params``, see :mod:`.params`):
:func:`~stp_brainpy.sweeps.sweep` checks the grid and the static arguments against them
before anything runs, and a direct call with numbers checks its arguments.

References: Tsodyks & Markram (1997) PNAS 94:719; Tsodyks, Pawelzik & Markram (1998)
Neural Comput 10:821 (the event-driven update); the BrainPy homework and the Neuromatch
tutorial on short-term plasticity (the chain and the conductance LIF).
"""
from __future__ import annotations

import importlib

import jax
import jax.numpy as jnp

from ..core.circuits import lif_stp_chain, n_steps
from ..core.lif import LIFParams, lif_rest_state, lif_step
from ..core.stp import event_efficacies, exp_decay_step, regular_train_efficacies, rest_state, stp_step
from ..core.validation import METHODS
from .params import (Choice, ParamSpec, Range, declare, divides_steps_rule, euler_dt_rule, family_ranges,
                     min_steps_rule, rate_dt_rule)
from .variants import QUANTAL_DIMS, efficacy_model, markram_efficacy, quantal_efficacy, tm3_efficacy

from ..units import PARAM_UNITS, accepts_units
__all__ = ["stp_efficacy", "markram_efficacy", "tm3_efficacy", "quantal_efficacy", "efficacy_model", "EFFICACY_DIMS",
           "QUANTAL_DIMS", "chain_summary", "CHAIN_SUMMARIES", "chain_traces", "CHAIN_TRACE_DIMS",
           "chain_times", "cond_lif_stp"]

EFFICACY_DIMS = {"efficacy": ("spike",)}
CHAIN_TRACE_DIMS = {k: ("time",) for k in ("u", "x", "I", "efficacy", "V", "spike")}
CHAIN_SUMMARIES = ("n_spikes", "efficacy_first", "efficacy_last", "efficacy_sum", "I_peak", "I_mean",
                   "u_final", "x_final")

_U = Range(0.0, 1.0, low_open=True)
_TAU = Range(0.0, None, low_open=True, unit="ms")  # inf: no recovery / no decay, computed as the limit
_RATE = Range(0.0, None, low_open=True, finite=True, unit="Hz")
_STEP: dict[str, Range | Choice] = dict(duration=Range(0.0, None, low_open=True, finite=True, unit="ms", static=True),
             dt=Range(0.0, None, low_open=True, finite=True, unit="ms", static=True))
_COUNT = Range(1, None, integer=True, finite=True, static=True)
_REAL = Range(finite=True)

# U, tau_f, tau_d as the core's family registry has them (tau_f = 0: no facilitation, NEST's convention)
EFFICACY_PARAMS = ParamSpec({**family_ranges("tm"), "rate": _RATE, "n_spikes": _COUNT,
                             "train": Choice(("regular", "poisson")), "algorithm": Choice(("stepwise", "closed"))})
_CHAIN: dict[str, Range | Choice] = {"U": _U, "tau_f": _TAU, "tau_d": _TAU, "tau_s": _TAU, "A": _REAL, "current": _REAL, **_STEP,
          "method": Choice(METHODS)}
_CHAIN_RULES = (min_steps_rule(), euler_dt_rule(("tau_f", "tau_d", "tau_s")))
CHAIN_PARAMS = ParamSpec(_CHAIN, _CHAIN_RULES)
CHAIN_TRACE_PARAMS = ParamSpec({**_CHAIN, "decimate": _COUNT}, _CHAIN_RULES + (divides_steps_rule(),))
_RATE0 = Range(0.0, None, finite=True, unit="Hz")
COND_LIF_PARAMS = ParamSpec(
    {"tau_ratio": Range(0.0, None, low_open=True, finite=True), "rate_E": _RATE0, "rate_I": _RATE0, **_STEP,
     "n_E": _COUNT, "n_I": _COUNT, "U0": _U, "tau_E": _TAU, "tau_I": _TAU,
     "gE_bar": Range(0.0, None, finite=True, unit="nS"), "gI_bar": Range(0.0, None, finite=True, unit="nS"),
     "I_inj": _REAL, "method": Choice(METHODS), "min_spikes": _COUNT,
     "max_spikes": Range(1, None, integer=True, finite=True, static=True, optional=True)},
    (rate_dt_rule("rate_E"), rate_dt_rule("rate_I"), min_steps_rule()),
    defaults={"dt": 0.1},  # the core model's, passed on through **kwargs
)


@accepts_units(U="1", tau_f="ms", tau_d="ms", rate="Hz")
@declare(EFFICACY_PARAMS)
def stp_efficacy(U, *, tau_f, tau_d, rate, n_spikes: int = 10, train: str = "regular", seed=0,
                 algorithm: str = "stepwise") -> dict:
    """Efficacies of spikes 1..``n_spikes`` of a train at ``rate`` Hz from rest.

    Between spikes ``u`` decays to 0 with ``tau_f`` and ``x`` recovers to 1 with ``tau_d``
    (exactly); at a spike ``u⁺ = u⁻ + U(1 − u⁻)``, the efficacy is ``u⁺x⁻`` and
    ``x⁺ = x⁻ − u⁺x⁻`` (Tsodyks, Pawelzik & Markram 1998).

    Parameters
    ----------
    U : release increment, (0, 1].
    tau_f : facilitation time constant (ms), [0, inf] (0: no facilitation, ``u⁺ = U``; inf: the limit).
    tau_d : depression (recovery) time constant (ms), (0, inf] (inf: the limit).
    rate : presynaptic rate (Hz), (0, inf). A regular train has interval 1000/rate ms; a
        Poisson train draws exponential intervals of that mean from ``seed``.
    n_spikes : static, number of spikes, a positive integer (default 10).
    train : static, ``'regular'`` (default) or ``'poisson'``.
    seed : uint32 key material for ``'poisson'`` (ignored for ``'regular'``).
    algorithm : static, for regular trains: ``'stepwise'`` (default) applies the exact
        spike-to-spike update ``core.stp.stp_step(dt=isi)`` ``n_spikes`` times, unrolled, so
        a batch is one fused elementwise kernel (fastest); ``'closed'`` uses
        ``core.stp.regular_train_efficacies`` (closed-form u⁺, scanned x⁻). Same values to
        float rounding.

    Returns ``{'efficacy': (n_spikes,)}``.

    >>> float(stp_efficacy(0.5, tau_f=100.0, tau_d=200.0, rate=10.0, n_spikes=2)["efficacy"][0])
    0.5
    """
    EFFICACY_PARAMS.check(dict(U=U, tau_f=tau_f, tau_d=tau_d, rate=rate, n_spikes=n_spikes, train=train,
                               algorithm=algorithm))
    isi = 1000.0 / rate
    if train == "regular" and algorithm == "stepwise":
        # From rest the decay before the first spike is the identity, so n exact steps of
        # length isi, each ending in a spike, give the efficacies of spikes 1..n.
        state = rest_state(jnp.shape(U), jnp.result_type(U, float))
        effs = []
        for _ in range(int(n_spikes)):
            state, e = stp_step(state, 1.0, U, tau_f=tau_f, tau_d=tau_d, dt=isi, method="exact")
            effs.append(e)
        eff = jnp.stack(effs, axis=-1)
    elif train == "regular" and algorithm == "closed":
        eff, _, _ = regular_train_efficacies(int(n_spikes), U, tau_f=tau_f, tau_d=tau_d, isi=isi)
    elif train == "poisson":
        dtype = jnp.result_type(float)
        gaps = jax.random.exponential(jax.random.key(seed), (int(n_spikes),), dtype) * isi
        eff, _, _ = event_efficacies(jnp.cumsum(gaps), U, tau_f=tau_f, tau_d=tau_d)
    elif train == "regular":
        raise ValueError(f"algorithm must be 'stepwise' or 'closed'; got {algorithm!r}")
    else:
        raise ValueError(f"train must be 'regular' or 'poisson'; got {train!r}")
    return {"efficacy": eff}


@accepts_units(U="1", tau_f="ms", tau_d="ms", tau_s="ms", current="mV", duration="ms", dt="ms")
@declare(CHAIN_PARAMS)
def chain_summary(U, *, tau_f, tau_d, tau_s=8.0, A=1.0, current=28.0, duration: float = 150.0, dt: float = 0.1,
                  method: str = "exact", lif: LIFParams = LIFParams()) -> dict:
    """Homework chain (pre-LIF → TM synapse → exponential current) reduced to summaries in the scan.

    Same step as :func:`stp_brainpy.core.circuits.lif_stp_chain` (LIF step, then
    ``stp_step`` on its spike, then ``exp_decay_step`` with drive ``A·efficacy``), but the
    carry accumulates the summaries, so memory does not grow with ``duration``.

    Parameters: ``U`` in (0, 1]; ``tau_f``, ``tau_d``, ``tau_s`` (ms) in (0, inf]; ``A``
    (drive per unit efficacy) and ``current`` (the pre-LIF's input, mV) finite; static
    ``duration`` (ms, at least one step) and ``dt`` (ms) > 0; ``method`` ``'exact'`` or
    ``'euler'`` (then ``dt`` below every time constant); ``lif`` the pre-neuron.

    Returns scalars: ``n_spikes`` (presynaptic), ``efficacy_first`` / ``efficacy_last`` (of
    the first / last spike, 0 without spikes), ``efficacy_sum``, ``I_peak``, ``I_mean`` (over
    the run), ``u_final``, ``x_final``.

    >>> out = chain_summary(0.2, tau_f=100.0, tau_d=300.0, duration=30.0)
    >>> round(float(out["efficacy_first"]), 6)  # the first spike from rest releases U
    0.2
    """
    CHAIN_PARAMS.check(dict(U=U, tau_f=tau_f, tau_d=tau_d, tau_s=tau_s, A=A, current=current, duration=duration,
                            dt=dt, method=method))
    n = n_steps(duration, dt)
    dtype = jnp.result_type(float)
    zero = jnp.zeros((), dtype)

    def step(carry, t):
        neuron, syn, I, (count, first, last, esum, ipeak, isum) = carry
        neuron = lif_step(neuron, current, t, dt, lif)
        syn, eff = stp_step(syn, neuron.spike, U, tau_f=tau_f, tau_d=tau_d, dt=dt, method=method)
        I = exp_decay_step(I, A * eff, tau_s, dt, method)
        spk = neuron.spike
        summ = (count + spk.astype(dtype), jnp.where(spk & (count == 0), eff, first), jnp.where(spk, eff, last),
                esum + eff, jnp.maximum(ipeak, I), isum + I)
        return (neuron, syn, I, summ), None

    init = (lif_rest_state((), lif, dtype), rest_state((), dtype), zero, (zero,) * 6)
    ts = jnp.arange(n, dtype=dtype) * dt
    (_, syn, _, (count, first, last, esum, ipeak, isum)), _ = jax.lax.scan(step, init, ts)
    # a count is an integer (exact in float to 2**24 steps, far beyond any run's spike count)
    return {"n_spikes": count.astype(jnp.int32), "efficacy_first": first, "efficacy_last": last, "efficacy_sum": esum,
            "I_peak": ipeak, "I_mean": isum / n, "u_final": syn.u, "x_final": syn.x}


@accepts_units(U="1", tau_f="ms", tau_d="ms", tau_s="ms", current="mV", duration="ms", dt="ms")
@declare(CHAIN_TRACE_PARAMS)
def chain_traces(U, *, tau_f, tau_d, tau_s=8.0, A=1.0, current=28.0, duration: float = 150.0, dt: float = 0.1,
                 method: str = "exact", decimate: int = 1) -> dict:
    """Traces of the homework chain sampled every ``decimate`` steps (dims: ``CHAIN_TRACE_DIMS``).

    Parameters as :func:`chain_summary`; ``decimate`` (static) a positive integer dividing
    the number of steps. Coordinates for the ``time`` dimension: :func:`chain_times`.
    """
    CHAIN_TRACE_PARAMS.check(dict(U=U, tau_f=tau_f, tau_d=tau_d, tau_s=tau_s, A=A, current=current,
                                  duration=duration, dt=dt, method=method, decimate=decimate))
    tr = lif_stp_chain(U, tau_f=tau_f, tau_d=tau_d, tau_s=tau_s, A=A, current=current, duration=duration, dt=dt, method=method,
                       decimate=decimate)
    return dict(tr._asdict())


@accepts_units(duration="ms", dt="ms")
def chain_times(duration: float = 150.0, dt: float = 0.1, decimate: int = 1):
    """Times (ms) of the samples :func:`chain_traces` keeps."""
    import numpy as np

    CHAIN_TRACE_PARAMS.check(dict(duration=duration, dt=dt, decimate=decimate))
    n = n_steps(duration, dt)
    return (np.arange(n) * dt).reshape(-1, decimate)[:, -1] if decimate > 1 else np.arange(n) * dt


# ----------------------------------------------------------------------------------------------
# conductance LIF with STP (core.cond_lif; imported when called)
# ----------------------------------------------------------------------------------------------
def _cond_lif_module():
    return importlib.import_module("stp_brainpy.core.cond_lif")


@accepts_units(PARAM_UNITS, rate_E="Hz", rate_I="Hz", duration="ms")
@declare(COND_LIF_PARAMS)
def cond_lif_stp(tau_ratio, rate_E, rate_I=15.0, *, seed=0, duration: float = 1000.0, **kwargs) -> dict:
    """Neuromatch conductance LIF with STP on every input synapse, reduced to summaries.

    Thin wrapper of :func:`stp_brainpy.core.cond_lif.cond_lif_stp_summary` (imported when
    called): ``tau_ratio`` scales the STP time constants (τd = 500·r, τf = 300·r ms, U0 = 0.45);
    ``rate_E`` / ``rate_I`` are the Poisson rates (Hz) of the 80 excitatory / 20 inhibitory
    inputs; ``seed`` draws the trains; extra keyword arguments (``stp=False``, ``dt``,
    ``method``, ...) go to the core model. Returns ``rate`` (Hz), ``cv_isi``, ``n_spikes``,
    ``fmp_mean`` and ``fmp_std`` (mV, free membrane potential).

    Ranges: ``tau_ratio`` in (0, inf); rates in [0, inf) Hz with ``rate·dt ≤ 1``
    (Bernoulli trains, ``dt`` default 0.1 ms); ``duration`` at least one step.
    """
    COND_LIF_PARAMS.check(dict(tau_ratio=tau_ratio, rate_E=rate_E, rate_I=rate_I, duration=duration, **kwargs))
    out = dict(_cond_lif_module().cond_lif_stp_summary(tau_ratio, rate_E, rate_I, seed=seed, duration=duration,
                                                       **kwargs))
    if "n_spikes" in out:  # the core sums in float: a count
        out["n_spikes"] = jnp.asarray(out["n_spikes"]).astype(jnp.int32)
    return out
