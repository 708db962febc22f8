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


# ---- bylines printed only as links to the writers' pages (extract/authorlinks.py) ------------------------------------
def test_a_byline_of_links_to_writers_pages_names_the_authors() -> None:
    """Under the headline, names printed only as links to each writer's page (an author folder, rel="author"), with
    no "By" and no author class, are the byline; a lead or label beside them ("Por:") is not part of a name."""
    bylines = ('<div class="meta"><a href="/author/ann-lee/">Ann Lee</a> · 3 May 2019</div>',
               '<ul class="meta"><li><a href="/ueber-uns/autoren/Ann-Lee">Ann Lee</a></li><li>Politik</li></ul>',
               '<div>Por: <a href="/autor/ann-lee/">Ann Lee</a>, <a href="/autor/jo-roe/">Jo Roe</a></div>',
               '<div><a rel="author" href="/?u=7">Ann Lee</a></div>',
               '<p><a href="/by/ann-lee">Ann Lee</a> and <a href="/by/jo-roe">Jo Roe</a></p>')
    expected = (["Ann Lee"], ["Ann Lee"], ["Ann Lee", "Jo Roe"], ["Ann Lee"], ["Ann Lee", "Jo Roe"])
    for byline, names in zip(bylines, expected):
        assert parse(full_page(byline=byline)).authors == names, byline


def test_writers_printed_in_boxes_of_their_own_are_one_byline() -> None:
    """Templates print each writer in a box of its own, parted by short lines ("and", a handle): one byline."""
    byline = ('<div>By</div><div><a href="/people/ann-lee">Ann Lee</a></div><div>and</div>'
              '<div><a href="/people/jo-roe">Jo Roe</a></div>')
    assert parse(full_page(byline=byline)).authors == ["Ann Lee", "Jo Roe"]


def test_more_links_to_the_same_writers_page_are_no_more_names() -> None:
    """"View More Articles" beside the name links to the same writer's page: it names no second writer."""
    byline = ('<div><a href="/author/ann-lee.html">Ann Lee</a> '
              '<a href="/author/ann-lee.html">View More Articles</a></div>')
    article = parse(full_page(byline=byline))
    assert (article.authors, article.byline) == (["Ann Lee"], "Ann Lee")


def test_a_control_linking_to_the_writers_page_is_no_name() -> None:
    """A template that prints only a control under the headline ("View Profile", "Read More", "More From Author »")
    linked to the writer's page names nobody: its words are the page's, in title case as names are."""
    for control in ("View Profile", "Read More", "See All Stories", "More From Author »", "Voir le profil"):
        article = parse(full_page(byline=f'<div><a href="/author/ann-lee/">{control}</a></div>'))
        assert article.authors == [], control


def test_a_linked_byline_under_the_headline_wins_over_a_lead_line_further_down() -> None:
    """The credit nearest below the headline is the story's: a "Par …" line further down (a card of another story,
    a line of the text that opens with "Von") is not, when the writers' links come first."""
    byline = '<p>Un documentaire de <a href="/auteurs/ann_lee">Ann Lee</a></p>'
    card = '<p>Vous aimerez aussi</p><p>Par Jo Roe</p><p>Une autre histoire, racontée par Jo Roe.</p>'
    assert parse(full_page(byline=byline, body=BODY + card, lang="fr")).authors == ["Ann Lee"]


