"""Page furniture: the parts of an HTML page that are never article text, found by tag, visibility and class names.

The main-content extractor (extract/content.py) works on a pruned *copy* of the page: `prune()` removes scripts,
navigation, hidden elements and containers whose class/id names them as comments, sharing bars, related-story
lists, newsletter boxes and the like. The name patterns are generic web vocabulary, not site knowledge: no site,
domain or page is special-cased here (see README, "Other outlets", on how the extractor was measured).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from itertools import islice

from lxml import etree

from newscrawl.extract.boxnames import (COMMENT_WORDS, LAYOUT_WORDS, PICTURE_WORDS, furniture_words,
                                        is_body_name, is_furniture_name, name_words)

# Elements whose content is never article text. <form> is not here: ASP.NET pages wrap the whole page in one;
# <head> neither: libxml2 puts the whole page in <head> when a body tag shows up in it early.
DROP_TAGS = frozenset({
    "script", "style", "noscript", "template", "iframe", "svg", "button", "select", "input", "textarea", "label",
    "video", "audio", "object", "embed", "canvas", "map", "dialog", "menu", "nav", "aside", "title", "link", "meta",
    "amp-ad", "amp-analytics", "amp-sidebar", "amp-social-share", "amp-iframe",
})
# What the lightest prune (prune(light=True)) drops: elements that never hold readable text at all. <noscript> is
# not among them: some pages put the whole page there for readers without JavaScript (and an empty shell outside).
NEVER_TEXT_TAGS = frozenset({"script", "style", "template", "svg", "title", "link", "meta", "canvas",
                             "amp-analytics", "amp-ad",
                             "rt", "rp"})  # ruby annotations: the reading of the base text above it, not text
# Landmark roles with the same meaning as the tags above.
DROP_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "menu",
                        "menubar", "toolbar", "tablist", "alert", "alertdialog"})

LAYOUT_PROSE_MIN = 400  # characters of prose that make a layout-named box (boxnames.LAYOUT_WORDS) the story
INLINE_TAGS = frozenset({"span", "em", "strong", "b", "i", "small", "time", "abbr", "cite", "q"})
PROSE_MIN_CHARS = 80  # a paragraph with this much text besides an inline element is prose
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
TITLE_WORDS = frozenset({"title", "headline"})  # furniture words that, on a heading element, only say it is one
BODY_MIN_CHARS = 300
# Whole class tokens that hide an element everywhere ("hidden-xs" only hides it on phones, so it is not here).
HIDDEN_CLASSES = frozenset({"hidden", "hide", "d-none", "sr-only", "visually-hidden", "screen-reader-text",
                            "visuallyhidden", "invisible"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# Screen-reader-only text (a copy of a link's or name's text for assistive technology, "opens in a new window"):
# the accessibility utility classes of CSS frameworks and design systems, also under a project's own prefix
# ("u-screen-reader-text", "govuk-visually-hidden", "c-sr-only"). Not every "-hidden" class: "overflow-hidden"
# hides nothing.
_SCREEN_READER_CLASS = re.compile(
    r"(?:^|\s)(?:[\w-]*[-_])?(?:sr-only|screen-reader-text|screen-reader-only|visually-hidden|visuallyhidden|"
    r"element-invisible|show-for-sr|a11y-hidden)(?=\s|$)")
# Elements this big (characters of text) are never pruned by name: a name only marks small furniture boxes.
MAX_PRUNE_SHARE = 0.5
PICTURE_MAX_CAPTION = 300  # characters: text of a picture box beyond a long caption is a story set beside a photo
AUTHOR_BOX_TAGS = frozenset({"div", "section", "aside", "footer", "figure", "dl", "table"})


def is_hidden(element: etree._Element) -> bool:
    """Hidden by the `hidden` attribute, aria-hidden, an inline display:none style or a hiding class (one that
    hides everywhere, or a screen-reader-only one).

    >>> from lxml import html
    >>> [is_hidden(html.fragment_fromstring(f'<span class="{names}">x</span>')) for names in (
    ...     "u-screen-reader-text", "govuk-visually-hidden", "sr-only", "overflow-hidden", "hidden-xs", "srcset")]
    [True, True, True, False, False, False]
    """
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    classes = element.get("class")
    if classes and (HIDDEN_CLASSES.intersection(classes.split()) or _SCREEN_READER_CLASS.search(classes)):
        return True
    style = element.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def _holds_body(element: etree._Element) -> bool:
    """Whether a furniture-named box holds a named article body with real text (Blogger's "widget Blog")."""
    return any(is_body_name(d) and _text_length(d) >= BODY_MIN_CHARS for d in element.iterdescendants()
               if isinstance(d.tag, str))


def _prose_chars(element: etree._Element) -> int:
    """Characters of the element's paragraphs that read as prose: 80 characters or more, under a quarter links."""
    total = 0
    for paragraph in element.iter("p"):
        length = _text_length(paragraph)
        if length >= 80 and sum(map(_text_length, paragraph.iter("a"))) < 0.25 * length:
            total += length
    return total


def _leads_sentence(element: etree._Element) -> bool:
    """An inline element that opens a paragraph of prose: the dateline of its first sentence ("<span
    class=dateline>KOBE –</span> A total of…"), whatever its class says."""
    parent = element.getparent()
    return (element.tag in INLINE_TAGS and parent is not None and parent.tag == "p" and parent.index(element) == 0
            and not (parent.text or "").strip() and _text_length(parent) - _text_length(element) >= PROSE_MIN_CHARS)


def _unlinked_prose(element: etree._Element) -> bool:
    """A box with prose and no link: a link would make it a card pointing elsewhere (a teaser of another story)."""
    return element.find(".//a[@href]") is None and _prose_chars(element) > 0


def _text_length(element: etree._Element) -> int:
    return len("".join(element.itertext()))


def prune(root: etree._Element, by_name: bool = True, light: bool = False) -> etree._Element:
    """Remove furniture from `root` in place and return it: tags, landmark roles, hidden and furniture-named boxes.

    Name-based removal spares <body>, <main>, <article> and any element holding more than MAX_PRUNE_SHARE of the
    page's text, so a misleading class on a big wrapper ("page-with-sidebar") cannot delete the story.
    `by_name=False` is the light pruning of the fallback pass (content.py): tags and hidden boxes only, for pages
    whose story sits in a box named like furniture ("widget", "sidebar-content", a theme's component names).
    `light=True` removes only what never holds text (scripts, styles): the last resort for markup that puts the
    story inside a landmark or a hidden wrapper (an unclosed <header role=banner> that libxml2 nests the whole page
    in, a wrapper hidden until a script runs), where both other prunes leave nothing.
    """
    doomed: list[etree._Element] = []
    elements = root.iter()
    for element in elements:
        tag = element.tag
        if not isinstance(tag, str):
            doomed.append(element)  # comments and processing instructions
        elif tag in NEVER_TEXT_TAGS or (not light and (tag in DROP_TAGS
                                                       or (element.get("role") or "").lower() in DROP_ROLES)):
            doomed.append(element)
            _skip_subtree(elements, element)
        elif light and tag in INLINE_TAGS and is_hidden(element):
            # A wrapper hidden until a script runs is a block; a hidden span inside shown text is a copy kept for
            # scripts (a link's address, a tracking label), which no reader sees even when the story is short.
            doomed.append(element)
            _skip_subtree(elements, element)
    _remove(doomed)
    if light:
        return root
    total = max(_text_length(root), 1)
    doomed = []
    headline = root.find(".//h1")
    # _remove() moves the headline out of a doomed box that holds it, so that box's insides are still judged (a
    # hidden headline, a furniture span inside it); any other doomed box goes whole, unread.
    holds_headline = set(headline.iterancestors()) if headline is not None else set()
    elements = root.iter()
    for element in elements:
        if _is_furniture_box(element, by_name, total, element in holds_headline):
            doomed.append(element)
            if element not in holds_headline:
                _skip_subtree(elements, element)
    _remove(doomed, headline=headline)
    return root


def _is_furniture_box(element: etree._Element, by_name: bool, total: int, heads: bool = False) -> bool:
    """Whether prune() removes this element (and so everything in it); `total`: the page's characters of text;
    `heads`: the element holds the page's headline (its first <h1>)."""
    if element.tag in ("html", "body", "main", "article"):
        return False
    if element.tag != "footer" and not element.attrib:
        return False  # every test below but the page footer's reads a class, id, itemprop, role, style or hidden
    if by_name and COMMENT_WORDS & name_words(element) and element.find(".//h1") is None:
        return True
    if by_name and _is_page_footer(element) and _text_length(element) <= MAX_PRUNE_SHARE * total:
        return True
    if by_name and _is_author_box(element):
        return True
    if by_name and _is_picture_box(element):
        return True
    if is_hidden(element):
        return True  # what the reader never sees is not the story, whatever it holds
    if by_name and is_furniture_name(element):
        if (element.tag in ("p", "li", "h1") or any(a.tag == "h1" for a in element.iterancestors())
                or _leads_sentence(element)):
            return False  # a paragraph's own class is styling ("tag-line"), not a furniture box; the <h1> named
            # "headline" is the headline, which content.lead_in() starts from, and so are the spans in it
        if element.tag in HEADINGS and _names_itself(element):
            return False
        words = furniture_words(element)
        if words <= LAYOUT_WORDS and (_prose_chars(element) >= LAYOUT_PROSE_MIN
                                      or (bool(words) and _unlinked_prose(element))
                                      or (bool(words) and heads and _prose_chars(element) > 0)):
            return False  # a layout box ("widget", "header") that holds paragraphs of prose holds the story; a
            # "teaser" or "header" box with a paragraph of prose and no link at all is the story's own lead, and
            # so is one with the page's headline in it (its breadcrumbs, byline links and share bar are judged
            # on their own); a name read only whole, "news-letter", has no layout word and gets no such benefit
        if _text_length(element) <= MAX_PRUNE_SHARE * total and not _holds_body(element):
            return True
    return False


def _names_itself(heading: etree._Element) -> bool:
    """Whether a heading's names only say what it is: its id is an anchor made from its text ("nav-what-comes-next"),
    not a box name, and a class "section-title" or "sub-headline" names a heading a heading. It titles the prose
    beside it in its box; one over nothing but links or an embed ("Like this:", "Related") is a widget's title, and
    any other furniture word ("widget-title") names the box it titles."""
    words = furniture_words(heading.get("class") or "")
    if not words:
        return True
    parent = heading.getparent()
    return words <= TITLE_WORDS and parent is not None and _prose_chars(parent) > 0


def _skip_subtree(elements: Iterator[etree._Element], element: etree._Element) -> None:
    """Advance `elements` (the document-order walk at `element`) past the element's descendants: they leave with it,
    so judging them cost half of pruning a real page (comment threads, sidebars) for nothing."""
    deque(islice(elements, sum(1 for _ in element.iterdescendants())), maxlen=0)


def _is_page_footer(element: etree._Element) -> bool:
    """The site's <footer> (links, imprint, the site's own blurb); an <article>'s own <footer> holds its byline and
    notes and stays, as in extract/pagelines.py."""
    return element.tag == "footer" and not any(a.tag in ("article", "main") for a in element.iterancestors())


def _is_author_box(element: etree._Element) -> bool:
    """A box marked up as the author (schema.org itemprop=author on a block): the author's portrait and bio. The
    byline is read from the page itself (extract/pagelines.py), not from this pruned copy."""
    return element.tag in AUTHOR_BOX_TAGS and "author" in (element.get("itemprop") or "").split()


def _is_picture_box(element: etree._Element) -> bool:
    """A box named as a picture ("image-box", "photo-wrap") that holds an image and no more text than a caption:
    a <figure> written in <div>s, whose text is the caption and credit (content.py drops those of a <figure>)."""
    if element.tag in ("p", "li", "h1", "a", "span") or not PICTURE_WORDS & name_words(element):
        return False
    if element.find(".//img") is None and element.find(".//picture") is None:
        return False
    return _text_length(element) <= PICTURE_MAX_CAPTION and element.find(".//h1") is None


def _remove(elements: list[etree._Element], headline: etree._Element | None = None) -> None:
    """Drop elements but keep each one's tail text (it belongs to the parent).

    `headline` (the page's first <h1>) stays where its dropped box stood: a furniture-named box around the headline
    ("title-rating-wrapper", "article-header-tools") goes, the headline content.lead_in() starts from does not. A
    later <h1> in a dropped box (a widget's own title) goes with it.
    """
    for element in elements:
        parent = element.getparent()
        if parent is None:
            continue
        if headline is not None and any(a is element for a in headline.iterancestors()):
            headline.tail = None
            element.addprevious(headline)
        if element.tail and element.tail.strip():
            previous = element.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + element.tail
            else:
                parent.text = (parent.text or "") + element.tail
        parent.remove(element)
