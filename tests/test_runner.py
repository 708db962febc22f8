"""`newscrawl run`: the lock, exit codes, the run report, the drift alarm, history, and resume after SIGKILL."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from newscrawl.cli import main as newscrawl_main
from newscrawl.spiders.devdiscourse import DevdiscourseSpider
from newscrawl.spiders.news import NewsSpider
from newscrawl.state.lock import RunLock
from newscrawl.state.store import Revision, StateStore
from tests.crawling import FAST, ROOT
from tests.sitegen.corpus import corpus, seed_spec
from tests.sitegen.server import MirrorServer, Page, Request, Site, build_devdiscourse_mirror

FAST_ARGS = [arg for name, value in FAST.items() for arg in ("-s", f"{name}={value}")]


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "newscrawl.settings"}


def newscrawl(workdir: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    workdir.mkdir(parents=True, exist_ok=True)
    return subprocess.run([sys.executable, "-m", "newscrawl.cli", *args], cwd=workdir, env=env(),
                          capture_output=True, text=True, timeout=timeout)


def run_args(server: MirrorServer, *extra: str) -> list[str]:
    return ["run", "devdiscourse", "-a", f"base_url={server.base_url}", *extra, *FAST_ARGS]


def reports(workdir: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted((workdir / "output" / "devdiscourse").glob("*.report.json"))]


def slow_articles(site: Site, seconds: float) -> None:
    def delay(request: Request) -> Page | None:
        if request.path.startswith("/article/"):
            time.sleep(seconds)
        return None

    site.hooks.insert(0, delay)


def rewrite_pages(site: Site, change: Callable[[bytes], bytes]) -> None:
    def wrap(hook: Callable[[Request], Page | None]) -> Callable[[Request], Page | None]:
        def changed(request: Request) -> Page | None:
            page = hook(request)
            return dataclasses.replace(page, body=change(page.body)) if page is not None else None
        return changed

    site.hooks[:] = [wrap(hook) for hook in site.hooks]


def test_run_writes_feed_warc_log_and_report_and_summarises(tmp_path: Path) -> None:
    specs = [seed_spec(), *corpus(12)]
    with MirrorServer(build_devdiscourse_mirror(specs)) as server:
        done = newscrawl(tmp_path, *run_args(server))
    assert done.returncode == 0, done.stdout + done.stderr
    [report] = reports(tmp_path)
    assert report["status"] == "ok" and report["exit_code"] == 0
    assert report["counts"]["items"] == report["counts"]["new_items"] == len(specs)
    assert report["coverage"]["devdiscourse"]["fields"]["title"] == 1.0
    for key in ("feed", "log"):
        assert (tmp_path / report[key]).exists(), key
    assert [Path(w).name for w in report["warc"]] == [f"{report['crawl_id']}.warc.gz"]
    assert (tmp_path / report["warc"][0]).exists()
    assert f"devdiscourse {report['crawl_id']}: ok" in done.stdout
    assert f"items {len(specs)} (new {len(specs)}, revisions 0)" in done.stdout
    assert report["counts"]["articles"]["fetched"] == report["counts"]["discovered"] == len(specs)
    assert f"discovered {len(specs)}: fetched {len(specs)} · not modified 0 · skipped as known 0 · gone 0 · failed 0" \
        in done.stdout


def test_a_second_run_while_one_is_active_exits_with_the_lock_code(tmp_path: Path) -> None:
    specs = [seed_spec(), *corpus(10)]
    site = build_devdiscourse_mirror(specs)
    slow_articles(site, 0.4)
    with MirrorServer(site) as server:
        # one article at a time, 0.4 s each: the first run is still crawling (and holding the lock, from its crawl
        # process) when the second starts
        first = subprocess.Popen([sys.executable, "-m", "newscrawl.cli", *run_args(server, "-s", "CONCURRENT_REQUESTS=1")],
                                 cwd=tmp_path, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while not (tmp_path / "output" / "state" / "devdiscourse.lock").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        started = time.monotonic()
        second = newscrawl(tmp_path, *run_args(server))
        assert time.monotonic() - started < 10, "the second run exits at once"
        assert second.returncode == 3
        assert "not started, another run holds" in second.stderr and "pid" in second.stderr
        out, err = first.communicate(timeout=120)
        assert first.returncode == 0, out + err
    assert len(reports(tmp_path)) == 1


def test_layout_drift_fails_the_run_and_names_the_field(tmp_path: Path) -> None:
    specs = [seed_spec(), *corpus(12)]
    site = build_devdiscourse_mirror(specs)
    rewrite_pages(site, lambda body: body.replace(b'<section class="article-cont">', b'<section class="story-text">'))
    with MirrorServer(site) as server:
        done = newscrawl(tmp_path, *run_args(server))
    assert done.returncode == 5, done.stdout + done.stderr
    [report] = reports(tmp_path)
    assert report["status"] == "drift"
    fields = {item["field"]: item for item in report["drift"]["fields"]}
    assert "body" in fields and fields["body"]["coverage"] == 0.0
    assert fields["body"]["examples"], "the report gives example URLs"
    assert "LAYOUT DRIFT" in done.stdout and "body: 0%" in done.stdout
    assert report["counts"]["dropped"] == {"MissingField": len(specs)}


def test_most_pages_of_an_outlet_turning_into_script_shells_is_drift_though_the_rest_give_items(
        tmp_path: Path) -> None:
    """A redesign reaches part of the site: most article pages become script shells (the story fetched by JS)
    while the others still parse. Only a run where *every* page parsed to nothing was drift; this one ended `ok`
    with the shells named in one summary line."""
    specs = [seed_spec(), *corpus(12)]
    site = build_devdiscourse_mirror(specs)
    shell = (b'<!doctype html><html><head><title>Devdiscourse</title></head><body><div id="root"></div>'
             b'<script src="/static/app.3f9a.js"></script></body></html>')
    redesigned = {str(spec.news_id) for spec in specs[:8]}

    def script_shell(request: Request) -> Page | None:
        is_article = request.path.startswith("/article/")
        return Page(shell) if is_article and any(f"/{news_id}-" in request.path for news_id in redesigned) else None
    site.hooks.insert(0, script_shell)
    with MirrorServer(site) as server:
        done = newscrawl(tmp_path, *run_args(server))
    assert done.returncode == 5, done.stdout + done.stderr
    [report] = reports(tmp_path)
    assert report["status"] == "drift" and report["counts"]["items"] == len(specs) - len(redesigned)
    assert f"{len(redesigned)} of {len(specs)} devdiscourse article pages parsed to nothing" in done.stdout


def test_nothing_discovered_has_its_own_code(tmp_path: Path) -> None:
    with MirrorServer(Site()) as server:  # every URL 404s: no sitemap, no listings, no API
        done = newscrawl(tmp_path, *run_args(server))
    assert done.returncode == 6, done.stdout + done.stderr
    assert reports(tmp_path)[0]["status"] == "nothing-discovered"


def test_bad_arguments_exit_2_without_a_report(tmp_path: Path) -> None:
    """One line naming the command the user typed (it said "__main__.py: error:"), and no file left behind: the
    log was created before the crawl found its arguments bad."""
    done = newscrawl(tmp_path, "run", "devdiscourse", "-a", "since=yesterday")
    assert done.returncode == 2
    assert done.stderr.startswith("newscrawl run devdiscourse: error: spider 'devdiscourse': bad value for -a since")
    assert done.stderr.count("\n") == 1, done.stderr
    assert not (tmp_path / "output").exists()


REFUSALS = {
    "damaged-state": (2, "error: cannot open crawl state output/state/devdiscourse.sqlite: "),
    "lock-held": (3, "not started, another run holds output/state/devdiscourse.lock (pid "),
    "feed-folder-a-file": (1, "not started, cannot write the feed not-a-folder/x.jsonl in not-a-folder: "
                              "Not a directory"),
    "state-folder-a-file": (1, "not started, cannot write the state not-a-folder/state/devdiscourse.sqlite in "
                               "not-a-folder: Not a directory"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
@pytest.mark.parametrize("command", ["scrapy crawl", "newscrawl run"])
def test_every_refusal_names_the_command_the_user_ran(tmp_path: Path, command: str, case: str) -> None:
    """Only the usage errors said `newscrawl run devdiscourse:` under `newscrawl run`; a damaged state file, a held
    lock or a feed folder that cannot be written said `scrapy crawl devdiscourse:`, a command the user never ran.
    And each is the only line, under `scrapy crawl` too, where Scrapy's version banner came before it. A refused
    crawl leaves no log file behind."""
    state = tmp_path / "output" / "state"
    state.mkdir(parents=True)
    if case == "damaged-state":
        (state / "devdiscourse.sqlite").write_bytes(b"garbage" * 10)
    (tmp_path / "not-a-folder").write_text("")
    args = ["devdiscourse", "-a", "urls=http://127.0.0.1:9/article/x/1-a", *FAST_ARGS,
            *(["-o", "not-a-folder/x.jsonl"] if case == "feed-folder-a-file" else []),
            *(["-s", "NEWSCRAWL_STATE_DIR=not-a-folder/state"] if case == "state-folder-a-file" else [])]
    argv = [sys.executable, "-m", "scrapy", "crawl", *args] if command == "scrapy crawl" else \
        [sys.executable, "-m", "newscrawl.cli", "run", *args]
    lock = RunLock(state / "devdiscourse.lock") if case == "lock-held" else None
    if lock is not None:
        lock.__enter__()
    try:
        done = subprocess.run(argv, cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=120)
    finally:
        if lock is not None:
            lock.__exit__(None, None, None)
    code, said = REFUSALS[case]
    lines = done.stderr.strip().splitlines()  # scrapy crawl logs to stderr: its banner came first (13 lines)
    assert done.returncode == code and len(lines) == 1, done.stderr[-3000:]
    assert lines[0].startswith(f"{command} devdiscourse: {said}"), lines[0]
    assert not list(tmp_path.rglob("*.log")), "a refused crawl writes no log"


def test_a_log_folder_that_is_a_file_is_named_as_such(tmp_path: Path) -> None:
    """`--logfile afile/x.log` with afile a file said `File exists` (mkdir's words for it), not the real reason."""
    (tmp_path / "afile").write_text("")
    done = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "devdiscourse", "-a",
                           "urls=http://127.0.0.1:9/article/x/1-a", "--logfile", "afile/x.log"],
                          cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr) == (1, "scrapy crawl devdiscourse: not started, cannot write the log "
                                                 "afile/x.log: Not a directory\n"), done.stderr[-3000:]


