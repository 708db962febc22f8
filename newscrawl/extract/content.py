"""Main-content extraction: the article text of an arbitrary page, as paragraphs.

How (each step generic, no per-site rules; README "Other outlets" has the measurements that chose it):
1. Work on a pruned copy of the page (extract/furniture.py: scripts, navigation, hidden and furniture-named boxes).
2. Cut the page into blocks (extract/segment.py: p, heading, list item, quote, table row, loose text).
3. Choose the elements that hold the story (extract/container.py: block values, the densest container, its
   siblings and wider forms).
4. Join the lead set between the headline and that container (lead_in) and the paragraphs the page's articleBody
   (JSON-LD, or microdata itemprop) confirms, and a Q&A or forum thread's opening post (microdata); keep the
   blocks that read as text, up to an end marker (extract/lines.py).
"""

from __future__ import annotations

import copy
import re
from typing import NamedTuple

from lxml import etree

from newscrawl.extract.container import HEADINGS, block_value, choose_roots
from newscrawl.extract.furniture import is_hidden, prune
from newscrawl.extract.lead import is_stamp
from newscrawl.extract.lines import END_MARKER, FURNITURE_LINE, LABEL_LINE, PAYWALL_LINE, is_appeal, is_notice
from newscrawl.extract.segment import Block, segment

FIGURE_CONTENT = frozenset({"tr", "blockquote", "pre"})  # blocks of a <figure> that are content, not its caption
FIGURE_MAX_CAPTION = 600  # characters: a <figure> with more text than a long caption wraps the story, not a picture
LEAD_MAX_TOTAL = 1500  # characters: most text lead_in() takes from between the headline and the body container
HEADLINE_SEARCH = 12  # blocks before the body searched for the headline when the page has no <h1> there
LEAD_MAX_LINK_DENSITY = 0.25  # a lead paragraph is prose, not a list of links (readability's sibling rule)
WRAPPER_LEVELS = 1  # without a headline or <article>, the lead is looked for in the box holding the body's box
DEK_MIN_CHARS = 60  # a "heading" this long between the headline and the body is the standfirst, set as a heading
FALLBACK_BELOW = 300  # characters: a precise pass that finds less than this tries the light-pruning pass
FALLBACK_MIN_GAIN = 3  # … whose result replaces a different precise one only when this many times longer
THREAD_OPENERS = frozenset({"Question", "DiscussionForumPosting"})  # schema.org types whose `text` opens a thread
_WORD = re.compile(r"\w+")

LINK_LIST_DENSITY = 0.9  # a paragraph this much link text, in three links or more, is a list of other stories
END_MARKER_MIN_BEFORE = 80  # an end marker needs a real paragraph before it


def keep(block: Block) -> bool:
    """Whether a block of the chosen container is article text."""
    if block.link_density > 0.5 and len(block.text) < 150:
        return False
    if block.link_density >= LINK_LIST_DENSITY and block.tag == "p" and len(block.element.findall(".//a")) >= 3:
        return False  # a paragraph of nothing but links to other pages, however long: "see also" teasers
    if len(block.text) < 120 and FURNITURE_LINE.match(block.text.strip(" .:|-–—>»")):
        return False
    if len(block.text) < 400 and (LABEL_LINE.match(block.text) or PAYWALL_LINE.match(block.text)):
        return False
    if is_notice(block.text):
        return False  # the page's notices: calls to action, consent placeholders, disclaimers, download links
    if is_appeal(block.text):
        return False  # the outlet asking readers for money
    if block.tag == "h1":
        return False  # the headline is the title field, not body
    if not any(ch.isalnum() for ch in block.text.replace("_", "")):
        return False  # separators: "___", "* * *"
    if block.tag == "figcaption" or _table_caption(block) or _in_picture_figure(block):
        return False  # captions describe the pictures; image_caption holds the lead one
    return True


def _table_caption(block: Block) -> bool:
    """A <caption> of a table. Outside a table (invalid, but slideshow templates use it for each slide's text) it is
    no caption of anything, and reads as text."""
    return block.tag == "caption" and any(a.tag == "table" for a in block.element.iterancestors())


def _in_picture_figure(block: Block) -> bool:
    """Whether a block is the caption or credit of a picture: text in a small <figure>.

    A figure also holds tables and quotes (HTML's own examples), whose rows and quotes are the article's; and a
    figure with a story's worth of text is a wrapper (an unclosed or misused <figure>), not a picture.
    """
    if block.tag in FIGURE_CONTENT:
        return False
    figure = next((a for a in block.element.iterancestors() if a.tag == "figure"), None)
    return figure is not None and len(" ".join(figure.itertext())) <= FIGURE_MAX_CAPTION


class Story(NamedTuple):
    """The paragraphs of a page's story, and how many of them stand above its box: the lead taken from between the
    headline and the box that holds the story (lead_in), as opposed to the box's own first paragraphs."""

    paragraphs: list[str]
    above: int


