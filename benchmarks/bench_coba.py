"""COBA / COBA-STP side by side: stp_brainpy vs brainpy built-ins, Brian2 and NEST.

    .venv/bin/python benchmarks/bench_coba.py              # COBA-STP, 4000 neurons, 1 s, every contender
    .venv/bin/python benchmarks/bench_coba.py --no-stp     # plain COBA
    .venv/bin/python benchmarks/bench_coba.py --only stp_brainpy,brian2-cpp_standalone
    .venv/bin/python benchmarks/bench_coba.py --heterogeneous  # per-synapse Gupta STP: stp_brainpy, NEST, Brian2

Peers run from their own environments, created once by ``bash benchmarks/peers/setup.sh``
(benchmarks/.venv-brian2, benchmarks/.venv-nest); contenders whose environment is missing
are listed as skipped. Each contender is a separate subprocess, so whole-process wall time
(interpreter start, imports, network construction, code generation/compilation, simulation,
saving spikes) and peak resident memory (``wait4`` rusage) are its own. Columns:

``build``     network construction + code generation/compilation (JIT for JAX, C++/Cython for
              Brian2, Connect+Prepare for NEST)
``sim``       the simulation alone (stp_brainpy: median of ``--repeats`` runs of the compiled scan;
              peers: one run, as their own timers report it)
``process``   whole subprocess wall time of one simulation (for stp_brainpy the extra timing
              repeats are subtracted); ``peak MB`` its maximum RSS
``rate``, ``CV``  mean rate (Hz) and mean CV_ISI over neurons with ≥ 2 ISIs, computed by the same
              function (``stp_brainpy.network.spike_stats``) from every contender's spikes
``×sim``, ``×process``  the contender's time divided by stp_brainpy's (> 1: stp_brainpy is faster); with
              ``--heterogeneous`` divided by stp_brainpy-hetero's
``sim cpu``   stp_brainpy only: CPU seconds of the simulation (median), steadier than wall time on a
              shared machine
``cold process``  the ``-warm`` rows only: wall time of the run that filled the cache (see ``WARM``)
``process cpu``  CPU seconds (user + system, its children included) of the process of ``process``: on a
              loaded machine steadier than its wall time

The ``-warm`` rows are whole processes with warm caches, the use a person sees when running a script
again: ``stp_brainpy-warm`` with JAX's persistent compilation cache filled by an identical process run
just before, ``brian2-cpp_standalone-warm`` building into the project folder its previous run left (Brian2
rewrites no file and make recompiles nothing). Their ``process`` is the median of ``--warm-runs`` such processes, each one simulation. Both may
write Python bytecode caches (``PYTHONDONTWRITEBYTECODE`` is dropped for them; ``__pycache__`` is git-ignored).

``--heterogeneous`` runs COBA-STP with per-synapse Gupta, Wang & Markram (2000) classes F1/F2/F3 on every E
synapse (stp_brainpy.network.instances.coba_hetero_network; peers/nest_coba.py --heterogeneous, tsodyks2_synapse
with per-synapse U, tau_fac, tau_rec; peers/brian2_coba.py --heterogeneous, per-synapse variables), next to the
homogeneous fused COBA-STP. Tables go to benchmarks/results/coba-stp-cpuN.json, coba-nostp-cpuN.json,
coba-stp-hetero-cpuN.json (``--no-write`` prints only).

Brian2 cpp_standalone builds into a fresh directory each time (a cold build; the -warm row reuses one); Brian2 runtime
reuses its Cython cache in ~/.cython after the first run; stp_brainpy's native event kernel is
compiled once into ~/.cache/stp_brainpy (``--cold`` rebuilds it into a fresh directory).
Times on a shared machine are noisy: rerun when it is idle before quoting them.
"""
from __future__ import annotations

import argparse
import json
import os
import sys as _sys
from pathlib import Path as _Path

_sys.path.insert(0, str(_Path(__file__).resolve().parent))
import _results  # noqa: E402  first thing: it records the load average at the start

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PROJECT_PY = Path(os.environ.get("STP_BRAINPY_PYTHON", ROOT / ".venv" / "bin" / "python"))
BRIAN2_PY = HERE / ".venv-brian2" / "bin" / "python"
NEST_PY = HERE / ".venv-nest" / "bin" / "python"


