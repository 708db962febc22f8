"""Devdiscourse (www.devdiscourse.com) article pages: desktop (both template revisions), AMP and mobile/LiveBlog.

Site facts: shared/devdiscourse/STRUCTURE.md (§ numbers below). Quirks handled here:
- Only the first <article> of the page is the story; the sidebar and JS-appended "next articles" are not (§2.5).
- Machine dates carry IST digits with the *server's* offset, which may be +00:00: trust the digits, attach IST, and
  cross-check with the visible "Created:" minute (§2.6).
- The NewsArticle JSON-LD is invalid JSON (unquoted description); Page.ld repairs it (§2.2).
- Revision a3af7e3 has no `div.metadata`: the byline div is found by its "Updated:" span (§0).
- The dateline span is lower-case in the HTML and title-cased by CSS (`text-capitalize`), so we apply that too.
- The template's disclaimer sentences and "(With inputs from …)" notes are data, not body (the note rules, §2.8);
  badge rows, ads and the AI card inside body containers are skipped by structure (_is_body_furniture).
- Editors' inline "Also Read: <link>" promos inside the body text (any case and wrapping) are not story text:
  dropped from the body by structure (the whole block is the label plus its links), their links kept in `related`.
- An AI-generated cover image is flagged only by its caption sentence (§2.9); BoilerplatePipeline moves it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar
from urllib.parse import parse_qs, urljoin, urlsplit

from parsel import Selector

from newscrawl.extract.agencies import AGENCY_ALTERNATION
from newscrawl.extract.blocks import block_texts, element_of, has_class, inline_text
from newscrawl.extract.dates import IST, iso, parse_dmy_hm, same_minute, wall_clock
from newscrawl.extract.countries import is_country
from newscrawl.extract.text import clean_or_none, clean_text, join_paragraphs, split_list
from newscrawl.extract.urls import clean_url, host_of, is_http_url
from newscrawl.items import Article
from newscrawl.parsers.base import ArticleParser, Page

SITE_ROOT = "https://www.devdiscourse.com/"

# Byline link target → Source (§2.4); the link text is what we report as byline, this confirms what it means.
SOURCE_LINKS: dict[str, str] = {
    "/pti-stories": "PTI",
    "/reuters-stories": "Reuters",
    "/ians-stories": "IANS",
    "/ani-stories": "ANI",
    "/un-news": "UN News",
    "/devdiscourse-stories": "Devdiscourse News Desk",
    "/pr-newswire": "PR Newswire",
}
# The template adds the "auto-generated from a syndicated feed" note exactly for these sources (§2.8), so they
# are syndicated even when a bot-UA page omits the note.
SYNDICATED_SOURCES = frozenset({"Reuters", "PTI", "IANS", "ANI"})
PRESS_RELEASE_SOURCES = frozenset({"PR Newswire"})
PLACEHOLDER_IMAGES = ("/images/newstheme.jpg", "/images/defaultImage.jpg", "/images/sector/all_sectors.jpg")

BLOG_SUBTYPES = frozenset({"blog", "column", "connect", "opinion", "exclusive", "editorial", "interview"})
"""SubType values of Type "Blog" (§3.3); the desktop breadcrumb's second item shows them."""


def _is_body_furniture(element: Any) -> bool:
    """Elements inside a body container that are the template's, not the story's: ads, the AI summary card, the
    AMP blog's "FIRST PUBLISHED ON" box (div.ad), and the mobile view's "READ MORE ON :" / "COUNTRY :" badge rows
    (a div whose first child is the span.f-18 label, §3.2). Skipped by structure, so story paragraphs that start
    "Read more on…" or "Country:" stay."""
    if has_class(element, "advertisement-area", "article-ai-card", "modal", "ad"):
        return True
    if _promo_links(element) is not None:
        return True  # an editor's inline "Also Read" promo: its links go to `related`, not the body
    if element.tag == "div":
        first = next(iter(element), None)
        return first is not None and first.tag == "span" and has_class(first, "f-18")
    return False


