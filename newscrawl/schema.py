"""Generate the item's documentation and JSON Schema from items.py: `python -m newscrawl.schema --write`.

Writes docs/schema.md (a table per dataclass, from the field docstrings) and docs/item.schema.json (JSON Schema
2020-12 of one feed item, by itemadapter's ItemAdapter.get_json_schema, which reads the same docstrings). Without
--write the Markdown goes to stdout, as before. tests/test_schema.py fails when either file and the code drift
apart, and validates every item the test suite produces against the schema.

The same is done for the document `newscrawl status --json` prints (ops/statusjson.py): its tables are the marked
part of docs/operating.md, its JSON Schema docs/status.schema.json; tests/test_ops.py checks both.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import inspect
import json
import re
import sys
import textwrap
import typing
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter

from newscrawl import items
from newscrawl.ops import statusjson

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
    return re.sub(r"newscrawl\.(\w+\.)*", "", text.replace("typing.", "")).replace("|", "\\|")


def _tables(classes: tuple[type, ...], heading: str) -> list[str]:
    """A table per dataclass (field, type, meaning from its docstring) under a `heading` line."""
    lines: list[str] = []
    for cls in classes:
        hints = typing.get_type_hints(cls)
        docs = field_docs(cls)
        lines += [f"{heading} {cls.__name__}", "", " ".join((cls.__doc__ or "").split()), "",
                  "| field | type | meaning |", "|---|---|---|"]
        for field in dataclasses.fields(cls):
            lines.append(f"| `{field.name}` | `{_type_name(hints[field.name])}` | {docs.get(field.name, '')} |")
        lines.append("")
    return lines


def render() -> str:
    lines = [
        "# Item schema",
        "",
        "Generated from `newscrawl/items.py` by `python -m newscrawl.schema --write`; do not edit by hand.",
        "The same fields as JSON Schema: [item.schema.json](item.schema.json); feed formats: [output.md](output.md).",
        "Every item is an `Article`; its `provenance` holds the facts of the fetch. Dates are ISO 8601 strings.",
        "",
    ]
    lines += _tables(CLASSES, "##")
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
    "- `url` is always present: the page's canonical http(s) URL, else the response URL (for a saved page in a",
    "  mirror's `HOST/PATH` folders, rebuilt from their names: `url_from_path`; `file://…` for a saved page with no",
    "  URL anywhere: `no_url`). `outlet` is never empty: the parser's outlet, else the URL's host, else the saved",
    "  folder's name.",
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


OPERATING = DOCS / "operating.md"
STATUS_SCHEMA = DOCS / "status.schema.json"
STATUS_CLASSES = (statusjson.StatusDocument, statusjson.StatusRun, statusjson.LatestRun, statusjson.GoneState,
                  statusjson.SiteCount, statusjson.GonePage, statusjson.Problem)
STATUS_START = "<!-- generated from newscrawl/ops/statusjson.py by python -m newscrawl.schema --write -->"
STATUS_END = "<!-- end of generated -->"


def render_status_tables() -> str:
    """The tables of the `newscrawl status --json` document, as they stand between the markers in operating.md."""
    return "\n".join([STATUS_START, "", *_tables(STATUS_CLASSES, "####"), STATUS_END])


def with_status_tables(page: str) -> str:
    """operating.md with its marked part replaced by render_status_tables(); ValueError when the markers are gone."""
    start, end = page.find(STATUS_START), page.find(STATUS_END)
    if start < 0 or end < start:
        raise ValueError(f"{OPERATING}: the lines {STATUS_START!r} and {STATUS_END!r} are missing; put them back "
                         "where the status document's tables go")
    return page[:start] + render_status_tables() + page[end + len(STATUS_END):]


def status_json_schema() -> dict[str, Any]:
    """JSON Schema of the `newscrawl status --json` document, each key's docstring as its description."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "newscrawl status --json",
            "description": " ".join((statusjson.StatusDocument.__doc__ or "").split()),
            **ItemAdapter.get_json_schema(statusjson.StatusDocument)}


def write() -> None:
    MARKDOWN.write_text(render(), encoding="utf-8")
    JSON_SCHEMA.write_text(render_json_schema(), encoding="utf-8")
    OPERATING.write_text(with_status_tables(OPERATING.read_text(encoding="utf-8")), encoding="utf-8")
    STATUS_SCHEMA.write_text(json.dumps(status_json_schema(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m newscrawl.schema", description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help=f"write {MARKDOWN.name}, {JSON_SCHEMA.name}, "
                        f"{STATUS_SCHEMA.name} and the status document's tables in {OPERATING.name}")
    if parser.parse_args(argv).write:
        write()
    else:
        sys.stdout.write(render())


if __name__ == "__main__":
    main()
