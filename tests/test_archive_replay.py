"""Capture → replay → verify, end to end with real `scrapy crawl` runs against a loopback mirror."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import brotli
import pytest
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.http import Headers, HtmlResponse, Request, Response
from scrapy.pqueues import DownloaderAwarePriorityQueue
from scrapy.responsetypes import responsetypes
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

if sys.version_info >= (3, 14):
    from compression import zstd
else:  # the test writes its zstd archives on its own, not with the code under test
    from backports import zstd

from newscrawl.archive import indexparts, sniff
from newscrawl.archive.replay import (PUSH_ORDER_QUEUE, MetaRefreshPolicy, ReplaySource, with_reproducible_order,
                                      without_network_handlers)
from newscrawl.archive.warc import (ArchivedExchange, ArchiveIndex, ArchiveProblem, ArchiveReadError, iter_archive,
                                   may_refresh, read_at, read_warcinfo)
from newscrawl.items import Article
from newscrawl.spiders.devdiscourse import DevdiscourseSpider
from newscrawl.spiders.replayname import replay_stem
from tests.test_archive_warc import PAGE, _http, _record
from tests.crawling import FAST, ROOT, CrawlResult, run_crawl
from tests.sitegen.corpus import corpus, seed_spec
from tests.sitegen.devdiscourse import NewsSpec, canonical_url, render_desktop
from tests.sitegen.server import MirrorServer, build_devdiscourse_mirror
from tests.test_faults import tiny_disk

FIXTURES = Path(__file__).parent / "fixtures" / "devdiscourse"


@pytest.fixture(scope="module")
def specs() -> list[NewsSpec]:
    return [seed_spec(), *corpus(12, seed=3)]


@pytest.fixture(scope="module")
def live(specs: list[NewsSpec], tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CrawlResult, MirrorServer]]:
    site = build_devdiscourse_mirror(specs)
    with MirrorServer(site) as server:
        server.chunked_prefixes = {"/article/politics"}  # some responses chunked, all gzipped
        result = run_crawl(tmp_path_factory.mktemp("live"), "devdiscourse", "-a", f"base_url={server.base_url}",
                           settings=FAST)
        assert result.returncode == 0, result.log[-3000:]
        yield result, server


def only(paths: list[Path]) -> Path:
    assert len(paths) == 1, paths
    return paths[0]


def items_by_url(path: Path) -> dict[str, dict[str, Any]]:
    with open(path, encoding="utf-8") as lines:
        return {item["url"]: item for item in map(json.loads, lines)}


def newscrawl_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`newscrawl …` run in `cwd`, by default a folder of its own: a command that writes where it runs (reparse's
    default feed, a run report) never leaves files in the project's output/ folder."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory(prefix="newscrawl-cli-") as scratch:
        return subprocess.run([sys.executable, "-m", "newscrawl.cli", *args], capture_output=True, text=True,
                              cwd=cwd or scratch, timeout=120, env=env)


WARCIO = str(Path(sys.executable).parent / "warcio")


def test_live_crawl_writes_a_valid_warc_of_every_exchange(live: tuple[CrawlResult, MirrorServer]) -> None:
    result, server = live
    warc = only(result.output_files("*.warc.gz"))
    assert not result.output_files("*.open"), "a finished run leaves no partial files"
    records = [r for r in iter_archive(warc)]
    assert all(isinstance(r, ArchivedExchange) for r in records)
    archived = {(r.url.split(server.base_url, 1)[1]) for r in records if isinstance(r, ArchivedExchange)}
    assert {"/robots.txt", "/RSS/GoogleNews", "/pti-stories?page=1"} <= archived
    assert len(records) == len(server.access_log), "every exchange, errors and redirects included"
    check = subprocess.run([WARCIO, "check", str(warc)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    index = subprocess.run([WARCIO, "index", str(warc)], capture_output=True, text=True)
    assert index.returncode == 0 and index.stdout.count('"warc-type": "response"') == len(records)
    gzipped = [r for r in records if isinstance(r, ArchivedExchange)
               and dict((k.lower(), v) for k, v in r.headers).get("content-encoding") == "gzip"]
    assert gzipped, "responses are archived as the server sent them (still gzip-encoded)"


def test_items_link_to_their_records_and_verify(live: tuple[CrawlResult, MirrorServer]) -> None:
    result, _ = live
    feed = only(result.output_files("*.jsonl"))
    for item in items_by_url(feed).values():
        archive = item["provenance"]["archive"]
        assert archive["file"].endswith(".warc.gz") and archive["record_id"].startswith("<urn:uuid:")
    done = newscrawl_cli("verify", str(feed.relative_to(result.workdir)), cwd=result.workdir)
    assert done.returncode == 0, done.stdout + done.stderr
    count = len(items_by_url(feed))
    assert f"{count} items checked: {count} verified, 0 problems" in done.stdout


def test_replay_gives_the_live_items_and_is_byte_identical(live: tuple[CrawlResult, MirrorServer],
                                                             tmp_path: Path) -> None:
    result, server = live
    warc = only(result.output_files("*.warc.gz"))
    hits_before = len(server.access_log)
    digests = []
    for run in ("one", "two"):
        replay = run_crawl(tmp_path / run, "devdiscourse", "-a", f"replay={warc}", "-O", "replay.jsonl")
        assert replay.returncode == 0, replay.log[-3000:]
        assert replay.stat("newscrawl/replay/misses") is None
        digests.append(hashlib.sha256((tmp_path / run / "replay.jsonl").read_bytes()).hexdigest())
    assert digests[0] == digests[1]
    assert len(server.access_log) == hits_before, "replay never touches the network"
    live_items = items_by_url(only(result.output_files("*.jsonl")))
    replayed = items_by_url(tmp_path / "one" / "replay.jsonl")
    assert replayed.keys() == live_items.keys()
    for url, item in live_items.items():
        assert replayed[url]["provenance"].pop("mode") == "replay"
        assert item["provenance"].pop("mode") == "live"
        for key in item["provenance"]:
            assert replayed[url]["provenance"][key] == item["provenance"][key], key
        assert replayed[url] == item


def test_replay_default_feed_does_not_overwrite_the_live_feed(live: tuple[CrawlResult, MirrorServer],
                                                               tmp_path: Path) -> None:
    result, _ = live
    warc = only(result.output_files("*.warc.gz"))
    replay = run_crawl(tmp_path, "devdiscourse", "-a", f"replay={warc}")
    feed = only(replay.output_files("*.jsonl"))
    assert feed.name.endswith(".replay.jsonl")
    assert not replay.output_files("*.warc.gz"), "replay writes no new archive"


def test_verify_fails_on_a_changed_archive_byte_or_digest(live: tuple[CrawlResult, MirrorServer],
                                                          tmp_path: Path) -> None:
    result, _ = live
    warc = only(result.output_files("*.warc.gz"))
    feed = only(result.output_files("*.jsonl"))
    items = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]
    # 1. one item's digest changed
    tampered_feed = tmp_path / "tampered.jsonl"
    items[0]["provenance"]["body_sha256"] = "0" * 64
    tampered_feed.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    done = newscrawl_cli("verify", str(tampered_feed), "--archive", str(warc))
    assert done.returncode == 1
    assert f"line 1 {items[0]['url']}: body digest mismatch" in done.stdout
    # 2. one archived byte changed (inside the payload of the first item's record)
    copy_dir = tmp_path / "archive"
    copy_dir.mkdir()
    copy = copy_dir / warc.name
    shutil.copy(warc, copy)
    offset = items[1]["provenance"]["archive"]["offset"]
    data = bytearray(copy.read_bytes())
    # Re-write the record's gzip member with one payload byte flipped near its end.
    from newscrawl.archive.reader import read_record_at  # the damage-tolerant reader finds the member end

    _, end = read_record_at(copy, offset)
    assert end is not None
    plain = bytearray(gzip.decompress(bytes(data[offset:end])))
    plain[-10] ^= 0x01
    copy.write_bytes(bytes(data[:offset]) + gzip.compress(bytes(plain)) + bytes(data[end:]))
    good_feed = tmp_path / "good.jsonl"
    items[0]["provenance"]["body_sha256"] = json.loads(feed.read_text().splitlines()[0])["provenance"]["body_sha256"]
    good_feed.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    done = newscrawl_cli("verify", str(good_feed), "--archive", str(copy_dir))
    assert done.returncode == 1, done.stdout
    assert items[1]["url"] in done.stdout and "FAIL" in done.stdout


def test_truncated_and_corrupt_archives_replay_every_intact_record(live: tuple[CrawlResult, MirrorServer],
                                                                   tmp_path: Path) -> None:
    result, _ = live
    warc = only(result.output_files("*.warc.gz"))
    feed_items = items_by_url(only(result.output_files("*.jsonl")))
    data = warc.read_bytes()
    # Truncated: cut inside the last record.
    truncated = tmp_path / "truncated" / "cut.warc.gz"
    truncated.parent.mkdir()
    truncated.write_bytes(data[: len(data) - 200])
    replay = run_crawl(tmp_path / "t", "devdiscourse", "-a", f"replay={truncated}", "-O", "out.jsonl")
    assert replay.returncode == 0 and "Traceback" not in replay.log
    assert f"Damaged input {truncated} at offset" in replay.log
    assert len(replay.feed_items("out.jsonl")) >= len(feed_items) - 1
    # Corrupt member in the middle: garbage over one article record's compressed bytes.
    victim = sorted(item["provenance"]["archive"]["offset"] for item in feed_items.values())[len(feed_items) // 2]
    corrupt = tmp_path / "corrupt" / "mid.warc.gz"
    corrupt.parent.mkdir()
    damaged = bytearray(data)
    damaged[victim + 40: victim + 140] = b"\x00" * 100
    corrupt.write_bytes(bytes(damaged))
    replay = run_crawl(tmp_path / "c", "devdiscourse", "-a", f"replay={corrupt}", "-O", "out.jsonl")
    assert replay.returncode == 0 and "Traceback" not in replay.log
    assert f"Damaged input {corrupt} at offset {victim}" in replay.log
    assert len(replay.feed_items("out.jsonl")) == len(feed_items) - 1


def _warnings_naming(log: str, path: Path) -> list[str]:
    return [line for line in log.splitlines() if str(path) in line and (" WARNING: " in line or " ERROR: " in line)]


def test_an_empty_or_unreadable_warc_costs_one_line(tmp_path: Path) -> None:
    """A zero-byte .warc.gz (a failed download) was two lines: "No readable warcinfo in …" from reading the crawl's
    identity, then the damage line; so was a file whose first record is damaged, first in a folder's name order."""
    empty = tmp_path / "empty.warc.gz"
    empty.write_bytes(b"")
    alone = run_crawl(tmp_path / "alone", "devdiscourse", "-a", f"replay={empty}", "-O", "out.jsonl")
    assert "Traceback" not in alone.log, alone.log[-3000:]
    lines = _warnings_naming(alone.log, empty)
    assert len(lines) == 1 and f"Damaged input {empty} at offset 0 (empty)" in lines[0], lines
    folder = tmp_path / "folder"
    folder.mkdir()
    bad = {folder / "a-empty.warc.gz": b"", folder / "b-junk.warc.gz": b"not a WARC record\n" * 8}
    for path, content in bad.items():
        path.write_bytes(content)
    shutil.copy(ROOT / "samples" / "devdiscourse.warc.gz", folder / "c.warc.gz")
    done = run_crawl(tmp_path / "folder-run", "devdiscourse", "-a", f"replay={folder}", "-O", "out.jsonl")
    assert "Traceback" not in done.log and len(done.feed_items("out.jsonl")) == 41, done.log[-3000:]
    for path in bad:
        lines = _warnings_naming(done.log, path)
        assert len(lines) == 1 and f"Damaged input {path} at offset 0" in lines[0], lines


