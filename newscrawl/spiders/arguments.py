"""The -a arguments of newscrawl spiders: how each is read, checked and explained.

A wrong argument stops the crawl before it starts with one UsageError line naming the argument, what was wrong
and what it accepts (exit code 2).
"""

from __future__ import annotations

from collections.abc import Callable
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from scrapy.exceptions import UsageError

from newscrawl.archive.budget import UnpackLimits
from newscrawl.archive.findings import UnreadableBundle
from newscrawl.archive.replay import ArchiveNotFound, source_kind
from newscrawl.archive.unpack import replay_root
from newscrawl.extract.urls import is_http_url, url_file_lines


@dataclass(frozen=True)
class Arg:
    """One -a argument: how to read it and what it means (shown when an argument is wrong)."""

    convert: Callable[[str], Any]
    help: str


def http_url(value: str) -> str:
    value = value.strip()
    if not is_http_url(value):
        raise ValueError(f"{value!r} is not an absolute http(s) URL")
    return value.rstrip("/")


def url_list(value: str) -> list[str]:
    """URL,URL or @file.txt (one URL per line, blank lines and # comments ignored: extract.urls.url_file_lines)."""
    if value.startswith("@"):
        path = given_path(value[1:], "file name after @")
        try:
            items = url_file_lines(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise ValueError(f"cannot read URL file {path}: {error.strerror}") from error
    else:
        items = [part.strip() for part in value.split(",") if part.strip()]
    if not items:
        raise ValueError("no URLs given")
    for item in items:
        if not is_http_url(item):
            raise ValueError(f"{item!r} is not an absolute http(s) URL")
    return items


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise ValueError(f"{value!r} is not a positive whole number")
    return number


def job_count(value: str) -> int:
    """How many processes a replay uses: a positive whole number, or "auto" for every core this process may use."""
    if value.strip().lower() == "auto":
        return len(os.sched_getaffinity(0))
    try:
        return positive_int(value)
    except ValueError:
        raise ValueError(f"{value!r} is neither a positive whole number nor auto") from None


def iso_day(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a date in the form YYYY-MM-DD") from None


def given_path(value: str, what: str = "") -> Path:
    """A path the user typed. An empty one (what an unset shell variable gives) is refused: Path("") is the working
    folder, so a crawl would replay (or read) whatever happens to be there."""
    if not value.strip():
        raise ValueError(f"empty {what}".rstrip())
    return Path(value).expanduser()


def existing_path(value: str) -> Path:
    path = given_path(value)
    if not path.exists():
        raise ValueError(f"{value!r} does not exist")
    return path


def archive_path(limits: UnpackLimits) -> Callable[[str], Path]:
    """A converter for an existing replay source: a WARC file, a folder of WARCs, a WACZ file (its WARCs, extracted
    once: unpack.py), a HAR file (converted once: har.py), a folder of saved pages, or a ZIP or tar file of any of
    them (extracted once: bundles.py), unpacked within `limits` (the NEWSCRAWL_UNPACK_* settings: budget.py)."""
    def convert(value: str) -> Path:
        path = existing_path(value)
        try:
            path = replay_root(path, limits)
            source_kind(path)
        except (ArchiveNotFound, UnreadableBundle) as error:
            raise ValueError(str(error)) from None
        return path
    return convert


def flag(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"{value!r} is not a yes/no value (use 1 or 0)")


def choice_list(allowed: tuple[str, ...], what: str) -> Callable[[str], tuple[str, ...]]:
    """A converter for a comma list whose members must come from `allowed`."""
    def convert(value: str) -> tuple[str, ...]:
        names = tuple(part.strip().lower() for part in value.split(",") if part.strip())
        unknown = [name for name in names if name not in allowed]
        if unknown or not names:
            raise ValueError(f"unknown {what}(s) {', '.join(unknown) or '(none given)'}")
        return names
    return convert


def one_of(what: str, allowed: tuple[str, ...]) -> Callable[[str], str]:
    """A converter for one word of `allowed`."""
    def convert(value: str) -> str:
        word = value.strip().lower()
        if word not in allowed:
            raise ValueError(f"unknown {what} {value!r}, not one of {', '.join(allowed)}")
        return word
    return convert


def positive_hours(value: str) -> float:
    try:
        hours = float(value)
    except ValueError:
        hours = -1.0
    if hours < 0:
        raise ValueError(f"{value!r} is not a number of hours (0 or more)")
    return hours


def common_args(limits: UnpackLimits) -> dict[str, Arg]:
    """The arguments every newscrawl spider takes; an archive given as -a replay is unpacked within `limits`, read
    from the settings by whoever reads the arguments (commands/checks.py before the crawl, the spider in it)."""
    return {
        "full": Arg(flag, "1: fetch every discovered article, ignoring what the crawl state says was seen "
                          "(default 0)"),
        "revisit_hours": Arg(positive_hours, "revisit articles published less than this many hours ago with a "
                                             "conditional request (default 24)"),
        "urls": Arg(url_list, "fetch exactly these article pages, no discovery: URL,URL or @file.txt"),
        "replay": Arg(archive_path(limits), "answer every request from this archive (.warc/.warc.gz/.warc.zst, a "
                                            "folder of them, a .wacz, a .har, a folder of saved HTML pages, or a "
                                            ".zip/.tar.gz of any) instead of the network"),
        "jobs": Arg(job_count, "processes a replay is split across, or auto for every core (default 1); the feeds "
                               "are byte-identical to a one-process replay's (docs/parallel.md)"),
        "versions": Arg(one_of("version choice", ("last", "all")),
                        "in a replay, last: each page as its last capture (default); all: every archived version of "
                        "an article page (WARC captures, or saved pages by their saved time), oldest first, as its "
                        "revisions, one page at a time (docs/archive.md)"),
    }


# Arguments schedulers add on their own (scrapyd passes -a _job=<id>); accepted and ignored.
SCHEDULER_ARGS = frozenset({"_job"})


def parse_arguments(spider_name: str, spec: dict[str, Arg], given: dict[str, Any]) -> dict[str, Any]:
    """Convert -a arguments by `spec`; one UsageError naming the argument and the accepted ones otherwise."""
    known = ", ".join(sorted(spec))
    values: dict[str, Any] = {}
    for name, raw in given.items():
        if name in SCHEDULER_ARGS:
            continue
        if name not in spec:
            raise UsageError(f"spider {spider_name!r}: unknown argument {name!r}; accepted arguments: {known}",
                             print_help=False)
        try:
            values[name] = spec[name].convert(str(raw))
        except ValueError as error:
            raise UsageError(f"spider {spider_name!r}: bad value for -a {name}: {error} ({spec[name].help})",
                             print_help=False) from None
    return values
