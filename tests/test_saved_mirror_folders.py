"""Saved pages in the folders mirroring tools name after their URLs (archive/mirrorpaths.py): a page that names no
address of its own gets the URL its folders give (``HOST/PATH``), flagged ``url_from_path``, and the capture time a
folder is named by (``YYYYMMDDhhmmss``), instead of its file:// URL and the file's time.

Each layout is the one the tool documents: wget --mirror (``HOST/PATH``, ``HOST:PORT``, ``…/index.html``, a query in
the file's name; ``HOST+PORT`` in its Windows mode), hartator's wayback_machine_downloader (``websites/HOST/PATH``,
with --all-timestamps ``websites/HOST/YYYYMMDDhhmmss/PATH``) and jsvine's waybackpack
(``DIR/YYYYMMDDhhmmss/HOST/PATH``). wget's changes to a page's file name (``--adjust-extension``'s ``.html``, the ``@``
its Windows mode writes for ``?``) are undone only where the page names the address they hide (archive/wgetnames.py).
"""

from __future__ import annotations

import gzip
import io
import os
from datetime import datetime, timezone
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newscrawl.archive.replay import ReplaySource
from newscrawl.archive.verify import verify_feed
from newscrawl.archive.savedhtml import NotReplayed
from newscrawl.archive.warc import ArchiveProblem, SavedPage, iter_saved_html
from tests.crawling import run_crawl
from tests.test_generic_metadata import BODY, URL, full_page

FILE_TIME = datetime(2024, 6, 1, 9, 30, tzinfo=timezone.utc)
EDIT = "<p>Update: the regional government confirmed its share of the cost on Wednesday morning.</p>"


def page(head: str = "", body: str = "<p>text</p>") -> bytes:
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>".encode()


def save(folder: Path, relative: str, data: bytes) -> None:
    """A file as a tool saved it, dated FILE_TIME (what the page's time falls back to)."""
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (FILE_TIME.timestamp(), FILE_TIME.timestamp()))


def found(folder: Path) -> dict[str, SavedPage]:
    items = list(iter_saved_html(folder))
    assert [item for item in items if isinstance(item, ArchiveProblem)] == []
    return {Path(p.path).relative_to(folder.resolve()).as_posix(): p for p in items if isinstance(p, SavedPage)}


def test_a_wget_mirror_names_each_pages_url_by_its_host_and_path(tmp_path: Path) -> None:
    for relative in ("www.example.org/news/2019/03/bridge.html", "www.example.org/news/index.html",
                     "www.example.org/index.html", "www.example.org/article.php?id=5",
                     "www.example.org:8080/news/story-7", "www.example.org+8080/news/story-8",
                     "127.0.0.1:8000/news/local.html", "news.bbc.co.uk/news/café au lait.html",
                     "www.example.org/news/slash%2Fin-name.html", "www.example.org/news/gzipped.html.gz"):
        save(tmp_path, relative, gzip.compress(page()) if relative.endswith(".gz") else page())
    pages = found(tmp_path)
    assert {name: page.url for name, page in pages.items()} == {
        "www.example.org/news/2019/03/bridge.html": "https://www.example.org/news/2019/03/bridge.html",
        "www.example.org/news/index.html": "https://www.example.org/news/",
        "www.example.org/index.html": "https://www.example.org/",
        "www.example.org/article.php?id=5": "https://www.example.org/article.php?id=5",  # the query wget kept
        "www.example.org:8080/news/story-7": "https://www.example.org:8080/news/story-7",
        "www.example.org+8080/news/story-8": "https://www.example.org:8080/news/story-8",  # --restrict=windows
        "127.0.0.1:8000/news/local.html": "https://127.0.0.1:8000/news/local.html",
        "news.bbc.co.uk/news/café au lait.html": "https://news.bbc.co.uk/news/caf%C3%A9%20au%20lait.html",
        "www.example.org/news/slash%2Fin-name.html": "https://www.example.org/news/slash%2Fin-name.html",
        "www.example.org/news/gzipped.html.gz": "https://www.example.org/news/gzipped.html",
    }
    assert all(page.url_from_path and page.fetched_at == FILE_TIME for page in pages.values())


