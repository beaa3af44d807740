"""Per-thunk profile of the COBA-STP fused step (fixed in-degree 80): where a step's time goes, variants side by side.

    XLA_FLAGS="--xla_cpu_multi_thread_eigen=false" .venv/bin/python benchmarks/profile_step.py --sizes 4000,40000 \
        [--duration 100] [--repeats 3] [--variants network,xla] [--options '{"mine": {"xla_cpu_...": ...}}'] [--write]

XLA CPU runs a compiled program as a sequence of thunks (fusions, custom calls such as the native delivery
``ffi_call``, copies, the scan's while loop); with ``--xla_cpu_enable_xprof_traceme=true`` (added here) each
appears as an event in a ``jax.profiler.trace``. Per size, every variant is compiled once (a variant is a set of
XLA compiler options passed to ``.compile()``; ``network`` the ones :class:`FusedNetwork` uses, ``xla`` none,
``v512`` 512-bit vectors preferred) and the
scans are run under the trace in turns, ``--repeats`` rounds, so the variants see the same machine load. Per
thunk the fastest per-step time over the rounds is printed (µs per step: total duration over the run / steps),
largest first, with the sum of the per-step thunks and the traced wall time per step. On a shared machine the
times of thunks that XLA splits over its thread pool (``outer_dimension_partitions``) swing with the load; the
fastest round is the cleanest reading. ``--write`` stores the table (``benchmarks/results/coba-profile-<machine>.json``).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _trace  # noqa: E402

_trace.enable()  # before jax starts its backend

import argparse  # noqa: E402
import json  # noqa: E402

from _results import add_write_options, load_1min, machine_tag, write_results  # noqa: E402

# "network": the options FusedNetwork compiles with (kernels.compiler_options); "xla": XLA's defaults
VARIANTS = {"network": None, "xla": {}, "v512": {"xla_cpu_prefer_vector_width": 512}}
COLUMNS = ["neurons", "variant", "thunk", "us_per_step", "calls_per_step", "share", "load_1min"]


def build(n: int, duration: float, options: dict, backend: str):
    """A COBA-STP network of ``n`` neurons compiled with ``options`` (warmed up by one run)."""
    import jax
    from stp_brainpy.network import COBAConfig, FusedCOBA

    sim = FusedCOBA(COBAConfig(n_neurons=n, in_degree=80, stp=True, duration=duration), backend=backend)
    s = sim.sim
    s._run = jax.jit(s._simulate).lower(s.init_carry(), jax.random.PRNGKey(s.net.seed), s.tables()).compile(
        options or None)
    s.compile_s = sim.compile_s = 0.0
    sim.run()
    return sim


def profile(n: int, variants: dict, duration: float, repeats: int, backend: str = "auto") -> dict:
    """``{variant: (best µs per thunk, calls per step, best wall µs per step, spikes)}``, rounds interleaved."""
    from stp_brainpy.network.kernels import compiler_options

    sims = {name: build(n, duration, compiler_options() if opts is None else opts, backend)
            for name, opts in variants.items()}
    best = {name: ({}, {}, float("inf"), None) for name in variants}
    for _ in range(repeats):
        for name, sim in sims.items():
            t, c, wall, res = _trace.thunk_times(sim)
            spikes = int(res["counts"].sum())
            bt, bc, bw, _ = best[name]
            for k, v in t.items():
                bt[k] = min(bt.get(k, float("inf")), v)
                bc[k] = c[k]
            best[name] = (bt, bc, min(bw, wall), spikes)
    return best


def table(n: int, best: dict, top: int) -> tuple[list[str], list[dict]]:
    """Printed lines and result rows: the ``top`` thunks of the first variant, then every other variant's
    thunks not among them, then the sums."""
    names = list(best)
    first = best[names[0]][0]
    order = sorted(first, key=lambda k: -first[k])[:top]
    for v in names[1:]:
        order += [k for k in sorted(best[v][0], key=lambda k: -best[v][0][k])[:top] if k not in order]
    load = load_1min()
    lines = [f"{n} neurons: " + ", ".join(f"{v} {best[v][3]} spikes" for v in names),
             f"{'thunk':44s} " + " ".join(f"{v[:12]:>12s}" for v in names) + f" {'calls':>6s}"]
    rows = []
    for k in order:
        vals = [best[v][0].get(k) for v in names]
        calls = next(best[v][1][k] for v in names if k in best[v][1])
        lines.append(f"{k[:44]:44s} " + " ".join(f"{x:12.2f}" if x is not None else f"{'-':>12s}" for x in vals)
                     + f" {calls:6.2f}")
        for v, x in zip(names, vals):
            if x is not None:
                total = sum(best[v][0].values())
                rows.append(dict(neurons=n, variant=v, thunk=k, us_per_step=round(x, 2),
                                 calls_per_step=round(best[v][1][k], 2), share=round(x / total, 4), load_1min=load))
    sums = [sum(best[v][0].values()) for v in names]
    walls = [best[v][2] for v in names]
    lines.append(f"{'sum of per-step thunks':44s} " + " ".join(f"{x:12.2f}" for x in sums))
    lines.append(f"{'wall per step (traced)':44s} " + " ".join(f"{x:12.2f}" for x in walls))
    for v, s, w in zip(names, sums, walls):
        rows.append(dict(neurons=n, variant=v, thunk="sum of per-step thunks", us_per_step=round(s, 2),
                         calls_per_step=None, share=1.0, load_1min=load))
        rows.append(dict(neurons=n, variant=v, thunk="wall per step (traced)", us_per_step=round(w, 2),
                         calls_per_step=None, share=None, load_1min=load))
    return lines, rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="40000", help="comma-separated neuron counts (default 40000)")
    ap.add_argument("--duration", type=float, default=100.0, help="ms per run (default 100: 1000 steps)")
    ap.add_argument("--repeats", type=int, default=3, help="traced rounds, variants in turns (default 3)")
    ap.add_argument("--variants", default="network", help=f"comma-separated names of {sorted(VARIANTS)} or --options")
    ap.add_argument("--options", default=None, help='JSON {"name": {compiler option: value}} of more variants')
    ap.add_argument("--backend", default="auto", choices=("auto", "native", "xla"))
    ap.add_argument("--top", type=int, default=16, help="thunks listed per variant (default 16)")
    ap.add_argument("--write", action="store_true", help="store the table in benchmarks/results/")
    add_write_options(ap)
    args = ap.parse_args(argv)
    known = dict(VARIANTS)
    if args.options:
        try:
            extra = json.loads(args.options)
        except json.JSONDecodeError as err:
            print(f"error: --options is not JSON ({err})", file=sys.stderr)
            return 2
        if not isinstance(extra, dict) or not all(isinstance(v, dict) for v in extra.values()):
            print('error: --options must map names to option dicts, e.g. {"a": {"xla_cpu_...": 1}}', file=sys.stderr)
            return 2
        known.update(extra)
    names = [v.strip() for v in args.variants.split(",") if v.strip()]
    bad = [v for v in names if v not in known]
    if bad or not names:
        print(f"error: unknown variant(s) {bad}; known: {sorted(known)}", file=sys.stderr)
        return 2
    try:
        sizes = [int(s) for s in args.sizes.split(",")]
    except ValueError:
        print(f"error: --sizes must be comma-separated integers; got {args.sizes!r}", file=sys.stderr)
        return 2
    if any(s < 200 for s in sizes) or args.repeats < 1 or args.duration <= 0:
        print("error: sizes must be >= 200, --repeats >= 1, --duration > 0", file=sys.stderr)
        return 2
    all_rows = []
    for n in sizes:
        lines, rows = table(n, profile(n, {v: known[v] for v in names}, args.duration, args.repeats, args.backend),
                            args.top)
        print("\n".join(lines) + "\n", flush=True)
        all_rows += rows
    if args.write and not args.no_write:
        import jax  # noqa: F401  (imported: the machine tag names the device)

        path = write_results(
            f"coba-profile-{machine_tag()}", all_rows, columns=COLUMNS, benchmark="coba",
            title="COBA-STP fused step, per XLA thunk (µs per step, fastest of the traced rounds)",
            notes=(f"{args.duration:g} ms per run, {args.repeats} traced rounds with the variants in turns; "
                   "jax.profiler trace of XLA CPU thunks (--xla_cpu_enable_xprof_traceme). ffi_call thunks are the "
                   "native kernels: the delivery of each source group, then the spike statistics."),
            out_dir=args.results_dir)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
