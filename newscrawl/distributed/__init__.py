"""Distributed crawling: several `scrapy crawl` workers, on one or many machines, share one frontier in Redis.

Switched on by settings only: `-s REDIS_URL=redis://host:6379/0` or the environment variable
NEWSCRAWL_REDIS_URL. Without either, nothing here is imported beyond this module and a crawl is the usual
single-process one. Who does what (README, "Distributed crawling"):

  connection.py   connecting, and one line naming the URL and what is there when Redis cannot be used
  frontier.py     the Redis key layout of a run, its Lua scripts (leases, reaping, finishing) and the discovery trail
  scheduler.py    scrapy-redis's scheduler, queue and dupefilter, adapted to Scrapy 2.19 and to leases
  fingerprint.py  request fingerprints by article key (devdiscourse:<NewsId>), so every URL form dedupes to one
  serializer.py   JSON (not pickle) for requests queued in Redis
  state.py        the seen-article state shared in Redis, in place of the per-machine SQLite file
  gone.py         the one format of its gone entries (workers and status parse them alike), read for status
  worker.py       the worker extension: heartbeat, start messages (`newscrawl enqueue`), idle wait and timeout
  addon.py        the Scrapy add-on that swaps all of the above in when a Redis URL is set
  enqueue.py      start messages and `newscrawl enqueue`
  merge.py        `newscrawl merge`: one de-duplicated feed from the workers' feeds
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newscrawl.distributed.frontier import Frontier

REDIS_URL_ENV = "NEWSCRAWL_REDIS_URL"


class DistributedSetupError(RuntimeError):
    """Distributed mode was asked for (a Redis URL is set) but cannot start; the message says what to do."""


def redis_url(settings: Any) -> str | None:
    """The Redis URL that switches distributed mode on: the REDIS_URL setting, else $NEWSCRAWL_REDIS_URL."""
    value = str(settings.get("REDIS_URL") or os.environ.get(REDIS_URL_ENV) or "").strip()
    return value or None


def check_reachable(settings: Any) -> None:
    """DistributedSetupError, naming the URL, when a Redis URL is set but that Redis cannot be used (not installed,
    unreachable, not Redis, a password missing: connection.py): asked by the crawl command before the crawl starts,
    where the error is one line. connection.check: a server that never answers is named in seconds."""
    url = redis_url(settings)
    if url is not None:
        _needing_redis("connection").check(url)


def _needing_redis(module: str) -> Any:
    """A module of this package that imports redis-py (and scrapy-redis): its missing extra is one clear error."""
    try:
        return importlib.import_module(f"{__name__}.{module}")
    except ImportError as error:
        raise DistributedSetupError(f"a Redis URL is set ({REDIS_URL_ENV} or REDIS_URL) but {error.name} is not "
                                    "installed: pip install 'newscrawl[distributed]'") from None


def attach_frontier(spider: Any, crawler: Any) -> Frontier | None:
    """Join this worker to the shared run in Redis, or return None for a single-process crawl.

    Called from NewsSpiderBase.from_crawler, before the crawl state is opened: it renames the worker's crawl id to
    `<run id>-<worker id>` (so feed, WARC and run report names carry the worker) and registers the worker.
    Replays always run in one process: they read an archive, not a frontier.
    """
    url = redis_url(crawler.settings)
    if url is None or getattr(spider, "mode", "live") == "replay":
        return None
    frontier: Frontier = _needing_redis("frontier").Frontier.join(spider, crawler.settings, url)
    return frontier
