"""Per-thunk time of a compiled scan, from the JAX profiler trace (shared by ``profile_step.py`` and
``profile_wm.py``).

XLA CPU runs a compiled program as thunks (fusions, custom calls, copies), each an event of a
``jax.profiler.trace`` once ``XLA_FLAGS`` holds ``--xla_cpu_enable_xprof_traceme=true``: :func:`enable` adds it,
and must run before jax starts its backend.
"""
from __future__ import annotations

import collections
import glob
import gzip
import json
import os
import shutil
import tempfile

TRACEME_FLAG = "--xla_cpu_enable_xprof_traceme=true"


def enable() -> None:
    """Add the trace flag to ``XLA_FLAGS`` (before jax is used)."""
    flags = os.environ.get("XLA_FLAGS", "")
    if TRACEME_FLAG not in flags:
        os.environ["XLA_FLAGS"] = f"{flags} {TRACEME_FLAG}".strip()


def thunk_times(sim) -> tuple[dict, dict, float, dict]:
    """One run of ``sim`` (anything with a ``run()`` returning ``n_steps`` and ``sim_s``) under the profiler:
    ``({thunk: µs per step}, {thunk: calls per step}, wall µs per step, the run's result)``. Only per-step
    thunks count: not compilation or transfers, nor the executor's own span around the loop body's thunks."""
    import jax

    d = tempfile.mkdtemp(prefix="thunkprof")
    try:
        with jax.profiler.trace(d):
            r = sim.run()
        f = glob.glob(f"{d}/plugins/profile/*/*.trace.json.gz")[0]
        ev = [e for e in json.load(gzip.open(f))["traceEvents"] if e.get("ph") == "X"]
    finally:
        shutil.rmtree(d, ignore_errors=True)
    n = r["n_steps"]
    tot, cnt = collections.Counter(), collections.Counter()
    for e in ev:
        tot[e["name"]] += e["dur"]
        cnt[e["name"]] += 1
    keep = [k for k in tot if cnt[k] >= n // 2 and not k.startswith("ThunkExecutor")]
    return {k: tot[k] / n for k in keep}, {k: cnt[k] / n for k in keep}, 1e6 * r["sim_s"] / n, r
