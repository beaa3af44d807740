r"""Per-presynaptic Tsodyks–Markram STP as a brainpy.state module, over :mod:`stp_brainpy.core.stp`."""
from __future__ import annotations

from typing import Any, Optional

import brainevent
import brainpy.state as bps
import brainstate
import jax.numpy as jnp
import numpy as np

from ..core import stp as core_stp
from ..core.validation import check_choice, check_method, check_range
from ..units import to_unit
from ._env import dt_ms

__all__ = ["PresynapticSTP", "spike_values", "MODELS"]

#: The variants (stp_brainpy.core.family): tm (this package, NEST tsodyks2), markram, tm3 (NEST
#: tsodyks_synapse), quantal (NEST quantal_stp_synapse).
MODELS = ("tm", "markram", "tm3", "quantal")


def _core(model: str):
    """The core module that holds ``model``'s equations."""
    import importlib

    return importlib.import_module(f"stp_brainpy.core.{'stp' if model == 'tm' else model}")


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
    r"""Short-term plasticity of each presynaptic neuron, exact, for brainpy.state projections.

    One state per presynaptic neuron; every synapse of a neuron shares it (the usual "align-pre"
    STP: put it before the connection). :meth:`update` takes the spikes of one step
    (``brainstate.environ``'s ``dt``) and returns the efficacy of each neuron (0 where there is no
    spike), computed by the core module of ``model`` (its time-stepped ``step``; efficacies of
    spikes on the grid do not depend on ``dt`` and equal the core's event-driven ones):

    ``'tm'`` (default; :func:`stp_brainpy.core.stp.stp_step`)
        u rests at 0. On a spike :math:`u^+ = u^- + U(1 - u^-)`, :math:`e = u^+ x^-`,
        :math:`x^+ = x^- - e`; between spikes :math:`u \to u\,e^{-\Delta/\tau_f}`,
        :math:`x \to 1 - (1 - x)e^{-\Delta/\tau_d}`. The released amount uses the state *after*
        this step's decay and *before* the release, so the first spike from rest releases exactly
        ``U``. NEST ``tsodyks2_synapse`` with ``u = U, x = 1``; the homework's model.
    ``'markram'`` (:mod:`stp_brainpy.core.markram`)
        u relaxes to U; a spike raises u by :math:`f(1-u)`; efficacy :math:`u^- x^-`
        (``read='before'``, Markram et al. 1998) or :math:`u^+x^-` (``read='after'``, Mongillo et
        al. 2008 with f = U).
    ``'tm3'`` (:mod:`stp_brainpy.core.tm3`)
        three states x, y, z (Tsodyks, Uziel & Markram 2000; NEST ``tsodyks_synapse``); state
        ``y`` is the active fraction (current/conductance shape).
    ``'quantal'`` (:mod:`stp_brainpy.core.quantal`)
        ``n`` release sites (NEST ``quantal_stp_synapse``), random draws from
        ``brainstate.random`` (seed with ``brainstate.random.seed``); the efficacy is the number of
        sites released divided by ``n`` (its mean is the ``tm`` efficacy; NEST's delivered weight
        is ``w·n·efficacy``); state ``a`` counts the available sites.

    brainpy.state's own :class:`brainpy.state.STP` differs: it starts ``u`` at ``U`` and its jumps
    use the previous step's ``u`` and ``x`` (an O(dt) error), so for U = 0.5, tau_f = 50 ms and a
    first spike at 10 ms it releases 0.70 instead of 0.50.

    ===========  ====  ========  ===============================================================
    parameter    unit  default   range
    ===========  ====  ========  ===============================================================
    ``U``        1     0.15      (0, 1], release increment (markram: resting utilisation)
    ``tau_f``    ms    1500      [0, inf]: facilitation decay (0: none, NEST's convention)
    ``tau_d``    ms    200       (0, inf]: recovery of resources
    ``model``    --    'tm'      'tm', 'markram', 'tm3', 'quantal'
    ``f``        1     U         [0, 1], markram's facilitation increment
    ``read``     --    'before'  markram: 'before' or 'after' the jump
    ``tau_psc``  ms    3         [0, inf], tm3's inactivation time
    ``n``        --    1         integer >= 1, quantal's release sites
    ``u0``       1     0 (U)     [0, 1], ``u`` at :meth:`init_state` (markram: U)
    ``x0``       1     1         [0, 1], ``x`` at :meth:`init_state`
    ``method``   --    'exact'   'exact'; 'tm' also 'euler' (the Neuromatch tutorial's Euler)
    ===========  ====  ========  ===============================================================

    Times take brainunit Quantities (``tau_f=2 * u.second``) or bare numbers in ms; a wrong
    dimension raises :class:`stp_brainpy.units.UnitError`. Parameters may be arrays of the
    population's shape (one value per neuron). States ``u``, ``x`` (``y``; ``a``) are
    ``brainstate.HiddenState``; ``efficacy`` (the last step's output) is a
    ``brainstate.ShortTermState``: record them like any brainpy.state variable.

    Works as a pre-processing module of brainpy.state projections whose communication takes graded
    values: ``brainpy.state.DeltaProj(stp, comm=..., post=...)``, ``AlignPostProj(stp, comm=...)``,
    with :class:`~stp_brainpy.state.EventConn`, ``brainstate.nn.Linear`` or
    ``brainstate.nn.SparseLinear``. brainstate's ``EventFixedProb`` treats its input as binary
    events and would drop the efficacy.

    References: Tsodyks & Markram (1997) PNAS 94:719; Markram, Wang & Tsodyks (1998) PNAS 95:5323;
    Tsodyks, Uziel & Markram (2000) J. Neurosci. 20:RC50; Fuhrmann et al. (2002) J. Neurophysiol.
    87:140; Mongillo, Barak & Tsodyks (2008) Science 319:1543; NEST ``tsodyks2_synapse``,
    ``tsodyks_synapse``, ``quantal_stp_synapse``.

    Example::

        >>> import brainstate, brainunit as u, jax.numpy as jnp
        >>> from stp_brainpy.state import PresynapticSTP
        >>> brainstate.environ.set(dt=0.1 * u.ms)
        >>> stp = PresynapticSTP(2, U=0.5, tau_f=100 * u.ms, tau_d=800 * u.ms)
        >>> stp.init_state()
        >>> [round(float(e), 3) for e in stp.update(jnp.array([1.0, 0.0]))]
        [0.5, 0.0]
        >>> mk = PresynapticSTP(1, U=0.2, f=0.3, tau_f=500 * u.ms, tau_d=200 * u.ms, model="markram", read="after")
        >>> mk.init_state()
        >>> round(float(mk.update(jnp.array([1.0]))[0]), 3)    # u+ = 0.2 + 0.3 (1 - 0.2)
        0.44
    """

    __module__ = "stp_brainpy.state"

    def __init__(self, in_size, U=0.15, *, tau_f=1500.0, tau_d=200.0, model: str = "tm", f=None, read: str = "before",
                 tau_psc=3.0, n: int = 1, u0=None, x0=1.0, method: str = "exact", name: Optional[str] = None):
        super().__init__(in_size=in_size, name=name)
        self.model = check_choice("model", model, MODELS)
        p = _tm_params(U, tau_f, tau_d) if model == "tm" else {
            "U": to_unit("U", U, "1"), "tau_f": to_unit("tau_f", tau_f, "ms"), "tau_d": to_unit("tau_d", tau_d, "ms")}
        self.method = check_method(method)
        if model != "tm" and method != "exact":
            raise ValueError(f"method must be 'exact' for model {model!r} (only 'tm' has the tutorial's Euler form); "
                             f"got {method!r}")
        shape = tuple(self.varshape)
        dtype = brainstate.environ.dftype()
        extra = {"f": to_unit("f", p["U"] if f is None else f, "1"), "tau_psc": to_unit("tau_psc", tau_psc, "ms")}
        for key, val in {**p, **extra}.items():
            if np.shape(val) and np.broadcast_shapes(np.shape(val), shape) != shape:
                raise ValueError(f"{key} must be a scalar or broadcast to the population shape {shape}; "
                                 f"got shape {np.shape(val)}")
        arr = lambda v: jnp.asarray(v, dtype)  # noqa: E731
        self.U, self.tau_f, self.tau_d = arr(p["U"]), arr(p["tau_f"]), arr(p["tau_d"])
        self.read, self.n = read, n
        core = _core(model)
        if model == "markram":
            self.params = core.make_params(self.U, f=arr(extra["f"]), tau_f=self.tau_f, tau_d=self.tau_d)
            core.validate_params(read=read)
        elif model == "tm3":
            self.params = core.make_params(self.U, tau_f=self.tau_f, tau_d=self.tau_d, tau_psc=arr(extra["tau_psc"]))
        elif model == "quantal":
            self.n = core.validate_params(n=n)
            self.params = core.make_params(self.U, tau_f=self.tau_f, tau_d=self.tau_d)
        u0 = (p["U"] if model == "markram" else 0.0) if u0 is None else u0
        for key, val in (("u0", u0), ("x0", x0)):
            check_range(key, to_unit(key, val, "1"), 0.0, 1.0)
        self.u0, self.x0 = to_unit("u0", u0, "1"), to_unit("x0", x0, "1")

    def _full(self, value, batch_size, dtype=None):
        shape = tuple(self.varshape) if batch_size is None else (batch_size,) + tuple(self.varshape)
        return jnp.broadcast_to(jnp.asarray(value, dtype or brainstate.environ.dftype()), shape)

    def _initial(self, batch_size):
        init = {"u": self._full(self.u0, batch_size), "efficacy": self._full(0.0, batch_size)}
        if self.model == "quantal":
            init["a"] = self._full(self.n, batch_size, jnp.int32)  # all sites available
        else:
            init["x"] = self._full(self.x0, batch_size)
        if self.model == "tm3":
            init["y"] = self._full(0.0, batch_size)
        return init

    def init_state(self, batch_size: Optional[int] = None, **kwargs):
        for key, val in self._initial(batch_size).items():
            kind = brainstate.ShortTermState if key == "efficacy" else brainstate.HiddenState
            setattr(self, key, kind(val))

    def reset_state(self, batch_size: Optional[int] = None, **kwargs):
        for key, val in self._initial(batch_size).items():
            getattr(self, key).value = val

    def update(self, pre_spike):
        """Advance one step of ``brainstate.environ``'s ``dt``; returns the efficacy on spiking neurons."""
        spike = spike_values(pre_spike)
        dt, core = dt_ms(), _core(self.model)
        if self.model == "tm":
            state, eff = core.stp_step(core.STPState(self.u.value, self.x.value), spike, self.U, tau_f=self.tau_f,
                                       tau_d=self.tau_d, dt=dt, method=self.method)
        elif self.model == "markram":
            state, eff = core.step(core.MarkramState(self.u.value, self.x.value), spike, self.params, dt, read=self.read)
        elif self.model == "tm3":
            state, eff = core.step(core.TM3State(self.u.value, self.x.value, self.y.value), spike, self.params, dt)
            self.y.value = state.y
        else:
            key = brainstate.random.split_key()
            state, released = core.step(core.QuantalState(self.u.value, self.a.value), spike, self.params, dt,
                                        key=key, n=self.n)
            self.a.value = state.a
            eff = released / self.n
        self.u.value = state.u
        if self.model != "quantal":
            self.x.value = state.x
        self.efficacy.value = eff
        return eff
