"""A live blog's updates: fetched after its page, its item held in the request chain until the last update page.

Devdiscourse does not render a live blog's updates in the page (STRUCTURE.md §3.2): they come from
`GET /api/Search/GetSubBlogs/{newsId}/{page}`, 10 a page, newest first. For an item the parser typed "live-blog",
the spider asks for page 1, then the next while a page is full, and emits the item once, after the last page, with
`live_updates` filled (parsers/devdiscourse/liveblog.py reads each page). The item never waits on anything but its
own pages, and it is never lost: a page that fails (an HTTP error, a timeout, robots.txt, a replay whose archive does
not hold it), that is not JSON, that repeats the previous rows, or the page cap ends the chain, and the item goes
out with the updates read so far, flagged `live_updates_incomplete`.

The update pages are ordinary requests: captured to the WARC and answered from it in a replay, so a replay gives the
live item again. The item rides in the request's meta as plain JSON data (META_ARTICLE_PART), which a distributed
crawl's Redis queue can carry to any worker, and the request keeps the article request's place in a parallel
replay's order (META_RANK), so its item is merged where the article's would be.

Why the crawl state is not used to stop paging early (at the first update already known): an update can be edited
or deleted later, a stopped walk would need the earlier revision's updates to complete the item, and a replay (which
starts from an empty state) would ask for pages the live run never fetched. A page is one small JSON answer.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from newscrawl.archive.replay import ReplayMiss, ReplaySource, one_response_at_a_time
from newscrawl.items import Article, LiveUpdate, article_from_plain, plain_data
from newscrawl.meta import META_ARTICLE_PART
from newscrawl.parsers.base import ParseError
from newscrawl.parsers.devdiscourse.liveblog import UPDATES_PATH, UPDATES_PER_PAGE, parse_updates, updates_path
from newscrawl.spiders.failures import ROBOTS_FORBIDDEN
from newscrawl.spiders.shard import META_RANK

logger = logging.getLogger(__name__)

MAX_PAGES_SETTING = "NEWSCRAWL_LIVE_BLOG_MAX_PAGES"
DEFAULT_MAX_PAGES = 30
"""Update pages read per live blog (300 updates): a blog running for weeks is cut there, and flagged."""
INCOMPLETE = "live_updates_incomplete"
UPDATE_PRIORITY = 10
"""Above discovery (5) and articles (0): a waiting item is finished before more pages are started."""


class LiveBlogUpdates:
    """Spider mixin (DevdiscourseSpider): `with_live_updates` holds a live blog's item until its update pages."""

    crawler: Any
    replay_source: ReplaySource | None
    live_blog_max_pages: int = DEFAULT_MAX_PAGES

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> Any:
        spider = super().from_crawler(crawler, *args, **kwargs)  # type: ignore[misc]
        spider.live_blog_max_pages = max(0, crawler.settings.getint(MAX_PAGES_SETTING, DEFAULT_MAX_PAGES))
        return spider

    def open_replay_source(self, spider: Any = None) -> None:
        """spider_opened: a replay whose archive holds update pages handles one response at a time, so that a live
        blog's item comes out where its page's would, in one process and in each of a parallel replay's."""
        super().open_replay_source(spider)  # type: ignore[misc]
        if self.replay_source is not None and self.replay_source.holds_url_containing(UPDATES_PATH):
            one_response_at_a_time(self.crawler, "The archive holds live-blog update pages")

    def parse_article(self, response: Response) -> Iterable[Article | Request]:
        """The article callback (spiders/base.py), a live blog's item held back for its updates."""
        for output in super().parse_article(response):  # type: ignore[misc]
            if isinstance(output, Article):
                yield from self.with_live_updates(output, response)
            else:
                yield output

    def with_live_updates(self, article: Article, response: Response) -> Iterable[Article | Request]:
        """The item itself, or (for a live blog) the request for its first update page, which carries it."""
        if article.article_type != "live-blog" or not article.outlet_id or self.live_blog_max_pages == 0:
            yield article
            return
        part: dict[str, Any] = {"item": plain_data(article), "news_id": article.outlet_id, "page": 1,
                                "updates": [], "page_url": response.url}
        request = self._updates_request(part, response.meta.get(META_RANK))
        if self.replay_source is not None and not self.replay_source.holds(request.url):
            # captured without its updates (saved pages, another tool's or an older capture): said at once, so the
            # item keeps its page's place instead of waiting on a request the archive cannot answer
            self.crawler.stats.inc_value("newscrawl/live_blogs/missing_in_archive")
            logger.info("The archive holds no update page of the live blog %(url)s; its item is flagged",
                        {"url": response.url})
            yield self._finished(part, incomplete=True)
            return
        yield request

    def _updates_request(self, part: dict[str, Any], rank: Any) -> Request:
        # On the host that served the page: a mirror, or the archived one in a replay, answers for the site
        url = urljoin(part["page_url"], updates_path(part["news_id"], part["page"]))
        meta: dict[str, Any] = {META_ARTICLE_PART: part}
        if rank is not None:
            meta[META_RANK] = rank
        # dont_filter: two forms of one article (both fetched, de-duplicated later) ask for the same pages, and a
        # request the duplicate filter drops would take its item with it
        return Request(url, callback=self.parse_live_updates, errback=self.live_updates_failed, meta=meta,
                       dont_filter=True, priority=UPDATE_PRIORITY)

    def parse_live_updates(self, response: Response) -> Iterable[Article | Request]:
        """Callback of an update page: read it, then ask for the next page or emit the item."""
        part: dict[str, Any] = response.meta[META_ARTICLE_PART]
        stats = self.crawler.stats
        stats.inc_value("newscrawl/live_blogs/pages")
        try:
            updates = parse_updates(response.body, response.url)
        except ParseError as error:
            stats.inc_value("newscrawl/live_blogs/unreadable_pages")
            logger.warning("Live-blog update page unreadable, item emitted without the rest: %(error)s",
                           {"error": error})
            yield self._finished(part, incomplete=True)
            return
        known = {update["id"] for update in part["updates"]}
        fresh = [update for update in updates if update.id not in known]
        part["updates"] += [plain_data(update) for update in fresh]
        if len(updates) < UPDATES_PER_PAGE:
            yield self._finished(part, incomplete=False)  # a short (or empty) page is the last
        elif not fresh:
            # a full page of rows already read: the server ignores the page number, and the rest is out of reach
            logger.warning("Live-blog update page %(url)s repeats the rows before it; item emitted with %(n)d updates",
                           {"url": response.url, "n": len(part["updates"])})
            yield self._finished(part, incomplete=True)
        elif part["page"] >= self.live_blog_max_pages:
            stats.inc_value("newscrawl/live_blogs/page_cap")
            logger.warning("Live blog %(url)s has more than %(cap)d update pages; item emitted with the first "
                           "%(n)d updates (raise %(setting)s to read more)",
                           {"url": part["page_url"], "cap": self.live_blog_max_pages, "n": len(part["updates"]),
                            "setting": MAX_PAGES_SETTING})
            yield self._finished(part, incomplete=True)
        else:
            yield self._updates_request({**part, "page": part["page"] + 1}, response.meta.get(META_RANK))

    def live_updates_failed(self, failure: Failure) -> Iterable[Article]:
        """Errback of an update page: the item goes out with the updates read so far, flagged."""
        request: Request = failure.request  # type: ignore[attr-defined]
        part: dict[str, Any] = request.meta[META_ARTICLE_PART]
        response = getattr(failure.value, "response", None)
        kind = f"HttpError{response.status}" if response is not None else (
            failure.type.__name__ if failure.type else "Unknown")
        stats = self.crawler.stats
        if failure.check(ReplayMiss):  # type: ignore[no-untyped-call]
            # the archive was captured without this page (a saved page, another tool's or an older capture)
            stats.inc_value("newscrawl/live_blogs/missing_in_archive")
        elif failure.check(IgnoreRequest) and str(failure.value) == ROBOTS_FORBIDDEN:  # type: ignore[no-untyped-call]
            stats.inc_value("newscrawl/live_blogs/forbidden_by_robots")
        else:
            stats.inc_value(f"newscrawl/errors/{kind}")  # a failed fetch, counted as every other one is
        logger.warning("Live-blog update page failed (%(kind)s): %(url)s; item emitted with %(n)d updates",
                       {"kind": kind, "url": request.url, "n": len(part["updates"])})
        yield self._finished(part, incomplete=True)

    def _finished(self, part: dict[str, Any], *, incomplete: bool) -> Article:
        article = article_from_plain(part["item"])
        article.live_updates = [LiveUpdate(**update) for update in part["updates"]]
        stats = self.crawler.stats
        stats.inc_value("newscrawl/live_blogs/items")
        stats.inc_value("newscrawl/live_blogs/updates", len(article.live_updates))
        if incomplete:
            article.quality.append(INCOMPLETE)
        return article

