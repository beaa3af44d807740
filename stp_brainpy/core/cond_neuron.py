r"""The conductance-based LIF neuron of the package: parameters, checks, membrane and threshold rules.

.. math::

    C_m \frac{dV}{dt} = g_L(E_L - V) + \sum_k g_k(E_k - V) + I_e + I, \qquad C_m = g_L \tau_m,

spike when ``V ≥ V_th``, then ``V`` held at ``V_reset`` for the refractory period ``tau_ref``.
One membrane equation (:func:`conductance_membrane_step`; ``G_syn = Σ g_k``,
``GE_syn = Σ g_k E_k``) and one threshold/refractory rule (:func:`threshold_check`) serve every
conductance LIF of the package, through :func:`conductance_lif_step`: the Neuromatch tutorial's
neuron (:mod:`stp_brainpy.core.cond_lif`, :class:`stp_brainpy.neurons.CondLIF`) and the COBA
network's (:class:`stp_brainpy.network.COBANeuron`, :class:`stp_brainpy.network.FusedCOBA`).

Parameter sets: :class:`CondLIFParams` defaults are the tutorial's (``default_pars`` plus the
Exercise 1.2 synapses); :data:`COBA_NEURON` is the COBA benchmark neuron (Vogels & Abbott 2005;
Brette et al. 2007, benchmark 1): C_m 200 pF (τm 20 ms at g_L 10 nS), E_L −60, V_th −50,
V_reset −60 mV, τ_ref 5 ms, I_e 200 pA, E_E 0, E_I −80 mV, τ_E 5, τ_I 10 ms.

Refractory period, one rule (:func:`refractory_steps`): ``V`` is held for ``ceil(tau_ref/dt)``
steps after the spike step, so a neuron is never refractory for less than ``tau_ref``. It is the
tutorial's counter (``tr = tref/dt`` decremented while ``> 0``; the tutorial names the period
``tref``) and equals ``round(tau_ref/dt)`` whenever ``tau_ref`` is a multiple of ``dt`` (the
tutorial's 2 ms and COBA's 5 ms at dt = 0.1 ms; NEST's ``t_ref`` in steps).

Methods: ``'euler'`` is forward Euler (the tutorial's); ``'exact'`` is exponential Euler, exact for
conductances frozen over the step.

References: Neuromatch Academy, W2D3 Tutorial 3; Vogels & Abbott (2005) J. Neurosci. 25:10786;
Brette et al. (2007) J. Comput. Neurosci. 23:349.

>>> import jax.numpy as jnp
>>> V, ref, spike = conductance_lif_step(jnp.asarray(-50.1), jnp.asarray(0), 0.0, 0.0, 300.0, COBA_NEURON, 0.1)
>>> bool(spike), float(V), int(ref)
(True, -60.0, 50)
"""
from __future__ import annotations

from typing import NamedTuple, Optional

import jax
import jax.numpy as jnp
import numpy as np

from .validation import check_finite, check_method, check_number, check_positive, check_range, is_concrete

from ..units import accepts_units
__all__ = ["CondLIFParams", "COBA_NEURON", "validate_cond_lif_params", "refractory_steps", "threshold_check",
           "conductance_membrane_step", "membrane_step", "conductance_lif_step"]

Array = jax.Array


@accepts_units(V_th="mV", V_reset="mV", tau_m="ms", g_L="nS", V_init="mV", E_L="mV", tau_ref="ms", E_E="mV", E_I="mV", tau_E="ms", tau_I="ms", I_e="pA")
class CondLIFParams(NamedTuple):
    """Conductance LIF parameters (mV, ms, nS, pA); defaults: the tutorial's ``default_pars``
    plus the Exercise 1.2 synapses. ``C_m = g_L·tau_m`` (pF); see :data:`COBA_NEURON`."""

    V_th: float = -55.0     # threshold (mV); inf removes it (free membrane potential)
    V_reset: float = -75.0  # reset (mV), < V_th
    tau_m: float = 10.0     # membrane time constant C_m/g_L (ms), > 0
    g_L: float = 10.0       # leak conductance (nS), > 0
    V_init: float = -65.0   # initial potential (mV)
    E_L: float = -75.0      # leak reversal (mV)
    tau_ref: float = 2.0    # refractory period (ms), >= 0 (the tutorial's ``tref``)
    E_E: float = 0.0        # excitatory reversal (mV)
    E_I: float = -80.0      # inhibitory reversal (mV)
    tau_E: float = 2.0      # excitatory conductance decay (ms), > 0
    tau_I: float = 5.0      # inhibitory conductance decay (ms), > 0
    I_e: float = 0.0        # constant bias current (pA)

    @property
    def C_m(self):
        """Membrane capacitance ``g_L·tau_m`` (pF)."""
        return self.g_L * self.tau_m


