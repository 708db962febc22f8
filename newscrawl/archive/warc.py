"""The archive API: read archived HTTP exchanges back out of WARC files, ours or other tools' (warcio, wget).

Import from here: this module also re-exports the writer (``WarcWriter``, ``ArchiveRef``) and the saved-HTML
source (``iter_saved_html``, ``SavedPage``), so callers need one import path.

``iter_archive`` walks files or folders and never stops at damage: each damaged spot becomes an
``ArchiveProblem`` and reading resumes at the next intact record (how: ``reader.py``). ``ArchiveIndex`` maps URLs to
record positions only and re-reads bodies by offset, so 10k archived pages do not sit in memory.

Bodies are returned as the server sent them (Content-Encoding intact, so a Scrapy replay runs the same
decompression as a live crawl) but de-chunked, because a chunked framing stored in a WARC is transport, not
content; the Transfer-Encoding header is dropped with it. Header strings are latin-1 views of the recorded bytes
(``value.encode("latin-1")`` gives the bytes back), the convention the writer uses too.

One idea, kept whole: archived HTTP exchanges (reading them back out of WARC and ARC files, and the index
over them).
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import re
import sqlite3
import sys
import tempfile
import weakref
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from itertools import chain, groupby
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from w3lib.url import canonicalize_url

from newscrawl.archive import filedigest, indexcache, indexparts, sniff
from newscrawl.archive.arc import ARC_SUFFIXES, is_arc, read_arc_at, scan_arc
from newscrawl.archive.indexdb import IndexEntry, IndexStore, scratch_file
from newscrawl.archive.exchanges import (
    PAGE_STATUSES,
    ArchivedExchange,
    SpanStep,
    Step,
    decoded_head,
    is_replayable_response,
    may_refresh,
    paired,
    record_steps,
    record_warc_date,
    request_method,
    span_steps,
    to_exchange,
)
from newscrawl.archive.reader import (
    ArchiveProblem,
    ArchiveReadError,
    OpenWarc,
    RawRecord,
    RecordTooLarge,
    open_warc,
    parse_warc_fields,
    read_first_record,
    read_record_at,
    scan_records,
)
from newscrawl.archive.revisits import Revisit, find_original, normalised_digest, payload_digests
from newscrawl.archive.savedhtml import SavedPage, iter_saved_html
from newscrawl.archive.savednames import named_otherwise
from newscrawl.archive.shown import shown_in, shown_name
from newscrawl.archive.wholegzip import (COPY_REFUSED, PlainCopyRefused, plain_copy, read_source,
                                        whole_read_source)
from newscrawl.archive.writer import ArchiveRef, WarcWriter


__all__ = ["ArchiveIndex", "ArchiveProblem", "ArchiveReadError", "ArchiveRef", "ArchivedExchange", "IndexEntry",
           "RecordTooLarge", "cached_file_sha256",
           "SavedPage", "WARC_FILE_SUFFIXES", "WarcWriter", "files_under", "iter_archive", "iter_saved_html", "read_at",
           "preferred", "read_warcinfo", "earliest_record_date", "first_record_date", "may_refresh"]

logger = logging.getLogger(__name__)

WARC_FILE_SUFFIXES = (".warc", ".warc.gz", ".warc.zst", ".warc.open", ".warc.gz.open", *ARC_SUFFIXES)
"""The names of the files an archive folder is read from (ARC included; .open: a file still being written)."""
_OPEN_FILES = 8  # archive files an ArchiveIndex keeps open between reads (a folder may hold thousands)
_REQUEST_BODY_LIMIT = 1024 * 1024
"""Payload size up to which a record read only to see whether it is a response's request is read whole: a larger one
is not a request worth pairing (no GET has a body), and may be a 2 GB video response."""


def iter_archive(path: Path | str) -> Iterator[ArchivedExchange | ArchiveProblem]:
    """Every response in a WARC file (.warc, .warc.gz, also .open) or a folder of them (recursive, name order:
    see ``_order_key``).

    ``resource`` records of http(s) pages (Browsertrix, warcio) are returned as 200 responses; metadata,
    conversion and non-HTTP records are skipped and counted (``ArchiveIndex.skipped``), and logged per file;
    revisit records hold no page of their own and are left out here (``ArchiveIndex`` resolves them).
    """
    for item in _iter_exchanges(Path(path), Counter()):
        if not isinstance(item, Revisit):
            yield item


def read_at(file: Path | str, offset: int, record_id: str | None = None) -> ArchivedExchange:
    """Re-reads the response record at ``offset`` (digests checked: see ``digest_ok``).

    ``file`` may be an ArchiveRef's final name while the writer still has it open as ``.open`` (or the reverse
    after it was renamed). ``request_method`` is filled when the next record is its request (our writer's and
    warcio's order). Raises ArchiveReadError when there is no intact response at that offset. ``record_id``: the
    record expected there (see below); another record there is returned all the same, for the caller to report.

    The offset may be one into the inflated copy of a file found mixed (ArchiveIndex.read_from_copies) whose copy
    is gone (a temp folder emptied): when nothing, or not the expected record, is found in the file itself, the
    file is checked for that (once per process) and, if so, read from its copy made again.
    """
    try:
        exchange = _read_exchange(Path(file), offset, None)
    except ArchiveReadError:
        if not _copy_made_again(Path(file)):
            raise
        return _read_exchange(Path(file), offset, None)
    if record_id is not None and exchange.record_id != record_id and _copy_made_again(Path(file)):
        return _read_exchange(Path(file), offset, None)
    return exchange


def _copy_made_again(file: Path) -> bool:
    """Whether `file`, read from itself so far, turns out to be read from an inflated copy (read_at)."""
    path = _locate(file)
    return read_source(path) == path and whole_read_source(path) != path


def read_warcinfo(file: Path | str, *, indexed: bool = False) -> dict[str, str]:
    """Fields of the file's first record if it is a warcinfo record (as our writer and wget produce), else {}.

    An unreadable first record is a warning, unless ``indexed``: the caller is about to index the whole file (a
    replay), whose damage line for offset 0 names the file once; a second line about it said nothing more.

    Read once per file and process while the file is unchanged (same size and modification time): ``read_at`` asks
    for it with every record it reads, so `newscrawl verify` read the first record again for each item, and warned
    about a damaged one once per item instead of once per file.
    """
    return dict(_first_record(Path(file), indexed)[0])


def first_record_date(file: Path | str) -> str | None:
    """The WARC-Date of the file's first record (its warcinfo's, or for a writer that writes none, its first
    capture's): when the archived crawl began, by the archive's own content; None when unreadable."""
    return _first_record(Path(file), True)[1]


def earliest_record_date(file: Path | str) -> datetime | None:
    """The earliest WARC-Date of the file's readable records, of every type (a warcinfo further on, requests,
    metadata, captures), damaged spans skipped as the index skips them; None when no record is readable or dated.
    For a file whose first record says nothing (first_record_date): every record was written once the crawl had
    begun, so the earliest one is the nearest its content comes to the crawl's start. Read once per file and
    process while the file is unchanged; its damage is reported where the replay indexes it."""
    path = _locate(Path(file))
    stat = path.stat()
    return _earliest_record_date_of(path, (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns))


@lru_cache(maxsize=64)
def _earliest_record_date_of(path: Path, version: tuple[int, int, int, int]) -> datetime | None:
    """earliest_record_date; `version` only keys the cache (see _first_record_of)."""
    try:
        records = scan_arc(path) if is_arc(path) else scan_records(read_source(path), keep_payloads=False)
        dates = [record_warc_date(item) for item in records if isinstance(item, RawRecord)]
    except (PlainCopyRefused, OSError):
        return None
    return min((date for date in dates if date is not None), default=None)


def _first_record(file: Path, indexed: bool) -> tuple[dict[str, str], str | None]:
    """_first_record_of; a file that cannot be read (no read permission) says nothing: whoever reads its records
    next reports it (the replay's index, verify's read), and a replay of the files beside it goes on."""
    try:
        path = _locate(file)
        stat = path.stat()
        return _first_record_of(path, (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns), indexed)
    except OSError as exc:
        logger.debug("No warcinfo read from %s: %s", file, exc)
        return {}, None


@lru_cache(maxsize=1024)
def _first_record_of(path: Path, version: tuple[int, int, int, int], indexed: bool
                     ) -> tuple[dict[str, str], str | None]:
    """(its warcinfo fields or {}, its WARC-Date) of the file's first record, and the one warning when it cannot be
    read. `version` (device, inode, size, modification time) only keys the cache: another file under the same
    relative name, or the file rewritten, is read again."""
    try:
        record = read_arc_at(path, 0)[0] if is_arc(path) else read_first_record(read_source(path))
    except PlainCopyRefused:
        return {}, None  # reported once where the file's records are read (an index problem, or the replay's stop line)
    except ArchiveReadError as exc:
        logger.log(logging.DEBUG if indexed else logging.WARNING, "No readable warcinfo in %s: %s", path, exc)
        return {}, None
    date = record.warc_headers.get_header("WARC-Date") if record.warc_headers is not None else None
    return (parse_warc_fields(record.payload) if record.rec_type == "warcinfo" else {}), date


class ArchiveIndex:
    """URL → captures, positions only; ``lookup`` re-reads the chosen record by offset when it is asked for.

    When a URL was captured several times, the LAST capture in archive order (file name order, then offset; for
    our writer that is fetch order) wins in ``lookup``/``entry``, unless it is a transient error (``preferred``);
    ``captures`` returns all of them, and ``read`` re-reads any one. Matching tries the exact WARC-Target-URI
    first, then ``canonicalize_url`` without the fragment (sorted query, normalised escapes).

    The captures live in a SQLite file (indexdb.py), not in memory: an archive of millions of pages costs this
    process SQLite's page cache, and a cached index (indexcache.py) is that file, opened as it is.
    """

    def __init__(self, store: IndexStore, meta: dict[str, Any]) -> None:
        self.store = store
        self.problems: list[ArchiveProblem] = [ArchiveProblem(*row) for row in meta["problems"]]
        self.skipped: Counter[str] = Counter({str(kind): int(count) for kind, count in meta["skipped"].items()})
        """Records skipped by type ("revisit-unresolved", "metadata", …): counted, not indexed."""
        self.revisits_resolved = int(meta["revisits_resolved"])
        self.revisits_answered_later = int(meta["revisits_answered_later"])
        """Resolved revisits whose every fitting capture was made after them: the nearest later one answered."""
        self._warcinfo: dict[str, dict[str, str]] = {str(name): dict(info)
                                                     for name, info in meta["warcinfo"].items()}
        self.refreshing: set[tuple[str, int]] = {(str(file), int(offset)) for file, offset in meta["refreshing"]}
        """(file, offset) of the 200 responses whose page may redirect by meta refresh (``may_refresh``)."""
        self.unlabelled_pages: set[tuple[str, int]] = {(str(file), int(offset))
                                                      for file, offset in meta["unlabelled_pages"]}
        """(file, offset) of the 200 responses labelled as unknown bytes that are web pages (sniff.py)."""
        self.payload_digests_unmatched = int(meta["payload_digests_unmatched"])
        """Captures whose WARC-Payload-Digest matches no form of their payload while their WARC-Block-Digest proves
        them: intact, replayed; their writer digested other bytes (reader._digest_mismatch)."""
        self.file_sha256: dict[str, str] = {str(file): str(digest) for file, digest in meta["sha256"].items()}
        """Each archive file's SHA-256 (hex) by its name as listed, for the files whose digest the building process
        knew (filedigest.known: replay.warc_file_sha256 hashed them before the build); the build reads none for it."""
        self.read_from_copies: set[str] = {str(file) for file in meta["read_from_copies"]}
        """Files read from an inflated copy (wholegzip.plain_copy): compressed whole, or with members that are not
        one per record; a reader of the index (one read from the cache too) must read the same copy."""
        self._files = _OpenFiles()
        self.cached_in: Path | None = None
        """The cache file this index was read from (indexcache.py), None when built from the records: ``read``
        then checks each record's id."""
        self._scratch: weakref.finalize[Any, Any] | None = None
        """Deletes the index's file when it is a scratch file (no cache): at garbage collection or exit."""

    @classmethod
    def open(cls, path: Path) -> ArchiveIndex:
        """The index a build left in `path` (a cached one: indexcache.py)."""
        store = IndexStore(path)
        try:
            index = cls(store, store.meta())
            len(index)  # the captures are there to be read
            return index
        except (sqlite3.Error, KeyError, TypeError, ValueError, AttributeError):
            store.close()
            raise

    @classmethod
    def build(cls, path: Path | str, cache: Path | None = None) -> ArchiveIndex:
        """The index of `path`: the one ``build_ahead`` made for these unchanged files, else the one cached under
        the folder `cache` for them (indexcache.py), else ``build_now`` (then cached there)."""
        key = _built_key(Path(path))
        ahead = _BUILT_AHEAD.pop(key, None) if key is not None else None
        if ahead is not None and ahead.store.path is not None:
            ahead._files = _OpenFiles()  # never share open file positions with the process that built it
            ahead.store = IndexStore(ahead.store.path)  # nor its SQLite connection (not to be used across a fork)
            return ahead
        return cls._cached_or_built(Path(path), cache)

    @classmethod
    def _cached_or_built(cls, path: Path, cache: Path | None, parts: int = 1) -> ArchiveIndex:
        if cache is None:
            return cls.build_now(path, parts)
        try:
            files = indexcache.identity(_archive_files(path))
        except OSError:
            return cls.build_now(path, parts)  # it reports the unreadable path
        found = indexcache.load(cache, path, files) if files is not None else None
        if found is not None:
            try:
                index = cls.open(found)
                for file in index.read_from_copies:  # made again if removed since: the offsets are its
                    if plain_copy(Path(file), mixed=True) is None:
                        raise ValueError(f"no inflated copy of {file} can be made")
            except (sqlite3.Error, KeyError, TypeError, ValueError, AttributeError) as exc:
                logger.info("Archive index cache of %s unusable (%s): building the index again", shown_name(str(path)),
                            shown_in(str(exc)))
            else:
                index.cached_in = found
                logger.info("Archive index of %s (%d captures) read from its cache: the archive is unchanged",
                            shown_name(str(path)), len(index))
                return index
        if files is None:
            return cls.build_now(path, parts)
        index = cls.build_now(path, parts, indexcache.build_folder(cache))
        complete = not any(problem.kind == COPY_REFUSED for problem in index.problems)  # else a later run reads it
        placed = indexcache.store(cache, path, files, index.store) if index.store.path and complete else None
        if placed is not None:
            index.keep_file(placed)
        return index

    def keep_file(self, path: Path) -> None:
        """The index's file was moved to `path` (the cache): it is no scratch file any more."""
        self._stop_discarding()
        self.store.path = path

    def share_until_exit(self) -> None:
        """Keep a scratch file until this process exits, not until the index is dropped: the processes forked to
        read it (build_ahead) open it after their parent has let go of the index."""
        if self.store.path is not None and self._stop_discarding():
            atexit.register(_discard_scratch, self.store.path, os.getpid())

    def _stop_discarding(self) -> bool:
        """Whether the file was a scratch file, which the index no longer deletes when it is dropped."""
        if self._scratch is None:
            return False
        self._scratch.detach()
        self._scratch = None
        return True

    @classmethod
    def build_now(cls, path: Path | str, parts: int = 1, folder: Path | None = None) -> ArchiveIndex:
        """Reads every record once (bodies are digest-checked, then dropped) and keeps positions only, in a new
        SQLite file (in `folder`, else the system's temporary folder); with `parts` > 1, in that many processes at
        once (indexparts.py: the same index, sooner).

        A revisit record takes its place in archive order as an entry that points at its original capture
        (``revisits.py``), so "last capture wins" treats it like the capture it stands for."""
        try:
            return cls._built_in(_scratch_in(folder), Path(path), parts)
        except (_TempRefused, sqlite3.Error) as refused:  # not the archive's errors: those are reported as before
            logger.warning("The archive index of %s cannot be written to a temporary file (%s): built in memory "
                           "instead, which grows with the archive; free space in %s or point TMPDIR elsewhere",
                           shown_name(str(path)), refused, folder or tempfile.gettempdir())
            return cls._built_in(None, Path(path), parts)

    @classmethod
    def _built_in(cls, target: Path | None, path: Path, parts: int) -> ArchiveIndex:
        try:
            store = IndexStore(target, create=True)
        except sqlite3.Error as refused:
            raise _TempRefused(str(refused)) from refused
        try:
            meta = _build_into(store, path, parts)
            store.finish(meta)
        except BaseException:
            _discard_scratch(target, os.getpid(), store)
            raise
        index = cls(store, meta)
        index._scratch = weakref.finalize(index, _discard_scratch, target, os.getpid(), store)
        return index

    @property
    def entries(self) -> list[IndexEntry]:
        """Every capture in archive order (a list: for small archives and tests; ``in_order`` walks any size)."""
        return [entry for _, entry in self.store.in_order()]

    def in_order(self) -> Iterator[tuple[int, IndexEntry]]:
        """(position, capture) in archive order, read a batch at a time."""
        return self.store.in_order()

    def __len__(self) -> int:
        return len(self.store)

    def __contains__(self, url: object) -> bool:
        return isinstance(url, str) and bool(self.captures(url))

    def urls(self) -> list[str]:
        return list(self.store.urls())

    def iter_urls(self) -> Iterator[str]:
        """Each captured URL once, in the order of its first capture, without a list of them all."""
        return self.store.urls()

    def url_count(self) -> int:
        return self.store.url_count()

    def earliest_fetch(self) -> datetime | None:
        """When the first capture of the archive was made (its earliest WARC-Date), None without captures."""
        return self.store.earliest_fetch()

    def several_versions_count(self) -> int:
        """URLs captured in full more than once, with payloads that differ or whose digests were not recorded; each
        is answered by one capture (``preferred``)."""
        return self.store.several_versions_count()

    def at(self, file: str, offset: int) -> list[IndexEntry]:
        """The captures a record answers (its own, and those of the revisits it stands for)."""
        return self.store.at(file, offset)

    def first_url_by_key(self, key_of: Callable[[str], str], key: str) -> str | None:
        """The first captured URL whose key (by `key_of`, the same function at every call) is `key`."""
        return self.store.first_url_by_key(key_of, key)

    def placed_captures(self, url: str) -> list[tuple[int, IndexEntry]]:
        """All captures of ``url`` with their positions, in archive order: exact matches, else canonical-URL ones."""
        return _placed_captures(self.store, url)

    def captures(self, url: str) -> list[IndexEntry]:
        """All captures of ``url`` in archive order: exact matches, else canonical-URL matches."""
        return _captures(self.store, url)

    def rank(self, position: int) -> int:
        """The place of the capture at archive `position` among all captures in order (in_order() counted)."""
        return self.store.rank(position)

    def winner_position(self, url: str) -> int | None:
        """Archive position of the capture ``lookup`` would return."""
        placed = self.placed_captures(url)
        if not placed:
            return None
        winner = preferred([entry for _, entry in placed])
        return next(n for n, entry in placed if entry is winner)

    def with_status(self, statuses: Iterable[int]) -> bool:
        """Whether any capture answered with one of `statuses`."""
        return self.store.any_status(statuses)

    def entry(self, url: str) -> IndexEntry | None:
        """Position of the capture ``lookup`` would return, without reading it (``preferred``)."""
        found = self.captures(url)
        return preferred(found) if found else None

    def lookup(self, url: str) -> ArchivedExchange | None:
        """The winning capture of ``url``, re-read from disk; None if the URL is not archived."""
        entry = self.entry(url)
        return self.read(entry) if entry is not None else None

    def read(self, entry: IndexEntry, max_payload: int | None = None) -> ArchivedExchange:
        """Re-reads one capture's record from disk (raises ArchiveReadError if it was damaged since, RecordTooLarge
        when its payload is larger than ``max_payload`` bytes: then only its headers were read).

        The request record after it is not read: indexing already paired every response with its request, so
        reading it again (half the cost of a replayed response, and for an archive without request records a read
        of the next response, whatever its size) could only repeat the index's answer.
        """
        exchange = _read_exchange(Path(entry.file), entry.offset, self._warcinfo.get(entry.file),
                                  with_request=False, files=self._files,
                                  max_payload=max_payload)
        if self.cached_in is not None and exchange.record_id != entry.record_id:
            # The identity check missed a change (a same-size rewrite within one clock tick): refuse, don't guess,
            # and drop the cached index so that the next replay builds it from the records.
            indexcache.forget(self.cached_in)
            raise ArchiveReadError(ArchiveProblem(entry.file, entry.offset, "record",
                                                  f"not the record its cached index names ({entry.record_id}): the "
                                                  "file changed since the index was cached; the next replay "
                                                  "rebuilds it"))
        if entry.revisit and exchange.url != entry.url:  # the revisit's URL, answered with its original's bytes
            exchange = replace(exchange, url=entry.url)
        return exchange if exchange.request_method else replace(exchange, request_method=entry.request_method)

    def close(self) -> None:
        """Close the archive files kept open for reads (also done when the index is garbage-collected)."""
        self._files.close()


