"""Byline markup: which text of a headline element is a credit rather than the headline.

Read from markup every news template uses, never from a site's class names: the byline classes of hNews and of
WordPress-era themes (`byline`, `author`, in any compound: "article-byline", "authorName"), schema.org's
itemprop="author"/"creator" and rel="author" for credits.

- headline_text: a credit set inside the headline element (the author's element nested in the <h1>) is no part of
  the headline, and the element's lines (at <br> and block edges) come back apart, for extract/titles.py
  (choose_title) to tell the headline's lines from a byline or dek printed on a line of their own below it.
"""

from __future__ import annotations

from lxml import etree

from newscrawl.extract.blocks import CONTAINERS, LEAF_BLOCKS, SkipPredicate
from newscrawl.extract.boxnames import name_words
from newscrawl.extract.text import clean_text

CREDIT_WORDS = frozenset({"author", "authors", "byline", "autor", "auteur"})
"""Class/id words (as boxnames.name_words splits them) of an element holding a credit."""
_CREDIT_PROPS = frozenset({"author", "creator"})
_INVISIBLE = frozenset({"script", "style", "template"})  # what Page.text leaves out of an element's text
_LINE_EDGES = LEAF_BLOCKS | CONTAINERS  # <br> is among the containers


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
