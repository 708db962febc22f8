"""Invariants of the Devdiscourse site generator (tests/sitegen), its fixtures and its loopback mirror.

These check the *generator* against STRUCTURE.md, not any parser: slugs, encodings, the deliberately
broken JSON-LD, the sitemap's lying declaration, that each fixture page carries exactly the text its
expected JSON promises, and the server's switches (gzip, 304, redirects, UA, chunked, access log).
"""

from __future__ import annotations

import gzip
import html
import http.client
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from lxml import etree
from parsel import Selector

from tests.sitegen import make_fixtures
from tests.sitegen.corpus import SEED_ID, corpus, seed_spec
from tests.sitegen.devdiscourse import (
    SITE,
    canonical_url,
    jsonld_description,
    net_datetime,
    parse_jsonld_tolerant,
    razor,
    render_amp,
    render_desktop,
    render_get_all_news,
    render_google_news_sitemap,
    render_listing,
    select_devdiscourse_stories,
    select_pti_stories,
    slug,
    title_case,
)
from tests.sitegen.server import LogEntry, MirrorServer, Page, Site, build_devdiscourse_mirror

FIXTURES = Path(__file__).parent / "fixtures" / "devdiscourse"


# ----------------------------------------------------------------------------------------------
# Pure helpers
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Kim Jong Un's Visit", "1-kim-jong-uns-visit"),  # apostrophes vanish
        ("Café Culture", "1-caf-culture"),  # each non-ASCII byte becomes "?" then is deleted
        ("Markets - A Review", "1-markets---a-review"),  # " - " → "---"
        ("Markets – A Review", "1-markets-a-review"),  # spaced en-dash → single "-"
        ("  Lots   of\tspace  ", "1--lots-of-space"),  # "1-" + " lots": the id hyphen meets a space
        ("Diplomatic Tensions: Kim Jong Un Meets Russian Security Official Amid Ongoing Conflicts",
         "1-diplomatic-tensions-kim-jong-un-meets-russian-security-official-amid-ongoing-conflicts"),
    ],
)
def test_slug_examples_from_structure(title: str, expected: str) -> None:
    assert slug(1, title) == expected


def test_slug_cut_is_130_then_trimmed_and_sitemap_uses_150() -> None:
    title = "word " * 60
    canonical, long_ = slug(3301234, title), slug(3301234, title, cut=150)
    assert len(canonical) <= 130 and not canonical.endswith("-")
    assert len(long_) > len(canonical) and long_.startswith(canonical)


def test_razor_encoding_rules() -> None:
    assert razor("Côte d'Ivoire & <Ghana> \"+1\"") == "C&#xF4;te d&#x27;Ivoire &amp; &lt;Ghana&gt; &quot;&#x2B;1&quot;"
    assert razor("São — 😀") == "S&#xE3;o &#x2014; &#x1F600;"


def test_title_case_like_dotnet() -> None:
    assert title_case("agency-wire") == "Agency-Wire"
    assert title_case("law-order") == "Law-Order"
    assert title_case("new delhi") == "New Delhi"
    assert title_case("são paulo") == "São Paulo"


def test_get_all_news_json_shape_and_paging() -> None:
    specs = corpus(45)
    first = json.loads(render_get_all_news(specs, 1))
    assert len(first) == 20 and json.loads(render_get_all_news(specs, 3)) != []
    assert json.loads(render_get_all_news(specs, 4)) == []
    item = first[0]
    assert set(item) == {"id", "title", "createdOn", "imageUrl", "newId", "label", "country", "sector", "type",
                         "subType", "srNo", "ranking"}
    assert not item["createdOn"].endswith("Z") and "+" not in item["createdOn"]
    created = [i["createdOn"] for i in first]
    assert created == sorted(created, reverse=True)
    assert net_datetime(seed_spec().created_on) == "2025-03-21T13:36:41.417"


# ----------------------------------------------------------------------------------------------
# JSON-LD and sitemap quirks
# ----------------------------------------------------------------------------------------------

