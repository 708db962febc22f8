"""WARC 1.1 writer for fetched exchanges: plain URL/status/headers/bytes in, no Scrapy objects.

Files are ``<prefix>.warc.gz``, then ``<prefix>-00001.warc.gz``, ``-00002``… (``.warc`` with ``gzip=False``).
A file is written as ``<name>.open`` and renamed to ``<name>`` on rotation or ``close()``, so a killed run leaves
an obviously partial ``.open`` file. Every record is its own gzip member and is flushed, so that file is still
readable record by record (``warc.iter_archive`` accepts ``.open`` files); a payload already Content-Encoded is
stored, not deflated again (_write_stored_payload). Existing files are never overwritten: pick a new prefix per
crawl.

All WARC framing and digests come from warcio, the format's reference library. A finished file gets a CDXJ index
beside it (cdxj.py), from index lines collected while writing (one short line per exchange, held until the file is
finished, so at most one file's worth: bounded by ``max_bytes``, not by the crawl).
"""

from __future__ import annotations

import logging
import os
import struct
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from newscrawl.archive.cdxj import response_line, write_lines

logger = logging.getLogger(__name__)

WARC_FORMAT = "WARC File Format 1.1"
ORIGINAL_TRANSFER_ENCODING = "X-Newscrawl-Original-Transfer-Encoding"
RECORD_END = b"\r\n\r\n"
NO_CONTENT_CODING = frozenset({"", "identity"})


@dataclass(frozen=True)
class ArchiveRef:
    """Where one fetched response is archived.

    ``file`` is the FINAL file name (directory as given to the writer + name, no ``.open``): the name under which
    the record can be found once the writer has rotated or closed. While the crawl runs the bytes live in
    ``file + ".open"``; ``warc.read_at`` looks there too.
    """

    file: str
    record_id: str
    """WARC-Record-ID of the response record, e.g. ``<urn:uuid:…>``."""
    offset: int
    """Byte offset of the response record in the file (start of its gzip member for .warc.gz)."""


class _Latin1Headers(StatusAndHeaders):  # type: ignore[misc]  # warcio is untyped
    """Writes header values as latin-1 so the bytes the server sent come back unchanged.

    warcio would percent-encode non-ASCII values (RFC 8187), altering what the server sent. Callers pass header
    bytes decoded as latin-1 (Scrapy: ``value.decode("latin-1")``); ``warc.iter_archive`` returns them the same way.
    Characters beyond latin-1 cannot come off the wire, so such a line is written as UTF-8.
    """

    def to_ascii_bytes(self, filter_func: Any = None) -> bytes:
        text: str = self.to_str(filter_func)
        try:
            return text.encode("latin-1") + b"\r\n"
        except UnicodeEncodeError:
            return text.encode("utf-8") + b"\r\n"


@dataclass
class _OpenFile:
    final: Path
    partial: Path
    fh: BinaryIO
    warc: WARCWriter
    warcinfo_id: str
    index: list[str]
    """CDXJ lines of the response records written so far (cdxj.response_line)."""
    plain: WARCWriter
    """An uncompressed warcio writer aimed at a fresh buffer per record (_write_stored_payload)."""


