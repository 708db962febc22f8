"""`-a versions=all` (spiders/versions.py): a replay emits every archived version of an article page, oldest first,
as the revisions a series of live runs would have emitted; the default replay keeps one version per page."""

from __future__ import annotations

import dataclasses
import io
import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newscrawl.archive.verify import verify_feed
from tests.crawling import FAST, run_crawl
from tests.test_parallel import report_of
from tests.sitegen.corpus import corpus, seed_spec
from tests.sitegen.server import MirrorServer, build_devdiscourse_mirror
from tests.test_generic_metadata import BODY, URL, full_page

OTHER = "https://www.harbour-gazette.example/news/city/ferry-timetable-changes-next-month"
EDIT = "<p>Update: the regional government confirmed its share of the cost on Wednesday morning.</p>"
DAYS = ["2026-12-01T08:00:00Z", "2026-12-02T08:00:00Z", "2026-12-03T08:00:00Z"]


def archive(path: Path) -> Path:
    """Three captures of one article (the first, an edit, the edit again unchanged) and one of another article."""
    versions = [full_page(), full_page(body=BODY + EDIT), full_page(body=BODY + EDIT)]
    other = full_page(headline="Ferry timetable changes next month",
                      body=BODY.replace("harbour bridge", "ferry timetable"))
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for url, page, day in [(URL, versions[0], DAYS[0]), (OTHER, other, DAYS[0]), (URL, versions[1], DAYS[1]),
                               (URL, versions[2], DAYS[2])]:
            body = page.encode()
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                               ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=http, warc_headers_dict={"WARC-Date": day}))
    return path


def items(feed: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]


def test_every_version_of_a_page_comes_out_oldest_first_as_its_revisions(tmp_path: Path) -> None:
    warc = archive(tmp_path / "periodic.warc.gz")
    done = run_crawl(tmp_path / "all", "news", "-a", f"replay={warc}", "-a", "versions=all", "-O", "items.jsonl")
    assert done.returncode == 0, done.log[-3000:]
    found = items(tmp_path / "all" / "items.jsonl")
    bridge = [item for item in found if item["url"] == URL]
    assert [(item["revision"], item["provenance"]["fetched_at"][:10]) for item in bridge] == [
        (1, "2026-12-01"), (2, "2026-12-02")]  # the third capture is the second unchanged: no revision
    assert "body" in bridge[1]["changed_fields"] and EDIT[3:40] in bridge[1]["body"]
    assert bridge[1]["previous_body_sha256"] == bridge[0]["provenance"]["body_sha256"]
    assert bridge[0]["provenance"]["archive"]["record_id"] != bridge[1]["provenance"]["archive"]["record_id"]
    assert [item["url"] for item in found].count(OTHER) == 1
    assert done.stat("newscrawl/replay/versions") == 2 and done.stat("newscrawl/items/revisions") == 1
    report = verify_feed(str(tmp_path / "all" / "items.jsonl"), str(warc))
    assert (report.checked, report.passed) == (3, 3), report.problems

    last = run_crawl(tmp_path / "last", "news", "-a", f"replay={warc}", "-O", "items.jsonl")
    assert last.returncode == 0, last.log[-3000:]
    (only,) = [item for item in items(tmp_path / "last" / "items.jsonl") if item["url"] == URL]
    assert only["revision"] == 1 and only["provenance"]["fetched_at"][:10] == "2026-12-03"
    assert only["body"] == bridge[1]["body"]


def test_versions_all_is_refused_where_it_cannot_mean_anything(tmp_path: Path) -> None:
    warc = archive(tmp_path / "periodic.warc.gz")
    live = run_crawl(tmp_path / "live", "news", "-a", f"urls={URL}", "-a", "versions=all")
    assert live.returncode == 2 and "it needs -a replay=PATH" in live.log
    wrong = run_crawl(tmp_path / "wrong", "news", "-a", f"replay={warc}", "-a", "versions=some")
    assert wrong.returncode == 2 and "unknown version choice 'some'" in wrong.log


