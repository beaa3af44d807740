"""XLA delivery path (the GPU path): capacity ladder vs a single active-source buffer.

    python benchmarks/bench_capacity.py [--sizes 4000,40000,400000] [--duration 200]
    python benchmarks/bench_capacity.py --quick    # 4000 neurons, 100 ms

The ladder picks the smallest buffer that holds this step's active sources with ``lax.switch``;
a single buffer of ``n`` rows needs no branch but scatters every row. Prints compile and
simulation time per variant (COBA-STP, fixed in-degree 80, backend='xla'), and writes the table to
``benchmarks/results/capacity-<machine>.json`` (``benchmarks/_results.py``; ``--no-write`` prints only).
"""
from __future__ import annotations

import argparse

from _results import add_write_options, machine_tag, write_results  # first: it records the load at the start

import jax

from stp_brainpy.network import COBAConfig, FusedCOBA
from stp_brainpy.network.events import capacity_ladder, default_capacities


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=None, help="neuron counts (default 4000,40000,400000; quick 4000)")
    ap.add_argument("--duration", type=float, default=None, help="simulated ms (default 200; quick 100)")
    ap.add_argument("--quick", action="store_true", help="4000 neurons, 100 ms")
    add_write_options(ap)
    args = ap.parse_args(argv)
    args.sizes = args.sizes or ("4000" if args.quick else "4000,40000,400000")
    args.duration = args.duration or (100.0 if args.quick else 200.0)
    rows = []
    print(f"jax devices {jax.devices()}")
    print(f"{'neurons':>8s} {'capacities':32s} {'compile s':>9s} {'sim s':>8s} {'s/sim s':>8s} {'rate Hz':>8s}")
    for n in (int(s) for s in args.sizes.split(",")):
        cfg = COBAConfig(n_neurons=n, in_degree=80, duration=args.duration)
        variants = {"default": default_capacities(n, jax.default_backend()), "ladder x8": capacity_ladder(n),
                    "ladder x4": capacity_ladder(n, 64, 4),
                    "(n/16, n)": (n // 16, n), "single n": (n,)}
        for name, caps in variants.items():
            sim = FusedCOBA(cfg, backend="xla", capacities=caps)
            sim.compile()
            runs = [sim.run() for _ in range(2)]
            r = min(runs, key=lambda r: r["sim_s"])
            print(f"{n:8d} {name + ' ' + str(caps)[:22]:32s} {r['compile_s']:9.2f} {r['sim_s']:8.3f} "
                  f"{r['sim_s'] / (args.duration / 1000):8.3f} {r['rate_hz']:8.2f}", flush=True)
            rows.append(dict(neurons=n, variant=name, capacities=str(tuple(caps)), compile_s=float(f"{r['compile_s']:.3g}"),
                             s_per_simulated_s=float(f"{r['sim_s'] / (args.duration / 1000):.3g}"),
                             rate_hz=round(float(r["rate_hz"]), 2)))
    if not args.no_write:
        path = write_results(
            f"capacity-{machine_tag()}", rows, out_dir=args.results_dir,
            title="Delay-ring layouts, XLA delivery (s per simulated s)",
            notes=(f"COBA-STP, fixed in-degree 80, backend='xla', {args.duration:g} ms simulated; the faster of 2 "
                   "runs after compiling; 'default' is the layout default_capacities picks on this backend."))
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
