"""Move notes out of the body into their fields: disclaimers, agency notes, wire credits, AI-image disclaimers.

Nothing is deleted silently: a note goes to `editorial_note` or `credit_line`; only rules marked "drop" (page
furniture such as "READ MORE ON:" in AMP bodies) discard text, and those are counted in the stats.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from newscrawl.extract.notes import GENERIC_RULES, NoteRule, split_notes
from newscrawl.extract.text import join_paragraphs, split_paragraphs
from newscrawl.items import Article

OutletRules = Callable[[str], tuple[NoteRule, ...]]
"""outlet name → the outlet's note rules (its parser's `boilerplate` table)."""

# The caption of an AI-generated cover image is a disclaimer, not a caption (STRUCTURE.md §2.9).
AI_IMAGE_DISCLAIMER = re.compile(r"^\s*(this image is ai-generated\b.*?)(?:\s*image credit:.*)?$", re.IGNORECASE | re.S)


class BoilerplatePipeline:
    """Outlet tables come from the spider (`note_rules(outlet)`, spiders/base.py), which wires parsers: the pipeline
    never looks parsers up itself, so it depends on items and extract only. Without a spider that offers them
    (a pipeline built outside a crawl), only the generic rules apply."""

    def __init__(self, stats: Any = None, outlet_rules: OutletRules | None = None) -> None:
        self.stats = stats
        self.outlet_rules = outlet_rules

    @classmethod
    def from_crawler(cls, crawler: Any) -> BoilerplatePipeline:
        return cls(crawler.stats, getattr(crawler.spider, "note_rules", None))

    def process_item(self, item: Any) -> Any:
        if isinstance(item, Article):
            clean_article(item, self.stats, self.outlet_rules(item.outlet) if self.outlet_rules else ())
        return item


def clean_article(article: Article, stats: Any = None, outlet_rules: tuple[NoteRule, ...] = ()) -> Article:
    """Apply the outlet's note rules, then the generic ones, to the body, each live update's text (their notes join
    the body's, in item order) and the image caption (in place)."""
    rules = outlet_rules + GENERIC_RULES
    kept, moved = split_notes(split_paragraphs(article.body), rules)
    article.body = join_paragraphs(kept)
    for update in article.live_updates:
        kept, moved_here = split_notes(split_paragraphs(update.text), rules)
        update.text = join_paragraphs(kept)
        for field_name, notes in moved_here.items():
            moved.setdefault(field_name, []).extend(notes)
    if moved.get("editorial_note"):
        article.editorial_note = " ".join(filter(None, [article.editorial_note, *moved["editorial_note"]]))
    if moved.get("credit_line"):
        article.credit_line = " ".join(filter(None, [article.credit_line, *moved["credit_line"]]))
    if stats is not None:
        for field_name, notes in moved.items():
            stats.inc_value(f"newscrawl/boilerplate/{field_name}", len(notes))
    if article.image_caption:
        match = AI_IMAGE_DISCLAIMER.match(article.image_caption)
        if match:
            article.image_disclaimer = match.group(1).strip()
            article.ai_generated_image = True
            article.image_caption = None
    return article
