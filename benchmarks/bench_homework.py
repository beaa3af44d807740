"""Homework benchmark: the eight-setting replay vs brainpy's built-in STP, and a 10,000-setting sweep.

1. Replay: ``stp_brainpy.replays.homework.simulate`` (all eight settings in one compiled, batched call)
   against eight separate runs of brainpy's own ``bp.synapses.STP`` between two ``bp.neurons.LIF``
   with ``bp.DSRunner`` (the homework's code on today's brainpy), both monitoring u, x and I for
   150 ms at dt = 0.1 ms. "cold" = build + compile + first run (what a user waits for, import
   excluded); "warm" = the same run again; "cold - warm" estimates the compile time (brainpy's
   DSRunner traces and compiles again on every ``run()``, so its warm run still includes most
   of a compile). Medians over repeats; each repeat of ours clears the compile caches first.
2. Throughput: 10,000 random (U, tau_d, tau_f) settings x 150 ms of the homework chain (pre-LIF ->
   TM synapse -> current, summaries kept in the scan) in one compiled call: synapse-steps / s.

    python benchmarks/bench_homework.py            # ~1 min on 2 CPU cores
    python benchmarks/bench_homework.py --quick    # fewer repeats, 2,000 settings

Each part writes its table to ``benchmarks/results/homework-{replay,throughput}-<machine>.json``
(``benchmarks/_results.py``: machine, load, versions, date, this command; ``--no-write`` prints only).
"""
from __future__ import annotations

import argparse
import functools
import statistics
import time
import warnings

import numpy as np
from _results import add_write_options, machine_tag, write_results


def _sig(x: float, digits: int = 4) -> float:
    return float(f"{x:.{digits}g}")


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def ours_replay(repeats: int) -> dict:
    import jax

    from stp_brainpy.replays import homework
    from stp_brainpy.sweeps import clear_cache

    def run():
        res = homework.simulate()
        return res["I"]

    cold, warm = [], []
    for _ in range(repeats):
        clear_cache()
        jax.clear_caches()
        cold.append(_timed(run)[0])
        warm.append(statistics.median(_timed(run)[0] for _ in range(3)))
    return dict(cold=statistics.median(cold), warm=statistics.median(warm))


def brainpy_replay(repeats: int) -> dict:
    import brainpy as bp
    import brainpy.math as bm

    from stp_brainpy.replays.homework import SETTINGS

    def one(s):
        neu1, neu2 = bp.neurons.LIF(1), bp.neurons.LIF(1)
        syn = bp.synapses.STP(neu1, neu2, bp.connect.All2All(), U=s.U, tau_d=s.tau_d, tau_f=s.tau_f)
        net = bp.Network(pre=neu1, syn=syn, post=neu2)
        runner = bp.DSRunner(net, inputs=[("pre.input", 28.0)], monitors=["syn.I", "syn.u", "syn.x"],
                             progress_bar=False)
        runner.run(150.0)
        return runner

    cold, warm = [], []
    for _ in range(repeats):
        bm.clear_name_cache(ignore_warn=True)
        t_cold, t_warm = 0.0, 0.0
        for s in SETTINGS:
            t, runner = _timed(functools.partial(one, s))
            t_cold += t
            t_warm += _timed(functools.partial(runner.run, 150.0))[0]
        cold.append(t_cold)
        warm.append(t_warm)
    return dict(cold=statistics.median(cold), warm=statistics.median(warm))


