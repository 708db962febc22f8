"""`newscrawl verify`: prove each item came from the archived bytes it names.

For every item: re-read the WARC response record at provenance.archive (file, offset), check its record id and
target URI, decode its payload as the crawler did (de-chunk, Content-Encoding) and compare the SHA-256 with
provenance.body_sha256. An item replayed from a saved page names the page's path in the replayed folder and
"urn:sha256:<digest>" as its record: the page is re-read (decompressed if .gz, its page taken from a browser's
single-file archive) and both digests compared. A live blog's update pages (provenance.live_update_pages) are
checked the same way, each against its own record and digest."""

from __future__ import annotations

import contextlib
import errno
import gzip
import hashlib
import io
import json
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote_to_bytes

from newscrawl.archive.budget import UnpackLimits
from newscrawl.archive.replay import warc_file_sha256
from newscrawl.archive.savedhtml import page_bytes
from newscrawl.archive.sniff import GZIP_MAGIC
from newscrawl.archive.shown import shown_in, shown_name
from newscrawl.archive.unpack import replay_root
from newscrawl.archive.warc import ArchiveIndex, read_at
from newscrawl.files import check_readable
from newscrawl.meta import cache_root


@dataclass
class VerifyReport:
    checked: int = 0
    passed: int = 0
    problems: list[str] = field(default_factory=list)
    passes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.checked > 0

    def lines(self, verbose: bool = True) -> list[str]:
        out = (self.passes if verbose else []) + [f"FAIL {problem}" for problem in self.problems]
        if self.checked == 0:
            out.append("no items with an archive reference to verify")
        out.append(f"{self.checked} items checked: {self.passed} verified, {len(self.problems)} problems")
        return out


def _looked_in(recorded: str, feed: Path) -> list[str]:
    """Where verify looks for an item's WARC without --archive (_resolve), as a message names the places."""
    name = Path(recorded).name
    return list(dict.fromkeys([str(feed.parent / name), recorded, str(Path("output") / "*" / name)]))


def _resolve(recorded: str, feed: Path, archive: str | None) -> Path:
    """The WARC file an item names: under --archive if given, else beside the feed, under output/, or as a path."""
    name = Path(recorded).name
    if archive is not None:
        root = Path(archive)
        if root.is_file():
            return root if root.name == name else root.parent / name
        if name != recorded and (held := (root / recorded).resolve()).is_relative_to(root.resolve()) and held.is_file():
            return held  # a path in the folder replayed: its name is another WARC's too (archive_name)
        return next(iter(sorted(root.rglob(name)) or [p.with_name(name) for p in sorted(root.rglob(name + ".open"))]),
                    root / name)
    candidates = [feed.parent / name, Path(recorded), *sorted(Path("output").glob(f"*/{name}"))]
    # a run still going, or killed and not yet reconciled, has its file under "<name>.open" (read_at finds it)
    return next((c for c in candidates if c.exists() or c.with_name(c.name + ".open").exists()), candidates[0])


class NotAFeed(ValueError):
    """The file given as the feed is not JSON Lines (nor a JSON array of items): binary, or its first line no JSON."""


class NoArchive(ValueError):
    """Without --archive, no WARC the feed names was found where verify looks (_looked_in): a feed copied away
    from its archive, not items that fail; one line saying where it looked, instead of a FAIL for every item."""


@dataclass
class _Search:
    """Without --archive: whether any item's WARC was found, and where each file that was not was looked for."""

    found: bool = False
    missed: dict[str, list[str]] = field(default_factory=dict)


def archive_root(archive: str | None, limits: UnpackLimits) -> str | None:
    """The folder or file verify reads for --archive: a WACZ (or a folder holding some) is where its WARCs were put,
    once, and a ZIP or tar file where its files were. Raises FileNotFoundError for a path that does not exist (else every item failed on it, one line each, as
    if the archive were bad), OSError for one that cannot be read, and findings.UnreadableBundle. Idempotent: a root it returned is returned as it is.
    `limits`: what an archive may unpack to (the NEWSCRAWL_UNPACK_* settings: budget.py)."""
    if archive is None:
        return None
    if not os.path.exists(archive):
        raise FileNotFoundError(errno.ENOENT, "no such file or folder (--archive)", archive)
    check_readable(archive)  # else every item failed on it, one line each (a file or folder in it: each item's)
    return str(replay_root(Path(archive), limits))


