"""ZIP and tar files of saved pages or WARCs as replay sources: how a folder travels by mail, a data delivery or a
download (``pages.zip``, ``crawl-2026-12.tar.gz``).

unpack.py extracts each once into the replay cache, and the extracted folder is replayed like the folder it was made
from, its files named after the bundle in everything the user reads (``pages.zip/pages/story.html``). What is
extracted is what a careful unpacking tool would write, and nothing else:

* nothing lands outside the extraction folder: zipfile drops ``..``, drive letters and leading slashes from member
  names, and tar members pass Python's ``data`` extraction filter (PEP 706), which refuses absolute names, ``..``,
  links that lead out, and device files;
* one member that cannot be read (a bad CRC, an encrypted member, a tar member the filter refuses) costs only itself:
  one error line naming ``BUNDLE/MEMBER``; a tar cut short keeps what came before the cut, a tar damaged in its middle is read on from the next
  header after the damage (one line saying where: tarscan.py), a gzipped, bzip2 or xz one whose stream fails gives
  every member before the damaged byte (gunzipstream.py, unpackstream.py), and a member cut short
  is never written, never replayed (a ZIP's and a tar's members are written whole or not at all by members.py, the
  writer of a WACZ's too);
  a ZIP cut short (no central directory: an interrupted download or copy) keeps the files before the cut, read from
  their own headers (zipscan.py), and the file the cut fell in is not extracted, one line naming the ZIP;
* a member that would take the bundle past what it may unpack to (NEWSCRAWL_UNPACK_*: budget.py) is not extracted,
  one error line naming it, so a decompression bomb cannot fill the disk;
* a WACZ, HAR, ZIP or tar file among its files is unpacked in its turn (nested.py);
* macOS's ``__MACOSX/`` folder of AppleDouble companions is not extracted (sniff.is_apple_double);
* each file keeps its own modification time, which a saved page without a saved time of its own is fetched at
  (savedhtml.py). A tar member's time is UTC. A ZIP member's is taken, most exact first, from its Info-ZIP extended
  timestamp (what ``zip`` and macOS write; UTC), its NTFS times (what 7-Zip and Windows tools write; UTC), else
  its MS-DOS date and time, which name no zone and are read as UTC: extracted on any machine, in any zone, the
  same bundle gives the same feed (an ``unzip`` here would read them in this machine's zone instead).
"""

from __future__ import annotations

import calendar
import os
import struct
import tarfile
import zipfile
from pathlib import Path

from newscrawl.archive.budget import Budget
from newscrawl.archive.findings import BundleNotExtracted, Findings, UnreadableBundle, damage_kind
from newscrawl.archive.gunzipstream import GunzipStream
from newscrawl.archive.members import MAC_METADATA, READ_ERRORS, extract_members, write_tar_member
from newscrawl.archive.sniff import GZIP_MAGIC
from newscrawl.archive.tarscan import ends_whole, members, one_line
from newscrawl.archive.unpackstream import MAGICS, UnpackStream
from newscrawl.archive.zipdirectory import open_zip
from newscrawl.files import read_failed

ZIP_SUFFIXES = (".zip",)
TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz")
SUFFIXES = ZIP_SUFFIXES + TAR_SUFFIXES

EXTRACTION = "bundle-7"
"""Part of every extraction folder's key: a new one when extraction changes what it writes, so no replay reads a
folder an older newscrawl extracted (2: the archives among its files unpacked too, nested.py; 3: a ZIP cut short
gives the files before the cut, zipscan.py; 4: a stored file the cut left whole but for part of its data descriptor
is extracted; 5: a tar's members are written by members.py, a hard link as a copy within the budget; 6: a ZIP whose central
directory does not match its headers, or damaged in its middle, is read from its headers past the damage, and a
tar past a damaged header or a byte lost or added in a member's data; 7: a bzip2 or xz tar whose stream fails gives
every member before the damaged byte)."""

