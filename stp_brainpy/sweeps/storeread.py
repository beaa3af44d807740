"""Reading a sweep store: the manifest, the result, and the errors that name a damaged file.

Used by the writer (:mod:`.store`) and by :func:`open_store`, which only reads.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from .lock import LOCK
from .provenance import FORMAT
from .storefiles import interrupt_after, is_tmp

__all__ = ["open_store", "check_store_path", "read_dataset", "read_manifest", "load_result", "StoreWarning", "MANIFEST", "RESULT",
           "GRID", "LOAD_LIMIT", "REMEDY"]

MANIFEST = "manifest.json"
RESULT = "result.nc"
GRID = "grid.nc"
LOAD_LIMIT = 2 * 2**30  # results larger than this (or half the free memory) are opened lazily, not loaded
REMEDY = "pass overwrite=True (command line: --overwrite) to recompute the sweep, or remove the store directory"


class StoreWarning(RuntimeWarning):
    """A store file could not be used and is being rebuilt."""


def check_store_path(path: Path) -> None:
    """Refuse a path that cannot be (or become) a store, creating nothing.

    A file; a non-empty directory that is not a store (its files are never touched); a
    path whose nearest existing parent is not a writable directory.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ValueError(f"store {path} exists and is not a directory; a sweep store is a directory")
    if path.is_dir():
        if not (path / MANIFEST).exists():
            foreign = sorted(p.name for p in path.iterdir() if p.name not in (GRID, LOCK) and not is_tmp(p.name))
            if foreign:
                raise ValueError(f"{path} is a non-empty directory without {MANIFEST} (it holds "
                                 f"{', '.join(foreign[:3])}{', ...' if len(foreign) > 3 else ''}): not a sweep "
                                 "store; refusing to write into it")
        if not os.access(path, os.W_OK | os.X_OK) and not _finished(path):
            raise ValueError(f"store {path} is not writable")
        return
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise ValueError(f"cannot create the store {path}: {parent} is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ValueError(f"cannot create the store {path}: {parent} is not writable")


def _finished(path: Path) -> bool:
    try:
        return read_manifest(path)["status"] == "complete"
    except ValueError:
        return False


def read_dataset(path: Path):
    import xarray as xr

    from .planning import available_memory

    with interrupt_after():
        if path.stat().st_size > min(LOAD_LIMIT, available_memory() // 2):
            return xr.open_dataset(path, engine="netcdf4")  # lazy: indexing reads only what it needs
        with xr.open_dataset(path, engine="netcdf4") as ds:
            return ds.load()


def read_manifest(path: Path) -> dict:
    """The manifest, checked for the fields a resume relies on (ValueError naming the file)."""
    mpath = path / MANIFEST
    try:
        manifest = json.loads(mpath.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise ValueError(f"{mpath} is damaged ({type(err).__name__}: {err}); {REMEDY}") from None
    if not isinstance(manifest, dict):
        raise ValueError(f"{mpath} is damaged (not a JSON object); {REMEDY}")
    if manifest.get("format") != FORMAT:
        raise ValueError(f"{mpath} is not a {FORMAT} manifest; refusing to touch {path}")
    for key in ("chunk_size", "n_items", "n_chunks"):
        v = manifest.get(key)
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError(f"{mpath} is damaged ({key}={v!r}); {REMEDY}")
    if (not isinstance(manifest.get("fingerprint"), str) or manifest.get("status") not in ("running", "complete")
            or -(-manifest["n_items"] // manifest["chunk_size"]) != manifest["n_chunks"]):
        raise ValueError(f"{mpath} is damaged (fingerprint, status or chunk layout); {REMEDY}")
    return manifest


def owned(name: str) -> bool:
    """Files a store writes (the only ones it ever removes)."""
    return (name in (MANIFEST, RESULT, GRID, LOCK) or is_tmp(name)
            or (name.startswith("chunk_") and name.endswith(".nc")))


def load_result(path: Path, fingerprint: str | None):
    rpath = path / RESULT
    try:
        ds = read_dataset(rpath)
    except Exception as err:
        raise ValueError(f"{rpath} is damaged ({type(err).__name__}: {str(err)[:80]}); {REMEDY}") from None
    if fingerprint is not None and ds.attrs.get("sweep_fingerprint") != fingerprint:
        ds.close()
        raise ValueError(f"{rpath} does not belong to the sweep its manifest records; {REMEDY}")
    return ds


def open_store(path: str | os.PathLike):
    """The labeled result of a finished store (an ``xarray.Dataset`` in memory).

    Raises ``ValueError`` saying how far an unfinished store got, or which file is damaged.
    """
    path = Path(path)
    if path.is_file():  # allow pointing at result.nc itself
        try:
            return read_dataset(path)
        except Exception as err:
            raise ValueError(f"{path} is not a readable netCDF result ({type(err).__name__}: {str(err)[:80]})") from None
    if not path.exists():
        raise ValueError(f"store {path} does not exist")
    if not (path / MANIFEST).exists():
        raise ValueError(f"{path} is not a sweep store (no {MANIFEST})")
    manifest = read_manifest(path)
    if manifest["status"] != "complete" or not (path / RESULT).exists():
        n = int(manifest["n_chunks"])
        done = sum((path / f"chunk_{c:06d}.nc").exists() for c in range(n))
        raise ValueError(f"store {path} is unfinished ({done}/{n} chunks); rerun the same sweep to resume it")
    return load_result(path, manifest["fingerprint"])
