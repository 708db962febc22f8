"""Damage-tolerant WARC record reading: the layer under ``warc.py``'s exchanges and index.

Why not warcio's ``ArchiveIterator``: it stops at the first error, and its ``BufferedReader`` hides gzip damage. A
member whose first block fails to inflate is silently re-read as *uncompressed* bytes; a later failure is written
to stderr and turned into an early end of data. After damage neither its offsets nor its records can be trusted.

So this module inflates every gzip member on its own with zlib (that is gzip framing, not WARC framing) and lets
warcio's ``ArcWarcRecordLoader`` parse the WARC record inside it. A ``.warc.zst`` (the IIPC warc-zstd format
ArchiveTeam's Wget-AT writes: one zstd frame per record, all compressed with one dictionary kept in a skippable frame
at the start of the file) is read the same way, frame by frame (``Framing``). Exact member boundaries mean a bad
member costs only its own record. When the framing is lost (a corrupt member, or a wrong Content-Length in an
uncompressed file) ``scan_records`` resynchronises: it scans forward for the next gzip member header ``1f 8b 08``
(zstd frame magic ``28 b5 2f fd``, or the next ``WARC/1.`` version line: at a line start, or mid-line where damage
took the line end before it) whose WARC header parses, reports one problem for the skipped span and carries on.

Digests are checked here, over the exact bytes on disk, because warcio's verifying reader only reports a
``passed`` flag and cannot accept the de-chunked payload digests some tools write (see ``_payload_variants``).

One idea, kept whole: reading WARC records so that damage costs only the damaged record; the gzip member
reader, the resynchroniser and the digest checks only make sense together.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import zlib
from base64 import b16encode, b32encode, b64encode, urlsafe_b64encode
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, BinaryIO

from warcio.bufferedreaders import ChunkedDataReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecordLoader
from warcio.statusandheaders import StatusAndHeadersParser, StatusAndHeadersParserException

from newscrawl.archive import codings

logger = logging.getLogger(__name__)

_BLOCK = 64 * 1024
_GZIP_MAGIC = b"\x1f\x8b\x08"  # gzip id + "deflate" method: what every WARC member starts with
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"  # a zstd frame
ZSTD_DICTIONARY_FRAME = b"\x5d\x2a\x4d\x18"  # warc-zstd's skippable frame holding the dictionary (0x184D2A5D)
_RAW_DICTIONARY = b"\x37\xa4\x30\xec"  # a zstd dictionary's own magic
_MAX_DICTIONARY = 64 * 1024 * 1024
CORRUPT = (zlib.error, codings.zstd.ZstdError)
"""What a damaged gzip member or zstd frame raises while it is read."""
_WARC_VERSION = b"WARC/1."  # how a record header's first line starts
_TAIL_PEEK = 64  # bytes of a gzip member read after the record block to check it holds nothing else
STREAM_ABOVE = 4 * 1024 * 1024
"""A block larger than this whose payload the caller does not want (an index build) is read in pieces: digests are
checked as the bytes go by and only the HTTP header is kept. A browser crawl's WARC holds videos and PDFs of
hundreds of megabytes; reading each whole made an index build's peak memory twice the largest record."""
_HEAD_LIMIT = 1024 * 1024  # bytes read to find the end of an HTTP header before the payload streams past


class _Latin1HeaderParser(StatusAndHeadersParser):  # type: ignore[misc]  # warcio is untyped
    """HTTP header lines decoded as latin-1, so ``value.encode("latin-1")`` gives back the exact bytes.

    warcio decodes UTF-8 first and falls back to latin-1 per line, which makes b"\xc3\xa9" and b"\xe9" both
    "é": the original bytes could not be recovered for a faithful replay.
    """

    @staticmethod
    def decode_header(line: bytes | str) -> str:
        return line.decode("latin-1") if isinstance(line, bytes) else line

    def parse(self, stream: Any, full_statusline: Any = None) -> Any:
        """Blank lines before the status line (a writer that left the line end of its WARC header in the block)
        are passed over, and counted, so the payload still starts where it does: read as the status line, one made
        the whole response "unusable status line ''"."""
        skipped = 0
        if full_statusline is None:
            full_statusline = stream.readline()
            while full_statusline in (b"\r\n", b"\n") and skipped < _HEAD_LIMIT:
                following = stream.readline()
                if not following:  # nothing but blank lines: what it always was
                    break
                skipped += len(full_statusline)
                full_statusline = following
        parsed = super().parse(stream, full_statusline)
        parsed.total_len += skipped
        return parsed


class _RecordLoader(ArcWarcRecordLoader):  # type: ignore[misc]  # warcio has no type hints
    """warcio's loader, reading the HTTP headers of a record whose URI spells its scheme in capitals ("HTTPS://…":
    a scheme is case-insensitive, RFC 3986 §3.1); warcio's test is case-sensitive and left such a response a
    record without HTTP, skipped."""

    def load_http_headers(self, rec_type: str, uri: str | None, stream: Any, length: int | None) -> Any:
        if uri and uri[:6].lower().startswith(self.HTTP_SCHEMES):
            uri = uri[:6].lower() + uri[6:]
        return super().load_http_headers(rec_type, uri, stream, length)

    def _ensure_target_uri_format(self, rec_headers: Any) -> str | None:
        """warcio's repair (spaces percent-encoded, Wget 1.19's <…> removed) without its warning at every read: an
        index build, a replay and a verify each read a record again, and the one record with a space in its URI
        gave a warning for each. It is logged once per URI (_spaces_replaced)."""
        uri: str | None = rec_headers.get_header("WARC-Target-URI")
        if uri is not None and " " in uri:
            _spaces_replaced(uri)
            rec_headers.replace_header("WARC-Target-URI", uri.replace(" ", "%20"))
        return super()._ensure_target_uri_format(rec_headers)  # type: ignore[no-any-return]


@lru_cache(maxsize=4096)
def _spaces_replaced(uri: str) -> None:
    """(Cached: a record read again logs nothing; an archive of more such URIs than the cache holds may repeat some.)"""
    logger.warning("Replacing spaces in invalid WARC-Target-URI: %s", uri)


# verify_http=False: a server's odd status line ("h2 200", "HTTP/1.1 200") is data, not damage.
_LOADER = _RecordLoader(verify_http=False, arc2warc=False)
_LOADER.http_parser = _Latin1HeaderParser(ArcWarcRecordLoader.HTTP_TYPES, verify=False)
_LOADER.http_req_parser = _Latin1HeaderParser(ArcWarcRecordLoader.HTTP_VERBS, verify=False)
_PARSE_ERRORS = (ArchiveLoadFailed, StatusAndHeadersParserException, EOFError, ValueError, UnicodeError)


