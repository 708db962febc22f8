"""Regenerate ``tests/fixtures/devdiscourse/<case>.{html,url,json}`` from NewsSpecs.

    python -m tests.sitegen.make_fixtures            # rewrite every case
    python -m tests.sitegen.make_fixtures --check    # exit 1 if any file differs (no writes)
    python -m tests.sitegen.make_fixtures CASE…      # only these cases

The ``.html`` is the page exactly as ``tests.sitegen.devdiscourse`` renders it (UTF-8); the ``.json`` is
the parser output we *expect*, computed by ``expected_article`` from the NewsSpec and the rendering
options (view, bot, revision) — never by parsing the HTML — so the two are independent witnesses.
``null`` marks a non-article page.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Literal

from tests.sitegen.corpus import Body, corpus, seed_spec, utc
from tests.sitegen.devdiscourse import (
    AI_IMAGE_CAPTION,
    BLOG_DISCLAIMER,
    SITE,
    SYNDICATED_NOTE,
    TEMPLATE_WIRES,
    NewsSpec,
    Revision,
    canonical_url,
    disclaimer_notes,
    distinct_tags,
    has_image,
    original_image,
    render_amp,
    render_desktop,
    render_error_page,
    render_listing,
    render_mobile,
    sector_name,
    select_devdiscourse_stories,
    select_pti_stories,
    title_case,
    to_ist,
)

logger = logging.getLogger(__name__)

FIXTURE_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "devdiscourse"
AGENCY_NAMES = ("Reuters", "PTI", "IANS", "ANI", "AFP")
View = Literal["desktop", "amp", "mobile"]


# ----------------------------------------------------------------------------------------------
# Expected parser output, from the spec
# ----------------------------------------------------------------------------------------------

def _collapse(text: str | None) -> str | None:
    if text is None:
        return None
    out = " ".join(text.split())
    return out or None


def _dateline(spec: NewsSpec, view: View) -> str | None:
    if not spec.source_url:
        return None
    city = spec.source_url.lower()
    if view == "mobile":
        return title_case(city)  # shown lower-case in span.text-capitalize
    if view == "amp":
        shown = title_case(city)
        return "Washington DC" if shown == "Washington Dc" else shown
    if "washington" in city:
        return "Washington DC"
    if city == "losangeles":
        return "Los Angeles"
    return title_case(city)


def _agencies(byline_source: str | None, notes: list[str]) -> list[str]:
    found: list[str] = []
    if byline_source in AGENCY_NAMES:
        found.append(byline_source)
    for note in notes:
        hits = sorted((m.start(), name) for name in AGENCY_NAMES for m in re.finditer(rf"\b{name}\b", note))
        found.extend(name for _, name in hits)
    return list(dict.fromkeys(found))


def expected_article(
    spec: NewsSpec,
    *,
    view: View | None = None,
    bot: bool = False,
    revision: Revision = "head",
    server_tz_offset: str = "+05:30",
) -> dict[str, object]:
    """The parser + cleaning output a correct Devdiscourse parser should produce for this page.

    ``view`` defaults to what the article URL serves (LiveBlog → mobile, else desktop). ``revision``
    does not change the output (that is the point of the parser's cross-revision anchors).
    """
    del revision  # same fields on both template revisions
    view = view or ("mobile" if spec.type == "LiveBlog" else "desktop")
    is_blog = spec.type == "Blog"
    notes = [b.text for b in spec.body_blocks if b.role == "note"] + disclaimer_notes(spec, bot)
    credits = [b.text for b in spec.body_blocks if b.role == "credit"]
    texts = [b.text for b in spec.body_blocks if b.role == "text" and b.text]

    if view == "mobile":
        byline_source: str | None = "Devdiscourse News Desk"  # hard-coded in Mobile.cshtml
        byline = spec.author.strip() if is_blog and spec.author.strip() else byline_source
    elif is_blog:
        byline_source = None
        byline = spec.author.strip() or None
    else:
        byline_source = spec.source.strip() or None
        byline = byline_source
    authors = [spec.author.strip()] if is_blog and spec.author.strip() else []

    image_url = image_caption = image_credit = image_disclaimer = None
    if has_image(spec):
        image_url = original_image(spec)
        copyright_ = (spec.image_copyright or "").strip()
        if copyright_:
            image_credit = copyright_.split("Image Credit:", 1)[-1].strip() or None
        caption = (spec.image_caption or "").strip()
        if view != "amp" and caption:  # AMP shows ImageCopyright only (§3.1)
            if caption.startswith("This image is AI-generated"):
                image_disclaimer = caption
            else:
                image_caption = caption

    countries = [c.strip() for c in spec.country.split(",") if c.strip()]
    if view == "mobile":
        # ToLocalTime(): UTC + server offset, minutes only, labelled IST.
        sign = -1 if server_tz_offset.startswith("-") else 1
        hh, mm = server_tz_offset[1:].split(":")
        shift = sign * timedelta(hours=int(hh), minutes=int(mm))

        def stamp(dt: datetime) -> str:
            local = (dt.astimezone(timezone.utc) + shift).replace(second=0, microsecond=0, tzinfo=None)
            return local.isoformat() + "+05:30"
    else:
        def stamp(dt: datetime) -> str:
            return to_ist(dt).replace(microsecond=0).isoformat()

    if spec.type == "LiveBlog":
        article_type = "live-blog"
    elif is_blog:
        article_type = (spec.sub_type or "blog").lower()
    elif spec.source.strip() == "PR Newswire":
        article_type = "press-release"
    else:
        article_type = "news"

    return {
        "url": canonical_url(spec),
        "outlet": "devdiscourse",
        "outlet_id": str(spec.news_id),
        "label": spec.label or None,
        "title": _collapse(spec.title),
        "subtitle": _collapse(spec.subtitle),
        "body": "\n\n".join(texts),
        "live_updates": [],  # not on the page: the spider reads them from the update feed (expected_live_updates)
        "editorial_note": " ".join(notes) or None,
        "credit_line": " ".join(credits) or None,
        "published_at": stamp(spec.published_on),
        "modified_at": stamp(spec.modified_on),
        "byline": byline,
        "authors": authors,
        "dateline": _dateline(spec, view),
        # the mobile byline is the desk's, but the head's article:author still names the wire (§3.2, §2.1)
        "agencies": _agencies(spec.source.strip() if view == "mobile" and spec.source.strip() in TEMPLATE_WIRES
                              else byline_source, notes),
        "with_inputs_from_agencies": any(n.startswith("(With inputs from") for n in notes),
        "syndicated": (
            SYNDICATED_NOTE in notes
            or any("reproduced story" in n for n in notes)
            or byline_source in TEMPLATE_WIRES
        ),
        "image_url": image_url,
        "image_caption": image_caption,
        "image_credit": image_credit,
        "image_disclaimer": image_disclaimer,
        "ai_generated_image": image_disclaimer is not None,
        "country": ", ".join(countries) or None,
        "countries": countries,
        "sector": sector_name(spec.sector_ids),  # mobile: from the inline `_sector` ids (§2.4 fallback)
        "tags": distinct_tags(spec.tags, 10 if view == "amp" else 15),
        "article_type": article_type,
        "language": "en",
        "view": view,
        "paywalled": None,
        "related": [],  # the generated stories carry no inline "Also Read" promos
        "quality": [],  # every generated page shows a headline, an IST-stamped date and a byline
    }


def expected_live_updates(spec: NewsSpec) -> list[dict[str, object]]:
    """The `live_updates` of a live blog's item, as the crawl should emit them: newest first (the site's order),
    text as a reader sees it, the image's original URL and its credit, the UTC time shown in IST (§3.2, §1.4)."""
    def image(url: str | None) -> str | None:
        return None if not url else url if url.startswith("http") else SITE + url

    return [
        {"id": str(u.id), "title": u.title, "text": "\n\n".join(u.text_blocks), "image_url": image(u.image_url),
         "image_credit": (u.image_copyright or "").split("Image Credit:", 1)[-1].strip() or None,
         "published_at": to_ist(u.created_on).replace(microsecond=0).isoformat()}
        for u in sorted(spec.live_updates, key=lambda u: u.created_on, reverse=True)
    ]


