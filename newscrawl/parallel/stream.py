"""The merge of a parallel replay done while its processes still run, so little of it is left when the last ends.

The merge's lineage index (merge.py) is order-dependent serial work: done after the processes, it was most of the
time the parent added to the run. Each process now marks in its entries.jsonl, before dealing a release batch, the
lowest batch it may still write an entry for (recorder.py); an entry below every process's mark is final, so the
parent merges those, in the one-process order, into a spool file while the processes go on.

The marks are a promise the merge also checks: an entry arriving below what was already merged (a request of unknown
place, say) or a feed line not yet whole sets `out_of_order`, and the parent then merges everything again once the
processes have ended (merge.merge), as without streaming. Either way the user's feeds are written only at the end.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

from newscrawl.parallel.merge import Entry, Merger, entry_of
from newscrawl.parallel.recorder import COMPLETE, ENTRIES, FEED

_BELOW_ALL = -(2**62)
_ABOVE_ALL = 2**62


class _Tail:
    """One process's entries.jsonl and feed, read as they grow."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.entries: IO[bytes] | None = None
        self.feed: IO[bytes] | None = None
        self.rest = b""
        self.complete_below = _BELOW_ALL
        """Every entry of a lower release batch has been read."""
        self.torn = False
        """A feed line was not whole when its entry was read, or a line was unreadable: this stream cannot be
        trusted."""

    def read(self) -> list[Entry]:
        if self.entries is None:
            try:
                self.entries = open(self.folder / ENTRIES, "rb")
            except FileNotFoundError:  # the process has not opened it yet
                return []
        data = self.entries.read()
        if not data:
            return []
        lines = (self.rest + data).split(b"\n")
        self.rest = lines.pop()
        found: list[Entry] = []
        for text in lines:
            try:
                raw = json.loads(text)
            except ValueError:  # not what the recorder writes: trust nothing streamed (the end's merge reports it)
                self.torn = True
                return found
            if COMPLETE in raw:
                self.complete_below = max(self.complete_below, int(raw[COMPLETE]))
                continue
            entry = entry_of(raw)
            if entry.dropped is None:
                entry.line = self._feed_line()
            found.append(entry)
        return found

    def _feed_line(self) -> bytes:
        if self.feed is None:
            try:
                self.feed = open(self.folder / FEED, "rb")
            except FileNotFoundError:
                self.torn = True
                return b""
        line = self.feed.readline()
        if not line.endswith(b"\n"):
            self.torn = True
        return line

    def close(self) -> None:
        for file in (self.entries, self.feed):
            if file is not None:
                file.close()


class StreamingMerge:
    """Merges the final entries of every process into `spool` each time poll() is called; finish() once all ended."""

    def __init__(self, folders: list[Path], spool: IO[bytes], settings: Any, encoding: str) -> None:
        self.tails = [_Tail(folder) for folder in folders]
        self.merger = Merger([spool], settings, encoding)
        self.pending: list[tuple[tuple[int, int], int, int, Entry]] = []
        """Read, not yet merged: (one-process place, process, read order, entry)."""
        self.merged_below = _BELOW_ALL
        self.out_of_order = False
        self.merged_while_running = 0
        """Entries merged before finish(): the part of the merge the processes' run hid."""
        self._read = 0
        self._running = True

    def poll(self) -> None:
        if self.out_of_order:
            return
        for process, tail in enumerate(self.tails):
            for entry in tail.read():
                if entry.rank[0] < self.merged_below:
                    self.out_of_order = True
                self.pending.append((entry.rank, process, self._read, entry))
                self._read += 1
        if self.out_of_order or any(tail.torn for tail in self.tails):
            self.out_of_order = True
            self.pending.clear()  # the merge starts over at the end
            return
        bound = min(tail.complete_below for tail in self.tails)
        if bound <= self.merged_below:
            return
        ready = sorted(item for item in self.pending if item[0][0] < bound)
        self.pending = [item for item in self.pending if item[0][0] >= bound]
        for *_, entry in ready:
            self.merger.take(entry)
        if self._running:
            self.merged_while_running += len(ready)
        self.merged_below = bound

    def finish(self) -> bool:
        """Every process has ended: merge the rest; False when the stream broke its promise (merge again)."""
        try:
            self._running = False
            self.poll()  # reads to the end: every entry is final now
            for tail in self.tails:
                tail.complete_below = _ABOVE_ALL
            self.poll()
            return not self.out_of_order
        finally:
            self.close()

    def close(self) -> None:
        for tail in self.tails:
            tail.close()
        self.merger.close()
