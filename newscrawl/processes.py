"""Process plumbing every command shares: the exit codes, and processes that must not outlive their parent (the
crawl `newscrawl run` starts, a parallel replay's processes, an index build's parts)."""

from __future__ import annotations

import ctypes
import os
import signal

EXIT_FAILED = 1
"""A run that did not start, or that stopped on an error or lost items (`scrapy crawl`, `newscrawl run`)."""
EXIT_USAGE = 2
"""A bad argument, named in one line."""
EXIT_LOCKED = 3
"""Another crawl of the spider holds its run lock."""

USAGE_PROG_ENV = "NEWSCRAWL_USAGE_PROG"
"""The command a crawl's one-line errors name when another started it (`newscrawl run`), instead of `scrapy crawl`."""


def typed_command(spider: str) -> str:
    """The command the user typed, as a crawl's one-line errors begin: `newscrawl run SPIDER` when that started the
    crawl (USAGE_PROG_ENV), else `scrapy crawl SPIDER`; a line naming a command the user never ran sends them to
    the wrong documentation."""
    prog = os.environ.get(USAGE_PROG_ENV) or "scrapy crawl"
    return f"{prog} {spider}" if spider else prog

_PR_SET_PDEATHSIG = 1


def sigterm_when_parent_dies() -> None:
    """SIGTERM to this process when its parent dies, however it dies, kill -9 included (Linux prctl). Elsewhere
    nothing: the parent's forwarding of catchable signals still works. Also run between fork and exec (the crawl
    `newscrawl run` starts): ctypes finds prctl in the running process instead of searching for libc, whose
    ctypes.util.find_library runs ldconfig in a subprocess."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def die_with_parent(parent: int) -> None:
    """In a process right after fork: SIGTERM when the parent dies (and exit at once if it already has, between the
    fork and this call)."""
    sigterm_when_parent_dies()
    if os.getppid() != parent:
        os._exit(1)
