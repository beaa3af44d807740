"""A fused network's scan run in pieces, so that a long run can show its progress: the same spikes as one scan.

Every step reads its global index ``i`` (the noise key is ``noise.step_key(key, i, j)``; stimuli, delay rings and
sample slots are indexed by it) and everything else lives in the carry, so scanning steps ``[a, b)`` and then
``[b, c)`` from the carried state computes exactly what one scan over ``[a, c)`` computes. The piece length is
a divisor of the step count where one lies near the requested length, so that one program is compiled;
otherwise the shorter last piece compiles a second one. Outputs of each piece are copied to the host as it
finishes (the device holds one piece of per-step outputs at a time).

>>> from stp_brainpy.network.description import Network, Population, CurrentLIF, WhiteNoise
>>> from stp_brainpy.network.compile_fused import FusedNetwork
>>> net = Network([Population("E", 20, CurrentLIF(V0=(0., 20.)))], [], [WhiteNoise("E", 22.0, 1.0)], duration=20.0)
>>> done = []
>>> res = FusedNetwork(net).run(chunk=50, progress=lambda k, n: done.append(k))
>>> done
[50, 100, 150, 200]
"""
from __future__ import annotations

import time
from typing import Callable, Optional

import jax
import numpy as np

from ..core.validation import check_integer
from .kernels import compiler_options

__all__ = ["chunk_length", "chunk_bounds", "ChunkedScan", "DEFAULT_CHUNKS"]

#: pieces a command-line run is cut into (the progress bar's resolution)
DEFAULT_CHUNKS = 50


def chunk_length(n_steps: int, target: int) -> int:
    """A piece length near ``target``: the divisor of ``n_steps`` closest to it within [target/2, 2·target]
    (one compiled program), else ``target`` itself; never more than ``n_steps``."""
    n_steps = check_integer("n_steps", n_steps, low=1)
    target = min(check_integer("chunk", target, low=1), n_steps)
    best = None
    for d in range(max(1, target // 2), min(n_steps, 2 * target) + 1):
        if n_steps % d == 0 and (best is None or abs(d - target) < abs(best - target)):
            best = d
    return best or target


def chunk_bounds(n_steps: int, target: int) -> list[tuple[int, int]]:
    """``(start, stop)`` of each piece, covering ``[0, n_steps)`` in order."""
    L = chunk_length(n_steps, target)
    return [(a, min(a + L, n_steps)) for a in range(0, n_steps, L)]


class ChunkedScan:
    """The compiled pieces of ``sim`` (a :class:`~stp_brainpy.network.compile_fused.FusedNetwork`): compiled
    when made (the time is ``sim.compile_s`` unless the whole scan was compiled before), run by :meth:`run`."""

    def __init__(self, sim, carry, key, chunk: int):
        self.sim = sim
        self.bounds = chunk_bounds(sim.net.n_steps, chunk)
        t0 = time.perf_counter()
        cache = sim.__dict__.setdefault("_chunk_programs", {})
        fn = jax.jit(sim._simulate)
        tables = sim.tables()
        for a, b in self.bounds:
            if b - a not in cache:
                # NumPy step indices: an eager jnp.arange compiles small programs of its own
                cache[b - a] = fn.lower(carry, key, tables, np.arange(a, b, dtype=np.int32)).compile(compiler_options())
        self.programs = cache
        if sim.compile_s is None:
            sim.compile_s = time.perf_counter() - t0

    def run(self, carry, key, progress: Optional[Callable[[int, int], None]] = None):
        """``(final carry, per-step outputs)`` as one scan returns them; outputs as NumPy arrays."""
        tables = self.sim.tables()
        n = self.sim.net.n_steps
        pieces = []
        for a, b in self.bounds:
            carry, outs = self.programs[b - a](carry, key, tables, np.arange(a, b, dtype=np.int32))
            pieces.append(jax.device_get(outs))  # waits for this piece; the device keeps only the carry
            if progress is not None:
                progress(b, n)
        outs = {k: np.concatenate([p[k] for p in pieces]) for k in pieces[0]} if pieces else {}
        return carry, outs
