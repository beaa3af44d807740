r"""Synaptic working memory (Mongillo, Barak & Tsodyks 2008), on the package's network description.

An item is held by facilitation of the recurrent synapses of one selective population, not by persistent
firing: after a cue the population's mean u stays high for about τ_F, so it answers a non-specific read-out
with a population spike (read-out regime) or, at a higher background, re-ignites by itself in periodic
population spikes (periodic regime).

Model (Mongillo et al. 2008, Supporting Online Material; parameter values of Tiddia et al. 2022,
``gmtiddia/working_memory_spiking_network``, ``data/network_params.json`` and ``model/model.py``):

* N_E = 8000 excitatory neurons in p = 5 non-overlapping selective populations of f·N_E = 800 and a
  non-selective rest of 4000; N_I = 2000 inhibitory. Current-based LIF,
  :math:`\tau_m \dot V = -V + \sum_j J_{ij} u_j x_j \delta(t - t_j - d_{ij}) + \mu + \sigma\sqrt{\tau_m}\xi`,
  θ = 20 mV, V_reset 16 (E) / 13 (I) mV, τ_m 15 / 10 ms, τ_ref 2 ms, E_L 0. Recurrent input is an
  instantaneous voltage jump (Mongillo); Tiddia's NEST version uses 2-ms exponential currents scaled to the
  same PSP peak, which is why its μ values differ.
* Connectivity (``WMParams.conn``): ``'bernoulli'`` (default, Mongillo et al.'s SOM: every ordered pair of
  neurons is connected independently with probability c = 0.2, autapses included) or ``'fixed_in_degree'``
  (Tiddia's NEST model: every neuron draws exactly c·n_B inputs from each source block B of n_B neurons,
  autapses allowed, no multapses). **J convention: J_XY is the weight from population Y onto
  X** (Tiddia's ``J_IE`` is E→I). J_IE = 0.135, J_EI = 0.25 (inhibitory), J_II = 0.20 mV; E→E: J_p = 0.45 mV
  within a selective population, J_b = 0.10 mV between different selective populations, and from and into
  the non-selective population a fraction γ0 = 0.10 of the synapses from non-selective neurons potentiated
  (J_p), the rest J_b (Tiddia's ``connect_populations``). Delays uniform in [0.1, 1] ms per synapse.
* STP on E→E only, Mongillo's form: u relaxes to U (τ_F = 1500 ms), x to 1 (τ_D = 200 ms), a spike
  raises u by U(1 - u) and then releases u⁺x⁻ — the package's ``markram`` model with ``read='after'`` and
  f = U. U = 0.2 (Mongillo; Tiddia 0.19), state at rest (u = U, x = 1) at t = 0.
* External input: Gaussian white noise, mean μ_E, μ_I and σ = 1 mV (see
  :mod:`stp_brainpy.network.description` for the convention: free-membrane SD σ/√2). μ_I = 21.0 mV;
  read-out regime μ_E = 22.7, periodic μ_E = 23.1 mV (:data:`stp_brainpy.replays.wm_cli.MU_E`), measured
  here at full size with Bernoulli connectivity, seed 0, over the 6-s protocol: at 22.7 a quiet delay and one
  population spike of the cued population at the read-out (u 0.46 vs 0.24 uncued); at 23.1 the cued
  population alone re-ignites every 350–700 ms; at 23.8 an uncued population ignites spontaneously. Fixed
  in-degree (``WMParams(conn='fixed_in_degree')``, same run, noise stream and seed) puts them at 22.7 and 23.1
  too: 22.6–22.8 give the read-out regime (quiet delay, the cued population answers the read-out; u 0.49 vs
  0.24 at 22.7), 23.0–23.2 the periodic one (at 23.1 population spikes every 300–450 ms, uncued quiet), 23.8
  ignites an uncued population before the cue. The rule moves them by ≤ 0.1 mV, so the offset from the GUIDE's
  Brian2 transcription (23.1 and 23.8, Bernoulli too) lies elsewhere (integration or noise convention), not
  in the connectivity. Tiddia's 22.7–24.1 mV are for 2-ms exponential currents. Cue: the cued population's
  mean × 1.15 for 350 ms; read-out: every E neuron's mean × 1.05 for
  250 ms.

Population spike rule: the population rate in 2-ms bins, smoothed by a 5-bin boxcar; each contiguous run
above ``max(40 Hz, 5 × the population's spontaneous rate)`` is one population spike, at its peak.

``--quick`` runs a network scaled by S = 0.2 that keeps every neuron's number of inputs: c' = min(1, 0.2/S),
weights × 0.2/(S·c') (GUIDE §9: holds the memory down to S = 0.2), at dt = 0.1 ms and 3 s. Every block is then
all-to-all, which makes the populations more synchronous: the regimes sit lower, μ_E = 22.7 (read-out) and
23.2 mV (periodic), measured here (:data:`stp_brainpy.replays.wm_cli.MU_E_QUICK`).

References: Mongillo G, Barak O, Tsodyks M (2008) Synaptic theory of working memory. Science 319:1543–1546.
Tiddia G, Golosio B, Fanti V, Paolucci PS (2022) Simulations of working memory spiking networks driven by
short-term plasticity. Front. Integr. Neurosci. 16:972055.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional

import numpy as np

from ..core.validation import check_choice, check_finite, check_integer, check_positive, check_range
from ..network.connectivity import bernoulli, fixed_in_degree_pairs, from_pairs
from ..network.description import (Bernoulli, CurrentLIF, FixedInDegree, Network, Population, Projection, Record,
                                   Stimulus, STPModel, Uniform, WhiteNoise)
from ..units import accepts_units

__all__ = ["WMParams", "Protocol", "wm_network", "protocol", "population_spikes", "analyse", "REGIMES"]

REGIMES = ("readout", "periodic")
CONNECTIVITY = ("bernoulli", "fixed_in_degree")


@accepts_units(J_IE="mV", J_EI="mV", J_II="mV", J_b="mV", J_p="mV", U="1", tau_f="ms", tau_d="ms", mu_E="mV",
               mu_I="mV", sigma="mV", delay="ms", dt="ms")
@dataclass(frozen=True)
class WMParams:
    """Parameters (mV, ms); defaults as in the module docstring."""

    N_E: int = 8000
    N_I: int = 2000
    p: int = 5
    f: float = 0.1
    c: float = 0.2
    J_IE: float = 0.135
    J_EI: float = 0.25
    J_II: float = 0.20
    J_b: float = 0.10
    J_p: float = 0.45
    gamma_0: float = 0.10
    U: float = 0.2
    tau_f: float = 1500.0
    tau_d: float = 200.0
    mu_E: float = 22.7
    mu_I: float = 21.0
    sigma: float = 1.0
    delay: tuple = (0.1, 1.0)
    scale: float = 1.0
    dt: float = 0.05
    conn: str = "bernoulli"

    def __post_init__(self):
        check_choice("conn", self.conn, CONNECTIVITY)
        for k in ("N_E", "N_I", "p"):
            check_integer(k, getattr(self, k), low=1)
        for k in ("f", "c", "gamma_0", "U"):
            check_range(k, getattr(self, k), 0.0, 1.0)
        for k in ("J_IE", "J_EI", "J_II", "J_b", "J_p", "mu_E", "mu_I", "sigma"):
            check_finite(k, getattr(self, k), "mV")
        for k in ("tau_f", "tau_d", "scale", "dt"):
            check_positive(k, getattr(self, k))
        if self.p * self.f > 1:
            raise ValueError(f"p·f must be <= 1 (non-overlapping populations); got {self.p * self.f:g}")

    def scaled(self, S: float) -> "WMParams":
        """The network with S·N neurons keeping each neuron's number of inputs (c' = min(1, c/S))."""
        check_range("scale", S, 0.0, 1.0, low_open=True)
        return replace(self, N_E=int(round(self.N_E * S)), N_I=int(round(self.N_I * S)), scale=S)


@accepts_units(cue="ms", delay="ms", readout="ms", duration="ms", spontaneous="ms")
@dataclass(frozen=True)
class Protocol:
    regime: str
    cue: tuple
    delay: tuple
    readout: Optional[tuple]
    duration: float
    spontaneous: tuple


@accepts_units(duration="ms")
def protocol(regime: str = "readout", quick: bool = False, duration: Optional[float] = None) -> Protocol:
    """Times (ms): spontaneous activity, a 350-ms cue, the delay, a 250-ms read-out (read-out regime)."""
    check_choice("regime", regime, REGIMES)
    t_cue = 1000.0 if quick else 3000.0
    default = 3000.0 if quick else 6000.0
    duration = default if duration is None else float(duration)
    check_finite("duration", duration, "ms")
    need = t_cue + 350.0 + (1100.0 + 250.0 if regime == "readout" else 1000.0)
    if duration < need:
        raise ValueError(f"duration must be at least {need:g} ms for the {regime} protocol"
                         f"{' (--quick)' if quick else ''}; got {duration:g}")
    cue = (t_cue, t_cue + 350.0)
    if regime == "readout":
        delay = (cue[1], cue[1] + 1100.0)
        readout = (delay[1], delay[1] + 250.0)
    else:
        delay, readout = (cue[1], duration), None
    return Protocol(regime, cue, delay, readout, duration, (200.0, t_cue))


def ee_connectivity(prm: WMParams, seed: int = 0):
    """E→E synapses and weights (CSR order): every pair connected with probability c' (``conn='bernoulli'``) or
    each neuron drawing c'·|B| inputs from every E block B (``sel0..``, ``nonsel``) without repeats
    (``'fixed_in_degree'``); J_p within a selective population, J_b between, and from non-selective neurons J_p
    with probability γ0 (else J_b). At c' = 1 both rules give the same all-to-all synapses and weights."""
    S = prm.scale
    c = min(1.0, prm.c / S)
    k_w = prm.c / (S * c)
    n_sel = int(round(prm.f * prm.N_E))
    bounds = [k * n_sel for k in range(prm.p + 1)] + [prm.N_E]
    ss = np.random.SeedSequence([seed, 7]).spawn(len(bounds) ** 2 + 1)
    if prm.conn == "bernoulli":
        conn = bernoulli(prm.N_E, prm.N_E, c, seed=ss[0])
    else:
        pre, post, j = [], [], 0
        for t0, t1 in zip(bounds[:-1], bounds[1:]):
            for s0, s1 in zip(bounds[:-1], bounds[1:]):
                k = int(round(c * (s1 - s0)))
                a, b = fixed_in_degree_pairs(s1 - s0, t1 - t0, k, seed=ss[j])
                pre.append(a + s0)
                post.append(b + t0)
                j += 1
        conn = from_pairs(np.concatenate(pre), np.concatenate(post), prm.N_E, prm.N_E)
    blk = np.minimum(np.arange(prm.N_E) // max(n_sel, 1), prm.p).astype(np.int16)  # block of every E neuron
    blk_s = np.repeat(blk, conn.degree)
    w = np.where((blk_s == blk[conn.indices]) & (blk_s < prm.p), prm.J_p, prm.J_b)
    del blk_s
    # the synapses from non-selective neurons (blk == p) are the CSR's tail: J_p with probability γ0
    tail = int(conn.indptr[np.searchsorted(blk, prm.p)])
    coin = np.random.default_rng(ss[-1]).random(w.size)[tail:] < prm.gamma_0
    w[tail:] = np.where(coin, prm.J_p, prm.J_b)
    w *= k_w
    return conn, w


def wm_network(prm: WMParams = WMParams(), proto: Protocol = protocol(), seed: int = 0, cued: int = 0,
               record_every: Optional[int] = None) -> Network:
    """The description of the model: populations ``E`` (selective blocks ``sel0..sel{p-1}`` first, then
    ``nonsel``) and ``I``; blocks label the selective populations for counts, u/x means and spikes."""
    S = prm.scale
    c = min(1.0, prm.c / S)
    k_w = prm.c / (S * c)  # weight factor keeping each neuron's mean input
    n_sel = int(round(prm.f * prm.N_E))
    E = CurrentLIF(tau_m=15.0, V_th=20.0, V_reset=16.0, tau_ref=2.0, V0=(10.0, 20.0))
    I = CurrentLIF(tau_m=10.0, V_th=20.0, V_reset=13.0, tau_ref=2.0, V0=(10.0, 20.0))
    pops = [Population("E", prm.N_E, E), Population("I", prm.N_I, I)]
    stp = STPModel("markram", read="after", U=prm.U, tau_f=prm.tau_f, tau_d=prm.tau_d)
    d = Uniform(*prm.delay)
    conn, w = ee_connectivity(prm, seed)
    if prm.conn == "bernoulli":
        from_E = from_I = Bernoulli(c)
    else:
        from_E, from_I = FixedInDegree(int(round(c * prm.N_E))), FixedInDegree(int(round(c * prm.N_I)))
    projs = [Projection("E", "E", conn, weight=w, delay=d, stp=stp),
             Projection("E", "I", from_E, weight=prm.J_IE * k_w, delay=d),
             Projection("I", "E", from_I, weight=-prm.J_EI * k_w, delay=d),
             Projection("I", "I", from_I, weight=-prm.J_II * k_w, delay=d)]
    inputs = [WhiteNoise("E", prm.mu_E, prm.sigma), WhiteNoise("I", prm.mu_I, prm.sigma)]
    stims = [Stimulus("E", *proto.cue, 1.15, start=cued * n_sel, stop=(cued + 1) * n_sel)]
    if proto.readout is not None:
        stims.append(Stimulus("E", *proto.readout, 1.05))
    blocks = tuple((f"sel{k}", "E", k * n_sel, (k + 1) * n_sel) for k in range(prm.p))
    blocks += (("nonsel", "E", prm.p * n_sel, prm.N_E), ("I", "I", 0, prm.N_I))
    every = record_every or max(1, int(round(1.0 / prm.dt)))
    cap = max(32, n_sel * prm.p // 50)
    rec = Record(spikes=(("E", 0, prm.p * n_sel),), blocks=blocks, stp=True, every=every, max_spikes=cap)
    return Network(pops, projs, inputs, stims, rec, dt=prm.dt, duration=proto.duration, seed=seed)


@accepts_units(rate_hz="Hz", bin_ms="ms", threshold_hz="Hz")
def population_spikes(rate_hz: np.ndarray, bin_ms: float, threshold_hz: float) -> np.ndarray:
    """Times (ms, bin centres) of the peaks of contiguous runs of ``rate_hz`` above ``threshold_hz``."""
    above = rate_hz > threshold_hz
    out = []
    k = 0
    while k < above.size:
        if above[k]:
            j = k
            while j < above.size and above[j]:
                j += 1
            out.append((k + int(np.argmax(rate_hz[k:j])) + 0.5) * bin_ms)
            k = j
        else:
            k += 1
    return np.asarray(out)


@accepts_units(bin_ms="ms")
def analyse(res: dict, net: Network, proto: Protocol, cued: int = 0, bin_ms: float = 2.0) -> dict:
    """``stats.json`` content: rates per epoch, population spikes, mean u before the cue / at the delay's end."""
    dt = net.dt
    names = [b[0] for b in net.record.blocks]
    sizes = np.asarray([b[3] - b[2] for b in net.record.blocks], float)
    counts = res["block_count"].astype(float)
    steps_per_bin = max(1, int(round(bin_ms / dt)))
    n_bins = counts.shape[0] // steps_per_bin
    binned = counts[:n_bins * steps_per_bin].reshape(n_bins, steps_per_bin, -1).sum(1)
    rate = binned / sizes / (steps_per_bin * dt / 1000.0)
    smooth = np.apply_along_axis(lambda r: np.convolve(r, np.ones(5) / 5, mode="same"), 0, rate)

    def epoch_rate(j, t0, t1):
        a, b = int(round(t0 / dt)), int(round(t1 / dt))
        return float(counts[a:b, j].sum() / sizes[j] / ((b - a) * dt / 1000.0)) if b > a else float("nan")

    every_ms = net.record.every * dt
    ux = res.get("block_stp_mean")
    u_of = {lab: ux[:, k, 0] for k, lab in enumerate(res.get("block_stp_labels", []))}
    x_of = {lab: ux[:, k, 1] for k, lab in enumerate(res.get("block_stp_labels", []))}

    def u_at(name, t0, t1):
        if name not in u_of:
            return None
        a, b = int(t0 / every_ms), max(int(t0 / every_ms) + 1, int(t1 / every_ms))
        return float(np.mean(u_of[name][a:b]))

    pops = []
    for j, name in enumerate(names):
        spont = epoch_rate(j, *proto.spontaneous)
        thr = max(40.0, 5.0 * spont)
        ps = population_spikes(smooth[:, j], bin_ms, thr)
        pops.append({
            "name": name, "size": int(sizes[j]), "selective": name.startswith("sel"), "cued": name == f"sel{cued}",
            "rate_hz": {"spontaneous": spont, "cue": epoch_rate(j, *proto.cue), "delay": epoch_rate(j, *proto.delay),
                        **({"readout": epoch_rate(j, *proto.readout)} if proto.readout else {})},
            "population_spike_threshold_hz": thr,
            "population_spikes_ms": [round(float(t), 3) for t in ps],
            "u_mean": {"before_cue": u_at(name, proto.cue[0] - 100.0, proto.cue[0]),
                       "end_of_delay": u_at(name, proto.delay[1] - 100.0, proto.delay[1])},
        })
    return {"regime": proto.regime, "populations": pops, "cue_ms": list(proto.cue), "delay_ms": list(proto.delay),
            "readout_ms": list(proto.readout) if proto.readout else None, "duration_ms": proto.duration,
            "dt_ms": dt, "rate_bin_ms": bin_ms,
            "population_spike_rule": "population rate in 2-ms bins, 5-bin boxcar; each run above max(40 Hz, 5 x "
                                     "spontaneous rate) is one population spike, at its peak",
            "rate_traces": {"bin_ms": bin_ms, "t0_ms": 0.0}, "_smooth": smooth, "_u": u_of, "_x": x_of, "_every_ms": every_ms}
