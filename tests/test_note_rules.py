"""split_notes tests a paragraph against one joined pattern before trying its rules one by one (extract/notes.py):
that shortcut must never change what is kept and what moves, whatever the text and whatever the outlet's rules."""

from __future__ import annotations

import re
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawl.extract import notes
from newscrawl.extract.notes import GENERIC_RULES, NoteRule, rule, split_notes
from newscrawl.parsers.devdiscourse import DevdiscourseParser
from newscrawl.parsers.generic import GenericParser

OUTLET_RULES = DevdiscourseParser.boilerplate + GENERIC_RULES

FRAGMENTS = [
    "Kim met Shoigu in Pyongyang.", "The talks lasted two hours.", "(With inputs from agencies.)",
    "(With inputs from PTI)", "With inputs from PTI and Reuters.", "With inputs from farmers, it sets targets.",
    "(Reporting by Hyonhee Shin; Editing by Ed Davies)", "Reporting by A in Seoul; Editing by B",
    "— IANS", "(IANS)", "PTI", "Reuters", "Disclaimer: the views expressed are the author's own and do not reflect",
    "(This story has not been edited by Devdiscourse staff and is auto-generated from a syndicated feed.)",
    "Copyright 2025 The Associated Press. All rights reserved.", "© Reuters", "Inputs from agencies",
    "He said: \"It works.\"", "Why?", "", "  ", "With", "inputs", "from", "agencies.", "(", ")", ".", "\u201dQuoted.\u201d",
]


def reference_split_notes(paragraphs: list[str], rules: tuple[NoteRule, ...]) -> tuple[list[str], dict[str, list[str]]]:
    """split_notes without the joined pattern: every rule tried on every paragraph, as before the shortcut."""
    with mock.patch.object(notes, "_any_rule", lambda rules: None):
        return split_notes(paragraphs, rules)


paragraph = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=12), max_size=5).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(st.lists(paragraph, max_size=6), st.sampled_from([GENERIC_RULES, OUTLET_RULES, GenericParser.boilerplate
                                                          + GENERIC_RULES]))
def test_the_joined_pattern_never_changes_the_split(paragraphs: list[str], rules: tuple[NoteRule, ...]) -> None:
    assert notes._any_rule(rules) is not None, "these rule sets take the shortcut"
    assert split_notes(paragraphs, rules) == reference_split_notes(paragraphs, rules)


def test_rules_that_cannot_be_joined_are_tried_one_by_one() -> None:
    backreference = (NoteRule(re.compile(r"(\w+) \1", re.IGNORECASE), "drop"),)
    other_flags = (rule("with inputs from agencies", "editorial_note"),
                   NoteRule(re.compile("PTI"), "credit_line"))
    named = (rule(r"(?P<who>PTI)", "credit_line"), rule(r"(?P<who>IANS)", "credit_line"))
    for rules in (backreference, other_flags, named):
        assert notes._any_rule(rules) is None
    assert split_notes(["Body text.", "bye bye"], backreference) == (["Body text."], {"drop": ["bye bye"]})
    assert split_notes(["Body.", "pti"], other_flags) == (["Body.", "pti"], {})
