"""End to end: the real `scrapy crawl news` against a loopback site carrying stories of several outlets (robots.txt
with Sitemap:, a sitemap index, a news sitemap, an old sitemap, an RSS feed linked from the home page), through the
real pipelines; plus a replay of saved AEB pages and the spider's pieces offline."""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.utils.test import get_crawler

from newscrawl.parsers.devdiscourse import DevdiscourseParser
from newscrawl.parsers.generic import GenericParser
from newscrawl.spiders.news import NewsSpider
from tests.crawling import FAST, CrawlResult, run_crawl
from tests.sitegen.server import MirrorServer, Page, Site
from tests.support import FIXTURES

XML = "application/xml; charset=utf-8"
AEB = Path(__file__).resolve().parents[2] / "shared/bench/aeb"

# path on the loopback site → generic fixture whose HTML it serves (each is a different outlet's page)
ARTICLES = {
    "/coastal/2025/03/21/harbour-dredging-plan-approved/": "jsonld-graph-article",
    "/northern/politics/transit-levy-vote-delayed-8812345": "opengraph-only",
    "/gulf/world/asia/north-korea-fires-missile-2025-03-21": "reuters-wire-dateline",
    "/deccan/business/markets/sensex-rises-600-points-1187342.html": "indian-wire-with-inputs",
    "/riverside/news/national/article_5c1e7a52.html": "ap-story-local-outlet",
    "/kurier/politik/bundestag-heizungsfoerderung-id48211734.html": "non-english-german-dpa",
}
WIRE_COPY = "/daily/world/pyongyang-fires-missile-2025-03-21"  # the Reuters story again, on a fourth outlet
OLD_ARTICLE = "/coastal/2019/05/02/pier-reopens/"
NEWS_SITEMAP = ["/coastal/2025/03/21/harbour-dredging-plan-approved/",
                "/northern/politics/transit-levy-vote-delayed-8812345",
                "/gulf/world/asia/north-korea-fires-missile-2025-03-21", WIRE_COPY]
FEED = ["/deccan/business/markets/sensex-rises-600-points-1187342.html",
        "/riverside/news/national/article_5c1e7a52.html",
        "/kurier/politik/bundestag-heizungsfoerderung-id48211734.html",
        "/gulf/world/asia/north-korea-fires-missile-2025-03-21"]  # also in the news sitemap: one fetch, two routes


def fixture_html(case: str) -> bytes:
    return (FIXTURES / "generic" / f"{case}.html").read_bytes()


def wire_copy() -> bytes:
    """The Reuters story as another outlet runs it: its own template, headline, canonical URL and boilerplate."""
    html = fixture_html("reuters-wire-dateline").decode("utf-8")
    html = html.replace("gulfmorningherald.com", "dailysentinel-world.example").replace("Gulf Morning Herald",
                                                                                         "Daily Sentinel")
    html = html.replace("North Korea fires ballistic missile into sea off east coast, Seoul says",
                        "Pyongyang test-fires missile as allied drills continue")
    html = html.replace("<p>The launch came as", "<p>Follow Daily Sentinel on WhatsApp for breaking news.</p>"
                                                 "<p>The launch came as")
    return html.encode("utf-8")


