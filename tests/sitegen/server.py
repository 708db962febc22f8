"""A loopback HTTP mirror of Devdiscourse for end-to-end crawler tests.

``MirrorServer`` serves a mutable ``Site`` on 127.0.0.1 (free port) from a background thread::

    with MirrorServer(build_devdiscourse_mirror([seed_spec(), *corpus(30)])) as server:
        fetch(server.base_url + "/RSS/GoogleNews")
        assert server.access_log[-1].status == 200

A ``Site`` is a mapping ``path[?query]`` → ``Page`` (exact match first) plus route hooks
(``Callable[[Request], Page | None]``, tried in order). Switches, all attributes of the server and
changeable while it runs:

* ``gzip``: compress the body when the client accepts it (default on, as the site); ``coding`` says with what
  (``"gzip"``, the default, ``"br"`` or ``"zstd"``: what CDNs send a client that offers them).
* ``chunked_prefixes``: paths starting with one of these go out with ``Transfer-Encoding: chunked``.
* ``conditional``: send ``ETag``/``Last-Modified`` and answer ``If-None-Match``/``If-Modified-Since``
  with 304 (default off: the real site sends neither, STRUCTURE.md §5).
* ``ua_switch``: pass ``is_bot`` (UA contains "bot", case-insensitive) to hooks and serve
  ``Page.bot_body`` to bots (default on, like the site).

``access_log`` holds ``LogEntry(method, path, status, user_agent)``; ``reset_log()`` clears it.

``build_devdiscourse_mirror(specs)`` wires every route the crawler uses; articles are rendered per
request from ``site.articles`` (a dict NewsId → NewsSpec), so tests can add or edit articles live.
``python -m tests.sitegen.server --port 8080 --n 50`` serves the seed + ``corpus(n)`` until Ctrl-C.
"""

from __future__ import annotations

import argparse
import email.utils
import gzip as gzip_module
import hashlib
import logging
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, unquote, unquote_plus, urlsplit

import brotli

if sys.version_info >= (3, 14):
    from compression import zstd
else:  # the server compresses on its own, not with the code under test
    from backports import zstd

from tests.sitegen.devdiscourse import (
    DEFAULT_CONTEXT,
    LinkItem,
    NewsSpec,
    PageContext,
    Revision,
    article_path,
    news_guid,
    render_amp,
    render_desktop,
    render_error_page,
    render_get_all_news,
    render_google_news_sitemap,
    render_listing,
    render_mobile,
    render_robots_txt,
    render_sub_blogs,
    render_tags_news,
    select_devdiscourse_stories,
    select_pti_stories,
    slug,
)

logger = logging.getLogger(__name__)

HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
JSON = "application/json; charset=utf-8"
TEXT = "text/plain; charset=utf-8"


@dataclass
class Page:
    """One response. ``bot_body`` (if set) is served instead of ``body`` to a bot UA."""

    body: bytes = b""
    status: int = 200
    content_type: str = HTML
    headers: dict[str, str] = field(default_factory=dict)
    bot_body: bytes | None = None
    last_modified: datetime | None = None
    """Used for ``Last-Modified`` when the server's ``conditional`` switch is on."""


@dataclass(frozen=True)
class Request:
    """What a route hook sees."""

    method: str
    target: str
    """Raw request target: path plus ``?query`` exactly as sent."""
    path: str
    query: str
    headers: dict[str, str]
    user_agent: str
    is_bot: bool
    """UA contains "bot" case-insensitively, and the server's ``ua_switch`` is on."""


RouteHook = Callable[[Request], "Page | None"]


class Site(dict[str, Page]):
    """Exact ``path[?query]`` → ``Page`` pages plus ordered route hooks and (for mirrors) articles."""

    def __init__(self, pages: dict[str, Page] | None = None, hooks: Iterable[RouteHook] = ()) -> None:
        super().__init__(pages or {})
        self.hooks: list[RouteHook] = list(hooks)
        self.articles: dict[int, NewsSpec] = {}

    def resolve(self, request: Request) -> Page | None:
        page = self.get(request.target)
        if page is not None:
            return page
        for hook in self.hooks:
            page = hook(request)
            if page is not None:
                return page
        return None


def redirect(location: str, status: int = 301) -> Page:
    body = f'<html><head><title>Moved</title></head><body><a href="{location}">here</a></body></html>'.encode()
    return Page(body=body, status=status, headers={"Location": location})


