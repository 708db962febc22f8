"""Log a dropped or failed item in one line: why, and which URL — never the item's repr with its whole body.

Scrapy's default LogFormatter prints the item after the reason; with a 5 kB body per article that buries the log.
The counts stay where Scrapy keeps them (item_dropped_reasons_count/<Class>).
"""

from __future__ import annotations

import errno
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


DISK_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)
"""An OSError with one of these is a full disk (or a user's full quota): it stops the crawl."""


class NoDiskSpace(DropItem):
    """An item a pipeline could not finish on a full disk (the language tables unpacked into a full temporary
    folder): one line each, counted by this reason, where an item error logs a traceback (82 of them on the 41-page
    sample). The disk-full guard (monitoring/scratch.py) stops the crawl on the first; the original error is the
    drop's cause. Nothing is recorded in the state for the item, so the next run fetches it again."""


@contextmanager
def dropped_when_the_disk_is_full(url: str) -> Iterator[None]:
    """Around a pipeline's step that may write to disk, for the item at `url`."""
    try:
        yield
    except OSError as error:
        if error.errno not in DISK_FULL_ERRNOS:
            raise
        raise NoDiskSpace(f"{url}: {error}") from error


def url_of(item: Any) -> str:
    """The item's URL for a log line, or "(no URL)"."""
    url = getattr(item, "url", None) or (item.get("url") if isinstance(item, dict) else None)
    return str(url) if url else "(no URL)"


class OneLineLogFormatter(LogFormatter):
    """LOG_FORMATTER: drops and item errors as "Dropped (Reason): message" / "Item error on URL: …"."""

    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any) -> LogFormatterResult:
        result = super().dropped(item, exception, response, spider)
        message = str(exception) or url_of(item)
        return {"level": result["level"], "msg": "Dropped (%(reason)s): %(message)s",
                "args": {"reason": type(exception).__name__, "message": message}}

    def item_error(self, item: Any, exception: BaseException, response: Any, spider: Any) -> LogFormatterResult:
        return {"level": logging.ERROR, "msg": "Item error in a pipeline on %(url)s (%(error)s)",
                "args": {"url": url_of(item), "error": f"{type(exception).__name__}: {exception}"}}
