"""Archives holding records far larger than a page (videos, PDFs, disk images in a browser crawl's WARC; a huge
saved page): replaying them must not cost memory in proportion to the largest record or to the whole folder.

Before: an index build read every record block whole (a 300 MB video made a replay's peak RSS 704 MB), each answer
read the next record whole to look for its request (the video again, for an archive without request records), a
replay answered a payload of any size whatever DOWNLOAD_MAXSIZE said, and a replay of saved pages held every page's
bytes for the whole run.
"""

from __future__ import annotations

import base64
import gc
import gzip
import hashlib
import logging
import random
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from scrapy import Request, Spider
from scrapy.utils.test import get_crawler

from newscrawl.archive.reader import STREAM_ABOVE, _Dechunker, dechunk
from newscrawl.archive import replay
from newscrawl.archive.replay import (ReplayMiddleware, ReplaySource, UnreadableRecord, replay_identity, source_kind,
                                      warc_files)
from newscrawl.archive.warc import ArchiveIndex, ArchiveProblem, ArchiveReadError, RecordTooLarge
from tests.crawling import run_crawl

ROOT = Path(__file__).resolve().parent.parent
GENERIC = ROOT / "tests" / "fixtures" / "generic"
ARTICLES = ["reuters-wire-dateline", "indian-wire-with-inputs", "jsonld-graph-article"]
BIG = STREAM_ABOVE + 2 * 1024 * 1024  # a payload the index build must stream past
MEMORY_BOUND = BIG // 2  # reading past it costs fixed buffers (1 MiB pieces, whole-file gzip check); whole, BIG+


def sha1(data: bytes) -> bytes:
    return b"sha1:" + base64.b32encode(hashlib.sha1(data).digest())


def warc_record(uri: str, block: bytes, *, rec_type: bytes = b"response", payload: bytes | None = None,
                payload_digest: bytes | None = None,
                content_type: bytes = b"application/http; msgtype=response") -> bytes:
    """One WARC/1.1 record with both digests, as browser crawlers write them (payload digest over `payload`)."""
    digests = b"WARC-Block-Digest: " + sha1(block) + b"\r\n"
    if payload is not None or payload_digest is not None:
        digests += b"WARC-Payload-Digest: " + (payload_digest or sha1(payload or b"")) + b"\r\n"
    head = (b"WARC/1.1\r\nWARC-Type: " + rec_type + b"\r\nWARC-Target-URI: " + uri.encode() +
            b"\r\nWARC-Date: 2025-03-21T13:37:05Z\r\nWARC-Record-ID: <urn:uuid:" +
            hashlib.sha256(uri.encode() + rec_type).hexdigest()[:32].encode() + b">\r\nContent-Type: " +
            content_type + b"\r\n" + digests + b"Content-Length: " + str(len(block)).encode() + b"\r\n\r\n")
    return head + block + b"\r\n\r\n"


def http_response(body: bytes, content_type: bytes, *headers: bytes) -> bytes:
    return (b"HTTP/1.1 200 OK\r\nContent-Type: " + content_type + b"\r\n" + b"".join(h + b"\r\n" for h in headers) +
            b"\r\n" + body)


def chunked(body: bytes, size: int = 100_003) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + size]), body[i:i + size])
                    for i in range(0, len(body), size)) + b"0\r\n\r\n"


def page(name: str) -> bytes:
    return (GENERIC / f"{name}.html").read_bytes()


def page_url(name: str) -> str:
    return (GENERIC / f"{name}.url").read_text(encoding="utf-8").strip()


def media() -> bytes:
    return random.Random(7).randbytes(BIG)


def article_records() -> list[bytes]:
    return [warc_record(page_url(name), http_response(page(name), b"text/html; charset=utf-8"), payload=page(name))
            for name in ARTICLES]


def write_warc(path: Path, records: list[bytes]) -> Path:
    """One gzip member per record for .warc.gz (what every tool writes), plain records otherwise."""
    path.write_bytes(b"".join(gzip.compress(r, compresslevel=1) for r in records) if path.name.endswith(".gz")
                     else b"".join(records))
    return path


def peak_memory(action: Callable[[], Any]) -> tuple[Any, int]:
    """What `action` returns and the peak of Python's allocations while it ran."""
    tracemalloc.start()
    try:
        result = action()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


VIDEO = "https://outlet.example/media/clip.mp4"


@pytest.mark.parametrize("packing", ["warc.gz", "warc"])
@pytest.mark.parametrize("framing", ["identity", "chunked, digest of the stored bytes",
                                     "chunked, digest of the de-chunked bytes"])
