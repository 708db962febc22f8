"""Put the items of a parallel replay's processes back into the one-process order, and redo what depends on order.

A one-process replay releases its article requests in one fixed order after discovery (spiders/held.py), and its
items come out in the order Scrapy's scheduler hands those requests out (a replay's queue: by priority, then
last-in first-out; archive/replay.py, with_reproducible_order). Every process stamped each request with that place
(spiders/shard.py), so sorting all items by it restores the one-process order; only the places are held in memory
(a few numbers per item), entries and feed lines are read back from the processes' files.

Two pipelines depend on what came before an item: de-duplication (the first item with a canonical URL wins; a later
one with another headline and body goes out under its own address) and lineage (a story_id is the URL of the
story's first copy). Each process ran them over its own items only, so the merge takes the same UrlClaims and
StoryIndex decisions over every process's items in the merged order, rewrites the few feed lines whose url or
story_id changes, and drops an item whose URL an earlier process already emitted, correcting the counts as the
one-process run would have counted.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from scrapy.exporters import JsonLinesItemExporter

from newscrawl.extract.minhash import from_bytes
from newscrawl.parallel.recorder import COMPLETE, ENTRIES, FEED
from newscrawl.pipelines.dedup import READDRESSED, UrlClaims, flagged
from newscrawl.pipelines.lineage import StoryIndex

logger = logging.getLogger(__name__)


@dataclass
class Entry:
    rank: tuple[int, int]
    url: str
    key: str | None
    story: str | None
    dropped: str | None
    sig: str | None
    size: int
    print: str
    """Hex of the headline-and-body fingerprint (pipelines/dedup.py)."""
    page: str | None
    """The page's address (provenance.response_url)."""
    record: str | None = None
    """The archived record it was replayed from (provenance.archive.record_id): another version of the page that
    claimed its URL claims it again (UrlClaims, a `versions=all` replay)."""
    line: bytes = b""
    """The item's feed line (emitted items only)."""


def entry_of(raw: dict[str, Any]) -> Entry:
    """An entries.jsonl line (recorder.py) as an Entry, without its feed line."""
    return Entry((raw["rank"][0], raw["rank"][1]), raw["url"], raw["key"], raw["story"], raw["dropped"], raw["sig"],
                 raw["size"], raw["print"], raw["page"], raw.get("record"))


Place = tuple[tuple[int, int], int, int, int, int]
"""(one-process place, process, entry offset, feed-line offset or -1, feed-line length)."""


def _index(folder: Path, process: int) -> Iterator[Place]:
    """Where every entry of one process and its feed line are (entries and feed lines are in one order)."""
    with open(folder / ENTRIES, "rb") as entries, open(folder / FEED, "rb") as feed:
        offset = 0
        for text in entries:
            raw = json.loads(text)
            if COMPLETE in raw:  # a progress mark for the merge while the processes run (stream.py)
                offset += len(text)
                continue
            line, length = -1, 0
            if raw["dropped"] is None:
                line = feed.tell()
                length = len(feed.readline())
            yield (raw["rank"][0], raw["rank"][1]), process, offset, line, length
            offset += len(text)


@dataclass
class MergeCounts:
    """What the merge changed, for the merged stats."""

    items: int = 0
    duplicates: int = 0
    readdressed: int = 0
    """Items put under their own page's address: their canonical URL was another article's (pipelines/dedup.py)."""
    copies: int = 0
    rewritten: int = 0
    ranks: dict[str, tuple[int, int]] = field(default_factory=dict)
    """The one-process place of the coverage examples' URLs (first_places)."""


def ordered(folders: list[Path]) -> Iterator[Entry]:
    """Every process's entries in the one-process order (release batches in turn; in each, by scheduler place).

    A process's own order need not be a subsequence of the one-process order (a redirect's follow-up request is
    queued when it is answered, and a queue given in the settings may depend on the process's own state), so the
    places are sorted as a whole: a few numbers per item in memory, the entries and feed lines themselves read back
    from the processes' files.
    """
    places = sorted(place for number, folder in enumerate(folders) for place in _index(folder, number))
    with ExitStack() as stack:
        entries = [stack.enter_context(open(folder / ENTRIES, "rb")) for folder in folders]
        feeds = [stack.enter_context(open(folder / FEED, "rb")) for folder in folders]
        for _, process, offset, line, length in places:
            entries[process].seek(offset)
            entry = entry_of(json.loads(entries[process].readline()))
            if line >= 0:
                feeds[process].seek(line)
                entry.line = feeds[process].read(length)
            yield entry


