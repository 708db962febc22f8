"""The crawl state's batch has one commit path (pipelines/revisions.py ``commit_state``: the timer, and after an
item's revision once the batch is full or old), so a disk that refuses it is handled one way wherever it happens.

A real `scrapy crawl` of the loopback mirror whose state folder (output/state, a small tmpfs) is filled mid-crawl:
one critical line and the one-line message name the state, no traceback in the log (the refused batch is not
committed again at close), and after the disk is grown `newscrawl run` loses and duplicates nothing. The kill-point
tests (tests/test_faults.py) check the same path under SIGKILL.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.sitegen.corpus import corpus, seed_spec
from tests.sitegen.server import MirrorServer, build_devdiscourse_mirror
from tests.test_fatal_first_cause import fill, wait_for
from tests.test_faults import FAST_ARGS, _mount, env, slow_articles, tiny_disk
from tests.test_one_line_failures import assert_nothing_lost


def test_a_state_disk_filled_mid_crawl_stops_it_once_and_the_next_run_loses_nothing(tmp_path: Path) -> None:
    specs = [seed_spec(), *corpus(24, seed=11)]
    site = build_devdiscourse_mirror(specs)
    slow_articles(site, 0.3)  # items keep coming after the disk fills: each must leave the state alone
    state, log = tmp_path / "output" / "state", tmp_path / "crawl.log"
    state.mkdir(parents=True)
    with MirrorServer(site) as server, tiny_disk(state, "2m"):
        crawl = subprocess.Popen(
            [sys.executable, "-m", "scrapy", "crawl", "devdiscourse", "-a", f"base_url={server.base_url}",
             *FAST_ARGS, "-s", "CONCURRENT_REQUESTS=4", "-s", f"LOG_FILE={log}"],
            cwd=tmp_path, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            wait_for(lambda: len(server.requests_for("/article/")) >= 4, "the first article fetches")
            fill(state)
            _, stderr = crawl.communicate(timeout=120)
        finally:
            if crawl.poll() is None:
                crawl.kill()
                crawl.wait()
        text = log.read_text(errors="replace")
        assert crawl.returncode == 1, stderr[-3000:]
        assert [line for line in stderr.splitlines() if line.startswith("scrapy crawl")] == [
            f"scrapy crawl devdiscourse: the crawl stopped early (state_write_error): cannot write the crawl state "
            f"{Path('output/state/devdiscourse.sqlite')}: database or disk is full"]
        assert text.count("Cannot write the crawl state") == 1, text[-5000:]
        assert "Traceback" not in text and "Error caught on signal handler" not in text, text[-5000:]
        (state / "filler").unlink()
        assert _mount("-o", "remount,size=64m", str(state)), "grow the disk"
        assert_nothing_lost(tmp_path, server, specs)
