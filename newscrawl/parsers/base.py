"""Page (a response parsed once, then only read) and ArticleParser, the base of every outlet parser.

Parsers are pure: (HTML bytes or text, URL) → Article | None. No network, no Scrapy, so tests, replay and re-parse
see exactly what a crawl sees. Bytes are decoded in one place with w3lib's html_to_unicode, the same routine
Scrapy's TextResponse uses.
"""

from __future__ import annotations

import logging
from functools import cached_property
from typing import Any, ClassVar

from parsel import Selector
from w3lib.encoding import html_to_unicode

from newscrawl.extract.jsonld import iter_nodes, loads_tolerant, node_types, unescape_strings
from newscrawl.extract.notes import NoteRule
from newscrawl.extract.text import clean_text
from newscrawl.items import Article

logger = logging.getLogger(__name__)


class ParseError(Exception):
    """A page looked like an article but a required field could not be read."""

    def __init__(self, url: str, field: str, why: str) -> None:
        super().__init__(f"{url}: cannot read {field}: {why}")
        self.url = url
        self.field = field
        self.why = why


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode page bytes: BOM, then HTTP charset, then <meta charset>, then detection; never raises."""
    _, text = html_to_unicode(content_type, body)
    return text


class Page:
    """One HTML page, parsed once: selector, first-wins <meta> map, JSON-LD nodes, normalised text."""

    def __init__(self, html: str | bytes, url: str, content_type: str | None = None) -> None:
        self.url = url
        self.html = decode_html(html, content_type) if isinstance(html, bytes) else html
        # lxml refuses NUL characters; a page containing them is still worth reading.
        self.selector = Selector(text=self.html.replace("\x00", "") or "<html></html>", base_url=url)

    def text(self, css: str, root: Selector | None = None) -> str | None:
        """Whitespace-normalised text of the first match, or None."""
        found = (root or self.selector).css(css)
        if not found:
            return None
        return clean_text(" ".join(found[0].css("::text").getall())) or None

    def texts(self, css: str, root: Selector | None = None) -> list[str]:
        """Normalised text of every match, blanks dropped."""
        values = (clean_text(" ".join(s.css("::text").getall())) for s in (root or self.selector).css(css))
        return [v for v in values if v]

    def attr(self, css: str, name: str, root: Selector | None = None) -> str | None:
        value = (root or self.selector).css(css).attrib.get(name)
        return value.strip() if value and value.strip() else None

    @cached_property
    def meta(self) -> dict[str, str]:
        """<meta> content by name/property/itemprop (lower-cased key); the first occurrence wins."""
        found: dict[str, str] = {}
        for node in self.selector.css("meta"):
            content = node.attrib.get("content")
            if content is None:
                continue
            for key_attr in ("name", "property", "itemprop", "http-equiv"):
                key = node.attrib.get(key_attr)
                if key:
                    found.setdefault(key.strip().lower(), content.strip())
        return found

    @cached_property
    def ld(self) -> list[dict[str, Any]]:
        """Every JSON-LD node on the page (blocks repaired where possible; a hopeless block is logged, skipped)."""
        nodes: list[dict[str, Any]] = []
        for index, block in enumerate(self.selector.css('script[type="application/ld+json"]::text').getall()):
            parsed = loads_tolerant(block)
            if parsed is None:
                logger.debug("Skipping unreadable JSON-LD block %d on %s", index, self.url)
                continue
            nodes.extend(iter_nodes(unescape_strings(parsed)))
        return nodes

    def ld_node(self, *types: str) -> dict[str, Any] | None:
        """First JSON-LD node of one of the given @types."""
        wanted = set(types)
        return next((node for node in self.ld if node_types(node) & wanted), None)

    @cached_property
    def canonical(self) -> str | None:
        return self.attr('link[rel="canonical"]', "href")

    @cached_property
    def language(self) -> str | None:
        return self.attr("html", "lang") or self.meta.get("language") or self.meta.get("og:locale")


class ArticleParser:
    """Base of every outlet parser: subclasses define `name`, `domains`, `version` and `parse()`."""

    name: ClassVar[str]
    domains: ClassVar[tuple[str, ...]] = ()
    version: ClassVar[str]
    boilerplate: ClassVar[tuple[NoteRule, ...]] = ()
    """Outlet-specific note rules, applied before the generic ones by BoilerplatePipeline."""
    expected_coverage: ClassVar[dict[str, float]] = {"title": 0.98, "body": 0.98, "published_at": 0.98}
    """Share of a run's articles that must have each field; less is layout drift (monitoring/drift.py)."""

    def __init__(self, page: Page) -> None:
        self.page = page

    @classmethod
    def from_html(cls, html: str | bytes, url: str, content_type: str | None = None) -> ArticleParser:
        return cls(Page(html, url, content_type))

    def parse(self) -> Article | None:
        """The article on the page, or None when the page is not an article."""
        raise NotImplementedError