def _build_into(store: IndexStore, path: Path, parts: int) -> dict[str, Any]:
    """Read every archive file under `path` into `store` (ArchiveIndex.build_now); the facts beside the captures."""
    problems: list[ArchiveProblem] = []
    skipped: Counter[str] = Counter()
    warcinfo: dict[str, dict[str, str]] = {}
    types: dict[str, str] = {}
    refreshing: set[tuple[str, int]] = set()
    unlabelled_pages: set[tuple[str, int]] = set()
    payload_digests_unmatched = 0
    read_from_copies: set[str] = set()
    digests: dict[str, str] = {}
    position = 0

    def sink(item: IndexEntry | Revisit, payload_digest: str | None) -> None:
        nonlocal position
        if isinstance(item, IndexEntry):
            store.add(position, item, _canonical(item.url), payload_digest)
        else:
            store.add_revisit(position, item)
        position += 1

    for path_of_file, source, steps in _index_steps_by_file(path, parts):
        file_start = position
        read = _FileIndex(path_of_file, steps, types, sink)
        if read.several_records and source == path_of_file:
            source = plain_copy(path_of_file, mixed=True) or path_of_file
            if source != path_of_file:  # read again, whole, from the copy: its offsets are the ones readers use
                logger.info("%s: a compressed member further on holds several records; read again from its "
                            "inflated copy %s", shown_name(str(path_of_file)), source)
                store.discard_from(file_start)
                position = file_start
                read = _FileIndex(path_of_file, record_steps(path_of_file, source, _indexed, False), types, sink)
        if source != path_of_file:
            read_from_copies.add(str(path_of_file))
        problems += read.problems
        skipped.update(read.skipped)
        if read.warcinfo is not None:
            warcinfo[str(path_of_file)] = read.warcinfo
        refreshing |= read.refreshing
        unlabelled_pages |= read.unlabelled_pages
        payload_digests_unmatched += read.payload_digests_unmatched
        if (digest := filedigest.known(path_of_file)) is not None:  # never read for it: see filedigest.py
            digests[str(path_of_file)] = digest
    store.flush()
    revisits = store.revisit_count()
    later = _resolve(store, skipped, warcinfo) if revisits else 0
    return {"problems": [[p.file, p.offset, p.kind, p.message, p.uri] for p in problems], "skipped": dict(skipped),
            "warcinfo": warcinfo, "revisits_resolved": revisits - skipped["revisit-unresolved"],
            "revisits_answered_later": later, "refreshing": sorted([file, offset] for file, offset in refreshing),
            "unlabelled_pages": sorted([file, offset] for file, offset in unlabelled_pages),
            "payload_digests_unmatched": payload_digests_unmatched, "read_from_copies": sorted(read_from_copies),
            "sha256": digests}


