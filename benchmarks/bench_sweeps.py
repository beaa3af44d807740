"""Sweep engine benchmarks: single-synapse efficacies, the homework chain, device scaling.

    python benchmarks/bench_sweeps.py            # full sizes (1e6 efficacy settings, 1e5 chains), ~1-2 min
    python benchmarks/bench_sweeps.py --quick    # smaller sizes, a few seconds
    python benchmarks/bench_sweeps.py --section scaling

Each contender reports compile time (first call minus steady state) and the median of
repeated steady-state calls, side by side with the engine in one process; ratios are
against the engine's ``sweep``. Peak memory (max RSS: /proc VmHWM, else ``resource.getrusage``) is measured
in a fresh worker process per configuration, so each number is that configuration's own.
Device scaling re-runs the workers with ``XLA_FLAGS=--xla_force_host_platform_device_count=N``
on CPU (on an accelerator the workers simply use the devices present).
Numbers measured while other work loads the machine are noisy; compare ratios.

Each section writes its table to ``benchmarks/results/sweeps-<section>-<machine>.json`` and a full run
(``--section all``) also the summary ``sweeps-<machine>.json`` (engine efficacy, chain and store rows), through
``benchmarks/_results.py`` (machine, load, versions, date, this command; ``--no-write`` prints only).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

import numpy as np
from _results import add_write_options, machine_tag, write_results

HERE = os.path.dirname(os.path.abspath(__file__))


def _rss_mib() -> float:
    """Peak resident memory of this process (MiB).

    ``VmHWM`` from /proc where it exists: ``getrusage``'s ``ru_maxrss`` survives ``exec`` on
    Linux, so a worker started by a big parent would report the parent's peak.
    """
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024.0 if sys.platform != "darwin" else 2**20)


def _timeit(fn, repeats: int):
    """(first-call seconds, median steady seconds)."""
    import jax

    t = time.perf_counter()
    jax.block_until_ready(fn())
    first = time.perf_counter() - t
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        jax.block_until_ready(fn())
        times.append(time.perf_counter() - t)
    return first, statistics.median(times)


# ----------------------------------------------------------------------------------------------
# problems
# ----------------------------------------------------------------------------------------------
def efficacy_grid(n: int):
    """A product grid of about n (U, tau_d, tau_f, rate) settings."""
    from stp_brainpy.sweeps import product

    side = max(2, round(n ** 0.25))
    a, b = side, side
    c = max(1, round(n / (a * b * side)))
    return product(U=np.linspace(0.05, 0.9, a), tau_d=np.geomspace(50, 800, b), tau_f=np.geomspace(20, 1500, c),
                   rate=np.linspace(1, 50, side))


def chain_grid(n: int):
    from stp_brainpy.sweeps import product

    side = max(2, round(n ** (1 / 3)))
    return product(U=np.linspace(0.05, 0.9, side), tau_d=np.geomspace(50, 800, side),
                   tau_f=np.geomspace(20, 1500, max(1, round(n / side**2))))


def _flat_inputs(grid):
    import jax.numpy as jnp

    return {k: jnp.asarray(v, jnp.float32) for k, v in grid.flat().items()}


def bench_efficacy(n: int, repeats: int) -> list[dict]:
    import jax

    from stp_brainpy.core.stp import regular_train_efficacies
    from stp_brainpy.sweeps import sweep
    from stp_brainpy.sweeps.models import stp_efficacy

    grid = efficacy_grid(n)
    n = len(grid)
    x = _flat_inputs(grid)
    rows = []

    def add(name, fn):
        first, steady = _timeit(fn, repeats)
        rows.append(dict(problem="efficacy", contender=name, n=n, compile_s=max(first - steady, 0.0), steady_s=steady,
                         per_s=n / steady))

    add("engine sweep() (stepwise, labeled Dataset on host)",
        lambda: sweep(stp_efficacy, grid, static={"n_spikes": 10}))
    add("engine sweep(), chunk_size=2**18", lambda: sweep(stp_efficacy, grid, static={"n_spikes": 10}, chunk_size=2**18))
    add("engine sweep(), one chunk", lambda: sweep(stp_efficacy, grid, static={"n_spikes": 10}, chunk_size=n))
    direct = jax.jit(lambda U, tau_d, tau_f, rate: stp_efficacy(U, tau_f=tau_f, tau_d=tau_d, rate=rate, n_spikes=10)["efficacy"])
    add("jit, vectorised over the batch (stepwise, no engine)", lambda: direct(**x))
    vm = jax.jit(jax.vmap(lambda U, tau_d, tau_f, rate: stp_efficacy(U, tau_f=tau_f, tau_d=tau_d, rate=rate, n_spikes=10)["efficacy"]))
    add("jit(vmap(one setting)) (stepwise, no engine)", lambda: vm(**x))
    closed = jax.jit(lambda U, tau_d, tau_f, rate: regular_train_efficacies(10, U, tau_f=tau_f, tau_d=tau_d, isi=1000.0 / rate)[0])
    add("jit, vectorised, closed form + scanned x (core.regular_train_efficacies)", lambda: closed(**x))
    vclosed = jax.jit(jax.vmap(lambda U, tau_d, tau_f, rate: regular_train_efficacies(10, U, tau_f=tau_f, tau_d=tau_d, isi=1000.0 / rate)[0]))
    add("jit(vmap(scan with a scalar body)) (closed form)", lambda: vclosed(**x))
    return rows


def bench_chain(n: int, repeats: int) -> list[dict]:
    import jax

    from stp_brainpy.core.circuits import n_steps
    from stp_brainpy.sweeps import sweep
    from stp_brainpy.sweeps.models import chain_summary, chain_traces

    grid = chain_grid(n)
    n = len(grid)
    steps = n_steps(150.0, 0.1)
    x = _flat_inputs(grid)
    rows = []

    def add(name, fn, n_=n):
        first, steady = _timeit(fn, repeats)
        rows.append(dict(problem="chain", contender=name, n=n_, compile_s=max(first - steady, 0.0), steady_s=steady,
                         per_s=n_ / steady, synapse_steps_per_s=n_ * steps / steady))

    add("engine sweep(chain_summary) (summaries in the scan)", lambda: sweep(chain_summary, grid))
    add("engine sweep(chain_summary), chunk_size=2**13", lambda: sweep(chain_summary, grid, chunk_size=2**13))
    add("engine sweep(chain_summary), one chunk", lambda: sweep(chain_summary, grid, chunk_size=n))
    vm = jax.jit(jax.vmap(lambda U, tau_d, tau_f: chain_summary(U, tau_f=tau_f, tau_d=tau_d)))
    add("jit(vmap(chain_summary)) (no engine)", lambda: vm(**x))

    def peak(o):
        return {"I_peak": o["I"].max(), "efficacy_last": o["efficacy"].max()}

    small = chain_grid(max(8, n // 10))
    add("engine sweep(lif_stp_chain traces, decimate=10) + reduce on device (1/10 of the settings)",
        lambda: sweep(chain_traces, small, static={"decimate": 10}, reduce=peak, memory_budget=64 * 2**20),
        n_=len(small))
    return rows


def check(atol: float = 2e-6) -> None:
    """Correctness on whatever device is present: engine == NumPy event map, == one-at-a-time runs."""
    import math

    import jax

    from stp_brainpy.sweeps import product, sweep
    from stp_brainpy.sweeps.models import chain_summary, stp_efficacy

    axes = dict(U=[0.05, 0.5, 0.9], tau_d=[50.0, 400.0], tau_f=[20.0, 1500.0], rate=[2.0, 40.0])
    ds = sweep(stp_efficacy, product(**axes), chunk_size=5)
    worst = 0.0
    for U in axes["U"]:
        for td in axes["tau_d"]:
            for tf in axes["tau_f"]:
                for r in axes["rate"]:
                    u, x, ref = 0.0, 1.0, []
                    for k in range(10):
                        if k:
                            u *= math.exp(-1000.0 / r / tf)
                            x = 1.0 - (1.0 - x) * math.exp(-1000.0 / r / td)
                        u += U * (1.0 - u)
                        ref.append(u * x)
                        x -= u * x
                    got = ds.efficacy.sel(U=U, tau_d=td, tau_f=tf, rate=r).values
                    worst = max(worst, float(np.max(np.abs(got - np.array(ref)))))
    print(f"check efficacy vs NumPy event map: max abs diff {worst:.2e} ({'ok' if worst < atol else 'FAIL'})")
    cg = product(U=[0.1, 0.6], tau_d=[100.0, 500.0], tau_f=[50.0, 1000.0])
    a, b = sweep(chain_summary, cg, chunk_size=3), sweep(chain_summary, cg)
    one = jax.jit(chain_summary)
    worst_one = max(float(abs(a[k].sel(U=0.6, tau_d=500.0, tau_f=50.0) - one(0.6, tau_f=50.0, tau_d=500.0)[k]))
                    for k in a.data_vars)
    worst_chunk = max(float(np.max(np.abs(a[k].values - b[k].values))) for k in a.data_vars)
    print(f"check chain: one-at-a-time max abs diff {worst_one:.2e}, chunking max abs diff {worst_chunk:.2e} "
          f"({'ok' if max(worst_one, worst_chunk) < 1e-5 else 'FAIL'})")


# ----------------------------------------------------------------------------------------------
# workers: one configuration in a fresh process (own peak memory, own device count)
# ----------------------------------------------------------------------------------------------
def worker(problem: str, n: int, repeats: int) -> dict:
    import jax

    from stp_brainpy.sweeps import sweep
    from stp_brainpy.sweeps.models import chain_summary, stp_efficacy

    base = _rss_mib()
    if problem == "efficacy":
        grid = efficacy_grid(n)
        fn = lambda: sweep(stp_efficacy, grid, static={"n_spikes": 10})  # noqa: E731
        work = 1
    elif problem == "chain":
        grid = chain_grid(n)
        fn = lambda: sweep(chain_summary, grid)  # noqa: E731
        work = 1500
    else:  # "store": a result far larger than one chunk, written chunk by chunk, one default run
        import shutil
        import tempfile

        grid = efficacy_grid(n)
        tmp = tempfile.mkdtemp(prefix="bench_sweeps_")
        during = []  # peak memory once the last chunk is written: the sweep's own, before the result is read
        try:
            t = time.perf_counter()
            ds = sweep(stp_efficacy, grid, static={"n_spikes": 10}, store=os.path.join(tmp, "s"), chunk_size=2**17,
                       callback=lambda done, total: during.append(_rss_mib()) if done == total else None)
            el = time.perf_counter() - t
            size = os.path.getsize(os.path.join(tmp, "s", "result.nc")) / 2**20
            lazy = not ds.efficacy.variable._in_memory
            ds.close()
        finally:
            shutil.rmtree(tmp)
        return dict(problem=problem, n=len(grid), n_devices=len(jax.devices()), seconds=el, per_s=len(grid) / el,
                    result_mib=size, rss_after_import_mib=base, peak_rss_sweep_mib=during[-1] if during else 0.0,
                    peak_rss_mib=_rss_mib(), result_lazy=lazy)
    first, steady = _timeit(fn, repeats)
    return dict(problem=problem, n=len(grid), devices=[str(d) for d in jax.devices()], n_devices=len(jax.devices()),
                compile_s=max(first - steady, 0.0), steady_s=steady, per_s=len(grid) / steady,
                synapse_steps_per_s=len(grid) * work / steady, rss_after_import_mib=base, peak_rss_mib=_rss_mib())


def run_worker(problem: str, n: int, repeats: int, n_devices: int | None = None) -> dict:
    env = dict(os.environ)
    if n_devices is not None:
        env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") + f" --xla_force_host_platform_device_count={n_devices}").strip()
    out = subprocess.run([sys.executable, __file__, "--worker", problem, "--n", str(n), "--repeats", str(repeats)],
                         env=env, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------------------------
def _print_rows(rows: list[dict]) -> None:
    ref = rows[0]["per_s"]
    for r in rows:
        extra = f"  {r['synapse_steps_per_s']:.3g} synapse-steps/s" if "synapse_steps_per_s" in r else ""
        print(f"  {r['contender']:<88s} n={r['n']:>8d}  compile {r['compile_s']:6.2f} s  steady {r['steady_s']*1e3:8.1f} ms"
              f"  {r['per_s']:.3g} settings/s{extra}  ×{r['per_s'] / ref:.2f} vs engine")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small sizes (seconds)")
    p.add_argument("--section", choices=("efficacy", "chain", "scaling", "store", "all"), default="all")
    p.add_argument("--repeats", type=int, default=None)
    p.add_argument("--devices", default="1,2,4", help="host device counts for the scaling section")
    p.add_argument("--worker", choices=("efficacy", "chain", "store"), help=argparse.SUPPRESS)
    p.add_argument("--n", type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument("--json", default=None, help="also write all raw rows to this JSON file")
    p.add_argument("--check", action="store_true", help="first check results on the present device")
    p.add_argument("--n-efficacy", type=int, default=None, help="efficacy settings (default 1e6, quick 2e5)")
    p.add_argument("--n-chain", type=int, default=None, help="chain settings (default 1e5, quick 2e4)")
    add_write_options(p)
    args = p.parse_args(argv)
    n_eff, n_chain = (200_000, 20_000) if args.quick else (1_000_000, 100_000)
    n_eff, n_chain = args.n_efficacy or n_eff, args.n_chain or n_chain
    repeats = args.repeats or (3 if args.quick else 5)
    if args.worker:
        print(json.dumps(worker(args.worker, args.n, repeats)))
        return 0

    import jax

    print(f"jax {jax.__version__}  devices: {jax.devices()}  (float32)")
    if args.check:
        check()
    results: dict[str, list] = {}
    if args.section in ("efficacy", "all"):
        print(f"\n[efficacy] single-synapse efficacies, 10 spikes of a regular train, ~{n_eff:.0e} (U, tau_d, tau_f, rate) settings")
        results["efficacy"] = bench_efficacy(n_eff, repeats)
        _print_rows(results["efficacy"])
    if args.section in ("chain", "all"):
        print(f"\n[chain] homework pre-LIF -> TM synapse, 150 ms at dt 0.1 ms (1500 steps), ~{n_chain:.0e} settings")
        results["chain"] = bench_chain(n_chain, repeats)
        _print_rows(results["chain"])
    if args.section in ("scaling", "all"):
        counts = [int(c) for c in args.devices.split(",")]
        platform = jax.devices()[0].platform
        print(f"\n[scaling] engine sweep() in a fresh process per device count ({platform}; peak RSS = whole process)")
        results["scaling"] = []
        for problem, n in (("efficacy", n_eff), ("chain", n_chain)):
            base = None
            for c in counts if platform == "cpu" else [None]:
                r = run_worker(problem, n, max(2, repeats - 2), c)
                base = base or r["per_s"]
                results["scaling"].append(r)
                rate = (f"{r['synapse_steps_per_s']:.3g} synapse-steps/s" if problem == "chain"
                        else f"{r['per_s']:.3g} settings/s")
                print(f"  {problem:<9s} devices={r['n_devices']}  n={r['n']:>8d}  compile {r['compile_s']:5.2f} s  "
                      f"steady {r['steady_s']*1e3:8.1f} ms  {rate}  ×{r['per_s'] / base:.2f}  "
                      f"peak RSS {r['peak_rss_mib']:.0f} MiB (after import {r['rss_after_import_mib']:.0f})")
    try:
        import netCDF4  # noqa: F401  (the store's format)
        has_netcdf = True
    except ImportError:
        has_netcdf = False
        if args.section == "store":
            print("\n[store] needs netCDF4 (pip install netCDF4); not measured")
    if args.section in ("store", "all") and has_netcdf:
        n = 10 * n_eff
        print(f"\n[store] {n:.0e} efficacy settings into a netCDF store (chunks of 2**17), compile included; "
              "a default run (the result is read back unless it is large)")
        r = run_worker("store", n, 1)
        results["store"] = [r]
        print(f"  n={r['n']}  {r['seconds']:.2f} s  {r['per_s']:.3g} settings/s  result.nc {r['result_mib']:.0f} MiB "
              f"({'opened lazily' if r['result_lazy'] else 'loaded'})  peak RSS {r['peak_rss_sweep_mib']:.0f} MiB "
              f"while sweeping, {r['peak_rss_mib']:.0f} MiB with the result (after import "
              f"{r['rss_after_import_mib']:.0f})")
    if args.json:
        with open(args.json, "x") as fh:  # never overwrite an earlier result file
            json.dump(results, fh, indent=1)
    if not args.no_write:
        for path in write_tables(results, repeats, args.results_dir):
            print(f"wrote {path}")
    return 0


def _sig(x, digits: int = 4):
    return None if x is None else float(f"{x:.{digits}g}")


def write_tables(results: dict[str, list], repeats: int, out_dir=None) -> list:
    """One results file per measured section, and the summary table when every section ran."""
    tag, paths = machine_tag(), []
    timing = f"Medians of {repeats} steady-state calls, compile (first call minus steady state) separate, float32."
    for sec, title in (("efficacy", "single-synapse efficacies, 10 spikes of a regular train"),
                       ("chain", "the homework chain, 150 ms at dt 0.1 ms (1500 steps)")):
        if sec not in results:
            continue
        ref = results[sec][0]["per_s"]
        rows = [dict(contender=r["contender"], settings=r["n"], compile_s=_sig(r["compile_s"], 3),
                     steady_s=_sig(r["steady_s"]), per_s=_sig(r["per_s"], 3),
                     **({"synapse_steps_per_s": _sig(r["synapse_steps_per_s"], 3)} if "synapse_steps_per_s" in r else {}),
                     x_engine=_sig(r["per_s"] / ref, 3)) for r in results[sec]]
        paths.append(write_results(f"sweeps-{sec}-{tag}", rows, out_dir=out_dir, title=f"Sweep engine vs bare jit: {title}",
                                   notes=f"{timing} per_s = settings/s; x_engine = per_s / the engine's sweep()."))
    scal = results.get("scaling", [])
    if scal:
        rows = [dict(problem=r["problem"], devices=r["n_devices"], settings=r["n"], compile_s=_sig(r["compile_s"], 3),
                     steady_s=_sig(r["steady_s"]), per_s=_sig(r["per_s"], 3), peak_rss_mib=round(r["peak_rss_mib"]),
                     rss_after_import_mib=round(r["rss_after_import_mib"])) for r in scal]
        paths.append(write_results(f"sweeps-scaling-{tag}", rows, out_dir=out_dir,
                                   title="Sweep engine: device scaling (engine sweep() in a fresh process per count)",
                                   notes=("On CPU the devices are XLA_FLAGS=--xla_force_host_platform_device_count=N "
                                          "host devices sharing the same cores. " + timing)))
    store = results.get("store", [])
    if store:
        r = store[0]
        rows = [dict(settings=r["n"], seconds=_sig(r["seconds"]), per_s=_sig(r["per_s"], 3),
                     result_mib=round(r["result_mib"]), peak_rss_sweep_mib=round(r["peak_rss_sweep_mib"]),
                     peak_rss_mib=round(r["peak_rss_mib"]), rss_after_import_mib=round(r["rss_after_import_mib"]),
                     result_lazy=r["result_lazy"])]
        paths.append(write_results(f"sweeps-store-{tag}", rows, out_dir=out_dir,
                                   title="Sweep engine: efficacies into a netCDF store (chunks of 2**17)",
                                   notes="One default run, compile included; netCDF-bound."))
    if {"efficacy", "chain", "store"} <= set(results):
        one_dev = {r["problem"]: r for r in scal if r["n_devices"] == 1}
        e, c = results["efficacy"][0], results["chain"][0]
        rows = [dict(problem=f"{e['n']:,} (U, tau_d, tau_f, rate) settings x 10 spikes, regular train",
                     run_s=_sig(e["steady_s"], 3), compile_s=_sig(e["compile_s"], 2), per_s=_sig(e["per_s"], 2),
                     unit="settings/s", peak_rss_mib=round(one_dev["efficacy"]["peak_rss_mib"]) if "efficacy" in one_dev else None,
                     target_per_s=1e7),
                dict(problem=f"homework chain, {c['n']:,} settings x 1500 steps", run_s=_sig(c["steady_s"], 3),
                     compile_s=_sig(c["compile_s"], 2), per_s=_sig(c["synapse_steps_per_s"], 2), unit="synapse-steps/s",
                     peak_rss_mib=round(one_dev["chain"]["peak_rss_mib"]) if "chain" in one_dev else None,
                     target_per_s=3e8),
                dict(problem=f"store: {store[0]['n']:,} efficacy settings -> {store[0]['result_mib']:.0f} MiB result.nc",
                     run_s=_sig(store[0]["seconds"], 3), compile_s=None, per_s=_sig(store[0]["per_s"], 2),
                     unit="settings/s", peak_rss_mib=round(store[0]["peak_rss_mib"]), target_per_s=None)]
        paths.append(write_results(f"sweeps-{tag}", rows, out_dir=out_dir, title="Sweep engine throughput",
                                   notes=(f"{timing} The engine's default sweep() call of each section; the store row "
                                          "includes compilation and is netCDF-bound. Peak RSS of a fresh process "
                                          "(the scaling section's one-device worker).")))
    return paths


if __name__ == "__main__":
    sys.exit(main())
