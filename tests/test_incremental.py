"""Scheduled incremental crawls against a loopback mirror that changes between runs."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from newscrawl.state.store import SCHEMA_VERSION, Revision, StateError, StateStore, StoredStory
from tests.crawling import FAST, CrawlResult, run_crawl
from tests.sitegen.corpus import corpus, seed_spec
from tests.sitegen.devdiscourse import NewsSpec
from tests.sitegen.server import MirrorServer, build_devdiscourse_mirror


def article_fetches(server: MirrorServer) -> list[str]:
    return sorted(entry.path for entry in server.access_log if entry.path.startswith("/article/"))


def crawl(workdir: Path, server: MirrorServer, *args: str) -> CrawlResult:
    server.reset_log()
    result = run_crawl(workdir, "devdiscourse", "-a", f"base_url={server.base_url}", *args, settings=FAST)
    assert result.returncode == 0, result.log[-3000:]
    return result


def newest_feed_items(result: CrawlResult) -> list[dict[str, Any]]:
    feeds = [f for f in result.output_files("*.jsonl") if "replay" not in f.name]
    newest = max(feeds, key=lambda f: f.name)
    return result.feed_items(newest)


@pytest.fixture()
def world(tmp_path: Path) -> Any:
    specs = [seed_spec(), *corpus(20, seed=7)]
    extra = corpus(24, seed=7)[20:]  # three more articles of the same series, not yet published
    assert not {s.news_id for s in extra} & {s.news_id for s in specs}
    site = build_devdiscourse_mirror(specs, now=max(s.created_on for s in specs + extra) + timedelta(minutes=30))
    with MirrorServer(site) as server:
        yield tmp_path, server, site, specs, extra


def test_second_run_with_nothing_new_fetches_no_article(world: Any) -> None:
    workdir, server, _, specs, _ = world
    first = crawl(workdir, server)
    assert len(article_fetches(server)) == len(specs)
    assert len(newest_feed_items(first)) == len(specs)
    assert {item["revision"] for item in newest_feed_items(first)} == {1}
    second = crawl(workdir, server)
    assert article_fetches(server) == []
    assert newest_feed_items(second) == []
    assert second.stat("newscrawl/incremental/skip/known") == len(specs)


def test_new_and_edited_articles_are_exactly_what_the_next_run_fetches(world: Any) -> None:
    workdir, server, site, specs, extra = world
    crawl(workdir, server)
    for spec in extra[:3]:
        site.articles[spec.news_id] = spec
    edited = specs[5]
    new_body = edited.description_html.replace("</p>", " A late correction was added.</p>", 1)
    site.articles[edited.news_id] = dataclasses.replace(
        edited, description_html=new_body, modified_on=edited.modified_on + timedelta(hours=2),
        body_blocks=())
    third = crawl(workdir, server)
    fetched = article_fetches(server)
    assert len(fetched) == 4
    assert {p.split("/")[3].split("-")[0] for p in fetched} == {str(s.news_id) for s in [*extra[:3], edited]}
    items = {item["outlet_id"]: item for item in newest_feed_items(third)}
    assert set(items) == {str(s.news_id) for s in [*extra[:3], edited]}
    revision = items[str(edited.news_id)]
    assert revision["revision"] == 2
    assert set(revision["changed_fields"]) == {"body", "modified_at"}
    assert revision["previous_body_sha256"] and revision["previous_body_sha256"] != revision["provenance"]["body_sha256"]
    assert all(items[str(s.news_id)]["revision"] == 1 for s in extra[:3])


def test_listing_paging_stops_at_a_page_of_known_articles(tmp_path: Path) -> None:
    specs = [seed_spec(), *corpus(60, seed=11)]  # three pages of /devdiscourse-stories and /pti-stories
    with MirrorServer(build_devdiscourse_mirror(specs)) as server:
        crawl(tmp_path, server, "-a", "routes=listings")
        second = crawl(tmp_path, server, "-a", "routes=listings")
        listing_pages = [e for e in server.access_log if e.path.endswith("-stories")]
        assert len(listing_pages) <= 2, "page 1 of each listing, nothing deeper"
        assert second.stat("newscrawl/incremental/listing_stopped") >= 1


def test_young_articles_are_revisited_conditionally_and_304_emits_nothing(world: Any) -> None:
    workdir, server, _, specs, _ = world
    server.conditional = True  # this mirror sends ETag/Last-Modified and honours conditional requests
    crawl(workdir, server)
    # A huge revisit window makes every article "young": each is revisited with its validators.
    second = crawl(workdir, server, "-a", "revisit_hours=1000000")
    assert len(article_fetches(server)) == len(specs)
    assert {e.status for e in server.access_log if e.path.startswith("/article/")} == {304}
    assert second.stat("newscrawl/incremental/not_modified") == len(specs)
    assert newest_feed_items(second) == []


def test_full_ignores_the_state(world: Any) -> None:
    workdir, server, _, specs, _ = world
    crawl(workdir, server)
    again = crawl(workdir, server, "-a", "full=1")
    assert len(article_fetches(server)) == len(specs)
    assert newest_feed_items(again) == [], "same content: nothing new to emit"
    assert again.stat("item_dropped_reasons_count/UnchangedArticle") == len(specs)


def test_a_known_unchanged_article_asked_for_by_url_is_emitted_as_its_revision(world: Any) -> None:
    workdir, server, _, specs, _ = world
    [first] = [item for item in newest_feed_items(crawl(workdir, server)) if item["outlet_id"] == "3301234"]
    url = server.base_url + first["url"].removeprefix("https://www.devdiscourse.com")
    again = crawl(workdir, server, "-a", f"urls={url}")
    [item] = newest_feed_items(again)
    assert (item["url"], item["revision"], item["changed_fields"]) == (first["url"], 1, [])
    assert again.stat("newscrawl/items/unchanged_requested") == 1
    with sqlite3.connect(workdir / "output/state/devdiscourse.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM revisions WHERE key = 'devdiscourse:3301234'").fetchone()[0] == 1


def test_young_articles_without_validators_are_revisited_at_most_hourly() -> None:
    from datetime import datetime, timezone

    from newscrawl.state.incremental import Incremental
    from newscrawl.state.store import Revision

    now = datetime(2025, 3, 21, 16, 0, tzinfo=timezone.utc)
    store = StateStore(None)

    def fetched(key: str, minutes_ago: int, etag: str | None) -> None:
        at = (now - timedelta(minutes=minutes_ago)).isoformat()
        store.record_revision(Revision(key=key, revision=1, crawl_id="c", fetched_at=at, url=f"http://m/{key}",
                                       content_sha256="c", body_sha256="b", item={}),
                              etag=etag, last_modified=None, signal=None, published_at=(now - timedelta(hours=3))
                              .isoformat())

    fetched("a", 20, None)
    fetched("b", 70, None)
    fetched("c", 20, '"v1"')
    decide = Incremental(store, now=now).decide
    assert decide("a", []).reason == "recently_fetched", "a full refetch every 15-minute run would be wasteful"
    assert decide("b", []).action == "revisit"
    assert decide("c", []).action == "revisit" and decide("c", []).headers == {"If-None-Match": '"v1"'}


def test_an_explicit_since_backfill_pages_past_the_recent_days_the_state_holds(tmp_path: Path) -> None:
    specs = [seed_spec(), *corpus(120, seed=3)]
    days = sorted({spec.created_on.date() for spec in specs})
    assert len(days) >= 2, days
    with MirrorServer(build_devdiscourse_mirror(specs)) as server:
        recent = crawl(tmp_path, server, "-a", "routes=api", "-a", f"since={days[-1].isoformat()}")
        first = {item["outlet_id"] for item in newest_feed_items(recent)}
        deeper = crawl(tmp_path, server, "-a", "routes=api", "-a", f"since={days[0].isoformat()}")
        second = {item["outlet_id"] for item in newest_feed_items(deeper)}
    older = {str(spec.news_id) for spec in specs if spec.created_on.date() >= days[0]} - first
    assert older and second == older, "the older days are found although the first API page is all known"
    assert not first & second, "known articles on the way are skipped, not fetched again"


def test_state_file_is_versioned_wal_and_never_silently_replaced(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    StateStore(path).close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StateError, match=str(garbage)):
        StateStore(garbage)
    assert garbage.read_bytes().startswith(b"this is not a database")
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StateError, match="upgrade newscrawl"):
        StateStore(path)


def test_revisions_are_kept_in_the_state(world: Any) -> None:
    workdir, server, site, specs, _ = world
    crawl(workdir, server)
    edited = specs[2]
    site.articles[edited.news_id] = dataclasses.replace(
        edited, title=edited.title + " (updated)", modified_on=edited.modified_on + timedelta(hours=1))
    crawl(workdir, server)
    store = StateStore(workdir / "output" / "state" / "devdiscourse.sqlite")
    revisions = store.revisions(f"devdiscourse:{edited.news_id}")
    assert [r.revision for r in revisions] == [1, 2]
    assert revisions[1].item["title"].endswith("(updated)")
    assert json.dumps(revisions[0].item["provenance"]["archive"])


def _open_store(path: str) -> str:
    StateStore(Path(path)).close()
    return "ok"


def test_several_processes_creating_one_state_file_at_once(tmp_path: Path) -> None:
    """Workers starting together on a fresh machine must not trip over each other's schema migration."""
    import multiprocessing

    for attempt in range(5):
        path = str(tmp_path / f"state-{attempt}.sqlite")
        with multiprocessing.get_context("spawn").Pool(3) as pool:
            assert pool.map(_open_store, [path] * 3) == ["ok"] * 3


