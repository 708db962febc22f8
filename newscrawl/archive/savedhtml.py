"""Saved-HTML folders as an archive: pages saved by a browser, `wget -p`, or our test fixtures.

A page's URL comes from, in order of reliability: a sidecar ``<name>.url`` file (first non-empty line; the
fixture convention, written by whoever saved the page), ``<link rel="canonical">``, ``og:url``, and finally the
file's own ``file://`` URL. Canonical and og:url are only used when absolute http(s): a relative one has no base.

Folders may come from untrusted places, so nothing outside the folder is ever read: symlinks (files, sidecars,
directories) are refused with an ArchiveProblem of kind "unsafe-path", and files are opened with O_NOFOLLOW so a
symlink swapped in after the check is refused too. Every other bad input costs only itself, as one ArchiveProblem:
a file that is not a regular file ("not-a-file": a FIFO would block the read), cannot be read ("io") or
decompressed ("gzip"), holds binary data rather than a page ("binary"), or a sidecar that holds no http(s) URL
("bad-sidecar": the page is still read, its URL taken from the HTML).
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import stat
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from parsel import Selector
from w3lib.encoding import html_to_unicode

from newscrawl.archive.reader import ArchiveProblem, ArchiveReadError
from newscrawl.extract.urls import is_http_url

logger = logging.getLogger(__name__)

_PAGE_SUFFIXES = (".html.gz", ".html", ".htm")  # longest first: "a.html.gz" must not match as ".gz" junk
_CANONICAL_XPATH = ("//link[contains(concat(' ', translate(normalize-space(@rel), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', "
                    "'abcdefghijklmnopqrstuvwxyz'), ' '), ' canonical ')]/@href")
_OG_URL_XPATH = "//meta[@property='og:url' or @name='og:url']/@content"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


@dataclass(frozen=True)
class SavedPage:
    """One saved page, shaped like an archived response so replay can treat both alike."""

    url: str
    path: str
    """The file, as a string (see SavedPlace.path)."""
    body: bytes
    """The page bytes as saved (decompressed for .html.gz), not re-encoded."""
    fetched_at: datetime
    """The file's mtime in UTC: the best available guess at when the page was saved."""
    body_sha256: str
    """Hex SHA-256 of ``body``."""

    def place(self) -> SavedPlace:
        """Where the page is, without its bytes."""
        return SavedPlace(self.url, self.path, self.fetched_at, self.body_sha256)


@dataclass(frozen=True, slots=True)
class SavedPlace:
    """A saved page without its bytes: what a replay keeps of each page until a request asks for it
    (``read_saved_body``). Holding every page's bytes made a replay's memory grow by the size of the folder."""

    url: str
    path: str
    """The file, as a string: a Path object per page cost more than the rest of the place together, and pathlib
    interns every name it parses (the interpreter's table of interned names never shrinks)."""
    fetched_at: datetime
    body_sha256: str


def read_saved_body(place: SavedPlace) -> bytes:
    """The page's bytes read again, as ``iter_saved_html`` read them (symlinks refused, .gz decompressed).

    Raises ArchiveReadError when the file cannot be read or no longer holds the bytes it held when listed: a replay
    answers with the bytes its identity and provenance name, or not at all.
    """
    try:
        raw, _ = _read_safely(place.path)
        body = gzip.decompress(raw) if place.path.lower().endswith(".gz") else raw
    except (gzip.BadGzipFile, EOFError, zlib.error, OSError) as exc:
        problem = ArchiveProblem(place.path, 0, "io", f"cannot read saved page again: {exc}")
        raise ArchiveReadError(problem) from exc
    if hashlib.sha256(body).hexdigest() != place.body_sha256:
        raise ArchiveReadError(ArchiveProblem(place.path, 0, "changed",
                                              "saved page changed since the replay listed it; not answered"))
    return body


