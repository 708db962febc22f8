"""Language from the text (LanguagePipeline): the page's claim kept as declared_language, a discrepancy when the two
disagree, the claim used when the text is too short to tell."""

from __future__ import annotations

import json
from typing import Any

import pytest
from scrapy.utils.project import get_project_settings

from newscrawl.items import Article, Provenance
from newscrawl.parsers import parser_by_name
from newscrawl.pipelines.language import LanguagePipeline
from tests.support import fixture_cases, fixture_paths


class Stats:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def inc_value(self, name: str, count: int = 1) -> None:
        self.values[name] = self.values.get(name, 0) + count


def parse(outlet: str, case: str, html_lang: str | None = None) -> Article:
    html_path, url_path, _ = fixture_paths(outlet, case)
    html = html_path.read_text(encoding="utf-8")
    if html_lang is not None:
        html = html.replace('<html lang="de">', f'<html lang="{html_lang}">', 1)
    article = parser_by_name(outlet).from_html(html, url_path.read_text(encoding="utf-8").strip()).parse()
    assert article is not None
    article.provenance = Provenance(request_url=article.url, response_url=article.url, status=200,
                                    fetched_at="2025-03-21T13:37:12Z", body_sha256="0" * 64, spider=outlet,
                                    crawl_id="c", parser=outlet, parser_version="1")
    return article


ARTICLE_CASES = [case for case in fixture_cases()
                 if json.loads(fixture_paths(*case)[2].read_text(encoding="utf-8")) is not None]


@pytest.mark.parametrize(("outlet", "case"), ARTICLE_CASES, ids=lambda v: str(v))
def test_fixture_articles_are_detected_as_they_declare(outlet: str, case: str) -> None:
    """Every fixture page declares its language correctly: detection agrees, the claim is kept verbatim."""
    article = parse(outlet, case)
    claim = article.language
    stats = Stats()
    LanguagePipeline(stats).process_item(article)
    assert article.declared_language == claim
    assert claim is not None and article.language == claim.split("-")[0].lower()
    assert article.provenance is not None and article.provenance.discrepancies == []
    assert stats.values == {"newscrawl/language/detected": 1}


def test_a_wrong_claim_is_a_discrepancy_and_the_text_wins() -> None:
    article = parse("generic", "non-english-german-dpa", html_lang="en-US")
    stats = Stats()
    pipeline = LanguagePipeline(stats)
    pipeline.process_item(article)
    pipeline.process_item(article)  # idempotent: a second pass neither loses the claim nor repeats the record
    assert (article.language, article.declared_language) == ("de", "en-US")
    assert article.provenance is not None
    [discrepancy] = article.provenance.discrepancies
    assert (discrepancy.field, discrepancy.via, discrepancy.claimed, discrepancy.found) == (
        "language", "declared", "en-US", "de")
    assert discrepancy.source_url == article.url
    assert stats.values["newscrawl/discrepancies/language"] == 2


def test_too_little_text_keeps_the_claim_without_a_discrepancy() -> None:
    article = Article(url="https://example.org/a/1", outlet="generic", title="Kim", body="Photo: PTI",
                      language="en-GB")
    stats: Any = Stats()
    LanguagePipeline(stats).process_item(article)
    assert (article.language, article.declared_language) == ("en", "en-GB")
    assert stats.values == {"newscrawl/language/undetermined": 1}


def test_no_claim_and_text_gives_the_detected_language() -> None:
    body = "Le gouvernement a annoncé lundi de nouvelles règles sur la protection des données personnelles."
    article = Article(url="https://example.org/a/2", outlet="generic", title="Nouvelles règles", body=body)
    LanguagePipeline().process_item(article)
    assert (article.language, article.declared_language) == ("fr", None)


def test_the_pipeline_runs_after_the_discrepancy_pipeline() -> None:
    pipelines = get_project_settings().getdict("ITEM_PIPELINES")
    order = pipelines["newscrawl.pipelines.language.LanguagePipeline"]
    assert pipelines["newscrawl.pipelines.discrepancies.DiscrepancyPipeline"] < order
    assert order < pipelines["newscrawl.pipelines.validation.ValidationPipeline"]
