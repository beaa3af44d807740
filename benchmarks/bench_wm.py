"""Working-memory model (Mongillo, Barak & Tsodyks 2008) at full size: seconds per simulated second.

    .venv/bin/python benchmarks/bench_wm.py                      # 10,000 neurons, ~2e7 synapses, 1 s at dt 0.05
    .venv/bin/python benchmarks/bench_wm.py --duration 6000      # the paper's 6 s protocol (cue at 3 s)
    .venv/bin/python benchmarks/bench_wm.py --scale 0.2          # the --quick network

Reports build (connectivity, tables), compile and simulation time separately, the simulation's seconds per
simulated second, the delivered events per second and the spike statistics. The protocol is the read-out
regime's (cue at 3 s when the run is long enough; a shorter run simulates the spontaneous state). The peer
(the same equations in Brian2) is ``benchmarks/peers/brian2_wm.py``.
"""
from __future__ import annotations

import argparse
import json
import time


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--duration", type=float, default=1000.0, help="ms (default 1000)")
    ap.add_argument("--dt", type=float, default=0.05)
    ap.add_argument("--backend", default="auto", choices=("auto", "native", "xla"))
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--mu-E", type=float, default=None, help="excitatory background mean (mV; default 22.7, the read-out regime)")
    ap.add_argument("--json", default=None, help="write the results here")
    args = ap.parse_args(argv)
    from stp_brainpy.network.compile_fused import FusedNetwork
    from stp_brainpy.replays.working_memory import Protocol, WMParams, analyse, protocol, wm_network

    prm = WMParams(dt=args.dt) if args.mu_E is None else WMParams(dt=args.dt, mu_E=args.mu_E)
    if args.scale != 1.0:
        prm = prm.scaled(args.scale)
    if args.duration >= 6000.0:
        proto = protocol("readout", duration=args.duration)
    else:  # spontaneous state only (the cost of a step barely depends on the epoch)
        d = args.duration
        proto = Protocol("readout", (d, d), (d, d), None, d, (min(200.0, d / 2), d))
    t0 = time.perf_counter()
    net = wm_network(prm, proto)
    fn = FusedNetwork(net, backend=args.backend)
    build = time.perf_counter() - t0
    comp = fn.compile()
    sims = []
    for _ in range(args.repeats):
        res = fn.run()
        sims.append(res["sim_s"])
    sim = sorted(sims)[len(sims) // 2]
    out_deg = res["n_synapses"] / net.n_neurons
    events = res["n_spikes"] * out_deg
    row = {"neurons": net.n_neurons, "synapses": res["n_synapses"], "duration_ms": args.duration, "dt_ms": args.dt,
           "build_s": round(build, 2), "compile_s": round(comp, 2), "sim_s": round(sim, 2),
           "s_per_simulated_s": round(sim / (args.duration / 1000.0), 2), "events_per_s": float(f"{events / sim:.3g}"),
           "rate_hz": round(res["rate_hz"], 3), "backend": args.backend}
    if args.duration >= 6000.0:
        st = analyse(res, net, proto)
        row["populations"] = [{k: p[k] for k in ("name", "rate_hz", "population_spikes_ms", "u_mean")}
                              for p in st["populations"]]
    print(json.dumps(row, indent=1))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(row, fh, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