# An editor's inline promo inside the story text: "Also Read: <a>other story</a>" (any case, colon optional,
# wrapped in <strong>/<b>/<em> or bare). Its label is matched here; _promo_links checks the block's structure.
_PROMO_LABEL = re.compile(r"^also\s+read\b\s*[:\-\u2013\u2014]?", re.IGNORECASE)
_PROMO_SEPARATORS = re.compile(r"^[\s|,;\u00b7\u2022\-\u2013\u2014]*$")
_PROMO_BLOCKS = frozenset({"p", "div", "h2", "h3", "h4", "h5", "h6"})


def _is_link(element: Any) -> bool:
    return bool(element.tag == "a")


def _promo_links(element: Any) -> list[str] | None:
    """The hrefs of an inline "Also Read" promo block, or None when the block is not one.

    A promo is a block whose whole text is the "Also Read" label plus the text of its links (separators aside):
    a story sentence that merely says "also read", or holds a link amid other words, is not one.

    >>> from lxml.html import fragment_fromstring as f
    >>> _promo_links(f('<p><strong>Also Read: <a href="/article/x/1-a">A story</a></strong></p>'))
    ['/article/x/1-a']
    >>> _promo_links(f('<p><a href="/article/x/2-b">ALSO READ A story</a></p>'))
    ['/article/x/2-b']
    >>> _promo_links(f('<p>Also read the <a href="/r">report</a> on rates.</p>')) is None
    True
    """
    if element.tag not in _PROMO_BLOCKS:
        return None
    label = _PROMO_LABEL.match(clean_text(inline_text(element)))
    if label is None:
        return None
    hrefs = [href for a in element.iter("a") if (href := (a.get("href") or "").strip())]
    outside_links = clean_text(inline_text(element, _is_link))
    rest = _PROMO_LABEL.sub("", outside_links, count=1)
    if not hrefs or not _PROMO_SEPARATORS.match(rest):
        return None
    return hrefs


def _split_amp_source(text: str) -> tuple[str | None, list[str]]:
    """(city, countries) from the text of AMP's `p.source` (see DevdiscourseParser._amp_source_line).

    >>> _split_amp_source("Reuters| Singapore | United States, Iran")
    ('Singapore', ['United States', 'Iran'])
    >>> _split_amp_source("Devdiscourse News Desk| Seoul"), _split_amp_source("Devdiscourse News Desk | India, Nepal")
    (('Seoul', []), (None, ['India', 'Nepal']))
    >>> _split_amp_source("Devdiscourse News Desk | Nepal"), _split_amp_source("PTI")
    ((None, ['Nepal']), (None, []))
    """
    pieces = [clean_text(piece) for piece in text.split("|")[1:]]
    pieces = [piece for piece in pieces if piece]
    if len(pieces) >= 2:
        return pieces[0], split_list(pieces[1])
    if not pieces:
        return None, []
    names = split_list(pieces[0])
    if len(names) > 1 or all(is_country(name) for name in names):
        return None, names
    return pieces[0], []

_TRAILING_CREDIT = re.compile(
    rf"(?<=\S)\s+(?:©\s*[^©]{{1,80}}|(?:{AGENCY_ALTERNATION}|Pixabay|Unsplash|Pexels|Wikimedia Commons|Wikipedia|"
    rf"Shutterstock|Getty Images|Flickr)(?:\s*(?:/|\|)\s*[^\s][^/|]{{0,40}})?)\s*$")
_CREATED = re.compile(r"Created:\s*(\d{1,2}-\d{1,2}-\d{4}\s+\d{1,2}:\d{2})")
_UPDATED = re.compile(r"Updated:\s*(\d{1,2}-\d{1,2}-\d{4}\s+\d{1,2}:\d{2})")
_NEWS_ID_IN_SCRIPT = re.compile(r"var\s+newsId\s*=\s*'(\d+)'")
_LEADING_DIGITS = re.compile(r"^(\d+)")
_T = TypeVar("_T")


def title_case_css(text: str) -> str:
    """What CSS `text-transform: capitalize` shows: first letter of each word upper-cased, the rest kept.

    >>> title_case_css("new delhi"), title_case_css("Washington DC")
    ('New Delhi', 'Washington DC')
    """
    return re.sub(r"(^|\s)(\w)", lambda m: m.group(1) + m.group(2).upper(), text)


