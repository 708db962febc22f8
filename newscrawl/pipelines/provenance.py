"""Check and complete the provenance the spider attached from its response, and count items by mode."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from newscrawl.items import Article


class MissingProvenance(DropItem):
    """An article reached the pipelines without fetch facts: a bug in a spider, never silently exported."""


class ProvenancePipeline:
    def __init__(self, stats: Any = None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> ProvenancePipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        provenance = item.provenance
        if provenance is None:
            raise MissingProvenance(f"{item.url}: no provenance attached by the spider")
        if provenance.canonical_url is None:
            provenance.canonical_url = item.url
        if self.stats is not None:
            self.stats.inc_value(f"newscrawl/items/{provenance.mode}")
        return item
