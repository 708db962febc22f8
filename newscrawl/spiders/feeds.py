"""RSS 2.0, RSS 1.0 (RDF), Atom and JSON Feed (jsonfeed.org 1.0/1.1) feeds, robots.txt Sitemap: lines and a home
page's feed links.

Feeds are parsed as defensively as sitemaps (spiders/sitemaps.py): no DTDs, no entity expansion, no network, a
recovering parser, so a hostile or broken feed yields what could be read and never raises.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import etree
from parsel import Selector

from newscrawl.extract.text import clean_text
from newscrawl.spiders.xmldocs import readable_xml

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json")


@dataclass
class FeedEntry:
    """One <item>/<entry>: the article link and what the feed claimed about it."""

    link: str
    position: int
    claims: dict[str, str] = field(default_factory=dict)
    """title, published (pubDate/published/dc:date) and updated, verbatim."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           recover=True, huge_tree=False, remove_comments=True, remove_pis=True)


def _local(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def parse_feed(body: bytes, base_url: str = "") -> list[FeedEntry]:
    """Entries of an RSS or Atom feed, in feed order; [] for anything else. Relative links resolve on `base_url`.

    >>> entries = parse_feed(b'<rss version="2.0"><channel><item><title>Kim &amp; Putin</title>'
    ...     b'<link>https://a.b/1</link><pubDate>Tue, 19 Nov 2019 08:57:40 GMT</pubDate></item></channel></rss>')
    >>> entries[0].link, entries[0].claims
    ('https://a.b/1', {'title': 'Kim & Putin', 'published': 'Tue, 19 Nov 2019 08:57:40 GMT'})
    >>> parse_feed(b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="alternate" href="/2"/>'
    ...            b'<updated>2019-11-19T08:57:40Z</updated></entry></feed>', "https://a.b/feed")[0].link
    'https://a.b/2'
    >>> parse_feed(b'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://a.b/blog/"><entry><link href="3"/>'
    ...            b'</entry></feed>', "https://feeds.a.b/atom")[0].link
    'https://a.b/blog/3'
    >>> parse_feed(b'<rss xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"><channel><item><link>https://'
    ...            b'feedproxy.example/~r/x/1</link><feedburner:origLink>https://a.b/4</feedburner:origLink></item>'
    ...            b'</channel></rss>')[0].link
    'https://a.b/4'
    >>> parse_feed(b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><rss><channel><item><link>&e;</link>'
    ...            b'</item></channel></rss>')
    []
    """
    if body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return _json_feed(body, base_url)
    head, rest = readable_xml(body)
    try:
        root = etree.fromstring(head + bytes(rest), parser=_parser(), base_url=base_url or None)
    except etree.XMLSyntaxError:
        return []
    if root is None:
        return []
    entries: list[FeedEntry] = []
    items = 0  # an item's position counts the items before it, those without a link too (as a sitemap's <url>s)
    for node in root.iter():
        if _local(node.tag) not in ("item", "entry"):
            continue
        position, items = items, items + 1
        link = original = ""
        claims: dict[str, str] = {}
        for child in node:
            name, text = _local(child.tag), clean_text(child.text)
            if name == "link":
                href = child.get("href")
                if href is not None:  # Atom: the alternate (or unlabelled) link is the article
                    if child.get("rel", "alternate") == "alternate" and not link:
                        link = urljoin(child.base or base_url, href.strip())  # xml:base applies (RFC 4287 §2)
                elif text and not link:
                    link = text
            elif name == "origlink" and text:  # FeedBurner's <link> is its own redirector; this is the article
                original = text
            elif name == "guid" and text and child.get("isPermaLink", "true") == "true" and text.startswith("http"):
                claims.setdefault("guid", text)
            elif name == "title" and text:
                claims["title"] = text
            elif name in ("pubdate", "published", "issued", "date") and text:
                claims.setdefault("published", text)
            elif name in ("updated", "modified") and text:
                claims["updated"] = text
        link = original or link or claims.get("guid", "")
        if link:
            entries.append(FeedEntry(urljoin(base_url, link), position, claims))
    return entries


def _json_feed(body: bytes, base_url: str) -> list[FeedEntry]:
    """Entries of a JSON Feed (its `items`: `url`, the item's page, else `external_url`; `title`, `date_published`,
    `date_modified` as the claims), in feed order; [] for any other JSON or none. A home page announces one as
    application/feed+json, which is how a site whose only feed it is was read as an empty feed.

    >>> feed = (b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "url": "/news/1", '
    ...         b'"title": "Kim meets Putin", "date_published": "2019-11-19T08:57:40Z"}, {"id": "2"}, '
    ...         b'{"id": "3", "external_url": "https://c.d/3", "date_modified": "2019-11-20T10:00:00Z"}]}')
    >>> [(entry.link, entry.position, entry.claims) for entry in parse_feed(feed, "https://a.b/feed.json")]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('https://a.b/news/1', 0, {'title': 'Kim meets Putin', 'published': '2019-11-19T08:57:40Z'}),
     ('https://c.d/3', 2, {'updated': '2019-11-20T10:00:00Z'})]
    >>> parse_feed(b'{"items": "no"}'), parse_feed(b'{not json')
    ([], [])
    """
    try:
        feed = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return []
    items = feed.get("items") if isinstance(feed, dict) else None
    if not isinstance(feed, dict) or _JSON_FEED not in str(feed.get("version", "")) or not isinstance(
            items, list):
        return []
    entries = []
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        link = next((value.strip() for value in (item.get("url"), item.get("external_url"))
                     if isinstance(value, str) and value.strip()), "")
        claims = {claim: clean_text(item[key]) for key, claim in _JSON_FEED_CLAIMS
                  if isinstance(item.get(key), str) and clean_text(item[key])}
        if link:
            entries.append(FeedEntry(urljoin(base_url, link), position, claims))
    return entries


_JSON_FEED = "jsonfeed.org/version/"  # "https://jsonfeed.org/version/1.1"; some feeds write http
_JSON_FEED_CLAIMS = (("title", "title"), ("date_published", "published"), ("date_modified", "updated"))


def robots_sitemaps(text: str, base_url: str) -> list[str]:
    """The Sitemap: URLs of a robots.txt, in order, without repeats.

    >>> robots_sitemaps("\\ufeffSitemap: /a.xml", "https://a.b/")
    ['https://a.b/a.xml']
    >>> robots_sitemaps("User-agent: *\\nDisallow: /x\\nsitemap: /news.xml\\nSitemap: https://a.b/s.xml", "https://a.b/")
    ['https://a.b/news.xml', 'https://a.b/s.xml']
    """
    found: dict[str, None] = {}
    for line in text.lstrip("\ufeff").splitlines():  # a byte-order mark (Notepad's) hid the first line's key
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() == "sitemap" and value.strip():
            found.setdefault(urljoin(base_url, value.strip()), None)
    return list(found)


def feed_links(html: Selector, base_url: str) -> list[str]:
    """Feeds a page announces with <link rel="alternate" type="application/rss+xml|atom+xml" href>."""
    found: dict[str, None] = {}
    for link in html.css("link[href]"):
        rel = (link.attrib.get("rel") or "").lower().split()
        kind = (link.attrib.get("type") or "").lower().split(";")[0].strip()
        if "alternate" in rel and kind in FEED_TYPES[:3]:
            found.setdefault(urljoin(base_url, link.attrib["href"].strip()), None)
    return list(found)
