"""Wire-agency names and the patterns that reveal them, as one table that is easy to extend.

To teach newscrawl a new agency, add a line to AGENCY_ALIASES; to teach it a new way outlets credit agencies, add
a pattern to DATELINE_PATTERNS or _BYLINE_AGENCY, or a rule to extract/notes.py. tests/test_agencies.py has one case
per pattern. Structured data (JSON-LD author/publisher/sourceOrganization) is read by parsers/generic.py, which
hands the names to normalise_agency.
"""

from __future__ import annotations

import re

# canonical name → spellings seen in bylines, datelines and notes (matched case-insensitively, whole words)
AGENCY_ALIASES: dict[str, tuple[str, ...]] = {
    "Reuters": ("Reuters", "Thomson Reuters"),
    "PTI": ("PTI", "Press Trust of India"),
    "IANS": ("IANS", "Indo-Asian News Service", "Indo Asian News Service"),
    "ANI": ("ANI", "Asian News International"),
    "AFP": ("AFP", "Agence France-Presse", "Agence France Presse"),
    "AP": ("AP", "Associated Press", "The Associated Press"),
    "UNI": ("UNI", "United News of India"),
    "Bloomberg": ("Bloomberg",),
    "Xinhua": ("Xinhua",),
    "Kyodo": ("Kyodo", "Kyodo News"),
    "Yonhap": ("Yonhap",),
    "dpa": ("dpa", "Deutsche Presse-Agentur"),
    "EFE": ("EFE",),
    "ANSA": ("ANSA",),
    "AAP": ("AAP", "Australian Associated Press"),
    "PA Media": ("PA Media", "Press Association"),  # not bare "PA": the US state in many credit lines
    "Canadian Press": ("The Canadian Press", "Canadian Press"),
    "TASS": ("TASS", "ITAR-TASS"),
    "RIA Novosti": ("RIA Novosti",),
    "Interfax": ("Interfax",),
    "Anadolu": ("Anadolu Agency",),
    "Jiji": ("Jiji Press", "Jiji"),
    "Bernama": ("Bernama",),
    "Antara": ("Antara",),
    "Dow Jones Newswires": ("Dow Jones Newswires",),
}

# Abbreviations that are also ordinary words in some case ("ap", "ani") only count when written in capitals.
_CASE_SENSITIVE = {"AP", "ANI", "UNI", "EFE", "ANSA", "PTI", "IANS", "AFP", "AAP", "TASS"}

_LOOKUP: dict[str, str] = {}
for _canonical, _spellings in AGENCY_ALIASES.items():
    for _spelling in _spellings:
        _LOOKUP[_spelling.lower()] = _canonical


def _alternation() -> str:
    spellings = sorted((s for names in AGENCY_ALIASES.values() for s in names), key=len, reverse=True)
    return "|".join(re.escape(s) for s in spellings)


AGENCY_ALTERNATION = _alternation()
"""Regex alternation of every agency spelling, longest first."""
_MENTION = re.compile(rf"(?<![\w-])(?:{AGENCY_ALTERNATION})(?![\w-])", re.IGNORECASE)

# "SEOUL (Reuters) -", "Mumbai, Mar 21 (PTI)", "New Delhi, March 21 (IANS):", "WASHINGTON (AP) —"
_AGENCY_IN_PARENS = rf"\((?P<agency>{AGENCY_ALTERNATION})\)"
_MONTH_DAY = r"[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s*\d{4})?"
DATELINE_PATTERNS: tuple[re.Pattern[str], ...] = (
    # Reuters/AP style: city in capitals, then a dash: "SEOUL (Reuters) -", "WASHINGTON, March 3 (AP) —"
    re.compile(rf"^\s*(?P<city>[A-Z][A-Z .'’-]{{1,40}}?)(?:,\s*{_MONTH_DAY})?\s*{_AGENCY_IN_PARENS}\s*(?:[-–—:]|$)"),
    # Indian wire style: city and date, no dash: "Mumbai, Mar 21 (PTI)", "New Delhi, March 21 (IANS):"
    re.compile(rf"^\s*(?P<city>[A-Z][\w .'’-]{{1,40}}?),\s*{_MONTH_DAY}\s*{_AGENCY_IN_PARENS}"),
    # ANI style, country in brackets: "New Delhi [India], March 21 (ANI):"
    re.compile(rf"^\s*(?P<city>[A-Z][\w .'’-]{{1,40}}?)\s*\[[^\]]{{2,40}}\],?\s*(?:{_MONTH_DAY})?\s*"
               rf"{_AGENCY_IN_PARENS}"),
    # AFP/Reuters on mixed-case sites: one to three capitalised words, then the agency and a dash: "Paris (AFP) -"
    re.compile(rf"^\s*(?P<city>[A-Z][\w'’.-]+(?:\s[A-Z][\w'’.-]+){{0,2}})\s*{_AGENCY_IN_PARENS}\s*[-–—:]"),
    # Bloomberg style, no city: "(Bloomberg) -- Stocks fell"
    re.compile(rf"^\s*(?P<city>){_AGENCY_IN_PARENS}\s*(?:--|[-–—:])"),
)
# "By Jane Doe, Reuters", "By Jane Doe | AFP", "Jane Doe (PTI)": an agency named after the person in a byline.
# Member sites also print the agency straight after the name: "By JANIE HAR Associated Press".
_BYLINE_AGENCY = re.compile(rf"(?:,|\||\bfor\b|\bof\b|\(|[-–—]|\s)\s*(?:the\s+)?(?P<agency>{AGENCY_ALTERNATION})\s*\)?\s*$",
                            re.IGNORECASE)


