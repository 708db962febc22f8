"""docs/schema.md is generated from items.py and must match it; every field is documented."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from newscrawl import schema

DOC = Path(__file__).resolve().parent.parent / "docs" / "schema.md"


def test_schema_doc_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == schema.render(), (
        "docs/schema.md is out of date: python -m newscrawl.schema > docs/schema.md")


def test_every_field_has_a_docstring() -> None:
    for cls in schema.CLASSES:
        documented = schema.field_docs(cls)
        missing = [f.name for f in dataclasses.fields(cls) if f.name not in documented]
        assert not missing, f"{cls.__name__}: document {missing} in newscrawl/items.py"
