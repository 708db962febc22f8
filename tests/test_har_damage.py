"""Damage anywhere in a HAR costs at most the entry it falls in and, when it stops the reading, what follows it
(property-based).

What the reader promises (har.convert, harstream.read_entries): the HAR is read one entry at a time; an entry with
no response to replay costs only itself; a file cut short or damaged inside its entries, so that the JSON parser
stops there, is converted up to that spot, the spot one finding of `findings`; a file that stops the parser before
its entries begin is no HAR (UnreadableHar, one line), and so is one with no response left to replay. So, whatever
one to three runs of bytes suffered (tests/test_archive_damage.py), converting it raises nothing but UnreadableHar,
and:

* every entry wholly before the first damage, where the damage falls after the entries began, comes out as the
  intact HAR's conversion gives it (URL, status line, headers, body);
* when the reading did not stop (no finding says so), every entry outside the damage comes out so too: damage that
  leaves the JSON whole costs only the entry it falls in.

A gzipped HAR (``.har.gz``) is one deflate stream, read in order (gunzipstream.py): no reader finds its way back
into it after damage, so what is promised is the entries whose compressed bytes all come before the first damage
(the test's stream is flushed at each entry's end, Z_FULL_FLUSH, only so that it knows where they end), each as the
intact HAR's conversion gives it; the stream's damage, or its cut, is one finding. Damage the deflate stream does not
refuse (in a stored block) is seen by the JSON parser or by the gzip CRC at the end, after what came before it.
"""

from __future__ import annotations

import base64
import json
import os
import random
import struct
import zlib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import pytest
from warcio.archiveiterator import ArchiveIterator

from newscrawl.archive import har
from newscrawl.archive.findings import Findings
from tests.test_archive_damage import DAMAGES_APART, apply_damages, untouched

Damages = list[tuple[str, float, int, bytes]]
EXAMPLES = int(os.environ.get("NEWSCRAWL_FUZZ_EXAMPLES", "150"))
"""Examples per property: few enough for CI; ``NEWSCRAWL_FUZZ_EXAMPLES=5000 pytest --hypothesis-seed=N`` hunts."""


def entry(number: int) -> dict[str, object]:
    """One exchange, its body text or base64 (every other one), long enough for damage to land inside."""
    body = f"<html><body><p>story {number}</p><p>{random.Random(number).randbytes(120).hex()}</p></body></html>"
    content: dict[str, object] = {"size": len(body), "mimeType": "text/html"}
    if number % 2:
        content.update(text=base64.b64encode(body.encode()).decode(), encoding="base64")
    else:
        content["text"] = body
    return {"startedDateTime": f"2026-12-07T08:0{number}:00.000Z", "time": 12.5,
            "request": {"method": "GET", "url": f"https://news.example/story-{number}", "httpVersion": "h2",
                        "headers": [{"name": "accept", "value": "text/html"}], "queryString": [], "cookies": [],
                        "headersSize": -1, "bodySize": 0},
            "response": {"status": 200, "statusText": "OK", "httpVersion": "h2",
                         "headers": [{"name": "content-type", "value": "text/html; charset=utf-8"}],
                         "cookies": [], "content": content, "redirectURL": "", "headersSize": -1, "bodySize": -1},
            "cache": {}, "timings": {"send": 0, "wait": 10, "receive": 2.5}}


def recording(count: int = 5) -> tuple[bytes, list[tuple[int, int]]]:
    """A HAR of `count` entries, and each entry's span [its "{", past its "}"] in the bytes."""
    head = json.dumps({"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"}, "pages": []})
    data = f'{{"log": {head[:-1]}, "entries": ['.encode()
    spans = []
    for number in range(count):
        if number:
            data += b", "
        text = json.dumps(entry(number), indent=1).encode()
        spans.append((len(data), len(data) + len(text)))
        data += text
    return data + b"]}}\n", spans


