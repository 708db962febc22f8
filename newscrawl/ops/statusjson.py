"""`newscrawl status --json`: what the status table shows (the runs, the latest run of each spider, the article pages
each crawl state remembers as gone) and what could not be read, as one JSON document for data teams and monitors.

The document's shape is the dataclasses below. Their field docstrings are its documentation: the tables in
docs/operating.md and docs/status.schema.json are generated from them by `python -m newscrawl.schema --write`, and a
test fails when either drifts, so a key is renamed only together with its docs and SCHEMA_VERSION. Times are ISO 8601
in UTC with the offset written out ("2025-11-21T10:45:12+00:00"); what the table shows as "-" is null here. A
damaged report or state file costs only itself, as in the table: it becomes a `problems` entry, never a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from newscrawl.ops.reports import RunReport, latest_by_spider
from newscrawl.ops.status import UNREADABLE, GoneStates, newest, stored_time
from newscrawl.state.gone import GoneSchedule
from newscrawl.state.store import GoneArticle

SCHEMA_VERSION = 1
"""Raised when a key is removed or changes meaning; keys may be added without it."""


@dataclass(kw_only=True)
class StatusRun:
    """One run: a row of the status table, with the detail its cells sum up."""

    finished: str | None
    """The time the table shows and sorts by: the run's finish, else its start, else its crawl id's time, else the
    report file's modification time."""
    spider: str
    """Spider name (from the report, else the report's folder)."""
    crawl_id: str
    """The run's crawl id, e.g. "20251121T104500Z-1a2b3c" (from the report, else its file name)."""
    status: str | None
    """As in the table: the report's status ("ok", "drift", "fetch-failures", "nothing-discovered", "error", …),
    "killed", "running" or "no-report" for a run only the crawl state knows, "unreadable" for a damaged report;
    null when the report names none."""
    ok: bool
    """True when status is "ok"; a monitor's test."""
    started_at: str | None
    """When the run started, as its report says."""
    finished_at: str | None
    """When the run finished, as its report says; null while running or when the report lacks it."""
    duration_seconds: float | None
    """The table's duration column, in seconds."""
    new_items: int | None
    """The table's new column: articles emitted for the first time."""
    revisions: int | None
    """Articles emitted again because the outlet edited them."""
    not_modified: int | None
    """Articles the site answered 304 Not Modified for."""
    skipped: int | None
    """Articles the crawl state skipped, for any reason (known and unchanged, fetched within the hour)."""
    dropped: int | None
    """Items dropped, in total (the table's column); null when the report has no such table."""
    dropped_by_reason: dict[str, int] | None
    """Items dropped by reason (the DropItem subclass, e.g. "MissingField")."""
    errors: int | None
    """Errors, in total (the table's column); null when the report has no such table."""
    errors_by_kind: dict[str, int] | None
    """Errors by kind (e.g. "HttpError500")."""
    drift: list[str]
    """The fields that failed the drift check ("outlet:field" for an outlet other than the spider's own)."""
    drift_failed: bool
    """True when the drift check failed (also when the report names no field)."""
    archive: list[str]
    """The run's WARC files, as the report names them (the table shows their file names)."""
    mode: str | None
    """"live" or "replay" (replays are listed only with --replays); null in reports older than the field."""
    report: str
    """The report file read; for a run without a report, the crawl state file that knows it."""
    from_state: bool
    """True for a run known only from the crawl state: it wrote no report (killed, crashed or still running)."""
    unreadable: str | None
    """Why the report could not be read (every count is then null); the same run is a `problems` entry."""


@dataclass(kw_only=True)
class LatestRun:
    """The newest run of one spider: what the exit code is decided by."""

    spider: str
    """Spider name."""
    crawl_id: str
    """Its crawl id."""
    status: str | None
    """Its status, as in `runs`."""
    finished: str | None
    """Its time, as in `runs`."""
    ok: bool
    """False makes the exit code 1."""


@dataclass(kw_only=True)
class SiteCount:
    """How many gone article pages a crawl state remembers on one site."""

    site: str
    """The URL's host, lower case ("?" for a URL without one)."""
    count: int
    """Gone pages remembered on that site."""


@dataclass(kw_only=True)
class GonePage:
    """An article page a crawl state remembers as gone (HTTP 500 on every try), skipped until it is asked again."""

    key: str
    """The article key the state remembers it under, e.g. "devdiscourse:3301234"."""
    url: str
    """The page's URL."""
    last_gone: str | None
    """When a run last found it gone; null when the state holds no readable time."""
    first_gone: str | None
    """When a run first found it gone (since it was last forgotten)."""
    runs: int
    """How many runs found it gone since then."""
    asked_again: str | None
    """From when a run asks for it again if a source still names it: last_gone plus the retry time of the
    NEWSCRAWL_GONE_* settings for that many runs (a source's newer change claim asks sooner); null with no
    readable last_gone, which a run treats as due."""
    due: bool
    """True when asked_again has passed (the table shows "due")."""


