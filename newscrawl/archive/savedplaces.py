"""Where a folder's saved pages are, kept in a scratch database instead of a list of Python objects.

A replay of a folder of saved pages needs, per page, its URL, file, time, digest and content type: to answer a
request for the URL, to list the pages in folder order, and to fingerprint the folder for the run's identity.
Held as objects (SavedPlace, ~0.5 KiB each with the URL maps) they grew a replay by the size of the folder; here
they are rows of a scratch database (scratchdb.py), read back one at a time as SavedPlace.

A URL saved more than once is answered as a WARC's URL captured more than once is (warc.preferred: its last capture,
a WARC's captures being written as they are made): by its latest save, the saves ordered by their capture time
(SavedPlace.fetched_at: a stamped folder's, else the page's own saved time, else the file's), then by path. The
answer is chosen when asked, not when a page is added: a later page of the folder may be an earlier capture
(waybackpack's ``20190101…/HOST/…`` sorts before ``20190305…/HOST/…``, but a page saved by hand sorts
anywhere).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

from w3lib.url import canonicalize_url

from newscrawl.archive.savedhtml import SavedPlace
from newscrawl.scratchdb import scratch_database

# URLs and paths are stored as bytes (_stored): a file name that is not UTF-8 reaches Python as lone surrogates,
# which SQLite's TEXT refuses, and a page whose name is such is a page like any other.
_SCHEMA = """
CREATE TABLE pages (
    n INTEGER PRIMARY KEY,     -- the order pages were added in (the folder's)
    url BLOB NOT NULL,
    path BLOB NOT NULL,
    fetched_at TEXT NOT NULL,  -- ISO 8601, with its offset
    captured INTEGER NOT NULL, -- fetched_at in microseconds since 1970 (UTC): the order of one URL's saves
    body_sha256 TEXT NOT NULL,
    content_type BLOB NOT NULL,
    truncated TEXT,            -- why the page is incomplete (SavedPlace.truncated), NULL when whole
    url_from_path INTEGER NOT NULL,  -- 1: its URL was rebuilt from a mirror's folder names (SavedPlace.url_from_path)
    version_of INTEGER NOT NULL  -- n of the first page added with its URL (its own n if none): its saves' group
);
CREATE INDEX pages_by_version ON pages (version_of, captured, path);
CREATE TABLE answers (
    key BLOB PRIMARY KEY,      -- a page's URL, and its canonical form where that differs
    n INTEGER NOT NULL         -- the first page added under the key: its group's version_of
) WITHOUT ROWID;
"""
_LATEST = "ORDER BY captured DESC, path DESC LIMIT 1"
"""Of one URL's saves, the one that answers it: the latest capture, the last by path among saves of one time (as
the last of a WARC's captures made at one time, in archive order, answers)."""
_BATCH = 256
_COLUMNS = "url, path, fetched_at, body_sha256, content_type, truncated, url_from_path"


class SavedPlaces:
    """Saved pages in the order they were added (the folder's); a URL is answered by the latest save of the first
    URL added that is it, exactly or in its canonical form (module doc)."""

    def __init__(self) -> None:
        self._db = scratch_database(_SCHEMA, "saved pages listed")
        self._count = 0
        self.urls = 0
        """How many pages answer their own URL: the URLs a replay answers, not counting a page saved twice."""

    def close(self) -> None:
        self._db.close()

    def add(self, page: SavedPlace) -> None:
        """Lists the page, as one more save of its URL when a page with that URL was added before. Which save answers
        is known once every page is added: ``superseded`` names the others."""
        group = self._answering_number(page.url) if self._count else None
        number = self._count
        self._db.execute("INSERT INTO pages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (
            number, _stored(page.url), _stored(page.path), page.fetched_at.isoformat(), _microseconds(page.fetched_at),
            page.body_sha256, _stored(page.content_type), page.truncated, int(page.url_from_path),
            number if group is None else group))
        keys = {page.url, canonicalize_url(page.url)}
        self._db.executemany("INSERT OR IGNORE INTO answers VALUES (?, ?)", ((_stored(key), number) for key in keys))
        self._count += 1
        self.urls += group is None

    def superseded(self) -> Iterator[tuple[SavedPlace, SavedPlace]]:
        """Each page that does not answer its URL, with the page that does (its URL's latest save), in folder order:
        the same article saved more than once, maybe to follow its edits, which its caller tells, as nothing else
        would."""
        cursor = self._db.execute(
            "SELECT page.n, latest.n FROM pages AS page JOIN (SELECT version_of, n FROM (SELECT version_of, n, "
            "ROW_NUMBER() OVER (PARTITION BY version_of ORDER BY captured DESC, path DESC) AS rank FROM pages) "
            "WHERE rank = 1) AS latest ON page.version_of = latest.version_of WHERE page.n != latest.n "
            "ORDER BY page.n")
        while rows := cursor.fetchmany(_BATCH):
            for page, latest in rows:
                yield self._at(page), self._at(latest)

    def answering(self) -> Iterator[tuple[int, SavedPlace]]:
        """The pages that answer their URL, each with its place in folder order, in that order: an archive's
        candidates, as a WARC offers only the capture that answers a URL, at its place."""
        cursor = self._db.execute(
            f"SELECT n, {_COLUMNS} FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY version_of ORDER BY captured DESC, "
            "path DESC) AS rank FROM pages) WHERE rank = 1 ORDER BY n")
        while rows := cursor.fetchmany(_BATCH):
            for number, *row in rows:
                yield int(number), _place(tuple(row))

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[SavedPlace]:
        cursor = self._db.execute(f"SELECT {_COLUMNS} FROM pages ORDER BY n")
        while rows := cursor.fetchmany(_BATCH):
            for row in rows:
                yield _place(row)

    def get(self, url: str) -> SavedPlace | None:
        """The page answering `url`: the latest save of the first URL added that is `url`, else its canonical form."""
        if not self._count:
            return None
        for key in (url, canonicalize_url(url)):
            if (place := self._answering(key)) is not None:
                return place
        return None

    def versions(self, url: str) -> list[SavedPlace]:
        """Every page saved of the URL `get` answers, oldest first by capture time, by path between pages captured
        at one time, so the page answering it is the last (a `versions=all` replay, spiders/versions.py); [] when no
        page answers `url`."""
        if not self._count:
            return []
        for key in (url, canonicalize_url(url)):
            if (number := self._answering_number(key)) is not None:
                cursor = self._db.execute(f"SELECT {_COLUMNS} FROM pages WHERE version_of = ? "
                                          "ORDER BY captured, path", (number,))
                return [_place(row) for row in cursor]
        return []

    def position(self, page: SavedPlace) -> int | None:
        """The page's place in folder order (as iterating gives the pages), looked up among the versions of the URL
        it was saved under (its file names it); None when it is not listed."""
        for key in (page.url, canonicalize_url(page.url)):
            if (number := self._answering_number(key)) is not None:
                row = self._db.execute("SELECT n FROM pages WHERE version_of = ? AND path = ?",
                                       (number, _stored(page.path))).fetchone()
                if row is not None:
                    return int(row[0])
        return None

    def _answering(self, key: str) -> SavedPlace | None:
        group = self._answering_number(key)
        if group is None:
            return None
        row = self._db.execute(f"SELECT {_COLUMNS} FROM pages WHERE version_of = ? {_LATEST}", (group,)).fetchone()
        return _place(row)

    def _answering_number(self, key: str) -> int | None:
        row = self._db.execute("SELECT n FROM answers WHERE key = ?", (_stored(key),)).fetchone()
        return int(row[0]) if row is not None else None

    def _at(self, number: int) -> SavedPlace:
        return _place(self._db.execute(f"SELECT {_COLUMNS} FROM pages WHERE n = ?", (number,)).fetchone())


def _stored(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # any str, and back unchanged by _text


def _text(stored: bytes) -> str:
    return stored.decode("utf-8", "surrogatepass")


def _microseconds(when: datetime) -> int:
    """A time as one integer that sorts as the times do, whatever their offsets (ISO strings would not)."""
    delta = when - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _place(row: tuple[bytes, bytes, str, str, bytes, str | None, int]) -> SavedPlace:
    url, path, fetched_at, body_sha256, content_type, truncated, url_from_path = row
    return SavedPlace(_text(url), _text(path), datetime.fromisoformat(fetched_at), body_sha256, _text(content_type),
                      truncated, bool(url_from_path))
