"""HAR files (browser developer tools, Playwright, mitmproxy) replay as the WARC they are converted into (har.py),
and a folder holding WACZ or HAR files keeps its saved pages (unpack.replay_root)."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import shutil
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from newscrawl import cli
from newscrawl.archive import har
from newscrawl.archive.findings import Findings
from tests.crawling import CrawlResult, run_crawl

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "devdiscourse.warc.gz"
WACZ = ROOT / "tests" / "fixtures" / "warcs-by-other-tools" / "js-wacz.wacz"
TRAFILATURA_PAGES = ROOT.parent / "shared" / "bench" / "trafilatura-eval" / "pages"


def devtools_entries(count: int) -> list[dict[str, Any]]:
    """The sample's first `count` article responses as Chrome's devtools record them over HTTP/2: pseudo-headers,
    lower-case names, the body decoded to text while `content-encoding: gzip` stays in the headers."""
    entries: list[dict[str, Any]] = []
    with SAMPLE.open("rb") as fh:
        for record in ArchiveIterator(fh):
            url = record.rec_headers.get_header("WARC-Target-URI")
            if record.rec_type != "response" or "/article/" not in url:
                continue
            body = record.content_stream().read()
            headers = [{"name": ":status", "value": "200"}, {"name": "content-encoding", "value": "gzip"},
                       *({"name": name.lower(), "value": value} for name, value in record.http_headers.headers
                         if name.lower() != "content-encoding")]
            entries.append({
                "startedDateTime": record.rec_headers.get_header("WARC-Date"),
                "request": {"method": "GET", "url": url, "httpVersion": "h2",
                            "headers": [{"name": ":authority", "value": "www.devdiscourse.com"},
                                        {"name": "accept", "value": "text/html"}]},
                "response": {"status": 200, "statusText": "", "httpVersion": "h2", "headers": headers,
                             "content": {"size": len(body), "mimeType": "text/html", "text": body.decode()}}})
            if len(entries) == count:
                return entries
    return entries


def write_har(path: Path, entries: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps({"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"},
                                        "entries": entries}}))
    return path


def replay(tmp_path: Path, source: Path, name: str, spider: str = "devdiscourse") -> CrawlResult:
    result = run_crawl(tmp_path / f"run-{name}", spider, "-a", f"replay={source}", "-O", "out.jsonl",
                       env={"NEWSCRAWL_PLAIN_CACHE": str(tmp_path / f"cache-{name}")})
    assert result.returncode == 0 and "Traceback" not in result.log, result.log[-3000:]
    return result


def test_a_browsers_har_replays_to_the_articles_of_the_responses_it_recorded(tmp_path: Path) -> None:
    entries = devtools_entries(4)
    blocked = {"startedDateTime": "2026-12-07T07:00:00.000Z",
               "request": {"method": "GET", "url": "https://ads.example/pixel", "headers": []},
               "response": {"status": 0, "headers": [], "content": {"size": 0, "mimeType": "x-unknown"}}}
    inline = {**entries[0], "request": {**entries[0]["request"], "url": "data:image/png;base64,AAAA"}}
    left = {**entries[0], "response": {**entries[0]["response"], "content": {"size": 900, "mimeType": "text/html"}}}
    source = write_har(tmp_path / "session.har", [*entries, blocked, inline, left])
    result = replay(tmp_path, source, "har")
    items = result.feed_items("out.jsonl")
    assert sorted(item["provenance"]["request_url"] for item in items) == sorted(
        entry["request"]["url"] for entry in entries)
    assert all(item["title"] and item["body"] for item in items)
    assert "session.har: 3 entries not replayable (1 failed or blocked, 1 no body kept, 1 not http(s))" in result.log
    assert {kind: result.stat(f"newscrawl/replay/skipped_records/{kind}") for kind in (
        "har-failed", "har-no-body", "har-not-http")} == {"har-failed": 1, "har-no-body": 1, "har-not-http": 1}
    assert {item["provenance"]["archive"]["file"] for item in items} == {"session.har.warc.gz"}

    # the same articles as the WARC the browser's responses came from, bodies and all
    from_warc = {item["url"]: item for item in replay(tmp_path, SAMPLE, "warc").feed_items("out.jsonl")}
    for item in items:
        assert (item["title"], item["body"], item["provenance"]["body_sha256"]) == (
            from_warc[item["url"]]["title"], from_warc[item["url"]]["body"],
            from_warc[item["url"]]["provenance"]["body_sha256"])
    assert cli.main(["verify", str(result.workdir / "out.jsonl"), "--archive", str(source)]) == 0


def test_a_har_converts_to_the_same_warc_on_any_machine(tmp_path: Path) -> None:
    source = write_har(tmp_path / "session.har", devtools_entries(2))
    first, second = (har.convert(source, tmp_path / name, Findings()) for name in ("one", "two"))
    assert first == second == 2
    warcs = [(tmp_path / name / "session.har.warc.gz").read_bytes() for name in ("one", "two")]
    assert warcs[0] == warcs[1]
    with (tmp_path / "one" / "session.har.warc.gz").open("rb") as fh:
        records = [(r.rec_type, r.rec_headers.get_header("WARC-Protocol"), r.http_headers and r.http_headers.protocol)
                   for r in ArchiveIterator(fh)]
    assert records[:3] == [("warcinfo", None, None), ("response", "h2", "HTTP/1.1"), ("request", None, "GET")]


def test_a_text_body_is_written_back_in_its_charset_else_utf8_and_says_so(tmp_path: Path) -> None:
    def entry(url: str, text: str) -> dict[str, Any]:
        return {"startedDateTime": "2026-12-07T07:00:00+01:00",
                "request": {"method": "GET", "url": url, "headers": []},
                "response": {"status": 200, "headers": [{"name": "Content-Type",
                                                         "value": "text/html; charset=ISO-8859-1"}],
                             "content": {"mimeType": "text/html", "text": text}}}
    binary = {**entry("https://example.com/logo.png", ""), "response": {
        "status": 200, "headers": [{"name": "Content-Type", "value": "image/png"}],
        "content": {"text": base64.b64encode(b"\x89PNG\r\n").decode(), "encoding": "base64"}}}
    source = write_har(tmp_path / "charsets.har", [entry("https://example.com/a", "<p>Café</p>"),
                                                   entry("https://example.com/b", "<p>Café – €</p>"), binary])
    assert har.convert(source, tmp_path / "out", Findings()) == 3
    with (tmp_path / "out" / "charsets.har.warc.gz").open("rb") as fh:
        found = {r.rec_headers.get_header("WARC-Target-URI"): (r.http_headers.get_header("Content-Type"),
                                                                r.content_stream().read(), r.rec_headers.get_header(
                                                                    "WARC-Date"))
                 for r in ArchiveIterator(fh) if r.rec_type == "response"}
    assert found["https://example.com/a"][:2] == ("text/html; charset=ISO-8859-1", "<p>Café</p>".encode("latin-1"))
    assert found["https://example.com/b"][:2] == ("text/html; charset=utf-8", "<p>Café – €</p>".encode())
    assert found["https://example.com/logo.png"][1] == b"\x89PNG\r\n"
    assert found["https://example.com/a"][2] == "2026-12-07T06:00:00Z"  # the start, in UTC


def test_playwrights_attached_bodies_are_read_from_inside_the_hars_folder_only(tmp_path: Path) -> None:
    entries = devtools_entries(2)
    folder = tmp_path / "recording"
    folder.mkdir()
    for number, entry in enumerate(entries):
        name = f"{hashlib.sha1(entry['request']['url'].encode()).hexdigest()}.html"
        (folder / name).write_text(entry["response"]["content"].pop("text"))
        entry["response"]["content"]["_file"] = name if number == 0 else f"../{name}"
        if number:
            shutil.copy(folder / name, tmp_path / name)  # outside the HAR's folder: not read
    assert har.convert(write_har(folder / "har.har", entries), tmp_path / "out", Findings()) == 1


def test_a_body_left_out_is_empty_only_where_http_or_both_sizes_say_so(tmp_path: Path) -> None:
    """HAR 1.2 leaves `text` out when the body is not available. chrome-har writes `content.size` 0 for every body it
    was not handed, with the `bodySize` received: that was replayed as an empty page. A body is empty where HTTP
    allows none (204, 304, 1xx) or both sizes are 0."""
    def entry(path: str, status: int, size: int, body_size: int) -> dict[str, Any]:
        return {"startedDateTime": "2026-12-07T07:00:00Z",
                "request": {"method": "GET", "url": f"https://example.com/{path}", "headers": []},
                "response": {"status": status, "headers": [], "bodySize": body_size,
                             "content": {"mimeType": "text/html", "size": size}}}
    source = write_har(tmp_path / "sizes.har", [
        entry("not-kept", 200, 0, 7776), entry("no-content", 204, 0, -1), entry("not-modified", 304, -1, 0),
        entry("empty", 200, 0, 0), entry("size-unknown", 200, -1, -1)])
    assert har.convert(source, tmp_path / "out", Findings()) == 3
    with (tmp_path / "out" / "sizes.har.warc.gz").open("rb") as fh:
        found = {r.rec_headers.get_header("WARC-Target-URI").rsplit("/", 1)[1]: r.content_stream().read()
                 for r in ArchiveIterator(fh) if r.rec_type == "response"}
    assert found == {"no-content": b"", "not-modified": b"", "empty": b""}


@pytest.mark.parametrize("content, message", [
    (b"{not json", "not a readable HAR file: JSONDecodeError"),
    (b'{"log": {"entries": {}}}', "not a readable HAR file: TypeError"),
    (b'{"log": {"entries": [{"request": {"url": "https://a.example/"}, "response": {"status": 0}}]}}',
     "a HAR file without a response that could be replayed (1 entries)"),
])
def test_a_har_that_cannot_be_replayed_is_one_line_naming_it(tmp_path: Path, content: bytes, message: str) -> None:
    source = tmp_path / "bad.har"
    source.write_bytes(content)
    result = run_crawl(tmp_path / "run", "news", "-a", f"replay={source}",
                       env={"NEWSCRAWL_PLAIN_CACHE": str(tmp_path / "cache")})
    assert result.returncode == 2 and "Traceback" not in result.log
    assert f"bad value for -a replay: {source}: {message}" in result.log


def test_a_folder_keeps_its_saved_pages_beside_a_wacz_or_a_har(tmp_path: Path,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    """A WACZ in a folder of saved pages made the replay read only the WACZ's WARCs: the pages were lost."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(WACZ, folder)
    page = sorted(TRAFILATURA_PAGES.glob("*.html.gz"))[0]
    shutil.copy(page, folder)
    shutil.copy(page.with_name(page.name.removesuffix(".html.gz") + ".url"), folder)
    write_har(folder / "session.har", devtools_entries(1))
    items = replay(tmp_path, folder, "mixed", "news").feed_items("out.jsonl")
    urls = {item["provenance"]["request_url"] for item in items}
    assert (page.with_name(page.name.removesuffix(".html.gz") + ".url").read_text().strip() in urls)
    assert devtools_entries(1)[0]["request"]["url"] in urls
    assert len(items) == 3 + 1 + 1  # the WACZ's three pages, the saved page, the HAR's page
    with caplog.at_level(logging.ERROR):
        assert cli.main(["verify", str(tmp_path / "run-mixed" / "out.jsonl"), "--archive", str(folder)]) == 0


