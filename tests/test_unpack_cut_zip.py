"""A ZIP or WACZ cut short before its central directory (an interrupted download or copy) is read from its members'
own headers (archive/zipscan.py): zipfile could not open it at all, and the whole crawl in it was refused."""

from __future__ import annotations

import io
import json
import random
import shutil
import struct
import zipfile
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from newscrawl import cli
from newscrawl.archive import bundles
from newscrawl.archive.budget import Budget, UnpackLimits
from newscrawl.archive.bundles import zip_member_time
from newscrawl.archive.findings import Findings, UnreadableBundle
from newscrawl.archive.replay import ReplaySource
from newscrawl.archive.members import extract_members
from newscrawl.archive.unpack import replay_root
from newscrawl.archive.zipdirectory import open_zip
from tests.test_archive_bundles import SAVED_AT, articles, budget, damage, replay, saved_pages
from tests.test_unpack import SAMPLE, WARC, damaged_input, relative, zipped
from tests.test_unpack import damage as damage_of
from tests.test_unpack import replay as replay_devdiscourse

CUT = ("no central directory follows (the end of the file is missing: an interrupted download or copy?); each file "
       "before the cut was read from its own header")
UT = struct.pack("<HHBl", 0x5455, 5, 1, SAVED_AT)
"""Info-ZIP's extended timestamp: the time the pages were saved, which each extracted page must keep."""
NOISE = random.Random(7).randbytes(4000)
"""Bytes deflate cannot shrink, so a member's data is long enough to be cut inside."""


def data_at(archive: Path, member: str) -> int:
    """Where `member`'s data starts in the intact `archive` (after its local header)."""
    raw = archive.read_bytes()
    with zipfile.ZipFile(archive) as opened:
        at = opened.getinfo(member).header_offset
    name: int
    extra: int
    name, extra = struct.unpack("<HH", raw[at + 26:at + 30])
    return at + 30 + name + extra


def target_at(offset: int) -> str:
    """The WARC-Target-URI of the record at `offset` of the sample WARC."""
    with SAMPLE.open("rb") as stream:
        iterator = ArchiveIterator(stream)
        for record in iterator:
            if iterator.get_record_offset() == offset:
                return str(record.rec_headers.get_header("WARC-Target-URI"))
    raise AssertionError(f"no record at offset {offset} of {SAMPLE}")


def cut(archive: Path, at: int, to: Path) -> Path:
    """The first `at` bytes of `archive` (all but the last -`at`), as a download stopped there leaves them."""
    to.parent.mkdir(parents=True, exist_ok=True)
    to.write_bytes(archive.read_bytes()[:at])
    return to


