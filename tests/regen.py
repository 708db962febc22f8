"""Rewrite expected fixture JSON from the current parser: `python -m tests.regen <outlet> [case …]`.

Regenerating is a deliberate act: it never downloads, it prints which fields changed, and you review
`git diff tests/fixtures` and commit the JSON together with the parser change and its `version` bump.
"""

from __future__ import annotations

import argparse
import json
import sys

from tests.support import dump_json, fixture_paths, parse_fixture, FIXTURES


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(prog="python -m tests.regen", description=__doc__.splitlines()[0])
    cli.add_argument("outlet", help="fixture folder under tests/fixtures/")
    cli.add_argument("cases", nargs="*", help="case names (default: every .html in the folder)")
    args = cli.parse_args(argv)
    folder = FIXTURES / args.outlet
    if not folder.is_dir():
        cli.error(f"no fixture folder {folder}")
    cases = args.cases or sorted(p.stem for p in folder.glob("*.html"))
    for case in cases:
        html_path, _, json_path = fixture_paths(args.outlet, case)
        if not html_path.exists():
            print(f"{case}: no {html_path.name}", file=sys.stderr)
            return 2
        new = parse_fixture(args.outlet, case)
        old = json.loads(json_path.read_text(encoding="utf-8")) if json_path.exists() else "absent"
        if old == new:
            print(f"{case}: unchanged")
            continue
        if isinstance(old, dict) and isinstance(new, dict):
            changed = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
            print(f"{case}: changed {', '.join(changed)}")
        else:
            print(f"{case}: {'created' if old == 'absent' else 'changed'}")
        json_path.write_text(dump_json(new), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
