"""Files whose reads fail partway, as on a failing disk or a network mount that drops, in every process a test's
command starts (installed beside tests/denied.py by its ``run``).

FAILING_READS (JSON: absolute path → offset) names each file and the offset of its bad spot: the file opens, its
metadata is read, and every read of bytes before the offset succeeds; a read that reaches the offset raises
OSError(EIO), as the kernel does for a sector it cannot read. Reading the bytes before the bad spot again (after a
seek back) succeeds again, as it does on such a disk. Covered: ``open``/``io.open``/``Path.open`` (bytes and text,
buffered or not), ``os.open`` with ``os.read``/``os.pread`` and ``os.fdopen`` of its descriptor, and shutil's
copies (its sendfile fast path is turned off, so they read through ``open``).
"""

from __future__ import annotations

import builtins
import errno
import io
import json
import os
import shutil
from collections.abc import Callable
from typing import Any

FAILING = "FAILING_READS"

_descriptors: dict[int, int] = {}
"""Each descriptor os.open gave for a failing file → its bad spot's offset."""


def _failing() -> dict[str, int]:
    return {str(path): int(offset) for path, offset in json.loads(os.environ.get(FAILING) or "{}").items()}


def _bad_spot(path: Any) -> int | None:
    if isinstance(path, int):
        return _descriptors.get(path)
    failing = _failing()
    if not failing or path is None:
        return None
    return failing.get(os.path.realpath(os.fsdecode(os.fspath(path))))


def _eio() -> OSError:
    """What read(2) raises: no file name, as the OS gives none for a failing read."""
    return OSError(errno.EIO, os.strerror(errno.EIO))


class FailingRaw(io.RawIOBase):
    """A file's raw reads, failing from offset `bad` on (module docstring)."""

    def __init__(self, raw: io.FileIO, bad: int) -> None:
        super().__init__()
        self._raw, self._bad, self.name, self.mode = raw, bad, raw.name, raw.mode

    def readinto(self, buffer: Any) -> int:
        position = self._raw.tell()
        if position >= self._bad and len(buffer):
            raise _eio()
        with memoryview(buffer) as view:
            return self._raw.readinto(view[:self._bad - position])

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._raw.seekable()

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def fileno(self) -> int:
        return self._raw.fileno()

    def isatty(self) -> bool:
        return False

    def close(self) -> None:
        if not self._raw.closed:
            _descriptors.pop(self._raw.fileno(), None)
        self._raw.close()
        super().close()


def _opening(function: Callable[..., Any]) -> Callable[..., Any]:
    def opening(file: Any, mode: str = "r", buffering: int = -1, encoding: str | None = None,
                errors: str | None = None, newline: str | None = None, closefd: bool = True,
                opener: Any = None) -> Any:
        bad = _bad_spot(file)
        if bad is None or any(flag in mode for flag in "wax+"):
            return function(file, mode, buffering, encoding, errors, newline, closefd, opener)
        raw = FailingRaw(function(file, "rb", 0, closefd=closefd, opener=opener), bad)
        if buffering == 0:
            return raw
        buffered = io.BufferedReader(raw, buffering if buffering > 1 else io.DEFAULT_BUFFER_SIZE)
        if "b" in mode:
            return buffered
        return io.TextIOWrapper(buffered, encoding, errors, newline)
    return opening


def _os_open(function: Callable[..., int]) -> Callable[..., int]:
    def os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        descriptor = function(path, flags, *args, **kwargs)
        bad = _bad_spot(path)
        if bad is not None and not flags & (os.O_WRONLY | os.O_RDWR):
            _descriptors[descriptor] = bad
        return descriptor
    return os_open


def _os_read(function: Callable[..., bytes]) -> Callable[..., bytes]:
    def os_read(descriptor: int, size: int) -> bytes:
        bad = _descriptors.get(descriptor)
        if bad is None:
            return function(descriptor, size)
        position = os.lseek(descriptor, 0, os.SEEK_CUR)
        if position >= bad and size:
            raise _eio()
        return function(descriptor, min(size, bad - position))
    return os_read


def _os_pread(function: Callable[..., bytes]) -> Callable[..., bytes]:
    def os_pread(descriptor: int, size: int, offset: int) -> bytes:
        bad = _descriptors.get(descriptor)
        if bad is None:
            return function(descriptor, size, offset)
        if offset >= bad and size:
            raise _eio()
        return function(descriptor, min(size, bad - offset), offset)
    return os_pread


def _os_close(function: Callable[[int], None]) -> Callable[[int], None]:
    def os_close(descriptor: int) -> None:
        _descriptors.pop(descriptor, None)
        function(descriptor)
    return os_close


def install() -> None:
    """Make the FAILING_READS fail partway in this process (and the processes it forks)."""
    if not os.environ.get(FAILING):
        return
    builtins.open = io.open = _opening(io.open)
    os.open = _os_open(os.open)
    os.read = _os_read(os.read)
    os.pread = _os_pread(os.pread)
    os.close = _os_close(os.close)  # type: ignore[assignment]  # os.close's stub names its argument
    shutil._USE_CP_SENDFILE = False  # type: ignore[attr-defined]  # its copies read through open, as above
