"""Stopping a crawl for a failure that makes going on pointless or harmful: a full disk, a replay input that cannot
be read at all. One cause is recorded and the crawl is closed with a finish reason that fails the run, so `scrapy
crawl` exits 1 with that cause in one line (commands/crawl.py) and the run report says it.

A services-layer module, not a bottom one: it drives Scrapy's engine, and the bottom layer stays free of Scrapy. The
WARC capture and the replay (archive/), the crawl state's writer (pipelines/revisions.py), the full-disk guards
(monitoring/scratch.py) and a parallel replay's recorder all stop a crawl through it.
"""

from __future__ import annotations

from typing import Any

from scrapy.utils.defer import deferred_from_coro

from newscrawl.meta import record_fatal_error


def stop_crawl(crawler: Any, reason: str, message: str) -> bool:
    """Record `message` as why the crawl stops (meta.record_fatal_error: the first cause is kept) and close the
    crawl with `reason` (a finish reason monitoring/report.stopped_by_error counts as failed); True when this is the
    first cause, which the caller then logs. Closing an engine that is closing already does nothing; before the
    engine exists there is nothing to close (the crawl's start fails, and the crawl command says why)."""
    first = record_fatal_error(crawler.stats, message)
    try:
        engine = crawler.engine
    except RuntimeError:  # Scrapy's "engine is not set yet"
        return first
    if engine is not None and engine.spider is not None:
        deferred_from_coro(engine.close_spider_async(reason=reason))
    return first
