"""One article under several URL forms (its page, an AMP or print copy, a tracking variant) across cron runs of the
`news` spider: the crawl state knows the article whichever form a source names, so no run emits it again as new,
and a thinner form never passes for an edit of what the article's own page gave. Real crawls of a loopback site."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newscrawl.state.store import MIGRATIONS, Revision, StateStore
from tests.crawling import FAST, CrawlResult, run_crawl
from tests.sitegen.server import MirrorServer, Page, Request, Site

XML = "application/xml; charset=utf-8"
STORY = ("The harbour authority signed a contract on Friday for the dredging of the northern channel, which has "
         "silted up over three winters and kept larger ferries out of the inner basin since January.")
PARAGRAPHS = [STORY, "Work starts in April and should last eleven weeks, the authority said in a statement.",
              "Ferry operators welcomed the news but asked for night work to keep the day timetable whole.",
              "The contract is worth 4.2 million and was awarded to the lowest of five bidders after a review."]


def article_page(canonical: str, *, amp: bool) -> bytes:
    """The article's own page, or its AMP form: same story, a day-only date and no image (what AMP templates drop)."""
    published = "2025-03-19" if amp else "2025-03-19T08:30:00+00:00"
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Harbour dredging contract signed",
            "datePublished": published, "author": {"@type": "Person", "name": "Ana Ferreira"}}
    if not amp:
        data["image"] = "https://cdn.example/harbour.jpg"
    body = "".join(f"<p>{text}</p>" for text in PARAGRAPHS)
    return (f'<!doctype html><html{" amp" if amp else ""} lang="en"><head><title>Harbour dredging contract signed'
            f'</title><link rel="canonical" href="{canonical}"><script type="application/ld+json">{json.dumps(data)}'
            f"</script></head><body><article><h1>Harbour dredging contract signed</h1><p class=\"byline\">By Ana "
            f"Ferreira</p>{body}</article></body></html>").encode()


@pytest.fixture()
def site() -> Iterator[MirrorServer]:
    with MirrorServer(Site()) as mirror:
        own = f"{mirror.base_url}/news/2025/03/19/harbor-dredging-contract"
        mirror.site["/news/2025/03/19/harbor-dredging-contract"] = Page(article_page(own, amp=False))
        mirror.site["/amp/news/2025/03/19/harbor-dredging-contract/"] = Page(article_page(own, amp=True))
        mirror.site["/news/2025/03/19/harbor-dredging-contract?utm_source=rss"] = Page(article_page(own, amp=False))
        yield mirror


def sitemap(mirror: MirrorServer, name: str, *paths: str) -> str:
    entries = "".join(f"<url><loc>{mirror.base_url}{path.replace('&', '&amp;')}</loc></url>" for path in paths)
    mirror.site[f"/{name}.xml"] = Page(f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/'
                                       f'schemas/sitemap/0.9">{entries}</urlset>'.encode(), content_type=XML)
    return f"sitemap={mirror.base_url}/{name}.xml"


def crawl(workdir: Path, source: str, feed: str) -> tuple[CrawlResult, list[dict[str, Any]]]:
    result = run_crawl(workdir, "news", "-a", source, "-O", feed, settings=FAST)
    assert result.returncode == 0, result.log[-3000:]
    return result, result.feed_items(feed)


OWN, AMP, TRACKED = ("/news/2025/03/19/harbor-dredging-contract", "/amp/news/2025/03/19/harbor-dredging-contract/",
                     "/news/2025/03/19/harbor-dredging-contract?utm_source=rss")


