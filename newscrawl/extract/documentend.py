"""A page's early `</body>` or `</html>`, read as browsers read it: not as the end of the page.

HTML's tree construction (WHATWG HTML, "the after body insertion mode") ignores the end of the body or the document
where more of the page follows it: whatever comes after is still the body's, as every browser shows it. Stray ones
are common in pages put together from parts (a theme's footer included twice, a widget's template written whole
into the page, a forum post's pasted document). libxml2's HTML parser reads them otherwise: after a `</body>` the
rest of the page is put beside the body, where no parser looks for the story, and after a `</html>` it is dropped.
So the end tags that more of the page follows are removed before the page is parsed; the tree then holds what a
browser shows. End tags that only whitespace, comments and scripts follow (the page's real end) are the usual case
and cost four byte searches.
"""

from __future__ import annotations

import re
from typing import Any

_END_TAG = re.compile(rb"</(?:body|html)\s*>", re.IGNORECASE)
_END_TAG_TEXT = re.compile(r"</(?:body|html)\s*>", re.IGNORECASE)
# What may follow the page's real end: one step each, skipped in turn (one regex over the whole trailer, with a lazy
# comment or script inside a repeat, tried every way of grouping a page's scripts when it failed: minutes on some).
_TRAILER_STEP = re.compile(rb"\s+|</(?:body|html)\s*>|<!--.*?-->|<script\b[^>]*>.*?</script\s*>",
                           re.IGNORECASE | re.DOTALL)
_TRAILER_STEP_TEXT = re.compile(r"\s+|</(?:body|html)\s*>|<!--.*?-->|<script\b[^>]*>.*?</script\s*>",
                                re.IGNORECASE | re.DOTALL)


def without_early_end(html: bytes) -> bytes:
    """`html` without the `</body>` and `</html>` tags that more of the page follows (the module docstring).

    >>> without_early_end(b"<body><p>One</p></body></html><p>Two</p></body></html>")
    b'<body><p>One</p><p>Two</p>'
    >>> page = b"<body><p>One</p></body>\\n<script>track()</script>\\n</html>\\n"
    >>> without_early_end(page) is page
    True
    """
    first = _first_end(html.find(b"</body"), html.find(b"</html"), html.find(b"</BODY"), html.find(b"</HTML"))
    if first < 0 or _only_trailer(_TRAILER_STEP, html, first):
        return html
    return html[:first] + _END_TAG.sub(b"", html[first:])


def without_early_end_text(html: str) -> str:
    """without_early_end() for a page already decoded to text."""
    first = _first_end(html.find("</body"), html.find("</html"), html.find("</BODY"), html.find("</HTML"))
    if first < 0 or _only_trailer(_TRAILER_STEP_TEXT, html, first):
        return html
    return html[:first] + _END_TAG_TEXT.sub("", html[first:])


def _first_end(*found: int) -> int:
    """The first of the positions found (-1 for none). A mixed-case `</Body>` is not looked for: four plain searches
    of a 30 KB page cost ~60 µs (under 1 % of a replay's time per page), one case-blind search about three times
    that. It is found, and removed, only after a lower- or upper-case one that more of the page follows."""
    return min((position for position in found if position >= 0), default=-1)


def _only_trailer(step: re.Pattern[Any], html: Any, position: int) -> bool:
    """Whether only whitespace, end tags of the body or document, comments and scripts follow `position`."""
    while position < len(html):
        found = step.match(html, position)
        if found is None:
            return False
        position = found.end()
    return True
