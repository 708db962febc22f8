"""Parallel replay (-a jobs=N, newscrawl reparse --jobs N): real `scrapy crawl` runs, one process against N.

The promise is byte-identical feeds and the same run report as a one-process replay of the same input: on the bundled
sample (discovery-driven), on a saved-page folder holding wire copies and one page saved under two addresses
(lineage and de-duplication across processes), and on a wget WARC of article pages alone (archive-only candidates).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.crawling import FAST, ROOT, CrawlResult, run_crawl
from tests.sitegen.corpus import corpus, seed_spec
from tests.sitegen.server import MirrorServer, build_devdiscourse_mirror
from tests.test_archive_replay import newscrawl_cli, wget_warc

SAMPLE = ROOT / "samples" / "devdiscourse.warc.gz"
GENERIC_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "generic"
SAVED_PAGES_OF_MANY_SITES = ROOT.parent / "shared" / "bench" / "trafilatura-eval" / "pages"
RUN_FACTS = ("started_at", "finished_at", "duration_seconds")


def report_of(result: CrawlResult, spider: str) -> dict[str, Any]:
    (path,) = (result.workdir / "output" / spider).glob("*.report.json")
    report = json.loads(path.read_text(encoding="utf-8"))
    return {key: value for key, value in report.items() if key not in RUN_FACTS}


def replay_both(tmp_path: Path, spider: str, source: Path, jobs: int = 2) -> tuple[CrawlResult, CrawlResult]:
    one = run_crawl(tmp_path / "one", spider, "-a", f"replay={source}", "-O", "out.jsonl")
    many = run_crawl(tmp_path / "many", spider, "-a", f"replay={source}", "-a", f"jobs={jobs}", "-O", "out.jsonl")
    assert one.returncode == 0 and "Traceback" not in one.log, one.log[-3000:]
    assert many.returncode == 0 and "Traceback" not in many.log, many.log[-3000:]
    return one, many


def assert_same_run(one: CrawlResult, many: CrawlResult, spider: str) -> bytes:
    feed = (one.workdir / "out.jsonl").read_bytes()
    assert feed and (many.workdir / "out.jsonl").read_bytes() == feed
    (default_one,) = one.output_files("*.replay.jsonl")
    (default_many,) = many.output_files("*.replay.jsonl")
    assert default_one.name == default_many.name and default_many.read_bytes() == default_one.read_bytes() == feed
    assert report_of(many, spider) == report_of(one, spider)
    for stat in ("item_scraped_count", "item_dropped_count", "newscrawl/lineage/copies", "newscrawl/replay/hits",
                 "newscrawl/replay/not_replayed/same-url",
                 "newscrawl/pages/article", "newscrawl/discovery/duplicate", "downloader/response_count"):
        assert many.stat(stat) == one.stat(stat), stat
    assert not list(Path(tempfile.gettempdir()).glob(f"newscrawl-jobs-{os.getpid()}-*"))
    return feed


def test_the_sample_replays_byte_identically_in_two_processes(tmp_path: Path) -> None:
    one, many = replay_both(tmp_path, "devdiscourse", SAMPLE)
    feed = assert_same_run(one, many, "devdiscourse")
    assert feed.count(b"\n") == 41
    assert "Progress at the end" in many.log  # the processes' own logs reach the user


def wire_folder(tmp_path: Path) -> Path:
    """Saved pages of many outlets, plus: each page saved again under another outlet's address (a wire copy: same
    body, another URL → one story_id), one page saved under a tracking-parameter address (same canonical URL →
    de-duplicated), and one page saved again later under its own address, edited (not replayed: told). Adjacent
    pages go to different processes, so these decisions cross processes."""
    folder = tmp_path / "saved"
    folder.mkdir()
    pages = sorted(GENERIC_FIXTURES.glob("*.html"))
    last: tuple[Path, str] | None = None
    for page in pages:
        shutil.copy(page, folder / page.name)
        sidecar = page.with_suffix(".url")
        if sidecar.exists():
            shutil.copy(sidecar, folder / sidecar.name)
            url = sidecar.read_text().strip()
            (folder / f"{page.stem}-copy.html").write_bytes(page.read_bytes())
            (folder / f"{page.stem}-copy.url").write_text(url.replace("://", "://syndication.", 1) + "\n")
            last = (page, url)
    assert last is not None
    (folder / "zz-saved-again.html").write_bytes(last[0].read_bytes().replace(b"<p>", b"<p>Updated: ", 1))
    (folder / "zz-saved-again.url").write_text(last[1] + "\n")
    return folder


def test_saved_pages_with_wire_copies_and_duplicates_replay_identically_in_two_and_three(tmp_path: Path) -> None:
    folder = wire_folder(tmp_path)
    one, two = replay_both(tmp_path, "news", folder)
    feed = assert_same_run(one, two, "news")
    items = [json.loads(line) for line in feed.splitlines()]
    assert one.stat("newscrawl/lineage/copies"), "the folder holds wire copies: lineage links them"
    assert one.stat("newscrawl/replay/not_replayed/same-url") == 1, "the page saved again is told, once"
    assert any(item["story_id"] != item["url"] for item in items)
    three = run_crawl(tmp_path / "three", "news", "-a", f"replay={folder}", "-a", "jobs=3", "-O", "out.jsonl")
    assert three.returncode == 0, three.log[-3000:]
    assert_same_run(one, three, "news")


def test_a_wget_warc_of_article_pages_alone_replays_identically(tmp_path: Path) -> None:
    """No discovery page in the archive: every item is an archive-only candidate (via "archive")."""
    if shutil.which("wget") is None:
        pytest.skip("wget is not installed (apt-get install wget); .ci/run installs it")
    specs = [seed_spec(), *corpus(9, seed=5)]
    with MirrorServer(build_devdiscourse_mirror(specs)) as server:
        warc = wget_warc(server, specs, tmp_path)
    one, many = replay_both(tmp_path, "devdiscourse", warc)
    feed = assert_same_run(one, many, "devdiscourse")
    items = [json.loads(line) for line in feed.splitlines()]
    assert len(items) == len(specs)
    assert {discovery["via"] for item in items for discovery in item["provenance"]["discovery"]} == {"archive"}


def generic_stories() -> list[tuple[SplitResult, bytes]]:
    """Every generic fixture with a saved address: (that address, the page), read once per archive built."""
    return [(urlsplit(page.with_suffix(".url").read_text().strip()), page.read_bytes())
            for page in sorted(GENERIC_FIXTURES.glob("*.html")) if page.with_suffix(".url").exists()]


def write_response(writer: WARCWriter, url: str, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
    """One response record, as warcio (not our writer) writes it."""
    http = StatusAndHeaders(status, [*headers, ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http))


def as_published_by(host: str, original: SplitResult, page: bytes) -> bytes:
    """The page with its links to the site it was saved from moved to `host` (its canonical URL among them)."""
    return page.replace(f"//{original.netloc}".encode(), f"//{host}".encode())


def many_outlets_warc(tmp_path: Path, outlets: int, interleaved: bool = False) -> Path:
    """A WARC written by warcio, not by us: every generic fixture as each of `outlets` outlets published it (its
    address and canonical URL moved to that outlet's host), one record after another as another tool writes them:
    outlet by outlet, or `interleaved` (story by story, every outlet's copy in turn, as a crawler of many sites at
    once writes them)."""
    stories = generic_stories()
    warc = tmp_path / "outlets.warc.gz"
    with warc.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        order = ([(outlet, story) for story in stories for outlet in range(outlets)] if interleaved else
                 [(outlet, story) for outlet in range(outlets) for story in stories])
        for outlet, (original, page_bytes) in order:
            host = f"outlet{outlet:02d}.example"
            write_response(writer, urlunsplit((original.scheme, host, original.path, original.query, "")), "200 OK",
                           [("Content-Type", "text/html; charset=utf-8")], as_published_by(host, original, page_bytes))
    return warc


def test_a_foreign_warc_of_many_outlets_over_several_batches_replays_identically(tmp_path: Path) -> None:
    """Many hosts and more article requests than one release batch (64): which host's request comes next must not
    depend on how busy its download slot is (archive/replay.py, with_reproducible_order)."""
    warc = many_outlets_warc(tmp_path, outlets=8)
    one, two = replay_both(tmp_path, "news", warc)
    feed = assert_same_run(one, two, "news")
    items = [json.loads(line) for line in feed.splitlines()]
    assert len({urlsplit(item["url"]).netloc for item in items}) == 8
    assert one.stat("downloader/response_count") > 64 and len(items) > 64
    assert one.stat("newscrawl/lineage/copies"), "the outlets ran the same stories: lineage links them"


def test_a_foreign_warc_of_outlets_interleaved_replays_identically(tmp_path: Path) -> None:
    """Records of many hosts interleaved, as a crawler of many sites writes them: the one-process order must not
    depend on which hosts' slots are busy or whose robots.txt answered first, things the processes cannot share."""
    warc = many_outlets_warc(tmp_path, outlets=12, interleaved=True)
    one, two = replay_both(tmp_path, "news", warc)
    feed = assert_same_run(one, two, "news")
    items = [json.loads(line) for line in feed.splitlines()]
    hosts = [urlsplit(item["url"]).netloc for item in items]
    assert len(set(hosts)) == 12 and len(items) > 2 * 64


def test_real_saved_pages_of_many_sites_replay_identically(tmp_path: Path) -> None:
    """Pages saved from 160 real sites, one each: with Scrapy's downloader-aware queue, which hands out the host
    whose slot is least busy, two processes put items in another order than one (archive/replay.py,
    with_reproducible_order)."""
    if not SAVED_PAGES_OF_MANY_SITES.is_dir():
        pytest.skip(f"{SAVED_PAGES_OF_MANY_SITES} is not beside the repository")
    folder = tmp_path / "pages"
    folder.mkdir()
    for page in sorted(SAVED_PAGES_OF_MANY_SITES.glob("*.html.gz"))[:160]:
        for part in (page, page.with_name(page.name.removesuffix(".html.gz") + ".url")):
            if part.exists():
                shutil.copy2(part, folder / part.name)
    one, two = replay_both(tmp_path, "news", folder)
    feed = assert_same_run(one, two, "news")
    assert feed.count(b"\n") > 2 * 64 and one.stat("newscrawl/replay/hits") >= 160


def redirecting_outlets_warc(tmp_path: Path, outlets: int, aliases: bool = False,
                             refresh: bool = False) -> tuple[Path, list[str]]:
    """A warcio WARC of `outlets` sites, records interleaved: each generic fixture at http://, answered by a 301 to
    its https:// address, and a sitemap per site naming the http:// addresses (as a crawler that follows redirects
    archives them); returns the WARC and the sitemaps' URLs. `aliases`: each page also has a second address (a
    campaign link, redirected to the same page) that the sitemap names too. `refresh`: the http:// address answers
    200 with a page that redirects by meta refresh (a moved-page notice), gzip-encoded as most servers send it."""
    stories = generic_stories()
    warc, sitemaps = tmp_path / "redirects.warc.gz", []
    with warc.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for original, page_bytes in stories:
            for outlet in range(outlets):
                host = f"outlet{outlet:02d}.example"
                final = urlunsplit(("https", host, original.path, original.query, ""))
                first = urlunsplit(("http", host, original.path, original.query, ""))
                if refresh:
                    notice = (f'<html><head><title>Moved</title><noscript><meta http-equiv="refresh" content="0; '
                              f'url=/enable-javascript"></noscript><meta http-equiv="Refresh" content="1;URL='
                              f"'{final}'\"></head><body>This story has moved.</body></html>")
                    write_response(writer, first, "200 OK", [("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
                                   gzip.compress(notice.encode()))
                else:
                    write_response(writer, first, "301 Moved Permanently", [("Location", final)], b"")
                if aliases:
                    write_response(writer, urlunsplit(("http", host, f"/go{original.path}", "", "")), "302 Found",
                                   [("Location", final)], b"")
                write_response(writer, final, "200 OK", [("Content-Type", "text/html; charset=utf-8")],
                               as_published_by(host, original, page_bytes))
        for outlet in range(outlets):
            host = f"outlet{outlet:02d}.example"
            entries = "".join(f"<url><loc>http://{host}{original.path}</loc></url>"
                              + (f"<url><loc>http://{host}/go{original.path}</loc></url>" if aliases else "")
                              for original, _ in stories)
            sitemap = (f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/'
                       f'sitemap/0.9">{entries}</urlset>').encode()
            sitemaps.append(f"https://{host}/sitemap.xml")
            write_response(writer, sitemaps[-1], "200 OK", [("Content-Type", "application/xml")], sitemap)
    return warc, sitemaps


def replay_redirecting_outlets(tmp_path: Path, **options: bool) -> tuple[CrawlResult, CrawlResult, bytes]:
    """redirecting_outlets_warc of 10 sites replayed by the news spider in 1 and 2 processes: both runs and their
    feed, checked to be the same run."""
    warc, sitemaps = redirecting_outlets_warc(tmp_path, outlets=10, **options)
    args = ("-a", f"replay={warc}", "-a", "sitemap=" + ",".join(sitemaps), "-O", "out.jsonl")
    one = run_crawl(tmp_path / "one", "news", *args)
    two = run_crawl(tmp_path / "many", "news", *args, "-a", "jobs=2")
    assert one.returncode == 0 and two.returncode == 0, (one.log + two.log)[-3000:]
    return one, two, assert_same_run(one, two, "news")


@pytest.mark.parametrize("aliases", [False, True], ids=["redirected", "with-aliases"])
def test_a_foreign_warc_of_redirected_articles_replays_identically(tmp_path: Path, aliases: bool) -> None:
    """Every article request of 10 sites is redirected to a page the archive also holds as a candidate of its own.
    A follow-up request's place in one process depended on how many requests were in flight (92 of 110 items moved
    in 2 processes: archive/replay.py, one_request_at_a_time), and a process fetched the pages another process's
    requests reach through redirects, which one process fetches once (50 more fetches, 40 duplicates dropped by the
    merge: spiders/shard.py, _mark_redirect_targets). With a second address per article, redirected to the same
    page, the alias is counted as such, not as a failed fetch (spiders/failures.py)."""
    one, two, feed = replay_redirecting_outlets(tmp_path, aliases=aliases)
    assert feed.count(b"\n") > 64 and one.stat("downloader/response_status_count/301") == feed.count(b"\n")
    assert not two.stat("item_dropped_count") and "one request at a time" in one.log
    report = report_of(one, "news")
    assert report["status"] == "ok" and not set(report["counts"]["errors"]) - {"ReplayMiss"}  # robots.txt misses
    assert one.stat("newscrawl/redirects/to_requested_article") == (feed.count(b"\n") if aliases else None)


def test_a_foreign_warc_of_articles_moved_by_meta_refresh_replays_identically(tmp_path: Path) -> None:
    """The same sites, each article address answered by a moved-page notice that redirects by meta refresh (what
    Scrapy's MetaRefreshMiddleware follows like a 301). Without counting these as redirects, 93 of 110 items moved
    in 2 processes and the processes fetched 310 pages against 260 in one."""
    one, two, feed = replay_redirecting_outlets(tmp_path, refresh=True)
    assert feed.count(b"\n") > 64 and "one request at a time" in one.log
    assert one.stat("downloader/response_status_count/200") == two.stat("downloader/response_status_count/200")
    followed = [json.loads(line)["provenance"] for line in feed.splitlines()]
    followed = [p for p in followed if p["request_url"].startswith("http://") and p["response_url"].startswith("https")]
    assert len(followed) >= 0.8 * feed.count(b"\n"), "the notices' refreshes were followed to the pages"


def test_a_live_capture_with_redirects_replays_identically(tmp_path: Path) -> None:
    """Our own WARC of a loopback mirror (chunked and gzipped answers, redirects of some URL forms), in 2 and 3."""
    specs = [seed_spec(), *corpus(24, seed=11)]
    with MirrorServer(build_devdiscourse_mirror(specs)) as server:
        server.chunked_prefixes = {"/article/politics"}
        live = run_crawl(tmp_path / "live", "devdiscourse", "-a", f"base_url={server.base_url}", settings=FAST)
    assert live.returncode == 0, live.log[-3000:]
    (warc,) = live.output_files("*.warc.gz")
    one, two = replay_both(tmp_path, "devdiscourse", warc)
    assert_same_run(one, two, "devdiscourse")
    three = run_crawl(tmp_path / "three", "devdiscourse", "-a", f"replay={warc}", "-a", "jobs=3", "-O", "out.jsonl")
    assert three.returncode == 0, three.log[-3000:]
    assert_same_run(one, three, "devdiscourse")


@pytest.fixture(scope="module")
def several_batches(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A live capture of 200 articles on one host: four release batches (spiders/release.py), where the bundled
    sample and the other fixtures hold one."""
    workdir = tmp_path_factory.mktemp("several-batches")
    specs = [seed_spec(), *corpus(200, seed=17)]
    with MirrorServer(build_devdiscourse_mirror(specs)) as server:
        live = run_crawl(workdir, "devdiscourse", "-a", f"base_url={server.base_url}", settings=FAST)
    assert live.returncode == 0, live.log[-3000:]
    (warc,) = live.output_files("*.warc.gz")
    return warc


def test_a_replay_of_several_release_batches_is_merged_while_its_processes_run(tmp_path: Path,
                                                                               several_batches: Path) -> None:
    """The parent merges the batches every process is done with while they still run (parallel/stream.py), and
    the feed is still the one-process feed byte for byte."""
    one, two = replay_both(tmp_path, "devdiscourse", several_batches)
    feed = assert_same_run(one, two, "devdiscourse")
    assert feed.count(b"\n") > 3 * 64
    streamed = re.search(r"(\d+) entries merged while the processes ran", two.log)
    assert streamed and int(streamed.group(1)) > 0, two.log[-3000:]
    assert "merged again" not in two.log


BROKEN_PROMISE = """
import json, sys
from newscrawl.parallel import recorder
def promise_too_much(self, batch):  # every batch below the next one 'complete': wrong while requests are at work
    self.entries.write(json.dumps({recorder.COMPLETE: batch + 1}) + "\\n")
    self.entries.flush()
recorder.ShardRecorder.batch_dealt = promise_too_much
from scrapy.cmdline import execute
sys.argv = ["scrapy", *sys.argv[1:]]
execute()
"""


def test_a_broken_progress_mark_is_caught_and_the_merge_done_again(tmp_path: Path, several_batches: Path) -> None:
    """Processes that mark batches complete too early (injected): the parent sees items arrive below what it already
    merged, merges everything again once they have ended, and the feed is still the one-process feed."""
    one = run_crawl(tmp_path / "one", "devdiscourse", "-a", f"replay={several_batches}", "-O", "out.jsonl")
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawl.settings", "PYTHONPATH": str(ROOT)}
    (tmp_path / "many").mkdir()
    many = subprocess.run([sys.executable, "-c", BROKEN_PROMISE, "crawl", "devdiscourse", "-a",
                           f"replay={several_batches}", "-a", "jobs=2", "-O", "out.jsonl", "-s", "LOG_LEVEL=INFO"],
                          cwd=tmp_path / "many", env=env, capture_output=True, text=True, timeout=120)
    assert many.returncode == 0 and one.returncode == 0, many.stderr[-3000:]
    assert "was out of order; merged again" in many.stderr
    assert (tmp_path / "many" / "out.jsonl").read_bytes() == (one.workdir / "out.jsonl").read_bytes()


def test_standard_output_gets_the_merged_feed_and_a_damaged_input_is_logged_once(tmp_path: Path) -> None:
    """`-O -` with -a jobs=2 wrote nothing to stdout (a file named "stdout:" instead), and every process of the
    replay logged each damaged input of the archive: one line per process."""
    folder = tmp_path / "pages"
    folder.mkdir()
    for page in sorted(GENERIC_FIXTURES.glob("*.html"))[:6]:
        shutil.copy(page, folder / page.name)
        shutil.copy(page.with_suffix(".url"), folder / page.with_suffix(".url").name)
    (folder / "empty.html").write_bytes(b"")
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawl.settings", "PYTHONPATH": str(ROOT)}
    outputs = []
    for jobs in ("1", "2"):
        workdir = tmp_path / f"jobs{jobs}"
        workdir.mkdir()
        done = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"replay={folder}", "-a",
                               f"jobs={jobs}", "-O", "-:jsonlines"], cwd=workdir, env=env, capture_output=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]
        assert done.stderr.decode().count("Damaged input") == 1, done.stderr.decode()[-3000:]
        assert [path.name for path in workdir.iterdir()] == ["output"], "no file named after stdout"
        outputs.append(done.stdout)
    assert outputs[0].count(b"\n") >= 3 and outputs[1] == outputs[0]


def test_reparse_with_two_jobs_writes_the_same_feed(tmp_path: Path) -> None:
    one = newscrawl_cli("reparse", str(SAMPLE), "-o", str(tmp_path / "one.jsonl"), cwd=tmp_path)
    two = newscrawl_cli("reparse", str(SAMPLE), "-o", str(tmp_path / "two.jsonl"), "--jobs", "2", cwd=tmp_path)
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr
    assert (tmp_path / "two.jsonl").read_bytes() == (tmp_path / "one.jsonl").read_bytes()
    bad = newscrawl_cli("reparse", str(SAMPLE), "--jobs", "0", cwd=tmp_path)
    assert bad.returncode == 2 and "--jobs: '0' is neither a positive whole number nor auto" in bad.stderr


@pytest.mark.parametrize(("arguments", "message"), [
    (("-a", "jobs=0"), "bad value for -a jobs: '0' is neither a positive whole number nor auto"),
    (("-a", "jobs=x"), "bad value for -a jobs: 'x' is neither a positive whole number nor auto"),
    (("-a", "jobs=-2"), "bad value for -a jobs: '-2' is neither a positive whole number nor auto"),
    (("-a", "jobs=2", "-O", "out.csv"), "a parallel replay writes plain local JSON Lines feeds only, and out.csv"),
])
def test_a_bad_jobs_value_is_one_line_and_exit_2(tmp_path: Path, arguments: tuple[str, ...], message: str) -> None:
    result = run_crawl(tmp_path, "devdiscourse", "-a", f"replay={SAMPLE}", *arguments)
    assert result.returncode == 2 and message in result.log and "Traceback" not in result.log, result.log[-2000:]
    assert not (tmp_path / "output").exists() and not (tmp_path / "out.csv").exists()


def test_jobs_without_a_replay_is_a_usage_error(tmp_path: Path) -> None:
    result = run_crawl(tmp_path, "devdiscourse", "-a", "jobs=2", "-a", "base_url=http://127.0.0.1:9")
    assert result.returncode == 2 and "-a jobs splits a replay" in result.log


def test_jobs_auto_uses_every_core_and_jobs_1_is_one_process(tmp_path: Path) -> None:
    cores = len(os.sched_getaffinity(0))
    auto = run_crawl(tmp_path / "auto", "devdiscourse", "-a", f"replay={SAMPLE}", "-a", "jobs=auto", "-O", "out.jsonl")
    assert auto.returncode == 0 and len(auto.feed_items("out.jsonl")) == 41, auto.log[-3000:]
    assert (f"Parallel replay: {cores} processes" in auto.log) == (cores > 1)
    one = run_crawl(tmp_path / "one", "devdiscourse", "-a", f"replay={SAMPLE}", "-a", "jobs=1", "-O", "out.jsonl")
    assert one.returncode == 0 and "Parallel replay" not in one.log
    assert (one.workdir / "out.jsonl").read_bytes() == (auto.workdir / "out.jsonl").read_bytes()


def children_of(pid: int) -> list[int]:
    """The processes `pid` forked that run its own program: its workers. Scrapy's start-up in the parent runs
    `uname -p` (platform.platform() for its "Versions" log line), a child of its own that the poll can catch."""
    program = Path(f"/proc/{pid}/exe").resolve()
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
            same_program = (status.parent / "exe").resolve() == program
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid) and same_program:
            found.append(int(status.parent.name))
    return found


def test_killing_the_parent_stops_every_process_and_the_next_run_removes_its_scratch(tmp_path: Path) -> None:
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawl.settings", "PYTHONPATH": str(ROOT)}
    parent = subprocess.Popen([sys.executable, "-m", "scrapy", "crawl", "devdiscourse", "-a", f"replay={SAMPLE}",
                               "-a", "jobs=2", "-O", "out.jsonl"], cwd=tmp_path, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(children := children_of(parent.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(children) == 2
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 30
    while any(Path(f"/proc/{child}").exists() and "zombie" not in Path(f"/proc/{child}/status").read_text()
              for child in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [child for child in children if Path(f"/proc/{child}").exists()
                and "zombie" not in Path(f"/proc/{child}/status").read_text()]
    left = list(Path(tempfile.gettempdir()).glob(f"newscrawl-jobs-{parent.pid}-*"))
    again = run_crawl(tmp_path, "devdiscourse", "-a", f"replay={SAMPLE}", "-a", "jobs=2", "-O", "out.jsonl")
    assert again.returncode == 0 and len(again.feed_items("out.jsonl")) == 41
    assert not any(path.exists() for path in left), "a later parallel replay removes a killed one's scratch"
