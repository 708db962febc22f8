"""Real archives of the open web, written by crawlers nobody here ran: each replayed by the `news` spider (generic
extraction, `scrapy crawl news -a replay=FILE`, as a user runs it) and its feed checked by `newscrawl verify`.

    python -m benchmarks.foreign_archives --fetch     # download the pinned packages into benchmarks/.cache/foreign/
    python -m benchmarks.foreign_archives             # replay + verify each; prints a table, writes
                                                      # results/foreign_archives.json
    python -m benchmarks.foreign_archives --only cc   # only the archives whose name holds "cc"
    python -m benchmarks.foreign_archives --keep DIR  # keep each run's folder (log, feed, report) under DIR

The archives come from packages that ship them as test data (PACKAGES below: pinned versions, sha256 checked, never
committed, each under its own licence): Common Crawl WARCs of 2014 (Nutch) and 2025 (whose payloads are stored
decoded, their codings kept as `X-Crawler-Content-Encoding`), the Internet Archive's Wayback "LiveWeb" WARC and ARC
writers, ia-web-commons, webrecorder.io and the Webrecorder platform, Browsertrix Crawler's WACZ, Harvard LIL's Scoop,
ArchiveTeam's wget. tests/fixtures/warcs-by-other-tools/ holds other tools' captures of our own mirror; these are
captures of real sites, as the tools wrote them.

Per archive it prints the records by type (read independently with warcio), the HTML responses (status 200, HTML by
their Content-Type, distinct URLs), the items the replay emitted and `newscrawl verify` proved, what the replay
skipped or found damaged (its `newscrawl/replay/*` and `newscrawl/not_article/*` stats, by reason), and errors. A
defect is any traceback or ERROR line (but the drift alarm of a run whose pages are all home pages, and damage of the
input, which are outcomes the run reports and counts), any verify failure, any HTML 200 URL that is neither an item
nor named in a log line that says why it gave none ("lost"), and any HTML 200 page whose bytes newscrawl's archive
reader (what the replay index is built from) gives otherwise than warcio decodes them, where warcio can. Exit code 1
when there is one.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import gzip
import hashlib
import io
import json
import logging
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from warcio.archiveiterator import ArchiveIterator  # noqa: E402

from benchmarks.common import CACHE_DIR, RESULTS_DIR  # noqa: E402
from benchmarks.crawls import run_scrapy  # noqa: E402
from newscrawl.archive.warc import ArchivedExchange, iter_archive  # noqa: E402

logger = logging.getLogger(__name__)

CACHE = CACHE_DIR / "foreign"
RESULTS = RESULTS_DIR / "foreign_archives.json"


@dataclass(frozen=True)
class Package:
    """A pinned package that ships archives in its source: `pip download` (PyPI sdist) or `npm pack`."""

    spec: str
    registry: str  # "pypi" or "npm"
    file: str
    sha256: str
    licence: str


PACKAGES = {
    "pywb": Package("pywb==2.10.0", "pypi", "pywb-2.10.0.tar.gz",
                    "5ae43c9b2a5321e39b9c8e16538bfbc0146eeb6fe26713232e45378b774a1a96", "GPL-3.0"),
    "warcio": Package("warcio==1.5.3", "pypi", "warcio-1.5.3.tar.gz",
                      "956021f73c26d2bfd5be5ff5acfd244ac041688540d121d06197d86c243aa1a3", "Apache-2.0"),
    "warcat": Package("Warcat==2.2.5", "pypi", "Warcat-2.2.5.tar.gz",
                      "a3d7af6b4f1cbc6244833e19904932647c8f57d46a2b770fc499a1ec5ca8a8bd", "GPL-3.0"),
    "cdx_toolkit": Package("cdx-toolkit==0.9.39", "pypi", "cdx_toolkit-0.9.39.tar.gz",
                           "7fd85cd5b00ec3ac57bfa21e7f70ba633e1df59760eb54dae3a85e63596af4bc", "Apache-2.0"),
    "warcbench": Package("warcbench==0.1.0", "pypi", "warcbench-0.1.0.tar.gz",
                         "9f85c09eeb373cf27414fe6c9dd1ce1b6324cdcfd9fc9bb02125a06df1b1aa01", "MIT"),
    "warc-npm": Package("warc@1.0.1", "npm", "warc-1.0.1.tgz",
                        "30581310d525b655cdcd962b5afdf92d9eef03b91151b720ad3d8ea5f36f8df4", "BSD-3-Clause"),
}


@dataclass(frozen=True)
class Archive:
    """One archive file: which package holds it, where, and who wrote it of what."""

    name: str
    package: str
    member: str
    """Path inside the package (its top folder left out); several joined by "|" make a folder of those files
    (replayed together); for `cdx-toolkit-mocks` a folder of recorded HTTP exchanges (JSON Lines) whose Common
    Crawl WARC range responses are joined into one .warc.gz."""
    tool: str
    captured: str
    how: str = "copy"


ARCHIVES = (
    Archive("cc-main-2014-35.warc", "warc-npm", "test/fixtures/CC-MAIN-20140820021334-00006-ip-10-180-136-8.ec2."
            "internal.warc", "Common Crawl, Nutch 1.6 (CC)/CC WarcExport 1.0", "CC-MAIN-2014-35, 4 pages of the web"),
    Archive("cc-main-2014-35.warc.wet", "warc-npm", "test/fixtures/CC-MAIN-20140820021334-00006-ip-10-180-136-8."
            "ec2.internal.warc.wet", "Common Crawl's WET extractor", "the plain text of the WARC above "
            "(conversion records: no page to replay)"),
    Archive("cc-main-2014-35.warc.wat", "warc-npm", "test/fixtures/CC-MAIN-20140820021334-00006-ip-10-180-136-8."
            "ec2.internal.warc.wat", "Common Crawl's WAT extractor", "the metadata of the WARC above, as JSON "
            "(metadata records: no page to replay)"),
    Archive("cc-main-2025-33.warc.gz", "cdx_toolkit", "tests/data/mock_responses", "Common Crawl (CC-MAIN-2025-33)",
            "3 records fetched by offset from data.commoncrawl.org: example.com, commoncrawl.org, a 301",
            how="cdx-toolkit-mocks"),
    Archive("ia-liveweb-example.warc.gz", "pywb", "sample_archive/warcs/example.warc.gz",
            "Internet Archive Wayback LiveWeb Warc Writer 1.0", "example.com, 2014, with a revisit"),
    Archive("ia-liveweb-iana.warc.gz", "pywb", "sample_archive/warcs/iana.warc.gz",
            "Internet Archive Wayback LiveWeb Warc Writer 1.0", "iana.org with its images, fonts and scripts, 2014"),
    Archive("ia-liveweb-example.arc.gz", "pywb", "sample_archive/warcs/example.arc.gz",
            "Internet Archive Wayback LiveWeb ARC writer", "example.com, 2014 (ARC v1)"),
    Archive("ia-web-commons.warc.gz", "pywb", "sample_archive/warcs/example-url-agnostic-orig.warc.gz",
            "ia-web-commons 1.0 Extractor (Internet Archive)", "example.com, 2013"),
    Archive("ia-liveweb-dupes.warc.gz", "pywb", "sample_archive/warcs/dupes.warc.gz",
            "Internet Archive Wayback LiveWeb Warc Writer 1.0", "example.com and iana.org: revisits of the "
            "iana.warc.gz captures, not in this file"),
    Archive("ia-liveweb-iana+dupes", "pywb", "sample_archive/warcs/iana.warc.gz|sample_archive/warcs/dupes.warc.gz",
            "Internet Archive Wayback LiveWeb Warc Writer 1.0", "the two above as one folder: revisits across files"),
    Archive("webrecorder-io-warcprox.warc.gz", "pywb", "sample_archive/warcs/example2.warc.gz",
            "webrecorder.io 2.0 (warcprox 1.4)", "example.com, 2015"),
    Archive("webrecorder-io-chunked.warc", "warcio", "test/data/example-iana.org-chunked.warc",
            "webrecorder.io 2.0 (warcprox 1.4)", "iana.org, chunked as sent, 2015"),
    Archive("webrecorder-platform.warc.gz", "warcio", "test/data/example.warc.gz", "Webrecorder Platform v3.7",
            "example.com, with a revisit"),
    Archive("webrecorder-platform-trunc.warc", "warcio", "test/data/example-trunc.warc",
            "Webrecorder Platform v3.7", "example.com, its response cut short by warcio's tests (damaged input)"),
    Archive("webrecorder-platform-resource.warc.gz", "warcio", "test/data/example-resource.warc.gz",
            "Webrecorder Platform v3.8", "a static snapshot of a page, as a resource record"),
    Archive("webrecorder-platform-bad-chunked.warc.gz", "warcio", "test/data/example-bad-non-chunked.warc.gz",
            "Webrecorder Platform v3.7", "example.com: `Transfer-Encoding: chunked` on a payload that is not"),
    Archive("wget-1.14.warc.gz", "pywb", "sample_archive/warcs/example-wget-1-14.warc.gz", "Wget/1.14",
            "example.com"),
    Archive("archiveteam-wget.warc.gz", "warcat", "example/at.warc.gz", "Wget/1.13.4-2608 (ArchiveTeam)",
            "archiveteam.org, 2013"),
    Archive("browsertrix-crawler.wacz", "warcbench", "tests/assets/test-crawl.wacz",
            "Browsertrix-Crawler 0.12.3 (warcio.js 1.6.2, pywb 2.7.4); js-wacz 0.1.6",
            "example.com and iana.org, 2025"),
    Archive("scoop.wacz", "warcbench", "tests/assets/example.com.wacz",
            "Scoop 0.6.32 (Harvard Library Innovation Lab); js-wacz 0.1.3", "example.com, 2024, with screenshots"),
    Archive("wget-1.25.warc.gz", "warcbench", "tests/assets/fb.warc.gz", "Wget/1.25.0 (darwin)",
            "facebook.com, 2025"),
)


# ---- data --------------------------------------------------------------------------------------------------------
def fetch_package(package: Package, cache: Path, download: bool) -> Path | None:
    """The pinned package file in `cache` (downloaded when missing and `download`), its digest checked; None when it
    is missing and not to be downloaded."""
    path = cache / package.file
    if not path.exists():
        if not download:
            return None
        cache.mkdir(parents=True, exist_ok=True)
        logger.warning("downloading %s from %s into %s", package.spec, package.registry, cache)
        if package.registry == "pypi":
            command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "--dest",
                       str(cache), package.spec]
        else:
            command = ["npm", "pack", "--silent", "--pack-destination", str(cache), package.spec]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != package.sha256:
        raise SystemExit(f"{path}: sha256 {digest}, expected {package.sha256}; delete it and run --fetch again")
    return path


def _members(package_file: Path) -> dict[str, bytes]:
    """Every file of a .tar.gz/.tgz package by its path below the package's top folder."""
    found: dict[str, bytes] = {}
    with tarfile.open(package_file) as tar:
        for member in tar.getmembers():
            if member.isfile():
                handle = tar.extractfile(member)
                if handle is not None:
                    found[member.name.split("/", 1)[-1]] = handle.read()
    return found


