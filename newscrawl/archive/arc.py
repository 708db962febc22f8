"""ARC files (the Internet Archive's format before WARC; .arc, .arc.gz), read as WARC response records.

warcio converts each ARC record to a WARC response (arc2warc). Two things are ours: the record id, which warcio
makes up at random on every read, is derived from the file name and offset (`<urn:arc:NAME:OFFSET>`), so replays
stay byte-identical and `newscrawl verify` finds the same record again; and damage costs only the records it
touches, one ArchiveProblem naming the offset each: the reading resumes, as in a WARC (reader.py), at the next gzip
member whose record header parses (a file with a gzip member per record, as the format has it), or in a plain file at
the next line that reads as an ARC header line (an absolute URL, then the fields of the file's version, a date of
digits and a length of digits). ARC keeps no checksum of a record, so damage inside a plain record's page is not
seen; a record not followed by the newline the format puts after it (its length damaged, or bytes lost in it) is
damaged, and the reading resumes after its header line, so a length made longer does not swallow the records after
it. An ARC file gzipped whole (`gzip old.arc`) is one stream, which no reader finds its way back into after damage:
damage there ends the file, after every record before it.

One idea, kept whole: an ARC record read as a WARC response, and where the next one starts around damage.
"""

from __future__ import annotations

import functools
import gzip
import io
import os
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ARC2WARCHeadersParser, ArcWarcRecordLoader
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser, StatusAndHeadersParserException

from newscrawl.archive.reader import (CORRUPT, GZIP, ArchiveProblem, ArchiveReadError, MemberReader, RawRecord,
                                     find_bytes)

ARC_SUFFIXES = (".arc", ".arc.gz")
_ERRORS = (ArchiveLoadFailed, zlib.error, EOFError, ValueError, OSError, OverflowError)
_READ_ERRORS = (ArchiveLoadFailed, StatusAndHeadersParserException, *CORRUPT, EOFError, ValueError, UnicodeError,
                OverflowError)
"""What reading one damaged record raises (warcio's parsers, zlib's inflating; OverflowError: a length of more digits
than a read can take)."""
_BLOCK = 1 << 16
_DATE = re.compile(r"\d{8,14}")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
"""How an absolute URL starts (RFC 3986): http:, dns:, filedesc:."""


def is_arc(path: Path) -> bool:
    return path.name.lower().endswith(ARC_SUFFIXES)


class _ArcHeaders(ARC2WARCHeadersParser):  # type: ignore[misc]  # warcio has no type hints
    """ARC header lines of either version of the format (the Internet Archive's ARC spec). warcio reads version 1's
    five fields (URL, IP address, date, content type, length); version 2 (the filedesc block's version line starts
    with "2") has ten: URL, IP address, date, content type, result code, checksum, location, offset, file name,
    length. Read as version 1, a version 2 line gave a URL with five fields glued on, and a page no request finds.
    Each line's version is told by its fields (header_fields); the file's, read from its filedesc block, decides a
    line that reads as both, so one parser serves one file, and a damaged filedesc block costs no later record."""

    def __init__(self) -> None:
        super().__init__()
        self.version: int | None = None

    def parse(self, stream: Any, headerline: bytes | None = None) -> StatusAndHeaders:
        if headerline is None:
            headerline = stream.readline()
        line = StatusAndHeadersParser.decode_header(headerline)
        if not line:
            raise EOFError()
        line = line.rstrip()
        total_read = 0
        if line.startswith("filedesc://"):
            version = StatusAndHeadersParser.decode_header(stream.readline())
            spec = StatusAndHeadersParser.decode_header(stream.readline())
            total_read += len(version) + len(spec)
            self.version = 2 if version.split()[:1] == ["2"] else 1
        parts = header_fields(line, self.version)
        if parts is None:
            raise StatusAndHeadersParserException(f"no ARC header line (an absolute URL, then the fields of "
                                                  f"either version): {line[:200]!r}", line)
        _, headers = self._get_protocol_and_headers(line, parts)
        return StatusAndHeaders(statusline="", headers=headers, protocol="WARC/1.0", total_len=total_read)


