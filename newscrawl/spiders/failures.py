"""Failed requests counted and named by kind, including the redirects Scrapy drops without an errback."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from twisted.python.failure import Failure
from w3lib.url import canonicalize_url

from newscrawl.archive.replay import ReplayMiss
from newscrawl.fetch import ARTICLE_GONE_STATUS
from newscrawl.meta import META_KEY
from newscrawl.spiders.held import HeldArticles
from newscrawl.state.incremental import Incremental

logger = logging.getLogger(__name__)
ROBOTS_FORBIDDEN = "Forbidden by robots.txt"  # the message of RobotsTxtMiddleware's IgnoreRequest


GONE_LISTED = 50  # gone articles the run report names; the count is whole


def is_article(request: Request | None) -> bool:
    return request is not None and META_KEY in request.meta


class RequestFailures:
    """Spider mixin: count and log each failed request as newscrawl/errors/<kind>; the crawl goes on.

    A failed discovery request (a sitemap, feed, listing or API page: any request that is not for an article) is
    also a lost discovery source: `discovery_failures` names each, and the run report's status says the
    discovery was partial, since every article only that source lists went undiscovered.

    Each article request ends in one count, so that the run's discovered articles add up (the run report):
    newscrawl/pages/fetched (the callback), newscrawl/articles/{failed,gone,withdrawn,forbidden} (here).
    """

    crawler: Any
    allowed_domains: list[str] | None
    discovery_failures: list[dict[str, str]]
    gone_articles: list[str]
    gone_to_remember: list[tuple[str, str, str | None]]
    held: HeldArticles
    incremental: Incremental | None
    article_key: Callable[[str], str]
    change_claim: Callable[[str], str | None]

    def on_error(self, failure: Failure) -> None:
        """Errback: count and log a failed request by kind. A page the site's robots.txt forbids did not fail: the
        crawl chose not to fetch it (Scrapy counts robotstxt/forbidden; the run report lists it under `filtered`)."""
        request = getattr(failure, "request", None)
        if failure.check(IgnoreRequest) and str(failure.value) == ROBOTS_FORBIDDEN:  # type: ignore[no-untyped-call]
            if is_article(request):
                self.crawler.stats.inc_value("newscrawl/articles/forbidden")
            return
        kind = failure.type.__name__ if failure.type else "Unknown"
        response = getattr(failure.value, "response", None)
        if response is not None:
            kind = f"HttpError{response.status}"
            if self.article_withdrawn(request, response.status) or self.article_gone(request, response.status):
                return
        self.crawler.stats.inc_value(f"newscrawl/errors/{kind}")
        if is_article(request):
            self.crawler.stats.inc_value("newscrawl/articles/failed")
        logger.warning("Request failed (%(kind)s): %(url)s", {"kind": kind, "url": request.url if request else "?"})
        # a replay miss is the archive not holding a page (a foreign WARC without sitemaps), not a source failing
        if request is not None and not is_article(request) and not failure.check(ReplayMiss):  # type: ignore[no-untyped-call]
            self.discovery_source_failed(request.url, f"{kind}: {failure.getErrorMessage()}"[:300])

    def article_withdrawn(self, request: Request | None, status: int) -> bool:
        """A 404 or 410 for an article an earlier run emitted: the outlet took it down (its items stay as they were).
        Not a fetch failure: three such in a run of revisits made it `fetch-failures` (exit 4, "site down")."""
        key = request.meta.get(META_KEY) if request is not None else None
        if status not in (404, 410) or key is None or self.incremental is None:
            return False
        if self.incremental.store.article(key) is None:
            return False
        # The claim that made us ask is answered: stored, so the next run does not ask again (and warn again) while
        # the source keeps naming the page; a newer claim, or the revisit window, still asks.
        self.incremental.store.touch(key, datetime.now(timezone.utc).isoformat(), self.change_claim(key))
        self.crawler.stats.inc_value("newscrawl/articles/withdrawn")
        logger.warning("Article withdrawn (HTTP %(status)d), emitted by an earlier run: %(url)s",
                       {"status": status, "url": request.url if request is not None else "?"})
        return True

    def article_gone(self, request: Request | None, status: int) -> bool:
        """An article page that answered 500 on its try and its retries: no such published article (Devdiscourse's
        answer for a NewsId that is unknown or was pulled, minutes after a cached listing named it). Not a failed
        fetch: four of them made a run `fetch-failures` (exit 4, "site down"). The run report counts them as
        failures after all when most of the pages the site answered in the run were server errors (the site was down,
        not the articles). Otherwise the crawl state remembers it at close, and later runs ask again only after a
        while or on a newer change claim (state/incremental.py), not every run while a cached source names it."""
        if status != ARTICLE_GONE_STATUS or request is None or not is_article(request):
            return False
        self.crawler.stats.inc_value("newscrawl/articles/gone")
        if not hasattr(self, "gone_articles"):
            self.gone_articles, self.gone_to_remember = [], []
        if len(self.gone_articles) < GONE_LISTED:
            self.gone_articles.append(request.url)
        key = request.meta.get(META_KEY)
        if key is not None and self.incremental is not None:
            self.gone_to_remember.append((key, request.url, self.change_claim(key)))
        logger.warning("Article gone: HTTP %(status)d on %(tries)d tries, taken as no such published article: "
                       "%(url)s", {"status": status, "tries": request.meta.get("retry_times", 0) + 1,
                                   "url": request.url})
        return True

    def discovery_source_failed(self, url: str, reason: str) -> None:
        """A discovery source gave nothing usable (error, timeout, size limit, unreadable document)."""
        if not hasattr(self, "discovery_failures"):
            self.discovery_failures = []
        self.discovery_failures.append({"url": url, "error": reason})
        self.crawler.stats.inc_value("newscrawl/discovery/failed_sources")
        logger.error("Discovery source lost, articles only it lists are not discovered this run: %(url)s "
                     "(%(reason)s)", {"url": url, "reason": reason})

    # Scrapy drops two kinds of redirected request without calling the errback: one to a URL already requested (the
    # dupefilter) and one to a host outside allowed_domains (OffsiteMiddleware, at scheduling). Neither is followed,
    # as it should be; these handlers count and name them like other failures, so an article lost to either shows up
    # in the errors of the run report instead of vanishing. One case loses nothing: a second address of an article
    # (a campaign link, the http:// form a sitemap also names) redirected to the article's own address, which is
    # requested as an article anyway. It is counted, not reported as a failure: sites with such aliases made every
    # run end with status fetch-failures (exit code 4).
    def redirect_dropped(self, request: Request, spider: Any = None) -> None:
        """request_dropped: the scheduler refused a request (for ours, only a redirect can be a duplicate)."""
        chain = request.meta.get("redirect_urls")
        if not chain:
            return
        # The dupefilter compares canonical URLs: "?b=2&a=1" redirected to "?a=1&b=2" is a loop too
        if canonicalize_url(request.url) in {canonicalize_url(url) for url in chain}:
            self.on_redirect_not_followed(request, "RedirectLoop")  # back to an address of its own chain
        elif self._requested_as_article(request.url):
            self.crawler.stats.inc_value("newscrawl/redirects/to_requested_article")
            logger.info("%(url)s redirects to %(target)s, an article requested by another route: fetched once",
                        {"url": chain[0], "target": request.url})
        else:
            self.on_redirect_not_followed(request, "RedirectToRequestedPage")

    def _requested_as_article(self, url: str) -> bool:
        held = getattr(self, "held", None)
        return held is not None and held.known(self.article_key(url))

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
        if is_article(request):
            self.crawler.stats.inc_value("newscrawl/articles/failed")
        logger.warning("Request failed (%(kind)s): %(url)s, redirected to %(target)s, not followed",
                       {"kind": kind, "url": request.meta["redirect_urls"][0], "target": request.url})
