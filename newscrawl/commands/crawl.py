"""`scrapy crawl` that checks the spider's -a arguments before the reactor starts, and fails loudly after it.

Scrapy builds the spider inside the running crawl, where an exception becomes a traceback and exit code 0. A wrong
argument deserves one clear line and exit code 2, so commands/checks.py validates the arguments first, through the
spider's own spec, in process_options: before Scrapy's version banner, the log file and any work.

Scrapy also exits 0 when a crawl was stopped by an error (the WARC capture closes the spider on a full or read-only
disk) or when a feed could not be stored. Such a run has lost its record, so it ends with one line on stderr and
exit code 1 (EXIT_FAILED), and cron, `newscrawl run` and CI see it fail.

Every failure it knows is that one line, naming the path (docs/operating.md, "Signals, failures and exit codes"):
an unwritable log, state or feed folder stops the crawl before it starts; a full disk, a feed or run report not
written or a log file that lost records is said at the end (logfile.py keeps Python's logging from printing a
traceback for every record it cannot write). The crawl holds the spider's run lock for its whole life.
"""

from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
from pathlib import Path
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.spiders import Spider

from newscrawl.commands import logfile
from newscrawl.commands.checks import CrawlChecks
from newscrawl.commands.parallel import ParallelCrawl
from newscrawl.distributed import DistributedSetupError
from newscrawl.meta import FATAL_ERROR_STAT
from newscrawl.monitoring.report import REPORT_ERROR_STAT, stopped_by_error
from newscrawl.parallel.run import ParallelReplay, ProcessFailed
from newscrawl.processes import EXIT_FAILED, EXIT_LOCKED, EXIT_USAGE, typed_command
from newscrawl.scratchdb import ScratchSpaceFull, when_scratch_space_runs_out
from newscrawl.state.lock import LockHeld, RunLock
from newscrawl.state.recovery import leave_for_recovery
from newscrawl.state.store import StateError, StateStore

logger = logging.getLogger(__name__)


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


