"""Rebuild samples/devdiscourse.warc.gz: a live crawl of the loopback Devdiscourse mirror, archived as usual.

    python samples/build.py [--articles 40]

The mirror (tests/sitegen) re-creates the site's templates from ../shared/devdiscourse/STRUCTURE.md and serves
the seed article plus a varied corpus; the sample is exactly what `scrapy crawl devdiscourse` archived from it,
so `scrapy crawl devdiscourse -a replay=samples/devdiscourse.warc.gz` replays a real run (its warcinfo records the
mirror's base_url, so no argument is needed).
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.crawling import FAST, run_crawl  # noqa: E402
from tests.sitegen.corpus import corpus, seed_spec  # noqa: E402
from tests.sitegen.server import MirrorServer, build_devdiscourse_mirror  # noqa: E402

logger = logging.getLogger("samples.build")
TARGET = ROOT / "samples" / "devdiscourse.warc.gz"


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--articles", type=int, default=40, help="corpus articles besides the seed (default 40)")
    args = cli.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with tempfile.TemporaryDirectory() as scratch, MirrorServer(
            build_devdiscourse_mirror([seed_spec(), *corpus(args.articles)])) as server:
        server.chunked_prefixes = ["/article/politics"]  # the sample shows de-chunked, marked records too
        result = run_crawl(Path(scratch), "devdiscourse", "-a", f"base_url={server.base_url}", settings=FAST)
        if result.returncode != 0:
            logger.error("crawl failed:\n%s", result.log[-3000:])
            return 1
        [warc] = result.output_files("*.warc.gz")
        shutil.copyfile(warc, TARGET)
        logger.info("wrote %s (%d bytes, %s items)", TARGET.relative_to(ROOT), TARGET.stat().st_size,
                    result.stat("item_scraped_count"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
