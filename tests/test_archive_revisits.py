"""Revisit resolution on WARCs written by real tools: wget --warc-dedup runs and warcio-written crawls of a
loopback server (Heritrix-style server-not-modified and digest-only revisits, warcprox-style hex digests).

Which capture answers a revisit: the one it names, and among several that fit, the latest at or before the
revisit's own date (a capture made after the revisit may hold a page it never stood for).
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newscrawl.archive.revisits import normalised_digest
from newscrawl.archive.warc import ArchivedExchange, ArchiveIndex, IndexEntry

SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.0/revisit/server-not-modified"
IDENTICAL_PAYLOAD = "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest"


def article(version: str) -> bytes:
    paragraphs = "".join(f"<p>Paragraph {i} of the council budget story, {version}.</p>" for i in range(40))
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>Council budget ({version})</title></head>"
            f"<body><article><h1>Council approves budget</h1>{paragraphs}</article></body></html>").encode()


class _Site(BaseHTTPRequestHandler):
    """A news page whose text the test changes between crawls; answers 304 to a matching If-Modified-Since
    (as servers do for an unchanged page), and /chunked in chunked transfer coding."""

    protocol_version = "HTTP/1.1"
    pages: dict[str, bytes] = {}
    modified = formatdate(1_700_000_000, usegmt=True)

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        body = self.pages.get(self.path.split("?")[0], article("first version"))
        if self.headers.get("If-Modified-Since") == self.modified:
            self.send_response(304)
            self.send_header("Last-Modified", self.modified)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Last-Modified", self.modified)
        if "chunked" in self.path:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(body), 700):
                part = body[start:start + 700]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture()
def site() -> Iterator[str]:
    _Site.pages = {}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@dataclass
class Crawl:
    """A crawler that fetches from the loopback site and archives with warcio, at dates the test chooses."""

    writer: WARCWriter
    opener: urllib.request.OpenerDirector

    def fetch(self, url: str, when: str, conditional: bool = False) -> str:
        """Fetch and archive ``url`` dated ``when``: a response record, or for a 304 a server-not-modified revisit
        naming nothing (what Heritrix writes for an unchanged page). Returns the record id."""
        request = urllib.request.Request(url, headers={"If-Modified-Since": _Site.modified} if conditional else {})
        try:
            with self.opener.open(request, timeout=5) as response:
                status, reason, headers, body = response.status, response.reason, response.getheaders(), response.read()
        except urllib.error.HTTPError as not_modified:
            status, reason, headers, body = not_modified.code, "Not Modified", not_modified.headers.items(), b""
        http = StatusAndHeaders(f"{status} {reason}", headers, protocol="HTTP/1.1")
        if status == 304:
            record = self.writer.create_warc_record(url, "revisit", http_headers=http, warc_headers_dict={
                "WARC-Date": when, "WARC-Profile": SERVER_NOT_MODIFIED})
        else:
            record = self.writer.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                                    http_headers=http, warc_headers_dict={"WARC-Date": when})
        self.writer.write_record(record)
        return str(record.rec_headers.get_header("WARC-Record-ID"))

    def digest_revisit(self, url: str, when: str, digest: str) -> None:
        """A revisit naming its original by payload digest alone (WARC/1.0 identical-payload-digest, as Heritrix
        with a digest history writes it)."""
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        self.writer.write_record(self.writer.create_warc_record(url, "revisit", http_headers=http, warc_headers_dict={
            "WARC-Date": when, "WARC-Profile": IDENTICAL_PAYLOAD, "WARC-Payload-Digest": digest}))


def crawl_into(path: Path) -> tuple[Crawl, io.BufferedWriter]:
    fh = path.open("wb")
    return Crawl(WARCWriter(fh, gzip=True), urllib.request.build_opener(urllib.request.ProxyHandler({}))), fh


def test_a_server_not_modified_revisit_is_the_capture_before_it_not_the_last_one(tmp_path: Path, site: str) -> None:
    """Day 1 the page is captured, day 2 the server says 304 (a revisit naming nothing), day 3 the page has
    changed and is captured again: day 2 stands for day 1's page. A revisit with no earlier capture at all is
    answered by the nearest later one, and counted."""
    url, early = f"{site}/2025/03/council-budget", f"{site}/2025/03/early-revisit"
    crawl, fh = crawl_into(tmp_path / "crawl.warc.gz")
    day1 = crawl.fetch(url, "2025-03-01T10:00:00Z")
    crawl.fetch(url, "2025-03-02T10:00:00Z", conditional=True)
    crawl.fetch(early, "2025-03-01T09:00:00Z", conditional=True)
    _Site.pages["/2025/03/council-budget"] = article("corrected version")
    day3 = crawl.fetch(url, "2025-03-03T10:00:00Z")
    early_capture = crawl.fetch(early, "2025-03-04T10:00:00Z")
    fh.close()

    index = ArchiveIndex.build(tmp_path)
    assert index.problems == [] and not index.skipped and index.revisits_resolved == 2
    first, revisit, last = index.captures(url)
    assert (first.record_id, revisit.revisit, revisit.record_id, last.record_id) == (day1, True, day1, day3)
    assert index.read(revisit).body == article("first version")
    assert index.revisits_answered_later == 1
    assert [entry.record_id for entry in index.captures(early)] == [early_capture, early_capture]


def test_a_digest_revisit_is_its_own_urls_capture_at_or_before_it(tmp_path: Path, site: str) -> None:
    """The page had version A, then B, then A again (an edit reverted). A digest-only revisit of A dated between
    B and the revert names the first A capture; its digest is written in hex (warcprox's default) while the
    captures carry base32 (warcio's), and the index reads no body to match them."""
    url = f"{site}/2025/03/council-budget"
    crawl, fh = crawl_into(tmp_path / "crawl.warc.gz")
    first_a = crawl.fetch(url, "2025-03-01T10:00:00Z")
    _Site.pages["/2025/03/council-budget"] = article("second version")
    crawl.fetch(url, "2025-03-02T10:00:00Z")
    _Site.pages.clear()
    crawl.digest_revisit(url, "2025-03-03T10:00:00Z", "sha1:" + hashlib.sha1(article("first version")).hexdigest())
    crawl.fetch(url, "2025-03-04T10:00:00Z")
    fh.close()

    index = _build_counting_reads(tmp_path)
    assert index.reads == 0
    assert index.problems == [] and not index.skipped and index.revisits_resolved == 1
    revisit = index.captures(url)[2]
    assert revisit.revisit and revisit.record_id == first_a and index.revisits_answered_later == 0


@pytest.mark.skipif(shutil.which("wget") is None, reason="wget is not installed (apt-get install -y wget)")
def test_wget_dedup_revisits_of_a_pruned_crawl_resolve_by_the_captures_own_digests(tmp_path: Path,
                                                                                  site: str) -> None:
    """Three wget runs: the first is archived with a CDX, the second dedups against it (revisits naming the
    first run's records), the third captures the pages again. The first run's WARC is then pruned, so the
    revisits can only be matched by payload digest. wget digests a chunked payload as sent, chunk framing
    included, so only the captures' own WARC-Payload-Digest headers can match it (hashing the de-chunked body
    cannot); and the only matching captures are later than the revisits, which is counted."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    wget = ["wget", "--quiet", "--no-proxy", "--tries=1", "--timeout=5", "-e", "robots=off", "-O", "/dev/null",
            "--no-warc-compression", "--no-warc-keep-log"]
    urls = [f"{site}/chunked", f"{site}/plain"]
    archive = tmp_path / "archive"
    archive.mkdir()
    subprocess.run([*wget, f"--warc-file={tmp_path / 'run1'}", "--warc-cdx", *urls],
                   check=True, env=env, cwd=tmp_path, timeout=30)
    subprocess.run([*wget, f"--warc-file={archive / 'run2'}", f"--warc-dedup={tmp_path / 'run1.cdx'}", *urls],
                   check=True, env=env, cwd=tmp_path, timeout=30)
    time.sleep(1.1)  # WARC-Date has whole seconds: run 3 must be strictly later than run 2
    subprocess.run([*wget, f"--warc-file={archive / 'run3'}", *urls], check=True, env=env, cwd=tmp_path, timeout=30)
    assert b"WARC-Type: revisit" in (archive / "run2.warc").read_bytes()

    index = _build_counting_reads(archive)
    assert index.reads == 0
    assert index.problems == [] and index.skipped.get("revisit-unresolved", 0) == 0
    assert index.revisits_resolved == 2 and index.revisits_answered_later == 2
    for url in urls:
        revisit, run3 = index.captures(url)
        assert revisit.revisit and revisit.record_id == run3.record_id and "run3" in revisit.file
        replayed = index.read(revisit)
        assert replayed.url == url and replayed.body == article("first version")


@pytest.mark.parametrize("spelling", [
    "sha1:6VZNHFX25EQGMKDRJ6ZM4AHXF2KPEJMP",  # base32: wget, warcio, Heritrix
    "sha1:6vznhfx25eqgmkdrj6zm4ahxf2kpejmp",  # base32 lower-cased
    "SHA-1:6VZNHFX25EQGMKDRJ6ZM4AHXF2KPEJMP",  # algorithm spelled as in hashlib's docs
    "6VZNHFX25EQGMKDRJ6ZM4AHXF2KPEJMP",  # a CDX line's bare digest
    "sha1:f572d396fae9206628714fb2ce00f72e94f2258f",  # hex: warcprox's default
    "sha1:F572D396FAE9206628714FB2CE00F72E94F2258F",
    "sha1:9XLTlvrpIGYocU+yzgD3LpTyJY8=",  # base64, which the WARC spec also allows
])
def test_digest_spellings_normalise_to_one_form(spelling: str) -> None:
    assert normalised_digest(spelling) == "sha1:f572d396fae9206628714fb2ce00f72e94f2258f"


def test_an_unreadable_digest_still_matches_its_own_spelling() -> None:
    assert normalised_digest("sha1:not-a-digest") == normalised_digest(" SHA1:Not-A-Digest ") != ""
    assert normalised_digest("md4x:ABC") == "md4x:abc"


class _CountingIndex(ArchiveIndex):
    reads = 0

    def read(self, entry: IndexEntry, max_payload: int | None = None) -> ArchivedExchange:
        type(self).reads += 1
        return super().read(entry, max_payload)


def _build_counting_reads(path: Path) -> _CountingIndex:
    """Builds the index counting bodies re-read while revisits were resolved."""
    _CountingIndex.reads = 0
    index = _CountingIndex.build(path)
    assert isinstance(index, _CountingIndex)
    return index

