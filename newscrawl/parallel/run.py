"""The parent of a parallel replay: start N `scrapy crawl` processes on shares of the archive, then write the feeds
and the run report as the one-process replay would have written them (docs/parallel.md).

Each process replays discovery in full, fetches every N-th released article (spiders/shard.py) through all pipelines
into a private JSON Lines feed, and records its items' places (recorder.py). When all have finished, merge.py
streams their items into the user's feeds in the one-process order. The processes die with the parent (SIGTERM on
the parent's death), and their scratch folder is removed however the run ends, so a killed replay leaves no
processes and no scratch files behind; its feeds, written only after every process finished, are then not written.
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import pprint
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from scrapy.exceptions import UsageError
from scrapy.settings import SETTINGS_PRIORITIES

from newscrawl.monitoring.coverage import MAX_EXAMPLES
from newscrawl.monitoring.report import RunReport
from newscrawl.parallel.merge import MergeCounts, merge
from newscrawl.parallel.recorder import FEED, PROCESS, SHARD_DIR_SETTING
from newscrawl.spiders.shard import SHARD_SETTING

logger = logging.getLogger(__name__)
stats_logger = logging.getLogger("scrapy.statscollectors")  # where a one-process crawl dumps its stats

JSON_LINES = ("jsonlines", "jsonl", "jl")
UNSUPPORTED_OPTIONS = ("fields", "item_filter", "item_classes", "batch_item_count", "postprocessing", "indent",
                       "uri_params", "item_export_kwargs")
TIME_STATS = ("start_time", "finish_time", "elapsed_time_seconds", "finish_reason")
MAX_STATS = ("request_depth_max", "memusage/max", "memusage/startup")
REDONE_STATS = ("newscrawl/drift_fields", "newscrawl/run_status", "newscrawl/lineage/copies")
_PR_SET_PDEATHSIG = 1
SCRATCH_PREFIX = "newscrawl-jobs-"


@dataclass(frozen=True)
class FeedTarget:
    path: Path
    overwrite: bool


def feed_targets(settings: Any, spider: Any) -> tuple[list[FeedTarget], str | None]:
    """The local JSON Lines feeds to write and their shared encoding; UsageError for a feed this mode cannot write."""
    targets: list[FeedTarget] = []
    encodings: set[str | None] = set()
    for uri, options in settings.getdict("FEEDS").items():
        options = options or {}
        text = str(uri)
        problem = None
        if options.get("format") not in JSON_LINES:
            problem = f"its format is {options.get('format')!r}"
        elif "://" in text and not text.startswith("file://"):
            problem = "it is not a local file"
        elif any(options.get(name) for name in UNSUPPORTED_OPTIONS) or settings.getint(
                "FEED_EXPORT_BATCH_ITEM_COUNT"):
            problem = f"it sets one of {', '.join(UNSUPPORTED_OPTIONS)}"
        if problem:
            raise UsageError(f"-a jobs: a parallel replay writes plain local JSON Lines feeds only, and {text}: "
                             f"{problem}; use -a jobs=1 for it", print_help=False)
        encodings.add(options.get("encoding", settings.get("FEED_EXPORT_ENCODING")))
        targets.append(FeedTarget(Path(text.removeprefix("file://") % _UriParams(spider)),
                                  bool(options.get("overwrite", False))))
    if len(encodings) > 1:
        raise UsageError("-a jobs: the feeds of a parallel replay must share one encoding", print_help=False)
    return targets, next(iter(encodings), settings.get("FEED_EXPORT_ENCODING"))


class _UriParams(dict[str, Any]):
    """A feed URI's %(name)s placeholders, filled as Scrapy fills them: spider attributes, time and batch."""

    def __init__(self, spider: Any) -> None:
        now = datetime.now(timezone.utc)
        super().__init__(time=now.replace(microsecond=0).isoformat().replace(":", "-"),
                         batch_time=now.isoformat().replace(":", "-"), batch_id=1)
        self.spider = spider

    def __missing__(self, key: str) -> Any:
        return getattr(self.spider, key)


