"""The gone article pages of distributed crawls' Redis state, read for `newscrawl status` and `newscrawl report`.

The workers keep them as state.py's RedisStateStore writes them: one hash per spider,
`<prefix>:<spider>:articles:gone`, article key → a GoneArticle as JSON. Reading them needs no run and no worker,
only the server, so an operator sees what a distributed crawl skips as gone as a single-process crawl's state file
shows it (state/store.py read_gone).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import redis

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
        key = _shown(raw_key)
        name = key.removeprefix(f"{KEY_PREFIX}:").removesuffix(f":articles{GONE_SUFFIX}")
        pages: list[GoneArticle] = []
        bad: list[str] = []
        why: str | None = None
        try:
            for field, raw in server.hscan_iter(raw_key, count=1000):
                page = _gone_record(raw)
                if page is None:
                    bad.append(_shown(field))
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


def _shown(value: Any) -> str:
    """A Redis key or field as text to show (bytes that are not UTF-8 too: it only names them)."""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _gone_record(raw: Any) -> GoneArticle | None:
    """One entry of the gone hash as RedisStateStore.record_gone writes it; None for anything else."""
    try:
        row = json.loads(raw)
        page = GoneArticle(**row)
    except (ValueError, TypeError):  # not JSON, not UTF-8, not an object of those fields
        return None
    strings = (page.key, page.url, page.first_gone, page.last_tried)
    if not all(isinstance(value, str) for value in strings) or isinstance(page.times, bool) \
            or not isinstance(page.times, int) or not isinstance(page.signal, (str, type(None))):
        return None
    return page
