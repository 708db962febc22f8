"""Spider arguments: each is parsed as documented, and a wrong one fails at start with one clear line."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import cast

import pytest
from scrapy.exceptions import UsageError
from scrapy.utils.test import get_crawler

from newscrawl.spiders.devdiscourse import DevdiscourseSpider
from tests.crawling import ROOT, run_crawl


def make(**kwargs: str) -> DevdiscourseSpider:
    crawler = get_crawler(DevdiscourseSpider, settings_dict={"NEWSCRAWL_ARCHIVE_ENABLED": False,
                                                                "NEWSCRAWL_STATE_ENABLED": False})
    return cast(DevdiscourseSpider, DevdiscourseSpider.from_crawler(crawler, **kwargs))


def test_defaults() -> None:
    spider = make()
    assert spider.base_url == "https://www.devdiscourse.com"
    assert spider.routes == ("sitemap", "api", "listings")
    assert spider.allowed_domains == ["www.devdiscourse.com"]
    assert spider.mode == "live" and spider.feed_name == spider.crawl_id


def test_base_url_moves_every_discovery_url() -> None:
    spider = make(base_url="http://127.0.0.1:8080/")
    urls = [request.url for request in spider.discover()]
    assert urls == ["http://127.0.0.1:8080/RSS/GoogleNews", "http://127.0.0.1:8080/api/Search/GetAllNews/1",
                    "http://127.0.0.1:8080/pti-stories?page=1", "http://127.0.0.1:8080/devdiscourse-stories?page=1"]
    assert spider.allowed_domains == ["127.0.0.1"]
    assert spider.site_url("https://www.devdiscourse.com/article/x/1-a") == "http://127.0.0.1:8080/article/x/1-a"


def test_sources_restrict_to_listings() -> None:
    spider = make(sources="reuters,pti", max_pages="2")
    assert [r.url for r in spider.discover()] == ["https://www.devdiscourse.com/reuters-stories?page=1",
                                                  "https://www.devdiscourse.com/pti-stories?page=1"]
    assert spider.max_pages == 2


def test_urls_from_file(tmp_path: Path) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text("# two articles\nhttps://www.devdiscourse.com/article/a/1-x\n\nhttp://127.0.0.1:9/article/b/2\n")
    spider = make(urls=f"@{listing}")
    assert spider.urls == ["https://www.devdiscourse.com/article/a/1-x", "http://127.0.0.1:9/article/b/2"]
    assert spider.allowed_domains == ["127.0.0.1", "www.devdiscourse.com"]


def test_a_comment_after_a_url_is_not_part_of_it(tmp_path: Path) -> None:
    """"url  # note" became the URL …mumbai%20%20#%20note; a '#' right after the URL is its fragment and stays."""
    listing = tmp_path / "urls.txt"
    listing.write_text("https://www.devdiscourse.com/article/a/1-mumbai  # trailing\n"
                       "https://www.devdiscourse.com/article/b/2-y#comments\t# the fragment stays\n"
                       "   # an indented comment line\n")
    assert make(urls=f"@{listing}").urls == ["https://www.devdiscourse.com/article/a/1-mumbai",
                                             "https://www.devdiscourse.com/article/b/2-y#comments"]


@pytest.mark.parametrize(("arguments", "message"), [
    ({"bogus": "1"}, "unknown argument 'bogus'"),
    ({"max_pages": "zero"}, "bad value for -a max_pages: 'zero' is not a positive whole number"),
    ({"since": "21/03/2025"}, "bad value for -a since: '21/03/2025' is not a date in the form YYYY-MM-DD"),
    ({"sources": "pti,foo"}, "unknown source(s) foo"),
    ({"urls": "ftp://x/y"}, "'ftp://x/y' is not an absolute http(s) URL"),
    ({"urls": "@/nonexistent/urls.txt"}, "cannot read URL file /nonexistent/urls.txt"),
    ({"base_url": "devdiscourse.com"}, "'devdiscourse.com' is not an absolute http(s) URL"),
    ({"replay": "/nonexistent.warc.gz"}, "'/nonexistent.warc.gz' does not exist"),
    ({"replay": ""}, "bad value for -a replay: empty ("),
    ({"replay": "  "}, "bad value for -a replay: empty ("),
    ({"urls": "@"}, "bad value for -a urls: empty file name after @ ("),
    ({"routes": "rss"}, "unknown route(s) rss"),
])
def test_bad_arguments(arguments: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError) as raised:
        make(**arguments)
    assert message in str(raised.value)


@pytest.mark.parametrize(("arguments", "message"), [
    (("-a", "max_pages=-3"), "spider 'devdiscourse': bad value for -a max_pages: '-3' is not a positive whole number"),
    (("-a", "max_pages"), "Invalid -a value, use -a NAME=VALUE"),
    (("-a", "jobs=0"), "spider 'devdiscourse': bad value for -a jobs: '0' is neither a positive whole number nor auto"),
])
def test_bad_argument_on_the_command_line_is_one_clear_line(tmp_path: Path, arguments: tuple[str, ...],
                                                            message: str) -> None:
    """Only the line: no version banner and no usage block before it, whichever check found it."""
    result = run_crawl(tmp_path, "devdiscourse", *arguments)
    assert result.returncode == 2
    assert result.log.startswith(f"scrapy crawl devdiscourse: error: {message}")
    assert result.log.count("\n") == 1, result.log
    assert not (tmp_path / "output").exists()


SPIDERS = "(known: devdiscourse, news)"


