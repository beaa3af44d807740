"""Pure-JAX step pieces of a described network, shared by the fused scan and the BrainPy classes.

Every function takes and returns arrays only, so the two compilations run the very same operations in the
same order and give the same spikes, step for step. Per step: (1) :func:`channel_base` (exponential
currents/conductances decay exactly, delta channels restart from 0), (2) :func:`arrivals` (the target-side ring
slot of the step is read and cleared, the source-side rings are delivered, all added into (1)), (3) :func:`neuron_step` per
population, (4) :func:`emit` per group (STP and delay rings).
"""
from __future__ import annotations

import math
import os

import jax
import jax.numpy as jnp
import numpy as np

from ..core import markram, stp as tm, tm3
from ..core.cond_neuron import conductance_lif_step, threshold_check
from ..core.delays import ring_read, ring_write
from ..core.lif import LIFState, lif_step
from ..core.stp import decay_factors
from .description import CondLIFModel, CurrentLIF, HomeworkLIF, PoissonSource, SpikeSource
from .noise import normals
from .events import compact_since, deliver, deliver_ring, gather_rows, ring_rows, ring_take, scatter_rows
from .steps import source_release

__all__ = ["stp_rest", "stp_step", "arrivals", "blocks", "channel_base", "channel_inputs", "neuron_init", "neuron_step", "emit", "hetero_state"]


# ---------------------------------------------------------------- the STP family, per source or per synapse
def _params(model, p):
    if model == "markram":
        return markram.MarkramParams(p["U"], p["f"], p["tau_f"], p["tau_d"])
    if model == "tm3":
        return tm3.TM3Params(p["U"], p["tau_f"], p["tau_d"], p["tau_psc"])
    return p


def stp_rest(model, params, shape, dtype):
    """The resting state (NumPy arrays in the model's state type: a constant, built on the host so that making
    a carry compiles nothing): tm u = 0, x = 1; markram u = U, x = 1; tm3 u = 0, x = 1, y = 0."""
    dtype = np.dtype(dtype)
    if model == "tm":
        return tm.STPState(np.zeros(shape, dtype), np.ones(shape, dtype))
    if model == "markram":
        U = np.broadcast_to(np.asarray(params["U"], dtype), shape).copy()
        return markram.MarkramState(U, np.ones(shape, dtype))
    return tm3.TM3State(np.zeros(shape, dtype), np.ones(shape, dtype), np.zeros(shape, dtype))


def stp_step(model, read, state, spike, params, dt):
    """Exact step of length ``dt`` (a step, or the gap since the last spike) then the spike: (state, efficacy)."""
    if model == "tm":
        return tm.stp_step(state, spike, params["U"], tau_f=params["tau_f"], tau_d=params["tau_d"], dt=dt)
    if model == "markram":
        return markram.step(state, spike, _params(model, params), dt, read=read)
    return tm3.step(state, spike, _params(model, params), dt)


# ---------------------------------------------------------------- (1) and (2)
def blocks(plan) -> list:
    """``(offset, size)`` of each block of the flat channel layout (:attr:`~stp_brainpy.network.plan.Plan.blocks`):
    the step's channel state is a tuple with one array per block."""
    return list(plan.blocks) or [(0, plan.n_ch)]


def _members(plan) -> list:
    """The channels of each block, in layout order (an empty channel goes with the first block it borders)."""
    bl = blocks(plan)
    out = [[] for _ in bl]
    for c in plan.channels:
        b = next((k for k, (off, size) in enumerate(bl) if off <= c.offset < off + size), None)
        if b is None:
            b = next(k for k, (off, size) in enumerate(bl) if off <= c.offset <= off + size)
        out[b].append(c)
    return out


