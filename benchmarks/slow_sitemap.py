"""slow_sitemap: what one slow discovery source costs a crawl (issue 20), with and without early release.

    python -m benchmarks.slow_sitemap [--articles 60] [--delay 20]
    python -m benchmarks.slow_sitemap --delay 200 --download-timeout 30     # a sitemap that never answers

A loopback site of generic article pages (tests/fixtures/generic, cycled) lists half its articles in sitemap-a and
half in sitemap-b, which answers after --delay seconds. The news spider crawls both sitemaps twice: with
NEWSCRAWL_DISCOVERY_PATIENCE=0 (every article held until discovery ends: the behaviour before early release) and
with the default patience. Reported: seconds from the crawl's start to its first article fetch, to the last fetch
of sitemap-a's articles, and in all (wall clock of the process). Writes benchmarks/results/slow_sitemap.json.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.common import RESULTS_DIR, Options, note, table, write_result
from newscrawl.spiders.release import DEFAULT_PATIENCE
from tests.crawling import FAST, ROOT, run_crawl
from tests.sitegen.server import MirrorServer, Page, Request, Site

FIXTURES = ROOT / "tests" / "fixtures" / "generic"
XML = "application/xml; charset=utf-8"
ARTICLE_PAGES = ("jsonld-graph-article", "opengraph-only", "reuters-wire-dateline", "indian-wire-with-inputs",
                 "microdata-only", "non-english-german-dpa")


def _urlset(base: str, paths: list[str]) -> bytes:
    rows = "".join(f"<url><loc>{base}{path}</loc></url>" for path in paths)
    return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>'.encode()


def measure(articles: int, delay: float, patience: float, download_timeout: float | None = None) -> dict[str, Any]:
    pages = [FIXTURES / f"{case}.html" for case in ARTICLE_PAGES]
    paths = [f"/news/2025/03/21/story-{n}" for n in range(articles)]
    first, second = paths[: articles // 2], paths[articles // 2:]
    bodies = {path: pages[n % len(pages)].read_bytes() for n, path in enumerate(paths)}
    requested: dict[str, float] = {}  # path → when the server got it (articles, and robots.txt: the crawl's start)

    def serve(request: Request) -> Page | None:
        requested.setdefault(request.path, time.time())
        if request.path == "/sitemap-b.xml":
            time.sleep(delay)
            return slow_page
        return Page(bodies[request.path]) if request.path in bodies else None

    with MirrorServer(Site(hooks=[serve])) as mirror, tempfile.TemporaryDirectory(prefix="newscrawl-slow-") as scratch:
        mirror.site["/sitemap-a.xml"] = Page(_urlset(mirror.base_url, first), content_type=XML)
        slow_page = Page(_urlset(mirror.base_url, second), content_type=XML)
        done = run_crawl(Path(scratch), "news", "-a", f"sitemap={mirror.base_url}/sitemap-a.xml,"
                         f"{mirror.base_url}/sitemap-b.xml", "-O", "items.jsonl", timeout=delay + 300,
                         settings={**FAST, "LOG_LEVEL": "WARNING",
                                   "DOWNLOAD_TIMEOUT": str(download_timeout or delay + 60),
                                   "NEWSCRAWL_DISCOVERY_PATIENCE": str(patience)})
        ended = time.time()
        if done.returncode != 0:
            raise RuntimeError(f"crawl failed: {done.log[-2000:]}")
        items = len(done.feed_items("items.jsonl"))
    started = requested["/robots.txt"]
    fetched = {path: requested[path] - started for path in paths if path in requested}
    return {"patience_s": patience, "articles_fetched": len(fetched), "items": items,
            "first_fetch_s": round(min(fetched.values()), 2),
            "sitemap_a_done_s": round(max(fetched[p] for p in first), 2), "total_s": round(ended - started, 2),
            "sitemap_b_lost": not any(p in fetched for p in second)}


def run(options: Options, articles: int = 60, delay: float = 20.0, download_timeout: float | None = None,
        name: str = "slow_sitemap") -> dict[str, Any]:
    if options.quick:
        articles, delay = min(articles, 6), min(delay, 3.0)
    runs = []
    for patience in (0.0, DEFAULT_PATIENCE):
        note(f"slow_sitemap: {articles} articles, sitemap-b {delay:.0f} s late, patience {patience:g} s")
        runs.append(measure(articles, delay, patience, download_timeout))
    rows = [["held until discovery ends" if r["patience_s"] == 0 else f"early release ({r['patience_s']:g} s)",
             r["articles_fetched"], r["first_fetch_s"], r["sitemap_a_done_s"], r["total_s"]] for r in runs]
    late = (f"never answers (DOWNLOAD_TIMEOUT {download_timeout:g} s, retried)" if download_timeout
            and download_timeout < delay else f"answers {delay:.0f} s late")
    rendered = table(f"{name} — {articles} articles, one of two sitemaps {late}",
                     ["release", "articles fetched", "first article fetch s", "sitemap-a's articles done s",
                      "total s"], rows)
    result = {"articles": articles, "delay_s": delay, "download_timeout_s": download_timeout, "runs": runs}
    write_result(options, name, result, rendered)
    return result


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(prog="python -m benchmarks.slow_sitemap", description=__doc__.splitlines()[0])
    cli.add_argument("--articles", type=int, default=60)
    cli.add_argument("--delay", type=float, default=20.0)
    cli.add_argument("--download-timeout", type=float, default=None,
                     help="DOWNLOAD_TIMEOUT of the crawl (default delay + 60); below --delay, sitemap-b never answers")
    cli.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    cli.add_argument("--quick", action="store_true")
    args = cli.parse_args(argv)
    name = "slow_sitemap" if args.download_timeout is None or args.download_timeout >= args.delay \
        else "silent_sitemap"
    run(Options(results_dir=args.results_dir, quick=args.quick), args.articles, args.delay, args.download_timeout,
        name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
