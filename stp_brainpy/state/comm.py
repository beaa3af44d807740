r"""Event-driven communication for brainpy.state projections: static weights, and STP per synapse.

Both modules hold their synapses as a :class:`stp_brainpy.network.Connectivity` (source-major,
the package's builders or any ``(pre, post)`` pairs) and deliver with
:func:`stp_brainpy.network.events.deliver` (the package's event kernel: only the rows of sources
that spiked are touched). Use them as the ``comm`` of brainpy.state projections,
``brainpy.state.DeltaProj(comm=..., post=neuron, label='w_ex')`` into a
:class:`~stp_brainpy.state.ConductanceLIF`, or ``brainpy.state.AlignPostProj(comm=..., syn=...,
out=..., post=...)`` into any brainpy.state neuron. They take one step's input without a batch
axis (vmap a whole run for batches).
"""
from __future__ import annotations

from typing import Any, Optional

import brainpy.state as bps
import brainstate
import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np

from ..core import stp as core_stp
from ..network.connectivity import Connectivity, from_pairs
from ..network.description import from_connector, is_connector
from ..network.events import default_capacities, deliver, deliver_ring
from ..core.validation import check_integer
from ..units import to_unit
from ._env import t_ms
from .delays import Delayed, delay_ms
from .stp import _tm_params, spike_values

__all__ = ["EventConn", "EventSTPComm", "EventSTPProj", "as_connectivity"]


def as_connectivity(conn: Any, n_pre: Optional[int] = None, n_post: Optional[int] = None) -> Connectivity:
    """A :class:`Connectivity`; ``(pre, post)`` index arrays or a ``bp.conn`` connector with ``n_pre``/``n_post``
    (the connector through :func:`stp_brainpy.network.description.from_connector`, the package's one
    conversion), as a Connectivity."""
    if isinstance(conn, Connectivity):
        return conn
    if is_connector(conn):
        if n_pre is None or n_post is None:
            raise ValueError("a bp.conn connector needs n_pre and n_post")
        return from_connector(conn, int(n_pre), int(n_post))
    if isinstance(conn, tuple) and len(conn) == 2:
        if n_pre is None or n_post is None:
            raise ValueError("(pre, post) pairs need n_pre and n_post")
        return from_pairs(np.asarray(conn[0]), np.asarray(conn[1]), int(n_pre), int(n_post))
    raise TypeError(f"conn must be a stp_brainpy.network.Connectivity, a (pre, post) pair of index arrays or a "
                    f"bp.conn connector; got {type(conn).__name__}")


def _per_synapse(name: str, value, conn: Connectivity, fill: float) -> tuple[Any, bool]:
    """A scalar stays a scalar; (nnz,) values in CSR order become the (n_pre, max_degree) ELL layout."""
    arr = np.asarray(value, float)
    if arr.ndim == 0:
        return float(arr), False
    if arr.shape != (conn.nnz,):
        raise ValueError(f"{name} must be a scalar or one value per synapse, shape ({conn.nnz},); got shape {arr.shape}")
    return _table(conn.ell_values(arr, fill=fill), brainstate.environ.dftype()), True


def _table(values, dtype):
    # synapse tables live in a State so that a jitted run takes them as arguments: embedded as
    # constants (a 3200 x 100 table per projection at COBA size) they made XLA constant-fold for seconds
    return brainstate.LongTermState(jnp.asarray(values, dtype))


def _value(x):
    return x.value if isinstance(x, brainstate.State) else x


class _Tables:
    """Read-only views of the synapse tables (plain arrays or floats)."""

    targets = property(lambda self: _value(self._targets))
    weight = property(lambda self: _value(self._weight))


def _first_active(mask, k: int):
    """Indices of the first ``k`` True entries of ``mask`` in order, padded with ``len(mask)``.

    ``lax.top_k`` on float keys: on XLA CPU it measured ~5x faster than ``jnp.nonzero(size=k)``,
    whose cumulative sum dominated the per-synapse step (exact for up to 2**24 sources).
    """
    n = mask.shape[0]
    if n > 1 << 24:
        return jnp.nonzero(mask, size=k, fill_value=n)[0]
    key = jnp.where(mask, n - jnp.arange(n, dtype=jnp.float32), 0.0)
    vals, idx = jax.lax.top_k(key, k)
    return jnp.where(vals > 0, idx, n)