def test_wgets_renames_are_undone_where_the_page_names_the_address_they_hide(tmp_path: Path) -> None:
    """`wget --adjust-extension` appends .html to a page's name (the query included) and its Windows mode writes @
    for ?, as wget 1.21 names them. Each name can also be another address's (a real .html page, an @ in a path), so
    the rename is undone only where the page links to the address it hides and not to the name as written."""
    link = "<a href='{}'>permalink</a>"
    for relative, href in (("story?id=7.html", "/story?id=7"),  # -E after a query, the manual's case
                           ("article.php.html", "article.php"),  # -E after a script's name, a relative link
                           ("story@id=8.html", "https://www.example.org/story?id=8"),  # Windows mode and -E
                           ("story@id=9", "//www.example.org/story?id=9"),  # Windows mode alone
                           ("news/index.html?page=2.html", "?page=2"),  # a directory's page with a query, and -E
                           ("@user/post.html", "/@user/post"),  # an @ in a folder is the path's own
                           ("plain.html", "/plain")):  # -E on a name without extension
        save(tmp_path, f"www.example.org/{relative}", page(body=link.format(href)))
    assert {name.removeprefix("www.example.org/"): saved.url for name, saved in found(tmp_path).items()} == {
        "story?id=7.html": "https://www.example.org/story?id=7",
        "article.php.html": "https://www.example.org/article.php",
        "story@id=8.html": "https://www.example.org/story?id=8",
        "story@id=9": "https://www.example.org/story?id=9",
        "news/index.html?page=2.html": "https://www.example.org/news/?page=2",
        "@user/post.html": "https://www.example.org/@user/post",
        "plain.html": "https://www.example.org/plain"}


def test_wgets_renames_are_kept_where_the_page_does_not_settle_them(tmp_path: Path) -> None:
    """Kept as written: no link to another reading (wget cannot tell X.html from X itself), a link to the name as
    written (a relative canonical link naming it; wget --convert-links writes self-links as the saved name), links
    to two readings, another page's address, a .html after .html (wget adds none there). A page whose canonical
    link is absolute is named by it, not by its folders."""
    for relative, head, body in (
            ("story.html", "", ""),
            ("guide.php.html", "<link rel='canonical' href='guide.php.html'>", "<a href='guide.php'>print</a>"),
            ("story@id=7.html", "", "<a href='story@id=7.html'>here</a><a href='/story?id=7'>there</a>"),
            ("story@id=8.html", "", "<a href='/story?id=8'>?</a><a href='/story@id=8'>@</a>"),
            ("story?id=9.html", "", "<a href='/story?id=10'>next story</a>"),
            ("page.html.html", "", "<a href='/page.html'>the page</a>"),
            ("named?id=11.html", "<link rel='canonical' href='https://www.example.org/named?id=11.html'>",
             "<a href='/named?id=11'>it</a>")):
        save(tmp_path, f"www.example.org/{relative}", page(head, body))
    pages = found(tmp_path)
    assert {name.removeprefix("www.example.org/"): saved.url for name, saved in pages.items()} == {
        "story.html": "https://www.example.org/story.html",
        "guide.php.html": "https://www.example.org/guide.php.html",
        "story@id=7.html": "https://www.example.org/story@id=7.html",
        "story@id=8.html": "https://www.example.org/story@id=8.html",
        "story?id=9.html": "https://www.example.org/story?id=9.html",
        "page.html.html": "https://www.example.org/page.html.html",
        "named?id=11.html": "https://www.example.org/named?id=11.html"}
    assert not pages["www.example.org/named?id=11.html"].url_from_path
    assert all(saved.url_from_path for name, saved in pages.items() if "named" not in name)


