"""Validation and de-duplication: bad items are dropped with a counted reason, good ones pass untouched."""

from __future__ import annotations

import pytest

from newscrawl.items import Article, Provenance
from newscrawl.pipelines.dedup import DedupPipeline, DuplicateArticle
from newscrawl.pipelines.provenance import MissingProvenance, ProvenancePipeline
from newscrawl.pipelines.validation import MalformedField, MissingField, ValidationPipeline


def article(**fields: object) -> Article:
    base: dict[str, object] = {"url": "https://www.devdiscourse.com/article/x/1-a", "outlet": "devdiscourse",
                               "title": "Title", "body": "Body text.", "published_at": "2025-03-21T19:07:00+05:30"}
    base.update(fields)
    return Article(**base)  # type: ignore[arg-type]


def test_valid_item_passes() -> None:
    item = article(modified_at="2025-03-22T10:00:00+05:30", image_url="https://x.y/z.png")
    assert ValidationPipeline().process_item(item) is item


@pytest.mark.parametrize(("fields", "error", "message"), [
    ({"title": ""}, MissingField, "missing title"),
    ({"body": "", "published_at": None}, MissingField, "missing body, published_at"),
    ({"url": "/relative"}, MalformedField, "not an absolute http(s) URL"),
    ({"published_at": "21-03-2025"}, MalformedField, "published_at '21-03-2025' is not ISO 8601"),
    ({"modified_at": "2025-03-21T19:07:00"}, MalformedField, "modified_at"),
    ({"body": "Text <script>alert(1)</script>"}, MalformedField, "body contains HTML markup"),
    ({"image_url": "javascript:alert(1)"}, MalformedField, "image_url"),
])
def test_bad_items_are_dropped_with_a_reason(fields: dict[str, object], error: type[Exception], message: str) -> None:
    with pytest.raises(error) as raised:
        ValidationPipeline().process_item(article(**fields))
    assert message in str(raised.value)
    assert "https://www.devdiscourse.com/article/x/1-a" in str(raised.value) or "relative" in str(raised.value)


def test_dedup_by_canonical_url() -> None:
    pipeline = DedupPipeline()
    pipeline.process_item(article())
    pipeline.process_item(article(url="https://www.devdiscourse.com/article/x/2-b"))
    with pytest.raises(DuplicateArticle):
        pipeline.process_item(article(title="Other title, same URL"))


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
    crawler.spider = SimpleNamespace(note_rules=DevdiscourseSpider().note_rules)
    cleaned = BoilerplatePipeline.from_crawler(crawler).process_item(parsed())
    assert "This meeting follows" not in cleaned.body
    assert cleaned.editorial_note.startswith("This meeting follows the recent acknowledgment")
    assert crawler.stats.get_value("newscrawl/boilerplate/editorial_note") == 2  # + "(With inputs from agencies.)"

    crawler = get_crawler(DevdiscourseSpider)  # no spider offering tables: the generic rules only
    assert "This meeting follows" in BoilerplatePipeline.from_crawler(crawler).process_item(parsed()).body
