"""The checks `scrapy crawl` makes before Scrapy starts (commands/crawl.py): the spider's -a arguments (and the
settings they are read with), the feeds' formats and folders, the state folder and Redis. Each refusal is one line
naming what is wrong: exit 2 for a usage error, 1 for a folder that cannot be written (docs/operating.md, "Signals,
failures and exit codes").
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from newscrawl.archive.budget import BadUnpackSetting, UnpackLimits
from newscrawl.distributed import DistributedSetupError, check_reachable
from newscrawl.files import cannot_write
from newscrawl.processes import EXIT_FAILED, EXIT_USAGE, typed_command
from newscrawl.spiders.arguments import common_args, parse_arguments
from newscrawl.spiders.base import NewsSpiderBase
from newscrawl.state.gone import BadGoneSetting, GoneSchedule


class _AnyValue(dict[str, str]):
    """Fills a feed URI's %(name)s with the spider name and any other placeholder with a stand-in value."""

    def __init__(self, spider: str) -> None:
        super().__init__(name=spider)

    def __missing__(self, key: str) -> str:
        return "probe"


class CrawlChecks:
    """Mixin of the crawl command (which provides the settings and the exit code)."""

    settings: Any
    exitcode: int

    spider_class: type[NewsSpiderBase] | None = None
    """The newscrawl spider asked for (None for any other spider, or an unknown name: Scrapy says so)."""
    given: dict[str, Any] = {}
    """Its -a arguments, checked and converted (spiders/arguments.py)."""

    @staticmethod
    def _usage_error(spider: str, message: str) -> None:
        """A usage error is one line and exit 2, whatever found it (Scrapy's own parser prints its usage block first,
        under the program name `python -m scrapy` gives it: __main__.py). It names the command the user typed, as
        every line of the crawl command does (typed_command)."""
        print(f"{typed_command(spider)}: error: {message}", file=sys.stderr)
        sys.exit(EXIT_USAGE)

    def _check_arguments(self, args: list[str], opts: argparse.Namespace) -> bool:
        """Check the spider's name and a newscrawl spider's -a arguments (UsageError); False for any other spider,
        whose arguments are left to Scrapy."""
        if self.settings is None:
            return False
        loader = get_spider_loader(self.settings)
        _check_spider_name(args, sorted(loader.list()))
        spider_class: Any = loader.load(args[0])
        if not (isinstance(spider_class, type) and issubclass(spider_class, NewsSpiderBase)):
            return False
        try:  # before the arguments: -a replay is unpacked as it is read, within these limits
            limits = UnpackLimits.from_settings(self.settings)
        except BadUnpackSetting as error:
            raise UsageError(str(error), print_help=False) from None
        given = parse_arguments(spider_class.name, {**common_args(limits), **spider_class.ARGS}, dict(opts.spargs))
        missing = spider_class.missing_source(given)
        if missing and not self._distributed():  # a Redis worker gets its work from `newscrawl enqueue`
            raise UsageError(missing, print_help=False)
        conflict = spider_class.conflicting_arguments(given)
        if conflict:
            raise UsageError(conflict, print_help=False)
        try:  # read again by the spider's open_state, where a bad value would be a traceback inside the crawl
            GoneSchedule.from_settings(self.settings)
        except BadGoneSetting as error:
            raise UsageError(str(error), print_help=False) from None
        self.spider_class, self.given = spider_class, given
        return True

    def _expand_home(self) -> None:
        """A leading ~ of a local feed's path (-o/-O, FEEDS) and of the log file (--logfile, LOG_FILE) is the home
        folder, as in -a replay=~/x (spiders/arguments.py:given_path). Quoted, or after `=`, the shell leaves it:
        Scrapy then made a folder named `~` in the working folder while its log said `Stored … in: ~/items.jsonl`."""
        if self.settings is None:
            return
        feeds = self.settings.getdict("FEEDS")
        if any(str(uri).startswith("~") for uri in feeds):
            self.settings.set("FEEDS", {_home(str(uri)): options for uri, options in feeds.items()},
                              priority=self.settings.getpriority("FEEDS") or "cmdline")
        log_file = self.settings.get("LOG_FILE")
        if isinstance(log_file, str) and log_file.startswith("~"):
            self.settings.set("LOG_FILE", _home(log_file), priority=self.settings.getpriority("LOG_FILE") or "cmdline")

    def _check_feed_formats(self, spider: str) -> None:
        """A feed its format cannot write is a usage error before the crawl: `-o` (append) onto an existing Parquet
        file, which would get no items while the log said it was stored (parquet.py keeps the file intact)."""
        for text, options, path in self._local_feeds(spider):
            if options.get("format") != "parquet" or options.get("overwrite"):
                continue
            if path.is_file() and path.stat().st_size > 0:
                raise UsageError(f"-o {text}: a Parquet file cannot be appended to, and {path} exists; use -O to "
                                 "overwrite it, or a new name (e.g. %(time)s in the feed URI)", print_help=False)

    def _check_redis(self, spider: str) -> None:
        """A distributed worker whose Redis cannot be used stops here in one line (exit 2, as `newscrawl enqueue`),
        not in a traceback from inside the starting crawl."""
        if self.spider_class is None or "replay" in self.given or self.settings is None:
            return
        try:
            check_reachable(self.settings)
        except DistributedSetupError as error:
            print(f"{typed_command(spider)}: not started, {error}", file=sys.stderr)
            sys.exit(EXIT_USAGE)

    def _local_feeds(self, spider: str) -> Iterator[tuple[str, dict[str, Any], Path]]:
        """Each feed written to a local file: its URI as given, its options, its path (placeholders filled). S3,
        FTP, standard output…: Scrapy's own storage reports those."""
        for uri, options in (self.settings.getdict("FEEDS") if self.settings is not None else {}).items():
            text = str(uri)
            if ("://" in text and not text.startswith("file://")) or text.startswith("stdout:"):
                continue
            yield text, options or {}, Path(text.removeprefix("file://") % _AnyValue(spider))

    def _feeds_writable(self, spider: str) -> bool:
        """Every local feed's folder can be written: else one line and exit 1 before the crawl, instead of Scrapy's
        traceback for every item and an exit code 0 with the feed silently missing."""
        return not any(self._refused(spider, f"the feed {text}", path) for text, _, path in self._local_feeds(spider))

    def _state_writable(self, spider: str, replaying: bool) -> bool:
        """The state folder can be written (one line and exit 1 when not, like the feed folder)."""
        settings = self.settings
        if replaying or settings is None or not settings.getbool("NEWSCRAWL_STATE_ENABLED", True):
            return True
        path = Path(settings.get("NEWSCRAWL_STATE_DIR", "output/state")) / f"{spider}.sqlite"
        # SQLite writes its -wal and -shm beside it
        return not any(self._refused(spider, f"the state {path}", target)
                       for target in (path, path.with_name(path.name + "-wal")))

    def _refused(self, spider: str, what: str, target: Path) -> bool:
        """Whether `target` cannot be written; if so, one line naming `what` and the folder that refuses it, and
        exit 1."""
        refused = cannot_write(target)
        if refused:
            print(f"{typed_command(spider)}: not started, cannot write {what} in {refused[0]}: {refused[1]}",
                  file=sys.stderr)
            self.exitcode = EXIT_FAILED
        return refused is not None

    def _distributed(self) -> bool:
        return bool((self.settings is not None and self.settings.get("REDIS_URL"))
                    or os.environ.get("NEWSCRAWL_REDIS_URL"))


