"""The requests a run has already scheduled, remembered on disk: Scrapy's duplicate filter without its set in memory.

Scrapy's RFPDupeFilter keeps every request's 20-byte fingerprint in a Python set for the whole run, ~100 bytes a
request: 100 MB for a replay of an archive of a million pages, which is what the replay's memory grew by. This
filter answers the same question from a scratch database (scratchdb.py) with a 1 MiB page cache. With a JOBDIR,
Scrapy's own filter runs unchanged: it persists the fingerprints in its own file format for a paused crawl to resume.

It is installed by an add-on (ADDONS in settings.py), at the add-on priority, not as a project setting: a
DUPEFILTER_CLASS of the user's still wins, and so does the distributed mode's filter (its add-on comes after).
"""

from __future__ import annotations

from typing import Any

from scrapy.dupefilters import RFPDupeFilter
from scrapy.http import Request

from newscrawl.scratchdb import scratch_database


class SeenRequests(RFPDupeFilter):
    def __init__(self, path: str | None = None, debug: bool = False, *, fingerprinter: Any = None) -> None:
        super().__init__(path, debug, fingerprinter=fingerprinter)
        self._seen = None if self.file else scratch_database(
            "CREATE TABLE seen (fingerprint BLOB PRIMARY KEY) WITHOUT ROWID", "requests seen", cache_kib=1024)

    def request_seen(self, request: Request) -> bool:
        if self._seen is None:
            return super().request_seen(request)
        added = self._seen.execute("INSERT OR IGNORE INTO seen VALUES (?)", (self.fingerprinter.fingerprint(request),))
        return added.rowcount == 0

    def close(self, reason: str) -> None:
        super().close(reason)
        if self._seen is not None:
            self._seen.close()
            self._seen = None


class SeenRequestsAddon:
    """Makes SeenRequests the duplicate filter unless something else names one."""

    def update_settings(self, settings: Any) -> None:
        settings.set("DUPEFILTER_CLASS", f"{SeenRequests.__module__}.{SeenRequests.__qualname__}", priority="addon")
