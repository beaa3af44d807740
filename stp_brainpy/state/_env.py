"""brainstate's environment (``dt``, ``t``) in the package's units, and brainevent's CPU backend.

brainevent (the event kernels behind brainstate's ``EventFixedProb`` and brainpy.state's plastic
projections) picks numba on CPU by default; numba is not among the package's dependencies, and
without it every event operator fails (``KernelCompilationError ... No module named 'numba'``).
:func:`ensure_event_backend` selects brainevent's pure-JAX ``'jax_raw'`` CPU backend in that case
only: when numba imports, or when a CPU backend was chosen before (by the user), it does nothing.
Importing :mod:`stp_brainpy.state` calls it once; the package's own modules never need it (their
event delivery is :func:`stp_brainpy.network.events.deliver`).
"""
from __future__ import annotations

import brainstate

from ..synapses._backend import ensure_event_backend  # the one backend rule, shared with the classic synapses
from ..units import to_unit

__all__ = ["dt_ms", "t_ms", "ensure_event_backend"]


def dt_ms() -> float:
    """``brainstate.environ``'s ``dt`` in ms (a Quantity or a bare number taken in ms)."""
    try:
        dt = brainstate.environ.get_dt()
    except KeyError:
        raise RuntimeError("brainstate.environ has no dt; set it first, e.g. "
                           "brainstate.environ.set(dt=0.1 * u.ms)") from None
    return to_unit("dt", dt, "ms")


def t_ms():
    """The current time ``t`` of ``brainstate.environ`` in ms (set per step by the run loop)."""
    try:
        t = brainstate.environ.get("t")
    except KeyError:
        raise RuntimeError("brainstate.environ has no t; run steps inside "
                           "brainstate.environ.context(t=...), e.g. with stp_brainpy.state.run") from None
    return to_unit("t", t, "ms")
