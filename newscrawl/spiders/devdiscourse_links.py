"""Which Devdiscourse link names which article (STRUCTURE.md §1.2, §5), and finding out for the one form that does
not say: article URL forms and their NewsId, the site's slug, legacy `/Home/Detail?id={Guid}` links, and the story
entries of a listing page.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from parsel import Selector, SelectorList
from scrapy.http import Request, Response, TextResponse
from twisted.python.failure import Failure

from newscrawl.archive.replay import REDIRECT_STATUSES
from newscrawl.items import Discovery
from newscrawl.meta import META_KEY

logger = logging.getLogger(__name__)

# ASP.NET routes ignore case; the id middleware reads the leading digits of the last segment (§1.2)
ARTICLE_PATH = re.compile(r"^/article/(?P<label>[^/]+)/(?P<id>\d+)[^/]*/?$|^/[^/]+/article/(?P<id2>\d+)",
                          re.IGNORECASE)
_BARE_ID_PATH = re.compile(r"^/article/(?P<id>\d+)/?$", re.IGNORECASE)  # a numeric prefix is the id (§1.2)
_MOBILE_PATH = re.compile(r"^/mobilearticle/(?P<id>\d+)(?:/|$)", re.IGNORECASE)
_DETAIL_PATH = re.compile(r"^/Home/Detail/?$", re.IGNORECASE)  # legacy GUID links, 301 to the article (§1.2)
# .NET parses a Guid with or without hyphens and braces
_GUID = re.compile(r"^\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?$",
                   re.IGNORECASE)
# A listing's story cards (X.PagedList views): one per story, with an image link and a title link
_CARD = "div[contains(concat(' ', normalize-space(@class), ' '), ' media ')]"


def slug(news_id: int | str, title: str) -> str:
    """The site's GenerateSecondSlug() (§1.2).

    >>> slug(3301234, "Kim Jong Un's Café - talks")
    '3301234-kim-jong-uns-caf---talks'
    """
    text = f"{news_id}-{title}".encode().decode("ascii", "replace").lower()
    text = re.sub(r"[^a-z0-9\s-]", "", text)
    text = re.sub(r"\s+", " ", text).strip()[:130].strip()
    return re.sub(r"\s", "-", text)


def news_id_of(url: str) -> str | None:
    """NewsId from any article URL form.

    >>> news_id_of("https://www.devdiscourse.com/article/politics/3301234-kim?amp"), news_id_of("/news/x")
    ('3301234', None)
    >>> news_id_of("/Article/politics/3301234-kim/"), news_id_of("/article/3301234"), news_id_of("/Article/3301234-kim")
    ('3301234', '3301234', None)
    """
    path = urlsplit(url).path
    match = ARTICLE_PATH.match(path) or _BARE_ID_PATH.match(path) or _MOBILE_PATH.match(path)
    if not match:
        return None
    return match.groupdict().get("id") or match.groupdict().get("id2")


def listing_entries(main: Selector) -> list[tuple[SelectorList[Selector], Selector | None]]:
    """A listing's entries in page order, each with its links and its card: the story cards (`div.media`) of the
    main column, or, on a page without cards, each distinct link target (card None)."""
    cards = main.xpath(f".//{_CARD}[not(ancestor::{_CARD})]")
    if cards:
        return [(card.css("a[href]"), card) for card in cards]
    entries: list[tuple[SelectorList[Selector], Selector | None]] = []
    seen: set[str] = set()
    for link in main.css("a[href]"):
        href = link.attrib["href"].strip()
        if href not in seen:
            seen.add(href)
            entries.append((SelectorList([link]), None))
    return entries


def legacy_guid(url: str) -> str | None:
    """The Guid of a legacy article link `/Home/Detail?id={Guid}` (§1.2), lower-case with hyphens; else None.

    >>> legacy_guid("https://www.devdiscourse.com/Home/Detail?id=64B9CB1C-EC03-2E6B-2579-5C189844F476")
    '64b9cb1c-ec03-2e6b-2579-5c189844f476'
    >>> legacy_guid("/home/detail?id={64b9cb1cec032e6b25795c189844f476}"), legacy_guid("/Home/Detail?id=42")
    ('64b9cb1c-ec03-2e6b-2579-5c189844f476', None)
    """
    parts = urlsplit(url)
    if not _DETAIL_PATH.match(parts.path):
        return None
    ids = [value for name, value in parse_qsl(parts.query) if name.lower() == "id"]
    match = _GUID.match(ids[0].strip()) if ids else None
    return "-".join(match.groups()).lower() if match else None


class ArticleLinks:
    """Spider mixin (DevdiscourseSpider): the article a listing entry names, and legacy `/Home/Detail?id={Guid}`
    links, which name an article whose NewsId only their redirect tells. Each Guid is asked for once per run; the
    article it redirects to is then named with every route that named the link, and de-duplicated by its NewsId
    like any other candidate."""

    crawler: Any
    # provided by the spider and its other mixins (annotations only: a stub here would shadow them in the MRO)
    article_request: Callable[..., None]
    listing_article_url: Callable[[str, str], str | None]
    on_site: Callable[[str], bool]
    site_url: Callable[[str], str]
    on_error: Callable[[Failure], None]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.legacy_waiting: dict[str, list[Discovery]] = {}
        """Guids asked for and not answered yet, with the routes that named each (few: the site's own pages stopped
        making such links)."""
        self.legacy_articles: dict[str, str | None] = {}
        """Guid → the article URL its redirect gave (None: no article), so a Guid is asked for once."""

    def listing_story(self, response: Response, links: SelectorList[Selector]
                      ) -> tuple[str, str, Selector] | None:
        """The story a listing entry names: the URL to request, its de-duplication key on the page (NewsId, or the
        Guid of a legacy link) and the link; from the entry's first link naming an article on this site."""
        for link in links:
            url = response.urljoin(link.attrib["href"].strip())
            news_id = news_id_of(url)
            if news_id is not None:
                article_url = self.listing_article_url(url, news_id)
                if article_url is not None:
                    return article_url, news_id, link
            elif (guid := legacy_guid(url)) and self.on_site(url):
                return self.site_url(url), f"guid:{guid}", link
        return None

    def legacy_link(self, url: str, guid: str, discovery: Discovery) -> Iterable[Request]:
        """A route names the legacy link `url` of Guid `guid`: the first asks for it (its 301 not followed); later
        ones wait for that answer, or, once it came, name the article it gave at once."""
        if guid in self.legacy_articles:
            article_url = self.legacy_articles[guid]
            if article_url is not None:
                self.article_request(article_url, discovery)
            return ()
        if guid in self.legacy_waiting:
            self.legacy_waiting[guid].append(discovery)
            return ()
        self.legacy_waiting[guid] = [discovery]
        # The Guid as a key, like an article's: this request is the article's first hop, so its failure is counted
        # as an article's (on_error), not as a lost discovery source.
        return (Request(urlunsplit(urlsplit(url)._replace(fragment="")), callback=self.parse_legacy_redirect,
                        errback=self.legacy_failed, cb_kwargs={"guid": guid}, priority=5,
                        meta={"dont_redirect": True, "handle_httpstatus_list": sorted(REDIRECT_STATUSES),
                              META_KEY: f"devdiscourse:guid:{guid}"}),)

    def parse_legacy_redirect(self, response: Response, guid: str) -> None:
        """Name the article a legacy link redirects to (or, served at once, its canonical link names), with every
        route that named the link; the article is then de-duplicated by its NewsId like any other."""
        discoveries = self.legacy_waiting.pop(guid, [])
        target: str | None = None
        if response.status in REDIRECT_STATUSES:
            location = response.headers.get(b"Location")
            target = response.urljoin(location.decode("latin-1").strip()) if location else None
        elif isinstance(response, TextResponse):
            canonical = response.css('link[rel="canonical"]::attr(href)').get()
            target = response.urljoin(canonical.strip()) if canonical else None
        news_id = news_id_of(target) if target else None
        article_url = self.listing_article_url(target, news_id) if target and news_id else None
        self.legacy_articles[guid] = article_url
        if article_url is None:
            self.crawler.stats.inc_value("newscrawl/discovery/legacy_unresolved")
            logger.warning("Legacy link %(url)s leads to no article of this site (HTTP %(status)d, to %(target)s); "
                           "skipped", {"url": response.url, "status": response.status, "target": target})
            return
        self.crawler.stats.inc_value("newscrawl/discovery/legacy_resolved")
        for discovery in discoveries:
            self.article_request(article_url, discovery)

    def legacy_failed(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        guid = request.cb_kwargs.get("guid") if request is not None else None
        if guid is not None:
            self.legacy_waiting.pop(guid, None)
            self.legacy_articles[guid] = None
        self.crawler.stats.inc_value("newscrawl/discovery/legacy_unresolved")
        self.on_error(failure)