def header_fields(line: str, version: int | None) -> list[str] | None:
    """The five fields warcio reads (URL, IP address, date, content type, length) of an ARC header line, or None
    when `line` reads as no header line: an absolute URL (from its scheme on), then the fields of version 1 (five) or 2 (ten), among
    them a date of 8 to 14 digits and a length of digits (from the right: a URL may hold a space). A line that
    reads as both is read in `version`, the file's; in a file whose version is unknown (its filedesc block damaged)
    as version 2, since a version 1 line reads as version 2 only with a URL of five spaces one of which is
    followed by a date, while a version 2 line whose offset has 8 digits reads as version 1.

    >>> header_fields("http://a.example/ 1.2.3.4 20140216050221 text/html 10", None)
    ['http://a.example/', '1.2.3.4', '20140216050221', 'text/html', '10']
    >>> header_fields("http://a.example/ 1.2.3.4 20140216050221 text/html 200 - - 12345678 b.arc 10", None)
    ['http://a.example/', '1.2.3.4', '20140216050221', 'text/html', '10']
    >>> header_fields("<p>a page's line</p>", None) is None
    True
    """
    read = {}
    for fields in (10, 5):
        parts = line.rstrip("\r\n").rsplit(" ", fields - 1)
        if (len(parts) == fields and _SCHEME.match(parts[0]) and all(parts[:4]) and _DATE.fullmatch(parts[2])
                and parts[-1].isdigit() and (fields == 5 or parts[7].isdigit())):
            read[fields] = [*parts[:4], parts[-1]]
    return read.get(5 if version == 1 else 10) or read.get(10) or read.get(5)


def _records(fh: Any, parser: _ArcHeaders) -> ArchiveIterator:
    iterator = ArchiveIterator(fh, arc2warc=True)
    iterator.loader.arc_parser = parser
    return iterator


def _raw(record: Any, payload: bytes, offset: int, file: Path) -> RawRecord:
    record.rec_headers.replace_header("WARC-Record-ID", f"<urn:arc:{file.name}:{offset}>")
    return RawRecord(offset, record.rec_type or "", record.rec_headers, record.http_headers, payload, True)


@functools.lru_cache(maxsize=64)
def _gzipped_whole(path: Path, size: int, mtime: float) -> bool:
    """Whether the file is gzip whose first member goes on past its first record (warcio stops there: "non-chunked
    gzip file detected"). (size and mtime: a file changed since is judged again.)"""
    with path.open("rb") as fh:
        if fh.read(2) != b"\x1f\x8b":
            return False
        fh.seek(0)
        iterator = _records(fh, _ArcHeaders())
        try:
            for count, record in enumerate(iterator):
                record.raw_stream.read()
                if count:
                    break
        except ArchiveLoadFailed as exc:
            return "non-chunked" in str(exc)
        except _ERRORS:
            return False
    return False


def _is_gzipped_whole(path: Path) -> bool:
    """_gzipped_whole() for the file as it is now; False for one that cannot be looked at (reading it then raises)."""
    try:
        info = path.stat()
        return _gzipped_whole(path, info.st_size, info.st_mtime)
    except OSError:
        return False


def _stream(path: Path) -> io.BufferedIOBase:
    """The file to read records from: the file itself, or for an ARC gzipped whole as one stream (`gzip old.arc`,
    where the format has a gzip member per record) the inflated stream, which offsets then count in, as they do in
    the inflated copy of a WARC gzipped whole (wholegzip.py). Inflating to an offset reads what is before it: ARC
    files are small and old, and such files rare."""
    return gzip.open(path, "rb") if _is_gzipped_whole(path) else path.open("rb")


