"""`newscrawl status` and `newscrawl report` from synthetic run reports: table content, damaged reports, escaping."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from newscrawl import cli
from newscrawl.ops.htmlreport import build_html
from newscrawl.ops.reports import load_report, load_runs
from newscrawl.ops.status import any_latest_failed, status_lines

START = datetime(2025, 11, 21, 10, 0, tzinfo=timezone.utc)
HOSTILE_URL = "https://evil.test/a?q=<script>document.title='pwned'</script>&x=\"><img src=x onerror=alert(1)>"
GENERATED = datetime(2025, 11, 22, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def no_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    """Status and report read a Redis state when $NEWSCRAWL_REDIS_URL names one (tests/test_distributed.py): not here."""
    monkeypatch.delenv("NEWSCRAWL_REDIS_URL", raising=False)


def report(index: int, spider: str = "devdiscourse", **overrides: Any) -> dict[str, Any]:
    """A run report as the runner writes it (per-outlet coverage), run `index` 15 minutes after START."""
    started = START + timedelta(minutes=15 * index)
    data: dict[str, Any] = {
        "crawl_id": f"{started:%Y%m%dT%H%M%SZ}-{index:06x}", "spider": spider, "mode": "live",
        "started_at": started.isoformat(), "finished_at": (started + timedelta(seconds=12.3)).isoformat(),
        "duration_seconds": 12.3, "status": "ok", "exit_code": 0, "finish_reason": "finished",
        "counts": {"discovered": 120, "fetched": 30, "article_pages_fetched": 25, "not_modified": 3,
                   "skipped_known": 95, "new_items": 20 + index, "revisions": 2, "items": 22,
                   "dropped": {"MissingField": 1}, "errors": {"HttpError500": 2, "TimeoutError": 1},
                   "replay_misses": 0},
        "coverage": {spider: {"articles": 23, "fields": {"title": 1.0, "body": 1.0, "published_at": 1.0,
                                                         "dateline": 0.87, "image_url": 0.9}}},
        "drift": {"failed": False, "fields": [], "message": None},
    }
    data.update(overrides)
    return data


def drifted(index: int, url: str = "https://www.devdiscourse.com/article/x/1-y") -> dict[str, Any]:
    """A run whose articles all lost their body."""
    data = report(index, status="drift", exit_code=5, drift={
        "failed": True, "message": "field coverage below expectation: body (0% < 98%)",
        "fields": [{"outlet": "devdiscourse", "field": "body", "coverage": 0.0, "expected": 0.98, "articles": 23,
                    "examples": [url]}]})
    data["coverage"]["devdiscourse"]["fields"]["body"] = 0.0
    return data


def write(output: Path, data: dict[str, Any], name: str | None = None) -> Path:
    path: Path = output / data["spider"] / (name or f"{data['crawl_id']}.report.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def table_rows(lines: list[str]) -> list[list[str]]:
    """The table part of status output (up to the first blank line), split into cells."""
    table = lines[:lines.index("")] if "" in lines else lines
    return [re.split(r"\s{2,}", line.strip()) for line in table]


def test_status_table_shows_each_run_newest_first(tmp_path: Path) -> None:
    write(tmp_path, report(0))
    write(tmp_path, drifted(1))
    write(tmp_path, report(2, spider="other", counts={"new_items": 7}))
    lines = status_lines(load_runs(tmp_path))
    rows = table_rows(lines)
    assert rows[0] == ["finished", "spider", "status", "duration", "new", "revisions", "not-modified", "skipped",
                       "dropped", "errors", "drift", "archive"]
    assert rows[1] == ["2025-11-21 10:30Z", "other", "ok", "12.3s", "7", "-", "-", "-", "-", "-", "-", "-"]
    assert rows[2] == ["2025-11-21 10:15Z", "devdiscourse", "drift", "12.3s", "21", "2", "3", "95", "1", "3",
                       "body", "-"]
    assert rows[3] == ["2025-11-21 10:00Z", "devdiscourse", "ok", "12.3s", "20", "2", "3", "95", "1", "3", "-", "-"]
    assert "latest devdiscourse: drift at 2025-11-21 10:15Z (FAILED)" in lines
    assert "latest other: ok at 2025-11-21 10:30Z (ok)" in lines


def test_skipped_counts_every_reason_the_state_skipped_for(tmp_path: Path) -> None:
    """A run that skipped 20 known articles and 32 fetched within the hour showed "skipped 20"."""
    data = report(0)
    data["counts"]["articles"] = {"fetched": 0, "skipped": {"known": 20, "recently_fetched": 32}, "gone": 4}
    write(tmp_path, data)
    assert table_rows(status_lines(load_runs(tmp_path)))[1][7] == "52"


def test_status_table_is_aligned(tmp_path: Path) -> None:
    write(tmp_path, report(0, duration_seconds=3725.0))
    write(tmp_path, report(1, spider="a-much-longer-spider-name"))
    table = status_lines(load_runs(tmp_path))[:3]
    header = table[0]
    for line in table[1:]:
        assert line.index("ok") == header.index("status")  # left-aligned text columns start together
        assert line.index(" 95 ") + 3 == header.index("skipped") + len("skipped")  # numbers end together


def test_status_limit_and_spider_filter(tmp_path: Path) -> None:
    for index in range(5):
        write(tmp_path, report(index))
    write(tmp_path, report(9, spider="other"))
    assert len(table_rows(status_lines(load_runs(tmp_path), limit=2))) == 3
    assert len(table_rows(status_lines(load_runs(tmp_path), limit=0))) == 7
    assert {row[1] for row in table_rows(status_lines(load_runs(tmp_path, "devdiscourse")))[1:]} == {
        "devdiscourse"}


@pytest.mark.parametrize("content", [b'{"crawl_id": "2025', b"", b"[1, 2]", b"\xff\xfe not utf-8", b"null"],
                         ids=["truncated", "empty", "not-an-object", "not-utf8", "null"])
def test_unreadable_report_is_listed_with_its_path(tmp_path: Path, content: bytes) -> None:
    write(tmp_path, report(0))
    bad = tmp_path / "devdiscourse" / "20251121T120000Z-dead00.report.json"
    bad.write_bytes(content)
    runs = load_runs(tmp_path)
    assert [run.unreadable is not None for run in runs] == [False, True]
    lines = status_lines(runs)
    assert table_rows(lines)[1][:3] == ["2025-11-21 12:00Z", "devdiscourse", "unreadable"]
    assert any(line.startswith(f"unreadable report {bad}: ") for line in lines)
    assert any_latest_failed(runs)  # the newest report is the damaged one


def test_report_that_is_a_directory_is_unreadable_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "devdiscourse" / "20251121T120000Z-dead00.report.json").mkdir(parents=True)
    assert load_runs(tmp_path)[0].unreadable


def test_old_or_odd_reports_are_read_tolerantly(tmp_path: Path) -> None:
    old = write(tmp_path, {"spider": "devdiscourse", "status": "ok"}, name="20251121T100000Z-0a0a0a.report.json")
    odd = write(tmp_path, {"spider": "devdiscourse", "crawl_id": "manual", "status": 5, "counts": "many",
                           "duration_seconds": "12", "finished_at": "yesterday", "coverage": [1],
                           "drift": {"failed": "yes", "fields": ["body", {"no": "field"}, 3]}},
                name="manual.report.json")
    run = load_report(old)
    assert (run.crawl_id, run.when, run.new_items, run.dropped_total) == (
        "20251121T100000Z-0a0a0a", START, None, None)
    weird = load_report(odd)
    assert (weird.status, weird.duration_seconds, weird.coverage, weird.drift_failed) == (None, None, {}, False)
    assert [f.field for f in weird.drift_fields] == ["body"]
    assert weird.when is not None  # falls back to the file's time
    rows = table_rows(status_lines(load_runs(tmp_path)))
    assert ["2025-11-21 10:00Z", "devdiscourse", "ok", "-", "-", "-", "-", "-", "-", "-", "-", "-"] in rows


def test_both_coverage_shapes_are_read(tmp_path: Path) -> None:
    flat = write(tmp_path, report(0, coverage={"articles": 23, "fields": {"body": 0.5}}))
    nested = write(tmp_path, report(1, spider="news", coverage={
        "apnews": {"articles": 3, "fields": {"body": 1.0}}, "news": {"articles": 1, "fields": {"body": 0.0}}}))
    assert load_report(flat).coverage == {"body": 0.5}
    assert load_report(nested).coverage == {"apnews:body": 1.0, "body": 0.0}


def test_replays_are_left_out(tmp_path: Path) -> None:
    write(tmp_path, report(0))
    replay = report(0, mode="replay", status="drift")
    write(tmp_path, replay, name=f"{replay['crawl_id']}.replay.report.json")
    assert [run.status for run in load_runs(tmp_path)] == ["ok"]
    assert len(load_runs(tmp_path, replays=True)) == 2


def test_cli_status_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["status", "--output", str(tmp_path)]) == 0
    assert "no run reports under" in capsys.readouterr().out
    write(tmp_path, drifted(0))
    write(tmp_path, report(1))
    assert cli.main(["status", "--output", str(tmp_path)]) == 0  # an older failure does not count
    capsys.readouterr()
    write(tmp_path, report(2, status="fetch-failures", exit_code=4))
    assert cli.main(["status", "--output", str(tmp_path), "-n", "1"]) == 1
    out = capsys.readouterr().out
    assert "fetch-failures" in out and len(table_rows(out.splitlines())) == 2
    assert cli.main(["status", "--output", str(tmp_path / "missing")]) == 2
    assert cli.main(["status", "--output", str(tmp_path), "--spider", "typo"]) == 2
    with pytest.raises(SystemExit) as usage:
        cli.main(["status", "-n", "-3"])
    assert usage.value.code == 2


def test_a_spider_without_an_output_folder_gets_its_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`status --spider NAME` needed output/NAME/: a crawl killed before it wrote anything there (its state knows a
    run and gone pages, its lock who took it), a spider whose state only Redis holds, or one that never ran, were
    "no such folder", exit 2. Now each gets what it has, and "never run" when nothing knows it; the table and the
    JSON document agree."""
    from newscrawl.state.store import StateStore

    store = StateStore(tmp_path / "state" / "devdiscourse.sqlite")
    store.start_run("20251121T101500Z-aaaaaa", "devdiscourse", "2025-11-21T10:15:00+00:00", None)
    store.record_gone("2025-11-21T10:20:00+00:00", [("devdiscourse:1", "https://www.devdiscourse.com/a/1-y", None)])
    store.close()
    (tmp_path / "state" / "devdiscourse.lock").write_text("pid 4242 since 2025-11-21T10:15:00+00:00")
    assert not (tmp_path / "devdiscourse").exists()
    assert cli.main(["status", "--output", str(tmp_path), "--spider", "devdiscourse"]) == 1, "its latest run: running"
    out, err = capsys.readouterr()
    assert table_rows(out.splitlines())[1][1:3] == ["devdiscourse", "running"] and err == ""
    assert "\ngone devdiscourse: 1 article page remembered as gone (www.devdiscourse.com 1); the latest 1:\n" in out
    code, document = status_json(capsys, "--output", str(tmp_path), "--spider", "devdiscourse")
    assert code == 1 and [run["status"] for run in document["runs"]] == ["running"]
    assert [gone["total"] for gone in document["gone"]] == [1] and document["problems"] == []

    (tmp_path / "state" / "news.lock").write_text("pid 77 since 2025-11-21T11:00:00+00:00")  # stopped before its state
    assert cli.main(["status", "--output", str(tmp_path), "--spider", "news"]) == 0
    state = tmp_path / "state" / "news.sqlite"
    assert capsys.readouterr().out == (f"news: no run recorded (no run report under {tmp_path / 'news'}, no crawl "
                                       f"state {state}); its run lock {state.with_suffix('.lock')} was last taken "
                                       "by pid 77 since 2025-11-21T11:00:00+00:00\n")

    fresh = tmp_path / "fresh"
    fresh.mkdir()
    assert cli.main(["status", "--output", str(fresh), "--spider", "news"]) == 0, "a project spider never run"
    assert capsys.readouterr().out == (f"news: never run (nothing under {fresh / 'news'}, no crawl state "
                                       f"{fresh / 'state' / 'news.sqlite'})\n")
    code, document = status_json(capsys, "--output", str(fresh), "--spider", "news")
    assert (code, document["spider"], document["runs_found"], document["runs"], document["latest"],
            document["gone"], document["problems"]) == (0, "news", 0, [], [], [], [])
    page = fresh / "report.html"
    assert cli.main(["report", "-o", str(page), "--output", str(fresh), "--spider", "news"]) == 0
    assert "No runs yet" in page.read_text(encoding="utf-8")
    capsys.readouterr()

    StateStore(tmp_path / "state" / "retired.sqlite").close()  # no longer in the project: its state is still shown
    assert cli.main(["status", "--output", str(tmp_path), "--spider", "retired"]) == 0
    assert capsys.readouterr().out.startswith("retired: no run recorded (no run report under ")