def test_a_store_opens_while_another_process_is_writing_the_new_file(tmp_path: Path) -> None:
    """Switching to WAL while another connection holds the write lock fails at once, busy timeout or not (SQLite
    refuses rather than risk a deadlock); one CI run in a few dozen lost a worker to it."""
    import sqlite3
    import threading

    path = tmp_path / "state.sqlite"
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("CREATE TABLE other_workers_table (x)")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO other_workers_table VALUES (1)")
    threading.Timer(0.3, lambda: writer.execute("COMMIT")).start()
    store = StateStore(path)
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()
    writer.close()


def test_item_writes_are_batched_and_run_rows_are_committed_at_once(tmp_path: Path) -> None:
    """A commit per item was most of the state's cost: item writes share a transaction, committed by commit()
    (the revision pipeline's, on its one-second timer and once commit_due says the batch is full or old),
    finish_run or close; never by a write itself. Run rows are committed at once, since recovery finds a killed
    run by them (the kill-point tests in test_faults.py prove nothing emitted is lost)."""
    path = tmp_path / "state.sqlite"
    store = StateStore(path)
    reader = sqlite3.connect(path)

    def count(table: str) -> int:
        return int(reader.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])

    store.start_run("run-1", "devdiscourse", "2025-03-21T10:00:00+00:00", "feed.jsonl")
    assert count("runs") == 1
    for n in range(3):
        store.record_revision(Revision(key=f"k{n}", revision=1, crawl_id="run-1", fetched_at="t", url=f"u{n}",
                                       content_sha256="c", body_sha256="b", item={"url": f"u{n}"}),
                              etag=None, last_modified=None, signal=None, published_at=None)
        store.record_story(StoredStory(f"k{n}", f"u{n}", b"\0" * 8, 1, "t"))
    assert store.article("k2") is not None and len(store.revisions("k1")) == 1  # the writer sees its batch
    assert (count("revisions"), count("articles"), count("stories")) == (0, 0, 0)
    assert not store.commit_due()  # 6 writes, just now: neither full nor old
    store.commit()
    assert (count("revisions"), count("articles"), count("stories")) == (3, 3, 3)
    store.touch("k0", "t2")
    store.finish_run("run-1", "2025-03-21T11:00:00+00:00")
    assert reader.execute("SELECT last_fetched FROM articles WHERE key = 'k0'").fetchone()[0] == "t2"
    store.record_revision(Revision(key="k3", revision=1, crawl_id="run-1", fetched_at="t", url="u3",
                                   content_sha256="c", body_sha256="b", item={}),
                          etag=None, last_modified=None, signal=None, published_at=None)
    store.close()
    assert count("revisions") == 4
    reader.close()