# ----------------------------------------------------------------------------------------------
# Fixture specs (one behaviour each)
# ----------------------------------------------------------------------------------------------

def reuters_spec() -> NewsSpec:
    body = (
        Body()
        .p("Japan and South Korea agreed on Friday to resume regular finance dialogues suspended for seven years, "
           "as the two neighbours seek to shore up economic ties amid uncertainty over U.S. trade policy.")
        .p("Finance ministers from the two countries met in Tokyo and said they would cooperate on currency markets, "
           "supply chains and support for Ukraine&#39;s reconstruction, according to a joint statement.")
        .p("&quot;We confirmed that we will continue to communicate closely,&quot; Japan's finance minister told "
           "reporters after the talks, adding that excessive currency moves were undesirable.")
        .p("South Korea's finance ministry said the dialogue would be held annually, alternating between the "
           "two capitals.")
        .credit("(Reporting by Tim Kelly and Joyce Lee; Editing by Ed Davies)")
    )
    description, blocks = body.build()
    published = utc(2025, 3, 21, 9, 52, 37)
    return NewsSpec(
        news_id=3302104, title="Japan, South Korea Revive Finance Dialogue After Seven-Year Pause",
        description_html=description, body_blocks=blocks, label=None, sector_ids="1",
        image_url="https://devdiscourse.blob.core.windows.net/devnews/21_03_2025_15_22_40_5512093.jpg",
        image_caption="Representative Image", image_copyright="Image Credit: Reuters",
        tags=["Japan", "South Korea", "finance dialogue", "currency"], country="Japan,South Korea",
        source="Reuters", original_source="Reuters", author="Reuters", source_url="tokyo",
        created_on=published - timedelta(seconds=41), published_on=published, modified_on=published,
    )


