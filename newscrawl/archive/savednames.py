"""Which files of a saved-pages folder are pages, by name and then by first bytes, and the ``.url`` sidecar that
names a page's address; how a file of such a folder is opened, and which paths may be (none outside it).

Split from savedhtml.py, which reads the pages these rules find: the rules change when a saving tool names files
in a new way, the reading when one writes pages in a new way.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from newscrawl.archive.browsersaves import ARCHIVE_SUFFIXES, NOT_PAGE_EXTENSIONS, extension
from newscrawl.archive.sniff import GZIP_MAGIC, SNIFF_BYTES, inflated_start, is_apple_double, sniffs_as_html

logger = logging.getLogger(__name__)

SAVED_PAGE_SUFFIXES = (".html.gz", ".html", ".htm", *ARCHIVE_SUFFIXES)  # longest first: "a.html.gz" is not ".gz" junk
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def read_safely(path: str | Path) -> tuple[bytes, float]:
    """A file's bytes and modification time, opened so that a symlink swapped in after its path was checked is
    refused (O_NOFOLLOW)."""
    fd = os.open(path, os.O_RDONLY | NOFOLLOW)
    with os.fdopen(fd, "rb") as fh:
        return fh.read(), os.fstat(fh.fileno()).st_mtime


def is_saved_page(path: str) -> bool:
    """Whether the file at `path` is a page: by its name (``.html``, ``.htm``, ``.html.gz``; a name ending ``.gz`` is
    judged by the name it had before it was gzipped: ``story.htm.gz``, ``story.xhtml.gz``), else, unless its
    extension names another type, by its first bytes. Only a regular file is read (a FIFO would block the read, a
    symlink may lead outside the folder). macOS's ``._NAME`` metadata companion of a page is not one."""
    if is_apple_double(path):
        return False
    name = os.path.basename(path).lower()
    inner = name.removesuffix(".gz") or name
    if name.endswith(SAVED_PAGE_SUFFIXES) or inner.endswith(SAVED_PAGE_SUFFIXES):
        return True
    if extension(inner) in NOT_PAGE_EXTENSIONS:
        return False
    return _sniffs_as_page(path)


def named_otherwise(path: str) -> bool:
    """Whether a file ``is_saved_page`` skips by its name is HTML all the same (a page saved as ``story.txt``), so
    that its skipping is told. The files a page's save brings beside it, whose names say so (styles, scripts,
    images, fonts, media, feeds, sidecars, archives), are skipped without a word and not even opened."""
    return extension(os.path.basename(path).lower().removesuffix(".gz")) in _DOCUMENT_EXTENSIONS and _sniffs_as_page(
        path)


_DOCUMENT_EXTENSIONS = frozenset(".txt .md .log .bin .doc".split())
"""Extensions a page is saved under by mistake or by a tool that did not know its type: looked at, to be told."""


def _sniffs_as_page(path: str) -> bool:
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return False
        fd = os.open(path, os.O_RDONLY | NOFOLLOW)
        with os.fdopen(fd, "rb") as fh:
            head = fh.read(SNIFF_BYTES)  # not read_safely: the head is all it needs
    except OSError:
        return False
    return sniffs_as_html(inflated_start(head) if head.startswith(GZIP_MAGIC) else head)


def sidecar_of(path: str) -> str:
    """`story.url` beside `story.html` (or `story.htm.gz`); else `story.html.url` when only that exists (scripts that
    append ".url" to the page's whole name)."""
    name = path.lower()
    suffix = next((s for s in SAVED_PAGE_SUFFIXES if name.endswith(s) or name.endswith(f"{s}.gz")), "")
    suffix += ".gz" if suffix and name.endswith(".gz") and not suffix.endswith(".gz") else ""
    beside, appended = path[: len(path) - len(suffix)] + ".url", path + ".url"
    return appended if suffix and not os.path.lexists(beside) and os.path.lexists(appended) else beside


def sidecar_url(sidecar: str) -> str | None:
    """The URL a sidecar names: its first non-empty line, or the URL= line of a Windows Internet Shortcut (the .url
    file a browser's address dragged to a folder makes: "[InternetShortcut]" then "URL=…"). A byte order mark, as
    Notepad writes, is no part of it."""
    try:
        data = read_safely(sidecar)[0]
    except OSError as exc:
        logger.warning("Cannot read URL sidecar %s (%s); page URL taken from the HTML", sidecar, exc)
        return None
    text = data.decode("utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig", "replace")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines and lines[0].lower() == "[internetshortcut]":
        return next((value.strip() for key, _, value in (line.partition("=") for line in lines[1:])
                     if key.strip().lower() == "url"), None)
    return lines[0] if lines else None


def refusal(root: Path, path: str | Path) -> str:
    """Why ``path`` may not be read, or "" if it is a path inside ``root`` (a symlink's target too: iter_saved_html
    reads a link inside the folder as its target). Folders may come from untrusted places: nothing outside is read."""
    if not inside(root, os.path.realpath(path)):
        if os.path.islink(path):
            return (f"symlink to {os.readlink(path)!r}, outside {root}: refused; saved pages are read only from "
                    "inside it")
        return f"path resolves outside {root}; refused"
    return ""


def inside(root: Path, real: str) -> bool:
    """Whether the resolved path ``real`` is ``root`` or under it."""
    return os.path.commonpath([real, root]) == str(root)