class DevdiscourseParser(ArticleParser):
    name = "devdiscourse"
    domains = ("devdiscourse.com",)
    version = "3"
    # Every Devdiscourse article has these (the template always renders them); datelines and images are missing
    # from blogs and some desk stories, so a drop below half means the layout moved, not the news.
    expected_coverage: ClassVar[dict[str, float]] = {"title": 0.98, "body": 0.98, "published_at": 0.98,
                                                     "byline": 0.95, "dateline": 0.5, "image_url": 0.5}

    _desktop_root_selector = "article"  # the first one with a headline; was "div.col-md-8 article, article",
    # the same elements (the union of a subset and its superset) in the same document order, at twice the cost
    _amp_box_selector = "div.news-box"
    _body_selector = "section.article-cont"
    _mobile_body_selector = "div.newsDescArticle, div#newsDesc"
    _breadcrumb_selector = "ul.article-breadcrumb, ul.breadcrumb"
    _country_selector = "section.left-section ul.pull-left li.fg-orange"

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

    # ---- which view is this? -------------------------------------------------------------------------------
    def view(self) -> str | None:
        """"desktop", "amp" or "mobile" (the template that rendered the page), or None for a non-article page."""
        return self._once("view", None, self._detect_view)

    def _detect_view(self) -> str | None:
        if self.page.selector.css(f"{self._amp_box_selector} h1.title"):
            return "amp"
        article = self._story_article()
        if article is None:
            return None
        if article.css(self._mobile_body_selector) or article.css("div.news-meta, div.news-date"):
            return "mobile"
        # Any other headline inside <article> is the desktop story page, even if its body container moved:
        # the item is then dropped for its missing body and the drift alarm names the field.
        return "desktop"

    def _story_article(self) -> Selector | None:
        """The first <article> with a headline (the story; sidebar and appended articles come later)."""
        return self._once("story_article", None, lambda: next(
            (a for a in self.page.selector.css(self._desktop_root_selector) if a.css("h1.title")), None))

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

    # ---- identity --------------------------------------------------------------------------------------------
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
        match = _LEADING_DIGITS.match(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])
        if match:
            return match.group(1)
        divider = self.page.attr("div.article-divider", "data-articleurl")
        if divider and _LEADING_DIGITS.match(divider):
            return _LEADING_DIGITS.match(divider).group(1)  # type: ignore[union-attr]
        script = _NEWS_ID_IN_SCRIPT.search(self.page.html)
        return script.group(1) if script else None

    def label(self, url: str) -> str | None:
        segments = urlsplit(url).path.strip("/").split("/")
        if len(segments) >= 3 and segments[0].lower() == "article":
            return None if segments[1].lower() == "agency-wire" else segments[1]
        return None

    # ---- headline ---------------------------------------------------------------------------------------------
    def title(self, root: Selector) -> str | None:
        og_title = self.page.meta.get("og:title", "")
        ld = self.page.ld_node("NewsArticle", "Article")
        return (
            self.page.text("h1.title", root)
            or clean_or_none(og_title.rsplit(" | ", 1)[0] if og_title else None)
            or clean_or_none(re.sub(r"^Opinion: ", "", str((ld or {}).get("headline", ""))).rsplit(" | ", 1)[0])
        )

    def subtitle(self, root: Selector) -> str | None:
        description = self.page.meta.get("description", "")
        fallback = None if description.startswith("Read more about ") else clean_or_none(description)
        return self.page.text("h2.sub-title, h2.subtitle", root) or (fallback if self.view() == "desktop" else None)

    # ---- byline block -------------------------------------------------------------------------------------------
    def metadata(self, root: Selector) -> Selector | None:
        """div.metadata (HEAD), or the div holding the "Updated:" span ([a3af7e3]), or the AMP/mobile equivalents."""
        return self._once("metadata", root, lambda: self._find_metadata(root))

    def _find_metadata(self, root: Selector) -> Selector | None:
        view = self.view()
        if view == "amp":
            found = root.css("p.source")
        elif view == "mobile":
            found = root.css("div.news-meta")
        else:
            found = root.css("div.metadata") or root.xpath(".//div[span[starts-with(normalize-space(.), 'Updated:')]]")
        return found[0] if found else None

    def source_link(self, meta: Selector | None) -> tuple[str | None, str | None]:
        """(byline text, Source it stands for) from the first non-author link of the byline block."""
        if meta is None:
            return None, None
        for link in meta.css("a"):
            href = (link.attrib.get("href") or "").strip()
            if "AuthorArticles" in href:
                continue
            text = clean_or_none(" ".join(link.css("::text").getall()))
            path = urlsplit(href).path.rstrip("/")
            source = SOURCE_LINKS.get(path)
            if source is None and path.startswith("/news-source/"):
                source = clean_or_none(path.split("/news-source/", 1)[1].replace("%20", " "))
            return text, source or text
        return None, None

    def author(self, meta: Selector | None) -> str | None:
        if meta is None:
            return None
        return self._once("author", meta, lambda: self.page.text('a[href*="AuthorArticles"]', meta))

    def dateline(self, meta: Selector | None) -> str | None:
        if meta is None:
            return None
        view = self.view()
        if view == "amp":
            city = self._amp_source_line(meta)[0]
        elif view == "mobile":
            # "{city} {first country}", each only when the article has it: one lone name may be the country
            spans = [clean_text(" ".join(s.css("::text").getall())) for s in meta.css("span.text-capitalize")]
            city = spans[0] if spans else None
            if len(spans) == 1 and city and (is_country(city) or city.casefold() in {
                    c.casefold() for c in self._mobile_country_badges(self.root())}):
                city = None
        else:
            city = self.page.text("span.text-capitalize", meta) or self._plain_dateline_span(meta)
        if not city or "/" in city or "." in city.split()[-1]:
            return None  # blogs store a first-published URL in the same field (§3.3)
        return title_case_css(city)

    @staticmethod
    def _plain_dateline_span(meta: Selector) -> str | None:
        """The dateline the template prints without a class: "Washington DC" and "Los Angeles" (§2.4).

        The byline block's own spans are, in order: the source (or author) link, dividers, the city, the dates; the
        city is the one span that is neither a divider nor holds a link or the "Updated:"/"Created:" times.
        """
        for span in meta.xpath("./span"):
            if has_class(element_of(span), "list-divider") or span.css("a"):
                continue
            text = clean_text(" ".join(span.css("::text").getall()))
            if text and text != "|" and not re.match(r"(Updated|Created)\s*:", text):
                return text
        return None

    def _amp_source_line(self, meta: Selector) -> tuple[str | None, list[str]]:
        """(city, countries) from AMP's `p.source`: the source (and author) link, then "| {City}" and
        "| {Country, Country}", each printed only when the article has it (§3.1)."""
        return self._once("amp_source", meta, lambda: _split_amp_source(" ".join(meta.css("::text").getall())))

    def _mobile_country_badges(self, root: Selector) -> list[str]:
        """The "COUNTRY :" badges under the mobile body (the byline block shows only the first country, §3.2)."""
        return [clean_text(" ".join(b.css("::text").getall())) for b in root.xpath(
            ".//div[span[contains(normalize-space(.), 'COUNTRY')]]/span[contains(@class, 'badge')]")]

    def countries(self, root: Selector) -> list[str]:
        countries = self.page.texts(self._country_selector, root)
        if not countries and self.view() == "amp":
            meta = self.metadata(root)
            countries = self._amp_source_line(meta)[1] if meta is not None else []
        if not countries and self.view() == "mobile":
            countries = self._mobile_country_badges(root)
        if not countries:
            match = re.search(r"var\s+news_country\s*=\s*'([^']*)'", self.page.html)
            countries = split_list(match.group(1)) if match else []
        return [c for c in (clean_text(c) for c in countries) if c]

    # ---- dates ----------------------------------------------------------------------------------------------
    def _date_block(self, root: Selector) -> str:
        """The text around the visible "Created:"/"Updated:" dates (read once for both)."""
        return self._once("date_block", root, lambda: " ".join(
            root.css("div.metadata ::text, div.meta ::text, div.news-date ::text").getall()) or " ".join(
            (self.metadata(root) or root).css("::text").getall()))

    def _date(self, root: Selector, visible_re: re.Pattern[str], machine_key: str) -> str | None:
        block = self._date_block(root)
        match = visible_re.search(block)
        visible = parse_dmy_hm(match.group(1), IST) if match else None
        ld = self.page.ld_node("NewsArticle", "Article") or {}
        machine = wall_clock(self.page.meta.get(machine_key.lower()) or str(ld.get(machine_key, "")), IST)
        if self.view() == "mobile":
            # The mobile view prints the server's local clock labelled IST (§3.2); the head's IST digits win.
            chosen = machine or visible
        elif visible and machine:
            chosen = machine if same_minute(machine, visible) else visible
        else:
            chosen = visible or machine
        return iso(chosen) if chosen else None

    # ---- image ------------------------------------------------------------------------------------------------
    def image(self, root: Selector) -> tuple[str | None, str | None]:
        """(original image URL, caption text incl. credit) of the lead image; (None, None) for a placeholder."""
        view = self.view()
        if view == "amp":
            src = self.page.attr("amp-img.full-bottom", "src", root)
            caption = self.page.text("p.img-caption small, p.img-caption", root)
        elif view == "mobile":
            src = self.page.attr("div.article-image-container img", "src", root) or self.page.attr(
                "div.article-image-container img", "data-src", root)
            caption = self.page.text("div.article-image-container ~ p.meta, p.meta", root)
        else:
            figures = [f for f in root.css("figure.figure") if not has_class(element_of(f), "hidden")]
            if not figures:
                return None, None
            src = self.page.attr("img", "data-src", figures[0]) or self.page.attr("img", "src", figures[0])
            caption = self.page.text("figcaption.fig-caption, figcaption", figures[0])
        if not src:
            return None, None
        if "imageUrl=" in src:  # the /img resizer: the original is its imageUrl parameter (§5 Images)
            original = parse_qs(urlsplit(src).query).get("imageUrl", [""])[0]
            src = original or src
        if any(src.endswith(placeholder) for placeholder in PLACEHOLDER_IMAGES):
            return None, None
        return urljoin(SITE_ROOT, src), caption

    @staticmethod
    def split_caption(caption: str | None, view: str) -> tuple[str | None, str | None]:
        """(caption, credit): the credit is conventionally "Image Credit: X" (§2.4); AMP shows the credit only."""
        if not caption:
            return None, None
        head, sep, credit = caption.partition("Image Credit:")
        if sep:
            return clean_or_none(head), clean_or_none(credit)
        if view == "amp":
            return None, clean_or_none(caption)
        # "{ImageCaption} {ImageCopyright}" with a credit written without its "Image Credit:" prefix: split off a
        # trailing agency, stock-photo site or © notice, the credits the site uses.
        trailing = _TRAILING_CREDIT.search(caption)
        if trailing and trailing.start() > 0:
            return clean_or_none(caption[:trailing.start()]), clean_or_none(trailing.group(0))
        return clean_or_none(caption), None

    # ---- classification ------------------------------------------------------------------------------------
    def breadcrumb(self, root: Selector) -> list[tuple[str, str]]:
        return self._once("breadcrumb", None, self._find_breadcrumb)

    def _find_breadcrumb(self) -> list[tuple[str, str]]:
        crumbs = self.page.selector.css(self._breadcrumb_selector)
        if not crumbs:
            return []
        return [
            (clean_text(" ".join(a.css("::text").getall())), (a.attrib.get("href") or "").strip())
            for a in crumbs[0].css("li a")
        ]

    def sector(self, root: Selector) -> str | None:
        for text, href in self.breadcrumb(root):
            # /news/All is the mobile view's crumb for an unlabelled (agency-wire) story, not a sector (§3.2)
            if href.startswith("/news/") and href.rstrip("/").lower() != "/news/all" and text:
                return text
        if self.view() == "amp":
            return self.page.text('ul.sector li a[href^="/news/"], ul.sector li', root)
        return None

    def article_type(self, root: Selector, source: str | None) -> str:
        """news, press-release, live-blog, or the blog SubType (blog, opinion, interview, column, …; §3.3, §4)."""
        if source in PRESS_RELEASE_SOURCES:
            return "press-release"
        view = self.view()
        has_author = bool(self.author(self.metadata(root)))
        crumbs = self.breadcrumb(root)
        kind = (crumbs[1][0] if len(crumbs) > 1 else "").strip().lower()
        if not kind:
            ld_crumbs = self.page.ld_node("BreadcrumbList") or {}
            items = ld_crumbs.get("itemListElement") or []
            kind = next((str(i.get("name")) for i in items if isinstance(i, dict) and i.get("position") == 2),
                        "").strip().lower()
        if view == "mobile":
            # The mobile view's second crumb is "News" for news and "Live Blogs" otherwise; it is also served for
            # any article at /mobilearticle/{id}/{edition}, so "LIVE" on the page alone proves nothing (§3.2).
            if kind == "live blogs":
                return "blog" if has_author else "live-blog"
            return "news" if kind == "news" else ("blog" if has_author else "news")
        if kind in BLOG_SUBTYPES:
            return kind
        if self.page.ld_node("LiveBlogPosting"):  # AMP's LiveBlog items (§3.1)
            return "live-blog"
        headline = str((self.page.ld_node("NewsArticle", "Article") or {}).get("headline", ""))
        if headline.startswith("Opinion: "):  # SubType Opinion, the one the headline shows (§3.3)
            return "opinion"
        if has_author or self.page.selector.css("div.ad").xpath(
                ".//text()[contains(translate(., 'FIRSTPUBLISHED', 'firstpublished'), 'first published')]"):
            return "blog"
        return "news"  # a second crumb such as "Sports" (Category 15, §4) is a section, not a type

    def tags(self, root: Selector) -> list[str]:
        return split_list(self.page.meta.get("news_keywords") or self.page.meta.get("keywords")) or split_list(
            ",".join(self.page.texts('a.tag[href^="/news?tag="], a.tag', root)))

    # ---- body --------------------------------------------------------------------------------------------------
    def body_container(self, root: Selector) -> Selector | None:
        return self._once("body_container", root, lambda: self._find_body_container(root))

    def _find_body_container(self, root: Selector) -> Selector | None:
        view = self.view()
        if view == "amp":
            found = self.page.selector.css(f"{self._amp_box_selector} div.description")
        elif view == "mobile":
            found = root.css(self._mobile_body_selector)
        else:
            found = root.css(self._body_selector)
        return found[0] if found else None

    def body(self, root: Selector) -> str:
        container = self.body_container(root)
        if container is None:
            return ""
        return join_paragraphs(block_texts(element_of(container), _is_body_furniture))

    def related(self, root: Selector) -> list[str]:
        """Links of the editors' inline "Also Read" promos in the body (dropped from the body text), absolute."""
        container = self.body_container(root)
        if container is None:
            return []
        links: list[str] = []
        for element in element_of(container).iter(*_PROMO_BLOCKS):
            for href in _promo_links(element) or ():
                url = urljoin(self.page.url, href)
                if is_http_url(url) and url not in links:
                    links.append(url)
        return links

    # ---- table of contents -----------------------------------------------------------------------------------
    def parse(self) -> Article | None:
        view = self.view()
        if view is None:
            return None  # listing, tag, error or other non-article page
        root = self.root()
        title = self.title(root)
        if not title:
            return None
        url = self.canonical_url()
        meta = self.metadata(root)
        byline, source = self.source_link(meta)
        if view == "mobile":
            # The mobile byline link is hard-coded "Devdiscourse News Desk" (§3.2); the head's article:author
            # (same _Layout) still names the real Source, which decides syndication.
            source = self.page.meta.get("article:author") or source
        author = self.author(meta)
        image_url, caption = self.image(root)
        image_caption, image_credit = self.split_caption(caption, view)
        countries = self.countries(root)
        return Article(
            url=url,
            outlet=self.name,
            outlet_id=self.news_id(url),
            label=self.label(url),
            title=title,
            subtitle=self.subtitle(root),
            body=self.body(root),
            published_at=self._date(root, _CREATED, "datePublished"),
            modified_at=self._date(root, _UPDATED, "dateModified"),
            byline=author or byline,
            authors=[author] if author else [],
            dateline=self.dateline(meta),
            syndicated=source in SYNDICATED_SOURCES,
            # the desktop/AMP byline names a wire Source itself (AttributionPipeline reads it there); the mobile
            # byline does not, so the wire it came from is recorded here
            agencies=[source] if view == "mobile" and source in SYNDICATED_SOURCES else [],
            image_url=image_url,
            image_caption=image_caption,
            image_credit=image_credit,
            country=", ".join(countries) or None,
            countries=countries,
            sector=self.sector(root),
            tags=self.tags(root),
            related=self.related(root),
            article_type=self.article_type(root, source),
            language=self.page.language,
            view=view,
        )
