"""Crawl state: what each article looked like when we last saw it, every revision we emitted, and every run.

One SQLite file per spider (default output/state/<spider>.sqlite), WAL mode so `newscrawl status`/`history` can
read while a crawl writes. Item writes (revisions, touches, stories) are batched: one transaction per
COMMIT_EVERY writes, committed sooner by `commit()` (RevisionPipeline calls it every second) and at close, so a
crawl does not pay a commit per item. A kill loses at most the open batch, and only state: every item of it is
already in the feed, and the next start records it from there (state/recovery.py). The schema is versioned
with PRAGMA user_version and migrated forward in order; a file that cannot be opened is an error naming its
path — never deleted and recreated, which would silently turn the next run into a full re-crawl.

One idea, kept whole: the state file — its schema, migrations and every statement that reads or writes it — so
the batching and commit rules above hold for every write, from one place.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newscrawl.state.gone import GoneSchedule

logger = logging.getLogger(__name__)

MIGRATIONS: tuple[str, ...] = (
    # 1: articles, revisions, runs
    """
    CREATE TABLE articles (
        key TEXT PRIMARY KEY,          -- the spider's article key (Devdiscourse: devdiscourse:<NewsId>)
        url TEXT NOT NULL,             -- canonical URL of the latest revision
        first_seen TEXT NOT NULL,      -- UTC ISO time of the first fetch
        last_fetched TEXT NOT NULL,    -- UTC ISO time of the latest fetch (200 or 304)
        etag TEXT, last_modified TEXT, -- validators for conditional revisits
        body_sha256 TEXT,              -- raw (decoded) response body of the latest fetch
        content_sha256 TEXT NOT NULL,  -- digest of the extracted article content (see content_digest)
        revision INTEGER NOT NULL,     -- current revision number, 1-based
        signal TEXT,                   -- newest lastmod/updated claim a discovery source made
        published_at TEXT              -- article's own publication time, for the revisit window
    );
    CREATE TABLE revisions (
        key TEXT NOT NULL, revision INTEGER NOT NULL, crawl_id TEXT NOT NULL, fetched_at TEXT NOT NULL,
        url TEXT NOT NULL, content_sha256 TEXT NOT NULL, body_sha256 TEXT,
        item TEXT NOT NULL,            -- the emitted item as JSON (provenance included: archive record, …)
        PRIMARY KEY (key, revision)
    );
    CREATE INDEX revisions_by_url ON revisions (url);
    CREATE INDEX revisions_by_crawl ON revisions (crawl_id);
    CREATE TABLE runs (
        crawl_id TEXT PRIMARY KEY, spider TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT,
        status TEXT NOT NULL,          -- running | finished | killed
        feed TEXT                      -- the run's default feed, used to reconcile after a kill
    );
    """,
    # 2: wire-story lineage across runs (pipelines/lineage.py): the MinHash signature of each emitted body
    """
    CREATE TABLE stories (
        key TEXT PRIMARY KEY,          -- the article key; a later revision replaces the row (and its rowid)
        story_id TEXT NOT NULL,        -- the story the article was assigned to
        signature BLOB NOT NULL,       -- extract/minhash.py signature, NUM_PERM little-endian uint64
        shingles INTEGER NOT NULL,     -- distinct shingles of the body (for the containment test)
        seen TEXT NOT NULL             -- fetched_at of the revision that stored it
    );
    """,
    # 3: one article under several URL forms (AMP, print, mobile host, tracking variants, an old slug): its state is
    # under one key, the canonical URL's for articles recorded since, and every other key it was reached by is an
    # alias; the page address of the latest revision tells a copy in another form from the article's own page
    """
    CREATE TABLE aliases (
        alias TEXT PRIMARY KEY,        -- another key the article was requested or reached under
        key TEXT NOT NULL              -- the key its state is under
    );
    ALTER TABLE articles ADD COLUMN response_url TEXT;  -- page address of the latest revision; null before version 3
    """,
    # 4: article pages that answered as gone (HTTP 500 on every try: Devdiscourse's answer for a NewsId unknown or
    # unpublished), so that the next runs do not ask again at once while a cached sitemap or listing still names them
    """
    CREATE TABLE gone (
        key TEXT PRIMARY KEY,          -- the article key it was requested under
        url TEXT NOT NULL,             -- the page asked for
        first_gone TEXT NOT NULL,      -- when it first answered as gone (ISO 8601)
        last_tried TEXT NOT NULL,      -- when it last answered as gone
        times INTEGER NOT NULL,        -- runs that found it gone since it first was
        signal TEXT                    -- the newest change claim a source made for it then
    );
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
INTERRUPTED = "interrupted"
"""A run's status once SIGTERM/SIGINT stopped it gracefully: closed like a finished run (its feed and state agree), so
the next run does not reconcile it as killed; kept apart from "finished" so the state says what happened."""
CLOSED_RUN_STATUSES = ("finished", INTERRUPTED)
"""The statuses of a run that closed and recorded its end; "running" is a run still going or killed, "killed" one
reconciled after it (the runs table's comment predates "interrupted", which a migration need not add)."""
COMMIT_EVERY = 256
"""Item writes per transaction at most; a commit per item was most of a crawl's state cost."""
COMMIT_SECONDS = 1.0
"""Age after which the open batch is due (``commit_due``); the revision pipeline also commits it on this period."""