def test_an_article_met_in_two_forms_is_new_once_across_runs(site: MirrorServer, tmp_path: Path) -> None:
    """Run 1 meets the page and its AMP form (one item); run 2 meets them again: nothing is new. The losing form
    was keyed by its own URL, so run 2 fetched it as a new article and emitted the story again as revision 1."""
    source = sitemap(site, "both", OWN, AMP, TRACKED)
    _, first = crawl(tmp_path, source, "run1.jsonl")
    assert len(first) == 1 and first[0]["revision"] == 1
    second_run, second = crawl(tmp_path, source, "run2.jsonl")
    assert second == []
    assert not second_run.stat("newscrawl/items/new")
    assert not second_run.stat("newscrawl/pages/fetched")  # every form is known: none is fetched again


def test_a_thinner_form_is_not_an_edit_of_what_the_articles_own_page_gave(site: MirrorServer, tmp_path: Path) -> None:
    """Run 1 reads the article's own page; run 2's source names only its AMP form, whose day-only date and missing
    image differ: no revision 2 and no second revision 1, one dropped item named for what it is; run 3 knows the
    form and does not fetch it."""
    _, first = crawl(tmp_path, sitemap(site, "own", OWN), "run1.jsonl")
    assert len(first) == 1 and first[0]["image_url"] and "T" in first[0]["published_at"]
    amp_only = sitemap(site, "amp", AMP)
    second_run, second = crawl(tmp_path, amp_only, "run2.jsonl")
    assert second == []
    assert second_run.stat("item_dropped_reasons_count/OtherFormOfKnownArticle") == 1
    assert "another form of" in second_run.log
    third_run, third = crawl(tmp_path, amp_only, "run3.jsonl")
    assert third == [] and not third_run.stat("newscrawl/pages/fetched")


def test_the_articles_own_page_after_its_amp_form_is_a_fuller_revision(site: MirrorServer, tmp_path: Path) -> None:
    """The other way round: a run that only had the AMP form emitted it; the article's own page, met later, gives
    the fuller copy as revision 2 (the fields the form lacked named as changed), and is then known in both forms."""
    _, first = crawl(tmp_path, sitemap(site, "amp", AMP), "run1.jsonl")
    assert len(first) == 1 and first[0]["image_url"] is None
    _, second = crawl(tmp_path, sitemap(site, "own", OWN), "run2.jsonl")
    assert [item["revision"] for item in second] == [2]
    assert {"image_url", "published_at"} <= set(second[0]["changed_fields"])
    _, third = crawl(tmp_path, sitemap(site, "both", OWN, AMP), "run3.jsonl")
    assert third == []


def test_a_new_article_naming_a_known_articles_url_as_canonical_is_not_its_revision(site: MirrorServer,
                                                                                    tmp_path: Path) -> None:
    """A template slip gives a new story the canonical link of an older one: it is another article (another
    headline), emitted as new under its own address, not revision 2 of the older story."""
    _, first = crawl(tmp_path, sitemap(site, "own", OWN), "run1.jsonl")
    newer = "/news/2025/03/22/ferry-strike-called-off"
    site.site[newer] = Page(article_page(f"{site.base_url}{OWN}", amp=False).replace(
        b"Harbour dredging contract signed", b"Ferry strike called off after late-night talks"))
    result, second = crawl(tmp_path, sitemap(site, "newer", newer), "run2.jsonl")
    assert [(item["url"], item["revision"]) for item in second] == [(f"{site.base_url}{newer}", 1)]
    assert "an article with another headline" in result.log
    _, third = crawl(tmp_path, sitemap(site, "newer", newer), "run3.jsonl")
    assert third == [], "known under its own address from then on"


