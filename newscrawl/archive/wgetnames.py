"""The renames wget makes to a page's file name, undone where the page itself says which address it was saved from.

wget's manual documents two renames of a page's local file (Download Options, HTTP Options; checked with wget 1.21):

- ``--adjust-extension`` (``-E``) appends ``.html`` to the name of a text/html or application/xhtml+xml page that does
  not end in ``.htm`` or ``.html`` (any case), its query included: ``article.php`` → ``article.php.html``,
  ``article.cgi?25`` → ``article.cgi?25.html``, a directory's ``news/?page=2`` → ``news/index.html?page=2.html``;
- ``--restrict-file-names=windows`` (the default on Windows) writes ``@`` instead of ``?`` between the name and its
  query (``story?id=7`` → ``story@id=7``, with -E ``story@id=7.html``), ``+`` instead of ``:`` before a port (a host
  folder's, which mirrorpaths.py reads: it names no path) and escapes ``\\ | : ? " * < >`` as ``%HH``.

Neither is undone by a file's name alone, because the name is also what wget writes for another address: the manual
says itself that wget "can't tell that the local X.html file corresponds to remote URL X", and a ``@`` a URL's path
holds (``/@user/post``) is written as it is in either mode, so ``story@id=7.html`` may be ``/story?id=7``,
``/story@id=7`` or ``/story?id=7.html``. So each reading those two renames allow is an address the page may have
been saved from (``readings``), and one other than the name as written is taken only when the page itself names
that address (a link, a relative canonical link, a form's action, resolved against the page's place) and names
neither the address as written nor another reading (``named_reading``). A page whose canonical link names its
address as written keeps it, and so does a page whose links wget converted to its local files (``--convert-links``
writes them as the names it saved, the renames included): that page names no other address of itself.

Not undone at all: a ``.html`` after a name ending ``.htm`` or ``.html`` (wget adds none there: ``page.html.html`` is
the site's own), the ``.1.html`` wget numbers a name with when it may not overwrite a file, and wget's ``%HH``
escapes (read as the URL's own, which they usually are).

A third name is the backup ``--backup-converted`` (``-K``) keeps of each page ``--convert-links`` (``-k``) rewrote:
the file as fetched, renamed ``X.orig`` before the converted copy is written as ``X``; where -E appended ``.html``,
wget writes ``orig`` over that ``html`` (``article.php.html``'s backup is ``article.php.orig``: its convert.c,
write_backup_file). So a backup's name without ``.orig`` is the page's name before -E, exactly (``backed_up``), and
the converted copy is that name or, after -E, that name plus ``.html`` (``converted_copies``). The backup holds the
server's bytes, its links and canonical link as the site wrote them, which is what a replay answers with (as a WARC
does): it answers the page's URL, and the copy, whose links name local files, is not replayed (savedhtml.py).
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection
from urllib.parse import unquote, urljoin, urlsplit

from w3lib.url import safe_url_string

_ADDED = ".html"
"""What -E appends, as wget writes it: lower case."""
_NOT_ADDED_AFTER = (".htm", ".html")
_LINK = re.compile(rb"""\b(?:href|action)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
_LINKS_READ = 1 << 20  # a page's own links are in its first megabyte (mirrorpaths._LINKS_READ)
BACKUP_SUFFIX = ".orig"
"""What -K's backup of a converted file is named by (wget's ORIG_SFX, but on VMS)."""


def backed_up(name: str) -> str | None:
    """The name of the page whose original the file `name` is, when it is -K's backup of one (``X.orig``): the
    page's name before -E appended ``.html``; None for any other name.

    >>> backed_up("story.html.orig"), backed_up("article.php.orig"), backed_up("story.html"), backed_up(".orig")
    ('story.html', 'article.php', None, None)
    """
    stem = name[: -len(BACKUP_SUFFIX)]
    return stem if name.endswith(BACKUP_SUFFIX) and stem else None


