"""End to end: the real `scrapy crawl devdiscourse` against a loopback Devdiscourse mirror, through the real
pipelines and feed exporter; every item is compared with what its page's spec says it must be."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.crawling import FAST, CrawlResult, run_crawl
from tests.sitegen.corpus import corpus, seed_spec
from tests.sitegen.devdiscourse import NewsSpec, canonical_url
from tests.sitegen.make_fixtures import expected_article, expected_live_updates
from tests.sitegen.server import LogEntry, MirrorServer, Page, build_devdiscourse_mirror

# Lines of page furniture that must never reach a body (STRUCTURE.md §2.5, §6).
FURNITURE = ("TRENDING", "OPINION / BLOG / INTERVIEW", "DevShots", "Latest News", "Connect us on", "Give Feedback",
             "Subscribe to our Newsletter", "SECTORS", "EDITIONS", "© Copyright", "READ MORE ON", "ALSO READ",
             "SHARE", "POST / READ COMMENTS", "Key Takeaways", "(With inputs from", "auto-generated from a syndicated",
             "Email: info@devdiscourse.com", "Left Menu")


@pytest.fixture(scope="module")
def specs() -> list[NewsSpec]:
    return [seed_spec(), *corpus(24)]


@pytest.fixture(scope="module")
def mirror(specs: list[NewsSpec]) -> Iterator[MirrorServer]:
    with MirrorServer(build_devdiscourse_mirror(specs)) as server:
        yield server


@dataclass
class FullCrawl(CrawlResult):
    access_log: list[LogEntry]
    """The mirror's log of this crawl alone, copied before other tests' crawls add to it."""


@pytest.fixture(scope="module")
def full_crawl(mirror: MirrorServer, tmp_path_factory: pytest.TempPathFactory) -> FullCrawl:
    mirror.reset_log()
    result = run_crawl(tmp_path_factory.mktemp("crawl"), "devdiscourse", "-a", f"base_url={mirror.base_url}",
                       "-O", "out.jsonl", settings=FAST)
    assert result.returncode == 0, result.log[-3000:]
    return FullCrawl(result.returncode, result.log, result.workdir, list(mirror.access_log))


def by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["outlet_id"]: item for item in items}


def test_emits_exactly_the_mirrors_articles(full_crawl: FullCrawl, specs: list[NewsSpec]) -> None:
    items = full_crawl.feed_items("out.jsonl")
    assert len(items) == len({item["url"] for item in items}), "duplicate items"
    assert sorted(by_id(items)) == sorted(str(spec.news_id) for spec in specs)


def test_every_item_matches_its_page(full_crawl: FullCrawl, specs: list[NewsSpec]) -> None:
    items = by_id(full_crawl.feed_items("out.jsonl"))
    for spec in specs:
        item = dict(items[str(spec.news_id)])
        item.pop("provenance")
        expected = {**expected_article(spec), "live_updates": expected_live_updates(spec)}  # fetched after the page
        for field in expected:
            assert item[field] == expected[field], f"{spec.news_id} {field}"


def test_no_furniture_in_any_body(full_crawl: FullCrawl) -> None:
    for item in full_crawl.feed_items("out.jsonl"):
        for line in item["body"].split("\n\n"):
            assert not any(marker in line for marker in FURNITURE), (item["url"], line)


def test_provenance(full_crawl: FullCrawl, mirror: MirrorServer) -> None:
    items = full_crawl.feed_items("out.jsonl")
    crawl_ids = {item["provenance"]["crawl_id"] for item in items}
    assert len(crawl_ids) == 1
    for item in items:
        provenance = item["provenance"]
        assert provenance["response_url"].startswith(mirror.base_url + "/article/")
        assert provenance["canonical_url"] == item["url"]
        assert provenance["status"] == 200 and provenance["mode"] == "live"
        assert provenance["spider"] == "devdiscourse" and provenance["parser"] == "devdiscourse"
        assert provenance["headers"]["content_type"].startswith("text/html")
        assert len(provenance["body_sha256"]) == 64
        assert provenance["fetched_at"].endswith("+00:00")
        assert provenance["discovery"], "every item says how its URL was found"
        assert {d["via"] for d in provenance["discovery"]} <= {"news-sitemap", "listing", "api"}


def test_each_article_fetched_once_and_only_article_pages_parsed(full_crawl: FullCrawl, specs: list[NewsSpec]) -> None:
    article_fetches = [entry.path for entry in full_crawl.access_log if entry.path.startswith("/article/")]
    assert len(article_fetches) == len(specs)
    assert full_crawl.stat("newscrawl/pages/not_article") is None
    assert full_crawl.stat("item_scraped_count") == len(specs)


def test_default_feed_lands_under_output(mirror: MirrorServer, tmp_path: Path, specs: list[NewsSpec]) -> None:
    url = mirror.base_url + canonical_url(specs[0]).split("devdiscourse.com", 1)[1]
    result = run_crawl(tmp_path, "devdiscourse", "-a", f"urls={url}", settings=FAST)
    assert result.returncode == 0, result.log[-3000:]
    feeds = result.output_files("*.jsonl")
    assert len(feeds) == 1 and feeds[0].parent.name == "devdiscourse"
    [item] = result.feed_items(feeds[0])
    assert item["outlet_id"] == str(specs[0].news_id)
    assert feeds[0].name == item["provenance"]["crawl_id"] + ".jsonl"
    assert [d["via"] for d in item["provenance"]["discovery"]] == ["urls-arg"]


def test_api_walker_backfills_to_the_horizon(mirror: MirrorServer, tmp_path: Path, specs: list[NewsSpec]) -> None:
    horizon = "2025-03-21"
    expected = {str(s.news_id) for s in specs if s.created_on.date().isoformat() >= horizon}
    result = run_crawl(tmp_path, "devdiscourse", "-a", f"base_url={mirror.base_url}", "-a", "routes=api",
                       "-a", f"since={horizon}", "-O", "api.jsonl", settings=FAST)
    assert result.returncode == 0, result.log[-3000:]
    items = result.feed_items("api.jsonl")
    assert set(by_id(items)) == expected
    assert all(d["via"] == "api" for item in items for d in item["provenance"]["discovery"])


def test_broken_and_undated_pages_are_kept_flagged_and_the_rest_still_come_out(
    specs: list[NewsSpec], tmp_path: Path
) -> None:
    site = build_devdiscourse_mirror(specs[:4])
    broken_html = b"<html><body><article><h1 class='title'>Half a page</h1><section class='article-cont'><p>Cut"
    no_date = (Path(__file__).parent / "fixtures/devdiscourse/no-image-no-subtitle.html").read_bytes()
    no_date = no_date.replace(b"Created:", b"Made:").replace(b"datePublished", b"dateGone")
    site["/article/politics/4000001-broken"] = Page(body=broken_html)
    site["/article/politics/4000002-no-date"] = Page(body=no_date)
    with MirrorServer(site) as server:
        urls = [server.url(p) for p in ("/article/politics/4000001-broken", "/article/politics/4000002-no-date")]
        urls += [server.url(canonical_url(s).split("devdiscourse.com", 1)[1]) for s in specs[:4]]
        result = run_crawl(tmp_path, "devdiscourse", "-a", "urls=" + ",".join(urls), "-O", "out.jsonl",
                           settings=FAST)
    assert result.returncode == 0
    items = by_id(result.feed_items("out.jsonl"))
    # Nothing real is lost: the page cut short and the page without a date are emitted, flagged.
    assert len(items) == 6 and {str(s.news_id) for s in specs[:4]} <= set(items)
    broken = next(item for item in items.values() if item["title"] == "Half a page")
    assert broken["body"] == "Cut" and "no_date" in broken["quality"]
    undated = next(item for key, item in items.items() if key != broken["outlet_id"]
                   and key not in {str(s.news_id) for s in specs[:4]})
    assert undated["published_at"] is None and "no_date" in undated["quality"]
    assert result.stat("newscrawl/quality/no_date") == 2 and result.stat("item_dropped_count") is None
    assert "Traceback" not in result.log
