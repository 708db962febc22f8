"""Bylines printed only as links to the writers' pages: "<a href="/author/jane-roe">Jane Roe</a>", no "By".

Many templates print the names under the headline as links to each writer's page and nothing else: no lead word, no
author class. The link's address says what the text is: a site's page of one writer sits in an author folder
(WordPress's `/author/<slug>/`, `/authors/…`, `/autoren/…`, `/auteur/…`, `/profile/…`, `/people/…`, `/staff/…`) or
is marked `rel="author"` (HTML's link type for the author of the page). A template that links only the writer's
portrait (a link with no text, its title or picture's alt naming the writer) and prints the name beside it names the
writer the same way. Such a line counts as the byline only where a byline is printed: below the headline, before the
story's text begins (a standfirst may come between), and as the first line there that links to writers. Not a
byline: the speaker's name under a pull quote or a picture's credit (`<blockquote>`, `<figure>`), a line inside a
link or in a list item that links to another story by its headline (another story's card, extract/pagelines.py:
in_card), and a list of many writers' links (a staff list, other stories' bylines). Comments, related stories and
the site's footer are not among the page's lines at all (extract/pagelines.py).
"""

from __future__ import annotations

import re
from typing import Any

from newscrawl.extract.blocks import text_pieces
from newscrawl.extract.boxnames import name_words
from newscrawl.extract.furniture import is_hidden
from newscrawl.extract.bylines import is_author_link
from newscrawl.extract.pagelines import BYLINE_WINDOW, Line, headline_indexes, in_card, is_inline
from newscrawl.extract.people import classify, split_names, strip_byline
from newscrawl.extract.text import clean_text

_MARKED_OFF = frozenset({"blockquote", "figure", "figcaption", "a", "button", "label"})
"""Boxes a name in which is not the byline: a quote's speaker, a picture's credit, a card's link, a control."""
TAG_WORDS = frozenset({"tag", "tags", "taglist", "topic", "topics", "keywords", "subjects", "schlagworte", "themen"})
TAG_BOX_LEVELS = 2  # the line's element and its parent
MAX_NAMES = 4  # writers in one linked byline; a box linking to more is a list (staff, other stories' bylines)
PROSE_CHARS = 80  # a line this long before the names is text (a standfirst); a second one means the story began
MAX_OTHER_LETTERS = 30  # letters besides the names: a lead or label ("Por:", "Un documentaire de"), not a sentence
PORTRAIT_LEVELS = 3  # boxes up from a name line to the one whose previous sibling holds the writer's portrait
MAX_GAP_CHARS = 25  # a line between two writers' boxes ("and", "@handle"); a longer one ends the byline
_LETTER = re.compile(r"[^\W\d_]")


def linked_names(line: Line) -> list[str] | None:
    """The writers a line names by links to their pages, when the line is made of those links (a lead, separators
    and a date besides); None when it links to no writer's page; [] when it does but is no byline of people.

    >>> import lxml.html
    >>> from newscrawl.extract.pagelines import page_lines
    >>> def lines(html): return page_lines(lxml.html.fromstring(f"<html><body>{html}</body></html>"))
    >>> linked_names(lines('<p><a href="/autor/ana-ruiz/">Ana Ruiz</a> y <a href="/autor/jo-roe">Jo Roe</a></p>')[0])
    ['Ana Ruiz', 'Jo Roe']
    >>> linked_names(lines('<p>Un documentaire de <a rel="author" href="/a/7">Kristen Roe</a> 3.4.2019</p>')[0])
    ['Kristen Roe']
    >>> linked_names(lines('<p><a href="/author/jo-roe/">Jo Roe</a> | AFP</p>')[0])
    ['Jo Roe', 'AFP']
    >>> linked_names(lines('<p><a href="/author/jroe/">jroe</a></p>')[0])
    []
    >>> linked_names(lines('<p><a href="/author/jo-roe/">Jo Roe</a> <a href="/author/jo-roe/">View More Articles</a></p>')[0])
    ['Jo Roe']
    >>> linked_names(lines('<p>Read <a href="/people/ann-lee">Ann Lee</a> on the harbour bridge in our weekly column.</p>')[0])
    []
    """
    links = [a for a in line.element.iter("a") if _owner(a) is line.element and is_author_link(a)]
    if not links:
        return _beside_portrait(line)
    # One page per writer: further links to the same page ("View more articles", a photo) are not more names.
    pages: dict[str, str] = {}
    other = line.text
    for link in links:
        text = clean_text(" ".join(text_pieces(link, is_hidden))) if not is_hidden(link) else ""
        if text:
            other = other.replace(text, " ")
            pages.setdefault(link.get("href") or text, text)
    names = list(dict.fromkeys(name for name in map(strip_byline, pages.values()) if name))
    if not names or len(names) > MAX_NAMES or len(_LETTER.findall(other)) > MAX_OTHER_LETTERS:
        return []
    if not any(classify(name).kind == "person" for name in names):
        return []  # a line of no person (an agency's or a desk's page, "More posts") is no byline of people
    # The names' links set them apart; a wire agency printed beside them in plain text is credited too.
    return names + [piece for piece in split_names(other) if classify(piece).kind == "agency"]


