"""`newscrawl verify`: prove each item came from the archived bytes it names.

For every item: re-read the WARC response record at provenance.archive (file, offset), check its record id and
target URI, decode its payload as the crawler did (de-chunk, Content-Encoding) and compare the SHA-256 with
provenance.body_sha256. An item replayed from a saved page names the page's path in the replayed folder and
"urn:sha256:<digest>" as its record: the page is re-read (decompressed if .gz, its page taken from a browser's
single-file archive) and both digests compared.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote_to_bytes

from newscrawl.archive.savedhtml import page_bytes
from newscrawl.archive.wacz import replay_root
from newscrawl.archive.warc import read_at


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


def _resolve(recorded: str, feed: Path, archive: str | None) -> Path:
    """The WARC file an item names: under --archive if given, else beside the feed, under output/, or as a path."""
    name = Path(recorded).name
    if archive is not None:
        root = Path(archive)
        if root.is_file():
            return root if root.name == name else root.parent / name
        return next(iter(sorted(root.rglob(name)) or [p.with_name(name) for p in sorted(root.rglob(name + ".open"))]),
                    root / name)
    candidates = [feed.parent / name, Path(recorded), *sorted(Path("output").glob(f"*/{name}"))]
    # a run still going, or killed and not yet reconciled, has its file under "<name>.open" (read_at finds it)
    return next((c for c in candidates if c.exists() or c.with_name(c.name + ".open").exists()), candidates[0])


def verify_feed(feed: str, archive: str | None = None) -> VerifyReport:
    report = VerifyReport()
    if archive is not None:  # a WACZ (or a folder holding some): the folder its WARCs were extracted to, once
        archive = str(replay_root(Path(archive)))
    with open(feed, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            where = f"line {number}"
            try:
                item = json.loads(line)
            except ValueError as error:
                report.checked += 1
                report.problems.append(f"{where}: not JSON ({error})")
                continue
            report.checked += 1
            problem = _check_item(item, Path(feed), archive)
            name = f"{where} {item.get('url', '?')}"
            if problem:
                report.problems.append(f"{name}: {problem}")
            else:
                report.passed += 1
                report.passes.append(f"ok   {name}")
    return report


def _check_item(item: dict[str, object], feed: Path, archive: str | None) -> str | None:
    provenance = item.get("provenance")
    if not isinstance(provenance, dict):
        return "no provenance"
    ref = provenance.get("archive")
    if not isinstance(ref, dict) or not {"file", "offset", "record_id"} <= ref.keys():
        return "no provenance.archive reference (was capture off?)"
    if str(ref["record_id"]).startswith(SAVED_PAGE_ID):
        return _check_saved_page(str(ref["file"]), str(ref["record_id"]), provenance, feed, archive)
    path = _resolve(str(ref["file"]), feed, archive)
    if not path.exists() and not path.with_name(path.name + ".open").exists():
        return f"archive file {path} is missing"
    try:
        exchange = read_at(path, int(str(ref["offset"])), str(ref["record_id"]))
    except Exception as error:  # any damage at that offset is a verification failure, reported, not raised
        return f"cannot read a response record at {path}:{ref['offset']}: {error}"
    if exchange.record_id != ref["record_id"]:
        return f"record at {path}:{ref['offset']} is {exchange.record_id}, item names {ref['record_id']}"
    if exchange.url != provenance.get("response_url"):
        return f"record URI {exchange.url} differs from provenance.response_url {provenance.get('response_url')}"
    try:
        digest = hashlib.sha256(exchange.decoded_body()).hexdigest()
    except Exception as error:  # a damaged payload that no longer decodes is a mismatch, not a crash
        return f"archived body at {path}:{ref['offset']} no longer decodes: {error}"
    if digest != provenance.get("body_sha256"):
        return (f"body digest mismatch at {path}:{ref['offset']}: archive has {digest}, item says "
                f"{provenance.get('body_sha256')}")
    return None


SAVED_PAGE_ID = "urn:sha256:"


def _check_saved_page(relative: str, record_id: str, provenance: dict[str, object], feed: Path,
                      archive: str | None) -> str | None:
    """A saved page: its path relative to the replayed folder (--archive), its bytes' digest as record id."""
    # --archive names the replayed folder, or the one page that was replayed by itself (its folder then)
    roots = [Path(archive).parent if Path(archive).is_file() else Path(archive)] if archive is not None else [
        feed.parent, Path(".")]
    names = [relative, os.fsdecode(unquote_to_bytes(relative))]  # a non-UTF-8 name is stored percent-encoded
    path = next((root / name for name in names for root in roots if (root / name).is_file()), roots[0] / relative)
    if not path.is_file():
        return f"saved page {path} is missing (give the replayed folder with --archive)"
    try:
        body = page_bytes(path.name, path.read_bytes())
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile, ValueError) as error:
        return f"cannot read saved page {path}: {error}"
    digest = hashlib.sha256(body).hexdigest()
    if f"{SAVED_PAGE_ID}{digest}" != record_id or digest != provenance.get("body_sha256"):
        return f"saved page {path} changed: its digest is {digest}, the item names {record_id[len(SAVED_PAGE_ID):]}"
    return None
