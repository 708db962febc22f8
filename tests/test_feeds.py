"""Flat and columnar feeds that data tools read as they are (docs/output.md).

The bundled sample is replayed once into JSON lines, CSV, XML and Parquet; every other format must give back the
JSON lines values exactly (nested values as JSON text in CSV/XML, as structs/lists in Parquet), with no Python repr
anywhere and the page's offsets kept.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any, cast

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from scrapy.exporters import JsonLinesItemExporter

from newscrawl.exporters import SerialiseOnceJsonLinesItemExporter, neutralise_cell
from newscrawl.items import Article, ArchiveRef, Discrepancy, Discovery, Provenance
from newscrawl.parquet import ParquetItemExporter, arrow_schema, instant
from tests.crawling import ROOT, run_crawl
from tests.test_schema import validate_item

SAMPLE = ROOT / "samples" / "devdiscourse.warc.gz"
REPR = re.compile(r"\b(Provenance|ArchiveRef|Discovery|Discrepancy|Article)\(")


def duckdb_rows(query: str) -> list[tuple[Any, ...]]:
    """The rows a DuckDB SELECT returns (duckdb.sql answers None only for a statement without a result)."""
    relation = duckdb.sql(query)
    assert relation is not None
    return relation.fetchall()


@pytest.fixture(scope="module")
def feeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    workdir = tmp_path_factory.mktemp("feeds")
    run = run_crawl(workdir, "devdiscourse", "-a", f"replay={SAMPLE}", "-O", "items.csv", "-O", "items.xml",
                    "-O", "items.parquet", "-O", "items.jsonl", settings={"NEWSCRAWL_STATE_ENABLED": "False"})
    assert run.returncode == 0, run.log[-3000:]
    [jsonl] = run.output_files("*.replay.jsonl")
    items = run.feed_items(jsonl)
    assert len(items) == 41
    return {"dir": workdir, "items": {item["url"]: item for item in items}, "jsonl": jsonl}


def test_a_second_json_lines_feed_holds_the_same_bytes(feeds: dict[str, Any]) -> None:
    assert (feeds["dir"] / "items.jsonl").read_bytes() == Path(feeds["jsonl"]).read_bytes()


def test_every_replayed_item_validates_against_the_json_schema(feeds: dict[str, Any]) -> None:
    for item in feeds["items"].values():
        validate_item(item)
        assert item["language"] == "en" and item["declared_language"]  # LanguagePipeline ran in the crawl


def cell_text(value: Any) -> str:
    """What the CSV/XML cell must hold for a JSON lines value."""
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def back_from_cell(cell: str, like: Any) -> Any:
    if isinstance(like, (list, dict)):
        return json.loads(cell)
    return cell


def test_csv_reads_back_every_value_with_csv_and_pandas(feeds: dict[str, Any]) -> None:
    path = feeds["dir"] / "items.csv"
    text = path.read_text(encoding="utf-8")
    assert not REPR.search(text)
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert len(rows) == len(frame) == len(feeds["items"])
    assert list(frame.columns) == [f.name for f in dataclasses.fields(Article)]
    for row, (_, framed) in zip(rows, frame.iterrows()):
        item = feeds["items"][row["url"]]
        for name, value in item.items():
            assert row[name] == framed[name]
            expected = value if isinstance(value, (list, dict)) else neutralise_cell(cell_text(value))
            assert back_from_cell(row[name], value) == expected, name  # the formula guard is the only change
    assert json.loads(rows[0]["provenance"])["archive"]["file"] == "devdiscourse.warc.gz"


def test_xml_reads_back_every_value(feeds: dict[str, Any]) -> None:
    path = feeds["dir"] / "items.xml"
    assert not REPR.search(path.read_text(encoding="utf-8"))
    elements = ET.parse(path).getroot().findall("item")
    assert len(elements) == len(feeds["items"])
    for element in elements:
        item = feeds["items"][element.findtext("url")]
        for name, value in item.items():
            if value is None:
                assert element.find(name) is None, name  # Scrapy leaves a null field out
                continue
            assert back_from_cell(element.findtext(name) or "", value) == (
                value if isinstance(value, (list, dict)) else cell_text(value)), name


def test_parquet_loads_in_pyarrow_pandas_and_duckdb_with_types_and_offsets(feeds: dict[str, Any]) -> None:
    path = str(feeds["dir"] / "items.parquet")
    table = pq.read_table(path)
    assert table.schema.equals(arrow_schema(), check_metadata=False)
    assert table.schema.field("outlet_id").type == pa.string()
    assert table.schema.field("revision").type == pa.int64()  # all null here (no crawl state): still int64
    rows = {row["url"]: row for row in table.to_pylist()}
    for url, item in feeds["items"].items():
        row = rows[url]
        assert row["published_at"] == item["published_at"]  # the page's text, offset and all
        assert row["published_at_ts"] == instant(item["published_at"])
        assert row["tags"] == item["tags"] and row["outlet_id"] == item["outlet_id"]
        provenance = row["provenance"]
        assert provenance["archive"] == item["provenance"]["archive"]
        assert dict(provenance["headers"]) == item["provenance"]["headers"]
        assert [json.loads(d["claims"]) for d in provenance["discovery"]] == [
            d["claims"] for d in item["provenance"]["discovery"]]
    assert any(item["published_at"].endswith("+05:30") for item in feeds["items"].values())

    frame = pd.read_parquet(path, dtype_backend="pyarrow")
    assert str(frame["published_at_ts"].dtype) == "timestamp[us, tz=UTC][pyarrow]"
    assert str(frame["outlet_id"].dtype) == "string[pyarrow]" and str(frame["revision"].dtype) == "int64[pyarrow]"
    assert frame["published_at"].str.endswith("+05:30").any()

    types = dict(duckdb_rows(f"DESCRIBE SELECT * FROM read_parquet('{path}')")[i][:2]
                 for i in range(len(table.schema)))
    assert types["published_at_ts"] == "TIMESTAMP WITH TIME ZONE" and types["outlet_id"] == "VARCHAR"
    assert types["revision"] == "BIGINT" and types["tags"] == "VARCHAR[]"
    [(archive_file, offset_text)] = duckdb_rows(
        f"SELECT provenance.archive.file, published_at FROM read_parquet('{path}') "
        "WHERE published_at LIKE '%+05:30' LIMIT 1")
    assert archive_file == "devdiscourse.warc.gz" and offset_text.endswith("+05:30")


def article(n: int, published_at: str | None) -> Article:
    return Article(url=f"https://www.devdiscourse.com/article/x/{n}-a", outlet="devdiscourse", title=f"T {n}",
                   body="Body", published_at=published_at, outlet_id=str(n),
                   provenance=Provenance(request_url="u", response_url="u", status=200,
                                         fetched_at="2025-03-21T13:37:12Z", body_sha256="0" * 64, spider="s",
                                         crawl_id="c", parser="p", parser_version="1",
                                         archive=ArchiveRef(file="f", record_id="r", offset=n)))


def test_parquet_streams_row_groups_and_keeps_every_date_form(tmp_path: Path) -> None:
    forms = ["2025-03-21T19:07:12+05:30", "2025-03-21", "2025-03-21T19:07:12", None, "not a date"]
    path = tmp_path / "items.parquet"
    with open(path, "wb") as handle:
        exporter = ParquetItemExporter(handle, row_group_items=10)
        exporter.start_exporting()
        for n in range(25):
            exporter.export_item(article(n, forms[n % len(forms)]))
            assert len(exporter.buffer) == (n + 1) % 10  # never more than one row group held in memory
        exporter.finish_exporting()
    parquet = pq.ParquetFile(path)
    assert parquet.metadata.num_row_groups == 3 and parquet.metadata.num_rows == 25
    rows = parquet.read().to_pylist()
    assert [row["published_at"] for row in rows[:5]] == forms
    assert [row["published_at_ts"] is None for row in rows[:5]] == [False, True, True, True, True]
    assert rows[0]["published_at_ts"].isoformat() == "2025-03-21T13:37:12+00:00"
    assert rows[3]["provenance"]["fetched_at_ts"].isoformat() == "2025-03-21T13:37:12+00:00"
    assert parquet.schema_arrow.field("subtitle").type == pa.string()  # null in every row, still a string


def test_appending_to_a_parquet_file_is_refused_not_corrupting(feeds: dict[str, Any],
                                                               tmp_path: Path) -> None:
    """`-o` appends: refused before the crawl in one line (exit 2), the first run's file left readable. It used to
    crawl, log an error, then "Stored parquet feed (41 items)" over a file that got none, and exit 0."""
    path = tmp_path / "items.parquet"
    path.write_bytes((feeds["dir"] / "items.parquet").read_bytes())
    workdir = tmp_path / "again"
    again = run_crawl(workdir, "devdiscourse", "-a", f"replay={SAMPLE}", "-o", str(path),
                      settings={"NEWSCRAWL_STATE_ENABLED": "False"})
    assert again.returncode == 2, again.log[-3000:]
    assert again.log == (f"scrapy crawl devdiscourse: error: -o {path}: a Parquet file cannot be appended to, and "
                         f"{path} exists; use -O to overwrite it, or a new name (e.g. %(time)s in the feed URI)\n")
    assert not (workdir / "output").exists(), "nothing crawled"
    assert pq.read_table(path).num_rows == len(feeds["items"])


def test_the_exporter_itself_never_appends_to_a_parquet_file(tmp_path: Path, caplog: pytest.LogCaptureFixture
                                                             ) -> None:
    """The last guard, for a file that appears after the crawl's check: no rows after the footer."""
    path = tmp_path / "items.parquet"
    path.write_bytes(b"PAR1 not empty")
    with open(path, "ab") as handle:
        exporter = ParquetItemExporter(handle)
        exporter.start_exporting()
        exporter.export_item(article(1, None))
        exporter.finish_exporting()
    assert path.read_bytes() == b"PAR1 not empty"
    assert "Cannot append to the existing Parquet file" in caplog.text