def pti_spec() -> NewsSpec:
    body = (
        Body()
        .p("NEW DELHI, Mar 21 (PTI) The Centre on Friday approved a Rs 22,919 crore scheme to boost domestic "
           "manufacturing of electronic components, Union Minister Ashwini Vaishnaw said.")
        .p("The scheme is expected to attract investments worth Rs 59,350 crore and generate 91,600 direct jobs, "
           "he told reporters after a Cabinet meeting.")
        .p("The incentive will be linked to employment generation, the minister said, adding that the scheme "
           "would run for six years with a one-year gestation period.")
    )
    description, blocks = body.build()
    published = utc(2025, 3, 21, 11, 4, 9)
    return NewsSpec(
        news_id=3302106, title="Cabinet Clears Rs 22,919 Crore Scheme for Electronic Components",
        subtitle=None, description_html=description, body_blocks=blocks, label="national", sector_ids="6,1",
        image_url="/AdminFiles/NewsImages/3302106.jpg", image_caption="Representative image", image_copyright=None,
        tags=["electronics", "manufacturing", "Ashwini Vaishnaw"], country="India",
        source="PTI", original_source="PTI", author="Press Trust of India", source_url="new delhi",
        created_on=published - timedelta(minutes=2), published_on=published, modified_on=published,
    )


def ians_spec() -> NewsSpec:
    body = (
        Body()
        .p("Chennai, March 21 (IANS) The Tamil Nadu government on Friday launched a statewide campaign to "
           "screen 1.2 crore residents for non-communicable diseases over the next three months.")
        .p("Health Minister Ma. Subramanian said mobile teams would visit every village panchayat and urban ward, "
           "with special camps for tea estate and construction workers.")
        .p("Officials said the data would be linked to the state's health registry to track follow-up care.")
    )
    description, blocks = body.build()
    published = utc(2025, 3, 21, 8, 15, 50)
    return NewsSpec(
        news_id=3302107, title="Tamil Nadu Launches Mass Screening Drive for Lifestyle Diseases",
        description_html=description, body_blocks=blocks, label="health", sector_ids="2",
        image_url="https://devdiscourse.blob.core.windows.net/devnews/21_03_2025_13_45_12_2210987.jpg",
        image_caption=None, image_copyright="Image Credit: IANS",
        tags=["Tamil Nadu", "public health", "screening"], country="India",
        source="IANS", original_source="IANS", author="IANS", source_url="chennai",
        created_on=published - timedelta(seconds=75), published_on=published, modified_on=published,
    )


def ani_note_spec() -> NewsSpec:
    body = (
        Body()
        .p("Prime Minister Narendra Modi on Friday held talks with visiting New Zealand Prime Minister Christopher "
           "Luxon, with both sides agreeing to launch negotiations on a comprehensive trade agreement.")
        .p("The leaders also reviewed cooperation in defence, education and agriculture, and signed agreements on "
           "horticulture and customs cooperation.")
        .p("Luxon, who is leading a large business delegation, is scheduled to visit Mumbai on Saturday.")
        .note("(With inputs from ANI)")
    )
    description, blocks = body.build()
    published = utc(2025, 3, 21, 10, 30, 2)
    return NewsSpec(
        news_id=3302108, title="India, New Zealand Launch Talks on Free Trade Agreement",
        subtitle="Prime Minister Modi and Christopher Luxon agreed to begin negotiations on a trade pact and deepen "
                 "defence and education ties during talks in New Delhi.",
        description_html=description, body_blocks=blocks, label="politics", sector_ids="19",
        image_url="https://devdiscourse.blob.core.windows.net/devnews/21_03_2025_16_00_02_7781234.jpg",
        image_caption=AI_IMAGE_CAPTION, tags=["India", "New Zealand", "trade agreement"],
        country="India,New Zealand", source="Devdiscourse News Desk", original_source="ANI",
        author="Devdiscourse News Desk", source_url="new delhi",
        created_on=published - timedelta(minutes=6), published_on=published, modified_on=published,
    )


