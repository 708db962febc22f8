"""When held article candidates are released, how each is decided, and how they are fed to the scheduler.

Two release points (docs/crawling.md, "When articles are fetched"):
- discovery is over (spider_idle): every held article is decided by the crawl state and queued, in a fixed order;
- discovery is stalled: for NEWSCRAWL_DISCOVERY_PATIENCE seconds nothing was in flight but discovery requests and
  none of them answered (a silent source, waited for up to DOWNLOAD_TIMEOUT per try). Then the articles whose
  decision no late route can change are released: those the state has never seen (fetched whatever any source
  claims), those of a full run, those named with -a urls. Known articles, whose skip/revisit
  decision compares the newest claim of all their routes, still wait for discovery to end.
Either way an article is decided once and requested at most once per run: a route arriving after its release only
adds to its trail (newscrawl/discovery/late_route).

Released articles wait on disk (held.py) and are handed to the scheduler a batch at a time, whenever its queue runs
dry, so neither the spider nor Scrapy's queue holds a Request per discovered article.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from scrapy.exceptions import DontCloseSpider
from scrapy.http import Request
from twisted.internet import task

from newscrawl.extract.urls import is_http_url
from newscrawl.items import Discovery
from newscrawl.meta import META_ARTICLE_PART, META_KEY
from newscrawl.scratchdb import ScratchSpaceFull
from newscrawl.spiders.held import HeldArticles
from newscrawl.spiders.shard import Shard
from newscrawl.state.incremental import Incremental

logger = logging.getLogger(__name__)

DEFAULT_PATIENCE = 10.0  # seconds of silence from discovery, with nothing else to do, before new articles go
STALL_CHECK_INTERVAL = 0.5
RELEASE_BATCH = 64  # requests handed to the scheduler at a time (more than CONCURRENT_REQUESTS keeps it busy)


class ArticleRelease:
    """Spider mixin (NewsSpiderBase): release held articles at the end of discovery or while it is stalled."""

    crawler: Any
    held: HeldArticles
    incremental: Incremental | None
    replay_source: Any
    frontier: Any
    shard: Shard | None
    _archive_listed: bool
    # provided by the spider and its other mixins (annotations only: a stub here would shadow them in the MRO)
    list_archive_candidates: Callable[[], None]
    parse_article: Callable[..., Any]
    alternate_form: Callable[[str], bool]
    on_error: Callable[..., None]

    def start_release(self, crawler: Any) -> None:
        """Read the release settings; watch for a stalled discovery in live single-process crawls."""
        settings = crawler.settings
        queue = settings.get("SCHEDULER_DISK_QUEUE" if settings.get("JOBDIR") else "SCHEDULER_MEMORY_QUEUE")
        self._lifo_scheduler = "lifo" in str(queue).lower()
        self.discovery_patience = settings.getfloat("NEWSCRAWL_DISCOVERY_PATIENCE", DEFAULT_PATIENCE)
        self._stalled_since: float | None = None
        self._stall_watch: task.LoopingCall | None = None
        if getattr(self, "mode", "live") == "live" and self.frontier is None and self.discovery_patience > 0:
            # A replay answers discovery from the archive at once; its items follow the archived times instead.
            self._stall_watch = task.LoopingCall(self.check_discovery_stall)

    def discovery_answered(self, response: Any = None, request: Any = None, spider: Any = None) -> None:
        """response_received: a discovery source that answers is not stalled; a polite, paging walker keeps
        answering every few seconds and so keeps every article held until discovery ends."""
        if request is not None and is_discovery(request):
            self._stalled_since = None

    def open_release(self, spider: Any = None) -> None:
        """spider_opened: start the stall watch."""
        if self._stall_watch is not None and not self._stall_watch.running:
            self._stall_watch.start(STALL_CHECK_INTERVAL, now=False)

    def close_release(self, spider: Any = None, reason: str = "finished") -> None:
        """spider_closed: stop the watch and drop the temporary file."""
        if self._stall_watch is not None and self._stall_watch.running:
            self._stall_watch.stop()
        self.held.close()

    # ---- release points ------------------------------------------------------------------------------------
    def release_articles(self) -> None:
        """spider_idle: discovery is over. Decide and queue every held article; keep the spider open while any
        wait. Here the crawl state decides: new or changed articles are fetched, young ones revisited with a
        conditional request, known unchanged ones skipped (newscrawl/incremental/skip/known). Articles named with
        -a urls are always fetched."""
        try:
            if self.replay_source is not None and not self._archive_listed:
                self.list_archive_candidates()
            if self.held:
                self.decide_held()
            waiting = self.feed_articles() or self.held.waiting
        except ScratchSpaceFull:
            return  # told in one line by monitoring/scratch.py, which is stopping the crawl
        if waiting:
            raise DontCloseSpider

    def check_discovery_stall(self) -> None:
        """Every STALL_CHECK_INTERVAL: release what can be decided now when only discovery has been in flight, and
        silent, for the patience period (a slow or silent source, waited for up to DOWNLOAD_TIMEOUT per try)."""
        engine = getattr(self.crawler, "engine", None)
        if not self.held or engine is None or not discovery_only_in_flight(engine):
            self._stalled_since = None
            return
        now = time.monotonic()
        if self._stalled_since is None:
            self._stalled_since = now
            return
        if now - self._stalled_since < self.discovery_patience:
            return
        self._stalled_since = None
        released = self.decide_held(eligible=self.decision_is_final)
        if released:
            self.crawler.stats.inc_value("newscrawl/discovery/released_early", released)
            logger.info("Discovery stalled for %(s).0f s on %(n)d request(s); released %(released)d new article(s) "
                        "without waiting for it", {"s": self.discovery_patience, "n": len(engine.downloader.active),
                                                   "released": released})
            self.feed_articles()

    def decision_is_final(self, key: str, discoveries: list[Discovery]) -> bool:
        """True when no route arriving later can change what is decided for this article: it is fetched anyway."""
        if self.incremental is None or self.incremental.full or any(d.via == "urls-arg" for d in discoveries):
            return True
        # a gone article may be skipped, unless a route arriving later claims a newer change
        return self.incremental.store.article(key) is None and self.incremental.store.gone(key) is None

    # ---- deciding and feeding -----------------------------------------------------------------------------------
    def decide_held(self, eligible: Any = None) -> int:
        """Decide the held articles (`eligible` ones, else all) in release order; queue those to fetch."""
        stats = self.crawler.stats
        released = 0
        for key, url, meta, discoveries in self.held.release(eligible):
            released += 1
            headers: dict[str, str] | None = None
            if self.incremental is not None and not any(d.via == "urls-arg" for d in discoveries):
                decision = self.incremental.decide(key, discoveries)
                stats.inc_value(f"newscrawl/incremental/{decision.action}/{decision.reason}")
                if decision.action == "skip":
                    continue
                if decision.action == "revisit":
                    headers = dict(decision.headers)
                    meta = {**meta, "handle_httpstatus_list": [304]}
            stats.inc_value("newscrawl/articles/scheduled")  # the progress line's total (monitoring/progress.py)
            # Later too: a page known by no address (a saved page's file:// URL), so that a copy of its article
            # saved with its address is the item kept (pipelines/dedup.py).
            self.held.enqueue(url, meta, headers, later=self.alternate_form(url) or not is_http_url(url))
        return released

    def feed_articles(self, request: Any = None, spider: Any = None) -> int:
        """Hand the scheduler the next batch of queued articles once its queue is empty (also the
        request_reached_downloader handler). Feeding only an empty queue, newest first for a last-in-first-out
        scheduler, keeps the pop order of a whole queue pushed at once."""
        engine = getattr(self.crawler, "engine", None)
        scheduler = getattr(engine, "scheduler", None)
        if not self.held.waiting or engine is None or scheduler is None or scheduler.has_pending_requests():
            return 0
        batch = self.held.take(RELEASE_BATCH, newest_first=self._lifo_scheduler, later_too=nothing_in_flight(engine))
        requests = [(url, Request(url, callback=self.parse_article, errback=self.on_error, meta=meta,
                                  headers=headers)) for url, meta, headers in batch]
        if self.shard is not None:  # a parallel replay (spiders/shard.py): the other processes fetch the rest
            source = self.replay_source
            chain = source.redirect_chain if source is not None and source.holds_redirects() else None
            requests = self.shard.deal(requests, self.crawler.stats, scheduler, chain)
        for _, request in requests:
            engine.crawl(request)
        return len(batch)


def is_discovery(request: Any) -> bool:
    """A discovery request: neither an article's page (META_KEY) nor more of a parsed article (META_ARTICLE_PART)."""
    return META_KEY not in request.meta and META_ARTICLE_PART not in request.meta


def nothing_in_flight(engine: Any) -> bool:
    """True when no request is being downloaded and no response or item is being processed."""
    scraper = engine.scraper
    return not engine.downloader.active and (scraper.slot is None or scraper.slot.is_idle())


def discovery_only_in_flight(engine: Any) -> bool:
    """True when the crawl waits on discovery requests alone: none queued, nothing being parsed, and every request
    in the downloader is a discovery request (is_discovery)."""
    scheduler, scraper = engine.scheduler, engine.scraper
    if scheduler is None or scheduler.has_pending_requests() or scraper.slot is None or not scraper.slot.is_idle():
        return False
    active = engine.downloader.active
    return bool(active) and all(is_discovery(request) for request in active)