def test_a_lastmod_that_moves_on_every_build_costs_a_304_not_the_page_and_a_day_claim_counts() -> None:
    """Many CMSs move every sitemap lastmod at each build or comment: each cron run re-downloaded every article, with
    the page's ETag/Last-Modified in the state unused. And a lastmod of a day or without an offset (sitemaps.org
    allows "2025-03-21"; many CMSs print no offset) was no claim at all: an edit it announced was never fetched."""
    from datetime import datetime, timezone

    from newscrawl.items import Discovery
    from newscrawl.state.incremental import Incremental
    from newscrawl.state.store import Revision

    now = datetime(2025, 3, 25, 16, 0, tzinfo=timezone.utc)
    store = StateStore(None)
    for key, etag, signal in (("validated", '"v1"', "2025-03-21T10:00:00+00:00"), ("bare", None, "2025-03-21"),
                              ("naive", None, "2025-03-21T10:00:00")):
        store.record_revision(Revision(key=key, revision=1, crawl_id="c", fetched_at="2025-03-21T11:00:00+00:00",
                                       url=f"http://m/{key}", content_sha256="c", body_sha256="b", item={}),
                              etag=etag, last_modified=None, signal=signal, published_at="2025-03-20T08:00:00+00:00")

    def claim(lastmod: str) -> list[Discovery]:
        return [Discovery(via="sitemap", claims={"lastmod": lastmod})]

    decide = Incremental(store, now=now).decide
    bumped = decide("validated", claim("2025-03-25T15:59:00+00:00"))
    assert (bumped.action, bumped.reason, bumped.headers) == ("revisit", "changed", {"If-None-Match": '"v1"'})
    assert decide("validated", claim("2025-03-21T10:00:00+00:00")).action == "skip"
    assert decide("bare", claim("2025-03-21")).action == "skip"
    assert (decide("bare", claim("2025-03-24")).action, decide("bare", claim("2025-03-24")).reason) == ("fetch",
                                                                                                        "changed")
    assert decide("naive", claim("2025-03-21T10:00:00")).action == "skip"
    assert decide("naive", claim("2025-03-22T09:00:00")).action == "fetch"


