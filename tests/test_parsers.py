"""Every fixture page parses (and cleans) to its expected JSON, compared field by field."""

from __future__ import annotations

import json

import pytest

from tests.support import fixture_cases, fixture_paths, parse_fixture

CASES = fixture_cases()


@pytest.mark.parametrize(("outlet", "case"), CASES, ids=[f"{o}/{c}" for o, c in CASES])
def test_fixture(outlet: str, case: str) -> None:
    expected = json.loads(fixture_paths(outlet, case)[2].read_text(encoding="utf-8"))
    actual = parse_fixture(outlet, case)
    hint = f"if the change is deliberate: python -m tests.regen {outlet} {case}"
    if expected is None or actual is None:
        assert actual == expected, f"{outlet}/{case}: article vs non-article differs; {hint}"
        return
    for field in sorted(expected.keys() | actual.keys()):
        assert actual.get(field) == expected.get(field), f"{outlet}/{case}: field {field!r} differs; {hint}"


def test_there_are_fixtures() -> None:
    assert len(CASES) >= 10
