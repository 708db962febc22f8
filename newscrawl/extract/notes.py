"""Attribution and disclaimer notes: lines that sit in an article body but are not article text.

A NoteRule names a pattern and the Article field the matched text moves to, so nothing is lost. Outlet modules add
their own rules (their BOILERPLATE tables) in front of the generic ones here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from newscrawl.extract.agencies import AGENCY_ALTERNATION


@dataclass(frozen=True)
class NoteRule:
    """A paragraph (or a trailing sentence of the last paragraphs) that is a note, and where it goes."""

    pattern: re.Pattern[str]
    """Matches the note text itself, without anchors."""
    field: str
    """Article field that receives it: "editorial_note", "credit_line" or "drop" (page furniture)."""


def rule(pattern: str, field: str) -> NoteRule:
    return NoteRule(re.compile(pattern, re.IGNORECASE), field)


_SOURCES = rf"(?:the )?(?:agencies|agency|wire services|news agencies|{AGENCY_ALTERNATION})"

GENERIC_RULES: tuple[NoteRule, ...] = (
    # "(With inputs from agencies.)", "(With inputs from PTI)": in parentheses, any source
    rule(r"\(\s*with (?:additional )?inputs? from [^()\n]{1,80}?\.?\s*\)\.?", "editorial_note"),
    # "With additional inputs from IANS", "With inputs from PTI and Reuters.": bare, only when agencies are named,
    # so a closing sentence such as "With inputs from farmers, it sets targets for 2030." stays in the body
    rule(rf"with (?:additional )?inputs? from {_SOURCES}(?:\s*(?:,|and|&)\s*{_SOURCES})*\.?", "editorial_note"),
    rule(r"\(?\s*this (?:is a )?(?:story|article) (?:is )?(?:has )?(?:been )?reproduced[^()\n]{0,80}\)?\.?", "editorial_note"),
    rule(r"\(?\s*this is a reproduced story from [^()\n]{1,40} as it is\.?\s*\)?\.?", "editorial_note"),
    rule(r"\(?\s*this story has not been edited by [^()\n]{1,60}? and is auto-generated from a syndicated feed\.?\s*\)?\.?",
         "editorial_note"),
    # Reuters closing credits: "(Reporting by Hyonhee Shin; Editing by Ed Davies)"
    rule(r"\(\s*(?:additional )?(?:reporting|writing|editing|compiled|edited|fact-checked) by [^()\n]{1,300}\)",
         "credit_line"),
    # Reuters credits printed without parentheses: "Reporting by A in Seoul; Editing by B". "Editing by" is required,
    # so a sentence such as "Reporting by the BBC showed …" stays in the body.
    rule(r"(?:(?:additional )?reporting|writing|compiled|research) by [^()\n]{1,300}?;\s*"
         r"(?:[^()\n;]{1,150};\s*)*?editing by [^()\n]{1,150}", "credit_line"),
    # "— IANS", "-- PTI" closing lines
    rule(rf"[-–—]{{1,2}}\s*(?:{AGENCY_ALTERNATION})\s*", "credit_line"),
    # A closing "(IANS)" or "PTI" on its own line
    rule(rf"\(?\s*(?:{AGENCY_ALTERNATION})\s*\)?\.?", "credit_line"),
    # AP contributor and copyright lines on member sites
    rule(r"(?:the )?associated press (?:writers?|reporters?|correspondents?|researchers?|videojournalists?) "
         r"[^\n]{1,200}? contributed(?: to this (?:report|story))?\.?", "credit_line"),
    rule(r"copyright (?:©\s*)?\d{4} (?:the )?associated press\. all rights reserved\.[^\n]{0,200}", "credit_line"),
    rule(rf"©\s*(?:\d{{4}}\s*)?(?:the )?(?:{AGENCY_ALTERNATION})\.?", "credit_line"),
    # Indian outlets: "(With agency inputs)", "Inputs from PTI", the wire-feed disclaimers of Mint/HT and BS
    rule(r"\(?\s*with (?:agency|agencies|wire) inputs?\.?\s*\)?\.?", "editorial_note"),
    rule(rf"\(?\s*inputs? (?:from|by|:)\s*(?:agencies|{AGENCY_ALTERNATION})(?:\s*(?:,|and|&)\s*"
         rf"(?:agencies|{AGENCY_ALTERNATION}))*\.?\s*\)?\.?", "editorial_note"),
    rule(r"\(?\s*this story has been published from a wire agency feed without modifications to the text\."
         r"[^()\n]{0,120}\)?", "editorial_note"),
    rule(r"\(?\s*only the headline of this report may have been reworked by [^()\n]{1,60}; the rest of the content "
         r"is auto-generated from a syndicated feed\.?\s*\)?\.?", "editorial_note"),
    # Blog disclaimers
    rule(r"\(?\s*disclaimer:\s*the (?:opinions|views) expressed [^\n]{10,400}", "editorial_note"),
)


def split_notes(
    paragraphs: list[str], rules: tuple[NoteRule, ...]
) -> tuple[list[str], dict[str, list[str]]]:
    """Separate note paragraphs from article text.

    A whole paragraph matching a rule moves to the rule's field. Because some CMSs glue a note to the end of the
    last paragraph without its own <p>, a note that ends one of the last two paragraphs is split off too.

    >>> split_notes(["Kim met Shoigu.", "(With inputs from agencies.)"], GENERIC_RULES)
    (['Kim met Shoigu.'], {'editorial_note': ['(With inputs from agencies.)']})
    """
    kept: list[str] = []
    moved: dict[str, list[str]] = {}
    tail_start = max(0, len(paragraphs) - 2)
    any_rule = _any_rule(rules)
    for index, paragraph in enumerate(paragraphs):
        text = paragraph.strip()
        if text and any_rule is not None and not _may_hold_note(any_rule, text, index >= tail_start):
            kept.append(text)  # what the loop below concludes after trying every rule, one test instead of ~20
            continue
        peeled: list[tuple[str, str]] = []  # notes cut from this paragraph's end, last first
        while text:
            for note_rule in rules:
                if note_rule.pattern.fullmatch(text):
                    peeled.append((note_rule.field, text))
                    text = ""
                    break
                start = _trailing(note_rule.pattern, text) if index >= tail_start else None
                if start is not None:
                    peeled.append((note_rule.field, text[start:].strip()))
                    text = text[:start].rstrip()
                    break
            else:
                kept.append(text)
                break
        for field_name, note in reversed(peeled):
            moved.setdefault(field_name, []).append(note)
    return kept, moved


_SENTENCE_START = re.compile(r"(?<=[.!?”\"')])\s+(?=\S)")


def _trailing(pattern: re.Pattern[str], text: str) -> int | None:
    """Start of a note that ends `text` and begins a new sentence or parenthesis, else None."""
    for match in _SENTENCE_START.finditer(text):
        candidate = text[match.end():]
        if pattern.fullmatch(candidate.strip()):
            return match.end()
    return None


def _may_hold_note(any_rule: re.Pattern[str], text: str, in_tail: bool) -> bool:
    """Whether some rule could match the whole paragraph or (in the last two) a sentence that ends it. False is
    exact: every rule was tried and none matched, so the paragraph is article text."""
    return bool(any_rule.fullmatch(text)) or (in_tail and _trailing(any_rule, text) is not None)


_GROUP_REFERENCE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")


@lru_cache(maxsize=32)
def _any_rule(rules: tuple[NoteRule, ...]) -> re.Pattern[str] | None:
    """One pattern that fully matches a text exactly when one of the rules' patterns does (their alternation: a
    full match of A|B is a full match of A or of B), so a paragraph that is no note costs one test, not one per
    rule. None when the patterns cannot be joined without changing one: different flags, or group references
    (numbers shift in an alternation), or a pattern that does not compile joined (an inline global flag)."""
    if not rules or len({note_rule.pattern.flags for note_rule in rules}) != 1:
        return None
    sources = [note_rule.pattern.pattern for note_rule in rules]
    if any(note_rule.pattern.groupindex for note_rule in rules) or any(_GROUP_REFERENCE.search(s) for s in sources):
        return None
    try:
        return re.compile("|".join(f"(?:{source})" for source in sources), rules[0].pattern.flags)
    except re.error:
        return None
