"""A loopback Devdiscourse mirror fast enough that a benchmark measures the crawler, not the server.

tests/sitegen/server.py renders every article per request and rebuilds its sidebar from all articles
(`mirror_context` sorts and scans the whole corpus: ~4 ms per page at 5,000 articles, ~8 ms at 10,000), then
gzips it in a stdlib ThreadingHTTPServer. That caps it near 150 pages/s, below what Scrapy fetches on loopback.
So the benchmarks pre-render every page the crawl will ask for *through that same Site* (identical bytes), gzip
it once, and serve the finished responses from a dict with a minimal asyncio HTTP/1.1 server on 127.0.0.1. A
request the prediction missed is still answered correctly: it is resolved through the Site on the spot and
counted (`misses`), so a wrong prediction shows up in the results rather than as wrong data.

`fast_mirror_context` is an exact, precomputed equivalent of sitegen's `mirror_context` (checked against it on a
sample every time it is built) plus a memo of the templates' pure `razor` encoder (a per-character Python loop,
60 % of rendering time), used only while pre-rendering.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any, Self

import tests.sitegen.devdiscourse as sitegen_templates
import tests.sitegen.server as sitegen_server
from newscrawl.spiders.devdiscourse_links import slug as spider_slug
from tests.sitegen.devdiscourse import DEFAULT_CONTEXT, LinkItem, NewsSpec, PageContext, article_path
from tests.sitegen.server import Request, Site

USER_AGENT_HINT = "newscrawl"  # no "bot" in it: the mirror serves the full page (README, "User-Agent")
API_PAGE_SIZE = 20  # /api/Search/GetAllNews pages (STRUCTURE.md §1.4)
LISTING_PAGES = 5  # the spider's default max_pages for /pti-stories and /devdiscourse-stories


class FastContexts:
    """`mirror_context(specs, spec)` for a fixed list of specs, answered from precomputed orderings."""

    def __init__(self, specs: list[NewsSpec]) -> None:
        ordered = sorted(specs, key=lambda s: s.created_on, reverse=True)  # stable, like the original
        self.news = [s for s in ordered if s.type == "News"]
        self.blogs = [s for s in ordered if s.type == "Blog"]
        self.tags = {s.news_id: {t.strip().lower() for t in s.tags} for s in specs}
        self.items: dict[int, LinkItem] = {}

    def item(self, s: NewsSpec) -> LinkItem:
        found = self.items.get(s.news_id)
        if found is None:
            found = self.items[s.news_id] = LinkItem(s.title, article_path(s),
                                                     (s.country.split(",")[0].strip() or "Global"),
                                                     author=s.author if s.type == "Blog" else "")
        return found

    def _first(self, specs: list[NewsSpec], exclude: int, count: int) -> list[NewsSpec]:
        out: list[NewsSpec] = []
        for s in specs:
            if s.news_id != exclude:
                out.append(s)
                if len(out) == count:
                    break
        return out

    def __call__(self, specs: list[NewsSpec], spec: NewsSpec) -> PageContext:
        news = self._first(self.news, spec.news_id, 5)
        if not news:
            return DEFAULT_CONTEXT
        blogs = self._first(self.blogs, spec.news_id, 4)
        wanted = {t.strip().lower() for t in spec.tags}
        related: list[NewsSpec] = []
        for s in self.news:
            if s.news_id != spec.news_id and wanted & self.tags[s.news_id]:
                related.append(s)
                if len(related) == 4:
                    break
        return PageContext(
            trending=tuple(self.item(s) for s in news[1:5]),
            opinions=tuple(self.item(s) for s in blogs[:4]) or DEFAULT_CONTEXT.opinions,
            latest=tuple(self.item(s) for s in news[:5]),
            also_read=tuple(self.item(s) for s in related),
        )


@contextlib.contextmanager
def fast_mirror_context(specs: list[NewsSpec], check: int = 25) -> Iterator[FastContexts]:
    """Swap sitegen's `mirror_context` for the precomputed one while pre-rendering; proven equal on a sample."""
    fast = FastContexts(specs)
    original = sitegen_server.mirror_context
    step = max(1, len(specs) // check)
    for spec in specs[::step]:
        if fast(specs, spec) != original(specs, spec):
            raise AssertionError(f"FastContexts disagrees with mirror_context for NewsId {spec.news_id}")
    razor = sitegen_templates.razor
    memo: dict[str, str] = {}

    def memo_razor(value: object) -> str:
        text = "" if value is None else str(value)  # razor reads only str(value)
        found = memo.get(text)
        if found is None:
            found = memo[text] = razor(text)
        return found

    sitegen_server.mirror_context = fast
    sitegen_templates.razor = memo_razor
    try:
        yield fast
    finally:
        sitegen_server.mirror_context = original
        sitegen_templates.razor = razor


def article_targets(specs: list[NewsSpec]) -> list[str]:
    """The URL path the spider requests for each article: the API route's canonical form, which wins (README)."""
    return [f"/article/{s.label or 'agency-wire'}/{spider_slug(s.news_id, s.title)}" for s in specs]


def discovery_targets(n: int) -> list[str]:
    pages = n // API_PAGE_SIZE + 1  # the walker stops at the first empty page
    return (["/robots.txt", "/RSS/GoogleNews"]
            + [f"/api/Search/GetAllNews/{p}" for p in range(1, pages + 1)]
            + [f"/{name}?page={p}" for name in ("pti-stories", "devdiscourse-stories")
               for p in range(1, LISTING_PAGES + 1)])


@dataclass(frozen=True)
class Response:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    """Already gzipped when `headers` say so."""


def _request(target: str, accept_gzip: bool) -> Request:
    path, _, query = target.partition("?")
    headers = {"user-agent": USER_AGENT_HINT, "accept-encoding": "gzip, deflate" if accept_gzip else "identity"}
    return Request(method="GET", target=target, path=path, query=query, headers=headers,
                   user_agent=USER_AGENT_HINT, is_bot=False)


def resolve(site: Site, target: str, accept_gzip: bool = True) -> Response:
    """What tests/sitegen/server.py's handler sends for `target` (conditional requests off, non-bot UA)."""
    page = site.resolve(_request(target, accept_gzip))
    if page is None:
        return Response(404, (("Content-Type", "text/plain; charset=utf-8"),), b"Not Found")
    headers = [("Content-Type", page.content_type), *page.headers.items()]
    body = page.body
    if body and accept_gzip:
        body = gzip.compress(body, mtime=0)
        headers += [("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")]
    return Response(page.status, tuple(headers), body)


def prerender(site: Site, specs: list[NewsSpec], targets: list[str]) -> dict[str, Response]:
    """Every target resolved through the Site (gzipped, as Scrapy asks for gzip), sidebar contexts precomputed."""
    with fast_mirror_context(specs):
        return {target: resolve(site, target) for target in targets}


@dataclass
class _Stats:
    requests: int = 0
    misses: list[str] = field(default_factory=list)
    log: list[str] = field(default_factory=list)


class FastMirror:
    """Serves pre-rendered responses on 127.0.0.1 from a background thread; `log` lists every target requested."""

    def __init__(self, site: Site, pages: dict[str, Response]) -> None:
        self.site = site
        self.pages = pages
        self.stats = _Stats()
        self._wire: dict[tuple[str, bool], bytes] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def reset_log(self) -> None:
        self.stats = _Stats()

    def _response_bytes(self, target: str, accept_gzip: bool) -> bytes:
        key = (target, accept_gzip)
        wire = self._wire.get(key)
        if wire is not None:
            return wire
        response = self.pages.get(target) if accept_gzip else None
        if response is None:
            self.stats.misses.append(target)
            response = resolve(self.site, target, accept_gzip)  # correct, just slow
        reason = {200: "OK", 301: "Moved Permanently", 404: "Not Found", 500: "Internal Server Error"}
        lines = [f"HTTP/1.1 {response.status} {reason.get(response.status, 'Status')}",
                 "Server: Kestrel", f"Date: {formatdate(usegmt=True)}",
                 *(f"{k}: {v}" for k, v in response.headers), f"Content-Length: {len(response.body)}"]
        wire = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + response.body
        self._wire[key] = wire
        return wire

    def _protocol(self) -> type[asyncio.Protocol]:
        mirror = self

        class Http(asyncio.Protocol):
            def connection_made(self, transport: Any) -> None:
                self.transport = transport
                self.buffer = b""

            def data_received(self, data: bytes) -> None:
                self.buffer += data
                while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
                    head, self.buffer = self.buffer[:end], self.buffer[end + 4:]
                    request_line, _, header_block = head.partition(b"\r\n")
                    parts = request_line.split(b" ")
                    if len(parts) != 3:
                        self.transport.close()
                        return
                    target = parts[1].decode("latin-1")
                    accept_gzip = False
                    for line in header_block.split(b"\r\n"):
                        name, _, value = line.partition(b":")
                        if name.strip().lower() == b"accept-encoding":
                            accept_gzip = b"gzip" in value.lower()
                    mirror.stats.requests += 1
                    mirror.stats.log.append(target)
                    self.transport.write(mirror._response_bytes(target, accept_gzip))

        return Http

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        # Bound to the loopback address only: benchmarks never listen on or reach other hosts.
        self._server = loop.run_until_complete(loop.create_server(self._protocol(), "127.0.0.1", 0, backlog=512))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        loop.run_forever()
        self._server.close()
        loop.run_until_complete(self._server.wait_closed())
        loop.close()

    def __enter__(self) -> Self:
        self._thread = threading.Thread(target=self._run, name="FastMirror", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("FastMirror did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)