def _ld_blocks(page: str) -> list[str]:
    return Selector(text=page).css('script[type="application/ld+json"]::text').getall()


def test_desktop_newsarticle_jsonld_is_invalid_and_rfind_fix_works() -> None:
    spec = seed_spec()
    block = _ld_blocks(render_desktop(spec))[0]
    with pytest.raises(json.JSONDecodeError):
        json.loads(block)
    fixed = parse_jsonld_tolerant(block)
    assert fixed["@type"] == "NewsArticle"
    assert fixed["datePublished"] == "2025-03-21T19:07:12+05:30"
    assert fixed["headline"] == f"{spec.title} | Politics"
    bare = block[block.rfind('"description"'):]
    assert bare.startswith('"description": In a significant diplomatic engagement Russian')
    assert jsonld_description("<p>A&nbsp;b, c's <em>x</em>!</p><p>n</p>") == "A b cs emxem"


def test_amp_jsonld_is_invalid_with_trailing_comma_and_fixable() -> None:
    block = _ld_blocks(render_amp(make_fixtures.amp_spec()))[0]
    with pytest.raises(json.JSONDecodeError):
        json.loads(block)
    assert re.search(r'"description": Oil prices rose .*concerns\.,\s*}', block, re.S)
    assert parse_jsonld_tolerant(block)["author"] == {"@type": "Person", "name": "Reuters"}


def test_breadcrumb_jsonld_head_only_and_quote_bug() -> None:
    spec = seed_spec()
    assert len(_ld_blocks(render_desktop(spec, revision="a3af7e3"))) == 1
    crumbs = json.loads(_ld_blocks(render_desktop(spec))[1])
    assert [i["name"] for i in crumbs["itemListElement"]][:3] == ["Home", "News", "19"]
    quoted = _ld_blocks(render_desktop(make_fixtures.non_ascii_spec()))[1]
    assert '\\&quot;&#xC1;gua &#xE9; Vida\\&quot;' in quoted
    with pytest.raises(json.JSONDecodeError):
        json.loads(quoted)


def test_old_template_offset_quirk_and_markers() -> None:
    page = render_desktop(seed_spec(), revision="a3af7e3", server_offset="+00:00")
    sel = Selector(text=page)
    assert sel.css('meta[itemprop="datePublished"]::attr(content)').get() == "2025-03-21T19:07:12+00:00"
    assert not sel.css("div.metadata") and sel.css("ul.breadcrumb.breadcrumb_new")
    assert not sel.css("div.article-ai-card")
    spans = sel.css("article hr.seperator + div.m-b-10.m-t-10 span::text").getall()
    assert spans[-1].startswith("Updated: 21-03-2025 19:07")


def test_sitemap_is_utf8_bytes_with_utf16_declaration() -> None:
    specs = [make_fixtures.non_ascii_spec(), seed_spec()]
    data = render_google_news_sitemap(specs)
    assert data.startswith(b'<?xml version="1.0" encoding="utf-16"?>')
    text = data.decode("utf-8")  # really UTF-8
    assert "São Paulo" in text and "<![CDATA[" in text
    assert b"\x00" not in data and not data.startswith((b"\xff\xfe", b"\xfe\xff"))  # no UTF-16 at all
    root = etree.fromstring(data.split(b"?>", 1)[1])  # stripping the declaration is the documented fix
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "news": "http://www.google.com/schemas/sitemap-news/0.9",
          "image": "http://www.google.com/schemas/sitemap-image/1.1"}
    locs = root.xpath("//s:loc/text()", namespaces=ns)
    assert locs[1] == canonical_url(seed_spec())
    assert root.xpath("//news:publication_date/text()", namespaces=ns)[1] == "2025-03-21T19:07:12+05:30"
    assert root.xpath("//news:title/text()", namespaces=ns)[0] == make_fixtures.non_ascii_spec().title
    assert root.xpath("//image:loc/text()", namespaces=ns)[1].endswith(".png&width=960")


