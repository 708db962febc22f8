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
