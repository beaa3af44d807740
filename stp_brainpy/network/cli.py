"""``stp-brainpy network``: run the COBA / COBA-STP network, write a raster, statistics, spikes and traces.

Writes ``raster.png``, ``stats.json``, ``spikes.nc`` (every neuron's spikes, per-population rates and CV_ISI)
and ``traces.nc`` (population rates in 1-ms bins; with ``--record-ux`` the mean u, x of the STP synapses, with
``--record-v N`` the membrane potential of the first N neurons of each population, sampled every
``--record-every`` ms); the netCDF files carry units and the run's metadata (model, seed, dt, duration, the
delivery backend that ran, the package version): :mod:`stp_brainpy.network.output`.

Every flag is checked before anything runs or is written: the configuration (sizes, probability,
in-degree, dt, duration, seed), the raster size and recorders, the memory the network needs (refused with
the estimate when it does not fit) and the output folder (it must be creatable, and no output may exist
unless ``--overwrite``; nothing is created until the simulation has finished). A user error prints one line
``error: ...`` and exits 2. On a terminal a progress bar shows the simulated time (``--no-progress`` hides it).
"""
from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

__all__ = ["add_parser", "run_network", "OUTPUTS"]

OUTPUTS = ("raster.png", "stats.json", "spikes.nc", "traces.nc")
DEFAULT_RECORD = 1000
#: spikes listed per step: 64 + this fraction of the neurons (COBA's initial volley, from potentials drawn in
#: [V_reset, V_th], reaches 2.7 % of 4000 neurons in one step; its steady state ~0.2 %); more are counted as
#: ``spikes_dropped``. The list takes 4 bytes per entry and step, on the device and the host.
SPIKE_FRACTION_CAP = 1 / 16


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("network", help="simulate the COBA / COBA-STP benchmark network",
                              description=__doc__.splitlines()[0])
    p.add_argument("--neurons", type=int, default=4000, help="number of neurons, 80%% excitatory (default 4000)")
    p.add_argument("--stp", action=argparse.BooleanOptionalAction, default=True,
                   help="Tsodyks-Markram E->E and E->I synapses (U 0.2, tau_d 150, tau_f 2 ms); default on")
    p.add_argument("--duration", type=float, default=1000.0, help="simulated time in ms (default 1000)")
    p.add_argument("--dt", type=float, default=0.1, help="time step in ms (default 0.1)")
    p.add_argument("--seed", type=int, default=0, help="connectivity and initial-potential seed (integer >= 0)")
    p.add_argument("--p", type=float, default=0.02, help="connection probability per ordered pair (default 0.02)")
    p.add_argument("--in-degree", type=int, default=None,
                   help="fixed number of inputs per neuron instead of --p (80%% of them excitatory)")
    p.add_argument("--backend", choices=("auto", "native", "xla"), default="auto", help="event delivery")
    p.add_argument("--record", type=int, default=None,
                   help=f"neurons shown in the raster, 1..N (default min(N, {DEFAULT_RECORD}))")
    p.add_argument("--record-ux", action="store_true", help="record the mean u and x of the STP synapses (traces.nc)")
    p.add_argument("--record-v", type=int, default=0, metavar="N",
                   help="record V of the first N neurons of each population (traces.nc; default 0)")
    p.add_argument("--record-every", type=float, default=1.0, metavar="MS",
                   help="sampling interval of --record-ux / --record-v in ms, a multiple of --dt (default 1)")
    p.add_argument("--x64", action="store_true", help="simulate in float64 (default float32)")
    p.add_argument("--out", required=True, type=Path, help="output directory")
    p.add_argument("--overwrite", action="store_true", help="replace existing outputs in --out")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.set_defaults(func=run_network)
    return p


