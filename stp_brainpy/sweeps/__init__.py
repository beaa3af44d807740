"""Parameter sweeps at scale: batched, chunked, sharded over devices, labeled, resumable.

>>> from stp_brainpy.sweeps import sweep, product
>>> ds = sweep(lambda a, b: {"s": a * b}, product(a=[1., 2.], b=[3., 4.]))
>>> float(ds.s.sel(a=2., b=4.))
8.0

See :func:`sweep` for the full contract, :mod:`.store` for the on-disk format,
:mod:`.params` for how a model declares its parameter ranges, :mod:`.models` for the
package's common runs and :mod:`.variants` for the efficacy models of the STP family. Modules: ``engine`` (the sweep), ``checks`` / ``params`` (what is
refused before anything runs), ``planning`` (chunk sizes, memory), ``runner`` (compiled
chunks), ``results`` (labels), ``provenance`` (fingerprint, versions), ``store`` /
``storefiles`` / ``lock`` (the on-disk store), ``cli`` / ``plotting`` (the commands).
"""
from .engine import DEFAULT_MEMORY_BUDGET, plan_chunks, sweep, versions
from .grids import Grid, product, random_samples, zipped
from .runner import clear_cache
from .store import StoreWarning, open_store

__all__ = ["sweep", "product", "zipped", "random_samples", "Grid", "open_store", "plan_chunks",
           "versions", "clear_cache", "DEFAULT_MEMORY_BUDGET", "StoreWarning"]
