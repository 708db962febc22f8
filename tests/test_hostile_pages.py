"""Broken and hostile article pages, served to the real `scrapy crawl devdiscourse -a urls=@file` from loopback.

Every page ends as exactly one of: an item (best effort), a counted drop with its reason (item_dropped_reasons_count
/<Reason>), a counted non-article page, or a counted fetch error — never a crash (no Traceback, exit code 0) and
never mojibake in an item (no U+FFFD, no "Ã©"-style double decoding). Each page is a variant of the real fixture
tests/fixtures/devdiscourse/seed-desk-with-agencies.html with its own NewsId, so outcomes can be told apart.
"""

from __future__ import annotations

import gzip
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from newscrawl.extract.dates import parse_iso
from newscrawl.pipelines.validation import TEXT_FIELDS
from tests.crawling import FAST, CrawlResult, run_crawl
from tests.sitegen.server import MirrorServer, Page, Site

FIXTURE = Path(__file__).parent / "fixtures" / "devdiscourse" / "seed-desk-with-agencies.html"
SEED = FIXTURE.read_bytes()
SEED_SLUG = b"3301234-diplomatic-tensions-kim-jong-un-meets-russian-security-official-amid-ongoing-conflicts"
SEED_TITLE = "Diplomatic Tensions: Kim Jong Un Meets Russian Security Official Amid Ongoing Conflicts"
ACCENTED = "Café Jöng Un – “Talks”"  # every character is in Windows-1252 and outside ASCII
ACCENTED_TITLE = SEED_TITLE.replace("Kim Jong Un", ACCENTED)
META_UTF8 = b'<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />'
H1 = b'<h1 class="title">'
CREATED = b"Updated: 21-03-2025 19:07 IST | Created: 21-03-2025 19:07 IST"
MACHINE_DATES = (b'"2025-03-21T19:07:12+05:30"', b'content="2025-03-21T19:07:12+05:30"')
MIB = 1024 * 1024
# Double-decoded UTF-8 ("CafÃ©", "â€œ", "Â ") and replacement characters: what a wrong charset guess leaves behind.
MOJIBAKE = re.compile("\ufffd|Ã[\u0080-\u00bf]|Â[\u0080-\u00bf ]|â€")


@dataclass(frozen=True)
class Case:
    name: str
    page: Page
    expect: str
    """"item", "dropped:<Reason>", "not-article" or "error" (a counted failed fetch)."""
    check: Callable[[dict[str, Any]], bool] | None = None
    """A further condition the item must meet (only for expect == "item")."""


def variant(news_id: int, name: str, body: bytes = SEED) -> bytes:
    """The seed page as article `news_id`: its own canonical URL, og:url and NewsId, so items do not collide."""
    return body.replace(SEED_SLUG, f"{news_id}-{name}".encode()).replace(b"3301234", str(news_id).encode())


def as_text(body: bytes) -> str:
    return body.decode("utf-8")


def title_is(expected: str) -> Callable[[dict[str, Any]], bool]:
    """The item's title is `expected`; an accented title must come with an accented body too."""
    def check(item: dict[str, Any]) -> bool:
        return item["title"] == expected and ("Café" not in expected or "Café" in item["body"])
    return check


def filler_page(size: int, news_id: int, name: str) -> bytes:
    """The seed with a sidebar of `size` bytes of listing cards (a bloated template, not one giant text node)."""
    card = b'<div class="media p-b-10"><a href="/article/x/1-y"><h4>Filler headline in the sidebar</h4></a></div>\n'
    count = max(0, size - len(SEED)) // len(card)
    return variant(news_id, name).replace(b'<div class="col-md-4">', b'<div class="col-md-4">' + card * count, 1)


