"""Pages unpacked from a ZIP or tar file are the user's, at the bundle's place: never the replay cache's copies.

A bundle is extracted into a cache folder (unpack.py) whose name is a digest, under NEWSCRAWL_PLAIN_CACHE or the
system's temp folder. That folder leaked into what a replay wrote: a page that names no address got the copy's
``file:///tmp/newscrawl-plain/unpacked-…/story.html`` URL and an outlet named ``unpacked-…`` (so the crawl id and
the feed's name changed with the cache, on every machine another); in a folder, the ZIP's own name was read as a
mirror's host folder (``https://pages.zip/story.html``); damaged-input lines named the cache copy; and a parallel
replay's parent unpacked under other limits than its processes, into another cache folder, so the feed of
``-a jobs=2`` had another name, crawl id and input digest than the one-process replay's.
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path
from typing import Any

from scrapy.settings import Settings

from newscrawl import settings as project_settings
from newscrawl.archive.budget import UnpackLimits
from tests.crawling import ROOT, CrawlResult, run_crawl

SAMPLE = ROOT / "samples" / "devdiscourse.warc.gz"
SAVED_AT = 1765000000  # 2025-12-06

STORY = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Harbour dredging contract signed</title>"
         "<meta property='og:type' content='article'></head><body><article><h1>Harbour dredging contract signed"
         "</h1><p class='byline'>By Ana Ferreira, <time datetime='2025-03-19T08:30:00+00:00'>19 March 2025</time>"
         "</p>" + "".join(f"<p>The harbour board signed the dredging contract on Tuesday, paragraph {n}, after two "
                          "years of talks with the shipping lines and the town council about the new berths.</p>"
                          for n in range(8)) + "</article></body></html>").encode()
"""An article that names no address of its own: no sidecar, no saved-from comment, no canonical link, no og:url."""


def bundle_of_story(place: Path) -> Path:
    """A ZIP at `place` holding the one page that names no address (saved at SAVED_AT)."""
    place.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(place, "w") as archive:
        archive.writestr(zipfile.ZipInfo("story.html", date_time=(2025, 12, 6, 5, 46, 40)), STORY)
    return place


def replay(workdir: Path, source: Path, cache: Path, *args: str) -> CrawlResult:
    result = run_crawl(workdir, "news", "-a", f"replay={source}", *args, "-s", "LOG_LEVEL=INFO",
                       env={"NEWSCRAWL_PLAIN_CACHE": str(cache)})
    assert result.returncode == 0 and "Traceback" not in result.log, result.log[-3000:]
    return result


def feed(result: CrawlResult) -> tuple[str, bytes]:
    (path,) = result.output_files("*.replay.jsonl")
    return path.name, path.read_bytes()


def report(result: CrawlResult) -> dict[str, Any]:
    (path,) = (result.workdir / "output" / "news").glob("*.report.json")
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def test_a_page_without_an_address_in_a_zip_is_addressed_as_in_a_folder_at_the_zips_place(tmp_path: Path) -> None:
    """Given alone under two caches, or inside a folder, the page's URL is the one a folder of the ZIP's name at its
    place gives (the ZIP's name no host), and the feed, its name and crawl id included, is that folder's."""
    bundle = bundle_of_story(tmp_path / "deliveries" / "pages.zip")
    address = (bundle.resolve() / "story.html").as_uri()
    alone = replay(tmp_path / "alone", bundle, tmp_path / "cache-a")
    elsewhere = replay(tmp_path / "elsewhere", bundle, tmp_path / "cache-b")
    assert feed(elsewhere) == feed(alone)
    [item] = [json.loads(line) for line in feed(alone)[1].splitlines()]
    assert (item["url"], item["outlet"]) == (address, "pages.zip") and "no_url" in item["quality"]
    assert item["provenance"]["archive"]["file"] == "story.html"
    inside = replay(tmp_path / "inside", bundle.parent, tmp_path / "cache-a")
    [item] = [json.loads(line) for line in feed(inside)[1].splitlines()]
    assert item["url"] == address and item["provenance"]["archive"]["file"] == "pages.zip/story.html"

    bundle.unlink()  # the same page in a folder of the bundle's name, at its place
    bundle.mkdir()
    (bundle / "story.html").write_bytes(STORY)
    os.utime(bundle / "story.html", (SAVED_AT, SAVED_AT))
    assert feed(replay(tmp_path / "folder", bundle, tmp_path / "cache-a")) == feed(alone)


def test_every_line_names_the_users_files_not_the_cache_copies(tmp_path: Path) -> None:
    """A folder holding a ZIP is replayed from a cache folder of its WARCs, pages and unpacked bundles: the damaged
    inputs (the folder's own, and a ZIP's member), the pages not replayed and the pages beside its WARCs were told
    under the cache's paths."""
    folder = tmp_path / "delivery"
    bundle_of_story(folder / "pages.zip")
    with zipfile.ZipFile(folder / "more.zip", "w") as archive:
        archive.writestr("blank.html", b"")
        archive.writestr("story.txt", STORY)  # a page named as text: told, not replayed
    (folder / "empty.html").write_bytes(b"")
    (folder / "outside.html").symlink_to(bundle_of_story(tmp_path / "elsewhere" / "x.zip"))
    shutil.copy(SAMPLE, folder)
    cache = tmp_path / "cache"
    result = replay(tmp_path / "run", folder, cache)
    lines = [line for line in result.log.splitlines() if str(cache) in line]
    assert all("Replaying what was unpacked once" in line for line in lines), "\n".join(lines)
    assert f"Damaged input {folder / 'empty.html'} at offset 0 (empty)" in result.log
    assert f"Damaged input {folder / 'more.zip' / 'blank.html'} at offset 0 (empty)" in result.log
    assert (f"Damaged input {folder / 'outside.html'} at offset 0 (unsafe-path): symlink to "
            f"'{tmp_path / 'elsewhere' / 'x.zip'}', outside {folder}: refused") in result.log
    assert f"Saved page not replayed: {folder / 'more.zip' / 'story.txt'} (named-otherwise)" in result.log
    assert f"{folder} holds saved pages beside its WARC files" in result.log
    assert {problem["file"] for problem in report(result)["damaged_inputs"]} == {
        str(folder / name) for name in ("empty.html", "more.zip/blank.html", "outside.html")}


def test_a_parallel_replay_of_a_zip_is_the_one_process_replay(tmp_path: Path) -> None:
    """-a jobs=2 wrote the ZIP's feed under another name, with another crawl id and input digest in its report."""
    bundle = bundle_of_story(tmp_path / "pages.zip")
    one = replay(tmp_path / "one", bundle, tmp_path / "cache")
    many = replay(tmp_path / "many", bundle, tmp_path / "cache", "-a", "jobs=2")
    assert feed(many) == feed(one)
    assert (report(many)["crawl_id"], report(many)["input"]) == (report(one)["crawl_id"], report(one)["input"])


def test_the_default_limits_are_the_settings_limits() -> None:
    """An archive unpacked under the defaults (UnpackLimits()) and under the project's settings is one cache folder:
    the ratio 100 and the setting read as 100.0 were two keys."""
    settings = Settings()
    settings.setmodule(project_settings)
    assert UnpackLimits.from_settings(settings).key == UnpackLimits().key
