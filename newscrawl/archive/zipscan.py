"""A ZIP read from its members' own headers when its end is missing: what an interrupted download or copy leaves.

zipfile reads a ZIP from its end: the end-of-central-directory record, then the central directory it points at, which
lists every member. A ZIP cut short (the commonest damage of a large file) has neither, so zipfile cannot open it at
all, although every member before the cut is whole and the cut one's first part is there too. Each member is also
preceded by a local file header (APPNOTE.TXT 4.3.7) giving its name, method, flags, sizes and times, so reading those
from the start, as ``zip -FF`` and stream-unzip do, finds every member the file still holds.

ScannedZip is a zipfile.ZipFile whose table of contents is built so: its _RealGetContents, the one step of ZipFile
that reads the central directory, is replaced, so members.py writes its members as it writes an intact ZIP's, with
zipfile's own name, CRC, encryption and method checks, one member costing only itself. It keeps where the members
ended (damage) and the member the end of the file cut (`cut`), whose bytes before the cut cut_chunks gives: a WACZ
keeps a cut WARC so, and the replay reads its records up to the cut.

A member's sizes come from its local header, or ZIP64's extra field (0x0001) where that says 0xFFFFFFFF; a member
written with flag bit 3 (by a writer that could not seek back: zipfile on a pipe, macOS, Java) has them in a data
descriptor after its data, whose end a deflate stream tells by inflating to its end, and any other member by the
first descriptor after it whose sizes fit. A stored member the end of the file cut inside that descriptor keeps none
of the descriptor's bytes as its own: the bytes that can be read as its start are not data, and once they hold its
whole CRC, and it matches, the member is whole (_stored_end); so is a deflated one, whose stream ended before the
descriptor, once the CRC there matches what it inflates to (_deflated_end). (stream-unzip, on PyPI, reads ZIPs this
way, but gives neither a member's extra field, which holds its time, nor a ZipInfo for members.py; it stops the
whole stream at an encrypted member or an unknown method, and reads no stored member with a descriptor.)

A ZIP whose central directory does not match its local headers (open_zip) is read so too, and wherever no header
is where one should be (damage, a member whose sizes no longer fit its data), the reading goes on from the next
local header, as ``zip -FF`` does: damage costs the members it touches, and every other one is read.

One idea, kept whole: where each member of a ZIP begins and ends, read from the headers and descriptors around it.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

_LOCAL = b"PK\x03\x04"
_CENTRAL = (b"PK\x01\x02", b"PK\x05\x06", b"PK\x06\x06")
"""A central directory entry, the end record and the ZIP64 end record: what follows the last member."""
_END = _CENTRAL[1]
_DESCRIPTOR = b"PK\x07\x08"
_HEADER = struct.Struct("<4sHHHHHIIIHH")
"""A local file header: signature, version, flags, method, time, date, CRC, sizes (compressed, plain), name and extra
field lengths (APPNOTE 4.3.7)."""
_FORMS = (struct.Struct("<III"), struct.Struct("<IQQ"))
"""A data descriptor after its optional signature: CRC, compressed and plain size, of 4 bytes each or (ZIP64) 8."""
_METHODS = frozenset({0, 1, 6, 8, 9, 12, 14, 93, 95, 96, 97, 98, 99})
"""Compression methods APPNOTE names that writers use (stored, shrunk, imploded, deflate, deflate64, bzip2, LZMA,
zstd, xz, JPEG, WavPack, PPMd, AES)."""
_ZIP64 = 0x0001
_FULL = 0xFFFFFFFF
_ENCRYPTED, _DESCRIBED, _UTF8_NAME = 0x01, 0x08, 0x800
_CHUNK = 1 << 20
_MOST_CUT = 4 + _FORMS[1].size - 1
"""The most bytes of a data descriptor a file cut inside it can hold: a signed ZIP64 one but its last byte."""
_CUT = ("cut short after {files} files{inside}: no central directory follows (the end of the file is missing: an "
        "interrupted download or copy?); each file before the cut was read from its own header")


@dataclass(frozen=True)
class _End:
    """Where the reading of the members ended: the line saying so, with {files} for the count of whole files before
    it and {inside} for the member it ended in, if any."""

    line: str
    inside: str = ""


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


def _astray(archive: zipfile.ZipFile) -> str | None:
    """Why `archive`'s central directory does not stand for its members, or None: it lists none, or a member's local
    header is not where it says, names another file, or gives another method, CRC or sizes (damage in the directory
    alone, which cost the member a bad CRC or magic number where its own header and data are whole)."""
    fp: IO[bytes] | None = archive.fp
    assert fp is not None
    members = archive.infolist()
    if not members:
        fp.seek(0)
        return "it lists no file" if _LOCAL in fp.read(_CHUNK) else None
    for member in members:
        fp.seek(max(0, member.header_offset))
        head = fp.read(_HEADER.size) if member.header_offset >= 0 else b""
        if len(head) < _HEADER.size or head[:4] != _LOCAL:
            return f"it puts {member.orig_filename} at offset {member.header_offset}, where no " \
                   "file header is"
        _, _, flags, method, _, _, crc, compressed, size, name_length, extra_length = _HEADER.unpack(head)
        name = fp.read(name_length)
        if name.decode("utf-8" if member.flag_bits & _UTF8_NAME else "cp437", "replace") != member.orig_filename:
            return f"it names {member.orig_filename} the file whose own header names another, at " \
                   f"offset {member.header_offset}"
        if flags & _DESCRIBED:  # its CRC and sizes are in the data descriptor after its data
            fp.seek(member.header_offset + _HEADER.size + name_length + extra_length + member.compress_size)
            raw = fp.read(4 + _FORMS[1].size)
            fields = raw[4:] if raw[:4] == _DESCRIPTOR else raw
            named = (member.CRC, member.compress_size, member.file_size)
            crc, compressed, size = named if any(
                len(fields) >= form.size and form.unpack(fields[:form.size]) == named for form in _FORMS) else (crc, -1, -1)
        zip64 = _FULL in (compressed, size)  # its sizes are in its ZIP64 field: not compared
        if method != member.compress_type or not zip64 and (crc, compressed, size) != (
                member.CRC, member.compress_size, member.file_size):
            return f"it and {member.orig_filename}'s own header, at offset " \
                   f"{member.header_offset}, disagree on its method, CRC or sizes"
    return None


class ScannedZip(zipfile.ZipFile):
    """A ZIP whose members were found by their local headers (module docstring); its infolist() holds the whole
    members, `cut` the one the end of the file cut."""

    def __init__(self, path: Path, unreadable: zipfile.BadZipFile, most: int) -> None:
        self.unreadable, self.most = unreadable, most
        self.cut: zipfile.ZipInfo | None = None
        self._cut_at = 0
        self._cut_end: int | None = None
        """Where the cut member's data ends at the latest: the start of what may be its data descriptor, cut short
        (_stored_end); None: at the end of the file."""
        self._end = _End(_CUT)
        self._skipped: list[str] = []
        self._broken: str | None = None
        """Why the member being read is damaged where its end cannot be found (its deflate stream), if it is."""
        """One clause per stretch the reading skipped to the next header (damage), for the damage line."""
        self._length = 0
        super().__init__(path)

    def damage(self, fate: str = "") -> str:
        """The one line saying where the members ended; `fate`: what became of the cut member."""
        files = sum(not member.is_dir() for member in self.filelist)
        inside = f", inside {self._end.inside}" + (f" ({fate})" if fate else "") if self._end.inside else ""
        line = self._end.line.replace("{files}", str(files)).replace("{inside}", inside)
        return "; ".join([line, *self._skipped])

    def cut_chunks(self) -> Iterator[bytes]:
        """The bytes of the cut member as far as the file goes: stored, as they are; deflated, inflated until the
        cut; none of an encrypted member or another method, of which no part can be read."""
        member = self.cut
        if member is None or member.flag_bits & _ENCRYPTED or member.compress_type not in (zipfile.ZIP_STORED,
                                                                                             zipfile.ZIP_DEFLATED):
            return
        inflater = zlib.decompressobj(-15) if member.compress_type == zipfile.ZIP_DEFLATED else None
        at, end = self._cut_at, self._length if self._cut_end is None else self._cut_end
        while chunk := self._read(at, min(_CHUNK, end - at) if inflater is None else _CHUNK):
            at += len(chunk)
            if inflater is None:
                yield chunk
                continue
            try:
                while chunk and not inflater.eof:
                    yield inflater.decompress(chunk, _CHUNK)
                    chunk = inflater.unconsumed_tail
            except zlib.error:  # damaged before the cut: what inflated so far is what there is
                return
            if inflater.eof:
                return

    def _RealGetContents(self) -> None:  # the name of the step ZipFile.__init__ calls to read its contents
        """The members, from their local headers, in file order, up to the central directory, the end of the file or
        the member the end of the file cut. Where no header is where one should be (damage before it, a member whose
        sizes are damaged), or a member's deflate stream is damaged, the reading goes on from the next local header
        after the last one found (skipped: one clause of the damage line each), as ``zip -FF`` does: damage costs
        the members it touches, not every one after it."""
        at, last, ended, self._length = 0, -1, -1, self._seek_end()
        while head := self._read(at, _HEADER.size):
            if not _LOCAL.startswith(head[:4]):
                following = (at, head[:4]) if head[:4] in _CENTRAL else self._next_header(last + 1)
                if following is not None and following[1] != _LOCAL and (
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
                if following is None or following[1] != _LOCAL:
                    self._end = _End(self._central_line() if following else
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
            found = self._member(at, head := self._read(at, _HEADER.size))
            if (found is None or not found[0].filename) and self._next_header(at + 1) is not None:
                # not cut, since a header follows: its name and extra field run past the end of the file, or it
                # names no file
                self._skipped.append(f"the file header at offset {at} is damaged: skipped to the next")
                at += 1
                continue
            if found is None:
                self._end = _End(_CUT, "the header of the next file")
                break
            member, data_at = found
            end = self._data_end(member, data_at)
            if end is None and self.cut is member and self._next_header(data_at):
                # not cut, since a header follows: its sizes, or its data descriptor, are damaged
                self.cut, self._cut_end = None, None
                self._broken = "its data does not end where its sizes or its data descriptor say"
            if end is None and self._broken is not None:
                self._skipped.append(f"{member.filename} damaged ({self._broken}): skipped to the next file header")
                self._broken, self._end = None, _End(_CUT)
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
        signatures = (_LOCAL,) if local else (_LOCAL, *_CENTRAL)
        carry = b""
        while chunk := self._read(at, _CHUNK):
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
        if signature == _END:  # it ends the file, its comment last
            tail = self._read(at + 20, 2)
            return len(tail) < 2 or at + 22 + struct.unpack("<H", tail)[0] == self._length
        if signature == _CENTRAL[0]:
            head = self._read(at, 12)
            return len(head) < 12 or (head[6] <= 63 and struct.unpack("<H", head[10:12])[0] in _METHODS)
        head = self._read(at, _HEADER.size)
        if len(head) < _HEADER.size or signature != _LOCAL:
            return True  # a header the end of the file cut; a ZIP64 end record
        _, version, _, method, _, _, _, _, _, name_length, extra_length = _HEADER.unpack(head)
        return (version & 0xFF <= 63 and method in _METHODS and name_length > 0
                and at + _HEADER.size + name_length + extra_length <= self._length)

    def _member(self, at: int, head: bytes) -> tuple[zipfile.ZipInfo, int] | None:
        """The member whose local header starts at `at` (`head`: its fixed part), its sizes from the header and its
        ZIP64 field, and where its data starts; None when the file ends inside the header."""
        if len(head) < _HEADER.size:
            return None
        (_, version, flags, method, time, date, crc, compressed, size, name_length,
         extra_length) = _HEADER.unpack(head)
        rest = self._read(at + _HEADER.size, name_length + extra_length)
        if len(rest) < name_length + extra_length:
            return None
        # decoded as zipfile decodes a name; one it cannot decode fails that member's open(), as zipfile's check
        member = zipfile.ZipInfo(rest[:name_length].decode("utf-8" if flags & _UTF8_NAME else "cp437", "replace"))
        member.extra = rest[name_length:]
        member.date_time = ((date >> 9) + 1980, (date >> 5) & 0xF, date & 0x1F, time >> 11, (time >> 5) & 0x3F,
                            (time & 0x1F) * 2)
        member.extract_version, member.reserved = version & 0xFF, version >> 8
        member.flag_bits, member.compress_type, member.CRC, member.header_offset = flags, method, crc, at
        member.file_size, member.compress_size = _zip64_sizes(member.extra, size, compressed)
        return member, at + _HEADER.size + len(rest)

    def _data_end(self, member: zipfile.ZipInfo, data_at: int) -> int | None:
        """Where the next header may start after `member`'s data (at `data_at`) and its descriptor, the member's CRC
        and sizes completed from that descriptor; None when the reading ends at it (cut, damaged, too large)."""
        if not member.flag_bits & _DESCRIBED:
            if data_at + member.compress_size > self._length:
                self._cut_short(member, data_at)
                return None
            return data_at + member.compress_size
        if member.compress_type == zipfile.ZIP_DEFLATED and not member.flag_bits & _ENCRYPTED:
            inflated = self._inflated(member, data_at)
            if inflated is None:
                return None
            data_end, size, crc = inflated
            described = self._descriptor(data_end, data_at, size) or self._deflated_end(data_end, data_at, size, crc)
        else:
            described = self._search(data_at, stored=member.compress_type == zipfile.ZIP_STORED)
        if described is None and member.compress_type == zipfile.ZIP_STORED and not member.flag_bits & _ENCRYPTED:
            described = self._stored_end(member, data_at)
        if described is None:
            self._cut_short(member, data_at)
            return None
        member.CRC, member.compress_size, member.file_size, end = described
        return end

    def _cut_short(self, member: zipfile.ZipInfo, data_at: int) -> None:
        """`member`, whose data starts at `data_at`, is the one the end of the file cut."""
        self.cut, self._cut_at = member, data_at
        self._end = _End(_CUT, member.filename)

    def _stored_end(self, member: zipfile.ZipInfo, data_at: int) -> tuple[int, int, int, int] | None:
        """A stored member with a data descriptor (flag bit 3) that the end of the file cut before a whole
        descriptor: nothing but its descriptor tells where its data ends, so the last bytes of the file may be the
        start of that descriptor, not data. Of every way its last _MOST_CUT bytes can be read as the start of a
        descriptor naming the data before it (its signature, CRC and sizes, signed or not, of either width), the one
        that holds the whole CRC, and the CRC matches, makes the member whole (its CRC, sizes and the end of the
        file, as _descriptor gives them); else the earliest sets where the member's data ends at the latest
        (`_cut_end`), so what is kept of it is its bytes and none of its descriptor's. None: cut, as far as its
        data goes."""
        length = self._length - data_at
        first = max(0, length - _MOST_CUT)
        crc = 0
        at = data_at
        while at < data_at + first:  # the CRC of the data before the spots a descriptor may start at
            chunk = self._read(at, min(_CHUNK, data_at + first - at))
            crc, at = zlib.crc32(chunk, crc), at + len(chunk)
        tail = self._read(data_at + first, length - first)
        earliest = None
        for start in range(first, length):
            data_crc = zlib.crc32(tail[:start - first], crc)
            begun = _descriptor_begun(tail[start - first:], data_crc, start, start)
            if begun == _WITH_CRC:
                return data_crc, start, start, self._length
            if begun and earliest is None:
                earliest = start
        self._cut_end = None if earliest is None else data_at + earliest
        return None

    def _deflated_end(self, data_end: int, data_at: int, size: int, crc: int) -> tuple[int, int, int, int] | None:
        """A deflated member with a data descriptor (flag bit 3) that the end of the file cut inside that
        descriptor: its deflate stream ended at `data_end` (inflating it found its final block, and `size` bytes
        of CRC `crc`), so its data is whole, and once the cut leaves the descriptor's whole CRC, and the CRC
        matches, the member is whole too, as a stored one is (_stored_end): its CRC, sizes, and the end of the
        file. None: the file goes on past a descriptor's length (damage, not a cut), or the cut leaves the CRC
        short or it does not match; the member is cut, its bytes up to its stream's end kept where a cut one is."""
        rest = self._read(data_end, _MOST_CUT + 1)
        if len(rest) > _MOST_CUT or _descriptor_begun(rest, crc, data_end - data_at, size) != _WITH_CRC:
            return None
        return crc, data_end - data_at, size, self._length

    def _inflated(self, member: zipfile.ZipInfo, data_at: int) -> tuple[int, int, int] | None:
        """Where the deflate stream at `data_at` ends, the size and the CRC of what it inflates to; None when the
        file ends first (the member is cut), the stream is damaged, or it inflates past `most` (what could not be
        written anyway)."""
        inflater, at, size, crc = zlib.decompressobj(-15), data_at, 0, 0
        while not inflater.eof:
            chunk = self._read(at, _CHUNK)
            if not chunk:
                self._cut_short(member, data_at)
                return None
            at += len(chunk)
            try:
                while chunk and not inflater.eof and size <= self.most:
                    inflated = inflater.decompress(chunk, _CHUNK)
                    size, crc = size + len(inflated), zlib.crc32(inflated, crc)
                    chunk = inflater.unconsumed_tail
            except zlib.error as error:
                self._broken = str(error)
                return None
            if size > self.most:
                self._end = _End(f"not read past {{files}} files{{inside}}: it inflates to more than {self.most} "
                                 "bytes, more than the archive may unpack to, so nothing after it was read",
                                 member.filename)
                return None
        return at - len(inflater.unused_data), size, crc

    def _descriptor(self, data_end: int, data_at: int, size: int | None = None
                    ) -> tuple[int, int, int, int] | None:
        """The CRC and sizes of the data descriptor at `data_end` (signed or not, of either width) that names the
        data from `data_at` (and, when known, its plain `size`), and where it ends; of two forms that fit, the one
        a header or the end of the file follows. None when none fits."""
        raw = self._read(data_end, 4 + _FORMS[1].size)
        fields = raw[4:] if raw[:4] == _DESCRIPTOR else raw
        fitting = []
        for form in _FORMS:
            if len(fields) < form.size:
                continue
            crc, compressed, plain = form.unpack(fields[:form.size])
            mask = _FULL if form is _FORMS[0] else (1 << 64) - 1
            if compressed == (data_end - data_at) & mask and (size is None or plain == size & mask):
                fitting.append((crc, data_end - data_at, size if size is not None else plain,
                                data_end + len(raw) - len(fields) + form.size))
        for candidate in fitting:
            if self._read(candidate[3], 4) in (b"", _LOCAL, *_CENTRAL):
                return candidate
        return fitting[0] if fitting else None

    def _search(self, data_at: int, stored: bool) -> tuple[int, int, int, int] | None:
        """The first data descriptor after `data_at` whose sizes fit the data before it (a stored member's plain
        size is its compressed one): signed, or unsigned before the next header. None when the file ends first."""
        at, carry = data_at, b""
        while chunk := self._read(at, _CHUNK):
            buffer, base = carry + chunk, at - len(carry)
            spot = buffer.find(b"PK")
            while spot >= 0:
                place = base + spot
                ends = [place] if buffer[spot:spot + 4] == _DESCRIPTOR else [
                    place - form.size for form in _FORMS if self._read(place, 4) in (_LOCAL, *_CENTRAL)]
                for data_end in ends:
                    found = self._descriptor(data_end, data_at) if data_end >= data_at else None
                    if found and (not stored or found[1] == found[2]):
                        return found
                spot = buffer.find(b"PK", spot + 1)
            at, carry = at + len(chunk), buffer[-1:]
        return None

    def _read(self, at: int, size: int) -> bytes:
        fp: IO[bytes] | None = self.fp
        assert fp is not None
        fp.seek(at)
        return fp.read(size)

    def _seek_end(self) -> int:
        fp: IO[bytes] | None = self.fp
        assert fp is not None
        return fp.seek(0, 2)


