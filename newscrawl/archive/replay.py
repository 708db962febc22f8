"""Replay: answer a spider's requests from an archive instead of the network, for any spider.

A downloader middleware at the outer edge (order 960, after every other process_request) returns the archived
response, so everything between the engine and the network — robots.txt, redirects, decompression, retries,
the spider's own discovery and pagination — runs exactly as in the live crawl. A request the archive cannot
answer is never sent: it is counted (newscrawl/replay/misses) and dropped with ReplayMiss.

A record whose WARC digests do not match its bytes is damaged or tampered with: replay prefers an intact capture of
the same URL and otherwise refuses the record (counted as newscrawl/replay/digest_refused, dropped with
DamagedRecord). Serving it would emit an item whose body_sha256 describes the damaged bytes, so `newscrawl verify`
would pass and the damage would vanish from the record. A record or saved page that can no longer be read as it was
indexed (damaged, changed or removed since) is one error line naming it, counted (newscrawl/replay/unreadable) and
dropped with UnreadableRecord; one the disk fails to read (EIO) is damaged input too (served_answer).

An answer larger than the request's download max size (DOWNLOAD_MAXSIZE, the spider's download_maxsize or the
request's meta, as Scrapy reads them) is dropped with ReplayTooLarge and counted (newscrawl/replay/too_large), as a
live fetch would be cancelled; of a WARC record over it only the header is read. Nothing holds a page's bytes
between requests: the index keeps positions, a saved-pages folder its pages' paths and digests.

Sources: a .warc/.warc.gz/.warc.zst file, a folder of them, or a folder of saved HTML pages (.html, .htm, .html.gz with
optional <name>.url sidecars; a URL saved more than once is answered by its latest capture, as a WARC's is, the others
named in ReplaySource.not_replayed; in a `versions=all` replay they are its earlier versions).
The archive is also a source of article candidates (ReplaySource.candidates): the spider parses every archived HTML
page its outlet would accept, whether or not replayed discovery reaches it.
Damaged input (ReplaySource.problems) is logged and counted by the spider, one line each.

One idea, kept whole: answering requests from an archive (its source, its identity, its middleware).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers, HtmlResponse, Request, Response
from scrapy.pqueues import DownloaderAwarePriorityQueue
from scrapy.responsetypes import responsetypes
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings, default_settings
from scrapy.utils.misc import load_object
from scrapy.utils.response import get_meta_refresh
from w3lib.url import safe_url_string

from newscrawl.archive import codings, filedigest
from newscrawl.archive.exchanges import PAGE_STATUSES
from newscrawl.archive.warc import (
    ArchivedExchange,
    WARC_FILE_SUFFIXES,
    ArchiveIndex,
    ArchiveProblem,
    ArchiveReadError,
    IndexEntry,
    RecordTooLarge,
    preferred,
    SavedPage,
    cached_file_sha256,
    files_under,
    is_warc_file,
    iter_saved_html,
    earliest_record_date,
    first_record_date,
    read_warcinfo,
    unlisted_folders,
)
from newscrawl.archive.mirrorpaths import urls_from_path
from newscrawl.archive.reader import holds_warc_records
from newscrawl.archive.savedhtml import NotReplayed, SavedPlace, read_saved_body
from newscrawl.archive.savednames import is_saved_page, named_otherwise, named_otherwise_why
from newscrawl.archive.savedplaces import SavedPlaces
from newscrawl.archive.shown import given_place, shown_in, shown_name, shown_source
from newscrawl.archive.unpack import findings_of, unpacked_holds
from newscrawl.archive.wacz import warcs_inside
from newscrawl.fatal import stop_crawl
from newscrawl.files import read_failed, unreadable
from newscrawl.components import Unused, leave_out
from newscrawl.meta import (META_ARCHIVE, META_FETCHED_AT, META_MODE, REPLAYED_FLAG, TRUNCATED_FLAG,
                            URL_FROM_PATH_FLAG, archive_index_cache)

logger = logging.getLogger(__name__)



class ReplayMiss(IgnoreRequest):
    """The archive holds no response for this request; in replay mode nothing goes to the network."""


class DamagedRecord(IgnoreRequest):
    """Every archived capture of this URL fails its WARC digest check; its bytes are not what was fetched."""


class UnreadableRecord(IgnoreRequest):
    """The archived answer could not be read again: damaged, changed or removed since the replay indexed it."""


class ReplayTooLarge(IgnoreRequest):
    """The archived payload is larger than the request's download max size: a live fetch would be cancelled too."""


class ArchiveNotFound(ValueError):
    """The replay path holds neither WARC files nor saved HTML pages."""


def _has_suffix(path: Path, suffixes: tuple[str, ...]) -> bool:
    return path.name.lower().endswith(suffixes)


def warc_files(path: Path) -> list[Path]:
    if path.is_file():  # named as one, or, named otherwise, holding WARC records (a download saved under its id)
        return [path] if _has_suffix(path, WARC_FILE_SUFFIXES) or holds_warc_records(path) else []
    found = [f for f in files_under(path) if is_warc_file(f) and os.path.isfile(f)]
    return sorted(map(Path, found))  # Path order (by parts), as archive positions have always been numbered


FIXTURE_CANDIDATES = "fixture-candidates"
"""The folder where a crawl keeps copies of pages its WARCs hold (monitoring/drift.py): never replayed as pages."""


def _beside_warcs(path: Path) -> Iterator[SavedPlace | ArchiveProblem | NotReplayed]:
    """The saved pages (and their bad input) in a folder that also holds WARCs, but not a crawl's fixture
    candidates; none without any, or when `path` is one file."""
    if not path.is_dir() or not any(is_saved_page(f) or named_otherwise(f) for f in files_under(path)
                                    if not is_warc_file(f)):
        return
    root = str(path.resolve())

    def a_copy(found: str) -> bool:
        return FIXTURE_CANDIDATES in os.path.relpath(found, root).split(os.sep)[:-1]

    folder = read_saved_folder(path)
    yield from (problem for problem in folder.problems if not a_copy(problem.file))
    yield from (file for file in folder.not_replayed  # the same URLs are told as the pages are listed again
                if file.kind not in (SAME_URL, SAME_BYTES) and not a_copy(file.path))
    yield from (page for page in folder.places if not a_copy(page.path))


def source_kind(path: Path) -> str:
    """"warc" or "saved-html"; ArchiveNotFound when the path holds neither, or cannot be read itself (a file or
    folder inside it that cannot be read costs only itself: one damaged-input line each, ReplaySource.problems)."""
    refused = unreadable(path)
    if refused is not None:
        raise ArchiveNotFound(f"{shown_source(path)}: cannot be read: {refused}")
    if path.is_file() and named_otherwise(str(path)):
        raise ArchiveNotFound(f"{shown_source(path)}: {named_otherwise_why(path.name)}")
    if warc_files(path):
        return "warc"
    if path.is_dir() and any(is_saved_page(f) for f in files_under(path)) or path.is_file() and is_saved_page(
            str(path)):
        return "saved-html"
    # a folder unpacked for the user's archive is named as that archive, with what it holds (unpack.py)
    held = unpacked_holds(path)
    raise ArchiveNotFound(f"{shown_source(path)}: no .warc/.warc.gz/.warc.zst/.arc/.arc.gz files and no saved pages "
                          "(.html/.htm/.html.gz, or files whose first bytes are HTML) found"
                          + (f" in what it unpacks to: {held}" if held is not None else ""))


