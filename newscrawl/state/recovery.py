"""After a run was killed (SIGKILL, power loss): make its feed valid and the state agree with it.

The state records an item when the feed exporter has it, but the feed file may still have held it in a buffer
when the process died. So at the next start, for every run the state still calls "running": cut a torn last
line off its feed (the file stays valid JSON Lines), then forget every revision that run recorded but whose item
is not in the feed. Those articles are fetched again, so across the outputs every article appears exactly once.
The other way round — the feed has an item whose state write the kill prevented — the item is recorded from the
feed line, so it is not fetched and emitted a second time. The killed run's WARC is finished under its final
name by archive/recover.py (the spider calls both), so its items verify.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

from newscrawl.state.incremental import content_digest
from newscrawl.state.store import Revision, StateStore

logger = logging.getLogger(__name__)


def repair_feed(path: Path) -> list[dict[str, object]]:
    """Cut a torn trailing line off a JSON Lines feed; return the complete items."""
    if not path.exists():
        return []
    data = path.read_bytes()
    items: list[dict[str, object]] = []
    good_end = 0
    position = 0
    for line in data.splitlines(keepends=True):
        position += len(line)
        if not line.endswith(b"\n"):
            break
        try:
            items.append(json.loads(line))
        except ValueError:
            break
        good_end = position
    if good_end < len(data):
        with open(path, "r+b") as feed:
            feed.truncate(good_end)
            feed.flush()
            os.fsync(feed.fileno())
        logger.warning("Cut %(n)d torn bytes off the end of the killed run's feed %(path)s",
                       {"n": len(data) - good_end, "path": path})
    return items


def reconcile_killed_runs(store: StateStore, spider: str, current_crawl_id: str,
                          article_key: Callable[[str], str]) -> int:
    """Reconcile every unfinished earlier run of `spider`; return how many articles will be fetched again."""
    refetch = 0
    for crawl_id, feed in store.unfinished_runs(spider, current_crawl_id):
        items = repair_feed(Path(feed)) if feed else []
        exported: set[tuple[str, int]] = set()
        recovered = 0
        for item in items:
            provenance = item.get("provenance")
            revision = item.get("revision")
            if not isinstance(provenance, dict) or not isinstance(revision, int):
                continue
            key = article_key(str(provenance.get("request_url")))
            exported.add((key, revision))
            if not store.has_revision(key, revision):
                raw_headers = provenance.get("headers")
                headers: dict[str, str | None] = raw_headers if isinstance(raw_headers, dict) else {}
                published = item.get("published_at")
                store.record_revision(
                    Revision(key=key, revision=revision, crawl_id=crawl_id, fetched_at=str(provenance.get("fetched_at")),
                             url=str(item.get("url")), content_sha256=content_digest(item),
                             body_sha256=str(provenance.get("body_sha256")), item=item),
                    etag=headers.get("etag"), last_modified=headers.get("last_modified"), signal=None,
                    published_at=published if isinstance(published, str) else None)
                recovered += 1
        lost = store.forget_unexported(crawl_id, exported)
        store.finish_run(crawl_id, finished_at="", status="killed")
        logger.warning("Run %(crawl_id)s did not finish (killed?): its feed %(feed)s keeps %(kept)d items "
                       "(%(recovered)d recorded from the feed); %(lost)d recorded articles missed the feed and will "
                       "be fetched again", {"crawl_id": crawl_id, "feed": feed, "kept": len(items), "lost": lost,
                                            "recovered": recovered})
        refetch += lost
    return refetch