def test_scrapy_sitemap_needs_the_declaration_stripped() -> None:
    """Documents the consequence for the spider: lxml/Scrapy do not merely warn on these bytes."""
    from scrapy.utils.sitemap import Sitemap

    data = render_google_news_sitemap([seed_spec(), *corpus(3)])
    with pytest.raises((StopIteration, etree.XMLSyntaxError)):
        list(Sitemap(data))
    fixed = data.split(b"?>", 1)[1].lstrip()  # leading whitespace must go too
    assert [u["loc"] for u in Sitemap(fixed)][0] == canonical_url(seed_spec())


def test_listings_pager_and_wrong_pager_links() -> None:
    specs = [seed_spec(), *corpus(200)]
    now = make_fixtures.LISTING_NOW
    pti = select_pti_stories(specs, now)
    assert len(pti) > 20
    sel = Selector(text=render_listing("pti-stories", pti, 1, now=now))
    assert len(sel.css("div.news-item")) == 20
    assert sel.css('ul.pagination a[rel="next"]::attr(href)').get() == "/pti-stories?page=2"
    desk = select_devdiscourse_stories(specs)
    sel = Selector(text=render_listing("devdiscourse-stories", desk, 2, now=now))
    assert sel.css('ul.pagination a[rel="prev"]::attr(href)').get() == "/pti-stories?page=1"  # the site's bug
    assert Selector(text=render_listing("pti-stories", pti, 99, now=now)).css("div.news-item") == []


# ----------------------------------------------------------------------------------------------
# Fixtures: up to date, and each page carries exactly the text its JSON promises
# ----------------------------------------------------------------------------------------------

def test_fixtures_are_up_to_date() -> None:
    for case in make_fixtures.CASES:
        for name, data in make_fixtures.case_files(case).items():
            path = FIXTURES / name
            assert path.exists() and path.read_bytes() == data, (
                f"{name} is stale: run python -m tests.sitegen.make_fixtures")


def _block_texts(container: Selector) -> list[str]:
    """A deliberately naive reading of the body container, to cross-check the generator's oracle."""
    out: list[str] = []

    def text(node: Selector) -> str:
        return " ".join("".join(node.xpath(".//text()[not(ancestor::script)]").getall()).split())

    for node in container.xpath("./node()"):
        tag = node.root.tag if hasattr(node.root, "tag") else None
        if tag is None:
            value = " ".join(str(node.root).split())
            if value:
                out.append(value)
        elif tag in ("ul", "ol"):
            out.extend(text(li) for li in node.xpath("./li"))
        elif tag == "table":
            out.extend(" | ".join(text(c) for c in tr.xpath("./td|./th")) for tr in node.xpath(".//tr"))
        elif tag in ("script", "div") or (tag == "div" and "ad" in (node.attrib.get("class") or "")):
            continue
        elif text(node):
            out.append(text(node))
    return out


ARTICLE_CASES = [c for c in make_fixtures.CASES if not c.name.startswith(("listing", "tag", "error"))]


@pytest.mark.parametrize("case", ARTICLE_CASES, ids=lambda c: f"devdiscourse/{c.name}")
def test_fixture_page_matches_its_expected_json(case: make_fixtures.Case) -> None:
    page = (FIXTURES / f"{case.name}.html").read_bytes().decode("utf-8")
    expected = json.loads((FIXTURES / f"{case.name}.json").read_text("utf-8"))
    sel = Selector(text=page)
    container = {
        "desktop": "section.article-cont", "amp": "div.description", "mobile": "div#newsDesc",
    }[expected["view"]]
    blocks = _block_texts(sel.css(container)[0])
    body = [b for b in expected["body"].split("\n\n") if b]
    extras = [b for b in blocks if b not in body]
    assert [b for b in blocks if b in body] == body
    notes_and_credits = " ".join(extras)
    for piece in (expected["editorial_note"], expected["credit_line"]):
        if piece:
            assert piece.split(" (")[0] in notes_and_credits
    assert sel.css('link[rel="canonical"]::attr(href)').get() == expected["url"]
    h1 = " ".join("".join(sel.css("h1.title ::text").getall()).split())
    assert h1 == expected["title"]
    visible = re.search(r"Created: (\d\d)-(\d\d)-(\d{4}) (\d\d:\d\d) IST", page)
    assert visible and f"{visible[3]}-{visible[2]}-{visible[1]}T{visible[4]}" == expected["published_at"][:16]
    if expected["image_url"] is None:
        assert not sel.css("figure.figure:not(.hidden) img, amp-img.full-bottom, div.article-image-container")
    else:
        assert expected["image_url"] in html.unescape(page)


