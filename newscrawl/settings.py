"""Scrapy settings for newscrawl, grouped by concern. Custom settings are NEWSCRAWL_*; each non-default value says why."""

from newscrawl import __version__

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["newscrawl.spiders"]
NEWSPIDER_MODULE = "newscrawl.spiders"
# Our `crawl` checks -a arguments before the crawl starts, so a typo is one line and exit code 2, not a traceback.
COMMANDS_MODULE = "newscrawl.commands"

# ---- politeness -----------------------------------------------------------------------------------------------
# Honest and contactable, and deliberately without the substring "bot": Devdiscourse serves crawlers whose UA
# contains "bot" a page without the agency notes ("With inputs from agencies", the syndicated-feed disclaimer),
# which are exactly the attribution facts we exist to record (STRUCTURE.md §2.8). See README, "User-Agent".
USER_AGENT = f"newscrawl/{__version__} (news archiving crawler; +https://github.com/newscrawl/newscrawl)"
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0  # news sites are not CDNs; two requests in flight per site is plenty
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# Scrapy's downloader, holding CONCURRENT_REQUESTS_PER_DOMAIN when requests reach a site in a burst (politeness.py)
DOWNLOADER = "newscrawl.politeness.SlotLimitedDownloader"
DOWNLOAD_TIMEOUT = 30  # a slow article is retried later rather than holding a slot for Scrapy's default 180 s
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024  # a 20 MB article page is already absurd; larger bodies are dropped
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2  # STRUCTURE.md §5: do not retry a 500 article more than once or twice (fetch.py: once)
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# Every request has an errback that names its failure in one line, and an article gone (HTTP 500 on every try) is
# not even a failure (spiders/failures.py): Scrapy's own "Gave up retrying" ERROR line only said it twice.
RETRY_GIVE_UP_LOG_LEVEL = "DEBUG"
# Every pipeline is synchronous, so processing a callback's outputs in parallel gains nothing, and Scrapy 2.19
# starts CONCURRENT_ITEMS asyncio tasks for every response however few outputs it has: at the default 100 that was
# a third of a replay's CPU time (a 1,000-page replay: 10.9 s → 6.6 s). Raise it only for a
# pipeline that awaits I/O.
CONCURRENT_ITEMS = 1
# Scrapy re-reads and re-parses the source of a generator callback (inspect.getsource + ast) for every response to
# warn about `return value` in it: its cache is keyed by the bound method, which is new on every request, so it never
# hits (~5 % of a live crawl's CPU). tests/test_spider_callbacks.py runs the same check once over our spiders instead.
WARN_ON_GENERATOR_RETURN_VALUE = False
COOKIES_ENABLED = False  # Devdiscourse's Edition cookie changes sidebars only; crawl as a fresh visitor
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,application/json;q=0.8,*/*;q=0.5",
    "Accept-Language": "en",
}
REDIRECT_MAX_TIMES = 10

# ---- downloader middlewares -------------------------------------------------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    # Outermost, so they see each exchange as the server sent it (before decompression, redirects, retries):
    "newscrawl.archive.capture.WarcCaptureMiddleware": 950,  # writes request+response records to WARC
    "newscrawl.fetch.FetchTimeMiddleware": 955,  # stamps arrival time on live responses
    "newscrawl.archive.replay.ReplayMiddleware": 960,  # answers from the archive instead of the network
    # Sees each response before RetryMiddleware (550) retries it: Crawl-delay, Retry-After, backoff on 5xx bursts
    "newscrawl.politeness.PolitenessMiddleware": 560,
    # Scrapy's robots.txt check at Scrapy's place, applied to every request that waited for robots.txt: Scrapy
    # 2.14-2.19 let all but the first two through unchecked (politeness.py)
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "newscrawl.politeness.RobotsTxtMiddleware": 100,
    # Scrapy's retries at Scrapy's place, an article page answering 500 retried once (STRUCTURE.md §5; fetch.py)
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newscrawl.fetch.RetryMiddleware": 550,
    # Scrapy's meta-refresh redirects at Scrapy's place, without decoding every page to find none (fetch.py)
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "newscrawl.fetch.MetaRefreshMiddleware": 580,
}

# ---- item pipelines ---------------------------------------------------------------------------------------------
ITEM_PIPELINES = {
    "newscrawl.pipelines.boilerplate.BoilerplatePipeline": 100,  # notes out of the body first: others read fields
    "newscrawl.pipelines.attribution.AttributionPipeline": 200,  # agencies from byline, dateline and the notes
    "newscrawl.pipelines.provenance.ProvenancePipeline": 300,  # fetch facts complete before validation
    "newscrawl.pipelines.discrepancies.DiscrepancyPipeline": 320,  # discovery claims vs the page
    "newscrawl.pipelines.language.LanguagePipeline": 330,  # language of the text; after 320, which resets discrepancies
    "newscrawl.monitoring.coverage.CoveragePipeline": 350,  # coverage before validation drops broken items
    "newscrawl.pipelines.validation.ValidationPipeline": 400,  # quality flags; drops only bodiless or markup items
    "newscrawl.pipelines.dedup.DedupPipeline": 420,  # only valid items claim their URL; lineage sees the final one
    "newscrawl.pipelines.lineage.LineagePipeline": 450,  # story_id for copies of one wire story; one item per URL
    "newscrawl.pipelines.revisions.RevisionPipeline": 600,  # last: numbers what is really emitted, drops unchanged
}

# ---- feeds --------------------------------------------------------------------------------------------------------
# One JSON Lines file per run; %(feed_name)s is the crawl id ("<crawl id>.replay" for replays, so a replay never
# overwrites the live run's feed). -o/-O on the command line add feeds beside it: the crawl state and the run report
# name this one as the run's feed.
FEEDS = {
    "output/%(name)s/%(feed_name)s.jsonl": {"format": "jsonlines", "encoding": "utf-8", "overwrite": True},
}
FEED_EXPORT_ENCODING = "utf-8"
# Hostile input (docs/security.md): a headline like =HYPERLINK(…) must not become a live formula when an analyst
# opens `-o items.csv` in a spreadsheet. Our CSV exporter prefixes such cells with an apostrophe.
FEED_EXPORTERS = {
    "csv": "newscrawl.exporters.SafeCsvItemExporter",
    # Nested values as JSON text, not Python reprs (docs/output.md).
    "xml": "newscrawl.exporters.FlatXmlItemExporter",
    # Columnar feed with a fixed Arrow schema generated from items.py (docs/output.md).
    "parquet": "newscrawl.parquetfeed.ParquetFeedExporter",  # loads pyarrow only when a Parquet feed is made
    # Scrapy's JSON Lines bytes, each item serialised once however many feeds take it (docs/output.md).
    "jsonlines": "newscrawl.exporters.SerialiseOnceJsonLinesItemExporter",
    "jsonl": "newscrawl.exporters.SerialiseOnceJsonLinesItemExporter",
}
FEED_STORE_EMPTY = True  # an empty feed says "the run found nothing", a missing one says "the run broke"

# ---- archive (WARC capture and replay) --------------------------------------------------------------------------
NEWSCRAWL_ARCHIVE_ENABLED = True
NEWSCRAWL_ARCHIVE_DIR = "output"  # files go to <dir>/<spider>/<crawl_id>.warc.gz
NEWSCRAWL_ARCHIVE_MAX_BYTES = 512 * 1024 * 1024  # rotate: keeps files under common upload/storage limits
NEWSCRAWL_ARCHIVE_INDEX_CACHE = True  # keep a replayed archive's index for the next replay (docs/archive.md)
# A replayed WACZ, ZIP or tar file (alone or in a folder, with every archive nested in it) unpacks to at most
# NEWSCRAWL_UNPACK_MAX_RATIO times its size, and may always to NEWSCRAWL_UNPACK_MIN_BYTES; a member past that is
# refused as a decompression bomb (archive/budget.py; docs/archive.md). Pages and WARCs compress 3-20 times, bombs
# thousands. Archives inside archives are unpacked NEWSCRAWL_UNPACK_MAX_DEPTH levels deep (the one given is level 1;
# archive/nested.py): deeper is no delivery anyone packs on purpose. `newscrawl verify` and `reparse` unpack by the
# values set here, or by the ones their -s gives (as a crawl's -s does).
NEWSCRAWL_UNPACK_MAX_RATIO = 100
NEWSCRAWL_UNPACK_MIN_BYTES = 1024 * 1024 * 1024
NEWSCRAWL_UNPACK_MAX_DEPTH = 3

# ---- live blogs ----------------------------------------------------------------------------------------------------
# A live blog's updates are JSON pages fetched after its page (newscrawl/spiders/liveblog.py), 10 updates each; a
# blog with more pages than this is emitted with the newest ones, flagged live_updates_incomplete (0: none fetched).
NEWSCRAWL_LIVE_BLOG_MAX_PAGES = 30

# ---- crawl state (incremental runs, revisions) --------------------------------------------------------------------
NEWSCRAWL_STATE_ENABLED = True
NEWSCRAWL_STATE_DIR = "output/state"  # one SQLite file per spider: <dir>/<spider>.sqlite
# An article page found gone (HTTP 500 on every try) is not asked again for NEWSCRAWL_GONE_RETRY_HOURS, then that
# times NEWSCRAWL_GONE_RETRY_FACTOR for each later run that finds it gone, at most NEWSCRAWL_GONE_RETRY_MAX_HOURS, and
# is forgotten once no run found it gone for NEWSCRAWL_GONE_KEPT_DAYS (state/gone.py; docs/scheduling.md). These are the
# defaults: a cached sitemap naming it costs a request an hour at first, and a late publication is found within a day.
NEWSCRAWL_GONE_RETRY_HOURS = 1
NEWSCRAWL_GONE_RETRY_FACTOR = 2
NEWSCRAWL_GONE_RETRY_MAX_HOURS = 24
NEWSCRAWL_GONE_KEPT_DAYS = 30

# ---- monitoring (run report, layout-drift alarm) ------------------------------------------------------------------
SPIDER_MIDDLEWARES = {
    "newscrawl.monitoring.scratch.ScratchSpaceSpiderMiddleware": 950,  # a full scratch folder: the guard's line only
}
EXTENSIONS = {
    "newscrawl.monitoring.report.RunReport": 500,  # its spider_closed runs first: the verdict candidates need
    "newscrawl.monitoring.candidates.FixtureCandidates": 510,  # broken pages become test fixtures
    "newscrawl.monitoring.progress.Progress": 520,  # fetched/total, items, drops, errors, rate, ETA
    "newscrawl.parallel.recorder.ShardRecorder": 530,  # only in a process of a parallel replay (-a jobs=N)
    "newscrawl.monitoring.heap.HeapTuning": 540,  # start-up heap frozen, fewer young GC passes (NEWSCRAWL_GC_TUNING)
    "newscrawl.monitoring.scratch.ScratchSpaceGuard": 550,  # a full scratch folder stops the run in one line
    "newscrawl.monitoring.scratch.DiskFullGuard": 560,  # so does a full disk met by a pipeline or a callback
}
# Scrapy's stats, without the argument check Scrapy 2.19 wraps around every read of the stats object (stats.py).
STATS_CLASS = "newscrawl.monitoring.stats.PlainStatsCollector"
NEWSCRAWL_PROGRESS_INTERVAL = 30  # seconds between progress lines in the log (0: off); live on a terminal too
NEWSCRAWL_REPORT_DIR = "output"  # reports go to <dir>/<spider>/<crawl id>.report.json
NEWSCRAWL_DRIFT_MIN_ARTICLES = 10  # below this, only total loss of a required field counts as drift
# More failed fetches than this (and at least 3) fails the run; articles gone (HTTP 500 on every try) count only
# when server errors were most of what the site answered (monitoring/report.py)
NEWSCRAWL_MAX_FAILURE_RATIO = 0.25

# ---- distributed crawling (README, "Distributed crawling"; newscrawl/distributed/) --------------------------------
# Off unless a Redis URL is given: `-s REDIS_URL=redis://host:6379/0` or the environment variable NEWSCRAWL_REDIS_URL.
# The add-on then swaps in scrapy-redis's scheduler and dupefilter (adapted), per-worker feed/WARC names and the crawl
# state in Redis; without a URL it changes nothing. Needs `pip install 'newscrawl[distributed]'`.
# Before it, the add-on that makes the run's duplicate filter keep its fingerprints on disk (newscrawl/state/seen.py;
# an add-on, not DUPEFILTER_CLASS here, so that a DUPEFILTER_CLASS of yours, or distributed mode's, still wins).
ADDONS = {"newscrawl.state.seen.SeenRequestsAddon": 0, "newscrawl.distributed.addon.DistributedAddon": 10}
NEWSCRAWL_DISTRIBUTED_IDLE_TIMEOUT = 60  # seconds a worker waits on a drained run before it stops (0: wait forever)
NEWSCRAWL_DISTRIBUTED_HEARTBEAT = 2  # seconds between heartbeats; also how soon an idle worker sees new work
NEWSCRAWL_DISTRIBUTED_LEASE_TIMEOUT = 30  # a worker silent this long is dead: its requests go back to the queue
# NEWSCRAWL_WORKER_ID = "crawler-1"  # default <host>-<pid>; names the worker's feed and WARC (<run>-<worker>.…)

# ---- logging and misc -------------------------------------------------------------------------------------------
LOG_LEVEL = "INFO"
# A dropped item is one line (reason and URL), not the item's repr with its whole body.
LOG_FORMATTER = "newscrawl.pipelines.droplog.OneLineLogFormatter"
TELNETCONSOLE_ENABLED = False  # nothing should listen on a port during unattended cron runs
# Scrapy 2.19's remote control is an HTTP server that runs any Python code sent to it: off for the same reason as
# telnet. (No crawl even imports it: components.py.)
REMOTE_CONTROL_ENABLED = False
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
