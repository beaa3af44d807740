"""``stp-brainpy wm``: the working-memory replay (Mongillo, Barak & Tsodyks 2008) — figures, spikes, statistics.

Writes ``raster.png`` (selective populations), ``traces.png`` (population rates; mean u and x of the cued and
an uncued population), ``spikes.nc`` (netCDF: spike times and neurons of the selective populations, rates per
population), ``traces.nc`` (netCDF: rates of every population and block in 2-ms bins, raw and smoothed as the
population-spike rule reads them; mean u and x of the E→E synapses of every block, every 1 ms) and
``stats.json`` (see :func:`stp_brainpy.replays.working_memory.analyse`). Both netCDF files carry units and
the run's metadata, the delivery backend that ran among it (:mod:`stp_brainpy.network.output`). Every argument
is checked, and the output folder, before anything runs or is written; existing outputs are refused unless
``--overwrite``. On a terminal a progress bar shows the simulated time (``--no-progress`` hides it).
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Optional

import numpy as np

from ..core.validation import check_choice, check_integer
from ..network.events import BACKENDS
from ..units import accepts_units
from .plotting import add_replay_parser, check_outputs, clean_floats, write_outputs
from .working_memory import REGIMES, WMParams, analyse, protocol, wm_network

__all__ = ["run_wm", "wm_settings", "add_parser", "OUTPUTS"]

OUTPUTS = ("raster.png", "traces.png", "spikes.nc", "traces.nc", "stats.json")
#: full size (Bernoulli c = 0.2, Mongillo's rule; dt 0.05 ms), measured here with seed 0 over the 6-s protocol:
#: mu_E 22.7 gives the read-out regime (quiet delay, one population spike of the cued population at the read-out,
#: u 0.46 vs 0.24; 22.6 too; at 22.8 the cued population re-ignited once in the delay), 23.1 the periodic one
#: (cued population spikes every 350-700 ms, uncued quiet; 23.8 ignites an uncued one). Measured with the
#: counter-based noise (network.noise); with the earlier jax.random stream 22.8 was quiet. Fixed in-degree
#: (Tiddia's rule, WMParams(conn='fixed_in_degree')), same noise stream, seed 0, 6-s protocol: 22.7 and 23.1 too
#: (22.6-22.8 read-out regime, u 0.49 vs 0.24 at 22.7, the delay quiet even at 22.8; 23.0-23.2 periodic, at 23.1
#: population spikes every 300-450 ms, uncued quiet; 23.8 ignites an uncued population before the cue).
MU_E = {"readout": 22.7, "periodic": 23.1}
#: --quick (S = 0.2, every block all-to-all, dt 0.1 ms): measured here with seed 0, mu_E 22.7 gives the read-out
#: regime (22.8-22.9 let an uncued population answer the read-out) and 23.2 the periodic one (23.8 ignites
#: uncued populations spontaneously). Periodic: at 23.0 the cued population re-ignited 1-2 times in the delay
#: depending on the noise realisation (seeds 0-3, either noise stream), at 23.2 3-6 times, uncued never.
MU_E_QUICK = {"readout": 22.7, "periodic": 23.2}


@accepts_units(duration="ms")
def wm_settings(regime: str = "readout", quick: bool = False, seed: int = 0, duration: Optional[float] = None,
                **overrides):
    """(parameters, protocol) of a run; ``quick``: S = 0.2 (inputs per neuron kept), dt = 0.1 ms, 3 s."""
    check_choice("regime", regime, REGIMES)
    check_integer("seed", seed, low=0)
    prm = WMParams(mu_E=(MU_E_QUICK if quick else MU_E)[regime], dt=0.1 if quick else 0.05)
    if quick:
        prm = prm.scaled(0.2)
    if overrides:
        from dataclasses import replace

        prm = replace(prm, **overrides)
    return prm, protocol(regime, quick, duration)


def simulate_wm(prm: WMParams, proto, seed: int = 0, backend: str = "auto", progress: bool = False):
    """Build, run and analyse; returns (network, raw result, stats). ``progress``: a bar on a terminal's stderr
    (the scan then runs in pieces: same spikes)."""
    from ..network.compile_fused import FusedNetwork
    from ..network.output import progress_bar

    net = wm_network(prm, proto, seed=seed)
    fn = FusedNetwork(net, backend=backend)
    with progress_bar(net, f"wm {proto.regime}", progress) as kw:
        res = fn.run(**kw)
    return net, res, analyse(res, net, proto)


def _figures(net, res, stats, prm):
    import matplotlib.pyplot as plt

    dt = net.dt
    n_sel = int(round(prm.f * prm.N_E))
    fig1, ax = plt.subplots(figsize=(9, 4))
    ax.plot(res["spike_steps"] * dt / 1000.0, res["spike_neurons"], ",k")
    for k in range(1, prm.p):
        ax.axhline(k * n_sel, color="0.7", lw=0.5)
    ax.axvspan(stats["cue_ms"][0] / 1000, stats["cue_ms"][1] / 1000, color="tab:orange", alpha=0.2, label="cue")
    if stats["readout_ms"]:
        ax.axvspan(stats["readout_ms"][0] / 1000, stats["readout_ms"][1] / 1000, color="tab:blue", alpha=0.2,
                   label="read-out")
    ax.set(xlabel="time (s)", ylabel="neuron (selective populations)", title=f"working memory, {stats['regime']} regime")
    ax.legend(loc="upper right")
    fig2, (a1, a2) = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    t = (np.arange(stats["_smooth"].shape[0]) + 0.5) * stats["rate_bin_ms"] / 1000.0
    for j, p in enumerate(stats["populations"]):
        if p["selective"]:
            a1.plot(t, stats["_smooth"][:, j], lw=0.8, label=p["name"] + (" (cued)" if p["cued"] else ""))
    a1.set(ylabel="rate (Hz)")
    a1.legend(fontsize=7, ncol=3)
    tu = (np.arange(len(next(iter(stats["_u"].values())))) + 1) * stats["_every_ms"] / 1000.0
    for name, style in (("sel0", "-"), ("sel1", "--")):
        a2.plot(tu, stats["_u"][name], "tab:red", ls=style, label=f"u {name}")
        a2.plot(tu, stats["_x"][name], "tab:blue", ls=style, label=f"x {name}")
    a2.set(xlabel="time (s)", ylabel="mean u, x", ylim=(0, 1))
    a2.legend(fontsize=7, ncol=4)
    return fig1, fig2


def _datasets(net, res, stats, prm, backend: str) -> dict:
    """``spikes.nc`` and ``traces.nc`` (:mod:`stp_brainpy.network.output`) with the replay's parameters."""
    from ..network.output import run_attrs, spikes_dataset, traces_dataset

    attrs = run_attrs("working memory, Mongillo, Barak & Tsodyks 2008 (Tiddia et al. 2022 parameters)", net, backend,
                      regime=stats["regime"], N_E=prm.N_E, N_I=prm.N_I, scale=prm.scale, mu_E_mV=prm.mu_E,
                      mu_I_mV=prm.mu_I, J_p_mV=prm.J_p, U=prm.U, tau_f_ms=prm.tau_f, tau_d_ms=prm.tau_d,
                      cue_ms=list(stats["cue_ms"]), delay_ms=list(stats["delay_ms"]),
                      readout_ms=list(stats["readout_ms"] or []), n_synapses=res["n_synapses"])
    traces = traces_dataset(net, res, attrs, bin_ms=stats["rate_bin_ms"])
    smooth = stats["_smooth"][:traces.sizes["time"]]
    traces["block_rate_smoothed"] = (("time", "block"), smooth, {
        "units": "Hz", "long_name": "block rate, 5-bin boxcar (what the population-spike rule reads)"})
    return {"spikes.nc": spikes_dataset(net, res, attrs), "traces.nc": traces}