@dataclass(frozen=True)
class ReplayIdentity:
    crawl_id: str
    started_at: datetime
    arguments: dict[str, str] = field(default_factory=dict)
    """The archived run's spider arguments (from warcinfo), so a replay repeats the same discovery."""
    pages_sha256: str | None = None
    """Saved pages: the digest of their URLs and bytes the crawl id is cut from (input_sha256); None for WARCs."""
    start_recorded: bool = False
    """The archive's warcinfo names its crawl's start (crawl-started-at, as our writer records it); False when
    started_at is read from the records (another tool's archive), which ``replay_started_at`` may move earlier."""


def input_sha256(path: Path, identity: ReplayIdentity, index_cache: Path | None = None) -> str:
    """What a replay reads, as one SHA-256 (hex): of a WARC file's bytes (`sha256sum` gives the same), of several
    WARC files' digests one per line in replay order, or for saved pages the digest their crawl id is cut from.

    The crawl id cannot tell inputs apart: a copy of our WARC cut short, or one of a rotated crawl's files, names the
    archived run's id as the whole archive does. This tells them apart by their bytes, whatever the files are
    called or where they lie, so the same input gets the same feed (spiders/replayname.py). A file's digest is taken
    from the archive's index cached under `index_cache` (warc_file_sha256). A file compressed whole is hashed as it
    lies on disk, not its inflated copy; saved pages beside WARCs are not counted.
    """
    if identity.pages_sha256 is not None:
        return identity.pages_sha256
    digests = warc_file_sha256(path, index_cache)
    if len(digests) == 1:
        return digests[0]
    return hashlib.sha256("".join(f"{digest}\n" for digest in digests).encode()).hexdigest()


def warc_file_sha256(path: Path, index_cache: Path | None = None) -> list[str]:
    """The SHA-256 (hex) of each WARC file under `path`, in replay order: taken from the archive's index cached under
    `index_cache` while that index answers for the files as they are now; any other file is read whole (20–28 ms
    for the benchmarks' 28 MB capture) and its digest remembered in this process (filedigest.py), so that the index
    this process builds next keeps it for the next replay. Asked by every process that builds an archive's index
    before it builds it: a replay (input_sha256), and `newscrawl verify` (archive/verify.py), so that the index
    either caches is as complete. An index cached valid but without a file's digest (made by an older newscrawl's
    verify) is not rebuilt for it: that file is read each time, as before, until the index is rebuilt.
    A file that cannot be read (its damage line is the index's) counts as the digest of ``unreadable NAME``: the
    replay is named by what it could read, and differs from the replay of the same files all readable."""
    files = warc_files(path)
    cached = cached_file_sha256(path, index_cache) if index_cache is not None else {}
    digests = [cached.get(str(file)) or _file_sha256(file) for file in files]
    logger.debug("Input digest of %(path)s: %(read)d of %(files)d WARC files read for it, the others' SHA-256 "
                 "taken from the cached archive index",
                 {"path": path, "read": sum(str(file) not in cached for file in files), "files": len(files)})
    return digests


def _file_sha256(file: Path) -> str:
    try:
        return filedigest.file_sha256(file)
    except OSError:
        return hashlib.sha256(f"unreadable {file.name}".encode("utf-8", "surrogateescape")).hexdigest()


def replay_identity(path: Path) -> ReplayIdentity:
    """The crawl id and start time of the archived run, so a replay is the same run, reproducibly.

    Our WARCs name both in their warcinfo record; for foreign archives and saved pages they are derived from the
    content (a digest of file names and sizes), so two replays of the same archive still agree. Saved pages of which
    none could be read have no content to tell them apart: their id is a digest of the input's own path instead,
    so that replays of two such folders do not write one feed and report over each other.
    """
    if source_kind(path) == "warc":
        files = warc_files(path)
        for file in files:
            info = read_warcinfo(file, indexed=True)  # the replay's index reports a damaged file
            if info.get("crawl-id"):
                recorded = _parse_time(info.get("crawl-started-at"))
                return ReplayIdentity(info["crawl-id"], recorded or _began(file),
                                      _arguments(info.get("spider-arguments")), start_recorded=recorded is not None)
        digest = hashlib.sha256("\n".join(f"{f.name}:{f.stat().st_size}" for f in files).encode()).hexdigest()
        return ReplayIdentity(f"replay-{digest[:12]}", min(_began(f) for f in files))
    pages_digest = hashlib.sha256()  # fed page by page: the joined list of a large folder was a transient 4 MB
    started_at: datetime | None = None
    for page in read_saved_folder(path).places:
        separator = "" if started_at is None else "\n"
        pages_digest.update(f"{separator}{page.url}:{page.body_sha256}".encode())
        started_at = page.fetched_at if started_at is None else min(started_at, page.fetched_at)
    if started_at is None:  # no page: a digest of nothing would be every such replay's (replay-e3b0c44298fc)
        place = given_place(str(path.resolve()))  # the user's input, not the cache folder it was unpacked to
        pages_digest.update(f"no pages in {place}".encode("utf-8", "surrogateescape"))
    return ReplayIdentity(f"replay-{pages_digest.hexdigest()[:12]}",
                          started_at or datetime.fromtimestamp(0, timezone.utc), pages_sha256=pages_digest.hexdigest())


@dataclass(frozen=True)
class SavedFolder:
    """Where a folder's saved pages are, in folder order, its bad input, and the files it does not replay."""

    places: SavedPlaces
    problems: list[ArchiveProblem]
    not_replayed: list[NotReplayed] = field(default_factory=list)


SAME_URL, SAME_BYTES = "same-url", "same-bytes"
"""NotReplayed.kind of a saved page whose URL a later capture of the folder answers: with other bytes (an earlier
version of the page), or with the same (a copy)."""


def superseded(places: SavedPlaces, root: Path) -> Iterator[NotReplayed]:
    """A NotReplayed for each listed page whose URL another save answers, in folder order: a URL saved more than once
    is answered by its latest capture (SavedPlaces), as a WARC's several captures of a URL are answered by its last.
    Copies with the same bytes lose nothing; an earlier version of the page (saved again to follow its edits) is not
    replayed, unless every version is asked for (`versions=all`)."""
    for page, latest in places.superseded():
        answering = saved_page_ref(root, latest)["file"]
        if latest.body_sha256 == page.body_sha256:
            yield NotReplayed(page.path, SAME_BYTES, f"the same bytes as {answering}, which answers {page.url}")
        else:
            yield NotReplayed(page.path, SAME_URL, f"an earlier version of {page.url}, which {answering} (its latest "
                                                   "capture) answers; this one is not replayed")


_SavedFolderKey = tuple[str, str, int]
_last_saved_folder: tuple[_SavedFolderKey, SavedFolder] | None = None