def afp_spec() -> NewsSpec:
    body = (
        Body()
        .p("Thousands of people marched through Nairobi on Friday to protest against rising living costs, "
           "as police fired tear gas to disperse crowds near parliament.")
        .p("Protesters carried placards denouncing new taxes on fuel and mobile money transfers, which the "
           "government says are needed to reduce borrowing.")
        .p("Rights groups said at least 14 people had been arrested.")
        .bare_note(SYNDICATED_NOTE)
    )
    description, blocks = body.build()
    published = utc(2025, 3, 21, 12, 48, 19)
    return NewsSpec(
        news_id=3302109, title="Kenyans Protest Rising Living Costs as Police Fire Tear Gas",
        description_html=description, body_blocks=blocks, label="international", sector_ids="19",
        image_url="https://devdiscourse.blob.core.windows.net/devnews/21_03_2025_18_18_19_0092211.jpg",
        image_caption="Representative Image", image_copyright="Image Credit: Pixabay",
        tags=["Kenya", "protests", "cost of living"], country="Kenya",
        source="AFP", original_source="AFP", author="Press Trust of India", source_url="nairobi",
        created_on=published - timedelta(seconds=30), published_on=published, modified_on=published,
    )


def opinion_spec() -> NewsSpec:
    body = (
        Body()
        .p("When a city runs out of water, it does not happen overnight. It happens slowly, through decades of "
           "neglected pipes, paved-over wetlands and plans that never leave the drawing board.")
        .heading(2, "A crisis of governance, not of rain")
        .p("Bengaluru received close to its average rainfall last year, yet thousands of households queued for "
           "tankers. The gap between supply and demand is a question of <em>management</em>, not meteorology.")
        .p("Cities that have turned the corner share three traits: they measure every litre, they price water "
           "fairly, and they treat lakes as infrastructure rather than real estate.")
        .note(BLOG_DISCLAIMER)
    )
    description, blocks = body.build()
    published = utc(2025, 3, 20, 6, 0, 44)
    return NewsSpec(
        news_id=3302110, title="Why Our Cities Keep Running Dry", type="Blog", sub_type="Opinion",
        subtitle="Urban water shortages are a failure of planning and governance, and the fixes are well known.",
        description_html=description, body_blocks=blocks, label="lifestyle", sector_ids="12,17",
        image_url="https://devdiscourse.blob.core.windows.net/devnews/20_03_2025_11_30_44_3345678.jpg",
        image_caption="Water tankers in a residential area", image_copyright="Image Credit: Unsplash",
        tags=["water crisis", "urban planning"], country="India",
        source="The Conversation", original_source="", author="Sofía Hernández", source_url=None,
        themes="/AdminFiles/Authors/sofia_hernandez.jpg",
        created_on=published - timedelta(hours=20), published_on=published, modified_on=published,
    )


def interview_spec() -> NewsSpec:
    body = (
        Body()
        .p("<em>Kwame Mensah spoke to Devdiscourse about financing Africa's energy transition.</em>")
        .p("<strong>Q: What is the biggest obstacle to clean energy investment in West Africa?</strong>")
        .p("A: The cost of capital. A solar project in Accra pays two to three times more to borrow than the same "
           "project in Europe, and that premium kills good projects before they start.")
        .p("<strong>Q: Can blended finance close that gap?</strong>")
        .p("A: It can, if guarantees are standardised. Today every deal is negotiated from scratch, which takes years.")
    )
    description, blocks = body.build()
    published = utc(2025, 3, 19, 7, 12, 5)
    return NewsSpec(
        news_id=3302111, title="'Cost of Capital Is the Real Barrier': Kwame Mensah on Africa's Energy Transition",
        type="Blog", sub_type="Interview",
        subtitle="The energy economist explains why clean power projects stall and how guarantees could help.",
        description_html=description, body_blocks=blocks, label=None, sector_ids="7",
        image_url="/AdminFiles/NewsImages/3302111.jpg", image_caption="Kwame Mensah", image_copyright=None,
        tags=["energy transition", "Africa", "blended finance"], country="Ghana",
        source="Devdiscourse", original_source="", author="Kwame Mensah", source_url=None,
        themes="/AdminFiles/Authors/kwame_mensah.jpg",
        created_on=published - timedelta(days=1), published_on=published, modified_on=published,
    )


