r"""Tsodyks–Markram STP synapse between two neuron groups, with the homework's signature.

Equations: :mod:`stp_brainpy.core.stp` (variant ``tm``). References: Tsodyks & Markram (1997),
PNAS 94:719–723; Tsodyks, Pawelzik & Markram (1998), Neural Comput. 10:821–835; NEST's
``tsodyks2_synapse`` documentation; the homework's ``brainmodels.synapses.STP``.
"""
from __future__ import annotations

from typing import Any, Optional, Union

import brainpy as bp
import brainpy.math as bm
import jax
import jax.numpy as jnp
import numpy as np

from ..core import stp as _stp
from ..core.stp import STPState, exp_decay_step, stp_step, validate_stp_params
from ..core.validation import check_finite, check_number, check_range

__all__ = ["STP", "as_connector"]

Param = Union[float, np.ndarray, jax.Array]


def as_connector(conn: Any, pre_num: int, post_num: int) -> bp.connect.TwoEndConnector:
    """A built ``bp.connect`` connector from a connector, a dense (pre, post) matrix or ``(pre_ids, post_ids)``."""
    if isinstance(conn, bp.connect.TwoEndConnector):
        if conn.pre_num is None or conn.post_num is None:
            return conn(pre_num, post_num)
        if (conn.pre_num, conn.post_num) != (pre_num, post_num):
            raise ValueError(f"conn was built for ({conn.pre_num}, {conn.post_num}) neurons; "
                             f"pre and post have ({pre_num}, {post_num})")
        return conn
    if isinstance(conn, (tuple, list)) and len(conn) == 2:
        i, j = (np.asarray(a, dtype=int).ravel() for a in conn)
        if i.shape != j.shape:
            raise ValueError(f"conn pairs need as many pre as post indices; got {i.size} and {j.size}")
        check_range("conn pre index", i, 0, pre_num - 1)
        check_range("conn post index", j, 0, post_num - 1)
        return bp.connect.IJConn(i=i, j=j)(pre_num, post_num)
    mat = np.asarray(conn)
    if mat.shape != (pre_num, post_num):
        raise ValueError(f"conn matrix must have shape (pre.num, post.num) = ({pre_num}, {post_num}); got {mat.shape}")
    return bp.connect.MatConn(mat.astype(bool))(pre_num, post_num)


