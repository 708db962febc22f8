"""The crawl's log file (LOG_FILE, `--logfile`): a write it cannot make costs one line, not a traceback per record.

Python's logging reports every record a handler fails to write with a `--- Logging error ---` traceback on
stderr, so a log file on a full disk printed 15–37 tracebacks before the crawl's own one-line reason. Scrapy builds
the LOG_FILE handler itself (and rebuilds it when the crawl starts), with no hook for its class, so `scrapy crawl`
sets a policy on `logging.FileHandler` for its own process: an OSError while writing a log file (full or read-only
disk, I/O error) is remembered — the first one per file — and the records that cannot be written are dropped;
the crawl command names the file and the error in its one closing line (`incomplete()`). Any other error in a
handler (a log call whose arguments do not fit its message) is a bug in the caller and keeps Python's report.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from newscrawl.files import os_reason

_PYTHON_HANDLE_ERROR = logging.FileHandler.handleError
_PYTHON_CLOSE = logging.FileHandler.close
_failures: dict[str, OSError] = {}


def _remember_write_error(handler: logging.FileHandler, record: logging.LogRecord) -> None:
    error = sys.exc_info()[1]
    if isinstance(error, OSError):
        _failures.setdefault(handler.baseFilename, error)
        return
    _PYTHON_HANDLE_ERROR(handler, record)


def _close_remembering_write_error(handler: logging.FileHandler) -> None:
    """Close as Python does, but a buffer that cannot be flushed on the way (Scrapy closes the LOG_FILE handler when
    it creates the crawler, to build its own: a disk that filled up before then) is one more lost write, not a
    traceback. Python's close lets go of the stream and the handler whether or not the flush succeeded."""
    try:
        _PYTHON_CLOSE(handler)
    except OSError as error:
        _failures.setdefault(handler.baseFilename, error)


def install() -> None:
    """From now on, in this process, a log file that cannot be written is remembered, not reported per record."""
    logging.FileHandler.handleError = _remember_write_error  # type: ignore[method-assign,assignment]
    logging.FileHandler.close = _close_remembering_write_error  # type: ignore[method-assign,assignment]


def incomplete() -> str | None:
    """One clause naming each log file that lost records and why, or None when every record was written.

    >>> _failures.clear(); incomplete() is None
    True
    >>> _failures["/srv/out/run.log"] = OSError(28, "No space left on device"); incomplete()
    'the log /srv/out/run.log is incomplete: No space left on device'
    >>> _failures.clear()
    """
    if not _failures:
        return None
    return "; ".join(f"the log {_shown(path)} is incomplete: {error.strerror or error}"
                     for path, error in _failures.items())


def _shown(path: str) -> str:
    """The path as the operator gave it when it lies under the working directory (Scrapy keeps it absolute)."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def unwritable(path: str) -> str | None:
    """Why the log file `path` cannot be opened for appending (the OS's words), or None when it can.

    Opening it is what Scrapy does next, and on failure it prints a 27-line traceback; so we try first, with the
    same mode, and create the file only where Scrapy would have, and its folder (`newscrawl run` logs into
    output/SPIDER/, which it leaves to the crawl to create once the arguments are known to be good).
    """
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8"):
            return None
    except OSError as error:
        return os_reason(error)
