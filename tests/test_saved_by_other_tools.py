"""Pages saved the way people save them, by tools that are not ours: what each tool writes is read, and no article
the folder holds is lost (a probe of 29 ways of saving the bundled sample's 41 articles found each case below).

Every page here is built as the tool writes it: browsers' translated "Web Page, complete" folders, gzip bytes that
`curl -o` keeps under a page's name, an MHTML archive written by Python's email package (its long addresses
RFC 2047-encoded), PyWebCopy's mirror comment, a failed save left as an empty file, a page whose <head> was lost
(no address anywhere), and a Devdiscourse page saved "complete" (its links made absolute, its image pointed at the
browser's copy).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
from datetime import datetime, timezone
from email.message import EmailMessage
from email.policy import default as email_default
from pathlib import Path
from typing import cast

import pytest

from newscrawl.archive.savedhtml import read_saved_body
from newscrawl.archive.warc import ArchiveProblem, SavedPage, iter_saved_html
from newscrawl.parsers.devdiscourse import DevdiscourseParser
from tests.crawling import run_crawl

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "devdiscourse"
PAGE = ("<!DOCTYPE html><html><head><meta charset='utf-8'><link rel='canonical' href='https://outlet.example/a'>"
        "</head><body><p>text</p></body></html>").encode()


def found(folder: Path) -> tuple[dict[str, SavedPage], list[ArchiveProblem]]:
    items = list(iter_saved_html(folder))
    pages = {Path(p.path).relative_to(folder.resolve()).as_posix(): p for p in items if isinstance(p, SavedPage)}
    return pages, [p for p in items if isinstance(p, ArchiveProblem)]


def test_the_resource_folder_a_translated_browser_saves_is_not_read_as_pages(tmp_path: Path) -> None:
    """A German Firefox writes "<name>-Dateien", a French one "<name>_fichiers", a Spanish Windows "<name>_archivos":
    their frames are not articles the user saved, as with "<name>_files". A folder beside a page of its name that is
    no such translation (a mirror's "news-archive/") is read."""
    for page, folder in (("Story", "Story-Dateien"), ("Histoire", "Histoire_fichiers"),
                         ("Historia.htm", "Historia_archivos"), ("Verhaal", "Verhaal_bestanden")):
        name = page if page.endswith(".htm") else f"{page}.html"
        (tmp_path / name).write_bytes(PAGE)
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "saved_resource.html").write_bytes(PAGE.replace(b"text", b"Advertisement"))
    (tmp_path / "news.html").write_bytes(PAGE)
    (tmp_path / "news-archive").mkdir()
    (tmp_path / "news-archive" / "story-1.html").write_bytes(PAGE)
    pages, problems = found(tmp_path)
    assert problems == []
    assert sorted(pages) == ["Histoire.html", "Historia.htm", "Story.html", "Verhaal.html", "news-archive/story-1.html",
                             "news.html"]


def test_gzip_bytes_saved_under_a_page_name_are_the_page(tmp_path: Path) -> None:
    """`curl -o story.html` of a server that compresses unasked keeps the gzip bytes: the page is inside them (and a
    `wget --mirror` page without an extension is found by what they inflate to). They were "binary data"."""
    (tmp_path / "story.html").write_bytes(gzip.compress(PAGE))
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "story-7").write_bytes(gzip.compress(PAGE))  # no extension: found by sniffing
    (tmp_path / "logo").write_bytes(gzip.compress(b"\x89PNG\r\n\x1a\n" + bytes(range(256))))  # gzip, not a page
    (tmp_path / "cut.html").write_bytes(gzip.compress(PAGE)[:25])
    pages, problems = found(tmp_path)
    assert sorted(pages) == ["news/story-7", "story.html"]
    for page in pages.values():
        assert page.url == "https://outlet.example/a"
        assert page.body_sha256 == hashlib.sha256(PAGE).hexdigest()
        assert read_saved_body(page.place()) == PAGE  # a replay reads it again the same way
    assert [(Path(p.file).name, p.kind) for p in problems] == [("cut.html", "gzip")]


