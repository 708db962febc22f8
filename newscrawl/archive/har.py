"""HAR files (HTTP Archive, http://www.softwareishard.com/blog/har-12-spec/) as replay sources: what a browser's
developer tools write with "Save all as HAR", and what Playwright (``record_har_path``), Puppeteer and mitmproxy
write while they drive or watch a browser.

A HAR is one JSON log of a session's exchanges: per entry the request (method, URL, headers, posted data), the
response (status, headers, and ``content``: the body as the browser decoded it, ``text``, base64 when
``encoding`` says so) and when the request started (``startedDateTime``). unpack.replay_root converts a HAR once into
a WARC in the replay cache (``X.har`` → ``X.har.warc.gz``), and that WARC is replayed like any other archive, its
items named after the HAR (``X.har/X.har.warc.gz``). The conversion is a pure function of the HAR's bytes (record
ids are derived from them, gzip members carry no time), so the same HAR gives the same feed on any machine, and
``newscrawl verify --archive X.har`` proves each item against the same records. The HAR is read one entry at a
time (harstream.py), so one of any size costs the memory of its largest entry; one cut short inside its entries is
converted up to the cut, and the cut is one damaged-input finding.

What a browser records is not what came over the wire, and the WARC says so, the way Browsertrix and warcio.js
record what a browser hands them: the body is stored decoded, so ``Content-Encoding``, ``Transfer-Encoding`` and
``Content-Length`` are kept as ``x-orig-…``; HTTP/2 and HTTP/3 pseudo-headers (``:status``, ``:authority``) are
dropped, and the protocol the browser named (``h2``) is kept as ``WARC-Protocol`` under an ``HTTP/1.1`` status
line, which every WARC reader parses. A text body is encoded back into the charset the page declared, which the
browser decoded it by (its Content-Type's charset, else its <meta> or chrome-har's ``content.charset``): the bytes
the server sent, for every page whose characters that charset holds. Else it is written as UTF-8, and a page that
declared another charset has its Content-Type say ``utf-8`` (which outranks the <meta> for every reader).

Entries that hold no response cost only themselves, counted in one line per HAR: a request that failed or was
blocked (status 0), one whose body the tool did not keep (Chrome keeps no body for a page it left, nor for a failed
script or stylesheet; Playwright's ``content: "omit"``; chrome-har without ``includeTextFromResponseBody``), one
whose URL is not http(s) (``data:``, ``blob:``, extensions), and Chrome's internal redirects (a 307 with
``Non-Authoritative-Reason``: its HSTS upgrade, which no server sent). A server's redirect is kept whether or not a
body was (browsers keep none): the replay follows its Location, as the browser did. Playwright's ``attach`` mode,
which keeps bodies in files beside the HAR (``_file``), is read when the file is inside the HAR's folder.

One idea, kept whole: a HAR entry read as the exchange a WARC records, body, headers and charset alike.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import hashlib
import logging
import os
import re
import shutil
import tempfile
import uuid
from collections import Counter
from collections.abc import Mapping
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path
from typing import IO, Any

from w3lib.encoding import html_body_declared_encoding
from w3lib.url import safe_url_string
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from newscrawl.archive.findings import Findings, UnreadableBundle
from newscrawl.archive.gunzipstream import GunzipStream
from newscrawl.archive.harstream import NotAHar, Readable, read_entries
from newscrawl.archive.savednames import NOFOLLOW, read_safely
from newscrawl.archive.writer import request_target
from newscrawl.extract.urls import is_http_url

logger = logging.getLogger(__name__)

SUFFIX = ".har"
SUFFIXES = (SUFFIX, ".har.gz")
"""A HAR, and one gzipped whole (sitespeed.io, WebPageTest; anyone shrinking a 500 MB HAR)."""
CONVERSION = "har-3"
"""Part of every conversion's cache key, and named in the WARC's warcinfo: a new one when conversion changes what
it writes, so no replay reads a WARC an older newscrawl converted."""

SKIPPED_KINDS = {"malformed": "har-malformed", "not http(s)": "har-not-http", "failed or blocked": "har-failed",
                 "browser-internal redirects": "har-browser-redirect", "no body kept": "har-no-body",
                 "no start time": "har-no-start-time"}
"""Why an entry holds no response to replay → its replay stat, newscrawl/replay/skipped_records/<kind>."""

_DECODED = ("content-encoding", "transfer-encoding", "content-length")
"""Headers that describe the bytes on the wire, not the decoded body a browser records."""
_DECLARATION_CHARS = 4096
"""How far into a page its <meta> charset declaration is looked for (the HTML standard's prescan reads 1,024 bytes;
pages with long <head>s put it later, and browsers still find it)."""
_CHARSET = re.compile(r"""(;\s*charset\s*=\s*)("?)([^";\s]+)\2""", re.I)


class UnreadableHar(UnreadableBundle):
    """The file is named .har but is not a HAR that can be read (not JSON, no ``log.entries``)."""


def convert(path: Path, into: Path, findings: Findings, shown: str | None = None) -> int:
    """Write the HAR at `path` as ``into/<name>.warc.gz``; how many responses it holds. Raises UnreadableHar for a
    file that is not a HAR, or one without a single response that could be converted. `shown`: the HAR's name in
    messages, as the user knows it (``recording.zip/har.har``, not the folder the ZIP was extracted to). The entries
    with no response to replay are counted in `findings` by kind (SKIPPED_KINDS), as the replay's skipped records;
    a HAR cut short inside its entries (or damaged there) is converted up to the cut, which is one of `findings`.

    The HAR is read one entry at a time (harstream.py), each entry's records written as it is read into a spool
    beside the WARC, then copied after the warcinfo record that must come first: that one is dated by the earliest
    entry and names the HAR's creator, which only the whole file tells. So the memory it costs is its largest
    entry's, not the file's; the bytes are those the whole-file reader wrote."""
    name = shown or str(path)
    into.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDONLY | NOFOLLOW)  # as read_safely: a symlink swapped in after the check is refused
    with os.fdopen(fd, "rb") as raw, tempfile.TemporaryFile(dir=into) as spool:
        # a gzipped HAR is read as the HAR it holds: the same HAR gives the same records gzipped or not
        gunzipped = GunzipStream(raw) if path.name.lower().endswith(".gz") else None
        fh: Readable = gunzipped or raw
        digest = _sha256(fh)  # first: every record's id is derived from it
        records = _Records(spool, digest, path)
        try:
            read = read_entries(fh, records.begin, records.add)
        except NotAHar as error:
            raise UnreadableHar(f"{name}: not a readable HAR file: {error}") from error.cause
        if read.sha256 != digest:
            raise UnreadableHar(f"{name}: changed while it was converted (is a tool still writing it?): replay it "
                                "again once it is written")
        if records.skipped:
            logger.warning("%s: %d entries not replayable (%s)", name, sum(records.skipped.values()),
                           ", ".join(f"{count} {why}" for why, count in sorted(records.skipped.items())))
            findings.skipped.update({SKIPPED_KINDS[why]: count for why, count in records.skipped.items()})
        if not records.written:
            raise UnreadableHar(f"{name}: a HAR file without a response that could be replayed ({read.entries} "
                                f"entries{f'; {read.stopped}' if read.stopped else ''})")
        stopped = read.stopped or (gunzipped.cut if gunzipped is not None else None)
        if stopped:
            findings.damaged(str(path), stopped)
        target = into / f"{path.name}.warc.gz"
        with open(target, "wb") as out:
            writer = WARCWriter(out, gzip=True, warc_version="1.1")
            creator = read.log.get("creator")
            creator = creator if isinstance(creator, dict) else {}
            info = writer.create_warcinfo_record(target.name, {
                "software": f"newscrawl HAR conversion {CONVERSION}",
                "format": "WARC File Format 1.1",
                "source-file": path.name,
                "source-sha256": digest,
                "har-creator": f"{creator.get('name', '')} {creator.get('version', '')}".strip() or "unknown",
            })
            # dated by the session, named by the HAR's bytes: not by the moment or the machine it was converted on
            info.rec_headers.replace_header("WARC-Date", _warc_date(records.first or datetime.fromtimestamp(
                0, timezone.utc)))
            info.rec_headers.replace_header("WARC-Record-ID", _record_id(digest, "warcinfo"))
            writer.write_record(info)
            spool.seek(0)
            shutil.copyfileobj(spool, out, 1 << 20)
    return records.written


def _sha256(fh: Readable) -> str:
    digest = hashlib.sha256()
    while chunk := fh.read(1 << 20):
        digest.update(chunk)
    return digest.hexdigest()


class _Records:
    """The response and request records of the entries of one ``log.entries``, written into `spool` as they are
    read: numbered in that list (each record's id is derived from the HAR's digest and the number), the earliest
    start and the entries with nothing to replay counted by kind as they go."""

    def __init__(self, spool: IO[bytes], digest: str, har: Path) -> None:
        self.spool, self.digest, self.har = spool, digest, har
        self.begin()

    def begin(self) -> None:
        """From the first entry (again): the HAR is read again, or a later ``entries`` replaces these."""
        self.spool.seek(0)
        self.spool.truncate()
        self.number = self.written = 0
        self.first: datetime | None = None
        self.skipped: Counter[str] = Counter()

    def add(self, entry: Any) -> None:
        number, self.number = self.number, self.number + 1
        started = _started(entry)  # every entry dates the session, even one with nothing to replay
        if started is not None and (self.first is None or started < self.first):
            self.first = started
        why = _entry_problem(entry)
        if why:
            self.skipped[why] += 1
            return
        body = _body(entry["response"], self.har)
        if body is None:
            self.skipped["no body kept"] += 1
            return
        if started is None:
            self.skipped["no start time"] += 1
            return
        records = BytesIO()  # both records whole or neither: an entry that cannot be written costs only itself
        try:
            _write_entry(WARCWriter(records, gzip=True, warc_version="1.1"), entry, body, started,
                         f"{self.digest}:{number}")
        except (UnicodeError, ValueError) as error:
            logger.warning("%s: entry %d (%s) cannot be written as WARC records, skipped: %s", self.har, number,
                           str(entry["request"].get("url"))[:200], error)
            self.skipped["malformed"] += 1
            return
        self.spool.write(records.getvalue())
        self.written += 1


def _entry_problem(entry: Any) -> str | None:
    """Why an entry holds no response to replay, or None."""
    if not isinstance(entry, dict) or not isinstance(entry.get("request"), dict) or not isinstance(
            entry.get("response"), dict):
        return "malformed"
    if not is_http_url(str(entry["request"].get("url", ""))):
        return "not http(s)"
    status = entry["response"].get("status")
    if not isinstance(status, int) or not 100 <= status <= 999:
        return "failed or blocked"
    if any(name.lower() == "non-authoritative-reason" for name, _ in _headers(entry["response"])):
        return "browser-internal redirects"  # Chrome's HSTS upgrade, a 307 no server sent
    return None


Body = tuple[bytes, bool]
"""A response body as the server's bytes, and whether its Content-Type must be made to say utf-8 (_text_bytes)."""


