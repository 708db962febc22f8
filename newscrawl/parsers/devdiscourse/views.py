"""Which Devdiscourse article a page is, and where its parts are in each of its three views.

The same story is rendered by three templates (STRUCTURE.md §2.3 desktop, §3.1 AMP, §3.2 mobile); this base class
finds which one rendered the page, the article's identity from the head and URL (§2.1, §2.4), and the containers
each field is read from (story root, breadcrumb, byline block, body), so that the parser's field functions
(`__init__.py`) read like the page and not like three.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from urllib.parse import urlsplit

from lxml import etree
from parsel import Selector, SelectorList

from newscrawl.extract.text import clean_text
from newscrawl.extract.urls import clean_url, host_of, is_http_url
from newscrawl.parsers.base import ArticleParser, Page
from newscrawl.parsers.devdiscourse.site import LEADING_DIGITS, NEWS_ID_IN_SCRIPT

_T = TypeVar("_T")
_XML_SPACE = str.maketrans("\t\r\n", "   ")


def has_class_token(element: etree._Element, *names: str) -> bool:
    """True when the element's class list holds one of `names`, split exactly as a CSS `.name` selector splits it
    (XPath normalize-space: space, tab, CR, LF; not the other Unicode spaces str.split() would also take)."""
    tokens = (element.get("class") or "").translate(_XML_SPACE).split(" ")
    return any(name in tokens for name in names)


def first_with_class(root: etree._Element, tag: str, *names: str) -> etree._Element | None:
    """The first `tag` element (document order) carrying one of the classes: `tag.a, tag.b` without a query that
    tests every element of the page (lxml's tag iterator skips the others in C)."""
    return next((element for element in root.iter(tag) if has_class_token(element, *names)), None)


class DevdiscourseViews(ArticleParser):
    """View detection, identity and containers; DevdiscourseParser adds the fields (it is the registered parser)."""

    _desktop_root_selector = "article"  # the first one with a headline; was "div.col-md-8 article, article",
    # the same elements (the union of a subset and its superset) in the same document order, at twice the cost
    _amp_box_selector = "div.news-box"
    _body_selector = "section.article-cont"
    _mobile_body_selector = "div.newsDescArticle, div#newsDesc"
    _breadcrumb_selector = "ul.article-breadcrumb, ul.breadcrumb"

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        # The page never changes, so lookups asked for by several fields are made once (per root Selector).
        self._memo: dict[tuple[str, int], Any] = {}

    def _once(self, name: str, root: Selector | None, compute: Callable[[], _T]) -> _T:
        key = (name, id(root))
        if key not in self._memo:
            self._memo[key] = (root, compute())  # the root is kept alive, so its id cannot be reused meanwhile
        value: _T = self._memo[key][1]
        return value

    # ---- which view is this? (§2.3, §3.1, §3.2) --------------------------------------------------------------
    def view(self) -> str | None:
        """"desktop", "amp" or "mobile" (the template that rendered the page), or None for a non-article page."""
        return self._once("view", None, self._detect_view)

    def _detect_view(self) -> str | None:
        if self._has_amp_headline():
            return "amp"
        article = self._story_article()
        if article is None:
            return None
        if self._has_mobile_parts(article):
            return "mobile"
        # Any other headline inside <article> is the desktop story page, even if its body container moved:
        # the item is then dropped for its missing body and the drift alarm names the field.
        return "desktop"

    def _has_mobile_parts(self, article: Selector) -> bool:
        """`div.newsDescArticle, div#newsDesc` or `div.news-meta, div.news-date` inside the story (§3.2)."""
        element = article.root
        if not isinstance(element, etree._Element):
            return bool(article.css(self._mobile_body_selector) or article.css("div.news-meta, div.news-date"))
        return any(div.get("id") == "newsDesc" or has_class_token(div, "newsDescArticle", "news-meta", "news-date")
                   for div in element.iter("div"))

    def _has_amp_headline(self) -> bool:
        """`div.news-box h1.title` anywhere (§3.1), read off the page's few <h1> elements."""
        root = self.page.selector.root
        if not isinstance(root, etree._Element):
            return bool(self.page.selector.css(f"{self._amp_box_selector} h1.title"))
        return any(has_class_token(div, "news-box") for h1 in self._headlines() for div in h1.iterancestors("div"))

    def _headlines(self) -> list[etree._Element]:
        """Every `h1.title` of the page, in document order."""
        return [h1 for h1 in self.page.elements("h1") if has_class_token(h1, "title")]

    def _story_article(self) -> Selector | None:
        """The first <article> with a headline (the story; sidebar and appended articles come later, §2.5)."""
        return self._once("story_article", None, self._find_story_article)

    def _find_story_article(self) -> Selector | None:
        root = self.page.selector.root
        if not isinstance(root, etree._Element):
            return next((a for a in self.page.selector.css(self._desktop_root_selector) if a.css("h1.title")), None)
        # the first <article> in document order that holds an h1.title: among the headlines' <article> ancestors
        holding = {id(article) for h1 in self._headlines() for article in h1.iterancestors("article")}
        story = next((article for article in self.page.elements(self._desktop_root_selector)
                      if id(article) in holding), None)
        return Selector(root=story, type="html") if story is not None else None

    # ---- <head>: identity (§2.1, §2.4 NewsId and label, §1.2 URLs) --------------------------------------------
    def canonical_url(self) -> str:
        for candidate in (self.page.canonical, self.page.meta.get("og:url")):
            # Only a canonical on the site itself (or on the host that served the page: a mirror, a replay):
            # a page claiming another site's URL must not put its item under that URL.
            if candidate and is_http_url(candidate) and self._on_site(candidate):
                return clean_url(candidate, drop_query=True)
        return clean_url(self.page.url, drop_query=True)

    def _on_site(self, url: str) -> bool:
        host = host_of(url)
        return host == host_of(self.page.url) or any(host == d or host.endswith("." + d) for d in self.domains)

    def news_id(self, url: str) -> str | None:
        """§2.4 NewsId: the leading digits of the canonical's last segment, else the divider, else the script."""
        match = LEADING_DIGITS.match(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])
        if match:
            return match.group(1)
        divider = self.page.attr("div.article-divider", "data-articleurl")
        if divider and LEADING_DIGITS.match(divider):
            return LEADING_DIGITS.match(divider).group(1)  # type: ignore[union-attr]
        script = NEWS_ID_IN_SCRIPT.search(self.page.html)
        return script.group(1) if script else None

    def label(self, url: str) -> str | None:
        """§2.4 label: the canonical path's second segment; `agency-wire` means none (§0)."""
        segments = urlsplit(url).path.strip("/").split("/")
        if len(segments) >= 3 and segments[0].lower() == "article":
            return None if segments[1].lower() == "agency-wire" else segments[1]
        return None

    # ---- the breadcrumb (§2.3; read for sector and type) -----------------------------------------------------------
    def breadcrumb(self, root: Selector) -> list[tuple[str, str]]:
        return self._once("breadcrumb", None, self._find_breadcrumb)

    def _find_breadcrumb(self) -> list[tuple[str, str]]:
        root = self.page.selector.root
        if isinstance(root, etree._Element):  # `ul.article-breadcrumb, ul.breadcrumb`: the first such <ul>
            found = next((ul for ul in self.page.elements("ul")
                          if has_class_token(ul, "article-breadcrumb", "breadcrumb")), None)
            crumbs = [Selector(root=found, type="html")] if found is not None else []
        else:
            crumbs = list(self.page.selector.css(self._breadcrumb_selector))
        if not crumbs:
            return []
        return [
            (clean_text(" ".join(self.page.strings("::text", a))), (a.attrib.get("href") or "").strip())
            for a in self.page.select("li a", crumbs[0])
        ]

    # ---- containers ------------------------------------------------------------------------------------------
    def root(self) -> Selector:
        """The story's own container: the first <article> with a headline, or the AMP page body."""
        return self._once("root", None, self._find_root)

    def _find_root(self) -> Selector:
        view = self.view()
        if view == "amp":
            return self.page.selector.css("body")[0] if self.page.selector.css("body") else self.page.selector
        article = self._story_article()
        if article is None:
            raise StopIteration  # as before: root() is only asked for on article pages
        return article

    def metadata(self, root: Selector) -> Selector | None:
        """The byline block: div.metadata (HEAD), or the div holding the "Updated:" span ([a3af7e3], §0), or the
        AMP `p.source` (§3.1) / mobile `div.news-meta` (§3.2)."""
        return self._once("metadata", root, lambda: self._find_metadata(root))

    def _find_metadata(self, root: Selector) -> Selector | None:
        view = self.view()
        if view == "amp":
            found = root.css("p.source")
        elif view == "mobile":
            found = root.css("div.news-meta")
        elif isinstance(root.root, etree._Element):
            first = first_with_class(root.root, "div", "metadata")
            found = (SelectorList([Selector(root=first, type="html")]) if first is not None else
                     root.xpath(".//div[span[starts-with(normalize-space(.), 'Updated:')]]"))
        else:
            found = root.css("div.metadata") or root.xpath(".//div[span[starts-with(normalize-space(.), 'Updated:')]]")
        return found[0] if found else None

    def body_container(self, root: Selector) -> Selector | None:
        """`section.article-cont` (§2.3), AMP's `div.news-box div.description` (§3.1), mobile `div#newsDesc` (§3.2)."""
        return self._once("body_container", root, lambda: self._find_body_container(root))

    def _find_body_container(self, root: Selector) -> Selector | None:
        view = self.view()
        if view == "amp":
            found = self.page.select(f"{self._amp_box_selector} div.description")
        elif view == "mobile":
            found = self.page.select(self._mobile_body_selector, root)
        else:
            found = self.page.select(self._body_selector, root)
        return found[0] if found else None
