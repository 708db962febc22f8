"""One process's share of a parallel replay (`-a jobs=N`, newscrawl/parallel/): which released articles it fetches.

Every process of a parallel replay replays discovery in full (it is a few per cent of the work and deterministic), so
each knows the one-process release order. The articles are then dealt out by their place in that order: article r
goes to process r mod N. The others are only marked as seen by the scheduler's duplicate filter, as they are in a
one-process run, so a redirect to one of them is dropped exactly as it would be there. Each request carries the
place the one-process scheduler would hand it out at (META_RANK), which the parent sorts every process's items by.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from scrapy.http import Request

META_RANK = "newscrawl_release_rank"
"""(release batch, place in the batch) of an article request: the one-process order of its item."""
SHARD_SETTING = "NEWSCRAWL_SHARD"
"""Internal: "i/N" on the command line of process i of a parallel replay (set by newscrawl/parallel/run.py)."""


class Shard:
    """Process `index` of `count`: deals out the released article requests, each with its one-process place."""

    def __init__(self, index: int, count: int) -> None:
        if not 0 <= index < count:
            raise ValueError(f"shard {index}/{count} does not exist")
        self.index, self.count = index, count
        self.batch = -1
        self.stats_at_release: dict[str, Any] | None = None
        """The crawl's stats just before the first article was dealt out: what every process counted alike."""
        self.on_deal: Callable[[int], None] | None = None
        """Told each new batch's number before it is dealt (the recorder marks the merge's progress)."""

    @classmethod
    def from_settings(cls, settings: Any) -> Shard | None:
        value = settings.get(SHARD_SETTING)
        if not value:
            return None
        index, _, count = str(value).partition("/")
        return cls(int(index), int(count))

    def deal(self, release: Iterable[tuple[str, Request]], stats: Any, scheduler: Any,
             redirect_chain: Callable[[str], list[str]] | None = None) -> list[tuple[str, Request]]:
        """This process's share of one release (in release order); every request is stamped with its place.

        The place is where the one-process run's scheduler would hand the request out: the same scheduler queue
        (its class and its state: in a replay, by priority, then last-in first-out; archive/replay.py) is
        filled with the whole release and emptied again, before anything is scheduled for real.

        `redirect_chain` (the replay's archive: where a URL's archived answers redirect it) lets this process see
        the pages other processes' requests will reach through redirects, as one process sees them (see
        _mark_redirect_targets).
        """
        released = list(release)  # the whole release: its one-process order depends on all of it
        if self.stats_at_release is None:
            self.stats_at_release = dict(stats.get_stats())
        self.batch += 1
        if self.on_deal is not None:
            self.on_deal(self.batch)
        places = _one_process_places([request for _, request in released], scheduler)
        mine: list[tuple[str, Request]] = []
        dupefilter = getattr(scheduler, "df", None)
        for number, (key, request) in enumerate(released):
            request.meta[META_RANK] = (self.batch, places[number])
            if number % self.count == self.index:
                mine.append((key, request))
            elif dupefilter is not None and not request.dont_filter:
                dupefilter.request_seen(request)  # as in one process: a redirect to it is a duplicate
        if redirect_chain is not None and dupefilter is not None:
            self._mark_redirect_targets(released, places, redirect_chain, dupefilter)
        return mine

    def _mark_redirect_targets(self, released: list[tuple[str, Request]], places: list[int],
                               redirect_chain: Callable[[str], list[str]], dupefilter: Any) -> None:
        """Mark as seen the pages other processes' requests of this release reach through redirects.

        In one process a release is queued whole, so its requests' own URLs are seen first; the pages their
        redirects lead to are seen as the redirects are answered, in scheduler order, and a later request reaching
        one again (a redirect, or the page's own request in a later release) is a duplicate. Here each such page
        belongs to the first request, by place, whose redirects reach it: when that request is another process's,
        the page is marked seen, so this process neither fetches it again nor lets its own later redirect reach
        it; when it is this process's own, the request fetches it as one process would. A page that is itself a
        request of the release was seen when the release was queued, in one process as here.
        """
        queued = {request.url for _, request in released}
        owners: dict[str, int] = {}  # page → the number (release position) of the first request reaching it
        for number in sorted(range(len(released)), key=places.__getitem__):
            request = released[number][1]
            if request.dont_filter:
                continue
            for target in redirect_chain(request.url):
                if target not in queued:
                    owners.setdefault(target, number)
        for target, number in owners.items():
            if number % self.count != self.index:
                dupefilter.request_seen(released[number][1].replace(url=target))


def _one_process_places(requests: list[Request], scheduler: Any) -> list[int]:
    """For each request (in release order), its place in the order the scheduler's memory queue hands them out."""
    queue = getattr(scheduler, "mqs", None)
    if queue is None or len(queue):  # not Scrapy's scheduler, or not idle: release order is the best we know
        return list(range(len(requests)))
    for request in requests:
        queue.push(request)
    handed_out = {id(queue.pop()): place for place in range(len(requests))}
    return [handed_out[id(request)] for request in requests]