class EventConn(Delayed, _Tables, brainstate.nn.Module):
    r"""Static event-driven connection: ``out[j] = Σ_i w_ij · v_i`` over sources with ``v_i ≠ 0``.

    ``v`` is what the source sends this step: spikes (0/1) or graded values such as the
    efficacies ``u⁺x⁻`` of a :class:`~stp_brainpy.state.PresynapticSTP`. Unlike brainstate's
    ``EventFixedProb``, graded values are multiplied in, not treated as binary events.

    Calling it returns a Quantity in nS of shape ``(n_post,)`` (a conductance jump for ``DeltaProj``
    into a :class:`~stp_brainpy.state.ConductanceLIF`, or the input of an ``AlignPostProj`` synapse).

    Parameters
    ----------
    conn : Connectivity, or ``(pre, post)`` index arrays or a ``bp.conn`` connector with ``n_pre``, ``n_post``
    weight : nS, a scalar or one value per synapse (CSR order); Quantity or bare nS
    delay : ms, default 0, a scalar or one value per synapse (CSR order), finite, >= 0; Quantity or bare ms.
        What the sources send in the call for step ``m`` (their spikes of step ``m``, read before the
        neurons of step ``m + 1`` update) comes out ``D - 1`` calls later, ``D = max(1, round(delay/dt))``
        (:mod:`stp_brainpy.state.delays`): a spike acts at step ``m + D``, the package's one delay rule.
        A nonzero delay keeps states: initialise them (``brainstate.nn.init_all_states``) first.
    backend : event kernel of :func:`stp_brainpy.network.events.deliver` ('auto', 'native', 'xla')

    Example::

        >>> import jax.numpy as jnp, brainunit as u
        >>> from stp_brainpy.state import EventConn
        >>> comm = EventConn(([0, 0, 1], [0, 1, 1]), weight=2.0 * u.nS, n_pre=2, n_post=2)
        >>> comm(jnp.array([0.5, 1.0])).to_decimal(u.nS).tolist()
        [1.0, 3.0]
    """

    __module__ = "stp_brainpy.state"

    def __init__(self, conn, weight=1.0, *, delay=0.0, n_pre: Optional[int] = None, n_post: Optional[int] = None,
                 backend: str = "auto", name: Optional[str] = None):
        super().__init__(name=name)
        self.conn = as_connectivity(conn, n_pre, n_post)
        self.in_size, self.out_size = (self.conn.n_pre,), (self.conn.n_post,)
        self._weight, self._per_syn = _per_synapse("weight", to_unit("weight", weight, "nS"), self.conn, 0.0)
        self._targets = _table(self.conn.targets, jnp.int32)
        self.backend = backend
        self._delay_ms = delay_ms(delay, self.conn)
        # delay 0 is one step whatever dt: no state, so the comm also works uninitialised
        self._stateless = np.ndim(self._delay_ms) == 0 and self._delay_ms == 0.0
        self.per_synapse_delay = False

    def init_state(self, batch_size: Optional[int] = None, **kwargs):
        if self._stateless:
            return
        self._init_delay()
        if self.per_synapse_delay and not self._per_syn:
            self._wtab = _table(self.conn.ell_values(self.weight, 0.0), brainstate.environ.dftype())

    def reset_state(self, batch_size: Optional[int] = None, **kwargs):
        if not self._stateless:
            self._reset_delay()

    def update(self, values):
        v = jnp.asarray(spike_values(values), brainstate.environ.dftype())
        targets, weight = self.targets, self.weight
        if not self._stateless:
            if not hasattr(self, "_step"):
                raise RuntimeError("EventConn with a delay keeps states: call brainstate.nn.init_all_states first")
            if self.per_synapse_delay:
                w = weight if self._per_syn else self._wtab.value
                ring = deliver_ring(v, self._codes.value, w, self._post_ring.value, self._ring_offset(),
                                    backend=self.backend)
                return u.Quantity(self._ring_take(ring), unit=u.nS)
            v = self._delay_sources(v)
        if self._per_syn:
            out = deliver(v, targets, self.conn.n_post, weights=weight, backend=self.backend)
        else:
            out = deliver(v * weight, targets, self.conn.n_post, backend=self.backend)
        return u.Quantity(out, unit=u.nS)


