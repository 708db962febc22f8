"""A URL saved more than once in a folder (archive/savedplaces.py): its saves are ordered by capture time (a folder's
YYYYMMDDhhmmss stamp, else the page's own saved time, else the file's), then by path, and the latest answers it, as
a WARC's last capture answers a URL captured several times. A folder and a WARC holding the same captures give the
same items, in a default replay and with `-a versions=all`; the folder's feed is byte-identical with `-a jobs=2`.
"""

from __future__ import annotations

import io
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newscrawl.archive.savedhtml import SavedPlace
from newscrawl.archive.savedplaces import SavedPlaces
from tests.crawling import CrawlResult, run_crawl
from tests.test_generic_metadata import BODY, URL, full_page
from tests.test_parallel import assert_same_run, replay_both

OTHER = "https://www.harbour-gazette.example/news/city/ferry-timetable-changes-next-month"
EDIT = "<p>Update: the regional government confirmed its share of the cost on Wednesday morning.</p>"
EDIT_2 = "<p>Correction: the vote was nine to four, not nine to three as first reported.</p>"
FERRY = BODY.replace("harbour bridge", "ferry timetable")
MISLEADING = datetime(2027, 1, 1, tzinfo=timezone.utc).timestamp()
"""The time of a file whose folder names its capture: later than every capture, so only the stamp orders it."""


def day(n: int) -> datetime:
    return datetime(2026, 12, n, 8, tzinfo=timezone.utc)


def place(path: str, when: datetime, url: str = URL, digest: str = "") -> SavedPlace:
    return SavedPlace(url, path, when, digest or path)


def test_the_latest_capture_answers_whatever_the_folder_order() -> None:
    """Added in folder order, answered by capture time; ties by path; every other save named with the one that
    answers, in folder order. The first page added answered before."""
    places = SavedPlaces()
    try:
        for page in (place("/f/a.html", day(3)), place("/f/b.html", day(1)), place("/f/c.html", day(5), OTHER),
                     place("/f/d.html", day(3), digest="/f/a.html"), place("/f/e.html", day(2))):
            places.add(page)
        answer = places.get(URL)
        assert answer is not None and answer.path == "/f/d.html"  # a.html's time, later by path: a WARC's last
        assert [p.path for p in places.versions(URL)] == ["/f/b.html", "/f/e.html", "/f/a.html", "/f/d.html"]
        assert [(p.path, latest.path) for p, latest in places.superseded()] == [
            ("/f/a.html", "/f/d.html"), ("/f/b.html", "/f/d.html"), ("/f/e.html", "/f/d.html")]
        assert [(n, p.path) for n, p in places.answering()] == [(2, "/f/c.html"), (3, "/f/d.html")]
        assert places.urls == 2 and len(places) == 5
        assert [p.path for p in places] == ["/f/a.html", "/f/b.html", "/f/c.html", "/f/d.html", "/f/e.html"]
    finally:
        places.close()


def test_times_with_offsets_are_ordered_as_instants() -> None:
    """Saved times come with offsets; their ISO strings do not sort as the instants do."""
    places = SavedPlaces()
    try:
        places.add(place("/f/a.html", datetime.fromisoformat("2026-12-01T09:30:00+05:30")))  # 04:00 UTC
        places.add(place("/f/b.html", datetime(2026, 12, 1, 5, 0, tzinfo=timezone.utc)))
        answer = places.get(URL)
        assert answer is not None and answer.path == "/f/b.html"
    finally:
        places.close()


PAGES = {  # the captures: (URL, capture day, page)
    "bridge-1": (URL, 1, full_page()),
    "ferry-1": (OTHER, 1, full_page(headline="Ferry timetable changes next month", body=FERRY)),
    "bridge-2": (URL, 2, full_page(body=BODY + EDIT)),
    "bridge-3": (URL, 3, full_page(body=BODY + EDIT + EDIT_2)),
    "ferry-4": (OTHER, 4, full_page(headline="Ferry timetable changes next month", body=FERRY + EDIT)),
}
SINGLE_FILE = ("<!--\n Page saved with SingleFile \n url: {url} \n saved date: Wed Dec 02 2026 08:00:00 GMT+0000 "
               "(Coordinated Universal Time)\n-->")


def page_bytes(name: str) -> bytes:
    """A capture's bytes, the same in the WARC and in the folder; the save of 2 December carries SingleFile's
    comment, its only time."""
    url, _, page = PAGES[name]
    with_link = page.replace(f'href="{URL}"', f'href="{url}"')  # its canonical link names it
    assert f'<link rel="canonical" href="{url}">' in with_link
    if name == "bridge-2":
        with_link = with_link.replace("<html", SINGLE_FILE.format(url=url) + "<html", 1)
    return with_link.encode()