def zipped_pages(folder: Path, to: Path) -> Path:
    """The pages of `folder` and their sidecars, deflated with Info-ZIP's times, the largest page last."""
    files = sorted(folder.iterdir(), key=lambda file: (file.suffix == ".html", file.stat().st_size))
    with zipfile.ZipFile(to, "w") as archive:
        for file in files:
            info = zipfile.ZipInfo(f"pages/{file.name}", date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type, info.extra = zipfile.ZIP_DEFLATED, UT
            archive.writestr(info, file.read_bytes())
    return to


def test_a_wacz_cut_inside_its_warc_replays_every_record_before_the_cut(tmp_path: Path) -> None:
    """The WARC the cut fell in is kept up to the cut: the replay gives what the same WARC cut by hand gives, and
    one line naming the WACZ tells the cut and the record it cut, as the WARC reader tells that record (it was a
    line of its own: two lines for one damage). Both facts are counted: the archive's end lost, a record lost."""
    whole = zipped(tmp_path / "whole.wacz", {WARC: SAMPLE.read_bytes(), "datapackage.json": b"{}"})
    half = len(SAMPLE.read_bytes()) // 2
    source = cut(whole, data_at(whole, WARC) + half, tmp_path / "downloads" / "crawl.wacz")
    by_hand = tmp_path / "by-hand" / SAMPLE.name
    by_hand.parent.mkdir()
    by_hand.write_bytes(SAMPLE.read_bytes()[:half])

    result, expected = (replay_devdiscourse(tmp_path, path, name) for path, name in ((source, "cut"),
                                                                                    (by_hand, "by-hand")))
    items = result.feed_items("out.jsonl")
    assert damaged_input(result) and 0 < len(items) < 41, result.log[-3000:]
    assert [(item["url"], item["body"], item["provenance"]["archive"]) for item in items] == [
        (item["url"], item["body"], item["provenance"]["archive"]) for item in expected.feed_items("out.jsonl")]
    (report,) = (result.workdir / "output" / "devdiscourse").glob("*.replay.report.json")
    (by_hand_report,) = (expected.workdir / "output" / "devdiscourse").glob("*.replay.report.json")
    (lost,) = json.loads(by_hand_report.read_text())["damaged_inputs"]
    (uri,) = [problem.uri for problem in ReplaySource(by_hand).problems]  # what the reader read of its header
    assert uri == target_at(lost["offset"])
    line = (f"cut short after 0 files, inside {WARC} (its first {half} bytes kept, up to the cut): {CUT}; cut with "
            f"it: the record of {uri} at offset {lost['offset']} of {WARC} ({lost['error']})")
    assert lost["kind"] == "truncated" and result.log.count("Damaged input") == 1
    assert f"Damaged input {source} at offset 0 (unpack): {line}" in result.log
    assert [(d["file"], d["offset"], d["kind"], d["error"]) for d in json.loads(report.read_text())[
        "damaged_inputs"]] == [(str(source), 0, "unpack", line)]
    assert [result.stat(f"newscrawl/replay/archive_problems{kind}") for kind in ("", "/unpack", "/truncated")] == [
        1, 1, 1]
    assert cli.main(["verify", str(result.workdir / "out.jsonl"), "--archive", str(source), "-q"]) == 0


def test_a_pages_zip_cut_in_its_third_page_gives_the_first_two_alone_in_a_folder_and_in_parallel(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cut page is not extracted (half a page is not the article); the pages before it are, with their own
    times, so they give the articles their saved folder gives; the same feed with -a jobs=2. In a folder, beside
    good pages, the cut ZIP costs only its cut page."""
    folder = saved_pages(tmp_path / "pages")
    whole = zipped_pages(folder, tmp_path / "whole.zip")
    with zipfile.ZipFile(whole) as archive:
        last = archive.infolist()[-1].filename
    source = cut(whole, data_at(whole, last) + 100, tmp_path / "downloads" / "pages.zip")
    lost = Path(last).stem
    before_cut = tmp_path / "before-cut"
    before_cut.mkdir()
    for file in folder.iterdir():
        if file.stem != lost:
            shutil.copy2(file, before_cut / file.name)  # with its time, as the ZIP keeps it
    kept = articles(replay(tmp_path, before_cut, "before-cut"))

    alone, parallel = (replay(tmp_path, source, name, *args) for name, args in (("alone", ()),
                                                                                 ("jobs", ("-a", "jobs=2"))))
    line = (f"Damaged input {source} at offset 0 (unpack): cut short after 5 files, inside {last} (not extracted: a "
            f"file cut short is not the file): {CUT}")
    for result in (alone, parallel):
        assert result.stat("newscrawl/run_status") == "damaged-input" and line in result.log, result.log[-3000:]
    assert len(articles(alone)) == 2 and articles(alone) == kept
    assert (alone.workdir / "out.jsonl").read_bytes() == (parallel.workdir / "out.jsonl").read_bytes()
    assert cli.main(["verify", str(alone.workdir / "out.jsonl"), "--archive", str(source), "-q"]) == 0

    monkeypatch.setenv("NEWSCRAWL_PLAIN_CACHE", str(tmp_path / "cache"))
    beside = tmp_path / "delivery"
    beside.mkdir()
    (beside / "good.html").write_bytes(b"<html><head><title>Good</title></head><body><p>kept</p></body></html>")
    cut(whole, data_at(whole, last) + 100, beside / "pages.zip")
    root = replay_root(beside, UnpackLimits())
    assert relative(root) == ["good.html", *(f"pages.zip/{name}" for name in sorted(
        f"pages/{file.name}" for file in folder.iterdir() if not file.name.startswith(lost + ".h")))]
    assert damage_of(root) == [f"{beside}/pages.zip: cut short after 5 files, inside {last} (not extracted: a file "
                               f"cut short is not the file): {CUT}"]


class _Pipe(io.RawIOBase):
    """A stream zipfile cannot seek in: it writes each member's sizes in a data descriptor after it."""

    def __init__(self) -> None:
        self.written = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.written += data
        return len(data)


def streamed(to: Path, pages: dict[str, bytes], zip64: bool = False, signed: bool = True) -> Path:
    """`pages` written by zipfile to a stream it cannot seek in: each with flag bit 3, its CRC and sizes in a data
    descriptor after it (without the descriptors' optional signature unless `signed`); b.html stored, the others
    deflated."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w") as archive:
        for name, page in pages.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 12, 7, 8, 30, 0))
            info.compress_type = zipfile.ZIP_STORED if name == "b.html" else zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=zip64) as member:
                member.write(page)
    to.write_bytes(bytes(pipe.written) if signed else bytes(pipe.written).replace(b"PK\x07\x08", b""))
    return to


@pytest.mark.parametrize(("zip64", "signed"), [(False, True), (True, True), (False, False), (True, False)],
                         ids=["descriptor", "zip64-descriptor", "unsigned", "unsigned-zip64"])
def test_members_with_a_data_descriptor_are_recovered_deflated_or_stored(tmp_path: Path, zip64: bool,
                                                                         signed: bool) -> None:
    pages = {"a.html": NOISE[:3000] + b"<p>text</p>" * 500, "b.html": b"<p>stored</p>" * 400,
             "c.html": NOISE[3000:] + b"<p>last</p>" * 900}
    whole = streamed(tmp_path / "streamed.zip", pages, zip64, signed)
    with zipfile.ZipFile(whole) as archive:
        assert all(member.flag_bits & 0x08 for member in archive.infolist())
        times = {member.filename: zip_member_time(member) for member in archive.infolist()}
    raw = whole.read_bytes()
    for at, extracted, message in ((raw.index(b"PK\x01\x02"), 3, f"cut short after 3 files: {CUT}"),
                                   (raw.rindex(b"PK\x03\x04") + 200, 2, "cut short after 2 files, inside c.html (not "
                                    f"extracted: a file cut short is not the file): {CUT}")):
        source = cut(whole, at, tmp_path / f"cut-{at}.zip")
        found, into = Findings(), tmp_path / f"into-{at}"
        assert bundles.extract(source, into, found, budget(source)) == extracted
        assert {file.name: file.read_bytes() for file in into.iterdir()} == dict(list(pages.items())[:extracted])
        assert {file.name: file.stat().st_mtime for file in into.iterdir()} == {
            name: times[name] for name in list(pages)[:extracted]}
        assert damage(found) == [f"{source}: {message}"]


def test_an_encrypted_member_or_an_unknown_method_costs_itself_and_a_file_that_is_no_zip_is_refused(
        tmp_path: Path) -> None:
    whole = zipped(tmp_path / "whole.zip", {"locked.html": b"<p>a</p>", "odd.html": b"<p>b</p>",
                                            "fine.html": b"<p>c</p>"})
    raw = bytearray(whole.read_bytes())
    with zipfile.ZipFile(whole) as archive:
        locked, odd = (archive.getinfo(name).header_offset for name in ("locked.html", "odd.html"))
    raw[locked + 6] |= 0x01  # encrypted (flag bit 0)
    raw[odd + 8:odd + 10] = struct.pack("<H", 97)  # a compression method no one knows
    source = tmp_path / "cut.zip"
    source.write_bytes(bytes(raw[:raw.index(b"PK\x01\x02")]))
    found, into = Findings(), tmp_path / "into"
    assert bundles.extract(source, into, found, budget(source)) == 1
    assert relative(into) == ["fine.html"]
    assert damage(found) == [  # zipfile's own refusals, one line each, as for an intact ZIP
        f"{source}/locked.html: not extracted: File <ZipInfo filename='locked.html' file_size=8> is encrypted, "
        "password required for extraction",
        f"{source}/odd.html: not extracted: That compression method is not supported",
        f"{source}: cut short after 3 files: {CUT}"]

    for name, data in (("no.zip", b"cut short"), ("header.zip", bytes(raw[:20]))):
        (tmp_path / name).write_bytes(data)
        with pytest.raises(UnreadableBundle, match=f"^{tmp_path / name}: not a readable ZIP file: File is not a "
                                                   "zip file"):
            bundles.extract(tmp_path / name, tmp_path / f"{name}-into", Findings(), budget(tmp_path / name))


def test_a_cut_member_never_outgrows_the_budget(tmp_path: Path) -> None:
    """A WACZ's cut WARC is kept only within what the WACZ may unpack to, as a whole one is."""
    whole = zipped(tmp_path / "bomb.wacz", {WARC: b"\0" * (4 << 20)}, deflated=(WARC,))
    source = cut(whole, data_at(whole, WARC) + 1000, tmp_path / "cut.wacz")
    with pytest.raises(UnreadableBundle, match="more than the archive may unpack to"):
        replay_root(source, UnpackLimits(2, 0))

    # a bomb whose end only inflating it tells (flag bit 3) is not inflated past the budget to find it
    bomb = b"\0" * (8 << 20)
    source = cut(streamed(tmp_path / "streamed.zip", {"a.html": b"<p>before</p>", "bomb.html": bomb,
                                                      "c.html": b"<p>after</p>"}), -10, tmp_path / "streamed-cut.zip")
    found = Findings()
    assert bundles.extract(source, tmp_path / "into", found, Budget(UnpackLimits(2, 0), source.stat().st_size)) == 1
    assert damage(found) == [f"{source}: not read past 1 files, inside bomb.html: it inflates to more than "
                             f"{2 * source.stat().st_size} bytes, more than the archive may unpack to, so nothing "
                             "after it was read"]
    assert bundles.extract(source, tmp_path / "whole", Findings(), budget(source)) == 3


@pytest.mark.parametrize(("zip64", "signed"), [(False, True), (True, True), (False, False), (True, False)],
                         ids=["descriptor", "zip64-descriptor", "unsigned", "unsigned-zip64"])
def test_a_stored_member_cut_inside_its_data_descriptor_is_kept_byte_exact_or_whole(tmp_path: Path, zip64: bool,
                                                                                  signed: bool) -> None:
    """Only its descriptor tells where a stored member with flag bit 3 ends: a cut inside that descriptor left up to
    15 (ZIP64: 23) of its bytes at the end of the member kept up to the cut, a WACZ's WARC. What is kept is the
    member's own bytes; once the cut leaves its whole CRC, and the CRC matches, the member is whole."""
    pages = {"a.html": NOISE[:3000], "b.html": NOISE[1000:] + b"PK\x07"}  # b.html stored, last, ending as a signature
    whole = streamed(tmp_path / "streamed.zip", pages, zip64, signed)
    raw = whole.read_bytes()
    data_end = raw.index(b"PK\x01\x02") - (4 if signed else 0) - (20 if zip64 else 12)
    assert raw[data_end - len(pages["b.html"]):data_end] == pages["b.html"]
    crc_in = 8 if signed else 4  # bytes of the descriptor up to the end of its CRC
    for into_descriptor in range(-3, (24 if zip64 else 16) - (0 if signed else 4)):
        source = cut(whole, data_end + into_descriptor, tmp_path / f"cut-{into_descriptor}.zip")
        found, into = Findings(), tmp_path / f"into-{into_descriptor}"
        with open_zip(source, 1 << 30) as archive:
            written = extract_members(archive, into, found, budget(source), str(source), lambda member: True,
                                      lambda member, target: None, "files", keep_cut=True)
        kept = (into / "b.html").read_bytes()
        assert pages["b.html"].startswith(kept), into_descriptor  # never a byte of the descriptor
        if into_descriptor >= crc_in:
            assert (kept, written.written, damage(found)) == (pages["b.html"], 2, [f"{source}: cut short after 2 "
                                                                                  f"files: {CUT}"]), into_descriptor
        else:
            assert written.written == 2 and len(kept) >= len(pages["b.html"]) - 3, into_descriptor
            assert damage(found) == [f"{source}: cut short after 1 files, inside b.html (its first {len(kept)} bytes "
                                     f"kept, up to the cut): {CUT}"], into_descriptor


def test_a_cut_wacz_in_a_zip_in_a_folder_is_one_line_naming_it_and_the_record_it_lost(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nested, the cut WACZ is named inside its ZIP, and so is the record its cut lost; a damaged record before the
    cut is a damage of its own, a line of its own."""
    monkeypatch.setenv("NEWSCRAWL_PLAIN_CACHE", str(tmp_path / "cache"))
    warc = bytearray(SAMPLE.read_bytes())
    warc[200:210] = b"\0" * 10  # the first record's gzip member is damaged: one problem, before the cut
    whole = zipped(tmp_path / "whole.wacz", {WARC: bytes(warc)})
    half = len(warc) // 2
    wacz = cut(whole, data_at(whole, WARC) + half, tmp_path / "crawl.wacz")
    delivery = tmp_path / "delivery"
    zipped(delivery / "delivery.zip", {"crawl.wacz": wacz.read_bytes()})
    by_hand = tmp_path / "by-hand" / SAMPLE.name
    by_hand.parent.mkdir()
    by_hand.write_bytes(bytes(warc[:half]))

    source = ReplaySource(replay_root(delivery, UnpackLimits()))
    alone = ReplaySource(by_hand)
    (first, lost) = alone.problems
    inside = f"{delivery}/delivery.zip/crawl.wacz"
    assert lost.kind == "truncated" and first.kind != "truncated"
    assert [(problem.file, problem.offset, problem.kind, problem.message) for problem in source.problems] == [
        (f"{inside}/{WARC}", first.offset, first.kind, first.message),
        (inside, 0, "unpack", f"cut short after 0 files, inside {WARC} (its first {half} bytes kept, up to the cut): "
                              f"{CUT}; cut with it: the record of {lost.uri} at offset {lost.offset} of {WARC} "
                              f"({lost.message})")]
    assert lost.uri == target_at(lost.offset) and "\n" not in source.problems[-1].message
    assert source.told_within == {"truncated": 1}


@pytest.mark.parametrize(("zip64", "signed"), [(False, True), (True, True), (False, False), (True, False)],
                         ids=["descriptor", "zip64-descriptor", "unsigned", "unsigned-zip64"])
def test_a_deflated_member_cut_inside_its_data_descriptor_is_whole_once_its_crc_is_there_and_matches(
        tmp_path: Path, zip64: bool, signed: bool) -> None:
    """Its deflate stream tells where a deflated member with flag bit 3 ends, so a cut inside its descriptor left
    its data whole, yet it was reported cut, and a bundle did not extract the page. Once the cut leaves the
    descriptor's whole CRC, and the CRC matches what the stream inflates to, it is whole; a CRC that does not match,
    or is not all there, leaves it cut."""
    pages = {"a.html": NOISE[:3000], "b.html": b"<p>stored</p>" * 400, "c.html": NOISE[3000:] + b"<p>last</p>" * 90}
    whole = streamed(tmp_path / "streamed.zip", pages, zip64, signed)
    raw = whole.read_bytes()
    length = (4 if signed else 0) + (20 if zip64 else 12)
    data_end = raw.index(b"PK\x01\x02") - length
    crc_in = 8 if signed else 4  # bytes of the descriptor up to the end of its CRC
    wrong = bytearray(raw)
    wrong[crc_in - 4 + data_end] ^= 0xFF  # the descriptor's CRC, not the data's
    for into_descriptor in range(length):
        for name, bytes_ in (("right", raw), ("wrong", bytes(wrong))):
            source = tmp_path / f"{name}-{into_descriptor}.zip"
            source.write_bytes(bytes_[:data_end + into_descriptor])
            found, into = Findings(), tmp_path / f"into-{name}-{into_descriptor}"
            extracted = bundles.extract(source, into, found, budget(source))
            if into_descriptor >= crc_in and name == "right":
                assert (extracted, (into / "c.html").read_bytes(), damage(found)) == (
                    3, pages["c.html"], [f"{source}: cut short after 3 files: {CUT}"]), into_descriptor
            else:
                assert (extracted, relative(into), damage(found)) == (2, ["a.html", "b.html"], [
                    f"{source}: cut short after 2 files, inside c.html (not extracted: a file cut short is not the "
                    f"file): {CUT}"]), (name, into_descriptor)