def cc_records(mocks: dict[str, bytes]) -> bytes:
    """cdx_toolkit's recorded exchanges hold Common Crawl's answers to byte-range requests for single records of
    its WARC files (base64 gzip members): those records, each once, in the order first met, as one .warc.gz."""
    seen: dict[str, bytes] = {}
    for name in sorted(mocks):
        if not name.endswith(".jsonl"):
            continue
        for line in mocks[name].decode("utf-8").splitlines():
            exchange = json.loads(line)
            if not str(exchange.get("url", "")).endswith(".warc.gz") or exchange.get("response_status_code") != 206:
                continue
            record = base64.b64decode(exchange["response_text"])
            seen.setdefault(hashlib.sha256(record).hexdigest(), record)
    return b"".join(seen.values())


def materialise(archives: tuple[Archive, ...], cache: Path, download: bool) -> dict[str, Path]:
    """Each archive as a file under cache/archives/ (taken from its package once); those whose package is missing
    are left out."""
    files: dict[str, Path] = {}
    contents: dict[str, dict[str, bytes]] = {}
    folder = cache / "archives"
    for archive in archives:
        target = folder / archive.name
        package_file = fetch_package(PACKAGES[archive.package], cache, download)
        if package_file is None:
            continue
        if not target.exists():
            members = contents.setdefault(archive.package, _members(package_file))
            folder.mkdir(parents=True, exist_ok=True)
            if archive.how == "cdx-toolkit-mocks":
                target.write_bytes(cc_records({k: v for k, v in members.items()
                                               if k.startswith(archive.member + "/")}))
            elif "|" in archive.member:
                target.mkdir()
                for member in archive.member.split("|"):
                    (target / Path(member).name).write_bytes(members[member])
            else:
                target.write_bytes(members[archive.member])
        files[archive.name] = target
    return files