def extract_paragraphs(root: etree._Element, hint: str | None = None, headline: str | None = None) -> list[str]:
    """Article paragraphs of a page (`root` is left untouched; the work happens on a copy): extract_story's."""
    return extract_story(root, hint, headline).paragraphs


def extract_story(root: etree._Element, hint: str | None = None, headline: str | None = None) -> Story:
    """Article paragraphs of a page, and how many stand above the story's box (`root` is left untouched).

    `hint` is text the page itself claims as its body (JSON-LD articleBody); it only guides the choice of
    container and is never copied into the result. `headline` (the page's title, when known) finds where the story
    starts on pages that set their headline in something other than <h1>.
    """
    hint = " ".join(filter(None, (hint, _microdata_body(root))))
    hint_words = set(_WORD.findall(hint)) if len(hint) >= 200 else None
    found = _extract(prune(copy.deepcopy(root)), hint_words, headline)
    if _length(found) < FALLBACK_BELOW:
        # trafilatura's lesson: when the precise pass finds (almost) nothing, a more permissive one usually finds
        # the story, which furniture-named boxes ("widget", theme components) had hidden. The longer result wins.
        for light in (False, True):  # then, the last resort: everything but what never holds text
            second = _extract(prune(copy.deepcopy(root), by_name=False, light=light), hint_words, headline)
            if _length(second) > _length(found) and _keeps(second.paragraphs, found.paragraphs):
                found = second
            if _length(found) >= FALLBACK_BELOW:
                break
    return found


def _length(story: Story) -> int:
    return sum(map(len, story.paragraphs))


def _microdata_body(root: etree._Element) -> str:
    """The text of the elements the page marks as its body in microdata (schema.org `itemprop="articleBody"`): the
    same declaration as JSON-LD's articleBody, made on the visible element itself. It guides the container choice
    as a second source; a hidden one (a copy kept for scripts) claims nothing a reader sees."""
    return " ".join(" ".join(element.itertext()) for element in root.xpath("//*[@itemprop]")
                    if "articlebody" in element.get("itemprop", "").lower().split() and not is_hidden(element))


def thread_openers(tree: etree._Element) -> list[etree._Element]:
    """The `text` of the schema.org Question or DiscussionForumPosting items of a page (THREAD_OPENERS): the post
    that opens a Q&A or forum thread. The answers or replies below it are together longer and win the container
    choice; the question they answer is the thread's content as much as they are."""
    openers = []
    for element in tree.xpath("//*[@itemprop]"):
        if "text" not in element.get("itemprop", "").lower().split():
            continue
        item = next((a for a in element.iterancestors() if a.get("itemscope") is not None), None)
        if item is not None and item.get("itemtype", "").rstrip("/").rsplit("/", 1)[-1] in THREAD_OPENERS:
            openers.append(element)
    return openers


def _keeps(second: list[str], first: list[str]) -> bool:
    """Whether a fallback pass's result may replace the precise one: it keeps most of what that found, or it is many
    times longer. A somewhat longer text elsewhere on the page (an author box) does not replace a short story, a
    whole story does replace a tagline."""
    kept, length = set(second), sum(map(len, first))
    return (sum(len(text) for text in first if text in kept) >= 0.5 * length
            or sum(map(len, second)) >= FALLBACK_MIN_GAIN * length)


def _extract(tree: etree._Element, hint_words: set[str] | None, headline: str | None) -> Story:
    blocks = segment(tree)
    chosen = choose_roots(blocks, hint_words)
    roots = set(chosen) | set(thread_openers(tree)) if chosen else set()
    inside = [_within(b.element, roots) or _confirmed(b, hint_words) for b in blocks]
    kept = [b for b, within in zip(blocks, inside) if within and keep(b)]
    # The lead is what stands between the headline and the best container (not an earlier paragraph that joined it,
    # unless the story runs on from it to the best one), or, when no container won, the first paragraph the
    # articleBody confirms.
    best = {chosen[0]} if chosen else set()
    start = next((i for i, b in enumerate(blocks) if _within(b.element, best) or (not best and inside[i])), None)
    above = 0
    if start is not None:
        from_best = {id(b) for b in blocks[start:]}
        start = _story_start(blocks, start, roots)
        lead = {id(b) for b in lead_in(blocks, start, hint_words, headline)} | {id(b) for b in kept}
        kept = [b for b in blocks if id(b) in lead]
        above = sum(1 for b in kept if id(b) not in from_best)
        # The box's first paragraph printed in a box of its own (a standfirst's "chapo", "intro"), apart from the
        # paragraphs after it, stands above the story as much as one outside the box; a first paragraph in the
        # story's own flow (the one CMSs copy into the description) does not.
        if above < len(kept) - 1 and kept[above].element.getparent() is not kept[above + 1].element.getparent():
            above += 1
    kept = _before_end_marker(kept)
    return Story([b.text for b in kept], min(above, len(kept)))


