"""The Neuromatch tutorial "Synaptic transmission — models of static and dynamic synapses", replayed.

Each section is one function returning its numbers (NumPy arrays / floats, one batched JAX call)
and one drawing its figure. Tutorial-exact by default: forward Euler (``method='euler'``), the
tutorial's index conventions and defaults; ``method='exact'`` integrates exactly between steps.

======================  ==============================================  =========================
section                 numbers                                         figure
======================  ==============================================  =========================
Exercise 1.2            :func:`fmp_exercise`                            :func:`plot_fmp_exercise`
E/I explorer (grid)     :func:`ei_grid`                                 :func:`plot_ei_grid`
STD / STF explorers     :func:`stp_explorer`                            :func:`plot_stp_explorer`
g₁, g₁₀, g₁₀/g₁         :func:`g_ratio_curves`                          :func:`plot_g_ratio`
bonus: LIF with STP     :func:`bonus`                                   :func:`plot_bonus`
======================  ==============================================  =========================

``stp-brainpy neuromatch --out DIR`` (or :func:`run_all`) writes every figure and the tables.

>>> from stp_brainpy.replays import neuromatch as nm
>>> res = nm.g_ratio_curves()
>>> [round(float(v), 3) for v in res["STD"]["ratio"][:3]]   # g10/g1 at 5, 10, 15 Hz
[0.935, 0.817, 0.716]
"""
from __future__ import annotations

import argparse
import csv
import functools
import io
import json
from pathlib import Path
from typing import Sequence

import jax
import jax.numpy as jnp
import numpy as np

from ..analysis import cv_isi, firing_rate, fmp_stats
from ..core.cond_lif import (CondLIFParams, bonus_params, cond_lif_stp_summary, run_cond_lif, stp_conductance,
                             stp_drive, stp_drive_events)
from ..core.spike_inputs import isi_steps, poisson_spike_indices, poisson_trains, regular_train, sparse_max_spikes
from ..core.validation import check_method, check_positive
from ..sweeps import sweep, zipped
from .plotting import add_output_arguments, check_targets, run_command, save_figure, write_tables

__all__ = ["SYNAPSES", "EXC_RATES", "INH_RATES", "TAU_RATIOS", "fmp_exercise", "plot_fmp_exercise", "ei_grid",
           "plot_ei_grid", "stp_explorer", "plot_stp_explorer", "g_ratio_curves", "plot_g_ratio", "bonus",
           "plot_bonus", "plot_bonus_trace", "tables", "figure_names", "table_names", "targets", "run_all", "add_parser"]

# the explorers' synapses: (U0, tau_d, tau_f); ḡ = 1.2 nS, τsyn = 5 ms
SYNAPSES = {"STD": (0.5, 100.0, 50.0), "STF": (0.2, 100.0, 750.0)}
G_BAR, TAU_SYN = 1.2, 5.0
RATIO_RATES = {"STD": np.arange(5.0, 40.1, 5.0), "STF": np.arange(2.0, 40.1, 2.0)}
EXC_RATES = np.arange(2.0, 20.1, 2.0)
INH_RATES = np.arange(10.0, 60.1, 5.0)
TAU_RATIOS = np.round(np.arange(0.2, 1.01, 0.2), 10)
DT = 0.1


def _np(tree):
    return jax.tree_util.tree_map(np.asarray, jax.device_get(tree))


def _key(seed: int, tag: int):
    # distinct streams per section so changing one section's seed never changes another's trains
    return jax.random.fold_in(jax.random.key(seed), tag)


# ------------------------------------------------------------------------------------------------
# Exercise 1.2: free membrane potential vs membrane potential
# ------------------------------------------------------------------------------------------------
def _v_and_fmp(dE, dI, p: CondLIFParams, method: str):
    """V (with threshold) and the FMP (threshold removed) under the same drive: one vmap over V_th."""
    thresholds = jnp.stack([jnp.asarray(p.V_th, dE.dtype), jnp.asarray(jnp.inf, dE.dtype)])
    return jax.vmap(lambda th: run_cond_lif(dE, dI, 0.0, p._replace(V_th=th), DT, method))(thresholds)


@functools.partial(jax.jit, static_argnames=("steps", "method"))
def _fmp_pair(key, steps: int, method: str):
    kE, kI = jax.random.split(key)
    dE = 2.4 * poisson_trains(kE, 10.0, 80, steps, DT).sum(0)
    dI = 2.4 * poisson_trains(kI, 10.0, 20, steps, DT).sum(0)
    p = CondLIFParams(tau_E=2.0, tau_I=5.0)
    return _v_and_fmp(dE, dI, p, method)


