"""`newscrawl run SPIDER [scrapy args]`: one scheduled crawl, safe to start from cron every few minutes.

It takes the spider's run lock (a second run exits at once with EXIT_LOCKED), names the run, runs
`scrapy crawl` with a log file beside the feed, reads the run report the crawl wrote, prints a short summary and
exits with the report's code. Exit codes: 0 ok · 2 usage error · 3 lock held · 4 fetch failures over the
threshold · 5 layout drift · 6 nothing discovered · 7 damaged input (a replayed archive held damaged
records or bad files; every intact one was used) · 1 the crawl stopped on an error (full or read-only disk) or
failed without a report.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from newscrawl.meta import new_crawl_id
from newscrawl.state.lock import LockHeld, RunLock

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_LOCKED = 3


def run(spider: str, scrapy_args: list[str], output: Path = Path("output")) -> int:
    crawl_id = new_crawl_id(datetime.now(timezone.utc))
    log_file = output / spider / f"{crawl_id}.log"
    report_path = output / spider / f"{crawl_id}.report.json"
    try:
        with RunLock(output / "state" / f"{spider}.lock"):
            log_file.parent.mkdir(parents=True, exist_ok=True)
            command = [sys.executable, "-m", "scrapy", "crawl", spider, *scrapy_args,
                       "-s", f"NEWSCRAWL_CRAWL_ID={crawl_id}", "-s", f"LOG_FILE={log_file}",
                       "-s", f"NEWSCRAWL_REPORT_PATH={report_path}"]
            env = {**os.environ}
            env.setdefault("SCRAPY_SETTINGS_MODULE", "newscrawl.settings")
            done = subprocess.run(command, env=env)
    except LockHeld as error:
        print(f"newscrawl run {spider}: not started, {error}", file=sys.stderr)
        return EXIT_LOCKED
    except OSError as error:  # read-only or full output folder: the lock or the log cannot even be created
        print(f"newscrawl run {spider}: not started, cannot write {error.filename or output}: {error.strerror}",
              file=sys.stderr)
        return EXIT_FAILED
    if done.returncode == EXIT_USAGE:
        return EXIT_USAGE
    try:
        report = json.loads(report_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        print(f"newscrawl run {spider}: the crawl ended (exit {done.returncode}) without a run report; "
              f"see {log_file}", file=sys.stderr)
        return EXIT_FAILED
    print(summary(report, report_path))
    return int(report.get("exit_code", EXIT_FAILED))


def summary(report: dict[str, Any], path: Path) -> str:
    counts = report.get("counts", {})
    dropped = sum(counts.get("dropped", {}).values())
    errors = sum(counts.get("errors", {}).values())
    lines = [
        f"{report.get('spider')} {report.get('crawl_id')}: {report.get('status')} "
        f"in {report.get('duration_seconds')} s",
        f"  items {counts.get('items', 0)} (new {counts.get('new_items', 0)}, revisions {counts.get('revisions', 0)})"
        f" · discovered {counts.get('discovered', 0)} · article pages fetched {counts.get('article_pages_fetched', 0)}"
        f" · not modified {counts.get('not_modified', 0)} · skipped as known {counts.get('skipped_known', 0)}",
        f"  dropped {dropped} · errors {errors} · report {path}",
    ]
    for damaged in report.get("damaged_inputs") or []:
        lines.append(f"  DAMAGED INPUT {damaged.get('file')} at offset {damaged.get('offset')} ({damaged.get('kind')}): "
                     f"{damaged.get('error')}")
    drift = report.get("drift") or {}
    if drift.get("failed"):
        lines.append(f"  LAYOUT DRIFT: {drift.get('message')}")
        for item in drift.get("fields", []):
            lines.append(f"    {item['field']}: {item['coverage']:.0%} of {item['articles']} articles "
                         f"(expected {item['expected']:.0%}), e.g. {', '.join(item['examples'][:2])}")
    return "\n".join(lines)
