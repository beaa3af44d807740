"""On-disk sweep store: a directory of netCDF chunk files plus a JSON manifest.

Layout of ``STORE/``::

    manifest.json        fingerprint, run, grid, seeds, static args, chunk layout, versions, status
    grid.nc              every swept parameter's values and the seeds
    chunk_000000.nc      outputs of items [start, start + chunk_size) of the flattened batch
    ...
    result.nc            the labeled xarray.Dataset, written once every chunk is present

Every file is written to a hidden temporary name in the same directory and renamed with
``os.replace`` (atomic on POSIX), so a reader never sees a partial chunk or result. Chunk
files are removed once ``result.nc`` is in place. Open the result with plain xarray::

    xarray.open_dataset("STORE/result.nc")
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["SweepStore", "open_store", "RESULT", "MANIFEST"]

FORMAT = "stp-brainpy-sweep/1"
MANIFEST = "manifest.json"
RESULT = "result.nc"
GRID = "grid.nc"
ITEM_DIM = "item"


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


@contextlib.contextmanager
def _interrupt_after():
    """Hold Ctrl-C (SIGINT) until the block is done, then raise ``KeyboardInterrupt``.

    An interrupt inside xarray's netCDF reader/writer leaves its file lock held, and the
    clean-up that follows waits on that lock forever; so a file being written is finished
    (and renamed into place) first. Only the main thread can own signal handlers.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught = []
    try:
        previous = signal.signal(signal.SIGINT, lambda *_: caught.append(True))
    except ValueError:  # not the main interpreter thread after all
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)
        if caught:
            raise KeyboardInterrupt