def test_a_gone_article_is_asked_again_after_a_doubling_wait_or_on_a_newer_claim(tmp_path: Path) -> None:
    """A page that answered as gone (500 on every try) was asked again, twice, at every 15-minute run while a cached
    sitemap named it. Now the state remembers it: asked again an hour later, then after 2, 4… hours (at most a day),
    at once when a source claims a newer change (an unpublished article published later), always with full=1; a
    gone article not named for 30 days is forgotten, and one stored since is decided as known."""
    from datetime import datetime, timezone

    from newscrawl.items import Discovery
    from newscrawl.state.incremental import Incremental

    def claim(lastmod: str) -> list[Discovery]:
        return [Discovery(via="sitemap", claims={"lastmod": lastmod})]

    first = datetime(2025, 3, 21, 16, 0, tzinfo=timezone.utc)
    store = StateStore(tmp_path / "state.sqlite")
    store.record_gone(first.isoformat(), [("a", "http://m/a", "2025-03-21T15:00:00+00:00"), ("b", "http://m/b", None)])

    def decided(key: str, after: timedelta, discoveries: list[Discovery] | None = None, full: bool = False) -> str:
        decision = Incremental(store, now=first + after, full=full).decide(key, discoveries or [])
        return f"{decision.action} {decision.reason}"

    assert decided("a", timedelta(minutes=15), claim("2025-03-21T15:00:00+00:00")) == "skip recently_gone"
    assert decided("b", timedelta(minutes=59)) == "skip recently_gone"
    assert decided("a", timedelta(minutes=61)) == "fetch new"
    assert decided("a", timedelta(minutes=15), claim("2025-03-21T16:10:00+00:00")) == "fetch new", "a newer claim"
    assert decided("b", timedelta(minutes=15), claim("2025-03-21T15:00:00+00:00")) == "fetch new", "a first claim"
    assert decided("a", timedelta(minutes=15), full=True) == "fetch new"
    assert decided("c", timedelta(minutes=15)) == "fetch new"

    second = first + timedelta(hours=1, minutes=5)
    store.record_gone(second.isoformat(), [("a", "http://m/a", None)])
    gone = store.gone("a")
    assert gone is not None and (gone.times, gone.first_gone) == (2, first.isoformat())
    assert gone.signal == "2025-03-21T15:00:00+00:00", "a run without a claim keeps the one stored"
    assert decided("a", timedelta(hours=3)) == "skip recently_gone", "two hours after its second try"
    assert decided("a", timedelta(hours=3, minutes=10)) == "fetch new"

    store.close()
    reopened = StateStore(tmp_path / "state.sqlite")
    assert reopened.gone("b") is not None, "kept across runs"
    reopened.record_gone((first + timedelta(days=31)).isoformat(), [("c", "http://m/c", None)])
    assert reopened.gone("b") is None and reopened.gone("a") is None and reopened.gone("c") is not None
    reopened.close()


