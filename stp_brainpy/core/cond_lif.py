r"""The Neuromatch tutorial's conductance LIF runs (``run_LIF_cond`` / ``run_LIF_cond_STP``, W2D3 T3).

.. math::

    \tau_m \frac{dV}{dt} = -(V - E_L) - \frac{g_E}{g_L}(V - E_E) - \frac{g_I}{g_L}(V - E_I)
                           + \frac{I_{inj}}{g_L}, \qquad
    \frac{dg_{E,I}}{dt} = -\frac{g_{E,I}}{\tau_{E,I}} + \sum_k \Delta g_k\,\delta(t - t_k).

The neuron (parameters, membrane equation, threshold and refractory rule) is the package's one
conductance LIF, :mod:`stp_brainpy.core.cond_neuron` (its names are importable from here too).
One step ``it → it+1`` (the tutorial's loop body, reordered so a step ends with the check of
the value it produced): the conductances decay and jump by the increments arriving at
``it+1``; ``V`` is integrated from ``V[it]`` with ``g[it+1]`` and ``I_inj[it]``; then the
threshold check of ``V[it+1]``: while refractory, ``V`` is held at ``V_reset`` and the counter
goes down by one; else ``V ≥ V_th`` records a spike at ``it+1``, sets ``V_reset`` and holds it
``ceil(tau_ref/dt)`` steps (the tutorial's ``tr = tref/dt`` counter; ``tref`` is ``tau_ref``
here). The tutorial checks ``V[0]`` too and never checks its last sample; traces here check
every sample.

Methods: ``'euler'`` is the tutorial's forward Euler (``V``) and ``g - dt/τ·g + Δg``
(:func:`stp_brainpy.core.stp.exp_decay_step`); ``'exact'`` decays ``g`` exactly and advances ``V``
with exponential Euler (exact for conductances frozen over the step).
The free membrane potential (FMP) is the same run with the threshold removed (``V_th = inf``).

STP on every input synapse (the tutorial's bonus): each train has its own ``u, x`` advanced by
:func:`stp_brainpy.core.stp.stp_step` (``'euler'`` = the tutorial's ``dynamic_syn``) and the
conductance increment of a step is ``ḡ Σ_i u_i⁺ x_i⁻ s_i``. Conductances are linear in their
increments, so one exponential per target (E, I) equals the tutorial's sum of per-synapse
conductances.

Every public function checks concrete arguments eagerly (parameters, trains 1-D/2-D and
finite); inside ``jax.jit``/``jax.vmap`` values are traced and the eager caller checks them.

Reference: Neuromatch Academy, Computational Neuroscience, W2D3 Tutorial 3 (synaptic transmission).

>>> import jax.numpy as jnp
>>> tr = run_cond_lif(jnp.zeros(1000), jnp.zeros(1000), I_inj=300.0)
>>> int(tr.spike.sum()) > 0
True
"""
from __future__ import annotations

from typing import NamedTuple, Optional

import jax
import jax.numpy as jnp
import numpy as np

from .cond_neuron import (COBA_NEURON, CondLIFParams, conductance_lif_step, conductance_membrane_step, membrane_step,
                          refractory_steps, threshold_check, validate_cond_lif_params)
from .stp import STPState, exp_decay_step, rest_state, stp_step, validate_stp_params
from .validation import (check_finite, check_integer, check_method, check_positive, check_probability, check_range,
                         is_concrete)

from ..units import accepts_units
__all__ = ["CondLIFParams", "CondLIFState", "CondLIFTrace", "STPParams", "COBA_NEURON", "validate_cond_lif_params",
           "refractory_steps", "threshold_check", "conductance_membrane_step", "membrane_step",
           "conductance_lif_step", "cond_lif_step", "run_cond_lif", "stp_conductance", "stp_drive",
           "stp_drive_events", "run_cond_lif_inputs", "bonus_params", "cond_lif_stp_summary"]

Array = jax.Array


class CondLIFState(NamedTuple):
    V: Array     # membrane potential after the threshold check (mV)
    ref: Array   # refractory steps still to hold (the tutorial's ``tr``, whole steps)
    gE: Array    # excitatory conductance (nS)
    gI: Array    # inhibitory conductance (nS)


class CondLIFTrace(NamedTuple):
    V: Array
    spike: Array
    gE: Array
    gI: Array