def contenders(stp: bool, hetero: bool = False):
    flag = "--stp" if stp else "--no-stp"
    me = str(Path(__file__).resolve())
    peers = HERE / "peers"
    if hetero:
        return {
            "stp_brainpy": (PROJECT_PY, [me, "--worker", "fused", "--stp"]),
            "stp_brainpy-hetero": (PROJECT_PY, [me, "--worker", "fused-hetero", "--stp"]),
            "nest-hetero-1t": (NEST_PY, [str(peers / "nest_coba.py"), "--heterogeneous", "--threads", "1"]),
            "nest-hetero-2t": (NEST_PY, [str(peers / "nest_coba.py"), "--heterogeneous", "--threads", "2"]),
            "brian2-hetero-cpp_standalone": (BRIAN2_PY, [str(peers / "brian2_coba.py"), "--heterogeneous",
                                                         "--target", "cpp_standalone"]),
        }
    return {
        "stp_brainpy": (PROJECT_PY, [me, "--worker", "fused", flag]),
        "stp_brainpy-xla": (PROJECT_PY, [me, "--worker", "fused", "--backend", "xla", flag]),
        # per-synapse Gupta, Wang & Markram 2000 classes F1/F2/F3 on E->E and E->I (event-driven state)
        "stp_brainpy-hetero": (PROJECT_PY, [me, "--worker", "fused-hetero", flag]),
        "stp_brainpy-classes": (PROJECT_PY, [me, "--worker", "classes", flag]),
        "brainpy-builtin": (PROJECT_PY, [str(peers / "brainpy_coba.py"), flag]),
        "brian2-runtime": (BRIAN2_PY, [str(peers / "brian2_coba.py"), "--target", "runtime", flag]),
        "brian2-cpp_standalone": (BRIAN2_PY, [str(peers / "brian2_coba.py"), "--target", "cpp_standalone", flag]),
        # whole processes with warm caches (see WARM): run once to fill the cache, then timed
        "stp_brainpy-warm": (PROJECT_PY, [me, "--worker", "fused", flag]),
        "brian2-cpp_standalone-warm": (BRIAN2_PY, [str(peers / "brian2_coba.py"), "--target", "cpp_standalone",
                                                   flag]),
        "nest-1t": (NEST_PY, [str(peers / "nest_coba.py"), "--threads", "1", flag]),
        "nest-2t": (NEST_PY, [str(peers / "nest_coba.py"), "--threads", "2", flag]),
    }


#: contenders measured as a whole process with warm caches: the command runs once into a fixed folder (which
#: fills it; that run's wall time is ``cold_process_s``), then again, timed. stp_brainpy: JAX's persistent
#: compilation cache (stp_brainpy.enable_compilation_cache) in that folder, one simulation (no repeats);
#: Brian2 cpp_standalone: the project folder (--directory), where the second run rewrites no file and make
#: recompiles nothing (``make_s``), so what remains is import, code generation, the binary's run and reading back
WARM = {"stp_brainpy-warm": lambda d: ["--jax-cache", str(d), "--repeats", "1"],
        "brian2-cpp_standalone-warm": lambda d: ["--directory", str(d)]}


# ------------------------------------------------------------------------------------------
# worker: this package, in a subprocess
# ------------------------------------------------------------------------------------------

def timed_runs(sim, repeats: int):
    """``repeats`` runs and the CPU seconds of each (the simulation only; the run's own wall timer is inside)."""
    runs, cpu = [], []
    for _ in range(repeats):
        c0 = time.process_time()
        runs.append(sim.run())
        cpu.append(time.process_time() - c0)
    return runs, cpu


