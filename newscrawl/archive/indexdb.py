"""Where an archive index keeps its captures: one SQLite file, not Python objects.

An archive grows to millions of captures; held in memory, their positions cost ~500 bytes each (~0.5 GB for a
million), and the index build's peak more. In a SQLite file the process keeps only SQLite's page cache, whatever the
archive's size; a lookup by URL is one indexed query (~10 µs, against the milliseconds a replayed page costs). The
same file is the index's cache between runs (indexcache.py): a later replay of unchanged files opens it and reads
nothing else, and the processes of a parallel replay open the one their parent built.

Rows keep archive order in `n` (a revisit at its own place, answered by its original's position), so "the last
capture wins" and every ordered walk read the same as the lists they replace.

One idea, kept whole: the one file an index is, with its schema, the build's writes (revisits held until resolved)
and the lookups a replay makes; a split would put one table's statements in two modules.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from newscrawl.archive.revisits import Revisit

_SCHEMA = """
CREATE TABLE captures (
    n INTEGER PRIMARY KEY,        -- archive order
    url TEXT NOT NULL,
    canon TEXT,                   -- the URL's canonical form (warc._canonical) where it differs, else NULL
    file INTEGER NOT NULL,        -- files.id
    offset INTEGER NOT NULL,
    record_id TEXT NOT NULL,
    fetched_at TEXT NOT NULL,     -- ISO 8601, as datetime.isoformat wrote it
    status INTEGER NOT NULL,
    method TEXT,
    digest_ok INTEGER NOT NULL,
    content_type TEXT,
    revisit INTEGER NOT NULL,
    payload_digest TEXT           -- WARC-Payload-Digest as written (resolving revisits by digest)
);
CREATE TABLE files (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE revisits (           -- the build's revisit records, until resolved
    n INTEGER PRIMARY KEY, url TEXT NOT NULL, file TEXT NOT NULL, offset INTEGER NOT NULL, refers_to TEXT,
    refers_to_uri TEXT, refers_to_date TEXT, payload_digest TEXT, revisited_at TEXT
);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_LOOKUPS = ("CREATE INDEX IF NOT EXISTS captures_by_url ON captures (url)",
            "CREATE INDEX IF NOT EXISTS captures_by_canon ON captures (canon)")
_COLUMNS = "n, url, file, offset, record_id, fetched_at, status, method, digest_ok, content_type, revisit"
_BATCH = 512
SCRATCH_PREFIX = "newscrawl-index-"
"""Name start of an index file being built (or not cached)."""


@dataclass(frozen=True, slots=True)  # slots: many are made while an index is walked
class IndexEntry:
    """Position of one archived response: enough to choose among captures and re-read it, without its body."""

    url: str
    file: str
    offset: int
    record_id: str
    fetched_at: datetime
    status: int
    request_method: str | None
    digest_ok: bool
    content_type: str | None = None
    """The response's Content-Type header (first value), for choosing HTML pages without re-reading them."""
    revisit: bool = False
    """A revisit record's URL answered by its original capture (file, offset and record id are the original's;
    fetched_at is the revisit's own WARC-Date, else the original's)."""


Placed = tuple[int, IndexEntry]
"""(archive position, capture)."""


class IndexStore:
    """One index's SQLite file: written once by its build, then only read (by any number of processes)."""

    def __init__(self, path: Path | None, *, create: bool = False) -> None:
        """`path` None: in memory (a temporary folder that refuses the file: the index then grows with the archive,
        as it did before it moved to disk)."""
        self.path = path
        self.db = sqlite3.connect(":memory:" if path is None else path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA cache_size = -2048")  # 2 MiB: lookups are by index, a page or two each
        if create:
            self.db.execute("PRAGMA journal_mode = OFF")  # a build that fails is thrown away whole
            self.db.execute("PRAGMA synchronous = OFF")
            self.db.executescript(_SCHEMA)
            self.db.execute("BEGIN")
        self._files: dict[int, str] = {}
        self._file_ids: dict[str, int] = {}
        self._types: dict[str, str] = {}
        self._pending: list[tuple[Any, ...]] = []
        self._count: int | None = None
        self._keyed = False

    # ---- writing (the build) ------------------------------------------------------------------------------------
    def file_id(self, name: str) -> int:
        found = self._file_ids.get(name)
        if found is None:
            inserted = self.db.execute("INSERT INTO files (name) VALUES (?)", (name,))
            found = self._file_ids[name] = inserted.lastrowid or 0
            self._files[found] = name
        return found

    def _row(self, n: int, entry: IndexEntry, canon: str, payload_digest: str | None) -> tuple[Any, ...]:
        return (n, entry.url, canon if canon != entry.url else None, self.file_id(entry.file), entry.offset,
                entry.record_id, entry.fetched_at.isoformat(), entry.status, entry.request_method,
                int(entry.digest_ok), entry.content_type, int(entry.revisit), payload_digest)

    def add(self, n: int, entry: IndexEntry, canon: str, payload_digest: str | None = None) -> None:
        self._pending.append(self._row(n, entry, canon, payload_digest))
        if len(self._pending) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            self.db.executemany("INSERT INTO captures VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", self._pending)
            self._pending.clear()

    def add_revisit(self, n: int, revisit: Revisit) -> None:
        """A revisit record at position `n`, kept until its original is found (warc._resolve)."""
        self.db.execute("INSERT INTO revisits VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (n, revisit.url, revisit.file, revisit.offset, revisit.refers_to, revisit.refers_to_uri,
                         revisit.refers_to_date, revisit.payload_digest,
                         revisit.revisited_at.isoformat() if revisit.revisited_at is not None else None))

    def revisits(self) -> Iterator[tuple[int, Revisit]]:
        """The revisits added, in archive order."""
        cursor = self.db.execute("SELECT * FROM revisits ORDER BY n")
        while rows := cursor.fetchmany(_BATCH):
            for n, url, file, offset, refers_to, uri, date, digest, revisited_at in rows:
                yield n, Revisit(url, file, offset, refers_to, uri, date, digest,
                                 datetime.fromisoformat(revisited_at) if revisited_at is not None else None)

    def revisit_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM revisits").fetchone()[0])

    _staging = False
    """Whether the table of staged entries exists (made at the first resolved revisit)."""

    def stage(self, n: int, entry: IndexEntry, canon: str) -> None:
        """A resolved revisit's entry, held apart until every revisit is resolved (resolution looks among the other
        captures only), then added by add_staged."""
        if not self._staging:
            self.db.execute("CREATE TEMP TABLE staged AS SELECT * FROM captures WHERE 0")
            self._staging = True
        self.db.execute("INSERT INTO staged VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        self._row(n, entry, canon, None))

    def add_staged(self) -> None:
        """The staged entries among the captures; the revisits they resolved no longer kept."""
        if self._staging:
            self.db.execute("INSERT INTO captures SELECT * FROM staged")
            self.db.execute("DROP TABLE staged")
            self._staging = False
        self.db.execute("DELETE FROM revisits")
        self._count = None

    def discard_from(self, n: int) -> None:
        """Forget the captures and revisits from position `n` on (a file the build reads again from its inflated
        copy)."""
        self.flush()
        self.db.execute("DELETE FROM captures WHERE n >= ?", (n,))
        self.db.execute("DELETE FROM revisits WHERE n >= ?", (n,))

    def lookups(self) -> None:
        """The indexes by URL and canonical URL (made once the captures are in: faster than kept up per row)."""
        self.flush()
        for statement in _LOOKUPS:  # not executescript: it would commit the build's transaction first
            self.db.execute(statement)

    def finish(self, meta: dict[str, Any]) -> None:
        """The lookup indexes and the facts beside the captures (problems, warcinfo…, JSON), all written at once."""
        self.lookups()
        self._write_meta(meta)
        self.db.execute("COMMIT")
        self._count = None

    def set_meta(self, meta: dict[str, Any]) -> None:
        """Facts written after the build (indexcache's identity of the files), in one transaction."""
        with self.db:
            self._write_meta(meta)

    def _write_meta(self, meta: dict[str, Any]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                            [(key, json.dumps(value, ensure_ascii=False)) for key, value in meta.items()])

    # ---- reading -----------------------------------------------------------------------------------------------
    def meta(self) -> dict[str, Any]:
        return {key: json.loads(value) for key, value in self.db.execute("SELECT key, value FROM meta")}

    def __len__(self) -> int:
        if self._count is None:
            self._count = self.db.execute("SELECT COUNT(*) FROM captures").fetchone()[0]
        return self._count

    def _entry(self, row: tuple[Any, ...]) -> Placed:
        n, url, file, offset, record_id, fetched_at, status, method, digest_ok, content_type, revisit = row
        name = self._files.get(file)
        if name is None:
            name = self._files[file] = self.db.execute("SELECT name FROM files WHERE id = ?", (file,)).fetchone()[0]
        if content_type is not None:  # one string per distinct type
            content_type = self._types.setdefault(content_type, content_type)
        return n, IndexEntry(url, name, offset, record_id, datetime.fromisoformat(fetched_at), status,
                             method, bool(digest_ok), content_type, bool(revisit))

    def _select(self, where: str, args: Iterable[Any] = ()) -> list[Placed]:
        return [self._entry(row) for row in self.db.execute(f"SELECT {_COLUMNS} FROM captures {where}", tuple(args))]

    def by_url(self, url: str) -> list[Placed]:
        return self._select("WHERE url = ? ORDER BY n", (url,))

    def by_canon(self, canon: str) -> list[Placed]:
        """The captures whose URL's canonical form is `canon` (their own URL, where it is canonical already)."""
        return self._select("WHERE canon = ?1 OR (canon IS NULL AND url = ?1) ORDER BY n", (canon,))

    def in_order(self) -> Iterator[Placed]:
        """Every capture in archive order, read a batch at a time."""
        cursor = self.db.execute(f"SELECT {_COLUMNS} FROM captures ORDER BY n")
        while rows := cursor.fetchmany(_BATCH):
            for row in rows:
                yield self._entry(row)

    def rank(self, n: int) -> int:
        """How many captures come before position `n` in archive order: its place as in_order() counts them (a
        revisit whose original is not in the archive leaves a gap in the positions)."""
        return int(self.db.execute("SELECT COUNT(*) FROM captures WHERE n < ?", (n,)).fetchone()[0])

    def urls(self) -> Iterator[str]:
        """Each captured URL once, in the order of its first capture."""
        cursor = self.db.execute("SELECT url FROM captures GROUP BY url ORDER BY MIN(n)")
        while rows := cursor.fetchmany(_BATCH):
            for (url,) in rows:
                yield url

    def url_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(DISTINCT url) FROM captures").fetchone()[0])

    def earliest_fetch(self) -> datetime | None:
        """The earliest fetched_at of any full capture, None without captures. A revisit's row is left out: it
        carries the revisit's own time, for a `versions=all` replay to date a version by, and a replay's start (its
        archive candidates' discovery time) stays that of the full captures, as before revisits carried it. The
        values are isoformat text: those in UTC (WARC-Date, nearly all) sort as text in time order, so SQLite's MIN
        finds the earliest without a Python object per capture; the few in another offset (a server's Date header
        standing in for a missing WARC-Date) are compared as times."""
        times = [datetime.fromisoformat(value) for (value,) in self.db.execute(
            "SELECT MIN(fetched_at) FROM captures WHERE revisit = 0 AND fetched_at LIKE '%+00:00' UNION ALL "
            "SELECT fetched_at FROM captures WHERE revisit = 0 AND fetched_at NOT LIKE '%+00:00'")
            if value is not None]
        return min(times, default=None)

    def several_versions_count(self) -> int:
        """URLs with two or more full 200 captures that may differ: their WARC-Payload-Digests differ, or some have
        none. Versions of a page, of which a replay answers with one (warc.preferred)."""
        return int(self.db.execute(
            "SELECT COUNT(*) FROM (SELECT url FROM captures WHERE status = 200 AND revisit = 0 GROUP BY url "
            "HAVING COUNT(*) > 1 AND (COUNT(DISTINCT payload_digest) > 1 OR COUNT(payload_digest) < COUNT(*)))"
        ).fetchone()[0])

    def at(self, file: str, offset: int) -> list[IndexEntry]:
        """The captures answered by the record at `offset` in `file` (its own, and revisits it answers)."""
        found = self.db.execute("SELECT id FROM files WHERE name = ?", (file,)).fetchone()
        if found is None:
            return []
        return [entry for _, entry in self._select("WHERE file = ? AND offset = ? ORDER BY n", (found[0], offset))]

    def first_url_by_key(self, key_of: Callable[[str], str], key: str) -> str | None:
        """The first captured URL (archive order) whose key, by `key_of`, is `key`. The map is made on the first
        call, in a temporary table of this connection (the index file itself is only read): one row per URL."""
        if not self._keyed:
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS url_keys (key TEXT PRIMARY KEY, url TEXT NOT NULL)")
            with self.db:
                self.db.executemany("INSERT OR IGNORE INTO url_keys VALUES (?, ?)",
                                    ((key_of(url), url) for url in self.urls()))
            self._keyed = True
        found = self.db.execute("SELECT url FROM url_keys WHERE key = ?", (key,)).fetchone()
        return str(found[0]) if found else None

    def any_status(self, statuses: Iterable[int]) -> bool:
        wanted = sorted(set(statuses))
        marks = ",".join("?" * len(wanted))
        return bool(self.db.execute(f"SELECT EXISTS (SELECT 1 FROM captures WHERE status IN ({marks}))",
                                    wanted).fetchone()[0])

    def canonical_forms(self) -> int:
        """How many captures have a canonical form other than their URL."""
        return int(self.db.execute("SELECT COUNT(*) FROM captures WHERE canon IS NOT NULL").fetchone()[0])

    # ---- revisit resolution (the build, once every file is read) --------------------------------------------------
    def last_by_record_id(self, record_id: str) -> IndexEntry | None:
        """The last 200 capture with this WARC-Record-ID."""
        self.db.execute("CREATE INDEX IF NOT EXISTS captures_by_record ON captures (record_id)")
        found = self._select("WHERE record_id = ? AND status = 200 ORDER BY n DESC LIMIT 1", (record_id,))
        return found[0][1] if found else None

    def index_digests(self, normalised: Callable[[str], str], hashed: Callable[[IndexEntry], list[str]]) -> int:
        """The table of 200 captures by payload digest (normalised form): each capture's declared digest, or, for one
        without, the digests `hashed` computes from its payload; returns how many were hashed."""
        self.db.execute("CREATE TABLE IF NOT EXISTS digests (digest TEXT NOT NULL, n INTEGER NOT NULL)")
        count = 0
        # A batch at a time, as every other walk of the captures: lists of every 200 capture's digest were the
        # build's peak for the deduplicating crawlers' archives this table is made for.
        cursor = self.db.execute(f"SELECT {_COLUMNS}, payload_digest FROM captures WHERE status = 200 ORDER BY n")
        while captures := cursor.fetchmany(_BATCH):
            rows: list[tuple[str, int]] = []
            for *capture, declared in captures:
                if declared:
                    rows.append((normalised(declared), capture[0]))
                    continue
                n, entry = self._entry(tuple(capture))
                found = hashed(entry)
                count += bool(found)
                rows += [(digest, n) for digest in found]
            self.db.executemany("INSERT INTO digests VALUES (?, ?)", rows)
        self.db.execute("CREATE INDEX digests_by_digest ON digests (digest)")
        return count

    def by_digest(self, digest: str) -> list[IndexEntry]:
        return [entry for _, entry in self._select(
            "WHERE n IN (SELECT n FROM digests WHERE digest = ?) ORDER BY n", (digest,))]

    def drop_resolution_tables(self) -> None:
        self.db.execute("DROP TABLE IF EXISTS digests")
        self.db.execute("DROP INDEX IF EXISTS captures_by_record")

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.db.close()


def scratch_file(folder: Path | None = None) -> Path:
    """A new, empty file for an index build (in `folder`, else the system's temporary folder)."""
    handle, name = tempfile.mkstemp(prefix=SCRATCH_PREFIX, suffix=".sqlite", dir=folder)
    os.close(handle)
    return Path(name)
