"""Compressed WARC files whose compressed members are not one per record, read from an inflated copy.

The WARC standard recommends one gzip member (warc-zstd: one zstd frame) per record, and reader.py relies on it to
seek to a record and to contain damage. Other files are common: a whole file gzipped or zstd-compressed as one
stream (`gzip file.warc`, `zstd file.warc`); WARC.gz files concatenated (`cat a.warc.gz b.warc.gz`: a member per
file); writers that compress a batch of records at a time; block compressors (bgzip, `pigz --independent`, pzstd,
which also puts a skippable frame before every frame), whose members end every so many KiB wherever the records
end. Read member by member, each of those gave "member holds more than one record" and no record at all. Judged
by their first member (one record in it, or not), such files are inflated once into a plain copy in a cache
folder (NEWSCRAWL_PLAIN_CACHE, else the system temp folder), keyed by the file's path, size and mtime, and read
from there: offsets in provenance.archive are then offsets into the inflated stream, which `newscrawl verify` and
reparse find again the same way. A stream cut short or damaged inflates as far as it goes; in a file of many
members a damaged one costs only itself (the copy goes on at the next member that inflates); reader.py then
reports the record cut at its offset.

A file whose first member holds one record but a later one several (a writer that appended its records in
batches after a warcinfo of its own, `cat ours.warc.gz theirs-gzipped-whole.warc.gz`) passes that judgement; the
index build meets the later member, makes the copy (plain_copy's `mixed`) and reads the file again from it
(warc.ArchiveIndex.build_now). The copy, once made, is what every later reader of the file gets; a reader that
finds it gone (an index read from its cache, `newscrawl verify`) makes it again.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from newscrawl.archive.arc import is_arc
from newscrawl.archive.reader import (CORRUPT, GZIP, ZSTD, ZSTD_DICTIONARY_FRAME, ArchiveProblem, Framing,
                                     MemberReader, find_bytes, misjudged, scan_records)
from newscrawl.files import os_reason

logger = logging.getLogger(__name__)

_BLOCK = 1024 * 1024


class PlainCopyRefused(OSError):
    """A file that must be read from an inflated copy, whose copy could not be written (a full or read-only cache
    folder): read member by member instead it gives no record. In an archive of several files it is one problem
    (COPY_REFUSED) and the other files are read; a replay with no other file stops on it in one line
    (archive/replay.py open_replay_source) instead of replaying nothing."""


COPY_REFUSED = "copy"
"""ArchiveProblem kind of a file whose inflated copy was refused, in an archive of several files: it costs only
itself (its records are not read), and an index that lacks it is not cached (a later run with room reads it)."""

_known: dict[tuple[str, int, float], Path | None] = {}
_refused: dict[tuple[str, int, float], PlainCopyRefused] = {}


def plain_copy(path: Path, mixed: bool = False) -> Path | None:
    """The inflated copy of a compressed WARC whose members are not one per record (one stream, or members holding
    several records or parts of one), or None for a plain file or one member per record.

    `mixed`: the caller found a member holding several records further on in a file whose first member holds one
    (`cat ours.warc.gz theirs-whole.warc.gz`, a writer that appended a batch of records as one member): the copy is
    made all the same. Such a copy, once made, is what later readers of the same file get too (it is looked for
    before the first member is judged), so offsets into it stay valid for `newscrawl verify` and reparse."""
    try:
        info = path.stat()
    except OSError:
        return None
    key = (str(path.resolve()), info.st_size, info.st_mtime)
    if key in _refused:
        raise _refused[key]  # once per process: each later reader would inflate the whole file again to fail again
    if key not in _known or (mixed and _known[key] is None):
        try:
            _known[key] = _inflate_unless_member_per_record(path, key, mixed)
        except PlainCopyRefused as refused:
            _refused[key] = refused
            raise
    return _known[key]


def read_source(file: Path) -> Path:
    """What a file's records are read from: the file, or its inflated copy (plain_copy). Raises PlainCopyRefused."""
    try:
        return plain_copy(file) or file
    except PlainCopyRefused:
        raise
    except OSError:
        return file  # reading it reports the problem


