"""One WARC file's records as archived HTTP exchanges: each response (or page resource) read into an
``ArchivedExchange`` and paired with its request record, which may follow it (ours, warcio) or precede it (wget).

Reading is two steps so that an index build can split it across processes (indexparts.py): ``record_steps`` turns
each record of a span of the file into a step on its own (a response, a request, a warcinfo, a revisit, a skipped
record or a problem), which needs no record before it; ``paired`` then walks the steps of the whole file in order and
does what does depend on order (pairing, the warcinfo in force, the memory of recent requests). Run over the spans
of a file one after the other, the steps are those of the whole file, so the split reading pairs exactly as the
whole one.

One idea, kept whole: a WARC record as the HTTP exchange a crawler made (its response, request, time, warcinfo).
"""

from __future__ import annotations

import email.utils
import logging
import sys
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Generic, TypeVar

from w3lib.html import get_meta_refresh
from warcio.timeutils import iso_date_to_datetime

from newscrawl.archive import codings
from newscrawl.archive.arc import is_arc, scan_arc
from newscrawl.archive.reader import (ArchiveProblem, ChainEnd, RawRecord, bare_document, dechunk, parse_warc_fields,
                                     scan_records)
from newscrawl.archive.revisits import Revisit

logger = logging.getLogger(__name__)

_REQUEST_MEMORY = 1024  # unmatched request records remembered per file, to pair them with later responses

T = TypeVar("T")

PAGE_STATUSES = frozenset({200, 203})
"""Answers that carry a whole page (203: a proxy's transformed copy of one); an archive offers them as articles."""


@dataclass(frozen=True)
class ArchivedExchange:
    """One archived HTTP response (plus the request method when its request record was found)."""

    url: str
    """WARC-Target-URI."""
    status: int
    reason: str
    http_version: str
    """As on the status line, e.g. "HTTP/1.1"."""
    headers: list[tuple[str, str]]
    """Response headers in recorded order, repeats kept; Transfer-Encoding removed when the body was de-chunked."""
    body: bytes
    """Payload as sent: still Content-Encoded (gzip stays gzip), but de-chunked."""
    fetched_at: datetime
    """WARC-Date, timezone-aware UTC."""
    record_id: str
    file: str
    offset: int
    warcinfo: dict[str, str] = field(default_factory=dict)
    """Fields of the warcinfo record that preceded this record in its file; {} if none."""
    request_method: str | None = None
    remote_ip: str | None = None
    digest_ok: bool = True
    """False when a stored digest did not match; an ArchiveProblem of kind "digest" was reported too."""
    payload_digest: str | None = None
    """WARC-Payload-Digest as recorded (revisits name their original by it), None when the record has none."""
    payload_digest_unmatched: bool = False
    """The recorded payload digest matches no form of the payload, but the block digest proves the record: its
    writer digested other bytes (reader.RawRecord.payload_digest_unmatched); replayed, and counted."""
    truncated: str | None = None
    """Why the payload is incomplete, None when it is whole: the record's WARC-Truncated value ("length", "time",
    "disconnect", "unspecified": the crawler that wrote it stopped reading), "content-length" when the payload
    is shorter than the response's own Content-Length says (a crawler that cut it without saying so), or FILE_END
    when the WARC file ends inside the record (what the file holds of it is the payload)."""

    def header_values(self, name: str) -> list[str]:
        """Every value of a header, case-insensitively (like Scrapy's ``headers.getlist``)."""
        return [value for key, value in self.headers if key.lower() == name.lower()]

    def content_type(self) -> str | None:
        """The Content-Type a crawler acts on: the last one when a server sent several (Scrapy's, and a browser's,
        reading), None without one."""
        values = self.header_values("Content-Type")
        return values[-1] if values else None

    def content_codings(self) -> list[str]:
        """The Content-Encoding codings applied to the body, in the order applied, lower-cased ("identity" left out)."""
        return codings.named(self.header_values("Content-Encoding"))

    def decoded_body(self) -> bytes:
        """The body with Content-Encoding undone as Scrapy undoes it (codings.py): what a crawler parses and hashes.

        Raises ValueError naming the URL when the data does not decode.
        """
        try:
            return codings.decode(self.content_codings(), self.body)
        except ValueError as exc:
            raise ValueError(f"{self.url}: {exc}") from exc


