"""Scrapy command overrides (settings.COMMANDS_MODULE)."""

EXIT_CRAWL_FAILED = 1
"""A crawl that did not start, or that stopped on an error or lost items: `scrapy crawl` (commands/crawl.py) and a
parallel replay refused before its processes are forked (commands/parallel.py)."""
