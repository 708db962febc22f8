"""Where a ZIP member's data ends, read from its header's sizes or the data descriptor after it, and the member the
end of the file cut: the lower half of reading a ZIP from its members' own headers (zipscan.py walks the headers).

A member's sizes come from its local header, or ZIP64's extra field (0x0001) where that says 0xFFFFFFFF; a member
written with flag bit 3 (by a writer that could not seek back: zipfile on a pipe, macOS, Java) has them in a data
descriptor after its data, whose end a deflate stream tells by inflating to its end, and any other member by the
first descriptor after it whose sizes fit. A stored member the end of the file cut inside that descriptor keeps none
of the descriptor's bytes as its own: the bytes that can be read as its start are not data, and once they hold its
whole CRC, and it matches, the member is whole (_stored_end); so is a deflated one, whose stream ended before the
descriptor, once the CRC there matches what it inflates to (_deflated_end). (stream-unzip, on PyPI, reads ZIPs this
way, but gives neither a member's extra field, which holds its time, nor a ZipInfo for members.py; it stops the
whole stream at an encrypted member or an unknown method, and reads no stored member with a descriptor.)

The member the end of the file cut is kept (`cut`), with where its bytes start and end, whose bytes before the cut
cut_chunks gives: a WACZ keeps a cut WARC so, and the replay reads its records up to the cut.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from newscrawl.archive.zipformat import CENTRAL, CHUNK, DESCRIBED, DESCRIPTOR, ENCRYPTED, FORMS, FULL, LOCAL
from newscrawl.files import read_failed

_MOST_CUT = 4 + FORMS[1].size - 1
"""The most bytes of a data descriptor a file cut inside it can hold: a signed ZIP64 one but its last byte."""
CUT_LINE = ("cut short after {files} files{inside}: no central directory follows (the end of the file is missing: an "
            "interrupted download or copy?); each file before the cut was read from its own header")


@dataclass(frozen=True)
class End:
    """Where the reading of the members ended: the line saying so, with {files} for the count of whole files before
    it and {inside} for the member it ended in, if any."""

    line: str
    inside: str = ""


class MemberEnds(zipfile.ZipFile):
    """A ZipFile that finds where each member's data ends (module docstring) and keeps the member the end of the file
    cut, `cut`; a subclass walks the headers (its _RealGetContents, which ZipFile.__init__ calls)."""

    def __init__(self, path: Path, most: int) -> None:
        self.most = most
        """What the archive may unpack to, beyond which a member is not inflated to find its end."""
        self.cut: zipfile.ZipInfo | None = None
        self._cut_at = 0
        self._cut_end: int | None = None
        """Where the cut member's data ends at the latest: the start of what may be its data descriptor, cut short
        (_stored_end); None: at the end of the file."""
        self._end = End(CUT_LINE)
        self._broken: str | None = None
        """Why the member being read is damaged where its end cannot be found (its deflate stream), if it is."""
        self._length = 0
        self.read_failure: tuple[int, OSError] | None = None
        """Where a read of the file failed, and its error: nothing from there on is read (_read)."""
        super().__init__(path)

    def cut_chunks(self) -> Iterator[bytes]:
        """The bytes of the cut member as far as the file goes: stored, as they are; deflated, inflated until the
        cut; none of an encrypted member or another method, of which no part can be read."""
        member = self.cut
        if member is None or member.flag_bits & ENCRYPTED or member.compress_type not in (zipfile.ZIP_STORED,
                                                                                             zipfile.ZIP_DEFLATED):
            return
        inflater = zlib.decompressobj(-15) if member.compress_type == zipfile.ZIP_DEFLATED else None
        at, end = self._cut_at, self._length if self._cut_end is None else self._cut_end
        while chunk := self._read(at, min(CHUNK, end - at) if inflater is None else CHUNK):
            at += len(chunk)
            if inflater is None:
                yield chunk
                continue
            try:
                while chunk and not inflater.eof:
                    yield inflater.decompress(chunk, CHUNK)
                    chunk = inflater.unconsumed_tail
            except zlib.error:  # damaged before the cut: what inflated so far is what there is
                return
            if inflater.eof:
                return

    def _data_end(self, member: zipfile.ZipInfo, data_at: int) -> int | None:
        """Where the next header may start after `member`'s data (at `data_at`) and its descriptor, the member's CRC
        and sizes completed from that descriptor; None when the reading ends at it (cut, damaged, too large)."""
        if not member.flag_bits & DESCRIBED:
            if data_at + member.compress_size > self._length:
                self._cut_short(member, data_at)
                return None
            return data_at + member.compress_size
        if member.compress_type == zipfile.ZIP_DEFLATED and not member.flag_bits & ENCRYPTED:
            inflated = self._inflated(member, data_at)
            if inflated is None:
                return None
            data_end, size, crc = inflated
            described = self._descriptor(data_end, data_at, size) or self._deflated_end(data_end, data_at, size, crc)
        else:
            described = self._search(data_at, stored=member.compress_type == zipfile.ZIP_STORED)
        if described is None and member.compress_type == zipfile.ZIP_STORED and not member.flag_bits & ENCRYPTED:
            described = self._stored_end(member, data_at)
        if described is None:
            self._cut_short(member, data_at)
            return None
        member.CRC, member.compress_size, member.file_size, end = described
        return end

    def _cut_short(self, member: zipfile.ZipInfo, data_at: int) -> None:
        """`member`, whose data starts at `data_at`, is the one the end of the file cut."""
        self.cut, self._cut_at = member, data_at
        self._end = End(CUT_LINE, member.filename)

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
            chunk = self._read(at, min(CHUNK, data_at + first - at))
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
            chunk = self._read(at, CHUNK)
            if not chunk:
                self._cut_short(member, data_at)
                return None
            at += len(chunk)
            try:
                while chunk and not inflater.eof and size <= self.most:
                    inflated = inflater.decompress(chunk, CHUNK)
                    size, crc = size + len(inflated), zlib.crc32(inflated, crc)
                    chunk = inflater.unconsumed_tail
            except zlib.error as error:
                self._broken = str(error)
                return None
            if size > self.most:
                self._end = End(f"not read past {{files}} files{{inside}}: it inflates to more than {self.most} "
                                 "bytes, more than the archive may unpack to, so nothing after it was read",
                                 member.filename)
                return None
        return at - len(inflater.unused_data), size, crc

    def _descriptor(self, data_end: int, data_at: int, size: int | None = None
                    ) -> tuple[int, int, int, int] | None:
        """The CRC and sizes of the data descriptor at `data_end` (signed or not, of either width) that names the
        data from `data_at` (and, when known, its plain `size`), and where it ends; of two forms that fit, the one
        a header or the end of the file follows. None when none fits."""
        raw = self._read(data_end, 4 + FORMS[1].size)
        fields = raw[4:] if raw[:4] == DESCRIPTOR else raw
        fitting = []
        for form in FORMS:
            if len(fields) < form.size:
                continue
            crc, compressed, plain = form.unpack(fields[:form.size])
            mask = FULL if form is FORMS[0] else (1 << 64) - 1
            if compressed == (data_end - data_at) & mask and (size is None or plain == size & mask):
                fitting.append((crc, data_end - data_at, size if size is not None else plain,
                                data_end + len(raw) - len(fields) + form.size))
        for candidate in fitting:
            if self._read(candidate[3], 4) in (b"", LOCAL, *CENTRAL):
                return candidate
        return fitting[0] if fitting else None

    def _search(self, data_at: int, stored: bool) -> tuple[int, int, int, int] | None:
        """The first data descriptor after `data_at` whose sizes fit the data before it (a stored member's plain
        size is its compressed one): signed, or unsigned before the next header. None when the file ends first."""
        at, carry = data_at, b""
        while chunk := self._read(at, CHUNK):
            buffer, base = carry + chunk, at - len(carry)
            spot = buffer.find(b"PK")
            while spot >= 0:
                place = base + spot
                ends = [place] if buffer[spot:spot + 4] == DESCRIPTOR else [
                    place - form.size for form in FORMS if self._read(place, 4) in (LOCAL, *CENTRAL)]
                for data_end in ends:
                    found = self._descriptor(data_end, data_at) if data_end >= data_at else None
                    if found and (not stored or found[1] == found[2]):
                        return found
                spot = buffer.find(b"PK", spot + 1)
            at, carry = at + len(chunk), buffer[-1:]
        return None

    def _read(self, at: int, size: int) -> bytes:
        """The `size` bytes at `at`; none from a spot the disk fails to read on (EIO): the ZIP is read as if it ended
        there, and that read's error is kept (`read_failure`), for the damage line to say so."""
        fp: IO[bytes] | None = self.fp
        assert fp is not None
        try:
            fp.seek(at)
            return fp.read(size)
        except OSError as error:
            if error.errno is None:
                raise
            self.read_failure = self.read_failure or (at, error)
            return b""

    def _seek_end(self) -> int:
        fp: IO[bytes] | None = self.fp
        assert fp is not None
        return fp.seek(0, 2)


_WITH_CRC = 2


def _descriptor_begun(rest: bytes, crc: int, compressed: int, size: int) -> int:
    """How far `rest`, the last bytes of a file, is the start of a data descriptor naming `crc` and the sizes (signed
    or not, of either width): _WITH_CRC when it holds the whole CRC, 1 when less of it, 0 when it is none.

    >>> fields = FORMS[0].pack(0x1234, 10, 10)
    >>> _descriptor_begun(DESCRIPTOR + fields[:4], 0x1234, 10, 10), _descriptor_begun(fields[:3], 0x1234, 10, 10)
    (2, 1)
    >>> _descriptor_begun(fields[:4], 0x4321, 10, 10)
    0
    """
    begun = 0
    for form in FORMS:
        if form is FORMS[0] and max(compressed, size) > FULL:
            continue
        fields = form.pack(crc, compressed, size)
        for descriptor, crc_end in ((DESCRIPTOR + fields, 8), (fields, 4)):
            if descriptor.startswith(rest):
                begun = max(begun, _WITH_CRC if len(rest) >= crc_end else 1)
    return begun
