"""The records of a ZIP that its readers here share, as APPNOTE.TXT lays them out: signatures, the local file header
(4.3.7), the data descriptor (4.3.9), the flags and methods a header names, and the ZIP64 extra field (4.5.3).

zipdirectory.py checks a central directory against these records, zipscan.py walks a ZIP by them where that
directory cannot be trusted, and zipends.py finds where a member's data ends by them.
"""

from __future__ import annotations

import struct

LOCAL = b"PK\x03\x04"
CENTRAL = (b"PK\x01\x02", b"PK\x05\x06", b"PK\x06\x06")
"""A central directory entry, the end record and the ZIP64 end record: what follows the last member."""
END = CENTRAL[1]
DESCRIPTOR = b"PK\x07\x08"
HEADER = struct.Struct("<4sHHHHHIIIHH")
"""A local file header: signature, version, flags, method, time, date, CRC, sizes (compressed, plain), name and extra
field lengths (APPNOTE 4.3.7)."""
FORMS = (struct.Struct("<III"), struct.Struct("<IQQ"))
"""A data descriptor after its optional signature: CRC, compressed and plain size, of 4 bytes each or (ZIP64) 8."""
METHODS = frozenset({0, 1, 6, 8, 9, 12, 14, 93, 95, 96, 97, 98, 99})
"""Compression methods APPNOTE names that writers use (stored, shrunk, imploded, deflate, deflate64, bzip2, LZMA,
zstd, xz, JPEG, WavPack, PPMd, AES)."""
_ZIP64 = 0x0001
FULL = 0xFFFFFFFF
ENCRYPTED, DESCRIBED, UTF8_NAME = 0x01, 0x08, 0x800
CHUNK = 1 << 20


def zip64_sizes(extra: bytes, size: int, compressed: int) -> tuple[int, int]:
    """The plain and compressed size, those the header marks 0xFFFFFFFF taken from its ZIP64 extra field (a local
    header's holds both, in that order; APPNOTE 4.5.3)."""
    while len(extra) >= 4:
        kind, length = struct.unpack("<HH", extra[:4])
        data, extra = extra[4:4 + length], extra[4 + length:]
        if kind != _ZIP64:
            continue
        values = list(struct.unpack(f"<{len(data) // 8}Q", data[:len(data) // 8 * 8]))
        if len(values) >= 2:
            return values[0] if size == FULL else size, values[1] if compressed == FULL else compressed
        if values and size == FULL:
            return values[0], compressed
        if values and compressed == FULL:
            return size, values[0]
    return size, compressed


def date_time(time: int, date: int) -> tuple[int, int, int, int, int, int]:
    """A header's MS-DOS time and date (APPNOTE 4.4.6) as ZipInfo.date_time holds them.

    >>> date_time(0x4400, 0x5D87)
    (2026, 12, 7, 8, 32, 0)
    """
    return (date >> 9) + 1980, (date >> 5) & 0xF, date & 0x1F, time >> 11, (time >> 5) & 0x3F, (time & 0x1F) * 2