def test_a_replay_of_a_cron_series_archives_gives_back_the_revisions_its_runs_emitted(tmp_path: Path) -> None:
    """Two live runs of the mirror, an article edited between them, each run writing its WARC; the folder of both
    WARCs replayed with versions=all gives the edited article's two revisions as the runs emitted them."""
    specs = [seed_spec(), *corpus(6, seed=3)]
    site = build_devdiscourse_mirror(specs)
    edited = specs[2]
    with MirrorServer(site) as server:
        first = run_crawl(tmp_path / "live", "devdiscourse", "-a", f"base_url={server.base_url}", settings=FAST)
        new_body = edited.description_html.replace("</p>", " A late correction was added.</p>", 1)
        site.articles[edited.news_id] = dataclasses.replace(
            edited, description_html=new_body, modified_on=edited.modified_on + timedelta(hours=2), body_blocks=())
        second = run_crawl(tmp_path / "live", "devdiscourse", "-a", f"base_url={server.base_url}", settings=FAST)
    assert first.returncode == 0 and second.returncode == 0, first.log[-2000:] + second.log[-2000:]
    folder = tmp_path / "live" / "output" / "devdiscourse"
    assert len(list(folder.glob("*.warc.gz"))) == 2
    live = [item for feed in sorted(folder.glob("*.jsonl")) for item in items(feed)
            if item["outlet_id"] == str(edited.news_id)]
    replay = run_crawl(tmp_path / "replay", "devdiscourse", "-a", f"replay={folder}", "-a", "versions=all",
                       "-O", "items.jsonl")
    assert replay.returncode == 0, replay.log[-3000:]
    replayed = [item for item in items(tmp_path / "replay" / "items.jsonl") if item["outlet_id"] == str(edited.news_id)]

    def kept(item: dict[str, Any]) -> tuple[Any, ...]:
        return (item["revision"], sorted(item["changed_fields"]), item["body"], item["modified_at"],
                item["previous_body_sha256"], item["provenance"]["body_sha256"], item["provenance"]["archive"])

    assert [item["revision"] for item in live] == [1, 2]
    assert [kept(item) for item in replayed] == [kept(item) for item in live]


SINGLE_FILE = ("<!--\n Page saved with SingleFile \n url: {url} \n saved date: {day} 08:00:00 GMT+0000 "
               "(Coordinated Universal Time)\n-->")
EDIT_2 = "<p>Correction: the vote was nine to four, not nine to three as first reported.</p>"


def saved(body: str, url: str = URL, day: str | None = None) -> bytes:
    """A saved page of the bridge article; with `day` ("Thu Dec 03 2026"), SingleFile's comment naming it."""
    page = full_page(body=body) if url == URL else full_page(
        headline="Ferry timetable changes next month", body=body.replace("harbour bridge", "ferry timetable")
    ).replace(f'href="{URL}"', f'href="{OTHER}"')
    if day is not None:
        page = page.replace('<html lang="en">', '<html lang="en">' + SINGLE_FILE.format(url=url, day=day), 1)
    return page.encode()


def saved_folder(folder: Path) -> Path:
    """Four saves of the bridge article, not in folder order: the latest first (SingleFile dated 3 December), the
    first (dated 1 December), the edit of 2 December (dated by its file's time, its URL in a sidecar) and a copy of
    the latest with the same bytes; and one save of another article."""
    folder.mkdir()
    (folder / "1-latest.html").write_bytes(saved(BODY + EDIT + EDIT_2, day="Thu Dec 03 2026"))
    (folder / "2-first.html").write_bytes(saved(BODY, day="Tue Dec 01 2026"))
    (folder / "3-middle.html").write_bytes(saved(BODY + EDIT))
    (folder / "3-middle.url").write_text(URL + "\n", encoding="utf-8")
    middle = datetime(2026, 12, 2, 8, tzinfo=timezone.utc).timestamp()
    os.utime(folder / "3-middle.html", (middle, middle))
    (folder / "4-latest-again.html").write_bytes((folder / "1-latest.html").read_bytes())
    (folder / "5-other.html").write_bytes(saved(BODY, url=OTHER, day="Tue Dec 01 2026"))
    return folder


