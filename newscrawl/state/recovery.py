"""After a run was killed (SIGKILL, power loss): make its feed valid and the state agree with it.

The state records an item when the feed exporter has it, but the feed file may still have held it in a buffer
when the process died. So at the next start, for every run the state still calls "running": cut a torn last
line off its feed (the file stays valid JSON Lines), then forget every revision that run recorded but whose item
is not in the feed. Those articles are fetched again, so across the outputs every article appears exactly once.
The other way round — the feed has an item whose state write the kill prevented — the item is recorded from the
feed line as its item_scraped would have recorded it (with the change claim and the URL forms the line names), so
it is neither emitted a second time nor fetched again before a revisit is due. The killed run's WARC is finished
under its final name by archive/recover.py (the spider calls both), so its items verify. A run stopped gracefully
(SIGTERM/SIGINT) is marked `interrupted` when it closes, and is not reconciled: its feed and state agree.

A run stopped by an error (a full disk) is reconciled the same way, and so is one whose feed could not be stored
(`leave_for_recovery`, called by the crawl command). Its run report, written before the feed was closed, may count
items the feed never kept: the report beside the feed is rewritten with the counts of the repaired feed, and a run
whose feed kept fewer items than it reported gets the report status `error`.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

from newscrawl.items import Discovery
from newscrawl.state.incremental import (confirmed_claim, content_digest, forms_keyed_apart, newest_claim,
                                         record_forms)
from newscrawl.state.store import CLOSED_RUN_STATUSES, Revision, StateStore

logger = logging.getLogger(__name__)

ERROR_STATUS, ERROR_EXIT_CODE = "error", 1
"""The run report's status for a run stopped by an error, and its exit code (monitoring/report.py EXIT_CODES)."""


def write_json_atomically(path: Path, data: object) -> None:
    """Write `path` whole or not at all: a temporary file beside it, fsynced, renamed over it. On an OSError (a full
    or read-only disk) the temporary file is removed before the error is raised, so nothing half-written stays."""
    temporary = path.with_name(path.name + ".tmp")
    try:
        with open(temporary, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False, indent=2, sort_keys=True)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise


def leave_for_recovery(store: StateStore, crawl_id: str) -> None:
    """Mark a run the next run must reconcile with its feed (a feed that could not be stored, a crawl stopped by an
    error): the same path as a killed run's."""
    store.finish_run(crawl_id, finished_at="", status="running")


def correct_report(report: Path, kept: list[dict[str, object]], reconciled_by: str) -> None:
    """Make the run report of a reconciled run count what its repaired feed holds.

    The report is written when the spider closes, before the feed exporter has flushed and stored the feed; on a
    full disk it counted 9 items of which the feed kept 2. Items, new items and revisions are recounted from the
    feed; the counts first reported are kept under `recovery`, and a run that lost items is not `ok`.
    """
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # no report (a killed run writes none) or an unreadable one: `newscrawl status` shows it as such
    if not isinstance(data, dict) or not isinstance(data.get("counts"), dict):
        return
    counts = data["counts"]
    revisions = [item.get("revision") for item in kept]
    recounted = {"items": len(kept), "new_items": sum(1 for rev in revisions if rev == 1),
                 "revisions": sum(1 for rev in revisions if isinstance(rev, int) and rev > 1)}
    data["recovery"] = {"reconciled_by": reconciled_by, "feed_items": len(kept),
                        "reported": {key: counts.get(key) for key in recounted}}
    if len(kept) < int(counts.get("items") or 0):
        data["status"], data["exit_code"] = ERROR_STATUS, ERROR_EXIT_CODE
    counts.update(recounted)
    try:
        write_json_atomically(report, data)
    except OSError as error:
        logger.error("Run report %(path)s not corrected: %(error)s", {"path": report, "error": error.strerror})
        return
    if recounted["items"] != data["recovery"]["reported"]["items"]:
        logger.warning("Run report %(path)s corrected: its feed kept %(kept)d of the %(reported)s items it counted",
                       {"path": report, "kept": len(kept), "reported": data["recovery"]["reported"]["items"]})


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


