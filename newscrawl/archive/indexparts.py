"""An archive's records read in parts by several processes at once: the index build of a parallel replay.

Reading the records (inflating, parsing headers, checking digests) is nearly all of an index build, and the
parallel replay's processes cannot start before the index exists, so a serial build was the part of the run no
number of processes shortens. ``parts`` cuts the archive's bytes into `count` parts of about equal size: whole
files, and WARC files cut at record starts (reader.record_starts); ARC files are never cut. ``read_in_parts`` reads
every part but the first in a process forked for it while this process reads the first, and gives back each file's
steps (exchanges.span_steps) in archive order, so the caller pairs them exactly as it pairs a serial reading's.

A cut is checked before its span's steps are given: the span before it must say its records go on exactly there
(its ChainEnd). In a plain WARC (or the inflated copy of one compressed whole) a record start found near a cut may
be a "WARC/1.0" line inside a payload; the span read from it is then dropped and the file read on here from where
its records really go on. A part whose process fails is read again here (logged). Either way the steps are the
serial reading's, whatever the cuts and the processes did.
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TypeVar

from newscrawl.archive.arc import is_arc
from newscrawl.archive.reader import ChainEnd, record_starts
from newscrawl.processes import die_with_parent

logger = logging.getLogger(__name__)

T = TypeVar("T")

_CHUNK = 4096
"""Steps pickled at a time by a part's process: the parent holds one chunk of them, not a whole part."""


@dataclass(frozen=True)
class Span:
    """The records of `file` (an index into the archive's files) that start in [start, end); None: from its first
    record, to its end."""

    file: int
    start: int | None = None
    end: int | None = None


MIN_PART_BYTES = 1024 * 1024
"""Less than this per part is read here: a process costs more than reading a small archive."""


