"""A `</body>` or `</html>` in the middle of a page ends nothing (newscrawl/extract/documentend.py): browsers show
what follows as the body's, and so must every parser's tree."""

from __future__ import annotations

import pytest

from newscrawl.parsers.base import Page
from tests.test_generic_body import html_page, parse

PARAGRAPHS = ["The council voted on Tuesday to reopen the harbour bridge to lorries after nine months of repairs.",
              "Engineers found the new bearings sound in a load test that ran through the weekend, the council said.",
              "Hauliers had warned that the detour through the hills added an hour to every trip to the port.",
              "The bridge will open to lorries of up to 40 tonnes from Monday morning, with a speed limit of 30 mph.",
              "A second phase of the works, to resurface the approach roads, is planned for the spring next year.",
              "Local businesses on the quay said the reopening came just in time for the busy winter shipping season."]


@pytest.mark.parametrize("stray", ["</html>", "</body></html>", "</BODY>", "</body>", "</Body>", "</Html >"])
def test_a_stray_end_of_the_document_inside_the_story_keeps_the_rest_of_it(stray: str) -> None:
    """A fragment that closes a document it did not open (a footer template included twice, an embed's end written
    without its start): libxml2 dropped everything after such a `</html>`, and put what follows a `</body>` beside
    the body, so the story lost its second half."""
    first, *rest = (f"<p>{paragraph}</p>" for paragraph in PARAGRAPHS)
    story = (f'<article><h1>Harbour bridge reopens to lorries</h1>{first}'
             f'<div class="promo"><p>Sign up</p>{stray}</div>{"".join(rest)}</article>')
    given = html_page("Harbour bridge reopens to lorries", story)
    article = parse(given, "https://courier.example/news/harbour-bridge")
    assert article is not None and article.body is not None
    assert all(paragraph in article.body for paragraph in PARAGRAPHS), article.body
    page = Page(given.encode("cp1252"), "https://courier.example/news/harbour-bridge", "text/html; charset=cp1252")
    assert set(PARAGRAPHS) <= {text.strip() for text in page.strings("body p::text")}  # decoded text: the same


def test_the_end_of_a_page_followed_by_scripts_and_comments_is_left_as_it_is() -> None:
    page = "<html><body><p>One</p></body>\n<script>track('</body>')</script><!-- cached --></html>\n"
    assert Page(page.encode(), "https://courier.example/").selector.root.find("body") is not None
