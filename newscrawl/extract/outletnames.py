"""An outlet's name inside a credit: the publisher's own name or a desk of it ("CNN Business"), or a logo in
capitals, printed after a person's name ("Elliot Brownstein Florida Today", "Kevin McCoy, USA TODAY").

people.py classifies credits with these; parsers/generic.py splits a glued outlet off a person with outlet_tail.
"""

from __future__ import annotations

import re


def outlet_tail(name: str, publisher: str | None) -> tuple[str, str] | None:
    """(person, outlet) for a credit that prints an outlet's name right after the person's, with no separator, as
    _TRAILING_AGENCY splits a glued agency: the publisher's name ("Elliot Brownstein Florida Today"), or any name in
    capitals after a name written in mixed case ("Kevin McCoy USA TODAY": a logo's spelling, not a surname's).
    At least two words must be left, and a publisher's name must be several words or an acronym: "Anna Spiegel"
    stays one person.

    >>> outlet_tail("Elliot Brownstein Florida Today", "Florida Today"), outlet_tail("Jake Tapper CNN", "CNN")
    (('Elliot Brownstein', 'Florida Today'), ('Jake Tapper', 'CNN'))
    >>> outlet_tail("Kevin McCoy USA TODAY", None), outlet_tail("Kevin McCoy USA TODAY", "Florida Today")
    (('Kevin McCoy', 'USA TODAY'), ('Kevin McCoy', 'USA TODAY'))
    >>> outlet_tail("Anna Spiegel", "Spiegel"), outlet_tail("Jane Roe", "The Hindu"), outlet_tail("Jane Roe", None)
    (None, None, None)
    """
    words = name.split()
    return _publisher_tail(words, publisher) or _capitals_tail(words)


def _publisher_tail(words: list[str], publisher: str | None) -> tuple[str, str] | None:
    if not publisher:
        return None
    outlet = _outlet_name(publisher).split()
    if not outlet or not (len(outlet) >= 2 or outlet[0].isupper()):
        return None
    head = words[:-len(outlet)]
    if head and head[-1].lower() == "the":
        head = head[:-1]
    if len(head) < 2 or [w.lower() for w in words[-len(outlet):]] != [w.lower() for w in outlet]:
        return None
    return " ".join(head), " ".join(words[-len(outlet):])


# Particles that begin a surname written in capitals ("Jean Paul DE LA TOUR"): such a tail is the person's.
_SURNAME_PARTICLES = frozenset({"de", "da", "di", "du", "des", "del", "della", "dos", "das", "la", "le", "van", "von",
                                "der", "den", "ten", "ter", "bin", "ibn", "al", "el", "mac", "st", "san", "y"})


def _capitals_tail(words: list[str]) -> tuple[str, str] | None:
    """The words in capitals at the end of a name written in mixed case, when there are two or more of them."""
    count = 0
    while count < len(words) and in_capitals(words[-1 - count]):
        count += 1
    head = words[:len(words) - count]
    if count < 2 or len(head) < 2 or not any(ch.islower() for ch in head[-1]) or (
            words[-count].lower() in _SURNAME_PARTICLES):
        return None
    return " ".join(head), " ".join(words[-count:])


def in_capitals(text: str) -> bool:
    """Written in capitals, with at least two letters ("USA TODAY", not "J.").

    >>> in_capitals("USA TODAY"), in_capitals("J."), in_capitals("McCoy")
    (True, False, False)
    """
    return text.isupper() and sum(ch.isalpha() for ch in text) >= 2


def names_outlet(name: str, publisher: str) -> bool:
    """A desk of the publisher: its name with one word before or after ("CNN Business", "Spiegel Online").

    >>> names_outlet("CNN Business", "CNN"), names_outlet("Anna Spiegel", "Spiegel")
    (True, False)
    """
    outlet = _outlet_name(publisher).lower()
    words = name.split()
    for part in (" ".join(words[1:]), " ".join(words[:-1])):
        # one-word outlets only when written as an acronym: "Anna Spiegel" is a person, "CNN Business" a desk
        if len(words) >= 2 and len(outlet) >= 3 and part.lower() == outlet and (" " in outlet or part.isupper()):
            return True
    return False


def _outlet_name(publisher: str) -> str:
    """The publisher's name as bylines print it after a name: without a leading "The" ("The Hindu" → "Hindu")."""
    return re.sub(r"^the\s+", "", publisher.strip(), flags=re.IGNORECASE)


def same_name(a: str, b: str) -> bool:
    """Equal after dropping case, "The" and a domain suffix ("The Hindu" ~ "thehindu.com")."""
    def norm(value: str) -> str:
        value = re.sub(r"^the\s+|\.(?:com|net|org|co\.uk|in)$", "", value.strip().lower())
        return re.sub(r"[^\w]", "", value)
    return bool(norm(a)) and norm(a) == norm(b)
