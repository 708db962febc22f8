"""A ZIP read from its members' own headers when its end is missing: what an interrupted download or copy leaves.

zipfile reads a ZIP from its end: the end-of-central-directory record, then the central directory it points at, which
lists every member. A ZIP cut short (the commonest damage of a large file) has neither, so zipfile cannot open it at
all, although every member before the cut is whole and the cut one's first part is there too. Each member is also
preceded by a local file header (APPNOTE.TXT 4.3.7) giving its name, method, flags, sizes and times, so reading those
from the start, as ``zip -FF`` and stream-unzip do, finds every member the file still holds.

ScannedZip is a zipfile.ZipFile whose table of contents is built so: its _RealGetContents, the one step of ZipFile
that reads the central directory, is replaced, so members.py writes its members as it writes an intact ZIP's, with
zipfile's own name, CRC, encryption and method checks, one member costing only itself. It keeps where the members
ended (damage) and the member the end of the file cut (`cut`, zipends.py, which finds where each member's data ends).

A ZIP whose central directory does not match its local headers (zipdirectory.py) is read so too, and wherever no
header is where one should be (damage, a member whose sizes no longer fit its data), the reading goes on from the
next local header, as ``zip -FF`` does: damage costs the members it touches, and every other one is read.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

from newscrawl.archive.zipends import CUT_LINE, End, MemberEnds
from newscrawl.archive.zipformat import (CENTRAL, CHUNK, END, HEADER, LOCAL, METHODS, UTF8_NAME, date_time,
                                         zip64_sizes)


class ScannedZip(MemberEnds):
    """A ZIP whose members were found by their local headers (module docstring); its infolist() holds the whole
    members, `cut` the one the end of the file cut."""

    def __init__(self, path: Path, unreadable: zipfile.BadZipFile, most: int) -> None:
        self.unreadable = unreadable
        self.lost = 0
        """How many of the members found could not be read (a read the disk failed): told in the damage line."""
        self._skipped: list[str] = []
        """One clause per stretch the reading skipped to the next header (damage), for the damage line."""
        super().__init__(path, most)

    def damage(self, fate: str = "") -> str:
        """The one line saying where the members ended; `fate`: what became of the cut member."""
        files = sum(not member.is_dir() for member in self.filelist)
        if self.read_failure is not None:  # not the file's end but the disk's failing: told as such
            return (f"a read failed after its first {files - self.lost} files (the rest of it is not replayed): "
                    f"{self.read_failure[1]}" + "".join(f"; {skipped}" for skipped in self._skipped))
        inside = f", inside {self._end.inside}" + (f" ({fate})" if fate else "") if self._end.inside else ""
        line = self._end.line.replace("{files}", str(files)).replace("{inside}", inside)
        return "; ".join([line, *self._skipped])

    def _RealGetContents(self) -> None:  # the name of the step ZipFile.__init__ calls to read its contents
        """The members, from their local headers, in file order, up to the central directory, the end of the file or
        the member the end of the file cut. Where no header is where one should be (damage before it, a member whose
        sizes are damaged), or a member's deflate stream is damaged, the reading goes on from the next local header
        after the last one found (skipped: one clause of the damage line each), as ``zip -FF`` does: damage costs
        the members it touches, not every one after it."""
        at, last, ended, self._length = 0, -1, -1, self._seek_end()
        while head := self._read(at, HEADER.size):
            if not LOCAL.startswith(head[:4]):
                following = (at, head[:4]) if head[:4] in CENTRAL else self._next_header(last + 1)
                if following is not None and following[1] != LOCAL and (
                        more := self._next_header(following[0] + 4, local=True)) is not None:
                    # file headers after it: no central directory, but damage, or a member's data read so
                    self._skipped.append(f"a central directory signature at offset {following[0]} with file headers "
                                         f"after it: skipped to the next, at offset {more[0]}")
                    following = more
                if following is not None and following[0] != at and self.filelist and ended == at and not (
                        self.filelist[-1].file_size):
                    # no header where the member before ends: its sizes are wrong, or the next header is damaged.
                    # Its CRC tells which when it names data (a wrong size fails it: the member costs only itself),
                    # not when it names none: 0 bytes of CRC 0 always check, and are what a header written with a
                    # data descriptor holds (APPNOTE 4.4.4) should it lose its flag for one. Not whole, then.
                    dropped = self.filelist.pop()
                    self.NameToInfo.pop(dropped.filename, None)
                    self._skipped.append(f"{dropped.filename} damaged (its data does not end where its header says)")
                if following is None or following[1] != LOCAL:
                    self._end = End(self._central_line() if following else
                                     f"damaged after {{files}} files: no ZIP header at offset {at}, nor any after "
                                     "it; nothing after that point was read")
                    if following and following[0] != at:
                        self._skipped.append(f"no ZIP header at offset {at}: skipped to the central directory, at "
                                             f"offset {following[0]}")
                    break
                if following[0] != at and (last >= 0 or following[0] > 0):
                    self._skipped.append(f"no ZIP header at offset {at}: skipped to the next, at offset "
                                         f"{following[0]}")
                at = following[0]
            last = at
            found = self._member(at, head := self._read(at, HEADER.size))
            if found is not None and (not found[0].filename or "\0" in found[0].orig_filename) or (
                    found is None and self._next_header(at + 1) is not None):
                # damaged: it names no file (APPNOTE 4.4.17: every member has a name), or one with a NUL, which no
                # file system takes and zipfile cuts the name at ("a/b" read as "a": a file where a folder goes);
                # or, not cut since a header follows, its name and extra field run past the end of the file
                self._skipped.append(f"the file header at offset {at} is damaged: skipped to the next")
                at += 1
                continue
            if found is None:
                self._end = End(CUT_LINE, "the header of the next file")
                break
            member, data_at = found
            end = self._data_end(member, data_at)
            if end is None and self.cut is member and self._next_header(data_at):
                # not cut, since a header follows: its sizes, or its data descriptor, are damaged
                self.cut, self._cut_end = None, None
                self._broken = "its data does not end where its sizes or its data descriptor say"
            if end is None and self._broken is not None:
                self._skipped.append(f"{member.filename} damaged ({self._broken}): skipped to the next file header")
                self._broken, self._end = None, End(CUT_LINE)
                at = data_at  # no header there: the next one after it is searched for
                continue
            if end is None:
                break
            self.filelist.append(member)
            self.NameToInfo[member.filename] = member
            at = ended = end
        self.start_dir = at
        if not self.filelist and self.cut is None:
            if last < 0:  # no local header anywhere: no ZIP
                raise self.unreadable
            raise zipfile.BadZipFile(f"{self.unreadable}; read from its own headers: {self.damage()}")

    def _central_line(self) -> str:
        return (f"its central directory cannot be read ({self.unreadable}): its {{files}} files were read from "
                "their own headers")

    def _next_header(self, at: int, local: bool = False) -> tuple[int, bytes] | None:
        """The first local header or central directory signature (`local`: local header) at or after `at` that can
        be one (_plausible): where, and which; None when the file holds none after it."""
        signatures = (LOCAL,) if local else (LOCAL, *CENTRAL)
        carry = b""
        while chunk := self._read(at, CHUNK):
            buffer, base = carry + chunk, at - len(carry)
            spot = buffer.find(b"PK")
            while spot >= 0:
                found = buffer[spot:spot + 4]
                if found in signatures and self._plausible(base + spot, found):
                    return base + spot, found
                spot = buffer.find(b"PK", spot + 1)
            at, carry = at + len(chunk), buffer[-3:]
        return None

    def _plausible(self, at: int, signature: bytes) -> bool:
        """Whether the `signature` at `at` starts a header and not 4 bytes of some member's data that happen to read
        so (once in 4 GB of random bytes): a local or central header needs a known version and method (and a local
        one a name within the file); an end record ends the file with its comment."""
        if signature == END:  # it ends the file, its comment last
            tail = self._read(at + 20, 2)
            return len(tail) < 2 or at + 22 + struct.unpack("<H", tail)[0] == self._length
        if signature == CENTRAL[0]:
            head = self._read(at, 12)
            return len(head) < 12 or (head[6] <= 63 and struct.unpack("<H", head[10:12])[0] in METHODS)
        head = self._read(at, HEADER.size)
        if len(head) < HEADER.size or signature != LOCAL:
            return True  # a header the end of the file cut; a ZIP64 end record
        _, version, _, method, _, _, _, _, _, name_length, extra_length = HEADER.unpack(head)
        return (version & 0xFF <= 63 and method in METHODS and name_length > 0
                and at + HEADER.size + name_length + extra_length <= self._length)

    def _member(self, at: int, head: bytes) -> tuple[zipfile.ZipInfo, int] | None:
        """The member whose local header starts at `at` (`head`: its fixed part), its sizes from the header and its
        ZIP64 field, and where its data starts; None when the file ends inside the header."""
        if len(head) < HEADER.size:
            return None
        (_, version, flags, method, time, date, crc, compressed, size, name_length,
         extra_length) = HEADER.unpack(head)
        rest = self._read(at + HEADER.size, name_length + extra_length)
        if len(rest) < name_length + extra_length:
            return None
        # decoded as zipfile decodes a name; one it cannot decode fails that member's open(), as zipfile's check
        member = zipfile.ZipInfo(rest[:name_length].decode("utf-8" if flags & UTF8_NAME else "cp437", "replace"))
        member.extra = rest[name_length:]
        member.date_time = date_time(time, date)
        member.extract_version, member.reserved = version & 0xFF, version >> 8
        member.flag_bits, member.compress_type, member.CRC, member.header_offset = flags, method, crc, at
        member.file_size, member.compress_size = zip64_sizes(member.extra, size, compressed)
        return member, at + HEADER.size + len(rest)
