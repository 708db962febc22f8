"""A progress line an operator can read: fetched/total once discovery is over, items, drops and errors by reason,
rate and ETA — every NEWSCRAWL_PROGRESS_INTERVAL seconds in the log, and rewritten in place on a terminal.

Scrapy's own LogStats line ("Crawled 165 pages … scraped 0 items") counts discovery pages and says nothing of
what is left; this one reads the spider's counters (newscrawl/articles/scheduled is set when held articles are
released, newscrawl/pages/fetched by the article callback).
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

logger = logging.getLogger(__name__)


def _top(counts: dict[str, int], limit: int = 3) -> str:
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    shown = ", ".join(f"{name} {count}" for name, count in items[:limit])
    return shown + (", …" if len(items) > limit else "")


def progress_line(stats: dict[str, Any], elapsed: float) -> str:
    """One line from a crawl's stats.

    >>> progress_line({"newscrawl/pages/fetched": 50, "newscrawl/articles/scheduled": 200, "item_scraped_count": 48,
    ...                "item_dropped_reasons_count/UnchangedArticle": 2, "newscrawl/errors/HttpError404": 1}, 60.0)
    'fetched 50/200 articles (25%) · items 48 · dropped 2 (UnchangedArticle 2) · errors 1 (HttpError404 1) · 50/min · ETA 3m00s'
    >>> progress_line({"downloader/response_count": 3}, 2.0)
    'discovering (3 pages so far) · items 0 · dropped 0 · errors 0'
    """
    fetched = int(stats.get("newscrawl/pages/fetched", 0))
    total = int(stats.get("newscrawl/articles/scheduled", 0))
    dropped = {k.rsplit("/", 1)[1]: int(v) for k, v in stats.items() if k.startswith("item_dropped_reasons_count/")}
    errors = {k.rsplit("/", 1)[1]: int(v) for k, v in stats.items() if k.startswith("newscrawl/errors/")}
    parts = [f"fetched {fetched}/{total} articles ({fetched / total:.0%})" if total else
             f"discovering ({int(stats.get('downloader/response_count', 0))} pages so far)",
             f"items {int(stats.get('item_scraped_count', 0))}",
             f"dropped {sum(dropped.values())}" + (f" ({_top(dropped)})" if dropped else ""),
             f"errors {sum(errors.values())}" + (f" ({_top(errors)})" if errors else "")]
    if total and fetched and elapsed > 0:
        rate = fetched / elapsed * 60
        remaining = max(total - fetched, 0) / (fetched / elapsed)
        parts += [f"{rate:.0f}/min", f"ETA {int(remaining // 60)}m{int(remaining % 60):02d}s"]
    return " · ".join(parts)


class Progress:
    """Extension: the progress line in the log every interval (0 turns it off), and live on a terminal."""

    def __init__(self, crawler: Any, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.started = time.monotonic()
        self.tty = sys.stderr.isatty()
        self.loop: task.LoopingCall | None = None
        self.tty_loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> Progress:
        interval = crawler.settings.getfloat("NEWSCRAWL_PROGRESS_INTERVAL", 60.0)
        if interval <= 0:
            raise NotConfigured
        extension = cls(crawler, interval)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def line(self) -> str:
        return progress_line(self.crawler.stats.get_stats(), time.monotonic() - self.started)

    def log(self) -> None:
        logger.info("Progress: %(line)s", {"line": self.line()})

    def draw(self) -> None:
        sys.stderr.write("\r\x1b[K" + self.line()[:200])
        sys.stderr.flush()

    def spider_opened(self, spider: Any = None) -> None:
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.log)
        self.loop.start(self.interval, now=False)
        if self.tty:
            self.tty_loop = task.LoopingCall(self.draw)
            self.tty_loop.start(1.0, now=False)

    def spider_closed(self, spider: Any = None, reason: str = "") -> None:
        for loop in (self.loop, self.tty_loop):
            if loop is not None and loop.running:
                loop.stop()
        if self.tty:
            sys.stderr.write("\r\x1b[K")
        logger.info("Progress at the end: %(line)s", {"line": self.line()})
