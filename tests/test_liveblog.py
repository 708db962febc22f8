"""A live blog's updates (STRUCTURE.md §3.2): read from their JSON pages, fetched after the page, carried in its item.

From the update page's parser (pure) through the spider's request chain (offline, with Scrapy responses built by
hand) to whole crawls of the loopback mirror: live, replayed from its WARC, and with an update page failing.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
import json
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.request import request_from_dict
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newscrawl.archive.replay import ReplayMiss
from newscrawl.archive.verify import verify_feed
from newscrawl.distributed import serializer
from newscrawl.items import (Article, ArchiveRef, Discovery, LiveUpdate, Provenance, article_from_plain,
                             plain_data)
from newscrawl.meta import META_ARTICLE_PART, META_FETCHED_AT
from newscrawl.parsers.base import ParseError
from newscrawl.parsers.devdiscourse import DevdiscourseParser
from newscrawl.parsers.devdiscourse.liveblog import parse_updates
from newscrawl.pipelines.boilerplate import clean_article
from newscrawl.pipelines.validation import validate
from newscrawl.spiders.devdiscourse import DevdiscourseSpider
from newscrawl.spiders.shard import META_RANK
from newscrawl.state.incremental import CONTENT_FIELDS, changed_fields, content_digest
from tests.crawling import FAST, run_crawl
from tests.sitegen.corpus import live_updates, seed_spec
from tests.sitegen.devdiscourse import NewsSpec, canonical_url, render_mobile, render_sub_blogs
from tests.sitegen.make_fixtures import expected_live_updates, liveblog_spec
from tests.sitegen.server import MirrorServer, Page, build_devdiscourse_mirror

PAGE_URL = "https://www.devdiscourse.com/article/national/3302120-live-delhi-municipal-by-election-results"


def row(**values: Any) -> dict[str, Any]:
    base = {"id": 7, "title": "Polls close", "description": "<p>Done.</p>", "imageUrl": None,
            "imageCopyright": None, "createdOn": "2025-03-21T13:37:05.123"}
    return {**base, **values}


def parsed(*rows: dict[str, Any]) -> list[LiveUpdate]:
    return parse_updates(json.dumps(list(rows)), "https://www.devdiscourse.com/api/Search/GetSubBlogs/1/1")


# ---- the update page's parser ------------------------------------------------------------------------------------
def test_an_update_row_becomes_a_live_update_with_the_articles_date_format() -> None:
    (update,) = parsed(row(description="<p>Counting&nbsp;began at 8.</p>\n<ul><li>Ward 1</li><li>Ward 2</li></ul>",
                           imageUrl="/img?imageUrl=https://devdiscourse.blob.core.windows.net/live/a.jpg&width=920",
                           imageCopyright="Image Credit: ANI"))
    assert update == LiveUpdate(id="7", title="Polls close", text="Counting began at 8.\n\nWard 1\n\nWard 2",
                                image_url="https://devdiscourse.blob.core.windows.net/live/a.jpg", image_credit="ANI",
                                published_at="2025-03-21T19:07:05+05:30")


@pytest.mark.parametrize(("image", "credit", "expected"), [
    ("/AdminFiles/LiveBlogs/1.jpg", "PTI", ("https://www.devdiscourse.com/AdminFiles/LiveBlogs/1.jpg", "PTI")),
    ("/images/newstheme.jpg", None, (None, None)),  # the template's placeholder means no image (§2.4)
    ("javascript:alert(1)", "", (None, None)),
    ("", None, (None, None)),
])
def test_an_update_image_is_the_original_web_address_or_none(image: str, credit: str | None,
                                                              expected: tuple[str | None, str | None]) -> None:
    (update,) = parsed(row(imageUrl=image, imageCopyright=credit))
    assert (update.image_url, update.image_credit) == expected


def test_an_update_without_text_or_date_keeps_what_there_is() -> None:
    (update,) = parsed(row(title=None, description=None, createdOn=None, id="x1"))
    assert (update.id, update.title, update.text, update.published_at) == ("x1", None, "", None)


def test_an_update_text_leaves_out_the_body_furniture() -> None:
    (update,) = parsed(row(description='<p>Polls closed.</p><p><strong>Also Read: <a href="/article/x/1-a">A story'
                                       '</a></strong></p><div class="advertisement-area">Ad</div>'))
    assert update.text == "Polls closed."


def test_rows_without_an_id_are_skipped_and_the_rest_kept(caplog: pytest.LogCaptureFixture) -> None:
    rows = [row(id=None), "not a row", row(id=8), row(id=[1])]
    assert [u.id for u in parse_updates(json.dumps(rows), "https://www.devdiscourse.com/api/Search/GetSubBlogs/1/1")
            ] == ["8"]
    assert "has no id; skipped" in caplog.text and "GetSubBlogs/1/1" in caplog.text


@pytest.mark.parametrize("body", [b"<html>Error.</html>", b'{"id": 1}', b"\xff\xfe", b""])
def test_a_page_that_is_not_a_json_list_is_a_parse_error(body: bytes) -> None:
    with pytest.raises(ParseError, match="live_updates"):
        parse_updates(body, "https://www.devdiscourse.com/api/Search/GetSubBlogs/1/1")


# ---- the item: carried as plain data, cleaned, validated, compared ---------------------------------------------
def provenanced(article: Article) -> Article:
    article.provenance = Provenance(
        request_url=PAGE_URL, response_url=PAGE_URL, status=200, fetched_at="2025-03-21T10:00:00+00:00",
        body_sha256="0" * 64, spider="devdiscourse", crawl_id="20250321T100000Z-abcdef", parser="devdiscourse",
        parser_version="7", archive=ArchiveRef(file="a.warc.gz", record_id="<urn:uuid:1>", offset=12),
        discovery=[Discovery(via="news-sitemap", source_url="https://www.devdiscourse.com/RSS/GoogleNews", position=3,
                             claims={"lastmod": "2025-03-21T15:00:00+05:30"})])
    return article


def test_an_item_survives_its_trip_through_a_json_request_queue() -> None:
    article = provenanced(Article(url=PAGE_URL, outlet="devdiscourse", title="T", body="B",
                                  live_updates=[LiveUpdate(id="1", text="x", published_at="2025-03-21T19:07:05+05:30")],
                                  quality=["no_author"]))
    carried = json.loads(json.dumps(plain_data(article)))
    assert article_from_plain(carried) == article


def test_notes_in_updates_join_the_articles_and_markup_in_them_is_removed() -> None:
    article = Article(url=PAGE_URL, outlet="devdiscourse", title="T", body="Intro.\n\n(With inputs from agencies.)",
                      byline="Devdiscourse News Desk", published_at="2025-03-21T08:00:00+05:30", live_updates=[
                          LiveUpdate(id="2", title='<b onclick="x()">Leads</b>', text="Leads.\n\n(Reporting by A; "
                                                                                       "Editing by B)"),
                          LiveUpdate(id="1", text="Polls open <img src=x onerror=alert(1)>.\n\n(With inputs from PTI)")])
    clean_article(article, outlet_rules=DevdiscourseParser.boilerplate)
    validate(article)
    assert article.body == "Intro."
    assert [(u.title, u.text) for u in article.live_updates] == [("Leads", "Leads."), (None, "Polls open .")]
    assert article.editorial_note == "(With inputs from agencies.) (With inputs from PTI)"
    assert article.credit_line == "(Reporting by A; Editing by B)"
    assert article.quality == ["markup_removed"]


def test_new_updates_make_a_new_revision_and_an_article_without_any_keeps_its_stored_digest() -> None:
    article = Article(url=PAGE_URL, outlet="devdiscourse", title="T", body="B")
    # what a state written before live_updates existed holds for the same content
    before = {name: getattr(article, name) for name in CONTENT_FIELDS}
    stored = hashlib.sha256(json.dumps(before, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    assert content_digest(article) == stored == content_digest(plain_data(article))
    old_item = plain_data(article)
    article.live_updates = [LiveUpdate(id="1", text="x")]
    assert content_digest(article) != stored and content_digest(article) == content_digest(plain_data(article))
    assert changed_fields(old_item, article) == ["live_updates"]
    assert changed_fields(plain_data(article), article) == []


# ---- the spider's request chain, offline ---------------------------------------------------------------------
@pytest.fixture
def spider() -> DevdiscourseSpider:
    crawler = get_crawler(DevdiscourseSpider, settings_dict={"NEWSCRAWL_STATE_ENABLED": False,
                                                             "NEWSCRAWL_LIVE_BLOG_MAX_PAGES": 3})
    crawler.stats.open_spider()
    made: DevdiscourseSpider = DevdiscourseSpider.from_crawler(crawler)
    return made


def live_page(spider: DevdiscourseSpider, url: str = "http://127.0.0.1:9/article/national/3302120-live") -> Request:
    """The request the live blog's page leads to (its first update page)."""
    page = render_mobile(liveblog_spec()).encode()
    response = HtmlResponse(url, body=page, request=Request(url, meta={META_RANK: (0, 4)}))
    (request,) = spider.parse_article(response)
    assert isinstance(request, Request)
    return request