def no_image_spec() -> NewsSpec:
    body = (
        Body()
        .p("The state election commission on Friday announced that polls to 1,124 urban local bodies will be held "
           "in two phases next month.")
        .p("Counting of votes will take place on April 26, the commission said, adding that the model code of "
           "conduct had come into force with immediate effect.")
        .p("Opposition parties welcomed the announcement but demanded the deployment of central forces.")
    )
    description, blocks = body.build()
    published = utc(2025, 3, 21, 7, 3, 58)
    return NewsSpec(
        news_id=3302112, title="Urban Local Body Polls to Be Held in Two Phases",
        subtitle=None, description_html=description, body_blocks=blocks, label=None, sector_ids="19",
        image_url=None, tags=[], country="India", source="Devdiscourse News Desk", original_source="",
        author="Devdiscourse News Desk", source_url="bhubaneswar",
        created_on=published - timedelta(minutes=1), published_on=published, modified_on=published,
    )


def updated_spec() -> NewsSpec:
    body = (
        Body()
        .p("A magnitude 6.1 earthquake struck off the coast of Sumatra late on Friday, Indonesia's geophysics "
           "agency said, with no immediate reports of casualties.")
        .p("The agency said the quake did not have the potential to trigger a tsunami. Residents in Padang "
           "said buildings swayed for several seconds.")
        .p("Updated: Officials later said two people were injured by falling debris and a school building "
           "had suffered minor damage.")
    )
    description, blocks = body.build()
    published = utc(2025, 3, 21, 17, 50, 21)
    return NewsSpec(
        news_id=3302113, title="Magnitude 6.1 Quake Strikes Off Sumatra; Two Injured",
        subtitle="The quake did not have tsunami potential, the geophysics agency said.",
        description_html=description, body_blocks=blocks, label="international", sector_ids="15",
        image_url="https://devdiscourse.blob.core.windows.net/devnews/21_03_2025_23_20_21_4455667.jpg",
        image_caption=AI_IMAGE_CAPTION, tags=["earthquake", "Indonesia"], country="Indonesia",
        source="Devdiscourse News Desk", original_source="PTI", author="Devdiscourse News Desk",
        source_url="jakarta",
        # Crosses midnight IST: created/published 21-03 23:20 IST, updated 22-03 02:37 IST.
        created_on=published - timedelta(seconds=50), published_on=published,
        modified_on=published + timedelta(hours=3, minutes=17, seconds=13),
    )


def non_ascii_spec() -> NewsSpec:
    body = (
        Body()
        .p("S&atilde;o Paulo&rsquo;s mayor on Friday unveiled a R$2 billion plan to expand the city&rsquo;s water "
           "network &mdash; the largest such investment in two decades &mdash; to serve 1.5 million residents of "
           "the periphery.")
        .p("&ldquo;Água é vida,&rdquo; said Ricardo Nunes at the launch in Jardim Ângela, where households "
           "still depend on tankers. The programme is co-financed by the Inter-American Development Bank &amp; "
           "the state utility Sabesp.")
        .p("Critics, including councillor Sâmia Bomfim, said the timeline&nbsp;was unrealistic and called for "
           "public hearings in each sub-prefecture &ndash; a demand the mayor&#39;s office said it would consider.")
        .p("Residents of Parelheiros and Grajaú said supply interruptions had grown more frequent since the "
           "2014 drought.")
    )
    description, blocks = body.build()
    published = utc(2025, 3, 21, 14, 5, 33)
    return NewsSpec(
        news_id=3302114,
        title='"Água é Vida": São Paulo Unveils R$2 Billion Water Plan — Critics Cry Foul',
        subtitle="The city's mayor says the investment will reach 1.5 million people in the periphery; "
                 "opponents call the timeline unrealistic — and demand hearings.",
        description_html=description, body_blocks=blocks, label="international", sector_ids="12",
        image_url="https://devdiscourse.blob.core.windows.net/devnews/21_03_2025_19_35_33_6677889.jpg",
        image_caption="Residents collect water in Jardim Ângela", image_copyright="Image Credit: Agência Brasil",
        tags=["São Paulo", "água", "Sabesp", "IDB"], country="Brazil",
        source="Devdiscourse News Desk", original_source="Reuters", author="Devdiscourse News Desk",
        source_url="são paulo",
        created_on=published - timedelta(minutes=3), published_on=published, modified_on=published,
    )


