"""Saved-HTML folders as an archive: pages saved by a browser, `wget -p`, or our test fixtures.

A page is a file named ``.html``, ``.htm`` or ``.html.gz`` (gzip bytes under any page name are inflated too, and a
name ending ``.gz`` is judged by the name before it: ``.htm.gz``, ``.xhtml.gz``; savednames.py);
the page of a browser's single-file archive (MHTML, ``.mhtml``/``.mht``, Chrome's and Edge's "Webpage, Single
File"; Safari's ``.webarchive``); or a file of any other name whose first bytes are HTML by the WHATWG MIME Sniffing
Standard's rules for an unknown type, widened as real pages need (sniff.py; how each browser archive is read lives
in browsersaves.py, with everything else saving tools write). So a ``wget --mirror`` without
``--adjust-extension`` (``news/story-123``, ``article.php?id=5``) or a page saved under its URL's own name is read,
while its sitemaps, feeds, styles, scripts and images are not. Names whose extension says what they are (images,
fonts, media, styles, scripts, JSON, XML, text, PDF, archives, WARCs, sidecars) are skipped unread (a text-named
file that is HTML all the same is told, as a NotReplayed); the rest have their first 1,445 bytes looked at. The
``<name>_files`` folder a browser's "Web Page, complete" save writes beside ``<name>.html`` (``<name>-Dateien``,
``<name>_fichiers``… in other languages) is not entered. Of a page saved by ``wget -k -K``, the original kept as
fetched (``X.orig``) is read, as ``X``, and the copy whose links -k converted is told (savednames.CONVERTED).

A page's URL comes from, in order of reliability: a sidecar ``<name>.url`` file (first non-empty line, or a Windows
Internet Shortcut's URL= line; the fixture convention, written by whoever saved the page; ``<name>`` is the file
name without ``.html``/``.htm``/``.html.gz``, or the whole name of a page found by its content); the address the
browser saved it from, as the browser or mirroring tool wrote it into the page (SingleFile's ``<!-- Page saved with
SingleFile url: … saved date: … -->``, HTTrack's ``<!-- Mirrored from … -->``, and the
``<!-- saved from url=(0042)… -->`` mark of the web of Chrome's and Internet Explorer's "Save As"; a browser
archive's own address for its page); then ``<link rel="canonical">``, ``og:url``; then the URL a mirroring tool's
folder names give (``HOST/PATH``, as wget, HTTrack and the Wayback Machine downloaders name them: mirrorpaths.py);
and finally the file's own ``file://`` URL. All but the last two are only used when absolute http(s): a relative
one has no base. A page's fetch time is its capture's time: the one a folder is named by (``YYYYMMDDhhmmss``, mirrorpaths.py:
the Wayback Machine capture a waybackpack or wayback_machine_downloader folder holds), else the one the saving
tool wrote (SingleFile's saved date, an MHTML archive's Date, a Wayback copy's own time stamp), else the file's
modification time (which a copy or an unzip may have reset). The same time orders the saves of one URL, the
latest answering it (savedplaces.py), so an item's fetch time and the save that answers agree.

Folders may come from untrusted places, so nothing outside the folder is ever read: symlinks (files, sidecars,
directories) that lead outside it are refused with an ArchiveProblem of kind "unsafe-path" (one to a file inside it
is that file, read once under its own path), and files are opened with O_NOFOLLOW so a symlink swapped in after
the check is refused too. Every other bad input costs only itself, as one ArchiveProblem: a file that is not a
regular file ("not-a-file": a FIFO would block the read), cannot be read ("io") or decompressed at all ("gzip"; a
gzip stream cut short is read as far as it goes, the page marked ``truncated``), is empty ("empty"), holds binary
data rather than a page ("binary"; a few stray NULs in markup do not make it so: sniff.looks_binary), a browser archive
without a page ("page-archive"), or a sidecar that holds no http(s) URL ("bad-sidecar": the page is still read,
its URL taken from the HTML).
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

from newscrawl.archive import codings
from newscrawl.archive.browsersaves import (ARCHIVE_SUFFIXES, HTML_CONTENT_TYPE, read_page_archive, resource_folders,
                                            saved_by_browser, unwrapped_wayback)
from newscrawl.archive.mirrorpaths import time_from_path, url_from_path
from newscrawl.archive.reader import ArchiveProblem, ArchiveReadError
from newscrawl.archive.savednames import (file_url, inside, pages_among, read_safely, refusal, sidecar_of, sidecar_url,
                                          unread_message)
from newscrawl.archive.sniff import GZIP_MAGIC, looks_binary
from newscrawl.extract.urls import is_http_url

logger = logging.getLogger(__name__)

_CANONICAL_XPATH = ("//link[contains(concat(' ', translate(normalize-space(@rel), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', "
                    "'abcdefghijklmnopqrstuvwxyz'), ' '), ' canonical ')]/@href")
_OG_URL_XPATH = "//meta[@property='og:url' or @name='og:url']/@content"


@dataclass(frozen=True)
class SavedPage:
    """One saved page, shaped like an archived response so replay can treat both alike."""

    url: str
    path: str
    """The file, as a string (see SavedPlace.path)."""
    body: bytes
    """The page bytes as saved (decompressed for .html.gz, the page of a browser archive), not re-encoded."""
    fetched_at: datetime
    """When the page was captured, in UTC: the time its folder is named by (YYYYMMDDhhmmss), else the time the
    saving tool wrote (SingleFile's saved date, an MHTML archive's Date), else the file's mtime, the best available
    guess. Saves of one URL are ordered by it (SavedPlaces)."""
    body_sha256: str
    """Hex SHA-256 of ``body``."""
    content_type: str = HTML_CONTENT_TYPE
    """What a replay answers as its Content-Type: text/html, with a charset only when a browser archive declares one
    for its page."""
    truncated: str | None = None
    """Why the page is incomplete ("gzip": a gzip file cut short, read as far as it goes), None when it is whole."""
    url_from_path: bool = False
    """The URL was rebuilt from the names of a mirror's folders (mirrorpaths.py): its scheme and a directory's
    trailing slash are guesses. Its item is flagged url_from_path."""

    def place(self) -> SavedPlace:
        """Where the page is, without its bytes."""
        return SavedPlace(self.url, self.path, self.fetched_at, self.body_sha256, self.content_type, self.truncated,
                          self.url_from_path)


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
    content_type: str = HTML_CONTENT_TYPE
    truncated: str | None = None
    url_from_path: bool = False


@dataclass(frozen=True)
class NotReplayed:
    """A file that holds, or may hold, a page the replay does not answer with: not damage, but never silent (one log
    line and a counted stat each, by ``kind``)."""

    path: str
    kind: str
    """"named-otherwise": a name whose extension says it is no page, bytes that are HTML; "converted": wget -k's
    copy of a page whose original answers (savednames.CONVERTED); "same-url" and "same-bytes": another save of its
    URL, a later capture, answers it (replay.superseded)."""
    message: str


def read_saved_body(place: SavedPlace) -> bytes:
    """The page's bytes read again, as ``iter_saved_html`` read them (symlinks refused, .gz decompressed).

    Raises ArchiveReadError when the file cannot be read or no longer holds the bytes it held when listed: a replay
    answers with the bytes its identity and provenance name, or not at all.
    """
    try:
        raw, _ = read_safely(place.path)
        body = page_bytes(place.path, raw)  # a cut gzip reads as far as it goes, as when the page was listed
    except (gzip.BadGzipFile, EOFError, zlib.error, OSError, ValueError) as exc:
        problem = ArchiveProblem(place.path, 0, "io", f"cannot read saved page again: {exc}")
        raise ArchiveReadError(problem) from exc
    if hashlib.sha256(body).hexdigest() != place.body_sha256:
        raise ArchiveReadError(ArchiveProblem(place.path, 0, "changed",
                                              "saved page changed since the replay listed it; not answered"))
    return body


def iter_saved_html(folder: Path | str) -> Iterator[SavedPage | ArchiveProblem | NotReplayed]:
    """Every saved page under ``folder`` (``is_saved_page``; recursive, sorted by relative path), but not the
    resources a browser saved with a page (``resource_folders``); or the one page ``folder`` is, when it is a
    file. A file whose name says it is no page but whose bytes are HTML is one NotReplayed, and so is the copy
    ``wget -k`` converted of a page whose original ``-K`` kept (``savednames.pages_among``).

    A symlink to a file inside the folder is the page it leads to, read once under that page's own path: skipped
    when the walk lists its target anyway. One that leads outside is refused (``savednames.refusal``)."""
    root = Path(folder).resolve(strict=True)  # the folder itself may be a symlink; nothing under it may lead out
    if root.is_file():  # one page given by itself (replay=story.html, or a browser's page.mhtml)
        yield from _load(root.parent, str(root))
        return
    found: list[str] = []
    told: list[tuple[str, str, str]] = []  # files not replayed: (path, kind, why)
    # Paths stay strings: pathlib interns every name it parses, and the interpreter's table of interned names never
    # shrinks (the names of 2,000 pages and their sidecars kept 2 MB: tests/test_archive_large_records.py).
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for resources in resource_folders(dirnames, filenames):
            dirnames.remove(resources)
            logger.debug("Not replayed: %s holds the resources saved with a page", os.path.join(dirpath, resources))
        pages, not_pages = pages_among(dirpath, filenames)
        told.extend((os.path.join(dirpath, name), kind, why) for name, (kind, why) in not_pages.items())
        # os.walk lists symlinked directories but does not enter them; report them so nothing vanishes silently.
        for name in [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))] + filenames:
            path = os.path.join(dirpath, name)
            if name in filenames and name not in pages:
                continue
            found.append(os.path.relpath(path, root).replace(os.sep, "/"))
    found.sort()
    listed = {os.path.join(root, relative.replace("/", os.sep)) for relative in found}
    read: set[str] = set()
    for relative in found:
        path = os.path.join(root, relative.replace("/", os.sep))
        target = os.path.realpath(path) if os.path.islink(path) else None
        if target is None or not inside(root, target):  # a link that leads outside: _load refuses it
            read.add(target or path)
            yield from _load(root, path)
            continue
        if os.path.isdir(target) or target in listed or target in read:
            # the same page (or folder) as the walk reads under its own name: read once
            logger.debug("Not replayed twice: %s is a link to %s", path, target)
            continue
        read.add(target)
        if not os.path.lexists(target):
            yield ArchiveProblem(path, 0, "io", f"symlink to {os.readlink(path)!r}, which does not exist")
            continue
        yield from _load(root, target)
    for path, kind, why in sorted(told):
        yield NotReplayed(path, kind, why)


def _load(root: Path, path: str) -> Iterator[SavedPage | ArchiveProblem]:
    refused = refusal(root, path)
    if refused:
        yield ArchiveProblem(path, 0, "unsafe-path", refused)
        return
    try:  # lstat too: a file gone since its folder was listed, or in a folder that may not be searched, is "io"
        if not stat.S_ISREG(os.lstat(path).st_mode):
            yield ArchiveProblem(path, 0, "not-a-file", "not a regular file; refused")
            return
        raw, mtime = read_safely(path)
        archive = read_page_archive(path, raw) if path.lower().endswith(ARCHIVE_SUFFIXES) else None
        body, cut = (archive.body, False) if archive is not None else page_and_cut(path, raw)
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        yield ArchiveProblem(path, 0, "gzip", f"cannot decompress saved page: {exc}")
        return
    except ValueError as exc:
        yield ArchiveProblem(path, 0, "page-archive", f"no page in this browser archive: {exc}")
        return
    except OSError as exc:
        yield ArchiveProblem(path, 0, "io", unread_message(path, exc))
        return
    if not body or body.isspace():
        yield ArchiveProblem(path, 0, "empty", "empty file (a save or download that failed?), no page; skipped")
        return
    if looks_binary(body):
        yield ArchiveProblem(path, 0, "binary", "binary data, not an HTML page; skipped")
        return
    sidecar = sidecar_of(path)
    url = None
    if os.path.lexists(sidecar):
        sidecar_refusal = refusal(root, sidecar)
        if sidecar_refusal:
            yield ArchiveProblem(sidecar, 0, "unsafe-path", f"{sidecar_refusal}; page URL taken from the HTML")
        else:
            try:
                url = sidecar_url(sidecar)
            except OSError as exc:  # the page is still read, by the URL its HTML names
                yield ArchiveProblem(sidecar, 0, "io", unread_message(sidecar, exc))
            if url is not None and not is_http_url(url):
                yield ArchiveProblem(sidecar, 0, "bad-sidecar",
                                     f"{url[:80]!r} is not an absolute http(s) URL; page URL taken from the HTML")
                url = None
    published: list[str | None] = []  # the page's canonical link or og:url, looked up once if it is needed

    def published_url() -> str | None:
        if not published:
            published.append(_url_in_html(body))
        return published[0]

    saved_from, saved_at = saved_by_browser(body, published_url)
    if archive is not None:
        saved_from, saved_at = archive.url or saved_from, archive.saved_at or saved_at
    named = url is not None  # by the user's sidecar: kept as they wrote it
    relative = os.path.relpath(path, root).replace(os.sep, "/")  # a mirror's folders name its URL (mirrorpaths.py)
    url = url or saved_from or published_url()
    rebuilt = None if url else url_from_path(relative, published_url, body)
    url = url or rebuilt or file_url(path)
    wayback = unwrapped_wayback(url)
    if wayback is not None:  # a copy saved from the Wayback Machine: the outlet's page, as captured then
        url, saved_at = (url if named else wayback[0]), wayback[1] or saved_at
    # the capture a stamped folder holds first: a page's own saved time may be older than the capture that kept it
    # (an HTTrack mirror served on the web, then captured by the Wayback Machine)
    fetched_at = time_from_path(relative) or saved_at or datetime.fromtimestamp(mtime, timezone.utc)
    yield SavedPage(url, path, body, fetched_at, hashlib.sha256(body).hexdigest(),
                    archive.content_type if archive is not None else HTML_CONTENT_TYPE, "gzip" if cut else None,
                    rebuilt is not None)


def page_bytes(path: str, raw: bytes) -> bytes:
    """The page in a saved file's bytes: the file itself, un-gzipped (``.html.gz``, or any page whose bytes are gzip:
    what `curl -o` or `wget` keep of a page the server compressed unasked), or the page of a browser's single-file
    archive (``read_page_archive``). Raises what gzip raises, or ValueError for an archive that holds no page."""
    if path.lower().endswith(ARCHIVE_SUFFIXES):
        return read_page_archive(path, raw).body
    return page_and_cut(path, raw)[0]


def page_and_cut(path: str, raw: bytes) -> tuple[bytes, bool]:
    """``page_bytes`` of a page that is no browser archive, and whether its gzip stream was cut short: then the page
    is what came before the cut, as a cut gzip record of a WARC is replayed (codings.gunzipped), so a download or a
    copy that stopped half-way still gives its article, flagged. Raises what gzip raises when nothing inflates."""
    if path.lower().endswith(".gz") or raw.startswith(GZIP_MAGIC):
        return codings.gunzipped(raw)
    return raw, False


def _url_in_html(body: bytes) -> str | None:
    """rel=canonical, else og:url, when absolute http(s). Decoding here only serves this lookup."""
    _, text = html_to_unicode(None, body)
    selector = Selector(text=text)
    for xpath in (_CANONICAL_XPATH, _OG_URL_XPATH):
        value = (selector.xpath(xpath).get() or "").strip()
        if value.lower().startswith(("http://", "https://")):
            return value
    return None
