"""WACZ files (Web Archive Collection Zipped) as replay sources: what Browsertrix Crawler, ArchiveWeb.page and
Webrecorder write, and what `newscrawl pack` writes for them.

A WACZ (https://specs.webrecorder.net/wacz/1.1.1/) is a ZIP holding WARC files under ``archive/``, beside indexes,
a page list and a datapackage. The replay needs only the WARCs: they are extracted once into a folder in a cache
(NEWSCRAWL_PLAIN_CACHE, else the system temp folder, as whole-file-gzipped WARCs are inflated: wholegzip.py), keyed
by the WACZ's path, size and modification time, and that folder is replayed like any folder of WARCs. A plain ZIP or tar
file of saved pages or WARCs is extracted the same way, whole (bundles.py). Items name
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
from collections.abc import Callable
from pathlib import Path

from newscrawl.archive import bundles, har
from newscrawl.archive.bundles import BundleNotExtracted, UnreadableBundle
from newscrawl.archive.savednames import is_saved_page
from newscrawl.archive.shown import origin_of, remember_origin, shown_in, shown_name, shown_source
from newscrawl.archive.warc import WARC_FILE_SUFFIXES, files_under
from newscrawl.archive.wholegzip import cache_folder
from newscrawl.files import os_reason

logger = logging.getLogger(__name__)

__all__ = ["shown_in", "shown_name", "shown_source"]  # where the other modules have long imported them from

SUFFIX = ".wacz"

EXTRACTION = "wacz-2"
"""Part of every extraction folder's key: a new one when extraction changes what it writes (2: the WARCs take the
WACZ's modification time), so no replay reads a folder an older newscrawl extracted."""


class UnreadableWacz(UnreadableBundle):
    """The file is named .wacz but is not a ZIP that can be read."""


class WaczNotExtracted(UnreadableWacz, BundleNotExtracted):
    """A WACZ whose WARCs the cache folder refuses (full, read-only): no WACZ of the replay can be read there, so
    the replay does not start (one line), where a damaged WACZ in a folder costs only itself."""


def is_wacz(path: Path) -> bool:
    return path.name.lower().endswith(SUFFIX) and path.is_file()


NAMED_WARCS = 3
"""WARCs of a WACZ named in the replay's start-up line (shown_source); the others are counted."""


def warcs_inside(path: Path) -> str | None:
    """For a replay of one .wacz (`path`: its extraction folder), the WARCs in it, the first NAMED_WARCS by name
    and the rest counted, as the start-up line names them; None for any other input."""
    origin = origin_of(path)
    if origin is None or not is_wacz(origin):  # a folder of WACZs and WARCs: its files are the user's own
        return None
    warcs = sorted(os.path.relpath(file, path) for file in files_under(path))
    more = f" and {len(warcs) - NAMED_WARCS} more" if len(warcs) > NAMED_WARCS else ""
    return f"{', '.join(warcs[:NAMED_WARCS])}{more}"


def replay_root(path: Path) -> Path:
    """The folder of WARCs a replay of `path` reads (see _replay_root); its files are named after `path` in what
    the user reads (shown_name)."""
    root = _replay_root(path)
    if root != path:
        remember_origin(root, path)
    return root


