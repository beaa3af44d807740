"""Store faults: kill -9, damaged / swapped / foreign chunks, stale temporaries, two writers, full disks.

Each ends in a result bitwise identical to an uninterrupted run, or in a clear refusal
naming the file and the remedy; never in wrong data.
"""
from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time

import jax
import numpy as np
import pytest
import xarray as xr

from stp_brainpy.sweeps import StoreWarning, open_store, product, sweep
from stp_brainpy.sweeps.lock import StoreBusy, StoreLock
from stp_brainpy.sweeps.store import SweepStore

from . import store_worker
from .test_store import CHUNK, GRID, Budget, chunk_files, crashy

WORKER = store_worker.__file__
N_CHUNKS = 6  # GRID × 2 seeds = 42 items in chunks of 8


@pytest.fixture(autouse=True)
def _reset_budget():
    Budget.left, Budget.calls = 10**9, 0
    yield
    Budget.left, Budget.calls = 10**9, 0


@pytest.fixture(scope="module")
def reference():
    return sweep(crashy, GRID, seeds=2, chunk_size=CHUNK)


def crash_after(store, k):
    """A store holding chunks 0..k-1 of the sweep, as a crashed run leaves it."""
    Budget.left, Budget.calls = k, 0
    with pytest.raises(Exception, match="simulated crash"):
        sweep(crashy, GRID, seeds=2, chunk_size=CHUNK, store=store)
    Budget.left, Budget.calls = 10**9, 0
    assert chunk_files(store) == [f"chunk_{c:06d}.nc" for c in range(k)]


def resume(store):
    Budget.calls = 0
    return sweep(crashy, GRID, seeds=2, chunk_size=CHUNK, store=store)


def assert_same(ds, ref):
    for k in ref.data_vars:
        np.testing.assert_array_equal(ds[k].values, ref[k].values)


def assert_clean(store):
    assert sorted(os.listdir(store)) == ["grid.nc", "manifest.json", "result.nc"]


def test_swapped_chunks_are_recomputed_not_served(tmp_path, reference):
    store = tmp_path / "s"
    crash_after(store, 3)
    a, b = store / "chunk_000001.nc", store / "chunk_000002.nc"
    os.rename(a, store / "x")
    os.rename(b, a)
    os.rename(store / "x", b)
    with pytest.warns(StoreWarning) as seen:
        ds = resume(store)
    assert sorted(str(w.message).replace(f"{store}/", "") for w in seen) == [
        "chunk_000001.nc: records chunk/start/length (2, 16, 8), expected (1, 8, 8); recomputing this chunk",
        "chunk_000002.nc: records chunk/start/length (1, 8, 8), expected (2, 16, 8); recomputing this chunk"]
    assert Budget.calls == N_CHUNKS - 1  # chunk 0 kept; 1 and 2 recomputed with 3..5
    assert_same(ds, reference)
    assert_clean(store)


