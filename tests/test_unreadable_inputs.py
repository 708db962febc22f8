"""A file or folder of a replay's input that the OS will not let be read costs only itself (new-user hunt of
2026-12-07): one damaged-input line naming it as the user knows it, the `io` counter, status damaged-input, and
every other file replayed, in a folder read in place or one unpacked for the ZIP, HAR or WACZ beside it. Before,
an unreadable subfolder was skipped without a word, one unreadable WARC stopped the replay before it began, and
one unreadable file beside a ZIP or HAR was a traceback. Given alone, it is a one-line argument error (exit 2).

An HTML page downloaded under a WARC's name (`curl -o page.warc.gz URL`) is a page named otherwise, as one named
``.txt`` is: one warning line saying to rename it, not a damaged WARC.

The OS's refusal is made by tests/denied.py, so the tests mean the same run as root or not.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests import denied
from tests.crawling import CrawlResult
from tests.test_archive_savedhtml import article

CACHE = "NEWSCRAWL_PLAIN_CACHE"


def warc(path: Path, *pages: tuple[str, str]) -> Path:
    """A WARC of (title, URL) articles, as another tool writes it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for title, url in pages:
            body = article(title, url)
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(body)))],
                                    protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=http,
                                                          warc_headers_dict={"WARC-Date": "2025-07-01T09:00:00Z"}))
    return path


