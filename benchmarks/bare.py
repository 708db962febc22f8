"""The baseline for the live benchmark: a plain scrapy.Spider that fetches a list of URLs and does nothing else.

Run with benchmarks.bare_settings: newscrawl's settings (same politeness, retries, robots.txt, User-Agent,
reactor) minus newscrawl's downloader middlewares, pipelines, extensions and feeds. With `-a parse=1` the callback
also runs the Devdiscourse parser, to split newscrawl's overhead into "parsing" and "everything else".
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response

from newscrawl.parsers.devdiscourse import DevdiscourseParser


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls_file: str, parse: str = "0", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = [line for line in Path(urls_file).read_text().splitlines() if line.strip()]
        self.run_parser = parse == "1"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse)

    def parse(self, response: Response, **kwargs: Any) -> None:
        self.crawler.stats.inc_value("bare/pages")
        if self.run_parser and "/article/" in response.url:
            content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1") or None
            DevdiscourseParser.from_html(response.body, response.url, content_type).parse()
