"""Saved-HTML folders: URL resolution order, .html.gz, and refusal of anything outside the folder."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from newscrawl.archive import replay
from newscrawl.archive.savedhtml import NotReplayed
from newscrawl.archive.sniff import sniffs_as_html
from newscrawl.archive.warc import ArchiveProblem, SavedPage, iter_saved_html
from tests.crawling import run_crawl
from tests.sitegen.corpus import corpus
from tests.sitegen.devdiscourse import NewsSpec, canonical_url, render_desktop

TRAFILATURA_PAGES = Path(__file__).resolve().parents[2] / "shared" / "bench" / "trafilatura-eval" / "pages"


def html(head: str = "", body: str = "<p>text</p>") -> bytes:
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>".encode()


CANONICAL = '<link rel="canonical" href="https://example.com/canonical">'
OG_URL = '<meta property="og:url" content="https://example.com/og">'


def pages(folder: Path) -> dict[str, SavedPage]:
    items = list(iter_saved_html(folder))
    assert not [i for i in items if isinstance(i, ArchiveProblem)]
    return {os.path.basename(p.path): p for p in items if isinstance(p, SavedPage)}


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


@pytest.mark.parametrize(("sidecar", "url"), [
    (b"https://outlet.example/a\n", "https://outlet.example/a"),
    # A Windows Internet Shortcut: what dragging a browser's address into a folder makes, with the page's name
    (b"[InternetShortcut]\r\nIDList=\r\nURL=https://outlet.example/b?x=1\r\nHotKey=0\r\n", "https://outlet.example/b?x=1"),
    (b"\xef\xbb\xbfhttps://outlet.example/c\r\n", "https://outlet.example/c"),  # Notepad's UTF-8, with its BOM
    ("https://outlet.example/d\r\n".encode("utf-16"), "https://outlet.example/d"),  # Notepad's "Unicode"
    (b"[InternetShortcut]\r\nIconIndex=0\r\n", "https://example.com/canonical"),  # no URL= line: the page's own
], ids=["plain", "internet-shortcut", "utf-8-bom", "utf-16", "shortcut-without-url"])
def test_a_sidecar_names_the_url_in_the_forms_people_save_it_in(tmp_path: Path, sidecar: bytes, url: str) -> None:
    (tmp_path / "Budget passes.html").write_bytes(html(CANONICAL))
    (tmp_path / "Budget passes.url").write_bytes(sidecar)
    assert pages(tmp_path)["Budget passes.html"].url == url


def test_a_sidecar_named_after_the_whole_file_name_is_read_too(tmp_path: Path) -> None:
    """Scripts that save `story.html` often write its address to `story.html.url` (the whole name plus ".url");
    `story.url` stays the first choice when both exist."""
    (tmp_path / "appended.html").write_bytes(html(CANONICAL))
    (tmp_path / "appended.html.url").write_text("https://example.com/appended\n")
    (tmp_path / "both.html").write_bytes(html(CANONICAL))
    (tmp_path / "both.url").write_text("https://example.com/both\n")
    (tmp_path / "both.html.url").write_text("https://example.com/not-this\n")
    found = pages(tmp_path)
    assert (found["appended.html"].url, found["both.html"].url) == ("https://example.com/appended",
                                                                    "https://example.com/both")


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
    found = [Path(p.path).relative_to(tmp_path.resolve()).as_posix() for p in iter_saved_html(tmp_path)
             if isinstance(p, SavedPage)]
    assert found == ["a/b/c.html.gz", "a/z.htm", "b.html", "c.html"]


def test_broken_gzip_page_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "broken.html.gz").write_bytes(b"\x1f\x8b\x08\x00 not really gzip")
    (tmp_path / "fine.html").write_bytes(html())
    items = list(iter_saved_html(tmp_path))
    assert [(type(i).__name__, getattr(i, "kind", None)) for i in items] == [
        ("ArchiveProblem", "gzip"), ("SavedPage", None)]


def test_a_symlink_inside_the_folder_is_the_page_it_leads_to_read_once(tmp_path: Path) -> None:
    """A link to a page of the folder is that page (read once, not refused as leaving the folder); a link to a
    file the walk would not read is read as its target; a link to nothing is one problem naming it."""
    (tmp_path / "real.html").write_bytes(html(CANONICAL))
    (tmp_path / "a-link.html").symlink_to("real.html")  # sorted before its target
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "story.bin").write_bytes(html(OG_URL))
    (tmp_path / "story.html").symlink_to("data/story.bin")
    (tmp_path / "story-again.html").symlink_to(tmp_path / "data" / "story.bin")
    (tmp_path / "gone.html").symlink_to("missing.html")
    items = list(iter_saved_html(tmp_path))
    problems = [(Path(p.file).name, p.kind) for p in items if isinstance(p, ArchiveProblem)]
    assert problems == [("gone.html", "io")]
    read = [(Path(p.path).relative_to(tmp_path.resolve()).as_posix(), p.url) for p in items if isinstance(p, SavedPage)]
    assert read == [("real.html", "https://example.com/canonical"), ("data/story.bin", "https://example.com/og")]


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


# ---- a whole replay of a folder with every kind of bad input (run as a user would) -------------------------------
GENERIC_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "generic"


def test_a_folder_with_every_kind_of_bad_input_yields_every_good_page(tmp_path: Path) -> None:
    """Good pages all come out, each bad input costs one counted, logged line, and nothing raises: a sidecar that
    is not a URL (the regression of issue 15.3: it used to abort the whole replay), a binary file, a FIFO, a file
    that cannot be read, a symlink out of the folder, a name that is not UTF-8, a broken .html.gz."""
    import json
    import shutil
    import stat

    from tests.crawling import run_crawl

    folder = tmp_path / "saved"
    shutil.copytree(GENERIC_FIXTURES, folder, ignore=shutil.ignore_patterns("*.json"))
    good = [p.stem for p in GENERIC_FIXTURES.glob("*.json") if json.loads(p.read_text()) is not None]
    (folder / "opengraph-only.url").write_text("recall::abc\n")  # the page still comes out, URL from its HTML
    (folder / "photo.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    os.mkfifo(folder / "pipe.html")
    (folder / "escape.html").symlink_to("/etc/hostname")
    (folder / "broken.html.gz").write_bytes(gzip.compress(html())[:10])  # its header alone: nothing inflates
    os.makedirs(folder / os.fsdecode(b"caf\xe9"), exist_ok=True)  # a Latin-1 folder name on a UTF-8 system
    shutil.copy(GENERIC_FIXTURES / "microdata-only.html", folder / os.fsdecode(b"caf\xe9") / "copy.html")
    unreadable = folder / "locked.html"
    unreadable.write_bytes(html())
    unreadable.chmod(0)
    as_root = os.geteuid() == 0  # root reads a mode-000 file anyway: then it is simply one more page
    result = run_crawl(tmp_path / "run", "news", "-a", f"replay={folder}", "-O", "out.jsonl")
    unreadable.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert result.returncode == 0 and "Traceback" not in result.log, result.log[-3000:]
    items = result.feed_items("out.jsonl")
    titles = {item["title"] for item in items}
    assert len(items) >= len(good)
    for case in good:
        expected = json.loads((GENERIC_FIXTURES / f"{case}.json").read_text())
        assert expected["title"] in titles, case
    kinds = {"bad-sidecar": 1, "binary": 1, "not-a-file": 1, "unsafe-path": 1, "gzip": 1}
    if not as_root:
        kinds["io"] = 1
    for kind, count in kinds.items():
        assert result.stat(f"newscrawl/replay/archive_problems/{kind}") == count, kind
    damaged_lines = [line for line in result.log.splitlines() if "Damaged input" in line]
    assert len(damaged_lines) == sum(kinds.values())
    assert any("opengraph-only.url" in line and "recall::abc" in line for line in damaged_lines)
    (report,) = (result.workdir / "output" / "news").glob("*.report.json")
    assert json.loads(report.read_text())["status"] == "damaged-input"


def test_a_dropped_item_is_one_log_line_with_reason_and_url(tmp_path: Path) -> None:
    """Issue 15.4: a drop used to print the whole Article with its body into the log."""
    from tests.crawling import run_crawl

    folder = tmp_path / "saved"
    folder.mkdir()
    empty = html('<title>Only a headline</title><meta property="og:type" content="article">',
                 "<article><h1>Only a headline</h1><p></p></article>")
    (folder / "empty.html").write_bytes(empty)
    (folder / "empty.url").write_text("https://example.org/2025/03/21/only-a-headline\n")
    result = run_crawl(tmp_path / "run", "news", "-a", f"replay={folder}", "-O", "out.jsonl")
    assert "Article(" not in result.log and "Provenance(" not in result.log
    dropped = [line for line in result.log.splitlines() if "Dropped (" in line]
    if result.stat("item_dropped_count"):  # the generic parser may also judge it not an article: either is fine
        assert dropped == [next(line for line in dropped)]
        assert "Dropped (MissingField): https://example.org/2025/03/21/only-a-headline: no body text" in dropped[0]


def test_invalid_utf8_in_a_utf8_page_is_repaired_and_flagged_not_shown_as_mojibake(tmp_path: Path) -> None:
    """Issue 20: junk bytes in a page declared UTF-8 used to land in the title as "ÿþÃ(". Now stray bytes are
    dropped (Windows-1252 punctuation is read as such) and the item says so with quality "encoding_repaired"."""
    import json

    from tests.crawling import run_crawl

    body = "".join(f"<p>Absatz {n}: Die Bürger Münchens äußern sich über Straßenbäume, Grünflächen und "
                   f"Lärmschutz – ausführlich und öffentlich.</p>" for n in range(8))
    page = (f'<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Grünflächen</title>'
            f'<meta property="og:type" content="article"></head><body><article><h1>Grünflächen ').encode() \
        + b"\xff\xfe\xc3( f\xfcr alle \x93jetzt\x94" + f"</h1>{body}</article></body></html>".encode()
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "page.html").write_bytes(page)
    (folder / "page.url").write_text("https://stadt.example.de/2025/03/21/gruenflaechen-fuer-alle\n")
    result = run_crawl(tmp_path / "run", "news", "-a", f"replay={folder}", "-O", "out.jsonl")
    (item,) = [json.loads(line) for line in (result.workdir / "out.jsonl").read_text().splitlines()]
    assert "ÿ" not in item["title"] and "Ã" not in item["title"] and "þ" not in item["title"]
    assert item["title"].startswith("Grünflächen") and "“jetzt”" in item["title"]
    assert "encoding_repaired" in item["quality"] and "Bürger Münchens" in item["body"]
    assert result.stat("newscrawl/quality/encoding_repaired") == 1


def test_a_replay_reads_a_saved_folder_once_and_a_changed_folder_again(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The replay's identity and its source both need every page; the folder is read (un-gzipped, hashed) once."""
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "a.html").write_bytes(html('<link rel="canonical" href="https://example.org/a">'))
    (folder / "b.html.gz").write_bytes(gzip.compress(html('<link rel="canonical" href="https://example.org/b">')))
    reads: list[Path] = []

    def counted(path: Path | str) -> Iterator[SavedPage | ArchiveProblem | NotReplayed]:
        reads.append(Path(path))
        return iter_saved_html(path)

    monkeypatch.setattr(replay, "iter_saved_html", counted)
    identity = replay.replay_identity(folder)
    source = replay.ReplaySource(folder)
    assert len(reads) == 1 and sorted(source.urls()) == ["https://example.org/a", "https://example.org/b"]
    (folder / "c.html").write_bytes(html('<link rel="canonical" href="https://example.org/c">'))
    changed = replay.replay_identity(folder)
    assert len(reads) == 2 and changed.crawl_id != identity.crawl_id, "a changed folder is read again"