def _body(response: Mapping[str, Any], har: Path) -> Body | None:
    """The response body, as far as the HAR holds it; None when it holds none."""
    content = response.get("content")
    if not isinstance(content, dict):
        return None
    text = content.get("text")
    attached = content.get("_file")
    if not isinstance(text, str):
        if isinstance(attached, str):
            kept = _attachment(har, attached)
            return (kept, False) if kept is not None else None
        return (b"", False) if _none_sent(response) else None
    if str(content.get("encoding", "")).lower() == "base64":
        try:
            return base64.b64decode(text, validate=False), False
        except (binascii.Error, ValueError):
            return None
    return _text_bytes(response, text)


def _none_sent(response: Mapping[str, Any]) -> bool:
    """Whether a response without ``text`` had an empty body. HAR 1.2 leaves ``text`` out when the body "is not
    available", so its absence says nothing of the body: it was empty only where HTTP allows none (1xx, 204, 304:
    RFC 9110 §6.4.1) or both sizes say no byte came, ``content.size`` (decoded) and ``bodySize`` (received) 0.
    ``content.size`` 0 alone is not enough: chrome-har writes it for every body it was not handed (Browsertime's
    default), with the bodySize the browser received."""
    status = response.get("status")
    if isinstance(status, int) and (100 <= status < 200 or status in (204, 304)):
        return True
    if isinstance(status, int) and 300 <= status < 400 and any(
            name.lower() == "location" for name, _ in _headers(response)):
        return True  # a redirect's body is never read (the replay follows its Location), and browsers keep none
    content = response.get("content") or {}
    return content.get("size") == 0 and response.get("bodySize") == 0


