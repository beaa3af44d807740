r"""A network description: populations, projections, external inputs, stimuli and recorders.

One :class:`Network` compiles to the fused simulator (:class:`~stp_brainpy.network.compile_fused.FusedNetwork`,
one ``lax.scan``) or to BrainPy classes (:func:`~stp_brainpy.network.compile_classes.to_brainpy`); both
give the same spikes, step for step.

Neurons (``Population.neuron``):

``CurrentLIF``  :math:`\tau_m \dot V = -(V - E_L) + I_{syn} + \mu + \sigma\sqrt{\tau_m}\,\xi(t)`, threshold
                ``V_th``, reset ``V_reset``, refractory ``tau_ref`` (V held at V_reset for
                ``ceil(tau_ref/dt)`` steps; inputs arriving then are dropped, as in NEST). Delta synapses add
                their weight (mV) to V; exponential current synapses add to :math:`I_{syn}` (mV). V advances
                with the exact Ornstein–Uhlenbeck update, so the free membrane potential has mean
                :math:`E_L + \mu` and SD :math:`\sigma/\sqrt 2` (Brian2's ``sigma*xi*tau**-0.5``).
``CondLIFModel``     the package's conductance LIF (:mod:`stp_brainpy.core.cond_neuron`); conductance
                projections bring their own ``tau_s`` and reversal ``E``; current inputs in pA.
``HomeworkLIF`` :mod:`stp_brainpy.core.lif` (the homework's LIF), exponential-current inputs only.
``PoissonSource(rate)``, ``SpikeSource(ids, times)``  spike sources.

Projections connect ``pre`` to ``post`` by :class:`Bernoulli`, :class:`FixedInDegree`, :class:`Pairs`, a
``bp.conn`` connector or a :class:`~stp_brainpy.network.connectivity.Connectivity`; ``weight`` and ``delay``
are numbers, distributions (:class:`Uniform`, :class:`Normal`) or callables ``(rng, n) -> array`` drawn per
synapse; delays act after ``max(1, round(d/dt))`` steps (:mod:`stp_brainpy.core.delays`). Units: a weight is in
nS (conductance), mV (delta, or an exponential current into CurrentLIF/HomeworkLIF) or pA (an exponential current
into CondLIFModel); Quantities, and distributions of Quantities, of another dimension are refused
(:mod:`stp_brainpy.network.distributions`). ``output`` is
``'current'`` or ``'conductance'``, ``synapse`` ``'delta'`` or ``'exp'`` (with ``tau_s``), ``stp`` an
:class:`STPModel` of any deterministic family member (``tm``, ``markram`` with ``read``, ``tm3``) with scalar or
per-synapse parameters. Homogeneous STP keeps one state per source (exact: u and x depend only on the
presynaptic train); heterogeneous STP keeps one per synapse, touched only when its source spikes and decayed
from the source's last spike (NEST's event-driven rule), so its cost follows events, not synapses.

Inputs: :class:`WhiteNoise` (mean, sigma per population), :class:`Stimulus` (mean × factor on a neuron range
from t0 to t1); spike trains come in as source populations. Recorders: population spike counts every step
and online spike statistics always; :class:`Record` chooses spikes of neuron ranges, mean u/x of the STP
groups and V of a few neurons every ``every`` steps.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

import numpy as np

from ..core import family
from ..core.delays import delays_steps
from ..core.validation import check_choice, check_finite, check_integer, check_positive, check_range
from .connectors import Bernoulli, FixedInDegree, Pairs, build_conn, from_connector, is_connector  # noqa: F401

from ..units import PARAM_UNITS, accepts_units
__all__ = ["CurrentLIF", "CondLIFModel", "HomeworkLIF", "PoissonSource", "SpikeSource", "Population", "Uniform",
           "Normal", "Bernoulli", "FixedInDegree", "Pairs", "STPModel", "Projection", "WhiteNoise", "Stimulus",
           "Record", "Network", "sample", "delays_to_steps"]


from .populations import (NEURONS, CondLIFModel, CurrentLIF, HomeworkLIF, PoissonSource,  # noqa: E402,F401
                          Population, SpikeSource)


# ---------------------------------------------------------------- per-synapse values
from .distributions import (DISTRIBUTIONS, Normal, Uniform, check_value_unit, given_unit,  # noqa: E402,F401
                            is_scalar, sample, weight_unit)


@accepts_units(delay_ms="ms", dt="ms")
def delays_to_steps(delay_ms: np.ndarray, dt: float) -> np.ndarray:
    """The package's delay rule (:func:`stp_brainpy.core.delays.delay_steps`) per synapse."""
    return delays_steps(delay_ms, dt)