def scan_arc(path: Path) -> Iterator[RawRecord | ArchiveProblem]:
    """Every record of one ARC file in order, and one problem for each damaged span, after which the reading resumes
    at the next record (module docstring); in a file gzipped whole, damage ends the file."""
    if _is_gzipped_whole(path):
        yield from _scan_stream(path)
        return
    parser = _ArcHeaders()  # one per file: the filedesc block sets the version every later line is read in
    with path.open("rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        gzipped = _per_record_gzip(fh, path)
        offset: int | None = 0
        while offset is not None and offset < size:
            record, problem, following = _read_one(fh, offset, gzipped, parser, path)
            if record is not None:
                yield record
            if problem is not None:
                at, kind, message = problem
                if following is None:
                    following = _resync(fh, at + 1, gzipped, parser.version)
                where = f"resumed at offset {following}" if following is not None else "no intact record after it"
                yield ArchiveProblem(str(path), at, kind, f"{message}; {where}")
            offset = following


def _scan_stream(path: Path) -> Iterator[RawRecord | ArchiveProblem]:
    """The records of an ARC file gzipped whole, read as one stream; damage ends it (a gzip stream cannot be
    resumed after damage)."""
    offset = 0
    with _stream(path) as fh:
        iterator = _records(fh, _ArcHeaders())
        try:
            for record in iterator:
                # The payload first: warcio's get_record_offset() reads the record to its end to learn where it
                # started, so asked first it left every payload empty (the index then sniffed, digested and looked
                # for refreshes in nothing; only the replay's own re-read at the offset saw the page).
                payload = record.raw_stream.read()
                offset = iterator.get_record_offset()
                yield _raw(record, payload, offset, path)
        except _ERRORS as exc:
            yield ArchiveProblem(str(path), offset, "record", f"unreadable ARC record after this offset: {exc}")


def _per_record_gzip(fh: BinaryIO, path: Path) -> bool:
    """Whether the file's records are gzip members: it starts with gzip's magic, or is named .gz and does not plainly
    start with an ARC header line (a damaged first member must not make it a plain file; a file un-gzipped and not
    renamed is one)."""
    fh.seek(0)
    line = fh.readline(_BLOCK)
    return line.startswith(GZIP.magic[:2]) or (path.name.lower().endswith(".gz") and not _is_header_line(line, None))


def _is_header_line(line: bytes, version: int | None) -> bool:
    """Whether `line` reads as an ARC header line (header_fields): what a resynchronisation looks for in a plain
    file; a page's own lines rarely pass."""
    return header_fields(StatusAndHeadersParser.decode_header(line), version) is not None


def _read_one(fh: BinaryIO, offset: int, gzipped: bool, parser: _ArcHeaders, path: Path) -> tuple[
        RawRecord | None, tuple[int, str, str] | None, int | None]:
    """The record at `offset` (None when damage took it), a problem (where, kind, message) when damage was met, and
    where the next record starts (None: lost with the damage, the caller resynchronises after it). Never raises for
    damaged data."""
    member: MemberReader | None = None
    if gzipped:
        member = MemberReader(fh, offset, GZIP)
        stream: BinaryIO = io.BufferedReader(member, buffer_size=_BLOCK)
    else:
        stream = fh
        fh.seek(offset)
        line = fh.readline()
        if not _is_header_line(line, parser.version):
            return None, (offset, "record", f"no ARC header line here: {line[:120]!r}"), None
        fh.seek(offset)
    loader = ArcWarcRecordLoader(verify_http=False, arc2warc=True)
    loader.arc_parser = parser
    try:
        record = loader.parse_record_stream(stream, known_format="arc")
        declared = int(record.rec_headers.get_header("Content-Length") or "")
        payload = record.raw_stream.read()
        if member is not None:
            while stream.read(_BLOCK):  # to the member's end: its CRC checked, its end known
                pass
    except CORRUPT as exc:
        return None, (offset, "gzip", f"corrupt gzip member: {exc}"), None
    except EOFError:
        if member is not None and member.end is not None:
            return None, None, member.end  # an empty member holds nothing: not damage
        return None, (offset, "truncated", "file ends where a record should start"), None
    except _READ_ERRORS as exc:
        return None, (offset, "record", f"unreadable ARC record: {str(exc).strip()[:120]!r}"), None
    if record.raw_stream.limit:  # its length runs past the member, or the file
        return None, (offset, "truncated", f"the record is cut short: {record.raw_stream.limit} of its {declared} "
                                           "bytes missing"), member.end if member is not None else None
    if member is not None:
        if member.end is None:
            return None, (offset, "truncated", "file ends inside the record's gzip member"), None
        return _raw(record, payload, offset, path), None, member.end
    return _plain_end(fh, offset, offset + len(line), fh.tell(), _raw(record, payload, offset, path), parser.version)


def _plain_end(fh: BinaryIO, offset: int, body: int, end: int, record: RawRecord, version: int | None) -> tuple[
        RawRecord | None, tuple[int, str, str] | None, int | None]:
    """A plain file's record (its header line at `offset`, its bytes from `body` to `end`), judged by what follows
    it, as _read_one returns it. A plain file has no member to bound a record, and ARC no checksum: a record is
    whole when the newline the format puts after it, then the next header line or the file's end, follows its
    bytes. Else the next header line after its own is looked for: one inside its bytes means its length ran on into
    the next record (its length damaged, or bytes lost in it), and it is damaged; one after them, that bytes are
    damaged between the two, and it is kept when its newline follows it."""
    following = _record_end(fh, end)
    if following is not None and (following >= os.fstat(fh.fileno()).st_size
                                  or _is_header_line(_first_line(fh, following, False), version)):
        return record, None, following
    next_record = _resync(fh, body, False, version)
    if following is None or (next_record is not None and next_record < end):
        return None, (offset, "record", "its length does not end where a newline and the next record follow: its "
                                        "length or its bytes are damaged"), next_record
    return record, (following, "record", "no ARC record here"), next_record


def _record_end(fh: BinaryIO, end: int) -> int | None:
    """In a plain file, where the next record starts after one whose bytes end at `end`: past the newline the format
    puts after each record and any blank lines (as warcio counts offsets), or at the file's end; None when no
    newline follows (its length is damaged, or bytes were lost or added in it: a header line right after it may be
    one whose first bytes it took)."""
    fh.seek(end)
    first = fh.readline()
    if not first:
        return end
    if first.strip(b"\r\n"):
        return None
    position = end + len(first)
    while (line := fh.readline()) and not line.strip(b"\r\n"):
        position += len(line)
    return position


def _resync(fh: BinaryIO, start: int, gzipped: bool, version: int | None) -> int | None:
    """The offset of the next record start at or after `start`: a gzip member whose first line reads as an ARC
    header line, or in a plain file such a line at a line's start; None when there is none."""
    needle = GZIP.magic if gzipped else b"\n"
    position = start - (0 if gzipped else 1)
    while (found := find_bytes(fh, needle, max(position, 0))) is not None:
        candidate = found if gzipped else found + 1
        if candidate >= start and _is_header_line(_first_line(fh, candidate, gzipped), version):
            return candidate
        position = found + 1
    return None


def _first_line(fh: BinaryIO, offset: int, gzipped: bool) -> bytes:
    """The first line of the record that would start at `offset` (b"" when its member does not inflate)."""
    if not gzipped:
        fh.seek(offset)
        return fh.readline(_BLOCK)
    try:
        return io.BufferedReader(MemberReader(fh, offset, GZIP), buffer_size=_BLOCK).readline(_BLOCK)
    except CORRUPT:
        return b""


def read_arc_at(path: Path, offset: int) -> tuple[RawRecord, int | None]:
    """The ARC record at ``offset`` (the following offset is not needed: ARC has no request records), read as
    scan_arc read it; the filedesc block first, for the file's version, when it is whole."""
    parser = _ArcHeaders()
    if _is_gzipped_whole(path):
        with _stream(path) as stream:
            try:
                if offset:
                    next(iter(_records(stream, parser)))  # the filedesc block: which version the file's lines are in
                stream.seek(offset)
                record = next(iter(_records(stream, parser)))
                return _raw(record, record.raw_stream.read(), offset, path), None
            except (StopIteration, *_ERRORS) as exc:
                raise ArchiveReadError(ArchiveProblem(str(path), offset, "record",
                                                      f"no ARC record here: {exc}")) from exc
    with path.open("rb") as fh:
        gzipped = _per_record_gzip(fh, path)
        if offset:
            _read_one(fh, 0, gzipped, parser, path)  # damaged, it costs nothing: each line tells its version
        found, problem, _ = _read_one(fh, offset, gzipped, parser, path)
    if found is None:
        why = problem[2] if problem is not None else "an empty gzip member"
        raise ArchiveReadError(ArchiveProblem(str(path), offset, "record", f"no ARC record here: {why}"))
    return found, None