@dataclass(frozen=True, slots=True)
class Request:
    """A request record: its method, its record id and the ids of the records it is concurrent to."""

    method: str
    record_id: str
    concurrent_to: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Answer(Generic[T]):
    """A response record (or page resource) read into `value`, an ArchivedExchange or what an index build keeps of
    one, before pairing: its request method is not known yet."""

    value: T
    record_id: str
    concurrent_to: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Warcinfo:
    """A warcinfo record's fields: they describe the records after it in its file."""

    fields: dict[str, str]


@dataclass(frozen=True, slots=True)
class Skipped:
    """A record that is no response to replay (metadata, conversion, a response without HTTP headers...)."""

    kind: str


Step = ArchiveProblem | Revisit | Request | Answer[T] | Warcinfo | Skipped
SpanStep = Step[T] | ChainEnd
"""What reading a span of a file gives: its steps, then where the file's records go on (indexparts.py)."""


def record_steps(file: Path, source: Path, read: Callable[[ArchivedExchange], T],
                 keep_payloads: bool = True) -> Iterator[Step[T]]:
    """The steps of every record of `file`, read from `source` (the file, or its inflated copy); a response
    becomes ``Answer(read(exchange))``."""
    for step in span_steps(file, source, read, keep_payloads, None, None):
        if not isinstance(step, ChainEnd):  # only a span with an end has one
            yield step


def span_steps(file: Path, source: Path, read: Callable[[ArchivedExchange], T], keep_payloads: bool,
               start: int | None, end: int | None) -> Iterator[SpanStep[T]]:
    """record_steps() of the records of `file` that start in [start, end) (reader.scan_records); with an `end`, the
    last step is the span's ChainEnd. Each exchange carries the warcinfo seen before it in this span: exact when
    the span starts the file (``paired`` knows it in any case)."""
    warcinfo: dict[str, str] = {}
    last: int | None = None  # the offset of the last record read: a read failing after it loses what follows
    try:
        for item in scan_arc(file) if is_arc(file) else scan_records(source, keep_payloads, start, end):
            if isinstance(item, ChainEnd):
                yield item
                continue
            if isinstance(item, ArchiveProblem):
                yield item if source == file else item.found_in_copy_of(file)
                continue
            last = item.offset
            method = request_method(item)
            if item.rec_type == "warcinfo":
                warcinfo = parse_warc_fields(item.payload)
                yield Warcinfo(warcinfo)
            elif item.rec_type == "revisit":
                yield Revisit(item.header("WARC-Target-URI") or "", str(file), item.offset,
                              item.header("WARC-Refers-To"), item.header("WARC-Refers-To-Target-URI"),
                              item.header("WARC-Refers-To-Date"), item.header("WARC-Payload-Digest"),
                              record_warc_date(item))
            elif method is not None:
                yield Request(method, item.header("WARC-Record-ID") or "",
                              tuple(item.header_values("WARC-Concurrent-To")))
            elif is_replayable_response(item):
                exchange = to_exchange(item, str(file), warcinfo)
                if isinstance(exchange, ArchiveProblem):
                    yield exchange
                else:
                    yield Answer(read(exchange), exchange.record_id, tuple(item.header_values("WARC-Concurrent-To")))
            else:
                yield Skipped(item.rec_type if item.rec_type != "response" else "response-without-http")
    except OSError as exc:  # unreadable, or a read failing partway (EIO): the records before it are kept
        after = "" if last is None else f" after the record at offset {last} (the rest of it is not replayed)"
        yield ArchiveProblem(str(file), start or 0, "io", f"cannot read file{after}: {exc}")


def paired(file: Path, steps: Iterable[Step[T]], skipped: Counter[str]
           ) -> Iterator[tuple[T, str | None, dict[str, str]] | ArchiveProblem | Revisit]:
    """The steps of one whole file, in order, as problems, revisits and (answer, its request method or None, the
    warcinfo in force) triples; records skipped are counted in `skipped` and logged once for the file."""
    warcinfo: dict[str, str] = {}
    pending: tuple[Answer[T], dict[str, str]] | None = None  # a response waiting for the request that may follow
    methods: OrderedDict[str, str] = OrderedDict()  # request id, and ids it is concurrent to → method
    skipped_here: Counter[str] = Counter()
    for step in steps:
        if pending is not None:
            answer, info = pending
            pending = None
            if isinstance(step, Request) and answer.record_id in step.concurrent_to:
                yield answer.value, step.method, info
                continue
            yield answer.value, None, info
        if isinstance(step, (ArchiveProblem, Revisit)):
            yield step
        elif isinstance(step, Warcinfo):
            warcinfo = step.fields
        elif isinstance(step, Request):
            for key in (step.record_id, *step.concurrent_to):
                methods[key] = step.method
            while len(methods) > _REQUEST_MEMORY:
                methods.popitem(last=False)
        elif isinstance(step, Answer):
            known = next((methods[key] for key in (step.record_id, *step.concurrent_to) if key in methods), None)
            if known is not None:
                yield step.value, known, warcinfo
            else:
                pending = step, warcinfo
        else:
            skipped_here[step.kind] += 1
    if pending is not None:
        yield pending[0].value, None, pending[1]
    if skipped_here:
        logger.info("%s: skipped records not replayable as responses: %s", file, dict(skipped_here))
        skipped.update(skipped_here)


