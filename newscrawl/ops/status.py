"""`newscrawl status`: the last runs as an aligned text table, newest first, then the article pages each spider's
crawl state remembers as gone.

The columns are defined once here (COLUMNS) and reused by the HTML report, so the terminal and the page never
disagree about what a run did.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from newscrawl.extract.dates import parse_iso
from newscrawl.ops.reports import RunReport, latest_by_spider
from newscrawl.state.gone import GoneSchedule
from newscrawl.state.lock import last_holder
from newscrawl.state.store import GoneArticle, GoneRecords, read_gone

logger = logging.getLogger(__name__)

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
    return _aligned([column.header for column in COLUMNS],
                    [[column.cell(run) for column in COLUMNS] for run in runs], [c.numeric for c in COLUMNS])


def _aligned(header: list[str], rows: list[list[str]], numeric: list[bool]) -> list[str]:
    """Rows as aligned lines under their header, numbers right-aligned, every cell made printable."""
    table = [header, *([_printable(cell) for cell in row] for row in rows)]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    return ["  ".join(cell.rjust(width) if right else cell.ljust(width)
                      for cell, width, right in zip(row, widths, numeric)).rstrip() for row in table]


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


STATE_FOLDER = "state"
"""output/state/: the crawl state files and run locks (SPIDER.sqlite, SPIDER.lock); every other folder of output/
is a spider's (its feeds, WARCs, logs and run reports)."""


def spiders_found(output: Path) -> list[str]:
    """The spiders the output folder holds anything of: a folder (output/SPIDER/), a crawl state file or a run lock
    (output/state/SPIDER.sqlite, .lock). With the project's spiders, the names --spider takes: one removed from the
    project still has its runs to show, and one whose crawl never got as far as its folder still has its state."""
    found = {path.name for path in _listed(output) if path.is_dir() and path.name != STATE_FOLDER}
    found |= {path.stem for path in _listed(output / STATE_FOLDER) if path.suffix in (".sqlite", ".lock")}
    return sorted(found)


