"""The `newscrawl` command: audit tools around crawls.

Exit codes: 0 ok; 1 the check found a problem (e.g. a digest mismatch); 2 wrong usage or unreadable input.

One idea, kept whole: the command line (argument definitions and dispatch of each subcommand); the work
itself lives in archive/, state/, ops/, runner.py and distributed/.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any, NoReturn

from newscrawl import __version__
from pathlib import Path

from scrapy.utils.project import get_project_settings

from newscrawl.archive.budget import UNPACK_SETTINGS, BadUnpackSetting, UnpackLimits
from newscrawl.archive.pack import PackError, pack
from newscrawl.archive.replay import ArchiveNotFound
from newscrawl.archive.reparse import (CRAWL_SETTINGS, archived_spider, damaged_inputs, diff_feeds, read_feed,
                                       replay_failure, replay_to_feed)
from newscrawl.archive.verify import NoArchive, NotAFeed, VerifyReport, archive_root, verify_feed
from newscrawl.archive.findings import UnreadableBundle
from newscrawl.distributed import redis_url
from newscrawl.files import refusal
from newscrawl.ops.htmlreport import build_html, write_html
from newscrawl.ops.reports import RunReport, load_runs
from newscrawl.ops.sharedspiders import spiders_in_redis
from newscrawl.ops.status import (any_latest_failed, gone_lines, no_runs_line, read_gone_states, spiders_found,
                                   status_lines)
from newscrawl.ops.statusjson import status_document
from newscrawl.processes import EXIT_LOCKED, EXIT_USAGE
from newscrawl.runner import run as run_crawl
from newscrawl.runner import spider_class, spider_names
from newscrawl.spiders.arguments import given_path, job_count
from newscrawl.state.gone import BadGoneSetting, GoneSchedule
from newscrawl.state.history import find_revisions, revision_diff, revision_table
from newscrawl.state.store import StateError, StateStore

EXIT_OK = 0
EXIT_FOUND_PROBLEMS = 1


class OneLineParser(argparse.ArgumentParser):
    """A wrong argument is one line (README: "with one line naming it (exit code 2)"), where argparse prints its
    usage block first; the line names the subcommand and where its usage is. The subcommands' parsers are of this
    class too (add_subparsers makes them of its parser's class)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}; see {self.prog} --help\n")


def build_parser() -> OneLineParser:
    cli = OneLineParser(
        prog="newscrawl",
        description="Run scheduled crawls and audit their output. Ad-hoc crawls run with `scrapy crawl <spider>`.",
        epilog="Exit codes: 0 ok, 1 problems found, 2 usage error or unreadable input.",
    )
    cli.add_argument("--version", action="version", version=f"newscrawl {__version__}")
    commands = cli.add_subparsers(dest="command", metavar="COMMAND", required=True)

    verify = commands.add_parser(
        "verify",
        help="check every item of feeds against the archived responses they claim to come from",
        description="Re-read each item's archived WARC record (provenance.archive) and check that the record's "
                    "URI is the item's provenance.response_url and that the SHA-256 of its decoded body equals "
                    "provenance.body_sha256. Prints an `ok` line per verified item and a `FAIL` line per problem (-q: "
                    "only the FAIL lines), then a summary per feed; with several feeds each line starts with its "
                    "feed's path, and a total follows.",
        epilog="Exit codes (the worst of the feeds'): 0 every item verified, 1 a mismatch or missing record, 2 usage "
               "error or a feed that could not be read.",
    )
    verify.add_argument("feeds", nargs="+", metavar="FEED", type=_path,
                        help="JSON Lines feeds written by newscrawl (.jsonl, .jsonl.gz, or a JSON array), e.g. "
                             "output/devdiscourse/*.jsonl")
    verify.add_argument("--archive", metavar="PATH", type=_path,
                        help="look for the WARC files or saved pages here (a file, a folder, a .wacz, .har, .zip or "
                             ".tar.gz, unpacked as a replay unpacks it) instead of the paths recorded in the items, "
                             "e.g. after moving the archive")
    verify.add_argument("-q", "--quiet", action="store_true", help="print only problems and the summary")
    verify.add_argument("-s", "--set", dest="settings", action="append", default=[], type=_unpack_setting,
                        metavar="NAME=VALUE",
                        help="a NEWSCRAWL_UNPACK_* setting as the crawl was given it (repeatable), e.g. -s "
                             "NEWSCRAWL_UNPACK_MAX_DEPTH=4: an archive is unpacked as that crawl unpacked it "
                             "(default: the project's settings)")

    run = commands.add_parser(
        "run", help="run one scheduled crawl with a lock, a log file and a run report (for cron/systemd)",
        description="Run `scrapy crawl SPIDER [ARGS]` once; the crawl holds the spider's lock "
                    "(output/state/SPIDER.lock), so a second run exits 3. Writes the feed, WARC, log and report "
                    "under output/SPIDER/ and prints a summary.",
        epilog="Exit codes: 0 ok, 1 crawl stopped on an error or failed without a report, 2 usage error, 3 another "
               "run holds the lock, 4 fetch failures over the threshold, 5 layout drift, 6 nothing discovered, "
               "7 damaged input (every intact record used), 8 everything discovered was filtered out, 9 partial "
               "discovery (a source failed), 10 interrupted by SIGTERM/SIGINT. Details: docs/scheduling.md.")
    run.add_argument("spider", help="spider name, e.g. devdiscourse")
    run.add_argument("scrapy_args", nargs=argparse.REMAINDER, metavar="...",
                     help="passed to scrapy crawl, e.g. -a base_url=http://127.0.0.1:8080 -a since=2025-03-01")

    reparse = commands.add_parser(
        "reparse", help="re-run today's parsers over an archive; diff per field against an old feed",
        description="Replay ARCHIVE through today's spider, parsers and pipelines (no network) into a new feed. "
                    "With --against OLD.jsonl, compare item by item (by URL) and field by field, print how many "
                    "items changed per field with before/after examples, and write the diff as JSON.",
        epilog="Exit codes: 0 nothing changed, 1 something changed, 2 usage error or the replay failed.")
    reparse.add_argument("archive", type=_path,
                         help="a .warc/.warc.gz/.warc.zst file, a folder of them, a .wacz file, a folder of saved "
                              "pages, or one saved page")
    reparse.add_argument("-o", "--output", metavar="NEW.jsonl", type=_path,
                         help="the new feed (default: reparse.jsonl)")
    reparse.add_argument("--against", metavar="OLD.jsonl", type=_path,
                         help="an earlier feed of the same archive to compare")
    reparse.add_argument("--spider", help="spider to replay with (default: the one named in the archive, else news)")
    reparse.add_argument("--report", metavar="DIFF.json", type=_path,
                         help="where to write the diff (default: NEW.diff.json)")
    reparse.add_argument("--jobs", type=_jobs, default=1, metavar="N",
                         help="processes to split the replay across, or auto for every core (default 1); the feed is "
                              "byte-identical to a one-process re-parse (docs/parallel.md)")
    reparse.add_argument("-s", "--set", dest="settings", action="append", default=[], type=_setting,
                         metavar="NAME=VALUE",
                         help="a setting for the replay, as `scrapy crawl -s` takes it (repeatable), e.g. -s "
                              "NEWSCRAWL_UNPACK_MAX_RATIO=1000 to unpack ARCHIVE as a crawl given that did "
                              "(default: the project's settings)")

    history = commands.add_parser(
        "history", help="list an article's revisions and diff two of them",
        description="List every revision of an article recorded in the crawl state (by URL or article key) and "
                    "show a unified diff of title and body between two revisions (default: the last two).")
    history.add_argument("url", help="the article's canonical URL (or its key, e.g. devdiscourse:3301234)")
    history.add_argument("--spider", default="devdiscourse", help="whose state to read (default devdiscourse)")
    history.add_argument("--state", metavar="FILE", type=_path, help="state file (default output/state/SPIDER.sqlite)")
    history.add_argument("--diff", nargs=2, type=int, metavar=("A", "B"), help="revisions to compare")
    add_status_command(commands)
    add_report_command(commands)
    add_enqueue_command(commands)
    add_merge_command(commands)
    add_pack_command(commands)
    return cli


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # argparse blames the top-level parser for what only the subcommand did not take
        parser.prog = f"newscrawl {args.command}"
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        return _run(args)
    except BrokenPipeError:
        # `newscrawl verify FEED | head`: the reader has all it wanted; no traceback, and no second error when
        # Python flushes stdout at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    if args.command == "status":
        return show_status(args)
    if args.command == "report":
        return write_report(args)
    if args.command == "run":
        return run_crawl(args.spider, args.scrapy_args)
    if args.command == "reparse":
        return reparse(args)
    if args.command == "history":
        return show_history(args)
    if args.command == "enqueue":
        return enqueue_work(args)
    if args.command == "merge":
        return merge_run_feeds(args)
    if args.command == "pack":
        return pack_wacz(args)
    if args.command == "verify":
        return verify_feeds(args.feeds, args.archive, verbose=not args.quiet, settings=args.settings)
    return EXIT_USAGE


def unpack_limits(command: str, given: Sequence[tuple[str, str]] = ()) -> UnpackLimits | None:
    """What an archive given to `command` may unpack to: the NEWSCRAWL_UNPACK_* settings the crawls read (archive/
    budget.py), the project's, or outside a project newscrawl's own, which the replay behind a re-parse reads then
    (reparse.replay_to_feed), with the command's -s over them as a crawl's -s is (`given`): a crawl replayed with
    raised limits unpacked more than the project's allow, and its items are verified, or re-parsed, only in what
    it unpacked. None, one line printed, for a bad one."""
    settings = get_project_settings()
    if not os.environ.get("SCRAPY_SETTINGS_MODULE"):
        settings.setmodule(CRAWL_SETTINGS, priority="project")
    settings.setdict(dict(given), priority="cmdline")
    try:
        return UnpackLimits.from_settings(settings)
    except BadUnpackSetting as error:
        print(f"newscrawl {command}: {error}", file=sys.stderr)
        return None


def verify_feeds(feeds: list[str], archive: str | None, verbose: bool,
                 settings: Sequence[tuple[str, str]] = ()) -> int:
    """Verify each feed in turn (a shell glob such as output/devdiscourse/*.jsonl gives several) and return the worst
    exit code among them: 2 for a feed that could not be verified, else 1 for problems, else 0.

    Every path is tried first, so a mistyped one stops the command before any work (a WACZ is extracted once, for
    all of them). A feed found unreadable only while reading (not a feed, its archive nowhere) costs its own line on
    stderr and the others are still verified. With several feeds each line starts with its feed's path, as grep's
    lines do, so a FAIL line says which feed it is from, and a total follows. `settings`: the -s given (NAME,
    VALUE), NEWSCRAWL_UNPACK_* only (_unpack_setting).
    """
    limits = unpack_limits("verify", settings)
    if limits is None:
        return EXIT_USAGE
    try:
        for feed in feeds:
            open(feed, "rb").close()
        root = archive_root(archive, limits)
    except OSError as error:
        print(f"newscrawl verify: cannot read {error.filename}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    except UnreadableBundle as error:
        print(f"newscrawl verify: {error}", file=sys.stderr)
        return EXIT_USAGE
    several = len(feeds) > 1
    total, unverified, worst = VerifyReport(), 0, EXIT_OK
    for feed in feeds:
        try:
            report = verify_feed(feed, root, limits)
        except (OSError, UnreadableBundle, NotAFeed, NoArchive) as error:
            sys.stdout.flush()  # in order with the lines before it when both streams go to one terminal or file
            why = f"cannot read {error.filename or feed}: {error.strerror}" if isinstance(error, OSError) else error
            print(f"newscrawl verify: {why}", file=sys.stderr)
            unverified += 1
            worst = EXIT_USAGE
            continue
        for line in report.lines(verbose=verbose):
            print(f"{feed}: {line}" if several else line)
        total.checked, total.passed = total.checked + report.checked, total.passed + report.passed
        total.problems += report.problems
        worst = max(worst, EXIT_OK if report.ok else EXIT_FOUND_PROBLEMS)
    if several:
        not_verified = f"; {unverified} feed{'s' * (unverified != 1)} not verified (above)" if unverified else ""
        print(f"total of {len(feeds)} feeds: {total.lines(verbose=False)[-1]}{not_verified}")
    return worst


def _path(value: str) -> str:
    """A file or folder argument. An empty one (what an unset shell variable gives) is refused: as a path it means
    the working folder, whose files would be read, or written over. A leading ~ is the home folder, as in -a
    replay=~/x, also where the shell left it (quoted, or `--output=~/x`): `-o '~/new.jsonl'` made a folder named ~.
    Otherwise the text is kept as typed, so messages name the path the way the user wrote it."""
    try:
        given_path(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return os.path.expanduser(value)


def _setting(text: str) -> tuple[str, str]:
    """-s NAME=VALUE, as `scrapy crawl -s` reads it (the value may hold `=` too)."""
    name, separator, value = text.partition("=")
    if not separator or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def _unpack_setting(text: str) -> tuple[str, str]:
    """-s NAME=VALUE for verify, which reads no setting but the NEWSCRAWL_UNPACK_* ones: any other is refused
    rather than ignored, so a mistyped name is not taken for the limit it was meant to raise."""
    name, value = _setting(text)
    if name not in UNPACK_SETTINGS:
        raise argparse.ArgumentTypeError(f"{name} is not a setting verify reads (only {', '.join(UNPACK_SETTINGS)})")
    return name, value


def _jobs(value: str) -> int:
    try:
        return job_count(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def reparse(args: argparse.Namespace) -> int:
    """Every argument is checked before the re-parse, which may take minutes: the spider, the old feed to compare
    with and the files to write; each problem is one line and exit 2."""
    archive = Path(args.archive)
    limits = unpack_limits("reparse", args.settings)
    if limits is None:
        return EXIT_USAGE
    try:
        # An archive that names no spider (another tool's, saved pages) is re-parsed by `news`: an outlet's own
        # parser where one knows the URL, the generic one elsewhere (devdiscourse parsed other outlets into nothing).
        spider = args.spider or archived_spider(archive, limits) or "news"
    except (OSError, ArchiveNotFound, UnreadableBundle) as error:
        print(f"newscrawl reparse: {error}", file=sys.stderr)
        return EXIT_USAGE
    known = spider_names()
    if spider not in known:
        print(f"newscrawl reparse: unknown spider {spider!r} (known: {', '.join(known) or 'none'})", file=sys.stderr)
        return EXIT_USAGE
    new_feed = Path(args.output or "reparse.jsonl")
    refused = refusal(new_feed)
    if refused:
        print(f"newscrawl reparse: {refused}", file=sys.stderr)
        return EXIT_USAGE
    report = Path(args.report) if args.report else new_feed.with_suffix(".diff.json")
    refused = refusal(report) if args.against else None
    if refused:
        print(f"newscrawl reparse: {refused}", file=sys.stderr)
        return EXIT_USAGE
    old: dict[str, dict[str, Any]] = {}
    if args.against:
        try:
            old = read_feed(Path(args.against))
        except (OSError, ValueError, KeyError, TypeError) as error:
            print(f"newscrawl reparse: cannot read {args.against}: {error}", file=sys.stderr)
            return EXIT_USAGE
    done = replay_to_feed(archive, spider, new_feed, args.jobs, args.settings)
    if done.returncode != 0 or not new_feed.exists():
        print(f"newscrawl reparse: {replay_failure(done, archive, spider, new_feed)}", file=sys.stderr)
        return EXIT_USAGE
    for line in damaged_inputs(done):  # what the replay could not read costs only itself, but is said
        print(f"newscrawl reparse: {line}", file=sys.stderr)
    print(f"re-parsed {archive} with spider {spider} into {new_feed}")
    if not args.against:
        return EXIT_OK
    difference = diff_feeds(old, read_feed(new_feed))
    print("\n".join(difference.lines()))
    try:
        report.write_text(json.dumps(difference.as_json(), ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                          encoding="utf-8")
    except OSError as error:  # the disk filled up, or the folder changed, during the re-parse
        print(f"newscrawl reparse: cannot write {report}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    print(f"diff written to {report}")
    return EXIT_FOUND_PROBLEMS if difference.changed else EXIT_OK


def show_history(args: argparse.Namespace) -> int:
    path = Path(args.state or f"output/state/{args.spider}.sqlite")
    if not path.exists():
        print(f"newscrawl history: no crawl state at {path} (run a crawl first, or pass --state)", file=sys.stderr)
        return EXIT_USAGE
    try:
        store = StateStore(path)
    except StateError as error:
        print(f"newscrawl history: {error}", file=sys.stderr)
        return EXIT_USAGE
    spider = spider_class(args.spider)
    article_key = getattr(spider(), "article_key", None) if spider is not None else None
    revisions = find_revisions(store, args.url, article_key)
    if not revisions:
        print(f"newscrawl history: {args.url} is not in {path}", file=sys.stderr)
        return EXIT_FOUND_PROBLEMS
    print(f"{revisions[-1].item.get('title')}\n{revisions[-1].url}\n")
    print("\n".join(revision_table(revisions)))
    by_number = {r.revision: r for r in revisions}
    first, second = args.diff or (revisions[-2].revision if len(revisions) > 1 else None, revisions[-1].revision)
    if first is None:
        return EXIT_OK
    if first not in by_number or second not in by_number:
        print(f"newscrawl history: revisions are {sorted(by_number)}", file=sys.stderr)
        return EXIT_USAGE
    print()
    print("\n".join(revision_diff(by_number[first], by_number[second])) or "(title and body are identical)")
    return EXIT_OK


def add_status_command(commands: argparse._SubParsersAction[OneLineParser]) -> None:
    status = commands.add_parser(
        "status", help="the last runs, from their run reports, as a table",
        description="Read the run reports (DIR/SPIDER/CRAWL_ID.report.json) and print the last runs, newest first: "
                    "finished time (UTC), spider, status, duration, new items, revisions, not modified, skipped as "
                    "known, dropped, errors and the fields that failed the drift check. A damaged report is "
                    "listed as unreadable with its path. Then, per spider, the article pages its crawl state "
                    "(DIR/state/SPIDER.sqlite, and with a Redis URL its distributed state) remembers as gone: how "
                    "many per site, and the latest five with when they were found gone, by how many runs, and when "
                    "a run asks for them again.",
        epilog="Exit codes: 0 the latest run of every spider is ok, or there are no runs; 1 the latest run of some "
               "spider is not ok (drift, fetch-failures, nothing-discovered, killed, error) or its report is "
               "unreadable, so `newscrawl status > /dev/null || alert` works as a monitor (older failed runs do "
               "not count once a later run is ok); 2 usage error, no such output folder or an unknown spider (nothing "
               "on stdout, also with --json).")
    _add_report_source_arguments(status)
    status.add_argument("-n", type=_non_negative, default=20, metavar="N",
                        help="how many runs to show (default 20; 0 shows all)")
    status.add_argument("--json", action="store_true",
                        help="print the same as one JSON document (runs, latest run per spider, gone pages, and the "
                             "reports and state files that could not be read as `problems`); schema: "
                             "docs/operating.md, docs/status.schema.json")


def add_report_command(commands: argparse._SubParsersAction[OneLineParser]) -> None:
    report = commands.add_parser(
        "report", help="write one self-contained HTML page: items and field coverage per run, and the runs table",
        description="Write a single HTML file (no scripts, no external files, opens offline) with, per spider, "
                    "new items and revisions per run, field coverage per run against the drift thresholds, "
                    "and the runs table of `newscrawl status`; then, as status lists them, the article pages each "
                    "crawl state (DIR/state/SPIDER.sqlite) remembers as gone.",
        epilog="Exit codes: 0 written (also when there are no runs: the page says so); 2 usage error, no such "
               "output folder, an unknown spider, a bad NEWSCRAWL_GONE_* setting or the page could not be written.")
    report.add_argument("-o", "--out", dest="html", default="report.html", metavar="FILE", type=_path,
                        help="where to write the page (default report.html)")
    report.add_argument("--since", type=_iso_day, metavar="YYYY-MM-DD",
                        help="only runs from this UTC day on")
    report.add_argument("-n", "--limit", type=_non_negative, default=0, metavar="N",
                        help="only the last N runs of each spider (default 0: all)")
    _add_report_source_arguments(report)


def _iso_day(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in the form YYYY-MM-DD") from None


def _add_report_source_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--output", default="output", metavar="DIR", type=_path,
                         help="the crawl output folder holding SPIDER/*.report.json (default output)")
    command.add_argument("--spider", metavar="NAME",
                         help="only this spider's runs and state (default all): one of the project, one the "
                              "output folder holds anything of, or one whose distributed state the Redis holds "
                              "(--redis); one that never ran is shown as such")
    command.add_argument("--replays", action="store_true",
                         help="include offline replays (*.replay.report.json), left out by default because a "
                              "replay is not a scheduled run")
    command.add_argument("--redis", metavar="URL",
                         help="also list the gone pages of the distributed crawls' state in this Redis (default: the "
                              "REDIS_URL setting, else $NEWSCRAWL_REDIS_URL; neither: none)")


def add_enqueue_command(commands: argparse._SubParsersAction[OneLineParser]) -> None:
    enqueue = commands.add_parser(
        "enqueue", help="give work to distributed workers: discovery, article URLs, sitemaps or feeds",
        description="Push start messages onto the spider's current run in Redis (starting a run if none is going); "
                    "any idle worker (`scrapy crawl SPIDER -s REDIS_URL=...`) picks them up. WORK is `discover` "
                    "(the spider's own discovery routes, with the workers' -a arguments), article URLs (always "
                    "fetched, like -a urls) or @file.txt (one URL per line). See docs/distributed.md.",
        epilog="Exit codes: 0 queued, 2 usage error, unknown spider or no usable Redis at the URL, 3 --new-run and a "
               "run of the spider holds work.")
    enqueue.add_argument("spider", help="spider name, e.g. devdiscourse")
    enqueue.add_argument("work", nargs="*", default=[], metavar="WORK", help="discover | URL | @file.txt")
    enqueue.add_argument("--sitemap", action="append", default=[], metavar="URL",
                         help="a sitemap for the spider to read (repeatable)")
    enqueue.add_argument("--feed", action="append", default=[], metavar="URL",
                         help="an RSS/Atom feed for the spider to read (repeatable)")
    enqueue.add_argument("--redis", metavar="URL", help="Redis URL (default: $NEWSCRAWL_REDIS_URL)")
    enqueue.add_argument("--new-run", action="store_true",
                         help="only start a new run (or give the run waiting workers started its first work): exit 3 if a "
                              "run holds work (for cron, like `run`'s lock)")


def enqueue_work(args: argparse.Namespace) -> int:
    import os

    from newscrawl.distributed import REDIS_URL_ENV, DistributedSetupError

    url = args.redis or os.environ.get(REDIS_URL_ENV)
    if not url:
        print(f"newscrawl enqueue: no Redis URL: pass --redis or set {REDIS_URL_ENV}", file=sys.stderr)
        return EXIT_USAGE
    try:
        from redis import RedisError

        from newscrawl.distributed.enqueue import BadStartMessage, RunGoing, enqueue, messages_from_arguments
        from newscrawl.distributed.connection import connect, redacted, unusable
    except ImportError as error:
        print(f"newscrawl enqueue: {error.name} is not installed: pip install 'newscrawl[distributed]'",
              file=sys.stderr)
        return EXIT_USAGE
    known = spider_names()
    if args.spider not in known:
        print(f"newscrawl enqueue: unknown spider {args.spider!r}; spiders: {', '.join(known)}", file=sys.stderr)
        return EXIT_USAGE
    try:
        messages = messages_from_arguments(args.work, args.sitemap, args.feed)
        if not messages:
            raise BadStartMessage("nothing to queue: give discover, URLs, @file, --sitemap or --feed")
        run_id, started = enqueue(connect(url), args.spider, messages, new_run=args.new_run)
    except (BadStartMessage, DistributedSetupError) as error:
        print(f"newscrawl enqueue: {error}", file=sys.stderr)
        return EXIT_USAGE
    except RedisError as error:  # Redis gone after connect()'s check: the same line as when the check finds it gone
        print(f"newscrawl enqueue: {unusable(url, error)}", file=sys.stderr)
        return EXIT_USAGE
    except RunGoing as error:
        print(f"newscrawl enqueue: {error}; nothing queued", file=sys.stderr)
        return EXIT_LOCKED
    kinds = ", ".join(sorted({message.kind for message in messages}))
    print(f"queued {len(messages)} start message{'s' * (len(messages) != 1)} ({kinds}) for {args.spider} in "
          f"{'new' if started else 'running'} run {run_id} on {redacted(url)}")
    return EXIT_OK


def add_merge_command(commands: argparse._SubParsersAction[OneLineParser]) -> None:
    merge = commands.add_parser(
        "merge", help="combine the feeds of a distributed run's workers into one de-duplicated feed",
        description="Read JSON Lines feeds (files, or every *.jsonl in a folder) and write one item per canonical "
                    "URL, keeping the highest revision, then the latest provenance.fetched_at; sorted by URL, "
                    "lines copied unchanged, so merging the same feeds twice gives the same file.",
        epilog="Exit codes: 0 written; 2 usage error, no feed found or a feed could not be read.")
    merge.add_argument("feeds", nargs="+", metavar="FEED", type=_path,
                       help="feeds, or folders such as output/devdiscourse")
    merge.add_argument("-o", "--output", required=True, metavar="MERGED.jsonl", type=_path,
                       help="where to write the result")
    merge.add_argument("--run", metavar="RUN_ID",
                       help="only feeds of this run (file names starting with it, e.g. 20251121T104500Z-1a2b3c)")


MAX_NAMED_LINES = 5
"""Unreadable feed lines named one by one; the rest are counted (a damaged feed may hold thousands)."""


def merge_run_feeds(args: argparse.Namespace) -> int:
    from newscrawl.distributed.merge import NotAFeed, feed_paths, merge_feeds, run_of, write_feed

    output = Path(args.output)
    refused = refusal(output)
    if refused:
        print(f"newscrawl merge: {refused}", file=sys.stderr)
        return EXIT_USAGE
    paths = feed_paths([Path(p) for p in args.feeds], run=args.run, exclude=output)
    if not paths:
        print(f"newscrawl merge: no feeds in {', '.join(args.feeds)}{f' for run {args.run}' if args.run else ''}",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        result = merge_feeds(paths)
        write_feed(output, result.lines)
    except NotAFeed as error:
        print(f"newscrawl merge: {error}; nothing written", file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:
        print(f"newscrawl merge: {error.filename}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    runs = sorted({run_of(p) or "?" for p in paths})
    print(f"merged {result.feeds} feed{'s' * (result.feeds != 1)} (runs: {', '.join(runs)}): {result.items} items, "
          f"{result.duplicates} duplicate{'s' * (result.duplicates != 1)} dropped, {len(result.lines)} written to "
          f"{output}")
    if result.unreadable:
        more = len(result.unreadable) - MAX_NAMED_LINES
        print(f"skipped {len(result.unreadable)} unreadable line{'s' * (len(result.unreadable) != 1)}: "
              f"{', '.join(result.unreadable[:MAX_NAMED_LINES])}{f' and {more} more' if more > 0 else ''}",
              file=sys.stderr)
    return EXIT_OK


def _non_negative(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return int(text)


def _report_source(command: str, args: argparse.Namespace, url: str | None) -> bool:
    """Whether --output is a folder and --spider names a spider, the project's, one the folder holds anything of
    (ops.status.spiders_found) or, with a Redis URL (`url`), one whose distributed state that Redis holds (its
    workers write their reports on their own machines: ops/sharedspiders.py); else False, after one line
    saying why: likely a typo. A spider that has not run yet (no output/SPIDER/, perhaps only a crawl state, a lock
    or its state in Redis) is shown with what it has."""
    output = Path(args.output)
    if not output.is_dir():
        print(f"newscrawl {command}: no such folder {output}", file=sys.stderr)
        return False
    if args.spider:
        known = set(spider_names()) | set(spiders_found(output))
        if args.spider in known:
            return True
        shared = spiders_in_redis(url) if url else None
        if shared is not None and args.spider in shared.spiders:
            return True
        known |= set(shared.spiders if shared else ())
        unread = f"; none from Redis: {shared.unreadable}" if shared and shared.unreadable else ""
        print(f"newscrawl {command}: unknown spider {args.spider!r} (known: {', '.join(sorted(known)) or 'none'}"
              f"{unread})", file=sys.stderr)
        return False
    return True


def _shared_state(spider: str | None, url: str | None) -> str | None:
    """Where the distributed state of `spider` is (a Redis URL without its password), when the Redis at `url` holds
    it; for the line status prints in place of a spider's runs when it has none here."""
    if spider is None or url is None:
        return None
    shared = spiders_in_redis(url)
    return shared.where if spider in shared.spiders else None


def show_status(args: argparse.Namespace) -> int:
    settings = get_project_settings()
    url = args.redis or redis_url(settings)
    if not _report_source("status", args, url):
        return EXIT_USAGE
    try:
        schedule = GoneSchedule.from_settings(settings)  # what the crawls decide by (docs/scheduling.md)
    except BadGoneSetting as error:
        print(f"newscrawl status: {error}", file=sys.stderr)
        return EXIT_USAGE
    runs = load_runs(Path(args.output), args.spider, replays=args.replays)
    states = read_gone_states(Path(args.output), args.spider, url)
    now = datetime.now(timezone.utc)
    if args.json:
        document = status_document(runs, states, output=str(args.output), spider=args.spider, limit=args.n,
                                   schedule=schedule, now=now)
        print(json.dumps(dataclasses.asdict(document), indent=2))  # ASCII: a lone surrogate from a report still prints
        return document.exit_code
    print("\n".join(status_lines(runs, args.n)) if runs else
          no_runs_line(Path(args.output), args.spider, states, _shared_state(args.spider, url)))
    gone = gone_lines(states, schedule, now)
    if gone:
        print("\n".join(gone))
    return EXIT_FOUND_PROBLEMS if any_latest_failed(runs) else EXIT_OK


def write_report(args: argparse.Namespace) -> int:
    settings = get_project_settings()
    url = args.redis or redis_url(settings)
    if not _report_source("report", args, url):
        return EXIT_USAGE
    try:
        schedule = GoneSchedule.from_settings(settings)  # as for status: what the crawls decide by
    except BadGoneSetting as error:
        print(f"newscrawl report: {error}", file=sys.stderr)
        return EXIT_USAGE
    found = load_runs(Path(args.output), args.spider, replays=args.replays)
    runs = found
    if args.since is not None:
        runs = [run for run in runs if run.when is not None and run.when >= args.since]
    if args.limit:
        kept: dict[str, list[RunReport]] = {}
        for run in runs:
            kept.setdefault(run.spider, []).append(run)
        shown = {id(run) for spider_runs in kept.values() for run in spider_runs[-args.limit:]}
        runs = [run for run in runs if id(run) in shown]
    source = str(Path(args.output) / args.spider) if args.spider else args.output
    # Reports exist but none passed --since: "no runs yet" would send the reader looking for a broken crawl.
    empty = (f"No runs since {args.since:%Y-%m-%d}: none of the {len(found)} run report"
             f"{'s' * (len(found) != 1)} under {source} is from that UTC day or later."
             if found and not runs and args.since is not None else None)
    page = build_html(runs, source=source, generated_at=datetime.now(timezone.utc), empty=empty,
                      gone=read_gone_states(Path(args.output), args.spider, url),
                      schedule=schedule)
    try:
        write_html(Path(args.html), page)
    except OSError as error:
        print(f"newscrawl report: cannot write {args.html}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote {args.html}: {len(runs)} run{'s' * (len(runs) != 1)}"
          + (f" ({len(found)} under {source}, none from {args.since:%Y-%m-%d} on)" if empty else ""))
    return EXIT_OK



def add_pack_command(commands: argparse._SubParsersAction[OneLineParser]) -> None:
    pack_command = commands.add_parser(
        "pack", help="write a crawl's WARCs as one WACZ file for web-archive tools (docs/output.md)",
        description="Put the WARC files (named, or found in folders such as output/devdiscourse) into a WACZ with "
                    "a CDXJ index and a page per article of the feeds beside them, then validate it with py-wacz. "
                    "Needs the pack extra: pip install 'newscrawl[pack]'.",
        epilog="Exit codes: 0 written and valid; 1 py-wacz failed or the WACZ does not validate, or damaged WARCs "
               "were left out of it (each named; the others are packed); 2 usage error, "
               "no WARC found or py-wacz missing.")
    pack_command.add_argument("sources", nargs="+", metavar="SOURCE", type=_path, help="WARC files or folders")
    pack_command.add_argument("-o", "--output", required=True, metavar="CRAWL.wacz", type=_path,
                              help="where to write the WACZ")
    pack_command.add_argument("--run", metavar="RUN_ID", help="only this run's WARCs (file names starting with it)")
    pack_command.add_argument("--title", help="title recorded in the WACZ (default: the output file's name)")


def pack_wacz(args: argparse.Namespace) -> int:
    sources, output = [Path(s) for s in args.sources], Path(args.output)
    try:
        result = pack(sources, output, run=args.run, title=args.title)
    except PackError as error:
        print(f"newscrawl pack: {error}", file=sys.stderr)
        return EXIT_USAGE if error.usage else EXIT_FOUND_PROBLEMS
    for where in result.skipped_lines:
        print(f"skipped unreadable feed line {where}", file=sys.stderr)
    for damaged in result.left_out:
        print(f"newscrawl pack: left out damaged {damaged} (a WACZ holding it would not validate)", file=sys.stderr)
    print(f"packed {len(result.warcs)} WARC file{'s' * (len(result.warcs) != 1)} and {result.pages} "
          f"page{'s' * (result.pages != 1)} into {result.output} (valid WACZ)")
    return EXIT_FOUND_PROBLEMS if result.left_out else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
