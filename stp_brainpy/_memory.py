"""How much memory a new allocation can get now: the one reader used by the network size checks and the sweeps."""
from __future__ import annotations

import os
from typing import Optional

__all__ = ["available_memory"]


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
