"""Who fed the story: agencies, the with-inputs flag, syndication, and people vs desks in the byline."""

from __future__ import annotations

import re
from typing import Any

from newscrawl.extract.agencies import agencies_in, dateline_agency, normalise_agency
from newscrawl.extract.text import split_paragraphs
from newscrawl.items import Article

# "with inputs from PTI", "with additional inputs from agencies", "(With agency inputs)"
_WITH_INPUTS = re.compile(r"\bwith (?:additional )?(?:inputs? from\b|agency inputs?\b)", re.IGNORECASE)
_SYNDICATED = re.compile(r"auto-generated from a syndicated feed|reproduced story from", re.IGNORECASE)
# Bylines that name an organisation's desk rather than a person.
_DESK = re.compile(r"\b(desk|bureau|staff|team|news service|correspondents?|editorial)\b", re.IGNORECASE)


class AttributionPipeline:
    def process_item(self, item: Any) -> Any:
        if isinstance(item, Article):
            attribute(item)
        return item


def attribute(article: Article) -> Article:
    """Fill agencies / with_inputs_from_agencies / syndicated from byline, dateline and notes (in place)."""
    found: dict[str, None] = dict.fromkeys(article.agencies)
    byline_agency = normalise_agency(article.byline)
    if byline_agency:
        found.setdefault(byline_agency, None)
    paragraphs = split_paragraphs(article.body)
    opening = dateline_agency(paragraphs[0]) if paragraphs else None
    if opening:
        found.setdefault(opening, None)
    for agency in agencies_in(article.editorial_note):
        found.setdefault(agency, None)
    if article.credit_line and not agencies_in(article.credit_line) and re.search(
        r"\b(reporting|editing) by\b", article.credit_line, re.IGNORECASE
    ):
        found.setdefault("Reuters", None)  # "(Reporting by …; Editing by …)" is Reuters' house style
    for agency in agencies_in(article.credit_line):
        found.setdefault(agency, None)
    article.agencies = list(found)
    note = article.editorial_note or ""
    article.with_inputs_from_agencies = article.with_inputs_from_agencies or bool(_WITH_INPUTS.search(note))
    article.syndicated = article.syndicated or bool(_SYNDICATED.search(note))
    if byline_agency or (article.byline and _DESK.search(article.byline)):
        article.authors = [a for a in article.authors if normalise_agency(a) is None and not _DESK.search(a)]
    return article
