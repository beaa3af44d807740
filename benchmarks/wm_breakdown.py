"""Where a working-memory step's time goes, and the noise draw before/after, in one run (``bench_wm.py --breakdown``).

Variants of the same compiled network, each compiled once and then timed in turns (a change of the machine's
load hits every variant alike; the fastest of the runs is the least disturbed one):

* ``before: jax.random.normal in the step``: the draw as it was (per step and population ``fold_in`` keys and
  ``jax.random.normal`` inside the scanned step);
* ``after``: the package as it is (:mod:`stp_brainpy.network.noise`: counter-based Threefry + Box–Muller,
  drawn for a block of steps outside the step);
* ``replay``: the neurons (update and noise) replaced by a replay of spikes recorded from the same network,
  so delivery and STP run at the real activity; ``replay, no arrivals``: the target-side ring's read (and
  the source-side rings' delivery) taken out too; ``replay, no arrivals, no emit``: the STP update and the
  scatter of every spike into the target ring taken out as well (what remains: recording, statistics, loop);
* ``noise draw alone``: the block draw of the two populations' normals in a scan of its own.
"""
from __future__ import annotations

import sys
import time

import _results  # noqa: F401  (the caller imported it first)


def _old_noise():
    import jax

    def step_key(key, i, j):
        return jax.random.fold_in(jax.random.fold_in(key, i), j)

    def noise(key, n, dtype, z=None):
        return jax.random.normal(key, (n,), dtype)

    def scan_steps(step, carry, key, steps, noisy, dtype=None):
        return jax.lax.scan(lambda c, i: step(c, i, key), carry, steps)

    return step_key, noise, scan_steps


def breakdown(net, backend: str = "auto", repeats: int = 5, replay_steps: int = 400) -> list:
    import jax
    import jax.numpy as jnp
    import numpy as np

    import stp_brainpy.network.compile_fused as cf
    import stp_brainpy.network.kernels as kn
    from stp_brainpy.network.noise import noise_block

    from _replay import replay_kit

    orig = dict(step_key=cf.step_key, scan_steps=cf.scan_steps, neuron_step=cf.neuron_step, arrivals=cf.arrivals,
                emit=cf.emit, noise=kn._noise)
    warm = cf.FusedNetwork(net, backend=backend, raster=np.arange(net.n_neurons)).run()
    raster = np.asarray(warm["raster"][-replay_steps:], bool)
    spikes_per_step = float(raster.sum(1).mean())
    Replay, neuron_step, arrivals, emit = replay_kit(net.offsets)

    old_key, old_noise, plain_scan = _old_noise()
    variants = [("before: jax.random.normal in the step", dict(step_key=old_key, noise=old_noise,
                                                               scan_steps=plain_scan)),
                ("after", {}),
                ("replay", dict(neuron_step=neuron_step, scan_steps=plain_scan)),
                ("replay, no arrivals", dict(neuron_step=neuron_step, scan_steps=plain_scan, arrivals=arrivals)),
                ("replay, no arrivals, no emit", dict(neuron_step=neuron_step, scan_steps=plain_scan,
                                                      arrivals=arrivals, emit=emit))]
    sims = []
    data = jnp.asarray(raster)
    try:  # the patches act when a variant is traced: compile all, then time them in turns
        for name, patch in variants:
            for k, v in {**orig, **patch}.items():
                if k == "noise":
                    kn._noise = v
                else:
                    setattr(cf, k, v)
            sim = Replay(net, backend=backend, replay=data)
            sim.compile()
            sims.append((name, sim))
    finally:
        for k, v in orig.items():
            if k == "noise":
                kn._noise = v
            else:
                setattr(cf, k, v)
    with_noise = {x.pop for x in net.inputs if x.sigma > 0}
    noisy = [(j, p.size) for j, p in enumerate(net.populations) if p.name in with_noise]
    B = 20

    def draw(key):
        def body(c, blk):
            return c + sum(noise_block(key, blk, j, n).sum() for j, n in noisy), None
        return jax.lax.scan(body, 0.0, jnp.arange(net.n_steps).reshape(-1, B))[0]

    draw = jax.jit(draw)
    key = jax.random.PRNGKey(net.seed)
    draw(key).block_until_ready()
    names = [n for n, _ in sims] + ["noise draw alone (block of 20 steps)"]
    cpu = {n: [] for n in names}
    wall = {n: [] for n in names}
    for _ in range(repeats):
        for name, sim in sims:
            carry, tables = sim.init_carry(), sim.tables()
            jax.block_until_ready(carry)
            c0, w0 = time.process_time(), time.perf_counter()
            jax.block_until_ready(sim._run(carry, key, tables))
            cpu[name].append(time.process_time() - c0)
            wall[name].append(time.perf_counter() - w0)
        c0, w0 = time.process_time(), time.perf_counter()
        draw(key).block_until_ready()
        cpu[names[-1]].append(time.process_time() - c0)
        wall[names[-1]].append(time.perf_counter() - w0)
    steps = net.n_steps
    rows = [dict(variant=n, neurons=net.n_neurons, wall_us_per_step=round(1e6 * min(wall[n]) / steps, 1),
                 cpu_us_per_step=round(1e6 * min(cpu[n]) / steps, 1),
                 runs_wall_us_per_step=[round(1e6 * t / steps, 1) for t in wall[n]],
                 spikes_per_step=spikes_per_step, load_1min=_results.load_1min()) for n in names]
    for r in rows:
        print(f"  {r['variant']}: {r['wall_us_per_step']} us/step wall, {r['cpu_us_per_step']} cpu "
              f"{r['runs_wall_us_per_step']}", file=sys.stderr, flush=True)
    return rows
