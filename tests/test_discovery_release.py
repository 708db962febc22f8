"""A slow discovery source does not hold the articles other sources found (issue 20), and each article is still
decided once and fetched once. Real crawls of a loopback site of generic pages, one sitemap answering late."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from tests.crawling import FAST, CrawlResult, run_crawl
from tests.sitegen.server import MirrorServer, Page, Request, Site
from tests.test_outcomes import ARTICLES, FIRST, FIXTURES, SECOND, XML  # the same small two-sitemap site

DELAY = 10.0  # seconds sitemap-b takes to answer (well inside DOWNLOAD_TIMEOUT below)
OLD, NEW = "2025-03-21T00:00:00+00:00", "2025-03-25T00:00:00+00:00"  # sitemap lastmod claims
SETTINGS = {**FAST, "DOWNLOAD_TIMEOUT": "30", "RETRY_TIMES": "0", "NEWSCRAWL_DISCOVERY_PATIENCE": "1"}


def urlset(base: str, entries: list[tuple[str, str]]) -> bytes:
    rows = "".join(f"<url><loc>{base}{path}</loc><lastmod>{lastmod}</lastmod></url>" for path, lastmod in entries)
    return (f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{rows}</urlset>").encode()


class SlowSitemap:
    """Route hook: /sitemap-b.xml answers after DELAY seconds; remembers when it answered (UTC)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.answered: list[datetime] = []

    def __call__(self, request: Request) -> Page | None:
        if request.path != "/sitemap-b.xml":
            return None
        time.sleep(DELAY)
        self.answered.append(datetime.now(timezone.utc))
        return self.page


@pytest.fixture()
def server() -> Iterator[MirrorServer]:
    with MirrorServer(Site()) as mirror:
        mirror.site.update({path: Page((FIXTURES / f"{case}.html").read_bytes()) for path, case in ARTICLES.items()})
        mirror.site["/sitemap-a.xml"] = Page(urlset(mirror.base_url, [(p, OLD) for p in FIRST]),
                                             content_type=XML)
        yield mirror


def slow_sitemap_b(server: MirrorServer, entries: list[tuple[str, str]]) -> SlowSitemap:
    hook = SlowSitemap(Page(urlset(server.base_url, entries), content_type=XML))
    server.site.hooks.insert(0, hook)
    return hook


def crawl(server: MirrorServer, workdir: Path, **settings: str) -> CrawlResult:
    sitemaps = f"sitemap={server.base_url}/sitemap-a.xml,{server.base_url}/sitemap-b.xml"
    return run_crawl(workdir, "news", "-a", sitemaps, "-O", "items.jsonl", settings={**SETTINGS, **settings})


def by_path(items: list[dict[str, Any]], server: MirrorServer) -> dict[str, dict[str, Any]]:
    return {item["provenance"]["request_url"].removeprefix(server.base_url): item for item in items}


def trail(item: dict[str, Any]) -> list[tuple[str, str]]:
    return [(d["via"], d["source_url"].rsplit("/", 1)[-1]) for d in item["provenance"]["discovery"]]


def test_articles_other_sources_found_are_fetched_while_a_slow_sitemap_is_awaited(
        server: MirrorServer, tmp_path: Path) -> None:
    # sitemap-b also names FIRST[0], which sitemap-a already found: a late route, never a second fetch
    slow = slow_sitemap_b(server, [(FIRST[0], OLD), *((p, OLD) for p in SECOND)])
    live = crawl(server, tmp_path / "live")
    assert live.returncode == 0, live.log[-3000:]
    items = by_path(live.feed_items("items.jsonl"), server)
    assert sorted(items) == sorted(ARTICLES)
    fetches = Counter(entry.path for entry in server.access_log if entry.path in ARTICLES)
    assert set(fetches.values()) == {1}, f"an article was fetched twice: {fetches}"
    assert live.stat("newscrawl/discovery/released_early") == len(FIRST)
    assert live.stat("newscrawl/discovery/late_route") == 1
    assert len(slow.answered) == 1
    for path in FIRST:  # fetched while sitemap-b was still awaited
        assert datetime.fromisoformat(items[path]["provenance"]["fetched_at"]) < slow.answered[0], path
    for path in SECOND:
        assert datetime.fromisoformat(items[path]["provenance"]["fetched_at"]) > slow.answered[0], path
    # an item lists the routes known when its page was fetched: the late route is not in FIRST[0]'s trail
    assert trail(items[FIRST[0]]) == [("sitemap", "sitemap-a.xml")]
    assert all(trail(items[path]) == [("sitemap", "sitemap-b.xml")] for path in SECOND)

    # The replay of that archive answers sitemap-b at once, yet reproduces the same items and trails.
    warcs = live.output_files("*.warc.gz")
    replay = run_crawl(tmp_path / "replay", "news", "-a", f"replay={warcs[0].parent}", "-O", "items.jsonl",
                       settings=FAST)
    assert replay.returncode == 0, replay.log[-3000:]
    again = by_path(replay.feed_items("items.jsonl"), server)
    assert {p: (i["title"], trail(i)) for p, i in again.items()} == {p: (i["title"], trail(i))
                                                                     for p, i in items.items()}


