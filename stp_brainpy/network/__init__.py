"""Network-scale event-driven STP: connectivity, projections, the COBA / COBA-STP networks.

    from stp_brainpy.network import COBAConfig, simulate
    res = simulate(COBAConfig(stp=True, duration=1000.))   # fused lax.scan fast path
    print(res["rate_hz"], res["cv_isi"], res["sim_s"])
"""
from .connectivity import Connectivity, bernoulli, fixed_in_degree, from_dense, from_pairs, select
from .events import deliver, native_available
from .projections import EventSTPProjection, source_release
from .coba import (COBAConfig, COBANetwork, CondLIF, CondLIFParams, FusedCOBA, build_connectivity, cond_lif_step,
                   initial_potentials, simulate, spike_stats)

__all__ = ["Connectivity", "bernoulli", "fixed_in_degree", "from_dense", "from_pairs", "select", "deliver",
           "native_available", "EventSTPProjection", "source_release", "COBAConfig", "COBANetwork", "CondLIF",
           "CondLIFParams", "FusedCOBA", "build_connectivity", "cond_lif_step", "initial_potentials", "simulate",
           "spike_stats"]