def worker(args) -> None:
    t_start = time.perf_counter()
    import atexit
    import gc

    atexit.register(gc.freeze)  # as the stp-brainpy command does (cli.entry): no final collections at exit
    import jax
    import numpy as np

    from stp_brainpy.network import COBAConfig, FusedCOBA

    if args.jax_cache:
        from stp_brainpy import enable_compilation_cache

        enable_compilation_cache(args.jax_cache)
    t_import = time.perf_counter()
    cfg = COBAConfig(n_neurons=args.neurons, stp=args.stp, duration=args.duration, seed=args.seed)
    if args.worker == "fused-hetero":
        from stp_brainpy.network import FusedNetwork
        from stp_brainpy.network.instances import coba_hetero_network

        sim = FusedNetwork(coba_hetero_network(cfg), backend=args.backend)
        t_build = time.perf_counter()
        sim.compile()
        runs, cpu = timed_runs(sim, args.repeats)
        res = runs[-1]
        out = dict(build_s=t_build - t_import, compile_s=sim.compile_s,
                   sim_s=statistics.median(r["sim_s"] for r in runs), sim_all=[r["sim_s"] for r in runs],
                   sim_cpu_s=statistics.median(cpu), sim_cpu_all=cpu, rate_hz=res["rate_hz"], cv_isi=res["cv_isi"],
                   n_synapses=res["n_synapses"])
    elif args.worker == "fused":
        sim = FusedCOBA(cfg, backend=args.backend)
        t_build = time.perf_counter()
        sim.compile()
        runs, cpu = timed_runs(sim, args.repeats)
        res = runs[-1]
        out = dict(build_s=t_build - t_import, compile_s=sim.compile_s,
                   sim_s=statistics.median(r["sim_s"] for r in runs), sim_all=[r["sim_s"] for r in runs],
                   sim_cpu_s=statistics.median(cpu), sim_cpu_all=cpu, rate_hz=res["rate_hz"], cv_isi=res["cv_isi"],
                   n_synapses=res["n_synapses"])
    else:
        import brainpy as bp

        from stp_brainpy.network.models import COBANetwork

        net = COBANetwork(cfg, backend=args.backend)
        t_build = time.perf_counter()
        runner = bp.DSRunner(net, monitors={"E": net.E.spike, "I": net.I.spike}, progress_bar=False)
        t0 = time.perf_counter()
        runner.run(cfg.duration)  # compiles, then runs
        first = time.perf_counter() - t0
        net.reset_state()
        t0 = time.perf_counter()
        runner.run(cfg.duration)
        sim_s = time.perf_counter() - t0
        spk = np.concatenate([runner.mon["E"], runner.mon["I"]], axis=1)
        step, ids = np.nonzero(spk)
        np.savez(args.out, ids=ids.astype(np.int32), times=step * cfg.dt)
        out = dict(build_s=t_build - t_import, compile_s=max(0.0, first - sim_s), sim_s=sim_s)
    out.update(import_s=t_import - t_start, device=str(jax.devices()[0]))
    print(json.dumps(out))


# ------------------------------------------------------------------------------------------
# parent: run every contender, print one table
# ------------------------------------------------------------------------------------------

