"""The pieces of a step breakdown shared by bench_scaling.py --breakdown and wm_breakdown.py.

A compiled network with parts taken out: the neurons replaced by a replay of recorded spikes (so delivery and
STP run at the real activity), the target-side ring's read dropped, the emit (STP update and scatter) dropped.
The replacements are patched into ``stp_brainpy.network.compile_fused`` by the caller while it traces each
variant. jax is imported here, so import this module inside the breakdown function (after ``_results``).
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

import stp_brainpy.network.compile_fused as cf


def replay_kit(offsets: dict):
    """``(Replay, neuron_step, no_arrivals, no_emit)`` for a network whose populations start at ``offsets``.

    ``Replay(net, ..., replay=raster)`` takes the (steps, neurons) bool raster to replay as an argument of
    the compiled scan (a big constant in the loop body cost more than the neurons); ``neuron_step`` reads the
    row of step ``i`` (cyclically) from it.
    """
    held = {}

    class Replay(cf.FusedNetwork):
        def __init__(self, *a, replay=None, **kw):
            self.replay = replay
            super().__init__(*a, **kw)

        def tables(self):
            return super().tables() + [self.replay]

        def _simulate(self, carry, key, tables, steps=None):
            held["raster"] = tables[-1]
            return super()._simulate(carry, key, tables[:-1], steps)

    def neuron_step(pop, state, inputs, mu, sigma, key, i, dt, src=None, z=None):
        rows = held["raster"]
        row = jax.lax.dynamic_index_in_dim(rows, i % rows.shape[0], keepdims=False)
        return state, jax.lax.dynamic_slice_in_dim(row, offsets[pop.name], pop.size)

    def no_arrivals(plan, rings, tring, i, n_ch, dtype, be, base=None):  # the channels still decay
        return (jnp.zeros(n_ch, dtype) if base is None else base), tring

    def no_emit(g, spike, ring, st, last, tring, *a):
        return ring, st, last, tring

    return Replay, neuron_step, no_arrivals, no_emit
