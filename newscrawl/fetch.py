"""Downloader middlewares of the fetch itself: each live response stamped with its arrival time; an article page
answering 500 retried once; Scrapy's meta-refresh redirects without decoding every page to find none."""

from __future__ import annotations

import codecs
from datetime import datetime, timezone
from typing import Any

from scrapy.downloadermiddlewares import redirect as scrapy_redirect
from scrapy.downloadermiddlewares import retry as scrapy_retry
from scrapy.http import HtmlResponse, Request, Response

from newscrawl.meta import META_FETCHED_AT, META_KEY, META_MODE, REPLAYED_FLAG

ARTICLE_GONE_STATUS = 500
"""What Devdiscourse answers for an unknown or unpublished NewsId (STRUCTURE.md §1.2: no clean 404)."""
ARTICLE_GONE_RETRIES = 1
"""Retries of an article page answering ARTICLE_GONE_STATUS (STRUCTURE.md §5: "not more than once or twice")."""


class FetchTimeMiddleware:
    """Stamps each live response with its arrival time, as a downloader middleware next to the downloader.

    Runs outermost (order 955 in settings) so the time is taken before retries or redirects add their own delays,
    and on every response of a redirect chain (request.meta is copied to the redirected request, so we overwrite).
    Replayed responses carry their archived time and are left alone.
    """

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        if REPLAYED_FLAG not in response.flags:
            request.meta[META_FETCHED_AT] = datetime.now(timezone.utc).isoformat()
            request.meta[META_MODE] = "live"
        return response


class RetryMiddleware(scrapy_retry.RetryMiddleware):
    """Scrapy's RetryMiddleware, retrying an article page that answers 500 ARTICLE_GONE_RETRIES time(s) instead of
    RETRY_TIMES (2). A 500 for an article is mostly the site's "no such article" (a NewsId pulled after a cached
    listing named it), which a second retry seldom changes; each try only cost the site a request and the crawl
    its politeness delay. Other statuses, timeouts and discovery pages keep RETRY_TIMES: the site being briefly
    unwell is worth the wait there. A request's own `max_retry_times` meta still wins.
    """

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Request | Response:
        if (response.status == ARTICLE_GONE_STATUS and META_KEY in request.meta
                and "max_retry_times" not in request.meta):
            # in the meta, where Scrapy looks first, so the retry's own copy keeps it
            request.meta["max_retry_times"] = min(ARTICLE_GONE_RETRIES, self.max_retry_times)
        return super().process_response(request, response, *(() if spider is None else (spider,)))


_REFRESH_WINDOW = 4 * 4096
"""Bytes that hold the first 4,096 characters Scrapy searches for a refresh (at most 4 bytes a character)."""
_WIDE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class MetaRefreshMiddleware(scrapy_redirect.MetaRefreshMiddleware):
    """Scrapy's MetaRefreshMiddleware, answering "no refresh here" without decoding the page when its bytes cannot
    hold the word.

    Scrapy's looks for `<meta http-equiv="refresh">` in every HTML response by decoding the whole body to text
    (`response.text`, which nothing else in a crawl asks for: the parsers read bytes), then finding its base URL and
    running w3lib's search on its first 4,096 characters: ~0.24 ms a page, 2.5 % of a replay. The search needs the
    word "refresh", and in an encoding that writes ASCII letters as themselves the decoded text holds it only if
    the bytes do, so a page whose first 16 KiB lack it (in any case) has none; any other page, and any page in an
    encoding that writes letters otherwise (UTF-16/32, EBCDIC), goes through Scrapy's own code unchanged.
    """

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Request | Response:
        if isinstance(response, HtmlResponse) and _cannot_hold_refresh(response):
            return response
        # older Scrapy passes the spider and requires it back; newer Scrapy passes none and warns when given one
        return super().process_response(request, response, *(() if spider is None else (spider,)))


def _cannot_hold_refresh(response: HtmlResponse) -> bool:
    head = response.body[:_REFRESH_WINDOW]
    if head.startswith(_WIDE_BOMS):  # Scrapy decodes by the BOM before the declared encoding
        return False
    try:
        letters_as_ascii = "refreshREFRESH".encode(response.encoding) == b"refreshREFRESH"
    except (LookupError, UnicodeError):
        return False
    return letters_as_ascii and b"refresh" not in head.lower()