def fmp_exercise(seed: int = 0, duration: float = 1000.0, method: str = "euler") -> dict:
    """80 E + 20 I Poisson trains at 10 Hz, ḡ = 2.4 nS, τE 2, τI 5 ms: V and FMP from one call (vmap over V_th).

    Returns ``t``, ``V``, ``fmp``, ``gE``, ``gI`` traces and ``rate`` (Hz), ``cv_isi``,
    ``fmp_mean``, ``fmp_std`` (mV), ``spike_times`` (ms).
    """
    check_method(method)
    steps = int(round(duration / DT))
    tr = _np(_fmp_pair(_key(seed, 12), steps, method))
    spike = tr.spike[0]
    return dict(t=np.arange(steps) * DT, V=tr.V[0], fmp=tr.V[1], gE=tr.gE[0], gI=tr.gI[0],
                spike_times=np.flatnonzero(spike) * DT, rate=float(firing_rate(spike, DT)),
                cv_isi=float(cv_isi(spike, DT, min_spikes=4)), fmp_mean=float(tr.V[1].mean()),
                fmp_std=float(tr.V[1].std()), V_th=-55.0, seed=seed, method=method)


def plot_fmp_exercise(res: dict):
    """The tutorial's ``my_illus_LIFSYN``: FMP (red), V with spikes drawn to 10 mV (blue), threshold, mean FMP."""
    import matplotlib.pyplot as plt

    v = res["V"].copy()
    idx = (res["spike_times"] / DT).round().astype(int) - 1  # the sample before the reset, as the tutorial
    v[idx[idx >= 0]] = 10.0  # "draw nicer spikes"
    fig, ax = plt.subplots(figsize=(14, 5))
    ax.plot(res["t"], res["fmp"], "r", lw=1.0, label="Free mem. pot.", zorder=2)
    ax.plot(res["t"], v, "b", lw=1.0, label="True mem. pot", zorder=1, alpha=0.7)
    ax.axhline(res["V_th"], color="k", lw=2.0, ls="--", label="Spike Threshold", zorder=1)
    ax.axhline(res["fmp_mean"], color="r", lw=2.0, ls="--", label="Mean Free Mem. Pot.", zorder=1)
    ax.set_xlabel("Time (ms)")
    ax.set_ylabel("V (mV)")
    ax.set_title(f"Exercise 1.2: rate {res['rate']:.1f} Hz, CV_ISI {res['cv_isi']:.3f}, "
                 f"FMP mean {res['fmp_mean']:.2f} mV, std {res['fmp_std']:.2f} mV")
    ax.legend(loc=[1.02, 0.68])
    return fig


# ------------------------------------------------------------------------------------------------
# E/I explorer as a whole grid
# ------------------------------------------------------------------------------------------------
def _ei_cell(rate_E, rate_I, seed, *, duration: float = 1000.0, g_bar: float = 3.0, method: str = "euler",
             max_spikes: int = 200) -> dict:
    """One explorer cell (ḡ = 3 nS, τE 2, τI 5 ms, 80 E + 20 I): rate, CV_ISI (NaN below 4 spikes), FMP mean/std.

    Trains are drawn as spike indices (geometric gaps, the law of the tutorial's per-step draw,
    ``max_spikes`` slots per train) and summed into the static drive ``ḡ·Σ trains``.
    """
    steps = int(round(duration / DT))
    kE, kI = jax.random.split(jax.random.fold_in(jax.random.key(seed), 13))
    dE = stp_drive_events(poisson_spike_indices(kE, rate_E, 80, steps, DT, max_spikes), g_bar, None, steps, DT)
    dI = stp_drive_events(poisson_spike_indices(kI, rate_I, 20, steps, DT, max_spikes), g_bar, None, steps, DT)
    p = CondLIFParams(tau_E=2.0, tau_I=5.0)
    both = _v_and_fmp(dE, dI, p, method)
    spike, fmp = both.spike[0], both.V[1]
    m, s = fmp_stats(fmp)
    return {"rate": firing_rate(spike, DT), "cv_isi": cv_isi(spike, DT, min_spikes=4), "fmp_mean": m, "fmp_std": s}


