"""Resource attacks against the real spider: bombs, entity tricks, huge and endless documents, slow and looping servers.

Each attack is served from loopback (127.0.0.1; 127.0.0.2 stands in for "another host") to a real `scrapy crawl
devdiscourse`. The crawl must end on its own, with exit code 0, no Traceback, bounded memory (peak RSS of the crawl
process, read with os.wait4) and the attack counted in the stats. Nothing here reaches beyond the loopback.
"""

from __future__ import annotations

import os
import re
import socket
import socketserver
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path

import brotli
import pytest
from backports import zstd

from newscrawl.archive.warc import ArchivedExchange, iter_archive
from newscrawl.spiders.sitemaps import MAX_ENTRIES, parse_sitemap
from tests.crawling import FAST, ROOT, CrawlResult
from tests.sitegen.server import XML, MirrorServer, Page, Request, Site, redirect
from tests.test_hostile_pages import variant

MIB = 1024 * 1024
DOWNLOAD_MAXSIZE = 20 * MIB  # newscrawl/settings.py
BOMB_SIZE = 256 * MIB  # 12.8 × the cap: held in memory, this alone would show in the peak RSS
# A crawl of this project idles at ~180 MB since the language model (py3langid) loads with the first article; five
# bombs inflating side by side up to the 20 MiB cap add up to 100 MB more. One 256 MiB body would break the limit.
PEAK_RSS_LIMIT = 380 * MIB
NS = (b'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
      b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"')


# ---- helpers ------------------------------------------------------------------------------------------------------
def crawl(workdir: Path, *args: str, settings: dict[str, str] | None = None,
          timeout: float = 120) -> tuple[CrawlResult, int, float]:
    """`scrapy crawl devdiscourse ARGS` → (result, peak RSS of the crawl process in bytes, seconds taken)."""
    command = [sys.executable, "-m", "scrapy", "crawl", "devdiscourse", *args]
    for name, value in {**FAST, **(settings or {})}.items():
        command += ["-s", f"{name}={value}"]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawl.settings", "PYTHONPATH": str(ROOT)}
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "crawl.log"
    started = time.monotonic()
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = started + timeout
        high_water = 0
        while True:
            # The child's own high-water mark from /proc: its rusage ru_maxrss would start at the RSS of this
            # (large, long-lived) pytest process, which Linux hands on through fork/exec.
            high_water = max(high_water, _vm_hwm(process.pid))
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"crawl did not end within {timeout} s: {' '.join(args)}")
            time.sleep(0.05)
    process.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.monotonic() - started
    peak = high_water or usage.ru_maxrss * 1024
    return CrawlResult(process.returncode, log.read_text(errors="replace"), workdir), peak, elapsed


def _vm_hwm(pid: int) -> int:
    """Peak resident set size of a running process in bytes (VmHWM), 0 when it cannot be read."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def assert_survived(result: CrawlResult) -> None:
    assert result.returncode == 0, result.log[-3000:]
    assert "Traceback" not in result.log, result.log[result.log.index("Traceback") - 1500:][:5000]
    assert result.stat("finish_reason") == "finished"


def stream_compress(compressor: object, flush: Callable[[], bytes], size: int) -> bytes:
    chunk, out = b"\0" * MIB, []
    step = getattr(compressor, "compress", None) or compressor.process  # type: ignore[attr-defined]
    for _ in range(size // MIB):
        out.append(step(chunk))
    out.append(flush())
    return b"".join(out)


def bomb(encoding: str, size: int = BOMB_SIZE) -> bytes:
    """`size` bytes of zeros, compressed with the HTTP content-coding `encoding` (~1000:1 or better)."""
    if encoding in ("gzip", "deflate"):
        c = zlib.compressobj(9, zlib.DEFLATED, 31 if encoding == "gzip" else 15)
        return stream_compress(c, c.flush, size)
    if encoding == "br":
        b = brotli.Compressor(quality=5)
        return stream_compress(b, b.finish, size)
    z = zstd.ZstdCompressor(level=3)
    return stream_compress(z, z.flush, size)


class Listener:
    """A TCP listener that only records who connected: proof that nothing was fetched from its address."""

    def __init__(self, host: str) -> None:
        self.sock = socket.socket()
        self.sock.bind((host, 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.connections: list[tuple[str, int]] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, peer = self.sock.accept()
            except OSError:
                return
            self.connections.append(peer)
            connection.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def elsewhere() -> Iterator[Listener]:
    """127.0.0.2: loopback, but another host as far as the spider's allowed_domains go."""
    try:
        listener = Listener("127.0.0.2")
    except OSError as error:  # Linux routes all of 127/8 to loopback; some systems only configure 127.0.0.1
        pytest.skip(f"cannot listen on 127.0.0.2 here: {error}")
    yield listener
    listener.close()


