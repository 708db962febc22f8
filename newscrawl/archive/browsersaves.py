"""What browsers and mirroring tools write when they save a page, read without any network or Scrapy: their
single-file archives (MHTML, Safari's web archive), the address and time they write into a page, the folder of
resources they put beside it, and how a page saved under any name is told by its first bytes. savedhtml.py turns
a folder of such files into replayable pages.
"""

from __future__ import annotations

import email
import email.errors
import email.header
import email.policy
import email.utils
import os
import plistlib
import re
from collections.abc import Callable
from xml.parsers.expat import ExpatError
from dataclasses import dataclass
from datetime import datetime, timezone

from newscrawl.extract.urls import is_http_url

_MHTML_SUFFIXES = (".mhtml", ".mht")
_WEBARCHIVE_SUFFIX = ".webarchive"
ARCHIVE_SUFFIXES = (*_MHTML_SUFFIXES, _WEBARCHIVE_SUFFIX)
HTML_CONTENT_TYPE = "text/html"
_SAVED_BY_BYTES = 8192  # SingleFile's comment opens <html>; the mark of the web is on the first line
_SINGLE_FILE = re.compile(r"<!--\s*(?:Page saved|Archive processed) with SingleFile\b(.*?)-->", re.S)
_SINGLE_FILE_FIELD = re.compile(r"^\s*([a-z][a-z ]*?):[ \t]*(\S.*?)\s*$", re.M)
_MARK_OF_THE_WEB = re.compile(r"<!--\s*saved from url=\(\d+\)\s*(\S+?)\s*-->", re.I)
_MONOLITH = re.compile(r"<!--\s*Saved from (.+?) at (\S+) using monolith v[^\s>]*\s*-->")
"""monolith's first line: "<!-- Saved from URL at 2023-12-01T10:30:45Z using monolith v2.7.0 -->" ("local source"
instead of a URL for a file it was given)."""
_HTTRACK = re.compile(r"<!--\s*Mirrored from (\S+) by HTTrack Website Copier/[^,>]*,\s*([^>]*?)\s*-->")
"""HTTrack's comment after <html>: "Mirrored from HOST/PATH by HTTrack Website Copier/3.x [XR&CO'2014], <RFC 1123
date> -->". It names no scheme."""
_PYWEBCOPY = re.compile(r"\*\s*File mirrored from \[(\S+?)\]\s*(?:\*\s*At UTC datetime: \[([^\]]*)\])?")
"""PyWebCopy's comment after <html>: "* File mirrored from [URL]", then "* At UTC datetime: [2026-12-05 17:22:09]"."""
_JAVASCRIPT_DATE = re.compile(r"\b([A-Z][a-z]{2}) (\d{1,2}) (\d{4}) (\d{2}:\d{2}:\d{2}) GMT([+-]\d{4})")
NOT_PAGE_EXTENSIONS = frozenset(
    # what a mirrored site holds besides its pages: read as pages they would only be binary or boilerplate problems
    ".url .css .js .mjs .map .json .jsonld .xml .rss .atom .rdf .txt .md .csv .tsv .pdf .doc .docx .xls .xlsx .ppt "
    ".pptx .odt .epub .png .jpg .jpeg .gif .webp .avif .svg .ico .bmp .tif .tiff .woff .woff2 .ttf .otf .eot .mp4 "
    ".m4v .webm .mov .avi .mkv .mp3 .m4a .ogg .oga .wav .flac .vtt .srt .m3u8 .mpd .zip .gz .tgz .tar .bz2 .xz .7z "
    ".rar .warc .arc .wacz .har .cdx .cdxj .wasm .swf .exe .dmg .apk .bin .db .sqlite .pickle .pkl .py .sh .log".split())


@dataclass(frozen=True)
class ArchivedPage:
    """The page a browser's single-file archive holds, with what the archive says of it."""

    body: bytes
    """The page's bytes as the browser saved them, any transfer encoding (quoted-printable, base64) undone."""
    url: str | None
    """Where the page was saved from, when an absolute http(s) URL."""
    saved_at: datetime | None
    """When, if the archive says."""
    content_type: str
    """text/html, with the charset the archive declares for the page, if any."""


def read_page_archive(path: str, raw: bytes) -> ArchivedPage:
    """The page of an MHTML archive (``.mhtml``, ``.mht``) or a Safari web archive (``.webarchive``); raises
    ValueError when the file holds none."""
    return _read_webarchive(raw) if path.lower().endswith(_WEBARCHIVE_SUFFIX) else read_mhtml(raw)


