"""An archive's index, kept on disk after its first build, so the next replay, reparse or audit of the same files
starts without reading the whole archive again.

Building an index reads and digest-checks every record (warc.ArchiveIndex.build_now): ~0.2 ms per page, paid again
by every re-parse after a parser fix. The index is built into a SQLite file (indexdb.py: the captures, problems,
skipped-record counts, warcinfo), and that file is kept here, one per archive path, under NEWSCRAWL_CACHE_DIR (else
$XDG_CACHE_HOME/newscrawl, else ~/.cache/newscrawl) in `archive-index/`: a later replay opens it as it is, whatever
the archive's size. It is used only while every file of the archive is the one it was built from: same list of
files, and for each the same size, modification and change time and inode; anything else is built again and the
cached file replaced. It also keeps the SHA-256 of each file whose digest the building process knew (filedigest.py:
a replay and `newscrawl verify` hash the files before they build the index), so that a later replay names its input
(replay.input_sha256) without reading the archive again. Archives still being written (a `.open` file) are never cached. It is also used
only by the code that built it (`builder()`, a digest of the archive-reading modules): an upgrade that reads archives
better (a record it could not read before) must not be answered with the old reading.

SQLite, not pickle: the cache folder is shared by every run of the user, and loading it must not run code. A cache
that cannot be read is rebuilt; one that cannot be written costs one warning and the next run's rebuild.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from newscrawl import __version__
from newscrawl.archive.indexdb import SCRATCH_PREFIX, IndexStore
from newscrawl.archive.shown import shown_name

logger = logging.getLogger(__name__)

FORMAT = 8
"""Bumped whenever the stored fields or their meaning change: an older file is then rebuilt, never misread.
2: the responses that may redirect by meta refresh ("refreshing"). 3: each capture's canonical URL ("canonical").
4: the pages labelled as unknown bytes ("unlabelled_pages", sniff.py). 5: a SQLite file (indexdb.py), not JSON;
6: a capture's canonical form stored only where it differs from its URL. 7: each file's SHA-256 ("sha256",
filedigest.py; only those the building process knew), which a replay names its input by. 8: how many captures'
payload digests match nothing while their block digests prove them ("payload_digests_unmatched"), which were
damaged before."""
SUFFIX = ".sqlite"
FOLDER = "archive-index"
KEEP = 256
"""Cached indexes kept: the least recently used beyond this are deleted when one is stored (one file per archive
path, and tests or scratch replays name many)."""
KEEP_BYTES = 2 * 1024**3
"""...and beyond this many bytes of them (an index is a few hundred bytes per capture: 256 indexes of million-page
archives would fill a disk). The newest is kept whatever its size."""

SCRATCH_DAYS = 1
"""A build's file left in the cache folder by a process killed while building is deleted after this many days (a
build still running is younger)."""

Identity = list[list[Any]]
"""Per file: [name as listed, size, mtime_ns, ctime_ns, inode]."""


def file_identity(files: list[Path]) -> Identity:
    """What must be unchanged for an index built earlier to answer for these files (OSError when one cannot be
    stat-ed). The one definition of "the same files", also for the index a parallel replay builds ahead."""
    found: Identity = []
    for file in files:
        info = file.stat()
        found.append([str(file), info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino])
    return found


def identity(files: list[Path]) -> Identity | None:
    """file_identity, or None when the archive must not be cached (a file still being written, or one that cannot
    be stat-ed)."""
    if any(file.name.endswith(".open") for file in files):
        return None
    try:
        return file_identity(files)
    except OSError:
        return None


def cache_file(folder: Path, path: Path) -> Path:
    """One file per archive as named on the command line (and, for a relative name, from this working directory:
    entries keep the file names as listed, relative when the archive path is)."""
    where = str(path) if path.is_absolute() else f"{Path.cwd()}\n{path}"
    return folder / FOLDER / f"{hashlib.sha256(where.encode()).hexdigest()[:32]}{SUFFIX}"


_BUILDER_MODULES = ("arc.py", "codings.py", "exchanges.py", "filedigest.py", "indexcache.py", "indexparts.py",
                    "reader.py", "revisits.py", "sniff.py", "warc.py", "wholegzip.py")
"""The modules whose code decides what an index holds (archive/: how records are found, read, paired and judged)."""


@functools.cache
def builder() -> str:
    """A digest of the code that builds indexes: a cached index is used only by the code that made it."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in _BUILDER_MODULES:
        try:
            digest.update(name.encode() + b"\0" + (here / name).read_bytes())
        except OSError:  # installed without its sources (a zip, say): the release names the code
            digest.update(f"{name}\0{__version__}".encode())
    return digest.hexdigest()[:16]


