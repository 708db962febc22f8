"""Damage anywhere in a ZIP, WACZ or tar bundle costs only the members it touches (property-based).

A bundle met in the wild was cut by an interrupted download, bit-flipped by a bad disk, padded or shortened by a
broken copy. Whatever one to three runs of bytes suffered (tests/test_archive_damage.py: flipped, zeroed, deleted,
inserted, or the file cut there), unpacking it (nested.unpack, what replay_root runs for each archive) raises
nothing but UnreadableBundle, and that only when no member at all lies outside the damage; every member that does
comes out whole, with its own bytes, and no member comes out with bytes that are not its own:

* a ZIP or WACZ: a member is its local header, data and data descriptor; the central directory is no member's, so
  damage there costs none (each is read from its local header, zipscan.py). A WACZ's WARC cut by the end of the
  file is kept up to the cut (members.py keep_cut): it is the one member allowed to come out short, and not only
  as its own first bytes, since damage before the cut is kept with them (its records are checked by their digests
  when replayed: tests/test_archive_damage.py);
* a tar: a member is its header blocks and data blocks; the end-of-archive blocks are no member's;
* a compressed tar is one deflate stream, read in order: damage costs the member it falls in and every member after
  it, since no reader finds its way back into a deflate stream after damage (gzip -d and tar stop there too). What
  is promised is the members whose compressed bytes all come before the first damage. The test's stream is flushed
  at each member's end (Z_FULL_FLUSH) only so that it knows where each member's bytes end.
"""

from __future__ import annotations

import io
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
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


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
    """`raw` (a tar) as gzip, flushed at each member's end, and each member's span in the gzip file: from the start
    of the file (a stream read in order reaches no member but through every byte before it) to its flush."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    out, at, ends = [header], 0, {}
    for name, (_, end) in spans.items():
        out.append(compressor.compress(raw[at:end]) + compressor.flush(zlib.Z_FULL_FLUSH))
        ends[name] = sum(map(len, out))
        at = end
    out.append(compressor.compress(raw[at:]) + compressor.flush())
    out.append(struct.pack("<II", zlib.crc32(raw), len(raw) & 0xFFFFFFFF))
    return b"".join(out), {name: (0, end) for name, end in ends.items()}


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
          damage: list[tuple[int, int]], damages: Damages, prefix_allowed: bool = False) -> None:
    whole = [name for name, (start, end) in spans.items() if untouched(start, end, damage)]
    if files is None:
        assert not whole, f"refused whole, though {whole} lie outside {damages}"
        return
    for name in whole:
        assert files.get(name) == members[name], f"{name} lost or changed by {damages}"
    for name, data in files.items():
        if name in members and data != members[name]:  # a WACZ's WARC cut by the end of the file, as far as it goes
            assert prefix_allowed and len(data) < len(members[name]), f"{name} came out with bytes not its own"


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
    check(files, members, warcs, damage, damages, prefix_allowed=True)


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
