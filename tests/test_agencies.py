"""One case per agency pattern: normalisation, datelines, notes, credit lines."""

from __future__ import annotations

import pytest

from newscrawl.extract.agencies import AGENCY_ALIASES, agencies_in, dateline_agency, normalise_agency
from newscrawl.extract.notes import GENERIC_RULES, split_notes
from newscrawl.items import Article
from newscrawl.pipelines.attribution import attribute
from newscrawl.pipelines.boilerplate import clean_article


@pytest.mark.parametrize(("spelling", "canonical"), [
    (spelling, canonical) for canonical, spellings in AGENCY_ALIASES.items() for spelling in spellings
])
def test_every_alias_normalises(spelling: str, canonical: str) -> None:
    assert normalise_agency(spelling) == canonical
    assert normalise_agency(spelling.upper()) == canonical


@pytest.mark.parametrize(("text", "expected"), [
    ("SEOUL (Reuters) - North Korea fired", "Reuters"),
    ("WASHINGTON, March 3 (AP) — The Senate", "AP"),
    ("NEW DELHI (ANI): The minister", "ANI"),
    ("Mumbai, Mar 21 (PTI) The Sensex rose", "PTI"),
    ("New Delhi, March 21 (IANS) India and", "IANS"),
    ("PARIS (AFP) - France", "AFP"),
    ("The minister told (PTI) reporters", None),
    ("Seoul is cold (Reuters) -", None),
])
def test_dateline(text: str, expected: str | None) -> None:
    assert dateline_agency(text) == expected


@pytest.mark.parametrize(("note", "agencies"), [
    ("(With inputs from agencies.)", []),
    ("(With inputs from PTI)", ["PTI"]),
    ("(With additional inputs from Reuters and IANS.)", ["Reuters", "IANS"]),
    ("(This is a reproduced story from PTI as it is)", ["PTI"]),
    ("Ap Dhillon sang with Ani", []),
])
def test_agencies_named_in_notes(note: str, agencies: list[str]) -> None:
    assert agencies_in(note) == agencies


@pytest.mark.parametrize(("paragraph", "field"), [
    ("(With inputs from agencies.)", "editorial_note"),
    ("(With inputs from Reuters)", "editorial_note"),
    ("With additional inputs from IANS", "editorial_note"),
    ("(This story has not been edited by Devdiscourse staff and is auto-generated from a syndicated feed.)",
     "editorial_note"),
    ("(This is a reproduced story from PTI as it is)", "editorial_note"),
    ("(Reporting by Hyonhee Shin; Editing by Ed Davies)", "credit_line"),
    ("(Writing by Jane Doe; Editing by John Roe)", "credit_line"),
    ("— IANS", "credit_line"),
    ("-- PTI", "credit_line"),
    ("Disclaimer: The opinions expressed are the personal views of the author. The facts and opinions appearing "
     "in the article do not reflect the views of Devdiscourse and Devdiscourse does not claim any responsibility "
     "for the same.", "editorial_note"),
])
def test_note_rules_move_whole_paragraphs(paragraph: str, field: str) -> None:
    kept, moved = split_notes(["Story text.", paragraph], GENERIC_RULES)
    assert kept == ["Story text."]
    assert moved == {field: [paragraph]}


def test_note_glued_to_last_paragraph_is_split_off() -> None:
    text = "Shares fell 3%. (This story has not been edited by Devdiscourse staff and is auto-generated from a " \
           "syndicated feed.)"
    kept, moved = split_notes(["First.", text], GENERIC_RULES)
    assert kept == ["First.", "Shares fell 3%."]
    assert moved["editorial_note"] == [text[len("Shares fell 3%. "):]]


def test_article_text_mentioning_inputs_stays() -> None:
    paragraph = "The ministry said it would act with inputs from states, officials said on Monday in Delhi."
    kept, moved = split_notes([paragraph, "Second paragraph."], GENERIC_RULES)
    assert kept == [paragraph, "Second paragraph."] and moved == {}


def _article(**fields: object) -> Article:
    base: dict[str, object] = {"url": "https://example.com/a", "outlet": "example", "title": "T",
                               "body": "Para one.\n\nPara two."}
    base.update(fields)
    return Article(**base)  # type: ignore[arg-type]


def test_attribution_from_byline_dateline_and_notes() -> None:
    article = _article(byline="Reuters", body="SEOUL (Reuters) - Text.\n\n(With inputs from PTI)\n\n"
                                             "(Reporting by A; Editing by B)")
    attribute(clean_article(article))
    assert article.agencies == ["Reuters", "PTI"]
    assert article.with_inputs_from_agencies is True
    assert article.body == "SEOUL (Reuters) - Text."
    assert article.editorial_note == "(With inputs from PTI)"
    assert article.credit_line == "(Reporting by A; Editing by B)"


def test_desk_byline_is_not_an_author() -> None:
    article = attribute(_article(byline="Devdiscourse News Desk", authors=["Devdiscourse News Desk"]))
    assert article.authors == [] and article.agencies == []


def test_syndicated_from_note() -> None:
    article = attribute(clean_article(_article(
        body="Text.\n\n(This story has not been edited by Devdiscourse staff and is auto-generated from a "
             "syndicated feed.)")))
    assert article.syndicated is True and article.with_inputs_from_agencies is False


def test_ai_image_caption_becomes_disclaimer() -> None:
    caption = ("This image is AI-generated and does not depict any real-life event or location. It is a fictional "
               "representation created for illustrative purposes only.")
    article = clean_article(_article(image_caption=caption))
    assert (article.image_caption, article.image_disclaimer, article.ai_generated_image) == (None, caption, True)
