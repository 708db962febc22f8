"""Start messages: the work `newscrawl enqueue` gives a run, and the requests a worker makes of it.

A message is one JSON object on the run's start list (scrapy-redis's start-URL queue):

  {"kind": "discover"}                 the spider's own discovery routes, with the workers' -a arguments
  {"kind": "article", "url": URL}      one article page, always fetched (like -a urls)
  {"kind": "sitemap", "url": URL}      a sitemap or Google-News sitemap, read by the spider's sitemap callback
  {"kind": "feed", "url": URL}         an RSS/Atom feed, read by the spider's feed callback

scrapy-redis's own formats are accepted too: a bare URL, or {"url": URL, "meta": {...}}, is an article.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import redis
from scrapy.http import Request

from newscrawl.distributed.keys import RunKeys, current_run_key, text
from newscrawl.extract.urls import is_http_url, url_file_lines
from newscrawl.items import Discovery
from newscrawl.meta import new_crawl_id

KINDS = ("discover", "article", "sitemap", "feed")
# The spider callbacks that read a pushed sitemap or feed, in order of preference (news: parse_sitemap reads
# sitemap indexes too; devdiscourse: its Google-News sitemap reader).
CALLBACKS: dict[str, tuple[str, ...]] = {"sitemap": ("parse_sitemap", "parse_news_sitemap"), "feed": ("parse_feed",)}


class BadStartMessage(ValueError):
    """A start message that names no known kind or lacks a usable URL."""


class RunGoing(Exception):
    """`--new-run` was asked for, but a run of the spider is still going; the message names it."""


@dataclass(frozen=True)
class StartMessage:
    kind: str
    url: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise BadStartMessage(f"unknown kind {self.kind!r}; kinds are {', '.join(KINDS)}")
        if self.kind != "discover" and not (self.url and is_http_url(self.url)):
            raise BadStartMessage(f"{self.kind} needs an absolute http(s) URL, got {self.url!r}")

    def encode(self) -> bytes:
        return json.dumps({"kind": self.kind, **({"url": self.url} if self.url else {})}).encode()

    @classmethod
    def decode(cls, data: bytes | str) -> StartMessage:
        """Read one message (see the module docstring); BadStartMessage when it is unusable.

        >>> StartMessage.decode(b'{"kind": "discover"}'), StartMessage.decode("https://a.b/article/x/1-y")
        (StartMessage(kind='discover', url=None), StartMessage(kind='article', url='https://a.b/article/x/1-y'))
        """
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        try:
            obj = json.loads(text)
        except ValueError:
            obj = None
        if not isinstance(obj, dict):
            return cls("article", text.strip())
        url = obj.get("url")
        return cls(str(obj.get("kind") or "article"), str(url) if url is not None else None)


def messages_from_arguments(work: Iterable[str], sitemaps: Iterable[str] = (),
                            feeds: Iterable[str] = ()) -> list[StartMessage]:
    """`newscrawl enqueue` arguments → messages: "discover", article URLs, @file (one URL per line, # comments)."""
    messages: list[StartMessage] = []
    for item in work:
        if item == "discover":
            messages.append(StartMessage("discover"))
        elif item.startswith("@"):
            try:
                urls = url_file_lines(Path(item[1:]).expanduser().read_text(encoding="utf-8"))  # as -a urls=@~/x
            except OSError as error:
                raise BadStartMessage(f"cannot read {item[1:]}: {error.strerror}") from None
            messages += [StartMessage("article", url) for url in urls]
        else:
            messages.append(StartMessage("article", item))
    messages += [StartMessage("sitemap", url) for url in sitemaps]
    messages += [StartMessage("feed", url) for url in feeds]
    return messages


def enqueue(server: redis.Redis, spider: str, messages: list[StartMessage],
            new_run: bool = False) -> tuple[str, bool]:
    """Append messages to the spider's current run, starting one if there is none: (run id, whether this is the
    run's first work).

    With `new_run`, joining a run that holds or has done work is refused (RunGoing): a `discover` given to a run that
    already read the discovery pages is a no-op, since the run's dupefilter has them. A run that has never held any
    work is joined, though: workers started first create the run they wait in (join_run), and the documented order
    (start the workers, then `enqueue --new-run`) must give them their work, not fail. Optimistic transaction on the
    run key and, for `new_run`, on the run's work keys, so the run cannot finish, nor receive or take work, between
    reading it and pushing to it (two concurrent `--new-run`s: one queues, the other gets RunGoing).
    """
    current = current_run_key(spider)
    with server.pipeline() as pipe:
        while True:
            try:
                pipe.watch(current)  # type: ignore[no-untyped-call]
                found = text(pipe.get(current))
                fresh = found is None
                if found is not None and new_run:
                    work = RunKeys(spider, found).of_work()
                    pipe.watch(*work)  # type: ignore[no-untyped-call]
                    if pipe.exists(*work):
                        pipe.unwatch()
                        raise RunGoing(f"run {found} of {spider} is still going")
                    fresh = True  # started by waiting workers, nothing queued yet: this is its first work
                run_id = found if found is not None else new_crawl_id(datetime.now(timezone.utc))
                pipe.multi()
                if found is None:
                    pipe.set(current, run_id)
                keys = RunKeys(spider, run_id)
                pipe.rpush(keys.start_urls, *(message.encode() for message in messages))
                pipe.incrby(keys.enqueued, len(messages))
                pipe.execute()
                return run_id, fresh
            except redis.WatchError:
                continue


def start_requests(spider: Any, message: StartMessage) -> list[Request]:
    """What a worker does with one message: discovery requests to queue, or (article) a pushed article request."""
    if message.kind == "discover":
        return list(spider.discover())
    assert message.url is not None  # checked in __post_init__
    if message.kind == "article":
        spider.article_request(message.url, Discovery(via="urls-arg", seen_at=datetime.now(timezone.utc).isoformat()))
        return []
    callback = next((getattr(spider, name) for name in CALLBACKS[message.kind] if hasattr(spider, name)), None)
    if callback is None:
        readers = ", ".join(CALLBACKS[message.kind])
        raise BadStartMessage(f"spider {spider.name!r} has no {message.kind} reader ({readers})")
    return [Request(message.url, callback=callback, errback=spider.on_error, priority=5)]
