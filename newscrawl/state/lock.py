"""One run per spider at a time: an advisory lock file the OS releases when the process dies, however it dies."""

from __future__ import annotations

import fcntl
import os
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType


HOLDER_BYTES = 200
"""How much of a lock file is read for its holder ("pid 4242 since 2025-11-21T10:15:00+00:00")."""


def last_holder(path: Path) -> str | None:
    """Who took the lock last, as RunLock wrote it ("pid N since ISO time"); None for no lock file or an empty one.
    Read without taking the lock (that would make a crawl starting meanwhile exit as locked): the holder may have
    let go since, since the file stays."""
    try:
        with open(path, "rb") as stream:
            text = stream.read(HOLDER_BYTES).decode("utf-8", "replace").strip()
    except OSError:
        return None
    return text or None


class LockHeld(Exception):
    """Another run holds the lock; the message says which process and since when."""


class RunLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: int | None = None

    def __enter__(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(descriptor, HOLDER_BYTES).decode("utf-8", "replace").strip() or "unknown process"
            os.close(descriptor)
            raise LockHeld(f"another run holds {self.path} ({holder})") from None
        os.ftruncate(descriptor, 0)
        os.write(descriptor, f"pid {os.getpid()} since {datetime.now(timezone.utc).isoformat()}".encode())
        self._file = descriptor
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            os.close(self._file)
            self._file = None
