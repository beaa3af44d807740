"""``stp-brainpy wm``: the working-memory replay (Mongillo, Barak & Tsodyks 2008) — figures, spikes, statistics.

Writes ``raster.png`` (selective populations), ``traces.png`` (population rates; mean u and x of the cued and
an uncued population), ``spikes.nc`` (netCDF: spike times and neurons of the selective populations, population
rates, u/x traces; units in attributes) and ``stats.json`` (see
:func:`stp_brainpy.replays.working_memory.analyse`). Every argument is checked, and the output folder, before
anything runs or is written.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Optional

import numpy as np

from ..core.validation import check_choice, check_integer
from .plotting import add_output_arguments, check_outputs, output_dir, save_figure
from .working_memory import REGIMES, WMParams, analyse, protocol, wm_network

__all__ = ["run_wm", "wm_settings", "add_parser", "OUTPUTS"]

OUTPUTS = ("raster.png", "traces.png", "spikes.nc", "stats.json")
#: full size (fixed in-degree, dt 0.05 ms), measured here with seed 0 over the 6-s protocol: mu_E 22.7 gives the
#: read-out regime (quiet delay, one population spike of the cued population at the read-out, u 0.48 vs 0.24),
#: 23.1 the periodic one (cued population spikes every 350-470 ms, uncued quiet). The GUIDE's Brian2 transcription
#: with Bernoulli connectivity put them at 23.1 and 23.8: fixed in-degree (Tiddia's rule) shifts them down.
MU_E = {"readout": 22.7, "periodic": 23.1}
#: --quick (S = 0.2, every block all-to-all, dt 0.1 ms): measured here with seed 0, mu_E 22.7 gives the read-out
#: regime (22.8-22.9 let an uncued population answer the read-out) and 23.0 the periodic one (23.8 ignites
#: uncued populations spontaneously).
MU_E_QUICK = {"readout": 22.7, "periodic": 23.0}


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


def simulate_wm(prm: WMParams, proto, seed: int = 0, backend: str = "auto"):
    """Build, run and analyse; returns (network, raw result, stats)."""
    from ..network.compile_fused import FusedNetwork

    net = wm_network(prm, proto, seed=seed)
    fn = FusedNetwork(net, backend=backend)
    res = fn.run()
    return net, res, analyse(res, net, proto)


def _figures(net, res, stats, prm):
    import matplotlib

    matplotlib.use("Agg")
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


def _dataset(net, res, stats, prm):
    import xarray as xr

    dt = net.dt
    names = [p["name"] for p in stats["populations"]]
    t_bins = (np.arange(stats["_smooth"].shape[0]) + 0.5) * stats["rate_bin_ms"]
    labels = list(stats["_u"])
    tu = (np.arange(len(stats["_u"][labels[0]])) + 1) * stats["_every_ms"] if labels else np.zeros(0)
    ds = xr.Dataset(
        {"spike_time": ("spike", res["spike_steps"] * dt, {"units": "ms"}),
         "spike_neuron": ("spike", res["spike_neurons"].astype(np.int32), {"units": "1", "long_name": "E neuron index"}),
         "rate": (("time_bin", "population"), stats["_smooth"], {"units": "Hz", "long_name": "smoothed population rate"}),
         "u_mean": (("time_u", "block"), np.stack([stats["_u"][k] for k in labels], 1), {"units": "1"}),
         "x_mean": (("time_u", "block"), np.stack([stats["_x"][k] for k in labels], 1), {"units": "1"})},
        coords={"time_bin": ("time_bin", t_bins, {"units": "ms"}), "population": names,
                "time_u": ("time_u", tu, {"units": "ms"}), "block": labels},
        attrs={"model": "Mongillo, Barak & Tsodyks 2008 (Tiddia et al. 2022 parameters)", "regime": stats["regime"],
               "dt_ms": dt, "N_E": prm.N_E, "N_I": prm.N_I, "scale": prm.scale, "mu_E_mV": prm.mu_E,
               "mu_I_mV": prm.mu_I, "J_p_mV": prm.J_p, "seed": net.seed,
               "spike_overflow": int(np.max(res.get("spike_overflow", np.zeros(1))))})
    return ds


def run_wm(out_dir, regime: str = "readout", quick: bool = False, seed: int = 0, duration: Optional[float] = None,
           overwrite: bool = False, backend: str = "auto", progress: bool = True, **overrides) -> list[Path]:
    """Check everything, simulate, write :data:`OUTPUTS` into ``out_dir``; returns the paths written."""
    prm, proto = wm_settings(regime, quick, seed, duration, **overrides)
    out = Path(out_dir)
    targets = check_outputs(out, [out / f for f in OUTPUTS], overwrite)
    t0 = time.perf_counter()
    if progress:
        print(f"wm: simulating {proto.duration:g} ms of {prm.N_E + prm.N_I} neurons ({regime})", flush=True)
    net, res, stats = simulate_wm(prm, proto, seed, backend)
    if progress:
        print(f"wm: simulated in {time.perf_counter() - t0:.1f} s", flush=True)
    figs = _figures(net, res, stats, prm)
    ds = _dataset(net, res, stats, prm)
    public = {k: v for k, v in stats.items() if not k.startswith("_")}
    public.update(sim_s=res["sim_s"], compile_s=res["compile_s"], build_s=res["build_s"], n_synapses=res["n_synapses"],
                  params={k: getattr(prm, k) for k in prm.__dataclass_fields__}, seed=seed)
    with output_dir(out):
        save_figure(figs[0], targets[0], overwrite=True)
        save_figure(figs[1], targets[1], overwrite=True)
        ds.to_netcdf(targets[2], engine="netcdf4")
        targets[3].write_text(json.dumps(public, indent=1, default=float))
    return targets


def _main(args: argparse.Namespace) -> int:
    paths = run_wm(args.out, args.regime, args.quick, args.seed, args.duration, args.overwrite,
                   progress=not args.no_progress)
    print(f"wrote {len(paths)} files to {args.out}")
    return 0


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("wm", help="working memory in facilitating synapses (Mongillo et al. 2008)",
                              description=__doc__.splitlines()[0])
    add_output_arguments(p, "figures/wm", "downscaled network (S = 0.2, inputs per neuron kept), 3 s at dt 0.1 ms")
    p.add_argument("--regime", choices=REGIMES, default="readout", help="read-out (default) or periodic")
    p.add_argument("--seed", type=int, default=0, help="seed (integer >= 0)")
    p.add_argument("--duration", type=float, default=None, help="simulated time in ms (default 6000, quick 3000)")
    p.set_defaults(func=_main)
    return p
