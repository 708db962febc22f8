"""`newscrawl merge`: the feeds of a run's workers as one de-duplicated feed.

Each worker writes `output/<spider>/<run>-<worker>.jsonl`. An article appears in more than one of them only after
a worker died between exporting an item and releasing its request (another worker fetched it again), or when
runs overlap. Per canonical URL (`url`) the merge keeps the highest `revision`, then the latest
`provenance.fetched_at`, then — for a full tie — the greatest line, so the result does not depend on the order of
the inputs. Lines are copied byte for byte and written sorted by URL: merging the same feeds twice gives the same
file. A line that is not JSON (a torn last line of a killed worker's feed) is skipped and counted; an input none of
whose lines is an item (a WARC, a README given by mistake) is not a feed, and refused by name (NotAFeed).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newscrawl.files import write_whole


class NotAFeed(ValueError):
    """An input with lines, none of them a JSON object with a url: not a JSON Lines feed of newscrawl items."""

    def __init__(self, path: Path, lines: int) -> None:
        super().__init__(f"{path} is not a JSON Lines feed: none of its {lines} lines is an item (a JSON object with "
                         "a url)")
        self.path = path


# A run id as new_crawl_id() makes it: UTC start time and a random suffix.
RUN_ID = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{6}")


@dataclass
class MergeResult:
    lines: list[bytes]
    """The kept lines (no newline), sorted by URL."""
    feeds: int = 0
    items: int = 0
    """Items read across all feeds (duplicates included)."""
    unreadable: list[str] = field(default_factory=list)
    """"path:line" of every line that is not a JSON object with a url."""

    @property
    def duplicates(self) -> int:
        return self.items - len(self.lines)


def feed_paths(inputs: Iterable[Path], run: str | None = None, exclude: Path | None = None) -> list[Path]:
    """Feeds named on the command line, and the `.jsonl` feeds in named folders (replay feeds and `exclude` left
    out); with `run`, only files whose name starts with it."""
    found: list[Path] = []
    for path in inputs:
        if path.is_dir():
            found += sorted(p for p in path.glob("*.jsonl") if not p.name.endswith(".replay.jsonl"))
        else:
            found.append(path)
    if run:
        found = [p for p in found if p.name.startswith(run)]
    unique = dict.fromkeys(p for p in found if exclude is None or p.resolve() != exclude.resolve())
    return list(unique)


def run_of(path: Path) -> str | None:
    """The run id a worker feed belongs to.

    >>> run_of(Path("output/devdiscourse/20251121T104500Z-1a2b3c-w1.jsonl"))
    '20251121T104500Z-1a2b3c'
    """
    match = RUN_ID.match(path.name)
    return match.group(0) if match else None


def _rank(item: dict[str, Any], line: bytes) -> tuple[int, str, bytes]:
    revision = item.get("revision")
    provenance = item.get("provenance")
    fetched = provenance.get("fetched_at") if isinstance(provenance, dict) else None
    return (revision if isinstance(revision, int) else 0, fetched if isinstance(fetched, str) else "", line)


def merge_feeds(paths: list[Path]) -> MergeResult:
    """Read every feed (OSError, NotAFeed propagate) and keep one line per canonical URL (see the module docstring)."""
    result = MergeResult(lines=[], feeds=len(paths))
    best: dict[str, tuple[tuple[int, str, bytes], bytes]] = {}
    for path in paths:
        bad: list[str] = []
        lines = items = 0
        for number, line in enumerate(path.read_bytes().splitlines(), start=1):
            if not line.strip():
                continue
            lines += 1
            try:
                item = json.loads(line)
            except ValueError:
                item = None
            if not isinstance(item, dict) or not isinstance(item.get("url"), str):
                bad.append(f"{path}:{number}")
                continue
            items += 1
            rank = _rank(item, line)
            if item["url"] not in best or rank > best[item["url"]][0]:
                best[item["url"]] = (rank, line)
        if lines and not items:
            raise NotAFeed(path, lines)
        result.items += items
        result.unreadable += bad
    result.lines = [best[url][1] for url in sorted(best)]
    return result


def write_feed(path: Path, lines: list[bytes]) -> None:
    """Complete or absent, never half-written: a temporary file beside it, renamed over it, removed on failure."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_whole(path, b"".join(line + b"\n" for line in lines))
