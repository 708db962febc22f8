"""Devdiscourse listing pages as discovery sources: which links name an article (the legacy `/Home/Detail?id={Guid}`
form too, STRUCTURE.md §1.2 and §5) and what a listing route's `position` means. Real crawls of the loopback mirror,
with listing pages whose cards link the forms the site's older views still use."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from newscrawl.spiders.devdiscourse import DevdiscourseSpider
from newscrawl.spiders.devdiscourse_links import listing_entries
from tests.crawling import FAST, CrawlResult, run_crawl
from tests.sitegen.corpus import corpus, seed_spec
from tests.sitegen.devdiscourse import (NewsSpec, article_path, news_guid, render_listing, select_devdiscourse_stories,
                                        select_pti_stories)
from tests.sitegen.server import LogEntry, MirrorServer, Page, build_devdiscourse_mirror

UNKNOWN_GUID = "0badc0de-0000-4000-8000-000000000000"  # the site answers an unknown Guid with its 500 page (§1.2)


@dataclass
class ListingSite:
    specs: list[NewsSpec]
    pti: list[NewsSpec]
    """/pti-stories?page=1's stories, card by card."""
    desk: list[NewsSpec]
    """/devdiscourse-stories?page=1's stories, the last one linked by its Guid."""
    legacy: NewsSpec
    """Linked from both listings by its Guid alone; the sitemap and the API name it by NewsId."""
    offsite: NewsSpec
    """Its /pti-stories card links another site's copy: a card the crawl does not follow."""


@pytest.fixture(scope="module")
def site() -> ListingSite:
    specs = [seed_spec(), *corpus(60)]  # 8 PTI stories on /pti-stories, 18 desk stories
    pti = select_pti_stories(specs, max(s.created_on for s in specs) + timedelta(minutes=30))
    desk = [s for s in select_devdiscourse_stories(specs) if s not in pti][:19]
    return ListingSite(specs, pti, desk + [pti[1]], legacy=pti[1], offsite=pti[3])


def with_links(html: str, replace: dict[str, str]) -> str:
    for path, href in replace.items():
        html = html.replace(f'href="{path}"', f'href="{href}"')
    return html


@pytest.fixture(scope="module")
def mirror(site: ListingSite) -> Iterator[MirrorServer]:
    mirror_site = build_devdiscourse_mirror(site.specs)
    now = max(s.created_on for s in site.specs) + timedelta(minutes=30)  # the mirror's own clock
    guid_link = f"/Home/Detail?id={news_guid(site.legacy.news_id).upper()}"  # .NET prints Guids either way
    pti = render_listing("pti-stories", site.pti, 1, now=now)
    mirror_site["/pti-stories?page=1"] = Page(with_links(pti, {
        article_path(site.legacy): guid_link,
        article_path(site.offsite): f"https://partner.example/article/business/{site.offsite.news_id}-copy",
        article_path(site.pti[5]): f"/Home/Detail?id={UNKNOWN_GUID}"}).encode())
    mirror_site["/devdiscourse-stories?page=1"] = Page(with_links(
        render_listing("devdiscourse-stories", site.desk, 1, now=now), {article_path(site.legacy): guid_link}).encode())
    with MirrorServer(mirror_site) as server:
        yield server


