"""The run report: one JSON file per crawl (output/<spider>/<crawl id>.report.json) with what the run did,
field coverage, the drift verdict and the run's status, which `newscrawl run` turns into its exit code.

Statuses, in order of precedence: error (stopped by an error, e.g. a full disk, or a feed not stored),
interrupted (stopped by SIGTERM or SIGINT — `newscrawl run` passes them on — after a graceful shutdown: pages in
flight finished, feed and state agree, the next run goes on where it stopped), nothing-discovered (damaged-input
when the replay's input held damage: nothing was discovered because nothing intact was there), drift,
partial-discovery (a discovery source failed — error, timeout, size limit, unreadable — so the articles only it
lists were not discovered; each is listed under `discovery_failures`, and the next run tries it again),
damaged-input (a replayed archive or saved-page folder held damaged records or bad files, or records cut short
before their article: every intact one was used, each damaged one is listed under `damaged_inputs`),
fetch-failures, filtered-out (work was discovered but the crawl's own filters — offsite, robots.txt, `since` — left
nothing to fetch; counts under `filtered`), ok.

fetch-failures is "the site is down or blocking us": at least 3 failed fetches, more than NEWSCRAWL_MAX_FAILURE_RATIO
(25 %) of the article pages asked for. An article page that answered 500 on every try is *gone* (Devdiscourse's
answer for an unknown or unpublished NewsId), not a failure, unless server errors were most of the pages the site
answered in the run: then it was the site that was down, and its gone articles count as failures.

`counts.articles` says what became of every discovered article, once each, so its numbers add up to
`counts.discovered` (article_outcomes). A `-a versions=all` replay's report also has `counts.replay_versions`
(replay_versions): the archived versions it read, could not read, and the captures that were no versions.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from scrapy import signals

from newscrawl.monitoring.coverage import coverage_by_outlet
from newscrawl.monitoring.drift import check_drift
from newscrawl.parsers.base import PAGE_KIND_REASONS
from newscrawl.state.recovery import ERROR_EXIT_CODE, ERROR_STATUS, write_json_atomically

logger = logging.getLogger(__name__)

EXIT_CODES = {"ok": 0, ERROR_STATUS: ERROR_EXIT_CODE, "fetch-failures": 4, "drift": 5, "nothing-discovered": 6,
              "damaged-input": 7, "filtered-out": 8, "partial-discovery": 9, "interrupted": 10}
REPORT_ERROR_STAT = "newscrawl/report_error"
"""Stats key holding one line when the run report could not be written (the crawl command ends with it)."""


def stopped_by_error(reason: str) -> bool:
    """True for a finish reason that means an error stopped the crawl (archive_write_error, memusage_exceeded, …);
    False when it ran out of work, hit a CLOSESPIDER_* limit or was stopped by Ctrl-C/SIGTERM ("shutdown").

    >>> stopped_by_error("archive_write_error"), stopped_by_error("finished"), stopped_by_error("closespider_timeout")
    (True, False, False)
    """
    return bool(reason) and reason not in ("finished", "shutdown") and not reason.startswith("closespider_")


def _prefixed(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    return {key[len(prefix):]: int(value) for key, value in sorted(stats.items()) if key.startswith(prefix)}


def article_outcomes(stats: dict[str, Any], discovered: int) -> dict[str, Any]:
    """What became of each discovered article: fetched (its page read, whatever it held), not modified (a
    conditional revisit answered 304), skipped by reason (the crawl state: known and unchanged, or young but fetched
    within the hour), gone, withdrawn, failed, forbidden by robots.txt, redirected to the page of another article the
    run requested, and not fetched: what is left, the articles a stopped run never reached. They add up to
    `discovered`.

    >>> article_outcomes({"newscrawl/pages/fetched": 5, "newscrawl/incremental/not_modified": 1,
    ...                   "newscrawl/incremental/skip/known": 20, "newscrawl/incremental/skip/recently_fetched": 30,
    ...                   "newscrawl/articles/gone": 4}, 60)  # doctest: +NORMALIZE_WHITESPACE
    {'fetched': 4, 'not_modified': 1, 'skipped': {'known': 20, 'recently_fetched': 30}, 'gone': 4, 'withdrawn': 0,
     'failed': 0, 'forbidden': 0, 'same_page_as_another': 0, 'not_fetched': 1}
    """
    not_modified = int(stats.get("newscrawl/incremental/not_modified", 0))
    outcomes: dict[str, Any] = {
        "fetched": int(stats.get("newscrawl/pages/fetched", 0)) - not_modified,
        "not_modified": not_modified,
        "skipped": _prefixed(stats, "newscrawl/incremental/skip/"),
        "gone": int(stats.get("newscrawl/articles/gone", 0)),
        "withdrawn": int(stats.get("newscrawl/articles/withdrawn", 0)),
        "failed": int(stats.get("newscrawl/articles/failed", 0)),
        "forbidden": int(stats.get("newscrawl/articles/forbidden", 0)),
        "same_page_as_another": int(stats.get("newscrawl/redirects/to_requested_article", 0)),
    }
    accounted = sum(sum(v.values()) if isinstance(v, dict) else v for v in outcomes.values())
    # never below 0: a distributed worker fetches articles other workers discovered
    outcomes["not_fetched"] = max(0, discovered - accounted)
    return outcomes


def replay_versions(stats: dict[str, Any]) -> dict[str, Any]:
    """`counts.replay_versions` of a `-a versions=all` replay (spiders/versions.py): the earlier versions of article
    pages read, those that could not be read, and the captures that saw a version unchanged, by kind (`revisit`,
    `saved-copy`). The stats it reads are a parallel replay's merged ones too, so both write the same."""
    return {"read": int(stats.get("newscrawl/replay/versions", 0)),
            "unreadable": int(stats.get("newscrawl/replay/versions_unreadable", 0)),
            "unchanged": int(stats.get("newscrawl/replay/versions_unchanged", 0)),
            "unchanged_by_kind": _prefixed(stats, "newscrawl/replay/versions_unchanged/")}