def build_site(base: str) -> Site:
    def urlset(paths: list[str], dated: dict[str, str]) -> bytes:
        entries = "".join(
            f"<url><loc>{base}{p}</loc><news:news><news:publication><news:name>N</news:name>"
            f"<news:language>en</news:language></news:publication><news:publication_date>{dated.get(p, '2025-03-21')}"
            f"</news:publication_date><news:title>T{n}</news:title></news:news></url>" for n, p in enumerate(paths))
        return (b'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + entries.encode() + b"</urlset>")

    items = "".join(f"<item><title>Story {n}</title><link>{base}{p}</link>"
                    f"<pubDate>Fri, 21 Mar 2025 0{n}:00:00 GMT</pubDate></item>" for n, p in enumerate(FEED))
    index = (f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             f"<sitemap><loc>{base}/news-sitemap.xml</loc><lastmod>2025-03-21T08:00:00+00:00</lastmod></sitemap>"
             f"<sitemap><loc>{base}/sitemap-2019.xml</loc><lastmod>2019-05-02</lastmod></sitemap></sitemapindex>")
    pages = {
        "/robots.txt": Page(f"User-agent: *\nDisallow: /private/\nSitemap: {base}/sitemap_index.xml\n".encode(),
                            content_type="text/plain; charset=utf-8"),
        "/sitemap_index.xml": Page(index.encode(), content_type=XML),
        "/news-sitemap.xml": Page(urlset(NEWS_SITEMAP + ["/coastal/2019/01/01/old-story/"],
                                         {"/coastal/2019/01/01/old-story/": "2019-01-01T10:00:00+00:00"}),
                                  content_type=XML),
        "/sitemap-2019.xml": Page(urlset([OLD_ARTICLE], {OLD_ARTICLE: "2019-05-02"}), content_type=XML),
        "/feed.xml": Page(f'<?xml version="1.0"?><rss version="2.0"><channel><title>All</title>{items}'
                          f"</channel></rss>".encode(), content_type="application/rss+xml"),
        "/": Page(f'<html><head><title>Front</title><link rel="alternate" type="application/rss+xml" '
                  f'href="/feed.xml"></head><body><a href="{list(ARTICLES)[0]}">Top</a></body></html>'
                  .encode()),
        WIRE_COPY: Page(wire_copy()),
        OLD_ARTICLE: Page(fixture_html("jsonld-graph-article")),
    }
    pages.update({path: Page(fixture_html(case)) for path, case in ARTICLES.items()})
    return Site(pages)


@pytest.fixture(scope="module")
def server() -> Iterator[MirrorServer]:
    with MirrorServer(Site()) as mirror:
        mirror.site.update(build_site(mirror.base_url))
        yield mirror


@pytest.fixture(scope="module")
def site_crawl(server: MirrorServer, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    server.reset_log()
    result = run_crawl(tmp_path_factory.mktemp("site"), "news", "-a", f"site={server.base_url}",
                       "-a", "since=2025-03-01", "-O", "items.jsonl", settings=FAST)
    assert result.returncode == 0, result.log[-3000:]
    result.access_log = list(server.access_log)  # type: ignore[attr-defined]
    return result


def by_path(items: list[dict[str, Any]], base: str) -> dict[str, dict[str, Any]]:
    return {item["provenance"]["response_url"].removeprefix(base): item for item in items}


def test_site_discovery_finds_every_recent_article_once(site_crawl: CrawlResult, server: MirrorServer) -> None:
    items = by_path(site_crawl.feed_items("items.jsonl"), server.base_url)
    # The AP page has only a naive date (no offset anywhere on it): kept as given, and flagged.
    assert set(items) == set(NEWS_SITEMAP + FEED)
    assert site_crawl.stat("item_dropped_count") is None
    ap = items["/riverside/news/national/article_5c1e7a52.html"]
    assert ap["published_at"] == "2025-03-20T19:05:00" and ap["quality"] == ["date_no_timezone"]
    assert site_crawl.stat("newscrawl/quality/date_no_timezone") == 1
    fetched = [entry.path for entry in site_crawl.access_log]  # type: ignore[attr-defined]
    assert OLD_ARTICLE not in fetched and "/sitemap-2019.xml" not in fetched, "since must skip old sitemaps"
    assert "/coastal/2019/01/01/old-story/" not in fetched, "since must skip old news-sitemap entries"
    article_fetches = [p for p in fetched if p in ARTICLES or p == WIRE_COPY]
    assert sorted(article_fetches) == sorted(set(article_fetches)), "an article was fetched twice"
    assert site_crawl.stat("newscrawl/discovery/skipped_old") == 1
    assert site_crawl.stat("newscrawl/discovery/skipped_old_sitemap") == 1


def test_items_carry_outlet_parser_and_discovery_trail(site_crawl: CrawlResult, server: MirrorServer) -> None:
    items = by_path(site_crawl.feed_items("items.jsonl"), server.base_url)
    assert {item["outlet"] for item in items.values()} == {
        "coastalledger.com", "news.northernpost.ca", "gulfmorningherald.com", "deccancourier.in", "rheinkurier.de",
        "dailysentinel-world.example", "riversidesentinel.com"}
    for path, item in items.items():
        provenance = item["provenance"]
        assert provenance["parser"] == "generic" and provenance["spider"] == "news"
        routes = {(d["via"], d["source_url"].removeprefix(server.base_url)) for d in provenance["discovery"]}
        expected = ({("news-sitemap", "/news-sitemap.xml")} if path in NEWS_SITEMAP else set()) | (
            {("rss", "/feed.xml")} if path in FEED else set())
        assert routes == expected, path
    reuters = items["/gulf/world/asia/north-korea-fires-missile-2025-03-21"]
    news_claims = next(d["claims"] for d in reuters["provenance"]["discovery"] if d["via"] == "news-sitemap")
    assert news_claims["news:publication_date"] == "2025-03-21" and news_claims["news:title"] == "T2"


def test_wire_copies_on_two_outlets_share_a_story_id(site_crawl: CrawlResult, server: MirrorServer) -> None:
    items = by_path(site_crawl.feed_items("items.jsonl"), server.base_url)
    reuters, copy = items["/gulf/world/asia/north-korea-fires-missile-2025-03-21"], items[WIRE_COPY]
    assert reuters["title"] != copy["title"] and reuters["url"] != copy["url"]
    assert reuters["story_id"] == copy["story_id"] and reuters["agencies"] == copy["agencies"] == ["Reuters"]
    others = [item["story_id"] for path, item in items.items() if path not in (WIRE_COPY, reuters["provenance"][
        "response_url"].removeprefix(server.base_url))]
    assert len(set(others)) == len(others) and reuters["story_id"] not in others


def test_a_copy_in_a_later_run_joins_the_story_of_an_earlier_run(server: MirrorServer, tmp_path: Path) -> None:
    """Lineage against the state store: yesterday's wire story, republished today by another outlet."""
    original = server.base_url + "/gulf/world/asia/north-korea-fires-missile-2025-03-21"
    first = run_crawl(tmp_path, "news", "-a", f"urls={original}", "-O", "first.jsonl", settings=FAST)
    [wire] = first.feed_items("first.jsonl")
    second = run_crawl(tmp_path, "news", "-a", f"urls={server.base_url}{WIRE_COPY}", "-O", "second.jsonl",
                       settings=FAST)
    assert second.stat("newscrawl/lineage/stories_loaded") == 1, second.log[-3000:]
    [copy] = second.feed_items("second.jsonl")
    assert copy["url"] != wire["url"] and copy["story_id"] == wire["story_id"] == wire["url"]
    # A replay starts from an empty state: it links only what its own archive holds, and stays reproducible.
    archive = tmp_path / "output" / "news" / copy["provenance"]["archive"]["file"]
    replay = run_crawl(tmp_path, "news", "-a", f"replay={archive}",
                       "-O", "replay.jsonl", settings=FAST)
    [replayed] = replay.feed_items("replay.jsonl")
    assert replayed["story_id"] == copy["url"]


def test_feed_and_urls_arguments(server: MirrorServer, tmp_path: Path) -> None:
    feed = run_crawl(tmp_path / "feed", "news", "-a", f"feed={server.base_url}/feed.xml", "-O", "f.jsonl",
                     settings=FAST)
    assert feed.returncode == 0, feed.log[-3000:]
    assert sorted(by_path(feed.feed_items("f.jsonl"), server.base_url)) == sorted(set(FEED))
    url = server.base_url + "/northern/politics/transit-levy-vote-delayed-8812345"
    single = run_crawl(tmp_path / "urls", "news", "-a", f"urls={url}", "-O", "u.jsonl", settings=FAST)
    [item] = single.feed_items("u.jsonl")
    assert item["title"] == "Transit levy vote delayed as mayors seek more study"
    assert [d["via"] for d in item["provenance"]["discovery"]] == ["urls-arg"]


@pytest.mark.skipif(not (AEB / "html").is_dir(), reason="AEB benchmark pages are not next to the repository")
def test_replay_of_saved_aeb_pages(tmp_path: Path) -> None:
    """Saved-HTML replay (.html.gz + .url sidecars): every page parsed offline by GenericParser, no network."""
    truth = json.loads((AEB / "ground-truth.json").read_text(encoding="utf-8"))
    folder = tmp_path / "saved"
    folder.mkdir()
    chosen = sorted(truth)[:4]
    for page_id in chosen:
        shutil.copy(AEB / "html" / f"{page_id}.html.gz", folder / f"{page_id}.html.gz")
        (folder / f"{page_id}.url").write_text(truth[page_id]["url"] + "\n", encoding="utf-8")
    result = run_crawl(tmp_path / "run", "news", "-a", f"replay={folder}", "-O", "r.jsonl", settings=FAST)
    assert result.returncode == 0, result.log[-3000:]
    parsed = {item["provenance"]["response_url"]: item for item in result.feed_items("r.jsonl")}
    assert result.stat("newscrawl/pages/fetched") == len(chosen)
    assert all(item["provenance"]["mode"] == "replay" and item["provenance"]["parser"] == "generic"
               for item in parsed.values())
    for page_id in chosen:
        item = parsed.get(truth[page_id]["url"])
        if item is not None:  # pages without an offset-carrying date are dropped by validation (documented)
            body = gzip.open(AEB / "html" / f"{page_id}.html.gz", "rt", encoding="utf-8").read()
            assert item["title"] and item["body"] and item["title"] in body


# ---- the spider's pieces, offline ------------------------------------------------------------------------------
def spider(**arguments: str) -> NewsSpider:
    crawler = get_crawler(NewsSpider, settings_dict={"NEWSCRAWL_STATE_ENABLED": False})
    crawler.stats.open_spider()
    return cast(NewsSpider, NewsSpider.from_crawler(crawler, **arguments))


def test_parser_by_domain_with_generic_fallback() -> None:
    news = spider(urls="https://www.devdiscourse.com/article/x/1-a")
    assert news.parser_for(HtmlResponse("https://www.devdiscourse.com/article/x/1-a")) is DevdiscourseParser
    assert news.parser_for(HtmlResponse("https://www.example.com/a")) is GenericParser


def test_allowed_domains_follow_the_given_hosts() -> None:
    news = spider(sitemap="https://www.example.com/s.xml", feed="https://feeds.other.org/rss",
                  urls="https://third.net/a")
    assert news.allowed_domains == ["example.com", "feeds.other.org", "third.net"]


def test_gzipped_sitemap_and_feed_listed_as_sitemap() -> None:
    news = spider(sitemap="https://a.example/s.xml.gz")
    body = gzip.compress(b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://a.example/'
                         b'x-y-z</loc><lastmod>2025-03-21</lastmod></url></urlset>')
    list(news.parse_sitemap(TextResponse("https://a.example/s.xml.gz", body=body,
                                         request=Request("https://a.example/s.xml.gz"))))
    rss = b'<rss><channel><item><link>https://a.example/feed-item</link></item></channel></rss>'
    list(news.parse_sitemap(TextResponse("https://a.example/rss", body=rss, request=Request("https://a.example/rss"))))
    trail = {key: [d.via for d in found] for key, found in news.held.trails.items()}
    assert trail == {"https://a.example/x-y-z": ["sitemap"], "https://a.example/feed-item": ["rss"]}


def test_a_json_feed_is_read_like_rss() -> None:
    """A home page may announce a JSON Feed (application/feed+json) as its only feed: it was read as an empty one."""
    news = spider(feed="https://a.example/feed.json")
    body = (b'{"version": "https://jsonfeed.org/version/1.1", "title": "A", "items": [{"id": "1", "url": '
            b'"https://a.example/2025/03/21/kim-meets-putin", "title": "Kim meets Putin", "date_published": '
            b'"2025-03-21T08:00:00Z"}]}')
    list(news.parse_feed(TextResponse("https://a.example/feed.json", body=body,
                                      headers={"Content-Type": "application/feed+json"},
                                      request=Request("https://a.example/feed.json"))))
    [(key, [found])] = news.held.trails.items()
    assert key == "https://a.example/2025/03/21/kim-meets-putin"
    assert (found.via, found.claims) == ("rss", {"title": "Kim meets Putin", "published": "2025-03-21T08:00:00Z"})


def test_article_key_ignores_tracking_and_fragment() -> None:
    news = spider(urls="https://a.example/x")
    assert news.article_key("https://a.example/x?utm_source=t#c") == news.article_key("https://a.example/x")


def test_home_page_links_when_a_site_names_no_sitemap_and_no_feed() -> None:
    news = spider(site="https://a.example")
    home = HtmlResponse("https://a.example/", body=b'<a href="/2025/03/21/kim-meets-putin">x</a><a href="/about">y</a>'
                        b'<a href="https://elsewhere.example/2025/03/21/other-story-here">z</a>',
                        request=Request("https://a.example/"))
    list(news.parse_home(home, has_sitemaps=False))
    assert {key: [d.via for d in found] for key, found in news.held.trails.items()} == {
        "https://a.example/2025/03/21/kim-meets-putin": ["link"]}


def test_a_position_counts_the_entries_not_followed_too() -> None:
    """A discovery's position is its entry's place in the source, whichever entries are followed (schema.md): a
    feed's item after one without a link, a home page's story after its navigation links."""
    news = spider(site="https://a.example")
    rss = (b'<rss><channel><item><title>No link</title></item><item><link>https://a.example/2025/03/21/second-item'
           b'</link></item></channel></rss>')
    list(news.parse_feed(TextResponse("https://a.example/rss", body=rss, request=Request("https://a.example/rss"))))
    home = HtmlResponse("https://a.example/", body=b'<a href="/about">About</a><a href="https://elsewhere.example/'
                        b'2025/03/21/other-story-here">z</a><a href="/2025/03/21/kim-meets-putin">x</a><a href="/about">'
                        b'About us</a><a href="/2025/03/21/leaders-meet">y</a>', request=Request("https://a.example/"))
    list(news.parse_home(home, has_sitemaps=False))
    assert {key: [(d.via, d.position) for d in found] for key, found in news.held.trails.items()} == {
        "https://a.example/2025/03/21/second-item": [("rss", 1)],
        "https://a.example/2025/03/21/kim-meets-putin": [("link", 2)],
        "https://a.example/2025/03/21/leaders-meet": [("link", 3)]}


def test_replay_of_the_site_crawl_archive_gives_the_same_items(site_crawl: CrawlResult, server: MirrorServer) -> None:
    """-a replay= with the live run's WARC: discovery runs again from the archive and yields the same items."""
    warcs = site_crawl.output_files("*.warc.gz")
    assert warcs, "the live crawl wrote no WARC"
    replay = run_crawl(site_crawl.workdir / "replay", "news", "-a", f"replay={warcs[0].parent}", "-O", "r.jsonl",
                       settings=FAST)
    assert replay.returncode == 0, replay.log[-3000:]

    def essentials(items: list[dict[str, Any]]) -> list[tuple[str, str, list[str]]]:
        return sorted((i["url"], i["title"], i["agencies"]) for i in items)

    def stories(items: list[dict[str, Any]]) -> set[frozenset[str]]:
        # story_id names the first copy processed, which may differ between runs; the grouping may not
        groups: dict[str, set[str]] = {}
        for item in items:
            groups.setdefault(item["story_id"], set()).add(item["url"])
        return {frozenset(group) for group in groups.values()}

    live, again = site_crawl.feed_items("items.jsonl"), replay.feed_items("r.jsonl")
    assert essentials(again) == essentials(live)
    assert stories(again) == stories(live)
    assert {i["provenance"]["mode"] for i in again} == {"replay"}
