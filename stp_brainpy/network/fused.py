"""The fused COBA(-STP) simulator: the whole network as one ``lax.scan`` (the fast path).

All four projections (E→E, E→I, I→E, I→I) are merged into one event delivery per step: the
I sources' targets are shifted into the g_I half of a ``(2n,)`` vector. The equations are those of
the class network (:class:`~stp_brainpy.network.models.COBANetwork`) and of the core: the
neuron is :func:`stp_brainpy.core.cond_neuron.conductance_lif_step`; ``stp_step`` /
``exp_decay_step`` come from :mod:`stp_brainpy.core.stp`; the delay ring from
:mod:`stp_brainpy.core.delays`; the release and delivery from :func:`~.steps.source_release` and
:func:`~.events.deliver`. The test suite checks both give the same spikes, step for step. This
module imports JAX only (not brainpy), so the fused path starts fast.

>>> from stp_brainpy.network import COBAConfig, simulate
>>> res = simulate(COBAConfig(n_neurons=200, in_degree=40, duration=20.0))
>>> sorted(k for k in res if k in ("rate_hz", "cv_isi", "sim_s"))
['cv_isi', 'rate_hz', 'sim_s']
"""
from __future__ import annotations

import time
from typing import NamedTuple, Optional

import jax
import jax.numpy as jnp
import numpy as np

from ..core.cond_neuron import conductance_lif_step
from ..core.delays import delay_steps, ring_read, ring_write
from ..core.stp import STPState, exp_decay_step, rest_state
from ..core.validation import check_choice, check_integer
from .config import COBAConfig, build_connectivity, initial_potentials
from .connectivity import Connectivity
from .events import BACKENDS, deliver
from .stats import stats_from_sums
from .steps import source_release

__all__ = ["FusedCOBA", "simulate"]


class _Carry(NamedTuple):
    V: jax.Array
    ref: jax.Array
    g: jax.Array        # (2, n): g_E, g_I
    stp: STPState       # per E source
    ring: jax.Array     # (D, n) released amounts waiting for their delay
    count: jax.Array
    last: jax.Array     # step of the last spike (-1: none)
    n_isi: jax.Array
    s1: jax.Array
    s2: jax.Array


