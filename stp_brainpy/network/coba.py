r"""COBA and COBA-STP networks (Vogels & Abbott 2005; Brette et al. 2007, benchmark 1).

Neuron (conductance LIF, every neuron alike):

.. math::

    C_m \frac{dV}{dt} = g_L(E_L - V) + g_E(E_E - V) + g_I(E_I - V) + I_e, \qquad
    \frac{dg_{E,I}}{dt} = -\frac{g_{E,I}}{\tau_{E,I}} + \sum w\,e\,\delta(t - t^{sp} - d),

``V ≥ V_th`` → spike, ``V ← V_reset``, held for ``t_ref``. ``V`` is advanced with the
exponential-Euler step (exact for conductances frozen over the step):
``V ← V∞ + (V - V∞) exp(-dt G / C_m)``, ``G = g_L + g_E + g_I``, ``V∞ = (g_L E_L + g_E E_E + g_I E_I + I_e) / G``
(:func:`stp_brainpy.core.cond_lif.conductance_membrane_step`, shared with the tutorial neuron).

Defaults are the benchmark's: 4000 neurons (80 % E), Bernoulli p = 0.02 per ordered pair,
C_m 200 pF, g_L 10 nS, E_L −60, V_th −50, V_reset −60 mV, t_ref 5 ms, I_e 200 pA,
V0 ~ U[−60, −50] mV, τ_E 5, τ_I 10 ms, E_E 0, E_I −80 mV, w_E 6 nS, w_I 67 nS, delay 0.1 ms,
dt 0.1 ms. COBA-STP: E→E and E→I synapses are Tsodyks–Markram with U 0.2, τ_d 150,
τ_f 2 ms and weight w_E/U = 30 nS (a rested synapse delivers 6 nS).

Two back ends share every equation (:func:`cond_lif_step` here; ``stp_step`` /
``exp_decay_step`` from :mod:`stp_brainpy.core.stp`; :func:`~.projections.source_release`,
ring buffer and :func:`~.events.deliver` from this package). This module imports JAX only
(not brainpy), so the fused path starts fast:

* :func:`simulate` / :class:`FusedCOBA` — one ``lax.scan`` over all steps, all four
  projections merged into one event delivery per step (the fast path);
* :class:`~stp_brainpy.network.models.COBANetwork` — a ``bp.DynSysGroup`` of two :class:`~stp_brainpy.network.models.CondLIF` groups and four
  :class:`~.projections.EventSTPProjection` s, run with ``bp.DSRunner``.
"""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import NamedTuple, Optional

import jax
import jax.numpy as jnp
import numpy as np

from ..core.cond_lif import conductance_membrane_step
from ..core.stp import STPState, exp_decay_step, rest_state, validate_stp_params
from ..core.validation import check_positive, check_range
from .connectivity import Connectivity, bernoulli, fixed_in_degree_pairs, from_pairs
from .events import deliver
from .steps import delay_steps, ring_read, ring_write, source_release

__all__ = ["CondLIFParams", "cond_lif_step", "refractory_steps", "COBAConfig", "build_connectivity",
           "initial_potentials", "FusedCOBA", "simulate", "spike_stats"]


# --------------------------------------------------------------------------------------------
# neuron: the one place its equations live
# --------------------------------------------------------------------------------------------

class CondLIFParams(NamedTuple):
    """Conductance LIF parameters (pF, nS, mV, ms, pA)."""

    C_m: float = 200.0
    g_L: float = 10.0
    E_L: float = -60.0
    V_th: float = -50.0
    V_reset: float = -60.0
    t_ref: float = 5.0
    I_e: float = 200.0


def refractory_steps(t_ref: float, dt: float) -> int:
    return int(round(t_ref / dt))


def validate_neuron(p: CondLIFParams) -> None:
    check_positive("C_m", p.C_m, unit="pF")
    check_positive("g_L", p.g_L, unit="nS")
    check_range("t_ref", p.t_ref, 0.0, None, unit="ms")
    if np.any(np.asarray(p.V_reset) >= np.asarray(p.V_th)):
        raise ValueError(f"V_reset must be below V_th; got V_reset={p.V_reset}, V_th={p.V_th}")