#: The COBA benchmark neuron (Brette et al. 2007, benchmark 1): C_m = 10 nS · 20 ms = 200 pF.
COBA_NEURON = CondLIFParams(V_th=-50.0, V_reset=-60.0, tau_m=20.0, g_L=10.0, V_init=-60.0, E_L=-60.0, tau_ref=5.0,
                            E_E=0.0, E_I=-80.0, tau_E=5.0, tau_I=10.0, I_e=200.0)


def _check_finite(name: str, value, allow_pos_inf: bool = False, unit: str = "mV") -> None:
    """``check_finite`` that may let ``+inf`` through (V_th = inf: no threshold)."""
    if not allow_pos_inf:
        return check_finite(name, value, unit)
    check_number(name, value)
    if not is_concrete(value):
        return
    arr = np.asarray(value, dtype=float)
    bad = np.isnan(arr) | (np.isinf(arr) & ~((arr > 0) & allow_pos_inf))
    if np.any(bad):
        raise ValueError(f"{name} must be a finite number ({unit}); got {arr[bad].ravel()[0]:g}")


@accepts_units(dt="ms")
def validate_cond_lif_params(p: CondLIFParams, dt: Optional[float] = None, method: Optional[str] = None) -> None:
    """``ValueError`` naming the parameter, its range and the value given.

    g_L, tau_m in (0, inf); tau_E, tau_I in (0, inf] (inf: no decay); tau_ref in [0, inf);
    potentials and I_e finite (``V_th = +inf`` allowed: no threshold); V_reset < V_th; dt > 0;
    for ``method='euler'`` also dt < tau_m, tau_E, tau_I (forward Euler is unstable beyond).
    """
    if not isinstance(p, CondLIFParams):
        raise TypeError(f"p must be a CondLIFParams; got {type(p).__name__}")
    for name in ("g_L", "tau_m"):
        check_positive(name, getattr(p, name), unit="nS" if name == "g_L" else "ms")
        _check_finite(name, getattr(p, name), unit="nS" if name == "g_L" else "ms")
    for name in ("tau_E", "tau_I"):
        check_positive(name, getattr(p, name))
    check_range("tau_ref", p.tau_ref, 0.0, None, unit="ms")
    _check_finite("tau_ref", p.tau_ref, unit="ms")
    _check_finite("V_th", p.V_th, allow_pos_inf=True)
    for name in ("V_reset", "V_init", "E_L", "E_E", "E_I"):
        _check_finite(name, getattr(p, name))
    _check_finite("I_e", p.I_e, unit="pA")
    if is_concrete(p.V_reset) and is_concrete(p.V_th) and np.any(np.asarray(p.V_reset) >= np.asarray(p.V_th)):
        raise ValueError(f"V_reset must be below V_th; got V_reset={p.V_reset}, V_th={p.V_th}")
    if dt is not None:
        check_positive("dt", dt)
        _check_finite("dt", dt, unit="ms")
    if method is not None:
        check_method(method)
    if method == "euler" and dt is not None and is_concrete(dt):
        for name in ("tau_m", "tau_E", "tau_I"):
            tau = getattr(p, name)
            if is_concrete(tau) and np.any(float(dt) >= np.asarray(tau, float)):
                raise ValueError(f"method='euler' needs dt < {name} (forward Euler is unstable beyond); "
                                 f"got dt={float(dt):g}, {name}={np.min(tau):g} ms; use a smaller dt or method='exact'")


_REF_SLACK = 1e-6  # tau_ref/dt within 1e-6 (relative) of an integer counts as that integer (float32 inputs)