def read_saved_folder(path: Path) -> SavedFolder:
    """Where every saved page of a folder is (and its bad input), read once per process while the folder is
    unchanged; the pages' bytes are read again when a request asks for them (``read_saved_body``).

    A replay needs the list twice before it starts, for its identity (a digest of the pages' contents) and as its
    source; reading, un-gzipping and hashing every page twice doubled the start of a large folder's replay. The
    last folder read is remembered with a digest of its files' names, sizes and times, so a changed folder is read
    again (the listing itself, two files per page, held for the whole run, grew the replay by 370 bytes a page),
    and with the process: a forked process reads it again into a database of its own.
    """
    global _last_saved_folder
    key = (str(path.resolve()), _listing(path), os.getpid())
    if _last_saved_folder is None or _last_saved_folder[0] != key:
        folder = SavedFolder(SavedPlaces(), [])
        root = path.resolve().parent if path.is_file() else path.resolve()
        for page in iter_saved_html(path):
            if isinstance(page, SavedPage):
                folder.places.add(page.place())
            elif isinstance(page, NotReplayed):
                folder.not_replayed.append(page)
            else:
                folder.problems.append(page)
        folder.not_replayed.extend(superseded(folder.places, root))  # known once every save of a URL is listed
        _last_saved_folder = (key, folder)
    return _last_saved_folder[1]


def _listing(folder: Path) -> str:
    """A digest of the names, sizes and modification times of everything under `folder`, in a fixed order; fed as
    the folder is walked (a list of a large folder's files, sorted and printed, was a transient 3 MB)."""
    digest = hashlib.sha256()
    if folder.is_file():  # one page given by itself
        with contextlib.suppress(OSError):
            info = folder.stat()
            digest.update(f"{folder}\0{info.st_size}\0{info.st_mtime_ns}\n".encode("utf-8", "surrogateescape"))
        return digest.hexdigest()
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames.sort()  # walked in name order, so the digest does not depend on the file system's order
        for name in sorted([*dirnames, *filenames]):
            entry = os.path.join(dirpath, name)  # a string: pathlib would intern every name (savedhtml.py)
            try:
                info = os.lstat(entry)
            except OSError:
                continue
            digest.update(f"{entry}\0{info.st_size}\0{info.st_mtime_ns}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _arguments(recorded: str | None) -> dict[str, str]:
    try:
        value = json.loads(recorded or "{}")
    except ValueError:
        logger.warning("Unreadable spider-arguments in warcinfo: %(value)r", {"value": recorded})
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _began(file: Path) -> datetime:
    """When the crawl that wrote `file` began, by its own content: the WARC-Date of its first record (a warcinfo's,
    or the first capture's); when that record is unreadable or undated, the earliest WARC-Date of the records that
    are readable (a warcinfo further on, a request, a metadata record, a capture: earliest_record_date). The file's
    modification time only when no record is: it changes with a copy or an extraction, and the start time is in
    the feed (archive candidates' discovery time), which would then change with it."""
    return _parse_time(first_record_date(file)) or earliest_record_date(file) or _mtime(file)


def replay_started_at(identity: ReplayIdentity, source: ReplaySource) -> datetime:
    """When the archived crawl began, once its index is read: the identity's start, unless the archive names none
    and a capture was made before it. A crawl starts no later than its first capture, but a WARC's first record
    need not be the earliest: a tool that packs saved files into a WARC (warcit) writes its warcinfo when it packs
    them, dated after the files it then stores with their own, earlier, times. The start is the discovery time of
    the archive's candidates (their provenance), which must not come after their fetch."""
    if identity.start_recorded:
        return identity.started_at
    earliest = source.earliest_fetch()
    return identity.started_at if earliest is None else min(identity.started_at, earliest)


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)


@dataclass(frozen=True)
class Answer:
    """An archived answer to a request, in the shape Scrapy needs."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    fetched_at: datetime
    archive: dict[str, Any] | None
    digest_ok: bool = True
    """False when the record's WARC digests do not match its bytes (and no intact capture of the URL exists)."""
    truncated: str | None = None
    """Why the archived payload is incomplete (ArchivedExchange.truncated), None when it is whole."""
    url_from_path: bool = False
    """A saved page's URL rebuilt from a mirror's folder names (SavedPlace.url_from_path)."""
    coding_not_applied: str | None = None
    """The Content-Encoding the record names but its body never had (codings.not_applied): left out of `headers`,
    so Scrapy reads the body as it is instead of failing it."""

    def fetched_at_utc(self) -> str:
        """When the answer was captured, UTC ISO 8601: a replayed response's fetch time."""
        return self.fetched_at.astimezone(timezone.utc).isoformat()

    def header_values(self, name: str) -> list[str]:
        """Every value of a header, case-insensitively."""
        return [value for key, value in self.headers if key.lower() == name.lower()]

    def decoded_body(self) -> bytes:
        """The body with its Content-Encoding undone as Scrapy's HttpCompressionMiddleware undoes it (codings.py).

        Raises ValueError when the data does not decode."""
        return codings.decode(codings.named(self.header_values("Content-Encoding")), self.body)


@dataclass(frozen=True)
class Versions:
    """What a `versions=all` replay reads of one page besides its answer (ReplaySource.versions)."""

    earlier: list[IndexEntry | SavedPlace]
    """Its earlier versions, oldest first: WARC captures (a revisit record among them: a revert, ReplaySource.versions),
    or saved pages."""
    revisits: int = 0
    """Revisit records of the page before its answer that saw the latest version unchanged: not versions."""
    copies: int = 0
    """Saved pages with the bytes of the version saved just before them: that version saved again, not a version."""
    answer_repeats: bool = False
    """The answer is a revisit record of the latest of `earlier`: that version again, not a new one (its bytes,
    record and time are the original's)."""
    answer: IndexEntry | SavedPlace | None = None
    """The capture or saved page that answers the URL, the last version (a revisit record that is not a repeat is
    dated by its own time: version_answer)."""


@dataclass(frozen=True, slots=True)  # slots: one per archived page while the spider picks its candidates
class Candidate:
    """An archived HTML page answered with 200: a possible article, whether or not discovery reaches it."""

    url: str
    file: str
    """The WARC file's name, or the saved page's path relative to the replayed folder."""
    record_id: str
    position: int
    """Order in the archive (file order, then offset): archive-only articles are released in this order."""


def saved_page_ref(root: Path, page: SavedPlace) -> dict[str, Any]:
    """provenance.archive of a saved page: its path in the folder, and its bytes' digest as the record id.

    A path whose bytes are not UTF-8 (a Latin-1 file name) cannot go into a UTF-8 feed as it is: it is
    percent-encoded whole, which `newscrawl verify` undoes.
    """
    # strings, not Path: pathlib would intern every page's name for the rest of the process (savedhtml.py)
    raw = os.fsencode(os.path.relpath(page.path, root).replace(os.sep, "/"))
    try:
        name = raw.decode("utf-8")
    except UnicodeDecodeError:
        name = quote(raw, safe="/")
    return {"file": name, "record_id": f"urn:sha256:{page.body_sha256}", "offset": 0}


def _is_html(content_type: str | None) -> bool:
    value = (content_type or "").lower()
    return not value or "html" in value  # no Content-Type: let the parser judge the bytes


ERROR_STATUSES = 400
"""From this status on an archived answer is an error (a 404, a 503): a saved page of the URL makes up for it."""
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
"""The statuses Scrapy's RedirectMiddleware follows (with a Location header)."""
MAX_REDIRECT_HOPS = 20  # Scrapy's REDIRECT_MAX_TIMES default


def redirect_target(url: str, location: str) -> str | None:
    """The URL Scrapy's RedirectMiddleware requests after `url` answered with `location` (None: not followed).

    >>> redirect_target("http://a.example/x?p=1#top", "/y")
    'http://a.example/y#top'
    >>> redirect_target("https://a.example/x", "//b.example/z"), redirect_target("https://a.example/x", "mailto:e")
    ('https://b.example/z', None)
    """
    safe = safe_url_string(location)
    if location.startswith("//"):
        safe = f"{urlsplit(url).scheme}://{safe.lstrip('/')}"
    target = urljoin(url, safe)
    fragment = urlsplit(url).fragment
    if fragment and not urlsplit(target).fragment:
        target = urljoin(target, f"#{fragment}")
    return target if urlsplit(target).scheme in ("http", "https") else None


