"""The language detector's tables, prepared once per machine and memory-mapped by every process after.

Preparing them from py3langid's model (extract/langid_tables.py) costs ~1 s per process: ~1 ms per page of a
1,000-page replay, and again in every process of a parallel replay. So the language pipeline loads them through this
cache: plain .npy files under NEWSCRAWL_CACHE_DIR, else $XDG_CACHE_HOME/newscrawl, else ~/.cache/newscrawl, in a
folder named after the py3langid version, the model file's size and content digest and the tables' FORMAT, memory-mapped
read-only (a few milliseconds; processes share the pages, only touched rows are resident). Writing lives here, in
the pipeline layer, and not in extract/, which stays free of side effects: extract receives the loaded tables.

An unwritable cache folder costs one warning line and the preparation time: the tables are then kept in memory.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
from functools import cache
from importlib.metadata import version
from pathlib import Path

import numpy as np
from py3langid.langid import MODEL_DIR, MODEL_FILE

from newscrawl import meta
from newscrawl.extract.langid_fast import FastIdentifier
from newscrawl.extract.langid_tables import ARRAYS, FORMAT, Tables

logger = logging.getLogger(__name__)


def load_tables(cache_root: Path | None = None) -> Tables:
    """The prepared tables, memory-mapped from the cache; prepared and stored there first if missing."""
    folder = (cache_root or meta.cache_root()) / _cache_name()
    try:
        tables = _read(folder)
    except (OSError, ValueError, KeyError, TypeError):
        pass  # not prepared yet (or a damaged folder): prepare again
    else:
        _forget_unused(folder)
        return tables
    tables = Tables.from_model()
    try:
        _write(tables, folder)
    except OSError as error:
        logger.warning("Language tables cannot be cached in %s (%s): kept in memory, ~1 s per process; set "
                       "NEWSCRAWL_CACHE_DIR to a writable folder", folder, error)
        return tables
    try:
        mapped = _read(folder)  # the memory-mapped copy: shared pages, not ~95 MB of this process's own
    except (OSError, ValueError, KeyError, TypeError):
        return tables
    _forget_unused(folder)
    return mapped


KEEP_OTHERS = 2
"""Prepared tables kept besides the ones in use: those of the most recently used other models (the previous
py3langid, or an older FORMAT). Folders were once named by the model file's mtime, which every install of py3langid
renews, so a folder per install (95 MB each) piled up in the user's cache: 3.2 GB after a day of clean clones."""
_FOLDER_NAME = re.compile(r"langid-[^/]+-\d+-[0-9a-f]+-f\d+")  # _cache_name(), or an mtime-named one of older
# releases; a staging folder has a suffix after it


def _forget_unused(in_use: Path) -> None:
    """Mark `in_use` as just used, and remove the prepared tables of all but the KEEP_OTHERS most recently used
    other installs. A process still mapping a removed folder's files keeps its pages (the files are unlinked, not
    truncated); one about to read it prepares the tables again."""
    with contextlib.suppress(OSError):
        os.utime(in_use / "meta.json")
    others = []
    with contextlib.suppress(OSError):
        for folder in in_use.parent.iterdir():
            if folder != in_use and _FOLDER_NAME.fullmatch(folder.name) and folder.is_dir():
                with contextlib.suppress(OSError):
                    others.append(((folder / "meta.json").stat().st_mtime_ns, folder))
    removed = [folder for _, folder in sorted(others, reverse=True)[KEEP_OTHERS:]]
    for folder in removed:
        shutil.rmtree(folder, ignore_errors=True)
    if removed:
        logger.info("Removed %d language-table caches of other py3langid installs unused the longest (%s)",
                    len(removed), ", ".join(folder.name for folder in removed))


class LanguageTablesUnavailable(OSError):
    """The tables could not be prepared: py3langid unpacks its model into the temporary folder, which refused it."""


_unavailable: dict[Path | None, LanguageTablesUnavailable] = {}


def shared_identifier(cache_root: Path | None = None) -> FastIdentifier:
    """One detector per process (and cache folder), loaded on first use: pipelines of one process share it.

    A failure to prepare the tables is kept too: every later article would unpack the model again (~1 s) to fail
    the same way while the crawl stops (monitoring/scratch.py DiskFullGuard, on a full disk)."""
    if cache_root in _unavailable:
        raise _unavailable[cache_root]
    try:
        return _identifier(cache_root)
    except OSError as error:
        refused = LanguageTablesUnavailable(f"cannot prepare the language detector's tables: {error.strerror or error}"
                                            f" (py3langid unpacks its model into the temporary folder "
                                            f"{tempfile.gettempdir()}, TMPDIR)")
        refused.errno = error.errno  # what it was: a full disk stops the crawl (DiskFullGuard)
        _unavailable[cache_root] = refused
        raise refused from error


@cache
def _identifier(cache_root: Path | None) -> FastIdentifier:
    return FastIdentifier(load_tables(cache_root))


@cache
def _cache_name() -> str:
    """Named by the model's bytes, not its file's time: every virtual environment, clean clone and reinstall of one
    py3langid release holds a copy of one model, and they share one prepared folder. Named by mtime, each install
    had its own, and on a machine running several installs at once (CI clones, worktrees) each evicted the others'
    (KEEP_OTHERS), so every process of theirs prepared the tables again (~1 s) and wrote 95 MB. Digesting the
    ~4.5 MB model costs a few milliseconds, once per process."""
    model = MODEL_DIR / MODEL_FILE
    digest = hashlib.blake2b(digest_size=8)
    with model.open("rb") as fh:  # not hashlib.file_digest: Python 3.10 lacks it
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return f"langid-{version('py3langid')}-{model.stat().st_size}-{digest.hexdigest()}-f{FORMAT}"


def _read(folder: Path) -> Tables:
    description = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    # Plain ndarray views of the maps: np.memmap's subclass hooks would run on every array operation.
    arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False).view(np.ndarray)
              for name in ARRAYS}
    return Tables.from_description(description, arrays)


def _write(tables: Tables, folder: Path) -> None:
    """All files into a temporary sibling, then one rename: a reader sees a whole folder or none."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=folder.parent))
    try:
        for name in ARRAYS:
            np.save(staging / f"{name}.npy", np.ascontiguousarray(tables.arrays[name]), allow_pickle=False)
        (staging / "meta.json").write_text(json.dumps(tables.description()), encoding="utf-8")
        os.replace(staging, folder)
    except OSError:
        with contextlib.suppress(OSError):  # a disk that refused the files may refuse their removal too
            for path in staging.iterdir():
                path.unlink()
            staging.rmdir()
        if not (folder / "meta.json").exists():
            raise
        # another process got there first: theirs is as good
