"""Every documented failure is one line (issue 20): an unwritable log, feed or state folder, and a full disk.

Each case runs the real commands, `scrapy crawl` and `newscrawl run`, against a loopback mirror: stderr holds exactly
one line, naming the path, and no traceback (nor Python's "--- Logging error ---" blocks); then, with the folder
writable or the disk grown, `newscrawl run` completes and nothing is lost: every article once across the feeds,
the state's revisions equal the feed lines, every run report counts what its feed holds, and no temporary file
(`.report.json.tmp`, a WARC's `.open`, a torn feed line) is left.

`scrapy crawl` gets `-s LOG_FILE=…` (except where the log is the failure), so its stderr holds only what the
command itself says, as under `newscrawl run`; the line names the command that was run (`newscrawl run devdiscourse:`
under `newscrawl run`, though the crawl it starts is the one that says it). Folders are made read-only with a read-only bind mount (root ignores
modes) and the disk full with a small tmpfs; both are skipped where mounting is not permitted.
"""

from __future__ import annotations

import errno
import io
import json
import logging
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from newscrawl.commands import logfile
from tests.sitegen.corpus import corpus, seed_spec
from tests.sitegen.devdiscourse import NewsSpec
from tests.sitegen.server import MirrorServer, build_devdiscourse_mirror
from tests.test_faults import _mount, assert_state_opens, feed_ids, newscrawl_run, read_only, scrapy_crawl, tiny_disk

COMMANDS = ["scrapy crawl", "newscrawl run"]


@pytest.fixture(scope="module")
def specs() -> list[NewsSpec]:
    return [seed_spec(), *corpus(24, seed=11)]


@pytest.fixture(scope="module")
def mirror(specs: list[NewsSpec]) -> Iterator[MirrorServer]:
    with MirrorServer(build_devdiscourse_mirror(specs)) as server:
        yield server


def run(command: str, workdir: Path, server: MirrorServer, *extra: str) -> subprocess.CompletedProcess[str]:
    if command == "newscrawl run":
        return newscrawl_run(workdir, server, *extra, timeout=90)
    if not any(arg.startswith(("LOG_FILE=", "--logfile")) for arg in extra):
        extra = ("-s", f"LOG_FILE={workdir / 'crawl.log'}", *extra)
    return scrapy_crawl(workdir, server, *extra, timeout=90)


def refusal(done: subprocess.CompletedProcess[str]) -> str:
    return os.strerror(errno.EROFS if "Read-only" in done.stderr else errno.EACCES)