def cached_file_sha256(path: Path | str, cache: Path) -> dict[str, str]:
    """Each archive file's SHA-256 (hex) by its name as listed, as the index cached for `path` under the folder
    `cache` recorded it, when that index answers for the files as they are now (indexcache.py); {} when none does.
    No archive byte is read."""
    try:
        files = indexcache.identity(_archive_files(Path(path)))
    except OSError:
        return {}
    return indexcache.file_digests(cache, Path(path), files) if files is not None else {}


def _resolve(store: IndexStore, skipped: Counter[str], warcinfo: dict[str, dict[str, str]]) -> int:
    """Each revisit, at its own position, as its original's entry under the revisit's URL, or left out and counted
    ("revisit-unresolved") when the original is not in the archive; returns how many revisits only a later capture
    could answer. Originals are looked up among the other captures only: the resolved revisits join them after."""
    store.lookups()
    digests_made = False

    def by_digest(digest: str) -> list[IndexEntry]:
        nonlocal digests_made
        if not digests_made:  # only for an archive whose revisits name an original by digest
            digests_made = True
            hashed = store.index_digests(normalised_digest, _hashed_payload(warcinfo))
            if hashed:
                logger.info("Hashed %d archived payloads that carry no WARC-Payload-Digest, to resolve revisits",
                            hashed)
        return store.by_digest(normalised_digest(digest))

    later = 0
    for position, item in store.revisits():
        original = find_original(item, lambda url: _captures(store, url), store.last_by_record_id, by_digest)
        if original is None:
            skipped["revisit-unresolved"] += 1
            logger.info("%s @ %d: revisit of %s: its original capture is not in the archive, skipped",
                        shown_name(item.file), item.offset, item.url or "(no URL)")
            continue
        if original.later:
            later += 1
            logger.info("%s @ %d: revisit of %s: no capture at or before it, answered by the later capture of %s",
                        shown_name(item.file), item.offset, item.url, original.entry.fetched_at.isoformat())
        # the revisit's own time: when the page was seen so (a `versions=all` replay dates a version by it); a
        # replay's answer keeps its original record's time, as read from it
        store.stage(position, replace(original.entry, url=item.url, revisit=True,
                                      fetched_at=item.revisited_at or original.entry.fetched_at),
                    _canonical(item.url))
    store.drop_resolution_tables()
    store.add_staged()
    return later


