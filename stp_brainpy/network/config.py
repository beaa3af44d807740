r"""The COBA / COBA-STP network (Vogels & Abbott 2005; Brette et al. 2007, benchmark 1): its configuration.

Neuron (every neuron alike): the package's conductance LIF
(:mod:`stp_brainpy.core.cond_neuron`) with the benchmark's parameter set
:data:`~stp_brainpy.core.cond_neuron.COBA_NEURON`,

.. math::

    C_m \frac{dV}{dt} = g_L(E_L - V) + g_E(E_E - V) + g_I(E_I - V) + I_e, \qquad
    \frac{dg_{E,I}}{dt} = -\frac{g_{E,I}}{\tau_{E,I}} + \sum w\,e\,\delta(t - t^{sp} - d),

``V ≥ V_th`` → spike, ``V ← V_reset``, held for ``ceil(tau_ref/dt)`` steps. ``V`` advances with
exponential Euler (``method='exact'``, exact for conductances frozen over the step) or forward
Euler; the conductances decay exactly.

Defaults are the benchmark's: 4000 neurons (80 % E), Bernoulli p = 0.02 per ordered pair,
C_m 200 pF, g_L 10 nS, E_L −60, V_th −50, V_reset −60 mV, tau_ref 5 ms, I_e 200 pA,
V0 ~ U[−60, −50] mV, τ_E 5, τ_I 10 ms, E_E 0, E_I −80 mV, w_E 6 nS, w_I 67 nS, delay 0.1 ms,
dt 0.1 ms. COBA-STP: E→E and E→I synapses are Tsodyks–Markram with U 0.2, τ_d 150,
τ_f 2 ms and weight w_E/U = 30 nS (a rested synapse delivers 6 nS). A spike acts
``max(1, round(delay/dt))`` steps after it was emitted (:mod:`stp_brainpy.core.delays`).

Every field is checked when the configuration is made (``ValueError``/``TypeError`` naming it);
the memory a configuration needs is estimated by :meth:`COBAConfig.estimate` and checked against
the memory available by :meth:`COBAConfig.check_fits` before anything is built.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..core.cond_neuron import COBA_NEURON, CondLIFParams, validate_cond_lif_params
from ..core.delays import delay_steps
from ..core.stp import validate_stp_params
from ..core.validation import check_finite, check_integer, check_method, check_number, check_positive, check_range
from .connectivity import Connectivity, bernoulli, fixed_in_degree_pairs, from_pairs
from .sizes import BUILD_BYTES_PER_SYNAPSE, MAX_INDEX, SIM_BYTES_PER_SYNAPSE, check_fits, expected_synapses

from ..units import accepts_units
__all__ = ["COBAConfig", "build_connectivity", "initial_potentials"]

MAX_STEPS = 2**31 - 1  # the scan's step counter is int32


@accepts_units(U="1", tau_f="ms", tau_d="ms", w_E="nS", w_I="nS", delay="ms", dt="ms", duration="ms", V0="mV")
@dataclass(frozen=True)
class COBAConfig:
    """The COBA / COBA-STP network. ``n_neurons`` = 4000·scale in the benchmark.

    ``in_degree=None`` connects every ordered pair with probability ``p``; an integer gives
    every neuron exactly that many inputs, ``round(in_degree · exc_fraction)`` of them excitatory.

    Fields (units; valid range; default): ``n_neurons`` (count ≥ 1; 4000), ``exc_fraction``
    ([0, 1]; 0.8), ``p`` ([0, 1]; 0.02), ``in_degree`` (None or a count ≤ the neurons of each
    population it draws from), ``stp`` (bool; True), ``U`` ((0, 1]; 0.2), ``tau_f``, ``tau_d``
    (ms, > 0; 2, 150), ``w_E``, ``w_I`` (nS, finite ≥ 0; 6, 67), ``delay`` (ms, finite ≥ 0; 0.1),
    ``dt`` (ms, > 0; 0.1), ``duration`` (ms, ≥ dt; 1000), ``seed`` (int ≥ 0; 0), ``V0`` (mV,
    ``(low, high)`` finite, low ≤ high; (−60, −50)), ``neuron``
    (:class:`~stp_brainpy.core.cond_neuron.CondLIFParams`; :data:`COBA_NEURON`: reversal
    potentials and conductance time constants E_E, E_I, tau_E, tau_I live there), ``method``
    ('exact' | 'euler'; 'exact').

    >>> cfg = COBAConfig(n_neurons=400, in_degree=80, duration=50.0)
    >>> cfg.n_exc, cfg.n_steps, cfg.estimate()["synapses"]
    (320, 500, 32000)
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
    delay: float = 0.1
    dt: float = 0.1
    duration: float = 1000.0
    seed: int = 0
    V0: tuple = (-60.0, -50.0)
    neuron: CondLIFParams = COBA_NEURON
    method: str = "exact"

    def __post_init__(self):
        # integral floats (4000.0) are stored as ints; 2.7 is refused
        object.__setattr__(self, "n_neurons", check_integer("n_neurons", self.n_neurons, low=1, high=MAX_INDEX))
        for name in ("exc_fraction", "p"):
            check_number(name, getattr(self, name))
            check_range(name, getattr(self, name), 0.0, 1.0)
        if not isinstance(self.stp, (bool, np.bool_)):
            raise TypeError(f"stp must be True or False; got {self.stp!r}")
        for name in ("U", "tau_f", "tau_d"):
            check_number(name, getattr(self, name))
        validate_stp_params(U=self.U, tau_f=self.tau_f, tau_d=self.tau_d)
        for name in ("w_E", "w_I"):
            check_finite(name, getattr(self, name), "nS")
            check_range(name, getattr(self, name), 0.0, None, unit="nS")
        for name in ("dt", "duration"):
            check_finite(name, getattr(self, name), "ms")
            check_positive(name, getattr(self, name))
        check_finite("delay", self.delay, "ms")
        delay_steps(self.delay, self.dt)
        object.__setattr__(self, "seed", check_integer("seed", self.seed, low=0))
        check_method(self.method)
        validate_cond_lif_params(self.neuron, self.dt, self.method)
        if not (isinstance(self.V0, (tuple, list)) and len(self.V0) == 2):
            raise ValueError(f"V0 must be a pair (low, high) in mV; got {self.V0!r}")
        check_finite("V0", self.V0, "mV")
        if self.V0[0] > self.V0[1]:
            raise ValueError(f"V0 must be (low, high) with low <= high; got {tuple(self.V0)}")
        if not 1 <= self.n_steps <= MAX_STEPS:
            raise ValueError(f"duration must span between 1 and {MAX_STEPS} steps of dt={self.dt:g} ms; "
                             f"got duration={self.duration:g} ms ({self.n_steps} steps)")
        if self.in_degree is not None:
            k = check_integer("in_degree", self.in_degree, low=0)
            object.__setattr__(self, "in_degree", k)
            k_e, k_i = self.in_degree_split
            if k_e > self.n_exc or k_i > self.n_inh:
                raise ValueError(f"in_degree={k} needs {k_e} excitatory and {k_i} inhibitory distinct sources, "
                                 f"but the network has {self.n_exc} E and {self.n_inh} I neurons")

    @property
    def n_exc(self) -> int:
        return int(round(self.n_neurons * self.exc_fraction))

    @property
    def n_inh(self) -> int:
        return self.n_neurons - self.n_exc

    @property
    def in_degree_split(self) -> tuple[int, int]:
        """Excitatory and inhibitory inputs per neuron under ``in_degree``."""
        k_e = int(round(int(self.in_degree) * self.exc_fraction))
        return k_e, int(self.in_degree) - k_e

    @property
    def w_exc(self) -> float:
        """Weight of an E synapse; under STP w_E/U so that a rested synapse delivers w_E."""
        return self.w_E / self.U if self.stp else self.w_E

    @property
    def n_steps(self) -> int:
        return int(round(self.duration / self.dt))

    def replace(self, **kw) -> "COBAConfig":
        return dataclasses.replace(self, **kw)

    def estimate(self, record: int = 0) -> dict:
        """Planned synapses and peak host bytes (connectivity build + fused simulation + outputs)."""
        n = self.n_neurons
        syn = (expected_synapses(n, n, p=self.p) if self.in_degree is None
               else expected_synapses(n, n, in_degree=self.in_degree))
        per_neuron = 8 * (delay_steps(self.delay, self.dt) + 16)  # state, ring, statistics
        outputs = self.n_steps * (4 + int(record))  # population counts (int32) and the raster (bool)
        nbytes = syn * (BUILD_BYTES_PER_SYNAPSE + SIM_BYTES_PER_SYNAPSE) + n * per_neuron + outputs
        return {"synapses": int(syn), "bytes": int(nbytes)}

    def check_fits(self, record: int = 0) -> dict:
        """:meth:`estimate`, or a ``ValueError`` with it when it exceeds the memory available now."""
        est = self.estimate(record)
        how = f"p={self.p:g}" if self.in_degree is None else f"in_degree={self.in_degree}"
        extra = est["bytes"] - est["synapses"] * BUILD_BYTES_PER_SYNAPSE
        check_fits(f"a COBA network of {self.n_neurons} neurons ({how}, {self.n_steps} steps, record={record})",
                   est["synapses"], extra_bytes=extra)
        return est


def build_connectivity(cfg: COBAConfig) -> Connectivity:
    """All synapses of the network, sources and targets numbered E first then I."""
    if not isinstance(cfg, COBAConfig):
        raise TypeError(f"cfg must be a COBAConfig; got {type(cfg).__name__}")
    n, ne = cfg.n_neurons, cfg.n_exc
    if cfg.in_degree is None:
        return bernoulli(n, n, cfg.p, seed=cfg.seed)
    k_e, k_i = cfg.in_degree_split
    ss = np.random.SeedSequence(cfg.seed).spawn(2)
    pe, qe = fixed_in_degree_pairs(ne, n, k_e, seed=ss[0])
    pi, qi = fixed_in_degree_pairs(n - ne, n, k_i, seed=ss[1])
    return from_pairs(np.concatenate([pe, pi + ne]), np.concatenate([qe, qi]), n, n)


def initial_potentials(cfg: COBAConfig) -> np.ndarray:
    """V0 ~ U[V0[0], V0[1]] mV, from its own stream of ``cfg.seed``."""
    rng = np.random.default_rng(np.random.SeedSequence(cfg.seed).spawn(3)[2])
    return rng.uniform(cfg.V0[0], cfg.V0[1], cfg.n_neurons)
