"""Rules found by the held-out check (benchmarks/heldout.py: pages of outlets nobody here tuned for), one per test.

Each page is written here, not copied from that corpus: the full page of tests/test_generic_metadata.py (header with
today's date, related stories, comments, footer) with only the part the rule is about changed.
"""

from __future__ import annotations

from tests.test_generic_metadata import full_page, parse


def test_a_serial_comma_before_the_last_name_is_not_part_of_it() -> None:
    html = full_page(byline='<p class="byline">By Jane Roe, Tom Miller, and Ann Lee, Harbour Gazette</p>')
    assert parse(html).authors == ["Jane Roe", "Tom Miller", "Ann Lee"]


def test_a_date_written_with_year_month_and_day_signs_is_read() -> None:
    body = "".join(f"<p>{sentence * 3}</p>" for sentence in (
        "市議会は火曜日の夜、長年議論されてきた港の橋の建設を賛成九、反対四で承認した。",
        "建設は来年春に始まり、三年かかる予定だ。費用の三分の一は地方政府が負担する。"))
    html = full_page(lang="ja", headline="港の新しい橋、市議会が承認", title="港の新しい橋、市議会が承認",
                     standfirst="", byline="", dates="<p>2018年6月18日 10:01 発信地：東京</p>", body=body)
    assert parse(html).published_at == "2018-06-18T10:01:00"


def test_a_headline_in_a_script_without_spaces_is_found_in_a_title_with_the_site_glued_on() -> None:
    body = "".join(f"<p>{sentence * 3}</p>" for sentence in (
        "市议会周二晚间以九票赞成、四票反对批准了争论已久的港口大桥，结束了港务局与老城居民之间长达十年的规划纠纷。",
        "工程预计明年春季动工，历时三年。市议会财政委员会估计造价为两亿四千万，其中三分之一由地区政府承担。"))
    # The <title> glues the site's name on with a bare "-", as Chinese sites do; the <h1> is printed twice (a
    # layout for small screens and one for large ones).
    html = full_page(lang="zh-CN", headline="港口新大桥获市议会批准", title="港口新大桥获市议会批准-港湾日报",
                     standfirst="", byline="", body=body).replace(
        "<article>", "<article><h1>港口新大桥获市议会批准</h1>", 1)
    assert parse(html).title == "港口新大桥获市议会批准"


def test_the_sites_name_printed_inside_the_h1_after_the_headline_is_not_part_of_it() -> None:
    # The logo's link sits in the <h1> beside the headline; the <title> ends with the same name as its last segment.
    html = full_page(headline='<span>Council approves new harbour bridge</span> <a href="/">Harbour Gazette Online</a>',
                     title="Council approves new harbour bridge » City » Harbour Gazette Online",
                     head='<meta name="twitter:title" content="Council approves new harbour bridge">')
    assert parse(html).title == "Council approves new harbour bridge"


def test_a_day_followed_by_an_update_label_and_its_time_is_the_update_day() -> None:
    # "<day> -- Updated <time>": the clock time is the update's, on that day; the machine date keeps the publication.
    html = full_page(head='<meta property="article:published_time" content="2021-03-03T08:36:32Z">',
                     dates="<p>March 4, 2021 -- Updated 0203 GMT (1003 HKT)</p>")
    assert parse(html).published_at == "2021-03-03T08:36:32+00:00"


# ---- bylines and headlines as their markup sets them apart (extract/bylines.py) -----------------------------------
def test_a_byline_element_nested_in_the_headline_is_not_part_of_it() -> None:
    # The author's element (itemprop="author", a byline class) is printed inside the <h1>: the headline is the rest,
    # and the name is still the byline.
    credit = '<span class="byline" itemprop="author">Jane Roe</span>'
    html = full_page(headline=f"Council approves new harbour bridge {credit}",
                     title="Council approves new harbour bridge | Harbour Gazette", byline="")
    article = parse(html)
    assert (article.title, article.authors) == ("Council approves new harbour bridge", ["Jane Roe"])


def test_a_byline_on_a_line_of_its_own_inside_the_headline_is_not_part_of_it() -> None:
    # After a <br> the <h1> prints the writer's role and name, in no byline markup. og:title adds a tail of its own,
    # so no machine title confirms the whole <h1>: the first line, most of og:title's start, is the headline.
    credit = "Council approves new harbour bridge (with video)"
    html = full_page(headline="<span>Council approves new harbour bridge</span><br><span>Senior editor Jane Roe</span>",
                     title=f"{credit} - Harbour Gazette", head=f'<meta property="og:title" content="{credit}">')
    assert parse(html).title == "Council approves new harbour bridge"


def test_a_date_line_inside_the_headline_is_not_part_of_it() -> None:
    # The machine titles name the headline exactly; the <h1>'s second line (date, author, section) made the whole
    # read as a longer form of it.
    html = full_page(headline="Council approves new harbour bridge<br><small>08.03.2019 • Jane Roe • City</small>",
                     title="Council approves new harbour bridge | Harbour Gazette")
    assert parse(html).title == "Council approves new harbour bridge"


def test_a_place_printed_after_the_name_in_the_byline_is_not_a_second_author() -> None:
    # The byline sets the name apart in bold; the place and the date beside it are plain text after vertical bars.
    html = full_page(byline='<p class="byline"><strong>Jane Roe</strong> | Port Elmsley | 08.03.2019</p>')
    assert parse(html).authors == ["Jane Roe"]


def test_names_set_apart_in_the_byline_stay_authors_and_an_agency_beside_them_stays_credited() -> None:
    html = full_page(byline='<p class="byline"><a href="/authors/jane-roe">Jane Roe</a> | '
                            '<a href="/authors/tom-miller">Tom Miller</a> | AFP</p>')
    article = parse(html)
    assert (article.authors, article.agencies) == (["Jane Roe", "Tom Miller"], ["AFP"])


def test_a_place_the_byline_marks_as_one_is_not_an_author() -> None:
    # schema.org's contentLocation (a vCard locality works the same) names the place the story was filed from.
    html = full_page(byline='<p class="byline">By Jane Roe, <span itemprop="contentLocation">Port Elmsley</span></p>')
    assert parse(html).authors == ["Jane Roe"]
