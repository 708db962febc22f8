"""Page bytes to text without raising and without mojibake, and the checks that let a plain UTF-8 page skip work.

Bytes are decoded in one place with w3lib's html_to_unicode, the same routine Scrapy's TextResponse uses, then
corrected for the usual mislabels (decode_html). The byte-level checks (utf8_xml_compatible, parsed_as_text) let
Page hand a plain UTF-8 page to lxml as it is, instead of cleaning and re-encoding its decoded text.

One idea, kept whole: what the text of a page's bytes is.
"""

from __future__ import annotations

import codecs
import re
from itertools import islice

from w3lib.encoding import html_to_unicode, read_bom


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: read bytes that are not UTF-8 as Windows-1252 instead of turning them into U+FFFD."""
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start:error.end]
    # cp1252 leaves 0x81, 0x8D, 0x8F, 0x90 and 0x9D undefined: those become C1 controls, which clean_text drops.
    return "".join(bytes([byte]).decode("cp1252", errors="ignore") or chr(byte) for byte in bad), error.end


codecs.register_error("newscrawl-cp1252", _cp1252_fallback)

# Windows-1252's typographic characters (0x80–0x9F: quotes, dashes, ellipsis, euro, trade mark): what a stray
# byte in a UTF-8 page usually is, pasted from a word processor.
_CP1252_PUNCTUATION = frozenset(range(0x80, 0xA0)) - {0x81, 0x8D, 0x8F, 0x90, 0x9D}


def _utf8_repair(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler for a UTF-8 page with a few bytes that are not UTF-8: a Windows-1252 quote or dash is
    read as such; any other stray byte (junk such as "\xff\xfe\xc3") is dropped, never shown as "ÿþÃ"."""
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start:error.end]
    return "".join(bytes([b]).decode("cp1252") for b in bad if b in _CP1252_PUNCTUATION), error.end


codecs.register_error("newscrawl-utf8-repair", _utf8_repair)

# Encodings whose bytes can happen to be valid UTF-8 (ISO-2022 is pure 7-bit): a declaration of one of these
# outweighs bytes that also read as UTF-8 unless they hold _UTF8_EVIDENCE multi-byte sequences.
_TRUSTED_DECLARATIONS = ("iso2022", "shift_jis", "euc_", "gb", "big5", "cp932", "cp936", "cp949", "cp950", "hz",
                         "johab")
# Multi-byte sequences that make strictly valid UTF-8 bytes UTF-8 despite a CJK declaration. Genuine GBK, Big5,
# Shift_JIS, EUC-JP or EUC-KR text is valid UTF-8 only by a coincidence that halves or worse with every character:
# the CJK pages of trafilatura-eval and AEB re-encoded in each of those codecs were never valid UTF-8 as pages; runs
# of 1 CJK character were in up to 10 %, of 4 in under 1 %, of 8 in 1 of 1,500 (with 4 sequences). A UTF-8 page
# behind a stale CJK header has dozens (every accent, curly quote and dash is one).
_UTF8_EVIDENCE = 8


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode page bytes without raising and without mojibake for the usual mislabels.

    w3lib's html_to_unicode (as Scrapy's TextResponse) picks the encoding: BOM, then HTTP charset, then
    <meta charset>, then UTF-8. Two mislabels are then corrected, because a wrong guess here ends up as mojibake
    in every text field:

    * Bytes that are valid UTF-8 are UTF-8, whatever a single-byte or UTF-16 charset header or meta says: a UTF-8
      page behind a stale "charset=iso-8859-1" header is the commonest mislabel, and accented Windows-1252 text is
      practically never valid UTF-8 by accident (for ASCII bytes every such reading agrees anyway). A BOM still
      wins. A CJK declaration (Shift_JIS, GBK, EUC-KR, Big5, ISO-2022…) gives way only to strictly valid UTF-8
      with several multi-byte sequences (_UTF8_EVIDENCE): a few CJK characters can happen to be valid UTF-8, a
      page of them practically never is.
    * A page read as UTF-8 that holds bytes which are not UTF-8 (Windows-1252 text in a UTF-8 template) gets those
      bytes read as Windows-1252 instead of U+FFFD.

    >>> decode_html("Café".encode("cp1252"), "text/html; charset=utf-8")
    'Café'
    >>> decode_html("Café".encode(), "text/html; charset=iso-8859-1")
    'Café'
    >>> decode_html("Caf\u00e9 \u2013 ok".encode("cp1252"), "text/html; charset=windows-1252")
    'Café – ok'
    >>> decode_html("Café Zürich, “naïve” façade, crème brûlée".encode(), "text/html; charset=shift_jis")
    'Café Zürich, “naïve” façade, crème brûlée'
    """
    return decode_html_repaired(body, content_type)[0]


def decode_html_repaired(body: bytes, content_type: str | None = None) -> tuple[str, bool]:
    """decode_html, and whether the bytes had to be repaired (`quality` flag "encoding_repaired").

    The rule for a page read as UTF-8 whose bytes are not all UTF-8: when most of its non-ASCII bytes are UTF-8
    (a UTF-8 page with a few stray bytes), the strays that are Windows-1252 punctuation are read so and the rest
    dropped; when they are not (a Windows-1252 page labelled UTF-8), the page is read as Windows-1252. Either
    way the page is flagged: its declaration and its bytes disagreed.
    """
    text, repaired, _ = decode_page(body, content_type)
    return text, repaired


def decode_page(body: bytes, content_type: str | None) -> tuple[str, bool, bool]:
    """decode_html_repaired, and whether the text is the body's bytes read as plain UTF-8 (no BOM, no repair)."""
    encoding, text = html_to_unicode(content_type, body)
    if read_bom(body)[0] is not None:
        return text, False, False
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        name = encoding
    if name == "utf-8" or (_plainly_utf8(body) if name.startswith(_TRUSTED_DECLARATIONS) else _looks_utf8(body)):
        try:
            return body.decode("utf-8"), False, True
        except UnicodeDecodeError:
            handler = "newscrawl-utf8-repair" if _looks_utf8(body) else "newscrawl-cp1252"
            return body.decode("utf-8", errors=handler), True, False
    return text, False, False


