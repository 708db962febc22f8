"""A full scratch folder (where a run's scratch databases spill: scratchdb.py) stops the run in one line.

SQLite writes a scratch database's file only once it outgrows its page cache (a few MiB), so a small crawl never
touches the disk and filling a small disk would prove nothing. The crawls here cap one scratch database's size with
SQLite's `max_page_count` instead, which fails a statement exactly as a full disk does ("database or disk is full",
SQLITE_FULL), at the moment the database grows past the cap.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from newscrawl import scratchdb
from newscrawl.scratchdb import ScratchSpaceFull, scratch_database, when_scratch_space_runs_out
from tests.crawling import ROOT
from tests.sitegen.corpus import corpus, seed_spec
from tests.sitegen.server import MirrorServer, build_devdiscourse_mirror
from tests.test_faults import FAST_ARGS, env
from tests.test_one_line_failures import assert_nothing_lost

CAPPED_CRAWL = """
import sys
from newscrawl import scratchdb
purpose, growth = sys.argv[1], int(sys.argv[2])
original = scratchdb.scratch_database
def capped(schema, name, cache_kib=scratchdb.DEFAULT_CACHE_KIB):
    db = original(schema, name, cache_kib)
    if name == purpose:
        db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0] + growth}")
    return db
scratchdb.scratch_database = capped
from scrapy.cmdline import execute
sys.argv = ["scrapy", *sys.argv[3:]]
execute()
"""


def capped_crawl(workdir: Path, purpose: str, growth: int, *args: str) -> subprocess.CompletedProcess[str]:
    """`scrapy crawl ARGS` whose scratch database for `purpose` may grow by `growth` pages only."""
    return subprocess.run([sys.executable, "-c", CAPPED_CRAWL, purpose, str(growth), "crawl", *args], cwd=workdir,
                          env=env(), capture_output=True, text=True, timeout=120)


def capped(purpose: str, growth: int = 0) -> sqlite3.Connection:
    db = scratch_database("CREATE TABLE rows (value BLOB)", purpose)
    db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0] + growth}")
    return db


def fill(db: sqlite3.Connection) -> None:
    for _ in range(100):
        db.execute("INSERT INTO rows VALUES (?)", (b"x" * 2000,))


def test_a_full_scratch_database_says_which_and_where_and_stays_refused(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SQLITE_TMPDIR", str(tmp_path))
    told: list[ScratchSpaceFull] = []
    stop = when_scratch_space_runs_out(told.append)
    try:
        db = capped("lineage index", growth=2)
        with pytest.raises(ScratchSpaceFull) as raised:
            fill(db)
        assert str(raised.value).startswith(f"no room left in the scratch folder {tmp_path} for the lineage index "
                                            "(database or disk is full)")
        assert isinstance(raised.value, sqlite3.OperationalError), "code written for SQLite's errors still works"
        # without a journal the failed statement left the file unusable ("malformed"): the same error from now on
        with pytest.raises(ScratchSpaceFull) as again:
            db.execute("SELECT COUNT(*) FROM rows").fetchone()
        assert again.value is raised.value
        assert told == [raised.value], "told once, at the first failure"
    finally:
        stop()
    fill(scratch_database("CREATE TABLE rows (value BLOB)", "another"))  # an uncapped one fills on
    assert told == [raised.value], "no longer told once the listener is removed"


def test_other_sqlite_errors_of_a_scratch_database_are_left_as_they_are() -> None:
    told: list[ScratchSpaceFull] = []
    stop = when_scratch_space_runs_out(told.append)
    try:
        db = scratch_database("CREATE TABLE rows (value BLOB PRIMARY KEY)", "claims")
        db.execute("INSERT INTO rows VALUES (1)")
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("INSERT INTO rows VALUES (1)")
        with pytest.raises(sqlite3.OperationalError) as raised:
            db.executemany("INSERT INTO nowhere VALUES (?)", [(1,)])
        assert not isinstance(raised.value, ScratchSpaceFull)
        assert db.execute("SELECT COUNT(*) FROM rows").fetchone() == (1,), "and the database goes on"
        assert told == []
    finally:
        stop()


def test_the_scratch_folder_named_is_sqlites(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """SQLite's order (SQLITE_TMPDIR, TMPDIR, /var/tmp, /usr/tmp, /tmp), not Python's tempfile's."""
    monkeypatch.delenv("SQLITE_TMPDIR", raising=False)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    assert scratchdb.scratch_folder() == str(tmp_path)
    monkeypatch.setenv("SQLITE_TMPDIR", str(tmp_path / "missing"))
    assert scratchdb.scratch_folder() == str(tmp_path), "a folder that does not exist is passed over"
    monkeypatch.delenv("TMPDIR")
    monkeypatch.delenv("SQLITE_TMPDIR")
    assert scratchdb.scratch_folder() == next(folder for folder in ("/var/tmp", "/usr/tmp", "/tmp", ".")
                                              if Path(folder).is_dir())