def answer(request: Request, rows: list[dict[str, Any]] | bytes, status: int = 200) -> TextResponse:
    body = rows if isinstance(rows, bytes) else json.dumps(rows).encode()
    request.meta.setdefault(META_FETCHED_AT, "2025-03-21T14:00:00+00:00")  # as fetch.py stamps every request
    return TextResponse(request.url, body=body, request=request, status=status,
                        headers={"Content-Type": "application/json"})


def only(outputs: Iterable[Any]) -> Any:
    (output,) = list(outputs)
    return output


def test_a_live_blogs_item_waits_for_its_update_pages_and_keeps_its_place(spider: DevdiscourseSpider) -> None:
    first = live_page(spider)
    assert first.url == "http://127.0.0.1:9/api/Search/GetSubBlogs/3302120/1"  # on the host that served the page
    assert first.dont_filter and first.meta[META_RANK] == (0, 4)
    json.dumps(first.meta[META_ARTICLE_PART])  # JSON data only: a Redis queue can carry it
    second = only(spider.parse_live_updates(answer(first, [row(id=n) for n in range(20, 10, -1)])))
    assert second.url.endswith("/GetSubBlogs/3302120/2") and second.meta[META_RANK] == (0, 4)
    article = only(spider.parse_live_updates(answer(second, [row(id=10), row(id=9)])))  # a short page is the last
    assert isinstance(article, Article) and article.title == "LIVE: Delhi Municipal By-Election Results"
    assert [u.id for u in article.live_updates] == [str(n) for n in range(20, 8, -1)]
    assert article.quality == [] and article.provenance is not None
    assert article.provenance.response_url == "http://127.0.0.1:9/article/national/3302120-live"
    assert [page.url for page in article.provenance.live_update_pages] == [first.url, second.url]