class EventSTPComm(Delayed, _Tables, brainstate.nn.Module):
    r"""Tsodyks–Markram STP on every synapse, updated only when its source spikes.

    Each synapse ``(i, j)`` has its own ``u_ij``, ``x_ij`` and may have its own ``U``, ``tau_f``,
    ``tau_d`` and weight ``w_ij`` (heterogeneous synapses: Gupta, Wang & Markram 2000 classes,
    Maass et al. 2002 draws). When source ``i`` spikes at time ``t``, its synapses decay exactly
    from the source's previous spike at ``t_i`` (NEST's event-driven scheme) and release:

    .. math::

        u^- = u\,e^{-(t-t_i)/\tau_f},\quad x^- = 1 - (1-x)e^{-(t-t_i)/\tau_d},\quad
        u^+ = u^- + U(1-u^-),\quad e = u^+x^-,\quad x^+ = x^- - e,

    and ``out[j] += w_ij · e_ij``. The first spike of a source finds its synapses at rest
    (``u = 0``, ``x = 1``). One :func:`stp_brainpy.core.stp.stp_step` over the gap does the
    decay and the jump; only the rows of sources that spiked are gathered (all of them each
    step, in passes of ``chunk``), so the cost follows events, not synapses. With homogeneous
    parameters this equals :class:`~stp_brainpy.state.PresynapticSTP` followed by
    :class:`EventConn` (to rounding).

    ==========  ====  ========  ==============================================================
    parameter   unit  default   range (scalar or one value per synapse, CSR order)
    ==========  ====  ========  ==============================================================
    ``U``       1     0.15      (0, 1]
    ``tau_f``   ms    1500      [0, inf]
    ``tau_d``   ms    200       (0, inf]
    ``weight``  nS    1         any (sign is the user's choice)
    ``delay``   ms    0         [0, inf), finite: a spike acts ``max(1, round(delay/dt))`` steps
                                after it was emitted (see :class:`EventConn`)
    ``chunk``   --    32 (CPU)  integer >= 1: active sources handled per pass (all are handled)
    ==========  ====  ========  ==============================================================

    Delays: with one delay for all synapses the spikes wait in a ring and release on arrival (the gaps
    between a synapse's spikes, hence its efficacies, are those of emission); with one per synapse the
    synapses release at emission and their jumps wait in a target-side ring
    (:mod:`stp_brainpy.state.delays`).

    ``conn``: a :class:`~stp_brainpy.network.Connectivity` or ``(pre, post)`` index arrays with
    ``n_pre``/``n_post``. :meth:`update` takes the spikes of the sources (read at
    ``brainstate.environ``'s ``t``) and returns the conductance jumps (nS Quantity, ``(n_post,)``).
    States (ELL layout ``(n_pre, max_degree)``; padding slots unused): ``u``, ``x``; ``last``
    (``(n_pre,)``, ms): each source's last spike time.

    References: Tsodyks & Markram (1997); NEST ``tsodyks2_synapse`` (per-synapse parameters);
    Gupta, Wang & Markram (2000) Science 287:273.

    Example::

        >>> import brainstate, brainunit as u, jax.numpy as jnp
        >>> from stp_brainpy.state import EventSTPComm
        >>> brainstate.environ.set(dt=0.1 * u.ms)
        >>> comm = EventSTPComm(([0, 0], [0, 1]), U=[0.5, 0.2], tau_f=100 * u.ms, tau_d=800 * u.ms,
        ...                     weight=1.0 * u.nS, n_pre=1, n_post=2)
        >>> comm.init_state()
        >>> with brainstate.environ.context(t=10.0 * u.ms):
        ...     out = comm(jnp.array([1.0]))
        >>> [round(g, 6) for g in out.to_decimal(u.nS).tolist()]
        [0.5, 0.2]
    """

    __module__ = "stp_brainpy.state"
    U = property(lambda self: _value(self._U))
    tau_f = property(lambda self: _value(self._tau_f))
    tau_d = property(lambda self: _value(self._tau_d))

    def __init__(self, conn, U=0.15, *, tau_f=1500.0, tau_d=200.0, weight=1.0, delay=0.0,
                 n_pre: Optional[int] = None, n_post: Optional[int] = None, chunk: Optional[int] = None,
                 name: Optional[str] = None):
        super().__init__(name=name)
        self.conn = as_connectivity(conn, n_pre, n_post)
        self._delay_ms = delay_ms(delay, self.conn)
        self.in_size, self.out_size = (self.conn.n_pre,), (self.conn.n_post,)
        p = _tm_params(U, tau_f, tau_d)
        self._U, _ = _per_synapse("U", p["U"], self.conn, 1.0)
        self._tau_f, _ = _per_synapse("tau_f", p["tau_f"], self.conn, 1.0)
        self._tau_d, _ = _per_synapse("tau_d", p["tau_d"], self.conn, 1.0)
        self._weight, _ = _per_synapse("weight", to_unit("weight", weight, "nS"), self.conn, 0.0)
        self._targets = _table(self.conn.targets, jnp.int32)
        n = self.conn.n_pre
        # sources that spiked are processed in passes of `chunk` rows until none is left (a while
        # loop, so the synapse states are updated in place; lax.switch over buffer sizes copied them)
        self.chunk = (min(n, default_capacities(n, jax.default_backend())[0]) if chunk is None
                      else check_integer("chunk", chunk, low=1))

    def init_state(self, batch_size: Optional[int] = None, **kwargs):
        dtype = brainstate.environ.dftype()
        shape = self.conn.targets.shape
        self.u = brainstate.HiddenState(jnp.zeros(shape, dtype))
        self.x = brainstate.HiddenState(jnp.ones(shape, dtype))
        self.last = brainstate.HiddenState(jnp.full((self.conn.n_pre,), -jnp.inf, dtype))
        self._init_delay()

    def reset_state(self, batch_size: Optional[int] = None, **kwargs):
        self.u.value = jnp.zeros_like(self.u.value)
        self.x.value = jnp.ones_like(self.x.value)
        self.last.value = jnp.full_like(self.last.value, -jnp.inf)
        self._reset_delay()

    @staticmethod
    def _rows(a, idx, fill):
        return a if jnp.ndim(a) == 0 else jnp.take(a, idx, axis=0, mode="fill", fill_value=fill)

    def _release(self, k: int, remaining, t, u_s, x_s, last, out, tables):
        U, tau_f, tau_d, weight, targets, offset = tables
        n_pre, n_post = self.conn.n_pre, out.shape[0]  # out: (n_post,) or the target-side ring
        idx = _first_active(remaining, k)
        remaining = remaining.at[idx].set(False, mode="drop")
        prev = jnp.take(last, idx, mode="clip")
        # a source's first spike finds its synapses at rest (u = 0, x = 1), which any decay keeps:
        # a finite stand-in gap keeps stp_step's eager dt check (finite, > 0) satisfied
        gap = jnp.where((idx < n_pre) & jnp.isfinite(prev), t - prev, 1.0)[:, None]
        state = core_stp.STPState(self._rows(u_s, idx, 0.0), self._rows(x_s, idx, 1.0))
        state, eff = core_stp.stp_step(state, 1.0, self._rows(U, idx, 1.0), tau_f=self._rows(tau_f, idx, 1.0),
                                       tau_d=self._rows(tau_d, idx, 1.0), dt=gap, method="exact")
        u_s = u_s.at[idx].set(state.u, mode="drop")
        x_s = x_s.at[idx].set(state.x, mode="drop")
        last = last.at[idx].set(t, mode="drop")
        rows = jnp.take(targets, idx, axis=0, mode="fill", fill_value=n_post)
        if offset is not None:  # ring codes (D - 1) * n_post + j, shifted to this call's slot
            rows = jnp.where(rows < n_post, (rows + offset) % n_post, n_post)
        vals = jnp.broadcast_to(self._rows(weight, idx, 0.0) * eff, rows.shape)
        return remaining, u_s, x_s, last, out.at[rows].add(vals.astype(out.dtype), mode="drop")

    def update(self, pre_spike):
        dtype = brainstate.environ.dftype()
        if self.per_synapse_delay:
            active = jnp.asarray(spike_values(pre_spike)) != 0
            tables = (self.U, self.tau_f, self.tau_d, self.weight, self._codes.value, self._ring_offset())
            out0 = self._post_ring.value
        else:
            active = self._delay_sources(jnp.asarray(spike_values(pre_spike), dtype)) != 0
            tables = (self.U, self.tau_f, self.tau_d, self.weight, self.targets, None)
            out0 = jnp.zeros((self.conn.n_post,), dtype)
        t = jnp.asarray(t_ms(), dtype)
        k = self.chunk

        def one_pass(carry):
            remaining, *states = carry
            return self._release(k, remaining, t, *states, tables)

        init = (active, self.u.value, self.x.value, self.last.value, out0)
        _, self.u.value, self.x.value, self.last.value, out = jax.lax.while_loop(
            lambda carry: jnp.any(carry[0]), one_pass, init)
        if self.per_synapse_delay:
            out = self._ring_take(out)
        return u.Quantity(out, unit=u.nS)


