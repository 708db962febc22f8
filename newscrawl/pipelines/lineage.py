"""Wire-story lineage: one `story_id` for the near-duplicate copies of a story that several outlets ran in this run.

Each body becomes a MinHash signature of its 5-word shingles (extract/minhash.py). LSH band keys find earlier
items that may be copies; a candidate is the same story when their estimated Jaccard similarity reaches
NEWSCRAWL_LINEAGE_SIMILARITY, or when the shorter text is almost wholly contained in the longer (an outlet that ran
only the first paragraphs of the wire copy). The story's id is the canonical URL of its first copy in the run.

Memory is bounded: the index keeps the last NEWSCRAWL_LINEAGE_MAX_ITEMS items (≈1 kB each: a 512-byte signature
and 32 band keys) and forgets the oldest first. Settings: NEWSCRAWL_LINEAGE_ENABLED (default on),
NEWSCRAWL_LINEAGE_MAX_ITEMS (20000), NEWSCRAWL_LINEAGE_SIMILARITY (0.4), NEWSCRAWL_LINEAGE_CONTAINMENT (0.7),
NEWSCRAWL_LINEAGE_MIN_WORDS (40: shorter bodies — teasers, briefs — get their own story_id and are not indexed).
"""

from __future__ import annotations

import logging
import re
from array import array
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from scrapy.exceptions import NotConfigured

from newscrawl.extract.minhash import band_keys, containment, shingles, signature, similarity
from newscrawl.items import Article

logger = logging.getLogger(__name__)
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class _Entry:
    story_id: str
    signature: array[int]
    size: int
    """Number of distinct shingles of the body."""
    keys: tuple[int, ...]


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
        self._next = 0

    def __len__(self) -> int:
        return len(self._entries)

    def assign(self, text: str, own_id: str) -> tuple[str, float]:
        """The story id for a body (an earlier copy's, else `own_id`) and the similarity that decided it."""
        if len(_WORD.findall(text)) < self.min_words:
            return own_id, 0.0
        hashes = shingles(text)
        sig = signature(hashes)
        keys = tuple(band_keys(sig))
        best: tuple[float, int] | None = None
        for candidate in {number for key in keys for number in self._bands.get(key, ())}:
            entry = self._entries[candidate]
            jaccard = similarity(sig, entry.signature)
            if jaccard >= self.similarity_floor or (
                    containment(jaccard, len(hashes), entry.size) >= self.containment_floor):
                if best is None or jaccard > best[0] or (jaccard == best[0] and candidate < best[1]):
                    best = (jaccard, candidate)
        story_id, score = (self._entries[best[1]].story_id, best[0]) if best else (own_id, 0.0)
        self._add(_Entry(story_id, sig, len(hashes), keys))
        return story_id, score

    def _add(self, entry: _Entry) -> None:
        number, self._next = self._next, self._next + 1
        self._entries[number] = entry
        for key in entry.keys:
            self._bands.setdefault(key, set()).add(number)
        while len(self._entries) > self.max_items:
            old_number, old = self._entries.popitem(last=False)
            for key in old.keys:
                members = self._bands.get(key)
                if members is not None:
                    members.discard(old_number)
                    if not members:
                        del self._bands[key]


class LineagePipeline:
    def __init__(self, index: StoryIndex, stats: Any = None) -> None:
        self.index = index
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> LineagePipeline:
        settings = crawler.settings
        if not settings.getbool("NEWSCRAWL_LINEAGE_ENABLED", True):
            raise NotConfigured("NEWSCRAWL_LINEAGE_ENABLED is off: items get no story_id")
        index = StoryIndex(max_items=settings.getint("NEWSCRAWL_LINEAGE_MAX_ITEMS", 20000),
                           similarity_floor=settings.getfloat("NEWSCRAWL_LINEAGE_SIMILARITY", 0.4),
                           containment_floor=settings.getfloat("NEWSCRAWL_LINEAGE_CONTAINMENT", 0.7),
                           min_words=settings.getint("NEWSCRAWL_LINEAGE_MIN_WORDS", 40))
        return cls(index, crawler.stats)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        item.story_id, score = self.index.assign(item.body, item.url)
        if self.stats is not None and item.story_id != item.url:
            self.stats.inc_value("newscrawl/lineage/copies")
            logger.debug("%(url)s is a copy of %(story)s (similarity %(score).2f)",
                         {"url": item.url, "story": item.story_id, "score": score})
        return item
