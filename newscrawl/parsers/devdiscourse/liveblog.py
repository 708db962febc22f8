"""A Devdiscourse live blog's updates: the JSON pages of `GET /api/Search/GetSubBlogs/{newsId}/{page}` (§3.2).

The live blog's page does not render its updates (Mobile.cshtml calls them in a code block whose output is
discarded), so they are read from the JSON the site's script fetches: 10 rows a page, newest first, each a
`LiveBlogs` row with camelCase keys (§1.4) `id, title, description, imageUrl, imageCopyright, createdOn`.
Quirks handled here:
- `description` is editor HTML like an article body: read into paragraphs as the body is (body.py's furniture
  rules), so an update's text has the body's format.
- `createdOn` is UTC without an offset (§1.4, §2.6); it is given in IST, the offset of the article's own dates.
- `imageUrl` may be site-relative, a /img resizer URL or a placeholder (§2.4, §5 Images), like the lead image.
Pure, like every parser: the spider fetches the pages (spiders/liveblog.py) and hands each one here.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from lxml import etree

from newscrawl.extract.blocks import block_texts
from newscrawl.extract.dates import IST, iso, parse_utc_naive
from newscrawl.extract.text import clean_or_none, join_paragraphs
from newscrawl.extract.urls import is_http_url
from newscrawl.items import LiveUpdate
from newscrawl.parsers.base import ParseError
from newscrawl.parsers.devdiscourse.body import is_body_furniture
from newscrawl.parsers.devdiscourse.image import original_image_url, split_caption

logger = logging.getLogger(__name__)

UPDATES_PER_PAGE = 10
"""Rows of a full GetSubBlogs page (§3.2): a shorter page is the last one."""

_FRAGMENT_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True)


UPDATES_PATH = "/api/Search/GetSubBlogs/"


def updates_path(news_id: str, page: int) -> str:
    """The site path of a live blog's update page (1-based).

    >>> updates_path("3302120", 2)
    '/api/Search/GetSubBlogs/3302120/2'
    """
    return f"{UPDATES_PATH}{news_id}/{page}"


def parse_updates(body: bytes | str, url: str) -> list[LiveUpdate]:
    """The updates of one GetSubBlogs page, in the site's order (newest first); [] for an empty page.

    A page that is not a JSON list is a ParseError (the caller flags the item); a row without an id is skipped and
    logged with the page's URL, since nothing could tell it from another row.

    >>> [u.id for u in parse_updates('[{"id": 41, "title": "Polls close", "description": "<p>Done.</p>",'
    ...                              ' "createdOn": "2025-03-21T13:37:05.123"}]', "https://x/1")]
    ['41']
    """
    try:
        rows = json.loads(body)
    except ValueError as error:  # bytes that are not UTF-8 are a ValueError too (UnicodeDecodeError)
        raise ParseError(url, "live_updates", f"the update page is not JSON: {error}") from None
    if not isinstance(rows, list):
        raise ParseError(url, "live_updates", f"the update page is a JSON {type(rows).__name__}, not a list")
    updates: list[LiveUpdate] = []
    for position, row in enumerate(rows):
        update = parse_update(row)
        if update is None:
            logger.warning("Live-blog update %(position)d of %(url)s has no id; skipped",
                           {"position": position, "url": url})
            continue
        updates.append(update)
    return updates


def parse_update(row: Any) -> LiveUpdate | None:
    """One GetSubBlogs row as a LiveUpdate; None for a row that is not an object with an id."""
    if not isinstance(row, dict) or row.get("id") in (None, "") or isinstance(row.get("id"), (dict, list, bool)):
        return None
    created = parse_utc_naive(_text(row.get("createdOn")))
    image = _text(row.get("imageUrl")).strip()
    _, credit = split_caption(clean_or_none(_text(row.get("imageCopyright"))), "amp")  # "Image Credit: X" or X
    return LiveUpdate(
        id=str(row["id"]),
        title=clean_or_none(_text(row.get("title"))),
        text=update_text(_text(row.get("description"))),
        image_url=_web_url(original_image_url(image) if image else None),
        image_credit=credit,
        published_at=iso(created.astimezone(IST)) if created else None,
    )


def update_text(description: str) -> str:
    """An update's editor HTML as body text: one paragraph per block, the body's furniture left out.

    >>> update_text("<p>Counting&nbsp;began.</p><p>Trends <b>by 10</b>.</p>")
    'Counting began.\\n\\nTrends by 10.'
    """
    if not description.strip():
        return ""
    document = etree.fromstring(f"<html><body><div>{description}</div></body></html>", _FRAGMENT_PARSER)
    if document is None:
        return ""
    container = document.find("body/div")
    return join_paragraphs(block_texts(container if container is not None else document, is_body_furniture))


def _web_url(url: str | None) -> str | None:
    """An http(s) URL, or None (a `javascript:` or `data:` value is no image address)."""
    return url if url and is_http_url(url) else None


def _text(value: Any) -> str:
    """A JSON value read as text: strings as they are, numbers as written, null and containers as nothing."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""
