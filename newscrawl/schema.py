"""Generate docs/schema.md from the field docstrings in items.py: `python -m newscrawl.schema > docs/schema.md`.

tests/test_schema.py fails when the committed document and the code drift apart.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import sys
import textwrap
import typing

from newscrawl import items

CLASSES = (items.Article, items.Provenance, items.ArchiveRef, items.Discovery, items.Discrepancy)


def field_docs(cls: type) -> dict[str, str]:
    """Docstrings written under each dataclass field (the convention of items.py)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))  # dedent: a class defined inside a function
    body = tree.body[0].body  # type: ignore[attr-defined]
    docs: dict[str, str] = {}
    for node, following in zip(body, body[1:]):
        if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                and isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)):
            docs[node.target.id] = " ".join(following.value.value.split())
    return docs


def _type_name(annotation: object) -> str:
    text = str(annotation) if not isinstance(annotation, type) else annotation.__name__
    return text.replace("typing.", "").replace("newscrawl.items.", "").replace("|", "\\|")


def render() -> str:
    lines = [
        "# Item schema",
        "",
        "Generated from `newscrawl/items.py` by `python -m newscrawl.schema > docs/schema.md`; do not edit by hand.",
        "Every item is an `Article`; its `provenance` holds the facts of the fetch. Dates are ISO 8601 strings.",
        "",
    ]
    for cls in CLASSES:
        hints = typing.get_type_hints(cls)
        docs = field_docs(cls)
        lines += [f"## {cls.__name__}", "", " ".join((cls.__doc__ or "").split()), "",
                  "| field | type | meaning |", "|---|---|---|"]
        for field in dataclasses.fields(cls):
            lines.append(f"| `{field.name}` | `{_type_name(hints[field.name])}` | {docs.get(field.name, '')} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(render())
