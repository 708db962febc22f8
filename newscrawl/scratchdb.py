"""A run's scratch databases: what a run must remember per page or request, kept on disk instead of in memory.

Each is SQLite's private temporary file (the empty name): no other connection ever reads it, and it is deleted when
its connection closes or its process dies, so it needs no journal, no syncs, and one transaction for its whole
life (a commit per row was most of an insert's cost). The memory it holds is its page cache, capped by `cache_kib`:
a replay of a million pages remembers their rows in a file and keeps a few MiB of them in RAM, where Python sets and
dicts of the same rows grew by 100 to 200 bytes a page.
"""

from __future__ import annotations

import sqlite3

DEFAULT_CACHE_KIB = 2048
"""SQLite's own default page cache (2 MiB): lookups by a primary key read a page or two each."""


def scratch_database(schema: str, cache_kib: int = DEFAULT_CACHE_KIB) -> sqlite3.Connection:
    """A new private temporary database holding `schema`, inside its one transaction (never committed: its rows
    live as long as the connection)."""
    db = sqlite3.connect("", isolation_level=None)
    db.execute(f"PRAGMA cache_size = -{int(cache_kib)}")
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    db.executescript(schema)
    db.execute("BEGIN")
    return db