@pytest.mark.parametrize(("head", "is_html"), [
    (b"<!DOCTYPE html><html>", True),
    (b"\xef\xbb\xbf\r\n  <!doctype HTML>\n<html lang=en>", True),  # a byte order mark and blank lines first
    (b"<html>", True),
    (b"<HEAD><title>x</title>", True),
    (b"<!-- saved from url=(0042)https://outlet.example/ -->\n<html>", True),  # Internet Explorer's "Save As"
    (b"<?xml version='1.0' encoding='utf-8'?>\n<!DOCTYPE html PUBLIC '-//W3C//DTD XHTML 1.0 Strict//EN'>", True),
    (b"<?xml version='1.0'?><!-- generator --><html xmlns='http://www.w3.org/1999/xhtml'>", True),
    (b"<p>A fragment, as a CMS export writes it</p>", True),
    (b"\t\t\t  <!DOCTYPE html\n    PUBLIC '-//W3C//DTD XHTML 1.0 Transitional//EN'", True),  # a line break ends it
    (b"\t<meta property='og:image' content='https://outlet.example/a.jpg'>", True),  # saved without <html>, <head>
    ("<!DOCTYPE html><html lang='de'>".encode("utf-16"), True),  # Notepad's "Unicode": UTF-16 with its BOM
    ("<html>".encode("utf-16-be").join([b"\xfe\xff", b""]), True),
    (b"<?xml version='1.0' encoding='UTF-8'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>", False),
    (b"<?xml version='1.0'?><rss version='2.0'><channel>", False),
    (b"<htmlish>", False),  # a tag must end at a space or ">"
    (b"<pre>", False),      # not one of the standard's patterns: "<p" must be followed by a space or ">"
    (b'{"html": "<html>"}', False),
    (b"User-agent: *\nDisallow: /", False),
    (b"\x89PNG\r\n\x1a\n", False),
    (b"", False),
])
def test_a_page_with_any_name_is_known_by_the_html_sniffing_rules(head: bytes, is_html: bool) -> None:
    assert sniffs_as_html(head) is is_html


