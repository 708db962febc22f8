"""GenericParser: the fixture pages (tests/fixtures/generic/, compared field by field in test_parsers.py) and one
small page per rule that the fixtures do not isolate: date offsets, canonical URLs, credits, article detection."""

from __future__ import annotations

import json
from collections.abc import Mapping

import pytest

from newscrawl.parsers import FALLBACK, parser_by_name, parser_for_url, parser_for_url_or_generic
from newscrawl.parsers.devdiscourse import DevdiscourseParser
from newscrawl.parsers.generic import GenericParser
from newscrawl.items import Article
from tests.support import fixture_cases, fixture_paths, parse_fixture

# One fixture per kind of outlet the issue names; test_parsers.py compares each with its expected JSON.
REQUIRED_CASES = {"jsonld-graph-article", "microdata-only", "opengraph-only", "reuters-wire-dateline",
                  "indian-wire-with-inputs", "ap-story-local-outlet", "paywalled-teaser", "non-english-german-dpa",
                  "home-page", "listing-page"}
BODY = "".join(f"<p>Paragraph {n} of the story has enough words in it to read like real article text, "
               f"with commas, clauses and a full stop at the end.</p>" for n in range(6))


def page(head: str = "", body: str = BODY, url: str = "https://news.example.com/2025/03/21/a-story-here") -> Article:
    html = f"<html lang='en'><head>{head}</head><body><h1>A story here</h1><article>{body}</article></body></html>"
    article = GenericParser.from_html(html, url).parse()
    assert article is not None
    return article


def ld(data: Mapping[str, object]) -> str:
    return f'<script type="application/ld+json">{json.dumps({"@context": "https://schema.org", **data})}</script>'


# ---- fixtures ----------------------------------------------------------------------------------------------------
def test_every_required_case_has_a_fixture() -> None:
    assert REQUIRED_CASES <= {case for _, case in fixture_cases("generic")}


@pytest.mark.parametrize("case", ["home-page", "listing-page"])
def test_pages_that_are_not_articles_give_no_item(case: str) -> None:
    assert json.loads(fixture_paths("generic", case)[2].read_text(encoding="utf-8")) is None
    assert parse_fixture("generic", case) is None


def test_wire_fixtures_name_their_agencies() -> None:
    agencies = {case: (parse_fixture("generic", case) or {})["agencies"] for case in
                ("reuters-wire-dateline", "indian-wire-with-inputs", "ap-story-local-outlet", "non-english-german-dpa")}
    assert agencies == {"reuters-wire-dateline": ["Reuters"], "indian-wire-with-inputs": ["PTI", "IANS"],
                        "ap-story-local-outlet": ["AP"], "non-english-german-dpa": ["dpa"]}


# ---- registry ---------------------------------------------------------------------------------------------------
def test_generic_is_the_fallback_not_a_domain_parser() -> None:
    assert parser_by_name("generic") is GenericParser is FALLBACK
    assert GenericParser.domains == ()
    assert parser_for_url("https://www.example.com/a") is None  # unchanged for existing callers
    assert parser_for_url_or_generic("https://www.example.com/a") is GenericParser
    assert parser_for_url_or_generic("https://www.devdiscourse.com/article/x/1-a") is DevdiscourseParser


# ---- dates ------------------------------------------------------------------------------------------------------
def test_dates_keep_their_own_offsets() -> None:
    article = page(ld({"@type": "NewsArticle", "headline": "A story here", "datePublished": "2025-03-21T09:15:00+05:30",
                       "dateModified": "2025-03-21T04:00:00Z"}))
    assert (article.published_at, article.modified_at) == ("2025-03-21T09:15:00+05:30", "2025-03-21T04:00:00+00:00")


def test_naive_date_takes_the_offset_the_page_uses_elsewhere() -> None:
    article = page(ld({"@type": "NewsArticle", "headline": "A story here", "datePublished": "2025-03-21T14:32:00"})
                   + '<meta property="article:modified_time" content="2025-03-21T15:48:00+05:30">')
    assert article.published_at == "2025-03-21T14:32:00+05:30"


def test_naive_date_without_any_page_offset_stays_naive() -> None:
    assert page('<meta name="date" content="2025-03-20 19:05:00">').published_at == "2025-03-20T19:05:00"


def test_placeholder_dates_are_ignored() -> None:
    article = page(ld({"@type": "NewsArticle", "headline": "A story here", "datePublished": "0001-01-01T00:00:00Z"})
                   + '<meta property="article:published_time" content="2025-03-21T09:15:00+00:00">')
    assert article.published_at == "2025-03-21T09:15:00+00:00"


