"""docs/schema.md and docs/item.schema.json are generated from items.py and must match it; every field is
documented; every item the suite expects validates against the JSON Schema."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import jsonschema
import pytest

from newscrawl import schema

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "schema.md"
# An expected item is the .json beside its page (X.html → X.json); a probe's table of expected fields for a folder of
# pages (cms-templates/expected.json) is no item.
FIXTURE_EXPECTATIONS = sorted(path for path in (ROOT / "tests" / "fixtures").glob("**/*.json")
                              if path.with_suffix(".html").exists())


def test_schema_doc_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == schema.render(), (
        "docs/schema.md is out of date: python -m newscrawl.schema --write")


def test_json_schema_is_current_and_valid() -> None:
    committed = json.loads(schema.JSON_SCHEMA.read_text(encoding="utf-8"))
    assert committed == schema.json_schema(), "docs/item.schema.json is out of date: python -m newscrawl.schema --write"
    jsonschema.Draft202012Validator.check_schema(committed)
    assert committed["properties"]["outlet_id"]["type"] == ["null", "string"]  # a string, never an integer


@pytest.mark.parametrize("path", FIXTURE_EXPECTATIONS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_fixture_expectation_validates(path: Path) -> None:
    expected = json.loads(path.read_text(encoding="utf-8"))
    if expected is not None:  # null: the page is not an article
        validate_item(expected)


def validate_item(item: object) -> None:
    """Raise jsonschema.ValidationError naming the field when `item` does not match docs/item.schema.json."""
    jsonschema.Draft202012Validator(json.loads(schema.JSON_SCHEMA.read_text(encoding="utf-8"))).validate(item)


def test_the_schema_rejects_what_the_docs_forbid() -> None:
    item = {"url": "https://www.devdiscourse.com/article/x/1-a", "outlet": "devdiscourse", "title": "T", "body": "B"}
    validate_item(item)
    for bad in ({"outlet_id": 3301234}, {"tags": "a,b"}, {"provenance": {"request_url": "u"}}, {"no_such": 1}):
        with pytest.raises(jsonschema.ValidationError):
            validate_item({**item, **bad})


def test_every_field_has_a_docstring() -> None:
    for cls in schema.CLASSES:
        documented = schema.field_docs(cls)
        missing = [f.name for f in dataclasses.fields(cls) if f.name not in documented]
        assert not missing, f"{cls.__name__}: document {missing} in newscrawl/items.py"
