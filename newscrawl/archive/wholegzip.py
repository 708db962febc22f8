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
import zlib
from pathlib import Path
from typing import Any, BinaryIO

from newscrawl.archive.codings import zstd

logger = logging.getLogger(__name__)

_BLOCK = 1024 * 1024
_known: dict[tuple[str, int, float], Path | None] = {}
_ZSTD_FRAME = b"\x28\xb5\x2f\xfd"
_DAMAGE = (zlib.error, zstd.ZstdError)


class _Member:
    """The first member (gzip) or frame (zstd) of a file, decompressed in bounded pieces: the two decompressors
    keep input they have not used yet in different ways."""

    def __init__(self, fh: BinaryIO, decompressor: Any) -> None:
        self.fh = fh
        self.decompressor = decompressor
        self.zlib = not hasattr(decompressor, "needs_input")

    def read(self) -> bytes | None:
        """The next piece; None when the file ends first (a stream cut short)."""
        if self.zlib:
            pending = self.decompressor.unconsumed_tail or self.fh.read(_BLOCK)
        else:
            pending = self.fh.read(_BLOCK) if self.decompressor.needs_input else b""
        if not pending and (self.zlib or self.decompressor.needs_input):
            return None
        piece: bytes = self.decompressor.decompress(pending, _BLOCK)
        return piece

    @property
    def ended(self) -> bool:
        return bool(self.decompressor.eof)

    def more_follows(self) -> bool:
        """After the member's end: does anything but padding follow it (another member)?"""
        rest = self.decompressor.unused_data + self.fh.read(64)
        return bool(rest.strip(b"\r\n\x00"))


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
        magic = fh.read(4)
        if magic[:2] == b"\x1f\x8b":
            member = _Member(fh, zlib.decompressobj(16 + zlib.MAX_WBITS))
        elif magic == _ZSTD_FRAME:
            member = _Member(fh, zstd.ZstdDecompressor())
        else:
            return None
        fh.seek(0)
        try:
            first = member.read() or b""
        except _DAMAGE:
            return None  # a damaged first member: reader.py reports it, member by member
        if member.ended and member.more_follows():
            return None  # the first member ended and more follow: one member per record, the normal case
        target = cache_folder() / f"{hashlib.sha256(repr(key).encode()).hexdigest()[:24]}.warc"
        if target.exists():
            return target
        partial = target.with_suffix(".part")
        try:
            with partial.open("wb") as out:
                out.write(first)
                while not member.ended:
                    piece = member.read()
                    if piece is None:
                        break  # cut short: keep what inflated
                    out.write(piece)
                    if member.ended and member.more_follows():
                        partial.unlink()
                        return None  # several members after all (a big first record): read it member by member
        except _DAMAGE as exc:
            logger.warning("%s: compressed stream damaged after %d bytes (%s); reading what inflated", path,
                           partial.stat().st_size, exc)
        os.replace(partial, target)
    logger.info("%s is compressed as one stream, not one member per record: reading an inflated copy %s", path,
                target)
    return target