@accepts_units(duration="ms")
def run_wm(out_dir, regime: str = "readout", quick: bool = False, seed: int = 0, duration: Optional[float] = None,
           overwrite: bool = False, backend: str = "auto", progress: bool = True, **overrides) -> list[Path]:
    """Check everything, simulate, write :data:`OUTPUTS` into ``out_dir``; returns the paths written."""
    check_choice("backend", backend, BACKENDS)
    prm, proto = wm_settings(regime, quick, seed, duration, **overrides)
    out = Path(out_dir)
    targets = check_outputs(out, [out / f for f in OUTPUTS], overwrite)
    t0 = time.perf_counter()
    if progress:
        print(f"wm: simulating {proto.duration:g} ms of {prm.N_E + prm.N_I} neurons ({regime})", flush=True)
    net, res, stats = simulate_wm(prm, proto, seed, backend, progress)
    if progress:
        print(f"wm: simulated in {time.perf_counter() - t0:.1f} s", flush=True)
    datasets = _datasets(net, res, stats, prm, backend)
    public = {k: v for k, v in stats.items() if not k.startswith("_")}
    public.update(sim_s=res["sim_s"], compile_s=res["compile_s"], build_s=res["build_s"], n_synapses=res["n_synapses"],
                  params={k: getattr(prm, k) for k in prm.__dataclass_fields__}, seed=seed,
                  delivery_backend=datasets["spikes.nc"].attrs["delivery_backend"],
                  package_version=datasets["spikes.nc"].attrs["package_version"])
    write_outputs(out, _figures(net, res, stats, prm), targets[:2],
                  {"stats.json": json.dumps(clean_floats(public), indent=1)}, dpi=150, datasets=datasets)
    return targets


def _main(args: argparse.Namespace) -> int:
    paths = run_wm(args.out, args.regime, args.quick, args.seed, args.duration, args.overwrite, args.backend,
                   progress=not args.no_progress)
    print(f"wrote {len(paths)} files to {args.out}")
    return 0


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = add_replay_parser(subparsers, "wm", "working memory in facilitating synapses (Mongillo et al. 2008)", __doc__,
                          "figures/wm", "downscaled network (S = 0.2, inputs per neuron kept), 3 s at dt 0.1 ms", _main)
    p.add_argument("--regime", choices=REGIMES, default="readout", help="read-out (default) or periodic")
    p.add_argument("--seed", type=int, default=0, help="seed (integer >= 0)")
    p.add_argument("--duration", type=float, default=None, help="simulated time in ms (default 6000, quick 3000)")
    p.add_argument("--backend", choices=BACKENDS, default="auto", help="event delivery (default auto)")
    return p
