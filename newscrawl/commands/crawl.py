"""`scrapy crawl` that checks the spider's -a arguments before the reactor starts.

Scrapy builds the spider inside the running crawl, where an exception becomes a traceback and exit code 0. A wrong
argument deserves one clear line and exit code 2, so we validate here first, through the spider's own spec.
"""

from __future__ import annotations

import argparse
from typing import Any

from pathlib import Path

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from newscrawl.spiders.base import COMMON_ARGS, NewsSpiderBase, parse_arguments
from newscrawl.state.store import StateError, StateStore


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args and self.crawler_process is not None:
            try:
                spider_class: Any = self.crawler_process.spider_loader.load(args[0])
            except KeyError:
                spider_class = None
            if isinstance(spider_class, type) and issubclass(spider_class, NewsSpiderBase):
                given = parse_arguments(spider_class.name, {**COMMON_ARGS, **spider_class.ARGS}, dict(opts.spargs))
                self._check_state(spider_class.name, replaying="replay" in given)
        super().run(args, opts)

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