# ---- census: what the file holds, read with warcio ---------------------------------------------------------------
@dataclass
class Census:
    records: Counter[str] = field(default_factory=Counter)
    html_urls: set[str] = field(default_factory=set)
    html_captures: int = 0
    truncated: int = 0
    pages: dict[str, set[str]] = field(default_factory=dict)
    """URL → SHA-256 of each HTML 200 capture's body as warcio decodes it (chunking and gzip, deflate or brotli
    undone); captures warcio cannot decode (zstd, a cut stream) are left out."""
    error: str | None = None


def _warc_streams(path: Path) -> Iterator[tuple[str, IO[bytes] | gzip.GzipFile]]:
    if path.is_dir():
        for file in sorted(path.iterdir()):
            yield from _warc_streams(file)
    elif path.suffix == ".wacz":
        with zipfile.ZipFile(path) as wacz:
            for name in wacz.namelist():
                if name.startswith("archive/"):
                    with wacz.open(name) as stream:
                        yield name, stream
    elif path.suffix == ".gz" and not _multi_member(path):
        with gzip.open(path, "rb") as stream:  # gzipped whole, as one stream: warcio reads only one member a record
            yield path.name, stream
    else:
        with path.open("rb") as stream:
            yield path.name, stream


def _multi_member(path: Path) -> bool:
    """Whether the first gzip member ends before the file does (a record per member, as the WARC spec advises)."""
    with path.open("rb") as stream:
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        while not inflater.eof:
            chunk = stream.read(65536)
            if not chunk:
                return False
            inflater.decompress(chunk)
        return bool(inflater.unused_data) or bool(stream.read(1))


