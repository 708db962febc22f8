"""HTTP content codings undone as Scrapy's HttpCompressionMiddleware undoes them, for archived bodies read outside a
crawl: `newscrawl verify` (the digest of what the crawler parsed), the archive index (the head of every page, for
meta refreshes) and saved ``.gz`` pages (a cut one is read as far as it goes, like a cut record).

The same result as the crawler matters more than strictness: an item's body_sha256 is the digest of what Scrapy
decoded, so a body Scrapy decodes leniently must decode here to the same bytes. Like Scrapy 2.19:

- every coding it accepts (gzip, x-gzip, deflate, br, zstd) is undone, the last applied first; at the first it does
  not know, decoding stops and the rest stays encoded (Scrapy parses that body as it is);
- a stream cut short gives what it decoded before the cut (gzip: unless that is nothing); gzip reads every member;
  deflate is the zlib format or, when that fails, raw deflate (servers send both);
- a body that does not decode at all is a ValueError (Scrapy fails the response: no item carries it).

One exception, for archives other tools wrote: a body that is plainly a document (markup or JSON) where the headers
say it is compressed was stored decoded under the original Content-Encoding (a writer that kept what its HTTP
client had already decompressed). Scrapy fails such a response; the replay answers it without that header
(``not_applied``), and so it is read here as it is.

tests/test_archive_warc.py holds these equal to the installed Scrapy's middleware, case by case.
"""

from __future__ import annotations

import gzip
import io
import struct
import sys
import zlib

import brotli  # Scrapy's own dependency, like zstd below: it offers both to every server, and CDNs answer in them

if sys.version_info >= (3, 14):  # "as zstd": re-exported, reader.py reads warc-zstd files with it
    from compression import zstd as zstd
else:
    from backports import zstd as zstd

from newscrawl.archive.sniff import GZIP_MAGIC

DECODED = frozenset({"gzip", "x-gzip", "deflate", "br", "zstd"})
"""The codings undone; any other is left in place, and so is every coding applied before it."""
_CHUNK = 65536
_MAGIC = {"gzip": GZIP_MAGIC, "x-gzip": GZIP_MAGIC, "zstd": b"\x28\xb5\x2f\xfd"}
_DOCUMENT_STARTS = b"<{["
"""First bytes (after a BOM and white space) of HTML, XML and JSON: what a news page, sitemap or API answer is."""
_GZIP_CUT = (OSError, EOFError, struct.error)
"""What a gzip stream cut short raises while reading it."""


def named(values: list[str]) -> list[str]:
    """The codings Content-Encoding header values name, in the order applied, lower-cased ("identity" left out).

    >>> named(["gzip, Identity", "BR"])
    ['gzip', 'br']
    """
    codings = [coding.strip().lower() for value in values for coding in value.split(",")]
    return [coding for coding in codings if coding and coding != "identity"]


def not_applied(codings: list[str], body: bytes) -> bool:
    """Whether the last coding the headers name was never applied to `body`: the body is a document, and not
    data of that coding (gzip and zstd by their magic bytes; deflate and brotli because their start does not
    decode)."""
    if not codings or codings[-1] not in DECODED or not body:
        return False
    start = body[:256].removeprefix(b"\xef\xbb\xbf").lstrip()
    if not start or start[0] not in _DOCUMENT_STARTS:
        return False
    coding = codings[-1]
    if coding in _MAGIC:
        return not body.startswith(_MAGIC[coding])
    try:
        _head_of(coding, body, 64)
    except (zlib.error, brotli.error):
        return True
    return False


def decode(codings: list[str], body: bytes) -> bytes:
    """`body` with `codings` (Content-Encoding, in the order applied, lower-cased) undone as Scrapy does (and as
    the replay answers a body whose coding was never applied: as it is).

    Raises ValueError naming the coding when the data does not decode."""
    if not_applied(codings, body):
        return body
    for coding in reversed(codings):
        if coding not in DECODED:
            break
        try:
            body = _decode(coding, body)
        except (zlib.error, OSError, EOFError, struct.error, brotli.error, zstd.ZstdError) as exc:
            raise ValueError(f"cannot decode Content-Encoding {coding!r}: {exc}") from exc
    return body


def _decode(coding: str, data: bytes) -> bytes:
    if coding == "deflate":
        return _inflate(data)
    if coding == "br":
        return _unbrotli(data)
    if coding == "zstd":
        return _read_all(zstd.ZstdFile(io.BytesIO(data)), (EOFError,), keep_empty=True)
    return _read_all(gzip.GzipFile(fileobj=io.BytesIO(data)), _GZIP_CUT, keep_empty=False)