@pytest.mark.parametrize("damage", ["truncated", "garbage", "data bytes", "empty", "foreign"])
def test_damaged_chunk_is_recomputed_with_a_warning(tmp_path, reference, damage):
    store = tmp_path / "s"
    crash_after(store, 3)
    path = store / "chunk_000001.nc"
    raw = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(raw[: len(raw) // 2])
    elif damage == "garbage":
        path.write_bytes(np.random.default_rng(0).bytes(len(raw)))
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "data bytes":  # the header stays valid: only the checksum can tell
        with xr.open_dataset(path) as c:
            needle = np.ascontiguousarray(c.y.values).tobytes()[:16]
        at = raw.index(needle)
        path.write_bytes(raw[:at] + bytes(16) + raw[at + 16:])
    else:  # a chunk of another sweep, right index and layout
        other = tmp_path / "other"
        Budget.left = 3
        with pytest.raises(Exception, match="simulated crash"):
            sweep(crashy, GRID, seeds=[7, 8], chunk_size=CHUNK, store=other)
        Budget.left = 10**9
        os.replace(other / "chunk_000001.nc", path)
    why = {"data bytes": "checksum", "foreign": "different sweep"}.get(damage, "unreadable")
    with pytest.warns(StoreWarning, match=rf"chunk_000001\.nc: .*{why}.*recomputing"):
        ds = resume(store)
    assert Budget.calls == 4
    assert_same(ds, reference)
    assert_clean(store)


def test_chunk_damaged_after_writing_is_recomputed_at_assembly(tmp_path, reference):
    store = tmp_path / "s"

    damaged = []

    def damage_chunk0(done, n):
        if done == n and not damaged:  # every chunk written: damage one before the result is assembled
            p = store / "chunk_000000.nc"
            p.write_bytes(p.read_bytes()[:100])
            damaged.append(True)

    with pytest.warns(StoreWarning, match=r"chunk_000000\.nc: unreadable"):
        ds = sweep(crashy, GRID, seeds=2, chunk_size=CHUNK, store=store, callback=damage_chunk0)
    assert Budget.calls == N_CHUNKS + 1
    assert_same(ds, reference)
    assert_clean(store)


def test_stale_temporaries_and_stray_chunks_are_removed_on_resume(tmp_path, reference):
    store = tmp_path / "s"
    crash_after(store, 2)
    for name in (".chunk_000002.nc.999999.tmp", ".result.nc.999999.tmp", ".manifest.json.1.tmp", "chunk_000099.nc"):
        (store / name).write_bytes(b"left by a killed writer")
    ds = resume(store)
    assert_same(ds, reference)
    assert_clean(store)


def test_lock_file_of_a_dead_process_does_not_block(tmp_path, reference):
    store = tmp_path / "s"
    crash_after(store, 2)
    (store / ".lock").write_text(json.dumps({"pid": 999999, "host": "gone", "since": "then"}))
    assert_same(resume(store), reference)
    assert_clean(store)


def test_live_writer_blocks_a_second_one_with_a_clear_message(tmp_path):
    store = tmp_path / "s"
    store.mkdir()
    held = StoreLock(store).acquire()
    try:
        with pytest.raises(StoreBusy, match=rf"being written by pid {os.getpid()}.*wait for that sweep"), \
                pytest.warns(RuntimeWarning, match="waiting for it to finish"):
            SweepStore.open(store, "f" * 64, lock_timeout=0.2)
    finally:
        held.release()
    with SweepStore.open(store, "f" * 64, lock_timeout=0.2):  # free again
        pass
    assert os.listdir(store) == []


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EFBIG])
def test_full_disk_while_writing_a_chunk(tmp_path, monkeypatch, reference, code):
    store = tmp_path / "s"
    real = xr.Dataset.to_netcdf
    calls = []

    def failing(self, path, *args, **kwargs):
        if "chunk_000002" in str(path):
            real(self, path, *args, **kwargs)  # part of the file is there when the disk fills up
            raise OSError(code, os.strerror(code))
        calls.append(path)
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(xr.Dataset, "to_netcdf", failing)
    with pytest.raises(OSError, match=r"disk full / file too large: cannot write .*chunk_000002\.nc") as info:
        sweep(crashy, GRID, seeds=2, chunk_size=CHUNK, store=store)
    assert info.value.errno == code
    assert chunk_files(store) == ["chunk_000000.nc", "chunk_000001.nc"]
    assert not [p for p in os.listdir(store) if p.endswith(".tmp")]
    monkeypatch.setattr(xr.Dataset, "to_netcdf", real)
    assert_same(resume(store), reference)
    assert Budget.calls == N_CHUNKS - 2