_WITH_CRC = 2


def _descriptor_begun(rest: bytes, crc: int, compressed: int, size: int) -> int:
    """How far `rest`, the last bytes of a file, is the start of a data descriptor naming `crc` and the sizes (signed
    or not, of either width): _WITH_CRC when it holds the whole CRC, 1 when less of it, 0 when it is none.

    >>> fields = _FORMS[0].pack(0x1234, 10, 10)
    >>> _descriptor_begun(_DESCRIPTOR + fields[:4], 0x1234, 10, 10), _descriptor_begun(fields[:3], 0x1234, 10, 10)
    (2, 1)
    >>> _descriptor_begun(fields[:4], 0x4321, 10, 10)
    0
    """
    begun = 0
    for form in _FORMS:
        if form is _FORMS[0] and max(compressed, size) > _FULL:
            continue
        fields = form.pack(crc, compressed, size)
        for descriptor, crc_end in ((_DESCRIPTOR + fields, 8), (fields, 4)):
            if descriptor.startswith(rest):
                begun = max(begun, _WITH_CRC if len(rest) >= crc_end else 1)
    return begun


def _zip64_sizes(extra: bytes, size: int, compressed: int) -> tuple[int, int]:
    """The plain and compressed size, those the header marks 0xFFFFFFFF taken from its ZIP64 extra field (a local
    header's holds both, in that order; APPNOTE 4.5.3)."""
    while len(extra) >= 4:
        kind, length = struct.unpack("<HH", extra[:4])
        data, extra = extra[4:4 + length], extra[4 + length:]
        if kind != _ZIP64:
            continue
        values = list(struct.unpack(f"<{len(data) // 8}Q", data[:len(data) // 8 * 8]))
        if len(values) >= 2:
            return values[0] if size == _FULL else size, values[1] if compressed == _FULL else compressed
        if values and size == _FULL:
            return values[0], compressed
        if values and compressed == _FULL:
            return size, values[0]
    return size, compressed
