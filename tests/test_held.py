"""HeldArticles: each article held once, released once in the order of its first route, and kept on disk, so a
crawl's memory does not grow with the number of articles it discovers (issue 17)."""

from __future__ import annotations

import tracemalloc

from newscrawl.items import Discovery
from newscrawl.spiders.held import HeldArticles, discovery_order, known_when_fetched


def route(via: str, source: str, position: int, seen_at: str | None = "2025-03-21T10:00:00+00:00") -> Discovery:
    return Discovery(via=via, source_url=source, position=position, seen_at=seen_at,
                     claims={"lastmod": "2025-03-21T09:00:00+00:00", "news:title": f"Story {position}"})


def test_release_follows_the_first_route_in_a_fixed_order_not_arrival() -> None:
    held = HeldArticles()
    arrivals = [("c", route("sitemap", "https://a.example/s.xml", 2)), ("a", route("rss", "https://a.example/f", 0)),
                ("b", route("sitemap", "https://a.example/s.xml", 1)), ("a", route("api", "https://a.example/p", 9)),
                ("d", route("sitemap", "https://a.example/s.xml", 10)),
                ("e", route("sitemap", "https://a.example/s.xml2", 0))]
    for key, discovery in arrivals:
        held.note(key, discovery)
        held.hold(key, f"https://a.example/{key}", {"k": key})
    expected = sorted({key for key, _ in arrivals},
                      key=lambda key: min(discovery_order(d) for k, d in arrivals if k == key))
    released = [key for key, _, _, _ in held.release()]
    assert released == expected == ["a", "b", "c", "d", "e"]  # "a": its api route sorts before rss and sitemap
    assert not held and all(held.released(key) and held.known(key) for key in released)
    assert not held.hold("a", "https://a.example/a", {}), "a released article is never held again"
    assert [d.via for d in held.trail("a")] == ["rss", "api"] and len(held) == 5


def test_release_of_eligible_articles_leaves_the_others_held() -> None:
    held = HeldArticles()
    for n in range(6):
        held.note(f"k{n}", route("sitemap", "https://a.example/s.xml", n))
        held.hold(f"k{n}", f"https://a.example/{n}", {})
    early = [key for key, _, _, _ in held.release(lambda key, trail: int(key[1:]) % 2 == 0)]
    assert early == ["k0", "k2", "k4"] and held.holding == 3
    assert [key for key, _, _, _ in held.release()] == ["k1", "k3", "k5"] and held.holding == 0


def test_queued_requests_come_back_whole_and_newest_first_for_a_lifo_scheduler() -> None:
    held = HeldArticles()
    for n in range(5):
        held.enqueue(f"https://a.example/{n}", {"n": n}, {"If-None-Match": '"x"'} if n == 3 else None)
    tail = held.take(2, newest_first=True)
    assert [url for url, _, _ in tail] == ["https://a.example/3", "https://a.example/4"]
    assert tail[0][1:] == ({"n": 3}, {"If-None-Match": '"x"'}) and tail[1][2] is None
    assert [url for url, _, _ in held.take(10)] == [f"https://a.example/{n}" for n in range(3)]
    assert held.waiting == 0 and held.take(10) == []


def test_requests_queued_later_come_in_batches_of_their_own_once_nothing_else_is_in_flight() -> None:
    held = HeldArticles()
    for n in range(3):
        held.enqueue(f"https://a.example/amp/{n}", {}, later=True)
        held.enqueue(f"https://a.example/{n}", {})
    assert [url for url, _, _ in held.take(2, later_too=True)] == ["https://a.example/0", "https://a.example/1"]
    assert [url for url, _, _ in held.take(10, newest_first=True)] == ["https://a.example/2"], "never mixed"
    assert held.take(10, later_too=False) == [] and held.waiting == 3, "forms wait while their pages are in flight"
    assert [url for url, _, _ in held.take(10, newest_first=True)] == [f"https://a.example/amp/{n}" for n in range(3)]


def test_a_trail_lists_the_routes_known_when_the_page_was_fetched() -> None:
    early, late = route("sitemap", "https://a.example/a.xml", 0, "2025-03-21T10:00:00+00:00"), \
        route("sitemap", "https://a.example/b.xml", 0, "2025-03-21T10:00:20+00:00")
    assert known_when_fetched([early, late], "2025-03-21T10:00:05+00:00") == [early]
    assert known_when_fetched([early, late], "2025-03-21T10:00:20+00:00") == [early, late]
    assert known_when_fetched([early, late], None) == [early, late]
    # a page older than every route (an archive written by another tool) keeps its whole trail
    assert known_when_fetched([early, late], "2025-03-20T00:00:00+00:00") == [early, late]


def test_memory_does_not_grow_with_the_articles_held() -> None:
    """20,000 articles with two routes each: as Python objects that was tens of MiB; on disk it is SQLite's page
    cache (2 MiB) plus a few counters."""
    held = HeldArticles()
    tracemalloc.start()
    try:
        for n in range(20_000):
            key = f"https://www.example.com/2025/03/21/story-number-{n}-with-a-long-slug-like-real-sites-have"
            held.note(key, route("sitemap", "https://www.example.com/sitemap.xml", n))
            held.note(key, route("rss", "https://www.example.com/feed.xml", n))
            held.hold(key, key, {"newscrawl_key": key})
        for key, url, meta, _ in held.release():
            held.enqueue(url, meta)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(held) == 20_000 and held.waiting == 20_000
    assert peak < 4 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB of Python allocations while holding 20,000 articles"
