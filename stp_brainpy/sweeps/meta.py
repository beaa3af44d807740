"""What each variable and coordinate of a sweep result means: CF-style ``units`` and ``long_name``.

A sweep model declares its parameters' units next to their ranges (:class:`~.params.Range`'s
``unit``, ``long_name``) and its outputs' in :class:`~.params.ParamSpec`'s ``outputs``
(``{name: (units, long_name)}``); :data:`COMMON` names what the package's models share, so a
name means the same in every result. Dimensionless quantities have units ``"1"`` (CF). Names
neither the model nor :data:`COMMON` knows (a user's own outputs) get no attributes.

>>> variable_attrs(None, ["tau_d", "efficacy"])["tau_d"]
{'units': 'ms', 'long_name': 'depression (recovery) time constant'}
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from .params import Range, spec_of

__all__ = ["COMMON", "variable_attrs", "apply_attrs"]

# name -> (units, long_name); the package's one vocabulary (ms, mV, nS, Hz; "1": dimensionless)
COMMON: dict[str, tuple[str, str]] = {
    # TM parameters and their relatives
    "U": ("1", "release increment (utilization of synaptic efficacy)"),
    "U0": ("1", "release increment of the input synapses"),
    "f": ("1", "facilitation increment (Markram form)"),
    "tau_f": ("ms", "facilitation time constant"),
    "tau_d": ("ms", "depression (recovery) time constant"),
    "tau_s": ("ms", "synaptic current decay time constant"),
    "tau_psc": ("ms", "inactivation time constant (three-state model)"),
    "tau_E": ("ms", "excitatory conductance decay time constant"),
    "tau_I": ("ms", "inhibitory conductance decay time constant"),
    "tau_ratio": ("1", "scale of the STP time constants (tau_d = 500 r ms, tau_f = 300 r ms)"),
    "weight": ("1", "weight per released site"),
    "A": ("1", "drive of the synaptic current per unit efficacy"),
    "current": ("mV", "constant input of the presynaptic LIF (R I)"),
    "I_inj": ("mV", "injected input of the LIF (R I)"),
    "gE_bar": ("nS", "excitatory peak conductance"),
    "gI_bar": ("nS", "inhibitory peak conductance"),
    "rate": ("Hz", "firing rate"),
    "rate_E": ("Hz", "rate of each excitatory Poisson input"),
    "rate_I": ("Hz", "rate of each inhibitory Poisson input"),
    # outputs
    "efficacy": ("1", "synaptic efficacy u+ x- of the spike"),
    "released": ("1", "number of release sites that released"),
    "n_spikes": ("1", "number of spikes"),
    "efficacy_first": ("1", "efficacy of the first spike"),
    "efficacy_last": ("1", "efficacy of the last spike"),
    "efficacy_sum": ("1", "sum of the efficacies of all spikes"),
    "I_peak": ("1", "peak synaptic current (units of A)"),
    "I_mean": ("1", "mean synaptic current over the run (units of A)"),
    "I": ("1", "synaptic current (units of A)"),
    "u_final": ("1", "utilization u at the end of the run"),
    "x_final": ("1", "available resources x at the end of the run"),
    "u": ("1", "utilization u"),
    "x": ("1", "available resources x"),
    "V": ("mV", "membrane potential"),
    "spike": ("1", "spike (index along a train, or a spike flag)"),
    "cv_isi": ("1", "coefficient of variation of the interspike intervals"),
    "cv_isi_late": ("1", "coefficient of variation of the interspike intervals, second half of the run"),
    "fmp_mean": ("mV", "mean free membrane potential"),
    "fmp_std": ("mV", "standard deviation of the free membrane potential"),
    # dimensions
    "seed": ("1", "random seed"),
    "setting": ("1", "index of the setting in the grid"),
    "time": ("ms", "time"),
}


def variable_attrs(run: Callable | None, names: Iterable[str]) -> dict[str, dict[str, str]]:
    """``{name: {'units': ..., 'long_name': ...}}`` for every name ``run`` or :data:`COMMON` knows.

    The model's declaration wins over :data:`COMMON`: its outputs table, then its parameters'
    :class:`~.params.Range` (``unit``; blank: :data:`COMMON`'s, else ``"1"``; ``long_name``).
    """
    spec = spec_of(run) if run is not None else None
    outputs: Mapping[str, tuple[str, str]] = getattr(spec, "outputs", {}) or {}
    params: Mapping[str, Any] = spec.params if spec is not None else {}
    out: dict[str, dict[str, str]] = {}
    for name in names:
        units, long_name = COMMON.get(name, (None, None))
        p = params.get(name)
        if isinstance(p, Range):
            units = p.unit or units or "1"  # a blank unit: COMMON's, else dimensionless
            long_name = p.long_name or long_name or name
        if name in outputs:
            units, long_name = outputs[name]
        if units is not None:
            out[name] = {"units": units, "long_name": long_name or name}
    return out


def apply_attrs(ds, run: Callable | None):
    """Set ``units`` / ``long_name`` on every variable and coordinate of ``ds`` the model knows (in place)."""
    names = list(ds.data_vars) + list(ds.coords)
    for name, a in variable_attrs(run, names).items():
        ds[name].attrs.update(a)
    return ds
