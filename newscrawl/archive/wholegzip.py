"""WARC files gzipped as one stream (`gzip file.warc`) instead of one gzip member per record.

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
import zlib
from pathlib import Path
from typing import BinaryIO

logger = logging.getLogger(__name__)

_BLOCK = 1024 * 1024
_known: dict[tuple[str, int, float], Path | None] = {}


def plain_copy(path: Path) -> Path | None:
    """The inflated copy of a single-stream gzip WARC, or None for a plain file or one gzip member per record."""
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
        if fh.read(2) != b"\x1f\x8b":
            return None
        fh.seek(0)
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        first = inflater.decompress(fh.read(_BLOCK), _BLOCK)
        if inflater.eof and _more_follows(inflater, fh):
            return None  # the first member ended and more follow: one member per record, the normal case
        target = cache_folder() / f"{hashlib.sha256(repr(key).encode()).hexdigest()[:24]}.warc"
        if target.exists():
            return target
        partial = target.with_suffix(".part")
        try:
            with partial.open("wb") as out:
                out.write(first)
                while not inflater.eof:
                    pending = inflater.unconsumed_tail or fh.read(_BLOCK)
                    if not pending:
                        break  # cut short: keep what inflated
                    out.write(inflater.decompress(pending, _BLOCK))
                    if inflater.eof and _more_follows(inflater, fh):
                        partial.unlink()
                        return None  # several members after all (a big first record): read it member by member
        except zlib.error as exc:
            logger.warning("%s: gzip stream damaged after %d bytes (%s); reading what inflated", path,
                           partial.stat().st_size, exc)
        os.replace(partial, target)
    logger.info("%s is gzipped as one stream, not one member per record: reading an inflated copy %s", path, target)
    return target


def _more_follows(inflater: "zlib._Decompress", fh: BinaryIO) -> bool:
    """After a member's end: does anything but padding follow it (another member)?"""
    rest = inflater.unused_data + fh.read(64)
    return bool(rest.strip(b"\r\n\x00"))