def server_errors(stats: dict[str, Any], errors: dict[str, int]) -> dict[str, Any]:
    """How many of the pages the site answered in the run (final answers, after retries) were server errors, and
    whether they were most of them: then the site was down, and its gone articles are failures too.

    >>> server_errors({"response_received_count": 10, "newscrawl/articles/gone": 4}, {})
    {'answered': 10, 'server_errors': 4, 'most': False}
    >>> server_errors({"response_received_count": 19, "newscrawl/articles/gone": 13}, {"TimeoutError": 1})
    {'answered': 19, 'server_errors': 13, 'most': True}
    """
    answered = int(stats.get("response_received_count", 0))
    count = int(stats.get("newscrawl/articles/gone", 0)) + sum(
        n for kind, n in errors.items() if kind.startswith("HttpError5"))
    return {"answered": answered, "server_errors": count, "most": count > 0 and 2 * count > answered}


def site_was_down(stats: dict[str, Any]) -> bool:
    """Whether most of the pages the site answered in the run were server errors (server_errors)."""
    return bool(server_errors(stats, _prefixed(stats, "newscrawl/errors/"))["most"])


class RunReport:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.directory = Path(settings.get("NEWSCRAWL_REPORT_DIR", "output"))
        self.min_articles = settings.getint("NEWSCRAWL_DRIFT_MIN_ARTICLES", 10)
        self.max_failure_ratio = settings.getfloat("NEWSCRAWL_MAX_FAILURE_RATIO", 0.25)
        self.written: tuple[dict[str, Any], Path] | None = None  # the report as last written, and where

    @classmethod
    def from_crawler(cls, crawler: Any) -> RunReport:
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.feeds_closed, signal=signals.feed_exporter_closed)
        return extension

    def build(self, spider: Any, reason: str) -> dict[str, Any]:
        stats: dict[str, Any] = self.crawler.stats.get_stats()
        coverage = coverage_by_outlet(stats)
        pipeline = getattr(self.crawler, "coverage", None)
        examples = pipeline.missing_examples if pipeline is not None else {}
        article_pages = int(stats.get("newscrawl/pages/article", 0))
        not_article = int(stats.get("newscrawl/pages/not_article", 0))
        read = _prefixed(stats, "newscrawl/pages_by_parser/")
        shells = _prefixed(stats, "newscrawl/not_article_by_parser/")
        cut_short = int(stats.get("newscrawl/not_article/truncated", 0))  # lost bytes, not a changed layout
        drift = check_drift(coverage, examples, article_pages, not_article - cut_short, self.min_articles,
                            int(stats.get("newscrawl/items/revisions", 0)),
                            int(stats.get("newscrawl/quality/body_shrunk", 0)),
                            {name: (shells.get(name, 0), pages) for name, pages in read.items()},
                            sum(int(stats.get(f"newscrawl/not_article/{kind}", 0)) for kind in PAGE_KIND_REASONS),
                            {reason: int(count) for reason, count in _prefixed(stats, "newscrawl/not_article/").items()
                             if reason != "truncated"})
        errors = _prefixed(stats, "newscrawl/errors/")
        fetched_pages = int(stats.get("newscrawl/pages/fetched", 0))
        discovered = getattr(spider, "discovered_count", 0)
        site = server_errors(stats, errors)
        gone = int(stats.get("newscrawl/articles/gone", 0))
        failures = sum(errors.values()) + (gone if site["most"] else 0)
        failure_ratio = failures / max(1, fetched_pages + failures)
        damaged = list(getattr(spider, "damaged_inputs", []))
        lost_sources = list(getattr(spider, "discovery_failures", []))
        filters = {"offsite": int(stats.get("offsite/filtered", 0)),
                   "robots.txt": int(stats.get("robotstxt/forbidden", 0)),
                   "since": int(stats.get("newscrawl/discovery/skipped_old", 0))}
        filtered_out = (fetched_pages == 0 and int(stats.get("item_scraped_count", 0)) == 0
                        and any(filters.values()) and not int(stats.get("newscrawl/incremental/skip/known", 0)))
        if stopped_by_error(reason):
            status = "error"
        elif reason == "shutdown":  # Scrapy's finish reason after SIGTERM/SIGINT
            status = "interrupted"
        elif discovered == 0 and not filtered_out:
            # a replay whose inputs were all damaged discovered nothing because of them: say what to look at
            status = "damaged-input" if damaged else "nothing-discovered"
        elif drift.failed:
            status = "drift"
        elif lost_sources:
            status = "partial-discovery"
        elif damaged:
            status = "damaged-input"
        elif failures >= 3 and failure_ratio > self.max_failure_ratio:
            status = "fetch-failures"
        elif filtered_out:
            status = "filtered-out"
        else:
            status = "ok"
        started = stats.get("start_time")
        finished = datetime.now(timezone.utc)
        feed = spider.default_feed(self.crawler.settings) if hasattr(spider, "default_feed") else None
        replayed = getattr(spider, "replay_input", None)  # which bytes a replay read: its crawl id does not say
        return {
            "crawl_id": spider.crawl_id,
            "spider": spider.name,
            "mode": getattr(spider, "mode", "live"),
            "started_at": started.isoformat() if isinstance(started, datetime) else None,
            "finished_at": finished.isoformat(),
            "duration_seconds": round((finished - started).total_seconds(), 3) if isinstance(started, datetime)
            else None,
            "status": status,
            "exit_code": EXIT_CODES[status],
            "finish_reason": reason,
            "counts": {
                "discovered": discovered,
                "fetched": int(stats.get("downloader/response_count", 0)),
                "article_pages_fetched": fetched_pages,
                "not_modified": int(stats.get("newscrawl/incremental/not_modified", 0)),
                "skipped_known": int(stats.get("newscrawl/incremental/skip/known", 0)),
                "new_items": int(stats.get("newscrawl/items/new", 0)),
                "revisions": int(stats.get("newscrawl/items/revisions", 0)),
                "items": int(stats.get("item_scraped_count", 0)),
                "dropped": _prefixed(stats, "item_dropped_reasons_count/"),
                "errors": errors,
                "replay_misses": int(stats.get("newscrawl/replay/misses", 0)),
                **({"replay_versions": replay_versions(stats)}
                   if getattr(spider, "args", {}).get("versions") == "all" else {}),
                "not_article_pages": not_article,
                "withdrawn": int(stats.get("newscrawl/articles/withdrawn", 0)),
                "gone": gone,
                "articles": article_outcomes(stats, discovered),
                "parser_errors": _prefixed(stats, "newscrawl/parser_errors/"),
                "discrepancies": _prefixed(stats, "newscrawl/discrepancies/"),
                "quality": _prefixed(stats, "newscrawl/quality/"),
                "published_days": _prefixed(stats, "newscrawl/published_day/"),
                "agencies": _prefixed(stats, "newscrawl/agency/"),
            },
            "damaged_inputs": damaged,
            "discovery_failures": lost_sources,
            "filtered": {name: count for name, count in filters.items() if count},
            "fetch_failure_ratio": round(failure_ratio, 4),
            "server_errors": site,
            "gone_articles": list(getattr(spider, "gone_articles", [])),
            "coverage": coverage,
            "drift": {"failed": drift.failed, "fields": drift.fields, "message": drift.message},
            "feed": feed,
            # capture renames "….open" files when it closes, right after this report is written
            "warc": sorted(str(p).removesuffix(".open")
                           for p in (self.directory / spider.name).glob(f"{spider.crawl_id}*.warc.gz*")
                           if p.name.endswith((".warc.gz", ".warc.gz.open"))),
            "log": self.crawler.settings.get("LOG_FILE"),
            **({"input": replayed} if replayed else {}),
        }

    def spider_closed(self, spider: Any, reason: str) -> None:
        report = self.build(spider, reason)
        self.crawler.stats.set_value("newscrawl/drift_fields", report["drift"]["fields"])
        # a replay's is named like its feed: after the archived run, and its input when another replay of that run
        # read other bytes (spiders/replayname.py)
        stem = getattr(spider, "feed_name", f"{spider.crawl_id}.replay") if report["mode"] == "replay" \
            else spider.crawl_id
        # `newscrawl run` names the report's path: a replay it starts is named after the archived run, not its id
        path = Path(self.crawler.settings.get("NEWSCRAWL_REPORT_PATH") or
                    self.directory / spider.name / f"{stem}.report.json")
        self._write(report, path)
        self.crawler.stats.set_value("newscrawl/run_status", report["status"])
        if report["drift"]["failed"]:
            logger.error("LAYOUT DRIFT: %(message)s (report %(path)s)", {"message": report["drift"]["message"],
                                                                         "path": path})
        logger.info("Run report: %(path)s (status %(status)s)", {"path": path, "status": report["status"]})

    def _write(self, report: dict[str, Any], path: Path) -> bool:
        """Complete or absent, never half-written; a full or read-only disk costs one line, no temporary file."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_json_atomically(path, report)
        except OSError as error:
            self.crawler.stats.set_value(REPORT_ERROR_STAT, f"the run report {path} was not written: {error.strerror}")
            logger.error("Run report not written to %(path)s: %(error)s", {"path": path, "error": error.strerror})
            return False
        self.written = (report, path)
        return True

    def feeds_closed(self) -> None:
        """The feeds are stored (or failed) only after spider_closed, when the report is already written: a feed
        that could not be stored makes the run `error`, like the crawl command's exit code."""
        failed = sum(int(value) for key, value in self.crawler.stats.get_stats().items()
                     if key.startswith("feedexport/failed_count/"))
        if not failed or self.written is None or self.written[0]["status"] == ERROR_STATUS:
            return
        report, path = self.written
        report.update(status=ERROR_STATUS, exit_code=EXIT_CODES[ERROR_STATUS], feeds_not_stored=failed)
        self.crawler.stats.set_value("newscrawl/run_status", ERROR_STATUS)
        self._write(report, path)
