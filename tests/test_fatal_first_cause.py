"""One cause per stopped crawl: when several components fail (a full disk refuses the state, then every WARC write
of the responses still in flight), the one-line message and the run report name the first failure, the one
Scrapy keeps as the finish reason.

Real `scrapy crawl` runs against the loopback mirror, with the state and the output on two small tmpfs disks that
the test fills at chosen moments (skipped where mounting is not permitted).
"""

from __future__ import annotations

import ast
import contextlib
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from newscrawl import meta
from tests.sitegen.corpus import corpus, seed_spec
from tests.sitegen.server import MirrorServer, build_devdiscourse_mirror
from tests.test_faults import FAST_ARGS, env, slow_articles, tiny_disk


def fill(folder: Path) -> None:
    """Write a file until the disk says it is full (unbuffered: nothing is left to flush, and fail, at close)."""
    with open(folder / "filler", "wb", buffering=0) as filler, contextlib.suppress(OSError):
        while True:
            filler.write(b"\0" * 65536)


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def test_when_the_state_then_the_capture_fail_the_first_cause_is_reported(tmp_path: Path) -> None:
    specs = [seed_spec(), *corpus(24, seed=11)]
    site = build_devdiscourse_mirror(specs)
    slow_articles(site, 1.5)  # responses stay in flight after the state fails: their capture fails next
    state, output, log = tmp_path / "state", tmp_path / "output", tmp_path / "crawl.log"
    state.mkdir()
    output.mkdir()
    with MirrorServer(site) as server, tiny_disk(state, "2m"), tiny_disk(output, "16m"):
        crawl = subprocess.Popen(
            [sys.executable, "-m", "scrapy", "crawl", "devdiscourse", "-a", f"base_url={server.base_url}",
             *FAST_ARGS, "-s", "CONCURRENT_REQUESTS=4", "-s", f"NEWSCRAWL_STATE_DIR={state}",
             "-s", f"NEWSCRAWL_REPORT_DIR={tmp_path / 'reports'}", "-s", f"LOG_FILE={log}"],
            cwd=tmp_path, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            wait_for(lambda: len(server.requests_for("/article/")) >= 4, "the first article fetches")
            fill(state)
            wait_for(lambda: log.exists() and "Cannot write the crawl state" in log.read_text(errors="replace"),
                     "the state commit to fail")
            fill(output)
            _, stderr = crawl.communicate(timeout=120)
        finally:
            if crawl.poll() is None:
                crawl.kill()
                crawl.wait()
    text = log.read_text(errors="replace")
    assert "Cannot write WARC" in text, "the capture failed too, after the state (else this test shows nothing)"
    assert crawl.returncode == 1, stderr[-3000:]
    assert "Traceback" not in stderr
    [line] = [line for line in stderr.splitlines() if line.startswith("scrapy crawl")]
    assert line.startswith("scrapy crawl devdiscourse: the crawl stopped early (state_write_error): cannot write the "
                           f"crawl state {state / 'devdiscourse.sqlite'}:"), line
    [report] = [json.loads(path.read_text()) for path in (tmp_path / "reports").rglob("*.report.json")]
    assert (report["finish_reason"], report["status"]) == ("state_write_error", "error")


def test_every_writer_of_the_fatal_error_stat_goes_through_the_one_helper() -> None:
    """Only meta.record_fatal_error sets FATAL_ERROR_STAT, so no component can overwrite the first cause."""
    package = Path(meta.__file__).parent
    offenders = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "set_value"
                    and node.args and isinstance(node.args[0], ast.Name) and node.args[0].id == "FATAL_ERROR_STAT"
                    and path != Path(meta.__file__)):
                offenders.append(f"{path.relative_to(package)}:{node.lineno}")
    assert offenders == []


def test_record_fatal_error_keeps_the_first_cause() -> None:
    stats = MemoryStatsCollector(get_crawler())
    assert meta.record_fatal_error(stats, "cannot write the crawl state s.sqlite: disk full")
    assert not meta.record_fatal_error(stats, "cannot write WARC in output: disk full")
    assert stats.get_value(meta.FATAL_ERROR_STAT) == "cannot write the crawl state s.sqlite: disk full"


def test_every_component_stops_the_crawl_through_the_one_helper() -> None:
    """The WARC capture, the replay input, the crawl state, the full-disk guards and the parallel recorder each
    wrote out recording the cause and closing the engine; one helper (fatal.stop_crawl) does both now."""
    package = Path(meta.__file__).parent
    closers = sorted(f"{path.relative_to(package)}:{node.lineno}" for path in package.rglob("*.py")
                     for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                     if isinstance(node, ast.Attribute) and node.attr == "close_spider_async")
    assert [place.split(":")[0] for place in closers] == ["fatal.py"], closers


def test_stopping_before_the_engine_exists_records_the_cause_and_closes_nothing() -> None:
    from newscrawl.fatal import stop_crawl

    crawler = get_crawler()
    crawler.stats = MemoryStatsCollector(crawler)
    assert stop_crawl(crawler, "scratch_space_full", "no room left")  # Scrapy: "Crawler.engine is not set yet"
    assert not stop_crawl(crawler, "disk_full", "a consequence")
    assert crawler.stats.get_value(meta.FATAL_ERROR_STAT) == "no room left"
