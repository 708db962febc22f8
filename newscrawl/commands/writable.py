"""Whether a file can be written where it is meant to go, asked before any work and without creating anything.

Every command that writes its result at the end (a crawl's feeds and state, `newscrawl run`'s log, `newscrawl
reparse`'s diff) asks first, so that a folder it cannot write costs one line before the work rather than a
traceback after it.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path


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
