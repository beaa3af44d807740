"""How much memory a new allocation can get now, and how a byte count is written: the one reader and the one
formatter used by the network size checks and the sweeps."""
from __future__ import annotations

import os
from typing import Optional

__all__ = ["available_memory", "format_bytes"]


def available_memory() -> int:
    """Bytes of memory a new allocation can get now: ``MemAvailable`` (Linux), bounded by a cgroup limit.

    Falls back to the physical memory (``os.sysconf``) where ``/proc/meminfo`` is missing.
    """
    avail: Optional[int] = None
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    avail = int(line.split()[1]) * 1024
                    break
    except OSError:
        pass
    if avail is None:
        try:
            avail = int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
            avail = 1 << 62
    try:  # a container's own limit (cgroup v2)
        with open("/sys/fs/cgroup/memory.max") as fh:
            limit = fh.read().strip()
        if limit != "max":
            with open("/sys/fs/cgroup/memory.current") as fh:
                avail = min(avail, int(limit) - int(fh.read().strip()))
    except (OSError, ValueError):
        pass
    return max(int(avail), 0)


def format_bytes(n: float) -> str:
    """A byte count as people read it: ``"512 B"``, ``"1.49 GiB"``, ``"12.3 MiB"`` (three significant digits,
    binary units up to TiB).

    >>> format_bytes(1536), format_bytes(3 * 2**30 // 2), format_bytes(1023)
    ('1.5 KiB', '1.5 GiB', '1023 B')
    """
    n = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        # up to 1023 B, then at most 999 of a unit (1023.9 KiB would print as 1.02e+03 KiB)
        if unit == "TiB" or abs(n) < (1024 if unit == "B" else 999.5):
            break
        n /= 1024
    if unit == "B":
        return f"{int(n)} B"
    return f"{n:.3g} {unit}" if abs(n) < 999.5 else f"{n:.0f} {unit}"
