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
_MARKUP = re.compile(r"<\s*/?\s*(script|style|iframe|object|embed|img|a|div|p|span)\b[^>]*>", re.IGNORECASE)
TEXT_FIELDS = ("title", "subtitle", "body", "byline", "dateline", "image_caption", "image_credit", "editorial_note")


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
        if value and _MARKUP.search(value):
            problems.append(f"{name} contains HTML markup")
    if article.image_url is not None and not is_http_url(article.image_url):
        problems.append(f"image_url {article.image_url!r} is not an absolute http(s) URL")
    if problems:
        raise MalformedField(f"{article.url}: {'; '.join(problems)}")
