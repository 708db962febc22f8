"""A run's scratch databases: what a run must remember per page or request, kept on disk instead of in memory.

Each is SQLite's private temporary file (the empty name): no other connection ever reads it, and it is deleted when
its connection closes or its process dies, so it needs no journal, no syncs, and one transaction for its whole
life (a commit per row was most of an insert's cost). The memory it holds is its page cache, capped by `cache_kib`:
a replay of a million pages remembers their rows in a file and keeps a few MiB of them in RAM, where Python sets and
dicts of the same rows grew by 100 to 200 bytes a page.

The files live in SQLite's temporary folder (`scratch_folder`), about 1.5 KB a page together. When that folder
fills up, every statement of every scratch database fails alike, wherever it runs (a pipeline, the scheduler's
duplicate filter, a spider callback, a signal handler), so the failure is told where it happens: each scratch
database raises `ScratchSpaceFull` naming the folder and what it was for, and calls the listeners registered with
`when_scratch_space_runs_out` (the crawl's guard, monitoring/scratch.py, which stops the run in one line).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any

DEFAULT_CACHE_KIB = 2048
"""SQLite's own default page cache (2 MiB): lookups by a primary key read a page or two each."""

_SQLITE_FULL = 13
"""SQLite's "database or disk is full" (also its answer to a page count past `PRAGMA max_page_count`)."""
_SQLITE_TEMP_FOLDERS = ("/var/tmp", "/usr/tmp", "/tmp", ".")
"""Where SQLite's Unix build looks for its temporary folder after SQLITE_TMPDIR and TMPDIR, in its order."""


class ScratchSpaceFull(sqlite3.OperationalError):
    """A scratch database found no room for its rows in the scratch folder. An sqlite3.OperationalError still, so
    code written against SQLite's errors handles it as before; the listeners have been told already."""


_listeners: list[Callable[[ScratchSpaceFull], None]] = []


def when_scratch_space_runs_out(listener: Callable[[ScratchSpaceFull], None]) -> Callable[[], None]:
    """Call `listener` with every ScratchSpaceFull raised in this process, until the returned function is called.

    Process-wide on purpose: the folder is the process's, so every crawl running in it meets the same full disk."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener) if listener in _listeners else None


def scratch_folder() -> str:
    """The folder SQLite puts private temporary databases in (Unix): SQLITE_TMPDIR, else TMPDIR, else the first
    writable of /var/tmp, /usr/tmp, /tmp and the working folder. Not Python's tempfile.gettempdir(): without
    TMPDIR, SQLite prefers /var/tmp to /tmp."""
    for folder in (os.environ.get("SQLITE_TMPDIR"), os.environ.get("TMPDIR"), *_SQLITE_TEMP_FOLDERS):
        if folder and os.path.isdir(folder) and os.access(folder, os.W_OK | os.X_OK):
            return folder
    return "."


class _ScratchCursor(sqlite3.Cursor):
    """A cursor whose every step may write (a full page cache spills dirty pages to the file, even while reading)."""

    connection: ScratchDatabase

    def execute(self, sql: str, parameters: Any = (), /) -> _ScratchCursor:
        return self.connection.run(_EXECUTE, sql, parameters, self)

    def executemany(self, sql: str, seq_of_parameters: Iterable[Any], /) -> _ScratchCursor:
        return self.connection.run(_EXECUTEMANY, sql, seq_of_parameters, self)

    def __next__(self) -> Any:
        try:
            return super().__next__()
        except sqlite3.Error as error:
            raise self.connection.told(error) from error

    def fetchone(self) -> Any:
        try:
            return super().fetchone()
        except sqlite3.Error as error:
            raise self.connection.told(error) from error

    def fetchmany(self, size: int | None = 1) -> list[Any]:
        try:
            return super().fetchmany(size)
        except sqlite3.Error as error:
            raise self.connection.told(error) from error

    def fetchall(self) -> list[Any]:
        try:
            return super().fetchall()
        except sqlite3.Error as error:
            raise self.connection.told(error) from error


class ScratchDatabase(sqlite3.Connection):
    """A scratch database's connection: statements as sqlite3's, a full folder told (ScratchSpaceFull)."""

    purpose = "scratch database"
    full: ScratchSpaceFull | None = None
    """Set at the first full folder: without a journal, the failed statement left the file unusable ("database disk
    image is malformed" next), so every later statement raises the same error without running."""

    def told(self, error: sqlite3.Error) -> Exception:
        """`error` as raised to the caller: a full folder becomes ScratchSpaceFull, told to the listeners once."""
        if self.full is not None:
            return self.full
        if getattr(error, "sqlite_errorcode", None) != _SQLITE_FULL:
            return error
        self.full = ScratchSpaceFull(
            f"no room left in the scratch folder {scratch_folder()} for the {self.purpose} ({error}); free space "
            "there or point SQLITE_TMPDIR at a folder with more (docs/operating.md)")
        for listener in list(_listeners):
            listener(self.full)
        return self.full

    def cursor(self, factory: Any = None) -> _ScratchCursor:  # type: ignore[override]
        return super().cursor(_ScratchCursor)

    def execute(self, sql: str, parameters: Any = (), /) -> _ScratchCursor:
        return self.run(_EXECUTE, sql, parameters)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> _ScratchCursor:
        return self.run(_EXECUTEMANY, sql, parameters)

    def run(self, method: Callable[..., _ScratchCursor], sql: str, parameters: Any,
            cursor: _ScratchCursor | None = None) -> _ScratchCursor:
        """Every statement of the database, on `cursor` or a new one: refused once the folder was full, a full
        folder told. `method` is sqlite3's own execute or executemany, not the cursor's override (fewer Python
        calls a statement: a scratch database runs ~15 statements an item)."""
        if self.full is not None:
            raise self.full
        try:
            return method(cursor if cursor is not None else _CURSOR(self, _ScratchCursor), sql, parameters)
        except sqlite3.Error as error:
            raise self.told(error) from error


_CURSOR = sqlite3.Connection.cursor
_EXECUTE = sqlite3.Cursor.execute
_EXECUTEMANY = sqlite3.Cursor.executemany


def scratch_database(schema: str, purpose: str, cache_kib: int = DEFAULT_CACHE_KIB) -> ScratchDatabase:
    """A new private temporary database holding `schema`, inside its one transaction (never committed: its rows
    live as long as the connection). `purpose` names it in the one line a full scratch folder gives."""
    db = sqlite3.connect("", isolation_level=None, factory=ScratchDatabase)
    db.purpose = purpose
    db.execute(f"PRAGMA cache_size = -{int(cache_kib)}")
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    db.executescript(schema)
    db.execute("BEGIN")
    return db