@pytest.mark.parametrize("name", ["listing-pti", "listing-devdiscourse-stories", "tag-page", "error-page"])
def test_non_article_fixtures_expect_null(name: str) -> None:
    assert (FIXTURES / f"{name}.json").read_text("utf-8") == "null\n"
    assert (FIXTURES / f"{name}.url").read_text("utf-8").startswith(SITE + "/")


def test_bot_variant_drops_disclaimer_tags_ads_and_ai_card() -> None:
    spec = make_fixtures.multi_country_spec()
    human, bot = Selector(text=render_desktop(spec)), Selector(text=render_desktop(spec, bot=True))
    note = "(This story has not been edited by Devdiscourse staff and is auto-generated from a syndicated feed.)"
    assert note in human.css("section.article-cont p::text").getall()
    assert note not in bot.css("section.article-cont p::text").getall()
    assert human.css("a.tag") and not bot.css("a.tag")
    assert human.css("div.article-ai-card") and not bot.css("div.article-ai-card")
    assert bot.css('meta[name="news_keywords"]::attr(content)').get() == human.css(
        'meta[name="news_keywords"]::attr(content)').get()


# ----------------------------------------------------------------------------------------------
# The loopback server
# ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def mirror() -> Iterator[MirrorServer]:
    site = build_devdiscourse_mirror([seed_spec(), *corpus(30)])
    with MirrorServer(site) as server:
        yield server


def _get(server: MirrorServer, path: str, method: str = "GET", **headers: str) -> tuple[int, dict[str, str], bytes]:
    host, port = server.base_url.removeprefix("http://").split(":")
    assert host == "127.0.0.1"
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        conn.request(method, path, headers={k.replace("_", "-"): v for k, v in headers.items()})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def test_server_gzip_when_asked(mirror: MirrorServer) -> None:
    status, headers, body = _get(mirror, "/robots.txt", Accept_Encoding="gzip, br")
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert gzip.decompress(body).startswith(b"User-agent: *")
    status, headers, body = _get(mirror, "/robots.txt")
    assert "content-encoding" not in headers and body.startswith(b"User-agent")
    mirror.gzip = False
    try:
        assert "content-encoding" not in _get(mirror, "/robots.txt", Accept_Encoding="gzip")[1]
    finally:
        mirror.gzip = True


def test_server_conditional_get(mirror: MirrorServer) -> None:
    path = "/article/politics/3301234"
    assert "etag" not in _get(mirror, path)[1]  # the real site sends no validators
    mirror.conditional = True
    try:
        status, headers, _ = _get(mirror, path)
        assert status == 200 and headers["last-modified"] == "Fri, 21 Mar 2025 13:37:12 GMT"
        assert _get(mirror, path, If_None_Match=headers["etag"])[0] == 304
        assert _get(mirror, path, If_Modified_Since=headers["last-modified"])[0] == 304
        assert _get(mirror, path, If_Modified_Since="Fri, 21 Mar 2025 13:00:00 GMT")[0] == 200
        assert _get(mirror, path, If_None_Match='"other"')[0] == 200
    finally:
        mirror.conditional = False


