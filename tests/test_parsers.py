"""Every fixture page parses (and cleans) to its expected JSON, compared field by field."""

from __future__ import annotations

import json

import pytest

from tests.support import fixture_cases, fixture_paths, parse_fixture

CASES = fixture_cases()


@pytest.mark.parametrize(("outlet", "case"), CASES, ids=[f"{o}/{c}" for o, c in CASES])
def test_fixture(outlet: str, case: str) -> None:
    expected = json.loads(fixture_paths(outlet, case)[2].read_text(encoding="utf-8"))
    actual = parse_fixture(outlet, case)
    hint = f"if the change is deliberate: python -m tests.regen {outlet} {case}"
    if expected is None or actual is None:
        assert actual == expected, f"{outlet}/{case}: article vs non-article differs; {hint}"
        return
    for field in sorted(expected.keys() | actual.keys()):
        assert actual.get(field) == expected.get(field), f"{outlet}/{case}: field {field!r} differs; {hint}"


def test_there_are_fixtures() -> None:
    assert len(CASES) >= 10


@pytest.mark.parametrize("html", [b"<html><body><h1>Kim meets Putin</h1><p>Talks.</p></body></html>",
                                  "<html><body><h1>Kim meets Putin</h1><p>Talks \x0c.</p></body></html>"])
def test_a_page_is_one_plain_lxml_tree(html: bytes | str) -> None:
    """lxml.html's element classes are chosen by a Python callback each time an element is first touched (a quarter
    of a parse's time); a page's tree is built with lxml's plain HTML parser, from bytes and from text alike."""
    from lxml import etree, html as lxml_html

    from newscrawl.parsers.base import Page

    page = Page(html, "https://example.org/news/1")
    elements = list(page.selector.root.iter())
    assert [e.tag for e in elements] == ["html", "body", "h1", "p"]
    assert all(type(e) is etree._Element and not isinstance(e, lxml_html.HtmlElement) for e in elements)
    assert page.text("h1") == "Kim meets Putin"
