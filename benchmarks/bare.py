"""The baselines of the live benchmark: a plain scrapy.Spider that fetches a list of URLs.

Run with benchmarks.bare_settings: newscrawl's settings (same politeness, retries, robots.txt, User-Agent,
reactor, CONCURRENT_ITEMS) minus newscrawl's downloader middlewares, pipelines, extensions, feeds and feed
exporters. With `-a parse=0` the callback does nothing (the cost of fetching alone). With `-a parse=1` it runs the
Devdiscourse parser on every article page and yields the article it returns as the item, which the benchmark
exports with Scrapy's own JSON Lines feed (`-O`): what a plain Scrapy project crawling the same pages into the same
kind of feed does. That is the baseline the live target is measured against (benchmarks/live.py says why).
With `-a pipelines=1` as well, each article also gets its provenance (without a discovery trail) so that
newscrawl's item pipelines, passed as ITEM_PIPELINES, can run on it: newscrawl's extraction and cleaning without
its crawl bookkeeping (capture, state, discovery, politeness), the split live.py --decompose reports.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response

from newscrawl.items import Article
from newscrawl.parsers.devdiscourse import DevdiscourseParser
from newscrawl.spiders.provenance import response_provenance


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls_file: str, parse: str = "0", pipelines: str = "0", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = [line for line in Path(urls_file).read_text().splitlines() if line.strip()]
        self.run_parser = parse == "1"
        self.with_provenance = pipelines == "1"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Article]:
        self.crawler.stats.inc_value("bare/pages")
        if self.run_parser and "/article/" in response.url:
            content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1") or None
            article = DevdiscourseParser.from_html(response.body, response.url, content_type).parse()
            if article is not None:
                if self.with_provenance:
                    article.provenance = response_provenance(
                        response, spider=self.name, crawl_id="bare", parser=DevdiscourseParser.name,
                        parser_version=DevdiscourseParser.version, discovery=[])
                yield article