def archive_route(item: dict[str, Any]) -> tuple[str, int, str]:
    """An item's archive discovery route: the file, place in the archive and record id it names."""
    (route,) = [route for route in item["provenance"]["discovery"] if route["via"] == "archive"]
    return route["source_url"], route["position"], route["claims"]["record_id"]


def test_a_saved_folder_gives_each_saved_version_of_a_page_by_its_saved_time(tmp_path: Path) -> None:
    folder = saved_folder(tmp_path / "saved")
    done = run_crawl(tmp_path / "all", "news", "-a", f"replay={folder}", "-a", "versions=all", "-O", "items.jsonl")
    assert done.returncode == 0, done.log[-3000:]
    found = items(tmp_path / "all" / "items.jsonl")
    bridge = [item for item in found if item["url"] == URL]
    assert [(item["revision"], item["provenance"]["fetched_at"][:10], item["provenance"]["archive"]["file"])
            for item in bridge] == [(1, "2026-12-01", "2-first.html"), (2, "2026-12-02", "3-middle.html"),
                                    (3, "2026-12-03", "1-latest.html")]
    assert bridge[1]["previous_body_sha256"] == bridge[0]["provenance"]["body_sha256"]
    assert bridge[2]["previous_body_sha256"] == bridge[1]["provenance"]["body_sha256"]
    # each version's archive route names its own page and its place in folder order, not the URL's first page
    assert [archive_route(item) for item in bridge] == [
        ("2-first.html", 1, bridge[0]["provenance"]["archive"]["record_id"]),
        ("3-middle.html", 2, bridge[1]["provenance"]["archive"]["record_id"]),
        ("1-latest.html", 0, bridge[2]["provenance"]["archive"]["record_id"])]
    assert "body" in bridge[2]["changed_fields"] and "nine to four" in bridge[2]["body"]
    assert [item["url"] for item in found].count(OTHER) == 1
    assert done.stat("newscrawl/replay/versions") == 2
    assert done.stat("newscrawl/replay/versions_unchanged/saved-copy") == 1  # 4-latest-again.html
    assert done.stat("newscrawl/replay/not_replayed/same-url") is None
    assert done.stat("newscrawl/replay/not_replayed/same-bytes") is None
    assert done.stat("item_dropped_count") is None
    assert "Saved page not replayed" not in done.log
    assert "2 earlier versions read, 0 unreadable; 1 captures saw a version unchanged" in done.log
    assert report_of(done, "news")["counts"]["replay_versions"] == {
        "read": 2, "unreadable": 0, "unchanged": 1, "unchanged_by_kind": {"saved-copy": 1}}
    report = verify_feed(str(tmp_path / "all" / "items.jsonl"), str(folder))
    assert (report.checked, report.passed) == (4, 4), report.problems

    last = run_crawl(tmp_path / "last", "news", "-a", f"replay={folder}", "-O", "items.jsonl")  # as it was
    assert last.returncode == 0, last.log[-3000:]
    (only,) = [item for item in items(tmp_path / "last" / "items.jsonl") if item["url"] == URL]
    # the latest capture answers, as a WARC's last: 1-latest.html and its copy 4-latest-again.html were saved at one
    # time, and between saves of one time the last by path answers (the first in folder order did)
    assert only["provenance"]["archive"]["file"] == "4-latest-again.html" and only["revision"] == 1
    assert only["provenance"]["fetched_at"].startswith("2026-12-03") and "nine to four" in only["body"]
    assert last.stat("newscrawl/replay/not_replayed/same-url") == 2
    assert last.stat("newscrawl/replay/not_replayed/same-bytes") == 1
    assert last.stat("newscrawl/replay/versions_unchanged") is None
    assert "replay_versions" not in report_of(last, "news")["counts"]  # no versions asked for, none counted


