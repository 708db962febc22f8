"""The facts of a fetch, assembled from a response and the spider's discovery trail into a Provenance."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any

from scrapy.http import Response

from newscrawl.items import ArchiveRef, Discovery, FetchedPage, Provenance
from newscrawl.meta import META_ARCHIVE, META_FETCHED_AT, META_MODE


def archive_ref(response: Response) -> ArchiveRef | None:
    """Where the response sits in an archive (META_ARCHIVE holds an ArchiveRef or its dict form), or None."""
    archive = response.meta.get(META_ARCHIVE)
    return ArchiveRef(**archive) if isinstance(archive, dict) else archive


def fetched_at(response: Response) -> str:
    """When the response arrived (the archived time in a replay), UTC ISO 8601."""
    return response.meta.get(META_FETCHED_AT) or datetime.now(timezone.utc).isoformat()


def fetched_page(response: Response) -> FetchedPage:
    """A response read besides the item's page (a live blog's update page), as provenance names it."""
    return page_read(response.url, fetched_at(response), response.body, archive_ref(response))


def page_read(url: str, when: str, body: bytes, archive: ArchiveRef | dict[str, Any] | None) -> FetchedPage:
    """The FetchedPage of a body read at `url` (what answered), at `when` (UTC ISO 8601), from `archive`."""
    return FetchedPage(url=url, fetched_at=when, body_sha256=hashlib.sha256(body).hexdigest(),
                       archive=ArchiveRef(**archive) if isinstance(archive, dict) else archive)


def response_provenance(response: Response, *, spider: str, crawl_id: str, parser: str, parser_version: str,
                        discovery: list[Discovery]) -> Provenance:
    """Where the response came from (first requested URL, archive record, fetch time) and how it was found."""
    headers = response.headers

    def header(name: str) -> str | None:
        value = headers.get(name)
        return value.decode("latin-1") if value else None

    first_url = response.request.url if response.request else response.url
    return Provenance(
        request_url=(response.meta.get("redirect_urls") or [first_url])[0],
        response_url=response.url,
        status=response.status,
        fetched_at=fetched_at(response),
        headers={"etag": header("ETag"), "last_modified": header("Last-Modified"),
                 "content_type": header("Content-Type"), "date": header("Date")},
        body_sha256=hashlib.sha256(response.body).hexdigest(),
        spider=spider,
        crawl_id=crawl_id,
        parser=parser,
        parser_version=parser_version,
        mode=response.meta.get(META_MODE, "live"),
        archive=archive_ref(response),
        discovery=discovery,
    )
