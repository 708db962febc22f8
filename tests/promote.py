"""Promote a fixture candidate to a test fixture: `python -m tests.promote CANDIDATE [--name CASE]`.

CANDIDATE is output/<spider>/fixture-candidates/<case> (with or without .html). The page and its URL are copied to
tests/fixtures/<outlet>/<CASE>.html|.url, and <CASE>.json gets the partial item with every field the page broke
set to a TODO marker, so tests/test_parsers.py fails on exactly those fields until you write the expected values
(read the page) and fix the parser.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from tests.support import FIXTURES, RUN_FIELDS, dump_json

TODO = "TODO: write the expected value from the page, then fix the parser"
REQUIRED = ("title", "body", "published_at")


def promote(candidate: Path, name: str | None = None) -> Path:
    base = candidate.with_suffix("") if candidate.suffix in (".html", ".json", ".url") else candidate
    meta = json.loads(base.with_suffix(".json").read_text(encoding="utf-8"))
    item = {k: v for k, v in meta["item"].items() if k not in RUN_FIELDS}
    broken = [f for f in REQUIRED if not item.get(f)]
    broken += [f for f in item if f"{f} missing" in meta.get("why", "") and f not in broken]
    for field_name in broken:
        item[field_name] = TODO
    target: Path = FIXTURES / item["outlet"]
    target.mkdir(parents=True, exist_ok=True)
    case = name or base.name
    shutil.copyfile(base.with_suffix(".html"), target / f"{case}.html")
    shutil.copyfile(base.with_suffix(".url"), target / f"{case}.url")
    (target / f"{case}.json").write_text(dump_json(item), encoding="utf-8")
    print(f"promoted to {target / case}.html|.url|.json; fields to fill in: {', '.join(broken) or '(none)'}")
    return target / f"{case}.json"


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(prog="python -m tests.promote", description=__doc__.splitlines()[0])
    cli.add_argument("candidate", type=Path)
    cli.add_argument("--name", help="fixture case name (default: the candidate's)")
    args = cli.parse_args(argv)
    if not args.candidate.with_suffix(".json").exists() and not (args.candidate.parent /
                                                                   f"{args.candidate.name}.json").exists():
        cli.error(f"no candidate at {args.candidate}")
    promote(args.candidate, args.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