def test_the_documented_csv_header_is_the_real_one(feeds: dict[str, Any]) -> None:
    """docs/output.md shows the CSV header; it lacked columns added to items.py since."""
    documented = next(line for line in (ROOT / "docs" / "output.md").read_text(encoding="utf-8").splitlines()
                      if line.startswith("url,outlet,"))
    with open(feeds["dir"] / "items.csv", encoding="utf-8", newline="") as handle:
        assert documented.split(",") == next(csv.reader(handle))


def test_parquet_schema_follows_items_py() -> None:
    schema = arrow_schema()
    for field in dataclasses.fields(Article):
        assert field.name in schema.names
        assert schema.field(field.name).metadata[b"description"]  # the items.py docstring travels along
    assert [name for name in schema.names if name.endswith("_ts")] == ["published_at_ts", "modified_at_ts"]

    @dataclasses.dataclass
    class Extended:
        checked_at: str | None = None
        """An ISO time."""
        quality: list[str] = dataclasses.field(default_factory=list)
        """Flags."""
        score: float | None = None
        """A number."""

    extended = arrow_schema(Extended)
    assert extended.names == ["checked_at", "checked_at_ts", "quality", "score"]
    assert extended.field("quality").type == pa.list_(pa.string()) and extended.field("score").type == pa.float64()