def _hashed_payload(warcinfo: dict[str, dict[str, str]]) -> Callable[[IndexEntry], list[str]]:
    """The payload digests of a capture that declares none, from its record read again (none if unreadable)."""
    files = _OpenFiles()

    def hashed(entry: IndexEntry) -> list[str]:
        try:
            exchange = _read_exchange(Path(entry.file), entry.offset, warcinfo.get(entry.file), with_request=False,
                                      files=files)
        except ArchiveReadError:
            return []
        return list(payload_digests(exchange.body))
    return hashed


def _placed_captures(store: IndexStore, url: str) -> list[tuple[int, IndexEntry]]:
    """How every lookup of a URL matches (ArchiveIndex.placed_captures; revisit resolution during the build)."""
    return store.by_url(url) or store.by_canon(_canonical(url))


def _captures(store: IndexStore, url: str) -> list[IndexEntry]:
    return [entry for _, entry in _placed_captures(store, url)]


class _TempRefused(OSError):
    """The temporary folder refused an index file (full, read-only, missing)."""


def _scratch_in(folder: Path | None) -> Path:
    """A new index file in `folder` (the cache's), else in the system's temporary folder."""
    try:
        return scratch_file(folder)
    except OSError:
        try:
            return scratch_file()  # the cache folder refused it: the index still works, uncached
        except OSError as refused:
            raise _TempRefused(str(refused)) from refused


