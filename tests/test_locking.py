"""One run at a time, whoever starts it (issue 20): the crawl process holds the spider's lock for its whole life.

Against a loopback mirror whose article pages answer slowly, so the first crawl is still going when the second
starts. After every scenario: no article twice across all feeds, and the state's revisions equal the feed lines.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from newscrawl.state.lock import RunLock
from tests.test_runner import FAST_ARGS, env, newscrawl, run_args, slow_articles
from tests.sitegen.corpus import corpus, seed_spec
from tests.sitegen.server import MirrorServer, build_devdiscourse_mirror


def crawl_command(server: MirrorServer) -> list[str]:
    return [sys.executable, "-m", "scrapy", "crawl", "devdiscourse", "-a", f"base_url={server.base_url}",
            *FAST_ARGS, "-s", "CONCURRENT_REQUESTS=2"]


def feed_ids(workdir: Path) -> list[str]:
    ids = []
    for feed in sorted((workdir / "output" / "devdiscourse").glob("*.jsonl")):
        ids += [json.loads(line)["outlet_id"] for line in feed.read_text(encoding="utf-8").splitlines()]
    return ids


def state_revisions(workdir: Path) -> int:
    db = sqlite3.connect(workdir / "output" / "state" / "devdiscourse.sqlite")
    try:
        return int(db.execute("SELECT COUNT(*) FROM revisions").fetchone()[0])
    finally:
        db.close()


def assert_once_and_agreeing(workdir: Path, expected: set[str]) -> None:
    ids = feed_ids(workdir)
    assert len(ids) == len(set(ids)), f"an article was emitted twice: {sorted(ids)}"
    assert set(ids) == expected
    assert state_revisions(workdir) == len(ids), "state revisions equal feed lines"
    leftovers = [p.name for p in (workdir / "output").rglob("*") if p.name.endswith((".tmp", ".open"))]
    assert not leftovers, f"temporary files left behind: {leftovers}"
    for report in (workdir / "output" / "devdiscourse").glob("*.report.json"):
        data = json.loads(report.read_text(encoding="utf-8"))
        lines = (workdir / data["feed"]).read_text(encoding="utf-8").splitlines()
        assert data["counts"]["items"] == len(lines), f"{report.name} counts what its feed holds"


@pytest.fixture()
def site() -> MirrorServer:
    specs = [seed_spec(), *corpus(40, seed=7)]
    mirror = build_devdiscourse_mirror(specs)
    slow_articles(mirror, 0.4)  # 41 articles, 2 at a time: a crawl spends ~8 s fetching articles
    return MirrorServer(mirror)


@pytest.mark.parametrize("delay", [0.3, 4.0, 6.0])
def test_a_second_scrapy_crawl_on_one_output_folder_is_refused(site: MirrorServer, tmp_path: Path,
                                                                delay: float) -> None:
    first_log = tmp_path / "first.stderr"
    with site as server, first_log.open("w", encoding="utf-8") as first_stderr:
        first = subprocess.Popen(crawl_command(server), cwd=tmp_path, env=env(), stdout=subprocess.DEVNULL,
                                 stderr=first_stderr)
        time.sleep(delay)
        second = subprocess.run(crawl_command(server), cwd=tmp_path, env=env(), capture_output=True, text=True,
                                timeout=120)
        first.wait(timeout=120)
        expected = {str(spec.news_id) for spec in server.site.articles.values()}
    # Whoever takes the lock first crawls; 0.3 s after the first start, the second process may get there first (the
    # first is still importing Scrapy). Either way exactly one is refused, unless the first was already over.
    stderrs = {"first": first_log.read_text(encoding="utf-8"), "second": second.stderr}
    codes = {"first": first.returncode, "second": second.returncode}
    refused = [name for name, code in codes.items() if code == 3]
    if delay == 4.0:  # the first crawl spends ~8 s fetching articles: it is surely mid-crawl now
        assert refused == ["second"], stderrs["second"][-2000:]
    if refused:
        assert len(refused) == 1, stderrs
        winner = "second" if refused == ["first"] else "first"
        assert codes[winner] == 0, stderrs[winner][-2000:]
        text = stderrs[refused[0]]
        refusals = [line for line in text.splitlines() if "not started" in line]
        assert len(refusals) == 1 and "Traceback" not in text, text[-2000:]
        assert refusals[0].startswith("scrapy crawl devdiscourse: not started, another run holds")
        assert "pid" in refusals[0]
        assert not list((tmp_path / "output" / "devdiscourse").glob("*.report.json"))[1:], "one run, one report"
    else:  # the first crawl was already over: the second is an ordinary incremental run
        assert codes == {"first": 0, "second": 0}, stderrs
    assert_once_and_agreeing(tmp_path, expected)


def test_a_refused_crawl_leaves_the_running_crawls_state_alone(tmp_path: Path) -> None:
    """The state belongs to the run holding the lock: a second crawl is refused before it opens the state file, so
    it cannot race the running crawl's writes (or call a state that is mid-write unusable)."""
    state = tmp_path / "output" / "state"
    state.mkdir(parents=True)
    unreadable = b"not a SQLite file: the running crawl's business" * 20
    (state / "devdiscourse.sqlite").write_bytes(unreadable)
    with RunLock(state / "devdiscourse.lock"):
        refused = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "devdiscourse", "-a",
                                  "base_url=http://127.0.0.1:9", *FAST_ARGS], cwd=tmp_path, env=env(),
                                 capture_output=True, text=True, timeout=120)
    assert refused.returncode == 3, refused.stderr[-2000:]
    last_line = refused.stderr.strip().splitlines()[-1]
    assert last_line.startswith("scrapy crawl devdiscourse: not started, another run holds"), last_line
    assert (state / "devdiscourse.sqlite").read_bytes() == unreadable


