"""An archive's records read in parts by several processes at once: the index build of a parallel replay.

Reading the records (inflating, parsing headers, checking digests) is nearly all of an index build, and the
parallel replay's processes cannot start before the index exists, so a serial build was the part of the run no
number of processes shortens. ``parts`` cuts the archive's bytes into `count` parts of about equal size: whole
files, and files whose records are each their own gzip member or zstd frame cut at record starts
(reader.member_starts); plain WARCs, ARC files and files compressed whole are never cut. ``read_in_parts`` reads
every part but the first in a process forked for it while this process reads the first, and gives back each file's
steps (exchanges.record_steps) in archive order, so the caller pairs them exactly as it pairs a serial reading's.
A part whose process fails is read again here (logged), so the result never depends on the processes.
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
from newscrawl.archive.reader import member_starts
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
        starts = _starts(source, inside) if inside and source == file and not is_arc(file) else []
        bounds = [None, *sorted(set(starts)), None]
        spans += [Span(number, start, end) for start, end in zip(bounds, bounds[1:])]
        base += size
    return _grouped(spans, sizes, count)


def read_in_parts(plan: list[list[Span]], read: Callable[[Span], Iterator[T]]) -> Iterator[tuple[int, Iterator[T]]]:
    """(file, its steps) for every span of `plan` in order, reading all parts but the first in forked processes
    while this one reads the first; the steps of a span must be consumed before the next span is asked for."""
    if len(plan) == 1:
        for span in plan[0]:
            yield span.file, read(span)
        return
    workers = [_start(number, len(plan), group, read) for number, group in enumerate(plan[1:], 2)]
    try:
        for span in plan[0]:
            yield span.file, read(span)
        for group, worker in zip(plan[1:], workers):
            results = worker.finish() if worker is not None else None
            for span in group:
                yield span.file, (_unpickled(results) if results is not None else read(span))
    finally:
        for worker in workers:
            if worker is not None:
                worker.stop()


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


def _start(number: int, count: int, group: list[Span], read: Callable[[Span], Iterator[T]]) -> _Worker | None:
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
                chunk: list[T] = []
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


def _unpickled(results: BinaryIO) -> Iterator[T]:
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
    """reader.member_starts, or no cut in a file that cannot be read (reading its records reports that)."""
    try:
        return member_starts(path, near)
    except OSError:
        return []


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
