"""One run's shared frontier in Redis: worker leases, the run's life cycle and the discovery trail.

A *run* is what a set of workers crawls together. `<prefix>:<spider>:run` names the current run; the first worker
or `newscrawl enqueue` to find it empty starts one. Workers started first wait in that run, without a time limit,
until it gets its first work (`enqueue --new-run` gives a run that has never had work its first work, see
enqueue.py); the idle timeout counts only once a run that had work has drained. The run's keys are
laid out in keys.py.

Why leases: scrapy-redis pops destructively, so a worker killed with requests in hand would lose them. Here a pop
moves the request into `leases` in one Lua script; the worker deletes the lease when the request is completely
processed (items exported, follow-up requests queued). Any worker whose heartbeat is older than the lease timeout
is dead: the next worker to reap (every heartbeat and every idle check) puts its leases back on the queue, again
in one script, so two reapers never re-queue twice.

A run ends when a worker has seen it drained (no queued request, no lease, no start message) for its idle
timeout: `finish()` deletes the run's keys atomically, and the other workers of the run leave when they notice.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import redis
from scrapy.http import Request
from scrapy.crawler import Crawler

from newscrawl.distributed import DistributedSetupError, scripts
from newscrawl.distributed.connection import connect, redacted, unusable
from newscrawl.distributed.keys import RunKeys, current_run_key, text
from newscrawl.distributed.state import RedisStateStore, RunIncremental
from newscrawl.items import Discovery
from newscrawl.meta import new_crawl_id
from newscrawl.state.gone import GoneSchedule
from newscrawl.state.incremental import Incremental, newest_claim

logger = logging.getLogger(__name__)

WORKER_ID_ENV = "NEWSCRAWL_WORKER_ID"
DEFAULT_LEASE_TIMEOUT = 30.0

def worker_id(settings: Any) -> str:
    """NEWSCRAWL_WORKER_ID (setting or environment), else `<host>-<pid>`; reduced to a safe file-name part.

    >>> worker_id({"NEWSCRAWL_WORKER_ID": "crawler 2.example.org"})
    'crawler-2.example.org'
    """
    raw = settings.get("NEWSCRAWL_WORKER_ID") or os.environ.get(WORKER_ID_ENV) or \
        f"{socket.gethostname().split('.')[0]}-{os.getpid()}"
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "-", str(raw)).strip("-.")
    if not cleaned:
        raise DistributedSetupError(f"worker id {raw!r} has no usable characters; use letters, digits, . _ -")
    return cleaned


def join_run(server: redis.Redis, spider: str, new_run_id: str) -> str:
    """The current run of `spider`, starting `new_run_id` when there is none."""
    key = current_run_key(spider)
    while True:
        server.set(key, new_run_id, nx=True)
        current = text(server.get(key))
        if current is not None:  # None only if the run finished between the two calls: try again
            return current


class Frontier:
    """One worker's handle on the run it belongs to."""

    def __init__(self, server: redis.Redis, keys: RunKeys, worker: str, *,
                 lease_timeout: float = DEFAULT_LEASE_TIMEOUT) -> None:
        self.server = server
        self.keys = keys
        self.worker = worker
        self.lease_timeout = lease_timeout
        self.left = False
        self._enqueue = server.register_script(scripts.ENQUEUE)
        self._pop_request = server.register_script(scripts.POP_REQUEST)
        self._pop_start = server.register_script(scripts.POP_START)
        self._heartbeat = server.register_script(scripts.HEARTBEAT)
        self._reap = server.register_script(scripts.REAP)
        self._leave = server.register_script(scripts.LEAVE)
        self._finish = server.register_script(scripts.FINISH)
        self._append_discovery = server.register_script(scripts.APPEND_DISCOVERY)

    @classmethod
    def join(cls, spider: Any, settings: Any, url: str) -> Frontier:
        """Connect, join (or start) the spider's current run, register this worker and name its outputs.

        DistributedSetupError when Redis cannot be used, also when it goes away during the join (after the crawl
        command's check said it was there): the crawl command says that in one line, as it says its check's."""
        server = connect(url)
        try:
            run_id = join_run(server, spider.name, new_crawl_id(datetime.now(timezone.utc)))
            keys = RunKeys(spider.name, run_id)
            # A worker id that joined this run before (a restart after a kill, or a copy-pasted id) gets a suffix,
            # so it never overwrites its earlier incarnation's feed and WARC, nor gives back a live namesake's leases.
            requested = worker_id(settings)
            joined = int(server.hincrby(keys.names, requested, 1))
            frontier = cls(server, keys, requested if joined == 1 else f"{requested}.{joined}",
                           lease_timeout=settings.getfloat("NEWSCRAWL_DISTRIBUTED_LEASE_TIMEOUT",
                                                           DEFAULT_LEASE_TIMEOUT))
            frontier.heartbeat()
        except redis.RedisError as error:
            raise unusable(url, error) from None
        # Feeds, WARCs and run reports are named after the crawl id: `<run>-<worker>` keeps every worker's apart.
        spider.crawl_id = spider.feed_name = f"{run_id}-{frontier.worker}"
        logger.info("Worker %(worker)s joined run %(run)s on %(redis)s",
                    {"worker": frontier.worker, "run": run_id, "redis": redacted(url)})
        return frontier

    # ---- leases -------------------------------------------------------------------------------------------------
    def enqueue(self, fingerprint: str, score: float, data: bytes) -> bool:
        """Mark a request seen in the run and queue it in one step; False when it was seen already. Two steps (the
        dupefilter's SADD, then the queue's ZADD) lost the request to a worker killed between them: marked seen,
        never queued, so no worker of the run would fetch it."""
        return bool(self._enqueue(keys=[self.keys.dupefilter, self.keys.requests], args=[fingerprint, score, data]))

    def pop_request(self) -> tuple[str, bytes] | None:
        """Take the highest-priority request and lease it to this worker: (lease id, serialized request)."""
        found = self._pop_request(keys=[self.keys.requests, self.keys.leases], args=[self.worker])
        return (found[0].decode(), found[1]) if found else None

    def pop_start(self, count: int) -> list[tuple[str, bytes]]:
        """Lease up to `count` start messages: [(lease id, message)]."""
        flat = self._pop_start(keys=[self.keys.start_urls, self.keys.leases], args=[self.worker, count])
        return [(flat[i].decode(), flat[i + 1]) for i in range(0, len(flat), 2)]

    def ack(self, leases: Iterable[str]) -> None:
        """The leased work is done: forget it."""
        leases = list(leases)
        if leases:
            self.server.hdel(self.keys.leases, *leases)

    def heartbeat(self) -> None:
        if not self.left:  # a late tick after leave() must not re-register the worker
            self._heartbeat(keys=[self.keys.current, self.keys.workers], args=[self.keys.run_id, self.worker])

    def reap(self) -> int:
        """Give the leases of workers silent for longer than the lease timeout back to the queue."""
        return int(self._reap(keys=[self.keys.workers, self.keys.leases, self.keys.requests, self.keys.start_urls],
                              args=[self.lease_timeout]))

    def leave(self) -> int:
        """Unregister this worker, giving back whatever it still holds (a graceful stop holds nothing)."""
        self.left = True
        return int(self._leave(keys=[self.keys.workers, self.keys.leases, self.keys.requests, self.keys.start_urls],
                               args=[self.worker]))

    # ---- the run ------------------------------------------------------------------------------------------------
    def is_current(self) -> bool:
        return text(self.server.get(self.keys.current)) == self.keys.run_id

    def drained(self) -> bool:
        """Nothing queued, nothing leased, no start message: no worker can produce more work."""
        with self.server.pipeline(transaction=False) as pipe:
            pipe.zcard(self.keys.requests)
            pipe.hlen(self.keys.leases)
            pipe.llen(self.keys.start_urls)
            return not any(pipe.execute())

    def has_had_work(self) -> bool:
        """Whether the run has ever been given work (a run started by waiting workers has not, until enqueued)."""
        return bool(self.server.exists(*self.keys.of_work()))

    def finish(self) -> str:
        """End the run if it is still current and drained: "finished", "not-current" or "busy" (not drained)."""
        keys = [self.keys.current, *self.keys.of_run()]
        return {1: "finished", 0: "not-current"}.get(int(self._finish(keys=keys, args=[self.keys.run_id])), "busy")

    def is_scheduled(self, fingerprint: bytes) -> bool:
        """Whether a request with this fingerprint was already queued in this run (by any worker)."""
        return bool(self.server.sismember(self.keys.dupefilter, fingerprint.hex()))

    # ---- the discovery trail --------------------------------------------------------------------------------
    def note_discovery(self, key: str, discovery: Discovery) -> list[Discovery]:
        """Record one route's discovery of an article; return every discovery of it so far, from any worker."""
        line = json.dumps(dataclasses.asdict(discovery), ensure_ascii=False, sort_keys=True)
        return _discoveries(text(self._append_discovery(keys=[self.keys.discoveries], args=[key, line])))

    def discoveries(self, key: str) -> list[Discovery]:
        """Every discovery of an article recorded in this run (what its provenance.discovery lists)."""
        return _discoveries(text(self.server.hget(self.keys.discoveries, key)))

    # ---- article requests ----------------------------------------------------------------------------------
    def push_article(self, spider: Any, key: str, discovery: Discovery, request: Request) -> None:
        """Distributed NewsSpiderBase.article_request: decide now and queue the request for any worker.

        A single process holds articles until discovery is over; a shared frontier cannot wait for every worker's
        discovery, so the crawl state decides at each discovery with every claim recorded so far (by any worker).
        An article already queued in this run is only noted: its fetch will list this route too if it has not
        happened yet. A skipped article is not marked as queued, so a later route claiming a change still gets it
        fetched. Articles from `newscrawl enqueue URL` (via "urls-arg") are always fetched, like -a urls.
        """
        stats = spider.crawler.stats
        trail = self.note_discovery(key, discovery)
        if self.is_scheduled(spider.crawler.request_fingerprinter.fingerprint(request)):
            stats.inc_value("newscrawl/discovery/duplicate")
            claim = newest_claim([discovery])
            store = spider.incremental.store if spider.incremental is not None else None
            if claim and isinstance(store, RedisStateStore):
                store.raise_signal(key, claim)
            return
        stats.inc_value(f"newscrawl/discovery/{discovery.via}")
        incremental = spider.incremental
        if incremental is not None and not any(d.via == "urls-arg" for d in trail):
            decision = incremental.decide(key, trail)
            stats.inc_value(f"newscrawl/incremental/{decision.action}/{decision.reason}")
            if decision.action == "skip":
                return
            if decision.action == "revisit":
                request = request.replace(headers={**request.headers.to_unicode_dict(), **decision.headers},
                                          meta={**request.meta, "handle_httpstatus_list": [304]})
        spider.crawler.engine.crawl(request)  # the shared dupefilter settles a race between two workers

    def incremental(self, now: datetime, revisit_hours: float, full: bool,
                    gone_schedule: GoneSchedule = GoneSchedule(), crawler: Crawler | None = None) -> Incremental:
        """The crawl state's decisions over the seen-article state in Redis (state.py); the `crawler`'s stats count
        what the state found damaged."""
        store = RedisStateStore(self.server, self.keys.articles, self.discoveries, crawler=crawler)
        return RunIncremental(store, self.is_scheduled, now=now, revisit_hours=revisit_hours, full=full,
                              gone_schedule=gone_schedule)


def _discoveries(lines: str | None) -> list[Discovery]:
    """Parse recorded discoveries, dropping exact repeats (a re-queued listing page reports its articles again)."""
    unique = dict.fromkeys(line for line in (lines or "").splitlines() if line)
    return [Discovery(**json.loads(line)) for line in unique]
