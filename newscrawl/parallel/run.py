"""The parent of a parallel replay: fork N processes that replay shares of the archive, then write the feeds and the
run report as the one-process replay would have written them (docs/parallel.md).

The processes are forked from the `scrapy crawl` command before its crawler process and reactor exist (commands/
crawl.py calls fork() from process_options), so each starts with every module imported and the settings read: a
fresh interpreter paid that start-up again per process, on the critical path. Each process then goes on as a normal
`scrapy crawl` of its share: it replays discovery in full, fetches every N-th released article (spiders/shard.py)
through all pipelines into a private JSON Lines feed, and records its items' places (recorder.py). When all have
finished, merge.py streams their items into the user's feeds in the one-process order. The processes die with the
parent (SIGTERM on the parent's death), and their scratch folder is removed however the run ends, so a killed replay
leaves no processes and no scratch files behind; its feeds, written only after every process finished, are then not
written.
"""

from __future__ import annotations

import json
import logging
import os
import pprint
import shutil
import signal
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from newscrawl.archive.budget import UnpackLimits
from newscrawl.archive.replay import warc_files
from newscrawl.archive.warc import build_ahead, drop_built_ahead
from newscrawl.meta import FATAL_ERROR_STAT, archive_index_cache
from newscrawl.monitoring.report import RunReport
from newscrawl.parallel.feeds import feed_targets
from newscrawl.parallel.merge import MergeCounts, first_places, merge
from newscrawl.parallel.outcome import (CrawlerFacts, SpiderFacts, examples_in_order, merged_damaged_inputs,
                                        merged_examples, merged_stats)
from newscrawl.parallel.recorder import FEED, PROCESS, SHARD_DIR_SETTING, shard_pipelines
from newscrawl.parallel.stream import StreamingMerge
from newscrawl.processes import die_with_parent
from newscrawl.spiders.shard import SHARD_SETTING
from newscrawl.spiders.versions import log_versions_summary

logger = logging.getLogger(__name__)
stats_logger = logging.getLogger("scrapy.statscollectors")  # where a one-process crawl dumps its stats

SCRATCH_PREFIX = "newscrawl-jobs-"
UNBUFFERED_FEED = "newscrawl.distributed.feeds.UnbufferedFileFeedStorage"
"""A process's private feed: each line reaches the file in one write, for the parent's merge as it runs."""
SPOOL = "merged.jsonl"
POLL_SECONDS = 0.05