def article(news_id: int, name: str) -> Page:
    return Page(body=variant(news_id, name))


# ---- decompression bombs -----------------------------------------------------------------------------------------
def test_decompression_bombs_stop_at_download_maxsize(tmp_path: Path) -> None:
    """Scrapy 2.19's HttpCompressionMiddleware decompresses in 64 KiB steps and stops once DOWNLOAD_MAXSIZE
    decoded bytes are exceeded (IgnoreRequest, logged), for gzip, deflate, br and zstd, also when nested."""
    encodings = {"gzip": "gzip", "deflate": "deflate", "br": "br", "zstd": "zstd", "nested": "gzip, gzip"}
    site = Site({f"/article/politics/{4800001 + i}-bomb-{name}": Page(
        body=(zlib.compress(bomb("gzip"), 9, wbits=31) if name == "nested" else bomb(coding)),
        headers={"Content-Encoding": coding}) for i, (name, coding) in enumerate(encodings.items())})
    site["/article/politics/4800099-fine"] = article(4800099, "fine")
    with MirrorServer(site, gzip=False) as server:
        urls = ",".join(server.url(path) for path in site)
        result, peak, _ = crawl(tmp_path, "-a", f"urls={urls}", "-O", "out.jsonl", settings={"RETRY_TIMES": "0"})
    assert_survived(result)
    refused = re.findall(r"exceeded DOWNLOAD_MAXSIZE \((\d+) B\) during decompression", result.log)
    assert refused == [str(DOWNLOAD_MAXSIZE)] * len(encodings), result.log[-4000:]
    assert result.stat("newscrawl/errors/IgnoreRequest") == len(encodings)
    assert [item["outlet_id"] for item in result.feed_items("out.jsonl")] == ["4800099"], "the crawl went on"
    assert peak < PEAK_RSS_LIMIT, f"peak RSS {peak / MIB:.0f} MiB: a bomb was held in memory"
    # The WARC holds the bombs as sent (compressed, small), not as they would decode.
    warc = next(tmp_path.glob("output/devdiscourse/*.warc.gz"))
    assert warc.stat().st_size < 5 * MIB
    # Replayed, they stop at the same cap; the index build, which reads the head of every page for a meta refresh,
    # decoded the whole of each body but gzip's before taking its head, so one 256 MiB bomb was in memory.
    replay, peak, _ = crawl(tmp_path / "replay", "-a", f"replay={warc}", "-O", "out.jsonl")
    assert_survived(replay)
    assert replay.stat("newscrawl/errors/IgnoreRequest") == len(encodings)
    assert [item["outlet_id"] for item in replay.feed_items("out.jsonl")] == ["4800099"]
    assert peak < PEAK_RSS_LIMIT, f"peak RSS {peak / MIB:.0f} MiB replaying the bombs: one was held in memory"


# ---- XML entity attacks on the Google-News sitemap ---------------------------------------------------------------
def billion_laughs(levels: int = 10) -> bytes:
    entities = b'<!ENTITY lol0 "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1)) * 10) for i in range(1, levels))
    return b"<!DOCTYPE urlset [" + entities + b"]>"


def news_entry(loc: str, title: bytes) -> bytes:
    return (b"<url><loc>" + loc.encode() + b"</loc><news:news><news:publication><news:name>Devdiscourse"
            b"</news:name><news:language>en</news:language></news:publication><news:publication_date>"
            b"2025-03-21T19:07:12+05:30</news:publication_date><news:title>" + title +
            b"</news:title></news:news></url>")


SECRET = "XXE-SECRET-7f3a9c"


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


