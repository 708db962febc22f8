"""`scrapy crawl` that checks the spider's -a arguments before the reactor starts, and fails loudly after it.

Scrapy builds the spider inside the running crawl, where an exception becomes a traceback and exit code 0. A wrong
argument deserves one clear line and exit code 2, so we validate here first, through the spider's own spec.

Scrapy also exits 0 when a crawl was stopped by an error (the WARC capture closes the spider on a full or read-only
disk) or when a feed could not be stored. Such a run has lost its record, so it ends with one line on stderr and
exit code 1 (EXIT_CRAWL_FAILED), and cron, `newscrawl run` and CI see it fail.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from pathlib import Path
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.spiders import Spider

from newscrawl.monitoring.report import stopped_by_error
from newscrawl.parallel.run import ParallelReplay, ProcessFailed
from newscrawl.spiders.arguments import COMMON_ARGS, parse_arguments
from newscrawl.spiders.base import NewsSpiderBase
from newscrawl.state.lock import LockHeld, RunLock
from newscrawl.state.store import StateError, StateStore

EXIT_CRAWL_FAILED = 1
EXIT_LOCKED = 3
"""Another crawl of the spider holds its run lock (the same code as `newscrawl run`'s)."""
FATAL_ERROR_STAT = "newscrawl/fatal_error"
"""Stats key a component sets to one line saying why it stopped the crawl (e.g. the WARC capture on a full disk)."""


def crawl_failure(stats: dict[str, Any]) -> str | None:
    """Why a finished crawl must count as failed, in one line, or None when it ended normally.

    >>> crawl_failure({"finish_reason": "finished"}) is None, crawl_failure({"finish_reason": "closespider_timeout"})
    (True, None)
    >>> crawl_failure({"finish_reason": "archive_write_error", FATAL_ERROR_STAT: "cannot write WARC: disk full"})
    'the crawl stopped early (archive_write_error): cannot write WARC: disk full'
    >>> crawl_failure({"finish_reason": "finished", "feedexport/failed_count/FileFeedStorage": 1})
    '1 feed(s) could not be stored (see "Error storing" in the log)'
    """
    reason = str(stats.get("finish_reason") or "")
    if stopped_by_error(reason):
        detail = stats.get(FATAL_ERROR_STAT)
        return f"the crawl stopped early ({reason})" + (f": {detail}" if detail else "; see the log")
    failed_feeds = sum(int(v) for k, v in stats.items() if k.startswith("feedexport/failed_count/"))
    if failed_feeds:
        return f'{failed_feeds} feed(s) could not be stored (see "Error storing" in the log)'
    return None


class _AnyValue(dict[str, str]):
    """Fills a feed URI's %(name)s with the spider name and any other placeholder with a stand-in value."""

    def __init__(self, spider: str) -> None:
        super().__init__(name=spider)

    def __missing__(self, key: str) -> str:
        return "probe"


def _read_only(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


class Command(ScrapyCrawlCommand):
    crawler: Crawler | None = None

    def _create_crawler(self, spidercls: type[Spider] | str) -> Crawler:
        self.crawler = super()._create_crawler(spidercls)  # kept to read its stats once the crawl is over
        return self.crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        lock: RunLock | None = None
        if args and self.crawler_process is not None:
            try:
                spider_class: Any = self.crawler_process.spider_loader.load(args[0])
            except KeyError:
                spider_class = None
            if isinstance(spider_class, type) and issubclass(spider_class, NewsSpiderBase):
                given = parse_arguments(spider_class.name, {**COMMON_ARGS, **spider_class.ARGS}, dict(opts.spargs))
                missing = spider_class.missing_source(given)
                if missing and not self._distributed():  # a Redis worker gets its work from `newscrawl enqueue`
                    raise UsageError(missing, print_help=False)
                self._check_state(spider_class.name, replaying="replay" in given)
                if given.get("jobs", 1) > 1:
                    self._run_parallel(spider_class, given, dict(opts.spargs))
                    return
                if not self._feeds_writable(spider_class.name):
                    return
                if not self._take_lock(spider_class.name, replaying="replay" in given):
                    return
                lock = self.lock
        try:
            super().run(args, opts)
        finally:
            if lock is not None:
                lock.__exit__(None, None, None)
        self._fail_if_stopped_by_error(args[0])

    lock: RunLock | None = None

    def _run_parallel(self, spider_class: type[NewsSpiderBase], given: dict[str, Any], spargs: dict[str, str]) -> None:
        """-a jobs=N with -a replay: N processes on shares of the archive, one merged result (parallel/run.py)."""
        name = spider_class.name
        if "replay" not in given:
            raise UsageError(f"spider {name!r}: -a jobs splits a replay (-a replay=PATH) across processes; a live "
                             "crawl runs in one process", print_help=False)
        if self._distributed() or self.settings is None:
            raise UsageError(f"spider {name!r}: -a jobs cannot be combined with a distributed crawl (REDIS_URL)",
                             print_help=False)
        replay = ParallelReplay(self.settings, spider_class, spargs, given["jobs"])  # UsageError: a feed it cannot write
        if not self._feeds_writable(name):
            return
        try:
            stats = replay.run()
        except (ProcessFailed, OSError) as error:
            print(f"scrapy crawl {name}: {error}", file=sys.stderr)
            self.exitcode = EXIT_CRAWL_FAILED
            return
        failure = crawl_failure(stats)
        if failure:
            print(f"scrapy crawl {name}: {failure}", file=sys.stderr)
            self.exitcode = EXIT_CRAWL_FAILED

    def _feeds_writable(self, spider: str) -> bool:
        """Every local feed's folder can be written: else one line and exit 1 before the crawl, instead of Scrapy's
        traceback for every item and an exit code 0 with the feed silently missing."""
        for uri in (self.settings.getdict("FEEDS") if self.settings is not None else {}):
            text = str(uri)
            if "://" in text and not text.startswith("file://"):
                continue  # S3, FTP, …: Scrapy's own storage reports those
            path = Path(text.removeprefix("file://") % _AnyValue(spider))
            folder = next((parent for parent in [path.parent, *path.parent.parents] if parent.exists()), Path("."))
            target = path if path.exists() else folder
            if not os.access(target, os.W_OK):
                print(f"scrapy crawl {spider}: not started, cannot write the feed {text} in {target}: "
                      f"{os.strerror(errno.EROFS if _read_only(target) else errno.EACCES)}", file=sys.stderr)
                self.exitcode = EXIT_CRAWL_FAILED
                return False
        return True

    def _distributed(self) -> bool:
        return bool((self.settings is not None and self.settings.get("REDIS_URL"))
                    or os.environ.get("NEWSCRAWL_REDIS_URL"))

    def _take_lock(self, spider: str, replaying: bool) -> bool:
        """Hold the spider's run lock for the whole crawl, from this process: the crawl, not a wrapper, owns it.

        So two `scrapy crawl` on one output folder, or a crawl and `newscrawl run`, never overlap, and a killed
        wrapper cannot leave its crawl running unlocked. A replay writes no state and names its feed after the
        archived run, and distributed workers coordinate through Redis: neither takes it. False (exit code set,
        one line printed) when the crawl must not start.
        """
        settings = self.settings
        if replaying or settings is None or self._distributed():
            return True
        path = Path(settings.get("NEWSCRAWL_STATE_DIR", "output/state")) / f"{spider}.lock"
        try:
            self.lock = RunLock(path).__enter__()
        except LockHeld as error:
            print(f"scrapy crawl {spider}: not started, {error}", file=sys.stderr)
            self.exitcode = EXIT_LOCKED
            return False
        except OSError as error:
            print(f"scrapy crawl {spider}: not started, cannot write {error.filename or path}: {error.strerror}",
                  file=sys.stderr)
            self.exitcode = EXIT_CRAWL_FAILED
            return False
        return True

    def _fail_if_stopped_by_error(self, spider: str) -> None:
        failure = crawl_failure(self.crawler.stats.get_stats()) if self.crawler and self.crawler.stats else None
        if failure and self.exitcode == 0:
            print(f"scrapy crawl {spider}: {failure}", file=sys.stderr)
            self.exitcode = EXIT_CRAWL_FAILED

    def _check_state(self, spider: str, replaying: bool) -> None:
        """An unusable state file is one clear line before the crawl, not a traceback inside it."""
        settings = self.settings
        if replaying or settings is None or not settings.getbool("NEWSCRAWL_STATE_ENABLED", True):
            return
        path = Path(settings.get("NEWSCRAWL_STATE_DIR", "output/state")) / f"{spider}.sqlite"
        try:
            StateStore(path).close()
        except StateError as error:
            raise UsageError(str(error), print_help=False) from None
