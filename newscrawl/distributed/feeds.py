"""FEED_STORAGES for local files in distributed mode: every exported item reaches the kernel at once.

Scrapy's FileFeedStorage opens feeds buffered, so a SIGKILL loses the last few items the exporter wrote. A
single-process run repairs that at its next start (state/recovery.py); a distributed run cannot wait: the worker
releases a request's lease, and records its item in the shared state, right after the item is exported. With an
unbuffered file the item's line is written by one write() before either happens, so a killed worker's feed holds
every item whose request is not given back for another worker to fetch again.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from scrapy.extensions.feedexport import FileFeedStorage


class UnbufferedFileFeedStorage(FileFeedStorage):
    def open(self, spider: Any) -> IO[bytes]:
        path = Path(self.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path.open(self.write_mode, buffering=0)
