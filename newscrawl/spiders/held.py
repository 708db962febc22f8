"""Article candidates held until they can be decided, then released once each, in a fixed order; kept on disk.

Holding an article's fetch until the discovery sources that may name it have answered lets each article be decided
once (the crawl state compares the newest lastmod-like claim of all its routes) and requested once, at the URL of
its first route in a fixed order, with its discovery trail; so a live crawl and the replay of its archive produce
the same items. Discovery ends when the crawl goes idle; articles whose decision no late route can change (see
release.py) may be released earlier, while a slow source is still being waited for.

Nothing here grows the process with the size of a crawl: the trails, the held candidates and the released ones
waiting for the scheduler live in a private SQLite temporary file (SQLite unlinks it as it opens it, so a killed
crawl leaves nothing behind), with a small page cache. The spider hands the scheduler a batch at a time
(`take`), so Scrapy's own queue stays small too.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from newscrawl.items import Discovery
from newscrawl.scratchdb import scratch_database

_SCHEMA = """
CREATE TABLE articles (key TEXT PRIMARY KEY, first BLOB NOT NULL, state INTEGER NOT NULL DEFAULT 0,
                       held INTEGER, url TEXT, meta BLOB);
CREATE INDEX held_order ON articles (state, first, held);
CREATE TABLE routes (id INTEGER PRIMARY KEY, key TEXT NOT NULL, discovery BLOB NOT NULL);
CREATE INDEX routes_key ON routes (key);
CREATE TABLE ready (seq INTEGER PRIMARY KEY, url TEXT NOT NULL, meta BLOB NOT NULL, headers BLOB,
                    later INTEGER NOT NULL DEFAULT 0);
CREATE INDEX ready_order ON ready (later, seq);  -- take(): one group at a time, in queue order
"""
NAMED, HELD, RELEASED = 0, 1, 2
_CHUNK = 500  # held articles read per query while releasing


def discovery_order(discovery: Discovery) -> tuple[str, str, int]:
    """Sort key of a discovery: live and replay runs may see discovery responses in a different order."""
    return (discovery.via, discovery.source_url or "", discovery.position or 0)


def _order_bytes(discovery: Discovery) -> bytes:
    """discovery_order as bytes whose byte order is the tuple's order (SQLite compares BLOBs with memcmp)."""
    via, source, position = discovery_order(discovery)
    return b"\0".join((via.encode(), source.encode(), b"%020d" % (position + 10**18)))


def known_when_fetched(discoveries: list[Discovery], fetched_at: str | None) -> list[Discovery]:
    """The routes whose source answered no later than the article's page (archived times in a replay).

    An article released while a slow source was still awaited may be named by that source after its page was
    fetched: the item lists the routes known when the page came, in a live run and in its replay alike. A page older
    than every route (an archive not written by this crawler) keeps its whole trail.
    """
    fetched = _time(fetched_at)
    if fetched is None:
        return discoveries
    kept = [d for d in discoveries if (seen := _time(d.seen_at)) is None or seen <= fetched]
    return kept or discoveries


def _time(value: str | None) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    return parsed if parsed is not None and parsed.tzinfo is not None else None


