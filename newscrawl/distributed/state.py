"""The seen-article state of distributed crawls, shared by every worker in one Redis hash.

Why Redis and not a SQLite file per worker merged afterwards: workers decide fetch/revisit/skip while the run is
going, for articles that another worker (on another machine) may have fetched in an earlier run; only a state every
worker reads live gives the same answer everywhere. Each article is one hash field (article key → JSON of the
`articles` row of state/store.py), and every update is one Lua script on that field, so two workers never
interleave a read-modify-write: a revision is recorded only if it is newer than the stored one (compare-and-set).

Full revision history (the `revisions` table) is not kept here: the feeds and WARCs hold every emitted item and
its bytes. What RevisionPipeline needs of the previous revision, the changed fields, is answered from per-field
digests (~30 bytes per field instead of the whole body), via `FieldDigest`.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import redis
from scrapy.crawler import Crawler

from newscrawl.distributed.fingerprint import article_fingerprint
from newscrawl.distributed.gone import DamagedEntries, gone_entry, gone_record, shown
from newscrawl.distributed.keys import GONE_SUFFIX
from newscrawl.items import Discovery
from newscrawl.extract.dates import parse_iso
from newscrawl.state.incremental import CONTENT_FIELDS, LATER_CONTENT_FIELDS, Incremental, newest_claim
from newscrawl.state.gone import GoneSchedule
from newscrawl.state.store import ArticleState, GoneArticle, Revision, StateStore, StoredStory

logger = logging.getLogger(__name__)

_ROW_FIELDS = ("url", "first_seen", "last_fetched", "etag", "last_modified", "body_sha256", "content_sha256",
               "revision", "signal", "published_at", "response_url")

# KEYS: articles; ARGV: key, row JSON → 1 recorded, 0 a newer or equal revision is stored already
_RECORD = """
local old = redis.call('HGET', KEYS[1], ARGV[1])
local row = cjson.decode(ARGV[2])
if old then
  old = cjson.decode(old)
  if old.revision >= row.revision then return 0 end
  row.first_seen = old.first_seen
  if row.signal == cjson.null then row.signal = old.signal end
end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(row))
return 1
"""

# KEYS: articles; ARGV: key, then last_fetched, signal, etag, last_modified, body_sha256 ('' = keep) → 1 or 0
_TOUCH = """
local old = redis.call('HGET', KEYS[1], ARGV[1])
if not old then return 0 end
local row = cjson.decode(old)
local names = {'last_fetched', 'signal', 'etag', 'last_modified', 'body_sha256'}
for i, name in ipairs(names) do
  if ARGV[i + 1] ~= '' then row[name] = ARGV[i + 1] end
end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(row))
return 1
"""


def field_digest(value: Any) -> str:
    """A short, stable digest of one field's value (its canonical JSON)."""
    encoded = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode()
    return hashlib.blake2b(encoded, digest_size=12).hexdigest()


class FieldDigest:
    """Stands for a stored field value: equal to any value with the same digest.

    >>> FieldDigest(field_digest(["PTI"])) == ["PTI"], FieldDigest(field_digest("a")) != "b"
    (True, True)
    """

    def __init__(self, digest: str) -> None:
        self.digest = digest

    def __eq__(self, other: object) -> bool:
        other_digest = other.digest if isinstance(other, FieldDigest) else field_digest(other)
        return self.digest == other_digest

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None  # type: ignore[assignment]  # compares by value: not hashable

    def __repr__(self) -> str:
        return f"FieldDigest({self.digest!r})"


