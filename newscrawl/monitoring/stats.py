"""Scrapy's in-memory stats collector without the per-access hook Scrapy 2.19 put on every stats object.

Scrapy 2.19's StatsCollector defines ``__getattribute__`` to wrap its methods in a deprecation check for a
``spider`` argument: every attribute read on the collector — its own ``self._stats`` inside every ``inc_value`` —
first looks for a cached wrapper and catches an AttributeError, and every call then inspects its arguments. A
replay reads or bumps about eighty stats per article page (Scrapy's downloader, scheduler and spider middlewares,
and ours), so that hook was about 1 % of a replay's CPU time. Without it the methods are the very same
(``MemoryStatsCollector``'s), only undecorated: a ``spider`` argument is accepted and ignored, as before, just
without the DeprecationWarning (no newscrawl code passes one).
"""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector


class PlainStatsCollector(MemoryStatsCollector):
    """MemoryStatsCollector, attributes read the ordinary way (STATS_CLASS in settings.py)."""

    __getattribute__ = object.__getattribute__
