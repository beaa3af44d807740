"""Populations of the network description: the neuron models and spike sources (see
:mod:`stp_brainpy.network.description` for their equations)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.cond_neuron import COBA_NEURON, CondLIFParams, validate_cond_lif_params
from ..core.lif import LIFParams, validate_lif_params
from ..core.validation import check_finite, check_integer, check_number, check_positive, check_range

from ..units import accepts_units
__all__ = ["CurrentLIF", "CondLIFModel", "HomeworkLIF", "PoissonSource", "SpikeSource", "Population", "NEURONS"]


# ---------------------------------------------------------------- neurons
@accepts_units(tau_m="ms", V_th="mV", V_reset="mV", E_L="mV", tau_ref="ms", V0="mV")
@dataclass(frozen=True)
class CurrentLIF:
    """Current-based LIF (mV, ms): ``tau_m`` > 0, ``V_reset`` < ``V_th``, ``tau_ref`` >= 0, ``V0`` a number or
    ``(low, high)`` (uniform)."""

    tau_m: float = 15.0
    V_th: float = 20.0
    V_reset: float = 16.0
    E_L: float = 0.0
    tau_ref: float = 2.0
    V0: Any = 0.0

    def __post_init__(self):
        check_positive("tau_m", self.tau_m)
        check_finite("tau_m", self.tau_m, "ms")
        for k in ("V_th", "V_reset", "E_L"):
            check_finite(k, getattr(self, k), "mV")
        check_range("tau_ref", self.tau_ref, 0.0, None, unit="ms")
        check_finite("tau_ref", self.tau_ref, "ms")
        if self.V_reset >= self.V_th:
            raise ValueError(f"V_reset must be below V_th; got V_reset={self.V_reset}, V_th={self.V_th}")
        _check_V0(self.V0)


@accepts_units(V0="mV")
@dataclass(frozen=True)
class CondLIFModel:
    """Conductance LIF (:class:`~stp_brainpy.core.cond_neuron.CondLIFParams`), ``V0`` a number or (low, high)."""

    params: CondLIFParams = COBA_NEURON
    V0: Any = (-60.0, -50.0)
    method: str = "exact"

    def __post_init__(self):
        validate_cond_lif_params(self.params, None, self.method)
        _check_V0(self.V0)


@dataclass(frozen=True)
class HomeworkLIF:
    """The homework's LIF (:class:`~stp_brainpy.core.lif.LIFParams`); starts at ``V_rest``."""

    params: LIFParams = LIFParams()

    def __post_init__(self):
        validate_lif_params(self.params)


@accepts_units(rate="Hz")
@dataclass(frozen=True)
class PoissonSource:
    """Independent Poisson trains of ``rate`` Hz (>= 0, finite)."""

    rate: float

    def __post_init__(self):
        check_finite("rate", self.rate, "Hz")
        check_range("rate", self.rate, 0.0, None, unit="Hz")


@accepts_units(times="ms")
@dataclass(frozen=True)
class SpikeSource:
    """Given spikes: neuron ``ids`` and ``times`` (ms, put on the nearest step)."""

    ids: Any
    times: Any

    def __post_init__(self):
        check_number("ids", self.ids)
        check_finite("times", self.times, "ms")
        if np.shape(self.ids) != np.shape(self.times) or np.ndim(self.ids) != 1:
            raise ValueError("ids and times must be 1-D arrays of one length")


def _check_V0(V0):
    if isinstance(V0, (tuple, list)):
        if len(V0) != 2 or V0[0] > V0[1]:
            raise ValueError(f"V0 must be a number or (low, high) with low <= high; got {V0!r}")
    check_finite("V0", V0, "mV")


NEURONS = (CurrentLIF, CondLIFModel, HomeworkLIF, PoissonSource, SpikeSource)


@dataclass(frozen=True)
class Population:
    """``size`` neurons of one model, named ``name``."""

    name: str
    size: int
    neuron: Any

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"name must be a non-empty string; got {self.name!r}")
        object.__setattr__(self, "size", check_integer("size", self.size, low=0))
        if not isinstance(self.neuron, NEURONS):
            raise TypeError(f"neuron must be one of {[c.__name__ for c in NEURONS]}; got {type(self.neuron).__name__}")

    @property
    def is_source(self) -> bool:
        return isinstance(self.neuron, (PoissonSource, SpikeSource))