def _read_webarchive(raw: bytes) -> ArchivedPage:
    """Safari's "Web Archive" (its default "Save As" format): a property list whose WebMainResource is the page
    (WebResourceData, WebResourceURL, WebResourceTextEncodingName); subresources and frames are left out. It names
    no time."""
    try:
        archive = plistlib.loads(raw)
    except (plistlib.InvalidFileException, ValueError, TypeError, OverflowError, IndexError, KeyError,
            ExpatError) as exc:  # ExpatError: an XML plist (older Safaris) that is not well-formed, no ValueError
        raise ValueError(f"not a readable property list ({exc})") from exc
    main = archive.get("WebMainResource") if isinstance(archive, dict) else None
    if not isinstance(main, dict) or not isinstance(main.get("WebResourceData"), bytes):
        raise ValueError("no WebMainResource with WebResourceData")
    body: bytes = main["WebResourceData"]
    url = main.get("WebResourceURL")
    charset = main.get("WebResourceTextEncodingName")
    return ArchivedPage(body, url if isinstance(url, str) and is_http_url(url) else None, None,
                        f"text/html; charset={charset}" if isinstance(charset, str) and charset else HTML_CONTENT_TYPE)


def read_mhtml(raw: bytes) -> ArchivedPage:
    """The page of an MHTML archive (RFC 2557 multipart/related, as browsers save a "Webpage, Single File"): the part
    the archive names as its snapshot or start, else its first HTML part. Images, styles and frames are left out,
    as a saved folder's resources are. Raises ValueError when the file holds no HTML part."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    parts = [part for part in message.walk() if not part.is_multipart()]
    pages = [part for part in parts if part.get_content_type() in ("text/html", "application/xhtml+xml")]
    if not pages:
        raise ValueError("no text/html part")
    snapshot = _address(message.get("Snapshot-Content-Location"))
    start = str(message.get_param("start") or "").strip("<> ") if message.is_multipart() else ""
    named = [part for part in pages if snapshot and _address(part.get("Content-Location")) == snapshot]
    started = [part for part in pages if start and (part.get("Content-ID") or "").strip("<> ") == start]
    page = (named or started or pages)[0]
    body = page.get_payload(decode=True)
    if not isinstance(body, bytes):
        raise ValueError("its page part holds no bytes")
    url = snapshot or _address(page.get("Content-Location"))
    try:
        saved_at = email.utils.parsedate_to_datetime(str(message["Date"])) if message["Date"] else None
    except (TypeError, ValueError):
        saved_at = None
    if saved_at is not None:
        saved_at = saved_at.astimezone(timezone.utc) if saved_at.tzinfo else saved_at.replace(tzinfo=timezone.utc)
    charset = page.get_content_charset()
    return ArchivedPage(body, url if is_http_url(url) else None, saved_at,
                        f"text/html; charset={charset}" if charset else HTML_CONTENT_TYPE)


def _address(value: object) -> str:
    """An MHTML address header as text: RFC 2047 encoded-words decoded (Python's email package writes a long URL as
    "=?utf-8?q?http=3A//…?=" over several lines), folding whitespace gone (an address holds none)."""
    raw = str(value or "")
    try:
        text = str(email.header.make_header(email.header.decode_header(raw))) if "=?" in raw else raw
    except (email.errors.HeaderParseError, LookupError, UnicodeError, ValueError):
        text = raw
    return "".join(text.split())


RESOURCE_FOLDER_SUFFIXES = (
    "_files", ".files", "-files", "_file", "-dateien", "_dateien", "_fichiers", "_archivos", "_arquivos",
    "_ficheiros", "_bestanden", "-filer", "_filer", "_tiedostot", "_pliki", "_soubory", "_elemei", "_dosyalar",
    "_datoteke", "_fitxers", "_failid", "_fails", "_bylos", "_fajlovi", "_fitxategiak")
"""How browsers name the folder of a "Web Page, complete" save, by the language of the browser or of Windows (whose
Explorer keeps such a folder with its page under these names): "<name>_files" in English, "<name>-Dateien" in
German, "<name>_fichiers" in French, "<name>_archivos" in Spanish…"""


def resource_folders(dirnames: list[str], filenames: list[str]) -> list[str]:
    """The folders a browser's "Web Page, complete" save wrote beside its pages: ``<name>_files`` (or its translation,
    RESOURCE_FOLDER_SUFFIXES) next to ``<name>.html`` (Chrome, Firefox, Edge, Safari alike) holds the page's images,
    styles, scripts and its frames (ads, embedded posts, comment widgets) saved as ``saved_resource.html``; those
    frames are not articles saved by the user, and replayed as pages they would be parsed as such."""
    pages = {name.lower() for name in filenames if name.lower().endswith((".html", ".htm"))}
    return [folder for folder in dirnames if any(
        folder.lower().endswith(ending) and f"{folder[:-len(ending)].lower()}{suffix}" in pages
        for ending in RESOURCE_FOLDER_SUFFIXES for suffix in (".html", ".htm"))]


def extension(name: str) -> str:
    """The last dot-suffix of a file name, before any ``?query`` wget keeps in it ("feed.xml?page=2": ".xml")."""
    base = name.split("?", 1)[0]
    dot = base.rfind(".")
    return base[dot:] if dot > 0 else ""


def saved_by_browser(body: bytes, published_url: Callable[[], str | None] = lambda: None
                     ) -> tuple[str | None, datetime | None]:
    """The http(s) address and the time a browser or mirroring tool saved the page from and at, as it wrote them
    into the page's top (SingleFile's comment, else monolith's, else HTTrack's, else PyWebCopy's, else the mark of the
    web); None for what it did not write or is not usable.

    HTTrack writes no scheme: the page's own address (`published_url()`: its canonical link or og:url, looked up
    only then) lends its scheme when it names the same host, else it is https, what news sites serve."""
    head = body[:_SAVED_BY_BYTES].decode("latin-1")  # the comments are ASCII; no charset is needed to find them
    single_file = _SINGLE_FILE.search(head)
    if single_file is not None:
        fields = dict(_SINGLE_FILE_FIELD.findall(single_file.group(1)))
        url = fields.get("url")
        return (url if url and is_http_url(url) else None), _javascript_date(fields.get("saved date", ""))
    bundled = _MONOLITH.search(head)
    if bundled is not None:
        url = bundled.group(1)
        return (url if is_http_url(url) else None), _iso_date(bundled.group(2))
    mirrored = _HTTRACK.search(head)
    if mirrored is not None:
        address = mirrored.group(1)
        url = f"{scheme_of(address, published_url())}://{address}"
        return (url if is_http_url(url) else None), _http_date(mirrored.group(2))
    copied = _PYWEBCOPY.search(head)
    if copied is not None:
        url = copied.group(1)
        return (url if is_http_url(url) else None), _iso_date(copied.group(2) or "")
    marked = _MARK_OF_THE_WEB.search(head)
    url = marked.group(1) if marked is not None else None
    return (url if url and is_http_url(url) else None), None


_WAYBACK = re.compile(r"https?://(?:web|wayback)\.archive\.org(?::\d+)?/web/(\d{4,14})(?:[a-z]{2}_)?/+(\S+)", re.I)
_SCHEME = re.compile(r"https?:/+", re.I)


def unwrapped_wayback(url: str) -> tuple[str, datetime | None] | None:
    """For the address of a Wayback Machine copy (`https://web.archive.org/web/20130307194448/http://example.org/a`,
    as a page saved from it names itself in its sidecar, canonical link or og:url), the address it archived and the
    time of the capture, as an HTTrack mirror names its original: the article is the outlet's, fetched then. None
    for any other URL; the time is None unless the stamp has all 14 digits."""
    match = _WAYBACK.fullmatch(url.strip())
    if match is None:
        return None
    stamp, original = match.groups()
    scheme = _SCHEME.match(original)  # the Wayback Machine also writes "http:/host" and no scheme at all
    if scheme is not None:
        original = f"{scheme.group(0).split(':')[0].lower()}://{original[scheme.end():]}"
    else:
        original = f"http://{original}"
    if not is_http_url(original):
        return None
    try:
        captured = datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc) if len(stamp) == 14 else None
    except ValueError:
        captured = None
    return original, captured


def scheme_of(address: str, published_url: str | None) -> str:
    """The scheme of an address saved without one (HOST/PATH: HTTrack's comment, a mirror's folder names): the
    page's canonical link or og:url's when it names the same host (up to "www."), else https."""
    host = address.split("/", 1)[0].lower()
    if published_url:
        scheme, _, rest = published_url.partition("://")
        if rest.split("/", 1)[0].lower().removeprefix("www.") == host.removeprefix("www.") and scheme.lower() in (
                "http", "https"):
            return scheme.lower()
    return "https"


def _iso_date(text: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.astimezone(timezone.utc) if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)


def _http_date(text: str) -> datetime | None:
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return when.astimezone(timezone.utc) if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)


def _javascript_date(text: str) -> datetime | None:
    """A JavaScript Date.toString() ("Wed Sep 24 2026 10:11:12 GMT+0200 (Central European Summer Time)"), as
    SingleFile writes its saved date; None for anything else (the file's time is used then, not a guess)."""
    found = _JAVASCRIPT_DATE.search(text)
    if found is None:
        return None
    try:
        return datetime.strptime(" ".join(found.groups()), "%b %d %Y %H:%M:%S %z").astimezone(timezone.utc)
    except ValueError:
        return None
