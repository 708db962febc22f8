"""A HAR's JSON read one entry at a time, so that converting it costs the memory of its largest entry, not of the
file: a browser's "Save all as HAR" easily writes 500 MB, which ``json.loads`` held as several GB.

The parser is ijson's (its C yajl2 backend where it is installed, else its pure-Python one). What it gives is what
``json.loads`` gave, which the WARC's bytes depend on: every value as json builds it (a non-integer number as a
float, not ijson's Decimal: ``1E5`` reads 100000.0 and ``1e400`` inf), a key given twice by its last value (the
last ``log``, its last ``entries``), a byte order mark skipped. Where ijson and json part, json decides:

* a lone surrogate escape (``"\\ud800"``, which JSON allows and no character is) the C backend reads wrong, as
  "?" or another character, or stops at; the bytes it reads are watched for one (harbytes.SurrogateWatch), and the
  pure-Python backend, which keeps it as json does, reads the file again;
* NaN, Infinity and -Infinity, which no JSON standard allows but Python's ``json.dumps`` writes (and browsers' HAR
  writers, for timings), stop both backends: a file that stops ijson anywhere but at its end is read again, still
  entry by entry, with each of those words outside a string read as ``null`` by ijson and handed on as the float
  json gives for it (harbytes.NonFinite: the n-th null ijson gives is the n-th null or such word of the file);
* a file that ends inside its entries, cut short as a download or a killed tool leaves it, or that stops that second
  reading too (garbage after a cut, a damaged middle), hands on the entries before the spot, and the reading says
  where and why it stopped. No file is read whole: what a file costs is its largest entry, whatever stops it. (A
  file that stops before its entries is no HAR; json.loads reads the bytes ijson read up to that spot, for the
  message json gives.)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from types import ModuleType
from typing import Any, Protocol

import ijson
from ijson.common import JSONError, ObjectBuilder

from newscrawl.archive.harbytes import LoneSurrogate, NonFinite, SurrogateWatch

class Readable(Protocol):
    """What the reading takes: a binary file, or a gzipped HAR's plain bytes (gunzipstream.py)."""
    def read(self, size: int = -1, /) -> bytes: ...
    def seek(self, offset: int, /) -> int: ...


_BOM = b"\xef\xbb\xbf"
_STARTS = ("start_map", "start_array")
_ENDS = ("end_map", "end_array")


@dataclass
class Reading:
    """What reading a HAR found besides its entries."""

    log: dict[str, Any]
    """``log`` without its entries (an empty list in their place); as much of it as was read when `stopped`."""
    stopped: str | None
    """Where and why the reading stopped once the entries had begun (the file was cut short or damaged), or None:
    read whole."""
    entries: int
    """How many entries were handed on."""
    sha256: str
    """Of the file's bytes as this reading read them: the caller checks they are still those it named records by."""


class NotAHar(ValueError):
    """The file is no HAR: not JSON, or no ``log.entries`` list. `cause` is what ``json.loads`` or the check raised
    (JSONDecodeError, UnicodeDecodeError, KeyError, TypeError), as before streaming."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.cause = cause


def read_entries(fh: Readable, begin: Callable[[], None], entry: Callable[[Any], None]) -> Reading:
    """Read the HAR in `fh` (from its start), calling `entry` with each entry of ``log.entries`` in turn and `begin`
    before the first: again whenever the entries must be handed on from the first again (the file is read again,
    or holds a later ``entries`` that replaces them, as in json). Raises NotAHar for a file that is no HAR; what
    `begin` and `entry` raise is theirs and goes through untouched."""
    backends = [ijson.get_backend(name) for name in dict.fromkeys((ijson.backend, "python"))]
    for backend in backends:
        for non_finite in (False, True):  # then NaN and Infinity read as json reads them (module docstring)
            reading = _Reading(begin, entry)
            source = _Source(fh, watch=backend.backend_name != "python", non_finite=non_finite)
            error = reading.run(backend, source)
            if error is None or isinstance(error, (UnicodeDecodeError, LoneSurrogate)) or (
                    reading.began and source.ended):
                break  # read whole; a lone surrogate; or cut short inside the entries: no other word changes that
        if isinstance(error, (UnicodeDecodeError, LoneSurrogate)) and backend is not backends[-1]:
            continue  # a lone surrogate, which yajl cannot give as json does: the Python backend can
        if error is None:
            return Reading(_log(reading.top.value), None, reading.count, source.drained())
        if not reading.began:
            raise _not_a_har(fh, source.consumed, error)
        return Reading(_partial_log(reading.top.value), reading.why(error), reading.count, source.drained())
    raise AssertionError("unreachable: the last backend's reading always returns")


def _not_a_har(fh: Readable, consumed: int, error: Exception) -> NotAHar:
    """The refusal of a file that stopped ijson before its entries: as json.loads words it (as before streaming),
    from the bytes ijson read up to that spot, which hold it; ijson's own `error` where json reads those."""
    fh.seek(0)
    try:
        json.loads(fh.read(consumed).decode("utf-8-sig"))
    except ValueError as refused:  # JSONDecodeError, UnicodeDecodeError
        return NotAHar(refused)
    return NotAHar(error)


