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
    p.add_argument("--json", default=None, help="also write all rows to this JSON file")
    p.add_argument("--check", action="store_true", help="first check results on the present device")
    p.add_argument("--n-efficacy", type=int, default=None, help="efficacy settings (default 1e6, quick 2e5)")
    p.add_argument("--n-chain", type=int, default=None, help="chain settings (default 1e5, quick 2e4)")
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
