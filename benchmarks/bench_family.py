"""Speed of the STP family's efficacy sweeps: every variant side by side in one run.

Deterministic variants (``tm``, ``markram`` before/after, ``tm3``): ``--settings`` (default 1e6)
settings × 10 spikes of a regular train, each setting its own (U, tau_f, tau_d, rate[, f, tau_psc]).
Target: >= 1e7 settings/s on the development CPU. ``quantal`` (n = 5 sites): ``--settings`` settings ×
trials (default 1e3 × 1e3), target >= 1e6 settings·trials/s.

Two contenders per variant: the sweep model called on flat arrays under one ``jax.jit`` (the compiled
kernel alone, for quantal ``jit(vmap)`` over settings and seeds) and the engine's ``sweep()`` (chunks,
device mesh, labelled ``xarray`` result on the host). Compile time and steady state are separate:
``compile_s`` is ``lower().compile()`` (kernel) or the first call minus the steady time (engine);
``steady_s`` is the median of ``--repeats`` (default 5) calls, kernel and engine calls interleaved so both
see the same load; each engine row records ``engine_vs_kernel`` (its rate over the kernel's), its
``chunk_size`` and the 1-minute load. The engine can beat the kernel: its chunks (~1e5 items) stay in
cache where one 1e6-item call does not, and budget-sized chunks are a multiple of 64 (an odd batch runs
3-5x slower in XLA's CPU loops, which was most of the engine's former gap on quantal).

Run::

    .venv/bin/python benchmarks/bench_family.py            # writes benchmarks/results/family.json
    .venv/bin/python benchmarks/bench_family.py --settings 100000 --no-write   # a quick look
    .venv/bin/python benchmarks/bench_family.py --only quantal   # one section (never writes the json)

The quantal kernel's cost is mostly random bits (20 uniforms per trial at n = 5, 10 spikes): the core
draws two float32 uniforms per Threefry-2x32 block, where ``jax.random.uniform`` spends one block on each.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _results  # noqa: E402,F401  (first: it records the load when the measurement starts)

TARGET_DET = 1e7
TARGET_QUANTAL = 1e6
N_SPIKES = 10
N_SITES = 5


def _block(out) -> None:
    import jax

    jax.block_until_ready(out.efficacy.values if hasattr(out, "efficacy") else out)


def _median_times(fns: list, repeats: int) -> list[float]:
    """Median wall time of each zero-argument callable, the calls interleaved (kernel, engine, kernel, ...)
    so that both contenders see the same load on a shared machine."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for fn, ts in zip(fns, times):
            t = time.perf_counter()
            _block(fn())
            ts.append(time.perf_counter() - t)
    return [statistics.median(ts) for ts in times]


def _first_call(fn) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn()
    _block(out)
    return time.perf_counter() - t, out


def _axes(model: str, n: int, rng) -> dict[str, np.ndarray]:
    """n random valid settings (float32) of ``model``'s swept parameters."""
    ax = {"U": rng.uniform(0.05, 0.9, n), "tau_f": rng.uniform(0.0, 1500.0, n), "tau_d": rng.uniform(50.0, 800.0, n),
          "rate": rng.uniform(1.0, 50.0, n)}
    if model == "markram":
        ax["f"] = rng.uniform(0.0, 1.0, n)
    if model == "tm3":
        ax["tau_psc"] = rng.uniform(0.0, 30.0, n)
    return {k: v.astype(np.float32) for k, v in ax.items()}


def _grid(model: str, n: int):
    """A product grid of about n settings for the engine."""
    from stp_brainpy.sweeps import product

    k = 5 if model in ("markram", "tm3") else 4
    side = max(2, round(n ** (1 / k)))
    ax = dict(U=np.linspace(0.05, 0.9, side), tau_f=np.geomspace(20, 1500, side), tau_d=np.geomspace(50, 800, side),
              rate=np.linspace(1, 50, max(1, round(n / side ** (k - 1)))))
    if model == "markram":
        ax["f"] = np.linspace(0.0, 1.0, side)
    if model == "tm3":
        ax["tau_psc"] = np.linspace(0.0, 30.0, side)
    return product(**ax)


VARIANTS = [("tm", {}), ("markram", {"read": "before"}), ("markram", {"read": "after"}), ("tm3", {})]


