"""Cross-check what discovery sources claimed about an article against the page itself.

A sitemap title that differs from the headline, or a publication date off by more than a tolerance, is recorded
in provenance.discrepancies (and counted in the run report): an analyst can then see that the outlet retitled or
backdated a story, or that its sitemap is stale. Dates are compared two ways — as absolute times and as wall-clock
digits — and flagged only when both disagree, because sources often print local digits with a wrong offset
(Devdiscourse's sitemap, STRUCTURE.md §2.6): that is a known quirk, not a discrepancy.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from newscrawl.extract.dates import parse_iso
from newscrawl.items import Article, Discrepancy

DATE_TOLERANCE = timedelta(minutes=10)
# claim name → (article field, how to compare)
TITLE_CLAIMS = ("news:title", "title")
DATE_CLAIMS = {"news:publication_date": "published_at", "lastmod": "modified_at"}
_ELLIPSIS = re.compile(r"(\.\.\.|…)\s*$")


@lru_cache(maxsize=256)  # an item's own title is compared with every title its discovery routes claimed
def normalise_title(text: str) -> str:
    """Case, accents, punctuation and spacing do not count as a different title.

    >>> normalise_title("Kim  Jong Un’s “Talks”") == normalise_title("kim jong uns talks")
    True
    """
    decomposed = unicodedata.normalize("NFKD", text)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w\s]", "", letters.casefold()).split())


def titles_agree(claimed: str, found: str) -> bool:
    if _ELLIPSIS.search(claimed):  # a truncated card title: compare the part shown
        return normalise_title(found).startswith(normalise_title(_ELLIPSIS.sub("", claimed)))
    return normalise_title(claimed) == normalise_title(found)


def dates_agree(claimed: datetime, found: datetime) -> bool:
    absolute = abs(claimed - found) <= DATE_TOLERANCE
    wall_clock = abs(claimed.replace(tzinfo=None) - found.replace(tzinfo=None)) <= DATE_TOLERANCE
    return absolute or wall_clock


def find_discrepancies(article: Article) -> list[Discrepancy]:
    if article.provenance is None:
        return []
    found: list[Discrepancy] = []
    for discovery in article.provenance.discovery:
        for name in TITLE_CLAIMS:
            claimed = discovery.claims.get(name)
            if isinstance(claimed, str) and claimed.strip() and not titles_agree(claimed, article.title):
                found.append(Discrepancy(field="title", via=discovery.via, source_url=discovery.source_url,
                                         claimed=claimed, found=article.title))
        for name, field_name in DATE_CLAIMS.items():
            raw = discovery.claims.get(name)
            claimed_at = parse_iso(str(raw)) if raw else None
            value = getattr(article, field_name)
            page_at = parse_iso(value)
            if claimed_at is not None and page_at is not None and not dates_agree(claimed_at, page_at):
                found.append(Discrepancy(field=field_name, via=discovery.via, source_url=discovery.source_url,
                                         claimed=str(raw), found=value))
    return found


class DiscrepancyPipeline:
    def __init__(self, stats: Any = None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> DiscrepancyPipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, Article) and item.provenance is not None:
            item.provenance.discrepancies = find_discrepancies(item)
            if self.stats is not None:
                for discrepancy in item.provenance.discrepancies:
                    self.stats.inc_value(f"newscrawl/discrepancies/{discrepancy.field}")
        return item