@dataclass(frozen=True)
class LogEntry:
    method: str
    path: str
    status: int
    user_agent: str


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive + chunked transfer-encoding
    server_version = "Kestrel"
    sys_version = ""
    server: _HTTPServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        logger.debug("%s - %s", self.address_string(), format % args)

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._serve(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(head=True)

    def _serve(self, head: bool) -> None:
        mirror = self.server.mirror
        ua = self.headers.get("User-Agent", "")
        parts = urlsplit(self.path)
        request = Request(
            method=self.command, target=self.path, path=parts.path, query=parts.query,
            headers={k.lower(): v for k, v in self.headers.items()}, user_agent=ua,
            is_bot=mirror.ua_switch and "bot" in ua.lower(),
        )
        try:
            page = mirror.site.resolve(request)
        except Exception:  # a broken hook must show up as a 500, not kill the connection
            logger.exception("route hook failed for %s", self.path)
            page = Page(body=b"hook error", status=500, content_type=TEXT)
        if page is None:
            page = Page(body=b"Not Found", status=404, content_type=TEXT)
        body = page.bot_body if request.is_bot and page.bot_body is not None else page.body
        status = page.status
        headers: dict[str, str] = {"Content-Type": page.content_type, **page.headers}

        if mirror.conditional and status == 200:
            etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
            modified = page.last_modified or mirror.default_last_modified
            headers["ETag"] = etag
            headers["Last-Modified"] = email.utils.format_datetime(modified.astimezone(timezone.utc), usegmt=True)
            if _not_modified(request.headers, etag, modified):
                status, body = 304, b""
                headers.pop("Content-Type", None)

        if body and mirror.gzip and status != 304 and _accepts(request.headers.get("accept-encoding", ""),
                                                               mirror.coding):
            body = _CODERS[mirror.coding](body)
            headers["Content-Encoding"] = mirror.coding
            headers["Vary"] = "Accept-Encoding"

        chunked = (
            not head and status not in (204, 304) and body != b""
            and any(parts.path.startswith(p) for p in mirror.chunked_prefixes)
        )
        mirror._log(LogEntry(self.command, self.path, status, ua))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if head or status == 304:
            return
        if chunked:
            for start in range(0, len(body), mirror.chunk_size):
                piece = body[start:start + mirror.chunk_size]
                self.wfile.write(f"{len(piece):X}\r\n".encode() + piece + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.wfile.write(body)


_CODERS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": lambda body: gzip_module.compress(body, mtime=0),
    "br": brotli.compress,
    "zstd": zstd.compress,
}


def _accepts(header: str, coding: str) -> bool:
    for token in header.split(","):
        name, _, params = token.strip().partition(";")
        if name.strip().lower() in (coding, "*"):
            return not re.search(r"q\s*=\s*0(\.0*)?\s*$", params.strip())
    return False


def _not_modified(headers: dict[str, str], etag: str, modified: datetime) -> bool:
    inm = headers.get("if-none-match")
    if inm is not None:  # RFC 9110 §13.1.3: If-None-Match wins over If-Modified-Since
        tags = [t.strip().removeprefix("W/") for t in inm.split(",")]
        return "*" in tags or etag in tags
    ims = headers.get("if-modified-since")
    if ims:
        try:
            since = email.utils.parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=timezone.utc)
        return modified.replace(microsecond=0) <= since
    return False


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    mirror: MirrorServer


class MirrorServer:
    """Threaded loopback server for a ``Site``; use as a context manager (or ``start``/``stop``)."""

    def __init__(
        self,
        site: Site | None = None,
        *,
        port: int = 0,
        gzip: bool = True,
        conditional: bool = False,
        chunked_prefixes: Iterable[str] = (),
        ua_switch: bool = True,
    ) -> None:
        self.site = site if site is not None else Site()
        self.gzip = gzip
        self.coding = "gzip"
        self.conditional = conditional
        self.chunked_prefixes: set[str] = set(chunked_prefixes)
        self.chunk_size = 4096
        self.ua_switch = ua_switch
        self.default_last_modified = datetime(2025, 3, 21, 12, 0, tzinfo=timezone.utc)
        self.access_log: list[LogEntry] = []
        self._lock = threading.Lock()
        self._port = port
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("MirrorServer is not running; use it as a context manager or call start()")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def start(self) -> MirrorServer:
        # Bound to the loopback address only: tests must never listen on or reach other hosts.
        self._httpd = _HTTPServer(("127.0.0.1", self._port), _Handler)
        self._httpd.mirror = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="MirrorServer", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> MirrorServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _log(self, entry: LogEntry) -> None:
        with self._lock:
            self.access_log.append(entry)

    def reset_log(self) -> None:
        with self._lock:
            self.access_log.clear()

    def requests_for(self, path_prefix: str) -> list[LogEntry]:
        """Log entries whose path starts with ``path_prefix`` (a convenience for assertions)."""
        with self._lock:
            return [e for e in self.access_log if e.path.startswith(path_prefix)]


# ----------------------------------------------------------------------------------------------
# The Devdiscourse mirror
# ----------------------------------------------------------------------------------------------

