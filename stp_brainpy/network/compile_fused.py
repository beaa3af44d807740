"""A described network as one jitted ``lax.scan`` (no per-step host traffic).

>>> from stp_brainpy.network.description import Network, Population, CurrentLIF, Projection, Bernoulli, WhiteNoise
>>> net = Network([Population("E", 50, CurrentLIF(V0=(0., 20.)))],
...               [Projection("E", "E", Bernoulli(0.1), weight=0.2, delay=(0.5))],
...               [WhiteNoise("E", 22.0, 1.0)], duration=50.0)
>>> res = FusedNetwork(net).run()
>>> res["pop_count"].shape
(500, 1)

Per step: arrivals of every group (merged per source population and synapse kind) and of the target-side
delay ring; exponential channels; every population; emissions (STP, rings); online spike statistics
(counts, ISI sums), population counts, optional spike lists, decimated u/x means and V samples written
into preallocated buffers of the carry.
"""
from __future__ import annotations

import gc
import time
from typing import Optional

import jax
import jax.numpy as jnp
import numpy as np

from ..core.validation import check_choice
from .description import Network, SpikeSource
from .events import BACKENDS, range_counts, spike_list, spike_stats
from .kernels import arrivals, blocks, channel_base, compiler_options, channel_inputs, emit, hetero_state, neuron_init, neuron_step, prepare, stp_rest
from .plan import make_plan
from .noise import scan_steps, step_key
from .stats import stats_from_sums
from .._cache import enable_compilation_cache

__all__ = ["FusedNetwork", "initial_V", "noise_tables"]


def initial_V(net: Network) -> dict:
    """V0 per neuron population, each from its own stream of ``net.seed``."""
    out = {}
    streams = np.random.SeedSequence([net.seed, 1]).spawn(len(net.populations))
    for p, s in zip(net.populations, streams):
        V0 = getattr(p.neuron, "V0", None)
        if V0 is None:
            continue
        if isinstance(V0, (tuple, list)):
            out[p.name] = np.random.default_rng(s).uniform(V0[0], V0[1], p.size)
        elif np.ndim(V0) == 1:
            if np.size(V0) != p.size:
                raise ValueError(f"V0 of {p.name!r} must hold {p.size} values; got {np.size(V0)}")
            out[p.name] = np.asarray(V0, float)
        else:
            out[p.name] = np.full(p.size, float(V0))
    return out


def noise_tables(net: Network) -> dict:
    """Per population: (mean per neuron, sigma or None, stimuli as (step0, step1, factor, mask))."""
    out = {}
    for x in net.inputs:
        if x.pop in out:
            raise ValueError(f"one WhiteNoise per population; {x.pop!r} has two")
        out[x.pop] = [float(x.mean), float(x.sigma) if x.sigma > 0 else None, []]
    for s in net.stimuli:
        n = net.by_name[s.pop].size
        mask = np.zeros(n, bool)
        mask[slice(s.start, s.stop)] = True
        out.setdefault(s.pop, [0.0, None, []])[2].append(
            (int(round(s.t0 / net.dt)), int(round(s.t1 / net.dt)), float(s.factor), mask))
    return out


def prng_key(seed: int):
    """``jax.random.PRNGKey(seed)``, made on the host for the default Threefry keys (``[0, seed]`` for
    0 <= seed < 2**31, as JAX computes it) so that no program is compiled for it; else JAX's own."""
    if jax.config.jax_default_prng_impl == "threefry2x32" and isinstance(seed, (int, np.integer)) \
            and 0 <= int(seed) < 2**31:
        return jax.device_put(np.array([0, int(seed)], np.uint32))
    return jax.random.PRNGKey(seed)


def mean_at(entry, i, n, dtype):
    mean, _, stims = entry
    mu = jnp.full(n, mean, dtype)
    for a, b, f, mask in stims:
        on = (i >= a) & (i < b)
        mu = jnp.where(on & jnp.asarray(mask), mu * f, mu)
    return mu


def _ux_mean(st, g, sources=slice(None)):
    """Mean u and x of STP group ``g``'s state ``st`` over ``sources``: per source (homogeneous) or over the
    existing synapses of those sources (heterogeneous, ``g.mask``)."""
    if g.stp.heterogeneous:
        m = jnp.asarray(g.mask[sources])
        cnt = jnp.maximum(jnp.sum(m), 1)
        return jnp.stack([jnp.sum(jnp.where(m, st[sources, 0], 0)) / cnt,
                          jnp.sum(jnp.where(m, st[sources, 1], 0)) / cnt])
    return jnp.stack([jnp.mean(st[0][sources]), jnp.mean(st[1][sources])])


