"""ARC files (the Internet Archive's format before WARC; .arc, .arc.gz), read as WARC response records.

warcio converts each ARC record to a WARC response (arc2warc). Two things are ours: the record id, which warcio
makes up at random on every read, is derived from the file name and offset (`<urn:arc:NAME:OFFSET>`), so replays
stay byte-identical and `newscrawl verify` finds the same record again; and damage ends the file with one
ArchiveProblem naming the offset, after every record before it was returned (ARC has no record framing to
resynchronise on, so reading cannot resume after damage, unlike WARC in reader.py).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from newscrawl.archive.reader import ArchiveProblem, ArchiveReadError, RawRecord

ARC_SUFFIXES = (".arc", ".arc.gz")
_ERRORS = (ArchiveLoadFailed, zlib.error, EOFError, ValueError, OSError)


def is_arc(path: Path) -> bool:
    return path.name.lower().endswith(ARC_SUFFIXES)


def _raw(record: Any, payload: bytes, offset: int, file: Path) -> RawRecord:
    record.rec_headers.replace_header("WARC-Record-ID", f"<urn:arc:{file.name}:{offset}>")
    return RawRecord(offset, record.rec_type or "", record.rec_headers, record.http_headers, payload, True)


def scan_arc(path: Path) -> Iterator[RawRecord | ArchiveProblem]:
    """Every record of one ARC file in order; damage ends the file with one problem naming its offset."""
    offset = 0
    with path.open("rb") as fh:
        iterator = ArchiveIterator(fh, arc2warc=True)
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
    with path.open("rb") as fh:
        fh.seek(offset)
        try:
            record = next(iter(ArchiveIterator(fh, arc2warc=True)))
            return _raw(record, record.raw_stream.read(), offset, path), None
        except (StopIteration, *_ERRORS) as exc:
            raise ArchiveReadError(ArchiveProblem(str(path), offset, "record", f"no ARC record here: {exc}")) from exc
