"""A ZIP's or tar's members written into the replay cache, the one writer of bundles.py (every file of a ZIP or tar)
and wacz.py (a WACZ's WARCs): each member whole or not at all, within the budget of what its archive may unpack to
(budget.py).

* nothing lands outside the folder written to: a member's name loses its drive, root, ``.`` and ``..`` parts, as
  zipfile's own extract() sanitises it;
* a member is written to ``NAME.partial`` and renamed when it was read to its end (zipfile checks the CRC only
  there): a member cut short or damaged is removed, never replayed, where zipfile's extract() left what it had
  written, a page read as a whole one or a WARC read up to its cut;
* one member that cannot be read (a bad CRC, a cut, an encrypted member, an unknown compression, a name the file
  system refuses) or would pass the budget costs only itself: one damaged-input line naming ``ARCHIVE/MEMBER``;
* a cache folder that takes no file (full, read-only) stops the unpacking (BundleNotExtracted): no member after it
  would be written either;
* a ZIP cut short, read from its members' own headers (zipscan.py), is one damaged-input line naming it and saying
  after how many files it was cut; its whole members are written as above, and the member the cut fell in is
  written as far as it goes only where its caller keeps it so (a WACZ's WARC, whose records before the cut are
  whole; the ZIP's line then tells the record the cut lost too: Findings.kept_cut), never a bundle's file (half a
  page is not the article);
* a tar is one stream, read in order (write_tar_member): its members pass Python's ``data`` extraction filter (PEP
  706: no absolute or ``..`` names, no links that lead out, no device files) and are written as a ZIP's are, so a tar
  or .tar.gz cut short gives every member before the cut and none of the one it fell in, which tarfile's extract()
  wrote half before it removed it, over an earlier member of the same name; a hard link is a copy of the member it
  names, within the budget like any file (tarfile extracted the member it names again, past the budget, when that
  one was not written), and a symbolic link one that leads inside the folder.
"""

from __future__ import annotations

import errno
import lzma
import os
import tarfile
import zipfile
import zlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO

from newscrawl.archive.budget import Budget
from newscrawl.archive.findings import Findings, damage_kind, not_extracted
from newscrawl.archive.zipscan import ScannedZip

MAC_METADATA = "__MACOSX/"
"""macOS's folder of AppleDouble companions in a ZIP it made: not files of the archive's own."""

READ_ERRORS = (zipfile.BadZipFile, tarfile.TarError, RuntimeError, NotImplementedError, EOFError, ValueError, OSError,
               zlib.error, lzma.LZMAError)
"""What reading one member raises: a bad CRC, an encrypted member, an unknown compression, a deflate, gzip, bzip2 or
xz stream cut short or damaged, a tar's data ending early."""
_CHUNK = 1 << 20

_CACHE_REFUSALS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM})
"""Errors that say the cache folder takes no file, whichever member is written: the replay cannot go on."""


@dataclass(frozen=True)
class Written:
    """What extract_members did: members wanted (by `wanted`) and written."""

    wanted: int
    written: int


def extract_members(archive: zipfile.ZipFile, into: Path, found: Findings, budget: Budget, name: str,
                    wanted: Callable[[zipfile.ZipInfo], bool], dated: Callable[[zipfile.ZipInfo, Path], None],
                    what: str, keep_cut: bool = False) -> Written:
    """Each member of `archive` that `wanted` takes into `into` (module docstring), dated by `dated` (the member's
    own time for a bundle, the WACZ's for its WARCs). `name`: the archive as the user knows it, for messages
    (``deliveries/2026-11.zip``, or ``outer.zip/inner.wacz`` for one nested in another); `what` its files in the
    cache-refusal line ("files", "WARCs"); `keep_cut`: whether a member cut by the end of a ZIP cut short is
    written as far as it goes."""
    chosen = written = 0
    before = len(found.problems)
    for member in archive.infolist():
        target = member_target(into, member.filename)
        if target is None or member.is_dir() or not wanted(member):  # ZipInfo.is_dir() fails on an empty name
            continue
        chosen += 1
        written += write_member(f"{name}/{member.filename}", member.file_size, target, partial(archive.open, member),
                                partial(dated, member), found, budget, name, what)
    if isinstance(archive, ScannedZip):
        if archive.read_failure is not None:  # a read the disk failed: one line for all it cost (_cut_short)
            lost = [problem for problem in found.problems[before:] if problem.kind == "io"]
            found.problems[before:] = [problem for problem in found.problems[before:] if problem.kind != "io"]
            archive.lost = len(lost)
        cut = _cut_short(archive, into, found, budget, name, wanted, dated, what, keep_cut)
        chosen, written = chosen + (cut is not None), written + bool(cut)
    return Written(chosen, written)