def _attachment(har: Path, name: str) -> bytes | None:
    """Playwright's attach mode: the body in a file named by the entry, beside the HAR; never outside its folder."""
    folder = har.parent.resolve()
    target = (folder / name).resolve()
    if not target.is_relative_to(folder) or not target.is_file():
        return None
    try:
        return read_safely(target)[0]
    except OSError:
        return None


def _text_bytes(response: Mapping[str, Any], text: str) -> Body:
    """A text body written back as bytes, and whether the Content-Type must then be made to say utf-8.

    The browser decoded the body by what the page declared: its Content-Type's charset, else its own <meta> (or
    chrome-har's ``content.charset``). Written back in that charset, the bytes are the server's for every page whose
    characters it holds, and they mean what they meant. Else they are written as UTF-8, and a page that declared
    another charset is told it by its Content-Type, which outranks the <meta> for every reader."""
    content = response.get("content") or {}
    declared = _charset(response) or _codec(content.get("charset")) or _codec(
        html_body_declared_encoding(text[:_DECLARATION_CHARS]))
    if declared:
        try:
            return text.encode(declared), False
        except (UnicodeEncodeError, LookupError):
            pass  # characters the declared charset does not hold, or a codec that is no text encoding ("base64")
    return text.encode("utf-8", "surrogatepass"), declared is not None and declared != "utf-8"


