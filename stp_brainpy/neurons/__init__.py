"""BrainPy neuron groups built on :mod:`stp_brainpy.core`."""
from .lif import LIF
