"""The Scrapy add-on that turns a crawl into a distributed worker when a Redis URL is set (ADDONS in settings.py).

Scrapy applies add-ons after it has built the spider, so by now NewsSpiderBase.from_crawler has joined the run
(newscrawl.distributed.attach_frontier) and `spider.frontier` says whether this crawl is distributed. Without a
frontier (no REDIS_URL / NEWSCRAWL_REDIS_URL, a replay, a non-newscrawl spider) the add-on changes nothing, so a
single-process crawl runs exactly as before. Values are set at "addon" priority: `-s` on the command line still
wins, and settings.py must not set the ones below itself.
"""

from __future__ import annotations

import logging
from typing import Any

from newscrawl.distributed import redis_url

logger = logging.getLogger(__name__)

_HERE = "newscrawl.distributed"


class DistributedAddon:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> DistributedAddon:
        return cls(crawler)

    def update_settings(self, settings: Any) -> None:
        frontier = getattr(self.crawler.spider, "frontier", None)
        if frontier is None:
            return
        keys = frontier.keys
        values = {
            "REDIS_URL": redis_url(settings),  # scrapy-redis reads only the setting, not our environment variable
            "SCHEDULER": f"{_HERE}.scheduler.LeasingScheduler",
            "SCHEDULER_QUEUE_CLASS": f"{_HERE}.scheduler.LeasedPriorityQueue",
            "SCHEDULER_SERIALIZER": f"{_HERE}.serializer",
            "DUPEFILTER_CLASS": f"{_HERE}.scheduler.ArticleDupeFilter",
            "REQUEST_FINGERPRINTER_CLASS": f"{_HERE}.fingerprint.ArticleKeyFingerprinter",
            # This run's keys (frontier.py); scrapy-redis formats them with the spider name, which is already in.
            "SCHEDULER_QUEUE_KEY": keys.requests,
            "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter,
            "REDIS_START_URLS_KEY": keys.start_urls,
            "SCHEDULER_PERSIST": True,  # documentation only: LeasingScheduler never flushes the shared queue
        }
        for name, value in values.items():
            settings.set(name, value, priority="addon")
        settings["EXTENSIONS"][f"{_HERE}.worker.DistributedWorker"] = 600
        settings["SPIDER_MIDDLEWARES"][f"{_HERE}.worker.QueueStartOnly"] = 10
        for scheme in ("", "file"):
            settings["FEED_STORAGES"][scheme] = f"{_HERE}.feeds.UnbufferedFileFeedStorage"
        overridden = [name for name, value in values.items() if settings.get(name) != value]
        if overridden:
            logger.warning("Distributed mode needs these settings as the add-on sets them, but they are set "
                           "elsewhere: %(names)s", {"names": ", ".join(overridden)})
