"""`-a versions=all`: a replay emits every archived version of an article page, oldest first, as its revisions.

A URL captured in full several times (daily WARCs of a cron crawl replayed as one folder; another tool's archive of
periodic captures, as web archives hold them; a folder of pages saved again to follow their edits) is answered by one
capture in a replay, as a live crawl gets one answer per URL, and the feed holds that version only. With
`versions=all` the article callback reads the page's earlier captures from the archive first (WARCs: in archive
order; saved pages: by the time each was saved, the latest answering the URL), and parses each as the page it was
then (its own fetch time, record and discovery trail as known at that time; its archive route naming its own file,
record and place in the archive: own_archive_route). The replay's crawl state then numbers them as a live run series
would have: revision 1, a new revision for each change (`changed_fields`, `previous_body_sha256`), and an unchanged
capture dropped as UnchangedArticle and counted. Nothing else changes: the default stays one version.

A capture that saw a version unchanged is no version: a revisit record (what a deduplicating crawler writes for an
unchanged page) of the latest version before it, or a saved page holding the bytes of the version saved just before
it. It is counted (VERSIONS_UNCHANGED_STAT, by kind), never parsed: an answer that is a revisit of the version read
just before would only repeat that version's item. A revisit of an older version (v1, v2, then a revisit of v1) is a
version: the page had changed back, and a live run would then have emitted a revision with v1's fields (its
`changed_fields` against v2). It is parsed from its original's bytes and record (provenance.archive names the
original, as for any answer a revisit gives, and `newscrawl verify` proves it by the revisit the index holds), dated
by the revisit's own WARC-Date.

The versions are read in the callback, not requested, so every version of a page is read by the one process of a
parallel replay that fetches the page (spiders/shard.py deals out article requests): its revisions are numbered in
that process's crawl state, which holds that article's history whole, as one process's does. Their items come out
one after the other, at the page's place, because such a replay handles one page at a time (one_page_at_a_time):
Scrapy passes the outputs of the responses it scrapes at once through the pipelines in turns, so with several pages
in the scraper one page's versions were interleaved with other pages' items, in an order that depended on which
pages were in flight together, which no process of a parallel replay can reproduce.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator, Mapping
from datetime import timezone
from typing import Any

from scrapy.http import Response
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from newscrawl.archive.indexdb import IndexEntry
from newscrawl.archive.reader import ArchiveReadError, RecordTooLarge
from newscrawl.archive.replay import Candidate, ReplaySource, Versions, payload_limit, replayed_response
from newscrawl.archive.savedhtml import SavedPlace
from newscrawl.archive.shown import shown_in, shown_name
from newscrawl.items import Discovery
from newscrawl.meta import META_FETCHED_AT

logger = logging.getLogger(__name__)

VERSIONS_STAT = "newscrawl/replay/versions"
"""Earlier versions of article pages read by a `versions=all` replay."""
VERSIONS_UNREADABLE_STAT = "newscrawl/replay/versions_unreadable"
"""Earlier versions that could not be read (one line each)."""
VERSIONS_UNCHANGED_STAT = "newscrawl/replay/versions_unchanged"
"""Captures that saw a version unchanged, not versions: also counted by kind, `…/revisit` (revisit records) and
`…/saved-copy` (a saved page with the bytes of the version saved before it)."""


META_VERSION_CANDIDATE = "newscrawl_version_candidate"
"""On the response of one version of a page: that version as an archive candidate (ReplaySource.version_candidate),
which its item's archive route names (own_archive_route)."""


ONE_PAGE_AT_A_TIME = (("CONCURRENT_REQUESTS", 1), ("SCRAPER_SLOT_MAX_ACTIVE_SIZE", 0))
"""One request downloaded at a time, and none while a response is in the scraper (Scrapy's engine backs out while
the scraper holds more than SCRAPER_SLOT_MAX_ACTIVE_SIZE bytes; each response counts at least 1 KiB)."""


def one_page_at_a_time(settings: BaseSettings) -> None:
    """A `versions=all` replay's settings, before the engine starts: the next request waits until every item of the
    page before has been through the pipelines, so that a page's versions come out together at its place, in one
    process as in each of a parallel replay's (module doc). Set above any other priority: the order of the feed
    depends on it. A replay reads from disk, so it loses little by it."""
    if settings.frozen:
        return
    for name, value in ONE_PAGE_AT_A_TIME:
        settings.set(name, value, priority=max(settings.getpriority(name) or 0, SETTINGS_PRIORITIES["cmdline"]))