def test_an_unknown_spider_is_one_line_naming_the_known_ones(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Known: the project's spiders and those the output folder holds a folder, state file or lock of."""
    write(tmp_path, report(0, spider="other"))
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "locked.lock").write_text("pid 1 since 2025-11-21T10:00:00+00:00")
    for args in ([], ["--json"]):
        assert cli.main(["status", *args, "--output", str(tmp_path), "--spider", "typo"]) == 2
        assert capsys.readouterr() == ("", "newscrawl status: unknown spider 'typo' (known: devdiscourse, locked, "
                                           "news, other)\n")
    assert cli.main(["report", "-o", str(tmp_path / "r.html"), "--output", str(tmp_path), "--spider", "typo"]) == 2
    assert capsys.readouterr().err.startswith("newscrawl report: unknown spider 'typo' (known: devdiscourse, ")
    assert not (tmp_path / "r.html").exists()


def test_report_html_escapes_hostile_strings(tmp_path: Path) -> None:
    write(tmp_path, report(0, coverage={"devdiscourse": {"articles": 2, "fields": {"<b>title</b>": 1.0}}}))
    hostile = drifted(1, url=HOSTILE_URL)
    hostile["drift"]["message"] = "<script>alert('message')</script>"
    write(tmp_path, hostile)
    write(tmp_path, report(2, spider="<svg onload=alert(1)>", crawl_id='"><script>alert(2)</script>'))
    page = build_html(load_runs(tmp_path), source="<output>", generated_at=GENERATED)
    assert "<script" not in page.lower() and "<img" not in page.lower() and "<b>" not in page
    assert "<svg onload" not in page.lower()
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;" in page
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;b&gt;title&lt;/b&gt;" in page and "&lt;output&gt;" in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_report_html_has_no_external_resources(tmp_path: Path) -> None:
    for index in range(3):
        write(tmp_path, report(index))
    page = build_html(load_runs(tmp_path), source="output", generated_at=GENERATED)
    assert not re.search(r"""(src|href)\s*=|@import|url\(|<link|<script""", page, re.IGNORECASE)