def test_a_crawl_whose_scratch_folder_fills_stops_in_one_line_and_the_next_run_loses_nothing(tmp_path: Path) -> None:
    """Before: every later item failed with a traceback ("database disk image is malformed"), and exit status 0."""
    specs = [seed_spec(), *corpus(24, seed=11)]
    with MirrorServer(build_devdiscourse_mirror(specs)) as server:
        done = capped_crawl(tmp_path, "lineage index", 3, "devdiscourse", "-a", f"base_url={server.base_url}",
                            *FAST_ARGS, "-s", "LOG_FILE=crawl.log")
        log = (tmp_path / "crawl.log").read_text(errors="replace")
        assert done.returncode == 1, done.stderr[-3000:]
        lines = [line for line in done.stderr.splitlines() if line.startswith("scrapy crawl")]
        assert len(lines) == 1 and lines[0].startswith(
            "scrapy crawl devdiscourse: the crawl stopped early (scratch_space_full): no room left in the scratch "
            "folder "), done.stderr[-3000:]
        assert "for the lineage index (database or disk is full); free space there or point SQLITE_TMPDIR" in lines[0]
        assert log.count("] CRITICAL:") == 1 and "Stopping the crawl: no room left" in log
        assert "Traceback" not in log and "malformed" not in log, log[-5000:]
        # items still in flight, which the full lineage index cannot take: one line each, counted by the reason
        assert "Item error" not in log
        dropped = [line for line in log.splitlines() if "Dropped (NoScratchSpace): http" in line]
        assert all(": no room left in the scratch folder" in line for line in dropped)
        report = json.loads(next((tmp_path / "output" / "devdiscourse").glob("*.report.json")).read_text())
        assert report["finish_reason"] == "scratch_space_full" and report["exit_code"] == 1
        assert len(dropped) == report["counts"]["dropped"].get("NoScratchSpace", 0)
        emitted = sum(1 for path in (tmp_path / "output" / "devdiscourse").glob("*.jsonl")
                      for _ in path.open(encoding="utf-8"))
        assert 0 < emitted < len(specs), "stopped part way, with the items that made it whole in the feed"
        assert_nothing_lost(tmp_path, server, specs)


def test_a_replay_whose_saved_folder_cannot_be_listed_says_so_in_one_line(tmp_path: Path) -> None:
    """The folder is listed by the spider's constructor, before any extension of the crawl exists."""
    done = capped_crawl(tmp_path, "saved pages listed", 0, "news", "-a",
                        f"replay={ROOT.parent / 'shared' / 'bench' / 'trafilatura-eval' / 'pages'}")
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1].startswith(
        "scrapy crawl news: the crawl could not start: no room left in the scratch folder "), done.stderr[-3000:]
    assert "for the saved pages listed (database or disk is full)" in done.stderr.splitlines()[-1]


