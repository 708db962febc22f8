"""FEED_EXPORTERS["parquet"]: the Parquet exporter (parquet.py), imported only when a Parquet feed is made.

Scrapy imports every registered exporter when a crawl starts; pyarrow alone adds ~45 MiB to every crawl's memory
(the hostile-input tests measure a crawl's peak RSS), so the Parquet module is loaded on first use instead.
"""

from __future__ import annotations

from typing import Any


class ParquetFeedExporter:
    """Stands in for newscrawl.parquet.ParquetItemExporter in FEED_EXPORTERS and builds one when Scrapy asks."""

    def __new__(cls, file: Any, **kwargs: Any) -> Any:
        from newscrawl.parquet import ParquetItemExporter

        return ParquetItemExporter(file, **kwargs)