def entity_attacks(secret: Path, elsewhere: Listener) -> dict[str, bytes]:
    """Whole sitemap documents, each one attack, every entry the same article (title → discovery claim)."""
    loc = "http://127.0.0.1/article/politics/4900001-entity-attack"
    doctype_xxe = (f'<!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file://{secret}">'
                   f'<!ENTITY net SYSTEM "http://127.0.0.2:{elsewhere.port}/entity">]>').encode()
    return {
        "billion-laughs": billion_laughs() + b"<urlset " + NS + b">" + news_entry(loc, b"Laughs &lol9;") + b"</urlset>",
        "quadratic-blowup": (b'<!DOCTYPE urlset [<!ENTITY a "' + b"A" * 50_000 + b'">]><urlset ' + NS + b">" +
                             news_entry(loc, b"Blowup " + b"&a;" * 50_000) + b"</urlset>"),
        "xxe-file-and-network": doctype_xxe + b"<urlset " + NS + b">" + news_entry(loc, b"Leak &xxe; &net;") +
                                b"</urlset>",
        "xxe-parameter-entity": (f'<!DOCTYPE urlset [<!ENTITY % p SYSTEM "file://{secret}"> %p; '
                                 f'<!ENTITY % d SYSTEM "http://127.0.0.2:{elsewhere.port}/dtd"> %d;]>').encode() +
                                b"<urlset " + NS + b">" + news_entry(loc, b"Parameter") + b"</urlset>",
        "xxe-doctype-regex-dodge": (f'<!DOCTYPE urlset [<!ENTITY dodge "]"><!ENTITY xxe SYSTEM "file://{secret}">]>'
                                    ).encode() + b"<urlset " + NS + b">" + news_entry(loc, b"Dodge &xxe;") +
                                   b"</urlset>",
        "xinclude": (b'<urlset ' + NS + b' xmlns:xi="http://www.w3.org/2001/XInclude">' +
                     news_entry(loc, f'Include <xi:include href="file://{secret}" parse="text"/>'.encode()) +
                     b"</urlset>"),
        "external-dtd": (f'<!DOCTYPE urlset SYSTEM "http://127.0.0.2:{elsewhere.port}/sitemap.dtd">'.encode() +
                         b"<urlset " + NS + b">" + news_entry(loc, b"External DTD") + b"</urlset>"),
    }


def test_parse_sitemap_expands_no_entity_and_reads_no_file_or_network(secret_file: Path,
                                                                      elsewhere: Listener) -> None:
    for name, document in entity_attacks(secret_file, elsewhere).items():
        started = time.monotonic()
        sitemap = parse_sitemap(b'<?xml version="1.0" encoding="UTF-8"?>\n' + document)
        assert time.monotonic() - started < 1.0, name
        claims = " ".join(str(entry.news) for entry in sitemap.entries)
        assert SECRET not in claims, name
        assert "lollol" not in claims and "AAAA" not in claims, f"{name}: an entity was expanded"
        assert len(claims) < 1000, name
    assert elsewhere.connections == [], "the parser went to the network"


def test_sitemap_entity_attack_end_to_end(tmp_path: Path, secret_file: Path, elsewhere: Listener) -> None:
    """One sitemap with every trick at once, through the real spider: an item, and the secret nowhere."""
    attack = (b'<?xml version="1.0" encoding="utf-16"?>\n' + billion_laughs()[:-2] +
              f'<!ENTITY xxe SYSTEM "file://{secret_file}"><!ENTITY net SYSTEM "http://127.0.0.2:'
              f'{elsewhere.port}/x">]>'.encode())
    site = Site()

    def routes(request: Request) -> Page | None:
        if request.path == "/RSS/GoogleNews":
            loc = f"http://{request.headers['host']}/article/politics/4900001-entity-attack"
            return Page(body=attack + b"<urlset " + NS + b">" + news_entry(loc, b"Kim &lol9; &xxe; &net;")
                        + b"</urlset>", content_type=XML)
        if request.path.startswith("/article/politics/4900001-"):
            return article(4900001, "entity-attack")
        return None

    site.hooks.append(routes)
    with MirrorServer(site) as server:
        result, peak, elapsed = crawl(tmp_path / "crawl", "-a", f"base_url={server.base_url}", "-a",
                                      "routes=sitemap", "-O", "out.jsonl")
        served = [entry.path for entry in server.access_log]
    assert_survived(result)
    [item] = result.feed_items("out.jsonl")
    [claim] = [d["claims"]["news:title"] for d in item["provenance"]["discovery"]]
    assert claim == "Kim", "entity references are dropped, never expanded"
    assert not any(SECRET in path for path in served)
    for path in (tmp_path / "crawl").rglob("*"):  # feed, log, report, state: the secret is in none of them
        if path.is_file() and not path.name.endswith(".warc.gz"):
            assert SECRET not in path.read_text(errors="replace"), path
    for record in iter_archive(next(tmp_path.glob("crawl/output/devdiscourse/*.warc.gz"))):
        assert isinstance(record, ArchivedExchange) and SECRET.encode() not in record.decoded_body()
    assert elsewhere.connections == []
    assert peak < PEAK_RSS_LIMIT and elapsed < 60