_EXTENDED_TIMESTAMP = 0x5455
"""Info-ZIP's "UT" extra field: a flags byte, then (flag 1) the modification time, seconds since 1970 UTC."""
_NTFS_TIMES = 0x000A
"""PKWARE's NTFS extra field: 4 reserved bytes, then tagged attributes; tag 1 holds the modification, access and
creation times as Windows FILETIMEs (100 ns since 1601 UTC)."""
_FILETIME_AT_1970 = 116444736000000000


def extract(path: Path, into: Path, findings: Findings, budget: Budget, name: str | None = None) -> int:
    """Every file of the bundle at `path` into the folder `into`, within `budget` (budget.py); how many. `name`: the
    bundle as the user knows it, for messages (``outer.zip/inner.tar`` for one inside another; else `path`). Raises
    UnreadableBundle when the bundle cannot be opened or holds no file, BundleNotExtracted (with its OSError as
    cause) when `into` cannot take them. A member that cannot be extracted, or a bundle cut short, is one of
    `findings`."""
    shown = name or str(path)
    if path.name.lower().endswith(ZIP_SUFFIXES):
        return _extract_zip(path, into, findings, budget, shown)
    return _extract_tar(path, into, findings, budget, shown)


def _extract_zip(path: Path, into: Path, findings: Findings, budget: Budget, name: str) -> int:
    before = len(findings.problems)

    def dated(member: zipfile.ZipInfo, target: Path) -> None:
        stamp = zip_member_time(member)
        os.utime(target, (stamp, stamp))

    try:
        with open_zip(path, budget.left) as archive:
            extracted = extract_members(archive, into, findings, budget, name, lambda member: True, dated,
                                        "files").written
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, OSError) as error:
        raise UnreadableBundle(f"{name}: not a readable ZIP file: {error}", damage_kind(error)) from error
    if not extracted:
        last, kind = findings.refusing(before)
        raise UnreadableBundle(f"{name}: a ZIP file without a file that could be extracted{last}", kind)
    return extracted


def _extract_tar(path: Path, into: Path, findings: Findings, budget: Budget, name: str) -> int:
    """The tar's members, read by tarfile; a compressed one whose stream fails (damaged, cut) is read again from its
    plain bytes as far as they go (GunzipStream, UnpackStream), every line and budget of the first reading undone."""
    before, left = len(findings.problems), budget.left
    kind = _compression(path)
    try:
        extracted, failed = _extract_plain_tar(path, None, into, findings, budget, name, kind is not None)
    except BundleNotExtracted:
        raise
    except UnreadableBundle:
        if kind is None:
            raise
        extracted, failed = 0, True
    if not failed or kind is None:
        return extracted
    del findings.problems[before:]
    budget.left = left
    with open(path, "rb") as raw:
        # tarfile's gzip, bzip2 and xz readings drop what they decompressed in the read that met the damage (every
        # member in that 8 KB of the file: a small .tar.gz damaged anywhere was refused whole); these streams give
        # all of it up to the damaged byte, read as one stream, in order, as tarfile's "r|" mode reads
        plain = GunzipStream(raw) if kind == "gzip" else UnpackStream(raw, kind)
        extracted, _ = _extract_plain_tar(path, plain, into, findings, budget, name)
    if plain.cut:  # one damage, one line: what the tar lost at it, and the stream's damage
        lost = next((problem for problem in findings.problems[before:] if problem.file == name), None)
        findings.problems[:] = [problem for problem in findings.problems if problem is not lost]
        findings.damaged(name, f"{lost.message} ({plain.cut})" if lost else
                         f"{plain.cut}; the {extracted} files before it were read")
    return extracted


def _compression(path: Path) -> str | None:
    """"gzip", "bz2" or "xz", by the file's first bytes; None for a plain tar (or one of no format known here)."""
    with open(path, "rb") as head:
        start = head.read(8)
    if start.startswith(GZIP_MAGIC):
        return "gzip"
    return next((kind for kind, magic in MAGICS.items() if start.startswith(magic)), None)