class StateError(Exception):
    """The state file cannot be used; the message names the file and what to do."""


@dataclass(frozen=True)
class ArticleState:
    key: str
    url: str
    first_seen: str
    last_fetched: str
    etag: str | None
    last_modified: str | None
    body_sha256: str | None
    content_sha256: str
    revision: int
    signal: str | None
    published_at: str | None
    response_url: str | None = None
    """The page address the latest revision was read from (after redirects); None when not recorded."""


@dataclass(frozen=True)
class Revision:
    key: str
    revision: int
    crawl_id: str
    fetched_at: str
    url: str
    content_sha256: str
    body_sha256: str | None
    item: dict[str, Any]
    response_url: str | None = None
    """The page address it was read from (after redirects); recorded as the article's, not per revision."""


@dataclass(frozen=True)
class GoneArticle:
    """An article page that answered as gone (state/incremental.py decides when to ask again)."""

    key: str
    url: str
    first_gone: str
    last_tried: str
    times: int
    signal: str | None


@dataclass(frozen=True)
class StoredStory:
    key: str
    story_id: str
    signature: bytes
    shingles: int
    seen: str


OPEN_TIMEOUT = 30.0  # seconds a worker waits for others that hold the state file


def _enter_wal_mode(db: sqlite3.Connection) -> None:
    """Switch `db` to WAL, waiting for other processes that are switching or migrating the same new file.

    The busy timeout does not cover this: switching needs the write lock while the pragma already holds a read
    lock, and SQLite answers "database is locked" at once rather than risk two upgrading readers deadlocking
    (about one start in thirty when six workers open a fresh state file together). Retrying from scratch is safe
    because the pragma holds nothing once it has failed.
    """
    deadline = time.monotonic() + OPEN_TIMEOUT
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