def converted_copies(pages: Collection[str]) -> dict[str, str]:
    """Of the names of a folder's pages, each converted copy -k wrote of a page -K backed up, with its backup's
    name: ``X`` for ``X.orig``, else (-E) ``X.html`` when X does not end ``.htm``/``.html``. A copy named
    exactly by a backup is that backup's, not the -E reading of another's (``story.html`` beside ``story.html.orig``
    and ``story.orig``: the page /story.html, and /story without its copy).

    >>> converted_copies(["story.html", "story.html.orig", "article.php.html", "article.php.orig", "alone.orig"])
    {'story.html': 'story.html.orig', 'article.php.html': 'article.php.orig'}
    """
    copies: dict[str, str] = {}
    backups = {stem: name for name in pages if (stem := backed_up(name)) is not None}
    for stem, backup in backups.items():
        if stem in pages:
            copies[stem] = backup
    for stem, backup in backups.items():
        extended = stem + _ADDED
        if stem not in pages and not stem.lower().endswith(_NOT_ADDED_AFTER) and extended in pages:
            copies.setdefault(extended, backup)
    return copies


def readings(name: str, extended: bool = True) -> list[str]:
    """The names a page saved by wget as `name` (its last path name, query included) may have had before wget's
    renames: `name` itself first, then without the ``.html`` -E appends (unless `extended` is False: the name of
    a backup is the one before -E), then each with a ``@`` read as Windows mode's query separator.

    >>> readings("story@id=7.html")
    ['story@id=7.html', 'story@id=7', 'story?id=7.html', 'story?id=7']
    >>> readings("article.php.html"), readings("page.html.html"), readings("story-7")
    (['article.php.html', 'article.php'], ['page.html.html'], ['story-7'])
    >>> readings("page.html", extended=False)
    ['page.html']
    """
    found = [name]
    stem = name[: -len(_ADDED)]
    if extended and name.endswith(_ADDED) and stem and not stem.lower().endswith(_NOT_ADDED_AFTER):
        found.append(stem)
    for base in list(found):
        if "?" not in base:  # a name with a "?" was written in Unix mode: its "@"s are the URL's own
            found.extend(f"{base[:at]}?{base[at + 1:]}" for at in range(1, len(base)) if base[at] == "@")
    return list(dict.fromkeys(found))


def named_reading(body: bytes, written: str, others: list[str]) -> str | None:
    """Of the addresses `others` (the page's address read from its name otherwise than as `written`), the one the
    page names itself by, when it names exactly one of them and not `written`; None otherwise. Links are compared
    by host, path and query (a mirror's scheme is a guess), after resolving them against `written`.

    >>> page = b'<a href="story?id=7">Permalink</a> <a href="/story?id=8&amp;p=2">Next</a>'
    >>> named_reading(page, "https://a.example/story@id=7.html", ["https://a.example/story?id=7"])
    'https://a.example/story?id=7'
    >>> named_reading(page + b'<a href="story@id=7.html">', "https://a.example/story@id=7.html",
    ...               ["https://a.example/story?id=7"]) is None
    True
    """
    wanted = {_last(address) for address in [written, *others]}
    # a page has hundreds of links: only one holding a wanted name or query in its bytes is decoded, and only one
    # ending in one (up to its fragment) is resolved
    needles = {(query or name).encode() for name, query in wanted}  # the query, where there is one, is rarer
    named: set[tuple[str, str, str]] = set()
    for match in _LINK.finditer(body[:_LINKS_READ]):
        raw = match.group(match.lastindex or 1)  # the one of its three forms the attribute's value took
        if not any(needle in raw for needle in needles):
            continue
        link = html.unescape(raw.decode("utf-8", "replace")).strip()
        if _last(link) in wanted:
            named.add(_key(urljoin(written, link)))
    if _key(written) in named:
        return None
    chosen = [address for address in others if _key(address) in named]
    return chosen[0] if len(chosen) == 1 else None


def _last(link: str) -> tuple[str, str]:
    """What a link to an address holds in any form it may take (absolute, root-relative, relative): its last path
    name and its query, unescaped.

    >>> _last("https://a.example/news/story?id=7#top"), _last("?page=2"), _last("/news/caf%C3%A9")
    (('story', 'id=7'), ('', 'page=2'), ('café', ''))
    """
    path, _, query = link.split("#", 1)[0].partition("?")
    return unquote(path.rsplit("/", 1)[-1]), unquote(query)


def _key(url: str) -> tuple[str, str, str]:
    parts = urlsplit(safe_url_string(url))
    return parts.netloc.lower(), parts.path or "/", parts.query
