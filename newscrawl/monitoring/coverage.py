"""Field coverage of parsed articles, counted before validation so a layout change that empties a required
field shows up as coverage, not only as dropped items."""

from __future__ import annotations

from typing import Any

from newscrawl.items import Article

# Fields whose coverage is worth watching; lists count when non-empty.
WATCHED_FIELDS = ("title", "subtitle", "body", "published_at", "modified_at", "byline", "authors", "dateline",
                  "agencies", "image_url", "image_caption", "country", "sector", "tags")
MAX_EXAMPLES = 5


class CoveragePipeline:
    """Counts, per outlet, how many articles had each field filled, with a few URLs of articles that did not."""

    def __init__(self, stats: Any) -> None:
        self.stats = stats
        self.missing_examples: dict[str, dict[str, list[str]]] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> CoveragePipeline:
        pipeline = cls(crawler.stats)
        crawler.coverage = pipeline  # the run report reads the examples from here
        return pipeline

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        self.stats.inc_value(f"newscrawl/coverage/{item.outlet}/articles")
        for name in WATCHED_FIELDS:
            if getattr(item, name):
                self.stats.inc_value(f"newscrawl/coverage/{item.outlet}/{name}")
            else:
                examples = self.missing_examples.setdefault(item.outlet, {}).setdefault(name, [])
                if len(examples) < MAX_EXAMPLES:
                    examples.append(item.url)
        return item


def coverage_by_outlet(stats: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{outlet: {"articles": n, "fields": {field: fraction}}} from the crawl's stats."""
    result: dict[str, dict[str, Any]] = {}
    for key, value in stats.items():
        if key.startswith("newscrawl/coverage/") and key.endswith("/articles"):
            outlet = key.split("/")[2]
            articles = int(value)
            result[outlet] = {"articles": articles, "fields": {
                name: round(int(stats.get(f"newscrawl/coverage/{outlet}/{name}", 0)) / articles, 4)
                for name in WATCHED_FIELDS}}
    return result
