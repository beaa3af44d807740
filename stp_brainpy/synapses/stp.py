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
from ..core.delays import delay_steps, ring_read, ring_write
from ..core.stp import exp_decay_step
from ..core.validation import check_finite, check_number, check_range
from ..units import to_units
from . import _models

__all__ = ["STP", "as_connector"]

Param = Union[float, np.ndarray, jax.Array]

# unit of every parameter that has one (stp_brainpy.units): Quantities are converted, bare numbers taken as is
_UNITS = {"U": "1", "f": "1", "u0": "1", "x0": "1", "tau_f": "ms", "tau_d": "ms", "tau": "ms", "tau_psc": "ms",
          "delay": "ms"}


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

    Timing (the package's one delay rule, :func:`stp_brainpy.core.delays.delay_steps`): a spike
    emitted by ``pre`` at step ``m`` acts at step ``m + D`` with ``D = max(1, round(delay/dt))``,
    so ``delay=0`` and ``delay=dt`` both mean the next step (as before for ``delay=0``, which the
    homework uses), ``delay=1.5`` at ``dt=0.1`` means 15 steps. Like every brainpy projection this
    one updates before the neurons of a ``bp.Network`` step, which gives one of the ``D`` steps; a
    ring of ``D - 1`` spike vectors gives the rest. (Earlier versions kept ``round(delay/dt)`` ring
    slots on top of the update order: a lag of ``1 + round(delay/dt)``.) Efficacies do not depend
    on the lag.

    Models (``model=``, the deterministic variants of :mod:`stp_brainpy.core.family`), each
    stepped by its core ``step``: ``'tm'`` (the equations above, :func:`~stp_brainpy.core.stp.stp_step`),
    ``'markram'`` (``u`` relaxes to ``U``, a spike raises it by ``f(1-u)``, efficacy read
    ``read='before'`` or ``'after'`` the jump; :func:`stp_brainpy.core.markram.step`), ``'tm3'``
    (three states with inactivation ``tau_psc``, NEST ``tsodyks_synapse``; the active fraction is
    the variable ``y``; :func:`stp_brainpy.core.tm3.step`). In every model the current ``I`` jumps by
    ``A`` times the efficacy and decays with ``tau``. ``method='euler'`` exists for ``'tm'`` only.

    Where brainpy's built-in ``bp.dyn.STP`` / ``bp.synapses.STP`` differ: ``bp.dyn.STP`` starts
    ``u`` at ``U`` (the first spike does not release ``U``) and returns :math:`u^+x^+` (what is
    left after the release) instead of the released :math:`u^+x^-`; brainmodels 0.4.1 applied the
    current jump on the wrong branch of its ``where``. This class follows the equations above.

    ===========  =====  =======  =============  ===============================================
    parameter    unit   default  valid range    meaning
    ===========  =====  =======  =============  ===============================================
    ``U``        --     0.15     (0, 1]         increment of ``u`` per spike
    ``tau_f``    ms     1500     [0, inf]       facilitation (0: none, ``u⁺ = U`` at every spike)
    ``tau_d``    ms     200      (0, inf]       recovery of ``x`` (inf: none)
    ``tau``      ms     8        (0, inf]       decay of the current ``I``
    ``A``        --     1        finite         current per unit efficacy
    ``delay``    ms     0        [0, inf)       synaptic delay: ``max(1, round(delay/dt))`` steps
    ``u0``       --     rest     [0, 1]         initial ``u`` (0; ``U`` for markram); also after
                                                ``reset_state``
    ``x0``       --     1        [0, 1]         initial ``x``
    ``method``   --     'exact'  exact, euler   time stepping (:mod:`stp_brainpy.core.stp`);
                                                ``'euler'`` (tm only) needs ``dt`` below every τ
    ``model``    --     'tm'     tm, markram,   STP variant (see Models)
                                 tm3
    ``f``        --     U        [0, 1]         markram: increment of ``u`` per spike
    ``read``     --     before   before, after  markram: efficacy read before/after the jump
    ``tau_psc``  ms     3        [0, inf]       tm3: inactivation of the active fraction ``y``
    ===========  =====  =======  =============  ===============================================

    Units: time parameters may be brainunit Quantities (``tau_f=2 * u.ms``, ``delay=1 * u.ms``),
    converted by :mod:`stp_brainpy.units`; a Quantity of another dimension raises
    :class:`~stp_brainpy.units.UnitError` naming the parameter and the expected unit; bare numbers
    are taken in the units of the table.

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
    U, tau_f, tau_d, tau, A, delay, u0, x0, method, model, f, read, tau_psc
        As in the table above; every parameter but ``delay``, ``method``, ``model`` and ``read``
        may be an array.

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
    Markram, H., Wang, Y. & Tsodyks, M. (1998). PNAS 95, 5323–5328 (``markram``).
    Tsodyks, M., Uziel, A. & Markram, H. (2000). J. Neurosci. 20, RC50 (``tm3``).
    NEST ``tsodyks2_synapse`` model documentation (same equations with ``u = U``, ``x = 1``).
    The homework's ``brainmodels.synapses.STP`` (signature and defaults kept).
    """

    def __init__(self, pre: bp.DynamicalSystem, post: bp.DynamicalSystem, conn: Any, U: Param = 0.15,
                 tau_f: Param = 1500.0, tau_d: Param = 200.0, tau: Param = 8.0, A: Param = 1.0,
                 delay: float = 0.0, method: str = "exact", name: Optional[str] = None,
                 mode: Optional[bm.Mode] = None, *, u0: Optional[Param] = None, x0: Param = 1.0,
                 model: str = "tm", f: Optional[Param] = None, tau_psc: Optional[Param] = None,
                 read: str = "before"):
        dt = bm.get_dt()
        U, f, u0, x0, tau_f, tau_d, tau, tau_psc, delay = to_units(
            dict(U=U, f=f, u0=u0, x0=x0, tau_f=tau_f, tau_d=tau_d, tau=tau, tau_psc=tau_psc, delay=delay),
            _UNITS).values()
        model = _models.check_synapse_model(model, method, f, tau_psc, read)
        if u0 is None:
            u0 = _models.default_u0(model, U)
        for pname, pval in (("U", U), ("tau_f", tau_f), ("tau_d", tau_d), ("tau", tau), ("A", A), ("u0", u0),
                            ("x0", x0), ("delay", delay), ("f", f), ("tau_psc", tau_psc)):
            if pval is not None or pname not in ("f", "tau_psc"):
                check_number(pname, pval)  # None is not "unset" here: every parameter has a value
        pshape = _models.validate_synapse_params(model, U=U, tau_f=tau_f, tau_d=tau_d, f=f, tau_psc=tau_psc, u0=u0,
                                                 x0=x0, dt=dt, method=method, A=A, tau=tau)
        # the homework's name for the current's decay is tau (the core calls it tau_s)
        check_range("tau", tau, 0.0, float("inf"), low_open=True, unit="ms")
        _stp._check_step(dt, method, tau=tau)
        check_finite("A", A)
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

        base: tuple[int, ...] = (self.num,)
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

        fl = bm.float_
        as_f = lambda p: None if p is None else jnp.asarray(bm.as_jax(p), fl)  # noqa: E731
        self.U, self.tau_f, self.tau_d, self.tau, self.A = (as_f(p) for p in (U, tau_f, tau_d, tau, A))
        self.f, self.tau_psc = as_f(f), as_f(tau_psc)
        self.u0, self.x0 = as_f(u0), as_f(x0)
        self.model, self.method, self.read = model, method, read
        self.params = _models.params(model, U=self.U, tau_f=self.tau_f, tau_d=self.tau_d, f=self.f,
                                     tau_psc=self.tau_psc)
        self.delay = float(delay)
        # the package's one delay rule: a spike acts D steps after emission; the update order
        # (projections before neurons) gives one of them, the ring the other D - 1
        self.delay_steps = delay_steps(self.delay, dt)
        self._ring_slots = self.delay_steps - 1
        self._spike_shape = spike_shape
        self.reset_state()

    @classmethod
    def desc(cls, pre: bp.DynamicalSystem, post: bp.DynamicalSystem, conn: Any, *args, **kwargs) -> Any:
        """A description (``bp.mixin.ParamDescriber``) that builds ``STP(pre, post, conn, *args, **kwargs)``
        when called, like ``STPExpon.desc`` and brainpy's ``.desc`` of its own models.

        >>> import brainpy as bp
        >>> from stp_brainpy.neurons import LIF
        >>> from stp_brainpy.synapses import STP
        >>> d = STP.desc(LIF(2), LIF(3), bp.connect.All2All(), U=0.3)
        >>> syn = d()
        >>> syn.num, float(syn.U)
        (6, 0.3...)
        """
        return bp.mixin.ParamDescriber(cls, pre, post, conn, *args, **kwargs)

    def reset_state(self, batch_or_mode=None, **kwargs):
        f = bm.float_
        batch_axis = 0 if len(self.state_shape) > 1 else None
        for field, value in _models.initial(self.model, self.u0, self.x0).items():
            setattr(self, field, bm.Variable(jnp.broadcast_to(value, self.state_shape).astype(f), batch_axis=batch_axis))
        self.I = bm.Variable(jnp.zeros(self.state_shape, f), batch_axis=batch_axis)
        self.efficacy = bm.Variable(jnp.zeros(self.state_shape, f), batch_axis=batch_axis)
        if self._ring_slots:
            self.spike_ring = bm.Variable(jnp.zeros((self._ring_slots,) + self._spike_shape, bool))
            self.ring_index = bm.Variable(jnp.zeros((), jnp.int32))

    def _delayed_spike(self):
        spike = self.pre.spike.value
        if not self._ring_slots:
            return spike
        # ring of the last D - 1 spike vectors (core.delays): read what was written D - 1 steps ago, then overwrite
        i = self.ring_index.value
        old = ring_read(self.spike_ring.value, i)
        self.spike_ring.value = ring_write(self.spike_ring.value, i, spike)
        self.ring_index.value = (i + 1) % self._ring_slots
        return old

    def update(self):
        dt = bp.share.load("dt")
        spike = self._delayed_spike()
        spike = spike.reshape(self._spike_lead + (self.pre.num,))[..., self.pre_ids]
        fields = _models.FIELDS[self.model]
        state, eff = _models.step(self.model, tuple(getattr(self, k).value for k in fields), spike, self.params, dt,
                                  self.method, self.read)
        I = exp_decay_step(self.I.value, self.A * eff, self.tau, dt, self.method)
        for k, v in zip(fields, state):
            getattr(self, k).value = v
        self.I.value = I
        self.efficacy.value = eff
        current = jnp.zeros(self.current_shape, I.dtype).at[..., self.post_ids].add(I)
        self.post.input.value = self.post.input.value + current.reshape(self._post_input_shape)
        return current
