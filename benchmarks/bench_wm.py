"""Working-memory model (Mongillo, Barak & Tsodyks 2008) at full size: seconds per simulated second.

    .venv/bin/python benchmarks/bench_wm.py                      # 10,000 neurons, ~2e7 synapses, 1 s at dt 0.05
    .venv/bin/python benchmarks/bench_wm.py --duration 6000      # the paper's 6 s protocol (cue at 3 s)
    .venv/bin/python benchmarks/bench_wm.py --scale 0.2          # the --quick network

Reports build (connectivity, tables), compile and simulation time separately, the simulation's seconds per
simulated second, the delivered events per second and the spike statistics. The protocol is the read-out
regime's (cue at 3 s when the run is long enough; a shorter run simulates the spontaneous state). The peer
(the same equations in Brian2, Bernoulli connectivity like the replay's default) is
``benchmarks/peers/brian2_wm.py``: ``--brian2`` runs it (cpp_standalone, its own venv, cold build) at the same
size, duration and μ's in the same process tree; its short runs place the cue in the run's second quarter, so
its activity differs slightly. ``--write`` stores both rows via ``benchmarks/_results.py``
(``benchmarks/results/wm-<machine>.json``).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BRIAN2_PY = HERE / ".venv-brian2" / "bin" / "python"
sys.path.insert(0, str(HERE))
import _results  # noqa: E402  (first: records the load at the start)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--duration", type=float, default=1000.0, help="ms (default 1000)")
    ap.add_argument("--dt", type=float, default=0.05)
    ap.add_argument("--backend", default="auto", choices=("auto", "native", "xla"))
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--mu-E", type=float, default=None, help="excitatory background mean (mV; default 22.7, the read-out regime)")
    ap.add_argument("--json", default=None, help="write the results here")
    ap.add_argument("--brian2", action="store_true", help="also run the Brian2 cpp_standalone peer")
    ap.add_argument("--write", action="store_true", help="write benchmarks/results/wm-<machine>.json")
    ap.add_argument("--breakdown", action="store_true",
                    help="also time the step with parts taken out and the noise draw before/after (wm_breakdown.py)")
    ap.add_argument("--replay-steps", type=int, default=400, help="recorded steps replayed by --breakdown")
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
           "rate_hz": round(res["rate_hz"], 3), "backend": args.backend, "contender": "stp_brainpy",
           "load_1min": _results.load_1min()}
    if args.duration >= 6000.0:
        st = analyse(res, net, proto)
        row["populations"] = [{k: p[k] for k in ("name", "rate_hz", "population_spikes_ms", "u_mean")}
                              for p in st["populations"]]
    print(json.dumps(row, indent=1), flush=True)
    rows = [row]
    if args.brian2 and BRIAN2_PY.exists():
        cmd = [str(BRIAN2_PY), str(HERE / "peers" / "brian2_wm.py"), "--target", "cpp_standalone", "--scale",
               str(args.scale), "--duration", str(args.duration), "--dt", str(args.dt), "--mu-E", str(prm.mu_E),
               "--mu-I", str(prm.mu_I)]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=HERE.parent)
        _, status, usage = os.wait4(proc.pid, 0)
        out, err = proc.stdout.read(), proc.stderr.read()
        lines = [ln for ln in out.splitlines() if ln.startswith("{")]
        if os.waitstatus_to_exitcode(status) or not lines:
            print(f"brian2 failed: {err.strip().splitlines()[-1:]}", flush=True)
        else:
            b = json.loads(lines[-1])
            b.update(contender="brian2-cpp_standalone", events_per_s=float(f"{b['spikes'] * b['synapses'] / b['neurons'] / b['sim_s']:.3g}"),
                     wall_s=round(time.perf_counter() - t0, 1), peak_mb=round(usage.ru_maxrss / 1024.0),
                     load_1min=_results.load_1min(), x_sim=round(b["sim_s"] / sim, 2))
            print(json.dumps(b, indent=1), flush=True)
            rows.append(b)
    parts = None
    if args.breakdown:
        from wm_breakdown import breakdown

        parts = breakdown(net, args.backend, repeats=max(3, args.repeats), replay_steps=args.replay_steps)
        print(json.dumps(parts, indent=1), flush=True)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows if len(rows) > 1 else row, fh, indent=1)
    if args.write:
        cols = ["contender", "neurons", "synapses", "duration_ms", "dt_ms", "build_s", "compile_s", "sim_s",
                "s_per_simulated_s", "x_sim", "events_per_s", "rate_hz", "load_1min"]
        path = _results.write_results(
            f"wm-{_results.machine_tag()}", [{k: r.get(k) for k in cols} for r in rows], columns=cols,
            benchmark="wm", title=f"Working memory (Mongillo et al. 2008) at {net.n_neurons} neurons: seconds per "
                                  "simulated second, side by side with Brian2 cpp_standalone",
            notes="stp_brainpy: the fused scan (median of --repeats runs), build = connectivity + tables; Brian2: "
                  "its own timer for the run, cold build (code generation and C++ compilation in build_s/"
                  "compile_s not reported). x_sim = Brian2's sim time / stp_brainpy's. events = spikes x mean "
                  "out-degree. Spontaneous state (no cue) when the run is shorter than the 6-s protocol.")
        print(f"wrote {path}")
        if parts:
            cols = ["variant", "neurons", "wall_us_per_step", "cpu_us_per_step",
                    "spikes_per_step", "load_1min"]
            path = _results.write_results(
                f"wm-breakdown-{_results.machine_tag()}", [{k: r.get(k) for k in cols} for r in parts],
                columns=cols, benchmark="wm-breakdown",
                title=f"Working memory at {net.n_neurons} neurons: one step with parts taken out, and the noise "
                      "draw before/after, timed in turns in one run",
                notes="benchmarks/wm_breakdown.py: fastest of the runs, wall and process CPU time per step; "
                      "replay = recorded spikes instead of the neurons (same activity).")
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
