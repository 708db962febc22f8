"""Which name a replay's default feed and run report take: `<crawl id>.replay`, unless that name holds the replay of
other input.

A replay reuses the archived run's crawl id (from warcinfo), so two replays of one archive write one byte-identical
feed, the second over the first. But a crawl id does not name bytes: a copy of the WARC cut short, or one file of a
rotated crawl, claims the same id as the whole archive, and its replay silently replaced the whole archive's feed and
report (41 items by 28). So a replay's report records its input (the path as given and the SHA-256 of its bytes,
archive/replay.py `input_sha256`), and a replay of other bytes than the report under the plain name records takes
`<crawl id>.<12 hex digits of its input's SHA-256>.replay` instead, with one warning naming both inputs and both
names. The plain name stays with the input replayed first; every input keeps its own name at every later replay, so
its feed is still byte-identical. A plain-name feed whose input no report records (a report written before reports
recorded it, or none beside the feed) is replaced as before, with one warning saying so.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

INPUT_DIGITS = 12
"""Hex digits of the input's SHA-256 in a replay name of its own: as many as a foreign archive's crawl id has."""


def recorded_input(report: Path) -> dict[str, str] | None:
    """The input a replay report records (`{"path", "sha256"}`), or None: no report, an unreadable one, or one written
    before reports recorded their input."""
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    found = data.get("input") if isinstance(data, dict) else None
    if not isinstance(found, dict) or not isinstance(found.get("sha256"), str):
        return None
    return {"path": str(found.get("path")), "sha256": found["sha256"]}


def replay_stem(reports: Path, crawl_id: str, replayed: dict[str, str], feed: Callable[[str], str | None]
                ) -> tuple[str, str | None]:
    """The stem of a replay's feed and report names (`<stem>.jsonl`, `<stem>.report.json`), and the warning to log
    when its name differs from the plain one or replaces a feed of unknown input (logged by the caller, once logging
    is set up: a parallel replay names its run before Scrapy configures it).

    `reports` is the folder its report goes in (NEWSCRAWL_REPORT_DIR/<spider>), `replayed` its input as the report
    records it, `feed` its default feed's path for a stem (None when FEEDS has no default feed, as under `-O`).
    """
    plain = f"{crawl_id}.replay"
    report = reports / f"{plain}.report.json"
    other = recorded_input(report)
    if other is not None and other["sha256"] == replayed["sha256"]:
        return plain, None
    if other is None:
        replaced = feed(plain)
        if replaced is None or not Path(replaced).exists():
            return plain, None
        return plain, (f"Replay of {replayed['path']} replaces {replaced}: no replay report records which input that "
                       f"feed was replayed from ({report} is missing or older), so it cannot be told from this one")
    stem = f"{crawl_id}.{replayed['sha256'][:INPUT_DIGITS]}.replay"
    return stem, (f"Replay of {replayed['path']} (sha256 {replayed['sha256']}) claims crawl id {crawl_id}, whose "
                  f"replay {feed(plain) or report} was made from other input, {other['path']} (sha256 "
                  f"{other['sha256']}): this replay writes {feed(stem) or reports / f'{stem}.report.json'} instead "
                  "of replacing it")