@accepts_units(tau_ref="ms", dt="ms")
def refractory_steps(tau_ref, dt):
    """Whole steps ``V`` is held after a spike: ``ceil(tau_ref/dt)`` (never shorter than ``tau_ref``).

    The tutorial's counter ``tr = tref/dt`` decremented while ``> 0``; ``round(tau_ref/dt)`` whenever
    ``tau_ref`` is a multiple of ``dt``. Concrete arguments give a NumPy integer (computed in
    float64); traced ones a JAX float. A relative slack of 1e-6 keeps ``2/0.1`` at 20 in float32.

    >>> int(refractory_steps(2.0, 0.1)), int(refractory_steps(2.05, 0.1)), int(refractory_steps(0.0, 0.1))
    (20, 21, 0)
    """
    if is_concrete(tau_ref) and is_concrete(dt):
        q = np.asarray(tau_ref, np.float64) / np.float64(dt)
        return np.ceil(q * (1.0 - _REF_SLACK)).astype(np.int64)
    return jnp.ceil(jnp.asarray(tau_ref) / dt * (1.0 - _REF_SLACK))


@accepts_units(V="mV", dt="ms")
def threshold_check(V, ref, p: CondLIFParams, dt) -> tuple[Array, Array, Array]:
    """The tutorial's ``if tr > 0 … elif v >= V_th …`` on one sample: ``(V, ref, spike)``.

    While ``ref > 0`` the sample is held at ``V_reset`` and ``ref`` counts down; else
    ``V ≥ V_th`` spikes, resets and sets ``ref = refractory_steps(tau_ref, dt)``. ``ref`` keeps
    its dtype (the tutorial path counts in floats, the network in int32).
    """
    refractory = ref > 0
    spike = jnp.logical_not(refractory) & (V >= p.V_th)
    V = jnp.where(refractory | spike, jnp.asarray(p.V_reset, V.dtype), V)
    ref_dtype = jnp.result_type(ref)
    ref = jnp.where(refractory, ref - 1, jnp.where(spike, refractory_steps(p.tau_ref, dt), ref)).astype(ref_dtype)
    return V, ref, spike


@accepts_units(V="mV", G_syn="nS", GE_syn="pA", I="pA", g_L="nS", E_L="mV", C_m="pF", dt="ms")
def conductance_membrane_step(V, G_syn, GE_syn, I, g_L, E_L, C_m, dt, method: str = "euler") -> Array:
    r"""The conductance-LIF membrane equation, for any number of synaptic conductances.

    .. math:: C_m \frac{dV}{dt} = g_L(E_L - V) + \sum_k g_k(E_k - V) + I
              = (g_L E_L + GE_{syn} + I) - (g_L + G_{syn}) V

    with ``G_syn = Σ g_k`` (nS) and ``GE_syn = Σ g_k E_k`` (pA); ``C_m = g_L τ_m`` (pF).
    ``'euler'`` is forward Euler; ``'exact'`` is exponential Euler (exact for conductances
    frozen over the step). Every conductance LIF of the package advances ``V`` here.
    """
    G = g_L + G_syn
    drive = g_L * E_L + GE_syn + I
    if method == "euler":
        return V + (dt / C_m) * (drive - G * V)
    if method == "exact":
        return V + (V - drive / G) * jnp.expm1(-dt * G / C_m)
    raise ValueError(f"method must be one of ('exact', 'euler'); got {method!r}")


@accepts_units(V="mV", gE="nS", gI="nS", I="pA", dt="ms")
def membrane_step(V, gE, gI, I, p: CondLIFParams, dt, method: str = "euler") -> Array:
    """Advance ``V`` by ``dt`` with conductances ``gE``, ``gI`` (nS) and current ``I + I_e`` (pA)."""
    return conductance_membrane_step(V, gE + gI, gE * p.E_E + gI * p.E_I, I + p.I_e, p.g_L, p.E_L,
                                     p.g_L * p.tau_m, dt, method)


@accepts_units(V="mV", G_syn="nS", GE_syn="pA", I="pA", dt="ms")
def conductance_lif_step(V, ref, G_syn, GE_syn, I, p: CondLIFParams, dt, method: str = "exact"):
    """Membrane step and threshold check for any set of conductances: ``(V, ref, spike)``.

    ``G_syn = Σ g_k`` (nS), ``GE_syn = Σ g_k E_k`` (pA) of the conductances at the new sample;
    ``I`` (pA) is added to ``p.I_e``. The COBA network neuron (fused and class path) calls this;
    ``p.E_E``, ``p.E_I``, ``p.tau_E``, ``p.tau_I`` are not read here.
    """
    V = conductance_membrane_step(V, G_syn, GE_syn, I + p.I_e, p.g_L, p.E_L, p.g_L * p.tau_m, dt, method)
    return threshold_check(V, ref, p, dt)
