"""Files written whole: whether one can be written where it is meant to go (asked before any work, without
creating anything), and writing one so that a reader sees it complete or not at all.

Every command that writes its result at the end (a crawl's feeds and state, `newscrawl run`'s log, `newscrawl
reparse`'s diff) asks first, so that a folder it cannot write costs one line before the work rather than a
traceback after it. Likewise what a command is given to read: one that cannot be read at all (check_readable) is
one line before the work.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path


def os_reason(error: OSError) -> str:
    """The OS's words for why a file or folder could not be made. A file standing where a folder should be makes
    mkdir say "File exists", which reads as if the folder were there: it is named for what it is.

    >>> os_reason(FileExistsError(errno.EEXIST, "File exists")), os_reason(PermissionError(errno.EACCES, "Denied"))
    ('Not a directory', 'Denied')
    """
    if isinstance(error, FileExistsError):
        return os.strerror(errno.ENOTDIR)
    return error.strerror or str(error)


def check_readable(path: str | Path, whole: bool = False) -> None:
    """Raises the OSError reading the file or folder `path` meets (no read permission, say): its first byte read (all
    of it, when `whole`: a read failing partway, EIO), or its names listed (a FIFO is not opened: it would wait for
    a writer)."""
    if os.path.isdir(path):
        with os.scandir(path) as entries:
            next(entries, None)
    elif not stat.S_ISFIFO(os.stat(path).st_mode):
        with open(path, "rb") as stream:
            while stream.read(1 << 20 if whole else 1) and whole:
                pass


_WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EFBIG})
"""What a write into a full or read-only disk raises: the cache's failing, not the file read's."""


def read_failed(error: BaseException) -> bool:
    """Whether `error` is the OS failing to read a file given, at its opening or partway through (EIO from a failing
    disk or a network mount that drops, EACCES, ESTALE): an OSError with an errno, not a format's complaint about
    the bytes it read (gzip.BadGzipFile is an OSError without one) nor a write's into a cache (_WRITE_ERRNOS).

    >>> read_failed(OSError(errno.EIO, "Input/output error")), read_failed(OSError("Not a gzipped file"))
    (True, False)
    """
    return isinstance(error, OSError) and error.errno is not None and error.errno not in _WRITE_ERRNOS


def unreadable(path: str | Path, whole: bool = False) -> str | None:
    """Why the file or folder `path` cannot be read (the OS's words: "Permission denied"), or None when it can
    (check_readable: `whole`, to its end)."""
    try:
        check_readable(path, whole)
    except OSError as error:
        return os_reason(error)
    return None


def _read_only(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def cannot_write(path: Path) -> tuple[Path, str] | None:
    """(what refuses, the OS's words) when `path` — an existing file, else the nearest existing folder above it,
    where it would be created — cannot be written; None when it can. A folder where the file should be is refused
    too (the OS's "Is a directory")."""
    if path.is_dir():
        return path, os.strerror(errno.EISDIR)
    folder = next((parent for parent in [path.parent, *path.parent.parents] if parent.exists()), Path("."))
    if not folder.is_dir():  # a file where a folder of the path should be
        return folder, os.strerror(errno.ENOTDIR)
    target = path if path.exists() else folder
    if os.access(target, os.W_OK):
        return None
    return target, os.strerror(errno.EROFS if _read_only(target) else errno.EACCES)


def refusal(path: Path) -> str | None:
    """`cannot_write` as the one line a command prints ("cannot write PATH [in FOLDER]: why"), or None."""
    refused = cannot_write(path)
    if refused is None:
        return None
    where, why = refused
    return f"cannot write {path}: {why}" if where == path else f"cannot write {path} in {where}: {why}"


def write_whole(path: Path, data: bytes, mode: int | None = None) -> None:
    """`data` into `path` through a temporary file beside it, renamed over it (removed on any failure), so that a
    reader never sees half of it. `mode`: the file's permissions, else the usual ones for a new file (the umask's:
    mkstemp makes its file private)."""
    directory = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, mode if mode is not None else 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
