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

MAX_ENTRIES = 50_000  # sitemaps.org: "no more than 50,000 URLs" per sitemap file (Google News: 1,000)
_SLICE = 64 * 1024  # bytes fed to the pull parser at a time
_HEAD = 64 * 1024  # the XML declaration and DOCTYPE must come before the root element: only this much is rewritten
_DECLARATION = re.compile(rb"^\s*(?:\xef\xbb\xbf)?\s*<\?xml[^>]*\?>", re.IGNORECASE)
# C0 controls are not allowed in XML 1.0; left in, recovery cuts the element short (a title became "]>"). In UTF-8
# these bytes never occur inside a multi-byte character, so removing them per slice is safe.
_CONTROLS = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_DOCTYPE = re.compile(rb"<!DOCTYPE[^>\[]*(\[[^\]]*\])?\s*>", re.IGNORECASE | re.S)


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
    return Sitemap(kind or "", entries)


def _events(parser: etree.XMLPullParser, body: bytes) -> Iterator[tuple[str, etree._Element]]:
    """Parser events for `body`, fed in slices; only the head is rewritten (declaration and DOCTYPE removed)."""
    head = _DOCTYPE.sub(b"", _DECLARATION.sub(b"", body[:_HEAD], count=1), count=1)
    view = memoryview(body)
    parser.feed(_CONTROLS.sub(b"", head))
    yield from parser.read_events()
    for start in range(_HEAD, len(body), _SLICE):
        parser.feed(_CONTROLS.sub(b"", bytes(view[start:start + _SLICE])))
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