def parts(files: list[Path], sources: list[Path], count: int) -> list[list[Span]]:
    """The archive's files cut into at most `count` consecutive parts of about equal size, each of at least
    MIN_PART_BYTES. `sources`: what each file is read from (the file, or the inflated copy of one compressed whole),
    which decides where it may be cut."""
    sizes = [_size(source) for source in sources]
    total = sum(sizes)
    if MIN_PART_BYTES > 0:
        count = min(count, total // MIN_PART_BYTES)
    if count < 2 or total == 0:
        return [[Span(number) for number in range(len(files))]]
    spans: list[Span] = []
    base = 0
    for number, (file, source, size) in enumerate(zip(files, sources, sizes)):
        cuts = [(total * k) // count - base for k in range(1, count)]
        inside = [cut for cut in cuts if 0 < cut < size]
        starts = _starts(source, inside) if inside and not is_arc(file) else []
        bounds = [None, *sorted(set(starts)), None]
        spans += [Span(number, start, end) for start, end in zip(bounds, bounds[1:])]
        base += size
    return _grouped(spans, sizes, count)


def read_in_parts(plan: list[list[Span]], read: Callable[[Span], Iterator[T | ChainEnd]]
                  ) -> Iterator[tuple[int, Iterator[T]]]:
    """(file, its steps) for every span of `plan` in order, reading all parts but the first in forked processes
    while this one reads the first; the steps of a span must be consumed before the next span is asked for.
    `read` gives a span's steps and, for a span with an end, its ChainEnd last (exchanges.span_steps)."""
    workers = [_start(number, len(plan), group, read) for number, group in enumerate(plan[1:], 2)]
    goes_on: dict[int, int | None] = {}  # file → where its records go on after the spans given so far
    try:
        for group, worker in zip(plan, [None, *workers]):
            results = worker.finish() if worker is not None else None
            for span in group:
                done = _unpickled(results) if results is not None else None
                yield span.file, _confirmed(span, done, read, goes_on)
    finally:
        for running in workers:
            if running is not None:
                running.stop()


def _confirmed(span: Span, done: Iterator[T | ChainEnd] | None, read: Callable[[Span], Iterator[T | ChainEnd]],
               goes_on: dict[int, int | None]) -> Iterator[T]:
    """The span's steps (`done`: as a part's process read them; None: to be read here), when its cut is where the
    file's records go on after the span before it; else the file read on here from there to the span's end."""
    steps = done
    if span.start is not None and goes_on.get(span.file, span.start) != span.start:
        if done is not None:
            for _ in done:  # the part's reading of a cut that was no record start: drained, not used
                pass
        resume = goes_on[span.file]
        logger.debug("Index build: file %d's cut at offset %d is no record start (its records go on at %s): "
                     "read on from there here", span.file, span.start, resume)
        steps = read(Span(span.file, resume, span.end)) if resume is not None else iter(())
    elif steps is None:
        steps = read(span)
    if span.end is not None:
        goes_on[span.file] = None  # a reading that stops early (an unreadable file) reads no further, as a serial one
    for step in steps:
        if isinstance(step, ChainEnd):
            goes_on[span.file] = step.offset
        else:
            yield step


@dataclass
class _Worker:
    pid: int
    output: BinaryIO
    name: str

    def finish(self) -> BinaryIO | None:
        """The part's steps, once its process has ended well; None when it failed (the caller reads the part)."""
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            logger.warning("Index build: the process reading %s failed (exit code %d): read again here",
                           self.name, code)
            return None
        self.output.seek(0)
        return self.output

    def stop(self) -> None:
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.pid = 0
        self.output.close()


def _start(number: int, count: int, group: list[Span], read: Callable[[Span], Iterator[T | ChainEnd]]
           ) -> _Worker | None:
    """The process reading part `number` of `count`; None when none could be started (the caller reads it)."""
    name = f"part {number} of {count} of the archive"
    try:
        output = tempfile.TemporaryFile(prefix="newscrawl-index-")
        parent = os.getpid()
        pid = os.fork()
    except OSError as exc:
        logger.warning("Index build: cannot start a process to read %s (%s): read here", name, exc)
        return None
    if pid == 0:  # the part's process: pickle its steps, span by span, and leave without running anything else
        code = 1
        try:
            die_with_parent(parent)
            for span in group:
                chunk: list[T | ChainEnd] = []
                for step in read(span):
                    chunk.append(step)
                    if len(chunk) == _CHUNK:
                        pickle.dump(chunk, output, pickle.HIGHEST_PROTOCOL)
                        chunk = []
                pickle.dump(chunk, output, pickle.HIGHEST_PROTOCOL)
                pickle.dump(None, output, pickle.HIGHEST_PROTOCOL)  # end of the span
            output.flush()
            code = 0
        except BaseException:  # noqa: BLE001 - whatever it was, the parent reads the part itself
            logger.exception("Index build: reading %s failed", name)
        finally:
            os._exit(code)
    return _Worker(pid, output, name)


def _unpickled(results: BinaryIO) -> Iterator[T | ChainEnd]:
    """One span's steps from a part's output (the next span's follow)."""
    while (chunk := pickle.load(results)) is not None:
        yield from chunk


def _grouped(spans: list[Span], sizes: list[int], count: int) -> list[list[Span]]:
    """Consecutive spans into `count` groups of about equal bytes (a span's bytes: its share of its file)."""
    def weight(span: Span) -> int:
        start = span.start or 0
        end = span.end if span.end is not None else sizes[span.file]
        return max(end - start, 0)

    total = sum(weight(span) for span in spans) or 1
    groups: list[list[Span]] = [[] for _ in range(count)]
    done = 0
    for span in spans:
        middle = done + weight(span) / 2
        groups[min(int(middle * count / total), count - 1)].append(span)
        done += weight(span)
    return [group for group in groups if group]


def _starts(path: Path, near: list[int]) -> list[int]:
    """reader.record_starts, or no cut in a file that cannot be read (reading its records reports that)."""
    try:
        return record_starts(path, near)
    except OSError:
        return []


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
