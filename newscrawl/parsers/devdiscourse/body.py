"""What inside a Devdiscourse body container is not the story's text: template furniture and editors' promos.

Both are recognised by structure, never by a phrase alone, so a story paragraph that starts "Read more on…",
"Country:" or says "also read" stays in the body.
"""

from __future__ import annotations

import re
from typing import Any

from newscrawl.extract.blocks import has_class, inline_text
from newscrawl.extract.text import clean_text

# An editor's inline promo inside the story text: "Also Read: <a>other story</a>" (any case, colon optional,
# wrapped in <strong>/<b>/<em> or bare). Its label is matched here; promo_links checks the block's structure.
_PROMO_LABEL = re.compile(r"^also\s+read\b\s*[:\-\u2013\u2014]?", re.IGNORECASE)
_PROMO_HINT = re.compile(r"also\s*read", re.IGNORECASE)  # in the raw text of every promo; cheap to test first
_PROMO_SEPARATORS = re.compile(r"^[\s|,;\u00b7\u2022\-\u2013\u2014]*$")
PROMO_BLOCKS = frozenset({"p", "div", "h2", "h3", "h4", "h5", "h6"})


def is_body_furniture(element: Any) -> bool:
    """Elements inside a body container that are the template's, not the story's: ads, the AI summary card, the
    AMP blog's "FIRST PUBLISHED ON" box (div.ad), and the mobile view's "READ MORE ON :" / "COUNTRY :" badge rows
    (a div whose first child is the span.f-18 label, §3.2), and the editors' inline "Also Read" promos (§2.4 body:
    raw editor HTML). Skipped by structure, so story paragraphs that start "Read more on…" or "Country:" stay."""
    if has_class(element, "advertisement-area", "article-ai-card", "modal", "ad"):
        return True
    if promo_links(element) is not None:
        return True  # an editor's inline "Also Read" promo: its links go to `related`, not the body
    if element.tag == "div":
        first = next(iter(element), None)
        return first is not None and first.tag == "span" and has_class(first, "f-18")
    return False


def _is_link(element: Any) -> bool:
    return bool(element.tag == "a")


def promo_links(element: Any) -> list[str] | None:
    """The hrefs of an inline "Also Read" promo block, or None when the block is not one.

    A promo is a block whose whole text is the "Also Read" label plus the text of its links (separators aside):
    a story sentence that merely says "also read", or holds a link amid other words, is not one.

    >>> from lxml.html import fragment_fromstring as f
    >>> promo_links(f('<p><strong>Also Read: <a href="/article/x/1-a">A story</a></strong></p>'))
    ['/article/x/1-a']
    >>> promo_links(f('<p><a href="/article/x/2-b">ALSO READ A story</a></p>'))
    ['/article/x/2-b']
    >>> promo_links(f('<p><b>Also read</b> <a href="/a">One</a> | <a href="/b">Two</a></p>'))
    ['/a', '/b']
    >>> promo_links(f('<p>Also read the <a href="/r">report</a> on rates.</p>')) is None
    True
    """
    if element.tag not in PROMO_BLOCKS or not _PROMO_HINT.search("".join(element.itertext())):
        return None
    try:
        label = _PROMO_LABEL.match(clean_text(inline_text(element)))
        outside_links = clean_text(inline_text(element, _is_link))
    except RecursionError:
        return None  # nested deeper than Python's stack: a hostile page, not an editor's one-line promo
    if label is None:
        return None
    hrefs = [href for a in element.iter("a") if (href := (a.get("href") or "").strip())]
    rest = _PROMO_LABEL.sub("", outside_links, count=1)
    if not hrefs or not _PROMO_SEPARATORS.match(rest):
        return None
    return hrefs