def census(path: Path) -> Census:
    """Records by type, and the HTML 200 responses (and page resources) by URL: what a replay should account for.
    warcio's own warnings about the file (it writes them to stderr) are kept out of the table."""
    with contextlib.redirect_stderr(io.StringIO()):
        return _census(path)


def _census(path: Path) -> Census:
    found = Census()
    try:
        for _, stream in _warc_streams(path):
            for record in ArchiveIterator(stream, arc2warc=True):
                found.records[record.rec_type] += 1
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                if not uri.lower().startswith(("http://", "https://")):
                    continue
                if record.rec_headers.get_header("WARC-Truncated"):
                    found.truncated += 1
                if record.rec_type == "response" and record.http_headers is not None:
                    status = record.http_headers.get_statuscode()
                    content_type = record.http_headers.get_header("Content-Type") or ""
                elif record.rec_type == "resource":
                    status, content_type = "200", record.rec_headers.get_header("Content-Type") or ""
                else:
                    continue
                if status == "200" and "html" in content_type.lower():
                    found.html_captures += 1
                    found.html_urls.add(uri)
                    codings = record.http_headers.get_header("Content-Encoding") if record.http_headers else None
                    if "zstd" in (codings or "").lower():
                        continue
                    try:
                        body = record.content_stream().read()
                    except Exception:  # noqa: BLE001 - warcio's limits (a cut stream), not what is checked here
                        continue
                    found.pages.setdefault(uri, set()).add(hashlib.sha256(body).hexdigest())
    except Exception as error:  # noqa: BLE001 - warcio's own limits are reported, not newscrawl's defects
        found.error = f"warcio: {type(error).__name__}: {error}"
    return found


