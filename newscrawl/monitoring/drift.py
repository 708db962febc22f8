"""The layout-drift alarm: a run fails loudly when an outlet's pages stop yielding the fields they used to.

Expectations live with each parser (`ArticleParser.expected_coverage`): the share of articles that must have a
field. Small runs (fewer than NEWSCRAWL_DRIFT_MIN_ARTICLES articles) are only checked for total failure — a
required field that no article has, or article pages that all parse to nothing — because one odd article in a
run of three says nothing about the layout.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from newscrawl.parsers import parser_by_name

REQUIRED = ("title", "body", "published_at")
GENERIC_PARSER = "generic"
SHRUNK_MIN = 3  # revisions flagged body_shrunk in one run before they say more about the pages than the stories
UNDECLARED = {"title": 1.0, "body": 1.0}
"""What an outlet without a parser of its own (a host read by the generic extractor) must give: a page may print no
date at all, which is flagged on the item (quality "no_date"), not layout drift."""


@dataclass
class DriftVerdict:
    failed: bool = False
    fields: list[dict[str, Any]] = field(default_factory=list)
    message: str | None = None


def check_drift(coverage: dict[str, dict[str, Any]], examples: dict[str, dict[str, list[str]]],
                article_pages: int, not_article_pages: int, min_articles: int, revisions: int = 0,
                shrunk_revisions: int = 0, shells_by_parser: dict[str, tuple[int, int]] | None = None,
                page_kinds: int = 0, reasons: dict[str, int] | None = None) -> DriftVerdict:
    """`revisions` of known articles this run, `shrunk_revisions` of them flagged body_shrunk: when most of at least
    SHRUNK_MIN revisions lost most of their body, the pages changed, not the stories (a paywall, a consent wall).

    `shells_by_parser`: per outlet parser, (pages that parsed to nothing, pages read). When most of at least
    `min_articles` pages of an outlet with a parser of its own parsed to nothing, its layout changed on part of the
    site (a redesign rolled out to some sections, a script shell for some pages) while the rest still gave items.
    The generic parser is left out: sitemaps list section, tag and author pages, which are rightly nothing.

    `page_kinds`: how many of the pages that parsed to nothing said what they are instead (a home page, a listing:
    parsers.base.PAGE_KIND_REASONS). When all did, the message says that the URLs may not be articles at all (a
    list given by hand), since a run cannot tell that from a redesign that makes stories look like listings.

    `reasons`: why those pages parsed to nothing, counted (newscrawl/not_article/REASON); the message names them, so
    that a run of one page that is no article ("no_title": a redirect stub) says so beside the alarm."""
    verdict = DriftVerdict()
    why = ", ".join(f"{reason} {count}" for reason, count in sorted((reasons or {}).items()) if count)
    why = f" ({why})" if why else ""
    partial = [(name, shells, pages) for name, (shells, pages) in sorted((shells_by_parser or {}).items())
               if name != GENERIC_PARSER and pages >= min_articles and 2 * shells > pages]
    if article_pages == 0 and not_article_pages > 0:
        verdict.failed = True
        if page_kinds >= not_article_pages:
            verdict.message = (f"all {not_article_pages} fetched article pages parsed to nothing{why}, each read "
                               "as a home or listing page: if these URLs were given by hand (-a urls), they are not "
                               "article pages; otherwise the page layout probably changed")
        else:
            verdict.message = (f"all {not_article_pages} fetched article pages parsed to nothing{why}: the page "
                               "layout probably changed, or, if these pages were given by hand, they are no articles")
    elif partial:
        verdict.failed = True
        verdict.message = "; ".join(f"{shells} of {pages} {name} article pages parsed to nothing" for name, shells, pages
                                    in partial) + ": the page layout probably changed on part of the site"
    elif shrunk_revisions >= SHRUNK_MIN and 2 * shrunk_revisions > revisions:
        verdict.failed = True
        verdict.message = (f"{shrunk_revisions} of {revisions} revisions lost more than half their body "
                           "(body_shrunk): a paywall, a consent wall or a layout change")
    for outlet, seen in coverage.items():
        try:
            expected = parser_by_name(outlet).expected_coverage
        except KeyError:
            expected = UNDECLARED
        articles = seen["articles"]
        for name, threshold in sorted(expected.items()):
            actual = seen["fields"].get(name, 0.0)
            total_loss = name in REQUIRED and actual == 0.0 and articles > 0
            if total_loss or (articles >= min_articles and actual < threshold):
                verdict.failed = True
                verdict.fields.append({"outlet": outlet, "field": name, "coverage": actual, "expected": threshold,
                                       "articles": articles,
                                       "examples": examples.get(outlet, {}).get(name, [])})
    if verdict.fields and verdict.message is None:
        names = ", ".join(f"{f['field']} ({f['coverage']:.0%} < {f['expected']:.0%})" for f in verdict.fields)
        verdict.message = f"field coverage below expectation: {names}"
    return verdict
