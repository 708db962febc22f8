"""ZIP and tar files of saved pages or WARCs as replay sources: how a folder travels by mail, a data delivery or a
download (``pages.zip``, ``crawl-2026-12.tar.gz``).

unpack.py extracts each once into the replay cache, and the extracted folder is replayed like the folder it was made
from, its files named after the bundle in everything the user reads (``pages.zip/pages/story.html``). What is
extracted is what a careful unpacking tool would write, and nothing else:

* nothing lands outside the extraction folder: zipfile drops ``..``, drive letters and leading slashes from member
  names, and tar members pass Python's ``data`` extraction filter (PEP 706), which refuses absolute names, ``..``,
  links that lead out, and device files;
* one member that cannot be read (a bad CRC, an encrypted member, a tar member the filter refuses) costs only itself:
  one error line naming ``BUNDLE/MEMBER``; a tar cut short keeps what came before the cut;
* a member that would take the bundle past what it may unpack to (NEWSCRAWL_UNPACK_*: budget.py) is not extracted,
  one error line naming it, so a decompression bomb cannot fill the disk;
* macOS's ``__MACOSX/`` folder of AppleDouble companions is not extracted (sniff.is_apple_double);
* each file keeps its own modification time, which a saved page without a saved time of its own is fetched at
  (savedhtml.py). A tar member's time is UTC. A ZIP member's is taken, most exact first, from its Info-ZIP extended
  timestamp (what ``zip`` and macOS write; UTC), its NTFS times (what 7-Zip and Windows tools write; UTC), else
  its MS-DOS date and time, which name no zone and are read as UTC: extracted on any machine, in any zone, the
  same bundle gives the same feed (an ``unzip`` here would read them in this machine's zone instead).
"""

from __future__ import annotations

import calendar
import errno
import lzma
import os
import shutil
import struct
import tarfile
import zipfile
import zlib
from pathlib import Path

from newscrawl.archive.budget import Budget
from newscrawl.archive.findings import Findings, UnreadableBundle, not_extracted

ZIP_SUFFIXES = (".zip",)
TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz")
SUFFIXES = ZIP_SUFFIXES + TAR_SUFFIXES

EXTRACTION = "bundle-1"
"""Part of every extraction folder's key: a new one when extraction changes what it writes, so no replay reads a
folder an older newscrawl extracted."""

_MAC_METADATA = "__MACOSX/"
_EXTENDED_TIMESTAMP = 0x5455
"""Info-ZIP's "UT" extra field: a flags byte, then (flag 1) the modification time, seconds since 1970 UTC."""
_NTFS_TIMES = 0x000A
"""PKWARE's NTFS extra field: 4 reserved bytes, then tagged attributes; tag 1 holds the modification, access and
creation times as Windows FILETIMEs (100 ns since 1601 UTC)."""
_FILETIME_AT_1970 = 116444736000000000


def is_bundle(path: Path) -> bool:
    """Whether `path` is a ZIP or tar file given as a replay source, by its name (a WACZ is a ZIP too, but
    wacz.py reads only its WARCs)."""
    return path.name.lower().endswith(SUFFIXES) and path.is_file()


def extract(path: Path, into: Path, findings: Findings, budget: Budget) -> int:
    """Every file of the bundle at `path` into the folder `into`, within `budget` (budget.py); how many. Raises
    UnreadableBundle when the bundle cannot be opened or holds no file, BundleNotExtracted (with its OSError as
    cause) when `into` cannot take them. A member that cannot be extracted, or one past the budget, or a bundle cut
    short, is one of `findings`."""
    if path.name.lower().endswith(ZIP_SUFFIXES):
        return _extract_zip(path, into, findings, budget)
    return _extract_tar(path, into, findings, budget)


def _extract_zip(path: Path, into: Path, findings: Findings, budget: Budget) -> int:
    extracted = 0
    try:
        with zipfile.ZipFile(path) as archive:
            for member in archive.infolist():
                target = _target(into, member.filename)
                if member.is_dir() or target is None:
                    continue
                if not budget.take(member.file_size):
                    findings.damaged(f"{path}/{member.filename}", budget.refusal(member.file_size))
                    continue
                try:
                    _write_member(archive, member, target)
                except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, ValueError, OSError) as error:
                    # a bad CRC, an encrypted member, an unknown compression, a name the file system refuses
                    _refused_by_cache(path, error)
                    findings.damaged(f"{path}/{member.filename}", f"not extracted: {error}")
                    continue
                stamp = zip_member_time(member)
                os.utime(target, (stamp, stamp))
                extracted += 1
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, OSError) as error:
        raise UnreadableBundle(f"{path}: not a readable ZIP file: {error}") from error
    if not extracted:
        raise UnreadableBundle(f"{path}: a ZIP file without a file that could be extracted")
    return extracted