def _listed(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError:  # no such folder (no state yet), or not readable: nothing found there
        return []


def no_runs_line(output: Path, spider: str | None, gone: GoneStates, shared: str | None = None) -> str:
    """What status prints where the runs table would be when no run was found: for one spider, "never run" when
    nothing under output (nor in Redis) knows it, else what there is: a run lock names the process that last took
    it (a crawl that stopped before it wrote a report or recorded its run), the Redis that holds its distributed
    state (`shared`, where its workers' reports are not: they write them on their own machines), and gone pages
    follow as for any spider."""
    if spider is None:
        return f"no run reports under {output}"
    folder, state = output / spider, output / STATE_FOLDER / f"{spider}.sqlite"
    lock = state.with_suffix(".lock")
    if not (folder.exists() or state.exists() or lock.exists() or gone or shared):
        return _printable(f"{spider}: never run (nothing under {folder}, no crawl state {state})")
    in_state = f"no run in its crawl state {state}" if state.exists() else f"no crawl state {state}"
    line = f"{spider}: no run recorded (no run report under {folder}, {in_state})"
    holder = last_holder(lock)
    if holder is not None:
        line += f"; its run lock {lock} was last taken by {holder}"
    if shared is not None:
        line += f"; its distributed state is in Redis at {shared}"
    return _printable(line)


def any_latest_failed(runs: Sequence[RunReport]) -> bool:
    """True when the newest run of some spider did not end "ok" or its report is unreadable."""
    return any(run.failed for run in latest_by_spider(list(runs)).values())


GONE_SHOWN = 5
"""Gone pages listed per spider, most recently found gone first; the count per site covers all of them."""
GONE_HEADER = ["last gone", "first gone", "runs", "asked again", "url"]


GoneStates = list[tuple[str, GoneRecords]]
"""(spider, its gone pages) per crawl state, by spider name, a spider's state file before its Redis state."""


def read_gone_states(output: Path, spider: str | None, redis_url: str | None = None) -> GoneStates:
    """The gone pages of each spider's crawl state under output/state/ (that spider's only, when given) and, with a
    Redis URL, of each spider's state in that Redis (read_shared_gone). States that remember none are left out;
    those that cannot be read are kept with `unreadable` set: the table has logged a warning naming each, the JSON
    document lists them as problems, the HTML report names them."""
    states = [output / "state" / f"{spider}.sqlite"] if spider else sorted((output / "state").glob("*.sqlite"))
    found = [(path.stem, read_gone(path, GONE_SHOWN)) for path in states]
    found += read_shared_gone(redis_url, spider) if redis_url else []
    return sorted(((name, records) for name, records in found if records.total or records.unreadable),
                  key=lambda item: (item[0], item[1].shared))


def read_shared_gone(url: str, spider: str | None) -> GoneStates:
    """The gone pages of the Redis state distributed workers share (distributed/state.py), read-only. A Redis that
    cannot be used (not installed, not reachable, not Redis) costs only these: one state with `unreadable` saying
    why, as a damaged state file."""
    try:
        import redis  # the distributed extra: a single-machine install has none of it

        from newscrawl.distributed import DistributedSetupError
        from newscrawl.distributed.connection import connect, redacted, unusable
        from newscrawl.distributed.gone import read_gone as read_redis_gone
    except ImportError as error:
        why = f"{error.name} is not installed: pip install 'newscrawl[distributed]'"
        logger.warning("Cannot read the gone pages in Redis: %(why)s", {"why": why})
        return [(spider or "", GoneRecords(source="Redis (REDIS_URL)", shared=True, unreadable=why))]
    try:
        return sorted(read_redis_gone(connect(url), spider, GONE_SHOWN, redacted(url)).items())
    except DistributedSetupError as error:  # connect's check: one line naming the URL and what is there
        why = str(error)
    except redis.RedisError as error:
        why = str(unusable(url, error))
    logger.warning("Cannot read the gone pages in Redis: %(why)s", {"why": why})
    return [(spider or "", GoneRecords(source=redacted(url), shared=True, unreadable=why))]


def asked_again(gone: GoneArticle, schedule: GoneSchedule, now: datetime) -> str:
    """When a run may ask for the page again: its last try plus the retry time for the runs that found it gone
    (state/incremental.py), "due" once that has passed; a source's newer change claim asks sooner.

    >>> page = GoneArticle("k", "http://m/k", "2025-11-21T10:00:00+00:00", "2025-11-21T10:45:00+00:00", 2, None)
    >>> [asked_again(page, GoneSchedule(), datetime(2025, 11, 21, hour, tzinfo=timezone.utc)) for hour in (11, 13)]
    ['2025-11-21 12:45Z', 'due']
    """
    tried = stored_time(gone.last_tried)
    if tried is None:
        return "due"  # Incremental._decide_new asks for a page whose last try it cannot read
    when = tried + schedule.retry(gone.times)
    return "due" if when <= now else format_time(when)


GONE_NUMERIC = [False, False, True, False, False]


def gone_heading(spider: str, records: GoneRecords) -> str:
    """Whose gone pages these are: the spider, and where for a Redis state (a spider may have both)."""
    return f"{spider} in Redis ({records.source})" if records.shared else spider


def gone_summary(records: GoneRecords) -> str:
    """How many article pages a state remembers as gone, per site, and how many are listed (the table's and the
    HTML report's heading line)."""
    sites = ", ".join(f"{site} {count}" for site, count in records.by_site.items())
    return (f"{records.total} article page{'s' * (records.total != 1)} remembered as gone ({sites}); the latest "
            f"{len(records.latest)}")


def gone_rows(records: GoneRecords, schedule: GoneSchedule, now: datetime) -> list[list[str]]:
    """The cells under GONE_HEADER for the latest gone pages, as the table and the HTML report show them."""
    return [[_gone_time(page.last_tried), _gone_time(page.first_gone), str(page.times),
             asked_again(page, schedule, now), page.url] for page in records.latest]


def gone_lines(gone: GoneStates, schedule: GoneSchedule, now: datetime) -> list[str]:
    """Per spider: how many article pages its state remembers as gone, per site, and the latest of them (when last
    and first found gone, by how many runs, when a run may ask again)."""
    lines: list[str] = []
    for spider, records in gone:
        if not records.total:
            continue
        lines += ["", _printable(f"gone {gone_heading(spider, records)}: {gone_summary(records)}:")]
        lines += ["  " + line for line in _aligned(GONE_HEADER, gone_rows(records, schedule, now), GONE_NUMERIC)]
    return lines


def stored_time(value: str) -> datetime | None:
    """A time as the state stores it, in UTC (a time without offset is UTC); None when it is no time."""
    parsed = parse_iso(value, naive=timezone.utc)
    return parsed.astimezone(timezone.utc) if parsed is not None else None


def _gone_time(value: str) -> str:
    """A stored time as the runs table shows times (UTC, to the minute); as stored when it is no time."""
    moment = stored_time(value)
    return format_time(moment) if moment is not None else value