def test_full_disk_while_assembling_the_result(tmp_path, monkeypatch, reference):
    from stp_brainpy.sweeps import store as store_mod

    store = tmp_path / "s"

    def failing(*args, **kwargs):
        raise RuntimeError("NetCDF: HDF error")  # what HDF5 makes of ENOSPC

    monkeypatch.setattr(store_mod, "create_result_variables", failing)
    monkeypatch.setattr("shutil.disk_usage", lambda p: type("Usage", (), {"free": 4096})())
    with pytest.raises(OSError, match=r"disk full / file too large: cannot write .*result\.nc"):
        sweep(crashy, GRID, seeds=2, chunk_size=CHUNK, store=store)
    assert len(chunk_files(store)) == N_CHUNKS
    assert not [p for p in os.listdir(store) if p.endswith(".tmp")]
    monkeypatch.undo()
    assert_same(resume(store), reference)
    assert Budget.calls == 0  # every chunk was kept


@pytest.mark.parametrize("text", ["{not json", '{"format": "stp-brainpy-sweep/1", "chunk_size": -1}', "", "[]"])
def test_damaged_manifest_is_named_with_the_remedy(tmp_path, reference, text):
    store = tmp_path / "s"
    crash_after(store, 2)
    (store / "manifest.json").write_text(text)
    before = sorted(os.listdir(store))
    with pytest.raises(ValueError, match=r"manifest\.json is damaged .*overwrite=True"):
        resume(store)
    with pytest.raises(ValueError, match=r"manifest\.json is damaged"):
        open_store(store)
    assert sorted(os.listdir(store)) == before
    ds = sweep(crashy, GRID, seeds=2, chunk_size=CHUNK, store=store, overwrite=True)
    assert_same(ds, reference)


def test_damaged_result_is_named_with_the_remedy(tmp_path, reference):
    store = tmp_path / "s"
    sweep(crashy, GRID, seeds=2, chunk_size=CHUNK, store=store)
    (store / "result.nc").write_bytes(b"\x89HDF garbage")
    with pytest.raises(ValueError, match=r"result\.nc is damaged .*overwrite=True"):
        resume(store)
    with pytest.raises(ValueError, match=r"result\.nc is damaged"):
        open_store(store)
    assert_same(sweep(crashy, GRID, seeds=2, chunk_size=CHUNK, store=store, overwrite=True), reference)


def test_damaged_grid_file_is_rewritten(tmp_path, reference):
    store = tmp_path / "s"
    crash_after(store, 2)
    (store / "grid.nc").write_bytes(b"nonsense")
    with pytest.warns(StoreWarning, match=r"grid\.nc is unreadable"):
        ds = resume(store)
    assert_same(ds, reference)
    with xr.open_dataset(store / "grid.nc") as g:
        np.testing.assert_array_equal(g.a.values, GRID.axes["a"])


def test_directory_left_before_the_manifest_resumes(tmp_path, reference):
    store = tmp_path / "s"
    store.mkdir()
    (store / "grid.nc").write_bytes(b"half")  # a writer killed before its manifest
    (store / ".grid.nc.12.tmp").write_bytes(b"half")
    with pytest.warns(StoreWarning, match="grid.nc"):
        assert_same(resume(store), reference)
    assert_clean(store)


def test_result_too_large_for_memory_is_refused_with_a_hint(tmp_path, monkeypatch):
    from stp_brainpy.sweeps import planning

    monkeypatch.setattr(planning, "available_memory", lambda: 2**30)
    huge = product(a=np.arange(20_000.0), b=np.arange(20_000.0))  # 4e8 float32 results: 1.49 GiB
    with pytest.raises(ValueError, match=r"needs 1\.49 GiB in memory, more than 512 MiB \(half the memory "
                                         r"available now\); pass store='DIR'"):
        sweep(lambda a, b: {"s": a * b}, huge)
    with pytest.raises(ValueError, match=r"needs 48 B in memory, more than 40 B \(max_result_bytes\)"):
        sweep(lambda a, b: {"s": a * b}, product(a=[1.0, 2.0, 3.0], b=[1.0, 2.0, 3.0, 4.0]), max_result_bytes=40)
    assert not os.listdir(tmp_path)


