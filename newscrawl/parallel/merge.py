"""Put the items of a parallel replay's processes back into the one-process order, and redo what depends on order.

A one-process replay releases its article requests in one fixed order after discovery (spiders/held.py) and Scrapy's
scheduler, a stack by default, hands them out last-in first-out: items come out in reverse release order (first
order if SCHEDULER_MEMORY_QUEUE is a FIFO queue). Each process handled a subsequence of those requests in that same
order, so a k-way merge by release place restores the one-process order while reading every process's output once,
front to back (memory does not grow with the archive).

Two pipelines depend on what came before an item: lineage (a story_id is the URL of the story's first copy) and
de-duplication (the first item with a canonical URL wins). Each process ran them over its own items only, so the
merge runs the same StoryIndex over every process's signatures in the merged order, rewrites the few feed lines whose
story_id changes, and drops an item whose URL an earlier process already emitted, correcting the counts as the
one-process run would have counted.
"""

from __future__ import annotations

import heapq
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from scrapy.exporters import JsonLinesItemExporter

from newscrawl.extract.minhash import from_bytes
from newscrawl.parallel.recorder import ENTRIES, FEED
from newscrawl.pipelines.lineage import StoryIndex


class MergeError(RuntimeError):
    """A process's output breaks the one-process order (cannot happen unless the scheduler was changed)."""


@dataclass
class Entry:
    rank: tuple[int, int]
    url: str
    key: str | None
    story: str | None
    dropped: str | None
    sig: str | None
    size: int
    line: bytes = b""
    """The item's feed line (emitted items only)."""


def read_process(folder: Path) -> Iterator[Entry]:
    """One process's entries, each emitted one with its feed line (both files are in the same order)."""
    with open(folder / ENTRIES, encoding="utf-8") as entries, open(folder / FEED, "rb") as feed:
        for text in entries:
            raw = json.loads(text)
            entry = Entry(tuple(raw["rank"]), raw["url"], raw["key"], raw["story"], raw["dropped"], raw["sig"],
                          raw["size"])
            if entry.dropped is None:
                entry.line = feed.readline()
            yield entry


@dataclass
class MergeCounts:
    """What the merge changed, for the merged stats."""

    items: int = 0
    duplicates: int = 0
    copies: int = 0
    rewritten: int = 0
    ranks: dict[str, tuple[int, int]] = field(default_factory=dict)
    """The release place of the URLs the caller asked to locate (coverage examples)."""
    last_in_first_out: bool = True
    """Scrapy's default scheduler queue: a stack, so a batch comes out in reverse release order."""

    def order(self, rank: tuple[int, int]) -> tuple[int, int]:
        """Sort key of a release place (batch, place) in the one-process order."""
        batch, place = rank
        return (batch, -place if self.last_in_first_out else place)


def ordered(folders: list[Path], counts: MergeCounts) -> Iterator[Entry]:
    """Every process's entries in the one-process order (batches in turn; within one, by release place)."""
    def sort_key(entry: Entry) -> tuple[int, int]:
        return counts.order(entry.rank)

    streams = [_checked(read_process(folder), sort_key, folder) for folder in folders]
    return heapq.merge(*streams, key=sort_key)


def _checked(entries: Iterator[Entry], sort_key: Any, folder: Path) -> Iterator[Entry]:
    previous: tuple[int, int] | None = None
    for entry in entries:
        current = sort_key(entry)
        if previous is not None and current < previous:
            raise MergeError(f"{folder}: items out of the one-process order ({entry.url})")
        previous = current
        yield entry


def merge(folders: list[Path], outputs: list[IO[bytes]], settings: Any, encoding: str,
          locate: set[str] | None = None) -> MergeCounts:
    """Write the merged feed lines to every output; return what changed."""
    queue = str(settings.get("SCHEDULER_MEMORY_QUEUE") or "")
    counts = MergeCounts(last_in_first_out="fifo" not in queue.lower())
    lineage = settings.getbool("NEWSCRAWL_LINEAGE_ENABLED", True)
    index = StoryIndex(max_items=settings.getint("NEWSCRAWL_LINEAGE_MAX_ITEMS", 20000),
                       similarity_floor=settings.getfloat("NEWSCRAWL_LINEAGE_SIMILARITY", 0.4),
                       containment_floor=settings.getfloat("NEWSCRAWL_LINEAGE_CONTAINMENT", 0.7),
                       min_words=settings.getint("NEWSCRAWL_LINEAGE_MIN_WORDS", 40)) if lineage else None
    seen: set[str] = set()
    try:
        for entry in ordered(folders, counts):
            if locate and entry.url in locate and entry.url not in counts.ranks:
                counts.ranks[entry.url] = entry.rank
            story = entry.story
            if index is not None and entry.story is not None:
                story = entry.url
                if entry.sig is not None:
                    story, _ = index.assign_signature(from_bytes(bytes.fromhex(entry.sig)), entry.size, entry.url,
                                                      entry.key)
                if story != entry.url:
                    counts.copies += 1
            if entry.dropped is not None:
                if entry.dropped != "DuplicateArticle":
                    seen.add(entry.url)
                continue
            if entry.url in seen:  # another process emitted this URL first: the one-process run drops this one
                counts.duplicates += 1
                continue
            seen.add(entry.url)
            line = entry.line
            if story != entry.story:
                line = _with_story(line, story, encoding)
                counts.rewritten += 1
            for output in outputs:
                output.write(line)
            counts.items += 1
    finally:
        if index is not None:
            index.close()
    return counts


def _with_story(line: bytes, story: str | None, encoding: str) -> bytes:
    """The feed line again with another story_id, through the same exporter (key order and escaping unchanged)."""
    item = json.loads(line.decode(encoding))
    item["story_id"] = story
    buffer = io.BytesIO()
    JsonLinesItemExporter(buffer, encoding=encoding).export_item(item)
    return buffer.getvalue()