def _discard_scratch(path: Path | None, owner: int, store: IndexStore | None = None) -> None:
    """Delete an index's scratch file, in the process that made it only (not in one forked from it)."""
    if os.getpid() != owner:
        return
    if store is not None:
        store.close()
    if path is not None:
        with contextlib.suppress(OSError):
            path.unlink()


_BuiltKey = tuple[str, tuple[tuple[Any, ...], ...]]
_BUILT_AHEAD: dict[_BuiltKey, ArchiveIndex] = {}


def build_ahead(path: Path | str, cache: Path | None = None, parts: int = 1) -> None:
    """Builds the index of `path` now and keeps it for the next ``ArchiveIndex.build`` of the same, unchanged files
    in this process or in processes forked from it: the processes of a parallel replay share one build instead of
    each reading the whole archive (they open its SQLite file), and build it in `parts` processes at once.
    Kept until taken or ``drop_built_ahead``; an uncached index's file is kept until this process exits."""
    key = _built_key(Path(path))
    if key is not None:
        index = _BUILT_AHEAD[key] = ArchiveIndex._cached_or_built(Path(path), cache, parts)
        index.share_until_exit()


def drop_built_ahead() -> None:
    """Forget indexes built ahead and not taken (the parent of a parallel replay, once it has forked)."""
    _BUILT_AHEAD.clear()