def test_a_folder_named_like_a_host_but_not_one_gives_no_url(tmp_path: Path) -> None:
    """Not under a public suffix (``v1.2``, ``notes.backup``, the reserved ``.example``), the file's own name, or
    no host at all (``wget --no-host-directories``): nothing can be said, the page keeps its file:// URL."""
    for relative in ("v1.2/news/story.html", "notes.backup/story.html", "www.outlet.example/story.html",
                     "example.org", "no-host/news/2019/story.html", "20190305120000/news/story.html"):
        save(tmp_path, relative, page())
    pages = found(tmp_path)
    assert len(pages) == 6
    for name, saved in pages.items():
        assert saved.url == (tmp_path / name).resolve().as_uri() and not saved.url_from_path, name
    # a capture's time stamp says when, even where no folder says where
    assert pages["20190305120000/news/story.html"].fetched_at == datetime(2019, 3, 5, 12, tzinfo=timezone.utc)
    assert pages["v1.2/news/story.html"].fetched_at == FILE_TIME


def test_the_pages_own_address_and_saved_time_win_over_its_folders(tmp_path: Path) -> None:
    """A canonical link, a sidecar or a saving tool's comment names the page; the folders only stand in for them.
    A folder's time stamp is the capture's, which the saves of one URL are ordered by, and wins over a comment's
    saved date (it was the other way round, so a page's time and its place among its URL's saves could disagree),
    which wins over the file's time."""
    folder = "pages/20190305120000/www.example.org/news"
    save(tmp_path, f"{folder}/canonical.html", page("<link rel='canonical' href='http://www.example.org/news/c'>"))
    save(tmp_path, f"{folder}/sidecar.html", page())
    (tmp_path / folder / "sidecar.url").write_text("https://www.example.org/news/from-sidecar\n")
    single_file = ("<!--\n Page saved with SingleFile \n url: https://www.example.org/news/s \n saved date: Tue Dec 01 "
                   "2026 08:00:00 GMT+0000 (Coordinated Universal Time)\n-->")
    save(tmp_path, f"{folder}/single-file.html", single_file.encode() + page())
    pages = found(tmp_path)
    assert {name.rsplit("/", 1)[1]: (p.url, p.fetched_at.isoformat(), p.url_from_path)
            for name, p in pages.items()} == {
        "canonical.html": ("http://www.example.org/news/c", "2019-03-05T12:00:00+00:00", False),
        "sidecar.html": ("https://www.example.org/news/from-sidecar", "2019-03-05T12:00:00+00:00", False),
        "single-file.html": ("https://www.example.org/news/s", "2019-03-05T12:00:00+00:00", False)}
    save(tmp_path, "www.example.org/news/unstamped.html", single_file.encode() + page())
    assert found(tmp_path)["www.example.org/news/unstamped.html"].fetched_at.isoformat() == "2026-12-01T08:00:00+00:00"


def test_wayback_machine_downloader_latest_and_all_timestamps(tmp_path: Path) -> None:
    """`websites/HOST/PATH` (the latest capture, dated by its file), and with --all-timestamps one folder per
    capture directly after the host: the capture's time, no part of the URL. A 14-digit name that is no valid time
    (an article number) is the site's own path."""
    save(tmp_path, "websites/www.example.org/news/story/index.html", page())
    save(tmp_path, "websites/www.example.org/20190101000000/news/story/index.html", page(body="<p>first</p>"))
    save(tmp_path, "websites/www.example.org/20190305120000/news/story/index.html", page(body="<p>edit</p>"))
    save(tmp_path, "websites/www.example.org/20199999999999/story.html", page(body="<p>numbered</p>"))
    pages = found(tmp_path)
    assert {name: (p.url, p.fetched_at.isoformat()) for name, p in pages.items()} == {
        "websites/www.example.org/news/story/index.html": (
            "https://www.example.org/news/story/", FILE_TIME.isoformat()),
        "websites/www.example.org/20190101000000/news/story/index.html": (
            "https://www.example.org/news/story/", "2019-01-01T00:00:00+00:00"),
        "websites/www.example.org/20190305120000/news/story/index.html": (
            "https://www.example.org/news/story/", "2019-03-05T12:00:00+00:00"),
        "websites/www.example.org/20199999999999/story.html": (
            "https://www.example.org/20199999999999/story.html", FILE_TIME.isoformat())}