def rich_spec() -> NewsSpec:
    body = (
        Body()
        .p("The government on Friday released the results of its annual survey of rural infrastructure, "
           "covering 6.4 lakh villages across 28 states.")
        .image("https://devdiscourse.blob.core.windows.net/devnews/inline_survey_chart.png", "Survey chart")
        .heading(2, "Key findings")
        .items(["<strong>Roads:</strong> 94 per cent of villages are connected by all-weather roads.",
                "<strong>Power:</strong> households reporting 20+ hours of supply rose to 71 per cent.",
                "<strong>Internet:</strong> mobile broadband now reaches 83 per cent of villages."])
        .heading(3, "How the survey was conducted")
        .items(["Field teams visited every gram panchayat between July and December.",
                "Data were validated against satellite imagery.",
                "Results were reviewed by an independent panel."], ordered=True)
        .blockquote("Connectivity is no longer the binding constraint; quality of services is.",
                    "&mdash; Rural Development Secretary")
        .table([["Indicator", "2023", "2024"], ["All-weather roads", "91%", "94%"], ["Broadband", "76%", "83%"]])
        .tweet("Survey results show steady gains in rural connectivity. Full report: <a href=\"https://t.co/abc123\">"
               "https://t.co/abc123</a>", "Ministry of Rural Development", "MoRD_GoI", 1902987654321098765,
               "March 21, 2025", "Xy7Q2mPq9z")
        .heading(4, "Next steps")
        .p("The ministry said the findings would guide allocations under the next phase of the rural roads scheme.")
    )
    description, blocks = body.build()
    published = utc(2025, 3, 21, 6, 40, 12)
    return NewsSpec(
        news_id=3302115, title="Rural Survey Shows Gains in Roads, Power and Broadband",
        subtitle="The annual survey covered 6.4 lakh villages across 28 states.",
        description_html=description, body_blocks=blocks, label="national", sector_ids="17,3",
        image_url="https://devdiscourse.blob.core.windows.net/devnews/21_03_2025_12_10_12_1122334.jpg",
        image_caption="Representative Image", image_copyright="Image Credit: Twitter (@MoRD_GoI)",
        tags=["rural development", "infrastructure", "broadband"], country="India",
        source="Devdiscourse News Desk", original_source="", author="Devdiscourse News Desk", source_url="new delhi",
        created_on=published - timedelta(minutes=4), published_on=published, modified_on=published,
    )


def multi_country_spec() -> NewsSpec:
    body = (
        Body()
        .p("Foreign ministers of India, Bangladesh and Nepal met in Kathmandu on Friday to discuss a regional "
           "power trading arrangement and cross-border rail links.")
        .p("The three countries agreed to set up a joint task force on electricity trade, with the first "
           "transactions expected before the monsoon.")
        .p("Officials said connectivity projects worth USD 1.2 billion were under review.")
    )
    description, blocks = body.build()
    published = utc(2025, 3, 21, 10, 2, 45)
    tags = ["India", "Bangladesh", "Nepal", "power trade", "BBIN", "connectivity", "rail links", "energy",
            "South Asia", "diplomacy", "Kathmandu", "trade", "Trade"]  # last one: case-insensitive duplicate
    return NewsSpec(
        news_id=3302116, title="India, Bangladesh, Nepal Agree on Regional Power Trading Task Force",
        description_html=description, body_blocks=blocks, label="international", sector_ids="19,7",
        image_url="https://devdiscourse.blob.core.windows.net/devnews/21_03_2025_15_32_45_9988776.jpg",
        image_caption="Representative Image", image_copyright="Image Credit: ANI",
        tags=tags, country="India, Bangladesh, Nepal",
        source="ANI", original_source="ANI", author="ANI", source_url="kathmandu",
        created_on=published - timedelta(seconds=20), published_on=published, modified_on=published,
    )


def prnewswire_spec() -> NewsSpec:
    body = (
        Body()
        .p("NEW YORK, March 21, 2025 /PRNewswire/ -- Acme Analytics, a provider of supply-chain software, today "
           "announced the launch of its AI-powered demand forecasting platform for mid-sized retailers.")
        .p("The platform integrates point-of-sale data, weather feeds and promotions calendars to forecast "
           "demand at store level.")
        .heading(3, "About Acme Analytics")
        .p("Acme Analytics serves more than 400 retailers in 30 countries.")
        .items(["Media contact: Jane Smith, press@acme-analytics.example", "Phone: +1 212 555 0100"])
    )
    description, blocks = body.build()
    published = utc(2025, 3, 21, 12, 0, 5)
    return NewsSpec(
        news_id=3302117, title="Acme Analytics Launches AI-Powered Demand Forecasting for Retailers",
        description_html=description, body_blocks=blocks, label=None, sector_ids="6",
        image_url="https://devdiscourse.blob.core.windows.net/devnews/21_03_2025_17_30_05_4433221.jpg",
        image_caption=None, image_copyright="Image Credit: PR Newswire",
        tags=["retail", "artificial intelligence"], country="United States",
        source="PR Newswire", original_source="PR Newswire", author="", source_url="new york",
        created_on=published - timedelta(seconds=5), published_on=published, modified_on=published,
    )