def rich_article(n: int) -> Article:
    """An item with every kind of nested value a feed line holds: dataclasses in lists, dicts, non-ASCII text."""
    item = article(n, "2025-03-21T19:07:12+05:30")
    item.title, item.tags, item.countries = "Ça «va» — 東京 \u2028 \"q\"", ["a", "é"], ["India"]
    assert item.provenance is not None
    item.provenance.headers = {"etag": None, "last_modified": "Fri, 21 Mar 2025 13:37:12 GMT"}
    item.provenance.discovery = [Discovery(via="sitemap", source_url="https://x/s.xml", position=n,
                                           claims={"lastmod": "2025-03-21", "news:title": "T", "n": 3})]
    item.provenance.discrepancies = [Discrepancy(field="title", via="sitemap", source_url=None, claimed="a",
                                                 found=None)]
    return item


@pytest.mark.parametrize("options", [{"encoding": "utf-8"}, {}, {"encoding": "utf-8", "indent": 2},
                                     {"encoding": "utf-8", "sort_keys": True}])
def test_json_lines_bytes_are_scrapys_own(tmp_path: Path, options: dict[str, Any]) -> None:
    items = [rich_article(n) for n in range(3)]
    written = []
    for exporter_class in (JsonLinesItemExporter, SerialiseOnceJsonLinesItemExporter):
        with open(tmp_path / exporter_class.__name__, "w+b") as handle:
            # Scrapy annotates `file` as BytesIO, yet writes to any binary file (its feeds hand it real files)
            exporter = exporter_class(cast(BytesIO, handle), **options)
            exporter.start_exporting()
            for item in items:
                exporter.export_item(item)
            exporter.finish_exporting()
            handle.seek(0)
            written.append(handle.read())
    assert written[0] == written[1]


def test_an_item_is_serialised_once_for_every_feed_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    handles = [open(tmp_path / f"feed{n}.jsonl", "w+b") for n in range(3)]
    exporters = [SerialiseOnceJsonLinesItemExporter(handle, encoding="utf-8") for handle in handles]
    encoded: list[Any] = []
    for exporter in exporters:
        original = exporter.encoder.encode
        def encode(value: Any, original: Callable[[Any], str] = original) -> str:  # the default: this exporter's
            encoded.append(value)
            return original(value)

        monkeypatch.setattr(exporter.encoder, "encode", encode)
    items = [rich_article(n) for n in range(4)]
    for item in items:
        for exporter in exporters:  # what Scrapy's FeedExporter does on item_scraped
            exporter.export_item(item)
    for exporter, handle in zip(exporters, handles):
        exporter.finish_exporting()
        handle.close()
    assert len(encoded) == len(items)
    contents = {(tmp_path / f"feed{n}.jsonl").read_bytes() for n in range(3)}
    assert len(contents) == 1 and contents.pop().count(b"\n") == len(items)
