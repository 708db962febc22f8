"""Damage anywhere in an ARC file costs only the records it touches (property-based).

What the reader promises (arc.scan_arc): an ARC file (the Internet Archive's format before WARC), plain or with a
gzip member per record as the format has it, is read record by record; damage ends a record, one problem naming
where, and the reading resumes at the next record: at the next gzip member whose record header parses, or in a
plain file at the next line that reads as an ARC header line. So, whatever one to three runs of bytes suffered
(tests/test_archive_damage.py: flipped, zeroed, deleted, inserted, or the file cut there), reading it raises
nothing, and every record that lies wholly outside the damage comes out, its URL and page as written, and is read
again at its offset as the replay reads it (read_at).

A record is its header line, its HTTP response and the newline after it; a gzipped one is its member. In a plain
file a record is found by its header line starting a line: one whose newline before it (the record before's last
byte) is damaged too is found only when the damage left a line break before it, so a plain record is promised when
its bytes and that newline are untouched. A version 2
file's records are read in the version its filedesc block names (their header lines have ten fields where version
1's have five), so in such a file the filedesc block is part of every record. An ARC keeps no checksum of a record,
so a record the damage touched may come out with bytes not its own (as a tar's member: tests/test_bundle_damage.py).
An ARC gzipped whole is one gzip stream, which cannot be resumed after damage: tests/test_foreign_archives.py reads
it whole; its damage ends it.
"""

from __future__ import annotations

import gzip
import os
import random
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
import pytest

from newscrawl.archive.warc import ArchivedExchange, ArchiveProblem, iter_archive, read_at
from tests.test_archive_damage import DAMAGES_APART, apply_damages, untouched

Damages = list[tuple[str, float, int, bytes]]
EXAMPLES = int(os.environ.get("NEWSCRAWL_FUZZ_EXAMPLES", "120"))
"""Examples per property: few enough for CI; ``NEWSCRAWL_FUZZ_EXAMPLES=5000 pytest --hypothesis-seed=N`` hunts."""
LINES = {1: b"%s 127.0.0.1 20140216050221 %s %d\n", 2: b"%s 127.0.0.1 20140216050221 %s 200 8d9a2f - 0 old.arc %d\n"}
DESCRIPTIONS = {1: b"1 0 LiveWeb Capture\nURL IP-address Archive-date Content-type Archive-length\n",
                2: b"2 0 Alexa Internet\nURL IP-address Archive-date Content-type Result-code Checksum Location "
                   b"Offset Filename Archive-length\n"}


def page(number: int) -> bytes:
    """A page long enough for damage to land inside, and unlike the others."""
    return (f"<html><body><p>story {number}</p><p>{random.Random(number).randbytes(150).hex()}</p></body></html>"
            .encode())


def url(number: int) -> str:
    return f"http://news.example/story-{number}"


def arc_records(count: int, version: int) -> list[bytes]:
    """An ARC file's records, each whole: the filedesc block, then `count` pages (ARC spec, version 1 or 2)."""
    line = LINES[version]
    records = [line % (b"filedesc://old.arc", b"text/plain", len(DESCRIPTIONS[version])) + DESCRIPTIONS[version]
               + b"\n"]
    for number in range(count):
        http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s" % (
            len(page(number)), page(number))
        records.append(line % (url(number).encode(), b"text/html", len(http)) + http + b"\n")
    return records


def laid_out(records: list[bytes], gzipped: bool) -> tuple[bytes, list[tuple[int, int]]]:
    """The file's bytes, a gzip member per record or plain, and each record's span in them."""
    pieces = [gzip.compress(record, mtime=0) for record in records] if gzipped else records
    spans, at = [], 0
    for piece in pieces:
        spans.append((at, at + len(piece)))
        at += len(piece)
    return b"".join(pieces), spans


