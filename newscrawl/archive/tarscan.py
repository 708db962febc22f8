"""A tar read member by member past damage: what a damaged delivery (``pages.tar``, ``crawl.tar.gz``) still holds.

tarfile reads a tar as a chain of 512-byte blocks, each member's header then its data, and stops without a word at
the first block that is no header, as at the end-of-archive block: a damaged header, or a byte lost or added in a
member's data (which moves every header after it off the 512-byte grid), lost every member after it. members()
goes on from the next header after the damage, found at any offset by its magic and checksum (GNU tar's
``--ignore-zeros`` reads on past bad blocks on the grid only), one damaged-input line each.

One idea, kept whole: where each member of a tar begins, read from the headers around the damage.
"""

from __future__ import annotations

import tarfile
from collections.abc import Iterator

from newscrawl.archive.findings import Findings


def members(archive: tarfile.TarFile, name: str, findings: Findings) -> Iterator[tarfile.TarInfo]:
    """The members of `archive`, in order. tarfile stops without a word at the first block that is no header (a
    damaged one, or one a lost or added byte moved off its place), as at the end-of-archive block: every member after
    it was lost. Where tarfile stops, the reading goes on from the next header found after the last one read, at any
    offset (a byte lost or added in a member's data moves every header after it off the 512-byte grid; a header's
    magic and checksum tell it from data), and blocks skipped that are not zeros (the end-of-archive block, then
    another tar appended: what ``tar -i`` reads) are one damaged-input line each, naming where."""
    expected = 0  # where the next header should be
    past = 0  # where a search for one starts: past the last member's headers, or the one it resumed at (no loop)
    opened: tarfile.TarInfo | None = getattr(archive, "firstmember")  # what tarfile found opening it, on the grid
    if (opened is None or opened.offset > 0) and _seekable(archive):  # the first header is damaged, or off the grid
        first = _next_header(archive, 0)
        if first is not None and (opened is None or first < opened.offset):
            if opened is not None:  # read again, in its turn, after the members before it
                setattr(archive, "firstmember", None)
                read: list[tarfile.TarInfo] = getattr(archive, "members")
                read.remove(opened)
            findings.damaged(name, f"damaged: no tar header at offset 0: read on from the first, at offset {first}")
            archive.offset = expected = first
            past = first + 1
    while True:
        try:
            member = archive.next()
        except tarfile.ReadError as error:  # a damaged extended header, or a header past the end of the data
            if _seekable(archive) and (following := _next_header(archive, past)) is not None:
                findings.damaged(name, f"damaged at offset {archive.offset} ({one_line(error)}): read on from the "
                                 f"next tar header, at offset {following}")
                archive.offset = expected = following
                past = following + 1
                continue
            raise
        if member is not None:
            if member.offset > expected and _seekable(archive) and not _zeros(archive, expected, member.offset):
                findings.damaged(name, f"damaged: no tar header at offset {expected}: read on from the next, at "
                                 f"offset {member.offset}")
            expected, past = archive.offset, member.offset_data  # after its extended headers too
            yield member
            continue
        stopped = archive.offset
        following = _next_header(archive, past) if _seekable(archive) else None
        if following is None:
            archive.offset = stopped  # where _ends_whole looks for the end-of-archive block
            return
        if not _zeros(archive, stopped, following):
            findings.damaged(name, f"damaged: no tar header at offset {stopped}: read on from the next, at offset "
                             f"{following}")
        archive.offset = expected = following
        past = following + 1


def _seekable(archive: tarfile.TarFile) -> bool:
    return archive.fileobj is not None and getattr(archive.fileobj, "seekable", lambda: False)()


def _zeros(archive: tarfile.TarFile, start: int, end: int) -> bool:
    """Whether the bytes [start, end) of the tar are whole blocks of zeros (end-of-archive blocks, not damage)."""
    assert archive.fileobj is not None
    if end < start or (end - start) % tarfile.BLOCKSIZE:
        return False
    archive.fileobj.seek(start)
    while start < end:
        chunk = archive.fileobj.read(min(1 << 20, end - start))
        if not chunk or chunk.strip(b"\0"):
            return False
        start += len(chunk)
    return True


_USTAR_AT = 257
"""Where a ustar, GNU or pax header holds its magic ("ustar"), which every tar Python, GNU tar and bsdtar write has."""


def _next_header(archive: tarfile.TarFile, at: int) -> int | None:
    """The offset of the first block at or after `at` that reads as a tar header (its magic, and a checksum that
    fits), or None."""
    assert archive.fileobj is not None
    archive.fileobj.seek(at)
    position, carry = at, b""
    while chunk := archive.fileobj.read(1 << 20):
        buffer, buffer_at = carry + chunk, position - len(carry)
        position += len(chunk)
        spot = buffer.find(b"ustar")
        while spot >= 0:
            start = buffer_at + spot - _USTAR_AT
            if start >= at and _is_header(archive, start):
                return start
            spot = buffer.find(b"ustar", spot + 1)
        carry = buffer[-4:]
    return None


def _is_header(archive: tarfile.TarFile, at: int) -> bool:
    assert archive.fileobj is not None
    where = archive.fileobj.tell()
    archive.fileobj.seek(at)
    block = archive.fileobj.read(tarfile.BLOCKSIZE)
    archive.fileobj.seek(where)
    try:
        tarfile.TarInfo.frombuf(block, archive.encoding, archive.errors)
    except (tarfile.HeaderError, ValueError):
        return False
    return True


def ends_whole(archive: tarfile.TarFile) -> bool:
    """Whether a whole block (tar's end-of-archive zeros) follows the last member. tarfile ends its iteration
    without a word at a header cut short, as at the end-of-archive block, so a cut between members would pass
    unseen; a compressed stream cut short raises instead."""
    if archive.fileobj is None or not _seekable(archive):  # a stream's end is the stream's to tell (GunzipStream)
        return True
    archive.fileobj.seek(archive.offset)
    return len(archive.fileobj.read(tarfile.BLOCKSIZE)) == tarfile.BLOCKSIZE


def one_line(error: BaseException) -> str:
    """`error`'s message on one line: tarfile's refusal of a file no method opens lists each method's on its own."""
    return "; ".join(line.strip() for line in str(error).splitlines() if line.strip())