def arrivals(plan, rings, tring, i, n_ch, dtype, backend, base=None):
    """Drive of every channel at step ``i`` added into ``base`` (one array per block, default zeros): returns
    (``base`` + drive as a tuple of blocks, target ring with the step's slot cleared). The target ring's slot
    comes first (a plan with a ring has one block), then each source-side group's events one by one into its
    block, in place on the native path (:func:`deliver`'s ``into``)."""
    bl = blocks(plan)
    drive = [None] * len(bl) if base is None else list(base)
    if tring is not None:  # read and cleared in place on the native path (ring_take)
        R = plan.ring_steps
        drive[0], tring = ring_take(tring, jnp.zeros(n_ch, tring.dtype) if drive[0] is None else drive[0],
                                    (i % R) * n_ch, backend)
    for g, ring in zip(plan.groups, rings):
        if g.mode != "source":
            continue
        vals = ring_read(ring, i)
        b = g.block
        drive[b] = deliver(vals, g._targets, bl[b][1], weights=g._weights, backend=backend, capacities=g._caps,
                           into=drive[b])
    return tuple(jnp.zeros(size, dtype) if d is None else d for d, (_, size) in zip(drive, bl)), tring


def channel_base(plan, g_state, dt, dtype):
    """The channels' state (a tuple of blocks, :func:`blocks`) decayed over one step, 0 on delta channels: what
    :func:`arrivals` adds the step's events into, so the new state is ``g + g·expm1(-dt/τ) + drive`` (as
    :func:`~stp_brainpy.core.stp.exp_decay_step`) with no separate drive vector. One elementwise pass per block
    (a per-channel factor), so XLA updates the loop's buffers in place."""
    out = []
    for (_off, size), g, chans in zip(blocks(plan), g_state, _members(plan)):
        chans = [c for c in chans if c.size]
        if not chans:
            out.append(jnp.zeros(size, dtype))
            continue
        em = jnp.concatenate([jnp.full(c.size, -1.0 if c.receptor[0] == "delta"
                                       else decay_factors(dt, c.receptor[1])[1], dtype) for c in chans])
        base = g + g * em
        if any(c.receptor[0] == "delta" for c in chans):
            delta = jnp.concatenate([jnp.full(c.size, c.receptor[0] == "delta") for c in chans])
            base = jnp.where(delta, jnp.zeros((), dtype), base)
        out.append(base)
    return tuple(out)


def channel_inputs(plan, g_state):
    """Per (population, receptor) the channel values the neurons see this step (views of the blocks)."""
    out = {}
    for (off, _), g, chans in zip(blocks(plan), g_state, _members(plan)):
        for c in chans:
            out[(c.pop, c.receptor)] = g[c.offset - off:c.offset - off + c.size]
    return out


def compiler_options():
    """XLA options a network's scan is compiled with (``lowered.compile(compiler_options())``): on CPU, 512-bit
    vectors preferred where the CPU has them (the same operations per element, so the same values: checked
    spike for spike on COBA-STP). XLA's default 256 left the conductance LIF's ``expm1`` (an ``exp`` and a
    rational ``tanh`` with a division) at half width; measured on the project's CPU, COBA-STP step 25.9 -> 20.3
    µs at 4k and 256 -> 228 µs at 40k (fastest of 5, load 1.5). ``STP_BRAINPY_VECTOR_WIDTH=256`` restores the
    default. ``None`` elsewhere."""
    if jax.default_backend() != "cpu":
        return None
    width = os.environ.get("STP_BRAINPY_VECTOR_WIDTH", "512").strip()
    if width not in ("256", "512"):
        raise ValueError(f"STP_BRAINPY_VECTOR_WIDTH must be 256 or 512; got {width!r}")
    return None if width == "256" else {"xla_cpu_prefer_vector_width": 512}


# ---------------------------------------------------------------- (3) neurons
def neuron_init(pop, V0, dtype):
    """Initial state of population ``pop`` as NumPy arrays (the carry is moved to the device in one piece)."""
    n = pop.size
    nrn = pop.neuron
    dtype = np.dtype(dtype)
    if isinstance(nrn, (CurrentLIF, CondLIFModel)):
        return (np.asarray(V0).astype(dtype), np.zeros(n, np.int32))
    if isinstance(nrn, HomeworkLIF):
        return (np.full(n, nrn.params.V_rest, dtype), np.full(n, -1e7, dtype))
    return ()


