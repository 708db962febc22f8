"""`-a versions=all` (spiders/versions.py): a replay emits every archived version of an article page, oldest first,
as the revisions a series of live runs would have emitted; the default replay keeps one version per page."""

from __future__ import annotations

import dataclasses
import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newscrawl.archive.verify import verify_feed
from tests.crawling import FAST, run_crawl
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
    parallel = run_crawl(tmp_path / "jobs", "news", "-a", f"replay={warc}", "-a", "versions=all", "-a", "jobs=2")
    assert parallel.returncode == 2 and "versions=all replays in one process" in parallel.log
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
