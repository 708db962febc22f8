"""Request fingerprints that identify an article request by its article key, not its URL.

One article has many URL forms (Devdiscourse: label, slug, ?amp, /mobilearticle/…; STRUCTURE.md §1.2) and the
shared dupefilter sees fingerprints only, so an article request's fingerprint is its article key
(meta["newscrawl_key"], e.g. devdiscourse:3301234): whichever worker and route queues it first, every other form
is a duplicate. Every other request — discovery pages, and a redirect's target, which must not be mistaken for
the request it came from — keeps Scrapy's default fingerprint. Used in distributed mode only
(REQUEST_FINGERPRINTER_CLASS, set by the add-on): single-process crawls dedupe articles in the spider.
"""

from __future__ import annotations

import hashlib
from typing import Any

from scrapy.http import Request
from scrapy.utils.request import RequestFingerprinter

from newscrawl.meta import META_KEY


def article_fingerprint(key: str) -> bytes:
    """The fingerprint of every request for the article with this key."""
    return hashlib.sha1(b"newscrawl-article\x00" + key.encode()).digest()


class ArticleKeyFingerprinter:
    """REQUEST_FINGERPRINTER_CLASS for distributed crawls; see the module docstring."""

    def __init__(self, crawler: Any = None) -> None:
        self._default = RequestFingerprinter(crawler)

    @classmethod
    def from_crawler(cls, crawler: Any) -> ArticleKeyFingerprinter:
        return cls(crawler)

    def fingerprint(self, request: Request) -> bytes:
        key = request.meta.get(META_KEY)
        if isinstance(key, str) and key and not request.meta.get("redirect_urls"):
            return article_fingerprint(key)
        return self._default.fingerprint(request)
