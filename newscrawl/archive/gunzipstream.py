"""A gzip file read as the plain bytes it holds, as a file is read, the same bytes however it is read, and as far as
it goes when it is cut short or damaged.

gzip.GzipFile raises at a cut and drops what it inflated in that read, so what came before a cut depended on the
sizes of the reads: the same file gave different bytes (and digests) to two readers. Here the compressed file is
read in fixed steps and all a step inflates is kept, whatever the reader asks for, and of a step that meets damage
all it inflates up to the damaged byte: a gzipped HAR (``.har.gz``)
names its records by the digest of what it holds, and every reading of it must find the same.
"""

from __future__ import annotations

import zlib
from typing import IO

_STEP = 1 << 16  # compressed bytes read at a time
_MOST = 1 << 22  # plain bytes one inflation may give: a step of a bomb inflates in bounded pieces


class GunzipStream:
    """`fh`'s gzip members' plain bytes (concatenated members read on, as gzip does); `cut` says why they end
    early ("" while whole). Rewinds only to the start."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh = fh
        self.seek(0)

    def seek(self, offset: int, /) -> int:
        if offset != 0:
            raise ValueError("a gzip stream rewinds only to its start")
        self.fh.seek(0)
        self.inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self.pending, self.buffer, self.ended, self.cut = b"", b"", False, ""
        return 0

    def read(self, size: int = -1, /) -> bytes:
        while not self.ended and (size < 0 or len(self.buffer) < size):
            self._inflate_step()
        if size < 0:
            size = len(self.buffer)
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def _inflate_step(self) -> None:
        if self.inflater.eof:  # a member ended: the next, if any, starts in what it left
            self.pending = self.inflater.unused_data + self.pending or self.fh.read(_STEP)
            if not self.pending:
                self.ended = True
                return
            self.inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        data = self.inflater.unconsumed_tail or self.pending or self.fh.read(_STEP)
        self.pending = b""
        if not data:
            self.ended, self.cut = True, "its gzip stream is cut short"
            return
        before = self.inflater.copy()
        try:
            self.buffer += self.inflater.decompress(data, _MOST)
        except zlib.error as error:
            self.buffer += _up_to_damage(before, data)
            self.ended, self.cut = True, f"its gzip stream is damaged: {error}"


def _up_to_damage(inflater: zlib._Decompress, data: bytes) -> bytes:
    """What `data` inflates to, fed to `inflater` (as it was before the step that failed) a byte at a time, up to
    the byte zlib refuses: zlib gives nothing of a step that fails, and a step is 64 KB of compressed data, all that
    came before the damage in it (a tar's members, a HAR's entries) lost with it."""
    kept = []
    for at in range(len(data)):
        try:
            kept.append(inflater.decompress(data[at:at + 1], _MOST))
            while inflater.unconsumed_tail:
                kept.append(inflater.decompress(inflater.unconsumed_tail, _MOST))
        except zlib.error:
            break
        if inflater.eof:
            break
    return b"".join(kept)