def test_replay_a_folder_of_saved_html(tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    shutil.copytree(FIXTURES, folder, ignore=shutil.ignore_patterns("*.json"))
    articles = [p.stem for p in FIXTURES.glob("*.json") if json.loads(p.read_text()) is not None]
    replay = run_crawl(tmp_path / "run", "devdiscourse", "-a", f"replay={folder}", "-O", "out.jsonl")
    assert replay.returncode == 0, replay.log[-3000:]
    items = replay.feed_items("out.jsonl")
    # Several fixtures are views of the same article (bot/AMP/old template): one item per canonical URL.
    expected_urls = {json.loads((FIXTURES / f"{case}.json").read_text())["url"] for case in articles}
    assert {item["url"] for item in items} == expected_urls
    assert all(item["provenance"]["mode"] == "replay" for item in items)
    # The error page is on an article route and parses to nothing; the listing and tag pages are not on one (§1.2),
    # so they are counted and not parsed.
    assert replay.stat("newscrawl/pages/not_article") == 1
    assert replay.stat("newscrawl/replay/not_article_route") == 3


def test_one_saved_page_given_by_itself_is_replayed_verified_and_reparsed(tmp_path: Path) -> None:
    """`replay=story.html` was refused ("no saved pages found"); verify looked for the page inside the file, and
    reparse, with no spider named by the page, used devdiscourse's, which parses other outlets into nothing."""
    pages = Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "trafilatura-eval" / "pages"
    source = sorted(pages.glob("*.html.gz"))[0]
    page = tmp_path / "saved" / "Story of the day.html"
    page.parent.mkdir()
    page.write_bytes(gzip.decompress(source.read_bytes()))
    (page.parent / "Story of the day.url").write_text(
        "[InternetShortcut]\n" + "URL=" + source.with_name(source.name.replace(".html.gz", ".url")).read_text())
    (page.parent / "other.html").write_bytes(page.read_bytes().replace(b"<title>", b"<title>Other "))
    replay = run_crawl(tmp_path / "run", "news", "-a", f"replay={page}", "-O", "out.jsonl")
    assert replay.returncode == 0, replay.log[-3000:]
    (item,) = replay.feed_items("out.jsonl")  # that page, not its neighbour
    assert item["provenance"]["archive"]["file"] == "Story of the day.html" and item["url"].startswith("http")
    done = newscrawl_cli("verify", str(replay.workdir / "out.jsonl"), "--archive", str(page))
    assert done.returncode == 0 and "1 verified, 0 problems" in done.stdout, done.stdout + done.stderr
    again = newscrawl_cli("reparse", str(page), "-o", str(tmp_path / "reparsed.jsonl"),
                          "--against", str(replay.workdir / "out.jsonl"), cwd=tmp_path)  # its default feed goes there
    assert "with spider news" in again.stdout and again.returncode == 0, again.stdout + again.stderr
    assert [json.loads(line)["url"] for line in (tmp_path / "reparsed.jsonl").read_text().splitlines()] == [item["url"]]


def test_replay_a_wget_warc(specs: list[NewsSpec], tmp_path: Path) -> None:
    if shutil.which("wget") is None:
        pytest.skip("wget is not installed (apt-get install wget); .ci/run installs it")
    with MirrorServer(build_devdiscourse_mirror(specs)) as server:
        urls = [server.base_url + "/robots.txt", server.base_url + "/RSS/GoogleNews"]
        urls += [server.base_url + canonical_url(spec).split("devdiscourse.com", 1)[1] for spec in specs[:5]]
        (tmp_path / "urls.txt").write_text("\n".join(urls) + "\n")
        done = subprocess.run(["wget", "--quiet", "--no-verbose", "--warc-file=wget", "--no-warc-keep-log",
                               "--header=Accept-Encoding: gzip", "-e", "robots=off", "-O", "/dev/null",
                               "-i", "urls.txt"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert (tmp_path / "wget.warc.gz").exists(), done.stderr
    wanted = {str(spec.news_id) for spec in specs[:5]}
    article_urls = ",".join(urls[2:])
    replay = run_crawl(tmp_path / "run", "devdiscourse", "-a", f"replay={tmp_path / 'wget.warc.gz'}",
                       "-a", f"urls={article_urls}", "-O", "out.jsonl")
    assert replay.returncode == 0, replay.log[-3000:]
    assert {item["outlet_id"] for item in replay.feed_items("out.jsonl")} == wanted
    assert replay.stat("newscrawl/replay/misses") is None


def test_replay_miss_is_counted_and_not_fetched(live: tuple[CrawlResult, MirrorServer], tmp_path: Path) -> None:
    result, server = live
    warc = only(result.output_files("*.warc.gz"))
    before = len(server.access_log)
    replay = run_crawl(tmp_path, "devdiscourse", "-a", f"replay={warc}",
                       "-a", f"urls={server.base_url}/article/politics/9999999-never-archived", "-O", "out.jsonl")
    assert replay.returncode == 0
    assert replay.stat("newscrawl/replay/misses") >= 1
    assert "Replay miss (not in the archive, not fetched)" in replay.log
    assert len(server.access_log) == before
    assert not isinstance(ArchiveProblem, type(None))


def test_a_replay_loads_no_network_download_handler() -> None:
    """Replay answers every request itself: the HTTP(S) handlers (and TunnelError, which imports them) are left
    out at spider priority, other handlers and retries stay, and a handler given on the command line still wins."""
    settings = Settings()
    settings.setmodule("newscrawl.settings", priority="project")
    without_network_handlers(settings)
    handlers = settings.getwithbase("DOWNLOAD_HANDLERS")
    assert handlers["http"] is None and handlers["https"] is None and handlers["file"] is not None
    retried = settings.getlist("RETRY_EXCEPTIONS")
    assert OSError in retried and not any("http11" in str(e) for e in retried)
    given = Settings()
    given.set("DOWNLOAD_HANDLERS", {"https": "my.Handler"}, priority="cmdline")
    without_network_handlers(given)
    assert given.getwithbase("DOWNLOAD_HANDLERS")["https"] == "my.Handler"


_COMPONENT_LISTS = """
import sys
from scrapy.settings import Settings
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import load_object
from newscrawl.archive.replay import without_network_handlers
from newscrawl.components import OFF_IN_EVERY_CRAWL, leave_out
settings = Settings()
settings.setmodule("newscrawl.settings", priority="project")
mode, *given = sys.argv[1:]
for name, value in [a.split("=", 1) for a in given]:
    settings.set(name, value, priority="cmdline")
leave_out(settings, OFF_IN_EVERY_CRAWL)  # what the spiders' from_crawler does, in every mode
if mode == "replay":
    without_network_handlers(settings)
names = [str(c) for s in ("EXTENSIONS", "DOWNLOADER_MIDDLEWARES")
         for c in build_component_list(settings.get_component_priority_dict_with_base(s))]
for name in names:
    load_object(name)  # what Scrapy's middleware managers do next
print(sorted(n.rsplit(".", 1)[-1] for n in names if "Cookies" in n or "RemoteControl" in n), "aiohttp" in sys.modules,
      "tldextract" in sys.modules)
"""


def test_a_crawl_does_not_import_components_it_cannot_use() -> None:
    """The (disabled) remote control is left out of every crawl, and the cookies middleware out of a replay, before
    Scrapy imports them (aiohttp, tldextract); every other component stays, and remote control given on the command
    line wins."""
    def components(mode: str, *settings: str) -> str:
        done = subprocess.run([sys.executable, "-c", _COMPONENT_LISTS, mode, *settings], capture_output=True,
                              text=True, cwd=ROOT, check=True)
        return done.stdout.strip()

    assert components("replay") == "[] False False"
    assert components("live") == "['CookiesMiddleware'] False True"
    assert components("replay", "REMOTE_CONTROL_ENABLED=True") == "['RemoteControl'] True False"
    assert components("live", "REMOTE_CONTROL_ENABLED=True") == "['CookiesMiddleware', 'RemoteControl'] True True"
    settings = Settings()
    settings.setmodule("newscrawl.settings", priority="project")
    kept = set(settings.get_component_priority_dict_with_base("DOWNLOADER_MIDDLEWARES"))
    without_network_handlers(settings)
    left = set(settings.get_component_priority_dict_with_base("DOWNLOADER_MIDDLEWARES"))
    assert kept - left == {"scrapy.downloadermiddlewares.cookies.CookiesMiddleware"}


def test_bundled_sample_replays_offline_and_verifies(tmp_path: Path) -> None:
    """The README's main command: replay samples/devdiscourse.warc.gz with no argument but the path."""
    sample = ROOT / "samples" / "devdiscourse.warc.gz"
    replay = run_crawl(tmp_path, "devdiscourse", "-a", f"replay={sample}")
    assert replay.returncode == 0, replay.log[-3000:]
    feed = only(replay.output_files("*.replay.jsonl"))
    items = list(items_by_url(feed).values())
    assert len(items) == 41 and replay.stat("newscrawl/replay/misses") is None
    # the operator's progress line (monitoring/progress.py): the total is known once discovery ends
    assert "Progress at the end: fetched 41/41 articles (100%) · items 41 · dropped 0 · errors 0" in replay.log
    seed = next(item for item in items if item["outlet_id"] == "3301234")
    assert (seed["dateline"], seed["published_at"][:16], seed["with_inputs_from_agencies"]) == (
        "Seoul", "2025-03-21T19:07", True)
    done = newscrawl_cli("verify", str(feed), "--archive", str(sample))
    assert done.returncode == 0, done.stdout + done.stderr
    # `newscrawl verify FEED | head -1`: the reader leaving early is no error, and prints no traceback
    reader = subprocess.Popen([sys.executable, "-m", "newscrawl.cli", "verify", str(feed), "--archive", str(sample)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert reader.stdout is not None and reader.stderr is not None
    reader.stdout.close()  # gone before its first line (the interpreter is still starting)
    assert reader.wait(timeout=60) == 0 and b"Traceback" not in reader.stderr.read()


def test_a_replay_of_other_bytes_claiming_the_same_crawl_id_leaves_the_others_feed_in_place(tmp_path: Path) -> None:
    """A copy of the sample cut short names the sample's crawl id in its warcinfo: its replay (one process or
    several) and its reparse write under a name of its own, with one warning naming both inputs, instead of replacing
    the whole sample's 41-item feed and report; every input keeps its name, and its feed its bytes, at every replay,
    wherever its file lies and whatever it is called (docs/archive.md, "Replay")."""
    sample = ROOT / "samples" / "devdiscourse.warc.gz"
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(sample.read_bytes()[:300_000])
    renamed = tmp_path / "elsewhere" / "renamed.warc.gz"
    renamed.parent.mkdir()
    shutil.copyfile(sample, renamed)
    whole_sha, cut_sha = (hashlib.sha256(path.read_bytes()).hexdigest() for path in (sample, cut))
    work = tmp_path / "work"
    folder = work / "output" / "devdiscourse"
    assert run_crawl(work, "devdiscourse", "-a", f"replay={sample}").returncode == 0
    plain = only(sorted(folder.glob("*.replay.jsonl")))
    crawl_id = plain.name.removesuffix(".replay.jsonl")
    whole = plain.read_bytes()
    part = run_crawl(work, "devdiscourse", "-a", f"replay={cut}")
    assert part.returncode == 0, part.log[-3000:]
    own = folder / f"{crawl_id}.{cut_sha[:12]}.replay.jsonl"
    assert (len(whole.splitlines()), plain.read_bytes()) == (41, whole), "the whole sample's feed is left in place"
    assert 0 < len(own.read_bytes().splitlines()) < 41
    warnings = [line.split("] WARNING: ", 1)[1] for line in part.log.splitlines() if "claims crawl id" in line]
    assert warnings == [
        f"Replay of {cut} (sha256 {cut_sha}) claims crawl id {crawl_id}, whose replay {plain.relative_to(work)} was "
        f"made from other input, {sample} (sha256 {whole_sha}): this replay writes {own.relative_to(work)} instead "
        "of replacing it"]
    reports = {name: json.loads((folder / f"{name}.report.json").read_text())
               for name in (f"{crawl_id}.replay", f"{crawl_id}.{cut_sha[:12]}.replay")}
    assert [report["input"] for report in reports.values()] == [{"path": str(sample), "sha256": whole_sha},
                                                                {"path": str(cut), "sha256": cut_sha}]
    assert [report["feed"] for report in reports.values()] == [str(plain.relative_to(work)), str(own.relative_to(work))]
    cut_feed = own.read_bytes()
    # the same inputs again: the same names and bytes, in several processes too, and a copy of the sample is the sample
    again = run_crawl(work, "devdiscourse", "-a", f"replay={cut}", "-a", "jobs=2")
    assert again.returncode == 0 and "claims crawl id" in again.log, again.log[-3000:]
    copy = run_crawl(work, "devdiscourse", "-a", f"replay={renamed}")
    assert copy.returncode == 0 and "claims crawl id" not in copy.log and "replaces" not in copy.log, copy.log[-3000:]
    assert sorted(folder.glob("*.replay.jsonl")) == sorted([plain, own]) and own.read_bytes() == cut_feed
    assert len(plain.read_bytes().splitlines()) == 41
    done = newscrawl_cli("reparse", str(cut), "-o", "new.jsonl", cwd=work)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads((folder / f"{crawl_id}.replay.report.json").read_text())["input"]["sha256"] == whole_sha


def test_a_replay_is_named_by_the_input_its_crawl_ids_report_records(tmp_path: Path) -> None:
    """replay_stem's four cases: nothing there yet, the same input, other input, and a feed no report tells about."""
    def feed(stem: str) -> str:
        return str(tmp_path / f"{stem}.jsonl")

    mine = {"path": "cut.warc.gz", "sha256": "ab" * 32}
    assert replay_stem(tmp_path, "X", mine, feed) == ("X.replay", None)
    report = tmp_path / "X.replay.report.json"
    report.write_text(json.dumps({"input": mine}))
    assert replay_stem(tmp_path, "X", mine, feed) == ("X.replay", None)
    report.write_text(json.dumps({"input": {"path": "whole.warc.gz", "sha256": "cd" * 32}}))
    stem, warning = replay_stem(tmp_path, "X", mine, feed)
    assert stem == "X.abababababab.replay" and warning is not None
    assert all(name in warning for name in ("cut.warc.gz", "whole.warc.gz", feed("X.replay"), feed(stem)))
    report.write_text(json.dumps({"crawl_id": "X"}))  # a report from before reports recorded their input
    assert replay_stem(tmp_path, "X", mine, feed) == ("X.replay", None)  # and no feed for it to replace
    Path(feed("X.replay")).write_text("{}\n")
    stem, warning = replay_stem(tmp_path, "X", mine, feed)
    assert stem == "X.replay" and warning is not None and feed("X.replay") in warning


class BusiestSlotFirst(DownloaderAwarePriorityQueue):
    """A queue of the user's own (here only its name matters)."""


def test_a_replay_hands_requests_out_in_the_order_they_were_queued_unless_told_otherwise() -> None:
    """Scrapy's default queue picks hosts by how busy their slots are, which a parallel replay's processes cannot
    reproduce (tests/test_parallel.py); a replay swaps it for the plain priority queue, and keeps any other."""
    default = Settings()
    assert default["SCHEDULER_PRIORITY_QUEUE"] == "scrapy.pqueues.DownloaderAwarePriorityQueue"
    with_reproducible_order(default)
    assert default["SCHEDULER_PRIORITY_QUEUE"] == PUSH_ORDER_QUEUE
    for named in (DownloaderAwarePriorityQueue, "scrapy.pqueues.DownloaderAwarePriorityQueue"):  # named, yet default
        settings = Settings({"SCHEDULER_PRIORITY_QUEUE": named})
        with_reproducible_order(settings)
        assert settings["SCHEDULER_PRIORITY_QUEUE"] == PUSH_ORDER_QUEUE
    own = f"{__name__}.{BusiestSlotFirst.__qualname__}"
    settings = Settings({"SCHEDULER_PRIORITY_QUEUE": own})
    with_reproducible_order(settings)
    assert settings["SCHEDULER_PRIORITY_QUEUE"] == own


def test_a_replay_keeps_its_middleware_when_the_command_line_replaces_the_middleware_dict(tmp_path: Path) -> None:
    """`-s DOWNLOADER_MIDDLEWARES=…` replaces the project's dict, replay middleware included: every request then
    failed against the removed network handlers and the replay ended with no items and exit code 0. It is put
    back, with one warning, and the replay is the usual one."""
    sample = ROOT / "samples" / "devdiscourse.warc.gz"
    replay = run_crawl(tmp_path, "devdiscourse", "-a", f"replay={sample}", "-O", "items.jsonl", settings={
        "DOWNLOADER_MIDDLEWARES": json.dumps({"scrapy.downloadermiddlewares.retry.RetryMiddleware": None})})
    assert replay.returncode == 0, replay.log[-3000:]
    assert replay.log.count("DOWNLOADER_MIDDLEWARES lacks newscrawl.archive.replay.ReplayMiddleware") == 1
    assert hashlib.sha256((tmp_path / "items.jsonl").read_bytes()).hexdigest().startswith("f08892b0")


def wget_warc(server: MirrorServer, specs: list[NewsSpec], folder: Path) -> Path:
    """A WARC written by GNU Wget of the article pages alone: no robots.txt, sitemap, listing or API page."""
    urls = [server.base_url + canonical_url(spec).split("devdiscourse.com", 1)[1] for spec in specs]
    (folder / "urls.txt").write_text("\n".join(urls) + "\n")
    done = subprocess.run(["wget", "--quiet", "--no-verbose", "--warc-file=articles", "--no-warc-keep-log",
                           "--header=Accept-Encoding: gzip", "-e", "robots=off", "-O", "/dev/null",
                           "-i", "urls.txt"], cwd=folder, capture_output=True, text=True, timeout=60)
    assert (folder / "articles.warc.gz").exists(), done.stderr
    return folder / "articles.warc.gz"


def test_a_wget_warc_of_article_pages_alone_replays_every_article(specs: list[NewsSpec], tmp_path: Path) -> None:
    """Made with the real tool (wget --warc-file). Discovery finds nothing (no sitemap was archived); the archive
    itself is the source of candidates, so every archived article page becomes an item, marked via "archive"."""
    if shutil.which("wget") is None:
        pytest.skip("wget is not installed (apt-get install wget); .ci/run installs it")
    chosen = specs[:6]
    with MirrorServer(build_devdiscourse_mirror(specs)) as server:
        warc = wget_warc(server, chosen, tmp_path)
    replay = run_crawl(tmp_path / "run", "devdiscourse", "-a", f"replay={warc}", "-O", "out.jsonl")
    assert replay.returncode == 0 and "Traceback" not in replay.log, replay.log[-3000:]
    items = replay.feed_items("out.jsonl")
    assert sorted(item["outlet_id"] for item in items) == sorted(str(spec.news_id) for spec in chosen)
    for item in items:
        (discovery,) = item["provenance"]["discovery"]
        assert discovery["via"] == "archive" and discovery["source_url"] == "articles.warc.gz"
        assert discovery["claims"]["record_id"] == item["provenance"]["archive"]["record_id"]
    again = run_crawl(tmp_path / "again", "devdiscourse", "-a", f"replay={warc}", "-O", "out.jsonl")
    assert (again.workdir / "out.jsonl").read_bytes() == (replay.workdir / "out.jsonl").read_bytes()
    done = newscrawl_cli("verify", str(replay.workdir / "out.jsonl"), "--archive", str(warc))
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_capture_of_a_mirror_that_records_no_arguments_replays_the_mirrors_discovery(tmp_path: Path) -> None:
    """Another tool's capture of a mirror (the sample's records without our warcinfo, which names base_url) holds the
    mirror's sitemap, API pages and listings. Discovery asked www.devdiscourse.com for them: 5 replay misses, every
    article found only by the archive fallback. The archived articles' host is taken as base_url instead, and the
    replay has the same discovery trails as the sample's own."""
    sample = ROOT / "samples" / "devdiscourse.warc.gz"
    foreign = tmp_path / "capture.warc.gz"
    with sample.open("rb") as source, foreign.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for record in ArchiveIterator(source):
            if record.rec_type != "warcinfo":
                writer.write_record(record)
    own = run_crawl(tmp_path / "own", "devdiscourse", "-a", f"replay={sample}", "-O", "out.jsonl")
    replay = run_crawl(tmp_path / "foreign", "devdiscourse", "-a", f"replay={foreign}", "-O", "out.jsonl")
    assert replay.returncode == 0 and "Replay miss" not in replay.log, replay.log[-3000:]
    assert "Replay: base_url http://127.0.0.1:" in replay.log
    trails = [[(d["via"], d["position"]) for d in item["provenance"]["discovery"]]
              for item in replay.feed_items("out.jsonl")]
    assert trails == [[(d["via"], d["position"]) for d in item["provenance"]["discovery"]]
                      for item in own.feed_items("out.jsonl")]
    assert all(via != "archive" for trail in trails for via, _ in trail) and len(trails) == 41
    named = run_crawl(tmp_path / "named", "devdiscourse", "-a", f"replay={foreign}", "-a",
                      "base_url=https://www.devdiscourse.com", "-O", "out.jsonl")
    assert "Replay: base_url" not in named.log and named.log.count("Replay miss") == 5  # the user's word stands


def test_a_truncated_wget_warc_keeps_every_intact_record_and_the_runner_says_damaged(specs: list[NewsSpec],
                                                                                     tmp_path: Path) -> None:
    if shutil.which("wget") is None:
        pytest.skip("wget is not installed (apt-get install wget); .ci/run installs it")
    chosen = specs[:6]
    with MirrorServer(build_devdiscourse_mirror(specs)) as server:
        warc = wget_warc(server, chosen, tmp_path)
    records = [item for item in iter_archive(warc) if isinstance(item, ArchivedExchange)]
    last = max(records, key=lambda exchange: exchange.offset)
    cut = tmp_path / "cut" / "articles.warc.gz"
    cut.parent.mkdir()
    cut.write_bytes(warc.read_bytes()[: last.offset + 300])  # inside the last article's response record
    work = tmp_path / "run"
    work.mkdir()
    done = newscrawl_cli("run", "devdiscourse", "-a", f"replay={cut}", "-s", "LOG_LEVEL=INFO", cwd=work)
    assert done.returncode == 7, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert f"DAMAGED INPUT {cut} at offset {last.offset} (truncated)" in done.stdout
    (report_path,) = (work / "output" / "devdiscourse").glob("*.report.json")
    report = json.loads(report_path.read_text())
    assert report["status"] == "damaged-input" and report["exit_code"] == 7
    assert [(d["file"], d["offset"], d["kind"]) for d in report["damaged_inputs"]] == [
        (str(cut), last.offset, "truncated")]
    assert report["counts"]["items"] == len(chosen) - 1


def _warc_of_pages(path: Path, pages: dict[str, bytes]) -> Path:
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for url, body in pages.items():
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(body)))],
                                    protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=http))
    return path