@dataclass(frozen=True)
class ArchiveProblem:
    """One damaged spot in an archive; reading always continues after it.

    ``kind`` is one of: ``truncated`` (file ends inside a record), ``gzip`` (corrupt gzip member, or one holding
    several records), ``length`` (Content-Length disagrees with the data), ``record`` (unparseable WARC or HTTP
    header, the blank lines ending a record damaged, or not a response where one was expected), ``digest`` (block
    or payload digest mismatch; the record is still returned, flagged), ``io`` (file unreadable), ``unsafe-path``
    (saved-HTML path refused), ``copy`` (the inflated copy a file needs could not be written:
    wholegzip.COPY_REFUSED).
    """

    file: str
    offset: int
    kind: str
    message: str
    uri: str = ""
    """The WARC-Target-URI of the record a ``truncated`` problem lost, when its header was read before the end of
    the file ("" otherwise): the capture lost, which a line telling the cut names (findings.Findings.told_with)."""

    def __str__(self) -> str:
        return f"{self.file} @ {self.offset}: {self.kind}: {self.message}"

    @property
    def several_records(self) -> bool:
        """A compressed member holding more than one record: the file is readable whole from an inflated copy."""
        return self.kind in (GZIP.name, ZSTD.name) and SEVERAL_RECORDS in self.message

    def found_in_copy_of(self, file: Path) -> ArchiveProblem:
        """This problem, met in the inflated copy of `file` (wholegzip.plain_copy), named by the file the user gave:
        the copy is a cache file of ours they never saw. The offset stays the copy's, where verify and reparse look."""
        return replace(self, file=str(file), message=f"{self.message} (offset into the file's inflated stream)")


SEVERAL_RECORDS = "member holds more than one record"


class ArchiveReadError(Exception):
    """``read_at`` found no usable record at the given offset; ``problem`` says why and where."""

    def __init__(self, problem: ArchiveProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True)
class RawRecord:
    """One WARC record read in full: headers parsed by warcio, payload bytes exactly as stored (maybe chunked)."""

    offset: int
    rec_type: str
    warc_headers: Any  # warcio StatusAndHeaders (untyped library)
    http_headers: Any  # warcio StatusAndHeaders, or None for records without HTTP headers
    payload: bytes
    digest_ok: bool
    payload_kept: bool = True
    """False when a large payload was streamed past unread (``scan_records(keep_payloads=False)``): ``payload`` is
    then empty; its digests were still checked."""
    payload_digest_unmatched: bool = False
    """Its WARC-Payload-Digest matches no form of its payload, but its WARC-Block-Digest proves the whole block, the
    payload within it, as written: the writer digested other bytes, which is not damage (``_digest_mismatch``)."""
    cut_short: bool = False
    """The file ends inside this record (a copy or a download that stopped, a writer killed mid-record): its payload
    is what the file holds of it, read as far as it goes (``_read_so_far``); a ``truncated`` problem says so too."""

    def header(self, name: str) -> str | None:
        """The first value of a WARC header, case-insensitively (warcio's get_header, looked up in a dict)."""
        return self._first_values.get(name.lower())

    def header_values(self, name: str) -> list[str]:
        """All values of a WARC header that may repeat (WARC-Concurrent-To)."""
        wanted = name.lower()
        return [v for n, v in self.warc_headers.headers if n.lower() == wanted]

    @cached_property
    def _first_values(self) -> dict[str, str]:
        """Lower-cased header name → its first value. Indexing and replay ask a record for a dozen headers, and
        warcio's get_header lower-cases every header name for each question (a million lower() per 3,000 pages)."""
        found: dict[str, str] = {}
        for name, value in self.warc_headers.headers:
            found.setdefault(name.lower(), value)
        return found


class RecordTooLarge(Exception):
    """The payload at an offset is larger than the reader was allowed to load (a replay's DOWNLOAD_MAXSIZE)."""

    def __init__(self, file: str, offset: int, size: int, limit: int) -> None:
        super().__init__(f"{file} at offset {offset}: payload of {size} bytes, larger than the limit of {limit}")
        self.file, self.offset, self.size, self.limit = file, offset, size, limit


@dataclass
class _Outcome:
    record: RawRecord | None = None
    problem: ArchiveProblem | None = None
    next_offset: int | None = None  # None: framing lost here, the caller must resynchronise
    too_large: int | None = None  # the payload's size, when it exceeds the caller's limit (nothing else is read)


@dataclass(frozen=True)
class Framing:
    """How a compressed WARC frames its records: one gzip member each, or one zstd frame each (warc-zstd)."""

    name: str
    """"gzip" or "zstd": also the kind of the problem a damaged member is reported as."""
    magic: bytes
    """How a member starts (the resynchroniser looks for it)."""
    first_record: int = 0
    """Where the first record starts: after warc-zstd's dictionary frame."""
    dictionary: Any = None
    """warc-zstd's dictionary (a ZstdDict), None without one."""

    def decompressor(self) -> Any:
        if self.name == "zstd":
            return codings.zstd.ZstdDecompressor(zstd_dict=self.dictionary)
        return zlib.decompressobj(16 + zlib.MAX_WBITS)


GZIP = Framing("gzip", _GZIP_MAGIC)
ZSTD = Framing("zstd", _ZSTD_MAGIC)
"""zstd frames without a dictionary (a warc-zstd file without one, or a file compressed whole by `zstd`)."""


