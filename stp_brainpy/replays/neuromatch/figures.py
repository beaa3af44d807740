"""The tutorial's figures, one function per section result (matplotlib; each returns its figure)."""
from __future__ import annotations

import numpy as np

from .parameters import DT, GRID_G_BAR, MIN_SPIKES_CV, N_E, N_I, V_TH
from .stats import mean_se, nanmean_seeds

__all__ = ["plot_fmp_exercise", "plot_ei_grid", "plot_stp_explorer", "plot_g_ratio", "plot_bonus",
           "plot_bonus_trace"]


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


def plot_ei_grid(res: dict):
    """Heat maps (seed mean) of output rate, CV_ISI, FMP mean (contour at V_th) and FMP std."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(12, 9), constrained_layout=True)
    ex, inh = res["exc_rates"], res["inh_rates"]
    titles = {"rate": "output rate (Hz)", "cv_isi": f"CV$_{{ISI}}$ (blank: < {MIN_SPIKES_CV} spikes)", "fmp_mean": "mean FMP (mV)",
              "fmp_std": "std FMP (mV)"}
    for ax, (k, title) in zip(axes.ravel(), titles.items()):
        z = nanmean_seeds(res[k])
        im = ax.imshow(z, origin="lower", aspect="auto", extent=(inh[0] - 2.5, inh[-1] + 2.5, ex[0] - 1, ex[-1] + 1),
                       cmap="viridis")
        if k == "fmp_mean":
            ax.contour(inh, ex, z, levels=[V_TH], colors="w", linewidths=2)
        fig.colorbar(im, ax=ax)
        ax.set_title(title)
        ax.set_xlabel("inhibitory rate (Hz)")
        ax.set_ylabel("excitatory rate (Hz)")
    fig.suptitle(f"E/I explorer, whole grid ({N_E} E + {N_I} I, ḡ = {GRID_G_BAR:g} nS, {len(res['seeds'])} seed(s); "
                 "white line: mean FMP = threshold)")
    return fig


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


def plot_bonus(res: dict):
    """Output rate and CV_ISI against tau_ratio (mean ± SE over seeds) with the static-synapse level."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5), constrained_layout=True)
    r = res["tau_ratios"]
    for ax, k, lab in zip(axes, ("rate", "cv_isi", "fmp_std"), ("output rate (Hz)", "CV$_{ISI}$", "std FMP (mV)")):
        ms = np.array([mean_se(row) for row in res[k]])
        ax.errorbar(r, ms[:, 0], yerr=ms[:, 1], fmt="o-", capsize=3, label="STP synapses")
        m0, s0 = mean_se(res[f"static_{k}"])
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
    ax.axhline(V_TH, color="k", ls="--", lw=1.0)
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