def index_bytes(path: Path) -> dict[str, set[str]]:
    """URL → SHA-256 of each 200 response's decoded body as newscrawl's archive reader gives it (what the replay
    index is built from). WACZ files are left out ({}): the replay reads the WARCs inside from its own copy."""
    if path.suffix == ".wacz":
        return {}
    found: dict[str, set[str]] = {}
    for exchange in iter_archive(path):
        if isinstance(exchange, ArchivedExchange) and exchange.status == 200:
            try:
                body = exchange.decoded_body()
            except ValueError:
                continue
            found.setdefault(exchange.url, set()).add(hashlib.sha256(body).hexdigest())
    return found


# ---- replay and verify -------------------------------------------------------------------------------------------
_NOT_ARTICLE = re.compile(r"Not an article page, no item: (?P<url>\S+) \((?P<reason>[^)]*)\)")
_DROPPED = re.compile(r"Dropped \((?P<reason>\w+)\): (?P<url>\S+?):? ")
_UNREAD = re.compile(r"(?:Replay could not read the archived answer for|Cancelling replay of) (?P<url>\S+?):")
_VERIFIED = re.compile(r"(?P<checked>\d+) items checked: (?P<passed>\d+) verified, (?P<problems>\d+) problems")
_REPORTED = re.compile(r" ERROR: (LAYOUT DRIFT:|Damaged input )")
"""ERROR lines that are outcomes the run reports and counts, not failures: the drift alarm of a run whose pages
all parsed to nothing (an archive of home pages), and damage of the input (newscrawl/replay/archive_problems/*)."""
_COUNTED = ("newscrawl/replay/", "newscrawl/not_article/", "newscrawl/quality/body_truncated")


def replay(path: Path, workdir: Path) -> dict[str, Any]:
    """`scrapy crawl news -a replay=PATH -O items.jsonl`, then `newscrawl verify items.jsonl --archive PATH`."""
    run = run_scrapy(workdir, "news", "-a", f"replay={path}", "-O", "items.jsonl",
                     settings={"LOG_LEVEL": "INFO"})
    log = run.log_path.read_text(encoding="utf-8", errors="replace")
    feed = workdir / "items.jsonl"
    items = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()] if feed.exists() else []
    explained: dict[str, str] = {}
    for match in _NOT_ARTICLE.finditer(log):
        explained[match["url"]] = f"not article ({match['reason']})"
    for match in _DROPPED.finditer(log):
        explained[match["url"]] = f"dropped ({match['reason']})"
    for match in _UNREAD.finditer(log):
        explained[match["url"]] = "unreadable or too large"
    errors = [line for line in log.splitlines() if (" ERROR: " in line and not _REPORTED.search(line))
              or line.startswith("Traceback")]
    verify = subprocess.run([sys.executable, "-m", "newscrawl.cli", "verify", "-q", str(feed), "--archive",
                             str(path)], capture_output=True, text=True, cwd=workdir, timeout=600)
    verified = _VERIFIED.search(verify.stdout)
    return {"exit": run.returncode, "items": items, "explained": explained, "errors": errors,
            "tracebacks": log.count("Traceback"), "stats": {k: v for k, v in run.stats.items()
                                                           if k.startswith(_COUNTED)},
            "verify_exit": verify.returncode, "verified": int(verified["passed"]) if verified else 0,
            "verify_problems": int(verified["problems"]) if verified else None,
            "verify_failures": [line for line in verify.stdout.splitlines() if line.startswith("FAIL")][:10]
            + verify.stderr.strip().splitlines()[-3:]}


