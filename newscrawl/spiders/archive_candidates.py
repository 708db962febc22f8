"""A replay's archive as a source of article candidates, beside what replayed discovery finds (issue 14).

Archives written by other tools (wget, Browsertrix, Heritrix, warcio) seldom hold the sitemaps and listings a
spider's discovery asks for; a truncated archive may have lost them. So once discovery is over, every archived
HTML page the spider would accept as an article (its `archive_candidate_rank`) that discovery did not reach is
requested too, with Discovery(via="archive") naming the file and record. Discovery's own trail wins where it found
the page, and each article key is requested once, so replays of our own WARCs are unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from newscrawl.archive.replay import (SAME_BYTES, Candidate, ReplayIdentity, ReplaySource, one_request_at_a_time,
                                     open_replay_source, replay_started_at)
from newscrawl.archive.savednames import CONVERTED
from newscrawl.extract.urls import commonest_origin
from newscrawl.items import Discovery
from newscrawl.scratchdb import scratch_database
from newscrawl.spiders.held import HeldArticles
from newscrawl.spiders.shard import Shard

logger = logging.getLogger(__name__)


class ReplayCandidates:
    """Spider mixin (NewsSpiderBase): the replay source, its damaged inputs, and the archive-only candidates."""

    crawler: Any
    replay_path: Path | None
    replay_source: ReplaySource | None
    damaged_inputs: list[dict[str, Any]]
    held: HeldArticles
    shard: Shard | None
    started_at: Any
    replay_identity: ReplayIdentity | None
    _archive_listed: bool
    replay_refused = False
    """The replay's input could not be read at all: the crawl is stopping (archive/replay.open_replay_source)."""

    def article_key(self, url: str) -> str:
        raise NotImplementedError

    def article_request(self, url: str, discovery: Discovery, meta: dict[str, Any] | None = None) -> None:
        raise NotImplementedError

    def note_damaged_input(self, file: str | None, offset: int | None, kind: str, error: str) -> None:
        """One entry of the run report's damaged_inputs (an archive problem, or a record cut short before its
        article), which makes the run's status damaged-input."""
        self.damaged_inputs.append({"file": file, "offset": offset, "kind": kind, "error": error})

    def open_replay_source(self, spider: Any = None) -> None:
        """spider_opened: read the archive's index once; log and count each damaged input in one line."""
        if self.replay_path is None or self.replay_source is not None or self.replay_refused:
            return
        self.replay_source = open_replay_source(self.crawler, self)
        if self.replay_source is None:
            self.replay_refused = True  # the crawl is stopping, in one line
            return
        if self.replay_identity is not None:  # before any request: the start is its candidates' discovery time
            self.started_at = replay_started_at(self.replay_identity, self.replay_source)
        if self.replay_source.holds_redirects():
            one_request_at_a_time(self.crawler)
        if self.replay_source.unpacked and self._says_what_the_index_found:
            logger.info("Replaying what was unpacked once: %(made)s (later replays read it from there)",
                        {"made": self.replay_source.unpacked})
        for problem in self.replay_source.problems:
            self.crawler.stats.inc_value("newscrawl/replay/archive_problems")
            self.crawler.stats.inc_value(f"newscrawl/replay/archive_problems/{problem.kind}")
            self.note_damaged_input(problem.file, problem.offset, problem.kind, problem.message)
            if not self._says_what_the_index_found:
                continue
            logger.error("Damaged input %(file)s at offset %(offset)d (%(kind)s): %(message)s",
                         {"file": problem.file, "offset": problem.offset, "kind": problem.kind,
                          "message": problem.message})
        for kind, count in sorted(self.replay_source.told_within.items()):  # a fact of its own, in another's line
            self.crawler.stats.inc_value(f"newscrawl/replay/archive_problems/{kind}", count)
        for file in self.replay_source.not_replayed:  # not damage: the run's status stays as it is
            self.crawler.stats.inc_value(f"newscrawl/replay/not_replayed/{file.kind}")
            logger.log(logging.INFO if file.kind in (SAME_BYTES, CONVERTED) else logging.WARNING,  # copies lose none
                       "Saved page not replayed: %(file)s (%(kind)s): %(message)s",
                       {"file": file.path, "kind": file.kind, "message": file.message})
        for kind, count in sorted(self.replay_source.skipped.items()):
            self.crawler.stats.inc_value(f"newscrawl/replay/skipped_records/{kind}", count)
        if self.replay_source.revisits_resolved:
            self.crawler.stats.set_value("newscrawl/replay/revisits_resolved", self.replay_source.revisits_resolved)
        if self.replay_source.revisits_answered_later:
            self.crawler.stats.set_value("newscrawl/replay/revisits_answered_later",
                                         self.replay_source.revisits_answered_later)
            logger.warning("%(n)d revisit records answered by a capture made after them (none at or before)",
                           {"n": self.replay_source.revisits_answered_later})
        if self.replay_source.unlabelled_pages:
            self.crawler.stats.set_value("newscrawl/replay/unlabelled_pages", self.replay_source.unlabelled_pages)
            logger.info("%(n)d archived responses labelled as unknown bytes (application/octet-stream or no media "
                        "type) or as plain text (text/plain) are web pages by their first bytes: offered as pages",
                        {"n": self.replay_source.unlabelled_pages})
        if self.replay_source.payload_digests_unmatched:
            self.crawler.stats.set_value("newscrawl/replay/payload_digests_unmatched",
                                         self.replay_source.payload_digests_unmatched)
        if self.replay_source.payload_digests_unmatched and self._says_what_the_index_found:
            logger.info("%(n)d archived responses carry a WARC-Payload-Digest that matches no form of their payload, "
                        "while their WARC-Block-Digest proves every byte: their writer digested other bytes; "
                        "replayed", {"n": self.replay_source.payload_digests_unmatched})
        if self.replay_source.skipped.get("revisit-unresolved"):
            logger.warning("%(n)d revisit records skipped: their original capture is not in the archive, so they "
                           "hold no page to replay", {"n": self.replay_source.skipped["revisit-unresolved"]})

    @property
    def _says_what_the_index_found(self) -> bool:
        """Whether this process logs what the archive's index found: every process of a parallel replay reads the
        index, and the first one says it, once."""
        return self.shard is None or self.shard.index == 0

    def archive_candidate_rank(self, url: str) -> int | None:
        """Whether an archived HTML page may be an article of this spider (None: no), and how much its URL form is
        preferred when the archive holds several forms of one article (lower first). Here: any page, alike."""
        return 0

    def archived_origin(self) -> str | None:
        """The origin (scheme://host[:port]) most of the archive's article pages are on; None without a replay."""
        if self.replay_source is None:
            return None
        return commonest_origin(url for url in self.replay_source.iter_urls()
                                if self.archive_candidate_rank(url) is not None)

    def list_archive_candidates(self) -> None:
        """Once discovery is over: every archived article page discovery did not reach becomes a candidate.

        Discovery's trail wins where it found the page; the rest carry Discovery(via="archive") naming the file and
        record. One candidate per article key: the preferred URL form, then the first in archive order.
        """
        self._archive_listed = True
        if self.replay_source is None:
            return
        chosen = _Chosen()
        passed = 0  # pages that no article route takes, and the first few of them, to name in one line
        examples: list[str] = []
        for candidate in self.replay_source.candidates():
            rank = self.archive_candidate_rank(candidate.url)
            if rank is None:
                self.crawler.stats.inc_value("newscrawl/replay/not_article_route")
                passed += 1
                if len(examples) < 3:
                    examples.append(candidate.url)
                logger.debug("Archived page not on an article route, not requested: %(url)s", {"url": candidate.url})
                continue
            key = self.article_key(candidate.url)
            if self.held.named(key):
                continue
            chosen.offer(key, rank, candidate)
        if passed:  # one line, not one per page: most are listings, tag pages and the like, rightly not requested
            logger.info("%(n)d archived pages are not on an article route of this spider and were not requested "
                        "(newscrawl/replay/not_article_route), e.g. %(urls)s",
                        {"n": passed, "urls": ", ".join(examples)})
        for candidate in chosen.in_archive_order():
            self.article_request(candidate.url, Discovery(
                via="archive", source_url=candidate.file, position=candidate.position,
                seen_at=self.started_at.isoformat(), claims={"record_id": candidate.record_id}),
                # the archive holds the page: robots.txt and the offsite filter had their say when it was fetched
                meta={"dont_obey_robotstxt": True, "allow_offsite": True})
        chosen.close()


