"""What each process of a parallel replay writes beside its feed, for the parent to merge (newscrawl/parallel/).

`entries.jsonl`, one line per item in the order the process handled it: the item's place in the one-process order
(its request's META_RANK), its canonical URL and article key, its body's MinHash signature and the story_id this
process gave it; emitted items in feed order, plus items dropped after the lineage pipeline (they were indexed as
stories and claimed their URL, so the parent's redo of lineage and de-duplication must see them too).
`process.json` at close: the stats (and those at release, which every process counted alike), the spider's facts
the run report needs, and the coverage examples.
"""

from __future__ import annotations

import json
from array import array
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newscrawl.extract.minhash import to_bytes
from newscrawl.items import Article
from newscrawl.pipelines.lineage import LineagePipeline, body_signature
from newscrawl.spiders.shard import META_RANK, SHARD_SETTING

SHARD_DIR_SETTING = "NEWSCRAWL_SHARD_DIR"
ENTRIES = "entries.jsonl"
PROCESS = "process.json"
FEED = "items.jsonl"


def json_safe(stats: dict[str, Any]) -> dict[str, Any]:
    """Stats as JSON: datetimes as ISO text (the parent takes times from its own clock anyway)."""
    return {key: value.isoformat() if isinstance(value, datetime) else value for key, value in stats.items()
            if isinstance(value, (int, float, str, list, dict, datetime, type(None)))}


class ShardRecorder:
    """Extension, active only with NEWSCRAWL_SHARD set (a process started by the parallel replay)."""

    def __init__(self, crawler: Any, folder: Path) -> None:
        self.crawler = crawler
        self.folder = folder
        self.min_words = crawler.settings.getint("NEWSCRAWL_LINEAGE_MIN_WORDS", 40)
        self.entries: IO[str] = open(folder / ENTRIES, "w", encoding="utf-8")
        self._lineage: LineagePipeline | bool | None = None
        """The crawl's lineage pipeline (False: none), found on first use."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> ShardRecorder:
        if not crawler.settings.get(SHARD_SETTING):
            raise NotConfigured  # a normal one-process crawl; silent
        recorder = cls(crawler, Path(crawler.settings[SHARD_DIR_SETTING]))
        crawler.signals.connect(recorder.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(recorder.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        return recorder

    def _write(self, item: Any, response: Any, dropped: str | None) -> None:
        spider = self.crawler.spider
        rank = (response.meta.get(META_RANK) if response is not None else None) or (-1, -1)
        found = self._signature(item) if item.story_id is not None else None
        key = spider.article_key(item.provenance.request_url) if item.provenance is not None else None
        entry = {"rank": list(rank), "url": item.url, "key": key, "story": item.story_id, "dropped": dropped,
                 "sig": to_bytes(found[0]).hex() if found else None, "size": found[1] if found else 0}
        self.entries.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def _signature(self, item: Article) -> tuple[Any, int] | None:
        """The body's signature: the one the lineage pipeline computed for this item while it waits for the feed
        (this extension's signal handlers run before the pipeline's), else computed again (same function)."""
        if self._lineage is None:
            processor = getattr(getattr(self.crawler.engine, "scraper", None), "itemproc", None)
            self._lineage = next((pipeline for pipeline in getattr(processor, "middlewares", ())
                                  if isinstance(pipeline, LineagePipeline)), False)
        pending = getattr(self._lineage, "_pending", None)
        waiting = pending.get(item.url) if isinstance(pending, dict) else None
        if isinstance(waiting, tuple) and len(waiting) == 3 and isinstance(waiting[1], array):
            return waiting[1], waiting[2]
        return body_signature(item.body, self.min_words)

    def item_scraped(self, item: Any, response: Any = None, spider: Any = None) -> None:
        if isinstance(item, Article):
            self._write(item, response, None)

    def item_dropped(self, item: Any, response: Any = None, exception: Any = None, spider: Any = None) -> None:
        # story_id is set by the lineage pipeline: an item dropped after it was indexed and claimed its URL
        if isinstance(item, Article) and item.story_id is not None:
            self._write(item, response, type(exception).__name__)

    def spider_closed(self, spider: Any, reason: str) -> None:
        self.entries.close()
        shard = getattr(spider, "shard", None)
        coverage = getattr(self.crawler, "coverage", None)
        facts = {"reason": reason, "stats": json_safe(self.crawler.stats.get_stats()),
                 "stats_at_release": json_safe(shard.stats_at_release) if shard and shard.stats_at_release else None,
                 "discovered": getattr(spider, "discovered_count", 0),
                 "damaged_inputs": list(getattr(spider, "damaged_inputs", [])),
                 "discovery_failures": list(getattr(spider, "discovery_failures", [])),
                 "missing_examples": coverage.missing_examples if coverage is not None else {}}
        with open(self.folder / PROCESS, "w", encoding="utf-8") as out:
            json.dump(facts, out, ensure_ascii=False, default=str)