def warc_of_captures(path: Path) -> Path:
    """The captures as a crawler writes them: one WARC, in the order they were made."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for name, (url, n, _) in sorted(PAGES.items(), key=lambda item: (item[1][1], list(PAGES).index(item[0]))):
            body = page_bytes(name)
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(body)))],
                                    protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=http,
                warc_headers_dict={"WARC-Date": day(n).isoformat().replace("+00:00", "Z")}))
    return path


def folder_of_captures(folder: Path) -> Path:
    """The same captures as a folder: two waybackpack captures of each page (DIR/YYYYMMDDhhmmss/HOST/PATH, their
    files dated later than every capture), the bridge's edit saved by hand with SingleFile, the ferry's edit saved
    by hand, dated by its file. Folder order (by path) is not capture order: the hand saves come last."""
    layout = {"bridge-1": "20261201080000/www.harbour-gazette.example/news/city/bridge.html",
              "ferry-1": "20261201080000/www.harbour-gazette.example/news/city/ferry.html",
              "bridge-3": "20261203080000/www.harbour-gazette.example/news/city/bridge.html",
              "bridge-2": "by-hand/bridge.html", "ferry-4": "by-hand/ferry.html"}
    for name, relative in layout.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(page_bytes(name))
        when = day(PAGES[name][1]).timestamp() if name == "ferry-4" else MISLEADING
        os.utime(path, (when, when))
    return folder


def kept(item: dict[str, Any]) -> dict[str, Any]:
    """An item without what names the archive it came from (file, record id, offset, crawl id, discovery routes)
    or the HTTP headers only a WARC holds."""
    provenance = {key: value for key, value in item["provenance"].items()
                  if key not in ("archive", "crawl_id", "discovery", "headers")}
    return {**{key: value for key, value in item.items() if key not in ("provenance", "crawl_id")},
            "provenance": provenance}


def replayed(tmp_path: Path, name: str, source: Path, *arguments: str) -> list[dict[str, Any]]:
    done = run_crawl(tmp_path / name, "news", "-a", f"replay={source}", *arguments, "-O", "items.jsonl")
    assert done.returncode == 0 and "Traceback" not in done.log, done.log[-3000:]
    return done.feed_items("items.jsonl")


def test_a_folder_answers_as_a_warc_of_the_same_captures(tmp_path: Path) -> None:
    warc = warc_of_captures(tmp_path / "captures.warc.gz")
    folder = folder_of_captures(tmp_path / "saved")
    from_warc = replayed(tmp_path, "warc", warc)
    from_folder = replayed(tmp_path, "folder", folder)
    by_url = {item["url"]: item for item in from_folder}
    assert {url: item["provenance"]["fetched_at"] for url, item in by_url.items()} == {
        URL: "2026-12-03T08:00:00+00:00", OTHER: "2026-12-04T08:00:00+00:00"}  # the latest captures
    assert "nine to four" in by_url[URL]["body"] and "regional government" in by_url[OTHER]["body"]
    assert by_url[URL]["provenance"]["archive"]["file"] == (
        "20261203080000/www.harbour-gazette.example/news/city/bridge.html")
    assert [kept(item) for item in from_folder] == [kept(item) for item in from_warc]  # in the same order too

    every_warc = replayed(tmp_path, "every-warc", warc, "-a", "versions=all")
    every_folder = replayed(tmp_path, "every-folder", folder, "-a", "versions=all")
    assert sorted((item["url"], item["revision"], item["provenance"]["fetched_at"][:10]) for item in every_folder) == [
        (URL, 1, "2026-12-01"), (URL, 2, "2026-12-02"), (URL, 3, "2026-12-03"),
        (OTHER, 1, "2026-12-01"), (OTHER, 2, "2026-12-04")]
    assert [kept(item) for item in every_folder] == [kept(item) for item in every_warc]


def test_the_latest_capture_answers_in_two_processes_alike(tmp_path: Path) -> None:
    folder = folder_of_captures(tmp_path / "saved")
    one, two = replay_both(tmp_path, "news", folder)
    feed = assert_same_run(one, two, "news")
    assert feed.count(b"\n") == 2 and b"nine to four" in feed
    assert_told(one)


def assert_told(result: CrawlResult) -> None:
    """The three saves that do not answer are told, each naming the save that does."""
    told = [line for line in result.log.splitlines() if "Saved page not replayed" in line]
    assert len(told) == 3 and result.stat("newscrawl/replay/not_replayed/same-url") == 3
    assert all("latest capture" in line for line in told)
