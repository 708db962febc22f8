"""Sitemaps, feeds and robots.txt as publishing systems write them (a probe of 25 loopback sites imitating WordPress,
Yoast, Blogger, FeedBurner, Arc, Hugo, Ghost and hand-made CMSs found each case below losing articles).

Each case is what a real system writes: a bare "&" in a title before query-string URLs, an ISO-8859-1 feed, a BOM
after blank lines, a plain-text sitemap, FeedBurner's origLink, Atom's xml:base, a Notepad BOM in robots.txt, feeds and
articles on another host than the site's, no robots.txt at all, and a WordPress index of more sitemaps than a run
reads (oldest first).
"""

from __future__ import annotations

from typing import Any, cast

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.utils.test import get_crawler

from newscrawl.spiders.feeds import parse_feed, robots_sitemaps
from newscrawl.spiders.news import NewsSpider
from newscrawl.spiders.sitemaps import parse_sitemap
from tests.crawling import FAST, run_crawl
from tests.sitegen.server import MirrorServer, Page, Site
from tests.support import FIXTURES

URLSET = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'


def test_a_bare_ampersand_or_html_entity_does_not_cut_later_urls() -> None:
    """libxml2's recovery, after one "&" that is not XML, dropped every later "&amp;": ?id=2&cat=x became ?id=2cat=x
    (a 404) for every later entry, and the title was cut at the entity."""
    feed = (b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            b"<item><title>Q&A: Caf&eacute; owners&nbsp;speak</title><link>https://a.example/s.php?id=1&amp;cat=x"
            b"</link></item><item><title><![CDATA[M&S & co]]></title><link>https://a.example/s.php?id=2&amp;cat=x"
            b"</link></item><item><title>AT&T</title><link>https://a.example/s.php?id=3&amp;cat=y</link></item>"
            b"</channel></rss>")
    entries = parse_feed(feed, "https://a.example/rss")
    assert [e.link for e in entries] == [f"https://a.example/s.php?id={n}&cat={c}" for n, c in ((1, "x"), (2, "x"),
                                                                                                (3, "y"))]
    assert [e.claims["title"] for e in entries] == ["Q&A: Café owners speak", "M&S & co", "AT&T"]
    sitemap = parse_sitemap(URLSET + b"<url><loc>https://a.example/a?x=1&y=2</loc></url><url><loc>https://a.example/"
                            b"b?x=1&amp;y=3</loc></url></urlset>")
    assert [e.loc for e in sitemap.entries] == ["https://a.example/a?x=1&y=2", "https://a.example/b?x=1&y=3"]


def test_the_declared_encoding_is_read_before_the_declaration_goes() -> None:
    """An ISO-8859-1 WordPress feed read as UTF-8 lost its accented letters ("Le thtre"): every item then carried a
    false title discrepancy. Devdiscourse's UTF-16 label over UTF-8 bytes (STRUCTURE.md §1.4) stays a lie."""
    feed = ('<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><item><title>Le théâtre rouvre'
            "</title><link>https://a.example/théâtre</link></item></channel></rss>").encode("latin-1")
    [entry] = parse_feed(feed, "https://a.example/feed/")
    assert entry.claims["title"] == "Le théâtre rouvre" and entry.link == "https://a.example/théâtre"
    utf16_label = ('<?xml version="1.0" encoding="utf-16"?>'.encode() + URLSET
                   + "<url><loc>https://a.example/café</loc></url></urlset>".encode())
    assert [e.loc for e in parse_sitemap(utf16_label).entries] == ["https://a.example/café"]
    real_utf16 = (URLSET.decode() + "<url><loc>https://a.example/ü</loc></url></urlset>").encode("utf-16")
    assert [e.loc for e in parse_sitemap(real_utf16).entries] == ["https://a.example/ü"]