# ---------------------------------------------------------------- synapses
@accepts_units(PARAM_UNITS)
@dataclass(frozen=True)
class STPModel:
    """A deterministic STP variant (``'tm'``, ``'markram'``, ``'tm3'``) with parameters by name.

    Values are scalars (one state per source) or per-synapse (arrays, distributions, callables: one state per
    synapse, event-driven). ``joint=callable(rng, n) -> {name: array}`` draws all parameters of a synapse
    together (e.g. a synapse class first, then its parameters). ``read`` ('before' | 'after') is markram's;
    Mongillo et al. 2008 is ``STPModel('markram', read='after', U=0.2, tau_f=1500., tau_d=200.)`` (f = U).
    """

    model: str = "tm"
    read: str = "before"
    params: dict = field(default_factory=dict)
    joint: Optional[Callable] = None

    def __init__(self, model: str = "tm", read: str = "before", joint: Optional[Callable] = None, **params):
        check_choice("model", model, family.DETERMINISTIC)
        check_choice("read", read, ("before", "after"))
        unknown = [k for k in params if k not in family.PARAMS[model]]
        if unknown:
            raise ValueError(f"unknown parameter(s) {unknown} for STP model {model!r}; accepted: {family.PARAMS[model]}")
        full = family._complete(model, params)
        for k, v in full.items():
            if isinstance(v, DISTRIBUTIONS):
                check_value_unit(k, v, v.unit, (PARAM_UNITS.get(k, "1"),), f"for STP parameter {k}")
        scalars = {k: v for k, v in full.items() if is_scalar(v)}
        family.check_params(model, **scalars)
        object.__setattr__(self, "model", model)
        object.__setattr__(self, "read", read)
        object.__setattr__(self, "params", full)
        if joint is not None and not callable(joint):
            raise TypeError(f"joint must be a callable (rng, n) -> dict of parameter arrays; got {joint!r}")
        object.__setattr__(self, "joint", joint)

    @property
    def heterogeneous(self) -> bool:
        return self.joint is not None or not all(is_scalar(v) for v in self.params.values())

    def key(self):
        """Projections from one source with equal homogeneous STP share one per-source state."""
        if self.heterogeneous:
            return None
        return (self.model, self.read, tuple(float(self.params[k]) for k in family.PARAMS[self.model]))

    def __hash__(self):
        return id(self)


def _checks_weight_unit(cls):
    """Checks the unit a weight came in against the projection's output, after the fields are set.

    :func:`accepts_units` turns a Quantity weight into a bare number (in the unit of its dimension) before the
    dataclass sees it, so the unit is read from the raw argument here and kept as ``_weight_unit`` (and
    ``_weight_given``, for messages) for :class:`Network`, which knows the target neuron. ``dataclasses.replace``
    passes the bare number on and so drops them: a bare weight is taken in the documented unit, as always.
    """
    init = cls.__init__

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        raw = kwargs["weight"] if "weight" in kwargs else (args[3] if len(args) > 3 else None)
        init(self, *args, **kwargs)  # refuses a weight of none of the three dimensions
        given = given_unit("weight", raw)
        object.__setattr__(self, "_weight_unit", given)
        object.__setattr__(self, "_weight_given", raw if given is not None else None)
        why = f"for output={self.output!r}, synapse={self.synapse!r}"
        if self.output == "current" and self.synapse == "exp":
            why += " (mV into CurrentLIF and HomeworkLIF, pA into CondLIFModel)"
        check_value_unit("weight", raw, given, weight_unit(self.output, self.synapse), why)

    cls.__init__ = __init__
    return cls


