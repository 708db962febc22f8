"""A CDXJ index beside each finished WARC (``<file>.warc.gz.cdxj``), as pywb, OutbackCDX and other wayback tools
read it: one sorted line per record, ``<SURT> <14-digit timestamp> {"url", "mime", "status", "digest", "length",
"offset", "filename"}``.

Written by the cdxj-indexer package (webrecorder's reference implementation of the format, built on warcio like
our reader), so the index is exactly what those tools expect. An index that cannot be written is logged and
skipped: the WARC itself, the evidence, is already complete.

The writer does not re-read a file it has just written: it collects each response record's line as it writes it
(``response_line``, the same fields and encoding cdxj-indexer derives from the record, checked byte for byte
against the tool in tests/test_archive_cdxj.py) and writes them sorted when the file is finished
(``write_lines``). Re-reading cost a live crawl a second gunzip and digest of every record. ``write_cdxj`` indexes
a file from its bytes, for files whose records were not written by this process (a killed run's, recover.py).
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from warcio.exceptions import ArchiveLoadFailed
from warcio.timeutils import iso_date_to_timestamp

logger = logging.getLogger(__name__)

SUFFIX = ".cdxj"
MIME_END = re.compile(r"[;\s]")
"""Where a Content-Type's media type ends: cdxj-indexer's own ``CDXJIndexer.RE_SPACE`` (the pattern is checked
against the tool's in tests/test_archive_cdxj.py). Kept here so that collecting index lines while a crawl writes
never imports cdxj_indexer (~0.2 s of CPU for requests, pyamf and pkg_resources, in every crawl)."""


@cache
def _module(name: str) -> Any:
    """``surt`` (cdxj-indexer's own SURT rule) or ``cdxj_indexer.main``, imported when an index is first written.

    Importing them costs ~120 ms of CPU (tldextract, pyamf, pkg_resources) in every process that loads the archive
    package, and a replay, ``verify`` or a parallel replay's worker never writes an index: at module level that was
    about 0.1 ms per page of a 1,000-page replay. Not a cycle being dodged: neither module imports ours.
    """
    return importlib.import_module(name)


def _indexer() -> Any:
    return _module("cdxj_indexer.main").CDXJIndexer


def write_cdxj(warc: Path) -> Path | None:
    """Index ``warc`` into ``<warc>.cdxj`` (sorted, written atomically); None when it could not be written."""
    target = warc.with_name(warc.name + SUFFIX)
    partial = target.with_name(target.name + ".tmp")
    try:
        _indexer()(str(partial), [str(warc)], sort=True, filename=warc.name).process_all()
        os.replace(partial, target)
    except (OSError, ValueError, ArchiveLoadFailed) as error:
        logger.error("CDXJ index of %(warc)s not written: %(error)s", {"warc": warc, "error": error})
        partial.unlink(missing_ok=True)
        return None
    return target


def response_line(*, url: str, warc_date: str, content_type: str | None, status: str, payload_digest: str | None,
                  offset: int, length: int, filename: str) -> str:
    """The index line cdxj-indexer writes for one ``response`` record (its default fields, in its order; a field
    the record lacks is left out, as the tool does)."""
    fields: dict[str, str] = {"url": url}
    if content_type is not None:
        value = content_type.strip()  # as warcio's header parser reads it back from the file
        fields["mime"] = MIME_END.split(value, 1)[0].strip() if value else value
    fields["status"] = status
    if payload_digest is not None:
        fields["digest"] = payload_digest
    fields.update({"length": str(length), "offset": str(offset), "filename": filename})
    return f"{_url_key(url)} {iso_date_to_timestamp(warc_date)} {json.dumps(fields)}\n"


def write_lines(warc: Path, lines: Iterable[str]) -> Path | None:
    """Write ``<warc>.cdxj`` from lines made by ``response_line`` (sorted here, written atomically); None when it
    could not be written."""
    target = warc.with_name(warc.name + SUFFIX)
    partial = target.with_name(target.name + ".tmp")
    try:
        with partial.open("w", encoding="utf-8") as handle:
            handle.writelines(sorted(lines))
        os.replace(partial, target)
    except OSError as error:
        logger.error("CDXJ index of %(warc)s not written: %(error)s", {"warc": warc, "error": error})
        partial.unlink(missing_ok=True)
        return None
    return target


def _url_key(url: str) -> str:
    """SURT form of ``url``, or the URL itself where SURT fails: cdxj-indexer's own rule (get_url_key)."""
    try:
        key: str = _module("surt").surt(url)
    except Exception:  # the tool falls back on any error too: an odd URL is indexed as it is, never dropped
        return url
    return key
