"""`news`: crawl any outlet. Discovery from sitemaps, news sitemaps, RSS/Atom feeds, a site's robots.txt and home
page, or a list of URLs; each page goes to its outlet's parser by domain, else to parsers/generic.py.

    scrapy crawl news -a site=https://www.example.com            # robots.txt Sitemap: lines + the home page's feeds
    scrapy crawl news -a sitemap=https://www.example.com/news-sitemap.xml -a since=2025-03-01
    scrapy crawl news -a feed=https://www.example.com/rss.xml
    scrapy crawl news -a urls=https://www.example.com/2025/03/21/story.html

Quirks handled here (README, "Other outlets"):
- Sitemap indexes are followed (at most `max_sitemaps` documents per run); `since` skips child sitemaps and entries
  whose lastmod / news:publication_date is older. Entries without a date are kept: the article's own date is read
  later, and the validation and state pipelines decide.
- A Sitemap: line in robots.txt that points to a feed is read as a feed (some sites do that).
- When a site names neither a sitemap nor a feed, the home page's links to article-like URLs are used (via "link").
- .xml.gz sitemaps are gunzipped here (HttpCompressionMiddleware only undoes Content-Encoding), with a size cap.
- A site's sitemaps and feeds, and what they list, may live on other hosts (FeedBurner, feeds.outlet.example, a CDN):
  followed. An index listing more sitemaps than `max_sitemaps` allows is read newest first. No robots.txt (a 4xx) is
  not a lost discovery source.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import date
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

from scrapy.http import Request, Response
from scrapy.utils.gz import gunzip
from twisted.python.failure import Failure
from w3lib.url import canonicalize_url

from newscrawl.extract.pubdates import parse_page_date
from newscrawl.extract.urls import clean_url, host_of, looks_like_alternate_form
from newscrawl.items import Discovery
from newscrawl.parsers import ArticleParser, parser_for_url_or_generic
from newscrawl.parsers.generic import looks_like_article_url
from newscrawl.spiders.arguments import Arg, iso_day, positive_int, url_list
from newscrawl.spiders.base import NewsSpiderBase
from newscrawl.spiders.feeds import feed_links, parse_feed, robots_sitemaps
from newscrawl.spiders.sitemaps import newest_sitemaps, parse_sitemap

logger = logging.getLogger(__name__)

DEFAULT_MAX_SITEMAPS = 50  # documents per run: big sites index thousands of daily sitemaps; `since` prunes most
MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemaps.org limit for one uncompressed sitemap
# A site's feeds and sitemaps, and the articles they list, may be on other hosts than the ones given: FeedBurner,
# rss.outlet.example, a CDN's sitemaps. What the site's own discovery documents name is followed (the home page's
# links are not: they stay on its host, and an article's redirect elsewhere keeps the flag its request had).
ELSEWHERE_TOO = {"allow_offsite": True}
DEFAULT_MAX_LINKS = 100  # home-page links followed when a site names no sitemap and no feed


_SHORT_SLUG = re.compile(r"/[^/]+/[^/.\-_]+[-_][^/.\-_]+(?:\.s?html?)?/?$")
HEADLINE_WORDS = 4


def headline_link(url: str, text: str) -> bool:
    """A link to a two-word slug in a folder ("/opinion/water-rates/") whose text is a headline: an article a
    URL rule alone cannot tell from a section ("/news/world-news/", whose link reads "World News").

    >>> headline_link("https://a.b/opinion/water-rates/", "Why your water rates will rise again next year")
    True
    >>> headline_link("https://a.b/news/world-news/", "World News")
    False
    >>> headline_link("https://a.b/water-rates", "Why your water rates will rise")  # no folder: a site section
    False
    """
    return bool(_SHORT_SLUG.search(urlsplit(url).path)) and len(text.split()) >= HEADLINE_WORDS


class NewsSpider(NewsSpiderBase):
    name = "news"
    ARGS: ClassVar[dict[str, Arg]] = {
        "sitemap": Arg(url_list, "sitemap, sitemap index or news sitemap URL(s): URL,URL or @file.txt"),
        "feed": Arg(url_list, "RSS/Atom feed URL(s): URL,URL or @file.txt"),
        "site": Arg(url_list, "site root URL(s): sitemaps from robots.txt, feeds from the home page"),
        "since": Arg(iso_day, "YYYY-MM-DD: skip sitemap/feed entries whose date is older"),
        "max_sitemaps": Arg(positive_int, f"sitemap documents read per run (default {DEFAULT_MAX_SITEMAPS})"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sitemaps: list[str] = self.args.get("sitemap") or []
        self.feeds: list[str] = self.args.get("feed") or []
        self.sites: list[str] = self.args.get("site") or []
        self.since: date | None = self.args.get("since")
        self.max_sitemaps: int = self.args.get("max_sitemaps", DEFAULT_MAX_SITEMAPS)
        self._sitemaps_requested = 0
        hosts = {host_of(u) for u in [*(self.urls or []), *self.sitemaps, *self.feeds, *self.sites]}
        # Offsite filtering follows the given hosts (a parent domain covers www. and other subdomains); a replay of
        # saved pages gives none, and then nothing is filtered.
        self.allowed_domains = sorted(h for h in hosts if h) or None

    @classmethod
    def missing_source(cls, arguments: dict[str, Any]) -> str | None:
        if any(arguments.get(name) for name in ("urls", "sitemap", "feed", "site", "replay")):
            return None
        return "spider 'news' needs at least one of -a urls=, sitemap=, feed=, site= or replay="

    # ---- article identity and parser choice ----------------------------------------------------------------
    def article_key(self, url: str) -> str:
        """One article per URL up to tracking parameters, fragment and query order."""
        return canonicalize_url(clean_url(url))

    def alternate_form(self, url: str) -> bool:
        """AMP, print, mobile-host and later-page URLs are fetched after every other article: when a run meets an
        article in several forms, its own page is the copy kept (a print or AMP copy drops the time and the image)."""
        return looks_like_alternate_form(url)

    def state_keys(self, url: str, request_url: str) -> tuple[str, ...]:
        """The canonical URL's key first: sources name an article as its page, an AMP or print copy, a mobile host's
        page, which no URL rule joins; then the request URL's, for articles recorded before forms were joined."""
        return self.article_key(url), self.article_key(request_url)

    def parser_for(self, response: Response) -> type[ArticleParser] | None:
        return parser_for_url_or_generic(response.url)

    # ---- discovery ------------------------------------------------------------------------------------------
    def discover(self) -> Iterable[Request]:
        if not (self.sitemaps or self.feeds or self.sites) and self.replay_path is None:
            # One clear line instead of a traceback; the crawl ends with no items (see README, "Other outlets").
            self.crawler.stats.inc_value("newscrawl/errors/NothingToCrawl")
            logger.error("spider 'news' needs at least one of -a urls=, sitemap=, feed=, site= or replay=")
        for url in self.sitemaps:
            yield self.sitemap_request(url)
        for url in self.feeds:
            yield self.feed_request(url)
        for url in self.sites:
            root = urljoin(url + "/", "/")
            yield Request(urljoin(root, "/robots.txt"), callback=self.parse_robots, errback=self.robots_failed,
                          cb_kwargs={"root": root}, priority=6)

    def sitemap_request(self, url: str) -> Request:
        self._sitemaps_requested += 1
        return Request(url, callback=self.parse_sitemap, errback=self.on_error, priority=5, meta=ELSEWHERE_TOO)

    def feed_request(self, url: str) -> Request:
        return Request(url, callback=self.parse_feed, errback=self.on_error, priority=5, meta=ELSEWHERE_TOO)

    def parse_robots(self, response: Response, root: str) -> Iterable[Request]:
        sitemaps = robots_sitemaps(response.body.decode("utf-8", "replace"), response.url)
        for url in sitemaps:
            yield self.sitemap_request(url)
        yield self.home_request(root, has_sitemaps=bool(sitemaps))

    def robots_failed(self, failure: Failure) -> Iterable[Request]:
        """No robots.txt is no reason to give up on a site: its home page may still name feeds. A site without one
        (404, 410: RFC 9309 "unavailable") has lost nothing; any other failure may have hidden its Sitemap: lines."""
        request = failure.request  # type: ignore[attr-defined]
        response = getattr(failure.value, "response", None)
        if response is not None and 400 <= response.status < 500:
            self.crawler.stats.inc_value("newscrawl/discovery/no_robots_txt")
            logger.info("No robots.txt at %(url)s (HTTP %(status)d): the home page names the feeds",
                        {"url": request.url, "status": response.status})
        else:
            self.on_error(failure)
        yield self.home_request(request.cb_kwargs["root"], has_sitemaps=False)

    def home_request(self, root: str, has_sitemaps: bool) -> Request:
        return Request(root, callback=self.parse_home, errback=self.on_error, priority=5,
                       cb_kwargs={"has_sitemaps": has_sitemaps})

    def parse_home(self, response: Response, has_sitemaps: bool) -> Iterable[Request]:
        feeds = feed_links(response.selector, response.url) if hasattr(response, "selector") else []
        for url in feeds:
            yield self.feed_request(url)
        if feeds or has_sitemaps:
            return
        self.crawler.stats.inc_value("newscrawl/discovery/home_links_fallback")
        logger.info("No sitemap and no feed for %(url)s; following its article-like links", {"url": response.url})
        home_host = host_of(response.url)
        seen: set[str] = set()
        # A link's position is its place among the page's distinct link targets, the ones not followed too, so it
        # says where on the page the story is whichever links are taken for articles.
        positions: dict[str, int] = {}
        for link in response.css("a[href]"):
            url = response.urljoin((link.attrib.get("href") or "").strip())
            position = positions.setdefault(url, len(positions))
            if host_of(url) != home_host or url in seen or not (
                    looks_like_article_url(url) or headline_link(url, " ".join(link.css("::text").getall()))):
                continue
            seen.add(url)
            self.article_request(url, Discovery(via="link", source_url=response.url, position=position,
                                                seen_at=self.seen_at(response)))
            if len(seen) >= DEFAULT_MAX_LINKS:
                break

    def parse_sitemap(self, response: Response) -> Iterable[Request]:
        body = response.body
        if body[:2] == b"\x1f\x8b":  # a .xml.gz file served without Content-Encoding
            try:
                body = gunzip(body, max_size=MAX_SITEMAP_BYTES)
            except (OSError, ValueError) as error:
                self.crawler.stats.inc_value("newscrawl/discovery/bad_sitemap")
                self.discovery_source_failed(response.url, f"cannot gunzip the sitemap: {error}")
                return
        sitemap = parse_sitemap(body)
        if sitemap.kind not in ("urlset", "sitemapindex"):
            if parse_feed(body, response.url):  # robots.txt and sitemap indexes sometimes list feeds
                yield from self.parse_feed(response.replace(body=body))
                return
            self.crawler.stats.inc_value("newscrawl/discovery/bad_sitemap")
            self.discovery_source_failed(response.url, "not a sitemap (and not a feed)")
            return
        if sitemap.kind == "sitemapindex":
            children = [entry for entry in sitemap.entries if self.recent(entry.lastmod)]
            if len(children) < len(sitemap.entries):
                self.crawler.stats.inc_value("newscrawl/discovery/skipped_old_sitemap",
                                             len(sitemap.entries) - len(children))
            room = max(0, self.max_sitemaps - self._sitemaps_requested)
            if len(children) > room:
                self.crawler.stats.inc_value("newscrawl/discovery/sitemap_cap", len(children) - room)
                logger.warning("Sitemap index %(url)s lists %(n)d sitemaps; %(room)d more may be read this run "
                               "(max_sitemaps=%(max)d): the newest are, %(left)d are not", {
                                   "url": response.url, "n": len(children), "room": room, "max": self.max_sitemaps,
                                   "left": len(children) - room})
                children = newest_sitemaps(children, room)
            for entry in children:
                yield self.sitemap_request(response.urljoin(entry.loc))
            return
        for entry in sitemap.entries:
            claims: dict[str, Any] = {f"news:{k}": v for k, v in entry.news.items()}
            if entry.lastmod:
                claims["lastmod"] = entry.lastmod
            if not self.recent(entry.lastmod, entry.news.get("publication_date")):
                self.crawler.stats.inc_value("newscrawl/discovery/skipped_old")
                continue
            self.article_request(response.urljoin(entry.loc), Discovery(
                via="news-sitemap" if entry.news else "sitemap", source_url=response.url,
                seen_at=self.seen_at(response), position=entry.position, claims=claims), meta=ELSEWHERE_TOO)

    def parse_feed(self, response: Response) -> Iterable[Request]:
        entries = parse_feed(response.body, response.url)
        if not entries:
            self.crawler.stats.inc_value("newscrawl/discovery/empty_feed")
            logger.warning("No entries in the feed %(url)s", {"url": response.url})
        for entry in entries:
            if not self.recent(entry.claims.get("updated"), entry.claims.get("published")):
                self.crawler.stats.inc_value("newscrawl/discovery/skipped_old")
                continue
            self.article_request(entry.link, Discovery(via="rss", source_url=response.url, position=entry.position,
                                                       seen_at=self.seen_at(response), claims=dict(entry.claims)),
                                 meta=ELSEWHERE_TOO)
        return ()

    def recent(self, *claimed: str | None) -> bool:
        """False only when `since` is set and every date the source gave is older (no date: keep)."""
        if self.since is None:
            return True
        days = [parsed.value.date() for parsed in map(parse_page_date, claimed) if parsed is not None]
        return not days or max(days) >= self.since

