"""What we write is safe to open: CSV cells cannot start formulas, text fields are plain text without working
markup, and item URLs are normalised canonical URLs without tracking parameters, on the outlet's own site."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

import pytest
from scrapy.utils.project import get_project_settings

from newscrawl.exporters import FORMULA_STARTS, SafeCsvItemExporter, neutralise_cell
from newscrawl.extract.urls import clean_url
from newscrawl.items import Article
from newscrawl.parsers.devdiscourse import DevdiscourseParser
from newscrawl.pipelines.validation import markup_in, validate
from tests.crawling import FAST, CrawlResult, run_crawl
from tests.sitegen.server import MirrorServer, Page, Site
from tests.test_hostile_pages import H1, SEED_TITLE, variant

FORMULAS = ['=HYPERLINK("http://127.0.0.2/","click me")', "+1+1", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)",
            "\t=1+1", "\r=1+1"]


# ---- CSV formula injection ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", FORMULAS)
def test_cells_that_start_a_formula_get_an_apostrophe(value: str) -> None:
    assert neutralise_cell(value) == "'" + value
    assert value.startswith(FORMULA_STARTS)


@pytest.mark.parametrize("value", ["Kim meets Putin", "2025-03-21T19:07:00+05:30", "", "a=b", "'quoted"])
def test_other_cells_are_unchanged(value: str) -> None:
    assert neutralise_cell(value) == value


def export_csv(*articles: Article) -> list[dict[str, str]]:
    buffer = io.BytesIO()
    exporter = SafeCsvItemExporter(buffer, fields_to_export=["url", "title", "byline", "tags", "syndicated",
                                                             "revision", "body"])
    exporter.start_exporting()
    for article in articles:
        exporter.export_item(article)
    exporter.finish_exporting()
    return list(csv.DictReader(io.StringIO(buffer.getvalue().decode("utf-8"), newline="")))


def test_csv_exporter_neutralises_every_text_cell_and_leaves_the_rest() -> None:
    hostile = Article(url="https://www.devdiscourse.com/article/x/1-a", outlet="devdiscourse", title=FORMULAS[0],
                      byline="@SUM(1+1)", tags=["=cmd", "x"], body="\t=1+1\n\nsecond", syndicated=True, revision=-1)
    plain = Article(url="https://www.devdiscourse.com/article/x/2-b", outlet="devdiscourse", title="Kim meets Putin",
                    byline="PTI", tags=["Korea"], body="Body", syndicated=False, revision=2)
    rows = export_csv(hostile, plain)
    assert rows[0] == {"url": hostile.url, "title": "'" + FORMULAS[0], "byline": "'@SUM(1+1)", "tags": '["=cmd","x"]',
                       "syndicated": "True", "revision": "-1", "body": "'\t=1+1\n\nsecond"}
    assert rows[1] == {"url": plain.url, "title": "Kim meets Putin", "byline": "PTI", "tags": '["Korea"]',
                       "syndicated": "False", "revision": "2", "body": "Body"}
    for row in rows:
        for value in row.values():
            assert not value.startswith(FORMULA_STARTS) or value in ("-1",), value  # numbers stay numbers


def test_the_project_registers_the_safe_csv_exporter() -> None:
    assert get_project_settings().getdict("FEED_EXPORTERS")["csv"] == "newscrawl.exporters.SafeCsvItemExporter"


# ---- plain text, no working markup --------------------------------------------------------------------------------
LEGIT_TEXT = ["How <script> tags slow pages down", "if a < b and c > d", "</div> closes a block",
              "Scores: 3<5, 7>2", "The <p> element", "<3 love", "Use a->b and b<-a", "x<y>z"]
MARKUP = ['<img src=x onerror="alert(1)">', "<svg/onload=alert(1)>", "<a href='javascript:alert(1)'>x</a>",
          "<script>alert(1)</script>", "<p>leaked</p>", "<!-- comment -->", "<DIV CLASS=x>", "<b onmouseover=x>"]


@pytest.mark.parametrize("text", LEGIT_TEXT)
def test_text_that_mentions_tags_is_kept(text: str) -> None:
    assert markup_in(text) is None
    validate(Article(url="https://www.devdiscourse.com/article/x/1-a", outlet="devdiscourse", title=text,
                     body=f"Body {text}", published_at="2025-03-21T19:07:00+05:30"))


@pytest.mark.parametrize("text", MARKUP)
def test_working_markup_in_a_text_field_is_removed_and_flagged(text: str) -> None:
    assert markup_in(text) is not None
    article = Article(url="https://www.devdiscourse.com/article/x/1-a", outlet="devdiscourse", title=f"Title {text}",
                      body=f"Body {text} end", published_at="2025-03-21T19:07:00+05:30")
    validate(article)
    assert "markup_removed" in article.quality
    assert markup_in(article.title) is None and markup_in(article.body) is None
    assert article.title.startswith("Title") and article.body.startswith("Body") and article.body.endswith("end")


def test_markup_check_is_linear_on_hostile_text() -> None:
    import time

    text = "<a " * 200_000 + "<b>" * 200_000  # 1.4 MB of unclosed tag starts
    started = time.monotonic()
    assert markup_in(text) is None
    assert time.monotonic() - started < 2


# ---- URLs ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("raw", "clean"), [
    ("https://www.devdiscourse.com/article/x/1-a?utm_source=tw&utm_medium=social&fbclid=AbC&gclid=1&id=7#top",
     "https://www.devdiscourse.com/article/x/1-a?id=7"),
    ("HTTPS://WWW.DevDiscourse.COM:443/article/./x/../x/1-a?UTM_Campaign=z", "https://www.devdiscourse.com/article/x/1-a"),
    ("https://www.devdiscourse.com/article/x/1-ä b", "https://www.devdiscourse.com/article/x/1-%C3%A4%20b"),
])
def test_clean_url_normalises_and_drops_tracking(raw: str, clean: str) -> None:
    assert clean_url(raw) == clean


def parse_with_canonical(canonical: str, page_url: str) -> str:
    body = variant(4990001, "canonical").replace(
        b"https://www.devdiscourse.com/article/politics/4990001-canonical", canonical.encode())
    article = DevdiscourseParser.from_html(body, page_url).parse()
    assert article is not None
    return article.url


def test_parser_item_url_is_the_clean_canonical_on_the_site() -> None:
    page = "http://127.0.0.1:8080/article/politics/4990001-canonical?utm_source=x"
    assert parse_with_canonical("https://WWW.devdiscourse.com/article/politics/4990001-canonical?utm_source=a&fbclid=b"
                                "#c", page) == "https://www.devdiscourse.com/article/politics/4990001-canonical"
    # Another site's URL, or a javascript: one, is not the article's identity: the page's own URL is.
    assert parse_with_canonical("https://evil.example/article/politics/1-x", page) == \
        "http://127.0.0.1:8080/article/politics/4990001-canonical"
    assert parse_with_canonical("javascript:alert(1)", page) == "http://127.0.0.1:8080/article/politics/4990001-canonical"


# ---- end to end ---------------------------------------------------------------------------------------------------
def hostile_page(news_id: int, name: str, title: str, canonical: str | None = None) -> Page:
    body = variant(news_id, name).replace(H1, H1 + title.encode() + b" ", 1)
    if canonical is not None:
        body = body.replace(f"https://www.devdiscourse.com/article/politics/{news_id}-{name}".encode(),
                            canonical.encode())
    return Page(body=body)


@dataclass(frozen=True)
class Crawl:
    result: CrawlResult
    base_url: str


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    pages = {
        "/article/politics/4990011-formula": hostile_page(4990011, "formula", "=HYPERLINK(&quot;http://127.0.0.2/"
                                                                              "&quot;,&quot;x&quot;)"),
        "/article/politics/4990012-at-sign": hostile_page(4990012, "at-sign", "@SUM(1+1)"),
        "/article/politics/4990013-tracking": hostile_page(
            4990013, "tracking", "Tracked",
            "https://WWW.DevDiscourse.com:443/article/politics/4990013-tracking?utm_source=tw&fbclid=1#c"),
        "/article/politics/4990014-spoofed": hostile_page(4990014, "spoofed", "Spoofed",
                                                          "https://evil.example/article/politics/4990014-spoofed"),
        "/article/politics/4990015-script": hostile_page(4990015, "script", "&lt;script&gt; mention <script>x()</script>"),
    }
    tracking = "?utm_source=newsletter&gclid=9"  # every article is requested with tracking parameters
    workdir = tmp_path_factory.mktemp("safety")
    with MirrorServer(Site({path + tracking: page for path, page in pages.items()})) as server:
        urls = ",".join(server.url(path + tracking) for path in pages)
        result = run_crawl(workdir, "devdiscourse", "-a", f"urls={urls}", "-O", "out.jsonl", "-O", "out.csv",
                           settings=FAST)
        base_url = server.base_url
    assert result.returncode == 0, result.log[-3000:]
    return Crawl(result, base_url)


def test_csv_feed_of_a_crawl_has_no_live_formula(crawl: Crawl) -> None:
    with open(crawl.result.workdir / "out.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 5
    titles = sorted(row["title"] for row in rows)
    assert "'=HYPERLINK(\"http://127.0.0.2/\",\"x\") " + SEED_TITLE in titles
    assert "'@SUM(1+1) " + SEED_TITLE in titles
    for row in rows:
        for name, value in row.items():
            assert not value.startswith(FORMULA_STARTS), (name, value[:80])


def test_jsonl_feed_keeps_the_text_as_the_page_says_it(crawl: Crawl) -> None:
    items = {item["outlet_id"]: item for item in crawl.result.feed_items("out.jsonl")}
    assert items["4990011"]["title"] == '=HYPERLINK("http://127.0.0.2/","x") ' + SEED_TITLE  # JSON needs no escaping
    assert items["4990015"]["title"] == "<script> mention " + SEED_TITLE  # text, and the real <script> is gone


def test_item_urls_are_clean_canonical_urls_and_requests_are_recorded_as_sent(crawl: Crawl) -> None:
    items = {item["outlet_id"]: item for item in crawl.result.feed_items("out.jsonl")}
    tracked = items["4990013"]
    assert tracked["url"] == tracked["provenance"]["canonical_url"] == \
        "https://www.devdiscourse.com/article/politics/4990013-tracking"
    assert tracked["provenance"]["request_url"].endswith("?utm_source=newsletter&gclid=9"), "what was really fetched"
    spoofed = items["4990014"]
    assert spoofed["url"] == f"{crawl.base_url}/article/politics/4990014-spoofed", "not evil.example"
    for item in items.values():
        for url in (item["url"], item["provenance"]["canonical_url"]):
            assert "utm_" not in url and "fbclid" not in url and "gclid" not in url and "#" not in url
            assert url == clean_url(url, drop_query=True)
    json.dumps(items)  # plain data