class StateStore:
    def __init__(self, path: Path | None) -> None:
        """The state file at `path`; None for a private temporary one (a replay's), deleted when closed.

        A temporary store lives on disk, not in memory: it holds every emitted item, so an in-memory database
        would grow a replay's RSS by the size of its feed.
        """
        self.path = path if path is not None else Path("(temporary)")
        try:
            if path is None:
                self.db = sqlite3.connect("", isolation_level=None)  # "": SQLite's private temporary file
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(path, timeout=OPEN_TIMEOUT, isolation_level=None)
                _enter_wal_mode(self.db)
                self.db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable at checkpoints, never corrupt
            self._migrate()
        except (sqlite3.Error, OSError) as error:
            raise StateError(f"cannot open crawl state {path}: {error}. Move the file aside to inspect it; "
                             "it is never deleted automatically.") from error

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StateError(f"{self.path} has schema version {version}, newer than this newscrawl "
                             f"({SCHEMA_VERSION}); upgrade newscrawl")
        for number in range(version, SCHEMA_VERSION):
            # executescript commits on its own, so the migration and its version bump form one script
            try:
                self.db.executescript(
                    f"BEGIN IMMEDIATE; {MIGRATIONS[number]}; PRAGMA user_version = {number + 1}; COMMIT;")
            except sqlite3.OperationalError:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                if self.db.execute("PRAGMA user_version").fetchone()[0] > number:
                    continue  # another process (a second worker starting) ran this migration first
                raise

    _batched = 0
    _batch_started = 0.0
    _abandoned = False

    def transaction(self) -> Any:
        """A transaction of its own (the open batch is committed first), for changes that must be atomic now."""
        self.commit()
        return _Transaction(self.db)

    def commit(self) -> None:
        """Commit the open batch of item writes, if any. During a crawl the revision pipeline calls it (its timer,
        and after an item's revision once ``commit_due``): the store never commits a batch on its own, so that one
        function decides when and handles a refusing disk (pipelines/revisions.py ``commit_state``). After
        ``abandon_batches`` it rolls the batch back instead."""
        if self.db.in_transaction:
            self.db.execute("ROLLBACK" if self._abandoned else "COMMIT")
        self._batched = 0

    def abandon_batches(self) -> None:
        """Roll back the open batch of item writes and every later one, after the disk refused a commit: committing
        again would only fail again (at close, in a traceback), and a run whose state lost a batch is reconciled
        from its feed by the next run anyway (recovery.py), as after a kill."""
        self._abandoned = True
        self.commit()

    def _batch(self) -> None:
        """Join the open batch of item writes, or open one."""
        if not self.db.in_transaction:
            self.db.execute("BEGIN IMMEDIATE")
            self._batched, self._batch_started = 0, time.monotonic()

    def _written(self) -> None:
        """Count one item write (committing is the caller's: see commit_due)."""
        self._batched += 1

    def commit_due(self) -> bool:
        """Whether the open batch is full (COMMIT_EVERY writes) or old (COMMIT_SECONDS) and should be committed."""
        return bool(self.db.in_transaction) and (self._batched >= COMMIT_EVERY
                                                 or time.monotonic() - self._batch_started >= COMMIT_SECONDS)

    def close(self) -> None:
        self.commit()
        self.db.close()

    # ---- articles ---------------------------------------------------------------------------------------------
    def article(self, key: str) -> ArticleState | None:
        """The article stored under `key`, or under the key `key` is an alias of."""
        row = self.db.execute("SELECT key, url, first_seen, last_fetched, etag, last_modified, body_sha256, "
                              "content_sha256, revision, signal, published_at, response_url FROM articles WHERE key "
                              "IN (?, (SELECT key FROM aliases WHERE alias = ?)) ORDER BY key != ? LIMIT 1",
                              (key, key, key)).fetchone()
        return ArticleState(*row) if row else None

    def find(self, *keys: str) -> tuple[str, ArticleState | None]:
        """The key an article's state is under, and its state: that of the first of `keys` (its canonical URL's, then
        its request URL's) the state knows, directly or as an alias; else the first key and None. So an article
        recorded under its request URL's key before aliases existed stays there, and a new one goes under its
        canonical URL's."""
        for key in dict.fromkeys(keys):
            known = self.article(key)
            if known is not None:
                return known.key, known
        return keys[0], None

    def state_key(self, *keys: str) -> str:
        """The key of ``find``."""
        return self.find(*keys)[0]

    def record_alias(self, alias: str, key: str) -> None:
        """Remember that the article under `key` is also reached as `alias` (another URL form)."""
        if alias == key:
            return
        self._batch()
        self.db.execute("INSERT OR REPLACE INTO aliases VALUES (?, ?)", (alias, key))
        self._written()

    def touch(self, key: str, fetched_at: str, signal: str | None = None, etag: str | None = None,
              last_modified: str | None = None, body_sha256: str | None = None) -> None:
        """Record a fetch that produced no new revision (304, or unchanged content), by its key or an alias."""
        key = self.state_key(key)
        self._batch()
        self.db.execute(
            "UPDATE articles SET last_fetched = ?, signal = COALESCE(?, signal), etag = COALESCE(?, etag), "
            "last_modified = COALESCE(?, last_modified), body_sha256 = COALESCE(?, body_sha256) WHERE key = ?",
            (fetched_at, signal, etag, last_modified, body_sha256, key))
        self._written()

    def record_revision(self, revision: Revision, *, etag: str | None, last_modified: str | None,
                        signal: str | None, published_at: str | None, trail_key: str | None = None) -> None:
        """Store an emitted revision and make it the article's current state, atomically (one batch holds both).
        `trail_key` is for the Redis twin, whose routes' claims arrive from other workers; here every claim of the
        run is in `signal` already."""
        self._batch()
        self.db.execute("INSERT OR REPLACE INTO revisions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (revision.key, revision.revision, revision.crawl_id, revision.fetched_at, revision.url,
                         revision.content_sha256, revision.body_sha256,
                         json.dumps(revision.item, ensure_ascii=False, sort_keys=True)))
        self.db.execute(
            "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
            "url = excluded.url, last_fetched = excluded.last_fetched, etag = excluded.etag, "
            "last_modified = excluded.last_modified, body_sha256 = excluded.body_sha256, "
            "content_sha256 = excluded.content_sha256, revision = excluded.revision, "
            "signal = COALESCE(excluded.signal, articles.signal), published_at = excluded.published_at, "
            "response_url = excluded.response_url",
            (revision.key, revision.url, revision.fetched_at, revision.fetched_at, etag, last_modified,
             revision.body_sha256, revision.content_sha256, revision.revision, signal, published_at,
             revision.response_url))
        self._written()

    # ---- articles that answered as gone ------------------------------------------------------------------------
    def gone(self, key: str) -> GoneArticle | None:
        row = self.db.execute("SELECT key, url, first_gone, last_tried, times, signal FROM gone WHERE key = ?",
                              (key,)).fetchone()
        return GoneArticle(*row) if row else None

    def record_gone(self, tried_at: str, gone: list[tuple[str, str, str | None]],
                    kept: timedelta = GoneSchedule.kept) -> None:
        """Remember the run's gone articles, (key, url, newest change claim) each, found gone at `tried_at`, in one
        transaction; those not found gone for `kept` (NEWSCRAWL_GONE_KEPT_DAYS: gone.py) are forgotten."""
        with self.transaction():
            self.db.executemany(
                "INSERT INTO gone VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT(key) DO UPDATE SET url = excluded.url, "
                "last_tried = excluded.last_tried, times = gone.times + 1, "
                "signal = COALESCE(excluded.signal, gone.signal)",
                [(key, url, tried_at, tried_at, signal) for key, url, signal in gone])
            forgotten = (datetime.fromisoformat(tried_at) - kept).isoformat()
            self.db.execute("DELETE FROM gone WHERE last_tried < ?", (forgotten,))

    # ---- wire-story lineage --------------------------------------------------------------------------------------
    def record_story(self, story: StoredStory) -> None:
        """Remember an emitted article's story and body signature, so later runs can find copies of it."""
        self._batch()
        self.db.execute("INSERT OR REPLACE INTO stories VALUES (?, ?, ?, ?, ?)",
                        (story.key, story.story_id, story.signature, story.shingles, story.seen))
        self._written()

    def recent_stories(self, limit: int) -> list[StoredStory]:
        """The `limit` most recently stored stories, oldest first (the order LineagePipeline indexes them in)."""
        rows = self.db.execute("SELECT key, story_id, signature, shingles, seen FROM stories "
                               "ORDER BY rowid DESC LIMIT ?", (limit,)).fetchall()
        return [StoredStory(*row) for row in reversed(rows)]

    def revisions(self, url_or_key: str) -> list[Revision]:
        """Every revision of an article, oldest first, found by key or by any URL it had."""
        rows = self.db.execute(
            "SELECT key, revision, crawl_id, fetched_at, url, content_sha256, body_sha256, item FROM revisions "
            "WHERE key = ? OR key IN (SELECT key FROM revisions WHERE url = ?) ORDER BY revision",
            (self.state_key(url_or_key), url_or_key)).fetchall()
        return [Revision(key=row[0], revision=row[1], crawl_id=row[2], fetched_at=row[3], url=row[4],
                         content_sha256=row[5], body_sha256=row[6], item=json.loads(row[7])) for row in rows]

    # ---- runs ---------------------------------------------------------------------------------------------------
    def start_run(self, crawl_id: str, spider: str, started_at: str, feed: str | None) -> None:
        """Committed at once, with whatever came before: recovery finds a killed run by this row."""
        self.commit()
        self.db.execute("INSERT OR REPLACE INTO runs VALUES (?, ?, ?, NULL, 'running', ?)",
                        (crawl_id, spider, started_at, feed))

    def finish_run(self, crawl_id: str, finished_at: str, status: str = "finished") -> None:
        """The run's batch is committed before it is marked finished: a finished run's items are all recorded."""
        self.commit()
        self.db.execute("UPDATE runs SET finished_at = ?, status = ? WHERE crawl_id = ?",
                        (finished_at, status, crawl_id))

    def unfinished_runs(self, spider: str, except_crawl_id: str) -> list[tuple[str, str | None]]:
        return self.db.execute("SELECT crawl_id, feed FROM runs WHERE spider = ? AND status = 'running' "
                               "AND crawl_id != ?", (spider, except_crawl_id)).fetchall()

    def forget_unexported(self, crawl_id: str, exported: set[tuple[str, int]]) -> int:
        """After a killed run: drop the revisions it recorded that never reached its feed, and roll the affected
        articles back to their previous revision (or forget them), so the next run fetches them again."""
        with self.transaction():
            rows = self.db.execute("SELECT key, revision FROM revisions WHERE crawl_id = ?", (crawl_id,)).fetchall()
            lost = [(key, rev) for key, rev in rows if (key, rev) not in exported]
            for key, rev in lost:
                self.db.execute("DELETE FROM revisions WHERE key = ? AND revision = ?", (key, rev))
                previous = self.db.execute("SELECT revision, fetched_at, url, content_sha256, body_sha256 FROM "
                                           "revisions WHERE key = ? ORDER BY revision DESC LIMIT 1",
                                           (key,)).fetchone()
                if previous is None:
                    self.db.execute("DELETE FROM articles WHERE key = ?", (key,))
                else:
                    self.db.execute("UPDATE articles SET revision = ?, last_fetched = ?, url = ?, content_sha256 = ?,"
                                    " body_sha256 = ?, signal = NULL, etag = NULL, last_modified = NULL, "
                                    "response_url = NULL WHERE key = ?", (*previous, key))
        return len(lost)

    def has_revision(self, key: str, revision: int) -> bool:
        return self.db.execute("SELECT 1 FROM revisions WHERE key = ? AND revision = ?",
                               (key, revision)).fetchone() is not None

    def keys(self) -> Iterator[str]:
        for (key,) in self.db.execute("SELECT key FROM articles"):
            yield key


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