def feed_claim(item: dict[str, object]) -> str | None:
    """The change claim RevisionPipeline stores with an item (its routes' newest, as far as its page confirms it),
    read back from the item's feed line: its provenance lists the routes and their claims.

    Recorded without it, an article recovered from a killed run's feed had no claim to compare with, so the next
    run took any source's lastmod for news, fetched it again and dropped it as UnchangedArticle.
    """
    provenance = item.get("provenance")
    routes = provenance.get("discovery") if isinstance(provenance, dict) else None
    trail = [Discovery(via=str(route.get("via")), claims=route["claims"]) for route in routes or []
             if isinstance(route, dict) and isinstance(route.get("claims"), dict)]
    modified = item.get("modified_at")
    return confirmed_claim(newest_claim(trail), modified if isinstance(modified, str) else None)


def reopen_if_feed_short(store: StateStore, spider: str, current_crawl_id: str) -> str | None:
    """Leave the latest run that closed (finished, or interrupted gracefully) for recovery when its feed ends in a
    torn line or holds fewer items than the state recorded for it; return its crawl id, or None.

    The crawl command marks a run whose feed could not be stored (`leave_for_recovery`), but on a full disk that
    very write can fail too; the feed itself then shows it. Fewer lines, never more: a run asked to re-emit
    unchanged articles writes feed lines the state records no revision for.
    """
    closed = ", ".join("?" for _ in CLOSED_RUN_STATUSES)
    latest = store.db.execute(f"SELECT crawl_id, feed, status FROM runs WHERE spider = ? AND status IN ({closed}) "
                              "AND crawl_id != ? ORDER BY started_at DESC LIMIT 1",
                              (spider, *CLOSED_RUN_STATUSES, current_crawl_id)).fetchone()
    if latest is None or not latest[1]:
        return None
    try:
        data = Path(latest[1]).read_bytes()
    except OSError:
        return None
    recorded = store.db.execute("SELECT COUNT(*) FROM revisions WHERE crawl_id = ?", (latest[0],)).fetchone()[0]
    torn = bool(data) and not data.endswith(b"\n")
    if not torn and data.count(b"\n") >= recorded:
        return None
    leave_for_recovery(store, latest[0])
    logger.warning("Run %(crawl_id)s was marked %(status)s but its feed %(feed)s is short of what the state recorded "
                   "(%(recorded)d items): reconciling it", {"crawl_id": latest[0], "status": latest[2],
                                                            "feed": latest[1], "recorded": recorded})
    return str(latest[0])


def reconcile_killed_runs(store: StateStore, spider: str, current_crawl_id: str,
                          state_keys: Callable[[str, str], tuple[str, ...]]) -> int:
    """Reconcile every unfinished earlier run of `spider`; return how many articles will be fetched again."""
    reopen_if_feed_short(store, spider, current_crawl_id)
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
            # the key RevisionPipeline recorded it under: its canonical URL's, or its request URL's (before aliases)
            keys = state_keys(str(item.get("url")), str(provenance.get("request_url")))
            key = store.state_key(*keys)
            exported.add((key, revision))
            if not store.has_revision(key, revision):
                raw_headers = provenance.get("headers")
                headers: dict[str, str | None] = raw_headers if isinstance(raw_headers, dict) else {}
                published = item.get("published_at")
                store.record_revision(
                    Revision(key=key, revision=revision, crawl_id=crawl_id, fetched_at=str(provenance.get("fetched_at")),
                             url=str(item.get("url")), content_sha256=content_digest(item),
                             body_sha256=str(provenance.get("body_sha256")), item=item,
                             response_url=(str(provenance.get("response_url") or "") or None)
                             if forms_keyed_apart(keys) else None),
                    etag=headers.get("etag"), last_modified=headers.get("last_modified"), signal=feed_claim(item),
                    published_at=published if isinstance(published, str) else None)
                # every form it was met in, as RevisionPipeline notes them
                response_url = str(provenance.get("response_url") or provenance.get("request_url"))
                record_forms(store, key, keys, *state_keys(str(item.get("url")), response_url))
                recovered += 1
        lost = store.forget_unexported(crawl_id, exported)
        store.finish_run(crawl_id, finished_at="", status="killed")
        if feed:  # the report lies beside the feed (output/<spider>/<crawl id>.report.json, as `newscrawl run` says)
            correct_report(Path(feed).with_name(f"{crawl_id}.report.json"), items, current_crawl_id)
        logger.warning("Run %(crawl_id)s did not finish (killed?): its feed %(feed)s keeps %(kept)d items "
                       "(%(recovered)d recorded from the feed); %(lost)d recorded articles missed the feed and will "
                       "be fetched again", {"crawl_id": crawl_id, "feed": feed, "kept": len(items), "lost": lost,
                                            "recovered": recovered})
        refetch += lost
    return refetch
