"""WARC files gzipped as one stream (`gzip file.warc`) instead of one gzip member per record; zstd alike
(`zstd file.warc`: one frame, not warc-zstd's frame per record).

The WARC standard recommends a member per record, and reader.py relies on it to seek to a record and to contain
damage. Some tools and people gzip the whole file. Such a file is inflated once into a plain copy in a cache
folder (NEWSCRAWL_PLAIN_CACHE, else the system temp folder), keyed by the file's path, size and mtime, and read
from there: offsets in provenance.archive are then offsets into the inflated stream, which `newscrawl verify` and
reparse find again the same way. A stream cut short inflates as far as it goes; reader.py then reports the
truncated record at its offset.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from newscrawl.archive.reader import CORRUPT, GZIP, ZSTD, MemberReader

logger = logging.getLogger(__name__)

_BLOCK = 1024 * 1024
_known: dict[tuple[str, int, float], Path | None] = {}


def plain_copy(path: Path) -> Path | None:
    """The inflated copy of a single-stream gzip or zstd WARC, or None for a plain file or one member per record."""
    try:
        info = path.stat()
    except OSError:
        return None
    key = (str(path.resolve()), info.st_size, info.st_mtime)
    if key not in _known:
        _known[key] = _inflate_if_single_stream(path, key)
    return _known[key]


def cache_folder() -> Path:
    """Where extracted or inflated copies of archives are kept (NEWSCRAWL_PLAIN_CACHE, else the system temp folder)."""
    folder = Path(os.environ.get("NEWSCRAWL_PLAIN_CACHE") or Path(tempfile.gettempdir()) / "newscrawl-plain")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _inflate_if_single_stream(path: Path, key: tuple[str, int, float]) -> Path | None:
    with path.open("rb") as fh:
        magic = fh.read(len(ZSTD.magic))
        framing = GZIP if magic[:2] == GZIP.magic[:2] else ZSTD if magic == ZSTD.magic else None
        if framing is None:
            return None
        member = MemberReader(fh, 0, framing)
        try:
            first = member.read(_BLOCK)
        except CORRUPT:
            return None  # a damaged first member: reader.py reports it, member by member
        if _more_follow(member, fh):
            return None  # the first member ended and more follow: one member per record, the normal case
        target = cache_folder() / f"{hashlib.sha256(repr(key).encode()).hexdigest()[:24]}.warc"
        if target.exists():
            return target
        partial = target.with_suffix(".part")
        try:
            with partial.open("wb") as out:
                out.write(first)
                while piece := member.read(_BLOCK):  # b"" at the stream's end, or where a cut stream stops
                    out.write(piece)
        except CORRUPT as exc:
            logger.warning("%s: compressed stream damaged after %d bytes (%s); reading what inflated", path,
                           partial.stat().st_size, exc)
        else:
            if _more_follow(member, fh):
                partial.unlink()
                return None  # several members after all (a big first record): read it member by member
        os.replace(partial, target)
    logger.info("%s is compressed as one stream, not one member per record: reading an inflated copy %s", path,
                target)
    return target


def _more_follow(member: MemberReader, fh: BinaryIO) -> bool:
    """Whether the first member has ended and anything but padding follows it (another member)."""
    if member.end is None:
        return False
    fh.seek(member.end)
    return bool(fh.read(64).strip(b"\r\n\x00"))