def test_a_mirror_without_html_extensions_yields_its_pages_and_nothing_else(tmp_path: Path) -> None:
    """`wget --mirror` without --adjust-extension saves pages under their URL's own name ("story-123",
    "article.php?id=5"), beside sitemaps, feeds, scripts and images: the pages are read, the rest is left alone."""
    site = tmp_path / "mirror" / "outlet.example"
    (site / "news").mkdir(parents=True)
    (site / "static").mkdir()
    (site / "news" / "story-123").write_bytes(html(body="<p>Story 123</p>"))
    (site / "news" / "story-123.url").write_text("https://outlet.example/news/story-123\n")
    (site / "article.php?id=5").write_bytes(
        b"\xef\xbb\xbf\n" + html('<link rel="canonical" href="https://outlet.example/article.php?id=5">'))
    (site / "index.html?page=2").write_bytes(html(CANONICAL))
    (site / "xhtml-story").write_bytes(b"<?xml version='1.0' encoding='utf-8'?>\n" + html(OG_URL))
    (site / "sitemap.xml").write_bytes(b"<?xml version='1.0'?><urlset></urlset>")
    (site / "feed").write_bytes(b"<?xml version='1.0'?><rss version='2.0'><channel></channel></rss>")
    (site / "robots.txt").write_bytes(b"User-agent: *\n")
    (site / "static" / "app.js?ver=3").write_bytes(b"document.write('<html>');")
    (site / "static" / "photo").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (site / "static" / "styles.css").write_bytes(b"<html> is not a page here: the name says CSS")
    os.mkfifo(site / "pipe")  # never opened: reading a FIFO would block the listing
    (site / "elsewhere").symlink_to("/etc/hostname")  # never read: it may lead outside the folder
    items = list(iter_saved_html(tmp_path / "mirror"))
    assert not [item for item in items if isinstance(item, ArchiveProblem)]
    found = {Path(page.path).relative_to((tmp_path / "mirror").resolve()).as_posix(): page.url
             for page in items if isinstance(page, SavedPage)}
    assert found == {"outlet.example/article.php?id=5": "https://outlet.example/article.php?id=5",
                     "outlet.example/index.html?page=2": "https://example.com/canonical",
                     "outlet.example/news/story-123": "https://outlet.example/news/story-123",
                     "outlet.example/xhtml-story": "https://example.com/og"}
    assert replay.source_kind(tmp_path / "mirror") == "saved-html"
    assert replay.source_kind(site / "news") == "saved-html"
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "feed").write_bytes(b"<?xml version='1.0'?><rss></rss>")
    with pytest.raises(replay.ArchiveNotFound):
        replay.source_kind(tmp_path / "assets")


def test_a_replay_of_pages_saved_without_extensions_emits_their_articles(tmp_path: Path) -> None:
    """The same real pages give the same articles whether saved as .html.gz with sidecars or under bare names."""
    from tests.crawling import run_crawl

    pages = sorted(TRAFILATURA_PAGES.glob("*.html.gz"))[:3]
    named = tmp_path / "named"
    bare = tmp_path / "bare"
    named.mkdir()
    bare.mkdir()
    for number, page in enumerate(pages):
        stem = page.name.removesuffix(".html.gz")
        body = gzip.decompress(page.read_bytes())
        (named / f"{stem}.html").write_bytes(body)
        (named / f"{stem}.url").write_text((TRAFILATURA_PAGES / f"{stem}.url").read_text())
        name = ("story", "article.php?id=2", "index.aspx")[number]
        (bare / name).write_bytes(body)
        (bare / f"{name}.url").write_text((TRAFILATURA_PAGES / f"{stem}.url").read_text())
    runs = [run_crawl(tmp_path / f"run-{folder.name}", "news", "-a", f"replay={folder}", "-O", "out.jsonl")
            for folder in (named, bare)]
    for result in runs:
        assert result.returncode == 0 and "Traceback" not in result.log, result.log[-3000:]
    named_items, bare_items = (result.feed_items("out.jsonl") for result in runs)
    assert len(named_items) == 3
    assert sorted((item["url"], item["title"], item["body"]) for item in bare_items) == sorted(
        (item["url"], item["title"], item["body"]) for item in named_items)  # in file-name order, so not the same


