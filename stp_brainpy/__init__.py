"""stp_brainpy: exact Tsodyks–Markram short-term plasticity and conductance LIF neurons for BrainPy."""
from . import core

__version__ = "0.1.0"
__all__ = ["core", "__version__"]
