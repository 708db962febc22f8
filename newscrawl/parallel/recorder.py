"""What each process of a parallel replay writes beside its feed, for the parent to merge (newscrawl/parallel/).

`entries.jsonl`, one line per item in the order the process handled it: the item's place in the one-process order
(its request's META_RANK), its canonical URL and article key, its body's MinHash signature and the story_id this
process gave it, its headline-and-body fingerprint and page address (for the parent's de-duplication, which may put
it under its own address: pipelines/dedup.py) and archived record (a later version of a page claims its URL
again: a `versions=all` replay, spiders/versions.py); emitted items in feed order, plus items dropped after the lineage
pipeline (they claimed their URL and were indexed as stories, so the parent's redo of both must see them too).
In a process, the lineage pipeline is ShardLineage: it computes each body's signature (for entries.jsonl) and leaves
the story_id at the item's own URL, because only the parent, which sees every process's items in order, can assign
the real one (merge.py); running the story index here too was work thrown away.
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
from scrapy.utils.misc import load_object

from newscrawl.extract.minhash import to_bytes
from newscrawl.fatal import stop_crawl
from newscrawl.items import Article
from newscrawl.monitoring.scratch import DISK_FULL
from newscrawl.pipelines.dedup import fingerprint
from newscrawl.pipelines.lineage import LineagePipeline, body_signature
from newscrawl.spiders.shard import META_RANK, SHARD_SETTING

SHARD_DIR_SETTING = "NEWSCRAWL_SHARD_DIR"
ENTRIES = "entries.jsonl"
COMPLETE = "complete_below"
"""Key of the progress lines in entries.jsonl: every entry of a lower release batch is written (stream.py)."""
PROCESS = "process.json"
FEED = "items.jsonl"


def shard_pipelines(settings: Any) -> dict[Any, int | None]:
    """The item pipelines of a process of a parallel replay: ShardLineage in the lineage pipeline's place."""
    pipelines: dict[Any, int | None] = dict(settings.getwithbase("ITEM_PIPELINES"))
    for path, order in list(pipelines.items()):
        if order is not None and load_object(path) is LineagePipeline:
            pipelines[path] = None  # off, also where it came from ITEM_PIPELINES_BASE
            pipelines[f"{ShardLineage.__module__}.{ShardLineage.__qualname__}"] = order
    return pipelines


class ShardLineage(LineagePipeline):
    """The lineage pipeline of one process: the signature without the story index (the parent assigns stories).

    Items still leave it with a story_id (their own URL, as an original's is), which marks them as having passed
    lineage for the recorder and the later pipelines; the parent rewrites the lines of the copies.
    """

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        item.story_id = item.url
        found = body_signature(item.body, self.index.min_words)
        if found is not None:
            self._pending[item.url] = ("", *found)
        return item

    def item_scraped(self, item: Any, response: Any = None, spider: Any = None) -> None:
        if isinstance(item, Article):
            self._pending.pop(item.url, None)


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
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        return recorder

    def spider_opened(self, spider: Any) -> None:
        shard = getattr(spider, "shard", None)
        if shard is not None:
            shard.on_deal = self.batch_dealt

    def batch_dealt(self, batch: int) -> None:
        """Before release batch `batch` is dealt (the scheduler's queue is empty then): mark, for the parent's merge
        while the processes run (stream.py), the lowest batch an entry may still come from.

        Every request still at work (downloading, or its response in the spider or the item pipelines) is in the
        engine's in-progress set until its items have been through the pipelines (and so recorded here); a
        redirected or retried request carries its original's place. A request of unknown place at work (not
        dealt: no META_RANK) makes no promise at all.
        """
        inprogress = getattr(getattr(self.crawler.engine, "_slot", None), "inprogress", None)
        if inprogress is None:  # another Scrapy: no promise; the parent merges once every process has ended
            return
        lowest = batch
        for request in inprogress:
            rank = request.meta.get(META_RANK)
            if rank is None:
                return
            lowest = min(lowest, rank[0])
        self.entries.write(json.dumps({COMPLETE: lowest}) + "\n")
        self.entries.flush()  # the entries it covers reach the parent; their feed lines are written unbuffered

    def _write(self, item: Any, response: Any, dropped: str | None) -> None:
        spider = self.crawler.spider
        rank = (response.meta.get(META_RANK) if response is not None else None) or (-1, -1)
        found = self._signature(item) if item.story_id is not None else None
        key = spider.article_key(item.provenance.request_url) if item.provenance is not None else None
        entry = {"rank": list(rank), "url": item.url, "key": key, "story": item.story_id, "dropped": dropped,
                 "sig": to_bytes(found[0]).hex() if found else None, "size": found[1] if found else 0,
                 "print": fingerprint(item.title, item.body).hex(),
                 "page": item.provenance.response_url if item.provenance is not None else None,
                 "record": item.provenance.archive.record_id if item.provenance and item.provenance.archive else None}
        try:
            self.entries.write(json.dumps(entry, ensure_ascii=False) + "\n")
        except OSError as error:  # the temporary folder full: the merged feed would miss this item
            stop_crawl(self.crawler, DISK_FULL, f"cannot write this process's share of the replay in {self.folder}: "
                                                f"{error}")

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
        # story_id is set by the lineage pipeline: an item dropped after it claimed its URL and was indexed
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
