"""BrainPy synapses built on :mod:`stp_brainpy.core.stp`.

``STP``
    the homework's two-group synapse (``pre, post, conn, U, tau_f, tau_d, tau, A, delay``).
``STPExpon`` / ``STPRelease``
    ``bp.dyn.SynDyn`` components for brainpy's AlignPre projections (``.desc(...)``).

Importing this package selects brainevent's pure-JAX ``'jax_raw'`` CPU backend when numba is
missing and no backend was chosen, so event-driven ``comm`` layers (``bp.dnn.EventCSRLinear``) run
on a default CPU install (:func:`~stp_brainpy.synapses._backend.ensure_event_backend`).
"""
from ._backend import ensure_event_backend
from .stp import STP, as_connector
from .syndyn import STPExpon, STPRelease

ensure_event_backend()

__all__ = ["STP", "STPExpon", "STPRelease", "as_connector", "ensure_event_backend"]