def responses(warc: Path) -> dict[str, tuple[int, str | None, bytes]]:
    with warc.open("rb") as fh:
        return {r.rec_headers.get_header("WARC-Target-URI"): (
            int(r.http_headers.get_statuscode()), r.http_headers.get_header("Content-Type"), r.content_stream().read())
            for r in ArchiveIterator(fh) if r.rec_type == "response"}


def test_a_servers_redirect_is_kept_without_a_body_and_chromes_own_are_not(tmp_path: Path) -> None:
    """Browsers keep no body for a redirect (Playwright: content.size -1), and a replay needs none: it follows the
    Location, as the browser did. Chrome's HSTS upgrade, a 307 with Non-Authoritative-Reason, no server sent."""
    article = devtools_entries(1)[0]
    target = article["request"]["url"]
    moved = {"startedDateTime": article["startedDateTime"],
             "request": {"method": "GET", "url": target.replace("/article/", "/Home/Detail/"), "headers": []},
             "response": {"status": 301, "statusText": "Moved Permanently", "bodySize": -1,
                          "headers": [{"name": "Location", "value": target}], "content": {"size": -1}}}
    upgraded = {**moved, "request": {**moved["request"], "url": target.replace("/article/", "/insecure/")},
                "response": {"status": 307, "headers": [{"name": "Location", "value": target},
                                                        {"name": "Non-Authoritative-Reason", "value": "HSTS"}],
                             "content": {"size": 0}}}
    source = write_har(tmp_path / "moved.har", [upgraded, moved, article])
    assert har.convert(source, tmp_path / "out", Findings()) == 2
    found = responses(tmp_path / "out" / "moved.har.warc.gz")
    assert found[moved["request"]["url"]] == (301, None, b"") and upgraded["request"]["url"] not in found
    result = run_crawl(tmp_path / "run", "news", "-a", f"replay={source}", "-a", f"urls={moved['request']['url']}",
                       "-O", "out.jsonl", env={"NEWSCRAWL_PLAIN_CACHE": str(tmp_path / "cache")})
    assert result.returncode == 0, result.log[-3000:]
    assert [item["provenance"]["response_url"] for item in result.feed_items("out.jsonl")] == [target]


