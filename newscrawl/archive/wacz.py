"""WACZ files (Web Archive Collection Zipped) as replay sources: what Browsertrix Crawler, ArchiveWeb.page and
Webrecorder write, and what `newscrawl pack` writes for them.

A WACZ (https://specs.webrecorder.net/wacz/1.1.1/) is a ZIP holding WARC files under ``archive/``, beside indexes,
a page list and a datapackage. The replay needs only the WARCs: they are extracted once into a folder in a cache
(NEWSCRAWL_PLAIN_CACHE, else the system temp folder, as whole-file-gzipped WARCs are inflated: wholegzip.py), keyed
by the WACZ's path, size and modification time, and that folder is replayed like any folder of WARCs. Items name
the WARC inside the WACZ (``provenance.archive.file``: ``data.warc.gz``) with its offsets, exactly as a replay of
the extracted WARCs would, so ``newscrawl verify --archive X.wacz`` finds them again the same way. The WACZ's own
indexes are not trusted for offsets: the replay indexes the WARCs itself, checking every record's digest.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from newscrawl.archive.wholegzip import cache_folder

logger = logging.getLogger(__name__)

SUFFIX = ".wacz"
_WARC_MEMBER_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")


class UnreadableWacz(ValueError):
    """The file is named .wacz but is not a ZIP that can be read."""


def is_wacz(path: Path) -> bool:
    return path.name.lower().endswith(SUFFIX) and path.is_file()


def replay_root(path: Path) -> Path:
    """The folder of WARCs a replay of `path` reads: for a .wacz file its WARCs, extracted once; anything else is
    returned as it is. Raises UnreadableWacz for a .wacz that is not a readable ZIP."""
    if not is_wacz(path):
        return path
    info = path.stat()
    key = f"{path.resolve()}\n{info.st_size}\n{info.st_mtime_ns}"
    target = cache_folder() / f"wacz-{hashlib.sha256(key.encode()).hexdigest()[:24]}"
    if target.is_dir():
        return target
    staging = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
    try:
        extracted = _extract_warcs(path, staging)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if target.is_dir():  # another process extracted it first: theirs is as good
            return target
        raise
    logger.info("%s: %d WARC files extracted to %s for the replay", path, extracted, target)
    return target


def _extract_warcs(path: Path, into: Path) -> int:
    """Every WARC member of the ZIP into `into` (zipfile drops "..", drive letters and leading slashes from member
    names, so nothing lands outside it); how many."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = [member for member in archive.infolist()
                       if not member.is_dir() and member.filename.lower().endswith(_WARC_MEMBER_SUFFIXES)]
            for member in members:
                archive.extract(member, into)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, RuntimeError) as error:
        raise UnreadableWacz(f"{path}: not a readable WACZ (ZIP) file: {error}") from error
    if not members:
        raise UnreadableWacz(f"{path}: a ZIP without WARC files (a WACZ keeps them under archive/)")
    return len(members)