def start_runner(server: MirrorServer, workdir: Path) -> subprocess.Popen[bytes]:
    """`newscrawl run` in a session of its own, as a terminal or cron would start it (so its group can be signalled)."""
    return subprocess.Popen([sys.executable, "-m", "newscrawl.cli", *run_args(server, "-s", "CONCURRENT_REQUESTS=2")],
                            cwd=workdir, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def wait_for_articles(server: MirrorServer, count: int) -> None:
    deadline = time.monotonic() + 60
    while sum(e.path.startswith("/article/") for e in server.access_log) < count and time.monotonic() < deadline:
        time.sleep(0.01)


# How each signal reaches the wrapper, and the exit code docs/operating.md promises for it: SIGKILL kills the wrapper
# (the kernel then sends its crawl SIGTERM); SIGTERM (kill, timeout, systemd with KillMode=mixed) is passed on and the
# run ends `interrupted`, exit 10; Ctrl-C on a terminal signals the whole process group, yet the crawl must get one
# SIGINT, not two (Scrapy takes a second one as "force an unclean shutdown": no report, feed cut short).
def to_the_group(process: subprocess.Popen[bytes], signum: int) -> None:
    os.killpg(process.pid, signum)


def to_the_process(process: subprocess.Popen[bytes], signum: int) -> None:
    process.send_signal(signum)


KILLS: dict[str, tuple[Callable[[subprocess.Popen[bytes], int], None], int, int]] = {
    "SIGKILL": (to_the_process, signal.SIGKILL, -signal.SIGKILL),
    "SIGTERM": (to_the_process, signal.SIGTERM, 10),
    "Ctrl-C (SIGINT to the group)": (to_the_group, signal.SIGINT, 10)}


@pytest.mark.parametrize("how", list(KILLS))
def test_killing_the_runner_mid_crawl_leaves_no_orphan_and_the_next_run_completes(site: MirrorServer, tmp_path: Path,
                                                                                  how: str) -> None:
    send, signum, exit_code = KILLS[how]
    with site as server:
        wrapper = start_runner(server, tmp_path)
        wait_for_articles(server, 5)
        send(wrapper, signum)
        assert wrapper.wait(timeout=30) == exit_code
        # The crawl the wrapper started stops (SIGTERM forwarded, or sent by the kernel when the wrapper died) and
        # releases the lock; nothing keeps crawling unlocked. A new run waits for nothing and completes the site.
        deadline = time.monotonic() + 60
        done = newscrawl(tmp_path, *run_args(server))
        while done.returncode == 3 and time.monotonic() < deadline:  # the old crawl is still finishing its pages
            time.sleep(0.5)
            done = newscrawl(tmp_path, *run_args(server))
        assert done.returncode == 0, done.stdout + done.stderr
        expected = {str(spec.news_id) for spec in server.site.articles.values()}
        before = len(server.access_log)
        time.sleep(1.0)
        assert len(server.access_log) == before, "an orphaned crawl is still fetching"
    statuses = sorted(json.loads(p.read_text())["status"] for p in (tmp_path / "output" / "devdiscourse").glob(
        "*.report.json"))
    assert statuses == ["interrupted", "ok"], "the stopped crawl shut down gracefully and said so"
    assert_once_and_agreeing(tmp_path, expected)


def test_newscrawl_run_beside_a_running_scrapy_crawl_is_refused_with_the_same_line(site: MirrorServer,
                                                                                  tmp_path: Path) -> None:
    """Whoever started the first crawl, a second start is one line and exit 3; the runner adds nothing to it."""
    with site as server:
        first = subprocess.Popen(crawl_command(server), cwd=tmp_path, env=env(), stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        wait_for_articles(server, 3)
        second = newscrawl(tmp_path, *run_args(server))
        running = first.poll() is None
        assert first.wait(timeout=120) == 0
        expected = {str(spec.news_id) for spec in server.site.articles.values()}
    assert running, "the first crawl was still going when the runner started"
    assert second.returncode == 3 and second.stdout == ""
    (line,) = second.stderr.strip().splitlines()
    assert line.startswith("newscrawl run devdiscourse: not started, another run holds "
                           "output/state/devdiscourse.lock (pid")
    assert_once_and_agreeing(tmp_path, expected)
