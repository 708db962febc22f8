"""A bzip2 or xz file read as the plain bytes it holds, as far as they go when it is cut short or damaged: what
gunzipstream.py does for gzip, for a ``.tar.bz2`` and a ``.tar.xz``.

tarfile reads them through bz2.BZ2File and lzma.LZMAFile, which drop all they decompressed in the 8 KB read that
meets damage, and every tar member in it. Here the file is read in fixed steps, all a step gives is kept, and of the
step that meets damage all it gives up to the damaged byte: bz2's and lzma's decompressors cannot be copied (zlib's
can, gunzipstream.py), so the stream is decompressed again from its start up to that step, once, and the step then
a byte at a time. What follows the damage is lost: bzip2's blocks start at any bit offset, and xz's are found only
through the index at its end (``xz`` writes one block unless run with threads), so no reading resumes here.
Concatenated streams (pbzip2 writes one per block; ``cat a.xz b.xz``) are read on, as bzip2 and xz do.
"""

from __future__ import annotations

import bz2
import lzma
from typing import IO, Any

_STEP = 1 << 16  # compressed bytes read at a time
_MOST = 1 << 22  # plain bytes one call may give: a step of a bomb decompresses in bounded pieces
_ERRORS = (OSError, EOFError, lzma.LZMAError, ValueError)
MAGICS = {"bz2": b"BZh", "xz": b"\xfd7zXZ\x00"}
"""How each format's stream starts."""


def _decompressor(kind: str) -> Any:
    return bz2.BZ2Decompressor() if kind == "bz2" else lzma.LZMADecompressor()


class UnpackStream:
    """`fh`'s bzip2 or xz streams' plain bytes (`kind`: "bz2" or "xz"); `cut` says why they end early ("" while
    whole). Rewinds only to the start."""

    def __init__(self, fh: IO[bytes], kind: str) -> None:
        self.fh, self.kind = fh, kind
        self.seek(0)

    def seek(self, offset: int, /) -> int:
        if offset != 0:
            raise ValueError(f"a {self.kind} stream rewinds only to its start")
        self.fh.seek(0)
        self.decompressor = _decompressor(self.kind)
        self.stream_start = 0  # where the current stream starts in the file
        self.position = 0  # where the next byte fed to the decompressor is in the file
        self.step_start = 0  # where the last step fed starts
        self.given = 0  # plain bytes the current stream gave since that step was fed
        self.buffer, self.ended, self.cut = b"", False, ""
        return 0

    def read(self, size: int = -1, /) -> bytes:
        while not self.ended and (size < 0 or len(self.buffer) < size):
            self._step()
        if size < 0:
            size = len(self.buffer)
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def _step(self) -> None:
        data = b""
        if self.decompressor.eof:  # a stream ended: the next, if any, starts in what it left
            rest = self.decompressor.unused_data
            self.position -= len(rest)
            self.fh.seek(self.position)
            if not self.fh.read(1):
                self.ended = True
                return
            self.decompressor, self.stream_start = _decompressor(self.kind), self.position
        if self.decompressor.needs_input:
            self.fh.seek(self.position)
            data = self.fh.read(_STEP)
            if not data:
                self.ended, self.cut = True, f"its {self.kind} stream is cut short"
                return
            self.step_start, self.given = self.position, 0
            self.position += len(data)
        try:
            out = self.decompressor.decompress(data, _MOST)
        except _ERRORS as error:
            self.buffer += self._up_to_damage()
            self.ended, self.cut = True, f"its {self.kind} stream is damaged: {error}"
            return
        self.given += len(out)
        self.buffer += out

    def _up_to_damage(self) -> bytes:
        """What the step that failed gives before its damaged byte, beyond what it gave already: the stream is
        decompressed again up to the step (its output dropped), then the step a byte at a time."""
        again = _decompressor(self.kind)
        self.fh.seek(self.stream_start)
        left, kept = self.step_start - self.stream_start, []
        try:
            while left > 0:
                chunk = self.fh.read(min(_STEP, left))
                left -= len(chunk)
                again.decompress(chunk, _MOST)
                while not again.needs_input and not again.eof:
                    again.decompress(b"", _MOST)
            for byte in self.fh.read(self.position - self.step_start):
                kept.append(again.decompress(bytes([byte]), _MOST))
                while not again.needs_input and not again.eof:
                    kept.append(again.decompress(b"", _MOST))
                if again.eof:
                    break
        except _ERRORS:
            pass
        return b"".join(kept)[self.given:]
