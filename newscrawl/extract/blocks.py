"""Turn an HTML subtree into body paragraphs: one per block (p, heading, list item, quote, table row)."""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from newscrawl.extract.text import clean_text

# Elements whose text is never article text (embeds' scripts, styles, forms, media).
SKIP_TAGS = frozenset({
    "script", "style", "noscript", "template", "iframe", "form", "button", "select", "input", "textarea",
    "svg", "video", "audio", "object", "embed", "canvas", "img", "picture", "source", "amp-img", "amp-ad",
    "amp-iframe", "amp-analytics", "head",
})
# Page furniture when they stand between blocks; inside a quote, a <footer> is the quote's attribution and kept.
FURNITURE_TAGS = frozenset({"nav", "footer", "aside"})
# Blocks read as one paragraph each, whatever they contain.
LEAF_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dt", "dd", "address",
                         "figcaption", "caption"})
# Blocks that only group other blocks.
CONTAINERS = frozenset({"div", "section", "article", "main", "ul", "ol", "dl", "table", "thead", "tbody", "tfoot",
                        "figure", "header", "center", "details", "summary", "hr", "br"})

# Where text on either side of an element is never one word: a block, a table cell.
_BLOCK_EDGES = (LEAF_BLOCKS | CONTAINERS | {"tr", "td", "th"}) - {"br"}

SkipPredicate = Callable[[etree._Element], bool]
# block_texts' fallback for trees too deep to walk recursively: the text outside skipped elements, in one piece.
_FLAT_TEXT = ".//text()[not(" + " or ".join(f"ancestor::{tag}" for tag in sorted(SKIP_TAGS)) + ")]"


def _never(_: etree._Element) -> bool:
    return False


def inline_text(element: etree._Element, skip: SkipPredicate = _never) -> str:
    """Text of an element and its descendants, minus skipped subtrees; <br> and the edges of blocks inside it (a
    quote's paragraphs, a list item's divs) become spaces, as a browser breaks lines there.

    >>> from lxml.html import fragment_fromstring as f
    >>> inline_text(f('<blockquote><p>One.</p><p>Two</p>— <b>Jane</b> Doe<br>2025</blockquote>'))
    ' One.  Two — Jane Doe 2025'
    """
    parts: list[str] = [element.text or ""]
    for child in element:
        tag = child.tag
        if isinstance(tag, str) and tag not in SKIP_TAGS and not skip(child):
            if tag == "br":
                parts.append(" ")
            elif tag in _BLOCK_EDGES:
                parts.extend((" ", inline_text(child, skip), " "))
            else:
                parts.append(inline_text(child, skip))
        parts.append(child.tail or "")
    return "".join(parts)


def text_pieces(element: etree._Element, skip: SkipPredicate = _never) -> list[str]:
    """The text nodes of an element and its descendants in order, minus skipped subtrees (what `::text` gives)."""
    pieces: list[str] = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag not in SKIP_TAGS and not skip(child):
            pieces += text_pieces(child, skip)
        pieces.append(child.tail or "")
    return pieces


def block_texts(root: etree._Element, skip: SkipPredicate = _never) -> list[str]:
    """Paragraph texts of `root` in document order; loose inline text between blocks forms its own paragraph.

    >>> from lxml.html import fragment_fromstring as f
    >>> block_texts(f('<div>Intro <b>bold</b><p>One</p><ul><li>A</li><li>B</li></ul>'
    ...               '<table><tr><td>x</td><td>y</td></tr></table><script>no()</script>tail</div>'))
    ['Intro bold', 'One', 'A', 'B', 'x | y', 'tail']
    >>> block_texts(f('<div><blockquote><p>One.</p><p>Two</p><footer>— Jane Doe</footer></blockquote></div>'))
    ['One. Two — Jane Doe']
    """
    paragraphs: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        text = clean_text("".join(pending))
        pending.clear()
        if text:
            paragraphs.append(text)

    def walk(node: etree._Element) -> None:
        pending.append(node.text or "")
        for child in node:
            tag = child.tag if isinstance(child.tag, str) else None  # comments and PIs have callable tags
            if tag is None or tag in SKIP_TAGS or tag in FURNITURE_TAGS or skip(child):
                pass
            elif tag == "tr":
                flush()
                cells = [clean_text(inline_text(cell, skip)) for cell in child if isinstance(cell.tag, str)]
                row = " | ".join(cell for cell in cells if cell)
                if row:
                    paragraphs.append(row)
            elif tag in LEAF_BLOCKS:
                flush()
                pending.append(inline_text(child, skip))
                flush()
            elif tag in CONTAINERS:
                flush()
                walk(child)
                flush()
            else:
                pending.append(inline_text(child, skip))
            pending.append(child.tail or "")

    try:
        walk(root)
    except RecursionError:
        # Nesting deeper than Python's stack (only broken or hostile pages do this): keep every word as one
        # paragraph rather than lose the article.
        text = clean_text(" ".join(root.xpath(_FLAT_TEXT)))
        return [text] if text else []
    flush()
    return paragraphs


def has_class(element: etree._Element, *names: str) -> bool:
    """True when the element carries any of the CSS classes."""
    classes = (element.get("class") or "").split()
    return any(name in classes for name in names)


def element_of(node: object) -> etree._Element:
    """The lxml element behind a parsel Selector (kept here so parsers don't touch parsel internals)."""
    root = getattr(node, "root", node)
    if not isinstance(root, etree._Element):
        raise TypeError(f"not an element: {node!r}")
    return root
