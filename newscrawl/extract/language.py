"""Which language an article's text is written in (py3langid), and whether two language tags mean the same.

py3langid (a maintained, NumPy-based port of langid.py, Lui & Baldwin 2012) ships its model inside the wheel: no
download at run time, 97 languages as ISO 639-1 codes. Its classification is computed by langid_fast.py (same
numbers, vectorised) from the model's tables (langid_tables.py). The caller passes the identifier it loaded (the
language pipeline memory-maps tables cached once per machine: pipelines/langid_cache.py); without one, tables are
built in memory from py3langid's model once per process (~1 s) and nothing is written. docs/output.md ("Language")
has the measured accuracy and speed and why it was chosen over lingua and fastText.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

from newscrawl.extract.langid_fast import FastIdentifier
from newscrawl.extract.langid_tables import Tables

MIN_LETTERS = 40
"""Fewer letters than this (a caption, a one-line stub) is too little text to tell a language by."""
MIN_CONFIDENCE = 0.9
"""Normalised probability below which the detector is not trusted: mixed-language or very short text."""
MAX_CHARS = 1500
"""Only the start of the text is read: the language is settled long before, and time stays flat per article. On the
649 article texts of trafilatura-eval and AEB (369 of them longer than 3,000 characters) the first 1,500 give the
same language as the first 3,000 for every text (1,000 already differ on one), in two thirds of the time."""
# Deprecated or macrolanguage tags that name the same language as the detector's code.
SAME_LANGUAGE = {"iw": "he", "in": "id", "ji": "yi", "nb": "no", "nn": "no", "jw": "jv", "mo": "ro"}


@dataclass(frozen=True)
class Detection:
    language: str
    """ISO 639-1 code, e.g. "en"."""
    confidence: float
    """Normalised probability in [0, 1]."""


@cache
def _in_memory_identifier() -> FastIdentifier:
    """For callers that bring no identifier: built on the first such detection, once per process; a process that
    never detects a language never pays for it."""
    return FastIdentifier(Tables.from_model())


def detect(text: str, identifier: FastIdentifier | None = None) -> Detection | None:
    """The language of `text`, or None when there is too little text or the detector is unsure. `identifier`:
    the caller's loaded detector (results are the same with any; see the module docstring for the default).

    >>> detect("Die Regierung hat am Montag neue Regeln für den Datenschutz angekündigt, sagte er.").language
    'de'
    >>> detect("Kim") is None
    True
    """
    return _detect_sample(text[:MAX_CHARS], identifier)


@lru_cache(maxsize=128)
def _detect_sample(sample: str, identifier: FastIdentifier | None) -> Detection | None:
    """Memoised: the same text comes back (an item run through the pipeline again, a revision or mirror fetched in
    the same crawl) and is then not classified twice. At most 128 × MAX_CHARS characters are kept."""
    if not _has_letters(sample, MIN_LETTERS):
        return None
    language, confidence = (identifier or _in_memory_identifier()).classify(sample)
    confidence = round(float(confidence), 3)
    return Detection(str(language), confidence) if confidence >= MIN_CONFIDENCE else None


def _has_letters(text: str, count: int) -> bool:
    """Whether `text` holds at least `count` letters; stops at the count (a whole-text sum took a live crawl ~1 %
    of its CPU, and any article has its 40 letters in its first line)."""
    for char in text:
        if char.isalpha():
            count -= 1
            if count <= 0:
                return True
    return count <= 0


def primary_language(tag: str | None) -> str | None:
    """The primary language subtag of a BCP 47 tag, lower-cased, old codes mapped to the detector's; None for
    something that is not a language tag (a page writing lang="english").

    >>> [primary_language(tag) for tag in ("en-US", "EN_gb", "iw", " ", None, "english", "x-default")]
    ['en', 'en', 'he', None, None, None, None]
    """
    primary = (tag or "").strip().replace("_", "-").split("-")[0].lower()
    if not (2 <= len(primary) <= 3 and primary.isascii() and primary.isalpha()):
        return None
    return SAME_LANGUAGE.get(primary, primary)
