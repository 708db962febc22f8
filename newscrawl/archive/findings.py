"""What unpacking an archive reports: the damage it found, which the replay counts as damaged input, and the errors
that refuse an archive whole.

An archive that cannot be read at all (UnreadableBundle) is one line: a usage error when it is the replay's input,
one damaged-input line when it sits in a folder, or in another archive, beside others. A cache folder that takes no
file (BundleNotExtracted) stops the replay before it starts, whichever archive met it. Damage inside an archive that
can be read (a member refused or cut, entries with no response) is kept in a Findings, which unpack.py writes beside
the unpacked folder.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from newscrawl.archive.reader import ArchiveProblem
from newscrawl.archive.wholegzip import cache_folder
from newscrawl.files import os_reason, read_failed

logger = logging.getLogger(__name__)


class UnreadableBundle(ValueError):
    """A replay source that is not an archive that can be read: a ZIP or tar file that cannot be opened, or holds
    no file at all (wacz.UnreadableWacz, for a WACZ, and har.UnreadableHar, for a HAR, are ones). `kind`: the
    damage it is in a folder, UNPACK, or "io" for a file the OS would not let be read (no read permission) or
    failed to read partway (EIO), told as any file of a folder that cannot be read is (damage_kind)."""

    def __init__(self, message: str, kind: str = "") -> None:
        super().__init__(message)
        self.kind = kind or UNPACK


class BundleNotExtracted(UnreadableBundle):
    """An archive whose files the cache folder refuses (full, read-only): no archive of the replay can be read
    there, so the replay does not start (one line), where a damaged archive costs only itself."""


TRUNCATED = "truncated"
"""The ArchiveProblem kind of a record the end of its file cut (reader.py)."""

UNPACK = "unpack"
"""The ArchiveProblem kind of damage found while unpacking: a member not extracted, an archive cut short, one in a
folder (or in another archive) that cannot be read or lies too deep."""


def damage_kind(error: BaseException) -> str:
    """The kind of the damage `error` is, met reading an archive: "io" when the OS failed to read it (files.read_failed:
    permission, EIO partway), UNPACK when its bytes are wrong."""
    return "io" if read_failed(error) else UNPACK


@dataclass
class Findings:
    """What unpacking found that the replay reports as it reports a damaged record (unpack.py keeps it beside the
    unpacked folder, so every replay of the folder, cached or not, one process or several, counts it once): each
    damaged spot an ArchiveProblem of kind UNPACK, and entries with no response to replay counted by kind."""

    problems: list[ArchiveProblem] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    made: str = ""
    """What was unpacked, how, and into which folder of the cache: for the replay's log, where the user sees it (the
    unpacking itself runs before the crawl's log begins)."""
    kept_cut: dict[str, int] = field(default_factory=dict)
    """Each member kept up to the cut of its archive cut short (a WACZ's WARC: ``X.wacz/archive/NAME``, as the user
    knows it) → the problem saying so, which also tells the record that cut lost (told_with)."""

    def damaged(self, file: str, message: str, kept_cut: str | None = None, kind: str = "") -> None:
        """One damaged spot, in `file`; `kept_cut`: the member of it kept up to the cut this line tells; `kind`: the
        problem's, UNPACK unless given ("io": a file or folder that cannot be read)."""
        if kept_cut is not None:
            self.kept_cut[kept_cut] = len(self.problems)
        self.problems.append(ArchiveProblem(file, 0, kind or UNPACK, message))
        logger.debug("%s: %s", file, message)  # the replay says it, once the crawl's log has begun

    def told_with(self, read: list[ArchiveProblem]) -> tuple[list[ArchiveProblem], Counter[str]]:
        """What the replay reports: the problems the reading of the unpacked files found (`read`), then these. One
        damage is one line: the record a member kept up to its archive's cut ends in (a WACZ cut inside its WARC),
        which that cut lost or left readable only as far as it goes, is told in the line naming the archive and its
        cut, by its offset and, when the reader read its header, the URI it captured (ArchiveProblem.uri), not in a
        line of its own; it is still
        counted by its kind (the Counter: kinds of the problems so told), since it is a fact of its own (a capture
        cut, as when the WARC is cut alone) beside the archive's (its end lost)."""
        lost: dict[str, list[ArchiveProblem]] = {member: [] for member in self.kept_cut}
        others = []
        for problem in read:
            if problem.file in lost and problem.kind == TRUNCATED:
                lost[problem.file].append(problem)
            else:
                others.append(problem)
        told = list(self.problems)
        for member, index in self.kept_cut.items():
            if lost[member] and index < len(told):
                line = told[index]
                inside = member.removeprefix(f"{line.file}/")
                records = "; ".join(f"the record{f' of {problem.uri}' if problem.uri else ''} at offset "
                                    f"{problem.offset} of {inside} ({problem.message})" for problem in lost[member])
                told[index] = replace(line, message=f"{line.message}; cut with it: {records}")
        return others + told, Counter(problem.kind for problems in lost.values() for problem in problems)

    def last(self, since: int) -> str:
        """The last damage found after the first `since`, as `` (FILE: why)``, for the line refusing an archive of
        which nothing could be unpacked (`since`: how many were found before it was begun): given alone, it stops
        the replay before it starts, and what it found is reported nowhere else."""
        return f" ({self.problems[-1].file}: {self.problems[-1].message})" if len(self.problems) > since else ""

    def refusing(self, since: int) -> tuple[str, str]:
        """For the line refusing an archive of which nothing could be unpacked: the last damage found after the first
        `since` (last), and the line's kind: "io" when a read the disk failed is among that damage (the disk's
        failing, not the archive's bytes: that damage is then dropped, told in the refusing line alone), else
        UNPACK."""
        last = self.last(since)
        if not any(problem.kind == "io" for problem in self.problems[since:]):
            return last, UNPACK
        del self.problems[since:]
        return last, "io"


def not_extracted(name: str | Path, error: OSError, what: str = "files") -> BundleNotExtracted:
    """The one line for an archive (`name`: as the user knows it) whose `what` (files, WARCs) the replay cache
    refuses (full, read-only, a file where the folder should be)."""
    return BundleNotExtracted(f"{name}: cannot extract its {what} into {cache_folder(create=False)}: "
                              f"{os_reason(error)}; free space there or point NEWSCRAWL_PLAIN_CACHE at a folder "
                              "with room for them")
