"""Porting from NEST: the weight NEST 3.10 delivers for every spike, with NEST's names and semantics.

:func:`efficacies` reproduces ``tsodyks2_synapse``, ``tsodyks_synapse`` and ``quantal_stp_synapse``
(checked against committed NEST 3.10 output in ``tests/reference/``: <= 1e-12 for the deterministic
two, mean and variance within sampling error for the quantal one). It is a thin façade over the core
(:mod:`stp_brainpy.core.tm3`, :mod:`stp_brainpy.core.quantal`); NEST's semantics kept here:

- parameter names ``U, u, x, y, n, a, tau_rec, tau_fac, tau_psc`` and NEST's defaults (below), which
  are **not** the package's: e.g. ``tsodyks2_synapse`` keeps ``u = 0.5`` when only ``U`` is set, and
  ``quantal_stp_synapse`` keeps ``a = 1`` when only ``n`` is set (a warning says so);
- ``tsodyks2_synapse`` and ``quantal_stp_synapse``: the first spike is not decayed and uses ``u``
  (and ``x`` / ``a``) as they are, without the facilitation jump; ``tsodyks_synapse`` holds its state
  at t = 0 and decays it to the first spike, then jumps ``u``;
- ``tau_fac = 0`` disables facilitation (``quantal_stp_synapse``: ``tau_fac < 1e-10``);
- ``quantal_stp_synapse`` sends ``weight × (released sites)``, per site, not divided by ``n``; a spike
  that releases nothing delivers 0 here (NEST sends no event).

===================  =====================================================================
synapse_model        parameters (NEST defaults)
===================  =====================================================================
tsodyks2_synapse     U 0.5, u 0.5, x 1, tau_rec 800, tau_fac 0
tsodyks_synapse      U 0.5, u 0, x 1, y 0, tau_rec 800, tau_fac 0, tau_psc 3
quantal_stp_synapse  U 0.5, u 0.5, n 1, a 1, tau_rec 800, tau_fac 0
===================  =====================================================================

Conversion to the package's vocabulary: ``tau_rec -> tau_d``, ``tau_fac -> tau_f``; ``tsodyks2`` with
``u = U, x = 1`` is the ``tm`` model; ``tsodyks`` is ``tm3`` with ``t0 = 0``.

Reference: NEST simulator documentation of ``tsodyks2_synapse``, ``tsodyks_synapse`` and
``quantal_stp_synapse`` (nest-simulator.readthedocs.io); Tsodyks, Uziel & Markram (2000); Fuhrmann et
al. (2002).

Example::

    >>> from stp_brainpy import nest
    >>> w = nest.efficacies("tsodyks2_synapse", [10.0, 20.0, 30.0], U=0.5, u=0.5, tau_rec=100.0)
    >>> round(float(w[0]), 6)
    0.5
"""
from __future__ import annotations

import warnings
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .core import family as fam
from .core import quantal as _quantal
from .core import tm3 as _tm3

from .units import accepts_units
__all__ = ["SYNAPSE_MODELS", "PARAMETERS", "DEFAULTS", "efficacies"]

Array = jax.Array

SYNAPSE_MODELS = ("tsodyks2_synapse", "tsodyks_synapse", "quantal_stp_synapse")
DEFAULTS: dict[str, dict[str, float]] = {
    "tsodyks2_synapse": {"U": 0.5, "u": 0.5, "x": 1.0, "tau_rec": 800.0, "tau_fac": 0.0},
    "tsodyks_synapse": {"U": 0.5, "u": 0.0, "x": 1.0, "y": 0.0, "tau_rec": 800.0, "tau_fac": 0.0,
                        "tau_psc": 3.0},
    "quantal_stp_synapse": {"U": 0.5, "u": 0.5, "n": 1, "a": 1, "tau_rec": 800.0, "tau_fac": 0.0},
}
PARAMETERS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in DEFAULTS.items()}

_UNIT = (0.0, 1.0, False, False)
_RANGES = {"U": _UNIT, "u": _UNIT, "x": _UNIT, "y": _UNIT, "tau_rec": (0.0, fam.INF, True, False),
           "tau_fac": (0.0, fam.INF, False, False), "tau_psc": (0.0, fam.INF, True, False)}


