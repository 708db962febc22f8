"""scrapy-redis's scheduler, queue and dupefilter, adapted to Scrapy 2.19 and to a frontier shared by workers.

scrapy-redis 0.9.1 (July 2024) lags Scrapy 2.19 and assumes one worker's crash loses nothing; each subclass
below changes only what it must:

* `LeasingScheduler`: scrapy-redis's `open()` calls Spider.log() and its stats calls pass `spider=`, both
  deprecated (Scrapy 2.19 warns); its `close()` flushes the shared queue and dupefilter when any one worker stops
  (unless SCHEDULER_PERSIST). Ours logs and counts the current way, never flushes (the run's life cycle does,
  frontier.py), and tracks the lease of every request it hands out: a lease is released once the engine is done
  with the request (downloaded, called back, every item through the pipelines and feed exporters).
* `LeasedPriorityQueue`: `pop()` is a destructive ZRANGE + ZREMRANGEBYRANK, so a killed worker loses what it
  holds; ours moves the request into the run's leases in the same Lua script.
* `ArticleDupeFilter`: computes its own SHA-1 of the URL, ignoring REQUEST_FINGERPRINTER_CLASS; ours asks the
  crawler's fingerprinter (fingerprint.py: article key), so every URL form of an article is one request.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.http import Request
from scrapy.utils.misc import load_object
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from newscrawl.distributed.frontier import Frontier

logger = logging.getLogger(__name__)


def engine_in_progress(crawler: Any) -> set[Request] | None:
    """The requests the engine is still working on, or None if this Scrapy does not expose them.

    Scrapy has no public "request finished" signal; its engine slot's `inprogress` set holds a request from the
    scheduler's hand-over until its response and every item it produced are fully processed (Scrapy 2.13–2.19).
    Without it, leases are released only when the worker is idle (slower recovery bookkeeping, still correct).
    """
    slot = getattr(getattr(crawler, "engine", None), "_slot", None)
    in_progress = getattr(slot, "inprogress", None)
    return in_progress if isinstance(in_progress, set) else None


class LeasedPriorityQueue(PriorityQueue):  # type: ignore[misc]  # scrapy-redis is untyped
    """scrapy-redis's priority queue whose pop leases the request to this worker (frontier.pop_request)."""

    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        self.frontier: Frontier = spider.frontier

    def pop_leased(self) -> tuple[Request, str] | None:
        popped = self.frontier.pop_request()
        if popped is None:
            return None
        lease, data = popped
        request: Request = self._decode_request(data)
        return request, lease

    def pop(self, timeout: int = 0) -> Request | None:
        popped = self.pop_leased()
        return popped[0] if popped else None


class ArticleDupeFilter(RFPDupeFilter):  # type: ignore[misc]  # scrapy-redis is untyped
    """scrapy-redis's Redis-set dupefilter with the crawler's request fingerprinter."""

    def __init__(self, server: Any, key: str, debug: bool = False, fingerprinter: Any = None) -> None:
        super().__init__(server, key, debug)
        self.fingerprinter = fingerprinter

    @classmethod
    def from_spider(cls, spider: Any) -> ArticleDupeFilter:
        crawler = spider.crawler
        return cls(spider.frontier.server, spider.frontier.keys.dupefilter,
                   debug=crawler.settings.getbool("DUPEFILTER_DEBUG"), fingerprinter=crawler.request_fingerprinter)

    def request_fingerprint(self, request: Request) -> str:
        fingerprint: bytes = self.fingerprinter.fingerprint(request)
        return fingerprint.hex()

    def close(self, reason: str = "") -> None:
        """Keep the fingerprints: other workers of the run still need them (frontier.finish deletes them)."""


class LeasingScheduler(Scheduler):  # type: ignore[misc]  # scrapy-redis is untyped
    """SCHEDULER for distributed crawls; see the module docstring."""

    crawler: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> LeasingScheduler:
        scheduler: LeasingScheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        return scheduler

    def open(self, spider: Any) -> None:
        """scrapy-redis's open() without its deprecated Spider.log() call and without
        SCHEDULER_FLUSH_ON_START, which would empty the queue other workers are crawling."""
        self.spider = spider
        self.frontier: Frontier = spider.frontier
        self.leased: dict[Request, str] = {}
        self.queue: LeasedPriorityQueue = load_object(self.queue_cls)(
            server=self.server, spider=spider, serializer=self.serializer, key=self.queue_key % {"spider": spider.name})
        if not self.df:
            self.df: ArticleDupeFilter = load_object(self.dupefilter_cls).from_spider(spider)
        logger.info("Worker %(worker)s crawls run %(run)s: %(n)d requests queued",
                    {"worker": self.frontier.worker, "run": self.frontier.keys.run_id, "n": len(self.queue)})

    def close(self, reason: str) -> None:
        """Never flush: the queue and dupefilter belong to the run. Give back anything still held."""
        self.release_finished()
        given_back = self.frontier.leave()
        if given_back:
            logger.warning("Gave %(n)d unfinished requests back to the shared queue", {"n": given_back})

    def enqueue_request(self, request: Request) -> bool:
        if request.dont_filter:
            self.queue.push(request)
        elif not self.frontier.enqueue(self.df.request_fingerprint(request), -request.priority,
                                       self.queue._encode_request(request)):
            self.df.log(request, self.spider)
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        self.release_finished()
        popped = self.queue.pop_leased()
        if popped is None:
            return None
        request, lease = popped
        self.leased[request] = lease
        self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def release_finished(self, idle: bool = False) -> None:
        """Release the leases of requests the engine has finished with (all of them when the worker is idle)."""
        if not self.leased:
            return
        in_progress = engine_in_progress(self.crawler)
        if in_progress is None and not idle:
            return
        done = [request for request in self.leased if in_progress is None or request not in in_progress]
        self.frontier.ack(self.leased.pop(request) for request in done)
