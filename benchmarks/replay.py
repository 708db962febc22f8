"""replay: `scrapy crawl devdiscourse -a replay=<archive>` through every pipeline into JSON Lines, vs trafilatura and
vs the lxml parse floor on the same pages.

    python -m benchmarks replay [--articles 10000] [--sample 600] [--jobs N] [--rounds 2]
    python -m benchmarks replay --archive PATH [--spider news] [--sample 0] [--jobs N] [--rounds 2]

The archive is a live capture of a loopback mirror of corpus(N) (benchmarks/archives.py, cached), or with --archive
your own: a WARC file, a folder of WARCs or a folder of saved pages, replayed by --spider (devdiscourse, or news for
any outlet). The pages every contender then reads are the archived responses the replay made items of (matched by
each item's provenance, each parsed in process by the parser its item names); its results go to
results/replay-archive.json, leaving the bundled mirror's replay.json and the summary alone. N defaults to
10,000, the memory benchmark's large size, so `all` replays that archive once for both benchmarks. The replay's
rate is article pages per second of the crawl's own elapsed time (engine start to finish: archive indexing,
discovery replay, parsing, pipelines, feed export); interpreter start-up is excluded. trafilatura runs in a loop
over an evenly spaced sample of the same archived pages (all of them with --sample 0); the floor parses all pages,
before and after the replay (the better pass counts). Targets: newscrawl ≥ 3× trafilatura's pages/s; newscrawl's
time per page ≤ 2.5× the floor's. Verdicts compare CPU time per page, which other people's load on a shared machine
disturbs least; wall-clock figures are shown beside them. The in-process contenders' times leave out their
imports; the replay's CPU time is its whole command's, so the same command replaying a WARC that holds no page is
measured in the same rounds (start-up: interpreter, Scrapy, the spider opened and closed) and taken off: the
verdicts are per page net of that fixed cost, which on a small archive would otherwise weigh on every page (1.1 s
over 200 pages is 5.5 ms each). The whole command's figures are shown beside them.

Every contender runs --rounds times, the rounds in turn (a load spike then hits each contender rather than one),
and its least-disturbed round counts: the least CPU for one process, the shortest wall-clock for N; every round's
feed must be the same. Those verdicts are for a first replay, which builds the archive's index; a later replay of the same archive
reads that index from its cache (docs/archive.md), and is measured too (its own row and ratios).

The same archive is also replayed with `-a jobs=N` (N = every core this process may use, or --jobs), and its feed
must be byte-identical to the one-process feed. Its speed-up is the one-process run's wall-clock time over the
parallel one's, both whole commands (interpreter start-up included, as a user waits for it); CPU time there is the
parent's and its processes' together. On a shared machine the wall-clock ratio measures the others' load as much as
ours, so the speed-up on N free cores is also estimated from CPU times: one job's CPU time over the larger of the
critical path (the parent's CPU before it forks the processes and after the last ended, plus the busiest process's)
and all the CPU time over N. The load average around each replay is recorded. Target: 2 jobs ≥ 1.7× one job on 2
cores.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warcio.warcwriter import WARCWriter

from benchmarks import extractors
from benchmarks.archives import archive
from benchmarks.common import Options, best, note, table, timed, verdict, write_result
from benchmarks.crawls import CrawlRun, check, run_scrapy
from benchmarks.extractors import HtmlPage
from newscrawl.archive.replay import source_kind
from newscrawl.archive.savedhtml import SavedPage, iter_saved_html
from newscrawl.archive.warc import ArchivedExchange, ArchiveIndex, iter_archive
from newscrawl.meta import cache_root

TARGET_VS_TRAFILATURA = 3.0
TARGET_VS_FLOOR = 2.5
TARGET_JOBS_SPEEDUP = 1.7  # 2 jobs vs 1 job on 2 cores
_PROCESS_CPU = re.compile(r"Parallel replay: \d+ processes, CPU seconds (?P<cpu>[\d., ]+);")
_PARENT_CPU = re.compile(r"the parent's CPU seconds before the processes (?P<before>[\d.]+), while they ran "
                         r"(?P<during>[\d.]+), after them (?P<after>[\d.]+)")
_replays: dict[Key, CrawlRun] = {}
_feeds: dict[Key, str] = {}
_process_cpu: dict[Key, list[float]] = {}
_parent_cpu: dict[Key, dict[str, float]] = {}
_load_during: dict[Key, tuple[float, float]] = {}
"""1-minute load average before and after each replay: how busy the shared machine was around it."""


@dataclass(frozen=True)
class Source:
    """What is replayed: a WARC file, a folder of WARCs or a folder of saved pages, and the spider that reads it."""

    path: Path
    spider: str = "devdiscourse"
    label: str = "archive"


def mirror_source(options: Options, n: int) -> Source:
    """The cached capture of the bundled loopback mirror of corpus(n)."""
    return Source(archive(options, n).resolve(), "devdiscourse", f"{n}-article archive")


Key = tuple[Path, int, int]
"""(archive, jobs — negative for a replay from the cached index —, round)."""
_served: dict[Path, dict[str, str]] = {}
"""Per archive: the URL of each archived response the replay made an item of → the name of the parser that did."""


def replay(options: Options, n: int, jobs: int = 1, cached_index: bool = False, round_: int = 0) -> CrawlRun:
    """One replay of archive(n) in `jobs` processes; memoised per process, so `all` lets memory reuse replay's run."""
    return replay_source(mirror_source(options, n), jobs, cached_index, round_)