def _built_key(path: Path) -> _BuiltKey | None:
    """The archive's files and their identity (indexcache.file_identity): a file written since is not answered
    from an index built before it. None when the path cannot be listed (build_now reports that)."""
    try:
        return str(path.resolve()), tuple(tuple(row) for row in indexcache.file_identity(_archive_files(path)))
    except OSError:
        return None


class _FileIndex:
    """What an index build keeps of one file's records (ArchiveIndex.build_now): each capture or revisit handed to
    `sink` as it is read (with its declared payload digest), the rest kept apart per file, so a file that has to be
    read again from its inflated copy (plain_copy's `mixed`) replaces what its first reading found."""

    def __init__(self, path: Path, steps: Iterable[Step[_Indexed]], types: dict[str, str],
                 sink: Callable[[IndexEntry | Revisit, str | None], None]) -> None:
        file = str(path)  # one shared string per file, not one per entry
        self.problems: list[ArchiveProblem] = []
        self.skipped: Counter[str] = Counter()
        self.warcinfo: dict[str, str] | None = None
        self.refreshing: set[tuple[str, int]] = set()
        self.unlabelled_pages: set[tuple[str, int]] = set()
        self.payload_digests_unmatched = 0
        self.several_records = False
        """A compressed member holding several records was met (the file's first member held one)."""
        steps = iter(steps)
        first = next(steps, None)  # none: an empty file (a failed download or crawl), which would pass unseen
        for item in paired(path, steps if first is None else chain([first], steps), self.skipped):
            if isinstance(item, ArchiveProblem):
                self.problems.append(item)
                self.several_records = self.several_records or item.several_records
                continue
            if isinstance(item, Revisit):
                sink(item, None)
                continue
            response, method, info = item
            if self.warcinfo is None:
                self.warcinfo = info
            content_type = response.content_type
            if content_type is not None:  # one string per distinct type, not one per entry
                content_type = types.setdefault(content_type, content_type)
            entry = IndexEntry(response.url, file, response.offset, response.record_id, response.fetched_at,
                               response.status, sys.intern(method) if method else None, response.digest_ok,
                               content_type)
            sink(entry, response.payload_digest)
            if response.refreshes:
                self.refreshing.add((file, response.offset))
            if response.unlabelled_page:
                self.unlabelled_pages.add((file, response.offset))
            if response.payload_digest_unmatched:
                self.payload_digests_unmatched += 1
        if first is None:
            self.problems.append(ArchiveProblem(file, 0, "empty", "no WARC record at all: an empty file (a download "
                                                                  "or a crawl that failed?)"))


