"""Archives that other tools wrote (wget, warcprox, pywb's recorder, warcio's capture_http, warcio.js as Browsertrix
writes with it, js-wacz's WACZ of that, wpull, scrapy-webarchive's WACZ of a Scrapy crawl, and warcit's WARC of a
folder of saved pages) of the same three pages, served chunked and gzip-compressed as many real servers do: each
replays to the same three items, byte for byte the same text, and `newscrawl verify` proves them. The files and how
they were made: tests/fixtures/warcs-by-other-tools/.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.crawling import run_crawl
from tests.test_archive_replay import newscrawl_cli

FOLDER = Path(__file__).resolve().parent / "fixtures" / "warcs-by-other-tools"
SCRAPY_WEBARCHIVE_WARC = "three-20261207060927-00000-vm.warc.gz"
"""The WARC inside scrapy-webarchive.wacz, under the name the extension gave it (its spider's name and start)."""
ARCHIVED_AS = {"wget.warc.gz": "wget.warc.gz", "warcprox.warc.gz": "warcprox.warc.gz", "pywb.warc.gz": "pywb.warc.gz",
               "warcio-capture-http.warc.gz": "warcio-capture-http.warc.gz",
               "warcio-js.warc.gz": "warcio-js.warc.gz", "js-wacz.wacz": "warcio-js.warc.gz",
               "wpull.warc.gz": "wpull.warc.gz", "warcit.warc.gz": "warcit.warc.gz",
               SCRAPY_WEBARCHIVE_WARC: SCRAPY_WEBARCHIVE_WARC, "scrapy-webarchive.wacz": SCRAPY_WEBARCHIVE_WARC}
"""Each file → the WARC its items name (provenance.archive.file): a WACZ's items name the WARC inside it."""
NEWS_IDS = ["3301945", "3301962", "3301980"]


def items_of(feed: Path) -> list[dict[str, object]]:
    return sorted((json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()),
                  key=lambda item: str(item["outlet_id"]))


def content(item: dict[str, object]) -> tuple[object, ...]:
    provenance = item["provenance"]
    assert isinstance(provenance, dict)
    return (item["outlet_id"], item["title"], item["body"], item["authors"], item["published_at"],
            provenance["body_sha256"])


# The digests of the three pages' bytes as the server sent them, gzip and chunking undone: the same in every file.
PAGE_SHA256 = {"3301945": "d9460f63", "3301962": "0e391274", "3301980": "71330e51"}


def one_of_the_pages(item: dict[str, object]) -> dict[str, Any]:
    """Checks an item is one of the three pages as every tool's capture must give it (the server's bytes, a clean
    item, the page's canonical URL); its provenance, for the checks particular to the tool."""
    provenance = item["provenance"]
    assert isinstance(provenance, dict)
    assert str(provenance["body_sha256"]).startswith(PAGE_SHA256[str(item["outlet_id"])])
    assert item["quality"] == [] and len(str(item["body"])) > 500, item
    assert str(item["url"]).startswith("https://www.devdiscourse.com/article/")  # the page's canonical
    return provenance


@pytest.fixture(scope="module")
def wget_items(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, object]]:
    workdir = tmp_path_factory.mktemp("wget")
    replay = run_crawl(workdir, "devdiscourse", "-a", f"replay={FOLDER / 'wget.warc.gz'}", "-O", "out.jsonl")
    assert replay.returncode == 0, replay.log[-3000:]
    return items_of(workdir / "out.jsonl")


