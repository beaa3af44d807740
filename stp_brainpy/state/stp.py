r"""Per-presynaptic Tsodyks–Markram STP as a brainpy.state module, over :mod:`stp_brainpy.core.stp`."""
from __future__ import annotations

from typing import Any, Optional

import brainevent
import brainpy.state as bps
import brainstate
import jax.numpy as jnp
import numpy as np

from ..core import stp as core_stp
from ..core.validation import check_method, check_range
from ..units import to_unit
from ._env import dt_ms

__all__ = ["PresynapticSTP", "spike_values"]


def spike_values(x: Any):
    """The plain array behind a spike input (brainevent's ``BinaryArray``/``EventArray`` unwrapped)."""
    return x.value if isinstance(x, brainevent.EventRepresentation) else x


def _tm_params(U, tau_f, tau_d) -> dict:
    """Quantities to ms, then the family's ranges (tau_f = 0: no facilitation, NEST's convention)."""
    p = {"U": to_unit("U", U, "1"), "tau_f": to_unit("tau_f", tau_f, "ms"), "tau_d": to_unit("tau_d", tau_d, "ms")}
    try:
        from ..core import family
    except ImportError:  # the family registry is not there yet: the core's own TM check
        core_stp.validate_stp_params(**p)
    else:
        family.validate("tm", **p)
    return p


class PresynapticSTP(bps.Synapse):
    r"""Tsodyks–Markram short-term plasticity of each presynaptic neuron (exact, u rests at 0).

    One ``(u, x)`` pair per presynaptic neuron; every synapse of a neuron shares it (the usual
    "align-pre" STP: put it before the connection). On a spike

    .. math::

        u^+ = u^- + U(1 - u^-), \qquad e = u^+ x^-, \qquad x^+ = x^- - e,

    and between spikes the exact solution :math:`u \to u\,e^{-\Delta/\tau_f}`,
    :math:`x \to 1 - (1 - x)e^{-\Delta/\tau_d}`. :meth:`update` takes the spikes of one step and
    returns the efficacy :math:`e = u^+x^-` per neuron (0 where there is no spike), computed by
    :func:`stp_brainpy.core.stp.stp_step`: the released amount uses the state *after* the decay of
    this step and *before* the release, so the first spike from rest releases exactly ``U``, and
    efficacies of spikes on the time grid do not depend on ``dt``. This is NEST's
    ``tsodyks2_synapse`` with ``u = U, x = 1`` and the homework's model.

    brainpy.state's own :class:`brainpy.state.STP` differs: it starts ``u`` at ``U`` (so the first
    spike releases :math:`U + U(1-U)`: 0.75 for U = 0.5 from rest, 0.70 with the first spike at
    10 ms, tau_f = 100 ms), and its jumps use the previous step's ``u`` and ``x`` (an O(dt) error).

    ==========  =========  =========  ============================================================
    parameter   unit       default    range
    ==========  =========  =========  ============================================================
    ``U``       1          0.15       (0, 1], release increment
    ``tau_f``   ms         1500       [0, inf]: facilitation decay (0: none, NEST's convention)
    ``tau_d``   ms         200        (0, inf]: recovery of resources
    ``u0``      1          0          [0, 1], ``u`` at :meth:`init_state`
    ``x0``      1          1          [0, 1], ``x`` at :meth:`init_state`
    ``method``  --         'exact'    'exact' or 'euler' (the Neuromatch tutorial's forward Euler)
    ==========  =========  =========  ============================================================

    Times take brainunit Quantities (``tau_f=2 * u.second``) or bare numbers in ms; a wrong
    dimension raises :class:`stp_brainpy.units.UnitError`. Parameters may be arrays of the
    population's shape (one value per neuron). States ``u``, ``x`` are ``brainstate.HiddenState``;
    ``efficacy`` (the last step's output) is a ``brainstate.ShortTermState``, so all three can be
    recorded like any brainpy.state variable.

    Works as a pre-processing module of brainpy.state projections whose communication takes graded
    values: ``brainpy.state.DeltaProj(stp, comm=..., post=...)``, ``AlignPostProj(stp, comm=...)``,
    with :class:`~stp_brainpy.state.EventConn`, ``brainstate.nn.Linear`` or
    ``brainstate.nn.SparseLinear``. brainstate's ``EventFixedProb`` treats its input as binary
    events and would drop the efficacy.

    References: Tsodyks & Markram (1997) PNAS 94:719; Tsodyks, Pawelzik & Markram (1998) Neural
    Comput. 10:821; NEST ``tsodyks2_synapse``.

    Example::

        >>> import brainstate, brainunit as u, jax.numpy as jnp
        >>> from stp_brainpy.state import PresynapticSTP
        >>> brainstate.environ.set(dt=0.1 * u.ms)
        >>> stp = PresynapticSTP(2, U=0.5, tau_f=100 * u.ms, tau_d=800 * u.ms)
        >>> stp.init_state()
        >>> [round(float(e), 3) for e in stp.update(jnp.array([1.0, 0.0]))]
        [0.5, 0.0]
    """

    __module__ = "stp_brainpy.state"

    def __init__(self, in_size, U=0.15, *, tau_f=1500.0, tau_d=200.0, u0=0.0, x0=1.0, method: str = "exact",
                 name: Optional[str] = None):
        super().__init__(in_size=in_size, name=name)
        p = _tm_params(U, tau_f, tau_d)
        self.method = check_method(method)
        for key in ("u0", "x0"):
            check_range(key, to_unit(key, locals()[key], "1"), 0.0, 1.0)
        self.u0, self.x0 = to_unit("u0", u0, "1"), to_unit("x0", x0, "1")
        shape = tuple(self.varshape)
        for key, val in p.items():
            if np.shape(val) and np.broadcast_shapes(np.shape(val), shape) != shape:
                raise ValueError(f"{key} must be a scalar or broadcast to the population shape {shape}; "
                                 f"got shape {np.shape(val)}")
        self.U, self.tau_f, self.tau_d = (jnp.asarray(p[k], dtype=brainstate.environ.dftype())
                                          for k in ("U", "tau_f", "tau_d"))

    def _full(self, value, batch_size):
        shape = tuple(self.varshape) if batch_size is None else (batch_size,) + tuple(self.varshape)
        return jnp.full(shape, value, dtype=brainstate.environ.dftype())

    def init_state(self, batch_size: Optional[int] = None, **kwargs):
        self.u = brainstate.HiddenState(self._full(self.u0, batch_size))
        self.x = brainstate.HiddenState(self._full(self.x0, batch_size))
        self.efficacy = brainstate.ShortTermState(self._full(0.0, batch_size))

    def reset_state(self, batch_size: Optional[int] = None, **kwargs):
        self.u.value = self._full(self.u0, batch_size)
        self.x.value = self._full(self.x0, batch_size)
        self.efficacy.value = self._full(0.0, batch_size)

    def update(self, pre_spike):
        """Advance one step of ``brainstate.environ``'s ``dt``; returns ``u⁺x⁻`` on spiking neurons."""
        spike = spike_values(pre_spike)
        state, eff = core_stp.stp_step(core_stp.STPState(self.u.value, self.x.value), spike, self.U,
                                       tau_f=self.tau_f, tau_d=self.tau_d, dt=dt_ms(), method=self.method)
        self.u.value, self.x.value = state.u, state.x
        self.efficacy.value = eff
        return eff