def _beside_portrait(line: Line) -> list[str] | None:
    """The name of a line printed right after the writer's portrait linked to the writer's page: the link has no
    text, its title or its picture's alt names the writer, and the line prints that name.

    >>> import lxml.html
    >>> from newscrawl.extract.pagelines import page_lines
    >>> page = lxml.html.fromstring("<html><body><div><div><a href='/authors/annlee/' title='Ann Lee'><img src='a.jpg'>"
    ...                             "</a></div><div><span>Ann Lee</span></div></div></body></html>")
    >>> _beside_portrait(page_lines(page)[0])
    ['Ann Lee']
    """
    name = strip_byline(line.text)
    node = line.element
    for _ in range(PORTRAIT_LEVELS):
        before = next(node.itersiblings(preceding=True), None)
        if before is not None:
            for link in before.iter("a"):
                label = link.get("title") or next((img.get("alt") for img in link.iter("img", "amp-img")), None)
                if (is_author_link(link) and not clean_text(" ".join(link.itertext())) and label
                        and clean_text(label) == name and classify(name).kind == "person"):
                    return [name]
            return None
        node = node.getparent()
        if node is None:
            return None
    return None


def linked_byline(lines: list[Line], title: str | None) -> tuple[int, list[str]] | None:
    """(line index, names) of the byline printed as links to the writers' pages below the headline, or None.

    >>> import lxml.html
    >>> from newscrawl.extract.pagelines import page_lines
    >>> page = lxml.html.fromstring("<html><body><h1>Kim meets Putin</h1><p>Talks in Vladivostok.</p>"
    ...     "<ul class='meta'><li><a href='/author/ann-lee/'>Ann Lee</a></li><li>3 May 2019</li></ul></body></html>")
    >>> linked_byline(page_lines(page), "Kim meets Putin")
    (2, ['Ann Lee'])
    """
    tops = headline_indexes(lines, title)
    if not tops:
        return None
    prose = 0
    for index in range(tops[0] + 1, min(tops[0] + 1 + BYLINE_WINDOW, len(lines))):
        line = lines[index]
        if line.heading is None and not _marked_off(line.element) and not in_card(line.element):
            names = linked_names(line)
            if names is not None:
                if not names or _in_writers_list(line.element):
                    return None
                return index, _continued(lines, index, names)
        prose += len(line.text) >= PROSE_CHARS
        if prose >= 2:
            return None  # the story's text began: a name below it is no byline printed over it
    return None


def _continued(lines: list[Line], index: int, names: list[str]) -> list[str]:
    """The names with those of the byline's next lines: templates print each writer in a box of its own, parted by
    short lines ("and", a handle); a longer line or a line of no writer ends the byline.

    >>> import lxml.html
    >>> from newscrawl.extract.pagelines import page_lines
    >>> page = lxml.html.fromstring("<html><body><div>By</div><div><a href='/author/ann-lee'>Ann Lee</a></div>"
    ...     "<div>and</div><div><a href='/author/jo-roe'>Jo Roe</a></div><p>Talks in Vladivostok.</p></body></html>")
    >>> _continued(page_lines(page), 1, ["Ann Lee"])
    ['Ann Lee', 'Jo Roe']
    """
    found = list(names)
    gap = 0
    for line in lines[index + 1:index + 1 + BYLINE_WINDOW]:
        more = None if line.heading or _marked_off(line.element) else linked_names(line)
        if more:
            found += [name for name in more if name not in found]
            gap = 0
        elif more is not None or len(line.text) > MAX_GAP_CHARS or gap:
            break
        else:
            gap += 1
    return found if len(found) <= MAX_NAMES else list(names)


def _owner(element: Any) -> Any:
    """The block element whose line holds an inline element's text (as page_lines assigns it)."""
    node = element
    while node is not None and is_inline(node):
        node = node.getparent()
    return node


def _marked_off(element: Any) -> bool:
    """In a quote, a picture, a link or a control, or in a box of the story's tags: people a story is about are
    tagged with links to their pages too ("/people/jane-roe"), under the headline as often as under the text. The
    tag box is the line's own or its parent (WordPress writes "tag-<slug>" into the classes of the whole post)."""
    boxes = (element, *element.iterancestors())
    return (any(isinstance(node.tag, str) and node.tag.lower() in _MARKED_OFF for node in boxes)
            or any(name_words(node) & TAG_WORDS for node in boxes[:TAG_BOX_LEVELS]))


def _in_writers_list(element: Any) -> bool:
    """A line in a box (its list, else its parent) that links to more writers than a byline names."""
    box = next((node for node in element.iterancestors() if node.tag in ("ul", "ol", "table")), None)
    box = box if box is not None else element.getparent()
    if box is None:
        return False
    pages = {a.get("href") for a in box.iter("a") if is_author_link(a)}
    return len(pages) > MAX_NAMES
