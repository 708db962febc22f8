"""The Redis key layout of a spider's runs, shared by the frontier, the enqueue command and the tests.

`<prefix>:<spider>:run` names the current run R. Keys of run R, all under `<prefix>:<spider>:R:`:

  requests     sorted set   scrapy-redis's priority queue (member = JSON request, score = -priority)
  dupefilter   set          fingerprints of every request ever queued in the run (article requests: article key)
  start_urls   list         start messages from `newscrawl enqueue` (scrapy-redis's start-URL queue)
  leases       hash         `<worker>:<sha1>` → `r|<score>|<request>` or `s|0|<start message>`: popped, not done
  workers      hash         worker id → its last heartbeat (Redis server time, so machine clocks do not matter)
  discoveries  hash         article key → JSON lines, one Discovery per route that named the article
  names        hash         requested worker id → how often it joined (a restarted `w1` becomes `w1.2`)
  enqueued     string       how many start messages `newscrawl enqueue` gave the run (the run has had work)

`<prefix>:<spider>:articles` (the seen-article state, state.py) outlives runs, and so do
`<prefix>:<spider>:articles:aliases` (another URL form's article key → the key its state is under) and
`<prefix>:<spider>:articles:gone` (article key → the page found gone, as JSON: gone.py writes and parses it, for
workers and status). A spider is known by these keys of its own (spider_of): `newscrawl status --spider NAME` takes a
spider whose workers report on other machines, whatever the project at hand holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

KEY_PREFIX = "newscrawl"
GONE_SUFFIX = ":gone"
"""The gone pages' hash is the articles hash's key plus this (RedisStateStore.gone_key)."""


@dataclass(frozen=True)
class RunKeys:
    """The Redis keys of one spider's run (see the module docstring)."""

    spider: str
    run_id: str
    prefix: str = KEY_PREFIX

    @property
    def current(self) -> str:
        return current_run_key(self.spider, self.prefix)

    @property
    def articles(self) -> str:
        return f"{self.prefix}:{self.spider}:articles"

    def _run(self, name: str) -> str:
        return f"{self.prefix}:{self.spider}:{self.run_id}:{name}"

    requests = property(lambda self: self._run("requests"))
    dupefilter = property(lambda self: self._run("dupefilter"))
    start_urls = property(lambda self: self._run("start_urls"))
    leases = property(lambda self: self._run("leases"))
    workers = property(lambda self: self._run("workers"))
    discoveries = property(lambda self: self._run("discoveries"))
    names = property(lambda self: self._run("names"))
    enqueued = property(lambda self: self._run("enqueued"))

    def of_run(self) -> list[str]:
        # scripts.FINISH reads the first three (after the current-run key) as the run's open work
        return [self.requests, self.leases, self.start_urls, self.dupefilter, self.workers, self.discoveries,
                self.names, self.enqueued]

    def of_work(self) -> list[str]:
        """The keys that exist once the run has had work (Redis deletes a container when it empties, so finished
        work is remembered by the dupefilter, the discovery trail and the enqueue counter)."""
        return [self.requests, self.leases, self.start_urls, self.dupefilter, self.discoveries, self.enqueued]


def current_run_key(spider: str, prefix: str = KEY_PREFIX) -> str:
    return f"{prefix}:{spider}:run"


SPIDER_KEY_SUFFIXES = (":run", ":articles", ":articles:aliases", f":articles{GONE_SUFFIX}")
"""The ends of the keys a spider has of its own, not of one run: its current run, its seen articles, their aliases
and its gone pages (the module docstring). A run's keys are under a run id, and go with the current-run key."""


def spider_of(key: str, prefix: str = KEY_PREFIX) -> str | None:
    """The spider that `key` is one of its own keys of (SPIDER_KEY_SUFFIXES), None for any other key.

    >>> spider_of("newscrawl:news:run"), spider_of("newscrawl:devdiscourse:articles:gone")
    ('news', 'devdiscourse')
    >>> spider_of("newscrawl:news:20251121T104500Z-1a2b3c:requests"), spider_of("other:news:run")
    (None, None)
    """
    rest = key.removeprefix(f"{prefix}:")
    if rest == key:
        return None
    return next((rest[:-len(suffix)] for suffix in SPIDER_KEY_SUFFIXES if rest.endswith(suffix) and rest != suffix),
                None)


def text(value: Any) -> str | None:
    """A Redis reply as text (replies are bytes: the client does not decode, as requests are binary)."""
    return value.decode() if isinstance(value, bytes) else None if value is None else str(value)
