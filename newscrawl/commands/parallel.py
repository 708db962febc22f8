"""The parallel part of `scrapy crawl` (-a jobs=N with -a replay, newscrawl/parallel/): checked with the other
arguments and forked from process_options, before Scrapy builds its crawler process and reactor; finished in the
parent's run().
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any

from scrapy.exceptions import UsageError

from newscrawl.parallel.run import ParallelReplay
from newscrawl.processes import EXIT_FAILED, typed_command
from newscrawl.spiders.base import NewsSpiderBase


class ParallelCrawl:
    """Mixin of the crawl command (commands/crawl.py, which provides the settings and the feed checks, and ends the
    parent's run with `parallel.finish()`)."""

    settings: Any
    exitcode: int
    _feeds_writable: Any
    _distributed: Any

    parallel: ParallelReplay | None = None
    """-a jobs=N: the parallel replay this (parent) process forked, finished in run()."""
    refused = False
    worker = False
    """This process is one of a parallel replay's (forked): it crawls its share and ends with end_worker()."""

    def _plan_parallel(self, spider_class: type[NewsSpiderBase], given: dict[str, Any], opts: argparse.Namespace
                       ) -> ParallelReplay | None:
        """-a jobs=N with -a replay: the checked parallel replay (UsageError for one it cannot run), or None for a
        one-process crawl (also when it is refused: exit code set, one line printed, self.refused)."""
        if given.get("jobs", 1) <= 1:
            return None
        replay = self._parallel_replay(spider_class, given, dict(opts.spargs))
        if replay is None:
            self.refused = True
        return replay

    def _fork_parallel(self, replay: ParallelReplay, name: str, opts: argparse.Namespace) -> None:
        """Fork the N processes now, before Scrapy builds its crawler process and reactor, so each starts with the
        imports and settings done (parallel/run.py). Each returns from here as a normal crawl of its share (without
        -a jobs); the parent finishes the replay in run()."""
        try:
            forked = replay.fork()
        except OSError as error:  # its input cannot be read at all (a copy the disk refuses): as one process says
            print(f"{typed_command(name)}: not started, cannot replay {replay.spider_args.get('replay')}: {error}",
                  file=sys.stderr)
            self.exitcode = EXIT_FAILED
            self.refused = True
            return
        if forked is None:
            self.parallel = replay
        else:
            del opts.spargs["jobs"]  # this process crawls its share as a one-process replay would
            self.worker = True

    def _parallel_replay(self, spider_class: type[NewsSpiderBase], given: dict[str, Any], spargs: dict[str, str]
                         ) -> ParallelReplay | None:
        """The checked parallel replay of -a jobs=N (parallel/run.py): UsageError for a live or distributed crawl or
        a feed it cannot write; None (exit code set, one line printed) when a feed's folder cannot be written."""
        name = spider_class.name
        if "replay" not in given:
            raise UsageError(f"spider {name!r}: -a jobs splits a replay (-a replay=PATH) across processes; a live "
                             "crawl runs in one process", print_help=False)
        if self._distributed() or self.settings is None:
            raise UsageError(f"spider {name!r}: -a jobs cannot be combined with a distributed crawl (REDIS_URL)",
                             print_help=False)
        replay = ParallelReplay(self.settings, spider_class, spargs, given["jobs"])  # UsageError: a feed it cannot write
        return replay if self._feeds_writable(name) else None

    def end_worker(self) -> None:
        """A forked process's end, once its crawl and its files are closed: flush the logs and leave at once.

        Python's own shutdown frees every object one by one, and in a forked process that first copies every
        memory page still shared with the parent: ~0.3 s of CPU and more of waiting on a busy machine, on the
        replay's critical path, for nothing that anyone reads (the parent reads the files already closed).
        """
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(self.exitcode)
