"""Parameter sweeps at scale: batched, chunked, sharded over devices, labeled, resumable.

>>> from stp_brainpy.sweeps import sweep, product
>>> ds = sweep(lambda a, b: {"s": a * b}, product(a=[1., 2.], b=[3., 4.]))
>>> float(ds.s.sel(a=2., b=4.))
8.0

See :func:`sweep` for the full contract, :mod:`.store` for the on-disk format and
:mod:`.models` for the package's common runs.
"""
from .engine import DEFAULT_MEMORY_BUDGET, clear_cache, plan_chunks, sweep, versions
from .grids import Grid, product, random_samples, zipped
from .store import open_store

__all__ = ["sweep", "product", "zipped", "random_samples", "Grid", "open_store", "plan_chunks",
           "versions", "clear_cache", "DEFAULT_MEMORY_BUDGET"]