class HeldArticles:
    """Every route that named an article (its trail), the articles held until release, and the released ones
    waiting to be handed to the scheduler."""

    def __init__(self) -> None:
        self._db = scratch_database(_SCHEMA, "articles held for discovery")
        self._named = 0
        self._held = 0
        self._ready = 0
        self._hold_seq = 0

    def close(self) -> None:
        self._db.close()

    # ---- trails ------------------------------------------------------------------------------------------------
    def note(self, key: str, discovery: Discovery) -> None:
        """Add a route to the article's trail."""
        order = _order_bytes(discovery)
        row = self._db.execute("SELECT first FROM articles WHERE key = ?", (key,)).fetchone()
        if row is None:
            self._db.execute("INSERT INTO articles (key, first) VALUES (?, ?)", (key, order))
            self._named += 1
        elif order < row[0]:
            self._db.execute("UPDATE articles SET first = ? WHERE key = ?", (order, key))
        self._db.execute("INSERT INTO routes (key, discovery) VALUES (?, ?)", (key, pickle.dumps(discovery)))

    def trail(self, key: str) -> list[Discovery]:
        """The routes that named the article so far, in arrival order."""
        rows = self._db.execute("SELECT discovery FROM routes WHERE key = ? ORDER BY id", (key,))
        return [pickle.loads(blob) for blob, in rows]

    def set_trail(self, key: str, discoveries: list[Discovery]) -> None:
        """Replace the trail (a distributed worker reads the trail other workers recorded)."""
        self._db.execute("DELETE FROM routes WHERE key = ?", (key,))
        if discoveries:
            self._db.execute("UPDATE articles SET first = ? WHERE key = ?",
                             (min(map(_order_bytes, discoveries)), key))
        for discovery in discoveries:
            self.note(key, discovery)

    def sorted_trail(self, key: str) -> list[Discovery]:
        return sorted(self.trail(key), key=discovery_order)

    def named(self, key: str) -> bool:
        """True when some route named the article in this run."""
        return self._db.execute("SELECT 1 FROM articles WHERE key = ?", (key,)).fetchone() is not None

    @property
    def trails(self) -> dict[str, list[Discovery]]:
        """Every article named so far and its routes, read whole from disk (for tests and inspection)."""
        found: dict[str, list[Discovery]] = {}
        for key, blob in self._db.execute("SELECT key, discovery FROM routes ORDER BY id"):
            found.setdefault(key, []).append(pickle.loads(blob))
        return found

    def __len__(self) -> int:
        """How many distinct articles discovery named."""
        return self._named

    # ---- holding and releasing ---------------------------------------------------------------------------------
    def _state(self, key: str) -> int | None:
        row = self._db.execute("SELECT state FROM articles WHERE key = ?", (key,)).fetchone()
        return None if row is None else int(row[0])

    def known(self, key: str) -> bool:
        """True when the article's request is already held or was released: a later route only adds to its trail."""
        return (self._state(key) or NAMED) != NAMED

    def released(self, key: str) -> bool:
        return self._state(key) == RELEASED

    def hold(self, key: str, url: str, meta: dict[str, Any]) -> bool:
        """Hold the article's request (URL and meta) until release; False when already held or released."""
        if self.known(key):
            return False
        self._hold_seq += 1
        self._db.execute("UPDATE articles SET state = ?, held = ?, url = ?, meta = ? WHERE key = ?",
                         (HELD, self._hold_seq, url, pickle.dumps(meta), key))
        self._held += 1
        return True

    @property
    def holding(self) -> int:
        """How many articles are held, not yet released."""
        return self._held

    def __bool__(self) -> bool:
        return bool(self._held)

    def release(self, eligible: Callable[[str, list[Discovery]], bool] | None = None
                ) -> Iterator[tuple[str, str, dict[str, Any], list[Discovery]]]:
        """Held articles (those `eligible` accepts, else all) in the order of their first route, each with its URL,
        request meta and trail; each is marked released as it is handed out (never held again).

        The caller decides each one and passes those to fetch to `enqueue`.
        """
        after: tuple[bytes, int] = (b"", -1)
        while True:
            rows = self._db.execute(
                "SELECT key, first, held, url, meta FROM articles WHERE state = ? AND (first, held) > (?, ?) "
                "ORDER BY first, held LIMIT ?", (HELD, *after, _CHUNK)).fetchall()
            if not rows:
                return
            after = (rows[-1][1], rows[-1][2])
            for key, _, _, url, meta in rows:
                discoveries = self.trail(key)
                if eligible is not None and not eligible(key, discoveries):
                    continue
                self._db.execute("UPDATE articles SET state = ?, meta = NULL WHERE key = ?", (RELEASED, key))
                self._held -= 1
                yield key, url, pickle.loads(meta), discoveries

    def enqueue(self, url: str, meta: dict[str, Any], headers: dict[str, str] | None = None,
                later: bool = False) -> None:
        """A released article to fetch, queued after the ones before it; `later` ones (URLs shaped like another form
        of an article: AMP, print, a mobile host) after every other, so an article's own page is usually fetched,
        and in a replay always processed, before another form of it, and is the copy the run keeps."""
        self._db.execute("INSERT INTO ready (url, meta, headers, later) VALUES (?, ?, ?, ?)",
                         (url, pickle.dumps(meta), pickle.dumps(headers) if headers else None, int(later)))
        self._ready += 1

    @property
    def waiting(self) -> int:
        """Released articles not yet handed to the scheduler."""
        return self._ready

    def take(self, limit: int, newest_first: bool = False, later_too: bool = True
             ) -> list[tuple[str, dict[str, Any], dict[str, str] | None]]:
        """Up to `limit` queued requests (URL, meta, headers), in queue order, removed from the queue. A batch never
        mixes the requests queued `later` with the others, and holds them only once the others are all taken and
        `later_too` says the crawl has nothing else in flight (so another form's copy never races its own page's).
        Batches are the same whenever they are taken, which parallel replays rely on (shard.py).

        newest_first takes them from the end (of their group): pushed in queue order, a last-in-first-out scheduler
        then pops them in exactly the order it would have popped the whole group pushed at once.
        """
        group = self._db.execute("SELECT MIN(later) FROM ready").fetchone()[0]
        if group is None or (group and not later_too):
            return []
        rows = self._db.execute(f"SELECT seq, url, meta, headers FROM ready WHERE later = ? ORDER BY seq "
                                f"{'DESC' if newest_first else ''} LIMIT ?", (group, limit)).fetchall()
        if newest_first:
            rows.reverse()
        self._db.executemany("DELETE FROM ready WHERE seq = ?", [(row[0],) for row in rows])
        self._ready -= len(rows)
        return [(url, pickle.loads(meta), pickle.loads(headers) if headers else None)
                for _, url, meta, headers in rows]