MIRRORED = URL.replace("www.harbour-gazette.example", "www.harbour-gazette.com")


def waybackpack(folder: Path) -> Path:
    """jsvine's waybackpack of the bridge article, captured twice (the second time edited), without its canonical
    link: DIR/YYYYMMDDhhmmss/HOST/PATH. The files' own times say nothing (both FILE_TIME)."""
    relative = MIRRORED.removeprefix("https://") + ".html"
    for stamp, body in (("20190101080000", BODY), ("20190305120000", BODY + EDIT)):
        save(folder, f"{stamp}/{relative}", full_page(body=body).replace(f'<link rel="canonical" href="{URL}">',
                                                                         "").encode())
    return folder


def test_waybackpack_captures_are_two_versions_of_one_page_under_its_rebuilt_url(tmp_path: Path) -> None:
    folder = waybackpack(tmp_path / "wbp")
    done = run_crawl(tmp_path / "all", "news", "-a", f"replay={folder}", "-a", "versions=all", "-O", "items.jsonl")
    assert done.returncode == 0, done.log[-3000:]
    bridge = done.feed_items("items.jsonl")
    assert [(item["url"], item["revision"], item["provenance"]["fetched_at"]) for item in bridge] == [
        (MIRRORED + ".html", 1, "2019-01-01T08:00:00+00:00"), (MIRRORED + ".html", 2, "2019-03-05T12:00:00+00:00")]
    assert all("url_from_path" in item["quality"] and "no_url" not in item["quality"] for item in bridge)
    assert bridge[1]["previous_body_sha256"] == bridge[0]["provenance"]["body_sha256"]
    assert done.stat("newscrawl/quality/url_from_path") == 2 and done.stat("newscrawl/replay/misses") is None
    report = verify_feed(str(tmp_path / "all" / "items.jsonl"), str(folder))
    assert (report.checked, report.passed) == (2, 2), report.problems

    last = run_crawl(tmp_path / "last", "news", "-a", f"replay={folder}", "-O", "items.jsonl")
    assert last.returncode == 0, last.log[-3000:]
    [only] = last.feed_items("items.jsonl")
    assert (only["url"], only["outlet"], only["provenance"]["fetched_at"]) == (
        MIRRORED + ".html", "harbour-gazette.com", "2019-03-05T12:00:00+00:00")  # the latest capture, as in a WARC
    assert "ferry" not in only["body"] and "regional government confirmed" in only["body"]
    assert "url_from_path" in only["quality"]
    assert last.stat("newscrawl/replay/not_replayed/same-url") == 1
    assert "20190101080000/" in next(line for line in last.log.splitlines() if "Saved page not replayed" in line)
    report = verify_feed(str(tmp_path / "last" / "items.jsonl"), str(folder))
    assert (report.checked, report.passed) == (1, 1), report.problems


def test_the_scheme_is_the_one_the_pages_own_links_to_its_host_use(tmp_path: Path) -> None:
    """A mirror's folders name no scheme; a page of 2012 linked its own host over http (a Wayback copy's rewritten
    links name the original's). https only when nothing says otherwise."""
    old = page(body='<a href="http://www.example.org/news/">News</a><img src="http://example.org/logo.png">'
                    '<a href="https://other.example/">elsewhere</a>')
    wayback = page(body='<a href="https://web.archive.org/web/20120305120000/http://www.example.org/a">a</a>')
    save(tmp_path, "www.example.org/news/old.html", old)
    save(tmp_path, "20120305120000/www.example.org/news/copy.html", wayback)
    save(tmp_path, "www.example.org/news/new.html", page())
    assert {name: saved.url for name, saved in found(tmp_path).items()} == {
        "www.example.org/news/old.html": "http://www.example.org/news/old.html",
        "20120305120000/www.example.org/news/copy.html": "http://www.example.org/news/copy.html",
        "www.example.org/news/new.html": "https://www.example.org/news/new.html"}


