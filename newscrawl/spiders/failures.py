"""Failed requests counted and named by kind, including the redirects Scrapy drops without an errback."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import Request
from twisted.python.failure import Failure

logger = logging.getLogger(__name__)


class RequestFailures:
    """Spider mixin: count and log each failed request as newscrawl/errors/<kind>; the crawl goes on."""

    crawler: Any
    allowed_domains: list[str]

    def on_error(self, failure: Failure) -> None:
        """Errback: count and log a failed request by kind."""
        request = getattr(failure, "request", None)
        kind = failure.type.__name__ if failure.type else "Unknown"
        response = getattr(failure.value, "response", None)
        if response is not None:
            kind = f"HttpError{response.status}"
        self.crawler.stats.inc_value(f"newscrawl/errors/{kind}")
        logger.warning("Request failed (%(kind)s): %(url)s", {"kind": kind, "url": request.url if request else "?"})

    # Scrapy drops two kinds of redirected request without calling the errback: one back to a URL already requested
    # (the dupefilter: a redirect loop) and one to a host outside allowed_domains (OffsiteMiddleware, at
    # scheduling). Neither is followed, as it should be; these handlers count and name them like other failures, so
    # an article lost to either shows up in the errors of the run report instead of vanishing.
    def redirect_dropped(self, request: Request, spider: Any = None) -> None:
        """request_dropped: the scheduler refused a request (for ours, only a redirect can be a duplicate)."""
        if request.meta.get("redirect_urls"):
            self.on_redirect_not_followed(request, "RedirectLoop")

    def redirect_scheduled(self, request: Request, spider: Any = None) -> None:
        """request_scheduled: a redirect to another host, which OffsiteMiddleware is about to drop."""
        domains = [d.lower() for d in getattr(self, "allowed_domains", None) or []]
        if not request.meta.get("redirect_urls") or not domains or request.dont_filter \
                or request.meta.get("allow_offsite"):
            return
        host = (urlsplit(request.url).hostname or "").lower()  # by host name, as OffsiteMiddleware (ports ignored)
        if not any(host == domain or host.endswith("." + domain) for domain in domains):
            self.on_redirect_not_followed(request, "OffsiteRedirect")

    def on_redirect_not_followed(self, request: Request, kind: str) -> None:
        self.crawler.stats.inc_value(f"newscrawl/errors/{kind}")
        logger.warning("Request failed (%(kind)s): %(url)s, redirected to %(target)s, not followed",
                       {"kind": kind, "url": request.meta["redirect_urls"][0], "target": request.url})
