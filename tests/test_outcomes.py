"""Runs that tell the operator the truth: partial discovery, filtered-out work and missing sources are their own
statuses and exit codes, never "ok" (issues 19 and 20). Real crawls against a loopback site of generic pages."""

from __future__ import annotations

import gzip
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from newscrawl.monitoring.drift import check_drift
from newscrawl.state.store import StateStore
from tests.crawling import FAST, ROOT, run_crawl
from tests.sitegen.corpus import corpus, seed_spec
from tests.sitegen.devdiscourse import article_path
from tests.sitegen.server import MirrorServer, Page, Request, Site, build_devdiscourse_mirror
from tests.test_runner import FAST_ARGS, newscrawl, reports, run_args

FIXTURES = ROOT / "tests" / "fixtures" / "generic"
XML = "application/xml; charset=utf-8"
ARTICLES = {f"/news/2025/03/21/story-number-{n}": case for n, case in enumerate(
    ["jsonld-graph-article", "opengraph-only", "reuters-wire-dateline", "indian-wire-with-inputs",
     "microdata-only", "non-english-german-dpa"])}
FIRST, SECOND = list(ARTICLES)[:3], list(ARTICLES)[3:]


def urlset(base: str, paths: list[str]) -> bytes:
    entries = "".join(f"<url><loc>{base}{path}</loc><lastmod>2025-03-21</lastmod></url>" for path in paths)
    return (f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{entries}</urlset>").encode()


@pytest.fixture()
def server() -> Iterator[MirrorServer]:
    with MirrorServer(Site()) as mirror:
        base = mirror.base_url
        mirror.site.update({path: Page((FIXTURES / f"{case}.html").read_bytes()) for path, case in ARTICLES.items()})
        mirror.site["/sitemap-a.xml"] = Page(urlset(base, FIRST), content_type=XML)
        mirror.site["/sitemap-b.xml"] = Page(urlset(base, SECOND), content_type=XML)
        yield mirror


def report_of(workdir: Path) -> dict[str, Any]:
    reports = sorted((workdir / "output" / "news").glob("*.report.json"))
    return cast("dict[str, Any]", json.loads(reports[-1].read_text(encoding="utf-8")))


def outcomes_add_up(report: dict[str, Any]) -> int:
    """The sum of what became of each discovered article (fetched, skipped, gone, …): the number discovered."""
    articles = report["counts"]["articles"]
    return sum(sum(v.values()) if isinstance(v, dict) else v for v in articles.values())


def sitemaps(server: MirrorServer) -> str:
    return f"sitemap={server.base_url}/sitemap-a.xml,{server.base_url}/sitemap-b.xml"


def break_sitemap_b(server: MirrorServer, how: str) -> None:
    if how == "500":
        server.site["/sitemap-b.xml"] = Page(b"oops", status=500, content_type="text/plain")
    elif how == "gzip-bomb":  # 60 MB of zeros in 60 kB: over DOWNLOAD_MAXSIZE once inflated
        server.site["/sitemap-b.xml"] = Page(gzip.compress(b"\0" * 60_000_000), content_type=XML,
                                             headers={"Content-Encoding": "gzip"})
    else:  # never answers within the download timeout (exact pages win over hooks: take it out of the map)
        page = server.site.pop("/sitemap-b.xml")

        def stall(request: Request) -> Page | None:
            if request.path != "/sitemap-b.xml":
                return None
            time.sleep(4)
            return page
        server.site.hooks.insert(0, stall)


@pytest.mark.parametrize("how", ["500", "gzip-bomb", "never-answers"])
def test_a_lost_discovery_source_is_partial_discovery_and_the_next_run_finds_its_articles(
        server: MirrorServer, tmp_path: Path, how: str) -> None:
    original = server.site["/sitemap-b.xml"]
    break_sitemap_b(server, how)
    settings = ["-s", "DOWNLOAD_TIMEOUT=2", "-s", "RETRY_TIMES=0", "-s", "DOWNLOAD_MAXSIZE=10000000"]
    first = newscrawl(tmp_path, "run", "news", "-a", sitemaps(server), *FAST_ARGS, *settings)
    assert first.returncode == 9, first.stdout + first.stderr
    assert f"DISCOVERY SOURCE LOST {server.base_url}/sitemap-b.xml" in first.stdout
    report = report_of(tmp_path)
    assert report["status"] == "partial-discovery"
    assert [lost["url"] for lost in report["discovery_failures"]] == [f"{server.base_url}/sitemap-b.xml"]
    assert report["counts"]["items"] == len(FIRST)
    server.site.hooks[:] = [hook for hook in server.site.hooks if getattr(hook, "__name__", "") != "stall"]
    server.site["/sitemap-b.xml"] = original
    second = newscrawl(tmp_path, "run", "news", "-a", sitemaps(server), *FAST_ARGS, *settings)
    assert second.returncode == 0, second.stdout + second.stderr
    assert report_of(tmp_path)["counts"]["new_items"] == len(SECOND), "the next run discovers what was missed"


def test_work_dropped_by_robots_txt_is_filtered_out_not_ok(server: MirrorServer, tmp_path: Path) -> None:
    """A sitemap whose every article the site's robots.txt disallows: discovered, but nothing fetched."""
    server.site["/robots.txt"] = Page(b"User-agent: *\nDisallow: /news/\n", content_type="text/plain")
    done = newscrawl(tmp_path, "run", "news", "-a", f"sitemap={server.base_url}/sitemap-a.xml", *FAST_ARGS)
    assert done.returncode == 8, done.stdout + done.stderr
    report = report_of(tmp_path)
    assert report["status"] == "filtered-out" and report["filtered"]["robots.txt"] == len(FIRST)
    assert report["counts"]["discovered"] == len(FIRST) and report["counts"]["items"] == 0
    assert report["counts"]["articles"]["forbidden"] == len(FIRST) and outcomes_add_up(report) == len(FIRST)
    assert "FILTERED OUT" in done.stdout and "robots.txt 3" in done.stdout


def test_articles_a_sitemap_names_on_another_host_are_fetched(server: MirrorServer, tmp_path: Path) -> None:
    """The site's own sitemap naming its articles on another host (a CDN's sitemap, www. against the bare host) is
    the site's word: followed, where the offsite filter used to leave the run with nothing (filtered-out)."""
    other = server.base_url.replace("127.0.0.1", "localhost")
    server.site["/sitemap-a.xml"] = Page(urlset(other, FIRST), content_type=XML)
    done = newscrawl(tmp_path, "run", "news", "-a", f"sitemap={server.base_url}/sitemap-a.xml", *FAST_ARGS)
    assert done.returncode == 0, done.stdout + done.stderr
    report = report_of(tmp_path)
    assert report["status"] == "ok" and report["counts"]["items"] == len(FIRST)


def test_news_without_a_source_is_a_usage_error(tmp_path: Path) -> None:
    crawl = run_crawl(tmp_path, "news", settings=FAST)
    assert crawl.returncode == 2 and "Traceback" not in crawl.log
    assert "spider 'news' needs at least one of -a urls=, sitemap=, feed=, site= or replay=" in crawl.log
    run = newscrawl(tmp_path / "run", "run", "news")
    assert run.returncode == 2 and "Traceback" not in run.stderr


def test_an_unknown_spider_is_one_line_exit_2_and_creates_nothing(tmp_path: Path) -> None:
    done = newscrawl(tmp_path, "run", "nosuchspider")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "newscrawl run: unknown spider 'nosuchspider' (known: devdiscourse, news)"]
    assert not (tmp_path / "output").exists()