def ei_grid(seeds: int | Sequence[int] = 1, duration: float = 1000.0, exc_rates=EXC_RATES, inh_rates=INH_RATES,
            method: str = "euler", progress: bool = False) -> dict:
    """Every (exc rate × inh rate) cell of the explorer, all cells and seeds in one batched sweep.

    Returns ``exc_rates``, ``inh_rates`` and (exc, inh, seed) arrays ``rate``, ``cv_isi``,
    ``fmp_mean``, ``fmp_std``.
    """
    from ..sweeps import product, sweep

    check_method(method)
    k = sparse_max_spikes(max(np.max(exc_rates), np.max(inh_rates)), duration)
    ds = sweep(_ei_cell, product(rate_E=np.asarray(exc_rates, float), rate_I=np.asarray(inh_rates, float)),
               seeds=seeds, static=dict(duration=float(duration), method=method, max_spikes=k), chunk_size=16,
               progress=progress)
    out = {k: np.asarray(ds[k].transpose("rate_E", "rate_I", "seed").values) for k in ("rate", "cv_isi", "fmp_mean",
                                                                                        "fmp_std")}
    out.update(exc_rates=np.asarray(exc_rates, float), inh_rates=np.asarray(inh_rates, float),
               seeds=np.asarray(ds.seed.values), duration=duration, method=method)
    return out


def _nanmean_last(a):
    """Mean over the last (seed) axis ignoring NaN; NaN where every seed is NaN (no warning)."""
    a = np.asarray(a, float)
    ok = np.isfinite(a)
    n = ok.sum(-1)
    return np.where(n > 0, np.where(ok, a, 0.0).sum(-1) / np.maximum(n, 1), np.nan)