def test_the_frames_a_browser_saved_with_a_page_are_not_pages(tmp_path: Path) -> None:
    """"Save Page As… Web Page, complete" writes <name>.html and <name>_files/ with the page's images, styles and
    frames (ads, embedded posts) as saved_resource.html: the frames are not articles the user saved."""
    folder = tmp_path / "saved"
    resources = folder / "Budget passes – Outlet_files"
    resources.mkdir(parents=True)
    (folder / "Budget passes – Outlet.html").write_bytes(html(CANONICAL))
    (resources / "saved_resource.html").write_bytes(html(body="<div>Advertisement</div>"))
    (resources / "saved_resource(1).html").write_bytes(html(body="<blockquote>An embedded post</blockquote>"))
    (resources / "style.css").write_bytes(b"body{}")
    (folder / "exports_files").mkdir()  # a folder merely named so, with no page of that name beside it
    (folder / "exports_files" / "story.html").write_bytes(html(OG_URL))
    (folder / "OTHER.HTM").write_bytes(html())
    (folder / "other_files").mkdir()  # resource folders match their page's name in any case
    (folder / "other_files" / "frame.html").write_bytes(html())
    found = sorted(Path(page.path).relative_to(folder.resolve()).as_posix()
                   for page in iter_saved_html(folder) if isinstance(page, SavedPage))
    assert found == ["Budget passes – Outlet.html", "OTHER.HTM", "exports_files/story.html"]


def test_a_page_saved_by_a_browser_names_where_and_when_it_was_saved(tmp_path: Path) -> None:
    """Without a sidecar, the address a browser wrote into the page beats the publisher's canonical link (it is
    where the bytes came from), and SingleFile's saved date beats the file's time (a copy or unzip resets it)."""
    single_file = ("<!DOCTYPE html><html><!--\n Page saved with SingleFile \n url: https://outlet.example/a?id=1 \n"
                   " saved date: Wed Sep 24 2025 10:11:12 GMT+0200 (Central European Summer Time)\n--><head>"
                   f"{CANONICAL}</head><body><p>text</p></body></html>")
    (tmp_path / "single-file.html").write_text(single_file, encoding="utf-8")
    (tmp_path / "odd-date.html").write_text(single_file.replace("Wed Sep 24 2025", "yesterday").replace(
        "/a?id=1", "/b"), encoding="utf-8")
    (tmp_path / "chrome.html").write_bytes(
        b"<!DOCTYPE html>\r\n<!-- saved from url=(0035)https://outlet.example/news/story-7 -->\r\n" + html(CANONICAL))
    (tmp_path / "generic-mark.html").write_bytes(b"<!-- saved from url=(0014)about:internet -->\n" + html(OG_URL))
    (tmp_path / "with-sidecar.html").write_bytes((tmp_path / "chrome.html").read_bytes())
    (tmp_path / "with-sidecar.url").write_text("https://outlet.example/from-sidecar\n")
    os.utime(tmp_path / "odd-date.html", (1_700_000_000, 1_700_000_000))
    found = pages(tmp_path)
    assert found["single-file.html"].url == "https://outlet.example/a?id=1"
    assert found["single-file.html"].fetched_at == datetime(2025, 9, 24, 8, 11, 12, tzinfo=timezone.utc)
    assert found["odd-date.html"].url == "https://outlet.example/b"
    assert found["odd-date.html"].fetched_at == datetime.fromtimestamp(1_700_000_000, timezone.utc)
    assert found["chrome.html"].url == "https://outlet.example/news/story-7"
    assert found["generic-mark.html"].url == "https://example.com/og"  # not an address: the page's own is used
    assert found["with-sidecar.html"].url == "https://outlet.example/from-sidecar"


def test_a_page_mirrored_by_httrack_names_where_and_when_it_was_mirrored(tmp_path: Path) -> None:
    """HTTrack writes "Mirrored from HOST/PATH by HTTrack Website Copier/3.x [XR&CO'2014], DATE" after <html>: the
    address without its scheme, which the page's own og:url or canonical link lends when it names the same host."""
    def mirrored(address: str, head: str = "", when: str = "Wed, 21 Aug 2024 08:05:16 GMT") -> bytes:
        return (f"<!DOCTYPE html>\n<html lang='en'>\n\n<!-- Mirrored from {address} by HTTrack Website "
                f"Copier/3.x [XR&CO'2014], {when} -->\n<head>{head}</head><body><p>text</p></body></html>").encode()

    (tmp_path / "plain.html").write_bytes(mirrored("www.outlet.example/news/story-7.html"))
    (tmp_path / "http-site.html").write_bytes(mirrored(
        "outlet.example/news/story-8.html", '<meta property="og:url" content="http://www.outlet.example/s8">'))
    (tmp_path / "other-host.html").write_bytes(mirrored(
        "outlet.example/news/story-9.html", '<meta property="og:url" content="http://cdn.example/s9">'))
    (tmp_path / "odd-date.html").write_bytes(mirrored("outlet.example/a.html", when="someday"))
    os.utime(tmp_path / "odd-date.html", (1_700_000_000, 1_700_000_000))
    found = pages(tmp_path)
    assert found["plain.html"].url == "https://www.outlet.example/news/story-7.html"
    assert found["plain.html"].fetched_at == datetime(2024, 8, 21, 8, 5, 16, tzinfo=timezone.utc)
    assert found["http-site.html"].url == "http://outlet.example/news/story-8.html"
    assert found["other-host.html"].url == "https://outlet.example/news/story-9.html"
    assert found["odd-date.html"].url == "https://outlet.example/a.html"
    assert found["odd-date.html"].fetched_at == datetime.fromtimestamp(1_700_000_000, timezone.utc)


