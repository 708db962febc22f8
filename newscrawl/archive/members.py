"""A ZIP's members written into the replay cache, the one writer of bundles.py (every file of a ZIP) and wacz.py (a
WACZ's WARCs): each member whole or not at all, within the budget of what its archive may unpack to (budget.py).

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
  whole), never a bundle's file (half a page is not the article).
"""

from __future__ import annotations

import errno
import lzma
import os
import shutil
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from newscrawl.archive.budget import Budget
from newscrawl.archive.findings import Findings, not_extracted
from newscrawl.archive.zipscan import ScannedZip

MAC_METADATA = "__MACOSX/"
"""macOS's folder of AppleDouble companions in a ZIP it made: not files of the archive's own."""

_MEMBER_ERRORS = (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, ValueError, OSError, zlib.error,
                  lzma.LZMAError)
"""What reading or writing one member raises: a bad CRC, an encrypted member, an unknown compression, a deflate
stream cut short or damaged, a name the file system refuses."""

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
    for member in archive.infolist():
        target = member_target(into, member.filename)
        if member.is_dir() or target is None or not wanted(member):
            continue
        chosen += 1
        if not budget.take(member.file_size):
            found.damaged(f"{name}/{member.filename}", budget.refusal(member.file_size))
            continue
        try:
            _write_member(archive, member, target)
            dated(member, target)
        except _MEMBER_ERRORS as error:
            refused_by_cache(name, error, what)
            found.damaged(f"{name}/{member.filename}", f"not extracted: {error}")
            continue
        written += 1
    if isinstance(archive, ScannedZip):
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
    if member is None or target is None or not wanted(member):
        found.damaged(name, archive.damage())
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
    found.damaged(name, archive.damage(fate))
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


def refused_by_cache(name: str, error: BaseException, what: str = "files") -> None:
    """Raise BundleNotExtracted when `error` says the cache folder takes no more files; else return: the error is
    the member's own (a name the file system refuses, a file where the member's folder should be)."""
    if isinstance(error, OSError) and error.errno in _CACHE_REFUSALS:
        raise not_extracted(name, error, what) from error