def _config(args):
    """The configuration and raster size from the flags; ``ValueError``/``TypeError`` naming the flag."""
    from ..core.validation import check_integer
    from .config import COBAConfig

    flags = {"n_neurons": "--neurons", "duration": "--duration", "dt": "--dt", "seed": "--seed", "p": "--p",
             "in_degree": "--in-degree"}
    try:
        cfg = COBAConfig(n_neurons=args.neurons, stp=args.stp, duration=args.duration, dt=args.dt, seed=args.seed,
                         p=args.p, in_degree=args.in_degree)
    except (ValueError, TypeError) as err:
        msg = str(err)
        for field, flag in flags.items():
            if msg.startswith(field + " "):
                msg = flag + msg[len(field):]
                break
        raise type(err)(msg) from None
    if args.record is None:
        record = min(cfg.n_neurons, DEFAULT_RECORD)
    else:
        record = check_integer("--record", args.record, low=1, high=cfg.n_neurons)
    return cfg, record


def _recorders(args, cfg):
    """(sample interval in steps, V neurons per population, spikes listed per step); ``ValueError`` naming the flag."""
    from ..core.validation import check_finite, check_integer, check_positive

    n_v = check_integer("--record-v", args.record_v, low=0, high=cfg.n_neurons)
    check_positive("--record-every", args.record_every)
    check_finite("--record-every", args.record_every, "ms")
    every = args.record_every / cfg.dt
    if abs(every - round(every)) > 1e-9 * max(1.0, every) or round(every) < 1:
        raise ValueError(f"--record-every must be a positive multiple of --dt {cfg.dt:g} ms; got {args.record_every:g}")
    if round(every) > cfg.n_steps:
        raise ValueError(f"--record-every must not exceed --duration {cfg.duration:g} ms; got {args.record_every:g}")
    cap = min(cfg.n_neurons, 64 + math.ceil(cfg.n_neurons * SPIKE_FRACTION_CAP))
    return int(round(every)), n_v, cap


