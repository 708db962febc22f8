"""Whitespace and text normalisation."""

from __future__ import annotations

import html
import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")
# C0/C1 control characters other than tab/newline never belong in article text (they break XML feeds). Nor do
# U+FFFD, which is all an HTML parser makes of an invalid character reference such as &#0; (it carries nothing, and
# downstream it reads as broken decoding), and the noncharacters U+FFFE/U+FFFF.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\ufffe\uffff]")
# Invisible break hints inside words: soft hyphens (typesetters put one in every long word), zero-width spaces, word
# joiners and stray byte-order marks. They split words for search and comparison and show nothing; ZWJ/ZWNJ are
# kept (they shape Persian and Indic script and emoji).
_INVISIBLE = re.compile(r"[\u00ad\u200b\u2060\ufeff]")


def clean_text(value: str | None) -> str:
    """Collapse whitespace (incl. non-breaking spaces) and drop control characters, U+FFFD and invisible break hints.

    >>> clean_text("  Kim\\xa0Jong  Un\\n met ")
    'Kim Jong Un met'
    >>> clean_text("Re\\xadcher\\xadche\\u200b")
    'Recherche'
    >>> clean_text(None)
    ''
    """
    if not value:
        return ""
    value = _INVISIBLE.sub("", _CONTROL.sub("", unicodedata.normalize("NFC", value)))
    return _WHITESPACE.sub(" ", value).strip()


def clean_or_none(value: str | None) -> str | None:
    """`clean_text`, with an empty result as None.

    >>> clean_or_none("  ") is None
    True
    """
    return clean_text(value) or None


def unescape_text(value: str | None) -> str:
    """Decode HTML entities (JSON-LD strings are not decoded by the HTML parser), then clean.

    >>> unescape_text("Caf&#xE9; &amp; bar")
    'Café & bar'
    """
    return clean_text(html.unescape(value or ""))


def split_list(value: str | None, sep: str = ",") -> list[str]:
    """Split a delimited list, dropping blanks and repeats, keeping order.

    >>> split_list("Korea, Russia,, Korea ")
    ['Korea', 'Russia']
    """
    seen: dict[str, None] = {}
    for part in (value or "").split(sep):
        part = clean_text(part)
        if part:
            seen.setdefault(part, None)
    return list(seen)


def join_paragraphs(paragraphs: list[str]) -> str:
    """Join body paragraphs with one blank line, the documented body format."""
    return "\n\n".join(p for p in paragraphs if p)


def split_paragraphs(body: str) -> list[str]:
    """Inverse of join_paragraphs."""
    return [p for p in body.split("\n\n") if p.strip()]
