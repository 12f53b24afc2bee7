"""One run per builder: an exclusive, non-blocking lock on the data dir.

DLRN only locks its post-processing, so two cron runs on one data dir can
interleave. trunkline takes ``<data_dir>/trunkline.lock`` with ``flock`` for the
whole run; the kernel releases it when the process dies (even on kill -9), so a
crash never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from trunkline.errors import LockedError


class BuilderLock:
    """Context manager holding the builder's exclusive lock."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "trunkline.lock"
        self._fd: int | None = None

    def __enter__(self) -> BuilderLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise LockedError(
                f"{self.path}: another trunkline run (pid {holder}) is using this builder; "
                "wait for it to finish"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
