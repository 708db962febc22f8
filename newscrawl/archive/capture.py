"""Capture: write every HTTP exchange of a live crawl to WARC, as the server sent it.

Hook choice: a downloader middleware at order 950, outside HttpCompressionMiddleware (590), RedirectMiddleware
(600) and RetryMiddleware (550). Its process_response sees each response before Scrapy decompresses it, follows a
redirect or retries it, so redirects, error pages, robots.txt and every retry attempt are archived with their
original Content-Encoding and bytes. Its process_request ran last, so the request headers recorded are the ones
sent. (The response_downloaded signal fires at the same place but cannot annotate request.meta for provenance.)

The WARC writing itself lives in archive/warc.py and takes plain values, not Scrapy objects.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from http import HTTPStatus
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Request, Response

from newscrawl import __version__
from newscrawl.archive.warc import WarcWriter
from newscrawl.fatal import stop_crawl
from newscrawl.meta import META_ARCHIVE, META_FETCHED_AT, REPLAYED_FLAG

logger = logging.getLogger(__name__)

# Settings recorded in warcinfo: what changes which bytes the server sends or which requests are made.
RECORDED_SETTINGS = ("USER_AGENT", "ROBOTSTXT_OBEY", "DOWNLOAD_MAXSIZE", "COOKIES_ENABLED", "RETRY_TIMES",
                     "REDIRECT_MAX_TIMES", "AUTOTHROTTLE_ENABLED", "CONCURRENT_REQUESTS_PER_DOMAIN")


def header_pairs(headers: Headers) -> list[tuple[str, str]]:
    """Every header line, repeated headers kept as separate lines (headers[name] would keep only the last).

    Read straight from the dict Scrapy's Headers is (normalised name → list of values, what getlist returns): going
    through getlist re-normalised every name, twice per exchange, for every response of a crawl."""
    return [(name.decode("latin-1"), value.decode("latin-1"))
            for name, values in dict.items(headers) for value in values]


class WarcCaptureMiddleware:
    def __init__(self, crawler: Any, directory: Path, max_bytes: int) -> None:
        self.crawler = crawler
        self.directory = directory
        self.max_bytes = max_bytes
        self.writer: WarcWriter | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> WarcCaptureMiddleware:
        settings = crawler.settings
        if not settings.getbool("NEWSCRAWL_ARCHIVE_ENABLED"):
            raise NotConfigured("NEWSCRAWL_ARCHIVE_ENABLED is off")
        if getattr(getattr(crawler, "spider", None), "replay_path", None) is not None:
            raise NotConfigured  # replaying: the archive being replayed is the record
        middleware = cls(crawler, Path(settings.get("NEWSCRAWL_ARCHIVE_DIR", "output")),
                         settings.getint("NEWSCRAWL_ARCHIVE_MAX_BYTES"))
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def _writer(self, spider: Any) -> WarcWriter:
        if self.writer is None:
            settings = self.crawler.settings
            info = {
                "software": f"newscrawl/{__version__}",
                "format": "WARC File Format 1.1",
                "spider": spider.name,
                "crawl-id": spider.crawl_id,
                "crawl-started-at": spider.started_at.isoformat(),
                "spider-arguments": json.dumps(getattr(spider, "recorded_arguments", {}), sort_keys=True),
            }
            info.update({f"setting-{name}": str(settings.get(name)) for name in RECORDED_SETTINGS})
            (self.directory / spider.name).mkdir(parents=True, exist_ok=True)
            self.writer = WarcWriter(self.directory / spider.name, spider.crawl_id, max_bytes=self.max_bytes,
                                     warcinfo=info)
        return self.writer

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        if REPLAYED_FLAG in response.flags:
            return response
        spider = spider or self.crawler.spider
        try:
            ref = self._writer(spider).write_exchange(
                url=response.url,
                method=request.method,
                request_headers=header_pairs(request.headers),
                request_body=request.body,
                status=response.status,
                reason=_reason(response.status),
                http_version=_status_line_version(getattr(response, "protocol", None)),
                response_headers=header_pairs(response.headers),
                body=response.body,
                fetched_at=_fetched_at(request),
                remote_ip=str(response.ip_address) if response.ip_address else None,
            )
        except OSError as error:
            # A full disk must stop the crawl loudly: items without an archive would break the provenance promise.
            logger.critical("Cannot write WARC in %(dir)s: %(error)s", {"dir": self.directory, "error": error})
            self.crawler.stats.inc_value("newscrawl/archive/write_errors")
            stop_crawl(self.crawler, "archive_write_error", f"cannot write WARC in {self.directory}: {error}")
            raise
        request.meta[META_ARCHIVE] = {"file": Path(ref.file).name, "record_id": ref.record_id, "offset": ref.offset}
        self.crawler.stats.inc_value("newscrawl/archive/records")
        return response

    def spider_closed(self, spider: Any) -> None:
        if self.writer is not None:
            self.writer.close()
            for path in self.writer.files:
                logger.info("WARC written: %(path)s", {"path": path})


def _fetched_at(request: Request) -> datetime:
    """The arrival time FetchTimeMiddleware stamped (so WARC-Date and provenance.fetched_at agree), else now."""
    stamped = request.meta.get(META_FETCHED_AT)
    if isinstance(stamped, str):
        try:
            return datetime.fromisoformat(stamped)
        except ValueError:
            pass
    return datetime.now(timezone.utc)


def _status_line_version(protocol: str | None) -> str:
    """Scrapy says "h2" for HTTP/2; a WARC status line wants the "HTTP/x" form other tools parse."""
    if not protocol:
        return "HTTP/1.1"
    return "HTTP/2" if protocol.lower() in ("h2", "http/2", "http/2.0") else protocol


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
