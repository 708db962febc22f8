"""Conventions of crawlers of the open web whose archives newscrawl replays (benchmarks/foreign_archives.py replays
real ones: Common Crawl, the Internet Archive's writers, Webrecorder, Browsertrix, ArchiveTeam), each on a small
archive written here in that crawler's documented form, one per test.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import uuid
from pathlib import Path
from typing import Any

from tests.crawling import CrawlResult, run_crawl
from tests.sitegen.corpus import corpus, seed_spec
from tests.sitegen.devdiscourse import NewsSpec, canonical_url, render_desktop
from tests.test_archive_replay import newscrawl_cli


def _sha1(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def cc_record(uri: str, status_line: bytes, http_headers: list[tuple[str, str]], payload: bytes,
              warc_headers: tuple[tuple[str, str], ...] = ()) -> bytes:
    """One gzip member holding a `response` record as Common Crawl writes them (CC-MAIN-2025-33, read from its
    files): WARC/1.0, `WARC-Protocol` (one per protocol), `WARC-Identified-Payload-Type`, sha1 base32 digests."""
    head = status_line + b"\r\n" + b"".join(f"{n}: {v}\r\n".encode() for n, v in http_headers) + b"\r\n"
    block = head + payload
    fields = [("WARC-Type", "response"), ("WARC-Date", "2025-08-04T10:33:29Z"),
              ("WARC-Record-ID", f"<urn:uuid:{uuid.uuid4()}>"), ("Content-Length", str(len(block))),
              ("Content-Type", "application/http; msgtype=response"), ("WARC-IP-Address", "127.0.0.1"),
              ("WARC-Target-URI", uri), ("WARC-Protocol", "h2"), ("WARC-Protocol", "tls/1.3"),
              ("WARC-Payload-Digest", _sha1(payload)), ("WARC-Block-Digest", _sha1(block)),
              ("WARC-Identified-Payload-Type", "text/html"), *warc_headers]
    record = b"WARC/1.0\r\n" + b"".join(f"{n}: {v}\r\n".encode() for n, v in fields) + b"\r\n" + block + b"\r\n\r\n"
    return gzip.compress(record)


def replayed(tmp_path: Path, archive: Path, specs: list[NewsSpec]) -> tuple[CrawlResult, dict[str, dict[str, Any]]]:
    """A `news` replay of `archive` that ran to its end without a traceback, and its items by outlet id: one for
    each of `specs`' articles."""
    replay = run_crawl(tmp_path / "run", "news", "-a", f"replay={archive}", "-O", "out.jsonl")
    assert replay.returncode == 0 and "Traceback" not in replay.log, replay.log[-3000:]
    items = {item["outlet_id"]: item for item in replay.feed_items("out.jsonl")}
    assert set(items) == {str(spec.news_id) for spec in specs}, replay.log[-3000:]
    return replay, items


