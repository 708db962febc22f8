"""Damage anywhere in a ZIP, WACZ or tar bundle costs only the members it touches (property-based).

A bundle met in the wild was cut by an interrupted download, bit-flipped by a bad disk, padded or shortened by a
broken copy. Whatever one to three runs of bytes suffered (tests/test_archive_damage.py: flipped, zeroed, deleted,
inserted, or the file cut there), unpacking it (nested.unpack, what replay_root runs for each archive) raises
nothing but UnreadableBundle, and that only when no member at all lies outside the damage; every member that does
comes out whole, with its own bytes, and no member comes out with bytes that are not its own:

* a ZIP or WACZ: a member is its local header, data and data descriptor; the central directory is no member's, so
  damage there costs none (each is read from its local header, zipscan.py). A WACZ's WARC cut by the end of the
  file is kept up to the cut (members.py keep_cut): it is the one member allowed to come out with bytes not its
  own, since damage before the cut is kept with them, and a stored WARC whose data descriptor is damaged too has no
  end that can be told, so it runs to the cut (its records are read one by one, each checked by its digest, when
  replayed: tests/test_archive_damage.py);
* a tar: a member is its header blocks and data blocks; the end-of-archive blocks are no member's. A tar keeps no
  checksum of a member's data (its header's covers the header alone), so damage inside the data is not seen, and the
  member comes out with it: what is promised of a plain tar is the members outside the damage;
* a compressed tar is one deflate stream, read in order: damage costs the member it falls in and every member after
  it, since no reader finds its way back into a deflate stream after damage (gzip -d and tar stop there too). What
  is promised is the members whose compressed bytes all come before the first damage (the test's stream is flushed
  at each member's end, Z_FULL_FLUSH, only so that it knows where they end). Its CRC covers the whole stream and is
  checked at its end, after the members before are written: damage the deflate stream does not refuse (in a stored
  block) is in the member it falls in, as in a plain tar.
"""

from __future__ import annotations

import io
import os
import random
import struct
import tarfile
import zipfile
import zlib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import pytest

from newscrawl.archive import nested
from newscrawl.archive.budget import Budget, UnpackLimits
from newscrawl.archive.findings import Findings, UnreadableBundle
from tests.test_archive_damage import DAMAGES_APART, apply_damages, untouched
from tests.test_archive_warc import write_archive

Damages = list[tuple[str, float, int, bytes]]
EXAMPLES = int(os.environ.get("NEWSCRAWL_FUZZ_EXAMPLES", "120"))
"""Examples per property: few enough for CI; ``NEWSCRAWL_FUZZ_EXAMPLES=5000 pytest --hypothesis-seed=N`` hunts."""
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize="NEWSCRAWL_FUZZ_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.function_scoped_fixture])


def page(number: int) -> bytes:
    """A saved page, part of it random so that deflate keeps it long enough for damage to land inside."""
    noise = random.Random(number).randbytes(300 + 200 * number).hex()
    return f"<html><head><title>Story {number}</title></head><body><p>{noise}</p></body></html>".encode()


PAGES = {f"pages/story-{number}.html": page(number) for number in range(5)}


def _warcs() -> dict[str, bytes]:
    import tempfile

    found = {}
    with tempfile.TemporaryDirectory() as folder:
        for number in range(3):
            where = Path(folder) / str(number)
            where.mkdir()
            refs = write_archive(where, number + 1, prefix=f"crawl{number}")
            found[f"archive/data-{number}.warc.gz"] = Path(refs[0].file).read_bytes()
    return found


WARCS = _warcs()


def zipped(members: dict[str, bytes], streamed: bool, stored: bool = False) -> tuple[bytes, dict[str, tuple[int, int]]]:
    """A ZIP of `members` and each member's span [local header, end of its data or descriptor). `streamed`: written
    where zipfile cannot seek back, so each member's sizes and CRC follow its data in a data descriptor."""
    sink = io.BytesIO()
    if streamed:
        class Unseekable(io.RawIOBase):
            def writable(self) -> bool:
                return True

            def write(self, data: bytes) -> int:  # type: ignore[override]
                return sink.write(data)

        target: io.RawIOBase | io.BytesIO = Unseekable()
    else:
        target = sink
    with zipfile.ZipFile(target, "w") as archive:
        for number, (name, data) in enumerate(members.items()):
            method = zipfile.ZIP_STORED if stored or number % 2 else zipfile.ZIP_DEFLATED
            archive.writestr(zipfile.ZipInfo(name, (2026, 12, 7, 8, 30, 0)), data, compress_type=method)
    raw = sink.getvalue()
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        starts = [member.header_offset for member in archive.infolist()]
        central = struct.unpack("<I", raw[raw.rindex(b"PK\x05\x06") + 16:][:4])[0]
    ends = starts[1:] + [central]
    return raw, {name: (start, end) for name, start, end in zip(members, starts, ends)}