class WarcWriter:
    """Appends request/response pairs to rotating WARC files; see the module docstring for naming.

    Rotation happens between exchanges, once a file has reached ``max_bytes``, so a pair is never split.
    ``warcinfo`` must contain ``software`` (e.g. ``"newscrawl/0.1.0"``); ``format`` is set to WARC 1.1.
    """

    def __init__(self, directory: Path, prefix: str, *, max_bytes: int, warcinfo: Mapping[str, str],
                 gzip: bool = True) -> None:
        if max_bytes <= 0:
            raise ValueError(f"max_bytes must be positive, got {max_bytes}")
        if not prefix or prefix in {".", ".."} or "/" in prefix or os.sep in prefix:
            raise ValueError(f"prefix must be a plain file name part, got {prefix!r}")
        if not warcinfo.get("software"):
            raise ValueError("warcinfo needs a 'software' field, e.g. {'software': 'newscrawl/0.1.0'}")
        self._directory = Path(directory)
        self._prefix = prefix
        self._max_bytes = max_bytes
        self._gzip = gzip
        self._warcinfo = {**warcinfo, "format": WARC_FORMAT}
        self._sequence = 0
        self._files: list[str] = []
        self._closed = False
        # Opened now rather than at the first write so a bad directory or a reused prefix fails at crawl start.
        self._current: _OpenFile | None = self._open_next()

    @property
    def files(self) -> list[str]:
        """Final paths of every file begun, in order; the last one is at ``<path>.open`` until ``close()``."""
        return list(self._files)

    def write_exchange(self, *, url: str, method: str, request_headers: list[tuple[str, str]],
                       request_body: bytes, status: int, reason: str, http_version: str,
                       response_headers: list[tuple[str, str]], body: bytes, fetched_at: datetime,
                       remote_ip: str | None = None) -> ArchiveRef:
        """Writes a ``response`` record, then its ``request`` record (WARC-Concurrent-To the response).

        ``body`` is the payload as the server sent it (still Content-Encoded, e.g. gzip) but de-chunked. The
        recorded headers must describe the recorded bytes, so a ``Transfer-Encoding: chunked`` header is renamed
        to ``X-Newscrawl-Original-Transfer-Encoding`` (value kept): readers then see a parseable record, and the
        change is marked instead of hidden. Header names and values are latin-1-decoded bytes (see
        ``_Latin1Headers``); repeated headers stay separate lines. ``fetched_at`` must be timezone-aware; it is
        written in UTC with microseconds (WARC 1.1). Both records are flushed before this returns.
        """
        if self._closed:
            raise ValueError("WarcWriter is closed; create a new one to write more")
        if fetched_at.tzinfo is None or fetched_at.utcoffset() is None:
            raise ValueError(f"fetched_at must be timezone-aware (UTC), got {fetched_at!r} for {url}")
        current = self._current or self._open_next()
        self._current = current
        warc_date = datetime_to_iso_date(fetched_at.astimezone(timezone.utc).replace(tzinfo=None), use_micros=True)
        common = {"WARC-Date": warc_date, "WARC-Warcinfo-ID": current.warcinfo_id}
        response_warc = dict(common, **({"WARC-IP-Address": remote_ip} if remote_ip else {}))
        response = current.warc.create_warc_record(
            url, "response", payload=BytesIO(body), length=len(body), warc_headers_dict=response_warc,
            http_headers=_Latin1Headers(f"{status} {reason}".rstrip(), _mark_dechunked(response_headers),
                                        protocol=http_version))
        request = current.warc.create_warc_record(
            url, "request", payload=BytesIO(request_body), length=len(request_body), warc_headers_dict=common,
            http_headers=_Latin1Headers(f"{request_target(url)} {http_version}", list(request_headers),
                                        protocol=method))
        offset = current.fh.tell()
        response_id = response.rec_headers.get_header("WARC-Record-ID")
        # What warcio's write_request_response_pair does (response first, then the request WARC-Concurrent-To it;
        # each record flushed), in two steps so the response record's length is known for the index.
        request.rec_headers.add_header("WARC-Concurrent-To", response_id)
        if self._gzip and _content_encoded(response_headers):
            self._write_stored_payload(current, response, len(body))
        else:
            current.warc.write_record(response)
        # The index's length is the gzip member; in a plain file, the record without its closing CRLF CRLF (which
        # warcio's reader, and so cdxj-indexer, counts into the gap before the next record).
        length = current.fh.tell() - offset - (0 if self._gzip else len(RECORD_END))
        current.warc.write_record(request)
        current.index.append(response_line(
            url=url, warc_date=warc_date, content_type=response.http_headers.get_header("Content-Type"),
            status=response.http_headers.get_statuscode(),
            payload_digest=response.rec_headers.get_header("WARC-Payload-Digest"),
            offset=offset, length=length, filename=current.final.name))
        ref = ArchiveRef(str(current.final), response_id, offset)
        if current.fh.tell() >= self._max_bytes:
            self._finish(current)
            self._current = None  # the next file is opened by the next write, so close() leaves no empty file
        return ref

    def close(self) -> None:
        """Finishes the current file (fsync, rename ``.open`` → final name). Safe to call twice."""
        if self._current is not None:
            self._finish(self._current)
            self._current = None
        self._closed = True

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()  # finished records are intact even after an error, so the file is finalised either way

    def _open_next(self) -> _OpenFile:
        suffix = ".warc.gz" if self._gzip else ".warc"
        number = f"-{self._sequence:05d}" if self._sequence else ""
        final = self._directory / f"{self._prefix}{number}{suffix}"
        partial = final.with_name(final.name + ".open")
        if final.exists():
            raise FileExistsError(f"{final} already exists; archives are never overwritten, use a new prefix")
        fh = partial.open("xb")  # "x": a .open file left by a killed run is kept, not clobbered
        warc = WARCWriter(fh, gzip=self._gzip, warc_version="1.1")
        info = warc.create_warcinfo_record(final.name, self._warcinfo)
        warc.write_record(info)
        self._sequence += 1
        self._files.append(str(final))
        logger.info("Writing WARC %s", partial)
        return _OpenFile(final, partial, fh, warc, info.rec_headers.get_header("WARC-Record-ID"), [],
                         WARCWriter(BytesIO(), gzip=False, warc_version="1.1"))

    @staticmethod
    def _write_stored_payload(current: _OpenFile, record: Any, payload_length: int) -> None:
        """Write a record whose payload the server already compressed (Content-Encoding) as one gzip member, like
        warcio, but with the payload in stored deflate blocks: deflating gzip or brotli bytes again at level 9
        found nothing to gain (zlib ends up storing them anyway) and cost ~0.1 ms per response, the largest part of
        capture's CPU. The record's bytes are warcio's own (written uncompressed, digests included); the WARC and
        HTTP headers before the payload are still deflated at level 9. One member, one deflate stream: the header
        part ends with a sync flush (byte-aligned, not final) and the stored blocks follow it, the way pigz joins
        independently compressed parts; then the gzip trailer (CRC-32 and length of the whole record)."""
        buffer = BytesIO()
        current.plain.out = buffer
        current.plain.write_record(record)
        data = buffer.getvalue()
        split = len(data) - payload_length - len(RECORD_END)
        head = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS + 16)  # warcio's settings: the same gzip header
        stored = zlib.compressobj(0, zlib.DEFLATED, -zlib.MAX_WBITS)
        view = memoryview(data)
        current.fh.write(b"".join((head.compress(view[:split]), head.flush(zlib.Z_SYNC_FLUSH),
                                   stored.compress(view[split:]), stored.flush(),
                                   struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF))))
        current.fh.flush()  # each record flushed, as warcio does

    def _finish(self, current: _OpenFile) -> None:
        current.fh.flush()
        os.fsync(current.fh.fileno())  # per-record flush survives a crash; fsync here survives power loss too
        current.fh.close()
        os.replace(current.partial, current.final)
        logger.info("Finished WARC %s", current.final)
        write_lines(current.final, current.index)
        current.index.clear()


def _content_encoded(headers: list[tuple[str, str]]) -> bool:
    """True when the payload carries a content coding (gzip, br, deflate…): bytes already compressed."""
    return any(name.lower() == "content-encoding" and value.strip().lower() not in NO_CONTENT_CODING
               for name, value in headers)


def _mark_dechunked(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(ORIGINAL_TRANSFER_ENCODING, value)
            if name.lower() == "transfer-encoding" and "chunked" in value.lower() else (name, value)
            for name, value in headers]


def request_target(url: str) -> str:
    """The request line's target (path + query), as an HTTP/1.1 client sends it."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
