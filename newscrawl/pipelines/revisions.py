"""Revisions: an article whose content changed since we last emitted it comes out again as revision N+1;
one whose content did not change is dropped (counted as item_dropped_reasons_count/UnchangedArticle), unless it
was asked for by URL (-a urls): then it is emitted as the revision we have, and nothing new is recorded.

The state is written on item_scraped — after the feed exporters have the item — so the state never claims an
item that did not reach the feed (a kill in between is reconciled at the next start, see state/recovery.py).
Its writes are batched; ``commit_state`` is the one function that commits the batch, from a timer and after an
item's revision, so both commit whole batches and handle a disk that refuses them the same way.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from typing import Any

from scrapy import signals
from scrapy.exceptions import DropItem
from twisted.internet import task

from newscrawl.extract.urls import another_form, clean_url, is_http_url
from newscrawl.items import Article, plain_data
from newscrawl.fatal import stop_crawl
from newscrawl.pipelines.dedup import DuplicateArticle, readdress
from newscrawl.state.incremental import (changed_fields, confirmed_claim, content_digest, forms_keyed_apart,
                                         record_forms)
from newscrawl.state.store import COMMIT_SECONDS, Revision

logger = logging.getLogger(__name__)


SHRUNK_FROM = 400  # characters: an edit of a short text can halve it; a story losing most of its body is suspect


def shrunk(previous_body: str, body: str) -> bool:
    """Whether a new revision's body is less than half of the previous one's (which had some length).

    >>> shrunk("x" * 1000, "x" * 499), shrunk("x" * 1000, "x" * 500), shrunk("x" * 300, "x")
    (True, False, False)
    """
    return len(previous_body) >= SHRUNK_FROM and 2 * len(body) < len(previous_body)


class UnchangedArticle(DropItem):
    """A revisited article whose extracted content is what we emitted before: nothing new to emit."""

    def __init__(self, message: str) -> None:
        super().__init__(message, log_level="DEBUG")


class OtherFormOfKnownArticle(DropItem):
    """A copy of a known article in another form (AMP, print, a mobile host) that differs from the revision its own
    page gave: a thinner rendering of the same story (a day-only date, no image), not an edit."""

    def __init__(self, message: str) -> None:
        super().__init__(message, log_level="INFO")


class RevisionPipeline:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self._unchanged: set[str] = set()
        """URLs of unchanged items emitted on request: item_scraped records no revision for them."""
        self._digests: dict[str, tuple[Article, str, str]] = {}
        """Canonical URL → (item, content digest, state key) between process_item and item_scraped: hashed and
        looked up once per item."""
        self._committer: task.LoopingCall | None = None
        """Commits the state's batch of writes every COMMIT_SECONDS, so readers (`newscrawl status`) and a crash
        lag the feed by about a second at most, even when no further item comes to commit it."""
        self._refused = False
        """The state could not be written: the crawl is stopping, and the next run's recovery records the rest."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> RevisionPipeline:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        return pipeline

    def open_spider(self, spider: Any = None) -> None:
        if self._incremental() is not None:
            self._committer = task.LoopingCall(self.commit_state)
            self._committer.start(COMMIT_SECONDS, now=False)

    def close_spider(self, spider: Any = None) -> None:
        if self._committer is not None and self._committer.running:
            self._committer.stop()  # the spider's close_state commits the last batch and closes the store

    def commit_state(self, only_if_due: bool = False) -> None:
        """Commit the state's batch: every COMMIT_SECONDS from the timer, and after an item's revision when the batch
        is full or old (``only_if_due``). The only commit of a crawl's item writes, so every batch ends the same way:
        whole (a revision and its article row never apart), and only holding items the feed already has."""
        incremental = self._incremental()
        if incremental is None or self._refused or (only_if_due and not incremental.store.commit_due()):
            return
        try:
            incremental.store.commit()
        except (sqlite3.Error, OSError) as error:
            self._state_refused(incremental.store, error)

    def _state_refused(self, store: Any, error: Exception) -> None:
        """A state the disk refuses stops the crawl like a WARC it refuses: one line, and the items already in the
        feed are recorded from it by the next run's recovery (state/recovery.py), as after a kill. So the refused
        batch and all later ones are dropped, by every writer of the state, and the run is not marked finished: a
        further attempt would fail and log the same line again."""
        self._refused = True
        if self._committer is not None and self._committer.running:
            self._committer.stop()
        with contextlib.suppress(sqlite3.Error, OSError):
            store.abandon_batches()
        path = store.path
        stats = self.crawler.stats
        stats.inc_value("newscrawl/state/write_errors")
        logger.critical("Cannot write the crawl state %(path)s: %(error)s", {"path": path, "error": error})
        stop_crawl(self.crawler, "state_write_error", f"cannot write the crawl state {path}: {error}")

    def _incremental(self) -> Any:
        return getattr(self.crawler.spider, "incremental", None)

    def process_item(self, item: Any) -> Any:
        incremental = self._incremental()
        if not isinstance(item, Article) or incremental is None or item.provenance is None:
            return item
        provenance = item.provenance
        key, known = self._find_state(item)
        if known is not None and self._names_anothers_url(item, known):
            readdress(item, clean_url(str(provenance.response_url)), self.crawler.stats)
            key, known = self._find_state(item)
        digest = content_digest(item)
        if known is not None and known.content_sha256 != digest and self._thinner_form(item, known):
            # the article's own page made the stored revision: this form's differences are the form's, not edits
            incremental.store.touch(key, provenance.fetched_at, self._claim(item))
            self._note_forms(item, key)
            raise OtherFormOfKnownArticle(f"{provenance.response_url}: another form of {item.url}, whose own page "
                                          f"gave revision {known.revision}")
        if known is not None and known.content_sha256 == digest:
            incremental.store.touch(key, provenance.fetched_at, self._claim(item),
                                    provenance.headers.get("etag"), provenance.headers.get("last_modified"),
                                    provenance.body_sha256)
            self._note_forms(item, key)
            if not any(discovery.via == "urls-arg" for discovery in provenance.discovery):
                raise UnchangedArticle(f"{item.url}: unchanged since revision {known.revision}")
            # Asked for by name (-a urls, `newscrawl enqueue URL`): the user gets the page, as the revision we
            # already have; nothing new is recorded.
            item.revision, item.changed_fields = known.revision, []
            self._unchanged.add(item.url)
            self.crawler.stats.inc_value("newscrawl/items/unchanged_requested")
            return item
        self._digests[item.url] = (item, digest, key)
        item.revision = 1 if known is None else known.revision + 1
        if known is not None:
            item.previous_body_sha256 = known.body_sha256
            history = incremental.store.revisions(key)
            item.changed_fields = changed_fields(history[-1].item, item) if history else []
            self.crawler.stats.inc_value("newscrawl/items/revisions")
            previous_body = str(history[-1].item.get("body") or "") if history else ""
            if shrunk(previous_body, item.body):
                item.quality = [*item.quality, "body_shrunk"]
                self.crawler.stats.inc_value("newscrawl/quality/body_shrunk")
                logger.warning("Revision %(n)d of %(url)s keeps %(kept)d of %(was)d characters of its body: a paywall, "
                               "a consent wall or a layout change? (flagged body_shrunk)",
                               {"n": item.revision, "url": item.url, "kept": len(item.body), "was": len(previous_body)})
        else:
            self.crawler.stats.inc_value("newscrawl/items/new")
        return item

    def item_scraped(self, item: Any, response: Any = None, spider: Any = None) -> None:
        incremental = self._incremental()
        if not isinstance(item, Article) or incremental is None or item.revision is None or item.provenance is None:
            return
        if self._refused:
            return  # in the feed, not in the state: the next run's recovery records it from the feed
        if item.url in self._unchanged:
            self._unchanged.discard(item.url)
            return
        provenance = item.provenance
        record = plain_data(item)  # JSON-equal to dataclasses.asdict, without its deep copies
        hashed, digest, key = self._digests.pop(item.url, (None, "", ""))
        if hashed is not item:  # not seen by process_item (cannot happen in a crawl): hash it here
            digest, key = content_digest(item), self._find_state(item)[0]
        try:
            self._note_forms(item, key)
            incremental.store.record_revision(
                Revision(key=key, revision=item.revision, crawl_id=provenance.crawl_id,
                         fetched_at=provenance.fetched_at, url=item.url, content_sha256=digest,
                         body_sha256=provenance.body_sha256, item=record, response_url=self._form_page(item)),
                etag=provenance.headers.get("etag"), last_modified=provenance.headers.get("last_modified"),
                signal=self._claim(item), published_at=item.published_at,
                trail_key=self.crawler.spider.article_key(provenance.request_url))
        except (sqlite3.Error, OSError) as error:  # a write the disk refused before any commit
            self._state_refused(incremental.store, error)
            return
        self.commit_state(only_if_due=True)

    def item_dropped(self, item: Any, response: Any = None, exception: Any = None, spider: Any = None) -> None:
        if not isinstance(item, Article):
            return
        self._digests.pop(item.url, None)
        incremental = self._incremental()
        if isinstance(exception, DuplicateArticle) and incremental is not None and item.provenance is not None \
                and not self._refused:
            # another form of an article this run emitted: the next run knows the form and does not fetch it as new
            self._note_forms(item, self._find_state(item)[0])

    def _claim(self, item: Article) -> str | None:
        """The change claim to store for the article: its routes' newest (by its request's key, which names its trail
        in this run), as far as the page confirms it."""
        spider, provenance = self.crawler.spider, item.provenance
        assert provenance is not None
        return confirmed_claim(spider.change_claim(spider.article_key(provenance.request_url)), item.modified_at)

    def _find_state(self, item: Article) -> tuple[str, Any]:
        """The key the article's state is under and its state (StateStore.find): its canonical URL's key, or the
        request URL's of an article recorded before URL forms were aliased."""
        found: tuple[str, Any] = self._incremental().store.find(*self._state_keys(item))
        return found

    def _state_keys(self, item: Article) -> tuple[str, ...]:
        """The keys the article's state may be under, most trusted first (the spider's state_keys)."""
        assert item.provenance is not None
        keys: tuple[str, ...] = self.crawler.spider.state_keys(item.url, item.provenance.request_url)
        return keys

    def _note_forms(self, item: Article, key: str) -> None:
        """Every other key the article was reached under (its request URL's, its page's, its canonical URL's) becomes
        an alias of `key`, so the next run's decisions find its state whichever form a source names."""
        spider, provenance = self.crawler.spider, item.provenance
        assert provenance is not None
        page = [spider.article_key(provenance.response_url)] if provenance.response_url else []
        record_forms(self._incremental().store, key, self._state_keys(item), *page)

    def _names_anothers_url(self, item: Article, known: Any) -> bool:
        """Whether a page the state does not know, found only through its canonical URL, is another article: the
        article stored there has another headline. A template that gives every page one canonical (an SEO plugin's
        slip) would otherwise make each new article a revision of the first."""
        spider, provenance = self.crawler.spider, item.provenance
        assert provenance is not None
        if not self._forms_apart(item) or not item.title or not is_http_url(provenance.response_url) \
                or not another_form(provenance.response_url, item.url):
            return False
        by_request = self._incremental().store.article(spider.article_key(provenance.request_url))
        if by_request is not None and by_request.key == known.key:
            return False  # a form this article was met in before
        history = self._incremental().store.revisions(known.key)
        return bool(history) and bool(history[-1].item.get("title")) and history[-1].item.get("title") != item.title

    def _forms_apart(self, item: Article) -> bool:
        """Whether the spider keys the article's URL forms apart, so its forms can be told from its own page."""
        return forms_keyed_apart(self._state_keys(item))

    def _form_page(self, item: Article) -> str | None:
        """The page address to store with a revision, which tells the article's own page from another form of it
        (Incremental's own_page decision, _thinner_form); None where the spider's key joins its outlet's forms
        (Devdiscourse: its mirror's pages are at other addresses than their canonical links, and are its own)."""
        assert item.provenance is not None
        return item.provenance.response_url if self._forms_apart(item) else None

    def _thinner_form(self, item: Article, known: Any) -> bool:
        """A copy read from another form of the article, while the stored revision came from its own page."""
        assert item.provenance is not None
        if not self._forms_apart(item):
            return False
        return another_form(item.provenance.response_url, item.url) and known.response_url is not None \
            and not another_form(known.response_url, known.url)
