"""The item schema: one Article per news story, with the facts of its fetch in Provenance.

Every field carries a docstring; `docs/schema.md` is generated from them (`python -m newscrawl.schema`) and a
test fails when the two drift apart. Dates are ISO 8601 *strings*, so every feed format (JSON, CSV, XML) writes
the same value.

One idea, kept whole: the item schema, every class an item is made of and its round trip to plain data, so that
the schema page generated from it reads as one document.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any


QUALITY_FLAGS: dict[str, str] = {
    "no_title": "the page shows no headline the parser could find; title is \"\"",
    "no_date": "no publication date on the page; published_at is null",
    "date_day_only": "the page gives the publication day only; published_at is \"YYYY-MM-DD\"",
    "date_no_timezone": "the page gives a time without a UTC offset and the parser does not know the outlet's zone; "
                        "published_at is naive (\"YYYY-MM-DDTHH:MM:SS\")",
    "date_malformed": "the publication date found is not ISO 8601; published_at is null (the value is logged)",
    "modified_malformed": "the update date found is not ISO 8601; modified_at is null (the value is logged)",
    "no_url": "the page has no http(s) URL (a saved page without .url sidecar, canonical link or og:url, in no folder "
              "named after its host); url is its file:// URL",
    "url_from_path": "the URL was rebuilt from the mirror folder's names (HOST/PATH, as wget, HTTrack and the Wayback "
                     "Machine downloaders save pages): its scheme, a directory's trailing slash and a change wget made "
                     "to the file's name that the page does not settle (an added .html, @ for ?) are guesses",
    "no_author": "nobody is credited: byline null and authors empty",
    "image_url_invalid": "the lead image URL was not absolute http(s); image_url is null",
    "markup_removed": "a text field held working HTML markup (tags with attributes, elements, comments); the markup "
                      "was removed and its text kept",
    "encoding_repaired": "the page's bytes were not valid in the encoding it declares; invalid sequences were "
                         "replaced",
    "body_shrunk": "a revision whose body is less than half of the previous revision's (a paywall, a consent wall or a "
                   "layout change?); the earlier revisions keep the whole text",
    "body_truncated": "the page's bytes are known to be cut short (its archive record says so, or holds less than the "
                      "response's Content-Length, or its archive file ends inside it; or the live response ended "
                      "early): text past the cut is missing",
    "canonical_of_another": "the page's canonical link names the URL of another article (a template's slip: one link "
                            "on many pages); url is the page's own address, provenance.canonical_url the link",
    "live_updates_incomplete": "a live blog whose updates could not all be read (an update page failed, was not JSON, "
                               "or is missing from the replayed archive; or the page cap was reached): live_updates "
                               "holds those read before",
}
"""Every flag an item's `quality` list may hold, and what it means (docs/schema.md shows this table)."""


@dataclass(frozen=True)
class ArchiveRef:
    """Where the response an item was parsed from sits in a WARC file (or which saved page it was)."""

    file: str
    """WARC (or ARC) file name (unique per run: "<crawl id>[-NNNNN].warc.gz"); `newscrawl verify` finds it next to
    the feed, under output/, or under --archive. A name, not a path, so live and replayed items agree wherever the
    archive has moved; in a replay of a folder where two WARCs bear the same name (two runs' "site.warc.gz"), its
    path relative to the replayed folder ("run2/site.warc.gz"). For a saved page: its path relative to the
    replayed folder."""
    record_id: str
    """WARC-Record-ID of the `response` (or `resource`) record, e.g. "<urn:uuid:…>"; "<urn:arc:FILE:OFFSET>" for an
    ARC record; for a saved page "urn:sha256:<hex>", the SHA-256 of its (decompressed) bytes."""
    offset: int
    """Byte offset of the response record in the (compressed) file; 0 for a saved page."""


