"""COBA-STP scaling: 4k, 40k, 400k neurons with fixed in-degree 80 (64 E + 16 I inputs each), side by side with
Brian2 cpp_standalone, and where one fused step's time goes.

    .venv/bin/python benchmarks/bench_scaling.py                      # 4k, 40k (1 s) and 400k (0.2 s), + Brian2
    .venv/bin/python benchmarks/bench_scaling.py --sizes 400000 --duration 1000
    .venv/bin/python benchmarks/bench_scaling.py --no-brian2 --json out.json
    .venv/bin/python benchmarks/bench_scaling.py --breakdown --sizes 4000,40000   # per-step time by part

Each size and contender runs in its own subprocess (peak memory is per run). Reports connectivity build,
compile, simulation time per simulated second, mean rate, and delivered synaptic events per wall-clock second
of simulation (events = Σ spikes × out-degree). Brian2 (``benchmarks/peers/brian2_coba.py``, its own venv
``benchmarks/.venv-brian2``) connects every pair with probability 80/N — the same expected in-degree and number
of synapses; its events are its spikes × its mean out-degree. Its build is cold (fresh directory: code
generation and C++ compilation), its ``sim`` the run alone as its own timer reports it. ``--write`` stores the
table through ``benchmarks/_results.py`` (``benchmarks/results/scaling-<machine>.json``).

``--breakdown`` times the compiled scan (the fastest of ``--repeats`` runs, in turns) with parts taken out, at the same activity (the neurons replaced by a
replay of recorded spikes, looped every ``M`` steps): ``full`` − ``replay`` is the neuron update, ``replay`` −
``no delivery`` the event delivery (``replay`` − ``replay, no spikes`` its part proportional to the events,
the rest the per-call cost: FFI call, walking the source vector, zeroing the output), ``no delivery`` − ``no
emit`` the STP update and delay rings, and what is left is the channel decay, statistics, recording and the
loop. Device-agnostic: prints jax.devices(); on a GPU the event delivery uses the pure-XLA path automatically.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BRIAN2_PY = HERE / ".venv-brian2" / "bin" / "python"
sys.path.insert(0, str(HERE))
import _results  # noqa: E402  (first: records the load at the start)


def worker(n: int, duration: float, stp: bool, backend: str, repeats: int = 1) -> dict:
    import jax
    import numpy as np

    from stp_brainpy.network import COBAConfig, FusedCOBA

    t0 = time.perf_counter()
    sim = FusedCOBA(COBAConfig(n_neurons=n, in_degree=80, stp=stp, duration=duration), backend=backend)
    build = time.perf_counter() - t0
    sim.compile()
    runs = [sim.run() for _ in range(repeats)]
    res = runs[-1]
    sim_s = statistics.median(r["sim_s"] for r in runs)
    events = float(np.dot(res["counts"].astype(np.float64), sim.conn.degree))
    return dict(contender="stp_brainpy", neurons=n, synapses=sim.conn.nnz, duration_ms=duration, build_s=build,
                sim_all=[r["sim_s"] for r in runs],
                compile_s=res["compile_s"], sim_s=sim_s, s_per_sim_s=sim_s / (duration / 1000.0),
                rate_hz=res["rate_hz"], cv_isi=res["cv_isi"], events=events, events_per_s=events / sim_s,
                device=str(jax.devices()[0]))


def brian2_row(n: int, duration: float, stp: bool) -> dict:
    """Brian2 cpp_standalone, Bernoulli p = 80/N, in its own venv; spikes read back for the rate and events."""
    import numpy as np

    with tempfile.TemporaryDirectory(prefix="bench_scaling_") as tmp:
        npz = Path(tmp) / "spikes.npz"
        cmd = [str(BRIAN2_PY), str(HERE / "peers" / "brian2_coba.py"), "--target", "cpp_standalone",
               "--stp" if stp else "--no-stp", "--neurons", str(n), "--duration", str(duration), "--p",
               repr(80.0 / n), "--out", str(npz)]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        out, err = proc.stdout.read(), proc.stderr.read()
        lines = [ln for ln in out.splitlines() if ln.startswith("{")]
        if os.waitstatus_to_exitcode(status) or not lines:
            raise RuntimeError(f"brian2 failed: {err.strip().splitlines()[-1:]}")
        r = json.loads(lines[-1])
        d = np.load(npz)
        n_spikes = int(d["ids"].size)
    syn = 80 * n  # expected; Bernoulli(N·N, 80/N)
    events = n_spikes * 80.0
    return dict(contender="brian2-cpp_standalone", neurons=n, synapses=syn, duration_ms=duration,
                build_s=r["build_s"], compile_s=r["compile_s"], sim_s=r["sim_s"],
                s_per_sim_s=r["sim_s"] / (duration / 1000.0), rate_hz=n_spikes / n / (duration / 1000.0),
                events=events, events_per_s=events / r["sim_s"], process_s=wall, peak_mb=usage.ru_maxrss / 1024.0)


# ------------------------------------------------------------------------------------------ breakdown
def cpu_time() -> float:
    """User + system CPU seconds of this process, every thread (ns resolution)."""
    return time.process_time()


def breakdown(n: int, duration: float, backend: str, replay_steps: int, repeats: int) -> list:
    """Median scan time of each variant (see the module docstring), COBA-STP fixed in-degree 80."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    import stp_brainpy.network.compile_fused as cf
    from stp_brainpy.network import COBAConfig, FusedCOBA
    from stp_brainpy.network.config import build_connectivity
    from stp_brainpy.network.instances import coba_network

    from _replay import replay_kit

    cfg = COBAConfig(n_neurons=n, in_degree=80, duration=duration)
    conn = build_connectivity(cfg)
    # the activity to replay: the last replay_steps steps of a run as long as the warm-up
    warm = max(200.0, replay_steps * cfg.dt * 2)
    rec = FusedCOBA(cfg.replace(duration=warm), conn=conn, backend=backend, record=n).run()
    raster = np.asarray(rec["raster"][-replay_steps:], bool)
    orig = dict(neuron_step=cf.neuron_step, arrivals=cf.arrivals, emit=cf.emit)
    Replay, neuron_step, arrivals, emit_ = replay_kit({"E": 0, "I": cfg.n_exc})

    def patched(replay=False, deliver=True, emit=True):
        cf.neuron_step = neuron_step if replay else orig["neuron_step"]
        cf.arrivals = orig["arrivals"] if deliver else arrivals
        cf.emit = orig["emit"] if emit else emit_

    variants = [("full", {}), ("replay", dict(replay="spikes")), ("replay, no spikes", dict(replay="zeros")),
                ("no delivery", dict(replay="spikes", deliver=False)),
                ("no delivery, no emit", dict(replay="spikes", deliver=False, emit=False))]
    net = coba_network(cfg, conn)
    sims = []
    try:  # the patches act when a variant is traced: compile every variant, then time them in turns
        for name, kw in variants:
            data = None
            if kw.get("replay"):
                data = jnp.asarray(raster if kw["replay"] == "spikes" else np.zeros_like(raster))
            patched(**{**kw, "replay": bool(kw.get("replay"))})
            sim = Replay(net, backend=backend, replay=data if data is not None else jnp.zeros((1, 1), bool))
            sim.compile()
            sims.append((name, sim))
    finally:
        cf.neuron_step, cf.arrivals, cf.emit = orig["neuron_step"], orig["arrivals"], orig["emit"]
    times = {name: [] for name, _ in variants}
    walls = {name: [] for name, _ in variants}
    key = jax.random.PRNGKey(0)
    for _ in range(repeats):  # round-robin: a change of the machine's load hits every variant alike
        for name, sim in sims:
            carry, tables = sim.init_carry(), sim.tables()
            jax.block_until_ready(carry)
            c0, w0 = cpu_time(), time.perf_counter()
            jax.block_until_ready(sim._run(carry, key, tables))
            times[name].append(cpu_time() - c0)
            walls[name].append(time.perf_counter() - w0)
    # CPU time of this process (all its threads) over the scan: on a shared machine wall time mostly measures
    # the others' load; the fastest of the runs is the least disturbed one
    rows = [dict(neurons=n, variant=name, us_per_step=1e6 * min(times[name]) / cfg.n_steps,
                 wall_us_per_step=1e6 * min(walls[name]) / cfg.n_steps,
                 runs_us_per_step=[round(1e6 * t / cfg.n_steps, 2) for t in times[name]]) for name, _ in variants]
    for (_name, sim), r in zip(sims, rows):
        r["loop_ops"] = loop_ops(sim._run)
        print(f"  {n} {r['variant']}: {r['us_per_step']:.1f} us/step {r['runs_us_per_step']} {r['loop_ops']}",
              file=sys.stderr, flush=True)

    def loop(i):
        return i + 1

    steps = cfg.n_steps
    f = jax.jit(lambda c: jax.lax.scan(lambda c, i: (loop(c), None), c, jnp.arange(steps))[0])
    f(jnp.int32(0)).block_until_ready()
    loop_t = []
    for _ in range(repeats):
        t0 = cpu_time()
        f(jnp.int32(0)).block_until_ready()
        loop_t.append(1e6 * (cpu_time() - t0) / steps)
    rows.append(dict(neurons=n, variant="empty scan", us_per_step=min(loop_t), wall_us_per_step=None,
                     runs_us_per_step=[round(t, 3) for t in loop_t], loop_ops={}))
    spikes_per_step = float(raster.sum(1).mean())
    events_per_step = float((raster.astype(np.float64) @ conn.degree).mean())
    for r in rows:
        r.update(spikes_per_step=round(spikes_per_step, 1), events_per_step=round(events_per_step))
    return rows