def tarred(members: dict[str, bytes]) -> tuple[bytes, dict[str, tuple[int, int]]]:
    """A tar of `members` and each member's span [its header, the end of its data blocks)."""
    sink = io.BytesIO()
    with tarfile.open(fileobj=sink, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 1765000000
            archive.addfile(info, io.BytesIO(data))
    raw = sink.getvalue()
    with tarfile.open(fileobj=io.BytesIO(raw)) as archive:
        starts = [member.offset for member in archive.getmembers()]
        last = archive.getmembers()[-1]
    ends = starts[1:] + [last.offset_data + -(-last.size // tarfile.BLOCKSIZE) * tarfile.BLOCKSIZE]
    return raw, {name: (start, end) for name, start, end in zip(members, starts, ends)}


def gzipped_by_member(raw: bytes, spans: dict[str, tuple[int, int]]) -> tuple[bytes, dict[str, tuple[int, int]]]:
    """`raw` (a tar) as gzip, flushed at each member's end, and each member's span in the gzip file: from before the
    file's first byte (a stream read in order reaches no member but through every byte before it, and bytes put in
    front of it make it no gzip) to its flush."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    out, at, ends = [header], 0, {}
    for name, (_, end) in spans.items():
        out.append(compressor.compress(raw[at:end]) + compressor.flush(zlib.Z_FULL_FLUSH))
        ends[name] = sum(map(len, out))
        at = end
    out.append(compressor.compress(raw[at:]) + compressor.flush())
    out.append(struct.pack("<II", zlib.crc32(raw), len(raw) & 0xFFFFFFFF))
    return b"".join(out), {name: (-1, end) for name, end in ends.items()}


def unpacked(tmp: Path, name: str, data: bytes) -> tuple[dict[str, bytes] | None, Findings]:
    """The files unpacking `data`, saved as `name`, gives (by their names in it), or None when it is refused."""
    path = tmp / name
    path.write_bytes(data)
    into, found = tmp / "into", Findings()
    try:
        nested.unpack(path, into, found, Budget(UnpackLimits(), len(data)), name)
    except UnreadableBundle as error:
        assert "\n" not in str(error) and str(error).startswith(f"{name}: ")
        return None, found
    files = {file.relative_to(into).as_posix(): file.read_bytes() for file in into.rglob("*") if file.is_file()}
    return files, found


def check(files: dict[str, bytes] | None, members: dict[str, bytes], spans: dict[str, tuple[int, int]],
          damage: list[tuple[int, int]], damages: Damages, kept_cut: bool = False,
          checksummed: bool = True) -> None:
    """Every member of `spans` untouched by `damage` in `files`, with its own bytes; and, where the archive keeps
    a checksum of each member's data (`checksummed`: a ZIP's CRC, a gzip's), no member with bytes not its own."""
    whole = [name for name, (start, end) in spans.items() if untouched(start, end, damage)]
    if files is None:
        assert not whole, f"refused whole, though {whole} lie outside {damages}"
        return
    for name in whole:
        assert files.get(name) == members[name], f"{name} lost or changed by {damages}"
    for name, data in files.items() if checksummed else ():
        if name in members and data != members[name]:  # a WACZ's WARC kept up to the cut (module docstring)
            assert kept_cut, f"{name} came out with bytes not its own"


@SETTINGS
@given(streamed=st.booleans(), damages=DAMAGES_APART)
def test_damage_in_a_zip_of_pages_costs_only_the_members_it_touches(
        tmp_path_factory: pytest.TempPathFactory, streamed: bool, damages: Damages) -> None:
    raw, spans = zipped(PAGES, streamed)
    damaged, damage = apply_damages(raw, damages)
    files, _ = unpacked(tmp_path_factory.mktemp("zip"), "pages.zip", damaged)
    check(files, PAGES, spans, damage, damages)


@SETTINGS
@given(streamed=st.booleans(), damages=DAMAGES_APART)
def test_damage_in_a_wacz_costs_only_the_warcs_it_touches(
        tmp_path_factory: pytest.TempPathFactory, streamed: bool, damages: Damages) -> None:
    members = {"datapackage.json": b'{"profile": "data-package", "wacz_version": "1.1.1"}', **WARCS,
               "pages/pages.jsonl": b'{"format": "json-pages-1.0"}\n'}
    raw, spans = zipped(members, streamed, stored=True)
    damaged, damage = apply_damages(raw, damages)
    files, _ = unpacked(tmp_path_factory.mktemp("wacz"), "crawl.wacz", damaged)
    warcs = {name: spans[name] for name in WARCS}
    check(files, members, warcs, damage, damages, kept_cut=True)


@SETTINGS
@given(damages=DAMAGES_APART)
def test_damage_in_a_tar_of_pages_costs_only_the_members_it_touches(
        tmp_path_factory: pytest.TempPathFactory, damages: Damages) -> None:
    raw, spans = tarred(PAGES)
    damaged, damage = apply_damages(raw, damages)
    files, _ = unpacked(tmp_path_factory.mktemp("tar"), "pages.tar", damaged)
    check(files, PAGES, spans, damage, damages, checksummed=False)


@SETTINGS
@given(damages=DAMAGES_APART)
def test_damage_in_a_tar_gz_costs_the_members_from_it_on(
        tmp_path_factory: pytest.TempPathFactory, damages: Damages) -> None:
    raw, plain = tarred(PAGES)
    packed, spans = gzipped_by_member(raw, plain)
    damaged, damage = apply_damages(packed, damages)
    files, _ = unpacked(tmp_path_factory.mktemp("tgz"), "pages.tar.gz", damaged)
    check(files, PAGES, spans, damage, damages, checksummed=False)


@pytest.mark.parametrize("streamed", [False, True])
def test_a_byte_lost_inside_one_zip_member_costs_only_that_member(tmp_path: Path, streamed: bool) -> None:
    """The central directory then puts every member before the loss one byte from its header: zipfile read none of
    them, and a ZIP read from its headers stopped at the member whose sizes or descriptor no longer fit its data.
    Every other member is read from its own header now, and a line says so."""
    raw, spans = zipped(PAGES, streamed)
    start, end = spans["pages/story-3.html"]
    at = (start + end) // 2
    files, found = unpacked(tmp_path, "pages.zip", raw[:at] + raw[at + 1:])
    assert files == {name: data for name, data in PAGES.items() if name != "pages/story-3.html"}
    assert {problem.file for problem in found.problems} <= {"pages.zip", "pages.zip/pages/story-3.html"}
    assert "read from their own headers" in found.problems[-1].message


def test_a_zip_file_header_naming_no_file_costs_only_its_member(tmp_path: Path) -> None:
    """A local header whose name length is damaged to 0 (its name read as its extra field) gave a member named "",
    and ZipInfo.is_dir() raised IndexError out of the unpacking: the whole ZIP, cut short, was lost to a traceback."""
    raw, spans = zipped(PAGES, streamed=False)
    start, _ = spans["pages/story-2.html"]
    name_length, extra_length = struct.unpack("<HH", raw[start + 26:start + 30])
    damaged = raw[:start + 26] + struct.pack("<HH", 0, name_length + extra_length) + raw[start + 30:]
    files, found = unpacked(tmp_path, "pages.zip", damaged[:spans["pages/story-4.html"][0]])  # no central directory
    assert files == {name: PAGES[name] for name in ("pages/story-0.html", "pages/story-1.html", "pages/story-3.html")}
    assert "the file header at offset" in found.problems[0].message


def test_a_zip_file_header_naming_no_file_with_no_header_after_it_costs_only_its_member(tmp_path: Path) -> None:
    """The same damaged name length in a ZIP cut before the next header: the member named "" was read as a file
    (the skip needed a header after it), and the damage line's count of files raised IndexError out of the unpacking
    (found by the ZIP property above, seed 12). A header naming no file is damaged wherever it is."""
    raw, spans = zipped(PAGES, streamed=False)
    start, _ = spans["pages/story-2.html"]
    name_length, extra_length = struct.unpack("<HH", raw[start + 26:start + 30])
    damaged = raw[:start + 26] + struct.pack("<HH", 0, name_length + extra_length) + raw[start + 30:]
    files, found = unpacked(tmp_path, "pages.zip", damaged[:spans["pages/story-3.html"][0]])
    assert files == {name: PAGES[name] for name in ("pages/story-0.html", "pages/story-1.html")}
    assert f"the file header at offset {start} is damaged" in found.problems[0].message


@pytest.mark.parametrize("where, damage", [("first header", "flip"), ("data", "delete"), ("data", "insert")])
def test_damage_in_a_tar_costs_only_the_members_it_touches(tmp_path: Path, where: str, damage: str) -> None:
    """tarfile stops without a word at the first block that is no header: a damaged first header refused the whole
    tar, and a byte lost or added in a member's data moved every header after it off the 512-byte grid, all of them
    lost with no line at all. The reading now goes on from the next header, at any offset, one line saying where."""
    raw, spans = tarred(PAGES)
    start, end = spans["pages/story-2.html"]
    at = start + 100 if where == "first header" else end - 200
    damaged = {"flip": raw[:at] + bytes([raw[at] ^ 0x55]) + raw[at + 1:], "delete": raw[:at] + raw[at + 1:],
               "insert": raw[:at] + b"x" + raw[at:]}[damage]
    if where == "first header":
        damaged = damaged[start:]  # story-2 first: its header is the tar's first
    files, found = unpacked(tmp_path, "pages.tar", damaged)
    assert files is not None
    after = ["pages/story-3.html", "pages/story-4.html"]
    assert {name: files.get(name) for name in after} == {name: PAGES[name] for name in after}
    assert any("read on from the" in problem.message for problem in found.problems), found.problems


def test_a_tar_refused_whole_is_one_line(tmp_path: Path) -> None:
    """tarfile's refusal of a file no method opens lists each method's reason on a line of its own."""
    files, found = unpacked(tmp_path, "pages.tar.bz2", b"BZh91AY&SY" + bytes(100))  # checked there: one line
    assert files is None


@pytest.mark.parametrize("field, at", [("the directory's size, in its end record", 12),
                                       ("a member's CRC, in its directory entry", 16)])
def test_damage_in_a_zips_central_directory_alone_costs_no_member(tmp_path: Path, field: str, at: int) -> None:
    """zipfile trusts the central directory: with its size zeroed it lists no file (the ZIP was refused whole),
    and with a member's CRC damaged there the member failed its CRC, though its own header and data were whole.
    A directory that lists no file, or disagrees with a member's own header, is no longer trusted."""
    raw, spans = zipped(PAGES, streamed=False)
    start = raw.rindex(b"PK\x05\x06") if "end record" in field else raw.index(b"PK\x01\x02", spans[
        "pages/story-4.html"][1])
    files, found = unpacked(tmp_path, "pages.zip", raw[:start + at] + bytes(4) + raw[start + at + 4:])
    assert files == PAGES
    assert [problem.file for problem in found.problems] == ["pages.zip"]
    assert "were read from their own headers" in found.problems[0].message


@pytest.mark.parametrize("flag", [0x01, 0x40])  # encrypted, strongly encrypted
def test_a_zip_whose_directory_entry_has_a_damaged_flag_is_read_from_its_headers(tmp_path: Path, flag: int) -> None:
    """zipfile reads a member by its directory entry's flags: one damaged byte there (found by the ZIP property above,
    seed 1) made a whole member "encrypted" and it was not extracted. The flags zipfile reads by are now checked
    against the member's own header too."""
    raw, spans = zipped(PAGES, streamed=False)
    entry = raw.index(b"PK\x01\x02", spans["pages/story-4.html"][1])  # story-0's entry, the first
    files, found = unpacked(tmp_path, "pages.zip", raw[:entry + 8] + bytes([raw[entry + 8] | flag]) + raw[entry + 9:])
    assert files == PAGES
    assert [problem.file for problem in found.problems] == ["pages.zip"]
    assert "disagree on its method, flags, time, CRC or sizes" in found.problems[0].message


@pytest.mark.parametrize("field, at, value, why", [
    ("date", 14, b"\xd2", "disagree on its method, flags, time, CRC or sizes"),  # month 13
    ("comment length", 32, b"\x00\x55", "it lists no file at offset 450, where a file header is")])  # story-1's
def test_one_damaged_byte_in_a_zip_directory_entry_costs_no_member(tmp_path: Path, field: str, at: int, value: bytes,
                                                                   why: str) -> None:
    """Found by sweeping one damaged byte over every offset of the ZIP: zipfile dates a member by its directory
    entry, and a date no calendar has ("month must be in 1..12") cost the member; an entry's comment length grown
    past the directory made zipfile read that entry's comment over every entry after it, and those members were lost
    without a word. The directory's time is checked against the member's own header, and a file header after a
    member where the directory lists none means it does not stand for the ZIP."""
    raw, spans = zipped(PAGES, streamed=False)
    entry = raw.index(b"PK\x01\x02", spans["pages/story-4.html"][1]) + at  # story-0's entry, the first
    files, found = unpacked(tmp_path, "pages.zip", raw[:entry] + value + raw[entry + len(value):])
    assert files == PAGES, field
    assert [problem.file for problem in found.problems] == ["pages.zip"]
    assert why in found.problems[0].message


def test_a_zip_file_header_whose_name_holds_a_nul_costs_only_its_member(tmp_path: Path) -> None:
    """zipfile cuts a name at its first NUL: story-0's name damaged so ("pages\\0story-0.html") was written as a file
    "pages", where every later member needs a folder, and all of them were lost (found by the single-byte sweep).
    A name with a NUL is a damaged header, skipped as one naming no file."""
    raw, spans = zipped(PAGES, streamed=False)
    at = 30 + len("pages")  # the "/" of story-0's name
    files, found = unpacked(tmp_path, "pages.zip", raw[:at] + b"\0" + raw[at + 1:])
    assert files == {name: data for name, data in PAGES.items() if name != "pages/story-0.html"}
    assert "the file header at offset 0 is damaged" in found.problems[0].message


def test_a_zip_with_no_dates_or_with_its_two_stamps_apart_is_whole(tmp_path: Path) -> None:
    """Undamaged ZIPs the directory's date check must not call damaged: a writer that stamps no date (MS-DOS date 0,
    month 0, which made the member's time raise "month must be in 1..12"), and one whose directory entry and file
    header carry different real times."""
    sink = io.BytesIO()
    with zipfile.ZipFile(sink, "w") as archive:
        for name, data in PAGES.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 0, 0, 0, 0, 0)), data)
    (tmp_path / "undated").mkdir()
    files, found = unpacked(tmp_path / "undated", "pages.zip", sink.getvalue())
    assert (files, found.problems) == (PAGES, [])
    raw, spans = zipped(PAGES, streamed=False)
    entry = raw.index(b"PK\x01\x02", spans["pages/story-4.html"][1])
    apart = raw[:entry + 12] + bytes([raw[entry + 12] ^ 0x02]) + raw[entry + 13:]  # its time, two minutes on
    (tmp_path / "apart").mkdir()
    files, found = unpacked(tmp_path / "apart", "pages.zip", apart)
    assert (files, found.problems) == (PAGES, [])


