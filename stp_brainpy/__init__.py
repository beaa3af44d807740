"""stp_brainpy: exact Tsodyks–Markram short-term plasticity and conductance LIF neurons for BrainPy.

Layout (each sub-package imports only what it needs; ``import stp_brainpy`` itself does not import brainpy):

- ``core``      pure-JAX numerics: TM STP (exact / Euler), LIF and conductance LIF steps, closed forms
- ``synapses``  BrainPy STP synapses (homework signature; ``bp.dyn`` SynDyn components)
- ``neurons``   BrainPy neurons (homework LIF, conductance LIF)
- ``inputs``    spike trains and noise currents, as arrays and as BrainPy groups
- ``analysis``  rates, ISIs, CV_ISI, free-membrane-potential statistics, PSC amplitudes
- ``sweeps``    batched, sharded, resumable parameter sweeps with labeled (xarray) results
- ``network``   event-driven STP projections and the COBA / COBA-STP networks
- ``replays``   the homework's and the Neuromatch tutorial's experiments and figures
- ``fitting``   fit STP models to recorded responses (gradients, uncertainty, many synapses)
- ``nest``      NEST's synapse names and semantics over the same core (porting entry point)
- ``compat``    lets legacy ``brainmodels`` / ``bp.StructRunner`` homework code run (import to activate)

``enable_compilation_cache()`` turns on JAX's persistent compilation cache (opt-in; the command line turns it on):
a later process loads the compiled network instead of compiling it again (:mod:`stp_brainpy._cache`).
"""
from __future__ import annotations

import gc
import importlib
import importlib.metadata

# importing jax makes ~10^5 long-lived objects; garbage collections in the middle of it traverse them all again and
# again (~0.05-0.1 s of the import): collect after it instead
_gc = gc.isenabled()
gc.disable()
try:
    from . import core
finally:
    if _gc:
        gc.enable()
del _gc
from ._cache import enable_compilation_cache as enable_compilation_cache  # noqa: E402  (public, re-exported)

try:  # the one source of the version is pyproject.toml, read back from the installed metadata
    __version__ = importlib.metadata.version("stp-brainpy")
except importlib.metadata.PackageNotFoundError:  # pragma: no cover - a source tree that was never installed
    __version__ = "0+unknown"
_SUBMODULES = ("synapses", "neurons", "inputs", "analysis", "sweeps", "network", "replays", "fitting", "nest")
__all__ = ["core", "__version__", *_SUBMODULES]  # enable_compilation_cache: documented with stp_brainpy.network


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