def test_articles_withdrawn_since_an_earlier_run_are_not_fetch_failures(server: MirrorServer, tmp_path: Path) -> None:
    """An outlet takes down stories a run emitted (410, 404) while its sitemap still names them with a newer lastmod:
    counted and named as withdrawn, not as failed fetches, which made the run `fetch-failures` (exit 4: "site
    down or blocking us")."""
    first = newscrawl(tmp_path, "run", "news", "-a", f"sitemap={server.base_url}/sitemap-a.xml", *FAST_ARGS)
    assert first.returncode == 0, first.stdout + first.stderr
    for path in FIRST:
        server.site[path] = Page(b"Gone", status=410, content_type="text/plain")
    server.site["/sitemap-a.xml"] = Page(urlset(server.base_url, FIRST).replace(b"2025-03-21", b"2025-03-22"),
                                         content_type=XML)
    second = newscrawl(tmp_path, "run", "news", "-a", f"sitemap={server.base_url}/sitemap-a.xml", *FAST_ARGS)
    assert second.returncode == 0, second.stdout + second.stderr
    report = report_of(tmp_path)
    assert report["status"] == "ok" and report["counts"]["items"] == 0
    assert report["counts"]["articles"]["withdrawn"] == len(FIRST) and outcomes_add_up(report) == len(FIRST)
    log = "".join(p.read_text() for p in (tmp_path / "output").rglob("*.log"))
    assert log.count("Article withdrawn (HTTP 410), emitted by an earlier run") == len(FIRST)
    # The next cron run, the sitemap unchanged: the claim the withdrawn pages answered is stored, so they are not
    # fetched (and warned about) again at every run while the sitemap keeps naming them.
    third = newscrawl(tmp_path, "run", "news", "-a", f"sitemap={server.base_url}/sitemap-a.xml", *FAST_ARGS)
    assert third.returncode == 0, third.stdout + third.stderr
    log = "".join(p.read_text() for p in (tmp_path / "output").rglob("*.log"))
    assert log.count("Article withdrawn (HTTP 410), emitted by an earlier run") == len(FIRST)
    assert report_of(tmp_path)["counts"]["items"] == 0