def test_a_crawl_that_starts_still_logs_scrapys_banner(tmp_path: Path) -> None:
    """The refusals above are checked before Scrapy's logging starts; a crawl that passes them logs as it did."""
    done = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "devdiscourse", "-a",
                           "urls=http://127.0.0.1:9/article/x/1-a", *FAST_ARGS, "-s", "RETRY_ENABLED=0"],
                          cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "[scrapy.utils.log] INFO: Scrapy " in done.stderr.splitlines()[0] and "Versions:" in done.stderr


def test_history_lists_revisions_and_diffs(tmp_path: Path) -> None:
    specs = [seed_spec(), *corpus(6)]
    site = build_devdiscourse_mirror(specs)
    with MirrorServer(site) as server:
        assert newscrawl(tmp_path, *run_args(server)).returncode == 0
        edited = specs[0]
        site.articles[edited.news_id] = dataclasses.replace(
            edited, title="Kim Jong Un Meets Shoigu", modified_on=edited.modified_on + timedelta(hours=3),
            description_html=edited.description_html.replace("significant", "landmark"))
        assert newscrawl(tmp_path, *run_args(server)).returncode == 0
    url = json.loads(next((tmp_path / "output/devdiscourse").glob("*.jsonl")).read_text().splitlines()[0])["url"]
    done = newscrawl(tmp_path, "history", "https://www.devdiscourse.com/article/politics/3301234-diplomatic-tensions-"
                                          "kim-jong-un-meets-russian-security-official-amid-ongoing-conflicts")
    assert done.returncode == 0, done.stderr
    assert url
    lines = done.stdout.splitlines()
    assert any(line.split()[:1] == ["1"] and "first seen" in line for line in lines)
    assert any(line.split()[:1] == ["2"] and "title" in line and "body" in line for line in lines)
    assert "-# Diplomatic Tensions: Kim Jong Un Meets Russian Security Official Amid Ongoing Conflicts" in lines
    assert "+# Kim Jong Un Meets Shoigu" in lines
    assert any(line.startswith("+In a landmark diplomatic engagement") for line in lines)
    missing = newscrawl(tmp_path, "history", "https://example.com/nope")
    assert missing.returncode == 1 and "is not in" in missing.stderr


