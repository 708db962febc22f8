"""Distributed crawling: real `scrapy crawl` workers sharing a real redis-server, against the loopback mirror.

redis-server runs on a free 127.0.0.1 port without persistence; these tests are skipped only when the
redis-server program cannot be found (install it with `apt-get install redis-server`).
"""

from __future__ import annotations

import dataclasses
import http.server
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
import redis
from scrapy import Request
from scrapy.settings import Settings
from scrapy.utils.request import request_from_dict
from scrapy.utils.test import get_crawler

from newscrawl.cli import main as newscrawl
from newscrawl.distributed import DistributedSetupError, attach_frontier, check_reachable, serializer
from newscrawl.distributed.enqueue import BadStartMessage, RunGoing, StartMessage, messages_from_arguments
from newscrawl.distributed.enqueue import enqueue as enqueue_messages
from newscrawl.distributed.fingerprint import ArticleKeyFingerprinter
from newscrawl.distributed.connection import connect
from newscrawl.distributed.frontier import Frontier, join_run
from newscrawl.distributed.keys import RunKeys
from newscrawl.distributed.merge import feed_paths, merge_feeds
from newscrawl.distributed.scheduler import ArticleDupeFilter
from newscrawl.distributed.state import RedisStateStore
from newscrawl.items import Article
from newscrawl.spiders.devdiscourse import DevdiscourseSpider
from newscrawl.state.incremental import Incremental, changed_fields
from newscrawl.state.store import Revision
from tests.crawling import FAST, ROOT, run_crawl
from tests.sitegen.corpus import corpus, seed_spec
from tests.sitegen.devdiscourse import NewsSpec
from tests.sitegen.server import LogEntry, MirrorServer, build_devdiscourse_mirror

WORKER_SETTINGS = {**FAST, "NEWSCRAWL_DISTRIBUTED_IDLE_TIMEOUT": "3", "NEWSCRAWL_DISTRIBUTED_HEARTBEAT": "0.5",
                   "NEWSCRAWL_DISTRIBUTED_LEASE_TIMEOUT": "10"}


# ---- a real redis-server ----------------------------------------------------------------------------------------
def redis_server_program() -> str | None:
    return shutil.which("redis-server") or next(
        (p for p in ("/usr/bin/redis-server", "/usr/sbin/redis-server", "/usr/local/bin/redis-server")
         if os.access(p, os.X_OK)), None)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def redis_server(folder: Path, *options: str) -> Iterator[str]:
    """redis://127.0.0.1:<port> of a private redis-server (no RDB, no AOF; `options`: more of its arguments, e.g.
    --requirepass), stopped on leaving."""
    program = redis_server_program()
    if program is None:
        pytest.skip("redis-server not found: install it (apt-get install redis-server) to run the distributed tests")
    for _ in range(3):  # the free port may be taken between probing and binding
        port = free_port()
        process = subprocess.Popen([program, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                    "--appendonly", "no", "--dir", str(folder), "--protected-mode", "yes", *options],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=port, socket_connect_timeout=1)
        deadline = time.monotonic() + 10
        while process.poll() is None and time.monotonic() < deadline:
            try:
                client.ping()
                break
            except redis.AuthenticationError:  # up, and asking for the password (--requirepass)
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        if process.poll() is None:
            try:
                yield f"redis://127.0.0.1:{port}"
            finally:
                process.terminate()
                process.wait(timeout=10)
            return
    pytest.fail("redis-server did not start on a free 127.0.0.1 port (3 tries)")


@pytest.fixture(scope="module")
def redis_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as base:
        yield base


@pytest.fixture()
def redis_url(redis_base: str) -> str:
    """A freshly emptied database per test."""
    url = f"{redis_base}/0"
    redis.Redis.from_url(url).flushdb()
    return url