def _extract_plain_tar(path: Path, plain: GunzipStream | UnpackStream | None, into: Path, findings: Findings, budget: Budget,
                       name: str, compressed: bool = True) -> tuple[int, bool]:
    """The members of the tar at `path` (`plain`: its bytes decompressed; `compressed`: whether the file is) into
    `into`: how many, and whether the tar's own bytes failed (what reading it raised: a stream damaged or cut, a
    read the disk failed)."""
    extracted, before, found, failed = 0, len(findings.problems), False, False
    try:
        # ignore_zeros while it is opened: a damaged first header is skipped to the next, as any later one is
        # a plain tar is opened as one: "r:*" first tries every decompressor on it, and one reading ahead into a
        # spot the disk cannot read would refuse the whole tar, not the members from that spot on
        with (tarfile.open(fileobj=plain, mode="r|", ignore_zeros=True) if plain else  # type: ignore[call-overload]
              tarfile.open(path, "r:*" if compressed else "r:", ignore_zeros=True)) as archive:
            archive.ignore_zeros = False
            try:
                for member in members(archive, name, findings):  # in order: a tar cut short keeps what came first
                    found = True
                    if member.isdir() or member.name.startswith(MAC_METADATA):
                        continue
                    extracted += write_tar_member(archive, member, into, findings, budget, name)
                if found and not ends_whole(archive):
                    findings.damaged(name, f"cut short after {extracted} files: no end-of-archive block follows "
                                     "them")
            except BundleNotExtracted:  # a ValueError too, but the cache's: no bundle can be extracted
                raise
            except READ_ERRORS as error:  # the bundle's own bytes failed: nothing after this point can be read
                found = failed = True
                findings.damaged(name, f"{_failed_after(error, extracted)}: {one_line(error)}", kind=damage_kind(error))
    except (tarfile.ReadError, tarfile.CompressionError, EOFError, OSError) as error:
        raise UnreadableBundle(f"{name}: not a readable tar file: {one_line(error)}", damage_kind(error)) from error
    if not found:
        raise UnreadableBundle(f"{name}: not a readable tar file: no tar header in it")
    if not extracted:
        last, kind = findings.refusing(before)
        raise UnreadableBundle(f"{name}: a tar file without a file that could be extracted{last}", kind)
    return extracted, failed


def _failed_after(error: BaseException, extracted: int) -> str:
    """What befell a tar whose reading failed partway, after `extracted` files: a read the disk failed (the rest
    of it is lost), or its bytes, cut or damaged."""
    if read_failed(error):
        return f"a read failed after {extracted} files (the rest of it is not replayed)"
    return f"cut short or damaged after {extracted} files"


def zip_member_time(member: zipfile.ZipInfo) -> float:
    """The member's modification time, seconds since 1970 UTC: its extended timestamp, else its NTFS time, else its
    MS-DOS time read as UTC (module docstring).

    >>> member = zipfile.ZipInfo("a.html", date_time=(2026, 12, 7, 8, 30, 0))
    >>> zip_member_time(member)
    1796632200.0
    >>> zip_member_time(zipfile.ZipInfo("a.html", date_time=(1980, 0, 0, 0, 0, 0)))  # no date stamped: not a crash
    315446400.0
    >>> member.extra = struct.pack("<HHBl", 0x5455, 5, 1, 1796600000)
    >>> zip_member_time(member)
    1796600000.0
    """
    extra = member.extra
    found: float | None = None
    while len(extra) >= 4 and found is None:
        kind, size = struct.unpack("<HH", extra[:4])
        data, extra = extra[4:4 + size], extra[4 + size:]
        if kind == _EXTENDED_TIMESTAMP and len(data) >= 5 and data[0] & 1:
            found = float(struct.unpack("<l", data[1:5])[0])
        elif kind == _NTFS_TIMES:
            found = _ntfs_modified(data[4:])
    if found is not None:
        return found
    year, month, *rest = member.date_time  # a writer that stamps no date writes month 0 (MS-DOS date 0)
    return float(calendar.timegm((year, min(max(month, 1), 12), *rest, 0, 0, 0)))


def _ntfs_modified(attributes: bytes) -> float | None:
    while len(attributes) >= 4:
        tag, size = struct.unpack("<HH", attributes[:4])
        if tag == 1 and size >= 8:
            filetime: int = struct.unpack("<Q", attributes[4:12])[0]
            return (filetime - _FILETIME_AT_1970) / 10_000_000
        attributes = attributes[4 + size:]
    return None
