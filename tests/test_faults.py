"""Faults: SIGKILL at many points of a crawl, a full disk and a read-only output folder.

* SIGKILL: 20 seeded kill points in one loop (one mirror of 25 articles, each article fetch delayed a little);
  after every kill, `python -m newscrawl.cli run devdiscourse` finishes the job. Across all feeds of a point every
  article appears exactly once, every feed line is valid JSON, and the state file opens. A hang fails the test as
  a stall (no article fetched for STALL_SECONDS), and a rerun that waits on something as one slower than
  RERUN_FACTOR uninterrupted runs of the same mirror measured first, under the same load: not as a fixed budget
  for the whole loop, whose wall time on a loaded machine says how busy it was, not whether the crawler hung.
* Read-only output/: one clear line on stderr and a non-zero exit, never a hang. Every other documented failure
  (unwritable log, feed or state folder, full disk) is in tests/test_one_line_failures.py.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

from newscrawl.archive.warc import WarcWriter
from newscrawl.state.store import StateStore, read_runs
from tests.crawling import FAST, ROOT, run_crawl
from tests.sitegen.corpus import corpus, seed_spec
from tests.sitegen.devdiscourse import NewsSpec
from tests.sitegen.server import MirrorServer, Page, Request, Site, build_devdiscourse_mirror
from tests.test_hostile_pages import variant

FAST_ARGS = [arg for name, value in FAST.items() for arg in ("-s", f"{name}={value}")]
KILL_POINTS = 20
ARTICLES = 25
STALL_SECONDS = 60
"""A crawl that fetches no further article for this long has hung (a fetch takes ~0.02 s, a start ~2 s)."""
RERUN_FACTOR = 10
"""A rerun after a kill does at most an uninterrupted run's work; two points run at once, so ~2× its time."""


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "newscrawl.settings"}


def newscrawl_run(workdir: Path, server: MirrorServer, *extra: str,
                  timeout: float = 90) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newscrawl.cli", "run", "devdiscourse", "-a",
                           f"base_url={server.base_url}", *FAST_ARGS, *extra], cwd=workdir, env=env(),
                          capture_output=True, text=True, timeout=timeout)


def scrapy_crawl(workdir: Path, server: MirrorServer, *extra: str,
                 timeout: float = 90) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scrapy", "crawl", "devdiscourse", "-a",
                           f"base_url={server.base_url}", *FAST_ARGS, *extra], cwd=workdir, env=env(),
                          capture_output=True, text=True, timeout=timeout)


def feed_ids(workdir: Path) -> list[str]:
    """outlet_id of every line of every feed (json.loads fails the test on a torn or invalid line)."""
    ids: list[str] = []
    for feed in sorted((workdir / "output" / "devdiscourse").glob("*.jsonl")):
        for number, line in enumerate(feed.read_text(encoding="utf-8").splitlines(), 1):
            try:
                ids.append(json.loads(line)["outlet_id"])
            except ValueError as error:
                raise AssertionError(f"{feed.name} line {number} is not JSON: {error}") from None
    return ids


def assert_state_opens(workdir: Path, articles: int) -> None:
    store = StateStore(workdir / "output" / "state" / "devdiscourse.sqlite")
    try:
        assert sum(1 for _ in store.keys()) == articles
        assert store.unfinished_runs("devdiscourse", "") == [], "every run is finished or reconciled"
    finally:
        store.close()


@pytest.fixture(scope="module")
def specs() -> list[NewsSpec]:
    return [seed_spec(), *corpus(ARTICLES - 1, seed=11)]


def slow_articles(site: Site, seconds: float) -> None:
    def delay(request: Request) -> Page | None:
        if request.path.startswith("/article/"):
            time.sleep(seconds)
        return None

    site.hooks.insert(0, delay)  # returns None: falls through to the real routes


# ---- SIGKILL ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class KillPoint:
    kept: int
    """Items the killed run's feed kept."""
    recovered: int
    """Of those, items the rerun recorded from the feed: the kill came before the state's batch was committed."""