class _OpenFiles:
    """The last few WARC files read, kept open: a replay re-reads one record per request, and opening, resolving
    (whole-file gzip check), sniffing the framing and stat-ing the file each time cost as much as parsing the
    record's headers. Least recently used files are closed first; ARC files are read the plain way."""

    def __init__(self, limit: int = _OPEN_FILES) -> None:
        self.limit = limit
        self._open: OrderedDict[str, tuple[Path, OpenWarc]] = OrderedDict()

    def get(self, file: Path) -> tuple[Path, OpenWarc] | None:
        """(the file's path as found, its open reader), or None for an ARC file."""
        name = str(file)
        found = self._open.get(name)
        if found is not None:
            self._open.move_to_end(name)
            return found
        path = _locate(file)
        if is_arc(path):
            return None
        source = read_source(path)
        fh = source.open("rb")
        try:
            opened = open_warc(fh, source, str(path))
        except ArchiveReadError:
            fh.close()
            raise
        found = self._open[name] = (path, opened)
        while len(self._open) > self.limit:
            self._open.popitem(last=False)[1][1].fh.close()
        return found

    def close(self) -> None:
        while self._open:
            self._open.popitem()[1][1].fh.close()

    def __del__(self) -> None:
        self.close()


def _iter_exchanges(path: Path, skipped: Counter[str]) -> Iterator[ArchivedExchange | ArchiveProblem | Revisit]:
    for file in _archive_files(path):
        steps = record_steps(file, whole_read_source(file), _as_read, keep_payloads=True)
        for item in paired(file, steps, skipped):
            if isinstance(item, tuple):
                exchange, method, _ = item
                yield replace(exchange, request_method=method) if method is not None else exchange
            else:
                yield item


def _index_steps_by_file(path: Path, parts: int = 1) -> Iterator[tuple[Path, Path, Iterator[Step[_Indexed]]]]:
    """Each archive file under `path`, what its records are read from (read_source) and their steps as an index
    build reads them (exchanges.record_steps, payloads not kept), in archive order; with `parts` > 1, read by that
    many processes at once (indexparts.py)."""
    files, sources = [], []
    refused: list[PlainCopyRefused] = []
    for file in _archive_files(path):
        try:
            sources.append(read_source(file))
        except PlainCopyRefused as refusal:
            refused.append(refusal)
            # no record of it can be read without its copy: one problem, and the other files are read
            yield file, file, iter([ArchiveProblem(str(file), 0, COPY_REFUSED, str(refusal))])
            continue
        files.append(file)
    if refused and not files:
        raise refused[0]  # nothing at all can be replayed: the replay stops on it in one line
    if parts < 2:
        for file, source in zip(files, sources):
            yield file, source, record_steps(file, source, _indexed, False)
        return

    def read_span(span: indexparts.Span) -> Iterator[SpanStep[_Indexed]]:
        return span_steps(files[span.file], sources[span.file], _indexed, False, span.start, span.end)

    spans: Iterator[tuple[int, Iterator[Step[_Indexed]]]] = indexparts.read_in_parts(
        indexparts.parts(files, sources, parts), read_span)
    for number, group in groupby(spans, key=itemgetter(0)):
        yield files[number], sources[number], chain.from_iterable(steps for _, steps in group)


def _as_read(exchange: ArchivedExchange) -> ArchivedExchange:
    return exchange


class _Indexed(NamedTuple):
    """What an index build keeps of a response (the `read` of exchanges.record_steps): no body, and picklable for
    the processes of a split build."""

    url: str
    offset: int
    record_id: str
    fetched_at: datetime
    status: int
    digest_ok: bool
    content_type: str | None
    payload_digest: str | None
    refreshes: bool
    """A page (PAGE_STATUSES) that may redirect by meta refresh (may_refresh)."""
    unlabelled_page: bool
    """A page (PAGE_STATUSES) labelled as unknown bytes or as plain text that sniffs as HTML (archive/sniff.py)."""
    payload_digest_unmatched: bool
    """Its payload digest matches no form of the payload; its block digest proves it (ArchivedExchange)."""


def _indexed(exchange: ArchivedExchange) -> _Indexed:
    content_type = exchange.content_type()
    ok = exchange.status in PAGE_STATUSES
    return _Indexed(exchange.url, exchange.offset, exchange.record_id, exchange.fetched_at, exchange.status,
                    exchange.digest_ok, content_type, exchange.payload_digest, ok and may_refresh(exchange),
                    ok and sniff.may_hide_a_page(content_type)
                    and sniff.sniffs_as_html(decoded_head(exchange, sniff.SNIFF_BYTES)),
                    exchange.payload_digest_unmatched)


def files_under(folder: Path | str, unlisted: list[ArchiveProblem] | None = None) -> Iterator[str]:
    """Every file name under `folder` (links to files included), as strings; symlinked folders are not entered, and
    macOS's AppleDouble companions (``._NAME``, sniff.is_apple_double) are not files of the folder's own. Each
    folder under it that cannot be listed (no read permission) is appended to `unlisted` as an ``io`` problem
    (unlisted_folder): its files are lost to the reader, which must say so, not skip them without a word.

    Strings, not Paths: pathlib interns every name it parses and the interpreter's table of interned names never
    shrinks, so walking a folder of 10,000 saved pages (and as many sidecars) with rglob grew every later replay."""
    def refused(error: OSError) -> None:
        if unlisted is not None:
            unlisted.append(unlisted_folder(str(error.filename or folder), error))

    for dirpath, _, filenames in os.walk(folder, onerror=refused, followlinks=False):
        for name in filenames:
            path = os.path.join(dirpath, name)
            if not sniff.is_apple_double(path):
                yield path


def unlisted_folder(folder: str, error: OSError) -> ArchiveProblem:
    """The one line for a folder of the input whose files cannot be listed, as for a file that cannot be read."""
    return ArchiveProblem(folder, 0, "io", f"cannot read folder (its files are not replayed): {error}")


