"""Parallel replay (`scrapy crawl SPIDER -a replay=PATH -a jobs=N`, `newscrawl reparse --jobs N`): see docs/parallel.md.

run.py starts the N processes and writes the feeds and the report; merge.py puts their items back into the
one-process order and redoes what depends on that order; recorder.py is the extension each process uses to tell the
parent what it did. The dealing out of articles is spiders/shard.py.
"""