@pytest.mark.parametrize(("settings", "redirects"), [
    ({}, {"https://a.example/moved": "https://a.example/story"}),
    ({"METAREFRESH_IGNORE_TAGS": []}, {"https://a.example/moved": "https://a.example/story",
                                        "https://a.example/needs-js": "https://a.example/enable-javascript"}),
    ({"METAREFRESH_MAXDELAY": 1}, {}),
    ({"METAREFRESH_ENABLED": False}, {}),
], ids=["scrapy-defaults", "noscript-counted", "delay-too-long", "middleware-off"])
def test_a_replay_counts_as_redirects_the_meta_refreshes_scrapy_follows(tmp_path: Path, settings: dict[str, Any],
                                                                        redirects: dict[str, str]) -> None:
    """A page that redirects by meta refresh is a redirect for the replay's ordering rules (docs/parallel.md), but
    only one that Scrapy's MetaRefreshMiddleware follows under the crawl's settings: many news pages carry a
    `<noscript>` refresh to an enable-JavaScript page, which Scrapy ignores by default, and a page that reloads
    itself every few minutes is not followed either."""
    pages = {
        "https://a.example/moved": b'<html><head><meta http-equiv="refresh" content="2; url=/story"></head></html>',
        "https://a.example/needs-js": b'<html><head><noscript><meta http-equiv="refresh" content="0;url='
                                      b'/enable-javascript"></noscript></head><body><p>Story</p></body></html>',
        "https://a.example/live-blog": b'<html><head><meta http-equiv="refresh" content="300; url=/live-blog">'
                                       b'</head><body><p>Updates</p></body></html>',
        "https://a.example/story": b"<html><head><title>Story</title></head><body><p>Text</p></body></html>",
    }
    archive = _warc_of_pages(tmp_path / "pages.warc.gz", pages)
    source = ReplaySource(archive, meta_refresh=MetaRefreshPolicy.from_settings(Settings(settings)))
    chains = {url: source.redirect_chain(url) for url in pages}
    assert {url: chain[0] for url, chain in chains.items() if chain} == redirects
    assert source.holds_redirects() == bool(redirects)


