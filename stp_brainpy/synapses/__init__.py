"""BrainPy synapses built on :mod:`stp_brainpy.core.stp`.

``STP``
    the homework's two-group synapse (``pre, post, conn, U, tau_f, tau_d, tau, A, delay``).
``STPExpon`` / ``STPRelease``
    ``bp.dyn.SynDyn`` components for brainpy's AlignPre projections (``.desc(...)``).
"""
from .stp import STP, as_connector
from .syndyn import STPExpon, STPRelease

__all__ = ["STP", "STPExpon", "STPRelease", "as_connector"]