def plot_ei_grid(res: dict):
    """Heat maps (seed mean) of output rate, CV_ISI, FMP mean (contour at V_th) and FMP std."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(12, 9), constrained_layout=True)
    ex, inh = res["exc_rates"], res["inh_rates"]
    titles = {"rate": "output rate (Hz)", "cv_isi": "CV$_{ISI}$ (blank: < 4 spikes)", "fmp_mean": "mean FMP (mV)",
              "fmp_std": "std FMP (mV)"}
    for ax, (k, title) in zip(axes.ravel(), titles.items()):
        z = _nanmean_last(res[k])
        im = ax.imshow(z, origin="lower", aspect="auto", extent=(inh[0] - 2.5, inh[-1] + 2.5, ex[0] - 1, ex[-1] + 1),
                       cmap="viridis")
        if k == "fmp_mean":
            ax.contour(inh, ex, z, levels=[-55.0], colors="w", linewidths=2)
        fig.colorbar(im, ax=ax)
        ax.set_title(title)
        ax.set_xlabel("inhibitory rate (Hz)")
        ax.set_ylabel("excitatory rate (Hz)")
    fig.suptitle(f"E/I explorer, whole grid (80 E + 20 I, ḡ = 3 nS, {len(res['seeds'])} seed(s); "
                 "white line: mean FMP = threshold)")
    return fig


# ------------------------------------------------------------------------------------------------
# STD / STF explorers
# ------------------------------------------------------------------------------------------------
def stp_explorer(kind: str = "STD", rate: float = 10.0, poisson: bool = False, seed: int = 0,
                 method: str = "euler", U0=None, tau_d=None, tau_f=None) -> dict:
    """The tutorial's ``my_illus_STD``: one train for 10 inter-spike intervals, traces of u, R (= x), g.

    ``kind`` picks the explorer's synapse (``'STD'``: U0 .5, τd 100, τf 50; ``'STF'``: U0 .2,
    τd 100, τf 750) unless U0/tau_d/tau_f are given. Regular trains use the tutorial's index
    convention; ``g1``, ``g10`` are ``g[isi]``, ``g[9·isi]`` as it reports them (regular only).
    """
    return stp_explorers([(kind, rate, poisson)], seed=seed, method=method, U0=U0, tau_d=tau_d, tau_f=tau_f)[0]


@functools.partial(jax.jit, static_argnames=("method",))
def _explorer_batch(trains, U, tau_d, tau_f, *, method: str):
    one = lambda tr, a, b, c: stp_conductance(tr, a, tau_f=c, tau_d=b, g_bar=G_BAR, tau_s=TAU_SYN, dt=DT, method=method)
    return jax.vmap(one)(trains, U, tau_d, tau_f)


def stp_explorers(cases: Sequence[tuple], seed: int = 0, method: str = "euler", U0=None, tau_d=None,
                  tau_f=None) -> list[dict]:
    """Several explorer runs ``(kind, rate, poisson)`` in ONE call (trains padded to the longest; causal)."""
    from ..inputs import poisson_train

    check_method(method)
    specs, trains = [], []
    for i, (kind, rate, poisson) in enumerate(cases):
        check_positive("rate", rate, unit="Hz")
        U, td, tf = SYNAPSES[kind]
        U, td, tf = (a if b is None else b for a, b in ((U, U0), (td, tau_d), (tf, tau_f)))
        T = 10.0 * 1000 / rate  # 10 spikes in the window, as the tutorial
        steps = np.arange(0, T, DT).size
        isi = isi_steps(rate, DT)
        if poisson:
            tr = np.asarray(poisson_train(rate, 1, T, DT, seed=_key(seed, 21 + i))[0])
            tr = np.pad(tr, (0, max(steps - tr.size, 0)))[:steps]
        else:
            tr = np.asarray(regular_train(steps, isi))
        specs.append((kind, float(rate), bool(poisson), U, td, tf, steps, isi))
        trains.append(tr)
    n = max(t.size for t in trains)
    batch = np.stack([np.pad(t, (0, n - t.size)) for t in trains])
    col = lambda j: jnp.asarray([sp[j] for sp in specs], batch.dtype)
    u, x, g = _np(_explorer_batch(jnp.asarray(batch), col(3), col(4), col(5), method=method))
    out = []
    for i, (kind, rate, poisson, U, td, tf, steps, isi) in enumerate(specs):
        d = dict(kind=kind, rate=rate, poisson=poisson, U0=U, tau_d=td, tau_f=tf, t=np.arange(steps) * DT,
                 train=trains[i], u=u[i, :steps], x=x[i, :steps], g=g[i, :steps], method=method)
        if not poisson:
            d.update(g1=float(g[i, isi]), g10=float(g[i, 9 * isi]))
        out.append(d)
    return out


def plot_stp_explorer(res: dict):
    """The explorer's figure: R and u (top left), presynaptic spikes (bottom left), g (right)."""
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(12, 6))
    t, T = res["t"], res["t"][-1] + DT
    ax = fig.add_subplot(221)
    ax.plot(t, res["x"], "b", label="R")
    ax.plot(t, res["u"], "r", label="u")
    ax.legend(loc="best")
    ax.set_xlim(0, T)
    ax.set_ylabel(r"$R$ or $u$ (a.u)")
    ax.set_title(f"{res['kind']}: U0={res['U0']:g}, τd={res['tau_d']:g}, τf={res['tau_f']:g} ms, "
                 f"{res['rate']:g} Hz {'Poisson' if res['poisson'] else 'regular'}")
    ax = fig.add_subplot(223)
    ts = t[res["train"] > 0]
    ax.plot(ts, np.zeros(len(ts)), "k|", ms=18, markeredgewidth=2)
    ax.set_xlabel("Time (ms)")
    ax.set_xlim(0, T)
    ax.set_yticks([])
    ax.set_title("Presynaptic spikes")
    ax = fig.add_subplot(122)
    ax.plot(t, res["g"], "r", label="STP synapse")
    ax.set_xlabel("Time (ms)")
    ax.set_ylabel("g (nS)")
    ax.set_xlim(0, T)
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------------------------------------
# g1, g10, g10/g1 against rate
# ------------------------------------------------------------------------------------------------
def _g1_g10(isi, U, tau_d, tau_f, *, steps: int, method: str, dt: float = DT) -> dict:
    """g at the 1st and 10th spike of a regular train with ``isi`` steps (one setting of the sweep)."""
    # every rate runs on the longest grid: g at 9·isi is causal, so the padding never matters
    g = stp_conductance(regular_train(steps, isi), U, tau_f=tau_f, tau_d=tau_d, g_bar=G_BAR, tau_s=TAU_SYN, dt=dt, method=method)[2]
    return {"g1": g[isi], "g10": g[9 * isi]}


