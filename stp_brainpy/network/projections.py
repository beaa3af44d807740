r"""Event-driven Tsodyks–Markram projections for BrainPy networks.

Chain of one projection, per step::

    pre.spike ─► TM state (per source, or per synapse) ─► delay ring ─► events ─► g_post ─► post
                 e = u⁺x⁻ (stp_brainpy.core.stp.stp_step)             w·e          exp. conductance
                                                                                   (COBA, reversal E)
                                                                                   or current (CUBA)

.. math::

    \tau_s \frac{dg_j}{dt} = -g_j + \tau_s \sum_{i \to j} w_{ij}\, u^+_i x^-_i\,
    \delta(t - t_i^{sp} - d), \qquad
    I_j = g_j (E - V_j)\ \text{(COBA)} \quad\text{or}\quad I_j = g_j\ \text{(CUBA)}.

With homogeneous TM parameters the state (u, x) belongs to the presynaptic neuron: the work
per step is one vector ``stp_step`` over the sources plus delivering ``w·u⁺x⁻`` of the
sources that spiked (:func:`stp_brainpy.network.events.deliver`). Per-synapse (heterogeneous)
``U``, ``tau_f``, ``tau_d`` keep one state per synapse (ELL layout) — a slower path.

The pure functions (:func:`~.steps.source_release`; the delay rule and ring of
:mod:`stp_brainpy.core.delays`) are shared with the fused COBA simulator
(:mod:`stp_brainpy.network.fused`), so the equations exist once.
"""
from __future__ import annotations

from typing import Any, Optional

import brainpy as bp
import brainpy.math as bm
import jax.numpy as jnp
import numpy as np

from ..core.delays import delay_steps, ring_read, ring_write
from ..core.stp import STPState, exp_decay_step, stp_step, validate_stp_params
from ..core.validation import check_choice, check_finite, check_number, check_positive, check_range
from .connectivity import Connectivity
from .description import from_connector, is_connector
from .events import BACKENDS, deliver
from .steps import source_release
from ..units import accepts_units


def variable_(init, batch_or_mode, shape):
    return bp.init.variable_(init, shape, batch_or_mode)


__all__ = ["EventSTPProjection"]


