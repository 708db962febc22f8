"""A file of a replay's input whose reads fail partway (EIO: a failing disk, a network mount that drops) costs only
what could not be read: one `io` damaged-input line naming it as the user knows it, status damaged-input, and every
other file replayed; in `scrapy crawl news -a replay=`, `newscrawl verify --archive` and `newscrawl reparse`.
Before, such an error escaped the readers of HAR files, tar and ZIP bundles and others, crashing the replay.

The records read before the bad spot still count where the format lets them be found without what follows
(a WARC's, an ARC's, a tar's members, a HAR's entries streamed before it); a ZIP's or WACZ's directory is at its
end, so one whose end cannot be read is read as a cut one is, by its members' own headers. The failing reads are
made by tests/failing.py, so the tests mean the same on any disk.

An HTML page saved under a bundle's or HAR's name is a page named otherwise, as one under a WARC's name is.
"""

from __future__ import annotations

import gzip
import io
import json
import random
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests import denied
from tests.crawling import CrawlResult
from tests.test_archive_savedhtml import article
from tests.test_unreadable_inputs import CACHE, damaged_lines, page, titles, warc

PAGES = [(f"Failing {n}", f"https://news.example/failing-{n}") for n in (1, 2, 3)]
"""The articles every failing file holds, in order, with FILLER between the second and the third: the bad spot lies
in the filler, far enough from the start that reading in blocks (64 KB) meets it only after the first two."""
FILLER = random.Random(7).randbytes(400_000)
"""Bytes no compression shrinks: a download of an image, say, that is no article."""


def _warc(gzipped: bool) -> tuple[bytes, int]:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gzipped)
    bad = 0
    for body, url, kind in _bodies():
        start = out.tell()
        http = StatusAndHeaders("200 OK", [("Content-Type", kind), ("Content-Length", str(len(body)))],
                                protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http,
                                                      warc_headers_dict={"WARC-Date": "2025-07-01T09:00:00Z"}))
        bad = bad or (kind == "image/png" and start + (out.tell() - start) // 2)
    return out.getvalue(), bad


def _bodies() -> list[tuple[bytes, str, str]]:
    """(body, URL, Content-Type) of PAGES, FILLER after the second."""
    pages = [(article(title, url), url, "text/html") for title, url in PAGES]
    return [*pages[:2], (FILLER, "https://news.example/filler.png", "image/png"), *pages[2:]]


def _arc() -> tuple[bytes, int]:
    line = b"%s 127.0.0.1 20250701090000 %s %d\n"
    desc = b"1 0 LiveWeb Capture\nURL IP-address Archive-date Content-type Archive-length\n"
    members = [gzip.compress(line % (b"filedesc://old.arc", b"text/plain", len(desc)) + desc + b"\n", mtime=0)]
    bad = 0
    for body, url, kind in _bodies():
        http = b"HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s" % (kind.encode(), len(body),
                                                                                              body)
        members.append(gzip.compress(line % (url.encode(), kind.encode(), len(http)) + http + b"\n", mtime=0))
        bad = bad or (kind == "image/png" and sum(map(len, members)) - len(members[-1]) // 2)
    return b"".join(members), bad


def _har() -> bytes:
    entries = [{"startedDateTime": "2025-07-01T09:00:00.000Z",
                "request": {"method": "GET", "url": url, "httpVersion": "HTTP/1.1", "headers": []},
                "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1",
                             "headers": [{"name": "Content-Type", "value": "text/html"}],
                             "content": {"size": len(article(title, url)), "mimeType": "text/html",
                                         "text": article(title, url).decode()}}}
               for title, url in PAGES]
    return json.dumps({"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "1"},
                               "entries": entries}}).encode()


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _tar(gzipped: bool) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz" if gzipped else "w") as archive:
        for name, data in _pages().items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 1751360400
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _pages() -> dict[str, bytes]:
    """PAGES as saved pages, FILLER after the second."""
    pages = [(f"pages/story-{n}.html", article(title, url)) for n, (title, url) in enumerate(PAGES, 1)]
    return dict([*pages[:2], ("pages/filler.png", FILLER), *pages[2:]])