# ----------------------------------------------------------------------------------------------
# real processes: kill -9 at random points, two writers at once
# ----------------------------------------------------------------------------------------------
def _worker(store, out, delay):
    env = dict(os.environ, JAX_PLATFORMS="cpu")
    return subprocess.Popen([sys.executable, WORKER, str(store), str(out), str(delay)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _worker_reference():
    store_worker.DELAY = 0.0
    return sweep(store_worker.run, product(**store_worker.GRID), devices=jax.devices("cpu")[:1],
                 **store_worker.KW).y.values


@pytest.mark.slow
def test_kill_9_at_random_points_then_resume(tmp_path):
    seed = int.from_bytes(os.urandom(4), "little")
    rng = np.random.default_rng(seed)
    store, kills = tmp_path / "s", []
    for _ in range(2):
        proc = _worker(store, tmp_path / "never.npy", 0.05)
        target = int(rng.integers(0, 12))
        deadline = time.time() + 120
        while time.time() < deadline and proc.poll() is None and (
                len(list(store.glob("chunk_*.nc"))) < target if store.is_dir() else True):
            time.sleep(0.005)
        time.sleep(float(rng.uniform(0, 0.06)))  # anywhere inside a chunk, a write or the assembly
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        kills.append((target, sorted(os.listdir(store)) if store.is_dir() else None))
    proc = _worker(store, tmp_path / "final.npy", 0.0)
    _, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, f"seed {seed}, kills {kills}:\n{err[-3000:]}"
    ref = _worker_reference()
    np.testing.assert_array_equal(np.load(tmp_path / "final.npy"), ref, err_msg=f"seed {seed}, kills {kills}")
    np.testing.assert_array_equal(open_store(store).y.values, ref)
    assert sorted(os.listdir(store)) == ["grid.nc", "manifest.json", "result.nc"], (seed, kills)


@pytest.mark.slow
def test_two_writers_on_one_store(tmp_path):
    store = tmp_path / "s"
    first = _worker(store, tmp_path / "a.npy", 0.3)
    deadline = time.time() + 120
    while time.time() < deadline and first.poll() is None and not list(store.glob("chunk_*.nc")):
        time.sleep(0.01)
    second = _worker(store, tmp_path / "b.npy", 0.3)  # starts while the first is writing
    logs = [p.communicate(timeout=180)[1] for p in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], "\n".join(log[-2000:] for log in logs)
    ref = _worker_reference()
    for name in ("a.npy", "b.npy"):
        np.testing.assert_array_equal(np.load(tmp_path / name), ref)
    assert sorted(os.listdir(store)) == ["grid.nc", "manifest.json", "result.nc"]


def test_finished_store_on_a_read_only_disk_is_still_reused(tmp_path, monkeypatch, reference):
    store = tmp_path / "s"
    sweep(crashy, GRID, seeds=2, chunk_size=CHUNK, store=store)

    def read_only(self, timeout=None):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self.path))

    monkeypatch.setattr(StoreLock, "acquire", read_only)
    assert_same(resume(store), reference)
    assert Budget.calls == 0
    with pytest.raises(OSError, match=r"not writable .*holds no finished result of this sweep"):
        sweep(crashy, GRID, seeds=3, chunk_size=CHUNK, store=store)  # another sweep: cannot be written there


def test_filesystem_without_locks_writes_unlocked_with_a_warning(tmp_path, monkeypatch, reference):
    import fcntl

    def no_locks(fd, op):
        raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

    monkeypatch.setattr(fcntl, "flock", no_locks)
    with pytest.warns(RuntimeWarning, match="the filesystem has no locks"):
        ds = sweep(crashy, GRID, seeds=2, chunk_size=CHUNK, store=tmp_path / "s")
    assert_same(ds, reference)
    assert_clean(tmp_path / "s")
