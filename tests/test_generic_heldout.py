"""Rules found by the held-out check (benchmarks/heldout.py: pages of outlets nobody here tuned for), one per test.

Each page is written here, not copied from that corpus: the full page of tests/test_generic_metadata.py (header with
today's date, related stories, comments, footer) with only the part the rule is about changed.
"""

from __future__ import annotations

from tests.test_generic_metadata import full_page, parse


def test_a_serial_comma_before_the_last_name_is_not_part_of_it() -> None:
    html = full_page(byline='<p class="byline">By Jane Roe, Tom Miller, and Ann Lee, Harbour Gazette</p>')
    assert parse(html).authors == ["Jane Roe", "Tom Miller", "Ann Lee"]
