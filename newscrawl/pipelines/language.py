"""Language of the article's text, with the page's own claim kept beside it and checked against it.

Parsers put the page's claim (<html lang>, meta, JSON-LD inLanguage) in `language`; news-corpus users filter by the
language the text is written in, and pages often claim a template default ("en-US" on a German blog). This pipeline
moves the claim to `declared_language`, sets `language` from title + body (newscrawl/extract/language.py), and
records a disagreement as a Discrepancy (field "language", via "declared") next to the discovery ones, counted in
the same stats (newscrawl/discrepancies/language). Runs after DiscrepancyPipeline, which rebuilds the list.
The detector's tables come from the machine's cache (langid_cache.py), loaded with the first article.
"""

from __future__ import annotations

from typing import Any

from newscrawl.extract.langid_fast import FastIdentifier
from newscrawl.extract.language import Detection, detect, primary_language
from newscrawl.items import Article, Discrepancy
from newscrawl.pipelines.droplog import dropped_when_the_disk_is_full
from newscrawl.pipelines.langid_cache import shared_identifier

DECLARED = "declared"


def apply_language(article: Article, identifier: FastIdentifier | None = None) -> tuple[Detection | None,
                                                                                      Discrepancy | None]:
    """Set language/declared_language on `article`: what the detector found, and the disagreement if any.
    `identifier`: the loaded detector (default: this process's, from the cache)."""
    declared = article.declared_language or article.language  # idempotent: a second pass keeps the first claim
    article.declared_language = declared
    found = detect(f"{article.title}\n\n{article.body}", identifier or shared_identifier())
    claimed = primary_language(declared)
    article.language = found.language if found is not None else claimed
    if found is None or claimed is None or claimed == found.language:
        return found, None
    source = article.provenance.response_url if article.provenance is not None else None
    return found, Discrepancy(field="language", via=DECLARED, source_url=source, claimed=str(declared),
                              found=found.language)


class LanguagePipeline:
    def __init__(self, stats: Any = None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> LanguagePipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        with dropped_when_the_disk_is_full(item.url):  # the tables, prepared with the first item (langid_cache.py)
            found, discrepancy = apply_language(item)
        self._count("newscrawl/language/" + ("detected" if found is not None else "undetermined"))
        if discrepancy is not None:
            if item.provenance is not None and discrepancy not in item.provenance.discrepancies:
                item.provenance.discrepancies.append(discrepancy)
            self._count("newscrawl/discrepancies/language")
        return item

    def _count(self, name: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(name)