def g_ratio_curves(method: str = "euler", rates: dict | None = None, dt: float = DT) -> dict:
    """g₁, g₁₀ and g₁₀/g₁ against the regular input rate for STD (5–40 Hz) and STF (2–40 Hz).

    One sweep over both synapse types and all their rates (one compiled call); ``dt`` in ms. Returns
    ``{'STD': {...}, 'STF': {...}}`` with ``rates``, ``g1``, ``g10``, ``ratio``.
    """
    check_method(method)
    rates = {k: np.asarray((rates or RATIO_RATES)[k], float) for k in SYNAPSES}
    check_positive("dt", dt)
    steps = max(np.arange(0, 10.0 * 1000 / v, dt).size for r in rates.values() for v in r)
    kinds = [k for k in SYNAPSES for _ in rates[k]]
    params = np.array([SYNAPSES[k] for k in kinds], float)
    isi = np.array([isi_steps(v, dt) for k in SYNAPSES for v in rates[k]], np.int32)
    ds = sweep(_g1_g10, zipped(isi=isi, U=params[:, 0], tau_d=params[:, 1], tau_f=params[:, 2]),
               static=dict(steps=int(steps), method=method, dt=float(dt)))
    out = {}
    for kind, (U, td, tf) in SYNAPSES.items():
        sel = np.array([k == kind for k in kinds])
        g1, g10 = ds.g1.values[sel], ds.g10.values[sel]
        out[kind] = dict(rates=rates[kind], g1=g1, g10=g10, ratio=g10 / g1, U0=U, tau_d=td, tau_f=tf)
    return out