def test_blank_lines_and_a_bom_before_the_declaration() -> None:
    """A template that prints newlines before a UTF-8 BOM and the declaration: "not a sitemap", all lost."""
    body = b"\n\n\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + URLSET + (
        b"<url><loc>https://a.example/1</loc></url></urlset>")
    assert [e.loc for e in parse_sitemap(body).entries] == ["https://a.example/1"]


def test_a_plain_text_sitemap_is_a_sitemap() -> None:
    """sitemaps.org's text format (one URL per line), named in robots.txt, was "not a sitemap (and not a feed)"."""
    sitemap = parse_sitemap(b"https://a.example/1\r\nhttps://a.example/2?p=3&q=4\n\n")
    assert sitemap.kind == "urlset" and [e.loc for e in sitemap.entries] == ["https://a.example/1",
                                                                             "https://a.example/2?p=3&q=4"]
    assert parse_sitemap(b"<html><body>Not found</body></html>").kind == "html"  # not a sitemap: its root's name
    assert parse_sitemap(b"https://a.example/1\nPage not found").entries == []


def test_feedburner_origlink_and_atom_xml_base_name_the_article() -> None:
    feedburner = (b'<rss xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0" version="2.0"><channel><item>'
                  b"<link>http://feedproxy.google.com/~r/Gazette/~3/abc/</link>"
                  b"<feedburner:origLink>https://a.example/2025/03/21/story/</feedburner:origLink></item></channel></rss>")
    assert [e.link for e in parse_feed(feedburner, "http://feeds.feedburner.com/Gazette")] == [
        "https://a.example/2025/03/21/story/"]
    atom = (b'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://a.example/blog/"><entry>'
            b'<link rel="alternate" href="2025/story.html"/><link rel="replies" href="/comments/1"/></entry>'
            b'<entry xml:base="https://b.example/"><link href="other.html"/></entry></feed>')
    assert [e.link for e in parse_feed(atom, "https://a.example/feeds/atom.xml")] == [
        "https://a.example/blog/2025/story.html", "https://b.example/other.html"]


def test_a_robots_txt_saved_with_a_bom_keeps_its_first_line() -> None:
    assert robots_sitemaps("\ufeffsitemap:/news.xml\r\nSITEMAP: /s.xml\r\n", "https://a.example/") == [
        "https://a.example/news.xml", "https://a.example/s.xml"]


def spider(**arguments: str) -> NewsSpider:
    crawler = get_crawler(NewsSpider, settings_dict={"NEWSCRAWL_STATE_ENABLED": False})
    crawler.stats.open_spider()
    return cast(NewsSpider, NewsSpider.from_crawler(crawler, **arguments))


def test_an_index_of_more_sitemaps_than_a_run_reads_reads_the_newest(caplog: pytest.LogCaptureFixture) -> None:
    """WordPress core lists its post sitemaps oldest first, undated: the cap took the oldest, silently, and a site past
    the cap never had its new posts discovered."""
    news = spider(site="https://a.example", max_sitemaps="3")
    index = (b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             + b"".join(b"<sitemap><loc>https://a.example/wp-sitemap-posts-post-%d.xml</loc></sitemap>" % n
                        for n in range(1, 8))
             + b"<sitemap><loc>https://a.example/wp-sitemap-users-1.xml</loc></sitemap></sitemapindex>")
    news._sitemaps_requested = 1  # the index itself
    requests = list(news.parse_sitemap(TextResponse("https://a.example/wp-sitemap.xml", body=index,
                                                    request=Request("https://a.example/wp-sitemap.xml"))))
    assert [r.url.rsplit("/", 1)[1] for r in requests] == ["wp-sitemap-posts-post-6.xml", "wp-sitemap-posts-post-7.xml"]
    assert news.crawler.stats.get_value("newscrawl/discovery/sitemap_cap") == 6
    assert "lists 8 sitemaps; 2 more may be read this run (max_sitemaps=3): the newest are, 6 are not" in caplog.text


