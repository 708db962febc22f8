"""Page (a response parsed once, then only read) and ArticleParser, the base of every outlet parser.

Parsers are pure: (HTML bytes or text, URL) → Article | None. No network, no Scrapy, so tests, replay and re-parse
see exactly what a crawl sees. Bytes become text in extract/decoding.py.

One idea, kept whole: a response read once — decoded, parsed into one tree, cleaned — and the lookups every parser
shares on that tree (meta, JSON-LD, canonical, text of a match), so no parser builds a second tree or walks the
page again for what another field already found.
"""

from __future__ import annotations

import logging
from functools import cached_property, lru_cache
from typing import Any, ClassVar

from lxml import etree
from parsel import Selector
from parsel.selector import create_root_node
from parsel.csstranslator import css2xpath

from newscrawl.extract.jsonld import iter_nodes, loads_tolerant, node_types, unescape_strings
from newscrawl.extract.notes import NoteRule
from newscrawl.extract.text import clean_text
from newscrawl.items import Article
from newscrawl.extract.decoding import (XML_INCOMPATIBLE, decode_html, decode_html_repaired, decode_page,
                                        parsed_as_text, utf8_xml_compatible)
from newscrawl.extract.documentend import without_early_end

logger = logging.getLogger(__name__)

__all__ = ["ArticleParser", "Page", "ParseError", "decode_html", "decode_html_repaired"]  # decoding re-exported


class ParseError(Exception):
    """A page looked like an article but a required field could not be read."""

    def __init__(self, url: str, field: str, why: str) -> None:
        super().__init__(f"{url}: cannot read {field}: {why}")
        self.url = url
        self.field = field
        self.why = why


# Text nodes a reader sees: `::text` would also take the code inside a <script> or <style> planted in a headline.
_VISIBLE_TEXT = "descendant-or-self::text()[not(ancestor::script or ancestor::style or ancestor::template)]"
# Compiled once and run on the lxml element: these run for nearly every field, and parsel would wrap each text
# node in a Selector first (same strings either way).
_visible_text_nodes = etree.XPath(_VISIBLE_TEXT, smart_strings=False)
text_nodes = etree.XPath("descendant-or-self::text()", smart_strings=False)
"""Every text node under an element, script and style included: what parsel's `::text` gives for it, without a
Selector for the element and each of its strings."""


def _visible_text(node: Selector) -> str:
    """The visible text nodes under a matched node, joined by spaces (before whitespace is normalised)."""
    if isinstance(node.root, etree._Element):
        return " ".join(_visible_text_nodes(node.root))
    return " ".join(node.xpath(_VISIBLE_TEXT).getall())


@lru_cache(maxsize=512)
def _css_query(css: str) -> etree.XPath:
    """A CSS selector as the compiled XPath parsel would run for it (parsel's own translation, so the same nodes
    in the same order). Page's lookups run it on the lxml element: parsel's css() re-checks its namespaces and
    wraps every match in a Selector on each call, for the few fields that read only the first match's text."""
    return etree.XPath(css2xpath(css), smart_strings=False)


_UNREADABLE_ATTRIBUTE = "@*[starts-with(name(), '{')]"
_has_unreadable_attribute = etree.XPath(f"boolean(//{_UNREADABLE_ATTRIBUTE})")
_with_unreadable_attribute = etree.XPath(f"//*[{_UNREADABLE_ATTRIBUTE}]")


def _drop_unreadable_attributes(selector: Selector) -> None:
    """Remove attributes whose name starts with "{" (junk such as JSON spilled into a broken tag).

    lxml reads such a name as "{namespace}name" notation, so `.attrib` on the element raises ValueError and every
    selector touching it would fail; no real HTML attribute is named like that. Almost no page has one: a test
    that stops at the first one costs two thirds of collecting the elements that hold one.
    """
    if not isinstance(selector.root, etree._Element) or not _has_unreadable_attribute(selector.root):
        return
    for element in _with_unreadable_attribute(selector.root):
        kept = [(value.attrname, str(value)) for value in element.xpath("@*") if not value.attrname.startswith("{")]
        element.attrib.clear()
        for name, value in kept:
            element.set(name, value)


PAGE_KIND_REASONS = frozenset({"home_page", "listing_type", "listing_cards"})
"""not_article_reason values that say what a page is (a root URL, its own collection type, its story cards), not
what it lacks: a page cut short keeps them, where a missing title or body may be the cut itself."""

INDEXED_TAGS = ("meta", "link", "script", "h1", "article", "ul")
"""Tags Page.elements answers from one shared walk of the tree: rare on a page, asked for by several fields."""


