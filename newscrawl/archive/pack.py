"""`newscrawl pack`: a crawl's WARCs as one WACZ file, for sharing with web-archive tools (ReplayWeb.page, pywb).

WACZ (https://specs.webrecorder.net/wacz/1.1.1/) is a ZIP holding the WARCs, a CDXJ index, a page list and a
datapackage.json with every file's hash. py-wacz, Webrecorder's reference implementation, writes and validates
it; it is an optional extra (`pip install 'newscrawl[pack]'`, it pulls in frictionless and pydantic) and is run as
`python -m wacz` so that a crawl machine without it loses nothing but this command.

The page list comes from the feeds beside the WARCs: every item whose provenance.archive.file names a packed WARC
becomes a page (its archived URL, fetch time and headline), so a viewer opens the articles, not the sitemaps. With
no such feed, py-wacz detects HTML pages itself.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import logging
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

WARC_SUFFIXES = (".warc.gz", ".warc")
PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "Articles"}


class PackError(Exception):
    """A usage problem (nothing to pack, py-wacz missing) or a WACZ that py-wacz could not write or validate."""

    def __init__(self, message: str, *, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


@dataclass
class PackResult:
    output: Path
    warcs: list[Path]
    pages: int
    """Articles listed as pages (0: py-wacz detected pages itself)."""
    skipped_lines: list[str] = field(default_factory=list)
    """Feed lines that could not be read ("file:line"), left out of the page list."""
    left_out: list[str] = field(default_factory=list)
    """WARC files left out as damaged ("FILE: why"): a WACZ holding them would not validate."""


def find_warcs(sources: Iterable[Path], run: str | None = None) -> list[Path]:
    """WARC files named or found (recursively) in folders, optionally only those of one run (name prefix)."""
    found: list[Path] = []
    for source in sources:
        candidates = sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() else [source]
        found += [p for p in candidates if p.name.endswith(WARC_SUFFIXES) and (run is None or p.name.startswith(run))]
    return sorted(dict.fromkeys(found))


def _feed_lines(folders: Iterable[Path]) -> Iterator[tuple[str, str]]:
    for folder in folders:
        for feed in sorted(folder.glob("*.jsonl")):
            with open(feed, encoding="utf-8", errors="replace") as lines:
                for number, line in enumerate(lines, 1):
                    if line.strip():
                        yield f"{feed}:{number}", line


def article_pages(warcs: list[Path]) -> tuple[list[dict[str, Any]], list[str]]:
    """Pages for the items of the feeds beside `warcs` whose archive record is in one of them; unreadable lines."""
    names = {warc.name for warc in warcs}
    pages: dict[str, dict[str, Any]] = {}
    skipped: list[str] = []
    for where, line in _feed_lines(dict.fromkeys(warc.parent for warc in warcs)):
        try:
            item = json.loads(line)
            provenance = item.get("provenance") or {}
            archive = provenance.get("archive") or {}
        except (ValueError, AttributeError):
            skipped.append(where)
            continue
        url = provenance.get("response_url")
        if archive.get("file") in names and isinstance(url, str) and url not in pages:
            pages[url] = {"url": url, "title": item.get("title"), **_ts(provenance.get("fetched_at"))}
    return list(pages.values()), skipped


def _ts(fetched_at: Any) -> dict[str, str]:
    """py-wacz matches a page to its record by the WARC-Date, to the second, written as "…T09:50:46Z"."""
    try:
        when = datetime.fromisoformat(str(fetched_at)).astimezone(timezone.utc)
    except ValueError:
        return {}
    return {"ts": when.strftime("%Y-%m-%dT%H:%M:%SZ")}


def _wacz(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wacz", *args], capture_output=True, text=True, check=False)


def _last_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = (done.stderr.strip() or done.stdout.strip()).splitlines()
    return lines[-1] if lines else f"exit status {done.returncode}"


def pack(sources: list[Path], output: Path, run: str | None = None, title: str | None = None) -> PackResult:
    """Write `output` (.wacz) from the WARCs in `sources`, then validate it with py-wacz; PackError on failure."""
    if importlib.util.find_spec("wacz") is None:
        raise PackError("py-wacz is not installed: pip install 'newscrawl[pack]'", usage=True)
    missing = [str(source) for source in sources if not source.exists()]
    if missing:
        raise PackError(f"no such file or folder: {', '.join(missing)}", usage=True)
    warcs = find_warcs(sources, run)
    if not warcs:
        raise PackError(f"no WARC files{f' of run {run}' if run else ''} in {', '.join(map(str, sources))}", usage=True)
    damage = {warc: why for warc in warcs if (why := _damaged(warc)) is not None}
    left_out = [f"{warc}: {why}" for warc, why in damage.items()]
    warcs = [warc for warc in warcs if warc not in damage]
    if not warcs:
        raise PackError(f"every WARC file is damaged, nothing packed: {'; '.join(left_out)}")
    pages, skipped = article_pages(warcs)
    output.parent.mkdir(parents=True, exist_ok=True)
    # written under another name and renamed once valid: a failed pack leaves no invalid .wacz behind
    partial = output.with_name(f".{output.stem}.partial{output.suffix or '.wacz'}")
    try:
        _create_valid(partial, output, warcs, pages, title or output.stem)
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
    logger.info("Packed %d WARC file(s) and %d page(s) into %s", len(warcs), len(pages), output)
    return PackResult(output, warcs, len(pages), skipped, left_out)


def _create_valid(output: Path, named: Path, warcs: list[Path], pages: list[dict[str, Any]], title: str) -> None:
    """py-wacz's create of `output`, then its validate; PackError (naming the WACZ asked for) on either failing."""
    with tempfile.TemporaryDirectory() as scratch:
        options = ["-d"]
        if pages:
            pages_file = Path(scratch) / "pages.jsonl"
            pages_file.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in [PAGES_HEADER, *pages]),
                                  encoding="utf-8")
            options = ["-p", str(pages_file)]
        created = _wacz("create", "-o", str(output), *options, "--title", title, *map(str, warcs))
    if created.returncode != 0 or not output.exists():
        raise PackError(f"py-wacz could not write {named}: {_last_line(created)}")
    validated = _wacz("validate", "-f", str(output))
    if validated.returncode != 0:
        raise PackError(f"{named} does not validate: {_last_line(validated)}")


def _damaged(warc: Path) -> str | None:
    """Why a gzip WARC would make its WACZ invalid, None if it inflates to its end. Validation (frictionless, under
    py-wacz) inflates every .gz file whole, so a file cut short or with a corrupt member failed the whole pack
    with an error naming no file ("EOFError: Compressed file ended before the end-of-stream marker")."""
    if not warc.name.endswith(".gz"):
        return None
    try:
        with gzip.open(warc, "rb") as inflated:
            while inflated.read(_BLOCK):
                pass
    except (OSError, EOFError, zlib.error) as error:  # gzip.BadGzipFile is an OSError
        return f"{type(error).__name__}: {error}"
    return None


_BLOCK = 1024 * 1024