def replay_source(source: Source, jobs: int = 1, cached_index: bool = False, round_: int = 0) -> CrawlRun:
    """One replay of `source` in `jobs` processes, memoised per process.

    The archive's index is built by the replay itself (a first replay), unless `cached_index`: then it is read from
    the index cache a previous replay of the same archive left (built here first, outside the measurement)."""
    folder = source.path
    key = (folder, -jobs if cached_index else jobs, round_)
    if key not in _replays:
        with tempfile.TemporaryDirectory(prefix="newscrawl-replay-") as scratch:
            note(f"replaying the {source.label}" + (f" in {jobs} processes" if jobs > 1 else "")
                 + (", its index read from the cache" if cached_index else ""))
            extra = ["-a", f"jobs={jobs}"] if jobs > 1 else []
            if cached_index:
                ArchiveIndex.build(folder, cache_root())
            before = os.getloadavg()
            run = check(run_scrapy(Path(scratch), source.spider, "-a", f"replay={folder}", *extra,
                                   settings={"NEWSCRAWL_ARCHIVE_INDEX_CACHE": str(cached_index)}),
                        f"replay of the {source.label} ({jobs} jobs)")
            if cached_index and "read from its cache" not in run.log_path.read_text(encoding="utf-8"):
                raise RuntimeError("the replay did not read the archive index from its cache")
            (feed,) = Path(scratch).glob(f"output/{source.spider}/*.replay.jsonl")
            if folder not in _served:
                _served[folder] = served_pages(feed)
            log = run.log_path.read_text(encoding="utf-8", errors="replace")
            found = _PROCESS_CPU.search(log)
            if found:
                _process_cpu[key] = [float(value) for value in found.group("cpu").split(",")]
            parent = _PARENT_CPU.search(log)
            if parent:
                _parent_cpu[key] = {name: float(value) for name, value in parent.groupdict().items()}
            _feeds[key] = hashlib.sha256(feed.read_bytes()).hexdigest()
            _load_during[key] = (round(before[0], 2), round(os.getloadavg()[0], 2))
            run.workdir = folder  # the scratch folder is gone; keep the archive as the reference
            _replays[key] = run
    return _replays[key]


_startups: dict[tuple[str, int], CrawlRun] = {}


