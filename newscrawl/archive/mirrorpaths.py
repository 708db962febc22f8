"""A saved page's URL and capture time, read from the names of the folders a mirroring tool saved it under.

Mirroring tools name a page's folder after its URL, and some a folder after the time of the capture they copied:

- ``wget --mirror``, ``wget -x``, ``wget -r``: ``HOST/PATH``; ``HOST:PORT`` for a port (``HOST+PORT`` with
  ``--restrict-file-names=windows``, the default on Windows); a directory URL saved as ``…/index.html``; a query
  kept in the file's name (``article.php?id=5``). With ``--no-host-directories`` there is no HOST, and nothing can
  be said;
- hartator's wayback_machine_downloader: ``websites/HOST/PATH``, and with ``--all-timestamps``
  ``websites/HOST/YYYYMMDDhhmmss/PATH``; directory URLs as ``…/index.html``;
- jsvine's waybackpack: ``DIR/YYYYMMDDhhmmss/HOST/PATH`` (its pack.py saves an empty path tail as ``index.html``):
  the 14 digits are the Wayback Machine capture's time stamp, in UTC;
- HTTrack: ``HOST/PATH`` (its comment in the page names the address already: browsersaves.py).

So, with no tool named: in a page's path relative to the replayed folder, the first folder named like a host (a
registrable domain under a public suffix, or an IPv4 address; an optional port) is the URL's host and the names
after it its path (a folder of 14 digits directly after the host, a valid time, is a capture's, skipped); a last
name ``index.html`` is its directory; a ``.gz`` a user added to the name is no part of it, nor the ``.orig`` of the
original wget's ``--backup-converted`` keeps of a page it converted (wgetnames.py). wget's renames of a
page's name (the ``.html`` of ``--adjust-extension``, the ``@`` its Windows mode writes for ``?``) are undone where
the page names the address they hide (wgetnames.py), and kept otherwise. The scheme is a guess (the one the page's
own absolute links to its host use, else https), and so is a kept rename: an item whose URL was rebuilt so is
flagged ``url_from_path``.
A folder of 14 digits before the host, or directly after it, is the time the page was captured.

A folder named as a ZIP or tar file is (``pages.zip``: ``.zip`` is a top-level domain too) is no host: it is a
bundle unpacked where it lay in the folder replayed (bundles.py), or a folder named after one, and a bundle's name
is the user's, not a mirroring tool's, so its pages get the address they get when it is given alone.

Host names are judged by the public suffix list tldextract bundles (Scrapy depends on it), never fetched
(extract/urls.registrable): a folder named ``v1.2`` or ``notes.backup`` is no host. tldextract is imported only
when a folder looks like a host name, so a replay of a folder without any does not pay for its import.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import re
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timezone
from urllib.parse import quote

from w3lib.url import safe_url_string

from newscrawl.archive.browsersaves import scheme_of
from newscrawl.archive.bundles import SUFFIXES as BUNDLE_SUFFIXES
from newscrawl.archive.wgetnames import backed_up, named_reading, readings
from newscrawl.extract.urls import is_http_url, registrable

_HOST_FOLDER = re.compile(r"(?P<name>[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)+)(?:[:+](?P<port>\d{1,5}))?")
"""A folder named HOST, HOST:PORT or HOST+PORT, dotted labels of letters, digits and hyphens (a cheap first look:
the suffix list decides)."""
_LABEL = re.compile(r"[^\W_]+(?:-+[^\W_]+)*")
_TIMESTAMP = re.compile(r"\d{14}")
_FIRST_WEB_YEAR = 1991
_LONE_PERCENT = re.compile(rb"%(?![0-9A-Fa-f]{2})")
_PATH_SAFE = "!$&'()*+,;=:@~-._%"  # RFC 3986 pchar; "%" keeps the escapes the tool wrote (wget's %2F, %0A)
_QUERY_SAFE = _PATH_SAFE + "/?"
_DIRECTORY_PAGE = "index.html"


def url_from_path(relative: str, published_url: Callable[[], str | None], body: bytes = b"") -> str | None:
    """The URL a mirroring tool's folder names give a page at ``relative`` (its path under the replayed folder, "/"
    between names), or None when no folder is named like a host. ``published_url`` gives the page's own canonical
    link or og:url, whose scheme is taken when it names the same host; else the scheme most of the page's own
    absolute links to its host use (`body`: the page; a Wayback copy's rewritten links name the original's), else
    https. A name wget renamed is read as the address the page names itself by, when it names one (wgetnames.py).

    >>> url_from_path("websites/www.example.org/20190305120000/news/index.html", lambda: None)
    'https://www.example.org/news/'
    >>> url_from_path("www.example.org:8080/article.php?id=5", lambda: None)
    'https://www.example.org:8080/article.php?id=5'
    >>> url_from_path("mirror/example.org/news/story", lambda: "http://www.example.org/")
    'http://example.org/news/story'
    >>> url_from_path("notes.backup/v1.2/story.html", lambda: None) is None
    True
    >>> url_from_path("pages.zip/story.html", lambda: None) is None
    True
    >>> url_from_path("delivery.zip/www.example.org/story.html", lambda: None)
    'https://www.example.org/story.html'
    >>> url_from_path("www.example.org/story@id=7.html", lambda: None, b'<a href="/story?id=7">Permalink</a>')
    'https://www.example.org/story?id=7'
    """
    named = _named(relative)
    if named is None:
        return None
    host, rest, name = named
    backup = backed_up(name)  # -K's original of a converted page: its name before -E, no .html to undo
    written, *others = readings(backup or name, extended=backup is None)
    address = _address(host, rest[:-1], written)
    scheme = scheme_of(address, published_url() or _linked_scheme(body, host))
    url = safe_url_string(f"{scheme}://{address}")  # the host as Scrapy asks for it
    if others and body:
        url = named_reading(body, url, [safe_url_string(f"{scheme}://{_address(host, rest[:-1], other)}")
                                        for other in others]) or url
    return url if is_http_url(url) else None


def urls_from_path(relative: str) -> list[str]:
    """Every URL a mirroring tool's folder names may stand for (as url_from_path reads them): each reading of a
    name wget may have renamed (wgetnames.readings), each under http and https, the scheme being a guess; [] when no
    folder is named like a host. For matching a page saved beside WARCs, by the address its tool saved it under,
    with the WARCs' capture of that address (replay.py): the page's own canonical link may name another address,
    and the scheme url_from_path guesses may not be the one the crawl asked for.

    >>> urls_from_path("127.0.0.1:8765/news/story.html")  # doctest: +NORMALIZE_WHITESPACE
    ['http://127.0.0.1:8765/news/story.html', 'https://127.0.0.1:8765/news/story.html',
     'http://127.0.0.1:8765/news/story', 'https://127.0.0.1:8765/news/story']
    >>> urls_from_path("notes/story.html")
    []
    """
    named = _named(relative)
    if named is None:
        return []
    host, rest, name = named
    backup = backed_up(name)
    found = [safe_url_string(f"{scheme}://{_address(host, rest[:-1], reading)}")
             for reading in readings(backup or name, extended=backup is None) for scheme in ("http", "https")]
    return [url for url in dict.fromkeys(found) if is_http_url(url)]


def _named(relative: str) -> tuple[str, list[str], str] | None:
    """(host, the folders after it, the page's name) that a mirror's path names, or None without a host folder."""
    parts = relative.split("/")
    at = _host_at(parts[:-1])
    if at is None:
        return None
    host, rest = _host(parts[at]) or "", parts[at + 1:]  # _host_at found it one
    if len(rest) > 1 and _capture_time(rest[0]) is not None:  # websites/HOST/YYYYMMDDhhmmss/PATH
        rest = rest[1:]
    name = rest[-1]
    if name.lower().endswith(".gz") and "?" not in name:  # gzipped after the save: the name before it was the URL's
        name = name[:-3]
    return host, rest, name


def _address(host: str, folders: list[str], name: str) -> str:
    """HOST/PATH?QUERY of a page saved as `name` under `folders` (after the host's): the query wget kept in the
    name, a directory's page as the directory."""
    name, asks, query = name.partition("?")
    if name == _DIRECTORY_PAGE:
        name = ""
    path = "/".join(_escaped(part, _PATH_SAFE) for part in [*folders, name])
    return f"{host}/{path}" + (f"?{_escaped(query, _QUERY_SAFE)}" if asks and query else "")


_LINK = re.compile(rb"""(?:href|src)\s*=\s*["']?(?:https?://(?:web|wayback)\.archive\.org/web/\w+/)?(https?)://"""
                   rb"""([^/"'\s>:?#]+)""", re.IGNORECASE)


def _linked_scheme(body: bytes, host: str) -> str | None:
    """A URL of the scheme most of the page's absolute links to `host` (up to "www.") use, for scheme_of; None
    when none links there.

    >>> _linked_scheme(b'<a href="http://www.example.org/a">a</a><img src="http://example.org/b.png">', "example.org")
    'http://example.org/'
    >>> _linked_scheme(b'<a href="https://web.archive.org/web/2012id_/http://example.org/a">', "example.org")
    'http://example.org/'
    >>> _linked_scheme(b'<a href="http://other.example/a">', "example.org") is None
    True
    """
    bare = host.split(":")[0].removeprefix("www.")
    schemes = Counter(scheme.lower() for scheme, linked in _LINK.findall(body[:_LINKS_READ])
                      if linked.decode("ascii", "replace").lower().removeprefix("www.") == bare)
    return f"{schemes.most_common(1)[0][0].decode()}://{bare}/" if schemes else None


_LINKS_READ = 1 << 20  # bytes of a page looked at for its links: a page's own links are in its first megabyte


def time_from_path(relative: str) -> datetime | None:
    """When the page was captured by a folder of its path named YYYYMMDDhhmmss (UTC, a valid time): the one nearest
    before the host folder (waybackpack), else the one directly after it (wayback_machine_downloader's
    --all-timestamps); of a path without a host folder, the one nearest the page. None when there is none.

    >>> time_from_path("pages/20190305120000/www.example.org/news/story.html")
    datetime.datetime(2019, 3, 5, 12, 0, tzinfo=datetime.timezone.utc)
    >>> time_from_path("www.example.org/archive/20190305120000/story.html") is None
    True
    """
    folders = relative.split("/")[:-1]
    at = _host_at(folders)
    candidates = folders[::-1] if at is None else [*folders[:at][::-1], *folders[at + 1:at + 2]]
    return next((time for time in map(_capture_time, candidates) if time is not None), None)


def _host_at(folders: list[str]) -> int | None:
    return next((n for n, folder in enumerate(folders) if _host(folder) is not None), None)


@functools.lru_cache(maxsize=4096)  # a mirror's pages share a few folders; each page's path is looked at
def _host(folder: str) -> str | None:
    """The folder's name as a URL's HOST[:PORT], lower-cased, when it is one; None when it is not."""
    shape = _HOST_FOLDER.fullmatch(folder)
    if shape is None or folder.lower().endswith(BUNDLE_SUFFIXES):  # a ZIP's (or its folder's) name, not a host's
        return None
    name, port = shape.group("name").lower(), shape.group("port")
    if port is not None and not 0 < int(port) < 65536:
        return None
    labels = name.split(".")
    if all(label.isdigit() for label in labels):
        try:
            ipaddress.IPv4Address(name)
        except ValueError:
            return None
    elif len(name) > 253 or any(len(label) > 63 or not _LABEL.fullmatch(label) for label in labels):
        return None
    elif not registrable(name):
        return None
    return f"{name}:{port}" if port else name


def _capture_time(folder: str) -> datetime | None:
    if _TIMESTAMP.fullmatch(folder) is None:
        return None
    try:
        when = datetime.strptime(folder, "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)
    except ValueError:
        return None
    return when if when.year >= _FIRST_WEB_YEAR else None


def _escaped(name: str, safe: str) -> str:
    """A file name as a URL's part: its bytes as the tool wrote them (a name that is not UTF-8 reaches Python as
    lone surrogates: os.fsencode gives its bytes back), percent-encoded where a URL needs it; an escape the tool
    wrote stays one (wget writes "%2F" for a "/" inside a name), a "%" that starts none is encoded."""
    return quote(_LONE_PERCENT.sub(b"%25", os.fsencode(name)), safe=safe)
