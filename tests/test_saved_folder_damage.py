"""One damaged file in a folder of saved pages costs only itself (property-based).

A folder of pages saved by browsers and tools (plain HTML with its ``.url`` sidecar, SingleFile, MHTML, Safari's
web archive in its binary and its XML form, a gzipped page) has one file damaged: one to three runs of its bytes
flipped, zeroed, deleted, inserted or cut (tests/test_archive_damage.py), or the file replaced by random bytes.
iter_saved_html raises nothing, yields only pages, problems and NotReplayed, and every other page comes out exactly
as it does from the intact folder (its URL, time, bytes, content type). The damaged file itself may come out as a
page (damage inside its markup is still a page), as one ArchiveProblem naming it, or not at all; a damaged sidecar
may change its own page's URL, no other.
"""

from __future__ import annotations

import gzip
import os
import plistlib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import pytest

from newscrawl.archive.reader import ArchiveProblem
from newscrawl.archive.savedhtml import NotReplayed, SavedPage, iter_saved_html
from tests.test_archive_damage import DAMAGES_APART, apply_damages

Damages = list[tuple[str, float, int, bytes]]
EXAMPLES = int(os.environ.get("NEWSCRAWL_FUZZ_EXAMPLES", "120"))
"""Examples per property: few enough for CI; ``NEWSCRAWL_FUZZ_EXAMPLES=5000 pytest --hypothesis-seed=N`` hunts."""
SAVED_AT = 1765000000


def article(name: str) -> bytes:
    return (f"<!DOCTYPE html><html><head><title>{name}</title><link rel=canonical href='https://news.example/{name}'>"
            f"</head><body><article><h1>{name}</h1><p>{'Reported text. ' * 20}</p></article></body></html>").encode()


def mhtml(name: str) -> bytes:
    boundary = "----MultipartBoundary--abc123----"
    return (f"From: <Saved by Blink>\r\nSnapshot-Content-Location: https://news.example/{name}\r\n"
            f"Subject: {name}\r\nDate: Sat, 6 Dec 2025 10:00:00 -0000\r\nMIME-Version: 1.0\r\n"
            f'Content-Type: multipart/related;\r\n\ttype="text/html";\r\n\tboundary="{boundary}"\r\n\r\n\r\n'
            f"--{boundary}\r\nContent-Type: text/html\r\nContent-ID: <frame-1@mhtml.blink>\r\n"
            f"Content-Transfer-Encoding: quoted-printable\r\nContent-Location: https://news.example/{name}\r\n\r\n"
            f"{article(name).decode().replace('=', '=3D')}\r\n\r\n"
            f"--{boundary}\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n"
            f"Content-Location: https://news.example/logo.png\r\n\r\niVBORw0KGgo=\r\n\r\n--{boundary}--\r\n").encode()


def webarchive(name: str, form: plistlib.PlistFormat) -> bytes:
    return plistlib.dumps({"WebMainResource": {
        "WebResourceData": article(name), "WebResourceURL": f"https://news.example/{name}",
        "WebResourceMIMEType": "text/html", "WebResourceTextEncodingName": "UTF-8", "WebResourceFrameName": ""}},
        fmt=form)


FILES = {
    "plain.html": article("plain"),
    "plain.url": b"https://news.example/plain-from-sidecar\n",
    "single-file.html": b"<!--\n Page saved with SingleFile \n url: https://news.example/single \n saved date: Sat Dec "
                        b"06 2025 10:00:00 GMT+0100 (CET)\n-->" + article("single"),
    "chrome.mhtml": mhtml("chrome"),
    "safari.webarchive": webarchive("safari", plistlib.FMT_BINARY),
    "old-safari.webarchive": webarchive("old-safari", plistlib.FMT_XML),
    "zipped.html.gz": gzip.compress(article("zipped"), mtime=0),
    "found-by-content": article("found-by-content"),
}
PAGES = [name for name in FILES if not name.endswith(".url")]


Saved = dict[str, tuple[str, object, bytes, str, str | None]]


def saved(folder: Path, files: dict[str, bytes]) -> Saved:
    """The folder's pages by file name: URL, fetch time, bytes, content type, truncation."""
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
        os.utime(folder / name, (SAVED_AT, SAVED_AT))
    pages: Saved = {}
    for item in iter_saved_html(folder):
        assert isinstance(item, (SavedPage, ArchiveProblem, NotReplayed))
        if isinstance(item, SavedPage):
            pages[Path(item.path).name] = (item.url, item.fetched_at, item.body, item.content_type, item.truncated)
        if isinstance(item, ArchiveProblem):
            assert "\n" not in item.message
    return pages


@settings(max_examples=EXAMPLES, deadline=None, derandomize="NEWSCRAWL_FUZZ_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(sorted(FILES)), damages=DAMAGES_APART | st.binary(min_size=1, max_size=400))
def test_one_damaged_file_costs_only_itself(tmp_path_factory: pytest.TempPathFactory, name: str,
                                             damages: Damages | bytes) -> None:
    intact = saved(tmp_path_factory.mktemp("intact") / "pages", FILES)
    assert sorted(intact) == sorted(PAGES)
    damaged = damages if isinstance(damages, bytes) else apply_damages(FILES[name], damages)[0]
    pages = saved(tmp_path_factory.mktemp("damaged") / "pages", {**FILES, name: damaged})
    own = name.removesuffix(".url") + ".html" if name.endswith(".url") else name
    for page in PAGES:
        if page != own:
            assert pages.get(page) == intact[page], f"{page} lost or changed by damage to {name}: {damages!r}"


def test_an_xml_web_archive_that_is_not_well_formed_costs_only_itself(tmp_path: Path) -> None:
    """plistlib raises xml.parsers.expat.ExpatError, no ValueError, for an XML property list (what older Safaris
    saved) that is not well-formed: it went out of iter_saved_html, and every page after it was lost."""
    broken = FILES["old-safari.webarchive"].replace(b"</dict>", b"</dict", 1)
    items = list(iter_saved_html(saved_folder(tmp_path, {"a.webarchive": broken, "b.html": article("b")})))
    assert [(Path(item.file).name, item.kind) for item in items if isinstance(item, ArchiveProblem)] == [
        ("a.webarchive", "page-archive")]
    assert [Path(item.path).name for item in items if isinstance(item, SavedPage)] == ["b.html"]


def saved_folder(folder: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def test_a_sidecar_whose_url_urlsplit_refuses_costs_only_its_page_url(tmp_path: Path) -> None:
    """An unclosed "[" in a sidecar's host made urlsplit raise ValueError ("Invalid IPv6 URL") out of
    iter_saved_html: every page after it was lost. It is a bad sidecar now, its page's URL taken from the HTML."""
    folder = saved_folder(tmp_path, {"a.html": article("a"), "a.url": b"https://news.ex[ample/a\n",
                                     "b.html": article("b")})
    items = list(iter_saved_html(folder))
    assert [(Path(item.file).name, item.kind) for item in items if isinstance(item, ArchiveProblem)] == [
        ("a.url", "bad-sidecar")]
    assert [item.url for item in items if isinstance(item, SavedPage)] == ["https://news.example/a",
                                                                           "https://news.example/b"]
