"""Headlines: strip the site name that <title> and og:title append, and pick the headline a page shows."""

from __future__ import annotations

import re

from newscrawl.extract.text import clean_text

_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " » ", " : ")
_WORD = re.compile(r"\w+")


def strip_site_name(title: str | None, site_name: str | None = None) -> str | None:
    """A title without a trailing (or leading) " | Site Name".

    With a known site name only that is removed; without one, a last segment of at most four words is taken to be
    the site's name when the rest is clearly longer.

    >>> strip_site_name("Kim meets Putin | The Hindu", "The Hindu")
    'Kim meets Putin'
    >>> strip_site_name("Reuters - Kim meets Putin in Vladivostok", "Reuters")
    'Kim meets Putin in Vladivostok'
    >>> strip_site_name("Stocks fall as trade doubts creep in - Example News")
    'Stocks fall as trade doubts creep in'
    >>> strip_site_name("Q&A - what next")
    'Q&A - what next'
    """
    value = clean_text(title)
    if not value:
        return None
    if site_name:
        site = clean_text(site_name)
        for sep in _SEPARATORS:
            if value.lower().endswith((sep + site).lower()):
                return value[: -len(sep + site)].strip() or value
            if value.lower().startswith((site + sep).lower()):
                return value[len(site + sep):].strip() or value
    for sep in _SEPARATORS[:4]:
        head, found, tail = value.rpartition(sep)
        if found and len(tail.split()) <= 4 and len(head.split()) >= 2 * len(tail.split()) + 2:
            return head.strip()
    return value


def same_headline(a: str | None, b: str | None) -> bool:
    """True when two headline texts agree word for word, or one is a cut-off start of the other (JSON-LD limits).

    >>> same_headline("Kim meets Putin in Vladivostok", "Kim meets Putin in Vladivostok | Site")
    True
    >>> same_headline("Kim meets Putin", "Putin meets Kim")
    False
    """
    words_a, words_b = _WORD.findall((a or "").lower()), _WORD.findall((b or "").lower())
    if not words_a or not words_b:
        return False
    shorter, longer = sorted((words_a, words_b), key=len)
    return len(shorter) >= min(3, len(longer)) and longer[: len(shorter)] == shorter


def repeats(summary: str | None, text: str) -> bool:
    """True when most of a summary's word triples occur in `text` (a meta description cut from the lead).

    >>> repeats("Kim met Putin on Friday, officials said.", "SEOUL (Reuters) - Kim met Putin on Friday, officials said.")
    True
    >>> repeats("The summit ends a decade of estrangement.", "SEOUL (Reuters) - Kim met Putin on Friday.")
    False
    """
    words, body = _WORD.findall((summary or "").lower()), _WORD.findall(text.lower())
    triples = {tuple(words[i:i + 3]) for i in range(max(1, len(words) - 2))}
    found = {tuple(body[i:i + 3]) for i in range(max(1, len(body) - 2))}
    return bool(words) and len(triples & found) >= 0.6 * len(triples)
