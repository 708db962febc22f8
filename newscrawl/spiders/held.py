"""Article candidates held until discovery ends, then released once each, in a fixed order.

Holding article fetches until every discovery route has answered makes a run reproducible: each article is
requested once, at the URL of its first route in a fixed order, with its complete discovery trail, so a live crawl
and the replay of its archive produce the same items. The cost is that article fetching starts after discovery
(seconds for a sitemap, a few listing pages and API pages).
"""

from __future__ import annotations

from scrapy.http import Request

from newscrawl.items import Discovery


def discovery_order(discovery: Discovery) -> tuple[str, str, int]:
    """Sort key of a discovery: live and replay runs may see discovery responses in a different order."""
    return (discovery.via, discovery.source_url or "", discovery.position or 0)


class HeldArticles:
    """Every route that named an article (its trail), and the one request per article still waiting for release."""

    def __init__(self) -> None:
        self._trails: dict[str, list[Discovery]] = {}
        self._pending: dict[str, Request] = {}
        self._released: set[str] = set()

    def note(self, key: str, discovery: Discovery) -> None:
        """Add a route to the article's trail."""
        self._trails.setdefault(key, []).append(discovery)

    def known(self, key: str) -> bool:
        """True when the article's request is already held or was released: a later route only adds to its trail."""
        return key in self._released or key in self._pending

    def hold(self, key: str, request: Request) -> bool:
        """Hold the article's request until release; False when the article was already held or released."""
        if self.known(key):
            return False
        self._pending[key] = request
        return True

    def trail(self, key: str) -> list[Discovery]:
        """The routes that named the article so far, in arrival order."""
        return self._trails.get(key, [])

    def set_trail(self, key: str, discoveries: list[Discovery]) -> None:
        """Replace the trail (a distributed worker reads the trail other workers recorded)."""
        self._trails[key] = discoveries

    def sorted_trail(self, key: str) -> list[Discovery]:
        return sorted(self.trail(key), key=discovery_order)

    @property
    def trails(self) -> dict[str, list[Discovery]]:
        """Every article named so far and its routes (read only: use note())."""
        return self._trails

    def __len__(self) -> int:
        """How many distinct articles discovery named."""
        return len(self._trails)

    def __bool__(self) -> bool:
        return bool(self._pending)

    def release(self) -> list[tuple[str, Request]]:
        """Every held request, ordered by its article's first route, marked released (never held again)."""
        pending, self._pending = self._pending, {}
        ordered = sorted(pending, key=lambda key: min(map(discovery_order, self._trails[key])))
        self._released.update(ordered)
        return [(key, pending[key]) for key in ordered]
