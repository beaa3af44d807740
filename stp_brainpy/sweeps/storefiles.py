"""Files of a sweep store: atomic writes, clear errors when the disk is full, checksums, slabs.

Every file is written to a hidden temporary name in the same directory and renamed with
``os.replace`` (atomic on POSIX), so a reader never sees a partial file; a write that
fails for lack of space says so ("disk full / file too large") and names the file.
"""
from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import threading
import zlib
from pathlib import Path
from typing import Iterator, Mapping

import numpy as np

__all__ = ["tmp_path", "is_tmp", "write_guard", "atomic_write_bytes", "atomic_to_netcdf", "interrupt_after",
           "checksum", "flat_slabs", "slab_shape", "create_result_variables", "write_items"]

_SPACE_ERRNOS = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}
_LOW_SPACE = 1 * 2**20  # a failed write with less free space than this is reported as a full disk


def tmp_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def is_tmp(name: str) -> bool:
    return name.startswith(".") and name.endswith(".tmp")


def _disk_nearly_full(directory: Path) -> bool:
    try:
        return shutil.disk_usage(directory).free < _LOW_SPACE
    except OSError:
        return False


@contextlib.contextmanager
def write_guard(path: Path, tmp: Path | None = None) -> Iterator[None]:
    """Remove ``tmp`` if the block fails; report a full disk / too large a file as such.

    netCDF/HDF5 often turn ENOSPC into a generic error, so a failed write on a disk with
    (almost) no space left is reported as a full disk too.
    """
    try:
        yield
    except BaseException as err:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()
        full = isinstance(err, OSError) and err.errno in _SPACE_ERRNOS
        if not full and isinstance(err, Exception) and not isinstance(err, (ValueError, TypeError)):
            full = _disk_nearly_full(path.parent)
        if full:
            code = err.errno if isinstance(err, OSError) and err.errno in _SPACE_ERRNOS else errno.ENOSPC
            reason = getattr(err, "strerror", None) or str(err) or type(err).__name__
            raise OSError(code, f"disk full / file too large: cannot write {path} ({reason}); free some space "
                                "or use a store on another disk, then rerun the same sweep to resume "
                                "(finished chunks are kept)") from err
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = tmp_path(path)
    with write_guard(path, tmp):
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)


@contextlib.contextmanager
def interrupt_after() -> Iterator[None]:
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


def atomic_to_netcdf(ds, path: Path) -> None:
    tmp = tmp_path(path)
    with interrupt_after(), write_guard(path, tmp):
        ds.to_netcdf(tmp, engine="netcdf4")
        os.replace(tmp, path)


def checksum(arrays: Mapping[str, np.ndarray]) -> int:
    """CRC-32 of every array's name, dtype, shape and bytes (in name order): catches damaged data."""
    crc = 0
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        crc = zlib.crc32(f"{name}|{a.dtype.str}|{a.shape}".encode(), crc)
        crc = zlib.crc32(a.reshape(-1).view(np.uint8).data, crc)
    return crc


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


def slab_shape(index: tuple, shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(len(range(*ix.indices(n))) for ix, n in zip(index, shape) if isinstance(ix, slice))


def create_result_variables(nc, variables: Mapping, coords: Mapping, attrs: Mapping,
                            var_attrs: Mapping[str, Mapping[str, str]] | None = None) -> None:
    """Dimensions, coordinates and (empty) variables of ``result.nc`` in an open netCDF4 file.

    Follows xarray's netCDF conventions (bool as int8 with ``dtype='bool'``, NaN fill for
    floats, ``coordinates`` for non-dimension coordinates) so ``xarray.open_dataset`` reads
    it back as the in-memory result.
    """
    var_attrs = var_attrs or {}
    sizes: dict[str, int] = {}
    for dims, shape, _ in variables.values():
        sizes.update(zip(dims, shape))
    for d, v in coords.values():
        sizes.setdefault(d, len(v))
    for d, n in sizes.items():
        nc.createDimension(d, n)
    for k, (d, v) in coords.items():
        v = np.asarray(v)
        var = nc.createVariable(k, v.dtype, (d,))
        var[:] = v
        var.setncatts(dict(var_attrs.get(k, {})))
    aux = " ".join(k for k, (d, _) in coords.items() if k != d)
    for name, (dims, _, dtype) in variables.items():
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
        var.setncatts(dict(var_attrs.get(name, {})))
    nc.setncatts(dict(attrs))


def write_items(nc, data: Mapping[str, np.ndarray], start: int, lead_shape: tuple[int, ...]) -> None:
    """Write flat items ``start, start + len`` of every output into their place in the labeled arrays."""
    stop = start + len(next(iter(data.values())))
    for index, a, b in flat_slabs(start, stop, lead_shape):
        block = slab_shape(index, lead_shape)
        for name, arr in data.items():
            part = arr[a - start:b - start]
            if part.dtype == np.bool_:
                part = part.astype(np.int8)
            nc[name][index] = part.reshape(block + part.shape[1:])