def responses(warc: Path) -> dict[str, tuple[str, list[tuple[str, str]], bytes]]:
    """Each response record of a converted HAR by its URL: status line, headers and body."""
    found = {}
    with open(warc, "rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type == "response":
                found[record.rec_headers.get_header("WARC-Target-URI")] = (
                    record.http_headers.statusline, record.http_headers.headers, record.content_stream().read())
    return found


def converted(folder: Path, data: bytes, name: str = "session.har") -> tuple[
        dict[str, tuple[str, list[tuple[str, str]], bytes]] | None, Findings]:
    path = folder / name
    path.write_bytes(data)
    found = Findings()
    try:
        har.convert(path, folder / "out", found)
    except har.UnreadableHar as error:
        assert "\n" not in str(error)
        return None, found
    return responses(folder / "out" / f"{name}.warc.gz"), found


INTACT, SPANS = recording()


@settings(max_examples=EXAMPLES, deadline=None, derandomize="NEWSCRAWL_FUZZ_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(damages=DAMAGES_APART)
def test_damage_in_a_har_costs_the_entry_it_falls_in_and_what_follows_a_stop(
        tmp_path_factory: pytest.TempPathFactory, damages: Damages) -> None:
    folder = tmp_path_factory.mktemp("har")
    expected, _ = converted(folder, INTACT)
    assert expected is not None and len(expected) == len(SPANS)
    damaged, damage = apply_damages(INTACT, damages)
    got, found = converted(tmp_path_factory.mktemp("damaged"), damaged)
    urls = list(expected)
    stopped = any(problem.kind == "unpack" for problem in found.problems)
    first = damage[0][0]
    before = [url for url, (start, end) in zip(urls, SPANS) if end <= first and first >= SPANS[0][0]]
    promised = before if stopped or got is None else [
        url for url, (start, end) in zip(urls, SPANS) if untouched(start, end, damage)]
    if got is None:
        assert not before, f"refused whole, though {before} lie before {damages}"
        return
    for url in promised:
        assert got.get(url) == expected[url], f"{url} lost or changed by {damages}"


def gzipped_by_entry(data: bytes, spans: list[tuple[int, int]]) -> tuple[bytes, list[int]]:
    """`data` (a HAR) as gzip, flushed at each entry's end, and where each entry's compressed bytes end."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    out, at, ends = [b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"], 0, []
    for _, end in spans:
        out.append(compressor.compress(data[at:end]) + compressor.flush(zlib.Z_FULL_FLUSH))
        ends.append(sum(map(len, out)))
        at = end
    out.append(compressor.compress(data[at:]) + compressor.flush())
    out.append(struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF))
    return b"".join(out), ends


PACKED, PACKED_ENDS = gzipped_by_entry(INTACT, SPANS)


@settings(max_examples=EXAMPLES, deadline=None, derandomize="NEWSCRAWL_FUZZ_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(damages=DAMAGES_APART)
def test_damage_in_a_gzipped_har_costs_the_entries_from_it_on(
        tmp_path_factory: pytest.TempPathFactory, damages: Damages) -> None:
    expected, _ = converted(tmp_path_factory.mktemp("har"), INTACT)
    assert expected is not None
    damaged, damage = apply_damages(PACKED, damages)
    got, found = converted(tmp_path_factory.mktemp("damaged"), damaged, "session.har.gz")
    before = [url for url, end in zip(expected, PACKED_ENDS) if end <= damage[0][0]]
    if got is None:
        assert not before, f"refused whole, though {before} lie before {damages}"
        return
    for url in before:
        assert got.get(url) == expected[url], f"{url} lost or changed by {damages}"


def test_an_entry_whose_url_urlsplit_refuses_costs_only_itself(tmp_path: Path) -> None:
    """An unclosed "[" in an entry's host made urlsplit raise ValueError out of the conversion: the whole HAR was
    lost to a traceback. The entry is counted as not http(s), and the others are converted."""
    entries = [entry(0), entry(1)]
    request = entries[0]["request"]
    assert isinstance(request, dict)
    request["url"] = "https://news.ex[ample/story-0"
    path = tmp_path / "session.har"
    path.write_text(json.dumps({"log": {"version": "1.2", "entries": entries}}))
    found = Findings()
    assert har.convert(path, tmp_path / "out", found) == 1
    assert found.skipped == {"har-not-http": 1}
