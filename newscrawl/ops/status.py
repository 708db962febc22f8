"""`newscrawl status`: the last runs as an aligned text table, newest first.

The columns are defined once here (COLUMNS) and reused by the HTML report, so the terminal and the page never
disagree about what a run did.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from newscrawl.ops.reports import RunReport, latest_by_spider

MISSING = "-"
UNREADABLE = "unreadable"


def format_time(moment: datetime | None) -> str:
    """UTC, minute precision: enough to tell 15-minute runs apart, short enough for a terminal.

    >>> from datetime import timezone
    >>> format_time(datetime(2025, 11, 21, 10, 15, 42, tzinfo=timezone.utc))
    '2025-11-21 10:15Z'
    """
    return moment.strftime("%Y-%m-%d %H:%MZ") if moment else MISSING


def format_duration(seconds: float | None) -> str:
    """
    >>> [format_duration(s) for s in (None, 12.34, 245, 3725)]
    ['-', '12.3s', '4m05s', '1h02m']
    """
    if seconds is None:
        return MISSING
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def format_count(value: int | None) -> str:
    return MISSING if value is None else str(value)


def drift_summary(run: RunReport) -> str:
    """The fields that failed the drift check, comma-separated; "failed" when the report names none."""
    if run.drift_fields:
        return ",".join(f.field for f in run.drift_fields)
    return "failed" if run.drift_failed else MISSING


@dataclass(frozen=True)
class Column:
    header: str
    cell: Callable[[RunReport], str]
    numeric: bool = False
    """Right-aligned in the text table."""


COLUMNS: tuple[Column, ...] = (
    Column("finished", lambda run: format_time(run.when)),
    Column("spider", lambda run: run.spider),
    Column("status", lambda run: UNREADABLE if run.unreadable else run.status or MISSING),
    Column("duration", lambda run: format_duration(run.duration_seconds), numeric=True),
    Column("new", lambda run: format_count(run.new_items), numeric=True),
    Column("revisions", lambda run: format_count(run.revisions), numeric=True),
    Column("not-modified", lambda run: format_count(run.not_modified), numeric=True),
    Column("skipped", lambda run: format_count(run.skipped_known), numeric=True),
    Column("dropped", lambda run: format_count(run.dropped_total), numeric=True),
    Column("errors", lambda run: format_count(run.errors_total), numeric=True),
    Column("drift", drift_summary),
    Column("archive", lambda run: ", ".join(Path(name).name for name in run.warc) or MISSING),
)


def newest(runs: Sequence[RunReport], limit: int) -> list[RunReport]:
    """The last `limit` runs (all when limit is 0), newest first, from a list sorted oldest first."""
    chosen = list(runs[-limit:]) if limit > 0 else list(runs)
    return chosen[::-1]


def render_table(runs: Sequence[RunReport]) -> list[str]:
    """Runs as aligned lines (header first), in the order given. Cells with non-printable text are made safe."""
    rows = [[column.header for column in COLUMNS]]
    rows += [[_printable(column.cell(run)) for column in COLUMNS] for run in runs]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = []
    for row in rows:
        cells = [cell.rjust(width) if column.numeric else cell.ljust(width)
                 for cell, width, column in zip(row, widths, COLUMNS)]
        lines.append("  ".join(cells).rstrip())
    return lines


def _printable(text: str) -> str:
    """Keep report text from moving the terminal cursor or breaking alignment (a spider name is user input)."""
    return "".join(c if c.isprintable() else "?" for c in text)


def status_lines(runs: Sequence[RunReport], limit: int = 20) -> list[str]:
    """The whole `newscrawl status` output: table, unreadable reports with their paths, latest run per spider."""
    if not runs:
        return ["no run reports found"]
    shown = newest(runs, limit)
    lines = render_table(shown)
    unreadable = [run for run in shown if run.unreadable]
    if unreadable:
        lines.append("")
        lines += [_printable(f"unreadable report {run.path}: {run.unreadable}") for run in unreadable]
    lines.append("")
    for spider, run in sorted(latest_by_spider(list(runs)).items()):
        state = UNREADABLE if run.unreadable else run.status or MISSING
        mark = "FAILED" if run.failed else "ok"
        lines.append(_printable(f"latest {spider}: {state} at {format_time(run.when)} ({mark})"))
    return lines


def any_latest_failed(runs: Sequence[RunReport]) -> bool:
    """True when the newest run of some spider did not end "ok" or its report is unreadable."""
    return any(run.failed for run in latest_by_spider(list(runs)).values())