def _story_start(blocks: list[Block], start: int, roots: set[etree._Element]) -> int:
    """The first block of the run of chosen blocks that ends in the best container's first (`start`): a story cut
    into sibling components (one per question and answer, per section) starts at the first of them, which need not
    be the best, so the lead before it is looked for there. The run stops at an <h1>: the headline is no body."""
    while start > 0 and blocks[start - 1].tag != "h1" and _within(blocks[start - 1].element, roots):
        start -= 1
    return start


def _confirmed(block: Block, hint: set[str] | None) -> bool:
    """A paragraph outside the chosen container that the page's own articleBody contains: two sources agree that it
    is the story's (a part in a box of its own, which the container choice missed)."""
    return hint is not None and block.tag not in HEADINGS and block_value(block, hint) >= 2.0 * len(block.text) > 0


def lead_in(blocks: list[Block], start: int, hint: set[str] | None, headline: str | None = None) -> list[Block]:
    """The text between the headline and the body container: the standfirst and lead paragraphs that templates put
    in a header or intro box of their own, outside the container of the rest of the story.

    Walks back from the body's first block to the headline (the closest <h1> before it, or a short block that
    shows the page's `headline`; without one, to the start of the <article> or of the box holding the body's box),
    keeping blocks that read as text (or a long subheading, the dek some pages set as <h2>, or any subheading right
    above the body: its first); a link list (breadcrumbs, a menu, a teaser row; a linked byline is let through)
    ends the walk, and so does LEAD_MAX_TOTAL: a real lead is short.
    """
    anchor = _headline_before(blocks, start, headline)
    if anchor is None:
        anchor = _article_start(blocks, start)
    if anchor is None:
        anchor = _wrapper_start(blocks, start)
    if anchor is None:
        return []
    lead: list[Block] = []
    total = 0
    for block in reversed(blocks[anchor + 1:start]):
        value = block_value(block, hint)
        if (value < 0 and not is_stamp(block.text)) or total + len(block.text) > LEAD_MAX_TOTAL:
            break
        is_dek = block.tag in HEADINGS and block.link_chars == 0 and (len(block.text) >= DEK_MIN_CHARS
                                                                     or block is blocks[start - 1])
        if (value > 0 or is_dek) and block.link_density <= LEAD_MAX_LINK_DENSITY and keep(block) \
                and not is_stamp(block.text):
            lead.insert(0, block)
            total += len(block.text)
    return lead


def _article_start(blocks: list[Block], start: int) -> int | None:
    """Without a headline to anchor the lead (it was pruned as a "title" box, or is no heading): the index before the
    first block of the <article> element that holds the body, whose header is the story's own."""
    return _start_of(blocks, start, next((a for a in blocks[start].element.iterancestors() if a.tag == "article"),
                                         None))


def _wrapper_start(blocks: list[Block], start: int) -> int | None:
    """Without a headline or an <article> to anchor the lead: the index before the first block of the box that holds
    the body's box (the standfirst or intro that templates set in a box of its own beside the body, inside the
    story's wrapper). Only that close: the text further up may be anything, from a sidebar to the site's slogan."""
    return _start_of(blocks, start, next((a for n, a in enumerate(blocks[start].element.iterancestors())
                                          if n == WRAPPER_LEVELS), None))


def _start_of(blocks: list[Block], start: int, wrapper: etree._Element | None) -> int | None:
    """The index before the first block inside `wrapper`, when that comes before `start`."""
    if wrapper is None:
        return None
    first = next(i for i in range(start + 1) if i == start or _within(blocks[i].element, {wrapper}))
    return first - 1 if first < start else None


def _headline_before(blocks: list[Block], start: int, headline: str | None) -> int | None:
    """Index of the headline block before `start`: the closest <h1>, or a closer short block showing `headline`."""
    anchor = next((i for i in range(start - 1, -1, -1) if blocks[i].tag == "h1"), None)
    words = " ".join(_WORD.findall(headline.lower())) if headline else ""
    if not words:
        return anchor
    for index in range(start - 1, max(anchor if anchor is not None else -1, start - 1 - HEADLINE_SEARCH), -1):
        text = blocks[index].text
        if len(text) <= 2 * len(headline or "") + 40 and words in " ".join(_WORD.findall(text.lower())):
            return index
    return anchor


def _before_end_marker(blocks: list[Block]) -> list[Block]:
    """Blocks up to an end marker ("Related articles", "You may also like") that follows a real paragraph."""
    opened = False
    for index, block in enumerate(blocks):
        if opened and len(block.text) <= 60 and END_MARKER.match(block.text):
            return blocks[:index]
        opened = opened or len(block.text) >= END_MARKER_MIN_BEFORE
    return blocks


def _within(element: etree._Element, roots: set[etree._Element]) -> bool:
    node: etree._Element | None = element
    while node is not None:
        if node in roots:
            return True
        node = node.getparent()
    return False