# ---- workers ----------------------------------------------------------------------------------------------------
@dataclass
class Run:
    workdir: Path
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def log(self, worker: str) -> str:
        return (self.workdir / f"{worker}.log").read_text(encoding="utf-8")

    def feeds(self) -> list[Path]:
        return sorted((self.workdir / "output" / "devdiscourse").glob("*.jsonl"))

    def wait(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        for name, process in self.workers.items():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                for other in self.workers.values():
                    other.kill()
                pytest.fail(f"worker {name} still running after {timeout}s:\n{self.log(name)[-3000:]}")


def start_workers(workdir: Path, redis_url: str, mirror: MirrorServer, names: list[str],
                  settings: dict[str, str] | None = None) -> Run:
    """`scrapy crawl devdiscourse -s REDIS_URL=… -a base_url=…` per worker, all in one folder like one machine."""
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawl.settings",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    env.pop("NEWSCRAWL_REDIS_URL", None)
    workdir.mkdir(parents=True, exist_ok=True)
    run = Run(workdir)
    for name in names:
        command = [sys.executable, "-m", "scrapy", "crawl", "devdiscourse", "-a", f"base_url={mirror.base_url}",
                   "-a", "since=2000-01-01", "-s", f"REDIS_URL={redis_url}", "-s", f"NEWSCRAWL_WORKER_ID={name}",
                   "-s", f"LOG_FILE={name}.log",
                   # Workers keep their state in Redis, but `scrapy crawl` still checks the SQLite state file first,
                   # and StateStore's first-time migration races when several processes create it at once
                   # ("table articles already exists"); a folder per worker keeps that check out of the way.
                   "-s", f"NEWSCRAWL_STATE_DIR=output/state-{name}"]
        for setting, value in {**WORKER_SETTINGS, **(settings or {})}.items():
            command += ["-s", f"{setting}={value}"]
        run.workers[name] = subprocess.Popen(command, cwd=workdir, env=env, stdout=subprocess.DEVNULL,
                                             stderr=subprocess.DEVNULL)
    return run


def enqueue(redis_url: str, *work: str) -> None:
    assert newscrawl(["enqueue", "devdiscourse", *work, "--redis", redis_url]) == 0


def merged(run: Run, *extra: Path) -> list[dict[str, Any]]:
    out = run.workdir / "merged.jsonl"
    assert newscrawl(["merge", str(run.workdir / "output" / "devdiscourse"), *map(str, extra), "-o", str(out)]) == 0
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def article_fetches(mirror: MirrorServer) -> list[str]:
    return [entry.path for entry in mirror.access_log if entry.path.startswith("/article/")]


def assert_clean(run: Run, worker: str) -> None:
    log = run.log(worker)
    assert "Traceback" not in log and "ScrapyDeprecationWarning" not in log, log[-3000:]


# ---- the mirror -------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def specs() -> list[NewsSpec]:
    return [seed_spec(), *corpus(302)]


@pytest.fixture(scope="module")
def held_back(specs: list[NewsSpec]) -> list[NewsSpec]:
    """The two newest articles, published only before the second run."""
    return sorted(specs[1:], key=lambda spec: spec.created_on)[-2:]


@pytest.fixture(scope="module")
def mirror(specs: list[NewsSpec]) -> Iterator[MirrorServer]:
    with MirrorServer(build_devdiscourse_mirror(specs)) as server:
        yield server


def serve(mirror: MirrorServer, specs: list[NewsSpec]) -> None:
    mirror.site.articles.clear()
    mirror.site.articles.update({spec.news_id: spec for spec in specs})
    mirror.reset_log()


# ---- acceptance: three workers, one frontier ------------------------------------------------------------------
@pytest.fixture(scope="module")
def first_run(redis_base: str, mirror: MirrorServer, specs: list[NewsSpec], held_back: list[NewsSpec],
              tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, list[str], str]:
    url = f"{redis_base}/1"
    redis.Redis.from_url(url).flushdb()
    serve(mirror, [spec for spec in specs if spec not in held_back])
    run = start_workers(tmp_path_factory.mktemp("distributed"), url, mirror, ["w1", "w2", "w3"])
    enqueue(url, "discover")
    run.wait()
    return run, article_fetches(mirror), url


def test_three_workers_fetch_and_emit_every_article_exactly_once(
        first_run: tuple[Run, list[str], str], specs: list[NewsSpec], held_back: list[NewsSpec]) -> None:
    run, fetches, url = first_run
    served = sorted(str(spec.news_id) for spec in specs if spec not in held_back)
    left = redis.Redis.from_url(url).keys("newscrawl:*")
    assert left == [b"newscrawl:devdiscourse:articles"], "the ended run's keys are gone; the crawl state stays"
    assert len(served) >= 300
    for name, process in run.workers.items():
        assert process.returncode == 0, run.log(name)[-3000:]
        assert_clean(run, name)
    items = merged(run)
    assert sorted(item["outlet_id"] for item in items) == served, "every article exactly once in the merged feed"
    assert len(fetches) == len(set(fetches)) == len(served), "the mirror served each article page once"
    per_worker = {feed.name: len(feed.read_text(encoding="utf-8").splitlines()) for feed in run.feeds()}
    assert sum(per_worker.values()) == len(served), f"no article in two worker feeds: {per_worker}"
    assert sum(1 for count in per_worker.values() if count) >= 2, f"the work was shared: {per_worker}"
    assert {item["provenance"]["crawl_id"].rsplit("-", 1)[1] for item in items} <= {"w1", "w2", "w3"}
    assert all(item["provenance"]["discovery"] for item in items), "the discovery trail crosses workers"
    warcs = sorted(p.name for p in (run.workdir / "output" / "devdiscourse").glob("*.warc.gz"))
    assert [name.rsplit("-", 1)[1] for name in warcs] == ["w1.warc.gz", "w2.warc.gz", "w3.warc.gz"]


def test_a_second_run_shares_the_state_and_fetches_only_what_is_new(
        first_run: tuple[Run, list[str], str], mirror: MirrorServer, specs: list[NewsSpec],
        held_back: list[NewsSpec]) -> None:
    first, _, url = first_run
    serve(mirror, specs)  # the two held-back articles are published now
    damaged = f"devdiscourse:{held_back[0].news_id}"  # a gone entry no worker can read: it stopped the crawl
    redis.Redis.from_url(url).hset(RunKeys("devdiscourse", "").articles + ":gone", damaged, b"\xff not JSON")
    run = start_workers(first.workdir, url, mirror, ["w1", "w2"])  # same folder: a second run on the same machine
    enqueue(url, "discover")
    run.wait()
    assert sorted(int(path.split("/")[3].split("-")[0]) for path in article_fetches(mirror)) == \
        sorted(spec.news_id for spec in held_back), "known articles are skipped whichever worker fetched them"
    logs = run.log("w1") + run.log("w2")
    assert f"WARNING: Damaged gone entry {damaged} in Redis hash newscrawl:devdiscourse:articles:gone" in logs
    assert "'newscrawl/distributed/damaged_gone_entry': 1," in logs, "counted in the stats of the worker that met it"
    assert len(run.feeds()) == 5, "the second run's feeds sit beside the first run's"
    everything = merged(run)
    assert sorted(item["outlet_id"] for item in everything) == sorted(str(spec.news_id) for spec in specs)


def test_a_killed_worker_loses_nothing_and_duplicates_nothing(
        redis_url: str, mirror: MirrorServer, specs: list[NewsSpec], tmp_path: Path) -> None:
    serve(mirror, specs)
    run = start_workers(tmp_path, redis_url, mirror, ["w1", "w2", "w3"],
                        settings={"NEWSCRAWL_DISTRIBUTED_LEASE_TIMEOUT": "4"})
    enqueue(redis_url, "discover")
    server = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + 60
    victim_holds: list[bytes] = []
    while time.monotonic() < deadline and not victim_holds:
        run_id = cast("bytes | None", server.get("newscrawl:devdiscourse:run"))
        leases = cast("list[bytes]", server.hkeys(RunKeys("devdiscourse", run_id.decode()).leases)) if run_id else []
        if len(article_fetches(mirror)) >= 40:
            victim_holds = [lease for lease in leases if lease.startswith(b"w2:")]
        time.sleep(0.02)
    assert victim_holds, "w2 never held work mid-run"
    run.workers["w2"].send_signal(signal.SIGKILL)
    run.wait()
    for name in ("w1", "w3"):
        assert run.workers[name].returncode == 0, run.log(name)[-3000:]
        assert_clean(run, name)
    assert any("'newscrawl/distributed/requeued'" in run.log(name) for name in ("w1", "w3")), \
        "a survivor gave the killed worker's requests back to the queue"
    items = merged(run)
    assert sorted(item["outlet_id"] for item in items) == sorted(str(spec.news_id) for spec in specs)
    fetched_ids = {path.split("/")[3].split("-")[0] for path in article_fetches(mirror)}
    assert fetched_ids == {str(spec.news_id) for spec in specs}
    for killed_feed in (feed for feed in run.feeds() if feed.name.endswith("-w2.jsonl")):  # none if it emitted none
        for line in killed_feed.read_text(encoding="utf-8").splitlines():
            json.loads(line)  # unbuffered: every line the killed worker wrote is whole


def test_sigterm_stops_a_waiting_worker_which_leaves_the_run(
        redis_url: str, mirror: MirrorServer, tmp_path: Path) -> None:
    run = start_workers(tmp_path, redis_url, mirror, ["idle"], settings={"NEWSCRAWL_DISTRIBUTED_IDLE_TIMEOUT": "0"})
    server = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        run_id = cast("bytes | None", server.get("newscrawl:devdiscourse:run"))
        if run_id and server.hexists(RunKeys("devdiscourse", run_id.decode()).workers, "idle") \
                and "Spider opened" in (tmp_path / "idle.log").read_text(encoding="utf-8"):
            break
        time.sleep(0.05)
    time.sleep(1.5)  # waiting with idle timeout 0 = forever
    assert run.workers["idle"].poll() is None, "a worker with NEWSCRAWL_DISTRIBUTED_IDLE_TIMEOUT=0 keeps waiting"
    run.workers["idle"].send_signal(signal.SIGTERM)
    run.wait(timeout=30)
    assert run.workers["idle"].returncode == 0
    assert "Closing spider (shutdown)" in run.log("idle")
    assert run_id is not None, "the worker joined a run"
    assert not server.hexists(RunKeys("devdiscourse", run_id.decode()).workers, "idle"), "it unregistered"


@pytest.mark.parametrize("order", ["workers-first", "enqueue-first"])
def test_both_start_orders_of_the_readme_crawl_every_article_once(
        order: str, redis_url: str, mirror: MirrorServer, specs: list[NewsSpec], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The README's order (workers, then `enqueue discover --new-run`) and the reverse both crawl the site once."""
    few = specs[:25]
    serve(mirror, few)
    server = redis.Redis.from_url(redis_url)
    new_run = ["enqueue", "devdiscourse", "discover", "--new-run", "--redis", redis_url]
    if order == "workers-first":
        run = start_workers(tmp_path, redis_url, mirror, ["w1", "w2"])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            run_id = cast("bytes | None", server.get("newscrawl:devdiscourse:run"))
            if run_id and server.hlen(RunKeys("devdiscourse", run_id.decode()).workers) == 2:
                break
            time.sleep(0.05)
        assert run_id, "the workers started a run to wait in"
        time.sleep(4)  # past the idle timeout (3 s): a run that never had work is not drained, the workers wait
        assert all(process.poll() is None for process in run.workers.values()), "waiting workers are still there"
        assert newscrawl(new_run) == 0, "--new-run gives the waiting workers' empty run its first work"
        assert f"new run {run_id.decode()}" in capsys.readouterr().out
    else:
        assert newscrawl(new_run) == 0
        run = start_workers(tmp_path, redis_url, mirror, ["w1", "w2"])
    assert newscrawl(new_run) == 3, "a run that has work refuses a second --new-run"
    run.wait()
    for name, process in run.workers.items():
        assert process.returncode == 0, run.log(name)[-3000:]
        assert_clean(run, name)
    assert sorted(item["outlet_id"] for item in merged(run)) == sorted(str(spec.news_id) for spec in few)
    fetches = article_fetches(mirror)
    assert len(fetches) == len(set(fetches)) == len(few), "each article page fetched once"
    assert server.keys("newscrawl:*") == [b"newscrawl:devdiscourse:articles"], "the run ended and was cleaned up"


# ---- components (scrapy-redis adaptations, state, merge, messages) ---------------------------------------------
def test_single_process_crawls_do_not_touch_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSCRAWL_REDIS_URL", raising=False)
    crawler = get_crawler(DevdiscourseSpider)
    assert attach_frontier(DevdiscourseSpider(), crawler) is None


def test_leases_survive_a_dead_worker_and_a_run_finishes_only_when_drained(redis_url: str) -> None:
    server = redis.Redis.from_url(redis_url)
    run_id = join_run(server, "devdiscourse", "20250101T000000Z-aaaaaa")
    keys = RunKeys("devdiscourse", run_id)
    alive, dying = (Frontier(server, keys, name, lease_timeout=5) for name in ("alive", "dying"))
    for frontier in (alive, dying):
        frontier.heartbeat()
    server.zadd(keys.requests, {b"first": -5, b"second": 0, b"third": 0})
    assert dying.pop_request() is not None and dying.pop_request() is not None  # "first" comes out first
    assert alive.reap() == 0, "a live worker's leases stay"
    server.hset(keys.workers, "dying", "0")  # its heartbeat stopped long ago
    assert alive.reap() == 2 and server.zcard(keys.requests) == 3
    assert alive.pop_request()[1] == b"first", "priority survives the round trip"  # type: ignore[index]
    assert alive.finish() == "busy"
    while (popped := alive.pop_request()) is not None:
        alive.ack([popped[0]])
    alive.ack([lease.decode() for lease in cast("list[bytes]", server.hkeys(keys.leases))])
    assert alive.drained() and alive.finish() == "finished"
    assert not server.exists(keys.current, keys.requests, keys.leases, keys.workers)


def test_a_request_is_marked_seen_and_queued_in_one_step(redis_url: str) -> None:
    """The dupefilter's SADD and the queue's ZADD were two commands: a worker killed between them left the request
    seen by the whole run and queued nowhere, so no worker ever fetched it (seen once in the kill test: 302 of 303)."""
    from types import SimpleNamespace

    from scrapy.statscollectors import MemoryStatsCollector

    from newscrawl.distributed.scheduler import LeasedPriorityQueue, LeasingScheduler

    server = redis.Redis.from_url(redis_url)
    keys = RunKeys("devdiscourse", join_run(server, "devdiscourse", "20250101T000000Z-bbbbbb"))
    frontier = Frontier(server, keys, "w1")
    assert frontier.enqueue("fp1", -3, b"req") and not frontier.enqueue("fp1", 0, b"again")
    assert server.zrange(keys.requests, 0, -1, withscores=True) == [(b"req", -3.0)]
    server.delete(keys.requests)
    crawler = get_crawler(settings_dict={"REQUEST_FINGERPRINTER_CLASS": ArticleKeyFingerprinter})
    spider = SimpleNamespace(frontier=frontier, name="devdiscourse", crawler=crawler)
    scheduler = LeasingScheduler.__new__(LeasingScheduler)
    scheduler.frontier, scheduler.spider, scheduler.stats = frontier, spider, MemoryStatsCollector(crawler)
    scheduler.df = ArticleDupeFilter(server, keys.dupefilter, fingerprinter=crawler.request_fingerprinter)
    scheduler.queue = LeasedPriorityQueue(server, spider, keys.requests, serializer)
    sent: list[str] = []
    real: Callable[..., Any] = server.execute_command  # redis-py leaves it unannotated
    def recording(*args: Any, **options: Any) -> Any:
        sent.append(str(args[0]))
        return real(*args, **options)

    server.execute_command = recording  # type: ignore[method-assign]
    request = Request("http://m/article/politics/3301234-kim", meta={"newscrawl_key": "devdiscourse:3301234"})
    assert scheduler.enqueue_request(request) and not scheduler.enqueue_request(request.replace(url=request.url + "?x"))
    assert sent == ["EVALSHA", "EVALSHA"], "one atomic script per request, never a separate SADD and ZADD"
    assert server.zcard(keys.requests) == 1


def test_dupefilter_uses_the_crawlers_fingerprinter_so_url_forms_of_an_article_are_one(redis_url: str) -> None:
    crawler = get_crawler(settings_dict={"REQUEST_FINGERPRINTER_CLASS": ArticleKeyFingerprinter})
    dupefilter = ArticleDupeFilter(redis.Redis.from_url(redis_url), "test:dupefilter",
                                   fingerprinter=crawler.request_fingerprinter)
    key = {"newscrawl_key": "devdiscourse:3301234"}
    assert not dupefilter.request_seen(Request("http://m/article/politics/3301234-kim", meta=key))
    assert dupefilter.request_seen(Request("http://m/article/agency-wire/3301234-kim-jong?amp", meta=key))
    redirected = Request("http://m/article/politics/3301234-kim", meta={**key, "redirect_urls": ["http://m/x"]})
    assert not dupefilter.request_seen(redirected), "a redirect target is not the request it came from"
    assert not dupefilter.request_seen(Request("http://m/pti-stories?page=1"))
    assert dupefilter.request_seen(Request("http://m/pti-stories?page=1"))


def test_requests_are_queued_as_json_not_pickle() -> None:
    spider = DevdiscourseSpider()
    request = Request("http://m/article/politics/1-x", callback=spider.parse_article, errback=spider.on_error,
                      headers={"If-None-Match": '"abc"'}, priority=3,
                      meta={"newscrawl_key": "devdiscourse:1", "handle_httpstatus_list": [304]})
    data = serializer.dumps(request.to_dict(spider=spider))
    assert data.startswith(b"{")
    back = request_from_dict(serializer.loads(data), spider=spider)
    assert (back.url, back.headers.getlist("If-None-Match"), back.meta, back.priority, back.callback) == \
        (request.url, [b'"abc"'], request.meta, 3, spider.parse_article)
    with pytest.raises(TypeError, match="JSON values"):
        serializer.dumps(Request("http://m/", meta={"thing": object()}).to_dict())


def test_redis_state_records_atomically_and_answers_changed_fields(redis_url: str) -> None:
    store = RedisStateStore(redis.Redis.from_url(redis_url), "test:articles")
    first = Article(url="http://m/a", outlet="devdiscourse", title="Old title", body="Body.", agencies=["PTI"])
    second = Article(url="http://m/a", outlet="devdiscourse", title="New title", body="Body.", agencies=["PTI"])

    def revision(number: int, article: Article) -> Revision:
        return Revision(key="devdiscourse:1", revision=number, crawl_id="r-w1", fetched_at=f"2025-03-2{number}",
                        url=article.url, content_sha256=f"c{number}", body_sha256=f"b{number}",
                        item=dataclasses.asdict(article))

    store.record_revision(revision(1, first), etag=None, last_modified=None, signal="2025-03-20", published_at=None)
    store.record_revision(revision(1, second), etag=None, last_modified=None, signal=None, published_at=None)
    state = store.article("devdiscourse:1")
    assert state is not None and state.revision == 1 and state.content_sha256 == "c1", "first write of rev 1 wins"
    store.record_revision(revision(2, second), etag='"e"', last_modified=None, signal=None, published_at=None)
    state = store.article("devdiscourse:1")
    assert state is not None and (state.revision, state.signal, state.first_seen) == (2, "2025-03-20", "2025-03-21")
    store.touch("devdiscourse:1", "2025-03-23", etag='"f"')
    assert store.article("devdiscourse:1").etag == '"f"'  # type: ignore[union-attr]
    third = Article(url="http://m/a", outlet="devdiscourse", title="New title", body="Body, edited.",
                    agencies=["PTI"])
    assert changed_fields(store.revisions("devdiscourse:1")[-1].item, third) == ["body"]


def test_redis_state_remembers_gone_articles_as_the_state_file_does(redis_url: str) -> None:
    """Workers share the crawl state in Redis: a page one run's worker found gone is skipped by the next run's
    workers for the same retry time (tests/test_incremental.py has the rules, on the state file)."""
    store = RedisStateStore(redis.Redis.from_url(redis_url), "test:gone-articles")
    first = datetime(2025, 3, 21, 16, 0, tzinfo=timezone.utc)
    store.record_gone(first.isoformat(), [("devdiscourse:9", "http://m/9", "2025-03-21T15:00:00+00:00")])
    store.record_gone((first + timedelta(hours=1)).isoformat(), [("devdiscourse:9", "http://m/9", None)])
    gone = store.gone("devdiscourse:9")
    assert gone is not None and (gone.times, gone.first_gone, gone.signal) == (
        2, first.isoformat(), "2025-03-21T15:00:00+00:00")
    decide = Incremental(store, now=first + timedelta(hours=2, minutes=30)).decide
    assert (decide("devdiscourse:9", []).reason, decide("devdiscourse:1", []).reason) == ("recently_gone", "new")
    store.record_gone((first + timedelta(days=31)).isoformat(), [("devdiscourse:2", "http://m/2", None)])
    assert store.gone("devdiscourse:9") is None and store.gone("devdiscourse:2") is not None


def test_redis_state_follows_the_gone_settings_as_the_state_file_does(redis_url: str) -> None:
    """The NEWSCRAWL_GONE_* settings (tests/test_incremental.py) hold for the workers' state in Redis too."""
    from newscrawl.state.gone import GoneSchedule

    schedule = GoneSchedule.from_settings(Settings({"NEWSCRAWL_GONE_RETRY_HOURS": "2", "NEWSCRAWL_GONE_KEPT_DAYS": 1}))
    store = RedisStateStore(redis.Redis.from_url(redis_url), "test:gone-settings")
    first = datetime(2025, 3, 21, 16, 0, tzinfo=timezone.utc)
    store.record_gone(first.isoformat(), [("devdiscourse:9", "http://m/9", None)], kept=schedule.kept)
    decide = Incremental(store, now=first + timedelta(hours=1, minutes=59), gone_schedule=schedule).decide
    assert decide("devdiscourse:9", []).reason == "recently_gone", "2 hours, not 1"
    store.record_gone((first + timedelta(days=1, minutes=1)).isoformat(), [("devdiscourse:2", "http://m/2", None)],
                      kept=schedule.kept)
    assert store.gone("devdiscourse:9") is None, "forgotten after a day, not 30"


def test_a_damaged_gone_entry_costs_a_worker_that_entry_only(redis_url: str, caplog: pytest.LogCaptureFixture) -> None:
    """Status read the gone hash entry by entry, leaving out what is no gone record; the workers' RedisStateStore
    trusted its own JSON, so one entry damaged by hand, by another program or release raised in the middle of a
    crawl. Both now read an entry with one parser (distributed/gone.py gone_record): a worker takes the page for
    not gone (it is fetched), says so in one warning naming the entry and counts it once in the crawl's stats; found
    gone again, the page is recorded afresh; the entries status cannot read are the ones the worker could not."""
    from scrapy.statscollectors import MemoryStatsCollector

    from newscrawl.distributed.gone import DAMAGED_STAT, read_gone

    server = redis.Redis.from_url(redis_url)
    crawler = get_crawler()
    crawler.stats = stats = MemoryStatsCollector(crawler)  # as the crawl sets them, after the state is opened
    keys = RunKeys("devdiscourse", join_run(server, "devdiscourse", "20250321T160000Z-cccccc"))
    first = datetime(2025, 3, 21, 16, 0, tzinfo=timezone.utc)
    incremental = Frontier(server, keys, "w1").incremental(first + timedelta(minutes=30), 48.0, False, crawler=crawler)
    store = incremental.store
    assert isinstance(store, RedisStateStore)
    store.record_gone(first.isoformat(), [("devdiscourse:1", "http://m/1", None)])
    entry = {"key": "devdiscourse:4", "url": "http://m/4", "first_gone": first.isoformat(),
             "last_tried": first.isoformat(), "times": "2", "signal": None}
    damaged = {"devdiscourse:2": b"\xff not JSON", "devdiscourse:3": b'{"key": "devdiscourse:3"}',
               "devdiscourse:4": json.dumps(entry).encode(), "devdiscourse:5": b"[" * 100_000}
    for key, raw in damaged.items():
        server.hset(store.gone_key, key, raw)
    caplog.set_level(logging.WARNING, logger="newscrawl.distributed.gone")

    assert [incremental.decide(key, []).reason for key in ["devdiscourse:1", *damaged, "devdiscourse:2"]] == [
        "recently_gone", "new", "new", "new", "new", "new"]
    warnings = [record.getMessage() for record in caplog.records]
    assert len(warnings) == 4 and stats.get_value(DAMAGED_STAT) == 4, "once per entry, asked twice or not"
    assert warnings[0] == ("Damaged gone entry devdiscourse:2 in Redis hash newscrawl:devdiscourse:articles:gone is "
                           "not a gone record (b'\\xff not JSON'): the page is taken for not gone, fetched, and "
                           "recorded afresh if it is gone again")
    assert warnings[3].endswith(f"is not a gone record ({b'[' * 80!r}…): the page is taken for not gone, fetched, "
                                "and recorded afresh if it is gone again"), "a long value is cut short"

    later = first + timedelta(hours=1)
    store.record_gone(later.isoformat(), [("devdiscourse:2", "http://m/2", None)])  # its fetch found it gone again
    again = store.gone("devdiscourse:2")
    assert again is not None and (again.times, again.first_gone, again.url) == (1, later.isoformat(), "http://m/2")
    assert server.hlen(store.gone_key) == 5, "the others are left as they are: what they say cannot be aged"
    assert len(caplog.records) == 4 and stats.get_value(DAMAGED_STAT) == 4

    [(name, records)] = read_gone(server, "devdiscourse", 5, "here").items()
    assert (name, records.total, records.unreadable) == (
        "devdiscourse", 2, "3 of its 5 entries are not a gone record: devdiscourse:3, devdiscourse:4, devdiscourse:5")


def test_redis_state_finds_an_article_by_another_url_form(redis_url: str) -> None:
    """The twin of the SQLite state's aliases (tests/test_url_forms.py): a form's key finds the article's state."""
    store = RedisStateStore(redis.Redis.from_url(redis_url), "test:forms")
    store.record_revision(Revision(key="http://m/a", revision=1, crawl_id="r-w1", fetched_at="2025-03-21",
                                   url="http://m/a", content_sha256="c1", body_sha256="b1", item={},
                                   response_url="http://m/amp/a"), etag=None, last_modified=None, signal=None,
                          published_at=None)
    assert store.article("http://m/amp/a") is None
    store.record_alias("http://m/amp/a", "http://m/a")
    known = store.article("http://m/amp/a")
    assert known is not None and (known.key, known.response_url) == ("http://m/a", "http://m/amp/a")
    assert store.find("http://m/a", "http://m/amp/a")[0] == "http://m/a"
    store.touch("http://m/amp/a", "2025-03-22", etag='"e"')
    assert store.article("http://m/a").etag == '"e"'  # type: ignore[union-attr]
    assert [r.key for r in store.revisions("http://m/amp/a")] == ["http://m/a"]


def test_a_claim_noted_while_its_article_is_being_recorded_is_not_lost(redis_url: str) -> None:
    """Worker A records an article while worker B's route names it with a newer claim: B appends to the trail,
    finds no row yet (raise_signal does nothing), and A's first read of the trail predates B's append. The claim
    must still end up in the state, or the next run refetches the article as changed (a flaky CI failure once)."""
    from newscrawl.items import Discovery

    later = Discovery(via="listing", claims={"lastmod": "2025-03-21T19:30:00+05:30"})
    reads: list[int] = []

    def trail(key: str) -> list[Discovery]:
        reads.append(1)
        return [] if len(reads) == 1 else [later]  # B's append lands between A's two reads

    store = RedisStateStore(redis.Redis.from_url(redis_url), "test:articles", trail)
    store.raise_signal("devdiscourse:1", "2025-03-21T19:30:00+05:30")  # B: no row yet, nothing stored
    article = Article(url="http://m/a", outlet="devdiscourse", title="T", body="Body.")
    store.record_revision(Revision(key="devdiscourse:1", revision=1, crawl_id="r-w1", fetched_at="2025-03-21",
                                   url=article.url, content_sha256="c1", body_sha256="b1",
                                   item=dataclasses.asdict(article)),
                          etag=None, last_modified=None, signal="2025-03-21T19:07:00+05:30", published_at=None)
    state = store.article("devdiscourse:1")
    assert state is not None and state.signal == "2025-03-21T19:30:00+05:30"


def test_a_claim_on_the_form_an_article_was_requested_by_reaches_its_state(redis_url: str) -> None:
    """The news spider keys state by the canonical URL; routes named the AMP form the worker requested, so the
    claims of this run are in that form's trail. A claim noted there while the revision is recorded is kept, as
    the one-process pipeline keeps it (it read its claim by the request's key)."""
    from newscrawl.items import Discovery

    later = Discovery(via="listing", claims={"lastmod": "2025-03-21T19:30:00+05:30"})
    reads: dict[str, int] = {}

    def trail(key: str) -> list[Discovery]:
        reads[key] = reads.get(key, 0) + 1
        return [later] if key == "http://m/amp/a" and reads[key] > 1 else []

    store = RedisStateStore(redis.Redis.from_url(redis_url), "test:trail-forms", trail)
    store.record_revision(Revision(key="http://m/a", revision=1, crawl_id="r-w1", fetched_at="2025-03-21",
                                   url="http://m/a", content_sha256="c1", body_sha256="b1", item={},
                                   response_url="http://m/amp/a"),
                          etag=None, last_modified=None, signal="2025-03-21T19:07:00+05:30", published_at=None,
                          trail_key="http://m/amp/a")
    state = store.article("http://m/a")
    assert state is not None and state.signal == "2025-03-21T19:30:00+05:30"


def test_merge_keeps_the_highest_revision_then_the_latest_fetch_sorted_by_url(tmp_path: Path) -> None:
    def line(url: str, revision: int, fetched: str) -> str:
        return json.dumps({"url": url, "revision": revision, "provenance": {"fetched_at": fetched}})

    (tmp_path / "20250101T000000Z-aaaaaa-w1.jsonl").write_text(
        "\n".join([line("http://m/b", 1, "2025-01-01T00:00:02"), line("http://m/a", 2, "2025-01-01T00:00:01")])
        + "\n{\"url\": \"http://m/torn", encoding="utf-8")
    (tmp_path / "20250101T000000Z-aaaaaa-w2.jsonl").write_text(
        "\n".join([line("http://m/b", 1, "2025-01-01T00:00:09"), line("http://m/a", 1, "2025-01-01T00:00:09")]) + "\n",
        encoding="utf-8")
    (tmp_path / "20250101T000000Z-aaaaaa-w2.replay.jsonl").write_text(line("http://m/c", 1, "x") + "\n")
    paths = feed_paths([tmp_path], run="20250101T000000Z-aaaaaa")
    assert [p.name[-9:] for p in paths] == ["-w1.jsonl", "-w2.jsonl"], "replay feeds are not a run's output"
    result = merge_feeds(paths)
    kept = [json.loads(kept_line) for kept_line in result.lines]
    assert [(k["url"], k["revision"], k["provenance"]["fetched_at"]) for k in kept] == [
        ("http://m/a", 2, "2025-01-01T00:00:01"), ("http://m/b", 1, "2025-01-01T00:00:09")]
    assert (result.items, result.duplicates, len(result.unreadable)) == (4, 2, 1)
    assert merge_feeds(list(reversed(paths))).lines == result.lines, "input order does not matter"


def test_merge_refuses_an_input_that_is_not_a_feed_and_summarises_bad_lines(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A WARC given to merge printed 3,081 "skipped unreadable line" lines, wrote an empty file and exited 0."""
    feed = tmp_path / "w1.jsonl"
    feed.write_text("".join(json.dumps({"url": f"http://m/{n}", "revision": 1}) + "\n" for n in range(3))
                    + "torn\n" * 12, encoding="utf-8")
    not_a_feed = tmp_path / "README.md"
    not_a_feed.write_text("# A readme\n\nNot a feed.\n", encoding="utf-8")
    merged = tmp_path / "merged.jsonl"
    assert newscrawl(["merge", "-o", str(merged), str(feed), str(not_a_feed)]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"newscrawl merge: {not_a_feed} is not a JSON Lines feed: none of its 2 lines is an "
                              "item (a JSON object with a url); nothing written\n")
    assert not merged.exists()
    assert newscrawl(["merge", "-o", str(merged), str(feed)]) == 0
    err = capsys.readouterr().err
    assert err == (f"skipped 12 unreadable lines: {feed}:4, {feed}:5, {feed}:6, {feed}:7, {feed}:8 and 7 more\n")
    assert len(merged.read_text(encoding="utf-8").splitlines()) == 3
    assert sorted(path.name for path in tmp_path.iterdir()) == ["README.md", "merged.jsonl", "w1.jsonl"]


def test_merge_into_a_folder_is_a_usage_error_that_leaves_nothing(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    feed = tmp_path / "w1.jsonl"
    feed.write_text(json.dumps({"url": "http://m/a"}) + "\n", encoding="utf-8")
    (tmp_path / "out").mkdir()
    assert newscrawl(["merge", "-o", str(tmp_path / "out"), str(feed)]) == 2
    assert capsys.readouterr().err == f"newscrawl merge: cannot write {tmp_path / 'out'}: Is a directory\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out", "w1.jsonl"], "no stray out.tmp"


def test_start_messages_and_the_enqueue_command(redis_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert StartMessage.decode(b'{"url": "https://a.b/article/x/1-y", "meta": {}}').kind == "article"
    assert StartMessage.decode(b'{"kind": "sitemap", "url": "https://a.b/RSS/GoogleNews"}').kind == "sitemap"
    for bad in (b'{"kind": "everything"}', b'{"kind": "feed"}', b"not a url"):
        with pytest.raises(BadStartMessage):
            StartMessage.decode(bad)
    assert newscrawl(["enqueue", "devdiscourse", "discover"]) == 2, "no Redis URL"
    assert newscrawl(["enqueue", "nosuchspider", "discover", "--redis", redis_url]) == 2
    assert "unknown spider" in capsys.readouterr().err
    assert newscrawl(["enqueue", "devdiscourse", "discover", "https://a.b/article/x/1-y", "--feed",
                      "https://a.b/rss", "--redis", redis_url]) == 0
    server = redis.Redis.from_url(redis_url)
    run_id = server.get("newscrawl:devdiscourse:run").decode()  # type: ignore[union-attr]
    queued = [StartMessage.decode(m) for m in server.lrange(RunKeys("devdiscourse", run_id).start_urls, 0, -1)]
    assert [m.kind for m in queued] == ["discover", "article", "feed"]
    assert newscrawl(["enqueue", "devdiscourse", "https://a.b/2", "--redis", redis_url]) == 0
    assert server.get("newscrawl:devdiscourse:run") == run_id.encode(), "enqueue joins the current run"
    assert newscrawl(["enqueue", "devdiscourse", "discover", "--new-run", "--redis", redis_url]) == 3
    assert server.llen(RunKeys("devdiscourse", run_id).start_urls) == 4, "--new-run queued nothing"


def test_new_run_joins_only_a_run_that_never_had_work(redis_url: str) -> None:
    server = redis.Redis.from_url(redis_url)
    waiting = join_run(server, "devdiscourse", "20250101T000000Z-waited")  # what a worker started first does
    discover = [StartMessage("discover")]
    assert enqueue_messages(server, "devdiscourse", discover, new_run=True) == (waiting, True)
    with pytest.raises(RunGoing):
        enqueue_messages(server, "devdiscourse", discover, new_run=True)
    keys = RunKeys("devdiscourse", waiting)
    frontier = Frontier(server, keys, "w1")
    frontier.ack(lease for lease, _ in frontier.pop_start(10))  # the work is done, the queue is empty again
    assert frontier.drained() and frontier.has_had_work()
    with pytest.raises(RunGoing):  # a drained run that did its work is still going until a worker ends it
        enqueue_messages(server, "devdiscourse", discover, new_run=True)
    assert frontier.finish() == "finished" and not server.keys("newscrawl:devdiscourse:*")
    started, fresh = enqueue_messages(server, "devdiscourse", discover, new_run=True)
    assert fresh and started != waiting, "once it ended, --new-run starts a new run"


# ---- Redis gone between the crawl's check and the worker's join (no real race: a server that dies on cue) -------
class DyingRedis:
    """A loopback stand-in for a Redis server that goes away after answering `pings` PINGs: it speaks just enough
    RESP for redis-py's handshake (HELLO, CLIENT …) and PING, then stops listening (the next connect is refused) and
    hangs up on any further command. The crawl's reachability check sends the first PING, the worker's join the
    second, so `pings=1` dies between them and `pings=2` during the join."""

    def __init__(self, pings: int) -> None:
        self.pings = pings
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.lock = threading.Lock()
        self.threads: list[threading.Thread] = []

    def __enter__(self) -> str:
        self.threads.append(threading.Thread(target=self._accept, daemon=True))
        self.threads[0].start()
        return f"redis://127.0.0.1:{self.listener.getsockname()[1]}/0"

    def __exit__(self, *exc: object) -> None:
        self._die()

    def _die(self) -> None:
        with self.lock:
            self.pings = 0
            # shutdown() wakes the accept() waiting in the other thread; close() alone left it to take one more
            # connection (and hang up on it), so "the next connect is refused" held only for the one after that.
            with suppress(OSError):  # already closed
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:  # closed: Redis is down
                return
            thread = threading.Thread(target=self._serve, args=(connection,), daemon=True)
            self.threads.append(thread)
            thread.start()

    def _serve(self, connection: socket.socket) -> None:
        with connection, connection.makefile("rb") as stream:
            while (command := self._command(stream)) is not None:
                with self.lock:
                    if self.pings <= 0:
                        return  # hang up: the server is gone
                    if command[0].upper() == b"PING":
                        self.pings -= 1
                if command[0].upper() == b"HELLO":  # RESP3 map: the protocol version asked for
                    version = command[1] if len(command) > 1 else b"2"
                    connection.sendall(b"%2\r\n$6\r\nserver\r\n$5\r\nredis\r\n$5\r\nproto\r\n:" + version + b"\r\n")
                else:
                    connection.sendall(b"+PONG\r\n" if command[0].upper() == b"PING" else b"+OK\r\n")
                if self.pings <= 0:
                    self._die()

    @staticmethod
    def _command(stream: Any) -> list[bytes] | None:
        header = stream.readline()
        if not header.startswith(b"*"):
            return None
        arguments = []
        for _ in range(int(header[1:])):
            length = int(stream.readline()[1:])
            arguments.append(stream.read(length + 2)[:-2])
        return arguments


@pytest.mark.parametrize("pings", [1, 2], ids=["before-the-join", "during-the-join"])
def test_redis_gone_between_the_check_and_the_join_is_one_line(tmp_path: Path, pings: int) -> None:
    """The crawl checks Redis before it starts (one line, exit 2); when Redis went away after that check, the
    worker's join raised inside Scrapy's start: asyncio's "Task exception was never retrieved" and a traceback,
    then "the crawl could not start", exit 1."""
    with DyingRedis(pings) as url:
        result = run_crawl(tmp_path, "news", "-a", "urls=http://127.0.0.1:9/article/x/1-a",
                           settings={"REDIS_URL": url, "LOG_FILE": str(tmp_path / "crawl.log"),
                                     "NEWSCRAWL_STATE_DIR": str(tmp_path / "state")})
    log = (tmp_path / "crawl.log").read_text(encoding="utf-8")
    assert "Traceback" not in result.log + log, (result.log + log)[-3000:]
    assert result.returncode == 2, result.log[-3000:]
    assert result.log.startswith(f"scrapy crawl news: not started, cannot use Redis at {url}: "), result.log
    assert result.log.count("\n") == 1, result.log
    assert not list(tmp_path.glob("output/news/*.jsonl")), "nothing crawled"


def test_redis_gone_between_enqueues_check_and_its_writes_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    """A Redis that answered connect()'s PING and is gone by enqueue's first write: that write failed with redis-py's
    traceback."""
    with DyingRedis(1) as url:
        assert newscrawl(["enqueue", "devdiscourse", "discover", "--redis", url]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"newscrawl enqueue: cannot use Redis at {url}: ") and err.count("\n") == 1, err


# ---- what answers at the Redis URL, when it is not a Redis that takes us: one line naming the URL and what is there --
class _QuietHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def http_server() -> Iterator[str]:
    """A redis:// URL whose port holds `python3 -m http.server` (its request handler): a user's wrong port. It
    answers redis-py's first command with an HTML error page whose lines do not end in CRLF, then hangs up."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"redis://127.0.0.1:{server.server_address[1]}/0"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def status_line_server() -> Iterator[str]:
    """A redis:// URL whose port answers any bytes with an HTTP status line, as nginx or a load balancer does."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:  # closed
                return
            with connection:
                connection.recv(65536)
                connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    finally:
        listener.close()


@pytest.fixture(scope="module")
def redis_with_password(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """redis://127.0.0.1:<port> of a redis-server started with --requirepass s3cret."""
    with redis_server(tmp_path_factory.mktemp("redis-password"), "--requirepass", "s3cret") as base:
        yield base


def test_what_is_at_the_redis_url_is_named_in_the_error(redis_with_password: str) -> None:
    """A port holding something else than Redis, a Redis asking for a password, a URL that is not Redis's: each
    was "cannot use Redis at URL:" and redis-py's words for it ("Connection closed by server.", "HELLO must be
    called with the client already authenticated…"); a URL with a password that redis-py refuses was a traceback
    (the message's own redacted() raised on the port)."""
    def error(url: str) -> str:
        with pytest.raises(DistributedSetupError) as raised:
            connect(url)
        return str(raised.value)

    with http_server() as url:
        assert error(url) == f"{url} is not a Redis server: it closed the connection without a Redis reply"
    with status_line_server() as url:
        assert error(url) == f"{url} is not a Redis server: it answered b'HTTP/1.1 400 Bad Request'"
    host = redis_with_password.removeprefix("redis://")
    assert error(f"{redis_with_password}/0") == (
        f"Redis at {redis_with_password}/0 requires a password and the URL gives none: put it in the URL, "
        "redis://:PASSWORD@HOST:PORT/DB")
    assert error(f"redis://:wrong@{host}/0").startswith(
        f"Redis at {redis_with_password}/0 refused the URL's password (or user name): ")
    assert connect(f"redis://:s3cret@{host}/0").ping()
    assert error(f"http://{host}/0") == (
        f"http://{host}/0 is not a Redis URL: it must start with redis://, rediss:// (TLS) or unix:// (a socket), "
        "e.g. redis://127.0.0.1:6379/0")
    assert error("redis://:s3cret@127.0.0.1:99999/0") == "redis://127.0.0.1:99999/0 is not a Redis URL: Port out of " \
                                                         "range 0-65535"
    assert error("redis://127.0.0.1:1/0").startswith("cannot use Redis at redis://127.0.0.1:1/0: "), "down: as it was"


def test_a_worker_or_enqueue_at_a_port_that_is_no_redis_is_one_line(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """The commands print connect()'s error as their one line, exit 2, as for a Redis that is down."""
    with http_server() as url:
        assert newscrawl(["enqueue", "devdiscourse", "discover", "--redis", url]) == 2
        assert capsys.readouterr().err == (f"newscrawl enqueue: {url} is not a Redis server: it closed the "
                                           "connection without a Redis reply\n")
        result = run_crawl(tmp_path, "news", env={"NEWSCRAWL_REDIS_URL": url})
    assert result.returncode == 2 and "Traceback" not in result.log, result.log[-3000:]
    assert result.log == f"scrapy crawl news: not started, {url} is not a Redis server: it closed the connection " \
                         "without a Redis reply\n", result.log


def test_a_password_in_the_urls_query_is_never_shown(redis_with_password: str, caplog: pytest.LogCaptureFixture,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """redis-py takes the password from the query too (`?password=`): redacted() left it in every line that names
    the URL, the one-line errors, enqueue's "queued … on URL" and the worker's "joined run … on URL" log."""
    def error(url: str) -> str:
        with pytest.raises(DistributedSetupError) as raised:
            connect(url)
        return str(raised.value)

    assert error("redis://127.0.0.1:1/0?password=s3cret").startswith("cannot use Redis at redis://127.0.0.1:1/0: ")
    assert error(f"{redis_with_password}/0?db=0&password=wrong").startswith(
        f"Redis at {redis_with_password}/0?db=0 refused the URL's password (or user name): ")
    assert connect(f"{redis_with_password}/0?password=s3cret").ping(), "redis-py does take it"
    assert error("redis://127.0.0.1:1/0?password=s3cret&db=x") == \
        "redis://127.0.0.1:1/0?db=x is not a Redis URL: Invalid value for 'db' in connection URL."

    url = f"{redis_with_password}/4?password=s3cret"
    assert newscrawl(["enqueue", "devdiscourse", "https://a.b/article/x/1-a", "--redis", url]) == 0
    out = capsys.readouterr().out
    assert out.endswith(f" on {redis_with_password}/4\n") and "s3cret" not in out, out
    with caplog.at_level("INFO", logger="newscrawl.distributed.frontier"):
        frontier = Frontier.join(SimpleNamespace(name="devdiscourse"), Settings({"NEWSCRAWL_WORKER_ID": "w"}), url)
    frontier.leave()
    assert f"Worker w joined run {frontier.keys.run_id} on {redis_with_password}/4" in caplog.messages, caplog.text
    assert "s3cret" not in caplog.text


PASSWORD_PARTS = ("Xy", "Zz", "Qq")
"""The pieces of the password Xy#Zz?Qq, which urllib (and so redis-py) cuts at "#" and "?"."""


def test_a_password_with_an_unencoded_hash_or_question_mark_is_never_shown(
        tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str],
        caplog: pytest.LogCaptureFixture) -> None:
    """redis://:Xy#Zz?Qq@host:6379/0: urllib, redis-py's parser, ends the host part at "#", so redacted() found no
    "@" there and showed the URL whole, and redis-py read ":Xy" as host and port: "is not a Redis URL: Port could not
    be cast to integer value as 'Xy'". (redis://:12#34@host was worse: redis-py connected to localhost:12.) Such a
    URL is refused before any connection, in one line that names it without any part of the password and says how
    to write it; written percent-encoded, it works and is shown without it."""
    def error(url: str) -> str:
        with pytest.raises(DistributedSetupError) as raised:
            connect(url)
        return str(raised.value)

    refused = ("is not a Redis URL redis-py reads as written: its password (or user name) holds a '/', '?' or '#' "
               "unencoded, where redis-py ends the host; write them as %2F, %3F and %23, e.g. "
               "redis://:PA%23SS@HOST:6379/0")
    assert error("redis://:Xy#Zz?Qq@127.0.0.1:1/0") == f"redis://127.0.0.1:1/0 {refused}"
    assert error("redis://:Xy?Zz#Qq@127.0.0.1:1/0") == f"redis://127.0.0.1:1/0 {refused}"
    assert error("redis://user:Xy/Zz@127.0.0.1:1/0") == f"redis://user@127.0.0.1:1/0 {refused}"
    assert error("redis://:12#34@127.0.0.1:1/0") == f"redis://127.0.0.1:1/0 {refused}", "not localhost:12"
    assert error("redis://:Xy#Zz?Qq@127.0.0.1:99999/0") == f"redis://127.0.0.1:99999/0 {refused}"
    assert error("redis:Xy#Zz?Qq@127.0.0.1:1/0").startswith("redis:127.0.0.1:1/0 is not a Redis URL: it must start ")
    assert error("redis://:Xy@127.0.0.1:1/0?client_name=a@b").startswith(
        "cannot use Redis at redis://127.0.0.1:1/0?client_name=a@b: "), "an @ in a query value is redis-py's too"

    url = "redis://:Xy#Zz?Qq@127.0.0.1:1/0"
    assert newscrawl(["enqueue", "devdiscourse", "discover", "--redis", url]) == 2
    assert capsys.readouterr().err == f"newscrawl enqueue: redis://127.0.0.1:1/0 {refused}\n"
    result = run_crawl(tmp_path, "news", env={"NEWSCRAWL_REDIS_URL": url})
    assert result.returncode == 2 and result.log == f"scrapy crawl news: not started, redis://127.0.0.1:1/0 {refused}\n"

    with redis_server(tmp_path_factory.mktemp("redis-hash-password"), "--requirepass", "Xy#Zz?Qq") as base:
        host = base.removeprefix("redis://")
        encoded = f"redis://:Xy%23Zz%3FQq@{host}/3"
        assert connect(encoded).ping(), "written percent-encoded, redis-py reads it as the password"
        assert newscrawl(["enqueue", "devdiscourse", "https://a.b/article/x/1-a", "--redis", encoded]) == 0
        out = capsys.readouterr().out
        assert out.endswith(f" on {base}/3\n"), out
        with caplog.at_level("INFO", logger="newscrawl.distributed.frontier"):
            frontier = Frontier.join(SimpleNamespace(name="devdiscourse"), Settings({"NEWSCRAWL_WORKER_ID": "w"}),
                                     encoded)
        frontier.leave()
        assert f"Worker w joined run {frontier.keys.run_id} on {base}/3" in caplog.messages, caplog.text
    assert not [part for part in PASSWORD_PARTS if part in out + caplog.text + result.log]


@contextmanager
def silent_server() -> Iterator[str]:
    """A redis:// URL whose port takes connections and never says a word: a hung server, or a proxy or tunnel whose
    far end is gone."""
    listener = socket.create_server(("127.0.0.1", 0))
    taken: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                taken.append(listener.accept()[0])  # held open, never read, never answered
            except OSError:  # closed
                return

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    finally:
        listener.close()
        for connection in taken:
            connection.close()


def test_a_server_that_never_answers_fails_the_setup_check_in_seconds(capsys: pytest.CaptureFixture[str]) -> None:
    """The check before any work (the crawl command's, and the PING of `enqueue` and of a worker's join) used the
    crawl's client: 30 s socket timeout, retried, so a silent server took a minute to be named. The < 15 s bounds
    only guard against that; they are no benchmark."""
    with silent_server() as url:
        started = time.monotonic()
        with pytest.raises(DistributedSetupError) as raised:
            check_reachable(Settings({"REDIS_URL": url}))
        checked = time.monotonic() - started
        assert str(raised.value) == f"{url} is not a Redis server: it took the connection but never answered PING " \
                                    "(timed out)"
        assert checked < 15, f"the crawl's check took {checked:.0f} s"

        started = time.monotonic()
        assert newscrawl(["enqueue", "devdiscourse", "discover", "--redis", url]) == 2
        enqueued = time.monotonic() - started
        assert capsys.readouterr().err == f"newscrawl enqueue: {raised.value}\n"
        assert enqueued < 15, f"enqueue's check took {enqueued:.0f} s"


def test_the_client_for_the_work_keeps_its_patience(redis_url: str) -> None:
    """Only the check is quick to give up: the client connect() returns (a worker's frontier, enqueue's writes)
    waits 30 s for a reply and retries, as a Redis busy under a real crawl may pause."""
    pool = connect(redis_url).connection_pool
    connection = pool.get_connection()
    try:
        assert (connection.socket_timeout, connection.socket_connect_timeout) == (30, 10)
        assert connection.retry.get_retries() > 0 and connection.retry_on_timeout
    finally:
        pool.release(connection)


# ---- the scaling figure in the README (opt-in: NEWSCRAWL_BENCH=1 pytest tests/test_distributed.py -k scaling -s) --
@pytest.mark.skipif(not os.environ.get("NEWSCRAWL_BENCH"), reason="benchmark; set NEWSCRAWL_BENCH=1 to run it")
def test_scaling(redis_url: str, mirror: MirrorServer, specs: list[NewsSpec], tmp_path: Path) -> None:
    for count in (1, 3):
        redis.Redis.from_url(redis_url).flushdb()
        serve(mirror, specs)
        stamps: list[float] = []
        original = mirror._log

        def stamped(entry: LogEntry) -> None:
            stamps.append(time.monotonic())
            original(entry)

        mirror._log = stamped  # type: ignore[method-assign]
        try:
            run = start_workers(tmp_path / str(count), redis_url, mirror, [f"w{i}" for i in range(1, count + 1)])
            enqueue(redis_url, "discover")
            run.wait(timeout=300)
        finally:
            mirror._log = original  # type: ignore[method-assign]
        print(f"\n{count} worker(s): {len(stamps)} pages in {stamps[-1] - stamps[0]:.1f}s, "
              f"{len(stamps) / (stamps[-1] - stamps[0]):.1f} pages/s")


def test_enqueue_reads_a_url_file_as_the_urls_argument_does(tmp_path: Path) -> None:
    """`newscrawl enqueue @FILE` and `-a urls=@FILE` read one file format: a comment after a URL is not part of it,
    the URL's own fragment is."""
    listing = tmp_path / "urls.txt"
    listing.write_text("# queue these\nhttps://www.devdiscourse.com/article/a/1-mumbai  # trailing\n"
                       "https://www.devdiscourse.com/article/b/2-y#comments\n")
    assert [message.url for message in messages_from_arguments([f"@{listing}"])] == [
        "https://www.devdiscourse.com/article/a/1-mumbai", "https://www.devdiscourse.com/article/b/2-y#comments"]


def test_a_spider_only_redis_knows_is_a_known_spider_to_status_and_report(
        redis_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`status --spider NAME` and `report --spider NAME` took the project's spiders and those the output folder holds:
    a spider whose workers run elsewhere (their project, their reports), known here only by its keys in the Redis
    status reads, was "unknown spider", exit 2. With the Redis URL its keys make it known; without one, or with a
    Redis that cannot be used, it is not, and the line says why."""
    server = redis.Redis.from_url(redis_url)
    server.set(RunKeys("remote", "").current, "20251121T104500Z-1a2b3c")  # a run going, nothing gone yet
    server.hset(RunKeys("mirror", "").articles + ":aliases", "https://example.org/a?x", "https://example.org/a")
    server.set("other:elsewhere:run", "1")  # another program's key: no spider of ours
    server.hset(RunKeys("retired", "").articles, "devdiscourse:1", "{}")
    server.delete(RunKeys("retired", "").articles)  # a state since deleted: nothing left of it
    monkeypatch.delenv("NEWSCRAWL_REDIS_URL", raising=False)
    output = tmp_path / "output"
    output.mkdir()
    remote = ["--output", str(output), "--spider", "remote"]

    assert newscrawl(["status", *remote]) == 2, "no Redis URL: only the project's spiders and the folder's"
    assert capsys.readouterr() == ("", "newscrawl status: unknown spider 'remote' (known: devdiscourse, news)\n")
    assert newscrawl(["status", *remote, "--redis", redis_url]) == 0
    assert capsys.readouterr() == (
        f"remote: no run recorded (no run report under {output / 'remote'}, no crawl state "
        f"{output / 'state' / 'remote.sqlite'}); its distributed state is in Redis at {redis_url}\n", "")
    monkeypatch.setenv("NEWSCRAWL_REDIS_URL", redis_url)
    assert newscrawl(["status", "--json", *remote]) == 0
    document = json.loads(capsys.readouterr().out)
    assert (document["spider"], document["runs"], document["gone"], document["problems"]) == ("remote", [], [], [])
    page = tmp_path / "report.html"
    assert newscrawl(["report", "-o", str(page), "--output", str(output), "--spider", "mirror"]) == 0
    assert page.exists() and capsys.readouterr().out == f"wrote {page}: 0 runs\n"

    for command in (["status"], ["status", "--json"], ["report", "-o", str(page)]):
        assert newscrawl([*command, "--output", str(output), "--spider", "retired"]) == 2
        assert capsys.readouterr() == ("", f"newscrawl {command[0]}: unknown spider 'retired' (known: devdiscourse, "
                                           "mirror, news, remote)\n")
    nothing = f"redis://:secret@127.0.0.1:{free_port()}/0"  # nothing listens there
    assert newscrawl(["status", *remote, "--redis", nothing]) == 2
    out, err = capsys.readouterr()
    shown = nothing.replace(":secret@", "")
    assert out == "" and err.startswith("newscrawl status: unknown spider 'remote' (known: devdiscourse, news; none "
                                        f"from Redis: cannot use Redis at {shown}: "), err
    assert err.count("\n") == 1 and "secret" not in err


def test_status_and_report_show_the_gone_pages_of_the_redis_state(
        redis_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """Distributed workers remember the pages they find gone in Redis (`<articles key>:gone`), and `newscrawl status`
    read only the state files: what a distributed crawl skipped as gone was invisible. With the project's Redis URL
    (REDIS_URL, $NEWSCRAWL_REDIS_URL, or --redis) status, its JSON and the report list them beside the state file's;
    a damaged entry, or a Redis that cannot be used, costs only itself."""
    import jsonschema

    from newscrawl import schema
    from newscrawl.state.store import StateStore

    server = redis.Redis.from_url(redis_url)
    first = datetime(2025, 11, 21, 10, 15, tzinfo=timezone.utc)
    site = "https://www.devdiscourse.com/article/x"
    shared = RedisStateStore(server, RunKeys("devdiscourse", "").articles)
    shared.record_gone(first.isoformat(), [(f"devdiscourse:{n}", f"{site}/{n}-y", None) for n in range(1, 4)])
    shared.record_gone((first + timedelta(hours=1)).isoformat(), [("devdiscourse:2", f"{site}/2-y", None)])
    news = RedisStateStore(server, RunKeys("news", "").articles)
    news.record_gone(first.isoformat(), [("https://example.org/a", "https://example.org/a", None)])
    server.hset(news.gone_key, "https://example.org/b", b"\xff not JSON")
    local = StateStore(tmp_path / "state" / "devdiscourse.sqlite")  # a single-process crawl of the same spider
    local.record_gone(first.isoformat(), [("devdiscourse:9", f"{site}/9-y", None)])
    local.close()
    monkeypatch.setenv("NEWSCRAWL_REDIS_URL", redis_url)

    assert newscrawl(["status", "--output", str(tmp_path)]) == 0, "gone pages change no exit code"
    sections = capsys.readouterr().out.split("\n\n")
    assert sections[1].splitlines()[0] == ("gone devdiscourse: 1 article page remembered as gone (www.devdiscourse.com 1); "
                                      "the latest 1:")
    assert sections[2].splitlines() == [
        f"gone devdiscourse in Redis ({redis_url} newscrawl:devdiscourse:articles:gone): 3 article pages remembered "
        "as gone (www.devdiscourse.com 3); the latest 3:",
        "  last gone          first gone         runs  asked again  url",
        f"  2025-11-21 11:15Z  2025-11-21 10:15Z     2  due          {site}/2-y",
        f"  2025-11-21 10:15Z  2025-11-21 10:15Z     1  due          {site}/1-y",
        f"  2025-11-21 10:15Z  2025-11-21 10:15Z     1  due          {site}/3-y"]
    assert sections[3].startswith(f"gone news in Redis ({redis_url} newscrawl:news:articles:gone): 1 article page ")

    assert newscrawl(["status", "--json", "--output", str(tmp_path)]) == 0
    document = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator(json.loads(schema.STATUS_SCHEMA.read_text(encoding="utf-8"))).validate(document)
    assert [(gone["spider"], gone["shared"], gone["total"]) for gone in document["gone"]] == [
        ("devdiscourse", False, 1), ("devdiscourse", True, 3), ("news", True, 1)]
    assert document["gone"][1]["state"] == f"{redis_url} newscrawl:devdiscourse:articles:gone"
    assert document["gone"][1]["latest"][0] == {
        "key": "devdiscourse:2", "url": f"{site}/2-y", "last_gone": "2025-11-21T11:15:00+00:00",
        "first_gone": "2025-11-21T10:15:00+00:00", "runs": 2, "asked_again": "2025-11-21T13:15:00+00:00",
        "due": True}
    assert document["problems"] == [{
        "kind": "unreadable-state", "path": f"{redis_url} newscrawl:news:articles:gone",
        "reason": "1 of its 2 entries is not a gone record: https://example.org/b"}]

    out_html = tmp_path / "report.html"
    assert newscrawl(["report", "-o", str(out_html), "--output", str(tmp_path)]) == 0
    page = out_html.read_text(encoding="utf-8")
    assert f"<h3>devdiscourse in Redis ({redis_url} newscrawl:devdiscourse:articles:gone)</h3>" in page
    assert f"Cannot read {redis_url} newscrawl:news:articles:gone: 1 of its 2 entries is not a gone record" in page

    monkeypatch.delenv("NEWSCRAWL_REDIS_URL")
    capsys.readouterr()
    assert newscrawl(["status", "--json", "--output", str(tmp_path)]) == 0
    assert [gone["shared"] for gone in json.loads(capsys.readouterr().out)["gone"]] == [False], "no URL: no Redis"
    # --spider: no output/news/ here (its workers write their reports on their own machines), only its Redis state
    assert newscrawl(["status", "--json", "--output", str(tmp_path), "--spider", "news", "--redis", redis_url]) == 0
    assert [gone["spider"] for gone in json.loads(capsys.readouterr().out)["gone"]] == ["news"]
    assert newscrawl(["status", "--output", str(tmp_path), "--spider", "news", "--redis", redis_url]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"news: no run recorded (no run report under {tmp_path / 'news'}, no crawl state ")
    assert f"\ngone news in Redis ({redis_url} newscrawl:news:articles:gone): 1 article page " in out

    nothing = f"redis://:secret@127.0.0.1:{free_port()}/0"  # nothing listens there
    assert newscrawl(["status", "--json", "--output", str(tmp_path), "--redis", nothing]) == 0
    out, err = capsys.readouterr()
    [problem] = json.loads(out)["problems"]
    assert problem["kind"] == "unreadable-state" and problem["path"] == nothing.replace(":secret@", "")
    assert problem["reason"].startswith(f"cannot use Redis at {problem['path']}: ")
    assert "secret" not in out + err + caplog.text
    assert newscrawl(["status", "--output", str(tmp_path), "--redis", nothing]) == 0
    out = capsys.readouterr().out
    assert "gone devdiscourse: 1 article page" in out and "in Redis" not in out