def child_settings(settings: Any) -> list[str]:
    """The -s settings the user gave on the command line, for every process (FEEDS excepted: each has its own)."""
    given: list[str] = []
    for name in settings:
        if name == "FEEDS" or settings.getpriority(name) != SETTINGS_PRIORITIES["cmdline"]:
            continue
        value = settings[name]
        try:
            text = value if isinstance(value, str) else json.dumps(value.copy_to_dict() if hasattr(
                value, "copy_to_dict") else value)
        except TypeError:
            text = str(value)
        given += ["-s", f"{name}={text}"]
    return given


def remove_orphaned_scratch(folder: Path) -> None:
    """Scratch folders of parallel replays whose parent is gone (killed with -9, which no handler sees)."""
    for path in folder.glob(f"{SCRATCH_PREFIX}*-*"):
        pid = path.name.removeprefix(SCRATCH_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(path, ignore_errors=True)


def _die_with_parent() -> None:
    """In each process, before exec: SIGTERM when the parent dies, even by kill -9."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@contextmanager
def _terminated_on_exit(processes: list[subprocess.Popen[bytes]]) -> Iterator[None]:
    previous = signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class ParallelReplay:
    def __init__(self, settings: Any, spider_class: type, spider_args: dict[str, str], jobs: int) -> None:
        self.settings = settings
        self.spider_args = {name: value for name, value in spider_args.items() if name != "jobs"}
        self.spider = spider_class(**self.spider_args)
        """Never crawls: names the run (crawl id, feed name) and its default feed as the processes' spiders do."""
        self.jobs = jobs
        self.targets, self.encoding = feed_targets(settings, self.spider)

    def command(self, index: int, folder: Path) -> list[str]:
        internal = {str(folder / FEED): {"format": "jsonlines", "encoding": self.encoding, "overwrite": True}}
        command = [sys.executable, "-m", "scrapy", "crawl", self.spider.name]
        for name, value in self.spider_args.items():
            command += ["-a", f"{name}={value}"]
        return [*command, *child_settings(self.settings), "-s", f"{SHARD_SETTING}={index}/{self.jobs}",
                "-s", f"{SHARD_DIR_SETTING}={folder}", "-s", f"FEEDS={json.dumps(internal)}",
                "-s", f"NEWSCRAWL_REPORT_PATH={folder / 'report.json'}"]

    def run(self) -> dict[str, Any]:
        """Run the processes and write the feeds and the report; the merged stats (raises on a failed process)."""
        started = datetime.now(timezone.utc)
        clock = time.perf_counter()
        remove_orphaned_scratch(Path(tempfile.gettempdir()))
        scratch = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-"))
        try:
            folders = [scratch / str(index) for index in range(self.jobs)]
            processes: list[subprocess.Popen[bytes]] = []
            with _terminated_on_exit(processes):
                for index, folder in enumerate(folders):
                    folder.mkdir()
                    processes.append(subprocess.Popen(self.command(index, folder), stdin=subprocess.DEVNULL,
                                                      preexec_fn=_die_with_parent))
                self._wait(processes)
            facts = [json.loads((folder / PROCESS).read_text(encoding="utf-8")) for folder in folders]
            examples = _examples(facts)
            with ExitStack() as stack:
                outputs: list[IO[bytes]] = []
                for target in self.targets:
                    target.path.parent.mkdir(parents=True, exist_ok=True)
                    outputs.append(stack.enter_context(open(target.path, "wb" if target.overwrite else "ab")))
                counts = merge(folders, outputs, self.settings, self.encoding or "utf-8",
                               locate={url for fields in examples.values() for urls in fields.values()
                                       for url in urls})
            stats = merged_stats(facts, counts, len(self.targets), started, time.perf_counter() - clock)
            self._report(stats, facts[0], _ordered_examples(examples, counts))
            stats_logger.info("Dumping Scrapy stats:\n%(stats)s", {"stats": pprint.pformat(stats)})
            return stats
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def _wait(self, processes: list[subprocess.Popen[bytes]]) -> None:
        while True:
            codes = [process.poll() for process in processes]
            failed = [(index, code) for index, code in enumerate(codes) if code not in (None, 0)]
            if failed:
                index, code = failed[0]
                raise ProcessFailed(f"process {index + 1} of {self.jobs} of the parallel replay failed "
                                    f"(exit code {code}); no feed written")
            if all(code == 0 for code in codes):
                return
            time.sleep(0.05)

    def _report(self, stats: dict[str, Any], facts: dict[str, Any], examples: dict[str, dict[str, list[str]]]
                ) -> None:
        crawler = _CrawlerFacts(self.settings, stats, examples)
        RunReport(crawler).spider_closed(_SpiderFacts(self.spider, facts), str(stats["finish_reason"]))


class ProcessFailed(RuntimeError):
    """One process of a parallel replay failed: the merged feed would miss its items."""


__all__ = ["ParallelReplay", "ProcessFailed"]


def merged_stats(facts: list[dict[str, Any]], counts: MergeCounts, feeds: int, started: datetime,
                 elapsed: float) -> dict[str, Any]:
    """The one-process run's stats: what every process counted alike once, plus each one's own work since release."""
    stats = {key: value for key, value in facts[0]["stats"].items() if key not in TIME_STATS + REDONE_STATS}
    for process in facts[1:]:
        before = process["stats_at_release"]
        if before is None:  # it released nothing: all it counted, every process counted
            continue
        for key, value in process["stats"].items():
            if key in TIME_STATS + REDONE_STATS or isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            if key in MAX_STATS:
                stats[key] = max(stats.get(key, value), value)
            elif value != before.get(key, 0):
                stats[key] = stats.get(key, 0) + value - before.get(key, 0)
    if counts.duplicates:
        for key, change in (("item_scraped_count", -1), ("item_dropped_count", 1),
                            ("item_dropped_reasons_count/DuplicateArticle", 1), ("newscrawl/items/new", -1)):
            stats[key] = stats.get(key, 0) + change * counts.duplicates
    if counts.copies:
        stats["newscrawl/lineage/copies"] = counts.copies
    for key in [key for key in stats if key.startswith("feedexport/")]:
        del stats[key]
    if feeds:
        stats["feedexport/success_count/FileFeedStorage"] = feeds
    reasons = [process["reason"] for process in facts if process["reason"] != "finished"]
    stats.update(start_time=started, finish_time=datetime.now(timezone.utc), elapsed_time_seconds=elapsed,
                 finish_reason=reasons[0] if reasons else "finished")
    return stats


def _examples(facts: list[dict[str, Any]]) -> dict[str, dict[str, list[str]]]:
    merged: dict[str, dict[str, list[str]]] = {}
    for process in facts:
        for outlet, fields in process["missing_examples"].items():
            for name, urls in fields.items():
                merged.setdefault(outlet, {}).setdefault(name, []).extend(urls)
    return merged


def _ordered_examples(examples: dict[str, dict[str, list[str]]], counts: MergeCounts
                      ) -> dict[str, dict[str, list[str]]]:
    """Each field's first examples in the one-process order (items not in the feed last)."""
    def place(url: str) -> tuple[int, int, int]:
        rank = counts.ranks.get(url)
        return (0, *rank) if rank is not None else (1, 0, 0)

    return {outlet: {name: sorted(urls, key=place)[:MAX_EXAMPLES] for name, urls in fields.items()}
            for outlet, fields in examples.items()}


class _StatsFacts:
    def __init__(self, stats: dict[str, Any]) -> None:
        self.stats = stats

    def get_stats(self) -> dict[str, Any]:
        return self.stats

    def set_value(self, key: str, value: Any) -> None:
        self.stats[key] = value


class _CoverageFacts:
    def __init__(self, examples: dict[str, dict[str, list[str]]]) -> None:
        self.missing_examples = examples


class _CrawlerFacts:
    """What RunReport reads of a crawler, for the merged run."""

    def __init__(self, settings: Any, stats: dict[str, Any], examples: dict[str, dict[str, list[str]]]) -> None:
        self.settings = settings
        self.stats = _StatsFacts(stats)
        self.coverage = _CoverageFacts(examples)


class _SpiderFacts:
    """What RunReport reads of a spider: the run's names from the stand-in spider, discovery facts from process 1."""

    def __init__(self, spider: Any, facts: dict[str, Any]) -> None:
        self.spider = spider
        self.name, self.crawl_id, self.mode = spider.name, spider.crawl_id, spider.mode
        self.discovered_count = facts["discovered"]
        self.damaged_inputs = facts["damaged_inputs"]
        self.discovery_failures = facts["discovery_failures"]

    def default_feed(self, settings: Any) -> str | None:
        return str(self.spider.default_feed(settings)) if self.spider.default_feed(settings) else None
