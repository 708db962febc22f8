"""What every newscrawl spider shares: crawl identity, state wiring, article candidates held until they can be
decided, and the article callback that hands a response to its parser.

Spiders only discover; extraction is the parsers' job and cleaning the pipelines'. The pieces this module wires
together live beside it: arguments.py (-a arguments), held.py (candidates and their discovery trails, on disk),
release.py (when held candidates are decided and fed to the scheduler), provenance.py (the facts of a fetch),
failures.py (failed requests counted by kind).

One idea, kept whole: the spider base that wires the pieces beside it together.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import scrapy
from scrapy import signals
from scrapy.http import Request, Response

from newscrawl.archive.budget import UnpackLimits
from newscrawl.archive.recover import finish_killed_warcs
from newscrawl.archive.replay import (ReplayIdentity, ReplaySource, input_sha256, replay_identity,
                                      with_reproducible_order, without_network_handlers)
from newscrawl.archive.shown import given_place, shown_name
from newscrawl.components import OFF_IN_EVERY_CRAWL, leave_out
from newscrawl.distributed import attach_frontier
from newscrawl.extract.notes import NoteRule
from newscrawl.extract.urls import host_of
from newscrawl.items import Article, Discovery, Provenance
from newscrawl.meta import (FATAL_ERROR_STAT, INCOMPLETE_FLAGS, META_FETCHED_AT, META_KEY, TRUNCATED_FLAG,
                            URL_FROM_PATH_FLAG, archive_index_cache, new_crawl_id)
from newscrawl.monitoring.report import site_was_down, stopped_by_error
from newscrawl.parsers import ArticleParser, parser_by_name, parser_for_url
from newscrawl.parsers.base import PAGE_KIND_REASONS
from newscrawl.spiders.arguments import Arg, common_args, parse_arguments
from newscrawl.spiders.archive_candidates import ReplayCandidates
from newscrawl.spiders.failures import RequestFailures
from newscrawl.spiders.held import HeldArticles, known_when_fetched
from newscrawl.spiders.provenance import archive_ref, response_provenance
from newscrawl.spiders.release import ArticleRelease
from newscrawl.spiders.replayname import replay_stem
from newscrawl.spiders.shard import Shard
from newscrawl.spiders.versions import ArchivedVersions, one_page_at_a_time
from newscrawl.state.gone import GoneSchedule
from newscrawl.state.incremental import DEFAULT_REVISIT_HOURS, Incremental, newest_claim
from newscrawl.state.recovery import reconcile_killed_runs
from newscrawl.state.store import INTERRUPTED, StateStore

if TYPE_CHECKING:
    from newscrawl.distributed.frontier import Frontier

logger = logging.getLogger(__name__)


class NewsSpiderBase(ReplayCandidates, ArchivedVersions, ArticleRelease, RequestFailures, scrapy.Spider):
    """Base of every newscrawl spider. Subclasses add ARGS, discovery in `discover()`, and `article_key()`."""

    ARGS: ClassVar[dict[str, Arg]] = {}
    parser_class: ClassVar[type[ArticleParser] | None] = None
    """The outlet parser for this spider's pages; None → chosen per URL from the registry."""

    def __init__(self, *args: Any, unpack_limits: UnpackLimits | None = None, **kwargs: Any) -> None:
        """`unpack_limits`: what -a replay's archive may unpack to (from_crawler reads them from the settings)."""
        spec = {**common_args(unpack_limits or UnpackLimits()), **self.ARGS}
        self.args = parse_arguments(self.name, spec, kwargs)
        super().__init__(*args)
        self.started_at = datetime.now(timezone.utc)
        self.crawl_id = new_crawl_id(self.started_at)
        self.feed_name = self.crawl_id
        self.mode = "live"
        self.replay_identity: ReplayIdentity | None = None
        self.replay_input: dict[str, str] | None = None
        """What a replay read, as its report records it: {"path", "sha256"} (name_replay)."""
        if self.args.get("replay") is not None:
            identity = self.replay_identity = replay_identity(self.args["replay"])
            self.crawl_id, self.started_at = identity.crawl_id, identity.started_at
            self.feed_name = f"{self.crawl_id}.replay"  # until name_replay has seen what earlier replays left
            self.mode = "replay"
            # A replay is the archived run again: its arguments (base_url, since, …) apply unless overridden.
            archived = {k: v for k, v in identity.arguments.items() if k in spec and k != "replay"}
            ignored = sorted(set(identity.arguments) - set(archived) - {"replay"})
            if ignored:
                logger.warning("Archived spider arguments not known to this version, ignored: %(names)s",
                               {"names": ", ".join(ignored)})
            self.args = parse_arguments(self.name, spec, {**archived, **kwargs})
        self.urls: list[str] | None = self.args.get("urls")
        self.replay_path: Path | None = self.args.get("replay")
        # What a replay needs to repeat this run, recorded in the WARC's warcinfo (URL files expanded).
        self.recorded_arguments = {k: (",".join(v) if k == "urls" else str(kwargs[k]))
                                   for k, v in self.args.items() if k not in ("replay", "jobs", "versions") and k in kwargs}
        self.held = HeldArticles()
        self.replay_source: ReplaySource | None = None
        """The archive a replay answers from; built when the spider opens (the replay middleware shares it)."""
        self.discovery_failures: list[dict[str, str]] = []
        """Discovery sources lost this run (error, timeout, size limit), for the run report's status."""
        self.gone_articles: list[str] = []
        """The first article pages that answered 500 on every try (failures.py), for the run report."""
        self.gone_to_remember: list[tuple[str, str, str | None]] = []
        """Every gone article page of the run (key, URL, newest change claim), stored at close unless the site was
        down (failures.py, state/incremental.py)."""
        self.damaged_inputs: list[dict[str, Any]] = []
        """Every damaged input of a replay (file, offset, kind, error), for the run report."""
        self._archive_listed = False
        self.incremental: Incremental | None = None
        self.frontier: Frontier | None = None
        """The shared Redis frontier in distributed mode (newscrawl/distributed/), None in a single process."""
        self.shard: Shard | None = None
        """This process's share of a parallel replay (-a jobs=N, spiders/shard.py); None in a one-process run."""

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpiderBase:
        # the constructor unpacks -a replay within the crawl's limits, as its checks did (checked there too)
        spider = super().from_crawler(crawler, *args, unpack_limits=UnpackLimits.from_settings(crawler.settings),
                                      **kwargs)
        leave_out(crawler.settings, OFF_IN_EVERY_CRAWL)
        if spider.mode == "replay":
            without_network_handlers(crawler.settings)
            with_reproducible_order(crawler.settings)
            if spider.args.get("versions") == "all":
                one_page_at_a_time(crawler.settings)
        preset = crawler.settings.get("NEWSCRAWL_CRAWL_ID")
        if preset and spider.mode == "live":  # `newscrawl run` names the run so it can find its report
            spider.crawl_id = spider.feed_name = str(preset)
        # Distributed mode hook: with a Redis URL set, join the shared run (crawl id becomes <run>-<worker>).
        spider.frontier = attach_frontier(spider, crawler)
        spider.shard = Shard.from_settings(crawler.settings)
        if spider.mode == "replay" and spider.shard is None:  # a parallel replay's parent names it (parallel/run.py)
            named = spider.name_replay(crawler.settings)
            if named:
                logger.warning("%(named)s", {"named": named})
        crawler.signals.connect(spider.open_replay_source, signal=signals.spider_opened)
        spider.start_release(crawler)
        crawler.signals.connect(spider.open_release, signal=signals.spider_opened)
        crawler.signals.connect(spider.release_articles, signal=signals.spider_idle)
        crawler.signals.connect(spider.feed_articles, signal=signals.request_reached_downloader)
        crawler.signals.connect(spider.discovery_answered, signal=signals.response_received)
        crawler.signals.connect(spider.close_release, signal=signals.spider_closed)
        if spider.mode == "replay" and spider.args.get("versions") == "all":
            crawler.signals.connect(spider.log_versions, signal=signals.spider_closed)
        crawler.signals.connect(spider.redirect_dropped, signal=signals.request_dropped)
        crawler.signals.connect(spider.redirect_scheduled, signal=signals.request_scheduled)
        spider.incremental = spider.open_state(crawler.settings)
        if spider.incremental is not None:
            crawler.signals.connect(spider.close_state, signal=signals.spider_closed)
        return spider

    # ---- crawl state --------------------------------------------------------------------------------------------
    def open_state(self, settings: Any) -> Incremental | None:
        """The incremental policy over this spider's state store; None when NEWSCRAWL_STATE_ENABLED is off.

        A replay gets a fresh temporary store and fetches everything: it reproduces the archived run as its own
        first run, without touching (or being filtered by) the live crawl's state.
        """
        if not settings.getbool("NEWSCRAWL_STATE_ENABLED", True):
            return None
        if self.mode == "replay":
            return Incremental(StateStore(None), now=self.started_at, full=True)
        revisit_hours, full = self.args.get("revisit_hours", DEFAULT_REVISIT_HOURS), self.args.get("full", False)
        gone_schedule = GoneSchedule.from_settings(settings)  # checked before the crawl (commands/checks.py)
        if self.frontier is not None:  # distributed mode hook: one state in Redis, shared by every worker
            return self.frontier.incremental(self.started_at, revisit_hours, full, gone_schedule, self.crawler)
        path = Path(settings.get("NEWSCRAWL_STATE_DIR", "output/state")) / f"{self.name}.sqlite"
        store = StateStore(path)
        archive_dir = Path(settings.get("NEWSCRAWL_ARCHIVE_DIR", "output")) / self.name
        for killed_crawl_id, _ in store.unfinished_runs(self.name, self.crawl_id):
            finish_killed_warcs(archive_dir, killed_crawl_id)  # its items name the final file: make it exist
        reconcile_killed_runs(store, self.name, self.crawl_id, self.state_keys)
        store.start_run(self.crawl_id, self.name, self.started_at.isoformat(), self.default_feed(settings))
        return Incremental(store, now=self.started_at, revisit_hours=revisit_hours, full=full,
                           gone_schedule=gone_schedule)

    def default_feed(self, settings: Any, feed_name: str | None = None) -> str | None:
        """The path of the feed FEEDS names by `feed_name` (this run's unless given), or None when it names none."""
        for uri in settings.getdict("FEEDS"):
            if "%(feed_name)s" in uri:
                return str(uri % {"name": self.name, "feed_name": feed_name or self.feed_name})
        return None

    def name_replay(self, settings: Any) -> str | None:
        """Record what this replay reads, and name its feed and report so that they replace only a replay of the
        same bytes (spiders/replayname.py); the warning for the log when the name says otherwise. Called once, by
        the process that writes them."""
        assert self.replay_path is not None and self.replay_identity is not None
        self.replay_input = {"path": shown_name(str(self.replay_path)),
                             "sha256": input_sha256(self.replay_path, self.replay_identity,
                                                    archive_index_cache(settings))}
        reports = Path(settings.get("NEWSCRAWL_REPORT_DIR", "output")) / self.name
        self.feed_name, warning = replay_stem(reports, self.crawl_id, self.replay_input,
                                              lambda stem: self.default_feed(settings, stem))
        return warning

    def close_state(self, spider: Any = None, reason: str = "finished") -> None:
        assert self.incremental is not None
        # A run that closed cleanly is marked so: it ran out of work, hit a CLOSESPIDER_* limit, or was stopped by
        # SIGTERM/SIGINT ("shutdown": Scrapy lets pages and items in flight finish before spider_closed, so feed and
        # state agree as after "finished"). Left "running", it would be reconciled and reported as killed.
        # One stopped by an error (archive_write_error on a full disk, …) may have recorded items its feed never got;
        # left "running", the next run reconciles it against its feed like a killed run (state/recovery.py), and
        # those articles are fetched again. A state that refused a batch (RevisionPipeline) dropped it: that run must
        # be reconciled too, even when the refusal came while the crawl was already finishing.
        store = self.incremental.store
        stats = self.crawler.stats.get_stats()
        if self.gone_to_remember and not site_was_down(stats):  # when it was, the 500s said nothing of the articles
            store.record_gone(datetime.now(timezone.utc).isoformat(), self.gone_to_remember,
                              kept=self.incremental.gone_schedule.kept)
        if not stopped_by_error(reason) and not self.crawler.stats.get_value(FATAL_ERROR_STAT):
            store.finish_run(self.crawl_id, datetime.now(timezone.utc).isoformat(),
                             INTERRUPTED if reason == "shutdown" else "finished")
        store.close()

    def all_known_unchanged(self, urls: list[str]) -> bool:
        """True when every article of a listing page is known and unchanged: paging further finds only older ones."""
        if self.incremental is None or self.incremental.full or not urls:
            return False
        keys = [self.article_key(url) for url in urls]
        return all(self.incremental.known_unchanged(key, self.held.trail(key)) for key in keys)

    def change_claim(self, key: str) -> str | None:
        """The newest lastmod-like claim the discovery sources made for this article in this run."""
        return newest_claim(self.held.trail(key))

    @property
    def discovered_count(self) -> int:
        """How many distinct articles discovery named in this run."""
        return len(self.held)

    @classmethod
    def missing_source(cls, arguments: dict[str, Any]) -> str | None:
        """Why these arguments give the spider nothing to crawl (a usage error before the crawl), or None."""
        return None

    @classmethod
    def conflicting_arguments(cls, arguments: dict[str, Any]) -> str | None:
        """Why these arguments cannot go together (a usage error before the crawl), or None."""
        if arguments.get("versions") == "all" and "replay" not in arguments:
            return (f"spider {cls.name!r}: -a versions=all reads the versions an archive holds; it needs "
                    "-a replay=PATH")
        return None

    @classmethod
    def argument_help(cls) -> str:
        spec = {**common_args(UnpackLimits()), **cls.ARGS}
        return "\n".join(f"  -a {name}=…  {arg.help}" for name, arg in sorted(spec.items()))

    # ---- start ----------------------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        for request in self.start_requests_list():
            yield request

    def start_requests_list(self) -> Iterable[Request]:
        if self.urls:
            for position, url in enumerate(self.urls):
                yield from self.name_article(url, Discovery(via="urls-arg", position=position,
                                                            seen_at=self.started_at.isoformat()))
            return
        if self.replay_source is not None and self.replay_source.kind == "saved-html":
            return  # saved pages have no discovery pages: every page is a candidate (list_archive_candidates)
        yield from self.discover()

    def discover(self) -> Iterable[Request]:
        """The spider's discovery requests (sitemaps, listings, APIs)."""
        return ()

    # ---- article requests ---------------------------------------------------------------------------------
    def article_key(self, url: str) -> str:
        """What identifies an article across URL forms; subclasses use the outlet's id (Devdiscourse: NewsId)."""
        return url

    def alternate_form(self, url: str) -> bool:
        """Whether `url` may be another form of an article whose own page this run also fetches (its request then
        waits for the others, held.py `enqueue`); False here, since article_key joins the outlet's forms."""
        return False

    def state_keys(self, url: str, request_url: str) -> tuple[str, ...]:
        """The keys an emitted article's state may be under, most trusted first (StateStore.find), from its canonical
        URL and its request URL: here the request's, since article_key already joins the outlet's URL forms."""
        return (self.article_key(request_url),)

    def name_article(self, url: str, discovery: Discovery) -> Iterable[Request]:
        """A route names an article: note it (`article_request`). An outlet with a URL form that does not say which
        article it is (Devdiscourse's legacy `/Home/Detail?id={Guid}`) yields the request that finds out first."""
        self.article_request(url, discovery)
        return ()

    def article_request(self, url: str, discovery: Discovery, meta: dict[str, Any] | None = None) -> None:
        """Note an article candidate; its request is made when it is released (release.py, held.py)."""
        key = self.article_key(url)
        self.held.note(key, discovery)
        if self.frontier is None and self.held.known(key):  # another route named it: its trail grew, no new request
            self.crawler.stats.inc_value("newscrawl/discovery/duplicate")
            if self.held.released(key):  # released while discovery was stalled: decided already, never refetched
                self.crawler.stats.inc_value("newscrawl/discovery/late_route")
            return
        meta = {**(meta or {}), META_KEY: key}
        if self.frontier is not None:  # distributed mode hook: decided and queued now, for any worker to fetch
            request = Request(url, callback=self.parse_article, errback=self.on_error, meta=meta)
            self.frontier.push_article(self, key, discovery, request)
            return
        self.held.hold(key, url, meta)
        self.crawler.stats.inc_value(f"newscrawl/discovery/{discovery.via}")

    @staticmethod
    def seen_at(response: Response) -> str | None:
        """When a discovery source's response arrived (archived time in a replay), for Discovery.seen_at."""
        return response.meta.get(META_FETCHED_AT)

    # ---- the article callback ------------------------------------------------------------------------------
    def parser_for(self, response: Response) -> type[ArticleParser] | None:
        return self.parser_class or parser_for_url(response.url)

    def note_rules(self, outlet: str) -> tuple[NoteRule, ...]:
        """The outlet parser's boilerplate table, for BoilerplatePipeline: the spider wires parsers, so pipelines
        never look them up in the registry themselves."""
        try:
            return parser_by_name(outlet).boilerplate
        except KeyError:
            return ()

    def parse_article(self, response: Response) -> Iterable[Article | Request]:
        """The article callback: the page's item (Request in the type: an outlet spider may hold an item back for
        more of it, spiders/liveblog.py); in a `versions=all` replay, its earlier versions' items first
        (spiders/versions.py)."""
        self.crawler.stats.inc_value("newscrawl/pages/fetched")
        for version in self.page_versions(response):
            yield from self.parse_page(version)

    def parse_page(self, response: Response) -> Iterable[Article]:
        """One response of an article page: its item, if it holds an article."""
        stats = self.crawler.stats
        key = response.meta.get(META_KEY, response.url)
        if self.frontier is not None:  # distributed mode hook: the trail was recorded by whichever worker found it
            self.held.set_trail(key, self.frontier.discoveries(key))
        if response.status == 304:  # conditional revisit: unchanged, costs no parse, emits nothing
            stats.inc_value("newscrawl/incremental/not_modified")
            if self.incremental is not None:
                self.incremental.store.touch(key, response.meta.get(META_FETCHED_AT) or "", self.change_claim(key))
            return
        parser_class = self.parser_for(response)
        if parser_class is None:
            stats.inc_value("newscrawl/pages/no_parser")
            logger.warning("No parser for %(url)s; skipped", {"url": response.url})
            return
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1") or None
        try:
            parser = parser_class.from_html(response.body, response.url, content_type)
            article = parser.parse()
        except Exception as error:  # a parser bug or a hostile page must not stop the crawl
            stats.inc_value(f"newscrawl/parser_errors/{parser_class.name}/{type(error).__name__}")
            logger.error("Parser %(parser)s failed on %(url)s: %(error)r",
                         {"parser": parser_class.name, "url": response.url, "error": error})
            return
        stats.inc_value(f"newscrawl/pages_by_parser/{parser_class.name}")  # the drift alarm's share per outlet
        incomplete = any(flag in response.flags for flag in INCOMPLETE_FLAGS)  # a cut record, or a live answer
        if article is None:
            stats.inc_value("newscrawl/pages/not_article")
            # A page cut short may have lost the article itself: no evidence that it holds none, nor (in the drift
            # alarm's count per parser) that the outlet's layout changed; unless it shows what kind of page it is.
            if incomplete and parser.not_article_reason not in PAGE_KIND_REASONS:
                stats.inc_value("newscrawl/not_article/truncated")
                logger.warning("No item from %(url)s: its body is cut short before an article could be read "
                               "(%(reason)s)", {"url": response.url, "reason": parser.not_article_reason or "unknown"})
                if TRUNCATED_FLAG in response.flags:  # the replayed input lost it: the run says damaged-input
                    self._note_cut_short_input(response)
                return
            stats.inc_value(f"newscrawl/not_article_by_parser/{parser_class.name}")
            reason = parser.not_article_reason or "unknown"
            stats.inc_value(f"newscrawl/not_article/{reason}")
            logger.info("Not an article page, no item: %(url)s (%(reason)s)", {"url": response.url, "reason": reason})
            return
        stats.inc_value("newscrawl/pages/article")
        if parser.page.encoding_repaired:  # the page's bytes and its declared encoding disagreed (parsers/base.py)
            article.quality.append("encoding_repaired")
        if incomplete:
            article.quality.append("body_truncated")
        if URL_FROM_PATH_FLAG in response.flags and host_of(article.url) == host_of(response.url):
            article.quality.append("url_from_path")  # its host (and scheme) came from a mirror's folder names
        if not article.outlet:  # a saved page without a URL: name the outlet after its host, else its folder
            article.outlet = host_of(response.url) or self._replayed_folder_name()
        article.provenance = self.provenance(response, parser_class)
        yield article

    def _replayed_folder_name(self) -> str:
        """The name of the folder replayed as the user knows it: a ZIP's own (``pages.zip``), as a folder of that
        name would be, never its cache folder's (``unpacked-…``, another on each machine)."""
        if self.replay_path is None:
            return ""
        return Path(given_place(str(self.replay_path.resolve()))).name

    def _note_cut_short_input(self, response: Response) -> None:
        """A damaged input: an archived record cut short before its article; its file named as the archive's own
        problems name theirs (the path given), where the record's file name finds it."""
        archived = archive_ref(response)
        file = archived.file if archived else None
        given = self.replay_path
        if file and given is not None:
            if given.name == file and not given.is_dir():
                file = str(given)
            elif (given / file).is_file():
                file = shown_name(str(given / file))  # a WACZ's WARC as X.wacz/archive/…, not the cache folder
        self.note_damaged_input(file, archived.offset if archived else None, "truncated",
                                f"the record of {response.url} is cut short before an article could be read")

    def provenance(self, response: Response, parser_class: type[ArticleParser]) -> Provenance:
        key = response.meta.get(META_KEY, response.url)
        return response_provenance(response, spider=self.name, crawl_id=self.crawl_id, parser=parser_class.name,
                                   parser_version=parser_class.version,
                                   discovery=known_when_fetched(
                                       self.own_archive_route(self.held.sorted_trail(key), response),
                                       response.meta.get(META_FETCHED_AT)))