class Page:
    """One HTML page, parsed once: selector, first-wins <meta> map, JSON-LD nodes, normalised text."""

    def __init__(self, html: str | bytes, url: str, content_type: str | None = None) -> None:
        self.url = url
        utf8_bytes: bytes | None = None  # the page's own bytes when they are plain UTF-8, else None
        if isinstance(html, bytes):
            self.html, self.encoding_repaired, plain_utf8 = decode_page(html, content_type)
            utf8_bytes = html if plain_utf8 else None
        else:
            self.html, self.encoding_repaired = html, False
        # lxml refuses characters XML cannot hold (NUL and other C0 controls, lone surrogates, U+FFFE/U+FFFF): in an
        # attribute name they make `.attrib` raise. They never carry meaning, and the page is still worth reading.
        # type="html": parsel would read an XHTML page that opens with <?xml …?> as namespaced XML, where no CSS
        # selector ("title", "h1", "p") matches anything. Browsers read such pages (served as text/html) as HTML.
        # Parsed by parsel's own create_root_node, but with lxml's plain HTMLParser instead of parsel's lxml.html
        # one: lxml.html picks each element's Python class through a Python callback, run every time Python first
        # touches an element (thousands of times per page in the extractors' walks; a quarter of the Devdiscourse
        # parser's time), for element methods nothing here uses. Same parser underneath, same tree.
        if utf8_bytes is not None and parsed_as_text(utf8_bytes):
            # The bytes parsel would encode the text back into: parsed as they are, without the round trip.
            root = create_root_node("", etree.HTMLParser, base_url=url, body=without_early_end(utf8_bytes),
                                    encoding="utf-8")
        else:
            text = without_early_end(self.html.replace("\x0c", " "))
            if not (utf8_bytes is not None and utf8_xml_compatible(utf8_bytes)):  # a plain UTF-8 page is checked in its bytes
                text = XML_INCOMPATIBLE.sub("", text)
            root = create_root_node(text or "<html></html>", etree.HTMLParser, base_url=url)
        self.selector = Selector(root=root, type="html")
        _drop_unreadable_attributes(self.selector)

    def text(self, css: str, root: Selector | None = None) -> str | None:
        """Whitespace-normalised visible text of the first match, or None."""
        elements = self._elements(css, root)
        if elements is not None:
            return clean_text(" ".join(_visible_text_nodes(elements[0]))) or None if elements else None
        found = self._scope(root).css(css)
        if not found:
            return None
        return clean_text(_visible_text(found[0])) or None

    def texts(self, css: str, root: Selector | None = None) -> list[str]:
        """Normalised visible text of every match, blanks dropped."""
        elements = self._elements(css, root)
        if elements is not None:
            values = (clean_text(" ".join(_visible_text_nodes(element))) for element in elements)
        else:
            values = (clean_text(_visible_text(s)) for s in self._scope(root).css(css))
        return [v for v in values if v]

    def select(self, css: str, root: Selector | None = None) -> list[Selector]:
        """`.css(css)` of the scope as a list of Selectors, its query run as compiled XPath (see _css_query)."""
        elements = self._elements(css, root)
        if elements is None:
            return list(self._scope(root).css(css))
        return [Selector(root=element, type="html") for element in elements]

    def strings(self, css: str, root: Selector | None = None) -> list[str]:
        """`.css(css).getall()` of the scope for a selector of text or attribute values (`::text`, `::attr(x)`)."""
        scope = self._scope(root)
        if isinstance(scope.root, etree._Element):
            found = _css_query(css)(scope.root)
            if all(isinstance(value, str) for value in found):
                return list(found)
        return list(scope.css(css).getall())

    def _elements(self, css: str, root: Selector | None) -> list[Any] | None:
        """The elements `css` selects under the scope, in document order (what `.css(css)` wraps in Selectors), or
        None when the scope is not an element or the selector picks text or attributes (parsel reads those)."""
        scope = self._scope(root).root
        if not isinstance(scope, etree._Element):
            return None
        found = _css_query(css)(scope)
        return found if all(isinstance(node, etree._Element) for node in found) else None

    def _scope(self, root: Selector | None) -> Selector:
        # Not `root or self.selector`: a Selector's truth value is its serialised markup, i.e. the whole subtree
        # written out as HTML only to learn it is not empty (that was a sixth of the Devdiscourse parser's time).
        return root if root is not None else self.selector

    def attr(self, css: str, name: str, root: Selector | None = None) -> str | None:
        elements = self._elements(css, root)
        if elements is not None:
            value = elements[0].get(name) if elements else None
        else:
            value = self._scope(root).css(css).attrib.get(name)
        return value.strip() if value and value.strip() else None

    @cached_property
    def meta(self) -> dict[str, str]:
        """<meta> content by name/property/itemprop (lower-cased key); the first occurrence wins."""
        found: dict[str, str] = {}
        for node in self.elements("meta"):
            content = node.get("content")
            if content is None:
                continue
            for key_attr in ("name", "property", "itemprop", "http-equiv"):
                key = node.get(key_attr)
                if key:
                    found.setdefault(key.strip().lower(), content.strip())
        return found

    @cached_property
    def ld(self) -> list[dict[str, Any]]:
        """Every JSON-LD node on the page (blocks repaired where possible; a hopeless block is logged, skipped)."""
        nodes: list[dict[str, Any]] = []
        for index, block in enumerate(self._ld_blocks()):
            try:
                parsed = loads_tolerant(block)
                found = [] if parsed is None else list(iter_nodes(unescape_strings(parsed)))
            except RecursionError:  # "[[[[…" a few thousand deep: hostile, and must not cost the whole article
                parsed, found = None, []
            if parsed is None:
                logger.debug("Skipping unreadable JSON-LD block %d on %s", index, self.url)
                continue
            nodes.extend(found)
        return nodes

    def _ld_blocks(self) -> list[str]:
        """The text of every `script[type="application/ld+json"]`, in document order.

        Read off the tree's <script> elements: the CSS query made lxml test every element of the page (a sixth of
        the parser's time). An HTML parser keeps a script's content as its one text node, i.e. `.text`.
        """
        if not isinstance(self.selector.root, etree._Element):
            return list(self.selector.css('script[type="application/ld+json"]::text').getall())
        return [script.text for script in self.elements("script")
                if script.get("type") == "application/ld+json" and script.text is not None]

    def ld_node(self, *types: str) -> dict[str, Any] | None:
        """First JSON-LD node of one of the given @types."""
        wanted = set(types)
        return next((node for node in self.ld if node_types(node) & wanted), None)

    @cached_property
    def canonical(self) -> str | None:
        """The first `link[rel="canonical"]`'s href (read off the <link> elements, not by a whole-page query)."""
        if not isinstance(self.selector.root, etree._Element):
            return self.attr('link[rel="canonical"]', "href")
        link = next((node for node in self.elements("link") if node.get("rel") == "canonical"), None)
        value = link.get("href") if link is not None else None
        return value.strip() if value and value.strip() else None

    @cached_property
    def language(self) -> str | None:
        return self._html_lang() or self.meta.get("language") or self.meta.get("og:locale")

    def _html_lang(self) -> str | None:
        root = self.selector.root
        if isinstance(root, etree._Element) and root.tag == "html":  # the first <html> in document order: no search
            value = root.get("lang")
            return value.strip() if value and value.strip() else None
        return self.attr("html", "lang")

    def elements(self, tag: str) -> list[Any]:
        """Every element named `tag`, in document order (what css(tag) selects, without a Selector for each).

        The few tags that head and skeleton lookups ask for (INDEXED_TAGS) come from one walk of the tree made on
        first use: each walk over a whole news page costs about as much as parsing a sixth of it.
        """
        root = self.selector.root
        if not isinstance(root, etree._Element):
            return [node.root for node in self.selector.css(tag)]
        if tag in INDEXED_TAGS:
            return self._tag_index.get(tag, [])
        return list(root.iter(tag))

    @cached_property
    def _tag_index(self) -> dict[str, list[Any]]:
        index: dict[str, list[Any]] = {}
        for element in self.selector.root.iter(*INDEXED_TAGS):
            index.setdefault(element.tag, []).append(element)
        return index


class ArticleParser:
    """Base of every outlet parser: subclasses define `name`, `domains`, `version` and `parse()`."""

    name: ClassVar[str]
    domains: ClassVar[tuple[str, ...]] = ()
    version: ClassVar[str]
    boilerplate: ClassVar[tuple[NoteRule, ...]] = ()
    """Outlet-specific note rules, applied before the generic ones by BoilerplatePipeline."""
    expected_coverage: ClassVar[dict[str, float]] = {"title": 0.98, "body": 0.98, "published_at": 0.98}
    """Share of a run's articles that must have each field; less is layout drift (monitoring/drift.py)."""
    not_article_reason: str | None = None
    """Set by parse() when it returns None: a short word saying why (Scrapy stat newscrawl/not_article/<reason>).
    One of PAGE_KIND_REASONS when the page shows what it is; anything else (or None) means something was missing."""

    def __init__(self, page: Page) -> None:
        self.page = page

    @classmethod
    def from_html(cls, html: str | bytes, url: str, content_type: str | None = None) -> ArticleParser:
        return cls(Page(html, url, content_type))

    def parse(self) -> Article | None:
        """The article on the page, or None when the page is not an article."""
        raise NotImplementedError