@dataclass(frozen=True)
class MetaRefreshPolicy:
    """Which meta refreshes Scrapy's MetaRefreshMiddleware follows, as the crawl's settings say."""

    ignore_tags: tuple[str, ...] = tuple(default_settings.METAREFRESH_IGNORE_TAGS)
    max_delay: float = default_settings.METAREFRESH_MAXDELAY

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> MetaRefreshPolicy | None:
        """None when the middleware is off (METAREFRESH_ENABLED)."""
        if not settings.getbool("METAREFRESH_ENABLED", True):
            return None
        return cls(tuple(settings.getlist("METAREFRESH_IGNORE_TAGS")), settings.getfloat("METAREFRESH_MAXDELAY"))

    def target(self, exchange: ArchivedExchange) -> str | None:
        """The URL the middleware requests after this archived 200 response, None when it would not redirect."""
        return _meta_refresh_target(exchange, self)


def _meta_refresh_target(exchange: ArchivedExchange, policy: MetaRefreshPolicy) -> str | None:
    headers = Headers()
    for name, value in exchange.headers:
        if name.lower() != "content-encoding":  # undone below, as HttpCompressionMiddleware undoes it first
            headers.appendlist(name, value)
    try:
        body = exchange.decoded_body()
    except ValueError:
        return None
    response_class = responsetypes.from_args(headers=headers, url=exchange.url, body=body)
    if not issubclass(response_class, HtmlResponse):  # the middleware only reads refreshes from HTML responses
        return None
    interval, target = get_meta_refresh(response_class(exchange.url, headers=headers, body=body),
                                        ignore_tags=policy.ignore_tags)
    if target is None or interval is None or interval >= policy.max_delay:
        return None
    target = safe_url_string(target)
    return target if urlsplit(target).scheme in ("http", "https") else None