def _cut_short(archive: ScannedZip, into: Path, found: Findings, budget: Budget, name: str,
               wanted: Callable[[zipfile.ZipInfo], bool], dated: Callable[[zipfile.ZipInfo, Path], None], what: str,
               keep: bool) -> bool | None:
    """The one line saying where `archive`, read from its members' headers, ended, and the member the end of the
    file cut written as far as it goes when `keep`; whether it was written, None when no such member is wanted."""
    member = archive.cut
    target = None if member is None else member_target(into, member.filename)
    kind = "io" if archive.read_failure is not None else ""
    if member is None or target is None or not wanted(member):
        found.damaged(name, archive.damage(), kind=kind)
        return None
    fate, kept = "not extracted: a file cut short is not the file", 0
    try:
        kept = _write_cut(archive, target, budget) if keep else 0
        if kept > 0:
            dated(member, target)
            fate = f"its first {kept} bytes kept, up to the cut"
        elif kept < 0:
            fate = budget.refusal(-kept)
        elif keep:
            fate = "not extracted: nothing of it can be read"
    except OSError as error:
        refused_by_cache(name, error, what)
        fate = f"not extracted: {error}"
    found.damaged(name, archive.damage(fate), f"{name}/{target.relative_to(into).as_posix()}" if kept > 0 else None,
                  kind)
    return kept > 0


def _write_cut(archive: ScannedZip, target: Path, budget: Budget) -> int:
    """The cut member's bytes, as far as they go, into `target` (through ``NAME.partial``, so a cache that fills
    leaves no half of it) within `budget`: how many bytes; minus as many when it passed the budget."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial, size = target.with_name(target.name + ".partial"), 0
    try:
        with open(partial, "wb") as sink:
            for chunk in archive.cut_chunks():
                size += len(chunk)
                if size > budget.left:
                    return -size
                sink.write(chunk)
        if size and budget.take(size):
            os.replace(partial, target)
        return size
    finally:
        partial.unlink(missing_ok=True)


def member_target(into: Path, name: str) -> Path | None:
    """Where member `name` is written under `into`: its name without drive, root, "." and ".." parts (as zipfile
    sanitises it, so nothing lands outside); None for a folder, an empty name or macOS's metadata folder."""
    parts = [part for part in name.replace("\\", "/").split("/") if part not in ("", ".", "..")]
    if parts and len(parts[0]) == 2 and parts[0][1] == ":":  # a Windows drive letter
        parts = parts[1:]
    if not parts or name.endswith("/") or name.startswith(MAC_METADATA):
        return None
    return into.joinpath(*parts)


def write_member(shown: str, size: int, target: Path, opened: Callable[[], AbstractContextManager[IO[bytes]]],
                 dated: Callable[[Path], None], found: Findings, budget: Budget, archive: str, what: str = "files",
                 streamed: bool = False) -> bool:
    """The `size` bytes of one member (`shown`: ``ARCHIVE/MEMBER`` as the user knows it; `opened` gives its bytes)
    into `target`, dated by `dated`, whole or not at all, within `budget`: whether it was written. One that would
    pass the budget, cannot be read or cannot be written is one line in `found` and costs only itself;
    BundleNotExtracted when the cache folder takes no file (`archive`, `what`: for that line). `streamed`: the
    archive is one stream (a tar), so what fails reading the member is the archive's own, raised as it is once the
    member's partial file is removed: nothing after it can be read."""
    if not budget.take(size):
        found.damaged(shown, budget.refusal(size))
        return False
    try:
        _write_whole(opened, target, dated)
        return True
    except _Unread as unread:
        if streamed:
            raise unread.error from None
        error: BaseException = unread.error
    except (OSError, ValueError) as unwritten:  # the member's own (a name the file system refuses) or the cache's
        error = unwritten
    refused_by_cache(archive, error, what)
    found.damaged(shown, f"not extracted: {error}", kind=damage_kind(error))  # "io": a read the disk failed
    return False


