"""`-a versions=all`: a replay emits every archived version of an article page, oldest first, as its revisions.

A URL captured in full several times (daily WARCs of a cron crawl replayed as one folder; another tool's archive of
periodic captures, as web archives hold them) is answered by its last capture in a replay, as a live crawl gets one
answer per URL, and the feed holds that version only. With `versions=all` the article callback reads the page's
earlier captures from the archive first, in archive order, and parses each as the page it was then (its own fetch
time, record and discovery trail as known at that time). The replay's crawl state then numbers them as a live run
series would have: revision 1, a new revision for each change (`changed_fields`, `previous_body_sha256`), and an
unchanged capture dropped as UnchangedArticle and counted. Nothing else changes: the default stays one version.

The versions are read in the callback, not requested: their items then come out one after the other, at the
page's place. One process only: the versions of a page share one revision history, which a parallel replay's
processes do not (commands/parallel.py refuses `jobs` with it).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from scrapy.http import Response

from newscrawl.archive.reader import ArchiveReadError, RecordTooLarge
from newscrawl.archive.replay import ReplaySource, payload_limit, replayed_response

logger = logging.getLogger(__name__)

VERSIONS_STAT = "newscrawl/replay/versions"
"""Earlier versions of article pages read by a `versions=all` replay."""


class ArchivedVersions:
    """Spider mixin (NewsSpiderBase): the earlier archived versions of a replayed article page."""

    crawler: Any
    args: dict[str, Any]
    replay_source: ReplaySource | None

    def earlier_versions(self, response: Response) -> Iterator[Response]:
        """The page's earlier captures as responses, oldest first; none unless this is a `versions=all` replay. A
        capture that cannot be read costs itself: one line, counted, and the others are read."""
        if self.args.get("versions") != "all" or self.replay_source is None or response.request is None:
            return
        max_payload = payload_limit(self, self.crawler.settings) or None
        stats = self.crawler.stats
        for entry in self.replay_source.earlier_versions(response.url):
            try:
                answer = self.replay_source.answer_of(entry, max_payload)
                earlier = replayed_response(answer, response.request.replace(meta=dict(response.meta)), stats,
                                            decoded=True)
            except (ArchiveReadError, RecordTooLarge, ValueError) as error:  # unreadable now, too large, undecodable
                stats.inc_value("newscrawl/replay/versions_unreadable")
                logger.warning("An earlier version of %(url)s could not be read (%(file)s at %(offset)d): "
                               "%(error)s", {"url": response.url, "file": entry.file, "offset": entry.offset,
                                             "error": error})
                continue
            stats.inc_value(VERSIONS_STAT)
            yield earlier
