"""``stp-brainpy network``: run the COBA / COBA-STP network, write a raster PNG and statistics JSON.

Every flag is checked before anything runs or is written: the configuration (sizes, probability,
in-degree, dt, duration, seed), the raster size, the memory the network needs (refused with the
estimate when it does not fit) and the output folder (it must be creatable; nothing is created
until the simulation has finished). A user error prints one line ``error: ...`` and exits 2.
"""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

__all__ = ["add_parser", "run_network"]

OUTPUTS = ("raster.png", "stats.json")
DEFAULT_RECORD = 1000


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
    p.add_argument("--x64", action="store_true", help="simulate in float64 (default float32)")
    p.add_argument("--out", required=True, type=Path, help="output directory")
    p.add_argument("--overwrite", action="store_true", help="replace existing outputs in --out")
    p.set_defaults(func=run_network)
    return p


def check_output_dir(out: Path, names=OUTPUTS, overwrite: bool = False) -> None:
    """``OSError`` unless ``out`` can hold ``names``: a folder (or creatable: the nearest existing
    parent is a writable folder), no file in the way, no existing output unless ``overwrite``.
    Creates nothing."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"--out exists and is not a folder: {out}")
    if out.is_dir():
        existing = [str(out / f) for f in names if (out / f).exists()]
        if existing and not overwrite:
            raise FileExistsError(f"refusing to overwrite {', '.join(existing)} (use --overwrite)")
        if not os.access(out, os.W_OK | os.X_OK):
            raise PermissionError(f"--out is not writable: {out}")
        return
    parent = out.absolute().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise NotADirectoryError(f"cannot create --out {out}: {parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise PermissionError(f"cannot create --out {out}: {parent} is not writable")


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


def run_network(args) -> int:
    out: Path = args.out
    cfg, record = _config(args)
    cfg.check_fits(record)
    check_output_dir(out, overwrite=args.overwrite)
    if args.x64:
        import brainpy.math as bm

        bm.enable_x64()
    import jax
    import numpy as np

    from .fused import FusedCOBA

    sim = FusedCOBA(cfg, backend=args.backend, record=record)
    res = sim.run()
    counts = res["counts"]
    secs = cfg.duration / 1000.0
    stats = {
        "config": {k: v for k, v in vars(cfg).items() if k != "neuron"} | {"neuron": cfg.neuron._asdict()},
        "rate_hz": res["rate_hz"],
        "rate_exc_hz": float(counts[:cfg.n_exc].mean() / secs) if cfg.n_exc else float("nan"),
        "rate_inh_hz": float(counts[cfg.n_exc:].mean() / secs) if cfg.n_inh else float("nan"),
        "cv_isi": res["cv_isi"],
        "n_spikes": res["n_spikes"],
        "n_synapses": res["n_synapses"],
        "build_s": res["build_s"],
        "compile_s": res["compile_s"],
        "sim_s": res["sim_s"],
        "device": str(jax.devices()[0]),
        "dtype": str(sim.dtype),
    }
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    step, row = np.nonzero(res["raster"])
    nid = res["raster_neurons"][row]
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(8, 5), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    exc = nid < cfg.n_exc
    ax.scatter(step[exc] * cfg.dt, row[exc], s=0.5, c="tab:blue", lw=0, label="E")
    ax.scatter(step[~exc] * cfg.dt, row[~exc], s=0.5, c="tab:red", lw=0, label="I")
    ax.set_ylabel(f"{record} neurons (E blue, I red)")
    ax.set_title(f"COBA{'-STP' if cfg.stp else ''}, N={cfg.n_neurons}: {stats['rate_hz']:.1f} Hz, "
                 f"CV_ISI {stats['cv_isi']:.2f}")
    bin_steps = max(1, int(round(5.0 / cfg.dt)))
    pop = res["pop_count"]
    nb = pop.size // bin_steps
    ax2.plot(np.arange(nb) * bin_steps * cfg.dt, pop[:nb * bin_steps].reshape(nb, bin_steps).sum(1)
             / cfg.n_neurons / (bin_steps * cfg.dt / 1000.0), lw=0.8, c="k")
    ax2.set_xlabel("time (ms)")
    ax2.set_ylabel("rate (Hz)")
    fig.tight_layout()
    # the folder is created only now, after the run: a failed run leaves nothing behind
    out.mkdir(parents=True, exist_ok=True)
    (out / "stats.json").write_text(json.dumps(stats, indent=2, default=float) + "\n")
    fig.savefig(out / "raster.png", dpi=120)
    plt.close(fig)
    print(f"rate {stats['rate_hz']:.2f} Hz (E {stats['rate_exc_hz']:.2f}, I {stats['rate_inh_hz']:.2f}), "
          f"CV_ISI {stats['cv_isi']:.3f}, simulation {stats['sim_s']:.3f} s -> {out}")
    return 0