@pytest.mark.parametrize("purpose,stopped", [
    # Both processes meet the full folder; whichever the parent hears from first is named.
    ("requests seen", r"process [12] of 2 of the parallel replay failed \(exit code 1: it stopped early "
                      r"\(scratch_space_full\): no room left in the scratch folder "),
    ("lineage index", "the parallel replay stopped: no room left in the scratch folder "),  # the parent's merge
])
def test_a_parallel_replay_whose_scratch_folder_fills_says_which_process_and_why(tmp_path: Path, purpose: str,
                                                                                 stopped: str) -> None:
    """A process's failure was only "process 2 of 2 … failed (exit code 1)"; the merge's was a traceback."""
    done = capped_crawl(tmp_path, purpose, 0 if purpose == "requests seen" else 8, "news", "-a",
                        f"replay={ROOT.parent / 'shared' / 'bench' / 'trafilatura-eval' / 'pages'}", "-a", "jobs=2",
                        "-o", "items.jsonl")
    assert done.returncode == 1
    last = done.stderr.splitlines()[-1]
    assert re.match(f"scrapy crawl news: {stopped}", last), done.stderr[-3000:]
    assert f"for the {purpose} (database or disk is full)" in last
    if purpose == "lineage index":
        assert "Traceback" not in done.stderr, done.stderr[-3000:]


@pytest.mark.parametrize("purpose,spider,replay", [
    ("articles held for discovery", "devdiscourse", ROOT / "samples" / "devdiscourse.warc.gz"),  # spider callbacks
    ("requests seen", "news", ROOT.parent / "shared" / "bench" / "trafilatura-eval" / "pages"),  # the scheduler
])
def test_a_full_scratch_folder_met_outside_the_pipelines_is_the_same_one_line(tmp_path: Path, purpose: str,
                                                                               spider: str, replay: Path) -> None:
    """Met in a listing's callback or when held articles are released (spider_idle), it also printed Scrapy's
    "Spider error processing" or "Error caught on signal handler" with a traceback."""
    done = capped_crawl(tmp_path, purpose, 0, spider, "-a", f"replay={replay}", "-o", "items.jsonl")
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1].startswith(
        f"scrapy crawl {spider}: the crawl stopped early (scratch_space_full): no room left in the scratch folder ")
    assert f"for the {purpose} (database or disk is full)" in done.stderr.splitlines()[-1]
    assert "Traceback" not in done.stderr and "] ERROR:" not in done.stderr, done.stderr[-3000:]
    assert done.stderr.count("] CRITICAL:") == 1


def test_a_full_disk_met_by_an_item_pipeline_stops_the_crawl_in_one_line(tmp_path: Path) -> None:
    """py3langid unpacks its model into the temporary folder the first time a machine prepares the language
    tables: a full one failed every item with a traceback, and the run finished with no item and exit status 0."""
    from tests.test_faults import tiny_disk

    temporary = tmp_path / "tmp"
    temporary.mkdir()
    with tiny_disk(temporary, "300k"):
        done = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "devdiscourse", "-a",
             f"replay={ROOT / 'samples' / 'devdiscourse.warc.gz'}", "-o", "items.jsonl"], cwd=tmp_path,
            env={**env(), "TMPDIR": str(temporary), "NEWSCRAWL_CACHE_DIR": str(tmp_path / "fresh-cache")},
            capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr[-3000:]
    last = done.stderr.splitlines()[-1]
    assert last.startswith("scrapy crawl devdiscourse: the crawl stopped early (disk_full): cannot prepare the "
                           f"language detector's tables: No space left on device (py3langid unpacks its model into "
                           f"the temporary folder {temporary}, TMPDIR) (in an item pipeline, on https://"), last
    assert done.stderr.count("] CRITICAL:") == 1
    # the items in flight: one line each, not Scrapy's item error with a traceback (15,906 lines of log before)
    assert "Traceback" not in done.stderr and "] ERROR:" not in done.stderr, done.stderr[-3000:]
    dropped = [line for line in done.stderr.splitlines() if "Dropped (NoDiskSpace): https://" in line]
    assert dropped and all("cannot prepare the language detector's tables: No space left" in line for line in dropped)


