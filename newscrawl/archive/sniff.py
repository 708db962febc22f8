"""Whether an archived response whose Content-Type does not say what it is holds a web page, by its first bytes.

A server that labels its pages `application/octet-stream` (or `application/unknown`, or a header that is no media
type at all, such as `Content-Type: UTF-8`) still sends pages: a live crawl parses them (Scrapy's spider gets the
bytes whatever the label, and `responsetypes` sniffs them), so a replay must offer them as archive-only candidates
too, or every such article of a WARC replayed with the `news` spider is lost without a word. Pages are recognised
by the WHATWG MIME Sniffing Standard's HTML patterns (section 7.1, "identifying a resource with an unknown MIME
type"): a tag that only HTML starts with, after a byte order mark and white space; an XML declaration followed by
an `<html` element is XHTML. A label that names a type (image/jpeg, application/pdf, text/css) is believed.
"""

from __future__ import annotations

import re

HEAD_BYTES = 512
"""The first bytes of the (decoded) body looked at: the standard's "resource header" is 1,445 bytes, but every
HTML pattern sits right after the leading white space; an XHTML root element within 512 bytes of the start."""

UNKNOWN_TYPES = frozenset({"application/octet-stream", "binary/octet-stream", "application/unknown",
                           "unknown/unknown", "*/*", "application/x-unknown", "application/binary"})
"""Media types that say only "some bytes" (RFC 2046's octet-stream, the WHATWG standard's unknown types and the
spellings servers use for them)."""

_MEDIA_TYPE = re.compile(r"[!#$%&'*+.^_`|~0-9a-z-]+/[!#$%&'*+.^_`|~0-9a-z-]+")
"""type/subtype as RFC 9110 spells a media type (tokens), lower-cased."""

_HTML_START = re.compile(
    rb"<(?:!doctype\s+html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p|!--)[\s>]"
    rb"|<\?xml[^>]*\?>\s*(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html)[\s>]", re.IGNORECASE | re.DOTALL)
_BOMS = (b"\xef\xbb\xbf", b"\xfe\xff", b"\xff\xfe")


def says_nothing(content_type: str | None) -> bool:
    """Whether a Content-Type value leaves the body's type unknown: an unknown type, or no media type at all.
    (No header at all is a page already: the replay lets the parser judge those bytes.)

    >>> [says_nothing(v) for v in ("application/octet-stream", "UTF-8", "text/html; charset=utf-8", "image/png")]
    [True, True, False, False]
    """
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return bool(content_type) and (media_type in UNKNOWN_TYPES or not _MEDIA_TYPE.fullmatch(media_type))


def looks_like_html(head: bytes) -> bool:
    """Whether the first bytes of a decoded body start an HTML (or XHTML) document.

    >>> looks_like_html(b"\\xef\\xbb\\xbf\\n  <!DOCTYPE html><html lang=en>"), looks_like_html(b'{"html": 1}')
    (True, False)
    """
    for bom in _BOMS:
        if head.startswith(bom):
            if bom != _BOMS[0]:  # UTF-16: every other byte is zero in the ASCII patterns
                head = head[len(bom):].replace(b"\x00", b"")
            else:
                head = head[len(bom):]
            break
    return _HTML_START.match(head.lstrip(b"\t\n\x0c\r ")) is not None
