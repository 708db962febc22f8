"""A HAR is converted one entry at a time, never read whole (har.py), and the WARC it gives is byte for byte the one
the whole-file reader (``json.loads``) gave: its sha256 for each tool's fixture and for JSON's odd corners (numbers
past a float's range, escapes, lone surrogates, keys given twice, NaN) was recorded below before the change.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import shutil
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from warcio.archiveiterator import ArchiveIterator

from newscrawl.archive import har, harstream
from newscrawl.archive.findings import Findings
from tests.crawling import run_crawl

FOLDER = Path(__file__).resolve().parent / "fixtures" / "hars-by-other-tools"

_START = '"startedDateTime": "2026-12-07T07:00:00Z"'
_UTF8 = '[{"name": "Content-Type", "value": "text/html; charset=utf-8"}]'


def _entry(url: str, response: str, request_extra: str = "", start: str = _START) -> str:
    """One entry as JSON text, written by hand so that the test says exactly which bytes are read."""
    return (f'{{{start}, "request": {{"method": "GET", "url": "{url}", "headers": []{request_extra}}}, '
            f'"response": {response}}}')


EDGES: dict[str, bytes] = {
    # json.loads gives int for 1, float for 1.0, 1e5 and 1e400 (inf); ijson gives Decimal unless told otherwise.
    "numbers.har": ('{"log": {"version": "1.2", "creator": {"name": "numbers", "version": 1.0}, "entries": [\n' + ",\n".join([
        _entry("https://example.com/a", '{"status": 200, "statusText": 1E5, "httpVersion": 1.1, "headers": [{"name": '
               '"X-Float", "value": 0.1}, {"name": "X-Exp", "value": 2.5e-3}, {"name": "X-Huge", "value": -1e400}, '
               '{"name": "X-Big", "value": 123456789012345678901234567890}, {"name": "X-Precise", "value": '
               '1.00000000000000011102230246251565404236316680908203125}, {"name": "X-Zero", "value": -0.0}, {"name": '
               '"X-Int-Zero", "value": -0}], "bodySize": 0.0, "content": {"size": 0.0, "mimeType": "text/html"}}',
               ', "bodySize": 1e400'),
        _entry("https://example.com/b", '{"status": 200.0, "headers": [], "content": {"text": "b"}}'),
        _entry("https://example.com/c", '{"status": 2e2, "headers": [], "content": {"text": "c"}}'),
        _entry("https://example.com/d", '{"status": 201, "headers": [], "content": {"text": "<p>d</p>"}}',
               ', "postData": {"text": 3.14159265358979323846264338327950288}'),
        _entry("https://example.com/e", '{"status": 1000, "headers": [], "content": {"text": "e"}}'),
        _entry("https://example.com/f", '{"status": 200, "headers": [], "content": {"text": "f"}}',
               start='"startedDateTime": 1.5e9'),
    ]) + "\n]}}").encode(),
    # a byte order mark, CRLF, every escape JSON has, and `creator` and `pages` after `entries`
    "escapes.har": ('\ufeff{"log": {"entries": [\r\n' + ",\r\n".join([
        _entry("https:\\/\\/example.com\\/caf\\u0025C3\\u0025A9?q=\\u0022x\\u0022", '{"status": 200, "statusText": '
               '"\\u004fK", "headers": [{"name": "Content-\\u0054ype", "value": "text/html; charset=\\"iso-8859-1\\""}, '
               '{"name": "X-Tab", "value": "a\\tb\\nc\\rd"}], "content": {"text": "<p>Caf\\u00e9 \\u00ff \\\\ \\/ '
               '\\b\\f</p>"}}'),
        _entry("https://example.com/emoji", '{"status": 200, "headers": ' + _UTF8 + ', "content": {"text": "<p>'
               '\\ud83d\\ude00 \\uD83D\\uDE01 \u00e9 \u20ac \U0001F600 \\u0000 nul</p>"}}'),
        _entry("https://example.com/b64", '{"status": 200, "headers": [], "content": {"encoding": "base\\u0036\\u0034", '
               '"text": "iVBO\\u0052w0KGgo="}}'),
    ]) + '\r\n], "pages": [{"id": "page_1", "title": "\\u00e9"}], "creator": {"name": "esc\\u00e1pes", "version": '
         '"\\u0031.0"}, "version": "1.2"}}\r\n').encode(),
    # JSON allows "\ud800", which is no character: the text keeps it, written as UTF-8 would were it one
    "surrogates.har": ('{"log": {"creator": {"name": "surrogates"}, "entries": [\n' + ",\n".join([
        _entry("https://example.com/utf8", '{"status": 200, "headers": ' + _UTF8 + ', "content": {"text": "a\\ud800b"}}'),
        _entry("https://example.com/undeclared", '{"status": 200, "headers": [], "content": {"text": "<p>\\udfff</p>"}}'),
        _entry("https://example.com/latin", '{"status": 200, "headers": [{"name": "Content-Type", "value": "text/html; '
               'charset=iso-8859-1"}], "content": {"text": "caf\\u00e9 \\udc00\\ud800"}}'),
        _entry("https://example.com/twohigh", '{"status": 200, "headers": [], "content": {"mimeType": "text/html", '
               '"charset": "utf-8", "text": "\\ud800\\ud800\\ude00"}}'),
    ]) + "\n]}}").encode(),
    # a key given twice counts once, by its last value: the last `log`, its last `entries`, an entry's last `request`
    "duplicates.har": ('{"log.entries": [' + _entry("https://example.com/not-the-log", '{"status": 200, "headers": [], '
                       '"content": {"text": "no"}}') + '], "log": {"entries": ['
                       + _entry("https://example.com/first-log", '{"status": 200, "headers": [], "content": {"text": '
                                '"no"}}') + ']}, "log": {"entries": ['
                       + _entry("https://example.com/first-entries", '{"status": 200, "headers": [], "content": '
                                '{"text": "no"}}') + '], "creator": {"name": "first"}, "entries": [' + ",".join([
                           _entry("https://example.com/kept", '{"status": 200, "headers": [], "content": {"text": "x"}, '
                                  '"content": {"text": "kept"}}'),
                           '{"request": {"url": "https://example.com/one-request"}, ' + _START + ', "request": {'
                           '"method": "POST", "url": "https://example.com/two-requests", "headers": []}, "response": '
                           '{"status": 200, "headers": [], "content": {"text": "y"}}}',
                           '{"log": {"entries": []}, ' + _entry("https://example.com/nested-log", '{"status": 200, '
                                                                '"headers": [], "content": {"text": "z"}}')[1:],
                       ]) + '], "creator": {"name": "second", "version": "2"}}, "entries": [1]}').encode(),
    # the same, after entries already handed on: they are handed on again, from the first, not twice
    "late-surrogate.har": ('{"log": {"entries": [' + ",".join([
        _entry("https://example.com/one", '{"status": 200, "headers": ' + _UTF8 + ', "content": {"text": "one"}}'),
        _entry("https://example.com/two", '{"status": 200, "headers": ' + _UTF8 + ', "content": {"text": "two"}}',
               start='"startedDateTime": "2026-12-07T06:00:00Z"'),
        _entry("https://example.com/three", '{"status": 200, "headers": [], "content": {"text": "\\\\\\udbff3"}}'),
    ]) + "]}}").encode(),
    "late-nan.har": ('{"log": {"entries": [' + ",".join([
        _entry("https://example.com/one", '{"status": 200, "headers": [], "content": {"text": "one"}}'),
        _entry("https://example.com/two", '{"status": 200, "headers": [], "content": {"text": "two"}, "bodySize": '
               '-Infinity}', start='"startedDateTime": "2026-12-07T06:00:00Z"'),
    ]) + '], "creator": {"name": "after", "version": NaN}}}').encode(),
    # not JSON (RFC 8259), but Python's json reads it, and Python's json.dumps writes it
    "nan.har": ('{"log": {"entries": [' + _entry("https://example.com/nan", '{"status": 200, "statusText": NaN, '
                '"headers": [{"name": "X-Inf", "value": Infinity}, {"name": "X-Minus", "value": -Infinity}], '
                '"content": {"text": "nan"}, "timings": {"wait": NaN}}') + ']}}').encode(),
}

BEFORE: dict[str, tuple[int, str, dict[str, int]]] = {
    "chrome-har.har": (26, "814376398bb885bbe3540a32582f95627cbce11396662ae8a281011f2f596a2e",
                       {"har-browser-redirect": 3, "har-no-body": 25}),
    "mitmproxy-plain.har": (3, "e8b3673e98968ff7e131af42cbe8152726511a5a2123a9b65857280aa6d8d3a6", {}),
    "mitmproxy.har": (3, "446eab843afe361dc3fbb4de0ec3f446389da19ff608d400b7c0f17d180878b6", {}),
    "playwright.har": (27, "b0f8e642ddf6e57e8212f2d3b587cde57791ba58f40b64b46b4107a449ee84c4",
                       {"har-browser-redirect": 3, "har-failed": 19, "har-no-body": 24}),
    "playwright.zip": (26, "2ea6d6afe6aeb3fe1adc6a5f495036efa6cad2cb68221162255408501ea43a2e",
                       {"har-browser-redirect": 3, "har-failed": 22, "har-no-body": 24}),
    "numbers.har": (2, "b1a1cd1a9d25256b4772b663165baa9cf7b42205a6d359d92213c1a9dafc59d7",
                    {"har-failed": 3, "har-no-start-time": 1}),
    "escapes.har": (3, "df10bcbe49ffd2af756f0115d61b9217f92d65645dfedcdb6d6b7a21f862f7f0", {}),
    "surrogates.har": (4, "04c442c50f6ae57ccbb9a31dca30d8ab2ceca72e9c6677b31ad617ebb8ca206c", {}),
    "duplicates.har": (3, "198eab6b627147c5a0060d70921d9bed2043d5dd619fa8072c03f06729c1945e", {}),
    "late-surrogate.har": (3, "640c50928c7d88b4c2a21d219218c796b1193aeaf3a1a8ee605592c3155c72ca", {}),
    "late-nan.har": (2, "5d384a8cec7c570a59c0767eb419a60a9261830bef316e91e286c087ea71cf9e", {}),
    "nan.har": (1, "b52ebcfbf7732625eb50cb008efca8e09f95d6184f2545f5e9203ce2dfb6727f", {}),
}
"""Each HAR → (responses written, sha256 of the WARC, entries skipped by kind), as the whole-file reader of
CONVERSION "har-3" gave them (main's har.py at 4918ea1; the two late-… cases by that file run beside the streaming
one): streaming changes how a HAR is read, not a byte of what is written."""


def source(name: str, folder: Path) -> Path:
    """The HAR named `name`: a fixture (Playwright's ZIP: its har.har, extracted beside its bodies) or an edge case."""
    if name in EDGES:
        path = folder / name
        path.write_bytes(EDGES[name])
        return path
    if name.endswith(".zip"):
        with zipfile.ZipFile(FOLDER / name) as bundle:
            bundle.extractall(folder / "zip")
        return folder / "zip" / "har.har"
    return FOLDER / name


@pytest.mark.parametrize("name", BEFORE)
def test_the_warc_is_byte_for_byte_the_one_the_whole_file_reader_wrote(name: str, tmp_path: Path) -> None:
    found = Findings()
    path = source(name, tmp_path)
    written = har.convert(path, tmp_path / "out", found)
    digest = hashlib.sha256((tmp_path / "out" / f"{path.name}.warc.gz").read_bytes()).hexdigest()
    assert (written, digest, dict(found.skipped)) == BEFORE[name]
    assert not found.problems


@pytest.mark.parametrize("content, message", [
    (b"", "not a readable HAR file: JSONDecodeError: Expecting value: line 1 column 1 (char 0)"),
    (b"{not json", "not a readable HAR file: JSONDecodeError: Expecting property name enclosed in double quotes"),
    (b"<html><body>Not Found</body></html>", "not a readable HAR file: JSONDecodeError: Expecting value"),
    (b"[]", "not a readable HAR file: TypeError: list indices must be integers or slices, not str"),
    (b"{}", "not a readable HAR file: KeyError: 'log'"),
    (b'{"log": null}', "not a readable HAR file: TypeError: 'NoneType' object is not subscriptable"),
    (b'{"log": {"entries": {}}}', "not a readable HAR file: TypeError: log.entries is not a list"),
    (b'{"log": {"entries": [], "entries": 5}}', "not a readable HAR file: TypeError: log.entries is not a list"),
    (b'{"creator": "\xff", "log": {"entries": []}}', "not a readable HAR file: UnicodeDecodeError: 'utf-8' codec can't"),
    (b'{"log": {"entries": []}} {}', "a HAR file without a response that could be replayed (0 entries; damaged after "
                                     "its 0 entries, which were read whole: parse error: trailing garbage)"),
    (b'{"log": {"entries": []}}', "a HAR file without a response that could be replayed (0 entries)"),
])
def test_a_file_that_is_no_har_is_refused_as_before(content: bytes, message: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.har"
    path.write_bytes(content)
    with pytest.raises(har.UnreadableHar) as refused:
        har.convert(path, tmp_path / "out", Findings())
    assert str(refused.value).startswith(f"{path}: {message}")
    assert not (tmp_path / "out" / "bad.har.warc.gz").exists()


def _responses(warc: Path) -> list[tuple[str, bytes]]:
    with warc.open("rb") as fh:
        return [(r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read()) for r in ArchiveIterator(fh)
                if r.rec_type == "response"]


def _damaged(tmp_path: Path, how: str) -> Path:
    """playwright.har cut short (a download stopped, a tool killed while writing) or garbled in the middle of its
    50th entry, the document of its third article: 49 whole entries before, the first two articles among them."""
    raw = (FOLDER / "playwright.har").read_bytes()
    pages = 1  # `pages` comes before `entries` in Playwright's HAR, and each page has a startedDateTime too
    start = [n for n in range(len(raw)) if raw.startswith(b'"startedDateTime"', n)][pages + 49]
    middle = start + 5000  # inside the article's text
    path = tmp_path / f"{how}.har"
    path.write_bytes(raw[:middle] if how == "cut" else raw[:middle] + b"\x00\x00@@" + raw[middle:])
    return path


@pytest.mark.parametrize("how, why", [("cut", "parse error: premature EOF"),
                                      ("garbled", "lexical error: invalid character inside string.")])
def test_a_har_cut_short_or_garbled_gives_the_entries_before_and_one_finding_naming_it(
        how: str, why: str, tmp_path: Path) -> None:
    """The whole-file reader refused such a HAR outright (JSONDecodeError), losing every entry it held."""
    whole = har.convert(FOLDER / "playwright.har", tmp_path / "whole", Findings())
    path = _damaged(tmp_path, how)
    found = Findings()
    written = har.convert(path, tmp_path / "out", found)
    assert [(problem.file, problem.kind, problem.message) for problem in found.problems] == [
        (str(path), "unpack", f"cut short or damaged after 49 entries: {why}")]
    responses = _responses(tmp_path / "out" / path.name.replace(".har", ".har.warc.gz"))
    assert 0 < written == len(responses) < whole
    assert responses == _responses(tmp_path / "whole" / "playwright.har.warc.gz")[:written]
    assert sum(1 for url, _ in responses if "/article/" in url) == 2


def test_a_replay_of_a_cut_har_gives_its_articles_and_says_the_file_is_damaged(tmp_path: Path) -> None:
    path = _damaged(tmp_path, "cut")
    done = run_crawl(tmp_path / "run", "devdiscourse", "-a", f"replay={path}", "-O", "out.jsonl",
                     env={"NEWSCRAWL_PLAIN_CACHE": str(tmp_path / "cache")})
    assert done.returncode == 0 and "Traceback" not in done.log, done.log[-3000:]
    assert len(done.feed_items("out.jsonl")) == 2
    assert (f"Damaged input {path} at offset 0 (unpack): cut short or damaged after 49 entries: parse error: "
            "premature EOF") in done.log
    assert done.stat("newscrawl/replay/archive_problems/unpack") == 1


def test_a_gzipped_har_is_the_har_it_holds_and_one_cut_short_gives_the_entries_before(tmp_path: Path) -> None:
    """sitespeed.io and WebPageTest write .har.gz; a 500 MB HAR is gzipped to be kept. It was no replay source."""
    raw = (FOLDER / "playwright.har").read_bytes()
    whole = har.convert(FOLDER / "playwright.har", tmp_path / "plain", Findings())
    packed = tmp_path / "session.har.gz"
    packed.write_bytes(gzip.compress(raw, mtime=0))
    found = Findings()
    assert har.convert(packed, tmp_path / "gz", found) == whole and not found.problems
    assert _responses(tmp_path / "gz" / "session.har.gz.warc.gz") == _responses(
        tmp_path / "plain" / "playwright.har.warc.gz")
    cut = tmp_path / "cut.har.gz"
    cut.write_bytes(packed.read_bytes()[:len(packed.read_bytes()) // 2])
    found = Findings()
    written = har.convert(cut, tmp_path / "cut", found)
    assert 0 < written < whole and [(p.file, p.kind) for p in found.problems] == [(str(cut), "unpack")]
    folder = tmp_path / "folder"
    folder.mkdir()
    shutil.copy(packed, folder / "session.har.gz")
    done = run_crawl(tmp_path / "run", "devdiscourse", "-a", f"replay={folder}", "-O", "out.jsonl",
                     env={"NEWSCRAWL_PLAIN_CACHE": str(tmp_path / "cache")})
    assert done.returncode == 0 and "Traceback" not in done.log, done.log[-3000:]
    assert len(done.feed_items("out.jsonl")) == 3


class _Trickle(io.BytesIO):
    """A file that hands out at most `most` bytes a sized read: every escape and number is cut by some read."""

    def __init__(self, data: bytes, most: int) -> None:
        super().__init__(data)
        self.most = most

    def read(self, size: int | None = -1) -> bytes:
        return super().read(size if size is None or size < 0 else min(size, self.most))


_TEXT = st.text(alphabet=st.sampled_from(["a", "é", "\\", '"', "/", "u", "d", "8", "c", "\x00", "\n", "\ud800",
                                          "\udbff", "\udc00", "\U0001F600", "\u20ac"]), max_size=8)
_VALUES = st.recursive(st.none() | st.booleans() | st.integers(min_value=-10**30, max_value=10**30) | st.floats()
                       | _TEXT, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
                       max_leaves=10)


@settings(max_examples=300, deadline=None)
@given(entries=st.lists(_VALUES, max_size=4), creator=_VALUES, most=st.integers(min_value=1, max_value=9))
def test_each_entry_and_the_log_are_what_json_loads_gives(entries: list[Any], creator: Any, most: int) -> None:
    """Any JSON, read a few bytes at a time: lone surrogates, escapes cut by a read, NaN and Infinity (which
    json.dumps writes for a float it cannot give as a number), numbers of every kind."""
    raw = json.dumps({"log": {"entries": entries, "creator": creator, "pages": [creator]}}).encode()
    got: list[Any] = []
    reading = harstream.read_entries(_Trickle(raw, most), got.clear, got.append)
    expected = json.loads(raw)["log"]
    assert repr(got) == repr(expected["entries"])
    assert repr(reading.log) == repr({**expected, "entries": []})
    assert (reading.stopped, reading.entries, reading.sha256) == (None, len(entries), hashlib.sha256(raw).hexdigest())


class _Watched(io.BytesIO):
    """A file that keeps the largest read asked of it (a read of everything counts as its size), and how far it had
    been read when each entry was handed on."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.largest = 0
        self.read_to: list[int] = []

    def read(self, size: int | None = -1) -> bytes:
        self.largest = max(self.largest, len(self.getbuffer()) if size is None or size < 0 else size)
        return super().read(size)


def _timed_entry(number: int) -> dict[str, Any]:
    """An entry as Chrome's devtools writes one, with the timings a browser could not measure as NaN or Infinity."""
    return {"startedDateTime": "2026-12-07T07:00:00Z", "time": float("nan") if number % 3 else 12.5,
            "request": {"method": "GET", "url": f"https://example.com/{number}", "headers": []},
            "response": {"status": 200, "headers": [], "content": {"text": f"<p>{number}</p>" + "x" * 400}},
            "timings": {"blocked": float("-inf"), "dns": -1, "ssl": float("inf"), "wait": float("nan")}}


@pytest.mark.parametrize("how", ["nan", "garbage-after-a-cut"])
def test_a_har_that_stops_ijson_in_its_middle_is_still_read_entry_by_entry(how: str) -> None:
    """NaN and Infinity outside strings, or garbage after a cut, stopped ijson in the middle of the file, which was
    then read whole by json.loads: a read of the whole file, the memory of the whole file. Each entry is still what
    json.loads reads it as, and the first is handed on long before the end of the file is read."""
    entries = [_timed_entry(number) for number in range(3000)]
    raw = json.dumps({"log": {"version": "1.2", "creator": {"name": "devtools", "version": float("nan")},
                              "entries": entries}}).encode()
    if how != "nan":  # a download cut in its 2000th entry, then the file written again after it
        cut_at = raw.index(b'"https://example.com/1999"')
        raw = raw[:cut_at] + b"\0" * 100 + raw
    assert len(raw) > 2_000_000
    fh = _Watched(raw)
    got: list[Any] = []

    def begin() -> None:
        got.clear()
        fh.read_to.clear()

    def handed_on(entry: Any) -> None:
        got.append(entry)
        fh.read_to.append(fh.tell())

    reading = harstream.read_entries(fh, begin, handed_on)
    assert fh.largest <= 1 << 20 and fh.read_to[0] < len(raw) // 4
    if how == "nan":
        assert reading.stopped is None and repr(got) == repr(json.loads(raw)["log"]["entries"])
        assert repr(reading.log) == repr({**json.loads(raw)["log"], "entries": []})
    else:
        assert repr(got) == repr(json.loads(json.dumps(entries[:1999])))
        assert reading.stopped == "cut short or damaged after 1999 entries: lexical error: invalid char in json text."
    assert reading.sha256 == hashlib.sha256(raw).hexdigest()