def startup(spider: str, round_: int = 0) -> CrawlRun:
    """The replay command with `spider` on a WARC holding only a warcinfo record (no page): its fixed cost."""
    key = (spider, round_)
    if key not in _startups:
        with tempfile.TemporaryDirectory(prefix="newscrawl-replay-startup-") as scratch:
            empty = Path(scratch) / "no-page.warc.gz"
            with empty.open("wb") as out:
                writer = WARCWriter(out, gzip=True)
                writer.write_record(writer.create_warcinfo_record(empty.name, {"software": "newscrawl benchmarks"}))
            note(f"replaying a WARC of no page with the {spider} spider (start-up)")
            _startups[key] = check(run_scrapy(Path(scratch), spider, "-a", f"replay={empty}"),
                                   f"replay of a WARC of no page ({spider})")
    return _startups[key]


def feed_digest(folder: Path, jobs: int = 1) -> str:
    """SHA-256 of the feed of the first replay of `folder` in `jobs` processes that ran in this process."""
    return _feeds[(folder, jobs, 0)]


def served_pages(feed: Path) -> dict[str, str]:
    """From a replay's feed: the URL of each archived response that became an item → the parser that read it."""
    served: dict[str, str] = {}
    with feed.open(encoding="utf-8") as lines:
        for line in lines:
            provenance = json.loads(line).get("provenance") or {}
            if provenance.get("response_url"):
                served.setdefault(provenance["response_url"], provenance.get("parser") or "devdiscourse")
    return served


def pages_made_items(source: Source) -> list[HtmlPage]:
    """The archived responses the replay of `source` made items of, once each (the first capture of a URL), each
    with the parser its item names: what the in-process contenders read, for any archive."""
    served = _served[source.path]
    found: dict[str, HtmlPage] = {}
    if source_kind(source.path) == "warc":
        for item in iter_archive(source.path):
            if (isinstance(item, ArchivedExchange) and item.status == 200 and item.url in served
                    and item.url not in found):
                found[item.url] = HtmlPage(item.url, item.decoded_body(), served[item.url])
    else:
        for page in iter_saved_html(source.path):
            if isinstance(page, SavedPage) and page.url in served and page.url not in found:
                found[page.url] = HtmlPage(page.url, page.body, served[page.url])
    return list(found.values())


