"""What a replay reads of the path it is given: an archive packed in a form the replay cannot read in place is
unpacked once into the replay cache, and the folder that results is replayed instead.

* a WACZ: its WARCs (wacz.py);
* a HAR: its exchanges, converted into a WARC (har.py);
* a ZIP or tar file: its files, then read as the folder they make (bundles.py), every WACZ, HAR, ZIP or tar file
  among them unpacked in its turn, NEWSCRAWL_UNPACK_MAX_DEPTH levels deep (nested.py);
* a folder holding any of these: a folder of its own WARCs (linked), its saved pages and their sidecars (copied
  with their times: a saved page may not lead out of the folder it is read from), and every one of them unpacked
  as it would be alone.

Each archive given, alone or in a folder, may unpack to no more than the NEWSCRAWL_UNPACK_* settings allow
(budget.py): the limits come in with the path, read from the settings of whoever unpacks it (the crawl's checks
and its spider, `newscrawl verify`, `newscrawl reparse`), and are part of the cache key.

The cache is NEWSCRAWL_PLAIN_CACHE, else the system temp folder (where whole-file-gzipped WARCs are inflated too:
wholegzip.py); a folder there is keyed by what it was made from (path, size and modification time of every file,
the version of each unpacking and the limits), made in a staging sibling and renamed whole, so a reader sees a
whole folder or none, and another process making it at the same time costs nothing. Everything the user reads
names the files as they know them (``X.wacz/archive/data.warc.gz``, ``pages.zip/pages/story.html``: shown.py),
never the cache folder; ``newscrawl verify --archive PATH`` and ``newscrawl reparse PATH`` unpack PATH the same way
(the folder is there already), so they find every item's record again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from newscrawl.archive import nested
from newscrawl.archive.budget import Budget, UnpackLimits
from newscrawl.archive.findings import BundleNotExtracted, Findings, UnreadableBundle, not_extracted
from newscrawl.archive.reader import ArchiveProblem
from newscrawl.archive.savednames import is_saved_page, named_otherwise, unread_message
from newscrawl.archive.shown import origin_of, remember_origin, shown_in, shown_name
from newscrawl.archive.warc import files_under, is_warc_file
from newscrawl.archive.wholegzip import cache_folder
from newscrawl.files import unreadable, write_whole

logger = logging.getLogger(__name__)


def replay_root(path: Path, limits: UnpackLimits) -> Path:
    """What a replay of `path` reads (see _replay_root), unpacked within `limits` (the NEWSCRAWL_UNPACK_* settings:
    budget.py): `path` itself, or the folder it was unpacked into, whose files are then named after `path` in what
    the user reads (shown_name)."""
    root = _replay_root(path, limits)
    if root != path:
        remember_origin(root, path)
    return root


def _replay_root(path: Path, limits: UnpackLimits) -> Path:
    """The folder a replay of `path` reads: for a .wacz file its WARCs, extracted once; for a .har file its
    exchanges, converted once into a WARC (har.py); for a ZIP or tar file its files, extracted once (bundles.py),
    every WACZ, HAR, ZIP or tar file among them unpacked in its turn (nested.py); for a folder that holds .wacz,
    .har, ZIP or tar files, a folder of its WARC files, of every such archive unpacked as it would be alone, and of
    its saved pages (a WACZ beside WARCs or pages was not replayed at all, then the pages beside a WACZ were not, and
    a bundle's files were never, then the archives in a bundle in a folder were not); anything else as it is.
    Raises UnreadableBundle (wacz.UnreadableWacz, har.UnreadableHar) for a .wacz, .har, ZIP or tar file that cannot
    be read (in a folder: only when nothing else is left to replay; else each bad one costs one error line),
    BundleNotExtracted when the cache takes no file."""
    kind = nested.kind_of(path)
    if kind is not None and path.is_file():
        made, what = nested.MADE[kind]

        def alone(staging: Path, found: Findings) -> str:
            count = nested.unpack(path, staging, found, Budget(limits, path.stat().st_size), str(path))
            return f"{path}: {count} {made}"

        return _built(path, _key(limits, path, [str(path)]), alone, what)
    if not path.is_dir():
        return path
    unlisted: list[ArchiveProblem] = []  # folders that cannot be listed: the replay tells each (findings)
    files = sorted(file for file in files_under(path, unlisted) if os.path.isfile(file))
    packed = [file for kind in nested.KINDS for file in files if nested.kind_of(file) == kind]
    if not packed:
        return path
    warcs = [file for file in files if is_warc_file(file)]
    taken = {*packed, *warcs}
    pages = [file for file in files if file not in taken and (file.lower().endswith(".url") or is_saved_page(file)
                                                              or named_otherwise(file))]  # told as in the folder

    def combine(staging: Path, found: Findings) -> str:
        for problem in unlisted:
            found.damaged(problem.file, problem.message, kind=problem.kind)
        for warc in warcs:  # linked, not copied: the folder's own WARCs are read where they are
            link = staging / os.path.relpath(warc, path)
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(os.path.abspath(warc))
        copied = 0
        for page in pages:  # copied with their times: a saved page may not lead out of the folder it is read from
            copy = staging / os.path.relpath(page, path)
            copy.parent.mkdir(parents=True, exist_ok=True)
            try:
                shutil.copy2(page, copy, follow_symlinks=False)
            except OSError as error:  # the cache's fault (full, read-only) unless the file cannot be read to its end
                copy.unlink(missing_ok=True)  # a part copied before a read failed is no page
                if unreadable(page, whole=True) is None:
                    raise not_extracted(path, error, "saved pages") from error
                found.damaged(page, unread_message(page, error), kind="io")  # as in a folder read in place
                continue
            copied += 1
        readable = 0
        for file in packed:
            try:  # each archive as it would be alone, with a budget of its own
                nested.unpack(Path(file), staging / os.path.relpath(file, path), found,
                              Budget(limits, os.path.getsize(file)), shown_name(file))
                readable += 1
            except BundleNotExtracted:
                raise
            except UnreadableBundle as error:  # it costs itself: the replay reports it as damaged input
                found.damaged(file, str(error).removeprefix(f"{shown_name(file)}: "), kind=error.kind)
        if not warcs and not copied and not readable:
            kinds = ", ".join(kind for kind in nested.KINDS if any(nested.kind_of(file) == kind for file in packed))
            raise UnreadableBundle(f"{shown_name(str(path))}: none of its {len(packed)} {kinds} files could be read")
        return (f"{shown_name(str(path))}: {readable} WACZ, HAR, ZIP and tar files unpacked, {len(warcs)} WARC files "
                f"linked and {copied} saved pages and sidecars copied")

    return _built(path, _key(limits, path, packed + warcs + pages, "folder"), combine)


def _key(limits: UnpackLimits, path: Path, files: list[str], form: str = "alone") -> str:
    """What an unpacked folder stands for: how newscrawl unpacks (nested.VERSION), within which limits, what was
    given, and the size and modification time of every file it was made from."""
    return "\n".join([f"{nested.VERSION}-{form}", limits.key, str(path.resolve()),
                      *(f"{file}\0{_stamp(file)}" for file in files)])


def _built(path: Path, key: str, build: Callable[[Path, Findings], str], what: str = "WARCs") -> Path:
    """The cache folder for `key` (of `path`, the archive or folder given), made by `build` in a staging sibling and
    renamed whole when missing (a reader sees a whole folder or none); build returns what it did, for the log, and
    records in its Findings what the replay must report, kept beside the folder (findings_of)."""
    try:
        target = cache_folder() / f"unpacked-{hashlib.sha256(key.encode()).hexdigest()[:24]}"
        if target.is_dir():
            return target
        staging = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
    except OSError as error:  # the cache folder cannot be made or written (a file by that name, read-only, full)
        raise not_extracted(path, error, what) from error
    try:
        found = Findings()
        done = build(staging, found)
        found.made = f"{done} to {target}"
        _keep(found, _findings_file(target))  # before the folder: whoever sees the folder sees what it found
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if target.is_dir():  # another process made it first: theirs is as good
            return target
        raise
    logger.info("%s to %s for the replay", done, target)
    return target


def findings_of(root: Path) -> Findings:
    """What unpacking found that a replay of `root` reports (damaged members, entries not replayable); none for a
    folder that was not unpacked, or whose findings cannot be read."""
    if root.resolve().parent != cache_folder(create=False).resolve():
        return Findings()  # the user's own folder: nothing beside it is ours to read
    try:
        kept = json.loads(_findings_file(root).read_text(encoding="utf-8"))
        return Findings([ArchiveProblem(*problem) for problem in kept["problems"]], Counter(kept["skipped"]),
                        made=str(kept.get("made", "")),
                        kept_cut={str(member): int(index) for member, index in kept.get("kept_cut", {}).items()})
    except (OSError, ValueError, KeyError, TypeError):
        return Findings()


_NAMED = 3
"""Files named in the line telling that an unpacked archive holds nothing to replay; the rest only counted."""


def unpacked_holds(root: Path) -> str | None:
    """What the folder `root`, unpacked for an archive the user gave, holds, said as they know it, for the line
    telling them it holds nothing to replay (replay.source_kind): its files (the first few named, as members of
    the archive) and the damage unpacking found (the first told), which is often why; None when `root` is no such
    folder (the user's own, named as it is)."""
    if origin_of(root) is None:
        return None
    files = sorted(os.path.relpath(file, root).replace(os.sep, "/") for file in files_under(root))
    named = ", ".join(files[:_NAMED]) + (", …" if len(files) > _NAMED else "")
    held = f"{len(files)} file{'s' * (len(files) != 1)} ({named})" if files else "no file"
    problems = findings_of(root).problems
    if problems:
        first = f"{problems[0].file}: {problems[0].message}".replace("\n", " ")
        told = f"{len(problems)} problems, the first" if len(problems) > 1 else "a problem"
        held += f"; unpacking it found {told}: {first}"
    return held


def _findings_file(folder: Path) -> Path:
    return folder.with_name(folder.name + ".findings.json")


def _keep(found: Findings, file: Path) -> None:
    problems = [[shown_name(problem.file), problem.offset, problem.kind, shown_in(problem.message)]
                for problem in found.problems]
    kept_cut = {shown_name(member): index for member, index in found.kept_cut.items()}
    write_whole(file, json.dumps({"problems": problems, "skipped": dict(sorted(found.skipped.items())),
                                  "made": found.made, "kept_cut": kept_cut}, ensure_ascii=False).encode("utf-8"))


def _stamp(file: str) -> str:
    """What must be unchanged for an extraction to stand for the file: its size, modification time and change time
    (a chmod that makes a file that could not be read readable changes only that: it is then copied)."""
    info = os.stat(file)
    return f"{info.st_size}\0{info.st_mtime_ns}\0{info.st_ctime_ns}"
