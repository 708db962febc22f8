"""Wire-agency names and the patterns that reveal them, as one table that is easy to extend.

To teach newscrawl a new agency, add a line to AGENCY_ALIASES; to teach it a new way outlets credit agencies, add
a pattern to DATELINE_PATTERNS or a rule to extract/notes.py. tests/test_agencies.py has one case per pattern.
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
}

# Abbreviations that are also ordinary words in some case ("ap", "ani") only count when written in capitals.
_CASE_SENSITIVE = {"AP", "ANI", "UNI", "EFE", "ANSA", "PTI", "IANS", "AFP"}

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
DATELINE_PATTERNS: tuple[re.Pattern[str], ...] = (
    # Reuters/AP style: city in capitals, then a dash: "SEOUL (Reuters) -", "WASHINGTON, March 3 (AP) —"
    re.compile(rf"^\s*[A-Z][A-Z .'’-]{{1,40}}(?:,\s*[A-Z][a-z]{{2,8}}\.?\s+\d{{1,2}})?\s*{_AGENCY_IN_PARENS}\s*(?:[-–—:]|$)"),
    # Indian wire style: city and date, no dash: "Mumbai, Mar 21 (PTI)", "New Delhi, March 21 (IANS):"
    re.compile(rf"^\s*[A-Z][\w .'’-]{{1,40}}?,\s*[A-Z][a-z]{{2,8}}\.?\s+\d{{1,2}}\s*{_AGENCY_IN_PARENS}"),
)


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
        if canonical in _CASE_SENSITIVE and len(spelled) <= 4 and spelled != spelled.upper():
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
    for pattern in DATELINE_PATTERNS:
        match = pattern.match(first_paragraph or "")
        if match:
            return normalise_agency(match.group("agency"))
    return None