@pytest.mark.parametrize("count", [0, 1, 300])
def test_report_html_for_zero_one_and_many_runs(tmp_path: Path, count: int) -> None:
    for index in range(count):
        write(tmp_path, report(index))
    page = build_html(load_runs(tmp_path), source="output", generated_at=GENERATED)
    plotted = count if count <= 200 else 4  # past 200 runs, one bar per day: 300 runs 15 min apart span 4 days
    assert page.count('class="bar new"') == plotted
    assert page.count('class="bar revisions"') == plotted
    runs_rows = re.findall(r'<table class="runs">.*?</table>', page, re.S)
    listed = sum(table.count("<tr class") + table.count("<tr>") for table in runs_rows)
    assert listed == (min(count, 50) + (2 if count > 200 else 1) if count else 0)  # header rows: one per table
    assert page.count('class="coverage-line"') == (5 if count else 0)
    if count == 0:
        assert "No runs yet" in page
    else:
        # the parser's expectations: title/body/published_at 98%, dateline/image_url 50% (byline is not plotted)
        assert re.findall(r'class="threshold" data-fields="([^"]*)"', page) == [
            "body published_at title", "dateline image_url"]


def test_cli_report_writes_the_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, report(0))
    out = tmp_path / "report.html"
    assert cli.main(["report", "-o", str(out), "--output", str(tmp_path), "--spider", "devdiscourse"]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert capsys.readouterr().out == f"wrote {out}: 1 run\n"
    assert cli.main(["report", "-o", str(tmp_path / "no" / "dir.html"), "--output", str(tmp_path)]) == 2
    assert cli.main(["report", "-o", str(out), "--output", str(tmp_path / "missing")]) == 2


def test_report_since_after_every_run_says_none_is_that_recent(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """`--since` past every run said "No runs yet: there are no run reports" beside reports it had just read."""
    for index in range(2):
        write(tmp_path, report(index))
    out = tmp_path / "report.html"
    assert cli.main(["report", "-o", str(out), "--output", str(tmp_path), "--since", "2030-01-01"]) == 0
    page = out.read_text(encoding="utf-8")
    assert "No runs yet" not in page
    assert (f"No runs since 2030-01-01: none of the 2 run reports under {tmp_path} is from that UTC day or later."
            in page)
    assert capsys.readouterr().out == f"wrote {out}: 0 runs (2 under {tmp_path}, none from 2030-01-01 on)\n"
    (tmp_path / "empty").mkdir()
    assert cli.main(["report", "-o", str(out), "--output", str(tmp_path / "empty"), "--since", "2030-01-01"]) == 0
    assert "No runs yet: there are no run reports under" in out.read_text(encoding="utf-8")  # none at all


def test_killed_and_unreported_runs_from_the_state_are_listed_and_fail_the_latest(tmp_path: Path) -> None:
    """Issue 15.6: runs that wrote no report (killed, crashed) were invisible and status said "latest: ok"."""
    from newscrawl.state.store import Revision, StateStore

    write(tmp_path, report(0))
    store = StateStore(tmp_path / "state" / "devdiscourse.sqlite")
    for crawl_id, minute, status in (("20251121T101500Z-aaaaaa", 15, "killed"),
                                     ("20251121T103000Z-bbbbbb", 30, "running")):
        store.start_run(crawl_id, "devdiscourse", f"2025-11-21T10:{minute}:00+00:00", None)
        if status == "killed":
            store.finish_run(crawl_id, "", "killed")
        store.record_revision(Revision(key=f"k{minute}", revision=1, crawl_id=crawl_id, fetched_at="t", url="u",
                                       content_sha256="c", body_sha256="b", item={}),
                              etag=None, last_modified=None, signal=None, published_at=None)
    store.close()
    folder = tmp_path / "devdiscourse"
    (folder / "20251121T101500Z-aaaaaa.warc.gz").write_bytes(b"")
    lines = status_lines(load_runs(tmp_path))
    rows = table_rows(lines)
    assert [row[2] for row in rows[1:]] == ["running", "killed", "ok"]
    killed = rows[2]
    assert killed[4] == "1" and killed[-1] == "20251121T101500Z-aaaaaa.warc.gz"
    assert "latest devdiscourse: running at 2025-11-21 10:30Z (FAILED)" in lines
    assert any_latest_failed(load_runs(tmp_path))
    page = build_html(load_runs(tmp_path), source="output", generated_at=GENERATED)
    assert "killed" in page and "20251121T101500Z-aaaaaa" in page


def test_status_shows_the_articles_each_state_remembers_as_gone(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """The state remembered gone article pages (HTTP 500 on every try) and skipped them for hours, and nothing but the
    state file said which: status showed none of them. Now it counts them per spider and site and lists the latest:
    when last and first found gone, by how many runs, and when a run may ask again."""
    from newscrawl.ops.status import gone_lines, read_gone_states
    from newscrawl.state.gone import GoneSchedule
    from newscrawl.state.store import StateStore

    write(tmp_path, report(0))
    store = StateStore(tmp_path / "state" / "devdiscourse.sqlite")
    first = START + timedelta(minutes=15)
    site = "https://www.devdiscourse.com/article/x"
    store.record_gone(first.isoformat(), [(f"devdiscourse:{n}", f"{site}/{n}-y", None) for n in range(1, 8)])
    store.record_gone((first + timedelta(hours=1)).isoformat(), [("devdiscourse:3", f"{site}/3-y", None)])
    store.close()
    news = StateStore(tmp_path / "state" / "news.sqlite")
    news.record_gone(first.isoformat(), [("a", "https://Example.org/a", None), ("b", "https://example.org/b", None),
                                         ("c", "https://other.net/c", None)])
    news.close()
    StateStore(tmp_path / "state" / "quiet.sqlite").close()  # remembers none: not listed

    now = first + timedelta(hours=1, minutes=30)
    lines = gone_lines(read_gone_states(tmp_path, None), GoneSchedule(), now)
    assert lines[:9] == [
        "",
        "gone devdiscourse: 7 article pages remembered as gone (www.devdiscourse.com 7); the latest 5:",
        "  last gone          first gone         runs  asked again        url",
        "  2025-11-21 11:15Z  2025-11-21 10:15Z     2  2025-11-21 13:15Z  https://www.devdiscourse.com/article/x/3-y",
        "  2025-11-21 10:15Z  2025-11-21 10:15Z     1  due                https://www.devdiscourse.com/article/x/1-y",
        "  2025-11-21 10:15Z  2025-11-21 10:15Z     1  due                https://www.devdiscourse.com/article/x/2-y",
        "  2025-11-21 10:15Z  2025-11-21 10:15Z     1  due                https://www.devdiscourse.com/article/x/4-y",
        "  2025-11-21 10:15Z  2025-11-21 10:15Z     1  due                https://www.devdiscourse.com/article/x/5-y",
        "",
    ]
    assert lines[9] == "gone news: 3 article pages remembered as gone (example.org 2, other.net 1); the latest 3:"
    assert len(lines) == 14
    slower = gone_lines(read_gone_states(tmp_path, "devdiscourse"), GoneSchedule(first_retry=timedelta(hours=2)), now)
    assert slower[3].split()[5:7] == ["2025-11-21", "15:15Z"], "the schedule the settings give"
    assert len(slower) == 8, "--spider: that spider's state only"

    assert cli.main(["status", "--output", str(tmp_path)]) == 0, "remembered gone pages fail nothing"
    out = capsys.readouterr().out
    assert "\ngone devdiscourse: 7 article pages remembered as gone (www.devdiscourse.com 7); the latest 5:\n" in out
    assert "  last gone          first gone         runs  asked again  url\n" in out  # all due by now
    assert "gone news: 3 article pages" in out and "quiet" not in out


def test_status_names_a_bad_gone_setting(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """When a run may ask again is counted with the crawls' own NEWSCRAWL_GONE_* settings; a bad one is one line."""
    from scrapy.settings import Settings

    write(tmp_path, report(0))
    monkeypatch.setattr(cli, "get_project_settings", lambda: Settings({"NEWSCRAWL_GONE_RETRY_FACTOR": "half"}))
    assert cli.main(["status", "--output", str(tmp_path)]) == 2
    assert capsys.readouterr().err == ("newscrawl status: bad setting NEWSCRAWL_GONE_RETRY_FACTOR='half': expected a "
                                       "number, 1 or more (1: the retry time never grows)\n")
    assert cli.main(["report", "-o", str(tmp_path / "r.html"), "--output", str(tmp_path)]) == 2  # it lists them too
    assert capsys.readouterr().err.startswith("newscrawl report: bad setting NEWSCRAWL_GONE_RETRY_FACTOR='half'")


def damaged_state(output: Path, spider: str) -> Path:
    """A crawl state file that is not SQLite (a disk error, a half-copied file)."""
    path = output / "state" / f"{spider}.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a database, " * 512)
    return path


def status_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    """`newscrawl status --json ARGS`: its exit code and the document, checked against docs/status.schema.json."""
    import jsonschema

    from newscrawl import schema

    code = cli.main(["status", "--json", *args])
    document = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator(json.loads(schema.STATUS_SCHEMA.read_text(encoding="utf-8"))).validate(document)
    return code, document


def test_status_json_is_the_table_as_one_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Data teams and monitors scraped the aligned table; --json gives the same runs, latest runs and gone pages, with
    ISO 8601 times, numbers as numbers and "-" as null, and the same exit code."""
    from newscrawl.state.store import StateStore

    write(tmp_path, report(0, warc=["output/devdiscourse/20251121T100000Z-000000.warc.gz"]))
    write(tmp_path, drifted(1))
    write(tmp_path, report(2, spider="other", counts={"new_items": 7}, duration_seconds=float("nan")))
    store = StateStore(tmp_path / "state" / "devdiscourse.sqlite")
    site = "https://www.devdiscourse.com/article/x"
    store.record_gone((START + timedelta(minutes=15)).isoformat(),
                      [(f"devdiscourse:{n}", f"{site}/{n}-y", None) for n in range(1, 8)])
    store.record_gone((START + timedelta(minutes=75)).isoformat(), [("devdiscourse:3", f"{site}/3-y", None)])
    store.close()

    table_code = cli.main(["status", "--output", str(tmp_path)])
    table = table_rows(capsys.readouterr().out.splitlines())
    code, document = status_json(capsys, "--output", str(tmp_path))
    assert code == table_code == document["exit_code"] == 1  # devdiscourse's latest run drifted
    assert (document["schema_version"], document["output"], document["spider"], document["runs_found"]) == (
        1, str(tmp_path), None, 3)
    assert datetime.fromisoformat(document["generated_at"]).utcoffset() == timedelta(0)
    runs = document["runs"]
    assert [(run["spider"], run["status"], run["ok"]) for run in runs] == [
        ("other", "ok", True), ("devdiscourse", "drift", False), ("devdiscourse", "ok", True)]
    drift = runs[1]
    assert {key: drift[key] for key in ("finished", "started_at", "finished_at", "duration_seconds", "new_items",
                                        "revisions", "not_modified", "skipped", "dropped", "errors", "drift",
                                        "drift_failed", "archive", "mode", "from_state", "unreadable")} == {
        "finished": "2025-11-21T10:15:12.300000+00:00", "started_at": "2025-11-21T10:15:00+00:00",
        "finished_at": "2025-11-21T10:15:12.300000+00:00", "duration_seconds": 12.3, "new_items": 21,
        "revisions": 2, "not_modified": 3, "skipped": 95, "dropped": 1, "errors": 3, "drift": ["body"],
        "drift_failed": True, "archive": [], "mode": "live", "from_state": False, "unreadable": None}
    assert (drift["dropped_by_reason"], drift["errors_by_kind"]) == ({"MissingField": 1},
                                                                     {"HttpError500": 2, "TimeoutError": 1})
    assert drift["crawl_id"] == "20251121T101500Z-000001"
    assert drift["report"] == str(tmp_path / "devdiscourse" / "20251121T101500Z-000001.report.json")
    assert runs[2]["archive"] == ["output/devdiscourse/20251121T100000Z-000000.warc.gz"]
    other = runs[0]  # "-" in the table is null here; a NaN duration (Python's json reads one) is null too
    assert [other[key] for key in ("duration_seconds", "revisions", "skipped", "dropped", "errors")] == [None] * 5
    for row, run in zip(table[1:], runs):  # every cell of the table, in the table's order
        assert row[:3] == [run["finished"][:16].replace("T", " ") + "Z", run["spider"], run["status"]]
        assert row[4:10] == [str(value) if value is not None else "-" for value in (
            run["new_items"], run["revisions"], run["not_modified"], run["skipped"], run["dropped"], run["errors"])]
        assert row[10] == (",".join(run["drift"]) or "-")
    assert document["latest"] == [
        {"spider": "devdiscourse", "crawl_id": "20251121T101500Z-000001", "status": "drift",
         "finished": "2025-11-21T10:15:12.300000+00:00", "ok": False},
        {"spider": "other", "crawl_id": "20251121T103000Z-000002", "status": "ok",
         "finished": "2025-11-21T10:30:12.300000+00:00", "ok": True}]
    [gone] = document["gone"]
    assert (gone["spider"], gone["state"], gone["shared"], gone["total"], gone["sites"]) == (
        "devdiscourse", str(tmp_path / "state" / "devdiscourse.sqlite"), False, 7,
        [{"site": "www.devdiscourse.com", "count": 7}])
    assert len(gone["latest"]) == 5 and gone["latest"][0] == {
        "key": "devdiscourse:3", "url": f"{site}/3-y", "last_gone": "2025-11-21T11:15:00+00:00",
        "first_gone": "2025-11-21T10:15:00+00:00", "runs": 2, "asked_again": "2025-11-21T13:15:00+00:00",
        "due": True}
    assert document["problems"] == []

    code, document = status_json(capsys, "--output", str(tmp_path), "--spider", "other", "-n", "1")
    assert code == 0 and document["spider"] == "other" and [run["spider"] for run in document["runs"]] == ["other"]
    assert document["gone"] == []


def test_status_json_says_when_a_gone_page_is_asked_again() -> None:
    from newscrawl.ops.statusjson import status_document
    from newscrawl.state.gone import GoneSchedule
    from newscrawl.state.store import GoneArticle, GoneRecords

    pages = [GoneArticle("k", "http://m/k", "2025-11-21T10:00:00+00:00", "2025-11-21T10:45:00+05:30", 3, None),
             GoneArticle("j", "http://m/j", "junk", "also junk", 1, None)]
    records = [("s", GoneRecords({"m": 2}, pages, source="output/state/s.sqlite"))]
    document = status_document([], records, output="output", spider=None, limit=20, schedule=GoneSchedule(),
                               now=datetime(2025, 11, 21, 7, tzinfo=timezone.utc))
    first, junk = document.gone[0].latest
    assert (first.last_gone, first.asked_again, first.due) == (
        "2025-11-21T05:15:00+00:00", "2025-11-21T09:15:00+00:00", False)  # 4 hours after the third run found it
    assert (junk.last_gone, junk.first_gone, junk.asked_again, junk.due) == (None, None, None, True)
    assert (document.exit_code, document.runs, document.latest) == (0, [], [])


def test_status_json_lists_what_it_could_not_read_and_goes_on(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                              caplog: pytest.LogCaptureFixture) -> None:
    """A damaged report or state file costs only itself, as in the table: a `problems` entry, never a traceback."""
    from newscrawl.state.store import StateStore

    write(tmp_path, report(0))
    bad = tmp_path / "devdiscourse" / "20251121T120000Z-dead00.report.json"
    bad.write_bytes(b'{"crawl_id": "2025')
    broken = damaged_state(tmp_path, "broken")
    store = StateStore(tmp_path / "state" / "devdiscourse.sqlite")
    store.record_gone(START.isoformat(), [("devdiscourse:1", "https://www.devdiscourse.com/article/x/1-y", None)])
    store.close()

    table_code = cli.main(["status", "--output", str(tmp_path)])
    table_out = capsys.readouterr().out
    assert f"unreadable report {bad}: " in table_out and "gone devdiscourse: 1 article page" in table_out
    assert f"Cannot read the gone articles of {broken}" in caplog.text  # the table's warning, on stderr
    code, document = status_json(capsys, "--output", str(tmp_path))
    assert code == table_code == 1  # the newest devdiscourse report is the damaged one
    assert [(run["status"], run["ok"], run["new_items"]) for run in document["runs"]] == [
        ("unreadable", False, None), ("ok", True, 20)]
    assert document["runs"][0]["unreadable"] == document["problems"][0]["reason"]
    assert [(p["kind"], p["path"]) for p in document["problems"]] == [
        ("unreadable-report", str(bad)), ("unreadable-state", str(broken))]
    assert "not a database" in document["problems"][1]["reason"]
    assert [gone["spider"] for gone in document["gone"]] == ["devdiscourse"]


def test_status_json_exit_codes_are_the_tables(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, document = status_json(capsys, "--output", str(tmp_path))
    assert code == 0 and (document["runs"], document["latest"], document["gone"], document["problems"]) == (
        [], [], [], [])
    assert cli.main(["status", "--json", "--output", str(tmp_path / "missing")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == f"newscrawl status: no such folder {tmp_path / 'missing'}\n"


def test_status_json_schema_and_docs_are_current() -> None:
    """The document's keys are documented where they are defined (ops/statusjson.py); the tables in operating.md and
    docs/status.schema.json are generated from there."""
    import jsonschema

    from newscrawl import schema

    page = schema.OPERATING.read_text(encoding="utf-8")
    assert page == schema.with_status_tables(page), "docs/operating.md is out of date: python -m newscrawl.schema --write"
    committed = json.loads(schema.STATUS_SCHEMA.read_text(encoding="utf-8"))
    assert committed == schema.status_json_schema(), (
        "docs/status.schema.json is out of date: python -m newscrawl.schema --write")
    jsonschema.Draft202012Validator.check_schema(committed)
    for cls in schema.STATUS_CLASSES:
        documented = schema.field_docs(cls)
        assert not [f.name for f in dataclasses.fields(cls) if f.name not in documented], cls.__name__


def test_report_lists_the_gone_pages_as_status_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The page showed runs only: the article pages a crawl state skips as gone were in `newscrawl status` alone. Now
    the page lists them too, with status's numbers, escaped (a URL is text from a crawled site), whatever --since
    keeps of the runs; a state that cannot be read is named, and the page is still written."""
    import html

    from newscrawl.ops.status import gone_rows, read_gone_states
    from newscrawl.state.gone import GoneSchedule
    from newscrawl.state.store import StateStore

    write(tmp_path, report(0))
    store = StateStore(tmp_path / "state" / "devdiscourse.sqlite")
    site = "https://www.devdiscourse.com/article/x"
    store.record_gone((START + timedelta(minutes=15)).isoformat(),
                      [(f"devdiscourse:{n}", f"{site}/{n}-y", None) for n in range(1, 8)])
    store.record_gone((START + timedelta(minutes=75)).isoformat(), [("devdiscourse:3", f"{site}/3-y", None)])
    store.record_gone((START + timedelta(minutes=80)).isoformat(), [("evil", HOSTILE_URL, None)])
    store.close()
    broken = damaged_state(tmp_path, "broken")
    out = tmp_path / "report.html"
    assert cli.main(["report", "-o", str(out), "--output", str(tmp_path)]) == 0
    page = out.read_text(encoding="utf-8")
    section = page[page.index('<section class="gone">'):]
    assert "<h2>Article pages remembered as gone</h2>" in section and "<h3>devdiscourse</h3>" in section
    assert ("8 article pages remembered as gone (www.devdiscourse.com 7, evil.test 1); the latest 5, newest first"
            in section)
    rows = [[html.unescape(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", section.split('<table class="gone">')[1])][1:]  # under the header
    [(_, records)] = read_gone_states(tmp_path, "devdiscourse")
    expected = gone_rows(records, GoneSchedule(),
                         datetime.now(timezone.utc))
    assert rows == expected and rows[0][4] == HOSTILE_URL
    assert rows[1] == ["2025-11-21 11:15Z", "2025-11-21 10:15Z", "2", "due", f"{site}/3-y"]
    assert f"Cannot read {broken}: file is not a database" in section
    assert "<script" not in page.lower() and "<img" not in page.lower()

    assert cli.main(["report", "-o", str(out), "--output", str(tmp_path), "--since", "2030-01-01"]) == 0
    assert "<h3>devdiscourse</h3>" in out.read_text(encoding="utf-8")  # the state as it is now, not the runs kept
    assert cli.main(["report", "-o", str(out), "--output", str(tmp_path), "--spider", "devdiscourse"]) == 0
    assert "broken" not in out.read_text(encoding="utf-8")
    capsys.readouterr()


def test_a_redis_url_without_the_distributed_extra_costs_only_the_redis_part(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """REDIS_URL set where redis-py is not installed: the state files' gone pages and the runs are still shown."""
    import sys

    write(tmp_path, report(0))
    monkeypatch.setitem(sys.modules, "redis", None)  # what a single-machine install has
    monkeypatch.setenv("NEWSCRAWL_REDIS_URL", "redis://127.0.0.1:1/0")
    assert cli.main(["status", "--json", "--output", str(tmp_path)]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [run["status"] for run in document["runs"]] == ["ok"] and document["gone"] == []
    assert document["problems"] == [{"kind": "unreadable-state", "path": "Redis (REDIS_URL)",
                                     "reason": "redis is not installed: pip install 'newscrawl[distributed]'"}]