def test_a_redirect_with_two_location_headers_goes_where_scrapy_goes(tmp_path: Path) -> None:
    """A server (or a proxy in front of it) that sends Location twice: Scrapy's RedirectMiddleware follows the last
    value (Headers hand it the last of a repeated header), so the replay's ordering rules must see that one too."""
    moved = "https://a.example/moved"
    locations = [("Location", "/old-target"), ("Location", "/story")]
    archive = tmp_path / "redirect.warc.gz"
    with archive.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        http = StatusAndHeaders("301 Moved Permanently", [*locations, ("Content-Length", "0")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(moved, "response", payload=io.BytesIO(b""), http_headers=http))
    crawler = get_crawler()
    middleware = RedirectMiddleware.from_crawler(crawler)
    followed = middleware.process_response(Request(moved), Response(moved, status=301, headers=Headers(locations)))
    assert isinstance(followed, Request)

    assert ReplaySource(archive).redirect_chain(moved) == [followed.url] == ["https://a.example/story"]


@pytest.mark.parametrize(("before", "encoding", "seen"), [
    ("", None, True),
    ("", "gzip", True),
    ("x" * 4100, None, False),  # past the 4,096 characters Scrapy reads a refresh from
    ("é" * 3000, None, True),  # 6,000 bytes, but 3,000 characters: Scrapy sees it
    ("é" * 3000, "gzip", True),
    ("€" * 4100, "gzip", False),
    ("é" * 3000, "deflate", True),
    ("é" * 3000, "br", True),
    ("é" * 3000, "zstd", True),
    ("é" * 3000, "br, gzip", True),
    ("€" * 4100, "zstd", False),
], ids=["plain", "gzip", "past-4096-ascii", "within-4096-utf8", "within-4096-utf8-gzip", "past-4096-utf8",
        "deflate", "br", "zstd", "br-then-gzip", "past-4096-utf8-zstd"])
def test_the_index_notes_the_refreshes_scrapy_can_see(before: str, encoding: str | None, seen: bool) -> None:
    page = f'<html><head><title>{before}</title><meta http-equiv="refresh" content="0; url=/b"></head></html>'.encode()
    headers = [("Content-Type", "text/html; charset=utf-8")] + ([("Content-Encoding", encoding)] if encoding else [])
    body = page
    for coding in encoding.split(", ") if encoding else ():  # applied in the order named
        body = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress,
                "zstd": zstd.compress}[coding](body)
    exchange = ArchivedExchange("https://a.example/a", 200, "OK", "HTTP/1.1", headers, body,
                                datetime.now(timezone.utc), "id", "f", 0)
    assert may_refresh(exchange) is seen


@pytest.mark.parametrize("coding", ["br", "zstd"])
def test_pages_a_server_sends_in_brotli_or_zstd_are_archived_verified_and_replayed(specs: list[NewsSpec],
                                                                                 tmp_path: Path,
                                                                                 coding: str) -> None:
    # Scrapy offers br and zstd to every server, and CDNs answer with them; verify could not decode zstd, so every
    # item of such a crawl failed its check against the archive it was fetched into.
    with MirrorServer(build_devdiscourse_mirror(specs[:4])) as server:
        server.coding = coding
        live = run_crawl(tmp_path / "live", "devdiscourse", "-a", f"base_url={server.base_url}", settings=FAST)
    assert live.returncode == 0, live.log[-3000:]
    warc = only(live.output_files("*.warc.gz"))
    assert f"Content-Encoding: {coding}".encode() in gzip.decompress(warc.read_bytes())
    feed = only(live.output_files("*.jsonl"))
    count = len(items_by_url(feed))
    assert count == 4
    done = newscrawl_cli("verify", str(feed.relative_to(live.workdir)), cwd=live.workdir)
    assert f"{count} items checked: {count} verified, 0 problems" in done.stdout, done.stdout + done.stderr
    replay = run_crawl(tmp_path / "replay", "devdiscourse", "-a", f"replay={warc}", "-O", "replay.jsonl")
    assert replay.returncode == 0, replay.log[-3000:]
    replayed = items_by_url(tmp_path / "replay" / "replay.jsonl")
    assert {url: item["provenance"]["body_sha256"] for url, item in replayed.items()} == {
        url: item["provenance"]["body_sha256"] for url, item in items_by_url(feed).items()}


