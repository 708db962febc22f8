"""Container choice: which elements of a page hold its story (extract/content.py reads the text out of them).

Every block gets a value (long low-link text is worth its length, link lists cost theirs, a paragraph the page's own
JSON-LD articleBody confirms counts double); each block's value is credited, decaying, to its ancestors, and the
element with the highest score is the densest container of text. Stories are often split, so it is then widened
to an ancestor holding much more text and no link list, and joined by paragraphs beside it (readability's rule), by
lists of unlinked items beside it (ingredients, fact boxes) and by sibling containers that are mostly good text or
repeats of the same named wrapper further up.

The values were picked on the development half of the AEB benchmark and checked on the held-out half and on the
trafilatura evaluation corpus (docs/extraction.md); none is tied to a site.
"""

from __future__ import annotations

import re

from lxml import etree

from newscrawl.extract.blocks import LEAF_BLOCKS
from newscrawl.extract.segment import Block

DECAY = 0.5  # a block's value reaches the n-th ancestor divided by (1 + n * DECAY): favours tight containers
SIBLING_MIN = 100.0  # least text value a sibling container needs to join the story
SIBLING_SHARE = 0.2  # … and at least this share of the best container's value (readability's rule)
WIDEN_GAIN = 2.0  # an ancestor with this many times the good text and no link list at all is the wider story
CLIMB_LEVELS = 6  # how far up repeated wrappers ("section.body-text" ×3) are looked for
NAMED_LEVELS = 3  # how deep a classless wrapper is looked into for the component it wraps
SIBLING_MAX_COST = 0.25  # a joining sibling's link-list cost may be at most this share of its text value
LINK_BLOCK_COST = 80  # most a link block can cost: menus are many short ones, a linked summary is one long one
PROSE_MIN_CHARS = 80  # a paragraph beside the best container joins the story from this length on
PROSE_MAX_LINK_DENSITY = 0.25  # … and when under this share of its text is links
HEADING_MAX_CHARS = 400  # characters: longer "headings" are paragraphs styled as headings
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
TEASER_MIN_TITLES = 3  # linked headings within TEASER_LEVELS of one element that make it a list of teasers
TEASER_LEVELS = 4  # … cards nest their title a few levels below the list (li > article > div > h3 > a)
LIST_ITEMS = frozenset({"li", "tr", "dt", "dd"})
PLAIN_LIST_MIN_ITEMS = 3  # a list of unlinked items beside the story joins it from this many blocks on
PLAIN_LIST_ITEM_SHARE = 0.8  # … when at least this share of its blocks are items or rows (the rest headings)
PLAIN_LIST_LEVELS = 1  # … when it stands beside the story's box or beside that box's parent
_WORD = re.compile(r"\w+")


def block_value(block: Block, hint: set[str] | None) -> float:
    """What a block adds to a container: its length when it reads as text, minus what it costs as furniture."""
    length = len(block.text)
    if block.tag in HEADINGS and length < HEADING_MAX_CHARS:
        return 0.0  # a heading titles text; a "heading" of several sentences is text set in a heading element
    if block.link_density > 0.5:
        return -float(min(length, LINK_BLOCK_COST))
    if hint is not None and length >= 80:
        words = set(_WORD.findall(block.text))
        covered = len(words & hint) / max(len(words), 1)
        if covered >= 0.8:
            return 2.0 * length  # the page's own articleBody says so (a missing block proves nothing: many
            # sites truncate articleBody)
    if length < 30:
        return 0.0
    return length - 2.0 * block.link_chars


def _owner(block: Block) -> etree._Element | None:
    """The element a block's value is credited to first: the container of a leaf block, or the loose text's own."""
    return block.element if block.tag not in LEAF_BLOCKS and block.tag != "tr" else block.element.getparent()


def choose_roots(blocks: list[Block], hint: set[str] | None) -> list[etree._Element]:
    """The elements that hold the article: the best container first, then those that join it.

    Each block's value is credited to its container and, decaying, to that container's ancestors (1, 1/1.5, 1/2…),
    so the best candidate is the tightest element around the densest run of text, not the whole page; it is widened
    to an ancestor holding twice its text and no link list (_widened). Then, going up a few levels from it,
    paragraphs of prose and lists of unlinked items beside it join it, and so do siblings that are mostly good
    text: stories split by a figure, a pull quote or an ad slot into several containers.
    """
    decayed: dict[etree._Element, float] = {}
    good: dict[etree._Element, float] = {}
    bad: dict[etree._Element, float] = {}
    titles = _teaser_titles(blocks)
    for block in blocks:
        value = -float(min(len(block.text), LINK_BLOCK_COST)) if id(block) in titles else block_value(block, hint)
        if value == 0.0:
            continue
        node = _owner(block)
        level = 0
        while node is not None:
            decayed[node] = decayed.get(node, 0.0) + value / (1 + level * DECAY)
            if value > 0:
                good[node] = good.get(node, 0.0) + value
            else:
                bad[node] = bad.get(node, 0.0) - value
            node = node.getparent()
            level += 1
    if not decayed:
        return []
    best, best_score = max(decayed.items(), key=lambda item: item[1])
    if best_score <= 0:
        return []
    best = _widened(best, good, bad)
    roots = [best]
    prose = {b.element for b in blocks if b.tag in LEAF_BLOCKS and _prose(b)}
    plain = _plain_lists(blocks)
    threshold = max(SIBLING_MIN, SIBLING_SHARE * good.get(best, 0.0))
    node = best
    for level in range(CLIMB_LEVELS):
        parent = node.getparent()
        if parent is None:
            break
        for sibling in parent:
            if sibling is node:
                continue
            if sibling in prose:
                roots.append(sibling)  # readability's rule: a paragraph beside the story is the story's
                continue
            if level <= PLAIN_LIST_LEVELS and sibling in plain:
                roots.append(sibling)  # its ingredient list or fact box, set beside the text
                continue
            if level > 0 and not same_kind(sibling, node):
                continue  # higher up, only a repeat of the same named wrapper continues the story
            gained, cost = good.get(sibling, 0.0), bad.get(sibling, 0.0)
            if gained >= (threshold if level == 0 else SIBLING_MIN) and cost <= SIBLING_MAX_COST * gained:
                roots.append(sibling)
        node = parent
    return roots