# ---- huge sitemaps ---------------------------------------------------------------------------------------------
def huge_sitemap(entries: int, host: str = "127.0.0.1") -> bytes:
    entry = (b"<url><loc>http://" + host.encode() + b"/news/%d</loc><lastmod>2025-03-21T19:07:12+05:30</lastmod>"
             b"<news:news><news:publication><news:name>Devdiscourse</news:name><news:language>en</news:language>"
             b"</news:publication><news:publication_date>2025-03-21T19:07:12+05:30</news:publication_date>"
             b"<news:title>Headline number %d of a sitemap far larger than any real one</news:title></news:news>"
             b"</url>\n")
    return (b'<?xml version="1.0" encoding="UTF-8"?><urlset ' + NS + b">" +
            b"".join(entry % (i, i) for i in range(entries)) + b"</urlset>")


def test_parse_sitemap_streams_a_huge_sitemap_in_bounded_memory(tmp_path: Path) -> None:
    """Peak RSS growth of parse_sitemap on a 19 MB, 52,000-entry sitemap, measured in a fresh process.

    Building the whole tree (etree.fromstring, as this parser did before) costs ~150 MB here; streaming with
    element clearing costs about what the ≤ MAX_ENTRIES entries themselves take.
    """
    script = f"""
import os, sys
sys.path.insert(0, {str(ROOT)!r})
from tests.test_resource_attacks import huge_sitemap, _vm_hwm
from newscrawl.spiders.sitemaps import parse_sitemap
body = huge_sitemap(52_000)
before = _vm_hwm(os.getpid())  # this process's own high-water mark (ru_maxrss may be inherited from pytest)
sitemap = parse_sitemap(body)
after = _vm_hwm(os.getpid())
print(len(body), len(sitemap.entries), sitemap.truncated, after - before)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    size, entries, truncated, growth = done.stdout.split()
    assert int(size) > 19_000_000
    assert (int(entries), truncated) == (MAX_ENTRIES, "True")
    assert int(growth) < 64 * MIB, f"parse_sitemap grew the process by {int(growth) / MIB:.0f} MiB"


def test_huge_sitemaps_end_to_end_are_capped_and_bounded(tmp_path: Path) -> None:
    """A 19 MB sitemap is read up to MAX_ENTRIES (counted); a 26 MB one exceeds DOWNLOAD_MAXSIZE after
    decompression (the mirror gzips it) and is refused. Both crawls end with bounded memory."""
    body = huge_sitemap(52_000)  # 19.8 MB: under DOWNLOAD_MAXSIZE, over MAX_ENTRIES
    for name, document, expected in (("19mb", body, "truncated"),
                                      ("26mb", body + b"<!--" + b"x" * (7 * MIB) + b"-->", "refused")):
        site = Site({"/RSS/GoogleNews": Page(body=document, content_type=XML)})
        with MirrorServer(site) as server:
            result, peak, _ = crawl(tmp_path / name, "-a", f"base_url={server.base_url}", "-a",
                                          "routes=sitemap", settings={"RETRY_TIMES": "0"})
        assert_survived(result)
        assert peak < PEAK_RSS_LIMIT, f"{name}: peak RSS {peak / MIB:.0f} MiB"
        if expected == "truncated":
            assert result.stat("newscrawl/discovery/sitemap_truncated") == 1
            assert result.stat("newscrawl/discovery/not_article_url") == MAX_ENTRIES
        else:
            assert "exceeded DOWNLOAD_MAXSIZE" in result.log
            assert result.stat("newscrawl/errors/IgnoreRequest") == 1


# ---- redirects ---------------------------------------------------------------------------------------------------
def test_redirect_loops_chains_and_offsite_redirects_are_not_followed_and_are_counted(
        tmp_path: Path, elsewhere: Listener) -> None:
    chain = {f"/article/politics/4910003-chain-{i}": redirect(f"/article/politics/4910003-chain-{i + 1}", 302)
             for i in range(15)}
    site = Site({
        "/article/politics/4910001-self-loop": redirect("/article/politics/4910001-self-loop", 302),
        "/article/politics/4910002-ping": redirect("/article/politics/4910002-pong", 301),
        "/article/politics/4910002-pong": redirect("/article/politics/4910002-ping", 301),
        **chain,
        "/article/politics/4910004-offsite": redirect(
            f"http://127.0.0.2:{elsewhere.port}/article/politics/4910004-offsite", 302),
        "/article/politics/4910005-to-file": redirect("file:///etc/passwd", 302),
        "/article/politics/4910006-fine": article(4910006, "fine"),
    })
    with MirrorServer(site) as server:
        urls = [server.url(path) for path in ("/article/politics/4910001-self-loop", "/article/politics/4910002-ping",
                                              "/article/politics/4910003-chain-0", "/article/politics/4910004-offsite",
                                              "/article/politics/4910005-to-file", "/article/politics/4910006-fine")]
        urls.append(server.url("/article/politics/4910003-chain-10"))  # where the chain is given up
        result, _, _ = crawl(tmp_path, "-a", f"urls={','.join(urls[:6])}", "-O", "out.jsonl")
        requests = len(server.access_log)
    assert_survived(result)
    assert [item["outlet_id"] for item in result.feed_items("out.jsonl")] == ["4910006"]
    assert elsewhere.connections == [], "the offsite redirect was followed"
    assert result.stat("newscrawl/errors/RedirectLoop") == 2  # the self-loop and ping → pong → ping
    assert result.stat("newscrawl/errors/OffsiteRedirect") == 1
    assert result.stat("newscrawl/errors/IgnoreRequest") == 1  # the chain, after REDIRECT_MAX_TIMES (10)
    assert result.stat("newscrawl/errors/HttpError302") == 1  # file:// is not a scheme redirects may go to
    assert "passwd" not in (tmp_path / "out.jsonl").read_text()
    assert requests <= 1 + 1 + 2 + 11 + 1 + 1 + 1, "robots.txt + one pass over each route"
    for url in [*urls[:2], *urls[3:5], urls[6]]:
        assert f"): {url}" in result.log, f"{url} is named in a 'Request failed' line"


# ---- endless pagination ----------------------------------------------------------------------------------------
def trap_site() -> Site:
    """Listings and the JSON archive API that never end: every page is full of new articles and links onward
    (next page, previous day in a calendar), the way a calendar trap or a broken pager looks to a crawler."""
    site = Site()

    def routes(request: Request) -> Page | None:
        page = int((re.search(r"page=(\d+)", request.query) or re.search(r"(\d+)$", request.path) or [0, 1])[1])
        if request.path in ("/pti-stories", "/devdiscourse-stories"):
            cards = "".join(f'<div class="media"><a href="/article/politics/{news_id}-trap"><h4>Trap {news_id}</h4>'
                            f"</a></div>" for news_id in range(4920000 + page * 10, 4920000 + page * 10 + 5))
            return Page(body=(f'<html><body><div class="col-md-8">{cards}<a href="{request.path}?page={page + 1}">'
                              f'Next</a><a href="/archive/{2025 - page}/01/01">Earlier</a></div></body></html>'
                              ).encode())
        if request.path.startswith("/api/Search/GetAllNews/"):
            now = datetime.now(timezone.utc).replace(tzinfo=None).isoformat()
            rows = [{"newId": 4930000 + page * 10 + i, "label": "politics", "title": f"Api trap {page} {i}",
                     "createdOn": now} for i in range(5)]
            return Page(body=str(rows).replace("'", '"').encode(), content_type="application/json")
        match = re.match(r"/article/politics/(\d+)-", request.path)
        return article(int(match.group(1)), "trap") if match else None

    site.hooks.append(routes)
    return site


def test_endless_listings_and_api_stop_at_max_pages(tmp_path: Path) -> None:
    with MirrorServer(trap_site()) as server:
        result, _, elapsed = crawl(tmp_path, "-a", f"base_url={server.base_url}", "-a", "routes=api,listings",
                                   "-a", "max_pages=3", "-O", "out.jsonl")
        paths = [entry.path for entry in server.access_log]
    assert_survived(result)
    assert sum(p.startswith("/pti-stories") for p in paths) == 3
    assert sum(p.startswith("/devdiscourse-stories") for p in paths) == 3
    assert sum(p.startswith("/api/Search/GetAllNews/") for p in paths) == 3
    assert not any(p.startswith("/archive/") for p in paths), "calendar links are not followed"
    assert len(result.feed_items("out.jsonl")) == 3 * 5 + 3 * 5  # both listings show the same ids; API its own
    assert elapsed < 60


# ---- slow servers -------------------------------------------------------------------------------------------------
class SlowServer(socketserver.ThreadingTCPServer):
    """Raw HTTP on 127.0.0.1: /silent never answers, /trickle sends its headers and then one byte every 0.2 s."""

    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the crawler hanging up on a trickle is the point, not an error worth a traceback

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), SlowHandler)
        self.stop = threading.Event()
        self.requests: list[str] = []
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def close(self) -> None:
        self.stop.set()
        self.shutdown()
        self.server_close()


class SlowHandler(socketserver.StreamRequestHandler):
    server: SlowServer

    def handle(self) -> None:
        path = self.rfile.readline().decode("latin-1").split(" ")[1]
        while self.rfile.readline().strip():
            pass
        self.server.requests.append(path)
        if "silent" in path:
            self.server.stop.wait(60)
        elif "trickle" in path:
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n<html>")
            while not self.server.stop.wait(0.2):
                self.wfile.write(b" ")
        elif "fine" in path:
            body = variant(4940003, "fine")
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: " +
                             str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
        else:
            self.wfile.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


def test_slow_loris_servers_time_out_and_the_crawl_ends(tmp_path: Path) -> None:
    server = SlowServer()
    try:
        urls = [f"{server.base_url}/article/politics/4940001-silent", f"{server.base_url}/article/politics/4940002-trickle",
                f"{server.base_url}/article/politics/4940003-fine"]
        result, _, elapsed = crawl(tmp_path, "-a", f"urls={','.join(urls)}", "-O", "out.jsonl",
                                   settings={"DOWNLOAD_TIMEOUT": "2"}, timeout=60)
    finally:
        server.close()
    assert_survived(result)
    assert elapsed < 30, f"the crawl took {elapsed:.0f} s"
    assert [item["outlet_id"] for item in result.feed_items("out.jsonl")] == ["4940003"]
    assert result.stat("newscrawl/errors/DownloadTimeoutError") == 2
    assert result.stat("retry/max_reached") == 2, "each slow URL was retried RETRY_TIMES (2) times, then given up"
    for url in urls[:2]:
        assert f"Request failed (DownloadTimeoutError): {url}" in result.log


def test_a_dropped_redirect_is_named_by_where_it_led() -> None:
    """Back into its own chain (canonically: the dupefilter compares canonical URLs) is a loop; to an article another
    route requests is no failure (a second address of that article); to any other requested page, a failure."""
    from collections import Counter

    from scrapy.http import Request

    from newscrawl.spiders.failures import RequestFailures

    class Stats(Counter[str]):
        def inc_value(self, key: str, count: int = 1) -> None:
            self[key] += count

    class Held:
        def known(self, key: str) -> bool:
            return key == "https://a.example/story"

    class Spider(RequestFailures):
        def __init__(self) -> None:
            self.crawler = type("Crawler", (), {"stats": Stats()})()
            self.held = Held()  # type: ignore[assignment]

        def article_key(self, url: str) -> str:
            return url.replace("http://", "https://")

    spider = Spider()
    for url, chain in [("https://a.example/x?a=1&b=2", ["https://a.example/x?b=2&a=1"]),
                       ("https://a.example/story", ["http://a.example/go/1"]),
                       ("https://a.example/", ["https://a.example/gone"])]:
        spider.redirect_dropped(Request(url, meta={"redirect_urls": chain}))
    assert spider.crawler.stats == {"newscrawl/errors/RedirectLoop": 1, "newscrawl/redirects/to_requested_article": 1,
                                    "newscrawl/errors/RedirectToRequestedPage": 1}