def test_an_empty_file_is_one_problem_not_a_page(tmp_path: Path) -> None:
    """A save or download that failed leaves an empty file: it is named as a damaged input, like a picture saved as
    .html, not parsed as a page that is "not an article"."""
    (tmp_path / "empty.html").write_bytes(b"")
    (tmp_path / "blank.htm").write_bytes(b" \r\n\t\n")
    (tmp_path / "empty.html.gz").write_bytes(gzip.compress(b""))
    (tmp_path / "story.html").write_bytes(PAGE)
    pages, problems = found(tmp_path)
    assert list(pages) == ["story.html"]
    assert sorted((Path(p.file).name, p.kind) for p in problems) == [
        ("blank.htm", "empty"), ("empty.html", "empty"), ("empty.html.gz", "empty")]


def test_an_mhtml_archive_whose_addresses_are_encoded_words_names_its_page(tmp_path: Path) -> None:
    """Python's email package (its default policy) writes a long Snapshot-Content-Location or Content-Location as
    RFC 2047 encoded-words over several lines; the address is read decoded. It was lost, and a page without a
    canonical link with it."""
    address = "http://127.0.0.1:46443/article/agency-wire/3301776-cyberattack-disrupts-services-at-adani-green-energy"
    page = PAGE.replace(b"<link rel='canonical' href='https://outlet.example/a'>", b"")
    message = EmailMessage(policy=email_default)
    message["Snapshot-Content-Location"] = address
    message["Date"] = "Thu, 20 Mar 2025 20:15:00 +0100"
    message.make_related()
    message.add_related(page, "text", "html", headers=[f"Content-Location: {address}"])
    raw = message.as_bytes()
    assert b"=?utf-8?q?" in raw  # written as encoded-words: the case at hand
    (tmp_path / "story.mhtml").write_bytes(raw)
    pages, problems = found(tmp_path)
    assert problems == []
    assert pages["story.mhtml"].url == address
    assert pages["story.mhtml"].fetched_at == datetime(2025, 3, 20, 19, 15, tzinfo=timezone.utc)


def test_a_page_mirrored_by_pywebcopy_names_where_and_when_it_was_mirrored(tmp_path: Path) -> None:
    """PyWebCopy rewrites the canonical link to a relative path; its comment after <html> keeps the address."""
    comment = ("<!--\n* PyWebCopy Engine [version 7.1]\n* Copyright 2020; Raja Tomar\n* File mirrored from "
               "[https://outlet.example/news/story-7]\n* At UTC datetime: [2026-12-05 17:22:09.854092]\n-->")
    body = f"<html lang='en'>{comment}<head><link rel='canonical' href='../story-7.html'></head><body><p>x</p>"
    (tmp_path / "story.html").write_text(body, encoding="utf-8")
    (tmp_path / "undated.html").write_text(body.replace("\n* At UTC datetime: [2026-12-05 17:22:09.854092]", ""),
                                           encoding="utf-8")
    os.utime(tmp_path / "undated.html", (1_700_000_000, 1_700_000_000))
    pages, problems = found(tmp_path)
    assert problems == []
    assert pages["story.html"].url == pages["undated.html"].url == "https://outlet.example/news/story-7"
    assert pages["story.html"].fetched_at == datetime(2026, 12, 5, 17, 22, 9, 854092, tzinfo=timezone.utc)
    assert pages["undated.html"].fetched_at == datetime.fromtimestamp(1_700_000_000, timezone.utc)


def saved_complete(html: str, page_name: str) -> str:
    """A Devdiscourse page as a browser's "Web Page, complete" (or wget -k) saves it: site links made absolute on
    the address it was saved from, the lead image pointed at the copy in "<page>_files/"."""
    html = re.sub(r'href="/', 'href="http://127.0.0.1:46443/', html)
    return re.sub(r'(<img[^>]*?) (data-src|src)="https://devdiscourse\.blob\.core\.windows\.net/devnews/([^"]+)"',
                  rf'\1 \2="./{page_name}_files/\3"', html)


