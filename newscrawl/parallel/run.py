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

from newscrawl.monitoring.report import RunReport
from newscrawl.parallel.merge import merge
from newscrawl.parallel.outcome import CrawlerFacts, SpiderFacts, examples_in_order, merged_examples, merged_stats
from newscrawl.parallel.recorder import FEED, PROCESS, SHARD_DIR_SETTING
from newscrawl.spiders.shard import SHARD_SETTING

logger = logging.getLogger(__name__)
stats_logger = logging.getLogger("scrapy.statscollectors")  # where a one-process crawl dumps its stats

JSON_LINES = ("jsonlines", "jsonl", "jl")
UNSUPPORTED_OPTIONS = ("fields", "item_filter", "item_classes", "batch_item_count", "postprocessing", "indent",
                       "uri_params", "item_export_kwargs")
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
    """One replay split across `jobs` processes (-a jobs=N): checked when built, carried out by run()."""

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
                cpu = self._wait(processes)
            merging = time.process_time()
            facts = [json.loads((folder / PROCESS).read_text(encoding="utf-8")) for folder in folders]
            examples = merged_examples(facts)
            with ExitStack() as stack:
                outputs: list[IO[bytes]] = []
                for target in self.targets:
                    target.path.parent.mkdir(parents=True, exist_ok=True)
                    outputs.append(stack.enter_context(open(target.path, "wb" if target.overwrite else "ab")))
                counts = merge(folders, outputs, self.settings, self.encoding or "utf-8",
                               locate={url for fields in examples.values() for urls in fields.values()
                                       for url in urls})
            stats = merged_stats(facts, counts, len(self.targets), started, time.perf_counter() - clock)
            self._report(stats, facts[0], examples_in_order(examples, counts))
            logger.info("Parallel replay: %(jobs)d processes, CPU seconds %(cpu)s; merge %(merge).1f s CPU, "
                        "%(rewritten)d story_id lines rewritten, %(duplicates)d cross-process duplicates dropped",
                        {"jobs": self.jobs, "cpu": ", ".join(f"{seconds:.1f}" for seconds in cpu),
                         "merge": time.process_time() - merging, "rewritten": counts.rewritten,
                         "duplicates": counts.duplicates})
            stats_logger.info("Dumping Scrapy stats:\n%(stats)s", {"stats": pprint.pformat(stats)})
            return stats
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def _wait(self, processes: list[subprocess.Popen[bytes]]) -> list[float]:
        """Wait for every process (reaped with wait4, for its CPU seconds); ProcessFailed as soon as one fails."""
        cpu: list[float] = [0.0] * len(processes)
        while True:
            for index, process in enumerate(processes):
                if process.returncode is not None:
                    continue
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                if pid == 0:
                    continue
                process.returncode = os.waitstatus_to_exitcode(status)
                cpu[index] = usage.ru_utime + usage.ru_stime
                if process.returncode != 0:
                    raise ProcessFailed(f"process {index + 1} of {self.jobs} of the parallel replay failed "
                                        f"(exit code {process.returncode}); no feed written")
            if all(process.returncode == 0 for process in processes):
                return cpu
            time.sleep(0.05)

    def _report(self, stats: dict[str, Any], facts: dict[str, Any], examples: dict[str, dict[str, list[str]]]
                ) -> None:
        crawler = CrawlerFacts(self.settings, stats, examples)
        RunReport(crawler).spider_closed(SpiderFacts(self.spider, facts), str(stats["finish_reason"]))


class ProcessFailed(RuntimeError):
    """One process of a parallel replay failed: the merged feed would miss its items."""


__all__ = ["ParallelReplay", "ProcessFailed"]
