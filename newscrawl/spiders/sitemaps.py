"""Sitemap and Google-News sitemap reading that keeps what Scrapy's Sitemap class drops (news:*, image:*).

Parsing is defensive: no DTDs, no entity expansion, no network (XXE and billion-laughs pages parse to nothing), and
a lying XML declaration (Devdiscourse writes encoding="utf-16" over UTF-8 bytes, STRUCTURE.md §1.4) is removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

_DECLARATION = re.compile(rb"^\s*(?:\xef\xbb\xbf)?\s*<\?xml[^>]*\?>", re.IGNORECASE)
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


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           recover=True, huge_tree=False, remove_comments=True, remove_pis=True)


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def parse_sitemap(body: bytes) -> Sitemap:
    """Read a sitemap, sitemap index or Google-News sitemap; never raises on bad XML (returns what it could read).

    >>> s = parse_sitemap(b'<?xml version="1.0" encoding="utf-16"?><urlset xmlns="http://www.sitemaps.org/schemas/'
    ...     b'sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://a.b/1</loc>'
    ...     b'<news:news><news:title><![CDATA[Kim & Putin]]></news:title></news:news></url></urlset>')
    >>> s.kind, s.entries[0].loc, s.entries[0].news
    ('urlset', 'https://a.b/1', {'title': 'Kim & Putin'})
    """
    body = _DOCTYPE.sub(b"", _DECLARATION.sub(b"", body, count=1), count=1)
    try:
        root = etree.fromstring(body, parser=_parser())
    except etree.XMLSyntaxError:
        root = None
    if root is None:
        return Sitemap("", [])
    kind = _local(root.tag)
    entries: list[SitemapEntry] = []
    for position, node in enumerate(child for child in root if _local(child.tag) in ("url", "sitemap")):
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
        if entry.loc:
            entries.append(entry)
    return Sitemap(kind, entries)
