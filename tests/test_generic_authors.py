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


def test_arabic_bylines_lead_words_introduce_the_name() -> None:
    """Arabic papers print the writer after a lead and a colon: "حوار:" (interview by), "كتب:"/"كتبت:" (wrote),
    "إعداد:" (prepared by), "تقرير:" (report); Arabic has no capitals, so the lead alone tells the byline."""
    for lead in ("حوار", "كتب", "كتبت", "إعداد", "تقرير"):
        page = full_page(byline=f"<p><strong>{lead}: سارة المنصوري</strong></p>", lang="ar",
                         head='<meta property="og:site_name" content="Harbour Gazette">')
        assert parse(page).authors == ["سارة المنصوري"], lead


def test_a_phrase_ending_in_a_lower_case_word_after_a_lead_is_no_name() -> None:
    """A line of the story that opens with "Von" ("Von Amts wegen", ex officio) looks like a German byline; a name's
    lower-case words are particles before a capitalised surname, so a phrase ending in one names nobody."""
    body = BODY + "<p>Von Amts wegen</p>"
    byline = '<p class="byline">Von <a href="/autoren/anna-roe">Anna Roe</a></p>'
    assert parse(full_page(byline="", body=body, lang="de")).authors == []
    assert parse(full_page(byline=byline, body=body, lang="de")).authors == ["Anna Roe"]


def test_a_meta_author_naming_the_site_part_of_the_title_is_the_house_not_the_writer() -> None:
    """A site's template writes its owner's name into every page's meta author; the <title> ends with the same name
    ("Post - Anna Roe Dogs", "Post - Rioja Wines in Leeds - Tapas & More"). Without a byline the page credits nobody;
    a byline shown on the page still names its writer."""
    for site in ("Anna Roe Dogs", "Rioja Wines in Leeds - Tapas und Vino"):
        owner = site.removesuffix(" Dogs")
        head = f'<meta name="author" content="{owner}">'
        title = f"Council approves new harbour bridge - {site}"
        body = BODY + f"<p>Ask {site} about the bridge's new dog park.</p>"  # the page names the house too
        assert parse(full_page(byline="", head=head, title=title, body=body)).authors == [], site
        shown = '<p class="byline">By Anna Roe</p>'
        assert parse(full_page(byline=shown, head=head, title=title, body=body)).authors == ["Anna Roe"], site