@dataclass(kw_only=True)
class Discovery:
    """One way the crawler found an article URL, and what that source claimed about it."""

    via: str
    """Route: "news-sitemap", "sitemap", "rss", "listing", "api", "urls-arg", "link", or "archive" (a replay found the
    page in the archive, where no replayed discovery route reached it)."""
    source_url: str | None = None
    """URL of the sitemap/listing/API page that named the article (null for -a urls); for "archive" the WARC file's
    name or the saved page's path in the folder, with the record id in `claims`."""
    position: int | None = None
    """0-based place of the entry in that source, counting every entry the source lists, those the crawl does not
    follow too, so it says where the source put the article whichever entries a crawler version reads: a sitemap's
    `<url>`, a feed's item, an API row, a listing page's story card (a page without cards, and a home page: its
    distinct links), the URL's place in the `-a urls` list; for "archive", the record's place in the archive."""
    seen_at: str | None = None
    """UTC ISO time the source was fetched (the run's start for -a urls); archived time in replays."""
    claims: dict[str, Any] = field(default_factory=dict)
    """What the source said about the article (title, dates, label, …), verbatim."""


@dataclass(kw_only=True)
class Discrepancy:
    """A discovery source said one thing about an article, its page another."""

    field: str
    """Article field compared: "title", "published_at", "modified_at" or "language"."""
    via: str
    """Route of the source that made the claim ("declared": the page's own language claim)."""
    source_url: str | None
    """The sitemap/listing/API page that made it."""
    claimed: str
    """What the source said, verbatim."""
    found: str | None
    """What the page says (the item's value)."""


@dataclass(kw_only=True)
class FetchedPage:
    """A response an item was read from besides its page (a live blog's update pages)."""

    url: str
    """URL that answered (after redirects)."""
    fetched_at: str
    """UTC ISO 8601 time the response arrived (the archived time in replay mode)."""
    body_sha256: str
    """SHA-256 (hex) of the response body as read: de-chunked and content-decoded."""
    archive: ArchiveRef | None = None
    """The WARC response record (or saved page) it was read from (null when capture is off)."""


@dataclass(kw_only=True)
class Provenance:
    """Facts about the fetch; set by ProvenancePipeline, never by parsers."""

    request_url: str
    """URL the crawler asked for (before redirects)."""
    response_url: str
    """URL that answered (after redirects)."""
    canonical_url: str | None = None
    """The page's own canonical link, as written in the page."""
    status: int
    """HTTP status of the response."""
    fetched_at: str
    """UTC ISO 8601 time the response arrived (the archived time in replay mode)."""
    headers: dict[str, str | None] = field(default_factory=dict)
    """Response headers that matter for audits: etag, last_modified, content_type, date."""
    body_sha256: str
    """SHA-256 (hex) of the response body as the parser saw it: de-chunked and content-decoded."""
    spider: str
    """Name of the spider that fetched it."""
    crawl_id: str
    """One id per run, e.g. "20250321T133705Z-1a2b3c"; derived from the archive in replay mode."""
    parser: str
    """Name of the parser that extracted the item (e.g. "devdiscourse")."""
    parser_version: str
    """Version of that parser; bumped whenever its output changes for the same HTML."""
    mode: str = "live"
    """"live" for a network fetch, "replay" for an archived or saved response."""
    archive: ArchiveRef | None = None
    """The WARC response record the item was parsed from (null when capture is off)."""
    discovery: list[Discovery] = field(default_factory=list)
    """Every route that led to the URL in this run, sorted by route, source and position."""
    discrepancies: list[Discrepancy] = field(default_factory=list)
    """Where a discovery source's claim disagrees with the page (title, dates beyond a tolerance)."""
    live_update_pages: list[FetchedPage] = field(default_factory=list)
    """A live blog's update pages, in the order read: the responses `live_updates` was read from, each checked by
    `newscrawl verify` as the page is. Empty for every other article."""


@dataclass(kw_only=True)
class LiveUpdate:
    """One update of a live blog, as the outlet's update feed gives it (Devdiscourse: the GetSubBlogs JSON)."""

    id: str
    """The outlet's own id of the update, as a string (Devdiscourse: LiveBlogs.Id; the page anchors it as
    "#post_{id}")."""
    title: str | None = None
    """Headline of the update, plain text, or null."""
    text: str
    """Text of the update, cleaned like `body`: one paragraph per block, joined by a blank line; notes moved to the
    article's editorial_note and credit_line. May be "" for an update that is only a headline or an image."""
    image_url: str | None = None
    """Absolute URL of the update's image (the original, not a resized copy), or null."""
    image_credit: str | None = None
    """Who the update's image is credited to (text after "Image Credit:"), or null."""
    published_at: str | None = None
    """When the update was posted, ISO 8601 in the outlet's offset like the article's dates (Devdiscourse: the feed's
    UTC time shown in IST, e.g. "2025-03-21T19:07:12+05:30"); null when the feed gives none."""