@_checks_weight_unit
@accepts_units(weight=("mV", "nS", "pA"), delay="ms", tau_s="ms", E="mV")
@dataclass(frozen=True)
class Projection:
    """Synapses from population ``pre`` to ``post`` (names); see the module docstring.

    ``weight`` is in nS for ``output='conductance'``, in mV for ``output='current', synapse='delta'`` (a jump of
    V), and for ``output='current', synapse='exp'`` in the target's input unit: mV into ``CurrentLIF`` and
    ``HomeworkLIF``, pA into ``CondLIFModel``. A bare number is taken in that unit; a brainunit Quantity (or a
    :class:`Uniform`/:class:`Normal` of Quantities) of another dimension raises
    :class:`~stp_brainpy.units.UnitError` (``weight=2 * u.pA`` on a conductance projection). ``delay`` in ms.
    """

    pre: str
    post: str
    conn: Any
    weight: Any = 1.0
    delay: Any = 0.1
    output: str = "current"
    synapse: str = "delta"
    tau_s: Optional[float] = None
    E: Optional[float] = None
    stp: Optional[STPModel] = None

    def __post_init__(self):
        check_choice("output", self.output, ("current", "conductance"))
        check_choice("synapse", self.synapse, ("delta", "exp"))
        if self.synapse == "exp":
            if self.tau_s is None:
                raise ValueError("tau_s (ms) is required for synapse='exp'")
            check_positive("tau_s", self.tau_s)
        if self.output == "conductance":
            if self.synapse != "exp":
                raise ValueError("output='conductance' needs synapse='exp'")
            if self.E is None:
                raise ValueError("E (reversal potential, mV) is required for output='conductance'")
            check_finite("E", self.E, "mV")
        if self.stp is not None and not isinstance(self.stp, STPModel):
            raise TypeError(f"stp must be an STPModel or None; got {type(self.stp).__name__}")
        if is_scalar(self.weight):
            check_finite("weight", self.weight)
        check_value_unit("delay", self.delay, given_unit("delay", self.delay), ("ms",), "")
        if is_scalar(self.delay):
            check_finite("delay", self.delay, "ms")
            check_range("delay", self.delay, 0.0, None, unit="ms")

    @property
    def receptor(self) -> tuple:
        """What the target integrates: ('delta',), ('exp', tau_s) or ('cond', tau_s, E)."""
        if self.synapse == "delta":
            return ("delta",)
        if self.output == "current":
            return ("exp", float(self.tau_s))
        return ("cond", float(self.tau_s), float(self.E))


# ---------------------------------------------------------------- inputs and recorders
@accepts_units(mean=("mV", "pA"), sigma=("mV", "pA"))
@dataclass(frozen=True)
class WhiteNoise:
    """Gaussian white-noise input to ``pop``: mean ``mean`` and ``sigma`` (mV for CurrentLIF, pA per step
    otherwise)."""

    pop: str
    mean: float
    sigma: float = 0.0

    def __post_init__(self):
        check_finite("mean", self.mean)
        check_finite("sigma", self.sigma)
        check_range("sigma", self.sigma, 0.0, None)


@accepts_units(t0="ms", t1="ms")
@dataclass(frozen=True)
class Stimulus:
    """Neurons ``start:stop`` of ``pop`` (all when None) get their noise mean × ``factor`` in [t0, t1) ms."""

    pop: str
    t0: float
    t1: float
    factor: float
    start: Optional[int] = None
    stop: Optional[int] = None

    def __post_init__(self):
        for k in ("t0", "t1", "factor"):
            check_finite(k, getattr(self, k))
        if self.t1 < self.t0:
            raise ValueError(f"Stimulus needs t0 <= t1; got {self.t0}, {self.t1}")


@dataclass(frozen=True)
class Record:
    """``spikes``: populations (names, or ``(name, start, stop)`` ranges) whose spikes are kept; ``blocks``:
    ``(label, pop, start, stop)`` neuron ranges counted every step, and whose mean u, x (of the first STP group
    leaving that population) are sampled when ``stp``; ``stp``: also record mean u, x of every STP group;
    ``V``: {pop: number of first neurons}; ``every``: steps between samples of u, x, V; ``max_spikes``: spike
    buffer per step (overflow is counted)."""

    spikes: Sequence[Any] = ()
    blocks: Sequence[tuple] = ()
    stp: bool = False
    V: dict = field(default_factory=dict)
    every: int = 10
    max_spikes: Optional[int] = None

    def __post_init__(self):
        object.__setattr__(self, "every", check_integer("every", self.every, low=1))