def _check_spider_name(args: list[str], known: list[str]) -> None:
    """One spider the project has, and nothing else left on the command line; else a UsageError naming what is wrong
    and the spiders there are. Scrapy's own were a 42-line KeyError traceback and exit 1 for a mistyped name, its
    whole help page for none, and an option it does not know (left among the words by its parser) was taken for a
    second spider ("more than one spider is not supported")."""
    spiders = f"known: {', '.join(known) or 'none'}"
    options = [arg for arg in args if arg.startswith("-") and arg != "-"]
    if options:
        raise UsageError(f"unrecognized arguments: {' '.join(options)}", print_help=False)
    if not args:
        raise UsageError(f"no spider given ({spiders})", print_help=False)
    if len(args) > 1:
        raise UsageError(f"one spider at a time, got {len(args)}: {' '.join(args)} ({spiders})", print_help=False)
    if args[0] not in known:
        raise UsageError(f"unknown spider {args[0]!r} ({spiders})", print_help=False)


def _home(path: str) -> str:
    """`path` with a leading ~ or ~user expanded, as the shell would have; anything else as it is.

    >>> _home("~/items.jsonl") == os.path.join(os.path.expanduser("~"), "items.jsonl"), _home("s3://b/~/x.jsonl")
    (True, 's3://b/~/x.jsonl')
    """
    return os.path.expanduser(path) if path.startswith("~") else path
