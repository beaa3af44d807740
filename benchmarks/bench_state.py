"""COBA-STP in brainpy.state: stp_brainpy.state modules vs brainpy.state's own parts vs the fused path.

    .venv/bin/python benchmarks/bench_state.py                     # 4000 neurons, 1 s, COBA-STP
    .venv/bin/python benchmarks/bench_state.py --neurons 1000 --duration 200 --repeats 2

Three contenders, one process, the same :class:`~stp_brainpy.network.COBAConfig` (Brette et al.
2007 benchmark 1 with TM synapses on E→E and E→I: U 0.2, tau_f 2, tau_d 150 ms, weight w_E/U),
the same connectivity and initial potentials:

``fused``           :class:`stp_brainpy.network.FusedCOBA` (one ``lax.scan``, one merged event
                    delivery per step; what ``stp_brainpy.network.simulate(COBAConfig(stp=True))`` runs)
``stp_brainpy.state``  :class:`stp_brainpy.state.COBAStateNet`: ``ConductanceLIF`` populations,
                    ``PresynapticSTP`` and four ``brainpy.state.DeltaProj`` with ``EventConn``
                    (``--per-synapse``: ``EventSTPProj``), run by ``brainstate.transform.for_loop``
``brainpy.state``   brainpy.state's own parts: ``LIFRef`` neurons (R = 1/g_L, I_e as input current),
                    ``brainpy.state.STP`` per E source, ``AlignPostProj`` with ``Expon`` synapses and
                    ``COBA`` outputs, brainevent CSR matrices (graded for STP, binary events for I),
                    brainevent's ``jax_raw`` CPU backend. Its STP and neuron integrate differently
                    (u starts at U, stale-state jumps; refractoriness by time), so its spikes differ;
                    its rate is printed for reference.

Columns: ``compile`` = first call minus the steady-state run (seconds; tracing + XLA compilation),
``sim`` = median of ``--repeats`` runs of the compiled simulation (states reset before each),
``×fused`` = sim / fused sim. ``same spikes`` compares the population spike count of every step with
the fused path's (stp_brainpy.state must match it exactly). Times on a shared machine are noisy: the
ratios measured side by side are what counts; the 1-min load average is recorded with them.

Writes ``benchmarks/results/state-<machine>.json`` (``benchmarks/_results.py``; ``--no-write`` prints only).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import time

from _results import add_write_options, machine_tag, write_results  # first: it records the load at the start

import jax
import jax.numpy as jnp
import numpy as np


def _time_runs(fn, reset, repeats):
    reset()
    t0 = time.perf_counter()
    out = jax.block_until_ready(fn())
    first = time.perf_counter() - t0
    sims = []
    for _ in range(repeats):
        reset()
        t0 = time.perf_counter()
        out = jax.block_until_ready(fn())
        sims.append(time.perf_counter() - t0)
    sim = statistics.median(sims)
    return max(first - sim, 0.0), sim, np.asarray(out)


def bench_fused(cfg, repeats):
    from stp_brainpy.network import FusedCOBA

    sim = FusedCOBA(cfg)
    compile_s = sim.compile()
    runs = [sim.run() for _ in range(repeats)]
    return compile_s, statistics.median(r["sim_s"] for r in runs), runs[0]["pop_count"]


def bench_state(cfg, repeats, per_synapse=False):
    import brainstate
    import brainunit as u

    from stp_brainpy.state import COBAStateNet, run

    brainstate.environ.set(dt=cfg.dt * u.ms)
    net = COBAStateNet(cfg, per_synapse=per_synapse)
    brainstate.nn.init_all_states(net)
    f = brainstate.transform.jit(lambda: run(lambda: jnp.sum(net.update(), dtype=jnp.int32), cfg.duration * u.ms))
    return _time_runs(f, lambda: brainstate.nn.reset_all_states(net), repeats)


class _CSRComm:
    """brainevent CSR matrix as a brainpy.state ``comm``: binary events or graded values."""

    def __init__(self, conn, weight, binary):
        import brainevent
        import brainunit as u

        self.in_size, self.out_size = (conn.n_pre,), (conn.n_post,)
        data = jnp.full(conn.nnz, weight) * u.nS
        self.csr = brainevent.CSR((data, jnp.asarray(conn.indices), jnp.asarray(conn.indptr)),
                                  shape=(conn.n_pre, conn.n_post))
        self.binary = binary

    def __call__(self, x):
        import brainevent

        return (brainevent.BinaryArray(x) if self.binary else x) @ self.csr


def bench_brainpy_state(cfg, repeats):
    import brainpy.state as bps
    import brainstate
    import brainunit as u

    import stp_brainpy.state  # noqa: F401  (selects brainevent's jax_raw CPU backend without numba)
    from stp_brainpy.network import initial_potentials
    from stp_brainpy.state.network import coba_blocks, send_spikes

    brainstate.environ.set(dt=cfg.dt * u.ms)
    V0, p = initial_potentials(cfg), cfg.neuron
    n, ne = cfg.n_neurons, cfg.n_exc

    class Net(brainstate.nn.Module):
        def __init__(self):
            super().__init__()
            kw = dict(R=(1.0 / p.g_L) * u.Gohm, tau=p.tau_m * u.ms, tau_ref=p.tau_ref * u.ms, V_th=p.V_th * u.mV,
                      V_reset=p.V_reset * u.mV, V_rest=p.E_L * u.mV, spk_reset="hard")
            self.E = bps.LIFRef(ne, V_initializer=V0[:ne] * u.mV, **kw)
            self.I = bps.LIFRef(n - ne, V_initializer=V0[ne:] * u.mV, **kw)
            self.stp = bps.STP(ne, U=cfg.U, tau_f=cfg.tau_f * u.ms, tau_d=cfg.tau_d * u.ms) if cfg.stp else None
            for src, tgt, block in coba_blocks(cfg):  # the wiring of stp_brainpy.state.COBAStateNet
                post = getattr(self, tgt)
                exc = src == "E"
                comm = _CSRComm(block, cfg.w_exc if exc else cfg.w_I, binary=not (exc and cfg.stp))
                setattr(self, f"{src}2{tgt}", bps.AlignPostProj(
                    comm=comm, syn=bps.Expon.desc(post.varshape, tau=(p.tau_E if exc else p.tau_I) * u.ms),
                    out=bps.COBA.desc(E=(p.E_E if exc else p.E_I) * u.mV), post=post))

        def update(self):
            send_spikes(self)
            self.E(p.I_e * u.pA)
            self.I(p.I_e * u.pA)
            return jnp.sum(self.E.get_spike() > 0, dtype=jnp.int32) + jnp.sum(self.I.get_spike() > 0, dtype=jnp.int32)

    from stp_brainpy.state import run

    net = Net()
    brainstate.nn.init_all_states(net)
    f = brainstate.transform.jit(lambda: run(net.update, cfg.duration * u.ms))
    return _time_runs(f, lambda: brainstate.nn.reset_all_states(net), repeats)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--neurons", type=int, default=4000)
    ap.add_argument("--duration", type=float, default=1000.0, help="ms")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-stp", dest="stp", action="store_false")
    ap.add_argument("--per-synapse", action="store_true", help="stp_brainpy.state with per-synapse STP states")
    ap.add_argument("--only", default="fused,stp_brainpy.state,brainpy.state")
    ap.add_argument("--json", action="store_true", help="print one JSON line instead of the table")
    add_write_options(ap)
    args = ap.parse_args(argv)

    from stp_brainpy.network import COBAConfig

    cfg = COBAConfig(n_neurons=args.neurons, duration=args.duration, stp=args.stp)
    which = args.only.split(",")
    rows = {}
    if "fused" in which:
        rows["fused"] = bench_fused(cfg, args.repeats)
    if "stp_brainpy.state" in which:
        rows["stp_brainpy.state"] = bench_state(cfg, args.repeats, args.per_synapse)
    if "brainpy.state" in which:
        rows["brainpy.state"] = bench_brainpy_state(cfg, args.repeats)
    fused = rows.get("fused")
    seconds = cfg.duration / 1000.0
    out = {"neurons": cfg.n_neurons, "duration_ms": cfg.duration, "stp": cfg.stp, "per_synapse": args.per_synapse,
           "repeats": args.repeats, "jax": jax.__version__, "backend": jax.default_backend(), "contenders": {}}
    for name, (comp, sim, pop) in rows.items():
        pop = np.asarray(pop).ravel()
        row = {"compile_s": round(comp, 3), "sim_s": round(sim, 4),
               "rate_hz": round(float(pop.sum()) / cfg.n_neurons / seconds, 3)}
        if fused is not None:
            row["x_fused"] = round(sim / fused[1], 2)
            row["same_spikes"] = bool(np.array_equal(pop, np.asarray(fused[2]).ravel()))
        out["contenders"][name] = row
    out["load_1min"] = round(os.getloadavg()[0], 2)
    if not args.no_write:
        rows_out = [{"contender": name, **r} for name, r in out["contenders"].items()]
        path = write_results(
            f"state-{machine_tag()}", rows_out, out_dir=args.results_dir, benchmark="coba",
            title=(f"COBA{'-STP' if cfg.stp else ''} {cfg.n_neurons} neurons, {cfg.duration:g} ms in brainpy.state: "
                   "stp_brainpy.state modules vs brainpy.state's own parts vs the fused path"),
            notes=(f"One process, same config, connectivity and initial potentials; sim = median of {args.repeats} "
                   "compiled runs (states reset before each), compile = first call minus sim; x_fused = sim / fused "
                   "sim. same_spikes: population spike count of every step equals the fused path's (brainpy.state's "
                   "own STP and neuron integrate differently, so its spikes differ). float32 on "
                   f"{jax.default_backend()}" + (", per-synapse STP states" if args.per_synapse else "") + "."),
            neurons=cfg.n_neurons, duration_ms=cfg.duration, stp=cfg.stp, per_synapse=args.per_synapse)
        print(f"wrote {path}")
    if args.json:
        print(json.dumps(out))
        return out
    print(f"COBA{'-STP' if cfg.stp else ''}, {cfg.n_neurons} neurons, {cfg.duration:g} ms, dt {cfg.dt} ms, "
          f"jax {jax.__version__} ({jax.default_backend()}), median of {args.repeats}")
    print(f"{'contender':<20}{'compile s':>10}{'sim s':>9}{'×fused':>8}{'rate Hz':>9}  same spikes")
    for name, r in out["contenders"].items():
        print(f"{name:<20}{r['compile_s']:>10.2f}{r['sim_s']:>9.3f}{r.get('x_fused', float('nan')):>8.2f}"
              f"{r['rate_hz']:>9.2f}  {r.get('same_spikes', '-')}")
    return out


if __name__ == "__main__":
    main()