def mhtml(parts: list[tuple[dict[str, str], bytes]], headers: dict[str, str]) -> bytes:
    """An MHTML archive as browsers write one: a multipart/related message, one part per saved resource."""
    boundary = "----MultipartBoundary--3Kv9pQ----"
    lines = [f"{name}: {value}" for name, value in headers.items()]
    lines += ["MIME-Version: 1.0", f'Content-Type: multipart/related;\r\n\ttype="text/html";\r\n\tboundary="{boundary}"',
              "", ""]
    out = "\r\n".join(lines).encode()
    for part_headers, payload in parts:
        out += f"--{boundary}\r\n".encode() + "".join(f"{k}: {v}\r\n" for k, v in part_headers.items()).encode()
        out += b"\r\n" + payload + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def test_pages_saved_as_browser_archives_replay_and_verify_like_html_files(tmp_path: Path) -> None:
    """Chrome's and Edge's "Webpage, Single File" (.mhtml), Internet Explorer's .mht and Safari's .webarchive: the
    page is replayed with the address and time the archive names, in the charset it declares; images and frames
    stay out; `newscrawl verify` re-derives the same bytes; an archive without a page is one problem, not a crash."""
    import base64
    import json
    import plistlib
    import quopri

    from newscrawl.archive.verify import verify_feed
    from tests.crawling import run_crawl

    folder = tmp_path / "saved"
    folder.mkdir()
    wire = (GENERIC_FIXTURES / "ap-story-local-outlet.html").read_bytes()
    wire_url = (GENERIC_FIXTURES / "ap-story-local-outlet.url").read_text().strip()
    (folder / "Regulators approve rules.mhtml").write_bytes(mhtml([
        ({"Content-Type": "text/html", "Content-ID": "<frame-1@mhtml.blink>",
          "Content-Transfer-Encoding": "quoted-printable", "Content-Location": wire_url}, quopri.encodestring(wire)),
        ({"Content-Type": "image/png", "Content-Transfer-Encoding": "base64",
          "Content-Location": "https://cdn.example/logo.png"}, base64.encodebytes(b"\x89PNG\r\n\x1a\n")),
        ({"Content-Type": "text/html", "Content-ID": "<frame-2@mhtml.blink>",
          "Content-Transfer-Encoding": "quoted-printable", "Content-Location": "https://ads.example/frame"},
         b"<html><body>Advertisement</body></html>"),
    ], {"From": "<Saved by Blink>", "Snapshot-Content-Location": wire_url,
        "Subject": "=?utf-8?Q?Regulators_approve_rules?=", "Date": "Thu, 20 Mar 2025 20:15:00 +0100"}))
    german = (GENERIC_FIXTURES / "non-english-german-dpa.html").read_text(encoding="utf-8")
    german_url = (GENERIC_FIXTURES / "non-english-german-dpa.url").read_text().strip()
    legacy = german.replace('<meta charset="utf-8">', "").encode("cp1252")  # its part's header names the charset
    (folder / "heizung.mht").write_bytes(mhtml([
        ({"Content-Type": 'text/html; charset="windows-1252"', "Content-Transfer-Encoding": "base64",
          "Content-Location": german_url}, base64.encodebytes(legacy)),
    ], {"From": "<Saved by Windows Internet Explorer 8>", "Date": "Fri, 21 Mar 2025 08:00:00 +0000"}))
    reuters = (GENERIC_FIXTURES / "reuters-wire-dateline.html").read_bytes()
    reuters_url = (GENERIC_FIXTURES / "reuters-wire-dateline.url").read_text().strip()
    (folder / "Reuters story.webarchive").write_bytes(plistlib.dumps({
        "WebMainResource": {"WebResourceData": reuters, "WebResourceURL": reuters_url, "WebResourceFrameName": "",
                            "WebResourceMIMEType": "text/html", "WebResourceTextEncodingName": "UTF-8"},
        "WebSubresources": [{"WebResourceData": b"\x89PNG", "WebResourceURL": "https://cdn.example/a.png",
                             "WebResourceMIMEType": "image/png"}],
        "WebSubframeArchives": [{"WebMainResource": {
            "WebResourceData": b"<html><body>Advertisement</body></html>", "WebResourceURL": "https://ads.example/",
            "WebResourceMIMEType": "text/html", "WebResourceFrameName": "ad"}}],
    }, fmt=plistlib.FMT_BINARY))
    (folder / "truncated.webarchive").write_bytes(b"bplist00\xd1\x01\x02")
    (folder / "only-images.mhtml").write_bytes(mhtml([
        ({"Content-Type": "image/png", "Content-Transfer-Encoding": "base64"}, base64.encodebytes(b"\x89PNG")),
    ], {"Date": "Fri, 21 Mar 2025 08:00:00 +0000"}))
    listed = list(iter_saved_html(folder))
    assert sorted((item.kind, os.path.basename(item.file)) for item in listed if isinstance(item, ArchiveProblem)) == [
        ("page-archive", "only-images.mhtml"), ("page-archive", "truncated.webarchive")]
    saved = {page.url: page for page in listed if isinstance(page, SavedPage)}
    assert saved[wire_url].body == wire and saved[wire_url].content_type == "text/html"
    assert saved[wire_url].fetched_at == datetime(2025, 3, 20, 19, 15, tzinfo=timezone.utc)
    assert saved[german_url].body == legacy and saved[german_url].content_type == "text/html; charset=windows-1252"
    assert saved[reuters_url].body == reuters and saved[reuters_url].content_type == "text/html; charset=UTF-8"
    answer = replay.ReplaySource(folder).answer(german_url)
    assert answer is not None and answer.headers == [("Content-Type", "text/html; charset=windows-1252")]

    result = run_crawl(tmp_path / "run", "news", "-a", f"replay={folder}", "-O", "out.jsonl")
    assert result.returncode == 0 and "Traceback" not in result.log, result.log[-3000:]
    items = {item["url"]: item for item in result.feed_items("out.jsonl")}
    for case in ("ap-story-local-outlet", "non-english-german-dpa", "reuters-wire-dateline"):
        expected = json.loads((GENERIC_FIXTURES / f"{case}.json").read_text())
        assert items[expected["url"]]["title"] == expected["title"]
        assert items[expected["url"]]["body"] == expected["body"], case
    assert result.stat("newscrawl/replay/archive_problems/page-archive") == 2
    report = verify_feed(str(result.workdir / "out.jsonl"), str(folder))
    assert report.ok and report.passed == 3, report.lines()


