"""The CDXJ index written beside each finished WARC: checked against the records it points at (offset, length,
URL, status, timestamp) and against the `cdxj-indexer` command's own output for the same file."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from cdxj_indexer.main import CDXJIndexer

from newscrawl.archive.cdxj import MIME_END
from newscrawl.archive.warc import WarcWriter, read_at

WARCINFO = {"software": "newscrawl test", "crawl-id": "cdxj-test"}
FIXTURES = Path(__file__).parent / "fixtures" / "devdiscourse"
NAMES = ["afp-note-in-body", "amp-city-no-country", "amp-liveblog"]


def test_each_finished_warc_gets_a_sorted_cdxj_index_pointing_at_its_records(tmp_path: Path) -> None:
    with WarcWriter(tmp_path, "cdxj-test", max_bytes=10**7, warcinfo=WARCINFO) as writer:
        refs = []
        for i, name in enumerate(reversed(NAMES)):  # written out of URL order: the index must sort them
            url = (FIXTURES / f"{name}.url").read_text().strip()
            refs.append(writer.write_exchange(
                url=url, method="GET", request_headers=[("Host", "www.devdiscourse.com")], request_body=b"",
                status=200, reason="OK", http_version="HTTP/1.1",
                response_headers=[("Content-Type", "text/html; charset=utf-8")],
                body=(FIXTURES / f"{name}.html").read_bytes(),
                fetched_at=datetime(2025, 3, 21, 10, i, tzinfo=timezone.utc)))
    [warc] = tmp_path.glob("*.warc.gz")
    index = warc.with_name(warc.name + ".cdxj")
    lines = index.read_text().splitlines()
    keys = [line.split(" ", 2)[:2] for line in lines]
    assert keys == sorted(keys)
    responses = [json.loads(line.split(" ", 2)[2]) for line in lines if '"status"' in line]
    assert len(responses) == len(NAMES)
    for entry in responses:
        assert entry["filename"] == warc.name and entry["status"] == "200"
        exchange = read_at(warc, int(entry["offset"]))
        assert exchange.url == entry["url"] and exchange.status == 200
        assert int(entry["offset"]) in {ref.offset for ref in refs}
        assert entry["mime"] == "text/html"
    # The reference tool's own output for the same file is byte-identical.
    tool = shutil.which("cdxj-indexer") or str(Path(sys.executable).parent / "cdxj-indexer")
    done = subprocess.run([tool, "--sort", str(warc)], capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.splitlines() == lines


def test_index_collected_while_writing_equals_the_tools_for_every_kind_of_exchange(tmp_path: Path) -> None:
    """The writer builds the index from what it writes (no re-read): redirects without Content-Type, error pages,
    lower-case header names, odd URLs, plain and gzipped files and rotation all index exactly as the tool does."""
    body = (FIXTURES / f"{NAMES[0]}.html").read_bytes()
    exchanges = [
        ("https://www.devdiscourse.com/article/x/1-a?utm=1&b=ü", 200, [("content-type", "text/html;charset=utf-8")],
         body),
        ("https://WWW.Devdiscourse.com:443/news", 301, [("Location", "https://www.devdiscourse.com/")], b""),
        ("https://www.devdiscourse.com/missing", 404, [("Content-Type", " text/plain ; x=1")], b"not here"),
        ("http://127.0.0.1:8080/robots.txt", 200, [("Content-Type", "")], b"User-agent: *\n"),
    ]
    tool = shutil.which("cdxj-indexer") or str(Path(sys.executable).parent / "cdxj-indexer")
    for gzip in (True, False):
        folder = tmp_path / f"gzip-{gzip}"
        folder.mkdir()
        with WarcWriter(folder, "kinds", max_bytes=6000, warcinfo=WARCINFO, gzip=gzip) as writer:
            for i, (url, status, headers, payload) in enumerate(exchanges * 3):
                writer.write_exchange(
                    url=url, method="GET", request_headers=[("Accept", "*/*")], request_body=b"", status=status,
                    reason="X", http_version="HTTP/1.1", response_headers=headers, body=payload,
                    fetched_at=datetime(2025, 3, 21, 10, i, tzinfo=timezone.utc))
        warcs = sorted(folder.glob("*.warc.gz" if gzip else "*.warc"))
        assert len(warcs) > 1  # rotation: each file has its own index
        for warc in warcs:
            done = subprocess.run([tool, "--sort", str(warc)], capture_output=True, text=True, check=True,
                                  timeout=60)
            assert warc.with_name(warc.name + ".cdxj").read_text().splitlines() == done.stdout.splitlines()


def test_media_type_rule_is_the_tools_own() -> None:
    """response_line cuts a Content-Type where cdxj-indexer does, without importing the tool during a crawl."""
    assert MIME_END.pattern == CDXJIndexer.RE_SPACE.pattern and MIME_END.flags == CDXJIndexer.RE_SPACE.flags