def test_known_articles_wait_for_every_source_so_a_late_newer_lastmod_still_counts(
        server: MirrorServer, tmp_path: Path) -> None:
    """The skip/revisit decision of a known article compares the newest claim of all its routes: it is not made
    before the slow source has answered."""
    server.site["/sitemap-b.xml"] = Page(urlset(server.base_url, []), content_type=XML)
    first = crawl(server, tmp_path)
    assert first.returncode == 0, first.log[-3000:]
    assert len(first.feed_items("items.jsonl")) == len(FIRST)
    del server.site["/sitemap-b.xml"]
    slow = slow_sitemap_b(server, [(FIRST[0], NEW), *((p, OLD) for p in SECOND)])
    server.reset_log()
    second = crawl(server, tmp_path)
    assert second.returncode == 0, second.log[-3000:]
    fetches = Counter(entry.path for entry in server.access_log if entry.path in ARTICLES)
    assert fetches[FIRST[0]] == 1, "the article sitemap-b says changed was decided after sitemap-b answered"
    assert set(fetches.values()) == {1}
    assert second.stat("newscrawl/incremental/fetch/new") == len(SECOND)
    assert second.stat("newscrawl/discovery/released_early") is None  # nothing new was waiting: all were known
    assert len(slow.answered) == 1


def test_patience_zero_holds_every_article_until_discovery_ends(server: MirrorServer, tmp_path: Path) -> None:
    slow = slow_sitemap_b(server, [(p, OLD) for p in SECOND])
    done = crawl(server, tmp_path, NEWSCRAWL_DISCOVERY_PATIENCE="0")
    assert done.returncode == 0, done.log[-3000:]
    items = done.feed_items("items.jsonl")
    assert len(items) == len(ARTICLES) and done.stat("newscrawl/discovery/released_early") is None
    assert min(datetime.fromisoformat(i["provenance"]["fetched_at"]) for i in items) > slow.answered[0]



def test_a_source_that_keeps_answering_is_not_stalled(server: MirrorServer, tmp_path: Path) -> None:
    """Nested sitemap indexes answering every 0.8 s (a walker paging at the politeness delay): discovery lasts
    longer than the patience, but never falls silent for it, so every article waits for all its routes."""
    chain = ["/sitemap-b.xml", "/b1.xml", "/b2.xml", "/b3.xml"]
    index = '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>{}</loc></sitemap>' \
            '</sitemapindex>'
    pages = {path: Page(index.format(server.base_url + chain[n + 1]).encode(), content_type=XML)
             for n, path in enumerate(chain[:-1])}
    pages[chain[-1]] = Page(urlset(server.base_url, [(FIRST[0], OLD), *((p, OLD) for p in SECOND)]),
                            content_type=XML)

    def paging(request: Request) -> Page | None:
        if request.path not in pages:
            return None
        time.sleep(0.8)
        return pages[request.path]
    server.site.hooks.insert(0, paging)
    done = crawl(server, tmp_path, NEWSCRAWL_DISCOVERY_PATIENCE="1.5")
    assert done.returncode == 0, done.log[-3000:]
    items = by_path(done.feed_items("items.jsonl"), server)
    assert sorted(items) == sorted(ARTICLES)
    assert done.stat("newscrawl/discovery/released_early") is None
    assert done.stat("newscrawl/discovery/late_route") is None
    assert trail(items[FIRST[0]]) == [("sitemap", "b3.xml"), ("sitemap", "sitemap-a.xml")]