def test_a_canonical_that_differs_from_its_page_by_a_slash_is_the_page_itself(site: MirrorServer,
                                                                             tmp_path: Path) -> None:
    """Sites mix their own addresses (a canonical with a trailing slash, http for https, "www."), and the sitemap
    names the canonical form, which redirects to the page: that page is the article's own, not another form, so a
    later run does not fetch it again as "the own page" (it would at every run: the page never is the canonical)."""
    page = f"{site.base_url}/news/2025/03/20/ferry-timetable"
    site.site["/news/2025/03/20/ferry-timetable"] = Page(article_page(page + "/", amp=False))
    site.site["/news/2025/03/20/ferry-timetable/"] = Page(b"", status=301, headers={"Location": page})
    source = sitemap(site, "slash", "/news/2025/03/20/ferry-timetable/")
    _, first = crawl(tmp_path, source, "run1.jsonl")
    assert [item["url"] for item in first] == [page + "/"]
    assert first[0]["provenance"]["response_url"] == page
    for run in ("run2.jsonl", "run3.jsonl"):
        result, items = crawl(tmp_path, source, run)
        assert items == [] and not result.stat("newscrawl/pages/fetched"), result.stat("newscrawl/incremental/fetch/own_page")


def test_within_a_run_the_articles_own_page_is_the_copy_kept_live_and_in_replays(site: MirrorServer,
                                                                                  tmp_path: Path) -> None:
    """A sitemap names an article's page and its AMP form, and the page is slow: forms are fetched once every other
    article is done, so the item is the own page's copy (its time, its image), in the live run, its replay and a
    replay on two processes alike. The first copy to finish used to win: here the AMP one, with a day-only date."""
    own = site.site.pop(OWN)

    def slow_own_page(request: Request) -> Page | None:
        if request.target != OWN:
            return None
        time.sleep(0.5)
        return own
    site.site.hooks.insert(0, slow_own_page)
    others = [f"/news/2025/03/1{n}/filler-story-{n}" for n in range(1, 7)]  # more articles than the AMP copy
    for path in others:
        site.site[path] = Page(article_page(f"{site.base_url}{path}", amp=False).replace(
            b"Harbour dredging contract signed", f"Filler story {path[-1]}".encode()))
    source = sitemap(site, "pages", *others, OWN, AMP)
    live = run_crawl(tmp_path / "live", "news", "-a", source, "-O", "out.jsonl", settings=FAST)
    assert live.returncode == 0, live.log[-3000:]
    (kept,) = [item for item in live.feed_items("out.jsonl") if "dredging" in item["url"]]
    assert kept["provenance"]["response_url"].endswith(OWN) and kept["image_url"] and "T" in kept["published_at"]
    warc = tmp_path / "live" / "output" / "news"
    one = run_crawl(tmp_path / "one", "news", "-a", f"replay={warc}", "-O", "out.jsonl")
    two = run_crawl(tmp_path / "two", "news", "-a", f"replay={warc}", "-a", "jobs=2", "-O", "out.jsonl")
    assert one.returncode == two.returncode == 0, one.log[-2000:] + two.log[-2000:]
    replayed = one.feed_items("out.jsonl")
    assert [i["url"] for i in replayed] and {i["provenance"]["response_url"] for i in replayed} == {
        i["provenance"]["response_url"] for i in live.feed_items("out.jsonl")}
    assert (tmp_path / "one" / "out.jsonl").read_bytes() == (tmp_path / "two" / "out.jsonl").read_bytes()


