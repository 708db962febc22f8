"""Read run reports (`output/<spider>/<crawl_id>.report.json`) into one tolerant, typed shape.

Reports outlive the code that wrote them: old ones lack fields, a killed run may leave a half-written file, and an
operator may have edited one by hand. So every field is optional here, wrong types become None instead of
exceptions, and a file that cannot be read at all becomes a RunReport with `unreadable` set. The status table
and the HTML report then show it as a row rather than crashing on the one bad file among hundreds.

One idea, kept whole: turning report files (and the state's runs without one) into one typed shape,
tolerantly; every field's reader is a few lines.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from newscrawl.state.store import read_runs

logger = logging.getLogger(__name__)

REPORT_SUFFIX = ".report.json"
OK_STATUS = "ok"


@dataclass(kw_only=True)
class DriftField:
    """One field whose coverage fell below what its parser expects (`ArticleParser.expected_coverage`)."""

    field: str
    """Field label as plotted: the field name, or "outlet:field" for an outlet other than the spider's own."""
    coverage: float | None = None
    expected: float | None = None
    examples: list[str] = dataclasses.field(default_factory=list)
    """Article URLs lacking the field: text from crawled sites, so escape before showing it in HTML."""


@dataclass(kw_only=True)
class RunReport:
    """One run as its report describes it; every value may be missing in old or damaged reports."""

    path: Path
    spider: str
    """From the report, else the report's folder name (which is the spider name by the runner's layout)."""
    crawl_id: str
    """From the report, else the file name without `.report.json`."""
    unreadable: str | None = None
    """Why the file could not be read; all other report fields are then empty."""
    started_at: datetime | None = None
    finished_at: datetime | None = None
    duration_seconds: float | None = None
    status: str | None = None
    exit_code: int | None = None
    finish_reason: str | None = None
    new_items: int | None = None
    revisions: int | None = None
    not_modified: int | None = None
    skipped_known: int | None = None
    """Articles the crawl state skipped, for any reason (known and unchanged, or young but fetched within the hour);
    reports from before `counts.articles` give the first reason only."""
    dropped: dict[str, int] | None = None
    """Dropped items by reason (DropItem subclass); None when the report has no such table."""
    errors: dict[str, int] | None = None
    """Errors by kind (e.g. HttpError500); None when the report has no such table."""
    mode: str | None = None
    """Either "live" or "replay"; None in reports older than the field."""
    coverage: dict[str, float] = dataclasses.field(default_factory=dict)
    """Field label (see field_label) → share of the run's articles that have it (0.0–1.0)."""
    outlets: list[str] = dataclasses.field(default_factory=list)
    """Outlets the coverage was counted for: whose parser expectations (drift thresholds) apply."""
    drift_failed: bool = False
    drift_fields: list[DriftField] = dataclasses.field(default_factory=list)
    drift_message: str | None = None
    file_time: datetime | None = None
    """The report file's modification time: the last resort for ordering runs."""
    warc: list[str] = dataclasses.field(default_factory=list)
    """The run's WARC files."""
    published_days: dict[str, int] = dataclasses.field(default_factory=dict)
    """Items emitted by publication day (YYYY-MM-DD; "undated")."""
    agencies: dict[str, int] = dataclasses.field(default_factory=dict)
    """Items emitted per wire agency."""
    from_state: bool = False
    """True for a run known only from the crawl state: it wrote no report (killed, crashed, or still running)."""

    @property
    def when(self) -> datetime | None:
        """The time a run is shown and sorted at: its finish, else its start, else the crawl id's time."""
        return self.finished_at or self.started_at or crawl_id_time(self.crawl_id) or self.file_time

    @property
    def is_replay(self) -> bool:
        """A replay of an archived run (`<crawl id>.replay.report.json`), not a scheduled run."""
        return self.mode == "replay" or self.path.name.endswith(".replay" + REPORT_SUFFIX)

    @property
    def failed(self) -> bool:
        """True for an unreadable report or any status but "ok" (drift, fetch-failures, killed, …)."""
        return self.unreadable is not None or self.status != OK_STATUS

    @property
    def dropped_total(self) -> int | None:
        return sum(self.dropped.values()) if self.dropped is not None else None

    @property
    def errors_total(self) -> int | None:
        return sum(self.errors.values()) if self.errors is not None else None


