"""A typed re-implementation of the Devdiscourse server-side templates, for tests.

Everything here is derived from ``shared/devdiscourse/STRUCTURE.md`` (section numbers below refer to it):
the ASP.NET Core Razor views ``Views/Article/Index.cshtml`` (desktop), ``Index.amp.cshtml`` (AMP),
``Mobile.cshtml`` (LiveBlog), the PTI list views, ``RSSController.GoogleNews`` and the search API. The
pages are full documents (head, header, sector nav, sidebar, footer, scripts) so that parsers meet the
same boilerplate they meet on the live site. Nothing here touches the network.

Public API
----------
``NewsSpec``                    one ``DevNews`` row (§4); ``body_blocks`` is a test oracle, not a DB field
``LiveUpdateSpec``              one ``LiveBlogs`` row of a live blog (``NewsSpec.live_updates``, §3.2)
``BodyBlock``                   one block of ``NewsSpec.description_html`` as a reader sees it
``PageContext``                 the links around an article (sidebar, ALSO READ); defaults are seed-like
``slug(news_id, title, cut=130) -> str``                   §1.2 ``GenerateSecondSlug``
``article_path(spec) -> str`` / ``canonical_url(spec) -> str``
``razor(value) -> str``         Razor ``@value`` HTML encoding (non-ASCII → ``&#xE9;``)
``title_case(text) -> str``     .NET ``ToTitleCase`` (labels in ``<title>``, datelines)
``clean_description(html) -> str``  the entity pre-replacement the templates apply to the body
``jsonld_description(html) -> str`` the unquoted desktop JSON-LD ``description`` words (§2.2)
``parse_jsonld_tolerant(block) -> dict``  the documented ``rfind('"description"')`` repair
``net_datetime(dt) -> str``     a UTC DateTime as System.Text.Json prints it (no ``Z``)
``to_ist(dt) -> datetime``      UTC → India Standard Time
``sector_name(ids) -> str | None`` / ``sector_slug(ids) -> str | None``  first sector of a ``Sector`` list
``disclaimer_notes(spec, bot) -> list[str]``   the §2.8 paragraphs the template appends
``render_desktop(spec, *, revision="head", bot=False, server_offset="+05:30", year=2025, context=None) -> str``
``render_amp(spec, *, bot=False, server_offset="+05:30", year=2025) -> str``
``render_mobile(spec, *, bot=False, server_tz_offset="+05:30", year=2025, badges="label-span") -> str``
``render_error_page() -> str``  the 500 page an unknown NewsId produces (§1.2)
``render_listing(kind, items, page=1, *, tag=None, now=None, year=2025) -> str``
                                kind: "pti-stories" | "devdiscourse-stories" | "tag"
``select_pti_stories(specs, now)`` / ``select_devdiscourse_stories(specs)`` / ``select_sitemap(specs, now)``
``render_google_news_sitemap(specs, *, now=None, link_base=SITE, server_offset="+05:30") -> bytes``
``render_get_all_news(specs, page) -> str``   ``/api/Search/GetAllNews/{page}`` JSON
``render_tags_news(specs, tag, page, now) -> str``  ``/api/Search/GetTagsNews/{tag}/{edition}/{page}`` JSON
``render_sub_blogs(spec, page) -> str``       ``/api/Search/GetSubBlogs/{newsId}/{page}`` JSON (a live blog's updates)
``render_robots_txt() -> str``
``news_guid(news_id) -> str``   the deterministic ``Id`` Guid used for ``/Home/Detail?id=`` and the JSON API

Rendered pages are ``str``; serve them as UTF-8 (``.encode("utf-8")``), as the site does.
"""

from __future__ import annotations

import json
import math
import random
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Literal
from urllib.parse import quote_plus

SITE = "https://www.devdiscourse.com"
IST = timezone(timedelta(hours=5, minutes=30))

SYNDICATED_NOTE = (
    "(This story has not been edited by Devdiscourse staff and is auto-generated from a syndicated feed.)"
)
AGENCIES_NOTE = "(With inputs from agencies.)"
BLOG_DISCLAIMER = (
    "Disclaimer: The opinions expressed are the personal views of the author. The facts and opinions "
    "appearing in the article do not reflect the views of Devdiscourse and Devdiscourse does not claim any "
    "responsibility for the same."
)
AI_IMAGE_CAPTION = (
    "This image is AI-generated and does not depict any real-life event or location. It is a fictional "
    "representation created for illustrative purposes only."
)
PLACEHOLDER_IMAGES = ("/images/newstheme.jpg", "/images/defaultImage.jpg", "/images/sector/all_sectors.jpg")
# §2.8: the wires whose Source triggers the template's own disclaimer paragraph.
TEMPLATE_WIRES = ("Reuters", "PTI", "IANS", "ANI")

# §1.3: sector id → (name as shown, slug). 8 and 16 are hidden on the site, so not listed.
SECTORS: dict[str, tuple[str, str]] = {
    "1": ("Economy & Business", "economy-business"),
    "2": ("Health", "health"),
    "3": ("Transport", "transport"),
    "4": ("Education", "education"),
    "6": ("Technology", "technology"),
    "7": ("Energy & Extractives", "energy-extractives"),
    "9": ("Social & Gender", "socialgender"),
    "10": ("Agro-Forestry", "agro-forestry"),
    "11": ("Law & Governance", "law-governance"),
    "12": ("WASH", "wash"),
    "14": ("Art & Culture", "art-culture"),
    "15": ("Science & Environment", "science-environment"),
    "17": ("Urban Development", "urban-development"),
    "18": ("Sports", "sports"),
    "19": ("Politics", "politics"),
}
# Order of the `_Layout.cshtml` sector nav (§1.3 "Sector slugs").
_NAV_SECTORS = ("10", "14", "6", "1", "4", "7", "19", "11", "2", "15", "9", "18", "3", "17", "12")
EDITIONS: tuple[tuple[str, str], ...] = (
    ("Global Edition", "/"), ("South Asia", "/south-asia"), ("East and South East Asia", "/south-east-asia"),
    ("Pacific", "/pacific"), ("Europe and Central Asia", "/europe-central-asia"),
    ("Central Africa", "/central-africa"), ("East Africa", "/east-africa"),
    ("Southern Africa", "/southern-africa"), ("West Africa", "/west-africa"),
    ("Middle East and North Africa", "/middle-east-north-africa"),
    ("Latin America and Caribbean", "/latin-america"), ("North America", "/north-america"),
)
# §2.4 byline row: Source → list page the byline links to (anything else → /news-source/{Source}).
SOURCE_LINKS: dict[str, str] = {
    "PTI": "/pti-stories",
    "Reuters": "/reuters-stories",
    "IANS": "/ians-stories",
    "UN News": "/un-news",
    "Devdiscourse News Desk": "/devdiscourse-stories",
    "ANI": "/ani-stories",
    "PR Newswire": "/pr-newswire",
}

Revision = Literal["head", "a3af7e3"]
ListingKind = Literal["pti-stories", "devdiscourse-stories", "tag"]


@dataclass(frozen=True)
class BodyBlock:
    """One block of the stored body as a reader sees it (test oracle for expected parser output).

    ``role`` says what a cleaning parser does with it: ``text`` stays in the body, ``note`` is an
    editorial/attribution note (moved to ``editorial_note``), ``credit`` is a Reuters-style
    "(Reporting by …)" line (moved to ``credit_line``). Empty ``text`` means "renders as nothing".
    """

    text: str
    role: Literal["text", "note", "credit"] = "text"


@dataclass(kw_only=True)
class LiveUpdateSpec:
    """One ``LiveBlogs`` row (§3.2, §4: ``ParentId`` = the live blog's NewsId); datetimes are UTC."""

    id: int
    title: str
    description_html: str
    """Editor HTML, as the JSON's ``description`` carries it."""
    created_on: datetime
    image_url: str | None = None
    image_copyright: str | None = None
    text_blocks: tuple[str, ...] = ()
    """Test oracle: the paragraphs of ``description_html`` as a reader sees them."""


@dataclass(kw_only=True)
class NewsSpec:
    """One ``DevNews`` row (STRUCTURE.md §4); datetimes are timezone-aware UTC."""

    news_id: int
    title: str
    description_html: str
    """Stored TinyMCE body HTML, emitted raw by the templates."""
    subtitle: str | None = None
    type: str = "News"
    """``News`` | ``Blog`` | ``LiveBlog``."""
    sub_type: str = ""
    """Blog kind (Opinion, Interview, Blog, Column, …); empty for news."""
    label: str | None = None
    """``NewsLabels`` slug; None → ``agency-wire`` in URLs."""
    sector_ids: str = "19"
    """``Sector``: comma list of DevSector ids, e.g. ``19`` or ``1,6``."""
    image_url: str | None = None
    image_caption: str | None = None
    image_copyright: str | None = None
    tags: list[str] = field(default_factory=list)
    country: str = ""
    """Comma list of country names, rendered one ``li.fg-orange`` per item (untrimmed)."""
    source: str = "Devdiscourse News Desk"
    original_source: str = ""
    author: str = ""
    source_url: str | None = None
    """Dateline city, stored lower-case (blogs: first-published URL)."""
    created_on: datetime
    published_on: datetime
    modified_on: datetime
    region: str = "Global Edition"
    themes: str | None = None
    """Blogs: author avatar image URL (site-relative)."""
    category: str = ""
    body_blocks: tuple[BodyBlock, ...] = ()
    """Test oracle: the blocks of ``description_html`` in order (not a DB field)."""
    live_updates: tuple[LiveUpdateSpec, ...] = ()
    """A live blog's ``LiveBlogs`` rows (§3.2): served as JSON only, never in the page."""


@dataclass(frozen=True)
class LinkItem:
    """A link to another article as the sidebar/related components render it."""

    title: str
    path: str
    country: str = "Global"
    image_url: str = "https://devdiscourse.blob.core.windows.net/devnews/placeholder.png"
    author: str = ""


@dataclass(frozen=True)
class PageContext:
    """Boilerplate around an article: sidebar components and the ALSO READ list (tag matches)."""

    trending: tuple[LinkItem, ...]
    opinions: tuple[LinkItem, ...]
    latest: tuple[LinkItem, ...]
    also_read: tuple[LinkItem, ...] = ()