def test_a_zip_whose_directory_names_a_version_zipfile_does_not_know_is_read_from_its_headers(tmp_path: Path) -> None:
    """zipfile raises NotImplementedError, not BadZipFile, for a directory entry needing a version past 6.3: one
    damaged byte of the directory refused the whole ZIP."""
    raw, spans = zipped(PAGES, streamed=False)
    entry = raw.index(b"PK\x01\x02", spans["pages/story-4.html"][1])
    files, found = unpacked(tmp_path, "pages.zip", raw[:entry + 6] + bytes([65]) + raw[entry + 7:])
    assert files == PAGES
    assert "NotImplementedError" in found.problems[0].message


@pytest.mark.parametrize("signature", [b"PK\x05\x06", b"PK\x01\x02"])
def test_a_central_directory_signature_where_file_headers_follow_is_no_end(tmp_path: Path, signature: bytes) -> None:
    """Read from its headers, a ZIP ended at the first central directory signature found past damage, or at its
    start: one inside a member's data (four bytes added there, or a stored ZIP's own), or put before the first file,
    lost every member after it. One with file headers after it is no end, and the reading goes on to them."""
    raw, spans = zipped(PAGES, streamed=False)
    start, end = spans["pages/story-3.html"]
    middle = (start + end) // 2
    damaged = raw[:middle] + signature + raw[middle:]
    if signature == b"PK\x01\x02":  # before the first file too
        damaged = signature + damaged
    files, found = unpacked(tmp_path, "pages.zip", damaged)
    assert files == {name: data for name, data in PAGES.items() if name != "pages/story-3.html"}