def test_an_index_build_streams_past_a_large_payload_and_still_checks_its_digests(tmp_path: Path, packing: str,
                                                                                  framing: str) -> None:
    video = media()
    if framing == "identity":
        block = http_response(video, b"video/mp4")
        digested = video
    else:
        stored = chunked(video)
        block = http_response(stored, b"video/mp4", b"Transfer-Encoding: chunked")
        digested = stored if framing.endswith("stored bytes") else video  # wget digests the former, others the latter
    records = article_records()
    records.insert(1, warc_record(VIDEO, block, payload=digested))
    path = write_warc(tmp_path / f"crawl.{packing}", records)

    index, peak = peak_memory(lambda: ArchiveIndex.build_now(path))
    assert index.problems == []
    assert [(entry.url, entry.content_type) for entry in index.entries][1] == (VIDEO, "video/mp4")
    assert len(index) == 4
    assert peak < MEMORY_BOUND, f"index build peaked at {peak:,} bytes for a {BIG:,}-byte payload"

    # The same bytes altered: the digest check still sees every byte it streamed past.
    altered = bytearray(b"".join(records))
    altered[altered.index(video[BIG // 2:BIG // 2 + 64])] ^= 0x01
    ends = [0]
    for record in records:
        ends.append(ends[-1] + len(record))
    damaged = write_warc(tmp_path / f"damaged.{packing}", [bytes(altered[a:b]) for a, b in zip(ends, ends[1:])])
    problems = ArchiveIndex.build_now(damaged).problems
    assert [problem.kind for problem in problems] == ["digest"]
    assert "WARC-Block-Digest" in problems[0].message and problems[0].offset == index.entries[1].offset


def test_a_large_chunked_payload_digested_as_neither_form_is_a_digest_problem(tmp_path: Path) -> None:
    """...unless its block digest proves it (next test): here the record has none."""
    video = media()
    block = http_response(chunked(video), b"video/mp4", b"Transfer-Encoding: chunked")
    record = warc_record(VIDEO, block, payload_digest=sha1(video[1:]))
    record = record.replace(b"WARC-Block-Digest: " + sha1(block) + b"\r\n", b"")
    path = write_warc(tmp_path / "crawl.warc", [record])
    problems = ArchiveIndex.build_now(path).problems
    assert [problem.kind for problem in problems] == ["digest"] and "WARC-Payload-Digest" in problems[0].message


@pytest.mark.parametrize("size", ["large", "small"])
def test_a_payload_digest_of_other_bytes_is_no_damage_where_the_block_digest_proves_the_record(tmp_path: Path,
                                                                                                size: str) -> None:
    """wpull 2.0.1 digests its payload from where its own re-serialised header would end: a byte early after a
    header value with a trailing space. The block digest covers every byte, the payload's among them: the record
    is intact and replayed, and counted; a block altered after that is damage still."""
    body = media() if size == "large" else page(ARTICLES[0])
    block = http_response(chunked(body), b"video/mp4", b"Server: Kestrel ", b"Transfer-Encoding: chunked")
    payload_start = block.index(b"\r\n\r\n") + 4
    records = article_records()
    records.insert(1, warc_record(VIDEO, block, payload_digest=sha1(block[payload_start - 1:])))
    path = write_warc(tmp_path / "crawl.warc.gz", records)
    index = ArchiveIndex.build_now(path)
    assert index.problems == [] and index.payload_digests_unmatched == 1
    assert all(entry.digest_ok for entry in index.entries)
    altered = bytearray(block)
    altered[-100] ^= 0x01
    records[1] = warc_record(VIDEO, bytes(altered), payload_digest=sha1(block[payload_start - 1:]))
    records[1] = records[1].replace(sha1(bytes(altered)), sha1(block))  # the block digest of the bytes as written
    damaged = ArchiveIndex.build_now(write_warc(tmp_path / "damaged.warc.gz", records))
    assert [problem.kind for problem in damaged.problems] == ["digest"]
    assert "WARC-Block-Digest" in damaged.problems[0].message and damaged.payload_digests_unmatched == 0


@pytest.mark.parametrize("cut", [1, 2, 3, 7, 4096])
def test_the_streaming_dechunker_undoes_what_dechunk_undoes(cut: int) -> None:
    body = random.Random(cut).randbytes(30_000)
    for stored in (chunked(body, 1000), chunked(body, 7) + b"trailer: ignored\r\n\r\n",
                   b"3;ext=1\r\nabc\r\n0\r\n\r\n"):
        hasher = hashlib.sha1()
        dechunker = _Dechunker(hasher)
        for start in range(0, len(stored), cut):
            dechunker.feed(stored[start:start + cut])
        assert dechunker.digest() == hashlib.sha1(dechunk(stored)).digest()
    not_chunked = _Dechunker(hashlib.sha1())
    not_chunked.feed(b"<html>not chunked at all</html>\r\n")
    assert not_chunked.digest() is None, "no de-chunked variant: the stored bytes are the only one, as in dechunk"


def test_a_replay_reads_neither_a_payload_over_its_limit_nor_the_large_record_after_an_answer(tmp_path: Path) -> None:
    """warcio's own writer and browser crawlers write no request records: each answer used to read the next record
    whole, looking for one."""
    records = article_records()
    records.insert(1, warc_record(VIDEO, http_response(media(), b"video/mp4"), payload=media()))
    path = write_warc(tmp_path / "crawl.warc.gz", records)
    index = ArchiveIndex.build_now(path)
    source = ReplaySource(path)
    answer, peak = peak_memory(lambda: source.answer(page_url(ARTICLES[0]), 20 * 1024 * 1024))
    assert answer is not None and answer.body == page(ARTICLES[0])
    assert peak < MEMORY_BOUND, f"answering a page next to a {BIG:,}-byte record peaked at {peak:,} bytes"
    tracemalloc.start()
    try:
        with pytest.raises(RecordTooLarge) as refused:
            source.answer(VIDEO, BIG - 1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_BOUND, f"refusing a {BIG:,}-byte payload peaked at {peak:,} bytes"
    assert (refused.value.size, refused.value.limit, refused.value.offset) == (BIG, BIG - 1, index.entries[1].offset)
    whole = source.answer(VIDEO, BIG)
    assert whole is not None and len(whole.body) == BIG, "at the limit the payload is answered, as Scrapy accepts it"
    unlimited = source.answer(VIDEO)
    assert unlimited is not None and hashlib.sha1(unlimited.body).digest() == hashlib.sha1(media()).digest()


def saved_folder(folder: Path, pages: int, size: int) -> Iterator[Path]:
    folder.mkdir()
    filler = b"<p>" + b"word " * (size // 5) + b"</p>"
    for number in range(pages):
        path = folder / f"story-{number}.html"
        path.write_bytes(b"<html><head><title>Story %d</title></head><body><article><h1>Story %d</h1>%s</article>"
                         b"</body></html>" % (number, number, filler))
        (folder / f"story-{number}.url").write_text(f"https://outlet.example/story-{number}\n", encoding="utf-8")
        yield path


def test_a_replay_of_saved_pages_holds_where_they_are_not_their_bytes(tmp_path: Path) -> None:
    paths = list(saved_folder(tmp_path / "saved", pages=12, size=512 * 1024))
    tracemalloc.start()
    try:
        source = ReplaySource(tmp_path / "saved")
        size = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert len(source.urls()) == 12
    assert size < MEMORY_BOUND, f"a source of 12 pages of 512 KiB holds {size:,} bytes"
    answer = source.answer("https://outlet.example/story-3")
    assert answer is not None and answer.body == paths[3].read_bytes()
    assert answer.archive is not None and answer.archive["record_id"] == (
        "urn:sha256:" + hashlib.sha256(paths[3].read_bytes()).hexdigest())
    with pytest.raises(RecordTooLarge):
        source.answer("https://outlet.example/story-4", 1024)
    # A page changed after the replay listed it is not answered with bytes its provenance would not name.
    paths[5].write_bytes(paths[5].read_bytes().replace(b"Story 5", b"Story five"))
    with pytest.raises(ArchiveReadError, match="changed since the replay listed it"):
        source.answer("https://outlet.example/story-5")


def test_a_replayed_article_over_the_download_max_size_is_dropped_and_counted_like_a_live_one(tmp_path: Path) -> None:
    """Live, Scrapy cancels a response larger than DOWNLOAD_MAXSIZE; a replay of it must not emit the article."""
    huge = page(ARTICLES[1]).replace(b"</body>", b"<!--" + b"x" * 300_000 + b"--></body>")
    records = article_records()
    records[1] = warc_record(page_url(ARTICLES[1]), http_response(huge, b"text/html; charset=utf-8"), payload=huge)
    path = write_warc(tmp_path / "crawl.warc.gz", records)
    result = run_crawl(tmp_path / "run", "news", "-a", f"replay={path}", "-O", "out.jsonl",
                       settings={"DOWNLOAD_MAXSIZE": "200000", "LOG_LEVEL": "INFO"})
    assert result.returncode == 0 and "Traceback" not in result.log, result.log[-3000:]
    assert sorted(item["provenance"]["request_url"] for item in result.feed_items("out.jsonl")) == sorted(
        page_url(name) for name in ARTICLES if name != ARTICLES[1])
    assert result.stat("newscrawl/replay/too_large") == 1
    assert result.stat("newscrawl/errors/ReplayTooLarge") == 1
    assert (f"Cancelling replay of {page_url(ARTICLES[1])}: archived response size ({len(huge)}) larger than "
            f"download max size (200000)") in result.log
    again = run_crawl(tmp_path / "unlimited", "news", "-a", f"replay={path}", "-O", "out.jsonl",
                      settings={"DOWNLOAD_MAXSIZE": "0"})
    assert len(again.feed_items("out.jsonl")) == 3, "DOWNLOAD_MAXSIZE=0 means no limit, as in Scrapy"



class _Unreadable:
    """A replay source whose record was damaged after it was indexed."""

    def answer(self, url: str, max_payload: int | None = None) -> None:
        raise ArchiveReadError(ArchiveProblem("crawl.warc.gz", 1234, "gzip", "corrupt gzip member"))


def test_an_answer_that_cannot_be_read_again_is_one_error_line_and_a_count(caplog: pytest.LogCaptureFixture) -> None:
    """A record damaged, or a saved page changed or removed, after the replay indexed it costs only its request."""
    crawler = get_crawler(Spider)
    middleware = ReplayMiddleware(crawler)
    middleware.source = cast(Any, _Unreadable())
    with caplog.at_level(logging.ERROR), pytest.raises(UnreadableRecord):
        middleware.process_request(Request("https://outlet.example/story"))
    assert crawler.stats.get_value("newscrawl/replay/unreadable") == 1
    (line,) = [record.getMessage() for record in caplog.records]
    assert line == ("Replay could not read the archived answer for https://outlet.example/story: crawl.warc.gz @ "
                    "1234: gzip: corrupt gzip member")


def test_a_replay_of_saved_pages_holds_where_they_are_on_disk_not_in_memory(tmp_path: Path) -> None:
    """Folders of saved pages grow like archives: while a replay answers from one, where each page is (URL, file,
    time, digest) sits in a scratch database (archive/savedplaces.py). As objects with their URL maps they cost
    ~0.5 KiB a page for the whole run (tracemalloc: counted allocations, not timings)."""
    stem = "a-long-headline-as-saved-pages-are-named-by-browsers-" * 2

    def kept(count: int) -> int:
        folder = tmp_path / f"saved-{count}"
        folder.mkdir()
        for number in range(count):
            (folder / f"{stem}{number}.html").write_bytes(b"<html><body><p>Story %d</p></body></html>" % number)
            (folder / f"{stem}{number}.url").write_text(f"https://outlet.example/story-{number}?b=2&a=1\n",
                                                        encoding="utf-8")
        replay._last_saved_folder = None
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            replay_identity(folder)
            source = ReplaySource(folder)
            assert source.url_count() == count
            answer = source.answer(f"https://outlet.example/story-{count - 1}?a=1&b=2")  # by its canonical form
            assert answer is not None and answer.body.endswith(b"Story %d</p></body></html>" % (count - 1))
            gc.collect()
            held = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        del source
        replay._last_saved_folder = None
        return held

    kept(50)  # imports and first-use caches
    assert (kept(2000) - kept(500)) / 1500 < 100, "bytes held per saved page"


def test_listing_a_folder_of_saved_pages_leaves_nothing_behind(tmp_path: Path) -> None:
    """pathlib interns every file name it parses, for the life of the process: a replay that walked a folder of
    saved pages with Paths kept each page's and sidecar's name after the source was gone (+12 % of a 10,000-page
    replay's peak against a 1,000-page one)."""
    folder = tmp_path / "saved"
    folder.mkdir()
    stem = "a-long-headline-as-saved-pages-are-named-by-browsers-" * 3
    for number in range(2000):
        (folder / f"{stem}{number}.html").write_bytes(b"<html><body><p>Story %d</p></body></html>" % number)
        (folder / f"{stem}{number}.url").write_text(f"https://outlet.example/story-{number}\n", encoding="utf-8")
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        assert source_kind(folder) == "saved-html" and warc_files(folder) == []
        replay_identity(folder)
        source = ReplaySource(folder)
        assert sum(1 for _ in source.candidates()) == 2000
        assert source.answer("https://outlet.example/story-7") is not None
        del source
        replay._last_saved_folder = None  # the one folder listing kept between calls (a monkeypatch would hold it)
        gc.collect()
        left = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    # what stays is the URL parsers' bounded caches (~150 KB); the 4,000 names interned were 2 MB
    assert left < 512 * 1024, f"listing 2,000 saved pages left {left:,} bytes behind"
