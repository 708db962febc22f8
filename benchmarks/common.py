"""What every benchmark shares: where results and caches go, the machine description, timing, tables, JSON.

Every ratio a benchmark reports is between two measurements taken in the same run, interleaved where possible, so
a loaded machine slows both sides alike; absolute numbers are printed for context only.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
CACHE_DIR = Path(__file__).resolve().parent / ".cache"
QUICK_RESULTS_DIR = CACHE_DIR / "quick-results"
"""Where a --quick run writes unless told otherwise: untracked (benchmarks/.cache/ is ignored by git), because
tiny-size figures over the committed results would read as measurements in `summary` and in `git diff`."""

def shared_bench() -> Path:
    """../shared/bench beside the checkout, or beside an ancestor for a worktree nested deeper: the nearest wins."""
    for folder in (ROOT, *ROOT.parents):
        if (folder / "shared" / "bench").is_dir():
            return folder / "shared" / "bench"
    raise SystemExit("no shared/bench folder next to the repository or above it")


# Bump when the way archives or pre-rendered mirrors are built changes; the sources below are hashed in as well,
# so an edit to the site generator, the spider or the WARC writer rebuilds the cache by itself.
CACHE_FORMAT = "1"
_CACHE_SOURCES = ("tests/sitegen/corpus.py", "tests/sitegen/devdiscourse.py", "tests/sitegen/server.py",
                  "newscrawl/spiders/devdiscourse.py", "newscrawl/spiders/base.py", "newscrawl/spiders/held.py", "newscrawl/archive/writer.py",
                  "benchmarks/mirror.py", "benchmarks/archives.py")


@dataclass
class Options:
    """Where a benchmark writes and caches; the smoke test points both at a scratch folder."""

    results_dir: Path = RESULTS_DIR
    cache_dir: Path = CACHE_DIR
    quick: bool = False
    """Tiny sizes (smoke test): proves the benchmark runs, measures nothing worth keeping. Never written over the
    committed results: a quick run aimed at benchmarks/results/ goes to QUICK_RESULTS_DIR instead."""

    def __post_init__(self) -> None:
        # Checked here rather than in each command line, so no way of starting a quick run (python -m benchmarks,
        # python -m benchmarks.slow_sitemap, a script building Options) can replace the committed figures.
        if self.quick and self.results_dir.resolve() == RESULTS_DIR:
            self.results_dir = QUICK_RESULTS_DIR


@functools.cache
def cache_version() -> str:
    """Version string that keys every cached archive and mirror (computed once per process: the sources may be
    edited while a benchmark runs, and one run must keep using one cache)."""
    digest = hashlib.sha256(CACHE_FORMAT.encode())
    for name in _CACHE_SOURCES:
        path = ROOT / name
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.exists() else b""))
    return f"v{CACHE_FORMAT}-{digest.hexdigest()[:10]}"


def machine() -> dict[str, Any]:
    """nproc, CPU model, Python version and the load average when the benchmark ran (the machine may be shared)."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = []
    return {"nproc": os.cpu_count(), "cpu": model, "python": platform.python_version(),
            "implementation": platform.python_implementation(), "loadavg": load}


@dataclass
class Timing:
    wall: float
    cpu: float


def timed(function: Callable[[], Any]) -> Timing:
    """Wall and process-CPU seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return Timing(time.perf_counter() - wall, time.process_time() - cpu)


def interleaved(contenders: dict[str, Callable[[], Any]], rounds: int) -> dict[str, list[Timing]]:
    """Run each contender once per round, in turn, so a load spike hits every contender rather than one."""
    timings: dict[str, list[Timing]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, function in contenders.items():
            timings[name].append(timed(function))
    return timings


def best(timings: Sequence[Timing]) -> Timing:
    """The fastest round: on a shared machine the least-disturbed round is the best estimate of the true cost."""
    return Timing(min(t.wall for t in timings), min(t.cpu for t in timings))


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def verdict(value: float, target: float, *, lower_is_better: bool = True) -> str:
    """ "met" / "missed", with the margin in percent of the target."""
    met = value <= target if lower_is_better else value >= target
    margin = (target - value) / target * 100 if lower_is_better else (value - target) / target * 100
    return f"{'met' if met else 'MISSED'} ({margin:+.0f} %)"


def bookkeeping_verdict(ratio: float) -> str:
    """The live benchmark's crawl-bookkeeping verdict (≤ 1× the fetch's CPU). Below zero, the spider with newscrawl's
    pipelines used more CPU than newscrawl itself: the round-to-round noise is larger than the bookkeeping, which
    that run then does not measure (not a pass)."""
    if ratio < 0:
        return "not measurable in this run: the rounds' noise exceeds it"
    return "met" if ratio <= 1 else "MISSED"


def table(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A Markdown table (so it pastes straight into the README), right-aligned numbers."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    lines = [f"### {title}", "", "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    for row in cells:
        lines.append("| " + " | ".join(c.rjust(w) if _numeric(c) else c.ljust(w) for c, w in zip(row, widths)) + " |")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _numeric(text: str) -> bool:
    return bool(text) and text.replace(",", "").replace(".", "").replace("-", "").replace("×", "").isdigit()


def write_result(options: Options, name: str, result: dict[str, Any], rendered: str) -> Path:
    """benchmarks/results/<name>.json (small, sorted, commit-worthy) plus the printed table."""
    options.results_dir.mkdir(parents=True, exist_ok=True)
    path = options.results_dir / f"{name}.json"
    document = {"benchmark": name, "machine": machine(), "cache_version": cache_version(),
                "quick": options.quick, **result, "table": rendered.splitlines()}
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    temporary.replace(path)
    print(rendered, flush=True)
    print(f"\n→ {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}\n", flush=True)
    return path


def note(message: str) -> None:
    """Progress on stderr, so stdout holds only the tables."""
    print(f"[benchmarks] {message}", file=sys.stderr, flush=True)
