"""WARC layer: writer → reader round trips, damage tolerance, and WARCs written by warcio and wget.

Everything runs offline; the warcio/wget tests fetch from a stdlib HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import importlib.util
import json
import logging
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import urllib.request
import zlib
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import brotli
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawl.archive import codings, warc, wholegzip
from newscrawl.archive.codings import zstd
from newscrawl.archive.exchanges import FILE_END
from newscrawl.archive.reader import RawRecord, holds_warc_records, scan_records
from newscrawl.archive.warc import (
    ArchivedExchange,
    ArchiveIndex,
    ArchiveProblem,
    ArchiveReadError,
    ArchiveRef,
    WarcWriter,
    iter_archive,
    read_at,
    read_warcinfo,
)

FETCHED_AT = datetime(2025, 3, 21, 13, 37, 0, 123456, tzinfo=timezone.utc)
WARCINFO = {"software": "newscrawl/0.1.0", "crawl-id": "test-crawl"}
PAGE = ("<html><head><title>Grüße</title></head><body>" + "news of the day " * 150 + "</body></html>").encode()


def page_body(i: int) -> bytes:
    """A gzip body (mtime 0: reproducible) large and random enough that damage lands inside deflate data."""
    text = f"<html><body><p>page {i}</p>{random.Random(i).randbytes(1500).hex()}</body></html>"
    return gzip.compress(text.encode(), mtime=0)


def write_exchange(writer: WarcWriter, i: int, **overrides: object) -> ArchiveRef:
    fields: dict[str, object] = dict(
        url=f"http://127.0.0.1/article/{i}?b=2&a=1", method="GET",
        request_headers=[("Host", "127.0.0.1"), ("Accept-Encoding", "gzip")], request_body=b"",
        status=200, reason="OK", http_version="HTTP/1.1",
        response_headers=[("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip"),
                          ("Set-Cookie", f"session={i}; Path=/"), ("Set-Cookie", "consent=no; Path=/")],
        body=page_body(i), fetched_at=FETCHED_AT + timedelta(seconds=i), remote_ip="127.0.0.1")
    fields.update(overrides)
    return writer.write_exchange(**fields)  # type: ignore[arg-type]


def write_archive(directory: Path, count: int = 5, *, gzip: bool = True, max_bytes: int = 10**9,
                  prefix: str = "crawl") -> list[ArchiveRef]:
    with WarcWriter(directory, prefix, max_bytes=max_bytes, warcinfo=WARCINFO, gzip=gzip) as writer:
        return [write_exchange(writer, i) for i in range(count)]


def split(path: Path) -> tuple[list[ArchivedExchange], list[ArchiveProblem]]:
    items = list(iter_archive(path))
    return ([i for i in items if isinstance(i, ArchivedExchange)],
            [i for i in items if isinstance(i, ArchiveProblem)])


def member_end(data: bytes, start: int) -> int:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    inflater.decompress(data[start:])
    return len(data) - len(inflater.unused_data)


def rewrite_member(path: Path, start: int, change: tuple[bytes, bytes]) -> None:
    """Replaces bytes inside one gzip member's decompressed record, recompressing only that member."""
    data = path.read_bytes()
    end = member_end(data, start)
    record = gzip.decompress(data[start:end])
    assert change[0] in record
    path.write_bytes(data[:start] + gzip.compress(record.replace(change[0], change[1], 1)) + data[end:])


def warcio_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """warcio's own CLI: ``python -m warcio`` if it has a __main__, else the console script beside python."""
    if importlib.util.find_spec("warcio.__main__"):
        command = [sys.executable, "-m", "warcio"]
    elif (script := Path(sys.executable).with_name("warcio")).exists():
        command = [str(script)]
    else:
        command = [sys.executable, "-m", "warcio.cli"]
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=60)


# --- writer → reader round trip ------------------------------------------------------------------------------