@accepts_units(U="1", tau_f="ms", tau_d="ms")
class STPParams(NamedTuple):
    """Tsodyks–Markram parameters of one synapse type (``U`` in (0, 1], times in ms)."""

    U: float
    tau_f: float
    tau_d: float


@accepts_units(drive_E="nS", drive_I="nS", I_inj="pA", dt="ms")
def cond_lif_step(state: CondLIFState, drive_E, drive_I, I_inj, p: CondLIFParams, dt,
                  method: str = "euler") -> tuple[CondLIFState, Array]:
    """One step; ``drive_E/I`` are the conductance jumps (nS) arriving at the new sample."""
    gE = exp_decay_step(state.gE, drive_E, p.tau_E, dt, method)
    gI = exp_decay_step(state.gI, drive_I, p.tau_I, dt, method)
    V, ref, spike = conductance_lif_step(state.V, state.ref, gE + gI, gE * p.E_E + gI * p.E_I, I_inj, p, dt, method)
    return CondLIFState(V, ref, gE, gI), spike


def _check_trains(name: str, value, ndims=(1, 2)) -> None:
    """Concrete drives/trains: the right number of dimensions, at least one sample, finite."""
    if value is None or not is_concrete(value):
        return
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be an array of numbers; got dtype {arr.dtype}")
    if arr.ndim not in ndims:
        raise ValueError(f"{name} must have {' or '.join(map(str, ndims))} dimension(s) (.., steps); got shape {arr.shape}")
    if arr.shape[-1] < 1:
        raise ValueError(f"{name} must hold at least one sample; got shape {arr.shape}")
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite; found NaN or inf")


@accepts_units(drive_E="nS", drive_I="nS", I_inj="pA", dt="ms")
def run_cond_lif(drive_E, drive_I, I_inj=0.0, p: CondLIFParams = CondLIFParams(), dt: float = 0.1,
                 method: str = "euler", fmp: bool = False) -> CondLIFTrace:
    """Traces over ``steps = len(drive_E)`` samples (one trial; ``jax.vmap`` for batches).

    Args:
      drive_E, drive_I: (steps,) conductance jumps (nS) at each sample; sample 0 is never
        read (as in the tutorial: ``g[0] = 0``). For static synapses ``ḡ·Σ trains``.
      I_inj: injected current (pA), scalar or (steps,); ``I_inj[it]`` drives ``it → it+1``.
      fmp: remove the threshold (free membrane potential).

    Returns:
      ``CondLIFTrace`` of (steps,) arrays: ``V`` (after each check), ``spike`` (bool),
      ``gE``, ``gI``.
    """
    validate_cond_lif_params(p, dt, method)
    _check_trains("drive_E", drive_E, (1,))
    _check_trains("drive_I", drive_I, (1,))
    check_finite("I_inj", I_inj, "pA")
    if np.shape(drive_I) != np.shape(drive_E) or np.ndim(I_inj) > 1 or np.size(I_inj) not in (1, np.shape(drive_E)[-1]):
        raise ValueError(f"drive_E, drive_I (and I_inj when an array) must have one length (steps,); got shapes "
                         f"{np.shape(drive_E)}, {np.shape(drive_I)}, {np.shape(I_inj)}")
    drive_E = jnp.asarray(drive_E)
    dtype = jnp.result_type(drive_E.dtype, float)
    steps = drive_E.shape[-1]
    if fmp:
        p = p._replace(V_th=jnp.inf)
    I = jnp.broadcast_to(jnp.asarray(I_inj, dtype), (steps,))
    V0, ref0, spike0 = threshold_check(jnp.asarray(p.V_init, dtype), jnp.zeros((), dtype), p, dt)
    init = CondLIFState(V0, ref0, jnp.zeros((), dtype), jnp.zeros((), dtype))

    def body(state, xs):
        dE, dI, i = xs
        state, spike = cond_lif_step(state, dE, dI, i, p, dt, method)
        return state, (state.V, spike, state.gE, state.gI)

    xs = (drive_E[1:].astype(dtype), jnp.asarray(drive_I, dtype)[1:], I[:-1])
    _, (V, spike, gE, gI) = jax.lax.scan(body, init, xs)
    cat = lambda a, b: jnp.concatenate([jnp.reshape(a, (1,)).astype(b.dtype), b])
    return CondLIFTrace(cat(init.V, V), cat(spike0, spike), cat(init.gE, gE), cat(init.gI, gI))


