"""BrainPy neuron groups built on :mod:`stp_brainpy.core`."""
from .lif import LIF
from .cond_lif import CondLIF
