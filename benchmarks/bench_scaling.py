"""COBA-STP scaling: 4k, 40k, 400k neurons with fixed in-degree 80 (64 E + 16 I inputs each).

    .venv/bin/python benchmarks/bench_scaling.py                      # 4k, 40k (1 s) and 400k (0.2 s)
    .venv/bin/python benchmarks/bench_scaling.py --sizes 400000 --duration 1000

Each size runs in its own subprocess (peak memory is per size). Reports connectivity build,
compile, simulation time per simulated second, mean rate, and synaptic events per wall-clock
second of simulation (events = Σ spikes × out-degree). Device-agnostic: prints jax.devices();
on a GPU the event delivery uses the pure-XLA path automatically.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def worker(n: int, duration: float, stp: bool, backend: str) -> dict:
    import jax
    import numpy as np

    from stp_brainpy.network import COBAConfig, FusedCOBA

    t0 = time.perf_counter()
    sim = FusedCOBA(COBAConfig(n_neurons=n, in_degree=80, stp=stp, duration=duration), backend=backend)
    build = time.perf_counter() - t0
    sim.compile()
    res = sim.run()
    events = float(np.dot(res["counts"].astype(np.float64), sim.conn.degree))
    return dict(neurons=n, synapses=sim.conn.nnz, duration_ms=duration, build_s=build, compile_s=res["compile_s"],
                sim_s=res["sim_s"], s_per_sim_s=res["sim_s"] / (duration / 1000.0), rate_hz=res["rate_hz"],
                cv_isi=res["cv_isi"], events=events, events_per_s=events / res["sim_s"],
                device=str(jax.devices()[0]))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="4000,40000,400000")
    ap.add_argument("--duration", type=float, default=None,
                    help="ms (default: 1000, and 200 for sizes >= 400k to keep the default run short)")
    ap.add_argument("--stp", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--backend", default="auto")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--worker", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.duration, args.stp, args.backend)))
        return 0
    import jax

    print(f"COBA{'-STP' if args.stp else ''} scaling, fixed in-degree 80; jax devices {jax.devices()}", flush=True)
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        dur = args.duration or (200.0 if n >= 400_000 else 1000.0)
        cmd = [sys.executable, __file__, "--worker", str(n), "--duration", str(dur), "--backend", args.backend,
               "--stp" if args.stp else "--no-stp"]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        out, err = proc.stdout.read(), proc.stderr.read()
        wall = time.perf_counter() - t0
        lines = [ln for ln in out.splitlines() if ln.startswith("{")]
        if os.waitstatus_to_exitcode(status) or not lines:
            print(f"  {n}: failed: {err.strip().splitlines()[-1:] }", flush=True)
            continue
        r = json.loads(lines[-1])
        r.update(process_s=wall, peak_mb=usage.ru_maxrss / 1024.0)
        rows.append(r)
        print(f"  {n}: {r['s_per_sim_s']:.3f} s per simulated s", flush=True)
    head = f"{'neurons':>8s} {'synapses':>10s} {'sim ms':>7s} {'build s':>8s} {'compile s':>9s} {'sim s':>8s} " \
           f"{'s/sim s':>8s} {'rate Hz':>8s} {'events/s':>10s} {'peak MB':>8s}"
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r['neurons']:8d} {r['synapses']:10d} {r['duration_ms']:7.0f} {r['build_s']:8.2f} "
              f"{r['compile_s']:9.2f} {r['sim_s']:8.3f} {r['s_per_sim_s']:8.3f} {r['rate_hz']:8.2f} "
              f"{r['events_per_s']:10.3g} {r['peak_mb']:8.0f}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