def is_replayable_response(record: RawRecord) -> bool:
    """A response record with HTTP headers, or a resource record holding a web page."""
    return (record.rec_type == "response" and record.http_headers is not None) or _is_page_resource(record)


_REFRESH_CHARS = 4096
"""Scrapy reads a meta refresh from the first 4,096 characters of a page: as many bytes when they are ASCII, at most
four times as many in UTF-8."""


def may_refresh(exchange: ArchivedExchange) -> bool:
    """Whether Scrapy's MetaRefreshMiddleware may redirect from this response: its first bytes (Content-Encoding
    undone) hold a meta refresh naming a URL, in any tag, with any delay, whatever the page type. The index is the
    same for every crawl; the crawl's METAREFRESH_* settings decide later which of these pages really redirect
    (archive/replay.py, MetaRefreshPolicy)."""
    head = decoded_head(exchange, _REFRESH_CHARS)
    for _ in range(3):  # inflating only what holds the 4,096 characters: most heads are ASCII, a few bytes more
        if head.isascii() and b"\0" not in head:
            break
        wanted = _REFRESH_CHARS + len(head) - len(head.decode("utf-8", "ignore"))  # one byte per UTF-8 character
        if b"\0" in head or wanted >= 4 * _REFRESH_CHARS:  # UTF-16, or not UTF-8 at all: the longest reading
            wanted = 4 * _REFRESH_CHARS
        if wanted <= len(head):
            break
        head = decoded_head(exchange, wanted)
    if b"refresh" not in head.lower():  # the common case, without a regular expression
        return False
    _, url = get_meta_refresh(head.decode("latin-1"), exchange.url, ignore_tags=())
    return url is not None


def decoded_head(exchange: ArchivedExchange, size: int) -> bytes:
    """About the first `size` bytes of the body with Content-Encoding undone, decoding no more than that; b"" when
    it does not decode (the page is then not one Scrapy reads a refresh from either)."""
    content_codings = exchange.content_codings()
    if not content_codings:
        return exchange.body[:size]
    return codings.decoded_head(content_codings, exchange.body, size)


def record_warc_date(record: RawRecord) -> datetime | None:
    """The record's WARC-Date as an aware time; None when it has none or it does not parse."""
    try:
        when: datetime = iso_date_to_datetime(record.header("WARC-Date") or "", tz_aware=True)
    except (ValueError, TypeError):
        return None
    return when


def request_method(record: RawRecord) -> str | None:
    if record.rec_type != "request" or record.http_headers is None:
        return None
    method: str = record.http_headers.protocol  # warcio puts a request line's verb in "protocol"
    # Interned: the index keeps one per capture, and a fresh "GET" each time was 8 % of its memory.
    return sys.intern(method) if method else None


def _is_page_resource(record: RawRecord) -> bool:
    """A `resource` record holding a web page (Browsertrix, wget, warcio): a document with no HTTP envelope; or a
    `response` record whose writer stored one so (reader: its Content-Type names a document, its block no HTTP)."""
    uri = (record.header("WARC-Target-URI") or "").lower()
    return _is_bare_document(record) and uri.startswith(("http://", "https://"))


def _is_bare_document(record: RawRecord) -> bool:
    """A resource record, or a response record the reader read as one (reader.bare_document): not a response that
    has no HTTP headers for another reason (an empty block, a dns: answer)."""
    return record.rec_type == "resource" or (record.rec_type == "response" and record.http_headers is None
                                             and bare_document(record.header("Content-Type"), record.payload))


