"""One process's share of a parallel replay (`-a jobs=N`, newscrawl/parallel/): which released articles it fetches.

Every process of a parallel replay replays discovery in full (it is a few per cent of the work and deterministic), so
each knows the one-process release order. The articles are then dealt out by their place in that order: article r
goes to process r mod N. The others are only marked as seen by the scheduler's duplicate filter, as they are in a
one-process run, so a redirect to one of them is dropped exactly as it would be there. Each kept request carries its
place (META_RANK), which the parent uses to put every process's items back into the one-process order.
"""

from __future__ import annotations

from typing import Any

from scrapy.http import Request

META_RANK = "newscrawl_release_rank"
"""(release batch, place in the batch) of an article request: the one-process order of its item."""
SHARD_SETTING = "NEWSCRAWL_SHARD"
"""Internal: "i/N" on the command line of process i of a parallel replay (set by newscrawl/parallel/run.py)."""


class Shard:
    """Process `index` of `count`: decides, for each released article request in release order, whether it is ours."""

    def __init__(self, index: int, count: int) -> None:
        if not 0 <= index < count:
            raise ValueError(f"shard {index}/{count} does not exist")
        self.index, self.count = index, count
        self.batch = -1
        self._place = 0
        self.stats_at_release: dict[str, Any] | None = None
        """The crawl's stats just before the first article was dealt out: what every process counted alike."""

    @classmethod
    def from_settings(cls, settings: Any) -> Shard | None:
        value = settings.get(SHARD_SETTING)
        if not value:
            return None
        index, _, count = str(value).partition("/")
        return cls(int(index), int(count))

    def begin_batch(self, stats: Any) -> None:
        """A release starts: its requests are numbered from 0 (a replay normally releases once, after discovery)."""
        if self.stats_at_release is None:
            self.stats_at_release = dict(stats.get_stats())
        self.batch += 1
        self._place = 0

    def keeps(self, request: Request, scheduler: Any = None) -> bool:
        """Number the request; True when this process fetches it, else it is only marked seen for the dupefilter."""
        place, self._place = self._place, self._place + 1
        request.meta[META_RANK] = (self.batch, place)
        if place % self.count == self.index:
            return True
        dupefilter = getattr(scheduler, "df", None)
        if dupefilter is not None and not request.dont_filter:
            dupefilter.request_seen(request)
        return False