def test_a_page_is_written_back_in_the_charset_its_meta_declared(tmp_path: Path) -> None:
    """A Content-Type without a charset: the browser decoded the page by its <meta>, so its bytes are in that
    charset; a text that charset cannot hold is written as UTF-8, and its Content-Type then says so."""
    def entry(url: str, text: str) -> dict[str, Any]:
        return {"startedDateTime": "2026-12-07T07:00:00Z", "request": {"method": "GET", "url": url, "headers": []},
                "response": {"status": 200, "headers": [{"name": "Content-Type", "value": "text/html"}],
                             "content": {"mimeType": "text/html", "text": text}}}
    latin = '<html><head><meta charset="iso-8859-1"></head><body><p>Müller café</p></body></html>'
    beyond = latin.replace("café", "café → Łódź")  # not in windows-1252, which browsers read ISO-8859-1 as
    source = write_har(tmp_path / "meta.har", [entry("https://example.com/a", latin),
                                               entry("https://example.com/b", beyond)])
    har.convert(source, tmp_path / "out", Findings())
    found = responses(tmp_path / "out" / "meta.har.warc.gz")
    assert found["https://example.com/a"][1:] == ("text/html", latin.encode("cp1252"))
    assert found["https://example.com/b"][1:] == ("text/html; charset=utf-8", beyond.encode())