def _teaser_titles(blocks: list[Block]) -> set[int]:
    """The linked headings (ids of their blocks) that title teasers: cards of a list of other stories, each a heading
    that links to the story and a line of its text. Such a list holds several of them within a few levels; a
    heading a story links on its own (a source, a download) is no list and titles the story's text.

    A teaser's text reads as prose, so without its linked title costing what a link costs, a row of teasers
    outscores a short story and joins a long one."""
    linked = [b for b in blocks if b.tag in HEADINGS and b.tag != "h1" and b.link_density > 0.5]
    if len(linked) < TEASER_MIN_TITLES:
        return set()
    counts: dict[etree._Element, int] = {}
    for block in linked:
        for level, node in enumerate(block.element.iterancestors()):
            if level >= TEASER_LEVELS:
                break
            counts[node] = counts.get(node, 0) + 1
    return {id(b) for b in linked
            if any(counts.get(node, 0) >= TEASER_MIN_TITLES
                   for level, node in zip(range(TEASER_LEVELS), b.element.iterancestors()))}


def _plain_lists(blocks: list[Block]) -> set[etree._Element]:
    """Elements holding only a list or table of unlinked items (a heading above it allowed): an ingredient list, a
    fact box, a table of specifications. Beside the story, such a list is the story's; a list of links is not."""
    counts: dict[etree._Element, list[int]] = {}  # element → [blocks, linked blocks, list items and rows]
    for block in blocks:
        node = _owner(block)
        while node is not None:
            count = counts.setdefault(node, [0, 0, 0])
            count[0] += 1
            count[1] += block.link_chars > 0
            count[2] += block.tag in LIST_ITEMS
            node = node.getparent()
    return {node for node, (total, linked, items) in counts.items()
            if total >= PLAIN_LIST_MIN_ITEMS and not linked and items >= PLAIN_LIST_ITEM_SHARE * total}


def _widened(best: etree._Element, good: dict[etree._Element, float], bad: dict[etree._Element, float]
             ) -> etree._Element:
    """The best container, or an ancestor that holds much more good text and no link list: a story cut into
    several components (one per paragraph or section, each wrapped a few levels deep), of which the decay alone
    picks one. Any menu, teaser row or share bar in the ancestor means it is the page, not the story. No ancestor is
    too far up: guide and landing pages nest each module of text ten levels deep (section, container, row, column,
    card, collapsible panel, …), and the no-link-list condition, not the distance, is what keeps the page out."""
    chosen = best
    for node in best.iterancestors():
        if good.get(node, 0.0) >= WIDEN_GAIN * good.get(chosen, 0.0) and not bad.get(node, 0.0):
            chosen = node
    return chosen


def _prose(block: Block) -> bool:
    """A paragraph that reads as prose (readability's rule for paragraphs beside the top candidate): long enough to be
    a sentence or more, and few of its words are links."""
    return len(block.text) >= PROSE_MIN_CHARS and block.link_density < PROSE_MAX_LINK_DENSITY


def same_kind(a: etree._Element, b: etree._Element) -> bool:
    """Same tag and mostly the same classes: two instances of one template component.

    >>> from lxml.html import fragment_fromstring as f
    >>> same_kind(f('<div class="body-text section v2"></div>'), f('<div class="body-text section"></div>'))
    True
    >>> same_kind(f('<div></div>'), f('<div></div>'))
    False
    >>> same_kind(f('<div><div class="part text">x</div></div>'), f('<div><div class="part text">y</div></div>'))
    True
    """
    classes_a, classes_b = set((a.get("class") or "").split()), set((b.get("class") or "").split())
    if a.tag != b.tag:
        return False
    if not classes_a and not classes_b:
        named_a, named_b = _named(a), _named(b)
        return named_a is not None and named_b is not None and same_kind(named_a, named_b)
    if not classes_a or not classes_b:
        return False
    return len(classes_a & classes_b) / len(classes_a | classes_b) >= 0.5


def _named(wrapper: etree._Element) -> etree._Element | None:
    """The first element with a class down the chain of only children of a classless wrapper: what the wrapper is a
    wrapper of. Page builders and CMS components wrap each part of a story in plain <div>s around the named one
    ("<div><div class="paragraph paragraph--text">…"), so the plain <div>s beside each other are instances of one
    component when what they wrap is.

    >>> from lxml.html import fragment_fromstring as f
    >>> _named(f('<div><div><section class="text">x</section></div></div>')).tag
    'section'
    >>> _named(f('<div><p class="a">x</p><p class="b">y</p></div>')) is None
    True
    """
    node = wrapper
    for _ in range(NAMED_LEVELS):
        children = [child for child in node if isinstance(child.tag, str)]
        if len(children) != 1:
            return None
        node = children[0]
        if (node.get("class") or "").split():
            return node
    return None
