"""har: peak RSS of converting a 20 MB and a 200 MB HAR into its WARC (target: the 200 MB one's < 1.2× the 20 MB one's).

    python -m benchmarks har [--small 20] [--large 200]

A HAR is converted once into a WARC before its first replay (newscrawl/archive/har.py); what a browser's "Save all
as HAR" writes for an afternoon's reading is hundreds of MB. Each HAR here is a session of article pages as Chrome's
devtools save them over HTTP/2 (pseudo-headers, the body decoded to text while ``content-encoding: gzip`` stays in
the headers): the 41 article responses of samples/devdiscourse.warc.gz again and again, each under its own URL, each
followed by what a page brings (an image kept as base64, a stylesheet as text, a script whose body Chrome did not
keep, a tracker that failed). They are built once into benchmarks/.cache/har/ (gitignored), written entry by entry.

Each conversion runs in a fresh process, which reports its own peak RSS (VmHWM of /proc/self/status: the kernel's
high-water mark, which exec resets, unlike ru_maxrss) and its times. A process that converts nothing is measured
too: the fixed cost of the interpreter and imports, shown for context. The large HAR's peak over the small one's is
the verdict: a reader that holds the whole HAR grows tenfold with it, one that streams its entries not at all.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any, TextIO

from warcio.archiveiterator import ArchiveIterator

from benchmarks.common import ROOT, Options, note, table, verdict, write_result

TARGET_RATIO = 1.2
SAMPLE = ROOT / "samples" / "devdiscourse.warc.gz"
HAR_FORMAT = "1"
"""Bump when the HARs built here change, so a cached one is never measured in place of the new kind."""

_CHILD = """
import json, sys, time
from pathlib import Path
from newscrawl.archive.findings import Findings
from newscrawl.archive.har import convert
wall, cpu = time.perf_counter(), time.process_time()
written = 0
if sys.argv[1]:
    written = convert(Path(sys.argv[1]), Path(sys.argv[2]), Findings())
status = Path("/proc/self/status").read_text()
peak = int(status.split("\\nVmHWM:", 1)[1].split()[0])
print(json.dumps({"written": written, "peak_kib": peak, "wall_s": time.perf_counter() - wall,
                  "cpu_s": time.process_time() - cpu}))