def test_a_tar_gz_damaged_gives_every_member_before_the_damage(tmp_path: Path) -> None:
    """tarfile's gzip reading drops all it inflated in the read that meets damage (8 KB of the file): a small
    .tar.gz damaged near its end was refused whole, every member before the damage lost with it. One line names
    the stream's damage and what the tar lost at it."""
    raw, plain = tarred(PAGES)
    packed, spans = gzipped_by_member(raw, plain)
    at = spans["pages/story-3.html"][1] + 10  # inside story-4's compressed bytes
    files, found = unpacked(tmp_path, "pages.tar.gz", packed[:at] + bytes([packed[at] ^ 0xFF]) * 8 + packed[at + 8:])
    assert files is not None
    assert {name: files.get(name) for name in list(PAGES)[:4]} == dict(list(PAGES.items())[:4])
    assert [problem.file for problem in found.problems] == ["pages.tar.gz"]
    assert "its gzip stream is damaged: " in found.problems[0].message


def test_a_tar_whose_first_headers_are_off_the_grid_keeps_them(tmp_path: Path) -> None:
    """A byte added before the first header and one lost in a later member's data put the headers after the loss back
    on the 512-byte grid: tarfile, opening it, found the first of those, and every member before it was lost."""
    raw, spans = tarred(PAGES)
    at = spans["pages/story-2.html"][1] - 100
    files, _ = unpacked(tmp_path, "pages.tar", b"\0" + raw[:at] + raw[at + 1:])
    assert files is not None
    assert {name: files.get(name) for name in ("pages/story-0.html", "pages/story-1.html", "pages/story-3.html")} == {
        name: PAGES[name] for name in ("pages/story-0.html", "pages/story-1.html", "pages/story-3.html")}