def iter_saved_html(folder: Path | str) -> Iterator[SavedPage | ArchiveProblem]:
    """Every .html, .htm and .html.gz file under ``folder`` (recursive, sorted by relative path)."""
    root = Path(folder).resolve(strict=True)  # the folder itself may be a symlink; nothing under it may
    found: list[str] = []
    # Paths stay strings: pathlib interns every name it parses, and the interpreter's table of interned names never
    # shrinks (a 10,000-page folder's names alone cost its replay 2 MB).
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        # os.walk lists symlinked directories but does not enter them; report them so nothing vanishes silently.
        for name in [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))] + [
                f for f in filenames if _is_page(f)]:
            found.append(os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/"))
    found.sort()
    for relative in found:
        yield from _load(root, os.path.join(root, relative.replace("/", os.sep)))


def _load(root: Path, path: str) -> Iterator[SavedPage | ArchiveProblem]:
    refusal = _refusal(root, path)
    if refusal:
        yield ArchiveProblem(path, 0, "unsafe-path", refusal)
        return
    if not stat.S_ISREG(os.lstat(path).st_mode):
        yield ArchiveProblem(path, 0, "not-a-file", "not a regular file; refused")
        return
    try:
        raw, mtime = _read_safely(path)
        body = gzip.decompress(raw) if path.lower().endswith(".gz") else raw
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        yield ArchiveProblem(path, 0, "gzip", f"cannot decompress saved page: {exc}")
        return
    except OSError as exc:
        yield ArchiveProblem(path, 0, "io", f"cannot read saved page: {exc}")
        return
    if _looks_binary(body):
        yield ArchiveProblem(path, 0, "binary", "binary data, not an HTML page; skipped")
        return
    sidecar = _sidecar(path)
    url = None
    if os.path.lexists(sidecar):
        sidecar_refusal = _refusal(root, sidecar)
        if sidecar_refusal:
            yield ArchiveProblem(sidecar, 0, "unsafe-path", f"{sidecar_refusal}; page URL taken from the HTML")
        else:
            url = _first_line(sidecar)
            if url is not None and not is_http_url(url):
                yield ArchiveProblem(sidecar, 0, "bad-sidecar",
                                     f"{url[:80]!r} is not an absolute http(s) URL; page URL taken from the HTML")
                url = None
    url = url or _url_in_html(body) or Path(path).as_uri()
    yield SavedPage(url, path, body, datetime.fromtimestamp(mtime, timezone.utc), hashlib.sha256(body).hexdigest())


def _refusal(root: Path, path: str | Path) -> str:
    """Why ``path`` may not be read, or "" if it is a regular path inside ``root``."""
    if os.path.islink(path):
        return f"symlink to {os.readlink(path)!r} refused; saved pages are read only from inside {root}"
    if os.path.commonpath([os.path.realpath(path), root]) != str(root):
        return f"path resolves outside {root}; refused"
    return ""


def _read_safely(path: str | Path) -> tuple[bytes, float]:
    fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
    with os.fdopen(fd, "rb") as fh:
        return fh.read(), os.fstat(fh.fileno()).st_mtime


def _looks_binary(body: bytes) -> bool:
    """NUL bytes or mostly control bytes in the first 4 KiB: an image or archive saved as .html, not a page.
    UTF-16 pages (a BOM) are text."""
    head = body[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for byte in head if byte < 9 or 13 < byte < 32)
    return bool(head) and controls > len(head) // 10


def _is_page(name: str) -> bool:
    return name.lower().endswith(_PAGE_SUFFIXES)


def _sidecar(path: str) -> str:
    suffix = next(s for s in _PAGE_SUFFIXES if path.lower().endswith(s))
    return path[: -len(suffix)] + ".url"


def _first_line(sidecar: str) -> str | None:
    try:
        text = _read_safely(sidecar)[0].decode("utf-8", "replace")
    except OSError as exc:
        logger.warning("Cannot read URL sidecar %s (%s); page URL taken from the HTML", sidecar, exc)
        return None
    return next((line.strip() for line in text.splitlines() if line.strip()), None)


def _url_in_html(body: bytes) -> str | None:
    """rel=canonical, else og:url, when absolute http(s). Decoding here only serves this lookup."""
    _, text = html_to_unicode(None, body)
    selector = Selector(text=text)
    for xpath in (_CANONICAL_XPATH, _OG_URL_XPATH):
        value = (selector.xpath(xpath).get() or "").strip()
        if value.lower().startswith(("http://", "https://")):
            return value
    return None
