"""The `newscrawl` command: audit tools around crawls.

Exit codes: 0 ok; 1 the check found a problem (e.g. a digest mismatch); 2 wrong usage or unreadable input.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from newscrawl import __version__
from newscrawl.archive.verify import verify_feed

EXIT_OK = 0
EXIT_FOUND_PROBLEMS = 1
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(
        prog="newscrawl",
        description="Audit tools for newscrawl runs. Crawls themselves run with `scrapy crawl <spider>`.",
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
    return cli


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    args = build_parser().parse_args(argv)
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


if __name__ == "__main__":
    sys.exit(main())
