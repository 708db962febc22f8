"""A page's visible text as a reader meets it: one line per block element, page furniture left out.

Metadata rules (extract/published.py) read dates and bylines from these lines, in document order, around the
headline. Left out, with everything inside them: script/style/head/template, hidden elements, and the page's chrome
that carries other stories' or readers' dates: navigation, asides, the site's banner and footer, and elements whose
class or id names comments, related or recommended stories, sidebars, newsletters, cookie banners or tickers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from newscrawl.extract.boxnames import name_words
from newscrawl.extract.bylines import is_author_link
from newscrawl.extract.furniture import is_hidden
from newscrawl.extract.people import ARABIC_LEADS
from newscrawl.extract.text import clean_text
from newscrawl.extract.titles import drop_date_lead, same_headline, words

# <form> is not here: ASP.NET pages wrap the whole page in one (as furniture.py notes).
_SKIP_TAGS = frozenset({"script", "style", "head", "template", "nav", "aside", "button", "select",
                        "option", "svg", "iframe", "noembed", "textarea"})
_INLINE = frozenset({"a", "span", "b", "strong", "em", "i", "u", "time", "small", "abbr", "font", "sup", "sub",
                     "label", "mark", "bdi", "cite", "q", "s", "big", "wbr", "ins", "del", "data",
                     # microdata's invisible <meta itemprop> and <link itemprop> sit inside a line ("Von <span
                     # itemscope><meta itemprop=name …>Anna Roe</span>"): they do not end it
                     "meta", "link"})
# Class/id words (split as boxnames.name_words splits them) of boxes whose dates are not the story's.
CHROME_WORDS = frozenset({
    "comment", "comments", "disqus", "respond", "reply", "replies", "related", "recommended", "recommendations",
    "recirc", "sidebar", "newsletter", "cookie", "cookies", "consent", "promo", "trending",
    "popular", "mostread", "ticker", "teaser", "teasers", "readmore", "breadcrumb", "breadcrumbs", "kommentar",
    "kommentare", "commentaire", "commentaires", "weitere", "masthead",
})
# Not here, although they name furniture: "share"/"social", "widget" and "footer" wrap a story's byline and date too
# often ("article-share" around the byline, page builders' "widget" around everything, an article's own
# <div class="footer"> with its date).
_SPACE = re.compile(r"\s+")
_BYLINE_WORDS = frozenset({"author", "authors", "byline", "autor", "auteur"})
_BARE_CHROME_TAGS = _SKIP_TAGS | {"header", "footer"}
"""Tags is_chrome can call chrome on an element without attributes."""
_BEFORE_PUNCTUATION = re.compile(r"\s+([,.;:!?)])")
CARD_HEADLINE_CHARS = 20  # a link this long in a list item is another story's headline: the item is its card
CARD_MAX_CHARS = 400  # a card holds a headline, a credit, a date and a dek; a longer list item holds a story
HEADLINE_COPIES = 3  # displays of the headline looked at (a sticky header may repeat it)


@dataclass
class Line:
    """The text of one block element (its inline children included) and that element."""

    text: str
    element: Any
    heading: str | None = None
    """The h1–h3 tag the line sits in, if any."""


def is_inline(element: Any) -> bool:
    """An element whose text continues its block's line (a link, a span) rather than starting a line of its own."""
    return isinstance(element.tag, str) and element.tag.lower() in _INLINE