@pytest.mark.parametrize("file", ARCHIVED_AS)
def test_each_tools_archive_replays_every_article_and_verifies(file: str, tmp_path: Path,
                                                               wget_items: list[dict[str, object]]) -> None:
    warc = FOLDER / file
    replay = run_crawl(tmp_path, "devdiscourse", "-a", f"replay={warc}", "-O", "out.jsonl")
    assert replay.returncode == 0 and "Traceback" not in replay.log, replay.log[-3000:]
    assert "Damaged input" not in replay.log and replay.stat("newscrawl/replay/archive_problems") is None, replay.log
    items = items_of(tmp_path / "out.jsonl")
    assert [item["outlet_id"] for item in items] == NEWS_IDS
    for item in items:
        provenance = one_of_the_pages(item)
        assert str(provenance["request_url"]).startswith("http://127.0.0.1:8093/article/")
        assert provenance["archive"]["file"] == ARCHIVED_AS[file] and provenance["fetched_at"]
        # found in the archive no later than it was fetched (warcit dates its warcinfo after the pages it packs)
        assert [d["via"] for d in provenance["discovery"]] == ["archive"]
        assert datetime.fromisoformat(provenance["discovery"][0]["seen_at"]) <= datetime.fromisoformat(
            provenance["fetched_at"]), provenance
    assert [content(item) for item in items] == [content(item) for item in wget_items]
    done = newscrawl_cli("verify", str(tmp_path / "out.jsonl"), "--archive", str(warc))
    assert done.returncode == 0 and "3 verified, 0 problems" in done.stdout, done.stdout + done.stderr


def test_every_file_together_is_three_articles_in_one_process_or_two(tmp_path: Path) -> None:
    """Thirty captures and a revisit of three pages (two WACZs among the WARCs): one item per article; two processes
    write the same feed."""
    one = run_crawl(tmp_path / "one", "news", "-a", f"replay={FOLDER}", "-O", "out.jsonl")
    two = run_crawl(tmp_path / "two", "news", "-a", f"replay={FOLDER}", "-a", "jobs=2", "-O", "out.jsonl")
    assert one.returncode == 0 and two.returncode == 0, one.log[-2000:] + two.log[-2000:]
    assert len(items_of(one.workdir / "out.jsonl")) == 3
    assert (one.workdir / "out.jsonl").read_bytes() == (two.workdir / "out.jsonl").read_bytes()


# warcio.js writes WARC/1.1 dates to the millisecond, as Browsertrix and ArchiveWeb.page do: fetched_at keeps them.
JS_FETCHED_AT = {"3301945": "2026-12-07T04:11:11.529000+00:00", "3301962": "2026-12-07T04:11:11.508000+00:00",
                 "3301980": "2026-12-07T04:11:11.255000+00:00"}


def first_warc_date(warc: Path) -> str:
    """The WARC-Date of the file's first record, as a feed writes times."""
    with warc.open("rb") as stream:
        record = next(iter(ArchiveIterator(stream)))
        value = record.rec_headers.get_header("WARC-Date")
    return datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()


def test_another_tools_archive_replays_to_one_feed_wherever_it_is_copied_or_extracted(tmp_path: Path) -> None:
    """Another tool's WARCs name no crawl start, and the start is in the feed (the archive candidates' discovery
    time). It was the files' modification time: a copy (cp without -p), or a WACZ extracted anew into another cache
    folder, gave another feed. It is the first record's WARC-Date, the archive's own content, before every fetch."""
    wacz = FOLDER / "js-wacz.wacz"
    one = run_crawl(tmp_path / "one", "devdiscourse", "-a", f"replay={wacz}", "-O", "out.jsonl",
                    env={"NEWSCRAWL_PLAIN_CACHE": str(tmp_path / "cache-one")})
    two = run_crawl(tmp_path / "two", "devdiscourse", "-a", f"replay={wacz}", "-a", "jobs=2", "-O", "out.jsonl",
                    env={"NEWSCRAWL_PLAIN_CACHE": str(tmp_path / "cache-two")})
    copy = tmp_path / "copied" / "warcio-js.warc.gz"
    copy.parent.mkdir()
    copy.write_bytes((FOLDER / "warcio-js.warc.gz").read_bytes())
    os.utime(copy, (946684800, 946684800))  # copied without its time: 2000-01-01
    copied = run_crawl(tmp_path / "three", "devdiscourse", "-a", f"replay={copy}", "-O", "out.jsonl")
    assert all(run.returncode == 0 for run in (one, two, copied)), one.log[-2000:] + two.log[-2000:]
    assert (one.workdir / "out.jsonl").read_bytes() == (two.workdir / "out.jsonl").read_bytes()
    assert (one.workdir / "out.jsonl").read_bytes() == (copied.workdir / "out.jsonl").read_bytes()
    started = first_warc_date(FOLDER / "warcio-js.warc.gz")
    for item in items_of(one.workdir / "out.jsonl"):
        provenance = item["provenance"]
        assert isinstance(provenance, dict)
        assert provenance["fetched_at"] == JS_FETCHED_AT[str(item["outlet_id"])]
        assert [(d["via"], d["seen_at"]) for d in provenance["discovery"]] == [("archive", started)]
        assert started <= min(JS_FETCHED_AT.values())