@pytest.mark.parametrize("case", ["syndicated-reuters", "rich-body", "blog-opinion-with-author"])
def test_a_devdiscourse_page_saved_complete_keeps_its_sector_and_image(case: str) -> None:
    """The breadcrumb's sector link is read by its path on whatever host the saved copy names; the image is the
    site's (og:image) when the img points at the saving tool's file. Both were lost or wrong on 40 of 41 pages."""
    original = (FIXTURES / f"{case}.html").read_text(encoding="utf-8")
    expected = json.loads((FIXTURES / f"{case}.json").read_text(encoding="utf-8"))
    saved = saved_complete(original, "Story")
    assert saved != original and "Story_files/" in saved
    live = DevdiscourseParser.from_html(original.encode(), expected["url"]).parse()
    article = DevdiscourseParser.from_html(saved.encode(), expected["url"]).parse()
    assert article is not None and live is not None
    assert article.sector == live.sector == expected["sector"] and article.sector
    assert article.image_url == live.image_url == expected["image_url"]
    assert article.body == live.body


def test_a_devdiscourse_page_that_names_no_address_is_emitted_flagged_not_lost(tmp_path: Path) -> None:
    """A saved page whose <head> was lost names no address (no sidecar, saved-from comment, canonical link or
    og:url): the devdiscourse spider used to skip it with a bare counter, since its file:// URL is on no article
    route. It is offered to the parser, which knows its own pages: the article comes out with no_url; a page of
    another site beside it is judged not an article, in one line."""
    folder = tmp_path / "saved"
    folder.mkdir()
    page = (FIXTURES / "syndicated-reuters.html").read_text(encoding="utf-8")
    expected = json.loads((FIXTURES / "syndicated-reuters.json").read_text(encoding="utf-8"))
    (folder / "story.html").write_text(re.sub(r"(?s)<head>.*?</head>", "<head></head>", page), encoding="utf-8")
    (folder / "other-site.html").write_bytes(b"<html><body><h1>Opening hours</h1><p>Mon-Fri 9-5</p></body></html>")
    result = run_crawl(tmp_path / "run", "devdiscourse", "-a", f"replay={folder}", "-O", "out.jsonl")
    assert "Traceback" not in result.log, result.log[-3000:]
    [item] = result.feed_items("out.jsonl")
    assert item["url"] == (folder / "story.html").resolve().as_uri() and "no_url" in item["quality"]
    assert (item["outlet_id"], item["title"], item["body"]) == (expected["outlet_id"], expected["title"],
                                                                expected["body"])
    assert result.stat("newscrawl/discovery/archive") == 2
    assert "other-site.html" in next(line for line in result.log.splitlines() if "Not an article page" in line)


OTHER_OUTLET = ("<!DOCTYPE html><html><head><title>Harbour dredging contract signed | Coast Post</title><link "
                "rel='canonical' href='https://coastpost.example/news/harbour-dredging-contract'></head><body><nav>"
                "<a href='/'>Home</a></nav><article><h1>Harbour dredging contract signed</h1><p class='byline'>By Ana "
                "Ferreira, <time datetime='2025-03-19T08:30:00+00:00'>19 March 2025</time></p><p>The harbour "
                "authority signed a contract on Friday for the dredging of the northern channel, which has silted up "
                "over three winters and kept larger ferries out of the inner basin since January.</p><p>Work starts "
                "in April and should last eleven weeks, the authority said in a statement on its website.</p><p>Ferry "
                "operators welcomed the news but asked for night work to keep the day timetable whole.</p><p>The "
                "contract is worth 4.2 million and was awarded to the lowest of five bidders after a review.</p>"
                "</article></body></html>")


