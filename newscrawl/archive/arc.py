"""ARC files (the Internet Archive's format before WARC; .arc, .arc.gz), read as WARC response records.

warcio converts each ARC record to a WARC response (arc2warc). Two things are ours: the record id, which warcio
makes up at random on every read, is derived from the file name and offset (`<urn:arc:NAME:OFFSET>`), so replays
stay byte-identical and `newscrawl verify` finds the same record again; and damage ends the file with one
ArchiveProblem naming the offset, after every record before it was returned (ARC has no record framing to
resynchronise on, so reading cannot resume after damage, unlike WARC in reader.py).
"""

from __future__ import annotations

import functools
import gzip
import io
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ARC2WARCHeadersParser
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser, StatusAndHeadersParserException

from newscrawl.archive.reader import ArchiveProblem, ArchiveReadError, RawRecord

ARC_SUFFIXES = (".arc", ".arc.gz")
_ERRORS = (ArchiveLoadFailed, zlib.error, EOFError, ValueError, OSError)


def is_arc(path: Path) -> bool:
    return path.name.lower().endswith(ARC_SUFFIXES)


class _ArcHeaders(ARC2WARCHeadersParser):  # type: ignore[misc]  # warcio has no type hints
    """ARC header lines of either version of the format (the Internet Archive's ARC spec). warcio reads version 1's
    five fields (URL, IP address, date, content type, length); version 2 (the filedesc block's version line starts
    with "2") has ten: URL, IP address, date, content type, result code, checksum, location, offset, file name,
    length. Read as version 1, a version 2 line gave a URL with five fields glued on, and a page no request finds.
    The version is the file's, read from its filedesc block: one parser serves one file."""

    def __init__(self) -> None:
        super().__init__()
        self.version = 1

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
        fields = 10 if self.version == 2 else 5
        parts = line.rsplit(" ", fields - 1)  # from the right: a URL may hold a space
        if len(parts) != fields:
            raise StatusAndHeadersParserException(f"ARC version {self.version} header line with {len(parts)} of "
                                                  f"its {fields} fields: {line[:200]!r}", parts)
        if fields == 10:
            parts = [*parts[:4], parts[9]]
        _, headers = self._get_protocol_and_headers(line, parts)
        return StatusAndHeaders(statusline="", headers=headers, protocol="WARC/1.0", total_len=total_read)


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


def _stream(path: Path) -> io.BufferedIOBase:
    """The file to read records from: the file itself, or for an ARC gzipped whole as one stream (`gzip old.arc`,
    where the format has a gzip member per record) the inflated stream, which offsets then count in, as they do in
    the inflated copy of a WARC gzipped whole (wholegzip.py). Inflating to an offset reads what is before it: ARC
    files are small and old, and such files rare."""
    try:
        info = path.stat()
    except OSError:
        return path.open("rb")  # raises, as reading it would
    return gzip.open(path, "rb") if _gzipped_whole(path, info.st_size, info.st_mtime) else path.open("rb")


def scan_arc(path: Path) -> Iterator[RawRecord | ArchiveProblem]:
    """Every record of one ARC file in order; damage ends the file with one problem naming its offset."""
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


def read_arc_at(path: Path, offset: int) -> tuple[RawRecord, int | None]:
    """The ARC record at ``offset`` (the following offset is not needed: ARC has no request records)."""
    parser = _ArcHeaders()
    with _stream(path) as fh:
        try:
            if offset:
                next(iter(_records(fh, parser)))  # the filedesc block: which version the file's lines are in
            fh.seek(offset)
            record = next(iter(_records(fh, parser)))
            return _raw(record, record.raw_stream.read(), offset, path), None
        except (StopIteration, *_ERRORS) as exc:
            raise ArchiveReadError(ArchiveProblem(str(path), offset, "record", f"no ARC record here: {exc}")) from exc