def test_a_record_cut_short_by_its_crawler_is_replayed_and_its_item_flagged(specs: list[NewsSpec],
                                                                           tmp_path: Path) -> None:
    """Heritrix and Common Crawl stop reading a response past a size or time limit and say so in WARC-Truncated;
    other tools cut it without a word, leaving the payload shorter than its Content-Length. Such a page still holds
    most of an article: it is replayed into an item, flagged, never dropped and never passed off as whole."""
    pages = [render_desktop(spec).encode() for spec in specs[:5]]
    cut = [page[:int(len(page) * 0.6)] for page in pages]  # the byline, date and lead paragraphs are kept
    gz = gzip.compress(pages[3])
    records: list[tuple[bytes, list[tuple[str, str]], list[tuple[str, str]]]] = [
        (pages[0], [], []),  # whole
        (cut[1], [("WARC-Truncated", "length")], []),  # Heritrix / Common Crawl: said in the record
        (cut[2], [], [("Content-Length", str(len(pages[2])))]),  # said by nobody: shorter than its Content-Length
        (gz[:int(len(gz) * 0.6)], [("WARC-Truncated", "time")], [("Content-Encoding", "gzip")]),  # cut mid-stream
        (pages[4], [], [("Content-Length", str(len(pages[4])))]),  # whole, and says so
    ]
    warc = tmp_path / "cut.warc.gz"
    with warc.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for spec, (body, warc_headers, http_headers) in zip(specs, records):
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"), *http_headers],
                                    protocol="HTTP/1.1")
            record = writer.create_warc_record(canonical_url(spec), "response", payload=io.BytesIO(body),
                                               http_headers=http, warc_headers_dict=dict(warc_headers))
            writer.write_record(record)
    replay = run_crawl(tmp_path / "run", "devdiscourse", "-a", f"replay={warc}", "-O", "out.jsonl")
    assert replay.returncode == 0 and "Traceback" not in replay.log, replay.log[-3000:]
    items = {item["outlet_id"]: item for item in replay.feed_items("out.jsonl")}
    assert set(items) == {str(spec.news_id) for spec in specs[:5]}, "every article is kept"
    flagged = {outlet_id for outlet_id, item in items.items() if "body_truncated" in item["quality"]}
    assert flagged == {str(spec.news_id) for spec in (specs[1], specs[2], specs[3])}
    for spec in specs[1:4]:
        item = items[str(spec.news_id)]
        assert item["title"] and item["body"], item
    assert replay.stat("newscrawl/quality/body_truncated") == 3
    assert replay.stat("newscrawl/replay/truncated/length") == 1
    assert replay.stat("newscrawl/replay/truncated/content-length") == 1
    assert replay.stat("newscrawl/replay/truncated/time") == 1
    assert "from an incomplete record (content-length;" in replay.log
    done = newscrawl_cli("verify", str(replay.workdir / "out.jsonl"), "--archive", str(warc))
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("compress", [True, False], ids=["warc.gz", "warc"])
def test_a_warc_cut_inside_its_last_record_replays_that_article_flagged(specs: list[NewsSpec], tmp_path: Path,
                                                                        compress: bool) -> None:
    """What a killed wget leaves (`head -c` of its WARC): the file ends inside a large response, past its byline
    and lead. The record is read as far as the file goes, as a cut gzip file is: its article is an item flagged
    body_truncated, the cut stays one `truncated` damaged-input line, and verify proves the item from those same
    bytes. Until 2026-12-07 the record was only the line, and its article lost."""
    pages = [render_desktop(spec).encode() for spec in specs[:3]]
    pages[2] = pages[2].replace(b"</body>", b"<!-- " + hashlib.shake_256(b"pad").hexdigest(100_000).encode()
                                + b" --></body>")  # the cut falls in here: 200,000 bytes that gzip cannot shrink much
    warc = tmp_path / ("site.warc.gz" if compress else "site.warc")
    with warc.open("wb") as handle:
        writer = WARCWriter(handle, gzip=compress)
        for spec, page in zip(specs, pages):
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                               ("Content-Length", str(len(page)))], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(canonical_url(spec), "response", payload=io.BytesIO(page),
                                                          http_headers=http))
    data = warc.read_bytes()
    warc.write_bytes(data[:len(data) - (60_000 if compress else 100_000)])
    replay = run_crawl(tmp_path / "run", "devdiscourse", "-a", f"replay={warc}", "-O", "out.jsonl")
    assert replay.returncode == 0 and "Traceback" not in replay.log, replay.log[-3000:]
    items = {item["outlet_id"]: item for item in replay.feed_items("out.jsonl")}
    assert set(items) == {str(spec.news_id) for spec in specs[:3]}, "the cut article is kept"
    assert [outlet_id for outlet_id, item in items.items() if "body_truncated" in item["quality"]] == [
        str(specs[2].news_id)]
    assert items[str(specs[2].news_id)]["body"]
    assert replay.stat("newscrawl/replay/truncated/file-end") == 1
    assert replay.stat("newscrawl/replay/archive_problems/truncated") == 1
    assert re.search(r"Damaged input \S+ at offset \d+ \(truncated\): file ends inside this record .*read as far "
                     r"as it goes", replay.log)
    done = newscrawl_cli("verify", str(replay.workdir / "out.jsonl"), "--archive", str(warc))
    assert done.returncode == 0 and "3 items checked: 3 verified, 0 problems" in done.stdout, done.stdout


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_archive_whose_records_were_all_cut_before_the_story_is_no_layout_drift(specs: list[NewsSpec],
                                                                                  tmp_path: Path, jobs: str) -> None:
    """Every page parsing to nothing is the drift alarm's sign of a changed layout; pages whose records say they
    were cut short before the story lost their bytes, and the run says that instead: damaged input. In a parallel
    replay each process meets its own cut records, and every process lists the archive's own damage: the report
    names each once."""
    warc = tmp_path / "cut.warc.gz"
    with warc.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for spec in specs[:4]:
            page = render_desktop(spec).encode()
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                canonical_url(spec), "response", payload=io.BytesIO(page[:page.index(b"<body")]), http_headers=http,
                warc_headers_dict={"WARC-Truncated": "length"}))
        handle.write(b"\x1f\x8b\x08\x00" + b"not a gzip member" * 4)  # and damage of the archive's own
    replay = run_crawl(tmp_path / "run", "devdiscourse", "-a", f"replay={warc}", "-a", f"jobs={jobs}",
                       "-O", "out.jsonl")
    assert replay.returncode == 0 and "Traceback" not in replay.log, replay.log[-3000:]
    assert replay.stat("newscrawl/not_article/truncated") == 4
    assert replay.log.count("its body is cut short before an article could be read") == 4
    (report_path,) = (replay.workdir / "output" / "devdiscourse").glob("*.report.json")
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert not report["drift"]["failed"], report["drift"]
    assert report["status"] == "damaged-input", "the input lost the articles, and the run says so"
    kinds = sorted(damaged["kind"] for damaged in report["damaged_inputs"])
    assert kinds.count("truncated") == 4 and len(kinds) == 5, report["damaged_inputs"]
    assert {damaged["file"] for damaged in report["damaged_inputs"]} == {str(warc)}, "one file, named one way"
    assert len({damaged["offset"] for damaged in report["damaged_inputs"]}) == 5


@pytest.mark.parametrize("flags", [[], ["dataloss"], ["replayed", "truncated"]])
def test_an_item_parsed_from_a_body_cut_short_says_so(flags: list[str]) -> None:
    # "dataloss": Scrapy's flag on a live response that ended before its Content-Length, kept (not failed) when
    # DOWNLOAD_FAIL_ON_DATALOSS is off; "truncated": the replay's, for an incomplete record.
    from newscrawl.spiders.devdiscourse import DevdiscourseSpider

    page = FIXTURES / "afp-note-in-body.html"
    url = (FIXTURES / "afp-note-in-body.url").read_text().strip()
    crawler = get_crawler(DevdiscourseSpider, settings_dict={"NEWSCRAWL_STATE_ENABLED": False})
    crawler.stats.open_spider()
    spider = DevdiscourseSpider.from_crawler(crawler)
    response = HtmlResponse(url, body=page.read_bytes(), request=Request(url), flags=flags)
    (article,) = spider.parse_article(response)
    assert isinstance(article, Article) and ("body_truncated" in article.quality) is bool(flags)


@pytest.mark.parametrize("flags", [[], ["dataloss"], ["replayed", "truncated"]])
def test_a_page_cut_short_before_its_article_is_counted_as_cut_not_as_no_article(
        flags: list[str], caplog: pytest.LogCaptureFixture) -> None:
    """A record cut before the story's text leaves a page the parser cannot call an article; counted as
    "no_body"/"unknown", the lost article looked like a page that never held one."""
    from scrapy.http import HtmlResponse, Request
    from scrapy.utils.test import get_crawler

    from newscrawl.spiders.devdiscourse import DevdiscourseSpider

    page = (FIXTURES / "afp-note-in-body.html").read_bytes()
    url = (FIXTURES / "afp-note-in-body.url").read_text().strip()
    head = page[:page.index(b"<body")]  # the head only: title and metadata, no headline or text
    crawler = get_crawler(DevdiscourseSpider, settings_dict={"NEWSCRAWL_STATE_ENABLED": False})
    crawler.stats.open_spider()
    spider = DevdiscourseSpider.from_crawler(crawler)
    response = HtmlResponse(url, body=head, request=Request(url), flags=flags)
    with caplog.at_level(logging.INFO):
        assert list(spider.parse_article(response)) == []
    stats = crawler.stats.get_stats()
    assert stats["newscrawl/pages/not_article"] == 1
    assert ("newscrawl/not_article/truncated" in stats) is bool(flags)
    assert ("newscrawl/not_article_by_parser/devdiscourse" in stats) is not bool(flags), "no sign of drift"
    assert sum(value for name, value in stats.items() if name.startswith("newscrawl/not_article/")) == 1
    said = [record for record in caplog.records if url in record.getMessage()]
    assert [record.levelname for record in said] == ["WARNING" if flags else "INFO"]


def gzip_members(data: bytes) -> list[bytes]:
    """The decompressed members of a gzip file with one WARC record per member, in order."""
    records = []
    while data:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        records.append(inflater.decompress(data))
        data = inflater.unused_data
    return records


def warc_zstd(records: list[bytes], dictionary: str) -> bytes:
    """A .warc.zst as the IIPC warc-zstd format and ArchiveTeam's Wget-AT write it: every record its own zstd frame,
    compressed with one dictionary kept in a skippable frame (magic 0x184D2A5D) at the start ("compressed": the
    dictionary itself zstd-compressed, as Wget-AT stores it; "raw": stored as is; "none": no dictionary; "one-stream":
    not warc-zstd at all, the whole file compressed as one frame by the `zstd` command)."""
    if dictionary == "one-stream":
        return zstd.compress(b"".join(records))
    if dictionary == "none":
        return b"".join(zstd.compress(record) for record in records)
    trained = zstd.train_dict(records, 16 * 1024)
    content = trained.dict_content
    stored = zstd.compress(content) if dictionary == "compressed" else content
    head = b"\x5d\x2a\x4d\x18" + len(stored).to_bytes(4, "little") + stored
    return head + b"".join(zstd.compress(record, zstd_dict=trained) for record in records)


