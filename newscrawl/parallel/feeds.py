"""Which feeds a parallel replay can write (-a jobs=N): plain local JSON Lines files and standard output (`-O -`),
whose lines the parent copies in the one-process order (docs/parallel.md, "Limits"); any other feed is refused
before anything starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from scrapy.exceptions import UsageError

JSON_LINES = ("jsonlines", "jsonl", "jl")
UNSUPPORTED_OPTIONS = ("fields", "item_filter", "item_classes", "batch_item_count", "postprocessing", "indent",
                       "uri_params", "item_export_kwargs")


STDOUT = "stdout:"
"""Scrapy's URI for `-o -` / `-O -`."""


@dataclass(frozen=True)
class FeedTarget:
    path: Path | None
    """None: standard output."""
    overwrite: bool


def feed_targets(settings: Any, spider: Any) -> tuple[list[FeedTarget], str | None]:
    """The local JSON Lines feeds to write and their shared encoding; UsageError for a feed this mode cannot write."""
    targets: list[FeedTarget] = []
    encodings: set[str | None] = set()
    for uri, options in settings.getdict("FEEDS").items():
        options = options or {}
        text = str(uri)
        problem = None
        if options.get("format") not in JSON_LINES:
            problem = f"its format is {options.get('format')!r}"
        elif "://" in text and not text.startswith("file://"):
            problem = "it is not a local file"
        elif any(options.get(name) for name in UNSUPPORTED_OPTIONS) or settings.getint(
                "FEED_EXPORT_BATCH_ITEM_COUNT"):
            problem = f"it sets one of {', '.join(UNSUPPORTED_OPTIONS)}"
        if problem:
            raise UsageError(f"-a jobs: a parallel replay writes plain local JSON Lines feeds only, and {text}: "
                             f"{problem}; use -a jobs=1 for it", print_help=False)
        encodings.add(options.get("encoding", settings.get("FEED_EXPORT_ENCODING")))
        path = None if text.startswith(STDOUT) else Path(text.removeprefix("file://") % _UriParams(spider))
        targets.append(FeedTarget(path, bool(options.get("overwrite", False))))
    if len(encodings) > 1:
        raise UsageError("-a jobs: the feeds of a parallel replay must share one encoding", print_help=False)
    return targets, next(iter(encodings), settings.get("FEED_EXPORT_ENCODING"))


class _UriParams(dict[str, Any]):
    """A feed URI's %(name)s placeholders, filled as Scrapy fills them: spider attributes, time and batch."""

    def __init__(self, spider: Any) -> None:
        now = datetime.now(timezone.utc)
        super().__init__(time=now.replace(microsecond=0).isoformat().replace(":", "-"),
                         batch_time=now.isoformat().replace(":", "-"), batch_id=1)
        self.spider = spider

    def __missing__(self, key: str) -> Any:
        return getattr(self.spider, key)
