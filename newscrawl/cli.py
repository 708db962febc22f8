"""The `newscrawl` command: audit tools around crawls.

Exit codes: 0 ok; 1 the check found a problem (e.g. a digest mismatch); 2 wrong usage or unreadable input.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from newscrawl import __version__
from pathlib import Path

from newscrawl.archive.verify import verify_feed
from newscrawl.runner import run as run_crawl
from newscrawl.state.history import revision_diff, revision_table
from newscrawl.state.store import StateError, StateStore

EXIT_OK = 0
EXIT_FOUND_PROBLEMS = 1
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(
        prog="newscrawl",
        description="Run scheduled crawls and audit their output. Ad-hoc crawls run with `scrapy crawl <spider>`.",
        epilog="Exit codes: 0 ok, 1 problems found, 2 usage error or unreadable input.",
    )
    cli.add_argument("--version", action="version", version=f"newscrawl {__version__}")
    commands = cli.add_subparsers(dest="command", metavar="COMMAND", required=True)

    verify = commands.add_parser(
        "verify",
        help="check every item of a feed against the archived response it claims to come from",
        description="Re-read each item's archived WARC record (provenance.archive) and check that the record's "
                    "URI is the item's provenance.response_url and that the SHA-256 of its decoded body equals "
                    "provenance.body_sha256. Prints one line per problem and a summary; exits 1 on any "
                    "mismatch or missing record.",
    )
    verify.add_argument("feed", help="a JSON Lines feed written by newscrawl")
    verify.add_argument("--archive", metavar="PATH",
                        help="look for the WARC files here (a file or folder) instead of the paths recorded in the "
                             "items, e.g. after moving the archive")
    verify.add_argument("-q", "--quiet", action="store_true", help="print only problems and the summary")

    run = commands.add_parser(
        "run", help="run one scheduled crawl with a lock, a log file and a run report (for cron/systemd)",
        description="Run `scrapy crawl SPIDER [ARGS]` once, holding the spider's lock (output/state/SPIDER.lock). "
                    "Writes the feed, WARC, log and report under output/SPIDER/ and prints a summary.",
        epilog="Exit codes: 0 ok, 1 crawl failed without a report, 2 usage error, 3 another run holds the lock, "
               "4 fetch failures over the threshold, 5 layout drift, 6 nothing discovered.")
    run.add_argument("spider", help="spider name, e.g. devdiscourse")
    run.add_argument("scrapy_args", nargs=argparse.REMAINDER, metavar="...",
                     help="passed to scrapy crawl, e.g. -a base_url=http://127.0.0.1:8080 -a since=2025-03-01")

    history = commands.add_parser(
        "history", help="list an article's revisions and diff two of them",
        description="List every revision of an article recorded in the crawl state (by URL or article key) and "
                    "show a unified diff of title and body between two revisions (default: the last two).")
    history.add_argument("url", help="the article's canonical URL (or its key, e.g. devdiscourse:3301234)")
    history.add_argument("--spider", default="devdiscourse", help="whose state to read (default devdiscourse)")
    history.add_argument("--state", metavar="FILE", help="state file (default output/state/SPIDER.sqlite)")
    history.add_argument("--diff", nargs=2, type=int, metavar=("A", "B"), help="revisions to compare")
    return cli


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    args = build_parser().parse_args(argv)
    if args.command == "run":
        return run_crawl(args.spider, args.scrapy_args)
    if args.command == "history":
        return show_history(args)
    if args.command == "verify":
        try:
            report = verify_feed(args.feed, args.archive)
        except OSError as error:
            print(f"newscrawl verify: cannot read {error.filename or args.feed}: {error.strerror}", file=sys.stderr)
            return EXIT_USAGE
        for line in report.lines(verbose=not args.quiet):
            print(line)
        return EXIT_OK if report.ok else EXIT_FOUND_PROBLEMS
    return EXIT_USAGE


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
    revisions = store.revisions(args.url)
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


if __name__ == "__main__":
    sys.exit(main())