@pytest.mark.parametrize("dictionary", ["compressed", "raw", "none", "one-stream"])
def test_a_warc_zstd_file_replays_and_verifies_like_its_gzip_twin(tmp_path: Path, dictionary: str) -> None:
    """ArchiveTeam's crawls (Wget-AT) write .warc.zst: nothing of one was read ("no .warc/.warc.gz files")."""
    records = gzip_members((ROOT / "samples" / "devdiscourse.warc.gz").read_bytes())
    archive = tmp_path / "archiveteam" / "devdiscourse-20250321.warc.zst"
    archive.parent.mkdir()
    archive.write_bytes(warc_zstd(records, dictionary))
    twin = run_crawl(tmp_path / "twin", "devdiscourse", "-a", f"replay={ROOT / 'samples' / 'devdiscourse.warc.gz'}",
                     "-O", "out.jsonl")
    replay = run_crawl(tmp_path / "zst", "devdiscourse", "-a", f"replay={archive.parent}", "-O", "out.jsonl")
    assert replay.returncode == 0 and "Damaged input" not in replay.log, replay.log[-3000:]
    # its warcinfo (after the dictionary frame) names the crawl, so the replay repeats it: discovery, then the same
    # articles in the same order (read at offset 0, it was "no record": archive-only discovery, another order)
    assert "No readable warcinfo" not in replay.log and "replay/misses" not in replay.log, replay.log[-3000:]
    items, expected = replay.feed_items("out.jsonl"), twin.feed_items("out.jsonl")
    assert len(items) == len(expected) == 41
    assert [(i["url"], i["body"], i["provenance"]["body_sha256"]) for i in items] == [
        (i["url"], i["body"], i["provenance"]["body_sha256"]) for i in expected]
    assert read_warcinfo(archive).get("spider") == "devdiscourse"
    assert {i["provenance"]["archive"]["file"] for i in items} == {archive.name}
    done = newscrawl_cli("verify", str(replay.workdir / "out.jsonl"), "--archive", str(archive))
    assert done.returncode == 0, done.stdout + done.stderr


def _blocks(data: bytes, size: int, compress: Any) -> bytes:
    return b"".join(compress(data[start:start + size]) for start in range(0, len(data), size))