def cond_lif_step(V, ref, G_syn, GE_syn, I, p: CondLIFParams, dt: float, method: str = "exact"):
    """One step of the conductance LIF.

    Args:
      V: membrane potential (mV); ref: remaining refractory steps (int).
      G_syn: total synaptic conductance (nS); GE_syn: sum of g·E over synapses (nS·mV = pA).
      I: injected current (pA), added to ``p.I_e``.
      method: ``'exact'`` (exponential Euler) or ``'euler'`` (forward Euler).

    Returns:
      ``(V, ref, spike)``.
    """
    v_new = conductance_membrane_step(V, G_syn, GE_syn, p.I_e + I, p.g_L, p.E_L, p.C_m, dt, method)
    free = ref <= 0
    v_new = jnp.where(free, v_new, V)
    spike = free & (v_new >= p.V_th)
    v_new = jnp.where(spike, jnp.asarray(p.V_reset, v_new.dtype), v_new)
    ref = jnp.where(spike, refractory_steps(p.t_ref, dt), jnp.maximum(ref - 1, 0)).astype(jnp.int32)
    return v_new, ref, spike


# --------------------------------------------------------------------------------------------
# configuration and construction
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class COBAConfig:
    """The COBA / COBA-STP network. ``n_neurons`` = 4000·scale in the benchmark.

    ``in_degree=None`` connects every ordered pair with probability ``p``; an integer gives
    every neuron exactly that many inputs, ``round(in_degree · exc_fraction)`` of them excitatory.
    """

    n_neurons: int = 4000
    exc_fraction: float = 0.8
    p: float = 0.02
    in_degree: Optional[int] = None
    stp: bool = True
    U: float = 0.2
    tau_f: float = 2.0
    tau_d: float = 150.0
    w_E: float = 6.0
    w_I: float = 67.0
    tau_E: float = 5.0
    tau_I: float = 10.0
    E_E: float = 0.0
    E_I: float = -80.0
    delay: float = 0.1
    dt: float = 0.1
    duration: float = 1000.0
    seed: int = 0
    V0: tuple = (-60.0, -50.0)
    neuron: CondLIFParams = field(default_factory=CondLIFParams)
    method: str = "exact"

    def __post_init__(self):
        if int(self.n_neurons) < 2:
            raise ValueError(f"n_neurons must be an integer >= 2; got {self.n_neurons}")
        check_range("exc_fraction", self.exc_fraction, 0.0, 1.0, low_open=True, high_open=True)
        check_range("p", self.p, 0.0, 1.0)
        for name in ("tau_E", "tau_I", "dt", "duration"):
            check_positive(name, getattr(self, name))
        check_range("delay", self.delay, 0.0, None, unit="ms")
        check_range("w_E", self.w_E, 0.0, None, unit="nS")
        check_range("w_I", self.w_I, 0.0, None, unit="nS")
        if self.stp:
            validate_stp_params(U=self.U, tau_f=self.tau_f, tau_d=self.tau_d)
        validate_neuron(self.neuron)

    @property
    def n_exc(self) -> int:
        return int(round(self.n_neurons * self.exc_fraction))

    @property
    def n_inh(self) -> int:
        return self.n_neurons - self.n_exc

    @property
    def w_exc(self) -> float:
        """Weight of an E synapse; under STP w_E/U so that a rested synapse delivers w_E."""
        return self.w_E / self.U if self.stp else self.w_E

    @property
    def n_steps(self) -> int:
        return int(round(self.duration / self.dt))

    def replace(self, **kw) -> "COBAConfig":
        return dataclasses.replace(self, **kw)