def page(path: Path, title: str, url: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(article(title, url))
    return path


def bundle(path: Path, title: str, url: str) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("pages/story.html", article(title, url))
    return path


def replay(tmp_path: Path, source: Path, unreadable: list[Path], *args: str) -> CrawlResult:
    result = denied.crawl(tmp_path / "run", unreadable, "news", "-a", f"replay={source}", *args, "-O", "out.jsonl",
                          env={CACHE: str(tmp_path / "cache")})
    assert result.returncode == 0 and "Traceback" not in result.log, result.log[-3000:]
    return result


def titles(result: CrawlResult) -> list[str]:
    return sorted(item["title"] for item in result.feed_items("out.jsonl"))


def damaged_lines(result: CrawlResult) -> list[str]:
    return [line for line in result.log.splitlines() if "Damaged input" in line]


def assert_costs_only_itself(result: CrawlResult, unreadable: Path) -> None:
    (line,) = damaged_lines(result)
    assert f"Damaged input {unreadable} at offset 0 (io): " in line and "Permission denied" in line, line
    assert "newscrawl-plain" not in line and str(result.workdir.parent / "cache") not in line  # the user's path
    assert result.stat("newscrawl/replay/archive_problems/io") == 1
    (report,) = (result.workdir / "output" / "news").glob("*.report.json")
    assert json.loads(report.read_text())["status"] == "damaged-input"


def folder_of(kind: str, folder: Path) -> list[str]:
    """A folder the replay reads in place (kind "pages", "warcs"), or unpacks beside an archive it holds (kind
    "zip"): one readable article of each sort it holds; the titles it gives."""
    if kind == "pages":
        page(folder / "a.html", "Readable page", "https://news.example/a")
        return ["Readable page"]
    warc(folder / "a.warc.gz", ("Readable capture", "https://news.example/a"))
    if kind == "warcs":
        return ["Readable capture"]
    bundle(folder / "b.zip", "Zipped page", "https://news.example/b")
    return ["Readable capture", "Zipped page"]


@pytest.mark.parametrize("kind", ["pages", "warcs", "zip"])
def test_an_unreadable_subfolder_is_one_line_and_everything_else_replays(tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "in"
    expected = folder_of(kind, folder)
    page(folder / "private" / "story.html", "Locked away", "https://news.example/locked")
    result = replay(tmp_path, folder, [folder / "private"])
    assert titles(result) == expected
    assert_costs_only_itself(result, folder / "private")


@pytest.mark.parametrize("kind", ["pages", "warcs", "zip"])
@pytest.mark.parametrize("locked", ["locked.html", "locked.warc.gz", "locked.zip"])
def test_an_unreadable_file_is_one_line_and_everything_else_replays(tmp_path: Path, kind: str, locked: str) -> None:
    """An unreadable WARC stopped the replay before it began (its warcinfo and digest were read to name the run),
    and an unreadable file beside a ZIP was a traceback (it was copied into the cache unguarded)."""
    folder = tmp_path / "in"
    expected = folder_of(kind, folder)
    target = folder / locked
    if locked.endswith(".html"):
        page(target, "Locked page", "https://news.example/locked")
    elif locked.endswith(".zip"):
        bundle(target, "Locked bundle", "https://news.example/locked")
    else:
        warc(target, ("Locked capture", "https://news.example/locked"))
    result = replay(tmp_path, folder, [target])
    assert titles(result) == expected
    assert_costs_only_itself(result, target)
    if locked.endswith(".warc.gz"):  # what names the run (its warcinfo, its input's digest) cannot be read
        again = replay(tmp_path / "two-jobs", folder, [target], "-a", "jobs=2")
        assert (again.workdir / "out.jsonl").read_bytes() == (result.workdir / "out.jsonl").read_bytes()


@pytest.mark.parametrize("name", ["locked.warc.gz", "locked.html", "locked.zip", "folder"])
def test_an_unreadable_input_given_alone_is_a_one_line_argument_error(tmp_path: Path, name: str) -> None:
    target = tmp_path / name
    if name == "folder":
        page(target / "story.html", "Locked away", "https://news.example/locked")
    elif name.endswith(".zip"):
        bundle(target, "Locked bundle", "https://news.example/locked")
    elif name.endswith(".html"):
        page(target, "Locked page", "https://news.example/locked")
    else:
        warc(target, ("Locked capture", "https://news.example/locked"))
    done = denied.run("scrapy", ["crawl", "news", "-a", f"replay={target}"], [target], tmp_path / "run",
                      {CACHE: str(tmp_path / "cache")})
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr[-3000:]
    (line,) = [line for line in done.stderr.splitlines() if "error:" in line]
    assert f"bad value for -a replay: {target}: cannot be read: Permission denied" in line


def test_verify_and_reparse_tell_an_unreadable_file_and_check_the_rest(tmp_path: Path) -> None:
    """verify fails only the items the unreadable file holds, one line each; reparse re-parses the rest and says
    what it could not read, one line, as the crawl does (it said nothing: the replay's log was thrown away)."""
    folder = tmp_path / "in"
    warc(folder / "a.warc.gz", ("First capture", "https://news.example/a"))
    warc(folder / "b.warc.gz", ("Second capture", "https://news.example/b"))
    feed = replay(tmp_path, folder, []).workdir / "out.jsonl"
    locked = folder / "b.warc.gz"
    done = denied.run("newscrawl", ["verify", str(feed), "--archive", str(folder)], [locked], tmp_path / "verify")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stdout + done.stderr
    (failed,) = [line for line in done.stdout.splitlines() if line.startswith("FAIL")]
    assert "https://news.example/b" in failed and str(locked) in failed and "Permission denied" in failed
    assert "2 items checked: 1 verified, 1 problems" in done.stdout
    done = denied.run("newscrawl", ["verify", str(feed), "--archive", str(folder)], [folder], tmp_path / "verify")
    assert done.returncode == 2 and done.stderr.strip() == f"newscrawl verify: cannot read {folder}: Permission denied"
    done = denied.run("newscrawl", ["reparse", str(folder), "-o", str(tmp_path / "new.jsonl")], [locked],
                      tmp_path / "reparse", {CACHE: str(tmp_path / "cache")})
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stdout + done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"newscrawl reparse: Damaged input {locked} at offset 0 (io): "), line
    assert [json.loads(item)["title"] for item in (tmp_path / "new.jsonl").read_text().splitlines()] == [
        "First capture"]


@pytest.mark.parametrize("name", ["page.warc.gz", "page.warc", "page.arc.gz", "page.har", "page.har.gz", "page.zip",
                                  "page.wacz", "page.tar", "page.tar.gz"])
def test_a_page_saved_under_a_warcs_name_is_named_otherwise_not_a_damaged_warc(tmp_path: Path, name: str) -> None:
    """`curl -o page.warc.gz URL` saves the page, not a WARC: it was one `corrupt gzip member` line, which said
    nothing of what the file is (under a HAR's or bundle's name, one 'not a readable ZIP/HAR' line). Now as a page saved as .txt: one warning saying to rename it, no damage; the WARC
    beside it replays. Given alone: a one-line argument error saying the same."""
    folder = tmp_path / "in"
    warc(folder / "a.warc.gz", ("Readable capture", "https://news.example/a"))
    misnamed = page(folder / name, "Saved by curl", "https://news.example/curl")
    result = replay(tmp_path, folder, [])
    assert titles(result) == ["Readable capture"]
    assert not damaged_lines(result) and result.stat("newscrawl/replay/not_replayed/named-otherwise") == 1
    (line,) = [line for line in result.log.splitlines() if "Saved page not replayed" in line]
    suffix = name.removeprefix("page")
    assert f"{misnamed} (named-otherwise): HTML, but its name says '{suffix}'" in line and "rename it .html" in line
    done = denied.run("scrapy", ["crawl", "news", "-a", f"replay={misnamed}"], [], tmp_path / "alone")
    assert done.returncode == 2 and f"{misnamed}: HTML, but its name says '{suffix}'" in done.stderr, done.stderr
