"""newscrawl's settings minus everything newscrawl adds on top of Scrapy (the live benchmark's baseline)."""

# The point is to start from exactly the same settings.
from newscrawl.settings import *

SPIDER_MODULES = ["benchmarks.bare"]
NEWSPIDER_MODULE = "benchmarks"
COMMANDS_MODULE = ""  # Scrapy's own `crawl`, without newscrawl's argument checking
DOWNLOADER_MIDDLEWARES = {}  # no WARC capture, no fetch-time stamping, no replay
DOWNLOADER = "scrapy.core.downloader.Downloader"  # Scrapy's own, without newscrawl's per-site limit in bursts
ITEM_PIPELINES = {}
EXTENSIONS = {}  # no run report, no fixture candidates
FEEDS = {}
# Scrapy's own exporters: the baseline is a plain Scrapy project's JSON Lines feed (benchmarks/live.py), not
# newscrawl's serialise-once exporter (same bytes, less work per item), which belongs to the side under test.
FEED_EXPORTERS = {}
NEWSCRAWL_ARCHIVE_ENABLED = False
NEWSCRAWL_STATE_ENABLED = False
