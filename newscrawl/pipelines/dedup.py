"""One item per canonical URL within a run, and another article never lost to a canonical link it shares.

A page whose canonical URL an earlier item of the run already claimed is dropped (DuplicateArticle): another form of
that article (its AMP or print copy, a tracking variant), or the same page reached twice. Unless it is another
article: a template that gives many pages one canonical link (an SEO plugin pointing every story at its section)
would make the run keep only the first story. A page with another headline *and* another body than the URL's first
item is kept under its own address, flagged `canonical_of_another`; its link stays in provenance.canonical_url.
A page known by no address (a saved page's file:// URL) whose headline and body an item of the run already has is
that article saved twice, once with its address: a duplicate too (the spiders fetch such pages last).

What is remembered per URL is a 16-byte digest and a 16-byte fingerprint of the headline and the body, not the URL
or the text, in a scratch database (scratchdb.py): a Python dict of them grew a replay by ~160 bytes a page, 160 MB
for an archive of a million. The parallel replay's merge (parallel/merge.py) takes the same decisions across its
processes with the same UrlClaims.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from scrapy.exceptions import DropItem

from newscrawl.extract.titles import words
from newscrawl.extract.urls import another_form, clean_url, is_http_url
from newscrawl.items import Article
from newscrawl.pipelines.droplog import dropped_when_scratch_space_runs_out
from newscrawl.scratchdb import scratch_database

logger = logging.getLogger(__name__)

CANONICAL_OF_ANOTHER = "canonical_of_another"
"""The quality flag of an item kept under its own address."""
READDRESSED_STATS = (f"newscrawl/items/{CANONICAL_OF_ANOTHER}", f"newscrawl/quality/{CANONICAL_OF_ANOTHER}")
"""The stats one such item counts in (the quality flag's, as ValidationPipeline counts the others)."""

READDRESSED = ("%(page)s names %(url)s as its canonical URL, where an article with another headline is: kept under "
               "its own address")
"""The log line of an item put under its own address (here, and in the parallel replay's merge)."""

_HALF = 8
_NO_HEADLINE = bytes(_HALF)


class DuplicateArticle(DropItem):
    """The run already emitted an item with this canonical URL."""


def _digest(text: str, size: int) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=size).digest()


def fingerprint(title: str | None, body: str) -> bytes:
    """What tells two items under one URL apart: digests of the headline's words (zeros when it has none: then
    nothing can be told) and of the body."""
    headline = " ".join(words(title))
    return (_digest(headline, _HALF) if headline else _NO_HEADLINE) + _digest(body, _HALF)


def other_article(first: bytes, later: bytes) -> bool:
    """Whether two fingerprints are two articles: both headlines known and different, and different bodies. A form
    of one article (AMP, print) keeps its headline; an edit between two fetches keeps most of the body but changes
    its digest, so the headline decides; without a headline the later page is taken for the same article."""
    first_headline, later_headline = first[:_HALF], later[:_HALF]
    return _NO_HEADLINE not in (first_headline, later_headline) and first_headline != later_headline \
        and first[_HALF:] != later[_HALF:]


class UrlClaims:
    """Which URL each item of a run goes out under, in the run's order: the first item with a URL claims it."""

    def __init__(self) -> None:
        self._db = scratch_database("CREATE TABLE claims (url BLOB PRIMARY KEY, print BLOB NOT NULL, page BLOB, "
                                    "record BLOB) WITHOUT ROWID", "URLs claimed by items", cache_kib=1024)
        self._by_print = False
        """Whether claims are indexed by fingerprint: from the first page without an address (a saved folder's)."""

    def close(self) -> None:
        self._db.close()

    def claim(self, url: str, print_: bytes, page_url: str | None, record: str | None = None) -> str | None:
        """The URL the item goes out under: `url` when it is the first there, or a later archived version of the
        page that claimed it (the same page URL, another `record`: a `versions=all` replay, spiders/versions.py);
        its own page's address when the URL's first item is another article and the page is at another address
        (itself the first there); None for a duplicate, and for a page without an address (its file:// URL) whose
        headline and body an item of the run already has (the same article saved twice, with or without its
        address)."""
        if not is_http_url(url):
            if not self._by_print:
                self._db.execute("CREATE INDEX claims_by_print ON claims (print)")
                self._by_print = True
            if self._db.execute("SELECT 1 FROM claims WHERE print = ? LIMIT 1", (print_,)).fetchone() is not None:
                return None
        key = _digest(url, 16)
        page, source = (_digest(page_url, 16) if page_url else None), (_digest(record, 16) if record else None)
        claimed = self._db.execute("SELECT print, page, record FROM claims WHERE url = ?", (key,)).fetchone()
        if claimed is None:
            self._db.execute("INSERT INTO claims VALUES (?, ?, ?, ?)", (key, print_, page, source))
            return url
        first_print, first_page, first_record = claimed
        if page is not None and source is not None and first_page == page and first_record not in (None, source):
            self._db.execute("UPDATE claims SET print = ?, record = ? WHERE url = ?", (print_, source, key))
            return url
        if page_url is None or not other_article(bytes(first_print), print_) or not another_form(page_url, url):
            return None
        own = clean_url(page_url)
        own_key = _digest(own, 16)
        if self._print_at(own_key) is not None:
            return None
        self._db.execute("INSERT INTO claims VALUES (?, ?, ?, ?)", (own_key, print_, page, source))
        return own

    def _print_at(self, key: bytes) -> bytes | None:
        row = self._db.execute("SELECT print FROM claims WHERE url = ?", (key,)).fetchone()
        return bytes(row[0]) if row is not None else None


class DedupPipeline:
    def __init__(self, crawler: Any = None) -> None:
        self.stats = crawler.stats if crawler is not None else None
        self.claims = UrlClaims()

    @classmethod
    def from_crawler(cls, crawler: Any) -> DedupPipeline:
        return cls(crawler)

    def close_spider(self, spider: Any = None) -> None:
        self.claims.close()

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        page_url = item.provenance.response_url if item.provenance is not None else None
        record = item.provenance.archive.record_id if item.provenance and item.provenance.archive else None
        with dropped_when_scratch_space_runs_out(item.url):
            url = self.claims.claim(item.url, fingerprint(item.title, item.body), page_url, record)
        if url is None:
            if not is_http_url(item.url):
                # the copy emitted may have no address either (a page saved twice, neither with its <head>)
                raise DuplicateArticle(f"{item.url}: a page without its address, whose article this run emitted "
                                       "already (the same headline and body)")
            raise DuplicateArticle(f"{item.url}: already emitted in this run")
        if url != item.url:
            readdress(item, url, self.stats)
        return item


def readdress(item: Article, url: str, stats: Any = None) -> None:
    """Put an item whose canonical link names another article's URL under its own page's address: one warning,
    flagged, counted (also by RevisionPipeline, for a canonical naming an article of an earlier run)."""
    logger.warning(READDRESSED, {"page": item.provenance.response_url if item.provenance else None, "url": item.url})
    item.url = url
    item.quality = flagged(item.quality)
    if stats is not None:
        for key in READDRESSED_STATS:
            stats.inc_value(key)


def flagged(quality: list[str]) -> list[str]:
    """A quality list with the canonical_of_another flag (once, last, as flags added after validation are)."""
    return quality if CANONICAL_OF_ANOTHER in quality else [*quality, CANONICAL_OF_ANOTHER]