def test_the_disk_full_guard_leaves_other_errors_to_scrapy() -> None:
    from scrapy.statscollectors import MemoryStatsCollector
    from scrapy.utils.test import get_crawler

    from newscrawl.meta import FATAL_ERROR_STAT
    from newscrawl.monitoring.scratch import DiskFullGuard

    crawler = get_crawler()
    crawler.stats = MemoryStatsCollector(crawler)
    guard = DiskFullGuard(crawler)
    guard._check(PermissionError(13, "Permission denied"), "an item pipeline")
    guard._check(ValueError("not a disk"), "an item pipeline")
    assert crawler.stats.get_value(FATAL_ERROR_STAT) is None
    guard._check(OSError(28, "No space left on device"), "an item pipeline, on https://a.b/1")
    assert crawler.stats.get_value(FATAL_ERROR_STAT) == "[Errno 28] No space left on device (in an item pipeline, " \
                                                        "on https://a.b/1)"


def test_the_disk_full_guard_stops_the_crawl_on_an_item_dropped_for_a_full_disk() -> None:
    from scrapy.statscollectors import MemoryStatsCollector
    from scrapy.utils.test import get_crawler

    from scrapy.exceptions import DropItem

    from newscrawl.meta import FATAL_ERROR_STAT
    from newscrawl.monitoring.scratch import DiskFullGuard
    from newscrawl.pipelines.droplog import NoDiskSpace, dropped_when_the_disk_is_full

    crawler = get_crawler()
    crawler.stats = MemoryStatsCollector(crawler)
    guard = DiskFullGuard(crawler)
    item = {"url": "https://a.b/1"}
    with pytest.raises(PermissionError):  # not a full disk: left to Scrapy, as before
        with dropped_when_the_disk_is_full(item["url"]):
            raise PermissionError(13, "Permission denied")
    with pytest.raises(NoDiskSpace) as dropped:
        with dropped_when_the_disk_is_full(item["url"]):
            raise OSError(28, "No space left on device")
    assert str(dropped.value) == "https://a.b/1: [Errno 28] No space left on device"
    guard.item_dropped(item, None, DropItem("a duplicate"), None)
    assert crawler.stats.get_value(FATAL_ERROR_STAT) is None
    guard.item_dropped(item, None, dropped.value, None)
    assert crawler.stats.get_value(FATAL_ERROR_STAT) == "[Errno 28] No space left on device (in an item pipeline, " \
                                                        "on https://a.b/1)"


def test_a_parallel_replay_whose_temporary_folder_fills_names_the_cause(tmp_path: Path) -> None:
    """The processes write their share of the replay in the temporary folder: a full one failed every item in a
    signal handler and the parent said only "process 2 of 2 … failed (exit code 1)"."""
    from tests.test_faults import tiny_disk

    temporary = tmp_path / "tmp"
    temporary.mkdir()
    with tiny_disk(temporary, "300k"):
        done = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "news", "-a",
             f"replay={ROOT.parent / 'shared' / 'bench' / 'trafilatura-eval' / 'pages'}", "-a", "jobs=2",
             "-o", "items.jsonl"], cwd=tmp_path, env={**env(), "TMPDIR": str(temporary)},
            capture_output=True, text=True, timeout=180)
    assert done.returncode == 1, done.stderr[-3000:]
    lines = [line for line in done.stderr.splitlines() if line.startswith("scrapy crawl news:")]
    assert lines[-1].startswith("scrapy crawl news: process ") and lines[-1].endswith("; no feed written"), lines
    # what filled it first: their share of the replay, or (on a machine whose language tables are not prepared
    # yet) py3langid's model unpacked there
    assert any("the crawl stopped early (disk_full): " in line and str(temporary) in line for line in lines[:-1]), lines
    assert not (tmp_path / "items.jsonl").exists()