class ReplaySource:
    """Lookup of archived responses by URL: exact, then canonicalised, then by the spider's article key.

    Built once per replay (the spider owns it; the middleware answers from it). `problems` lists every damaged
    input: a truncated or corrupt record, an unreadable, binary or unsafe saved file, a bad sidecar.
    """

    def __init__(self, path: Path, article_key: Callable[[str], str] | None = None,
                 index_cache: Path | None = None, meta_refresh: MetaRefreshPolicy | None = MetaRefreshPolicy(),
                 every_version: bool = False) -> None:
        """`index_cache`: the folder where an archive's index is kept between runs (meta.archive_index_cache);
        None builds it from the records every time. `meta_refresh`: the crawl's (MetaRefreshPolicy.from_settings),
        for telling which archived pages redirect. `every_version`: a `versions=all` replay (spiders/versions.py):
        a URL saved several times is answered by its latest saved version, the others are its earlier versions
        (``versions``), and none of them is told as not replayed."""
        self.path = path
        self.every_version = every_version
        self.meta_refresh = meta_refresh
        self._refresh_targets: dict[tuple[str, int, str], str | None] = {}
        self.kind = source_kind(path)
        self.article_key = article_key
        self.problems: list[ArchiveProblem] = []
        self.skipped: dict[str, int] = {}
        """Records not replayable as responses, by type (unresolved revisit, metadata, request-less …), counted."""
        self.revisits_resolved = 0
        """Revisit records answered with their original capture."""
        self.revisits_answered_later = 0
        """Of those, revisits no capture at or before them could answer: the nearest later capture did."""
        self.unlabelled_pages = 0
        """Archived pages labelled as unknown bytes (application/octet-stream, …) that are web pages (sniff.py)."""
        self.payload_digests_unmatched = 0
        """Captures whose WARC-Payload-Digest matches no form of their payload, whose WARC-Block-Digest proves them:
        replayed (their writer digested other bytes)."""
        self._pages: SavedPlaces | None = None
        self._index: ArchiveIndex | None = None
        self._holds_redirects: bool | None = None
        self._root = path.resolve().parent if path.is_file() else path.resolve()  # pages' paths are relative to it
        self._shared_names: frozenset[str] = frozenset()
        """Names that two or more of the replay's WARCs bear (archive_name)."""
        self.pages_beside_warcs = 0
        """Saved pages in a folder of WARCs that answer URLs the WARCs do not hold (replayed with them)."""
        self.pages_held_by_warcs = 0
        """Saved pages in a folder of WARCs whose URL the WARCs answer: the WARCs' capture is served."""
        self.not_replayed: list[NotReplayed] = []
        """Files that hold, or may hold, a page no request is answered with: each told, none damage."""
        if self.kind == "warc":
            names = [file.name for file in warc_files(path)]
            self._shared_names = frozenset(name for name in names if names.count(name) > 1)
            self._index = ArchiveIndex.build(path, index_cache)
            self.problems = list(self._index.problems)
            self.skipped = dict(self._index.skipped)
            self.revisits_resolved = self._index.revisits_resolved
            self.revisits_answered_later = self._index.revisits_answered_later
            self.unlabelled_pages = len(self._index.unlabelled_pages)
            self.payload_digests_unmatched = self._index.payload_digests_unmatched
            self._add_pages(_beside_warcs(path))
        else:
            folder = read_saved_folder(path)
            self.problems.extend(folder.problems)
            self.not_replayed.extend(folder.not_replayed)
            self._pages = folder.places  # every page answers: the folder's own list, not a copy
        # a folder that cannot be listed: its files lost, one line (a folder unpacked into the cache has none: the
        # user's folders that could not be listed for it are among the findings of its unpacking)
        self.problems.extend(unlisted_folders(path))
        # every file named as the user knows it (a WACZ's WARC as X.wacz/archive/…, a page of a ZIP in a folder as
        # folder/X.zip/page.html), never as its copy in the cache folder it was unpacked to (unpack.py)
        self.problems = [replace(problem, file=shown_name(problem.file), message=shown_in(problem.message))
                         for problem in self.problems]
        self.not_replayed = [replace(file, path=shown_name(file.path), message=shown_in(file.message))
                             for file in self.not_replayed]
        unpacked = findings_of(path)  # what unpacking the archive given found: damage as the index's, counted once
        self.unpacked = unpacked.made
        """What was unpacked into the folder replayed, and where ("" for an archive read where it is)."""
        self.problems, self.told_within = unpacked.told_with(self.problems)
        """Kinds of damage told within another's line, counted but not lines of their own (Findings.told_with)."""
        for kind, count in unpacked.skipped.items():
            self.skipped[kind] = self.skipped.get(kind, 0) + count
        if every_version:  # a later page of a URL is one of its versions: replayed
            self.not_replayed = [file for file in self.not_replayed if file.kind not in (SAME_URL, SAME_BYTES)]
        # named as the user knows them: a file of their folder copied into the cache beside an archive it holds
        self.not_replayed = [replace(file, path=shown_name(file.path), message=shown_in(file.message))
                             for file in self.not_replayed]

    def _add_pages(self, pages: Iterable[SavedPlace | ArchiveProblem | NotReplayed]) -> None:
        """Saved pages beside WARCs as answers: only those whose URL the WARCs do not answer with a page (the
        crawl's own capture is the record; a copy saved by hand later is not; but where the crawl met an error, a
        404 or a 503, the saved page is the article)."""
        for page in pages:
            if isinstance(page, NotReplayed):
                self.not_replayed.append(page)
            elif not isinstance(page, SavedPlace):
                self.problems.append(page)
            elif self._held_by_warcs(page):
                self.pages_held_by_warcs += 1
            else:
                self.pages_beside_warcs += 1
                if self._pages is None:
                    self._pages = SavedPlaces()
                self._pages.add(page)
        if self._pages is not None:
            self.not_replayed.extend(superseded(self._pages, self._root))
        if self.pages_beside_warcs or self.pages_held_by_warcs:
            logger.info("%(path)s holds saved pages beside its WARC files: %(new)d replayed with them, %(held)d left "
                        "to the WARCs' capture of the same URL",
                        {"path": shown_source(self.path), "new": self.pages_beside_warcs,
                         "held": self.pages_held_by_warcs})

    def _held_by_warcs(self, page: SavedPlace) -> bool:
        """Whether the WARCs answer a saved page's capture with a page of their own: by the page's URL, or by the
        address the folders it was saved under name (a mirror's, mirrorpaths.urls_from_path), in either scheme. wget
        run with --warc-file and -x writes each page twice, in the WARC and in its mirror: the same capture, whose
        saved copy is named by its canonical link (another address than the one asked for) or, without one, by a
        guessed scheme (https where the crawl asked http). Matched by its URL alone, each was offered a second
        time: an item twice, or a flood of DuplicateArticle drops."""
        relative = os.path.relpath(page.path, self._root).replace(os.sep, "/")
        for url in (page.url, *urls_from_path(relative)):
            served = self._served(url)
            if served is not None:
                return served.status < ERROR_STATUSES
        return False

    def urls(self) -> list[str]:
        return list(self.iter_urls())

    def iter_urls(self) -> Iterator[str]:
        """The archive's URLs (each captured URL once, in archive order, then the saved pages'), without a list."""
        if self._index is not None:
            yield from self._index.iter_urls()
        for page in self._pages or ():
            yield page.url

    def earliest_fetch(self) -> datetime | None:
        """When the archive's earliest capture was made (saved pages beside WARCs not counted), None without one."""
        return self._index.earliest_fetch() if self._index is not None else None

    def url_count(self) -> int:
        pages = self._pages.urls if self._pages is not None else 0
        return (self._index.url_count() if self._index is not None else 0) + pages

    def several_versions_count(self) -> int:
        """The WARCs' URLs captured in full more than once, with payloads that may differ (saved pages tell theirs
        one by one: NotReplayed)."""
        return self._index.several_versions_count() if self._index is not None else 0

    def holds_redirects(self) -> bool:
        """Whether any archived response is a redirect, by status or by meta refresh (saved pages never are); looked
        up once."""
        if self._holds_redirects is None:
            index = self._index
            self._holds_redirects = index is not None and (
                index.with_status(REDIRECT_STATUSES)
                # the index lists the pages that may refresh (a few, often a noscript fallback Scrapy ignores);
                # only the crawl's settings tell which ones redirect
                or any(self._refresh_target(entry) is not None
                       for file, offset in sorted(index.refreshing) for entry in index.at(file, offset)))
        return self._holds_redirects

    def _refresh_target(self, entry: IndexEntry) -> str | None:
        """Where a 200 capture redirects by meta refresh under the crawl's settings (its record read once)."""
        if self._index is None or self.meta_refresh is None or (entry.file, entry.offset) not in self._index.refreshing:
            return None
        key = (entry.file, entry.offset, entry.url)  # a revisit shares its original's record, not its URL (the base)
        if key not in self._refresh_targets:
            try:
                exchange = self._index.read(entry)
            except ArchiveReadError:
                exchange = None
            self._refresh_targets[key] = self.meta_refresh.target(exchange) if exchange is not None else None
        return self._refresh_targets[key]

    def holds(self, url: str) -> bool:
        """Whether a request for `url` would be answered (by a WARC capture, whatever its status, or a saved page),
        without reading anything."""
        return self._served(url) is not None or (self._pages is not None and self._pages.get(url) is not None)

    def redirect_chain(self, url: str) -> list[str]:
        """Where the archived answers redirect a request for `url`, hop by hop, each target resolved as Scrapy's
        RedirectMiddleware and MetaRefreshMiddleware (under the crawl's METAREFRESH_* settings) resolve it; [] when it
        is answered by anything but a redirect. Only a redirect's record is read: the index tells every capture's
        status and which pages may refresh."""
        chain: list[str] = []
        current = url
        while self._index is not None and len(chain) < MAX_REDIRECT_HOPS:
            entry = self._index.entry(current)
            if entry is None:
                break
            if entry.status in REDIRECT_STATUSES:
                answer = self.answer(current)
                locations = [] if answer is None or answer.status not in REDIRECT_STATUSES else answer.header_values(
                    "Location")
                # the last Location, as Scrapy's Headers hand RedirectMiddleware the last value of a repeated header
                target = redirect_target(current, locations[-1]) if locations else None
            elif entry.status in PAGE_STATUSES and (entry.file, entry.offset) in self._index.refreshing:
                served = self._served_capture(current)  # a damaged one is refused, so it redirects nowhere
                target = self._refresh_target(served) if served is not None and served.digest_ok else None
            else:
                break
            if target is None or target == url or target in chain:
                break
            chain.append(target)
            current = target
        return chain

    def candidates(self) -> Iterator[Candidate]:
        """Every archived 200 HTML response (its winning capture) or saved page, in archive order; one at a time,
        as a list of them all was the peak of a large archive's replay."""
        index = self._index
        if index is not None:
            for position, (placed, entry) in enumerate(index.in_order()):
                if entry.status not in PAGE_STATUSES or entry.request_method not in (None, "GET") or not (
                        _is_html(entry.content_type) or (entry.file, entry.offset) in index.unlabelled_pages):
                    continue
                if index.winner_position(entry.url) != placed:  # a later capture of the URL wins, as in answer()
                    continue
                yield Candidate(entry.url, self.archive_name(entry.file), entry.record_id, position)
        first = len(index) if index is not None else 0
        # saved pages after the WARCs' pages: each URL's answering save at its place, as a WARC's winning capture
        for number, page in self._pages.answering() if self._pages is not None else ():
            yield Candidate(page.url, saved_page_ref(self._root, page)["file"], f"urn:sha256:{page.body_sha256}",
                            first + number)

    def answer(self, url: str, max_payload: int | None = None) -> Answer | None:
        """The archived answer for `url`, None when the archive holds none. Raises RecordTooLarge when its payload
        is larger than ``max_payload`` bytes (not read), ArchiveReadError when it cannot be read again."""
        served, page = self._answering(url)
        if served is not None:
            return self.answer_of(served, max_payload)
        if page is None:
            return None
        if self.every_version:  # the URL's latest saved version answers it (not a copy of it saved later)
            page = self._saved_versions(url)[0][-1]
        return self.answer_of(page, max_payload)

    def _answering(self, url: str) -> tuple[IndexEntry | None, SavedPlace | None]:
        """What answers `url`: the WARCs' capture (its entry), unless an error a saved page makes up for; else the
        saved page (the URL's latest capture; in a `versions=all` replay it stands for all its saved versions, the
        latest of which, copies left out, answers: _saved_versions); else neither."""
        page = self._pages.get(url) if self._pages is not None else None
        served = self._served(url)
        if served is not None and (served.status < ERROR_STATUSES or page is None):
            return served, None
        return None, page

    def versions(self, url: str) -> Versions:
        """What a `versions=all` replay reads of the page that answers `url` besides its answer.

        In WARCs, its earlier versions are the full captures (intact 200 responses) archived before the capture that
        answers it, oldest first. A revisit record among them says the page was seen as its original capture was:
        when that is the latest version before it, the page was seen unchanged, so it is counted, never read as a
        version; when it is another (v1, v2, then a revisit of v1), the page had changed back, as a live run would
        have seen it then: a version, read from its original's bytes and dated by the revisit (version_answer); so
        is a revisit before which no version was read (the first version).
        The answer is judged alike: a revisit of the latest version repeats it. Of saved pages, every page saved of
        the URL is a version, ordered by the time each was saved; a page with the bytes of the version saved just
        before it is that version seen unchanged, counted as a copy."""
        served, page = self._answering(url)
        if served is not None:
            assert self._index is not None
            captures = self._index.captures(served.url)
            before = captures[:captures.index(served)] if served in captures else []
            earlier: list[IndexEntry | SavedPlace] = []
            latest: tuple[str, int] | None = None
            revisits = 0
            for entry in before:
                if entry.status != 200:
                    continue
                if entry.revisit and (not entry.digest_ok or (entry.file, entry.offset) == latest):
                    revisits += 1  # seen unchanged (or its original damaged: nothing to read it as)
                elif entry.digest_ok:  # a capture failing its digest check was reported as damaged input
                    earlier.append(entry)
                    latest = (entry.file, entry.offset)
            repeats = served.revisit and (served.file, served.offset) == latest
            return Versions(earlier, revisits=revisits, answer_repeats=repeats, answer=served)
        if page is None:
            return Versions([])
        saved, copies = self._saved_versions(url)
        return Versions(list(saved[:-1]), copies=copies, answer=saved[-1])

    def _saved_versions(self, url: str) -> tuple[list[SavedPlace], int]:
        """The saved versions of `url`'s page, oldest first, without a page that holds the bytes of the version
        before it (the same page saved again unchanged); and how many such copies were left out."""
        kept: list[SavedPlace] = []
        copies = 0
        for page in self._pages.versions(url) if self._pages is not None else []:
            if kept and kept[-1].body_sha256 == page.body_sha256:
                copies += 1
            else:
                kept.append(page)
        return kept, copies

    def answer_of(self, version: IndexEntry | SavedPlace, max_payload: int | None = None) -> Answer:
        """The archived answer of one capture or saved page (answer()'s, or one of `versions`'); raises as
        answer() does."""
        try:
            if isinstance(version, IndexEntry):
                assert self._index is not None
                return self._archived_answer(self._index.read(version, max_payload))
            body = read_saved_body(version)
        except OSError as error:  # the disk failed a read that indexing it did not meet (an index cached before)
            if not read_failed(error):
                raise
            file, offset = (version.file, version.offset) if isinstance(version, IndexEntry) else (version.path, 0)
            raise ArchiveReadError(ArchiveProblem(shown_name(str(file)), offset, "io", f"cannot read: {error}")
                                   ) from error
        if max_payload is not None and len(body) > max_payload:
            raise RecordTooLarge(version.path, 0, len(body), max_payload)
        return Answer(url=version.url, status=200, headers=[("Content-Type", version.content_type)], body=body,
                      fetched_at=version.fetched_at, archive=saved_page_ref(self._root, version),
                      truncated=version.truncated, url_from_path=version.url_from_path)

    def version_answer(self, version: IndexEntry | SavedPlace, max_payload: int | None = None) -> Answer:
        """The answer of one of `versions`' versions: answer_of's, but a revisit record's dated by the revisit
        itself, when the page was seen so (its bytes and record are its original's, as a replay's answer is)."""
        answer = self.answer_of(version, max_payload)
        if isinstance(version, IndexEntry) and version.revisit:
            return replace(answer, fetched_at=version.fetched_at)
        return answer

    def version_candidate(self, version: IndexEntry | SavedPlace) -> Candidate | None:
        """One version of a page as an archive candidate: its own file, record id and place in archive order (as
        candidates() gives them for the version that answers a URL), which an item read from it names as its
        archive route. None when the archive does not list it."""
        if isinstance(version, IndexEntry):
            assert self._index is not None
            placed = next((n for n, entry in self._index.placed_captures(version.url) if entry == version), None)
            return None if placed is None else Candidate(version.url, self.archive_name(version.file), version.record_id,
                                                         self._index.rank(placed))
        number = self._pages.position(version) if self._pages is not None else None
        if number is None:
            return None
        first = len(self._index) if self._index is not None else 0  # saved pages after the WARCs' captures
        ref = saved_page_ref(self._root, version)
        return Candidate(version.url, ref["file"], ref["record_id"], first + number)

    def archive_name(self, file: str) -> str:
        """ArchiveRef.file of a WARC of this replay: its name (where the archive has moved, it is found by it), or,
        when another of the replay's WARCs bears the same name (two runs of `wget --warc-file=site`, each in its own
        folder), its path relative to the folder replayed: by the name alone, `newscrawl verify` read the other."""
        name = Path(file).name
        if name not in self._shared_names:
            return name
        return Path(os.path.relpath(os.path.realpath(file), self._root)).as_posix()

    def _archived_answer(self, exchange: ArchivedExchange) -> Answer:
        """A WARC record's answer: Content-Encoding left out when the body never had it (codings.not_applied)."""
        headers, not_applied = list(exchange.headers), None
        if codings.not_applied(exchange.content_codings(), exchange.body):
            not_applied = ", ".join(exchange.header_values("Content-Encoding"))
            headers = [(name, value) for name, value in headers if name.lower() != "content-encoding"]
        return Answer(url=exchange.url, status=exchange.status, headers=headers, coding_not_applied=not_applied,
                      body=exchange.body, fetched_at=exchange.fetched_at,
                      archive={"file": self.archive_name(exchange.file), "record_id": exchange.record_id,
                               "offset": exchange.offset}, digest_ok=exchange.digest_ok, truncated=exchange.truncated)

    def _served_capture(self, url: str) -> IndexEntry | None:
        """The index's winning capture of the URL (warc.preferred: the last, unless a transient error), chosen among
        the *intact* ones when there are any."""
        assert self._index is not None
        captures = self._index.captures(url)
        intact = [entry for entry in captures if entry.digest_ok]
        return preferred(intact or captures) if captures else None

    def _served(self, url: str) -> IndexEntry | None:
        """The WARCs' served capture of `url`, else of the same article under another URL form (the spider's
        article_key); None without WARCs or without a capture."""
        if self._index is None:
            return None
        served = self._served_capture(url)
        if served is None and (archived := self._archived_url_by_key(url)) is not None:
            served = self._served_capture(archived)
        return served

    def _archived_url_by_key(self, url: str) -> str | None:
        """The archived URL of the same article (the spider's article_key) under another URL form, if any."""
        if self._index is None or self.article_key is None:
            return None
        key = self.article_key(url)
        # the map of every archived URL by key is made on the first such question, beside the index (on disk)
        return self._index.first_url_by_key(self.article_key, key) if key != url else None


