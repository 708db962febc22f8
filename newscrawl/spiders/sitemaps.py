"""Sitemap and Google-News sitemap reading that keeps what Scrapy's Sitemap class drops (news:*, image:*).

Parsing is defensive: no DTDs, no entity expansion, no network (XXE and billion-laughs pages parse to nothing), and
a lying XML declaration (Devdiscourse writes encoding="utf-16" over UTF-8 bytes, STRUCTURE.md §1.4) is removed.
Memory is bounded: the body (already capped by DOWNLOAD_MAXSIZE, after decompression) is fed to a pull parser in
slices and each <url> is dropped from the tree once read, so a 20 MB sitemap never becomes a 150 MB tree; at most
MAX_ENTRIES entries (the sitemaps.org limit per file) are kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from newscrawl.spiders.xmldocs import readable_xml

MAX_ENTRIES = 50_000  # sitemaps.org: "no more than 50,000 URLs" per sitemap file (Google News: 1,000)
_SLICE = 64 * 1024  # bytes fed to the pull parser at a time
_LASTMOD_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")  # W3C datetime: its day sorts as text, whatever the time zone
_URL_LINE = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
# C0 controls are not allowed in XML 1.0; left in, recovery cuts the element short (a title became "]>"). In UTF-8
# these bytes never occur inside a multi-byte character, so removing them per slice is safe.
_CONTROLS = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class SitemapEntry:
    """One <url> (or <sitemap>) entry with everything it claimed."""

    loc: str
    position: int
    lastmod: str | None = None
    news: dict[str, str] = field(default_factory=dict)
    """news:title, news:publication_date, news:keywords, news:language, news:name (namespace prefix dropped)."""
    image: str | None = None


@dataclass
class Sitemap:
    kind: str
    """"urlset" or "sitemapindex" ("" when the document is not a sitemap)."""
    entries: list[SitemapEntry]
    truncated: bool = False
    """True when the document held more than MAX_ENTRIES entries and the rest were not read."""


def _parser() -> etree.XMLPullParser:
    return etree.XMLPullParser(events=("end",), resolve_entities=False, no_network=True, load_dtd=False,
                               dtd_validation=False, recover=True, huge_tree=False, remove_comments=True,
                               remove_pis=True)


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def parse_sitemap(body: bytes, max_entries: int = MAX_ENTRIES) -> Sitemap:
    """Read a sitemap, sitemap index or Google-News sitemap; never raises on bad XML (returns what it could read).

    >>> s = parse_sitemap(b'<?xml version="1.0" encoding="utf-16"?><urlset xmlns="http://www.sitemaps.org/schemas/'
    ...     b'sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://a.b/1</loc>'
    ...     b'<news:news><news:title><![CDATA[Kim & Putin]]></news:title></news:news></url></urlset>')
    >>> s.kind, s.entries[0].loc, s.entries[0].news
    ('urlset', 'https://a.b/1', {'title': 'Kim & Putin'})
    >>> bad = (b'<urlset xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://a.b/2</loc>'
    ...        b'<news:news><news:title><![CDATA[Bad' + bytes([7]) + b' byte]]></news:title></news:news></url></urlset>')
    >>> parse_sitemap(bad).entries[0].news
    {'title': 'Bad byte'}

    """
    kind: str | None = None
    entries: list[SitemapEntry] = []
    position = 0
    try:
        for _, node in _events(_parser(), body):
            parent = node.getparent()
            if kind is None:
                kind = _local(node.getroottree().getroot().tag)
            if parent is None or parent.getparent() is not None:
                continue  # only the root's own <url>/<sitemap> children are entries
            if _local(node.tag) in ("url", "sitemap"):
                if position >= max_entries:  # the caller counts and logs it, with the sitemap's URL
                    return Sitemap(kind or "", entries, truncated=True)
                entry = _entry(node, position)
                position += 1
                if entry.loc:
                    entries.append(entry)
            # Read (or not an entry), so drop it and anything before it: the tree stays one entry deep.
            node.clear()
            while node.getprevious() is not None:
                del node.getparent()[0]
    except etree.XMLSyntaxError:  # recover=True makes this rare (e.g. no root at all); keep what was read
        pass
    if not kind:
        return _text_sitemap(body, max_entries)
    return Sitemap(kind, entries)


def _text_sitemap(body: bytes, max_entries: int) -> Sitemap:
    """sitemaps.org's text format: one absolute http(s) URL per line, UTF-8 (robots.txt may name a sitemap.txt).
    Anything else in a line, and it is no sitemap at all.

    >>> [e.loc for e in parse_sitemap(b"\\xef\\xbb\\xbfhttps://a.b/1\\r\\n\\nhttps://a.b/2?x=1&y=2\\n").entries]
    ['https://a.b/1', 'https://a.b/2?x=1&y=2']
    >>> parse_sitemap(b"https://a.b/1\\nNot found").kind
    ''
    """
    lines = [line.strip() for line in body.decode("utf-8-sig", "replace").splitlines()]
    urls = [line for line in lines if line]
    if not urls or not all(_URL_LINE.fullmatch(url) for url in urls):
        return Sitemap("", [])
    entries = [SitemapEntry(loc=url, position=position) for position, url in enumerate(urls[:max_entries])]
    return Sitemap("urlset", entries, truncated=len(urls) > max_entries)


def _events(parser: etree.XMLPullParser, body: bytes) -> Iterator[tuple[str, etree._Element]]:
    """Parser events for `body` made readable (xmldocs.py), fed in slices."""
    head, rest = readable_xml(body)
    parser.feed(_CONTROLS.sub(b"", head))
    yield from parser.read_events()
    for start in range(0, len(rest), _SLICE):
        parser.feed(_CONTROLS.sub(b"", bytes(rest[start:start + _SLICE])))
        yield from parser.read_events()
    if body:
        parser.close()
        yield from parser.read_events()


def _entry(node: etree._Element, position: int) -> SitemapEntry:
    entry = SitemapEntry(loc="", position=position)
    for child in node.iter():
        name = _local(child.tag)
        text = (child.text or "").strip()
        parent = _local(child.getparent().tag) if child.getparent() is not None else ""
        if name == "loc" and parent in ("url", "sitemap"):
            entry.loc = text
        elif name == "lastmod":
            entry.lastmod = text or None
        elif name == "loc" and parent == "image" and entry.image is None:
            entry.image = text or None
        elif parent == "news" and text:
            entry.news[name] = text
        elif parent == "publication" and name in ("name", "language") and text:
            entry.news[name] = text
    return entry


def newest_sitemaps(children: list[SitemapEntry], n: int) -> list[SitemapEntry]:
    """The `n` child sitemaps of an index likely to list the newest articles, in the index's order: those with the
    latest lastmod, then, undated, those whose numbers are highest: paged series count up from the oldest
    (WordPress's wp-sitemap-posts-post-3.xml, Yoast's post-sitemap3.xml) and dated names compare as dates
    (sitemap-2025-03.xml after sitemap-2024-12.xml). Indexes list them oldest first as often as not.

    >>> index = [SitemapEntry(f"https://a.b/wp-sitemap-posts-post-{i}.xml", i) for i in range(1, 5)]
    >>> [e.loc[-6:] for e in newest_sitemaps(index, 2)]
    ['-3.xml', '-4.xml']
    >>> dated = [SitemapEntry("https://a.b/s-2025-01.xml", 0, "2025-01-31"),
    ...          SitemapEntry("https://a.b/s-2024-12.xml", 1)]
    >>> [e.position for e in newest_sitemaps(dated, 1)]
    [0]
    """
    def recency(entry: SitemapEntry) -> tuple[bool, str, tuple[int, ...]]:
        day = _LASTMOD_DAY.match(entry.lastmod or "")
        path = entry.loc.split("://", 1)[-1].partition("/")[2]
        return day is not None, day.group() if day else "", tuple(int(digits) for digits in re.findall(r"\d+", path))

    chosen = sorted(children, key=recency, reverse=True)[:n]
    return sorted(chosen, key=lambda entry: entry.position)