# ---- canonical URL ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("head", "expected"), [
    ('<link rel="canonical" href="/2025/03/21/a-story-here?utm_source=x&id=7">',
     "https://news.example.com/2025/03/21/a-story-here?id=7"),
    ('<link rel="canonical" href="https://news.example.com/"><meta property="og:url" '
     'content="https://news.example.com/2025/03/21/a-story-here/">', "https://news.example.com/2025/03/21/a-story-here/"),
    ("", "https://news.example.com/2025/03/21/a-story-here"),
])
def test_canonical_url(head: str, expected: str) -> None:
    assert page(head, url="https://news.example.com/2025/03/21/a-story-here?fbclid=abc#top").url == expected


@pytest.mark.parametrize(("page_url", "canonical", "url", "outlet"), [
    # a syndicated copy names the original: the item is the copy, at its own address and outlet
    ("https://partner.example/wire/2025/03/21/cod-quota", "https://www.outlet.example/news/fishing-quota-cut",
     "https://partner.example/wire/2025/03/21/cod-quota", "partner.example"),
    # another host of the same site (mobile, AMP, print) names its article: the article's address
    ("https://m.outlet.co.uk/news/amp/fishing-quota-cut", "https://www.outlet.co.uk/news/fishing-quota-cut",
     "https://www.outlet.co.uk/news/fishing-quota-cut", "outlet.co.uk"),
    # an AMP cache's copy is no publisher: the original's address
    ("https://www-outlet-com.cdn.ampproject.org/c/s/www.outlet.com/news/fishing-quota-cut",
     "https://www.outlet.com/news/fishing-quota-cut", "https://www.outlet.com/news/fishing-quota-cut", "outlet.com"),
])
def test_canonical_on_another_site_is_not_the_copys_url(page_url: str, canonical: str, url: str, outlet: str) -> None:
    article = page(f'<link rel="canonical" href="{canonical}"><meta property="og:url" content="{canonical}">',
                   url=page_url)
    assert (article.url, article.outlet) == (url, outlet)


# ---- credits ----------------------------------------------------------------------------------------------------
def test_graph_authors_by_reference_and_organisations_out_of_authors() -> None:
    graph = {"@graph": [
        {"@type": "NewsArticle", "headline": "A story here", "datePublished": "2025-03-21T09:15:00Z",
         "author": [{"@id": "#p1"}, {"@type": "Organization", "name": "Metro Desk"}],
         "publisher": {"@type": "Organization", "name": "Example News"}},
        {"@type": "Person", "@id": "#p1", "name": "Jane Doe"}]}
    article = page(ld(graph), body=BODY + "<p>Jane Doe covers city hall for Example News.</p>")  # a name shown
    assert article.authors == ["Jane Doe"]
    assert article.byline == "Jane Doe, Metro Desk"
    assert article.agencies == []


@pytest.mark.parametrize(("author", "authors", "agencies"), [
    ({"@type": "Organization", "name": "Reuters"}, [], ["Reuters"]),
    ({"@type": "Person", "name": "Press Trust of India"}, [], ["PTI"]),
    ("Jane Doe and John Roe, Associated Press", ["Jane Doe", "John Roe"], ["AP"]),
])
def test_agency_authors_go_to_agencies(author: object, authors: list[str], agencies: list[str]) -> None:
    article = page(ld({"@type": "NewsArticle", "headline": "A story here", "author": author,
                       "datePublished": "2025-03-21T09:15:00Z"}),
                   body=BODY + "<p>Jane Doe and John Roe report from the capital.</p>")  # the names are shown
    assert (article.authors, article.agencies) == (authors, agencies)


def test_visible_byline_with_agency() -> None:
    article = page('<meta property="og:type" content="article">',
                   body='<p class="byline">By Jane Doe and John Roe, Reuters</p>' + BODY)
    assert article.byline == "Jane Doe and John Roe, Reuters"
    assert (article.authors, article.agencies) == (["Jane Doe", "John Roe"], ["Reuters"])
    assert not article.body.startswith("By ")


def test_publisher_named_as_author_is_not_a_person() -> None:
    article = page(ld({"@type": "NewsArticle", "headline": "A story here", "author": {"name": "Example News"},
                       "publisher": {"@type": "Organization", "name": "Example News"}}))
    assert article.authors == [] and article.byline == "Example News"


# ---- article or not -----------------------------------------------------------------------------------------------
def test_untyped_page_with_text_and_an_article_url_is_an_article() -> None:
    html = f"<html><head><title>A story here</title></head><body><h1>A story here</h1>{BODY}</body></html>"
    assert GenericParser.from_html(html, "https://a.example/news/2025/a-story-here").parse() is not None


CARDS = "".join(f'<div class="card"><h3><a href="/politics/story-{n}">Headline number {n} of the section page</a>'
                f"</h3><p>A teaser line for story {n}.</p></div>" for n in range(12))


