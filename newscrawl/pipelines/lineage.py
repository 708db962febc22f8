"""Wire-story lineage: one `story_id` for the near-duplicate copies of a story, in this run and in earlier ones.

Each body becomes a MinHash signature of its 5-word shingles (extract/minhash.py). LSH band keys find earlier
items that may be copies; a candidate is the same story when their estimated Jaccard similarity reaches
NEWSCRAWL_LINEAGE_SIMILARITY, or when the shorter text is almost wholly contained in the longer (an outlet that ran
only the first paragraphs of the wire copy). The story's id is the canonical URL of its first copy seen; with a
crawl state, earlier runs' copies count (see LineagePipeline).

Memory is bounded: the index keeps the last NEWSCRAWL_LINEAGE_MAX_ITEMS items (in a temporary SQLite file,
not in RAM: see StoryIndex) and forgets the oldest first. Settings: NEWSCRAWL_LINEAGE_ENABLED (default on),
NEWSCRAWL_LINEAGE_MAX_ITEMS (20000), NEWSCRAWL_LINEAGE_SIMILARITY (0.4), NEWSCRAWL_LINEAGE_CONTAINMENT (0.7),
NEWSCRAWL_LINEAGE_MIN_WORDS (40: shorter bodies — teasers, briefs — get their own story_id and are not indexed).
"""

from __future__ import annotations

import logging
import re
from array import array
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newscrawl.extract.minhash import (NUM_PERM, PACKED_SIMILARITY, band_keys, containment, from_bytes, packed,
                                      shingles, signature, to_bytes)
from newscrawl.items import Article
from newscrawl.pipelines.droplog import dropped_when_scratch_space_runs_out
from newscrawl.scratchdb import scratch_database
from newscrawl.state.store import StoredStory

logger = logging.getLogger(__name__)
_WORD = re.compile(r"\w+")


def body_signature(text: str, min_words: int) -> tuple[array[int], int] | None:
    """The body's MinHash signature and shingle count, or None for a body too short to be judged."""
    if not _has_words(text, min_words):
        return None
    hashes = shingles(text)
    return signature(hashes), len(hashes)


def _has_words(text: str, count: int) -> bool:
    """Whether `text` has at least `count` words; stops at the count (listing every word of every body only to
    compare their number with 40 was a quarter of the cost of its shingles)."""
    for _ in _WORD.finditer(text):
        count -= 1
        if count <= 0:
            return True
    return count <= 0


_INDEX_SCHEMA = """
CREATE TABLE entries (
    number INTEGER PRIMARY KEY,   -- insertion order: the oldest are forgotten first
    story_id TEXT NOT NULL,
    size INTEGER NOT NULL,        -- distinct shingles of the body
    packed BLOB NOT NULL,         -- minhash.packed(signature), what candidates are compared by
    article TEXT UNIQUE           -- the article key, so a later revision replaces its entry
);
CREATE TABLE bands (
    key INTEGER NOT NULL,
    number INTEGER NOT NULL,
    PRIMARY KEY (key, number)     -- clustered by key: a lookup reads adjacent rows; an insert fills 2 b-trees, not 3
) WITHOUT ROWID;
CREATE INDEX bands_by_number ON bands (number);
"""


MAX_CANDIDATES = 64
"""Candidates compared per item: those sharing the most LSH bands with it. A busy news day holds hundreds of
same-topic stories that share a band or two with each new one; the copies share many more."""


class StoryIndex:
    """The recent items' packed signatures and LSH band keys, oldest forgotten first.

    Kept in SQLite's private temporary database (on disk, a 4 MiB page cache in memory), not in Python objects:
    32 band keys per item in dicts and sets cost ~6.5 kB of RAM per item, which made a 10,000-page replay's peak
    memory grow with the page count. Lookups are one indexed query per item.
    """

    def __init__(self, max_items: int = 20000, similarity_floor: float = 0.4, containment_floor: float = 0.7,
                 min_words: int = 40) -> None:
        self.max_items = max_items
        self.similarity_floor = similarity_floor
        self.containment_floor = containment_floor
        self.min_words = min_words
        self.db = scratch_database(_INDEX_SCHEMA, "lineage index", cache_kib=4096)
        self._count = 0
        self._next = 0

    def __len__(self) -> int:
        return self._count

    def close(self) -> None:
        self.db.close()

    def assign(self, text: str, own_id: str, article: str | None = None) -> tuple[str, float]:
        """The story id for a body (an earlier copy's, else `own_id`) and the similarity that decided it."""
        found = body_signature(text, self.min_words)
        if found is None:
            return own_id, 0.0
        return self.assign_signature(*found, own_id, article)

    def assign_signature(self, sig: array[int], size: int, own_id: str,
                         article: str | None = None) -> tuple[str, float]:
        """assign() for a body whose signature is already computed."""
        keys = band_keys(sig)
        compact = packed(sig)
        best: tuple[float, int, str] | None = None
        rows = self.db.execute(
            f"SELECT number, story_id, size, packed FROM entries JOIN "
            f"(SELECT number, COUNT(*) AS hits FROM bands WHERE key IN ({','.join('?' * len(keys))}) "
            f"GROUP BY number ORDER BY hits DESC, number LIMIT {MAX_CANDIDATES}) USING (number)", keys).fetchall()
        similarity_floor, containment_floor = self.similarity_floor, self.containment_floor
        for number, story_id, other_size, other_packed in rows:
            # packed_similarity(), inlined: a table lookup by equal bytes instead of two calls per candidate
            # (an article meets ~50 candidates on a same-topic news day).
            jaccard = PACKED_SIMILARITY[(compact ^ int.from_bytes(other_packed, "little")).to_bytes(
                NUM_PERM, "little").count(0)]
            if jaccard >= similarity_floor or containment(jaccard, size, other_size) >= containment_floor:
                if best is None or jaccard > best[0] or (jaccard == best[0] and number < best[1]):
                    best = (jaccard, number, story_id)
        story_id, score = (best[2], best[0]) if best else (own_id, 0.0)
        self.add(story_id, sig, size, article, keys, compact)
        return story_id, score

    def add(self, story_id: str, sig: array[int], size: int, article: str | None = None,
            keys: list[int] | None = None, compact: int | None = None) -> None:
        """Index a body signature under its story (a stored one from an earlier run, or one just assigned)."""
        keys = keys if keys is not None else band_keys(sig)
        compact = compact if compact is not None else packed(sig)
        number, self._next = self._next, self._next + 1
        if article is not None:
            replaced = self.db.execute("SELECT number FROM entries WHERE article = ?", (article,)).fetchone()
            if replaced is not None:
                self._forget("= ?", replaced[0])
        self.db.execute("INSERT INTO entries VALUES (?, ?, ?, ?, ?)",
                        (number, story_id, size, compact.to_bytes(NUM_PERM, "little"), article))
        # OR IGNORE: two bands of one body whose 64-bit keys collide are one row (a rowid table kept both).
        self.db.executemany("INSERT OR IGNORE INTO bands VALUES (?, ?)", ((key, number) for key in keys))
        self._count += 1
        if self._count > self.max_items:
            oldest = self.db.execute("SELECT number FROM entries ORDER BY number LIMIT 1 OFFSET ?",
                                     (self._count - self.max_items - 1,)).fetchone()[0]
            self._forget("<= ?", oldest)

    def _forget(self, condition: str, number: int) -> None:
        gone = self.db.execute(f"DELETE FROM entries WHERE number {condition}", (number,)).rowcount
        self.db.execute(f"DELETE FROM bands WHERE number {condition}", (number,))
        self._count -= gone


