"""Network-scale event-driven STP: connectivity, projections, the COBA / COBA-STP networks.

    from stp_brainpy.network import COBAConfig, simulate
    res = simulate(COBAConfig(stp=True, duration=1000.))   # fused lax.scan fast path
    print(res["rate_hz"], res["cv_isi"], res["sim_s"])

The BrainPy classes (:class:`EventSTPProjection`, :class:`CondLIF`, :class:`COBANetwork`) are
imported on first access, so the fused path does not pay for importing brainpy (~2 s).
"""
from .coba import (COBAConfig, CondLIFParams, FusedCOBA, build_connectivity, cond_lif_step, initial_potentials,
                   simulate, spike_stats)
from .connectivity import Connectivity, bernoulli, fixed_in_degree, from_dense, from_pairs, select
from .events import deliver, native_available
from .steps import delay_steps, ring_read, ring_write, source_release

_LAZY = {"EventSTPProjection": ".projections", "CondLIF": ".models", "COBANetwork": ".models"}

__all__ = ["Connectivity", "bernoulli", "fixed_in_degree", "from_dense", "from_pairs", "select", "deliver",
           "native_available", "delay_steps", "ring_read", "ring_write", "source_release", "COBAConfig",
           "CondLIFParams", "FusedCOBA", "build_connectivity", "cond_lif_step", "initial_potentials", "simulate",
           "spike_stats", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