def test_wpulls_payload_digests_a_byte_off_are_counted_not_damage(tmp_path: Path) -> None:
    """wpull 2.0.1 starts each WARC-Payload-Digest where its own re-serialised HTTP header would end, one byte early
    after the mirror's `Server: Kestrel ` (a trailing space it drops): no form of the payload matches. Each
    WARC-Block-Digest matches, proving every byte as written, so the pages are replayed, and counted."""
    replay = run_crawl(tmp_path, "devdiscourse", "-a", f"replay={FOLDER / 'wpull.warc.gz'}", "-O", "out.jsonl")
    assert replay.returncode == 0, replay.log[-3000:]
    assert replay.stat("newscrawl/replay/payload_digests_unmatched") == 3
    assert "3 archived responses carry a WARC-Payload-Digest that matches no form of their payload" in replay.log


def test_warcits_resource_records_replay_as_the_pages_they_hold(tmp_path: Path) -> None:
    """warcit stores each saved file as a `resource` record: no HTTP status or headers, its Content-Type guessed
    from the name (none here: text/html, its default), its WARC-Date the file's modification time, and a warcinfo
    written when it packs them, after those times. Replayed as 200 responses with that Content-Type, fetched at the
    file's time, found by the replay no later: the run starts at the earliest capture."""
    warc = FOLDER / "warcit.warc.gz"
    replay = run_crawl(tmp_path, "devdiscourse", "-a", f"replay={warc}", "-O", "out.jsonl")
    assert replay.returncode == 0, replay.log[-3000:]
    with warc.open("rb") as stream:
        dates = {record.rec_headers.get_header("WARC-Target-URI"): record.rec_headers.get_header("WARC-Date")
                 for record in ArchiveIterator(stream) if record.rec_type == "resource"}
    assert first_warc_date(warc) > min(datetime.fromisoformat(d.replace("Z", "+00:00")).isoformat()
                                       for d in dates.values())  # the warcinfo, written last
    for item in items_of(tmp_path / "out.jsonl"):
        provenance = item["provenance"]
        assert isinstance(provenance, dict)
        assert provenance["status"] == 200 and provenance["headers"]["content_type"] == "text/html"
        assert provenance["headers"]["date"] is None
        fetched = datetime.fromisoformat(dates[provenance["request_url"]].replace("Z", "+00:00")).isoformat()
        assert provenance["fetched_at"] == fetched
        assert provenance["discovery"][0]["seen_at"] == min(
            datetime.fromisoformat(d.replace("Z", "+00:00")).isoformat() for d in dates.values())