NETWORK_SCHEMES = ("http", "https")
_HTTP_HANDLER_MODULE = "scrapy.core.downloader.handlers."


# Components a replay leaves out besides the download handlers and those no crawl loads (components.py), each with
# the setting that would make it matter (None: nothing does; whatever it would do to a request cannot change the
# archived answer, which is by URL).
_UNUSED_IN_REPLAY: Unused = {
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": ("DOWNLOADER_MIDDLEWARES", None),  # imports tldextract
}


def without_network_handlers(settings: BaseSettings) -> None:
    """A replay's settings, before the engine starts: nothing that talks to the network, or only shapes what a
    request sends, is loaded.

    ReplayMiddleware answers or refuses every request, so a replay never downloads anything; loading Scrapy's
    HTTP/1.1 handler still cost ~0.1 s of CPU per process (its TLS modules build deprecated aliases by walking the
    call stack). Without it, a request that somehow got past the middleware fails as an unsupported scheme
    instead of reaching the network. Per scheme at spider priority: a handler given on the command line wins.
    RETRY_EXCEPTIONS loses the exceptions only a download handler raises (TunnelError), which named, and so
    imported, the handler's module; every other retry (an archived 503, a body that fails to decompress) stays.

    The cookies middleware (cookies only change a request's headers) is not even imported (components.py says
    how): its import (tldextract) cost ~0.05 s of CPU per process.
    """
    if settings.frozen:
        return
    _with_replay_middleware(settings)
    handlers = settings["DOWNLOAD_HANDLERS"]
    if isinstance(handlers, BaseSettings):  # what Scrapy makes of any dict given for it
        for scheme in NETWORK_SCHEMES:
            handlers.set(scheme, None, priority="spider")
    retried = settings.getlist("RETRY_EXCEPTIONS")
    kept = [e for e in retried if not (isinstance(e, str) and e.startswith(_HTTP_HANDLER_MODULE))]
    if len(kept) != len(retried):
        settings.set("RETRY_EXCEPTIONS", kept, priority=settings.getpriority("RETRY_EXCEPTIONS") or "default")
    leave_out(settings, _UNUSED_IN_REPLAY)