class FusedCOBA:
    """The whole network as one jitted ``lax.scan``; build once, ``run()`` many times.

    Parameters
    ----------
    cfg : COBAConfig
    conn : Connectivity, optional (built from ``cfg`` when omitted)
    backend : event delivery, 'auto' | 'native' | 'xla'
    record : number of neurons whose spikes are returned per step (raster): the first E and the first
        I neurons in proportion, all neurons in order when ``record == n_neurons``
    dtype : float dtype (default: brainpy/jax default float, float32 unless x64 is on)
    capacities : active-source buffer sizes tried in turn by the XLA delivery path (GPU), the last
        must be ``n_neurons``; default :func:`~stp_brainpy.network.events.capacity_ladder`
    """

    def __init__(self, cfg: COBAConfig, conn: Optional[Connectivity] = None, backend: str = "auto",
                 record: int = 0, dtype=None, capacities=None):
        if not isinstance(cfg, COBAConfig):
            raise TypeError(f"cfg must be a COBAConfig; got {type(cfg).__name__}")
        check_choice("backend", backend, BACKENDS)
        n, ne = cfg.n_neurons, cfg.n_exc
        record = check_integer("record", record, low=0)
        if conn is not None and not isinstance(conn, Connectivity):
            raise TypeError(f"conn must be a Connectivity; got {type(conn).__name__}")
        if conn is not None and (conn.n_pre != n or conn.n_post != n):
            raise ValueError(f"conn must be {n}x{n}; got {conn.n_pre}x{conn.n_post}")
        if dtype is not None and jnp.dtype(dtype) not in (jnp.dtype("float32"), jnp.dtype("float64")):
            raise ValueError(f"dtype must be float32 or float64; got {jnp.dtype(dtype)}")
        if capacities is not None:
            capacities = tuple(check_integer("capacities", k, low=1) for k in capacities)
            if not capacities or capacities[-1] != n:
                raise ValueError(f"capacities must end with n_neurons={n} (the buffer that never overflows); got {capacities}")
        cfg.check_fits(min(record, n))  # before anything is allocated
        self.cfg = cfg
        t0 = time.perf_counter()
        self.conn = build_connectivity(cfg) if conn is None else conn
        self.dtype = jnp.dtype(dtype or jnp.result_type(float))
        # one delivery per step: I sources write into the g_I half of a (2n,) vector
        t = self.conn.targets.astype(np.int64)
        is_inh = (np.arange(n) >= ne)[:, None]
        merged = np.where(t < n, t + n * is_inh, 2 * n).astype(np.int32)
        self.targets = jnp.asarray(merged)
        self.V0 = jnp.asarray(initial_potentials(cfg), self.dtype)
        self.backend, self.record = backend, int(min(record, n))
        self.capacities = None if capacities is None else tuple(int(k) for k in capacities)
        # raster rows: the first neurons of each population, in proportion (all when record == n)
        k_e = min(ne, int(round(self.record * ne / n)))
        self.rec_idx = jnp.asarray(np.r_[0:k_e, ne:ne + self.record - k_e], jnp.int32)
        self.build_s = time.perf_counter() - t0
        self._run = jax.jit(self._simulate)
        self.compile_s = None

    def init_carry(self) -> _Carry:
        cfg, n, dt = self.cfg, self.cfg.n_neurons, self.dtype
        D = delay_steps(cfg.delay, cfg.dt)
        zeros = jnp.zeros(n, dt)
        return _Carry(self.V0, jnp.zeros(n, jnp.int32), jnp.zeros((2, n), dt), rest_state((cfg.n_exc,), dt),
                      jnp.zeros((D, n), dt), jnp.zeros(n, jnp.int32), jnp.full(n, -1, jnp.int32),
                      jnp.zeros(n, jnp.int32), zeros, zeros)

    def _step(self, targets, c: _Carry, i):
        cfg, n, ne = self.cfg, self.cfg.n_neurons, self.cfg.n_exc
        dt = cfg.dt
        arriving = ring_read(c.ring, i)
        drive = deliver(arriving, targets, 2 * n, backend=self.backend, capacities=self.capacities).reshape(2, n)
        p = cfg.neuron
        tau = jnp.asarray([[p.tau_E], [p.tau_I]], self.dtype)
        g = exp_decay_step(c.g, drive, tau, dt)
        G = g[0] + g[1]
        GE = g[0] * p.E_E + g[1] * p.E_I
        V, ref, spike = conductance_lif_step(c.V, c.ref, G, GE, 0.0, p, dt, cfg.method)
        if cfg.stp:
            stp, rel_e = source_release(c.stp, spike[:ne], cfg.w_exc, cfg.U, cfg.tau_f, cfg.tau_d, dt)
        else:
            stp, (_, rel_e) = c.stp, source_release(None, spike[:ne], cfg.w_exc)
        _, rel_i = source_release(None, spike[ne:], cfg.w_I)
        ring = ring_write(c.ring, i, jnp.concatenate([rel_e, rel_i]))
        # online spike statistics (no per-step host traffic, O(n) memory at any duration)
        again = spike & (c.last >= 0)
        isi = (i - c.last).astype(self.dtype)
        c2 = _Carry(V, ref, g, stp, ring, c.count + spike, jnp.where(spike, i, c.last),
                    c.n_isi + again, c.s1 + jnp.where(again, isi, 0), c.s2 + jnp.where(again, isi * isi, 0))
        out = (jnp.sum(spike, dtype=jnp.int32),) + ((spike[self.rec_idx],) if self.record else ())
        return c2, out

    def _simulate(self, carry: _Carry, targets):
        # targets is an argument, not a closure constant: embedding a 400k x 130 table in the
        # program made compilation ~5x slower
        steps = jnp.arange(self.cfg.n_steps, dtype=jnp.int32)
        return jax.lax.scan(lambda c, i: self._step(targets, c, i), carry, steps)

    def compile(self) -> float:
        """Lower and compile (timed, seconds)."""
        t0 = time.perf_counter()
        self._run = jax.jit(self._simulate).lower(self.init_carry(), self.targets).compile()
        self.compile_s = time.perf_counter() - t0
        return self.compile_s

    def run(self) -> dict:
        """Simulate ``cfg.duration`` ms; returns statistics, population counts, raster (NumPy)."""
        if self.compile_s is None:
            self.compile()
        carry = self.init_carry()
        jax.block_until_ready(carry)
        t0 = time.perf_counter()
        final, outs = self._run(carry, self.targets)
        jax.block_until_ready((final, outs))
        sim_s = time.perf_counter() - t0
        cfg = self.cfg
        res = stats_from_sums(np.asarray(final.count), np.asarray(final.n_isi), np.asarray(final.s1) * cfg.dt,
                     np.asarray(final.s2) * cfg.dt ** 2, cfg.duration)
        res.update(sim_s=sim_s, compile_s=self.compile_s, build_s=self.build_s,
                   pop_count=np.asarray(outs[0]), counts=np.asarray(final.count),
                   n_synapses=self.conn.nnz, n_steps=cfg.n_steps)
        if self.record:
            res["raster"] = np.asarray(outs[1])
            res["raster_neurons"] = np.asarray(self.rec_idx)
        return res


def simulate(cfg: COBAConfig = COBAConfig(), backend: str = "auto", record: int = 0, dtype=None) -> dict:
    """Build, compile and run the fused COBA(-STP) network once; see :meth:`FusedCOBA.run`."""
    return FusedCOBA(cfg, backend=backend, record=record, dtype=dtype).run()
