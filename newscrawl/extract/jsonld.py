"""Tolerant JSON-LD reading.

Real sites ship broken JSON-LD: Devdiscourse leaves `"description": bare words` unquoted and escapes quotes in
titles as `\\&quot;` (STRUCTURE.md §2.2). We repair those two shapes generically, and give up on a block (returning
None) rather than guess further.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any

_ESCAPED_ENTITY_QUOTE = re.compile(r"\\&quot;")
# A key whose value is not a JSON value: it does not start like one (string, object, array, literal), or starts
# with a digit or "-" without being a whole number before the next delimiter (an AMP lead such as "10 people…").
# The match starts at the key's quote, so the regex engine jumps from quote to quote instead of trying every
# position (an optional leading `,?\s*` made it try them all: a tenth of a Devdiscourse page's parse); the comma and
# spaces before the key go with the member and are taken by _member_start. Possessive `++`/`*+`: the character
# after each run can never be one the run gave back, so backtracking into it could only fail again.
_BARE_VALUE = re.compile(r'"(?P<key>[^"\\]++)"\s*+:\s*+(?=[^\s"\[{\-\d]|t(?!rue)|f(?!alse)|n(?!ull)'
                         r'|-(?!\d)|-?\d(?!\d*(?:\.\d+)?(?:[eE][+-]?\d+)?\s*[,}\]]))')
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_NEXT_KEY = re.compile(r',\s*"[^"\\]+"\s*:|\}\s*$')


def _member_start(text: str, quote: int) -> int:
    """Where the member whose key opens at `quote` starts: the spaces before the key and one comma before them."""
    start = quote
    while start > 0 and text[start - 1].isspace():
        start -= 1
    return start - 1 if start > 0 and text[start - 1] == "," else start


def _drop_bare_values(text: str) -> str:
    """Remove `"key": unquoted words` members (with their leading comma) up to the next key or the closing brace."""
    while match := _BARE_VALUE.search(text):
        rest = _NEXT_KEY.search(text, match.end())
        if rest is None:
            return text
        start, end = _member_start(text, match.start()), rest.start()
        text = text[:start] + text[end:]
        if text[start:].lstrip().startswith(",") and text[:start].rstrip().endswith("{"):
            text = text[:start] + text[start:].lstrip()[1:]
    return text


def loads_tolerant(text: str) -> Any | None:
    """Parse a JSON-LD block, repairing the broken shapes seen in the wild; None when it stays broken.

    >>> loads_tolerant('{"@type": "NewsArticle", "headline": "A", "description": Kim meets Shoigu }')
    {'@type': 'NewsArticle', 'headline': 'A'}
    >>> loads_tolerant('{"headline": "A", "description": 10 people died, "wordCount": 12}')
    {'headline': 'A', 'wordCount': 12}
    >>> loads_tolerant('{"name": "Say \\\\&quot;hi\\\\&quot;"}')
    {'name': 'Say "hi"'}
    >>> loads_tolerant('{oops') is None
    True
    """
    candidate = text.strip().rstrip(";")
    # Each repair applies to the previous candidate; a repair is only made once the text before it failed, and a
    # repair that changed nothing is not parsed again (it would fail the same way).
    for repair in (None, _unescape_entity_quotes, _drop_bare_values, _drop_trailing_commas):
        if repair is not None:
            repaired = repair(candidate)
            if repaired == candidate:
                continue
            candidate = repaired
        try:
            return json.loads(candidate, strict=False)
        except ValueError:
            continue
    return None


def _unescape_entity_quotes(text: str) -> str:
    return _ESCAPED_ENTITY_QUOTE.sub(r'\\"', text)


def _drop_trailing_commas(text: str) -> str:
    return _TRAILING_COMMA.sub(r"\1", text)  # the AMP variant


def unescape_strings(value: Any) -> Any:
    """Decode HTML entities in every string of a parsed JSON-LD value (Razor encodes them; script text is raw)."""
    if isinstance(value, str):
        return html.unescape(value)
    if isinstance(value, list):
        return [unescape_strings(v) for v in value]
    if isinstance(value, dict):
        return {k: unescape_strings(v) for k, v in value.items()}
    return value


def iter_nodes(value: Any) -> Iterator[dict[str, Any]]:
    """Every JSON-LD node in a block: top-level objects, list members and @graph members, depth first."""
    if isinstance(value, list):
        for member in value:
            yield from iter_nodes(member)
    elif isinstance(value, dict):
        yield value
        if "@graph" in value:
            yield from iter_nodes(value["@graph"])


def node_types(node: dict[str, Any]) -> set[str]:
    """The node's @type(s) without a schema.org prefix."""
    raw = node.get("@type", [])
    types = raw if isinstance(raw, list) else [raw]
    return {str(t).rsplit("/", 1)[-1] for t in types}