@dataclass
class Crawl(CrawlResult):
    access_log: list[LogEntry]
    items: dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def crawl(mirror: MirrorServer, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    mirror.reset_log()
    result = run_crawl(tmp_path_factory.mktemp("crawl"), "devdiscourse", "-a", f"base_url={mirror.base_url}",
                       "-a", "since=2025-03-01", "-O", "out.jsonl", settings=FAST)  # the API too: the corpus is old
    assert result.returncode == 0, result.log[-3000:]
    items = {item["outlet_id"]: item for item in result.feed_items("out.jsonl")}
    return Crawl(result.returncode, result.log, result.workdir, list(mirror.access_log), items)


def article_fetches(log: list[LogEntry], news_id: int) -> list[LogEntry]:
    return [e for e in log if e.status == 200 and e.path.lower().startswith("/article/") and f"/{news_id}-" in e.path]


def test_a_legacy_guid_link_is_asked_once_and_its_article_fetched_once_with_every_route(
        crawl: Crawl, site: ListingSite) -> None:
    """Both listings link one article by its Guid alone; the sitemap and the API name it by NewsId. The Guid is asked
    for once, its 301 tells the NewsId, and the article is fetched once, its trail holding all four routes."""
    guid_requests = [e for e in crawl.access_log if e.path.lower().startswith("/home/detail")
                     and news_guid(site.legacy.news_id) in e.path.lower()]
    assert [e.status for e in guid_requests] == [301]
    assert len(article_fetches(crawl.access_log, site.legacy.news_id)) == 1
    trail = crawl.items[str(site.legacy.news_id)]["provenance"]["discovery"]
    listings = {(d["source_url"].rsplit("/", 1)[-1], d["position"]) for d in trail if d["via"] == "listing"}
    assert listings == {("pti-stories?page=1", 1), ("devdiscourse-stories?page=1", len(site.desk) - 1)}
    assert {d["via"] for d in trail} == {"listing", "api", "news-sitemap"}
    assert crawl.stat("newscrawl/discovery/legacy_resolved") == 1


def test_a_legacy_link_to_no_article_is_counted_not_a_lost_source(crawl: Crawl) -> None:
    assert crawl.stat("newscrawl/discovery/legacy_unresolved") == 1
    assert crawl.stat("newscrawl/discovery/failed_sources") is None
    # named as an article page answering 500 is (spiders/failures.py: gone, not a failed fetch)
    assert [line for line in crawl.log.splitlines()
            if "Article gone: HTTP 500" in line and f"/Home/Detail?id={UNKNOWN_GUID}" in line]
    assert crawl.stat("newscrawl/articles/gone") == 1


def test_a_listing_position_is_the_story_cards_place_on_the_page(crawl: Crawl, site: ListingSite) -> None:
    """Every card counts, followed or not: the cards after the off-site one (3) and the unknown Guid (5) keep their
    places. Before, positions counted followed links only, so every story after a skipped card moved up one."""
    positions = {item_id: d["position"] for item_id, item in crawl.items.items()
                 for d in item["provenance"]["discovery"]
                 if d["via"] == "listing" and d["source_url"].endswith("/pti-stories?page=1")}
    expected = {str(spec.news_id): card for card, spec in enumerate(site.pti) if card not in (3, 5)}
    assert positions == expected
    assert crawl.stat("newscrawl/discovery/listing_entry_skipped") == 1  # the off-site card; the Guid was asked


def test_a_legacy_link_in_a_urls_list_is_the_same_article_as_its_page(mirror: MirrorServer, site: ListingSite,
                                                                      tmp_path: Path) -> None:
    page = mirror.url(article_path(site.legacy))
    legacy = mirror.url(f"/Home/Detail?id={news_guid(site.legacy.news_id)}")
    mirror.reset_log()
    result = run_crawl(tmp_path, "devdiscourse", "-a", f"urls={legacy},{page}", "-O", "out.jsonl", settings=FAST)
    assert result.returncode == 0, result.log[-3000:]
    assert len(article_fetches(mirror.access_log, site.legacy.news_id)) == 1
    [item] = result.feed_items("out.jsonl")
    assert [(d["via"], d["position"]) for d in item["provenance"]["discovery"]] == [("urls-arg", 0), ("urls-arg", 1)]


def test_a_listing_without_cards_numbers_its_distinct_links() -> None:
    html = (b'<html><body><div class="col-md-8"><a href="/article/politics/3301230-a">A</a>'
            b'<a href="/article/politics/3301230-a">A again</a><a href="/news/videos/5521-x">video</a>'
            b'<a href="/article/politics/3301231-b">B</a></div></body></html>')
    url = "http://127.0.0.1:8080/un-news?page=1"
    response = HtmlResponse(url, body=html, request=Request(url))
    entries = listing_entries(response.css("div.col-md-8")[0])
    assert [(links[0].attrib["href"], card) for links, card in entries] == [
        ("/article/politics/3301230-a", None), ("/news/videos/5521-x", None), ("/article/politics/3301231-b", None)]
    crawler = get_crawler(DevdiscourseSpider, settings_dict={"NEWSCRAWL_ARCHIVE_ENABLED": False,
                                                             "NEWSCRAWL_STATE_ENABLED": False})
    spider = cast(DevdiscourseSpider, DevdiscourseSpider.from_crawler(crawler, base_url="http://127.0.0.1:8080"))
    list(spider.parse_listing(response, source="un-news", page=1))
    trails = spider.held.trails
    assert [(key, [d.position for d in trail]) for key, trail in trails.items()] == [
        ("devdiscourse:3301230", [0]), ("devdiscourse:3301231", [2])]