@settings(max_examples=EXAMPLES, deadline=None, derandomize="NEWSCRAWL_FUZZ_EXAMPLES" not in os.environ,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(gzipped=st.booleans(), version=st.sampled_from([1, 2]), damages=DAMAGES_APART)
def test_damage_in_an_arc_file_costs_only_the_records_it_touches(
        tmp_path_factory: pytest.TempPathFactory, gzipped: bool, version: int, damages: Damages) -> None:
    data, spans = laid_out(arc_records(5, version), gzipped)
    assume(not any(damage == "insert" and where * len(data) < 1 and filler.startswith(b"\x1f\x8b")
                   for damage, where, _, filler in damages))  # gzip's magic in front: another file (WARC's test)
    damaged, damage = apply_damages(data, damages)
    path = tmp_path_factory.mktemp("arc") / ("old.arc.gz" if gzipped else "old.arc")
    path.write_bytes(damaged)

    items = list(iter_archive(path))
    assert all(isinstance(item, (ArchivedExchange, ArchiveProblem)) for item in items)
    pages = {item.url: item.body for item in items if isinstance(item, ArchivedExchange)}
    offsets = {item.url: item.offset for item in items if isinstance(item, ArchivedExchange)}
    needs_filedesc = version == 2 and not untouched(*spans[0], damage)
    for number, (start, end) in enumerate(spans[1:]):
        if untouched(start - (0 if gzipped else 1), end, damage) and not needs_filedesc:
            assert pages.get(url(number)) == page(number), f"record {number} at {start} lost or changed by {damages}"
            assert read_at(path, offsets[url(number)]).body == page(number), f"record {number} not read again"


def scanned(tmp_path: Path, name: str, data: bytes) -> tuple[dict[str, bytes], list[ArchiveProblem]]:
    path = tmp_path / name
    path.write_bytes(data)
    items = list(iter_archive(path))
    return ({item.url: item.body for item in items if isinstance(item, ArchivedExchange)},
            [item for item in items if isinstance(item, ArchiveProblem)])


def test_a_damaged_gzip_member_of_an_arc_file_costs_only_its_record(tmp_path: Path) -> None:
    """Damage in one record's gzip member ended the file: every record after it was lost. The reading resumes at
    the next member whose record header parses, as in a WARC."""
    data, spans = laid_out(arc_records(4, 1), gzipped=True)
    at = (spans[2][0] + spans[2][1]) // 2
    pages, problems = scanned(tmp_path, "old.arc.gz", data[:at] + bytes(8) + data[at + 8:])
    assert pages == {url(number): page(number) for number in (0, 2, 3)}
    assert len(problems) == 1 and f"resumed at offset {spans[3][0]}" in problems[0].message


def test_a_plain_arc_record_that_lost_bytes_does_not_swallow_the_next(tmp_path: Path) -> None:
    """A plain ARC record that lost bytes reads, by its length, on into the next record; the reading went on from
    there, in the middle of a page, and ended. A record whose length does not end where a newline and the next
    record follow is damaged, and the reading resumes at the next header line after its own."""
    data, spans = laid_out(arc_records(4, 1), gzipped=False)
    at = (spans[2][0] + spans[2][1]) // 2
    pages, problems = scanned(tmp_path, "old.arc", data[:at] + data[at + 2:])
    assert pages == {url(number): page(number) for number in (0, 2, 3)}
    assert [problem.offset for problem in problems] == [spans[2][0]]


def test_a_version_2_arc_file_whose_filedesc_block_is_damaged_keeps_its_records(tmp_path: Path) -> None:
    """The version of a file's header lines was read from its filedesc block alone: with that block damaged, each
    version 2 line (ten fields) was read as version 1's five, every page under a URL with five fields glued on.
    A line's fields tell its version."""
    data, spans = laid_out(arc_records(3, 2), gzipped=True)
    pages, problems = scanned(tmp_path, "old.arc.gz", data[:20] + bytes(4) + data[24:])
    assert pages == {url(number): page(number) for number in range(3)}
    assert [problem.offset for problem in problems] == [0]


def test_an_arc_length_of_too_many_digits_is_damage_not_a_crash(tmp_path: Path) -> None:
    """A length field of more digits than a read can take raised OverflowError out of the reading."""
    records = arc_records(3, 1)
    records[2] = records[2].replace(b"text/html ", b"text/html 99999999999999999999", 1)
    data, _ = laid_out(records, gzipped=True)
    pages, problems = scanned(tmp_path, "old.arc.gz", data)
    assert pages == {url(number): page(number) for number in (0, 2)}
    assert len(problems) == 1


def test_each_record_of_an_arc_file_whose_filedesc_block_is_damaged_is_read_again_at_its_offset(
        tmp_path: Path) -> None:
    """The replay reads each page again at its offset (read_at): that reading first read the filedesc block, for
    the file's version, and with that block damaged it refused every record the scan had found."""
    data, _ = laid_out(arc_records(3, 2), gzipped=True)
    path = tmp_path / "old.arc.gz"
    path.write_bytes(data[:20] + bytes(4) + data[24:])
    exchanges = [item for item in iter_archive(path) if isinstance(item, ArchivedExchange)]
    assert [exchange.url for exchange in exchanges] == [url(number) for number in range(3)]
    for exchange in exchanges:
        again = read_at(path, exchange.offset)
        assert (again.url, again.body, again.record_id) == (exchange.url, exchange.body, exchange.record_id)