def test_an_entry_with_an_iri_or_text_no_bytes_can_carry_costs_no_other_entry(tmp_path: Path) -> None:
    """A URL written as an IRI (non-ASCII path), a header value with non-ASCII or a lone surrogate (JSON allows
    "\\ud800"), posted text with one: each crashed the whole conversion in warcio's header writer, so one entry
    cost the HAR. The IRI is kept as a browser sends it (percent-encoded UTF-8), and is what a replay asks for."""
    first, second = devtools_entries(2)
    iri = "https://www.devdiscourse.com/article/agency-wire/أخبار-عاجلة"
    second["request"]["url"] = iri
    second["response"]["headers"].append({"name": "x-title", "value": "Café ☕ \ud800"})
    second["request"]["postData"] = {"mimeType": "text/plain", "text": "q=\udc00"}
    source = tmp_path / "iri.har"
    source.write_text(json.dumps({"log": {"version": "1.2", "entries": [first, second]}}))  # ensure_ascii: \ud800 kept
    assert har.convert(source, tmp_path / "out", Findings()) == 2
    found = responses(tmp_path / "out" / "iri.har.warc.gz")
    encoded = ("https://www.devdiscourse.com/article/agency-wire/"
               "%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1-%D8%B9%D8%A7%D8%AC%D9%84%D8%A9")
    assert set(found) == {first["request"]["url"], encoded}
    result = run_crawl(tmp_path / "run", "news", "-a", f"replay={source}", "-a", f"urls={iri}", "-O", "out.jsonl",
                       env={"NEWSCRAWL_PLAIN_CACHE": str(tmp_path / "cache")})
    assert result.returncode == 0 and "Traceback" not in result.log, result.log[-3000:]
    assert encoded in [item["provenance"]["response_url"] for item in result.feed_items("out.jsonl")]
