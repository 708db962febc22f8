"""memory: peak RSS of a replay of 1,000 vs 10,000 article pages (target: < 10 % growth).

    python -m benchmarks memory [--small 1000] [--large 10000] [--media-mib 256]

Peak RSS is the crawl process's own high-water mark (VmHWM, see benchmarks/crawls.py). The growth per extra page
tells a bounded structure (a per-run constant) from per-item growth. Each archive is a live capture of a mirror of
corpus(N) (benchmarks/archives.py, cached).

A second measure replays the small archive again beside one more WARC file holding a single video response of
--media-mib MiB, what a browser crawl archives next to its pages: the replay must give the same feed, and its peak
RSS must not grow with that record (same target, < 10 %). A third replays the same article pages saved as a folder
of .html files (with .url sidecars), 1,000 vs 10,000 of them: a folder of saved pages is an archive too (same
target).
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
from newscrawl.archive.warc import ArchivedExchange, iter_archive

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


def saved_pages(options: Options, n: int) -> Source:
    """The HTML pages answered 200 in archive(n), saved as a folder of .html files with .url sidecars, cached."""
    folder = cache_root(options) / f"saved-{n}"
    if not (folder / "complete").exists():
        note(f"saving the pages of archive({n}) as a folder (once per cache version)")
        temporary = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(temporary, ignore_errors=True)
        temporary.mkdir(parents=True)
        for number, exchange in enumerate(iter_archive(archive(options, n))):
            if isinstance(exchange, ArchivedExchange) and exchange.status == 200 and any(
                    "html" in value for value in exchange.header_values("Content-Type")):
                (temporary / f"page-{number:06d}.html").write_bytes(exchange.decoded_body())
                (temporary / f"page-{number:06d}.url").write_text(exchange.url + "\n", encoding="utf-8")
        (temporary / "complete").touch()
        shutil.rmtree(folder, ignore_errors=True)
        temporary.rename(folder)
    return Source(folder.resolve(), "devdiscourse", f"{n}-article archive saved as a folder of pages")


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
    saved = {n: replay_source(saved_pages(options, n)) for n in (small, large)}
    saved_growth = (saved[large].maxrss_mib - saved[small].maxrss_mib) / saved[small].maxrss_mib
    saved_verdict = verdict(saved_growth, TARGET_GROWTH)
    result["saved"] = {**{str(n): {"items": crawl.stat("item_scraped_count"),
                                   "peak_rss_mib": round(crawl.maxrss_mib, 1)} for n, crawl in saved.items()},
                       "growth": round(saved_growth, 4), "verdict": saved_verdict}
    rendered += (f"\npeak RSS growth {small:,} → {large:,} saved pages (a folder of .html files): "
                 f"{saved[small].maxrss_mib:.0f} → {saved[large].maxrss_mib:.0f} MiB, {saved_growth:+.1%} "
                 f"({saved[small].stat('item_scraped_count'):,} and {saved[large].stat('item_scraped_count'):,} items; "
                 f"target < {TARGET_GROWTH:.0%}): {saved_verdict}")
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