def test_common_crawls_decoded_payloads_are_read_as_stored_and_whole(tmp_path: Path) -> None:
    """Common Crawl stores each payload decoded and renames the headers that no longer hold: `Content-Encoding`
    and `Transfer-Encoding` become `X-Crawler-Content-Encoding` / `X-Crawler-Transfer-Encoding` (in any case:
    `X-Crawler-content-encoding` as an h2 server sent it), `Content-Length` is the stored payload's length and the
    one sent `X-Crawler-Content-Length` (the compressed size, smaller). The page is not gunzipped again, the
    sent length does not make it look cut short, and only a record marked `WARC-Truncated` is flagged."""
    specs: list[NewsSpec] = [seed_spec(), *corpus(3, seed=5)][:3]
    pages = [render_desktop(spec).encode() for spec in specs]
    common = [("Content-Type", "text/html; charset=utf-8"), ("Vary", "Accept-Encoding")]
    cut = pages[2][:int(len(pages[2]) * 0.6)]
    warc = tmp_path / "CC-MAIN-20250804083340-20250804113340-00340.warc.gz"
    warc.write_bytes(
        cc_record(canonical_url(specs[0]), b"HTTP/1.1 200 OK", [
            *common, ("X-Crawler-Content-Encoding", "gzip"),
            ("X-Crawler-Content-Length", str(len(gzip.compress(pages[0])))),
            ("Content-Length", str(len(pages[0])))], pages[0])
        + cc_record(canonical_url(specs[1]), b"HTTP/1.1 200 ", [  # an h2 answer: no reason phrase, no length sent
            *common, ("X-Crawler-content-encoding", "br"), ("X-Crawler-Transfer-Encoding", "chunked"),
            ("Content-Length", str(len(pages[1])))], pages[1])
        + cc_record(canonical_url(specs[2]), b"HTTP/1.1 200 OK", [  # cut at the crawler's size limit
            *common, ("X-Crawler-Content-Encoding", "gzip"),
            ("X-Crawler-Content-Length", str(len(gzip.compress(pages[2])))),
            ("Content-Length", str(len(cut)))], cut, (("WARC-Truncated", "length"),)))
    replay, items = replayed(tmp_path, warc, specs)
    for spec, page in zip(specs[:2], pages):
        item = items[str(spec.news_id)]
        assert item["provenance"]["body_sha256"] == hashlib.sha256(page).hexdigest(), "the page as stored"
        assert "body_truncated" not in item["quality"] and len(item["body"]) > 500, item
    assert "body_truncated" in items[str(specs[2].news_id)]["quality"]
    assert replay.stat("newscrawl/replay/truncated/length") == 1
    assert replay.stat("newscrawl/replay/truncated/content-length") is None
    assert replay.stat("newscrawl/replay/coding_not_applied") is None, "no Content-Encoding: nothing to undo"
    assert replay.stat("newscrawl/replay/archive_problems") is None, replay.log[-3000:]
    done = newscrawl_cli("verify", str(tmp_path / "run" / "out.jsonl"), "--archive", str(warc))
    assert done.returncode == 0 and "3 verified, 0 problems" in done.stdout, done.stdout + done.stderr


def arc_file(records: list[tuple[str, str, bytes]], version: int = 1, whole: bool = False) -> bytes:
    """An ARC file as the Internet Archive's crawlers wrote them (its ARC format spec; pywb ships a version 1 file
    by the Wayback LiveWeb writer): a gzip member per record, a filedesc version block first, then per record a
    header line and the HTTP response as received. Version 1's line is `URL IP DATE TYPE LENGTH`; version 2's
    `URL IP DATE TYPE RESULT-CODE CHECKSUM LOCATION OFFSET FILENAME LENGTH`. `whole`: gzipped as one stream, as
    `gzip old.arc` leaves it."""
    if version == 1:
        desc = b"1 0 LiveWeb Capture\nURL IP-address Archive-date Content-type Archive-length\n"
        line = b"%s 127.0.0.1 20140216050221 %s %d\n"
    else:
        desc = (b"2 0 Alexa Internet\nURL IP-address Archive-date Content-type Result-code Checksum Location "
                b"Offset Filename Archive-length\n")
        line = b"%s 127.0.0.1 20140216050221 %s 200 8d9a2f - 0 old.arc %d\n"
    members = [line % (b"filedesc://old.arc", b"text/plain", len(desc)) + desc + b"\n"]
    for url, content_type, page in records:
        http = (b"HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s"
                % (content_type.encode(), len(page), page))
        members.append(line % (url.encode(), content_type.encode(), len(http)) + http + b"\n")
    return gzip.compress(b"".join(members)) if whole else b"".join(gzip.compress(member) for member in members)


def test_an_arc_files_pages_are_indexed_with_their_bytes(tmp_path: Path) -> None:
    """warcio's ArchiveIterator.get_record_offset() reads the current record to its end to learn where it began:
    asked before the payload was read, it left every ARC record's payload empty in the replay index. The page was
    still answered (the replay reads the record again at its offset), but whatever the index judges by a page's
    bytes saw nothing: a page its server labelled as unknown bytes (application/octet-stream, common in old
    crawls) was no web page, and its article was lost without a word."""
    specs: list[NewsSpec] = [seed_spec(), *corpus(2, seed=7)][:2]
    pages = [render_desktop(spec).encode() for spec in specs]
    arc = tmp_path / "IA-2014.arc.gz"
    arc.write_bytes(arc_file([(canonical_url(specs[0]), "text/html", pages[0]),
                              (canonical_url(specs[1]), "application/octet-stream", pages[1])]))
    replay, items = replayed(tmp_path, arc, specs)
    assert replay.stat("newscrawl/replay/unlabelled_pages") == 1
    for spec, page in zip(specs, pages):
        assert items[str(spec.news_id)]["provenance"]["body_sha256"] == hashlib.sha256(page).hexdigest()
    done = newscrawl_cli("verify", str(tmp_path / "run" / "out.jsonl"), "--archive", str(arc))
    assert done.returncode == 0 and "2 verified, 0 problems" in done.stdout, done.stdout + done.stderr