def kill_point(server: MirrorServer, workdir: Path, kill_after: int, jitter: float, expected: list[str],
               rerun_budget: float) -> KillPoint:
    """Crawl, SIGKILL it after `kill_after` article fetches (+ `jitter` s), finish with `newscrawl run`, check.

    Points run two at a time, so each crawl (and each rerun) sends its own User-Agent and counts only its own
    article fetches in the mirror's access log. The rerun fetches exactly the articles the killed run's feed lacks:
    one the feed kept is known to the state even when only the feed had it (recovered from it), and it is not due
    for a revisit (the mirror sends no validators, and it was fetched less than an hour ago: docs/scheduling.md).
    """
    workdir.mkdir()
    agent = f"newscrawl-faults/{workdir.name} (test)"  # no "bot" in it: the mirror would serve the bot view
    crawl = subprocess.Popen([sys.executable, "-m", "scrapy", "crawl", "devdiscourse", "-a",
                              f"base_url={server.base_url}", *FAST_ARGS, "-s", "CONCURRENT_REQUESTS=2",
                              "-s", f"USER_AGENT={agent}"],
                             cwd=workdir, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    fetched, progressed = 0, time.monotonic()
    while crawl.poll() is None:  # until it has fetched `kill_after` articles, however slowly, unless it stalls
        now = sum(e.user_agent == agent and e.path.startswith("/article/") for e in list(server.access_log))
        if now >= kill_after:
            break
        if now > fetched:
            fetched, progressed = now, time.monotonic()
        if time.monotonic() - progressed > STALL_SECONDS:
            crawl.kill()
            raise AssertionError(f"kill after {kill_after}: the crawl stalled at {fetched} article fetches")
        time.sleep(0.002)
    time.sleep(jitter)  # land anywhere between two fetches: parsing, exporting, writing the state
    crawl.send_signal(signal.SIGKILL)
    crawl.wait(timeout=30)
    started = time.monotonic()
    rerun_agent = f"{agent} rerun"
    done = newscrawl_run(workdir, server, "-s", f"USER_AGENT={rerun_agent}", timeout=3 * rerun_budget)
    took = time.monotonic() - started
    assert done.returncode == 0, (kill_after, done.stdout + done.stderr)
    assert took < rerun_budget, f"kill after {kill_after}: the rerun took {took:.0f} s, more than {rerun_budget:.0f} s"
    ids = feed_ids(workdir)
    assert sorted(ids) == expected, f"kill after {kill_after}: every article exactly once, got {sorted(ids)}"
    assert_state_opens(workdir, len(expected))
    rerun_id = done.stdout.split()[1].rstrip(":")  # "devdiscourse <crawl id>: ok in … s"
    rerun_feed = workdir / "output" / "devdiscourse" / f"{rerun_id}.jsonl"
    kept = len(ids) - len(rerun_feed.read_text(encoding="utf-8").splitlines())  # killed before its first item: 0
    log = (workdir / "output" / "devdiscourse" / f"{rerun_id}.log").read_text(encoding="utf-8")
    reconciled = re.search(r"did not finish \(killed\?\): its feed \S+ keeps (\d+) items \((\d+) recorded from "
                           r"the feed\)", log)
    assert reconciled is not None and int(reconciled[1]) == kept, f"kill after {kill_after}: the rerun names the kill"
    refetched = sum(e.user_agent == rerun_agent and e.path.startswith("/article/") for e in list(server.access_log))
    assert refetched == len(expected) - kept, (f"kill after {kill_after}: the rerun fetched {refetched} articles for "
                                               f"the {len(expected) - kept} its killed run's feed lacks "
                                               f"({reconciled[2]} of the {kept} kept were recorded from the feed)")
    return KillPoint(kept, int(reconciled[2]))


def test_sigkill_at_20_seeded_points_then_rerun_loses_and_duplicates_nothing(
        specs: list[NewsSpec], tmp_path: Path) -> None:
    rng = random.Random(20251125)
    points = [(rng.randint(1, ARTICLES - 1), rng.uniform(0, 0.05)) for _ in range(KILL_POINTS)]
    expected = sorted(str(spec.news_id) for spec in specs)
    site = build_devdiscourse_mirror(specs)
    slow_articles(site, 0.02)
    with MirrorServer(site) as server, ThreadPoolExecutor(max_workers=2) as pool:
        (tmp_path / "uninterrupted").mkdir()
        started = time.monotonic()
        baseline = newscrawl_run(tmp_path / "uninterrupted", server, timeout=300)
        assert baseline.returncode == 0, baseline.stdout + baseline.stderr
        budget = max(RERUN_FACTOR * (time.monotonic() - started), 30.0)
        results = list(pool.map(lambda point: kill_point(server, tmp_path / f"point-{point[0]:02d}-k{point[1][0]}",
                                                         point[1][0], point[1][1], expected, budget),
                                enumerate(points)))
    kept = [result.kept for result in results]
    assert len(kept) == KILL_POINTS
    assert len(set(kept)) > 5, f"the kill points fell at varied places: killed feeds kept {kept} items"
    recovered = [result.recovered for result in results]
    assert any(recovered), f"some kill fell between a feed line and its state commit: recovered {recovered} items"


# How each stop reaches a `scrapy crawl`, the status the state gives the stopped run, and whether the next run warns
# that it did not finish: Ctrl-C and SIGTERM are Scrapy's graceful shutdown (pages and items in flight finish, then
# spider_closed), so feed and state agree and the run is recorded as interrupted when it closes; a SIGKILL leaves it
# "running", and only the next run can reconcile it, as killed.
STOPS = {"Ctrl-C": (signal.SIGINT, "interrupted", False), "SIGTERM": (signal.SIGTERM, "interrupted", False),
         "SIGKILL": (signal.SIGKILL, "killed", True)}


@pytest.mark.parametrize("how", list(STOPS))
def test_a_graceful_stop_is_not_reported_as_killed_and_a_kill_is(specs: list[NewsSpec], tmp_path: Path,
                                                                 how: str) -> None:
    signum, status, warned = STOPS[how]
    expected = sorted(str(spec.news_id) for spec in specs)
    site = build_devdiscourse_mirror(specs)
    slow_articles(site, 0.1)  # a stop after 5 article fetches leaves most of the 25 to the next run
    with MirrorServer(site) as server:
        crawl = subprocess.Popen([sys.executable, "-m", "scrapy", "crawl", "devdiscourse", "-a",
                                  f"base_url={server.base_url}", *FAST_ARGS, "-s", "CONCURRENT_REQUESTS=2"],
                                 cwd=tmp_path, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + STALL_SECONDS
            while len(server.requests_for("/article/")) < 5 and time.monotonic() < deadline:
                time.sleep(0.01)
            crawl.send_signal(signum)
            assert crawl.wait(timeout=60) == (-signal.SIGKILL if signum == signal.SIGKILL else 0)
        finally:
            if crawl.poll() is None:
                crawl.kill()
                crawl.wait()
        stopped = len(feed_ids(tmp_path))
        # its own User-Agent: a killed crawl's request still being served is logged when its answer is written
        agent = "newscrawl-faults/next-run (test)"
        done = scrapy_crawl(tmp_path, server, "-s", "LOG_FILE=next.log", "-s", f"USER_AGENT={agent}")
        refetched = sum(entry.user_agent == agent for entry in server.requests_for("/article/"))
    assert done.returncode == 0, done.stderr[-3000:]
    assert 0 < stopped < len(expected), f"the {how} fell mid-crawl: the stopped run's feed kept {stopped} items"
    log = (tmp_path / "next.log").read_text(encoding="utf-8")
    assert ("did not finish (killed?)" in log) == warned, log[-3000:]
    runs = sorted(read_runs(tmp_path / "output" / "state" / "devdiscourse.sqlite"), key=lambda run: run.started_at)
    assert [run.status for run in runs] == [status, "finished"]
    assert sorted(feed_ids(tmp_path)) == expected, "every article exactly once across both feeds"
    assert refetched == len(expected) - stopped, "the next run fetches only what the stopped run did not emit"


# ---- unwritable output ----------------------------------------------------------------------------------------
def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Make `folder` read-only for the crawl: chmod for normal users; root ignores modes, so a read-only bind mount."""
    folder.chmod(0o555)
    probe = folder / ".probe"
    try:
        probe.touch()
    except OSError:
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    probe.unlink()
    folder.chmod(0o755)
    if not (_mount("--bind", str(folder), str(folder)) and _mount("-o", "remount,bind,ro", str(folder))):
        subprocess.run(["umount", str(folder)], capture_output=True)
        pytest.skip("cannot make a read-only folder: running as root (modes are ignored) and mount is not permitted")
    try:
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@contextlib.contextmanager
def tiny_disk(folder: Path, size: str = "200k") -> Iterator[None]:
    if not _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)):
        pytest.skip("cannot simulate a full disk: mounting a tmpfs is not permitted here (needs root)")
    try:
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@pytest.fixture(scope="module")
def mirror(specs: list[NewsSpec]) -> Iterator[MirrorServer]:
    with MirrorServer(build_devdiscourse_mirror(specs)) as server:
        yield server


def test_read_only_output_fails_in_one_line_without_a_hang(mirror: MirrorServer, tmp_path: Path) -> None:
    output = tmp_path / "output"
    output.mkdir()
    with read_only(output):
        started = time.monotonic()
        crawl = scrapy_crawl(tmp_path, mirror, timeout=60)
        run = newscrawl_run(tmp_path, mirror, timeout=60)
        assert time.monotonic() - started < 60
    assert crawl.returncode == 1, crawl.stderr[-2000:]
    assert "Traceback" not in crawl.stderr
    assert [line for line in crawl.stderr.splitlines() if line.startswith("scrapy crawl")] == [
        "scrapy crawl devdiscourse: not started, cannot write the state output/state/devdiscourse.sqlite in output: "
        f"{os.strerror(_erofs_or_eacces(crawl))}"]
    assert run.returncode == 1, run.stderr
    [line] = run.stderr.strip().splitlines()
    assert re.fullmatch(r"newscrawl run devdiscourse: not started, cannot write output/devdiscourse/[\w-]+\.log in "
                        rf"output: {re.escape(os.strerror(_erofs_or_eacces(run)))}", line), line


def _erofs_or_eacces(done: subprocess.CompletedProcess[str]) -> int:
    return errno.EROFS if "Read-only" in done.stderr else errno.EACCES


def test_read_only_archive_folder_stops_the_crawl_with_exit_1(mirror: MirrorServer, tmp_path: Path) -> None:
    """State elsewhere (writable), output/ read-only: the WARC capture cannot write, the crawl stops at once."""
    output = tmp_path / "output"
    output.mkdir()
    with read_only(output):
        crawl = scrapy_crawl(tmp_path, mirror, "-s", f"NEWSCRAWL_STATE_DIR={tmp_path / 'state'}",
                             "-s", f"NEWSCRAWL_REPORT_DIR={tmp_path / 'reports'}", timeout=60)
    assert crawl.returncode == 1, crawl.stdout[-3000:] + crawl.stderr[-3000:]
    assert "Traceback" not in crawl.stderr
    last = crawl.stderr.strip().splitlines()[-1]
    # caught before the crawl starts: the default feed output/%(name)s/… cannot be written either
    assert last.startswith("scrapy crawl devdiscourse: not started, cannot write the feed "
                           "output/%(name)s/%(feed_name)s.jsonl in output:"), last


# ---- damaged archives ---------------------------------------------------------------------------------------------
def test_replay_refuses_a_record_whose_digest_fails_and_prefers_an_intact_capture(tmp_path: Path) -> None:
    """Decision (docs/security.md): a record whose WARC digest does not match its bytes is never served.

    Bit rot or tampering would otherwise become an item whose body_sha256 describes the damaged bytes, which
    `newscrawl verify` would then confirm. Replay serves the newest *intact* capture of the URL instead; with none
    left the request is refused, counted (newscrawl/replay/digest_refused, newscrawl/errors/DamagedRecord) and
    logged with the record's file and offset.
    """
    base = "http://127.0.0.1:9/article/politics"  # never contacted: a replay sends nothing to the network
    urls = {name: f"{base}/{news_id}-{name}" for news_id, name in ((4950001, "intact"), (4950002, "rotted-twice"),
                                                                  (4950003, "rotted-once"))}
    info = {"software": "newscrawl/test", "crawl-id": "damaged-archive", "spider": "devdiscourse",
            "crawl-started-at": "2025-03-21T13:00:00+00:00", "spider-arguments": json.dumps({"urls": ",".join(
                urls.values())})}
    archive = tmp_path / "archive"
    archive.mkdir()
    bodies: list[bytes] = []
    with WarcWriter(archive, "damaged", max_bytes=10**9, warcinfo=info, gzip=False) as writer:
        for number, (name, url) in enumerate([*urls.items(), ("rotted-once", urls["rotted-once"])]):
            body = variant(4950001 + list(urls).index(name), name).replace(b"<h1 class", f"<!--capture {number}-->"
                                                                                         .encode() + b"<h1 class")
            bodies.append(body)
            writer.write_exchange(url=url, method="GET", request_headers=[("Host", "127.0.0.1:9")], request_body=b"",
                                  status=200, reason="OK", http_version="HTTP/1.1",
                                  response_headers=[("Content-Type", "text/html; charset=utf-8")], body=body,
                                  fetched_at=datetime(2025, 3, 21, 13, 0, number, tzinfo=timezone.utc))
    warc = next(archive.glob("*.warc"))
    data = bytearray(warc.read_bytes())
    for capture in (1, 3):  # rot "rotted-twice" (its only capture) and the *newer* capture of "rotted-once"
        data[data.index(f"<!--capture {capture}-->".encode()) + 5] ^= 0x01
    warc.write_bytes(bytes(data))
    result = run_crawl(tmp_path / "replay", "devdiscourse", "-a", f"replay={archive}", "-O", "out.jsonl")
    assert result.returncode == 0 and "Traceback" not in result.log, result.log[-3000:]
    items = {item["outlet_id"]: item for item in result.feed_items("out.jsonl")}
    assert sorted(items) == ["4950001", "4950003"], "the damaged-only record is refused, the others replayed"
    served = items["4950003"]["provenance"]["body_sha256"]
    assert served == hashlib.sha256(bodies[2]).hexdigest(), "the older, intact capture was served"
    assert result.stat("newscrawl/replay/digest_refused") == 1
    assert result.stat("newscrawl/errors/DamagedRecord") == 1
    assert f"Replay refused {urls['rotted-twice']}: its record" in result.log
    assert result.log.count("(digest): WARC-") == 2, "both damaged records are reported when the archive is opened"