@accepts_units(U="1", tau_f="ms", tau_d="ms", g_bar="nS", tau_s="ms", dt="ms")
def stp_conductance(train, U, *, tau_f, tau_d, g_bar, tau_s, dt: float = 0.1, method: str = "euler"):
    """The tutorial's ``dynamic_syn`` for one or more trains: ``(u, x, g)`` traces.

    ``train`` is (steps,) or (n, steps); sample 0 is never read. ``x`` is the tutorial's ``R``.
    Built from :func:`stp_step` and :func:`exp_decay_step` (``'euler'`` reproduces the
    tutorial to rounding).
    """
    validate_stp_params(U=U, tau_f=tau_f, tau_d=tau_d, tau_s=tau_s, dt=dt, method=method)
    _check_trains("train", train)
    check_range("g_bar", g_bar, 0.0, None, unit="nS")
    check_finite("g_bar", g_bar, "nS")
    train = jnp.asarray(train)
    dtype = jnp.result_type(train.dtype, float)
    shape = train.shape[:-1]
    init = (rest_state(shape, dtype), jnp.zeros(shape, dtype))

    def body(carry, s):
        st, g = carry
        st, eff = stp_step(st, s, U, tau_f=tau_f, tau_d=tau_d, dt=dt, method=method)
        g = exp_decay_step(g, g_bar * eff, tau_s, dt, method)
        return (st, g), (st.u, st.x, g)

    _, (u, x, g) = jax.lax.scan(body, init, jnp.moveaxis(train.astype(dtype), -1, 0)[1:])
    first = lambda a0, a: jnp.moveaxis(jnp.concatenate([a0[None], a]), 0, -1)
    return first(init[0].u, u), first(init[0].x, x), first(init[1], g)


@accepts_units(g_bar="nS", dt="ms")
def stp_drive(trains, g_bar, stp: Optional[STPParams], dt: float = 0.1, method: str = "euler") -> Array:
    """Per-sample conductance jump ``ḡ Σ_i e_i`` of a group of trains (n, steps) → (steps,).

    ``stp=None``: static synapses (``e_i = s_i``, the tutorial's ``run_LIF_cond``); else every
    train has its own ``u, x`` (``run_LIF_cond_STP``). Sample 0 gets 0 (never read).
    """
    _check_trains("trains", trains, (2,))
    _check_gbar_stp(g_bar, stp, dt, method)
    trains = jnp.asarray(trains)
    dtype = jnp.result_type(trains.dtype, float)
    if stp is None:
        total = trains.astype(dtype).sum(axis=0)
        return (g_bar * total).at[0].set(0.0)
    U, tau_f, tau_d = stp

    def body(st, s):
        st, eff = stp_step(st, s, U, tau_f=tau_f, tau_d=tau_d, dt=dt, method=method)
        return st, g_bar * eff.sum()

    _, drive = jax.lax.scan(body, rest_state(trains.shape[:-1], dtype), trains.astype(dtype).T[1:])
    return jnp.concatenate([jnp.zeros((1,), dtype), drive])


