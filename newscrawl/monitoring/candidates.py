"""Pages that broke become fixture candidates: output/<spider>/fixture-candidates/<case>.html|.url|.json.

Written for every article page whose item was dropped as malformed (MissingField, MalformedField), and at the end
of a drifting run for a few articles that lack a drifting field. The .html is the page as fetched (the archived
bytes, decoded body), the .json the partial item; `python -m tests.promote` turns a candidate into a test fixture
that fails until the parser is fixed.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from pathlib import Path
from typing import Any

from scrapy import signals

from newscrawl.items import Article
from newscrawl.meta import META_ARTICLE_PART
from newscrawl.monitoring.coverage import WATCHED_FIELDS

logger = logging.getLogger(__name__)

BROKEN_DROPS = ("MissingField", "MalformedField")
MAX_PER_FIELD = 3


def case_name(article: Article, reason: str) -> str:
    ident = article.outlet_id or re.sub(r"[^a-z0-9]+", "-", article.url.lower()).strip("-")[-40:]
    return f"{article.outlet}-{ident}-{reason}".lower()


def write_candidate(directory: Path, case: str, url: str, body: bytes, article: Article, why: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{case}.html").write_bytes(body)
    (directory / f"{case}.url").write_text(url + "\n", encoding="utf-8")
    record = dataclasses.asdict(article)
    record.pop("provenance", None)
    (directory / f"{case}.json").write_text(
        json.dumps({"why": why, "item": record}, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
        encoding="utf-8")
    return directory / f"{case}.html"


def _page_of(response: Any) -> bool:
    """Whether the item came out of this response's callback as its page's item: a live blog's item comes out of
    its last update page (JSON, no fixture), spiders/liveblog.py."""
    return response is not None and META_ARTICLE_PART not in getattr(response, "meta", {})


class FixtureCandidates:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.directory = Path(crawler.settings.get("NEWSCRAWL_REPORT_DIR", "output"))
        self.missing: dict[str, list[tuple[str, bytes, Article]]] = {}
        self.written = 0

    @classmethod
    def from_crawler(cls, crawler: Any) -> FixtureCandidates:
        extension = cls(crawler)
        crawler.signals.connect(extension.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def _folder(self) -> Path:
        return self.directory / str(self.crawler.spider.name) / "fixture-candidates"

    def item_dropped(self, item: Any, response: Any, exception: Exception, spider: Any = None) -> None:
        reason = type(exception).__name__
        if not isinstance(item, Article) or reason not in BROKEN_DROPS or not _page_of(response):
            return
        path = write_candidate(self._folder(), case_name(item, reason), response.url, response.body, item,
                               str(exception))
        self.written += 1
        self.crawler.stats.inc_value("newscrawl/fixture_candidates")
        logger.warning("Fixture candidate written: %(path)s (%(why)s)", {"path": path, "why": exception})

    def item_scraped(self, item: Any, response: Any, spider: Any = None) -> None:
        if not isinstance(item, Article) or not _page_of(response):
            return
        for name in WATCHED_FIELDS:
            kept = self.missing.setdefault(name, [])
            if not getattr(item, name) and len(kept) < MAX_PER_FIELD:
                kept.append((response.url, response.body, item))

    def spider_closed(self, spider: Any, reason: str) -> None:
        drifting = {f["field"] for f in self.crawler.stats.get_value("newscrawl/drift_fields", []) or []}
        for name in sorted(drifting):
            for url, body, article in self.missing.get(name, []):
                write_candidate(self._folder(), case_name(article, f"drift-{name}"), url, body, article,
                                f"layout drift: {name} missing")
                self.written += 1
        self.missing.clear()
