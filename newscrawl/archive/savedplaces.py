"""Where a folder's saved pages are, kept in a scratch database instead of a list of Python objects.

A replay of a folder of saved pages needs, per page, its URL, file, time, digest and content type: to answer a
request for the URL, to list the pages in folder order, and to fingerprint the folder for the run's identity.
Held as objects (SavedPlace, ~0.5 KiB each with the URL maps) they grew a replay by the size of the folder; here
they are rows of a scratch database (scratchdb.py), read back one at a time as SavedPlace.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

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
    body_sha256 TEXT NOT NULL,
    content_type BLOB NOT NULL,
    truncated TEXT             -- why the page is incomplete (SavedPlace.truncated), NULL when whole
);
CREATE TABLE answers (
    key BLOB PRIMARY KEY,      -- a page's URL, and its canonical form where that differs
    n INTEGER NOT NULL         -- the first page added under the key
) WITHOUT ROWID;
"""
_BATCH = 256
_COLUMNS = "url, path, fetched_at, body_sha256, content_type, truncated"


class SavedPlaces:
    """Saved pages in the order they were added; a URL is answered by the first page with it, exactly or in its
    canonical form."""

    def __init__(self) -> None:
        self._db = scratch_database(_SCHEMA, "saved pages listed")
        self._count = 0
        self.urls = 0
        """How many pages answer their own URL: the URLs a replay answers, not counting a page saved twice."""

    def close(self) -> None:
        self._db.close()

    def add(self, page: SavedPlace) -> SavedPlace | None:
        """Lists the page; returns the page added earlier that answers its URL instead, if any (the same article
        saved twice, maybe to follow its edits): its caller says so, as nothing else would."""
        earlier = self._answering(page.url) if self._count else None  # a request for its URL gets that one
        number = self._count
        self._db.execute("INSERT INTO pages VALUES (?, ?, ?, ?, ?, ?, ?)", (
            number, _stored(page.url), _stored(page.path), page.fetched_at.isoformat(), page.body_sha256,
            _stored(page.content_type), page.truncated))
        keys = {page.url, canonicalize_url(page.url)}
        self._db.executemany("INSERT OR IGNORE INTO answers VALUES (?, ?)", ((_stored(key), number) for key in keys))
        self._count += 1
        self.urls += earlier is None
        return earlier

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[SavedPlace]:
        cursor = self._db.execute(f"SELECT {_COLUMNS} FROM pages ORDER BY n")
        while rows := cursor.fetchmany(_BATCH):
            for row in rows:
                yield _place(row)

    def get(self, url: str) -> SavedPlace | None:
        """The page answering `url`: the first added with it as its URL, else with its canonical form."""
        if not self._count:
            return None
        for key in (url, canonicalize_url(url)):
            if (place := self._answering(key)) is not None:
                return place
        return None

    def _answering(self, key: str) -> SavedPlace | None:
        row = self._db.execute(f"SELECT {_COLUMNS} FROM pages WHERE n = (SELECT n FROM answers WHERE key = ?)",
                               (_stored(key),)).fetchone()
        return _place(row) if row is not None else None


def _stored(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # any str, and back unchanged by _text


def _text(stored: bytes) -> str:
    return stored.decode("utf-8", "surrogatepass")


def _place(row: tuple[bytes, bytes, str, str, bytes, str | None]) -> SavedPlace:
    url, path, fetched_at, body_sha256, content_type, truncated = row
    return SavedPlace(_text(url), _text(path), datetime.fromisoformat(fetched_at), body_sha256, _text(content_type),
                      truncated)