class _Unread(Exception):
    """Reading a member failed (READ_ERRORS): `error`, whatever writing it would have raised."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


def _write_whole(opened: Callable[[], AbstractContextManager[IO[bytes]]], target: Path,
                 dated: Callable[[Path], None]) -> None:
    """The member's bytes into `target`, whole or not at all: written to ``NAME.partial``, dated, and renamed once
    read to its end (zipfile checks the CRC only there; a tar's data ends early only there). _Unread for what
    reading raised; an OSError for what writing did."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial_file = target.with_name(target.name + ".partial")
    try:
        with open(partial_file, "wb") as sink:
            try:
                with opened() as source:
                    while chunk := source.read(_CHUNK):
                        try:
                            sink.write(chunk)
                        except OSError as error:
                            raise _Written(error) from error
            except _Written as written:
                raise written.error from None
            except READ_ERRORS as error:
                raise _Unread(error) from error
        dated(partial_file)
        os.replace(partial_file, target)
    finally:
        partial_file.unlink(missing_ok=True)


class _Written(Exception):
    """Writing a chunk failed: `error`, told apart from what reading the member raises."""

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error


def write_tar_member(archive: tarfile.TarFile, member: tarfile.TarInfo, into: Path, found: Findings, budget: Budget,
                     name: str) -> bool:
    """One member of the tar `archive`, read in order, into `into` (module docstring): whether a file or link was
    written. What fails reading the tar is raised as it is (nothing after it can be read); anything else costs only
    the member, one line in `found` (`name`: the tar as the user knows it)."""
    shown = f"{name}/{member.name}"
    try:  # checked where it is written, after every member before it: a link they made is followed
        member = tarfile.data_filter(member, str(into))
    except tarfile.FilterError as error:
        found.damaged(shown, f"not extracted: {error}")
        return False
    target = member_target(into, member.name)
    if target is None:
        return False
    if member.issym():
        return _linked(member.linkname, target, shown, found, name)
    stamp = member.mtime

    def dated(path: Path) -> None:
        os.utime(path, (stamp, stamp))

    if member.islnk():  # a copy of the file it names, as written here: none when that one was not
        source = member_target(into, member.linkname)
        if source is None or not source.is_file() or source.is_symlink():
            found.damaged(shown, f"not extracted: a hard link to {member.linkname}, which is no file extracted "
                                 "before it")
            return False
        return write_member(shown, source.stat().st_size, target, partial(_file_data, source), dated, found, budget,
                            name)
    if not member.isreg():
        found.damaged(shown, f"not extracted: not a file, folder or link (tar type {member.type!r})")
        return False
    return write_member(shown, member.size, target, partial(_tar_data, archive, member), dated, found, budget, name,
                        streamed=True)


def _file_data(path: Path) -> IO[bytes]:
    return open(path, "rb")


def _tar_data(archive: tarfile.TarFile, member: tarfile.TarInfo) -> IO[bytes]:
    data = archive.extractfile(member)
    assert data is not None  # a regular file's data, which extractfile always gives
    return data


def _linked(link: str, target: Path, shown: str, found: Findings, name: str) -> bool:
    """A symbolic link to `link` (which the data filter let through: it leads inside the folder) at `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial_link = target.with_name(target.name + ".partial")
    try:
        partial_link.unlink(missing_ok=True)
        partial_link.symlink_to(link)
        os.replace(partial_link, target)
        return True
    except OSError as error:
        refused_by_cache(name, error)
        found.damaged(shown, f"not extracted: {error}")
        return False
    finally:
        partial_link.unlink(missing_ok=True)


def refused_by_cache(name: str, error: BaseException, what: str = "files") -> None:
    """Raise BundleNotExtracted when `error` says the cache folder takes no more files; else return: the error is
    the member's own (a name the file system refuses, a file where the member's folder should be)."""
    if isinstance(error, OSError) and error.errno in _CACHE_REFUSALS:
        raise not_extracted(name, error, what) from error