def judge(name: str, found: Census, done: dict[str, Any], ours: dict[str, set[str]]) -> dict[str, Any]:
    """What the replay did with each HTML 200 URL, and the defects."""
    emitted = {str(u) for item in done["items"] for u in (item["provenance"].get("request_url"),
                                                          item["provenance"].get("response_url"), item["url"])}
    lost = sorted(url for url in found.html_urls if url not in emitted and url not in done["explained"])
    defects = []
    if done["exit"] != 0:
        defects.append(f"replay exit {done['exit']}")
    if done["tracebacks"]:
        defects.append(f"{done['tracebacks']} tracebacks")
    defects += [f"log: {line[:160]}" for line in done["errors"][:5]]
    defects += [f"lost HTML 200: {url}" for url in lost]
    if done["items"] and (done["verify_exit"] != 0 or done["verified"] != len(done["items"])):
        defects.append(f"verify: {done['verified']}/{len(done['items'])} ({done['verify_problems']} problems)")
        defects += [f"verify: {line[:160]}" for line in done["verify_failures"]]
    if ours:  # a body warcio decodes that newscrawl's reader gives otherwise (a coding left on a decoded page is
        # newscrawl's own rule, codings.py: warcio then keeps the bytes as stored, and so do both readings)
        defects += [f"bytes differ from warcio's reading: {url}" for url, digests in sorted(found.pages.items())
                    if not digests <= ours.get(url, set())]
    if found.error:
        defects.append(f"census only (not newscrawl's): {found.error}")
    return {"archive": name, "records": dict(sorted(found.records.items())), "html_captures": found.html_captures,
            "html_urls": len(found.html_urls), "warc_truncated": found.truncated, "items": len(done["items"]),
            "verified": done["verified"], "explained": dict(Counter(done["explained"].values())),
            "counted": done["stats"], "lost": lost, "errors": done["errors"][:5], "defects": defects}


def _row(result: dict[str, Any]) -> str:
    records = " ".join(f"{k} {v}" for k, v in result["records"].items())
    counted = ", ".join(f"{k.split('newscrawl/', 1)[1]} {v}" for k, v in sorted(result["counted"].items()))
    explained = ", ".join(f"{k} {v}" for k, v in sorted(result["explained"].items()))
    return (f"| {result['archive']} | {records} | {result['html_urls']} ({result['html_captures']}) | "
            f"{result['items']} | {result['verified']} | {explained or '—'} | {counted or '—'} | "
            f"{len(result['defects'])} |")


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    cli = argparse.ArgumentParser(prog="python -m benchmarks.foreign_archives", description=__doc__.split("\n\n")[0])
    cli.add_argument("--fetch", action="store_true", help=f"download the pinned packages into {CACHE} when missing")
    cli.add_argument("--cache", type=Path, default=CACHE, help="where the packages are kept (default %(default)s)")
    cli.add_argument("--only", default="", help="only the archives whose name holds this")
    cli.add_argument("--keep", type=Path, help="keep each run's folder (log, feed, report) under this folder")
    cli.add_argument("--results", type=Path, default=RESULTS, help="where to write the JSON results")
    args = cli.parse_args(argv)
    chosen = tuple(a for a in ARCHIVES if args.only in a.name)
    files = materialise(chosen, args.cache, args.fetch)
    if not files:
        cli.error(f"no archives in {args.cache}: run with --fetch (downloads {len(PACKAGES)} pinned packages from PyPI "
                  "and npm)")
    missing = [a.name for a in chosen if a.name not in files]
    if missing:
        logger.warning("left out, their package not fetched (run --fetch): %s", ", ".join(missing))
    results = []
    scratch = Path(tempfile.mkdtemp(prefix="newscrawl-foreign-"))
    try:
        for archive in chosen:
            if archive.name not in files:
                continue
            workdir = (args.keep or scratch) / archive.name
            shutil.rmtree(workdir, ignore_errors=True)
            path = files[archive.name]
            result = judge(archive.name, census(path), replay(path, workdir), index_bytes(path))
            result.update(tool=archive.tool, captured=archive.captured, package=PACKAGES[archive.package].spec)
            results.append(result)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"{len(results)} archives written by other crawlers of the open web (`news` spider, generic extraction)\n")
    print("| archive | records | HTML 200 URLs (captures) | items | verified | no item, and why | counted "
          "(skipped, damaged, truncated) | defects |\n|---|---|---|---|---|---|---|---|")
    print("\n".join(_row(result) for result in results))
    defects = [(r["archive"], d) for r in results for d in r["defects"]]
    print(f"\n{len(defects)} defects" + "".join(f"\n  {name}: {d}" for name, d in defects))
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps({"archives": results}, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                            encoding="utf-8")
    return 1 if any("census only" not in d for _, d in defects) else 0


if __name__ == "__main__":
    raise SystemExit(main())