# The seed capture's sidebar (seed-article.txt lines 21-56), used when no context is given.
DEFAULT_CONTEXT = PageContext(
    trending=(
        LinkItem("Rising Seas of Crime: Spike in Sea Robberies in SOMS Alerts Authorities",
                 "/article/international/3300871-rising-seas-of-crime-spike-in-sea-robberies-in-soms-alerts-authorities",
                 "Singapore"),
        LinkItem("Trump's Bold Move: Shutting Down the Department of Education",
                 "/article/politics/3300655-trumps-bold-move-shutting-down-the-department-of-education"),
        LinkItem("Tragedy Strikes Near Abuja: Fatal Trailer Crash Sparks Fiery Inferno",
                 "/article/agency-wire/3300902-tragedy-strikes-near-abuja-fatal-trailer-crash-sparks-fiery-inferno",
                 "Nigeria"),
        LinkItem("BoE's Balancing Act: Navigating Inflation and Policy Uncertainty",
                 "/article/business/3300713-boes-balancing-act-navigating-inflation-and-policy-uncertainty"),
    ),
    opinions=(
        LinkItem("Are kids safe in social virtual reality? Experts warn of rising risks",
                 "/article/technology/3299120-are-kids-safe-in-social-virtual-reality-experts-warn-of-rising-risks",
                 author="Devdiscourse News Desk"),
        LinkItem("Phishing email attacks are getting smarter: Can AI-driven solutions keep up?",
                 "/article/technology/3298804-phishing-email-attacks-are-getting-smarter-can-ai-driven-solutions-keep-up",
                 author="Devdiscourse News Desk"),
        LinkItem("AI detects heart failure with 99.9% accuracy - Is it the future?",
                 "/article/health/3298113-ai-detects-heart-failure-with-999-accuracy---is-it-the-future",
                 author="Devdiscourse News Desk"),
        LinkItem("Emergency medicine is getting AI upgrade - What it means for patients",
                 "/article/health/3297987-emergency-medicine-is-getting-ai-upgrade---what-it-means-for-patients",
                 author="Devdiscourse News Desk"),
    ),
    latest=(
        LinkItem("Markets Rally as Central Banks Signal Pause",
                 "/article/business/3301240-markets-rally-as-central-banks-signal-pause"),
        LinkItem("Flood Relief Efforts Intensify Across Coastal Districts",
                 "/article/national/3301238-flood-relief-efforts-intensify-across-coastal-districts"),
        LinkItem("New Vaccine Trial Shows Promise Against Dengue",
                 "/article/health/3301237-new-vaccine-trial-shows-promise-against-dengue"),
        LinkItem("Tech Giants Face Fresh Scrutiny Over Data Practices",
                 "/article/technology/3301235-tech-giants-face-fresh-scrutiny-over-data-practices"),
        LinkItem("Cricket Board Announces Revamped Domestic Calendar",
                 "/article/sports-games/3301233-cricket-board-announces-revamped-domestic-calendar"),
    ),
)


# ----------------------------------------------------------------------------------------------
# Small pure helpers (URL, encoding, dates)
# ----------------------------------------------------------------------------------------------

def slug(news_id: int, title: str, cut: int = 130) -> str:
    """``GenerateSecondSlug()`` (§1.2): ``{id}-{title}`` made ASCII, lower-cased, cut to ``cut`` chars.

    >>> slug(3301234, "Kim Jong Un's Café - Talks – Round 2")
    '3301234-kim-jong-uns-caf---talks-round-2'
    """
    # .NET Encoding.ASCII.GetString turns each non-ASCII *byte* into "?", which step 4 deletes.
    phrase = f"{news_id}-{title}".encode("utf-8").decode("ascii", "replace").lower()
    phrase = re.sub(r"[^a-z0-9\s-]", "", phrase)
    phrase = re.sub(r"\s+", " ", phrase).strip()
    phrase = phrase[:cut].strip()
    return re.sub(r"\s", "-", phrase)


def label_segment(spec: NewsSpec) -> str:
    """The ``{label}`` URL segment: ``NewsLabels`` or the literal ``agency-wire``."""
    return spec.label or "agency-wire"


def article_path(spec: NewsSpec, cut: int = 130) -> str:
    return f"/article/{label_segment(spec)}/{slug(spec.news_id, spec.title, cut)}"


def canonical_url(spec: NewsSpec) -> str:
    return SITE + article_path(spec)


