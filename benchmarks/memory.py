"""memory: peak RSS of a replay of 1,000 vs 10,000 article pages (target: < 10 % growth).

    python -m benchmarks memory [--small 1000] [--large 10000]

Peak RSS is the crawl process's own high-water mark (VmHWM, see benchmarks/crawls.py). The growth per extra page
tells a bounded structure (a per-run constant) from per-item growth. Each archive is a live capture of a mirror of
corpus(N) (benchmarks/archives.py, cached).
"""

from __future__ import annotations

import argparse
from typing import Any

from benchmarks.common import Options, note, table, verdict, write_result
from benchmarks.replay import replay

TARGET_GROWTH = 0.10


def run(options: Options, small: int = 1000, large: int = 10000) -> dict[str, Any]:
    if options.quick:
        small, large = min(small, 10), min(large, 30)
    runs = {n: replay(options, n) for n in (small, large)}
    rows = []
    points: dict[str, Any] = {}
    for n, crawl in runs.items():
        points[str(n)] = {"items": crawl.stat("item_scraped_count"), "peak_rss_mib": round(crawl.maxrss_mib, 1),
                          "elapsed_s": round(crawl.elapsed, 1), "cpu_s": round(crawl.cpu, 1)}
        rows.append([n, crawl.stat("item_scraped_count"), crawl.maxrss_mib, crawl.elapsed, crawl.cpu])
    peak_small, peak_large = runs[small].maxrss_mib, runs[large].maxrss_mib
    growth = (peak_large - peak_small) / peak_small
    per_page_kib = (peak_large - peak_small) * 1024 / max(1, large - small)
    result = {"points": points, "growth": round(growth, 4), "target_growth": TARGET_GROWTH,
              "per_extra_page_kib": round(per_page_kib, 2), "verdict": verdict(growth, TARGET_GROWTH)}
    note(f"memory: growth {growth:.1%}")
    rendered = table(f"memory — peak RSS replaying {small:,} vs {large:,} article pages",
                     ["articles", "items", "peak RSS MiB", "elapsed s", "CPU s"],
                     rows)
    rendered += (f"\n\npeak RSS growth {small:,} → {large:,} pages: {growth:+.1%} ({per_page_kib:.1f} KiB per extra "
                 f"page; target < {TARGET_GROWTH:.0%}): {result['verdict']}")
    write_result(options, "memory", result, rendered)
    return result


def main(argv: list[str] | None = None, options: Options | None = None) -> int:
    cli = argparse.ArgumentParser(prog="python -m benchmarks memory", description=__doc__.splitlines()[0])
    cli.add_argument("--small", type=int, default=1000)
    cli.add_argument("--large", type=int, default=10000)
    args = cli.parse_args(argv)
    run(options or Options(), args.small, args.large)
    return 0
