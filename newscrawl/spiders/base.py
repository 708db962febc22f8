"""What every newscrawl spider shares: -a argument parsing, crawl identity, de-duplicated article requests with
their discovery trail, and the article callback that hands a response to its parser.

Spiders only discover; extraction is the parsers' job and cleaning the pipelines'.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, UsageError
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from newscrawl.distributed import attach_frontier
from newscrawl.extract.urls import is_http_url
from newscrawl.items import ArchiveRef, Article, Discovery, Provenance
from newscrawl.extract.notes import NoteRule
from newscrawl.parsers import ArticleParser, parser_by_name, parser_for_url
from newscrawl.state.incremental import DEFAULT_REVISIT_HOURS, Incremental, newest_claim
from newscrawl.state.recovery import reconcile_killed_runs
from newscrawl.state.store import StateStore

if TYPE_CHECKING:
    from newscrawl.distributed.frontier import Frontier

logger = logging.getLogger(__name__)

META_FETCHED_AT = "newscrawl_fetched_at"
META_ARCHIVE = "newscrawl_archive"
META_MODE = "newscrawl_mode"
META_KEY = "newscrawl_key"


# ---- arguments ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Arg:
    """One -a argument: how to read it and what it means (shown when an argument is wrong)."""

    convert: Callable[[str], Any]
    help: str


def http_url(value: str) -> str:
    value = value.strip()
    if not is_http_url(value):
        raise ValueError(f"{value!r} is not an absolute http(s) URL")
    return value.rstrip("/")


def url_list(value: str) -> list[str]:
    """URL,URL or @file.txt (one URL per line, blank lines and # comments ignored)."""
    if value.startswith("@"):
        path = Path(value[1:])
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as error:
            raise ValueError(f"cannot read URL file {path}: {error.strerror}") from error
        items = [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]
    else:
        items = [part.strip() for part in value.split(",") if part.strip()]
    if not items:
        raise ValueError("no URLs given")
    for item in items:
        if not is_http_url(item):
            raise ValueError(f"{item!r} is not an absolute http(s) URL")
    return items


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise ValueError(f"{value!r} is not a positive whole number")
    return number


def iso_day(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a date in the form YYYY-MM-DD") from None


def existing_path(value: str) -> Path:
    path = Path(value).expanduser()
    if not path.exists():
        raise ValueError(f"{value!r} does not exist")
    return path


def archive_path(value: str) -> Path:
    """An existing replay source: a WARC file, a folder of WARCs, or a folder of saved pages."""
    from newscrawl.archive.replay import ArchiveNotFound, source_kind

    path = existing_path(value)
    try:
        source_kind(path)
    except ArchiveNotFound as error:
        raise ValueError(str(error)) from None
    return path


def flag(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"{value!r} is not a yes/no value (use 1 or 0)")


def choice_list(allowed: tuple[str, ...], what: str) -> Callable[[str], tuple[str, ...]]:
    """A converter for a comma list whose members must come from `allowed`."""
    def convert(value: str) -> tuple[str, ...]:
        names = tuple(part.strip().lower() for part in value.split(",") if part.strip())
        unknown = [name for name in names if name not in allowed]
        if unknown or not names:
            raise ValueError(f"unknown {what}(s) {', '.join(unknown) or '(none given)'}")
        return names
    return convert


def positive_hours(value: str) -> float:
    try:
        hours = float(value)
    except ValueError:
        hours = -1.0
    if hours < 0:
        raise ValueError(f"{value!r} is not a number of hours (0 or more)")
    return hours


COMMON_ARGS: dict[str, Arg] = {
    "full": Arg(flag, "1: fetch every discovered article, ignoring what the crawl state says was seen (default 0)"),
    "revisit_hours": Arg(positive_hours, "revisit articles published less than this many hours ago with a "
                                         "conditional request (default 24)"),
    "urls": Arg(url_list, "fetch exactly these article pages, no discovery: URL,URL or @file.txt"),
    "replay": Arg(archive_path, "answer every request from this archive (.warc/.warc.gz, a folder of them, or a "
                                 "folder of saved HTML pages) instead of the network"),
}


# Arguments schedulers add on their own (scrapyd passes -a _job=<id>); accepted and ignored.
SCHEDULER_ARGS = frozenset({"_job"})


def parse_arguments(spider_name: str, spec: dict[str, Arg], given: dict[str, Any]) -> dict[str, Any]:
    """Convert -a arguments by `spec`; one UsageError naming the argument and the accepted ones otherwise."""
    known = ", ".join(sorted(spec))
    values: dict[str, Any] = {}
    for name, raw in given.items():
        if name in SCHEDULER_ARGS:
            continue
        if name not in spec:
            raise UsageError(f"spider {spider_name!r}: unknown argument {name!r}; accepted arguments: {known}",
                             print_help=False)
        try:
            values[name] = spec[name].convert(str(raw))
        except ValueError as error:
            raise UsageError(f"spider {spider_name!r}: bad value for -a {name}: {error} ({spec[name].help})",
                             print_help=False) from None
    return values


def new_crawl_id(now: datetime) -> str:
    """Sortable, unique run id: UTC start time plus random suffix, e.g. 20250321T133705Z-1a2b3c."""
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


# ---- the spider base -------------------------------------------------------------------------------------------
class NewsSpiderBase(scrapy.Spider):
    """Base of every newscrawl spider. Subclasses add ARGS, discovery in `discover()`, and `article_key()`."""

    ARGS: ClassVar[dict[str, Arg]] = {}
    parser_class: ClassVar[type[ArticleParser] | None] = None
    """The outlet parser for this spider's pages; None → chosen per URL from the registry."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        spec = {**COMMON_ARGS, **self.ARGS}
        self.args = parse_arguments(self.name, spec, kwargs)
        super().__init__(*args)
        self.started_at = datetime.now(timezone.utc)
        self.crawl_id = new_crawl_id(self.started_at)
        self.feed_name = self.crawl_id
        self.mode = "live"
        if self.args.get("replay") is not None:
            from newscrawl.archive.replay import replay_identity

            identity = replay_identity(self.args["replay"])
            self.crawl_id, self.started_at = identity.crawl_id, identity.started_at
            self.feed_name = f"{self.crawl_id}.replay"
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
                                   for k, v in self.args.items() if k != "replay" and k in kwargs}
        self._requested: set[str] = set()
        self._pending: dict[str, Request] = {}
        self.incremental: Incremental | None = None
        self._discoveries: dict[str, list[Discovery]] = {}
        self.frontier: Frontier | None = None
        """The shared Redis frontier in distributed mode (newscrawl/distributed/), None in a single process."""

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpiderBase:
        spider = super().from_crawler(crawler, *args, **kwargs)
        preset = crawler.settings.get("NEWSCRAWL_CRAWL_ID")
        if preset and spider.mode == "live":  # `newscrawl run` names the run so it can find its report
            spider.crawl_id = spider.feed_name = str(preset)
        # Distributed mode hook: with a Redis URL set, join the shared run (crawl id becomes <run>-<worker>).
        spider.frontier = attach_frontier(spider, crawler)
        crawler.signals.connect(spider.release_articles, signal=signals.spider_idle)
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
        if self.frontier is not None:  # distributed mode hook: one state in Redis, shared by every worker
            return self.frontier.incremental(self.started_at, revisit_hours, full)
        path = Path(settings.get("NEWSCRAWL_STATE_DIR", "output/state")) / f"{self.name}.sqlite"
        store = StateStore(path)
        reconcile_killed_runs(store, self.name, self.crawl_id, self.article_key)
        store.start_run(self.crawl_id, self.name, self.started_at.isoformat(), self.default_feed(settings))
        return Incremental(store, now=self.started_at, revisit_hours=revisit_hours, full=full)

    def default_feed(self, settings: Any) -> str | None:
        for uri in settings.getdict("FEEDS"):
            if "%(feed_name)s" in uri:
                return str(uri % {"name": self.name, "feed_name": self.feed_name})
        return None

    def close_state(self, spider: Any = None, reason: str = "finished") -> None:
        assert self.incremental is not None
        # Only a run that finished is marked so. One stopped by an error (archive_write_error on a full disk, …) may
        # have recorded items its feed never got; left "running", the next run reconciles it against its feed like
        # a killed run (state/recovery.py), and those articles are fetched again.
        if reason == "finished":
            self.incremental.store.finish_run(self.crawl_id, datetime.now(timezone.utc).isoformat(), "finished")
        self.incremental.store.close()

    def all_known_unchanged(self, urls: list[str]) -> bool:
        """True when every article of a listing page is known and unchanged: paging further finds only older ones."""
        if self.incremental is None or self.incremental.full or not urls:
            return False
        keys = [self.article_key(url) for url in urls]
        return all(self.incremental.known_unchanged(key, self._discoveries.get(key, [])) for key in keys)

    def change_claim(self, key: str) -> str | None:
        """The newest lastmod-like claim the discovery sources made for this article in this run."""
        return newest_claim(self._discoveries.get(key, []))

    @classmethod
    def argument_help(cls) -> str:
        spec = {**COMMON_ARGS, **cls.ARGS}
        return "\n".join(f"  -a {name}=…  {arg.help}" for name, arg in sorted(spec.items()))

    # ---- start ----------------------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        for request in self.start_requests_list():
            yield request

    def start_requests_list(self) -> Iterable[Request]:
        if self.replay_path is not None:
            from newscrawl.archive.replay import saved_page_urls

            saved = saved_page_urls(self.replay_path)
            if saved is not None:  # a folder of saved pages: every page is an article candidate, no discovery
                for position, url in enumerate(saved):
                    self.article_request(url, Discovery(via="urls-arg", position=position,
                                                             seen_at=self.started_at.isoformat()),
                                         meta={"dont_obey_robotstxt": True})
                return
        if self.urls:
            for position, url in enumerate(self.urls):
                self.article_request(url, Discovery(via="urls-arg", position=position,
                                                    seen_at=self.started_at.isoformat()))
            return
        yield from self.discover()

    def discover(self) -> Iterable[Request]:
        """The spider's discovery requests (sitemaps, listings, APIs)."""
        return ()

    # ---- article requests ---------------------------------------------------------------------------------
    def article_key(self, url: str) -> str:
        """What identifies an article across URL forms; subclasses use the outlet's id (Devdiscourse: NewsId)."""
        return url

    def article_request(self, url: str, discovery: Discovery, meta: dict[str, Any] | None = None) -> None:
        """Note an article candidate; the request itself is made once discovery is over (see release_articles).

        Holding article fetches until every discovery route has answered makes a run reproducible: each article
        is requested once, at the URL of its first route in a fixed order, with its complete discovery trail, so a
        live crawl and the replay of its archive produce the same items. The cost is that article fetching starts
        after discovery (seconds for a sitemap, a few listing pages and API pages).
        """
        key = self.article_key(url)
        self._discoveries.setdefault(key, []).append(discovery)
        if self.frontier is not None:  # distributed mode hook: decided and queued now, for any worker to fetch
            request = Request(url, callback=self.parse_article, errback=self.on_error, meta={**(meta or {}),
                                                                                            META_KEY: key})
            self.frontier.push_article(self, key, discovery, request)
            return
        if key in self._requested or key in self._pending:
            self.crawler.stats.inc_value("newscrawl/discovery/duplicate")
        else:
            self.crawler.stats.inc_value(f"newscrawl/discovery/{discovery.via}")
            self._pending[key] = Request(url, callback=self.parse_article, errback=self.on_error,
                                         meta={**(meta or {}), META_KEY: key})

    @staticmethod
    def seen_at(response: Response) -> str | None:
        """When a discovery source's response arrived (archived time in a replay), for Discovery.seen_at."""
        return response.meta.get(META_FETCHED_AT)

    def release_articles(self) -> None:
        """spider_idle: schedule every pending article, in discovery order; keep the spider open while any are.

        Here the crawl state decides: new or changed articles are fetched, young ones revisited with a conditional
        request, known unchanged ones skipped (counted as newscrawl/incremental/skipped_known). Articles named
        with -a urls are always fetched.
        """
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        ordered = sorted(pending, key=lambda key: min(map(_discovery_order, self._discoveries[key])))
        stats = self.crawler.stats
        for key in ordered:
            request = pending[key]
            self._requested.add(key)
            discoveries = self._discoveries[key]
            if self.incremental is not None and not any(d.via == "urls-arg" for d in discoveries):
                decision = self.incremental.decide(key, discoveries)
                stats.inc_value(f"newscrawl/incremental/{decision.action}/{decision.reason}")
                if decision.action == "skip":
                    continue
                if decision.action == "revisit":
                    headers = {str(k): str(v) for k, v in request.headers.to_unicode_dict().items()}
                    headers.update(decision.headers)
                    request = request.replace(headers=headers,
                                              meta={**request.meta, "handle_httpstatus_list": [304]})
            self.crawler.engine.crawl(request)
        raise DontCloseSpider

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

    def parse_article(self, response: Response) -> Iterable[Article]:
        stats = self.crawler.stats
        stats.inc_value("newscrawl/pages/fetched")
        if self.frontier is not None:  # distributed mode hook: the trail was recorded by whichever worker found it
            key = response.meta.get(META_KEY, response.url)
            self._discoveries[key] = self.frontier.discoveries(key)
        if response.status == 304:  # conditional revisit: unchanged, costs no parse, emits nothing
            stats.inc_value("newscrawl/incremental/not_modified")
            if self.incremental is not None:
                key = response.meta.get(META_KEY, response.url)
                self.incremental.store.touch(key, response.meta.get(META_FETCHED_AT) or "",
                                             self.change_claim(key))
            return
        parser_class = self.parser_for(response)
        if parser_class is None:
            stats.inc_value("newscrawl/pages/no_parser")
            logger.warning("No parser for %(url)s; skipped", {"url": response.url})
            return
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1") or None
        try:
            article = parser_class.from_html(response.body, response.url, content_type).parse()
        except Exception as error:  # a parser bug or a hostile page must not stop the crawl
            stats.inc_value(f"newscrawl/parser_errors/{parser_class.name}/{type(error).__name__}")
            logger.error("Parser %(parser)s failed on %(url)s: %(error)r",
                         {"parser": parser_class.name, "url": response.url, "error": error})
            return
        if article is None:
            stats.inc_value("newscrawl/pages/not_article")
            logger.info("Not an article page, no item: %(url)s", {"url": response.url})
            return
        stats.inc_value("newscrawl/pages/article")
        article.provenance = self.provenance(response, parser_class)
        yield article

    def provenance(self, response: Response, parser_class: type[ArticleParser]) -> Provenance:
        headers = response.headers

        def header(name: str) -> str | None:
            value = headers.get(name)
            return value.decode("latin-1") if value else None

        archive = response.meta.get(META_ARCHIVE)
        key = response.meta.get(META_KEY, response.url)
        return Provenance(
            request_url=(response.meta.get("redirect_urls") or [response.request.url if response.request else
                                                                 response.url])[0],
            response_url=response.url,
            status=response.status,
            fetched_at=response.meta.get(META_FETCHED_AT) or datetime.now(timezone.utc).isoformat(),
            headers={"etag": header("ETag"), "last_modified": header("Last-Modified"),
                     "content_type": header("Content-Type"), "date": header("Date")},
            body_sha256=hashlib.sha256(response.body).hexdigest(),
            spider=self.name,
            crawl_id=self.crawl_id,
            parser=parser_class.name,
            parser_version=parser_class.version,
            mode=response.meta.get(META_MODE, "live"),
            archive=ArchiveRef(**archive) if isinstance(archive, dict) else archive,
            discovery=sorted(self._discoveries.get(key, []), key=_discovery_order),
        )

    # ---- errors ---------------------------------------------------------------------------------------------
    def on_error(self, failure: Failure) -> None:
        """Count and log a failed request by kind; the crawl goes on."""
        request = getattr(failure, "request", None)
        kind = failure.type.__name__ if failure.type else "Unknown"
        response = getattr(failure.value, "response", None)
        if response is not None:
            kind = f"HttpError{response.status}"
        self.crawler.stats.inc_value(f"newscrawl/errors/{kind}")
        logger.warning("Request failed (%(kind)s): %(url)s", {"kind": kind, "url": request.url if request else "?"})

    # Scrapy drops two kinds of redirected request without calling the errback: one back to a URL already requested
    # (the dupefilter: a redirect loop) and one to a host outside allowed_domains (OffsiteMiddleware, at
    # scheduling). Neither is followed, as it should be; these handlers count and name them like other failures, so
    # an article lost to either shows up in the errors of the run report instead of vanishing.
    def redirect_dropped(self, request: Request, spider: Any = None) -> None:
        """request_dropped: the scheduler refused a request (for ours, only a redirect can be a duplicate)."""
        if request.meta.get("redirect_urls"):
            self.on_redirect_not_followed(request, "RedirectLoop")

    def redirect_scheduled(self, request: Request, spider: Any = None) -> None:
        """request_scheduled: a redirect to another host, which OffsiteMiddleware is about to drop."""
        domains = [d.lower() for d in getattr(self, "allowed_domains", None) or []]
        if not request.meta.get("redirect_urls") or not domains or request.dont_filter \
                or request.meta.get("allow_offsite"):
            return
        host = (urlsplit(request.url).hostname or "").lower()  # by host name, as OffsiteMiddleware (ports ignored)
        if not any(host == domain or host.endswith("." + domain) for domain in domains):
            self.on_redirect_not_followed(request, "OffsiteRedirect")

    def on_redirect_not_followed(self, request: Request, kind: str) -> None:
        self.crawler.stats.inc_value(f"newscrawl/errors/{kind}")
        logger.warning("Request failed (%(kind)s): %(url)s, redirected to %(target)s, not followed",
                       {"kind": kind, "url": request.meta["redirect_urls"][0], "target": request.url})


def _discovery_order(discovery: Discovery) -> tuple[str, str, int]:
    # Sorted, not in arrival order: live and replay runs may see discovery responses in a different order.
    return (discovery.via, discovery.source_url or "", discovery.position or 0)
