"""Archives inside archives: a WACZ, HAR, ZIP or tar file among a ZIP's or tar's files is unpacked in its turn, the
same whether the outer one was given alone (``replay=outer.zip``) or found in a folder given.

A delivery packs what it was handed: a ZIP of a month's WACZ files, a tar of HAR recordings, a ZIP of ZIPs. Each
archive inside is unpacked where it lay, into a folder named as the file was (``outer.zip/inner.wacz/archive/…``),
so its files keep the names shown.py gives them in everything the user reads, and the archive file itself is not
kept: what is replayed holds no archive left to unpack, so unpacking it again changes nothing. Every level draws on
the budget of the archive given (budget.py), and NEWSCRAWL_UNPACK_MAX_DEPTH levels (3 unless set; also budget.py)
are unpacked at most: an archive deeper than that is one damaged-input line naming it, and so is one inside that
cannot be read; each costs only itself. Deeper nesting is no delivery anyone packs on purpose (a ZIP quine unpacks
into itself until the budget runs out), but a setting lets a user unpack one that is, as -s raises the budget.

The archives in a bundle are unpacked in the order of their names, each from the bytes and times its bundle gave
it, so the same bundle gives the same folder, and feed, on any machine.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from newscrawl.archive import bundles, har, wacz
from newscrawl.archive.budget import MAX_DEPTH_SETTING, Budget
from newscrawl.archive.findings import BundleNotExtracted, Findings, UnreadableBundle, not_extracted
from newscrawl.archive.savednames import named_otherwise
from newscrawl.archive.warc import files_under
from newscrawl.files import read_failed, unreadable

VERSION = f"{wacz.EXTRACTION}-{har.CONVERSION}-{bundles.EXTRACTION}-nested-3"
"""Part of every unpacked folder's cache key: what each kind of archive, and this nesting, writes (2: a gzip stream
damaged gives all it inflates up to the damaged byte, gunzipstream.py: a .har.gz's entries, a .tar.gz's members;
3: a page saved under an archive's name is copied as a page named otherwise, a read the disk fails partway keeps
what came before it)."""

KINDS = {"WACZ": (wacz.SUFFIX,), "HAR": har.SUFFIXES, "ZIP or tar": bundles.SUFFIXES}
"""Each kind of archive unpacked, by the ends of its names (a .wacz is a ZIP too, but only its WARCs are read)."""

MADE = {"WACZ": ("WARC files extracted", "WARCs"), "HAR": ("responses converted to a WARC", "WARC"),
        "ZIP or tar": ("files extracted", "files")}
"""Per kind, what its count says in the log, and what the cache refused when it refuses it."""


def kind_of(file: str | Path) -> str | None:
    """The kind of archive `file` is by its name (KINDS), or None for any other file, and for an HTML page saved
    under such a name (``curl -o session.har URL``): a page named otherwise (savednames.named_otherwise), told as
    one, not unpacked into a damaged archive's line."""
    lowered = str(file).lower()
    kind = next((kind for kind, suffixes in KINDS.items() if lowered.endswith(suffixes)), None)
    return None if kind is None or named_otherwise(str(file)) else kind


def unpack(path: Path, into: Path, found: Findings, budget: Budget, name: str, depth: int = 1) -> int:
    """The archive at `path` unpacked into `into`, the archives inside it too (module docstring); how many WARC
    files, responses or files its own unpacking gave (MADE). `name`: the archive as the user knows it; `depth`:
    its level (1 for the archive given). Raises UnreadableBundle (UnreadableWacz, UnreadableHar) when it cannot be
    read (of kind "io" when the OS will not let it be read at all), BundleNotExtracted when the cache folder takes
    no file."""
    refused = unreadable(path)
    if refused is not None:
        raise UnreadableBundle(f"{name}: cannot be read: {refused}", kind="io")
    try:
        return _unpack(path, into, found, budget, name, depth)
    except OSError as error:  # a read the disk failed partway (EIO) where no reader below kept what came before it
        if not read_failed(error):
            raise
        raise UnreadableBundle(f"{name}: a read of it failed, so none of it is replayed: {error}", "io") from error


def _unpack(path: Path, into: Path, found: Findings, budget: Budget, name: str, depth: int) -> int:
    kind = kind_of(path)
    if kind == "WACZ":
        return wacz.extract_warcs(path, into, found, budget, name)
    if kind == "HAR":
        return har.convert(path, into, found, name)
    before = len(found.problems)
    made = bundles.extract(path, into, found, budget, name)
    inside = sorted(file for file in files_under(into) if kind_of(file) and os.path.isfile(file))
    for file in inside:
        _unpack_inside(Path(file), found, budget, f"{name}/{os.path.relpath(file, into)}", depth + 1)
    if not any(files_under(into)):  # only archives were in it, and none could be unpacked
        raise UnreadableBundle(f"{name}: none of the {len(inside)} archives in it could be unpacked"
                               f"{found.last(before)}")
    return made


def _unpack_inside(file: Path, found: Findings, budget: Budget, name: str, depth: int) -> None:
    """The archive `file`, found at level `depth`, unpacked into a folder of its own name, which then stands where
    the file was; the file is removed whether it could be unpacked or not."""
    levels = budget.limits.max_depth
    if depth > levels:
        file.unlink()
        found.damaged(name, f"not unpacked: a {kind_of(file)} file at level {depth} of archives in archives, past "
                            f"the {levels} level{'s' * (levels != 1)} unpacked (raise {MAX_DEPTH_SETTING}, or unpack "
                            "the archive it is in by hand)")
        return
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{file.name}.", dir=file.parent))
    except OSError as error:  # the cache folder takes nothing more (full, read-only)
        raise not_extracted(name, error) from error
    try:
        unpack(file, staging, found, budget, name, depth)
    except BundleNotExtracted:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    except UnreadableBundle as error:  # it costs itself: the replay reports it as damaged input
        shutil.rmtree(staging, ignore_errors=True)
        file.unlink()
        found.damaged(name, str(error).removeprefix(f"{name}: "), kind=error.kind)
        return
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    file.unlink()
    os.replace(staging, file)
