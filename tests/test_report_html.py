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
    return render(binary, work, page)


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


# ---- a real time axis, and cron cadence (issue 19) -------------------------------------------------------------
def render(binary: str, work: Path, page: Path, window: tuple[int, int] = WINDOW) -> Rendered:
    screenshot = work / f"{page.stem}.png"
    done = subprocess.run(
        [binary, *FLAGS, f"--user-data-dir={work / 'profile'}", f"--window-size={window[0]},{window[1]}",
         f"--screenshot={screenshot}", "--dump-dom", page.as_uri()],
        capture_output=True, timeout=60, check=False)
    assert done.returncode == 0 and done.stdout, done.stderr.decode(errors="replace")[-2000:]
    return Rendered(lxml.html.fromstring(done.stdout), png_pixels(screenshot.read_bytes()), screenshot)


def needs_chromium() -> str:
    binary = chromium_binary()
    if binary is None:
        pytest.skip("no Chromium binary; install Debian's chromium package to run the browser test")
    return binary


def test_three_runs_in_one_minute_sit_apart_on_a_time_axis(tmp_path: Path) -> None:
    """Three runs all labelled "12-04 00:31" under the old run-index axis: now each stands at its time, and the
    axis is labelled to the second."""
    from datetime import timedelta

    from tests.test_ops import START

    output = tmp_path / "output"
    for index, seconds in enumerate((0, 17, 41)):
        data = report(index)
        started = START + timedelta(seconds=seconds)
        data.update(crawl_id=f"{started:%Y%m%dT%H%M%SZ}-{index:06x}", started_at=started.isoformat(),
                    finished_at=(started + timedelta(seconds=5)).isoformat())
        if index == 1:
            data.update(status="fetch-failures", exit_code=4)
        write(output, data)
    page = tmp_path / "three.html"
    assert cli.main(["report", "-o", str(page), "--output", str(output)]) == 0
    shown = render(needs_chromium(), tmp_path, page)
    items = shown.dom.cssselect("svg.plot.items")[0]
    xs = [float(bar.get("x")) for bar in items.cssselect("g.run rect.bar.new")]
    assert len(xs) == 3 and xs == sorted(xs) and (xs[2] - xs[1]) > (xs[1] - xs[0]), "placed by time, 17 s vs 24 s"
    labels = [label.text_content() for label in items.cssselect("text.time-label")]
    assert len(set(labels)) == len(labels) == 6 and labels[0].startswith("2025-11-21 10:00:")
    assert len(items.cssselect("rect.status-failed")) == 1


def test_three_thousand_runs_stay_a_small_page_with_failures_visible(tmp_path: Path) -> None:
    """Cron cadence: 3,000 runs 15 minutes apart (a month). Plots group by day, the page stays small, and the
    failed and killed runs are still listed and marked; errors by kind and articles per day and agency show."""
    from datetime import timedelta

    from newscrawl.state.store import StateStore
    from tests.test_ops import START

    output = tmp_path / "output"
    for index in range(3000):
        data = drifted(index) if index in (700, 2990) else report(index)
        data["counts"]["published_days"] = {f"{(START + timedelta(minutes=15 * index)).date()}": 20}
        data["counts"]["agencies"] = {"Reuters": 3, "PTI": 2}
        write(output, data)
    store = StateStore(output / "state" / "devdiscourse.sqlite")
    store.start_run("20251231T235900Z-dead01", "devdiscourse", "2025-12-31T23:59:00+00:00", None)
    store.finish_run("20251231T235900Z-dead01", "", "killed")
    store.close()
    page = tmp_path / "month.html"
    assert cli.main(["report", "-o", str(page), "--output", str(output)]) == 0
    size = page.stat().st_size
    assert size < 600_000, f"{size} bytes"
    shown = render(needs_chromium(), tmp_path, page, window=(1100, 2400))
    items = shown.dom.cssselect("svg.plot.items")[0]
    days = items.cssselect("g.run rect.bar.new")
    assert 30 <= len(days) <= 33, "one bar per day"
    assert len(items.cssselect("rect.status-failed")) == 2 and len(items.cssselect("rect.status-killed")) == 1
    assert len(set(label.text_content() for label in items.cssselect("text.time-label"))) == 6
    killed = shown.dom.cssselect("table.runs tr.killed")
    assert len(killed) == 1 and "20251231T235900Z-dead01" in killed[0].text_content() or \
        "killed" in killed[0].text_content()
    assert len(shown.dom.cssselect("table.runs tr.failed")) == 2, "both drifted runs listed"
    errors = shown.dom.cssselect("table.errors")[0].text_content()
    assert "HttpError500" in errors and "6000" in errors
    assert "Reuters" in shown.dom.cssselect("table.counts.agencies")[0].text_content()
    assert "2025-12-21" in shown.dom.cssselect("table.counts.published_days")[0].text_content()  # 3,000 × 15 min
    docs_image = Path(__file__).resolve().parent.parent / "docs" / "img" / "report.png"
    if os.environ.get("NEWSCRAWL_SAVE_SCREENSHOT"):  # refresh the README's picture: NEWSCRAWL_SAVE_SCREENSHOT=1
        docs_image.parent.mkdir(exist_ok=True)
        shutil.copy(shown.screenshot, docs_image)