class STP(bp.Projection):
    r"""Tsodyks–Markram short-term plasticity synapse with an exponential current (homework form).

    .. math::

        \frac{du}{dt} = -\frac{u}{\tau_f} + U(1-u^-)\,\delta(t-t_{sp}), \quad
        \frac{dx}{dt} = \frac{1-x}{\tau_d} - u^+x^-\,\delta(t-t_{sp}), \quad
        \frac{dI}{dt} = -\frac{I}{\tau} + A\,u^+x^-\,\delta(t-t_{sp}),

    with :math:`u(0)=0`, :math:`x(0)=1`, :math:`I(0)=0`. At a presynaptic spike
    :math:`u^+ = u^- + U(1-u^-)`, the efficacy is :math:`e = u^+x^-`, then :math:`x^+ = x^- - e` and
    :math:`I^+ = I^- + A e`. Every step calls :func:`stp_brainpy.core.stp.stp_step` and
    :func:`~stp_brainpy.core.stp.exp_decay_step`; with ``method='exact'`` the efficacies of
    spikes on the time grid do not depend on ``dt``.

    State ``u``, ``x``, ``I`` and ``efficacy`` are kept per connection (``num`` synapses, as
    brainmodels did, so ``runner.mon['syn.u'][:, 0]`` reads the first synapse) — which lets
    every parameter vary per synapse. The post-synaptic neuron ``j`` receives
    :math:`\sum_{k: post(k)=j} I_k` in its ``input`` variable at every step.

    Timing: like every brainpy projection it updates before the neurons of a ``bp.Network``
    step, so it sees the presynaptic spikes of the previous step; ``delay`` adds
    ``round(delay/dt)`` more steps. Efficacies do not depend on this shift.

    Where brainpy's built-in ``bp.dyn.STP`` / ``bp.synapses.STP`` differ: ``bp.dyn.STP`` starts
    ``u`` at ``U`` (the first spike does not release ``U``) and returns :math:`u^+x^+` (what is
    left after the release) instead of the released :math:`u^+x^-`; brainmodels 0.4.1 applied the
    current jump on the wrong branch of its ``where``. This class follows the equations above.

    ==========  =====  =======  ============  ===============================================
    parameter   unit   default  valid range   meaning
    ==========  =====  =======  ============  ===============================================
    ``U``       --     0.15     (0, 1]        increment of ``u`` per spike
    ``tau_f``   ms     1500     [0, inf]      facilitation (0: none, ``u⁺ = U`` at every spike)
    ``tau_d``   ms     200      (0, inf]      recovery of ``x`` (inf: none)
    ``tau``     ms     8        (0, inf]      decay of the current ``I``
    ``A``       --     1        finite        current per unit efficacy
    ``delay``   ms     0        [0, inf)      synaptic delay, rounded to whole steps of ``dt``
    ``u0``      --     0        [0, 1]        initial ``u`` (also after ``reset_state``)
    ``x0``      --     1        [0, 1]        initial ``x``
    ``method``  --     'exact'  exact, euler  time stepping (:mod:`stp_brainpy.core.stp`);
                                              ``'euler'`` needs ``dt`` below every τ
    ==========  =====  =======  ============  ===============================================

    Bad concrete parameters are refused at construction: ``ValueError`` naming the parameter, its
    range and the value (``U must lie in (0, 1]; got 1.5``), ``TypeError`` for strings and other
    non-numbers.

    Parameters
    ----------
    pre, post : bp.DynamicalSystem
        Neuron groups; ``pre`` has a ``spike`` variable, ``post`` an ``input`` variable.
    conn : bp.connect.TwoEndConnector, array (pre.num, post.num) or (pre_ids, post_ids)
        Connectivity: any ``bp.connect`` connector (All2All, One2One, FixedProb, ...), a dense
        boolean matrix or index pairs.
    U, tau_f, tau_d, tau, A, delay, u0, x0, method
        As in the table above; every parameter but ``delay`` and ``method`` may be an array.

    Parameters are scalars, per-connection arrays of shape ``(num,)``, or a batch of parameter
    sets of shape ``(B, 1)`` / ``(B, num)``: one compiled run then covers all ``B`` sets, the
    state gets shape ``(B, num)`` and ``post`` must be batched (``post.input`` of shape
    ``(B, post.num)``, e.g. ``mode=bm.BatchingMode(B)``). In a batching mode the batch axis
    comes from the mode.

    Example
    -------
    >>> import brainpy as bp
    >>> from stp_brainpy.neurons import LIF
    >>> from stp_brainpy.synapses import STP
    >>> pre, post = LIF(1), LIF(1)
    >>> syn = STP(pre, post, bp.connect.All2All(), U=0.2, tau_d=150., tau_f=2.)
    >>> net = bp.Network(pre=pre, syn=syn, post=post)
    >>> runner = bp.DSRunner(net, inputs=[('pre.input', 28.)], monitors=['syn.u', 'syn.x', 'syn.I'],
    ...                      progress_bar=False)
    >>> _ = runner.run(150.)
    >>> round(float(runner.mon['syn.I'].max()), 3)   # first release: U = 0.2
    0.2

    References
    ----------
    Tsodyks, M. & Markram, H. (1997). The neural code between neocortical pyramidal neurons depends on
    neurotransmitter release probability. PNAS 94, 719–723.
    Tsodyks, M., Pawelzik, K. & Markram, H. (1998). Neural networks with dynamic synapses. Neural
    Computation 10, 821–835.
    NEST ``tsodyks2_synapse`` model documentation (same equations with ``u = U``, ``x = 1``).
    The homework's ``brainmodels.synapses.STP`` (signature and defaults kept).
    """

    def __init__(self, pre: bp.DynamicalSystem, post: bp.DynamicalSystem, conn: Any, U: Param = 0.15,
                 tau_f: Param = 1500.0, tau_d: Param = 200.0, tau: Param = 8.0, A: Param = 1.0,
                 delay: float = 0.0, method: str = "exact", name: Optional[str] = None,
                 mode: Optional[bm.Mode] = None, *, u0: Param = 0.0, x0: Param = 1.0):
        dt = bm.get_dt()
        for pname, pval in (("U", U), ("tau_f", tau_f), ("tau_d", tau_d), ("tau", tau), ("A", A), ("u0", u0),
                            ("x0", x0), ("delay", delay)):
            check_number(pname, pval)  # None is not "unset" here: every parameter has a value
        pshape = validate_stp_params(U=U, tau_f=tau_f, tau_d=tau_d, dt=dt, method=method, u0=u0, x0=x0, A=A, tau=tau)
        # the homework's name for the current's decay is tau (the core calls it tau_s)
        check_number("tau", tau)
        check_range("tau", tau, 0.0, float("inf"), low_open=True, unit="ms")
        _stp._check_step(dt, method, tau=tau)
        check_number("A", A)
        check_finite("A", A)
        check_number("delay", delay)
        if np.ndim(delay) != 0:
            raise ValueError(f"delay must be a single number (ms); got shape {np.shape(delay)}")
        check_range("delay", delay, 0.0, float("inf"), high_open=True, unit="ms")
        super().__init__(name=name, mode=mode)
        for who, obj, var in (("pre", pre, "spike"), ("post", post, "input")):
            if not hasattr(obj, var):
                raise ValueError(f"{who} must have a '{var}' variable (a brainpy neuron group); got {obj!r}")
        self.pre, self.post = pre, post
        self.conn = as_connector(conn, pre.num, post.num)
        # one require call: random connectors redraw on every call
        pre_ids, post_ids = self.conn.require("pre_ids", "post_ids")
        self.pre_ids = jnp.asarray(pre_ids)
        self.post_ids = jnp.asarray(post_ids)
        self.num = int(self.pre_ids.size)

        base = (self.num,)
        if isinstance(self.mode, bm.BatchingMode):
            base = (self.mode.batch_size, self.num)
        try:
            self.state_shape = tuple(np.broadcast_shapes(pshape, base))
        except ValueError:
            raise ValueError(
                f"parameter shape {pshape} does not broadcast against the synapse state shape {base} "
                "(batch..., number of synapses); give scalars, per-connection arrays (num,) or a batch (B, 1)"
            ) from None
        batch = self.state_shape[:-1]
        self.current_shape = batch + (post.num,)
        # groups may keep a geometry (keep_size=True): spikes and inputs are flattened / reshaped
        self._post_input_shape = batch + tuple(getattr(post, "varshape", (post.num,)))
        post_shape = tuple(np.shape(post.input))
        if post_shape != self._post_input_shape:
            raise ValueError(f"post.input has shape {post_shape} but the synapse delivers {self._post_input_shape}; "
                             "batch the post group with the same batch size as the parameters")
        spike_shape = tuple(np.shape(pre.spike))
        pre_geometry = tuple(getattr(pre, "varshape", (pre.num,)))
        self._spike_lead = spike_shape[:len(spike_shape) - len(pre_geometry)]
        if spike_shape[len(self._spike_lead):] != pre_geometry or self._spike_lead not in ((), batch):
            raise ValueError(f"pre.spike has shape {spike_shape}; expected {pre_geometry} or batch + {pre_geometry} "
                             f"with batch {batch}")

        f = bm.float_
        self.U, self.tau_f, self.tau_d, self.tau, self.A = (jnp.asarray(bm.as_jax(p), f)
                                                            for p in (U, tau_f, tau_d, tau, A))
        self.u0, self.x0 = (jnp.asarray(bm.as_jax(p), f) for p in (u0, x0))
        self.method = method
        self.delay = float(delay)
        self.delay_steps = int(round(self.delay / dt))
        self._spike_shape = spike_shape
        self.reset_state()

    def reset_state(self, batch_or_mode=None, **kwargs):
        f = bm.float_
        batch_axis = 0 if len(self.state_shape) > 1 else None
        self.u = bm.Variable(jnp.broadcast_to(self.u0, self.state_shape).astype(f), batch_axis=batch_axis)
        self.x = bm.Variable(jnp.broadcast_to(self.x0, self.state_shape).astype(f), batch_axis=batch_axis)
        self.I = bm.Variable(jnp.zeros(self.state_shape, f), batch_axis=batch_axis)
        self.efficacy = bm.Variable(jnp.zeros(self.state_shape, f), batch_axis=batch_axis)
        if self.delay_steps:
            self.spike_ring = bm.Variable(jnp.zeros((self.delay_steps,) + self._spike_shape, bool))
            self.ring_index = bm.Variable(jnp.zeros((), jnp.int32))

    def _delayed_spike(self):
        spike = self.pre.spike.value
        if not self.delay_steps:
            return spike
        # ring of the last D spike vectors: read what was written D steps ago, then overwrite it
        i = self.ring_index.value
        old = jax.lax.dynamic_index_in_dim(self.spike_ring.value, i, keepdims=False)
        self.spike_ring.value = jax.lax.dynamic_update_index_in_dim(self.spike_ring.value, spike, i, 0)
        self.ring_index.value = (i + 1) % self.delay_steps
        return old

    def update(self):
        dt = bp.share.load("dt")
        spike = self._delayed_spike()
        spike = spike.reshape(self._spike_lead + (self.pre.num,))[..., self.pre_ids]
        state, eff = stp_step(STPState(self.u.value, self.x.value), spike, self.U, tau_f=self.tau_f,
                              tau_d=self.tau_d, dt=dt, method=self.method)
        I = exp_decay_step(self.I.value, self.A * eff, self.tau, dt, self.method)
        self.u.value, self.x.value = state
        self.I.value = I
        self.efficacy.value = eff
        current = jnp.zeros(self.current_shape, I.dtype).at[..., self.post_ids].add(I)
        self.post.input.value = self.post.input.value + current.reshape(self._post_input_shape)
        return current
