"""A HAR is converted one entry at a time, never read whole (har.py), and the WARC it gives is byte for byte the one
the whole-file reader (``json.loads``) gave: its sha256 for each tool's fixture and for JSON's odd corners (numbers
past a float's range, escapes, lone surrogates, keys given twice, NaN) was recorded below before the change.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from newscrawl.archive import har
from newscrawl.archive.bundles import Findings

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
    "nan.har": (1, "b52ebcfbf7732625eb50cb008efca8e09f95d6184f2545f5e9203ce2dfb6727f", {}),
}
"""Each HAR → (responses written, sha256 of the WARC, entries skipped by kind), as the whole-file reader of
CONVERSION "har-3" gave them: streaming changes how a HAR is read, not a byte of what is written."""


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
    (b'{"log": {"entries": []}} {}', "not a readable HAR file: JSONDecodeError: Extra data"),
    (b'{"log": {"entries": []}}', "a HAR file without a response that could be replayed (0 entries)"),
])
def test_a_file_that_is_no_har_is_refused_as_before(content: bytes, message: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.har"
    path.write_bytes(content)
    with pytest.raises(har.UnreadableHar) as refused:
        har.convert(path, tmp_path / "out", Findings())
    assert str(refused.value).startswith(f"{path}: {message}")
    assert not (tmp_path / "out" / "bad.har.warc.gz").exists()