_ARTICLE_RE = re.compile(r"^/article/(?P<prefix>[^/]+)(?:/(?P<rest>[^/]*))?/?$", re.I)
_LEGACY_RE = re.compile(r"^/[^/]+/article/(?P<rest>[^/]+)/?$", re.I)
_MOBILE_RE = re.compile(r"^/mobilearticle/(?P<id>\d+)/[^/]+/?$", re.I)
_GET_ALL_RE = re.compile(r"^/api/search/getallnews/(?P<page>-?\d+)/?$", re.I)
_TAGS_RE = re.compile(r"^/api/search/gettagsnews/(?P<tag>[^/]+)/[^/]+/(?P<page>-?\d+)/?$", re.I)
_SUB_BLOGS_RE = re.compile(r"^/api/search/getsubblogs/(?P<id>\d+)/(?P<page>-?\d+)/?$", re.I)


def _page_number(query: str) -> int:
    values = parse_qs(query).get("page", ["1"])
    try:
        return int(values[0])
    except ValueError:
        return 1


def mirror_context(specs: list[NewsSpec], spec: NewsSpec) -> PageContext:
    """Sidebar and ALSO READ links built from the mirror's own articles (so links resolve)."""
    ordered = sorted(specs, key=lambda s: s.created_on, reverse=True)

    def item(s: NewsSpec) -> LinkItem:
        return LinkItem(s.title, article_path(s), (s.country.split(",")[0].strip() or "Global"),
                        author=s.author if s.type == "Blog" else "")

    news = [s for s in ordered if s.type == "News" and s.news_id != spec.news_id]
    blogs = [s for s in ordered if s.type == "Blog" and s.news_id != spec.news_id]
    wanted = {t.strip().lower() for t in spec.tags}
    related = [s for s in news if wanted & {t.strip().lower() for t in s.tags}][:4]
    if not news:
        return DEFAULT_CONTEXT
    return PageContext(
        trending=tuple(item(s) for s in news[1:5]),
        opinions=tuple(item(s) for s in blogs[:4]) or DEFAULT_CONTEXT.opinions,
        latest=tuple(item(s) for s in news[:5]),
        also_read=tuple(item(s) for s in related),
    )