@dataclass(kw_only=True)
class GoneState:
    """The gone article pages of one spider's crawl state: its state file, or its state in Redis."""

    spider: str
    """Spider name."""
    state: str
    """Where they were read: the state file (DIR/state/SPIDER.sqlite), or for a Redis state the URL (its password
    left out) and the hash, e.g. "redis://127.0.0.1:6379/0 newscrawl:devdiscourse:articles:gone"."""
    shared: bool
    """True for the Redis state distributed workers share (read with a Redis URL: the REDIS_URL setting,
    $NEWSCRAWL_REDIS_URL or --redis); a spider may have both."""
    total: int
    """How many article pages it remembers as gone."""
    sites: list[SiteCount]
    """The same per site, most first."""
    latest: list[GonePage]
    """The five most recently found gone, newest first."""


@dataclass(kw_only=True)
class Problem:
    """Input that could not be read. It costs only itself: the rest of the document is complete."""

    kind: str
    """"unreadable-report" (a run report: the run is still listed, status "unreadable") or "unreadable-state" (a
    crawl state file: its runs without a report and its gone pages are missing; or the Redis state: a Redis that
    cannot be used, or gone records in it that are not, which alone are left out)."""
    path: str
    """The file, or the Redis URL (its password left out) with the hash when one was read."""
    reason: str
    """Why, as one line."""


@dataclass(kw_only=True)
class StatusDocument:
    """The whole output of `newscrawl status --json`: one JSON object."""

    schema_version: int
    """The version of this layout (1); raised when a key is removed or changes meaning."""
    generated_at: str
    """When the document was made."""
    output: str
    """The output folder read (--output)."""
    spider: str | None
    """The spider asked for (--spider), null for all."""
    exit_code: int
    """The command's exit code: 0 when the latest run of every spider is ok (or there are no runs), 1 when one is
    not or its report is unreadable."""
    runs_found: int
    """How many runs were read, before -n."""
    runs: list[StatusRun]
    """The last runs (-n, default 20; 0: all), newest first."""
    latest: list[LatestRun]
    """The newest run of each spider, by spider name."""
    gone: list[GoneState]
    """Per crawl state that remembers any, by spider name (a spider's state file before its Redis state): the
    article pages remembered as gone."""
    problems: list[Problem]
    """Reports and state files that could not be read, each once; empty when everything was read."""


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(timezone.utc).isoformat() if moment is not None else None


def status_run(run: RunReport) -> StatusRun:
    return StatusRun(
        finished=_iso(run.when), spider=run.spider, crawl_id=run.crawl_id,
        status=UNREADABLE if run.unreadable else run.status, ok=not run.failed,
        started_at=_iso(run.started_at), finished_at=_iso(run.finished_at), duration_seconds=run.duration_seconds,
        new_items=run.new_items, revisions=run.revisions, not_modified=run.not_modified, skipped=run.skipped_known,
        dropped=run.dropped_total, dropped_by_reason=run.dropped, errors=run.errors_total, errors_by_kind=run.errors,
        drift=[f.field for f in run.drift_fields], drift_failed=run.drift_failed, archive=list(run.warc),
        mode=run.mode, report=str(run.path), from_state=run.from_state, unreadable=run.unreadable)


def gone_page(gone: GoneArticle, schedule: GoneSchedule, now: datetime) -> GonePage:
    """A gone page with the retry time counted as the crawls count it (status.asked_again, as a time)."""
    last = stored_time(gone.last_tried)
    when = last + schedule.retry(gone.times) if last is not None else None
    return GonePage(key=gone.key, url=gone.url, last_gone=_iso(last), first_gone=_iso(stored_time(gone.first_gone)),
                    runs=gone.times, asked_again=_iso(when), due=when is None or when <= now)


def status_document(runs: Sequence[RunReport], gone: GoneStates, *, output: str, spider: str | None,
                    limit: int, schedule: GoneSchedule, now: datetime) -> StatusDocument:
    """The document for runs as load_runs returns them (oldest first) and the gone pages of each spider's state."""
    latest = latest_by_spider(list(runs))
    problems = [Problem(kind="unreadable-report", path=str(run.path), reason=run.unreadable)
                for run in runs if run.unreadable is not None]
    problems += [Problem(kind="unreadable-state", path=records.source, reason=records.unreadable)
                 for _, records in gone if records.unreadable is not None]
    return StatusDocument(
        schema_version=SCHEMA_VERSION, generated_at=_iso(now) or "", output=output, spider=spider,
        exit_code=1 if any(run.failed for run in latest.values()) else 0, runs_found=len(runs),
        runs=[status_run(run) for run in newest(runs, limit)],
        latest=[LatestRun(spider=name, crawl_id=run.crawl_id, status=UNREADABLE if run.unreadable else run.status,
                          finished=_iso(run.when), ok=not run.failed) for name, run in sorted(latest.items())],
        gone=[GoneState(spider=name, state=records.source, shared=records.shared, total=records.total,
                        sites=[SiteCount(site=site, count=count) for site, count in records.by_site.items()],
                        latest=[gone_page(page, schedule, now) for page in records.latest])
              for name, records in gone if records.total],
        problems=problems)
