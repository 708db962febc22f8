"""Generate the item's documentation and JSON Schema from items.py: `python -m newscrawl.schema --write`.

Writes docs/schema.md (a table per dataclass, from the field docstrings) and docs/item.schema.json (JSON Schema
2020-12 of one feed item, by itemadapter's ItemAdapter.get_json_schema, which reads the same docstrings). Without
--write the Markdown goes to stdout, as before. tests/test_schema.py fails when either file and the code drift
apart, and validates every item the test suite produces against the schema.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import inspect
import json
import sys
import textwrap
import typing
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter

from newscrawl import items

DOCS = Path(__file__).resolve().parent.parent / "docs"
MARKDOWN = DOCS / "schema.md"
JSON_SCHEMA = DOCS / "item.schema.json"
CLASSES = (items.Article, items.LiveUpdate, items.Provenance, items.ArchiveRef, items.Discovery, items.Discrepancy,
           items.FetchedPage)


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
        "Generated from `newscrawl/items.py` by `python -m newscrawl.schema --write`; do not edit by hand.",
        "The same fields as JSON Schema: [item.schema.json](item.schema.json); feed formats: [output.md](output.md).",
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
    lines += CONTRACT
    lines += ["| flag | meaning |", "|---|---|"]
    lines += [f"| `{flag}` | {meaning} |" for flag, meaning in items.QUALITY_FLAGS.items()]
    lines.append("")
    return "\n".join(lines)


CONTRACT = [
    "## The item contract: kept, flagged, dropped",
    "",
    "Every real article is emitted. A page is dropped only when it is not an article (a home, section, tag, search or",
    "error page: counted as `newscrawl/pages/not_article`, no item) or when its article has no body text",
    "(`item_dropped_reasons_count/MissingField`); each drop is one log line with the reason and the URL. Everything",
    "else is kept, and what is missing or imprecise is named in `quality`, one flag per defect, each counted as",
    "`newscrawl/quality/<flag>` and listed under `counts.quality` in the run report:",
    "",
    "- `url` is always present: the page's canonical http(s) URL, else the response URL (`file://…` for a saved page",
    "  with no URL anywhere: `no_url`). `outlet` is never empty: the parser's outlet, else the URL's host, else the",
    "  saved folder's name.",
    "- `title` may be \"\" (`no_title`); `published_at` may be null (`no_date`), a day (`date_day_only`) or a time",
    "  without offset (`date_no_timezone`); an outlet parser that knows the outlet's zone (Devdiscourse: IST) gives",
    "  the offset. `modified_at`, `byline`, `subtitle`, `dateline`, the image fields and `paywalled` may be null;",
    "  lists may be empty.",
    "- Working HTML markup in a text field is removed, its text kept (`markup_removed`).",
    "- A field an outlet parser must find (its `expected_coverage`) missing on too many pages is layout drift: the",
    "  items are still emitted and flagged, the run ends with the drift status (exit code 5) and fixture candidates.",
    "",
]


def json_schema() -> dict[str, Any]:
    """JSON Schema of one feed item (a JSON lines record): types, required fields, each field's docstring."""
    generated = ItemAdapter.get_json_schema(items.Article)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "newscrawl Article",
            "description": " ".join((items.Article.__doc__ or "").split()),
            **generated}


def render_json_schema() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def write() -> None:
    MARKDOWN.write_text(render(), encoding="utf-8")
    JSON_SCHEMA.write_text(render_json_schema(), encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m newscrawl.schema", description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help=f"write {MARKDOWN.name} and {JSON_SCHEMA.name}")
    if parser.parse_args(argv).write:
        write()
    else:
        sys.stdout.write(render())


if __name__ == "__main__":
    main()