def plot_g_ratio(res: dict):
    """The tutorial's two ratio figures, STD (top) and STF (bottom): g₁ and g₁₀, and g₁₀/g₁."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(11, 9))
    for row, kind in zip(axes, ("STD", "STF")):
        d = res[kind]
        row[0].plot(d["rates"], d["g1"], "m-o", label="1st Spike")
        row[0].plot(d["rates"], d["g10"], "c-o", label="10th Spike")
        row[0].set_xlabel("Rate [Hz]")
        row[0].set_ylabel("Conductance [nS]")
        row[0].set_title(f"{kind}: U0={d['U0']:g}, τd={d['tau_d']:g}, τf={d['tau_f']:g} ms")
        row[0].legend()
        row[1].plot(d["rates"], d["ratio"], "b-o")
        row[1].set_xlabel("Rate [Hz]")
        row[1].set_ylabel(r"Conductance ratio $g_{10}/g_{1}$")
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------------------------------------
# bonus: conductance LIF with STP synapses
# ------------------------------------------------------------------------------------------------
def bonus(n_seeds: int = 50, tau_ratios=TAU_RATIOS, rate: float = 15.0, duration: float = 1000.0,
          method: str = "euler", progress: bool = False) -> dict:
    """Output rate, CV_ISI and FMP statistics over ``tau_ratio`` × seeds, with STP and with static synapses.

    The bonus model (ḡE 4.8, ḡI 6.4 nS, τE 5, τI 10 ms, U0 0.45, τd 500·r, τf 300·r ms, 80 E +
    20 I at ``rate`` Hz, ``duration`` ms); seed ``s`` draws the same trains for every
    ``tau_ratio`` and for the static run, so differences are paired. Arrays are
    (tau_ratio, seed) for STP and (seed,) for static.
    """
    from ..sweeps import sweep, zipped

    check_method(method)
    seeds = list(range(int(n_seeds)))
    r = np.asarray(tau_ratios, float)
    # STP at every tau_ratio plus one static setting, all in one sweep (one compilation)
    grid = zipped(tau_ratio=np.append(r, 1.0), stp=np.append(np.ones(r.size, bool), False))
    static = dict(rate_E=float(rate), rate_I=float(rate), duration=float(duration), method=method,
                  max_spikes=sparse_max_spikes(rate, duration))  # event-driven drives (same numbers, less work)
    ds = sweep(cond_lif_stp_summary, grid, seeds=seeds, static=static, chunk_size=32, progress=progress)
    keys = ("rate", "cv_isi", "cv_isi_late", "fmp_mean", "fmp_std", "n_spikes")
    vals = {k: np.asarray(ds[k].transpose("setting", "seed").values) for k in keys}
    out = {k: v[:-1] for k, v in vals.items()}
    out.update({f"static_{k}": v[-1] for k, v in vals.items()})
    out.update(tau_ratios=np.asarray(tau_ratios, float), seeds=np.asarray(seeds), input_rate=rate,
               duration=duration, method=method)
    out["answer"] = _irregularity_answer(out)
    return out


def _mean_se(a):
    a = np.asarray(a, float)
    a = a[np.isfinite(a)]
    return (float(a.mean()), float(a.std(ddof=1) / np.sqrt(a.size))) if a.size > 1 else (float("nan"), float("nan"))


def _irregularity_answer(res: dict) -> str:
    cv0, se0 = _mean_se(res["static_cv_isi"])
    lines = [f"static synapses: rate {np.mean(res['static_rate']):.1f} Hz, CV_ISI {cv0:.3f} ± {se0:.3f} (mean ± SE over "
             f"{len(res['seeds'])} seeds)"]
    higher = []
    for i, r in enumerate(res["tau_ratios"]):
        cv, se = _mean_se(res["cv_isi"][i])
        d, dse = _mean_se(res["cv_isi"][i] - res["static_cv_isi"])
        higher.append(d > 2 * dse)
        late, late_se = _mean_se(res["cv_isi_late"][i])
        lines.append(f"tau_ratio {r:.1f}: rate {np.mean(res['rate'][i]):.1f} Hz, CV_ISI {cv:.3f} ± {se:.3f} "
                     f"(second half only: {late:.3f} ± {late_se:.3f}), paired difference to static {d:+.3f} ± {dse:.3f}; "
                     f"FMP mean {np.mean(res['fmp_mean'][i]):.2f} mV, std {np.mean(res['fmp_std'][i]):.2f} mV")
    lines.insert(1, f"static FMP mean {np.mean(res['static_fmp_mean']):.2f} mV, std {np.mean(res['static_fmp_std']):.2f} mV; "
                    f"static CV_ISI over the second half {_mean_se(res['static_cv_isi_late'])[0]:.3f}")
    verdict = ("yes: with STP the output is more irregular (higher CV_ISI) than with static synapses at every tau_ratio"
               if all(higher) else
               "not uniformly: CV_ISI with STP is above static only at tau_ratio " +
               ", ".join(f"{r:.1f}" for r, h in zip(res["tau_ratios"], higher) if h))
    return "Will the neuron show higher irregularity if the synapses have STP? " + verdict + ".\n" + "\n".join(lines)


@functools.partial(jax.jit, static_argnames=("steps", "stp", "method"))
def _bonus_trace(key, tau_ratio, *, steps: int, stp: bool, method: str):
    kE, kI = jax.random.split(key)
    trE = poisson_trains(kE, 15.0, 80, steps, DT)
    trI = poisson_trains(kI, 15.0, 20, steps, DT)
    syn = bonus_params(tau_ratio) if stp else None
    p = CondLIFParams(tau_E=5.0, tau_I=10.0)
    return run_cond_lif(stp_drive(trE, 4.8, syn, DT, method), stp_drive(trI, 6.4, syn, DT, method), 0.0, p, DT,
                        method)


def bonus_trace(tau_ratio: float = 0.5, seed: int = 0, duration: float = 1000.0, method: str = "euler") -> dict:
    """One run of the bonus widget (V with spikes, total gE and gI), with STP and with static synapses."""
    steps = int(round(duration / DT))
    key = jax.random.fold_in(jax.random.key(seed), 0)
    out = {}
    for stp in (True, False):
        tr = _np(_bonus_trace(key, float(tau_ratio), steps=steps, stp=stp, method=method))
        out["stp" if stp else "static"] = dict(V=tr.V, gE=tr.gE, gI=tr.gI, spike_times=np.flatnonzero(tr.spike) * DT)
    # which explanation: did excitation depress more than inhibition? (mean g late / early)
    s = out["stp"]
    early, late = slice(int(50 / DT), int(150 / DT)), slice(int(500 / DT), steps)
    out.update(t=np.arange(steps) * DT, tau_ratio=tau_ratio, seed=seed,
               gE_late_over_early=float(s["gE"][late].mean() / s["gE"][early].mean()),
               gI_late_over_early=float(s["gI"][late].mean() / s["gI"][early].mean()))
    return out


def plot_bonus(res: dict):
    """Output rate and CV_ISI against tau_ratio (mean ± SE over seeds) with the static-synapse level."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5), constrained_layout=True)
    r = res["tau_ratios"]
    for ax, k, lab in zip(axes, ("rate", "cv_isi", "fmp_std"), ("output rate (Hz)", "CV$_{ISI}$", "std FMP (mV)")):
        ms = np.array([_mean_se(row) for row in res[k]])
        ax.errorbar(r, ms[:, 0], yerr=ms[:, 1], fmt="o-", capsize=3, label="STP synapses")
        m0, s0 = _mean_se(res[f"static_{k}"])
        ax.axhspan(m0 - s0, m0 + s0, color="0.8")
        ax.axhline(m0, color="k", ls="--", label="static synapses")
        ax.set_xlabel("tau_ratio (τd = 500·r, τf = 300·r ms)")
        ax.set_ylabel(lab)
    axes[0].legend()
    fig.suptitle(f"Bonus: conductance LIF with STP inputs, {len(res['seeds'])} seeds per point")
    return fig


