"""Property-based fuzzing of parsing and cleaning: mutated real pages never crash the parser or the pipelines.

Every fixture page (tests/fixtures/<outlet>/*.html) is mutated the way broken servers, truncated downloads and
hostile authors mutate pages (byte flips, truncation, deleted tags, duplicated blocks, inserted bytes and Unicode, a
wrong charset header), then read by every registered parser (newscrawl.parsers.PARSERS: the outlet parsers and the
generic fallback, which meets any site's pages). The properties:

* `parse()`, `clean_article()` and `attribute()` never raise;
* any Article produced is either valid or rejected by `validate()` with MissingField or MalformedField, nothing
  else;
* a valid Article's text fields hold no U+FFFD, no control characters and no markup (markup_in finds nothing).

Bounded for CI: 200 examples per property and parser, no deadline, < 30 s in all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newscrawl.extract.text import clean_text
import pytest

from newscrawl.items import Article
from newscrawl.parsers import PARSERS, ArticleParser
from newscrawl.parsers.devdiscourse import DevdiscourseParser
from newscrawl.pipelines.attribution import attribute
from newscrawl.pipelines.boilerplate import clean_article
from newscrawl.pipelines.validation import TEXT_FIELDS, MalformedField, MissingField, markup_in, validate

FIXTURES = Path(__file__).parent / "fixtures"
PAGES: list[tuple[str, bytes, str]] = [
    (f"{html.parent.name}/{html.stem}", html.read_bytes(), html.with_suffix(".url").read_text(encoding="utf-8").strip())
    for html in sorted(FIXTURES.glob("*/*.html"))
]
CONTENT_TYPES = (None, "text/html", "text/html; charset=utf-8", "text/html; charset=iso-8859-1",
                 "text/html; charset=windows-1252", "text/html; charset=utf-16", "text/html; charset=shift_jis",
                 "text/html; charset=no-such-charset", "application/octet-stream")
_TAG = re.compile(rb"<[!/a-zA-Z][^<>]*>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
FUZZ = settings(max_examples=200, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@dataclass(frozen=True)
class Outcome:
    kind: str
    """"not-article", "valid" or the DropItem class validate() raised."""
    article: Article | None


def run_chain(body: bytes, url: str, content_type: str | None,
              parser: type[ArticleParser] = DevdiscourseParser) -> Outcome:
    """Parser → boilerplate → attribution → validation, as the crawl runs them (provenance aside)."""
    article = parser.from_html(body, url, content_type).parse()
    if article is None:
        return Outcome("not-article", None)
    attribute(clean_article(article))
    try:
        validate(article)
    except (MissingField, MalformedField) as dropped:
        return Outcome(type(dropped).__name__, article)
    return Outcome("valid", article)


def assert_clean_text(article: Article) -> None:
    for name in TEXT_FIELDS:
        value = getattr(article, name)
        if not value:
            continue
        assert "\ufffd" not in value, f"{name} holds U+FFFD: {value[:120]!r}"
        assert not _CONTROL.search(value), f"{name} holds a control character: {value[:120]!r}"
        assert markup_in(value) is None, f"valid item with markup in {name}: {value[:120]!r}"
        assert value == value.strip(), f"{name} is not trimmed"
    for name in ("title", "byline", "dateline"):
        value = getattr(article, name)
        assert value is None or value == clean_text(value), f"{name} is not normalised text: {value!r}"


# ---- mutations --------------------------------------------------------------------------------------------------
@st.composite
def mutated_page(draw: st.DrawFn) -> tuple[str, bytes, str, str | None]:
    name, body, url = draw(st.sampled_from(PAGES))
    data = bytearray(body)
    for _ in range(draw(st.integers(1, 4))):
        size = max(len(data), 1)
        kind = draw(st.sampled_from(["flip", "truncate", "delete-tag", "duplicate", "insert-bytes",
                                     "insert-unicode", "delete-span"]))
        at = draw(st.integers(0, size - 1))
        if kind == "flip":
            for offset in draw(st.lists(st.integers(0, size - 1), min_size=1, max_size=16)):
                if offset < len(data):
                    data[offset] ^= draw(st.integers(1, 255))
        elif kind == "truncate":
            del data[at:]
        elif kind == "delete-tag":
            tags = list(_TAG.finditer(bytes(data)))
            for _ in range(draw(st.integers(1, 20))):
                if tags:
                    tag = tags.pop(draw(st.integers(0, len(tags) - 1)))
                    data[tag.start():tag.end()] = b" " * (tag.end() - tag.start())  # keeps later offsets valid
        elif kind == "duplicate":
            length = draw(st.integers(1, 8000))
            block = bytes(data[at:at + length])
            data[draw(st.integers(0, size)):0] = block * draw(st.integers(1, 3))
        elif kind == "insert-bytes":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif kind == "insert-unicode":
            text = draw(st.text(min_size=1, max_size=40))
            data[at:at] = text.encode("utf-8", "surrogatepass")
        else:
            del data[at:at + draw(st.integers(1, 4000))]
    return name, bytes(data), url, draw(st.sampled_from(CONTENT_TYPES))


@pytest.mark.parametrize("parser", PARSERS, ids=[parser.name for parser in PARSERS])
@FUZZ
@given(page=mutated_page())
def test_mutated_fixtures_never_crash_and_are_valid_or_cleanly_rejected(
        parser: type[ArticleParser], page: tuple[str, bytes, str, str | None]) -> None:
    name, body, url, content_type = page
    outcome = run_chain(body, url, content_type, parser)  # any exception fails the test, with the example shown
    assert outcome.kind in ("not-article", "valid", "MissingField", "MalformedField"), (name, outcome.kind)
    if outcome.kind == "valid":
        assert outcome.article is not None
        assert_clean_text(outcome.article)


@pytest.mark.parametrize("parser", PARSERS, ids=[parser.name for parser in PARSERS])
@FUZZ
@given(body=st.binary(max_size=4096), content_type=st.sampled_from(CONTENT_TYPES))
def test_arbitrary_bytes_never_crash(parser: type[ArticleParser], body: bytes, content_type: str | None) -> None:
    outcome = run_chain(body, "https://www.devdiscourse.com/article/politics/3301234-x", content_type, parser)
    assert outcome.kind in ("not-article", "valid", "MissingField", "MalformedField")


# Hostile text inside the places a headline is read from: the h1, og:title and the JSON-LD headline.
_SEED_NAME, _SEED, _SEED_URL = next(page for page in PAGES if page[0] == "devdiscourse/seed-desk-with-agencies")
_H1 = b'<h1 class="title">'


_SWALLOWS_THE_PAGE = re.compile(r"<(?:!--|(?:title|textarea|style|script|xmp|iframe|noembed|noframes|noscript|"
                                r"plaintext|template)(?![\w-]))", re.IGNORECASE)
"""Markup that makes an HTML parser read the rest of the page as one element's raw text, or as a comment (a browser
too: a <title> start tag in the body is read as the head's, up to a </title>): a raw headline holding one leaves
the page without its story, and MissingField is then the clean rejection."""


@FUZZ
@given(st.text(max_size=200), st.sampled_from(["raw", "escaped"]))
def test_any_headline_text_is_plain_text_or_cleanly_rejected(headline: str, how: str) -> None:
    inserted = headline.encode("utf-8", "surrogatepass")
    if how == "escaped":  # what the page's text says, e.g. &lt;script&gt;: the item must say the same
        inserted = (headline.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                    .encode("utf-8", "surrogatepass"))
    body = _SEED.replace(_H1, _H1 + inserted + b" ", 1)
    outcome = run_chain(body, _SEED_URL, "text/html; charset=utf-8")
    swallowing = how == "raw" and _SWALLOWS_THE_PAGE.search(headline) is not None
    assert outcome.kind in ("valid", "MalformedField") or (swallowing and outcome.kind == "MissingField"), outcome.kind
    assert outcome.article is not None
    if outcome.kind == "valid":
        assert_clean_text(outcome.article)
    if how == "escaped" and outcome.kind == "valid":
        expected = clean_text(headline.replace("\x0c", " "))  # form feed is whitespace in HTML
        assert outcome.article.title.startswith(expected) or not expected, (outcome.article.title, expected)


def test_fuzz_corpus_is_the_real_fixtures() -> None:
    assert len(PAGES) >= 20, "the fuzz corpus is every fixture page"
    devdiscourse = {name: run_chain(body, url, None).kind for name, body, url in PAGES
                    if name.startswith("devdiscourse/")}
    assert set(devdiscourse.values()) <= {"valid", "not-article"}, devdiscourse  # unmutated, they parse cleanly