def build_devdiscourse_mirror(
    specs: Iterable[NewsSpec],
    *,
    now: datetime | None = None,
    revision: Revision = "head",
    server_offset: str = "+05:30",
    link_base: str = "https://www.devdiscourse.com",
) -> Site:
    """Every route the crawler uses, served from ``site.articles`` (mutable, read per request).

    * ``/robots.txt``; ``/RSS/GoogleNews`` (last ~2 days by ``now``; ``<loc>`` on ``link_base``);
      ``/api/Search/GetAllNews/{page}`` (until ``[]``); ``/api/Search/GetTagsNews/{tag}/{ed}/{page}``;
      ``/api/Search/GetSubBlogs/{id}/{page}`` (a live blog's updates, 10 a page, newest first);
      ``/pti-stories?page=N``; ``/devdiscourse-stories?page=N``; ``/news?tag=X``.
    * ``/article/{label|agency-wire}/{id}-{anything}``: desktop (LiveBlog → mobile view), ``…?amp`` → AMP,
      301 ``agency-wire`` → label URL when the article has a label (not for ``?amp`` URLs),
      unknown id → 500 error page. Also ``/{prefix}/article/{id}``, ``/article/{id}``,
      ``/mobilearticle/{id}/{edition}`` and legacy ``/Home/Detail?id={guid}`` (301).

    ``now`` defaults to 30 minutes after the newest ``created_on`` (so every article of a fresh
    ``corpus`` is inside the sitemap window and the 30-day PTI list).
    """
    site = Site()
    site.articles = {s.news_id: s for s in specs}
    if now is None:
        newest = max((s.created_on for s in site.articles.values()), default=datetime(2025, 3, 21, tzinfo=timezone.utc))
        now = newest + timedelta(minutes=30)
    clock = now

    def specs_now() -> list[NewsSpec]:
        return list(site.articles.values())

    def render_article(spec: NewsSpec, request: Request, view: str) -> Page:
        context = mirror_context(specs_now(), spec)
        if view == "amp":
            body = render_amp(spec, bot=request.is_bot, server_offset=server_offset)
        elif view == "mobile":
            # Mobile.cshtml checks Contains("bot") case-sensitively (§2.8).
            mobile_bot = request.is_bot and "bot" in request.user_agent
            body = render_mobile(spec, bot=mobile_bot, server_tz_offset=server_offset)
        else:
            body = render_desktop(spec, revision=revision, bot=request.is_bot, server_offset=server_offset,
                                  context=context)
        return Page(body=body.encode("utf-8"), last_modified=spec.modified_on)

    def error() -> Page:
        return Page(body=render_error_page().encode("utf-8"), status=500)

    def article_hook(request: Request) -> Page | None:
        path = request.path
        mobile = _MOBILE_RE.match(path)
        if mobile:  # no AdminCheck filter and no slug stripping here
            spec = site.articles.get(int(mobile.group("id")))
            return render_article(spec, request, "mobile") if spec else error()
        match = _ARTICLE_RE.match(path)
        legacy = _LEGACY_RE.match(path) if not match else None
        if not match and not legacy:
            return None
        if match:
            prefix, rest = match.group("prefix"), match.group("rest")
            if not rest and prefix.isdigit():
                prefix, rest = "", prefix  # /article/3301234: the prefix is taken as the id
        else:
            prefix, rest = "", legacy.group("rest") if legacy else ""
        digits = re.match(r"\d+", rest or "")
        spec = site.articles.get(int(digits.group(0))) if digits else None
        if spec is None:
            return error()
        # ArticleController.Index: AMP only when the whole URL ends with "?amp"; any "?amp" skips redirects.
        if request.target.endswith("?amp"):
            return render_article(spec, request, "amp")
        if "?amp" not in request.target and prefix.lower() == "agency-wire" and spec.label:
            return redirect(f"/article/{spec.label}/{slug(spec.news_id, spec.title)}")
        return render_article(spec, request, "mobile" if spec.type == "LiveBlog" else "desktop")

    def detail_hook(request: Request) -> Page | None:
        if request.path.lower() != "/home/detail":
            return None
        wanted = parse_qs(request.query).get("id", [""])[0].lower()
        for spec in site.articles.values():
            if news_guid(spec.news_id) == wanted:
                return redirect(f"/article/agency-wire/{slug(spec.news_id, spec.title)}")
        return error()

    def discovery_hook(request: Request) -> Page | None:
        path = request.path.lower().rstrip("/") or "/"
        if path == "/robots.txt":
            return Page(body=render_robots_txt().encode(), content_type=TEXT)
        if path == "/rss/googlenews":
            body = render_google_news_sitemap(specs_now(), now=clock, link_base=link_base, server_offset=server_offset)
            return Page(body=body, content_type=XML)
        if path == "/pti-stories":
            items = select_pti_stories(specs_now(), clock)
            return Page(body=render_listing("pti-stories", items, _page_number(request.query), now=clock).encode())
        if path == "/devdiscourse-stories":
            items = select_devdiscourse_stories(specs_now())
            html_ = render_listing("devdiscourse-stories", items, _page_number(request.query), now=clock)
            return Page(body=html_.encode())
        if path == "/news" and "tag=" in request.query:
            tag = parse_qs(request.query).get("tag", [""])[0]
            return Page(body=render_listing("tag", [], tag=tag, now=clock).encode())
        match = _GET_ALL_RE.match(request.path)
        if match:
            return Page(body=render_get_all_news(specs_now(), int(match.group("page"))).encode(), content_type=JSON)
        match = _SUB_BLOGS_RE.match(request.path)
        if match:
            found = render_sub_blogs(site.articles.get(int(match.group("id"))), int(match.group("page")))
            return Page(body=found.encode(), content_type=JSON)
        match = _TAGS_RE.match(request.path)
        if match:
            tag = unquote_plus(unquote(match.group("tag")))
            found = render_tags_news(specs_now(), tag, int(match.group("page")), clock)
            return Page(body=found.encode(), content_type=JSON)
        return None

    site.hooks.extend([discovery_hook, article_hook, detail_hook])
    return site


def main(argv: list[str] | None = None) -> None:
    from tests.sitegen.corpus import corpus, seed_spec

    parser = argparse.ArgumentParser(description="Serve a loopback Devdiscourse mirror until Ctrl-C.")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--n", type=int, default=50, help="corpus size besides the seed article")
    parser.add_argument("--seed", type=int, default=0, help="corpus random seed")
    parser.add_argument("--conditional", action="store_true", help="send ETag/Last-Modified and honour 304s")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    site = build_devdiscourse_mirror([seed_spec(), *corpus(args.n, seed=args.seed)])
    with MirrorServer(site, port=args.port, conditional=args.conditional) as server:
        logger.info("Devdiscourse mirror with %d articles at %s (Ctrl-C to stop)", len(site.articles), server.base_url)
        logger.info("try %s/RSS/GoogleNews and %s/api/Search/GetAllNews/1", server.base_url, server.base_url)
        stop = threading.Event()
        # Explicit handlers: a background job may inherit SIGINT as "ignored", and SIGTERM should
        # also shut the server down cleanly.
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        while not stop.wait(0.5):
            pass
        logger.info("stopping")


if __name__ == "__main__":
    main()