def un_news_spec() -> NewsSpec:
    body = (
        Body()
        .p("Humanitarian needs in Sudan have reached unprecedented levels, with more than 30 million people "
           "requiring assistance, UN agencies warned on Friday.")
        .blockquote("Famine is no longer a risk; it is a reality in parts of the country.",
                    "&mdash; WFP Regional Director")
        .p("The World Food Programme said it had reached 4 million people in February but that funding "
           "shortfalls threatened to halt deliveries by May.")
        .p("The UN refugee agency, UNHCR, said nearly 3.8 million people had fled to neighbouring countries.")
    )
    description, blocks = body.build()
    published = utc(2025, 3, 21, 15, 20, 0)
    return NewsSpec(
        news_id=3302118, title="Sudan Humanitarian Needs at Record High, UN Agencies Warn",
        description_html=description, body_blocks=blocks, label="international", sector_ids="9",
        image_url="https://devdiscourse.blob.core.windows.net/devnews/21_03_2025_20_50_00_1212121.jpg",
        image_caption="Displaced families in Darfur", image_copyright="Image Credit: UN Photo",
        tags=["Sudan", "humanitarian crisis", "WFP", "UNHCR"], country="Sudan,Chad",
        source="UN News", original_source="UN News", author="UN News", source_url="geneva",
        created_on=published - timedelta(minutes=1), published_on=published, modified_on=published,
    )


def amp_spec() -> NewsSpec:
    body = (
        Body()
        .p("Oil prices rose on Friday, heading for a second weekly gain, as fresh U.S. sanctions on Iran and "
           "OPEC+ output plans raised supply concerns.")
        .p("Brent crude futures rose 42 cents, or 0.6%, to $72.42 a barrel by 0649 GMT, while U.S. West Texas "
           "Intermediate crude gained 40 cents to $68.47.")
        .p("Both benchmarks were on track for weekly gains of about 2%, analysts said.")
        .credit("(Reporting by Nicole Jao in New York and Trixie Yap in Singapore; Editing by Christian Schmollinger)")
    )
    description, blocks = body.build()
    published = utc(2025, 3, 21, 7, 5, 26)
    return NewsSpec(
        news_id=3302119, title="Oil Heads for Second Weekly Gain on Iran Sanctions, OPEC+ Plans",
        subtitle="Brent and WTI rose in Asian trade as supply concerns mounted.",
        description_html=description, body_blocks=blocks, label="business", sector_ids="7,1",
        image_url="https://devdiscourse.blob.core.windows.net/devnews/21_03_2025_12_35_26_7654321.jpg",
        image_caption="Representative Image", image_copyright="Image Credit: Reuters",
        tags=["oil prices", "OPEC+", "Iran", "Brent"], country="United States,Iran",
        source="Reuters", original_source="Reuters", author="Reuters", source_url="singapore",
        created_on=published - timedelta(seconds=12), published_on=published, modified_on=published,
    )


def liveblog_spec() -> NewsSpec:
    body = (
        Body()
        .p("Follow live updates as the Election Commission announces results for the Delhi municipal by-elections.")
        .p("Counting began at 8 am across 12 centres amid tight security. Early trends are expected by 10 am.")
        .p("Refresh this page for the latest updates from counting centres.")
    )
    description, blocks = body.build()
    published = utc(2025, 3, 21, 2, 30, 0)  # whole minutes: the Mobile view prints no seconds
    return NewsSpec(
        news_id=3302120, title="LIVE: Delhi Municipal By-Election Results", type="LiveBlog",
        subtitle="Counting of votes for 12 wards is under way; follow the latest trends here.",
        description_html=description, body_blocks=blocks, label="national", sector_ids="19",
        image_url="https://devdiscourse.blob.core.windows.net/devnews/21_03_2025_08_00_00_3030303.jpg",
        image_caption=AI_IMAGE_CAPTION, tags=["Delhi", "elections", "MCD"], country="India, Pakistan",
        source="Devdiscourse News Desk", original_source="", author="Devdiscourse News Desk", source_url="new delhi",
        created_on=published - timedelta(minutes=10), published_on=published,
        modified_on=published + timedelta(hours=2, minutes=45),
    )


# ----------------------------------------------------------------------------------------------
# Cases
# ----------------------------------------------------------------------------------------------