@accepts_units(g_bar="nS", dt="ms")
def stp_drive_events(spike_idx, g_bar, stp: Optional[STPParams], steps: int, dt: float = 0.1,
                     method: str = "euler", dtype=None) -> Array:
    """:func:`stp_drive` from spike indices instead of dense trains: same numbers, work ∝ spikes.

    ``spike_idx``: (n, K) increasing sample indices per train, ``≥ steps`` (or 0: never read, as
    in the tutorial) for empty slots. Between two spikes the state follows the step map without
    spikes in closed form — Euler: ``u·(1-dt/τf)^m``, ``1-x → (1-x)(1-dt/τd)^m``; exact: one
    :func:`stp_step` over the whole gap — then :func:`stp_step` applies the spike's step.
    """
    _check_gbar_stp(g_bar, stp, dt, method)
    steps = check_integer("steps", steps, low=1)
    if is_concrete(spike_idx):
        raw = np.asarray(spike_idx)
        if raw.ndim != 2 or raw.dtype.kind not in "iu":
            raise ValueError(f"spike_idx must be a 2-D integer array (n, K); got shape {raw.shape}, dtype {raw.dtype}")
    idx = jnp.asarray(spike_idx)
    dtype = dtype or jnp.result_type(float)
    n = idx.shape[0]
    if stp is None:
        eff_all = jnp.ones(idx.shape, dtype)
    else:
        U, tau_f, tau_d = stp

        def body(carry, k):
            st, k_prev = carry
            valid = (k >= 1) & (k < steps)
            if method == "euler":
                m = (k - 1 - k_prev).astype(dtype)  # spike-free Euler steps before the spike's step
                dec = STPState(st.u * (1.0 - dt / tau_f) ** m, 1.0 - (1.0 - st.x) * (1.0 - dt / tau_d) ** m)
                new, eff = stp_step(dec, 1.0, U, tau_f=tau_f, tau_d=tau_d, dt=dt, method="euler")
            else:
                new, eff = stp_step(st, 1.0, U, tau_f=tau_f, tau_d=tau_d, dt=(k - k_prev).astype(dtype) * dt, method=method)
            st = STPState(jnp.where(valid, new.u, st.u), jnp.where(valid, new.x, st.x))
            return (st, jnp.where(valid, k, k_prev)), jnp.where(valid, eff, 0.0)

        init = (rest_state((n,), dtype), jnp.zeros((n,), idx.dtype))
        _, eff_all = jax.lax.scan(body, init, idx.T)
        eff_all = eff_all.T
    ok = (idx >= 1) & (idx < steps)
    return jnp.zeros(steps, dtype).at[jnp.where(ok, idx, steps)].add(g_bar * eff_all, mode="drop")


def _check_gbar_stp(g_bar, stp, dt, method) -> None:
    check_range("g_bar", g_bar, 0.0, None, unit="nS")
    check_finite("g_bar", g_bar, "nS")
    check_method(method)
    check_positive("dt", dt)
    if stp is not None:
        if len(stp) != 3:
            raise ValueError(f"stp must be None or STPParams(U, tau_f, tau_d); got {stp!r}")
        validate_stp_params(U=stp[0], tau_f=stp[1], tau_d=stp[2], dt=dt, method=method)


@accepts_units(gE_bar="nS", gI_bar="nS", I_inj="pA", dt="ms")
def run_cond_lif_inputs(trains_E, trains_I, gE_bar, gI_bar, stp_E: Optional[STPParams] = None,
                        stp_I: Optional[STPParams] = None, I_inj=0.0, p: CondLIFParams = CondLIFParams(),
                        dt: float = 0.1, method: str = "euler", fmp: bool = False) -> CondLIFTrace:
    """``run_LIF_cond`` (``stp_E = stp_I = None``) or ``run_LIF_cond_STP`` on binary trains (n, steps)."""
    dE = stp_drive(trains_E, gE_bar, stp_E, dt, method)
    dI = stp_drive(trains_I, gI_bar, stp_I, dt, method)
    return run_cond_lif(dE, dI, I_inj, p, dt, method, fmp)


def bonus_params(tau_ratio, U0: float = 0.45) -> STPParams:
    """The bonus section's STP: ``U0 = 0.45``, ``τd = 500·r``, ``τf = 300·r`` ms."""
    return STPParams(U0, 300.0 * tau_ratio, 500.0 * tau_ratio)


