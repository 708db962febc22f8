"""Wire-story lineage: one `story_id` for the near-duplicate copies of a story, in this run and in earlier ones.

Each body becomes a MinHash signature of its 5-word shingles (extract/minhash.py). LSH band keys find earlier
items that may be copies; a candidate is the same story when their estimated Jaccard similarity reaches
NEWSCRAWL_LINEAGE_SIMILARITY, or when the shorter text is almost wholly contained in the longer (an outlet that ran
only the first paragraphs of the wire copy). The story's id is the canonical URL of its first copy seen; with a
crawl state, earlier runs' copies count (see LineagePipeline).

Memory is bounded: the index keeps the last NEWSCRAWL_LINEAGE_MAX_ITEMS items (≈1 kB each: a 512-byte signature
and 32 band keys) and forgets the oldest first. Settings: NEWSCRAWL_LINEAGE_ENABLED (default on),
NEWSCRAWL_LINEAGE_MAX_ITEMS (20000), NEWSCRAWL_LINEAGE_SIMILARITY (0.4), NEWSCRAWL_LINEAGE_CONTAINMENT (0.7),
NEWSCRAWL_LINEAGE_MIN_WORDS (40: shorter bodies — teasers, briefs — get their own story_id and are not indexed).
"""

from __future__ import annotations

import logging
import re
import sys
from array import array
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newscrawl.extract.minhash import band_keys, containment, shingles, signature, similarity
from newscrawl.items import Article
from newscrawl.state.store import StoredStory

logger = logging.getLogger(__name__)
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class _Entry:
    story_id: str
    signature: array[int]
    size: int
    """Number of distinct shingles of the body."""
    keys: tuple[int, ...]
    article: str | None
    """The article key (state/store.py), so a later revision of the article replaces its entry."""


def body_signature(text: str, min_words: int) -> tuple[array[int], int] | None:
    """The body's MinHash signature and shingle count, or None for a body too short to be judged."""
    if len(_WORD.findall(text)) < min_words:
        return None
    hashes = shingles(text)
    return signature(hashes), len(hashes)


class StoryIndex:
    """The recent items' signatures and their LSH band keys, oldest forgotten first."""

    def __init__(self, max_items: int = 20000, similarity_floor: float = 0.4, containment_floor: float = 0.7,
                 min_words: int = 40) -> None:
        self.max_items = max_items
        self.similarity_floor = similarity_floor
        self.containment_floor = containment_floor
        self.min_words = min_words
        self._entries: OrderedDict[int, _Entry] = OrderedDict()
        self._bands: dict[int, set[int]] = {}
        self._by_article: dict[str, int] = {}
        self._next = 0

    def __len__(self) -> int:
        return len(self._entries)

    def assign(self, text: str, own_id: str, article: str | None = None) -> tuple[str, float]:
        """The story id for a body (an earlier copy's, else `own_id`) and the similarity that decided it."""
        found = body_signature(text, self.min_words)
        if found is None:
            return own_id, 0.0
        return self.assign_signature(*found, own_id, article)

    def assign_signature(self, sig: array[int], size: int, own_id: str,
                         article: str | None = None) -> tuple[str, float]:
        """assign() for a body whose signature is already computed."""
        keys = tuple(band_keys(sig))
        best: tuple[float, int] | None = None
        for candidate in {number for key in keys for number in self._bands.get(key, ())}:
            entry = self._entries[candidate]
            jaccard = similarity(sig, entry.signature)
            if jaccard >= self.similarity_floor or (
                    containment(jaccard, size, entry.size) >= self.containment_floor):
                if best is None or jaccard > best[0] or (jaccard == best[0] and candidate < best[1]):
                    best = (jaccard, candidate)
        story_id, score = (self._entries[best[1]].story_id, best[0]) if best else (own_id, 0.0)
        self.add(story_id, sig, size, article, keys)
        return story_id, score

    def add(self, story_id: str, sig: array[int], size: int, article: str | None = None,
            keys: tuple[int, ...] | None = None) -> None:
        """Index a body signature under its story (a stored one from an earlier run, or one just assigned)."""
        if article is not None and article in self._by_article:
            self._remove(self._by_article[article])
        number, self._next = self._next, self._next + 1
        entry = _Entry(story_id, sig, size, keys if keys is not None else tuple(band_keys(sig)), article)
        self._entries[number] = entry
        if article is not None:
            self._by_article[article] = number
        for key in entry.keys:
            self._bands.setdefault(key, set()).add(number)
        while len(self._entries) > self.max_items:
            self._remove(next(iter(self._entries)))

    def _remove(self, number: int) -> None:
        old = self._entries.pop(number)
        if old.article is not None and self._by_article.get(old.article) == number:
            del self._by_article[old.article]
        for key in old.keys:
            members = self._bands.get(key)
            if members is not None:
                members.discard(number)
                if not members:
                    del self._bands[key]


class LineagePipeline:
    """Assigns story_id; with a crawl state (live single-process runs), also against the stories of earlier runs.

    At open, the newest NEWSCRAWL_LINEAGE_MAX_ITEMS stories stored in the state are indexed first, so a wire story
    that ran yesterday and is republished today by another outlet keeps yesterday's story_id. A story is stored
    when its item reaches the feed (item_scraped), like a revision. Replays start from an empty in-memory state, so
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
            sig = array("Q")
            sig.frombytes(story.signature)
            if sys.byteorder == "big":
                sig.byteswap()
            self.index.add(story.story_id, sig, story.shingles, story.key)
        if self.stats is not None and stories:
            self.stats.set_value("newscrawl/lineage/stories_loaded", len(stories))

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        found = body_signature(item.body, self.index.min_words)
        if found is None:
            item.story_id = item.url
            return item
        spider = getattr(self.crawler, "spider", None)
        article = (spider.article_key(item.provenance.request_url)
                   if item.provenance is not None and hasattr(spider, "article_key") else None)
        item.story_id, score = self.index.assign_signature(*found, item.url, article)
        if article is not None and self._store() is not None:
            self._pending[item.url] = (article, *found)
        if self.stats is not None and item.story_id != item.url:
            self.stats.inc_value("newscrawl/lineage/copies")
            logger.debug("%(url)s is a copy of %(story)s (similarity %(score).2f)",
                         {"url": item.url, "story": item.story_id, "score": score})
        return item

    def item_scraped(self, item: Any, response: Any = None, spider: Any = None) -> None:
        pending = self._pending.pop(getattr(item, "url", None), None) if isinstance(item, Article) else None
        store = self._store()
        if pending is None or store is None or item.story_id is None or item.provenance is None:
            return
        article, sig, size = pending
        stored = array("Q", sig)
        if sys.byteorder == "big":
            stored.byteswap()
        store.record_story(StoredStory(article, item.story_id, stored.tobytes(), size, item.provenance.fetched_at))

    def item_dropped(self, item: Any, response: Any = None, exception: Any = None, spider: Any = None) -> None:
        if isinstance(item, Article):
            self._pending.pop(item.url, None)