def plot_bonus_trace(res: dict):
    """The bonus widget's figure: V with spikes, and total gE / gI after 200 ms (STP vs static)."""
    import matplotlib.pyplot as plt

    t = res["t"]
    fig = plt.figure(figsize=(11, 7))
    ax = fig.add_subplot(211)
    for key, c in (("static", "0.6"), ("stp", "b")):
        v = res[key]["V"].copy()
        idx = (res[key]["spike_times"] / DT).round().astype(int) - 1
        v[idx[idx >= 0]] += 10.0
        ax.plot(t, v, c, lw=0.8, label=f"{key} synapses")
    ax.axhline(-55.0, color="k", ls="--", lw=1.0)
    ax.set_xlabel("Time (ms)")
    ax.set_ylabel("V (mV)")
    ax.legend(loc="upper right")
    ax.set_title(f"tau_ratio = {res['tau_ratio']:g}: late/early mean gE {res['gE_late_over_early']:.2f}, "
                 f"gI {res['gI_late_over_early']:.2f}")
    sel = t > 200
    for pos, k, c, lab in ((223, "gE", "r", r"$g_E$ (nS)"), (224, "gI", "b", r"$g_I$ (nS)")):
        ax = fig.add_subplot(pos)
        ax.plot(t[sel], res["stp"][k][sel], c)
        ax.set_xlabel("Time (ms)")
        ax.set_ylabel(lab)
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------------------------------------
# files
# ------------------------------------------------------------------------------------------------
EXPLORER_CASES = (("STD", 10.0, False), ("STD", 10.0, True), ("STD", 50.0, False), ("STF", 10.0, False),
                  ("STF", 10.0, True), ("STF", 30.0, False))


def _explorer_name(kind, rate, poisson):
    return f"{kind.lower()}_explorer_{int(rate)}Hz_{'poisson' if poisson else 'regular'}.png"


def figure_names() -> list[str]:
    return (["fmp_exercise.png", "ei_grid.png"] + [_explorer_name(*c) for c in EXPLORER_CASES]
            + ["g_ratio.png", "bonus_cv_rate.png", "bonus_trace.png"])


def table_names() -> list[str]:
    return ["neuromatch_ei_grid.csv", "neuromatch_g_ratio.csv", "neuromatch_bonus.csv", "neuromatch.json"]


def _csv(header, rows) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def tables(fmp: dict, grid: dict, ratios: dict, bon: dict, trace: dict, explorers: Sequence[dict]) -> dict[str, str]:
    """File name → text: E/I grid (seed means), g-ratio curves, bonus statistics, and everything as JSON."""
    names = table_names()
    ei_rows = []
    for i, e in enumerate(grid["exc_rates"]):
        for j, h in enumerate(grid["inh_rates"]):
            vals = [float(_nanmean_last(grid[k][i, j])) for k in ("rate", "cv_isi", "fmp_mean", "fmp_std")]
            ei_rows.append([e, h] + [round(v, 6) for v in vals])
    g_rows = [[kind, r, d["g1"][i], d["g10"][i], d["ratio"][i]] for kind, d in ratios.items()
              for i, r in enumerate(d["rates"])]
    b_rows = []
    for i, r in enumerate(bon["tau_ratios"]):
        b_rows.append(["stp", r] + [v for k in ("rate", "cv_isi", "fmp_mean", "fmp_std") for v in _mean_se(bon[k][i])])
    b_rows.append(["static", ""] + [v for k in ("rate", "cv_isi", "fmp_mean", "fmp_std")
                                    for v in _mean_se(bon[f"static_{k}"])])
    summary = dict(
        fmp_exercise={k: fmp[k] for k in ("rate", "cv_isi", "fmp_mean", "fmp_std", "seed", "method")},
        explorers=[{k: e[k] for k in ("kind", "rate", "poisson", "U0", "tau_d", "tau_f") + (
            ("g1", "g10") if not e["poisson"] else ())} for e in explorers],
        g_ratio={k: {kk: np.asarray(v).tolist() if isinstance(v, np.ndarray) else v for kk, v in d.items()}
                 for k, d in ratios.items()},
        bonus=dict(answer=bon["answer"], n_seeds=len(bon["seeds"]), input_rate=bon["input_rate"],
                   gE_late_over_early=trace["gE_late_over_early"], gI_late_over_early=trace["gI_late_over_early"]),
        ei_grid=dict(n_seeds=len(grid["seeds"]), duration=grid["duration"]),
    )
    return {
        names[0]: _csv(("exc_rate_Hz", "inh_rate_Hz", "rate_Hz", "cv_isi", "fmp_mean_mV", "fmp_std_mV"), ei_rows),
        names[1]: _csv(("synapse", "rate_Hz", "g1_nS", "g10_nS", "g10_over_g1"), g_rows),
        names[2]: _csv(("synapses", "tau_ratio", "rate_Hz", "rate_se", "cv_isi", "cv_isi_se", "fmp_mean_mV",
                        "fmp_mean_se", "fmp_std_mV", "fmp_std_se"), b_rows),
        names[3]: json.dumps(summary, indent=1, default=float) + "\n",
    }


