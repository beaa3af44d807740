"""One writer per store: an exclusive ``flock`` on ``STORE/.lock``.

The kernel drops the lock when its holder exits, however it exits (``kill -9``
included), so a stale lock cannot block a store: the next writer simply takes it. The
file records who holds it (pid, host, since) for the message a waiting writer shows. The
holder removes the file when it is done; a writer that locked a file which has since
been removed (or replaced) tries again, so two writers never hold two different files.
"""
from __future__ import annotations

import errno
import json
import os
import socket
import time
import warnings
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no lock (documented)
    fcntl = None  # type: ignore[assignment]

__all__ = ["StoreLock", "StoreBusy", "LOCK"]

LOCK = ".lock"
_NO_LOCKS = {errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL}


class StoreBusy(ValueError):
    """Another live process holds the store's lock (after waiting ``timeout`` seconds)."""


class StoreLock:
    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.path = self.directory / LOCK
        self.fd: int | None = None

    def holder(self) -> str:
        try:
            info = json.loads(self.path.read_text() or "{}")
            return f"pid {info.get('pid', '?')} on {info.get('host', '?')} (since {info.get('since', '?')})"
        except (OSError, ValueError):
            return "another process"

    def _try(self, fd: int) -> bool | None:
        """Lock ``fd``: True if taken, False if another process holds it, None if locks are unsupported."""
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False
        except OSError as err:
            if err.errno in _NO_LOCKS:
                return None
            raise

    def acquire(self, timeout: float | None = None) -> "StoreLock":
        """Take the lock, waiting while a live process holds it (``timeout`` s at most, None: no limit)."""
        if fcntl is None or self.fd is not None:  # pragma: no cover
            return self
        deadline = None if timeout is None else time.monotonic() + timeout
        pause, warned = 0.02, False
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                got = self._try(fd)
            except BaseException:
                os.close(fd)
                raise
            if got is None:  # a filesystem without locks: write unlocked, and say so
                os.close(fd)
                self.path.unlink(missing_ok=True)
                warnings.warn(f"cannot lock {self.path} (the filesystem has no locks); make sure one sweep at a "
                              "time writes this store", RuntimeWarning, stacklevel=4)
                return self
            if not got:
                os.close(fd)
                if deadline is not None and time.monotonic() >= deadline:
                    raise StoreBusy(
                        f"store {self.directory} is being written by {self.holder()} (lock {self.path}); "
                        "wait for that sweep to finish, then rerun (it resumes or returns the finished result)"
                    )
                if not warned:
                    warnings.warn(f"store {self.directory} is being written by {self.holder()}; waiting for it "
                                  "to finish (the result is then reused)", RuntimeWarning, stacklevel=4)
                    warned = True
                time.sleep(pause)
                pause = min(pause * 1.5, 0.5)
                continue
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if not same:  # the holder removed the file we locked: take the current one
                os.close(fd)
                continue
            os.ftruncate(fd, 0)
            os.write(fd, json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                     "since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}).encode())
            self.fd = fd
            return self

    def release(self) -> None:
        if self.fd is None:
            return
        fd, self.fd = self.fd, None
        try:
            os.unlink(self.path)  # while still holding it: nobody else can have taken this file
        except FileNotFoundError:
            pass
        finally:
            os.close(fd)