class RedisStateStore(StateStore):
    """StateStore's article methods over a Redis hash; the run bookkeeping of the SQLite store has no part here
    (workers are tracked by the frontier) and is a no-op."""

    def __init__(self, server: redis.Redis, key: str,
                 trail: Callable[[str], list[Discovery]] = lambda key: [], crawler: Crawler | None = None) -> None:
        # no super().__init__: there is no SQLite file
        self.server = server
        self.key = key
        self.trail = trail
        """The run's discovery trail of an article (frontier.discoveries), from every worker."""
        self.aliases = f"{key}:aliases"
        """Hash: another URL form's article key → the key its state is under (StateStore.record_alias)."""
        self.gone_key = f"{key}{GONE_SUFFIX}"
        """Hash: article key → its GoneArticle as JSON (StateStore.record_gone; gone.py reads and writes one)."""
        self.damaged = DamagedEntries(self.gone_key, crawler)  # counted in the `crawler`'s stats
        self.path = Path(f"redis/{key}")
        self._record = server.register_script(_RECORD)
        self._touch = server.register_script(_TOUCH)

    def close(self) -> None:
        """The connection belongs to the frontier; nothing to close."""

    def commit(self) -> None:
        """Every Redis write is its own script call: no batch to commit."""

    def commit_due(self) -> bool:
        """Never: there is no batch (see commit)."""
        return False

    def abandon_batches(self) -> None:
        """Nothing to abandon: there is no batch (see commit)."""

    def article(self, key: str) -> ArticleState | None:
        key = self._resolved(key)
        row = self._row(key)
        if row is None:
            return None
        fields: dict[str, Any] = {name: row.get(name) for name in _ROW_FIELDS}
        return ArticleState(key=key, **fields)

    def record_alias(self, alias: str, key: str) -> None:
        if alias != key:
            self.server.hset(self.aliases, alias, key)

    def _resolved(self, key: str) -> str:
        """`key`, or the key it is an alias of when no state is stored under it."""
        if self.server.hexists(self.key, key):
            return key
        target = self.server.hget(self.aliases, key)
        if target is None:
            return key
        return target.decode() if isinstance(target, bytes) else str(target)

    def touch(self, key: str, fetched_at: str, signal: str | None = None, etag: str | None = None,
              last_modified: str | None = None, body_sha256: str | None = None) -> None:
        key = self._resolved(key)
        self._touch(keys=[self.key], args=[key, fetched_at, *(v or "" for v in (signal, etag, last_modified,
                                                                             body_sha256))])

    def record_revision(self, revision: Revision, *, etag: str | None, last_modified: str | None,
                        signal: str | None, published_at: str | None, trail_key: str | None = None) -> None:
        """`trail_key`: the key routes named the article by in this run (its request's), when it is not the state
        key (the news spider keys state by the canonical URL: a form reached by another URL has its trail there)."""
        def trails() -> list[Discovery]:
            keys = dict.fromkeys((revision.key, trail_key or revision.key))
            return [found for key in keys for found in self.trail(key)]

        # The newest change claim of any route so far, not only those this worker saw before it parsed the page.
        signal = newest_claim([*trails(), *_claim(signal)]) or signal
        row = {"url": revision.url, "first_seen": revision.fetched_at, "last_fetched": revision.fetched_at,
               "etag": etag, "last_modified": last_modified, "body_sha256": revision.body_sha256,
               "content_sha256": revision.content_sha256, "revision": revision.revision, "signal": signal,
               "published_at": published_at, "crawl_id": revision.crawl_id, "response_url": revision.response_url,
               "fields": {name: field_digest(revision.item.get(name))
                          for name in (*CONTENT_FIELDS, *LATER_CONTENT_FIELDS)}}
        if not self._record(keys=[self.key], args=[revision.key, json.dumps(row, ensure_ascii=False)]):
            # Two workers emitted the same revision (e.g. a lease given back after its item reached a feed):
            # the merged feed keeps one of them; the state keeps the first.
            logger.warning("Revision %(revision)d of %(key)s was already recorded by another worker",
                           {"revision": revision.revision, "key": revision.key})
            return
        # A route may have named the article between our read of the trail and the write above; its worker then
        # found no row to raise the claim on (raise_signal), and without this second read the next run would take
        # that claim for a change. The other worker appends to the trail before it reads the row, so one of the
        # two always sees the other's write.
        later = newest_claim(trails())
        if later and later != signal:
            self.raise_signal(revision.key, later)

    def raise_signal(self, key: str, claim: str) -> None:
        """A route named an already recorded article with a change claim: store it if it is newer.

        In a single process every claim is in before the fetch; here a listing may name an article after another
        worker recorded it, and without this the next run would take the unseen claim for a change.
        """
        state = self.article(key)
        if state is None:
            return
        stored, claimed = parse_iso(state.signal or ""), parse_iso(claim)
        if claimed is not None and (stored is None or claimed > stored):
            self._touch(keys=[self.key], args=[state.key, "", claim, "", "", ""])

    def revisions(self, url_or_key: str) -> list[Revision]:
        """The latest revision only, its item reduced to content-field digests (enough for changed_fields)."""
        url_or_key = self._resolved(url_or_key)
        row = self._row(url_or_key)
        if not row:
            return []
        item: dict[str, Any] = {name: FieldDigest(digest) for name, digest in (row.get("fields") or {}).items()}
        return [Revision(key=url_or_key, revision=int(row["revision"]), crawl_id=str(row.get("crawl_id") or ""),
                         fetched_at=str(row["last_fetched"]), url=str(row["url"]),
                         content_sha256=str(row["content_sha256"]), body_sha256=row.get("body_sha256"), item=item)]

    def has_revision(self, key: str, revision: int) -> bool:
        row = self._row(key)
        return row is not None and int(row["revision"]) >= revision

    def keys(self) -> Iterator[str]:
        for key, _ in self.server.hscan_iter(self.key):
            yield bytes(key).decode()

    # Run bookkeeping is the frontier's job in distributed mode (workers, leases, the run key).
    def start_run(self, crawl_id: str, spider: str, started_at: str, feed: str | None) -> None:
        pass

    def finish_run(self, crawl_id: str, finished_at: str, status: str = "finished") -> None:
        pass

    def unfinished_runs(self, spider: str, except_crawl_id: str) -> list[tuple[str, str | None]]:
        return []

    def forget_unexported(self, crawl_id: str, exported: set[tuple[str, int]]) -> int:
        return 0

    # Lineage across runs is a single-process feature: each worker links the copies it sees in its run.
    def record_story(self, story: StoredStory) -> None:
        pass

    def recent_stories(self, limit: int) -> list[StoredStory]:
        return []

    def gone(self, key: str) -> GoneArticle | None:
        """None also for a damaged entry (gone.DamagedEntries): the page is then fetched, as if never found gone."""
        raw = self.server.hget(self.gone_key, key)
        page = gone_record(raw) if raw is not None else None
        if raw is not None and page is None:
            self.damaged.note(key, raw)
        return page

    def record_gone(self, tried_at: str, gone: list[tuple[str, str, str | None]],
                    kept: timedelta = GoneSchedule.kept) -> None:
        """As StateStore.record_gone; workers that found the same page gone each count a run, as runs would. A
        damaged entry is written afresh once its page is found gone again, else left: it cannot be aged."""
        for key, url, signal in gone:
            known = self.gone(key)
            row = GoneArticle(key, url, known.first_gone if known else tried_at, tried_at,
                              known.times + 1 if known else 1, signal or (known.signal if known else None))
            self.server.hset(self.gone_key, key, gone_entry(row))
        forgotten = (datetime.fromisoformat(tried_at) - kept).isoformat()
        stale = []
        for field, raw in self.server.hscan_iter(self.gone_key):
            page = gone_record(raw)
            if page is None:
                self.damaged.note(shown(field), raw)
            elif page.last_tried < forgotten:
                stale.append(field)
        if stale:
            self.server.hdel(self.gone_key, *stale)

    def _row(self, key: str) -> dict[str, Any] | None:
        raw = self.server.hget(self.key, key)
        if raw is None:
            return None
        row: dict[str, Any] = json.loads(raw)
        return row


class RunIncremental(Incremental):
    """Incremental decisions for a distributed run, whose state changes while discovery is still going.

    A single process decides after discovery, so "known" there means "known from an earlier run". Here workers
    record articles while others still page through listings, and an article fetched minutes ago in this run would
    look known and unchanged, stopping the paging early. So an article already queued in this run never counts as
    a reason to stop paging: in a single process, the decision that queued it (new, changed, young) would not
    have stopped it either.

    `is_scheduled` answers "was a request with this fingerprint queued in this run?" (Frontier.is_scheduled); it is
    passed in, not the frontier itself, so this module needs nothing of the frontier (which imports it).
    """

    def __init__(self, store: RedisStateStore, is_scheduled: Callable[[bytes], bool], **kwargs: Any) -> None:
        super().__init__(store, **kwargs)
        self.is_scheduled = is_scheduled

    def known_unchanged(self, key: str, discoveries: list[Discovery]) -> bool:
        if self.is_scheduled(article_fingerprint(key)):
            return False
        return super().known_unchanged(key, discoveries)


def _claim(signal: str | None) -> list[Discovery]:
    return [Discovery(via="state", claims={"lastmod": signal})] if signal else []
