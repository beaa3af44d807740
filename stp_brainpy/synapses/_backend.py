"""brainevent's CPU backend for the ``bp.dyn`` projections this package's synapses are used in.

brainpy's event operators (``bp.dnn.EventCSRLinear``, ``EventJitFPHomoLinear``, ...) run on
brainevent, whose default CPU backend is numba; numba is not a dependency of brainpy, brainevent or
this package, so on a default CPU install the first run of such a projection fails with
``KernelCompilationError: ... No module named 'numba'``. :func:`ensure_event_backend` selects
brainevent's pure-JAX ``'jax_raw'`` CPU backend in exactly that case: numba missing and no CPU
backend chosen yet. When numba imports, or the user chose a backend (``brainevent.config.set_backend``)
before importing :mod:`stp_brainpy.synapses`, it changes nothing. Importing
:mod:`stp_brainpy.synapses` calls it once (setting the backend clears JAX's compilation caches, so it
belongs at import, before anything is compiled).
"""
from __future__ import annotations

import importlib.util
from typing import Optional

__all__ = ["ensure_event_backend"]


def ensure_event_backend() -> Optional[str]:
    """Make brainevent's CPU event operators runnable; returns the CPU backend in force (None: brainevent's default)."""
    if importlib.util.find_spec("brainevent") is None:
        return None
    import brainevent

    current = brainevent.config.get_backend("cpu")
    if current is None and importlib.util.find_spec("numba") is None:
        brainevent.config.set_backend("cpu", "jax_raw")
        return "jax_raw"
    return current