def run_one(name, python, argv, args, tmp: Path) -> dict:
    if not Path(python).exists():
        return dict(name=name, skipped=f"{python} missing (bash benchmarks/peers/setup.sh)")
    npz = tmp / f"{name}.npz"
    log = tmp / f"{name}.log"
    cmd = [str(python), *argv, "--neurons", str(args.neurons), "--duration", str(args.duration),
           "--seed", str(args.seed), "--out", str(npz)]
    if "--worker" in argv:
        cmd += ["--repeats", str(args.repeats)]
    env = dict(os.environ)
    if args.cold:
        env["STP_BRAINPY_CACHE"] = str(tmp / "cache")
    if name in WARM:
        env["STP_BRAINPY_JAX_CACHE"] = "1"
        # Python's own cache too: with PYTHONDONTWRITEBYTECODE (set on the shared machine) every process compiled
        # the package's ~80 modules from source, ~0.1 s (the installed packages, jax and brian2, have theirs)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        cmd += WARM[name](tmp / f"{name}.cache")  # after --repeats: the last one counts
        fill = _timed(cmd, env, tmp / f"{name}.fill.log")
        if fill[0]:
            return dict(name=name, skipped=f"failed (rc {fill[0]}) filling the cache: {fill[1].strip().splitlines()[-1:]}")
        cold = fill[2]
    runs = []
    for _ in range(args.warm_runs if name in WARM else 1):
        rc, text, wall, usage = _timed(cmd, env, log)
        lines = [ln for ln in text.splitlines() if ln.startswith("{")]
        if rc or not lines:
            return dict(name=name, skipped=f"failed (rc {rc}): {text.strip().splitlines()[-1:] }")
        res = json.loads(lines[-1])
        # a single-run process: the extra timing repeats of stp_brainpy are not part of it
        wall -= sum(res.get("sim_all", [])[1:])
        cpu = usage.ru_utime + usage.ru_stime - sum(res.get("sim_cpu_all", [])[1:])
        res.update(name=name, process_s=wall, process_cpu_s=cpu, peak_mb=usage.ru_maxrss / 1024.0, npz=str(npz))
        runs.append(res)
    res = sorted(runs, key=lambda r: r["process_s"])[len(runs) // 2]  # the median process (odd counts)
    if name in WARM:
        res.update(cold_process_s=cold, process_all=[r["process_s"] for r in runs])
    return res


def _timed(cmd, env, log: Path):
    """(exit code, output, wall seconds, rusage) of one subprocess, its output in ``log``."""
    t0 = time.perf_counter()
    with open(log, "w") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    return os.waitstatus_to_exitcode(status), log.read_text(), wall, usage


def add_stats(rows, args) -> None:
    """Rate and CV_ISI from the saved spikes (imports numpy/jax only after every child ran, so the
    parent stays small: a forked child's max RSS starts at the parent's)."""
    import numpy as np

    from stp_brainpy.network import spike_stats

    for r in rows:
        if "skipped" not in r and "rate_hz" not in r:
            d = np.load(r["npz"])
            r.update(spike_stats(d["ids"], d["times"], args.neurons, args.duration))


def table_rows(rows, ref_name="stp_brainpy") -> list:
    """One mapping per contender (the columns of the printed table), ratios to ``ref_name``'s times."""
    ref = next((r for r in rows if r["name"] == ref_name and "skipped" not in r), None)
    out = []
    for r in rows:
        if "skipped" in r:
            out.append(dict(contender=r["name"], skipped=r["skipped"]))
            continue
        out.append(dict(contender=r["name"], build_s=round(r.get("build_s", 0.0) + r.get("compile_s", 0.0), 2),
                        sim_s=round(r["sim_s"], 3), sim_cpu_s=round(r["sim_cpu_s"], 3) if "sim_cpu_s" in r else None,
                        process_s=round(r["process_s"], 2), peak_mb=round(r["peak_mb"]), rate_hz=round(r["rate_hz"], 2),
                        cv=round(r["cv_isi"], 3), x_sim=round(r["sim_s"] / ref["sim_s"], 2) if ref else None,
                        x_process=round(r["process_s"] / ref["process_s"], 2) if ref else None,
                        cold_process_s=round(r["cold_process_s"], 2) if "cold_process_s" in r else None,
                        process_cpu_s=round(r["process_cpu_s"], 2)))
    return out


def fmt_table(rows, ref_name="stp_brainpy") -> str:
    head = f"{'contender':30s} {'build s':>8s} {'sim s':>8s} {'sim cpu':>8s} {'process s':>9s} {'peak MB':>8s} " \
           f"{'rate Hz':>8s} {'CV':>6s} {'×sim':>7s} {'×process':>8s} {'cold proc':>9s} {'proc cpu':>8s}"
    out = [head, "-" * len(head)]
    nan = float("nan")
    for r in table_rows(rows, ref_name):
        if "skipped" in r:
            out.append(f"{r['contender']:30s} skipped: {r['skipped']}")
            continue
        cpu = r["sim_cpu_s"] if r["sim_cpu_s"] is not None else nan
        out.append(f"{r['contender']:30s} {r['build_s']:8.2f} {r['sim_s']:8.3f} {cpu:8.3f} {r['process_s']:9.2f} "
                   f"{r['peak_mb']:8.0f} {r['rate_hz']:8.2f} {r['cv']:6.3f} {r['x_sim'] or nan:7.2f} "
                   f"{r['x_process'] or nan:8.2f} {r['cold_process_s'] or nan:9.2f} {r['process_cpu_s']:8.2f}")
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stp", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--heterogeneous", action="store_true",
                    help="per-synapse Gupta STP: stp_brainpy (homogeneous and heterogeneous), NEST, Brian2")
    ap.add_argument("--neurons", type=int, default=4000)
    ap.add_argument("--duration", type=float, default=1000.0, help="ms")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", default=None, help="comma-separated contenders (default: all)")
    ap.add_argument("--repeats", type=int, default=3, help="simulation repeats for stp_brainpy (median)")
    ap.add_argument("--cold", action="store_true", help="rebuild stp_brainpy's native kernel in a fresh cache")
    ap.add_argument("--warm-runs", type=int, default=3,
                    help="timed processes of each -warm contender after the one filling its cache (the median)")
    ap.add_argument("--json", type=Path, default=None, help="also write the raw rows here")
    _results.add_write_options(ap)
    ap.add_argument("--worker", choices=("fused", "fused-hetero", "classes"), default=None, help=argparse.SUPPRESS)
    ap.add_argument("--backend", default="auto", help=argparse.SUPPRESS)
    ap.add_argument("--out", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--jax-cache", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        worker(args)
        return 0
    if args.heterogeneous and not args.stp:
        ap.error("--heterogeneous is COBA-STP; drop --no-stp")
    if args.warm_runs < 1 or args.warm_runs % 2 == 0:
        ap.error(f"--warm-runs must be an odd count >= 1 (the median process); got {args.warm_runs}")
    table = contenders(args.stp, args.heterogeneous)
    names = list(table) if args.only is None else args.only.split(",")
    unknown = [n for n in names if n not in table]
    if unknown:
        ap.error(f"unknown contenders {unknown}; choose from {list(table)}")
    kind = "COBA-STP, per-synapse Gupta classes on E synapses" if args.heterogeneous else \
        f"COBA{'-STP' if args.stp else ''}"
    print(f"{kind}: {args.neurons} neurons, {args.duration:g} ms, seed {args.seed}; {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.2f}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_coba_") as tmp:
        for name in names:
            python, argv_ = table[name]
            rows.append(run_one(name, python, argv_, args, Path(tmp)))
            r = rows[-1]
            print(f"  {name}: " + (r["skipped"] if "skipped" in r else
                                   f"sim {r['sim_s']:.3f} s, process {r['process_s']:.1f} s"), flush=True)
        add_stats(rows, args)
    devices = sorted({r["device"] for r in rows if "device" in r})
    ref = "stp_brainpy-hetero" if args.heterogeneous else "stp_brainpy"
    print(f"jax device(s) of stp_brainpy / brainpy contenders: {', '.join(devices)}")
    print(fmt_table(rows, ref))
    by = {r["name"]: r for r in rows if "skipped" not in r}
    notes = [f"stp_brainpy: median of {args.repeats} runs of the compiled scan; peers: one run, their own timers. "
             f"x_sim, x_process: time / {ref}'s."]
    if "stp_brainpy" in by and "stp_brainpy-hetero" in by:
        hw = by["stp_brainpy-hetero"]["sim_s"] / by["stp_brainpy"]["sim_s"]
        hc = by["stp_brainpy-hetero"]["sim_cpu_s"] / by["stp_brainpy"]["sim_cpu_s"]
        print(f"heterogeneous / homogeneous fused: {hw:.2f}x wall, {hc:.2f}x CPU")
        notes.append(f"Heterogeneous / homogeneous fused: {hw:.2f}x sim wall time, {hc:.2f}x sim CPU time (the "
                     f"heterogeneous network fires at {by['stp_brainpy-hetero']['rate_hz']:.1f} Hz, the homogeneous "
                     f"at {by['stp_brainpy']['rate_hz']:.1f} Hz).")
    if "stp_brainpy-warm" in by and "brian2-cpp_standalone-warm" in by:
        ours, theirs = by["stp_brainpy-warm"], by["brian2-cpp_standalone-warm"]
        line = (f"Whole process with warm caches (import + build + compile + run; median of {args.warm_runs} "
                f"processes after the one filling the cache): stp_brainpy "
                f"{ours['process_s']:.2f} s (cold {ours['cold_process_s']:.2f} s), Brian2 cpp_standalone "
                f"{theirs['process_s']:.2f} s (cold {theirs['cold_process_s']:.2f} s): "
                f"{theirs['process_s'] / ours['process_s']:.2f}x wall, "
                f"{theirs['process_cpu_s'] / ours['process_cpu_s']:.2f}x CPU; stp_brainpy's compile "
                f"{ours.get('compile_s', float('nan')):.2f} s from the cache, Brian2's make "
                f"{theirs.get('make_s') or 0.0:.2f} s.")
        print(line)
        notes.append(line)
    if args.heterogeneous:
        notes.append("Gupta, Wang & Markram 2000 classes F1/F2/F3 (one third each) with per-synapse U, tau_d, tau_f "
                     "on E->E and E->I; NEST tsodyks2_synapse per-synapse (three Connects of p/3, redrawn normals), "
                     "Brian2 per-synapse variables (clipped normals); weight w_E / mean U.")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, default=str) + "\n")
    if not args.no_write and args.only is None:
        stem = "coba-stp-hetero" if args.heterogeneous else ("coba-stp" if args.stp else "coba-nostp")
        title = (f"COBA-STP network with per-synapse heterogeneous STP (Gupta classes), {args.neurons} neurons, "
                 f"{args.duration / 1000:g} s" if args.heterogeneous else
                 f"COBA{'-STP' if args.stp else ''} network, {args.neurons} neurons, {args.duration / 1000:g} s")
        measured = [r for r in table_rows(rows, ref) if "skipped" not in r]
        notes += [f"{r['name']} skipped: {r['skipped']}." for r in rows if "skipped" in r]
        path = _results.write_results(f"{stem}-{_results.machine_tag()}", measured, title=title,
                                      benchmark="coba", notes=" ".join(notes), devices=devices)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
