"""The worker side of a distributed crawl: heartbeat, start messages, idle wait, idle timeout.

`DistributedWorker` is an extension. It reads start messages with scrapy-redis's start-URL reader (`RedisMixin`),
composed here rather than mixed into the spider: `RedisSpider` needs a spider subclass, and it reads its first
batch in `start_requests()`, which Scrapy no longer calls since 2.16; its idle timer is a class attribute set at
import and reset only when start URLs arrive, so a worker busy for longer than MAX_IDLE_TIME_BEFORE_CLOSE closes at
its first idle moment. Ours starts counting when the whole run is drained, i.e. when no worker can make more work.

`QueueStartOnly` is a spider middleware: in distributed mode a worker does not run its spider's discovery on its
own start; work arrives through `newscrawl enqueue` (README, "Distributed crawling").

A worker stops on SIGTERM/SIGINT (Scrapy's graceful shutdown: in-flight requests finish, the scheduler gives back
anything still leased) or once the run has been drained for NEWSCRAWL_DISTRIBUTED_IDLE_TIMEOUT seconds. A run that
has never had work is not drained but not begun: its workers wait for `newscrawl enqueue` without a time limit.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import redis
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import Request
from scrapy_redis.spiders import RedisMixin
from twisted.internet.task import LoopingCall

from newscrawl.distributed.enqueue import BadStartMessage, StartMessage, start_requests
from newscrawl.distributed.frontier import Frontier

logger = logging.getLogger(__name__)


class DistributedWorker(RedisMixin):  # type: ignore[misc]  # scrapy-redis is untyped
    def __init__(self, crawler: Any, frontier: Frontier, idle_timeout: float, heartbeat: float) -> None:
        self.crawler = crawler
        self.spider = crawler.spider
        self.name = self.spider.name  # RedisMixin formats its key and log lines with these
        self.logger = logger
        self.redis_key = frontier.keys.start_urls
        self.frontier = frontier
        self.idle_timeout = idle_timeout
        self.heartbeat_interval = heartbeat
        self.drained_since: float | None = None
        self._start_leases: list[str] = []
        self._ticker = LoopingCall(self.tick)

    @classmethod
    def from_crawler(cls, crawler: Any) -> DistributedWorker:
        frontier = getattr(crawler.spider, "frontier", None)
        if frontier is None:
            raise NotConfigured  # a single-process crawl
        settings = crawler.settings
        worker = cls(crawler, frontier, settings.getfloat("NEWSCRAWL_DISTRIBUTED_IDLE_TIMEOUT", 60.0),
                     settings.getfloat("NEWSCRAWL_DISTRIBUTED_HEARTBEAT", 2.0))
        worker.setup_redis(crawler)  # RedisMixin: connection, batch size, encoding; connects spider_idle
        crawler.signals.connect(worker.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(worker.spider_closed, signal=signals.spider_closed)
        return worker

    def spider_opened(self, spider: Any) -> None:
        self._ticker.start(self.heartbeat_interval, now=False)

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self._ticker.running:
            self._ticker.stop()

    def tick(self) -> None:
        """Every heartbeat: say we are alive, give dead workers' leases back, and look for work while idle."""
        try:
            self.frontier.heartbeat()
            given_back = self.frontier.reap()
        except redis.RedisError as error:  # a Redis hiccup must not stop the heartbeat for good
            logger.error("Heartbeat to Redis failed: %(error)s", {"error": error})
            return
        if given_back:
            self.crawler.stats.inc_value("newscrawl/distributed/requeued", given_back)
            logger.warning("Gave %(n)d requests of silent workers back to the queue", {"n": given_back})
        # Scrapy polls an idle scheduler every 5 s; other workers' work should start sooner.
        nextcall = getattr(getattr(self.crawler.engine, "_slot", None), "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()

    # ---- idle: start messages, waiting, timeout ---------------------------------------------------------------
    def spider_idle(self) -> None:
        """Keep the worker open while the run has work anywhere; close it once drained for the idle timeout."""
        try:
            self._idle()
        except redis.RedisError as error:  # Redis unreachable for a moment: wait, do not stop the worker
            logger.error("Redis failed while the worker was idle: %(error)s", {"error": error})
            raise DontCloseSpider from None

    def _idle(self) -> None:
        scheduler = getattr(self.crawler.engine, "scheduler", None)
        if scheduler is not None and hasattr(scheduler, "release_finished"):
            scheduler.release_finished(idle=True)
        if not self.frontier.is_current():
            logger.info("Run %(run)s is over; worker %(worker)s leaves",
                        {"run": self.frontier.keys.run_id, "worker": self.frontier.worker})
            return
        if self.schedule_next_requests() or not self.frontier.drained():
            self.drained_since = None
            raise DontCloseSpider
        if not self.frontier.has_had_work():
            # Started before `newscrawl enqueue` (the README's order): wait for the run's first work, however long;
            # the idle timeout is for a run that has drained, and this one has not begun.
            self.drained_since = None
            raise DontCloseSpider
        now = time.monotonic()
        self.drained_since = self.drained_since or now
        if not self.idle_timeout or now - self.drained_since < self.idle_timeout:
            raise DontCloseSpider
        outcome = self.frontier.finish()
        if outcome == "busy":  # work appeared since the check above
            self.drained_since = None
            raise DontCloseSpider
        logger.info("Run %(run)s drained for %(seconds)ss: worker %(worker)s stops (%(outcome)s)",
                    {"run": self.frontier.keys.run_id, "seconds": self.idle_timeout, "worker": self.frontier.worker,
                     "outcome": outcome})

    def schedule_next_requests(self) -> int:
        """Turn the next batch of start messages into requests (RedisMixin); how many messages were read."""
        super().schedule_next_requests()
        leases, self._start_leases = self._start_leases, []
        self.frontier.ack(leases)  # their requests are queued in Redis now, safe from this worker's death
        return len(leases)

    def pop_list_queue(self, redis_key: str, batch_size: int) -> list[bytes]:
        """RedisMixin's start-list reader, leasing instead of LRANGE + LTRIM (see frontier.py)."""
        popped = self.frontier.pop_start(batch_size)
        self._start_leases += [lease for lease, _ in popped]
        return [message for _, message in popped]

    def make_request_from_data(self, data: bytes) -> list[Request]:
        try:
            message = StartMessage.decode(data)
            requests = start_requests(self.spider, message)
        except BadStartMessage as error:
            self.crawler.stats.inc_value("newscrawl/distributed/bad_start_message")
            logger.error("Ignoring start message %(data)r: %(error)s", {"data": data[:200], "error": error})
            return []
        except Exception:  # a spider bug in discover(): drop the message rather than stop every worker in turn
            self.crawler.stats.inc_value("newscrawl/distributed/failed_start_message")
            logger.exception("Start message %(data)r failed; dropped", {"data": data[:200]})
            return []
        self.crawler.stats.inc_value(f"newscrawl/distributed/start/{message.kind}")
        logger.info("Start message: %(kind)s %(url)s", {"kind": message.kind, "url": message.url or ""})
        return requests


class QueueStartOnly:
    """Spider middleware: in distributed mode the spider's own start() is not run (see the module docstring)."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> QueueStartOnly:
        if getattr(crawler.spider, "frontier", None) is None:
            raise NotConfigured
        if getattr(crawler.spider, "urls", None):
            logger.warning("-a urls is ignored by distributed workers; queue the URLs with `newscrawl enqueue`")
        return cls()

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        nothing: tuple[Any, ...] = ()
        for item in nothing:  # an async generator that yields nothing
            yield item