LISTING_NOW = datetime(2025, 3, 21, 18, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Case:
    """One fixture: how to render it, where it is served, and what a parser should return."""

    name: str
    url: str
    render: Callable[[], str]
    expected: Callable[[], dict[str, object] | None] = field(default=lambda: None)


def _article_case(name: str, make: Callable[[], NewsSpec], *, view: View = "desktop", bot: bool = False,
                  revision: Revision = "head", server_offset: str = "+05:30",
                  badges: Literal["label-span", "bare-label"] = "label-span", url: str | None = None) -> Case:
    def render() -> str:
        spec = make()
        if view == "amp":
            return render_amp(spec, bot=bot, server_offset=server_offset)
        if view == "mobile":
            return render_mobile(spec, bot=bot, server_tz_offset=server_offset, badges=badges)
        return render_desktop(spec, revision=revision, bot=bot, server_offset=server_offset)

    url = url or canonical_url(make()) + ("?amp" if view == "amp" else "")
    return Case(name, url, render,
                lambda: expected_article(make(), view=view, bot=bot, revision=revision, server_tz_offset=server_offset))


def _listing_specs() -> list[NewsSpec]:
    return [seed_spec(), *corpus(200)]


CASES: list[Case] = [
    _article_case("seed-desk-with-agencies", seed_spec),
    _article_case("seed-desk-bot", seed_spec, bot=True),
    _article_case("seed-old-template", seed_spec, revision="a3af7e3", server_offset="+00:00"),
    _article_case("syndicated-reuters", reuters_spec),
    _article_case("syndicated-pti", pti_spec),
    _article_case("syndicated-ians-bot", ians_spec, bot=True),
    _article_case("ani-with-inputs-from-note", ani_note_spec),
    _article_case("afp-note-in-body", afp_spec),
    _article_case("blog-opinion-with-author", opinion_spec),
    _article_case("interview", interview_spec),
    _article_case("no-image-no-subtitle", no_image_spec),
    _article_case("updated-later-than-created", updated_spec),
    _article_case("non-ascii-entities", non_ascii_spec),
    _article_case("rich-body", rich_spec),
    _article_case("multi-country-tags", multi_country_spec),
    _article_case("press-release-prnewswire", prnewswire_spec),
    _article_case("un-news", un_news_spec),
    _article_case("amp-view", amp_spec, view="amp"),
    _article_case("liveblog-mobile", liveblog_spec, view="mobile"),
    # §3.2 names the mobile badge rows without their markup: a blind mirror wrote the labels as bare text
    _article_case("mobilearticle-bare-badge-labels", multi_country_spec, view="mobile", badges="bare-label",
                  url=f"{SITE}/mobilearticle/{multi_country_spec().news_id}/South%20Asia"),
    Case("listing-pti", f"{SITE}/pti-stories?page=1",
         lambda: render_listing("pti-stories", select_pti_stories(_listing_specs(), LISTING_NOW), 1, now=LISTING_NOW)),
    Case("listing-devdiscourse-stories", f"{SITE}/devdiscourse-stories?page=2",
         lambda: render_listing("devdiscourse-stories", select_devdiscourse_stories(_listing_specs()), 2,
                                now=LISTING_NOW)),
    Case("tag-page", f"{SITE}/news?tag=North+Korea", lambda: render_listing("tag", [], tag="North Korea")),
    Case("error-page", f"{SITE}/article/agency-wire/999999-this-story-does-not-exist", render_error_page),
]


def case_files(case: Case) -> dict[str, bytes]:
    """The three files of a case, as bytes."""
    expected = case.expected()
    return {
        f"{case.name}.html": case.render().encode("utf-8"),
        f"{case.name}.url": (case.url + "\n").encode("utf-8"),
        f"{case.name}.json": (
            json.dumps(expected, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        ).encode("utf-8"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="*", help="case names (default: all)")
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when a file differs")
    parser.add_argument("--out", type=Path, default=FIXTURE_DIR, help="fixture folder")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    known = {c.name: c for c in CASES}
    unknown = [n for n in args.cases if n not in known]
    if unknown:
        parser.error(f"unknown case(s) {', '.join(unknown)}; known: {', '.join(known)}")
    selected = [known[n] for n in args.cases] if args.cases else CASES
    stale: list[str] = []
    args.out.mkdir(parents=True, exist_ok=True)
    for case in selected:
        for name, data in case_files(case).items():
            path = args.out / name
            if path.exists() and path.read_bytes() == data:
                continue
            stale.append(name)
            if not args.check:
                path.write_bytes(data)
                logger.info("wrote %s", path)
    if args.check and stale:
        logger.error("out of date: %s (run: python -m tests.sitegen.make_fixtures)", ", ".join(stale))
        return 1
    logger.info("%d case(s) %s", len(selected), "checked" if args.check else "up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