def build_cases() -> list[Case]:
    cases: list[Case] = []

    def add(name: str, body: bytes, expect: str, content_type: str = "text/html; charset=utf-8",
            check: Callable[[dict[str, Any]], bool] | None = None, headers: dict[str, str] | None = None) -> None:
        cases.append(Case(name, Page(body=body, content_type=content_type, headers=headers or {}), expect, check))

    n = iter(range(4100001, 4100999))
    # ---- structure --------------------------------------------------------------------------------------------
    page = variant(next(n), "truncated-mid-body")
    add("truncated-mid-body", page[: page.index(b"</section>", page.index(b'class="article-cont"'))], "item")
    add("truncated-in-head", variant(next(n), "truncated-in-head")[:3000], "not-article")
    unclosed = re.sub(rb"</(p|div|span|section|article|figure|a|ul|li)>", b"",
                      variant(next(n), "unclosed-tags"))
    add("unclosed-tags", unclosed, "item", check=title_is(SEED_TITLE))
    no_body = re.sub(rb"</?(html|head|body)\b[^>]*>", b"", variant(next(n), "no-body"))
    add("no-body", no_body, "item", check=title_is(SEED_TITLE))
    add("empty-200", b"", "not-article")
    add("binary-as-html", random.Random(7).randbytes(64 * 1024), "not-article")
    add("html-served-as-png", variant(next(n), "html-served-as-png"), "item", content_type="image/png")
    deep = variant(next(n), "deep-nesting").replace(b'<section class="article-cont">',
                                                    b'<section class="article-cont">' + b"<div>" * 1500, 1)
    add("deep-nesting", deep, "item", check=lambda item: item["body"].startswith("In a significant"))
    json_bomb = b'<script type="application/ld+json">' + b"[" * 100_000 + b"]" * 100_000 + b"</script></head>"
    add("json-ld-100k-deep", variant(next(n), "json-ld-100k-deep").replace(b"</head>", json_bomb, 1), "item",
        check=lambda item: item["published_at"] == "2025-03-21T19:07:12+05:30")
    # ---- size: DOWNLOAD_MAXSIZE is 20 MiB ------------------------------------------------------------------------
    add("page-19mib", filler_page(19 * MIB, next(n), "page-19mib"), "item", check=title_is(SEED_TITLE))
    add("page-21mib", filler_page(21 * MIB, next(n), "page-21mib"), "error")
    # ---- charsets ---------------------------------------------------------------------------------------------
    accented = as_text(SEED).replace("Kim Jong Un", ACCENTED).encode()  # UTF-8 bytes, title and body accented
    cp1252 = as_text(SEED).replace("Kim Jong Un", ACCENTED).encode("cp1252", "xmlcharrefreplace")
    add("cp1252-bytes-declared-utf8", variant(next(n), "cp1252-bytes-declared-utf8", cp1252), "item",
        check=title_is(ACCENTED_TITLE))
    add("utf8-bytes-header-latin1", variant(next(n), "utf8-bytes-header-latin1", accented), "item",
        content_type="text/html; charset=iso-8859-1", check=title_is(ACCENTED_TITLE))
    add("utf8-bom-header-latin1", b"\xef\xbb\xbf" + variant(next(n), "utf8-bom-header-latin1", accented), "item",
        content_type="text/html; charset=iso-8859-1", check=title_is(ACCENTED_TITLE))
    utf16 = as_text(variant(next(n), "utf16-bom-meta-utf8", accented)).encode("utf-16")  # BOM, meta still says UTF-8
    add("utf16-bom-meta-utf8", utf16, "item", content_type="text/html", check=title_is(ACCENTED_TITLE))
    meta_cp1252 = cp1252.replace(META_UTF8, b'<meta charset="windows-1252">')
    add("cp1252-meta-no-header-charset", variant(next(n), "cp1252-meta-no-header-charset", meta_cp1252), "item",
        content_type="text/html", check=title_is(ACCENTED_TITLE))
    add("header-utf8-meta-cp1252-bytes-cp1252", variant(next(n), "header-utf8-meta-cp1252-bytes-cp1252", meta_cp1252),
        "item", check=title_is(ACCENTED_TITLE))
    no_charset = cp1252.replace(META_UTF8, b"")
    add("cp1252-no-charset-anywhere", variant(next(n), "cp1252-no-charset-anywhere", no_charset), "item",
        content_type="text/html", check=title_is(ACCENTED_TITLE))
    for charset in ("shift_jis", "gbk", "euc-kr"):  # a UTF-8 page behind a stale CJK header, as behind a latin-1 one
        add(f"utf8-bytes-header-{charset}", variant(next(n), f"utf8-bytes-header-{charset}", accented), "item",
            content_type=f"text/html; charset={charset}", check=title_is(ACCENTED_TITLE))
    chinese = as_text(SEED).replace("Kim Jong Un", "金正恩").encode("gbk", "xmlcharrefreplace")
    add("gbk-bytes-header-gbk", variant(next(n), "gbk-bytes-header-gbk", chinese), "item",
        content_type="text/html; charset=gbk", check=title_is(SEED_TITLE.replace("Kim Jong Un", "金正恩")))
    mixed = accented.replace(b"Russian Security", "Russian “Security”".encode("cp1252"))
    add("utf8-with-stray-cp1252-header-latin1", variant(next(n), "utf8-with-stray-cp1252-header-latin1", mixed),
        "item", content_type="text/html; charset=iso-8859-1",
        check=title_is(ACCENTED_TITLE.replace("Russian Security", "Russian “Security”")))
    # ---- entities, control characters, markup ----------------------------------------------------------------
    entities = H1 + b"&lt;script&gt; tags&#0; &#7;\x07\x01 &#x80; &#150; &amp;amp; &#xD800;&nbsp;"
    add("entities-and-controls-in-title", variant(next(n), "entities-and-controls-in-title").replace(H1, entities, 1),
        "item", check=title_is("<script> tags € – &amp; " + SEED_TITLE))
    planted = H1 + b"<script>alert(1)</script><style>h1{}</style><img src=x onerror=alert(2)><svg onload=alert(3)>"
    add("markup-elements-in-title", variant(next(n), "markup-elements-in-title").replace(H1, planted, 1), "item",
        check=title_is(SEED_TITLE))
    escaped_attack = H1 + b"&lt;img src=x onerror=alert(1)&gt; "
    add("escaped-attack-text-in-title", variant(next(n), "escaped-attack-text-in-title").replace(H1, escaped_attack, 1),
        "item", check=lambda item: "markup_removed" in item["quality"] and "<img" not in item["title"]
        and item["title"].endswith(SEED_TITLE))
    body_markup = b'<section class="article-cont"><p>Mentions the &lt;script&gt; tag <script>steal()</script>' \
                  b'<iframe src="http://127.0.0.1:9/x"></iframe><b onclick="x()">bold</b> text.</p>'
    add("markup-in-body", variant(next(n), "markup-in-body").replace(b'<section class="article-cont">', body_markup, 1),
        "item", check=lambda item: item["body"].startswith("Mentions the <script> tag bold text.\n\n"))
    # ---- dates ------------------------------------------------------------------------------------------------
    impossible = variant(next(n), "impossible-dates").replace(CREATED, b"Updated: 31-02-2025 25:61 IST | "
                                                                      b"Created: 31-02-2025 25:61 IST")
    for machine in MACHINE_DATES:
        impossible = impossible.replace(machine, machine.replace(b"2025-03-21T19:07:12", b"2025-13-45T99:99:99"))
    add("impossible-dates", impossible, "item",
        check=lambda item: item["published_at"] is None and "no_date" in item["quality"])
    garbage_machine = variant(next(n), "machine-dates-garbage")
    for machine in MACHINE_DATES:
        garbage_machine = garbage_machine.replace(machine, machine.replace(b"2025-03-21T19:07:12+05:30", b"yesterday"))
    add("machine-dates-garbage", garbage_machine, "item",
        check=lambda item: item["published_at"] == "2025-03-21T19:07:00+05:30")
    extreme = variant(next(n), "extreme-years").replace(CREATED, b"Updated: 31-12-9999 23:59 IST | "
                                                                 b"Created: 01-01-0001 00:00 IST")
    add("extreme-years", extreme, "item", check=lambda item: parse_iso(item["published_at"]) is not None)
    # ---- transfer encodings -----------------------------------------------------------------------------------
    add("gzip-truncated", gzip.compress(variant(next(n), "gzip-truncated"))[:-300], "item",
        headers={"Content-Encoding": "gzip"})
    add("unknown-content-encoding", variant(next(n), "unknown-content-encoding"), "item",
        headers={"Content-Encoding": "x-nonsense"})
    return cases


