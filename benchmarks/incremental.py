"""incremental: what a second run fetches, read from the mirror's access log.

    python -m benchmarks incremental [--articles 300] [--new 10]

Against tests/sitegen's own MirrorServer (its access log is the ground truth), with one crawl state shared by the
runs: (1) a first run over N articles; (2) a second run with nothing new — target 0 article fetches; (3) a third
run after K newer articles appear — target exactly K article fetches, K new items. Discovery pages (sitemap,
API, listings) are fetched every run by design and are counted separately.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks.archives import SINCE
from benchmarks.common import Options, note, table, write_result
from benchmarks.crawls import check, run_scrapy
from tests.sitegen.corpus import corpus
from tests.sitegen.server import LogEntry, MirrorServer, build_devdiscourse_mirror

ARTICLE_PREFIXES = ("/article/", "/mobilearticle/")
SETTINGS = {"CONCURRENT_REQUESTS_PER_DOMAIN": "16"}


def _count(log: list[LogEntry]) -> dict[str, int]:
    articles = sum(1 for e in log if e.path.startswith(ARTICLE_PREFIXES))
    return {"article_fetches": articles, "other_fetches": len(log) - articles}


def run(options: Options, n: int = 300, k: int = 10) -> dict[str, Any]:
    if options.quick:
        n, k = min(n, 20), min(k, 3)
    specs = corpus(n + k)  # newest first: the first k appear only before the third run
    newer, older = specs[:k], specs[k:]
    site = build_devdiscourse_mirror(older, now=specs[0].created_on + timedelta(minutes=30))
    runs: list[dict[str, Any]] = []
    with MirrorServer(site) as mirror, tempfile.TemporaryDirectory(prefix="newscrawl-incremental-") as scratch:
        for label, expected in (("first run", n), ("nothing new", 0), (f"{k} new", k)):
            if label == f"{k} new":
                site.articles.update({s.news_id: s for s in newer})
            mirror.reset_log()
            note(f"incremental: {label}")
            crawl = check(run_scrapy(Path(scratch), "devdiscourse", "-a", f"base_url={mirror.base_url}",
                                     "-a", f"since={SINCE}", settings=SETTINGS), f"incremental ({label})")
            counts = _count(list(mirror.access_log))
            runs.append({"run": label, "expected_article_fetches": expected, **counts,
                         "items": crawl.stat("item_scraped_count"),
                         "skipped_known": crawl.stat("newscrawl/incremental/skip/known"),
                         "elapsed_s": round(crawl.elapsed, 2),
                         "met": counts["article_fetches"] == expected})
    rows = [[r["run"], r["expected_article_fetches"], r["article_fetches"], r["items"], r["skipped_known"],
             r["other_fetches"], "met" if r["met"] else "MISSED"] for r in runs]
    rendered = table(f"incremental — {n} articles, then nothing new, then {k} new (mirror access log)",
                     ["run", "target article fetches", "article fetches", "items", "skipped as known",
                      "discovery fetches", "verdict"], rows)
    result = {"articles": n, "new": k, "runs": runs, "all_met": all(r["met"] for r in runs)}
    write_result(options, "incremental", result, rendered)
    return result


def main(argv: list[str] | None = None, options: Options | None = None) -> int:
    cli = argparse.ArgumentParser(prog="python -m benchmarks incremental", description=__doc__.splitlines()[0])
    cli.add_argument("--articles", type=int, default=300)
    cli.add_argument("--new", type=int, default=10)
    args = cli.parse_args(argv)
    run(options or Options(), args.articles, args.new)
    return 0