def revisit_archive(path: Path) -> Path:
    """The bridge article captured in full, seen unchanged (a revisit), edited, and seen unchanged again last (a
    revisit of the edit, which answers the URL), as a deduplicating crawler writes a series of visits."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        originals: list[Any] = []
        for page, day in [(full_page(), DAYS[0]), (None, DAYS[1]), (full_page(body=BODY + EDIT), DAYS[2]),
                          (None, "2026-12-04T08:00:00Z")]:
            record = capture(writer, URL, day, page, originals[-1] if originals else None)
            if page is not None:
                originals.append(record)
    return path


def capture(writer: WARCWriter, url: str, day: str, page: str | None, original: Any) -> Any:
    """Written: a response record of `page`, or (no page) a revisit record of the capture `original`, naming it as
    a deduplicating crawler does (WARC-Refers-To, its URI, date and payload digest); dated `day`."""
    http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
    if page is not None:
        record = writer.create_warc_record(url, "response", payload=io.BytesIO(page.encode()), http_headers=http,
                                           warc_headers_dict={"WARC-Date": day})
    else:
        refers = original.rec_headers
        record = writer.create_revisit_record(
            url, digest=refers.get_header("WARC-Payload-Digest"), refers_to_uri=url,
            refers_to_date=refers.get_header("WARC-Date"), http_headers=http)
        record.rec_headers.replace_header("WARC-Date", day)
        record.rec_headers.add_header("WARC-Refers-To", refers.get_header("WARC-Record-ID"))
    writer.write_record(record)
    return record


def test_a_revisit_is_counted_as_an_unchanged_capture_never_as_an_item(tmp_path: Path) -> None:
    warc = revisit_archive(tmp_path / "dedup.warc.gz")
    for state in ("False", "True"):  # without the crawl state, nothing would drop a repeated version
        done = run_crawl(tmp_path / state, "news", "-a", f"replay={warc}", "-a", "versions=all",
                         "-s", f"NEWSCRAWL_STATE_ENABLED={state}", "-O", "items.jsonl")
        assert done.returncode == 0, done.log[-3000:]
        found = items(tmp_path / state / "items.jsonl")
        assert [item["provenance"]["fetched_at"][:10] for item in found] == ["2026-12-01", "2026-12-03"], state
        assert done.stat("newscrawl/replay/versions") == 2  # both read before the answer, which repeats the edit
        assert done.stat("newscrawl/replay/versions_unchanged") == 2 == done.stat(
            "newscrawl/replay/versions_unchanged/revisit")
        assert done.stat("item_dropped_count") is None, state  # no repeated item, not even one dropped
        assert "2 captures saw a version unchanged and are no versions (2 revisit records" in done.log
    assert [item["revision"] for item in found] == [1, 2]
    report = verify_feed(str(tmp_path / "True" / "items.jsonl"), str(warc))
    assert (report.checked, report.passed) == (2, 2), report.problems


def revert_archive(path: Path) -> Path:
    """Two articles each captured in full (v1), edited (v2), then seen by a revisit record whose original is v1:
    the bridge article seen so again last (a revisit of the latest version, which answers its URL), the ferry article's
    revisit of v1 answering its URL."""
    def ferry(body: str) -> str:
        return full_page(headline="Ferry timetable changes next month", body=body.replace(
            "harbour bridge", "ferry timetable")).replace(f'href="{URL}"', f'href="{OTHER}"')
    pages = {URL: [full_page(), full_page(body=BODY + EDIT)], OTHER: [ferry(BODY), ferry(BODY + EDIT)]}
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        originals: dict[str, list[Any]] = {URL: [], OTHER: []}
        steps = [(URL, 0, DAYS[0]), (OTHER, 0, DAYS[0]), (URL, 1, DAYS[1]), (OTHER, 1, DAYS[1]),
                 (URL, None, DAYS[2]), (OTHER, None, DAYS[2]), (URL, None, "2026-12-04T08:00:00Z")]
        for url, version, day in steps:  # a step without a version: a revisit of v1
            page = pages[url][version] if version is not None else None
            record = capture(writer, url, day, page, originals[url][0] if page is None else None)
            if page is not None:
                originals[url].append(record)
    return path


def test_a_revisit_of_an_older_version_is_a_revert_emitted_at_the_revisits_time(tmp_path: Path) -> None:
    """v1, v2, then a revisit of v1: the page held v1 again then, a revision changed back (its changed_fields
    against v2), read from v1's record and dated by the revisit; a later revisit of that version is unchanged."""
    warc = revert_archive(tmp_path / "revert.warc.gz")
    done = run_crawl(tmp_path / "all", "news", "-a", f"replay={warc}", "-a", "versions=all", "-O", "items.jsonl")
    assert done.returncode == 0, done.log[-3000:]
    found = items(tmp_path / "all" / "items.jsonl")
    for url in (URL, OTHER):  # the bridge's revert read before its answer; the ferry's revert is its answer
        page = [item for item in found if item["url"] == url]
        assert [(item["revision"], item["provenance"]["fetched_at"][:10]) for item in page] == [
            (1, "2026-12-01"), (2, "2026-12-02"), (3, "2026-12-03")], url
        first, edit, revert = page
        assert "body" in revert["changed_fields"] and revert["body"] == first["body"] != edit["body"]
        assert revert["previous_body_sha256"] == edit["provenance"]["body_sha256"]
        # its bytes' record, as a replay's answer from a revisit names it
        assert revert["provenance"]["archive"] == first["provenance"]["archive"]
        # each version's archive route names its own record and place (the revert: its original's, the revisit's)
        assert [archive_route(item)[2] for item in page] == [item["provenance"]["archive"]["record_id"]
                                                             for item in page]
        assert [archive_route(item)[1] for item in page] == ([0, 2, 4] if url == URL else [1, 3, 5])
        assert revert["provenance"]["body_sha256"] == first["provenance"]["body_sha256"]
    assert done.stat("newscrawl/replay/versions") == 5  # v1 and v2 of both, and the bridge's revert
    assert done.stat("newscrawl/replay/versions_unchanged") == 1 == done.stat(
        "newscrawl/replay/versions_unchanged/revisit")  # the bridge's last revisit: of the revert, its latest version
    assert done.stat("item_dropped_count") is None
    report = verify_feed(str(tmp_path / "all" / "items.jsonl"), str(warc))
    assert (report.checked, report.passed) == (6, 6), report.problems

    last = run_crawl(tmp_path / "last", "news", "-a", f"replay={warc}", "-O", "items.jsonl")  # as it was
    assert last.returncode == 0, last.log[-3000:]
    answers = {item["url"]: item for item in items(tmp_path / "last" / "items.jsonl")}
    assert answers[OTHER]["provenance"]["archive"] == [item for item in found if item["url"] == OTHER][0][
        "provenance"]["archive"]


