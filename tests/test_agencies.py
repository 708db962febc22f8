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
    ("With inputs from PTI and Reuters.", "editorial_note"),
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


@pytest.mark.parametrize("closing", [
    "With inputs from farmers and scientists, it sets targets for 2030.",
    "The plan was drawn up in 2024. With inputs from farmers and scientists, it sets targets for 2030.",
])
def test_a_closing_sentence_starting_with_inputs_from_non_agencies_stays(closing: str) -> None:
    kept, moved = split_notes(["Story text.", closing], GENERIC_RULES)
    assert kept == ["Story text.", closing] and moved == {}


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


# ---- patterns for any outlet (the `news` spider and GenericParser) ------------------------------------------------
from newscrawl.extract.agencies import byline_agencies, dateline_city  # noqa: E402
from newscrawl.extract.people import classify, split_names  # noqa: E402


@pytest.mark.parametrize(("text", "agency", "city"), [
    ("NEW DELHI (Reuters) - India said on Friday", "Reuters", "NEW DELHI"),
    ("LONDON, March 21 (Reuters) - British retail sales", "Reuters", "LONDON"),
    ("New Delhi [India], March 21 (ANI): Prime Minister", "ANI", "New Delhi"),
    ("Paris (AFP) - France's parliament", "AFP", "Paris"),
    ("Berlin (dpa) - Der Bundestag hat", "dpa", "Berlin"),
    ("(Bloomberg) -- Stocks fell in Asia", "Bloomberg", None),
    ("SAN FRANCISCO (AP) — California regulators", "AP", "SAN FRANCISCO"),
    ("Kolkata, Mar 21, 2025 (PTI) The state government", "PTI", "Kolkata"),
    ("Officials in Paris (Ap) - said", None, None),
    ("Police said (AFP) - the suspect", None, None),
    ("The Hague (AFP) - Judges at", "AFP", "The Hague"),
])
def test_dateline_on_any_outlet(text: str, agency: str | None, city: str | None) -> None:
    assert (dateline_agency(text), dateline_city(text)) == (agency, city)


@pytest.mark.parametrize(("byline", "agencies"), [
    ("By Jane Doe, Reuters", ["Reuters"]),
    ("Jane Doe | AFP", ["AFP"]),
    ("By JANIE HAR Associated Press", ["AP"]),
    ("Jane Doe (PTI)", ["PTI"]),
    ("Written by Jane Doe for the Press Association", ["PA Media"]),
    ("IANS", ["IANS"]),
    ("By Ap Dhillon", []),
    ("By Jane Doe, Staff Writer", []),
])
def test_byline_agencies(byline: str, agencies: list[str]) -> None:
    assert byline_agencies(byline) == agencies


@pytest.mark.parametrize(("name", "kind", "canonical"), [
    ("Reuters", "agency", "Reuters"),
    ("Agence France-Presse", "agency", "AFP"),
    ("Asian News International", "agency", "ANI"),
    ("Jane Doe", "person", "Jane Doe"),
    ("City Desk", "organisation", "City Desk"),
])
def test_structured_author_names_are_classified(name: str, kind: str, canonical: str) -> None:
    credit = classify(name, publisher="Example News", schema_type="Organization" if kind != "person" else "Person")
    assert (credit.kind, credit.name) == (kind, canonical)


def test_split_byline_into_people_and_agency() -> None:
    assert split_names("By Jane Doe and John Roe, Reuters") == ["Jane Doe", "John Roe", "Reuters"]


@pytest.mark.parametrize(("paragraph", "field"), [
    ("Reporting by Hyonhee Shin in Seoul; Additional reporting by Kantaro Komiya; Editing by Michael Perry",
     "credit_line"),
    ("(IANS)", "credit_line"),
    ("PTI", "credit_line"),
    ("Associated Press writer Olga R. Rodríguez contributed to this report.", "credit_line"),
    ("Copyright 2025 The Associated Press. All rights reserved. This material may not be published, broadcast, "
     "rewritten or redistributed without permission.", "credit_line"),
    ("© AFP", "credit_line"),
    ("(With agency inputs)", "editorial_note"),
    ("Inputs from PTI and ANI.", "editorial_note"),
    ("(This story has been published from a wire agency feed without modifications to the text. Only the headline "
     "has been changed.)", "editorial_note"),
    ("(Only the headline of this report may have been reworked by Business Standard staff; the rest of the content is "
     "auto-generated from a syndicated feed.)", "editorial_note"),
])
def test_closing_lines_on_any_outlet(paragraph: str, field: str) -> None:
    kept, moved = split_notes(["Story text.", paragraph], GENERIC_RULES)
    assert kept == ["Story text."]
    assert moved == {field: [paragraph]}


def test_reporting_by_in_a_sentence_stays_in_the_body() -> None:
    paragraph = "Reporting by the BBC showed that the ministry had known about the problem since 2019."
    kept, moved = split_notes(["First.", paragraph], GENERIC_RULES)
    assert kept == ["First.", paragraph] and moved == {}


def test_wire_copy_on_another_outlet_end_to_end() -> None:
    article = attribute(clean_article(_article(
        byline="Jane Doe", agencies=byline_agencies("By Jane Doe, Reuters"),
        body="NEW DELHI (Reuters) - Text.\n\nMore text.\n\nReporting by Jane Doe; Editing by John Roe")))
    assert article.agencies == ["Reuters"]
    assert article.credit_line == "Reporting by Jane Doe; Editing by John Roe"
    assert article.body == "NEW DELHI (Reuters) - Text.\n\nMore text."


def test_with_agency_inputs_sets_the_flag() -> None:
    article = attribute(clean_article(_article(body="Text.\n\n(With agency inputs)")))
    assert article.with_inputs_from_agencies is True and article.body == "Text."
