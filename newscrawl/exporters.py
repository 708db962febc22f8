"""Feed exporters: Scrapy's own, made safe for the people who open our feeds.

Registered in settings.FEED_EXPORTERS, so `-o items.csv` and a FEEDS entry with "format": "csv" both use them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scrapy.exporters import CsvItemExporter
from scrapy.item import Field

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


class SafeCsvItemExporter(CsvItemExporter):
    """CsvItemExporter whose text cells cannot start a formula (see FORMULA_STARTS).

    Only strings are changed (after lists are joined, so "=a,b" is caught too); numbers and booleans are written as
    Scrapy writes them, so a negative number stays a number.
    """

    def serialize_field(self, field: Mapping[str, Any] | Field, name: str, value: Any) -> Any:
        serialized = super().serialize_field(field, name, value)
        return neutralise_cell(serialized) if isinstance(serialized, str) else serialized