def build_connectivity(cfg: COBAConfig) -> Connectivity:
    """All synapses of the network, sources and targets numbered E first then I."""
    n, ne = cfg.n_neurons, cfg.n_exc
    if cfg.in_degree is None:
        return bernoulli(n, n, cfg.p, seed=cfg.seed)
    k_e = int(round(cfg.in_degree * cfg.exc_fraction))
    k_i = int(cfg.in_degree) - k_e
    ss = np.random.SeedSequence(cfg.seed).spawn(2)
    pe, qe = fixed_in_degree_pairs(ne, n, k_e, seed=ss[0])
    pi, qi = fixed_in_degree_pairs(n - ne, n, k_i, seed=ss[1])
    return from_pairs(np.concatenate([pe, pi + ne]), np.concatenate([qe, qi]), n, n)


def initial_potentials(cfg: COBAConfig) -> np.ndarray:
    """V0 ~ U[V0[0], V0[1]] mV, from its own stream of ``cfg.seed``."""
    rng = np.random.default_rng(np.random.SeedSequence(cfg.seed).spawn(3)[2])
    return rng.uniform(cfg.V0[0], cfg.V0[1], cfg.n_neurons)


def spike_stats(ids, times, n_neurons: int, duration: float, dt: float = 0.1, min_isis: int = 2) -> dict:
    """Mean rate (Hz) and mean CV_ISI over neurons with at least ``min_isis`` intervals.

    ``ids``/``times`` (ms) list every spike. CV = std/mean of a neuron's ISIs (population std).
    Times are binned to steps of ``dt`` first so every simulator is measured alike.
    """
    ids = np.asarray(ids, np.int64)
    steps = np.rint(np.asarray(times, float) / dt).astype(np.int64)
    order = np.lexsort((steps, ids))
    ids, steps = ids[order], steps[order]
    count = np.bincount(ids, minlength=n_neurons)
    same = ids[1:] == ids[:-1]
    isi = (steps[1:] - steps[:-1])[same].astype(float)
    who = ids[1:][same]
    n_isi = np.bincount(who, minlength=n_neurons)
    s1 = np.bincount(who, isi, minlength=n_neurons)
    s2 = np.bincount(who, isi * isi, minlength=n_neurons)
    return _stats(count, n_isi, s1, s2, duration, min_isis)


def _stats(count, n_isi, s1, s2, duration, min_isis=2) -> dict:
    count, n_isi, s1, s2 = (np.asarray(a, float) for a in (count, n_isi, s1, s2))
    ok = n_isi >= min_isis
    mean = s1[ok] / n_isi[ok]
    var = np.maximum(s2[ok] / n_isi[ok] - mean ** 2, 0.0)
    cv = np.sqrt(var) / mean
    return {"rate_hz": float(count.sum() / count.size / (duration / 1000.0)),
            "cv_isi": float(cv.mean()) if cv.size else float("nan"),
            "n_spikes": int(count.sum()), "n_cv_neurons": int(ok.sum())}


# --------------------------------------------------------------------------------------------
# fused fast path: one lax.scan over all steps
# --------------------------------------------------------------------------------------------

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
        self.cfg = cfg
        t0 = time.perf_counter()
        self.conn = build_connectivity(cfg) if conn is None else conn
        n, ne = cfg.n_neurons, cfg.n_exc
        if self.conn.n_pre != n or self.conn.n_post != n:
            raise ValueError(f"conn must be {n}x{n}; got {self.conn.n_pre}x{self.conn.n_post}")
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
        tau = jnp.asarray([[cfg.tau_E], [cfg.tau_I]], self.dtype)
        g = exp_decay_step(c.g, drive, tau, dt)
        G = g[0] + g[1]
        GE = g[0] * cfg.E_E + g[1] * cfg.E_I
        V, ref, spike = cond_lif_step(c.V, c.ref, G, GE, 0.0, cfg.neuron, dt, cfg.method)
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
        res = _stats(np.asarray(final.count), np.asarray(final.n_isi), np.asarray(final.s1) * cfg.dt,
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


# --------------------------------------------------------------------------------------------
# BrainPy classes