CASES = build_cases()


@dataclass
class Run:
    result: CrawlResult
    items: dict[str, dict[str, Any]]
    outcomes: dict[str, list[str]]


def outcomes_in(result: CrawlResult, items: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """What became of each case, read from the feed and the log (each way the crawl accounts for a page)."""
    found: dict[str, list[str]] = {case.name: [] for case in CASES}
    for name in found:
        if name in items:
            found[name].append("item")
    for line in result.log.splitlines():
        for name in found:
            if f"-{name}" not in line:
                continue
            if "] WARNING: Dropped (" in line:  # "Dropped (Reason): URL: why", one line (pipelines/droplog.py)
                found[name].append(f"dropped:{line.split('Dropped (', 1)[1].split(')', 1)[0]}")
            elif "Not an article page, no item:" in line:
                found[name].append("not-article")
            elif "Request failed (" in line:
                found[name].append("error")
            elif "Parser devdiscourse failed on" in line:
                found[name].append("parser-error")
    return found


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    site = Site({f"/article/politics/{case_id(case)}": case.page for case in CASES})
    workdir = tmp_path_factory.mktemp("hostile")
    with MirrorServer(site, gzip=False) as server:
        urls = workdir / "urls.txt"
        urls.write_text("".join(server.url(f"/article/politics/{case_id(case)}") + "\n" for case in CASES))
        result = run_crawl(workdir, "devdiscourse", "-a", f"urls=@{urls}", "-O", "out.jsonl",
                           settings={**FAST, "RETRY_TIMES": "0"}, timeout=170)
    items: dict[str, dict[str, Any]] = {}
    for item in result.feed_items("out.jsonl") if (workdir / "out.jsonl").exists() else []:
        name = next(case.name for case in CASES if item["provenance"]["request_url"].endswith(f"-{case.name}"))
        items[name] = item
    yield Run(result, items, outcomes_in(result, items))


def case_id(case: Case) -> str:
    return f"{4100001 + CASES.index(case)}-{case.name}"


def test_the_crawl_survives_every_page(run: Run) -> None:
    assert run.result.returncode == 0, run.result.log[-3000:]
    assert "Traceback" not in run.result.log, run.result.log[run.result.log.index("Traceback") - 2000:][:6000]
    assert run.result.stat("finish_reason") == "finished"


def test_every_page_is_accounted_for_exactly_once(run: Run) -> None:
    unaccounted = {name: outcome for name, outcome in run.outcomes.items() if len(outcome) != 1}
    assert not unaccounted, unaccounted
    stat = run.result.stat
    dropped = sum(int(stat(f"item_dropped_reasons_count/{reason}") or 0) for reason in ("MissingField",
                                                                                         "MalformedField"))
    errors = sum(outcome == ["error"] for outcome in run.outcomes.values())
    counted = int(stat("item_scraped_count") or 0) + dropped + int(stat("newscrawl/pages/not_article") or 0) + errors
    assert counted == len(CASES), (counted, len(CASES), run.outcomes)
    assert "newscrawl/parser_errors/" not in run.result.log.rsplit("Dumping Scrapy stats:", 1)[-1], \
        "no page made the parser raise"


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_page_gets_its_expected_outcome(run: Run, case: Case) -> None:
    assert run.outcomes[case.name] == [case.expect], (case.name, run.outcomes[case.name])
    if case.expect == "item" and case.check is not None:
        item = run.items[case.name]
        assert case.check(item), (case.name, {k: item[k] for k in ("title", "published_at")}, item["body"][:300])


def test_no_item_holds_mojibake_or_control_characters(run: Run) -> None:
    assert run.items, "the crawl produced items"
    for name, item in run.items.items():
        for field_name in (*TEXT_FIELDS, "authors", "tags", "countries", "sector", "country"):
            values = item.get(field_name)
            for value in values if isinstance(values, list) else [values]:
                if isinstance(value, str):
                    assert not MOJIBAKE.search(value), (name, field_name, MOJIBAKE.search(value), value[:200])
                    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", value), (name, field_name)


def test_drops_are_counted_with_their_reason(run: Run) -> None:
    stat = run.result.stat
    expected: dict[str, int] = {}
    for case in CASES:
        if case.expect.startswith("dropped:"):
            expected[case.expect.split(":", 1)[1]] = expected.get(case.expect.split(":", 1)[1], 0) + 1
    for reason, count in expected.items():
        assert stat(f"item_dropped_reasons_count/{reason}") == count, reason
    assert stat("newscrawl/pages/not_article") == sum(case.expect == "not-article" for case in CASES)