def remove_orphaned_scratch(folder: Path) -> None:
    """Scratch folders of parallel replays whose parent is gone (killed with -9, which no handler sees)."""
    for path in folder.glob(f"{SCRATCH_PREFIX}*-*"):
        pid = path.name.removeprefix(SCRATCH_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(path, ignore_errors=True)


@dataclass
class Worker:
    """One forked process of the replay and what its end told the parent."""

    pid: int
    folder: Path
    returncode: int | None = None
    cpu: float = 0.0
    """User + system CPU seconds (wait4's rusage; a forked process counts from the fork)."""


class ParallelReplay:
    """One replay split across `jobs` processes (-a jobs=N): checked when built, forked by fork(), finished (waited
    for, merged, reported) by finish()."""

    def __init__(self, settings: Any, spider_class: type, spider_args: dict[str, str], jobs: int) -> None:
        self.settings = settings
        self.spider_args = {name: value for name, value in spider_args.items() if name != "jobs"}
        # -a replay unpacked within the crawl's limits, as a one-process replay's spider unpacks it (from_crawler):
        # under the default limits it was another cache folder, so another input, crawl id and feed name
        self.spider = spider_class(unpack_limits=UnpackLimits.from_settings(settings), **self.spider_args)
        """Never crawls: names the run (crawl id, feed name) and its default feed as a one-process replay's spider
        does; the processes' spiders leave that to it (they write private feeds)."""
        self.naming = self.spider.name_replay(settings)
        """A warning about the name its feed and report took, logged once Scrapy has set up logging (finish)."""
        self.jobs = jobs
        self.targets, self.encoding = feed_targets(settings, self.spider)
        self.workers: list[Worker] = []
        self.scratch: Path | None = None
        self.cpu_before = 0.0
        """The parent's CPU seconds up to the fork: start-up and checks, paid once before any process works."""
        self.cpu_during = 0.0
        """The parent's CPU seconds while the processes ran: the streamed merge, on a core of its own or shared."""
        self._started = datetime.now(timezone.utc)
        self._clock = time.perf_counter()
        self._previous_sigterm: Any = None
        self.stream: StreamingMerge | None = None
        self._spool: IO[bytes] | None = None

    def fork(self) -> int | None:
        """Fork the processes. In each process: its index, with the settings turned into its share's (the caller
        goes on to crawl); in the parent: None."""
        self._started, self._clock = datetime.now(timezone.utc), time.perf_counter()
        remove_orphaned_scratch(Path(tempfile.gettempdir()))
        self.scratch = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-"))
        parent = os.getpid()
        sys.stdout.flush()
        sys.stderr.flush()
        self._previous_sigterm = signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
        replay = Path(self.spider_args.get("replay") or "")
        try:
            if replay.name and warc_files(replay):
                # Once here, not once per process: each inherits it with the fork.
                build_ahead(replay, archive_index_cache(self.settings), self.jobs)
        except OSError:  # the input cannot be read at all (wholegzip.PlainCopyRefused): nothing forked yet
            self._stop_all()
            shutil.rmtree(self.scratch, ignore_errors=True)
            raise
        try:
            for index in range(self.jobs):
                folder = self.scratch / str(index)
                folder.mkdir()
                pid = os.fork()
                if pid == 0:
                    self._become(index, folder, parent)
                    return index
                self.workers.append(Worker(pid, folder))
        except BaseException:
            self._stop_all()
            raise
        drop_built_ahead()
        self._spool = open(self.scratch / SPOOL, "w+b")
        self.stream = StreamingMerge([worker.folder for worker in self.workers], self._spool, self.settings,
                                     self.encoding or "utf-8")
        self.cpu_before = time.process_time()
        return None

    def _become(self, index: int, folder: Path, parent: int) -> None:
        """In process `index`: die with the parent, read no terminal input, crawl the share into `folder`."""
        signal.signal(signal.SIGTERM, self._previous_sigterm)
        die_with_parent(parent)
        self.workers = []
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        settings = self.settings
        internal = {str(folder / FEED): {"format": "jsonlines", "encoding": self.encoding, "overwrite": True}}
        for name, value in ((SHARD_SETTING, f"{index}/{self.jobs}"), (SHARD_DIR_SETTING, str(folder)),
                            ("FEEDS", internal), ("NEWSCRAWL_REPORT_PATH", str(folder / "report.json")),
                            ("ITEM_PIPELINES", shard_pipelines(settings)),
                            ("FEED_STORAGES", {"": UNBUFFERED_FEED, "file": UNBUFFERED_FEED})):
            settings.set(name, value, priority="cmdline")

    def finish(self) -> dict[str, Any]:
        """Wait for the processes, write the feeds and the report; the merged stats (raises on a failed process)."""
        assert self.scratch is not None, "fork() first"
        if self.naming:
            logger.warning("%(naming)s", {"naming": self.naming})
        folders = [worker.folder for worker in self.workers]
        try:
            self._wait()
            merging = time.process_time()
            facts = [json.loads((folder / PROCESS).read_text(encoding="utf-8")) for folder in folders]
            examples = merged_examples(facts)
            counts = self._merge(folders)
            counts.ranks = first_places(folders, {url for fields in examples.values() for urls in fields.values()
                                                  for url in urls})
            stats = merged_stats(facts, counts, len(self.targets), self._started, time.perf_counter() - self._clock)
            self._report(stats, {**facts[0], "damaged_inputs": merged_damaged_inputs(facts)},
                         examples_in_order(examples, counts))
            logger.info("Parallel replay: %(jobs)d processes, CPU seconds %(cpu)s; merge %(merge).1f s CPU, "
                        "%(rewritten)d story_id lines rewritten, %(duplicates)d cross-process duplicates dropped, "
                        "%(streamed)d entries merged while the processes ran; "
                        "the parent's CPU seconds before the processes %(before).2f, while they ran %(during).2f, after "
                        "them %(after).2f",
                        {"jobs": self.jobs, "cpu": ", ".join(f"{worker.cpu:.2f}" for worker in self.workers),
                         "merge": time.process_time() - merging, "rewritten": counts.rewritten,
                         "duplicates": counts.duplicates,
                         "streamed": self.stream.merged_while_running if self.stream is not None else 0, "before": self.cpu_before, "during": self.cpu_during,
                         "after": time.process_time() - merging})
            if self.spider_args.get("versions") == "all":  # its processes leave the line to the parent
                log_versions_summary(stats)
            stats_logger.info("Dumping Scrapy stats:\n%(stats)s", {"stats": pprint.pformat(stats)})
            return stats
        finally:
            self._stop_all()
            if self.stream is not None:
                self.stream.close()
            if self._spool is not None:
                self._spool.close()
            shutil.rmtree(self.scratch, ignore_errors=True)

    def _merge(self, folders: list[Path]) -> MergeCounts:
        """The merged feed into every output: the streamed merge's spool, or (when the stream broke its promise)
        a merge of everything again."""
        assert self.stream is not None and self._spool is not None
        streamed = self.stream.finish()
        with ExitStack() as stack:
            outputs: list[IO[bytes]] = []
            for target in self.targets:
                if target.path is None:
                    sys.stdout.flush()
                    outputs.append(sys.stdout.buffer)  # not closed: the command's own output stream
                    stack.callback(sys.stdout.buffer.flush)
                    continue
                target.path.parent.mkdir(parents=True, exist_ok=True)
                outputs.append(stack.enter_context(open(target.path, "wb" if target.overwrite else "ab")))
            if not streamed:
                logger.info("Parallel replay: the merge while the processes ran was out of order; merged again")
                return merge(folders, outputs, self.settings, self.encoding or "utf-8")
            for output in outputs:
                self._spool.seek(0)
                shutil.copyfileobj(self._spool, output, 1 << 20)
            return self.stream.merger.counts

    def _wait(self) -> None:
        """Wait for every process (reaped with wait4, for its CPU seconds); ProcessFailed as soon as one fails."""
        while True:
            for index, worker in enumerate(self.workers):
                if worker.returncode is not None:
                    continue
                pid, status, usage = os.wait4(worker.pid, os.WNOHANG)
                if pid == 0:
                    continue
                worker.returncode = os.waitstatus_to_exitcode(status)
                worker.cpu = usage.ru_utime + usage.ru_stime
                if worker.returncode != 0:
                    raise ProcessFailed(f"process {index + 1} of {self.jobs} of the parallel replay failed "
                                        f"(exit code {worker.returncode}{_cause(worker.folder)}); no feed written")
            if all(worker.returncode == 0 for worker in self.workers):
                self.cpu_during = time.process_time() - self.cpu_before
                return
            if self.stream is not None:
                self.stream.poll()
            time.sleep(POLL_SECONDS)

    def _stop_all(self) -> None:
        """Stop and reap every process still running (SIGTERM, then SIGKILL after 30 s); restore SIGTERM."""
        if self._previous_sigterm is not None:
            signal.signal(signal.SIGTERM, self._previous_sigterm)
            self._previous_sigterm = None
        running = [worker for worker in self.workers if worker.returncode is None]
        for worker in running:
            try:
                os.kill(worker.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 30
        for worker in running:
            while worker.returncode is None:
                try:
                    pid, status = os.waitpid(worker.pid, os.WNOHANG if time.monotonic() < deadline else 0)
                except ChildProcessError:  # reaped already
                    worker.returncode = -1
                    break
                if pid:
                    worker.returncode = os.waitstatus_to_exitcode(status)
                elif time.monotonic() >= deadline:
                    os.kill(worker.pid, signal.SIGKILL)
                else:
                    time.sleep(0.05)

    def _report(self, stats: dict[str, Any], facts: dict[str, Any], examples: dict[str, dict[str, list[str]]]
                ) -> None:
        crawler = CrawlerFacts(self.settings, stats, examples)
        RunReport(crawler).spider_closed(SpiderFacts(self.spider, facts), str(stats["finish_reason"]))


def _cause(folder: Path) -> str:
    """What stopped a failed process, when it got as far as saying so (a full disk, a full scratch folder, …)."""
    try:
        facts = json.loads((folder / PROCESS).read_text(encoding="utf-8"))
        reason, detail = facts["reason"], facts["stats"].get(FATAL_ERROR_STAT)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return ""
    if reason == "finished":
        return f": {detail}" if detail else ""
    return f": it stopped early ({reason}): {detail}" if detail else f": it stopped early ({reason})"


class ProcessFailed(RuntimeError):
    """One process of a parallel replay failed: the merged feed would miss its items."""


__all__ = ["ParallelReplay", "ProcessFailed"]
