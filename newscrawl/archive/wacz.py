"""WACZ files (Web Archive Collection Zipped) as replay sources: what Browsertrix Crawler, ArchiveWeb.page and
Webrecorder write, and what `newscrawl pack` writes for them.

A WACZ (https://specs.webrecorder.net/wacz/1.1.1/) is a ZIP holding WARC files under ``archive/``, beside indexes, a
page list and a datapackage. The replay needs only the WARCs: unpack.py has them extracted once into the replay
cache (extract_warcs), and that folder is replayed like any folder of WARCs. Items name the WARC inside the WACZ
(``provenance.archive.file``: ``data.warc.gz``) with its offsets, exactly as a replay of the extracted WARCs would,
so ``newscrawl verify --archive X.wacz`` finds them again the same way. The WACZ's own indexes are not trusted for
offsets: the replay indexes the WARCs itself, checking every record's digest.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from newscrawl.archive.budget import Budget
from newscrawl.archive.findings import Findings, UnreadableBundle, damage_kind
from newscrawl.archive.members import extract_members
from newscrawl.archive.shown import origin_of
from newscrawl.archive.warc import WARC_FILE_SUFFIXES, files_under
from newscrawl.archive.zipdirectory import open_zip

SUFFIX = ".wacz"

EXTRACTION = "wacz-6"
"""Part of every extraction folder's key: a new one when extraction changes what it writes (2: the WARCs take the
WACZ's modification time; 3: each WARC whole or not at all, within the budget: members.py; 4: a WACZ cut short is
read from its members' headers, its cut WARC kept up to the cut: zipscan.py; 5: a stored WARC cut inside its data
descriptor keeps none of the descriptor's bytes; 6: one damaged in its middle is read past the damage), so no
replay reads a folder an older
newscrawl extracted."""


class UnreadableWacz(UnreadableBundle):
    """The file is named .wacz but is not a ZIP that can be read."""


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


def extract_warcs(path: Path, into: Path, found: Findings, budget: Budget, name: str | None = None) -> int:
    """Every WARC member of the ZIP into `into`; how many. They are written as a bundle's members are (members.py):
    nothing lands outside `into`; a member cut short or damaged is removed, never replayed, and one past `budget`
    is not written, each one damaged-input line in `found` (``X.wacz/archive/NAME``) that costs only itself. A WACZ
    cut short (its central directory missing: an interrupted download or copy) is read from its members' own headers
    (zipscan.py): its whole WARCs are written, and the WARC the cut fell in up to the cut (the replay reads each
    record before it), with one damaged-input line naming the WACZ, which also tells the record the cut lost
    (Findings.told_with): one damage, one line.
    `name`: the WACZ as the user knows it (``outer.zip/inner.wacz`` for one inside another; else `path`). Raises
    UnreadableWacz for a file that is not a ZIP, holds no WARC or none that could be extracted, BundleNotExtracted
    when the cache folder takes no file.

    Each extracted WARC takes the WACZ's modification time, not the moment it was extracted: a replay of another
    tool's archive, whose warcinfo names no crawl start, starts at its first record's WARC-Date (else its earliest
    readable record's), and only when no record is readable when the file was last modified (replay._began); that
    time is in the feed (the discovery times of archive candidates). Stamped with the extraction, the same WACZ
    would give another feed whenever it was extracted anew (another cache folder, another machine). (The members'
    own ZIP times are local times of an unknown zone, so they cannot stand for it.)
    """
    shown = name or str(path)
    before = len(found.problems)

    def dated(member: zipfile.ZipInfo, target: Path) -> None:
        os.utime(target, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))

    try:
        stamp = os.stat(path)
        with open_zip(path, budget.left) as archive:
            done = extract_members(archive, into, found, budget, shown, _is_warc, dated, "WARCs", keep_cut=True)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, OSError) as error:
        raise UnreadableWacz(f"{shown}: not a readable WACZ (ZIP) file: {error}", damage_kind(error)) from error
    if not done.wanted:
        raise UnreadableWacz(f"{shown}: a ZIP without WARC files (a WACZ keeps them under archive/)")
    if not done.written:
        last, kind = found.refusing(before)
        raise UnreadableWacz(f"{shown}: none of its {done.wanted} WARC files could be extracted{last}", kind)
    return done.written


def _is_warc(member: zipfile.ZipInfo) -> bool:
    return member.filename.lower().endswith(WARC_FILE_SUFFIXES)