def test_a_wacz_replay_names_the_wacz_not_the_folder_it_was_extracted_to(tmp_path: Path) -> None:
    """The replay's start-up line said "Replaying warc archive /tmp/…/wacz-44ebd76d… (3 URLs)": the cache folder the
    WACZ's WARCs were extracted to, which the user never named. It names the .wacz and the WARCs in it; so do the
    other lines that named a file of that folder (a cached index read again, a damaged record, the report's
    damaged_inputs)."""
    import gzip
    import zipfile

    whole = (FOLDER / "warcio-js.warc.gz").read_bytes()
    plain = gzip.decompress(whole)
    wacz = tmp_path / "site.wacz"
    with zipfile.ZipFile(wacz, "w") as archive:
        archive.writestr("archive/data.warc.gz", whole)
        archive.writestr("archive/cut.warc", plain[: len(plain) * 2 // 3])  # ends inside a record
        archive.writestr("datapackage.json", "{}")
    cache = tmp_path / "cache"
    env = {"NEWSCRAWL_PLAIN_CACHE": str(cache), "NEWSCRAWL_CACHE_DIR": str(tmp_path / "index-cache")}
    first = run_crawl(tmp_path / "one", "devdiscourse", "-a", f"replay={wacz}", "-O", "out.jsonl", env=env)
    again = run_crawl(tmp_path / "two", "devdiscourse", "-a", f"replay={wacz}", "-O", "out.jsonl", env=env)
    for run in (first, again):
        assert f"INFO: Replaying warc archive {wacz} (3 URLs; WARCs in it: archive/cut.warc, archive/data.warc.gz)\n" \
            in run.log, run.log[-3000:]
        assert f"ERROR: Damaged input {wacz}/archive/cut.warc at offset " in run.log
        report = json.loads(next((run.workdir / "output" / "devdiscourse").glob("*.report.json")).read_text())
        assert [damaged["file"] for damaged in report["damaged_inputs"]] == [f"{wacz}/archive/cut.warc"]
        assert report["status"] == "damaged-input" and report["input"]["path"] == str(wacz)
    assert f"Archive index of {wacz} (5 captures) read from its cache" in again.log, again.log[-3000:]
    # the cache folder is named once, on purpose, by the line that says where the WARCs were put, and nowhere else
    cached = [line for line in again.log.splitlines() if str(cache) in line]
    assert len(cached) == 1 and f"INFO: Replaying what was unpacked once: {wacz}: 2 WARC files extracted to {cache}/" \
        in cached[0], cached


def _member(kind: str, date: str, url: str, block: bytes = b"", http: bool = False) -> bytes:
    """One record as its own gzip member, as warcio writes it."""
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True, warc_version="1.0")
    headers = None
    if http and kind == "request":
        headers = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.org")], is_http_request=True)
    elif http:
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    record = writer.create_warc_record(url, kind, payload=io.BytesIO(block), http_headers=headers,
                                       warc_headers_dict={"WARC-Date": date})
    writer.write_record(record)
    return out.getvalue()


def test_a_foreign_archive_whose_first_record_is_unreadable_starts_at_its_earliest_readable_record(
        tmp_path: Path) -> None:
    """Another tool's WARC names no crawl start; its start is its first record's WARC-Date. When that record was
    unreadable, the start was the file's modification time (with captures, the earlier of that and the first
    capture): a copy that kept an old time, or a fresh one, moved the start of the same bytes, and it is in the
    feed. It is the earliest WARC-Date of the records that are readable: a request, a metadata record, a warcinfo
    further on; the modification time only when no record is."""
    from newscrawl.archive.replay import ReplaySource, replay_identity, replay_started_at

    page = b"<html><head><title>A</title></head><body><p>A page.</p></body></html>"
    warcinfo = bytearray(_member("warcinfo", "2024-05-01T08:00:00Z", "", b"software: another-tool\r\n"))
    warcinfo[30:60] = b"\xff" * 30  # its gzip member no longer inflates
    request = _member("request", "2024-05-01T10:00:00Z", "https://example.org/a", http=True)
    response = _member("response", "2024-05-01T10:00:05Z", "https://example.org/a", page, http=True)
    metadata = _member("metadata", "2024-05-01T10:00:06Z", "https://example.org/a", b"via: x\r\n")
    old = datetime(2000, 1, 1).timestamp()

    def started(name: str, *members: bytes) -> tuple[datetime, datetime]:
        archive = tmp_path / name
        archive.write_bytes(b"".join(members))
        os.utime(archive, (old, old))  # copied without its time
        identity = replay_identity(archive)
        return identity.started_at, replay_started_at(identity, ReplaySource(archive))

    assert started("captures.warc.gz", bytes(warcinfo), request, response, metadata) == (
        datetime.fromisoformat("2024-05-01T10:00:00+00:00"),) * 2, "its request, before its capture"
    assert started("metadata-only.warc.gz", bytes(warcinfo), metadata) == (
        datetime.fromisoformat("2024-05-01T10:00:06+00:00"),) * 2, "no capture: its metadata record"
    modified = datetime.fromtimestamp(old).astimezone()
    assert started("nothing-readable.warc.gz", bytes(warcinfo)) == (modified, modified), "no record at all"