def _target(into: Path, name: str) -> Path | None:
    """Where member `name` is written under `into`: its name without drive, root, "." and ".." parts (as zipfile
    sanitises it, so nothing lands outside); None for a folder, an empty name or macOS's metadata folder."""
    parts = [part for part in name.replace("\\", "/").split("/") if part not in ("", ".", "..")]
    if parts and len(parts[0]) == 2 and parts[0][1] == ":":  # a Windows drive letter
        parts = parts[1:]
    if not parts or name.endswith("/") or name.startswith(_MAC_METADATA):
        return None
    return into.joinpath(*parts)


def _write_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path) -> None:
    """The member's bytes into `target`, whole or not at all (zipfile checks the CRC only at the end of the read)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    try:
        with archive.open(member) as source, open(partial, "wb") as sink:
            shutil.copyfileobj(source, sink)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _extract_tar(path: Path, into: Path, findings: Findings, budget: Budget) -> int:
    extracted = 0
    try:
        with tarfile.open(path, "r:*") as archive:
            try:
                for member in archive:  # in order: a tar cut short keeps what came before the cut
                    if member.isdir() or member.name.startswith(_MAC_METADATA):
                        continue
                    if not budget.take(member.size):
                        findings.damaged(f"{path}/{member.name}", budget.refusal(member.size))
                        continue
                    try:
                        archive.extract(member, into, filter="data")
                    except tarfile.FilterError as error:
                        findings.damaged(f"{path}/{member.name}", f"not extracted: {error}")
                        continue
                    except BaseException as error:
                        # what was written of it is not the member: read as a page, it would be a whole one
                        _forget_partial(into / member.name.lstrip("/"))
                        _refused_by_cache(path, error)
                        if isinstance(error, (tarfile.ExtractError, OSError)) and getattr(error, "filename", None):
                            findings.damaged(f"{path}/{member.name}", f"not extracted: {error}")
                            continue
                        raise  # the bundle's own bytes failed: nothing after this point can be read
                    extracted += 1
                if not _ends_whole(archive):
                    findings.damaged(str(path), f"cut short after {extracted} files: no end-of-archive block follows "
                                     "them")
            except (tarfile.ReadError, EOFError, zlib.error, lzma.LZMAError, OSError) as error:
                findings.damaged(str(path), f"cut short or damaged after {extracted} files: {error}")
    except (tarfile.ReadError, tarfile.CompressionError, EOFError, OSError) as error:
        raise UnreadableBundle(f"{path}: not a readable tar file: {error}") from error
    if not extracted:
        raise UnreadableBundle(f"{path}: a tar file without a file that could be extracted")
    return extracted


def _forget_partial(target: Path) -> None:
    if target.is_file() and not target.is_symlink():
        target.unlink()


def _ends_whole(archive: tarfile.TarFile) -> bool:
    """Whether a whole block (tar's end-of-archive zeros) follows the last member. tarfile ends its iteration
    without a word at a header cut short, as at the end-of-archive block, so a cut between members would pass
    unseen; a compressed stream cut short raises instead."""
    if archive.fileobj is None:
        return True
    archive.fileobj.seek(archive.offset)
    return len(archive.fileobj.read(tarfile.BLOCKSIZE)) == tarfile.BLOCKSIZE


def zip_member_time(member: zipfile.ZipInfo) -> float:
    """The member's modification time, seconds since 1970 UTC: its extended timestamp, else its NTFS time, else its
    MS-DOS time read as UTC (module docstring).

    >>> member = zipfile.ZipInfo("a.html", date_time=(2026, 12, 7, 8, 30, 0))
    >>> zip_member_time(member)
    1796632200.0
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
    return float(calendar.timegm((*member.date_time, 0, 0, 0)))


def _ntfs_modified(attributes: bytes) -> float | None:
    while len(attributes) >= 4:
        tag, size = struct.unpack("<HH", attributes[:4])
        if tag == 1 and size >= 8:
            filetime: int = struct.unpack("<Q", attributes[4:12])[0]
            return (filetime - _FILETIME_AT_1970) / 10_000_000
        attributes = attributes[4 + size:]
    return None


_CACHE_REFUSALS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM})
"""Errors that say the cache folder takes no file, whichever member is written: the replay cannot go on."""


def _refused_by_cache(path: Path, error: BaseException) -> None:
    """Raise BundleNotExtracted when `error` says the cache folder takes no more files; else return: the error is
    the member's own (a name the file system refuses, a file where the member's folder should be)."""
    if isinstance(error, OSError) and error.errno in _CACHE_REFUSALS:
        raise not_extracted(path, error) from error