def _wacz() -> bytes:
    data, _ = _warc(True)
    return _zip({"archive/data.warc.gz": data, "datapackage.json": json.dumps(
        {"profile": "data-package", "resources": [{"name": "data.warc.gz", "path": "archive/data.warc.gz"}]}).encode()})


def _middle(data: bytes) -> tuple[bytes, int]:
    return data, len(data) // 2


KINDS: dict[str, Callable[[], tuple[bytes, int]]] = {
    "bad.warc": lambda: _warc(False),
    "bad.warc.gz": lambda: _warc(True),
    "bad.arc.gz": _arc,
    "bad.har": lambda: _middle(_har()),
    "bad.har.gz": lambda: _middle(gzip.compress(_har(), mtime=0)),
    "bad.zip": lambda: _middle(_zip(_pages())),
    "bad.wacz": lambda: _middle(_wacz()),
    "bad.tar": lambda: _middle(_tar(False)),
    "bad.tar.gz": lambda: _middle(_tar(True)),
    "bad.html": lambda: _middle(article(*PAGES[0])),
}


KEPT = {"bad.warc": 2, "bad.warc.gz": 2, "bad.arc.gz": 2, "bad.zip": 2, "bad.tar": 2, "bad.tar.gz": 2}
"""How many of PAGES each failing file still gives (the others none): those before its bad spot. A HAR's records are
named by its digest, read first, so a HAR that cannot be read to its end gives none; a WACZ's one WARC is one ZIP
member, which a failing read costs whole, as damage in it does; a page is read whole or not at all."""


def replay(tmp_path: Path, source: Path, failing: dict[Path, int], *args: str) -> CrawlResult:
    result = denied.crawl(tmp_path / "run", [], "news", "-a", f"replay={source}", *args, "-O", "out.jsonl",
                          env={CACHE: str(tmp_path / "cache")}, failing=failing)
    assert result.returncode == 0 and "Traceback" not in result.log, result.log[-5000:]
    return result


def beside(folder: Path, context: str) -> list[str]:
    """The readable files the failing one lies beside: a WARC and a saved page (a folder read in place), and a ZIP
    of a page too for "zip" (a folder unpacked into the cache, its other files copied there); their titles."""
    warc(folder / "a.warc.gz", ("Readable capture", "https://news.example/a"))
    page(folder / "b.html", "Readable page", "https://news.example/b")
    if context == "warcs":
        return ["Readable capture", "Readable page"]
    with zipfile.ZipFile(folder / "c.zip", "w") as archive:
        archive.writestr("pages/zipped.html", article("Zipped page", "https://news.example/c"))
    return ["Readable capture", "Readable page", "Zipped page"]


def failing_file(folder: Path, name: str) -> tuple[Path, int]:
    data, bad = KINDS[name]()
    (folder / name).write_bytes(data)
    return folder / name, bad


def assert_one_io_line(result: CrawlResult, failing: Path) -> str:
    (line,) = damaged_lines(result)
    assert f"Damaged input {failing} at offset " in line and "(io): " in line, line
    assert "Input/output error" in line and "newscrawl-plain" not in line and "/cache/" not in line, line
    assert result.stat("newscrawl/replay/archive_problems/io") == 1
    (report,) = (result.workdir / "output" / "news").glob("*.report.json")
    assert json.loads(report.read_text())["status"] == "damaged-input"
    return line