@dataclass(frozen=True)
class RunRecord:
    """One run as the state file knows it: enough to show a run that wrote no report (killed, crashed)."""

    crawl_id: str
    spider: str
    started_at: str
    finished_at: str | None
    status: str
    """"running", "finished", "interrupted" (stopped gracefully by SIGTERM/SIGINT) or "killed" (set when the next run
    reconciled it)."""
    feed: str | None
    new_items: int
    """Revision-1 items the state recorded for the run (after a kill: those that reached its feed)."""
    revisions: int


def read_runs(path: Path) -> list[RunRecord]:
    """Every run of a state file, read-only (no migration, no lock); [] for a missing or unreadable file."""
    if not path.is_file():
        return []
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = db.execute(
                "SELECT r.crawl_id, r.spider, r.started_at, r.finished_at, r.status, r.feed, "
                "COALESCE(SUM(v.revision = 1), 0), COALESCE(SUM(v.revision > 1), 0) FROM runs r "
                "LEFT JOIN revisions v ON v.crawl_id = r.crawl_id GROUP BY r.crawl_id").fetchall()
        finally:
            db.close()
    except sqlite3.Error as error:
        logger.warning("Cannot read the runs of %(path)s: %(error)s", {"path": path, "error": error})
        return []
    return [RunRecord(*row) for row in rows]


