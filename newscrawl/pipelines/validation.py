"""Keep every real article, say what is missing or imprecise, drop only what is not an article.

An article with imperfect metadata is emitted with `quality` flags (QUALITY_FLAGS: no date, a day-only or
zone-less date, no URL, no author, …), each counted as newscrawl/quality/<flag>. Working HTML markup in a text
field (leaked serialised HTML, or an attack that would act if a consumer pasted the field into a page unescaped) is
removed, leaving its text, and flagged `markup_removed`. Only an item with no body text is dropped (MissingField,
counted by Scrapy as item_dropped_reasons_count/MissingField and logged in one line with its URL).
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime
from typing import Any

from scrapy.exceptions import DropItem

from newscrawl.extract.dates import parse_iso
from newscrawl.extract.urls import is_http_url
from newscrawl.items import QUALITY_FLAGS, Article

logger = logging.getLogger(__name__)

# Tag syntax as the HTML tokenizer reads it: "<" directly followed by a letter (so "a < b > c" is prose, not a tag).
# After the name, whitespace or "/" separates attributes: "<svg/onload=…>" is an svg element with an onload.
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)([\s/][^<>]*)?>")
_ATTRIBUTE = re.compile(r"[\s/][^\s\"'<>/=]+\s*=")
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
_DAY_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NAIVE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")
TEXT_FIELDS = ("title", "subtitle", "body", "byline", "dateline", "image_caption", "image_credit", "editorial_note",
               "credit_line", "image_disclaimer")
UPDATE_TEXT_FIELDS = ("title", "text", "image_credit")  # of each LiveUpdate

class MissingField(DropItem):
    """The item has no body text: nothing to keep; counted as item_dropped_reasons_count/MissingField."""


class MalformedField(DropItem):
    """Kept for readers of older run reports and stats; validation no longer raises it (markup is removed)."""


class ValidationPipeline:
    def __init__(self, stats: Any = None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> ValidationPipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, Article):
            validate(item)
            if self.stats is not None:
                for flag in item.quality:
                    self.stats.inc_value(f"newscrawl/quality/{flag}")
                # for the run report's articles per publication day and per agency
                self.stats.inc_value(f"newscrawl/published_day/{(item.published_at or 'undated')[:10]}")
                for agency in item.agencies:
                    self.stats.inc_value(f"newscrawl/agency/{agency}")
        return item


def validate(article: Article) -> None:
    """Flag imperfect metadata in article.quality (in place); raise MissingField when there is no body text."""
    flags = ["markup_removed"] if _remove_markup(article) else []
    if not article.body or not article.body.strip():
        raise MissingField(f"{article.url or '(no URL)'}: no body text")
    flags += [flag for flag in article.quality if flag in QUALITY_FLAGS]  # a parser may have flagged already
    if not article.title:
        flags.append("no_title")
    if not is_http_url(article.url):
        flags.append("no_url")
    flags += _published_flags(article)
    if article.modified_at is not None and not _is_iso(article.modified_at):
        logger.warning("Malformed modified_at %(value)r nulled: %(url)s", {"value": article.modified_at,
                                                                           "url": article.url})
        article.modified_at = None
        flags.append("modified_malformed")
    if not article.byline and not article.authors:
        flags.append("no_author")
    if article.image_url is not None and not is_http_url(article.image_url):
        article.image_url = None
        flags.append("image_url_invalid")
    article.quality = sorted(set(flags), key=list(QUALITY_FLAGS).index)


def _remove_markup(article: Article) -> bool:
    """Strip working markup from every text field, a live update's too; True when any was found (logged once per
    item)."""
    found = []
    # (name prefix in the log, the object, its text fields, those that are "" rather than null when empty)
    owners: list[tuple[str, Any, tuple[str, ...], tuple[str, ...]]] = [("", article, TEXT_FIELDS, ("title", "body"))]
    owners += [(f"live_updates[{n}].", update, UPDATE_TEXT_FIELDS, ("text",))
               for n, update in enumerate(article.live_updates)]
    for prefix, owner, names, required in owners:
        for name in names:
            value = getattr(owner, name)
            if value and (construct := markup_in(value)):
                found.append(f"{prefix}{name} ({construct[:40]!r})")
                setattr(owner, name, strip_markup(value) or ("" if name in required else None))
    if found:
        logger.warning("HTML markup removed from %(fields)s: %(url)s", {"fields": ", ".join(found),
                                                                       "url": article.url})
    return bool(found)


def strip_markup(text: str) -> str:
    """The text with comments and tags removed, whitespace tidied; plain prose ("a < b > c") is left alone.

    >>> strip_markup('Read <a href="/x">more</a> <!-- ad -->now')
    'Read more now'
    >>> strip_markup("if a < b > c")
    'if a < b > c'
    """
    for _ in range(3):  # tags rebuilt from removed pieces ("<<b>script>") need another pass
        text = _COMMENT.sub(" ", text)
        text = _TAG.sub("", text)
        if markup_in(text) is None:
            break
    return re.sub(r"[ \t]+", " ", text).strip()


def _published_flags(article: Article) -> list[str]:
    value = article.published_at
    if value is None or not value.strip():
        article.published_at = None
        return ["no_date"]
    if _DAY_ONLY.match(value) and _is_iso(value):
        return ["date_day_only"]
    if _NAIVE_TIME.match(value) and _is_iso(value):
        return ["date_no_timezone"]
    if parse_iso(value) is None:
        logger.warning("Malformed published_at %(value)r nulled: %(url)s", {"value": value, "url": article.url})
        article.published_at = None
        return ["date_malformed"]
    return []


def _is_iso(value: str) -> bool:
    """ISO 8601 as our date fields allow it: with offset, naive, or a day."""
    try:
        (date if _DAY_ONLY.match(value) else datetime).fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def markup_in(text: str) -> str | None:
    """The first working HTML construct in a text field, or None. Linear in the text (no backtracking).

    Text fields are plain text, never HTML-escaped: a headline written `&lt;script&gt;` on the page *is* the text
    "<script>", and it stays, as do a lone tag name ("the </div> tag") and angle brackets in prose ("a < b > c").
    What counts as markup is what leaked serialised HTML looks like, and what would act if a consumer pasted the
    field into a page unescaped: a start tag carrying an attribute (every event-handler and src/href vector), a
    complete element (a start tag and, later, its end tag: "<p>…</p>", "<script>…</script>"), or a comment.

    >>> markup_in("Why <script> tags block rendering"), markup_in("if a < b > c"), markup_in("</div>")
    (None, None, None)
    >>> markup_in("<img src=x onerror=alert(1)>"), markup_in("A <script>alert(1)</script> B")
    ('<img src=x onerror=alert(1)>', '</script>')
    >>> markup_in("x <svg/onload=alert(1)>"), markup_in("<!-- x -->")
    ('<svg/onload=alert(1)>', '<!--')
    """
    if "<!--" in text:
        return "<!--"
    opened: set[str] = set()
    for match in _TAG.finditer(text):
        closing, tag, attributes = match.group(1), match.group(2).lower(), match.group(3) or ""
        if closing:
            if tag in opened:
                return match.group(0)
        elif _ATTRIBUTE.search(attributes):
            return match.group(0)
        else:
            opened.add(tag)
    return None
