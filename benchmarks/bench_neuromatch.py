"""Neuromatch bonus model and E/I grid: stp_brainpy (JAX) against the tutorial's NumPy loops, side by side.

Contenders, on identical input trains (drawn once with the package's seeded generator):

* ``numpy``: the tutorial's ``run_LIF_cond_STP`` (``dynamic_syn`` per synapse, then the LIF loop)
  and ``run_LIF_cond``, as transcribed verbatim for the tests (``tests/neuromatch_reference.py``);
* ``jax 1 trial``: ``core.cond_lif.run_cond_lif_inputs`` (the same equations, Euler), jitted;
* ``jax batched``: ``vmap`` over seeds, trains drawn on the device inside the call as geometric
  gaps (``poisson_spike_indices``: the same law as the tutorial's per-step draw), STP drives
  event by event (``stp_drive_events``: the same numbers as the stepwise Euler), in chunks of
  ``--chunk`` seeds (``jax.lax.map``), summaries (rate, CV_ISI) only.

Compile time and steady state are reported separately (medians of repeats). Run::

    .venv/bin/python benchmarks/bench_neuromatch.py            # ~2 min on 2 cores
    .venv/bin/python benchmarks/bench_neuromatch.py --quick    # ~30 s

The table goes to ``benchmarks/results/neuromatch-<machine>.json`` (``benchmarks/_results.py``: machine, load,
versions, date, this command; ``--no-write`` prints only).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from _results import add_write_options, machine_tag, write_results  # first: it records the load at the start

import numpy as np

import jax
import jax.numpy as jnp

from stp_brainpy.analysis import cv_isi, firing_rate
from stp_brainpy.core.cond_lif import (CondLIFParams, bonus_params, run_cond_lif, run_cond_lif_inputs,
                                       stp_drive_events)
from stp_brainpy.core.spike_inputs import (poisson_spike_indices, poisson_trains, poisson_trains_sparse,
                                          sparse_max_spikes)

DT, T = 0.1, 1000.0


# ---------------------------------------------------------------- the tutorial's NumPy code
# The tests' verbatim transcription of the tutorial (dynamic_syn, run_LIF_cond, run_LIF_cond_STP) is the peer.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from neuromatch_reference import np_default_pars, np_run_LIF_cond, np_run_LIF_cond_STP  # noqa: E402


def bonus_pars_np(r):
    """The bonus widget's ``pars`` (tutorial values) for tau_ratio ``r``."""
    syn = dict(U0_E=0.45, tau_d_E=500. * r, tau_f_E=300. * r, U0_I=0.45, tau_d_I=500. * r, tau_f_I=300. * r)
    return np_default_pars(T=T, dt=DT, gE_bar=4.8, gI_bar=6.4, VE=0., VI=-80., tau_syn_E=5., tau_syn_I=10., **syn)


# ---------------------------------------------------------------- JAX contenders
@jax.jit
def jax_one_trial(ex, inh, tau_ratio):
    syn = bonus_params(tau_ratio)
    tr = run_cond_lif_inputs(ex, inh, 4.8, 6.4, syn, syn, p=CondLIFParams(tau_E=5., tau_I=10.), dt=DT)
    return tr.V, tr.spike


def _bonus_seed(seed, tau_ratio, steps):
    kE, kI = jax.random.split(jax.random.key(seed))
    k = sparse_max_spikes(15., steps * DT)  # same law as the tutorial's draw, ~100x fewer random numbers
    ex = poisson_spike_indices(kE, 15., 80, steps, DT, k)
    inh = poisson_spike_indices(kI, 15., 20, steps, DT, k)
    syn = bonus_params(tau_ratio)
    tr = run_cond_lif(stp_drive_events(ex, 4.8, syn, steps, DT), stp_drive_events(inh, 6.4, syn, steps, DT), 0.0,
                      CondLIFParams(tau_E=5., tau_I=10.), DT)
    return firing_rate(tr.spike, DT), cv_isi(tr.spike, DT, min_spikes=4)


def make_batched(steps, chunk):
    @jax.jit
    def run(seeds, tau_ratio):
        return jax.lax.map(lambda s: _bonus_seed(s, tau_ratio, steps), seeds, batch_size=chunk)
    return run


GRID_K = sparse_max_spikes(60., T)