WAYBACK_STAMP = "20250321133705"


def wayback_copy(spec: NewsSpec, flag: str = "") -> bytes:
    """A Devdiscourse article as the Wayback Machine serves its capture: links rewritten to web.archive.org (the
    canonical link and og:url among them), its toolbar after <body>, its archive note at the end."""
    original = canonical_url(spec)
    page = render_desktop(spec).replace(f'href="{original}"', f'href="https://web.archive.org/web/{WAYBACK_STAMP}'
                                        f'{flag}/{original}"').replace(
        f'content="{original}"', f'content="https://web.archive.org/web/{WAYBACK_STAMP}{flag}/{original}"')
    toolbar = ("<!-- BEGIN WAYBACK TOOLBAR INSERT --><div id='wm-ipp-base'><a href='https://web.archive.org/'>"
               "Wayback Machine</a> 21 captures</div><!-- END WAYBACK TOOLBAR INSERT -->")
    return (page.replace("<body>", "<body>" + toolbar, 1) +
            "\n<!--\n     FILE ARCHIVED ON 13:37:05 Mar 21, 2025 AND RETRIEVED FROM THE\n     INTERNET ARCHIVE ON "
            "09:12:44 Dec 01, 2026.\n     JAVASCRIPT APPENDED BY WAYBACK MACHINE, COPYRIGHT INTERNET ARCHIVE.\n-->"
            ).encode()


def test_a_page_saved_from_the_wayback_machine_is_the_outlets_page_as_captured(tmp_path: Path) -> None:
    """A copy saved from web.archive.org names itself there (its rewritten canonical link and og:url): the item was
    the archive's URL, fetched when the file was written, parsed by the generic parser. Like an HTTrack mirror it is
    now the outlet's URL, captured at the Wayback Machine's time stamp, read by the outlet's parser. A sidecar that
    names the Wayback address is the user's word and stays the URL; the capture time is still the stamp's."""
    specs = corpus(3, seed=23)
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "from-sidecar.html").write_bytes(wayback_copy(specs[0]))
    (folder / "from-sidecar.url").write_text(f"https://web.archive.org/web/{WAYBACK_STAMP}/"
                                             f"{canonical_url(specs[0]).removeprefix('https://')}\n")
    (folder / "from-canonical.html").write_bytes(wayback_copy(specs[1], flag="id_"))
    (folder / "not-wayback.html").write_bytes(render_desktop(specs[2]).encode())
    found = pages(folder)
    captured = datetime(2025, 3, 21, 13, 37, 5, tzinfo=timezone.utc)
    assert found["from-sidecar.html"].url == (folder / "from-sidecar.url").read_text().strip()
    assert found["from-canonical.html"].url == canonical_url(specs[1])
    assert found["from-sidecar.html"].fetched_at == found["from-canonical.html"].fetched_at == captured
    assert found["not-wayback.html"].url == canonical_url(specs[2])
    replayed = run_crawl(tmp_path / "run", "news", "-a", f"replay={folder}", "-O", "out.jsonl")
    assert replayed.returncode == 0, replayed.log[-3000:]
    items = {item["title"]: item for item in replayed.feed_items("out.jsonl")}
    assert set(items) == {spec.title for spec in specs}
    unwrapped = items[specs[1].title]
    assert unwrapped["outlet"] == "devdiscourse" and unwrapped["url"] == canonical_url(specs[1])
    assert items[specs[0].title]["provenance"]["fetched_at"].startswith("2025-03-21T13:37:05")
    assert unwrapped["provenance"]["fetched_at"].startswith("2025-03-21T13:37:05")
    assert all("Wayback Machine" not in item["body"] for item in items.values())


def test_a_page_bundled_by_monolith_names_where_and_when_it_was_saved(tmp_path: Path) -> None:
    """monolith (the single-HTML-file saver archivists script) prepends "<!-- Saved from URL at RFC 3339 time using
    monolith vX -->"; for a file it was given, "local source" and still the time."""
    page = "<html><head><title>Story</title></head><body><p>text</p></body></html>"
    (tmp_path / "web.html").write_text("<!-- Saved from https://www.outlet.example/news/story-7.html at "
                                       "2024-08-21T08:05:16Z using monolith v2.8.3 -->\n" + page)
    (tmp_path / "local.html").write_text("<!-- Saved from local source at 2024-08-22T09:00:00Z using monolith "
                                         "v2.8.3 -->\n" + page)
    found = pages(tmp_path)
    assert found["web.html"].url == "https://www.outlet.example/news/story-7.html"
    assert found["web.html"].fetched_at == datetime(2024, 8, 21, 8, 5, 16, tzinfo=timezone.utc)
    assert found["local.html"].url.startswith("file://")
    assert found["local.html"].fetched_at == datetime(2024, 8, 22, 9, 0, 0, tzinfo=timezone.utc)