def verify_feed(feed: str, archive: str | None = None, limits: UnpackLimits | None = None) -> VerifyReport:
    """Raises OSError for a feed or --archive path that cannot be read, NotAFeed, findings.UnreadableBundle, and
    NoArchive when, without --archive, not one WARC the feed names is found. `limits`: as for archive_root (the
    defaults when not given)."""
    report = VerifyReport()
    archive = archive_root(archive, limits or UnpackLimits())
    revisits = _Revisits(archive)
    search = _Search()
    for where, item in _items(Path(feed)):
        report.checked += 1
        if isinstance(item, _Unreadable):
            report.problems.append(f"{where}: {item.why}")
            continue
        if not isinstance(item, dict):
            report.problems.append(f"{where}: not a JSON object but a {type(item).__name__}: {repr(item)[:60]}")
            continue
        problem = _check_item(item, Path(feed), archive, revisits, search)
        name = f"{where} {item.get('url', '?')}"
        if problem:
            report.problems.append(f"{name}: {problem}")
        else:
            report.passed += 1
            report.passes.append(f"ok   {name}")
    if archive is None and search.missed and not search.found:
        (_, places), *others = search.missed.items()
        more = f" (and {len(others)} more files the feed names)" if others else ""
        raise NoArchive(f"no archive found for {feed}: looked for {', '.join(places)}{more}; name it with "
                        "--archive PATH")
    return report


@dataclass(frozen=True)
class _Unreadable:
    why: str


_JSON_LINES_ONLY = ("verify reads the JSON Lines feed a crawl writes (output/SPIDER/*.jsonl, or -O items.jsonl; "
                    ".jsonl.gz too)")


def _items(feed: Path) -> Iterator[tuple[str, object]]:
    """(where, the item or _Unreadable) for each non-blank line of a JSON Lines feed (gzip-compressed or not), or
    each element of a JSON array feed (`-O items.json`). The first line decides whether the file is a feed at all:
    a WARC, a Parquet file or any other binary is refused (NotAFeed), where a bad line further on costs only itself."""
    with feed.open("rb") as head:
        compressed = head.read(len(GZIP_MAGIC)) == GZIP_MAGIC
    with _open_feed(feed, compressed) as lines:
        judged = False
        number = 0
        try:
            for number, raw in enumerate(lines, 1):
                if not raw.strip():
                    continue
                try:
                    item = json.loads(raw.decode("utf-8"))
                except ValueError as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
                    if judged:
                        yield f"line {number}", _Unreadable(f"not a line of UTF-8 JSON ({error})")
                        continue
                    if raw.strip() == b"[":  # Scrapy's JSON feed: "[", an item a line, "]"
                        yield from _array_items(feed, compressed)
                        return
                    raise NotAFeed(f"{feed} is not a JSON Lines feed (line {number}: {error}); "
                                   f"{_JSON_LINES_ONLY}") from None
                judged = True
                yield f"line {number}", item
        except (OSError, EOFError, zlib.error) as error:  # a .jsonl.gz damaged or cut short
            if not judged:
                raise NotAFeed(f"{feed} is not a JSON Lines feed ({error}); {_JSON_LINES_ONLY}") from None
            yield f"line {number + 1}", _Unreadable(f"the feed cannot be read from here on ({error})")


def _open_feed(feed: Path, compressed: bool) -> io.BufferedIOBase:
    return gzip.open(feed, "rb") if compressed else feed.open("rb")


def _array_items(feed: Path, compressed: bool) -> Iterator[tuple[str, object]]:
    """The elements of a feed written as one JSON array (Scrapy's `-O items.json`): read whole, as it must be."""
    try:
        with _open_feed(feed, compressed) as whole:
            items = json.loads(whole.read().decode("utf-8"))
    except (ValueError, EOFError, zlib.error) as error:
        raise NotAFeed(f"{feed} is not a JSON array of items ({error}); {_JSON_LINES_ONLY}") from None
    if not isinstance(items, list):
        raise NotAFeed(f"{feed} is not a JSON array of items; {_JSON_LINES_ONLY}")
    for number, item in enumerate(items, 1):
        yield f"item {number}", item


class _Revisits:
    """Whether the archive holds a revisit of a URL answered by a given record: a replay answers a revisit with its
    original capture, so the item names the original record, whose URI is another URL (a tracking parameter, the
    same page at a later address). The archive's index (built once, cached like a replay's) is what proves it.

    Its files' digests are asked first, as a replay asks them (replay.warc_file_sha256), so that an index this builds
    and caches keeps them as a replay's does, and the next replay names its input without reading the files again.
    """

    def __init__(self, archive: str | None) -> None:
        self.archive = archive
        self._indexes: dict[Path, ArchiveIndex] = {}

    def answered_by(self, url: object, path: Path, offset: int) -> bool:
        # the folder the item's file was replayed from: --archive, else the file's own folder
        root = Path(self.archive) if self.archive is not None else path.parent
        if root not in self._indexes:
            cache = cache_root()
            with contextlib.suppress(OSError):  # a file that cannot be read: the index's build says which
                warc_file_sha256(root, cache)
            self._indexes[root] = ArchiveIndex.build(root, cache)
        index = self._indexes[root]
        return any(entry.revisit and entry.url == url for entry in index.at(str(path), offset))