def test_the_gone_retry_schedule_comes_from_the_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first retry (1 h), its doubling, the one-day cap and the 30 days a gone page is kept were constants; they
    are the NEWSCRAWL_GONE_* settings, read by the spider's state, its decisions and the forgetting alike."""
    from datetime import datetime, timezone

    from scrapy.utils.test import get_crawler

    from newscrawl.spiders.devdiscourse import DevdiscourseSpider
    from newscrawl.state.gone import GoneSchedule

    settings = {"NEWSCRAWL_GONE_RETRY_HOURS": "0.5", "NEWSCRAWL_GONE_RETRY_FACTOR": "3",
                "NEWSCRAWL_GONE_RETRY_MAX_HOURS": "4", "NEWSCRAWL_GONE_KEPT_DAYS": "2",
                "NEWSCRAWL_STATE_DIR": str(tmp_path / "state")}
    monkeypatch.chdir(tmp_path)
    crawler = get_crawler(DevdiscourseSpider, settings_dict=settings)
    spider = DevdiscourseSpider.from_crawler(crawler, base_url="http://127.0.0.1:9")
    incremental = spider.incremental
    assert incremental is not None
    assert incremental.gone_schedule == GoneSchedule(timedelta(minutes=30), 3.0, timedelta(hours=4), timedelta(days=2))
    first = datetime(2025, 3, 21, 16, 0, tzinfo=timezone.utc)
    store = incremental.store
    for runs in range(3):  # found gone by three runs, each at `first`: 30 min, 1 h 30, 4 h 30 capped at 4 h
        store.record_gone(first.isoformat(), [("a", "http://m/a", None)], kept=incremental.gone_schedule.kept)
        wait = [timedelta(minutes=30), timedelta(minutes=90), timedelta(hours=4)][runs]
        for after, decided in ((wait - timedelta(minutes=1), "recently_gone"), (wait, "new")):
            incremental.now = first + after
            assert incremental.decide("a", []).reason == decided, (runs, after)
    store.record_gone((first + timedelta(days=2, minutes=1)).isoformat(), [("b", "http://m/b", None)],
                      kept=incremental.gone_schedule.kept)
    assert store.gone("a") is None and store.gone("b") is not None, "forgotten after NEWSCRAWL_GONE_KEPT_DAYS"
    store.close()


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("NEWSCRAWL_GONE_RETRY_HOURS", "soon", "a number of hours, 0 or more"),
    ("NEWSCRAWL_GONE_RETRY_HOURS", "-1", "a number of hours, 0 or more"),
    ("NEWSCRAWL_GONE_RETRY_FACTOR", "0.5", "a number, 1 or more"),
    ("NEWSCRAWL_GONE_RETRY_MAX_HOURS", "0.5", "a number of hours, at least NEWSCRAWL_GONE_RETRY_HOURS (1)"),
    ("NEWSCRAWL_GONE_KEPT_DAYS", "nan", "a number of days above 0"),
    ("NEWSCRAWL_GONE_KEPT_DAYS", "0.5", "a number of days above 0, and at least NEWSCRAWL_GONE_RETRY_MAX_HOURS"),
])
def test_a_bad_gone_setting_stops_the_crawl_in_one_line_naming_it(tmp_path: Path, name: str, value: str,
                                                                  expected: str) -> None:
    result = run_crawl(tmp_path, "devdiscourse", settings={name: value})
    assert result.returncode == 2, result.log[-2000:]
    assert result.log.startswith(f"scrapy crawl devdiscourse: error: bad setting {name}={value!r}: expected "
                                 f"{expected}"), result.log
    assert result.log.count("\n") == 1, result.log
    assert not (tmp_path / "output").exists()