def normalise_agency(name: str | None) -> str | None:
    """Canonical agency name for a spelling, or None when it is not a wire agency.

    >>> normalise_agency("Press Trust of India"), normalise_agency("reuters"), normalise_agency("Devdiscourse")
    ('PTI', 'Reuters', None)
    """
    if not name:
        return None
    return _LOOKUP.get(name.strip().strip(".").lower())


def agencies_in(text: str | None) -> list[str]:
    """Agencies named anywhere in a short text (a note, a byline, a credit line), in order, without repeats.

    >>> agencies_in("(With inputs from PTI and Reuters.)")
    ['PTI', 'Reuters']
    >>> agencies_in("(With inputs from agencies.)")
    []
    >>> agencies_in("Dani Ap said")
    []
    """
    found: dict[str, None] = {}
    for match in _MENTION.finditer(text or ""):
        spelled = match.group(0)
        canonical = _LOOKUP[spelled.lower()]
        if not _agency_spelled_right(spelled):
            continue  # "Ap", "Ani": a name, not an agency
        found.setdefault(canonical, None)
    return list(found)


def dateline_agency(first_paragraph: str | None) -> str | None:
    """The agency in a wire dateline at the start of a story.

    >>> dateline_agency("SEOUL (Reuters) - North Korea said ...")
    'Reuters'
    >>> dateline_agency("Mumbai, Mar 21 (PTI) The Sensex rose ...")
    'PTI'
    >>> dateline_agency("The minister (PTI) said") is None
    True
    """
    match = _dateline_match(first_paragraph)
    return normalise_agency(match.group("agency")) if match else None


def dateline_city(first_paragraph: str | None) -> str | None:
    """The place of a wire dateline, as written (None when the story has no such dateline or names no place).

    >>> dateline_city("NEW DELHI (Reuters) - India said"), dateline_city("New Delhi [India], Nov 19 (ANI): The")
    ('NEW DELHI', 'New Delhi')
    >>> dateline_city("(Bloomberg) -- Stocks fell") is None
    True
    """
    match = _dateline_match(first_paragraph)
    city = match.group("city").strip(" ,") if match else ""
    return city or None


def _dateline_match(paragraph: str | None) -> re.Match[str] | None:
    for pattern in DATELINE_PATTERNS:
        match = pattern.match(paragraph or "")
        if match and normalise_agency(match.group("agency")) and _agency_spelled_right(match.group("agency")):
            return match
    return None


def agency_spelling(spelled: str) -> str | None:
    """The canonical agency for a spelling, with abbreviations counted only in capitals ("AP", not "Ap")."""
    canonical = normalise_agency(spelled)
    return canonical if canonical and _agency_spelled_right(spelled.strip().strip(".")) else None


def _agency_spelled_right(spelled: str) -> bool:
    """Abbreviations count only in capitals ("(AP)", not "(Ap)"), as in agencies_in."""
    canonical = _LOOKUP[spelled.lower()]
    return not (canonical in _CASE_SENSITIVE and len(spelled) <= 4 and spelled != spelled.upper())


def byline_agencies(byline: str | None) -> list[str]:
    """Agencies a byline credits: the whole byline, or one named after the writer.

    >>> byline_agencies("By Jane Doe, Reuters"), byline_agencies("Jane Doe | AFP"), byline_agencies("PTI")
    (['Reuters'], ['AFP'], ['PTI'])
    >>> byline_agencies("By Jane Doe and John Roe, Associated Press"), byline_agencies("Ap Dhillon")
    (['AP'], [])
    >>> byline_agencies("By JANIE HAR Associated Press")
    ['AP']
    """
    whole = normalise_agency(byline)
    if whole is not None:
        return [whole]
    match = _BYLINE_AGENCY.search(byline or "")
    if match and _agency_spelled_right(match.group("agency")):
        return [_LOOKUP[match.group("agency").lower()]]
    return []