def load(folder: Path, path: Path, files: Identity) -> Path | None:
    """The stored index file of `path` if it was built from exactly these files by this code, else None."""
    found = _valid(folder, path, files)
    if found is None:
        return None
    with contextlib.suppress(OSError):
        os.utime(found[0])  # recently used: pruned last
    return found[0]


def file_digests(folder: Path, path: Path, files: Identity) -> dict[str, str]:
    """Each file's SHA-256 (hex) by its name as listed, as the stored index of `path` recorded it when built, if
    it was built from exactly these files by this code; else {}. Only the index's facts are read, no archive byte."""
    found = _valid(folder, path, files, quiet=True)  # the build that follows tells of a cache it cannot read
    digests = found[1].get("sha256") if found is not None else None
    if not isinstance(digests, dict):
        return {}
    return {str(name): digest for name, digest in digests.items() if isinstance(digest, str)}


def _valid(folder: Path, path: Path, files: Identity, quiet: bool = False) -> tuple[Path, dict[str, Any]] | None:
    """The stored index file of `path` and its facts (IndexStore.meta), if it was built from exactly these files
    by this code; else None."""
    target = cache_file(folder, path)
    if not target.exists():
        return None
    try:
        store = IndexStore(target)
        try:
            meta = store.meta()
        finally:
            store.close()
    except (sqlite3.Error, OSError, ValueError) as exc:
        if not quiet:
            logger.info("Archive index cache %s unreadable (%s): building the index again", target, exc)
        return None
    if meta.get("format") != FORMAT or meta.get("files") != files or meta.get("builder") != builder():
        return None
    return target, meta


def build_folder(folder: Path) -> Path | None:
    """Where an index to be cached is built (beside the cache files, so that keeping it is one rename); None when
    the folder cannot be made (the index is then built in the system's temporary folder, and not kept)."""
    target = folder / FOLDER
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return target


def store(folder: Path, path: Path, files: Identity, index: IndexStore) -> Path | None:
    """Keep a freshly built index file as `path`'s cached index: its identity written into it, then one rename
    (a reader sees a whole file or none); the cached file's path, None when it could not be kept."""
    target = cache_file(folder, path)
    if index.path is None:  # built in memory: nothing to keep
        return None
    try:
        index.set_meta({"format": FORMAT, "builder": builder(), "archive": str(path), "files": files})
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(index.path, target)
        _prune(target.parent)
    except (OSError, sqlite3.Error) as exc:
        logger.warning("Archive index of %s cannot be cached in %s (%s): the next replay reads the whole archive "
                       "again; set NEWSCRAWL_CACHE_DIR to a writable folder", shown_name(str(path)), target.parent, exc)
        return None
    return target


def forget(cached: Path) -> None:
    """Delete a cached index found not to match its archive."""
    with contextlib.suppress(OSError):
        cached.unlink()


def _prune(folder: Path) -> None:
    """Keep the most recently used indexes, at most KEEP of them and KEEP_BYTES together (the newest always)."""
    cached = []
    for file in folder.iterdir():
        if file.suffix == ".json":  # an index cached by an older release, as JSON: never read again
            with contextlib.suppress(OSError):
                file.unlink()
            continue
        if file.suffix != SUFFIX:
            continue
        with contextlib.suppress(OSError):
            info = file.stat()
            if file.name.startswith(SCRATCH_PREFIX):  # a build in progress, or one a killed process left
                if time.time() - info.st_mtime > SCRATCH_DAYS * 86400:
                    file.unlink()
                continue
            cached.append((info.st_mtime_ns, info.st_size, file))
    total = 0
    for kept, (_, size, file) in enumerate(sorted(cached, key=lambda found: found[:2], reverse=True)):
        total += size
        if kept and (kept >= KEEP or total > KEEP_BYTES):
            with contextlib.suppress(OSError):
                file.unlink()
