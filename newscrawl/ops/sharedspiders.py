"""Which spiders a Redis holds the distributed state of, for `newscrawl status --spider NAME` and `newscrawl report
--spider NAME`.

Distributed workers may run where this machine's project and output folder are not: their reports are written on
their own machines, and their spider may be no spider of the project at hand. What this machine can see of them is
the state they share in Redis, so a spider whose keys that Redis holds (distributed/keys.py, spider_of: a current
run, seen articles, their aliases, gone pages) is a known spider, and its status says where its state is.
"""

from __future__ import annotations

from dataclasses import dataclass

from newscrawl.distributed.keys import KEY_PREFIX, spider_of


@dataclass(frozen=True)
class SharedSpiders:
    """The spiders a Redis holds the distributed state of (spiders_in_redis)."""

    spiders: tuple[str, ...] = ()
    where: str = ""
    """The Redis URL without its password, as status names it everywhere."""
    unreadable: str | None = None
    """Why the Redis could not be read (one line naming the URL); then `spiders` is empty."""


def spiders_in_redis(url: str) -> SharedSpiders:
    """The spiders whose distributed state the Redis at `url` holds (a current run, seen articles, gone pages:
    keys.spider_of), read-only; for --spider, which takes a spider whose workers write their reports on other
    machines. A Redis that cannot be used holds none, and says why in the one line connection.py gives; nothing is
    logged, as the caller adds that line to its own."""
    try:
        import redis  # the distributed extra, as for status.read_shared_gone

        from newscrawl.distributed import DistributedSetupError
        from newscrawl.distributed.connection import connect, redacted, unusable
    except ImportError as error:
        return SharedSpiders(where="Redis (REDIS_URL)", unreadable=f"{error.name} is not installed: pip install "
                                                                  "'newscrawl[distributed]'")
    try:
        keys = connect(url).scan_iter(match=f"{KEY_PREFIX}:*", count=1000)
        names = {spider_of(key.decode("utf-8", "replace") if isinstance(key, bytes) else str(key)) for key in keys}
    except DistributedSetupError as error:  # connect's check: one line naming the URL and what is there
        return SharedSpiders(where=redacted(url), unreadable=str(error))
    except redis.RedisError as error:
        return SharedSpiders(where=redacted(url), unreadable=str(unusable(url, error)))
    return SharedSpiders(tuple(sorted(name for name in names if name)), redacted(url))
