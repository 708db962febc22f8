"""A CDXJ index beside each finished WARC (``<file>.warc.gz.cdxj``), as pywb, OutbackCDX and other wayback tools
read it: one sorted line per record, ``<SURT> <14-digit timestamp> {"url", "mime", "status", "digest", "length",
"offset", "filename"}``.

Written by the cdxj-indexer package (webrecorder's reference implementation of the format, built on warcio like
our reader), so the index is exactly what those tools expect. An index that cannot be written is logged and
skipped: the WARC itself, the evidence, is already complete.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from cdxj_indexer.main import CDXJIndexer
from warcio.exceptions import ArchiveLoadFailed

logger = logging.getLogger(__name__)

SUFFIX = ".cdxj"


def write_cdxj(warc: Path) -> Path | None:
    """Index ``warc`` into ``<warc>.cdxj`` (sorted, written atomically); None when it could not be written."""
    target = warc.with_name(warc.name + SUFFIX)
    partial = target.with_name(target.name + ".tmp")
    try:
        CDXJIndexer(str(partial), [str(warc)], sort=True, filename=warc.name).process_all()
        os.replace(partial, target)
    except (OSError, ValueError, ArchiveLoadFailed) as error:
        logger.error("CDXJ index of %(warc)s not written: %(error)s", {"warc": warc, "error": error})
        partial.unlink(missing_ok=True)
        return None
    return target