@pytest.mark.parametrize("context", ["warcs", "zip"])
@pytest.mark.parametrize("name", list(KINDS))
def test_a_read_failing_partway_costs_only_what_could_not_be_read(tmp_path: Path, name: str, context: str) -> None:
    folder = tmp_path / "in"
    expected = beside(folder, context)
    failing, bad = failing_file(folder, name)
    result = replay(tmp_path, folder, {failing: bad})
    assert titles(result) == sorted(expected + [title for title, _ in PAGES[:KEPT.get(name, 0)]])
    line = assert_one_io_line(result, failing)
    assert name not in KEPT or "the rest of it is not replayed" in line, line  # what was kept is said


@pytest.mark.parametrize("context", ["warcs", "zip"])
def test_a_sidecar_failing_partway_is_one_line_and_its_page_replays(tmp_path: Path, context: str) -> None:
    """The page is read all the same, its URL then the HTML's own."""
    folder = tmp_path / "in"
    expected = beside(folder, context)
    page(folder / "story.html", "Page with a sidecar", "https://news.example/story")
    sidecar = folder / "story.url"
    sidecar.write_text("https://news.example/story?from=sidecar\n" + "#" * 20_000)
    result = replay(tmp_path, folder, {sidecar: 10_000})
    assert titles(result) == sorted([*expected, "Page with a sidecar"])
    assert_one_io_line(result, sidecar)


@pytest.mark.parametrize("name", list(KINDS))
def test_verify_and_reparse_tell_a_read_failing_partway_and_check_the_rest(tmp_path: Path, name: str) -> None:
    """verify fails only the items it cannot read again, one line each naming the file (a ZIP's or tar's, unpacked
    again with the disk failing: its members from the bad spot on are missing; a WACZ's or HAR's line names the WARC
    its unpacking could not make); reparse re-parses the rest and says what it could not read, one line, as the
    crawl does."""
    folder = tmp_path / "in"
    warc(folder / "a.warc.gz", ("Readable capture", "https://news.example/a"))
    failing, bad = failing_file(folder, name)
    feed = replay(tmp_path, folder, {}).workdir / "out.jsonl"
    kept = [title for title, _ in PAGES[:KEPT.get(name, 0)]]
    lost = len(PAGES) - len(kept) if name != "bad.html" else 1
    done = denied.run("newscrawl", ["verify", str(feed), "--archive", str(folder)], [], tmp_path / "verify",
                      {CACHE: str(tmp_path / "cache-verify")}, {failing: bad})
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stdout + done.stderr
    failed = [line for line in done.stdout.splitlines() if line.startswith("FAIL")]
    assert len(failed) == lost, done.stdout
    if not name.endswith((".wacz", ".har", ".har.gz")):  # those name the WARC the unpacking could not make (open)
        assert all(failing.name in line for line in failed), done.stdout
    assert f"{lost + len(kept) + 1} items checked: {len(kept) + 1} verified, {lost} problems" in done.stdout
    done = denied.run("newscrawl", ["reparse", str(folder), "-o", str(tmp_path / "new.jsonl")], [],
                      tmp_path / "reparse", {CACHE: str(tmp_path / "cache-reparse")}, {failing: bad})
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stdout + done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"newscrawl reparse: Damaged input {failing} at offset ") and "(io): " in line, line
    assert sorted(json.loads(item)["title"] for item in (tmp_path / "new.jsonl").read_text().splitlines()) == [
        *kept, "Readable capture"]


def test_a_read_failing_where_a_cached_index_met_none_is_damaged_input(tmp_path: Path) -> None:
    """The disk fails after the archive was indexed (the index is cached by the file's size and time, which stay):
    the record it cannot read again is one damaged-input line naming the file, not a warning naming the URL alone
    with the run's status ok."""
    folder = tmp_path / "in"
    expected = beside(folder, "warcs")
    failing, bad = failing_file(folder, "bad.warc.gz")
    replay(tmp_path / "first", folder, {})
    result = replay(tmp_path, folder, {failing: bad})
    assert titles(result) == sorted(expected + [title for title, _ in PAGES[:2]])
    line = assert_one_io_line(result, failing)
    assert "https://news.example/failing-3 is not replayed" in line, line