@dataclass(kw_only=True)
class Article:
    """A news article as the outlet published it, cleaned of page furniture."""

    url: str
    """Canonical article URL (rel=canonical, else og:url, else the response URL), no tracking parameters or fragment.
    A canonical on another site (a syndicated copy naming its original) is not taken: the copy keeps its own URL and
    outlet, provenance.canonical_url shows the link, and story_id joins the copies. A canonical already naming
    another article with another headline and body (one link on many pages) is not taken either: the page's own
    address, flagged canonical_of_another."""
    outlet: str
    """Outlet name, the same as its parser module and spider, e.g. "devdiscourse"."""
    outlet_id: str | None = None
    """The outlet's own article id (Devdiscourse: NewsId), as a string."""
    label: str | None = None
    """The outlet's label/section slug from the URL (Devdiscourse NewsLabels), null for none."""
    title: str
    """Headline as shown, plain text."""
    subtitle: str | None = None
    """Standfirst/dek, or null."""
    body: str
    """Article text only: one paragraph per block (p, heading, list item, quote, table row), joined by a blank
    line. Attribution and disclaimer notes are moved to their own fields. For a live blog: the text of its page
    (the introduction); its updates are in live_updates, not here."""
    live_updates: list[LiveUpdate] = field(default_factory=list)
    """A live blog's updates, newest first as the outlet lists them, each read from the outlet's update feed (fetched
    after the page, archived and replayed with it); empty for every other article. When not every update could be
    read, those read are kept and `quality` says live_updates_incomplete."""
    published_at: str | None = None
    """First publication, ISO 8601 with the offset the site means, e.g. "2025-03-21T19:07:12+05:30". With the
    precision the page gives: "2025-03-21" when it shows only the day, a time without offset when it gives no zone
    and the parser does not know the outlet's (flagged in `quality`); null when the page shows no date."""
    modified_at: str | None = None
    """Last update, same format as published_at."""
    byline: str | None = None
    """Who the page credits, as shown ("Devdiscourse News Desk", "Reuters", an author's name)."""
    authors: list[str] = field(default_factory=list)
    """People who wrote the story; empty for desks and wire services."""
    dateline: str | None = None
    """City the story was filed from, as shown (e.g. "Seoul"), or null."""
    agencies: list[str] = field(default_factory=list)
    """Wire agencies that fed the story, normalised ("Reuters", "PTI"), in order of first mention."""
    with_inputs_from_agencies: bool = False
    """True when the page says the story was written "with inputs from" agencies."""
    syndicated: bool = False
    """True when the story is auto-generated from a syndicated wire feed (not edited by the outlet)."""
    editorial_note: str | None = None
    """The disclaimer/attribution sentences removed from the body, in page order, joined by a space."""
    credit_line: str | None = None
    """Wire credit line removed from the body, e.g. "(Reporting by …; Editing by …)", or null."""
    image_url: str | None = None
    """Absolute URL of the lead image (the original, not a resized copy), or null."""
    image_caption: str | None = None
    """Caption of the lead image, without credit or AI disclaimer, or null."""
    image_credit: str | None = None
    """Who the image is credited to (text after "Image Credit:"), or null."""
    image_disclaimer: str | None = None
    """The AI-generated-image disclaimer sentence, when the page shows one."""
    ai_generated_image: bool = False
    """True when the page says the lead image is AI-generated."""
    country: str | None = None
    """Countries the story is about, joined by ", " (e.g. "South Korea"), or null."""
    countries: list[str] = field(default_factory=list)
    """The same countries as a list."""
    sector: str | None = None
    """The outlet's sector/section name as shown (e.g. "Politics"), or null."""
    tags: list[str] = field(default_factory=list)
    """Keywords the outlet attached to the story."""
    related: list[str] = field(default_factory=list)
    """Links the editors promoted inside the story ("Also Read: …" paragraphs, taken out of the body), absolute, in
    page order; empty when none."""
    article_type: str = "news"
    """"news", "live-blog", "press-release", or a blog kind ("opinion", "interview", "blog", "column", …)."""
    language: str | None = None
    """Language of the text, ISO 639-1 (e.g. "en"), detected from title and body by LanguagePipeline; the declared
    language's primary subtag when the text is too short or mixed to tell. Parser output holds the page's claim
    here; the pipeline moves that to declared_language."""
    declared_language: str | None = None
    """The language the page claims (BCP 47 from <html lang>, meta or JSON-LD inLanguage), as written, e.g.
    "en-US"; a disagreement with `language` is recorded in provenance.discrepancies."""
    view: str = "desktop"
    """Which rendering of the page was parsed: "desktop", "amp" or "mobile"."""
    revision: int | None = None
    """1 for the first version emitted, 2, 3… when the outlet edited it; null when crawl state is off."""
    previous_body_sha256: str | None = None
    """For a revision ≥ 2: provenance.body_sha256 of the previous revision (find its archive record by it)."""
    changed_fields: list[str] = field(default_factory=list)
    """For a revision ≥ 2: the content fields that differ from the previous revision."""
    paywalled: bool | None = None
    """True when the page marks the story as not free (JSON-LD isAccessibleForFree=false; the body then holds
    only the visible teaser), false when it marks it free, null when the page does not say."""
    story_id: str | None = None
    """Shared by near-duplicate copies of one story (the same wire copy on several outlets): the canonical URL of
    the copy processed first, in this run or (with a crawl state) an earlier one; a replay, which starts from an
    empty state, may name another copy of the same group. Null when lineage is off."""
    quality: list[str] = field(default_factory=list)
    """What is missing or imprecise in this item, one flag per defect ("no_date", "date_day_only",
    "date_no_timezone", "no_url", "no_author", …; the table in docs/schema.md says what each means). Empty for an
    item with every field in its documented form. Set by ValidationPipeline."""
    provenance: Provenance | None = None
    """Facts of the fetch; set by ProvenancePipeline, null in parser output."""