def series_archive(folder: Path) -> Path:
    """Three daily WARCs of a cron series over six articles: each captured in full on its first day, then edited,
    seen unchanged (a revisit) or captured in full unchanged on the others, so that the versions of one page lie in
    several files and the articles several processes share."""
    folder.mkdir()
    stories = [f"https://www.harbour-gazette.example/news/city/story-{n}" for n in range(6)]
    kept: dict[str, Any] = {}
    for day_number, day in enumerate(DAYS):
        with (folder / f"series-{day[:10]}.warc.gz").open("wb") as handle:
            writer = WARCWriter(handle, gzip=True)
            for n, url in enumerate(stories):
                edits = (day_number + 1) if n % 3 == 0 else 1 if n % 3 == 1 and day_number else 0
                page = full_page(headline=f"Council approves harbour plan {n}",
                                 body=BODY + EDIT * edits).replace(f'href="{URL}"', f'href="{url}"')
                http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                        protocol="HTTP/1.1")
                if day_number and n % 2 and url in kept and kept[url][0] == page:  # unchanged: a revisit
                    original = kept[url][1].rec_headers
                    record = writer.create_revisit_record(
                        url, digest=original.get_header("WARC-Payload-Digest"), refers_to_uri=url,
                        refers_to_date=original.get_header("WARC-Date"), http_headers=http)
                    record.rec_headers.replace_header("WARC-Date", day)
                    record.rec_headers.add_header("WARC-Refers-To", original.get_header("WARC-Record-ID"))
                else:
                    record = writer.create_warc_record(url, "response", payload=io.BytesIO(page.encode()),
                                                       http_headers=http, warc_headers_dict={"WARC-Date": day})
                    kept[url] = (page, record)
                writer.write_record(record)
    return folder


