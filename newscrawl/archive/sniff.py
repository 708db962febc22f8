"""Whether bytes whose name or label does not say what they are hold a web page, by their first bytes.

Two readers ask. A saved-page folder holds files of any name (`wget --mirror` without `--adjust-extension` saves
`news/story-123`), and a WARC holds responses their server labelled as unknown bytes: `application/octet-stream`,
`application/unknown`, or a header that is no media type at all (`Content-Type: UTF-8`). A live crawl parses such
responses (Scrapy hands the spider the bytes whatever the label, and `responsetypes` sniffs them), so a replay
offers them as archive-only pages too; otherwise every article of such a site in a foreign WARC replayed with the
`news` spider was lost without a word. So are pages labelled `text/plain`, the label a server gives any file by
default (may_hide_a_page). A label that names another type (image/png, application/pdf, text/css) is believed. Gzip bytes are judged by what they inflate to; bytes that are mostly control characters are binary.
"""

from __future__ import annotations

import os
import re
import stat
import zlib

SNIFF_BYTES = 1445
"""The standard's "resource header": as much as it ever looks at."""

GZIP_MAGIC = b"\x1f\x8b"
"""How gzip bytes start: a page saved as the server compressed it (`curl -o` without --compressed) is inside them."""

UNKNOWN_TYPES = frozenset({"application/octet-stream", "binary/octet-stream", "application/unknown",
                           "unknown/unknown", "*/*", "application/x-unknown", "application/binary"})
"""Media types that say only "some bytes": RFC 2046's octet-stream, the standard's unknown types, and the spellings
servers use for them."""

_MEDIA_TYPE = re.compile(r"[!#$%&'*+.^_`|~0-9a-z-]+/[!#$%&'*+.^_`|~0-9a-z-]+")
"""type/subtype as RFC 9110 spells a media type (two tokens), lower-cased."""

_WHITESPACE = b"\t\n\x0c\r "
_TAG_ENDS = frozenset(bytes([byte]) for byte in b"\t\n\x0c\r >")
_HTML_STARTS = tuple(tag.encode() for tag in (
    "<!doctype html", "<html", "<head", "<script", "<iframe", "<h1", "<div", "<font", "<table", "<a", "<style",
    "<title", "<b", "<body", "<br", "<p", "<!--",
    "<meta", "<link"))  # not the standard's: pages saved without their <html> and <head> tags start so
_XHTML_STARTS = (b"<!doctype html", b"<html")
_UTF16_BOMS = (b"\xfe\xff", b"\xff\xfe")


def says_nothing(content_type: str | None) -> bool:
    """Whether a Content-Type value leaves the body's type unknown: an unknown type, or no media type at all.
    (No header at all is not asked about: a replay lets the parser judge those bytes anyway.)

    >>> [says_nothing(v) for v in ("application/octet-stream", "UTF-8", "text/html; charset=utf-8", "image/png")]
    [True, True, False, False]
    """
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return bool(content_type) and (media_type in UNKNOWN_TYPES or not _MEDIA_TYPE.fullmatch(media_type))


def may_hide_a_page(content_type: str | None) -> bool:
    """Whether a response so labelled is judged by its first bytes (sniffs_as_html) rather than by its label: one
    that says nothing (says_nothing), or plain text. The standard's own check-for-apache-bug flag (section 7.1) is
    there because servers label files text/plain by default, whatever they hold; a browser, which shows such a
    page as text, still distrusts the label so far as to sniff for binary data. This project's live crawl parses a
    text/plain answer to an article's URL like any other (the spider hands every body to its parser), so a page so
    labelled in an archive is offered as one too when its bytes start an HTML document: a live crawl and its replay
    of the same response agree. A plain text file (robots.txt, a feed's text) does not start so and is no page.

    >>> [may_hide_a_page(v) for v in ("text/plain; charset=utf-8", "UTF-8", "text/html", "text/css", None)]
    [True, True, False, False, False]
    """
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type == "text/plain" or says_nothing(content_type)