def is_chrome(element: Any) -> bool:
    """An element (not its ancestors) that holds page furniture rather than the story."""
    tag = element.tag.lower() if isinstance(element.tag, str) else ""
    if not element.attrib and tag not in _BARE_CHROME_TAGS:
        return False  # the tests below that do not read a class, id, role, style or hidden attribute are by tag
    if tag == "aside" and name_words(element) & _BYLINE_WORDS:
        return False  # an author box set aside in the story ("<aside class='author'>") is its byline
    if tag in _SKIP_TAGS:
        return True
    if (tag == "header" or element.get("role") == "banner") and element.find(".//h1") is None and not any(
            isinstance(a.tag, str) and a.tag.lower() in ("article", "main") for a in element.iterancestors()):
        return True  # the site's banner (logo, menu, today's date), not a story's own <header>
    if tag == "footer":  # the page's footer; an <article>'s own <footer> holds its byline and date
        return not any(isinstance(a.tag, str) and a.tag.lower() in ("article", "main") for a in element.iterancestors())
    if is_hidden(element):
        return True
    # A box named like furniture that holds the headline is the page's wrapper, not furniture.
    return bool(name_words(element) & CHROME_WORDS) and element.find(".//h1") is None


def in_chrome(element: Any) -> bool:
    """An element inside page furniture (it or one of its ancestors is chrome)."""
    node = element
    while node is not None:
        if isinstance(node.tag, str) and node.tag.lower() != "html" and node.tag.lower() != "body" and is_chrome(node):
            return True
        node = node.getparent()
    return False


def page_lines(root: Any) -> list[Line]:
    """The visible lines of a page, in document order.

    >>> import lxml.html
    >>> page = lxml.html.fromstring("<html><body><nav>Home 1 Jan 2020</nav><h1>Kim <b>meets</b> Putin</h1>"
    ...                             "<p class='byline'>By <a>Jane Doe</a> | 19 Nov 2019</p><aside>Related</aside>"
    ...                             "<p>Body text.</p></body></html>")
    >>> [(line.text, line.heading) for line in page_lines(page)]
    [('Kim meets Putin', 'h1'), ('By Jane Doe | 19 Nov 2019', None), ('Body text.', None)]
    """
    lines: list[Line] = []
    pieces: list[str] = []
    owner: list[Any] = [None]

    def flush() -> None:
        # Pieces are joined with a space ("<time>29. Dez 2022</time><time>30. Dez…" are two dates), but not before
        # punctuation ("<a>Anna Roe</a>, 3. März").
        joined = " ".join(pieces)
        pieces.clear()
        if not joined or joined.isspace():
            return  # most calls: the indentation between two blocks (isspace() is the \s the regexes would strip)
        text = _BEFORE_PUNCTUATION.sub(r"\1", _SPACE.sub(" ", joined)).strip()
        if text:
            lines.append(Line(text, owner[0], _heading(owner[0])))

    def walk(element: Any, block: Any) -> None:
        if not isinstance(element.tag, str) or (block is not None and is_chrome(element)):
            return
        own = block if element.tag.lower() in _INLINE and block is not None else element
        if own is not block:
            flush()
            owner[0] = own
        if element.text:
            pieces.append(element.text)
        for child in element:
            walk(child, own)
            if owner[0] is not own:
                flush()
                owner[0] = own
            if child.tail:
                pieces.append(child.tail)
        if own is not block:
            flush()
            owner[0] = block

    body = root.find(".//body") if root.tag != "body" else root
    walk(body if body is not None else root, None)
    return lines


def _heading(element: Any) -> str | None:
    node = element
    while node is not None:
        if isinstance(node.tag, str) and node.tag.lower() in ("h1", "h2", "h3"):
            return str(node.tag.lower())
        node = node.getparent()
    return None


def headline_indexes(lines: list[Line], title: str | None) -> list[int]:
    """The lines that show the headline (a page may show it twice, e.g. in a sticky header): those reading like the
    title, else the first <h1>. Those reading exactly as the title come first: a copy with more words (a logo's
    <h1> holding the headline and the site's name) is a header's, and the dates below it the header's too.

    >>> import lxml.html
    >>> page = lxml.html.fromstring("<html><body><h1>Kim meets Putin Harbour Gazette</h1><div>9 May 2019</div>"
    ...                             "<h3>Kim meets Putin</h3><p>Jane Roe | 8 May 2019</p></body></html>")
    >>> headline_indexes(page_lines(page), "Kim meets Putin")
    [2, 0]
    """
    found = [index for index, line in enumerate(lines)
             if title and line.heading and same_headline(drop_date_lead(line.text), title)]
    exact = words(title)
    found.sort(key=lambda index: words(drop_date_lead(lines[index].text)) != exact)
    return found[:HEADLINE_COPIES] or [index for index, line in enumerate(lines) if line.heading == "h1"][:1]


