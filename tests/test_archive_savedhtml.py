"""Saved-HTML folders: URL resolution order, .html.gz, and refusal of anything outside the folder."""

from __future__ import annotations

import gzip
import hashlib
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from newscrawl.archive.warc import ArchiveProblem, SavedPage, iter_saved_html


def html(head: str = "", body: str = "<p>text</p>") -> bytes:
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>".encode()


CANONICAL = '<link rel="canonical" href="https://example.com/canonical">'
OG_URL = '<meta property="og:url" content="https://example.com/og">'


def pages(folder: Path) -> dict[str, SavedPage]:
    items = list(iter_saved_html(folder))
    assert not [i for i in items if isinstance(i, ArchiveProblem)]
    return {p.path.name: p for p in items if isinstance(p, SavedPage)}


def test_url_comes_from_sidecar_then_canonical_then_og_url_then_the_file(tmp_path: Path) -> None:
    (tmp_path / "sidecar.html").write_bytes(html(CANONICAL + OG_URL))
    (tmp_path / "sidecar.url").write_text("\n  https://example.com/from-sidecar  \nhttps://ignored\n")
    (tmp_path / "canonical.html").write_bytes(html(OG_URL + CANONICAL))
    (tmp_path / "rel-tokens.html").write_bytes(
        html('<link rel="Alternate CANONICAL" href="https://example.com/tokens">'))
    (tmp_path / "og.htm").write_bytes(html(OG_URL))
    (tmp_path / "relative.html").write_bytes(
        html('<link rel="canonical" href="/relative"><meta property="og:url" content="//example.com/x">'))
    found = pages(tmp_path)
    assert {name: page.url for name, page in found.items()} == {
        "sidecar.html": "https://example.com/from-sidecar",
        "canonical.html": "https://example.com/canonical",
        "rel-tokens.html": "https://example.com/tokens",
        "og.htm": "https://example.com/og",
        "relative.html": (tmp_path / "relative.html").resolve().as_uri(),  # relative links have no base
    }


def test_canonical_is_found_in_any_declared_charset_and_bytes_stay_raw(tmp_path: Path) -> None:
    body = ("<html><head><meta charset='windows-1251'>" + CANONICAL + "</head><body>Новости</body></html>")
    raw = body.encode("windows-1251")
    (tmp_path / "cyrillic.html").write_bytes(raw)
    page = pages(tmp_path)["cyrillic.html"]
    assert (page.url, page.body) == ("https://example.com/canonical", raw)


def test_html_gz_is_decompressed_and_hashed(tmp_path: Path) -> None:
    raw = html(CANONICAL)
    (tmp_path / "story.html.gz").write_bytes(gzip.compress(raw))
    (tmp_path / "story.url").write_text("https://example.com/story\n")
    stamp = datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
    os.utime(tmp_path / "story.html.gz", (stamp.timestamp(), stamp.timestamp()))
    page = pages(tmp_path)["story.html.gz"]
    assert (page.url, page.body, page.fetched_at) == ("https://example.com/story", raw, stamp)
    assert page.body_sha256 == hashlib.sha256(raw).hexdigest()


def test_files_are_walked_recursively_in_path_order(tmp_path: Path) -> None:
    for relative in ["b.html", "a/z.htm", "a/b/c.html.gz", "c.html", "notes.txt", "a.url"]:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress(html()) if relative.endswith(".gz") else html())
    found = [p.path.relative_to(tmp_path.resolve()).as_posix() for p in iter_saved_html(tmp_path)
             if isinstance(p, SavedPage)]
    assert found == ["a/b/c.html.gz", "a/z.htm", "b.html", "c.html"]


def test_broken_gzip_page_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "broken.html.gz").write_bytes(b"\x1f\x8b\x08\x00 not really gzip")
    (tmp_path / "fine.html").write_bytes(html())
    items = list(iter_saved_html(tmp_path))
    assert [(type(i).__name__, getattr(i, "kind", None)) for i in items] == [
        ("ArchiveProblem", "gzip"), ("SavedPage", None)]


def test_symlinked_page_is_refused_even_if_it_points_inside(tmp_path: Path) -> None:
    (tmp_path / "real.html").write_bytes(html(CANONICAL))
    (tmp_path / "link.html").symlink_to(tmp_path / "real.html")
    items = list(iter_saved_html(tmp_path))
    problems = [i for i in items if isinstance(i, ArchiveProblem)]
    assert [(Path(p.file).name, p.kind) for p in problems] == [("link.html", "unsafe-path")]
    assert [p.path.name for p in items if isinstance(p, SavedPage)] == ["real.html"]


def test_paths_escaping_the_folder_are_refused_and_never_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.html").write_bytes(html(CANONICAL))
    (outside / "evil.url").write_text("https://evil.example/\n")
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "escape").symlink_to(outside, target_is_directory=True)
    (folder / "page.html").write_bytes(html(OG_URL))
    (folder / "page.url").symlink_to(outside / "evil.url")  # a sidecar pointing outside is refused too
    items = list(iter_saved_html(folder))
    problems = [(Path(p.file).name, p.kind) for p in items if isinstance(p, ArchiveProblem)]
    assert problems == [("escape", "unsafe-path"), ("page.url", "unsafe-path")]
    [page] = [p for p in items if isinstance(p, SavedPage)]
    assert page.url == "https://example.com/og"  # taken from the HTML, not from the refused sidecar
    assert all("secret" not in str(getattr(i, "path", "")) for i in items)


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        list(iter_saved_html(tmp_path / "nope"))