def test_an_arc_file_of_the_formats_second_version_is_read(tmp_path: Path) -> None:
    """The ARC spec's version 2 header line has ten fields (result code, checksum, location, offset and file name
    before the length), where warcio reads version 1's five: each URL came with five fields glued on
    (`http://…/story%20127.0.0.1%2020140216…`), so no page was found under its address. The filedesc block's
    version line says which the file holds."""
    specs: list[NewsSpec] = [seed_spec(), *corpus(2, seed=9)][:2]
    pages = [render_desktop(spec).encode() for spec in specs]
    arc = tmp_path / "ALEXA-2001.arc.gz"
    arc.write_bytes(arc_file([(canonical_url(spec), "text/html", page) for spec, page in zip(specs, pages)],
                             version=2))
    _, items = replayed(tmp_path, arc, specs)
    for spec, page in zip(specs, pages):
        provenance = items[str(spec.news_id)]["provenance"]
        assert provenance["request_url"] == canonical_url(spec)
        assert provenance["body_sha256"] == hashlib.sha256(page).hexdigest()
        assert provenance["fetched_at"] == "2014-02-16T05:02:21+00:00"
    done = newscrawl_cli("verify", str(tmp_path / "run" / "out.jsonl"), "--archive", str(arc))
    assert done.returncode == 0 and "2 verified, 0 problems" in done.stdout, done.stdout + done.stderr


def test_an_arc_file_gzipped_whole_is_read(tmp_path: Path) -> None:
    """The ARC format gzips each record on its own, as it does WARCs; an ARC file gzipped whole (`gzip old.arc`)
    is one stream, which warcio refuses after the first record ("non-chunked gzip file detected"): the file was one
    damaged-input line and none of its pages. Read as the inflated stream, as a WARC gzipped whole is; offsets
    count in it, and `newscrawl verify` finds each record there again."""
    specs: list[NewsSpec] = [seed_spec(), *corpus(2, seed=11)][:2]
    pages = [render_desktop(spec).encode() for spec in specs]
    arc = tmp_path / "old.arc.gz"
    arc.write_bytes(arc_file([(canonical_url(spec), "text/html", page) for spec, page in zip(specs, pages)],
                             whole=True))
    replay, items = replayed(tmp_path, arc, specs)
    assert replay.stat("newscrawl/replay/archive_problems") is None, replay.log[-3000:]
    for spec, page in zip(specs, pages):
        assert items[str(spec.news_id)]["provenance"]["body_sha256"] == hashlib.sha256(page).hexdigest()
    done = newscrawl_cli("verify", str(tmp_path / "run" / "out.jsonl"), "--archive", str(arc))
    assert done.returncode == 0 and "2 verified, 0 problems" in done.stdout, done.stdout + done.stderr


def warc_record(warc_type: str, uri: str, block: bytes, content_type: str,
                extra: tuple[tuple[str, str], ...] = (), record_id: str | None = None) -> bytes:
    """One gzip member holding a WARC/1.0 record with sha1 base32 digests, as Heritrix writes them."""
    fields = [("WARC-Type", warc_type), ("WARC-Target-URI", uri), ("WARC-Date", "2024-05-18T01:58:10Z"),
              ("WARC-Record-ID", record_id or f"<urn:uuid:{uuid.uuid4()}>"), ("Content-Type", content_type),
              ("Content-Length", str(len(block))), ("WARC-Block-Digest", _sha1(block)), *extra]
    record = b"WARC/1.0\r\n" + b"".join(f"{n}: {v}\r\n".encode() for n, v in fields) + b"\r\n" + block + b"\r\n\r\n"
    return gzip.compress(record)