@pytest.mark.parametrize(("spider", "stored", "asked", "found"), [
    ("news", "https://example.com/news/htm", "HTTPS://EXAMPLE.COM/news/htm", True),
    ("news", "https://example.com/news/htm", "https://Example.com:443/news/htm?utm_source=feed", True),
    ("news", "https://example.com/news/htm", "https://example.com/news/htm/", False),  # the crawler keeps them apart
    ("devdiscourse", "https://www.devdiscourse.com/article/x/3301234-a-title",
     "HTTPS://WWW.DEVDISCOURSE.COM/article/politics/3301234-another-slug", True),
])
def test_history_finds_an_article_as_the_crawl_stored_it(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        spider: str, stored: str, asked: str, found: bool) -> None:
    """`history` looked the URL up as typed: a capital letter in the host made a stored article "not in" the state."""
    spider_class = NewsSpider if spider == "news" else DevdiscourseSpider
    path = tmp_path / f"{spider}.sqlite"
    store = StateStore(path)
    store.record_revision(Revision(key=spider_class().article_key(stored), revision=1, crawl_id="c1",
                                   fetched_at="2025-03-21T13:37:12Z", url=stored, content_sha256="c", body_sha256="b",
                                   item={"title": "A title", "body": "Text."}),
                          etag=None, last_modified=None, signal=None, published_at=None)
    store.commit()
    store.close()
    code = newscrawl_main(["history", asked, "--spider", spider, "--state", str(path)])
    out, err = capsys.readouterr()
    assert (code, f"A title\n{stored}\n" in out) == ((0, True) if found else (1, False)), out + err