def article_from_plain(data: dict[str, Any]) -> Article:
    """The Article whose plain_data is `data` (an item carried through a JSON-only request queue, e.g. Redis)."""
    values = dict(data)
    values["live_updates"] = [LiveUpdate(**update) for update in values.get("live_updates") or []]
    provenance = values.get("provenance")
    if isinstance(provenance, dict):
        facts = dict(provenance)
        archive = facts.get("archive")
        facts["archive"] = ArchiveRef(**archive) if isinstance(archive, dict) else None
        facts["discovery"] = [Discovery(**found) for found in facts.get("discovery") or []]
        facts["discrepancies"] = [Discrepancy(**one) for one in facts.get("discrepancies") or []]
        facts["live_update_pages"] = [fetched_page_from_plain(page) for page in facts.get("live_update_pages") or []]
        values["provenance"] = Provenance(**facts)
    return Article(**values)


def fetched_page_from_plain(data: dict[str, Any]) -> FetchedPage:
    """The FetchedPage whose plain_data is `data`."""
    archive = data.get("archive")
    return FetchedPage(**{**data, "archive": ArchiveRef(**archive) if isinstance(archive, dict) else None})


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def plain_data(value: Any) -> Any:
    """`value` with every nested dataclass made a dict (in field order), lists and dicts rebuilt around them; other
    values as they are. JSON-equal to dataclasses.asdict and to Scrapy's feed encoding of an item, at a fraction of
    their cost (no deep copies of strings, no "is this an item?" question to every adapter per value), so the feed
    and the crawl state serialise an Article the same way, once each.
    """
    kind = type(value)
    if kind is str or value is None or kind is int or kind is bool or kind is float:
        return value
    if kind is list:
        return [plain_data(inner) for inner in value]
    if kind is dict:
        return {key: plain_data(inner) for key, inner in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        names = _FIELD_NAMES.get(kind)
        if names is None:
            names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(value))
        return {name: plain_data(getattr(value, name)) for name in names}
    return value