def test_a_heritrix_crawls_records_replay_and_its_revisits_are_not_cut_pages(tmp_path: Path) -> None:
    """Heritrix 3 writes, per URL, the response as it came over the wire (chunked and gzip kept), its request and a
    `metadata` record (via, hopsFromSeed, outlinks), a `dns:` response (`text/dns`) per host; and for a page whose
    payload digest it has seen, a `revisit` of HTTP headers only marked `WARC-Truncated: length` (its
    WARC-Revisit processors: the payload was left out on purpose, not cut). The revisit is answered with its
    original, whole: no item is flagged cut short because its revisit record says `length`."""
    specs: list[NewsSpec] = [seed_spec(), *corpus(2, seed=13)][:2]
    pages = [render_desktop(spec).encode() for spec in specs]
    records = [warc_record("warcinfo", "", b"software: Heritrix/3.4.0-20220727 http://crawler.archive.org\r\n"
                           b"format: WARC File Format 1.0\r\n", "application/warc-fields")]
    records[0] = records[0].replace(b"WARC-Target-URI: \r\n", b"")
    records.append(warc_record("response", "dns:www.devdiscourse.com", b"20240518015810\nwww.devdiscourse.com.\t300"
                               b"\tIN\tA\t127.0.0.1\n", "text/dns"))
    for spec, page in zip(specs, pages):
        gz = gzip.compress(page)
        chunked = b"".join(b"%x\r\n%s\r\n" % (len(gz[i:i + 1000]), gz[i:i + 1000]) for i in range(0, len(gz), 1000))
        payload = chunked + b"0\r\n\r\n"
        head = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Encoding: gzip\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n")
        response_id = f"<urn:uuid:{uuid.uuid4()}>"
        records.append(warc_record("response", canonical_url(spec), head + payload,
                                   "application/http; msgtype=response",
                                   (("WARC-Payload-Digest", _sha1(payload)), ("WARC-IP-Address", "127.0.0.1")),
                                   record_id=response_id))
        records.append(warc_record("request", canonical_url(spec), b"GET / HTTP/1.0\r\nUser-Agent: Mozilla/5.0 "
                                   b"(compatible; heritrix/3.4.0 +http://example.org)\r\n\r\n",
                                   "application/http; msgtype=request", (("WARC-Concurrent-To", response_id),)))
        records.append(warc_record("metadata", canonical_url(spec), b"via: https://www.devdiscourse.com/\r\n"
                                   b"hopsFromSeed: L\r\n", "application/warc-fields",
                                   (("WARC-Concurrent-To", response_id),)))
        if spec is specs[0]:  # fetched again later, the same payload: a revisit of its headers only
            records.append(warc_record("revisit", canonical_url(spec), head, "application/http; msgtype=response", (
                ("WARC-Profile", "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest"),
                ("WARC-Truncated", "length"), ("WARC-Refers-To", response_id),
                ("WARC-Refers-To-Target-URI", canonical_url(spec)),
                ("WARC-Refers-To-Date", "2024-05-18T01:58:10Z"), ("WARC-Payload-Digest", _sha1(payload)))))
    warc = tmp_path / "WEB-20240518015810-00000-heritrix.warc.gz"
    warc.write_bytes(b"".join(records))
    replay, items = replayed(tmp_path, warc, specs)
    assert replay.stat("newscrawl/replay/archive_problems") is None, replay.log[-3000:]
    for spec, page in zip(specs, pages):
        item = items[str(spec.news_id)]
        assert item["provenance"]["body_sha256"] == hashlib.sha256(page).hexdigest()
        assert "body_truncated" not in item["quality"], item["quality"]
    assert replay.stat("newscrawl/replay/truncated/length") is None
    assert replay.stat("newscrawl/replay/revisits_resolved") == 1
    assert replay.stat("newscrawl/replay/skipped_records/metadata") == 2
    done = newscrawl_cli("verify", str(tmp_path / "run" / "out.jsonl"), "--archive", str(warc))
    assert done.returncode == 0 and "2 verified, 0 problems" in done.stdout, done.stdout + done.stderr