class Merger:
    """The one-process decisions, taken entry by entry in the one-process order: de-duplication by canonical URL,
    lineage over every process's signatures, and the feed line (rewritten when its url or story_id changes) written
    to every output."""

    def __init__(self, outputs: list[IO[bytes]], settings: Any, encoding: str) -> None:
        self.outputs = outputs
        self.encoding = encoding
        self.counts = MergeCounts()
        self.index = StoryIndex(max_items=settings.getint("NEWSCRAWL_LINEAGE_MAX_ITEMS", 20000),
                                similarity_floor=settings.getfloat("NEWSCRAWL_LINEAGE_SIMILARITY", 0.4),
                                containment_floor=settings.getfloat("NEWSCRAWL_LINEAGE_CONTAINMENT", 0.7),
                                min_words=settings.getint("NEWSCRAWL_LINEAGE_MIN_WORDS", 40)
                                ) if settings.getbool("NEWSCRAWL_LINEAGE_ENABLED", True) else None
        self.claims = UrlClaims()

    def take(self, entry: Entry) -> None:
        counts = self.counts
        url = self.claims.claim(entry.url, bytes.fromhex(entry.print), entry.page, entry.record)
        if url is None:  # another process emitted this URL first: the one-process run drops this one
            if entry.dropped is None:
                counts.duplicates += 1
                logger.warning("Dropped (DuplicateArticle): %(url)s: already emitted in this run", {"url": entry.url})
            return
        if url != entry.url and entry.dropped is None:
            counts.readdressed += 1
            logger.warning(READDRESSED, {"page": entry.page, "url": entry.url})
        story = entry.story
        if self.index is not None and entry.story is not None:
            story = url
            if entry.sig is not None:
                story, _ = self.index.assign_signature(from_bytes(bytes.fromhex(entry.sig)), entry.size, url,
                                                       entry.key)
            if story != url:
                counts.copies += 1
        if entry.dropped is not None:
            return
        line = entry.line
        if story != entry.story or url != entry.url:
            line = _rewritten(line, self.encoding, story, url if url != entry.url else None)
            counts.rewritten += 1
        for output in self.outputs:
            output.write(line)
        counts.items += 1

    def close(self) -> None:
        self.claims.close()
        if self.index is not None:
            self.index.close()


def merge(folders: list[Path], outputs: list[IO[bytes]], settings: Any, encoding: str) -> MergeCounts:
    """Write the merged feed lines to every output, once every process has finished; return what changed."""
    merger = Merger(outputs, settings, encoding)
    try:
        for entry in ordered(folders):
            merger.take(entry)
    finally:
        merger.close()
    return merger.counts


def first_places(folders: list[Path], urls: set[str]) -> dict[str, tuple[int, int]]:
    """The one-process place of each of `urls` (its first entry's): the order of the coverage examples."""
    found: dict[str, tuple[int, int]] = {}
    if not urls:
        return found
    for folder in folders:
        with open(folder / ENTRIES, "rb") as entries:
            for text in entries:
                raw = json.loads(text)
                url = raw.get("url")
                if url in urls:
                    rank = (raw["rank"][0], raw["rank"][1])
                    found[url] = min(found.get(url, rank), rank)
    return found


def _rewritten(line: bytes, encoding: str, story: str | None, url: str | None) -> bytes:
    """The feed line again with another story_id, and under its own address when `url` is given (flagged as
    pipelines/dedup.py's readdress does), through the same exporter (key order and escaping unchanged)."""
    item = json.loads(line.decode(encoding))
    item["story_id"] = story
    if url is not None:
        item["url"] = url
        item["quality"] = flagged(item["quality"])
    buffer = io.BytesIO()
    JsonLinesItemExporter(buffer, encoding=encoding).export_item(item)
    return buffer.getvalue()
