"""Helpers shared by tests and tests.regen: fixture discovery and the parse → clean chain that fixtures record."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from newscrawl.items import Article
from newscrawl.parsers import parser_by_name
from newscrawl.pipelines.attribution import attribute
from newscrawl.pipelines.boilerplate import clean_article
from newscrawl.pipelines.validation import validate

FIXTURES = Path(__file__).parent / "fixtures"
# Set by the crawl (state, fetch), never by parsing: not part of fixture expectations.
RUN_FIELDS = ("provenance", "revision", "previous_body_sha256", "changed_fields", "story_id", "declared_language")


def fixture_cases(outlet: str | None = None) -> list[tuple[str, str]]:
    """(outlet, case) for every fixture page that has an expected .json."""
    folders = [FIXTURES / outlet] if outlet else sorted(p for p in FIXTURES.iterdir() if p.is_dir())
    return [(folder.name, html.stem) for folder in folders for html in sorted(folder.glob("*.html"))
            if html.with_suffix(".json").exists()]


def fixture_paths(outlet: str, case: str) -> tuple[Path, Path, Path]:
    base = FIXTURES / outlet / case
    return base.with_suffix(".html"), base.with_suffix(".url"), base.with_suffix(".json")


def parse_fixture(outlet: str, case: str) -> dict[str, Any] | None:
    """What the parser, the cleaning pipelines and validation (its `quality` flags) make of a fixture page, as the
    fixture JSON records it."""
    html_path, url_path, _ = fixture_paths(outlet, case)
    url = url_path.read_text(encoding="utf-8").strip()
    parser = parser_by_name(outlet)
    article = parser.from_html(html_path.read_bytes(), url).parse()
    if article is None:
        return None
    cleaned = attribute(clean_article(article, outlet_rules=parser.boilerplate))
    validate(cleaned)
    return article_record(cleaned)


def article_record(article: Article) -> dict[str, Any]:
    record = dataclasses.asdict(article)
    for run_field in RUN_FIELDS:
        record.pop(run_field, None)
    return record


def dump_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