@dataclass(frozen=True)
class GoneRecords:
    """What a state file remembers of gone article pages, for `newscrawl status`."""

    by_site: dict[str, int] = field(default_factory=dict)
    """Gone pages per site (the URL's host, lower case), most first."""
    latest: list[GoneArticle] = field(default_factory=list)
    """The most recently found gone, newest first."""
    source: str = ""
    """Where they were read: the state file, or the Redis URL (no password) and hash of a distributed state."""
    shared: bool = False
    """True for the Redis state distributed workers share (distributed/state.py), False for a SQLite file."""
    unreadable: str | None = None
    """Why the state, or some of its records, could not be read (what was read is kept), for `newscrawl status
    --json`'s problems."""

    @property
    def total(self) -> int:
        return sum(self.by_site.values())


def read_gone(path: Path, latest: int) -> GoneRecords:
    """The gone pages a state file remembers (counted per site) and the `latest` most recently found gone, read-only
    (no migration, no lock: a running crawl keeps writing); empty for a missing file or one from before the gone
    table (schema 4), and, with a warning naming it, for an unreadable one."""
    if not path.is_file():
        return GoneRecords(source=str(path))
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'gone'").fetchone() is None:
                return GoneRecords(source=str(path))
            sites = Counter(_site(url) for (url,) in db.execute("SELECT url FROM gone"))
            rows = db.execute("SELECT key, url, first_gone, last_tried, times, signal FROM gone "
                              "ORDER BY last_tried DESC, key LIMIT ?", (latest,)).fetchall()
        finally:
            db.close()
    except sqlite3.Error as error:
        logger.warning("Cannot read the gone articles of %(path)s: %(error)s", {"path": path, "error": error})
        return GoneRecords(source=str(path), unreadable=str(error) or repr(error))
    return GoneRecords(dict(sorted(sites.items(), key=lambda item: (-item[1], item[0]))),
                       [GoneArticle(*row) for row in rows], source=str(path))


def summarise_gone(pages: list[GoneArticle], latest: int, **where: Any) -> GoneRecords:
    """GoneRecords of every gone page a state holds, as read_gone makes them from SQL (for the Redis state, which
    has no SQL); `where`: GoneRecords' source, shared and unreadable."""
    sites = Counter(_site(page.url) for page in pages)
    newest = sorted(sorted(pages, key=lambda page: page.key), key=lambda page: page.last_tried, reverse=True)
    return GoneRecords(dict(sorted(sites.items(), key=lambda item: (-item[1], item[0]))), newest[:latest], **where)


def _site(url: str) -> str:
    """The URL's host, "?" when it has none or urlsplit refuses it (a bad IPv6 literal)."""
    try:
        return urlsplit(url).hostname or "?"
    except ValueError:
        return "?"
