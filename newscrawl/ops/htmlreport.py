"""`newscrawl report`: one self-contained HTML page with the run history of each spider.

Per spider: items per run (new items and revisions, stacked bars, oldest left), field coverage per run (one line
per field, the drift threshold dashed) and the runs table (the status columns, newest first). Then, as in
`newscrawl status`, the article pages each crawl state remembers as gone.

Why hand-written SVG: the page must open anywhere, offline, years later (it is mailed and archived next to the
crawl output), so it carries no JavaScript, no external CSS/fonts and no plotting library. Why everything is
escaped: reports carry URLs and text from crawled sites, so every string from a report goes through
html.escape, and a Content-Security-Policy forbids scripts and network fetches should one ever slip through.

One idea, kept whole: the report page; its plots share one scale, palette and escaping, and splitting them
would scatter the page's single Content-Security-Policy-safe template.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from newscrawl.files import write_whole
from newscrawl.monitoring.drift import REQUIRED
from newscrawl.ops.reports import RunReport, field_label
from newscrawl.ops.status import (COLUMNS, GONE_HEADER, GONE_NUMERIC, GoneStates, format_time, gone_heading, gone_rows,
                                  gone_summary)
from newscrawl.parsers import parser_by_name
from newscrawl.state.gone import GoneSchedule

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f",
           "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#31a354")
NEW_COLOUR = "#2b6cb0"
REVISION_COLOUR = "#ed8936"
DRIFT_COLOUR = "#c53030"
POINTS_UP_TO = 60
"""Draw a marker on every coverage value up to this many runs; beyond, lines alone stay readable."""

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

STYLE = """
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px; color: #1a202c; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 32px 0 4px; border-bottom: 1px solid #cbd5e0; }
h3 { font-size: 15px; margin: 16px 0 4px; } .meta, .empty { color: #4a5568; }
svg { display: block; max-width: 100%; height: auto; background: #fff; }
svg text { font: 11px system-ui, sans-serif; fill: #4a5568; }
.grid { stroke: #e2e8f0; } .axis { stroke: #718096; }
.threshold { stroke: #c53030; stroke-dasharray: 6 4; }
svg text.threshold-label { fill: #c53030; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
.legend { list-style: none; padding: 0; margin: 4px 0 0; display: flex; flex-wrap: wrap; gap: 4px 16px; }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -1px; }
.swatch.line { height: 3px; vertical-align: 3px; } .swatch.dash { border-top: 2px dashed #c53030; height: 0; }
.swatch.ring { border: 2px solid #c53030; border-radius: 50%; width: 8px; height: 8px; }
table { border-collapse: collapse; margin-top: 8px; font-size: 13px; width: 100%; }
th, td { padding: 3px 8px; border-bottom: 1px solid #e2e8f0; text-align: left; vertical-align: top; }
th, td.num, td:first-child { white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.failed td { background: #fff5f5; } tr.unreadable td { background: #edf2f7; color: #4a5568; }
tr.killed td { background: #fed7d7; font-weight: 600; }
table.errors, table.counts, table.gone { width: auto; }
table.gone td:last-child { overflow-wrap: anywhere; }
td.drift { min-width: 12em; }
.detail { color: #4a5568; font-size: 12px; overflow-wrap: anywhere; max-width: 48em; }
ul.examples { margin: 2px 0 0 16px; padding: 0; }
"""


def esc(value: object) -> str:
    """Text or attribute-safe: every string that came from a report passes through here."""
    return html.escape(str(value), quote=True)


@dataclass(frozen=True)
class Frame:
    """Plot geometry: where run i sits on x, and the drawing area's edges."""

    runs: int
    times: tuple[float, ...] = ()
    """Each run's time (epoch seconds): runs are placed by time, not by their index, when there is a span."""
    width: int = 960
    height: int = 260
    left: int = 56
    right: int = 16
    top: int = 14
    bottom: int = 46

    @property
    def plot_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> float:
        return self.height - self.top - self.bottom

    @property
    def baseline(self) -> float:
        return self.top + self.plot_height

    @property
    def slot(self) -> float:
        return self.plot_width / max(self.runs, 1)

    @property
    def timed(self) -> bool:
        return len(self.times) == self.runs and self.runs > 1 and max(self.times) > min(self.times)

    def x(self, index: int) -> float:
        if not self.timed:
            return self.left + self.slot * (index + 0.5)
        pad = min(self.slot / 2, 20.0)
        start, end = min(self.times), max(self.times)
        return self.left + pad + (self.plot_width - 2 * pad) * (self.times[index] - start) / (end - start)

    def x_at(self, moment: float) -> float:
        pad = min(self.slot / 2, 20.0)
        start, end = min(self.times), max(self.times)
        return self.left + pad + (self.plot_width - 2 * pad) * (moment - start) / (end - start)

    def y(self, value: float, top_value: float) -> float:
        return self.baseline - self.plot_height * (value / top_value if top_value else 0.0)


def nice_step(maximum: float, ticks: int = 4) -> float:
    """A 1/2/5×10^k step giving about `ticks` gridlines up to maximum.

    >>> nice_step(22), nice_step(1), nice_step(480)
    (10.0, 0.5, 200.0)
    """
    raw = max(maximum, 1e-9) / ticks
    power = 10.0 ** math.floor(math.log10(raw))
    return next(step * power for step in (1.0, 2.0, 5.0, 10.0) if step * power >= raw)


def _num(value: float) -> str:
    return f"{value:.1f}"


def frame_for(runs: Sequence[RunReport]) -> Frame:
    """A frame placing each run at its time (its finish, else start; see RunReport.when)."""
    times = tuple(run.when.timestamp() if run.when else 0.0 for run in runs)
    return Frame(len(runs), times=times if all(times) else ())


def _time_format(span_seconds: float) -> str:
    if span_seconds < 600:
        return "%H:%M:%S"
    return "%H:%M" if span_seconds < 86400 else "%m-%d %H:%M" if span_seconds < 14 * 86400 else "%Y-%m-%d"


def _x_labels(frame: Frame, runs: Sequence[RunReport]) -> list[str]:
    """A real time axis: six ticks evenly spaced in time, labelled as precisely as the span needs (seconds for
    runs minutes apart), with the first tick's date; without a time span, labels under up to six runs."""
    if frame.timed:
        start, end = min(frame.times), max(frame.times)
        fmt = _time_format(end - start)
        labels = []
        for tick in range(6):
            moment = start + (end - start) * tick / 5
            when = datetime.fromtimestamp(moment, timezone.utc)
            text = when.strftime(("%Y-%m-%d " if tick == 0 and "%Y" not in fmt else "") + fmt)
            anchor = "start" if tick == 0 else "end" if tick == 5 else "middle"
            x = _num(frame.x_at(moment))
            labels.append(f'<line class="axis tick" x1="{x}" x2="{x}" y1="{_num(frame.baseline)}" '
                          f'y2="{_num(frame.baseline + 4)}"/><text class="time-label" x="{x}" '
                          f'y="{_num(frame.baseline + 28)}" text-anchor="{anchor}">{esc(text)}</text>')
        return labels
    count = len(runs)
    picks = sorted({round(i * (count - 1) / 5) for i in range(6)}) if count > 6 else list(range(count))
    labels = []
    for index in picks:
        when_run = runs[index].when
        text = when_run.strftime("%m-%d %H:%M") if when_run else "?"
        anchor = "start" if count > 1 and index == 0 else "end" if count > 1 and index == count - 1 else "middle"
        labels.append(f'<text x="{_num(frame.x(index))}" y="{_num(frame.baseline + 28)}" '
                      f'text-anchor="{anchor}">{esc(text)}</text>')
    return labels


def _status_strip(frame: Frame, runs: Sequence[RunReport]) -> list[str]:
    """A thin coloured mark per run under the x axis: green ok, red any other status, grey unreadable."""
    width = min(max(frame.slot * 0.9, 0.5), 44.0)
    marks = []
    for index, run in enumerate(runs):
        kind = ("unreadable" if run.unreadable else "killed" if run.from_state else "failed" if run.failed
                else "ok")
        colour = {"ok": "#38a169", "failed": DRIFT_COLOUR, "killed": "#1a202c", "unreadable": "#a0aec0"}[kind]
        marks.append(f'<rect class="status status-{kind}" x="{_num(frame.x(index) - width / 2)}" '
                     f'y="{_num(frame.baseline + 5)}" width="{_num(width)}" height="6" fill="{colour}">'
                     f'<title>{esc(_run_label(run))}</title></rect>')
    return marks


def _run_label(run: RunReport) -> str:
    state = f"unreadable: {run.unreadable}" if run.unreadable else run.status or "no status"
    return f"{format_time(run.when)} {run.crawl_id}: {state}"


def _svg_open(kind: str, label: str, frame: Frame) -> str:
    return (f'<svg class="plot {kind}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {frame.width} '
            f'{frame.height}" width="{frame.width}" height="{frame.height}" role="img" aria-label="{label}">')


def items_svg(runs: Sequence[RunReport]) -> str:
    """Stacked bars per run: new items (bottom) and revisions (top); unreadable runs get no bar."""
    frame = frame_for(runs)
    totals = [(run.new_items or 0) + (run.revisions or 0) for run in runs]
    step = nice_step(max(totals, default=0) or 1)
    top_value = step * math.ceil((max(totals, default=0) or 1) / step)
    parts = [_svg_open("items", "new items and revisions per run", frame)]
    tick = 0.0
    while tick <= top_value + 1e-9:
        y = _num(frame.y(tick, top_value))
        parts.append(f'<line class="grid" x1="{frame.left}" x2="{frame.width - frame.right}" y1="{y}" y2="{y}"/>')
        parts.append(f'<text x="{frame.left - 6}" y="{y}" dy="4" text-anchor="end">{tick:g}</text>')
        tick += step
    bar = min(max(frame.slot * 0.75, 0.5), 40.0)
    for index, run in enumerate(runs):
        x = _num(frame.x(index) - bar / 2)
        if run.unreadable:
            parts.append(f'<g class="run unreadable"><title>{esc(_run_label(run))}</title></g>')
            continue
        new, revisions = run.new_items or 0, run.revisions or 0
        y_new = frame.y(new, top_value)
        y_all = frame.y(new + revisions, top_value)
        title = f"{_run_label(run)}; {run.new_items if run.new_items is not None else '-'} new, " \
                f"{run.revisions if run.revisions is not None else '-'} revisions"
        parts.append(
            f'<g class="run" data-crawl-id="{esc(run.crawl_id)}"><title>{esc(title)}</title>'
            f'<rect class="bar new" x="{x}" y="{_num(y_new)}" width="{_num(bar)}" '
            f'height="{_num(frame.baseline - y_new)}" fill="{NEW_COLOUR}"/>'
            f'<rect class="bar revisions" x="{x}" y="{_num(y_all)}" width="{_num(bar)}" '
            f'height="{_num(y_new - y_all)}" fill="{REVISION_COLOUR}"/></g>')
    parts.append(f'<line class="axis" x1="{frame.left}" x2="{frame.width - frame.right}" '
                 f'y1="{_num(frame.baseline)}" y2="{_num(frame.baseline)}"/>')
    parts += _status_strip(frame, runs) + _x_labels(frame, runs)
    parts.append("</svg>")
    return "".join(parts)


def expectations(runs: Sequence[RunReport]) -> dict[str, float]:
    """Drift thresholds by field label, as the drift check applies them (newscrawl.monitoring.drift).

    Start from each covered outlet's parser (`expected_coverage`; an unknown outlet gets the check's fallback,
    the required fields at 100%), then let any expectation a report recorded win: that is the value the check
    really used on that run, even if the parser has changed since.
    """
    spider = runs[-1].spider if runs else ""
    expected: dict[str, float] = {}
    for outlet in sorted({outlet for run in runs for outlet in run.outlets}):
        try:
            table = parser_by_name(outlet).expected_coverage
        except KeyError:
            table = dict.fromkeys(REQUIRED, 1.0)
        expected.update({field_label(spider, outlet, name): share for name, share in table.items()})
    for run in runs:
        expected.update({f.field: f.expected for f in run.drift_fields if f.expected is not None})
    return expected


def _threshold_lines(frame: Frame, thresholds: dict[str, float]) -> tuple[list[str], list[str]]:
    """One dashed line per distinct threshold and its label naming the fields; close labels go below their line.

    Lines and labels come apart so the caller can draw lines under the data and labels over it.
    """
    by_share: dict[float, list[str]] = {}
    for name, share in thresholds.items():
        by_share.setdefault(share, []).append(name)
    lines: list[str] = []
    labels: list[str] = []
    last_label_y = -100.0
    for share in sorted(by_share, reverse=True):
        names = sorted(by_share[share])
        y = frame.y(share, 1.0)
        label_y = y - 4 if y - 4 - last_label_y >= 12 else y + 12
        last_label_y = label_y
        lines.append(f'<line class="threshold" data-fields="{esc(" ".join(names))}" x1="{frame.left}" '
                     f'x2="{frame.width - frame.right}" y1="{_num(y)}" y2="{_num(y)}" stroke-width="1.5"/>')
        labels.append(f'<text class="threshold-label" x="{frame.width - frame.right - 4}" y="{_num(label_y)}" '
                      f'text-anchor="end">drift below {share:.0%}: {esc(", ".join(names))}</text>')
    return lines, labels


def coverage_svg(runs: Sequence[RunReport], fields: Sequence[str], thresholds: dict[str, float]) -> str:
    """One line per field over the runs that report it (gaps where a run does not), drift thresholds dashed."""
    frame = frame_for(runs)
    parts = [_svg_open("coverage", "field coverage per run", frame)]
    for share in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = _num(frame.y(share, 1.0))
        parts.append(f'<line class="grid" x1="{frame.left}" x2="{frame.width - frame.right}" y1="{y}" y2="{y}"/>')
        parts.append(f'<text x="{frame.left - 6}" y="{y}" dy="4" text-anchor="end">{share:.0%}</text>')
    threshold_lines, threshold_labels = _threshold_lines(
        frame, {name: share for name, share in thresholds.items() if name in fields})
    parts += threshold_lines
    for number, name in enumerate(fields):
        colour = PALETTE[number % len(PALETTE)]
        values = [run.coverage.get(name) for run in runs]
        commands, points = [], []
        for index, value in enumerate(values):
            if value is None:
                continue
            joined = index > 0 and values[index - 1] is not None
            x, y = _num(frame.x(index)), _num(frame.y(value, 1.0))
            commands.append(f"{'L' if joined else 'M'}{x},{y}")
            isolated = not joined and (index + 1 >= len(values) or values[index + 1] is None)
            if len(runs) <= POINTS_UP_TO or isolated:
                points.append(f'<circle class="point" cx="{x}" cy="{y}" r="3" fill="{colour}">'
                              f'<title>{esc(f"{name} {value:.0%} ({runs[index].crawl_id})")}</title></circle>')
        parts.append(f'<path class="coverage-line" data-field="{esc(name)}" d="{" ".join(commands)}" '
                     f'fill="none" stroke="{colour}" stroke-width="2" stroke-linejoin="round"/>')
        parts += points
    for index, run in enumerate(runs):  # ring the values the drift check flagged
        for drifted in run.drift_fields:
            marked = run.coverage.get(drifted.field, drifted.coverage)
            if marked is not None:
                parts.append(f'<circle class="drift-mark" cx="{_num(frame.x(index))}" '
                             f'cy="{_num(frame.y(marked, 1.0))}" r="6" fill="none" stroke="{DRIFT_COLOUR}" '
                             f'stroke-width="2"><title>{esc(f"drift: {drifted.field} {marked:.0%}")}</title>'
                             f'</circle>')
    parts += threshold_labels
    parts.append(f'<line class="axis" x1="{frame.left}" x2="{frame.width - frame.right}" '
                 f'y1="{_num(frame.baseline)}" y2="{_num(frame.baseline)}"/>')
    parts += _status_strip(frame, runs) + _x_labels(frame, runs)
    parts.append("</svg>")
    return "".join(parts)


def _drift_detail(run: RunReport) -> str:
    """The drift cell beyond the field names: each field's coverage, example URLs (as text), the message."""
    parts = []
    for drifted in run.drift_fields:
        numbers = ", ".join(f"{label} {value:.2f}" for label, value in
                            (("coverage", drifted.coverage), ("expected", drifted.expected)) if value is not None)
        examples = "".join(f"<li>{esc(url)}</li>" for url in drifted.examples[:3])
        parts.append(f'<div class="detail">{esc(drifted.field)}{f" ({esc(numbers)})" if numbers else ""}'
                     f'{f"<ul class=examples>{examples}</ul>" if examples else ""}</div>')
    if run.drift_message:
        parts.append(f'<div class="detail">{esc(run.drift_message)}</div>')
    if run.unreadable:
        parts.append(f'<div class="detail">{esc(run.path)}: {esc(run.unreadable)}</div>')
    return "".join(parts)


def runs_table(runs: Sequence[RunReport]) -> str:
    """The status columns, newest first; failed and unreadable runs are tinted."""
    head = "".join(f'<th{" class=num" if c.numeric else ""}>{esc(c.header)}</th>' for c in COLUMNS)
    rows = []
    for run in reversed(runs):
        kind = (' class="unreadable"' if run.unreadable else ' class="killed"' if run.from_state
                else ' class="failed"' if run.failed else "")
        cells = []
        for column in COLUMNS:
            text = esc(column.cell(run))
            if column.header == "finished":
                cells.append(f'<td title="{esc(run.crawl_id)}">{text}</td>')
            elif column.header == "drift":
                cells.append(f'<td class="drift">{text}{_drift_detail(run)}</td>')
            else:
                cells.append(f'<td{" class=num" if column.numeric else ""}>{text}</td>')
        rows.append(f'<tr{kind}>{"".join(cells)}</tr>')
    return f'<table class="runs"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


DAILY_AFTER = 200
"""Past this many runs of a spider, the plots show one bar and point per day (a cron spider runs 2,880 times in a
month) and the table lists the latest runs and every run that was not ok, so the page stays small and failures
stand out."""
RECENT_ROWS = 50


def daily(runs: Sequence[RunReport]) -> list[RunReport]:
    """One aggregate per UTC day: items summed, coverage averaged, errors summed, status ok only if every run was."""
    days: dict[str, list[RunReport]] = {}
    for run in runs:
        days.setdefault(run.when.strftime("%Y-%m-%d") if run.when else "?", []).append(run)
    out = []
    for day, group in days.items():
        failed = [run for run in group if run.failed]
        fields = {name for run in group for name in run.coverage}
        coverage = {name: sum(vals) / len(vals) for name in fields
                    if (vals := [run.coverage[name] for run in group if name in run.coverage])}
        errors: dict[str, int] = {}
        for run in group:
            for kind, count in (run.errors or {}).items():
                errors[kind] = errors.get(kind, 0) + count
        out.append(RunReport(
            path=group[-1].path, spider=group[-1].spider, crawl_id=f"{day} ({len(group)} runs)",
            started_at=group[0].when, finished_at=group[-1].when,
            status="ok" if not failed else f"{len(failed)} of {len(group)} not ok",
            new_items=sum(run.new_items or 0 for run in group), revisions=sum(run.revisions or 0 for run in group),
            errors=errors, coverage=coverage, from_state=any(run.from_state for run in failed)))
    return out


def errors_table(runs: Sequence[RunReport]) -> str:
    """Errors by kind over the runs shown, with how many runs had each: what failed, at a glance."""
    totals: dict[str, list[int]] = {}
    for run in runs:
        for kind, count in (run.errors or {}).items():
            entry = totals.setdefault(kind, [0, 0])
            entry[0] += count
            entry[1] += 1
    if not totals:
        return '<p class="empty">No errors in these runs.</p>'
    rows = "".join(f'<tr><td>{esc(kind)}</td><td class="num">{count}</td><td class="num">{in_runs}</td></tr>'
                   for kind, (count, in_runs) in sorted(totals.items(), key=lambda kv: (-kv[1][0], kv[0])))
    return (f'<table class="errors"><thead><tr><th>error kind</th><th class="num">errors</th>'
            f'<th class="num">runs</th></tr></thead><tbody>{rows}</tbody></table>')


def counts_table(runs: Sequence[RunReport], attribute: str, label: str, limit: int = 20) -> str:
    """Articles by a counted key over the runs shown (publication day, agency): the newest/largest first."""
    totals: dict[str, int] = {}
    for run in runs:
        for key, count in (getattr(run, attribute) or {}).items():
            totals[key] = totals.get(key, 0) + count
    if not totals:
        return f'<p class="empty">No {esc(label)} counted in these runs.</p>'
    order = (sorted(totals.items(), reverse=True) if attribute == "published_days"
             else sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])))
    top = max(totals.values())
    rows = "".join(f'<tr><td>{esc(key)}</td><td class="num">{count}</td><td><span class="swatch" style="width:'
                   f'{max(1, round(160 * count / top))}px;background:{NEW_COLOUR}"></span></td></tr>'
                   for key, count in order[:limit])
    return (f'<table class="counts {esc(attribute)}"><thead><tr><th>{esc(label)}</th><th class="num">articles'
            f'</th><th></th></tr></thead><tbody>{rows}</tbody></table>')


def spider_section(spider: str, runs: Sequence[RunReport]) -> str:
    fields = sorted({name for run in runs for name in run.coverage})
    thresholds = expectations(runs)
    failed = sum(run.failed for run in runs)
    killed = sum(run.from_state for run in runs)
    latest = runs[-1]
    grouped = len(runs) > DAILY_AFTER
    plotted = daily(runs) if grouped else list(runs)
    per = "day" if grouped else "run"
    summary = (f"{len(runs)} run{'s' * (len(runs) != 1)} from {format_time(runs[0].when)} to "
               f"{format_time(latest.when)}; {failed} not ok ({killed} killed or without a report); latest: "
               f"{'unreadable' if latest.unreadable else latest.status or '-'}"
               + (f"; plots show one bar per day past {DAILY_AFTER} runs" if grouped else ""))
    legend_items = (f'<ul class="legend"><li><span class="swatch" style="background:{NEW_COLOUR}"></span>new items'
                    f'</li><li><span class="swatch" style="background:{REVISION_COLOUR}"></span>revisions</li>'
                    '<li><span class="swatch" style="background:#38a169"></span>ok</li>'
                    f'<li><span class="swatch" style="background:{DRIFT_COLOUR}"></span>not ok</li>'
                    '<li><span class="swatch" style="background:#1a202c"></span>killed / no report</li></ul>')
    legend_fields = "".join(
        f'<li><span class="swatch line" style="background:{PALETTE[i % len(PALETTE)]}"></span>{esc(name)}'
        f'{f" (drift below {thresholds[name]:.0%})" if name in thresholds else ""}</li>'
        for i, name in enumerate(fields))
    coverage = (coverage_svg(plotted, fields, thresholds)
                + f'<ul class="legend">{legend_fields}<li><span class="swatch dash"></span>drift threshold '
                  "(the parser's expected coverage)</li><li><span class=\"swatch ring\"></span>drifted in that run"
                  "</li></ul>"
                if fields else '<p class="empty">No run reports field coverage.</p>')
    if grouped:
        recent = list(runs[-RECENT_ROWS:])
        not_ok = [run for run in runs[:-RECENT_ROWS] if run.failed][-RECENT_ROWS * 4:]
        table = (f"<h3>Latest {len(recent)} runs (newest first)</h3>{runs_table(recent)}"
                 f"<h3>Earlier runs that were not ok ({len(not_ok)})</h3>{runs_table(not_ok)}")
    else:
        table = f"<h3>Runs (newest first)</h3>{runs_table(runs)}"
    return (f'<section class="spider" data-spider="{esc(spider)}"><h2>{esc(spider)}</h2>'
            f'<p class="meta">{esc(summary)}</p>'
            f'<h3>Items per {per}</h3>{items_svg(plotted)}{legend_items}'
            f'<h3>Field coverage per {per}</h3>{coverage}'
            f'<h3>Errors by kind</h3>{errors_table(runs)}'
            f'<h3>Articles per publication day</h3>{counts_table(runs, "published_days", "publication day")}'
            f'<h3>Articles per agency</h3>{counts_table(runs, "agencies", "agency")}'
            f'{table}</section>')


def gone_section(gone: GoneStates, schedule: GoneSchedule, now: datetime) -> str:
    """The article pages each crawl state remembers as gone, as `newscrawl status` lists them (the state as it is
    now: --since and -n narrow the runs, not this); a state that cannot be read is named with the reason. Empty
    when no state remembers any."""
    parts = []
    for spider, records in gone:
        if records.unreadable is not None:
            parts.append(f'<p class="empty">Cannot read {esc(records.source)}: {esc(records.unreadable)}</p>')
        if records.total:
            head = "".join(f'<th{" class=num" if right else ""}>{esc(name)}</th>'
                           for name, right in zip(GONE_HEADER, GONE_NUMERIC))
            rows = "".join("<tr>" + "".join(f'<td{" class=num" if right else ""}>{esc(cell)}</td>'
                                            for cell, right in zip(row, GONE_NUMERIC)) + "</tr>"
                           for row in gone_rows(records, schedule, now))
            parts.append(f'<h3>{esc(gone_heading(spider, records))}</h3><p class="meta">{esc(gone_summary(records))}, newest first; a run '
                         "asks for each again from the time shown if a source still names it.</p>"
                         f'<table class="gone"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>')
    if not parts:
        return ""
    return ('<section class="gone"><h2>Article pages remembered as gone</h2><p class="meta">HTTP 500 on every try: '
            "each crawl state skips these until a run asks again (NEWSCRAWL_GONE_* settings).</p>"
            f'{"".join(parts)}</section>')


def build_html(runs: Sequence[RunReport], *, source: str, generated_at: datetime, empty: str | None = None,
               gone: GoneStates | None = None, schedule: GoneSchedule | None = None) -> str:
    """The whole page for runs sorted oldest first (as load_runs returns), one section per spider, then the gone
    pages of each crawl state (status.read_gone_states; asked again by `schedule`, from generated_at). `empty` says
    why there is no run when reports exist but were all filtered out (the default says there are none at all)."""
    by_spider: dict[str, list[RunReport]] = {}
    for run in runs:
        by_spider.setdefault(run.spider, []).append(run)
    gone_part = gone_section(gone or [], schedule or GoneSchedule(), generated_at)
    if runs:
        body = "".join(spider_section(spider, by_spider[spider]) for spider in sorted(by_spider))
        intro = (f"{len(runs)} run{'s' * (len(runs) != 1)} of {len(by_spider)} "
                 f"spider{'s' * (len(by_spider) != 1)} from {esc(source)}; generated "
                 f"{format_time(generated_at)}. Times are UTC. Bars and lines stand at each run's time, oldest "
                 "left; the strip under each plot is the run's status (green ok, red not ok, black killed or "
                 "without a report, grey unreadable report).")
    else:
        why = empty or f"No runs yet: there are no run reports under {source}."
        body = f'<p class="empty">{esc(why)}</p>'
        intro = f"Generated {format_time(generated_at)}."
    return ("<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>newscrawl runs</title><style>{STYLE}</style></head><body>"
            f'<h1>newscrawl runs</h1><p class="meta">{intro}</p>{body}{gone_part}</body></html>\n')


def write_html(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so a browser or mailer never sees half a page."""
    write_whole(path, text.encode("utf-8"), mode=0o644)