def test_server_redirects_and_errors(mirror: MirrorServer) -> None:
    canonical_path = canonical_url(seed_spec()).removeprefix(SITE)
    status, headers, _ = _get(mirror, f"/article/agency-wire/{SEED_ID}-whatever")
    assert status == 301 and headers["location"] == canonical_path
    assert _get(mirror, f"/article/wrong-label/{SEED_ID}")[0] == 200  # no redirect for a wrong label
    assert _get(mirror, f"/article/agency-wire/{SEED_ID}?amp=1")[0] == 200  # "?amp" skips the redirect
    status, _, body = _get(mirror, f"/article/agency-wire/{SEED_ID}-x?amp")
    assert status == 200 and b"<html \xe2\x9a\xa1" in body
    status, _, body = _get(mirror, "/article/agency-wire/999-missing")
    assert status == 500 and b"An error occurred" in body


def test_server_user_agent_switch_and_head(mirror: MirrorServer) -> None:
    path = canonical_url(seed_spec()).removeprefix(SITE)
    human = _get(mirror, path, User_Agent="Mozilla/5.0")[2]
    bot = _get(mirror, path, User_Agent="newscrawl (+https://example.org; BOT)")[2]
    assert b"(With inputs from agencies.)" in human and b"(With inputs from agencies.)" not in bot
    status, headers, body = _get(mirror, path, method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) == len(human)
    mirror.ua_switch = False
    try:
        assert b"(With inputs from agencies.)" in _get(mirror, path, User_Agent="Googlebot")[2]
    finally:
        mirror.ua_switch = True


def test_server_chunked_and_access_log(mirror: MirrorServer) -> None:
    mirror.reset_log()
    mirror.chunked_prefixes.add("/RSS/")
    try:
        status, headers, body = _get(mirror, "/RSS/GoogleNews", User_Agent="t/1")
        assert status == 200 and headers.get("transfer-encoding") == "chunked" and body.startswith(b"<?xml")
    finally:
        mirror.chunked_prefixes.clear()
    _get(mirror, "/nowhere", User_Agent="t/2")
    assert mirror.access_log == [
        LogEntry("GET", "/RSS/GoogleNews", 200, "t/1"), LogEntry("GET", "/nowhere", 404, "t/2")]
    mirror.reset_log()
    assert mirror.access_log == []


def test_server_static_pages_and_hooks_are_mutable() -> None:
    site = Site({"/x?y=1": Page(b"static", content_type="text/plain")})
    site.hooks.append(lambda r: Page(b"hooked " + r.user_agent.encode()) if r.path == "/h" else None)
    with MirrorServer(site) as server:
        assert _get(server, "/x?y=1")[2] == b"static"
        assert _get(server, "/x")[0] == 404
        assert _get(server, "/h", User_Agent="me")[2] == b"hooked me"
        site["/x"] = Page(b"added")
        assert _get(server, "/x")[2] == b"added"


def test_every_mirror_article_is_discoverable(mirror: MirrorServer) -> None:
    site = mirror.site
    ids = set(site.articles)
    sitemap = _get(mirror, "/RSS/GoogleNews")[2].decode()
    found = {int(m) for m in re.findall(r"/article/[^/]+/(\d+)-", sitemap)}
    for kind in ("pti-stories", "devdiscourse-stories"):
        for page in range(1, 50):  # bounded: a bug must fail the test, not hang it
            cards = Selector(text=_get(mirror, f"/{kind}?page={page}")[2].decode()).css("div.news-item")
            if not cards:
                break
            found |= {int(x) for x in cards.css("a::attr(href)").re(r"/article/[^/]+/(\d+)-")}
    assert ids <= found
    api: set[int] = set()
    for page in range(1, 10):
        items = json.loads(_get(mirror, f"/api/Search/GetAllNews/{page}")[2])
        if not items:
            break
        api |= {i["newId"] for i in items}
    assert api == ids


def test_mirror_edits_show_up_live(mirror: MirrorServer) -> None:
    spec = mirror.site.articles[SEED_ID]
    try:
        mirror.site.articles[SEED_ID] = replace(spec, modified_on=spec.modified_on + timedelta(hours=1))
        body = _get(mirror, f"/article/politics/{SEED_ID}")[2]
        assert b"Updated: 21-03-2025 20:07 IST | Created: 21-03-2025 19:07 IST" in body
    finally:
        mirror.site.articles[SEED_ID] = spec
