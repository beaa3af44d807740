"""The bonus: a conductance LIF with STP on every input, against static synapses on the same trains."""
from __future__ import annotations

import functools

import jax
import numpy as np

from ...core.cond_lif import bonus_params, cond_lif_stp_summary, run_cond_lif, stp_drive
from ...core.spike_inputs import poisson_trains, sparse_max_spikes
from ...core.validation import check_finite, check_integer, check_positive
from ...sweeps import sweep, zipped
from ...units import accepts_units
from ..plotting import host_arrays
from .checks import check_duration, check_rates, check_seed, check_section
from .membrane import stream_key
from .parameters import (BONUS_EARLY, BONUS_G_E, BONUS_G_I, BONUS_LATE, BONUS_NEURON, BONUS_RATE, BONUS_SEEDS,
                         BONUS_TRACE_RATIO, DT, DURATION, N_E, N_I, STREAM_BONUS_TRACE, TAU_RATIOS)
from .stats import mean_se

__all__ = ["bonus", "bonus_trace", "irregularity_answer"]


def _check_tau_ratios(tau_ratios) -> np.ndarray:
    check_finite("tau_ratios", tau_ratios)
    r = np.atleast_1d(np.asarray(tau_ratios, float))
    if r.size == 0:
        raise ValueError("tau_ratios must hold at least one ratio; got none")
    check_positive("tau_ratios", r, unit="")
    return r


@accepts_units(tau_ratios="1", rate="Hz", duration="ms")
def bonus(n_seeds: int = BONUS_SEEDS, tau_ratios=TAU_RATIOS, rate: float = BONUS_RATE, duration: float = DURATION,
          method: str = "euler", progress: bool = False) -> dict:
    """Output rate, CV_ISI and FMP statistics over ``tau_ratio`` × seeds, with STP and with static synapses.

    The bonus model (ḡE 4.8, ḡI 6.4 nS, τE 5, τI 10 ms, U0 0.45, τd 500·r, τf 300·r ms, 80 E +
    20 I at ``rate`` Hz, ``duration`` ms); seed ``s`` draws the same trains for every
    ``tau_ratio`` and for the static run, so differences are paired. Arrays are
    (tau_ratio, seed) for STP and (seed,) for static.
    """
    n_seeds = check_integer("n_seeds", n_seeds, 1, None)
    check_section(method)
    duration = check_duration(duration)
    rate = float(check_rates("rate", rate, positive=True)[0])
    r = _check_tau_ratios(tau_ratios)
    seeds = list(range(n_seeds))
    # STP at every tau_ratio plus one static setting, all in one sweep (one compilation)
    grid = zipped(tau_ratio=np.append(r, 1.0), stp=np.append(np.ones(r.size, bool), False))
    static = dict(rate_E=rate, rate_I=rate, duration=duration, method=method,
                  max_spikes=sparse_max_spikes(rate, duration))  # event-driven drives (same numbers, less work)
    ds = sweep(cond_lif_stp_summary, grid, seeds=seeds, static=static, chunk_size=32, progress=progress)
    keys = ("rate", "cv_isi", "cv_isi_late", "fmp_mean", "fmp_std", "n_spikes")
    vals = {k: np.asarray(ds[k].transpose("setting", "seed").values) for k in keys}
    out = {k: v[:-1] for k, v in vals.items()}
    out.update({f"static_{k}": v[-1] for k, v in vals.items()})
    out.update(tau_ratios=r, seeds=np.asarray(seeds), input_rate=rate, duration=duration, method=method)
    out["answer"] = irregularity_answer(out)
    return out


