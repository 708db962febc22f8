"""The bottom layer's shared keys: request-meta names and crawl ids.

Spiders set these on requests; the archive (capture, replay), the fetch middleware and the distributed frontier read
them. They live here, below every other module, so that services never import a spider to learn a key name.
"""

from __future__ import annotations

import os
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

META_FETCHED_AT = "newscrawl_fetched_at"
"""UTC ISO time the response arrived (the archived time in a replay)."""
META_ARCHIVE = "newscrawl_archive"
"""Where the response sits in a WARC: an ArchiveRef or its dict form."""
META_MODE = "newscrawl_mode"
""""live" or "replay"."""
META_KEY = "newscrawl_key"
"""The article key (an outlet's id, else the URL) a request was made for."""
META_ARTICLE_PART = "newscrawl_article_part"
"""On a request for more of an article already parsed (a live blog's update page): the item waiting for it, as plain
JSON data. Neither a discovery source nor an article page: release and failure handling tell it from both."""

REPLAYED_FLAG = "replayed"
"""Response flag of an answer from the archive: fetch-time stamping, capture and politeness leave it alone."""
TRUNCATED_FLAG = "truncated"
"""Response flag of an answer from an archive record known to be incomplete (ArchivedExchange.truncated)."""
URL_FROM_PATH_FLAG = "url_from_path"
"""Response flag of a saved page whose URL was rebuilt from a mirror's folder names (archive/mirrorpaths.py): its
item is flagged url_from_path."""
INCOMPLETE_FLAGS = (TRUNCATED_FLAG, "dataloss")
"""Response flags of a body known to be cut short: "truncated" from the archive (its record says so, or holds less
than the response's Content-Length), "dataloss" from Scrapy (a live response that ended early, kept when
DOWNLOAD_FAIL_ON_DATALOSS is off). Their items are flagged "body_truncated"."""

FATAL_ERROR_STAT = "newscrawl/fatal_error"
"""Stats key a component sets to one line saying why it stopped the crawl (the WARC capture or the state on a full
disk); `scrapy crawl` prints it when it exits 1 (commands/crawl.py). Written only through ``record_fatal_error``."""


class _Stats(Protocol):
    def get_value(self, key: str, default: Any = None) -> Any: ...
    def set_value(self, key: str, value: Any) -> None: ...


def record_fatal_error(stats: _Stats, message: str) -> bool:
    """Record why the crawl stops, unless a cause is recorded already; True if this one was recorded.

    The first failure is the cause and the rest its consequences (a full disk refuses the state commit, then every
    WARC write of the responses still in flight), and Scrapy keeps the first close reason as `finish_reason`: the
    one-line message must name the same failure as that reason, so every writer keeps the first."""
    if stats.get_value(FATAL_ERROR_STAT):
        return False
    stats.set_value(FATAL_ERROR_STAT, message)
    return True


def new_crawl_id(now: datetime) -> str:
    """Sortable, unique run id: UTC start time plus random suffix, e.g. 20250321T133705Z-1a2b3c."""
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


def cache_root() -> Path:
    """Where newscrawl keeps what it prepares once per machine (language tables, archive indexes):
    NEWSCRAWL_CACHE_DIR, else $XDG_CACHE_HOME/newscrawl, else ~/.cache/newscrawl."""
    if os.environ.get("NEWSCRAWL_CACHE_DIR"):
        return Path(os.environ["NEWSCRAWL_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newscrawl"


def archive_index_cache(settings: Any) -> Path | None:
    """The cache folder for archive indexes, or None when NEWSCRAWL_ARCHIVE_INDEX_CACHE is off."""
    return cache_root() if settings.getbool("NEWSCRAWL_ARCHIVE_INDEX_CACHE", True) else None
