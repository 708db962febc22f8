"""Validation and de-duplication: bad items are dropped with a counted reason, good ones pass untouched."""

from __future__ import annotations

import pytest

from newscrawl.items import Article, Provenance
from newscrawl.pipelines.dedup import DedupPipeline, DuplicateArticle
from newscrawl.pipelines.provenance import MissingProvenance, ProvenancePipeline
from newscrawl.pipelines.validation import MissingField, ValidationPipeline


def article(**fields: object) -> Article:
    base: dict[str, object] = {"url": "https://www.devdiscourse.com/article/x/1-a", "outlet": "devdiscourse",
                               "title": "Title", "body": "Body text.", "published_at": "2025-03-21T19:07:00+05:30"}
    base.update(fields)
    return Article(**base)  # type: ignore[arg-type]


def test_valid_item_passes() -> None:
    item = article(modified_at="2025-03-22T10:00:00+05:30", image_url="https://x.y/z.png")
    assert ValidationPipeline().process_item(item) is item


def test_only_an_item_without_body_text_is_dropped() -> None:
    for body in ("", "  \n "):
        with pytest.raises(MissingField, match="https://www.devdiscourse.com/article/x/1-a: no body text"):
            ValidationPipeline().process_item(article(body=body, published_at=None))


@pytest.mark.parametrize(("fields", "flags", "kept"), [
    ({"title": ""}, ["no_title"], {"title": ""}),
    ({"published_at": None}, ["no_date"], {"published_at": None}),
    ({"published_at": "2021-02-21"}, ["date_day_only"], {"published_at": "2021-02-21"}),
    ({"published_at": "2021-02-21T10:15:00"}, ["date_no_timezone"], {"published_at": "2021-02-21T10:15:00"}),
    ({"published_at": "21-03-2025"}, ["date_malformed"], {"published_at": None}),
    ({"modified_at": "yesterday"}, ["modified_malformed"], {"modified_at": None}),
    ({"modified_at": "2025-03-21T19:07:00"}, [], {"modified_at": "2025-03-21T19:07:00"}),
    ({"url": "file:///saved/page.html"}, ["no_url"], {"url": "file:///saved/page.html"}),
    ({"byline": None, "authors": []}, ["no_author"], {}),
    ({"image_url": "javascript:alert(1)"}, ["image_url_invalid"], {"image_url": None}),
    ({"body": "Text <script>alert(1)</script> more"}, ["markup_removed"], {"body": "Text alert(1) more"}),
    ({"subtitle": 'Dek <a class="more" href="/x">Read more</a>'}, ["markup_removed"], {"subtitle": "Dek Read more"}),
    ({"title": "", "published_at": "2021-02-21", "url": "file:///p.html", "byline": None},
     ["no_title", "date_day_only", "no_url", "no_author"], {}),
])
def test_imperfect_articles_are_kept_and_flagged(fields: dict[str, object], flags: list[str],
                                                 kept: dict[str, object]) -> None:
    item = article(**{"byline": "Staff", **fields})
    assert ValidationPipeline().process_item(item) is item
    assert item.quality == flags
    assert {name: getattr(item, name) for name in kept} == kept


def test_quality_flags_are_counted() -> None:
    class Stats:
        def __init__(self) -> None:
            self.values: dict[str, int] = {}

        def inc_value(self, key: str, count: int = 1) -> None:
            self.values[key] = self.values.get(key, 0) + count

    stats = Stats()
    pipeline = ValidationPipeline(stats)
    pipeline.process_item(article(published_at=None, byline=None))
    pipeline.process_item(article(published_at="2021-02-21", byline="Staff"))
    assert {k: v for k, v in stats.values.items() if "/quality/" in k} == {
        "newscrawl/quality/no_date": 1, "newscrawl/quality/no_author": 1, "newscrawl/quality/date_day_only": 1}
    assert stats.values["newscrawl/published_day/undated"] == 1
    assert stats.values["newscrawl/published_day/2021-02-21"] == 1


def test_every_flag_is_documented_in_the_schema() -> None:
    from newscrawl.items import QUALITY_FLAGS
    from pathlib import Path

    schema = (Path(__file__).resolve().parent.parent / "docs" / "schema.md").read_text(encoding="utf-8")
    assert all(f"`{flag}`" in schema for flag in QUALITY_FLAGS)


def test_dedup_by_canonical_url() -> None:
    pipeline = DedupPipeline()
    pipeline.process_item(article())
    pipeline.process_item(article(url="https://www.devdiscourse.com/article/x/2-b"))
    with pytest.raises(DuplicateArticle):
        pipeline.process_item(article(title="Other title, same URL"))


SECTION = "https://outlet.example/news/"