def _noise(key, n, dtype, z=None):
    # z: this step's normals drawn ahead by the fused scan (a block of steps at once, network.noise); else
    # drawn here from the step's key. Both are network.noise's counter-based stream, so both compilations
    # see the same numbers. The barrier keeps the key's hash out of the draw's fusion (measured faster).
    return normals(jax.lax.optimization_barrier(key), n, dtype) if z is None else z


def neuron_step(pop, state, inputs, mu, sigma, key, i, dt, source_data=None, z=None):
    """One step of population ``pop``: (state, spike). ``inputs`` maps receptor -> channel values; ``key``
    the step's stream key (:func:`~stp_brainpy.network.noise.step_key`); ``z`` its normals if drawn ahead."""
    nrn, n = pop.neuron, pop.size
    if isinstance(nrn, PoissonSource):
        return state, jax.random.uniform(key, (n,)) < nrn.rate * dt / 1000.0
    if isinstance(nrn, SpikeSource):
        steps, ids = source_data
        return state, jnp.zeros(n, bool).at[ids].max(steps == i, mode="drop")
    V, ref = state
    dtype = V.dtype
    if isinstance(nrn, CurrentLIF):
        I = None
        jump = None
        for rec, val in inputs.items():
            if rec[0] == "delta":
                jump = val
            else:
                I = val if I is None else I + val
        v_inf = nrn.E_L + mu if I is None else nrn.E_L + mu + I
        q = math.exp(-dt / nrn.tau_m)
        V = v_inf + (V - v_inf) * q
        if sigma is not None:
            V = V + sigma * math.sqrt((1.0 - q * q) / 2.0) * _noise(key, n, dtype, z)
        if jump is not None:
            V = V + jump
        return _thr(V, ref, nrn, dt)
    if isinstance(nrn, CondLIFModel):
        G = GE = I = None
        for rec, g in inputs.items():
            if rec[0] == "cond":
                G = g if G is None else G + g
                GE = g * rec[2] if GE is None else GE + g * rec[2]
            else:
                I = g if I is None else I + g
        ext = mu
        if sigma is not None:
            ext = ext + sigma * _noise(key, n, dtype, z)
        I = ext if I is None else I + ext
        V, ref, spike = conductance_lif_step(V, ref, 0.0 if G is None else G, 0.0 if GE is None else GE, I,
                                             nrn.params, dt, nrn.method)
        return (V, ref), spike
    # homework LIF: exponential currents plus the external input
    I = mu
    for g in inputs.values():
        I = I + g
    if sigma is not None:
        I = I + sigma * _noise(key, n, dtype, z)
    s = lif_step(LIFState(V, ref, jnp.zeros(n, bool)), I, i * dt, dt, nrn.params)
    return (s.V, s.t_last_spike), s.spike


def _thr(V, ref, nrn, dt):
    V, ref, spike = threshold_check(V, ref, nrn, dt)
    return (V, ref), spike