# A byline line: a lead word, then a capitalised name ("By Jane Roe", "Von Anna Roe, dpa", "Autor: …").
# Arabic has no capitals to check: its leads ("بقلم" by the pen of; "حوار:" interview, "كتب:"/"كتبت:" wrote, "إعداد:"
# prepared by, "تقرير:" report) are followed by an Arabic letter.
_BYLINE_LINE = re.compile(r"^(?:(?i:(?:(?:written|posted|reported|story|text|words)\s+by|by|von|par|por|door|"
                          r"(?:author|autor|autorin|auteur|autore|text|texte|interview)\s*:))\s*(?=[A-ZÀ-ÝА-Я])|"
                          rf"(?:{ARABIC_LEADS})\s*:\s*(?=[\u0620-\u064a])|بقلم\s+(?=[\u0620-\u064a]))")
BYLINE_MAX = 120  # characters: a longer line is prose that happens to start with "By"
BYLINE_WINDOW = 15  # lines below the headline searched first


def byline_line(lines: list[Line], title: str | None) -> Line | None:
    """The visible byline: a "By …"/"Von …"/"Par …"/"Autor: …" line below the headline (before the body), else
    the first such line further down the story (bylines printed at the end). Not a line inside a link or in a card
    of a list of other stories (in_card): those credit the other story.

    >>> import lxml.html
    >>> page = lxml.html.fromstring("<html><body><h1>Kim meets Putin</h1><p>Long lead. </p>"
    ...                             "<div>Von <a>Anna Roe</a>, 3. März 2021</div></body></html>")
    >>> byline_line(page_lines(page), "Kim meets Putin").text
    'Von Anna Roe, 3. März 2021'
    """
    tops = headline_indexes(lines, title)
    start = tops[0] + 1 if tops else 0
    for line in lines[start:start + BYLINE_WINDOW] + lines[start + BYLINE_WINDOW:]:
        if (len(line.text) <= BYLINE_MAX and not line.heading and _BYLINE_LINE.match(line.text) and not _in_link(line)
                and not in_card(line.element)):
            return line
    return None


def in_card(element: Any) -> bool:
    """An element in a list item that links to another story by its headline: a card of a list of stories ("Auch
    interessant", "More from the desk") whose credit is that story's, not the page's.

    >>> from lxml.html import fragment_fromstring as f
    >>> card = f('<ul><li><a href="/news/ferry-timetable">Ferry timetable changes for winter</a>'
    ...          '<div class="author">Von Jo Roe</div></li></ul>')
    >>> meta = f('<ul><li><a href="/author/jo-roe">Jo Roe, Harbour Gazette Staff Writer</a></li><li>Politics</li></ul>')
    >>> in_card(card.find(".//div")), in_card(meta.find(".//a"))
    (True, False)
    """
    item = next((node for node in (element, *element.iterancestors()) if node.tag == "li"), None)
    if item is None or len(clean_text(" ".join(item.itertext()))) > CARD_MAX_CHARS:
        return False  # a list item holding a whole story (old themes list the page's post in a <li>) is no card
    return any(len(clean_text(" ".join(link.itertext()))) >= CARD_HEADLINE_CHARS and not is_author_link(link)
               and element not in (link, *link.iterdescendants()) for link in item.iter("a"))


def _in_link(line: Line) -> bool:
    """A line inside a link: a card of another story ("Read more" teasers print their own "By …")."""
    return any(ancestor.tag == "a" for ancestor in line.element.iterancestors())
