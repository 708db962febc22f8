"""A killed run's WARC files, finished under their final names so its items verify.

The writer names a file `<name>.open` until it closes it (writer.py); a killed run leaves that file with a torn
last record at worst. When the next run reconciles the killed one, each of its `.open` files is cut back to the
end of its last intact record and renamed to the final name its items' provenance.archive.file already gives, so
`newscrawl verify` over output/ passes after any kill. A file whose final name is taken is left as it is, with a
warning (read_at still finds `.open` twins).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from newscrawl.archive.cdxj import write_cdxj
from newscrawl.archive.reader import ArchiveProblem, scan_records

logger = logging.getLogger(__name__)

PARTIAL_SUFFIX = ".open"


def finish_killed_warcs(directory: Path, crawl_id: str) -> list[Path]:
    """Finish every `<crawl id>*.warc[.gz].open` in `directory`; return the final paths."""
    finished = []
    for partial in sorted(directory.glob(f"{crawl_id}*.warc*{PARTIAL_SUFFIX}")):
        final = partial.with_name(partial.name[: -len(PARTIAL_SUFFIX)])
        if final.exists():
            logger.warning("Killed run's WARC %(partial)s left as it is: %(final)s exists",
                           {"partial": partial, "final": final})
            continue
        torn = next((item.offset for item in scan_records(partial)
                     if isinstance(item, ArchiveProblem) and item.kind == "truncated"), None)
        with open(partial, "r+b") as fh:
            if torn is not None:
                fh.truncate(torn)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(partial, final)
        write_cdxj(final)
        logger.warning("Killed run's WARC finished as %(final)s%(cut)s", {
            "final": final, "cut": f" (torn record from offset {torn} cut off)" if torn is not None else ""})
        finished.append(final)
    return finished
