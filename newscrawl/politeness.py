"""Politeness the stock middlewares leave out: robots.txt Crawl-delay, Retry-After, backing off on error bursts, and
the per-site concurrency limit held when requests arrive in a burst (SlotLimitedDownloader, at the end); and
robots.txt obeyed by every request that waited for it (RobotsTxtMiddleware, at the end).

Scrapy reads robots.txt for permission only, its RetryMiddleware retries at once, and AutoThrottle follows latency:
it refuses to *lower* the delay on error pages but never raises it for them, so a site answering fast 503s is hit
as hard as a healthy one. PolitenessMiddleware adjusts the downloader slot's own delay (the one DOWNLOAD_DELAY and
AutoThrottle set, so all three cooperate):

* a robots.txt answered 200: its `Crawl-delay` for our user agent becomes the host's least delay (and that host's
  delay is no longer randomised, which would let a request come sooner);
* a 429 or 503 with `Retry-After` (seconds or an HTTP date): the host waits that long before its next request;
* any other 429 or 503 (the server says it is overloaded or limiting us): the host's delay doubles (from 1 s at
  least);
* any other 5xx waits 1 s at least (Scrapy would retry at once), and doubles the delay only in a burst: from the
  BURST_PAGES-th different page answering 5xx with no success between them. One page failing again (its retries)
  is no news about the server: a handful of broken article pages (Devdiscourse answers 500 for an unknown or
  unpublished NewsId, STRUCTURE.md §1.2) once took the delay to the cap, 12 requests in 480 s;
* each success halves the delay back to its least and ends the burst.

Every wait is capped at NEWSCRAWL_BACKOFF_MAX_DELAY (60 s), the actual one: Scrapy spreads a slot's delay by its
jitter (±50 % by default), which took a capped 60 s to 90 s, so a slot's jitter is narrowed while its delay is near
the cap (and none after a Retry-After, which names the least wait). A site asking for an hour gets a minute and then
the usual retries. Counted as newscrawl/politeness/{crawl_delay,retry_after,backoff}. Replayed responses are left
alone: there is no server to be polite to. NEWSCRAWL_POLITENESS_ENABLED = False switches it off.
"""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from protego import Protego
from scrapy.core.downloader import Downloader, Slot
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from newscrawl.meta import REPLAYED_FLAG

logger = logging.getLogger(__name__)

BACKOFF_STATUSES = frozenset({429, 500, 502, 503, 504, 522, 524})
RETRY_AFTER_STATUSES = frozenset({429, 503})
LOAD_STATUSES = RETRY_AFTER_STATUSES
"""Statuses that speak of the server's load (too many requests, unavailable): every one doubles the delay."""
BURST_PAGES = 3
"""Different pages answering another 5xx in a row, no success between them, from which each one doubles the delay."""


def retry_after_seconds(value: str, now: datetime | None = None) -> float | None:
    """Seconds a `Retry-After` header asks for (delta-seconds or an HTTP date), or None when it is not readable.

    >>> retry_after_seconds("120"), retry_after_seconds("soon")
    (120.0, None)
    >>> retry_after_seconds("Fri, 21 Mar 2025 10:00:30 GMT", datetime(2025, 3, 21, 10, 0, tzinfo=timezone.utc))
    30.0
    """
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def _hold(slot: Any, least: float) -> None:
    """Keep a slot's delay at `least` or more. Scrapy spreads each delay randomly (±50 % by default), which would
    let a request follow the last one sooner than a robots.txt Crawl-delay allows: such slots wait exactly."""
    if slot.delay < least:
        slot.delay = least
    _set_jitter(slot, 0.0)


def _jitter(slot: Any) -> float:
    """How far Scrapy spreads the slot's delay either way (0.5: from half the delay to one and a half)."""
    if hasattr(slot, "jitter"):
        return float(slot.jitter)
    return 0.5 if slot.randomize_delay else 0.0  # Scrapy before 2.19: ±50 % or nothing


def _set_jitter(slot: Any, jitter: float) -> None:
    if hasattr(slot, "jitter"):
        slot.jitter = jitter
    else:  # Scrapy before 2.19 spreads by ±50 % or not at all: not at all unless the whole spread fits
        slot.randomize_delay = jitter >= 0.5


def fitted_jitter(jitter: float, delay: float, cap: float) -> float:
    """The largest spread up to `jitter` that keeps every wait of a `delay`-second slot within `cap` seconds.

    >>> fitted_jitter(0.5, 10, 60), fitted_jitter(0.5, 48, 60), fitted_jitter(0.5, 60, 60), fitted_jitter(0.5, 0, 60)
    (0.5, 0.25, 0.0, 0.5)
    """
    if delay <= 0:
        return jitter
    return max(0.0, min(jitter, cap / delay - 1))