def _check_memory(cfg, record: int, n_v: int, every: int, cap: int) -> None:
    from .sizes import BUILD_BYTES_PER_SYNAPSE, check_fits

    est = cfg.estimate(record)
    listed = cfg.n_steps * (8 * cap + 4)  # spike list per step (device and host), overflow counter
    samples = (cfg.n_steps // every) * (8 * 2 * n_v + 16 * 2)
    check_fits(f"a COBA network of {cfg.n_neurons} neurons ({cfg.n_steps} steps, spike list of {cap} per step)",
               est["synapses"], extra_bytes=est["bytes"] - est["synapses"] * BUILD_BYTES_PER_SYNAPSE + listed + samples)


def _raster_rows(cfg, record: int):
    """The raster's neurons: the first E and the first I neurons in proportion (all when record == N)."""
    import numpy as np

    n, ne = cfg.n_neurons, cfg.n_exc
    k_e = min(ne, int(round(record * ne / n)))
    return np.r_[0:k_e, ne:ne + record - k_e].astype(np.int64)


def _figure(cfg, res, record: int, stats: dict):
    import matplotlib.pyplot as plt
    import numpy as np

    rows = _raster_rows(cfg, record)
    pos = np.full(cfg.n_neurons, -1, np.int64)
    pos[rows] = np.arange(rows.size)
    steps, gid = res["spike_steps"], res["spike_neurons"]
    shown = pos[gid] >= 0
    steps, gid, row = steps[shown], gid[shown], pos[gid[shown]]
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(8, 5), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    exc = gid < cfg.n_exc
    ax.scatter(steps[exc] * cfg.dt, row[exc], s=0.5, c="tab:blue", lw=0, label="E")
    ax.scatter(steps[~exc] * cfg.dt, row[~exc], s=0.5, c="tab:red", lw=0, label="I")
    ax.set_ylabel(f"{record} neurons (E blue, I red)")
    ax.set_title(f"COBA{'-STP' if cfg.stp else ''}, N={cfg.n_neurons}: {stats['rate_hz']:.1f} Hz, "
                 f"CV_ISI {stats['cv_isi']:.2f}")
    bin_steps = max(1, int(round(5.0 / cfg.dt)))
    pop = res["pop_count"].sum(axis=1)
    nb = pop.size // bin_steps
    ax2.plot(np.arange(nb) * bin_steps * cfg.dt, pop[:nb * bin_steps].reshape(nb, bin_steps).sum(1)
             / cfg.n_neurons / (bin_steps * cfg.dt / 1000.0), lw=0.8, c="k")
    ax2.set_xlabel("time (ms)")
    ax2.set_ylabel("rate (Hz)")
    fig.tight_layout()
    return fig


def run_network(args) -> int:
    import sys

    from ..replays.plotting import check_outputs, clean_floats, write_outputs

    out: Path = args.out
    cfg, record = _config(args)
    every, n_v, cap = _recorders(args, cfg)
    _check_memory(cfg, record, n_v, every, cap)
    targets = check_outputs(out, [out / f for f in OUTPUTS], args.overwrite)
    if args.x64:
        import jax

        jax.config.update("jax_enable_x64", True)
    import jax

    from .compile_fused import FusedNetwork
    from .config import build_connectivity
    from .description import Record
    from .instances import coba_network
    from .output import progress_bar, run_attrs, spikes_dataset, traces_dataset

    sizes = {"E": cfg.n_exc, "I": cfg.n_inh}
    rec = Record(spikes=tuple(k for k, v in sizes.items() if v), stp=bool(args.record_ux and cfg.stp),
                 V={k: min(n_v, v) for k, v in sizes.items() if v and n_v}, every=every, max_spikes=cap)
    conn = build_connectivity(cfg)
    net = coba_network(cfg, conn, record=rec)
    sim = FusedNetwork(net, backend=args.backend)
    with progress_bar(net, "network", not args.no_progress) as kw:
        res = sim.run(**kw)
    counts = res["counts"]
    secs = cfg.duration / 1000.0
    attrs = run_attrs(f"COBA{'-STP' if cfg.stp else ''} (Brette et al. 2007, benchmark 1)", net, args.backend,
                      sim.dtype, n_synapses=res["n_synapses"], stp=cfg.stp, p=cfg.p, in_degree=cfg.in_degree or 0)
    spikes = spikes_dataset(net, res, attrs)
    stats = {
        "config": {k: v for k, v in vars(cfg).items() if k != "neuron"} | {"neuron": cfg.neuron._asdict()},
        "rate_hz": res["rate_hz"],
        "rate_exc_hz": float(counts[:cfg.n_exc].mean() / secs) if cfg.n_exc else float("nan"),
        "rate_inh_hz": float(counts[cfg.n_exc:].mean() / secs) if cfg.n_inh else float("nan"),
        "cv_isi": res["cv_isi"],
        "n_spikes": res["n_spikes"],
        "n_synapses": res["n_synapses"],
        "spikes_dropped": spikes.attrs["spikes_dropped"],
        "build_s": res["build_s"],
        "compile_s": res["compile_s"],
        "sim_s": res["sim_s"],
        "device": str(jax.devices()[0]),
        "dtype": str(sim.dtype),
        "delivery_backend": attrs["delivery_backend"],
        "package_version": attrs["package_version"],
    }
    fig = _figure(cfg, res, record, stats)
    # the folder is created only now, after the run: a failed run leaves nothing behind
    write_outputs(out, [fig], targets[:1], {"stats.json": json.dumps(clean_floats(stats), indent=2) + "\n"}, dpi=120,
                  datasets={"spikes.nc": spikes, "traces.nc": traces_dataset(net, res, attrs)})
    if stats["spikes_dropped"]:
        print(f"warning: spikes.nc misses {stats['spikes_dropped']} spikes (more than {cap} in one step)", file=sys.stderr)
    print(f"rate {stats['rate_hz']:.2f} Hz (E {stats['rate_exc_hz']:.2f}, I {stats['rate_inh_hz']:.2f}), "
          f"CV_ISI {stats['cv_isi']:.3f}, simulation {stats['sim_s']:.3f} s ({attrs['delivery_backend']}) -> {out}")
    return 0