def fetched_at(page: str, **fields: object) -> Article:
    """An article whose canonical link names the section page, fetched from its own page."""
    provenance = Provenance(request_url=page, response_url=page, status=200, fetched_at="t", body_sha256="0" * 64,
                            spider="news", crawl_id="c", parser="generic", parser_version="1")
    return article(url=SECTION, provenance=provenance, **fields)


def test_another_article_under_a_shared_canonical_is_kept_under_its_own_address() -> None:
    """A template that gives every story one canonical link: the second story (another headline and body) is not a
    duplicate of the first; it goes out under its own page's address, flagged."""
    pipeline = DedupPipeline()
    first = pipeline.process_item(fetched_at("https://outlet.example/news/harbour-works", title="Harbour works"))
    second = pipeline.process_item(fetched_at("https://outlet.example/news/ferry-strike?utm_source=rss",
                                              title="Ferry strike called off", body="Talks ended at midnight."))
    assert (first.url, first.quality) == (SECTION, [])
    assert (second.url, second.quality) == ("https://outlet.example/news/ferry-strike", ["canonical_of_another"])


@pytest.mark.parametrize(("page", "fields"), [
    ("https://outlet.example/amp/news/harbour-works", {"body": "Body text, AMP form."}),  # same headline: a form
    ("https://outlet.example/print/harbour-works", {"title": "Print: harbour works"}),  # same body: a form
    ("https://outlet.example/news/ferry", {"title": "", "body": "Another body."}),  # no headline: cannot tell
    ("https://www.outlet.example/news", {"title": "Ferry strike", "body": "Another body."}),  # the page is the URL
    ("https://outlet.example/news/harbour-works", {"title": "Ferry strike", "body": "Another body."}),  # taken
])
def test_a_form_of_the_first_article_under_its_canonical_is_a_duplicate(page: str, fields: dict[str, object]) -> None:
    pipeline = DedupPipeline()
    pipeline.process_item(fetched_at("https://outlet.example/news/harbour-works"))
    pipeline.process_item(article(url="https://outlet.example/news/harbour-works", title="Harbour works"))
    with pytest.raises(DuplicateArticle):
        pipeline.process_item(fetched_at(page, **fields))


def test_provenance_pipeline_requires_and_completes_provenance() -> None:
    with pytest.raises(MissingProvenance):
        ProvenancePipeline().process_item(article())
    item = article(provenance=Provenance(request_url="u", response_url="u", status=200, fetched_at="t",
                                         body_sha256="0" * 64, spider="s", crawl_id="c", parser="p",
                                         parser_version="1"))
    ProvenancePipeline().process_item(item)
    assert item.provenance is not None and item.provenance.canonical_url == item.url


def test_boilerplate_tables_reach_the_pipeline_through_the_spider(monkeypatch: pytest.MonkeyPatch) -> None:
    """BoilerplatePipeline applies the outlet's table that the spider hands it; it never reads the registry."""
    from types import SimpleNamespace
    from typing import cast

    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from newscrawl.extract.notes import rule
    from newscrawl.parsers.devdiscourse import DevdiscourseParser
    from newscrawl.pipelines.boilerplate import BoilerplatePipeline
    from newscrawl.spiders.devdiscourse import DevdiscourseSpider
    from tests.support import fixture_paths

    table = (rule(r"this meeting follows the recent acknowledgment.*", "editorial_note"),)
    monkeypatch.setattr(DevdiscourseParser, "boilerplate", table)
    assert DevdiscourseSpider().note_rules("devdiscourse") == table
    assert DevdiscourseSpider().note_rules("no-such-outlet") == ()

    html, url, _ = fixture_paths("devdiscourse", "seed-desk-with-agencies")
    def parsed() -> Article:
        article = DevdiscourseParser.from_html(html.read_bytes(), url.read_text(encoding="utf-8").strip()).parse()
        assert article is not None
        return article

    crawler = get_crawler(DevdiscourseSpider)
    # a stand-in with only what the pipeline asks a spider for
    crawler.spider = cast(Spider, SimpleNamespace(note_rules=DevdiscourseSpider().note_rules))
    cleaned = BoilerplatePipeline.from_crawler(crawler).process_item(parsed())
    assert "This meeting follows" not in cleaned.body
    assert cleaned.editorial_note.startswith("This meeting follows the recent acknowledgment")
    assert crawler.stats.get_value("newscrawl/boilerplate/editorial_note") == 2  # + "(With inputs from agencies.)"

    crawler = get_crawler(DevdiscourseSpider)  # no spider offering tables: the generic rules only
    assert "This meeting follows" in BoilerplatePipeline.from_crawler(crawler).process_item(parsed()).body
