"""The three things the parse and replay benchmarks time on the same pages.

* floor: `lxml.html.fromstring` alone, what any extractor must at least pay;
* newscrawl: the page's parser (Devdiscourse unless the page names another) plus the cleaning steps the pipelines
  apply (boilerplate notes out of the body, attribution), i.e. everything between response bytes and a finished
  item except Scrapy and provenance;
* trafilatura: `bare_extraction(html, url=..., with_metadata=True)` (text plus title/author/date, the same scope
  as ours), default settings otherwise (its fallback extractors on).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import lxml.html

from newscrawl.parsers import parser_by_name
from newscrawl.parsers.devdiscourse import DevdiscourseParser
from newscrawl.pipelines.attribution import attribute
from newscrawl.pipelines.boilerplate import clean_article

CONTENT_TYPE = "text/html; charset=utf-8"


@dataclass(frozen=True)
class HtmlPage:
    url: str
    body: bytes
    """Decoded transfer-wise (no gzip), exactly what the parser receives from Scrapy's response.body."""
    parser: str = DevdiscourseParser.name
    """The registered parser that reads the page (newscrawl.parsers.parser_by_name)."""


def floor(pages: Sequence[HtmlPage]) -> int:
    for page in pages:
        lxml.html.fromstring(page.body)
    return len(pages)


def newscrawl(pages: Sequence[HtmlPage]) -> int:
    articles = 0
    for page in pages:
        article = parser_by_name(page.parser).from_html(page.body, page.url, CONTENT_TYPE).parse()
        if article is not None:
            attribute(clean_article(article))
            articles += 1
    return articles


def trafilatura(pages: Sequence[HtmlPage]) -> int:
    from trafilatura import bare_extraction

    found = 0
    for page in pages:
        if bare_extraction(page.body, url=page.url, with_metadata=True) is not None:
            found += 1
    return found


def trafilatura_available() -> bool:
    try:
        import trafilatura  # noqa: F401
    except ImportError:
        return False
    return True


EXTRACTORS: dict[str, Callable[[Sequence[HtmlPage]], int]] = {
    "floor": floor, "newscrawl": newscrawl, "trafilatura": trafilatura,
}