CONVERTED_TIME = datetime(2024, 6, 1, 9, 45, tzinfo=timezone.utc)


def wget_backup(folder: Path, converted: str, backup: str, original: bytes) -> None:
    """What `wget -k -K` leaves of a page: the page as fetched, renamed to its backup name (FILE_TIME: a rename
    keeps the file's time), and the copy -k wrote under the page's own name, its links made local files' names
    (written later, at CONVERTED_TIME)."""
    save(folder, backup, original)
    local = original.replace(b'href="/', b'href="../').replace(b"https://www.example.org/", b"../")
    path = folder / converted
    path.write_bytes(local.replace(b"</body>", b"<a href='../index.html'>Home</a></body>"))
    os.utime(path, (CONVERTED_TIME.timestamp(), CONVERTED_TIME.timestamp()))


def test_wget_backup_converted_originals_answer_their_pages_url_not_a_url_of_their_own(tmp_path: Path) -> None:
    """`wget -k -K` keeps each page it converted as fetched beside it: `X.orig` for `X`, and, where -E appended
    .html to the name, `X.orig` for `X.html` ("write orig over html", wget's convert.c). The original is the
    server's bytes, its links and canonical link as the site wrote them, so it answers the page's URL, and the
    converted copy (links to local files) is told as not replayed. Before, the backup was a page of its own, under
    a URL ending .orig. A CSS file's backup is no page, and a backup whose copy is gone still answers its URL."""
    original = page(body='<a href="/news/other.html">Other</a>')
    wget_backup(tmp_path, "www.example.org/news/story.html", "www.example.org/news/story.html.orig", original)
    wget_backup(tmp_path, "www.example.org/article.php.html", "www.example.org/article.php.orig", original)
    wget_backup(tmp_path, "www.example.org/news/index.html", "www.example.org/news/index.html.orig", original)
    wget_backup(tmp_path, "www.example.org/story@id=7.html", "www.example.org/story@id=7.orig",
                page(body='<a href="/story?id=7">Permalink</a>'))
    save(tmp_path, "www.example.org/news/alone.html.orig", original)  # its converted copy deleted
    save(tmp_path, "www.example.org/style.css.orig", b"body { color: red }")
    (tmp_path / "www.example.org/style.css").write_bytes(b"body { color: blue }")
    items = list(iter_saved_html(tmp_path))
    assert [item for item in items if isinstance(item, ArchiveProblem)] == []
    pages = {Path(p.path).relative_to(tmp_path.resolve()).as_posix(): p for p in items if isinstance(p, SavedPage)}
    assert {name: (p.url, p.fetched_at, p.url_from_path) for name, p in pages.items()} == {
        "www.example.org/news/story.html.orig": ("https://www.example.org/news/story.html", FILE_TIME, True),
        "www.example.org/article.php.orig": ("https://www.example.org/article.php", FILE_TIME, True),  # -E's
        "www.example.org/news/index.html.orig": ("https://www.example.org/news/", FILE_TIME, True),
        "www.example.org/story@id=7.orig": ("https://www.example.org/story?id=7", FILE_TIME, True),
        "www.example.org/news/alone.html.orig": ("https://www.example.org/news/alone.html", FILE_TIME, True)}
    assert all(p.body == original for name, p in pages.items() if "@" not in name)  # the server's bytes
    told = {Path(n.path).relative_to(tmp_path.resolve()).as_posix(): n for n in items if isinstance(n, NotReplayed)}
    assert {name: n.kind for name, n in told.items()} == {
        "www.example.org/news/story.html": "converted", "www.example.org/article.php.html": "converted",
        "www.example.org/news/index.html": "converted", "www.example.org/story@id=7.html": "converted"}
    assert told["www.example.org/article.php.html"].message == (
        f"wget --convert-links's copy of {tmp_path.resolve()}/www.example.org/article.php.orig (its links made local "
        "files' names); that file, the page as fetched (--backup-converted), is replayed instead")