def sniffs_as_html(head: bytes) -> bool:
    """The WHATWG MIME Sniffing Standard's HTML patterns (section 7.1, "identifying a resource with an unknown MIME
    type"): after leading whitespace, a tag that starts HTML documents and fragments, followed by a space or ``>``.
    Widened as real saved pages need (checked on trafilatura-eval's 469 and AEB's 181 pages: all sniff as HTML, 459
    and 181 with the standard's rules alone): any whitespace ends a tag (``<!DOCTYPE html`` and a line break), a
    page may start at ``<meta`` or ``<link``, a byte order mark is skipped (a UTF-16 page is read by its ASCII
    characters), and an XML prolog followed by ``<!DOCTYPE html`` or ``<html`` (XHTML) is HTML too; an XML prolog
    before anything else (a sitemap, a feed) is not."""
    if head.startswith(_UTF16_BOMS):
        head = head[2:].replace(b"\x00", b"")
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip(_WHITESPACE).lower()
    if head.startswith(b"<?xml"):
        end = head.find(b"?>")
        rest = head[end + 2:].lstrip(_WHITESPACE) if end >= 0 else b""
        while rest.startswith(b"<!--") and b"-->" in rest:  # comments between the prolog and the document
            rest = rest[rest.index(b"-->") + 3:].lstrip(_WHITESPACE)
        return any(rest.startswith(tag) and rest[len(tag):len(tag) + 1] in _TAG_ENDS for tag in _XHTML_STARTS)
    return any(head.startswith(tag) and head[len(tag):len(tag) + 1] in _TAG_ENDS for tag in _HTML_STARTS)


def inflated_start(head: bytes) -> bytes:
    """The first bytes of what a gzip file's start inflates to (b"" when it is no gzip), to sniff its content."""
    try:
        return zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(head, SNIFF_BYTES)
    except zlib.error:
        return b""


STRAY_NULS = 100
"""A page whose markup sniffs as HTML is still a page with up to one NUL byte in this many of its first 4 KiB: a
byte a disk, a copy or an editor damaged, which an HTML parser drops (a WARC replay parses the same bytes)."""


def looks_binary(body: bytes) -> bool:
    r"""Mostly control bytes, or NUL bytes in the first 4 KiB: an image or archive saved as .html, not a page. UTF-16
    pages (a BOM) are text, and so is markup that sniffs as HTML with a few stray NULs (STRAY_NULS).

    >>> page = b"<!DOCTYPE html><html><body><p>" + b"text " * 200
    >>> looks_binary(page.replace(b"<p>", b"<p>\x00")), looks_binary(b"\x00" * 10 + page), looks_binary(b"GIF89a\x00")
    (False, True, True)
    """
    head = body[:4096]
    if head.startswith(_UTF16_BOMS):
        return False
    nuls = head.count(b"\x00")
    if nuls and (nuls * STRAY_NULS > len(head) or not sniffs_as_html(head[:SNIFF_BYTES])):
        return True
    controls = sum(1 for byte in head if byte < 9 or 13 < byte < 32)
    return bool(head) and controls > len(head) // 10


APPLE_DOUBLE_MAGIC = b"\x00\x05\x16\x07"
"""How an AppleDouble file starts (RFC 1740): the ``._story.html`` beside ``story.html`` that macOS writes to keep a
file's Finder metadata on a disk, share or ZIP that cannot hold it (in a ZIP under ``__MACOSX/``)."""


def is_apple_double(path: str) -> bool:
    """Whether the file at `path` is macOS's metadata companion of another file, not a file in its own right: named
    ``._NAME`` and starting with the AppleDouble magic. A folder copied from a Mac to a USB stick, or zipped in the
    Finder, has one beside every page and every WARC, named like them; read as a page or archive, each was one
    "damaged input" error and the run's status damaged. A real page whose name starts ``._`` is still read."""
    if not os.path.basename(path).startswith("._"):
        return False
    try:  # only a regular file is opened: a FIFO would block, a symlink may lead out of the folder
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return False
        with open(path, "rb") as fh:
            return fh.read(len(APPLE_DOUBLE_MAGIC)) == APPLE_DOUBLE_MAGIC
    except OSError:
        return False
