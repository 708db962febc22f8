"""Stamp each live response with its arrival time, as a downloader middleware next to the downloader.

Runs outermost (order 960 in settings) so the time is taken before retries or redirects add their own delays, and
on every response of a redirect chain (request.meta is copied to the redirected request, so we overwrite).
Replayed responses carry their archived time and are left alone.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from scrapy.http import Request, Response

from newscrawl.meta import META_FETCHED_AT, META_MODE, REPLAYED_FLAG


class FetchTimeMiddleware:
    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        if REPLAYED_FLAG not in response.flags:
            request.meta[META_FETCHED_AT] = datetime.now(timezone.utc).isoformat()
            request.meta[META_MODE] = "live"
        return response
