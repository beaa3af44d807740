"""On-disk sweep store: a directory of netCDF chunk files plus a JSON manifest.

Layout of ``STORE/``::

    manifest.json        fingerprint, run, grid, seeds, static args, chunk layout, versions, status
    grid.nc              every swept parameter's values and the seeds
    chunk_000000.nc      outputs of items [start, start + length) of the flattened batch
    ...
    result.nc            the labeled xarray.Dataset, written once every chunk is present
    .lock                held by the one process writing the store (see :mod:`.lock`)

Files are written under hidden temporary names and renamed into place (atomic on POSIX),
so no reader sees a partial file. A chunk records its index, start, length, the sweep's
fingerprint and a checksum of its data; all are verified when it is read, and a chunk
that fails (unreadable, truncated, swapped, damaged, foreign) is recomputed with a
warning naming the file. Temporaries left by a killed writer are removed when the store
is next opened. Chunk files are removed once ``result.nc`` is in place. Open the result
with plain xarray::

    xarray.open_dataset("STORE/result.nc")
"""
from __future__ import annotations

import errno
import json
import os
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from .lock import LOCK, StoreLock
from .provenance import FORMAT, versions
from .storefiles import (atomic_to_netcdf, atomic_write_bytes, checksum, create_result_variables, interrupt_after,
                         is_tmp, tmp_path, write_guard, write_items)
from .storeread import (GRID, MANIFEST, REMEDY, RESULT, StoreWarning, check_store_path, load_result, open_store, owned,
                        read_dataset, read_manifest)

__all__ = ["SweepStore", "open_store", "StoreWarning", "RESULT", "MANIFEST", "GRID"]

ITEM_DIM = "item"
_READ_ONLY = {errno.EACCES, errno.EPERM, errno.EROFS}