def loop_ops(compiled) -> dict:
    """Operations XLA runs one by one in the scan's loop body (fusions, custom calls, copies): on CPU each is a
    separately dispatched thunk, a fixed cost per step whatever the network's size."""
    import re
    from collections import Counter

    lines = compiled.as_text().split("\n")
    body_names = set(re.findall(r"body=%([\w.\-]+)", "\n".join(lines)))
    counts: Counter = Counter()
    inside = False
    for ln in lines:
        if not inside and any(ln.startswith(f"%{b} ") for b in body_names):
            inside = True
            continue
        if inside:
            if ln.startswith("}"):
                inside = False
                continue
            m = re.match(r"\s*(?:ROOT )?%\S+ = .*? ([a-z][\w-]*)\(", ln)
            if m and m.group(1) in ("fusion", "custom-call", "copy", "dynamic-update-slice", "dynamic-slice",
                                    "scatter", "gather", "sort", "while", "conditional", "call"):
                counts[m.group(1)] += 1
    return dict(counts)


def parts(rows: list) -> list:
    """The per-part table from the variants of one size."""
    t = {r["variant"]: r["us_per_step"] for r in rows}
    out = [("neuron update (2 populations)", t["full"] - t["replay"]),
           ("event delivery, per event", t["replay"] - t["replay, no spikes"]),
           ("event delivery, per call (FFI, source walk, zeroing)", t["replay, no spikes"] - t["no delivery"]),
           ("STP update + delay ring writes (emit)", t["no delivery"] - t["no delivery, no emit"]),
           ("channels, statistics, recording, loop", t["no delivery, no emit"]),
           ("  of which the bare scan loop", t["empty scan"]),
           ("total (full step)", t["full"])]
    return [dict(neurons=rows[0]["neurons"], part=p, us_per_step=round(v, 2),
                 share=round(v / t["full"], 3)) for p, v in out]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="4000,40000,400000")
    ap.add_argument("--duration", type=float, default=None,
                    help="ms (default: 1000, and 200 for sizes >= 400k to keep the default run short)")
    ap.add_argument("--stp", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--backend", default="auto")
    ap.add_argument("--brian2", action=argparse.BooleanOptionalAction, default=True,
                    help="Brian2 cpp_standalone at the same sizes (default on where its venv exists)")
    ap.add_argument("--repeats", type=int, default=3, help="runs of the compiled scan (median)")
    ap.add_argument("--breakdown", action="store_true", help="per-part time of one step (see the docstring)")
    ap.add_argument("--replay-steps", type=int, default=None, help="breakdown: recorded steps replayed in a loop")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--write", action="store_true", help="write benchmarks/results/scaling-<machine>.json")
    ap.add_argument("--worker", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        if args.breakdown:
            m = args.replay_steps or (500 if args.worker <= 10_000 else 200)
            print(json.dumps(breakdown(args.worker, args.duration, args.backend, m, args.repeats)))
        else:
            print(json.dumps(worker(args.worker, args.duration, args.stp, args.backend, args.repeats)))
        return 0
    import jax

    print(f"COBA{'-STP' if args.stp else ''} scaling, fixed in-degree 80; jax devices {jax.devices()}; "
          f"load {_results.load_1min()}", flush=True)
    rows, brk = [], []
    for n in (int(s) for s in args.sizes.split(",")):
        dur = args.duration or (200.0 if n >= 400_000 else 1000.0)
        cmd = [sys.executable, __file__, "--worker", str(n), "--duration", str(dur), "--backend", args.backend,
               "--stp" if args.stp else "--no-stp", "--repeats", str(args.repeats)]
        if args.breakdown:
            cmd += ["--breakdown"] + (["--replay-steps", str(args.replay_steps)] if args.replay_steps else [])
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        out, err = proc.stdout.read(), proc.stderr.read()
        wall = time.perf_counter() - t0
        lines = [ln for ln in out.splitlines() if ln.startswith("{") or ln.startswith("[")]
        if os.waitstatus_to_exitcode(status) or not lines:
            print(f"  {n}: failed: {err.strip().splitlines()[-1:]}", flush=True)
            continue
        if args.breakdown:
            brk.append(json.loads(lines[-1]))
            continue
        r = json.loads(lines[-1])
        # one simulation's process: the extra timing repeats are not part of it
        r.update(process_s=wall - sum(sorted(r.pop("sim_all"))[1:]), peak_mb=usage.ru_maxrss / 1024.0, load_1min=_results.load_1min())
        rows.append(r)
        print(f"  {n} stp_brainpy: {r['s_per_sim_s']:.3f} s per simulated s, {r['events_per_s']:.3g} events/s",
              flush=True)
        if args.brian2 and BRIAN2_PY.exists():
            try:
                b = brian2_row(n, dur, args.stp)
                b["load_1min"] = _results.load_1min()
                b["x_sim"] = b["sim_s"] / r["sim_s"]
                rows.append(b)
                print(f"  {n} brian2-cpp_standalone: {b['s_per_sim_s']:.3f} s per simulated s "
                      f"({b['x_sim']:.2f}x stp_brainpy's time)", flush=True)
            except RuntimeError as e:
                print(f"  {n} brian2: {e}", flush=True)
    if args.breakdown:
        table = [p for rs in brk for p in parts(rs)]
        print(f"{'neurons':>8s} {'part':54s} {'us/step':>8s} {'share':>6s}")
        for p in table:
            print(f"{p['neurons']:8d} {p['part']:54s} {p['us_per_step']:8.2f} {p['share']:6.1%}")
        for rs in brk:
            print(f"  {rs[0]['neurons']}: {rs[0]['spikes_per_step']} spikes and {rs[0]['events_per_step']} events "
                  f"per step in the replay; loop-body operations of the full step: {rs[0]['loop_ops']}")
            for r in rs:
                print(f"    {r['variant']:22s} {r['us_per_step']:8.2f} us/step  runs {r['runs_us_per_step']}")
        if args.write:
            path = _results.write_results(
                f"step-breakdown-{_results.machine_tag()}", table, benchmark="scaling",
                title="COBA-STP fixed in-degree 80: where one fused step's time goes (us per step)",
                notes="Variants of the compiled scan at the same activity (neurons replaced by replayed recorded "
                      "spikes); parts are differences of medians, so small ones are within noise.",
                variants=[r for rs in brk for r in rs])
            print(f"wrote {path}")
        if args.json:
            args.json.write_text(json.dumps(brk, indent=1) + "\n")
        return 0
    head = f"{'contender':22s} {'neurons':>8s} {'synapses':>10s} {'sim ms':>7s} {'build s':>8s} {'compile s':>9s} " \
           f"{'sim s':>8s} {'s/sim s':>8s} {'rate Hz':>8s} {'events/s':>10s} {'peak MB':>8s}"
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r['contender']:22s} {r['neurons']:8d} {r['synapses']:10d} {r['duration_ms']:7.0f} {r['build_s']:8.2f} "
              f"{r['compile_s']:9.2f} {r['sim_s']:8.3f} {r['s_per_sim_s']:8.3f} {r['rate_hz']:8.2f} "
              f"{r['events_per_s']:10.3g} {r['peak_mb']:8.0f}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    if args.write and rows:
        cols = ["contender", "neurons", "synapses", "duration_ms", "build_s", "compile_s", "sim_s", "s_per_sim_s",
                "x_sim", "rate_hz", "events_per_s", "peak_mb", "load_1min"]
        for r in rows:
            for k in ("build_s", "compile_s", "sim_s", "s_per_sim_s", "x_sim", "rate_hz", "peak_mb"):
                if k in r:
                    r[k] = round(float(r[k]), 3)
            r["events_per_s"] = float(f"{r['events_per_s']:.3g}")
        path = _results.write_results(
            f"scaling-{_results.machine_tag()}", [{k: r.get(k) for k in cols} for r in rows], columns=cols,
            title="COBA-STP scaling, fixed in-degree 80 (Brian2: Bernoulli 80/N), side by side",
            notes=f"stp_brainpy: median of {args.repeats} runs of the compiled scan; Brian2 cpp_standalone: one run, "
                  "its own timer, cold build. x_sim = Brian2's sim time / stp_brainpy's. events = spikes x "
                  "out-degree (Brian2: x 80, its expected out-degree).")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
