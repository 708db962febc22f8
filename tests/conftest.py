"""The test suite's own cache folder (NEWSCRAWL_CACHE_DIR), unless the caller set one.

Hundreds of tests replay archives they built in a temporary folder, and every replay leaves its index in the cache
folder (docs/operating.md, "Cache"), which keeps only the 256 most recently used. Run against the user's own
cache, one run of the suite evicted every index of the user's real archives, and the next replay of a million-page
archive read it all again to rebuild its index. The folder is made before pytest-xdist starts its workers, which
inherit it with the rest of the environment, so the suite prepares the language tables once, and it is removed
when the run ends.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

_CACHE = "NEWSCRAWL_CACHE_DIR"
_made = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get(_CACHE):
        return  # the caller's choice; also how xdist's workers see the folder their controller made
    folder = tempfile.mkdtemp(prefix="newscrawl-test-cache-")
    os.environ[_CACHE] = folder
    config.stash[_made] = folder


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = config.stash.get(_made, None)
    if folder is not None:
        os.environ.pop(_CACHE, None)
        shutil.rmtree(folder, ignore_errors=True)