@accepts_units(rate_E="Hz", rate_I="Hz", duration="ms", dt="ms", gE_bar="nS", gI_bar="nS", tau_E="ms", tau_I="ms", U0="1", I_inj="pA")
def cond_lif_stp_summary(tau_ratio, rate_E, rate_I=15.0, *, seed=0, duration: float = 1000.0, dt: float = 0.1,
                         n_E: int = 80, n_I: int = 20, gE_bar=4.8, gI_bar=6.4, tau_E=5.0, tau_I=10.0,
                         U0=0.45, I_inj=0.0, stp: bool = True, method: str = "euler",
                         min_spikes: int = 4, max_spikes: Optional[int] = None) -> dict:
    """The bonus model for ONE setting, reduced to scalars (jittable; ``seed`` draws the trains).

    Trains: ``n_E`` excitatory at ``rate_E`` and ``n_I`` inhibitory at ``rate_I`` Hz,
    Bernoulli per step, from ``jax.random.key(seed)`` split in two. ``stp=False`` gives
    static synapses on the same trains (``stp`` may also be a traced bool, e.g. a sweep axis). Returns ``rate`` (Hz), ``cv_isi`` (NaN with fewer
    than ``min_spikes`` spikes), ``cv_isi_late`` (the same over the second half of the run, past
    the depression transient), ``n_spikes``, ``fmp_mean``, ``fmp_std`` (mV).

    ``max_spikes=None`` draws one uniform per step and train (the tutorial's generator);
    an int draws the same law as geometric gaps with that many slots per train
    (:func:`~stp_brainpy.core.spike_inputs.poisson_spike_indices`) and computes the drives
    event by event (:func:`stp_drive_events`): far less work for sparse inputs.
    """
    from ..analysis import cv_isi, firing_rate
    from .spike_inputs import poisson_spike_indices, poisson_trains

    # concrete arguments are checked here; a sweep passes tracers (checked by its own grid)
    check_positive("dt", dt)
    check_positive("duration", duration)
    check_finite("duration", duration, "ms")
    check_positive("tau_ratio", tau_ratio, unit="")
    for name, rate in (("rate_E", rate_E), ("rate_I", rate_I)):
        check_range(name, rate, 0.0, None if not is_concrete(dt) else 1000.0 / dt, unit="Hz (rate·dt ≤ 1)")
    n_E, n_I = check_integer("n_E", n_E, low=0), check_integer("n_I", n_I, low=0)
    check_integer("seed", seed)
    check_integer("min_spikes", min_spikes, low=1)
    if max_spikes is not None:
        max_spikes = check_integer("max_spikes", max_spikes, low=1)
    for name, v in (("gE_bar", gE_bar), ("gI_bar", gI_bar)):
        check_range(name, v, 0.0, None, unit="nS")
    check_probability("U0", U0)
    check_positive("tau_E", tau_E)
    check_positive("tau_I", tau_I)
    check_method(method)
    steps = int(round(duration / dt))
    if steps < 1:
        raise ValueError(f"duration must be at least one step dt={dt:g} ms; got {duration:g} ms")
    dtype = jnp.result_type(float)
    kE, kI = jax.random.split(jax.random.key(seed))
    if max_spikes is None:
        trE = poisson_trains(kE, rate_E, n_E, steps, dt, dtype)
        trI = poisson_trains(kI, rate_I, n_I, steps, dt, dtype)
    p = CondLIFParams(tau_E=tau_E, tau_I=tau_I)
    syn = bonus_params(tau_ratio, U0)
    if max_spikes is not None:  # event-driven drives from spike indices
        iE = poisson_spike_indices(kE, rate_E, n_E, steps, dt, max_spikes, dtype)
        iI = poisson_spike_indices(kI, rate_I, n_I, steps, dt, max_spikes, dtype)
        drive = lambda i, g, s: stp_drive_events(i, g, s, steps, dt, method, dtype)
        if isinstance(stp, bool):
            dE, dI = drive(iE, gE_bar, syn if stp else None), drive(iI, gI_bar, syn if stp else None)
        else:
            dE = jnp.where(stp, drive(iE, gE_bar, syn), drive(iE, gE_bar, None))
            dI = jnp.where(stp, drive(iI, gI_bar, syn), drive(iI, gI_bar, None))
    elif isinstance(stp, bool):  # Python flag: build only the branch asked for
        dE = stp_drive(trE, gE_bar, syn if stp else None, dt, method)
        dI = stp_drive(trI, gI_bar, syn if stp else None, dt, method)
    else:  # traced flag (a sweep over stp): both drives, select
        dE = jnp.where(stp, stp_drive(trE, gE_bar, syn, dt, method), stp_drive(trE, gE_bar, None, dt, method))
        dI = jnp.where(stp, stp_drive(trI, gI_bar, syn, dt, method), stp_drive(trI, gI_bar, None, dt, method))
    V_th = jnp.stack([jnp.asarray(p.V_th, dtype), jnp.asarray(jnp.inf, dtype)])
    tr = jax.vmap(lambda th: run_cond_lif(dE, dI, I_inj, p._replace(V_th=th), dt, method))(V_th)
    spike, fmp = tr.spike[0], tr.V[1]
    return {"rate": firing_rate(spike, dt), "cv_isi": cv_isi(spike, dt, min_spikes=min_spikes),
            "cv_isi_late": cv_isi(spike[steps // 2:], dt, min_spikes=min_spikes),
            "n_spikes": spike.sum().astype(dtype), "fmp_mean": fmp.mean(), "fmp_std": fmp.std()}
