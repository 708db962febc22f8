"""`newscrawl run SPIDER [scrapy args]`: one scheduled crawl, safe to start from cron every few minutes.

It names the run, runs `scrapy crawl` with a log file beside the feed (the crawl takes the spider's run lock
itself: a second run exits at once with EXIT_LOCKED), forwards SIGTERM/SIGINT to it, reads the run report the
crawl wrote, prints a short summary and exits with the report's code (docs/scheduling.md has the table):
0 ok · 1 the crawl stopped on an error (full or read-only disk) or ended without a report · 2 usage error ·
3 lock held · 4 fetch failures over the threshold · 5 layout drift · 6 nothing discovered · 7 damaged input (a
replayed archive held damaged records or bad files; every intact one was used) · 8 filtered out (work was
discovered, but offsite, robots.txt or `since` left nothing to fetch) · 9 partial discovery (a discovery source
failed; named in the summary; the next run tries it again) · 10 interrupted (SIGTERM/SIGINT, passed on to the
crawl, which stopped gracefully; the next run goes on).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from scrapy.settings import Settings
from scrapy.spiderloader import get_spider_loader

from newscrawl.files import refusal
from newscrawl.meta import new_crawl_id
from newscrawl.processes import EXIT_FAILED, EXIT_LOCKED, EXIT_USAGE, USAGE_PROG_ENV, sigterm_when_parent_dies


def run(spider: str, scrapy_args: list[str], output: Path = Path("output")) -> int:
    """Start one crawl, pass SIGTERM/SIGINT on to it, wait for it, print its summary, return its exit code.

    The crawl takes the spider's run lock itself (commands/crawl.py), so the lock is held exactly as long as the
    crawl runs, whatever happens to this wrapper: SIGTERM or SIGINT here are forwarded to the crawl (once: it runs
    in its own process group), which stops gracefully (in-flight pages finish, feed and state agree, its report
    says `interrupted`) and releases the lock; if this process is killed outright (SIGKILL), the kernel sends the
    crawl SIGTERM (PR_SET_PDEATHSIG), with the same effect.
    """
    known_spiders = spider_names()
    if spider not in known_spiders:
        known = ", ".join(known_spiders) or "none"
        print(f"newscrawl run: unknown spider {spider!r} (known: {known})", file=sys.stderr)
        return EXIT_USAGE
    crawl_id = new_crawl_id(datetime.now(timezone.utc))
    log_file = output / spider / f"{crawl_id}.log"
    report_path = output / spider / f"{crawl_id}.report.json"
    # Only asked, not created: the crawl creates the log once it has found its arguments good, so a usage error
    # leaves no empty log behind (commands/crawl.py).
    refused = refusal(log_file)
    if refused:  # read-only output folder: not even the log can be created
        print(f"newscrawl run {spider}: not started, {refused}", file=sys.stderr)
        return EXIT_FAILED
    command = [sys.executable, "-m", "scrapy", "crawl", spider, *scrapy_args,
               "-s", f"NEWSCRAWL_CRAWL_ID={crawl_id}", "-s", f"LOG_FILE={log_file}",
               "-s", f"NEWSCRAWL_REPORT_PATH={report_path}"]
    env = {**os.environ, USAGE_PROG_ENV: "newscrawl run"}
    env.setdefault("SCRAPY_SETTINGS_MODULE", "newscrawl.settings")
    returncode = _run_forwarding_signals(command, env)
    try:
        report = json.loads(report_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        if returncode in (EXIT_USAGE, EXIT_LOCKED):
            return returncode  # the crawl said why in one line; it wrote no report
        if returncode != EXIT_FAILED:  # exit 1: the crawl's one line already names the path (commands/crawl.py)
            ended = f"was killed by signal {-returncode}" if returncode < 0 else f"ended (exit {returncode})"
            print(f"newscrawl run {spider}: the crawl {ended} without a run report; see {log_file}", file=sys.stderr)
        return EXIT_FAILED
    print(summary(report, report_path))
    code = int(report.get("exit_code", EXIT_FAILED))
    return EXIT_FAILED if code == 0 and returncode != 0 else code  # a report written before a feed failed


def spider_names() -> list[str]:
    """The project's spiders, as `scrapy list` would name them (newscrawl's settings unless a project says else)."""
    return sorted(_spider_loader().list())


def spider_class(name: str) -> type | None:
    """The project's spider class called `name`, or None when there is none."""
    try:
        found: type = _spider_loader().load(name)
    except KeyError:
        return None
    return found


def _spider_loader() -> Any:
    settings = Settings()
    settings.setmodule(os.environ.get("SCRAPY_SETTINGS_MODULE", "newscrawl.settings"), priority="project")
    return get_spider_loader(settings)