@pytest.mark.parametrize(("spider", "page", "url"), [
    ("devdiscourse", (FIXTURES / "syndicated-reuters.html").read_text(encoding="utf-8"),
     json.loads((FIXTURES / "syndicated-reuters.json").read_text(encoding="utf-8"))["url"]),
    ("news", OTHER_OUTLET, "https://coastpost.example/news/harbour-dredging-contract")])
def test_an_article_saved_twice_once_without_its_address_is_one_item(tmp_path: Path, spider: str, page: str,
                                                                      url: str) -> None:
    """The same story saved twice, once whole and once with its <head> lost: one item, under its address. The copy
    without one sorts first here ("a-copy.html"); it used to come out as a second, no_url item. Pages known by no
    address are read after those with one, so the copy with the address is the one kept."""
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "story.html").write_text(page, encoding="utf-8")
    (folder / "a-copy.html").write_text(re.sub(r"(?s)<head>.*?</head>", "<head></head>", page), encoding="utf-8")
    result = run_crawl(tmp_path / "run", spider, "-a", f"replay={folder}", "-O", "out.jsonl")
    assert "Traceback" not in result.log, result.log[-3000:]
    [item] = result.feed_items("out.jsonl")
    assert item["url"] == url and "no_url" not in item["quality"]
    assert result.stat("item_dropped_reasons_count/DuplicateArticle") == 1
    assert "a page without its address, whose article this run emitted" in result.log


def test_an_article_saved_twice_without_its_address_is_one_item_and_the_drop_says_why(tmp_path: Path) -> None:
    """Two identical saves, neither with its <head>: one no_url item, and the other's drop line does not claim that
    the kept copy had an address."""
    folder = tmp_path / "saved"
    folder.mkdir()
    headless = re.sub(r"(?s)<head>.*?</head>", "<head></head>", OTHER_OUTLET)
    for name in ("nourl-1.html", "nourl-2.html"):
        (folder / name).write_text(headless, encoding="utf-8")
    result = run_crawl(tmp_path / "run", "news", "-a", f"replay={folder}", "-O", "out.jsonl")
    [item] = result.feed_items("out.jsonl")
    assert "no_url" in item["quality"]
    assert result.stat("item_dropped_reasons_count/DuplicateArticle") == 1
    assert "whose article this run emitted already (the same headline and body)" in result.log
    assert "from a copy with one" not in result.log


def test_a_canonical_link_a_saving_tool_rewrote_to_its_local_copy_is_not_the_articles_address() -> None:
    """PyWebCopy (and wget -k) rewrite the canonical link to a path relative to the saved file,
    "../../../www.outlet.example/news/story-7.html": joined to the address the page was saved from it made
    "http://host/www.outlet.example/news/story-7.html". The og:url, else the page's own address, names it."""
    from newscrawl.parsers.generic import GenericParser

    def parser(html: str, url: str) -> GenericParser:  # from_html is typed as building any ArticleParser
        return cast(GenericParser, GenericParser.from_html(html.encode(), url))

    head = ("<link rel='canonical' href='../../../www.outlet.example/news/story-7.html'>"
            "<meta property='og:url' content='https://www.outlet.example/news/story-7'>")
    page = f"<html><head><title>T</title>{head}</head><body><h1>T</h1><p>text</p></body></html>"
    saved_from = "http://127.0.0.1:46443/news/story-7"
    original = "https://www.outlet.example/news/story-7"
    assert parser(page, saved_from).canonical_url() == original
    without_og = page.replace("<meta property='og:url' content='https://www.outlet.example/news/story-7'>", "")
    assert parser(without_og, saved_from).canonical_url() == saved_from
    rooted = page.replace("../../../www.outlet.example/news/story-7.html", "/news/story-7")  # a site's own form
    assert parser(rooted, "https://www.outlet.example/x").canonical_url() == (
        "https://www.outlet.example/news/story-7")