class Command(CrawlChecks, ParallelCrawl, ScrapyCrawlCommand):
    crawler: Crawler | None = None
    not_joined: DistributedSetupError | None = None
    """Why a distributed worker could not join its run in Redis (gone since _check_redis asked): said as that
    check says it, in _end_in_one_line."""

    def _create_crawler(self, spidercls: type[Spider] | str) -> Crawler:
        self.crawler = super()._create_crawler(spidercls)  # kept to read its stats once the crawl is over
        crawl = self.crawler.crawl_async

        async def crawl_unless_not_joined(*args: Any, **kwargs: Any) -> None:
            # The worker joins the run from the spider's from_crawler, inside Scrapy's start, where an exception
            # is asyncio's "Task exception was never retrieved" and a traceback: kept here for one line instead.
            try:
                await crawl(*args, **kwargs)
            except DistributedSetupError as error:
                logger.error("Not started: %(error)s", {"error": error})  # the log says it too, not only stderr
                self.not_joined = error

        self.crawler.crawl_async = crawl_unless_not_joined  # type: ignore[method-assign]
        return self.crawler

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        """Everything the crawl can check before Scrapy starts is checked here, in this order: the arguments (a bad
        one is one usage line and exit 2: no version banner, no log file created), Redis for a distributed worker,
        the state and feed folders, the run lock and the state file (_may_start: a refused crawl leaves no log
        file), then the log file (one line and exit 1; Scrapy's own failure is a 27-line traceback); from here on a
        log write that fails costs one line at the end (logfile.py). Then a parallel replay forks.

        A refused crawl builds no crawler process (requires_crawler_process): that is where Scrapy logs its version
        banner, 13 lines on stderr before the one that says why the crawl did not start."""
        name = next((arg for arg in args if not arg.startswith("-")), "")  # the spider, as the user's lines name it
        parallel = None
        try:
            super().process_options(args, opts)
            self._expand_home()
            self._check_feed_formats(name)
            if self._check_arguments(args, opts) and self.spider_class is not None:
                parallel = self._plan_parallel(self.spider_class, self.given, opts)
        except UsageError as error:
            self._usage_error(name, str(error))
        if not self.refused:
            self._check_redis(name)
            # a parallel replay checked its feeds in _plan_parallel; it takes no lock and has no state to check
            self.refused = parallel is None and not self._may_start()
        if self.refused:
            self.requires_crawler_process = False
            return
        log_file = self.settings.get("LOG_FILE") if self.settings is not None else None
        if log_file:
            problem = logfile.unwritable(str(log_file))
            if problem:
                print(f"{typed_command(name)}: not started, cannot write the log {log_file}: {problem}",
                      file=sys.stderr)
                sys.exit(EXIT_FAILED)
        logfile.install()
        if parallel is not None:
            self._fork_parallel(parallel, name, opts)
            self.requires_crawler_process = not self.refused

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if self.refused:
            return
        if self.parallel is not None:
            self._finish_parallel(self.parallel, args[0])
            return
        # a full scratch folder before the crawl's guard exists (a saved folder listed by the spider's constructor)
        stop_listening = when_scratch_space_runs_out(self._scratch_space_full)
        try:
            super().run(args, opts)
            self._end_in_one_line(args[0])  # under the lock: a failed run is marked for recovery before the next run
        finally:
            stop_listening()
            if self.lock is not None:
                self.lock.__exit__(None, None, None)
        if self.worker:
            self.end_worker()

    def _may_start(self) -> bool:
        """Whether a newscrawl spider's crawl may start: its state and feed folders can be written, it holds the run
        lock, and its state file opens. False (one line printed, exit code set, the lock let go) when not."""
        spider_class = self.spider_class
        if spider_class is None:
            return True
        name, replaying = spider_class.name, "replay" in self.given
        if not (self._state_writable(name, replaying) and self._feeds_writable(name)
                and self._take_lock(name, replaying)):
            return False
        # Opened only under the lock: the state of a crawl that is running belongs to that crawl alone.
        problem = self._check_state(name, replaying)
        if problem:
            print(f"{typed_command(name)}: error: {problem}", file=sys.stderr)
            self.exitcode = EXIT_USAGE
            if self.lock is not None:
                self.lock.__exit__(None, None, None)
            return False
        return True

    lock: RunLock | None = None
    scratch_full: ScratchSpaceFull | None = None

    def _scratch_space_full(self, error: ScratchSpaceFull) -> None:
        self.scratch_full = self.scratch_full or error

    def _finish_parallel(self, replay: ParallelReplay, name: str) -> None:
        """The parent of a parallel replay: wait for its processes, merge their feeds, say how the run ended."""
        try:
            stats = replay.finish()
        except (ProcessFailed, OSError) as error:
            print(f"{typed_command(name)}: {error}", file=sys.stderr)
            self.exitcode = EXIT_FAILED
            return
        except ScratchSpaceFull as error:  # the merge's own lineage index and URL claims (its processes stop alone)
            print(f"{typed_command(name)}: the parallel replay stopped: {error}", file=sys.stderr)
            self.exitcode = EXIT_FAILED
            return
        failure = crawl_failure(stats)
        if failure:
            print(f"{typed_command(name)}: {failure}", file=sys.stderr)
            self.exitcode = EXIT_FAILED

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
            print(f"{typed_command(spider)}: not started, {error}", file=sys.stderr)
            self.exitcode = EXIT_LOCKED
            return False
        except OSError as error:
            print(f"{typed_command(spider)}: not started, cannot write {error.filename or path}: {error.strerror}",
                  file=sys.stderr)
            self.exitcode = EXIT_FAILED
            return False
        return True

    def _end_in_one_line(self, spider: str) -> None:
        """Whatever went wrong at the end is one line on stderr: the crawl stopped by an error, a feed or the run
        report not written, the log file incomplete (a full disk can do all four at once).

        A crawl that lost feed items is left for the next run's recovery (state/recovery.py) even when its spider
        marked it finished, so its feed is cut back to whole lines and the state agrees with it. Exit code 1 for
        all but a lost log (the crawl's data is intact); `newscrawl run` relies on that line and adds none.
        """
        if self.not_joined is not None:  # nothing was crawled: a usage line and exit 2, as _check_redis
            print(f"{typed_command(spider)}: not started, {self.not_joined}", file=sys.stderr)
            self.exitcode = EXIT_USAGE
            return
        try:
            stats = self.crawler.stats.get_stats() if self.crawler is not None and self.crawler.stats else {}
        except RuntimeError:  # Scrapy's "stats not set yet": the crawler failed before its crawl started
            stats = {}
        failure = crawl_failure(stats)
        if failure:
            self._leave_for_recovery()
        failed = [part for part in (failure, stats.get(REPORT_ERROR_STAT)) if part]
        if not failed and self.exitcode == EXIT_FAILED and self.crawler_process is not None \
                and self.crawler_process.bootstrap_failed:
            if self.scratch_full is not None:
                failed = [f"the crawl could not start: {self.scratch_full}"]
            elif self.settings is not None:
                failed = [f"the crawl could not start; see {self.settings.get('LOG_FILE') or 'the log above'}"]
            else:
                failed = ["the crawl could not start"]
        parts = [*failed, logfile.incomplete()]
        if any(parts):
            print(f"{typed_command(spider)}: {'; '.join(str(part) for part in parts if part)}", file=sys.stderr)
        if failed and self.exitcode == 0:
            self.exitcode = EXIT_FAILED

    def _leave_for_recovery(self) -> None:
        """Mark this live run unfinished in the state, so the next run reconciles it with its feed."""
        spider: Any = self.crawler.spider if self.crawler is not None else None
        settings = self.settings
        if (spider is None or settings is None or getattr(spider, "mode", "live") != "live" or self._distributed()
                or not settings.getbool("NEWSCRAWL_STATE_ENABLED", True) or not hasattr(spider, "crawl_id")):
            return
        path = Path(settings.get("NEWSCRAWL_STATE_DIR", "output/state")) / f"{spider.name}.sqlite"
        try:
            store = StateStore(path)
            try:
                leave_for_recovery(store, spider.crawl_id)
            finally:
                store.close()
        except (StateError, sqlite3.Error) as error:  # the disk is still full: the line above already says so
            logger.error("Run %(crawl_id)s not left for recovery in %(path)s: %(error)s",
                         {"crawl_id": spider.crawl_id, "path": path, "error": error})

    def _check_state(self, spider: str, replaying: bool) -> str | None:
        """Why the state file is unusable (damaged, or from a newer newscrawl): a usage line and exit 2 before the
        crawl, not a traceback inside it; None when it opens."""
        settings = self.settings
        if replaying or settings is None or not settings.getbool("NEWSCRAWL_STATE_ENABLED", True):
            return None
        path = Path(settings.get("NEWSCRAWL_STATE_DIR", "output/state")) / f"{spider}.sqlite"
        try:
            StateStore(path).close()
        except StateError as error:
            return str(error)
        return None
