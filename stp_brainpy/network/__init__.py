"""Network-scale event-driven STP: connectivity, projections, the COBA / COBA-STP networks.

    from stp_brainpy.network import COBAConfig, simulate
    res = simulate(COBAConfig(stp=True, duration=1000.))   # fused lax.scan fast path
    print(res["rate_hz"], res["cv_isi"], res["sim_s"])

A general network description (:mod:`.description`: populations, projections with per-synapse weights,
delays and STP, noise, stimuli, recorders) compiles to one ``lax.scan`` (:mod:`.compile_fused`,
:class:`FusedNetwork`) or to BrainPy classes (:mod:`.compile_classes`, :func:`to_brainpy`); both give the same
spikes. :mod:`.plan` lays the synapses out, :mod:`.kernels` holds the step functions both share,
:mod:`.instances` writes COBA as a description.

Modules, one job each: :mod:`.config` (the COBA configuration, its connectivity and initial
potentials), :mod:`.fused` (COBA through the description), :mod:`.models` (BrainPy classes),
:mod:`.projections`, :mod:`.connectivity` (builders), :mod:`.sizes` (memory estimates checked up
front), :mod:`.events` (delivery), :mod:`.steps`, :mod:`.stats`. The neuron is the package's one
conductance LIF (:mod:`stp_brainpy.core.cond_neuron`, COBA parameters
:data:`~stp_brainpy.core.cond_neuron.COBA_NEURON`); delays follow :mod:`stp_brainpy.core.delays`.

:func:`enable_compilation_cache` (also ``stp_brainpy.enable_compilation_cache``) turns on JAX's persistent
compilation cache, opt-in as in JAX: a later process loads the compiled scan instead of compiling it.

The BrainPy classes (:class:`EventSTPProjection`, :class:`COBANeuron`, :class:`COBANetwork`) are
imported on first access, so the fused path does not pay for importing brainpy (~2 s).
"""
from .._cache import enable_compilation_cache
from ..core.cond_neuron import COBA_NEURON, CondLIFParams
from .config import COBAConfig, build_connectivity, initial_potentials
from .connectivity import Connectivity, bernoulli, fixed_in_degree, from_dense, from_pairs, select
from .events import deliver, native_available
from .compile_fused import FusedNetwork
from .description import (STPModel, Bernoulli, CondLIFModel, CurrentLIF, FixedInDegree, HomeworkLIF, Network, Normal, Pairs,
                          PoissonSource, Population, Projection, Record, SpikeSource, Stimulus, Uniform, WhiteNoise)
from .fused import FusedCOBA, simulate
from .instances import coba_network
from .sizes import available_memory
from .stats import spike_stats
from .steps import delay_steps, ring_read, ring_write, source_release

_LAZY = {"EventSTPProjection": ".projections", "COBANeuron": ".models", "COBANetwork": ".models",
         "DescribedNetwork": ".compile_classes", "to_brainpy": ".compile_classes"}

__all__ = ["Connectivity", "bernoulli", "fixed_in_degree", "from_dense", "from_pairs", "select", "deliver",
           "native_available", "delay_steps", "ring_read", "ring_write", "source_release", "COBAConfig",
           "COBA_NEURON", "CondLIFParams", "FusedCOBA", "build_connectivity", "initial_potentials", "simulate",
           "spike_stats", "available_memory", "Network", "Population", "Projection", "CurrentLIF", "CondLIFModel",
           "HomeworkLIF", "PoissonSource", "SpikeSource", "Bernoulli", "FixedInDegree", "Pairs", "Uniform", "Normal",
           "STPModel", "WhiteNoise", "Stimulus", "Record", "FusedNetwork", "coba_network", "enable_compilation_cache",
           *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
