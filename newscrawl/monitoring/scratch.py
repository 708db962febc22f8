"""Stop a crawl whose scratch folder is full, in one line, like a WARC or a crawl state the disk refuses.

What a run remembers per page waits in scratch databases in SQLite's temporary folder (scratchdb.py). When that
folder fills up, each statement fails where it runs (an item pipeline, the scheduler's duplicate filter, discovery's
held articles), and without this guard each would fail on its own: an error line per item for the rest of the run,
requests silently lost, exit status 0. With it, the first failure stops the crawl: finish reason
`scratch_space_full`, the one-line cause in the run report and in `scrapy crawl`'s exit line, exit status 1. Nothing
is recorded in the crawl state for items that did not reach the feed, so the next incremental run fetches them again.

DiskFullGuard does the same for a full disk met anywhere else in an item pipeline or a spider callback (an OSError
"No space left on device" or "Disk quota exceeded"): py3langid unpacking its model into a full temporary folder
failed every item of a run with a traceback, and the run finished with no item and exit status 0. A pipeline that
knows where it may meet a full disk drops the item instead (pipelines/droplog.py NoDiskSpace, one line, no
traceback), and the guard stops the crawl on that drop the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from scrapy import signals

from newscrawl.fatal import stop_crawl
from newscrawl.pipelines.droplog import DISK_FULL_ERRNOS, NoDiskSpace, url_of
from newscrawl.scratchdb import ScratchSpaceFull, when_scratch_space_runs_out

logger = logging.getLogger(__name__)

FINISH_REASON = "scratch_space_full"


class ScratchSpaceGuard:
    """EXTENSIONS: listens for a full scratch folder from the crawl's creation (so a replay's listing of its input,
    at spider_opened, is covered) until its engine stops (so the last pipelines' writes at close are)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.stop_listening: Callable[[], None] = when_scratch_space_runs_out(self.scratch_space_full)
        """Removes the listener (engine_stopped); removing it again does nothing."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> ScratchSpaceGuard:
        guard = cls(crawler)
        crawler.signals.connect(guard.stop_listening, signal=signals.engine_stopped)
        return guard

    def scratch_space_full(self, error: ScratchSpaceFull) -> None:
        self.crawler.stats.inc_value("newscrawl/scratch/full_errors")
        _stop(self.crawler, FINISH_REASON, str(error))


def _stop(crawler: Any, reason: str, message: str) -> None:
    """Stop the crawl, logged once: an earlier failure's consequences are not (the first one is the cause)."""
    if stop_crawl(crawler, reason, message):
        logger.critical("Stopping the crawl: %(error)s", {"error": message})


DISK_FULL = "disk_full"


class DiskFullGuard:
    """EXTENSIONS: an item pipeline or a spider callback that fails on a full disk stops the crawl (finish reason
    `disk_full`, exit 1) instead of failing every later item the same way."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> DiskFullGuard:
        guard = cls(crawler)
        crawler.signals.connect(guard.item_error, signal=signals.item_error)
        crawler.signals.connect(guard.spider_error, signal=signals.spider_error)
        crawler.signals.connect(guard.item_dropped, signal=signals.item_dropped)
        return guard

    def item_error(self, item: Any, response: Any, spider: Any, failure: Any) -> None:
        self._check(failure.value, f"an item pipeline, on {url_of(item)}")

    def item_dropped(self, item: Any, response: Any, exception: BaseException, spider: Any) -> None:
        """A pipeline that knows it may meet a full disk drops the item in one line (droplog.NoDiskSpace)."""
        if isinstance(exception, NoDiskSpace) and exception.__cause__ is not None:
            self._check(exception.__cause__, f"an item pipeline, on {url_of(item)}")

    def spider_error(self, failure: Any, response: Any, spider: Any) -> None:
        self._check(failure.value, f"the callback of {getattr(response, 'url', None) or '(no URL)'}")

    def _check(self, error: BaseException, where: str) -> None:
        if isinstance(error, OSError) and error.errno in DISK_FULL_ERRNOS:
            self.crawler.stats.inc_value("newscrawl/disk_full_errors")
            _stop(self.crawler, DISK_FULL, f"{error} (in {where})")


class ScratchSpaceSpiderMiddleware:
    """SPIDER_MIDDLEWARES: a callback that met the full scratch folder (discovery holding its articles) ends there,
    without Scrapy's "Spider error processing" traceback: the guard has said it in one line and is stopping the
    crawl; what the callback had not yielded yet is discovered again by the next run."""

    def process_spider_exception(self, response: Any, exception: BaseException, spider: Any = None) -> Any:
        return [] if isinstance(exception, ScratchSpaceFull) else None