def _resource_exchange(record: RawRecord, file: str, warcinfo: dict[str, str]) -> ArchivedExchange | ArchiveProblem:
    """A resource record as the 200 response that would have carried it, with the record's Content-Type."""
    fetched_at = _fetch_time(record, [])
    if fetched_at is None:
        return ArchiveProblem(file, record.offset, "record",
                              f"unusable WARC-Date {record.header('WARC-Date')!r}")
    content_type = record.header("Content-Type") or "application/octet-stream"
    return ArchivedExchange(
        url=record.header("WARC-Target-URI") or "", status=200, reason="OK", http_version="HTTP/1.1",
        headers=[("Content-Type", content_type)], body=record.payload, fetched_at=fetched_at,
        record_id=record.header("WARC-Record-ID") or "", file=file, offset=record.offset, warcinfo=warcinfo,
        remote_ip=record.header("WARC-IP-Address"), digest_ok=record.digest_ok,
        payload_digest=record.header("WARC-Payload-Digest"),
        payload_digest_unmatched=record.payload_digest_unmatched, truncated=_truncated(record))


def to_exchange(record: RawRecord, file: str, warcinfo: dict[str, str]) -> ArchivedExchange | ArchiveProblem:
    if _is_bare_document(record):
        return _resource_exchange(record, file, warcinfo)
    http = record.http_headers
    headers = [(name, value) for name, value in http.headers]
    try:
        status = int(http.get_statuscode())
    except (ValueError, TypeError) as exc:
        return ArchiveProblem(file, record.offset, "record", f"unusable status line {http.statusline!r}: {exc}")
    fetched_at = _fetch_time(record, headers)
    if fetched_at is None:
        return ArchiveProblem(file, record.offset, "record", f"unusable WARC-Date {record.header('WARC-Date')!r} "
                                                             "and no HTTP Date header")
    body = record.payload
    truncated = _truncated(record)
    if any(n.lower() == "transfer-encoding" and "chunked" in v.lower() for n, v in headers):
        body = dechunk(body)
        headers = _without_chunked(headers)
    elif truncated is None and body and len(body) < _declared_length(headers):
        truncated = "content-length"
    return ArchivedExchange(
        url=record.header("WARC-Target-URI") or "", status=status,
        reason=http.statusline.partition(" ")[2], http_version=http.protocol, headers=headers, body=body,
        fetched_at=fetched_at, record_id=record.header("WARC-Record-ID") or "", file=file, offset=record.offset,
        warcinfo=warcinfo, remote_ip=record.header("WARC-IP-Address"), digest_ok=record.digest_ok,
        payload_digest=record.header("WARC-Payload-Digest"),
        payload_digest_unmatched=record.payload_digest_unmatched, truncated=truncated)


FILE_END = "file-end"
"""ArchivedExchange.truncated of a record its file ends inside (reader.RawRecord.cut_short: a WARC cut short, as a
killed wget leaves it), read as far as it goes."""


def _truncated(record: RawRecord) -> str | None:
    """Why the record's payload is incomplete (ArchivedExchange.truncated): its file's end cut it, or its writer
    says so (WARC-Truncated); None when neither."""
    return FILE_END if record.cut_short else record.header("WARC-Truncated")


def _fetch_time(record: RawRecord, headers: list[tuple[str, str]]) -> datetime | None:
    """The record's WARC-Date; when it has none that reads (a mandatory field some writers get wrong), the server's
    own Date header, the time the response was sent: an article is not lost for want of a capture time."""
    warc_date = record_warc_date(record)
    if warc_date is not None:
        return warc_date
    for name, value in headers:
        if name.lower() == "date":
            try:
                sent = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError):
                continue
            return sent if sent.tzinfo is not None else sent.replace(tzinfo=timezone.utc)
    return None


def _declared_length(headers: list[tuple[str, str]]) -> int:
    """The response's Content-Length; 0 when it has none, or several, or one that is not a number (no claim to
    hold the payload to)."""
    values = {value.strip() for name, value in headers if name.lower() == "content-length"}
    if len(values) != 1:
        return 0
    value = values.pop()
    return int(value) if value.isdigit() else 0


def _without_chunked(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    kept: list[tuple[str, str]] = []
    for name, value in headers:
        if name.lower() == "transfer-encoding":
            rest = ", ".join(c.strip() for c in value.split(",") if c.strip().lower() not in {"chunked", ""})
            if not rest:
                continue
            value = rest  # e.g. "gzip, chunked": only the chunked layer was removed
        kept.append((name, value))
    return kept
