"""Devdiscourse discovery: the Google-News sitemap, the JSON archive walker and the HTML source listings.

Site facts: shared/devdiscourse/STRUCTURE.md §1. Quirks handled here:
- One article has many URL forms (label, slug, ?amp, /mobilearticle/…); only the leading digits of the last path
  segment (NewsId) matter to the server, so NewsId is the de-duplication key (§1.2).
- The legacy form `/Home/Detail?id={Guid}` names no NewsId: it is asked for once, without following its 301, and
  the article it redirects to is then named like any other link, de-duplicated by that NewsId (§1.2, §5).
- Sitemap locs use a 150-character slug, the canonical URL a 130-character one (§1.2): we request the canonical
  form, rebuilt from the title, so every route asks for the same URL.
- `/devdiscourse-stories` pager links point to /pti-stories: we build `?page=N` ourselves (§1.3).
- JSON API dates are UTC without an offset (§1.4). A live blog's item waits for its updates (spiders/liveblog.py).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import datetime, time, timedelta, timezone
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

from scrapy.http import Request, Response

from newscrawl.extract.dates import iso, parse_utc_naive
from newscrawl.extract.text import clean_text
from newscrawl.extract.urls import is_http_url
from newscrawl.items import Discovery
from newscrawl.parsers.devdiscourse import DevdiscourseParser
from newscrawl.spiders.arguments import Arg, choice_list, http_url, iso_day, positive_int
from newscrawl.spiders.base import NewsSpiderBase
from newscrawl.spiders.devdiscourse_links import (ARTICLE_PATH, ArticleLinks, legacy_guid, listing_entries,
                                                  news_id_of, slug)
from newscrawl.spiders.liveblog import LiveBlogUpdates
from newscrawl.spiders.sitemaps import MAX_ENTRIES, parse_sitemap

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://www.devdiscourse.com"
SITE_HOSTS = frozenset({"devdiscourse.com", "www.devdiscourse.com"})
# -a sources name → listing path (§1.3). pti and devdiscourse are routed in the site's code; the others are linked
# from bylines but unverified, so they are only crawled when asked for.
LISTINGS: dict[str, str] = {
    "pti": "/pti-stories",
    "devdiscourse": "/devdiscourse-stories",
    "agencywire": "/AgencyWire",
    "reuters": "/reuters-stories",
    "ians": "/ians-stories",
    "ani": "/ani-stories",
    "un-news": "/un-news",
    "pr-newswire": "/pr-newswire",
}
DEFAULT_SOURCES = ("pti", "devdiscourse")
ROUTES = ("sitemap", "api", "listings")
DEFAULT_MAX_PAGES = 5
API_PAGE_CAP = 500  # 10,000 articles: a backfill deeper than this should be split into several runs
DEFAULT_HORIZON = timedelta(days=2)  # what /RSS/GoogleNews covers, so the API adds nothing older by default


class DevdiscourseSpider(LiveBlogUpdates, ArticleLinks, NewsSpiderBase):
    name = "devdiscourse"
    parser_class = DevdiscourseParser
    ARGS: ClassVar[dict[str, Arg]] = {
        "base_url": Arg(http_url, "site root, e.g. http://127.0.0.1:8080 for a local mirror "
                                  f"(default {DEFAULT_BASE_URL})"),
        "since": Arg(iso_day, "backfill horizon for the JSON archive walker, YYYY-MM-DD (default: 2 days ago)"),
        "sources": Arg(choice_list(tuple(LISTINGS), "source"),
                       f"comma list of source listings, from {', '.join(LISTINGS)}; crawls only those listings"),
        "max_pages": Arg(positive_int, f"listing pages per source (default {DEFAULT_MAX_PAGES}); also caps the "
                                       "JSON walker"),
        "routes": Arg(choice_list(ROUTES, "route"),
                      f"discovery routes to use, from {', '.join(ROUTES)} (default all)"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.base_url: str = self.args.get("base_url", DEFAULT_BASE_URL)
        self.sources: tuple[str, ...] = self.args.get("sources") or DEFAULT_SOURCES
        self.routes: tuple[str, ...] = ("listings",) if "sources" in self.args else self.args.get("routes", ROUTES)
        self.max_pages: int = self.args.get("max_pages", DEFAULT_MAX_PAGES)
        hosts = {urlsplit(self.base_url).hostname or ""} | {urlsplit(u).hostname or "" for u in self.urls or []}
        self.allowed_domains = sorted(h for h in hosts if h)

    @property
    def horizon(self) -> datetime:
        """How far back the JSON archive walker pages: -a since, else two days before the run's start (read when
        it is used: a replay's start is known once its archive's index is read, replay.replay_started_at)."""
        since = self.args.get("since")
        return datetime.combine(since, time.min, tzinfo=timezone.utc) if since else self.started_at - DEFAULT_HORIZON

    def open_replay_source(self, spider: Any = None) -> None:
        """No base_url given or archived (another tool's capture): discovery asks the host the archived articles
        are on, so the capture of a mirror replays the mirror's sitemap and listings."""
        super().open_replay_source(spider)
        origin = None if "base_url" in self.args else self.archived_origin()
        if origin and (host := urlsplit(origin).hostname or "") not in SITE_HOSTS:
            logger.info("Replay: base_url %(origin)s, where the archived articles are", {"origin": origin})
            self.base_url, self.allowed_domains = origin, sorted({*(self.allowed_domains or ()), host})

    # ---- URLs -----------------------------------------------------------------------------------------------
    def site_url(self, path_or_url: str) -> str:
        """Put a site path or a www.devdiscourse.com URL onto base_url, so a local mirror is crawled whole."""
        parts = urlsplit(path_or_url)
        if parts.netloc and (parts.hostname or "").lower() not in SITE_HOSTS:
            return path_or_url
        base = urlsplit(self.base_url)
        return urlunsplit((base.scheme, base.netloc, parts.path or "/", parts.query, ""))

    def listing_article_url(self, url: str, news_id: str) -> str | None:
        """The URL to request for an article link found on a listing page, or None for another site's link.

        The canonical form `/article/{label}/{id}-{slug}` is requested as it is, minus query and fragment (`?amp`
        would fetch the AMP view, `?reg=` is an edition hint). Any other form (`/mobilearticle/{id}/{edition}`,
        whose dates are untrustworthy, `/article/{id}`, …) becomes `/article/agency-wire/{id}`, which the site
        301s to the labelled URL (§1.2).
        """
        parts = urlsplit(url)
        if not self.on_site(url):
            return None
        match = ARTICLE_PATH.match(parts.path)
        path = parts.path if match and match.group("id") else f"/article/agency-wire/{news_id}"
        return self.site_url(urlunsplit((parts.scheme, parts.netloc, path, "", "")))

    def on_site(self, url: str) -> bool:
        """Whether the URL is on the site: www.devdiscourse.com, base_url's host or an -a urls host."""
        host = (urlsplit(url).hostname or "").lower()
        return host in SITE_HOSTS or host in {domain.lower() for domain in self.allowed_domains or ()}

    def canonical_article_url(self, news_id: str, label: str | None, title: str | None, fallback: str) -> str:
        if not title:
            return self.site_url(fallback)
        return self.site_url(f"/article/{label or 'agency-wire'}/{slug(news_id, title)}")

    def article_key(self, url: str) -> str:
        news_id = news_id_of(url)
        return f"devdiscourse:{news_id}" if news_id else url

    def archive_candidate_rank(self, url: str) -> int | None:
        """Archived pages on an article route (§1.2) are candidates; the labelled desktop URL is preferred over
        the AMP (?amp) and mobile (/mobilearticle/) views and the bare-id forms of the same NewsId. A saved page that
        names no address at all (its `file://` URL: no sidecar, saved-from comment, canonical link or og:url) may be
        any page, one of ours too: offered last, for the parser to judge, so an article is emitted (flagged no_url)
        rather than lost."""
        if not is_http_url(url):
            return 2
        if news_id_of(url) is None:
            return None
        parts = urlsplit(url)
        match = ARTICLE_PATH.match(parts.path)
        return 0 if match and match.group("id") and not parts.query else 1

    def name_article(self, url: str, discovery: Discovery) -> Iterable[Request]:
        """A legacy `/Home/Detail?id={Guid}` link is resolved first (devdiscourse_links.py); any other URL is an
        article candidate as it is."""
        guid = legacy_guid(url)
        if guid is None:
            return super().name_article(url, discovery)
        return self.legacy_link(url, guid, discovery)

    # ---- discovery ------------------------------------------------------------------------------------------
    def discover(self) -> Iterable[Request]:
        if "sitemap" in self.routes:
            yield Request(self.site_url("/RSS/GoogleNews"), callback=self.parse_news_sitemap,
                          errback=self.on_error, priority=5)
        if "api" in self.routes:
            yield self.api_request(1)
        if "listings" in self.routes:
            for source in self.sources:
                yield self.listing_request(source, 1)

    def api_request(self, page: int) -> Request:
        return Request(self.site_url(f"/api/Search/GetAllNews/{page}"), callback=self.parse_api,
                       errback=self.on_error, cb_kwargs={"page": page}, priority=5)

    def listing_request(self, source: str, page: int) -> Request:
        return Request(self.site_url(f"{LISTINGS[source]}?page={page}"), callback=self.parse_listing,
                       errback=self.on_error, cb_kwargs={"source": source, "page": page}, priority=5)

    def parse_news_sitemap(self, response: Response) -> Iterable[Request]:
        sitemap = parse_sitemap(response.body)
        if sitemap.truncated:
            self.crawler.stats.inc_value("newscrawl/discovery/sitemap_truncated")
            self.discovery_source_failed(response.url, f"holds more than {MAX_ENTRIES} entries (or its XML breaks "
                                                       "off); the rest are not read")
        if not sitemap.entries:
            self.crawler.stats.inc_value("newscrawl/discovery/empty_sitemap")
            logger.warning("No entries in the news sitemap %(url)s", {"url": response.url})
        for entry in sitemap.entries:
            news_id = news_id_of(entry.loc)
            claims: dict[str, Any] = {f"news:{k}": v for k, v in entry.news.items()}
            if entry.lastmod:
                claims["lastmod"] = entry.lastmod
            if news_id is None and legacy_guid(entry.loc) and self.on_site(entry.loc):
                yield from self.name_article(self.site_url(entry.loc), Discovery(
                    via="news-sitemap", source_url=response.url, seen_at=self.seen_at(response),
                    position=entry.position, claims=claims))
                continue
            if news_id is None:
                self.crawler.stats.inc_value("newscrawl/discovery/not_article_url")
                continue
            label = urlsplit(entry.loc).path.split("/")[2]
            title = entry.news.get("title")
            loc_slug = urlsplit(entry.loc).path.rstrip("/").rsplit("/", 1)[-1]
            if title and not loc_slug.startswith(slug(news_id, title)[:100]):
                title = None  # a title garbled by broken XML would make a wrong slug; the <loc> is the site's own
            url = self.canonical_article_url(news_id, None if label == "agency-wire" else label, title, entry.loc)
            self.article_request(url, Discovery(via="news-sitemap", source_url=response.url,
                                                seen_at=self.seen_at(response), position=entry.position,
                                                claims=claims))

    def parse_api(self, response: Response, page: int) -> Iterable[Request]:
        try:
            rows = json.loads(response.text)
        except ValueError as error:
            self.crawler.stats.inc_value("newscrawl/discovery/bad_json")
            self.discovery_source_failed(response.url, f"archive API page is not JSON: {error}")
            return
        if not isinstance(rows, list):
            self.crawler.stats.inc_value("newscrawl/discovery/bad_json")
            self.discovery_source_failed(response.url, "archive API page is not a JSON list")
            return
        reached_horizon = False
        page_urls: list[str] = []
        for position, row in enumerate(rows):
            if not isinstance(row, dict) or not str(row.get("newId", "")).isdigit():
                self.crawler.stats.inc_value("newscrawl/discovery/bad_api_row")
                continue
            created = parse_utc_naive(str(row.get("createdOn") or ""))
            if created is not None and created < self.horizon:
                reached_horizon = True  # newest first: everything after this is older still
                break
            news_id, label = str(row["newId"]), row.get("label") or None
            claims = {k: row.get(k) for k in ("createdOn", "label", "country", "title") if row.get(k) is not None}
            if created is not None:
                claims["createdOn_utc"] = iso(created)
            url = self.canonical_article_url(news_id, label, row.get("title"),
                                             f"/article/{label or 'agency-wire'}/{news_id}")
            page_urls.append(url)
            self.article_request(url, Discovery(via="api", source_url=response.url, seen_at=self.seen_at(response),
                                                position=position,
                                                claims=claims))
        explicit_cap = self.args.get("max_pages")
        cap = explicit_cap if explicit_cap is not None else API_PAGE_CAP
        # A backfill asked for with -a since pages on to its horizon: the state may hold the recent days (cron
        # runs) and not the older ones. Known articles on the way are skipped, not fetched.
        if "since" not in self.args and self.all_known_unchanged(page_urls):
            self.crawler.stats.inc_value("newscrawl/incremental/api_stopped")
        elif rows and not reached_horizon:
            if page < cap:
                yield self.api_request(page + 1)
            else:
                self.crawler.stats.inc_value("newscrawl/discovery/api_page_cap")
                logger.warning("Archive walker stopped at its page cap (%(cap)d pages) before the since horizon "
                               "%(horizon)s; run again with an earlier -a since, or a higher -a max_pages",
                               {"cap": cap, "horizon": self.horizon.isoformat()})

    def parse_listing(self, response: Response, source: str, page: int) -> Iterable[Request]:
        """A listing page's stories, each at its `position` among the page's story cards (docs/crawling.md): every
        card counts, those whose link is not followed too (another site's, a form naming no article), so a story
        keeps its position whichever links a crawler version follows."""
        # Only the main column lists the source's stories; the sidebar (trending, opinion) and the header/footer
        # link to other articles, which belong to other routes.
        main = response.css("div.col-md-8") or response.css("body") or response.css(":root")
        found = 0
        seen_here: set[str] = set()
        page_urls: list[str] = []
        for position, (links, card) in enumerate(listing_entries(main[0])):
            story = self.listing_story(response, links)
            if story is None:
                if card is not None:  # a story card whose link names no article we can request
                    self.crawler.stats.inc_value("newscrawl/discovery/listing_entry_skipped")
                continue
            url, key, link = story
            if key in seen_here:
                continue
            seen_here.add(key)
            found += 1
            title = clean_text(" ".join(card.css("h4 ::text").getall()) if card is not None else "") or clean_text(
                link.attrib.get("title") or " ".join(link.css("::text").getall()))
            time_text = clean_text(" ".join(card.css("p.text-muted ::text, small ::text").getall())
                                   if card is not None else "")
            claims = {name: value for name, value in (("title", title), ("time_text", time_text)) if value}
            if news_id_of(url) is not None:  # a legacy link's article is known only once it redirects
                page_urls.append(url)
            yield from self.name_article(url, Discovery(via="listing", source_url=response.url,
                                                        seen_at=self.seen_at(response), position=position,
                                                        claims=claims))
        if found == 0:
            logger.info("Listing %(url)s holds no articles; stopping %(source)s", {"url": response.url,
                                                                                   "source": source})
        elif self.all_known_unchanged(page_urls):
            self.crawler.stats.inc_value("newscrawl/incremental/listing_stopped")
            logger.info("Listing %(url)s holds only known, unchanged articles; not paging further",
                        {"url": response.url})
        elif page < self.max_pages:
            yield self.listing_request(source, page + 1)