def _run_forwarding_signals(command: list[str], env: dict[str, str]) -> int:
    """Run the crawl in its own process group, so each SIGTERM/SIGINT reaches it exactly once, through us.

    Ctrl-C on a terminal signals the whole foreground group: in ours, the crawl got SIGINT from the terminal and
    again from the forwarding below, and Scrapy takes a second signal as "force an unclean shutdown" (no run
    report, feed cut short). systemd signals every process of the service the same way unless KillMode=mixed
    (docs/scheduling.md's unit sets it).
    """
    child = subprocess.Popen(command, env=env, preexec_fn=sigterm_when_parent_dies, process_group=0)

    def forward(signum: int, frame: object) -> None:
        child.send_signal(signum)

    previous = {signum: signal.signal(signum, forward) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        return child.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _by_reason(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


SKIP_REASONS = {"known": "unchanged", "recently_fetched": "fetched within the hour",
                "recently_gone": "gone within the retry time"}
"""How the summary names the crawl state's reasons to skip an article (state/incremental.py)."""
RARE_OUTCOMES = {"withdrawn": "withdrawn", "forbidden": "forbidden by robots.txt",
                 "same_page_as_another": "redirected to another article's page", "not_fetched": "not fetched"}
"""Outcomes of a discovered article the summary names only when they happen."""


def discovered_line(counts: dict[str, Any]) -> str:
    """What became of every discovered article, adding up to the number discovered (report.article_outcomes); a
    report from before `counts.articles` existed gives what it has.

    >>> print(discovered_line({"discovered": 56, "articles": {"fetched": 0, "not_modified": 0, "skipped": {
    ...     "known": 20, "recently_fetched": 32}, "gone": 4, "withdrawn": 0, "failed": 0, "not_fetched": 0}}))
    ... # doctest: +NORMALIZE_WHITESPACE
    discovered 56: fetched 0 · not modified 0 · skipped as known 52 (unchanged 20, fetched within the hour 32)
    · gone 4 · failed 0
    """
    articles = counts.get("articles")
    if not isinstance(articles, dict):
        return (f"discovered {counts.get('discovered', 0)} · article pages fetched "
                f"{counts.get('article_pages_fetched', 0)} · not modified {counts.get('not_modified', 0)}"
                f" · skipped as known {counts.get('skipped_known', 0)}")
    skipped = articles.get("skipped", {})
    why = ", ".join(f"{SKIP_REASONS.get(reason, reason)} {n}" for reason, n in skipped.items() if n)
    parts = [f"fetched {articles.get('fetched', 0)}", f"not modified {articles.get('not_modified', 0)}",
             f"skipped as known {sum(skipped.values())}{f' ({why})' if why else ''}",
             f"gone {articles.get('gone', 0)}", f"failed {articles.get('failed', 0)}"]
    parts += [f"{label} {articles[name]}" for name, label in RARE_OUTCOMES.items() if articles.get(name)]
    return f"discovered {counts.get('discovered', 0)}: " + " · ".join(parts)


def summary(report: dict[str, Any], path: Path) -> str:
    counts = report.get("counts", {})
    dropped = dict(counts.get("dropped", {}))
    unchanged = dropped.pop("UnchangedArticle", 0)  # a refetched article with no change: not a loss
    errors = counts.get("errors", {})
    lines = [
        f"{report.get('spider')} {report.get('crawl_id')}: {report.get('status')} "
        f"in {report.get('duration_seconds')} s",
        f"  {discovered_line(counts)}",
        f"  items {counts.get('items', 0)} (new {counts.get('new_items', 0)}, revisions {counts.get('revisions', 0)})"
        f" · not articles {counts.get('not_article_pages', 0)} · unchanged {unchanged}",
        f"  dropped {sum(dropped.values())}{' (' + _by_reason(dropped) + ')' if dropped else ''}"
        f" · errors {sum(errors.values())}{' (' + _by_reason(errors) + ')' if errors else ''} · report {path}",
    ]
    gone = report.get("gone_articles") or []
    if gone:
        more = counts.get("gone", len(gone)) - 3
        lines.append(f"  GONE (HTTP 500 on every try, no such published article): {', '.join(gone[:3])}"
                     f"{f' and {more} more' if more > 0 else ''}")
    site = report.get("server_errors") or {}
    if report.get("status") == "fetch-failures":
        lines.append(f"  FETCH FAILURES: {report.get('fetch_failure_ratio', 0):.0%} of the article fetches failed; "
                     f"{site.get('server_errors', 0)} of the {site.get('answered', 0)} pages the site answered were "
                     f"server errors{' (so its gone articles count as failed)' if site.get('most') and gone else ''}")
    if report.get("filtered") and report.get("status") == "filtered-out":
        lines.append(f"  FILTERED OUT: nothing left to fetch after the crawl's own filters "
                     f"({_by_reason(report['filtered'])})")
    for lost in report.get("discovery_failures") or []:
        lines.append(f"  DISCOVERY SOURCE LOST {lost.get('url')}: {lost.get('error')}")
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