def bench_deterministic(n: int, repeats: int, engine: bool) -> list[dict]:
    import jax
    import jax.numpy as jnp

    from stp_brainpy.sweeps import sweep
    from stp_brainpy.sweeps.variants import efficacy_model

    rows = []
    rng = np.random.default_rng(0)
    for model, opts in VARIANTS:
        label = model + (f" read={opts['read']}" if opts else "")
        run = efficacy_model(model)
        x = {k: jnp.asarray(v) for k, v in _axes(model, n, rng).items()}
        fn = jax.jit(lambda kw, run=run, opts=opts: run(**kw, n_spikes=N_SPIKES, **opts)["efficacy"])
        t = time.perf_counter()
        compiled = fn.lower(x).compile()
        compile_s = time.perf_counter() - t
        fns = [lambda compiled=compiled, x=x: compiled(x)]
        if engine:
            grid = _grid(model, n)
            fns.append(lambda run=run, grid=grid, opts=opts: sweep(run, grid, static={"n_spikes": N_SPIKES, **opts},
                                                                   progress=False))
            first, ds = _first_call(fns[1])
        steady = _median_times(fns, repeats)
        rows.append(dict(model=label, contender="jit kernel (flat arrays)", items=n, spikes=N_SPIKES,
                         compile_s=round(compile_s, 3), steady_s=round(steady[0], 4), per_s=n / steady[0],
                         target_per_s=TARGET_DET, load_1min=_load()))
        if engine:
            rows.append(dict(model=label, contender="engine sweep() (labelled Dataset)", items=len(grid),
                             spikes=N_SPIKES, compile_s=round(max(first - steady[1], 0.0), 3),
                             steady_s=round(steady[1], 4), per_s=len(grid) / steady[1], target_per_s=TARGET_DET,
                             load_1min=_load(), chunk_size=int(ds.attrs["chunk_size"])))
            _compare(rows)
        print(_line(rows[-2] if engine else rows[-1]), flush=True)
        if engine:
            print(_line(rows[-1]), flush=True)
    return rows


def bench_quantal(settings: int, trials: int, repeats: int, engine: bool) -> list[dict]:
    import jax
    import jax.numpy as jnp

    from stp_brainpy.sweeps import product, sweep
    from stp_brainpy.sweeps.variants import quantal_efficacy

    rows = []
    rng = np.random.default_rng(1)
    ax = _axes("quantal", settings, rng)
    items = settings * trials
    flat = {k: jnp.asarray(np.repeat(v, trials)) for k, v in ax.items()}
    flat["seed"] = jnp.asarray(np.tile(np.arange(trials, dtype=np.uint32), settings))
    one = lambda kw: quantal_efficacy(**kw, n=N_SITES, n_spikes=N_SPIKES)["efficacy"]  # noqa: E731
    fn = jax.jit(jax.vmap(one))
    t = time.perf_counter()
    compiled = fn.lower(flat).compile()
    compile_s = time.perf_counter() - t
    fns = [lambda: compiled(flat)]
    if engine:
        side = max(2, round(settings ** 0.25))
        grid = product(U=np.linspace(0.05, 0.9, side), tau_f=np.geomspace(20, 1500, side),
                       tau_d=np.geomspace(50, 800, side), rate=np.linspace(1, 50, max(1, round(settings / side ** 3))))
        fns.append(lambda: sweep(quantal_efficacy, grid, seeds=trials, static={"n": N_SITES, "n_spikes": N_SPIKES},
                                 progress=False))
        first, ds = _first_call(fns[1])
    steady = _median_times(fns, repeats)
    rows.append(dict(model=f"quantal n={N_SITES}", contender="jit(vmap) kernel over settings x seeds", items=items,
                     spikes=N_SPIKES, compile_s=round(compile_s, 3), steady_s=round(steady[0], 4),
                     per_s=items / steady[0], target_per_s=TARGET_QUANTAL, load_1min=_load()))
    print(_line(rows[-1]), flush=True)
    if engine:
        n_items = len(grid) * trials
        rows.append(dict(model=f"quantal n={N_SITES}", contender="engine sweep(seeds=...) (labelled Dataset)",
                         items=n_items, spikes=N_SPIKES, compile_s=round(max(first - steady[1], 0.0), 3),
                         steady_s=round(steady[1], 4), per_s=n_items / steady[1], target_per_s=TARGET_QUANTAL,
                         load_1min=_load(), chunk_size=int(ds.attrs["chunk_size"])))
        _compare(rows)
        print(_line(rows[-1]), flush=True)
    return rows


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def _compare(rows: list[dict]) -> None:
    """The engine row (last) against its kernel row (the one before), timed interleaved with it."""
    rows[-1]["engine_vs_kernel"] = round(rows[-1]["per_s"] / rows[-2]["per_s"], 2)