def _ei_cell(key, rate_E, rate_I, steps):
    kE, kI = jax.random.split(key)
    dE = stp_drive_events(poisson_spike_indices(kE, rate_E, 80, steps, DT, GRID_K), 3.0, None, steps, DT)
    dI = stp_drive_events(poisson_spike_indices(kI, rate_I, 20, steps, DT, GRID_K), 3.0, None, steps, DT)
    p = CondLIFParams(tau_E=2., tau_I=5.)
    both = jax.vmap(lambda th: run_cond_lif(dE, dI, 0.0, p._replace(V_th=th), DT))(jnp.array([p.V_th, jnp.inf]))
    return firing_rate(both.spike[0], DT), both.V[1].mean()


def make_grid(steps, chunk):
    @jax.jit
    def run(keys, rE, rI):
        return jax.lax.map(lambda a: _ei_cell(a[0], a[1], a[2], steps), (keys, rE, rI), batch_size=chunk)
    return run


# ---------------------------------------------------------------- timing helpers
def timed(fn, repeats):
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        r = fn()
        jax.block_until_ready(r)
        out.append(time.perf_counter() - t0)
    return statistics.median(out), r


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats, 200 seeds, a 3-cell NumPy grid sample")
    ap.add_argument("--seeds", type=int, default=None, help="seeds in the batched call (default 1000; quick 200)")
    ap.add_argument("--chunk", type=int, default=50, help="seeds per vmapped chunk inside the batched call")
    ap.add_argument("--json", default=None, help="also write the raw results to this JSON file")
    add_write_options(ap)
    args = ap.parse_args(argv)
    quick = args.quick
    n_seeds = args.seeds or (200 if quick else 1000)
    reps_np = 1 if quick else 3
    steps = int(round(T / DT))
    r = 0.6
    res = dict(machine=platform.processor() or platform.machine(), cpus=os.cpu_count(), jax=jax.__version__,
               backend=jax.default_backend(), dtype=str(jnp.result_type(float)), load=os.getloadavg()[0])

    # identical inputs: one seeded draw, given to both
    kE, kI = jax.random.split(jax.random.key(123))
    ex = np.asarray(poisson_trains(kE, 15., 80, steps, DT))
    inh = np.asarray(poisson_trains(kI, 15., 20, steps, DT))

    t_np, (v_np, sp_np) = timed(lambda: np_run_LIF_cond_STP(bonus_pars_np(r), 0., ex, inh)[:2], reps_np)
    t0 = time.perf_counter()
    jax.block_until_ready(jax_one_trial(ex, inh, r))
    compile_one = time.perf_counter() - t0
    t_one, (v_j, sp_j) = timed(lambda: jax_one_trial(ex, inh, r), 5 if quick else 20)
    sp_j = np.flatnonzero(np.asarray(sp_j)[:-1]) * DT
    res["bonus_single"] = dict(numpy_s=t_np, jax_compile_s=compile_one, jax_s=t_one, speedup=t_np / t_one,
                               numpy_spikes=int(sp_np.size), jax_spikes=int(sp_j.size),
                               max_abs_dV_before_first_spike_mismatch_mV=float(np.max(np.abs(
                                   np.asarray(v_j)[:-1] - v_np[:-1])[: int((min(
                                       [a for a, b in zip(sp_np, sp_j) if abs(a - b) > 1e-6] or [T]) / DT))])))

    batched = make_batched(steps, args.chunk)
    seeds = jnp.arange(n_seeds, dtype=jnp.uint32)
    t0 = time.perf_counter()
    jax.block_until_ready(batched(seeds, r))
    compile_b = time.perf_counter() - t0
    t_b, (rate, cv) = timed(lambda: batched(seeds, r), 1 if quick else 3)
    res["bonus_batched"] = dict(seeds=n_seeds, chunk=args.chunk, jax_compile_plus_first_run_s=compile_b, jax_s=t_b,
                                per_trial_ms=1e3 * t_b / n_seeds, throughput_vs_numpy=t_np / (t_b / n_seeds),
                                mean_rate_Hz=float(np.mean(rate)), mean_cv=float(np.nanmean(cv)))

    # E/I grid: 10 x 11 cells, V and FMP per cell
    ex_r, in_r = np.arange(2., 20.1, 2.), np.arange(10., 60.1, 5.)
    RE, RI = (a.ravel() for a in np.meshgrid(ex_r, in_r, indexing="ij"))
    keys = jax.random.split(jax.random.key(7), RE.size)
    grid = make_grid(steps, 16)
    t0 = time.perf_counter()
    jax.block_until_ready(grid(keys, jnp.asarray(RE), jnp.asarray(RI)))
    compile_g = time.perf_counter() - t0
    t_g, _ = timed(lambda: grid(keys, jnp.asarray(RE), jnp.asarray(RI)), 1 if quick else 3)
    sample = [0, 54, 109] if quick else list(range(RE.size))
    pg = np_default_pars(T=T, dt=DT, gE_bar=3., gI_bar=3., VE=0., VI=-80., tau_syn_E=2., tau_syn_I=5.)
    trains = []
    for c in sample:  # the same trains as the batched run, drawn before the clock starts
        kE, kI = jax.random.split(keys[c])
        trains.append((np.asarray(poisson_trains_sparse(kE, RE[c], 80, steps, DT, GRID_K)),
                       np.asarray(poisson_trains_sparse(kI, RI[c], 20, steps, DT, GRID_K))))
    t0 = time.perf_counter()
    for e, i in trains:
        np_run_LIF_cond(pg, 0., e, i)
        np_run_LIF_cond(dict(pg, V_th=1e3), 0., e, i)  # the free membrane potential, as the tutorial
    t_np_grid = (time.perf_counter() - t0) * RE.size / len(sample)
    res["ei_grid"] = dict(cells=int(RE.size), jax_compile_plus_first_run_s=compile_g, jax_s=t_g,
                          numpy_s=t_np_grid, numpy_cells_measured=len(sample), speedup=t_np_grid / t_g)

    print(json.dumps(res, indent=1))
    b, bb, g = res["bonus_single"], res["bonus_batched"], res["ei_grid"]
    print(f"\nbonus model, 1 trial (100 STP synapses, 1000 ms, dt 0.1): numpy {b['numpy_s']:.2f} s | jax "
          f"{1e3 * b['jax_s']:.1f} ms (compile {b['jax_compile_s']:.2f} s) | {b['speedup']:.0f}x")
    print(f"bonus model, {n_seeds} seeds in one call: {bb['jax_s']:.2f} s = {bb['per_trial_ms']:.2f} ms/trial | "
          f"{bb['throughput_vs_numpy']:.0f}x numpy per-trial throughput")
    print(f"E/I grid {g['cells']} cells x (V + FMP): numpy {g['numpy_s']:.1f} s"
          f"{' (extrapolated from %d cells)' % len(sample) if len(sample) < RE.size else ''} | jax {g['jax_s']:.2f} s"
          f" (compile+first {g['jax_compile_plus_first_run_s']:.1f} s) | {g['speedup']:.0f}x")
    print(f"load average at start: {res['load']:.2f} on {res['cpus']} CPUs")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1)
    if not args.no_write:
        sig = lambda x, d=4: float(f"{x:.{d}g}")  # noqa: E731
        rows = [dict(workload=f"bonus model, 1 trial (100 STP synapses, {T:.0f} ms)", numpy_s=sig(b["numpy_s"]),
                     stp_brainpy_s=sig(b["jax_s"]), speedup=sig(b["speedup"], 3), compile_s=sig(b["jax_compile_s"])),
                dict(workload=f"bonus model, {n_seeds:,} seeds in one call (per trial)", numpy_s=sig(b["numpy_s"]),
                     stp_brainpy_s=sig(bb["jax_s"] / n_seeds), speedup=sig(bb["throughput_vs_numpy"], 3),
                     compile_s=sig(max(bb["jax_compile_plus_first_run_s"] - bb["jax_s"], 0.0))),
                dict(workload=f"E/I grid, {g['cells']} cells, V + FMP, {T:.0f} ms (steady state)",
                     numpy_s=sig(g["numpy_s"]), stp_brainpy_s=sig(g["jax_s"]), speedup=sig(g["speedup"], 3),
                     compile_s=sig(max(g["jax_compile_plus_first_run_s"] - g["jax_s"], 0.0)))]
        extrap = (f" The NumPy grid time is extrapolated from {len(sample)} of {RE.size} cells."
                  if len(sample) < RE.size else "")
        path = write_results(
            f"neuromatch-{machine_tag()}", rows, out_dir=args.results_dir,
            title="Neuromatch bonus model and E/I grid: tutorial NumPy loops vs stp_brainpy",
            notes=(f"{res['dtype']}, dt {DT} ms; NumPy = the tutorial's loops verbatim (tests/neuromatch_reference.py); "
                   f"medians of {reps_np} (NumPy) and {5 if quick else 20} / {1 if quick else 3} (jax) calls; compile "
                   f"= first call minus steady state. {b['numpy_spikes']} (NumPy) and {b['jax_spikes']} (jax) spikes "
                   f"in the single trial.{extrap}"))
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
