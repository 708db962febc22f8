"""The lines around the start of a story that belong to other fields: bylines, publication stamps, the headline
and standfirst repeated above the body. extract/content.py keeps them out of the lead it takes from the page header;
parsers trim them off the front of the body (`trim_lead`)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from newscrawl.extract.textdates import find_dates

_WORD = re.compile(r"\w+")
# Page furniture printed between headline and story: a reading time ("5 min read", "Lesezeit: 3 Min.", "Temps de
# lecture : 4 min", "6 min de lectura"), and a bare count (claps, comments, shares).
_READING_TIME = re.compile(r"^(?:\d+\s*(?:min(?:ute)?s?|Min)\.?\s*(?:read|Lesezeit|de lecture|de lectura|di lettura)|"
                           r"(?:Lesezeit|Lesedauer|Temps de lecture|Tiempo de lectura|Reading time)\s*:?\s*(?:ca\.\s*)?"
                           r"\d+\s*(?:min|Min))", re.IGNORECASE)
_COUNT = re.compile(r"^\d{1,6}$")
# Lines in front of a story that belong to other fields: bylines and publication stamps.
LEAD_LINE = re.compile(r"^(?:by|por|von|par|di|door|av|af)\s+\S|^(?:published|updated|posted|last updated|modified|"
                       r"publicado|atualizado|veröffentlicht|aktualisiert|publié|mis à jour)\b", re.IGNORECASE)
STAMP_WORD = re.compile(r"\b(?:published|updated|posted|veröffentlicht|aktualisiert|publié|mis à jour|publicado|"
                        r"atualizado)\b", re.IGNORECASE)
TIME = re.compile(r"\b\d{1,2}:\d{2}\b")
DATE_HINT = re.compile(r"\b(?:19|20)\d{2}\b|\b\d{1,2}:\d{2}\b")
LEAD_MAX_CHARS = 150  # lead lines are short; the first longer paragraph starts the story


def trim_lead(paragraphs: list[str], known: Sequence[str | None], names: Sequence[str] = (),
              excerpts: Sequence[str | None] = (), above: int | None = None) -> list[str]:
    """Drop what stands in front of the first real paragraph and belongs to other fields: the headline or
    standfirst (`known` texts, compared word for word), bylines (a "By" line, or a short line naming one of
    `names`) and date lines.

    `excerpts` (the page's descriptions) are dropped the same way, but only from the first `above` paragraphs (all
    when None): those that stand above the story's own box (content.extract_story). A description there is the
    standfirst, printed apart; inside the box it is the story's first paragraph, which CMSs copy into the
    description when no one writes one, and it stays.

    >>> trim_lead(["Alaska joins the alliance in March.", "The date is later than planned."], [],
    ...           excerpts=["Alaska joins the alliance in March."], above=0)
    ['Alaska joins the alliance in March.', 'The date is later than planned.']

    >>> trim_lead(["Kim meets Putin", "Jane Doe, Seoul correspondent", "November 19, 2019 6:21 AM EST",
    ...            "SEOUL - Kim met Putin."], ["Kim meets Putin"], ["Jane Doe"])
    ['SEOUL - Kim met Putin.']
    >>> trim_lead(["5 min readMar 5, 2025", "9", "Lesezeit: ca. 3 Min.", "Two years ago we began."], [])
    ['Two years ago we began.']
    """
    known_words = [_WORD.findall(text.lower()) for text in known if text]
    excerpt_words = [_WORD.findall(text.lower()) for text in excerpts if text]
    start = 0
    for text in paragraphs:
        if len(text) >= LEAD_MAX_CHARS:
            break
        words = _WORD.findall(text.lower())
        is_known = words in known_words or (above is None or start < above) and words in excerpt_words
        names_someone = len(words) <= 12 and any(name and name.lower() in text.lower() for name in names)
        furniture = _READING_TIME.match(text) or _COUNT.match(text)
        if not (is_known or names_someone or furniture or LEAD_LINE.match(text) or _is_date_line(text)):
            break
        start += 1
    return paragraphs[start:]


def _is_date_line(text: str) -> bool:
    """A short line that states a date or time and is no sentence ("September 10, 2018 |", "Nov 19 | 15:23")."""
    return (len(text) <= 80 and len(text.split()) <= 10 and bool(TIME.search(text) or find_dates(text))
            and not text.rstrip().endswith((".", "!", "?", "”", '"', "»")))


def is_stamp(text: str) -> bool:
    """A byline or publication stamp in the page header: a short line that starts like one, or that states a date
    or time and is no sentence ("Nov 18, 2019 at 9:24 pm ET • 2 min read", "Text: Jane Doe · 24 September 2018").

    >>> is_stamp("PUBLISHED: 10:48, Tue, Nov 19, 2019"), is_stamp("The plan was agreed in 2019 by all members.")
    (True, False)
    """
    if len(text) >= LEAD_MAX_CHARS:
        return False
    return bool(LEAD_LINE.match(text) or STAMP_WORD.search(text) and DATE_HINT.search(text)) or (
        bool(DATE_HINT.search(text)) and not text.rstrip().endswith((".", "!", "?", "”", '"', "»", ":")))
