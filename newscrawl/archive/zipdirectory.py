"""A ZIP read from its central directory when that stands for its members, else from their own headers (zipscan.py).

zipfile trusts the central directory: a byte lost or added before it moves every member from where it says, and
zipfile then reads none of them; damage in the directory alone costs a member a bad CRC or magic number where its own
header and data are whole. So the directory is checked against each member's local header (APPNOTE.TXT 4.3.7; a
member written with flag bit 3 against its data descriptor, 4.3.9) before it is used.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path
from typing import IO

from newscrawl.archive.zipformat import (CHUNK, DESCRIBED, DESCRIPTOR, ENCRYPTED, FORMS, FULL, HEADER, LOCAL, METHODS,
                                         UTF8_NAME, date_time)
from newscrawl.archive.zipscan import ScannedZip
from newscrawl.files import read_failed


def open_zip(path: Path, most: int) -> zipfile.ZipFile:
    """The ZIP at `path` read by zipfile from its central directory, else, when zipfile cannot read one or the one it
    reads does not match the members' own headers (a byte lost or added before the directory moves every member
    from where it says: zipfile then read none of them), from its members' local headers (ScannedZip; `most`: what
    it may unpack to, beyond which a member is not inflated to find its end). A file in which no local header is
    found is no ZIP: zipfile's error is raised for it."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        unreadable = error
    except _DIRECTORY_ERRORS as error:  # what else zipfile raises for a damaged directory: no ZIP's own refusal
        unreadable = zipfile.BadZipFile(f"{type(error).__name__}: {error}")
    except OSError as error:  # a read the disk failed (EIO) at its end: the members before it are read by header
        if not read_failed(error):
            raise
        unreadable = zipfile.BadZipFile(f"its central directory cannot be read: {error}")
    else:
        astray = _astray(archive)
        if astray is None:
            return archive
        archive.close()
        unreadable = zipfile.BadZipFile(astray)
    return ScannedZip(path, unreadable, most)


_DIRECTORY_ERRORS = (NotImplementedError, ValueError, EOFError, struct.error, IndexError, OverflowError)
"""What zipfile raises besides BadZipFile reading a damaged central directory: a version or compression it does
not know ("zip file version 6.5"), a name that is no UTF-8 (UnicodeDecodeError), fields that run short."""


_READ_AS = ENCRYPTED | 0x20 | 0x40
"""The flags of a directory entry zipfile reads a member by (APPNOTE 4.4.4): encrypted, patch data and strong
encryption, the last two refused outright. Damaged there alone, they cost a whole member."""


def _astray(archive: zipfile.ZipFile) -> str | None:
    """Why `archive`'s central directory does not stand for its members, or None: it lists none, or a member's local
    header is not where it says, names another file, or gives another method, CRC, sizes, time or flags it is read
    by (damage in the directory alone, which cost the member a bad CRC, a magic number, an encryption it does not
    have or a date no calendar has, where its own header and data are whole), or a file header lies after a member
    where the directory lists none (an entry's damaged comment length swallows the entries after it, which zipfile
    then silently leaves out)."""
    fp: IO[bytes] | None = archive.fp
    assert fp is not None
    members = archive.infolist()
    if not members:
        fp.seek(0)
        return "it lists no file" if LOCAL in fp.read(CHUNK) else None
    data_ends: list[tuple[int, int]] = []
    for member in members:
        fp.seek(max(0, member.header_offset))
        head = fp.read(HEADER.size) if member.header_offset >= 0 else b""
        if len(head) < HEADER.size or head[:4] != LOCAL:
            return f"it puts {member.orig_filename} at offset {member.header_offset}, where no " \
                   "file header is"
        _, _, flags, method, time, date, crc, compressed, size, name_length, extra_length = HEADER.unpack(head)
        data_ends.append((member.header_offset, member.header_offset + HEADER.size + name_length + extra_length
                          + member.compress_size))
        name = fp.read(name_length)
        if name.decode("utf-8" if member.flag_bits & UTF8_NAME else "cp437", "replace") != member.orig_filename:
            return f"it names {member.orig_filename} the file whose own header names another, at " \
                   f"offset {member.header_offset}"
        if flags & DESCRIBED:  # its CRC and sizes are in the data descriptor after its data
            fp.seek(member.header_offset + HEADER.size + name_length + extra_length + member.compress_size)
            raw = fp.read(4 + FORMS[1].size)
            fields = raw[4:] if raw[:4] == DESCRIPTOR else raw
            named = (member.CRC, member.compress_size, member.file_size)
            crc, compressed, size = named if any(
                len(fields) >= form.size and form.unpack(fields[:form.size]) == named for form in FORMS) else (crc, -1, -1)
        zip64 = FULL in (compressed, size)  # its sizes are in its ZIP64 field: not compared
        if method != member.compress_type or (flags ^ member.flag_bits) & _READ_AS or _no_date(
                member.date_time) and date_time(time, date) != member.date_time or not zip64 and (
                crc, compressed, size) != (member.CRC, member.compress_size, member.file_size):
            return f"it and {member.orig_filename}'s own header, at offset " \
                   f"{member.header_offset}, disagree on its method, flags, time, CRC or sizes"
    data_ends.sort()
    for (_, data_end), following in zip(data_ends, [start for start, _ in data_ends[1:]] + [archive.start_dir]):
        if (unlisted := _file_header(fp, data_end, following)) is not None:
            return f"it lists no file at offset {unlisted}, where a file header is"
    return None


def _no_date(stamp: tuple[int, int, int, int, int, int]) -> bool:
    """Whether an entry's MS-DOS date is one no calendar has (a month past 12): damage, where its own header's is
    another. A real date that differs from the header's is no sign of damage: writers may stamp the two apart, and
    only the month is ever read wrong (bundles.zip_member_time)."""
    return not 1 <= stamp[1] <= 12


def _file_header(fp: IO[bytes], start: int, end: int) -> int | None:
    """Where the first local file header between `start` and `end` is, if one is: after a member's data, only its
    data descriptor comes before the next member (APPNOTE 4.3.6). A signature counts with a known method and a name,
    as a header found by its signature in zipscan.py; anything else in that space (an APK's signing block) is
    nobody's."""
    at, carry = start, b""
    while at < end:
        fp.seek(at)
        if not (chunk := fp.read(min(CHUNK, end - at))):
            break
        buffer, base = carry + chunk, at - len(carry)
        spot = buffer.find(LOCAL)
        while spot >= 0:
            fp.seek(base + spot)
            fields = HEADER.unpack(head) if len(head := fp.read(HEADER.size)) == HEADER.size else None
            if fields is not None and fields[3] in METHODS and fields[9] > 0:  # its method, its name's length
                return base + spot
            spot = buffer.find(LOCAL, spot + 1)
        at, carry = at + len(chunk), buffer[-3:]
    return None
