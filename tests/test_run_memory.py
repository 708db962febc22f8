"""What a run remembers for every page or request sits in a scratch database on disk, not in Python memory.

A replay of an archive of a million pages must not grow with it (issue: flat memory). Scrapy's duplicate filter
kept every request's fingerprint in a set (~100 bytes a request) and the de-duplication pipeline every URL's claim
in a dict (~160 bytes an item). These tests count allocations (tracemalloc), not time, and check that the on-disk
versions take the same decisions as the in-memory ones they replace.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import cast

from scrapy import Request
from scrapy.dupefilters import RFPDupeFilter
from scrapy.settings import Settings
from scrapy.utils.request import RequestFingerprinter

import newscrawl.settings
from newscrawl.distributed.addon import DistributedAddon
from newscrawl.pipelines.dedup import UrlClaims, fingerprint
from newscrawl.state.seen import SeenRequests, SeenRequestsAddon


def _bytes_kept_per_call(make: Callable[[], object], call: Callable[[object, int], object],
                         close: Callable[[object], object], small: int, large: int) -> float:
    """Python memory kept after `large` calls minus after `small` ones, per extra call, each on a new object."""

    def kept(count: int) -> int:
        gc.collect()
        tracemalloc.start()
        try:
            target = make()
            for number in range(count):
                call(target, number)
            gc.collect()
            current, _ = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        close(target)
        return current

    kept(200)  # imports and first-use caches
    return (kept(large) - kept(small)) / (large - small)


def test_url_claims_keep_no_python_memory_per_item() -> None:
    def claim(claims: object, number: int) -> None:
        assert isinstance(claims, UrlClaims)
        url = f"https://news.example/story/{number}"
        assert claims.claim(url, fingerprint(f"Headline {number}", f"Body {number}"), url) == url

    assert _bytes_kept_per_call(UrlClaims, claim, lambda claims: cast(UrlClaims, claims).close(), 2_000,
                                20_000) < 20


def test_seen_requests_keep_no_python_memory_per_request() -> None:
    fingerprinter = RequestFingerprinter()

    def see(seen: object, number: int) -> None:
        assert isinstance(seen, RFPDupeFilter)
        assert not seen.request_seen(Request(f"https://news.example/story/{number}"))

    def close(seen: object) -> None:
        cast(RFPDupeFilter, seen).close("finished")

    per_request = _bytes_kept_per_call(lambda: SeenRequests(fingerprinter=fingerprinter), see, close, 2_000, 20_000)
    assert per_request < 20
    scrapys = _bytes_kept_per_call(lambda: RFPDupeFilter(fingerprinter=fingerprinter), see, close, 2_000, 20_000)
    assert scrapys > 50  # what the test would catch: Scrapy's own set of fingerprints


def test_seen_requests_decide_as_scrapys_filter() -> None:
    """Same fingerprints (the crawler's fingerprinter), same answers: a tracking-free reordering of the query or a
    fragment is the page already seen, another method or body is not."""
    fingerprinter = RequestFingerprinter()
    requests = [Request("https://news.example/a?x=1&y=2"), Request("https://news.example/a?y=2&x=1"),
                Request("https://news.example/a?x=1&y=2#comments"), Request("https://news.example/b"),
                Request("https://news.example/b", method="POST", body=b"q=1"), Request("https://news.example/b"),
                Request("https://news.example/c"), Request("https://news.example/a?x=1&y=2")]
    ours, scrapys = SeenRequests(fingerprinter=fingerprinter), RFPDupeFilter(fingerprinter=fingerprinter)
    answers = [ours.request_seen(request) for request in requests]
    assert answers == [scrapys.request_seen(request) for request in requests]
    assert answers == [False, True, True, False, False, True, False, True]
    ours.close("finished")


def test_with_a_jobdir_seen_requests_is_scrapys_own_persistent_filter(tmp_path: Path) -> None:
    """A paused crawl (JOBDIR) resumes with the requests it had seen: Scrapy's file, read back by the next run."""
    fingerprinter = RequestFingerprinter()
    first = SeenRequests(str(tmp_path), fingerprinter=fingerprinter)
    assert not first.request_seen(Request("https://news.example/a"))
    first.close("shutdown")
    assert (tmp_path / "requests.seen").stat().st_size > 0
    resumed = SeenRequests(str(tmp_path), fingerprinter=fingerprinter)
    assert resumed.request_seen(Request("https://news.example/a"))
    assert not resumed.request_seen(Request("https://news.example/b"))
    resumed.close("finished")


def _project_settings() -> Settings:
    settings = Settings()
    settings.setmodule(newscrawl.settings, priority="project")
    return settings


def test_the_filter_is_installed_unless_the_user_or_distributed_mode_names_one() -> None:
    seen = f"{SeenRequests.__module__}.SeenRequests"
    settings = _project_settings()
    SeenRequestsAddon().update_settings(settings)
    assert settings["DUPEFILTER_CLASS"] == seen

    mine = _project_settings()
    mine.set("DUPEFILTER_CLASS", "myproject.MyFilter", priority="cmdline")
    SeenRequestsAddon().update_settings(mine)
    assert mine["DUPEFILTER_CLASS"] == "myproject.MyFilter"

    distributed = _project_settings()
    distributed.set("REDIS_URL", "redis://127.0.0.1:1/0", priority="cmdline")
    keys = SimpleNamespace(requests="r", dupefilter="d", start_urls="s")
    crawler = SimpleNamespace(spider=SimpleNamespace(frontier=SimpleNamespace(keys=keys)))
    for addon in (SeenRequestsAddon(), DistributedAddon(crawler)):  # in ADDONS order
        addon.update_settings(distributed)
    assert distributed["DUPEFILTER_CLASS"] == "newscrawl.distributed.scheduler.ArticleDupeFilter"
    assert list(newscrawl.settings.ADDONS) == ["newscrawl.state.seen.SeenRequestsAddon",
                                               "newscrawl.distributed.addon.DistributedAddon"]
    assert newscrawl.settings.ADDONS["newscrawl.state.seen.SeenRequestsAddon"] \
        < newscrawl.settings.ADDONS["newscrawl.distributed.addon.DistributedAddon"]
