"""The SHA-256 of an archive file's bytes, remembered in this process by the file's identity.

A replay names its input by these digests (replay.input_sha256, spiders/replayname.py), and the archive's cached
index (indexcache.py) keeps them, so a later replay of the same files reads no archive byte for its name. The index
build never reads a file for a digest: it stores the digests this process already knows (`known`), and every
process that builds an index asks them first (replay.warc_file_sha256: a replay, `newscrawl verify`), so its build
knows them.

A digest is remembered by what indexcache.file_identity compares (path, size, modification and change time, inode),
so a file changed since it was hashed is not answered from memory.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

HASH_CHUNK = 1 << 20

_Key = tuple[str, int, int, int, int]
_known: dict[_Key, str] = {}


def _key(path: Path, info: os.stat_result) -> _Key:
    return os.path.abspath(path), info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino


def known(path: Path) -> str | None:
    """The digest remembered in this process for the file as it is now; None when none is (or it cannot be
    stat-ed)."""
    try:
        return _known.get(_key(path, path.stat()))
    except OSError:
        return None


def forget() -> None:
    """Forget every digest remembered (tests: a new process)."""
    _known.clear()


def file_sha256(path: Path) -> str:
    """The SHA-256 (hex) of the file's bytes, as `sha256sum` prints it: remembered, else read whole and remembered
    (OSError when it cannot be read). hashlib.file_digest would do, but Python 3.10 lacks it."""
    with open(path, "rb") as stream:
        key = _key(path, os.fstat(stream.fileno()))
        if key not in _known:
            digest = hashlib.sha256()
            while chunk := stream.read(HASH_CHUNK):
                digest.update(chunk)
            _known[key] = digest.hexdigest()
        return _known[key]
