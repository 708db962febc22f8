"""Incremental decisions: fetch what is new or changed, revisit young articles conditionally, skip the rest.

Signals, in order: not in the state → fetch, unless it answered as gone lately (below); `-a full=1` → fetch; a discovery source claims a newer
lastmod than the newest claim we stored → fetch (conditionally when we hold the page's ETag/Last-Modified);
published within the revisit window (`-a revisit_hours`, default 24: news is edited most in its first day) →
revisit with If-None-Match / If-Modified-Since; otherwise skip.
Claims are compared with earlier claims of the same kind (never with the page's own dates), because a source may
print local digits with a wrong offset (Devdiscourse's sitemap, STRUCTURE.md §2.6): like compared with like.

An article page that answered as gone (HTTP 500 on every try: an unknown or unpublished NewsId, which a cached
sitemap or listing may name for a while) is asked again after a retry time that grows with each run that found it
gone since (the NEWSCRAWL_GONE_* settings: state/gone.py), or as soon as a source claims a change newer than the one
it claimed then: an unpublished article that is published later gets a new lastmod.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from newscrawl.extract.dates import parse_iso
from newscrawl.extract.urls import another_form
from newscrawl.items import Article, Discovery, plain_data
from newscrawl.state.gone import GoneSchedule
from newscrawl.state.store import StateStore

DEFAULT_REVISIT_HOURS = 24.0
# Claims that say when an article last changed (sitemap lastmod, RSS updated, listing "updated").
CHANGE_CLAIMS = ("lastmod", "updated", "modified")
UNCONDITIONAL_REVISIT = timedelta(hours=1)
"""Least time between two revisits of a young article for which we hold no ETag/Last-Modified."""
CLAIM_TOLERANCE = timedelta(minutes=1)  # visible times have minute precision
# Fields whose change makes a new revision; provenance and derived fields are not content.
CONTENT_FIELDS = ("url", "title", "subtitle", "body", "published_at", "modified_at", "byline", "authors", "dateline",
                  "agencies", "editorial_note", "credit_line", "image_url", "image_caption", "image_credit",
                  "image_disclaimer", "country", "sector", "tags", "article_type")
# Content fields added later: in the digest only when not empty, so the digests a state stored before they existed
# still match the same content (an upgrade must not make every known article a new revision).
LATER_CONTENT_FIELDS = ("live_updates",)


def forms_keyed_apart(keys: tuple[str, ...]) -> bool:
    """Whether an article's state keys (the spider's ``state_keys``) hold its URL forms apart: more than one key (the
    `news` spider keys by canonical URL, then by request URL), so a revision's page address tells the article's own
    page from another form of it; one key where the spider's article key joins its outlet's forms (Devdiscourse)."""
    return len(keys) > 1


def record_forms(store: StateStore, key: str, keys: tuple[str, ...], *forms: str) -> None:
    """Every other key an article was reached under (its state keys, and `forms`: its page's) becomes an alias of
    `key`, so the next run finds its state whichever form a source names. Nothing where the spider's article key
    already joins every URL form of its outlet (forms_keyed_apart)."""
    if not forms_keyed_apart(keys):
        return
    for alias in sorted({*keys, *forms} - {key}):
        store.record_alias(alias, key)


def content_digest(article: Article | dict[str, Any]) -> str:
    """SHA-256 of the article's content fields (from an Article or its exported JSON), stable across runs."""
    content = {name: (article.get(name) if isinstance(article, dict) else getattr(article, name))
               for name in CONTENT_FIELDS}
    for name in LATER_CONTENT_FIELDS:
        value = article.get(name) if isinstance(article, dict) else plain_data(getattr(article, name))
        if value:
            content[name] = value
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def changed_fields(old_item: dict[str, Any], article: Article) -> list[str]:
    changed = [name for name in CONTENT_FIELDS if old_item.get(name) != getattr(article, name)]
    return changed + [name for name in LATER_CONTENT_FIELDS
                      if (old_item.get(name) or []) != plain_data(getattr(article, name))]


def instant(raw: str | None) -> datetime | None:
    """A change claim or a stored date as an instant: ISO 8601 with its offset, or a day or a naive time (sitemaps.org
    allows "2025-03-21"; many CMSs print no offset) read as UTC, which compares like with like, claim with claim.

    >>> [str(instant(v)) for v in ("2025-03-21", "2025-03-21T10:00", "2025-03-21T10:00+05:30", "soon")]
    ['2025-03-21 00:00:00+00:00', '2025-03-21 10:00:00+00:00', '2025-03-21 10:00:00+05:30', 'None']
    """
    return parse_iso(raw, naive=timezone.utc)


def newest_claim(discoveries: list[Discovery]) -> str | None:
    """The latest change claim any discovery source made (raw string), or None."""
    best: tuple[datetime, str] | None = None
    for discovery in discoveries:
        for name in CHANGE_CLAIMS:
            raw = discovery.claims.get(name)
            parsed = instant(str(raw)) if raw else None
            if parsed is not None and (best is None or parsed > best[0]):
                best = (parsed, str(raw))
    return best[1] if best else None


def confirmed_claim(claim: str | None, modified_at: str | None) -> str | None:
    """The change claim to store once the page is fetched: the claim if the page shows an edit at least as recent,
    else the page's own modified time, so the next run still sees the claim as news.

    A source can announce an edit before the page shows it (Devdiscourse caches pages for minutes, §5); storing the
    claim anyway would lose that edit for good. Times are compared as instants and as wall-clock digits, since some
    sources print local digits with a wrong offset (§2.6).

    >>> confirmed_claim("2025-03-21T19:30:00+00:00", "2025-03-21T19:30:00+05:30")   # same digits, wrong offset
    '2025-03-21T19:30:00+00:00'
    >>> confirmed_claim("2025-03-21T19:30:00+05:30", "2025-03-21T19:07:00+05:30")   # the page is not there yet
    '2025-03-21T19:07:00+05:30'
    """
    if claim is None or modified_at is None:
        return claim
    claimed, modified = parse_iso(claim), parse_iso(modified_at)
    if claimed is None or modified is None:
        return claim
    as_instants = claimed.tzinfo is not None and modified.tzinfo is not None and modified >= claimed - CLAIM_TOLERANCE
    as_digits = modified.replace(tzinfo=None) >= claimed.replace(tzinfo=None) - CLAIM_TOLERANCE
    return claim if as_instants or as_digits else modified_at


@dataclass(frozen=True)
class Decision:
    action: str
    """"fetch" (new, changed or full), "revisit" (conditional) or "skip"."""
    reason: str
    headers: dict[str, str] = field(default_factory=dict)


class Incremental:
    def __init__(self, store: StateStore, now: datetime, revisit_hours: float = DEFAULT_REVISIT_HOURS,
                 full: bool = False, gone_schedule: GoneSchedule = GoneSchedule()) -> None:
        self.store = store
        self.now = now
        self.revisit = timedelta(hours=revisit_hours)
        self.full = full
        self.gone_schedule = gone_schedule
        """When a page found gone is asked again, and how long the state remembers it (NEWSCRAWL_GONE_*)."""

    def decide(self, key: str, discoveries: list[Discovery]) -> Decision:
        known = self.store.article(key)
        if known is None:
            return self._decide_new(key, discoveries)
        if self.full:
            return Decision("fetch", "full")
        if key == known.key and another_form(known.response_url, known.url):
            # Known only from another form (AMP, print, a mobile host): the article's own page is fetched once, for
            # the fuller copy (the date's time, the image such forms drop).
            return Decision("fetch", "own_page")
        headers = {}
        if known.etag:
            headers["If-None-Match"] = known.etag
        if known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
        if self._claims_newer(known.signal, discoveries):
            # Asked conditionally when the server gave validators: many CMSs move every lastmod at each build or
            # comment, and a 304 then costs one header exchange instead of the page, at every cron run.
            return Decision("revisit", "changed", headers) if headers else Decision("fetch", "changed")
        published = instant(known.published_at)  # a naive or day-only date still opens the window
        if published is not None and self.now - published < self.revisit:
            if not headers:
                # Without validators a revisit is a full download (Devdiscourse sends none), so a young article
                # is refetched at most every UNCONDITIONAL_REVISIT, not at every 15-minute cron run.
                fetched = parse_iso(known.last_fetched)
                if fetched is not None and self.now - fetched < UNCONDITIONAL_REVISIT:
                    return Decision("skip", "recently_fetched")
            return Decision("revisit", "young", headers)
        return Decision("skip", "known")

    def _decide_new(self, key: str, discoveries: list[Discovery]) -> Decision:
        gone = None if self.full else self.store.gone(key)
        if gone is not None and not self._claims_newer(gone.signal, discoveries):
            tried = parse_iso(gone.last_tried)
            if tried is not None and self.now - tried < self.gone_schedule.retry(gone.times):
                return Decision("skip", "recently_gone")
        return Decision("fetch", "new")

    def known_unchanged(self, key: str, discoveries: list[Discovery]) -> bool:
        """For listings: True when this article gives no reason to keep paging."""
        return self.decide(key, discoveries).action == "skip"

    @staticmethod
    def _claims_newer(stored_claim: str | None, discoveries: list[Discovery]) -> bool:
        """Whether a source claims a change newer than `stored_claim`, the newest claim when the page was last asked
        for (any claim, when none was stored)."""
        claim = newest_claim(discoveries)
        if claim is None:
            return False
        stored = instant(stored_claim)
        return stored is None or (instant(claim) or stored) > stored