def test_a_damaged_directory_entry_of_a_member_with_a_data_descriptor_costs_no_member(tmp_path: Path) -> None:
    """A member written with a data descriptor has no CRC in its own header, so the directory's was trusted: damaged
    there, the member failed its CRC. The directory is now checked against the descriptor."""
    raw, spans = zipped(PAGES, streamed=True)
    entry = raw.index(b"PK\x01\x02", spans["pages/story-4.html"][1])
    files, found = unpacked(tmp_path, "pages.zip", raw[:entry + 16] + bytes([raw[entry + 16] ^ 0x55]) + raw[entry + 17:])
    assert files == PAGES
    assert [problem.file for problem in found.problems] == ["pages.zip"]


def test_a_damaged_file_header_costs_only_its_own_member_not_the_one_before(tmp_path: Path) -> None:
    """A flipped byte in story-2's header signature left no header where story-1's sizes say it ends, and story-1 was
    dropped as "not ending where its header says", though it was whole (found by the ZIP property above). Its CRC,
    checked when it is written, is what tells its sizes wrong; only a member naming no data has none that checks."""
    raw, spans = zipped(PAGES, streamed=False)
    at = spans["pages/story-2.html"][0] + 2
    files, found = unpacked(tmp_path, "pages.zip", raw[:at] + b"\x00" + raw[at + 1:])
    assert files == {name: data for name, data in PAGES.items() if name != "pages/story-2.html"}
    assert [problem.file for problem in found.problems] == ["pages.zip"]
    assert f"no ZIP header at offset {at - 2}: skipped to the next" in found.problems[0].message