class LineagePipeline:
    """Assigns story_id; with a crawl state (live single-process runs), also against the stories of earlier runs.

    At open, the newest NEWSCRAWL_LINEAGE_MAX_ITEMS stories stored in the state are indexed first, so a wire story
    that ran yesterday and is republished today by another outlet keeps yesterday's story_id. A story is stored
    when its item reaches the feed (item_scraped), like a revision. Replays start from an empty temporary state, so
    a replay links only the copies inside its archive and stays reproducible.
    """

    def __init__(self, index: StoryIndex, crawler: Any = None) -> None:
        self.index = index
        self.crawler = crawler
        self.stats = crawler.stats if crawler is not None else None
        self._pending: dict[str, tuple[str, array[int], int]] = {}
        """Canonical URL → (article key, signature, shingles) of items between this pipeline and the feed."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> LineagePipeline:
        settings = crawler.settings
        if not settings.getbool("NEWSCRAWL_LINEAGE_ENABLED", True):
            raise NotConfigured("NEWSCRAWL_LINEAGE_ENABLED is off: items get no story_id")
        index = StoryIndex(max_items=settings.getint("NEWSCRAWL_LINEAGE_MAX_ITEMS", 20000),
                           similarity_floor=settings.getfloat("NEWSCRAWL_LINEAGE_SIMILARITY", 0.4),
                           containment_floor=settings.getfloat("NEWSCRAWL_LINEAGE_CONTAINMENT", 0.7),
                           min_words=settings.getint("NEWSCRAWL_LINEAGE_MIN_WORDS", 40))
        pipeline = cls(index, crawler)
        crawler.signals.connect(pipeline.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        return pipeline

    def _store(self) -> Any:
        spider = getattr(self.crawler, "spider", None)
        incremental = getattr(spider, "incremental", None)
        return incremental.store if incremental is not None else None

    def open_spider(self, spider: Any = None) -> None:
        store = self._store()
        if store is None:
            return
        stories = store.recent_stories(self.index.max_items)
        for story in stories:
            self.index.add(story.story_id, from_bytes(story.signature), story.shingles, story.key)
        if self.stats is not None and stories:
            self.stats.set_value("newscrawl/lineage/stories_loaded", len(stories))

    def close_spider(self, spider: Any = None) -> None:
        self.index.close()

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        found = body_signature(item.body, self.index.min_words)
        if found is None:
            item.story_id = item.url
            return item
        spider: Any = getattr(self.crawler, "spider", None)
        article = (spider.article_key(item.provenance.request_url)
                   if item.provenance is not None and hasattr(spider, "article_key") else None)
        with dropped_when_scratch_space_runs_out(item.url):
            item.story_id, score = self.index.assign_signature(*found, item.url, article)
        if article is not None and self._store() is not None:
            self._pending[item.url] = (article, *found)
        if self.stats is not None and item.story_id != item.url:
            self.stats.inc_value("newscrawl/lineage/copies")
            logger.debug("%(url)s is a copy of %(story)s (similarity %(score).2f)",
                         {"url": item.url, "story": item.story_id, "score": score})
        return item

    def item_scraped(self, item: Any, response: Any = None, spider: Any = None) -> None:
        pending = self._pending.pop(item.url, None) if isinstance(item, Article) else None
        store = self._store()
        if pending is None or store is None or item.story_id is None or item.provenance is None:
            return
        article, sig, size = pending
        store.record_story(StoredStory(article, item.story_id, to_bytes(sig), size, item.provenance.fetched_at))

    def item_dropped(self, item: Any, response: Any = None, exception: Any = None, spider: Any = None) -> None:
        if isinstance(item, Article):
            self._pending.pop(item.url, None)
