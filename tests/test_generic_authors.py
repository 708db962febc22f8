"""GenericParser's authors on pages of outlets nobody tuned for: one principle of how pages print and mark up
bylines per test, each on a small hand-written page (the page builder is test_generic_metadata's)."""

from __future__ import annotations

from tests.test_generic_metadata import BODY, full_page, parse


def test_a_microdata_meta_inside_the_byline_does_not_split_it() -> None:
    """schema.org microdata puts an invisible <meta itemprop="name"> inside the byline ("Von <span itemscope
    itemtype=Person><meta itemprop=name …>Anna Roe</span>"): the lead word and the name are still one line."""
    byline = ('<p><em>Von <span itemscope itemtype="http://schema.org/Person"><meta itemprop="name" '
              'content="Anna Roe">Anna Roe</span></em></p>')
    assert parse(full_page(byline="", body=BODY + byline, lang="de")).authors == ["Anna Roe"]