@pytest.mark.parametrize("kill_after", [3, 11, 24])
def test_sigkill_mid_crawl_then_rerun_loses_and_duplicates_nothing(tmp_path: Path, kill_after: int) -> None:
    specs = [seed_spec(), *corpus(35, seed=kill_after)]
    site = build_devdiscourse_mirror(specs)
    slow_articles(site, 0.03)
    with MirrorServer(site) as server:
        command = [sys.executable, "-m", "scrapy", "crawl", "devdiscourse", "-a", f"base_url={server.base_url}",
                   *FAST_ARGS, "-s", "CONCURRENT_REQUESTS=2"]
        crawl = subprocess.Popen(command, cwd=tmp_path, env=env(), stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while (sum(e.path.startswith("/article/") for e in server.access_log) < kill_after
               and time.monotonic() < deadline and crawl.poll() is None):
            time.sleep(0.005)
        crawl.send_signal(signal.SIGKILL)
        crawl.wait(timeout=30)
        done = newscrawl(tmp_path, *run_args(server))
        assert done.returncode == 0, done.stdout + done.stderr
    feeds = sorted((tmp_path / "output" / "devdiscourse").glob("*.jsonl"))
    assert len(feeds) == 2
    ids: list[str] = []
    for feed in feeds:
        for line in feed.read_text(encoding="utf-8").splitlines():
            ids.append(json.loads(line)["outlet_id"])  # every line of the killed feed is valid JSON
    assert sorted(ids) == sorted(str(spec.news_id) for spec in specs), "every article exactly once"
    # Issue 15.5: the killed run's WARC is finished under the name its items give, so every item of every feed
    # (the killed run's included) verifies against the archived bytes.
    assert not list((tmp_path / "output" / "devdiscourse").glob("*.open")), "the killed WARC was finished"
    for feed in [feed for feed in feeds if feed.stat().st_size]:  # a run killed early may have written no line
        verified = newscrawl(tmp_path, "verify", str(feed))
        assert verified.returncode == 0, verified.stdout[-3000:] + verified.stderr