@accepts_units(weight=("mV", "nS", "pA"), tau_s="ms", E="mV", delay="ms", U="1", tau_f="ms", tau_d="ms")
class EventSTPProjection(bp.Projection):
    r"""Event-driven projection ``pre → TM synapse → delay → exponential synapse → post``.

    Only the presynaptic neurons that spiked deliver ``w · u⁺x⁻`` to their targets
    (:math:`u^+x^-` from :func:`stp_brainpy.core.stp.stp_step`, exact method, ``u`` resting
    at 0 and ``x`` at 1 — the standard TM release, unlike ``bp.dyn.STP`` which starts ``u``
    at ``U`` and returns :math:`u^+x^+`). The post-synaptic variable decays exactly,
    :math:`g \leftarrow g\,e^{-dt/\tau} + \sum w\,e`, and enters the post group either as a
    conductance with reversal potential ``E`` or as a current (``E=None``).

    The projection is a ``bp.Projection``: inside ``bp.DynSysGroup``/``bp.Network`` it is updated
    before the neurons, so at step ``n`` it reads the spikes of step ``n-1``; a spike emitted at
    step ``m`` changes ``g`` at step ``m + D``, ``D = max(1, round(delay/dt))``
    (:func:`stp_brainpy.core.delays.delay_steps`, the package's one delay rule; a ring of
    ``D - 1`` slots, the update order supplies the last step).

    Parameters
    ----------
    pre : bp.DynamicalSystem
        Source group with a boolean ``spike`` variable of ``conn.n_pre`` entries.
    post : bp.DynamicalSystem
        Target group (``conn.n_post`` neurons). :class:`~stp_brainpy.network.COBANeuron` receives
        the conductance exactly (``add_conductance``); any brainpy neuron receives the current
        ``g (E - V)`` or ``g`` through ``add_inp_fun``.
    conn : Connectivity or brainpy connector
        Synapses: a :class:`~stp_brainpy.network.Connectivity` (see :mod:`stp_brainpy.network.connectivity`)
        or a ``bp.conn`` / ``bp.connect`` connector (``bp.conn.FixedProb(0.1, seed=1)``,
        ``bp.conn.IJConn(i, j)``, ...), converted once to the same source-major layout
        (:func:`stp_brainpy.network.description.from_connector`, the description's conversion); the
        converted synapses are ``proj.conn``.
    weight : float or array (nnz,), default 1
        Weight per synapse, finite (nS for COBA into ``COBANeuron``); scalar or per synapse in CSR order.
        Under TM the delivered amount is ``weight · u⁺x⁻`` (a rested synapse delivers ``weight·U``).
    tau_s : float, default 5 ms, in (0, inf)
        Decay time constant of the post-synaptic conductance/current.
    E : float or None, default 0 mV
        Reversal potential (COBA); ``None`` for a current-based output.
    U, tau_f, tau_d : float or array (nnz,) or None
        TM parameters: U in (0, 1], tau_f/tau_d in (0, inf) ms (keyword-only). ``U=None`` gives a
        static synapse. Scalars keep one state per source (fast path); arrays keep one per synapse.
    delay : float, default 0.1 ms, finite, in [0, inf)
        Axonal delay, rounded to whole steps, at least one (:func:`~stp_brainpy.core.delays.delay_steps`).
    backend : {'auto', 'native', 'xla'}
        Event delivery (see :mod:`stp_brainpy.network.events`).
    name, mode : brainpy naming and computing mode.

    Example
    -------
    >>> import brainpy as bp
    >>> from stp_brainpy.network import COBANeuron, EventSTPProjection, bernoulli
    >>> E = COBANeuron(80); I = COBANeuron(20)
    >>> proj = EventSTPProjection(E, I, bernoulli(80, 20, 0.1, seed=1), weight=30., tau_s=5., E=0.,
    ...                           U=0.2, tau_f=2., tau_d=150., delay=0.1)
    >>> net = bp.DynSysGroup(E=E, I=I, proj=proj)
    >>> runner = bp.DSRunner(net, monitors={'spk': E.spike}, progress_bar=False)
    >>> runner.run(50.)
    """

    def __init__(self, pre, post, conn: Any, weight=1.0, tau_s: float = 5.0, E: Optional[float] = 0.0,
                 U=None, *, tau_f=None, tau_d=None, delay: float = 0.1, backend: str = "auto",
                 name: Optional[str] = None, mode: Optional[bm.Mode] = None):
        super().__init__(name=name, mode=mode)
        for who, obj in (("pre", pre), ("post", post)):
            if not hasattr(obj, "num"):
                raise TypeError(f"{who} must be a brainpy group (with .num); got {type(obj).__name__}")
        if is_connector(conn):
            conn = from_connector(conn, pre.num, post.num)
        elif not isinstance(conn, Connectivity):
            raise TypeError(f"conn must be a stp_brainpy.network.Connectivity or a bp.conn connector; "
                            f"got {type(conn).__name__}")
        if not hasattr(pre, "spike"):
            raise TypeError(f"pre must have a boolean 'spike' variable; got {type(pre).__name__}")
        if pre.num != conn.n_pre or post.num != conn.n_post:
            raise ValueError(f"conn is {conn.n_pre}x{conn.n_post} but pre has {pre.num} and post {post.num} neurons")
        check_choice("backend", backend, BACKENDS)
        check_number("tau_s", tau_s)
        check_positive("tau_s", tau_s)
        if E is not None:
            check_finite("E", E, "mV")
        check_finite("weight", weight, "nS")
        w = np.asarray(weight, float)
        if w.ndim > 1 or (w.ndim == 1 and w.size != conn.nnz):
            raise ValueError(f"weight must be a scalar or one value per synapse ({conn.nnz}); got shape {w.shape}")
        check_finite("delay", delay, "ms")
        check_range("delay", delay, 0.0, None, unit="ms")
        self.pre, self.post, self.conn = pre, post, conn
        self.tau_s, self.E, self.backend = float(tau_s), E, backend
        self.delay = float(delay)
        self.stp = U is not None
        if self.stp:
            if tau_f is None or tau_d is None:
                raise ValueError("tau_f and tau_d must be given with U (or U=None for a static synapse)")
            for name, v in (("U", U), ("tau_f", tau_f), ("tau_d", tau_d)):
                check_number(name, v)
                if np.ndim(v) > 1 or (np.ndim(v) == 1 and np.size(v) != conn.nnz):
                    raise ValueError(f"{name} must be a scalar or one value per synapse ({conn.nnz}); "
                                     f"got shape {np.shape(v)}")
            validate_stp_params(U=U, tau_f=tau_f, tau_d=tau_d)
        elif tau_f is not None or tau_d is not None:
            raise ValueError("tau_f/tau_d given without U; pass U for a TM synapse (or neither for a static one)")
        per_syn = [np.ndim(a) > 0 for a in (U, tau_f, tau_d)]
        self.per_synapse = self.stp and any(per_syn)
        dtype = bm.float_
        self.targets = bm.asarray(conn.targets, dtype=jnp.int32)
        if w.ndim == 0 and not self.per_synapse:
            self.weights = None
            self.weight = float(w)
        else:
            self.weights = bm.asarray(conn.ell_values(np.broadcast_to(w, (conn.nnz,)), 0.0), dtype=dtype)
            self.weight = 1.0
        if self.per_synapse:
            # padding gets harmless parameters; padded slots never deliver
            self.U = bm.asarray(conn.ell_values(np.broadcast_to(U, (conn.nnz,)), 0.5), dtype=dtype)
            self.tau_f = bm.asarray(conn.ell_values(np.broadcast_to(tau_f, (conn.nnz,)), 1.0), dtype=dtype)
            self.tau_d = bm.asarray(conn.ell_values(np.broadcast_to(tau_d, (conn.nnz,)), 1.0), dtype=dtype)
        else:
            self.U, self.tau_f, self.tau_d = U, tau_f, tau_d
        self.reset_state(self.mode)
        # connect the output to the post group
        if E is not None and hasattr(post, "add_conductance"):
            post.add_conductance(self.name, lambda: self.g.value, E)
        elif E is not None:
            post.add_inp_fun(self.name, lambda V: self.g.value * (self.E - V))
        else:
            post.add_inp_fun(self.name, lambda *args, **kw: self.g.value)

    def reset_state(self, batch_or_mode=None, **kwargs):
        n_pre, n_post = self.conn.n_pre, self.conn.n_post
        self.g = variable_(bm.zeros, batch_or_mode, shape=(n_post,))
        self.efficacy = variable_(bm.zeros, batch_or_mode, shape=(n_pre,) if not self.per_synapse
                                           else self.conn.targets.shape)
        state_shape = self.conn.targets.shape if self.per_synapse else (n_pre,)
        if self.stp:
            self.u = variable_(bm.zeros, batch_or_mode, shape=state_shape)
            self.x = variable_(bm.ones, batch_or_mode, shape=state_shape)
        dt = bm.get_dt()
        self.n_ring = delay_steps(self.delay, dt) - 1  # one step comes from the update order
        if self.n_ring:
            self.ring = variable_(bm.zeros, batch_or_mode, shape=(self.n_ring, n_pre))
        self.i = bm.Variable(jnp.zeros((), jnp.int32))

    def update(self):
        dt = bp.share.load("dt")
        spike = self.pre.spike.value
        if self.per_synapse:
            spike_in = spike
        else:
            state = STPState(self.u.value, self.x.value) if self.stp else None
            state, eff = source_release(state, spike, 1.0, self.U, self.tau_f, self.tau_d, dt)
            if self.stp:
                self.u.value, self.x.value = state
                self.efficacy.value = eff
            spike_in = self.weight * eff
        if self.n_ring:  # delay the per-source values (or spike indicators)
            i = self.i.value
            arriving = ring_read(self.ring.value, i)
            self.ring.value = ring_write(self.ring.value, i, spike_in)
            self.i.value = i + 1
        else:
            arriving = spike_in
        if self.per_synapse:
            # TM state per synapse, advanced when the (delayed) spike reaches the synapse:
            # all synapses of a source share the delay, so this equals release at emission.
            arriving = arriving.astype(self.u.dtype)
            state, eff = stp_step(STPState(self.u.value, self.x.value), arriving[:, None] != 0,
                                  self.U, tau_f=self.tau_f, tau_d=self.tau_d, dt=dt, method="exact")
            self.u.value, self.x.value = state
            self.efficacy.value = eff
            drive = deliver(arriving, self.targets, self.conn.n_post, weights=self.weights * eff,
                            backend=self.backend)
        else:
            drive = deliver(arriving.astype(self.g.dtype), self.targets, self.conn.n_post, weights=self.weights,
                            backend=self.backend)
        self.g.value = exp_decay_step(self.g.value, drive, self.tau_s, dt)
        return self.g.value