def whole_read_source(file: Path) -> Path:
    """read_source, for a reader that cannot take back what it gave out: a compressed file read member by member is
    first scanned (no payloads kept) for a member holding several records, which makes it read from its inflated
    copy (an index build instead reads such a file again: warc.ArchiveIndex.build_now). Once per process."""
    source = read_source(file)
    if source != file or is_arc(file) or not _starts_compressed(file):
        return source
    try:
        info = file.stat()
        return _scanned_source(file, info.st_size, info.st_mtime)
    except OSError:  # a read the disk failed partway: reading it keeps the records before it and reports the rest
        return source


@lru_cache(maxsize=64)
def _scanned_source(file: Path, size: int, mtime: float) -> Path:
    """(size and mtime: a file changed since is scanned again.)"""
    if any(isinstance(item, ArchiveProblem) and item.several_records
           for item in scan_records(file, keep_payloads=False)):
        return plain_copy(file, mixed=True) or file
    return file


def _starts_compressed(file: Path) -> bool:
    try:
        with file.open("rb") as fh:
            head = fh.read(4)
    except OSError:
        return False  # reading it reports the problem
    return head[:2] == GZIP.magic[:2] or head == ZSTD.magic


def cache_folder(create: bool = True) -> Path:
    """Where extracted or inflated copies of archives are kept (NEWSCRAWL_PLAIN_CACHE, else the system temp folder)."""
    folder = Path(os.environ.get("NEWSCRAWL_PLAIN_CACHE") or Path(tempfile.gettempdir()) / "newscrawl-plain")
    if create:
        folder.mkdir(parents=True, exist_ok=True)
    return folder


def _inflate_unless_member_per_record(path: Path, key: tuple[str, int, float], mixed: bool = False) -> Path | None:
    """Judged by the first member: one record in it (the WARC standard's layout) or not. Files that fail it: a
    whole file gzipped or zstd-compressed as one stream; WARC.gz files concatenated (`cat a.warc.gz b.warc.gz`:
    one member per file); block compressors (bgzip, pigz --independent, pzstd), whose members end every 64 KiB
    whatever the records. `mixed`: inflate whatever the first member holds (plain_copy)."""
    target = cache_folder(create=False) / f"{hashlib.sha256(repr(key).encode()).hexdigest()[:24]}.warc"
    if target.exists():
        return target  # made before, judged by its first member or found mixed
    with path.open("rb") as fh:
        if fh.read(4) == ZSTD_DICTIONARY_FRAME:
            return None  # warc-zstd: a frame per record by definition (reader.py reads its dictionary)
        start = _padding(fh, 0)  # pzstd starts every frame with a skippable frame
        fh.seek(start)
        magic = fh.read(len(ZSTD.magic))
        framing = GZIP if magic[:2] == GZIP.magic[:2] else ZSTD if magic == ZSTD.magic else None
        if framing is None or misjudged(fh, framing, start):
            return None  # plain, or another WARC behind stray bytes that look like a magic: reader.py reads it
        member = MemberReader(fh, start, framing)
        try:
            first = member.read(_BLOCK)
        except CORRUPT:
            return None  # a damaged first member: reader.py reports it, member by member
        if not mixed and _ends_with_one_record(member, first):
            return None  # the first member ends where its one record does: the standard's layout
        member = MemberReader(fh, start, framing)
        partial = target.with_suffix(".part")
        try:
            cache_folder()
            with partial.open("wb") as out:
                _copy_member(member, out)
                if _more_follow(member, fh):
                    _copy_members_after(member, fh, framing, out, path)
        except CORRUPT as exc:
            logger.warning("%s: compressed stream damaged after %d bytes (%s); reading what inflated", path,
                           partial.stat().st_size, exc)
        except OSError as exc:  # the cache folder full or unwritable (or the file unreadable mid-way)
            with contextlib.suppress(OSError):
                partial.unlink()
            raise PlainCopyRefused(f"cannot make the inflated copy of {path} in {target.parent}: "
                                   f"{os_reason(exc)}; free space there or point NEWSCRAWL_PLAIN_CACHE at a "
                                   "folder with room for the file uncompressed") from exc
        os.replace(partial, target)
    logger.info("%s is not compressed one member per record (one stream, or members that do not match its "
                "records): reading an inflated copy %s", path, target)
    return target


def _copy_member(member: MemberReader, out: BinaryIO) -> None:
    """`member`, inflated, into `out`."""
    while piece := member.read(_BLOCK):  # b"" at the member's end, or where a cut stream stops
        out.write(piece)


