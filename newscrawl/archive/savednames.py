"""Which files of a saved-pages folder are pages, by name and then by first bytes, and the ``.url`` sidecar that
names a page's address; how a file of such a folder is opened, and which paths may be (none outside it).

Split from savedhtml.py, which reads the pages these rules find: the rules change when a saving tool names files
in a new way, the reading when one writes pages in a new way.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from newscrawl.archive.browsersaves import ARCHIVE_SUFFIXES, NOT_PAGE_EXTENSIONS, extension
from newscrawl.archive.shown import given_place
from newscrawl.archive.sniff import GZIP_MAGIC, SNIFF_BYTES, inflated_start, is_apple_double, sniffs_as_html
from newscrawl.archive.wgetnames import backed_up, converted_copies

SAVED_PAGE_SUFFIXES = (".html.gz", ".html", ".htm", *ARCHIVE_SUFFIXES)  # longest first: "a.html.gz" is not ".gz" junk
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
CONVERTED = "converted"
"""NotReplayed.kind of the copy of a page ``wget --convert-links`` rewrote, beside the original
``--backup-converted`` kept of it (``X.orig``, wgetnames.py). Both are the page; the original is it as the server
sent it, its links and canonical link the site's own, as a WARC holds it, so it answers the page's URL (its name
without ``.orig``) at the time it was fetched (a rename keeps a file's time; the copy's is the conversion's). The
copy's links name local files: replayed, its discovery would ask for URLs the site never had. Told, but not as
damage: it loses nothing the original does not hold."""


def read_safely(path: str | Path) -> tuple[bytes, float]:
    """A file's bytes and modification time, opened so that a symlink swapped in after its path was checked is
    refused (O_NOFOLLOW)."""
    fd = os.open(path, os.O_RDONLY | NOFOLLOW)
    with os.fdopen(fd, "rb") as fh:
        return fh.read(), os.fstat(fh.fileno()).st_mtime


def is_saved_page(path: str) -> bool:
    """Whether the file at `path` is a page: by its name (``.html``, ``.htm``, ``.html.gz``; a name ending ``.gz`` is
    judged by the name it had before it was gzipped: ``story.htm.gz``, ``story.xhtml.gz``, and wget's backup of a
    file it converted by the file's: ``story.html.orig``, ``style.css.orig``), else, unless its extension names
    another type, by its first bytes. Only a regular file is read (a FIFO would block the read, a symlink may lead
    outside the folder). macOS's ``._NAME`` metadata companion of a page is not one."""
    if is_apple_double(path):
        return False
    name = os.path.basename(path).lower()
    inner = _inner(name)
    if name.endswith(SAVED_PAGE_SUFFIXES) or inner.endswith(SAVED_PAGE_SUFFIXES):
        return True
    if extension(inner) in NOT_PAGE_EXTENSIONS:
        return False
    return _sniffs_as_page(path)


def pages_among(folder: str, names: Iterable[str]) -> tuple[set[str], dict[str, tuple[str, str]]]:
    """Of the files `names` of `folder`, the pages to read (``is_saved_page``), and the files that hold or may hold
    a page but are not read, each with its NotReplayed kind and why: one named otherwise whose bytes are HTML
    (``named_otherwise``), and the copy ``wget -k`` converted of a page whose original ``-K`` kept (CONVERTED)."""
    pages: set[str] = set()
    told: dict[str, tuple[str, str]] = {}
    for name in names:
        path = os.path.join(folder, name)
        if is_saved_page(path):
            pages.add(name)
        elif named_otherwise(path):
            told[name] = ("named-otherwise", named_otherwise_why(name))
    for copy, original in converted_copies(pages).items():
        pages.discard(copy)
        told[copy] = (CONVERTED, f"wget --convert-links's copy of {os.path.join(folder, original)} (its links made "
                                 "local files' names); that file, the page as fetched (--backup-converted), is "
                                 "replayed instead")
    return pages, told


def named_otherwise(path: str) -> bool:
    """Whether a file ``is_saved_page`` skips by its name is HTML all the same (a page saved as ``story.txt``, or
    downloaded as ``page.warc.gz`` by ``curl -o``), so that its skipping is told. The files a page's save brings
    beside it, whose names say so (styles, scripts, images, fonts, media, feeds, sidecars, other archives), are
    skipped without a word and not even opened."""
    return extension(_inner(os.path.basename(path).lower())) in _DOCUMENT_EXTENSIONS and _sniffs_as_page(path)


def named_otherwise_why(name: str) -> str:
    """The message telling that a page named otherwise (``named_otherwise``) is not replayed, and what to do."""
    lowered = os.path.basename(name).lower()
    inner = _inner(lowered)
    said = extension(inner) + lowered[len(inner):] if lowered.startswith(inner) else extension(lowered)
    return f"HTML, but its name says {said!r}: not replayed (it is a page: rename it .html to replay it)"


def _inner(name: str) -> str:
    """The name a file had before a gzip (``.gz``) and wget's backup of a converted file (``.orig``) named it again:
    the name that says what it holds."""
    stem = name.removesuffix(".gz") or name
    return backed_up(stem) or stem


_DOCUMENT_EXTENSIONS = frozenset(".txt .md .log .bin .doc .warc .arc .har .zip .wacz .tar .tgz .tbz .tbz2 .txz .bz2 .xz"
                                 .split())
"""Extensions a page is saved under by mistake or by a tool that did not know its type: looked at, to be told. A
WARC's, ARC's, HAR's, WACZ's, ZIP's or tar's (``.warc.gz``, ``.har.gz``, ``.tar.gz`` too: judged by the name before
``.gz``): a page downloaded under the name of the archive that was meant (``curl -o page.warc.gz URL``, ``curl -o
session.har URL``) is a page, not a damaged archive."""


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
    """`story.url` beside `story.html` (or `story.htm.gz`, or wget's backup of it, `story.html.orig`); else
    `story.html.url` when only that exists (scripts that append ".url" to the page's whole name)."""
    path = backed_up(path) or path  # the original of a converted page is the page, its sidecar the page's
    name = path.lower()
    suffix = next((s for s in SAVED_PAGE_SUFFIXES if name.endswith(s) or name.endswith(f"{s}.gz")), "")
    suffix += ".gz" if suffix and name.endswith(".gz") and not suffix.endswith(".gz") else ""
    beside, appended = path[: len(path) - len(suffix)] + ".url", path + ".url"
    return appended if suffix and not os.path.lexists(beside) and os.path.lexists(appended) else beside


def sidecar_url(sidecar: str) -> str | None:
    """The URL a sidecar names: its first non-empty line, or the URL= line of a Windows Internet Shortcut (the .url
    file a browser's address dragged to a folder makes: "[InternetShortcut]" then "URL=…"). A byte order mark, as
    Notepad writes, is no part of it. Raises OSError for a sidecar that cannot be read (unread_message)."""
    data = read_safely(sidecar)[0]
    text = data.decode("utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig", "replace")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines and lines[0].lower() == "[internetshortcut]":
        return next((value.strip() for key, _, value in (line.partition("=") for line in lines[1:])
                     if key.strip().lower() == "url"), None)
    return lines[0] if lines else None


def unread_message(path: str, error: OSError) -> str:
    """The damaged-input line for a saved page or sidecar that cannot be read (kind "io"): a sidecar costs only its
    URL, the page's own HTML then naming it."""
    if path.lower().endswith(".url"):
        return f"cannot read URL sidecar: {error}; page URL taken from the HTML"
    return f"cannot read saved page: {error}"


def file_url(path: str) -> str:
    """The ``file://`` URL of a page that names no address: where the user's file is. A page unpacked from a ZIP or
    tar file gets the one it would get in a folder of the bundle's name at the bundle's place
    (``file:///data/pages.zip/story.html``: shown.given_place), never its copy's in the replay cache, which is
    another on every machine and would change the replay's crawl id with it."""
    return Path(given_place(path)).as_uri()


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