def test_a_wget_backup_converted_mirror_replays_each_article_once_as_fetched(tmp_path: Path) -> None:
    """End to end: one item for the article, from its original (links as the site wrote them), which verify
    proves; the converted copy counted as not replayed."""
    folder = tmp_path / "mirror"
    relative = MIRRORED.removeprefix("https://") + ".html"
    original = full_page().replace(f'<link rel="canonical" href="{URL}">', "").encode()
    wget_backup(folder, relative, relative + ".orig", original)
    done = run_crawl(tmp_path / "run", "news", "-a", f"replay={folder}", "-O", "items.jsonl")
    assert done.returncode == 0, done.log[-3000:]
    [only] = done.feed_items("items.jsonl")
    assert only["url"] == MIRRORED + ".html" and only["provenance"]["fetched_at"] == FILE_TIME.isoformat()
    assert done.stat("newscrawl/replay/not_replayed/converted") == 1
    report = verify_feed(str(tmp_path / "run" / "items.jsonl"), str(folder))
    assert (report.checked, report.passed) == (1, 1), report.problems


def test_wgets_mirror_beside_its_warc_is_the_warcs_capture_not_more_pages(tmp_path: Path) -> None:
    """`wget --warc-file=crawl -x` writes each page twice: a record of http://HOST:PORT/PATH in the WARC, and the
    file HOST:PORT/PATH beside it. The saved file was matched with the WARC by the URL it was read under: its
    canonical link (another address) or, without one, a guessed https, so the news spider replayed each page twice
    (an item twice, or a DuplicateArticle drop each, and a log claiming every saved page was replayed with the
    WARC). The file is the WARC's capture of the address its folders name, in either scheme: one item per page,
    from the WARC."""
    folder = tmp_path / "wget"
    host = "127.0.0.1:8765"
    named = full_page().encode()  # its canonical link names the outlet's address, not the one crawled
    unnamed = full_page(headline="Ferry timetable changes for the winter", title="Ferry timetable").replace(
        f'<link rel="canonical" href="{URL}">', "").encode()
    pages = {"news/harbour-bridge": named, "news/view.php?id=8&page=1": unnamed}
    folder.mkdir()
    with (folder / "crawl.warc.gz").open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for path, body in pages.items():
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(f"http://{host}/{path}", "response",
                                                          payload=io.BytesIO(body), http_headers=http))
    for path, body in pages.items():
        save(folder, f"{host}/{path}", body)
    source = ReplaySource(folder)  # the address is matched, whatever the spider's article key
    assert (source.pages_beside_warcs, source.pages_held_by_warcs) == (0, 2)
    done = run_crawl(tmp_path / "run", "news", "-a", f"replay={folder}", "-O", "items.jsonl")
    assert done.returncode == 0, done.log[-3000:]
    items = done.feed_items("items.jsonl")
    assert sorted(item["url"] for item in items) == sorted([URL, f"http://{host}/news/view.php?id=8&page=1"])
    assert {item["provenance"]["archive"]["file"] for item in items} == {"crawl.warc.gz"}
    assert "DuplicateArticle" not in done.log
    assert "holds saved pages beside its WARC files: 0 replayed with them, 2 left to the WARCs' capture" in done.log
    report = verify_feed(str(tmp_path / "run" / "items.jsonl"), str(folder))
    assert (report.checked, report.passed) == (2, 2), report.problems
