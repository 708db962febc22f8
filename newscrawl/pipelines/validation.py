"""Drop items that are not well-formed articles, with a reason Scrapy counts (item_dropped_reasons_count/<Class>)."""

from __future__ import annotations

import logging
import re
from typing import Any

from scrapy.exceptions import DropItem

from newscrawl.extract.dates import parse_iso
from newscrawl.extract.urls import is_http_url
from newscrawl.items import Article

logger = logging.getLogger(__name__)

REQUIRED = ("url", "outlet", "title", "body", "published_at")
DATE_FIELDS = ("published_at", "modified_at")
# Tag syntax as the HTML tokenizer reads it: "<" directly followed by a letter (so "a < b > c" is prose, not a tag).
# After the name, whitespace or "/" separates attributes: "<svg/onload=…>" is an svg element with an onload.
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)([\s/][^<>]*)?>")
_ATTRIBUTE = re.compile(r"[\s/][^\s\"'<>/=]+\s*=")
TEXT_FIELDS = ("title", "subtitle", "body", "byline", "dateline", "image_caption", "image_credit", "editorial_note",
               "credit_line", "image_disclaimer")


class MissingField(DropItem):
    """A required field is empty after parsing; counted as item_dropped_reasons_count/MissingField."""


class MalformedField(DropItem):
    """A field is present but not in its documented format (bad URL, unparseable date, markup in text)."""


class ValidationPipeline:
    def process_item(self, item: Any) -> Any:
        if isinstance(item, Article):
            validate(item)
        return item


def validate(article: Article) -> None:
    """Raise MissingField / MalformedField naming the URL and the fields; return quietly when the item is good."""
    missing = [name for name in REQUIRED if not getattr(article, name)]
    if missing:
        raise MissingField(f"{article.url}: missing {', '.join(missing)}")
    problems: list[str] = []
    if not is_http_url(article.url):
        problems.append(f"url {article.url!r} is not an absolute http(s) URL")
    for name in DATE_FIELDS:
        value = getattr(article, name)
        if value is not None and parse_iso(value) is None:
            problems.append(f"{name} {value!r} is not ISO 8601 with an offset")
    for name in TEXT_FIELDS:
        value = getattr(article, name)
        if value and (construct := markup_in(value)):
            problems.append(f"{name} contains HTML markup ({construct[:60]!r})")
    if article.image_url is not None and not is_http_url(article.image_url):
        problems.append(f"image_url {article.image_url!r} is not an absolute http(s) URL")
    if problems:
        raise MalformedField(f"{article.url}: {'; '.join(problems)}")


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