def test_a_site_without_robots_txt_whose_feed_and_articles_are_on_other_hosts(tmp_path: Any) -> None:
    """The home page names a feed on another host (feeds.outlet.example, FeedBurner), which lists the articles on a
    third (www. vs the bare host): offsite filtering dropped all of them (status filtered-out, no item). And a site
    without robots.txt ended every run as partial-discovery (exit code 9 under `newscrawl run`) for a 404."""
    article = (FIXTURES / "generic" / "opengraph-only.html").read_bytes()
    with MirrorServer(Site()) as server:
        other_host = server.base_url.replace("127.0.0.1", "localhost")
        server.site.update(Site({
            "/": Page(b'<html><head><link rel="alternate" type="application/rss+xml" href="'
                      + f"{other_host}/feeds/all.rss".encode() + b'"></head><body>Front</body></html>'),
            "/feeds/all.rss": Page((f'<rss version="2.0"><channel><item><title>T</title><link>{other_host}/news/'
                                    "transit-levy-vote-delayed-8812345</link></item></channel></rss>").encode(),
                                   content_type="application/rss+xml"),
            "/news/transit-levy-vote-delayed-8812345": Page(article),
        }))
        result = run_crawl(tmp_path, "news", "-a", f"site={server.base_url}", "-O", "items.jsonl", settings=FAST)
    assert result.returncode == 0, result.log[-3000:]
    [item] = result.feed_items("items.jsonl")
    assert item["provenance"]["response_url"] == f"{other_host}/news/transit-levy-vote-delayed-8812345"
    assert result.stat("newscrawl/run_status") == "ok" and result.stat("newscrawl/discovery/no_robots_txt") == 1
    assert "Discovery source lost" not in result.log


def test_a_home_page_without_sitemap_or_feed_links_to_cms_post_ids() -> None:
    """WordPress's default ?p=N and "Numeric" /archives/N permalinks and Drupal's /node/N name one post each; the home
    page fallback skipped them (ids under four digits), keeping 7 of 12 stories of such a site."""
    news = spider(site="https://a.example")
    home = HtmlResponse("https://a.example/", body=b'<a href="/?p=87">a</a><a href="/archives/482">b</a>'
                        b'<a href="/node/734">c</a><a href="/node/">all</a><a href="/?cat=3">d</a>',
                        request=Request("https://a.example/"), encoding="utf-8")
    list(news.parse_home(home, has_sitemaps=False))
    assert sorted(news.held.trails) == ["https://a.example/?p=87", "https://a.example/archives/482",
                                        "https://a.example/node/734"]


def test_a_home_page_link_to_a_two_word_slug_is_an_article_when_it_reads_as_a_headline() -> None:
    """"/opinion/water-rates/" is an article on some sites and "/news/world-news/" a section on others: the link's
    text tells them apart (a headline, or a section's name). Such stories were left out of the fallback."""
    news = spider(site="https://a.example")
    home = HtmlResponse("https://a.example/", body=b'<nav><a href="/news/world-news/">World News</a></nav>'
                        b'<a href="/opinion/water-rates/"><img src="x.jpg"></a>'
                        b'<h2><a href="/opinion/water-rates/">Why your <b>water rates</b> will rise again</a></h2>'
                        b'<a href="/about-us">About us and our newsroom policies</a>',
                        request=Request("https://a.example/"), encoding="utf-8")
    list(news.parse_home(home, has_sitemaps=False))
    assert sorted(news.held.trails) == ["https://a.example/opinion/water-rates/"]


def test_utf8_bytes_under_a_latin1_label_stay_utf8() -> None:
    """Templates hard-code encoding="ISO-8859-1" over the UTF-8 their CMS writes: the label is believed only when the
    bytes are no UTF-8 (accented Latin-1 never is)."""
    feed = ('<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><item><title>Le théâtre rouvre'
            "</title><link>https://a.example/1</link></item></channel></rss>").encode("utf-8")
    assert parse_feed(feed, "https://a.example/feed/")[0].claims["title"] == "Le théâtre rouvre"
