"""Benchmark inputs that take a while to make, cached under benchmarks/.cache/<version>/ (gitignored).

* `mirror_pages(n)`: the pre-rendered responses of a loopback mirror of `corpus(n)` (benchmarks/mirror.py).
* `archive(n)`: a WARC captured the way samples/build.py captures one — a live `scrapy crawl devdiscourse` of that
  mirror through the full stack — with `since` far back so the JSON archive walker reaches every article.

The version key (common.cache_version) hashes the site generator, the spider and the WARC writer, so a change
to any of them rebuilds the cache instead of benchmarking stale bytes.
"""

from __future__ import annotations

import json
import pickle
import shutil
import tempfile
from pathlib import Path

from benchmarks.common import Options, cache_version, note
from benchmarks.crawls import CrawlRun, check, run_scrapy
from benchmarks.mirror import FastMirror, Response, article_targets, discovery_targets, prerender
from tests.sitegen.corpus import corpus
from tests.sitegen.devdiscourse import NewsSpec
from tests.sitegen.server import Site, build_devdiscourse_mirror

SINCE = "2000-01-01"  # older than any corpus article: the JSON walker pages to the end of the archive
CAPTURE_SETTINGS = {"CONCURRENT_REQUESTS": "32", "CONCURRENT_REQUESTS_PER_DOMAIN": "32"}


def cache_root(options: Options) -> Path:
    path = options.cache_dir / cache_version()
    path.mkdir(parents=True, exist_ok=True)
    return path


def mirror_site(n: int) -> tuple[list[NewsSpec], Site]:
    specs = corpus(n)
    return specs, build_devdiscourse_mirror(specs)


def mirror_pages(options: Options, n: int, specs: list[NewsSpec], site: Site) -> dict[str, Response]:
    """Pre-rendered responses for every URL a crawl of the mirror requests (cached)."""
    path = cache_root(options) / f"mirror-{n}.pickle"
    if path.exists():
        with path.open("rb") as handle:
            pages: dict[str, Response] = pickle.load(handle)
        return pages
    note(f"pre-rendering a mirror of corpus({n}) (once per cache version)")
    pages = prerender(site, specs, discovery_targets(n) + article_targets(specs))
    temporary = path.with_suffix(".tmp")
    with temporary.open("wb") as handle:
        pickle.dump(pages, handle, protocol=pickle.HIGHEST_PROTOCOL)
    temporary.replace(path)
    return pages


def crawl_args(base_url: str) -> list[str]:
    return ["-a", f"base_url={base_url}", "-a", f"since={SINCE}"]


def archive_folder(options: Options, n: int) -> Path:
    return cache_root(options) / f"archive-{n}"


def archive_folder_missing(options: Options, n: int) -> bool:
    return not (archive_folder(options, n) / "capture.json").exists()


def archive(options: Options, n: int) -> Path:
    """Folder holding the WARC of a live crawl of a mirror of corpus(n) (captured once per cache version)."""
    folder = archive_folder(options, n)
    if not archive_folder_missing(options, n):
        return folder
    specs, site = mirror_site(n)
    pages = mirror_pages(options, n, specs, site)
    note(f"capturing a live crawl of corpus({n}) into {folder} (once per cache version)")
    with FastMirror(site, pages) as mirror, tempfile.TemporaryDirectory(prefix="newscrawl-capture-") as scratch:
        run = check(run_scrapy(Path(scratch), "devdiscourse", *crawl_args(mirror.base_url),
                               settings=CAPTURE_SETTINGS), f"capture of corpus({n})")
        store_capture(run, options, n, mirror.stats.misses)
    return folder


def store_capture(run: CrawlRun, options: Options, n: int, misses: list[str]) -> None:
    """Keep a finished live crawl's WARC as the cached archive of corpus(n)."""
    folder = archive_folder(options, n)
    items = run.stat("item_scraped_count")
    if items < n:
        raise RuntimeError(f"capture of corpus({n}) emitted only {items} items; log {run.log_path}")
    warcs = sorted((run.workdir / "output").rglob("*.warc.gz"))
    if not warcs:
        raise RuntimeError(f"capture of corpus({n}) wrote no WARC; log {run.log_path}")
    temporary = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir(parents=True)
    for warc in warcs:
        shutil.copyfile(warc, temporary / warc.name)
    (temporary / "capture.json").write_text(json.dumps(
        {"articles": n, "items": items, "requests": run.stat("downloader/request_count"),
         "mirror_misses": len(misses), "warc_bytes": sum(w.stat().st_size for w in warcs)}, indent=2) + "\n")
    shutil.rmtree(folder, ignore_errors=True)
    temporary.rename(folder)


def capture_info(folder: Path) -> dict[str, int]:
    info: dict[str, int] = json.loads((folder / "capture.json").read_text())
    return info
