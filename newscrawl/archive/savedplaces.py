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
    truncated TEXT,            -- why the page is incomplete (SavedPlace.truncated), NULL when whole
    url_from_path INTEGER NOT NULL,  -- 1: its URL was rebuilt from a mirror's folder names (SavedPlace.url_from_path)
    version_of INTEGER NOT NULL  -- n of the page that answered its URL when it was added (its own n if none)
);
CREATE INDEX pages_by_version ON pages (version_of);
CREATE TABLE answers (
    key BLOB PRIMARY KEY,      -- a page's URL, and its canonical form where that differs
    n INTEGER NOT NULL         -- the first page added under the key
) WITHOUT ROWID;
"""
_BATCH = 256
_COLUMNS = "url, path, fetched_at, body_sha256, content_type, truncated, url_from_path"


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
        # a request for its URL gets the page answering it
        answering = self._answering_number(page.url) if self._count else None
        earlier = self._at(answering) if answering is not None else None
        number = self._count
        self._db.execute("INSERT INTO pages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (
            number, _stored(page.url), _stored(page.path), page.fetched_at.isoformat(), page.body_sha256,
            _stored(page.content_type), page.truncated, int(page.url_from_path),
            number if answering is None else answering))
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

    def versions(self, url: str) -> list[SavedPlace]:
        """Every page saved of the URL `get` answers (the page answering it and each later page of the folder whose
        URL it answered), oldest first by the time each was saved, folder order between pages saved at one time
        (a `versions=all` replay, spiders/versions.py); [] when no page answers `url`."""
        if not self._count:
            return []
        for key in (url, canonicalize_url(url)):
            if (number := self._answering_number(key)) is not None:
                cursor = self._db.execute(f"SELECT {_COLUMNS} FROM pages WHERE version_of = ? ORDER BY n", (number,))
                return sorted((_place(row) for row in cursor), key=lambda place: place.fetched_at)
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
        number = self._answering_number(key)
        return self._at(number) if number is not None else None

    def _answering_number(self, key: str) -> int | None:
        row = self._db.execute("SELECT n FROM answers WHERE key = ?", (_stored(key),)).fetchone()
        return int(row[0]) if row is not None else None

    def _at(self, number: int) -> SavedPlace:
        return _place(self._db.execute(f"SELECT {_COLUMNS} FROM pages WHERE n = ?", (number,)).fetchone())


def _stored(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # any str, and back unchanged by _text


def _text(stored: bytes) -> str:
    return stored.decode("utf-8", "surrogatepass")


def _place(row: tuple[bytes, bytes, str, str, bytes, str | None, int]) -> SavedPlace:
    url, path, fetched_at, body_sha256, content_type, truncated, url_from_path = row
    return SavedPlace(_text(url), _text(path), datetime.fromisoformat(fetched_at), body_sha256, _text(content_type),
                      truncated, bool(url_from_path))