PUSH_ORDER_QUEUE = "scrapy.pqueues.ScrapyPriorityQueue"


def with_reproducible_order(settings: BaseSettings) -> None:
    """A replay's requests leave the scheduler in an order that depends only on what was queued.

    Scrapy's default priority queue (DownloaderAwarePriorityQueue) hands out next a request of the host whose download
    slot is least busy at that moment. In a replay every answer is at hand, so the order is still the same from one
    run to the next; but a parallel replay's processes each hold a different share of the requests in flight, cannot
    know how busy the one-process run's slots were, and so put items of many hosts (469 saved pages of 469 sites:
    86 items) in another order than one process. Scrapy's plain priority queue (by priority, then the memory queue's
    own order) is what every process can reproduce (spiders/shard.py); a queue named on the command line or in the
    project's settings other than Scrapy's default is kept.
    """
    if settings.frozen or load_object(settings["SCHEDULER_PRIORITY_QUEUE"]) is not DownloaderAwarePriorityQueue:
        return
    settings.set("SCHEDULER_PRIORITY_QUEUE", PUSH_ORDER_QUEUE,
                 priority=max(settings.getpriority("SCHEDULER_PRIORITY_QUEUE") or 0, SETTINGS_PRIORITIES["spider"]))


def one_request_at_a_time(crawler: Any) -> None:
    """Let a replay whose archive holds redirects download one request at a time.

    A redirect's follow-up request is queued when the redirect is answered, ahead of the rest (Scrapy raises its
    priority), so with many requests in flight the place its item takes depends on how many were in flight then:
    not the same in one process as in each of a parallel replay's (an archive of 110 redirected articles of 10
    sites: 92 items in another order). One at a time, every article's chain (redirect, follow-up, item) ends before
    the next starts, in every process alike. It costs a replay ~10 % more CPU, so archives without redirects keep
    Scrapy's concurrency (their order does not depend on it).
    """
    downloader = getattr(getattr(crawler, "engine", None), "downloader", None)
    if downloader is not None and getattr(downloader, "total_concurrency", 1) != 1:
        logger.info("The archive holds redirects: the replay downloads one request at a time (CONCURRENT_REQUESTS "
                    "was %d), so a redirected article's item keeps its place in every run",
                    downloader.total_concurrency)
        downloader.total_concurrency = 1


REPLAY_MIDDLEWARE = "newscrawl.archive.replay.ReplayMiddleware"
REPLAY_MIDDLEWARE_ORDER = 960
"""After every other process_request (the project's settings.py puts it there too)."""


def _with_replay_middleware(settings: BaseSettings) -> None:
    """A replay always has its ReplayMiddleware. `-s DOWNLOADER_MIDDLEWARES=…` replaces the project's whole dict
    (Scrapy's rule for dict settings), which dropped it: every request then went to the (removed) network handlers
    and failed, and the replay ended with no items, exit code 0. It is put back at its place, with one warning."""
    if settings.getwithbase("DOWNLOADER_MIDDLEWARES").get(REPLAY_MIDDLEWARE) is not None:
        return
    current = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
    current[REPLAY_MIDDLEWARE] = REPLAY_MIDDLEWARE_ORDER
    settings.set("DOWNLOADER_MIDDLEWARES", current,
                 priority=max(settings.getpriority("DOWNLOADER_MIDDLEWARES") or 0, SETTINGS_PRIORITIES["spider"]))
    logger.warning("DOWNLOADER_MIDDLEWARES lacks %s (a -s DOWNLOADER_MIDDLEWARES=… replaces the project's whole "
                   "dict): added back at %d, since a replay answers every request from the archive",
                   REPLAY_MIDDLEWARE, REPLAY_MIDDLEWARE_ORDER)


REPLAY_INPUT_ERROR = "replay_input_error"
"""Finish reason of a replay whose input could not be read at all (exit 1)."""


def open_replay_source(crawler: Any, spider: Any) -> ReplaySource | None:
    """The spider's replay source, read once; None, with the crawl stopping in one line, when its input cannot be
    read at all: a file compressed whole whose inflated copy the disk refuses (wholegzip.PlainCopyRefused), or any
    other OSError building its index. Without this the replay went on with nothing to answer from, an error
    traceback at its start, and finished with no item and exit status 0."""
    path = spider.replay_path
    try:
        return ReplaySource(path, getattr(spider, "article_key", None), archive_index_cache(crawler.settings),
                            MetaRefreshPolicy.from_settings(crawler.settings),
                            every_version=getattr(spider, "args", {}).get("versions") == "all")
    except OSError as error:
        crawler.stats.inc_value("newscrawl/replay/input_errors")
        shown, why = shown_name(str(path)), shown_in(str(error))  # a WACZ's WARCs as X.wacz/archive/…, not the cache
        if stop_crawl(crawler, REPLAY_INPUT_ERROR, f"cannot replay {shown}: {why}"):
            logger.critical("Cannot replay %(path)s: %(error)s", {"path": shown, "error": why})
        return None


def payload_limit(spider: Any, settings: BaseSettings) -> int:
    """The largest body a live fetch by `spider` would accept, as Scrapy's download handler reads it (the spider's
    download_maxsize, else DOWNLOAD_MAXSIZE); 0 means no limit. A request's download_maxsize meta overrides it."""
    return int(getattr(spider, "download_maxsize", settings.getint("DOWNLOAD_MAXSIZE")))


