"""Cut a page into blocks: one per paragraph-like unit (p, heading, list item, quote, table row, loose text), each
with the element it belongs to and how much of it is link text. extract/content.py scores and selects them.

Unlike extract/blocks.py (which reads a known container), this reads whole pages, so it copes with layout tables,
<li> elements holding entire stories and <br><br>-separated paragraphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from newscrawl.extract.blocks import LEAF_BLOCKS
from newscrawl.extract.text import clean_text

# Leaf blocks that some pages use as wrappers: an <li> holding a whole teaser or story, a quote of paragraphs,
# a layout table's cell holding the page. They are read as containers when they hold blocks.
WRAPPING_BLOCKS = frozenset({"li", "blockquote", "dd", "tr", "td", "th"})
_BLOCK_LEVEL = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "section", "article"})
CONTAINERS = frozenset({"div", "section", "article", "main", "ul", "ol", "dl", "table", "thead", "tbody", "tfoot",
                        "figure", "header", "footer", "center", "details", "summary", "form", "body", "html",
                        "noscript"})
# Inline elements that some pages wrap around blocks (<a href><div>…</div></a>): containers only then.
INLINE_WRAPPERS = frozenset({"span", "font", "a", "em", "strong", "b", "i", "small"})
_BREAK = "\x00"  # stands for <br> while loose text is collected; two in a row end a paragraph
_PARAGRAPH_BREAK = re.compile(r"\x00\s*\x00[\s\x00]*")


@dataclass
class Block:
    """One paragraph of page text and the element it belongs to."""

    element: etree._Element
    """The block element (p, li, h2, tr…), or the container of loose text."""
    tag: str
    text: str
    link_chars: int
    """Characters of the text that sit inside links."""

    @property
    def link_density(self) -> float:
        return self.link_chars / max(len(self.text), 1)


def _inline(element: etree._Element, in_link: bool = False) -> tuple[str, int]:
    """Text of an element's subtree (<br> → space) and how many of its characters are link text."""
    link = in_link or element.tag == "a"
    parts = [element.text or ""]
    link_chars = len(element.text or "") if link else 0
    for child in element:
        if isinstance(child.tag, str):
            if child.tag == "br":
                parts.append(" ")
            else:
                text, chars = _inline(child, link)
                parts.append(text)
                link_chars += chars
        if child.tail:
            parts.append(child.tail)
            link_chars += len(child.tail) if link else 0
    return "".join(parts), link_chars


def segment(root: etree._Element) -> list[Block]:
    """Blocks of `root` in document order.

    >>> from lxml.html import fragment_fromstring as f
    >>> [(b.tag, b.text, b.link_chars) for b in segment(f('<div>Intro<br><br>more <a>x</a><p>One <a>two</a></p>'
    ...                                                    '<ul><li>A</li></ul></div>'))]
    [('div', 'Intro', 0), ('div', 'more x', 1), ('p', 'One two', 3), ('li', 'A', 0)]
    """
    blocks: list[Block] = []

    def flush(owner: etree._Element, pending: list[tuple[str, int]]) -> None:
        if not pending:
            return
        text = "".join(t for t, _ in pending)
        if not text or text.isspace():  # most calls: the indentation between two blocks, which clean_text empties
            pending.clear()
            return
        link_chars = sum(c for _, c in pending)
        pieces = [clean_text(p.replace(_BREAK, " ")) for p in _PARAGRAPH_BREAK.split(text)]
        pieces = [p for p in pieces if p]
        total = sum(len(p) for p in pieces) or 1
        for piece in pieces:  # link characters are shared out in proportion: loose text rarely mixes both
            blocks.append(Block(owner, owner.tag, piece, round(link_chars * len(piece) / total)))
        pending.clear()

    def walk(node: etree._Element, in_link: bool) -> None:
        in_link = in_link or node.tag == "a"
        pending: list[tuple[str, int]] = [(node.text or "", len(node.text or "") if in_link else 0)]
        for child in node:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag == "br":
                pending.append((_BREAK, 0))
            elif tag in WRAPPING_BLOCKS and _holds_blocks(child):
                flush(node, pending)
                walk(child, in_link)
            elif tag in LEAF_BLOCKS or tag == "tr":
                flush(node, pending)
                if tag == "tr":
                    cells = [_inline(cell, in_link) for cell in child if isinstance(cell.tag, str)]
                    text = " | ".join(c for c in (clean_text(t) for t, _ in cells) if c)
                    link_chars = sum(c for _, c in cells)
                else:
                    raw, link_chars = _inline(child, in_link)
                    text = clean_text(raw)
                if text:
                    blocks.append(Block(child, tag, text, min(link_chars, len(text))))
            elif tag and _is_container(child):
                flush(node, pending)
                walk(child, in_link)
            elif tag:
                pending.append(_inline(child, in_link))
            pending.append((child.tail or "", len(child.tail or "") if in_link else 0))
        flush(node, pending)

    walk(root, False)
    return blocks


def _holds_blocks(element: etree._Element) -> bool:
    return any(isinstance(d.tag, str) and d.tag in _BLOCK_LEVEL for d in element.iterdescendants())


def _is_container(element: etree._Element) -> bool:
    """An element that holds blocks (div, section…), or an inline one wrapping blocks (<a><div>…</div></a>)."""
    if element.tag in CONTAINERS:
        return True
    return element.tag in INLINE_WRAPPERS and _holds_blocks(element)
