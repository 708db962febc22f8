"""Byline markup: which text of a headline or byline element is a credit, a name, or the place printed beside it.

Read from markup every news template uses, never from a site's class names: the byline classes of hNews and of
WordPress-era themes (`byline`, `author`, in any compound: "article-byline", "authorName"), schema.org's
itemprop="author"/"creator" and rel="author" for credits; a vCard `locality` (or `location`) class and schema.org's
contentLocation/locationCreated for the place; a link or bold type setting a name apart from the plain text around
it.

- headline_text: a credit set inside the headline element (the author's element nested in the <h1>) is no part of
  the headline, and the element's lines (at <br> and block edges) come back apart, for extract/titles.py
  (choose_title) to tell the headline's lines from a byline or dek printed on a line of their own below it.
- byline_text: in a byline whose names are set apart in their own elements, a field printed after them and parted
  by a field separator ("Jane Roe | Springfield | 3.4.2019") is the dateline's place, not a second person, when
  the markup does not set it apart like the names; a part marked as the place is left out too.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml import etree

from newscrawl.extract.blocks import CONTAINERS, LEAF_BLOCKS, SkipPredicate, text_pieces
from newscrawl.extract.boxnames import name_words
from newscrawl.extract.people import classify, strip_byline
from newscrawl.extract.text import clean_text

CREDIT_WORDS = frozenset({"author", "authors", "byline", "autor", "auteur"})
"""Class/id words (as boxnames.name_words splits them) of an element holding a credit."""
PLACE_WORDS = frozenset({"location", "locality"})
"""Class/id words of a byline's place (a vCard `locality`). Not hNews's `dateline`: templates put the date in it."""
_CREDIT_PROPS = frozenset({"author", "creator"})
# A folder of writers' pages, then the writer's own part (a slug or an id): "/author/jane-roe/", "/ueber-uns/autoren/
# Jane-Roe", "/profile/12345", and "/by/jane-roe" at the root (not a licence's "/licenses/by/4.0/"). The folder alone
# ("/authors/", "/people") is the index of all writers.
_AUTHOR_PATH = re.compile(r"(?:^/by|/(?:authors?|autor(?:en|es|i)?|auteurs?|autore|profiles?|profil|people|staff|"
                          r"contributors?|journalists?|writers?|columnists?))/[^/?#]*[^\W_][^/?#]*", re.IGNORECASE)
_PLACE_PROPS = frozenset({"contentlocation", "locationcreated"})
_INVISIBLE = frozenset({"script", "style", "template"})  # what Page.text leaves out of an element's text
_LINE_EDGES = LEAF_BLOCKS | CONTAINERS  # <br> is among the containers
_NAME_MARKS = etree.XPath(".//*[self::a or self::strong or self::b or contains(concat(' ', normalize-space(@itemprop),"
                          " ' '), ' name ')]")
_NON_WORD = re.compile(r"[\W_]+")  # what two renderings of one text may differ in: spacing, punctuation
_FIELD_SEPARATOR = re.compile(r"(\s+[|·•]\s+)")  # captured: kept fields keep the separator printed before them


def is_credit(element: etree._Element) -> bool:
    """An element marked as holding a credit: itemprop author/creator, rel=author, a byline or author class.

    >>> from lxml.html import fragment_fromstring as f
    >>> [is_credit(f(html)) for html in ('<span class="c-byline__name">x</span>', '<a rel="author">x</a>',
    ...                                  '<span itemprop="author">x</span>', '<span class="authority">x</span>')]
    [True, True, True, False]
    """
    props = set((element.get("itemprop") or "").lower().split())
    rels = set((element.get("rel") or "").lower().split())
    return bool(props & _CREDIT_PROPS) or "author" in rels or bool(name_words(element) & CREDIT_WORDS)


def is_author_link(element: etree._Element) -> bool:
    """An <a> to a writer's page: rel="author", or an address in a folder of writers' pages.

    >>> from lxml.html import fragment_fromstring as f
    >>> [is_author_link(f(html)) for html in ('<a href="/author/jane-roe/">x</a>', '<a rel="author" href="/x">x</a>',
    ...     '<a href="https://a.example/ueber-uns/autoren/Jane-Roe">x</a>', '<a href="/authors/">x</a>',
    ...     '<a href="/people">x</a>', '<a href="/news/author-interview-2019">x</a>', '<a href="http://[x]/author/y">x</a>',
    ...     '<a href="/by/jane-roe">x</a>', '<a href="https://creativecommons.org/licenses/by/4.0/">x</a>')]
    [True, True, True, False, False, False, False, True, False]
    """
    if "author" in (element.get("rel") or "").lower().split():
        return True
    try:
        path = urlsplit(element.get("href") or "").path
    except ValueError:  # "http://[cookie-settings]": no address at all, let alone a writer's page
        return False
    return bool(_AUTHOR_PATH.search(path))


def is_place(element: etree._Element) -> bool:
    """An element marked as a byline's place: a locality/location class, schema.org contentLocation/locationCreated.

    >>> from lxml.html import fragment_fromstring as f
    >>> is_place(f('<span class="author-location">Springfield</span>')), is_place(f('<span class="name">x</span>'))
    (True, False)
    """
    props = set((element.get("itemprop") or "").lower().split())
    return bool(props & _PLACE_PROPS) or bool(name_words(element) & PLACE_WORDS)


def headline_text(element: etree._Element) -> str:
    """A headline element's visible text without the credits set inside it, one line per <br> or block, the lines
    joined by newlines. An element that holds nothing but a credit keeps it (an author page's <h1> is the name).

    >>> from lxml.html import fragment_fromstring as f
    >>> headline_text(f('<h1>Kim meets <b>Putin</b> <span class="byline">By Jane Roe</span></h1>'))
    'Kim meets Putin'
    >>> headline_text(f('<h1><span>Kim meets Putin</span><br><span>Senior editor Jane Roe</span></h1>'))
    'Kim meets Putin\\nSenior editor Jane Roe'
    >>> headline_text(f('<h1><span itemprop="author">Jane Roe</span></h1>'))
    'Jane Roe'
    """
    lines = _lines(element, is_credit)
    return "\n".join(lines or _lines(element, _nothing))


def _nothing(_: etree._Element) -> bool:
    return False


def _lines(element: etree._Element, skip: SkipPredicate) -> list[str]:
    """The element's text nodes (outside script/style/template and skipped subtrees) in lines broken at blocks; the
    nodes of one line joined with spaces, as Page.text joins them."""
    lines: list[list[str]] = [[]]

    def walk(node: etree._Element) -> None:
        lines[-1].append(node.text or "")
        for child in node:
            tag = child.tag.lower() if isinstance(child.tag, str) else None  # comments keep only their tail
            if tag is not None and tag not in _INVISIBLE and not skip(child):
                if tag in _LINE_EDGES:
                    lines.append([])
                walk(child)
                if tag in _LINE_EDGES:
                    lines.append([])
            lines[-1].append(child.tail or "")

    walk(element)
    return [line for line in (clean_text(" ".join(pieces)) for pieces in lines) if line]


def byline_text(element: etree._Element, skip: SkipPredicate, publisher: str | None = None) -> str:
    """A byline element's text without its place: a part marked as the place, and a field after the names that
    reads like another person's name although the markup does not set it apart as it sets the names.

    Fields that are no person (an agency, a desk, the publisher, a role) stay: they are credits of their own.

    >>> from lxml.html import fragment_fromstring as f
    >>> byline_text(f('<p class="autor"><strong>Ana Ruiz</strong> | Villa del Mar | 3.4.2019</p>'), _nothing)
    'Ana Ruiz | 3.4.2019'
    >>> byline = f('<p class="byline">By <a href="/a/jr">Jane Roe</a> | Harbour Gazette</p>')
    >>> byline_text(byline, _nothing, "Harbour Gazette"), byline_text(byline, _nothing)
    ('By Jane Roe | Harbour Gazette', 'By Jane Roe')
    >>> byline_text(f('<p class="byline">By <a>Jane Roe</a> | <a>John Doe</a></p>'), _nothing)
    'By Jane Roe | John Doe'
    >>> byline_text(f('<p class="byline">By Jane Roe, <span itemprop="contentLocation">Springfield</span></p>'),
    ...             _nothing)
    'By Jane Roe,'
    """
    text = clean_text(" ".join(text_pieces(element, lambda child: skip(child) or is_place(child))))
    parts = _FIELD_SEPARATOR.split(text)
    fields, separators = parts[::2], ["", *parts[1::2]]
    if len(fields) < 2:
        return text
    marked = (strip_byline(" ".join(text_pieces(mark, skip))) for mark in _NAME_MARKS(element) if not skip(mark))
    names = [name for name in marked if name and classify(name).kind == "person"]
    first = next((index for index, field in enumerate(fields) if any(name in field for name in names)), None)
    if first is None:
        return text
    kept = [separator + field for index, (separator, field) in enumerate(zip(separators, fields))
            if index <= first or any(name in field for name in names)
            or classify(strip_byline(field), publisher).kind != "person"]
    return "".join(kept)


def line_byline(line: str, element: etree._Element, skip: SkipPredicate, publisher: str | None = None) -> str:
    """A byline line ("By …") read by the markup of the element that prints it (byline_text), when that element
    prints nothing else; else the line as it is.

    >>> from lxml.html import fragment_fromstring as f
    >>> line_byline("By Jane Roe, Springfield", f('<p>By Jane Roe, <span class="locality">Springfield</span></p>'),
    ...             _nothing)
    'By Jane Roe,'
    >>> line_byline("By Jane Roe", f('<div>By Jane Roe<p>A paragraph of the story.</p></div>'), _nothing)
    'By Jane Roe'
    """
    if _NON_WORD.sub("", " ".join(text_pieces(element, skip))) != _NON_WORD.sub("", line):
        return line
    read = byline_text(element, skip, publisher)
    return line if _NON_WORD.sub("", read) == _NON_WORD.sub("", line) else read  # the line's own spacing when whole