class EventSTPProj(bps.DeltaProj):
    r"""A brainpy.state projection with per-synapse STP: :class:`EventSTPComm` into ``post``'s delta inputs.

    ``proj(pre_spike)`` adds the conductance jumps ``w_ij u⁺_ij x⁻_ij`` of the sources that spiked
    to ``post`` under ``label`` (``'w_ex'`` or ``'w_in'`` for a
    :class:`~stp_brainpy.state.ConductanceLIF` or brainpy.state's ``iaf_cond_exp``); the neuron
    applies them at its next update. Parameters as :class:`EventSTPComm` (per synapse allowed), ``delay``
    included (a spike acts ``max(1, round(delay/dt))`` steps after emission).

    Example::

        >>> import brainstate, brainunit as u, jax.numpy as jnp
        >>> from stp_brainpy.state import ConductanceLIF, EventSTPProj
        >>> brainstate.environ.set(dt=0.1 * u.ms)
        >>> post = ConductanceLIF.coba(2)
        >>> proj = EventSTPProj(([0, 1], [1, 0]), post, U=0.2, tau_f=2 * u.ms, tau_d=150 * u.ms,
        ...                     weight=30 * u.nS, n_pre=2, n_post=2)
        >>> brainstate.nn.init_all_states(post), brainstate.nn.init_all_states(proj)  # doctest: +ELLIPSIS
        (...)
        >>> with brainstate.environ.context(t=1.0 * u.ms):
        ...     proj(jnp.array([1.0, 0.0]))
        ...     _ = post.update()
        >>> [round(g, 6) for g in post.gE.value.to_decimal(u.nS).tolist()]
        [0.0, 6.0]
    """

    __module__ = "stp_brainpy.state"

    def __init__(self, conn, post, U=0.15, *, tau_f=1500.0, tau_d=200.0, weight=1.0, delay=0.0,
                 label: str = "w_ex", n_pre: Optional[int] = None, n_post: Optional[int] = None,
                 chunk: Optional[int] = None):
        comm = EventSTPComm(conn, U, tau_f=tau_f, tau_d=tau_d, weight=weight, delay=delay, n_pre=n_pre,
                            n_post=n_post, chunk=chunk)
        super().__init__(comm=comm, post=post, label=label)