# A well-formed multi-byte UTF-8 sequence (RFC 3629 table: no overlongs, no surrogates, nothing above U+10FFFF).
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
                            rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
                            rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}")
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")


def _looks_utf8(body: bytes) -> bool:
    """True for UTF-8 bytes, also when a few stray bytes are not (more good multi-byte sequences than bad bytes).

    Windows-1252 text has almost no valid multi-byte sequences (an accented letter is one high byte before ASCII),
    so the comparison tells a UTF-8 page with a pasted cp1252 quote from a cp1252 page.

    >>> _looks_utf8("Café".encode()), _looks_utf8("Café".encode("cp1252")), _looks_utf8("é ü ö".encode() + b"\\x96")
    (True, False, True)
    """
    try:
        body.decode("utf-8")
        return True
    except UnicodeDecodeError:
        pass
    sequences = _UTF8_SEQUENCE.findall(body)
    bad_bytes = len(_HIGH_BYTE.findall(body)) - sum(len(sequence) for sequence in sequences)
    return len(sequences) > bad_bytes


def _plainly_utf8(body: bytes) -> bool:
    """True for strictly valid UTF-8 bytes holding at least _UTF8_EVIDENCE multi-byte sequences: too many for
    text in a CJK encoding to read as UTF-8 by chance.

    >>> _plainly_utf8("Café Zürich, “naïve” façade, crème brûlée".encode()), _plainly_utf8("中文新闻报道".encode("gbk"))
    (True, False)
    """
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return next(islice(_UTF8_SEQUENCE.finditer(body), _UTF8_EVIDENCE - 1, None), None) is not None


XML_INCOMPATIBLE = re.compile("[\x00-\x08\x0b\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The same characters in UTF-8 bytes (strict UTF-8 holds no surrogates): the C0 bytes, and U+FFFE/U+FFFF.
_XML_INCOMPATIBLE_C0 = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20)])
_XML_COMPATIBLE_BYTES = bytes(byte for byte in range(256) if byte not in _XML_INCOMPATIBLE_C0)


def utf8_xml_compatible(body: bytes) -> bool:
    """True when UTF-8 `body` holds none of XML_INCOMPATIBLE's characters. Byte-wise in C (translate deletes
    every allowed byte), about ten times cheaper than running the character class over the decoded page."""
    return not body.translate(None, _XML_COMPATIBLE_BYTES) and b"\xef\xbf\xbe" not in body and (
        b"\xef\xbf\xbf" not in body)


def parsed_as_text(body: bytes) -> bool:
    """True when plain UTF-8 `body` is, stripped, exactly the bytes parsel encodes Page's cleaned text into
    (`text.strip().encode()`): nothing to clean (no form feed, nothing XML_INCOMPATIBLE removes), and the
    stripped ends are ASCII, where str.strip and bytes.strip agree (C0 separators are incompatible anyway)."""
    if b"\x0c" in body or not utf8_xml_compatible(body):
        return False
    inner = body.strip()
    return bool(inner) and inner[0] < 0x80 and inner[-1] < 0x80