# ---------------------------------------------------------------- (4) emission
def emit(g, spike, ring, stp_state, last, tring, i, dt, n_ch, backend, dtype):
    """Release of group ``g`` at step ``i``: returns (ring, stp_state, last, tring)."""
    stp = g.stp
    hetero = stp is not None and stp.heterogeneous
    if not hetero:
        if stp is None:
            unit = 1.0 if g._weights is not None or g.mode == "ring" else g.weight
            _, val = source_release(None, spike, unit)
            val = val.astype(dtype)
        else:
            stp_state, eff = stp_step(stp.model, stp.read, stp_state, spike, g._stp_params, dt)
            val = eff if (g._weights is not None or g.mode == "ring") else g.weight * eff
        if g.mode == "source":
            ring = ring_write(ring, i, val)
        else:
            R = g._R
            tring = deliver_ring(val, g._targets, g._weights, tring, (i % R) * n_ch, backend=backend)
        return ring, stp_state, last, tring
    # per-synapse state, touched only for the sources that spiked, decayed from their last spike (as NEST
    # does). The active sources are compacted, then processed in chunks: rows of K sources are gathered
    # (state, parameters and weights, one table each), advanced by the core's step, written back and
    # delivered. Chunks of CHUNKS[0] while that many remain, then of the next size, and so on: a step's cost
    # follows its spike count. (A lax.switch over buffer sizes, as the delivery uses, copied the whole
    # per-synapse state in and out of the branch every step; XLA CPU's nonzero, gather and scatter cost
    # ~10-40 us each per chunk: the native kernels make them row copies.)
    n_pre = spike.shape[0]
    R = g._R
    K_min = CHUNKS[-1]
    idx_all, count, gap_all, last = compact_since(spike, last, i, n_pre + K_min, backend)
    offset = (i % R) * n_ch
    fields = g._state_type._fields
    names = g._pnames

    def chunk(K):
        def body(ops):
            j, S, tr = ops
            idx = jax.lax.dynamic_slice_in_dim(idx_all, j, K)
            valid = idx < n_pre
            rows = gather_rows(S, idx, backend)
            P = gather_rows(g._ptab, idx, backend)
            prm = {name: P[:, k] for k, name in enumerate(names)}
            h = (jax.lax.dynamic_slice_in_dim(gap_all, j, K).astype(dtype) * dt)[:, None]
            state = g._state_type(*(rows[:, k] for k in range(len(fields))))
            new, eff = stp_step(stp.model, stp.read, state, valid[:, None], prm, h)
            S = scatter_rows(S, idx, jnp.stack(new, axis=1), backend)
            tr = ring_rows(idx, g._targets, P[:, -1] * eff, tr, offset, backend)
            return j + K, S, tr
        return body

    ops = (jnp.zeros((), jnp.int32), stp_state, tring)
    for K in (k for k in CHUNKS[:-1] if k <= n_pre):
        ops = jax.lax.while_loop(lambda o, K=K: count - o[0] >= K, chunk(K), ops)
    _, stp_state, tring = jax.lax.while_loop(lambda o: o[0] < count, chunk(K_min), ops)
    return ring, stp_state, last, tring


#: sizes of the heterogeneous update's chunks of active sources, largest first (see :func:`emit`)
CHUNKS = (64, 8, 4)  # measured on COBA (~5 active of 3200 per step): (64, 8) 1.6x the homogeneous time, this 1.4x


def hetero_state(g, dtype):
    """Resting per-synapse state of heterogeneous group ``g``: ``(n_pre, n_state, deg)``, the fields of the
    model's state along axis 1 (one row per source, so a source's state is one contiguous block)."""
    params = {name: np.asarray(g.params[name]).astype(dtype) for name in g._pnames}
    return np.stack(stp_rest(g.stp.model, params, g.targets.shape, dtype), axis=1)


def prepare(plan, dtype, capacities=None):
    """Device arrays of the plan's groups (attached to the groups as private attributes); ``capacities``: the
    XLA path's active-source buffer ladder, cut to each group's sources (the last is always ``n_pre``)."""
    for g in plan.groups:
        g._caps = None if capacities is None else tuple(k for k in capacities if k < g.n_pre) + (max(g.n_pre, 1),)
        # device_put, not jnp.asarray: the latter compiles a small program per array (jax 0.10)
        t = np.asarray(g.targets)
        off = blocks(plan)[g.block][0] if g.mode == "source" else 0
        if off:  # block-local channel indices (padding, >= every block's size, stays as it is)
            t = np.where(t < plan.n_ch, t - off, t).astype(t.dtype, copy=False)
        g._targets = jax.device_put(t)
        g._weights = None if g.weights is None else jax.device_put(np.asarray(g.weights).astype(dtype, copy=False))
        g._R = plan.ring_steps
        if g.stp is not None and not g.stp.heterogeneous:
            g._stp_params = {k: float(v) for k, v in g.stp.params.items()}
        if g.stp is not None and g.stp.heterogeneous:
            # one table (n_pre, n_params + 1, deg): the model's parameters, then the weights
            g._pnames = tuple(g.params)
            g._ptab = jax.device_put(np.stack([np.asarray(g.params[k]) for k in g._pnames] + [np.asarray(g.weights)],
                                              axis=1).astype(dtype, copy=False))
            g._state_type = type(stp_rest(g.stp.model, {k: 0.5 for k in g._pnames}, (1,), dtype))
    return plan