def test_round_trip_keeps_status_repeated_headers_body_and_digests(tmp_path: Path) -> None:
    refs = write_archive(tmp_path, 2)
    exchanges, problems = split(tmp_path)
    assert problems == []
    assert [e.record_id for e in exchanges] == [r.record_id for r in refs]
    first = exchanges[0]
    assert (first.url, first.status, first.reason, first.http_version) == (
        "http://127.0.0.1/article/0?b=2&a=1", 200, "OK", "HTTP/1.1")
    assert first.header_values("set-cookie") == ["session=0; Path=/", "consent=no; Path=/"]
    assert first.headers[:2] == [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")]
    assert first.body == page_body(0)  # still gzip: replay must see what the server sent
    assert first.decoded_body() == gzip.decompress(page_body(0))
    assert first.fetched_at == FETCHED_AT  # microseconds survive (WARC 1.1 dates)
    assert (first.request_method, first.remote_ip, first.digest_ok) == ("GET", "127.0.0.1", True)
    assert (first.file, first.offset) == (refs[0].file, refs[0].offset)
    assert first.warcinfo == {**WARCINFO, "format": "WARC File Format 1.1"}
    assert read_warcinfo(refs[0].file) == first.warcinfo


def test_offsets_are_usable_with_read_at(tmp_path: Path) -> None:
    refs = write_archive(tmp_path, 3)
    exchanges, _ = split(tmp_path)
    for ref, exchange in zip(refs, exchanges):
        assert read_at(ref.file, ref.offset) == exchange
    with pytest.raises(ArchiveReadError, match="warcinfo record, not an HTTP response"):
        read_at(refs[0].file, 0)


def test_index_reads_keep_a_few_files_open_and_answer_as_read_at(tmp_path: Path) -> None:
    """A replay re-reads one record per request: the index keeps the last files open instead of reopening, and
    a folder of more files than it keeps open still reads every record, in any order, as read_at does."""
    (tmp_path / "plain").mkdir()
    refs = write_archive(tmp_path, 24, max_bytes=4000, gzip=True) + write_archive(
        tmp_path / "plain", 4, gzip=False, prefix="plain")
    index = ArchiveIndex.build(tmp_path)
    assert len({ref.file for ref in refs}) > 8 and len(index) == len(refs)
    entries = sorted(index.entries, key=lambda entry: random.Random(entry.offset).random())
    opened = Path(f"/proc/{os.getpid()}/fd")
    before = len(list(opened.iterdir())) if opened.exists() else 0
    for _ in range(2):
        for entry in entries:
            assert index.read(entry) == read_at(entry.file, entry.offset)
    if opened.exists():
        assert len(list(opened.iterdir())) - before <= 8
    index.close()
    if opened.exists():
        assert len(list(opened.iterdir())) <= before


def test_chunked_header_is_renamed_so_the_record_stays_parseable(tmp_path: Path) -> None:
    headers = [("Transfer-Encoding", "chunked"), ("Content-Type", "text/html")]
    with WarcWriter(tmp_path, "c", max_bytes=10**6, warcinfo=WARCINFO) as writer:
        write_exchange(writer, 0, response_headers=headers, body=PAGE)
    [exchange], problems = split(tmp_path)
    assert problems == []
    assert exchange.headers == [("X-Newscrawl-Original-Transfer-Encoding", "chunked"), ("Content-Type", "text/html")]
    assert exchange.body == PAGE


def test_an_already_compressed_payload_is_stored_in_a_record_equal_to_the_uncompressed_files(tmp_path: Path) -> None:
    """A Content-Encoded payload is not deflated a second time: its bytes sit verbatim in stored deflate blocks of
    the record's gzip member (the headers before it still deflated), and the member decompresses to exactly the
    record an uncompressed file holds; a payload without a content coding is deflated as before."""
    identity = ("<html><body>" + "plain words " * 400 + "</body></html>").encode()
    files, offsets = {}, {}
    for compress in (True, False):
        folder = tmp_path / f"gzip-{compress}"
        folder.mkdir()
        with WarcWriter(folder, "stored", max_bytes=10**9, warcinfo=WARCINFO, gzip=compress) as writer:
            offsets[compress] = write_exchange(writer, 1).offset
            write_exchange(writer, 2, body=identity, response_headers=[("Content-Type", "text/html"),
                                                                       ("Content-Encoding", "identity")])
        files[compress] = (folder / "stored.warc.gz" if compress else folder / "stored.warc").read_bytes()
    packed, plain = files[True], files[False]
    assert page_body(1) in packed and identity not in packed
    uuid, first = re.compile(rb"<urn:uuid:[0-9a-f-]+>"), b"\r\n\r\nWARC/1.1\r\n"  # the end of warcinfo
    exchange_records = [uuid.sub(b"<id>", data.split(first, 1)[1]) for data in (gzip.decompress(packed), plain)]
    assert exchange_records[0] == exchange_records[1]  # the records after warcinfo (whose WARC-Filename differs)
    member = zlib.decompressobj(zlib.MAX_WBITS + 16)
    record = member.decompress(packed[offsets[True]:])
    assert member.eof and b"WARC-Type: response" in record and record.endswith(
        page_body(1) + b"\r\n\r\n")  # one member holds exactly one record
    exchanges = list(iter_archive(tmp_path / "gzip-True" / "stored.warc.gz"))
    assert all(isinstance(e, ArchivedExchange) and e.digest_ok for e in exchanges)
    assert [e.body for e in exchanges] == [page_body(1), identity]  # type: ignore[union-attr]


def test_non_ascii_header_bytes_come_back_unchanged(tmp_path: Path) -> None:
    # Header values are latin-1 views of the wire bytes: b"caf\xe9" (latin-1) and b"caf\xc3\xa9" (UTF-8).
    headers = [("X-Latin1", b"caf\xe9".decode("latin-1")), ("X-Utf8", "café".encode().decode("latin-1"))]
    with WarcWriter(tmp_path, "h", max_bytes=10**6, warcinfo=WARCINFO) as writer:
        write_exchange(writer, 0, response_headers=headers)
    [exchange], _ = split(tmp_path)
    assert [(n, v.encode("latin-1")) for n, v in exchange.headers] == [
        ("X-Latin1", b"caf\xe9"), ("X-Utf8", b"caf\xc3\xa9")]


def test_decoded_body_undoes_deflate_brotli_and_zstd_and_names_the_url_on_failure(tmp_path: Path) -> None:
    encoded = {"deflate": zlib.compress(PAGE), "br": brotli.compress(PAGE), "zstd": zstd.compress(PAGE),
               "compress": b"?", "gzip": b"not gzip"}
    with WarcWriter(tmp_path, "e", max_bytes=10**6, warcinfo=WARCINFO) as writer:
        for i, (coding, body) in enumerate(encoded.items()):
            write_exchange(writer, i, response_headers=[("Content-Encoding", coding)], body=body)
    deflate, br, zst, unknown, broken = split(tmp_path)[0]
    assert deflate.decoded_body() == br.decoded_body() == zst.decoded_body() == PAGE
    assert unknown.decoded_body() == b"?"  # left as it is, as Scrapy leaves it (and parses it)
    with pytest.raises(ValueError, match=r"article/4.*'gzip'"):
        broken.decoded_body()


@functools.cache  # brotli at its default quality takes a third of a second per call: built once, not per case
def _encodings() -> dict[str, tuple[str, bytes]]:
    """Bodies as servers and crawlers leave them: whole, cut short, several members, raw deflate, nested, unknown."""
    text = b"".join(b"<p>Paragraph %d of a page that does not repeat itself: %x.</p>" % (i, i * 7919)
                    for i in range(3000))
    gz, br, zs = gzip.compress(text), brotli.compress(text), zstd.compress(text)
    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return {
        "gzip": ("gzip", gz), "x-gzip": ("x-gzip", gz), "gzip-cut": ("gzip", gz[:len(gz) * 3 // 5]),
        "gzip-cut-to-nothing": ("gzip", gz[:12]), "gzip-two-members": ("gzip", gz + gzip.compress(b"<p>more</p>")),
        "gzip-trailing-garbage": ("gzip", gz + b"\0garbage"), "not-gzip": ("gzip", b"\x00\x01" + text),
        "gzip-never-applied": ("gzip", text),
        "deflate": ("deflate", zlib.compress(text)), "deflate-raw": ("deflate", raw.compress(text) + raw.flush()),
        "deflate-cut": ("deflate", zlib.compress(text)[:4000]),
        "br": ("br", br), "br-cut": ("br", br[:len(br) * 3 // 5]), "not-br": ("br", b"\xff" + text[:100]),
        "br-never-applied": ("br", text), "deflate-never-applied": ("deflate", text),
        "zstd": ("zstd", zs), "zstd-cut": ("zstd", zs[:len(zs) * 3 // 5]), "not-zstd": ("zstd", b"\x00" + text[:100]),
        "zstd-never-applied": ("zstd", b"\xef\xbb\xbf \n" + text), "json-never-applied": ("gzip", b'{"a": 1}'),
        "zstd-two-frames": ("zstd", zs + zstd.compress(b"<p>more</p>")),
        "gzip-then-br": ("gzip, br", brotli.compress(gz)), "twice-gzip": ("gzip", gzip.compress(gz)),
        "unknown-then-gzip": ("compress, gzip", gzip.compress(b"compressed?")),
        "gzip-then-unknown": ("gzip, compress", gz), "identity": ("identity", text),
    }


@pytest.mark.parametrize("case", list(_encodings()))
def test_a_body_decodes_to_what_scrapys_middleware_made_of_it(case: str) -> None:
    # verify compares the digest of this decoding with the digest of what the crawler parsed: Scrapy's
    # HttpCompressionMiddleware is lenient (a cut stream gives what came before the cut), so this must be too.
    from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
    from scrapy.http import Request, Response
    from scrapy.utils.test import get_crawler

    coding, body = _encodings()[case]
    exchange = ArchivedExchange("https://a.example/p", 200, "OK", "HTTP/1.1", [("Content-Encoding", coding)], body,
                                datetime.now(timezone.utc), "id", "f", 0)
    middleware = HttpCompressionMiddleware.from_crawler(get_crawler(settings_dict={"DOWNLOAD_MAXSIZE": 0}))
    if codings.not_applied(exchange.content_codings(), body):  # the replay answers it without that header
        assert exchange.decoded_body() == body
        return
    try:
        crawled = middleware.process_response(Request(exchange.url), Response(
            exchange.url, headers={"Content-Encoding": coding}, body=body)).body
    except Exception:  # Scrapy fails the response: no item was made of it, and here it is one error
        with pytest.raises(ValueError, match="cannot decode Content-Encoding"):
            exchange.decoded_body()
    else:
        assert exchange.decoded_body() == crawled


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br", "zstd"])
def test_a_damaged_compressed_body_costs_only_its_own_record(tmp_path: Path, coding: str) -> None:
    # A body that does not decode was a brotli.error, which no caller expected: the index build (it looks for meta
    # refreshes in every page) died on it, and the whole archive replayed nothing.
    with WarcWriter(tmp_path, "e", max_bytes=10**6, warcinfo=WARCINFO) as writer:
        write_exchange(writer, 0, response_headers=[("Content-Encoding", coding)],
                       body=b'\x00\x01<meta http-equiv="refresh" content="0; url=/x"> not ' + coding.encode())
        write_exchange(writer, 1)
    damaged, intact = split(tmp_path)[0]
    with pytest.raises(ValueError, match=rf"article/0\?b=2&a=1: cannot decode Content-Encoding '{coding}'"):
        damaged.decoded_body()
    index = ArchiveIndex.build_now(tmp_path)
    assert len(index) == 2 and index.refreshing == set()
    found = index.lookup(intact.url)
    assert found is not None and found.decoded_body() == intact.decoded_body()


def test_writer_refuses_naive_dates_and_existing_files(tmp_path: Path) -> None:
    write_archive(tmp_path, 1)
    with pytest.raises(FileExistsError, match="never overwritten"):
        WarcWriter(tmp_path, "crawl", max_bytes=10**6, warcinfo=WARCINFO)
    with WarcWriter(tmp_path, "other", max_bytes=10**6, warcinfo=WARCINFO) as writer:
        with pytest.raises(ValueError, match="timezone-aware"):
            write_exchange(writer, 0, fetched_at=datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="software"):
        WarcWriter(tmp_path, "third", max_bytes=10**6, warcinfo={})


# --- files: rotation, .open, warcio's own tools --------------------------------------------------------------

def test_rotation_starts_a_new_file_between_exchanges(tmp_path: Path) -> None:
    refs = write_archive(tmp_path, 5, max_bytes=4000)
    names = sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".cdxj"))
    # every finished file has its CDXJ index beside it
    assert sorted(p.name for p in tmp_path.glob("*.cdxj")) == sorted(f"{name}.cdxj" for name in names)
    assert names == ["crawl-00001.warc.gz", "crawl-00002.warc.gz", "crawl.warc.gz"]
    assert [Path(r.file).name for r in refs] == ["crawl.warc.gz"] * 2 + ["crawl-00001.warc.gz"] * 2 + [
        "crawl-00002.warc.gz"]
    for name in names:
        assert read_warcinfo(tmp_path / name)["crawl-id"] == "test-crawl"
    for ref in refs:  # each response is followed by its request in the same file: no pair was split
        assert read_at(ref.file, ref.offset).request_method == "GET"
    exchanges, problems = split(tmp_path)
    assert problems == [] and [e.record_id for e in exchanges] == [r.record_id for r in refs]


def test_open_file_is_readable_while_written_and_renamed_on_close(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path, "live", max_bytes=10**6, warcinfo=WARCINFO)
    refs = [write_exchange(writer, i) for i in range(2)]
    assert [p.name for p in tmp_path.iterdir()] == ["live.warc.gz.open"]
    assert refs[0].file == str(tmp_path / "live.warc.gz") == writer.files[0]  # refs name the final file
    # A killed crawl leaves exactly this state: every finished record is readable.
    exchanges, problems = split(tmp_path / "live.warc.gz.open")
    assert problems == [] and len(exchanges) == 2
    assert read_at(refs[1].file, refs[1].offset).record_id == refs[1].record_id  # falls back to .open
    writer.close()
    writer.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["live.warc.gz", "live.warc.gz.cdxj"]
    assert read_at(str(tmp_path / "live.warc.gz.open"), refs[1].offset).record_id == refs[1].record_id


@pytest.mark.parametrize("compress", [True, False], ids=["warc.gz", "warc"])
def test_warcio_check_and_index_accept_our_files(tmp_path: Path, compress: bool) -> None:
    refs = write_archive(tmp_path, 3, gzip=compress)
    check = warcio_cli("check", "-v", refs[0].file)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count("digest pass") == 7  # warcinfo + 3 × (response, request)
    index = warcio_cli("index", "-f", "offset,warc-type,warc-target-uri", refs[0].file)
    assert index.returncode == 0, index.stderr
    rows = [json.loads(line) for line in index.stdout.splitlines()]
    assert [int(r["offset"]) for r in rows if r["warc-type"] == "response"] == [r.offset for r in refs]


# --- damage ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("compress", [True, False], ids=["warc.gz", "warc"])
def test_truncated_file_yields_every_earlier_record_and_the_cut_one_as_far_as_it_goes(tmp_path: Path,
                                                                                      compress: bool) -> None:
    """A killed wget leaves its last record cut inside its payload: what the file holds of it is read, flagged
    file-end (its item body_truncated), and the cut is still a `truncated` problem. Until 2026-12-07 the record was
    only the problem, and its article lost."""
    refs = write_archive(tmp_path, 4, gzip=compress)
    path = Path(refs[0].file)
    whole = path.read_bytes()
    path.write_bytes(whole[: refs[2].offset + 700])  # cut inside the third response's payload
    exchanges, problems = split(path)
    assert [e.record_id for e in exchanges] == [r.record_id for r in refs[:3]]
    assert [e.truncated for e in exchanges] == [None, None, FILE_END]
    assert page_body(2).startswith(exchanges[2].body) and 0 < len(exchanges[2].body) < len(page_body(2))
    assert [(p.offset, p.kind, p.uri) for p in problems] == [(refs[2].offset, "truncated", exchanges[2].url)]
    assert "the record is read as far as it goes" in problems[0].message
    again = warc.read_at(path, refs[2].offset, refs[2].record_id)
    assert (again.body, again.truncated) == (exchanges[2].body, FILE_END)


def test_a_content_length_past_the_end_of_the_file_with_records_after_it_is_no_cut(tmp_path: Path) -> None:
    """In a plain WARC a Content-Length damaged into a number past the file's end reads to the end like a cut, but
    the records after it say otherwise: the record is only its problem (read as far as it goes, its block would
    hold the records after it, and its item their bytes), and they are read as they are."""
    refs = write_archive(tmp_path, 4, gzip=False)
    path = Path(refs[0].file)
    data = path.read_bytes()
    record = data[refs[1].offset:refs[2].offset]
    length_at = refs[1].offset + record.index(b"Content-Length: ") + len(b"Content-Length: ")
    digits = len(record.split(b"Content-Length: ")[1].split(b"\r\n")[0])
    path.write_bytes(data[:length_at] + b"9" * digits + data[length_at + digits:])
    exchanges, problems = split(path)
    assert [e.record_id for e in exchanges] == [refs[0].record_id, *(r.record_id for r in refs[2:])]
    assert [(p.offset, p.kind) for p in problems] == [(refs[1].offset, "truncated")]
    assert "read as far as it goes" not in problems[0].message


def test_a_record_cut_inside_its_http_header_is_only_a_problem(tmp_path: Path) -> None:
    """The header read up to a cut is not the response's (its Content-Type, its Content-Encoding may be past the
    cut): nothing of the record is replayed."""
    refs = write_archive(tmp_path, 4, gzip=False)
    path = Path(refs[0].file)
    data = path.read_bytes()
    record = data[refs[2].offset:refs[3].offset]
    http_start = record.index(b"\r\n\r\n") + 4
    path.write_bytes(data[:refs[2].offset + http_start + 40])  # inside the status line and headers
    exchanges, problems = split(path)
    assert [e.record_id for e in exchanges] == [r.record_id for r in refs[:2]]
    assert [(p.offset, p.kind) for p in problems] == [(refs[2].offset, "truncated")]
    assert "read as far as it goes" not in problems[0].message


@pytest.mark.parametrize("content", [b"", gzip.compress(b"")], ids=["zero-bytes", "gzip-of-nothing"])
def test_an_archive_file_without_a_single_record_is_damaged_input(tmp_path: Path, content: bytes) -> None:
    """A download or crawl that failed leaves an empty .warc.gz: it was only a warning about its warcinfo, and a
    replay of it ended as if the archive were fine but had nothing to discover."""
    refs = write_archive(tmp_path, 1)
    (tmp_path / "zz-empty.warc.gz").write_bytes(content)
    index = ArchiveIndex.build_now(tmp_path)
    assert [(Path(p.file).name, p.offset, p.kind) for p in index.problems] == [("zz-empty.warc.gz", 0, "empty")]
    assert [entry.record_id for entry in index.entries if entry.status == 200] == [refs[0].record_id]


def test_corrupt_gzip_member_in_the_middle_costs_only_that_record(tmp_path: Path) -> None:
    refs = write_archive(tmp_path, 5)
    path = Path(refs[0].file)
    data = bytearray(path.read_bytes())
    resumed_at = member_end(bytes(data), refs[2].offset)  # where the intact request member after it starts
    middle = (refs[2].offset + resumed_at) // 2
    data[middle:middle + 16] = bytes(b ^ 0x5A for b in data[middle:middle + 16])
    path.write_bytes(bytes(data))
    exchanges, problems = split(path)
    assert [e.record_id for e in exchanges] == [r.record_id for i, r in enumerate(refs) if i != 2]
    assert [(p.offset, p.kind) for p in problems] == [(refs[2].offset, "gzip")]
    assert f"resumed at offset {resumed_at}" in problems[0].message
    assert exchanges[2].request_method == "GET"


@pytest.mark.parametrize("delta", [-10, 10], ids=["too-short", "too-long"])
def test_wrong_content_length_in_gzip_member(tmp_path: Path, delta: int) -> None:
    refs = write_archive(tmp_path, 4)
    path = Path(refs[0].file)
    record = gzip.decompress(path.read_bytes()[refs[1].offset:member_end(path.read_bytes(), refs[1].offset)])
    length = int(record.split(b"Content-Length: ")[1].split(b"\r\n")[0])
    rewrite_member(path, refs[1].offset, (b"Content-Length: %d" % length, b"Content-Length: %d" % (length + delta)))
    exchanges, problems = split(path)
    # the member bounds the record: it is read whole, and the miscount reported
    assert [e.record_id for e in exchanges] == [r.record_id for r in refs]
    assert exchanges[1].body == page_body(1) and exchanges[1].digest_ok
    assert [(p.offset, p.kind) for p in problems] == [(refs[1].offset, "length")]


@pytest.mark.parametrize("delta", [-10, 10], ids=["too-short", "too-long"])
def test_wrong_content_length_in_uncompressed_file_resyncs(tmp_path: Path, delta: int) -> None:
    refs = write_archive(tmp_path, 4, gzip=False)
    path = Path(refs[0].file)
    data = path.read_bytes()
    start = data.index(b"Content-Length: ", refs[1].offset) + len(b"Content-Length: ")
    end = data.index(b"\r\n", start)
    new = str(int(data[start:end]) + delta).encode()
    assert len(new) == end - start  # same width, so every later offset stays valid
    path.write_bytes(data[:start] + new + data[end:])
    exchanges, problems = split(path)
    # the block digest proves the bytes up to the next record header are the block: read whole, miscount reported
    assert [e.record_id for e in exchanges] == [r.record_id for r in refs]
    assert exchanges[1].body == page_body(1) and exchanges[1].digest_ok
    assert [(p.offset, p.kind) for p in problems] == [(refs[1].offset, "length")]
    path.write_bytes(re.sub(rb"WARC-Block-Digest: [^\r]*\r\n", b"", path.read_bytes()))
    exchanges, problems = split(path)  # no digest to prove it: the record is lost, the rest kept
    assert [e.record_id for e in exchanges] == [r.record_id for i, r in enumerate(refs) if i != 1]
    assert [p.kind for p in problems] == ["length"]


def test_a_response_record_holding_the_bare_page_is_read_as_the_page(tmp_path: Path) -> None:
    """Some writers store a page in a `response` record without its HTTP envelope, saying so in the record's own
    Content-Type (text/html, not application/http): read as an HTTP message its page was an "unusable status line"
    and lost. It is read as a resource record is; a record that claims HTTP and holds none is still a problem, and
    a DNS answer is still skipped."""
    path = tmp_path / "bare.warc"
    path.write_bytes(
        _record(b"WARC/1.1", b"response", "https://bare.example.org/story", PAGE, b"text/html; charset=utf-8")
        + _record(b"WARC/1.1", b"response", "https://bare.example.org/claims-http", PAGE,
                  b"application/http; msgtype=response")
        + _record(b"WARC/1.0", b"response", "dns:bare.example.org", b"20250321133705\nbare.example.org. 300 IN A "
                  b"127.0.0.1\n", b"text/dns")
        # an empty block holds no page either way: skipped as before, not a 200 with nothing in it
        + _record(b"WARC/1.1", b"response", "https://bare.example.org/empty-http", b"",
                  b"application/http; msgtype=response")
        + _record(b"WARC/1.1", b"response", "https://bare.example.org/empty-html", b"", b"text/html"))
    exchanges, problems = split(path)
    assert [(e.url, e.status, e.content_type(), e.body) for e in exchanges] == [
        ("https://bare.example.org/story", 200, "text/html; charset=utf-8", PAGE)]
    assert [(p.kind, "unusable status line" in p.message) for p in problems] == [("record", True)]
    index = ArchiveIndex.build_now(path)
    assert index.urls() == ["https://bare.example.org/story"] and index.skipped == {"response-without-http": 3}


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz", "saved-by-an-editor.txt"])
def test_a_plain_warc_behind_a_byte_order_mark_is_read_whole(tmp_path: Path, name: str) -> None:
    """A text editor that saved a plain WARC may put a UTF-8 byte order mark in front of its first record: the
    warcinfo it hid was a problem, and a file not named .warc was not taken for a WARC at all."""
    refs = write_archive(tmp_path, 3, gzip=False)
    marked = tmp_path / "marked"
    marked.mkdir()
    path = marked / name
    path.write_bytes(b"\xef\xbb\xbf" + Path(refs[0].file).read_bytes())
    items = list(scan_records(path))
    assert not [item for item in items if isinstance(item, ArchiveProblem)]
    assert [item.rec_type for item in items if isinstance(item, RawRecord)][0] == "warcinfo"
    assert holds_warc_records(path)
    exchanges, problems = split(path)
    assert [e.record_id for e in exchanges] == [r.record_id for r in refs] and not problems


@pytest.mark.parametrize("junk", ["zeros-at-the-end", "junk-between"])
def test_bytes_after_a_whole_record_cost_only_themselves(tmp_path: Path, junk: str) -> None:
    """A plain WARC whose last record is followed by zeros (a crashed writer's preallocated tail), or with junk
    after a response: the record before it, whole by its block digest and ended by its blank lines, is kept; the
    junk is a problem of its own. It used to cost the record before it."""
    refs = write_archive(tmp_path, 4, gzip=False)
    path = Path(refs[0].file)
    data = path.read_bytes()
    records = [r for r in scan_records(path) if isinstance(r, RawRecord)]
    if junk == "zeros-at-the-end":
        path.write_bytes(data + b"\0" * 4096)
    else:
        response = refs[2].offset
        assert response is not None
        after = min(r.offset for r in records if r.offset > response)  # the record after response 2
        path.write_bytes(data[:after] + b"left over by something else\n" * 40 + data[after:])
    found = list(scan_records(path))
    assert len([r for r in found if isinstance(r, RawRecord)]) == len(records)
    assert [p.kind for p in found if isinstance(p, ArchiveProblem)] == ["record"]
    exchanges, _ = split(path)
    assert [e.record_id for e in exchanges] == [r.record_id for r in refs] and all(e.digest_ok for e in exchanges)
    path.write_bytes(re.sub(rb"WARC-Block-Digest: [^\r]*\r\n", b"", path.read_bytes()))
    found = list(scan_records(path))  # nothing proves the block whole: a record quoted in a page looks the same
    assert len([r for r in found if isinstance(r, RawRecord)]) == len(records) - 1
    assert [p.kind for p in found if isinstance(p, ArchiveProblem)][0] == "length"


@pytest.mark.parametrize("mid_line", [False, True], ids=["at-a-line-end", "mid-line"])
@pytest.mark.parametrize("torn", ["response", "request"])
def test_a_record_cut_short_inside_its_header_is_a_problem_and_the_next_record_is_read(tmp_path: Path, torn: str,
                                                                                       mid_line: bool) -> None:
    """A plain WARC has no boundary but its text: a record cut short inside its WARC header (a writer killed
    mid-record, the file appended to later) runs on into the next record's header, whose fields then repeat. Read
    as one record, the next one was lost without a word (a response read as a request); now the cut record is a
    problem of its own and the next one is read."""
    refs = write_archive(tmp_path, 4, gzip=False)
    path = Path(refs[0].file)
    data = path.read_bytes()
    starts = [found.start() + 4 for found in re.finditer(rb"\r\n\r\nWARC/1\.", data)]
    response = refs[1].offset
    cut = response if torn == "response" else min(start for start in starts if start > response)  # its request
    following = min(start for start in starts if start > cut)
    tear = data.index(b"\r\n", data.index(b"WARC-Record-ID", cut)) + 2 + (9 if mid_line else 0)
    assert tear < data.index(b"\r\n\r\n", cut), "the tear is inside the header"
    path.write_bytes(data[:tear] + data[following:])
    exchanges, problems = split(path)
    assert [e.record_id for e in exchanges] == [r.record_id for i, r in enumerate(refs)
                                                if not (torn == "response" and i == 1)]
    assert [(p.offset, p.kind) for p in problems] == [(cut, "record")]
    assert "cut short inside its header" in problems[0].message


@pytest.mark.parametrize("compress", [True, False], ids=["warc.gz", "warc"])
def test_flipped_payload_byte_is_a_digest_problem_and_still_yielded(tmp_path: Path, compress: bool) -> None:
    refs = write_archive(tmp_path, 3, gzip=compress)
    path = Path(refs[0].file)
    needle = page_body(1)[-40:]
    if compress:
        rewrite_member(path, refs[1].offset, (needle, bytes([needle[0] ^ 1]) + needle[1:]))
    else:
        data = bytearray(path.read_bytes())
        data[data.index(needle)] ^= 1
        path.write_bytes(bytes(data))
    exchanges, problems = split(path)
    assert [e.digest_ok for e in exchanges] == [True, False, True]
    assert [(p.offset, p.kind) for p in problems] == [(refs[1].offset, "digest")]
    assert f"at offset {refs[1].offset}" in problems[0].message
    assert read_at(refs[1].file, refs[1].offset).digest_ok is False


# --- index ----------------------------------------------------------------------------------------------------

def test_index_keeps_positions_and_rereads_lazily(tmp_path: Path) -> None:
    older = write_archive(tmp_path, 2, prefix="a-first")
    with WarcWriter(tmp_path, "b-second", max_bytes=10**6, warcinfo=WARCINFO) as writer:
        newer = write_exchange(writer, 1, body=page_body(99))  # the same URL again, later in archive order
    index = ArchiveIndex.build(tmp_path)
    url = "http://127.0.0.1/article/1?b=2&a=1"
    assert len(index) == 3 and index.problems == [] and url in index
    assert [e.record_id for e in index.captures(url)] == [older[1].record_id, newer.record_id]
    entry = index.entry(url)
    assert entry is not None and (entry.file, entry.offset) == (newer.file, newer.offset)
    latest = index.lookup(url)
    assert latest is not None and latest.body == page_body(99) and latest.request_method == "GET"
    assert latest.warcinfo["crawl-id"] == "test-crawl"
    # Fallback: canonical form (query order, fragment) finds the same capture; unknown URLs find nothing.
    canonical = index.lookup("http://127.0.0.1/article/1?a=1&b=2#comments")
    assert canonical is not None and canonical.record_id == newer.record_id
    assert index.lookup("http://127.0.0.1/article/7") is None
    assert index.read(index.captures(url)[0]).body == page_body(1)


def test_index_collects_problems_and_keeps_going(tmp_path: Path) -> None:
    refs = write_archive(tmp_path, 3)
    path = Path(refs[0].file)
    path.write_bytes(path.read_bytes()[: refs[2].offset + 50])
    index = ArchiveIndex.build(tmp_path)
    assert len(index) == 2
    assert [(p.file, p.offset, p.kind) for p in index.problems] == [(str(path), refs[2].offset, "truncated")]


# --- WARCs written by other tools -----------------------------------------------------------------------------

class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # keep pytest output clean
        pass

    def do_GET(self) -> None:
        compressed = "gzip" in self.path
        body = gzip.compress(PAGE, mtime=0) if compressed else PAGE
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Set-Cookie", "a=1")
        self.send_header("Set-Cookie", "b=2")
        if compressed:
            self.send_header("Content-Encoding", "gzip")
        if "chunked" in self.path:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(body), 500):
                part = body[start:start + 500]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


PATHS = ["/chunked-gzip", "/gzip", "/chunked", "/plain"]


def check_foreign_exchanges(exchanges: list[ArchivedExchange], server: str) -> None:
    assert [e.url for e in exchanges] == [server + p for p in PATHS]
    for exchange in exchanges:
        assert exchange.status == 200 and exchange.digest_ok and exchange.request_method == "GET"
        assert exchange.header_values("Set-Cookie") == ["a=1", "b=2"]
        assert exchange.header_values("Transfer-Encoding") == []  # de-chunked, so the header went with it
        assert exchange.decoded_body() == PAGE
        assert exchange.body.startswith(b"\x1f\x8b") == ("gzip" in exchange.url)  # not content-decoded


def test_warc_from_warcio_capture_http(tmp_path: Path, server: str) -> None:
    from warcio.capture_http import capture_http  # patches http.client, so only imported here

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy: loopback only
    path = tmp_path / "captured.warc.gz"
    with capture_http(str(path), gzip=True):
        for page in PATHS:
            with opener.open(server + page, timeout=5) as response:
                response.read()
    exchanges, problems = split(path)
    assert problems == []
    check_foreign_exchanges(exchanges, server)


@pytest.mark.skipif(shutil.which("wget") is None, reason="wget is not installed (apt-get install -y wget)")
def test_warc_from_wget_with_revisit_resource_and_metadata_records(tmp_path: Path, server: str) -> None:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    wget = ["wget", "--quiet", "--no-proxy", "--tries=1", "--timeout=5", "-e", "robots=off", "-O", "/dev/null"]
    # First run: uncompressed .warc plus a CDX; second run dedups against it, so /plain becomes a revisit.
    subprocess.run([*wget, f"--warc-file={tmp_path / 'first'}", "--no-warc-compression", "--warc-cdx",
                    *[server + p for p in PATHS]], check=True, env=env, cwd=tmp_path, timeout=30)
    subprocess.run([*wget, f"--warc-file={tmp_path / 'second'}", f"--warc-dedup={tmp_path / 'first.cdx'}",
                    server + "/plain"], check=True, env=env, cwd=tmp_path, timeout=30)
    exchanges, problems = split(tmp_path / "first.warc")
    assert problems == []
    check_foreign_exchanges(exchanges, server)
    assert exchanges[0].warcinfo["software"].startswith("Wget/")
    index = ArchiveIndex.build(tmp_path)
    # wget's revisit (WARC-Refers-To-Target-URI + Date) is answered with /plain's first capture
    assert index.problems == [] and len(index) == 5 and index.revisits_resolved == 1
    assert index.skipped == {"metadata": 2, "resource": 4}
    original, revisit = index.captures(server + "/plain")
    assert revisit.revisit and (revisit.file, revisit.offset) == (original.file, original.offset)
    replayed = index.lookup(server + "/plain")
    assert replayed is not None and replayed.record_id == original.record_id


# ---- WARC variants written by other tools, built byte for byte where no installable tool writes them ----------
def _record(version: bytes, rec_type: bytes, uri: str, block: bytes, content_type: bytes, extra: bytes = b"") -> bytes:
    """One WARC record written to the letter of the spec (WARC/1.0 §5 / WARC/1.1 §5)."""
    head = (version + b"\r\nWARC-Type: " + rec_type + b"\r\nWARC-Target-URI: " + uri.encode() +
            b"\r\nWARC-Date: 2025-03-21T13:37:05Z\r\nWARC-Record-ID: <urn:uuid:" +
            hashlib.sha256(uri.encode() + rec_type).hexdigest()[:32].encode() + b">\r\nContent-Type: " + content_type +
            b"\r\n" + extra + b"Content-Length: " + str(len(block)).encode() + b"\r\n\r\n")
    return head + block + b"\r\n\r\n"


def _http(body: bytes, *headers: bytes) -> bytes:
    lines = b"".join(h + b"\r\n" for h in headers)
    return b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n" + lines + b"\r\n" + body


def variant_records(base: str) -> list[bytes]:
    page = PAGE
    gz_body = gzip.compress(page)
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(page[i:i + 700]), page[i:i + 700]) for i in range(0, len(page), 700))
    return [
        # WARC/1.0 response without a request record (Heritrix-era archives)
        _record(b"WARC/1.0", b"response", f"{base}/v10", _http(page, b"Content-Length: %d" % len(page)),
                b"application/http; msgtype=response"),
        # WARC/1.1 response whose payload is gzip Content-Encoded and chunked, as sent
        _record(b"WARC/1.1", b"response", f"{base}/v11-gzip-chunked",
                _http(b"".join(b"%x\r\n%s\r\n" % (len(gz_body), gz_body) for _ in [0]) + b"0\r\n\r\n",
                      b"Content-Encoding: gzip", b"Transfer-Encoding: chunked"),
                b"application/http;msgtype=response"),
        _record(b"WARC/1.1", b"response", f"{base}/chunked", _http(chunked + b"0\r\n\r\n",
                                                                   b"Transfer-Encoding: chunked"),
                b"application/http;msgtype=response"),
        # a resource record: the page itself with no HTTP envelope (Browsertrix, wget of local files)
        _record(b"WARC/1.1", b"resource", f"{base}/resource", page, b"text/html; charset=utf-8"),
        # records replay ignores: metadata and conversion
        _record(b"WARC/1.1", b"metadata", f"{base}/v10", b"outlinks: x\r\n", b"application/warc-fields"),
        _record(b"WARC/1.1", b"conversion", f"{base}/v10", b"text", b"text/plain"),
        # a revisit of /v10 under another URL (WARC/1.1 §6.7.2): answered with /v10's capture
        _record(b"WARC/1.1", b"revisit", f"{base}/revisit-by-uri", b"HTTP/1.1 200 OK\r\n\r\n",
                b"application/http;msgtype=response",
                b"WARC-Profile: http://netpreserve.org/warc/1.1/revisit/identical-payload-digest\r\n"
                b"WARC-Refers-To-Target-URI: " + f"{base}/v10".encode() + b"\r\n"),
        # WARC/1.0's identical-payload-digest revisit names its original by payload digest alone
        _record(b"WARC/1.0", b"revisit", f"{base}/revisit-by-digest", b"HTTP/1.1 200 OK\r\n\r\n",
                b"application/http;msgtype=response",
                b"WARC-Profile: http://netpreserve.org/warc/1.0/revisit/identical-payload-digest\r\n"
                b"WARC-Payload-Digest: sha1:" + base64.b32encode(hashlib.sha1(page).digest()) + b"\r\n"),
        # a revisit whose original is not in this archive: nothing to replay, a counted skip
        _record(b"WARC/1.1", b"revisit", f"{base}/gone", b"HTTP/1.1 200 OK\r\n\r\n",
                b"application/http;msgtype=response",
                b"WARC-Refers-To-Target-URI: " + f"{base}/not-archived".encode() + b"\r\n"
                b"WARC-Refers-To-Date: 2024-01-01T00:00:00Z\r\n"),
    ]


@pytest.mark.parametrize("packing", ["plain", "per-record-gzip", "whole-file-gzip"])
def test_warc_variants_read_as_responses(tmp_path: Path, packing: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSCRAWL_PLAIN_CACHE", str(tmp_path / "cache"))
    base = "https://variants.example.org"
    records = variant_records(base)
    path = tmp_path / ("v.warc" if packing == "plain" else "v.warc.gz")
    if packing == "plain":
        path.write_bytes(b"".join(records))
    elif packing == "per-record-gzip":
        path.write_bytes(b"".join(gzip.compress(record) for record in records))
    else:
        path.write_bytes(gzip.compress(b"".join(records)))
    exchanges, problems = split(path)
    assert problems == []
    assert [e.url for e in exchanges] == [f"{base}/v10", f"{base}/v11-gzip-chunked", f"{base}/chunked",
                                          f"{base}/resource"]
    for exchange in exchanges:
        assert exchange.status == 200 and exchange.decoded_body() == PAGE, exchange.url
        assert read_at(path, exchange.offset).record_id == exchange.record_id  # offsets seek, whatever the packing
    index = ArchiveIndex.build(path)
    assert index.skipped == {"metadata": 1, "conversion": 1, "revisit-unresolved": 1}
    assert index.revisits_resolved == 2
    by_uri, by_digest = index.lookup(f"{base}/revisit-by-uri"), index.lookup(f"{base}/revisit-by-digest")
    assert by_uri is not None and by_digest is not None and index.lookup(f"{base}/gone") is None
    assert by_uri.url == f"{base}/revisit-by-uri" and by_uri.record_id == exchanges[0].record_id
    assert by_uri.decoded_body() == by_digest.decoded_body() == PAGE
    assert by_digest.record_id in {e.record_id for e in exchanges if e.body == PAGE}


def test_a_digest_only_revisit_answers_with_the_capture_whose_payload_it_names(tmp_path: Path) -> None:
    """Built byte for byte from WARC/1.0 §8.3 (identical-payload-digest, no refers-to fields, as older Heritrix
    writes): the URL was captured twice with different pages; the revisit names the first by its digest, so the
    replayed page is the first one, not the URL's latest capture."""
    base = "https://variants.example.org"
    first, second = PAGE, PAGE.replace(b"</body>", b"<p>Updated later.</p></body>")
    records = [
        _record(b"WARC/1.0", b"response", f"{base}/story", _http(first), b"application/http; msgtype=response"),
        _record(b"WARC/1.0", b"response", f"{base}/story", _http(second), b"application/http; msgtype=response"),
        _record(b"WARC/1.0", b"revisit", f"{base}/story", b"HTTP/1.1 200 OK\r\n\r\n",
                b"application/http; msgtype=response",
                b"WARC-Profile: http://netpreserve.org/warc/1.0/revisit/identical-payload-digest\r\n"
                b"WARC-Payload-Digest: sha1:" + base64.b32encode(hashlib.sha1(first).digest()) + b"\r\n"),
    ]
    path = tmp_path / "dedup.warc"
    path.write_bytes(b"".join(records))
    index = ArchiveIndex.build(path)
    assert index.revisits_resolved == 1 and not index.skipped
    replayed = index.lookup(f"{base}/story")
    assert replayed is not None and replayed.decoded_body() == first


def test_the_index_counts_the_urls_captured_in_full_more_than_once_with_payloads_that_may_differ(
        tmp_path: Path) -> None:
    """A replay answers each URL with one capture; the others are not errors but versions the feed will not hold,
    so the replay says how many URLs have them. Identical payloads (the same digest twice) are not versions."""
    base = "https://versions.example.org"
    edited = PAGE.replace(b"</body>", b"<p>Updated later.</p></body>")

    def digested(uri: str, page: bytes) -> bytes:
        return _record(b"WARC/1.0", b"response", uri, _http(page), b"application/http; msgtype=response",
                       b"WARC-Payload-Digest: sha1:" + base64.b32encode(hashlib.sha1(page).digest()) + b"\r\n")

    records = [digested(f"{base}/edited", PAGE), digested(f"{base}/edited", edited),
               digested(f"{base}/same", PAGE), digested(f"{base}/same", PAGE), digested(f"{base}/once", PAGE),
               # no digests recorded: the two captures may differ
               _record(b"WARC/1.0", b"response", f"{base}/undigested", _http(PAGE), b"application/http; msgtype=response"),
               _record(b"WARC/1.0", b"response", f"{base}/undigested", _http(edited),
                       b"application/http; msgtype=response")]
    path = tmp_path / "versions.warc"
    path.write_bytes(b"".join(records))
    index = ArchiveIndex.build(path)
    assert (index.url_count(), index.several_versions_count()) == (4, 2)


def test_whole_file_gzip_cut_short_keeps_every_intact_record(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSCRAWL_PLAIN_CACHE", str(tmp_path / "cache"))
    records = variant_records("https://variants.example.org")[:4]
    whole = gzip.compress(b"".join(records))
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(whole[: len(whole) * 3 // 4])
    exchanges, problems = split(path)
    assert 1 <= len(exchanges) < 4 and [p.kind for p in problems] == ["truncated"]


@pytest.mark.parametrize("size", [len(PAGE), 3 * 1024 * 1024], ids=["small", "record-over-the-1MiB-block"])
def test_a_file_of_one_record_in_one_gzip_member_is_read_in_place(tmp_path: Path, size: int,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Per-page capture tools write one response per .warc.gz: one member, ending at its one record's end, is the
    standard's layout. It was judged a whole-file gzip (no member followed it) and inflated into the cache: 30
    copies for 30 pages, and with the cache unwritable, a valid file stopped the replay."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("NEWSCRAWL_PLAIN_CACHE", str(cache))
    body = (PAGE * (size // len(PAGE) + 1))[:size]
    path = tmp_path / "page.warc.gz"
    path.write_bytes(gzip.compress(_record(b"WARC/1.1", b"response", "https://single.example.org/story",
                                           _http(body), b"application/http; msgtype=response")))
    assert wholegzip.plain_copy(path) is None and not cache.exists()
    exchanges, problems = split(path)
    assert problems == [] and [e.decoded_body() for e in exchanges] == [body]


def test_a_member_holding_a_record_and_the_start_of_another_is_still_inflated(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The other side of the rule: one stream whose first record ends before the member does is read from a copy."""
    monkeypatch.setenv("NEWSCRAWL_PLAIN_CACHE", str(tmp_path / "cache"))
    records = variant_records("https://variants.example.org")[:2]
    path = tmp_path / "whole.warc.gz"
    path.write_bytes(gzip.compress(b"".join(records)))
    copy = wholegzip.plain_copy(path)
    assert copy is not None and copy.read_bytes() == b"".join(records)


def _arc(records: list[tuple[str, bytes]]) -> bytes:
    """An ARC v1 file per the Internet Archive's ARC format spec: a filedesc version block, then URL records."""
    desc = b"1 0 Example\nURL IP-address Archive-date Content-type Archive-length\n"
    members = [b"filedesc://test.arc 0.0.0.0 20250321133705 text/plain %d\n%s\n" % (len(desc), desc)]
    for url, body in records:
        http = _http(body, b"Content-Length: %d" % len(body))
        members.append(b"%s 127.0.0.1 20250321133705 text/html %d\n%s\n" % (url.encode(), len(http), http))
    return b"".join(gzip.compress(member) for member in members)


def test_arc_files_read_with_stable_record_ids(tmp_path: Path) -> None:
    path = tmp_path / "old.arc.gz"
    path.write_bytes(_arc([("http://old.example.org/a", PAGE), ("http://old.example.org/b", PAGE)]))
    exchanges, problems = split(path)
    assert problems == [] and [e.url for e in exchanges] == ["http://old.example.org/a", "http://old.example.org/b"]
    assert [e.decoded_body() for e in exchanges] == [PAGE, PAGE], "the index reads each page's bytes, not nothing"
    assert exchanges[0].record_id == f"<urn:arc:old.arc.gz:{exchanges[0].offset}>"
    again = read_at(path, exchanges[1].offset)
    assert again.record_id == exchanges[1].record_id and again.decoded_body() == PAGE
    assert exchanges[0].fetched_at == datetime(2025, 3, 21, 13, 37, 5, tzinfo=timezone.utc)


def test_a_killed_runs_open_warc_is_cut_to_its_last_intact_record_and_renamed(tmp_path: Path) -> None:
    from newscrawl.archive.recover import finish_killed_warcs

    writer = WarcWriter(tmp_path, "20250321T133705Z-abc123", max_bytes=10**9, warcinfo={"software": "test"})
    refs = [write_exchange(writer, i) for i in range(3)]
    partial = tmp_path / "20250321T133705Z-abc123.warc.gz.open"
    assert partial.exists()  # never closed: the run was killed
    data = partial.read_bytes()
    partial.write_bytes(data[: refs[2].offset + 40])  # the kill tore the last record
    (final,) = finish_killed_warcs(tmp_path, "20250321T133705Z-abc123")
    assert final.name == "20250321T133705Z-abc123.warc.gz" and not partial.exists()
    exchanges, problems = split(final)
    assert problems == [] and [e.offset for e in exchanges] == [refs[0].offset, refs[1].offset]
    assert read_at(refs[1].file, refs[1].offset).record_id == exchanges[1].record_id


def counting_builds(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every archive ArchiveIndex.build_now reads from now on (the test's end undoes the counting)."""
    built: list[Path] = []
    real = ArchiveIndex.build_now.__func__  # type: ignore[attr-defined]

    def build_now(cls: type[ArchiveIndex], path: Path, parts: int = 1, folder: Path | None = None) -> ArchiveIndex:
        built.append(Path(path))
        return real(cls, path, parts, folder)  # type: ignore[no-any-return]

    monkeypatch.setattr(ArchiveIndex, "build_now", classmethod(build_now))
    return built


def test_an_index_built_ahead_is_taken_once_and_only_for_the_unchanged_files(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A parallel replay's parent builds the index before it forks; each process takes that build instead of
    reading the archive again, unless the archive changed since."""
    archive = tmp_path / "sample.warc.gz"
    archive.write_bytes((Path(__file__).parent.parent / "samples" / "devdiscourse.warc.gz").read_bytes())
    warc.build_ahead(archive)
    real_build_now = warc.ArchiveIndex.build_now.__func__  # type: ignore[attr-defined]
    built = counting_builds(monkeypatch)
    first = warc.ArchiveIndex.build(archive)
    assert built == [] and first.entries, "the index built ahead answers without reading the archive"
    fresh = real_build_now(warc.ArchiveIndex, archive)
    assert [e.record_id for e in first.entries] == [e.record_id for e in fresh.entries]
    warc.ArchiveIndex.build(archive)
    assert built == [archive], "taken once: the next build reads the archive"

    warc.build_ahead(archive)
    assert built == [archive, archive]
    os.utime(archive, ns=(archive.stat().st_atime_ns, archive.stat().st_mtime_ns + 10**9))
    warc.ArchiveIndex.build(archive)
    assert built == [archive, archive, archive], "a file changed since the build is read again"
    warc.drop_built_ahead()


def test_a_response_whose_uri_spells_its_scheme_in_capitals_is_read(tmp_path: Path) -> None:
    # A scheme is case-insensitive (RFC 3986 §3.1); warcio reads HTTP headers only after "http:"/"https:", so such
    # a response was a record without HTTP, skipped, and its article lost.
    url = "HTTPS://News.Example.org/politics/story-1"
    path = tmp_path / "caps.warc.gz"
    path.write_bytes(gzip.compress(_record(b"WARC/1.1", b"response", url, _http(PAGE),
                                           b"application/http;msgtype=response")))
    (exchange,), problems = split(path)
    assert problems == [] and exchange.url == url and exchange.status == 200 and exchange.decoded_body() == PAGE
    index = ArchiveIndex.build_now(path)
    assert index.skipped == {} and index.lookup("https://news.example.org/politics/story-1") is not None


@pytest.mark.parametrize(("warc_date", "http_date", "fetched_at"), [
    (b"2025-03-21T13:37:05Z", b"Fri, 21 Mar 2025 13:37:09 GMT", datetime(2025, 3, 21, 13, 37, 5, tzinfo=timezone.utc)),
    (b"", b"Fri, 21 Mar 2025 13:37:09 GMT", datetime(2025, 3, 21, 13, 37, 9, tzinfo=timezone.utc)),
    (b"21/03/2025", b"Fri, 21 Mar 2025 13:37:09 GMT", datetime(2025, 3, 21, 13, 37, 9, tzinfo=timezone.utc)),
    (b"", b"", None),
], ids=["warc-date", "no-warc-date", "unreadable-warc-date", "neither"])
def test_a_response_without_a_usable_warc_date_takes_the_servers_date(tmp_path: Path, warc_date: bytes,
                                                                      http_date: bytes,
                                                                      fetched_at: datetime | None) -> None:
    record = _record(b"WARC/1.0", b"response", "https://news.example.org/a", _http(PAGE, *(
        [b"Date: " + http_date] if http_date else [])), b"application/http; msgtype=response")
    record = record.replace(b"WARC-Date: 2025-03-21T13:37:05Z", b"WARC-Date: " + warc_date)
    path = tmp_path / "dates.warc"
    path.write_bytes(record)
    exchanges, problems = split(path)
    if fetched_at is None:
        assert exchanges == [] and [p.kind for p in problems] == ["record"]
        assert "WARC-Date '' and no HTTP Date header" in problems[0].message
    else:
        assert problems == [] and [e.fetched_at for e in exchanges] == [fetched_at]


@pytest.mark.parametrize(("coding", "body", "never_applied"), [
    ("gzip", b"<!DOCTYPE html><p>stored decoded</p>", True),
    ("gzip", gzip.compress(b"<p>x</p>"), False),
    ("br", b"  <html><p>stored decoded</p></html>", True),
    ("br", brotli.compress(b"<html><p>x</p></html>"), False),
    ("deflate", b'{"items": []}', True),
    ("zstd", b"<?xml version='1.0'?><urlset/>", True),
    ("gzip", b"\x00\x01 binary that is not gzip", False),  # not a document: a damaged body, not a stored one
    ("compress", b"<p>unknown coding</p>", False),  # Scrapy leaves an unknown coding alone anyway
], ids=["gzip", "gzip-applied", "br", "br-applied", "deflate-json", "zstd-xml", "binary", "unknown"])
def test_a_coding_named_but_never_applied_is_recognised(coding: str, body: bytes, never_applied: bool) -> None:
    assert codings.not_applied([coding], body) is never_applied


_LABEL = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
_SEGMENT = st.from_regex(r"[A-Za-z0-9_~!$&'()*+,=:@-][A-Za-z0-9_~!$&'()*+,=:@.-]*", fullmatch=True) | st.sampled_from(
    ["", ".", "..", "a.b", ".x", "x.", "a..b", "%41", "%7e", "a;b", "é", "A B", "a?b=2&a=1", "x#frag"])


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(["http", "https", "HTTP"]), st.lists(_LABEL | st.sampled_from(["WWW", "xn--bcher-kva", "é"]),
                                                            min_size=1, max_size=4),
       st.one_of(st.none(), st.integers(0, 99999)), st.lists(_SEGMENT, max_size=5), st.booleans())
def test_the_index_canonicalises_every_url_as_w3lib_does(scheme: str, labels: list[str], port: int | None,
                                                         segments: list[str], slash: bool) -> None:
    # The index skips canonicalize_url for URLs it can tell are canonical already (a tenth of the cost): the
    # shortcut must never answer differently.
    from w3lib.url import canonicalize_url

    url = (f"{scheme}://{'.'.join(labels)}" + (f":{port}" if port is not None else "") +
           ("/" + "/".join(segments) + ("/" if slash else "") if segments or slash else ""))
    try:
        expected = canonicalize_url(url, keep_fragments=False)
    except ValueError:
        expected = url
    assert warc._canonical(url) == expected


def test_a_warc_under_any_name_is_read_by_what_it_holds(tmp_path: Path) -> None:
    """A plain WARC still named .warc.gz (un-gzipped, not renamed) was read as gzip: one "corrupt gzip" problem and
    not a record; a WARC downloaded under its item id, without a suffix, was not an archive at all."""
    from newscrawl.archive.replay import source_kind, warc_files

    record = _record(b"WARC/1.1", b"response", "https://news.example.org/a", _http(PAGE),
                     b"application/http;msgtype=response")
    plain_named_gz = tmp_path / "a" / "crawl.warc.gz"
    bare_gzip, bare_plain, not_warc = tmp_path / "b" / "item-20250321", tmp_path / "c" / "item", tmp_path / "d" / "x"
    for path, data in ((plain_named_gz, b"\r\n" + record), (bare_gzip, gzip.compress(record)), (bare_plain, record),
                       (not_warc, gzip.compress(b"<html>not a WARC</html>"))):
        path.parent.mkdir()
        path.write_bytes(data)
    for path in (plain_named_gz, bare_gzip, bare_plain):
        exchanges, problems = split(path)
        assert problems == [] and [e.decoded_body() for e in exchanges] == [PAGE], path
        assert warc_files(path) == [path] and source_kind(path) == "warc"
    assert warc_files(not_warc) == []


def test_an_index_holds_its_captures_on_disk_not_in_memory(tmp_path: Path) -> None:
    """Archives grow to millions of pages: an index's memory must not grow with its captures, in the build either
    (the captures sit in a SQLite file, archive/indexdb.py). Held as Python objects they cost ~450 bytes each after
    the build and ~250 more at its peak (tracemalloc: counted allocations, not timings)."""
    import gc
    import tracemalloc

    sample = (Path(__file__).resolve().parent.parent / "samples" / "devdiscourse.warc.gz").read_bytes()

    def measured(copies: int) -> tuple[int, int, int]:
        archive = tmp_path / f"sample-x{copies}.warc.gz"
        archive.write_bytes(sample * copies)  # one file, its records captured `copies` times over
        gc.collect()
        tracemalloc.start()
        try:
            index = ArchiveIndex.build_now(archive)
            gc.collect()
            current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert not index.problems
        return len(index), current, peak

    measured(2)  # imports and first-use caches
    small, large = measured(10), measured(40)
    extra = large[0] - small[0]
    assert extra > 1000
    assert (large[1] - small[1]) / extra < 100, "bytes kept per capture"
    assert (large[2] - small[2]) / extra < 100, "bytes of peak per capture"


def test_an_index_the_temporary_folder_refuses_is_built_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    """A full or read-only temporary folder costs one warning, not the replay: the index is built in memory, as it
    was before it moved to disk. The archive's own errors are still reported as themselves."""
    import logging
    import sqlite3
    import tempfile

    from newscrawl.archive.indexdb import IndexStore

    archive = tmp_path / "sample.warc.gz"
    shutil.copy(Path(__file__).resolve().parent.parent / "samples" / "devdiscourse.warc.gz", archive)
    reference = ArchiveIndex.build_now(archive).entries
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))

    def no_space(folder: Path | None = None) -> Path:
        raise OSError(28, "No space left on device")
    with monkeypatch.context() as refusing, caplog.at_level(logging.WARNING, logger="newscrawl.archive.warc"):
        refusing.setattr(warc, "scratch_file", no_space)
        index = ArchiveIndex.build(archive, tmp_path / "cache")
    assert index.store.path is None and index.entries == reference and index.entry(reference[-1].url) is not None
    assert "built in memory" in caplog.text

    real_flush = IndexStore.flush

    def fills_up(self: IndexStore) -> None:
        if self.path is not None and self._pending:
            raise sqlite3.OperationalError("database or disk is full")
        real_flush(self)
    with monkeypatch.context() as full:
        full.setattr(IndexStore, "flush", fills_up)
        index = ArchiveIndex.build_now(archive)
    assert index.store.path is None and index.entries == reference
    assert list(scratch.iterdir()) == [], "the refused file is not left behind"
    with pytest.raises(FileNotFoundError):
        ArchiveIndex.build_now(tmp_path / "nothing.warc.gz")


def test_a_uri_with_spaces_is_repaired_with_one_warning_not_one_per_read(tmp_path: Path,
                                                                        caplog: pytest.LogCaptureFixture) -> None:
    """warcio warned at every parse of the record: an index build, a replay and a verify printed it four times."""
    uri = "https://odd.example.org/news/story with spaces"
    path = tmp_path / "odd.warc.gz"
    path.write_bytes(gzip.compress(_record(b"WARC/1.1", b"response", uri, _http(PAGE),
                                           b"application/http; msgtype=response")))
    with caplog.at_level(logging.WARNING):
        exchanges, _ = split(path)
        again = [read_at(path, exchanges[0].offset) for _ in range(3)]
    assert {e.url for e in exchanges + again} == {uri.replace(" ", "%20")}
    assert [r.getMessage() for r in caplog.records if "spaces" in r.getMessage()] == [
        f"Replacing spaces in invalid WARC-Target-URI: {uri}"]
