"""One item per canonical URL within a run.

Memory stays small and bounded by the run: we keep 16-byte digests, not URLs (≈ 100 bytes per article).
"""

from __future__ import annotations

import hashlib
from typing import Any

from scrapy.exceptions import DropItem

from newscrawl.items import Article


class DuplicateArticle(DropItem):
    """The run already emitted an item with this canonical URL."""


class DedupPipeline:
    def __init__(self) -> None:
        self.seen: set[bytes] = set()

    def process_item(self, item: Any) -> Any:
        if isinstance(item, Article):
            key = hashlib.blake2b(item.url.encode(), digest_size=16).digest()
            if key in self.seen:
                raise DuplicateArticle(f"{item.url}: already emitted in this run")
            self.seen.add(key)
        return item