@pytest.mark.parametrize("name", ["pages/story-1.html", "pages/story-2.html"])  # stored, deflated
def test_a_file_header_whose_size_is_damaged_costs_only_its_member(tmp_path: Path, name: str) -> None:
    """The other reading of no header where a member's sizes say it ends: its size is damaged. Its CRC fails when
    it is written, so it costs itself (a line naming it), and every other member is read."""
    raw, spans = zipped(PAGES, streamed=False)
    at = spans[name][0] + 18  # its compressed size, halved
    size = struct.unpack("<I", raw[at:at + 4])[0]
    files, found = unpacked(tmp_path, "pages.zip", raw[:at] + struct.pack("<I", size // 2) + raw[at + 4:])
    assert files == {other: data for other, data in PAGES.items() if other != name}
    assert f"pages.zip/{name}" in {problem.file for problem in found.problems}


def test_a_member_whose_header_lost_its_descriptor_flag_is_not_written_empty(tmp_path: Path) -> None:
    """A member written with a data descriptor whose header's flag for it is damaged reads as a stored file of 0
    bytes with CRC 0, which checks: it was written as an empty page. No header follows where its sizes say it ends,
    so it is not whole."""
    raw, spans = zipped(PAGES, streamed=True)
    files, _ = unpacked(tmp_path, "pages.zip", raw[:6] + b"\0" + raw[7:])  # story-0's flags
    assert files == {name: data for name, data in PAGES.items() if name != "pages/story-0.html"}
