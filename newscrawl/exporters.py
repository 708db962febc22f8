"""Feed exporters: Scrapy's own, made flat, lossless and safe for the people who open our feeds.

Registered in settings.FEED_EXPORTERS, so `-o items.csv` and a FEEDS entry with "format": "csv" both use them
(likewise "xml" and, in newscrawl/parquet.py, "parquet"). docs/output.md describes every format.

Scrapy's own CSV and XML exporters write a nested dataclass (Article.provenance) as its Python repr and join a
list with a bare comma, so neither can be read back. Here every value that is not a scalar — a list, a mapping or
a nested dataclass — is written as compact JSON text in its cell (`["PTI","Reuters"]`, `{"request_url": …}`),
which any JSON parser recovers exactly; scalars are written as Scrapy writes them.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

from itemadapter import ItemAdapter, is_item
from scrapy.exporters import CsvItemExporter, JsonLinesItemExporter, XmlItemExporter
from scrapy.item import Field
from scrapy.utils.python import to_bytes

from newscrawl.items import plain_data

# What spreadsheet programs (Excel, LibreOffice, Google Sheets) read as the start of a formula or command: a cell
# "=HYPERLINK(…)" or "@SUM(…)" taken from a hostile headline would run when an analyst opens the CSV. OWASP's
# list ("CSV Injection"): = + - @, tab and carriage return.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: str) -> str:
    """Prefix a leading apostrophe to a cell a spreadsheet would evaluate, as spreadsheet users expect.

    The apostrophe is the spreadsheet convention for "this is text"; Excel and LibreOffice hide it when showing the
    cell. Values are otherwise unchanged, so a value read back from the CSV differs only by that first character.

    >>> neutralise_cell('=HYPERLINK("http://x","y")'), neutralise_cell("-5 degrees"), neutralise_cell("Kim")
    ('\\'=HYPERLINK("http://x","y")', "'-5 degrees", 'Kim')
    """
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def plain(value: Any) -> Any:
    """The value as JSON-ready data: items and dataclasses become dicts, tuples lists, recursively."""
    if is_item(value) and not isinstance(value, (dict, list, str)):
        return {key: plain(inner) for key, inner in ItemAdapter(value).items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(key): plain(inner) for key, inner in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(inner) for inner in value]
    return value


def is_nested(value: Any) -> bool:
    """Lists, mappings and dataclasses: what a flat cell can only hold as JSON."""
    return isinstance(value, (Mapping, list, tuple, set, frozenset)) or (
        dataclasses.is_dataclass(value) and not isinstance(value, type))


def json_cell(value: Any) -> str:
    """Compact JSON of a nested value, non-ASCII kept as is (spreadsheets show UTF-8).

    >>> json_cell(["PTI", "Reuters"]), json_cell({"a": None})
    ('["PTI","Reuters"]', '{"a":null}')
    """
    return json.dumps(plain(value), ensure_ascii=False, separators=(",", ":"), sort_keys=False)


class SafeCsvItemExporter(CsvItemExporter):
    """CSV with one column per Article field: nested values as JSON, text cells unable to start a formula.

    Only strings are guarded (see FORMULA_STARTS); numbers and booleans are written as Scrapy writes them, so a
    negative number stays a number. JSON cells start with "[" or "{" and need no guard.
    """

    def serialize_field(self, field: Mapping[str, Any] | Field, name: str, value: Any) -> Any:
        if is_nested(value):
            return json_cell(value)
        serialized = super().serialize_field(field, name, value)
        return neutralise_cell(serialized) if isinstance(serialized, str) else serialized


class FlatXmlItemExporter(XmlItemExporter):
    """XML with one element per Article field; nested values as JSON text (like the CSV), never a Python repr.

    JSON rather than nested elements because mapping keys such as the sitemap claim "news:title" are not valid XML
    element names, and one encoding for both flat formats keeps docs/output.md short. A null field has no element
    (Scrapy would write the text "None", indistinguishable from a headline "None"); an empty string has an empty one.
    """

    def _export_xml_field(self, name: str, serialized_value: Any, depth: int) -> None:
        if serialized_value is not None:
            super()._export_xml_field(name, serialized_value, depth)

    def serialize_field(self, field: Mapping[str, Any] | Field, name: str, value: Any) -> Any:
        if is_nested(value):
            return json_cell(value)
        return super().serialize_field(field, name, value)



class SerialiseOnceJsonLinesItemExporter(JsonLinesItemExporter):
    """Scrapy's JSON Lines exporter, byte for byte, serialising a dataclass item once however many feeds take it.

    Every configured feed gets the same item object in one `item_scraped`, one feed after another; feeds whose
    exporter options encode alike (encoding, indent, ensure_ascii, sort_keys, fields) share the line the first one
    made. Items that need Scrapy's per-field machinery (scrapy.Item or dict items, `fields_to_export`,
    `export_empty_fields`, field serializers) go through Scrapy's own path unchanged.
    """

    _last: tuple[Any, tuple[Any, ...], bytes] | None = None
    """(item, options, encoded line) of the most recent item: shared by every instance, i.e. every feed."""

    def __init__(self, file: Any, **kwargs: Any) -> None:
        super().__init__(file, **kwargs)
        self._options = (self.encoding, self.indent, tuple(sorted((k, repr(v)) for k, v in self._kwargs.items())))
        self._fast = self.fields_to_export is None and not self.export_empty_fields

    def export_item(self, item: Any) -> None:
        if not (self._fast and dataclasses.is_dataclass(item) and not isinstance(item, type)):
            super().export_item(item)
            return
        last = SerialiseOnceJsonLinesItemExporter._last
        if last is not None and last[0] is item and last[1] == self._options:
            self.file.write(last[2])
            return
        line = self._encode(item)
        SerialiseOnceJsonLinesItemExporter._last = (item, self._options, line)
        self.file.write(line)

    def _encode(self, item: Any) -> bytes:
        fields = dataclasses.fields(item)
        if any("serializer" in f.metadata for f in fields):
            itemdict = dict(self.get_serialized_fields(item))
        else:
            itemdict = {f.name: plain_data(getattr(item, f.name)) for f in fields}
        return to_bytes(self.encoder.encode(itemdict) + "\n", self.encoding)

    def finish_exporting(self) -> None:
        SerialiseOnceJsonLinesItemExporter._last = None  # do not keep the last item alive past the feed
        super().finish_exporting()
