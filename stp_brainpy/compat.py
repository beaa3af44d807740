"""Run legacy (brain-py 2.1 / brainmodels 0.4) homework code on today's brainpy with one added line.

``import stp_brainpy.compat`` does two things, both explicit and reversible with :func:`uninstall`:

- registers a ``brainmodels`` shim in ``sys.modules`` (brainmodels 0.4.1 fails on import with every
  brainpy that installs today): ``brainmodels.neurons.LIF`` is :class:`stp_brainpy.neurons.LIF` and
  ``brainmodels.synapses.STP`` is :class:`stp_brainpy.synapses.STP` (same signatures and defaults,
  variables ``u``, ``x``, ``I`` kept per connection as before);
- sets ``bp.StructRunner`` (renamed ``bp.DSRunner`` in brainpy 2.2) to :class:`StructRunner`, a
  ``DSRunner`` that accepts the old keywords and shows no progress bar unless asked.

A ``FutureWarning`` says once that this is a shim: port code to ``stp_brainpy`` / ``bp.DSRunner``.

Example::

    import brainpy as bp
    import stp_brainpy.compat   # the one added line
    import brainmodels
    neu1, neu2 = brainmodels.neurons.LIF(1), brainmodels.neurons.LIF(1)
    syn = brainmodels.synapses.STP(neu1, neu2, bp.connect.All2All(), U=0.2, tau_d=150., tau_f=2.)
    runner = bp.StructRunner(bp.Network(pre=neu1, syn=syn, post=neu2),
                             inputs=[('pre.input', 28.)], monitors=['syn.I', 'syn.u', 'syn.x'])
    runner.run(150.)
"""
from __future__ import annotations

import sys
import types
import warnings

import brainpy as bp

from .core.validation import check_number, check_range
from .neurons import LIF
from .synapses import STP
from .units import to_unit

__all__ = ["StructRunner", "install", "uninstall", "SHIM_MODULES"]

SHIM_MODULES = ("brainmodels", "brainmodels.neurons", "brainmodels.synapses")
_warned = False


class StructRunner(bp.DSRunner):
    """``bp.StructRunner`` of brain-py 2.1: a :class:`brainpy.DSRunner` with ``progress_bar=False`` by default.

    The 2.1 keywords it took (``target, monitors, inputs, dyn_vars, jit, dt, numpy_mon_after_run``)
    all exist on ``DSRunner``; anything else raises ``TypeError`` as before. ``dt`` and the
    ``duration`` of :meth:`run` are in ms or brainunit time Quantities (:mod:`stp_brainpy.units`).
    """

    def __init__(self, target, *args, progress_bar: bool = False, **kwargs):
        if kwargs.get("dt") is not None:
            kwargs["dt"] = to_unit("dt", kwargs["dt"], "ms")
            check_number("dt", kwargs["dt"])
            check_range("dt", kwargs["dt"], 0.0, float("inf"), low_open=True, high_open=True, unit="ms")
        if not isinstance(target, bp.DynamicalSystem):
            raise TypeError(f"target must be a brainpy DynamicalSystem (e.g. bp.Network); got {type(target).__name__}")
        super().__init__(target, *args, progress_bar=progress_bar, **kwargs)

    def run(self, *args, **kwargs):
        """``DSRunner.run``; ``duration`` (the first argument) in ms or a brainunit time Quantity."""
        if args:
            args = (to_unit("duration", args[0], "ms"),) + args[1:]
        if "duration" in kwargs:
            kwargs["duration"] = to_unit("duration", kwargs["duration"], "ms")
        return super().run(*args, **kwargs)


def _module(name: str, doc: str, **attrs) -> types.ModuleType:
    mod = types.ModuleType(name, doc)
    mod.__dict__.update(attrs)
    mod.__stp_brainpy_shim__ = True
    return mod


def install() -> None:
    """Register the ``brainmodels`` shim and ``bp.StructRunner`` (idempotent); warn once."""
    global _warned
    neurons = _module("brainmodels.neurons", "Shim: brainmodels.neurons -> stp_brainpy.neurons", LIF=LIF)
    synapses = _module("brainmodels.synapses", "Shim: brainmodels.synapses -> stp_brainpy.synapses", STP=STP)
    root = _module("brainmodels", "Shim for the retired brainmodels package, installed by stp_brainpy.compat",
                   neurons=neurons, synapses=synapses, __version__="0.4.1+stp_brainpy.shim")
    root.__path__ = []  # a package, so ``import brainmodels.neurons`` resolves through sys.modules
    for mod in (root, neurons, synapses):
        sys.modules[mod.__name__] = mod
    bp.StructRunner = StructRunner
    if not _warned:
        _warned = True
        warnings.warn("stp_brainpy.compat installed a 'brainmodels' shim and bp.StructRunner = DSRunner for legacy "
                      "code; new code should use stp_brainpy.neurons/synapses and bp.DSRunner directly",
                      FutureWarning, stacklevel=3)


def uninstall() -> None:
    """Remove the shim modules and ``bp.StructRunner`` again."""
    for name in SHIM_MODULES:
        if getattr(sys.modules.get(name), "__stp_brainpy_shim__", False):
            del sys.modules[name]
    if getattr(bp, "StructRunner", None) is StructRunner:
        del bp.StructRunner


install()