def test_an_update_request_travels_through_a_distributed_crawls_json_queue(spider: DevdiscourseSpider) -> None:
    first = live_page(spider, url="http://127.0.0.1:9/article/national/3302120-live")
    carried = request_from_dict(serializer.loads(serializer.dumps(first.to_dict(spider=spider))), spider=spider)
    assert (carried.url, carried.callback, carried.errback) == (first.url, spider.parse_live_updates,
                                                                 spider.live_updates_failed)
    article = only(spider.parse_live_updates(answer(carried, [row(id=1)])))
    assert article == only(spider.parse_live_updates(answer(first, [row(id=1)])))


def test_an_empty_first_page_gives_the_item_without_updates_unflagged(spider: DevdiscourseSpider) -> None:
    article = only(spider.parse_live_updates(answer(live_page(spider), [])))
    assert (article.live_updates, article.quality) == ([], [])


@pytest.mark.parametrize("failure", ["http-500", "replay-miss", "not-json", "repeats", "cap"])
def test_an_update_page_that_fails_still_gives_the_item_flagged(spider: DevdiscourseSpider, failure: str) -> None:
    first = live_page(spider)
    full_page = [row(id=n) for n in range(30, 20, -1)]
    second = only(spider.parse_live_updates(answer(first, full_page)))
    if failure in ("http-500", "replay-miss"):
        error = HttpError(answer(second, b"", 500)) if failure == "http-500" else ReplayMiss("not archived")
        outcome = Failure(error)  # type: ignore[no-untyped-call]
        outcome.request = second  # type: ignore[attr-defined]  # as Scrapy hands it to an errback
        article = only(spider.live_updates_failed(outcome))
    elif failure == "not-json":
        article = only(spider.parse_live_updates(answer(second, b"<html>Error.</html>")))
    elif failure == "repeats":  # a server that ignores the page number
        article = only(spider.parse_live_updates(answer(second, full_page)))
    else:  # NEWSCRAWL_LIVE_BLOG_MAX_PAGES = 3
        third = only(spider.parse_live_updates(answer(second, [row(id=n) for n in range(20, 10, -1)])))
        article = only(spider.parse_live_updates(answer(third, [row(id=n) for n in range(10, 0, -1)])))
    assert isinstance(article, Article) and article.quality == ["live_updates_incomplete"]
    assert [u.id for u in article.live_updates][:10] == [str(n) for n in range(30, 20, -1)]
    stats = spider.crawler.stats
    assert (stats.get_value("newscrawl/errors/HttpError500") == 1) is (failure == "http-500")
    assert (stats.get_value("newscrawl/live_blogs/missing_in_archive") == 1) is (failure == "replay-miss")


