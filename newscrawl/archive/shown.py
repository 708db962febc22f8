"""The files of a replay named as the user knows them: a WARC extracted from X.wacz is "X.wacz/archive/y.warc.gz",
not a path in the cache folder it was extracted to (unpack.py), which the user never saw.

Apart from unpack.py, which extracts, so that the modules under it that log an archive's paths (warc.py's index,
indexcache.py) can name them so too without importing it.
"""

from __future__ import annotations

import os
from pathlib import Path

_origins: dict[Path, Path] = {}
"""Each folder unpack.replay_root gave out (as given and resolved) → the .wacz, .har, bundle or folder it was made
for."""


def remember_origin(root: Path, origin: Path) -> None:
    """`root`, a folder of extracted WARCs, stands for `origin` (the .wacz, or the folder of them, the user gave)."""
    _origins[root] = _origins[root.resolve()] = origin


def origin_of(root: Path) -> Path | None:
    """The .wacz (or folder of them) `root` was extracted from, or None when it is no extraction folder."""
    return _origins.get(root)


def shown_name(file: str) -> str:
    """`file` as the user knows it: a WARC extracted from X.wacz is "X.wacz/archive/y.warc.gz" (the WACZ and its
    member), not a path in a cache folder they never saw; any other file as it is."""
    path = Path(file)
    for root, origin in _origins.items():
        if path.is_relative_to(root):
            return str(origin / path.relative_to(root))
    return file


def given_place(file: str) -> str:
    """Where `file` would lie had every archive unpacked for the replay been a folder of the same name at its place:
    a page unpacked from ``/data/pages.zip`` lies at ``/data/pages.zip/story.html``, absolute (the archive's path
    resolved), so a page known by no address gets the ``file://`` URL the same pages in a plain folder there would
    get, on any machine and whatever the cache folder is (savedhtml.py); any other file as it is."""
    path = Path(file)
    for root, origin in _origins.items():
        if path.is_relative_to(root):
            return os.path.normpath(os.path.join(os.path.realpath(origin), path.relative_to(root)))
    return file


def shown_in(message: str) -> str:
    """`message` (a reader's error, which names the file it read) with every extracted WARC named as shown_name
    names it: the problem's file, an OSError's filename and a message's own mention of the path alike."""
    # longest first: a folder's resolved path (/private/tmp/…) may contain the path as given (/tmp/…)
    for root in sorted(_origins, key=lambda root: len(str(root)), reverse=True):
        message = message.replace(str(root), str(_origins[root]))
    return message


def shown_source(path: Path) -> str:
    """A replay's input as the user gave it, for its start-up line: the .wacz (or the folder holding some) rather
    than the cache folder its WARCs were extracted to; any other path as it is."""
    return str(_origins.get(path, path))