# ---- imperfect saved pages: kept and flagged, or told, never lost without a word ---------------------------------
def article(title: str, url: str, words: int = 400) -> bytes:
    """A whole article page, its text varied enough that gzip does not shrink it to a few bytes."""
    body = "".join(f"<p>{title}: paragraph {n}, " + " ".join(f"w{n * 31 + k}" for k in range(40)) + ".</p>"
                   for n in range(words // 40))
    return html(f'<title>{title}</title><link rel="canonical" href="{url}">'
                '<meta property="article:published_time" content="2025-07-01T08:00:00Z">',
                f"<article><h1>{title}</h1>{body}</article>")


def test_a_page_with_a_stray_nul_byte_is_still_a_page_and_binary_is_still_binary(tmp_path: Path) -> None:
    """A WARC replay parses the same bytes; a damaged byte in a saved copy cost the whole article."""
    page = article("Saved page with one NUL byte", "https://example.com/nul")
    (tmp_path / "nul-one.html").write_bytes(page.replace(b"<p>", b"<p>\x00", 1))
    (tmp_path / "utf16.html").write_bytes(page.decode().encode("utf-16"))  # a BOM, then a NUL in every other byte
    (tmp_path / "photo.html").write_bytes(b"GIF89a\x01\x00\x01\x00\x00\x00\x00" + page)  # markup after binary
    (tmp_path / "nuls.html").write_bytes(page.replace(b"w", b"\x00w"))  # NULs throughout: no saved page
    items = list(iter_saved_html(tmp_path))
    assert sorted((Path(p.file).name, p.kind) for p in items if isinstance(p, ArchiveProblem)) == [
        ("nuls.html", "binary"), ("photo.html", "binary")]
    assert sorted(Path(p.path).name for p in items if isinstance(p, SavedPage)) == ["nul-one.html", "utf16.html"]


def test_a_gzipped_page_is_read_under_any_name_a_page_is_read_under(tmp_path: Path) -> None:
    """.htm.gz and .xhtml.gz were skipped silently (only .html.gz was read); a page saved under a name that says
    it is text is not read, but said; the resources beside pages are skipped quietly, unread."""
    for name, url in [("story.htm.gz", "https://example.com/htm"), ("story.xhtml.gz", "https://example.com/xhtml"),
                      ("news/story-1.gz", "https://example.com/bare")]:
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(gzip.compress(article(name, url)))
    (tmp_path / "story.url").write_text("https://example.com/named-by-sidecar\n")  # beside story.htm.gz
    (tmp_path / "style.css.gz").write_bytes(gzip.compress(b"<style>p { color: red }</style>"))
    (tmp_path / "notes.txt").write_bytes(article("Saved as text", "https://example.com/txt"))
    (tmp_path / "robots.txt").write_bytes(b"User-agent: *\nDisallow:\n")
    items = list(iter_saved_html(tmp_path))
    assert not [item for item in items if isinstance(item, ArchiveProblem)]
    assert {os.path.basename(p.path): p.url for p in items if isinstance(p, SavedPage)} == {
        "story.htm.gz": "https://example.com/named-by-sidecar", "story.xhtml.gz": "https://example.com/xhtml",
        "story-1.gz": "https://example.com/bare"}
    assert [(Path(item.path).name, item.kind) for item in items if isinstance(item, NotReplayed)] == [
        ("notes.txt", "named-otherwise")]
    assert replay.source_kind(tmp_path / "story.htm.gz") == "saved-html"  # given by itself


def test_a_cut_gzip_page_gives_the_article_it_holds_flagged_body_truncated(tmp_path: Path) -> None:
    """As a cut gzip record of a WARC: decoded as far as it goes, its item flagged, the file verifiable."""
    from tests.test_archive_replay import newscrawl_cli

    folder = tmp_path / "saved"
    folder.mkdir()
    whole = gzip.compress(article("A story cut short", "https://example.com/cut", words=1200))
    (folder / "cut.html.gz").write_bytes(whole[: len(whole) // 2])
    result = run_crawl(tmp_path / "run", "news", "-a", f"replay={folder}", "-O", "out.jsonl")
    assert result.returncode == 0 and "Traceback" not in result.log, result.log[-3000:]
    (item,) = result.feed_items("out.jsonl")
    assert item["title"] == "A story cut short" and "body_truncated" in item["quality"]
    assert result.stat("newscrawl/replay/truncated/gzip") == 1
    assert "Damaged input" not in result.log  # the article came out: its page lost only its end
    done = newscrawl_cli("verify", str(result.workdir / "out.jsonl"), "--archive", str(folder))
    assert done.returncode == 0 and "1 verified, 0 problems" in done.stdout, done.stdout + done.stderr


def test_a_page_saved_twice_is_replayed_once_and_the_other_file_is_named(tmp_path: Path) -> None:
    """Three saves of one URL (to follow its edits): its latest capture answers it, as a WARC's last capture does
    (the first in folder order did); the others are one line each naming it and a stat: a warning for an earlier
    version, a note for a copy of the same bytes. Dated by their files here: c-copy.html is the latest."""
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "a-first.html").write_bytes(article("Council votes on budget", "https://example.com/budget"))
    (folder / "b-edited.html").write_bytes(article("Council passes budget", "https://example.com/budget"))
    shutil.copy(folder / "a-first.html", folder / "c-copy.html")
    for day, name in enumerate(("a-first.html", "b-edited.html", "c-copy.html"), 1):
        stamp = datetime(2026, 3, day, tzinfo=timezone.utc).timestamp()
        os.utime(folder / name, (stamp, stamp))
    result = run_crawl(tmp_path / "run", "news", "-a", f"replay={folder}", "-O", "out.jsonl")
    assert result.returncode == 0, result.log[-3000:]
    [item] = result.feed_items("out.jsonl")
    assert (item["title"], item["provenance"]["archive"]["file"]) == ("Council votes on budget", "c-copy.html")
    assert result.stat("newscrawl/replay/not_replayed/same-url") == 1
    assert result.stat("newscrawl/replay/not_replayed/same-bytes") == 1
    told = [line for line in result.log.splitlines() if "Saved page not replayed" in line]
    assert len(told) == 2 and "INFO" in told[0] and "a-first.html" in told[0] and "c-copy.html" in told[0]
    assert "WARNING" in told[1] and "b-edited.html" in told[1] and "c-copy.html" in told[1]

    os.utime(folder / "b-edited.html", (datetime(2026, 3, 4, tzinfo=timezone.utc).timestamp(),) * 2)  # edited last
    again = run_crawl(tmp_path / "again", "news", "-a", f"replay={folder}", "-O", "out.jsonl")
    assert again.returncode == 0, again.log[-3000:]
    assert [item["title"] for item in again.feed_items("out.jsonl")] == ["Council passes budget"]
    assert again.stat("newscrawl/replay/not_replayed/same-url") == 2
    assert "(1 URLs)" in result.log  # one URL answered, not one per file
    (report,) = (result.workdir / "output" / "news").glob("*.report.json")
    assert json.loads(report.read_text())["status"] == "ok"  # nothing is damaged


def test_a_replay_with_no_readable_page_says_damaged_input_under_an_id_of_its_own(tmp_path: Path) -> None:
    """Every replay that found no page had the crawl id of the digest of nothing (replay-e3b0c44298fc), so each
    overwrote the last one's feed and report; and its status said nothing-discovered, not that its input was bad."""
    reports = []
    for name in ("one", "two"):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "empty.html").write_bytes(b"")
        result = run_crawl(tmp_path / "run", "news", "-a", f"replay={folder}")
        assert result.returncode == 0, result.log[-3000:]
        reports = sorted((result.workdir / "output" / "news").glob("*.report.json"))
    assert len(reports) == 2 and "replay-e3b0c44298fc" not in str(reports)
    assert [json.loads(report.read_text())["status"] for report in reports] == ["damaged-input"] * 2


APPLE_DOUBLE = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        \x00\x02\x00\x00\x00\x09\x00\x00\x00\x32"


def test_macos_metadata_companions_are_not_pages_or_archives(tmp_path: Path) -> None:
    """A folder copied from a Mac to a USB stick, or zipped in the Finder, holds an AppleDouble ``._NAME`` beside
    every file (in a ZIP under ``__MACOSX/``), named like the page or WARC it describes. Each was read as one and
    reported as damaged input, so every such replay ended with status damaged-input."""
    saved = tmp_path / "saved"
    (saved / "__MACOSX").mkdir(parents=True)
    (saved / "story.html").write_bytes(html(CANONICAL, "<h1>Story</h1><p>text</p>"))
    for companion in ("._story.html", "._story.url", "__MACOSX/._story.html"):
        (saved / companion).write_bytes(APPLE_DOUBLE)
    (saved / "._real.html").write_bytes(html(OG_URL))  # a page that happens to be named so is still a page
    assert list(pages(saved)) == ["._real.html", "story.html"]

    warcs = tmp_path / "warcs"
    warcs.mkdir()
    shutil.copy(Path(__file__).resolve().parents[1] / "samples" / "devdiscourse.warc.gz", warcs)
    (warcs / "._devdiscourse.warc.gz").write_bytes(APPLE_DOUBLE)
    result = run_crawl(tmp_path / "run", "devdiscourse", "-a", f"replay={warcs}", "-O", "out.jsonl")
    assert result.returncode == 0 and "Traceback" not in result.log, result.log[-3000:]
    assert " ERROR: " not in result.log and "._devdiscourse" not in result.log, result.log[-3000:]
    assert len(result.feed_items("out.jsonl")) == 41


def test_warcs_of_one_name_in_two_folders_are_told_apart_and_verified(tmp_path: Path) -> None:
    """Two runs of `wget --warc-file=site`, each in its own folder, give two WARCs named site.warc.gz. An item named
    only its WARC's name, so `newscrawl verify` looked for the record in the other file and failed good items. A
    WARC whose name another of the replay's bears is named by its path in the folder replayed; a unique one keeps its
    name, where the archive has moved."""
    from tests.test_archive_replay import _warc_of_pages, newscrawl_cli

    folder = tmp_path / "crawls"
    for run, title in (("run1", "Council votes on budget"), ("run2", "Harbour bridge reopens")):
        (folder / run).mkdir(parents=True)
        url = f"https://example.com/news/{run}-story"
        _warc_of_pages(folder / run / "site.warc.gz", {url: article(title, url)})
    other = "https://example.com/news/unique-story"
    _warc_of_pages(folder / "run2" / "extra.warc.gz", {other: article("Ferry timetable changes", other)})
    result = run_crawl(tmp_path / "run", "news", "-a", f"replay={folder}", "-O", "out.jsonl")
    assert result.returncode == 0 and "Traceback" not in result.log, result.log[-3000:]
    files = sorted(item["provenance"]["archive"]["file"] for item in result.feed_items("out.jsonl"))
    assert files == ["extra.warc.gz", "run1/site.warc.gz", "run2/site.warc.gz"]
    done = newscrawl_cli("verify", str(result.workdir / "out.jsonl"), "--archive", str(folder))
    assert done.returncode == 0 and "3 verified, 0 problems" in done.stdout, done.stdout + done.stderr
