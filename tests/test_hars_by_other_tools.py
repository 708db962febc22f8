"""HAR files that other tools wrote (Playwright for Python driving Chromium, embedded and attached; mitmproxy's
hardump behind curl, with and without compression; chrome-har from the DevTools Protocol events, as Browsertime
builds them) of the same three pages the WARC fixtures hold, served chunked and gzip-compressed: each replays to the
same three items as wget's WARC, byte for byte the same text, and `newscrawl verify` proves them. A HAR whose tool
kept no bodies is refused in one line. The files and how they were made: tests/fixtures/hars-by-other-tools/.
"""

from __future__ import annotations

import json
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from tests.crawling import CrawlResult, run_crawl
from tests.test_archive_replay import newscrawl_cli
from tests.test_warcs_by_other_tools import NEWS_IDS, content, items_of, one_of_the_pages
from tests.test_warcs_by_other_tools import wget_items  # noqa: F401  # the fixture: wget's items, the reference

FOLDER = Path(__file__).resolve().parent / "fixtures" / "hars-by-other-tools"
ARCHIVED_AS = {"playwright.har": "playwright.har.warc.gz", "playwright.zip": "har.har.warc.gz",
               "mitmproxy.har": "mitmproxy.har.warc.gz", "mitmproxy-plain.har": "mitmproxy-plain.har.warc.gz",
               "chrome-har.har": "chrome-har.har.warc.gz"}
"""Each file → the WARC its items name (provenance.archive.file): Playwright's ZIP holds its HAR as `har.har`."""
WITHOUT_BODIES = {"playwright-omit.har": 75, "chrome-har-no-bodies.har": 53}
"""The HARs whose tool kept no response body (Playwright's `record_har_content="omit"`, chrome-har without
`includeTextFromResponseBody`, Browsertime's default) → how many entries each holds."""


def replay(tmp_path: Path, source: Path, spider: str = "devdiscourse", *args: str) -> CrawlResult:
    return run_crawl(tmp_path / "run", spider, "-a", f"replay={source}", *args, "-O", "out.jsonl",
                     env={"NEWSCRAWL_PLAIN_CACHE": str(tmp_path / "cache")})


def har_log(file: str) -> dict[str, Any]:
    """The `log` of the fixture's HAR, from inside the ZIP for Playwright's attach mode."""
    if file.endswith(".zip"):
        with zipfile.ZipFile(FOLDER / file) as bundle:
            log: dict[str, Any] = json.loads(bundle.read("har.har"))["log"]
            return log
    log = json.loads((FOLDER / file).read_text(encoding="utf-8"))["log"]
    return log


def started(value: str) -> str:
    """An entry's startedDateTime as the feed writes times."""
    return datetime.fromisoformat(value).astimezone(timezone.utc).isoformat()


@pytest.mark.parametrize("file", ARCHIVED_AS)
def test_each_tools_har_replays_every_article_and_verifies(file: str, tmp_path: Path,
                                                          wget_items: list[dict[str, object]]) -> None:
    source = FOLDER / file
    done = replay(tmp_path, source)
    assert done.returncode == 0 and "Traceback" not in done.log, done.log[-3000:]
    assert "Damaged input" not in done.log and done.stat("newscrawl/replay/archive_problems") is None, done.log
    items = items_of(done.workdir / "out.jsonl")
    assert [item["outlet_id"] for item in items] == NEWS_IDS
    starts = {entry["request"]["url"]: started(entry["startedDateTime"]) for entry in har_log(file)["entries"]
              if entry["response"]["status"] == 200}
    for item in items:
        provenance = one_of_the_pages(item)
        assert provenance["status"] == 200 and provenance["headers"]["content_type"] == "text/html; charset=utf-8"
        assert provenance["archive"]["file"] == ARCHIVED_AS[file]
        assert provenance["fetched_at"] == starts[provenance["request_url"]]  # the entry's own start
        assert [d["via"] for d in provenance["discovery"]] == ["archive"]
        assert provenance["discovery"][0]["seen_at"] == min(started(entry["startedDateTime"])
                                                             for entry in har_log(file)["entries"])
    assert [content(item) for item in items] == [content(item) for item in wget_items]
    verified = newscrawl_cli("verify", str(done.workdir / "out.jsonl"), "--archive", str(source))
    assert verified.returncode == 0 and "3 verified, 0 problems" in verified.stdout, verified.stdout + verified.stderr


def test_playwrights_zip_keeps_the_bodies_as_files_beside_its_har(tmp_path: Path) -> None:
    """`record_har_path="….zip"` is attach mode: `har.har` names each body's file (`_file`, named by its SHA-1, the
    same file for every 404's `Not Found`) and holds no text; the ZIP is extracted and its folder's HAR converted,
    the bodies read from beside it."""
    with zipfile.ZipFile(FOLDER / "playwright.zip") as bundle:
        names = set(bundle.namelist())
    contents = [entry["response"]["content"] for entry in har_log("playwright.zip")["entries"]]
    assert not any("text" in found for found in contents)
    attached = {found["_file"] for found in contents if "_file" in found}
    assert names == {"har.har", *attached} and len(attached) == 4  # three pages and one `Not Found`
    done = replay(tmp_path, FOLDER / "playwright.zip")
    assert done.returncode == 0 and len(items_of(done.workdir / "out.jsonl")) == 3, done.log[-3000:]
    # named inside the ZIP, not in the folder it was extracted to; Chrome's HSTS upgrades are no server's answers
    assert ("playwright.zip/har.har: 49 entries not replayable (3 browser-internal redirects, 22 failed or blocked, "
            "24 no body kept)") in done.log


@pytest.mark.parametrize("file", WITHOUT_BODIES)
def test_a_har_without_bodies_is_refused_in_one_line(file: str, tmp_path: Path) -> None:
    """chrome-har writes `content.size` 0 for every body it was not handed: its 404s and redirects were replayed as
    empty pages, and the HAR as a replay with no article and no word why. Now no entry of it is replayable."""
    source = FOLDER / file
    done = replay(tmp_path, source)
    assert done.returncode == 2 and "Traceback" not in done.log, done.log[-3000:]
    entries = WITHOUT_BODIES[file]
    assert (f"bad value for -a replay: {source}: a HAR file without a response that could be replayed "
            f"({entries} entries)") in done.log


def test_every_har_together_is_three_articles_in_one_process_or_two(tmp_path: Path) -> None:
    """Five HARs of the three pages and the two without bodies, in one folder: one item per article, one warning
    line for each HAR that holds none; two processes write the same feed and count the same."""
    one = replay(tmp_path / "one", FOLDER, "news")
    two = replay(tmp_path / "two", FOLDER, "news", "-a", "jobs=2")
    assert one.returncode == 0 and two.returncode == 0, one.log[-2000:] + two.log[-2000:]
    urls = sorted(str(item["url"]) for item in items_of(one.workdir / "out.jsonl"))
    assert len(urls) == 3 and all(url.split("/")[-1].startswith(tuple(NEWS_IDS)) for url in urls), urls
    assert (one.workdir / "out.jsonl").read_bytes() == (two.workdir / "out.jsonl").read_bytes()
    for file in WITHOUT_BODIES:  # each costs itself, as damaged input, in the one line of any damaged record
        assert (f"Damaged input {FOLDER / file} at offset 0 (unpack): a HAR file without a response that could be "
                "replayed") in one.log
    assert one.stat("newscrawl/replay/archive_problems/unpack") == two.stat(
        "newscrawl/replay/archive_problems/unpack") == len(WITHOUT_BODIES)