def _line(r: dict) -> str:
    ok = "meets" if r["per_s"] >= r["target_per_s"] else "BELOW"
    ratio = f"  {r['engine_vs_kernel']:.2f}x kernel" if "engine_vs_kernel" in r else ""
    load = f"  load {r['load_1min']:.1f}" if "load_1min" in r else ""
    return (f"{r['model']:<22} {r['contender']:<44} {r['items']:>9} items  compile {r['compile_s']:6.2f} s  "
            f"steady {r['steady_s']:7.4f} s  {r['per_s']:.3g}/s ({ok} target {r['target_per_s']:.0e}){ratio}{load}")


def check() -> None:
    """Sanity before timing: the kernels give the core's family efficacies (float32 tolerance)."""
    import jax.numpy as jnp

    from stp_brainpy.core import family
    from stp_brainpy.sweeps.variants import efficacy_model

    for model, opts in VARIANTS:
        ax = _axes(model, 3, np.random.default_rng(2))
        got = np.asarray(efficacy_model(model)(**{k: jnp.asarray(v) for k, v in ax.items()}, n_spikes=N_SPIKES,
                                               **opts)["efficacy"])
        for i in range(3):
            p = {k: float(v[i]) for k, v in ax.items() if k != "rate"}
            ref = family.event_efficacies(model, np.arange(N_SPIKES) * 1000.0 / float(ax["rate"][i]), p, **opts)
            np.testing.assert_allclose(got[i], np.asarray(ref), rtol=2e-4, atol=1e-6)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--settings", type=int, default=10**6, help="deterministic settings (default 1e6)")
    ap.add_argument("--quantal-settings", type=int, default=1000, help="quantal settings (default 1000)")
    ap.add_argument("--trials", type=int, default=1000, help="quantal trials (seeds) per setting (default 1000)")
    ap.add_argument("--repeats", type=int, default=5, help="steady-state calls, median taken (default 5)")
    ap.add_argument("--no-engine", action="store_true", help="time the compiled kernels only")
    ap.add_argument("--no-write", action="store_true", help="do not write benchmarks/results/family.json")
    ap.add_argument("--only", choices=("deterministic", "quantal"), default=None,
                    help="run one section only (implies --no-write: the json holds every variant of one run)")
    args = ap.parse_args(argv)
    for name in ("settings", "quantal_settings", "trials", "repeats"):
        if getattr(args, name) < 1:
            ap.error(f"--{name.replace('_', '-')} must be >= 1")
    import jax

    load_before = os.getloadavg()
    check()
    print(f"{jax.devices()[0].platform} x{len(jax.devices())}, {os.cpu_count()} cores, "
          f"load average {load_before[0]:.2f} (1 min)", flush=True)
    rows = [] if args.only == "quantal" else bench_deterministic(args.settings, args.repeats, not args.no_engine)
    if args.only != "deterministic":
        rows += bench_quantal(args.quantal_settings, args.trials, args.repeats, not args.no_engine)
    load_after = os.getloadavg()
    print(f"load average after: {load_after[0]:.2f} (1 min)")
    if not (args.no_write or args.only):
        from _results import write_results

        path = write_results(
            "family", rows, title="STP family efficacy sweeps: settings/s per variant (10-spike regular trains)",
            benchmark="sweeps",
            notes=(f"Medians of {args.repeats} steady calls; compile separate. float32 on CPU. Load average (1 min) "
                   f"{load_before[0]:.2f} before, {load_after[0]:.2f} after, on {os.cpu_count()} cores: the machine "
                   "was shared, so absolute rates are lower bounds. quantal items are settings x trials."),
            load_average=[round(load_before[0], 2), round(load_after[0], 2)])
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
