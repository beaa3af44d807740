"""BrainPy neuron groups built on :mod:`stp_brainpy.core`."""
from .cond_lif import CondLIF
from .lif import LIF

__all__ = ["LIF", "CondLIF"]
