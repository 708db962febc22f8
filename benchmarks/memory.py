"""memory: peak RSS of a replay of 1,000 vs 10,000 article pages (target: < 10 % growth).

    python -m benchmarks memory [--small 1000] [--large 10000] [--media-mib 256]

Peak RSS is the crawl process's own high-water mark (VmHWM, see benchmarks/crawls.py). The growth per extra page
tells a bounded structure (a per-run constant) from per-item growth. Each archive is a live capture of a mirror of
corpus(N) (benchmarks/archives.py, cached).

A second measure replays the small archive again beside one more WARC file holding a single video response of
--media-mib MiB, what a browser crawl archives next to its pages: the replay must give the same feed, and its peak
RSS must not grow with that record (same target, < 10 %).
"""

from __future__ import annotations

import argparse
import io
import random
import shutil
from typing import Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from benchmarks.archives import archive, cache_root
from benchmarks.common import Options, note, table, verdict, write_result
from benchmarks.replay import Source, feed_digest, mirror_source, replay, replay_source

TARGET_GROWTH = 0.10


def with_media(options: Options, n: int, mib: int) -> Source:
    """archive(n) beside one more WARC holding a `mib` MiB video response (random bytes), cached."""
    folder = cache_root(options) / f"archive-{n}-media-{mib}"
    if not (folder / "zz-media.warc.gz").exists():
        note(f"writing archive({n}) beside a {mib} MiB video record (once per cache version)")
        temporary = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(temporary, ignore_errors=True)
        shutil.copytree(archive(options, n), temporary)
        rng = random.Random(mib)
        video = b"".join(rng.randbytes(1024 * 1024) for _ in range(mib))  # randbytes stops at 256 MiB
        with (temporary / "zz-media.warc.gz").open("wb") as handle:
            writer = WARCWriter(handle, gzip=True)
            headers = StatusAndHeaders("200 OK", [("Content-Type", "video/mp4"), ("Content-Length", str(len(video)))],
                                       protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record("https://www.devdiscourse.com/media/briefing.mp4", "response",
                                                          payload=io.BytesIO(video), http_headers=headers))
        shutil.rmtree(folder, ignore_errors=True)
        temporary.rename(folder)
    return Source(folder.resolve(), "devdiscourse", f"{n}-article archive beside a {mib} MiB video record")


def run(options: Options, small: int = 1000, large: int = 10000, media_mib: int = 256) -> dict[str, Any]:
    if options.quick:
        small, large, media_mib = min(small, 10), min(large, 30), min(media_mib, 16)
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
    media = with_media(options, small, media_mib)
    beside = replay_source(media)
    media_growth = (beside.maxrss_mib - peak_small) / peak_small
    same_feed = feed_digest(media.path) == feed_digest(mirror_source(options, small).path)
    media_verdict = verdict(media_growth, TARGET_GROWTH) if same_feed else "MISSED (feed differs)"
    result["media"] = {"record_mib": media_mib, "peak_rss_mib": round(beside.maxrss_mib, 1),
                       "growth": round(media_growth, 4), "same_feed": same_feed, "verdict": media_verdict}
    rendered += (f"\npeak RSS with a {media_mib} MiB video record beside the {small:,} pages: {beside.maxrss_mib:.0f} "
                 f"MiB, {media_growth:+.1%} (target < {TARGET_GROWTH:.0%}; feed "
                 f"{'identical' if same_feed else 'DIFFERENT'}): {media_verdict}")
    write_result(options, "memory", result, rendered)
    return result


def main(argv: list[str] | None = None, options: Options | None = None) -> int:
    cli = argparse.ArgumentParser(prog="python -m benchmarks memory", description=__doc__.splitlines()[0])
    cli.add_argument("--small", type=int, default=1000)
    cli.add_argument("--large", type=int, default=10000)
    cli.add_argument("--media-mib", type=int, default=256, help="size of the video record replayed beside the pages")
    args = cli.parse_args(argv)
    run(options or Options(), args.small, args.large, args.media_mib)
    return 0