@pytest.mark.parametrize("forms_apart", [False, True], ids=["devdiscourse keys", "news keys"])
def test_an_item_recovered_from_a_killed_runs_feed_is_known_as_its_run_would_have_recorded_it(
        tmp_path: Path, forms_apart: bool) -> None:
    """A kill before the state's batch was committed leaves items only the feed has; the next run records them from
    their feed lines. Recorded without the change claim their routes made, they were fetched again at once (any
    lastmod beat "no claim") and dropped as UnchangedArticle; without their URL forms, a `news` article named by its
    request URL was fetched as new. The kill-point tests (test_faults.py) count the fetches of a real rerun."""
    from datetime import datetime, timezone

    from newscrawl.items import Discovery
    from newscrawl.state.incremental import Incremental
    from newscrawl.state.recovery import reconcile_killed_runs

    page, canonical = "http://m/story?utm_source=x", "http://m/story"
    item = {"url": canonical, "revision": 1, "title": "T", "body": "B", "published_at": "2025-03-20T08:00:00+00:00",
            "modified_at": None,
            "provenance": {"request_url": page, "response_url": page, "fetched_at": "2025-03-21T11:00:00+00:00",
                           "body_sha256": "b", "headers": {},
                           "discovery": [{"via": "sitemap", "source_url": "http://m/sitemap.xml",
                                          "claims": {"lastmod": "2025-03-21T10:00:00+00:00"}}]}}
    feed = tmp_path / "killed.jsonl"
    feed.write_text(json.dumps(item) + "\n")
    store = StateStore(tmp_path / "state.sqlite")
    store.start_run("killed", "news", "2025-03-21T10:55:00+00:00", str(feed))

    def state_keys(url: str, request_url: str) -> tuple[str, ...]:
        return (url, request_url) if forms_apart else ("article:1",)

    assert reconcile_killed_runs(store, "news", "next", state_keys) == 0
    decide = Incremental(store, now=datetime(2025, 3, 25, 16, 0, tzinfo=timezone.utc)).decide

    def claim(lastmod: str) -> list[Discovery]:
        return [Discovery(via="sitemap", claims={"lastmod": lastmod})]

    key = page if forms_apart else "article:1"  # the key the next run's discovery decides by
    assert decide(key, claim("2025-03-21T10:00:00+00:00")).reason == "known"
    assert decide(key, claim("2025-03-22T10:00:00+00:00")).reason == "changed"  # a newer claim is still news
    store.close()