def _check_item(item: dict[str, object], feed: Path, archive: str | None, revisits: _Revisits,
                search: _Search) -> str | None:
    provenance = item.get("provenance")
    if not isinstance(provenance, dict):
        return "no provenance"
    ref = provenance.get("archive")
    if not isinstance(ref, dict) or not {"file", "offset", "record_id"} <= ref.keys():
        return "no provenance.archive reference (was capture off?)"
    problem = _check_response(ref, provenance.get("response_url"), provenance.get("body_sha256"), feed, archive,
                              revisits, search)
    if problem is not None:
        return problem
    pages = provenance.get("live_update_pages") or []
    for number, page in enumerate(pages if isinstance(pages, list) else [pages], start=1):
        page_ref = page.get("archive") if isinstance(page, dict) else None
        if not isinstance(page, dict) or not isinstance(page_ref, dict) or not {
                "file", "offset", "record_id"} <= page_ref.keys():
            return f"live update page {number}: no archive reference (was capture off?)"
        problem = _check_response(page_ref, page.get("url"), page.get("body_sha256"), feed, archive, revisits, search,
                                  url_name="its url")
        if problem is not None:
            return f"live update page {number} ({page.get('url')}): {problem}"
    return None


def _check_response(ref: dict[str, object], url: object, body_sha256: object, feed: Path, archive: str | None,
                    revisits: _Revisits, search: _Search, url_name: str = "provenance.response_url") -> str | None:
    """Whether the record (or saved page) `ref` names holds the response of `url` whose decoded body has the digest
    `body_sha256`: None when it does, else what differs."""
    if str(ref["record_id"]).startswith(SAVED_PAGE_ID):
        return _check_saved_page(str(ref["file"]), str(ref["record_id"]), body_sha256, feed, archive)
    try:
        offset = int(str(ref["offset"]))
    except ValueError:
        return f"provenance.archive.offset {ref['offset']!r} is not a number"
    path = _resolve(str(ref["file"]), feed, archive)
    shown = shown_name(str(path))  # a WARC extracted from a WACZ: named X.wacz/archive/…, not the cache path
    if not path.exists() and not path.with_name(path.name + ".open").exists():
        search.missed.setdefault(path.name, _looked_in(str(ref["file"]), feed))
        return f"archive file {shown} is missing"
    search.found = True
    try:
        exchange = read_at(path, offset, str(ref["record_id"]))
    except Exception as error:  # any damage at that offset is a verification failure, reported, not raised
        return f"cannot read a response record at {shown}:{ref['offset']}: {shown_in(str(error))}"
    if exchange.record_id != ref["record_id"]:
        return f"record at {shown}:{ref['offset']} is {exchange.record_id}, item names {ref['record_id']}"
    if exchange.url != url and not revisits.answered_by(url, path, offset):
        return f"record URI {exchange.url} differs from {url_name} {url}"
    try:
        digest = hashlib.sha256(exchange.decoded_body()).hexdigest()
    except Exception as error:  # a damaged payload that no longer decodes is a mismatch, not a crash
        return f"archived body at {shown}:{ref['offset']} no longer decodes: {shown_in(str(error))}"
    if digest != body_sha256:
        return f"body digest mismatch at {shown}:{ref['offset']}: archive has {digest}, item says {body_sha256}"
    return None


SAVED_PAGE_ID = "urn:sha256:"


def _check_saved_page(relative: str, record_id: str, body_sha256: object, feed: Path,
                      archive: str | None) -> str | None:
    """A saved page: its path relative to the replayed folder (--archive), its bytes' digest as record id."""
    # --archive names the replayed folder, or the one page that was replayed by itself (its folder then)
    roots = [Path(archive).parent if Path(archive).is_file() else Path(archive)] if archive is not None else [
        feed.parent, Path(".")]
    names = [relative, os.fsdecode(unquote_to_bytes(relative))]  # a non-UTF-8 name is stored percent-encoded
    path = roots[0] / relative
    try:  # a folder that may not be searched fails is_file too: that item's one line
        path = next((root / name for name in names for root in roots if (root / name).is_file()), path)
        if not path.is_file():
            return f"saved page {path} is missing (give the replayed folder with --archive)"
        body = page_bytes(path.name, path.read_bytes())
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile, ValueError) as error:
        return f"cannot read saved page {path}: {error}"
    digest = hashlib.sha256(body).hexdigest()
    if f"{SAVED_PAGE_ID}{digest}" != record_id or digest != body_sha256:
        return f"saved page {path} changed: its digest is {digest}, the item names {record_id[len(SAVED_PAGE_ID):]}"
    return None