def unlisted_folders(folder: Path) -> list[ArchiveProblem]:
    """An ``io`` problem for each folder under `folder` whose files cannot be listed (files_under)."""
    unlisted: list[ArchiveProblem] = []
    if folder.is_dir():
        for _ in files_under(folder, unlisted):
            pass
    return unlisted


def is_warc_file(name: str) -> bool:
    """Whether a file of a folder is read as a WARC (or ARC) file: by its name (WARC_FILE_SUFFIXES), unless its bytes
    are an HTML page saved under such a name (``curl -o page.warc.gz URL``): that one is no archive but a page named
    otherwise (savednames.named_otherwise), told, not read as a damaged WARC."""
    return name.lower().endswith(WARC_FILE_SUFFIXES) and not named_otherwise(name)


def _archive_files(path: Path) -> list[Path]:
    if not path.is_dir():
        if not path.exists():
            raise FileNotFoundError(f"No WARC file or folder at {path}")
        return [path]
    found = [Path(file) for file in files_under(path) if is_warc_file(file)]
    return sorted(found, key=lambda p: _order_key(p.relative_to(path)))


def _order_key(relative: Path) -> tuple[str, str, str]:
    """Name order, but on the name without ".warc[.gz][.open]": plain sorting puts the writer's first file
    ``crawl.warc.gz`` after ``crawl-00001.warc.gz`` ("-" sorts before "."), which would break "last one wins"."""
    name = relative.name
    stem = name[: name.lower().index(".arc" if is_arc(relative) else ".warc")]
    return relative.parent.as_posix(), stem, name


def _read_exchange(file: Path, offset: int, warcinfo: dict[str, str] | None, with_request: bool = True,
                   files: _OpenFiles | None = None, max_payload: int | None = None) -> ArchivedExchange:
    opened = files.get(file) if files is not None else None
    path, reader = opened if opened is not None else (_locate(file), None)
    record, following = _read_record(path, offset, reader, max_payload)
    if not is_replayable_response(record):
        raise ArchiveReadError(ArchiveProblem(str(file), offset, "record",
                                              f"a {record.rec_type} record, not an HTTP response"))
    exchange = to_exchange(record, str(file), read_warcinfo(path) if warcinfo is None else warcinfo)
    if isinstance(exchange, ArchiveProblem):
        raise ArchiveReadError(exchange)
    if following is not None and with_request:
        try:
            after, _ = _read_record(path, following, reader, _REQUEST_BODY_LIMIT)
        except (ArchiveReadError, RecordTooLarge, OSError):  # OSError: a read the disk failed past the response
            return exchange  # the request record is a nicety; the response itself is intact
        method = request_method(after)
        if method and exchange.record_id in after.header_values("WARC-Concurrent-To"):
            exchange = replace(exchange, request_method=method)
    return exchange


def _read_record(path: Path, offset: int, reader: OpenWarc | None = None,
                 max_payload: int | None = None) -> tuple[RawRecord, int | None]:
    if reader is not None:
        return read_record_at(path, offset, reader, max_payload)
    if is_arc(path):
        return read_arc_at(path, offset)  # ARC files (legacy, small records) are read whole
    return read_record_at(read_source(path), offset, max_payload=max_payload, name=str(path))


def _locate(file: Path) -> Path:
    """The file, or its ``.open``/final twin: refs name the final file, which exists only after rotation."""
    twin = file.with_name(file.name[:-len(".open")] if file.name.endswith(".open") else file.name + ".open")
    return twin if not file.exists() and twin.exists() else file


_SEGMENT = r"[A-Za-z0-9_~!$&'()*+,=:@-][A-Za-z0-9_~!$&'()*+,=:@.-]*"
_ALREADY_CANONICAL = re.compile(
    r"https?://[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::[1-9][0-9]{0,4})?"
    rf"(?:(?:/{_SEGMENT})+/?|/)")
"""URLs canonicalize_url returns unchanged: a lower-case ASCII host, and a path of safe characters with no escapes,
no parameters, no query, no fragment and no segment starting with a dot (tests/test_archive_warc.py holds this to
w3lib on generated URLs). Most archived URLs are so, and telling it costs a tenth of canonicalising them."""


TRANSIENT_STATUSES = frozenset({408, 425, 429, *range(500, 600)})
"""Answers that say "not now" (timeout, too early, too many requests, server errors), not what the page is."""


def preferred(captures: list[IndexEntry]) -> IndexEntry:
    """The capture that answers for a URL: the last one, except that a transient error (TRANSIENT_STATUSES: a
    crawler rate-limited on a later visit) never hides an earlier capture that said what the page is; when every
    capture is such an error, the last. A later 404 or redirect still wins: the page changed."""
    return next((entry for entry in reversed(captures) if entry.status not in TRANSIENT_STATUSES), captures[-1])


_ENDS_IN_NUMBER = re.compile(r"https?://(?:[^/:]*\.)?(?:[0-9]+|0x[0-9a-f]*)(?::[0-9]*)?(?:/|$)")
"""A host whose last label is a number (an IPv4 address, or "0"): the WHATWG URL parser reads it as an address
and w3lib from 2.6 writes it out whole ("http://0/" → "http://0.0.0.0/"), so only canonicalize_url can say."""


def _canonical(url: str) -> str:
    if _ALREADY_CANONICAL.fullmatch(url) and not _ENDS_IN_NUMBER.match(url):
        return url
    try:
        return canonicalize_url(url, keep_fragments=False)
    except ValueError:  # a port out of range, say: the URL stays as it is
        return url
