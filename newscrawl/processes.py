"""Processes forked by newscrawl (a parallel replay's, an index build's parts): they must not outlive their parent."""

from __future__ import annotations

import ctypes
import os
import signal

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """In a process right after fork: SIGTERM when the parent dies, even by kill -9 (and exit at once if it already
    has, between the fork and this call)."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:
        os._exit(1)
