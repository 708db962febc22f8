"""Run a real `scrapy crawl` in a scratch folder and measure it from outside: wall time, the crawl's own elapsed
time, CPU time of exactly that process (wait4's rusage), its peak RSS and the final Scrapy stats.

Peak RSS is read from /proc/<pid>/status (VmHWM, polled), not from rusage's ru_maxrss: Linux carries ru_maxrss
across exec, so a child forked from a large benchmark process would report the parent's size. For the same reason
Scrapy's memusage/* stats (which read ru_maxrss of the crawl itself) are not used.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT

# A loopback mirror needs no politeness: no AutoThrottle, no delay (concurrency is set per benchmark).
NO_THROTTLE = {"AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0", "LOG_LEVEL": "INFO"}
_STAT_LINE = re.compile(r"^\s*'(?P<key>[^']+)':\s*(?P<value>.*?),?\s*$")


@dataclass
class CrawlRun:
    returncode: int
    wall: float
    """Seconds from process start to exit (interpreter start-up and imports included)."""
    cpu: float
    """User + system CPU seconds of the crawl process."""
    maxrss_mib: float
    """Peak resident set size of the crawl process (VmHWM)."""
    stats: dict[str, Any] = field(default_factory=dict)
    workdir: Path = Path(".")
    log_path: Path = Path(".")

    @property
    def elapsed(self) -> float:
        """The crawl's own duration (engine start → finish), Scrapy's elapsed_time_seconds."""
        return float(self.stats.get("elapsed_time_seconds") or self.wall)

    def stat(self, name: str, default: int = 0) -> int:
        return int(self.stats.get(name, default) or 0)

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]


def parse_stats(log: str) -> dict[str, Any]:
    """The final 'Dumping Scrapy stats' block as a dict (values Python can read literally; datetimes skipped)."""
    if "Dumping Scrapy stats:" not in log:
        return {}
    block = log.rsplit("Dumping Scrapy stats:", 1)[1]
    stats: dict[str, Any] = {}
    for line in block.splitlines()[1:]:
        if not line.startswith((" ", "{")) and stats:
            break
        match = _STAT_LINE.match(line.lstrip("{").rstrip("}"))
        if match:
            try:
                stats[match.group("key")] = ast.literal_eval(match.group("value").rstrip("}").rstrip(","))
            except (ValueError, SyntaxError):
                continue
    return stats


def run_scrapy(workdir: Path, spider: str, *args: str, settings: dict[str, str] | None = None,
               settings_module: str = "newscrawl.settings", timeout: float = 600) -> CrawlRun:
    """`python -m scrapy crawl SPIDER ARGS -s K=V…` with cwd=workdir; measured with os.wait4."""
    workdir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "scrapy", "crawl", spider, *args]
    for name, value in {**NO_THROTTLE, **(settings or {})}.items():
        command += ["-s", f"{name}={value}"]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": settings_module, "PYTHONHASHSEED": "0",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    log_path = workdir / "crawl.log"
    start = time.perf_counter()
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(command, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        watcher = _PeakRss(process.pid)
        watcher.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
            watcher.done.set()
            watcher.join()
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4: tell Popen
    wall = time.perf_counter() - start
    stats = parse_stats(log_path.read_text(encoding="utf-8", errors="replace"))
    return CrawlRun(process.returncode, wall, usage.ru_utime + usage.ru_stime, watcher.peak_kib / 1024, stats,
                    workdir, log_path)


class _PeakRss(threading.Thread):
    """Polls VmHWM (the kernel's own high-water mark of resident memory) until the process exits."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(name=f"peak-rss-{pid}", daemon=True)
        self.path = Path(f"/proc/{pid}/status")
        self.interval = interval
        self.peak_kib = 0
        self.done = threading.Event()

    def run(self) -> None:
        while True:
            try:
                status = self.path.read_text()
            except OSError:
                return
            if "\nVmHWM:" in status:  # absent once the process is a zombie
                self.peak_kib = max(self.peak_kib, int(status.split("\nVmHWM:", 1)[1].split()[0]))
            if self.done.wait(self.interval):
                return


def check(run: CrawlRun, what: str) -> CrawlRun:
    if run.returncode != 0 or not run.stats:
        raise RuntimeError(f"{what} failed (exit {run.returncode}); log {run.log_path}:\n{run.log_tail()}")
    return run