def the_one_line(done: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in done.stderr and "Logging error" not in done.stderr, done.stderr[-3000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr[-3000:]
    return lines[0]


def feed_lines(workdir: Path, feed: str) -> int:
    return len((workdir / feed).read_text(encoding="utf-8").splitlines())


def assert_nothing_lost(workdir: Path, server: MirrorServer, specs: list[NewsSpec]) -> None:
    again = newscrawl_run(workdir, server, timeout=90)
    assert again.returncode == 0, again.stdout + again.stderr
    ids = feed_ids(workdir)  # fails on any torn or invalid line
    assert sorted(ids) == sorted(str(spec.news_id) for spec in specs), "every article exactly once"
    assert_state_opens(workdir, len(specs))
    db = sqlite3.connect(workdir / "output" / "state" / "devdiscourse.sqlite")
    try:
        assert db.execute("SELECT COUNT(*) FROM revisions").fetchone()[0] == len(ids), "state revisions = feed lines"
    finally:
        db.close()
    for path in (workdir / "output" / "devdiscourse").glob("*.report.json"):
        report = json.loads(path.read_text(encoding="utf-8"))
        assert report["counts"]["items"] == feed_lines(workdir, report["feed"]), f"{path.name} agrees with its feed"
    leftovers = [str(p) for p in workdir.rglob("*") if p.name.endswith((".tmp", ".open"))]
    assert not leftovers, f"temporary files left behind: {leftovers}"


# ---- unwritable folders: refused before the crawl, nothing fetched ---------------------------------------------
@pytest.mark.parametrize("command", COMMANDS)
def test_an_unwritable_log_folder_is_one_line(mirror: MirrorServer, specs: list[NewsSpec], tmp_path: Path,
                                              command: str) -> None:
    """`newscrawl run` logs to output/<spider>/ (state writable); `scrapy crawl --logfile` anywhere. Scrapy's own
    log setup printed a 27-line traceback, and the runner then pointed at a log that was never created."""
    folder = tmp_path / ("output/devdiscourse" if command == "newscrawl run" else "logs")
    folder.mkdir(parents=True)
    with read_only(folder):
        done = run(command, tmp_path, mirror, *(() if command == "newscrawl run" else ("--logfile", "logs/crawl.log")))
    line = the_one_line(done)
    assert done.returncode == 1
    if command == "newscrawl run":
        assert line.startswith("newscrawl run devdiscourse: not started, cannot write output/devdiscourse/")
        assert line.endswith(f".log in output/devdiscourse: {refusal(done)}")
    else:
        assert line == f"scrapy crawl devdiscourse: not started, cannot write the log logs/crawl.log: {refusal(done)}"
    assert_nothing_lost(tmp_path, mirror, specs)


@pytest.mark.parametrize("command", COMMANDS)
def test_an_unwritable_feed_folder_is_one_line(mirror: MirrorServer, specs: list[NewsSpec], tmp_path: Path,
                                               command: str) -> None:
    """Scrapy would log a traceback for every item, exit 0 and leave the feed missing."""
    (tmp_path / "feeds").mkdir()
    with read_only(tmp_path / "feeds"):
        done = run(command, tmp_path, mirror, "-o", "feeds/extra.jsonl")
    assert done.returncode == 1 and done.stdout == ""
    assert the_one_line(done) == (f"{command} devdiscourse: not started, cannot write the feed feeds/extra.jsonl in "
                                  f"feeds: {refusal(done)}")
    assert not list((tmp_path / "output").rglob("*.jsonl")), "nothing crawled"
    assert_nothing_lost(tmp_path, mirror, specs)


@pytest.mark.parametrize("command", COMMANDS)
def test_an_unwritable_state_folder_is_one_line(mirror: MirrorServer, specs: list[NewsSpec], tmp_path: Path,
                                                command: str) -> None:
    """It was a usage message (exit 2) around SQLite's "unable to open database file"."""
    state = tmp_path / "output" / "state"
    state.mkdir(parents=True)
    with read_only(state):
        done = run(command, tmp_path, mirror)
    assert done.returncode == 1 and done.stdout == ""
    assert the_one_line(done) == (f"{command} devdiscourse: not started, cannot write the state "
                                  f"output/state/devdiscourse.sqlite in output/state: {refusal(done)}")
    assert not list((tmp_path / "output").rglob("*.jsonl")), "nothing crawled"
    assert_nothing_lost(tmp_path, mirror, specs)


# ---- full disk: stopped mid-crawl, recovered by the next run ----------------------------------------------------
@pytest.mark.parametrize("command", COMMANDS)
def test_a_full_disk_is_one_line_and_the_next_run_loses_nothing(mirror: MirrorServer, specs: list[NewsSpec],
                                                                tmp_path: Path, command: str) -> None:
    """The crawl stops at the first write the disk refuses; with the log on that disk, Python's logging printed
    15–37 "--- Logging error ---" tracebacks, now folded into the one line."""
    output = tmp_path / "output"
    output.mkdir()
    with tiny_disk(output, "250k"):
        done = run(command, tmp_path, mirror, *(() if command == "newscrawl run"
                                                else ("-s", "LOG_FILE=output/crawl.log")))
        assert done.returncode == 1, done.stdout + done.stderr
        line = the_one_line(done)
        assert line.startswith(f"{command} devdiscourse: the crawl stopped early (archive_write_error): cannot "
                               "write WARC in output: [Errno 28] No space left on device"), line
        assert "is incomplete: No space left on device" in line, "the log on the full disk is named, once"
        assert not list(output.rglob("*.tmp")), "no half-written temporary file, even before recovery"
        assert _mount("-o", "remount,size=64m", str(output)), "grow the disk"
        assert_nothing_lost(tmp_path, mirror, specs)


def test_reports_of_runs_stopped_by_a_full_disk_agree_with_their_feeds_after_recovery(
        mirror: MirrorServer, specs: list[NewsSpec], tmp_path: Path) -> None:
    """The report is written when the spider closes, before the feed is flushed: on a full disk it counted items
    its feed never kept (9 counted, 1 kept at 250 KiB). The next run's recovery cuts the feed back to whole lines
    and rewrites the report's counts from it (the first counts kept under `recovery`), status `error`."""
    mismatched = 0
    for size in ("150k", "250k", "300k", "650k"):  # stopped at the WARC or the state, at the feed or the report
        workdir = tmp_path / size
        output = workdir / "output"
        output.mkdir(parents=True)
        with tiny_disk(output, size):
            done = newscrawl_run(workdir, mirror, timeout=90)
            assert done.returncode == 1 and "Traceback" not in done.stderr, done.stdout + done.stderr
            before = {path: json.loads(path.read_text())["counts"]["items"]
                      for path in (output / "devdiscourse").glob("*.report.json")}
            assert _mount("-o", "remount,size=64m", str(output)), "grow the disk"
            assert_nothing_lost(workdir, mirror, specs)
            for path, counted in before.items():
                report = json.loads(path.read_text())
                kept = report["counts"]["items"]
                if counted != kept:
                    mismatched += 1
                    assert report["status"] == "error" and report["exit_code"] == 1
                    assert report["recovery"]["reported"]["items"] == counted
                    assert report["recovery"]["feed_items"] == kept < counted
    assert mismatched, "at least one disk size stopped the run with items counted that its feed did not keep"


def test_a_feed_that_cannot_be_stored_makes_the_run_an_error_not_ok(mirror: MirrorServer, specs: list[NewsSpec],
                                                                     tmp_path: Path) -> None:
    """An extra feed on a full disk, everything else fine: Scrapy stores feeds after the report is written, so the
    report said `ok` and `newscrawl run` exited 0 while the feed held half the items."""
    small = tmp_path / "small"
    small.mkdir()
    with tiny_disk(small, "40k"):
        done = newscrawl_run(tmp_path, mirror, "-o", "small/extra.jsonl", timeout=90)
    assert done.returncode == 1, done.stdout + done.stderr
    assert the_one_line(done) == ('newscrawl run devdiscourse: 1 feed(s) could not be stored (see "Error storing" '
                                  'in the log)')
    (report,) = [json.loads(p.read_text()) for p in (tmp_path / "output" / "devdiscourse").glob("*.report.json")]
    assert (report["status"], report["exit_code"], report["feeds_not_stored"]) == ("error", 1, 1)
    assert f"devdiscourse {report['crawl_id']}: error" in done.stdout


def test_a_log_file_on_a_full_disk_is_named_once_and_the_crawl_goes_on(mirror: MirrorServer, specs: list[NewsSpec],
                                                                       tmp_path: Path) -> None:
    """Only the log's disk is full: the crawl's data is intact, so the exit code stays 0; one line names the log."""
    logs = tmp_path / "logs"
    logs.mkdir()
    with tiny_disk(logs, "4k"):  # a crawl of the mirror logs ~6 KiB at INFO
        done = scrapy_crawl(tmp_path, mirror, "-s", "LOG_FILE=logs/crawl.log", timeout=90)
    assert done.returncode == 0, done.stderr[-3000:]
    assert the_one_line(done) == ("scrapy crawl devdiscourse: the log logs/crawl.log is incomplete: "
                                  "No space left on device")
    assert sorted(feed_ids(tmp_path)) == sorted(str(spec.news_id) for spec in specs)


def test_a_log_file_that_cannot_be_flushed_as_scrapy_closes_it_is_one_lost_write(tmp_path: Path,
                                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Scrapy closes the LOG_FILE handler when it creates the crawler, to build its own; a disk that filled up
    before then (the state file's first writes took the last of a 150 KiB disk) failed that close's flush with a
    traceback, before the crawl's one line could be said."""
    for name in ("close", "handleError"):  # install() patches the class: put Python's back after this test
        monkeypatch.setattr(logging.FileHandler, name, getattr(logging.FileHandler, name))
    logfile.install()
    handler = logging.FileHandler(tmp_path / "crawl.log")

    class FullDisk(io.StringIO):
        def flush(self) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

    handler.stream = FullDisk()  # type: ignore[assignment]
    handler.close()  # raised OSError before
    assert handler.stream is None
    assert logfile.incomplete() == f"the log {logfile._shown(str(tmp_path / 'crawl.log'))} is incomplete: " \
                                   "No space left on device"
    logfile._failures.clear()


def test_a_finished_run_whose_feed_is_short_is_reconciled_by_the_next_run(mirror: MirrorServer,
                                                                          specs: list[NewsSpec],
                                                                          tmp_path: Path) -> None:
    """The crawl command marks a run whose feed could not be stored for recovery, but on a full disk that write can
    fail too (seen at 1300 KiB): the state says finished while the feed ends in a torn line. The next run sees the
    feed is short of what the state recorded for that run and reconciles it like a killed one."""
    first = newscrawl_run(tmp_path, mirror, timeout=90)
    assert first.returncode == 0, first.stdout + first.stderr
    (feed,) = (tmp_path / "output" / "devdiscourse").glob("*.jsonl")
    data = feed.read_bytes()
    last_line = data.rstrip(b"\n").rfind(b"\n") + 1
    feed.write_bytes(data[: last_line + 100])  # the last item torn, as a store that failed half-way leaves it
    assert_nothing_lost(tmp_path, mirror, specs)
    assert len(feed.read_bytes().splitlines()) == len(specs) - 1, "the torn line was cut, its article fetched again"