def throughput(n_settings: int, repeats: int, seed: int = 0) -> dict:
    import jax
    import jax.numpy as jnp

    from stp_brainpy.core.circuits import n_steps
    from stp_brainpy.sweeps.models import chain_summary

    rng = np.random.default_rng(seed)
    U = jnp.asarray(rng.uniform(0.01, 1.0, n_settings), jnp.float32)
    tau_d = jnp.asarray(rng.uniform(1.0, 1000.0, n_settings), jnp.float32)
    tau_f = jnp.asarray(rng.uniform(1.0, 1000.0, n_settings), jnp.float32)
    fn = jax.jit(jax.vmap(functools.partial(chain_summary, duration=150.0, dt=0.1)))

    def call():
        return jax.block_until_ready(fn(U, tau_f=tau_f, tau_d=tau_d))

    t_first, out = _timed(call)
    warm = statistics.median(_timed(call)[0] for _ in range(repeats))
    assert float(out["n_spikes"].min()) == 10.0  # every setting ran the full 150 ms
    steps = n_settings * n_steps(150.0, 0.1)
    return dict(n=n_settings, compile=t_first - warm, run=warm, rate=steps / warm, device=str(jax.devices()[0]))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="1 repeat of the replays, 2,000 settings")
    p.add_argument("--repeats", type=int, default=None, help="repeats of each replay (default 5, quick 1)")
    p.add_argument("--settings", type=int, default=None, help="settings of the throughput run (default 10,000)")
    p.add_argument("--part", choices=("all", "replay", "throughput"), default="all",
                   help="run only one part (throughput needs no brainpy, e.g. on a GPU machine)")
    add_write_options(p)
    args = p.parse_args(argv)
    repeats = args.repeats or (1 if args.quick else 5)
    n = args.settings or (2000 if args.quick else 10_000)
    warnings.simplefilter("ignore")

    import jax

    import stp_brainpy.sweeps.models  # noqa: F401  (imports excluded from every timing)

    jax.block_until_ready(jax.jit(lambda a: a + 1)(jax.numpy.ones(3)))  # one-time backend start-up, for neither side
    print(f"jax {jax.__version__} on {jax.devices()[0]}; repeats {repeats}")
    tag = machine_tag()
    if args.part in ("all", "replay"):
        bp_t, ours = replay(repeats)
        row = dict(brainpy_cold_s=_sig(bp_t["cold"]), brainpy_warm_s=_sig(bp_t["warm"]),
                   stp_brainpy_cold_s=_sig(ours["cold"]), stp_brainpy_warm_s=_sig(ours["warm"]),
                   ratio_cold=_sig(bp_t["cold"] / ours["cold"], 3), ratio_warm=_sig(bp_t["warm"] / ours["warm"], 3))
        if not args.no_write:
            import brainpy

            path = write_results(
                f"homework-replay-{tag}", [row], out_dir=args.results_dir,
                title="Homework replay (8 settings), brainpy built-ins vs one batched call",
                notes=(f"brainpy = brainpy {brainpy.__version__} bp.synapses.STP, 8 x DSRunner; stp_brainpy = one "
                       "batched call. Ratios brainpy / stp_brainpy from the unrounded times. Homework replay, 8 "
                       f"settings x 150 ms, u/x/I monitored; medians of {repeats}; cold = build + compile + first "
                       "run, imports excluded. The cold time of the batched call is almost all XLA compilation."))
            print(f"wrote {path}")
    if args.part in ("all", "throughput"):
        tp = throughput(n, repeats=3)
        print(f"\nThroughput: {tp['n']:,} random (U, tau_d, tau_f) x 150 ms (1,500 steps) in one compiled call "
              f"on {tp['device']}")
        print(f"compile {tp['compile']:.2f} s, run {tp['run']:.3f} s -> {tp['rate']:.3g} synapse-steps/s")
        if not args.no_write:
            path = write_results(
                f"homework-throughput-{tag}", out_dir=args.results_dir, title="Homework chain throughput",
                rows=[dict(settings=tp["n"], run_s=_sig(tp["run"]), compile_s=_sig(tp["compile"]),
                           synapse_steps_per_s=_sig(tp["rate"], 3))],
                notes=(f"{tp['n']:,} random (U, tau_d, tau_f) settings x 150 ms (1,500 steps) of the homework chain "
                       "(pre-LIF -> TM -> current, summaries kept in the scan) in one compiled call, float32; run = "
                       "median of 3 steady calls, compile = first call minus run; target 1e8 synapse-steps/s."))
            print(f"wrote {path}")
    return 0


def replay(repeats: int) -> tuple[dict, dict]:
    import brainpy

    import stp_brainpy.replays.homework  # noqa: F401

    print(f"brainpy {brainpy.__version__}")
    bp_t = brainpy_replay(repeats)
    ours = ours_replay(repeats)
    print("\nHomework replay: 8 settings x 150 ms, dt 0.1 ms, monitors u, x, I (median seconds)")
    print(f"{'':42s}{'cold (end to end)':>18s}{'warm run':>10s}{'cold-warm':>10s}")
    for name, r in (("brainpy bp.synapses.STP, 8 x DSRunner", bp_t), ("stp_brainpy, 1 batched call", ours)):
        print(f"{name:42s}{r['cold']:18.3f}{r['warm']:10.3f}{r['cold'] - r['warm']:10.3f}")
    print(f"{'ratio brainpy / stp_brainpy':42s}{bp_t['cold'] / ours['cold']:17.1f}x{bp_t['warm'] / ours['warm']:9.1f}x")
    return bp_t, ours


if __name__ == "__main__":
    raise SystemExit(main())
