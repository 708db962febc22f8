"""Parallel replay (`scrapy crawl SPIDER -a replay=PATH -a jobs=N`, `newscrawl reparse --jobs N`): see docs/parallel.md.

run.py forks the N processes (from commands/parallel.py) and writes the feeds and the report; feeds.py says which
feeds it can write; recorder.py is the extension each process uses to tell the parent what it did; stream.py merges
their items while they run, and merge.py puts items back into the one-process order and redoes what depends on that
order. The dealing out of articles is spiders/shard.py.
"""
