"""The gone article pages of distributed crawls' Redis state: the one format of an entry, and their reading for
`newscrawl status` and `newscrawl report`.

The workers keep them in one hash per spider, `<prefix>:<spider>:articles:gone`, article key → a GoneArticle as
JSON (gone_entry). The workers (state.py's RedisStateStore) and status read an entry with the one parser here
(gone_record), so what a worker takes for a gone record is what status shows as one, and an entry that is none
costs only itself on both sides. Reading them for status needs no run and no worker, only the server, so an
operator sees what a distributed crawl skips as gone as a single-process crawl's state file shows it
(state/store.py read_gone).
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from typing import Any

import redis
from scrapy.crawler import Crawler

from newscrawl.distributed.keys import GONE_SUFFIX, KEY_PREFIX, RunKeys
from newscrawl.state.store import GoneArticle, GoneRecords, summarise_gone

logger = logging.getLogger(__name__)


def read_gone(server: redis.Redis, spider: str | None, latest: int, where: str) -> dict[str, GoneRecords]:
    """The gone pages of each spider's Redis state (that spider's only, when given), by spider, for `newscrawl
    status`: counted per site, the `latest` most recently found gone. Read-only, with plain reads (HSCAN) while
    workers write. `where` names the server in GoneRecords.source (a URL without its password). An entry that is not
    a gone record costs only itself: it is left out and named in `unreadable`, as a key of another type is.
    Raises RedisError when the server cannot be read at all."""
    if spider is not None:
        keys = [(RunKeys(spider, "").articles + GONE_SUFFIX).encode()]
    else:
        keys = sorted(server.scan_iter(match=f"{KEY_PREFIX}:*:articles{GONE_SUFFIX}", count=1000))
    records: dict[str, GoneRecords] = {}
    for raw_key in keys:
        key = shown(raw_key)
        name = key.removeprefix(f"{KEY_PREFIX}:").removesuffix(f":articles{GONE_SUFFIX}")
        pages: list[GoneArticle] = []
        bad: list[str] = []
        why: str | None = None
        try:
            for field, raw in server.hscan_iter(raw_key, count=1000):
                page = gone_record(raw)
                if page is None:
                    bad.append(shown(field))
                else:
                    pages.append(page)
        except redis.ResponseError as error:  # WRONGTYPE: not a hash
            why = str(error)
        if bad:
            why = (f"{len(bad)} of its {len(bad) + len(pages)} entries {'is' if len(bad) == 1 else 'are'} not a gone "
                   f"record: {', '.join(sorted(bad)[:5])}{' …' if len(bad) > 5 else ''}")
        if pages or why:
            if why:
                logger.warning("Cannot read %(what)s of %(key)s at %(where)s: %(why)s",
                               {"what": "part" if pages else "the gone pages", "key": key, "where": where, "why": why})
            records[name] = summarise_gone(pages, latest, source=f"{where} {key}", shared=True, unreadable=why)
    return records


def shown(value: Any) -> str:
    """A Redis key or field as text to show (bytes that are not UTF-8 too: it only names them)."""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def gone_entry(page: GoneArticle) -> str:
    """One entry of the gone hash: the page as a JSON object of GoneArticle's fields (gone_record reads it)."""
    return json.dumps(asdict(page))


def gone_record(raw: Any) -> GoneArticle | None:
    """One entry of the gone hash as gone_entry writes it; None for anything else (not JSON, not UTF-8, other
    fields, a field of another type): an entry damaged by hand, by another program or another release."""
    try:
        row = json.loads(raw)
        page = GoneArticle(**row)
    except (ValueError, TypeError, RecursionError):  # not JSON, not UTF-8, not an object of those fields
        return None
    strings = (page.key, page.url, page.first_gone, page.last_tried)
    if not all(isinstance(value, str) for value in strings) or isinstance(page.times, bool) \
            or not isinstance(page.times, int) or not isinstance(page.signal, (str, type(None))):
        return None
    return page


DAMAGED_STAT = "newscrawl/distributed/damaged_gone_entry"
"""Entries of a gone hash a worker found damaged and took for no gone page, each counted once."""


class DamagedEntries:
    """The entries of one gone hash a worker found damaged (gone_record: not a gone record). A damaged entry must not
    stop a crawl: the worker takes the page for not gone, and each such entry is one warning line naming it and one
    count in the crawl's stats (DAMAGED_STAT), however often the page is asked about."""

    def __init__(self, hash_key: str, crawler: Crawler | None) -> None:
        self.hash_key = hash_key
        self.crawler = crawler
        """The crawl whose stats count them (read when counting: a worker's state opens before its stats exist);
        None outside a crawl."""
        self.keys: set[str] = set()

    def note(self, key: str, raw: Any) -> None:
        if key in self.keys:
            return
        self.keys.add(key)
        logger.warning("Damaged gone entry %(key)s in Redis hash %(hash)s is not a gone record (%(raw)s): the page "
                       "is taken for not gone, fetched, and recorded afresh if it is gone again",
                       {"key": key, "hash": self.hash_key, "raw": _excerpt(raw)})
        if self.crawler is not None:
            self.crawler.stats.inc_value(DAMAGED_STAT)


def _excerpt(raw: Any, limit: int = 80) -> str:
    """The start of a damaged value, as a Python literal: enough to recognise it, never a screenful.

    >>> _excerpt(b"not JSON"), len(_excerpt("x" * 100))
    ("b'not JSON'", 83)
    """
    return repr(raw[:limit]) + ("…" if len(raw) > limit else "")