def _check(synapse_model: Any, nest_params: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(synapse_model, str) or synapse_model not in SYNAPSE_MODELS:
        raise ValueError(f"synapse_model must be one of {SYNAPSE_MODELS}; got {synapse_model!r}")
    accepted = PARAMETERS[synapse_model]
    unknown = sorted(k for k in nest_params if k not in accepted)
    if unknown:
        raise ValueError(f"unknown parameter(s) {unknown} for {synapse_model}; accepted: {accepted} "
                         "(and weight, seed, trials)")
    p = {**DEFAULTS[synapse_model], **nest_params}
    for name, value in p.items():
        if name in _RANGES:
            fam.check_interval(name, value, _RANGES[name], "ms" if name.startswith("tau") else "")
    if synapse_model == "tsodyks_synapse" and fam.is_concrete(p["x"]) and fam.is_concrete(p["y"]):
        if np.any(np.asarray(p["x"], float) + np.asarray(p["y"], float) > 1.0):
            raise ValueError(f"x + y must be <= 1 (NEST); got x={p['x']!r}, y={p['y']!r}")
    if synapse_model == "quantal_stp_synapse":
        p["n"] = fam.check_integer("n", p["n"], 1)
        p["a"] = fam.check_integer("a", p["a"], 0)
        if p["a"] > p["n"]:
            raise ValueError(f"a must lie in [0, n] = [0, {p['n']}]; got {p['a']}")
        if "n" in nest_params and "a" not in nest_params and p["n"] > 1:
            warnings.warn(f"quantal_stp_synapse: NEST keeps a = 1 available site when only n = {p['n']} is "
                          "set; pass a=n to start with every site available", UserWarning, stacklevel=3)
    return p


def _key(seed: Any) -> Any:
    if seed is None:
        return jax.random.key(0)
    if isinstance(seed, (bool, np.bool_)):
        raise TypeError(f"seed must be an integer >= 0 or a JAX key; got {seed!r}")
    if isinstance(seed, (int, np.integer)):
        return jax.random.key(fam.check_integer("seed", seed, 0))
    try:
        _quantal.check_key(seed)
    except TypeError:
        raise TypeError(f"seed must be an integer >= 0 or a JAX key (jax.random.key(0)); got {seed!r}") from None
    return seed


@accepts_units(spike_times="ms", U="1", u="1", x="1", y="1", a="1", tau_rec="ms", tau_fac="ms", tau_psc="ms")
def efficacies(synapse_model: str, spike_times: Any, *, weight: Any = 1.0, seed: Any = None,
               trials: int | None = None, **nest_params: Any) -> Array:
    """Weight NEST delivers for every spike of ``spike_times`` through ``synapse_model``.

    Args:
      synapse_model: ``'tsodyks2_synapse'``, ``'tsodyks_synapse'`` or ``'quantal_stp_synapse'``.
      spike_times: 1-D sorted spike times in ms (>= 0), the stamps the synapse sees.
      weight: NEST's ``weight``.
      seed: quantal only: an integer (``jax.random.key(seed)``; None = 0) or a JAX key.
      trials: quantal only: number of independent synapses; None gives one, shape (spikes,).
      **nest_params: NEST's parameters of that model (see the module docstring).

    Returns:
      Delivered weights, shape ``(spikes,)``, or ``(trials, spikes)`` for quantal with ``trials``.
    """
    p = _check(synapse_model, nest_params)
    fam.check_interval("weight", weight, (-fam.INF, fam.INF, True, True))
    fam.check_spike_times(spike_times)
    if fam.is_concrete(spike_times) and np.size(spike_times) and np.min(np.asarray(spike_times, float)) < 0:
        raise ValueError(f"spike_times must be >= 0 ms (NEST time starts at 0); got {np.min(spike_times):g}")
    if synapse_model != "quantal_stp_synapse" and (trials is not None or seed is not None):
        raise ValueError(f"trials and seed apply to quantal_stp_synapse only, not {synapse_model}")
    if synapse_model == "tsodyks2_synapse":
        params = _tm3.TM3Params(p["U"], p["tau_fac"], p["tau_rec"], 0.0)  # tau_psc = 0: the two-state model
        eff = _tm3._scan(spike_times, params, 0.0, p["x"], 0.0, None, u_first=p["u"])[0]
        return weight * eff
    if synapse_model == "tsodyks_synapse":
        params = _tm3.TM3Params(p["U"], p["tau_fac"], p["tau_rec"], p["tau_psc"])
        return weight * _tm3._scan(spike_times, params, p["u"], p["x"], p["y"], 0.0)[0]
    tau_fac = p["tau_fac"]
    if fam.is_concrete(tau_fac):
        tau_fac = jnp.where(jnp.asarray(tau_fac) < 1e-10, 0.0, tau_fac)  # NEST's threshold for "off"
    qparams = _quantal.QuantalParams(p["U"], tau_fac, p["tau_rec"])
    key = _key(seed)

    def one(k: Any) -> Array:
        rel = _quantal._scan(spike_times, qparams, p["n"], k, 0.0, p["a"], None, u_first=p["u"])[0]
        return weight * rel.astype(fam.float_dtype(jnp.asarray(spike_times).dtype))

    if trials is None:
        return one(key)
    n_trials = fam.check_integer("trials", trials, 1)
    return jax.vmap(one)(jax.random.split(key, n_trials))
