"""Per-thunk profile of the working-memory fused step: where a step's time goes, thunk by thunk.

    XLA_FLAGS="--xla_cpu_multi_thread_eigen=false" .venv/bin/python benchmarks/profile_wm.py [--scale 1] [--duration 100]

XLA CPU runs a compiled program as a sequence of thunks (fusions, custom calls, copies, while loops); with
``--xla_cpu_enable_xprof_traceme=true`` (added here) each appears as an event in a ``jax.profiler.trace``.
The scan is run under the trace ``--repeats`` times; per thunk name the fastest total over the runs is divided
by the number of steps (µs per step) and printed with its calls per step, largest first. Thunks inside the
step's while loops (the heterogeneous STP chunks) are counted per call, so their calls per step follow the
activity. ``--json`` writes the table.

``--twins`` also compiles the network with the XLA formulations of the ring-slot read (``events.ring_take``)
and the spike list (``events.spike_list``) in place of their native kernels (what the step was before them)
and prints both side by side, the variants traced and timed in turns in one run; the untraced wall time per
step of each (fastest of ``--repeats``) closes the table.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _trace  # noqa: E402

_trace.enable()  # before jax starts its backend

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402


def fastest(runs):
    """Per thunk the fastest of several runs' ``thunk_times``."""
    names = set().union(*(r[0] for r in runs))
    return ({k: min(r[0].get(k, float("inf")) for r in runs) for k in names},
            {k: max(r[1].get(k, 0.0) for r in runs) for k in names}, min(r[2] for r in runs))


def twins_patched():
    """Context: compile_fused / kernels use the XLA twins of ring_take and spike_list while a program is traced."""
    import contextlib

    import stp_brainpy.network.compile_fused as cf
    import stp_brainpy.network.events as ev
    import stp_brainpy.network.kernels as kn

    @contextlib.contextmanager
    def patched():
        saved = kn.ring_take, cf.spike_list
        kn.ring_take = lambda r, b, o, backend="auto": ev.ring_take(r, b, o, "xla")
        cf.spike_list = lambda s, size, backend="auto": ev.spike_list(s, size, "xla")
        try:
            yield
        finally:
            kn.ring_take, cf.spike_list = saved
    return patched()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--duration", type=float, default=100.0, help="ms (default 100: 2000 steps)")
    ap.add_argument("--backend", default="auto", choices=("auto", "native", "xla"))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--json", default=None)
    ap.add_argument("--twins", action="store_true", help="side by side with the XLA twins of the native ring-slot read and spike list")
    args = ap.parse_args(argv)
    from stp_brainpy.network.compile_fused import FusedNetwork
    from stp_brainpy.replays.working_memory import Protocol, WMParams, wm_network

    prm = WMParams() if args.scale == 1.0 else WMParams().scaled(args.scale)
    d = args.duration
    proto = Protocol("readout", (d, d), (d, d), None, d, (min(200.0, d / 2), d))  # spontaneous state, as bench_wm
    net = wm_network(prm, proto)
    fns = {}
    if args.twins:
        with twins_patched():
            fns["XLA twins"] = FusedNetwork(net, backend=args.backend)
            fns["XLA twins"].compile()
    fns["native"] = FusedNetwork(net, backend=args.backend)
    fns["native"].compile()
    for fn in fns.values():
        fn.run()
    runs = {k: [] for k in fns}
    walls = {k: float("inf") for k in fns}
    for _ in range(args.repeats):  # in turns: a change of load hits every variant alike
        for k, fn in fns.items():
            runs[k].append(_trace.thunk_times(fn)[:3])
            walls[k] = min(walls[k], 1e6 * fn.run()["sim_s"] / net.n_steps)
    res = {k: fastest(v) for k, v in runs.items()}
    names = sorted(set().union(*(r[0] for r in res.values())) - {"ThunkExecutor::Execute"},
                   key=lambda k: -max(r[0].get(k, 0.0) for r in res.values()))
    print(f"{'thunk (us per step, traced)':48s}" + "".join(f" {k:>12s}" for k in res) + f" {'calls/step':>10s}")
    for k in names[:args.top]:
        print(f"{k[:48]:48s}" + "".join(f" {r[0].get(k, 0.0):12.2f}" for r in res.values())
              + f" {res['native'][1].get(k, 0.0):10.2f}")
    print(f"{'sum of per-step thunks':48s}" + "".join(f" {sum(v for n, v in r[0].items() if n != 'ThunkExecutor::Execute'):12.2f}" for r in res.values()))
    print(f"{'wall per step, traced':48s}" + "".join(f" {r[2]:12.2f}" for r in res.values()))
    print(f"{'wall per step, untraced':48s}" + "".join(f" {walls[k]:12.2f}" for k in res))
    print(f"load {os.getloadavg()[0]:.2f}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({k: {"thunks_us_per_step": r[0], "calls_per_step": r[1], "traced_wall_us_per_step": r[2],
                           "wall_us_per_step": walls[k]} for k, r in res.items()}
                      | {"load_1min": os.getloadavg()[0]}, fh, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