@pytest.mark.parametrize(("head", "url", "body"), [
    ("", "https://a.example/", BODY),  # a home page
    (ld({"@type": "CollectionPage", "name": "Politics"}), "https://a.example/politics/latest-news-today", CARDS),
    ("", "https://a.example/politics/", CARDS),  # a section page: story cards, little text of its own
    ("", "https://a.example/politics/", "<p>Nothing here.</p>"),  # too little text to be a story
])
def test_not_articles(head: str, url: str, body: str) -> None:
    html = f"<html><head>{head}<title>A story here</title></head><body><h1>A story here</h1>{body}</body></html>"
    assert GenericParser.from_html(html, url).parse() is None


def test_an_untyped_undated_page_with_a_story_of_text_is_kept_whatever_its_url() -> None:
    """Government and company pages carry no date and no article-shaped URL; their text is still the page's story.
    Links around it (a sidebar of other stories) do not make it a listing."""
    html = (f"<html><head><title>Heating costs explained</title></head><body><h1>Heating costs explained</h1>"
            f"<main>{BODY}</main><aside>{CARDS}</aside></body></html>")
    article = GenericParser.from_html(html, "https://ministry.example/topics/energy/").parse()
    assert article is not None and article.published_at is None and "Paragraph 5" in article.body


def test_paywall_flag_and_title_without_site_name() -> None:
    article = page(ld({"@type": "NewsArticle", "headline": "A story here", "isAccessibleForFree": False})
                   + "<title>A story here | Example News</title>")
    assert article.paywalled is True and article.title == "A story here"


def test_an_xhtml_page_with_an_xml_declaration_reads_as_html() -> None:
    """Pages written as XHTML 1.0 open with <?xml …?> and an xmlns; browsers read them (served as text/html) as
    HTML. Read as namespaced XML, no selector matched and the page lost its title and body."""
    html = ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
            '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml" '
            'xml:lang="de" lang="de"><head><title>Nach Unfall: Fahrer kämpft um Karriere</title></head><body>'
            f'<h1 class="title">Nach Unfall: Fahrer kämpft um Karriere</h1><div class="text">{BODY}</div></body></html>')
    article = GenericParser.from_html(html.encode(), "https://sport.example.de/news/nach-unfall-fahrer").parse()
    assert article is not None and article.title == "Nach Unfall: Fahrer kämpft um Karriere"
    assert "Paragraph 5" in article.body and article.language == "de"


def test_a_story_in_a_box_named_like_furniture_is_found_by_the_fallback_pass() -> None:
    """Page builders put the story in boxes named "widget" or "sidebar-content"; the precise pass prunes those by
    name and finds nothing, so a light pass (tags and hidden boxes only) runs and its longer result wins."""
    html = ('<html><head><meta property="og:type" content="article"><title>Ear candy</title></head><body>'
            '<nav><a href="/">Home</a><a href="/blog">Blog</a></nav><h1>Ear candy</h1>'
            f'<div class="elementor-widget elementor-widget-text-editor"><div class="widget-container">{BODY}'
            '</div></div><footer>© Example</footer></body></html>')
    article = GenericParser.from_html(html, "https://blog.example.com/ear-candy/").parse()
    assert article is not None and "Paragraph 0" in article.body and "Paragraph 5" in article.body
    assert "Home" not in article.body and "©" not in article.body


def test_the_last_resort_pass_keeps_hidden_wrappers_but_not_hidden_spans() -> None:
    """A short story that only the last-resort pass finds (here inside a landmark every other pass drops) keeps its
    text, but not a span hidden inside it: a copy of a link's address kept for scripts, which no reader sees."""
    story = ("<p>The harbour bridge reopens to lorries on Monday after nine months of repairs, the council said.</p>"
             "<p>Hauliers had warned that the detour added an hour to every trip to the port"
             '<span class="url-data" style="display:none">javascript:void(0)</span>.</p>')
    html = ('<html><head><meta property="og:type" content="article"><title>Bridge reopens</title></head><body>'
            f'<header role="banner"><h1>Bridge reopens</h1>{story}</header></body></html>')
    article = GenericParser.from_html(html, "https://courier.example/news/2024/05/bridge-reopens").parse()
    assert article is not None and article.body is not None
    assert "nine months of repairs" in article.body and "every trip to the port." in article.body
    assert "javascript" not in article.body
    wrapped = html.replace('<header role="banner">', '<div class="story" style="display:none">').replace("</header>",
                                                                                                     "</div>")
    article = GenericParser.from_html(wrapped, "https://courier.example/news/2024/05/bridge-reopens").parse()
    assert article is not None and article.body is not None and "nine months of repairs" in article.body