def gunzipped(data: bytes) -> tuple[bytes, bool]:
    """What gzip `data` inflates to, as `decode(["gzip"], …)` reads it, and whether the stream was cut short (then
    what came before the cut). Raises what gzip raises when nothing at all inflates.

    >>> page = " ".join(map(str, range(3000))).encode()
    >>> whole = gzip.compress(page)
    >>> gunzipped(whole) == (page, False), gunzipped(whole[:len(whole) // 2])[1]
    (True, True)
    """
    return _read_until_cut(gzip.GzipFile(fileobj=io.BytesIO(data)), _GZIP_CUT, keep_empty=False)


def _read_all(stream: gzip.GzipFile | zstd.ZstdFile, cut: tuple[type[Exception], ...], keep_empty: bool) -> bytes:
    return _read_until_cut(stream, cut, keep_empty)[0]


def _read_until_cut(stream: gzip.GzipFile | zstd.ZstdFile, cut: tuple[type[Exception], ...],
                    keep_empty: bool) -> tuple[bytes, bool]:
    """Everything `stream` decodes to, and whether it ended in one of the `cut` errors: then what came before (for
    gzip only when that is something, as Scrapy's gunzip)."""
    out = bytearray()
    while True:
        try:
            chunk = stream.read1(_CHUNK) if isinstance(stream, gzip.GzipFile) else stream.read(_CHUNK)
        except cut:
            if out or keep_empty:
                return bytes(out), True
            raise
        if not chunk:
            return bytes(out), False
        out += chunk


def _unbrotli(data: bytes) -> bytes:
    """In steps, as Scrapy: one call gives back at most one output buffer (32 KiB) of a stream that is not whole."""
    decompressor = brotli.Decompressor()
    out = bytearray(decompressor.process(data, output_buffer_limit=_CHUNK))
    while not decompressor.is_finished():
        chunk = decompressor.process(b"", output_buffer_limit=_CHUNK)
        if not chunk:
            break
        out += chunk
    return bytes(out)


def _inflate(data: bytes) -> bytes:
    try:
        inflater = zlib.decompressobj()
        first = inflater.decompress(data, _CHUNK)
    except zlib.error:  # raw deflate, without the zlib wrapper
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        first = inflater.decompress(data, _CHUNK)
    out = bytearray(first)
    while inflater.unconsumed_tail and not inflater.eof:
        out += inflater.decompress(inflater.unconsumed_tail, _CHUNK)
    return bytes(out)


def decoded_head(codings: list[str], body: bytes, size: int) -> bytes:
    """About the first `size` bytes of `decode(codings, body)`, decoding no more than that; b"" when it does not
    decode. Never the whole body: a few kilobytes of brotli or zstd may decode to gigabytes (a decompression
    bomb), and the archive index reads the head of every page."""
    if not_applied(codings, body):
        return body[:size]
    head = body
    try:
        for layer, coding in enumerate(reversed(codings)):
            if coding not in DECODED:
                break
            # An inner layer needs only a prefix of what the outer one decodes to: compressed data is rarely
            # larger than what it decodes to, and a shorter head only makes a refresh go unseen.
            head = _head_of(coding, head, size if layer == len(codings) - 1 else 64 * size)
    except (zlib.error, brotli.error, zstd.ZstdError):
        return b""
    return head[:size]


def _head_of(coding: str, data: bytes, size: int) -> bytes:
    if coding in {"gzip", "x-gzip"}:
        return _inflated_head(data, size, 16 + zlib.MAX_WBITS)
    if coding == "deflate":
        try:
            return _inflated_head(data, size, zlib.MAX_WBITS)
        except zlib.error:
            return _inflated_head(data, size, -zlib.MAX_WBITS)
    if coding == "br":
        return bytes(brotli.Decompressor().process(data, output_buffer_limit=size))
    out = b""
    while data and len(out) < size:  # zstd, frame by frame: a body may hold several
        decompressor = zstd.ZstdDecompressor()
        out += decompressor.decompress(data, size - len(out))
        if not decompressor.eof:
            break
        data = decompressor.unused_data
    return out


def _inflated_head(data: bytes, size: int, wbits: int = 16 + zlib.MAX_WBITS) -> bytes:
    """The first `size` bytes a gzip (or, by `wbits`, zlib or raw deflate) stream inflates to. The input goes in
    `size` bytes at a time: handed the whole body, zlib copies what it did not read into its unconsumed tail, which
    cost more than the inflating."""
    inflater = zlib.decompressobj(wbits)
    out, taken = b"", 0
    while len(out) < size and taken < len(data) and not inflater.eof:
        out += inflater.decompress(inflater.unconsumed_tail + data[taken:taken + size], size - len(out))
        taken += size
    return out