def _codec(name: object) -> str | None:
    if not isinstance(name, str) or not name.strip():
        return None
    try:
        return codecs.lookup(name.strip()).name
    except LookupError:
        return None


def _charset(response: Mapping[str, Any]) -> str | None:
    for name, value in _headers(response):
        if name.lower() == "content-type":
            found = _CHARSET.search(value)
            if found:
                return _codec(found.group(3))
    return None


def _headers(message: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A request's or response's headers as (name, value), without HTTP/2's and HTTP/3's pseudo-headers."""
    found = []
    for header in message.get("headers") or []:
        if isinstance(header, dict) and isinstance(header.get("name"), str) and not header["name"].startswith(":"):
            value = str(header.get("value", "")).replace("\r", " ").replace("\n", " ")
            # a lone surrogate (JSON allows "\ud800") has no bytes; warcio percent-encodes the rest of non-ASCII
            found.append((header["name"], value.encode("utf-8", "replace").decode("utf-8")))
    return found


def _started(entry: Any) -> datetime | None:
    if not isinstance(entry, dict):
        return None
    try:
        started = datetime.fromisoformat(str(entry.get("startedDateTime", "")))
    except ValueError:
        return None
    if started.tzinfo is None:
        started = started.replace(tzinfo=timezone.utc)  # the spec's format carries a zone; a writer that left it out
    return started.astimezone(timezone.utc)


def _write_entry(writer: WARCWriter, entry: Mapping[str, Any], found: Body, started: datetime, key: str) -> None:
    request, response = entry["request"], entry["response"]
    body, relabel = found
    url = str(request["url"])
    if not url.isascii():  # an IRI: percent-encoded, as a browser sends it and Scrapy asks for it
        url = safe_url_string(url)
    warc_date = _warc_date(started)
    protocol = str(response.get("httpVersion") or request.get("httpVersion") or "")
    status_protocol = "HTTP/1.0" if protocol.upper() == "HTTP/1.0" else "HTTP/1.1"
    response_id = _record_id(key, "response")
    response_headers = _recorded(response, relabel)
    warc_headers = {"WARC-Date": warc_date, "WARC-Record-ID": response_id}
    if protocol and protocol.upper() not in ("HTTP/1.0", "HTTP/1.1"):
        warc_headers["WARC-Protocol"] = protocol.lower()
    reason = str(response.get("statusText") or "").replace("\r", " ").replace("\n", " ")
    writer.write_record(writer.create_warc_record(
        url, "response", payload=BytesIO(body), length=len(body), warc_headers_dict=warc_headers,
        http_headers=StatusAndHeaders(f"{response['status']} {reason}".rstrip(), response_headers,
                                      protocol=status_protocol)))
    posted = request.get("postData") if isinstance(request.get("postData"), dict) else {}
    request_body = str(posted.get("text") or "").encode("utf-8", "replace")
    method = str(request.get("method") or "GET").upper()
    writer.write_record(writer.create_warc_record(
        url, "request", payload=BytesIO(request_body), length=len(request_body),
        warc_headers_dict={"WARC-Date": warc_date, "WARC-Record-ID": _record_id(key, "request"),
                           "WARC-Concurrent-To": response_id},
        http_headers=StatusAndHeaders(f"{request_target(url)} {status_protocol}", _headers(request), protocol=method)))


def _recorded(response: Mapping[str, Any], tell_utf8: bool) -> list[tuple[str, str]]:
    """The response's headers as they describe the recorded (decoded) body (module docstring); `tell_utf8`: its text
    was written as UTF-8 though the page declared another charset (_text_bytes)."""
    headers = []
    content = response.get("content") or {}
    for name, value in _headers(response):
        lowered = name.lower()
        if lowered in _DECODED:
            headers.append((f"x-orig-{lowered}", value))
        elif lowered == "content-type" and tell_utf8:
            headers.append((name, _CHARSET.sub(r"\1utf-8", value) if _CHARSET.search(value) else
                            f"{value.rstrip('; ')}; charset=utf-8"))
            tell_utf8 = False
        else:
            headers.append((name, value))
    if tell_utf8:  # no Content-Type at all: the one the HAR names for the content
        headers.append(("Content-Type", f"{content.get('mimeType') or 'text/html'}; charset=utf-8"))
    return headers


def _warc_date(moment: datetime) -> str:
    return str(datetime_to_iso_date(moment.astimezone(timezone.utc).replace(tzinfo=None), use_micros=True))


def _record_id(key: str, kind: str) -> str:
    return f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'newscrawl-har:{key}:{kind}')}>"


