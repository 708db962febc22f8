"""A page's early `</body>` or `</html>`, read as browsers read it: not as the end of the page.

HTML's tree construction (WHATWG HTML, "the after body insertion mode") ignores the end of the body or the document
where more of the page follows it: whatever comes after is still the body's, as every browser shows it. Stray ones
are common in pages put together from parts (a theme's footer included twice, a widget's template written whole
into the page, a forum post's pasted document). libxml2's HTML parser reads them otherwise: after a `</body>` the
rest of the page is put beside the body, where no parser looks for the story, and after a `</html>` it is dropped.
So the end tags that more of the page follows are removed before the page is parsed; the tree then holds what a
browser shows. End tags that only whitespace, comments and scripts follow (the page's real end) are the usual case
and cost one search of the page (~30 µs for 30 KB).
"""

from __future__ import annotations

import re
from typing import Any, AnyStr

_END_TAG = r"</(?:body|html)\s*>"
# What may follow the page's real end: one step each, skipped in turn (one regex over the whole trailer, with a lazy
# comment or script inside a repeat, tried every way of grouping a page's scripts when it failed: minutes on some).
_TRAILER_STEP = r"\s+|</(?:body|html)\s*>|<!--.*?-->|<script\b[^>]*>.*?</script\s*>"
# The same patterns for pages given as bytes and as text (re will not match one kind with the other's pattern).
_PATTERNS: dict[type, tuple[re.Pattern[Any], re.Pattern[Any]]] = {
    kind: (re.compile(encode(_END_TAG), re.IGNORECASE),
           re.compile(encode(_TRAILER_STEP), re.IGNORECASE | re.DOTALL))
    for kind, encode in ((bytes, str.encode), (str, str))}


def without_early_end(html: AnyStr) -> AnyStr:
    """`html` (bytes or text) without the `</body>` and `</html>` tags that more of the page follows (the module
    docstring). The end tags are matched as HTML names are, in any case (`</Body>` too).

    >>> without_early_end(b"<body><p>One</p></body></html><p>Two</p></Body></html>")
    b'<body><p>One</p><p>Two</p>'
    >>> page = "<body><p>One</p></body>\\n<script>track()</script>\\n</html>\\n"
    >>> without_early_end(page) is page
    True
    """
    end_tag, trailer_step = _PATTERNS[bytes if isinstance(html, bytes) else str]
    first = end_tag.search(html)
    if first is None or _only_trailer(trailer_step, html, first.start()):
        return html
    return html[:first.start()] + end_tag.sub(html[:0], html[first.start():])


def _only_trailer(step: re.Pattern[Any], html: str | bytes, position: int) -> bool:
    """Whether only whitespace, end tags of the body or document, comments and scripts follow `position`."""
    while position < len(html):
        found = step.match(html, position)
        if found is None:
            return False
        position = found.end()
    return True