def irregularity_answer(res: dict) -> str:
    """The tutorial's question, answered from :func:`bonus`'s paired statistics (one line per tau_ratio)."""
    cv0, se0 = mean_se(res["static_cv_isi"])
    lines = [f"static synapses: rate {np.mean(res['static_rate']):.1f} Hz, CV_ISI {cv0:.3f} ± {se0:.3f} (mean ± SE over "
             f"{len(res['seeds'])} seeds)"]
    higher = []
    for i, r in enumerate(res["tau_ratios"]):
        cv, se = mean_se(res["cv_isi"][i])
        d, dse = mean_se(res["cv_isi"][i] - res["static_cv_isi"])
        higher.append(d > 2 * dse)
        late, late_se = mean_se(res["cv_isi_late"][i])
        lines.append(f"tau_ratio {r:.1f}: rate {np.mean(res['rate'][i]):.1f} Hz, CV_ISI {cv:.3f} ± {se:.3f} "
                     f"(second half only: {late:.3f} ± {late_se:.3f}), paired difference to static {d:+.3f} ± {dse:.3f}; "
                     f"FMP mean {np.mean(res['fmp_mean'][i]):.2f} mV, std {np.mean(res['fmp_std'][i]):.2f} mV")
    lines.insert(1, f"static FMP mean {np.mean(res['static_fmp_mean']):.2f} mV, std {np.mean(res['static_fmp_std']):.2f} mV; "
                    f"static CV_ISI over the second half {mean_se(res['static_cv_isi_late'])[0]:.3f}")
    verdict = ("yes: with STP the output is more irregular (higher CV_ISI) than with static synapses at every tau_ratio"
               if all(higher) else
               "not uniformly: CV_ISI with STP is above static only at tau_ratio " +
               ", ".join(f"{r:.1f}" for r, h in zip(res["tau_ratios"], higher) if h))
    return "Will the neuron show higher irregularity if the synapses have STP? " + verdict + ".\n" + "\n".join(lines)


@functools.partial(jax.jit, static_argnames=("steps", "stp", "method"))
def _bonus_trace(key, tau_ratio, *, steps: int, stp: bool, method: str):
    kE, kI = jax.random.split(key)
    trE = poisson_trains(kE, BONUS_RATE, N_E, steps, DT)
    trI = poisson_trains(kI, BONUS_RATE, N_I, steps, DT)
    syn = bonus_params(tau_ratio) if stp else None
    return run_cond_lif(stp_drive(trE, BONUS_G_E, syn, DT, method), stp_drive(trI, BONUS_G_I, syn, DT, method), 0.0,
                        BONUS_NEURON, DT, method)


@accepts_units(tau_ratio="1", duration="ms")
def bonus_trace(tau_ratio: float = BONUS_TRACE_RATIO, seed: int = 0, duration: float = DURATION,
                method: str = "euler") -> dict:
    """One run of the bonus widget (V with spikes, total gE and gI), with STP and with static synapses.

    ``duration`` must reach past the late window (:data:`parameters.BONUS_LATE`, from 500 ms).
    """
    seed = check_seed(seed)
    check_section(method)
    tau_ratio = float(_check_tau_ratios(tau_ratio)[0])
    duration = check_duration(duration, minimum=BONUS_LATE[0] + DT)
    steps = int(round(duration / DT))
    key = stream_key(seed, STREAM_BONUS_TRACE)
    out = {}
    for stp in (True, False):
        tr = host_arrays(_bonus_trace(key, tau_ratio, steps=steps, stp=stp, method=method))
        out["stp" if stp else "static"] = dict(V=tr.V, gE=tr.gE, gI=tr.gI, spike_times=np.flatnonzero(tr.spike) * DT)
    # which explanation: did excitation depress more than inhibition? (mean g late / early)
    s = out["stp"]
    early = slice(int(BONUS_EARLY[0] / DT), int(BONUS_EARLY[1] / DT))
    late = slice(int(BONUS_LATE[0] / DT), steps)
    out.update(t=np.arange(steps) * DT, tau_ratio=tau_ratio, seed=seed,
               gE_late_over_early=float(s["gE"][late].mean() / s["gE"][early].mean()),
               gI_late_over_early=float(s["gI"][late].mean() / s["gI"][early].mean()))
    return out

