"""XLA delivery path (the GPU path): capacity ladder vs a single active-source buffer.

    python benchmarks/bench_capacity.py [--sizes 4000,40000,400000] [--duration 200]

The ladder picks the smallest buffer that holds this step's active sources with ``lax.switch``;
a single buffer of ``n`` rows needs no branch but scatters every row. Prints compile and
simulation time per variant (COBA-STP, fixed in-degree 80, backend='xla').
"""
from __future__ import annotations

import argparse

import jax

from stp_brainpy.network import COBAConfig, FusedCOBA
from stp_brainpy.network.events import capacity_ladder, default_capacities


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="4000,40000,400000")
    ap.add_argument("--duration", type=float, default=200.0)
    args = ap.parse_args()
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