def test_other_articles_are_emitted_from_their_page(spider: DevdiscourseSpider) -> None:
    url = canonical_url(seed_spec())
    page = (Path(__file__).parent / "fixtures/devdiscourse/seed-desk-with-agencies.html").read_bytes()
    article = only(spider.parse_article(HtmlResponse(url, body=page, request=Request(url))))
    assert isinstance(article, Article) and article.live_updates == []


# ---- whole crawls of the loopback mirror ----------------------------------------------------------------------
def blog_with_updates(count: int) -> NewsSpec:
    spec = liveblog_spec()
    return dataclasses.replace(spec, live_updates=live_updates(spec.news_id, spec.published_on, count))


def crawl_items(result: Any, name: str) -> dict[str, dict[str, Any]]:
    return {item["outlet_id"]: item for item in result.feed_items(name)}


def test_a_crawl_emits_a_live_blog_once_with_every_update_and_its_replay_the_same_item(tmp_path: Path) -> None:
    blog, other = blog_with_updates(23), seed_spec()
    with MirrorServer(build_devdiscourse_mirror([blog, other])) as server:
        result = run_crawl(tmp_path / "live", "devdiscourse", "-a", f"base_url={server.base_url}", "-O", "live.jsonl",
                           settings=FAST)
        pages = [entry.path for entry in server.access_log if "GetSubBlogs" in entry.path]
        base_url = server.base_url
    assert result.returncode == 0, result.log[-3000:]
    assert pages == [f"/api/Search/GetSubBlogs/{blog.news_id}/{n}" for n in (1, 2, 3)]  # 10, 10, 3 rows
    items = crawl_items(result, "live.jsonl")
    assert len(result.feed_items("live.jsonl")) == 2
    item = items[str(blog.news_id)]
    assert item["article_type"] == "live-blog" and item["quality"] == []
    assert item["live_updates"] == expected_live_updates(blog)
    assert items[str(other.news_id)]["live_updates"] == []
    assert result.stat("newscrawl/live_blogs/updates") == 23

    (warc,) = result.output_files("*.warc.gz")
    replay = run_crawl(tmp_path / "replay", "devdiscourse", "-a", f"replay={warc}", "-O", "replay.jsonl")
    assert replay.returncode == 0, replay.log[-3000:]
    assert replay.stat("newscrawl/replay/misses") is None
    assert replay.stat("newscrawl/live_blogs/pages") == 3  # read from the archive by the page's callback
    assert replay.stat("newscrawl/replay/hits") == result.stat("downloader/response_count")
    replayed = crawl_items(replay, "replay.jsonl")[str(blog.news_id)]
    assert replayed["provenance"].pop("mode") == "replay" and item["provenance"].pop("mode") == "live"
    assert replayed == item

    # every update page is named, and verify proves each from its own record, as it proves the page
    pages = item["provenance"]["live_update_pages"]
    assert [page["url"] for page in pages] == [f"{base_url}/api/Search/GetSubBlogs/{blog.news_id}/{n}"
                                               for n in (1, 2, 3)]
    assert all(page["archive"]["file"] == warc.name for page in pages)
    assert items[str(other.news_id)]["provenance"]["live_update_pages"] == []
    feed = tmp_path / "live" / "live.jsonl"
    report = verify_feed(str(feed), str(warc))
    assert (report.checked, report.passed) == (2, 2), report.problems
    altered = feed.read_text(encoding="utf-8").replace(pages[1]["body_sha256"], "0" * 64)
    (tmp_path / "altered.jsonl").write_text(altered, encoding="utf-8")
    report = verify_feed(str(tmp_path / "altered.jsonl"), str(warc))
    assert report.passed == 1 and len(report.problems) == 1
    assert f"live update page 2 ({pages[1]['url']}): body digest mismatch" in report.problems[0]


def test_a_live_blog_saved_without_its_updates_replays_flagged_without_asking_for_them(tmp_path: Path) -> None:
    blog = blog_with_updates(3)
    (tmp_path / "saved").mkdir()
    (tmp_path / "saved" / "blog.html").write_text(render_mobile(blog), encoding="utf-8")
    (tmp_path / "saved" / "blog.url").write_text(canonical_url(blog) + "\n", encoding="utf-8")
    replay = run_crawl(tmp_path / "out", "devdiscourse", "-a", f"replay={tmp_path / 'saved'}", "-O", "items.jsonl")
    assert replay.returncode == 0, replay.log[-3000:]
    (item,) = replay.feed_items("items.jsonl")
    assert (item["live_updates"], item["quality"]) == ([], ["live_updates_incomplete"])
    assert replay.stat("newscrawl/live_blogs/missing_in_archive") == 1
    assert replay.stat("newscrawl/replay/misses") is None and "GetSubBlogs" not in replay.log