@accepts_units(dt="ms", duration="ms")
@dataclass(frozen=True)
class Network:
    """Populations, projections, inputs, stimuli and recorders; ``dt``, ``duration`` (ms), ``seed``."""

    populations: Sequence[Population]
    projections: Sequence[Projection] = ()
    inputs: Sequence[WhiteNoise] = ()
    stimuli: Sequence[Stimulus] = ()
    record: Record = Record()
    dt: float = 0.1
    duration: float = 1000.0
    seed: int = 0

    def __post_init__(self):
        object.__setattr__(self, "populations", tuple(self.populations))
        object.__setattr__(self, "projections", tuple(self.projections))
        object.__setattr__(self, "inputs", tuple(self.inputs))
        object.__setattr__(self, "stimuli", tuple(self.stimuli))
        check_positive("dt", self.dt)
        check_finite("dt", self.dt, "ms")
        check_positive("duration", self.duration)
        check_finite("duration", self.duration, "ms")
        object.__setattr__(self, "seed", check_integer("seed", self.seed, low=0))
        names = [p.name for p in self.populations]
        if len(set(names)) != len(names):
            raise ValueError(f"population names must be unique; got {names}")
        for p in self.populations:
            if not isinstance(p, Population):
                raise TypeError(f"populations must be Population objects; got {type(p).__name__}")
        pops = self.by_name
        for pr in self.projections:
            for side in ("pre", "post"):
                if getattr(pr, side) not in pops:
                    raise ValueError(f"projection {side}={getattr(pr, side)!r} is not a population; have {names}")
            post = pops[pr.post]
            if post.is_source:
                raise ValueError(f"projection into {pr.post!r}: a spike source has no inputs")
            kind = pr.receptor[0]
            if isinstance(post.neuron, CondLIFModel) and kind == "delta":
                raise ValueError(f"projection into CondLIFModel {pr.post!r} must be synapse='exp'")
            if isinstance(post.neuron, HomeworkLIF) and kind != "exp":
                raise ValueError(f"projection into HomeworkLIF {pr.post!r} must be an exponential current")
            if isinstance(post.neuron, CurrentLIF) and kind == "cond":
                raise ValueError(f"projection into CurrentLIF {pr.post!r} cannot be a conductance")
            check_value_unit("weight", getattr(pr, "_weight_given", None), getattr(pr, "_weight_unit", None),
                             weight_unit(pr.output, pr.synapse, post.neuron),
                             f"for the projection {pr.pre!r} -> {pr.post!r} into {type(post.neuron).__name__}")
        for x in (*self.inputs, *self.stimuli):
            if x.pop not in pops or pops[x.pop].is_source:
                raise ValueError(f"{type(x).__name__} pop={x.pop!r} must name a neuron population; have {names}")
        for b in self.record.blocks:
            if len(b) != 4 or b[1] not in pops or not 0 <= b[2] <= b[3] <= pops[b[1]].size:
                raise ValueError(f"Record block must be (label, pop, start, stop) inside the population; got {b!r}")
        for name in (*[s if isinstance(s, str) else s[0] for s in self.record.spikes], *self.record.V):
            if name not in pops:
                raise ValueError(f"Record names {name!r}, not a population; have {names}")
        if not 1 <= self.n_steps <= 2**31 - 1:
            raise ValueError(f"duration must span between 1 and 2**31 - 1 steps; got {self.n_steps}")

    @property
    def by_name(self) -> dict:
        return {p.name: p for p in self.populations}

    @property
    def n_steps(self) -> int:
        return int(round(self.duration / self.dt))

    @property
    def offsets(self) -> dict:
        """First global index of every population (populations are numbered in order)."""
        out, k = {}, 0
        for p in self.populations:
            out[p.name] = k
            k += p.size
        return out

    @property
    def n_neurons(self) -> int:
        return sum(p.size for p in self.populations)