def test_articles_sharing_one_canonical_link_are_all_kept_live_and_in_replays(site: MirrorServer,
                                                                              tmp_path: Path) -> None:
    """An SEO plugin's slip gives every story of a site the section page as canonical link: each story (its own
    headline and body) is an item, the first under the link, the others under their own pages' addresses, flagged;
    a replay on one or two processes gives the same feed. Before, the run kept the first story only and dropped the
    others as duplicates."""
    section = f"{site.base_url}/news/"
    stories = [f"/news/2025/03/2{n}/story-{n}" for n in range(1, 6)]
    for n, path in enumerate(stories, 1):
        site.site[path] = Page(article_page(section, amp=False).replace(
            b"Harbour dredging contract signed", f"Council story number {n} of the week".encode()).replace(
            b"northern channel", f"channel number {n}".encode()))
    source = sitemap(site, "shared", *stories)
    live = run_crawl(tmp_path / "live", "news", "-a", source, "-O", "out.jsonl", settings=FAST)
    assert live.returncode == 0, live.log[-3000:]
    items = live.feed_items("out.jsonl")
    assert len(items) == 5 and len({item["url"] for item in items}) == 5
    kept_under_link = [item for item in items if item["url"] == section]
    assert len(kept_under_link) == 1 and kept_under_link[0]["quality"] == []
    others = [item for item in items if item["url"] != section]
    assert all(item["url"] == item["provenance"]["response_url"] and item["quality"] == ["canonical_of_another"]
               and item["provenance"]["canonical_url"] == section for item in others)
    assert live.stat("newscrawl/items/canonical_of_another") == 4 and not live.stat(
        "item_dropped_reasons_count/DuplicateArticle")
    again = run_crawl(tmp_path / "live", "news", "-a", source, "-O", "again.jsonl", settings=FAST)
    assert again.feed_items("again.jsonl") == [] and not again.stat("newscrawl/pages/fetched"), "all known"
    warc = tmp_path / "live" / "output" / "news"
    one = run_crawl(tmp_path / "one", "news", "-a", f"replay={warc}", "-O", "out.jsonl")
    two = run_crawl(tmp_path / "two", "news", "-a", f"replay={warc}", "-a", "jobs=2", "-O", "out.jsonl")
    assert one.returncode == two.returncode == 0, one.log[-2000:] + two.log[-2000:]
    assert len(one.feed_items("out.jsonl")) == 5
    assert (tmp_path / "one" / "out.jsonl").read_bytes() == (tmp_path / "two" / "out.jsonl").read_bytes()
    assert two.stat("newscrawl/items/canonical_of_another") == 4


def revision_of(key: str, url: str, response_url: str) -> Revision:
    return Revision(key=key, revision=1, crawl_id="r1", fetched_at="2025-03-20T10:00:00+00:00", url=url,
                    content_sha256="c1", body_sha256="b1", item={"url": url}, response_url=response_url)


def test_the_state_finds_an_article_by_any_form_and_keeps_articles_recorded_before_forms_were_joined(
        tmp_path: Path) -> None:
    path = tmp_path / "news.sqlite"
    with sqlite3.connect(path, isolation_level=None) as db:  # a state file written before aliases (version 2)
        for number, migration in enumerate(MIGRATIONS[:2]):
            db.executescript(f"{migration}; PRAGMA user_version = {number + 1};")
        db.execute("INSERT INTO articles VALUES ('old-amp', 'http://o/a', 't', 't', NULL, NULL, NULL, 'c', 1, NULL, "
                   "NULL)")
    store = StateStore(path)
    # recorded under its request URL's key: it stays there, and its canonical key finds it from now on
    assert store.find("http://o/a", "old-amp")[0] == "old-amp"
    assert store.find("http://o/b", "new-amp") == ("http://o/b", None)  # a new one goes under its canonical key
    store.record_revision(revision_of("http://o/b", "http://o/b", "http://o/amp/b"), etag='"e1"', last_modified=None,
                          signal=None, published_at=None)
    store.record_alias("new-amp", "http://o/b")
    store.record_alias("http://o/b", "http://o/b")  # an article's own key is no alias of itself
    known = store.article("new-amp")
    assert known is not None and (known.key, known.response_url) == ("http://o/b", "http://o/amp/b")
    store.touch("new-amp", "2025-03-21T10:00:00+00:00", etag='"e2"')  # a 304 of the form updates the article
    assert store.article("http://o/b").etag == '"e2"'  # type: ignore[union-attr]
    assert [r.key for r in store.revisions("new-amp")] == ["http://o/b"]
    store.record_alias("old-amp", "http://o/b")  # a stale alias never hides an article stored under the key itself
    assert store.article("old-amp").key == "old-amp"  # type: ignore[union-attr]
    store.close()
    assert StateStore(path).article("new-amp") is not None, "aliases are committed with the batch"
