"""How a sweep is cut into chunks, and whether its result fits in memory at all.

Sizes come from one setting's output shapes (``jax.eval_shape``), so nothing is computed
to plan. Chunks are equal (the last is padded, one compilation), a multiple of the device
count, and sized to a byte budget; on CPU a run with a loop also keeps each device's
share of the loop carry about the size of a core's L2 cache.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import jax
import numpy as np

from .._memory import available_memory, format_bytes

__all__ = ["DEFAULT_MEMORY_BUDGET", "plan_chunks", "default_memory_budget", "nbytes", "loop_carry_bytes",
           "cpu_max_items", "available_memory", "check_result_fits", "format_bytes"]

DEFAULT_MEMORY_BUDGET = 32 * 2**20  # CPU bytes per chunk: enough to amortise a call, small enough to stay in cache
# On accelerators a time-stepped run costs one kernel launch per step whatever the batch, so
# chunks should be as large as memory allows: this fraction of each device's memory, capped.
_ACCEL_FRACTION, _ACCEL_CAP = 8, 256 * 2**20
# On CPU a time-stepped run sweeps its whole loop carry once per step: keep a chunk's carry
# (per device) about the size of a core's L2 cache, or every step streams it from memory.
_CPU_CARRY_BYTES = 768 * 2**10
# Outputs are held on the device, copied to the host and (in a store) written; intermediates
# of the run are not visible from its output shapes, so leave headroom.
_OVERHEAD = 3
# An in-memory result may take this fraction of the memory available when the sweep starts.
_RESULT_FRACTION = 2
# Budget-sized chunks of at least _ALIGN_FROM items per device are a multiple of _ALIGN per device: XLA's
# CPU loops run 3-5x slower on an odd batch (measured: tm efficacies, 199999 items 6.4e6/s, 200002
# items 6.2e7/s; quantal n=5, 83077 items 3x slower than 83078), and the padding is < 1.6 %.
_ALIGN, _ALIGN_FROM = 64, 4096


def nbytes(tree) -> int:
    """Bytes of the arrays (or ShapeDtypeStructs) in a pytree."""
    return int(sum(math.prod(x.shape) * np.dtype(x.dtype).itemsize for x in jax.tree_util.tree_leaves(tree)))


def default_memory_budget(devices: Sequence[Any]) -> int:
    """Bytes per chunk when none is given: 32 MiB on CPU; on accelerators 1/8 of each device's
    memory, at most 256 MiB each (larger chunks only delay the device-to-host copies), summed
    over the devices."""
    dev = devices[0]
    if dev.platform == "cpu":
        return DEFAULT_MEMORY_BUDGET
    try:
        limit = int((dev.memory_stats() or {}).get("bytes_limit", 0))
    except Exception:  # backends without memory statistics
        limit = 0
    per_device = min(limit // _ACCEL_FRACTION, _ACCEL_CAP) if limit else _ACCEL_CAP
    return per_device * len(devices)


def loop_carry_bytes(jaxpr) -> int:
    """Largest loop carry (bytes) of any scan / while loop in a jaxpr, nested ones included.

    Read from the loop's outputs (a while loop returns its carry; a scan returns its carry
    first, then the stacked outputs), which does not depend on a jax version's parameter
    names; 0 when it cannot tell.
    """
    def size(vars_):
        return sum(math.prod(v.aval.shape) * np.dtype(v.aval.dtype).itemsize for v in vars_)

    best = 0
    try:
        for eqn in jaxpr.eqns:
            name, params = eqn.primitive.name, eqn.params
            if name == "while":
                best = max(best, size(eqn.outvars))
            elif name == "scan" and "num_carry" in params:
                best = max(best, size(eqn.outvars[: params["num_carry"]]))
            for val in params.values():
                for sub in val if isinstance(val, (list, tuple)) else (val,):
                    inner = getattr(sub, "jaxpr", sub)  # ClosedJaxpr -> Jaxpr
                    if hasattr(inner, "eqns"):
                        best = max(best, loop_carry_bytes(inner))
    except Exception:  # an unfamiliar jaxpr: no cache cap
        return best
    return best


def cpu_max_items(devices: Sequence[Any], carry_bytes: int) -> int | None:
    """Most items per chunk that keep each CPU device's loop carry in its L2 cache (None: no cap)."""
    if devices[0].platform != "cpu" or not carry_bytes:
        return None
    return _CPU_CARRY_BYTES * len(devices) // carry_bytes


def _check_count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer, float, np.floating)):
        raise TypeError(f"{name} must be an integer; got {value!r}")
    if not float(value).is_integer():
        raise ValueError(f"{name} must be an integer; got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1; got {value!r}")
    return int(value)


def check_budget(name: str, value: Any) -> int:
    """A positive, finite number of bytes."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer, float, np.floating)):
        raise TypeError(f"{name} must be a number of bytes; got {value!r}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive number of bytes; got {value!r}")
    return int(value) if value >= 1 else 1


def plan_chunks(n_items: int, bytes_per_item: int, n_devices: int, chunk_size: int | None = None,
                memory_budget: int | None = None, max_items: int | None = None) -> int:
    """Chunk size: explicit, or derived from ``memory_budget`` bytes: the fewest chunks that fit
    it, evened out so the last one is nearly full.

    Always a multiple of ``n_devices`` (each device gets an equal share) and never larger
    than needed for ``n_items`` (rounded up to that multiple). A budget-sized chunk of at least
    4096 items per device is a multiple of 64 per device (odd batches run several times slower
    on CPU); an explicit ``chunk_size`` is only rounded to the device count.
    """
    if chunk_size is None:
        budget = DEFAULT_MEMORY_BUDGET if memory_budget is None else check_budget("memory_budget", memory_budget)
        most = max(1, budget // max(1, _OVERHEAD * bytes_per_item))
        if max_items is not None:
            most = max(1, min(most, int(max_items)))
        # As many chunks as the budget needs, of equal size: the padded last chunk wastes little.
        n_chunks = -(-n_items // most)
        per_device = -(-n_items // (n_chunks * n_devices))
        if per_device >= _ALIGN_FROM:  # over the budget by < 64 items of >= 4096: inside its safety factor
            per_device = -(-per_device // _ALIGN) * _ALIGN
        return per_device * n_devices
    chunk_size = _check_count("chunk_size", chunk_size)
    chunk_size = min(chunk_size, n_items)
    return -(-chunk_size // n_devices) * n_devices


def check_result_fits(result_bytes: int, max_result_bytes: int | None, describe: str) -> None:
    """Refuse an in-memory result larger than the budget (default: half the available memory)."""
    if max_result_bytes is None:
        limit, what = available_memory() // _RESULT_FRACTION, "half the memory available now"
    else:
        limit, what = check_budget("max_result_bytes", max_result_bytes), "max_result_bytes"
    if result_bytes > limit:
        raise ValueError(
            f"the result of this sweep ({describe}) needs {format_bytes(result_bytes)} in memory, more than "
            f"{format_bytes(limit)} ({what}); pass store='DIR' to assemble it on disk (results over 2 GiB are "
            "then opened lazily), keep only summaries with reduce=, or sweep fewer settings"
        )
