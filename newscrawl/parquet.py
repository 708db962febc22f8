"""Parquet feed: a fixed Arrow schema generated from items.py, rows streamed in row groups.

`-O items.parquet` or a FEEDS entry with "format": "parquet" (registered in settings.FEED_EXPORTERS). The schema is
derived from the Article dataclass and its nested dataclasses, so a field added to items.py appears here without
an edit. Type rules (docs/output.md has the table):

- `str` → string, `int` → int64, `bool` → bool, `float` → float64; `X | None` → a nullable column of X's type.
- `list[X]` → list<X>; a nested dataclass → struct; `dict[str, str]` → map<string, string>;
  `dict[str, Any]` (free-form claims) → string holding JSON.
- Timestamps: every `str` field whose name ends in `_at` is ISO 8601 text. The string column keeps the page's text
  exactly (its offset, or its day-only precision), and a sibling `<name>_ts` column holds the instant as
  timestamp[us, tz=UTC] — null when the text has no offset (a day, or a naive time), because no instant is known.
  Arrow keeps one zone per column, so the offset lives in the string; `published_at` itself is never changed.

Columns that are null in every row keep their declared type, because the schema is fixed before the first row.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import types
import typing
from datetime import datetime, timezone
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq
from scrapy.exporters import BaseItemExporter

from newscrawl.exporters import plain
from newscrawl.items import Article
from newscrawl.schema import field_docs

logger = logging.getLogger(__name__)

TIMESTAMP_SUFFIX = "_at"
TYPED_SUFFIX = "_ts"
TIMESTAMP = pa.timestamp("us", tz="UTC")
ROW_GROUP_ITEMS = 1000  # items buffered before a row group is written: memory stays flat on long runs


def _is_timestamp(name: str, annotation: Any) -> bool:
    return name.endswith(TIMESTAMP_SUFFIX) and _strip_optional(annotation) is str


def _strip_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def arrow_type(annotation: Any) -> pa.DataType:
    """The Arrow type of one items.py annotation (see the module docstring)."""
    annotation = _strip_optional(annotation)
    origin = typing.get_origin(annotation)
    if dataclasses.is_dataclass(annotation):
        return pa.struct(arrow_fields(annotation))  # type: ignore[arg-type]
    if origin is list:
        return pa.list_(arrow_type(typing.get_args(annotation)[0]))
    if origin is dict:
        value = _strip_optional(typing.get_args(annotation)[1])
        return pa.map_(pa.string(), pa.string()) if value is str else pa.string()
    simple = {str: pa.string(), int: pa.int64(), bool: pa.bool_(), float: pa.float64()}
    if annotation in simple:
        return simple[annotation]
    return pa.string()  # Any and anything unforeseen: JSON text, never lost


def arrow_fields(cls: type) -> list[pa.Field]:
    """Fields of a dataclass in declaration order, each with its items.py docstring as Arrow metadata."""
    hints = typing.get_type_hints(cls)
    docs = field_docs(cls)
    fields: list[pa.Field] = []
    for field in dataclasses.fields(cls):
        annotation = hints[field.name]
        doc = {"description": docs.get(field.name, "")}
        fields.append(pa.field(field.name, arrow_type(annotation), nullable=True, metadata=doc))
        if _is_timestamp(field.name, annotation):
            typed_doc = {"description": f"{field.name} as an instant (UTC); null when it has no offset"}
            fields.append(pa.field(field.name + TYPED_SUFFIX, TIMESTAMP, nullable=True, metadata=typed_doc))
    return fields


def arrow_schema(cls: type = Article) -> pa.Schema:
    return pa.schema(arrow_fields(cls), metadata={"generator": "newscrawl.parquet", "item": cls.__name__})


def instant(text: Any) -> datetime | None:
    """The UTC instant of an ISO 8601 text with an offset; None for a day, a naive time or anything unparsable.

    >>> instant("2025-03-21T19:07:12+05:30"), instant("2025-03-21"), instant("2025-03-21T19:07:12")
    (datetime.datetime(2025, 3, 21, 13, 37, 12, tzinfo=datetime.timezone.utc), None, None)
    """
    if not isinstance(text, str) or len(text) <= len("YYYY-MM-DD"):
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.astimezone(timezone.utc) if parsed.tzinfo is not None else None


def arrow_value(value: Any, kind: pa.DataType) -> Any:
    """A plain (JSON-ready) value shaped for `kind`."""
    if value is None:
        return None
    if pa.types.is_struct(kind):
        row = value if isinstance(value, dict) else {}
        return arrow_row(row, [kind.field(i) for i in range(kind.num_fields)])
    if pa.types.is_list(kind):
        items = value if isinstance(value, list) else [value]
        return [arrow_value(item, kind.value_type) for item in items]
    if pa.types.is_map(kind):
        return [(str(k), None if v is None else str(v)) for k, v in value.items()] if isinstance(value, dict) else None
    if pa.types.is_string(kind):
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return value


def arrow_row(row: dict[str, Any], fields: list[pa.Field]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in fields:
        if field.name.endswith(TYPED_SUFFIX) and field.type == TIMESTAMP:
            out[field.name] = instant(row.get(field.name[: -len(TYPED_SUFFIX)]))
        else:
            out[field.name] = arrow_value(row.get(field.name), field.type)
    return out


class ParquetItemExporter(BaseItemExporter):
    """Scrapy exporter writing Parquet: items buffered, one row group written per ROW_GROUP_ITEMS."""

    def __init__(self, file: BinaryIO, **kwargs: Any) -> None:
        self.row_group_items = int(kwargs.pop("row_group_items", ROW_GROUP_ITEMS))
        super().__init__(dont_fail=True, **kwargs)
        self.file = file
        self.schema = arrow_schema()
        self.fields = list(self.schema)
        self.buffer: list[dict[str, Any]] = []
        self.writer: pq.ParquetWriter | None = None

    def start_exporting(self) -> None:
        if self.file.tell() > 0:  # `-o` appends: rows after a Parquet footer make the whole file unreadable
            logger.error("Cannot append to the existing Parquet file %s: use -O to overwrite it, or a new name "
                         "(e.g. %%(time)s in the feed URI); this feed gets no items",
                         getattr(self.file, "name", "(feed)"))
            return
        self.writer = pq.ParquetWriter(pa.PythonFile(self.file, mode="w"), self.schema, compression="zstd")

    def export_item(self, item: Any) -> None:
        if self.writer is None:
            return
        self.buffer.append(arrow_row(plain(item), self.fields))
        if len(self.buffer) >= self.row_group_items:
            self._flush()

    def finish_exporting(self) -> None:
        self._flush()
        if self.writer is not None:
            self.writer.close()  # writes the footer; the feed storage closes the file itself
            self.writer = None

    def _flush(self) -> None:
        if self.buffer and self.writer is not None:
            self.writer.write_table(pa.Table.from_pylist(self.buffer, schema=self.schema))
            self.buffer = []