def test_a_failing_update_page_costs_the_rest_of_the_updates_not_the_item(tmp_path: Path) -> None:
    blog = blog_with_updates(15)
    site = build_devdiscourse_mirror([blog, seed_spec()])
    site[f"/api/Search/GetSubBlogs/{blog.news_id}/2"] = Page(body=b"Server Error", status=500)
    with MirrorServer(site) as server:
        result = run_crawl(tmp_path, "devdiscourse", "-a", f"base_url={server.base_url}", "-O", "out.jsonl",
                           settings={**FAST, "RETRY_TIMES": "1"})
    assert result.returncode == 0, result.log[-3000:]
    items = crawl_items(result, "out.jsonl")
    assert len(items) == 2
    item = items[str(blog.news_id)]
    assert item["live_updates"] == expected_live_updates(blog)[:10]
    assert item["quality"] == ["live_updates_incomplete"]
    assert result.stat("newscrawl/errors/HttpError500") == 1
    assert result.stat("newscrawl/quality/live_updates_incomplete") == 1
    assert "Traceback" not in result.log


def _archive(path: Path, answers: list[tuple[str, str, list[tuple[str, str]], bytes]]) -> Path:
    """A WARC another tool could have written: (URL, status line, headers, body as sent) per response record."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for url, status, headers, body in answers:
            http = StatusAndHeaders(status, [*headers, ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=http))
    return path


@pytest.mark.parametrize("second_page", ["short", "server-error"])
def test_a_replay_reads_update_pages_as_scrapy_would_have_handed_them_over(tmp_path: Path, second_page: str) -> None:
    """Redirected and gzip-sent update pages are followed and decoded, as Scrapy's middlewares do live; an archived
    error answer ends the walk, the item flagged, as its errback does live."""
    blog = blog_with_updates(13)
    page_url = canonical_url(blog)
    api = page_url.split("/article/")[0] + f"/api/Search/GetSubBlogs/{blog.news_id}"
    json_gzip = [("Content-Type", "application/json; charset=utf-8"), ("Content-Encoding", "gzip")]
    second: tuple[str, list[tuple[str, str]], bytes] = (
        ("200 OK", json_gzip, gzip.compress(render_sub_blogs(blog, 2).encode())) if second_page == "short"
        else ("500 Internal Server Error", [("Content-Type", "text/html")], b"Server Error"))
    warc = _archive(tmp_path / "other-tool.warc.gz", [
        (page_url, "200 OK", [("Content-Type", "text/html; charset=utf-8")], render_mobile(blog).encode()),
        (f"{api}/1", "302 Found", [("Location", f"{api}/1?v=2")], b""),
        (f"{api}/1?v=2", "200 OK", json_gzip, gzip.compress(render_sub_blogs(blog, 1).encode())),
        (f"{api}/2", *second)])
    replay = run_crawl(tmp_path / "out", "devdiscourse", "-a", f"replay={warc}", "-O", "items.jsonl")
    assert replay.returncode == 0, replay.log[-3000:]
    (item,) = replay.feed_items("items.jsonl")
    expected = expected_live_updates(blog)
    if second_page == "short":
        assert (item["live_updates"], item["quality"]) == (expected, [])
    else:
        assert (item["live_updates"], item["quality"]) == (expected[:10], ["live_updates_incomplete"])
        assert replay.stat("newscrawl/errors/HttpError500") == 1
        assert "Live-blog update page failed (HttpError500)" in replay.log
    assert replay.stat("newscrawl/replay/hits") == 4  # the page, the redirect, its target, page 2
    pages = item["provenance"]["live_update_pages"]
    assert [page["url"] for page in pages] == [f"{api}/1?v=2", f"{api}/2"][:2 if second_page == "short" else 1]
    report = verify_feed(str(tmp_path / "out" / "items.jsonl"), str(warc))
    assert report.passed == 1, report.problems
    assert "not in the archive, not fetched): " + api not in replay.log and "Traceback" not in replay.log


def test_the_mirror_serves_updates_newest_first_ten_a_page() -> None:
    blog = blog_with_updates(12)
    pages = [json.loads(render_sub_blogs(blog, n)) for n in (1, 2, 3)]
    assert [len(p) for p in pages] == [10, 2, 0]
    times = [r["createdOn"] for p in pages for r in p]
    assert times == sorted(times, reverse=True) and not times[0].endswith("Z")
    assert max(u.created_on for u in blog.live_updates) - blog.published_on < timedelta(hours=5)