def test_writers_links_that_are_no_byline_name_nobody() -> None:
    """Links to writers' pages outside the byline's place: below the start of the story (a quote's speaker, the
    text), under a pull quote, in the story's tags (people it is about, "/people/…"), in a related-stories list, in
    comments, in the footer, in a staff list; and a licence's "/licenses/by/4.0/", which is no "/by/<writer>"."""
    quote = ('<blockquote><p>We build the bridge for the next century.</p>'
             '<div><a href="/author/ann-lee/">Ann Lee, Mayor</a></div></blockquote>')
    second = BODY.index("</p>", BODY.index("</p>") + 1) + len("</p>")
    in_text = BODY[:second] + '<div><a href="/people/ann-lee">Ann Lee</a></div>' + BODY[second:]
    in_sentence = BODY.replace("</p>", ' says <a href="/people/ann-lee">Ann Lee</a>.</p>', 1)
    staff = "".join(f'<li><a href="/staff/{n.lower().replace(" ", "-")}">{n}</a></li>'
                    for n in ("Ann Lee", "Jo Roe", "Kim Poe", "Al Moe", "Sue Doe"))
    tags = '<ul class="story-tags"><li><a href="/people/ann-lee">Ann Lee</a></li><li><a href="/city">City</a></li></ul>'
    licence = '<p><a rel="license" href="https://creativecommons.org/licenses/by/4.0/">CC BY</a></p>'
    pages = (full_page(byline=quote),
             full_page(byline=tags),
             full_page(byline=licence),
             full_page(byline="", body=in_text),
             full_page(byline="", body=in_sentence),
             full_page(byline=f'<ul class="team">{staff}</ul>'),
             full_page(byline="").replace("</aside>", '<p><a href="/author/ann-lee/">Ann Lee</a></p></aside>'),
             full_page(byline="").replace('<span class="comment-author">Peter Miller</span>',
                                          '<a href="/profile/peter-miller">Peter Miller</a>'),
             full_page(byline="").replace("<footer>", '<footer><p><a href="/authors/ann-lee">Ann Lee</a></p>'))
    for page in pages:
        assert parse(page).authors == []


def test_the_credit_of_another_storys_card_in_a_list_is_not_the_pages() -> None:
    """A list of other stories outside the page's marked furniture ("Auch interessant" in a plain column) prints each
    story's headline link with its author: an author element or a "Von …" line in such a card credits that story."""
    for credit in ('<div class="list-author">Pressemitteilung von Jo Roe</div>', "<div>Von Jo Roe</div>",
                   '<div><a href="/autoren/jo-roe">Jo Roe</a></div>'):
        cards = ('<div class="col"><h4>Auch interessant</h4><ul>'
                 f'<li><a href="/presse/ferry-timetable">Fährplan ändert sich im Winter</a>{credit}</li>'
                 f'<li><a href="/presse/port-budget">Hafenbehörde legt Haushalt vor</a>{credit}</li></ul></div>')
        page = full_page(byline="", lang="de").replace("</article>", f"</article>{cards}")
        assert parse(page).authors == [], credit
    # A byline printed as a list item of the story's own meta line is no card: it links to no other story.
    meta = '<ul class="meta"><li>Von <a href="/autoren/jo-roe">Jo Roe</a></li><li>3. März 2021</li></ul>'
    assert parse(full_page(byline=meta, lang="de")).authors == ["Jo Roe"]


def test_a_link_with_a_malformed_address_is_no_writers_page() -> None:
    """Consent widgets write links such as "http://[cookie-settings]", which urllib refuses to split: such a link
    names no writer, in the byline's place or in a list item, and the page still parses."""
    byline = ('<ul class="meta"><li><a href="http://[cookie-settings]">Ann Lee</a></li>'
              '<li><a href="http://[cookie-settings]/x">Manage your privacy settings here</a> Von Jo Roe</li></ul>')
    assert parse(full_page(byline=byline)).authors == []


def test_a_name_printed_beside_the_writers_portrait_linked_to_their_page_is_the_byline() -> None:
    """A template links the writer's portrait to the writer's page (the link has no text; its title or the picture's
    alt names the writer) and prints the name beside it, unlinked: that name is the byline."""
    for portrait in ('<a href="/authors/annlee/" title="Ann Lee"><img src="/ann.jpg"></a>',
                     '<a href="/authors/annlee/"><img src="/ann.jpg" alt="Ann Lee"></a>'):
        byline = f'<div class="meta"><div class="photo">{portrait}</div><div><span>Ann Lee</span></div></div>'
        assert parse(full_page(byline=byline)).authors == ["Ann Lee"], portrait
    # A name beside a portrait that is not its own credits nobody.
    other = ('<div class="meta"><div class="photo"><a href="/authors/annlee/" title="Ann Lee"><img src="/ann.jpg"></a>'
             '</div><div><span>Jo Roe</span></div></div>')
    assert parse(full_page(byline=other)).authors == []