def _copy_members_after(first: MemberReader, fh: BinaryIO, framing: Framing, out: BinaryIO, path: Path) -> None:
    """Every member after `first`, in order, into `out`. A damaged one costs only itself: what inflated of it stays
    (reader.py reports the record it cut) and the copy goes on at the next member that inflates."""
    offset = first.end
    while offset is not None:
        offset += _padding(fh, offset)
        fh.seek(offset)
        if not fh.read(1):
            return
        member = MemberReader(fh, offset, framing)
        try:
            _copy_member(member, out)
        except CORRUPT as exc:
            following = _next_member(fh, offset + 1, framing)
            logger.warning("%s: compressed member at offset %d damaged (%s); %s", path, offset, exc,
                           f"going on at offset {following}" if following is not None else "nothing readable after it")
            offset = following
            continue
        offset = member.end  # None: the file ends inside this member


def _next_member(fh: BinaryIO, start: int, framing: Framing) -> int | None:
    """Where the next member that inflates starts, at or after `start`."""
    position = start
    while (found := find_bytes(fh, framing.magic, position)) is not None:
        try:
            MemberReader(fh, found, framing).read(1)
        except CORRUPT:
            position = found + 1
            continue
        return found
    return None


_CONTENT_LENGTH = re.compile(rb"^content-length:[ \t]*(\d+)[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)


def _ends_with_one_record(member: MemberReader, first: bytes) -> bool:
    """Whether `member` (`first`: its first inflated block) ends where the one record it starts with ends. A file
    of one record in one member is as much one member per record as a file of thousands, so what follows the
    member does not count; the rest of the member is read only as far as the judgement needs (a whole file gzipped
    as one stream stops being one record a few bytes after its first record)."""
    record_end = _record_end(first)
    size = len(first)
    try:
        while member.end is None and record_end is not None and size <= record_end + _TAIL:
            if not (piece := member.read(_BLOCK)):
                break  # the file ends inside the member: a cut stream, inflated as far as it goes
            size += len(piece)
    except CORRUPT:
        return False  # damaged past its first block: the copy reads what inflated and logs where it stopped
    return member.end is not None and _one_record(first, size)


def _record_end(head: bytes) -> int | None:
    """Where the WARC record that `head` starts with ends (its header's blank line plus its Content-Length); None
    when `head` does not parse as a record header."""
    start = len(head) - len(head.lstrip(b"\r\n"))
    ends = [found + len(blank) for blank in (b"\r\n\r\n", b"\n\n") if (found := head.find(blank, start)) >= 0]
    if not head[start:].startswith(b"WARC/") or not ends:
        return None
    header_end = min(ends)  # the header's blank line, CRLF or LF only
    length = _CONTENT_LENGTH.search(head, start, header_end)
    return None if length is None else header_end + int(length.group(1))


def _one_record(head: bytes, size: int) -> bool:
    """Whether a member of `size` inflated bytes, starting with `head`, holds exactly one WARC record: its
    Content-Length ends it at the member's end (give or take the blank lines after a record). A head that does not
    parse as a record header is left to reader.py, which reports it (True)."""
    record_end = _record_end(head)
    if record_end is None:
        return True
    if size < record_end:
        return False  # the record goes on in the next member
    if size <= len(head) and not head[record_end:].strip(b"\r\n\x00"):  # the whole member in hand, blank after
        return True
    return size - record_end <= _TAIL


_TAIL = 16
"""Bytes after a record's block that can be no other record (its two CRLFs, a little padding)."""


_SKIPPABLE_FRAMES = range(0x184D2A50, 0x184D2A60)
"""zstd's skippable frames: data a decompressor passes over (pzstd's frame sizes; warc-zstd's dictionary)."""


def _padding(fh: BinaryIO, offset: int) -> int:
    """Bytes at `offset` before the next member starts: NULs and line ends, and zstd skippable frames."""
    position = offset
    while True:
        fh.seek(position)
        data = fh.read(64)
        blank = len(data) - len(data.lstrip(b"\r\n\x00"))
        if blank:
            position += blank
            if blank == len(data) < 64:
                return position - offset
            continue
        if len(data) >= 8 and int.from_bytes(data[:4], "little") in _SKIPPABLE_FRAMES:
            position += 8 + int.from_bytes(data[4:8], "little")
            continue
        return position - offset


def _more_follow(member: MemberReader, fh: BinaryIO) -> bool:
    """Whether the member has ended and another member follows it (not only padding)."""
    if member.end is None:
        return False
    fh.seek(member.end + _padding(fh, member.end))
    return bool(fh.read(1))
