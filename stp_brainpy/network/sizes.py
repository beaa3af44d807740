"""Network sizes checked up front: synapse counts and memory estimated before anything is built.

The estimates are upper bounds of the expected peak host memory, from the bytes every builder and
simulator allocates per synapse (measured, see :data:`BUILD_BYTES_PER_SYNAPSE`). A network whose
estimate exceeds the memory available now is refused with a ``ValueError`` naming the size, the
estimated synapses and bytes, and the memory available — instead of a machine that swaps for
minutes or an out-of-memory kill.
"""
from __future__ import annotations

import math
from typing import Optional

from .._memory import available_memory, format_bytes

__all__ = ["available_memory", "expected_synapses", "check_fits", "format_bytes", "BUILD_BYTES_PER_SYNAPSE",
           "SIM_BYTES_PER_SYNAPSE", "MAX_INDEX"]

#: Peak host bytes per synapse while a connectivity is built (int64 pair keys and their sort, int32 CSR
#: indices, the padded int32 ELL table and its boolean fill mask): measured 34 B (bernoulli) and 56 B
#: (fixed_in_degree) at 3.2M synapses, peak RSS.
BUILD_BYTES_PER_SYNAPSE = 64
#: Host bytes per synapse a fused simulation adds on top (the merged int32 target table, its int64
#: staging copy, the device copy); a 40k-neuron FusedCOBA peaked at 56.5 B per synapse in all.
SIM_BYTES_PER_SYNAPSE = 16
#: Targets are int32 (the native kernel's index type), padded with ``n_post``.
MAX_INDEX = 2**31 - 2


def expected_synapses(n_pre: int, n_post: int, p: Optional[float] = None, in_degree: Optional[int] = None,
                      allow_autapses: bool = True) -> int:
    """Synapses to plan for: ``n_post·in_degree`` exactly, or ``n_pre·n_post·p`` plus 6 standard deviations."""
    if in_degree is not None:
        return int(n_post) * int(in_degree)
    pairs = int(n_pre) * int(n_post) - (0 if allow_autapses else min(int(n_pre), int(n_post)))
    mean = pairs * float(p)
    return int(min(pairs, math.ceil(mean + 6.0 * math.sqrt(mean * (1.0 - float(p))) + 1)))


def check_fits(what: str, synapses: int, extra_bytes: int = 0, bytes_per_synapse: int = BUILD_BYTES_PER_SYNAPSE,
               available: Optional[int] = None) -> int:
    """Refuse (``ValueError``) when ``synapses × bytes_per_synapse + extra_bytes`` exceeds the memory available.

    ``what`` names the size in the message (e.g. ``"bernoulli(1000000, 1000000, p=0.02)"``).
    Returns the estimated bytes.
    """
    need = int(synapses) * int(bytes_per_synapse) + int(extra_bytes)
    have = available_memory() if available is None else int(available)
    if need > have:
        raise ValueError(f"{what} is too large for this machine: about {synapses:.3g} synapses need about "
                         f"{format_bytes(need)} of memory, {format_bytes(have)} available; use fewer neurons, a smaller "
                         f"p or in_degree, or a machine with more memory")
    return need