def _replay_root(path: Path) -> Path:
    """The folder a replay of `path` reads: for a .wacz file its WARCs, extracted once; for a .har file its
    exchanges, converted once into a WARC (har.py); for a ZIP or tar file its files, extracted once (bundles.py),
    then as that folder; for a folder that holds .wacz or .har files, a folder of its WARC files, of every WACZ's
    WARCs and HAR's WARC, and of its saved pages (a WACZ beside WARCs or pages was not replayed at all, and then the
    pages beside a WACZ were not); anything else as it is. Raises UnreadableWacz (har.UnreadableHar) for a .wacz
    (.har) that cannot be read (in a folder: only when nothing else is left to replay; else each bad one costs one
    error line), bundles.UnreadableBundle for a ZIP or tar file that cannot be read or holds no file."""
    if is_wacz(path):
        return _built(path, f"{EXTRACTION}-{path.resolve()}\0{_stamp(str(path))}",
                      lambda staging: f"{path}: {_extract_warcs(path, staging)} WARC files extracted")
    if har.is_har(path):
        return _built(path, f"{har.CONVERSION}-{path.resolve()}\0{_stamp(str(path))}",
                      lambda staging: f"{path}: {har.convert(path, staging)} responses converted to a WARC", "WARC")
    if bundles.is_bundle(path):
        extracted = _built(path, f"{bundles.EXTRACTION}-{path.resolve()}\0{_stamp(str(path))}",
                           lambda staging: f"{path}: {bundles.extract(path, staging)} files extracted", "files")
        remember_origin(extracted, path)  # a WACZ or HAR in it is named inside the bundle when it is unpacked
        return _replay_root(extracted)
    if not path.is_dir():
        return path
    files = sorted(file for file in files_under(path) if os.path.isfile(file))
    waczs = [file for file in files if file.lower().endswith(SUFFIX)]
    hars = [file for file in files if file.lower().endswith(har.SUFFIX)]
    packs = [file for file in files if file.lower().endswith(bundles.SUFFIXES)]  # monthly deliveries, say
    if not waczs and not hars and not packs:
        return path
    warcs = [file for file in files if file.lower().endswith(WARC_FILE_SUFFIXES)]
    taken = {*waczs, *hars, *packs, *warcs}
    pages = [file for file in files if file not in taken and (file.lower().endswith(".url") or is_saved_page(file))]

    def combine(staging: Path) -> str:
        for warc in warcs:  # linked, not copied: the folder's own WARCs are read where they are
            link = staging / os.path.relpath(warc, path)
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(os.path.abspath(warc))
        for page in pages:  # copied with their times: a saved page may not lead out of the folder it is read from
            copy = staging / os.path.relpath(page, path)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(page, copy, follow_symlinks=False)
        readable = 0
        for packed in waczs + hars + packs:
            try:
                into = staging / os.path.relpath(packed, path)
                if packed in hars:
                    har.convert(Path(packed), into, shown_name(packed))
                elif packed in packs:  # its saved pages and WARCs; a WACZ or HAR in it only when it is given alone
                    bundles.extract(Path(packed), into)
                else:
                    _extract_warcs(Path(packed), into)
                readable += 1
            except BundleNotExtracted:
                raise
            except UnreadableBundle as error:
                logger.error("%s", shown_in(str(error)))
        if not warcs and not pages and not readable:
            kinds = ", ".join(kind for kind, found in (("WACZ", waczs), ("HAR", hars), ("ZIP or tar", packs)) if found)
            raise UnreadableWacz(f"{shown_name(str(path))}: none of its {len(waczs) + len(hars) + len(packs)} "
                                 f"{kinds} files could be read")
        return (f"{shown_name(str(path))}: {readable} WACZ, HAR, ZIP and tar files unpacked, {len(warcs)} WARC files "
                f"linked and {len(pages)} saved pages and sidecars copied")

    return _built(path, "\n".join([f"{EXTRACTION}-{har.CONVERSION}-folder", str(path.resolve()), *(
        f"{file}\0{_stamp(file)}" for file in waczs + hars + packs + warcs + pages)]), combine)


def _built(path: Path, key: str, build: Callable[[Path], str], what: str = "WARCs") -> Path:
    """The cache folder for `key` (of `path`, the WACZ or folder given), made by `build` in a staging sibling and
    renamed whole when missing (a reader sees a whole folder or none); build returns what it did, for the log."""
    try:
        target = cache_folder() / f"wacz-{hashlib.sha256(key.encode()).hexdigest()[:24]}"
        if target.is_dir():
            return target
        staging = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
    except OSError as error:  # the cache folder cannot be made or written (a file by that name, read-only, full)
        raise _not_extracted(path, error, what) from error
    try:
        done = build(staging)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if target.is_dir():  # another process made it first: theirs is as good
            return target
        raise
    logger.info("%s to %s for the replay", done, target)
    return target


def _stamp(file: str) -> str:
    """What must be unchanged for an extraction to stand for the file: its size and modification time."""
    info = os.stat(file)
    return f"{info.st_size}\0{info.st_mtime_ns}"


def _not_extracted(path: Path, error: OSError, what: str = "WARCs") -> WaczNotExtracted:
    return WaczNotExtracted(f"{path}: cannot extract its {what} into {cache_folder(create=False)}: "
                            f"{os_reason(error)}; free space there or point NEWSCRAWL_PLAIN_CACHE at a folder "
                            "with room for them")


def _extract_warcs(path: Path, into: Path) -> int:
    """Every WARC member of the ZIP into `into` (zipfile drops "..", drive letters and leading slashes from member
    names, so nothing lands outside it); how many.

    Each extracted WARC takes the WACZ's modification time, not the moment it was extracted: a replay of another
    tool's archive, whose warcinfo names no crawl start, starts at its first record's WARC-Date (else its earliest
    readable record's), and only when no record is readable when the file was last modified (replay._began); that time is in the feed (the
    discovery times of archive candidates). Stamped with the extraction, the same WACZ would give another feed
    whenever it was extracted anew (another cache folder, another machine). (The members' own ZIP times are local
    times of an unknown zone, so they cannot stand for it.)
    """
    try:
        stamp = os.stat(path)
        with zipfile.ZipFile(path) as archive:
            members = [member for member in archive.infolist()
                       if not member.is_dir() and member.filename.lower().endswith(WARC_FILE_SUFFIXES)]
            for member in members:
                try:
                    os.utime(archive.extract(member, into), ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
                except OSError as error:  # the archive's own read errors are zipfile's, caught below
                    raise _not_extracted(path, error) from error
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, RuntimeError) as error:
        raise UnreadableWacz(f"{path}: not a readable WACZ (ZIP) file: {error}") from error
    if not members:
        raise UnreadableWacz(f"{path}: a ZIP without WARC files (a WACZ keeps them under archive/)")
    return len(members)
