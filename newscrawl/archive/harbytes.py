"""Where ijson and json part, in the bytes of a HAR that ijson reads (harstream.py): each class here watches them or
rewrites them, so that what ijson gives is what ``json.loads`` gave.

* SurrogateWatch: the escape of a lone surrogate (``"\\ud800"``), which yajl reads wrong; the pure-Python backend
  reads the file instead;
* NonFinite: NaN, Infinity and -Infinity, which json reads and no JSON parser of ijson's does: written ``null`` for
  ijson, each kept as the float json gives, by the number of the null in its place.
"""

from __future__ import annotations

import math
import re


class LoneSurrogate(Exception):
    """An escape of a lone surrogate is in the bytes the yajl backend is about to read (SurrogateWatch)."""


class SurrogateWatch:
    """Finds, in the bytes a yajl backend reads, the escape of a lone surrogate, which JSON allows (and ES2019's
    ``JSON.stringify`` writes for one): yajl silently reads a high one as "?", or with the escape after it as one
    wrong character, and raises UnicodeDecodeError for a low one, where json keeps either as it is. A pair (how
    ``json.dumps`` writes every character past U+FFFF) yajl reads right, and it passes. An escape is judged once
    the 12 bytes of a pair are in; a backslash that is itself escaped starts none."""

    _ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
    _HIGH = re.compile(rb"\\u[dD][89abAB][0-9a-fA-F]{2}")
    _LOW = re.compile(rb"\\u[dD][c-fC-F][0-9a-fA-F]{2}")
    _KEPT = 32
    """Bytes kept from one read for the next: a pair cut by the read, and the backslashes before an escape."""

    def __init__(self) -> None:
        self.tail = b""
        self.start = 0
        """Where in tail + the next bytes the escapes not yet judged begin."""
        self.at_file_start = True

    def see(self, data: bytes, final: bool) -> None:
        window = self.tail + data
        limit = len(window) if final else len(window) - 12
        for found in self._ESCAPE.finditer(window, self.start):
            if found.start() >= limit:
                break
            if self._lone(window, found.start()):
                raise LoneSurrogate(found.group().decode())
        judged = max(self.start, limit)
        cut = max(0, judged - self._KEPT)
        self.tail, self.start = window[cut:], judged - cut
        self.at_file_start = self.at_file_start and cut == 0

    def _lone(self, window: bytes, at: int) -> bool:
        run = 0
        while at - run > 0 and window[at - run - 1] == 0x5C:
            run += 1
        if run % 2 and (at - run > 0 or self.at_file_start):
            return False  # an escaped backslash, then text: no escape (a run cut by the read counts as one)
        if window[at + 3] in b"89abAB":
            return not self._LOW.match(window, at + 6)
        return not (at >= 6 and self._HIGH.match(window, at - 6))


class NonFinite:
    """The bytes ijson reads with NaN, Infinity and -Infinity outside strings written ``null``, each kept as the float
    json gives for it, by the number of the null ijson will give in its place (every null of the file is numbered).
    A string's or a word's bytes cut by a read wait for the next."""

    _OUTSIDE = re.compile(rb'"|NaN|-?Infinity|null')
    _INSIDE = re.compile(rb'[^"\\]*(?:\\.[^"\\]*)*', re.S)
    """A string's bytes up to its closing quote, or to a backslash the read cut from what it escapes."""
    _WORD_END = re.compile(rb"[A-Za-z-]{1,8}\Z")
    _VALUES = {b"NaN": math.nan, b"Infinity": math.inf, b"-Infinity": -math.inf}

    def __init__(self) -> None:
        self.in_string = False
        self.carry = b""
        self.nulls = 0
        self.floats: dict[int, float] = {}
        """The number of each null given in place of a word → the float json reads the word as."""

    def feed(self, data: bytes, final: bool) -> bytes:
        buffer, given, at = self.carry + data, [], 0
        while at < len(buffer):
            if self.in_string:
                end = self._INSIDE.match(buffer, at).end()  # type: ignore[union-attr]  # it matches "" at least
                if end < len(buffer) and buffer[end] == 0x22:
                    end, self.in_string = end + 1, False
                given.append(buffer[at:end])
                at = end
                if self.in_string:
                    break  # the string goes on in the next read (a backslash cut from its escape waits for it)
                continue
            found = self._OUTSIDE.search(buffer, at)
            if found is None:
                word = None if final else self._WORD_END.search(buffer, at)
                end = word.start() if word else len(buffer)  # a word the read may have cut waits for the rest
                given.append(buffer[at:end])
                at = end
                break
            given.append(buffer[at:found.start()])
            token, at = found.group(), found.end()
            if token == b'"':
                given.append(token)
                self.in_string = True
                continue
            if token != b"null":
                self.floats[self.nulls] = self._VALUES[token]
            self.nulls += 1
            given.append(b"null")
        self.carry = buffer[at:]
        if final:
            given.append(self.carry)
            self.carry = b""
        return b"".join(given)

    def value(self, number: int) -> float | None:
        """The float json reads in place of the null numbered `number` (counted from 0), or None for a null."""
        return self.floats.pop(number, None)