class _Chosen:
    """The archive-only candidate chosen for each article key (the preferred URL form, then the first in archive
    order), kept in a private temporary SQLite file: an archive of a million pages that discovery did not reach
    would otherwise hold them all in memory while the archive is listed."""

    def __init__(self) -> None:
        self.db = scratch_database("CREATE TABLE chosen (key TEXT PRIMARY KEY, rank INTEGER, position INTEGER, "
                                   "url TEXT, file TEXT, record_id TEXT)",
                                   "archive's article candidates")

    def offer(self, key: str, rank: int, candidate: Candidate) -> None:
        self.db.execute(
            "INSERT INTO chosen VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET rank = excluded.rank, "
            "position = excluded.position, url = excluded.url, file = excluded.file, record_id = excluded.record_id "
            "WHERE (excluded.rank, excluded.position) < (chosen.rank, chosen.position)",
            (key, rank, candidate.position, candidate.url, candidate.file, candidate.record_id))

    def in_archive_order(self) -> Iterator[Candidate]:
        cursor = self.db.execute("SELECT url, file, record_id, position FROM chosen ORDER BY position")
        while rows := cursor.fetchmany(256):
            for url, file, record_id, position in rows:
                yield Candidate(url, file, record_id, position)

    def close(self) -> None:
        self.db.close()