class PolitenessMiddleware:
    def __init__(self, crawler: Any) -> None:
        settings = crawler.settings
        if not settings.getbool("NEWSCRAWL_POLITENESS_ENABLED", True):
            raise NotConfigured("NEWSCRAWL_POLITENESS_ENABLED is off")
        self.crawler = crawler
        self.max_delay = settings.getfloat("NEWSCRAWL_BACKOFF_MAX_DELAY", 60.0)
        self.base_delay = settings.getfloat("DOWNLOAD_DELAY", 0.0)
        self.user_agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT") or "*"
        self.least: dict[str, float] = {}
        """Per slot: the delay it must not go below (robots.txt Crawl-delay)."""
        self.jitter: dict[str, float] = {}
        """Per slot: its own jitter, from before this middleware first narrowed it."""
        self.failing: dict[str, set[str]] = {}
        """Per slot: the pages that answered 5xx since its last success (a burst when BURST_PAGES or more)."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> PolitenessMiddleware:
        return cls(crawler)

    def _slot(self, request: Request) -> tuple[str, Any]:
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        return key, downloader.slots.get(key)

    def process_request(self, request: Request, spider: Any = None) -> None:
        key, slot = self._slot(request)
        least = self.least.get(key)
        if slot is not None and least is not None:
            _hold(slot, least)  # AutoThrottle may have lowered it since the last response
        return None

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        if REPLAYED_FLAG in response.flags:
            return response
        key, slot = self._slot(request)
        stats = self.crawler.stats
        if urlsplit(request.url).path == "/robots.txt":
            if response.status == 200:
                self._read_crawl_delay(key, slot, response)
            return response
        if slot is None:
            return response
        least = max(self.base_delay, self.least.get(key, 0.0))
        self.jitter.setdefault(key, _jitter(slot))
        retry_after = response.headers.get(b"Retry-After")
        if response.status in RETRY_AFTER_STATUSES and retry_after:
            asked = retry_after_seconds(retry_after.decode("latin-1"))
            if asked is not None:
                slot.delay = max(slot.delay, min(asked, self.max_delay))
                _set_jitter(slot, 0.0)  # the server named the least wait: half of it would come too soon
                stats.inc_value("newscrawl/politeness/retry_after")
                logger.info("%(host)s asked us to wait %(asked).0f s (Retry-After); next request in %(delay).1f s",
                            {"host": key, "asked": asked, "delay": slot.delay})
                return response
        if response.status in BACKOFF_STATUSES:
            failing = self.failing.setdefault(key, set())
            another_page = request.url not in failing
            failing.add(request.url)
            if response.status in LOAD_STATUSES or (another_page and len(failing) >= BURST_PAGES):
                slot.delay = min(max(slot.delay * 2, 1.0), self.max_delay)
                stats.inc_value("newscrawl/politeness/backoff")
                logger.debug("%(host)s answered %(status)d; delay now %(delay).1f s",
                             {"host": key, "status": response.status, "delay": slot.delay})
            else:
                slot.delay = max(slot.delay, min(1.0, self.max_delay))
        elif response.status < 400:
            self.failing.pop(key, None)
            if slot.delay > least:
                slot.delay = max(least, slot.delay / 2)
        self._fit_jitter(key, slot)
        return response

    def _fit_jitter(self, key: str, slot: Any) -> None:
        """Spread the slot's delay as Scrapy would, but never past NEWSCRAWL_BACKOFF_MAX_DELAY."""
        if key in self.least:
            return  # a Crawl-delay slot waits exactly (_hold)
        _set_jitter(slot, fitted_jitter(self.jitter.get(key, _jitter(slot)), slot.delay, self.max_delay))

    def _read_crawl_delay(self, key: str, slot: Any, response: Response) -> None:
        try:
            delay = Protego.parse(response.body.decode("utf-8", "replace")).crawl_delay(self.user_agent)
        except (TypeError, ValueError):  # a robots.txt Protego cannot read asks for nothing
            return
        if not delay:
            return
        least = min(float(delay), self.max_delay)
        self.least[key] = least
        if slot is not None:
            _hold(slot, least)
        self.crawler.stats.set_value("newscrawl/politeness/crawl_delay", least)
        logger.info("robots.txt of %(host)s asks for Crawl-delay %(delay)s s; honoured (%(least)s s)",
                    {"host": key, "delay": delay, "least": least})


class SlotLimitedDownloader(Downloader):
    """Scrapy's downloader, with a site's requests in flight held to its slot's concurrency even in a burst.

    Since 2.14, Scrapy hands each request that a slot lets through to an asyncio task, and counts it in
    `slot.transferring` only once that task runs; the loop that lets requests through checks that count, so every
    request queued in the slot at that moment went out at once (scrapy/scrapy#6982 reports the symptom). Without a
    download delay (AutoThrottle off, as the benchmarks and fast local crawls run), a site limited to
    CONCURRENT_REQUESTS_PER_DOMAIN (4) had up to CONCURRENT_REQUESTS (16) requests in flight, and the connection
    pool, which keeps that many connections per host, closed the extra ones after each response: half the requests
    of a live crawl opened a new connection. Here a request counts as transferring from the moment it is handed to
    its task (Scrapy's task adds it again, and removes it when the download ends). With a delay, Scrapy lets one
    request through at a time: no change. Scrapy 2.13 counted the request at once and never calls this method.
    """

    def _wait_for_download(self, slot: Slot, request: Request, *args: Any,
                           **kwargs: Any) -> Coroutine[Any, Any, None]:
        slot.transferring.add(request)
        waiting: Coroutine[Any, Any, None] = super()._wait_for_download(slot, request, *args, **kwargs)
        return waiting


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with every request that waited for the site's robots.txt checked against it.

    Scrapy 2.14–2.19 hand the robots.txt parser to the requests waiting for it by awaiting one shared Deferred as an
    asyncio Future, and turning a Deferred into a Future consumes its result (Twisted's `Deferred.asFuture`): the
    first waiting request got the parser, every later one got None, which the middleware reads as "the site has no
    robots.txt" and lets through. So the third and later requests of a crawl's opening burst to a site (an `-a urls`
    list, a sitemap's articles released together) went out unchecked, disallowed or not. Here a request handed None
    while the site's parser exists is checked against that parser. None still means what Scrapy means by it when
    the robots.txt download itself failed: no rules to obey.
    """

    def process_request_2(self, rp: Any, request: Request, *args: Any) -> None:
        if rp is None:
            parsed = self._parsers.get(urlparse_cached(request).netloc)
            rp = None if isinstance(parsed, Deferred) else parsed
        super().process_request_2(rp, request, *args)