def run(options: Options, n: int = 10000, sample: int = 600, jobs: int | None = None, rounds: int = 2,
        source: Source | None = None) -> dict[str, Any]:
    """The replay benchmark on the bundled mirror's corpus(n) archive, or on `source` (a user's own archive)."""
    jobs = jobs or max(2, len(os.sched_getaffinity(0)))
    if options.quick:
        n, sample, rounds = min(n, 30), min(sample, 10), 1
    mirror = source is None
    source = source or mirror_source(options, n)
    key = source.path
    indexed = source_kind(key) == "warc"  # a folder of saved pages has no archive index to cache
    # Rounds in turn (one job, N jobs, from the cached index, then the floor over the pages they made items of;
    # again), so a load spike hits every contender rather than one; each contender's least-disturbed round counts
    # (by CPU for one process, by wall-clock for N).
    floor_runs = []
    pages: list[HtmlPage] = []
    for round_ in range(rounds):
        replay_source(source, round_=round_)
        startup(source.spider, round_)
        replay_source(source, jobs, round_=round_)
        if indexed:
            replay_source(source, cached_index=True, round_=round_)
        pages = pages or pages_made_items(source)
        note(f"replay: floor over {len(pages)} pages")
        floor_runs.append(timed(lambda: extractors.floor(pages)))
    if len({feed for feed_key, feed in _feeds.items() if feed_key[0] == key}) != 1:
        raise RuntimeError("the replays of one archive (1 and N jobs, cached index, every round) wrote different feeds")
    one = min(range(rounds), key=lambda r: _replays[(key, 1, r)].cpu)
    many = min(range(rounds), key=lambda r: _replays[(key, jobs, r)].wall)
    crawl, parallel = _replays[(key, 1, one)], _replays[(key, jobs, many)]
    again = min((_replays[(key, -1, r)] for r in range(rounds)), key=lambda run: run.cpu) if indexed else None
    items = crawl.stat("item_scraped_count")
    if not pages:
        raise RuntimeError(f"the replay of the {source.label} made no item of an archived page: nothing to compare")
    if mirror and items != len(pages):  # one item per article page: the benchmark reads what it should
        raise RuntimeError(f"replay emitted {items} items for {len(pages)} archived article pages")
    step = max(1, len(pages) // sample) if sample else 1
    sampled = pages[::step]
    note(f"replay: newscrawl's parser and trafilatura over {len(sampled)} of the pages")
    floor = best(floor_runs)
    ours_in_process = best([timed(lambda: extractors.newscrawl(sampled)) for _ in range(rounds)])
    have_trafilatura = extractors.trafilatura_available()
    traf = best([timed(lambda: extractors.trafilatura(sampled)) for _ in range(rounds)]) if have_trafilatura else None

    def per_page(seconds: float, count: int) -> float:
        return seconds / count * 1000

    fixed = min((_startups[(source.spider, r)] for r in range(rounds)), key=lambda run: run.cpu)
    replay_ms, whole_cpu_ms = per_page(crawl.elapsed, items), per_page(crawl.cpu, items)
    replay_cpu_ms = per_page(max(crawl.cpu - fixed.cpu, 0.001), items)  # never 0: ratios divide by it
    # The replay from the cached index is measured like the first one (the crawl's own elapsed time, CPU net of the
    # same start-up), so its row compares with the row above it rather than with the whole command.
    again_cpu_ms = per_page(max(again.cpu - fixed.cpu, 0.001), items) if again else None
    # Per page the replay made an item of, for every contender; a foreign archive's replay also reads its other
    # records (listings, feeds, pages that are not articles), which counts against newscrawl here.
    floor_ms, floor_cpu_ms = per_page(floor.wall, len(pages)), per_page(floor.cpu, len(pages))
    rows: list[list[Any]] = [
        ["newscrawl replay, 1 job (scrapy crawl, all pipelines, JSONL), net of start-up", items, 1000 / replay_ms,
         replay_ms, replay_cpu_ms],
        ["  the whole command, start-up included", items, items / crawl.wall, per_page(crawl.wall, items),
         whole_cpu_ms],
        [f"newscrawl replay, {jobs} jobs, the whole command (same feed, byte for byte)", items, items / parallel.wall,
         per_page(parallel.wall, items), per_page(parallel.cpu, items)],
        *([["newscrawl replay again, 1 job, index read from its cache (same feed), net of start-up", items,
            items / again.elapsed, per_page(again.elapsed, items), again_cpu_ms]] if again and again_cpu_ms else []),
        ["  its parser + cleaning alone (in process)", len(sampled), len(sampled) / ours_in_process.wall,
         per_page(ours_in_process.wall, len(sampled)), per_page(ours_in_process.cpu, len(sampled))],
        ["floor: lxml.html.fromstring", len(pages), 1000 / floor_ms, floor_ms, floor_cpu_ms],
    ]
    vs_floor = replay_cpu_ms / floor_cpu_ms
    result: dict[str, Any] = {
        "rounds": rounds, "round_cpu_s": {
            label: [round(_replays[(key, code, r)].cpu, 2) for r in range(rounds)]
            for label, code in (("1 job", 1), (f"{jobs} jobs", jobs), ("1 job, cached index", -1))
            if (key, code, 0) in _replays},
        "archive": "bundled mirror" if mirror else str(source.path), "spider": source.spider,
        "articles": items, "pages_compared": len(pages), "archive_requests": crawl.stat("newscrawl/replay/hits"),
        "replay": {"elapsed_s": round(crawl.elapsed, 2), "wall_s": round(crawl.wall, 2), "cpu_s": round(crawl.cpu, 2),
                   "pages_per_s": round(1000 / replay_ms, 1), "ms_per_page": round(replay_ms, 3),
                   "cpu_ms_per_page": round(replay_cpu_ms, 3), "whole_command_cpu_ms_per_page": round(whole_cpu_ms, 3),
                   "peak_rss_mib": round(crawl.maxrss_mib, 1)},
        "startup_cpu_s": round(fixed.cpu, 2),
        "startup_note": "CPU of the same command replaying a WARC of no page; taken off the replay's CPU for the "
                        "per-page verdicts (the in-process contenders' imports are not timed either)",
        "parser_in_process_cpu_ms_per_page": round(per_page(ours_in_process.cpu, len(sampled)), 3),
        "floor_cpu_ms_per_page": round(floor_cpu_ms, 3),
        "replay_vs_floor": round(vs_floor, 2), "replay_vs_floor_wall": round(replay_ms / floor_ms, 2),
        "target_vs_floor": TARGET_VS_FLOOR, "verdict_vs_floor": verdict(vs_floor, TARGET_VS_FLOOR),
    }
    later = "; a later replay of the same archive, its index read from the cache: "
    if again and again_cpu_ms:
        result["replay_cached_index"] = {"elapsed_s": round(again.elapsed, 2), "cpu_s": round(again.cpu, 2),
                                         "cpu_ms_per_page": round(again_cpu_ms, 3),
                                         "vs_floor": round(again_cpu_ms / floor_cpu_ms, 2)}
    speedup_jobs = crawl.wall / parallel.wall
    # On a machine others share, wall-clock speed-up says more about their load than about ours. What N free cores
    # would give is estimated from CPU times: the critical path is the parent's serial CPU (before it forks the
    # processes, and after the last one ended) plus the busiest process's; but N cores cannot do the run's whole CPU
    # time (processes and the parent's merge while they run) in less than that total over N. The larger counts.
    children = _process_cpu.get((key, jobs, many), [])
    parent = _parent_cpu.get((key, jobs, many))
    serial = parent["before"] + parent["after"] if parent else parallel.cpu - sum(children)
    critical = serial + max(children, default=0.0)
    spread = parallel.cpu / jobs
    estimate = max(critical, spread)
    speedup_cpu = crawl.cpu / estimate if estimate else 0.0
    result.update({"jobs": jobs, "jobs_identical_feed": True,
                   "replay_1_job_wall_s": round(crawl.wall, 2),
                   "replay_n_jobs": {"wall_s": round(parallel.wall, 2), "cpu_s": round(parallel.cpu, 2),
                                     "elapsed_s": round(parallel.elapsed, 2)},
                   "speedup_n_jobs_vs_1_wall": round(speedup_jobs, 2),
                   "process_cpu_s": children, "critical_path_cpu_s": round(critical, 2),
                   "parent_cpu_s": parent or {}, "total_cpu_over_jobs_s": round(spread, 2),
                   "loadavg_during_n_jobs": list(_load_during.get((key, jobs, many), ())),
                   "jobs_note": "wall-clock speed-up depends on what else the machine runs (load average in "
                                "machine.loadavg); the CPU critical path estimates N free cores",
                   "speedup_n_jobs_vs_1_cpu_critical_path": round(speedup_cpu, 2), "target_jobs_speedup": TARGET_JOBS_SPEEDUP,
                   "verdict_jobs_speedup": verdict(speedup_jobs, TARGET_JOBS_SPEEDUP, lower_is_better=False),
                   "verdict_jobs_speedup_cpu": verdict(speedup_cpu, TARGET_JOBS_SPEEDUP, lower_is_better=False)})
    summary = [(f"replay / floor CPU time per page = {vs_floor:.2f}× ({replay_ms / floor_ms:.2f}× wall; target ≤ "
                f"{TARGET_VS_FLOOR}×): {result['verdict_vs_floor']}"
                + (f"{later}{again_cpu_ms / floor_cpu_ms:.2f}×" if again_cpu_ms else "")
                + f"; the whole command, start-up included: {whole_cpu_ms / floor_cpu_ms:.2f}×")]
    if traf is not None:
        traf_ms, traf_cpu_ms = per_page(traf.wall, len(sampled)), per_page(traf.cpu, len(sampled))
        rows.append(["trafilatura bare_extraction (loop)", len(sampled), 1000 / traf_ms, traf_ms, traf_cpu_ms])
        speedup = traf_cpu_ms / replay_cpu_ms
        result.update({"trafilatura_sample": len(sampled), "trafilatura_cpu_ms_per_page": round(traf_cpu_ms, 3),
                       "speedup_vs_trafilatura": round(speedup, 2),
                       "speedup_vs_trafilatura_whole_command": round(traf_cpu_ms / whole_cpu_ms, 2),
                       "speedup_vs_trafilatura_wall": round(traf_ms / replay_ms, 2),
                       "target_vs_trafilatura": TARGET_VS_TRAFILATURA,
                       "verdict_vs_trafilatura": verdict(speedup, TARGET_VS_TRAFILATURA, lower_is_better=False)})
        summary.insert(0, f"newscrawl replay is {speedup:.2f}× as fast as trafilatura per page, by CPU "
                          f"({traf_ms / replay_ms:.2f}× wall; target ≥ {TARGET_VS_TRAFILATURA}×): "
                          f"{result['verdict_vs_trafilatura']}"
                          + (f"{later}{traf_cpu_ms / again_cpu_ms:.2f}×" if again_cpu_ms else "")
                          + f"; the whole command, start-up included ({fixed.cpu:.1f} s of CPU for a WARC of no "
                            f"page): {traf_cpu_ms / whole_cpu_ms:.2f}×")
    else:
        note("replay: trafilatura is not installed (pip install trafilatura); that comparison is skipped")
    title = (f"replay — archive of {items} article pages" if mirror else
             f"replay — {source.path} by the {source.spider} spider: {items} items from {len(pages)} pages")
    rendered = table(f"{title} ({crawl.stat('newscrawl/replay/hits')} records replayed)",
                     ["what", "pages", "pages/s", "wall ms/page", "CPU ms/page"], rows)
    summary.append(f"{jobs} jobs vs 1 job, whole command wall-clock = {speedup_jobs:.2f}× ({crawl.wall:.1f} s → "
                   f"{parallel.wall:.1f} s; target ≥ {TARGET_JOBS_SPEEDUP}× for 2 jobs on 2 cores): "
                   f"{result['verdict_jobs_speedup']}; feeds byte-identical")
    summary.append(f"{jobs} jobs vs 1 job on {jobs} free cores, estimated from CPU: 1 job's CPU time ÷ the larger of "
                   f"(the parent's serial CPU + the busiest process's) = {critical:.1f} s and (all CPU ÷ {jobs}) = "
                   f"{spread:.1f} s: {speedup_cpu:.2f}× ({result['verdict_jobs_speedup_cpu']}; {crawl.cpu:.1f} s ÷ "
                   f"{estimate:.1f} s; processes "
                   f"{', '.join(f'{value:.1f}' for value in children)} s, the parent {serial:.1f} s serial"
                   + (f" + {parent['during']:.1f} s merging while they ran" if parent else "") + ")")
    rendered += "\n\n" + "\n".join(summary)
    write_result(options, "replay" if mirror else "replay-archive", result, rendered)
    return result


def main(argv: list[str] | None = None, options: Options | None = None) -> int:
    cli = argparse.ArgumentParser(prog="python -m benchmarks replay", description=__doc__.splitlines()[0])
    cli.add_argument("--articles", type=int, default=10000)
    cli.add_argument("--sample", type=int, default=600, help="trafilatura sample size (0: every page)")
    cli.add_argument("--jobs", type=int, default=None, help="processes of the parallel replay (default: every core)")
    cli.add_argument("--rounds", type=int, default=2, help="runs of each contender; the least disturbed counts")
    cli.add_argument("--archive", type=Path, default=None,
                     help="your own WARC file, folder of WARCs or folder of saved pages instead of the bundled mirror")
    cli.add_argument("--spider", default="devdiscourse", help="the spider that replays --archive (news: any outlet)")
    args = cli.parse_args(argv)
    source = None
    if args.archive is not None:
        try:
            source_kind(args.archive)
        except (ValueError, OSError) as exc:
            cli.error(str(exc))
        source = Source(args.archive.resolve(), args.spider, f"archive {args.archive}")
    run(options or Options(), args.articles, args.sample, args.jobs, max(1, args.rounds), source)
    return 0
