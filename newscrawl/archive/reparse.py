"""`newscrawl reparse ARCHIVE`: re-run today's parsers and pipelines over an archive and diff against an old feed.

The re-parse is a replay (same spider, same pipelines, no network), so its feed is exactly what a crawl with
today's code would have produced from those bytes; `--against` compares it with an earlier feed item by item (by
canonical URL) and field by field. parser_version tells which parser produced each side.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newscrawl.archive.budget import UnpackLimits
from newscrawl.archive.replay import source_kind, warc_files
from newscrawl.archive.unpack import replay_root
from newscrawl.archive.warc import read_warcinfo

# Provenance facts that legitimately differ between a crawl and a replay of it.
RUN_FACTS = ("mode", "crawl_id", "fetched_at")
MAX_EXAMPLES = 3
CRAWL_SETTINGS = "newscrawl.settings"
"""The settings module of the replay behind a re-parse, unless SCRAPY_SETTINGS_MODULE names another."""


def archived_spider(archive: Path, limits: UnpackLimits) -> str | None:
    """The spider that wrote the archive (from warcinfo), or None for foreign archives and saved pages. `limits`:
    what it may unpack to, the project's settings and reparse's -s (budget.py), which the replay behind the
    re-parse reads too (replay_to_feed)."""
    archive = replay_root(archive, limits)
    if source_kind(archive) != "warc":
        return None
    for file in warc_files(archive):
        spider = read_warcinfo(file, indexed=True).get("spider")  # the replay's index reports a damaged file
        if spider:
            return spider
    return None


def replay_to_feed(archive: Path, spider: str, feed: Path, jobs: int = 1,
                   settings: Sequence[tuple[str, str]] = ()) -> subprocess.CompletedProcess[str]:
    """The replay as `scrapy crawl`; with jobs > 1 split across that many processes, the feed unchanged.
    `settings`: reparse's -s (NAME, VALUE), given to the replay as its own -s, after (over) the log level."""
    env = {**os.environ}
    env.setdefault("SCRAPY_SETTINGS_MODULE", CRAWL_SETTINGS)
    command = [sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"replay={archive}", "-O", str(feed),
               "-s", "LOG_LEVEL=WARNING"] + (["-a", f"jobs={jobs}"] if jobs > 1 else [])
    for name, value in settings:
        command += ["-s", f"{name}={value}"]
    return subprocess.run(command, env=env, capture_output=True, text=True)


def replay_log(feed: Path) -> Path:
    """Where a failed replay's stderr is kept: beside the new feed (new.jsonl → new.replay.log)."""
    return feed.with_suffix(".replay.log")


_DAMAGED = "Damaged input "
"""How the replay's line for each damaged input begins (spiders/archive_candidates.py)."""


def damaged_inputs(done: subprocess.CompletedProcess[str]) -> list[str]:
    """The replay's line for each damaged input (a file or folder that cannot be read, a corrupt record …), without
    its log prefix: a re-parse that read the rest says, one line each, what it could not read, as the crawl does."""
    return [line[line.index(_DAMAGED):] for line in done.stderr.splitlines() if _DAMAGED in line]


_LAST_LINES = 3  # of a replay that failed without its one line: a traceback's last frame and its exception


def replay_failure(done: subprocess.CompletedProcess[str], archive: Path, spider: str, feed: Path) -> str:
    """Why the replay behind a re-parse failed, short, for `newscrawl reparse: …`; its whole stderr goes to
    `replay_log(feed)`, which the message names (pages of warnings and a traceback say nothing more on a terminal).

    The crawl command ends a failed run with one line, ``scrapy crawl SPIDER: why``: that why is the cause, and
    the user ran `newscrawl reparse`, not that command. A replay that died before it could say (a crash) gives
    its last few lines instead.
    """
    head = f"replay of {archive} failed (exit {done.returncode})" if done.returncode else \
        f"replay of {archive} wrote no feed {feed}"
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    if not lines:
        return f"{head}; it printed nothing"
    log = replay_log(feed)
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(done.stderr, encoding="utf-8")
        kept = f"its log: {log}"
    except OSError as error:
        kept = f"its log could not be kept in {log}: {error.strerror}"
    own = f"scrapy crawl {spider}: "
    said = next((line[len(own):] for line in reversed(lines) if line.startswith(own)), None)
    if said is not None:
        return f"{head}: {said}; {kept}"
    return f"{head}; {kept}; its last lines:\n" + "\n".join(f"  {line}" for line in lines[-_LAST_LINES:])


def comparable(item: dict[str, Any]) -> dict[str, Any]:
    """The item without run facts; provenance.parser_version stays, so a parser bump shows as a change."""
    result = {k: v for k, v in item.items() if k != "provenance"}
    provenance = item.get("provenance") or {}
    for name, value in provenance.items():
        if name not in RUN_FACTS:
            result[f"provenance.{name}"] = value
    return result


@dataclass
class FeedDiff:
    compared: int = 0
    changed_items: int = 0
    field_counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    appeared: list[str] = field(default_factory=list)
    disappeared: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.changed_items or self.appeared or self.disappeared)

    def as_json(self) -> dict[str, Any]:
        return {"compared": self.compared, "changed_items": self.changed_items,
                "fields": dict(sorted(self.field_counts.items())), "examples": self.examples,
                "appeared": self.appeared, "disappeared": self.disappeared}

    def lines(self) -> list[str]:
        out = [f"{self.compared} items compared: {self.changed_items} changed, {len(self.appeared)} appeared, "
               f"{len(self.disappeared)} disappeared"]
        for name, count in sorted(self.field_counts.items(), key=lambda kv: (-kv[1], kv[0])):
            out.append(f"  {name}: {count} item(s) changed")
            for example in self.examples.get(name, []):
                out.append(f"    {example['url']}")
                out.append(f"      before: {_short(example['before'])}")
                out.append(f"      after:  {_short(example['after'])}")
        out += [f"  appeared: {url}" for url in self.appeared] + [f"  disappeared: {url}" for url in self.disappeared]
        return out


def _short(value: Any, limit: int = 160) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def read_feed(path: Path) -> dict[str, dict[str, Any]]:
    with open(path, encoding="utf-8") as lines:
        return {item["url"]: item for item in map(json.loads, filter(str.strip, lines))}


def diff_feeds(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> FeedDiff:
    result = FeedDiff(appeared=sorted(new.keys() - old.keys()), disappeared=sorted(old.keys() - new.keys()))
    for url in sorted(old.keys() & new.keys()):
        result.compared += 1
        before, after = comparable(old[url]), comparable(new[url])
        fields = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        if fields:
            result.changed_items += 1
        for name in fields:
            result.field_counts[name] += 1
            examples = result.examples.setdefault(name, [])
            if len(examples) < MAX_EXAMPLES:
                examples.append({"url": url, "before": before.get(name), "after": after.get(name)})
    return result
