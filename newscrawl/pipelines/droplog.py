"""Log a dropped or failed item in one line: why, and which URL — never the item's repr with its whole body.

Scrapy's default LogFormatter prints the item after the reason; with a 5 kB body per article that buries the log.
The counts stay where Scrapy keeps them (item_dropped_reasons_count/<Class>).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from scrapy.exceptions import DropItem
from scrapy.logformatter import LogFormatter, LogFormatterResult

from newscrawl.scratchdb import ScratchSpaceFull


class NoScratchSpace(DropItem):
    """An item a pipeline could not remember (its scratch database's folder is full) while the crawl stops
    (monitoring/scratch.py): one line each, counted by this reason, where an item error logs a traceback. Nothing is
    recorded in the state for it, so the next run fetches it again."""


@contextmanager
def dropped_when_scratch_space_runs_out(url: str) -> Iterator[None]:
    """Around a pipeline's use of a scratch database for the item at `url`."""
    try:
        yield
    except ScratchSpaceFull as error:
        raise NoScratchSpace(f"{url}: {error}") from error


def _where(item: Any) -> str:
    url = getattr(item, "url", None) or (item.get("url") if isinstance(item, dict) else None)
    return str(url) if url else "(no URL)"


class OneLineLogFormatter(LogFormatter):
    """LOG_FORMATTER: drops and item errors as "Dropped (Reason): message" / "Item error on URL: …"."""

    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any) -> LogFormatterResult:
        result = super().dropped(item, exception, response, spider)
        message = str(exception) or _where(item)
        return {"level": result["level"], "msg": "Dropped (%(reason)s): %(message)s",
                "args": {"reason": type(exception).__name__, "message": message}}

    def item_error(self, item: Any, exception: BaseException, response: Any, spider: Any) -> LogFormatterResult:
        return {"level": logging.ERROR, "msg": "Item error in a pipeline on %(url)s (%(error)s)",
                "args": {"url": _where(item), "error": f"{type(exception).__name__}: {exception}"}}
