"""A live blog's updates: fetched after its page, its item held until the last update page is read.

Devdiscourse does not render a live blog's updates in the page (STRUCTURE.md §3.2): they come from
`GET /api/Search/GetSubBlogs/{newsId}/{page}`, 10 a page, newest first. For an item the parser typed "live-blog",
the spider asks for page 1, then the next while a page is full, and emits the item once, after the last page, with
`live_updates` filled (parsers/devdiscourse/liveblog.py reads each page). The item never waits on anything but its
own pages, and it is never lost: a page that fails (an HTTP error, a timeout, robots.txt, a replay whose archive does
not hold it), that is not JSON, that repeats the previous rows, or the page cap ends the chain, and the item goes
out with the updates read so far, flagged `live_updates_incomplete`.

In a live crawl the update pages are ordinary requests, captured to the WARC like every response. The item rides
in the request's meta as plain JSON data (META_ARTICLE_PART), which a distributed crawl's Redis queue can carry to
any worker. In a replay the page's callback reads the update pages from the archive itself (`served_answer`, the
ReplayMiddleware's own answer: redirects followed, Content-Encoding undone) and emits the item at once. The item
then comes out where its page's would, in one process and in each of a parallel replay's alike, and the rest of the
replay keeps Scrapy's concurrency: a chain of requests instead made the item's place depend on how many other
pages were in flight, and holding the downloader until each chain ended cost a replay 4-23 % of its CPU.

Why the crawl state is not used to stop paging early (at the first update already known): an update can be edited
or deleted later, a stopped walk would need the earlier revision's updates to complete the item, and a replay (which
starts from an empty state) would ask for pages the live run never fetched. A page is one small JSON answer.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from newscrawl.archive.replay import (REDIRECT_STATUSES, Answer, ReplayMiss, ReplaySource, payload_limit,
                                      redirect_target, served_answer)
from newscrawl.items import Article, FetchedPage, LiveUpdate, article_from_plain, fetched_page_from_plain, plain_data
from newscrawl.meta import META_ARTICLE_PART
from newscrawl.parsers.base import ParseError
from newscrawl.parsers.devdiscourse.liveblog import UPDATES_PER_PAGE, parse_updates, updates_path
from newscrawl.spiders.failures import ROBOTS_FORBIDDEN
from newscrawl.spiders.provenance import fetched_page, page_read
from newscrawl.spiders.shard import META_RANK

logger = logging.getLogger(__name__)

MAX_PAGES_SETTING = "NEWSCRAWL_LIVE_BLOG_MAX_PAGES"
DEFAULT_MAX_PAGES = 30
"""Update pages read per live blog (300 updates): a blog running for weeks is cut there, and flagged."""
INCOMPLETE = "live_updates_incomplete"
UPDATE_PRIORITY = 10
"""Above discovery (5) and articles (0): a waiting item is finished before more pages are started."""


class _PageFailed(Exception):
    """An archived update page that a live crawl's callback would not have been given (its kind: why)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class LiveBlogUpdates:
    """Spider mixin (DevdiscourseSpider): `with_live_updates` holds a live blog's item until its update pages are
    read (requests in a live crawl, the archive in a replay)."""

    crawler: Any
    replay_source: ReplaySource | None
    live_blog_max_pages: int = DEFAULT_MAX_PAGES

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> Any:
        spider = super().from_crawler(crawler, *args, **kwargs)  # type: ignore[misc]
        spider.live_blog_max_pages = max(0, crawler.settings.getint(MAX_PAGES_SETTING, DEFAULT_MAX_PAGES))
        return spider

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
                                "updates": [], "pages": [], "page_url": response.url}
        if self.replay_source is not None:
            yield self._replayed(part, self.replay_source)
        else:
            yield self._updates_request(part, response.meta.get(META_RANK))

    @staticmethod
    def _page_url(part: dict[str, Any]) -> str:
        # On the host that served the page: a mirror, or the archived one in a replay, answers for the site
        return urljoin(str(part["page_url"]), updates_path(part["news_id"], part["page"]))

    def _updates_request(self, part: dict[str, Any], rank: Any) -> Request:
        meta: dict[str, Any] = {META_ARTICLE_PART: part}
        if rank is not None:
            meta[META_RANK] = rank
        # dont_filter: two forms of one article (both fetched, de-duplicated later) ask for the same pages, and a
        # request the duplicate filter drops would take its item with it
        return Request(self._page_url(part), callback=self.parse_live_updates, errback=self.live_updates_failed,
                       meta=meta, dont_filter=True, priority=UPDATE_PRIORITY)

    def parse_live_updates(self, response: Response) -> Iterable[Article | Request]:
        """Callback of an update page (a live crawl): read it, then ask for the next page or emit the item."""
        outcome = self._after_page(response.meta[META_ARTICLE_PART], response.body, fetched_page(response))
        yield outcome if isinstance(outcome, Article) else self._updates_request(outcome, response.meta.get(META_RANK))

    def live_updates_failed(self, failure: Failure) -> Iterable[Article]:
        """Errback of an update page: the item goes out with the updates read so far, flagged."""
        request: Request = failure.request  # type: ignore[attr-defined]
        response = getattr(failure.value, "response", None)
        if failure.check(IgnoreRequest) and str(failure.value) == ROBOTS_FORBIDDEN:  # type: ignore[no-untyped-call]
            kind = ROBOTS_FORBIDDEN
        else:
            kind = f"HttpError{response.status}" if response is not None else (
                failure.type.__name__ if failure.type else "Unknown")
        yield self._failed(request.meta[META_ARTICLE_PART], request.url, kind)

    def _replayed(self, part: dict[str, Any], source: ReplaySource) -> Article:
        """The item with its update pages read from the replayed archive, as a live crawl's requests read them."""
        if not source.holds(self._page_url(part)):
            # captured without its updates (saved pages, another tool's or an older capture): said once, not as a miss
            self.crawler.stats.inc_value("newscrawl/live_blogs/missing_in_archive")
            logger.info("The archive holds no update page of the live blog %(url)s; its item is flagged",
                        {"url": part["page_url"]})
            return self._finished(part, incomplete=True)
        while True:
            url = self._page_url(part)
            try:
                answer, body = self._archived_page(url, source)
            except _PageFailed as failed:
                return self._failed(part, url, failed.kind)
            except IgnoreRequest as refused:  # served_answer has said why, and counted it
                return self._failed(part, url, type(refused).__name__)
            page = page_read(answer.url, answer.fetched_at_utc(), body, answer.archive)
            outcome = self._after_page(part, body, page)
            if isinstance(outcome, Article):
                return outcome
            part = outcome

    def _archived_page(self, url: str, source: ReplaySource) -> tuple[Answer, bytes]:
        """The archived answer to `url` and its body, as Scrapy's middlewares would hand it to the callback:
        redirects followed (REDIRECT_MAX_TIMES), Content-Encoding undone, a non-2xx answer an HTTP error."""
        settings = self.crawler.settings
        max_payload = payload_limit(self, settings) or None
        for _ in range(settings.getint("REDIRECT_MAX_TIMES") + 1):
            answer = served_answer(source, url, max_payload, self.crawler.stats, self)
            location = answer.header_values("Location")
            target = redirect_target(answer.url, location[-1]) if location else None
            if answer.status in REDIRECT_STATUSES and target and settings.getbool("REDIRECT_ENABLED"):
                url = target
                continue
            if not 200 <= answer.status < 300:
                raise _PageFailed(f"HttpError{answer.status}")
            try:
                return answer, answer.decoded_body()
            except ValueError as exc:
                raise _PageFailed("UndecodableBody") from exc
        raise _PageFailed("TooManyRedirects")

    def _after_page(self, part: dict[str, Any], body: bytes, page: FetchedPage) -> Article | dict[str, Any]:
        """Read one update page into `part`: the item once the walk ends, else the part of the next page."""
        stats = self.crawler.stats
        stats.inc_value("newscrawl/live_blogs/pages")
        url = page.url
        try:
            updates = parse_updates(body, url)
        except ParseError as error:
            stats.inc_value("newscrawl/live_blogs/unreadable_pages")
            logger.warning("Live-blog update page unreadable, item emitted without the rest: %(error)s",
                           {"error": error})
            return self._finished(part, incomplete=True)
        known = {update["id"] for update in part["updates"]}
        fresh = [update for update in updates if update.id not in known]
        part = {**part, "updates": part["updates"] + [plain_data(update) for update in fresh],
                "pages": [*part.get("pages", []), plain_data(page)]}
        if len(updates) < UPDATES_PER_PAGE:
            return self._finished(part, incomplete=False)  # a short (or empty) page is the last
        if not fresh:
            # a full page of rows already read: the server ignores the page number, and the rest is out of reach
            logger.warning("Live-blog update page %(url)s repeats the rows before it; item emitted with %(n)d updates",
                           {"url": url, "n": len(part["updates"])})
            return self._finished(part, incomplete=True)
        if part["page"] >= self.live_blog_max_pages:
            stats.inc_value("newscrawl/live_blogs/page_cap")
            logger.warning("Live blog %(url)s has more than %(cap)d update pages; item emitted with the first "
                           "%(n)d updates (raise %(setting)s to read more)",
                           {"url": part["page_url"], "cap": self.live_blog_max_pages, "n": len(part["updates"]),
                            "setting": MAX_PAGES_SETTING})
            return self._finished(part, incomplete=True)
        return {**part, "page": part["page"] + 1}

    def _failed(self, part: dict[str, Any], url: str, kind: str) -> Article:
        """The item of a walk an update page ended (`kind`: why), with the updates read so far, flagged."""
        stats = self.crawler.stats
        if kind == ReplayMiss.__name__:
            # the archive was captured without this page (a saved page, another tool's or an older capture)
            stats.inc_value("newscrawl/live_blogs/missing_in_archive")
        elif kind == ROBOTS_FORBIDDEN:
            stats.inc_value("newscrawl/live_blogs/forbidden_by_robots")
        else:
            stats.inc_value(f"newscrawl/errors/{kind}")  # a failed fetch, counted as every other one is
        logger.warning("Live-blog update page failed (%(kind)s): %(url)s; item emitted with %(n)d updates",
                       {"kind": kind, "url": url, "n": len(part["updates"])})
        return self._finished(part, incomplete=True)

    def _finished(self, part: dict[str, Any], *, incomplete: bool) -> Article:
        article = article_from_plain(part["item"])
        article.live_updates = [LiveUpdate(**update) for update in part["updates"]]
        if article.provenance is not None:
            article.provenance = dataclasses.replace(article.provenance, live_update_pages=[
                fetched_page_from_plain(page) for page in part.get("pages", [])])
        stats = self.crawler.stats
        stats.inc_value("newscrawl/live_blogs/items")
        stats.inc_value("newscrawl/live_blogs/updates", len(article.live_updates))
        if incomplete:
            article.quality.append(INCOMPLETE)
        return article

