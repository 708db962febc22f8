"""The outcome of a parallel replay as the one-process run would have counted it: merged stats, coverage examples,
and the stand-ins through which the run report (monitoring/report.py) reads them.

Every process counted discovery alike (it replayed all of it) and then its own articles, so the merged stats are
process 1's plus, for every other process, what it counted after its release; then the merge's corrections
(duplicates across processes, lineage copies) and the run's own times.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from newscrawl.monitoring.coverage import MAX_EXAMPLES
from newscrawl.parallel.merge import MergeCounts
from newscrawl.pipelines.dedup import READDRESSED_STATS

TIME_STATS = ("start_time", "finish_time", "elapsed_time_seconds", "finish_reason")
MAX_STATS = ("request_depth_max", "memusage/max", "memusage/startup")
REDONE_STATS = ("newscrawl/drift_fields", "newscrawl/run_status", "newscrawl/lineage/copies")
RATE_STATS = ("responses_per_minute", "items_per_minute")
"""Scrapy's rates (None in a process too short to measure one): not summed; process 1's stands."""


def merged_stats(facts: list[dict[str, Any]], counts: MergeCounts, feeds: int, started: datetime,
                 elapsed: float) -> dict[str, Any]:
    """The one-process run's stats: what every process counted alike once, plus each one's own work since release."""
    stats = {key: value for key, value in facts[0]["stats"].items() if key not in TIME_STATS + REDONE_STATS}
    for process in facts[1:]:
        before = process["stats_at_release"]
        if before is None:  # it released nothing: all it counted, every process counted
            continue
        for key, value in process["stats"].items():
            if key in TIME_STATS + REDONE_STATS + RATE_STATS or not _number(value):
                continue
            current = stats.get(key)
            if key in MAX_STATS:
                stats[key] = max(current, value) if _number(current) else value
            elif value != before.get(key, 0):
                earlier = before.get(key, 0)
                stats[key] = (current if _number(current) else 0) + value - (earlier if _number(earlier) else 0)
    if counts.duplicates:
        for key, change in (("item_scraped_count", -1), ("item_dropped_count", 1),
                            ("item_dropped_reasons_count/DuplicateArticle", 1), ("newscrawl/items/new", -1)):
            stats[key] = stats.get(key, 0) + change * counts.duplicates
    if counts.readdressed:
        for key in READDRESSED_STATS:
            stats[key] = stats.get(key, 0) + counts.readdressed
    if counts.copies:
        stats["newscrawl/lineage/copies"] = counts.copies
    for key in [key for key in stats if key.startswith("feedexport/")]:
        del stats[key]
    if feeds:
        stats["feedexport/success_count/FileFeedStorage"] = feeds
    reasons = [process["reason"] for process in facts if process["reason"] != "finished"]
    stats.update(start_time=started, finish_time=datetime.now(timezone.utc), elapsed_time_seconds=elapsed,
                 finish_reason=reasons[0] if reasons else "finished")
    return stats


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def merged_examples(facts: list[dict[str, Any]]) -> dict[str, dict[str, list[str]]]:
    merged: dict[str, dict[str, list[str]]] = {}
    for process in facts:
        for outlet, fields in process["missing_examples"].items():
            for name, urls in fields.items():
                merged.setdefault(outlet, {}).setdefault(name, []).extend(urls)
    return merged


def merged_damaged_inputs(facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every process's damaged inputs, once each: the archive's own problems (every process reads its index, so
    each lists them) and the records cut short that only the process replaying them met, in process order."""
    merged: dict[tuple[Any, Any, Any], dict[str, Any]] = {}
    for process in facts:
        for damaged in process["damaged_inputs"]:
            merged.setdefault((damaged.get("file"), damaged.get("offset"), damaged.get("kind")), damaged)
    return list(merged.values())


def examples_in_order(examples: dict[str, dict[str, list[str]]], counts: MergeCounts
                      ) -> dict[str, dict[str, list[str]]]:
    """Each field's first examples in the one-process order (items not in the feed last)."""
    def place(url: str) -> tuple[int, int, int]:
        rank = counts.ranks.get(url)
        return (0, *rank) if rank is not None else (1, 0, 0)

    return {outlet: {name: sorted(urls, key=place)[:MAX_EXAMPLES] for name, urls in fields.items()}
            for outlet, fields in examples.items()}


class _StatsFacts:
    def __init__(self, stats: dict[str, Any]) -> None:
        self.stats = stats

    def get_stats(self) -> dict[str, Any]:
        return self.stats

    def set_value(self, key: str, value: Any) -> None:
        self.stats[key] = value


class _CoverageFacts:
    def __init__(self, examples: dict[str, dict[str, list[str]]]) -> None:
        self.missing_examples = examples


class CrawlerFacts:
    """What RunReport reads of a crawler, for the merged run."""

    def __init__(self, settings: Any, stats: dict[str, Any], examples: dict[str, dict[str, list[str]]]) -> None:
        self.settings = settings
        self.stats = _StatsFacts(stats)
        self.coverage = _CoverageFacts(examples)


class SpiderFacts:
    """What RunReport reads of a spider: the run's names from the stand-in spider, discovery facts from process 1
    (with every process's damaged inputs: merged_damaged_inputs)."""

    def __init__(self, spider: Any, facts: dict[str, Any]) -> None:
        self.spider = spider
        self.name, self.crawl_id, self.mode = spider.name, spider.crawl_id, spider.mode
        self.feed_name, self.replay_input = spider.feed_name, spider.replay_input
        self.args = spider.args  # what the run was asked for (`-a versions=all` adds counts.replay_versions)
        self.discovered_count = facts["discovered"]
        self.damaged_inputs = facts["damaged_inputs"]
        self.discovery_failures = facts["discovery_failures"]

    def default_feed(self, settings: Any) -> str | None:
        return str(self.spider.default_feed(settings)) if self.spider.default_feed(settings) else None