def crawl_id_time(crawl_id: str) -> datetime | None:
    """The start time encoded in a crawl id such as "20251121T101500Z-1a2b3c".

    >>> crawl_id_time("20251121T101500Z-1a2b3c")
    datetime.datetime(2025, 11, 21, 10, 15, tzinfo=datetime.timezone.utc)
    >>> crawl_id_time("manual") is None
    True
    """
    try:
        return datetime.strptime(crawl_id[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time as an aware UTC datetime; naive values are taken as UTC, junk gives None.

    >>> parse_time("2025-11-21T15:45:00.123+05:30").isoformat()
    '2025-11-21T10:15:00.123000+00:00'
    >>> parse_time("2025-11-21T10:15:00Z").isoformat()
    '2025-11-21T10:15:00+00:00'
    >>> parse_time(None), parse_time("yesterday"), parse_time(17)
    (None, None, None)
    """
    if not isinstance(value, str) or not value:
        return None
    text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value  # Python 3.10 rejects a bare Z
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _number(value: Any) -> float | None:
    """A JSON number as a float; None for anything else, and for NaN and infinity, which Python's JSON reader takes
    but no table cell or JSON document can show."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value) if not isinstance(value, int) or abs(value) < 2 ** 1023 else math.inf
    return number if math.isfinite(number) else None


def _count(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _skipped(counts: dict[str, Any]) -> int | None:
    """Every article the crawl state skipped, whatever the reason (`counts.articles.skipped`), else `skipped_known`."""
    by_reason = _counts(_mapping(counts.get("articles")).get("skipped"))
    return sum(by_reason.values()) if by_reason is not None else _count(counts.get("skipped_known"))


def _counts(value: Any) -> dict[str, int] | None:
    """A {reason: count} table; non-numeric entries are skipped, not fatal; None when there is no table."""
    if not isinstance(value, dict):
        return None
    return {str(key): count for key, raw in value.items() if (count := _count(raw)) is not None}


def field_label(spider: str, outlet: str | None, name: str) -> str:
    """How a field is named in tables and plots: bare for the spider's own outlet, else "outlet:field".

    >>> field_label("devdiscourse", "devdiscourse", "body"), field_label("news", "apnews", "body")
    ('body', 'apnews:body')
    """
    return name if outlet in (None, spider) else f"{outlet}:{name}"


def _coverage(value: Any, spider: str) -> tuple[dict[str, float], list[str]]:
    """Field shares and outlets from either report shape.

    The runner writes {outlet: {"articles": n, "fields": {...}}}; the first drafts wrote {"articles": n,
    "fields": {...}} for the spider's own outlet. Both are read.
    """
    if not isinstance(value, dict):
        return {}, []
    per_outlet = {spider: value} if isinstance(value.get("fields"), dict) else value
    shares: dict[str, float] = {}
    outlets = []
    for outlet, entry in per_outlet.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("fields"), dict):
            continue
        outlets.append(str(outlet))
        for name, raw in entry["fields"].items():
            if (share := _number(raw)) is not None:
                shares[field_label(spider, str(outlet), str(name))] = share
    return shares, outlets


def _drift_fields(value: Any, spider: str) -> list[DriftField]:
    if not isinstance(value, list):
        return []
    fields = []
    for entry in value:
        if isinstance(entry, str):  # tolerate a plain list of field names
            fields.append(DriftField(field=entry))
        elif isinstance(entry, dict) and isinstance(entry.get("field"), str):
            examples = entry.get("examples")
            fields.append(DriftField(
                field=field_label(spider, _text(entry.get("outlet")), entry["field"]),
                coverage=_number(entry.get("coverage")), expected=_number(entry.get("expected")),
                examples=[e for e in examples if isinstance(e, str)] if isinstance(examples, list) else []))
    return fields


def from_dict(data: dict[str, Any], path: Path) -> RunReport:
    """Build a RunReport from a decoded report; unknown keys are ignored, bad values become None/empty."""
    counts = _mapping(data.get("counts"))
    drift = _mapping(data.get("drift"))
    spider = _text(data.get("spider")) or path.parent.name
    coverage, outlets = _coverage(data.get("coverage"), spider)
    return RunReport(
        path=path,
        spider=spider,
        crawl_id=_text(data.get("crawl_id")) or path.name.removesuffix(REPORT_SUFFIX),
        started_at=parse_time(data.get("started_at")),
        finished_at=parse_time(data.get("finished_at")),
        duration_seconds=_number(data.get("duration_seconds")),
        status=_text(data.get("status")),
        exit_code=_count(data.get("exit_code")),
        finish_reason=_text(data.get("finish_reason")),
        mode=_text(data.get("mode")),
        new_items=_count(counts.get("new_items")),
        revisions=_count(counts.get("revisions")),
        not_modified=_count(counts.get("not_modified")),
        skipped_known=_skipped(counts),
        dropped=_counts(counts.get("dropped")),
        errors=_counts(counts.get("errors")),
        coverage=coverage,
        outlets=outlets,
        drift_failed=drift.get("failed") is True,
        drift_fields=_drift_fields(drift.get("fields"), spider),
        drift_message=_text(drift.get("message")),
        warc=[str(name) for name in data.get("warc") or [] if isinstance(name, str)],
        published_days=_counts(counts.get("published_days")) or {},
        agencies=_counts(counts.get("agencies")) or {},
    )


def load_report(path: Path) -> RunReport:
    """Read one report file. Never raises: a damaged file comes back with `unreadable` saying why."""
    try:
        file_time: datetime | None = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
    except OSError:
        file_time = None
    reason: str | None = None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as error:  # JSON and UTF-8 decoding errors are ValueErrors
        reason = (error.strerror if isinstance(error, OSError) and error.strerror else str(error)) or repr(error)
    else:
        if isinstance(data, dict):
            report = from_dict(data, path)
        else:
            reason = f"expected a JSON object, found {type(data).__name__}"
    if reason is not None:
        logger.debug("Unreadable run report %(path)s: %(reason)s", {"path": path, "reason": reason})
        report = RunReport(path=path, spider=path.parent.name, crawl_id=path.name.removesuffix(REPORT_SUFFIX),
                           unreadable=reason)
    report.file_time = file_time
    return report


def report_paths(output: Path, spider: str | None = None) -> list[Path]:
    """Report files under output/<spider>/ (all spiders when spider is None)."""
    pattern = f"{glob_escape(spider)}/*{REPORT_SUFFIX}" if spider else f"*/*{REPORT_SUFFIX}"
    return sorted(output.glob(pattern))


def glob_escape(name: str) -> str:
    """A literal path part for Path.glob (a spider name is an identifier, but be safe).

    >>> glob_escape("a[1]*")
    'a[[]1[]][*]'
    """
    return "".join(f"[{c}]" if c in "*?[]" else c for c in name)


def load_runs(output: Path, spider: str | None = None, replays: bool = False) -> list[RunReport]:
    """Every run under output, oldest first (by finish time; see RunReport.when).

    Replays are left out unless asked for: they re-run an old crawl offline and would otherwise pose as the
    latest scheduled run.
    """
    runs = [run for run in map(load_report, report_paths(output, spider)) if replays or not run.is_replay]
    runs += runs_without_report(output, spider, {(run.spider, run.crawl_id) for run in runs})
    epoch = datetime.min.replace(tzinfo=timezone.utc)
    return sorted(runs, key=lambda run: (run.when or epoch, run.spider, run.crawl_id))


STATE_ONLY_STATUS = {"killed": "killed", "running": "running", "finished": "no-report", "interrupted": "no-report"}
"""How a run that wrote no report is shown: killed (reconciled by a later run), running (still going, or killed
and not yet reconciled), no-report (finished or stopped gracefully, but its report was never written: a full disk,
a crash)."""


def runs_without_report(output: Path, spider: str | None, reported: set[tuple[str, str]]) -> list[RunReport]:
    """Runs the crawl state (output/state/<spider>.sqlite) knows that have no report: what an operator most needs
    to see, since a killed or crashed run writes none."""
    found = []
    states = [output / "state" / f"{spider}.sqlite"] if spider else sorted((output / "state").glob("*.sqlite"))
    for path in states:
        for record in read_runs(path):
            if (record.spider, record.crawl_id) in reported:
                continue
            warcs = sorted(path for path in output.glob(f"{glob_escape(record.spider)}/{glob_escape(record.crawl_id)}*")
                           if path.name.endswith((".warc", ".warc.gz", ".warc.open", ".warc.gz.open")))
            found.append(RunReport(
                path=path, spider=record.spider, crawl_id=record.crawl_id, from_state=True,
                started_at=parse_time(record.started_at), finished_at=parse_time(record.finished_at),
                status=STATE_ONLY_STATUS.get(record.status, record.status), mode="live",
                new_items=record.new_items, revisions=record.revisions,
                warc=[str(p).removesuffix(".open") for p in warcs]))
    return found


def latest_by_spider(runs: list[RunReport]) -> dict[str, RunReport]:
    """The newest run of each spider, from a list sorted oldest first (as load_runs returns)."""
    return {run.spider: run for run in runs}