"""
"""The measured process: converts the HAR named by argv[1] (none: only the imports) into the folder argv[2]."""


def _pages() -> list[tuple[str, str, list[tuple[str, str]], str]]:
    """(started, URL, headers, text) of each article response of the sample WARC."""
    pages = []
    with SAMPLE.open("rb") as fh:
        for record in ArchiveIterator(fh):
            url = record.rec_headers.get_header("WARC-Target-URI")
            if record.rec_type == "response" and "/article/" in url:
                pages.append((record.rec_headers.get_header("WARC-Date"), url, list(record.http_headers.headers),
                              record.content_stream().read().decode("utf-8")))
    return pages


def _entry(started: str, url: str, status: int, headers: list[dict[str, str]],
           content: dict[str, Any]) -> dict[str, Any]:
    return {"startedDateTime": started, "time": 41.7,
            "request": {"method": "GET", "url": url, "httpVersion": "h2", "headers": [
                {"name": ":authority", "value": "www.devdiscourse.com"}, {"name": ":method", "value": "GET"},
                {"name": "accept", "value": "text/html,application/xhtml+xml"}, {"name": "user-agent", "value":
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"}],
                        "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
            "response": {"status": status, "statusText": "", "httpVersion": "h2", "headers": [
                {"name": ":status", "value": str(status)}, *headers], "cookies": [], "content": content,
                         "redirectURL": "", "headersSize": -1, "bodySize": -1, "_transferSize": 9000},
            "cache": {}, "timings": {"blocked": 0.4, "dns": -1, "ssl": -1, "connect": -1, "send": 0.1, "wait": 30.2,
                                     "receive": 11.0}, "_resourceType": "document", "_priority": "VeryHigh"}


def _write_session(out: TextIO, megabytes: int) -> int:
    """Entries until the file holds `megabytes` MB; how many."""
    pages, rng = _pages(), random.Random(megabytes)
    image = base64.b64encode(rng.randbytes(20_000)).decode()
    stylesheet = "".join(f".c{n} {{ margin: {n % 17}px; color: #{n:06x}; }}\n" for n in range(180))
    out.write('{"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"}, "pages": [], '
              '"entries": [\n')
    count = 0
    copy = 0
    while out.tell() < megabytes * 1_000_000:
        started, url, headers, text = pages[copy % len(pages)]
        page = f"{url}?copy={copy}"
        recorded = [{"name": "content-encoding", "value": "gzip"}, *({"name": name.lower(), "value": value}
                                                                    for name, value in headers
                                                                    if name.lower() != "content-encoding")]
        entries = [
            _entry(started, page, 200, recorded, {"size": len(text), "mimeType": "text/html", "text": text}),
            _entry(started, f"https://www.devdiscourse.com/img/{copy}.jpg", 200,
                   [{"name": "content-type", "value": "image/jpeg"}],
                   {"size": 20_000, "mimeType": "image/jpeg", "text": image, "encoding": "base64"}),
            _entry(started, f"https://www.devdiscourse.com/css/site.css?v={copy}", 200,
                   [{"name": "content-type", "value": "text/css"}],
                   {"size": len(stylesheet), "mimeType": "text/css", "text": stylesheet}),
            _entry(started, f"https://www.devdiscourse.com/js/app.js?v={copy}", 200,
                   [{"name": "content-type", "value": "application/javascript"}],
                   {"size": 48_000, "mimeType": "application/javascript"}),
            _entry(started, f"https://ads.example/pixel?{copy}", 0, [], {"size": 0, "mimeType": "x-unknown"}),
        ]
        for entry in entries:
            out.write(("" if count == 0 else ",\n") + json.dumps(entry, ensure_ascii=False))
            count += 1
        copy += 1
    out.write("\n]}}\n")
    return count


def session(options: Options, megabytes: int) -> Path:
    """The HAR of about `megabytes` MB (decimal), built once."""
    path = options.cache_dir / "har" / f"session-{megabytes}mb-v{HAR_FORMAT}.har"
    if not path.exists():
        note(f"writing a HAR of {megabytes} MB (once)")
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        with temporary.open("w", encoding="utf-8") as out:
            _write_session(out, megabytes)
        temporary.replace(path)
    return path


def measure(har: Path | None, into: Path) -> dict[str, Any]:
    """Convert `har` (None: nothing) in a fresh process; what it reported."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", _CHILD, str(har or ""), str(into)], env=env, capture_output=True,
                          text=True, timeout=1800, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"converting {har} failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def run(options: Options, small: int = 20, large: int = 200) -> dict[str, Any]:
    if options.quick:
        small, large = min(small, 1), min(large, 4)
    base = measure(None, options.cache_dir / "har" / "out-none")
    rows: list[list[Any]] = [["none (imports only)", 0, 0, base["peak_kib"] / 1024, base["wall_s"], base["cpu_s"]]]
    points: dict[str, Any] = {}
    for megabytes in (small, large):
        path = session(options, megabytes)
        into = options.cache_dir / "har" / f"out-{megabytes}"
        report = measure(path, into)
        (into / f"{path.name}.warc.gz").unlink()
        size_mb = path.stat().st_size / 1e6
        points[str(megabytes)] = {"har_mb": round(size_mb, 1), "responses": report["written"],
                                  "peak_rss_mib": round(report["peak_kib"] / 1024, 1),
                                  "wall_s": round(report["wall_s"], 1), "cpu_s": round(report["cpu_s"], 1)}
        rows.append([f"{size_mb:.0f} MB", report["written"], round(size_mb / report["cpu_s"], 1),
                     report["peak_kib"] / 1024, report["wall_s"], report["cpu_s"]])
    ratio = points[str(large)]["peak_rss_mib"] / points[str(small)]["peak_rss_mib"]
    result = {"points": points, "imports_only_peak_rss_mib": round(base["peak_kib"] / 1024, 1),
              "ratio": round(ratio, 3), "target_ratio": TARGET_RATIO, "verdict": verdict(ratio, TARGET_RATIO)}
    rendered = table(f"har — peak RSS converting a {small} MB and a {large} MB HAR into its WARC",
                     ["HAR", "responses", "MB per CPU s", "peak RSS MiB", "wall s", "CPU s"], rows)
    rendered += (f"\n\npeak RSS {large} MB HAR ÷ {small} MB HAR: {ratio:.2f}× (target < {TARGET_RATIO}×): "
                 f"{result['verdict']}")
    write_result(options, "har", result, rendered)
    return result


def main(argv: list[str] | None = None, options: Options | None = None) -> int:
    cli = argparse.ArgumentParser(prog="python -m benchmarks har", description=__doc__.splitlines()[0])
    cli.add_argument("--small", type=int, default=20, help="size of the small HAR, MB")
    cli.add_argument("--large", type=int, default=200, help="size of the large HAR, MB")
    args = cli.parse_args(argv)
    run(options or Options(), args.small, args.large)
    return 0