def served_answer(source: ReplaySource, url: str, max_payload: int | None, stats: Any, spider: Any = None) -> Answer:
    """The archived answer to a request for `url`, counted (`newscrawl/replay/hits`); a request it cannot answer
    raises the IgnoreRequest a failed fetch would, logged and counted: ReplayMiss, ReplayTooLarge (larger than
    `max_payload`), UnreadableRecord, DamagedRecord (fails its digest check). A record the disk fails to read (EIO,
    where an index cached before met none) is also damaged input, as the index's own problems are: one "Damaged
    input" line, counted (archive_problems/io) and noted on `spider` for the run's status.

    Used by ReplayMiddleware for every request, and by a spider that reads a follow-up page in its callback (a live
    blog's update pages, spiders/liveblog.py)."""
    try:
        answer = source.answer(url, max_payload)
    except RecordTooLarge as exc:
        stats.inc_value("newscrawl/replay/too_large")
        logger.warning("Cancelling replay of %(url)s: archived response size (%(size)d) larger than download max "
                       "size (%(limit)d)", {"url": url, "size": exc.size, "limit": exc.limit})
        raise ReplayTooLarge(f"archived response larger than DOWNLOAD_MAXSIZE: {url}") from exc
    except ArchiveReadError as exc:
        stats.inc_value("newscrawl/replay/unreadable")
        problem = exc.problem
        if problem.kind == "io":
            for stat in ("newscrawl/replay/archive_problems", "newscrawl/replay/archive_problems/io"):
                stats.inc_value(stat)
            if hasattr(spider, "note_damaged_input"):
                spider.note_damaged_input(problem.file, problem.offset, problem.kind, problem.message)
            logger.error("Damaged input %(file)s at offset %(offset)d (io): %(message)s, so %(url)s is not replayed",
                         {"file": problem.file, "offset": problem.offset, "message": problem.message, "url": url})
        else:
            logger.error("Replay could not read the archived answer for %(url)s: %(problem)s",
                         {"url": url, "problem": shown_in(str(exc))})
        raise UnreadableRecord(f"archived answer unreadable: {url}") from exc
    if answer is None:
        stats.inc_value("newscrawl/replay/misses")
        logger.warning("Replay miss (not in the archive, not fetched): %(url)s", {"url": url})
        raise ReplayMiss(f"not in the archive: {url}")
    if not answer.digest_ok:
        stats.inc_value("newscrawl/replay/digest_refused")
        logger.error("Replay refused %(url)s: its record %(archive)s fails the WARC digest check (damaged or "
                     "altered since capture)", {"url": url, "archive": answer.archive})
        raise DamagedRecord(f"archived record fails its digest check: {url}")
    stats.inc_value("newscrawl/replay/hits")
    return answer


def replayed_response(answer: Answer, request: Request, stats: Any, *, decoded: bool = False) -> Response:
    """The Scrapy response of an archived answer to `request` (whose meta gets the answer's fetch time, mode and
    record): its body as archived, which Scrapy's middlewares then decode, or with `decoded` its Content-Encoding
    undone here, for a response handed straight to a callback (ValueError when it does not decode). A record cut
    short flags the response (its item is flagged body_truncated), and so does a saved page whose URL was rebuilt from
    a mirror's folder names (url_from_path)."""
    request.meta[META_FETCHED_AT] = answer.fetched_at_utc()
    request.meta[META_MODE] = "replay"
    request.meta[META_ARCHIVE] = answer.archive
    body, pairs = answer.body, answer.headers
    if decoded:
        body = answer.decoded_body()
        pairs = [(name, value) for name, value in pairs if name.lower() != "content-encoding"]
    headers = Headers()
    for name, value in pairs:
        headers.appendlist(name, value)
    response_class = responsetypes.from_args(headers=headers, url=answer.url, body=body)
    flags = [REPLAYED_FLAG, URL_FROM_PATH_FLAG] if answer.url_from_path else [REPLAYED_FLAG]
    if answer.coding_not_applied is not None:
        stats.inc_value("newscrawl/replay/coding_not_applied")
        logger.info("Replayed %(url)s without its Content-Encoding %(coding)r: the archived body is a document "
                    "stored already decoded", {"url": answer.url, "coding": answer.coding_not_applied})
    if answer.truncated is not None:
        flags.append(TRUNCATED_FLAG)
        stats.inc_value(f"newscrawl/replay/truncated/{answer.truncated}")
        logger.warning("Replayed %(url)s from an incomplete record (%(why)s; %(archive)s): its item, if any, is "
                       "flagged body_truncated", {"url": answer.url, "why": answer.truncated, "archive": answer.archive})
    # The response carries the archived record's URI: usually the request URL, but a key-based match (another
    # URL form of the same article) must say which URL the bytes really came from.
    return response_class(url=answer.url, status=answer.status, headers=headers, body=body, flags=flags,
                          request=request)


class ReplayMiddleware:
    """Downloader middleware: active when the spider was given -a replay=PATH."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.source: ReplaySource | None = None
        self.max_payload: int = crawler.settings.getint("DOWNLOAD_MAXSIZE")
        """What a live fetch would accept (Scrapy's download handler: spider attribute, else the setting); a
        request's download_maxsize meta overrides it, and 0 means no limit."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> ReplayMiddleware:
        spider = getattr(crawler, "spider", None)
        if getattr(spider, "replay_path", None) is None:
            raise NotConfigured  # live crawl (no -a replay=PATH); silent, as this is the normal case
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    refused = False
    """The replay's input could not be read (open_replay_source stopped the crawl): no request is answered."""

    def spider_opened(self, spider: Any) -> None:
        """Answer from the spider's source (it lists archive-only articles from the same index), else our own."""
        self.max_payload = payload_limit(spider, self.crawler.settings)
        if getattr(spider, "replay_refused", False):
            self.refused = True  # the spider's own reading failed and stopped the crawl: not read again
            return
        self.source = getattr(spider, "replay_source", None) or open_replay_source(self.crawler, spider)
        if self.source is None:
            self.refused = True
            return
        inside = warcs_inside(spider.replay_path)  # a WACZ is named, not the folder its WARCs were extracted to
        logger.info("Replaying %(kind)s archive %(path)s (%(n)d URLs%(inside)s)",
                    {"kind": self.source.kind, "path": shown_source(spider.replay_path), "n": self.source.url_count(),
                     "inside": f"; WARCs in it: {inside}" if inside else ""})
        if versioned := self.source.several_versions_count():
            # not damage, and not dropped one by one: the archive's newer capture is the page's answer, as a live
            # crawl gets one answer per URL; said once so that a reader knows the archive holds more than the feed
            logger.info("%(n)d of those URLs were captured in full more than once, with payloads that differ or whose "
                        "digests were not recorded; each is answered by one capture, normally its last "
                        "(docs/archive.md, \"What is read\"; -a versions=all emits an article page's every version)",
                        {"n": versioned})

    def process_request(self, request: Request, spider: Any = None) -> Response:
        if self.source is None and not self.refused:  # spider_opened not yet fired (not in a crawl: direct use)
            self.spider_opened(self.crawler.spider)
        if self.source is None:
            raise IgnoreRequest(f"not replayed, the replay's input is unreadable: {request.url}")
        max_payload = request.meta.get("download_maxsize", self.max_payload) or None  # 0: no limit, as in Scrapy
        answer = served_answer(self.source, request.url, max_payload, self.stats,
                               spider or self.crawler.spider)
        return replayed_response(answer, request, self.stats)
