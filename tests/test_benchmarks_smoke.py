"""The benchmarks still run: `python -m benchmarks --quick all` at tiny sizes, into scratch folders.

This measures nothing (benchmarks/results/ is left alone); it catches a benchmark broken by a change elsewhere,
e.g. a renamed parser, spider argument or stat, before someone needs the numbers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_benchmark_runs_at_tiny_sizes(tmp_path: Path) -> None:
    results, cache = tmp_path / "results", tmp_path / "cache"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--results-dir", str(results),
                           "--cache-dir", str(cache), "all"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    written = {path.stem for path in results.glob("*.json")}
    assert written == {"parse", "replay", "live", "memory", "incremental", "summary"}
    incremental = json.loads((results / "incremental.json").read_text())
    assert incremental["all_met"], incremental["runs"]  # the one benchmark whose target is exact at any size
    assert "| summary" not in done.stdout and "### summary" in done.stdout