@pytest.mark.parametrize("kind", ["warcs", "reverts", "saved"])
def test_every_version_replays_byte_identically_in_parallel(tmp_path: Path, kind: str) -> None:
    """-a jobs=N with versions=all: every version of a page is read by the process that fetches the page, so its
    revision history is whole there; the merged feed, stats and report are those of one process."""
    source = {"warcs": lambda: series_archive(tmp_path / "series"),
              "reverts": lambda: revert_archive(tmp_path / "revert.warc.gz"),
              "saved": lambda: saved_folder(tmp_path / "saved")}[kind]()
    one = run_crawl(tmp_path / "one", "news", "-a", f"replay={source}", "-a", "versions=all", "-O", "out.jsonl")
    assert one.returncode == 0 and "Traceback" not in one.log, one.log[-3000:]
    feed = (one.workdir / "out.jsonl").read_bytes()
    found = items(one.workdir / "out.jsonl")
    assert max(item["revision"] for item in found) == 3
    assert any(item["previous_body_sha256"] for item in found)
    urls = [item["url"] for item in found]
    assert urls == sorted(urls, key=urls.index), urls  # a page's versions together, at its place
    for jobs in (2, 3):
        many = run_crawl(tmp_path / f"jobs{jobs}", "news", "-a", f"replay={source}", "-a", "versions=all",
                         "-a", f"jobs={jobs}", "-O", "out.jsonl")
        assert many.returncode == 0 and "Traceback" not in many.log, many.log[-3000:]
        assert (many.workdir / "out.jsonl").read_bytes() == feed, jobs
        (default_one,) = one.output_files("*.replay.jsonl")
        (default_many,) = many.output_files("*.replay.jsonl")
        assert default_many.name == default_one.name and default_many.read_bytes() == feed
        assert report_of(many, "news") == report_of(one, "news")
        assert report_of(one, "news")["counts"]["replay_versions"] == {
            "read": one.stat("newscrawl/replay/versions"), "unreadable": 0,
            "unchanged": one.stat("newscrawl/replay/versions_unchanged"),
            "unchanged_by_kind": {kind: one.stat(f"newscrawl/replay/versions_unchanged/{kind}")
                                  for kind in ("revisit", "saved-copy")
                                  if one.stat(f"newscrawl/replay/versions_unchanged/{kind}")}}
        for stat in ("item_scraped_count", "item_dropped_count", "item_dropped_reasons_count/UnchangedArticle",
                     "newscrawl/items/revisions", "newscrawl/replay/versions", "newscrawl/replay/versions_unchanged",
                     "newscrawl/replay/versions_unchanged/revisit", "newscrawl/replay/versions_unchanged/saved-copy",
                     "newscrawl/replay/hits"):
            assert many.stat(stat) == one.stat(stat), (jobs, stat)
        assert one.log.count("Every version replayed:") == many.log.count("Every version replayed:") == 1
        # a replay's crawl state is its own, temporary: neither run leaves one behind
        assert not list((many.workdir / "output").rglob("*.sqlite")) and not list(
            (one.workdir / "output").rglob("*.sqlite"))
    if kind != "saved":
        assert one.stat("newscrawl/replay/versions_unchanged/revisit")
        report = verify_feed(str(one.workdir / "out.jsonl"), str(source))
        assert report.checked == len(found) == report.passed, report.problems