class MemberReader(io.RawIOBase):
    """Decompresses exactly one member (gzip member or zstd frame) starting at ``start``, so damage cannot bleed into
    the next one.

    zlib and zstd errors propagate (the caller reports them); running out of file sets ``truncated``; ``end`` is the
    offset just past the member once it has been read to its end.
    """

    def __init__(self, fh: BinaryIO, start: int, framing: Framing) -> None:
        super().__init__()
        fh.seek(start)
        self._fh = fh
        self._inflater = framing.decompressor()
        self._zlib = framing.name == "gzip"
        self._pending = b""
        self.truncated = False
        self.end: int | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            if self._inflater.eof:
                return 0
            if self._zlib:
                data = self._inflater.unconsumed_tail or self._fh.read(_BLOCK)
            else:  # zstd keeps unread input itself and asks for more with needs_input
                data = self._fh.read(_BLOCK) if self._inflater.needs_input else b""
            if not data and (self._zlib or self._inflater.needs_input):
                self.truncated = True
                return 0
            self._pending = self._inflater.decompress(data, _BLOCK)  # bounded output: no bomb in memory
            if self._inflater.eof:
                # the decompressor keeps the bytes after the member in unused_data (zlib, with max_length, also
                # repeats them in unconsumed_tail), so only unused_data counts here
                self.end = self._fh.tell() - len(self._inflater.unused_data)
        view = memoryview(buffer).cast("B")
        size = min(len(view), len(self._pending))
        view[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def member_framing(fh: BinaryIO, path: Path) -> Framing | None:
    """The file's record framing; None for an uncompressed WARC. Gzip if the file starts with the gzip magic, or is
    named so (a damaged first member must not flip the mode) unless it plainly starts with a WARC record (a file
    un-gzipped and not renamed) whose header is whole; zstd likewise, its dictionary read from its first frame. A
    WARC behind a few stray bytes that happen to open with another format's magic is read as what it is
    (misjudged), and a compressed one behind a stray version line compressed (_compressed_behind_version_line).

    Raises codings.zstd.ZstdError (or ValueError) for a dictionary frame that cannot be read."""
    fh.seek(0)
    head = fh.read(64)
    try:
        if head.startswith((_ZSTD_MAGIC, ZSTD_DICTIONARY_FRAME)) or (".zst" in path.suffixes
                                                                       and not _is_warc_start(head)):
            framing = _zstd_framing(fh, head)
        elif head[:2] == _GZIP_MAGIC[:2] or (".gz" in path.suffixes and not _is_warc_start(head)):
            framing = GZIP
        else:
            named = ZSTD if ".zst" in path.suffixes else GZIP if ".gz" in path.suffixes else None
            return named if named is not None and _compressed_behind_version_line(fh, named) else None
    except (ValueError, *CORRUPT):
        found, other = _other_framing(fh, None)
        if found:
            return other  # no dictionary frame after all: stray bytes in front of another WARC
        raise
    if _yields_records(fh, framing, framing.first_record):
        return framing
    found, other = _other_framing(fh, framing)
    return other if found else framing


def misjudged(fh: BinaryIO, framing: Framing, start: int) -> bool:
    """Whether a file that starts like `framing` (its magic, or its name) is another WARC with stray bytes in front:
    no `framing` member from `start` (the first record's) on inflates to a record header, and the file's bytes hold
    a plain record header, or members of the other compression that inflate to one. Judged by the magic alone, a
    plain WARC whose first bytes were damaged into "1f 8b" (gzip) or "28 b5 2f fd" (zstd) was read member by member
    and gave nothing at all. A compressed file whose first member is damaged stays compressed: a later member
    inflates. Costs a look at the first member's first KiB when it is whole."""
    return not _yields_records(fh, framing, start) and _other_framing(fh, framing)[0]


def _yields_records(fh: BinaryIO, framing: Framing, start: int) -> bool:
    """Whether a `framing` member at or after `start` inflates to a record header."""
    if _starts_inflating_to_record(fh, start, framing) or _header_parses(fh, start, framing):
        return True
    return _resync(fh, start + 1, framing, "") is not None


def _other_framing(fh: BinaryIO, tried: Framing | None) -> tuple[bool, Framing | None]:
    """(True, the framing) of the first of plain, gzip and zstd (without a dictionary) other than `tried` whose
    records are found somewhere in the file; (False, None) when none is."""
    if _resync(fh, 0, None, "") is not None:
        return True, None
    for other in (GZIP, ZSTD):
        if (tried is None or other.name != tried.name) and _resync(fh, 0, other, "") is not None:
            return True, other
    return False, None


def _compressed_behind_version_line(fh: BinaryIO, framing: Framing) -> bool:
    """Whether a file named as compressed by `framing` that starts with a WARC version line is a compressed WARC with
    that line in front (a copy gone wrong) rather than a WARC un-gzipped and not renamed: the line starts no whole
    record header, and a member further on inflates to one. Read plain, such a file gave nothing."""
    return not _whole_header_at(fh, _first_offset(fh, None)) and _resync(fh, 1, framing, "") is not None


def _starts_inflating_to_record(fh: BinaryIO, start: int, framing: Framing) -> bool:
    """Whether the member at `start` begins with a WARC version line, from its first KiB: the common case, told
    without the 64 KiB read and inflation a full header parse costs (``read_at`` opens the file for every record)."""
    fh.seek(start)
    try:
        head = framing.decompressor().decompress(fh.read(1024), 64)
    except CORRUPT:
        return False
    return _is_warc_start(head)


def _zstd_framing(fh: BinaryIO, head: bytes) -> Framing:
    """warc-zstd: an optional skippable frame (magic 0x184D2A5D, little-endian size) holding the dictionary, raw or
    itself zstd-compressed; every record after it is a frame of its own."""
    if not head.startswith(ZSTD_DICTIONARY_FRAME):
        return ZSTD
    size = int.from_bytes(head[4:8], "little")
    if size > _MAX_DICTIONARY:
        raise ValueError(f"zstd dictionary frame of {size} bytes")
    fh.seek(8)
    content = fh.read(size)
    if len(content) < size:
        raise ValueError("file ends inside its zstd dictionary frame")
    if content.startswith(_ZSTD_MAGIC):
        content = codings.zstd.ZstdDecompressor().decompress(content, _MAX_DICTIONARY)
    return Framing("zstd", _ZSTD_MAGIC, 8 + size, codings.zstd.ZstdDict(content, is_raw=not content.startswith(
        _RAW_DICTIONARY)))


_BOM = b"\xef\xbb\xbf"
"""A UTF-8 byte order mark, which a text editor that saved a plain WARC may have put in front of its first record."""


_VERSION_LINE = re.compile(rb"WARC/\d+\.\d+\r?\n")
"""A record's first line, whole: a file named .gz that holds a plain WARC starts with one; a gzip file with a few
stray bytes in front (a copy gone wrong, "WARC/" among them) does not."""


def _is_warc_start(head: bytes) -> bool:
    return _VERSION_LINE.match(head.removeprefix(_BOM).lstrip(b"\r\n")) is not None


def holds_warc_records(path: Path) -> bool:
    """Whether a file, whatever its name, starts with a WARC record: its first bytes, decompressed when they are
    gzip or zstd, are a WARC version line."""
    try:
        with path.open("rb") as fh:
            framing = member_framing(fh, path)
            if framing is None:
                fh.seek(0)
                head = fh.read(1024)
            else:
                head = MemberReader(fh, framing.first_record, framing).read(64)
    except (OSError, ValueError, *CORRUPT):
        return False
    return _is_warc_start(head)


def scan_records(path: Path, keep_payloads: bool = True, start: int | None = None,
                 end: int | None = None) -> Iterator[RawRecord | ArchiveProblem | ChainEnd]:
    """Every record of one WARC file in order, with a problem for each damaged span instead of stopping.

    ``keep_payloads=False``: payloads of blocks over STREAM_ABOVE are checked but not kept (warcinfo always is).
    ``start``/``end``: only the records that start in [start, end), ``start`` being a record's start (see
    ``record_starts``); with an ``end``, the last item is a ChainEnd saying where the file's records go on. The
    records of consecutive spans are those of the whole file, problems included, when each span starts where the
    one before it says the records go on."""
    with path.open("rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        try:
            framing = member_framing(fh, path)
        except (ValueError, *CORRUPT) as exc:
            yield ArchiveProblem(str(path), 0, "zstd", f"unreadable zstd dictionary: {exc}; nothing read")
            return
        offset: int | None = _first_offset(fh, framing) if start is None else start
        stop = size if end is None else min(end, size)
        while offset is not None and offset < stop:
            out = _scan_one(fh, offset, framing, str(path), keep_payload=keep_payloads)
            if out.problem is not None and out.next_offset is None:
                resume = _resync(fh, offset + 1, framing, str(path))
                where = f"resumed at offset {resume}" if resume is not None else "no intact record after it"
                yield replace(out.problem, message=f"{out.problem.message}; {where}")
                if out.record is not None:  # a record the file's end cut, read as far as it goes
                    yield out.record
                offset = resume
                continue
            if out.problem is not None:
                yield out.problem
            if out.record is not None:
                yield out.record
            offset = out.next_offset
        if end is not None:
            yield ChainEnd(offset)


@dataclass(frozen=True)
class ChainEnd:
    """Where a span's records go on: the offset of the first record after its last one (at or past the span's
    end), or None when no intact record follows. A span read from a cut that was no record start of the file (a
    "WARC/1.0" line inside a plain WARC's payload) starts elsewhere than the span before it says."""

    offset: int | None


def read_record_at(path: Path, offset: int, opened: OpenWarc | None = None,
                   max_payload: int | None = None, name: str | None = None) -> tuple[RawRecord, int | None]:
    """The record at ``offset`` and the offset of the one after it (None at the end or after damage).

    ``opened``: the file already open (OpenWarc), for callers that read many records of one file.
    ``max_payload``: raise RecordTooLarge instead of loading a larger payload (only its HTTP header is read).
    ``name``: the file problems name, when `path` is the inflated copy of another (open_warc).
    """
    if opened is None:
        with path.open("rb") as fh:
            return _record_at(open_warc(fh, path, name), offset, max_payload)
    return _record_at(opened, offset, max_payload)


def record_starts(path: Path, near: list[int]) -> list[int]:
    """For each offset in `near`, the start of the first record at or after it, where the file can be split into
    spans that ``scan_records`` reads independently; an offset with no record after it is left out.

    In a WARC whose records are each their own gzip member or zstd frame, a member that inflates to a record header
    is a record start. In a plain WARC, a line that parses as a record header may also be a line of a payload (a
    page about WARC): such a start is a guess, which the span before it confirms (its ChainEnd) or refutes."""
    found: list[int] = []
    with path.open("rb") as fh:
        try:
            framing = member_framing(fh, path)
        except (ValueError, *CORRUPT):
            return []
        first = _first_offset(fh, framing)
        for offset in near:
            start = _resync(fh, max(offset, first), framing, str(path))
            if start is not None:
                found.append(start)
    return found


def read_first_record(path: Path) -> RawRecord:
    """The file's first record: after warc-zstd's dictionary frame, or the blank lines before a plain WARC's first
    record (not simply the one at offset 0). Raises ArchiveReadError when it is not readable."""
    with path.open("rb") as fh:
        opened = open_warc(fh, path)
        return _record_at(opened, _first_offset(fh, opened.framing))[0]


def _first_offset(fh: BinaryIO, framing: Framing | None) -> int:
    if framing is not None:
        return framing.first_record
    fh.seek(0)
    return _skip_blank_lines(fh, len(_BOM) if fh.read(len(_BOM)) == _BOM else 0)


@dataclass(frozen=True)
class OpenWarc:
    """An open WARC file, its framing (gzip members or plain) and its name for problems: what reading a record at
    an offset needs, found once per file instead of once per record."""

    fh: BinaryIO
    framing: Framing | None
    """How its records are compressed: None for a plain WARC."""
    name: str


def _record_at(opened: OpenWarc, offset: int, max_payload: int | None = None) -> tuple[RawRecord, int | None]:
    out = _scan_one(opened.fh, offset, opened.framing, opened.name, max_payload=max_payload)
    if out.too_large is not None and max_payload is not None:
        raise RecordTooLarge(opened.name, offset, out.too_large, max_payload)
    if out.record is None:
        raise ArchiveReadError(out.problem or ArchiveProblem(opened.name, offset, "record", "no record at this offset"))
    size = os.fstat(opened.fh.fileno()).st_size
    following = out.next_offset if out.next_offset is not None and out.next_offset < size else None
    return out.record, following


def parse_warc_fields(payload: bytes) -> dict[str, str]:
    """``application/warc-fields`` (warcinfo body) as a dict; a repeated field's values are joined with ", "."""
    fields: dict[str, str] = {}
    for line in payload.decode("utf-8", "replace").splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip():
            key, value = name.strip(), value.strip()
            fields[key] = f"{fields[key]}, {value}" if key in fields else value
    return fields


def dechunk(payload: bytes) -> bytes:
    """Removes HTTP chunked framing with warcio's reader, which falls back to the bytes as-is if not chunked."""
    return bytes(ChunkedDataReader(io.BytesIO(payload)).read())


def open_warc(fh: BinaryIO, path: Path, name: str | None = None) -> OpenWarc:
    """`fh` (the file at `path`, open) ready for reading records at offsets. Raises ArchiveReadError for a
    warc-zstd file whose dictionary cannot be read. `name`: the file its problems name, when `path` is the
    inflated copy of a compressed file (the user's file, not our cache file)."""
    try:
        return OpenWarc(fh, member_framing(fh, path), name or str(path))
    except (ValueError, *CORRUPT) as exc:
        raise ArchiveReadError(ArchiveProblem(str(path), 0, "zstd", f"unreadable zstd dictionary: {exc}")) from None


def _open_stream(fh: BinaryIO, offset: int, framing: Framing | None) -> tuple[BinaryIO, MemberReader | None]:
    if framing is not None:
        member = MemberReader(fh, offset, framing)
        return io.BufferedReader(member, buffer_size=_BLOCK), member
    fh.seek(offset)
    return fh, None


def _scan_one(fh: BinaryIO, offset: int, framing: Framing | None, file: str, keep_payload: bool = True,
              max_payload: int | None = None) -> _Outcome:
    """Reads one record at ``offset``; never raises for damaged data. ``keep_payload``/``max_payload``: see
    ``scan_records`` and ``read_record_at``."""

    def problem(kind: str, message: str, next_offset: int | None = None, uri: str = "") -> _Outcome:
        return _Outcome(problem=ArchiveProblem(file, offset, kind, message, uri), next_offset=next_offset)

    gz = framing is not None  # records in members of their own (gzip or zstd)
    kind = framing.name if framing is not None else "gzip"
    stream, member = _open_stream(fh, offset, framing)
    try:
        record = _LOADER.parse_record_stream(stream, known_format="warc", no_record_parse=True)
    except CORRUPT as exc:
        return problem(kind, f"corrupt {kind} member: {exc}")
    except EOFError:
        if member is not None and member.end is not None:
            return _Outcome(next_offset=member.end)  # an empty member holds nothing: not damage
        return problem("truncated", "file ends where a record should start")
    except _PARSE_ERRORS as exc:
        return problem("record", f"no WARC record header here: {str(exc).strip()[:120]!r}")
    repeated = _repeated_field(record.rec_headers.headers)
    if repeated is not None:  # in a plain file, the next record starts inside what was read as this header
        return problem("record", f"the WARC header names {repeated} twice: this record is cut short inside its "
                                 "header, which runs on into the next record's",
                       None if gz else _record_inside_header(fh, offset, record.rec_headers.total_len))
    try:
        length = int(record.rec_headers.get_header("Content-Length") or "")
    except ValueError:
        if (member is not None and member.truncated) or (member is None and not fh.read(1)):
            return problem("truncated", "file ends inside the WARC header")
        return problem("length", "WARC record without a valid Content-Length")
    rec_type = record.rec_headers.get_header("WARC-Type") or ""
    streamed: _StreamedDigests | None = None
    try:
        if (max_payload is not None and length > max_payload) or (
                not keep_payload and length > STREAM_ABOVE and rec_type != "warcinfo"):
            head = _read_head(record.raw_stream, length)
            parsed = _head_raw(record, head)
            payload_size = length - (len(head) - len(parsed.payload)) if parsed is not None else length
            if max_payload is not None and payload_size > max_payload:
                return _Outcome(too_large=payload_size)
            if keep_payload:
                block = head + record.raw_stream.read(length - len(head))
            else:
                streamed = _StreamedDigests(record, head, parsed)
                block = head
                streamed.read_rest(record.raw_stream, length - len(head))
        else:
            block = record.raw_stream.read(length)
        got = streamed.size if streamed is not None else len(block)
        block_start = fh.tell() - got if not gz and streamed is None else None
        tail = stream.read(_TAIL_PEEK) if gz else b""
        overrun = b""  # a member's bytes after a block its Content-Length cut short, to read the record whole
        if gz and streamed is None and tail.strip(b"\r\n") and not tail.lstrip(b"\r\n").startswith(b"WARC/"):
            overrun = tail + stream.read(MAX_OVERRUN)
        while gz and stream.read(_BLOCK):  # drain the member to learn where it ends
            pass
    except CORRUPT as exc:
        return problem(kind, f"corrupt {kind} member inside the record: {exc}")
    member_end = member.end if member is not None else None
    target = record.rec_headers.get_header("WARC-Target-URI") or ""  # the capture the end of the file cuts
    if (member is not None and member.truncated) or (not gz and got < length):
        why = (f"{kind} member incomplete, {got} of {length} block bytes readable" if gz
               else f"{got} of {length} bytes")
        cut = problem("truncated", f"file ends inside this record ({why})", uri=target)
        if not gz and _resync(fh, offset + 1, None, "") is not None:
            return cut  # records follow it: its Content-Length is damaged, not its end cut; the block holds them
        return _read_so_far(cut, record, offset, block, streamed, got >= length)
    mended = ""  # why the block read is not the one Content-Length names (a writer's miscount), or its end damaged
    mended_kind = "length"
    if got < length:
        if streamed is not None:
            return problem("length", f"Content-Length {length} but the {kind} member holds {got} bytes", member_end)
        block, mended = _without_record_end(block), (f"Content-Length {length} but the {kind} member holds {got} "
                                                     "bytes; the member read as the record")
    if gz:
        if tail.strip(b"\r\n"):
            if tail.lstrip(b"\r\n").startswith(b"WARC/"):
                return problem(kind, f"{kind} {SEVERAL_RECORDS}, so offsets are not seekable; "
                                     "fix the file with `warcio recompress`", member_end)
            if not overrun or len(overrun) > MAX_OVERRUN:
                return problem("length", f"Content-Length {length} is shorter than the record", member_end)
            block = block + _without_record_end(overrun)
            mended = f"Content-Length {length} is shorter than the record; the member read to its end as the record"
        next_offset = member_end
    else:
        block_end = fh.tell()
        next_offset = _after_record(fh)
        if next_offset is None:
            found = _block_to_next_record(fh, offset, block_start, length, record)
            if found is not None:
                block, next_offset = found
                mended = (f"Content-Length {length} does not end where the next record starts; the bytes up to it "
                          "match the block digest and are read as the record")
            else:
                # The block its digest proves whole, then the blank lines that end a record, then no record (zeros a
                # crashed writer left, junk, a torn tail): the record is kept, what follows is a problem of its own.
                # Without the digest's proof, a block of the right length could be a record quoted in a payload.
                declared = record.rec_headers.get_header("WARC-Block-Digest")
                proven = streamed is None and bool(declared) and _digest_matches(declared, [block]) is True
                next_offset = _record_end(fh, block_end) if proven else None
                if next_offset is None:
                    next_offset = _record_after_damaged_end(fh, block_end)
                    if next_offset is None:
                        return problem("length", f"Content-Length {length} does not end where the next record "
                                                 "starts")
                    mended_kind = "record"
                    mended = (f"the blank lines that end the record are damaged (bytes {block_end}-{next_offset}); "
                              "the next record starts where Content-Length says")
    try:
        raw = _to_raw(record, offset, block)
    except _PARSE_ERRORS as exc:
        return problem("record", f"unparseable HTTP header block: {exc}", next_offset)
    if streamed is not None:
        raw = replace(raw, payload=b"", payload_kept=False)
        mismatch, unmatched = _digest_mismatch(raw, streamed.block_matches, streamed.payload_matches)
    else:
        mismatch, unmatched = _digest_mismatch(raw, lambda declared: _digest_matches(declared, [block]),
                                               lambda declared: _digest_matches(declared, _payload_variants(raw)))
    if unmatched:
        raw = replace(raw, payload_digest_unmatched=True)
    if mended:  # the record is kept, and the miscount reported with what its digests say of the bytes read
        verdict = f"; {mismatch}: flagged" if mismatch else ""
        return _Outcome(record=replace(raw, digest_ok=not mismatch), next_offset=next_offset,
                        problem=ArchiveProblem(file, offset, mended_kind, mended + verdict))
    if mismatch:
        return _Outcome(record=replace(raw, digest_ok=False), problem=ArchiveProblem(file, offset, "digest", mismatch),
                        next_offset=next_offset)
    return _Outcome(record=raw, next_offset=next_offset)


def _read_so_far(cut: _Outcome, record: Any, offset: int, block: bytes, streamed: _StreamedDigests | None,
                 whole: bool) -> _Outcome:
    """The outcome of a record the end of its file cut (`cut`: its ``truncated`` problem, which stays: the user is
    told), with the record read as far as the file holds it, flagged ``cut_short``, as a cut gzip file or stream is
    read as far as it goes: an article whose last paragraphs are lost is still an article, emitted and flagged
    body_truncated, where dropping it lost all of it. Only the payload may be cut: a record cut inside its HTTP
    header, or before any of a headerless document, gives nothing to replay, so only its problem. `whole`: the
    block is all there (the cut fell in the record's end or the member's trailer), its digests then checked as
    usual; otherwise the digests cannot be, the block being known incomplete. `streamed`: the block was read in
    pieces (only its head is in `block`); the record then keeps no payload, as any streamed one."""
    try:
        raw = _to_raw(record, offset, block)
    except _PARSE_ERRORS:
        return cut
    if raw.http_headers is not None:
        header = block[:len(block) - len(raw.payload)]
        if not header.endswith((b"\n\r\n", b"\n\n")):
            return cut  # the cut fell in the HTTP header: the header read is not the response's
    elif not raw.payload:
        return cut
    if streamed is not None:
        raw = replace(raw, payload=b"", payload_kept=False)
    if whole:
        checks = ((streamed.block_matches, streamed.payload_matches) if streamed is not None else
                  (lambda declared: _digest_matches(declared, [block]),
                   lambda declared: _digest_matches(declared, _payload_variants(raw))))
        mismatch, unmatched = _digest_mismatch(raw, *checks)
        raw = replace(raw, digest_ok=not mismatch, payload_digest_unmatched=unmatched)
    else:
        raw = replace(raw, cut_short=True)
    assert cut.problem is not None
    return replace(cut, record=raw, problem=replace(cut.problem, message=f"{cut.problem.message}; the record is "
                                                                         "read as far as it goes"))


_ONCE_PER_RECORD = frozenset({"warc-type", "warc-record-id"})
"""WARC header fields a record holds exactly once (WARC/1.1 §5), and every record has: named twice, the header is a
torn record's followed by the next record's, whose version line warcio's parser passes over (it has no colon)."""


def _repeated_field(headers: list[tuple[str, str]]) -> str | None:
    """The first field of _ONCE_PER_RECORD that `headers` name twice, or None."""
    seen: set[str] = set()
    for name, _ in headers:
        key = name.lower()
        if key in _ONCE_PER_RECORD:
            if key in seen:
                return name
            seen.add(key)
    return None


def _record_inside_header(fh: BinaryIO, offset: int, length: int) -> int | None:
    """Where, in a plain WARC, the record that a torn header at `offset` runs into starts: its version line may
    follow the tear mid-line, where a resynchronisation (which looks for the line at a line start) misses it."""
    fh.seek(offset)
    head = fh.read(length)
    position = head.find(b"WARC/1.", 1)
    while position > 0:
        if _header_parses(fh, offset + position, None):
            return offset + position
        position = head.find(b"WARC/1.", position + 1)
    return None


MAX_OVERRUN = 1024 * 1024
"""Bytes of a record past the end its Content-Length names that are read as part of it (a writer that counted the
characters of a page instead of its bytes falls short by one per non-ASCII character); more is not a miscount."""


_RECORD_ENDS = (b"\r\n\r\n", b"\n\n")
"""The blank lines that end a WARC record: CRLF CRLF, or a writer's LF LF."""


def _without_record_end(data: bytes) -> bytes:
    """`data` without the blank lines that end a WARC record (_RECORD_ENDS)."""
    for end in _RECORD_ENDS:
        if data.endswith(end):
            return data[:-len(end)]
    return data


def _block_to_next_record(fh: BinaryIO, offset: int, block_start: int | None, length: int,
                          record: Any) -> tuple[bytes, int] | None:
    """In a plain WARC, a record whose Content-Length does not end where the next record starts: the bytes from its
    block's start to the next record header (without the record's end), and that header's offset, when they match
    the record's WARC-Block-Digest. A plain file has no member to bound the record, and a payload may hold a line
    that passes for a record start: only the digest makes those bytes the record's block. `length`: its
    Content-Length."""
    declared = record.rec_headers.get_header("WARC-Block-Digest")
    if block_start is None or not declared:
        return None
    following = _resync(fh, offset + 1, None, "")
    end = following if following is not None else os.fstat(fh.fileno()).st_size
    if end <= block_start or end - block_start > MAX_OVERRUN + length:
        return None
    fh.seek(block_start)
    block = _without_record_end(fh.read(end - block_start))
    if not _digest_matches(declared, [block]):
        return None
    return block, end


def _to_raw(record: Any, offset: int, block: bytes) -> RawRecord:
    rec_type = record.rec_headers.get_header("WARC-Type") or ""
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    if rec_type == "response" and bare_document(record.rec_headers.get_header("Content-Type"), block):
        return RawRecord(offset, rec_type, record.rec_headers, None, block, True)
    body = io.BytesIO(block)
    http_headers = _LOADER.load_http_headers(rec_type, uri, body, len(block))
    return RawRecord(offset, rec_type, record.rec_headers, http_headers, block[body.tell():], True)


_HTTP_MESSAGE_TYPES = ("application/http", "message/http")


def bare_document(content_type: str | None, block: bytes) -> bool:
    """Whether a response record whose own Content-Type is `content_type` holds a document (text/html, …) and no
    HTTP message in `block`: a writer that stored the page without its HTTP envelope, as a resource record would.
    Read as one, its page was an "unusable status line" and lost. An empty block holds nothing of either."""
    if not block or not content_type or content_type.strip().lower().startswith(_HTTP_MESSAGE_TYPES):
        return False
    return not block.lstrip(b"\r\n").startswith(b"HTTP/")


def _read_head(stream: BinaryIO, length: int) -> bytes:
    """The start of a block, up to the blank line ending an HTTP header (at most _HEAD_LIMIT bytes)."""
    head = b""
    while len(head) < min(length, _HEAD_LIMIT):
        piece = stream.read(min(_BLOCK, length - len(head)))
        if not piece:
            break
        head += piece
        if b"\r\n\r\n" in head or b"\n\n" in head:
            break
    return head


def _head_raw(record: Any, head: bytes) -> RawRecord | None:
    """The record as far as ``head`` holds it (its payload: the part of the payload in ``head``); None when its
    HTTP header does not parse (the record is then reported as unparseable once it has been read)."""
    try:
        return _to_raw(record, 0, head)
    except _PARSE_ERRORS:
        return None


class _StreamedDigests:
    """The block and payload digests a record declares, computed over its bytes as they are read in pieces."""

    def __init__(self, record: Any, head: bytes, parsed: RawRecord | None) -> None:
        headers = record.rec_headers
        self.size = 0
        self._block = _hasher(headers.get_header("WARC-Block-Digest"))
        declared = headers.get_header("WARC-Payload-Digest")
        self._payload = _hasher(declared) if parsed is not None else None
        self._dechunked: _Dechunker | None = None
        if self._payload is not None and parsed is not None and _is_chunked(parsed):
            self._dechunked = _Dechunker(_hasher(declared))
        self._payload_start = len(head) - len(parsed.payload) if parsed is not None else len(head)
        self._feed(head)

    def read_rest(self, stream: BinaryIO, size: int) -> None:
        while size > 0:
            piece = stream.read(min(_BLOCK, size))
            if not piece:
                return
            size -= len(piece)
            self._feed(piece)

    def _feed(self, data: bytes) -> None:
        skip = max(0, self._payload_start - self.size)
        self.size += len(data)
        if self._block is not None:
            self._block.update(data)
        if skip < len(data):
            payload = data[skip:] if skip else data
            if self._payload is not None:
                self._payload.update(payload)
            if self._dechunked is not None:
                self._dechunked.feed(payload)

    def block_matches(self, declared: str) -> bool | None:
        return _digest_equals(declared, self._block.digest()) if self._block is not None else None

    def payload_matches(self, declared: str) -> bool | None:
        if self._payload is None:
            return None
        if _digest_equals(declared, self._payload.digest()):
            return True
        dechunked = self._dechunked.digest() if self._dechunked is not None else None
        return dechunked is not None and _digest_equals(declared, dechunked)


class _Dechunker:
    """HTTP chunked framing undone on bytes fed in pieces, into a hash: the de-chunked digest variant of a payload
    too large to hold (``dechunk`` does the same on whole bytes). Framing that turns out not to be chunked leaves
    no variant, as warcio's reader then falls back to the stored bytes, which are hashed anyway."""

    def __init__(self, sink: Any) -> None:
        self._sink = sink
        self._line = b""
        self._left = 0  # data bytes left in the current chunk
        self._state = "size"  # "size" line, chunk "data", the line ending after the data, or "done"
        self.failed = False

    def feed(self, data: bytes) -> None:
        at = 0
        while at < len(data) and self._state != "done" and not self.failed:
            if self._state == "data":
                piece = data[at:at + self._left]
                self._sink.update(piece)
                self._left -= len(piece)
                at += len(piece)
                if not self._left:
                    self._state = "end"
                continue
            newline = data.find(b"\n", at)
            if newline < 0:
                self._line += data[at:]
                self.failed = self.failed or len(self._line) > 1024
                return
            line, self._line, at = self._line + data[at:newline], b"", newline + 1
            if self._state == "end":  # the CRLF closing a chunk's data
                self.failed = bool(line.strip())
                self._state = "size"
                continue
            try:
                self._left = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                self.failed = True
                return
            self._state = "data" if self._left else "done"

    def digest(self) -> bytes | None:
        return None if self.failed else bytes(self._sink.digest())


def _after_record(fh: BinaryIO) -> int | None:
    """In an uncompressed file: skip the blank lines after a block; None if something else follows."""
    position = fh.tell()
    while True:
        line = fh.readline()
        if not line or line.startswith(b"WARC/"):
            return position
        if line.strip(b"\r\n"):
            return None
        position += len(line)


def _record_end(fh: BinaryIO, block_end: int) -> int | None:
    """In an uncompressed file: the offset after the blank lines that end a record whose block ends at `block_end`
    (_RECORD_ENDS), or None when the block is not followed by them."""
    fh.seek(block_end)
    following = fh.read(4)
    for end in _RECORD_ENDS:
        if following.startswith(end):
            return block_end + len(end)
    return None


def _record_after_damaged_end(fh: BinaryIO, block_end: int) -> int | None:
    """In an uncompressed file: where the next record starts when the blank lines between a block and it are
    damaged. WARC/1.1 §4 frames a record as header, CRLF, block of Content-Length bytes, CRLF CRLF: the next record's
    version line is due right after those four bytes (two, for a writer's LF LF), whatever they hold. Without this a
    flipped byte in them put the next version line mid-line, where a resynchronisation (which looks for it at a line
    start) passed it by, and the intact record after the damage was lost with the damaged one."""
    for end in _RECORD_ENDS:
        candidate = block_end + len(end)
        fh.seek(candidate)
        if _VERSION_LINE.match(fh.read(16)) and _header_parses(fh, candidate, None):
            return candidate
    return None


def _skip_blank_lines(fh: BinaryIO, offset: int) -> int:
    fh.seek(offset)
    while (line := fh.readline()) and not line.strip(b"\r\n"):
        offset += len(line)
    return offset


def _resync(fh: BinaryIO, start: int, framing: Framing | None, file: str) -> int | None:
    """Offset of the next place at or after ``start`` where a WARC record header parses, or None.

    In a plain file a version line at a line start is believed when its header parses. One that follows
    other bytes on its line is believed only when the whole header is a record's (_whole_header_at): the damage that
    lost the framing often took the line end before the next record with it (a flipped separator, a deleted tail),
    and passing that record by lost it too."""
    needle = framing.magic if framing is not None else _WARC_VERSION
    position = start
    while (found := find_bytes(fh, needle, position)) is not None:
        if framing is not None:
            parses = _header_parses(fh, found, framing)
        elif found == 0 or _byte_before(fh, found) == b"\n":
            parses = _header_parses(fh, found, None)
        else:
            parses = _whole_header_at(fh, found)
        if parses:
            logger.debug("%s: resynchronised at offset %d", file, found)
            return found
        position = found + 1  # a false match (magic bytes inside damaged data): keep looking
    return None


def _byte_before(fh: BinaryIO, offset: int) -> bytes:
    fh.seek(offset - 1)
    return fh.read(1)


def _whole_header_at(fh: BinaryIO, offset: int) -> bool:
    """Whether a plain record header starts at `offset` by every sign it has: a whole version line, a header that
    parses, a WARC-Type and a Content-Length that is a number. Asked of a version line found mid-line, where a
    payload's prose ("saved as WARC/1.1 files") is likelier than at a line start."""
    fh.seek(offset)
    if not _VERSION_LINE.match(fh.read(16)):
        return False
    fh.seek(offset)
    try:
        record = _LOADER.parse_record_stream(fh, known_format="warc", no_record_parse=True)
    except _PARSE_ERRORS:
        return False
    length = record.rec_headers.get_header("Content-Length") or ""
    return bool(record.rec_headers.get_header("WARC-Type")) and length.strip().isdigit()


def _header_parses(fh: BinaryIO, offset: int, framing: Framing | None) -> bool:
    stream, _ = _open_stream(fh, offset, framing)
    try:
        _LOADER.parse_record_stream(stream, known_format="warc", no_record_parse=True)
    except (*CORRUPT, *_PARSE_ERRORS):
        return False
    return True


def find_bytes(fh: BinaryIO, needle: bytes, start: int) -> int | None:
    """Next offset of ``needle`` at or after ``start``, reading in blocks that overlap by len(needle) - 1."""
    fh.seek(start)
    base, carry = start, b""
    while block := fh.read(_BLOCK):
        data = carry + block
        index = data.find(needle)
        if index >= 0:
            return base + index
        keep = min(len(needle) - 1, len(data))
        base += len(data) - keep
        carry = data[len(data) - keep:]
    return None


DigestCheck = Callable[[str], "bool | None"]
"""Whether bytes match a declared digest ("sha1:…"): True, False, or None when it cannot be checked."""


def _digest_mismatch(raw: RawRecord, block_matches: DigestCheck, payload_matches: DigestCheck) -> tuple[str, bool]:
    """Why the stored digests do not match the bytes ("" when they match or cannot be checked), and whether the
    payload digest alone matches nothing while the block digest proves the record.

    The block digest covers the whole block (WARC/1.1 §5.8), the payload included, so when it matches, every byte
    is as its writer wrote it and a payload digest matching no form of the payload says only that the writer
    digested other bytes: tools disagree on what the payload is (chunked or not, see ``_payload_variants``), and
    wpull 2.0.1 starts its payload digest where its own re-serialised HTTP header would end, a byte early after a
    header value with a trailing space. That record is intact and replayed (RawRecord.payload_digest_unmatched);
    without a matching block digest, a payload that matches no digest is damage, as before.
    """
    if raw.rec_type == "revisit":  # its payload digest names the *original* payload, like warcio we skip it
        return "", False
    def where() -> str:
        return f"record {raw.header('WARC-Record-ID')} ({raw.rec_type}) at offset {raw.offset}"

    block_digest = raw.header("WARC-Block-Digest")
    block_proven = False
    if block_digest:
        block_verdict = block_matches(block_digest)
        if block_verdict is False:
            return f"WARC-Block-Digest {block_digest} does not match the stored bytes of {where()}", False
        block_proven = block_verdict is True
    payload_digest = raw.header("WARC-Payload-Digest")
    if payload_digest and raw.header("WARC-Segment-Number") is None:
        if payload_matches(payload_digest) is False:
            if block_proven:
                logger.debug("WARC-Payload-Digest %s matches no form of the payload of %s, whose WARC-Block-Digest "
                             "proves it: the writer digested other bytes", payload_digest, where())
                return "", True
            return f"WARC-Payload-Digest {payload_digest} does not match the payload of {where()}", False
    return "", False


def _payload_variants(raw: RawRecord) -> list[bytes]:
    """The payload as stored and, if chunked, de-chunked: tools disagree on which one the digest covers.

    wget 1.21 and warcio digest the chunked bytes as sent; other writers digest the de-chunked entity.
    """
    return [raw.payload, dechunk(raw.payload)] if _is_chunked(raw) else [raw.payload]


def _is_chunked(raw: RawRecord) -> bool:
    headers = raw.http_headers
    return headers is not None and "chunked" in (headers.get_header("Transfer-Encoding") or "").lower()


def _digest_matches(declared: str, candidates: list[bytes]) -> bool | None:
    """True/False, or None when the algorithm is unknown (the WARC spec allows any, in base32, hex or base64)."""
    name = _hash_name(declared.strip().partition(":")[0])
    if name is None:
        logger.debug("Cannot check digest %r: unknown algorithm", declared)
        return None
    return any(_digest_equals(declared, hashlib.new(name, data).digest()) for data in candidates)


def _hasher(declared: str | None) -> Any:
    """A hashlib object for the algorithm a declared digest names, or None (no digest, unknown algorithm)."""
    name = _hash_name(declared.strip().partition(":")[0]) if declared else None
    return hashlib.new(name) if name is not None else None


def _digest_equals(declared: str, digest: bytes) -> bool:
    """Whether ``digest`` is the one declared ("sha1:<base32>", or hex, or base64)."""
    _, sep, value = declared.strip().partition(":")
    if not sep or not value:
        return False
    wanted = value.rstrip("=")
    upper = wanted.upper()  # hex/base32 may be lowercase
    # Encoded one way after another, the usual one first (sha1 in base32: ours, warcio's, wget's): every record's
    # two digests are checked, and base32 is pure Python.
    for encode in _DIGEST_ENCODINGS:
        encoded = encode(digest)
        if wanted == encoded or upper == encoded:
            return True
    return False


@lru_cache(maxsize=64)
def _hash_name(algorithm: str) -> str | None:
    """hashlib's name for a WARC digest algorithm ("sha1", "SHA-256"), or None when hashlib has no such hash."""
    name = algorithm.lower().replace("-", "")
    try:
        hashlib.new(name).digest()  # shake_*'s digest() wants a length: no WARC digest names one, so unknown
    except (ValueError, TypeError):  # TypeError: a damaged header's name (a NUL in it) or a length-taking hash
        return None
    return name


_DIGEST_ENCODINGS: tuple[Callable[[bytes], str], ...] = (
    lambda digest: b32encode(digest).decode().rstrip("="),
    lambda digest: b16encode(digest).decode(),
    lambda digest: b64encode(digest).decode().rstrip("="),
    lambda digest: urlsafe_b64encode(digest).decode().rstrip("="),
)