def test_revisions_that_lose_most_of_their_body_are_flagged_and_make_the_run_drift(server: MirrorServer,
                                                                                   tmp_path: Path) -> None:
    """A paywall or consent wall put before every story: the next run's revisions (their lastmod moved) each carried
    one sentence as the article, status ok, quality empty. Each is flagged body_shrunk now, and when most revisions
    of a run shrank, the run is drift (exit 5)."""
    first = newscrawl(tmp_path, "run", "news", "-a", f"sitemap={server.base_url}/sitemap-a.xml", *FAST_ARGS)
    assert first.returncode == 0, first.stdout + first.stderr
    for path in FIRST:
        html = server.site[path].body.decode("utf-8")
        head = html[:html.index("<body")]
        title = re.search(r"<title>(.*?)</title>", head, re.S)
        headline = title.group(1).split(" | ")[0] if title else "Story"
        typed = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": headline,
                            "datePublished": "2025-03-21T10:00:00+00:00"})
        server.site[path] = Page((f'{head}<script type="application/ld+json">{typed}</script><body><article>'
                                  f'<h1>{headline}</h1><time datetime="2025-03-21T10:00:00+00:00">March 21, 2025</time>'
                                  '<div class="story-body"><p>The council met on Friday to decide.</p></div>'
                                  '<div class="paywall"><p>Subscribe to continue reading.</p><a href="/subscribe">'
                                  "Subscribe now</a></div></article></body></html>").encode())
    server.site["/sitemap-a.xml"] = Page(urlset(server.base_url, FIRST).replace(b"2025-03-21", b"2025-03-22"),
                                         content_type=XML)
    second = newscrawl(tmp_path, "run", "news", "-a", f"sitemap={server.base_url}/sitemap-a.xml", *FAST_ARGS)
    report = report_of(tmp_path)
    items = [json.loads(line) for line in (tmp_path / report["feed"]).read_text().splitlines() if line.strip()]
    assert items and all("body_shrunk" in item["quality"] and item["revision"] == 2 for item in items), items
    assert second.returncode == 5 and report["status"] == "drift", second.stdout + second.stderr
    assert "revisions lost more than half their body" in report["drift"]["message"]


# ---- article pages answering 500 (Devdiscourse: a pulled or unknown NewsId, STRUCTURE.md §1.2 and §5) ----------

def answer_500(site: Site, news_ids: set[int] | None) -> None:
    """Article pages of these NewsIds (of every article when None) answer the site's 500 error page, while the
    sitemap and listings, cached, still name them."""
    def error_page(request: Request) -> Page | None:
        if not request.path.startswith("/article/"):
            return None
        if news_ids is None or any(f"/{news_id}-" in request.path for news_id in news_ids):
            return Page(b"<html><body><h1>An error occurred</h1></body></html>", status=500)
        return None
    site.hooks.insert(0, error_page)