class FusedNetwork:
    """Build once (connectivity, tables), ``run()`` many times; see the module docstring.

    Parameters: ``net`` (:class:`~stp_brainpy.network.description.Network`), ``backend`` ('auto' | 'native' |
    'xla'), ``dtype`` (float32/float64; default the JAX default), ``raster`` (global neuron indices whose
    spikes are returned every step as booleans), ``cache`` (turn on JAX's persistent compilation cache,
    :func:`stp_brainpy.enable_compilation_cache`: process-wide, off by default as in JAX).

    Building, compiling and running compile one XLA program, the scan (none on a persistent-cache hit): the
    tables and the initial state are made with NumPy and moved to the device with ``jax.device_put``.
    """

    def __init__(self, net: Network, backend: str = "auto", dtype=None, raster=None, plan=None, capacities=None,
                 cache: bool = False):
        if not isinstance(net, Network):
            raise TypeError(f"net must be a Network; got {type(net).__name__}")
        check_choice("backend", backend, BACKENDS)
        if not isinstance(cache, bool):
            raise TypeError(f"cache must be True or False; got {cache!r}")
        if cache:
            enable_compilation_cache()
        self.net, self.backend = net, backend
        self.dtype = jnp.dtype(dtype or jnp.result_type(float))
        t0 = time.perf_counter()
        self.plan = prepare(plan or make_plan(net, np.dtype(self.dtype.name)), self.dtype, capacities)
        self.offsets = net.offsets
        self.V0 = initial_V(net)
        self.noise = noise_tables(net)
        # tables go to the device by jax.device_put (jnp.asarray would compile a small program per array)
        self.raster = None if raster is None else jax.device_put(np.asarray(raster, np.int32))
        rec = net.record
        ranges = [(s, 0, net.by_name[s].size) if isinstance(s, str) else tuple(s) for s in rec.spikes]
        idx = [np.arange(self.offsets[p] + a, self.offsets[p] + b) for p, a, b in ranges]
        self.spike_idx = jax.device_put(np.concatenate(idx).astype(np.int32)) if idx else None
        n_rec = int(self.spike_idx.shape[0]) if idx else 0
        self.spike_cap = int(rec.max_spikes or max(16, min(n_rec, 64 + n_rec // 16)))
        vi = [np.arange(self.offsets[p], self.offsets[p] + min(k, net.by_name[p].size)) for p, k in rec.V.items()]
        self.V_idx = np.concatenate(vi).astype(np.int64) if vi else np.zeros(0, np.int64)
        self.stp_groups = [k for k, g in enumerate(self.plan.groups) if g.stp is not None] if rec.stp else []
        self.n_samples = net.n_steps // rec.every
        self.blocks = list(rec.blocks)
        self.block_group = []
        for _label, pop, _a, _b in self.blocks:
            ks = [k for k, g in enumerate(self.plan.groups) if g.pre == pop and g.stp is not None]
            self.block_group.append(ks[0] if ks else None)
        self.source_data = {}
        for p in net.populations:
            if isinstance(p.neuron, SpikeSource):
                steps = np.rint(np.asarray(p.neuron.times, float) / net.dt).astype(np.int32)
                self.source_data[p.name] = jax.device_put((steps, np.asarray(p.neuron.ids, np.int32)))
        self.build_s = time.perf_counter() - t0
        self._run = jax.jit(self._simulate)
        self.compile_s = None

    # ------------------------------------------------------------ state
    def init_carry(self, device: bool = True):
        """The scan's initial state: built with NumPy and moved to the device in one ``jax.device_put``
        (``device=False``: the NumPy arrays). Eager ``jnp.zeros`` & co. compiled one small XLA program each
        (~20 per process, ~0.5 s); this compiles nothing."""
        net, dt = self.net, np.dtype(self.dtype)
        pops = [neuron_init(p, self.V0.get(p.name, np.zeros(p.size)), dt) for p in net.populations]
        # the channels, one array per block of the flat layout (kernels.blocks): events are added in place
        g_state = tuple(np.zeros(size, dt) for _, size in blocks(self.plan))
        rings, stps, lasts = [], [], []
        for g in self.plan.groups:
            rings.append(np.zeros((g.delay, g.n_pre), dt) if g.mode == "source" else None)
            if g.stp is None:
                stps.append(None)
                lasts.append(None)
            elif g.stp.heterogeneous:
                stps.append(hetero_state(g, dt))
                lasts.append(np.zeros(g.n_pre, np.int32))
            else:
                stps.append(stp_rest(g.stp.model, g._stp_params, (g.n_pre,), dt))
                lasts.append(None)
        R = self.plan.ring_steps
        tring = np.zeros(R * self.plan.n_ch, dt) if R else None
        n = net.n_neurons
        stats = (np.zeros(n, np.int32), np.full(n, -1, np.int32), np.zeros(n, np.int32), np.zeros(n, dt),
                 np.zeros(n, dt))
        n_b = sum(k is not None for k in self.block_group) if self.net.record.stp else 0
        bufs = (np.zeros((max(self.n_samples, 1), len(self.stp_groups) + n_b, 2), dt),
                np.zeros((max(self.n_samples, 1), self.V_idx.size), dt))
        carry = (pops, g_state, rings, stps, lasts, tring, stats, bufs)
        return jax.device_put(carry) if device else carry

    # ------------------------------------------------------------ one step
    def step(self, carry, i, key, z=None):
        net, plan, dt = self.net, self.plan, self.net.dt
        pops, g_state, rings, stps, lasts, tring, stats, bufs = carry
        base = channel_base(plan, g_state, dt, self.dtype)
        g_state, tring = arrivals(plan, rings, tring, i, plan.n_ch, self.dtype, self.backend, base=base)
        chan_in = channel_inputs(plan, g_state)
        spikes, new_pops = {}, []
        for j, (p, st) in enumerate(zip(net.populations, pops)):
            inputs = {c.receptor: chan_in[(c.pop, c.receptor)] for c in plan.channels if c.pop == p.name}
            entry = self.noise.get(p.name)
            mu = mean_at(entry, i, p.size, self.dtype) if entry else 0.0
            sigma = entry[1] if entry else None
            st, spk = neuron_step(p, st, inputs, mu, sigma, step_key(key, i, j), i, dt,
                                  self.source_data.get(p.name), **({} if z is None else {"z": z.get(j)}))
            spikes[p.name] = spk
            new_pops.append(st)
        new_rings, new_stps, new_lasts = [], [], []
        for g, ring, st, last in zip(plan.groups, rings, stps, lasts):
            ring, st, last, tring = emit(g, spikes[g.pre], ring, st, last, tring, i, dt, plan.n_ch, self.backend,
                                         self.dtype)
            new_rings.append(ring)
            new_stps.append(st)
            new_lasts.append(last)
        spike = jnp.concatenate([spikes[p.name] for p in net.populations]) if net.populations else jnp.zeros(0, bool)
        bounds = np.cumsum([0] + [p.size for p in net.populations])
        stats, counts = spike_stats(spike, stats, i, bounds, self.backend)
        if self.n_samples and (self.stp_groups or self.V_idx.size):
            every = net.record.every
            write = (i + 1) % every == 0
            # the means are computed on the sampled steps only (a cond: ~25 reductions and slices a step else)
            bufs = jax.lax.cond(write, lambda b: self._sample(b, i, new_stps, new_pops), lambda b: b, bufs)
        out = {"pop_count": counts}
        if self.blocks:
            out["block_count"] = range_counts(spike, [(self.offsets[pop] + a, self.offsets[pop] + b)
                                                      for _, pop, a, b in self.blocks], self.backend)
        if self.raster is not None:
            out["raster"] = spike[self.raster]
        if self.spike_idx is not None:
            sub = spike[self.spike_idx]
            out["spike_ids"], n_sub = spike_list(sub, self.spike_cap, self.backend)
            out["spike_overflow"] = jnp.maximum(n_sub - self.spike_cap, 0)
        return (new_pops, g_state, new_rings, new_stps, new_lasts, tring, stats, bufs), out

    def _sample(self, bufs, i, new_stps, new_pops):
        """``bufs`` with the sample of step ``i`` written: u/x means per STP group and block, V samples."""
        net, plan = self.net, self.plan
        block_vals = []
        for (_label, _pop, a, b), k in zip(self.blocks, self.block_group):
            if k is None:
                continue
            block_vals.append(_ux_mean(new_stps[k], plan.groups[k], slice(a, b)))
        every = net.record.every
        s = jnp.minimum(i // every, self.n_samples - 1)
        ux_buf, v_buf = bufs
        if self.stp_groups:
            vals = []
            for k in self.stp_groups:
                vals.append(_ux_mean(new_stps[k], plan.groups[k]))
            row = jnp.stack(vals + block_vals).astype(self.dtype)
            ux_buf = ux_buf.at[s].set(row)
        if self.V_idx.size:
            V_all = jnp.concatenate([st[0] if st else jnp.zeros(p.size, self.dtype)
                                     for p, st in zip(net.populations, new_pops)])
            row = V_all[jnp.asarray(self.V_idx)]
            v_buf = v_buf.at[s].set(row)
        return (ux_buf, v_buf)

    def tables(self) -> list:
        """The synapse tables, passed to the program as arguments: embedding millions of synapses as
        constants made compilation many times slower, and arguments let networks that differ only in
        their weights (or heterogeneous parameters) share one compiled program (:meth:`share_program`)."""
        return [(g._targets, g._weights, getattr(g, "_ptab", None)) for g in self.plan.groups]

    def _simulate(self, carry, key, tables, steps=None):
        saved = [(g._targets, g._weights, getattr(g, "_ptab", None)) for g in self.plan.groups]
        try:
            for g, (t, w, p) in zip(self.plan.groups, tables):
                g._targets, g._weights = t, w
                if p is not None:
                    g._ptab = p
            if steps is None:  # a chunk passes its global step indices (network.chunked)
                steps = jnp.arange(self.net.n_steps, dtype=jnp.int32)
            noisy = [(j, p.size) for j, p in enumerate(self.net.populations)
                     if self.noise.get(p.name) and self.noise[p.name][1] is not None]
            return scan_steps(self.step, carry, key, steps, noisy, self.dtype)  # noise drawn per block
        finally:
            for g, (t, w, p) in zip(self.plan.groups, saved):
                g._targets, g._weights = t, w
                if p is not None:
                    g._ptab = p

    def compile(self) -> float:
        """Trace, lower and compile the scan (or load it from the persistent cache); returns the seconds."""
        t0 = time.perf_counter()
        key = prng_key(self.net.seed)
        # no garbage collection while tracing: its many short-lived objects set off full collections over all of
        # JAX's objects (0.31 -> 0.20 s of CPU for COBA-STP, cache hit); whatever garbage it left is collected after
        was = gc.isenabled()
        gc.disable()
        try:
            self._run = jax.jit(self._simulate).lower(self.init_carry(), key, self.tables()).compile(compiler_options())
        finally:
            if was:
                gc.enable()
        self.compile_s = time.perf_counter() - t0
        return self.compile_s

    def share_program(self, other: "FusedNetwork") -> None:
        """Run with ``other``'s compiled program: same structure, only table values differ (e.g. weights)."""
        if other.compile_s is None:
            other.compile()
        self._run, self.compile_s = other._run, 0.0

    def run(self, seed: Optional[int] = None, chunk: Optional[int] = None, progress=None) -> dict:
        """Simulate ``net.duration``; statistics, population counts, recordings (NumPy).

        ``chunk``: scan in pieces of about that many steps, calling ``progress(done_steps, n_steps)`` after
        each; the same spikes as one scan (:mod:`stp_brainpy.network.chunked`)."""
        if self.compile_s is None and chunk is None:
            self.compile()
        carry = self.init_carry()
        key = prng_key(self.net.seed if seed is None else seed)
        jax.block_until_ready(carry)
        if chunk is not None:
            from .chunked import ChunkedScan

            scan = ChunkedScan(self, carry, key, chunk)
        t0 = time.perf_counter()
        if chunk is None:
            final, outs = self._run(carry, key, self.tables())
        else:
            final, outs = scan.run(carry, key, progress)
        jax.block_until_ready((final, outs))
        sim_s = time.perf_counter() - t0
        net = self.net
        count, _, n_isi, s1, s2 = (np.asarray(a) for a in final[6])
        res = stats_from_sums(count, n_isi, s1 * net.dt, s2 * net.dt ** 2, net.duration) if count.size else {}
        res.update(sim_s=sim_s, compile_s=self.compile_s, build_s=self.build_s, counts=count,
                   n_synapses=int(sum(s["n"] for s in self.plan.synapses)), n_steps=net.n_steps)
        res.update({k: np.asarray(v) for k, v in outs.items()})
        ux, V = (np.asarray(b) for b in final[7])
        if self.stp_groups:
            ng = len(self.stp_groups)
            res["stp_mean"] = ux[:self.n_samples, :ng]
            res["stp_groups"] = [(self.plan.groups[k].pre, self.plan.groups[k].projections) for k in self.stp_groups]
            labels = [b[0] for b, k in zip(self.blocks, self.block_group) if k is not None]
            res["block_stp_mean"] = ux[:self.n_samples, ng:]
            res["block_stp_labels"] = labels
        if self.V_idx.size:
            res["V"] = V[:self.n_samples]
            res["V_neurons"] = self.V_idx
        if self.spike_idx is not None:
            ids = res.pop("spike_ids")
            t, col = np.nonzero(ids >= 0)
            res["spike_steps"] = t
            res["spike_neurons"] = np.asarray(self.spike_idx)[ids[t, col]]
        return res