@pytest.mark.parametrize(("words", "line"), [
    (("devdiscource",), f"scrapy crawl devdiscource: error: unknown spider 'devdiscource' {SPIDERS}"),
    (("--nolog",), f"scrapy crawl: error: no spider given {SPIDERS}"),
    (("devdiscourse", "news"), f"scrapy crawl devdiscourse: error: one spider at a time, got 2: devdiscourse news "
                               f"{SPIDERS}"),
    (("devdiscourse", "--max-pages=3"), "scrapy crawl devdiscourse: error: unrecognized arguments: --max-pages=3"),
])
def test_a_wrong_spider_name_is_one_line_naming_the_spiders(tmp_path: Path, words: tuple[str, ...],
                                                            line: str) -> None:
    """A mistyped name was Scrapy's 42-line KeyError traceback ('Spider not found') and exit 1; no name, its whole
    help page after the version banner; an option it does not know was taken for a second spider."""
    result = run_crawl(tmp_path, *words)
    assert (result.returncode, result.log) == (2, line + "\n"), result.log
    assert not (tmp_path / "output").exists()


def test_a_leading_tilde_is_the_home_folder_in_every_path(tmp_path: Path) -> None:
    """`-a replay=~/x` was expanded, but a quoted `-O '~/items.jsonl'` (or `--logfile '~/…'`) made a folder named `~`
    in the working folder while the log said `Stored … in: ~/items.jsonl`."""
    home = tmp_path / "home"
    (home / "archive").mkdir(parents=True)
    shutil.copy(ROOT / "samples" / "devdiscourse.warc.gz", home / "archive")
    work = tmp_path / "work"
    result = run_crawl(work, "devdiscourse", "-a", "replay=~/archive", "-O", "~/feeds/items.jsonl",
                       "--logfile", "~/logs/crawl.log", env={"HOME": str(home)})
    assert result.returncode == 0, result.log[-3000:]
    assert not (work / "~").exists()
    assert len((home / "feeds" / "items.jsonl").read_text(encoding="utf-8").splitlines()) == 41
    assert f"Stored jsonl feed (41 items) in: {home}/feeds/items.jsonl" in (home / "logs" / "crawl.log").read_text()


def test_an_empty_replay_path_is_refused_not_the_working_folder(tmp_path: Path) -> None:
    """`-a replay=$ARCHIVE` with the variable unset replayed the working folder and wrote its feed and report."""
    (tmp_path / "page.html").write_text("<html><head><title>A page</title></head><body><p>Text</p></body></html>")
    result = run_crawl(tmp_path, "devdiscourse", "-a", "replay=")
    assert result.returncode == 2
    assert result.log.startswith("scrapy crawl devdiscourse: error: spider 'devdiscourse': bad value for -a replay: "
                                 "empty (") and result.log.count("\n") == 1, result.log
    assert not (tmp_path / "output").exists()


def test_a_worker_whose_redis_is_unreachable_is_one_line(tmp_path: Path) -> None:
    """It was asyncio's "Task exception was never retrieved" with a traceback, then "could not start"."""
    result = run_crawl(tmp_path, "news", settings={"REDIS_URL": "redis://127.0.0.1:1/0"})
    assert result.returncode == 2
    assert result.log.startswith("scrapy crawl news: not started, cannot use Redis at redis://127.0.0.1:1/0: ")
    assert result.log.count("\n") == 1, result.log


def test_replay_of_a_folder_without_archives_is_a_clear_usage_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = run_crawl(tmp_path, "devdiscourse", "-a", f"replay={tmp_path / 'empty'}")
    assert result.returncode == 2 and "Traceback" not in result.log
    assert ("no .warc/.warc.gz/.warc.zst/.arc/.arc.gz files and no saved pages (.html/.htm/.html.gz, or files whose "
            "first bytes are HTML) found") in result.log


def test_an_unreadable_state_file_is_named_and_kept(tmp_path: Path) -> None:
    state = tmp_path / "output" / "state" / "devdiscourse.sqlite"
    state.parent.mkdir(parents=True)
    state.write_bytes(b"garbage" * 10)
    result = run_crawl(tmp_path, "devdiscourse", "-a", "urls=http://127.0.0.1:9/article/x/1-a")
    assert result.returncode == 2 and "Traceback" not in result.log
    assert "cannot open crawl state output/state/devdiscourse.sqlite" in result.log
    assert state.read_bytes() == b"garbage" * 10


def test_scrapyd_job_argument_is_accepted() -> None:
    assert make(_job="6487ec79947edab326d6db28a2d86511e8247444").urls is None


def test_listing_links_are_requested_in_the_canonical_form_and_offsite_links_ignored() -> None:
    spider = make(base_url="http://127.0.0.1:8080")
    canonical = spider.listing_article_url("http://127.0.0.1:8080/article/politics/3301234-kim?amp#top", "3301234")
    assert canonical == "http://127.0.0.1:8080/article/politics/3301234-kim", "no ?amp view, no query"
    for other_form in ("https://www.devdiscourse.com/mobilearticle/3301234/South%20Asia",
                       "http://127.0.0.1:8080/article/3301234"):
        # the mobile view's dates cannot be trusted; the site 301s this form to the labelled URL (§1.2)
        assert spider.listing_article_url(other_form, "3301234") == "http://127.0.0.1:8080/article/agency-wire/3301234"
    assert spider.listing_article_url("https://partner.example/article/foo/3301239-z", "3301239") is None