class ArchivedVersions:
    """Spider mixin (NewsSpiderBase): the archived versions of a replayed article page."""

    crawler: Any
    args: dict[str, Any]
    replay_source: ReplaySource | None

    def page_versions(self, response: Response) -> Iterator[Response]:
        """The responses an article page's callback parses: the page itself, and in a `versions=all` replay its
        earlier captures before it, oldest first. A capture that cannot be read costs itself: one line, counted,
        and the others are read. A capture that saw a version unchanged is counted, not yielded (module doc)."""
        if self.args.get("versions") != "all" or self.replay_source is None or response.request is None:
            yield response
            return
        versions = self.replay_source.versions(response.url)
        self._count_unchanged(versions)
        max_payload = payload_limit(self, self.crawler.settings) or None
        stats = self.crawler.stats
        for version in versions.earlier:
            try:
                answer = self.replay_source.version_answer(version, max_payload)
                earlier = replayed_response(answer, response.request.replace(meta=dict(response.meta)), stats,
                                            decoded=True)
            except (ArchiveReadError, RecordTooLarge, ValueError) as error:  # unreadable now, too large, undecodable
                stats.inc_value(VERSIONS_UNREADABLE_STAT)
                where = (shown_name(version.path) if isinstance(version, SavedPlace)  # the user's file, not the cache's
                         else f"{shown_name(version.file)} at {version.offset}")
                logger.warning("An earlier version of %(url)s could not be read (%(where)s): %(error)s",
                               {"url": response.url, "where": where, "error": shown_in(str(error))})
                continue
            stats.inc_value(VERSIONS_STAT)
            earlier.meta[META_VERSION_CANDIDATE] = self.replay_source.version_candidate(version)
            yield earlier
        if versions.answer_repeats:
            logger.debug("Not parsed again: the answer to %(url)s is a revisit of the version read just above",
                         {"url": response.url})
            return
        if isinstance(versions.answer, IndexEntry) and versions.answer.revisit:  # seen by a revisit: at its time
            response.meta[META_FETCHED_AT] = versions.answer.fetched_at.astimezone(timezone.utc).isoformat()
        if versions.answer is not None:
            response.meta[META_VERSION_CANDIDATE] = self.replay_source.version_candidate(versions.answer)
        yield response

    def own_archive_route(self, trail: list[Discovery], response: Response) -> list[Discovery]:
        """The discovery trail of one version of a page (NewsSpiderBase.provenance): its archive route names the
        version's own file, record id and place in the archive, not the page's archive candidate (the save or
        capture answering its URL), as the route of a page read from them would."""
        candidate = response.meta.get(META_VERSION_CANDIDATE)
        if not isinstance(candidate, Candidate):
            return trail
        return [dataclasses.replace(route, source_url=candidate.file, position=candidate.position,
                                    claims={**route.claims, "record_id": candidate.record_id})
                if route.via == "archive" else route for route in trail]

    def _count_unchanged(self, versions: Versions) -> None:
        stats = self.crawler.stats
        for kind, count in (("revisit", versions.revisits + versions.answer_repeats), ("saved-copy", versions.copies)):
            if count:
                stats.inc_value(VERSIONS_UNCHANGED_STAT, count)
                stats.inc_value(f"{VERSIONS_UNCHANGED_STAT}/{kind}", count)

    def log_versions(self, spider: Any = None, reason: str = "finished") -> None:
        """spider_closed of a `versions=all` replay: what it read, in one line (a parallel replay's parent says it
        once, from the merged stats: parallel/run.py)."""
        if getattr(self, "shard", None) is None:
            log_versions_summary(self.crawler.stats.get_stats())


def log_versions_summary(stats: Mapping[str, Any]) -> None:
    """One line: the earlier versions a `versions=all` replay read, those it could not read, and the captures that
    saw a version unchanged (by kind)."""
    logger.info("Every version replayed: %(versions)d earlier versions read, %(unreadable)d unreadable; "
                "%(unchanged)d captures saw a version unchanged and are no versions (%(revisits)d revisit records, "
                "%(copies)d saved copies; %(stat)s)",
                {"versions": int(stats.get(VERSIONS_STAT, 0)),
                 "unreadable": int(stats.get(VERSIONS_UNREADABLE_STAT, 0)),
                 "unchanged": int(stats.get(VERSIONS_UNCHANGED_STAT, 0)),
                 "revisits": int(stats.get(f"{VERSIONS_UNCHANGED_STAT}/revisit", 0)),
                 "copies": int(stats.get(f"{VERSIONS_UNCHANGED_STAT}/saved-copy", 0)), "stat": VERSIONS_UNCHANGED_STAT})
