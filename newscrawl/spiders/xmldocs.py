"""A discovery document's bytes (sitemap, feed) made fit for a recovering XML parser, as publishing systems write them.

- The declared encoding is honoured before the declaration is removed: an ISO-8859-1 or windows-1252 feed read as
  UTF-8 lost every accented letter. Bytes that are valid UTF-8 stay UTF-8 whatever the label says (templates
  hard-code one), and a UTF-16 declaration over bytes with no NUL in their head is a lie (Devdiscourse, STRUCTURE.md
  §1.4); UTF-16 bytes (with a byte-order mark or not) are decoded.
- The DOCTYPE goes (no DTD is read: XXE and billion-laughs documents parse to nothing).
- A bare `&` ("Q&A" in a title, `?id=5&cat=x` in a URL) and HTML's named entities (`&nbsp;`, `&eacute;`) are not
  XML. libxml2's recovery drops the rest of the text they stand in *and every later `&amp;`*, so one raw `&` in a
  title cut the query string of every later URL. They are rewritten as the characters they mean, outside CDATA;
  an entity HTML does not name is dropped, as the parser would.
"""

from __future__ import annotations

import codecs
import re
from html.entities import html5

_HEAD = 64 * 1024  # the XML declaration and DOCTYPE must come before the root element: only this much is rewritten
_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""", re.IGNORECASE)
_DOCTYPE = re.compile(rb"<!DOCTYPE[^>\[]*(\[[^\]]*\])?\s*>", re.IGNORECASE | re.S)
_XML_REFERENCE = rb"(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});"
_NOT_XML_AMPERSAND = re.compile(rb"&(?!" + _XML_REFERENCE + rb")")
_CDATA_OR_AMPERSAND = re.compile(rb"<!\[CDATA\[.*?\]\]>|&(?!" + _XML_REFERENCE + rb")(?:([A-Za-z][A-Za-z0-9]{0,31});)?",
                                 re.S)
_UTF8 = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})


def readable_xml(body: bytes) -> tuple[bytes, memoryview]:
    """(head, rest): `body` as UTF-8 without declaration or DOCTYPE, ampersands mended; the rest is not copied when
    nothing past the head needed changing (a 50 MB sitemap stays one copy).

    >>> latin1 = '<?xml version="1.0" encoding="ISO-8859-1"?><t>Caf\xe9 Q&A &nbsp;</t>'.encode("latin-1")
    >>> head, rest = readable_xml(latin1)
    >>> (head + bytes(rest)).decode()
    '<t>Café Q&amp;A &#160;</t>'
    >>> b"".join(readable_xml(b'<?xml version="1.0" encoding="utf-16"?><t><![CDATA[Kim & Putin]]>&amp;</t>'))
    b'<t><![CDATA[Kim & Putin]]>&amp;</t>'
    """
    body = _utf8(body)
    if _NOT_XML_AMPERSAND.search(body):
        body = _CDATA_OR_AMPERSAND.sub(_mended, body)
    head = _DOCTYPE.sub(b"", _DECLARATION.sub(b"", body[:_HEAD], count=1), count=1)
    return head, memoryview(body)[_HEAD:]


def _utf8(body: bytes) -> bytes:
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return body.decode("utf-16", "replace").encode()
    if b"\x00" in body[:4]:  # UTF-16 without a byte-order mark: "<" is 3C 00 (little-endian) or 00 3C
        return body.decode("utf-16-le" if body[:1] != b"\x00" else "utf-16-be", "replace").encode()
    body = body.lstrip()  # blank lines a template printed before the byte-order mark and the declaration
    if body.startswith(codecs.BOM_UTF8):
        body = body[len(codecs.BOM_UTF8):]
    declaration = _DECLARATION.match(body, 0, 512)
    encoding = _ENCODING.search(declaration.group()) if declaration else None
    name = encoding.group(1).decode("ascii").lower() if encoding else "utf-8"
    if name in _UTF8 or name.startswith("utf-16"):  # a UTF-16 label over 8-bit bytes is a lie: read as UTF-8
        return body
    try:
        body.decode("utf-8")
        return body  # valid UTF-8 under another label is a template's hard-coded lie: accented Latin-1 never is
    except UnicodeDecodeError:
        pass
    try:
        return body.decode(name, "replace").encode()
    except LookupError:  # a name no codec answers to: UTF-8 is the format's default
        return body


def _mended(match: re.Match[bytes]) -> bytes:
    if match.group().startswith(b"<!"):
        return match.group()  # CDATA: an "&" there is text already
    name = match.group(1)
    if name is None:
        return b"&amp;"
    # An entity HTML names is its characters; any other is an undeclared one (the DOCTYPE that may have declared it,
    # to a file or the network, is gone): dropped, as the parser itself would.
    return "".join(f"&#{ord(char)};" for char in html5.get(name.decode("ascii") + ";", "")).encode("ascii")
