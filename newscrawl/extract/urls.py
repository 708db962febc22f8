"""URL normalisation for item URLs."""

from __future__ import annotations

import functools
import ipaddress
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import safe_url_string

_TRACKING = re.compile(r"^(utm_[a-z_]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|_ga)$", re.IGNORECASE)


_TRAILING_COMMENT = re.compile(r"\s#.*")


def url_file_lines(text: str) -> list[str]:
    """The URLs of a URL file (`-a urls=@FILE`, `newscrawl enqueue @FILE`): one per line; blank lines, whole-line
    comments and a trailing comment are left out. A trailing comment needs whitespace before its '#': a URL cannot
    hold whitespace, while its own fragment ('…/story#comments') follows the URL directly and is kept.

    >>> url_file_lines("# two stories\\nhttps://a.example/x   # Mumbai\\n\\n  https://a.example/y#top\\n")
    ['https://a.example/x', 'https://a.example/y#top']
    """
    lines = (_TRAILING_COMMENT.sub("", line).strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def clean_url(url: str, base: str | None = None, *, drop_query: bool = False) -> str:
    """Absolute, safely-escaped URL without fragment or tracking parameters (or without any query).

    >>> clean_url("/article/x/1-a?utm_source=t&id=2#c", "https://www.devdiscourse.com/")
    'https://www.devdiscourse.com/article/x/1-a?id=2'
    >>> clean_url("https://example.com/a?amp", drop_query=True)
    'https://example.com/a'
    >>> clean_url("HTTPS://Example.com:443/a/../b?fbclid=1&gclid=2&UTM_Medium=x")
    'https://example.com/b'
    """
    absolute = urljoin(base, url.strip()) if base else url.strip()
    parts = urlsplit(safe_url_string(absolute))
    query = "" if drop_query else urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    )
    scheme, netloc = parts.scheme.lower(), parts.netloc.lower()
    # One article, one URL: a default port or "." / ".." segments must not make a second canonical URL of it.
    default_port = {"http": ":80", "https": ":443"}.get(scheme)
    if default_port and netloc.endswith(default_port):
        netloc = netloc[: -len(default_port)]
    return urlunsplit((scheme, netloc, remove_dot_segments(parts.path) or "/", query, ""))


def remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4, on a path only (never turns the path into a "//host" reference).

    >>> remove_dot_segments("/a/./b/../c"), remove_dot_segments("/../x"), remove_dot_segments("/a/b/..")
    ('/a/c', '/x', '/a/')
    """
    kept: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if len(kept) > 1:
                kept.pop()
        elif segment != ".":
            kept.append(segment)
    result = "/".join(kept)
    if path.endswith(("/.", "/..")) and not result.endswith("/"):
        result += "/"
    return result


def is_http_url(url: str | None) -> bool:
    """True for an absolute http(s) URL; False for one urlsplit refuses (an unclosed "[" in its host), which a
    damaged sidecar or HAR holds: its ValueError stopped the reading of every page or entry after it.

    >>> is_http_url("/img?x"), is_http_url("https://a.b/c"), is_http_url("https://news.ex[ample/a")
    (False, True, False)
    """
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return False
    return bool(url) and parts.scheme in ("http", "https") and bool(parts.netloc)


def relative_to_folder(link: str) -> bool:
    """A reference relative to its document's own folder ("story.html", "../x/story.html", "./Title_files/a.jpg"):
    no scheme, not rooted at the host or the network ("/x", "//cdn.example/x"). Sites write their canonical links
    and image addresses absolute or rooted; a saving tool (a browser's "Web Page, complete", wget -k, PyWebCopy,
    HTTrack) rewrites them this way, to point at its local copy.

    >>> relative_to_folder("../../www.outlet.example/a.html"), relative_to_folder("/a"), relative_to_folder("//c/a")
    (True, False, False)
    """
    link = link.strip()
    return not urlsplit(link).scheme and not link.startswith("/")


def host_of(url: str) -> str:
    """Lower-case host without a leading "www.".

    >>> host_of("https://WWW.Devdiscourse.com/article/x")
    'devdiscourse.com'
    """
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


_COPY_HOSTS = ("ampproject.org", "ampproject.net", "googleusercontent.com", "archive.org", "archive.ph",
               "archive.today", "archive.is", "bingj.com")
"""Sites whose pages are copies of other sites' pages (AMP caches, search engines' caches, web archives): a page
there names the real article as its canonical."""


def site_of(url: str) -> str:
    """The site a URL is on: its registrable domain (one label under a public suffix, by the Public Suffix List that
    Scrapy's tldextract bundles; never fetched), so www., m. and amp. hosts are one site. A host under no listed
    suffix (an IP, localhost, the reserved .example and .test) keeps its last two labels.

    >>> [site_of(u) for u in ("https://m.bbc.co.uk/n", "https://www.outlet.example/a", "http://127.0.0.1:8080/a")]
    ['bbc.co.uk', 'outlet.example', '127.0.0.1']
    """
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    parts = _public_suffixes()(host)
    if parts.suffix and parts.domain:
        return f"{parts.domain}.{parts.suffix}"
    if not host or parts.domain == host:  # an IP address or a single label
        return host
    return ".".join(host.split(".")[-2:])


def registrable(host: str) -> bool:
    """Whether a host name is a registrable domain or a name under one (a label under a public suffix, by the same
    bundled list as site_of): not an IP address, a single label, or a name under no listed suffix.

    >>> [registrable(h) for h in ("www.bbc.co.uk", "outlet.example", "v1.2", "notes.backup", "127.0.0.1")]
    [True, False, False, False, False]
    """
    parts = _public_suffixes()(host.lower().rstrip("."))
    return bool(parts.suffix and parts.domain)


def names_another_site(page_url: str, link: str) -> bool:
    """Whether `link` (a page's canonical) is on another site than the page: a syndicated copy naming the original.
    A cache or archive copy (AMP cache, web archive) is not a publisher, and neither is a page at an IP address or
    localhost (a mirror, a test or staging server, a page saved from one): their link to the original is no other site.

    >>> names_another_site("https://partner.example/wire/1", "https://www.outlet.example/story")
    True
    >>> names_another_site("https://amp.outlet.example/s", "https://www.outlet.example/s")
    False
    >>> names_another_site("http://127.0.0.1:8080/news/s", "https://www.outlet.example/news/s")
    False
    >>> names_another_site("https://www-outlet-com.cdn.ampproject.org/c/s/www.outlet.com/s", "https://www.outlet.com/s")
    False
    """
    if not is_http_url(page_url) or not is_http_url(link):
        return False
    page_site = site_of(page_url)
    return page_site != site_of(link) and page_site not in _COPY_HOSTS and not _local_or_address(page_site)


def _local_or_address(host: str) -> bool:
    """An IP address, localhost or a name under it: no publisher's public address."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host == "localhost" or host.endswith(".localhost")
    return True


@functools.cache
def _public_suffixes() -> Any:
    import tldextract  # imported on first use: most pages' canonical is on their own host, and replays start faster

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)  # the bundled list: no network, no cache files


def same_address(first: str, second: str) -> bool:
    """Whether two URLs name one page up to what sites mix freely in their own links: http or https, a leading
    "www.", a trailing slash, tracking parameters, the order of the query, a fragment.

    >>> same_address("http://outlet.example/news/a/", "https://www.outlet.example/news/a?utm_source=x#top")
    True
    >>> same_address("https://outlet.example/news/a", "https://outlet.example/amp/news/a")
    False
    """
    def core(url: str) -> tuple[str, int | None, str, list[tuple[str, str]]]:
        parts = urlsplit(clean_url(url))
        host = (parts.hostname or "").lower()
        try:
            port = parts.port
        except ValueError:
            port = None
        return (host[4:] if host.startswith("www.") else host, port, parts.path.rstrip("/"),
                sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return core(first) == core(second)


def another_form(page_url: str | None, canonical_url: str) -> bool:
    """Whether a page at `page_url` is not the article's own page at `canonical_url` but another form of it (a
    canonical that differs from its page only by http/https, "www." or a slash is the page's own); not when the
    page address is unknown."""
    return bool(page_url) and not same_address(str(page_url), canonical_url)


_FORM_SEGMENTS = {"amp", "print", "mobile"}
_FORM_SWITCHES = {"amp", "print", "printable"}  # ?amp, ?amp=1, ?print=true
_FORM_CHOOSERS = {"outputtype", "output_type", "output", "format", "view", "template"}  # ?outputType=amp
_PAGE_NUMBERS = {"page", "pg", "seite", "pagina"}


def looks_like_alternate_form(url: str) -> bool:
    """Whether a URL has the shape of another form of an article rather than its own page: AMP (``/amp/``,
    ``?amp=1``, ``.amp.html``, an ``amp.`` host — the AMP project's documented patterns), a print view, a mobile
    host (``m.``, ``mobile.``), or a later page of a paginated story (``?page=2``). A shape only: the page's canonical
    link decides what it is; this orders fetches so that the article's own page usually comes first.

    >>> [looks_like_alternate_form(u) for u in ("https://o.example/news/a/amp/", "https://o.example/a?amp=1",
    ...  "https://o.example/a.amp.html", "https://m.o.example/a", "https://o.example/print/a", "https://o.example/a?page=2",
    ...  "https://o.example/news/a", "https://o.example/a?page=1", "https://o.example/sampler/a")]
    [True, True, True, True, True, True, False, False, False]
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.startswith(("amp.", "m.", "mobile.")):
        return True
    path = parts.path.lower()
    if set(path.split("/")) & _FORM_SEGMENTS or path.endswith((".amp", ".amp.html", "/amp.html")):
        return True
    for pair in parts.query.lower().split("&"):
        name, _, value = pair.partition("=")
        if (name in _FORM_SWITCHES and value in ("", "1", "true", "yes")
                or name in _FORM_CHOOSERS and value in ("amp", "print")
                or name in _PAGE_NUMBERS and value.isdigit() and int(value) > 1):
            return True
    return False


def commonest_origin(urls: Iterable[str]) -> str | None:
    """The scheme://host[:port] most of `urls` are on (ties: the first in sort order); None when none is http(s).

    >>> commonest_origin(["http://127.0.0.1:8080/a", "https://b.example/x", "http://127.0.0.1:8080/b", "file:///c"])
    'http://127.0.0.1:8080'
    """
    counts = Counter(f"{parts.scheme}://{parts.netloc}".lower() for parts in map(urlsplit, urls)
                     if parts.scheme in ("http", "https") and parts.netloc)
    return min(counts, key=lambda origin: (-counts[origin], origin)) if counts else None