def news_guid(news_id: int) -> str:
    """Deterministic stand-in for the ``DevNews.Id`` Guid (legacy ``/Home/Detail?id=`` URLs, JSON ``id``)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"devdiscourse:devnews:{news_id}"))


def razor(value: object) -> str:
    """Razor ``@value`` encoding (HtmlEncoder.Default, §2): ``'`` → ``'``, ``+`` → ``&#x2B;``,
    every non-ASCII code point → ``&#xHEX;``.

    >>> razor("Côte d'Ivoire & <Ghana> +1")
    'C&#xF4;te d&#x27;Ivoire &amp; &lt;Ghana&gt; &#x2B;1'
    """
    out: list[str] = []
    for ch in "" if value is None else str(value):
        code = ord(ch)
        if ch == "&":
            out.append("&amp;")
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif ch == '"':
            out.append("&quot;")
        elif ch in "'+" or code > 0x7E or (code < 0x20):
            # No WebEncoderOptions in Program.cs, so only Basic Latin passes unencoded.
            out.append(f"&#x{code:X};")
        else:
            out.append(ch)
    return "".join(out)


def title_case(text: str) -> str:
    """.NET ``TextInfo.ToTitleCase`` (en-US): capitalise each word, keep all-caps words (acronyms)."""

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        if word.isupper():
            return word
        return word[0].upper() + word[1:].lower()

    return re.sub(r"[^\W\d_]+(?:'[^\W\d_]+)?", fix, text)


def to_ist(dt: datetime) -> datetime:
    """``TimeZoneInfo.ConvertTimeFromUtc(x, "India Standard Time")`` (§2.6)."""
    return dt.astimezone(timezone.utc).astimezone(IST)


def _visible(dt: datetime) -> str:
    return to_ist(dt).strftime("%d-%m-%Y %H:%M")


def _machine(dt: datetime, server_offset: str) -> str:
    # §2.6: IST digits; the zzzzz offset is the *server machine's* (Kind=Unspecified quirk).
    return to_ist(dt).strftime("%Y-%m-%dT%H:%M:%S") + server_offset


def _parse_offset(offset: str) -> timedelta:
    match = re.fullmatch(r"([+-])(\d{2}):(\d{2})", offset)
    if not match:
        raise ValueError(f"offset must look like +05:30, got {offset!r}")
    delta = timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))
    return -delta if match.group(1) == "-" else delta


def sector_name(sector_ids: str) -> str | None:
    first = sector_ids.split(",")[0].strip()
    return SECTORS[first][0] if first in SECTORS else None


def sector_slug(sector_ids: str) -> str | None:
    first = sector_ids.split(",")[0].strip()
    return SECTORS[first][1] if first in SECTORS else None


def distinct_tags(tags: Iterable[str], limit: int) -> list[str]:
    """``Tags.Split(',').Select(Trim).Distinct(OrdinalIgnoreCase).Take(limit)``."""
    seen: set[str] = set()
    out: list[str] = []
    for tag in tags:
        tag = tag.strip()
        if tag and tag.lower() not in seen:
            seen.add(tag.lower())
            out.append(tag)
    return out[:limit]


def stored_tags(spec: NewsSpec) -> str:
    """The ``Tags`` column as stored (comma list)."""
    return ",".join(spec.tags)


def has_image(spec: NewsSpec) -> bool:
    return bool(spec.image_url) and spec.image_url not in PLACEHOLDER_IMAGES


def original_image(spec: NewsSpec) -> str:
    """``{orig}`` of the ``/img`` resizer: blob URL as-is, else the site URL + ``ImageUrl`` (§2.1)."""
    url = spec.image_url or ""
    if "devdiscourse.blob.core.windows.net" in url:
        return url
    return SITE + url


def _img(spec: NewsSpec, width: int, fmt: str | None = None) -> str:
    # Not URL-encoded on the site: the original URL is pasted into the query string.
    url = f"/img?imageUrl={original_image(spec)}&width={width}"
    return url + (f"&format={fmt}" if fmt else "")


def clean_description(html: str) -> str:
    """``GetCleanDescription``: the entities the template pre-replaces before ``Html.Raw`` (§5 Encoding)."""
    for entity, repl in (("&nbsp;", " "), ("&rsquo;", "'"), ("&lsquo;", "'"), ("&rdquo;", '"'), ("&ldquo;", '"')):
        html = html.replace(entity, repl)
    return html


def disclaimer_notes(spec: NewsSpec, bot: bool) -> list[str]:
    """The paragraph(s) the template appends to ``section.article-cont`` (§2.8), in order.

    Rule 1 is skipped when the stored body already has the sentence; by the same reading rule 2 is
    skipped when the body already has "(With inputs from agencies.)" (the corpus never stores that).
    """
    if bot:
        return []
    source = (spec.source or "").strip()
    if source in TEMPLATE_WIRES and SYNDICATED_NOTE not in spec.description_html:
        return [SYNDICATED_NOTE]
    if (source == "Devdiscourse News Desk" and spec.original_source in TEMPLATE_WIRES
            and AGENCIES_NOTE not in spec.description_html):
        return [AGENCIES_NOTE]
    return []


def jsonld_description(description_html: str) -> str:
    """Desktop JSON-LD ``description`` (§2.2): first ``<p>…</p>`` with every char outside
    ``[A-Za-z0-9\\s-]`` deleted — emitted *unquoted*, so the block is not valid JSON."""
    text = description_html.replace("&nbsp;", " ")
    match = re.search(r"<p>\s*(.+?)\s*</p>", text)
    out = match.group(1) if match else text
    return re.sub(r"[^A-Za-z0-9\s-]", "", out)


def _amp_jsonld_description(description_html: str) -> str:
    # AMP variant (§3.1): raw inner HTML of the first <p>, HTML-encoded by Razor, unquoted.
    match = re.search(r"<p>\s*(.+?)\s*</p>", description_html)
    return razor(match.group(1) if match else description_html)


def _time_ago(then: datetime, now: datetime) -> str:
    """``TimeAgo()`` strings used on listing cards."""
    delta = now - then
    if delta < timedelta(minutes=1):
        return "Just now"
    if delta < timedelta(hours=1):
        return f"About {int(delta.total_seconds() // 60)} minutes ago"
    if delta < timedelta(hours=24):
        hours = int(delta.total_seconds() // 3600)
        return "About 1 hour ago" if hours == 1 else f"About {hours} hours ago"
    if delta < timedelta(hours=48):
        return "Yesterday"
    return to_ist(then).strftime("%d %B %Y").lstrip("0")


# ----------------------------------------------------------------------------------------------
# Shared layout pieces (_Layout.cshtml, _Footer.cshtml)
# ----------------------------------------------------------------------------------------------

_CSS_LINKS = (
    '<link rel="preconnect" href="https://fonts.googleapis.com" />\n'
    '<link href="https://fonts.googleapis.com/css?family=Oswald:400,500&amp;display=swap" rel="stylesheet" />\n'
    '<link rel="stylesheet" href="/Content/bootstrap.min.css?v=3.4.1" />\n'
    '<link rel="stylesheet" href="/Content/font-awesome.min.css" />\n'
    '<link rel="stylesheet" href="/Content/site.min.css?v=20241105" />\n'
    '<link rel="icon" type="image/png" href="/images/favicon.png" />\n'
)

_ARTICLE_CSS = """<style>
    .renderBody{margin-top:10px;text-rendering:optimizeLegibility;-webkit-font-smoothing:antialiased}
    .renderBody a{color:#ff7b00;text-decoration:none}
    .title{font-size:38px;font-weight:400;color:#181818;line-height:1.18;margin-bottom:0}
    .section-title3{font-size:23px;line-height:1.6;border-bottom:3px solid #ff7b00;color:#454545;text-transform:uppercase;font-family:'Oswald',sans-serif}
    .sub-title{font-size:20px;font-weight:300;line-height:1.5;color:#444}
    .metadata{margin-top:20px;color:#777}
    .fig-caption{background-color:#eee;font-size:13px;font-weight:300;line-height:1.33;color:#444;padding:3px 10px}
    .article-cont p,.article-cont ul,.article-cont ol{font-size:21px;line-height:1.58;color:#111;margin-top:2.4rem}
    .blockquote{border-top:3px solid #ccc;border-bottom:3px solid #ccc;border-left:none;padding:40px 20px 30px 20px}
    .blockquote:before{content:'\u201c';display:block;text-align:center;position:absolute;margin-top:-47px;font-size:102px}
    .also-container{border-top:2px solid #ff7b00;border-bottom:2px solid #ff7b00;padding:25px;margin:30px 0;display:flex}
    hr.seperator{margin-top:0;margin-bottom:0;border:0;border-top:1px dotted #9a9a9a}
    .fg-orange{color:#ff6a00}
    @media(max-width:640px){.title{font-size:28px}.sub-title{font-size:18px}}
</style>
"""


def _head(
    spec: NewsSpec,
    *,
    machine_dates: tuple[str, str] | None,
    extra: str = "",
) -> str:
    """``_Layout.cshtml`` ``<head>`` with the values ``Index.cshtml`` sets (§2.1)."""
    label_title = title_case(label_segment(spec))
    page_title = f"{spec.title.strip()} | {label_title}"
    description = (spec.subtitle or "").strip() or f"Read more about {spec.title} on Devdiscourse"
    keywords = ", ".join(distinct_tags(spec.tags, 15))
    image = _img(spec, 920, "jpeg")
    canonical = canonical_url(spec)
    author = spec.source or "Devdiscourse News Desk"
    dates = ""
    if machine_dates is not None:
        dates = (
            f'<meta itemprop="datePublished" content="{machine_dates[0]}">\n'
            f'<meta itemprop="dateModified" content="{machine_dates[1]}">\n'
        )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en" dir="ltr">\n'
        "<head>\n"
        '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0" />\n'
        '<meta http-equiv="X-UA-Compatible" content="IE=edge" />\n'
        f"<title>{razor(page_title)}</title>\n"
        f'<meta name="description" content="{razor(description)}" />\n'
        f'<meta name="keywords" content="{razor(keywords)}" />\n'
        f'<meta name="news_keywords" content="{razor(keywords)}" />\n'
        '<meta name="robots" content="index, follow, noodp, noydir" />\n'
        f'<meta name="article:author" content="{razor(author)}" />\n'
        f'<meta itemprop="name" content="{razor(page_title)}" />\n'
        f'<meta itemprop="description" content="{razor(description)}" />\n'
        f'<meta itemprop="image" content="{razor(image)}" />\n'
        f'<meta itemprop="thumbnailUrl" href="{razor(image)}" />\n'
        f"{dates}"
        '<meta property="og:type" content="article" />\n'
        '<meta property="og:site_name" content="Devdiscourse" />\n'
        f'<meta property="og:url" content="{razor(canonical)}" />\n'
        f'<meta property="og:title" content="{razor(page_title)}" />\n'
        f'<meta property="og:description" content="{razor(description)}" />\n'
        f'<meta property="og:image" content="{razor(image)}" />\n'
        '<meta property="og:image:width" content="600" />\n'
        '<meta property="og:image:height" content="315" />\n'
        '<meta property="fb:app_id" content="1730925713855374" />\n'
        '<meta name="twitter:card" content="summary_large_image" />\n'
        '<meta name="twitter:site" content="@dev_discourse" />\n'
        '<meta name="twitter:creator" content="@dev_discourse" />\n'
        f'<link rel="canonical" href="{razor(canonical)}" />\n'
        f'<link rel="amphtml" href="{razor(canonical)}?amp" />\n'
        '<link rel="alternate" type="application/rss+xml" title="Devdiscourse News" '
        'href="http://www.devdiscourse.com/rss/website" />\n'
        f"{_CSS_LINKS}"
        f"{extra}"
        '<script async src="https://www.googletagmanager.com/gtag/js?id=G-2ZR3JPQ8XD"></script>\n'
        "<script>window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);} "
        "gtag('js', new Date()); gtag('config', 'G-2ZR3JPQ8XD');</script>\n"
        "</head>\n"
    )


def _header() -> str:
    sectors = "".join(
        f'<li><a href="/news/{SECTORS[sid][1]}">{razor(SECTORS[sid][0])}</a></li>' for sid in _NAV_SECTORS
    )
    editions = "".join(f'<li><a href="{path}">{razor(name)}</a></li>' for name, path in EDITIONS)
    return (
        '<body>\n<div class="bg-white header-cont">\n'
        ' <div class="container-fluid top-bar hidden-xs"><ul class="list-inline utility-links pull-right">'
        '<li><a href="/aboutus">About</a></li><li>|</li><li><a href="/career">Career</a></li><li>|</li>'
        '<li><a href="/advertisewithus">Advertisement</a></li><li>|</li><li><a href="/aboutus/team">Team</a></li>'
        '<li>|</li><li><a href="/partners">Partnership</a></li><li>|</li>'
        '<li><a href="/aboutus/contact-us">Contact Us</a></li></ul></div>\n'
        ' <div class="container-fluid nav-cont"><img id="navBtn" src="/images/icons/menu.svg" alt="Left Menu" '
        'width="26" height="26" /> <a href="/" class="logo-link"><img src="/AdminFiles/Logo/devdiscourse_logo.svg" '
        'alt="International Development News" class="devdiscourse_logo" width="230" height="42" /></a>\n'
        '  <ul class="main-nav list-inline"><li><a href="/news-analysis" id="newsLink" class="linkBtn">NEWS</a></li>'
        '<li><a href="https://www.visionri.com/research" class="linkBtn" target="_blank" rel="noopener">RESEARCH</a></li>'
        '<li><a href="/live-discourse" class="linkBtn">LIVE DISCOURSE</a></li>'
        '<li><a href="/blogs" class="linkBtn">BLOG / OPINION</a></li>'
        '<li><a href="/blogs/interview" class="linkBtn">INTERVIEW</a></li>'
        '<li><a href="/press-release" class="linkBtn">PRESS RELEASE</a></li></ul></div>\n'
        "</div>\n"
        '<div id="mySidenav" class="sidenav"><a href="javascript:void(0)" class="closebtn">&times;</a>'
        f'<h4>EDITIONS</h4><ul class="list-unstyled">{editions}</ul></div>\n'
        f'<div id="NewsSector"><nav class="sector-nav-bar"><ul class="scrollmenu">{sectors}</ul></nav></div>\n'
    )


def _feedback_and_footer(year: int) -> str:
    sectors = "".join(
        f'<li><a href="/news/{SECTORS[sid][1]}">{razor(SECTORS[sid][0])}</a></li>' for sid in _NAV_SECTORS
    )
    editions = "".join(f'<li><a href="{path}">{razor(name)}</a></li>' for name, path in EDITIONS)
    return (
        '<div class="feedbackPopup"><button type="button" class="btn feedback-btn" id="feedbackBtn">Give Feedback</button>'
        '<form class="feedback-form" id="feedbackForm" style="display:none;">'
        '<input type="text" name="Name" placeholder="Name" class="form-control" />'
        '<input type="email" name="Email" placeholder="Email" class="form-control" />'
        '<textarea name="Message" placeholder="Message" class="form-control"></textarea>'
        '<button type="submit" class="btn btn-primary">Submit</button></form></div>\n'
        '<div class="bg-white p-t-20"><div class="footer"><div class="container">\n'
        ' <div class="footer-head"><h3>Subscribe to our Newsletter</h3>'
        '<form class="newsletter-form" action="/Home/Subscribe" method="post"><input type="email" name="email" '
        'placeholder="Email address" /> <button type="submit">Subscribe</button></form></div>\n'
        f' <div class="row"><div class="col-md-3"><h4>SECTORS</h4><ul class="list-unstyled">{sectors}</ul></div>\n'
        f' <div class="col-md-3"><h4>EDITIONS</h4><ul class="list-unstyled">{editions}</ul></div>\n'
        ' <div class="col-md-2"><h4>OTHER LINKS</h4><ul class="list-unstyled"><li><a href="/aboutus">About Us</a></li>'
        '<li><a href="/Writeforus">Write for us</a></li><li><a href="/sdg-stories">SDG Stories</a></li>'
        '<li><a href="/news-analysis">Latest News</a></li><li><a href="/top-stories">Top Stories</a></li></ul></div>\n'
        ' <div class="col-md-2"><h4>OTHER PRODUCTS</h4><ul class="list-unstyled"><li><a href="https://www.visionri.com" '
        'target="_blank" rel="noopener">VisionRI</a></li><li><a href="https://www.devdiscourse.com/live-discourse">'
        'Live Discourse</a></li></ul></div>\n'
        ' <div class="col-md-2"><h4>CONNECT</h4><ul class="list-inline social-links">'
        '<li><a href="https://www.facebook.com/devdiscourse" aria-label="Facebook"><span class="fa fa-facebook"></span></a></li>'
        '<li><a href="https://twitter.com/dev_discourse" aria-label="Twitter"><span class="fa fa-twitter"></span></a></li>'
        '<li><a href="https://www.linkedin.com/showcase/dev_discourse/" aria-label="LinkedIn"><span class="fa fa-linkedin"></span></a></li>'
        '</ul></div></div>\n'
        ' <div class="text-center"><img src="/AdminFiles/Logo/devdiscourse_logo_white.svg" alt="Devdiscourse" '
        'width="200" height="36" />\n'
        '  <p id="footer-text">Email: info@devdiscourse.com<br />Phone: +91-720-6444012, +91-7027739813, 14, 15</p>\n'
        '  <div class="footer-link"><a href="https://www.visionri.com" target="_blank" rel="noopener">VisionRI</a> | '
        '<a href="/aboutus/disclaimer">Disclaimer</a> | <a href="/aboutus/terms-of-use">Terms of use</a> | '
        '<a href="/aboutus/privacy-policy">Privacy Policy</a></div>\n'
        # Template literal text, so the © stays a raw UTF-8 character (only @values are encoded).
        f'  <p class="copyright">\u00a9 Copyright {year}</p></div>\n'
        "</div></div></div>\n"
        '<script src="/Scripts/jquery-3.6.0.min.js"></script>\n'
        '<script src="/Scripts/bootstrap.min.js" defer></script>\n'
        '<script src="/Scripts/layout.min.js?v=20241105" defer></script>\n'
    )


def _sidebar(ctx: PageContext) -> str:
    trending = "".join(
        f'<div class="media p-b-10"><span class="trend-number">{i}</span><div class="media-left">'
        f'<a href="{razor(item.path)}"><img data-src="{razor(item.image_url)}?width=100&amp;height=60&amp;mode=crop" '
        f'class="lazyload media-object" alt="{razor(item.title)}" width="100" height="60" /></a></div>'
        f'<div class="media-body"><a href="{razor(item.path)}" title="{razor(item.title)}">'
        f'<h4 class="media-heading trend-title">{razor(item.title if len(item.title) <= 76 else item.title[:76] + "...")}</h4></a>'
        f'<small class="media-meta"><span class="fa fa-map-marker"></span> {razor(item.country or "Global")}</small></div></div>\n'
        for i, item in enumerate(ctx.trending, 1)
    )
    opinions = "".join(
        f'<a href="{razor(item.path)}" class="no-text-decoration"><div class="row m-b-10"><div class="col-xs-3">'
        f'<img data-src="{razor(item.image_url)}?width=80&amp;height=80&amp;mode=crop" class="lazyload img-circle" '
        f'alt="{razor(item.author or "Devdiscourse")}" /></div><div class="col-xs-9"><small>{razor(item.author)}</small>'
        f'<h4>{razor(item.title)}</h4></div></div></a>\n'
        for item in ctx.opinions
    )
    latest = "".join(
        f'<li class="also-title"><h3><a href="{razor(item.path)}">{razor(item.title)}</a></h3></li>' for item in ctx.latest
    )
    return (
        '<div class="col-md-4">\n'
        '<div class="advertisement-area"> <div class="advertisement-title">Advertisement</div></div>\n'
        f'<section class="clearfix m-t-10"> <h2 class="section-title3"> <span>TRENDING</span> </h2>\n{trending}</section>\n'
        f'<section class="clearfix m-t-10"> <h2 class="section-title3"> <span>OPINION / BLOG / INTERVIEW</span> </h2>\n{opinions}</section>\n'
        '<section class="m-t-10" id="video_section"> <h2 class="section-title3"> <span>DevShots</span> </h2> </section>\n'
        f'<section class="clearfix m-t-10"> <h2 class="section-title3"> <span>Latest News</span> </h2> <ul class="ar-ul">{latest}</ul></section>\n'
        '<div class="clearfix m-t-10"><div id="appCarousel" class="carousel slide" data-ride="carousel"><div class="carousel-inner">'
        '<div class="item active"><a href="https://play.google.com/store/apps/details?id=com.visionri.devdiscourse" '
        'target="_blank" rel="noopener"><img src="/AdminFiles/Ads/Banner/devdiscourse_app.jpg" alt="Devdiscourse App" '
        'class="img-responsive" /></a></div><div class="item"><a href="https://www.visionri.com" target="_blank" '
        'rel="noopener"><img src="/AdminFiles/Ads/Banner/visionri_banner.jpg" alt="VisionRI" class="img-responsive" />'
        "</a></div></div></div></div>\n"
        '<section class="clearfix m-t-10"> <h2 class="section-title3"> <span>Connect us on</span> </h2> '
        '<a target="_blank" href="https://www.facebook.com/devdiscourse" rel="noreferrer" class="btn btn-connect facebook">'
        '<span class="fa fa-facebook" aria-hidden="true"></span> Facebook</a> '
        '<a target="_blank" href="https://twitter.com/dev_discourse" rel="noreferrer" class="btn btn-connect twitter">'
        '<span class="fa fa-twitter" aria-hidden="true"></span> Twitter</a> '
        '<a target="_blank" href="https://www.linkedin.com/showcase/dev_discourse/" rel="noreferrer" class="btn btn-connect linkedin">'
        '<span class="fa fa-linkedin" aria-hidden="true"></span> LinkedIn</a> '
        '<a target="_blank" href="https://www.quora.com/profile/DevDiscourse" rel="noreferrer" class="btn btn-connect quora">'
        '<span class="fa fa-quora" aria-hidden="true"></span> Quora</a> '
        '<a target="_blank" href="https://www.youtube.com/channel/UC28dlbVXA88OyB83dM8BEYg?sub_confirmation=1" rel="noreferrer" '
        'class="btn btn-connect youtube"><span class="fa fa-youtube" aria-hidden="true"></span> Youtube</a> '
        '<a target="_blank" href="https://news.google.com/publications/CAAqBwgKMMDbhQsw7_-CAw?hl=en-AU&amp;gl=AU&amp;ceid=AU%3Aen" '
        'rel="noreferrer" class="btn btn-connect facebook"> <img src="/images/icons/google_news.svg" alt="" /> Google News </a> '
        '<a target="_blank" href="http://feeds.feedburner.com/devdiscourse/NCFS" rel="noreferrer" class="btn btn-connect rss">'
        '<span class="fa fa-rss" aria-hidden="true"></span> RSS</a> </section>\n'
        "</div>\n"
    )


# ----------------------------------------------------------------------------------------------
# Desktop article (Views/Article/Index.cshtml)
# ----------------------------------------------------------------------------------------------

def _byline_html(spec: NewsSpec) -> str:
    """Inner HTML of the byline row (§2.4, §3.3): source link | author link | dateline | dates."""
    parts: list[str] = []
    source = (spec.source or "").strip()
    if source and spec.type != "Blog":
        href = SOURCE_LINKS.get(source, f"/news-source/{source}")
        parts.append(f'<span><a href="{razor(href)}">{razor(source)}</a></span><span class="list-divider"> | </span>')
    author = (spec.author or "").strip()
    if spec.type == "Blog" and author:
        avatar = SITE + (spec.themes or "/")
        parts.append(
            f'<a href="/Home/AuthorArticles?fl={razor(author)}">'
            f'<img class="img-circle author-avatar" src="{razor(avatar)}?width=30&height=30&mode=crop" '
            "onerror=\"this.src='/AdminFiles/Logo/img_avatar.png?width=30&height=30&mode=crop'\" "
            f'alt="{razor(author)}" />{razor(author)}\n                    </a> <span class="list-divider"> | </span>'
        )
    if spec.source_url:
        city = spec.source_url.lower()
        if "washington" in city:
            parts.append("<span>Washington DC</span>")
        elif city == "losangeles":
            parts.append("<span>Los Angeles</span>")
        else:
            parts.append(f'<span class="text-capitalize">{razor(title_case(city))}</span>')
        parts.append('<span class="list-divider"> | </span>')
    parts.append(
        f"<span>Updated: {_visible(spec.modified_on)} IST | Created: {_visible(spec.published_on)} IST</span>"
    )
    return "".join(parts)


def _figure(spec: NewsSpec) -> str:
    if has_image(spec):
        src = razor(spec.image_url)
        resized = razor(_img(spec, 920))
        caption = f"{razor(spec.image_caption or '')} {razor(spec.image_copyright or '')}"
        return (
            f'<figure class="figure"> <picture> <source srcset="{resized}&format=webp" type="image/webp"> '
            f'<source srcset="{resized}&format=jpeg" type="image/jpeg"> <img data-src="{src}" src="{src}" '
            f'class="img-responsive lazyload" alt="{razor(spec.title)}" /> </picture> '
            f'<figcaption class="fig-caption">{caption}</figcaption> </figure>'
        )
    return (
        f'<figure class="hidden figure"> <img src="{SITE}/images/newstheme.jpg" class="img-responsive m-b-10" '
        f'alt="{razor(spec.title)}" /> <figcaption class="fig-caption">{razor(spec.title)}</figcaption> </figure>'
    )


def _left_section(spec: NewsSpec) -> str:
    countries = ""
    if spec.country:
        items = "".join(f'\n            <li class="fg-orange">{razor(c)}</li>' for c in spec.country.split(","))
        countries = f'<ul class="list-inline no-margin pull-left l-h-28">\n            <li>Country:</li>{items}\n        </ul>'
    url = razor(canonical_url(spec))
    enc_title = quote_plus(spec.title)
    return (
        f'<section class="left-section clearfix">\n    {countries}<ul class="list-inline no-margin share-button-list">\n'
        '        <li class="l-h-28">SHARE</li>\n'
        "        <li> <a class=\"social-btn\" aria-label=\"Share on Facebook\" onclick=\"window.open('https://www.facebook.com/sharer/sharer.php?u="
        f"{url}', 'facebook_share','height=320, width=640');\" href=\"javascript:void(0);\" "
        'title="Share on Facebook"> <span class="fa fa-facebook fb"></span> </a> </li>\n'
        "        <li> <a class=\"social-btn\" aria-label=\"Share on Twitter\" onclick=\"window.open('http://twitter.com/share?url="
        f"{url}&amp;text={razor(enc_title)}', 'facebook_share', 'height=320, width=640');\" "
        'href="javascript:void(0);" title="share on Twitter"> <span class="fa fa-twitter tw"></span> </a> </li>\n'
        "        <li> <a class=\"social-btn\" aria-label=\"Share on LinkedIn\" onclick=\"window.open('https://www.linkedin.com/shareArticle?mini=true&amp;url="
        f"{url}&amp;title={razor(enc_title)}&amp;source=devdiscourse.com', 'linkedIn_share');\" "
        'href="javascript:void(0);" target="_blank" title="Share on LinkedIn"> <span class="fa fa-linkedin ln"></span> </a> </li>\n'
        '        <li> <a class="social-btn" aria-label="Subscribe on Youtube" rel="noopener" '
        'href="https://www.youtube.com/channel/UC28dlbVXA88OyB83dM8BEYg?sub_confirmation=1" target="_blank" '
        'title="Subscribe on Youtube"> <span class="fa fa-youtube yt"></span> </a> </li>\n'
        "    </ul>\n</section>"
    )


def _news_article_jsonld(spec: NewsSpec, server_offset: str) -> str:
    headline = f"{spec.title.strip()} | {title_case(label_segment(spec))}"
    if spec.sub_type == "Opinion":
        headline = "Opinion: " + headline
    author = spec.author if spec.type == "Blog" and spec.author else spec.source
    return (
        '<script type="application/ld+json">\n'
        "    {\n"
        '    "@context": "http://schema.org",\n'
        '    "@type": "NewsArticle",\n'
        '    "mainEntityOfPage":{\n'
        '    "@type":"WebPage",\n'
        f'    "@id":"{razor(canonical_url(spec))}"\n'
        "    },\n"
        f'    "headline": "{razor(headline)}",\n'
        "    \"image\": {\n"
        '    "@context": "http://schema.org", "@type": "ImageObject", "width": "100px", "height": "100px", '
        f'"url": "{razor(_img(spec, 920))}"\n'
        "    },\n"
        f'    "datePublished": "{_machine(spec.published_on, server_offset)}",\n'
        f'    "dateModified": "{_machine(spec.modified_on, server_offset)}",\n'
        '    "author": {\n'
        '    "@type": "Person",\n'
        f'    "name": "{razor(author)}"\n'
        "    },\n"
        '    "publisher": {\n'
        '    "@type": "Organization",\n'
        '    "name": "Devdiscourse",\n'
        '    "logo": {\n'
        '    "@type": "ImageObject",\n'
        '    "url": "https://www.devdiscourse.com/AdminFiles/Logo/devdiscourse_news.png"\n'
        "    }\n"
        "    },\n"
        # §2.2: emitted without quotes → the whole block is invalid JSON.
        f'    "description": {jsonld_description(spec.description_html)}\n'
        "    }\n"
        "</script>"
    )


def _breadcrumb_jsonld(spec: NewsSpec) -> str:
    second = ("News", f"{SITE}/news") if spec.type == "News" else (spec.sub_type, f"{SITE}/blogs")
    # §2.2: the title is backslash-escaped *before* Razor HTML-encodes it, so `"` becomes `\&quot;`.
    title = razor(spec.title.replace('"', '\\"'))
    return (
        '<script type="application/ld+json">\n'
        '{"@context":"https://schema.org","@type":"BreadcrumbList","itemListElement":['
        f'{{"@type":"ListItem","position":1,"name":"Home","item":"{SITE}/"}},'
        f'{{"@type":"ListItem","position":2,"name":"{razor(second[0])}","item":"{second[1]}"}},'
        f'{{"@type":"ListItem","position":3,"name":"{razor(spec.sector_ids)}","item":"{SITE}/news/{razor(spec.sector_ids)}"}},'
        f'{{"@type":"ListItem","position":4,"name":"{title}","item":"{razor(canonical_url(spec))}"}}]}}\n'
        "</script>"
    )


def _breadcrumb(spec: NewsSpec, revision: Revision) -> str:
    if spec.type == "News":
        second = '<a href="/news" target="_top"><span>News</span></a>'
    else:
        second = f'<a href="/blogs" target="_top"><span>{razor(spec.sub_type)}</span></a>'
    name, sslug = sector_name(spec.sector_ids), sector_slug(spec.sector_ids)
    sector = (
        f'<li><a href="/news/{sslug}" target="_top"><span class="text-capitalize">{razor(name)}</span></a></li>'
        if name else ""
    )
    if revision == "a3af7e3":
        return (
            '<ul class="breadcrumb breadcrumb_new m-t-20" itemscope itemtype="http://schema.org/BreadcrumbList">\n'
            '        <li itemprop="itemListElement" itemscope="" itemtype="http://schema.org/ListItem"> <a href="/" '
            'target="_top" itemprop="item"><span itemprop="name">Home</span></a> <meta itemprop="position" content="1" /> </li>\n'
            f'        <li itemprop="itemListElement" itemscope="" itemtype="http://schema.org/ListItem"> {second} '
            '<meta itemprop="position" content="2" /> </li>\n'
            f"        {sector}\n"
            '<li class="active">Article</li>\n</ul>'
        )
    return (
        '<ul class="article-breadcrumb" itemscope itemtype="http://schema.org/BreadcrumbList">'
        f'<li><a href="/" target="_top">Home</a></li><li>{second}</li>{sector}'
        '<li><span class="bc-current">Article</span></li></ul>'
    )


def _tags_section(spec: NewsSpec) -> str:
    items = "".join(
        f'\n                <li> <a href="/news?tag={razor(quote_plus(t))}" class="tag">{razor(t)}</a>\n            </li>'
        for t in distinct_tags(spec.tags, 20)
    )
    return f'<section>\n    <ul class="list-inline"> \n    <li class="f-18">READ MORE ON:</li> {items} </ul>\n    </section>'


def _ai_card(spec: NewsSpec) -> str:
    return (
        '<div class="article-ai-card" id="articleAiCard" style="display:none;" '
        f'data-newsid="{spec.news_id}"><div class="ai-card-head"><span class="ai-badge">AI Summary</span> '
        '<h3 class="ai-card-title">Key Takeaways</h3></div><ul class="ai-points" id="aiPoints"></ul>'
        '<p class="ai-card-note">This summary is AI-generated and may not capture every detail of the article.</p></div>'
    )


def render_desktop(
    spec: NewsSpec,
    *,
    revision: Revision = "head",
    bot: bool = False,
    server_offset: str = "+05:30",
    year: int = 2025,
    context: PageContext | None = None,
) -> str:
    """The desktop article page (§2.1–2.5, §2.8, §3.3) as the given template revision renders it.

    ``bot`` is the server's ``isCrawler`` (UA contains "bot", case-insensitive): no ads, AI card,
    disclaimer paragraphs, READ MORE ON or social-embed scripts. ``server_offset`` is the offset .NET
    glues to the IST digits of machine-readable dates (§2.6).
    """
    _parse_offset(server_offset)
    ctx = context or DEFAULT_CONTEXT
    published = _machine(spec.published_on, server_offset)
    head = _head(spec, machine_dates=(published, _machine(spec.modified_on, server_offset)), extra=_ARTICLE_CSS)
    scripts = _news_article_jsonld(spec, server_offset)
    if revision == "head":
        scripts += "\n" + _breadcrumb_jsonld(spec)
    pr_style = (
        "\n<style>\n        .article-image-container {\n            display: none\n        }\n    </style>"
        if spec.source == "PR Newswire" else ""
    )
    top_ad = (
        '<div class="advertisement-area"> <div class="advertisement-title">Advertisement</div></div>' if not bot else ""
    )
    subtitle = f' <h2 class="sub-title">{razor(spec.subtitle)}</h2>' if spec.subtitle else ""
    if revision == "a3af7e3":
        meta_open = '<hr class="seperator" /> <div class="m-b-10 m-t-10">\n                '
    else:
        meta_open = '<div class="metadata clearfix m-b-10 m-t-10">\n                '
    ai_card = _ai_card(spec) + "\n" if revision == "head" and not bot else ""
    notes = "".join(f"<p>{razor(note)}</p>" for note in disclaimer_notes(spec, bot))
    tags = _tags_section(spec) + "\n" if spec.tags and not bot else ""
    first_published = ""
    if spec.type == "Blog" and spec.source:
        first_published = (
            '<section class="m-t-30">\n    <ul class="list-inline"> <li class="f-18">FIRST PUBLISHED IN:</li><li> \n'
            f'    <span class="badge tag" style="color:#fff">{razor(spec.source)}</span> </li></ul> \n    </section>\n'
        )
    in_article_ad = (
        '<div class="advertisement-area m-t-10">\n    <div class="advertisement-title">Advertisement</div>\n'
        '    <div id="v-devdiscourse-v2"></div>\n    <script>(function (v, d, o, ai) { ai = d.createElement(\'script\'); '
        "ai.defer = true; ai.async = true; ai.src = v.location.protocol + o; d.head.appendChild(ai); })"
        "(window, document, '//a.vdo.ai/core/v-devdiscourse-v2/vdo.ai.js');</script>\n</div>\n"
        if not bot else ""
    )
    also = ""
    if spec.tags and ctx.also_read:
        items = "".join(
            f'<li class="also-title"><h3><a href="{razor(i.path)}">{razor(i.title)}</a></h3></li>' for i in ctx.also_read
        )
        also = f'<div class="also-container"><div><h2 class="ar-title">ALSO READ</h2><ul class="ar-ul">{items}</ul></div></div>\n'
    the_slug = slug(spec.news_id, spec.title)
    path = article_path(spec)
    embeds = (
        '<script async src="//www.instagram.com/embed.js"></script>\n'
        '<script async src="https://platform.twitter.com/widgets.js" onload="twitterLoaded()" charset="utf-8"></script>\n'
        '<script async src="//embed.redditmedia.com/widgets/platform.js" charset="UTF-8"></script>\n'
        if not bot else ""
    )
    ai_script = (
        f"<script>$(function () {{ $.get('/api/Search/GetArticleAiSummary/{spec.news_id}', function (d) {{ "
        "if (d && d.length) { $.each(d, function (i, p) { $('#aiPoints').append('<li>' + p + '</li>'); }); "
        "$('#articleAiCard').show(); } }); });</script>\n"
        if revision == "head" and not bot else ""
    )
    body = (
        f"{_header()}"
        '<div class="renderBody">\n'
        f"{scripts}{pr_style}\n"
        f'<div class="container full-width mt-minus-30">\n    {top_ad}\n</div><div class="container">\n'
        f"    {_breadcrumb(spec, revision)} "
        f'<div class="article-divider clearfix" style="display:none;" data-articleurl="{razor(the_slug)}" '
        f'data-articletitle="{razor(spec.title)}"></div><div class="row">\n'
        '    <div class="col-md-8">\n'
        "        <article>\n"
        f'            <h1 class="title">{razor(spec.title)}</h1>{subtitle}'
        f"{meta_open}{_byline_html(spec)}\n</div>{_figure(spec)}\n"
        f"{_left_section(spec)} <hr class=\"seperator m-b-20\" /> {ai_card}"
        '<section class="article-cont">\n   \n'
        f"{clean_description(spec.description_html)}\n"
        f"    {notes}\n</section>\n\n"
        f"{tags}{first_published}{in_article_ad}{also}"
        f"    <button onclick=\"reset('https://www.devdiscourse.com/Article/{razor(the_slug)}',{spec.news_id});\" "
        'class="btn btn-default btn-lg m-b-20 m-t-20 btn-block"> \n'
        '    <img src="/images/icons/comment_bubble.svg" alt="comments" /> POST / READ COMMENTS \n    </button> \n'
        f'    <section id="art_{spec.news_id}" class="commentbox"> <div id="disqus_thread" style="display:none;"> \n'
        '    <img data-src="/images/icons/disqus_loader.svg" class="center-block lazy" /> \n    </div>\n    </section>\n'
        '</article> <div id="NewsNews"></div>\n'
        "</div>"
        f"{_sidebar(ctx)}"
        "</div>\n</div>\n</div>\n"
    )
    tail = (
        '<script type="text/javascript">\n'
        "    var _ismobile = false;\n"
        f"    var _sector = '{razor(spec.sector_ids)}';\n"
        f"    var _region = '{razor(spec.region)}';\n"
        f"    var label = '{razor(spec.label or '')}' == \"\" ? \"agency-wire\" : '{razor(spec.label or '')}';\n"
        f"    var _id = '{news_guid(spec.news_id)}';\n"
        "    var skip = -1; var inCallback = !1;\n"
        f"    var newsId = '{spec.news_id}'; var newsUrl = '{razor(path)}';\n"
        f"    var news_image_url = '{razor(_img(spec, 920))}'; var news_title = '{razor(spec.title)}'; "
        f"var news_country = '{razor(spec.country)}'; var published = '{published}';\n"
        "    var initHeight = 10; var _isAdmin = false;\n"
        "    function twitterLoaded() { twttr.events.bind('loaded', function (event) { }) }\n"
        "</script>\n"
        '<script src="/Scripts/article_new.js"></script>\n'
        "<script type=\"text/javascript\">var disqus_shortname = 'www-devdiscourse-com-1'; var disqus_url = ''; "
        "var reset = function (newUrl, data_id) { if (typeof DISQUS === \"undefined\") { $('#disqus_thread').show(); "
        "var dsq = document.createElement('script'); dsq.type = 'text/javascript'; "
        "dsq.src = 'https://' + disqus_shortname + '.disqus.com/embed.js'; "
        "(document.getElementsByTagName('head')[0] || document.getElementsByTagName('body')[0]).appendChild(dsq); } };</script>\n"
        '<script src="/Scripts/lazysizes.min.js" async></script>\n'
        f"{embeds}{ai_script}"
        "</body>\n</html>\n"
    )
    return head + body + _feedback_and_footer(year) + tail


# ----------------------------------------------------------------------------------------------
# AMP (Views/Article/Index.amp.cshtml)
# ----------------------------------------------------------------------------------------------

_AMP_BOILERPLATE = (
    "<style amp-boilerplate>body{-webkit-animation:-amp-start 8s steps(1,end) 0s 1 normal both;"
    "animation:-amp-start 8s steps(1,end) 0s 1 normal both}@keyframes -amp-start{from{visibility:hidden}"
    "to{visibility:visible}}</style><noscript><style amp-boilerplate>body{-webkit-animation:none;"
    "animation:none}</style></noscript>"
)


def _amp_body(html: str) -> str:
    """A small stand-in for Html2Amp: drop scripts, ``img`` → ``amp-img``, ``iframe`` → ``amp-iframe``,
    twitter blockquotes wrapped in ``amp-twitter`` (the blockquote kept as placeholder)."""
    html = re.sub(r"<script\b[^>]*>.*?</script>", "", html, flags=re.S | re.I)

    def img(match: re.Match[str]) -> str:
        attrs = match.group(1).rstrip("/").strip()
        return f'<amp-img {attrs} width="640" height="360" layout="responsive"></amp-img>'

    html = re.sub(r"<img\s+([^>]*?)/?>", img, html, flags=re.I)
    html = re.sub(r"<iframe\b([^>]*)>", r'<amp-iframe\1 layout="responsive" sandbox="allow-scripts allow-same-origin">',
                  html, flags=re.I)
    html = html.replace("</iframe>", "</amp-iframe>")

    def tweet(match: re.Match[str]) -> str:
        block = match.group(0)
        ids = re.findall(r"twitter\.com/[^/\"]+/status(?:es)?/(\d+)", block)
        tweet_id = ids[-1] if ids else "0"
        placeholder = block.replace('class="twitter-tweet"', 'placeholder class="twitter-tweet"', 1)
        return (f'<amp-twitter width="375" height="472" layout="responsive" data-tweetid="{tweet_id}">'
                f"{placeholder}</amp-twitter>")

    return re.sub(r'<blockquote class="twitter-tweet".*?</blockquote>', tweet, html, flags=re.S)


def render_amp(spec: NewsSpec, *, bot: bool = False, server_offset: str = "+05:30", year: int = 2025) -> str:
    """``{canonical}?amp`` (§3.1): own layout, relative og:url, caption = ImageCopyright only."""
    _parse_offset(server_offset)
    title = spec.title.strip()
    canonical = canonical_url(spec)
    keywords = ", ".join(distinct_tags(spec.tags, 10))
    image = _img(spec, 1280)
    headline = ("Opinion: " if spec.sub_type == "Opinion" else "") + title
    author = spec.author if spec.type == "Blog" and spec.author else spec.source
    if spec.type == "LiveBlog":
        # Raw UTC DateTime.ToString() in the en-US culture (§3.1: do not trust these).
        def net(dt: datetime) -> str:
            d = dt.astimezone(timezone.utc)
            return f"{d.month}/{d.day}/{d.year} {(d.hour % 12) or 12}:{d:%M:%S} {'AM' if d.hour < 12 else 'PM'}"

        ld = (
            '<script type="application/ld+json">\n         {\n         "@context":"https://schema.org",\n'
            '         "@type":"LiveBlogPosting",\n'
            f'         "url":"{razor(article_path(spec))}",\n         "coverageStartTime":"{net(spec.created_on)}",\n'
            f'         "headline":"{razor(title[:100])}",\n'
            f'         "datePublished":"{net(spec.published_on)}",\n         "dateModified":"{net(spec.modified_on)}",\n'
            f'         "keywords":"{razor(keywords)}",\n         "liveBlogUpdate":[],\n'
            f'         "@id":"{razor(article_path(spec))}"\n         }}\n</script>'
        )
    else:
        ld = (
            '<script type="application/ld+json">\n        {\n        "@context": "https://schema.org",\n'
            '        "@type": "NewsArticle",\n        "mainEntityOfPage": {\n        "@type": "WebPage",\n'
            f'        "@id": "{razor(article_path(spec))}"\n        }},\n'
            f'        "headline": "{razor(headline)}",\n'
            '        "image": {\n        "@context": "http://schema.org",\n        "@type": "ImageObject",\n'
            f'        "width": "100px",\n        "height": "100px",\n        "url": "{razor(image)}"\n        }},\n'
            f'        "datePublished": "{_machine(spec.published_on, server_offset)}",\n'
            f'        "dateModified": "{_machine(spec.modified_on, server_offset)}",\n'
            f'        "author": {{\n        "@type": "Person",\n        "name": "{razor(author)}"\n        }},\n'
            '        "publisher": {\n        "@type": "Organization",\n        "name": "Devdiscourse",\n'
            '        "logo": {\n        "@type": "ImageObject",\n'
            '        "url": "https://www.devdiscourse.com/AdminFiles/Logo/devdiscourse_news.png"\n        }\n        },\n'
            f'        "description": {_amp_jsonld_description(spec.description_html)},\n'
            "        }\n    </script>"
        )
    subtitle = f'\n    <h2 class="sub-title">{razor(spec.subtitle)}</h2>' if spec.subtitle else ""
    name, sslug = sector_name(spec.sector_ids), sector_slug(spec.sector_ids)
    sector = (
        f'<li><a href="/news/{sslug}" target="_top"><span class="text-capitalize">{razor(name)}</span></a></li>'
        if name else ""
    )
    source = (spec.source or "").strip()
    source_link = ""
    if source and spec.type != "Blog":
        href = SOURCE_LINKS.get(source, f"/news-source/{source}")
        if spec.author:
            source_link = f'<a class="no-text-decoration" href="{razor(href)}">{razor(source)}</a>'
        else:
            # The Author-less branch of the template writes the list links with a trailing slash.
            href = href if href in ("/pr-newswire",) or href.startswith("/news-source/") else href + "/"
            source_link = f'<a class="no-text-decoration" href="{razor(href)}">{razor(source)}</a>'
    author_link = ""
    if spec.type == "Blog" and spec.author:
        avatar = f"/img?imageUrl={spec.themes}" if spec.themes else "/AdminFiles/Logo/img_avatar.png?"
        author_link = (
            f'\n                <a class="no-text-decoration" href="/Home/AuthorArticles?fl={razor(spec.author.strip())}">\n'
            f'                    <amp-img class="img-avt" layout="fixed" width="30" height="30" '
            f'src="{razor(avatar)}&width=30&height=30&mode=crop" alt="{razor(spec.author.strip())}"> '
            f'<amp-img alt="{razor(spec.author.strip())}" fallback width="30" height="30" '
            'src="/AdminFiles/Logo/img_avatar.png?width=30&height=30&mode=crop"></amp-img> </amp-img>'
            f"{razor(spec.author.strip())}\n                </a>"
        )
    city = ""
    if spec.source_url:
        tc = title_case(spec.source_url.lower())
        city = "| Washington DC" if tc == "Washington Dc" else title_case("| " + spec.source_url.lower())
    country = f"| {spec.country.replace(',', ', ')}" if spec.country else ""
    figure = ""
    if has_image(spec):
        figure = (
            f'\n            <amp-img class="full-bottom" src="{razor(_img(spec, 1280))}" alt="{razor(spec.title)}" '
            'layout="responsive" width="1280" height="1040"></amp-img>\n\n'
            f'            <p class="img-caption">\n                <small>\n                    {razor(spec.image_copyright or "")}\n'
            "                </small>\n            </p>\n"
        )
    notes = "".join(f"\n            <p>{razor(n)}</p>" for n in disclaimer_notes(spec, bot))
    first_published = (
        f'\n            <div class="ad"> <span class="left badge">FIRST PUBLISHED ON: </span> '
        f'<span class="right">{razor(spec.source)}</span> </div>'
        if spec.type == "Blog" and spec.source else ""
    )
    tag_html = ""
    tags = distinct_tags(spec.tags, 20)
    if tags:
        # The template orders tags by Guid.NewGuid() (random); we shuffle reproducibly per article.
        random.Random(spec.news_id).shuffle(tags)
        links = "".join(f'<a href="/news?tag={razor(quote_plus(t))}" class="tag">{razor(t)}</a>\n' for t in tags)
        tag_html = f'\n        <div class="m-b-10">\n            <h3 class="page-title">READ MORE ON</h3> {links}        </div>'
    return (
        "<!doctype html>\n"
        '<html \u26a1 lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<script async src="https://cdn.ampproject.org/v0.js"></script>\n'
        f"<title>{razor(title)}</title>\n"
        f'<link rel="canonical" href="{razor(canonical)}">\n'
        '<meta name="viewport" content="width=device-width,minimum-scale=1,initial-scale=1">\n'
        f'<meta name="description" content="Read more about {razor(title)} on Devdiscourse.">\n'
        f'<meta name="keywords" content="{razor(keywords)}">\n'
        f'<meta name="news_keywords" content="{razor(keywords)}">\n'
        '<meta name="robots" content="index, follow, noodp, noydir">\n'
        '<meta property="og:type" content="article">\n<meta property="og:site_name" content="Devdiscourse">\n'
        # §3.1: Url.Content("~") prefix → not absolute.
        f'<meta property="og:url" content="{razor(article_path(spec))}">\n'
        f'<meta property="og:title" content="{razor(title)}">\n'
        f'<meta property="og:image" content="{razor(image)}">\n'
        '<meta name="twitter:card" content="summary_large_image">\n'
        f'<meta name="twitter:image:src" content="{razor(image)}">\n'
        f"{_AMP_BOILERPLATE}\n"
        '<script async custom-element="amp-twitter" src="https://cdn.ampproject.org/v0/amp-twitter-0.1.js"></script>\n'
        '<script async custom-element="amp-iframe" src="https://cdn.ampproject.org/v0/amp-iframe-0.1.js"></script>\n'
        '<script async custom-element="amp-list" src="https://cdn.ampproject.org/v0/amp-list-0.1.js"></script>\n'
        '<script async custom-template="amp-mustache" src="https://cdn.ampproject.org/v0/amp-mustache-0.2.js"></script>\n'
        '<script async custom-element="amp-analytics" src="https://cdn.ampproject.org/v0/amp-analytics-0.1.js"></script>\n'
        '<style amp-custom>body{padding-bottom:43px;padding-top:54px}.fg-orange{color:#ff6a00}.title{font-size:30px;'
        "line-height:36px;font-weight:500;margin:20px 0}.sub-title{font-size:18px;line-height:24px}.source{font-size:13px}"
        ".meta{font-size:12px;color:#666}.img-caption{padding:3px 15px;color:#666;background-color:#ebebeb;margin:0}"
        ".tag{display:inline-block;padding:4px 13px 5px 13px;margin:5px;border-radius:20px}</style>\n"
        "</head>\n<body>\n"
        '<header class="amp-header"><a href="/"><amp-img src="/AdminFiles/Logo/ic_logo_amp.png" width="200" height="30" '
        'alt="Devdiscourse"></amp-img></a></header>\n'
        f"{ld}\n"
        '<div class="advertisement-area"> <div class="advertisement-title">Advertisement</div><amp-embed width="320" '
        'height="50" type="doubleclick" data-slot="devdiscourse_320x50_AMP_HB"> </amp-embed> </div>'
        f'<div class="news-box">\n    <h1 class="title">{razor(spec.title)}</h1>{subtitle}'
        f'<ul class="sector">\n        {sector}\n    </ul> <p class="source">\n            {source_link}{author_link}'
        f"{razor(city)} {razor(country)}\n        </p>"
        f'<div class="meta"> Updated: {_visible(spec.modified_on)} IST | Created: {_visible(spec.published_on)} IST </div>\n'
        "</div>\n"
        f'<div class="cont-container">{figure}</div>\n'
        '<div class="news-box">\n    <div class="description">\n        '
        f"{_amp_body(clean_description(spec.description_html))}{notes}{first_published}\n    </div>{tag_html}\n</div>\n"
        '<div class="news-box p-t-20">\n    <div class="also-container">\n        <h3 class="ar-title">READ MORE</h3>\n'
        f'        <amp-list src="/api/SearchApi/AmpRelatedNews/{spec.news_id}/Global Edition/{razor(spec.sector_ids)}" '
        'width="auto" height="280" class="blogList">\n            <template type="amp-mustache">\n'
        '                <div class="also-title"><a href="{{url}}?amp" class="no-text-decoration v-a-m">{{title}}</a></div>\n'
        "            </template>\n        </amp-list>\n    </div>\n</div>\n"
        f'<footer class="amp-footer"><p>\u00a9 Copyright {year} Devdiscourse</p></footer>\n'
        "</body>\n</html>\n"
    )


# ----------------------------------------------------------------------------------------------
# Mobile / LiveBlog (Views/Article/Mobile.cshtml)
# ----------------------------------------------------------------------------------------------

def render_mobile(
    spec: NewsSpec,
    *,
    bot: bool = False,
    server_tz_offset: str = "+05:30",
    year: int = 2025,
    badges: Literal["label-span", "bare-label"] = "label-span",
) -> str:
    """The ``Mobile`` view (§3.2), served for ``Type == "LiveBlog"`` and ``/mobilearticle/{id}/{reg}``.

    Dates are ``ToLocalTime()``: UTC shifted by ``server_tz_offset`` yet labelled IST. ``bot`` here is
    the view's case-sensitive ``Contains("bot")``. No NewsArticle JSON-LD, no ``meta[itemprop]`` dates.
    ``badges``: the markup of the "READ MORE ON :" / "COUNTRY :" rows §3.2 names but does not show: the label in
    a span of its own, one badge per tag and country (``label-span``), or the label as the row's bare text and the
    whole Country list in one badge (``bare-label``, as a mirror written blind from the spec renders it).
    """
    local = _parse_offset(server_tz_offset)

    def local_time(dt: datetime) -> str:
        return (dt.astimezone(timezone.utc) + local).strftime("%d-%m-%Y %H:%M")

    head = _head(spec, machine_dates=None, extra='<link href="/Content/article.css" rel="stylesheet" />\n')
    second = (
        '<a href="/stories" target="_top" itemprop="item"><span itemprop="name">News</span></a>'
        if spec.type == "News"
        else '<a href="/blogs" target="_top" itemprop="item"><span itemprop="name">Live Blogs</span></a>'
    )
    if spec.label:
        third = (f'<a href="/stories/{razor(spec.label.lower())}" target="_top" itemprop="item">'
                 f'<span itemprop="name" class="text-capitalize">{razor(spec.label[:1].upper() + spec.label[1:])}</span></a>')
    else:
        third = ('<a href="/news/All" target="_top" itemprop="item"><span itemprop="name" class="text-capitalize">'
                 "Agency-Wire</span></a>")
    meta: list[str] = ['<a href="/devdiscourse-stories/">Devdiscourse News Desk</a>']
    if spec.type == "Blog" and spec.author:
        meta.append(f'<span class="meta-divider"></span>\n                            <span>\n'
                    f'                                <a href="/Home/AuthorArticles?fl={razor(spec.author)}">{razor(spec.author)}</a>\n'
                    "                            </span>")
    if spec.source_url:
        meta.append(f'<span class="meta-divider"></span>\n                            '
                    f'<span class="text-capitalize">{razor(spec.source_url.lower())}</span>')
    if spec.country:
        meta.append(f'<span class="meta-divider"></span>\n                            '
                    f'<span class="text-capitalize">{razor(spec.country.split(",")[0])}</span>')
    image = ""
    if has_image(spec):
        image = (
            '<div class="article-image-container">\n'
            f'                            <img src="{razor(_img(spec, 920))}" class="img-responsive m-b-10 center-block" '
            f'title="{razor(spec.title)}" alt="{razor(spec.title)}" />\n'
            '                            <p class="meta" style="margin-bottom:5px;">\n'
            f"                                {razor(spec.image_caption or '')} {razor(spec.image_copyright or '')}\n"
            "                            </p>\n                        </div>"
        )
    notes = "".join(f"\n                            <p>{razor(n)}</p>" for n in disclaimer_notes(spec, bot))
    badge_row = ""
    tags = distinct_tags(spec.tags, 20)
    if tags and badges == "bare-label":
        random.Random(spec.news_id + 1).shuffle(tags)
        badge_row += "<div>READ MORE ON : " + "".join(f'<span class="badge">{razor(t)}</span>' for t in tags) + "</div>"
    elif tags:
        random.Random(spec.news_id + 1).shuffle(tags)  # OrderBy(Guid.NewGuid()) in the view
        links = "".join(
            f'\n                                    <a href="/news?tag={razor(quote_plus(t))}&amp;sector=All" class="badge tag">{razor(t)}</a>'
            for t in tags
        )
        badge_row += ('\n                            <div>\n                                <span class="fg-black f-18">\n'
                   "                                    READ MORE ON :\n                                </span>\n"
                   f"                                <span>{links}\n                                </span>\n"
                   "                            </div>")
    if spec.country and badges == "bare-label":
        badge_row += f'<div>COUNTRY : <span class="badge">{razor(spec.country)}</span></div>'
    elif spec.country:
        spans = "".join(f'\n                                        <span class="badge">{razor(c)}</span>'
                        for c in spec.country.split(","))
        badge_row += ('\n                            <div>\n                                <span class="fg-black f-18">\n'
                   "                                    COUNTRY :\n                                </span>"
                   f"{spans}\n                            </div>")
    subtitle = f'\n                    <h2 class="subtitle"> {razor(spec.subtitle)}</h2>' if spec.subtitle else ""
    body = (
        f"{_header()}"
        '<div class="renderBody">\n<div class="container">\n'
        '    <meta itemprop="sourceOrganization" content="Devdiscourse" />\n'
        '    <meta itemprop="publisher" content="Devdiscourse" />\n'
        '    <ul class="breadcrumb breadcrumb_new" itemscope itemtype="http://schema.org/BreadcrumbList">\n'
        '        <li itemprop="itemListElement" itemscope="" itemtype="http://schema.org/ListItem">\n'
        '            <a href="/" target="_top" itemprop="item"><span itemprop="name">Home</span></a>\n'
        '            <meta itemprop="position" content="1" />\n        </li>\n'
        f'        <li itemprop="itemListElement" itemscope="" itemtype="http://schema.org/ListItem">\n            {second}\n'
        '            <meta itemprop="position" content="2" />\n        </li>\n'
        f'        <li itemprop="itemListElement" itemscope="" itemtype="http://schema.org/ListItem">\n            {third}\n'
        '            <meta itemprop="position" content="2" />\n        </li>\n'
        '        <li class="active">Article</li>\n    </ul>\n'
        '    <div class="row all-row">\n        <div class="col-xs-12 col-md-8">\n            <div class="clearfix">\n'
        '                <em class="live">LIVE</em>\n                <article>\n'
        f'                    <h1 class="title">{razor(spec.title)} </h1>{subtitle}\n'
        '                    <hr class="hrcss" />\n                    <div class="news-meta clearfix">\n'
        f"                        {''.join(meta)}\n"
        '                        <div class="news-date">\n'
        '                            <span class="meta-divider date-divider"></span>\n'
        f"                            <span>Updated: {local_time(spec.modified_on)} IST</span>\n"
        '                            <span class="meta-divider"></span>\n'
        f"                            <span>Created: {local_time(spec.published_on)} IST</span>\n"
        "                        </div>\n"
        '                        <div class="share-links"><a rel="nofollow" class="btn social-btn" href="javascript:void(0);" '
        'title="Share on Facebook"><span class="fa fa-facebook"></span></a><a rel="nofollow" class="btn social-btn" '
        'href="javascript:void(0);" title="share on Twitter"><span class="fa fa-twitter"></span></a></div>\n'
        "                    </div>\n"
        f"                    {image}\n"
        '                    <div class="newsDescArticle clearfix" id="newsDesc">\n'
        f"                        {clean_description(spec.description_html)}{notes}{badge_row}\n"
        "                    </div>\n"
        '                    <div class="f-16 p-t-20 m-t-20" id="news-content" style="border-top:2px solid #ff6a00;">\n'
        "                    </div>\n"
        "                </article>\n"
        '                    <hr />\n                    <a class="btn btn-primary m-b-20 m-t-20 btn-block" rel="nofollow" '
        f'href="/post-comments/{spec.news_id}"><span class="fa fa-comments-o"></span> POST A COMMENT</a>\n'
        "            </div>\n        </div>\n"
        '        <div class="col-md-4 col-xs-12">\n            <aside>\n'
        '                <div class="m-t-20 clearfix" id="opinion"></div>\n'
        '                <div class="clearfix m-t-30" id="sideDiv"> </div>\n'
        '                <div id="videoNews" class="clearfix m-t-20"></div>\n'
        '                <div class="m-t-20 clearfix" id="AlsoRead"></div>\n'
        "            </aside>\n        </div>\n    </div>\n</div>\n</div>\n"
    )
    # The Mobile view's sidebar (<aside>) is filled by JS; nothing server-side.
    carbon = '<link href="/Content/Carbon_Ads.min.css" defer rel="stylesheet" />\n' if not bot else ""
    tail = (
        f"{carbon}"
        '<script src="/Scripts/jquery.signalR-2.2.2.min.js" defer></script>\n'
        "<script>\n"
        f"        var newsId = '{spec.news_id}';\n"
        f"        var label = '{razor(spec.label or '')}' == \"\" ? \"agency-wire\" : '{razor(spec.label or '')}';\n"
        f'        var skip = -1;\n        var _sector = "{razor(spec.sector_ids)}", _id = "{news_guid(spec.news_id)}";\n'
        f"        var pageurl = \"/article/\" + label + \"/\" + '{razor(slug(spec.news_id, spec.title))}';\n"
        f"        $(function () {{ $.get('/api/Search/GetSubBlogs/{spec.news_id}/1', function (d) {{ }}); }});\n"
        "</script>\n</body>\n</html>\n"
    )
    return head + body + _feedback_and_footer(year) + tail


# ----------------------------------------------------------------------------------------------
# Error page, listings, discovery endpoints
# ----------------------------------------------------------------------------------------------

def render_error_page() -> str:
    """What an unknown NewsId produces (§1.2): an unmapped HttpException → generic 500 error page."""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1.0" />\n'
        "<title>Error - Devdiscourse</title>\n</head>\n<body>\n"
        '<div class="container body-content">\n'
        '<h1 class="text-danger">Error.</h1>\n'
        '<h2 class="text-danger">An error occurred while processing your request.</h2>\n'
        "<p>Request ID: <code>|a1b2c3d4-4f1e2d3c4b5a6978.</code></p>\n"
        "</div>\n</body>\n</html>\n"
    )


def select_pti_stories(specs: Iterable[NewsSpec], now: datetime) -> list[NewsSpec]:
    """``PTIController.News``: Source PTI, Type News, created in the last 30 days, newest first."""
    cutoff = now - timedelta(days=30)
    chosen = [s for s in specs if s.source == "PTI" and s.type == "News" and s.created_on > cutoff]
    return sorted(chosen, key=lambda s: s.created_on, reverse=True)


def select_devdiscourse_stories(specs: Iterable[NewsSpec]) -> list[NewsSpec]:
    """``PTIController.DevdiscourseNews``: desk-written News, no date limit, newest ModifiedOn first."""
    chosen = [s for s in specs if s.source == "Devdiscourse News Desk" and s.type == "News"]
    return sorted(chosen, key=lambda s: s.modified_on, reverse=True)


def _pager(base: str, page: int, page_count: int) -> str:
    """X.PagedList default pager (``ul.pagination``), at most 10 page numbers."""
    if page_count <= 1:
        return ""
    first = max(1, min(page - 5, page_count - 9))
    last = min(page_count, first + 9)
    items: list[str] = []
    if page > 1:
        items.append(f'<li class="PagedList-skipToPrevious"><a href="{base}?page={page - 1}" rel="prev">&#xAB;</a></li>')
    for n in range(first, last + 1):
        if n == page:
            items.append(f'<li class="active"><a>{n}</a></li>')
        else:
            items.append(f'<li><a href="{base}?page={n}">{n}</a></li>')
    if page < page_count:
        items.append(f'<li class="PagedList-skipToNext"><a href="{base}?page={page + 1}" rel="next">&#xBB;</a></li>')
    return f'<div class="pagination-container"><ul class="pagination">{"".join(items)}</ul></div>'


def _listing_head(title: str, canonical: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en" dir="ltr">\n<head>\n'
        '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0" />\n'
        f"<title>{razor(title)}</title>\n"
        f'<meta name="description" content="{razor(title)} - Devdiscourse" />\n'
        '<meta name="robots" content="index, follow, noodp, noydir" />\n'
        '<meta property="og:type" content="website" />\n<meta property="og:site_name" content="Devdiscourse" />\n'
        f'<link rel="canonical" href="{razor(canonical)}" />\n'
        f"{_CSS_LINKS}</head>\n"
    )


def render_listing(
    kind: ListingKind,
    items: Sequence[NewsSpec],
    page: int = 1,
    *,
    tag: str | None = None,
    now: datetime | None = None,
    year: int = 2025,
) -> str:
    """HTML list pages (§1.3).

    ``pti-stories`` / ``devdiscourse-stories``: ``items`` is the full, already selected and ordered list
    (see ``select_*``); 20 per page; the devdiscourse pager wrongly links to ``/pti-stories``.
    ``tag``: ``/news?tag={tag}``; its items arrive by XHR, so ``items`` is ignored (no cards server-side).
    """
    now = now or datetime(year, 3, 21, 18, 0, tzinfo=timezone.utc)
    if kind == "tag":
        if tag is None:
            raise ValueError("render_listing('tag', …) needs tag=")
        main = (
            f'<h1 class="section-title"><span>{razor(tag)}</span></h1>\n'
            '<div id="tagNews" class="row"></div>\n'
            '<div class="text-center"><button class="btn btn-default" id="loadMore">Load More</button></div>\n'
        )
        script = (
            f"<script>var tag = '{razor(tag)}'; var page = 1; function load() {{ "
            "$.get('/api/Search/GetTagsNews/' + encodeURIComponent(tag) + '/Global%20Edition/' + page, function (d) { "
            "page++; }); } $(load); $('#loadMore').on('click', load);</script>\n"
        )
        title, canonical = f"{tag} News", f"{SITE}/news?tag={quote_plus(tag)}"
    else:
        page_size = 20
        page = max(page, 1)
        page_count = math.ceil(len(items) / page_size)
        chunk = items[(page - 1) * page_size: page * page_size]
        heading = "PTI Stories" if kind == "pti-stories" else "Devdiscourse Stories"
        cards = "".join(
            '<div class="media news-item">'
            f'<div class="media-left"><a href="{razor(article_path(s))}"><img class="media-object lazyload" '
            f'data-src="{razor(_img(s, 200))}&amp;height=130&amp;mode=crop" alt="{razor(s.title)}" width="200" height="130" /></a></div>'
            f'<div class="media-body"><a href="{razor(article_path(s))}"><h4 class="media-heading">{razor(s.title)}</h4></a>'
            f'<p class="small text-muted">{razor(_time_ago(s.created_on, now))}'
            f'{" | " + razor(s.country.split(",")[0]) if s.country else ""}</p></div></div>\n'
            for s in chunk
        )
        # PTIController.DevdiscourseNews reuses the PTI pager URL (§1.3).
        main = (
            f'<h1 class="section-title"><span>{heading}</span></h1>\n'
            f'<div class="news-list">\n{cards}</div>\n'
            f"{_pager('/pti-stories', page, page_count)}\n"
        )
        script = ""
        title, canonical = f"{heading} | Devdiscourse", f"{SITE}/{kind}"
    return (
        _listing_head(title, canonical)
        + _header()
        + '<div class="renderBody">\n<div class="container">\n<div class="row">\n<div class="col-md-8">\n'
        + main
        + "</div>\n"
        + _sidebar(DEFAULT_CONTEXT)
        + "</div>\n</div>\n</div>\n"
        + _feedback_and_footer(year)
        + script
        + "</body>\n</html>\n"
    )


def select_sitemap(specs: Iterable[NewsSpec], now: datetime) -> list[NewsSpec]:
    """``RSSController.GoogleNews`` selection: CreatedOn > today − 2 days + 12 h, newest ModifiedOn, ≤ 500."""
    today = now.astimezone(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    cutoff = today - timedelta(days=2) + timedelta(hours=12)
    chosen = [s for s in specs if s.created_on > cutoff]
    return sorted(chosen, key=lambda s: s.modified_on, reverse=True)[:500]


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_google_news_sitemap(
    specs: Iterable[NewsSpec],
    *,
    now: datetime | None = None,
    link_base: str = SITE,
    server_offset: str = "+05:30",
) -> bytes:
    """``/RSS/GoogleNews`` (§1.4) as UTF-8 bytes whose declaration claims ``utf-16`` (StringBuilder quirk).

    With ``now`` the controller's selection is applied (``select_sitemap``); without it the given specs
    are listed in the given order. ``<loc>`` uses the 150-char slug; ``link_base`` lets a loopback mirror
    point ``<loc>`` at itself (default: the real host).
    """
    chosen = select_sitemap(specs, now) if now is not None else list(specs)
    parts = [
        '<?xml version="1.0" encoding="utf-16"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9" '
        'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">',
    ]
    for spec in chosen:
        loc = link_base.rstrip("/") + article_path(spec, cut=150)
        keywords = ", ".join(distinct_tags(spec.tags, 10))
        entry = [
            "<url>",
            f"<loc>{_xml_text(loc)}</loc>",
            "<news:news><news:publication><news:name>Devdiscourse</news:name><news:language>en</news:language>"
            "</news:publication>",
            f"<news:publication_date>{_machine(spec.published_on, server_offset)}</news:publication_date>",
            f"<news:title><![CDATA[{spec.title}]]></news:title>",
        ]
        if keywords:
            entry.append(f"<news:keywords>{_xml_text(keywords)}</news:keywords>")
        entry.append("</news:news>")
        entry.append(f"<lastmod>{_machine(spec.modified_on, server_offset)}</lastmod>")
        if has_image(spec):
            entry.append(f"<image:image><image:loc><![CDATA[{SITE}/img?imageUrl={original_image(spec)}&width=960]]>"
                         "</image:loc></image:image>")
        entry.append("</url>")
        parts.append("".join(entry))
    parts.append("</urlset>")
    return "\n".join(parts).encode("utf-8")


def _net_json_string(text: str) -> str:
    """System.Text.Json default escaping: HTML-sensitive and non-ASCII chars as ``\\uXXXX``."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ch in "\"&'+<>`" or code < 0x20 or code > 0x7E:
            if code > 0xFFFF:
                code -= 0x10000
                out.append(f"\\u{0xD800 + (code >> 10):04X}\\u{0xDC00 + (code & 0x3FF):04X}")
            else:
                out.append(f"\\u{code:04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _net_json(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _net_json_string(value)
    if isinstance(value, list):
        return "[" + ",".join(_net_json(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{_net_json_string(k)}:{_net_json(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


def net_datetime(dt: datetime) -> str:
    """A UTC DateTime as System.Text.Json writes it: no offset, fraction trimmed of trailing zeros."""
    d = dt.astimezone(timezone.utc)
    text = d.strftime("%Y-%m-%dT%H:%M:%S")
    fraction = f"{d.microsecond:06d}0".rstrip("0")
    return text + ("." + fraction if fraction else "")


def _latest_news_view(spec: NewsSpec) -> dict[str, object]:
    return {
        "id": news_guid(spec.news_id),
        "title": spec.title,
        "createdOn": net_datetime(spec.created_on),
        "imageUrl": spec.image_url,
        "newId": spec.news_id,
        "label": spec.label,
        "country": spec.country or None,
        "sector": None,
        "type": None,
        "subType": None,
        "srNo": 0,
        "ranking": 0,
    }


def render_get_all_news(specs: Iterable[NewsSpec], page: int) -> str:
    """``/api/Search/GetAllNews/{page}``: all items by CreatedOn desc, 20 per page; past the end ``[]``.

    Pages are 1-based; like LINQ ``Skip`` of a negative count, page 0 behaves as page 1.
    """
    ordered = sorted(specs, key=lambda s: s.created_on, reverse=True)
    start = max(page - 1, 0) * 20
    return _net_json([_latest_news_view(s) for s in ordered[start:start + 20]])


SUB_BLOGS_PER_PAGE = 10


def render_sub_blogs(spec: NewsSpec | None, page: int) -> str:
    """``/api/Search/GetSubBlogs/{newsId}/{page}`` (§3.2): the live blog's updates, newest first, 10 per page;
    ``[]`` past the end and for an id with no updates (a LINQ ``Where(ParentId == id)``)."""
    rows = sorted(spec.live_updates, key=lambda u: u.created_on, reverse=True) if spec is not None else []
    start = max(page - 1, 0) * SUB_BLOGS_PER_PAGE
    return _net_json([
        {"id": u.id, "title": u.title, "description": u.description_html, "imageUrl": u.image_url,
         "imageCopyright": u.image_copyright, "createdOn": net_datetime(u.created_on)}
        for u in rows[start:start + SUB_BLOGS_PER_PAGE]
    ])


def render_tags_news(specs: Iterable[NewsSpec], tag: str, page: int, now: datetime) -> str:
    """``/api/Search/GetTagsNews/{tag}/{edition}/{page}``: Tags contains tag, last 40 days, 20 per page."""
    cutoff = now - timedelta(days=40)
    chosen = [
        s for s in specs if s.created_on > cutoff and any(t.strip().lower() == tag.lower() for t in s.tags)
    ]
    chosen.sort(key=lambda s: s.created_on, reverse=True)
    start = max(page - 1, 0) * 20
    return _net_json([_latest_news_view(s) for s in chosen[start:start + 20]])


def render_robots_txt() -> str:
    """robots.txt is not in the repo (§5); this stand-in allows every path the crawler uses."""
    return (
        "User-agent: *\n"
        "Disallow: /Account/\n"
        "Disallow: /Manage/\n"
        "Disallow: /DevNews/\n"
        "Disallow: /Home/AdvancedSearch\n"
        "Disallow: /post-comments/\n"
        "Disallow: /api/Search/GetArticleAiSummary/\n"
        "\n"
        "User-agent: GPTBot\n"
        "Disallow: /\n"
    )


def parse_jsonld_tolerant(block: str) -> dict[str, object]:
    """The §2.2 fix for the desktop/AMP NewsArticle block: cut before ``"description"`` and close."""
    cut = block[: block.rfind('"description"')].rstrip().rstrip(",") + "}"
    value = json.loads(cut)
    if not isinstance(value, dict):
        raise ValueError("NewsArticle JSON-LD is not an object")
    return value
