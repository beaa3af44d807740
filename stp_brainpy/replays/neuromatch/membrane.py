"""Exercise 1.2 (membrane potential vs free membrane potential) and the E/I explorer as a whole grid."""
from __future__ import annotations

import functools
from typing import Sequence

import jax
import jax.numpy as jnp
import numpy as np

from ...analysis import cv_isi, firing_rate, fmp_stats
from ...core.cond_lif import CondLIFParams, run_cond_lif, stp_drive_events
from ...core.spike_inputs import poisson_spike_indices, poisson_trains, sparse_max_spikes
from ...units import accepts_units
from ..plotting import host_arrays
from .checks import check_duration, check_rates, check_seed, check_seeds, check_section
from .parameters import (DT, DURATION, EXC_RATES, FMP_G_BAR, FMP_NEURON, FMP_RATE, GRID_G_BAR, GRID_NEURON,
                         INH_RATES, MIN_SPIKES_CV, N_E, N_I, STREAM_FMP, STREAM_GRID, V_TH)

__all__ = ["fmp_exercise", "ei_grid", "stream_key"]


def stream_key(seed: int, tag: int):
    """The key of one section's stream: distinct per section, so one seed never changes another's trains."""
    return jax.random.fold_in(jax.random.key(seed), tag)


def _v_and_fmp(dE, dI, p: CondLIFParams, method: str):
    """V (with threshold) and the FMP (threshold removed) under the same drive: one vmap over V_th."""
    thresholds = jnp.stack([jnp.asarray(p.V_th, dE.dtype), jnp.asarray(jnp.inf, dE.dtype)])
    return jax.vmap(lambda th: run_cond_lif(dE, dI, 0.0, p._replace(V_th=th), DT, method))(thresholds)


@functools.partial(jax.jit, static_argnames=("steps", "method"))
def _fmp_pair(key, steps: int, method: str):
    kE, kI = jax.random.split(key)
    dE = FMP_G_BAR * poisson_trains(kE, FMP_RATE, N_E, steps, DT).sum(0)
    dI = FMP_G_BAR * poisson_trains(kI, FMP_RATE, N_I, steps, DT).sum(0)
    return _v_and_fmp(dE, dI, FMP_NEURON, method)


@accepts_units(duration="ms")
def fmp_exercise(seed: int = 0, duration: float = DURATION, method: str = "euler") -> dict:
    """80 E + 20 I Poisson trains at 10 Hz, ḡ = 2.4 nS, τE 2, τI 5 ms: V and FMP from one call (vmap over V_th).

    Returns ``t``, ``V``, ``fmp``, ``gE``, ``gI`` traces and ``rate`` (Hz), ``cv_isi``,
    ``fmp_mean``, ``fmp_std`` (mV), ``spike_times`` (ms).
    """
    seed = check_seed(seed)
    check_section(method, duration=duration)
    steps = int(round(duration / DT))
    tr = host_arrays(_fmp_pair(stream_key(seed, STREAM_FMP), steps, method))
    spike = tr.spike[0]
    return dict(t=np.arange(steps) * DT, V=tr.V[0], fmp=tr.V[1], gE=tr.gE[0], gI=tr.gI[0],
                spike_times=np.flatnonzero(spike) * DT, rate=float(firing_rate(spike, DT)),
                cv_isi=float(cv_isi(spike, DT, min_spikes=MIN_SPIKES_CV)), fmp_mean=float(tr.V[1].mean()),
                fmp_std=float(tr.V[1].std()), V_th=V_TH, seed=seed, method=method)


def _ei_cell(rate_E, rate_I, seed, *, duration: float = DURATION, g_bar: float = GRID_G_BAR, method: str = "euler",
             max_spikes: int = 200) -> dict:
    """One explorer cell (ḡ = 3 nS, τE 2, τI 5 ms, 80 E + 20 I): rate, CV_ISI (NaN below 4 spikes), FMP mean/std.

    Trains are drawn as spike indices (geometric gaps, the law of the tutorial's per-step draw,
    ``max_spikes`` slots per train) and summed into the static drive ``ḡ·Σ trains``.
    """
    steps = int(round(duration / DT))
    kE, kI = jax.random.split(stream_key(seed, STREAM_GRID))
    dE = stp_drive_events(poisson_spike_indices(kE, rate_E, N_E, steps, DT, max_spikes), g_bar, None, steps, DT)
    dI = stp_drive_events(poisson_spike_indices(kI, rate_I, N_I, steps, DT, max_spikes), g_bar, None, steps, DT)
    both = _v_and_fmp(dE, dI, GRID_NEURON, method)
    spike, fmp = both.spike[0], both.V[1]
    m, s = fmp_stats(fmp)
    return {"rate": firing_rate(spike, DT), "cv_isi": cv_isi(spike, DT, min_spikes=MIN_SPIKES_CV), "fmp_mean": m,
            "fmp_std": s}


@accepts_units(duration="ms", exc_rates="Hz", inh_rates="Hz")
def ei_grid(seeds: int | Sequence[int] = 1, duration: float = DURATION, exc_rates=EXC_RATES, inh_rates=INH_RATES,
            method: str = "euler", progress: bool = False) -> dict:
    """Every (exc rate × inh rate) cell of the explorer, all cells and seeds in one batched sweep.

    ``seeds``: a count (seeds 0..n-1) or a list of seeds. Returns ``exc_rates``, ``inh_rates`` and
    (exc, inh, seed) arrays ``rate``, ``cv_isi``, ``fmp_mean``, ``fmp_std``.
    """
    from ...sweeps import product, sweep

    seeds = check_seeds(seeds)
    check_section(method)
    duration = check_duration(duration)
    exc_rates, inh_rates = check_rates("exc_rates", exc_rates), check_rates("inh_rates", inh_rates)
    k = sparse_max_spikes(max(np.max(exc_rates), np.max(inh_rates)), duration)
    ds = sweep(_ei_cell, product(rate_E=exc_rates, rate_I=inh_rates), seeds=seeds,
               static=dict(duration=duration, method=method, max_spikes=k), chunk_size=16, progress=progress)
    out = {k: np.asarray(ds[k].transpose("rate_E", "rate_I", "seed").values)
           for k in ("rate", "cv_isi", "fmp_mean", "fmp_std")}
    out.update(exc_rates=exc_rates, inh_rates=inh_rates, seeds=np.asarray(ds.seed.values), duration=duration,
               method=method)
    return out