def _atomic_to_netcdf(ds, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with _interrupt_after():
        try:
            ds.to_netcdf(tmp, engine="netcdf4")
            os.replace(tmp, path)
        finally:
            if tmp.exists():
                tmp.unlink()


LOAD_LIMIT = 2 * 2**30  # results larger than this (bytes on disk) are opened lazily, not loaded


def _read_dataset(path: Path):
    import xarray as xr

    with _interrupt_after():
        if path.stat().st_size > LOAD_LIMIT:
            return xr.open_dataset(path, engine="netcdf4")  # lazy: indexing reads only what it needs
        with xr.open_dataset(path, engine="netcdf4") as ds:
            return ds.load()


def flat_slabs(start: int, stop: int, shape: tuple[int, ...]) -> list[tuple[tuple, int, int]]:
    """Cover the C-order flat range [start, stop) of an array of ``shape`` with hyperslabs.

    Returns ``(index, a, b)`` triples: ``array[index]`` holds flat items ``a..b`` (in order);
    ``index`` mixes ints (leading) and slices. At most ``2·ndim - 1`` slabs.
    """
    if start >= stop:
        return []
    if len(shape) == 1:
        return [((slice(start, stop),), start, stop)]
    inner = int(np.prod(shape[1:], dtype=np.int64))
    rest = tuple(slice(None) for _ in shape[1:])
    out = []

    def within(row, a, b):
        base = row * inner
        return [((row,) + idx, lo + base, hi + base) for idx, lo, hi in flat_slabs(a - base, b - base, shape[1:])]

    if start % inner:
        row = start // inner
        end = min(stop, (row + 1) * inner)
        out += within(row, start, end)
        start = end
    full = (stop // inner) * inner
    if start < full:
        out.append(((slice(start // inner, full // inner),) + rest, start, full))
        start = full
    if start < stop:
        out += within(start // inner, start, stop)
    return out


def _slab_shape(index: tuple, shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(len(range(*ix.indices(n))) for ix, n in zip(index, shape) if isinstance(ix, slice))


class SweepStore:
    """One sweep's chunks on disk. Use :meth:`open`; :func:`~stp_brainpy.sweeps.sweep` drives it."""

    def __init__(self, path: Path, fingerprint: str, manifest: dict | None):
        self.path = path
        self.fingerprint = fingerprint
        self.manifest = manifest

    # -- opening -----------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike, fingerprint: str, *, overwrite: bool = False,
             describe: dict | None = None) -> "SweepStore":
        path = Path(path)
        if path.exists() and not path.is_dir():
            raise ValueError(f"store {path} exists and is not a directory; a sweep store is a directory")
        manifest = None
        if path.is_dir():
            mpath = path / MANIFEST
            if mpath.exists():
                manifest = json.loads(mpath.read_text())
                if manifest.get("format") != FORMAT:
                    raise ValueError(f"{mpath} is not a {FORMAT} manifest; refusing to touch {path}")
                same = manifest.get("fingerprint") == fingerprint
                if not same and not overwrite:
                    old = manifest.get("describe", {})
                    new = describe or {}
                    diff = "; ".join(f"{k}: stored {old.get(k)!r} vs now {new.get(k)!r}"
                                     for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k))
                    raise ValueError(
                        f"store {path} was made by a different sweep (fingerprint "
                        f"{manifest.get('fingerprint', '?')[:12]} != {fingerprint[:12]}"
                        + (f"; {diff}" if diff else "; the run's code or an option differs")
                        + "). Use another store path, or overwrite=True to replace it."
                    )
                if overwrite:
                    cls._clear(path)
                    manifest = None
            elif any(path.iterdir()):
                raise ValueError(
                    f"{path} is a non-empty directory without {MANIFEST}: not a sweep store; "
                    "refusing to write into it"
                )
        store = cls(path, fingerprint, manifest)
        store._describe = describe or {}
        return store

    @staticmethod
    def _clear(path: Path) -> None:
        # Remove only what a store writes: never a user's unrelated files.
        for p in path.iterdir():
            if p.name in (MANIFEST, RESULT, GRID) or (p.name.startswith("chunk_") and p.suffix == ".nc") or (
                p.name.startswith(".") and p.name.endswith(".tmp")
            ):
                p.unlink()

    # -- state -------------------------------------------------------------------------------
    @property
    def chunk_size(self) -> int | None:
        return None if self.manifest is None else int(self.manifest["chunk_size"])

    def is_complete(self) -> bool:
        return (self.manifest is not None and self.manifest.get("status") == "complete"
                and (self.path / RESULT).exists())

    def chunk_path(self, c: int) -> Path:
        return self.path / f"chunk_{c:06d}.nc"

    def has_chunk(self, c: int) -> bool:
        return self.chunk_path(c).exists()

    def _write_manifest(self) -> None:
        _atomic_write_bytes(self.path / MANIFEST, json.dumps(self.manifest, indent=1, sort_keys=True).encode())

    # -- writing -----------------------------------------------------------------------------
    def begin(self, *, chunk_size: int, n_items: int, n_chunks: int, attrs: dict[str, Any], grid=None,
              seeds: np.ndarray | None = None) -> None:
        if self.manifest is not None:
            return
        import xarray as xr

        from .engine import versions

        self.path.mkdir(parents=True, exist_ok=True)
        if grid is not None:
            dims = {k: (k if grid.kind == "product" else "setting") for k in grid.names}
            data = {k: (dims[k], np.asarray(v)) for k, v in grid.axes.items()}
            if seeds is not None:
                data["seeds"] = ("seed", np.asarray(seeds, np.int64))
            _atomic_to_netcdf(xr.Dataset(data, attrs={"grid_kind": grid.kind, "sweep_fingerprint": self.fingerprint}),
                              self.path / GRID)
        self.manifest = {
            "format": FORMAT,
            "fingerprint": self.fingerprint,
            "describe": self._describe,
            "chunk_size": int(chunk_size),
            "n_items": int(n_items),
            "n_chunks": int(n_chunks),
            "attrs": {k: (v if isinstance(v, (int, float, str)) else str(v)) for k, v in attrs.items()},
            "versions": versions(),
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "status": "running",
        }
        self._write_manifest()

    def write_chunk(self, c: int, outputs: dict[str, np.ndarray], start: int) -> None:
        import xarray as xr

        data = {k: ((ITEM_DIM,) + tuple(f"{k}_d{i}" for i in range(v.ndim - 1)), v) for k, v in outputs.items()}
        ds = xr.Dataset(data, attrs={"sweep_fingerprint": self.fingerprint, "chunk": int(c), "start": int(start)})
        _atomic_to_netcdf(ds, self.chunk_path(c))

    def read_chunk(self, c: int) -> dict[str, np.ndarray]:
        ds = _read_dataset(self.chunk_path(c))
        if ds.attrs.get("sweep_fingerprint") != self.fingerprint:
            raise ValueError(f"{self.chunk_path(c)} belongs to a different sweep; remove it or use overwrite=True")
        return {k: ds[k].values for k in ds.data_vars}

    def finish(self, ds) -> None:
        """Write an in-memory result, mark the store complete, drop the chunk files."""
        _atomic_to_netcdf(ds, self.path / RESULT)
        self._complete()

    def finish_streaming(self, *, lead_shape: tuple[int, ...], variables: dict, coords: dict, attrs: dict,
                         chunk_size: int) -> None:
        """Assemble ``result.nc`` chunk by chunk on disk: memory stays at one chunk.

        ``variables``: ``{name: (dims, shape, dtype)}`` of the labeled result (the leading
        dims flatten to the sweep's items); ``coords``: ``{name: (dim, values)}``. Follows
        xarray's netCDF conventions (bool as int8 with ``dtype='bool'``, NaN fill for floats,
        ``coordinates`` for non-dimension coordinates) so ``xarray.open_dataset`` reads it back.
        """
        import netCDF4

        final = self.path / RESULT
        tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
        try:
            with netCDF4.Dataset(tmp, "w", format="NETCDF4") as nc:
                sizes = {}
                for dims, shape, _ in variables.values():
                    sizes.update(zip(dims, shape))
                for k, (d, v) in coords.items():
                    sizes.setdefault(d, len(v))
                for d, n in sizes.items():
                    nc.createDimension(d, n)
                for k, (d, v) in coords.items():
                    v = np.asarray(v)
                    nc.createVariable(k, v.dtype, (d,))[:] = v
                aux = " ".join(k for k, (d, _) in coords.items() if k != d)
                for name, (dims, shape, dtype) in variables.items():
                    dtype = np.dtype(dtype)
                    if dtype == np.bool_:
                        var = nc.createVariable(name, "i1", dims)
                        var.setncattr("dtype", "bool")
                    elif dtype.kind == "f":
                        var = nc.createVariable(name, dtype, dims, fill_value=np.asarray(np.nan, dtype))
                    else:
                        var = nc.createVariable(name, dtype, dims)
                    if aux:
                        var.setncattr("coordinates", aux)
                nc.setncatts(attrs)
                for c in range(int(self.manifest["n_chunks"])):
                    data = self.read_chunk(c)
                    start = c * chunk_size
                    stop = start + len(next(iter(data.values())))
                    for index, a, b in flat_slabs(start, stop, lead_shape):
                        block = _slab_shape(index, lead_shape)
                        for name, arr in data.items():
                            part = arr[a - start:b - start]
                            if part.dtype == np.bool_:
                                part = part.astype(np.int8)
                            nc[name][index] = part.reshape(block + part.shape[1:])
            os.replace(tmp, final)
        finally:
            if tmp.exists():
                tmp.unlink()
        self._complete()

    def _complete(self) -> None:
        self.manifest["status"] = "complete"
        self.manifest["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self._write_manifest()
        for c in range(int(self.manifest["n_chunks"])):
            self.chunk_path(c).unlink(missing_ok=True)

    def load_result(self):
        return _read_dataset(self.path / RESULT)


def open_store(path: str | os.PathLike):
    """The labeled result of a finished store (an ``xarray.Dataset`` in memory).

    Raises ``ValueError`` saying how far an unfinished store got.
    """
    path = Path(path)
    if path.is_file():  # allow pointing at result.nc itself
        return _read_dataset(path)
    mpath = path / MANIFEST
    if not mpath.exists():
        raise ValueError(f"{path} is not a sweep store (no {MANIFEST})")
    manifest = json.loads(mpath.read_text())
    if manifest.get("status") != "complete" or not (path / RESULT).exists():
        n = int(manifest.get("n_chunks", 0))
        done = sum((path / f"chunk_{c:06d}.nc").exists() for c in range(n))
        raise ValueError(f"store {path} is unfinished ({done}/{n} chunks); rerun the same sweep to resume it")
    return _read_dataset(path / RESULT)


def remove_store(path: str | os.PathLike) -> None:  # pragma: no cover - convenience
    """Delete a store directory (only if it carries a sweep manifest)."""
    path = Path(path)
    if not (path / MANIFEST).exists():
        raise ValueError(f"{path} is not a sweep store (no {MANIFEST}); not removing it")
    shutil.rmtree(path)