def targets(out_dir, quick: bool = False) -> list[Path]:
    """Every file :func:`run_all` writes into ``out_dir`` (``stp-brainpy all`` checks them all first)."""
    del quick  # same files either way
    return [Path(out_dir) / n for n in figure_names() + table_names()]


def run_all(out_dir, overwrite: bool = False, quick: bool = False, progress: bool = True, method: str = "euler",
            seed: int = 0) -> list[Path]:
    """Replay every section into ``out_dir``: the figures of :func:`figure_names` and the tables.

    Refuses (``FileExistsError``, nothing written) if any target exists unless ``overwrite``.
    ``quick``: a smoke run — 300 ms instead of 1000 ms for the E/I grid and the bonus, 2 bonus
    seeds instead of 50, lower-resolution figures (the grid is always whole, every section runs).
    """
    from tqdm import tqdm

    out = Path(out_dir)
    paths = check_targets(targets(out), overwrite)
    dpi = 70 if quick else 150
    with tqdm(total=7, desc="neuromatch", disable=not progress, unit="section") as bar:
        def step(msg):
            bar.set_postfix_str(msg)

        step("Exercise 1.2")
        fmp = fmp_exercise(seed, method=method)
        bar.update()
        step("E/I grid (110 cells, one batched sweep)")
        grid = ei_grid(seeds=[seed], method=method, duration=300.0 if quick else 1000.0)
        bar.update()
        step("STD/STF explorers")
        explorers = stp_explorers(EXPLORER_CASES, seed=seed, method=method)
        bar.update()
        step("g10/g1 curves")
        ratios = g_ratio_curves(method)
        bar.update()
        step("bonus (tau_ratio × seeds)")
        bon = bonus(n_seeds=2 if quick else 50, method=method, duration=300.0 if quick else 1000.0)
        trace = bonus_trace(0.5, seed, method=method)
        bar.update()
        step("figures")
        figs = [plot_fmp_exercise(fmp), plot_ei_grid(grid)] + [plot_stp_explorer(e) for e in explorers] + [
            plot_g_ratio(ratios), plot_bonus(bon), plot_bonus_trace(trace)]
        out.mkdir(parents=True, exist_ok=True)
        written = [save_figure(f, p, overwrite=True, dpi=dpi) for f, p in zip(figs, paths)]
        bar.update()
        step("tables")
        written += write_tables(out, tables(fmp, grid, ratios, bon, trace, explorers))
        bar.update()
    return written


def _main(args: argparse.Namespace) -> int:
    code, _ = run_command("neuromatch", run_all, args, method=args.method, seed=args.seed)
    if code == 0:
        print(json.loads((Path(args.out) / "neuromatch.json").read_text())["bonus"]["answer"])
    return code


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("neuromatch", help="replay the Neuromatch synaptic-transmission tutorial "
                              "(figures and tables)", description=__doc__.splitlines()[0])
    add_output_arguments(p, "figures/neuromatch", "smoke run: 300 ms grid and bonus runs, 2 bonus seeds, "
                         "low-resolution figures")
    p.add_argument("--method", default="euler", choices=("euler", "exact"),
                   help="time stepping (default euler: the tutorial's)")
    p.add_argument("--seed", type=int, default=0, help="seed of the input trains (default 0)")
    p.set_defaults(func=_main)
    return p
