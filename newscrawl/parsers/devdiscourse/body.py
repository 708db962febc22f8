"""What inside a Devdiscourse body container is not the story's text: template furniture and editors' promos.

Both are recognised by structure, never by a phrase alone, so a story paragraph that starts "Read more on…",
"Country:" or says "also read" stays in the body.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

from newscrawl.extract.blocks import SKIP_TAGS, block_texts, has_class, inline_text
from newscrawl.extract.text import clean_text, split_list
from newscrawl.extract.urls import is_http_url

# An editor's inline promo inside the story text: "Also Read: <a>other story</a>" (any case, colon optional,
# wrapped in <strong>/<b>/<em> or bare). Its label is matched here; promo_links checks the block's structure.
_PROMO_LABEL = re.compile(r"^also\s+read\b\s*[:\-\u2013\u2014]?", re.IGNORECASE)
_PROMO_HINT = re.compile(r"also\s*read", re.IGNORECASE)  # in the raw text of every promo; cheap to test first
_PROMO_SEPARATORS = re.compile(r"^[\s|,;\u00b7\u2022\-\u2013\u2014]*$")
PROMO_BLOCKS = frozenset({"p", "div", "h2", "h3", "h4", "h5", "h6"})
# The mobile view's badge rows (§3.2): "READ MORE ON :" (tags) and "COUNTRY :" (countries), labels the template
# prints in capitals, the colon spaced or not. Read as text, so the label may sit in a span of its own or be the
# row's bare text.
_BADGE_LABEL = re.compile(r"^(READ\s+MORE\s+ON|COUNTRY)\s*:")
COUNTRY_BADGES = "COUNTRY"


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


def story_paragraphs(container: Any, badge_rows: bool = False) -> list[str]:
    """The body container's paragraphs without its furniture (is_body_furniture) and, with `badge_rows` (the mobile
    view, §3.2), without the badge rows at its end (trailing_badge_rows)."""
    # a set of the elements themselves: it keeps their lxml proxies alive, so a later visit meets the same objects
    skipped = set(trailing_badge_rows(container)) if badge_rows else set()
    return block_texts(container, lambda element: element in skipped or is_body_furniture(element))


def related_links(container: Any, page_url: str) -> list[str]:
    """The links of the body's inline "Also Read" promos (promo_links), absolute, each once, in page order."""
    links: list[str] = []
    for element in container.iter(*PROMO_BLOCKS):
        for href in promo_links(element) or ():
            url = urljoin(page_url, href)
            if is_http_url(url) and url not in links:
                links.append(url)
    return links


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


def _badge_label(text: str) -> str | None:
    """The badge label a text starts with ("READ MORE ON", "COUNTRY"), or None."""
    match = _BADGE_LABEL.match(text)
    return " ".join(match.group(1).split()) if match else None


def _full_text(element: Any) -> str:
    try:
        return clean_text(inline_text(element))
    except RecursionError:
        return ""  # nested deeper than Python's stack: a hostile page, never the template's one-line row


def _is_badge_block(element: Any) -> bool:
    """A badge row (its text starts with a badge label), or a wrapper holding only badge rows."""
    if _badge_label(_full_text(element)) is not None:
        return True
    children = [child for child in element if isinstance(child.tag, str) and child.tag not in SKIP_TAGS]
    return (bool(children) and not clean_text(element.text) and all(not clean_text(c.tail) for c in children)
            and all(_is_badge_block(c) or not _full_text(c) for c in children)
            and any(_is_badge_block(c) for c in children))


def trailing_badge_rows(container: Any) -> list[Any]:
    """The mobile view's badge rows at the end of the body container (§3.2: the body, its disclaimers, then the
    "READ MORE ON :" and "COUNTRY :" rows), last first: each a block of its own, whatever its markup. Only rows with
    nothing but empty blocks after them count, so a story paragraph starting "COUNTRY:" mid-story stays.

    >>> from lxml.html import fragment_fromstring as f
    >>> rows = trailing_badge_rows(f('<div><p>COUNTRY: a word</p><p>Story.</p><div>READ MORE ON : <span>oil'
    ...                              '</span></div><div>COUNTRY : <span>India</span></div></div>'))
    >>> [_full_text(row) for row in rows]
    ['COUNTRY : India', 'READ MORE ON : oil']
    """
    rows: list[Any] = []
    for child in reversed(list(container)):
        if clean_text(child.tail):
            break  # text after this block: it is not at the end
        if not isinstance(child.tag, str) or child.tag in SKIP_TAGS:
            continue
        if _is_badge_block(child):
            rows.append(child)
        elif _full_text(child):
            break
    return rows


def badge_values(root: Any, label: str, outside: Any = None) -> list[str]:
    """The values of the `label` badge rows under `root` ("COUNTRY": the countries, §3.2), in page order, each
    comma list split. A row is found by its label, whatever its markup: a label element followed by badge elements
    (`<span>COUNTRY :</span><span class="badge">India</span>`), a row whose bare text starts with the label and
    holds the badges (`<div>COUNTRY : <span>India</span></div>`), or the label and its values as bare text. Label
    text inside the `outside` container (the body) counts only in that container's trailing badge rows.

    >>> from lxml.html import fragment_fromstring as f
    >>> badge_values(f('<div><div><span class="f-18">COUNTRY :</span><span class="badge">India</span> '
    ...                '<span class="badge">Nepal</span></div><div>COUNTRY : <span>Fiji, Tonga</span></div></div>'),
    ...              COUNTRY_BADGES)
    ['India', 'Nepal', 'Fiji', 'Tonga']
    """
    # sets of the elements themselves: they keep their lxml proxies alive, so root.iter() meets the same objects
    trailing = {element for row in trailing_badge_rows(outside) for element in row.iter()} if outside is not None \
        else set()
    inside = set(outside.iter()) if outside is not None else set()
    values: list[str] = []
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in SKIP_TAGS:
            continue
        own = clean_text(element.text)
        if _badge_label(own) != label or (element in inside and element not in trailing):
            continue
        rest = _BADGE_LABEL.sub("", own, count=1).strip()
        children = [child for child in element if isinstance(child.tag, str) and child.tag not in SKIP_TAGS]
        if children or rest:
            values += [rest] if rest else []
            values += _badges(children)
        else:  # the label is an element of its own: the badges are the text and elements after it
            values += [clean_text(element.tail)] if clean_text(element.tail) else []
            values += _badges(list(element.itersiblings()))
    return [value for text in values for value in split_list(text)]


def _badges(elements: list[Any]) -> list[str]:
    """Texts of badge elements, up to the next badge label; a wrapper of several badges gives each of its own."""
    found: list[str] = []
    for element in elements:
        if not isinstance(element.tag, str) or element.tag in SKIP_TAGS:
            continue
        text = _full_text(element)
        if _badge_label(text) is not None:
            break
        inner = [child for child in element if isinstance(child.tag, str) and _full_text(child)]
        found += [_full_text(child) for child in inner] if len(inner) > 1 else ([text] if text else [])
    return found
