"""Reading the Devdiscourse byline block's pieces: the source link, the author, the dateline span, AMP's source line.

Pure functions over text or one Selector; which block to read in which view is the parser's (views.py).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from parsel import Selector

from newscrawl.extract.blocks import element_of, has_class
from newscrawl.extract.countries import is_country
from newscrawl.extract.people import co_authors
from newscrawl.extract.text import clean_or_none, clean_text, split_list
from newscrawl.parsers.base import text_nodes
from newscrawl.parsers.devdiscourse.site import SOURCE_LINKS


def source_of_link(meta: Selector) -> tuple[str | None, str | None]:
    """(byline text, Source it stands for) from the first non-author link of the byline block (§2.4, §2.7)."""
    for link in element_of(meta).iter("a"):  # `meta.css("a")`: the block itself too, then its links in order
        href = (link.get("href") or "").strip()
        if "AuthorArticles" in href:
            continue
        text = clean_or_none(" ".join(text_nodes(link)))
        path = urlsplit(href).path.rstrip("/")
        source = SOURCE_LINKS.get(path)
        if source is None and path.startswith("/news-source/"):
            source = clean_or_none(path.split("/news-source/", 1)[1].replace("%20", " "))
        return text, source or text
    return None, None


def blog_authors(author: str | None) -> list[str]:
    """The people of a blog's Author (§2.7, one string): a column by two writers credits "A and B"."""
    return co_authors(author) if author else []


def plain_dateline_span(meta: Selector) -> str | None:
    """The dateline the template prints without a class: "Washington DC" and "Los Angeles" (§2.4).

    The byline block's own spans are, in order: the source (or author) link, dividers, the city, the dates; the
    city is the one span that is neither a divider nor holds a link or the "Updated:"/"Created:" times.
    """
    for span in meta.xpath("./span"):
        if has_class(element_of(span), "list-divider") or span.css("a"):
            continue
        text = clean_text(" ".join(span.css("::text").getall()))
        if text and text != "|" and not re.match(r"(Updated|Created)\s*:", text):
            return text
    return None


def split_amp_source(text: str) -> tuple[str | None, list[str]]:
    """(city, countries) from the text of AMP's `p.source`: the source (and author) link, then "| {City}" and
    "| {Country, Country}", each printed only when the article has it (§3.1).

    >>> split_amp_source("Reuters| Singapore | United States, Iran")
    ('Singapore', ['United States', 'Iran'])
    >>> split_amp_source("Devdiscourse News Desk| Seoul"), split_amp_source("Devdiscourse News Desk | India, Nepal")
    (('Seoul', []), (None, ['India', 'Nepal']))
    >>> split_amp_source("Devdiscourse News Desk | Nepal"), split_amp_source("PTI")
    ((None, ['Nepal']), (None, []))
    """
    pieces = [clean_text(piece) for piece in text.split("|")[1:]]
    pieces = [piece for piece in pieces if piece]
    if len(pieces) >= 2:
        return pieces[0], split_list(pieces[1])
    if not pieces:
        return None, []
    names = split_list(pieces[0])
    if len(names) > 1 or all(is_country(name) for name in names):
        return None, names
    return pieces[0], []


def title_case_css(text: str) -> str:
    """What CSS `text-transform: capitalize` shows: first letter of each word upper-cased, the rest kept (the
    dateline span is lower-case in the HTML and title-cased by its `text-capitalize` class, §2.4).

    >>> title_case_css("new delhi"), title_case_css("Washington DC")
    ('New Delhi', 'Washington DC')
    """
    return re.sub(r"(^|\s)(\w)", lambda m: m.group(1) + m.group(2).upper(), text)
