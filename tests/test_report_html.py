"""The HTML run report as a browser renders it: headless Chromium loads the page offline, and the test checks
the rendered DOM (plots, table, hostile strings inert) and the screenshot's pixels (the SVG really drew).

Skips only when no Chromium binary is found (Debian: `apt-get install chromium`; or set CHROMIUM=/path).
"""

from __future__ import annotations

import operator
import os
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

import lxml.html
import pytest

from newscrawl import cli
from newscrawl.ops.htmlreport import DRIFT_COLOUR, NEW_COLOUR, REVISION_COLOUR
from tests.test_ops import HOSTILE_URL, drifted, report, write

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars")
WINDOW = (1100, 1400)
RUNS = 12  # run 7 drifts; one more report is damaged


def chromium_binary() -> str | None:
    override = os.environ.get("CHROMIUM")
    if override:
        return shutil.which(override)
    return next((path for name in CANDIDATES if (path := shutil.which(name))), None)


@dataclass
class Rendered:
    dom: lxml.html.HtmlElement
    pixels: Counter[tuple[int, int, int]]
    screenshot: Path


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    binary = chromium_binary()
    if binary is None:
        pytest.skip(f"no Chromium binary (looked for $CHROMIUM and {', '.join(CANDIDATES)} on PATH); "
                    "install Debian's chromium package to run the browser test")
    work = tmp_path_factory.mktemp("report")
    output = work / "output"
    for index in range(RUNS):
        write(output, drifted(index, url=HOSTILE_URL) if index == 7 else report(index))
    (output / "devdiscourse" / "20251121T140000Z-dead00.report.json").write_text("{not json", encoding="utf-8")
    page = work / "report.html"
    assert cli.main(["report", "-o", str(page), "--output", str(output)]) == 0
    screenshot = work / "shot.png"
    done = subprocess.run(
        [binary, *FLAGS, f"--user-data-dir={work / 'profile'}", f"--window-size={WINDOW[0]},{WINDOW[1]}",
         f"--screenshot={screenshot}", "--dump-dom", page.as_uri()],
        capture_output=True, timeout=20, check=False)
    assert done.returncode == 0 and done.stdout, done.stderr.decode(errors="replace")[-2000:]
    return Rendered(lxml.html.fromstring(done.stdout), png_pixels(screenshot.read_bytes()), screenshot)


def png_pixels(data: bytes) -> Counter[tuple[int, int, int]]:
    """Colour histogram of an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes); no imaging library."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, header, compressed = 8, b"", b""
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        chunk = data[position + 8:position + 8 + length]
        header = chunk if kind == b"IHDR" else header
        compressed += chunk if kind == b"IDAT" else b""
        position += 12 + length
    width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour_type in (2, 6) and interlace == 0, "unexpected PNG format"
    channels = 3 if colour_type == 2 else 4
    stride = width * channels
    raw = zlib.decompress(compressed)
    previous = bytearray(stride)
    counts: Counter[tuple[int, int, int]] = Counter()
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 2:  # "up", most rows: one C-level pass instead of a Python loop per byte
            line = bytearray(map(int.__and__, map(operator.add, line, previous), repeat(0xFF, stride)))
        for i in range(stride if kind in (1, 3, 4) else 0):
            left = line[i - channels] if i >= channels else 0
            up, up_left = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                estimate = left + up - up_left
                pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - up_left)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 0xFF
        counts.update(zip(line[0::channels], line[1::channels], line[2::channels]))
        previous = line
    return counts


def rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def test_plots_render_one_bar_pair_per_run_and_one_line_per_field(rendered: Rendered) -> None:
    section = rendered.dom.cssselect('section.spider[data-spider="devdiscourse"]')[0]
    items = section.cssselect("svg.plot.items")[0]
    assert len(items.cssselect("g.run rect.bar.new")) == RUNS
    assert len(items.cssselect("g.run rect.bar.revisions")) == RUNS
    assert len(items.cssselect("g.run.unreadable")) == 1
    assert len(items.cssselect("rect.status")) == RUNS + 1
    assert len(items.cssselect("rect.status-failed")) == 1 and len(items.cssselect("rect.status-unreadable")) == 1
    coverage = section.cssselect("svg.plot.coverage")[0]
    lines = coverage.cssselect("path.coverage-line")
    assert sorted(line.get("data-field") for line in lines) == [
        "body", "dateline", "image_url", "published_at", "title"]
    assert [line.get("data-fields") for line in coverage.cssselect("line.threshold")] == [
        "body published_at title", "dateline image_url"]
    assert len(coverage.cssselect("circle.drift-mark")) == 1
    assert "drift below 98%" in coverage.text_content()


def test_table_lists_every_run_with_hostile_text_inert(rendered: Rendered) -> None:
    rows = rendered.dom.cssselect("table.runs tbody tr")
    assert len(rows) == RUNS + 1
    assert [cell.text_content() for cell in rows[0].cssselect("td")][:3] == [
        "2025-11-21 14:00Z", "devdiscourse", "unreadable"]
    drift_row = next(row for row in rows if row.get("class") == "failed")
    assert HOSTILE_URL in drift_row.text_content()  # shown as text, exactly as the report had it
    assert rendered.dom.cssselect("script, img, iframe, object, embed") == []
    assert rendered.dom.findtext(".//title") == "newscrawl runs"  # the payload never ran


def test_screenshot_shows_bars_lines_and_threshold(rendered: Rendered) -> None:
    total = sum(rendered.pixels.values())
    assert total == WINDOW[0] * WINDOW[1]
    assert rendered.pixels[rgb(NEW_COLOUR)] > 5000, "new-item bars not drawn"
    assert rendered.pixels[rgb(REVISION_COLOUR)] > 500, "revision bars not drawn"
    assert rendered.pixels[rgb(DRIFT_COLOUR)] > 300, "drift threshold / drift marks not drawn"
    assert rendered.pixels[(255, 255, 255)] < total * 0.95, "page is (nearly) blank"