def test_articles_answering_500_are_gone_not_a_site_down_and_cost_no_backoff(tmp_path: Path) -> None:
    """Four articles a cached sitemap still named answered 500 on every try: the run took 480 s for 12 requests
    (each 500, retries included, doubled the site's delay up to the 60 s cap) and exited 4, "site down or blocking
    us". Now each is retried once, named once as gone, counted, listed in the report; the run is ok and quick, and
    its summary accounts for every article discovered, in this run and in the next one (skipped as recently
    fetched, which the summary left out). The next run, within the hour, does not ask the gone ones again either
    (state/incremental.py: the crawl state remembers them), which it did, twice each, at every run."""
    specs = [seed_spec(), *corpus(16)]
    healthy, ghosts = specs[:13], specs[13:]
    site = build_devdiscourse_mirror(specs)
    answer_500(site, {spec.news_id for spec in ghosts})
    with MirrorServer(site) as server:
        base = server.base_url
        first = newscrawl(tmp_path, *run_args(server, "-a", "revisit_hours=1000000"))
        ghost_requests = [entry for entry in server.access_log if entry.status == 500]
        first_requests = len(server.access_log)
        second = newscrawl(tmp_path, *run_args(server, "-a", "revisit_hours=1000000"))
        asked_again = [entry for entry in server.access_log[first_requests:] if entry.status == 500]
    assert first.returncode == 0, first.stdout + first.stderr
    report = reports(tmp_path)[0]
    assert report["status"] == "ok" and report["counts"]["items"] == len(healthy)
    assert report["duration_seconds"] < 30, "no minute-long backoff for a few broken pages"
    assert len(ghost_requests) == 2 * len(ghosts), "each tried twice: once, and one retry"
    assert report["counts"]["gone"] == len(ghosts) and report["counts"]["errors"] == {}
    assert sorted(report["gone_articles"]) == sorted(base + article_path(spec) for spec in ghosts)
    log = (tmp_path / report["log"]).read_text()
    for spec in ghosts:  # named once, as gone: no "Gave up retrying" ERROR line besides
        assert log.count(str(spec.news_id)) == 1, [line for line in log.splitlines() if str(spec.news_id) in line]
    assert f"discovered {len(specs)}: fetched {len(healthy)} · not modified 0 · skipped as known 0 · " \
           f"gone {len(ghosts)} · failed 0" in first.stdout
    assert "GONE (HTTP 500 on every try" in first.stdout
    assert outcomes_add_up(report) == report["counts"]["discovered"] == len(specs)

    assert second.returncode == 0, second.stdout + second.stderr
    again = reports(tmp_path)[1]
    assert again["counts"]["articles"]["skipped"] == {"recently_fetched": len(healthy), "recently_gone": len(ghosts)}
    assert asked_again == [] and again["counts"]["gone"] == 0
    assert f"discovered {len(specs)}: fetched 0 · not modified 0 · skipped as known {len(specs)} " \
           f"(fetched within the hour {len(healthy)}, gone within the retry time {len(ghosts)}) · gone 0 · failed 0" \
           in second.stdout
    assert outcomes_add_up(again) == again["counts"]["discovered"] == len(specs)


def test_a_site_answering_500_to_every_article_is_still_fetch_failures(tmp_path: Path) -> None:
    """The site goes down after discovery: every article page answers 500. Most of what the site answered were
    server errors, so the articles are not gone, the site is down: exit 4, as before."""
    specs = [seed_spec(), *corpus(12)]
    site = build_devdiscourse_mirror(specs)
    answer_500(site, None)
    with MirrorServer(site) as server:
        done = newscrawl(tmp_path, *run_args(server, "-s", "NEWSCRAWL_BACKOFF_MAX_DELAY=0.5"))
    assert done.returncode == 4, done.stdout + done.stderr
    [report] = reports(tmp_path)
    assert report["status"] == "fetch-failures" and report["server_errors"]["most"] is True
    assert report["counts"]["gone"] == len(specs) and report["fetch_failure_ratio"] == 1.0
    assert "FETCH FAILURES: 100% of the article fetches failed" in done.stdout
    assert outcomes_add_up(report) == report["counts"]["discovered"] == len(specs)
    state = StateStore(tmp_path / "output" / "state" / "devdiscourse.sqlite")
    assert state.db.execute("SELECT url FROM gone").fetchall() == [], \
        "the 500s of a site that was down say nothing of its articles: the next run asks for them again"
    state.close()


def test_a_run_whose_pages_all_read_as_home_or_listing_pages_says_they_may_not_be_articles() -> None:
    """Every page parsed to nothing is drift (exit 5) either way, but when each page said what it is (a home page, a
    listing) the line says that URLs given by hand may simply not be articles."""
    listings = check_drift({}, {}, 0, 3, 10, page_kinds=3)
    assert listings.failed and listings.message is not None
    assert "each read as a home or listing page: if these URLs were given by hand (-a urls)" in listings.message
    shells = check_drift({}, {}, 0, 3, 10, page_kinds=1, reasons={"home_page": 1, "no_title": 2, "no_body": 0})
    assert shells.failed and shells.message == (
        "all 3 fetched article pages parsed to nothing (home_page 1, no_title 2): the page layout probably changed, "
        "or, if these pages were given by hand, they are no articles")