MISALIGNED_PACKINGS: dict[str, Any] = {
    # `cat a.warc.gz b.warc.gz`: each part gzipped whole, so a member holds half the file
    "concatenated": lambda records: b"".join(gzip.compress(b"".join(part), mtime=0)
                                             for part in (records[:len(records) // 2], records[len(records) // 2:])),
    # a writer that compresses a batch of records at a time
    "five-per-member": lambda records: b"".join(gzip.compress(b"".join(records[i:i + 5]), mtime=0)
                                                for i in range(0, len(records), 5)),
    # block compressors (bgzip, pigz --independent; pzstd): a member every 64 KiB, wherever the records end
    "gzip-blocks": lambda records: _blocks(b"".join(records), 65536, lambda block: gzip.compress(block, mtime=0)),
    "zstd-blocks": lambda records: _blocks(b"".join(records), 65536, zstd.compress),
    # the first member holds one record, a later one several: a writer that opened the file in append mode per batch
    # (its warcinfo written alone first), or `cat ours.warc.gz theirs-gzipped-whole.warc.gz`
    "appended-batch": lambda records: gzip.compress(records[0], mtime=0) + gzip.compress(b"".join(records[1:]),
                                                                                         mtime=0),
    "ours-then-theirs": lambda records: _ours_then_theirs(records),
}


def _ours_then_theirs(records: list[bytes]) -> bytes:
    half = len(records) // 2
    return b"".join(gzip.compress(record, mtime=0) for record in records[:half]) + gzip.compress(
        b"".join(records[half:]), mtime=0)


@pytest.mark.parametrize("packing", sorted(MISALIGNED_PACKINGS))
def test_a_warc_whose_compressed_members_are_not_its_records_replays_and_verifies(tmp_path: Path, packing: str,
                                                                                  monkeypatch: pytest.MonkeyPatch
                                                                                  ) -> None:
    """Several records in one gzip member, or one record across several: every member was "more than one record,
    offsets not seekable" and not one article came out. Such a file is read like a whole-file gzip: inflated once,
    offsets into the inflated copy (which verify finds again)."""
    monkeypatch.setenv("NEWSCRAWL_PLAIN_CACHE", str(tmp_path / "plain"))
    sample = ROOT / "samples" / "devdiscourse.warc.gz"
    records = gzip_members(sample.read_bytes())
    archive = tmp_path / f"{packing}.warc{'.zst' if packing.startswith('zstd') else '.gz'}"
    archive.write_bytes(MISALIGNED_PACKINGS[packing](records))
    expected = [(e.url, e.record_id, e.body) for e in iter_archive(sample) if isinstance(e, ArchivedExchange)]
    read = list(iter_archive(archive))
    assert [p for p in read if isinstance(p, ArchiveProblem)] == []
    assert [(e.url, e.record_id, e.body) for e in read if isinstance(e, ArchivedExchange)] == expected
    if packing != "gzip-blocks":
        return  # the end-to-end run once: the reading above is what differs between packings
    twin = run_crawl(tmp_path / "twin", "devdiscourse", "-a", f"replay={sample}", "-O", "out.jsonl")
    replay = run_crawl(tmp_path / "run", "devdiscourse", "-a", f"replay={archive}", "-O", "out.jsonl",
                       settings={"NEWSCRAWL_PLAIN_CACHE": str(tmp_path / "plain")})
    assert replay.returncode == 0 and "Damaged input" not in replay.log, replay.log[-3000:]
    assert [(i["url"], i["body"]) for i in replay.feed_items("out.jsonl")] == [
        (i["url"], i["body"]) for i in twin.feed_items("out.jsonl")]
    done = newscrawl_cli("verify", str(replay.workdir / "out.jsonl"), "--archive", str(archive))
    assert done.returncode == 0 and "41 verified, 0 problems" in done.stdout, done.stdout + done.stderr


def test_a_warc_whose_later_members_hold_several_records_loses_none_of_them(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The first member holds one record, so the file was read member by member; each later member holding several
    was a problem ("not seekable") and its records were lost: 20 of the sample's 41 articles for `cat ours.warc.gz
    theirs.warc.gz`. The index build reads such a file again from its inflated copy; a reader without the index
    (verify) finds the copy, or makes it again when it was removed, and so does an index read from the cache."""
    plain = tmp_path / "plain"
    monkeypatch.setenv("NEWSCRAWL_PLAIN_CACHE", str(plain))
    monkeypatch.setattr(indexparts, "MIN_PART_BYTES", 0)
    sample = ROOT / "samples" / "devdiscourse.warc.gz"
    archive = tmp_path / "crawl" / "ours-then-theirs.warc.gz"
    archive.parent.mkdir()
    archive.write_bytes(_ours_then_theirs(gzip_members(sample.read_bytes())))
    serial = ArchiveIndex.build_now(archive)
    assert serial.problems == [] and serial.read_from_copies == {str(archive)}
    in_parts = ArchiveIndex.build_now(archive, parts=3)
    assert [(e.url, e.offset, e.record_id) for e in in_parts.entries] == [
        (e.url, e.offset, e.record_id) for e in serial.entries]
    assert in_parts.problems == []
    twin = run_crawl(tmp_path / "twin", "devdiscourse", "-a", f"replay={sample}", "-O", "out.jsonl")
    replay = run_crawl(tmp_path / "run", "devdiscourse", "-a", f"replay={archive.parent}", "-O", "out.jsonl",
                       settings={"NEWSCRAWL_PLAIN_CACHE": str(plain), "NEWSCRAWL_ARCHIVE_INDEX_CACHE": "True"})
    assert replay.returncode == 0 and "Damaged input" not in replay.log, replay.log[-3000:]
    assert [(i["url"], i["body"]) for i in replay.feed_items("out.jsonl")] == [
        (i["url"], i["body"]) for i in twin.feed_items("out.jsonl")]
    shutil.rmtree(plain)  # a temp folder emptied: verify reads the original at the copy's offsets, then makes it
    done = newscrawl_cli("verify", str(replay.workdir / "out.jsonl"), "--archive", str(archive.parent))
    assert done.returncode == 0 and "41 verified, 0 problems" in done.stdout, done.stdout + done.stderr
    shutil.rmtree(plain)  # and an index read from the cache makes it again before anything is read
    again = run_crawl(tmp_path / "again", "devdiscourse", "-a", f"replay={archive.parent}", "-O", "out.jsonl",
                      settings={"NEWSCRAWL_PLAIN_CACHE": str(plain), "NEWSCRAWL_ARCHIVE_INDEX_CACHE": "True"})
    assert "read from its cache" in again.log, again.log[-3000:]
    assert again.feed_items("out.jsonl") and [i["body"] for i in again.feed_items("out.jsonl")] == [
        i["body"] for i in replay.feed_items("out.jsonl")]


def _miscounted(record: bytes, by: int, digest: bool = True) -> bytes:
    """The record with its Content-Length off by `by` bytes (a writer that counted a page's characters, not its
    bytes, is short by one per non-ASCII character), its WARC-Block-Digest left out unless `digest`."""
    head, _, rest = record.partition(b"\r\n\r\n")
    declared = int(re.search(rb"Content-Length: (\d+)", head).group(1))  # type: ignore[union-attr]
    head = re.sub(rb"Content-Length: \d+", b"Content-Length: %d" % (declared + by), head)
    if not digest:
        head = re.sub(rb"\r\nWARC-Block-Digest: [^\r]*", b"", head)
    return head + b"\r\n\r\n" + rest


@pytest.mark.parametrize("compressed", [True, False], ids=["gzip-members", "plain"])
@pytest.mark.parametrize("by", [-7, 5], ids=["counted-characters", "counted-too-many"])
def test_a_record_whose_content_length_is_miscounted_is_kept_and_reported(tmp_path: Path, compressed: bool,
                                                                         by: int) -> None:
    """A Content-Length that does not end the record (a writer counting characters instead of bytes) cost the
    record: "Content-Length … is shorter than the record", the article lost. Where the record's bounds are known
    otherwise, its gzip member, or in a plain WARC the next record's header with the block digest matching the
    bytes up to it, the record is read whole and the miscount reported."""
    sample = ROOT / "samples" / "devdiscourse.warc.gz"
    records = gzip_members(sample.read_bytes())
    articles = [n for n, record in enumerate(records)
                if b"WARC-Type: response" in record[:400] and b"/article/" in record[:600]]
    records[articles[3]] = _miscounted(records[articles[3]], by)
    records[articles[7]] = _miscounted(records[articles[7]], by)
    archive = tmp_path / ("miscounted.warc.gz" if compressed else "miscounted.warc")
    archive.write_bytes(b"".join(gzip.compress(r, mtime=0) for r in records) if compressed else b"".join(records))
    expected = [(e.url, e.record_id, e.body) for e in iter_archive(sample) if isinstance(e, ArchivedExchange)]
    read = list(iter_archive(archive))
    assert [(e.url, e.record_id, e.body) for e in read if isinstance(e, ArchivedExchange)] == expected
    assert all(e.digest_ok for e in read if isinstance(e, ArchivedExchange))
    problems = [p for p in read if isinstance(p, ArchiveProblem)]
    assert [p.kind for p in problems] == ["length", "length"] and all("read" in p.message for p in problems)
    index, original = ArchiveIndex.build_now(archive), ArchiveIndex.build_now(sample)
    assert [e.record_id for e in index.entries] == [e.record_id for e in original.entries]
    assert [index.read(e).body for e in index.entries] == [original.read(e).body for e in original.entries]
    if compressed and by < 0:  # the run once: the article is an item, and verify finds its record again
        twin = run_crawl(tmp_path / "twin", "devdiscourse", "-a", f"replay={sample}", "-O", "out.jsonl")
        replay = run_crawl(tmp_path / "run", "devdiscourse", "-a", f"replay={archive}", "-O", "out.jsonl")
        assert [i["body"] for i in replay.feed_items("out.jsonl")] == [i["body"] for i in twin.feed_items("out.jsonl")]
        assert "is shorter than the record; the member read to its end" in replay.log
        done = newscrawl_cli("verify", str(replay.workdir / "out.jsonl"), "--archive", str(archive))
        assert done.returncode == 0 and "41 verified, 0 problems" in done.stdout, done.stdout + done.stderr


def test_a_plain_warc_record_miscounted_without_a_block_digest_is_reported_not_guessed(tmp_path: Path) -> None:
    """Without a member to bound it or a digest to prove the bytes up to the next header are its block (a payload
    may hold a line that passes for a record start), the record is a reported problem, as before."""
    records = gzip_members((ROOT / "samples" / "devdiscourse.warc.gz").read_bytes())
    article = next(n for n, record in enumerate(records)
                   if b"WARC-Type: response" in record[:400] and b"/article/" in record[:600])
    records[article] = _miscounted(records[article], -7, digest=False)
    archive = tmp_path / "miscounted.warc"
    archive.write_bytes(b"".join(records))
    read = list(iter_archive(archive))
    problems = [p for p in read if isinstance(p, ArchiveProblem)]
    assert [p.kind for p in problems] == ["length"] and "resumed at offset" in problems[0].message
    assert sum(isinstance(e, ArchivedExchange) for e in read) == sum(
        isinstance(e, ArchivedExchange) for e in iter_archive(ROOT / "samples" / "devdiscourse.warc.gz")) - 1


def test_a_damaged_block_of_a_block_compressed_warc_costs_only_the_records_in_it(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The inflated copy stopped at the first damaged member: every record after one bad 64 KiB block was lost."""
    monkeypatch.setenv("NEWSCRAWL_PLAIN_CACHE", str(tmp_path / "plain"))
    sample = ROOT / "samples" / "devdiscourse.warc.gz"
    whole = b"".join(gzip_members(sample.read_bytes()))
    blocks = [gzip.compress(whole[start:start + 65536], mtime=0) for start in range(0, len(whole), 65536)]
    middle = len(blocks) // 2
    blocks[middle] = blocks[middle][:30] + bytes(b ^ 0x5A for b in blocks[middle][30:80]) + blocks[middle][80:]
    archive = tmp_path / "damaged.warc.gz"
    archive.write_bytes(b"".join(blocks))
    expected = [e.record_id for e in iter_archive(sample) if isinstance(e, ArchivedExchange)]
    read = list(iter_archive(archive))
    got = [e.record_id for e in read if isinstance(e, ArchivedExchange)]
    assert got[-10:] == expected[-10:], "records after the damaged block were lost"
    assert len(expected) - len(got) < len(expected) // len(blocks) + 2, "more lost than one block's records"
    problems = [p for p in read if isinstance(p, ArchiveProblem)]
    assert problems, "the cut record is not reported"
    # named by the user's file: the inflated copy is a cache file of ours they never saw
    assert {p.file for p in problems} == {str(archive)}, problems
    cut = problems[0]
    with pytest.raises(ArchiveReadError) as raised:
        read_at(archive, cut.offset)
    assert raised.value.problem.file == str(archive)


def test_a_warc_compressed_by_pzstd_replays(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pzstd (zstd's parallel compressor) writes independent frames of a fixed input size."""
    if shutil.which("pzstd") is None:
        pytest.skip("pzstd is not installed (it comes with the zstd package)")
    monkeypatch.setenv("NEWSCRAWL_PLAIN_CACHE", str(tmp_path / "plain"))
    sample = ROOT / "samples" / "devdiscourse.warc.gz"
    plain = tmp_path / "crawl.warc"
    plain.write_bytes(b"".join(gzip_members(sample.read_bytes())))
    subprocess.run(["pzstd", "-q", "-p", "2", "--keep", str(plain)], check=True, capture_output=True, timeout=60)
    expected = [(e.url, e.record_id, e.body) for e in iter_archive(plain) if isinstance(e, ArchivedExchange)]
    read = list(iter_archive(tmp_path / "crawl.warc.zst"))
    assert [(e.url, e.record_id, e.body) for e in read if isinstance(e, ArchivedExchange)] == expected


PAGE_QUIRKS: dict[str, Callable[[bytes], bytes]] = {
    # a writer that left its WARC header's line end in the block: the status line was read as "", every such
    # response "unusable status line" and lost
    "blank-line-before-status": lambda page: b"\r\n" + _http(page),
    # a server (or a proxy in front of it) that sent two Content-Types: Scrapy and browsers act on the last one,
    # the index looked at the first and left the page out of the archive's candidates
    "two-content-types": lambda page: b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                                      b"Content-Type: text/html; charset=utf-8\r\n\r\n" + page,
    # 203 Non-Authoritative Information: a transforming proxy's whole copy of the page, a success Scrapy parses
    "status-203": lambda page: _http(page).replace(b"200 OK", b"203 Non-Authoritative Information", 1),
}


@pytest.mark.parametrize("quirk", sorted(PAGE_QUIRKS))
def test_a_page_a_crawler_would_parse_is_offered_and_answered_whole(tmp_path: Path, quirk: str) -> None:
    url = "https://quirks.example.org/story"
    archive = tmp_path / "quirk.warc.gz"
    archive.write_bytes(gzip.compress(_record(b"WARC/1.1", b"response", url, PAGE_QUIRKS[quirk](PAGE),
                                              b"application/http;msgtype=response"), mtime=0))
    source = ReplaySource(archive)
    assert source.problems == [] and [candidate.url for candidate in source.candidates()] == [url]
    answer = source.answer(url)
    assert answer is not None and answer.body == PAGE
    response_class = responsetypes.from_args(headers=Headers(answer.headers), url=url, body=answer.body)
    assert issubclass(response_class, HtmlResponse)


def test_a_damaged_zstd_frame_costs_only_its_own_record(tmp_path: Path) -> None:
    records = gzip_members((ROOT / "samples" / "devdiscourse.warc.gz").read_bytes())
    whole = warc_zstd(records, "none")
    frames = [zstd.compress(record) for record in records]
    middle = next(n for n in range(len(records) // 2, len(records)) if records[n].find(b"WARC-Type: response") >= 0)
    start = sum(len(frame) for frame in frames[:middle])
    archive = tmp_path / "damaged.warc.zst"
    # the frame's block headers scrambled: the frame no longer decodes, and the next frame is intact
    archive.write_bytes(whole[:start + 6] + bytes(b ^ 0xA5 for b in whole[start + 6:start + 22]) + whole[start + 22:])
    exchanges = [item for item in iter_archive(archive) if isinstance(item, ArchivedExchange)]
    problems = [item for item in iter_archive(archive) if isinstance(item, ArchiveProblem)]
    intact = [item for item in iter_archive(ROOT / "samples" / "devdiscourse.warc.gz")
              if isinstance(item, ArchivedExchange)]
    assert [problem.kind for problem in problems] == ["zstd"] and "resumed at offset" in problems[0].message
    assert len(intact) - len(exchanges) == 1, "one damaged frame lost more than its own exchange"


def test_a_warc_zstd_file_whose_dictionary_is_unreadable_is_one_problem(tmp_path: Path) -> None:
    archive = tmp_path / "bad-dictionary.warc.zst"
    archive.write_bytes(b"\x5d\x2a\x4d\x18" + (100).to_bytes(4, "little") + b"\x28\xb5\x2f\xfd" + bytes(96))
    (problem,) = list(iter_archive(archive))
    assert isinstance(problem, ArchiveProblem) and problem.kind == "zstd" and "dictionary" in problem.message


def test_pages_stored_decoded_under_their_content_encoding_are_replayed_and_verified(specs: list[NewsSpec],
                                                                                      tmp_path: Path) -> None:
    """A WARC writer that keeps what its HTTP client already decompressed, with the server's Content-Encoding
    header, leaves records Scrapy cannot read (BadGzipFile: every article of such an archive was lost, one warning
    each). The replay answers them without that header; verify reads them the same way."""
    codings_sent = ["gzip", "br", "deflate", "zstd"]
    pages = {canonical_url(spec): render_desktop(spec).encode() for spec in specs[:5]}
    warc = tmp_path / "decoded.warc.gz"
    with warc.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for (url, body), coding in zip(pages.items(), [*codings_sent, None]):
            headers = [("Content-Type", "text/html; charset=utf-8")]
            if coding is None:  # one page as it should be: really gzipped
                headers.append(("Content-Encoding", "gzip"))
                body = gzip.compress(body)
            else:
                headers.append(("Content-Encoding", coding))
            http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=http))
    replay = run_crawl(tmp_path / "run", "devdiscourse", "-a", f"replay={warc}", "-O", "out.jsonl")
    assert replay.returncode == 0 and "Traceback" not in replay.log, replay.log[-3000:]
    items = replay.feed_items("out.jsonl")
    assert sorted(item["url"] for item in items) == sorted(pages)
    assert replay.stat("newscrawl/replay/coding_not_applied") == len(codings_sent)
    assert replay.stat("newscrawl/errors/BadGzipFile") is None
    for item in items:
        assert item["provenance"]["body_sha256"] == hashlib.sha256(pages[item["url"]]).hexdigest()
    done = newscrawl_cli("verify", str(replay.workdir / "out.jsonl"), "--archive", str(warc))
    assert done.returncode == 0, done.stdout + done.stderr


def test_pages_a_server_labelled_as_unknown_bytes_are_replayed_as_pages(specs: list[NewsSpec],
                                                                        tmp_path: Path) -> None:
    """A server that sends its pages as application/octet-stream (or with no media type at all) still sends pages,
    and a live crawl parses them; the replay left them out of its archive-only candidates, so a foreign WARC of such
    a site replayed nothing. So does one that sends them as text/plain (a server's default label; `wget
    --warc-file` of such a page was left out without a word until 2026-12-07). Bytes that are not a page stay out
    whatever their label, a plain text file among them."""
    labels = ["application/octet-stream", "UTF-8", "application/unknown", "text/plain; charset=utf-8"]
    pages = {canonical_url(spec): render_desktop(spec).encode() for spec in specs[:4]}
    not_pages = {canonical_url(spec): (body, label) for spec, (body, label) in zip(specs[4:8], [
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "application/octet-stream"),
        (b'{"html": "<p>not a page</p>"}', "application/octet-stream"),
        (b"wOF2" + bytes(100), "application/octet-stream"), (b"User-agent: *\nDisallow: /<p>\n", "text/plain")])}
    warc = tmp_path / "unlabelled.warc.gz"
    with warc.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for (url, body), label in [*zip(pages.items(), labels), *(((url, body), label) for url, (body, label) in
                                                                  not_pages.items())]:
            headers = [("Content-Type", label)]
            if url == next(iter(pages)):  # the label is about the decoded body: the sniff reads it decoded
                headers.append(("Content-Encoding", "gzip"))
                body = gzip.compress(body)
            http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=http))
    replay = run_crawl(tmp_path / "run", "devdiscourse", "-a", f"replay={warc}", "-O", "out.jsonl")
    assert replay.returncode == 0 and "Traceback" not in replay.log, replay.log[-3000:]
    assert sorted(item["url"] for item in replay.feed_items("out.jsonl")) == sorted(pages)
    assert replay.stat("newscrawl/replay/unlabelled_pages") == len(pages)
    assert replay.stat("newscrawl/pages/fetched") == len(pages), "bytes that are not pages were offered as pages"


@pytest.mark.parametrize(("label", "says_nothing"), [
    ("application/octet-stream", True), ("Application/Octet-Stream; charset=binary", True), ("UTF-8", True),
    ("text", True), ("*/*", True), ("text/html; charset=utf-8", False), ("image/png", False),
    ("application/pdf", False), ("text/plain", False)])
def test_a_label_that_says_nothing_is_told_from_one_that_names_a_type(label: str, says_nothing: bool) -> None:
    assert sniff.says_nothing(label) is says_nothing
    assert sniff.may_hide_a_page(label) is (says_nothing or label.startswith("text/plain"))


def test_saved_pages_beside_warc_files_are_replayed_with_them(specs: list[NewsSpec], tmp_path: Path) -> None:
    """A folder holding WARCs and saved pages (a crawl, and pages saved by hand beside it) replayed the WARCs only:
    the pages were named in a warning and lost. A saved page now answers a URL the WARCs do not hold and is an
    archive-only candidate like any archived page; a saved copy of a page the WARCs hold leaves the WARCs' capture
    in place, unless that capture is an error; a crawl's own fixture-candidates/ copies are never read as pages."""
    sample = ROOT / "samples" / "devdiscourse.warc.gz"
    twin = run_crawl(tmp_path / "twin", "devdiscourse", "-a", f"replay={sample}", "-O", "out.jsonl")
    archived = twin.feed_items("out.jsonl")
    new = [spec for spec in specs if str(spec.news_id) not in {item["outlet_id"] for item in archived}]
    folder = tmp_path / "research"
    (folder / "notes").mkdir(parents=True)
    (folder / "fixture-candidates").mkdir()
    shutil.copy(sample, folder)
    (folder / "notes" / "first.html").write_text(render_desktop(new[0]), encoding="utf-8")
    (folder / "notes" / "second.html").write_text(render_desktop(new[1]), encoding="utf-8")
    (folder / "notes" / "copy.html").write_text(render_desktop(new[2]), encoding="utf-8")  # saved under a held URL
    (folder / "notes" / "copy.url").write_text(archived[0]["url"] + "\n", encoding="utf-8")
    (folder / "fixture-candidates" / "drift.html").write_text(render_desktop(new[3]), encoding="utf-8")
    # the crawl met a 404 for this article, which was saved by hand before it went: the saved page is the article
    with (folder / "later.warc.gz").open("wb") as handle:
        http = StatusAndHeaders("404 Not Found", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        WARCWriter(handle, gzip=True).write_record(WARCWriter(handle).create_warc_record(
            canonical_url(new[4]), "response", payload=io.BytesIO(b"<html>gone</html>"), http_headers=http))
    (folder / "notes" / "gone.html").write_text(render_desktop(new[4]), encoding="utf-8")
    source = ReplaySource(folder, DevdiscourseSpider().article_key)
    assert (source.kind, source.pages_beside_warcs, source.pages_held_by_warcs) == ("warc", 3, 1)
    replay = run_crawl(tmp_path / "mixed", "devdiscourse", "-a", f"replay={folder}", "-O", "out.jsonl")
    assert replay.returncode == 0 and "Damaged input" not in replay.log, replay.log[-3000:]
    items = replay.feed_items("out.jsonl")
    by_url = {item["url"]: item for item in items}
    assert len(items) == len(archived) + 3 == len(by_url)
    assert [by_url[canonical_url(spec)]["provenance"]["archive"]["file"] for spec in (*new[:2], new[4])] == [
        "notes/first.html", "notes/second.html", "notes/gone.html"]
    assert by_url[archived[0]["url"]]["body"] == archived[0]["body"]
    assert by_url[archived[0]["url"]]["provenance"]["archive"]["file"] == sample.name
    assert canonical_url(new[3]) not in by_url
    done = newscrawl_cli("verify", str(replay.workdir / "out.jsonl"), "--archive", str(folder))
    assert done.returncode == 0 and f"{len(items)} verified, 0 problems" in done.stdout, done.stdout + done.stderr
    split = run_crawl(tmp_path / "jobs", "devdiscourse", "-a", f"replay={folder}", "-a", "jobs=2", "-O", "out.jsonl")
    assert (split.workdir / "out.jsonl").read_bytes() == (replay.workdir / "out.jsonl").read_bytes(), split.log[-3000:]


def test_a_later_transient_error_never_hides_an_earlier_capture_of_the_page(specs: list[NewsSpec],
                                                                            tmp_path: Path) -> None:
    """A crawler that came back to a page and was rate-limited (429) or met a server error (503) leaves that answer
    after the good one; "last capture wins" answered the error, Scrapy retried it into nothing, and the article was
    lost. A later 404 still wins: the page is gone."""
    pages = {canonical_url(spec): render_desktop(spec).encode() for spec in specs[:4]}
    later = dict(zip(pages, [("429 Too Many Requests", b"slow down"), ("503 Service Unavailable", b"busy"),
                             ("404 Not Found", b"gone"), None]))
    warc = tmp_path / "revisited.warc.gz"
    with warc.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for round_ in ("first", "later"):
            for url, body in pages.items():
                status, payload = ("200 OK", body) if round_ == "first" else (later[url] or ("200 OK", body))
                http = StatusAndHeaders(status, [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
                writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(payload),
                                                              http_headers=http))
    replay = run_crawl(tmp_path / "run", "devdiscourse", "-a", f"replay={warc}", "-O", "out.jsonl")
    assert replay.returncode == 0 and "Traceback" not in replay.log, replay.log[-3000:]
    gone = [url for url, answer in later.items() if answer and answer[0].startswith("404")]
    assert sorted(item["url"] for item in replay.feed_items("out.jsonl")) == sorted(set(pages) - set(gone))
    assert replay.stat("retry/count") is None


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_whole_gzip_warc_whose_inflated_copy_the_disk_refuses_stops_the_replay_in_one_line(
        tmp_path: Path, jobs: int) -> None:
    """It replayed nothing and exited 0 (one process: a traceback at the start, then every request failing; two:
    a traceback), and left the half-written copy in the cache folder."""
    archive = tmp_path / "whole.warc.gz"
    archive.write_bytes(gzip.compress(b"".join(gzip_members((ROOT / "samples" / "devdiscourse.warc.gz").read_bytes())),
                                      mtime=0))
    cache = tmp_path / "plain"
    cache.mkdir()
    with tiny_disk(cache, "200k"):  # the sample inflates to ~430 kB
        done = run_crawl(tmp_path / "run", "devdiscourse", "-a", f"replay={archive}", "-a", f"jobs={jobs}",
                         settings={"NEWSCRAWL_REPORT_DIR": str(tmp_path / "reports")},
                         env={"NEWSCRAWL_PLAIN_CACHE": str(cache), "NEWSCRAWL_CACHE_DIR": str(tmp_path / "cache")})
        left = sorted(path.name for path in cache.iterdir())
    lines = [line for line in done.log.splitlines() if line.startswith("scrapy crawl devdiscourse:")]
    stopped = "the crawl stopped early (replay_input_error): " if jobs == 1 else "not started, "
    assert done.returncode == 1 and lines == [
        f"scrapy crawl devdiscourse: {stopped}cannot replay {archive}: cannot make the inflated copy of {archive} in "
        f"{cache}: No space left on device; free space there or point NEWSCRAWL_PLAIN_CACHE at a folder with room "
        "for the file uncompressed"], done.log[-3000:]
    assert "Traceback" not in done.log and "Replay could not read" not in done.log, done.log[-3000:]
    assert left == [], "the half-written copy is removed"


def test_a_whole_gzip_warc_whose_copy_is_refused_costs_only_itself_in_a_folder(tmp_path: Path) -> None:
    """One file that needs an inflated copy the cache folder refuses stopped the replay of every other file; now
    it is one damaged-input line and counter, and its index is not cached, so a run with room reads it."""
    folder = tmp_path / "archive"
    folder.mkdir()
    shutil.copy(ROOT / "samples" / "devdiscourse.warc.gz", folder / "a.warc.gz")
    whole = folder / "b.warc.gz"
    whole.write_bytes(gzip.compress(b"".join(
        _record(b"WARC/1.1", b"response", f"https://other.example.org/{n}", _http(PAGE),
                b"application/http; msgtype=response") for n in range(2))))
    refusing = tmp_path / "not-a-folder"
    refusing.write_text("")
    index_cache = tmp_path / "cache"
    done = run_crawl(tmp_path / "run", "devdiscourse", "-a", f"replay={folder}", "-O", "out.jsonl",
                     env={"NEWSCRAWL_PLAIN_CACHE": str(refusing), "NEWSCRAWL_CACHE_DIR": str(index_cache)})
    assert done.returncode == 0 and "Traceback" not in done.log, done.log[-3000:]
    assert len(done.feed_items("out.jsonl")) == 41
    damaged = [line for line in done.log.splitlines() if "cannot make the inflated copy" in line]
    assert len(damaged) == 1 and f"Damaged input {whole} at offset 0 (copy)" in damaged[0], damaged
    assert done.stat("newscrawl/replay/archive_problems/copy") == 1
    index = ArchiveIndex.build(folder, index_cache)
    assert index.cached_in is None and index.lookup("https://other.example.org/1") is not None
    assert ArchiveIndex.build(folder, index_cache).cached_in is not None  # complete now: cached