class _Source:
    """`fh` as ijson reads it, from its start, without a byte order mark; its bytes hashed as they are read (the BOM
    too), whether its end was reached, and (`watch`, for a yajl backend) watched for lone surrogates."""

    def __init__(self, fh: Readable, watch: bool = False, non_finite: bool = False) -> None:
        fh.seek(0)
        self.fh = fh
        self.watch = SurrogateWatch() if watch else None
        self.non_finite = NonFinite() if non_finite else None
        self.hash = hashlib.sha256()
        self.ended = False
        head = fh.read(len(_BOM))
        self.hash.update(head)
        self.consumed = len(head)
        """Bytes of the file read so far."""
        self.pending = b"" if head == _BOM else head

    def read(self, size: int = -1) -> bytes:
        if size == 0:
            return b""
        while True:
            data = self.pending + self.fh.read(size if size < 0 else max(0, size - len(self.pending)))
            self.hash.update(data[len(self.pending):])
            self.consumed += len(data) - len(self.pending)
            self.pending = b""
            if not data:
                self.ended = True
            if self.watch:
                self.watch.see(data, final=not data)
            if self.non_finite is None:
                return data
            given = self.non_finite.feed(data, final=not data)
            if given or not data:  # nothing given but at the end would read as the end
                return given

    def drained(self) -> str:
        """The sha256 of the whole file: what was not read yet is read (and hashed) first."""
        self.watch = self.non_finite = None
        while self.read(1 << 20):
            pass
        return self.hash.hexdigest()


class _Reading:
    """The events of one reading: the top level built as json builds it, but for the entries of ``log.entries``,
    each built alone, handed on and dropped."""

    def __init__(self, begin: Callable[[], None], entry: Callable[[Any], None]) -> None:
        self.top = ObjectBuilder()
        self.item: ObjectBuilder | None = None
        self.depth = 0
        """Containers open inside the entry being built."""
        self.open: list[tuple[str, str | None]] = []
        """The top level's open containers: (start event, the key it is the value of, None in an array)."""
        self.key: str | None = None
        self.in_entries = False
        self.began = False
        self.count = 0
        self.begin, self.entry = begin, entry

    def run(self, backend: ModuleType, source: _Source) -> Exception | None:
        """Feed every event of `source`; the parser's error, None when the file was read whole. An error raised
        while an entry is handed on is no parser's and is not caught."""
        events = backend.basic_parse(source, use_float=False)
        nulls = 0
        while True:
            try:
                event, value = next(events)
            except StopIteration:
                return None
            except (JSONError, ValueError, LoneSurrogate) as error:  # ValueError: UnicodeDecodeError, an int of
                return error  # more digits than int() takes
            if event == "null" and source.non_finite is not None:
                value, nulls = source.non_finite.value(nulls), nulls + 1
            self.feed(event, value)

    def feed(self, event: str, value: Any) -> None:
        if type(value) is Decimal:
            value = float(value)  # as json reads a number with a fraction or an exponent
        if self.item is not None:
            self.item.event(event, value)
            if event in _STARTS:
                self.depth += 1
            elif event in _ENDS:
                self.depth -= 1
                if not self.depth:
                    self._hand_on(self.item.value)
            return
        if self.in_entries and event != "end_array":
            if event in _STARTS:
                self.item, self.depth = ObjectBuilder(), 1
                self.item.event(event, value)
            else:
                self._hand_on(value)  # an entry that is no object: the conversion counts it as malformed
            return
        self.top.event(event, value)
        if event == "map_key":
            self.key = value
        elif event in _STARTS:
            in_map = bool(self.open) and self.open[-1][0] == "start_map"
            if event == "start_array" and in_map and self.key == "entries" and self.open == [
                    ("start_map", None), ("start_map", "log")]:
                self.in_entries, self.began, self.count = True, True, 0
                self.begin()  # a later `entries` replaces the earlier, as in json
            self.open.append((event, self.key if in_map else None))
        elif event in _ENDS:
            self.open.pop()
            self.in_entries = False

    def why(self, error: Exception) -> str:
        """Where and why the parser stopped, in one line (yajl's message goes on with the text around the spot)."""
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        if self.in_entries:
            return f"cut short or damaged after {self.count} entries: {first}"
        return f"damaged after its {self.count} entries, which were read whole: {first}"

    def _hand_on(self, value: Any) -> None:
        self.item = None
        self.count += 1
        self.entry(value)


def _log(top: Any) -> dict[str, Any]:
    """The HAR's ``log``, checked as before streaming."""
    try:
        log = top["log"]
        if not isinstance(log["entries"], list):
            raise TypeError("log.entries is not a list")
    except (KeyError, TypeError) as error:
        raise NotAHar(error) from error
    found: dict[str, Any] = log
    return found


def _partial_log(top: Any) -> dict[str, Any]:
    log = top.get("log") if isinstance(top, dict) else None
    return log if isinstance(log, dict) else {}