class SweepStore:
    """One sweep's chunks on disk, held by one writer. Use :meth:`open` (a context manager);
    :func:`~stp_brainpy.sweeps.sweep` drives it."""

    def __init__(self, path: Path, fingerprint: str, manifest: dict | None, lock: StoreLock, created: Path | None,
                 describe: dict):
        self.path = path
        self.fingerprint = fingerprint
        self.manifest = manifest
        self._lock = lock
        self._created = created
        self._describe = describe
        self._outputs: dict[str, tuple[tuple[int, ...], str]] = {}

    # -- opening and closing -----------------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike, fingerprint: str, *, overwrite: bool = False,
             describe: dict | None = None, lock_timeout: float | None = None) -> "SweepStore":
        """Lock the store (waiting for a live writer), then check what is on disk.

        Refuses (``ValueError``) a path that is a file, a non-empty directory that is not a
        store, a store of a different sweep (unless ``overwrite``) and a damaged manifest
        (unless ``overwrite``). Removes temporaries a killed writer left behind.
        """
        path = Path(path)
        check_store_path(path)
        created = None
        if not path.exists():
            created = path
            while not created.parent.exists():
                created = created.parent
            try:
                path.mkdir(parents=True)
            except OSError as err:
                raise OSError(err.errno, f"cannot create the store directory {path}: {err.strerror}") from None
        lock = StoreLock(path)
        store = None
        try:
            try:
                lock.acquire(lock_timeout)
            except OSError as err:
                if err.errno not in _READ_ONLY or overwrite:
                    raise
                return cls._finished_read_only(path, fingerprint, lock, describe or {}, err)
            store = cls(path, fingerprint, None, lock, created, describe or {})
            store._load(overwrite)
            return store
        except BaseException:
            if store is not None:
                store.close()
            else:
                lock.release()
                cls._remove_created(path, created)
            raise

    @classmethod
    def _finished_read_only(cls, path: Path, fingerprint: str, lock: StoreLock, describe: dict,
                            err: OSError) -> "SweepStore":
        """A finished store of this sweep on a read-only disk is still reused (no lock needed to read it)."""
        manifest = read_manifest(path) if (path / MANIFEST).exists() else None
        if manifest is None or manifest["fingerprint"] != fingerprint or manifest["status"] != "complete":
            raise OSError(err.errno, f"store {path} is not writable ({err.strerror}) and holds no finished result "
                                     "of this sweep; use a store on a writable disk")
        return cls(path, fingerprint, manifest, lock, None, describe)

    def _load(self, overwrite: bool) -> None:
        path = self.path
        for p in path.iterdir():  # we hold the lock: any temporary is a killed writer's
            if is_tmp(p.name):
                p.unlink(missing_ok=True)
        if not (path / MANIFEST).exists():
            return
        try:
            manifest = read_manifest(path)
        except ValueError as err:
            if overwrite and "damaged" in str(err):
                self._clear()
                return
            raise
        if overwrite:
            self._clear()
            return
        if manifest["fingerprint"] != self.fingerprint:
            old, new = manifest.get("describe", {}), self._describe
            old = old if isinstance(old, dict) else {}
            diff = "; ".join(f"{k}: stored {old.get(k)!r} vs now {new.get(k)!r}"
                             for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k))
            raise ValueError(
                f"store {path} was made by a different sweep (fingerprint "
                f"{manifest['fingerprint'][:12]} != {self.fingerprint[:12]}"
                + (f"; {diff}" if diff else "; the run's code or an option differs")
                + "). Use another store path, or overwrite=True to replace it."
            )
        self.manifest = manifest
        if self.is_complete():  # a writer killed after completing left its chunk files
            self._remove_chunks()

    def _clear(self) -> None:
        # Remove only what a store writes: never a user's unrelated files.
        for p in self.path.iterdir():
            if owned(p.name) and p.name != LOCK:
                p.unlink(missing_ok=True)
        self.manifest = None

    @staticmethod
    def _remove_created(path: Path, created: Path | None) -> None:
        """Remove the directories :meth:`open` made, if nothing was written into them."""
        if created is None:
            return
        p = path
        while True:
            try:
                p.rmdir()
            except OSError:
                return
            if p == created:
                return
            p = p.parent

    def close(self) -> None:
        """Release the lock (and remove the directory if this writer made it and wrote nothing)."""
        self._lock.release()
        if self.manifest is None:
            self._remove_created(self.path, self._created)

    def __enter__(self) -> "SweepStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- state -------------------------------------------------------------------------------
    @property
    def layout(self) -> dict:
        """The manifest of a store that has begun (its chunk layout)."""
        if self.manifest is None:
            raise RuntimeError("the store has no layout yet: call begin() first")
        return self.manifest

    @property
    def chunk_size(self) -> int | None:
        return None if self.manifest is None else int(self.manifest["chunk_size"])

    def is_complete(self) -> bool:
        return (self.manifest is not None and self.manifest.get("status") == "complete"
                and (self.path / RESULT).exists())

    def chunk_path(self, c: int) -> Path:
        return self.path / f"chunk_{c:06d}.nc"

    def _write_manifest(self) -> None:
        atomic_write_bytes(self.path / MANIFEST, json.dumps(self.manifest, indent=1, sort_keys=True).encode())

    def _remove_chunks(self) -> None:
        for p in self.path.glob("chunk_*.nc"):
            p.unlink(missing_ok=True)

    # -- writing -----------------------------------------------------------------------------
    def begin(self, *, chunk_size: int, n_items: int, n_chunks: int, attrs: dict[str, Any], grid=None,
              seeds: np.ndarray | None = None, outputs: dict[str, tuple[tuple[int, ...], Any]] | None = None) -> None:
        """Record the layout (new store) or check it (resumed store); (re)write ``grid.nc``."""
        self._outputs = {k: (tuple(int(n) for n in s), np.dtype(d).str) for k, (s, d) in (outputs or {}).items()}
        if self.manifest is not None:
            m = self.manifest
            if (m["n_items"], m["n_chunks"], m["chunk_size"]) != (n_items, n_chunks, chunk_size):
                raise ValueError(f"{self.path / MANIFEST} records {m['n_items']} items in {m['n_chunks']} chunks of "
                                 f"{m['chunk_size']}, this sweep has {n_items} in {n_chunks} of {chunk_size}; "
                                 + REMEDY)
        else:
            self.manifest = {
                "format": FORMAT,
                "fingerprint": self.fingerprint,
                "describe": self._describe,
                "chunk_size": int(chunk_size),
                "n_items": int(n_items),
                "n_chunks": int(n_chunks),
                "outputs": {k: [list(s), d] for k, (s, d) in self._outputs.items()},
                "attrs": {k: (v if isinstance(v, (int, float, str)) else str(v)) for k, v in attrs.items()},
                "versions": versions(),
                "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "status": "running",
            }
            self._write_manifest()  # first: a directory with a manifest is resumable whatever follows
        if grid is not None and not self._grid_ok():
            self._write_grid(grid, seeds)

    def _grid_ok(self) -> bool:
        gpath = self.path / GRID
        if not gpath.exists():
            return False
        try:
            with read_dataset(gpath) as g:
                if g.attrs.get("sweep_fingerprint") == self.fingerprint:
                    return True
        except Exception as err:  # unreadable: rebuilt from the grid in memory
            warnings.warn(f"{gpath} is unreadable ({type(err).__name__}); rewriting it", StoreWarning, stacklevel=4)
            return False
        warnings.warn(f"{gpath} belongs to another sweep; rewriting it", StoreWarning, stacklevel=4)
        return False

    def _write_grid(self, grid, seeds) -> None:
        import xarray as xr

        dims = {k: (k if grid.kind == "product" else "setting") for k in grid.names}
        data = {k: (dims[k], np.asarray(v)) for k, v in grid.axes.items()}
        if seeds is not None:
            data["seeds"] = ("seed", np.asarray(seeds, np.int64))
        atomic_to_netcdf(xr.Dataset(data, attrs={"grid_kind": grid.kind, "sweep_fingerprint": self.fingerprint}),
                         self.path / GRID)

    def _expected(self, c: int) -> tuple[int, int]:
        csize, n = int(self.layout["chunk_size"]), int(self.layout["n_items"])
        start = c * csize
        return start, min(csize, n - start)

    def write_chunk(self, c: int, outputs: dict[str, np.ndarray], start: int) -> None:
        import xarray as xr

        length = len(next(iter(outputs.values())))
        data = {k: ((ITEM_DIM,) + tuple(f"{k}_d{i}" for i in range(v.ndim - 1)), v) for k, v in outputs.items()}
        ds = xr.Dataset(data, attrs={"sweep_fingerprint": self.fingerprint, "chunk": int(c), "start": int(start),
                                     "length": int(length), "checksum_crc32": int(checksum(outputs))})
        atomic_to_netcdf(ds, self.chunk_path(c))

    def read_chunk(self, c: int) -> tuple[dict[str, np.ndarray] | None, str]:
        """``(data, '')`` for a chunk that passes every check, else ``(None, why)``."""
        path = self.chunk_path(c)
        try:
            ds = read_dataset(path)
        except FileNotFoundError:
            return None, "missing"
        except Exception as err:  # truncated or garbage: HDF5/netCDF errors of many kinds
            return None, f"unreadable ({type(err).__name__}: {str(err)[:80]})"
        a = ds.attrs
        start, length = self._expected(c)
        if a.get("sweep_fingerprint") != self.fingerprint:
            return None, "written by a different sweep"
        got = tuple(int(a.get(k, -1)) for k in ("chunk", "start", "length"))
        if got != (c, start, length):
            return None, f"records chunk/start/length {got}, expected {(c, start, length)}"
        data = {k: ds[k].values for k in ds.data_vars}
        want = self._outputs
        if want:
            if set(data) != set(want):
                return None, f"holds outputs {sorted(data)}, expected {sorted(want)}"
            for k, (shape, dtype) in want.items():
                if data[k].shape != (length,) + shape or data[k].dtype.str != dtype:
                    return None, f"output {k!r} is {data[k].dtype}{list(data[k].shape)}, expected {dtype}{[length, *shape]}"
        if int(a.get("checksum_crc32", -1)) != checksum(data):
            return None, "its data do not match its checksum (damaged)"
        return data, ""

    def _discard(self, c: int, why: str) -> None:
        warnings.warn(f"{self.chunk_path(c)}: {why}; recomputing this chunk", StoreWarning, stacklevel=4)
        self.chunk_path(c).unlink(missing_ok=True)

    def missing_chunks(self) -> np.ndarray:
        """Which chunks to compute: those absent, and those that fail verification (with a warning)."""
        n_chunks = int(self.layout["n_chunks"])
        todo = np.ones(n_chunks, bool)
        for c in range(n_chunks):
            if self.chunk_path(c).exists():
                data, why = self.read_chunk(c)
                if data is None:
                    self._discard(c, why)
                else:
                    todo[c] = False
        for p in self.path.glob("chunk_*.nc"):  # outside the layout: never ours to keep
            if not p.stem[6:].isdigit() or int(p.stem[6:]) >= n_chunks:
                p.unlink(missing_ok=True)
        return todo

    def assemble(self, *, lead_shape: tuple[int, ...], variables: dict, coords: dict, attrs: dict,
                 var_attrs: dict | None = None) -> list[int]:
        """Write ``result.nc`` chunk by chunk on disk (memory stays at one chunk) and complete the store.

        Returns the chunks that failed verification (removed, with a warning; nothing is
        written then): recompute them and call again. ``variables``: ``{name: (dims, shape,
        dtype)}`` of the labeled result; ``coords``: ``{name: (dim, values)}``; ``var_attrs``:
        ``{name: {attribute: value}}`` of variables and coordinates (units, long names).
        """
        import netCDF4

        final = self.path / RESULT
        tmp = tmp_path(final)
        bad: list[int] = []
        with interrupt_after(), write_guard(final, tmp):
            with netCDF4.Dataset(tmp, "w", format="NETCDF4") as nc:
                create_result_variables(nc, variables, coords, attrs, var_attrs)
                for c in range(int(self.layout["n_chunks"])):
                    data, why = self.read_chunk(c)
                    if data is None:
                        self._discard(c, why)
                        bad.append(c)
                        continue
                    if bad:
                        continue  # keep verifying the rest, write nothing more
                    write_items(nc, data, self._expected(c)[0], lead_shape)
            if bad:
                tmp.unlink(missing_ok=True)
                return bad
            os.replace(tmp, final)
        self.layout["status"] = "complete"
        self.layout["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self._write_manifest()
        self._remove_chunks()
        return []

    def load_result(self):
        return load_result(self.path, self.fingerprint)
