"""An index built in parts by several processes (archive/indexparts.py) is the index a serial build makes.

The parallel replay's parent builds its index in `jobs` processes. The archive here mixes what the split must not
change: our writer's order (response, then its request) and wget's (request first), page resources, metadata
records, revisits resolved by URI and by digest, a second warcinfo in the middle of a file, meta refreshes and a page
labelled as unknown bytes, a damaged member, warc-zstd with a dictionary, a plain WARC and one gzip-compressed whole
(cut in their plain text, where a payload's "WARC/1.0" line can pass for a record start).
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import shutil
from collections.abc import Iterator
from dataclasses import astuple
from pathlib import Path
from typing import Any

import pytest

from newscrawl.archive import indexparts
from newscrawl.archive.indexparts import Span
from newscrawl.archive.exchanges import span_steps
from newscrawl.archive.reader import ChainEnd, record_starts, scan_records
from newscrawl.archive.warc import ArchiveIndex, ArchiveProblem
from newscrawl.archive.wholegzip import read_source
from tests.crawling import ROOT
from tests.test_archive_replay import gzip_members, warc_zstd
from tests.test_archive_warc import PAGE, _http, _record, variant_records

SAMPLE = ROOT / "samples" / "devdiscourse.warc.gz"


@pytest.fixture(autouse=True)
def parts_of_any_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """The archives here are small: cut them anyway (by default a part is at least a MiB)."""
    monkeypatch.setattr(indexparts, "MIN_PART_BYTES", 0)


def _id(text: str) -> bytes:
    """The record id _record gives a record of this URI and type (URI + type)."""
    return b"<urn:uuid:" + hashlib.sha256(text.encode()).hexdigest()[:32].encode() + b">"


def _wget_records(base: str, count: int) -> list[bytes]:
    """wget's order: each request record before its response, which names it in WARC-Concurrent-To; a warcinfo
    half way (a second crawl appended to the file), a page that refreshes and one labelled as unknown bytes."""
    records = [_record(b"WARC/1.1", b"warcinfo", "", b"software: Wget/1.21\r\n", b"application/warc-fields")]
    for number in range(count):
        url = f"{base}/story/{number}"
        if number == count // 2:
            records.append(_record(b"WARC/1.1", b"warcinfo", "", b"software: Wget/1.24\r\nnote: second run\r\n",
                                   b"application/warc-fields"))
        request = (b"GET /story/%d HTTP/1.1\r\nHost: example\r\n\r\n" % number)
        records.append(_record(b"WARC/1.1", b"request", url, request, b"application/http;msgtype=request",
                               b"WARC-Concurrent-To: " + _id(url + "response") + b"\r\n"))
        body = PAGE.replace(b"news of the day", b"story %d of the day" % number)
        headers: list[bytes] = []
        if number % 7 == 3:
            body = body.replace(b"<head>", b'<head><meta http-equiv="refresh" content="0; url=/moved">')
        if number % 11 == 5:
            headers.append(b"Content-Type: application/octet-stream")
        block = _http(body, *headers) if not headers else (
            b"HTTP/1.1 200 OK\r\n" + b"".join(h + b"\r\n" for h in headers) + b"\r\n" + body)
        records.append(_record(b"WARC/1.1", b"response", url, block, b"application/http;msgtype=response"))
    return records


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("parts") / "archive"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "a-ours.warc.gz")
    wget = _wget_records("https://wget.example.org", 60)
    (folder / "b-wget.warc.gz").write_bytes(b"".join(gzip.compress(record, mtime=0) for record in wget))
    variants = variant_records("https://variants.example.org")
    (folder / "c-variants.warc.gz").write_bytes(b"".join(gzip.compress(record, mtime=0) for record in variants))
    members = gzip_members(SAMPLE.read_bytes())
    damaged = [gzip.compress(record, mtime=0) for record in members]
    middle = len(damaged) // 2
    damaged[middle] = damaged[middle][:40] + bytes(b ^ 0x5A for b in damaged[middle][40:90]) + damaged[middle][90:]
    (folder / "d-damaged.warc.gz").write_bytes(b"".join(damaged))
    (folder / "e-archiveteam.warc.zst").write_bytes(warc_zstd(members, "compressed"))
    (folder / "f-plain.warc").write_bytes(b"".join(wget[:20]))
    (folder / "g-whole.warc.gz").write_bytes(gzip.compress(b"".join(variants), mtime=0))
    return folder


def summary(index: ArchiveIndex) -> dict[str, Any]:
    """Everything an index holds that a replay reads."""
    return {"entries": [astuple(entry) for entry in index.entries],
            "problems": [(p.file, p.offset, p.kind, p.message) for p in index.problems],
            "skipped": dict(index.skipped), "warcinfo": index._warcinfo, "refreshing": index.refreshing,
            "unlabelled": index.unlabelled_pages, "resolved": index.revisits_resolved,
            "later": index.revisits_answered_later, "urls": index.urls()}


@pytest.fixture(scope="module")
def serial(archive: Path) -> dict[str, Any]:
    return summary(ArchiveIndex.build_now(archive))


def test_the_mixed_archive_exercises_what_a_split_could_change(serial: dict[str, Any]) -> None:
    """Otherwise the comparison below proves little."""
    assert len(serial["entries"]) > 200
    assert {p[2] for p in serial["problems"]} == {"gzip"}
    assert serial["refreshing"] and serial["unlabelled"] and serial["resolved"] >= 2
    assert {"metadata", "conversion", "revisit-unresolved"} <= set(serial["skipped"])
    methods = {entry[6] for entry in serial["entries"]}
    assert "GET" in methods and None in methods  # paired both ways, and resources with no request
    wget = next(info for file, info in serial["warcinfo"].items() if file.endswith("b-wget.warc.gz"))
    assert wget == {"software": "Wget/1.21"}  # the warcinfo in force at the file's first response


@pytest.mark.parametrize("count", [2, 3, 5, 11])
def test_an_index_built_in_parts_is_the_serial_build(archive: Path, serial: dict[str, Any], count: int) -> None:
    files = sorted(archive.iterdir())
    plan = indexparts.parts(files, files, count)
    cut = {files[span.file].name for group in plan for span in group if span.start is not None}
    assert {"a-ours.warc.gz", "d-damaged.warc.gz"} & cut, "no file was cut: the test would prove nothing"
    assert summary(ArchiveIndex.build_now(archive, parts=count)) == serial


@pytest.mark.parametrize("name", ["f-plain.warc", "g-whole.warc.gz"])
def test_plain_and_whole_file_compressed_warcs_are_cut_too(archive: Path, name: str) -> None:
    """In their plain text (the whole-file gzip's inflated copy), like a WARC of gzip members."""
    files = [archive / name]
    sources = [read_source(archive / name)]
    plan = indexparts.parts(files, sources, 3)
    assert [span.start is not None for group in plan for span in group] == [False, True, True]
    serial = summary(ArchiveIndex.build_now(files[0]))
    assert len(serial["entries"]) > 5 and summary(ArchiveIndex.build_now(files[0], parts=3)) == serial


@pytest.mark.parametrize("name", ["a-ours.warc.gz", "b-wget.warc.gz", "d-damaged.warc.gz", "e-archiveteam.warc.zst",
                                  "f-plain.warc"])
def test_records_read_in_two_spans_are_the_records_read_whole(archive: Path, name: str) -> None:
    """At many cut points, including inside the damaged member: the record starts found (record_starts) split the
    file into spans whose records and problems, one after the other, are the whole file's, and the first span says
    its records go on where the second starts."""
    path = archive / name

    def records(start: int | None = None, end: int | None = None) -> list[tuple[Any, ...]]:
        return [(r.file, r.offset, r.kind, r.message) if isinstance(r, ArchiveProblem) else
                ("goes on", r.offset) if isinstance(r, ChainEnd) else
                (r.offset, r.rec_type, r.header("WARC-Record-ID"), r.digest_ok)
                for r in scan_records(path, False, start, end)]

    whole = records()
    size = path.stat().st_size
    cuts = record_starts(path, list(range(1, size, max(size // 40, 1))))
    assert len(set(cuts)) > 10
    for cut in sorted(set(cuts)):
        first, second = records(None, cut), records(cut)
        assert first[-1] == ("goes on", cut), f"cut at {cut}"
        assert first[:-1] + second == whole, f"cut at {cut}"


def _payload_quoting_records(count: int) -> bytes:
    """A page quoting a WARC record's text, line for line, every few hundred bytes: in a plain WARC each quote is a
    line that parses as a record header and is none."""
    quote = (b"\nWARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://quoted.example.org/\r\n"
             b"WARC-Date: 2024-01-01T00:00:00Z\r\nContent-Length: 12\r\n\r\nHTTP/1.1 200\r\n\r\n")
    return b"<html><body><pre>" + b"".join(b"quote %d" % n + quote + b"x" * 300 for n in range(count)) + b"</pre>"


def test_a_cut_at_a_payload_line_that_passes_for_a_record_is_read_on_from_the_real_record(tmp_path: Path) -> None:
    """A plain WARC whose middle is one page about WARC: every start found near the middle is a quoted record
    header inside it. The span read from there is dropped and the file read on from its next real record, so the
    steps, and the index, are the serial reading's."""
    records = _wget_records("https://plain.example.org", 12)
    about_warc = _record(b"WARC/1.1", b"response", "https://plain.example.org/about-warc",
                         _http(_payload_quoting_records(200)), b"application/http;msgtype=response")
    path = tmp_path / "about.warc"
    path.write_bytes(b"".join(records[:7]) + about_warc + b"".join(records[7:]))
    quoted_from = path.read_bytes().index(b"quote 0")
    plan = indexparts.parts([path], [path], 2)
    cut = plan[1][0].start
    assert cut is not None and quoted_from < cut < quoted_from + len(about_warc), "the cut is no quoted header"

    def steps(span: Span) -> Iterator[Any]:
        return span_steps(path, path, lambda exchange: exchange.url, False, span.start, span.end)

    split = [step for _, got in indexparts.read_in_parts(plan, steps) for step in got]
    assert split == [step for step in steps(Span(0)) if not isinstance(step, ChainEnd)]
    urls = [getattr(step, "value", None) for step in split]
    assert "https://plain.example.org/about-warc" in urls and "https://quoted.example.org/" not in urls
    assert summary(ArchiveIndex.build_now(path, parts=2)) == summary(ArchiveIndex.build_now(path))


def _damaged_plain(kind: str) -> bytes:
    records = _wget_records("https://damaged.example.org", 40)
    if kind == "torn-header":  # a record cut short mid-line in its header, running on into the next one
        records[25] = records[25][: records[25].index(b"WARC-Date") + 15]
    elif kind == "overlong-length":  # a Content-Length running past its record, without a digest to mend it
        records[30] = records[30].replace(b"Content-Length: ", b"Content-Length: 1", 1)
    elif kind == "garbage-between":
        records[15] = b"not a record\r\n" * 60 + records[15]
    elif kind == "torn-quoting-page":  # a page quoting WARC records cut in half: its quotes pass for records
        about = _record(b"WARC/1.1", b"response", "https://damaged.example.org/about-warc",
                        _http(_payload_quoting_records(60)), b"application/http;msgtype=response")
        records.insert(20, about[: len(about) // 2])
    return b"".join(records)[:-300] if kind == "cut-at-the-end" else b"".join(records)


@pytest.mark.parametrize("kind", ["torn-header", "overlong-length", "garbage-between", "torn-quoting-page",
                                  "cut-at-the-end"])
def test_a_damaged_plain_warc_built_in_any_number_of_parts_is_the_serial_build(tmp_path: Path, kind: str) -> None:
    """Damage moves where a plain WARC's records really go on (a resynchronisation, a record read past its length):
    every cut near it is confirmed or read on from the real record, so the index, problems included, is the
    serial build's."""
    path = tmp_path / f"{kind}.warc"
    path.write_bytes(_damaged_plain(kind))
    serial = summary(ArchiveIndex.build_now(path))
    assert serial["problems"] and len(serial["entries"]) >= 38
    for count in (2, 3, 5, 7, 11, 17):
        assert summary(ArchiveIndex.build_now(path, parts=count)) == serial, f"{count} parts"


def test_a_part_whose_process_fails_is_read_by_the_parent(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    parent = os.getpid()

    def read(span: Span) -> Iterator[int]:
        if os.getpid() != parent and span.file == 2:
            raise RuntimeError("disk gone")
        yield from range(span.file * 100, span.file * 100 + 5000)

    plan = [[Span(0), Span(1)], [Span(2)], [Span(3)]]
    with caplog.at_level(logging.WARNING):
        got = [(number, list(steps)) for number, steps in indexparts.read_in_parts(plan, read)]
    assert got == [(n, list(range(n * 100, n * 100 + 5000))) for n in range(4)]
    assert "read again here" in caplog.text and "part 2 of 3" in caplog.text


def test_parts_are_consecutive_and_of_about_equal_size(tmp_path: Path) -> None:
    files = []
    for number, size in enumerate([10_000, 500, 500, 80_000]):
        path = tmp_path / f"{number}.warc"  # no record starts in them: whole files are dealt
        path.write_bytes(b"x" * size)
        files.append(path)
    plan = indexparts.parts(files, files, 2)
    assert [[span.file for span in group] for group in plan] == [[0, 1, 2], [3]]
    assert indexparts.parts(files, files, 1) == [[Span(0), Span(1), Span(2), Span(3)]]


def test_a_file_that_cannot_be_read_is_not_cut_and_the_build_goes_on(archive: Path, serial: dict[str, Any],
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding record starts opens the file: one that refuses (permissions, a file removed meanwhile) is dealt whole,
    and reading it reports the problem as a serial build does."""
    def refused(path: Path, near: list[int]) -> list[int]:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(indexparts, "record_starts", refused)
    files = sorted(archive.iterdir())
    plan = indexparts.parts(files, files, 3)
    assert all(span.start is None and span.end is None for group in plan for span in group)
    assert summary(ArchiveIndex.build_now(archive, parts=3)) == serial


def test_a_small_archive_is_read_by_one_process(archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A process costs more than reading a small archive: below a MiB a part, fewer parts, down to one."""
    monkeypatch.setattr(indexparts, "MIN_PART_BYTES", 1024 * 1024)
    files = sorted(archive.iterdir())
    assert sum(path.stat().st_size for path in files) < 2 * 1024 * 1024  # room for one part only
    assert indexparts.parts(files, files, 8) == [[Span(number) for number in range(len(files))]]
